/* pw-problems-panel.h
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

#define PW_TYPE_PROBLEMS_PANEL (pw_problems_panel_get_type ())

G_DECLARE_FINAL_TYPE (PwProblemsPanel, pw_problems_panel, PW, PROBLEMS_PANEL, GtkWidget)

GtkWidget *pw_problems_panel_new          (void);
void       pw_problems_panel_set_document (PwProblemsPanel *self,
                                           PwTextDocument  *document);
char      *pw_problems_panel_dup_summary  (PwProblemsPanel *self);
guint      pw_problems_panel_get_n_errors (PwProblemsPanel *self);
gboolean   pw_problems_panel_step         (PwProblemsPanel *self,
                                           int              direction);

G_END_DECLS
