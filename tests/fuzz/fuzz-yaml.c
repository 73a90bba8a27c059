/* fuzz-yaml.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>

#include "pw-json.h"
#include "pw-yaml.h"

#include "fuzz-common.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* Reads the input with and without CloudFormation tags; whatever reads must
 * write back, as YAML (both tag styles) and JSON, and read back the same. */
static void
check_yaml (const uint8_t    *data,
            size_t            size,
            PwYamlParseFlags  parse_flags,
            PwYamlEmitFlags   emit_flags)
{
  g_autoptr(PwSourceMap) map = pw_source_map_new ("fuzz.yaml", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) back = NULL;
  g_autofree char *yaml = NULL;
  g_autofree char *json = NULL;

  root = pw_yaml_parse ((const char *)data, size, map, parse_flags, &error);
  if (root == NULL)
    {
      FUZZ_CHECK (error != NULL && g_str_has_prefix (error->message, "fuzz.yaml:"),
                  "%s", error != NULL ? error->message : "(no error)");
      return;
    }
  FUZZ_CHECK (error == NULL, "%s", error->message);

  yaml = pw_yaml_emit (root, emit_flags, &error);
  FUZZ_CHECK (yaml != NULL, "emit: %s", error->message);
  back = pw_yaml_parse (yaml, -1, NULL, parse_flags, &error);
  FUZZ_CHECK (back != NULL, "re-read: %s\n--- emitted:\n%s", error->message, yaml);
  FUZZ_CHECK (fuzz_nodes_identical (root, back), "the tree changed\n--- emitted:\n%s", yaml);
  g_clear_pointer (&back, json_node_unref);

  json = pw_json_emit (root);
  back = pw_json_parse (json, -1, NULL, &error);
  FUZZ_CHECK (back != NULL, "JSON re-read: %s\n--- emitted:\n%s", error->message, json);
  FUZZ_CHECK (fuzz_has_non_finite (root) || fuzz_nodes_identical (root, back),
              "the tree changed through JSON\n--- emitted:\n%s", json);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  check_yaml (data, size, PW_YAML_PARSE_NONE, PW_YAML_EMIT_NONE);
  check_yaml (data, size, PW_YAML_PARSE_CFN_TAGS, PW_YAML_EMIT_CFN_SHORT_TAGS);

  return 0;
}
