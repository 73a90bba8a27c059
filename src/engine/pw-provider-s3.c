/* pw-provider-s3.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-provider-s3"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "pw-engine-private.h"

/* S3 as local folders.
 *
 * A bucket is a folder: the profile's `s3.<bucket>` (relative to the
 * profile), or by default `<pipeline_dir>/.pipewright/s3/<bucket>`, so an
 * S3 deploy in one pipeline can feed an S3 source in another. An object
 * key is a path inside it.
 *
 * Source (`Source / AWS / S3`): the object is `sources.<ActionName>.path`
 * when the profile has one, otherwise `<bucket folder>/<S3ObjectKey>`.
 * A .zip is copied as the output artifact; a folder is zipped (a local
 * convenience: the real service only reads zips). Output variables:
 * ETag, the MD5 of the artifact zip as S3 computes it for a simple
 * upload; VersionId, a content hash (the first 32 hex digits of SHA-256
 * over the zip, or for a folder over each file's path, mode and bytes in
 * order), so it changes exactly when the content does. The revision is
 * the VersionId.
 *
 * Deploy (`Deploy / AWS / S3`): Extract "true" unpacks the input into the
 * bucket folder (below ObjectKey when given, as a key prefix); "false"
 * copies the zip to `<bucket folder>/<ObjectKey>`. Existing objects with
 * other keys stay, as in a bucket. */

#define N_LISTED_OBJECTS 50

/* Shared helpers ------------------------------------------------------------ */

static void job_log (PwActionJob *job,
                     const char  *format,
                     ...) G_GNUC_PRINTF (2, 3);

static void
job_log (PwActionJob *job,
         const char  *format,
         ...)
{
  PwLog *log = pw_action_job_get_log (job);
  g_autofree char *text = NULL;
  va_list args;

  if (log == NULL)
    return;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  pw_log_printf (log, "%s\n", text);
}

static PwLocalProfile *
dup_profile (PwActionJob *job)
{
  PwLocalProfile *profile = pw_action_job_get_profile (job);

  return profile != NULL ? g_object_ref (profile) : pw_local_profile_new ();
}

static char *
bucket_dir (PwActionJob    *job,
            PwLocalProfile *profile,
            const char     *bucket)
{
  const char *mapped = pw_local_profile_get_string (profile, "s3", bucket, NULL);
  const char *pipeline_dir = pw_action_job_get_pipeline_dir (job);

  if (mapped != NULL)
    return pw_local_profile_resolve_path (profile, mapped);

  if (pipeline_dir == NULL)
    pipeline_dir = pw_local_profile_get_base_dir (profile);

  return g_build_filename (pipeline_dir, ".pipewright", "s3", bucket, NULL);
}

/* An object key as a relative path: `a//b/./c` → `a/b/c`; NULL when a
 * `..` would leave the bucket folder. */
static char *
key_to_path (const char *key)
{
  g_auto(GStrv) parts = g_strsplit (key, "/", -1);
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (*parts[i] == '\0' || g_str_equal (parts[i], "."))
        continue;
      if (g_str_equal (parts[i], ".."))
        return NULL;
      g_ptr_array_add (kept, parts[i]);
    }
  g_ptr_array_add (kept, NULL);

  return g_strjoinv ("/", (char **)kept->pdata);
}

static gboolean
bucket_name_is_valid (const char *bucket)
{
  return *bucket != '\0' && strchr (bucket, '/') == NULL &&
         !g_str_equal (bucket, ".") && !g_str_equal (bucket, "..");
}

static gboolean
checksum_stream (GChecksum     *checksum,
                 const char    *path,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = g_file_read (file, cancellable, error);
  guchar buffer[64 * 1024];

  if (stream == NULL)
    return FALSE;

  for (;;)
    {
      gssize n = g_input_stream_read (G_INPUT_STREAM (stream), buffer, sizeof buffer,
                                      cancellable, error);

      if (n < 0)
        return FALSE;
      if (n == 0)
        return TRUE;
      g_checksum_update (checksum, buffer, n);
    }
}

static char *
file_checksum (GChecksumType   type,
               const char     *path,
               GCancellable   *cancellable,
               GError        **error)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (type);

  if (!checksum_stream (checksum, path, cancellable, error))
    return NULL;

  return g_strdup (g_checksum_get_string (checksum));
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *)a, *(const char * const *)b);
}

static gboolean
hash_tree (GChecksum     *checksum,
           const char    *dir,
           const char    *relative,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (handle == NULL)
    return FALSE;

  while ((name = g_dir_read_name (handle)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      const char *child_name = g_ptr_array_index (names, i);
      g_autofree char *child = g_build_filename (dir, child_name, NULL);
      g_autofree char *child_relative = relative != NULL
        ? g_strconcat (relative, "/", child_name, NULL)
        : g_strdup (child_name);
      g_autofree char *header = NULL;
      GStatBuf st;

      if (g_lstat (child, &st) != 0)
        continue;

      header = g_strdup_printf ("%c %s %o\n",
                                S_ISDIR (st.st_mode) ? 'd' : S_ISLNK (st.st_mode) ? 'l' : 'f',
                                child_relative, (guint)(st.st_mode & 07777));
      g_checksum_update (checksum, (const guchar *)header, strlen (header));

      if (S_ISDIR (st.st_mode))
        {
          if (!hash_tree (checksum, child, child_relative, cancellable, error))
            return FALSE;
        }
      else if (S_ISLNK (st.st_mode))
        {
          g_autofree char *target = g_file_read_link (child, NULL);

          if (target != NULL)
            g_checksum_update (checksum, (const guchar *)target, strlen (target));
        }
      else if (S_ISREG (st.st_mode))
        {
          if (!checksum_stream (checksum, child, cancellable, error))
            return FALSE;
        }
    }

  return TRUE;
}

/* A zip starts with a local file header, or (empty) the end record. */
static gboolean
looks_like_zip (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = g_file_read (file, NULL, NULL);
  guchar magic[4] = { 0 };
  gsize length = 0;

  if (stream == NULL ||
      !g_input_stream_read_all (G_INPUT_STREAM (stream), magic, sizeof magic, &length,
                                NULL, NULL) ||
      length != sizeof magic)
    return FALSE;

  return magic[0] == 'P' && magic[1] == 'K' &&
         ((magic[2] == 3 && magic[3] == 4) || (magic[2] == 5 && magic[3] == 6));
}

/* Copies through a temporary file beside @destination, then renames, so
 * a reader never sees half an object. */
static gboolean
copy_atomically (const char    *source,
                 const char    *destination,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autofree char *tmp = g_strdup_printf ("%s.pw-tmp-%08x", destination, g_random_int ());
  g_autoptr(GFile) from = g_file_new_for_path (source);
  g_autoptr(GFile) to = g_file_new_for_path (tmp);

  if (!g_file_copy (from, to, G_FILE_COPY_OVERWRITE, cancellable, NULL, NULL, error))
    {
      g_unlink (tmp);
      return FALSE;
    }

  if (g_rename (tmp, destination) != 0)
    {
      int saved_errno = errno;

      g_unlink (tmp);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot write %s: %s", destination, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

static void
job_fail (GTask       *task,
          PwActionJob *job,
          int          code,
          const char  *message)
{
  pw_action_job_set_summary (job, message);
  job_log (job, "%s", message);
  g_task_return_new_error (task, PW_ENGINE_ERROR, code, "%s", message);
}

/* S3 source ----------------------------------------------------------------- */

struct _PwS3SourceProvider
{
  GObject parent_instance;
};

typedef struct
{
  /* Owned references */
  PwActionJob *job;

  char        *bucket;
  char        *key;
  char        *object_path;
  /* What is read: the object's path, or its descriptor's. */
  char        *read_path;
  int          object_fd;
  char        *output_name;
  char        *zip_path;
  gboolean     is_folder;

  /* Results of the worker thread */
  char        *etag;
  char        *version_id;
} SourceRun;

static void source_iface_init (PwProviderInterface *iface);

G_DECLARE_FINAL_TYPE (PwS3SourceProvider, pw_s3_source_provider, PW, S3_SOURCE_PROVIDER, GObject)
G_DEFINE_FINAL_TYPE_WITH_CODE (PwS3SourceProvider, pw_s3_source_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PW_TYPE_PROVIDER, source_iface_init))

static void
source_run_free (gpointer data)
{
  SourceRun *run = data;

  g_clear_object (&run->job);
  g_free (run->bucket);
  g_free (run->key);
  g_free (run->object_path);
  g_free (run->read_path);
  if (run->object_fd >= 0)
    g_close (run->object_fd, NULL);
  g_free (run->output_name);
  g_free (run->zip_path);
  g_free (run->etag);
  g_free (run->version_id);
  g_free (run);
}

static void
source_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SourceRun *run = task_data;
  g_autoptr(GChecksum) version = g_checksum_new (G_CHECKSUM_SHA256);
  GError *error = NULL;

  if (run->is_folder)
    {
      if (!hash_tree (version, run->read_path, NULL, cancellable, &error) ||
          !pw_artifact_zip_dir (run->zip_path, run->read_path, cancellable, &error))
        {
          g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                                   "Cannot zip %s: %s", run->object_path, error->message);
          g_error_free (error);
          return;
        }
    }
  else
    {
      if (!looks_like_zip (run->read_path))
        {
          g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                                   "S3 object s3://%s/%s (%s) is not a zip file; an S3 source "
                                   "reads a .zip (or, locally, a folder)",
                                   run->bucket, run->key, run->object_path);
          return;
        }
      if (!checksum_stream (version, run->read_path, cancellable, &error) ||
          !copy_atomically (run->read_path, run->zip_path, cancellable, &error))
        {
          g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                                   "Cannot read %s: %s", run->object_path, error->message);
          g_error_free (error);
          return;
        }
    }

  if ((run->etag = file_checksum (G_CHECKSUM_MD5, run->zip_path, cancellable, &error)) == NULL)
    {
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                               "Cannot read %s: %s", run->zip_path, error->message);
      g_error_free (error);
      return;
    }
  run->version_id = g_strndup (g_checksum_get_string (version), 32);

  g_task_return_boolean (task, TRUE);
}

static void
source_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SourceRun *run = g_task_get_task_data (task);
  const char *wanted = pw_action_job_get_source_revision (run->job);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autofree char *summary = NULL;
  GError *error = NULL;

  if (g_cancellable_is_cancelled (cancellable))
    {
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CANCELLED,
                               "Stopped while reading s3://%s/%s", run->bucket, run->key);
      return;
    }

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      pw_action_job_set_summary (run->job, error->message);
      job_log (run->job, "%s", error->message);
      g_task_return_error (task, error);
      return;
    }

  /* A folder keeps no history: only its current version can be given. */
  if (wanted != NULL && *wanted != '\0' && !g_str_equal (wanted, run->version_id))
    {
      g_unlink (run->zip_path);
      summary = g_strdup_printf ("S3 object version %s of s3://%s/%s is not available locally; "
                                 "only the current version (%s) is",
                                 wanted, run->bucket, run->key, run->version_id);
      pw_action_job_set_summary (run->job, summary);
      job_log (run->job, "%s", summary);
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED, "%s", summary);
      return;
    }

  pw_action_job_set_output_variable (run->job, "ETag", run->etag);
  pw_action_job_set_output_variable (run->job, "VersionId", run->version_id);
  pw_action_job_add_output (run->job, run->output_name, run->zip_path, run->version_id);

  summary = g_strdup_printf ("s3://%s/%s, version %s", run->bucket, run->key, run->version_id);
  pw_action_job_set_summary (run->job, summary);
  job_log (run->job, "%s %s as %s (ETag %s, VersionId %s)",
           run->is_folder ? "Zipped" : "Copied", run->object_path, run->output_name,
           run->etag, run->version_id);

  g_task_return_boolean (task, TRUE);
}

static void
pw_s3_source_provider_run_async (PwProvider          *provider,
                                 PwActionJob         *job,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(PwLocalProfile) profile = dup_profile (job);
  g_auto(GStrv) outputs = NULL;
  g_autofree char *message = NULL;
  g_autofree char *relative_key = NULL;
  g_autoptr(GError) error = NULL;
  const char *action_name = pw_action_job_get_action_name (job);
  const char *output_dir = pw_action_job_get_output_dir (job);
  const char *mapped;
  SourceRun *run;

  task = g_task_new (provider, cancellable, callback, user_data);
  g_task_set_source_tag (task, pw_s3_source_provider_run_async);
  /* Our PW_ENGINE_ERROR_CANCELLED, not GIO's, reaches the executor. */
  g_task_set_check_cancellable (task, FALSE);

  run = g_new0 (SourceRun, 1);
  run->object_fd = -1;
  run->job = g_object_ref (job);
  g_task_set_task_data (task, run, source_run_free);

  run->bucket = g_strdup (pw_action_job_get_config (job, "S3Bucket"));
  run->key = g_strdup (pw_action_job_get_config (job, "S3ObjectKey"));
  if (run->bucket == NULL || run->key == NULL || *run->key == '\0' ||
      !bucket_name_is_valid (run->bucket))
    {
      job_fail (task, job, PW_ENGINE_ERROR_CONFIGURATION,
                   "The S3 source needs S3Bucket (a bucket name) and S3ObjectKey");
      return;
    }

  outputs = pw_action_job_dup_output_names (job);
  if (outputs == NULL || outputs[0] == NULL || output_dir == NULL)
    {
      job_fail (task, job, PW_ENGINE_ERROR_CONFIGURATION,
                   "The S3 source needs one output artifact");
      return;
    }
  run->output_name = g_strdup (outputs[0]);
  {
    g_autofree char *file_name = g_strconcat (run->output_name, ".zip", NULL);

    run->zip_path = g_build_filename (output_dir, file_name, NULL);
  }

  mapped = action_name != NULL
    ? pw_local_profile_get_string (profile, "sources", action_name, "path")
    : NULL;

  if (mapped != NULL)
    {
      run->object_path = pw_local_profile_resolve_path (profile, mapped);
      if (!g_file_test (run->object_path, G_FILE_TEST_EXISTS))
        {
          message = g_strdup_printf ("S3 object s3://%s/%s not found locally: sources.%s.path "
                                     "in the local profile names %s, which does not exist",
                                     run->bucket, run->key, action_name, run->object_path);
          job_fail (task, job, PW_ENGINE_ERROR_FAILED, message);
          return;
        }
    }
  else
    {
      g_autofree char *dir = bucket_dir (job, profile, run->bucket);

      if ((relative_key = key_to_path (run->key)) == NULL || *relative_key == '\0')
        {
          message = g_strdup_printf ("S3ObjectKey \"%s\" cannot be read locally (\"..\" or empty)",
                                     run->key);
          job_fail (task, job, PW_ENGINE_ERROR_CONFIGURATION, message);
          return;
        }
      run->object_path = g_build_filename (dir, relative_key, NULL);
      if (!g_file_test (run->object_path, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK))
        {
          job_log (job, "Looked for s3://%s/%s at %s", run->bucket, run->key, run->object_path);
          message = g_strdup_printf ("S3 object s3://%s/%s not found locally; map the bucket "
                                     "with `s3: {%s: ./folder}` in pipewright.local.yml",
                                     run->bucket, run->key, run->bucket);
          job_fail (task, job, PW_ENGINE_ERROR_FAILED, message);
          return;
        }

      /* The key is a path below the bucket folder that follows no link: a
       * deploy's content must not make a source read outside the bucket.
       * What is read is the object opened so, through its descriptor. */
      run->object_fd = _pw_fs_open_file_beneath (dir, relative_key, &error);
      if (run->object_fd < 0)
        {
          message = g_strdup_printf ("Cannot read s3://%s/%s: %s", run->bucket, run->key,
                                     error->message);
          job_fail (task, job, PW_ENGINE_ERROR_FAILED, message);
          return;
        }
      run->read_path = g_strdup_printf ("/proc/self/fd/%d", run->object_fd);
    }

  if (run->read_path == NULL)
    run->read_path = g_strdup (run->object_path);
  run->is_folder = g_file_test (run->read_path, G_FILE_TEST_IS_DIR);
  job_log (job, "Reading s3://%s/%s from %s", run->bucket, run->key, run->object_path);

  {
    g_autoptr(GTask) work = g_task_new (NULL, cancellable, source_done_cb, g_steal_pointer (&task));

    g_task_set_source_tag (work, pw_s3_source_provider_run_async);
    g_task_set_check_cancellable (work, FALSE);
    g_task_set_task_data (work, run, NULL);
    g_task_run_in_thread (work, source_thread);
  }
}

static gboolean
pw_s3_source_provider_run_finish (PwProvider    *provider,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
source_iface_init (PwProviderInterface *iface)
{
  iface->run_async = pw_s3_source_provider_run_async;
  iface->run_finish = pw_s3_source_provider_run_finish;
}

static void
pw_s3_source_provider_class_init (PwS3SourceProviderClass *klass)
{
}

static void
pw_s3_source_provider_init (PwS3SourceProvider *self)
{
}

/* S3 deploy ----------------------------------------------------------------- */

struct _PwS3DeployProvider
{
  GObject parent_instance;
};

typedef struct
{
  /* Owned references */
  PwActionJob *job;

  char        *bucket;
  char        *key;          /* normalized; "" for the bucket root */
  char        *input_zip;
  char        *bucket_dir;
  char        *target;
  gboolean     extract;

  /* Results of the worker thread */
  GPtrArray   *written;
} DeployRun;

static void deploy_iface_init (PwProviderInterface *iface);

G_DECLARE_FINAL_TYPE (PwS3DeployProvider, pw_s3_deploy_provider, PW, S3_DEPLOY_PROVIDER, GObject)
G_DEFINE_FINAL_TYPE_WITH_CODE (PwS3DeployProvider, pw_s3_deploy_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PW_TYPE_PROVIDER, deploy_iface_init))

static void
deploy_run_free (gpointer data)
{
  DeployRun *run = data;

  g_clear_object (&run->job);
  g_free (run->bucket);
  g_free (run->key);
  g_free (run->input_zip);
  g_free (run->bucket_dir);
  g_free (run->target);
  g_clear_pointer (&run->written, g_ptr_array_unref);
  g_free (run);
}

static void
deploy_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  DeployRun *run = task_data;
  GError *error = NULL;

  if (run->extract)
    {
      g_autoptr(GPtrArray) entries = NULL;

      /* The key is opened below the bucket folder without following a
       * link: one left there by an earlier deploy must not carry the
       * objects out of the bucket. */
      if ((entries = pw_artifact_list (run->input_zip, &error)) == NULL ||
          !pw_artifact_extract_beneath (run->input_zip, run->bucket_dir, run->key,
                                        cancellable, &error))
        {
          g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                                   "Cannot extract the input into %s: %s",
                                   run->target, error->message);
          g_error_free (error);
          return;
        }

      for (guint i = 0; i < entries->len; i++)
        {
          const char *entry = g_ptr_array_index (entries, i);

          /* Folders are not objects in S3. */
          if (!g_str_has_suffix (entry, "/"))
            g_ptr_array_add (run->written, g_strdup (entry));
        }
    }
  else
    {
      g_autofree char *parent = g_path_get_dirname (run->key);
      g_autofree char *base = g_path_get_basename (run->key);
      int dir_fd;
      gboolean ok;

      dir_fd = _pw_fs_open_dir_beneath (run->bucket_dir, g_str_equal (parent, ".") ? "" : parent,
                                        TRUE, &error);
      ok = dir_fd >= 0 && _pw_fs_copy_at (run->input_zip, dir_fd, base, cancellable, &error);
      if (dir_fd >= 0)
        g_close (dir_fd, NULL);
      if (!ok)
        {
          g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                                   "Cannot write s3://%s/%s: %s",
                                   run->bucket, run->key, error->message);
          g_error_free (error);
          return;
        }
      g_ptr_array_add (run->written, g_strdup (run->key));
    }

  g_task_return_boolean (task, TRUE);
}

static void
deploy_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DeployRun *run = g_task_get_task_data (task);
  g_autofree char *summary = NULL;
  GError *error = NULL;

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CANCELLED,
                               "Stopped while writing to s3://%s", run->bucket);
      return;
    }

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      pw_action_job_set_summary (run->job, error->message);
      job_log (run->job, "%s", error->message);
      g_task_return_error (task, error);
      return;
    }

  if (run->extract)
    {
      const char *prefix = run->key;
      const char *slash = *prefix != '\0' ? "/" : "";

      for (guint i = 0; i < run->written->len && i < N_LISTED_OBJECTS; i++)
        job_log (run->job, "Wrote s3://%s/%s%s%s", run->bucket, prefix, slash,
                 (const char *)g_ptr_array_index (run->written, i));
      if (run->written->len > N_LISTED_OBJECTS)
        job_log (run->job, "… and %u more objects", run->written->len - N_LISTED_OBJECTS);

      summary = g_strdup_printf ("Extracted %u object%s to s3://%s/%s%s (%s)",
                                 run->written->len, run->written->len == 1 ? "" : "s",
                                 run->bucket, prefix, slash, run->target);
    }
  else
    summary = g_strdup_printf ("Uploaded s3://%s/%s (%s)", run->bucket, run->key, run->target);

  pw_action_job_set_summary (run->job, summary);
  job_log (run->job, "%s", summary);
  g_task_return_boolean (task, TRUE);
}

static void
pw_s3_deploy_provider_run_async (PwProvider          *provider,
                                 PwActionJob         *job,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  static const char * const not_applicable[] = {
    "CannedACL", "CacheControl", "KMSEncryptionKeyARN", NULL
  };
  g_autoptr(GTask) task = NULL;
  g_autoptr(PwLocalProfile) profile = dup_profile (job);
  GPtrArray *inputs = pw_action_job_get_inputs (job);
  const char *extract;
  const char *key;
  DeployRun *run;

  task = g_task_new (provider, cancellable, callback, user_data);
  g_task_set_source_tag (task, pw_s3_deploy_provider_run_async);
  /* Our PW_ENGINE_ERROR_CANCELLED, not GIO's, reaches the executor. */
  g_task_set_check_cancellable (task, FALSE);

  run = g_new0 (DeployRun, 1);
  run->job = g_object_ref (job);
  run->written = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (task, run, deploy_run_free);

  run->bucket = g_strdup (pw_action_job_get_config (job, "BucketName"));
  if (run->bucket == NULL || !bucket_name_is_valid (run->bucket))
    {
      job_fail (task, job, PW_ENGINE_ERROR_CONFIGURATION,
                   "The S3 deploy action needs BucketName (a bucket name)");
      return;
    }

  extract = pw_action_job_get_config (job, "Extract");
  if (extract != NULL && g_ascii_strcasecmp (extract, "true") == 0)
    run->extract = TRUE;
  else if (extract != NULL && g_ascii_strcasecmp (extract, "false") == 0)
    run->extract = FALSE;
  else
    {
      job_fail (task, job, PW_ENGINE_ERROR_CONFIGURATION,
                   "The S3 deploy action needs Extract set to \"true\" or \"false\"");
      return;
    }

  key = pw_action_job_get_config (job, "ObjectKey");
  if (!run->extract && (key == NULL || *key == '\0'))
    {
      job_fail (task, job, PW_ENGINE_ERROR_CONFIGURATION,
                   "The S3 deploy action needs ObjectKey when Extract is false");
      return;
    }
  if ((run->key = key_to_path (key != NULL ? key : "")) == NULL ||
      (!run->extract && *run->key == '\0'))
    {
      g_autofree char *message = g_strdup_printf ("ObjectKey \"%s\" cannot be written locally "
                                                  "(\"..\" would leave the bucket)", key);

      job_fail (task, job, PW_ENGINE_ERROR_CONFIGURATION, message);
      return;
    }

  if (inputs == NULL || inputs->len != 1)
    {
      g_autofree char *message = g_strdup_printf ("The S3 deploy action takes exactly one input "
                                                  "artifact, not %u",
                                                  inputs != NULL ? inputs->len : 0);

      job_fail (task, job, PW_ENGINE_ERROR_ARTIFACT, message);
      return;
    }
  run->input_zip = g_strdup (((PwJobArtifact *)g_ptr_array_index (inputs, 0))->zip_path);

  for (guint i = 0; not_applicable[i] != NULL; i++)
    {
      const char *value = pw_action_job_get_config (job, not_applicable[i]);

      if (value != NULL)
        job_log (job, "%s %s: not applicable locally (ignored)", not_applicable[i], value);
    }

  run->bucket_dir = bucket_dir (job, profile, run->bucket);
  run->target = *run->key != '\0' ? g_build_filename (run->bucket_dir, run->key, NULL)
                                  : g_strdup (run->bucket_dir);
  job_log (job, "Bucket %s is the folder %s", run->bucket, run->bucket_dir);

  {
    g_autoptr(GTask) work = g_task_new (NULL, cancellable, deploy_done_cb, g_steal_pointer (&task));

    g_task_set_source_tag (work, pw_s3_deploy_provider_run_async);
    g_task_set_check_cancellable (work, FALSE);
    g_task_set_task_data (work, run, NULL);
    g_task_run_in_thread (work, deploy_thread);
  }
}

static gboolean
pw_s3_deploy_provider_run_finish (PwProvider    *provider,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
deploy_iface_init (PwProviderInterface *iface)
{
  iface->run_async = pw_s3_deploy_provider_run_async;
  iface->run_finish = pw_s3_deploy_provider_run_finish;
}

static void
pw_s3_deploy_provider_class_init (PwS3DeployProviderClass *klass)
{
}

static void
pw_s3_deploy_provider_init (PwS3DeployProvider *self)
{
}

/* Public constructors ------------------------------------------------------- */

/**
 * pw_s3_source_provider_new:
 *
 * The `Source / AWS / S3` provider: reads the object from a local folder
 * (see the top of this file).
 *
 * Returns: (transfer full): the provider
 */
PwProvider *
pw_s3_source_provider_new (void)
{
  return g_object_new (pw_s3_source_provider_get_type (), NULL);
}

/**
 * pw_s3_deploy_provider_new:
 *
 * The `Deploy / AWS / S3` provider: writes into a local bucket folder.
 *
 * Returns: (transfer full): the provider
 */
PwProvider *
pw_s3_deploy_provider_new (void)
{
  return g_object_new (pw_s3_deploy_provider_get_type (), NULL);
}
