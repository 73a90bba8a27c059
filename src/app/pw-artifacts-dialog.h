/* pw-artifacts-dialog.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <pw-core.h>

G_BEGIN_DECLS

#define PW_TYPE_ARTIFACTS_DIALOG (pw_artifacts_dialog_get_type ())

G_DECLARE_FINAL_TYPE (PwArtifactsDialog, pw_artifacts_dialog, PW, ARTIFACTS_DIALOG, AdwWindow)

GtkWindow  *pw_artifacts_dialog_new      (GtkWindow         *parent,
                                          PwPipeline        *pipeline);
GListModel *pw_artifacts_dialog_get_rows (PwArtifactsDialog *self);

G_END_DECLS
