/* pw-providers.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_CORE_INSIDE) && !defined (PW_CORE_COMPILATION)
# error "Only <pw-core.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * PwProviderInfo:
 * @category: `Source`, `Build`, `Test`, `Deploy`, `Approval`, `Invoke` or `Compute`
 * @owner: `AWS`, `ThirdParty` or `Custom`
 * @provider: the provider name
 * @version: the type version, `"1"` for AWS providers
 * @min_inputs: fewest input artifacts
 * @max_inputs: most input artifacts
 * @min_outputs: fewest output artifacts
 * @max_outputs: most output artifacts
 * @required: %NULL-terminated required configuration keys
 * @optional: %NULL-terminated optional configuration keys
 * @variables: %NULL-terminated fixed output variables, or %NULL when the
 *   variables are open-ended (CodeBuild's exported-variables, Lambda, …)
 * @v2_only: the provider exists only in V2 pipelines
 * @local: how the local executor runs it (for palettes and logs)
 *
 * One row of the provider table (reference/action-providers.md). Adding a
 * provider is adding a row to the table in pw-providers.c.
 */
typedef struct
{
  const char  *category;
  const char  *owner;
  const char  *provider;
  const char  *version;
  guint        min_inputs;
  guint        max_inputs;
  guint        min_outputs;
  guint        max_outputs;
  const char  *required[8];
  const char  *optional[24];
  const char  *variables[10];
  gboolean     open_variables;
  gboolean     v2_only;
  const char  *description;
} PwProviderInfo;

const PwProviderInfo *pw_providers_lookup      (const char *category,
                                                const char *owner,
                                                const char *provider);
const PwProviderInfo *pw_providers_lookup_any  (const char *owner,
                                                const char *provider);
const PwProviderInfo *pw_providers_get_all     (guint      *n_providers);
gboolean              pw_provider_has_key      (const PwProviderInfo *info,
                                                const char           *key);
gboolean              pw_provider_has_variable (const PwProviderInfo *info,
                                                const char           *name);

G_END_DECLS
