/* pw-validator.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_CORE_INSIDE) && !defined (PW_CORE_COMPILATION)
# error "Only <pw-core.h> can be included directly."
#endif

#include "pw-diagnostic.h"
#include "pw-pipeline.h"

G_BEGIN_DECLS

/**
 * PwRuleInfo:
 * @code: stable code, e.g. `P09`
 * @name: a short kebab-case name, e.g. `input-artifact-not-produced`
 * @severity: default severity
 * @summary: one sentence describing the rule
 */
typedef struct
{
  const char *code;
  const char *name;
  PwSeverity  severity;
  const char *summary;
} PwRuleInfo;

const PwRuleInfo *pw_rules_get_all (guint      *n_rules);
const PwRuleInfo *pw_rules_lookup  (const char *code);

GPtrArray *pw_pipeline_validate (PwPipeline *pipeline);

G_END_DECLS
