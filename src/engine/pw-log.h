/* pw-log.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_ENGINE_INSIDE) && !defined (PW_ENGINE_COMPILATION)
# error "Only <pw-engine.h> can be included directly."
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

#define PW_TYPE_LOG (pw_log_get_type ())

G_DECLARE_FINAL_TYPE (PwLog, pw_log, PW, LOG, GObject)

/**
 * PwLog:
 *
 * One action execution's log: a file of lines, each prefixed with an
 * ISO-8601 UTC timestamp (`2026-11-22T10:15:30.123Z `), written as they
 * come (line-buffered, so a killed run keeps everything written so far).
 * Every registered secret is replaced by `***` before it reaches the file
 * or a listener. A log larger than its limit (default 64 MiB) keeps the
 * first and the last part and says how much it dropped, so a runaway build
 * cannot fill the disk.
 *
 * Signal `line` (const char *text, already masked) lets a UI or the CLI
 * follow it live.
 */
PwLog     *pw_log_new          (const char  *path,
                                GError     **error);
const char *pw_log_get_path    (PwLog       *self);
void       pw_log_add_secret   (PwLog       *self,
                                const char  *secret);
void       pw_log_set_limit    (PwLog       *self,
                                guint64      max_bytes);
void       pw_log_set_output_limit     (PwLog   *self,
                                        guint64  max_bytes);
guint64    pw_log_get_output_limit     (PwLog   *self);
gboolean   pw_log_is_over_output_limit (PwLog   *self);
/* Appends text (may hold several lines; a partial last line is kept until
 * its newline or pw_log_close). */
void       pw_log_write        (PwLog       *self,
                                const char  *text,
                                gssize       length);
void       pw_log_printf       (PwLog       *self,
                                const char  *format,
                                ...) G_GNUC_PRINTF (2, 3);
char      *pw_log_mask         (PwLog       *self,
                                const char  *text);
/* The last @n_lines lines written (masked), for failure summaries. */
char      *pw_log_dup_tail     (PwLog       *self,
                                guint        n_lines);
void       pw_log_close        (PwLog       *self);

G_END_DECLS
