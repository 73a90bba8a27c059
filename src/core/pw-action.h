/* pw-action.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_CORE_INSIDE) && !defined (PW_CORE_COMPILATION)
# error "Only <pw-core.h> can be included directly."
#endif

#include "pw-element.h"

G_BEGIN_DECLS

#define PW_TYPE_ACTION (pw_action_get_type ())

G_DECLARE_FINAL_TYPE (PwAction, pw_action, PW, ACTION, PwElement)

PwAction    *pw_action_new                  (const char  *name);
PwAction    *pw_action_new_from_declaration (JsonNode    *declaration);
const char  *pw_action_get_name             (PwAction    *self);
void         pw_action_set_name             (PwAction    *self,
                                             const char  *name);
const char  *pw_action_get_category         (PwAction    *self);
const char  *pw_action_get_owner            (PwAction    *self);
const char  *pw_action_get_provider         (PwAction    *self);
const char  *pw_action_get_version          (PwAction    *self);
void         pw_action_set_type_id          (PwAction    *self,
                                             const char  *category,
                                             const char  *owner,
                                             const char  *provider,
                                             const char  *version);
gint64       pw_action_get_run_order        (PwAction    *self);
void         pw_action_set_run_order        (PwAction    *self,
                                             gint64       run_order);
const char  *pw_action_get_namespace        (PwAction    *self);
const char  *pw_action_get_region           (PwAction    *self);
JsonObject  *pw_action_get_configuration    (PwAction    *self);
const char  *pw_action_get_configuration_string (PwAction   *self,
                                                 const char *key);
void         pw_action_set_configuration_string (PwAction   *self,
                                                 const char *key,
                                                 const char *value);
GStrv        pw_action_dup_input_artifacts  (PwAction    *self);
GStrv        pw_action_dup_output_artifacts (PwAction    *self);
guint        pw_action_get_n_input_artifacts  (PwAction  *self);
guint        pw_action_get_n_output_artifacts (PwAction  *self);
const char  *pw_action_get_input_artifact   (PwAction    *self,
                                             guint        index);
const char  *pw_action_get_output_artifact  (PwAction    *self,
                                             guint        index);

G_END_DECLS
