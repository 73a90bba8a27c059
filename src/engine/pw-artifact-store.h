/* pw-artifact-store.h
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

/**
 * PwArtifactFile:
 * @source: absolute path of the file to pack
 * @name: its path inside the zip (relative, `/`-separated)
 */
typedef struct
{
  char *source;
  char *name;
} PwArtifactFile;

/* Writes a zip of @files (element-type PwArtifactFile) to @zip_path
 * atomically (temporary file, then rename), with libarchive. Symlinks are
 * stored as symlinks, modes are kept. */
gboolean pw_artifact_zip_files   (const char   *zip_path,
                                  GPtrArray    *files,
                                  GCancellable *cancellable,
                                  GError      **error);
/* Zips the whole tree under @dir (paths relative to @dir). */
gboolean pw_artifact_zip_dir     (const char   *zip_path,
                                  const char   *dir,
                                  GCancellable *cancellable,
                                  GError      **error);
/* Extracts @zip_path into @dir (created if needed); refuses entries that
 * would escape @dir (absolute paths, `..`, symlinks leaving it when
 * followed through the zip's and the folder's other links). */
gboolean pw_artifact_extract     (const char   *zip_path,
                                  const char   *dir,
                                  GCancellable *cancellable,
                                  GError      **error);
/* As pw_artifact_extract into @root/@relative, opening @relative one
 * component at a time without following symlinks or climbing. */
gboolean pw_artifact_extract_beneath (const char   *zip_path,
                                      const char   *root,
                                      const char   *relative,
                                      GCancellable *cancellable,
                                      GError      **error);
/* Lists the entry names of a zip, in order. */
GPtrArray *pw_artifact_list      (const char   *zip_path,
                                  GError      **error);

void     pw_artifact_file_free   (PwArtifactFile *file);

G_END_DECLS
