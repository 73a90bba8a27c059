/* pw-process.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-process"

#include "config.h"

#include <stdlib.h>

#include "pw-engine.h"

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
