/* pw-local-check.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_ENGINE_INSIDE) && !defined (PW_ENGINE_COMPILATION)
# error "Only <pw-engine.h> can be included directly."
#endif

#include <pw-core.h>

#include "pw-local-profile.h"

G_BEGIN_DECLS

GPtrArray *pw_local_check_pipeline (PwPipeline     *pipeline,
                                    const char     *pipeline_path,
                                    PwLocalProfile *profile,
                                    GPtrArray      *maps);

G_END_DECLS
