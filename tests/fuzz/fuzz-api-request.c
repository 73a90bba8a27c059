/* fuzz-api-request.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _GNU_SOURCE  /* memmem */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "pw-api-model.h"
#include "pw-sigv4.h"

#include "fuzz-common.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static const char *
secret_for (const char *access_key,
            gpointer    data)
{
  return g_strcmp0 (access_key, "unknown") == 0 ? NULL : "pipewright";
}

/* What `serve` does with a request before any operation sees it: the
 * headers (`Name: value` lines, then an empty line) through SigV4's
 * verification, the X-Amz-Target and the body through the decoding and
 * the model's check. Each refusal must carry the service's error type and
 * a message; a ValidationException must count what it lists. */
int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GHashTable) headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *text = g_strndup ((const char *)data, size);
  g_autofree char *why = NULL;
  g_autofree char *message = NULL;
  g_autoptr(JsonNode) input = NULL;
  const char *body = text;
  const char *operation, *error_type;
  const char *end;
  PwSigv4Request request = { "POST", "/", NULL, headers, NULL, 0 };
  PwSigv4Result result;

  /* The headers, up to the first empty line; the body is the rest, bytes
   * as they came (NULs included). */
  end = memmem (data, size, "\n\n", 2);
  if (end != NULL)
    {
      g_autofree char *head = g_strndup ((const char *)data, end - (const char *)data);
      g_auto(GStrv) lines = g_strsplit (head, "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        {
          char *colon = strchr (lines[i], ':');

          if (colon == NULL)
            continue;
          *colon = '\0';
          g_hash_table_insert (headers, g_ascii_strdown (lines[i], -1), g_strdup (g_strstrip (colon + 1)));
        }
      body = (const char *)end + 2;
    }
  request.body = (const guint8 *)body;
  request.body_length = size - (body - (const char *)data);

  result = pw_sigv4_verify (&request, "us-east-1", "codepipeline", 1796644800, secret_for, NULL, &why);
  FUZZ_CHECK (result <= PW_SIGV4_UNKNOWN_KEY, "unknown result %d", result);
  FUZZ_CHECK (result == PW_SIGV4_OK || why != NULL, "refused (%d) without a message", result);

  input = pw_api_decode_request (g_hash_table_lookup (headers, "x-amz-target"), body, request.body_length,
                                 &operation, &error_type, &message);
  if (input == NULL)
    {
      FUZZ_CHECK (error_type != NULL && message != NULL, "refused without an error");
      if (g_str_equal (error_type, "ValidationException"))
        {
          guint64 n = g_ascii_strtoull (message, NULL, 10);

          FUZZ_CHECK (n > 0 && strstr (message, " detected: ") != NULL, "%s", message);
        }
      return 0;
    }
  FUZZ_CHECK (JSON_NODE_HOLDS_OBJECT (input), "an input that is no object");
  FUZZ_CHECK (operation != NULL && pw_api_model_has_operation (operation), "no operation");
  FUZZ_CHECK (error_type == NULL && message == NULL, "accepted with an error");
  return 0;
}
