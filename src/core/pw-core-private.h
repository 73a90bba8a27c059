/* pw-core-private.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pw-core.h"

G_BEGIN_DECLS

JsonNode   *_pw_json_deep_copy        (JsonNode    *node);
gboolean    _pw_json_equal            (JsonNode    *a,
                                       JsonNode    *b);
const char *_pw_json_type_name        (JsonNode    *node);
char       *_pw_json_scalar_to_string (JsonNode    *node);
JsonNode   *_pw_json_new_string       (const char  *value);
JsonNode   *_pw_json_new_int          (gint64       value);

void        _pw_pipeline_attach_stages (PwPipeline *self);
void        _pw_stage_attach_actions   (PwStage    *self);

G_END_DECLS

G_BEGIN_DECLS
PwPipeline *_pw_cfn_pipeline_new_located (JsonNode     *template_root,
                                          const char   *logical_id,
                                          PwSourceMap  *map,
                                          GError      **error);
JsonObject *_pw_pipeline_get_document_extras (PwPipeline *self);
G_END_DECLS

G_BEGIN_DECLS
JsonNode   *_pw_json_new_object       (void);
JsonNode   *_pw_json_new_array        (void);
G_END_DECLS
