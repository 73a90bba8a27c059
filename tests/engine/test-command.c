/* test-command.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include <glib/gstdio.h>

#include <pw-engine.h>

#include "process-util.h"

typedef struct
{
  char         *dir;
  char         *log_path;
  PwLog        *log;
  GPtrArray    *lines;
  GMainLoop    *loop;
  GAsyncResult *result;
  GCancellable *cancellable;
  /* Cancel once a line with this text is logged. */
  const char   *cancel_on;
} Fixture;

static void
line_cb (PwLog      *log,
         const char *text,
         Fixture    *fixture)
{
  g_ptr_array_add (fixture->lines, g_strdup (text));

  if (fixture->cancel_on != NULL && g_str_equal (text, fixture->cancel_on))
    g_cancellable_cancel (fixture->cancellable);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("test-command-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->log_path = g_build_filename (fixture->dir, "action.log", NULL);
  fixture->log = pw_log_new (fixture->log_path, &error);
  g_assert_no_error (error);
  fixture->lines = g_ptr_array_new_with_free_func (g_free);
  fixture->loop = g_main_loop_new (NULL, FALSE);
  fixture->cancellable = g_cancellable_new ();
  g_signal_connect (fixture->log, "line", G_CALLBACK (line_cb), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->result);
  g_assert_finalize_object (fixture->log);
  g_main_loop_unref (fixture->loop);
  g_object_unref (fixture->cancellable);
  g_ptr_array_unref (fixture->lines);
  g_unlink (fixture->log_path);
  g_rmdir (fixture->dir);
  g_free (fixture->log_path);
  g_free (fixture->dir);
}

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Fixture *fixture = user_data;

  g_assert_null (object);
  fixture->result = g_object_ref (result);
  g_main_loop_quit (fixture->loop);
}

static void
slot_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static const char * const *
test_env (void)
{
  static const char * const env[] = { "PATH=/usr/bin:/bin", "LC_ALL=C", NULL };

  return env;
}

/* Runs @argv on the main loop and waits for its result, no polling. */
static gboolean
run (Fixture            *fixture,
     const char * const *argv,
     const char         *cwd,
     const char * const *envp,
     const char         *stdin_text,
     guint               timeout,
     int                *exit_status,
     GError            **error)
{
  g_clear_object (&fixture->result);
  pw_command_run_async (argv, cwd, envp, stdin_text, fixture->log, timeout,
                        fixture->cancellable, done_cb, fixture);
  g_main_loop_run (fixture->loop);

  return pw_command_run_finish (fixture->result, exit_status, error);
}

static gboolean
capture (Fixture            *fixture,
         const char * const *argv,
         const char         *cwd,
         const char * const *envp,
         const char         *stdin_text,
         int                *exit_status,
         char              **stdout_text,
         GError            **error)
{
  g_clear_object (&fixture->result);
  pw_command_capture_async (argv, cwd, envp, stdin_text, fixture->log, 0,
                            fixture->cancellable, done_cb, fixture);
  g_main_loop_run (fixture->loop);

  return pw_command_capture_finish (fixture->result, exit_status, stdout_text, error);
}

static gboolean
sh (Fixture    *fixture,
    const char *script,
    guint       timeout,
    int        *exit_status,
    GError    **error)
{
  const char * const argv[] = { "sh", "-c", script, NULL };

  return run (fixture, argv, NULL, test_env (), NULL, timeout, exit_status, error);
}

static void
test_exit_status (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_assert_true (sh (fixture, "exit 0", 0, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);

  g_assert_true (sh (fixture, "exit 3", 0, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 3);

  /* A signal death reads as a shell would report it. */
  g_assert_true (sh (fixture, "kill -KILL $$", 0, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 128 + SIGKILL);

  g_assert_true (sh (fixture, "kill -TERM $$", 0, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 128 + SIGTERM);
}

static void
test_spawn_failure (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char * const argv[] = { "/nonexistent/program", NULL };
  const char * const not_in_path[] = { "pipewright-no-such-program", NULL };
  int status = 0;

  g_assert_false (run (fixture, argv, NULL, test_env (), NULL, 0, &status, &error));
  g_assert_nonnull (error);
  g_assert_cmpint (status, ==, -1);
  g_clear_error (&error);

  g_assert_false (run (fixture, not_in_path, NULL, test_env (), NULL, 0, &status, &error));
  g_assert_nonnull (error);
}

static void
test_environment (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  const char * const argv[] = { "env", NULL };
  const char * const envp[] = { "PATH=/usr/bin:/bin", "ONLY_THIS=1", "EMPTY=", NULL };
  int status = -1;

  g_assert_true (capture (fixture, argv, NULL, envp, NULL, &status, &out, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  /* Exactly what we gave, nothing of ours (G_TEST_SRCDIR, …). */
  g_assert_cmpstr (out, ==, "PATH=/usr/bin:/bin\nONLY_THIS=1\nEMPTY=\n");
}

static void
test_cwd (Fixture       *fixture,
          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *expected = NULL;
  const char * const argv[] = { "pwd", "-P", NULL };
  char *real;
  int status = -1;

  g_assert_true (capture (fixture, argv, fixture->dir, test_env (), NULL, &status, &out, &error));
  g_assert_no_error (error);

  real = realpath (fixture->dir, NULL);
  expected = g_strconcat (real, "\n", NULL);
  free (real);
  g_assert_cmpstr (out, ==, expected);
}

static void
test_stdin (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *big = NULL;
  const char * const cat[] = { "cat", NULL };
  const char * const wc[] = { "wc", "-c", NULL };
  const char * const ignore[] = { "true", NULL };
  int status = -1;

  g_assert_true (capture (fixture, cat, NULL, test_env (), "{\"job\": 1}\nline two",
                          &status, &out, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "{\"job\": 1}\nline two");
  g_clear_pointer (&out, g_free);

  /* No stdin text: /dev/null, so cat ends at once. */
  g_assert_true (capture (fixture, cat, NULL, test_env (), NULL, &status, &out, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);

  /* More than a pipe holds. */
  big = g_strnfill (3 * 1000 * 1000, 'x');
  g_assert_true (capture (fixture, wc, NULL, test_env (), big, &status, &out, &error));
  g_assert_no_error (error);
  g_assert_cmpint (atoi (out), ==, 3 * 1000 * 1000);
  g_clear_pointer (&out, g_free);

  /* A program that never reads its large stdin must not hurt us. */
  g_assert_true (capture (fixture, ignore, NULL, test_env (), big, &status, &out, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
}

static void
test_merged_order (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *joined = NULL;
  int status = -1;

  g_assert_true (sh (fixture,
                     "echo out1; echo err1 >&2; echo out2; printf 'err2' >&2; "
                     "echo; printf 'no newline at the end'",
                     0, &status, &error));
  g_assert_no_error (error);

  g_ptr_array_add (fixture->lines, NULL);
  joined = g_strjoinv ("|", (char **)fixture->lines->pdata);
  g_assert_cmpstr (joined, ==, "out1|err1|out2|err2|no newline at the end");
}

static void
test_capture_streams (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  const char * const argv[] = {
    "sh", "-c", "echo '{\"ok\": true}'; echo 'a warning' >&2; exit 2", NULL
  };
  int status = -1;

  g_assert_true (capture (fixture, argv, NULL, test_env (), NULL, &status, &out, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 2);
  g_assert_cmpstr (out, ==, "{\"ok\": true}\n");
  g_assert_cmpuint (fixture->lines->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->lines, 0), ==, "a warning");
}

static void
test_timeout_kills_group (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  const char * const background[] = { "sleep", "9101", NULL };
  int status = -1;

  g_assert_false (sh (fixture, "sleep 9101 & echo started; sleep 100", 1, &status, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_TIMEOUT);

  /* SIGTERM did it: well before the 5 s grace and the sleeps' 100 s. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4 * G_USEC_PER_SEC);
  g_assert_cmpint (status, ==, 128 + SIGTERM);
  g_assert_cmpuint (count_processes (background), ==, 0);
}

static void
test_timeout_escalates (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  int status = -1;

  /* This one takes the whole 5 s SIGKILL grace; it runs every time all
   * the same, since a command ignoring SIGTERM is exactly what a stuck
   * build looks like. */
  /* Ignores SIGTERM: only SIGKILL, 5 s later, ends it. */
  g_assert_false (sh (fixture, "trap '' TERM; echo ready; while :; do :; done", 1,
                      &status, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_TIMEOUT);
  g_assert_cmpint (status, ==, 128 + SIGKILL);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 5 * G_USEC_PER_SEC);
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  int status = -1;

  fixture->cancel_on = "started";
  g_assert_false (sh (fixture, "sleep 100 & echo started; wait", 0, &status, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4 * G_USEC_PER_SEC);
}

static void
test_cancelled_before (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_cancellable_cancel (fixture->cancellable);
  g_assert_false (sh (fixture, "echo should not run", 0, &status, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CANCELLED);
  g_assert_cmpint (status, ==, -1);
  g_assert_cmpuint (fixture->lines->len, ==, 0);
}

static void
test_large_output (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GStatBuf st;
  int status = -1;

  pw_log_set_limit (fixture->log, 1024 * 1024);

  /* 50 MB in 1,000-byte lines, faster than we log them. */
  g_assert_true (sh (fixture,
                     "yes \"$(printf '%0999d' 0)\" | head -c 50000000", 0, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpuint (fixture->lines->len, ==, 50000);

  pw_log_close (fixture->log);
  g_assert_cmpint (g_stat (fixture->log_path, &st), ==, 0);
  g_assert_cmpint (st.st_size, <, 1024 * 1024 + 4096);
  g_assert_cmpint (st.st_size, >, 1000 * 1000);
}

static void
test_endless_line (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  int status = -1;

  /* 10 MB of NUL bytes and no newline: cut into 64 KiB lines. */
  g_assert_true (sh (fixture, "head -c 10000000 /dev/zero", 0, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->lines->len, ==, (10000000 + 65535) / 65536);
  for (guint i = 0; i < fixture->lines->len; i++)
    g_assert_true (g_utf8_validate (g_ptr_array_index (fixture->lines, i), -1, NULL));
}

static void
test_background_holds_output (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tail = NULL;
  const char * const background[] = { "sleep", "9102", NULL };
  const char * const detached[] = { "sleep", "9103", NULL };
  int status = -1;

  /* The shell exits at once; its background jobs keep the pipe open, one
   * of them in a session of its own. The command ends with its container,
   * which kills them both: the output ends, and a timeout shorter than
   * they would run does not turn it into a failure. */
  g_assert_true (sh (fixture, "sleep 9102 & setsid sleep 9103 & echo started; exit 4", 1,
                     &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 4);

  tail = pw_log_dup_tail (fixture->log, 1);
  g_assert_nonnull (strstr (tail, "Stopped 2 processes the command left running"));
  g_assert_cmpuint (count_processes (background), ==, 0);
  g_assert_cmpuint (count_processes (detached), ==, 0);
}

/* Where the keeper is no namespace's init (PIPEWRIGHT_CONTAINER=subreaper,
 * as for a user without CAP_SYS_ADMIN), a command can kill it: the command
 * dies with it (PR_SET_PDEATHSIG), and what it left, an orphan of the dead
 * keeper, is killed by the zygote. */
static void
test_keeper_killed (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char * const orphan[] = { "sleep", "9105", NULL };
  struct pollfd pfd = { -1, POLLIN, 0 };
  int status = -1;
  gboolean ok;
  pid_t pid;

  g_setenv ("PIPEWRIGHT_CONTAINER", "subreaper", TRUE);
  ok = sh (fixture, "setsid sleep 9105 >/dev/null 2>&1 & echo $!; kill -9 $PPID; "
           "sleep 100", 0, &status, &error);
  g_unsetenv ("PIPEWRIGHT_CONTAINER");
  /* The error first: it says why, where a bare FALSE would not. */
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpint (status, ==, 128 + SIGKILL);

  /* Its pid is ours to see: no namespace. */
  pid = atoi (g_ptr_array_index (fixture->lines, 0));
  g_assert_cmpint (pid, >, 1);
  pfd.fd = syscall (SYS_pidfd_open, pid, 0);
  if (pfd.fd >= 0)
    {
      g_assert_cmpint (poll (&pfd, 1, 30000), ==, 1);
      g_close (pfd.fd, NULL);
    }
  else
    g_assert_cmpint (errno, ==, ESRCH);
  g_assert_cmpuint (count_processes (orphan), ==, 0);
}

/* In a container's PID namespace, /proc is the namespace's: the pids a
 * command sees ($$, $!, `ps`) name the same processes there. */
static void
test_proc_agrees (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_assert_true (sh (fixture, "tr '\\0' ' ' < /proc/$$/cmdline; echo", 0, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpuint (fixture->lines->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (fixture->lines, 0), "sh -c tr "));
}

static void
test_no_log (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char * const argv[] = { "sh", "-c", "echo dropped; exit 7", NULL };
  int status = -1;

  g_clear_object (&fixture->result);
  pw_command_run_async (argv, NULL, NULL, NULL, NULL, 0, NULL, done_cb, fixture);
  g_main_loop_run (fixture->loop);
  g_assert_true (pw_command_run_finish (fixture->result, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 7);
  g_assert_cmpuint (fixture->lines->len, ==, 0);
}

static void
test_parallel_share_log (Fixture       *fixture,
                         gconstpointer  data)
{
  const char * const a[] = { "sh", "-c", "for i in 1 2 3 4 5 6 7 8; do printf 'aaaa'; "
                             "printf 'AAAA\\n'; done", NULL };
  const char * const b[] = { "sh", "-c", "for i in 1 2 3 4 5 6 7 8; do printf 'bbbb'; "
                             "printf 'BBBB\\n'; done", NULL };
  GAsyncResult *results[2] = { NULL, NULL };

  /* Two commands writing to one log never mix halves of lines. Each has
   * its own callback slot: under load both can finish in one main-loop
   * turn, before the loop returns to the test. */
  for (guint i = 0; i < 2; i++)
    pw_command_run_async (i == 0 ? a : b, NULL, test_env (), NULL, fixture->log, 0,
                          NULL, slot_done_cb, &results[i]);
  while (results[0] == NULL || results[1] == NULL)
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_true (pw_command_run_finish (results[i], NULL, NULL));
      g_object_unref (results[i]);
    }

  g_assert_cmpuint (fixture->lines->len, ==, 16);
  for (guint i = 0; i < fixture->lines->len; i++)
    {
      const char *line = g_ptr_array_index (fixture->lines, i);

      g_assert_true (g_str_equal (line, "aaaaAAAA") || g_str_equal (line, "bbbbBBBB"));
    }
}

/* A command printing forever is stopped once the log's output limit is
 * passed, with its own error, like a timeout. */
static void
test_output_limit_stops (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  int status = -1;

  pw_log_set_output_limit (fixture->log, 1024 * 1024);
  g_assert_false (sh (fixture, "yes 'a line of output'", 0, &status, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_OUTPUT_LIMIT);
  g_assert_cmpstr (error->message, ==, "Stopped: the output passed its limit of 1.0\xc2\xa0MiB");
  g_assert_true (pw_log_is_over_output_limit (fixture->log));
  /* Killed by our SIGTERM. */
  g_assert_cmpint (status, ==, 128 + SIGTERM);
}

/* The CLI ignores SIGPIPE; a build must start with every signal at its
 * default, or `yes | head` would never end by SIGPIPE. */
static void
test_default_signals (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  const char * const argv[] = { "grep", "-E", "^Sig(Ign|Blk):", "/proc/self/status", NULL };
  void (*previous) (int) = signal (SIGPIPE, SIG_IGN);
  sigset_t block, old_mask;
  const char *ignored_line;
  guint64 blocked, ignored;
  int status = -1;

  sigemptyset (&block);
  sigaddset (&block, SIGUSR1);
  pthread_sigmask (SIG_BLOCK, &block, &old_mask);

  g_assert_true (capture (fixture, argv, NULL, test_env (), NULL, &status, &out, &error));

  pthread_sigmask (SIG_SETMASK, &old_mask, NULL);
  signal (SIGPIPE, previous);

  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_str_has_prefix (out, "SigBlk:\t"));
  blocked = g_ascii_strtoull (out + strlen ("SigBlk:\t"), NULL, 16);
  ignored_line = strstr (out, "SigIgn:\t");
  g_assert_nonnull (ignored_line);
  ignored = g_ascii_strtoull (ignored_line + strlen ("SigIgn:\t"), NULL, 16);
  /* Bit n-1 stands for signal n. glibc's posix_spawn leaves its own two
   * signals (32 and 33, which glibc programs take back at start) ignored;
   * every standard one is at its default and none is blocked. */
  g_assert_cmphex (blocked, ==, 0);
  g_assert_cmphex (ignored & 0x7fffffff, ==, 0);
  g_assert_cmphex (ignored & (1 << (SIGPIPE - 1)), ==, 0);
}

/* Nothing of ours reaches the command but its stdin, stdout and stderr. */
static void
test_descriptors_closed (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  const char * const argv[] = { "sh", "-c", "ls /proc/$$/fd", NULL };
  int fd = open ("/dev/null", O_RDONLY);
  int status = -1;

  /* Not close-on-exec, as a library might leave one. */
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (dup2 (fd, 57), ==, 57);

  g_assert_true (capture (fixture, argv, NULL, test_env (), NULL, &status, &out, &error));
  g_close (57, NULL);
  g_close (fd, NULL);

  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (out, ==, "0\n1\n2\n");
}

/* The program is looked up in the PATH it gets, not in ours; a relative
 * PATH entry is relative to its working folder. */
static void
test_path_from_env (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *bin = g_build_filename (fixture->dir, "bin", NULL);
  g_autofree char *tool = g_build_filename (bin, "pw-test-tool", NULL);
  g_autofree char *out = NULL;
  const char * const argv[] = { "pw-test-tool", NULL };
  const char * const relative[] = { "PATH=/usr/bin:/bin:bin", NULL };
  int status = -1;

  g_assert_cmpint (g_mkdir (bin, 0755), ==, 0);
  g_file_set_contents (tool, "#!/bin/sh\necho found\n", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (tool, 0755), ==, 0);

  g_assert_true (capture (fixture, argv, fixture->dir, relative, NULL, &status, &out, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "found\n");
  g_clear_pointer (&out, g_free);

  /* Not in test_env's PATH: an error that names it. */
  g_assert_false (capture (fixture, argv, fixture->dir, test_env (), NULL, &status, &out, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "pw-test-tool"));

  g_unlink (tool);
  g_rmdir (bin);
}

/* pw_engine_init() sets TZ for libarchive's sake (see pw-process.c); the
 * processes we start get the environment we were started with. */
static void
test_engine_environment (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) env = NULL;
  const char * const argv[] = { "sh", "-c", "echo \"${TZ-unset}\"", NULL };
  int status = -1;

  /* main() ran pw_engine_init() with TZ unset. */
  g_assert_cmpstr (g_getenv ("TZ"), ==, ":/etc/localtime");
  env = pw_engine_get_environ ();
  g_assert_null (g_environ_getenv (env, "TZ"));
  g_assert_nonnull (g_environ_getenv (env, "PATH"));

  /* No environment given: ours, without TZ. */
  g_assert_true (capture (fixture, argv, NULL, NULL, NULL, &status, &out, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "unset\n");
}

int
main (int   argc,
      char *argv[])
{
  g_unsetenv ("TZ");
  pw_engine_init ();
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/engine/command/exit-status", test_exit_status);
  ADD ("/engine/command/spawn-failure", test_spawn_failure);
  ADD ("/engine/command/environment", test_environment);
  ADD ("/engine/command/cwd", test_cwd);
  ADD ("/engine/command/stdin", test_stdin);
  ADD ("/engine/command/merged-order", test_merged_order);
  ADD ("/engine/command/capture-streams", test_capture_streams);
  ADD ("/engine/command/timeout-kills-group", test_timeout_kills_group);
  ADD ("/engine/command/timeout-escalates", test_timeout_escalates);
  ADD ("/engine/command/cancel", test_cancel);
  ADD ("/engine/command/cancelled-before", test_cancelled_before);
  ADD ("/engine/command/large-output", test_large_output);
  ADD ("/engine/command/endless-line", test_endless_line);
  ADD ("/engine/command/background-holds-output", test_background_holds_output);
  ADD ("/engine/command/proc-agrees", test_proc_agrees);
  ADD ("/engine/command/keeper-killed", test_keeper_killed);
  ADD ("/engine/command/no-log", test_no_log);
  ADD ("/engine/command/parallel-share-log", test_parallel_share_log);
  ADD ("/engine/command/output-limit-stops", test_output_limit_stops);
  ADD ("/engine/command/default-signals", test_default_signals);
  ADD ("/engine/command/descriptors-closed", test_descriptors_closed);
  ADD ("/engine/command/path-from-env", test_path_from_env);
  ADD ("/engine/command/engine-environment", test_engine_environment);

#undef ADD

  return g_test_run ();
}
