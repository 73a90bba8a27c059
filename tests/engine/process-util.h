/* process-util.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

/* How many live processes have exactly @argv as their command line,
 * found by walking /proc: pids a command prints may be those of its PID
 * namespace, so only what it runs names it. Zombies (no command line)
 * do not count. */
static inline guint
count_processes (const char * const *argv)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  g_autoptr(GByteArray) wanted = g_byte_array_new ();
  const char *name;
  guint count = 0;

  for (guint i = 0; argv[i] != NULL; i++)
    g_byte_array_append (wanted, (const guint8 *)argv[i], strlen (argv[i]) + 1);

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_strdup_printf ("/proc/%s/cmdline", name);
      if (g_file_get_contents (path, &contents, &length, NULL) && length == wanted->len &&
          memcmp (contents, wanted->data, length) == 0)
        count++;
    }

  return count;
}
