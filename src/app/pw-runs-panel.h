/* pw-runs-panel.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "pw-log-model.h"
#include "pw-log-view.h"
#include "pw-run-controller.h"

G_BEGIN_DECLS

#define PW_TYPE_RUNS_PANEL (pw_runs_panel_get_type ())

G_DECLARE_FINAL_TYPE (PwRunsPanel, pw_runs_panel, PW, RUNS_PANEL, GtkWidget)

void         pw_runs_panel_set_controller (PwRunsPanel      *self,
                                           PwRunController  *runs);
void         pw_runs_panel_show_action    (PwRunsPanel      *self,
                                           const char       *stage_name,
                                           const char       *action_name);
GtkColumnView *pw_runs_panel_get_history  (PwRunsPanel      *self);
PwLogModel  *pw_runs_panel_get_log        (PwRunsPanel      *self);
PwLogView   *pw_runs_panel_get_log_view   (PwRunsPanel      *self);
GtkStack    *pw_runs_panel_get_pages      (PwRunsPanel      *self);
GtkListBox  *pw_runs_panel_get_page_list  (PwRunsPanel      *self,
                                           const char       *page);
const char  *pw_runs_panel_get_log_title  (PwRunsPanel      *self);
void         pw_runs_panel_extract_artifact (PwRunsPanel    *self,
                                             const char     *zip,
                                             const char     *dir);
gboolean     pw_runs_panel_search         (PwRunsPanel      *self,
                                           const char       *text,
                                           gboolean          backwards);

G_END_DECLS
