/* pw-command.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-command"
/* posix_spawn_file_actions_addchdir_np and _addclosefrom_np (glibc 2.34) */
#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "pw-engine-private.h"

#define READ_CHUNK          (64 * 1024)
/* No line reaches the log longer than this; longer ones are split. */
#define MAX_LINE_BYTES      (64 * 1024)
/* The most of stdout a capture keeps. */
#define CAPTURE_MAX_BYTES   (16 * 1024 * 1024)
/* Between SIGTERM and SIGKILL. */
#define KILL_GRACE_SECONDS  5
/* How long output may stay open after the process exited: a background
 * job it started (`daemon &`) keeps the pipe open, and waiting for it
 * would hold the action until its timeout. */
#define LINGER_SECONDS      2

typedef struct _Run Run;

typedef struct
{
  Run          *run;
  GInputStream *stream;
  /* The unterminated end of the output so far. */
  GByteArray   *partial;
  char         *buffer;
  gboolean      capture;
  gboolean      done;
  /* A read deferred after a burst: whichever of the two comes first. */
  guint         yield_idle;
  guint         yield_timeout;
} Reader;

struct _Run
{
  /* Borrowed: the task owns the run as its task data. */
  GTask         *task;

  /* Owned references */
  PwLog         *log;
  GMainContext  *context;
  GCancellable  *read_cancellable;
  GSource       *timeout_source;
  GSource       *cancel_source;
  GSource       *kill_source;
  GSource       *linger_source;
  GSource       *child_source;
  GString       *captured;
  /* Where it runs; its own when the caller gave none, closed (killing
   * what it left behind) once it exits. */
  PwContainer   *container;
  gboolean       own_container;
  gboolean       container_closed;
  guint          container_id;

  Reader         readers[2];
  guint          n_readers;

  GPid           pid;
  pid_t          pgid;
  guint          timeout_seconds;
  int            exit_status;
  gboolean       exited;
  gboolean       terminating;
  gboolean       returned;
  gboolean       capture_truncated;
  PwEngineError  reason;
};

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
run_free (Run *run)
{
  clear_source (&run->timeout_source);
  clear_source (&run->cancel_source);
  clear_source (&run->kill_source);
  clear_source (&run->linger_source);
  clear_source (&run->child_source);

  for (guint i = 0; i < run->n_readers; i++)
    {
      g_clear_object (&run->readers[i].stream);
      g_clear_pointer (&run->readers[i].partial, g_byte_array_unref);
      g_clear_pointer (&run->readers[i].buffer, g_free);
    }

  g_clear_pointer (&run->container, _pw_container_unref);
  g_clear_object (&run->log);
  g_clear_object (&run->read_cancellable);
  g_clear_pointer (&run->context, g_main_context_unref);
  if (run->captured != NULL)
    g_string_free (run->captured, TRUE);
  g_free (run);
}

static GSource *
add_timeout (Run         *run,
             guint        seconds,
             GSourceFunc  func)
{
  GSource *source = g_timeout_source_new_seconds (seconds);

  g_source_set_callback (source, func, run, NULL);
  g_source_attach (source, run->context);

  return source;
}

static void
signal_group (Run *run,
              int  signum)
{
  if (run->container != NULL)
    {
      if (run->container_id != 0)
        _pw_container_signal (run->container, run->container_id, signum);
      return;
    }

  /* Never kill (0) or kill (-1): that would hit ourselves or everything
   * we may signal. */
  if (run->pgid > 1)
    kill (-run->pgid, signum);
  else if (run->pid > 1 && !run->exited)
    kill (run->pid, signum);
}

static void
check_done (Run *run)
{
  if (run->returned || !run->exited)
    return;
  if (run->own_container && !run->container_closed)
    return;

  for (guint i = 0; i < run->n_readers; i++)
    if (!run->readers[i].done)
      return;

  run->returned = TRUE;
  clear_source (&run->timeout_source);
  clear_source (&run->cancel_source);
  clear_source (&run->kill_source);
  clear_source (&run->linger_source);

  if (run->terminating && run->reason == PW_ENGINE_ERROR_TIMEOUT)
    g_task_return_new_error (run->task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_TIMEOUT,
                             "Timed out after %u seconds", run->timeout_seconds);
  else if (run->terminating && run->reason == PW_ENGINE_ERROR_OUTPUT_LIMIT)
    {
      g_autofree char *limit = g_format_size_full (pw_log_get_output_limit (run->log),
                                                   G_FORMAT_SIZE_IEC_UNITS);

      g_task_return_new_error (run->task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_OUTPUT_LIMIT,
                               "Stopped: the output passed its limit of %s", limit);
    }
  else if (run->terminating)
    g_task_return_new_error (run->task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CANCELLED,
                             "Stopped");
  else
    g_task_return_boolean (run->task, TRUE);
}

static gboolean
linger_cb (gpointer user_data)
{
  Run *run = user_data;

  g_clear_pointer (&run->linger_source, g_source_unref);

  if (run->log != NULL)
    pw_log_printf (run->log, "[pipewright] The command exited, but processes it started "
                   "still hold its output open; not waiting for them");
  g_cancellable_cancel (run->read_cancellable);

  return G_SOURCE_REMOVE;
}

static gboolean
kill_cb (gpointer user_data)
{
  Run *run = user_data;

  g_clear_pointer (&run->kill_source, g_source_unref);
  signal_group (run, SIGKILL);

  /* A process that left the group may still hold the output. */
  if (run->linger_source == NULL)
    run->linger_source = add_timeout (run, LINGER_SECONDS, linger_cb);

  return G_SOURCE_REMOVE;
}

static void
terminate (Run           *run,
           PwEngineError  reason)
{
  if (run->terminating || run->returned)
    return;

  run->terminating = TRUE;
  run->reason = reason;

  /* The whole group, so `sh -c 'a & b'` takes `a` with it. */
  clear_source (&run->linger_source);
  signal_group (run, SIGTERM);
  run->kill_source = add_timeout (run, KILL_GRACE_SECONDS, kill_cb);
}

static gboolean
timeout_cb (gpointer user_data)
{
  Run *run = user_data;

  g_clear_pointer (&run->timeout_source, g_source_unref);
  if (run->log != NULL)
    pw_log_printf (run->log, "[pipewright] Timed out after %u seconds; stopping",
                   run->timeout_seconds);
  terminate (run, PW_ENGINE_ERROR_TIMEOUT);

  return G_SOURCE_REMOVE;
}

static gboolean
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  Run *run = user_data;

  g_clear_pointer (&run->cancel_source, g_source_unref);

  /* Once the process has exited, only the wait for its leftovers' output
   * remains, and that is what stops. */
  if (run->exited && !run->terminating)
    {
      clear_source (&run->linger_source);
      g_cancellable_cancel (run->read_cancellable);
    }
  else
    terminate (run, PW_ENGINE_ERROR_CANCELLED);

  return G_SOURCE_REMOVE;
}

static void
own_container_closed_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  guint n_killed = _pw_container_close_finish (run->container, result);

  if (n_killed > 0 && run->log != NULL)
    pw_log_printf (run->log, "[pipewright] Stopped %u process%s the command left running in "
                   "the background", n_killed, n_killed == 1 ? "" : "es");

  run->container_closed = TRUE;
  check_done (run);
}

static void
process_exited (Run *run,
                int  wait_status)
{
  gboolean reading = FALSE;

  run->exited = TRUE;
  if (WIFEXITED (wait_status))
    run->exit_status = WEXITSTATUS (wait_status);
  else if (WIFSIGNALED (wait_status))
    run->exit_status = 128 + WTERMSIG (wait_status);

  /* It ended in time, whatever its leftovers still do. */
  clear_source (&run->timeout_source);

  /* Its own container goes with it, and takes what it left running (and
   * holding its output) along. */
  if (run->own_container)
    {
      _pw_container_close_async (run->container, own_container_closed_cb,
                                 g_object_ref (run->task));
      return;
    }

  for (guint i = 0; i < run->n_readers; i++)
    reading |= !run->readers[i].done;

  if (reading && !run->terminating)
    run->linger_source = add_timeout (run, LINGER_SECONDS, linger_cb);

  check_done (run);
}

static void
child_exited_cb (GPid     pid,
                 int      wait_status,
                 gpointer user_data)
{
  /* The source holds a reference on the task until it is gone. */
  Run *run = g_task_get_task_data (G_TASK (user_data));

  g_clear_pointer (&run->child_source, g_source_unref);
  process_exited (run, wait_status);
}

static void
container_exited_cb (int      wait_status,
                     gpointer user_data)
{
  g_autoptr(GTask) task = user_data;

  process_exited (g_task_get_task_data (task), wait_status);
}

/* Only whole lines reach the log, so commands sharing one log never mix
 * halves of their lines. */
static void
to_log (Reader   *reader,
        gboolean  eof)
{
  Run *run = reader->run;
  GByteArray *partial = reader->partial;
  const guint8 *lines_end;

  if (partial->len == 0)
    return;

  /* Every complete line at once: one write to the log per chunk read. */
  lines_end = partial->data + partial->len;
  while (lines_end > partial->data && lines_end[-1] != '\n')
    lines_end--;
  if (lines_end > partial->data)
    {
      gsize length = lines_end - partial->data;

      if (run->log != NULL)
        pw_log_write (run->log, (const char *)partial->data, length);
      g_byte_array_remove_range (partial, 0, length);
    }

  /* A line without end (binary output, a progress bar) is cut into
   * pieces the log can hold. */
  while (partial->len >= MAX_LINE_BYTES || (eof && partial->len > 0))
    {
      gsize length = MIN (partial->len, MAX_LINE_BYTES);

      if (run->log != NULL)
        {
          g_autofree char *piece = g_malloc (length + 1);

          memcpy (piece, partial->data, length);
          piece[length] = '\n';
          pw_log_write (run->log, piece, length + 1);
        }
      g_byte_array_remove_range (partial, 0, length);
    }
}

static void
to_capture (Reader     *reader,
            const char *data,
            gsize       length)
{
  Run *run = reader->run;
  gsize room = CAPTURE_MAX_BYTES - run->captured->len;

  if (length > room)
    {
      if (!run->capture_truncated && run->log != NULL)
        pw_log_printf (run->log, "[pipewright] Standard output passed %u MiB; "
                       "the rest is read but not kept", CAPTURE_MAX_BYTES / (1024 * 1024));
      run->capture_truncated = TRUE;
      length = room;
    }

  g_string_append_len (run->captured, data, length);
}

static void read_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data);

/* How long the main loop reads commands' output before it lets what
 * waits below it run (a GUI's frame), and when a pause means it did. */
#define READ_BURST_US 1000
#define READ_GAP_US   4000

/* Below GTK's redraws (G_PRIORITY_HIGH_IDLE + 20) and above what is idle:
 * a frame that is due goes first, and nothing else waits. A window that
 * redraws without end (frames slower than the display, under load) must
 * not hold the run back either: after READ_YIELD_MAX_MS the read goes on
 * at the default priority (a run in the app hung so, in CI). */
#define READ_YIELD_PRIORITY (G_PRIORITY_HIGH_IDLE + 25)
#define READ_YIELD_MAX_MS   8

static gint64 burst_start;   /* main-thread only, like the readers */
static gint64 last_read;

static gboolean
deferred_read_cb (gpointer data)
{
  Reader *reader = data;

  /* The other of the two is no longer wanted (this one is removed by
   * returning G_SOURCE_REMOVE: its id is only forgotten). */
  if (reader->yield_idle != 0 && reader->yield_timeout != 0)
    {
      GSource *current = g_main_current_source ();
      guint current_id = current != NULL ? g_source_get_id (current) : 0;

      if (current_id == reader->yield_idle)
        g_source_remove (reader->yield_timeout);
      else
        g_source_remove (reader->yield_idle);
    }
  reader->yield_idle = reader->yield_timeout = 0;
  g_input_stream_read_async (reader->stream, reader->buffer, READ_CHUNK, G_PRIORITY_DEFAULT,
                             reader->run->read_cancellable, read_cb, reader);
  return G_SOURCE_REMOVE;
}

static void
start_read (Reader *reader)
{
  gint64 now = g_get_monotonic_time ();

  /* Released by read_cb: the task lives while a read is pending. */
  g_object_ref (reader->run->task);

  /* Output is read at the default priority, so that nothing can hold a
   * run back: not even a window redrawing without end (a spinner drawn
   * by software GL took longer than a frame, and reads below the redraws
   * never ran). A build printing as fast as it can still leaves the
   * window its frames: after a millisecond of reading in a row, the next
   * read waits at a priority below the redraws, so a frame that is due
   * is drawn first, never more than about a millisecond late (with a
   * timed pause instead, frames came 20-35 ms apart behind a 50 MB log,
   * and a terminal run waited for nothing). */
  if (burst_start == 0 || now - last_read > READ_GAP_US)
    burst_start = now;
  last_read = now;
  if (now - burst_start > READ_BURST_US)
    {
      burst_start = 0;
      reader->yield_idle = g_idle_add_full (READ_YIELD_PRIORITY, deferred_read_cb, reader, NULL);
      reader->yield_timeout = g_timeout_add_full (G_PRIORITY_DEFAULT, READ_YIELD_MAX_MS, deferred_read_cb,
                                                  reader, NULL);
      return;
    }
  g_input_stream_read_async (reader->stream, reader->buffer, READ_CHUNK, G_PRIORITY_DEFAULT,
                             reader->run->read_cancellable, read_cb, reader);
}

/* Output is read in chunks and split into lines here rather than with
 * g_data_input_stream_read_line_async: that one grows its buffer until a
 * whole line fits, so a program printing a gigabyte without a newline
 * would cost a gigabyte of memory. */
static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Reader *reader = user_data;
  Run *run = reader->run;
  /* The reference start_read took. */
  g_autoptr(GTask) task = run->task;
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);

  if (n < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Cannot read a command's output: %s", error->message);

  if (n <= 0)
    {
      if (!reader->capture)
        to_log (reader, TRUE);
      reader->done = TRUE;
      check_done (run);
      return;
    }

  if (reader->capture)
    to_capture (reader, reader->buffer, n);
  else
    {
      g_byte_array_append (reader->partial, (const guint8 *)reader->buffer, n);
      to_log (reader, FALSE);
      /* A runaway command (a loop printing forever) is stopped like one
       * that runs past its timeout. */
      if (run->log != NULL && pw_log_is_over_output_limit (run->log))
        terminate (run, PW_ENGINE_ERROR_OUTPUT_LIMIT);
    }

  start_read (reader);
}

/* The child's stdin holding @text. Filling a pipe before the child starts
 * means no write of ours can block, and none can meet SIGPIPE when the
 * child does not read; text too large for the pipe goes through an
 * unlinked temporary file instead. */
static int
stdin_fd_for_text (const char  *text,
                   GError     **error)
{
  g_autofree char *tmp_path = NULL;
  gsize length = strlen (text);
  int fds[2];
  int fd;

  if (g_unix_open_pipe (fds, FD_CLOEXEC, NULL))
    {
      gssize n = -1;

      if (g_unix_set_fd_nonblocking (fds[1], TRUE, NULL))
        {
          do
            n = write (fds[1], text, length);
          while (n < 0 && errno == EINTR);
        }
      g_close (fds[1], NULL);
      if (n == (gssize)length)
        return fds[0];
      g_close (fds[0], NULL);
    }

  fd = g_file_open_tmp ("pipewright-stdin-XXXXXX", &tmp_path, error);
  if (fd < 0)
    return -1;
  g_unlink (tmp_path);

  for (const char *p = text; length > 0;)
    {
      gssize n = write (fd, p, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_close (fd, NULL);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "Cannot write standard input: %s", g_strerror (saved_errno));
          return -1;
        }
      p += n;
      length -= n;
    }

  lseek (fd, 0, SEEK_SET);

  return fd;
}

/* Starting the process.
 *
 * With a working folder or a child setup function (the new process group
 * needs one), GSubprocess forks: the kernel copies our page tables and
 * every page becomes copy-on-write for all our threads until the child
 * execs. posix_spawn() in glibc is clone (CLONE_VM | CLONE_VFORK), no copy
 * at all, and does the rest itself: the folder, the process group, the
 * descriptors, the signals. Measured from a 14 MB process: 1.85 ms per
 * `sh -c true` through GSubprocess, 1.0 ms through posix_spawn; a build
 * runs one process per buildspec command, so it adds up. The child is
 * then watched with GLib (g_child_watch_source_new, GUnixInputStream),
 * as GSubprocess does. */

/* @program as execvp would find it in the PATH of @envp; relative PATH
 * entries are the child's, so relative to @cwd. */
static char *
find_program (const char         *program,
              const char * const *envp,
              const char         *cwd)
{
  const char *path;
  g_auto(GStrv) dirs = NULL;

  if (strchr (program, '/') != NULL)
    return g_strdup (program);

  path = g_environ_getenv ((char **)envp, "PATH");
  if (path == NULL)
    path = "/usr/local/bin:/usr/bin:/bin";

  dirs = g_strsplit (path, ":", -1);
  for (guint i = 0; dirs[i] != NULL; i++)
    {
      const char *dir = dirs[i][0] != '\0' ? dirs[i] : ".";
      g_autofree char *candidate = NULL;
      struct stat st;

      if (!g_path_is_absolute (dir) && cwd != NULL)
        candidate = g_build_filename (cwd, dir, program, NULL);
      else
        candidate = g_build_filename (dir, program, NULL);

      if (stat (candidate, &st) == 0 && S_ISREG (st.st_mode) && access (candidate, X_OK) == 0)
        return g_steal_pointer (&candidate);
    }

  return NULL;
}

/* Starts @argv with @stdin_fd (or /dev/null) as its stdin, @out_fd as its
 * stdout and @err_fd as its stderr, in @cwd, in a process group of its
 * own (so a stop or timeout reaches everything it started), with every
 * signal at its default (we ignore SIGPIPE; a build must not inherit
 * that) and no other descriptor of ours. */
static gboolean
spawn (Run                 *run,
       const char * const  *argv,
       const char          *cwd,
       const char * const  *envp,
       int                  stdin_fd,
       int                  out_fd,
       int                  err_fd,
       GError             **error)
{
  g_autofree char *program = find_program (argv[0], envp, cwd);
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  sigset_t defaults;
  sigset_t mask;
  pid_t pid;
  int r;

  if (program == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "Cannot run '%s': no such program in the PATH", argv[0]);
      return FALSE;
    }

  if (run->container != NULL)
    {
      if (!_pw_container_spawn (run->container, program, argv, cwd, envp, stdin_fd, out_fd,
                                err_fd, container_exited_cb, g_object_ref (run->task),
                                &run->container_id, error))
        {
          g_object_unref (run->task);
          return FALSE;
        }
      return TRUE;
    }

  posix_spawn_file_actions_init (&actions);
  if (stdin_fd >= 0)
    posix_spawn_file_actions_adddup2 (&actions, stdin_fd, 0);
  else
    posix_spawn_file_actions_addopen (&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2 (&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2 (&actions, err_fd, 2);
  if (cwd != NULL)
    posix_spawn_file_actions_addchdir_np (&actions, cwd);
  posix_spawn_file_actions_addclosefrom_np (&actions, 3);

  sigfillset (&defaults);
  sigdelset (&defaults, SIGKILL);
  sigdelset (&defaults, SIGSTOP);
  sigemptyset (&mask);
  posix_spawnattr_init (&attr);
  posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
                                   POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setpgroup (&attr, 0);
  posix_spawnattr_setsigdefault (&attr, &defaults);
  posix_spawnattr_setsigmask (&attr, &mask);

  r = posix_spawn (&pid, program, &actions, &attr, (char * const *)argv, (char * const *)envp);

  posix_spawnattr_destroy (&attr);
  posix_spawn_file_actions_destroy (&actions);

  if (r != 0)
    return _pw_set_spawn_error (error, r, argv[0], cwd);

  run->pid = pid;
  /* Its own group, made before posix_spawn returned. */
  run->pgid = pid;

  return TRUE;
}

static void
run_common (PwContainer         *container,
            gboolean             contain,
            const char * const  *argv,
            const char          *cwd,
            const char * const  *envp,
            const char          *stdin_text,
            PwLog               *log,
            guint                timeout_seconds,
            gboolean             capture,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data,
            gpointer             source_tag)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) our_env = NULL;
  int out_pipe[2] = { -1, -1 };
  int err_pipe[2] = { -1, -1 };
  int stdin_fd = -1;
  Run *run;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  /* Cancelling ends in our own PW_ENGINE_ERROR_CANCELLED, and only once
   * the process is gone; GTask must not answer for us earlier. */
  g_task_set_check_cancellable (task, FALSE);

  run = g_new0 (Run, 1);
  run->task = task;
  run->log = log != NULL ? g_object_ref (log) : NULL;
  run->context = g_main_context_ref_thread_default ();
  run->read_cancellable = g_cancellable_new ();
  run->timeout_seconds = timeout_seconds;
  run->exit_status = -1;
  if (capture)
    run->captured = g_string_new (NULL);
  g_task_set_task_data (task, run, (GDestroyNotify)run_free);

  if (container != NULL)
    run->container = _pw_container_ref (container);
  else if (!contain)
    ;
  else if ((run->container = _pw_container_new (&error)) != NULL)
    run->own_container = TRUE;
  else
    {
      /* Still run it, as before containers. */
      g_warning ("Running '%s' outside a container: %s", argv[0], error->message);
      g_clear_error (&error);
    }

  if (g_cancellable_is_cancelled (cancellable))
    {
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CANCELLED, "Stopped");
      return;
    }

  if (envp == NULL)
    envp = (const char * const *)(our_env = pw_engine_get_environ ());

  if (stdin_text != NULL && (stdin_fd = stdin_fd_for_text (stdin_text, &error)) < 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Our ends of the pipes are close-on-exec; the child gets its ends as
   * 1 and 2, where dup2 clears the flag. */
  if (!g_unix_open_pipe (out_pipe, FD_CLOEXEC, &error) ||
      (capture && !g_unix_open_pipe (err_pipe, FD_CLOEXEC, &error)) ||
      !spawn (run, argv, cwd, envp, stdin_fd, out_pipe[1], capture ? err_pipe[1] : out_pipe[1],
              &error))
    {
      for (guint i = 0; i < 2; i++)
        {
          if (out_pipe[i] >= 0)
            g_close (out_pipe[i], NULL);
          if (err_pipe[i] >= 0)
            g_close (err_pipe[i], NULL);
        }
      if (stdin_fd >= 0)
        g_close (stdin_fd, NULL);
      if (run->own_container)
        _pw_container_close_async (run->container, NULL, NULL);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (stdin_fd >= 0)
    g_close (stdin_fd, NULL);
  g_close (out_pipe[1], NULL);
  if (capture)
    g_close (err_pipe[1], NULL);

  run->readers[run->n_readers].stream = g_unix_input_stream_new (out_pipe[0], TRUE);
  run->readers[run->n_readers].capture = capture;
  run->n_readers++;
  if (capture)
    {
      run->readers[run->n_readers].stream = g_unix_input_stream_new (err_pipe[0], TRUE);
      run->n_readers++;
    }

  for (guint i = 0; i < run->n_readers; i++)
    {
      run->readers[i].run = run;
      run->readers[i].partial = g_byte_array_new ();
      run->readers[i].buffer = g_malloc (READ_CHUNK);
      start_read (&run->readers[i]);
    }

  if (run->container == NULL)
    {
      run->child_source = g_child_watch_source_new (run->pid);
      g_source_set_callback (run->child_source, G_SOURCE_FUNC (child_exited_cb),
                             g_object_ref (task), g_object_unref);
      g_source_attach (run->child_source, run->context);
    }

  if (timeout_seconds > 0)
    run->timeout_source = add_timeout (run, timeout_seconds, timeout_cb);

  if (cancellable != NULL)
    {
      run->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (run->cancel_source, G_SOURCE_FUNC (cancelled_cb),
                             run, NULL);
      g_source_attach (run->cancel_source, run->context);
    }
}

/**
 * pw_command_run_async:
 * @argv: the program and its arguments; the program is looked up in the
 *   `PATH` of @envp
 * @cwd: (nullable): the working folder, or %NULL for ours
 * @envp: (nullable): the whole environment, or %NULL to inherit ours
 * @stdin_text: (nullable): standard input, or %NULL for `/dev/null`
 * @log: (nullable): where the output goes, or %NULL to drop it
 * @timeout_seconds: 0 for none
 * @cancellable: (nullable): stops the process group
 * @callback: called once the process is gone and its output read
 * @user_data: for @callback
 *
 * The callback comes when the process has exited and its output reached
 * end of file, also after a timeout or cancellation, so the caller never
 * races a dying process. One exception: output held open by a background
 * process the command left behind is abandoned two seconds after the exit.
 */
void
pw_command_run_async (const char * const  *argv,
                      const char          *cwd,
                      const char * const  *envp,
                      const char          *stdin_text,
                      PwLog               *log,
                      guint                timeout_seconds,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_return_if_fail (argv != NULL && argv[0] != NULL);
  g_return_if_fail (log == NULL || PW_IS_LOG (log));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  run_common (NULL, TRUE, argv, cwd, envp, stdin_text, log, timeout_seconds, FALSE,
              cancellable, callback, user_data, pw_command_run_async);
}

/**
 * _pw_command_run_in_async:
 * @container: where it runs, with what earlier commands left running
 *
 * Like pw_command_run_async(), in @container: what the command leaves in
 * the background stays until the container closes.
 */
void
_pw_command_run_in_async (PwContainer         *container,
                          const char * const  *argv,
                          const char          *cwd,
                          const char * const  *envp,
                          const char          *stdin_text,
                          PwLog               *log,
                          guint                timeout_seconds,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (argv != NULL && argv[0] != NULL);

  run_common (container, TRUE, argv, cwd, envp, stdin_text, log, timeout_seconds, FALSE,
              cancellable, callback, user_data, pw_command_run_async);
}

/**
 * pw_command_run_finish:
 * @result: the result given to the callback
 * @exit_status: (out) (optional): the exit status, or 128 + the signal
 *   that killed it; -1 when it never started
 * @error: return location for an error
 *
 * Returns: %TRUE when the process ran to its end, whatever its status
 */
gboolean
pw_command_run_finish (GAsyncResult  *result,
                       int           *exit_status,
                       GError       **error)
{
  Run *run;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pw_command_run_async ||
                        g_task_get_source_tag (G_TASK (result)) == pw_command_capture_async,
                        FALSE);

  run = g_task_get_task_data (G_TASK (result));
  if (exit_status != NULL)
    *exit_status = run->exit_status;

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * pw_command_capture_async:
 *
 * Like pw_command_run_async(), but standard output is kept (up to 16 MiB)
 * for pw_command_capture_finish(), and only standard error goes to @log.
 */
void
pw_command_capture_async (const char * const  *argv,
                          const char          *cwd,
                          const char * const  *envp,
                          const char          *stdin_text,
                          PwLog               *log,
                          guint                timeout_seconds,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (argv != NULL && argv[0] != NULL);
  g_return_if_fail (log == NULL || PW_IS_LOG (log));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  run_common (NULL, TRUE, argv, cwd, envp, stdin_text, log, timeout_seconds, TRUE,
              cancellable, callback, user_data, pw_command_capture_async);
}

/**
 * _pw_command_capture_plain_async:
 *
 * Like pw_command_capture_async(), without a container: for our own
 * plumbing (git reading a source), which starts nothing in the
 * background and would pay a keeper per call.
 */
void
_pw_command_capture_plain_async (const char * const  *argv,
                                 const char          *cwd,
                                 const char * const  *envp,
                                 const char          *stdin_text,
                                 PwLog               *log,
                                 guint                timeout_seconds,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (argv != NULL && argv[0] != NULL);

  run_common (NULL, FALSE, argv, cwd, envp, stdin_text, log, timeout_seconds, TRUE,
              cancellable, callback, user_data, pw_command_capture_async);
}

/**
 * pw_command_capture_finish:
 * @result: the result given to the callback
 * @exit_status: (out) (optional): as for pw_command_run_finish()
 * @stdout_text: (out) (optional) (transfer full): standard output (raw
 *   bytes, NUL-terminated), set when the process ran to its end
 * @error: return location for an error
 *
 * Returns: %TRUE when the process ran to its end, whatever its status
 */
gboolean
pw_command_capture_finish (GAsyncResult  *result,
                           int           *exit_status,
                           char         **stdout_text,
                           GError       **error)
{
  Run *run;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pw_command_capture_async,
                        FALSE);

  run = g_task_get_task_data (G_TASK (result));
  if (exit_status != NULL)
    *exit_status = run->exit_status;
  if (stdout_text != NULL)
    *stdout_text = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  if (stdout_text != NULL)
    *stdout_text = g_string_free (g_steal_pointer (&run->captured), FALSE);

  return TRUE;
}
