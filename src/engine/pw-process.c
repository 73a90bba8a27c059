/* pw-process.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-process"

#include "config.h"

#include <stdlib.h>
#include <unistd.h>

#include "pw-engine-private.h"

/* Whether pw_engine_init() set TZ, which then stays out of the
 * environment of everything we start. */
static gboolean tz_added;

/**
 * pw_engine_init:
 *
 * Prepares the process for running pipelines. Call it first thing in
 * main(), before any thread starts: it changes the environment.
 *
 * Without TZ, glibc's mktime() stats /etc/localtime on every call to see
 * whether it changed, and libarchive calls mktime() for every entry it
 * reads from a zip (entry times are local DOS times). Naming the same
 * file in TZ gives the same times with one read, which takes ~20% off
 * extracting a source of a hundred small files into each action's
 * folder. Builds still see the environment we were started with.
 */
void
pw_engine_init (void)
{
  if (g_getenv ("TZ") == NULL)
    tz_added = g_setenv ("TZ", ":/etc/localtime", FALSE);

  /* Whatever starts next, secrets a killed run left behind go first. */
  _pw_session_base_dir ();
}

/**
 * pw_engine_get_environ:
 *
 * Like g_get_environ(), the environment we were started with: what
 * pw_engine_init() added is not in it.
 *
 * Returns: (transfer full): the environment for the processes we start
 */
char **
pw_engine_get_environ (void)
{
  char **env = g_get_environ ();

  if (tz_added)
    env = g_environ_unsetenv (env, "TZ");

  return env;
}

/* The shell session's files (runner, env.sh with the build's secrets,
 * vars.sh, one file per command) live in memory when the system has a
 * tmpfs for it: secrets never reach the disk, and the files made and
 * removed for every command cost no inode churn on the disk (on ext4
 * without a journal, inodes freed in the last minute slow down every
 * creation in their block group: 1x100 `true` actions took 0.32-0.40 s
 * with these files beside the work folder, 0.24-0.27 s in /dev/shm).
 *
 * Folders are named after the runner's pid. The keeper of a build's
 * container removes its session when the runner dies; if the keeper was
 * killed too, the next start of anything (pw_engine_init(), every
 * pipewright-cli command, or a new executor) removes the sessions of
 * runners that are gone. */
const char *
_pw_session_base_dir (void)
{
  static gsize initialized;
  static const char *base;

  if (g_once_init_enter (&initialized))
    {
      const char *candidates[] = { g_getenv ("XDG_RUNTIME_DIR"), "/dev/shm" };

      for (guint i = 0; i < G_N_ELEMENTS (candidates) && base == NULL; i++)
        {
          if (candidates[i] != NULL && g_path_is_absolute (candidates[i]) &&
              g_file_test (candidates[i], G_FILE_TEST_IS_DIR) && access (candidates[i], W_OK) == 0)
            base = g_intern_string (candidates[i]);
        }

      /* Sessions left by runs that were killed. */
      if (base != NULL)
        {
          g_autoptr(GDir) dir = g_dir_open (base, 0, NULL);
          const char *name;

          while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
            {
              gint64 pid;

              if (!g_str_has_prefix (name, PW_SESSION_PREFIX))
                continue;
              pid = g_ascii_strtoll (name + strlen (PW_SESSION_PREFIX), NULL, 10);
              if (pid > 0 && pid != getpid () && !_pw_state_pid_alive (pid))
                {
                  g_autofree char *path = g_build_filename (base, name, NULL);

                  _pw_state_remove_tree (path);
                }
            }
        }

      g_once_init_leave (&initialized, 1);
    }

  return base;
}
