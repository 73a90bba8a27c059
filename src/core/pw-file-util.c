/* pw-file-util.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-file-util"

#include "config.h"

#include "pw-core-private.h"

/**
 * pw_file_replace_contents:
 *
 * Writes @contents to @path without ever leaving a half-written file: the
 * data goes to a temporary file in the same folder, is synced to disk, and
 * is renamed over @path. The user's file is untouched if anything fails.
 *
 * Returns: %TRUE on success
 */
gboolean
pw_file_replace_contents (const char  *path,
                          const char  *contents,
                          gsize        length,
                          GError     **error)
{
  /* g_file_set_contents_full does exactly this (write to a temporary file,
   * fsync, rename) and keeps the mode of an existing file. */
  return g_file_set_contents_full (path, contents, length,
                                   G_FILE_SET_CONTENTS_CONSISTENT |
                                   G_FILE_SET_CONTENTS_DURABLE,
                                   0666, error);
}
