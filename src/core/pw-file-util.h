/* pw-file-util.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_CORE_INSIDE) && !defined (PW_CORE_COMPILATION)
# error "Only <pw-core.h> can be included directly."
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

gboolean pw_file_replace_contents (const char  *path,
                                   const char  *contents,
                                   gsize        length,
                                   GError     **error);

gboolean pw_file_replace_contents_full (const char  *path,
                                        const char  *contents,
                                        gsize        length,
                                        gboolean     durable,
                                        GError     **error);

G_END_DECLS
