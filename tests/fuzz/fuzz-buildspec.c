/* fuzz-buildspec.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>

#include "pw-engine-private.h"

#include "fuzz-common.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* A buildspec from a repository: read whole, or refused with a message
 * that says where (`buildspec.yml:line:col: ...`). */
int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwBuildspec) spec = pw_buildspec_parse ((const char *)data, size, "buildspec.yml",
                                                    &error);
  const char * const *exported;
  GPtrArray *variables;

  if (spec == NULL)
    {
      FUZZ_CHECK (error != NULL && g_str_has_prefix (error->message, "buildspec.yml"),
                  "%s", error != NULL ? error->message : "(no error)");
      return 0;
    }

  /* Everything the runner reads from it. */
  exported = pw_buildspec_get_exported_variables (spec);
  for (guint i = 0; exported != NULL && exported[i] != NULL; i++)
    FUZZ_CHECK (exported[i][0] != '\0', "an empty exported variable name");
  variables = pw_buildspec_get_variables (spec);
  for (guint i = 0; i < variables->len; i++)
    FUZZ_CHECK (((PwBuildspecVariable *)g_ptr_array_index (variables, i))->name != NULL,
                "a variable without a name");
  for (guint i = 0; i < PW_BUILDSPEC_N_PHASES; i++)
    (void)pw_buildspec_get_phase (spec, i);
  (void)pw_buildspec_get_artifacts (spec);
  (void)pw_buildspec_get_reports (spec);
  (void)pw_buildspec_get_cache_paths (spec);

  return 0;
}
