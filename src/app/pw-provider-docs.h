/* pw-provider-docs.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char         *pw_provider_key_doc     (const char *category,
                                             const char *provider,
                                             const char *key);
const char         *pw_provider_key_example (const char *category,
                                             const char *provider,
                                             const char *key);
const char * const *pw_provider_key_choices (const char *category,
                                             const char *provider,
                                             const char *key);
const char         *pw_provider_doc         (const char *category,
                                             const char *provider);

G_END_DECLS
