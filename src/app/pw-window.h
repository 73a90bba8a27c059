/* pw-window.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pw-application.h"
#include "pw-run-controller.h"
#include "pw-text-document.h"
#include "pw-types.h"

G_BEGIN_DECLS

#define PW_TYPE_WINDOW (pw_window_get_type ())

G_DECLARE_FINAL_TYPE (PwWindow, pw_window, PW, WINDOW, AdwApplicationWindow)

PwWindow       *pw_window_new              (PwApplication  *application);
gboolean        pw_window_is_empty         (PwWindow       *self);
GFile          *pw_window_get_file         (PwWindow       *self);
PwTextDocument *pw_window_get_document     (PwWindow       *self);
void            pw_window_load_file        (PwWindow       *self,
                                            GFile          *file);
void            pw_window_present_loaded   (PwWindow       *self);
void            pw_window_new_from_text    (PwWindow       *self,
                                            const char     *text,
                                            const char     *display_name);
gboolean        pw_window_new_from_template (PwWindow      *self,
                                             const char    *template_id);
PwCanvas       *pw_window_get_canvas       (PwWindow       *self);
PwInspector    *pw_window_get_inspector    (PwWindow       *self);
PwRunController *pw_window_get_runs        (PwWindow       *self);
PwCodeView     *pw_window_get_code_view    (PwWindow       *self);
PwProblemsPanel *pw_window_get_problems    (PwWindow       *self);
PwPalette      *pw_window_get_palette      (PwWindow       *self);
void            pw_window_add_toast        (PwWindow       *self,
                                            const char     *message);

G_END_DECLS
