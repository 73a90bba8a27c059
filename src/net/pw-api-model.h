/* pw-api-model.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* What an operation's input breaks, as the service says it. */
typedef enum
{
  PW_API_INPUT_OK,
  PW_API_INPUT_INVALID,       /* ValidationException: a constraint */
  PW_API_INPUT_MALFORMED,     /* SerializationException: a wrong type */
} PwApiInputCheck;

#define PW_API_TARGET_PREFIX "CodePipeline_20150709."

gboolean        pw_api_model_has_operation (const char  *operation);
JsonNode       *pw_api_decode_request      (const char  *target,
                                            const char  *body,
                                            gsize        length,
                                            const char **operation,
                                            const char **error_type,
                                            char       **message);
PwApiInputCheck pw_api_model_check_input   (const char  *operation,
                                            JsonObject  *input,
                                            char       **message);

G_END_DECLS
