/* pw-glob.h
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

/**
 * PwGlob:
 *
 * A compiled glob in the dialect CodeBuild and CodePipeline share: `*`
 * matches within one path segment, `**` across `/`, `?` one character,
 * `[abc]`, `[a-z]`, `[!a]` classes, `{a,b}` alternatives (not nested) and
 * `\` escapes. Paths use `/` and are relative.
 */
typedef struct _PwGlob PwGlob;

PwGlob    *pw_glob_new           (const char  *pattern,
                                  GError     **error);
void       pw_glob_free          (PwGlob      *self);
gboolean   pw_glob_match         (PwGlob      *self,
                                  const char  *path);
/* Every regular file (and symlink) under @root matching @pattern, as paths
 * relative to @root, sorted. A pattern without wildcards names one path. */
GPtrArray *pw_glob_find_files    (const char  *root,
                                  const char  *pattern,
                                  GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PwGlob, pw_glob_free)

G_END_DECLS
