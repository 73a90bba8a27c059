/* pw-cfn.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_CORE_INSIDE) && !defined (PW_CORE_COMPILATION)
# error "Only <pw-core.h> can be included directly."
#endif

#include "pw-diagnostic.h"
#include "pw-pipeline.h"

G_BEGIN_DECLS

gboolean    pw_cfn_is_intrinsic     (JsonNode    *node);
char       *pw_format_value         (JsonNode    *node);
char       *pw_format_intrinsic     (JsonNode    *node);
PwPipeline *pw_cfn_pipeline_new     (JsonNode    *template_root,
                                     const char  *logical_id,
                                     GError     **error);
GStrv       pw_cfn_dup_pipeline_ids (JsonNode    *template_root);
JsonNode   *pw_cfn_export           (PwPipeline  *pipeline,
                                     GPtrArray   *notes);

G_END_DECLS
