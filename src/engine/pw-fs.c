/* pw-fs.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-fs"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pw-engine-private.h"

/* Paths that a pipeline's content chooses (an S3 ObjectKey, an appspec
 * destination, a zip entry) are opened below a folder of ours one
 * component at a time, with O_NOFOLLOW: a symlink on the way, left by an
 * earlier deploy, a build or a user, is refused rather than followed, so
 * no chain of links (`y -> .`, `x -> y/y/y/../../..`) can carry a write
 * outside. Text checks of a path cannot know what its components are on
 * disk; the kernel, asked one component at a time, does. */

static gboolean
refuse (GError     **error,
        const char  *relative,
        const char  *component,
        int          saved_errno)
{
  if (saved_errno == ELOOP)
    g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                 "Cannot write into '%s': '%s' is a symbolic link, which is never followed",
                 relative, component);
  else if (saved_errno == ENOTDIR)
    g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                 "Cannot write into '%s': '%s' is not a folder", relative, component);
  else
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                 "Cannot open '%s': %s", component, g_strerror (saved_errno));

  return FALSE;
}

/* Whether the entry @name in @dir_fd is a symlink: O_NOFOLLOW says ELOOP
 * for one, but O_DIRECTORY says ENOTDIR first on some kernels. */
static int
nofollow_errno (int         dir_fd,
                const char *name,
                int         saved_errno)
{
  struct stat st;

  if (saved_errno == ENOTDIR && fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
      S_ISLNK (st.st_mode))
    return ELOOP;

  return saved_errno;
}

/**
 * _pw_fs_open_dir_at:
 * @dir_fd: an open folder
 * @relative: a `/`-separated path below it; empty or `.` for @dir_fd
 * @create: whether to make missing folders (0755)
 * @error: return location for an error
 *
 * Opens the folder @relative below @dir_fd one component at a time,
 * never following a symlink and never climbing: an absolute path or a
 * `..` component is an error, as is a symlink or a file on the way.
 *
 * Returns: a new file descriptor (O_CLOEXEC), or -1
 */
int
_pw_fs_open_dir_at (int          dir_fd,
                    const char  *relative,
                    gboolean     create,
                    GError     **error)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GString) done = g_string_new (NULL);
  int fd;

  g_return_val_if_fail (dir_fd >= 0, -1);
  g_return_val_if_fail (relative != NULL, -1);

  if (relative[0] == '/')
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                   "Cannot write into '%s': an absolute path", relative);
      return -1;
    }

  fd = fcntl (dir_fd, F_DUPFD_CLOEXEC, 3);
  if (fd < 0)
    {
      refuse (error, relative, ".", errno);
      return -1;
    }

  parts = g_strsplit (relative, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *part = parts[i];
      int next;

      if (part[0] == '\0' || g_str_equal (part, "."))
        continue;
      if (g_str_equal (part, ".."))
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                       "Cannot write into '%s': '..' would leave the folder", relative);
          g_close (fd, NULL);
          return -1;
        }

      if (done->len > 0)
        g_string_append_c (done, '/');
      g_string_append (done, part);

      if (create && mkdirat (fd, part, 0755) != 0 && errno != EEXIST)
        {
          refuse (error, relative, done->str, errno);
          g_close (fd, NULL);
          return -1;
        }

      next = openat (fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0)
        refuse (error, relative, done->str, nofollow_errno (fd, part, errno));
      g_close (fd, NULL);
      if (next < 0)
        return -1;
      fd = next;
    }

  return fd;
}

/**
 * _pw_fs_open_dir_beneath:
 * @root: a folder of ours or the user's, opened as it is (a symlink to
 *   it is fine); created when @create
 * @relative: a path below it chosen by a pipeline's content
 * @create: whether to make missing folders
 * @error: return location for an error
 *
 * As _pw_fs_open_dir_at() from @root.
 *
 * Returns: a new file descriptor, or -1
 */
int
_pw_fs_open_dir_beneath (const char  *root,
                         const char  *relative,
                         gboolean     create,
                         GError     **error)
{
  int root_fd;
  int fd;

  g_return_val_if_fail (root != NULL, -1);

  if (create && g_mkdir_with_parents (root, 0755) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot create folder '%s': %s", root, g_strerror (saved_errno));
      return -1;
    }

  root_fd = g_open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (root_fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot open folder '%s': %s", root, g_strerror (saved_errno));
      return -1;
    }

  fd = _pw_fs_open_dir_at (root_fd, relative, create, error);
  g_close (root_fd, NULL);

  return fd;
}

/**
 * _pw_fs_open_file_beneath:
 * @root: a folder
 * @relative: a path below it
 * @error: return location for an error
 *
 * Opens @relative below @root for reading, following no symlink on the
 * way or at the end; a folder opens too.
 *
 * Returns: a new file descriptor, or -1
 */
int
_pw_fs_open_file_beneath (const char  *root,
                          const char  *relative,
                          GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (relative);
  g_autofree char *base = g_path_get_basename (relative);
  int dir_fd;
  int fd;

  if (g_str_equal (dir, "."))
    g_clear_pointer (&dir, g_free);

  dir_fd = _pw_fs_open_dir_beneath (root, dir != NULL ? dir : "", FALSE, error);
  if (dir_fd < 0)
    return -1;

  if (g_str_equal (base, ".."))
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                   "Cannot read '%s': '..' would leave the folder", relative);
      g_close (dir_fd, NULL);
      return -1;
    }

  fd = openat (dir_fd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    refuse (error, relative, relative, errno);
  g_close (dir_fd, NULL);

  return fd;
}

/**
 * _pw_fs_copy_at:
 * @source: a file to copy
 * @dir_fd: the folder to copy it into
 * @name: the name it gets there (one component)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Copies @source into a temporary file in @dir_fd, then renames it over
 * @name: a reader never sees half a file, and an existing symlink or hard
 * link at @name is replaced, never written through. The mode is kept.
 *
 * Returns: %TRUE on success
 */
gboolean
_pw_fs_copy_at (const char    *source,
                int            dir_fd,
                const char    *name,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autofree char *tmp = NULL;
  char buffer[64 * 1024];
  struct stat st;
  gboolean ok = FALSE;
  int in_fd;
  int out_fd = -1;

  g_return_val_if_fail (strchr (name, '/') == NULL, FALSE);

  in_fd = g_open (source, O_RDONLY | O_CLOEXEC, 0);
  if (in_fd < 0 || fstat (in_fd, &st) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot read '%s': %s", source, g_strerror (saved_errno));
      if (in_fd >= 0)
        g_close (in_fd, NULL);
      return FALSE;
    }

  for (guint attempt = 0; out_fd < 0 && attempt < 16; attempt++)
    {
      g_free (tmp);
      tmp = g_strdup_printf (".%s.pw-tmp-%08x", name, g_random_int ());
      out_fd = openat (dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (out_fd < 0 && errno != EEXIST)
        break;
    }
  if (out_fd < 0)
    {
      refuse (error, name, name, errno);
      goto out;
    }

  for (;;)
    {
      gssize n = read (in_fd, buffer, sizeof buffer);
      const char *p = buffer;

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "Cannot read '%s': %s", source, g_strerror (saved_errno));
          goto out;
        }
      if (n == 0)
        break;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;

      while (n > 0)
        {
          gssize written = write (out_fd, p, n);

          if (written < 0 && errno == EINTR)
            continue;
          if (written < 0)
            {
              int saved_errno = errno;

              g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                           "Cannot write '%s': %s", name, g_strerror (saved_errno));
              goto out;
            }
          p += written;
          n -= written;
        }
    }

  if (fchmod (out_fd, st.st_mode & 0777) != 0 || !g_close (out_fd, error))
    {
      out_fd = -1;
      if (error != NULL && *error == NULL)
        refuse (error, name, name, errno);
      goto out;
    }
  out_fd = -1;

  if (renameat (dir_fd, tmp, dir_fd, name) != 0)
    {
      int saved_errno = errno;

      if (saved_errno == EISDIR || saved_errno == ENOTEMPTY || saved_errno == EEXIST)
        g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                     "Cannot write '%s': a folder is in the way", name);
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                     "Cannot write '%s': %s", name, g_strerror (saved_errno));
      goto out;
    }
  g_clear_pointer (&tmp, g_free);
  ok = TRUE;

out:
  if (out_fd >= 0)
    g_close (out_fd, NULL);
  if (tmp != NULL)
    unlinkat (dir_fd, tmp, 0);
  g_close (in_fd, NULL);

  return ok;
}

/**
 * _pw_fs_read_file:
 * @path: a file a pipeline's content may have put there
 * @max: the most it may hold
 * @contents: (out) (transfer full): its bytes, NUL-terminated
 * @length: (out) (optional): their number
 * @error: return location for an error
 *
 * Reads a regular file of at most @max bytes. A link is followed, but a
 * device (/dev/zero), a FIFO (which would block for ever) or a file past
 * @max is an error rather than something to read until memory runs out.
 *
 * Returns: %TRUE on success
 */
gboolean
_pw_fs_read_file (const char  *path,
                  gsize        max,
                  char       **contents,
                  gsize       *length,
                  GError     **error)
{
  g_autofree char *data = NULL;
  struct stat st;
  gsize done = 0;
  int fd;

  /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
  fd = g_open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s",
                   g_strerror (saved_errno));
      return FALSE;
    }

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE, "not a regular file");
      g_close (fd, NULL);
      return FALSE;
    }
  if ((guint64)st.st_size > max)
    {
      g_autofree char *limit = g_format_size_full (max, G_FORMAT_SIZE_IEC_UNITS);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "larger than %s", limit);
      g_close (fd, NULL);
      return FALSE;
    }

  data = g_malloc (st.st_size + 1);
  while (done < (gsize)st.st_size)
    {
      gssize n = read (fd, data + done, st.st_size - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s",
                       g_strerror (saved_errno));
          g_close (fd, NULL);
          return FALSE;
        }
      if (n == 0)
        break;
      done += n;
    }
  g_close (fd, NULL);

  data[done] = '\0';
  if (length != NULL)
    *length = done;
  *contents = g_steal_pointer (&data);

  return TRUE;
}
