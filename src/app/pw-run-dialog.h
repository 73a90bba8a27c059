/* pw-run-dialog.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pw-run-controller.h"

G_BEGIN_DECLS

#define PW_TYPE_RUN_DIALOG (pw_run_dialog_get_type ())

G_DECLARE_FINAL_TYPE (PwRunDialog, pw_run_dialog, PW, RUN_DIALOG, AdwWindow)

PwRunDialog  *pw_run_dialog_new          (GtkWindow       *parent,
                                          PwRunController *runs);
PwRunOptions *pw_run_dialog_dup_options  (PwRunDialog     *self);
GtkEditable  *pw_run_dialog_get_entry    (PwRunDialog     *self,
                                          const char      *name);
AdwComboRow  *pw_run_dialog_get_stage_row (PwRunDialog    *self);
GtkSwitch    *pw_run_dialog_get_ask_switch (PwRunDialog   *self);
void          pw_run_dialog_run          (PwRunDialog     *self);

G_END_DECLS
