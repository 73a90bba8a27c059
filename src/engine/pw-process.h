/* pw-process.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_ENGINE_INSIDE) && !defined (PW_ENGINE_COMPILATION)
# error "Only <pw-engine.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

void   pw_engine_init        (void);
char **pw_engine_get_environ (void);

G_END_DECLS
