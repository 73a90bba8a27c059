/* pw-export-dialog.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pw-text-document.h"

G_BEGIN_DECLS

#define PW_TYPE_EXPORT_DIALOG (pw_export_dialog_get_type ())

G_DECLARE_FINAL_TYPE (PwExportDialog, pw_export_dialog, PW, EXPORT_DIALOG, AdwWindow)

GtkWindow  *pw_export_dialog_new         (GtkWindow      *parent,
                                          PwTextDocument *document,
                                          GSettings      *settings);
const char *pw_export_dialog_get_text    (PwExportDialog *self);
void        pw_export_dialog_set_format  (PwExportDialog *self,
                                          PwOutputFormat  format);
void        pw_export_dialog_save_to     (PwExportDialog *self,
                                          GFile          *file);

G_END_DECLS
