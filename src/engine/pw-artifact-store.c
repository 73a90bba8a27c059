/* pw-artifact-store.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-artifact-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <glib/gstdio.h>

#include "pw-engine-private.h"

/* Files are read, and the zip written, in blocks this large: few system
 * calls, and stored data goes from the read buffer to the zip with no
 * copy in between. */
#define BLOCK_SIZE        (1024 * 1024)
/* Writes this large skip the output buffer: copying them would cost
 * more than the system call it saves. */
#define DIRECT_WRITE      (16 * 1024)
/* How much of a file decides between deflate and store. */
#define SAMPLE_SIZE       (16 * 1024)
/* What we read after a seek: usually a header of a hundred bytes, not a
 * block of data. */
#define SMALL_READ        (4 * 1024)
/* Extraction runs on up to this many threads... */
#define MAX_WORKERS       4
/* ...when there is this much to write, in this many entries. */
#define PARALLEL_MIN_BYTES   (16 * 1024 * 1024)
#define PARALLEL_MIN_ENTRIES 16

/* libarchive converts names between the zip's UTF-8 and the thread's
 * locale; in the C locale it fails on every non-ASCII name. Running our
 * archive calls in C.UTF-8 keeps names as the bytes they are on disk and
 * marks them as UTF-8 in the zip, whatever locale the program runs in. */
typedef struct
{
  locale_t previous;
} LocaleScope;

static locale_t
utf8_locale (void)
{
  static gsize initialized;
  static locale_t locale;

  if (g_once_init_enter (&initialized))
    {
      locale = newlocale (LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
      g_once_init_leave (&initialized, 1);
    }

  return locale;
}

static LocaleScope
locale_scope_enter (void)
{
  LocaleScope scope = { (locale_t)0 };
  locale_t utf8 = utf8_locale ();

  if (utf8 != (locale_t)0)
    scope.previous = uselocale (utf8);

  return scope;
}

static void
locale_scope_leave (LocaleScope *scope)
{
  if (scope->previous != (locale_t)0)
    uselocale (scope->previous);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LocaleScope, locale_scope_leave)

typedef struct archive ArchiveRead;
typedef struct archive ArchiveWrite;

static void
archive_read_unref (ArchiveRead *a)
{
  archive_read_free (a);
}

static void
archive_write_unref (ArchiveWrite *a)
{
  archive_write_free (a);
}

typedef struct archive_entry ArchiveEntry;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArchiveRead, archive_read_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArchiveWrite, archive_write_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArchiveEntry, archive_entry_free)

static gboolean
set_archive_error (GError         **error,
                   struct archive  *a,
                   const char      *zip_path)
{
  const char *message = archive_error_string (a);

  g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
               "%s: %s", zip_path, message != NULL ? message : "unknown zip error");
  return FALSE;
}

static gboolean
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *what,
                 const char  *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "%s '%s': %s", what, path, g_strerror (saved_errno));
  return FALSE;
}

void
pw_artifact_file_free (PwArtifactFile *file)
{
  if (file == NULL)
    return;

  g_free (file->source);
  g_free (file->name);
  g_free (file);
}

/* Splits @name into clean components: no empty or `.` ones. Returns NULL
 * when it is absolute or has a `..`, which could leave the folder. */
static char *
clean_name (const char *name)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GStrvBuilder) kept = NULL;
  g_auto(GStrv) result = NULL;

  if (name == NULL || name[0] == '/')
    return NULL;

  parts = g_strsplit (name, "/", -1);
  kept = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0' || g_str_equal (parts[i], "."))
        continue;
      if (g_str_equal (parts[i], ".."))
        return NULL;
      g_strv_builder_add (kept, parts[i]);
    }

  result = g_strv_builder_end (kept);

  return g_strjoinv ("/", result);
}

/* Writing the zip. */

typedef struct
{
  int     fd;
  char   *buffer;
  gsize   length;
} Output;

static gboolean
output_flush (Output *out)
{
  const char *p = out->buffer;

  while (out->length > 0)
    {
      gssize n = write (out->fd, p, out->length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      p += n;
      out->length -= n;
    }

  return TRUE;
}

/* Headers come in many small pieces and are gathered; file data comes in
 * whole blocks and goes straight through. */
static la_ssize_t
output_write_cb (struct archive *a,
                 void           *user_data,
                 const void     *data,
                 size_t          length)
{
  Output *out = user_data;
  const char *p = data;
  gsize left = length;

  if (out->length + length > BLOCK_SIZE || length >= DIRECT_WRITE)
    {
      if (!output_flush (out))
        goto failed;
    }

  if (length < DIRECT_WRITE)
    {
      memcpy (out->buffer + out->length, data, length);
      out->length += length;
      return length;
    }

  while (left > 0)
    {
      gssize n = write (out->fd, p, left);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        goto failed;
      p += n;
      left -= n;
    }

  return length;

failed:
  archive_set_error (a, errno, "Cannot write the zip: %s", g_strerror (errno));
  return -1;
}

static int
output_close_cb (struct archive *a,
                 void           *user_data)
{
  Output *out = user_data;

  if (!output_flush (out))
    {
      archive_set_error (a, errno, "Cannot write the zip: %s", g_strerror (errno));
      return ARCHIVE_FATAL;
    }

  return ARCHIVE_OK;
}

/* Whether deflate would gain anything, from the byte histogram of a
 * sample: random or already compressed data (jars, images, archives) has
 * a collision entropy close to 8 bits a byte, text and binaries far less.
 * Storing such data instead of deflating it is what keeps passing a large
 * artifact from one stage to the next about as fast as copying it. */
static gboolean
looks_compressible (const guchar *data,
                    gsize         length)
{
  /* Four tables, so consecutive bytes do not wait on the same counter. */
  guint counts[4][256] = { { 0 } };
  guint64 sum = 0;
  gsize i;

  length = MIN (length, SAMPLE_SIZE);
  if (length < 512)
    return TRUE;

  for (i = 0; i + 4 <= length; i += 4)
    {
      counts[0][data[i]]++;
      counts[1][data[i + 1]]++;
      counts[2][data[i + 2]]++;
      counts[3][data[i + 3]]++;
    }
  for (; i < length; i++)
    counts[0][data[i]]++;

  for (guint c = 0; c < 256; c++)
    {
      guint64 n = (guint64)counts[0][c] + counts[1][c] + counts[2][c] + counts[3][c];

      sum += n * n;
    }

  /* Collision entropy -log2 (sum p²) below 7.5 bits: 2^7.5 ≈ 181. */
  return sum * 181 >= (guint64)length * length;
}

static gboolean
read_full (int     fd,
           char   *buffer,
           gsize   want,
           gsize  *got)
{
  *got = 0;

  while (*got < want)
    {
      gssize n = read (fd, buffer + *got, want - *got);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      if (n == 0)
        break;
      *got += n;
    }

  return TRUE;
}

static gboolean
add_regular (struct archive  *a,
             ArchiveEntry    *entry,
             const char      *source,
             char            *buffer,
             const char      *zip_path,
             GCancellable    *cancellable,
             GError         **error)
{
  struct stat st;
  gint64 left;
  gsize got;
  int fd;
  gboolean ok = FALSE;

  fd = g_open (source, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
  if (fd < 0)
    return set_errno_error (error, errno, "Cannot read", source);

  /* The size in the header must be what we write: take it from the file
   * we actually opened. */
  if (fstat (fd, &st) != 0)
    {
      set_errno_error (error, errno, "Cannot read", source);
      goto out;
    }
  archive_entry_set_size (entry, st.st_size);
  left = st.st_size;

  if (!read_full (fd, buffer, MIN (left, BLOCK_SIZE), &got))
    {
      set_errno_error (error, errno, "Cannot read", source);
      goto out;
    }

  if (looks_compressible ((const guchar *)buffer, got))
    archive_write_zip_set_compression_deflate (a);
  else
    archive_write_zip_set_compression_store (a);

  if (archive_write_header (a, entry) < ARCHIVE_OK)
    {
      set_archive_error (error, a, zip_path);
      goto out;
    }

  for (;;)
    {
      if (got > 0 && archive_write_data (a, buffer, got) != (la_ssize_t)got)
        {
          set_archive_error (error, a, zip_path);
          goto out;
        }
      left -= got;

      if (left <= 0)
        break;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;

      if (!read_full (fd, buffer, MIN (left, BLOCK_SIZE), &got))
        {
          set_errno_error (error, errno, "Cannot read", source);
          goto out;
        }
      if (got == 0)
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                       "'%s' shrank while it was being zipped", source);
          goto out;
        }
    }

  ok = TRUE;

out:
  g_close (fd, NULL);
  return ok;
}

static gboolean
add_file (struct archive        *a,
          const PwArtifactFile  *file,
          char                  *buffer,
          const char            *zip_path,
          GCancellable          *cancellable,
          GError               **error)
{
  g_autoptr(ArchiveEntry) entry = NULL;
  g_autofree char *name = clean_name (file->name);
  struct stat st;

  if (name == NULL || name[0] == '\0')
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                   "'%s' is not a relative path inside an artifact",
                   file->name != NULL ? file->name : "");
      return FALSE;
    }

  if (g_lstat (file->source, &st) != 0)
    return set_errno_error (error, errno, "Cannot read", file->source);

  entry = archive_entry_new ();
  archive_entry_set_pathname (entry, name);
  archive_entry_set_mode (entry, st.st_mode);
  archive_entry_set_mtime (entry, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);

  if (S_ISREG (st.st_mode))
    return add_regular (a, entry, file->source, buffer, zip_path, cancellable, error);

  if (S_ISLNK (st.st_mode))
    {
      g_autofree char *target = g_file_read_link (file->source, error);

      if (target == NULL)
        return FALSE;
      archive_entry_set_symlink (entry, target);
    }
  else if (!S_ISDIR (st.st_mode))
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                   "'%s' is neither a file, a symlink nor a folder", file->source);
      return FALSE;
    }

  archive_entry_set_size (entry, 0);
  if (archive_write_header (a, entry) < ARCHIVE_OK)
    return set_archive_error (error, a, zip_path);

  return TRUE;
}

/**
 * pw_artifact_zip_files:
 * @zip_path: the zip to write; replaced atomically
 * @files: (element-type PwArtifactFile): what goes in, in this order
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Writes a zip of @files. Regular files keep their mode and modification
 * time; symlinks are stored as symlinks; a folder gives a folder entry (its
 * contents are not added). Data that looks compressible is deflated (level
 * 1, for speed), the rest (random or already compressed) is stored. The
 * zip appears at @zip_path whole or not at all.
 *
 * Returns: %TRUE on success
 */
gboolean
pw_artifact_zip_files (const char    *zip_path,
                       GPtrArray     *files,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_auto(LocaleScope) scope = locale_scope_enter ();
  g_autoptr(ArchiveWrite) a = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *tmp_path = NULL;
  g_autofree char *buffer = NULL;
  g_autofree char *out_buffer = NULL;
  Output out = { -1, NULL, 0 };
  gboolean closed;
  gboolean ok = FALSE;

  g_return_val_if_fail (zip_path != NULL, FALSE);
  g_return_val_if_fail (files != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  /* Beside the target, so the final rename stays on one file system. */
  dir = g_path_get_dirname (zip_path);
  base = g_path_get_basename (zip_path);
  tmp_path = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  out.fd = g_mkstemp_full (tmp_path, O_RDWR | O_CLOEXEC, 0644);
  if (out.fd < 0)
    return set_errno_error (error, errno, "Cannot create a temporary file beside", zip_path);

  buffer = g_malloc (BLOCK_SIZE);
  out.buffer = out_buffer = g_malloc (BLOCK_SIZE);

  a = archive_write_new ();
  archive_write_set_format_zip (a);
  archive_write_set_format_option (a, "zip", "compression-level", "1");
  /* Our callback does the buffering; libarchive's would copy every
   * block once more and pad the end. */
  archive_write_set_bytes_per_block (a, 0);

  if (archive_write_open2 (a, &out, NULL, output_write_cb, output_close_cb, NULL) != ARCHIVE_OK)
    {
      set_archive_error (error, a, zip_path);
      goto out;
    }

  for (guint i = 0; i < files->len; i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      if (!add_file (a, g_ptr_array_index (files, i), buffer, zip_path, cancellable, error))
        goto out;
    }

  if (archive_write_close (a) != ARCHIVE_OK)
    {
      set_archive_error (error, a, zip_path);
      goto out;
    }

  /* No fsync: an artifact belongs to one run, and a crash ends that run
   * anyway; the rename alone guarantees nobody reads half a zip. */
  closed = g_close (out.fd, error);
  out.fd = -1;
  if (!closed)
    goto out;

  if (g_rename (tmp_path, zip_path) != 0)
    {
      set_errno_error (error, errno, "Cannot write", zip_path);
      goto out;
    }

  ok = TRUE;

out:
  /* Before the fd goes: freeing an unfinished archive still writes. */
  g_clear_pointer (&a, archive_write_unref);
  if (out.fd >= 0)
    g_close (out.fd, NULL);
  if (!ok)
    g_unlink (tmp_path);

  return ok;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *)a, *(const char * const *)b);
}

/* Lists @dir for zip_dir: files and symlinks, and the folders that hold
 * neither (so empty folders survive), sorted for a reproducible zip. */
static gboolean
collect (const char  *root,
         const char  *relative,
         GPtrArray   *files,
         GError     **error)
{
  g_autofree char *path = relative != NULL ? g_build_filename (root, relative, NULL)
                                           : g_strdup (root);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = g_dir_open (path, 0, error);
  const char *name;

  if (dir == NULL)
    return FALSE;

  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  if (names->len == 0 && relative != NULL)
    {
      PwArtifactFile *file = g_new0 (PwArtifactFile, 1);

      file->source = g_steal_pointer (&path);
      file->name = g_strdup (relative);
      g_ptr_array_add (files, file);
      return TRUE;
    }

  for (guint i = 0; i < names->len; i++)
    {
      const char *child = g_ptr_array_index (names, i);
      g_autofree char *child_relative = relative != NULL ? g_strconcat (relative, "/", child, NULL)
                                                         : g_strdup (child);
      g_autofree char *child_path = g_build_filename (path, child, NULL);
      struct stat st;

      if (g_lstat (child_path, &st) != 0)
        return set_errno_error (error, errno, "Cannot read", child_path);

      if (S_ISDIR (st.st_mode))
        {
          if (!collect (root, child_relative, files, error))
            return FALSE;
        }
      else if (S_ISREG (st.st_mode) || S_ISLNK (st.st_mode))
        {
          PwArtifactFile *file = g_new0 (PwArtifactFile, 1);

          file->source = g_steal_pointer (&child_path);
          file->name = g_steal_pointer (&child_relative);
          g_ptr_array_add (files, file);
        }
      else
        g_debug ("Skipping special file '%s'", child_path);
    }

  return TRUE;
}

/**
 * pw_artifact_zip_dir:
 * @zip_path: the zip to write; replaced atomically
 * @dir: the folder whose contents go in
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Zips every file and symlink under @dir, and its empty folders, with
 * paths relative to @dir, in sorted order. See pw_artifact_zip_files().
 *
 * Returns: %TRUE on success
 */
gboolean
pw_artifact_zip_dir (const char    *zip_path,
                     const char    *dir,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GPtrArray) files = NULL;

  g_return_val_if_fail (zip_path != NULL, FALSE);
  g_return_val_if_fail (dir != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  files = g_ptr_array_new_with_free_func ((GDestroyNotify)pw_artifact_file_free);
  if (!collect (dir, NULL, files, error))
    return FALSE;

  return pw_artifact_zip_files (zip_path, files, cancellable, error);
}

/* Reading the zip. */

/* The zip as libarchive reads it: whole blocks while going through data,
 * a small read after a seek or skip, since what follows is usually a
 * header of a hundred bytes. That makes walking past entries (as each
 * extraction worker does up to its share) nearly free. */
typedef struct
{
  struct archive *archive;
  int             fd;
  char           *buffer;
  gsize           next_read;
} ZipReader;

static void
zip_reader_free (ZipReader *reader)
{
  /* The archive first: freeing it may still call our callbacks. */
  g_clear_pointer (&reader->archive, archive_read_unref);
  if (reader->fd >= 0)
    g_close (reader->fd, NULL);
  g_free (reader->buffer);
  g_free (reader);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZipReader, zip_reader_free)

static la_ssize_t
zip_reader_read_cb (struct archive  *a,
                    void            *user_data,
                    const void     **data)
{
  ZipReader *reader = user_data;
  gssize n;

  do
    n = read (reader->fd, reader->buffer, reader->next_read);
  while (n < 0 && errno == EINTR);

  if (n < 0)
    {
      archive_set_error (a, errno, "Cannot read: %s", g_strerror (errno));
      return -1;
    }

  reader->next_read = BLOCK_SIZE;
  *data = reader->buffer;

  return n;
}

static la_int64_t
zip_reader_skip_cb (struct archive *a,
                    void           *user_data,
                    la_int64_t      request)
{
  ZipReader *reader = user_data;

  /* Zero tells libarchive to read its way forward instead. */
  if (lseek (reader->fd, request, SEEK_CUR) < 0)
    return 0;
  reader->next_read = SMALL_READ;

  return request;
}

static la_int64_t
zip_reader_seek_cb (struct archive *a,
                    void           *user_data,
                    la_int64_t      offset,
                    int             whence)
{
  ZipReader *reader = user_data;
  off_t position = lseek (reader->fd, offset, whence);

  if (position < 0)
    {
      archive_set_error (a, errno, "Cannot seek: %s", g_strerror (errno));
      return ARCHIVE_FATAL;
    }
  reader->next_read = SMALL_READ;

  return position;
}

static ZipReader *
zip_reader_open (const char  *zip_path,
                 GError     **error)
{
  g_autoptr(ZipReader) reader = g_new0 (ZipReader, 1);

  reader->fd = g_open (zip_path, O_RDONLY | O_CLOEXEC, 0);
  if (reader->fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                   "Cannot open zip '%s': %s", zip_path, g_strerror (saved_errno));
      return NULL;
    }

  reader->buffer = g_malloc (BLOCK_SIZE);
  reader->next_read = SMALL_READ;
  reader->archive = archive_read_new ();

  /* Both readers: the seekable one wins whenever it finds the central
   * directory, which alone holds modes and symlinks; the streaming one
   * reads what the seekable one cannot, such as an empty zip (22 bytes
   * of end record, which libarchive's seekable reader does not see). */
  archive_read_support_format_zip (reader->archive);

  archive_read_set_callback_data (reader->archive, reader);
  archive_read_set_read_callback (reader->archive, zip_reader_read_cb);
  archive_read_set_skip_callback (reader->archive, zip_reader_skip_cb);
  archive_read_set_seek_callback (reader->archive, zip_reader_seek_cb);

  if (archive_read_open1 (reader->archive) != ARCHIVE_OK)
    {
      set_archive_error (error, reader->archive, zip_path);
      return NULL;
    }

  return g_steal_pointer (&reader);
}

static gboolean
next_header (struct archive         *a,
             struct archive_entry  **entry,
             const char             *zip_path,
             gboolean               *done,
             GError                **error)
{
  int r = archive_read_next_header (a, entry);

  *done = r == ARCHIVE_EOF;
  if (r == ARCHIVE_EOF || r == ARCHIVE_OK || r == ARCHIVE_WARN)
    return TRUE;

  return set_archive_error (error, a, zip_path);
}

static const char *
entry_name (struct archive_entry *entry)
{
  const char *name = archive_entry_pathname (entry);

  return name != NULL ? name : archive_entry_pathname_utf8 (entry);
}

/* As the kernel's MAXSYMLINKS: a chain longer than this is a loop. */
#define MAX_LINK_HOPS 40

static void
push_components (GPtrArray  *pending,
                 const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);

  /* Reversed: the next component is the last element. */
  for (guint i = g_strv_length (parts); i > 0; i--)
    g_ptr_array_add (pending, g_steal_pointer (&parts[i - 1]));
}

/* The target of the symlink @path below @root_fd when one is there on
 * disk. @path has no symlink before its last component (the caller
 * resolved them), so fstatat follows nothing. */
static char *
disk_link_target (int         root_fd,
                  const char *path)
{
  char buffer[4096];
  struct stat st;
  gssize n;

  if (root_fd < 0 || fstatat (root_fd, path, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
      !S_ISLNK (st.st_mode))
    return NULL;

  n = readlinkat (root_fd, path, buffer, sizeof buffer - 1);
  /* A link we cannot read is one we cannot vouch for: "/" refuses it. */
  if (n < 0)
    return g_strdup ("/");
  buffer[n] = '\0';

  return g_strdup (buffer);
}

/* Whether the symlink @name pointing to @target stays inside the root
 * when followed as the kernel follows it: component by component, each
 * component that is itself a link (one of the zip's, @links, or one
 * already on disk below @root_fd, unless it is -1) replaced by its
 * target. Reading the target as text is not enough: with `y -> .`, the
 * target `y/y/y/../../..` climbs three folders out. A `..` above the root
 * at any point, an absolute target or a loop is refused. */
static gboolean
symlink_stays_inside (GHashTable *links,
                      int         root_fd,
                      const char *name,
                      const char *target)
{
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) resolved = g_string_new (NULL);
  g_autoptr(GArray) lengths = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_autofree char *dir = NULL;
  guint hops = 0;

  if (target == NULL || target[0] == '\0' || target[0] == '/')
    return FALSE;

  /* The target is read from the folder holding the link. */
  push_components (pending, target);
  dir = g_path_get_dirname (name);
  if (!g_str_equal (dir, "."))
    push_components (pending, dir);

  while (pending->len > 0)
    {
      g_autofree char *part = g_ptr_array_steal_index (pending, pending->len - 1);
      g_autofree char *on_disk = NULL;
      const char *link_target;
      gsize before = resolved->len;

      if (part[0] == '\0' || g_str_equal (part, "."))
        continue;

      if (g_str_equal (part, ".."))
        {
          if (lengths->len == 0)
            return FALSE;
          g_string_truncate (resolved, g_array_index (lengths, gsize, lengths->len - 1));
          g_array_set_size (lengths, lengths->len - 1);
          continue;
        }

      if (resolved->len > 0)
        g_string_append_c (resolved, '/');
      g_string_append (resolved, part);

      link_target = links != NULL ? g_hash_table_lookup (links, resolved->str) : NULL;
      if (link_target == NULL)
        link_target = on_disk = disk_link_target (root_fd, resolved->str);

      if (link_target == NULL)
        {
          g_array_append_val (lengths, before);
          continue;
        }

      /* A link: its target replaces it, read from the same folder. */
      g_string_truncate (resolved, before);
      if (++hops > MAX_LINK_HOPS || link_target[0] == '\0' || link_target[0] == '/')
        return FALSE;
      push_components (pending, link_target);
    }

  return TRUE;
}

/* Whether @name lies under one of the symlinks in @links. */
static gboolean
under_symlink (GHashTable *links,
               const char *name)
{
  g_autofree char *prefix = g_strdup (name);
  char *slash;

  while ((slash = strrchr (prefix, '/')) != NULL)
    {
      *slash = '\0';
      if (g_hash_table_contains (links, prefix))
        return TRUE;
    }

  return FALSE;
}

/* What the first pass learnt, to share the second between workers. */
typedef struct
{
  /* Uncompressed size of each entry, in order. */
  GArray   *sizes;
  guint64   total;
  /* Two entries of one name must be written in order: no workers. */
  gboolean    duplicates;
  /* Every symlink, name to target, to follow chains through them. */
  GHashTable *links;
} Plan;

static void
plan_clear (Plan *plan)
{
  g_clear_pointer (&plan->sizes, g_array_unref);
  g_clear_pointer (&plan->links, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Plan, plan_clear)

/* The first pass: every name and symlink is checked before anything is
 * written, so a hostile zip changes nothing at all. */
static gboolean
check_entries_uncached (const char    *zip_path,
                        Plan          *plan,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(ZipReader) reader = zip_reader_open (zip_path, error);
  g_autoptr(GHashTable) links = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  struct archive_entry *entry;
  gboolean done = FALSE;
  GHashTableIter iter;
  const char *link_name;
  const char *link_target;

  if (reader == NULL)
    return FALSE;

  plan->sizes = g_array_new (FALSE, FALSE, sizeof (guint64));

  for (;;)
    {
      g_autofree char *name = NULL;
      const char *raw;
      guint64 size;

      if (!next_header (reader->archive, &entry, zip_path, &done, error))
        return FALSE;
      if (done)
        break;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      raw = entry_name (entry);
      name = clean_name (raw);
      if (name == NULL)
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                       "%s: entry '%s' would be written outside the folder",
                       zip_path, raw != NULL ? raw : "");
          return FALSE;
        }

      if (under_symlink (links, name))
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                       "%s: entry '%s' would be written through a symlink", zip_path, raw);
          return FALSE;
        }

      if (archive_entry_filetype (entry) == AE_IFLNK)
        {
          const char *target = archive_entry_symlink (entry);
          const char *known = g_hash_table_lookup (links, name);

          if (target == NULL || (known != NULL && !g_str_equal (known, target)))
            {
              g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                           "%s: symlink '%s' %s", zip_path, raw,
                           target == NULL ? "has no target" : "appears twice, with two targets");
              return FALSE;
            }
          g_hash_table_insert (links, g_strdup (name), g_strdup (target));
        }

      if (!g_hash_table_add (names, g_steal_pointer (&name)))
        plan->duplicates = TRUE;

      size = archive_entry_size_is_set (entry) ? (guint64)archive_entry_size (entry) : 0;
      g_array_append_val (plan->sizes, size);
      plan->total += size;
    }

  /* Links are followed through each other once all are known: a link
   * may go through one that comes later in the zip. */
  g_hash_table_iter_init (&iter, links);
  while (g_hash_table_iter_next (&iter, (gpointer *)&link_name, (gpointer *)&link_target))
    {
      if (!symlink_stays_inside (links, -1, link_name, link_target))
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                       "%s: symlink '%s' points outside the folder (to '%s')",
                       zip_path, link_name, link_target);
          return FALSE;
        }
    }
  plan->links = g_steal_pointer (&links);

  return TRUE;
}

/* An artifact version is written once and never changed, and one source
 * version is often extracted by every action of a pipeline (100 actions,
 * 100 extractions of one zip): the plan of a zip that passed its check is
 * kept, keyed by the file's identity and change time, so later
 * extractions of it skip the first pass. A zip rewritten in place gets a
 * new change time and is checked again. */
#define PLAN_CACHE_MAX 64

typedef struct
{
  dev_t    dev;
  ino_t    ino;
  off_t    size;
  gint64   ctime_ns;
  gint64   mtime_ns;
} ZipIdentity;

typedef struct
{
  ZipIdentity  id;
  GArray      *sizes;
  guint64      total;
  gboolean     duplicates;
  GHashTable  *links;
} CachedPlan;

static GMutex plan_cache_lock;
static GQueue plan_cache = G_QUEUE_INIT;

static void
cached_plan_free (CachedPlan *cached)
{
  g_array_unref (cached->sizes);
  g_hash_table_unref (cached->links);
  g_free (cached);
}

static gboolean
zip_identity (const char  *zip_path,
              ZipIdentity *id)
{
  struct stat st;

  if (stat (zip_path, &st) != 0)
    return FALSE;

  id->dev = st.st_dev;
  id->ino = st.st_ino;
  id->size = st.st_size;
  id->ctime_ns = (gint64)st.st_ctim.tv_sec * G_GINT64_CONSTANT (1000000000) + st.st_ctim.tv_nsec;
  id->mtime_ns = (gint64)st.st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st.st_mtim.tv_nsec;

  return TRUE;
}

static gboolean
plan_cache_lookup (const ZipIdentity *id,
                   Plan              *plan)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&plan_cache_lock);

  for (GList *l = plan_cache.head; l != NULL; l = l->next)
    {
      CachedPlan *cached = l->data;

      if (memcmp (&cached->id, id, sizeof *id) == 0)
        {
          plan->sizes = g_array_ref (cached->sizes);
          plan->total = cached->total;
          plan->duplicates = cached->duplicates;
          plan->links = g_hash_table_ref (cached->links);
          /* Most recently used first. */
          g_queue_unlink (&plan_cache, l);
          g_queue_push_head_link (&plan_cache, l);
          return TRUE;
        }
    }

  return FALSE;
}

static void
plan_cache_insert (const ZipIdentity *id,
                   const Plan        *plan)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&plan_cache_lock);
  CachedPlan *cached = g_new0 (CachedPlan, 1);

  cached->id = *id;
  cached->sizes = g_array_ref (plan->sizes);
  cached->total = plan->total;
  cached->duplicates = plan->duplicates;
  cached->links = g_hash_table_ref (plan->links);
  g_queue_push_head (&plan_cache, cached);

  while (plan_cache.length > PLAN_CACHE_MAX)
    cached_plan_free (g_queue_pop_tail (&plan_cache));
}

static gboolean
check_entries (const char    *zip_path,
               Plan          *plan,
               GCancellable  *cancellable,
               GError       **error)
{
  ZipIdentity before, after;

  /* The identity is zeroed whole, padding included, for memcmp. */
  memset (&before, 0, sizeof before);
  memset (&after, 0, sizeof after);

  if (!zip_identity (zip_path, &before))
    return check_entries_uncached (zip_path, plan, cancellable, error);

  if (plan_cache_lookup (&before, plan))
    return TRUE;

  if (!check_entries_uncached (zip_path, plan, cancellable, error))
    return FALSE;

  /* Kept only when the zip did not change while it was checked. */
  if (zip_identity (zip_path, &after) && memcmp (&before, &after, sizeof before) == 0)
    plan_cache_insert (&before, plan);

  return TRUE;
}

/* The second pass writes with *at() calls relative to the root, refusing
 * to pass through any symlink already on disk, so the folder's own
 * contents cannot redirect a write outside either. */
typedef struct
{
  int          root_fd;
  /* The plan's symlinks: the only ones this pass may create. */
  GHashTable  *links;
  /* The folder of the previous entry, kept open: entries of one folder
   * usually follow each other. */
  char        *cached_dir;
  int          cached_fd;
} Extract;

static void
extract_clear (Extract *x)
{
  if (x->cached_fd >= 0 && x->cached_fd != x->root_fd)
    g_close (x->cached_fd, NULL);
  x->cached_fd = -1;
  g_clear_pointer (&x->cached_dir, g_free);
}

/* An fd for the folder @dir (relative, clean), created as needed. */
static int
open_dir (Extract     *x,
          const char  *dir,
          GError     **error)
{
  int fd;

  if (x->cached_dir != NULL && g_str_equal (x->cached_dir, dir))
    return x->cached_fd;

  extract_clear (x);

  if (dir[0] == '\0')
    {
      x->cached_dir = g_strdup ("");
      x->cached_fd = x->root_fd;
      return x->root_fd;
    }

  fd = _pw_fs_open_dir_at (x->root_fd, dir, TRUE, error);
  if (fd < 0)
    return -1;

  x->cached_dir = g_strdup (dir);
  x->cached_fd = fd;

  return fd;
}

/* Makes room for a new file or symlink at @base: an old file or symlink
 * goes (we never write through it), a folder stays and is an error. */
static gboolean
remove_old (int          dir_fd,
            const char  *base,
            const char  *name,
            GError     **error)
{
  struct stat st;

  if (fstatat (dir_fd, base, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return errno == ENOENT ? TRUE : set_errno_error (error, errno, "Cannot replace", name);

  if (S_ISDIR (st.st_mode))
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                   "Cannot extract '%s': a folder is in the way", name);
      return FALSE;
    }

  if (unlinkat (dir_fd, base, 0) != 0 && errno != ENOENT)
    return set_errno_error (error, errno, "Cannot replace", name);

  return TRUE;
}

/* The process's umask, read without changing it (umask(2) cannot read
 * it alone, and setting it back races with other threads creating
 * files), or -1 when the kernel does not say. */
static int
process_umask (void)
{
  static gsize initialized;
  static int mask = -1;

  if (g_once_init_enter (&initialized))
    {
      g_autofree char *status = NULL;

      if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
        {
          const char *line = strstr (status, "\nUmask:");

          if (line != NULL)
            {
              char *end = NULL;
              guint64 value = g_ascii_strtoull (line + strlen ("\nUmask:"), &end, 8);

              if (end != NULL && end != line + strlen ("\nUmask:") && value <= 0777)
                mask = (int)value;
            }
        }
      g_once_init_leave (&initialized, 1);
    }

  return mask;
}

static gboolean
extract_regular (struct archive        *a,
                 struct archive_entry  *entry,
                 int                    dir_fd,
                 const char            *base,
                 const char            *name,
                 const char            *zip_path,
                 GCancellable          *cancellable,
                 GError               **error)
{
  struct timespec times[2];
  gint64 end = 0;
  gboolean ok = FALSE;
  /* Exact permission bits, executable ones included, whatever our umask;
   * set-id bits never come from an artifact. When the umask leaves them
   * alone (0644 and 0755 files under the usual 022), the file is created
   * with them and needs no fchmod: a system call less per file. */
  int mode = archive_entry_perm (entry) & 0777;
  int mask = process_umask ();
  gboolean exact = mask >= 0 && (mode & mask) == 0;
  int fd;

  fd = openat (dir_fd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
               exact ? mode : 0600);
  if (fd < 0 && errno == EEXIST)
    {
      /* Replace, never truncate: the old file may be a hard link to
       * something outside. */
      if (!remove_old (dir_fd, base, name, error))
        return FALSE;
      fd = openat (dir_fd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                   exact ? mode : 0600);
    }
  if (fd < 0)
    return set_errno_error (error, errno, "Cannot create", name);

  for (;;)
    {
      const void *data;
      size_t size;
      la_int64_t offset;
      int r = archive_read_data_block (a, &data, &size, &offset);

      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        {
          set_archive_error (error, a, zip_path);
          goto out;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;

      while (size > 0)
        {
          gssize n = pwrite (fd, data, size, offset);

          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            {
              set_errno_error (error, errno, "Cannot write", name);
              goto out;
            }
          data = (const char *)data + n;
          size -= n;
          offset += n;
        }
      end = MAX (end, offset);
    }

  /* A sparse tail has no data block; the size is still the entry's. */
  if (archive_entry_size_is_set (entry) && archive_entry_size (entry) > end &&
      ftruncate (fd, archive_entry_size (entry)) != 0)
    {
      set_errno_error (error, errno, "Cannot write", name);
      goto out;
    }

  if (!exact && fchmod (fd, mode) != 0)
    {
      set_errno_error (error, errno, "Cannot set the mode of", name);
      goto out;
    }

  times[0].tv_sec = 0;
  times[0].tv_nsec = UTIME_OMIT;
  times[1].tv_sec = archive_entry_mtime (entry);
  times[1].tv_nsec = archive_entry_mtime_nsec (entry);
  if (archive_entry_mtime_is_set (entry))
    futimens (fd, times);

  ok = TRUE;

out:
  if (!g_close (fd, ok ? error : NULL))
    ok = FALSE;

  return ok;
}

static gboolean
extract_entry (Extract               *x,
               struct archive        *a,
               struct archive_entry  *entry,
               const char            *name,
               const char            *zip_path,
               GCancellable          *cancellable,
               GError               **error)
{
  g_autofree char *dir = NULL;
  const char *base;
  const char *slash;
  int dir_fd;

  switch (archive_entry_filetype (entry))
    {
    case AE_IFDIR:
      dir_fd = open_dir (x, name, error);
      if (dir_fd < 0)
        return FALSE;
      /* Folders stay writable and searchable for us, or extracting into
       * them (and cleaning up) would fail. */
      if (fchmod (dir_fd, (archive_entry_perm (entry) & 0777) | 0700) != 0)
        return set_errno_error (error, errno, "Cannot set the mode of", name);
      return TRUE;

    case AE_IFREG:
    case AE_IFLNK:
      break;

    default:
      g_debug ("%s: skipping '%s', neither file, symlink nor folder", zip_path, name);
      return TRUE;
    }

  slash = strrchr (name, '/');
  dir = slash != NULL ? g_strndup (name, slash - name) : g_strdup ("");
  base = slash != NULL ? slash + 1 : name;

  dir_fd = open_dir (x, dir, error);
  if (dir_fd < 0)
    return FALSE;

  if (archive_entry_filetype (entry) == AE_IFREG)
    return extract_regular (a, entry, dir_fd, base, name, zip_path, cancellable, error);

  /* Only the links the first pass checked: the zip could have changed
   * since. */
  if (g_strcmp0 (g_hash_table_lookup (x->links, name), archive_entry_symlink (entry)) != 0)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                   "%s: symlink '%s' points outside the folder", zip_path, name);
      return FALSE;
    }

  if (symlinkat (archive_entry_symlink (entry), dir_fd, base) != 0)
    {
      if (errno != EEXIST)
        return set_errno_error (error, errno, "Cannot create symlink", name);
      if (!remove_old (dir_fd, base, name, error))
        return FALSE;
      if (symlinkat (archive_entry_symlink (entry), dir_fd, base) != 0)
        return set_errno_error (error, errno, "Cannot create symlink", name);
    }

  return TRUE;
}

/* One worker's share of the second pass: entries [start, end). */
typedef struct
{
  const char   *zip_path;
  int           root_fd;
  GHashTable   *links;
  guint         start;
  guint         end;
  GCancellable *cancellable;
  /* Shared: set by the first worker to fail, so the others stop. */
  gint         *failed;
  GError       *error;
} Worker;

static gboolean
extract_range (Worker *w)
{
  g_autoptr(ZipReader) reader = zip_reader_open (w->zip_path, &w->error);
  Extract x = { w->root_fd, w->links, NULL, -1 };
  struct archive_entry *entry;
  gboolean done = FALSE;
  gboolean ok = FALSE;

  if (reader == NULL)
    return FALSE;

  for (guint index = 0; index < w->end; index++)
    {
      g_autofree char *name = NULL;

      if (!next_header (reader->archive, &entry, w->zip_path, &done, &w->error))
        goto out;
      if (done)
        break;
      /* Walking past the entries of other workers reads their headers
       * only. */
      if (index < w->start)
        continue;

      if (g_atomic_int_get (w->failed))
        break;
      if (g_cancellable_set_error_if_cancelled (w->cancellable, &w->error))
        goto out;

      name = clean_name (entry_name (entry));
      /* check_entries refused these, but the zip may have changed since. */
      if (name == NULL)
        {
          g_set_error (&w->error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                       "%s: entry '%s' would be written outside the folder",
                       w->zip_path, entry_name (entry));
          goto out;
        }
      /* The root itself. */
      if (name[0] == '\0')
        continue;

      if (!extract_entry (&x, reader->archive, entry, name, w->zip_path,
                          w->cancellable, &w->error))
        goto out;
    }

  ok = TRUE;

out:
  extract_clear (&x);
  if (!ok)
    g_atomic_int_set (w->failed, TRUE);

  return ok;
}

static gpointer
worker_thread (gpointer user_data)
{
  g_auto(LocaleScope) scope = locale_scope_enter ();

  extract_range (user_data);

  return NULL;
}

/* How many workers, and where each one's share begins: about the same
 * number of bytes each, counting a block for every entry's creation. */
static guint
split_plan (const Plan *plan,
            guint      *starts)
{
  guint n_entries = plan->sizes->len;
  guint64 weight = 0;
  guint64 done = 0;
  guint n_workers;
  guint k = 1;

  if (plan->duplicates || n_entries < PARALLEL_MIN_ENTRIES || plan->total < PARALLEL_MIN_BYTES)
    n_workers = 1;
  else
    n_workers = CLAMP (g_get_num_processors (), 1, MAX_WORKERS);

  starts[0] = 0;
  if (n_workers == 1)
    return 1;

  for (guint i = 0; i < n_entries; i++)
    weight += g_array_index (plan->sizes, guint64, i) + 4096;

  for (guint i = 0; i < n_entries && k < n_workers; i++)
    {
      if (done >= weight * k / n_workers)
        starts[k++] = i;
      done += g_array_index (plan->sizes, guint64, i) + 4096;
    }

  return k;
}

/* Extracts into the open folder @root_fd; @label names it in errors.
 * @populated says it may hold files already, whose symlinks the zip's own
 * links could be chained through. */
static gboolean
extract_at (const char    *zip_path,
            int            root_fd,
            const char    *label,
            gboolean       populated,
            GCancellable  *cancellable,
            GError       **error)
{
  g_auto(Plan) plan = { NULL, 0, FALSE, NULL };
  Worker workers[MAX_WORKERS];
  GThread *threads[MAX_WORKERS] = { NULL };
  guint starts[MAX_WORKERS];
  gint failed = FALSE;
  guint n_workers;
  gboolean ok = TRUE;

  if (!check_entries (zip_path, &plan, cancellable, error))
    return FALSE;

  /* The links of the zip were checked among themselves; in a folder that
   * already has links (an earlier deploy's, a build's), they are followed
   * through those too, before anything is written. */
  if (populated)
    {
      GHashTableIter iter;
      const char *name;
      const char *target;

      g_hash_table_iter_init (&iter, plan.links);
      while (g_hash_table_iter_next (&iter, (gpointer *)&name, (gpointer *)&target))
        {
          if (!symlink_stays_inside (plan.links, root_fd, name, target))
            {
              g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                           "%s: symlink '%s' points outside the folder (to '%s', through the "
                           "links already in %s)", zip_path, name, target, label);
              return FALSE;
            }
        }
    }

  n_workers = split_plan (&plan, starts);

  for (guint k = 0; k < n_workers; k++)
    {
      workers[k].zip_path = zip_path;
      workers[k].root_fd = root_fd;
      workers[k].links = plan.links;
      workers[k].start = starts[k];
      workers[k].end = k + 1 < n_workers ? starts[k + 1] : G_MAXUINT;
      workers[k].cancellable = cancellable;
      workers[k].failed = &failed;
      workers[k].error = NULL;
    }

  /* The calling thread takes the first share; a worker that cannot get a
   * thread of its own runs here afterwards. */
  for (guint k = 1; k < n_workers; k++)
    threads[k] = g_thread_try_new ("pw-extract", worker_thread, &workers[k], NULL);

  extract_range (&workers[0]);

  for (guint k = 1; k < n_workers; k++)
    {
      if (threads[k] != NULL)
        g_thread_join (threads[k]);
      else
        extract_range (&workers[k]);
    }

  for (guint k = 0; k < n_workers; k++)
    {
      if (workers[k].error != NULL)
        {
          if (ok)
            g_propagate_error (error, g_steal_pointer (&workers[k].error));
          else
            g_clear_error (&workers[k].error);
          ok = FALSE;
        }
    }

  return ok;
}

/**
 * pw_artifact_extract:
 * @zip_path: a zip
 * @dir: where its contents go; created if needed, may hold files already
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Extracts @zip_path into @dir, keeping modes and symlinks; existing
 * files and symlinks of the same name are replaced. Nothing is written
 * when an entry would land outside @dir: an absolute name, a `..`, an
 * entry under a symlink, or a symlink that leaves @dir when followed
 * (through the zip's other links and those already in @dir). A symlink
 * found on disk in @dir is never followed either. Large zips are
 * extracted by several threads, each writing its own share of the
 * entries.
 *
 * Returns: %TRUE on success
 */
gboolean
pw_artifact_extract (const char    *zip_path,
                     const char    *dir,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_return_val_if_fail (zip_path != NULL, FALSE);
  g_return_val_if_fail (dir != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return pw_artifact_extract_beneath (zip_path, dir, "", cancellable, error);
}

/**
 * pw_artifact_extract_beneath:
 * @zip_path: a zip
 * @root: a folder of ours or the user's (created if needed)
 * @relative: the folder below @root to extract into, as a pipeline's
 *   content names it (an S3 ObjectKey); empty for @root itself
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * As pw_artifact_extract() into @root/@relative, where @relative is
 * opened one component at a time and created as needed without following
 * a symlink or climbing with `..`.
 *
 * Returns: %TRUE on success
 */
gboolean
pw_artifact_extract_beneath (const char    *zip_path,
                             const char    *root,
                             const char    *relative,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_auto(LocaleScope) scope = locale_scope_enter ();
  g_autofree char *label = NULL;
  gboolean populated;
  gboolean ok;
  struct stat st;
  int root_fd;

  g_return_val_if_fail (zip_path != NULL, FALSE);
  g_return_val_if_fail (root != NULL, FALSE);
  g_return_val_if_fail (relative != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* A folder made just now holds no links to chain through. */
  populated = g_stat (root, &st) == 0;

  root_fd = _pw_fs_open_dir_beneath (root, relative, TRUE, error);
  if (root_fd < 0)
    return FALSE;

  label = relative[0] != '\0' ? g_build_filename (root, relative, NULL) : g_strdup (root);
  ok = extract_at (zip_path, root_fd, label, populated, cancellable, error);
  g_close (root_fd, NULL);

  return ok;
}

/**
 * pw_artifact_list:
 * @zip_path: a zip
 * @error: return location for an error
 *
 * Returns: (transfer full) (element-type utf8) (nullable): the entry
 *   names as stored, in order; folders end in `/`
 */
GPtrArray *
pw_artifact_list (const char  *zip_path,
                  GError     **error)
{
  g_auto(LocaleScope) scope = locale_scope_enter ();
  g_autoptr(ZipReader) reader = NULL;
  g_autoptr(GPtrArray) names = NULL;
  struct archive_entry *entry;
  gboolean done = FALSE;

  g_return_val_if_fail (zip_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  reader = zip_reader_open (zip_path, error);
  if (reader == NULL)
    return NULL;

  names = g_ptr_array_new_with_free_func (g_free);

  for (;;)
    {
      const char *name;

      if (!next_header (reader->archive, &entry, zip_path, &done, error))
        return NULL;
      if (done)
        break;

      name = entry_name (entry);
      g_ptr_array_add (names, g_strdup (name != NULL ? name : ""));
    }

  return g_steal_pointer (&names);
}
