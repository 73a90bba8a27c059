/* pw-net-main.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* pipewright-net: the commands that speak to the network (`serve`,
 * `push`, `pull`, and for the executor `lambda-invoke` and
 * `deliver-events`), as a program of their own. It alone links libsoup (and
 * what libsoup brings: about fifteen more libraries, ICU and Kerberos
 * among them), so the other commands start without loading them;
 * pipewright-cli runs it as `pipewright-net COMMAND ARGS…`. */

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

  if (argc >= 2)
    {
      static const struct {
        const char *name;
        int       (*run) (int argc, char **argv);
      } commands[] = {
        { "serve", pw_cli_serve },
        { "push", pw_cli_push },
        { "pull", pw_cli_pull },
        { "lambda-invoke", pw_net_lambda_invoke },
        { "deliver-events", pw_net_deliver_events },
      };

      for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
        if (g_str_equal (argv[1], commands[i].name))
          {
            g_autofree char *prgname = g_strdup_printf ("pipewright-cli %s", commands[i].name);

            g_set_prgname (prgname);
            return commands[i].run (argc - 1, argv + 1);
          }
    }
  pw_cli_print_error (_("pipewright-net runs serve, push or pull for pipewright-cli, and lambda-invoke and deliver-events for the executor"));
  return EXIT_USAGE;
}
