/* pw-json.h
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

JsonNode *pw_json_parse (const char   *data,
                         gssize        length,
                         PwSourceMap  *map,
                         GError      **error);
char     *pw_json_emit  (JsonNode     *root);

G_END_DECLS
