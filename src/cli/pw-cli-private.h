/* pw-cli-private.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <stdio.h>

#include <pw-core.h>

G_BEGIN_DECLS

enum {
  EXIT_OK = 0,
  EXIT_FINDINGS = 1,
  EXIT_USAGE = 2,
};

GOptionContext *pw_cli_new_context (const char     *parameters,
                                    const char     *summary,
                                    GOptionEntry   *entries);
gboolean        pw_cli_parse_args  (GOptionContext *context,
                                    int            *argc,
                                    char         ***argv);

void      pw_cli_print_error  (const char *format,
                               ...) G_GNUC_PRINTF (1, 2);
gboolean  pw_cli_use_color    (FILE       *stream);
char     *pw_cli_escape       (const char *text,
                               gssize      length);
char     *pw_cli_log_line     (const char *line,
                               gssize      length);
char     *pw_cli_first_line   (const char *text);
char     *pw_cli_report_line  (JsonNode   *report);
void      pw_cli_print_report_failures (FILE       *stream,
                                        JsonNode   *report,
                                        const char *indent,
                                        guint       max);
void      pw_cli_print_load_error (const char *path,
                                   const char *contents,
                                   gsize       length,
                                   GError     *error);

int pw_cli_run       (int argc, char **argv);
int pw_cli_status    (int argc, char **argv);
int pw_cli_history   (int argc, char **argv);
int pw_cli_logs      (int argc, char **argv);
int pw_cli_approve   (int argc, char **argv);
int pw_cli_reject    (int argc, char **argv);
int pw_cli_stop      (int argc, char **argv);
int pw_cli_retry     (int argc, char **argv);
int pw_cli_rollback  (int argc, char **argv);
int pw_cli_artifacts (int argc, char **argv);
int pw_cli_reports   (int argc, char **argv);
int pw_cli_serve     (int argc, char **argv);
int pw_cli_push      (int argc, char **argv);
int pw_cli_pull      (int argc, char **argv);
int pw_net_lambda_invoke (int argc, char **argv);
int pw_net_deliver_events (int argc, char **argv);
int pw_cli_watch     (int argc, char **argv);

G_END_DECLS
