/* bench-artifacts.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Times passing an artifact from one stage to the next: zip a folder into
 * the artifact store, then extract it into a fresh folder, against the
 * cheapest copy there is, `tar -cf - | tar -xf -` of the same files.
 * The workload is 200 MB (10^6 bytes) of random data in 1,000 files, the
 * worst case for a zip: nothing compresses. Prints one figure a line,
 * `name: value unit`, like bench-core. */

#include "config.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <pw-engine.h>

#define RUNS      5
#define N_FILES   1000
#define FILE_SIZE (200 * 1000)

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y ? 1 : 0;
}

static double
median (GArray *samples)
{
  g_array_sort (samples, compare_double);

  return g_array_index (samples, double, samples->len / 2);
}

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode))
    {
      dir = g_dir_open (path, 0, NULL);
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          rm_rf (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

/* 1,000 files of random data in 10 folders. */
static void
make_workload (const char *src)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (2026);
  g_autofree guint32 *data = g_new (guint32, FILE_SIZE / 4);

  for (guint i = 0; i < N_FILES; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *dir = g_strdup_printf ("%s/dir%02u", src, i / 100);
      g_autofree char *path = g_strdup_printf ("%s/file%04u.bin", dir, i);

      for (guint k = 0; k < FILE_SIZE / 4; k++)
        data[k] = g_rand_int (rand);

      g_mkdir_with_parents (dir, 0755);
      if (!g_file_set_contents (path, (const char *)data, FILE_SIZE, &error))
        g_error ("%s", error->message);
    }
}

static double
time_zip_extract (const char *src,
                  const char *zip,
                  const char *dst,
                  double     *zip_ms)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 zipped;

  if (!pw_artifact_zip_dir (zip, src, NULL, &error))
    g_error ("zip: %s", error->message);
  zipped = g_get_monotonic_time ();
  if (!pw_artifact_extract (zip, dst, NULL, &error))
    g_error ("extract: %s", error->message);

  *zip_ms = (zipped - start) / 1000.0;

  return (g_get_monotonic_time () - start) / 1000.0;
}

static double
time_tar_pipe (const char *src,
               const char *dst)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) tar = NULL;
  gint64 start;

  g_mkdir_with_parents (dst, 0755);

  start = g_get_monotonic_time ();
  tar = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
                          "/bin/sh", "-c", "tar -C \"$0\" -cf - . | tar -C \"$1\" -xf -",
                          src, dst, NULL);
  if (tar == NULL || !g_subprocess_wait_check (tar, NULL, &error))
    g_error ("tar: %s", error->message);

  return (g_get_monotonic_time () - start) / 1000.0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) zip_extract = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) zip_only = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) tar_pipe = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *root = g_dir_make_tmp ("bench-artifacts-XXXXXX", &error);
  g_autofree char *src = NULL;
  g_autofree char *store = NULL;
  g_autofree char *zip = NULL;
  g_autofree char *dst = NULL;
  GStatBuf st;
  double ours, theirs;

  if (root == NULL)
    g_error ("%s", error->message);

  src = g_build_filename (root, "src", NULL);
  store = g_build_filename (root, "store", NULL);
  zip = g_build_filename (store, "Artifact.zip", NULL);
  dst = g_build_filename (root, "dst", NULL);
  make_workload (src);
  g_mkdir_with_parents (store, 0755);

  /* One untimed round of each warms caches; then they alternate, so
   * neither always runs on a fresher page cache. Each starts with nothing
   * dirty, so neither pays for writing back the other's files. */
  for (guint i = 0; i <= RUNS; i++)
    {
      double t, z;

      sync ();
      t = time_zip_extract (src, zip, dst, &z);
      if (i == RUNS)
        g_stat (zip, &st);
      /* Each action execution writes a new zip: replacing the old one
       * (and freeing its 200 MB) is no part of passing an artifact. */
      rm_rf (zip);
      rm_rf (dst);
      if (i > 0)
        {
          g_array_append_val (zip_extract, t);
          g_array_append_val (zip_only, z);
        }

      sync ();
      t = time_tar_pipe (src, dst);
      rm_rf (dst);
      if (i > 0)
        g_array_append_val (tar_pipe, t);
    }

  ours = median (zip_extract);
  theirs = median (tar_pipe);

  printf ("artifacts.files: %u files, %u MB\n", N_FILES, N_FILES * FILE_SIZE / 1000000);
  printf ("artifacts.zip_size: %.1f MB\n", st.st_size / 1e6);
  printf ("artifacts.zip_median: %.1f ms\n", median (zip_only));
  printf ("artifacts.zip_extract_median: %.1f ms\n", ours);
  printf ("artifacts.tar_pipe_median: %.1f ms\n", theirs);
  printf ("artifacts.ratio: %.2f x\n", ours / theirs);

  rm_rf (root);

  return 0;
}
