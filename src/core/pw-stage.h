/* pw-stage.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_CORE_INSIDE) && !defined (PW_CORE_COMPILATION)
# error "Only <pw-core.h> can be included directly."
#endif

#include "pw-action.h"
#include "pw-element.h"

G_BEGIN_DECLS

#define PW_TYPE_STAGE (pw_stage_get_type ())

G_DECLARE_FINAL_TYPE (PwStage, pw_stage, PW, STAGE, PwElement)

PwStage    *pw_stage_new                  (const char *name);
PwStage    *pw_stage_new_from_declaration (JsonNode   *declaration);
const char *pw_stage_get_name             (PwStage    *self);
void        pw_stage_set_name             (PwStage    *self,
                                           const char *name);
guint       pw_stage_get_n_actions        (PwStage    *self);
PwAction   *pw_stage_get_action           (PwStage    *self,
                                           guint       index);
PwAction   *pw_stage_find_action          (PwStage    *self,
                                           const char *name);
void        pw_stage_insert_action        (PwStage    *self,
                                           guint       position,
                                           PwAction   *action);
void        pw_stage_remove_action        (PwStage    *self,
                                           guint       position);
GArray     *pw_stage_dup_run_orders       (PwStage    *self);

G_END_DECLS
