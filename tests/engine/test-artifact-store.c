/* test-artifact-store.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <glib/gstdio.h>

#include <pw-engine.h>

#define UNICODE_NAME "h\xc3\xa9llo \xe2\x9c\x93.txt"

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("test-artifacts-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return;
  if (!S_ISDIR (st.st_mode))
    {
      g_assert_cmpint (g_unlink (path), ==, 0);
      return;
    }

  g_chmod (path, 0755);
  dir = g_dir_open (path, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      rm_rf (child);
    }
  g_assert_cmpint (g_rmdir (path), ==, 0);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  rm_rf (fixture->dir);
  g_free (fixture->dir);
}

static char *
path_in (const char *dir,
         const char *relative)
{
  return g_build_filename (dir, relative, NULL);
}

static void
write_file (const char *root,
            const char *relative,
            const char *contents,
            gssize      length,
            int         mode)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = path_in (root, relative);
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

static void
make_link (const char *root,
           const char *relative,
           const char *target)
{
  g_autofree char *path = path_in (root, relative);

  g_assert_cmpint (symlink (target, path), ==, 0);
}

static char *
make_source_tree (Fixture *fixture)
{
  g_autofree char *src = path_in (fixture->dir, "src");
  g_autofree char *empty = path_in (src, "empty/inner");
  g_autofree char *random = g_malloc (3 * 1024 * 1024 + 7);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  for (gsize i = 0; i < 3 * 1024 * 1024 + 7; i += 4)
    {
      guint32 r = g_rand_int (rand);

      memcpy (random + i, &r, MIN (4, 3 * 1024 * 1024 + 7 - i));
    }
  while (text->len < 3 * 1024 * 1024)
    g_string_append_printf (text, "line %zu: the quick brown fox\n", text->len);

  write_file (src, "bin/run.sh", "#!/bin/sh\necho hi\n", -1, 0755);
  write_file (src, "config/private.key", "key", -1, 0600);
  write_file (src, "README.md", "# readme\n", -1, 0644);
  write_file (src, ".hidden", "dot", -1, 0644);
  write_file (src, "empty-file", "", 0, 0644);
  write_file (src, UNICODE_NAME, "unicode", -1, 0644);
  write_file (src, "data/random.bin", random, 3 * 1024 * 1024 + 7, 0644);
  write_file (src, "data/text.log", text->str, text->len, 0644);
  write_file (src, "deep/a/b/c/d.txt", "deep", -1, 0444);
  make_link (src, "bin/latest", "run.sh");
  make_link (src, "up-link", "deep/a/../a/b");
  make_link (src, "dangling", "not-there");
  g_assert_cmpint (g_mkdir_with_parents (empty, 0755), ==, 0);

  return g_steal_pointer (&src);
}

/* Compares two trees: types, permission bits, contents, link targets and
 * modification times. */
static void
assert_same_tree (const char *a,
                  const char *b)
{
  g_autoptr(GDir) dir = g_dir_open (a, 0, NULL);
  g_autoptr(GDir) other = g_dir_open (b, 0, NULL);
  const char *name;
  guint n_a = 0;
  guint n_b = 0;

  g_assert_nonnull (dir);
  g_assert_nonnull (other);

  while (g_dir_read_name (other) != NULL)
    n_b++;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *pa = path_in (a, name);
      g_autofree char *pb = path_in (b, name);
      GStatBuf sa, sb;

      n_a++;
      g_assert_cmpint (g_lstat (pa, &sa), ==, 0);
      if (g_lstat (pb, &sb) != 0)
        g_error ("'%s' is missing", pb);

      g_assert_cmpuint (sa.st_mode & S_IFMT, ==, sb.st_mode & S_IFMT);

      if (S_ISDIR (sa.st_mode))
        assert_same_tree (pa, pb);
      else if (S_ISLNK (sa.st_mode))
        {
          g_autofree char *ta = g_file_read_link (pa, NULL);
          g_autofree char *tb = g_file_read_link (pb, NULL);

          g_assert_cmpstr (ta, ==, tb);
        }
      else
        {
          g_autofree char *ca = NULL;
          g_autofree char *cb = NULL;
          gsize la, lb;

          g_assert_cmpuint (sa.st_mode & 07777, ==, sb.st_mode & 07777);
          g_assert_cmpint (sa.st_mtime, ==, sb.st_mtime);
          g_assert_true (g_file_get_contents (pa, &ca, &la, NULL));
          g_assert_true (g_file_get_contents (pb, &cb, &lb, NULL));
          g_assert_cmpmem (ca, la, cb, lb);
        }
    }

  g_assert_cmpuint (n_a, ==, n_b);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *)a, *(const char * const *)b);
}

static void
assert_only_entries (const char         *dir,
                     const char * const *names)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *got = NULL;
  g_autofree char *want = NULL;
  const char *name;

  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (found, g_strdup (name));
  g_ptr_array_sort (found, compare_strings);
  g_ptr_array_add (found, NULL);

  got = g_strjoinv (" ", (char **)found->pdata);
  want = g_strjoinv (" ", (char **)names);
  g_assert_cmpstr (got, ==, want);
}

static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *src = make_source_tree (fixture);
  g_autofree char *zip = path_in (fixture->dir, "out.zip");
  g_autofree char *dst = path_in (fixture->dir, "dst/nested");
  g_autoptr(GPtrArray) names = NULL;
  g_autofree char *listed = NULL;
  GStatBuf st;

  g_assert_true (pw_artifact_zip_dir (zip, src, NULL, &error));
  g_assert_no_error (error);

  /* Store for random data, deflate for text: the zip is a bit over the
   * random file, far under the text file. */
  g_assert_cmpint (g_stat (zip, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 3 * 1024 * 1024);
  g_assert_cmpint (st.st_size, <, 4 * 1024 * 1024);

  names = pw_artifact_list (zip, &error);
  g_assert_no_error (error);
  g_ptr_array_add (names, NULL);
  listed = g_strjoinv (" | ", (char **)names->pdata);
  g_assert_cmpstr (listed, ==,
                   ".hidden | README.md | bin/latest | bin/run.sh | config/private.key | "
                   "dangling | data/random.bin | data/text.log | deep/a/b/c/d.txt | "
                   "empty/inner/ | empty-file | " UNICODE_NAME " | up-link");

  g_assert_true (pw_artifact_extract (zip, dst, NULL, &error));
  g_assert_no_error (error);
  assert_same_tree (src, dst);

  /* Extracting again over the same files works too. */
  g_assert_true (pw_artifact_extract (zip, dst, NULL, &error));
  g_assert_no_error (error);
  assert_same_tree (src, dst);
}

/* Big enough for extraction to be shared between threads. */
static char *
make_large_tree (Fixture *fixture)
{
  g_autofree char *src = path_in (fixture->dir, "large");
  g_autofree char *empty = path_in (src, "m-empty");
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  gsize size = 512 * 1024;
  g_autofree guint32 *data = g_new (guint32, size / 4);

  for (guint i = 0; i < 48; i++)
    {
      g_autofree char *name = g_strdup_printf ("d%u/file%02u.bin", i / 8, i);

      for (gsize k = 0; k < size / 4; k++)
        data[k] = g_rand_int (rand);
      /* Sizes differ, so shares are not all alike. */
      write_file (src, name, (const char *)data, size - i * 1000, i % 3 == 0 ? 0755 : 0644);
    }
  make_link (src, "d0/link", "file00.bin");
  g_assert_cmpint (g_mkdir_with_parents (empty, 0755), ==, 0);

  return g_steal_pointer (&src);
}

static void
test_parallel_extract (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *src = make_large_tree (fixture);
  g_autofree char *zip = path_in (fixture->dir, "large.zip");
  g_autofree char *dst = path_in (fixture->dir, "dst");
  g_autofree char *other = path_in (fixture->dir, "other");
  g_autofree char *blocker = path_in (other, "d5");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_assert_true (pw_artifact_zip_dir (zip, src, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (pw_artifact_extract (zip, dst, NULL, &error));
  g_assert_no_error (error);
  assert_same_tree (src, dst);

  /* A failure in the last share fails the whole extraction. */
  write_file (other, "d5", "a file where a folder goes", -1, 0644);
  g_assert_false (pw_artifact_extract (zip, other, NULL, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT);
  g_assert_true (g_file_test (blocker, G_FILE_TEST_IS_REGULAR));
  g_clear_error (&error);

  g_cancellable_cancel (cancellable);
  g_assert_false (pw_artifact_extract (zip, other, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_other_readers (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *src = make_source_tree (fixture);
  g_autofree char *zip = path_in (fixture->dir, "out.zip");
  g_autofree char *python = g_find_program_in_path ("python3");
  g_autoptr(GSubprocess) check = NULL;
  g_autofree char *out = NULL;
  const char *script =
    "import sys, zipfile\n"
    "z = zipfile.ZipFile(sys.argv[1])\n"
    "assert z.testzip() is None\n"
    "for i in z.infolist():\n"
    "    print(i.filename, oct(i.external_attr >> 16), i.compress_type, i.flag_bits & 0x800)\n";

  /* python3 is a build dependency (build-aux/install-deps): missing is a failure. */
  g_assert_nonnull (python);

  g_assert_true (pw_artifact_zip_dir (zip, src, NULL, &error));
  g_assert_no_error (error);

  /* Another implementation reads it: CRCs, modes, UTF-8 names. */
  check = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                            python, "-c", script, zip, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (check, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (check));

  g_assert_nonnull (strstr (out, "bin/run.sh 0o100755 8 0\n"));
  g_assert_nonnull (strstr (out, "config/private.key 0o100600 8 0\n"));
  g_assert_nonnull (strstr (out, "bin/latest 0o120777 0 0\n"));
  g_assert_nonnull (strstr (out, "data/random.bin 0o100644 0 0\n"));
  g_assert_nonnull (strstr (out, "data/text.log 0o100644 8 0\n"));
  g_assert_nonnull (strstr (out, UNICODE_NAME " 0o100644 8 2048\n"));
}

static void
test_zip_files (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *src = make_source_tree (fixture);
  g_autofree char *zip = path_in (fixture->dir, "out.zip");
  g_autofree char *dst = path_in (fixture->dir, "dst");
  g_autofree char *readme = path_in (dst, "docs/README.md");
  g_autofree char *run = path_in (dst, "run.sh");
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify)pw_artifact_file_free);
  g_autoptr(GPtrArray) names = NULL;
  g_autofree char *contents = NULL;
  PwArtifactFile *file;

  file = g_new0 (PwArtifactFile, 1);
  file->source = path_in (src, "README.md");
  file->name = g_strdup ("docs/README.md");
  g_ptr_array_add (files, file);
  file = g_new0 (PwArtifactFile, 1);
  file->source = path_in (src, "bin/run.sh");
  file->name = g_strdup ("./run.sh");
  g_ptr_array_add (files, file);

  g_assert_true (pw_artifact_zip_files (zip, files, NULL, &error));
  g_assert_no_error (error);

  names = pw_artifact_list (zip, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (names->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (names, 0), ==, "docs/README.md");
  g_assert_cmpstr (g_ptr_array_index (names, 1), ==, "run.sh");

  g_assert_true (pw_artifact_extract (zip, dst, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (readme, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "# readme\n");
  g_assert_true (g_file_test (run, G_FILE_TEST_IS_EXECUTABLE));
}

static void
test_invalid_names (Fixture       *fixture,
                    gconstpointer  data)
{
  static const char * const bad[] = { "../evil", "/abs", "a/../../b", "", "./", NULL };
  g_autofree char *src = make_source_tree (fixture);
  g_autofree char *zip = path_in (fixture->dir, "out.zip");

  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) files = NULL;
      PwArtifactFile *file = g_new0 (PwArtifactFile, 1);

      files = g_ptr_array_new_with_free_func ((GDestroyNotify)pw_artifact_file_free);
      file->source = path_in (src, "README.md");
      file->name = g_strdup (bad[i]);
      g_ptr_array_add (files, file);

      g_assert_false (pw_artifact_zip_files (zip, files, NULL, &error));
      g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT);
      g_assert_false (g_file_test (zip, G_FILE_TEST_EXISTS));
    }
}

static void
test_atomic (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *src = make_source_tree (fixture);
  g_autofree char *store = path_in (fixture->dir, "store");
  g_autofree char *zip = path_in (store, "Build.zip");
  g_autofree char *contents = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify)pw_artifact_file_free);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  const char * const only_zip[] = { "Build.zip", NULL };
  PwArtifactFile *file;

  g_assert_cmpint (g_mkdir (store, 0755), ==, 0);
  g_assert_true (pw_artifact_zip_dir (zip, src, NULL, &error));
  g_assert_no_error (error);
  assert_only_entries (store, only_zip);

  /* Replacing it works and leaves no temporary file either. */
  g_assert_true (pw_artifact_zip_dir (zip, src, NULL, &error));
  g_assert_no_error (error);
  assert_only_entries (store, only_zip);

  /* A failure halfway keeps the old zip and leaves nothing behind. */
  g_file_set_contents (zip, "old", -1, &error);
  g_assert_no_error (error);
  file = g_new0 (PwArtifactFile, 1);
  file->source = path_in (src, "README.md");
  file->name = g_strdup ("README.md");
  g_ptr_array_add (files, file);
  file = g_new0 (PwArtifactFile, 1);
  file->source = path_in (src, "vanished");
  file->name = g_strdup ("vanished");
  g_ptr_array_add (files, file);

  g_assert_false (pw_artifact_zip_files (zip, files, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  assert_only_entries (store, only_zip);
  g_assert_true (g_file_get_contents (zip, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "old");

  g_cancellable_cancel (cancellable);
  g_assert_false (pw_artifact_zip_dir (zip, src, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  assert_only_entries (store, only_zip);
}

/* Crafted zips, written with libarchive directly as an attacker would. */
typedef struct
{
  const char *name;
  const char *symlink;
  const char *contents;
} Crafted;

static void
write_crafted (const char    *zip,
               const Crafted *entries,
               guint          n_entries)
{
  struct archive *a = archive_write_new ();

  archive_write_set_format_zip (a);
  g_assert_cmpint (archive_write_open_filename (a, zip), ==, ARCHIVE_OK);

  for (guint i = 0; i < n_entries; i++)
    {
      struct archive_entry *entry = archive_entry_new ();

      archive_entry_set_pathname (entry, entries[i].name);
      if (entries[i].symlink != NULL)
        {
          archive_entry_set_filetype (entry, AE_IFLNK);
          archive_entry_set_perm (entry, 0777);
          archive_entry_set_symlink (entry, entries[i].symlink);
          archive_entry_set_size (entry, 0);
          g_assert_cmpint (archive_write_header (a, entry), ==, ARCHIVE_OK);
        }
      else
        {
          gsize length = strlen (entries[i].contents);

          archive_entry_set_filetype (entry, AE_IFREG);
          archive_entry_set_perm (entry, 0644);
          archive_entry_set_size (entry, length);
          g_assert_cmpint (archive_write_header (a, entry), ==, ARCHIVE_OK);
          g_assert_cmpint (archive_write_data (a, entries[i].contents, length), ==, length);
        }
      archive_entry_free (entry);
    }

  g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
  archive_write_free (a);
}

static void
assert_refused (Fixture       *fixture,
                const Crafted *entries,
                guint          n_entries)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *zip = path_in (fixture->dir, "evil.zip");
  g_autofree char *parent = path_in (fixture->dir, "target");
  g_autofree char *dst = path_in (parent, "dst");
  g_autofree char *evil = path_in (parent, "evil");
  g_autofree char *good = path_in (dst, "good.txt");

  rm_rf (parent);
  g_assert_cmpint (g_mkdir_with_parents (dst, 0755), ==, 0);
  write_crafted (zip, entries, n_entries);

  g_assert_false (pw_artifact_extract (zip, dst, NULL, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT);
  g_test_message ("refused: %s", error->message);

  /* Nothing at all was written, not even the harmless entries. */
  g_assert_false (g_file_test (evil, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (good, G_FILE_TEST_EXISTS));
  {
    const char * const nothing[] = { NULL };

    assert_only_entries (dst, nothing);
  }
}

static void
test_refuse_escapes (Fixture       *fixture,
                     gconstpointer  data)
{
  const Crafted dotdot[] = {
    { "good.txt", NULL, "fine" },
    { "../evil", NULL, "pwned" },
  };
  const Crafted nested_dotdot[] = {
    { "good.txt", NULL, "fine" },
    { "sub/../../evil", NULL, "pwned" },
  };
  const Crafted absolute[] = {
    { "good.txt", NULL, "fine" },
    { "/tmp/pipewright-test-evil", NULL, "pwned" },
  };
  const Crafted link_out[] = {
    { "good.txt", NULL, "fine" },
    { "sub/link", "../../evil", NULL },
  };
  const Crafted link_absolute[] = {
    { "good.txt", NULL, "fine" },
    { "etc", "/etc", NULL },
  };
  const Crafted through_link[] = {
    { "good.txt", NULL, "fine" },
    { "inside", "sub", NULL },
    { "inside/file", NULL, "through a link" },
  };
  /* Each link stays inside on paper; followed, `d1/d2/l` would leave. */
  const Crafted link_chain[] = {
    { "good.txt", NULL, "fine" },
    { "d1", ".", NULL },
    { "d1/d2/l", "../../evil", NULL },
  };

  /* Read as text, each target stays inside; followed through the other
   * link (`y` is the folder itself), it climbs out. */
  const Crafted through_links[] = {
    { "good.txt", NULL, "fine" },
    { "y", ".", NULL },
    { "x", "y/y/y/../../..", NULL },
  };
  const Crafted through_later_link[] = {
    { "good.txt", NULL, "fine" },
    { "x", "z/z/../..", NULL },
    { "z", ".", NULL },
  };

  assert_refused (fixture, dotdot, G_N_ELEMENTS (dotdot));
  assert_refused (fixture, nested_dotdot, G_N_ELEMENTS (nested_dotdot));
  assert_refused (fixture, absolute, G_N_ELEMENTS (absolute));
  g_assert_false (g_file_test ("/tmp/pipewright-test-evil", G_FILE_TEST_EXISTS));
  assert_refused (fixture, link_out, G_N_ELEMENTS (link_out));
  assert_refused (fixture, link_absolute, G_N_ELEMENTS (link_absolute));
  assert_refused (fixture, through_link, G_N_ELEMENTS (through_link));
  assert_refused (fixture, link_chain, G_N_ELEMENTS (link_chain));
  assert_refused (fixture, through_links, G_N_ELEMENTS (through_links));
  assert_refused (fixture, through_later_link, G_N_ELEMENTS (through_later_link));
}

/* A zip that passed its check once and is then rewritten in place (not
 * how the store writes, but a user's S3 source folder may) is checked
 * again: the check of its old contents is not reused. */
static void
test_rewritten_zip_checked_again (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *zip = path_in (fixture->dir, "source.zip");
  g_autofree char *first = path_in (fixture->dir, "first");
  g_autofree char *second = path_in (fixture->dir, "second");
  g_autofree char *evil = path_in (fixture->dir, "evil");
  const Crafted benign[] = {
    { "good.txt", NULL, "fine" },
    { "sub/also.txt", NULL, "fine too" },
  };
  const Crafted escaping[] = {
    { "good.txt", NULL, "fine" },
    { "../evil", NULL, "pwned" },
  };
  const char * const nothing[] = { NULL };
  struct timespec times[2] = { { 0, UTIME_OMIT }, { 0, 0 } };
  GStatBuf st;
  int fd;

  write_crafted (zip, benign, G_N_ELEMENTS (benign));
  g_assert_true (pw_artifact_extract (zip, first, NULL, &error));
  g_assert_no_error (error);
  /* The second time, from the kept check. */
  g_assert_true (pw_artifact_extract (zip, second, NULL, &error));
  g_assert_no_error (error);
  assert_same_tree (first, second);

  /* Same path, same inode: libarchive truncates and rewrites it. */
  g_assert_cmpint (g_stat (zip, &st), ==, 0);
  write_crafted (zip, escaping, G_N_ELEMENTS (escaping));
  /* A later modification time, as a rewrite a tick later would have. */
  times[1].tv_sec = st.st_mtime + 1;
  fd = g_open (zip, O_RDONLY, 0);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (futimens (fd, times), ==, 0);
  g_close (fd, NULL);

  rm_rf (second);
  g_assert_cmpint (g_mkdir (second, 0755), ==, 0);
  g_assert_false (pw_artifact_extract (zip, second, NULL, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT);
  g_assert_false (g_file_test (evil, G_FILE_TEST_EXISTS));
  assert_only_entries (second, nothing);
}

static void
test_inside_links_allowed (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *zip = path_in (fixture->dir, "links.zip");
  g_autofree char *dst = path_in (fixture->dir, "dst");
  g_autofree char *link = path_in (dst, "a/b/up");
  g_autofree char *target = NULL;
  const Crafted entries[] = {
    { "a/b/file", NULL, "x" },
    { "a/b/up", "../../a/./b/file", NULL },
  };

  write_crafted (zip, entries, G_N_ELEMENTS (entries));
  g_assert_true (pw_artifact_extract (zip, dst, NULL, &error));
  g_assert_no_error (error);
  target = g_file_read_link (link, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (target, ==, "../../a/./b/file");
}

static void
test_existing_links_on_disk (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *zip = path_in (fixture->dir, "plain.zip");
  g_autofree char *dst = path_in (fixture->dir, "dst");
  g_autofree char *outside = path_in (fixture->dir, "outside");
  g_autofree char *secret = path_in (outside, "secret.txt");
  g_autofree char *contents = NULL;
  const Crafted through_dir[] = { { "sub/file", NULL, "pwned" } };

  g_assert_cmpint (g_mkdir_with_parents (dst, 0755), ==, 0);
  write_file (outside, "secret.txt", "original", -1, 0644);

  /* A folder on disk that is really a symlink out is not followed. */
  make_link (dst, "sub", outside);
  write_crafted (zip, through_dir, G_N_ELEMENTS (through_dir));
  g_assert_false (pw_artifact_extract (zip, dst, NULL, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT);
  g_clear_error (&error);
  {
    g_autofree char *file = path_in (outside, "file");

    g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  }

  /* A link of the zip chained through a link already on disk. */
  {
    const Crafted chained[] = { { "x", "y/y/y/../..", NULL } };
    g_autofree char *x = path_in (dst, "x");

    make_link (dst, "y", ".");
    write_crafted (zip, chained, G_N_ELEMENTS (chained));
    g_assert_false (pw_artifact_extract (zip, dst, NULL, &error));
    g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT);
    g_clear_error (&error);
    g_assert_false (g_file_test (x, G_FILE_TEST_IS_SYMLINK));
  }

  /* A file on disk that is a symlink out is replaced, not written to. */
  {
    const Crafted replace[] = { { "x.txt", NULL, "new" } };
    g_autofree char *x = path_in (dst, "x.txt");

    make_link (dst, "x.txt", secret);
    write_crafted (zip, replace, G_N_ELEMENTS (replace));
    g_assert_true (pw_artifact_extract (zip, dst, NULL, &error));
    g_assert_no_error (error);
    g_assert_false (g_file_test (x, G_FILE_TEST_IS_SYMLINK));
    g_assert_true (g_file_get_contents (x, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, "new");
    g_clear_pointer (&contents, g_free);
    g_assert_true (g_file_get_contents (secret, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, "original");
  }
}

static void
test_extract_into_existing (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *zip = path_in (fixture->dir, "update.zip");
  g_autofree char *dst = path_in (fixture->dir, "dst");
  g_autofree char *keep = path_in (dst, "keep.txt");
  g_autofree char *old = path_in (dst, "dir/old.txt");
  g_autofree char *replaced = path_in (dst, "readonly.txt");
  g_autofree char *added = path_in (dst, "dir/new.txt");
  g_autofree char *contents = NULL;
  const Crafted entries[] = {
    { "dir/new.txt", NULL, "new" },
    { "readonly.txt", NULL, "replaced" },
  };
  const Crafted folder_in_the_way[] = { { "dir", NULL, "a file where a folder is" } };

  write_file (dst, "keep.txt", "keep", -1, 0644);
  write_file (dst, "dir/old.txt", "old", -1, 0644);
  write_file (dst, "readonly.txt", "read only", -1, 0444);
  write_crafted (zip, entries, G_N_ELEMENTS (entries));

  g_assert_true (pw_artifact_extract (zip, dst, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_test (keep, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (old, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_get_contents (added, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "new");
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (replaced, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "replaced");

  write_crafted (zip, folder_in_the_way, G_N_ELEMENTS (folder_in_the_way));
  g_assert_false (pw_artifact_extract (zip, dst, NULL, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT);
}

static void
test_bad_zip (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *zip = path_in (fixture->dir, "garbage.zip");
  g_autofree char *missing = path_in (fixture->dir, "missing.zip");
  g_autofree char *dst = path_in (fixture->dir, "dst");
  g_autoptr(GPtrArray) names = NULL;

  write_file (fixture->dir, "garbage.zip", "this is not a zip at all", -1, 0644);
  g_assert_false (pw_artifact_extract (zip, dst, NULL, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT);
  g_clear_error (&error);

  names = pw_artifact_list (missing, &error);
  g_assert_null (names);
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT);
}

static void
test_empty (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *src = path_in (fixture->dir, "src");
  g_autofree char *zip = path_in (fixture->dir, "empty.zip");
  g_autofree char *dst = path_in (fixture->dir, "dst");
  g_autoptr(GPtrArray) names = NULL;
  const char * const nothing[] = { NULL };

  g_assert_cmpint (g_mkdir (src, 0755), ==, 0);
  g_assert_true (pw_artifact_zip_dir (zip, src, NULL, &error));
  g_assert_no_error (error);

  names = pw_artifact_list (zip, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (names->len, ==, 0);

  g_assert_true (pw_artifact_extract (zip, dst, NULL, &error));
  g_assert_no_error (error);
  assert_only_entries (dst, nothing);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/engine/artifact-store/round-trip", test_round_trip);
  ADD ("/engine/artifact-store/parallel-extract", test_parallel_extract);
  ADD ("/engine/artifact-store/other-readers", test_other_readers);
  ADD ("/engine/artifact-store/zip-files", test_zip_files);
  ADD ("/engine/artifact-store/invalid-names", test_invalid_names);
  ADD ("/engine/artifact-store/atomic", test_atomic);
  ADD ("/engine/artifact-store/refuse-escapes", test_refuse_escapes);
  ADD ("/engine/artifact-store/rewritten-zip-checked-again", test_rewritten_zip_checked_again);
  ADD ("/engine/artifact-store/inside-links-allowed", test_inside_links_allowed);
  ADD ("/engine/artifact-store/existing-links-on-disk", test_existing_links_on_disk);
  ADD ("/engine/artifact-store/extract-into-existing", test_extract_into_existing);
  ADD ("/engine/artifact-store/bad-zip", test_bad_zip);
  ADD ("/engine/artifact-store/empty", test_empty);

#undef ADD

  return g_test_run ();
}
