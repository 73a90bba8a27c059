/* pw-code-view.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtksourceview/gtksource.h>

#include "pw-text-document.h"
#include "pw-types.h"

G_BEGIN_DECLS

#define PW_TYPE_CODE_VIEW (pw_code_view_get_type ())

G_DECLARE_FINAL_TYPE (PwCodeView, pw_code_view, PW, CODE_VIEW, GtkWidget)

GtkWidget      *pw_code_view_new          (void);
GtkSourceView  *pw_code_view_get_view     (PwCodeView     *self);
void            pw_code_view_set_document (PwCodeView     *self,
                                           PwTextDocument *document);
void            pw_code_view_select_path  (PwCodeView     *self,
                                           const char     *path);
void            pw_code_view_goto         (PwCodeView     *self,
                                           guint           line,
                                           guint           column);

G_END_DECLS
