/* fuzz-json.c
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

/* Whatever reads must write back, as JSON and as YAML, and read back the
 * same; every value must have a position. */
int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(PwSourceMap) map = pw_source_map_new ("fuzz.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) back = NULL;
  g_autofree char *json = NULL;
  g_autofree char *yaml = NULL;

  root = pw_json_parse ((const char *)data, size, map, &error);
  if (root == NULL)
    {
      FUZZ_CHECK (error != NULL && g_str_has_prefix (error->message, "fuzz.json:"),
                  "%s", error != NULL ? error->message : "(no error)");
      return 0;
    }
  FUZZ_CHECK (pw_source_map_lookup (map, root, NULL, NULL), "the root has no position");

  json = pw_json_emit (root);
  back = pw_json_parse (json, -1, NULL, &error);
  FUZZ_CHECK (back != NULL, "re-read: %s\n--- emitted:\n%s", error->message, json);
  FUZZ_CHECK (fuzz_has_non_finite (root) || fuzz_nodes_identical (root, back),
              "the tree changed\n--- emitted:\n%s", json);
  g_clear_pointer (&back, json_node_unref);

  yaml = pw_yaml_emit (root, PW_YAML_EMIT_NONE, &error);
  FUZZ_CHECK (yaml != NULL, "YAML emit: %s", error->message);
  back = pw_yaml_parse (yaml, -1, NULL, PW_YAML_PARSE_NONE, &error);
  FUZZ_CHECK (back != NULL, "YAML re-read: %s\n--- emitted:\n%s", error->message, yaml);
  FUZZ_CHECK (fuzz_nodes_identical (root, back), "the tree changed through YAML\n--- emitted:\n%s", yaml);

  return 0;
}
