/* pw-event-pattern.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_ENGINE_INSIDE) && !defined (PW_ENGINE_COMPILATION)
# error "Only <pw-engine.h> can be included directly."
#endif

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

gboolean pw_event_pattern_check   (JsonNode  *pattern,
                                   char     **message);
gboolean pw_event_pattern_matches (JsonNode  *pattern,
                                   JsonNode  *event);

G_END_DECLS
