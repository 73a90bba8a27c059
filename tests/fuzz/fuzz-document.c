/* fuzz-document.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>

#include "pw-document.h"
#include "pw-validator.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
check_pipeline (PwDocument *document,
                const char *logical_id)
{
  static const PwOutputFormat formats[] = {
    PW_OUTPUT_YAML, PW_OUTPUT_JSON, PW_OUTPUT_CFN_JSON, PW_OUTPUT_CFN_YAML,
  };
  g_autoptr(PwPipeline) pipeline = NULL;
  g_autoptr(GPtrArray) diagnostics = NULL;
  g_autoptr(GError) error = NULL;

  pipeline = pw_document_dup_pipeline (document, logical_id, &error);
  if (pipeline == NULL)
    return;

  diagnostics = pw_pipeline_validate (pipeline);

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(GError) serialize_error = NULL;
      g_autofree char *text = NULL;

      text = pw_pipeline_serialize (pipeline, formats[i], notes, &serialize_error);
    }
}

/* The whole loading path: sniffing, YAML or JSON, the pipeline model, the
 * validator and every writer. Only crashes, leaks and hangs count here. */
int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const char * const names[] = { "fuzz.yaml", "fuzz.json" };

  for (guint n = 0; n < G_N_ELEMENTS (names); n++)
    {
      g_autoptr(PwDocument) document = NULL;
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) ids = NULL;

      document = pw_document_load_data ((const char *)data, size, names[n], &error);
      if (document == NULL)
        continue;

      ids = pw_document_dup_pipeline_ids (document);
      if (ids == NULL || ids[0] == NULL)
        check_pipeline (document, NULL);
      else
        for (guint i = 0; ids[i] != NULL; i++)
          check_pipeline (document, ids[i]);
    }

  return 0;
}
