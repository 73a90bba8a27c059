/* pw-log-view.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "pw-log-model.h"

G_BEGIN_DECLS

/**
 * PwLogView:
 *
 * An action's log, drawn a line at a time: only the lines in view are laid
 * out, each once, so following a build that prints as fast as it can costs
 * a frame the few lines it shows, whatever the log's size. Lines have the
 * time in a column, ANSI colours, CodeBuild's phases as headers that fold
 * (a click, or Enter), failing lines marked, the search's matches
 * highlighted; lines are selected with the pointer or the keyboard and
 * copied. It follows the end of the log while the reader is there.
 */
#define PW_TYPE_LOG_VIEW (pw_log_view_get_type ())
G_DECLARE_FINAL_TYPE (PwLogView, pw_log_view, PW, LOG_VIEW, GtkWidget)

GtkWidget   *pw_log_view_new            (void);
void         pw_log_view_set_model      (PwLogView  *self,
                                         PwLogModel *model);
PwLogModel  *pw_log_view_get_model      (PwLogView  *self);
guint        pw_log_view_get_cursor     (PwLogView  *self);
void         pw_log_view_set_cursor     (PwLogView  *self,
                                         guint       position);
void         pw_log_view_scroll_to      (PwLogView  *self,
                                         guint       position);
void         pw_log_view_set_highlight  (PwLogView  *self,
                                         const char *needle);
void         pw_log_view_select         (PwLogView  *self,
                                         guint       first,
                                         guint       last);
char        *pw_log_view_dup_selected_text (PwLogView *self);
gboolean     pw_log_view_get_following  (PwLogView  *self);
void         pw_log_view_get_shown_range (PwLogView *self,
                                         guint      *first,
                                         guint      *last);
PangoLayout *pw_log_view_get_line_layout (PwLogView *self,
                                         guint      position);

G_END_DECLS
