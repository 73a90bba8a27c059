/* pw-history.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "pw-types.h"

G_BEGIN_DECLS

#define PW_TYPE_HISTORY (pw_history_get_type ())

G_DECLARE_FINAL_TYPE (PwHistory, pw_history, PW, HISTORY, GObject)

PwHistory  *pw_history_new             (GtkTextBuffer *buffer);
void        pw_history_begin_labelled  (PwHistory     *self,
                                        const char    *label);
void        pw_history_end_labelled    (PwHistory     *self);
gboolean    pw_history_get_can_undo    (PwHistory     *self);
gboolean    pw_history_get_can_redo    (PwHistory     *self);
const char *pw_history_get_undo_label  (PwHistory     *self);
const char *pw_history_get_redo_label  (PwHistory     *self);
gboolean    pw_history_undo            (PwHistory     *self);
gboolean    pw_history_redo            (PwHistory     *self);
void        pw_history_mark_saved      (PwHistory     *self);
void        pw_history_clear           (PwHistory     *self);
void        pw_history_break_group     (PwHistory     *self);
void        pw_history_pause           (PwHistory     *self);
void        pw_history_resume          (PwHistory     *self);

G_END_DECLS
