/* pw-graph.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_CORE_INSIDE) && !defined (PW_CORE_COMPILATION)
# error "Only <pw-core.h> can be included directly."
#endif

#include "pw-pipeline.h"

G_BEGIN_DECLS

char *pw_pipeline_to_dot (PwPipeline *pipeline);

G_END_DECLS
