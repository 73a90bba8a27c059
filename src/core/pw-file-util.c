/* pw-file-util.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-file-util"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <glib/gstdio.h>

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
  return pw_file_replace_contents_full (path, contents, length, TRUE, error);
}

static gboolean
set_errno_error (GError     **error,
                 const char  *what,
                 const char  *path)
{
  int saved = errno;

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
               "%s %s: %s", what, path, g_strerror (saved));
  return FALSE;
}

/**
 * pw_file_replace_contents_full:
 * @durable: sync the data to disk before the rename
 *
 * Like pw_file_replace_contents(): a temporary file beside @path renamed
 * over it, so a reader or a killed process sees the old contents or the new
 * ones, never a part. With @durable the data also survives a power cut; that
 * fsync costs ~10 ms, so files whose loss in a power cut costs nothing (the
 * executor's intermediate records, scratch files) go without it — a SIGKILL
 * cannot lose data the kernel already has.
 *
 * Returns: %TRUE on success
 */
gboolean
pw_file_replace_contents_full (const char  *path,
                               const char  *contents,
                               gsize        length,
                               gboolean     durable,
                               GError     **error)
{
  g_autofree char *tmp = NULL;
  gsize done = 0;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (contents != NULL || length == 0, FALSE);

  /* g_file_set_contents_full does exactly this (write to a temporary file,
   * fsync, rename) and keeps the mode of an existing file. */
  if (durable)
    return g_file_set_contents_full (path, contents, length,
                                     G_FILE_SET_CONTENTS_CONSISTENT |
                                     G_FILE_SET_CONTENTS_DURABLE,
                                     0666, error);

  /* Without durability GLib would still fsync an existing file (its
   * CONSISTENT mode does), hence this short version. */
  tmp = g_strconcat (path, ".XXXXXX", NULL);
  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    return set_errno_error (error, "Cannot write", path);

  while (done < length)
    {
      gssize n = write (fd, contents + done, length - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          set_errno_error (error, "Cannot write", path);
          close (fd);
          g_unlink (tmp);
          return FALSE;
        }
      done += n;
    }

  if (close (fd) != 0 || g_rename (tmp, path) != 0)
    {
      set_errno_error (error, "Cannot replace", path);
      g_unlink (tmp);
      return FALSE;
    }

  return TRUE;
}
