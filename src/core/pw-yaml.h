/* pw-yaml.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_CORE_INSIDE) && !defined (PW_CORE_COMPILATION)
# error "Only <pw-core.h> can be included directly."
#endif

#include "pw-source-map.h"

G_BEGIN_DECLS

/**
 * PwYamlParseFlags:
 * @PW_YAML_PARSE_NONE: plain YAML 1.1 data
 * @PW_YAML_PARSE_CFN_TAGS: turn CloudFormation short-form tags (`!Ref x`,
 *   `!Sub`, `!GetAtt a.b`, …) into their long JSON forms (`{"Ref": "x"}`,
 *   `{"Fn::GetAtt": ["a", "b"]}`); without it an unknown tag is an error.
 */
typedef enum
{
  PW_YAML_PARSE_NONE     = 0,
  PW_YAML_PARSE_CFN_TAGS = 1 << 0,
} PwYamlParseFlags;

/**
 * PwYamlEmitFlags:
 * @PW_YAML_EMIT_NONE: plain YAML
 * @PW_YAML_EMIT_CFN_SHORT_TAGS: write one-key intrinsic objects (`Ref`,
 *   `Fn::Sub`, …) in CloudFormation's short form (`!Ref x`).
 */
typedef enum
{
  PW_YAML_EMIT_NONE            = 0,
  PW_YAML_EMIT_CFN_SHORT_TAGS  = 1 << 0,
} PwYamlEmitFlags;

JsonNode *pw_yaml_parse (const char        *data,
                         gssize             length,
                         PwSourceMap       *map,
                         PwYamlParseFlags   flags,
                         GError           **error);
gboolean  pw_yaml_find_comment (const char *data,
                                gssize      length,
                                guint      *line);
char     *pw_yaml_emit  (JsonNode          *root,
                         PwYamlEmitFlags    flags,
                         GError           **error);

G_END_DECLS
