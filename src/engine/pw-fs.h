/* pw-fs.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_ENGINE_INSIDE) && !defined (PW_ENGINE_COMPILATION)
# error "Only <pw-engine.h> can be included directly."
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

int      _pw_fs_open_dir_at       (int            dir_fd,
                                   const char    *relative,
                                   gboolean       create,
                                   GError       **error);
int      _pw_fs_open_dir_beneath  (const char    *root,
                                   const char    *relative,
                                   gboolean       create,
                                   GError       **error);
int      _pw_fs_open_file_beneath (const char    *root,
                                   const char    *relative,
                                   GError       **error);
gboolean _pw_fs_read_file         (const char    *path,
                                   gsize          max,
                                   char         **contents,
                                   gsize         *length,
                                   GError       **error);
gboolean _pw_fs_copy_at           (const char    *source,
                                   int            dir_fd,
                                   const char    *name,
                                   GCancellable  *cancellable,
                                   GError       **error);

G_END_DECLS
