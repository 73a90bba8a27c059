/* pw-stage-header.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <pw-core.h>

G_BEGIN_DECLS

#define PW_TYPE_STAGE_HEADER (pw_stage_header_get_type ())

G_DECLARE_FINAL_TYPE (PwStageHeader, pw_stage_header, PW, STAGE_HEADER, GtkWidget)

GtkWidget  *pw_stage_header_new          (void);
PwStage    *pw_stage_header_get_stage    (PwStageHeader *self);
void        pw_stage_header_set_stage    (PwStageHeader *self,
                                          PwStage       *stage,
                                          guint          index,
                                          guint          n_stages,
                                          guint          n_groups);
void        pw_stage_header_set_findings (PwStageHeader *self,
                                          guint          count,
                                          PwSeverity     worst);
const char *pw_stage_header_get_title    (PwStageHeader *self);

void        pw_stage_header_set_run      (PwStageHeader *self,
                                          const char    *status,
                                          const char    *text);
const char *pw_stage_header_get_run_text (PwStageHeader *self);

G_END_DECLS
