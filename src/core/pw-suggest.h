/* pw-suggest.h
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

const char *pw_suggest_word (const char         *word,
                             const char * const *choices);

G_END_DECLS
