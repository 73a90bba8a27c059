/* pw-log-model.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  PW_LOG_LINE_TEXT,
  PW_LOG_LINE_PHASE,      /* "Entering phase BUILD": a phase's header */
  PW_LOG_LINE_FAILURE,    /* a command or the action failing */
} PwLogLineKind;

#define PW_TYPE_LOG_LINE (pw_log_line_get_type ())
G_DECLARE_FINAL_TYPE (PwLogLine, pw_log_line, PW, LOG_LINE, GObject)

guint          pw_log_line_get_number    (PwLogLine *self);
const char    *pw_log_line_get_time      (PwLogLine *self);
const char    *pw_log_line_get_text      (PwLogLine *self);
PwLogLineKind  pw_log_line_get_kind      (PwLogLine *self);
int            pw_log_line_get_phase     (PwLogLine *self);

/**
 * PwLogModel:
 *
 * An action's log as a list of lines, read from its file without holding
 * it as one text (a 64 MiB log is an index of line starts over a mapped
 * file; a line's object is made when a row shows it), following the file
 * as the action writes it. CodeBuild's phases are found as the lines come:
 * each has its name, state and duration, and its lines can be folded.
 */
#define PW_TYPE_LOG_MODEL (pw_log_model_get_type ())
G_DECLARE_FINAL_TYPE (PwLogModel, pw_log_model, PW, LOG_MODEL, GObject)

PwLogModel  *pw_log_model_new              (const char  *path);
const char  *pw_log_model_get_path        (PwLogModel  *self);
void         pw_log_model_refresh         (PwLogModel  *self);
guint        pw_log_model_get_n_phases    (PwLogModel  *self);
const char  *pw_log_model_get_phase_name  (PwLogModel  *self,
                                           guint        phase);
const char  *pw_log_model_get_phase_state (PwLogModel  *self,
                                           guint        phase);
double       pw_log_model_get_phase_seconds (PwLogModel *self,
                                           guint        phase);
gboolean     pw_log_model_get_phase_folded (PwLogModel *self,
                                           guint        phase);
void         pw_log_model_set_phase_folded (PwLogModel *self,
                                           guint        phase,
                                           gboolean     folded);
int          pw_log_model_find            (PwLogModel  *self,
                                           const char  *needle,
                                           guint        from,
                                           gboolean     backwards);
char        *pw_log_model_dup_text        (PwLogModel  *self);
GListModel  *pw_log_model_get_visible     (PwLogModel  *self);
guint        pw_log_model_visible_position (PwLogModel *self,
                                           guint        line);
guint        pw_log_model_visible_line    (PwLogModel  *self,
                                           guint        position);

G_END_DECLS
