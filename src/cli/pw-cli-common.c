/* pw-cli-common.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* What every pipewright-cli command shares with the `serve` helper
 * (pipewright-net, a program of its own so that the other commands do
 * not load libsoup and what it brings): options, errors, colour. */

#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "pw-cli-private.h"

gboolean
pw_cli_use_color (FILE *stream)
{
  const char *no_color = g_getenv ("NO_COLOR");

  return (no_color == NULL || no_color[0] == '\0') && isatty (fileno (stream));
}

void
pw_cli_print_error (const char *format,
                    ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (pw_cli_use_color (stderr))
    fprintf (stderr, "pipewright-cli: \033[1;31merror:\033[0m %s\n", message);
  else
    fprintf (stderr, "pipewright-cli: error: %s\n", message);
}

GOptionContext *
pw_cli_new_context (const char   *parameters,
                    const char   *summary,
                    GOptionEntry *entries)
{
  GOptionContext *context = g_option_context_new (parameters);

  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  return context;
}

gboolean
pw_cli_parse_args (GOptionContext *context,
                   int            *argc,
                   char         ***argv)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      pw_cli_print_error ("%s (see --help)", error->message);
      return FALSE;
    }

  return TRUE;
}
