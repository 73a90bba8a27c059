/* pw-inspector.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "pw-text-document.h"
#include "pw-types.h"

G_BEGIN_DECLS

#define PW_TYPE_INSPECTOR (pw_inspector_get_type ())

G_DECLARE_FINAL_TYPE (PwInspector, pw_inspector, PW, INSPECTOR, GtkWidget)

GtkWidget  *pw_inspector_new            (void);
void        pw_inspector_set_document   (PwInspector    *self,
                                         PwTextDocument *document);
const char *pw_inspector_get_selection  (PwInspector    *self);
void        pw_inspector_set_selection  (PwInspector    *self,
                                         const char     *path);
GtkWidget  *pw_inspector_find_row       (PwInspector    *self,
                                         const char     *path);
gboolean    pw_inspector_commit_row     (PwInspector    *self,
                                         const char     *path,
                                         const char     *text);

G_END_DECLS
