/* pw-serve-main.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* pipewright-serve: `pipewright-cli serve`, as a program of its own. It
 * alone links libsoup (and what libsoup brings: about thirty libraries,
 * ICU and Kerberos among them), so the other commands start without
 * loading them; `pipewright-cli serve` runs it. */

#include "config.h"

#include <locale.h>
#include <signal.h>

#include <glib/gi18n.h>
#include <pw-engine.h>

#include "pw-cli-private.h"

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  signal (SIGPIPE, SIG_IGN);
  pw_engine_init ();
  g_set_prgname ("pipewright-cli serve");

  return pw_cli_serve (argc, argv);
}
