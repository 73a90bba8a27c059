/* pw-command.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-command"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gstdio.h>

#include "pw-engine.h"

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
} Reader;

struct _Run
{
  /* Borrowed: the task owns the run as its task data. */
  GTask         *task;

  /* Owned references */
  GSubprocess   *subprocess;
  PwLog         *log;
  GMainContext  *context;
  GCancellable  *read_cancellable;
  GSource       *timeout_source;
  GSource       *cancel_source;
  GSource       *kill_source;
  GSource       *linger_source;
  GString       *captured;

  Reader         readers[2];
  guint          n_readers;

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

  for (guint i = 0; i < run->n_readers; i++)
    {
      g_clear_object (&run->readers[i].stream);
      g_clear_pointer (&run->readers[i].partial, g_byte_array_unref);
      g_clear_pointer (&run->readers[i].buffer, g_free);
    }

  g_clear_object (&run->subprocess);
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
  /* Never kill (0) or kill (-1): that would hit ourselves or everything
   * we may signal. */
  if (run->pgid > 1)
    kill (-run->pgid, signum);
  else if (run->subprocess != NULL)
    g_subprocess_send_signal (run->subprocess, signum);
}

static void
check_done (Run *run)
{
  if (run->returned || !run->exited)
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
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GSubprocess *subprocess = G_SUBPROCESS (object);
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  gboolean reading = FALSE;

  /* Without a cancellable, waiting cannot fail. */
  g_subprocess_wait_finish (subprocess, result, NULL);

  run->exited = TRUE;
  if (g_subprocess_get_if_exited (subprocess))
    run->exit_status = g_subprocess_get_exit_status (subprocess);
  else if (g_subprocess_get_if_signaled (subprocess))
    run->exit_status = 128 + g_subprocess_get_term_sig (subprocess);

  /* It ended in time, whatever its leftovers still do. */
  clear_source (&run->timeout_source);

  for (guint i = 0; i < run->n_readers; i++)
    reading |= !run->readers[i].done;

  if (reading && !run->terminating)
    run->linger_source = add_timeout (run, LINGER_SECONDS, linger_cb);

  check_done (run);
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

static void
start_read (Reader *reader)
{
  /* Released by read_cb: the task lives while a read is pending. */
  g_object_ref (reader->run->task);
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
    }

  start_read (reader);
}

static void
child_setup (gpointer user_data)
{
  /* Its own process group, so a timeout can stop everything it started.
   * Runs between fork and exec: async-signal-safe calls only. */
  setpgid (0, 0);
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

static void
run_common (const char * const  *argv,
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
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocessFlags flags;
  const char *identifier;
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

  if (g_cancellable_is_cancelled (cancellable))
    {
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CANCELLED, "Stopped");
      return;
    }

  flags = G_SUBPROCESS_FLAGS_STDOUT_PIPE;
  flags |= capture ? G_SUBPROCESS_FLAGS_STDERR_PIPE : G_SUBPROCESS_FLAGS_STDERR_MERGE;
  /* Look the program up in the PATH it will run with, not ours. */
  if (envp != NULL)
    flags |= G_SUBPROCESS_FLAGS_SEARCH_PATH_FROM_ENVP;

  launcher = g_subprocess_launcher_new (flags);
  if (envp != NULL)
    g_subprocess_launcher_set_environ (launcher, (char **)envp);
  if (cwd != NULL)
    g_subprocess_launcher_set_cwd (launcher, cwd);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);

  if (stdin_text != NULL)
    {
      int fd = stdin_fd_for_text (stdin_text, &error);

      if (fd < 0)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_subprocess_launcher_take_stdin_fd (launcher, fd);
    }

  run->subprocess = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (run->subprocess == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  identifier = g_subprocess_get_identifier (run->subprocess);
  if (identifier != NULL)
    run->pgid = (pid_t)g_ascii_strtoll (identifier, NULL, 10);

  run->readers[run->n_readers].stream = g_object_ref (g_subprocess_get_stdout_pipe (run->subprocess));
  run->readers[run->n_readers].capture = capture;
  run->n_readers++;
  if (capture)
    {
      run->readers[run->n_readers].stream =
        g_object_ref (g_subprocess_get_stderr_pipe (run->subprocess));
      run->n_readers++;
    }

  for (guint i = 0; i < run->n_readers; i++)
    {
      run->readers[i].run = run;
      run->readers[i].partial = g_byte_array_new ();
      run->readers[i].buffer = g_malloc (READ_CHUNK);
      start_read (&run->readers[i]);
    }

  g_subprocess_wait_async (run->subprocess, NULL, wait_cb, g_object_ref (task));

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

  run_common (argv, cwd, envp, stdin_text, log, timeout_seconds, FALSE,
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

  run_common (argv, cwd, envp, stdin_text, log, timeout_seconds, TRUE,
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
