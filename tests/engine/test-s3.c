/* test-s3.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pw-engine.h"

/* The S3 source and S3 deploy providers against bucket folders in a
 * temporary pipeline folder. */

typedef struct
{
  char  *root;
  char  *pipeline_dir;
  guint  n_runs;
} Fixture;

typedef struct
{
  GMainLoop   *loop;
  PwActionJob *job;
  gboolean     ok;
  GError      *error;
  char        *log;
} Result;

static void
result_free (Result *result)
{
  g_clear_object (&result->job);
  g_clear_error (&result->error);
  g_free (result->log);
  g_free (result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Result, result_free)

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return;
  if (!S_ISDIR (st.st_mode))
    {
      g_unlink (path);
      return;
    }

  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      remove_tree (child);
    }
  g_rmdir (path);
}

static void
write_file (const char *dir,
            const char *relative,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, relative, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static char *
read_file (const char *path)
{
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;

  return contents;
}

static char *
checksum_of (GChecksumType  type,
             const char    *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  return g_compute_checksum_for_data (type, (const guchar *)contents, length);
}

static void
assert_contains (const char *haystack,
                 const char *needle)
{
  if (haystack == NULL || strstr (haystack, needle) == NULL)
    g_error ("expected to find \"%s\" in:\n%s", needle, haystack ? haystack : "(null)");
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->root = g_dir_make_tmp ("pw-s3-XXXXXX", NULL);
  g_assert_nonnull (fixture->root);
  fixture->pipeline_dir = g_build_filename (fixture->root, "pipeline", NULL);
  g_assert_cmpint (g_mkdir (fixture->pipeline_dir, 0755), ==, 0);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  remove_tree (fixture->root);
  g_free (fixture->root);
  g_free (fixture->pipeline_dir);
}

static void
set_profile (Fixture    *fixture,
             const char *text)
{
  write_file (fixture->pipeline_dir, "pipewright.local.yml", text);
}

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Result *res = user_data;

  res->ok = pw_provider_run_finish (PW_PROVIDER (source), result, &res->error);
  g_main_loop_quit (res->loop);
}

/* @config: key, value pairs, NULL-terminated. */
static Result *
run_action (Fixture            *fixture,
            PwProvider         *provider,
            const char         *category,
            const char         *action_name,
            const char * const *config,
            const char         *input_zip,
            const char         *source_revision)
{
  g_autoptr(PwAction) action = NULL;
  g_autoptr(JsonObject) configuration = json_object_new ();
  g_autoptr(JsonNode) declaration = NULL;
  g_autoptr(PwLocalProfile) profile = NULL;
  g_autoptr(PwLog) log = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *work = NULL;
  g_autofree char *out = NULL;
  g_autofree char *log_path = NULL;
  g_autofree char *pipeline = g_build_filename (fixture->pipeline_dir, "pipeline.yml", NULL);
  g_autofree char *json = NULL;
  Result *res = g_new0 (Result, 1);

  fixture->n_runs++;
  work = g_strdup_printf ("%s/work-%u", fixture->root, fixture->n_runs);
  out = g_strdup_printf ("%s/out-%u", fixture->root, fixture->n_runs);
  log_path = g_strdup_printf ("%s/action-%u.log", fixture->root, fixture->n_runs);
  g_assert_cmpint (g_mkdir (work, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (out, 0755), ==, 0);

  /* A declared action, so its output artifact names are known. */
  json = g_strdup_printf ("{\"name\": \"%s\", \"actionTypeId\": {\"category\": \"%s\", "
                          "\"owner\": \"AWS\", \"provider\": \"S3\", \"version\": \"1\"}, "
                          "\"outputArtifacts\": [%s], \"inputArtifacts\": [%s]}",
                          action_name, category,
                          g_str_equal (category, "Source") ? "{\"name\": \"SourceOutput\"}" : "",
                          input_zip != NULL ? "{\"name\": \"Site\"}" : "");
  declaration = json_from_string (json, &error);
  g_assert_no_error (error);
  action = pw_action_new_from_declaration (declaration);

  for (guint i = 0; config[i] != NULL; i += 2)
    json_object_set_string_member (configuration, config[i], config[i + 1]);

  profile = pw_local_profile_load_beside (pipeline, &error);
  g_assert_no_error (error);
  log = pw_log_new (log_path, &error);
  g_assert_no_error (error);

  res->job = pw_action_job_new ();
  pw_action_job_set_action (res->job, action);
  pw_action_job_set_configuration (res->job, configuration);
  pw_action_job_set_work_dir (res->job, work);
  pw_action_job_set_output_dir (res->job, out);
  pw_action_job_set_pipeline_dir (res->job, fixture->pipeline_dir);
  pw_action_job_set_profile (res->job, profile);
  pw_action_job_set_log (res->job, log);
  if (source_revision != NULL)
    pw_action_job_set_source_revision (res->job, source_revision);
  if (input_zip != NULL)
    pw_action_job_add_input (res->job, "Site", input_zip, NULL);

  res->loop = loop;
  pw_provider_run_async (provider, res->job, NULL, done_cb, res);
  g_main_loop_run (loop);
  res->loop = NULL;

  pw_log_close (log);
  res->log = read_file (log_path);
  g_test_message ("%s", res->log);

  return res;
}

static Result *
run_source (Fixture    *fixture,
            const char *bucket,
            const char *key,
            const char *source_revision)
{
  g_autoptr(PwProvider) provider = pw_s3_source_provider_new ();
  const char *config[] = { "S3Bucket", bucket, "S3ObjectKey", key, NULL };

  return run_action (fixture, provider, "Source", "Upload", config, NULL, source_revision);
}

static const PwJobArtifact *
single_output (Result *res)
{
  GPtrArray *outputs = pw_action_job_get_outputs (res->job);

  g_assert_cmpuint (outputs->len, ==, 1);
  return g_ptr_array_index (outputs, 0);
}

static void
assert_entries (const char         *zip,
                const char * const *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = pw_artifact_list (zip, &error);
  g_autoptr(GPtrArray) files = g_ptr_array_new ();

  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    if (!g_str_has_suffix (g_ptr_array_index (entries, i), "/"))
      g_ptr_array_add (files, g_ptr_array_index (entries, i));

  g_assert_cmpuint (files->len, ==, g_strv_length ((char **)expected));
  for (guint i = 0; expected[i] != NULL; i++)
    g_assert_true (g_ptr_array_find_with_equal_func (files, expected[i], g_str_equal, NULL));
}

static void
test_source_folder (Fixture       *fixture,
                    gconstpointer  data)
{
  static const char * const expected[] = { "index.html", "lib/app.js", NULL };
  g_autofree char *drop = g_build_filename (fixture->pipeline_dir, "drop", NULL);
  g_autoptr(Result) first = NULL;
  g_autoptr(Result) again = NULL;
  g_autoptr(Result) changed = NULL;
  g_autofree char *etag = NULL;
  g_autofree char *output = NULL;
  GHashTable *variables;
  const PwJobArtifact *artifact;
  const char *version;

  write_file (drop, "index.html", "<h1>hi</h1>");
  write_file (drop, "lib/app.js", "1;");
  set_profile (fixture, "sources:\n  Upload: {path: ./drop}\n");

  first = run_source (fixture, "my-bucket", "app.zip", NULL);
  g_assert_no_error (first->error);
  g_assert_true (first->ok);

  artifact = single_output (first);
  output = g_strdup_printf ("%s/out-1/SourceOutput.zip", fixture->root);
  g_assert_cmpstr (artifact->name, ==, "SourceOutput");
  g_assert_cmpstr (artifact->zip_path, ==, output);
  assert_entries (artifact->zip_path, expected);

  variables = pw_action_job_get_output_variables (first->job);
  etag = checksum_of (G_CHECKSUM_MD5, artifact->zip_path);
  g_assert_cmpstr (g_hash_table_lookup (variables, "ETag"), ==, etag);
  version = g_hash_table_lookup (variables, "VersionId");
  g_assert_cmpuint (strlen (version), ==, 32);
  g_assert_cmpstr (artifact->revision, ==, version);
  assert_contains (pw_action_job_get_summary (first->job), "s3://my-bucket/app.zip, version ");

  /* The same content is the same version; a change is a new one. */
  again = run_source (fixture, "my-bucket", "app.zip", NULL);
  g_assert_no_error (again->error);
  g_assert_cmpstr (single_output (again)->revision, ==, version);

  write_file (drop, "lib/app.js", "2;");
  changed = run_source (fixture, "my-bucket", "app.zip", NULL);
  g_assert_no_error (changed->error);
  g_assert_cmpstr (single_output (changed)->revision, !=, version);
}

static void
test_source_zip (Fixture       *fixture,
                 gconstpointer  data)
{
  static const char * const expected[] = { "a.txt", NULL };
  g_autofree char *content = g_build_filename (fixture->root, "content", NULL);
  g_autofree char *zip = g_build_filename (fixture->pipeline_dir, "drop", "app.zip", NULL);
  g_autofree char *drop = g_path_get_dirname (zip);
  g_autofree char *md5 = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *original = NULL;
  g_autoptr(Result) res = NULL;
  g_autoptr(GError) error = NULL;
  GHashTable *variables;
  const PwJobArtifact *artifact;

  write_file (content, "a.txt", "A");
  g_assert_cmpint (g_mkdir_with_parents (drop, 0755), ==, 0);
  pw_artifact_zip_dir (zip, content, NULL, &error);
  g_assert_no_error (error);
  set_profile (fixture, "sources:\n  Upload: {path: drop/app.zip}\n");

  res = run_source (fixture, "my-bucket", "ignored.zip", NULL);
  g_assert_no_error (res->error);
  artifact = single_output (res);
  assert_entries (artifact->zip_path, expected);

  /* A zip is copied byte for byte. */
  copy = read_file (artifact->zip_path);
  original = read_file (zip);
  md5 = checksum_of (G_CHECKSUM_MD5, zip);
  sha = checksum_of (G_CHECKSUM_SHA256, zip);
  sha[32] = '\0';
  variables = pw_action_job_get_output_variables (res->job);
  g_assert_cmpstr (g_hash_table_lookup (variables, "ETag"), ==, md5);
  g_assert_cmpstr (g_hash_table_lookup (variables, "VersionId"), ==, sha);
  g_assert_cmpstr (artifact->revision, ==, sha);
  assert_contains (res->log, "Copied ");
}

static void
test_source_bucket (Fixture       *fixture,
                    gconstpointer  data)
{
  static const char * const expected[] = { "b.txt", NULL };
  g_autofree char *content = g_build_filename (fixture->root, "content", NULL);
  g_autofree char *bucket = g_build_filename (fixture->root, "buckets", "releases", NULL);
  g_autofree char *zip = g_build_filename (bucket, "v1", "app.zip", NULL);
  g_autofree char *zip_dir = g_path_get_dirname (zip);
  g_autofree char *default_zip = NULL;
  g_autofree char *default_dir = NULL;
  g_autofree char *profile = g_build_filename (fixture->pipeline_dir, "pipewright.local.yml", NULL);
  g_autoptr(GError) error = NULL;

  write_file (content, "b.txt", "B");
  g_assert_cmpint (g_mkdir_with_parents (zip_dir, 0755), ==, 0);
  pw_artifact_zip_dir (zip, content, NULL, &error);
  g_assert_no_error (error);

  /* A mapped bucket, with the key as a path in it. */
  set_profile (fixture, "s3:\n  releases: ../buckets/releases\n");
  {
    g_autoptr(Result) res = run_source (fixture, "releases", "v1/app.zip", NULL);

    g_assert_no_error (res->error);
    assert_entries (single_output (res)->zip_path, expected);
  }

  /* An unmapped bucket lives in .pipewright/s3/<bucket>. */
  g_unlink (profile);
  default_dir = g_build_filename (fixture->pipeline_dir, ".pipewright", "s3", "releases", "v1",
                                  NULL);
  default_zip = g_build_filename (default_dir, "app.zip", NULL);
  g_assert_cmpint (g_mkdir_with_parents (default_dir, 0755), ==, 0);
  pw_artifact_zip_dir (default_zip, content, NULL, &error);
  g_assert_no_error (error);
  {
    g_autoptr(Result) res = run_source (fixture, "releases", "/v1/app.zip", NULL);

    g_assert_no_error (res->error);
    assert_entries (single_output (res)->zip_path, expected);
  }
}

static void
test_source_errors (Fixture       *fixture,
                    gconstpointer  data)
{
  /* Nothing there. */
  {
    g_autoptr(Result) res = run_source (fixture, "nowhere", "app.zip", NULL);

    g_assert_false (res->ok);
    g_assert_error (res->error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED);
    g_assert_cmpstr (res->error->message, ==,
                     "S3 object s3://nowhere/app.zip not found locally; map the bucket with "
                     "`s3: {nowhere: ./folder}` in pipewright.local.yml");
    g_assert_cmpstr (pw_action_job_get_summary (res->job), ==, res->error->message);
    g_assert_cmpuint (pw_action_job_get_outputs (res->job)->len, ==, 0);
  }

  /* Not a zip. */
  {
    g_autofree char *bucket = g_build_filename (fixture->pipeline_dir, "bucket", NULL);
    g_autoptr(Result) res = NULL;

    write_file (bucket, "notes.txt", "plain text");
    set_profile (fixture, "s3: {b: ./bucket}\n");
    res = run_source (fixture, "b", "notes.txt", NULL);
    g_assert_error (res->error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED);
    assert_contains (res->error->message, "is not a zip file");
  }

  /* A key climbing out of the bucket. */
  {
    g_autoptr(Result) res = run_source (fixture, "b", "../secret.zip", NULL);

    g_assert_error (res->error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);
  }

  /* A version other than the one on disk. */
  {
    g_autofree char *bucket = g_build_filename (fixture->pipeline_dir, "bucket", NULL);
    g_autoptr(Result) res = NULL;

    write_file (bucket, "site/index.html", "x");
    res = run_source (fixture, "b", "site", "0123456789abcdef0123456789abcdef");
    g_assert_error (res->error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED);
    assert_contains (res->error->message, "S3 object version 0123456789abcdef0123456789abcdef "
                                          "of s3://b/site is not available locally");
  }
}

static char *
make_site_zip (Fixture *fixture)
{
  g_autofree char *content = g_build_filename (fixture->root, "site", NULL);
  char *zip = g_build_filename (fixture->root, "site.zip", NULL);
  g_autoptr(GError) error = NULL;

  write_file (content, "index.html", "<h1>site</h1>");
  write_file (content, "css/site.css", "body{}");
  pw_artifact_zip_dir (zip, content, NULL, &error);
  g_assert_no_error (error);

  return zip;
}

static Result *
run_deploy (Fixture            *fixture,
            const char * const *config,
            const char         *zip)
{
  g_autoptr(PwProvider) provider = pw_s3_deploy_provider_new ();

  return run_action (fixture, provider, "Deploy", "Publish", config, zip, NULL);
}

static void
test_deploy_extract (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *zip = make_site_zip (fixture);
  g_autofree char *public = g_build_filename (fixture->pipeline_dir, "public", NULL);

  write_file (public, "other/keep.txt", "stays");
  set_profile (fixture, "s3:\n  my-site: ./public\n");

  /* Into a prefix. */
  {
    const char *config[] = {
      "BucketName", "my-site", "Extract", "true", "ObjectKey", "v2/",
      "CannedACL", "public-read", "CacheControl", "max-age=60", NULL
    };
    g_autoptr(Result) res = run_deploy (fixture, config, zip);
    g_autofree char *index = g_build_filename (public, "v2", "index.html", NULL);
    g_autofree char *css = g_build_filename (public, "v2", "css", "site.css", NULL);
    g_autofree char *contents = NULL;
    g_autofree char *summary = NULL;

    g_assert_no_error (res->error);
    contents = read_file (index);
    g_assert_cmpstr (contents, ==, "<h1>site</h1>");
    g_assert_true (g_file_test (css, G_FILE_TEST_IS_REGULAR));
    assert_contains (res->log, "Wrote s3://my-site/v2/index.html");
    assert_contains (res->log, "Wrote s3://my-site/v2/css/site.css");
    assert_contains (res->log, "CannedACL public-read: not applicable locally (ignored)");
    assert_contains (res->log, "CacheControl max-age=60: not applicable locally (ignored)");
    summary = g_strdup_printf ("Extracted 2 objects to s3://my-site/v2/ (%s/v2)", public);
    g_assert_cmpstr (pw_action_job_get_summary (res->job), ==, summary);
  }

  /* Into the bucket root; other objects stay, as in a bucket. */
  {
    const char *config[] = { "BucketName", "my-site", "Extract", "TRUE", NULL };
    g_autoptr(Result) res = run_deploy (fixture, config, zip);
    g_autofree char *index = g_build_filename (public, "index.html", NULL);
    g_autofree char *kept = g_build_filename (public, "other", "keep.txt", NULL);

    g_assert_no_error (res->error);
    g_assert_true (g_file_test (index, G_FILE_TEST_IS_REGULAR));
    g_assert_true (g_file_test (kept, G_FILE_TEST_IS_REGULAR));
    assert_contains (res->log, "Wrote s3://my-site/index.html");
  }

  /* Again over the same objects: they are replaced. */
  {
    const char *config[] = { "BucketName", "my-site", "Extract", "true", NULL };
    g_autoptr(Result) res = run_deploy (fixture, config, zip);

    g_assert_no_error (res->error);
  }
}

static void
test_deploy_copy (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *zip = make_site_zip (fixture);
  const char *config[] = {
    "BucketName", "artifacts", "Extract", "false", "ObjectKey", "builds/site.zip",
    "KMSEncryptionKeyARN", "arn:aws:kms:us-east-1:111122223333:key/x", NULL
  };
  g_autoptr(Result) res = run_deploy (fixture, config, zip);
  /* No profile: the default bucket folder. */
  g_autofree char *target = g_build_filename (fixture->pipeline_dir, ".pipewright", "s3",
                                              "artifacts", "builds", "site.zip", NULL);
  g_autofree char *sent = NULL;
  g_autofree char *written = NULL;
  g_autofree char *summary = NULL;

  g_assert_no_error (res->error);
  sent = checksum_of (G_CHECKSUM_SHA256, zip);
  written = checksum_of (G_CHECKSUM_SHA256, target);
  g_assert_cmpstr (written, ==, sent);
  summary = g_strdup_printf ("Uploaded s3://artifacts/builds/site.zip (%s)", target);
  g_assert_cmpstr (pw_action_job_get_summary (res->job), ==, summary);
  assert_contains (res->log, "KMSEncryptionKeyARN arn:aws:kms:us-east-1:111122223333:key/x: "
                             "not applicable locally (ignored)");
}

static void
test_deploy_errors (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *zip = make_site_zip (fixture);
  const char *no_key[] = { "BucketName", "b", "Extract", "false", NULL };
  const char *bad_extract[] = { "BucketName", "b", "Extract", "maybe", NULL };
  const char *escape[] = { "BucketName", "b", "Extract", "false", "ObjectKey", "../x.zip", NULL };
  const char *no_bucket[] = { "Extract", "true", NULL };
  const char * const *cases[] = { no_key, bad_extract, escape, no_bucket };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Result) res = run_deploy (fixture, cases[i], zip);

      g_assert_false (res->ok);
      g_assert_error (res->error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);
      g_assert_cmpstr (pw_action_job_get_summary (res->job), ==, res->error->message);
    }

  /* No input artifact. */
  {
    const char *config[] = { "BucketName", "b", "Extract", "true", NULL };
    g_autoptr(Result) res = run_deploy (fixture, config, NULL);

    g_assert_error (res->error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT);
  }
}

static void
make_link (const char *dir,
           const char *name,
           const char *target)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_cmpint (symlink (target, path), ==, 0);
}

/* What lies three folders above the bucket stays as it was. */
static void
assert_untouched (const char *outside)
{
  g_autofree char *keep = g_build_filename (outside, "keep.txt", NULL);
  g_autofree char *index = g_build_filename (outside, "index.html", NULL);
  g_autofree char *object = g_build_filename (outside, "f.zip", NULL);
  g_autofree char *contents = read_file (keep);

  g_assert_cmpstr (contents, ==, "original");
  g_assert_false (g_file_test (index, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (object, G_FILE_TEST_EXISTS));
}

/* The reproduction: `ln -s . y; ln -s y/y/y/../../.. x` in the
 * source, extracted into a bucket, then an S3 deploy into ObjectKey x.
 * Read as text, x stays inside (three folders down, three up); followed,
 * y/y/y is the bucket itself and x three folders above it. */
static void
test_deploy_symlink_chain (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *outside = g_build_filename (fixture->root, "a", NULL);
  g_autofree char *site = g_build_filename (outside, "b", "c", "site", NULL);
  g_autofree char *source = g_build_filename (fixture->root, "source", NULL);
  g_autofree char *source_zip = g_build_filename (fixture->root, "source.zip", NULL);
  g_autofree char *link = g_build_filename (site, "x", NULL);
  g_autofree char *zip = make_site_zip (fixture);
  g_autoptr(GError) error = NULL;

  write_file (outside, "keep.txt", "original");
  g_assert_cmpint (g_mkdir_with_parents (site, 0755), ==, 0);
  set_profile (fixture, "s3:\n  site: ../a/b/c/site\n");

  write_file (source, "keep.txt", "replaced");
  make_link (source, "y", ".");
  make_link (source, "x", "y/y/y/../../..");
  pw_artifact_zip_dir (source_zip, source, NULL, &error);
  g_assert_no_error (error);

  /* The source itself is refused: nothing of it reaches the bucket. */
  {
    const char *config[] = { "BucketName", "site", "Extract", "true", NULL };
    g_autoptr(Result) res = run_deploy (fixture, config, source_zip);

    g_assert_false (res->ok);
    g_assert_error (res->error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED);
    assert_contains (res->error->message, "symlink 'x' points outside the folder");
    g_assert_false (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  }

  /* The same links already in the bucket folder (a user's, or from
   * before this check) are never followed by a write. */
  make_link (site, "y", ".");
  make_link (site, "x", "y/y/y/../../..");
  {
    const char *config[] = { "BucketName", "site", "Extract", "true", "ObjectKey", "x", NULL };
    g_autoptr(Result) res = run_deploy (fixture, config, zip);

    g_assert_false (res->ok);
    assert_contains (res->error->message, "is a symbolic link");
  }
  {
    const char *config[] = {
      "BucketName", "site", "Extract", "false", "ObjectKey", "x/f.zip", NULL
    };
    g_autoptr(Result) res = run_deploy (fixture, config, zip);

    g_assert_false (res->ok);
    assert_contains (res->error->message, "is a symbolic link");
  }
  assert_untouched (outside);

  /* Nor does an S3 source read through them. */
  {
    g_autoptr(Result) res = run_source (fixture, "site", "x", NULL);

    g_assert_false (res->ok);
    assert_contains (res->error->message, "Cannot read s3://site/x: ");
    assert_contains (res->error->message, "is a symbolic link");
    g_assert_cmpuint (pw_action_job_get_outputs (res->job)->len, ==, 0);
  }

  /* The chain split over two deploys: `y` alone is harmless, and `x` is
   * then resolved through the `y` already in the bucket. */
  {
    g_autofree char *first = g_build_filename (fixture->root, "first", NULL);
    g_autofree char *second = g_build_filename (fixture->root, "second", NULL);
    g_autofree char *first_zip = g_build_filename (fixture->root, "first.zip", NULL);
    g_autofree char *second_zip = g_build_filename (fixture->root, "second.zip", NULL);
    const char *config[] = { "BucketName", "site", "Extract", "true", "ObjectKey", "v2", NULL };

    make_link (first, "y", ".");
    make_link (second, "x", "y/y/y/y/../../../..");
    pw_artifact_zip_dir (first_zip, first, NULL, &error);
    g_assert_no_error (error);
    pw_artifact_zip_dir (second_zip, second, NULL, &error);
    g_assert_no_error (error);

    {
      g_autoptr(Result) res = run_deploy (fixture, config, first_zip);

      g_assert_no_error (res->error);
    }
    {
      g_autoptr(Result) res = run_deploy (fixture, config, second_zip);
      g_autofree char *planted = g_build_filename (site, "v2", "x", NULL);

      g_assert_false (res->ok);
      assert_contains (res->error->message, "symlink 'x' points outside the folder");
      g_assert_false (g_file_test (planted, G_FILE_TEST_IS_SYMLINK));
    }
  }
  assert_untouched (outside);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/engine/s3/source/folder", test_source_folder);
  ADD ("/engine/s3/source/zip", test_source_zip);
  ADD ("/engine/s3/source/bucket", test_source_bucket);
  ADD ("/engine/s3/source/errors", test_source_errors);
  ADD ("/engine/s3/deploy/extract", test_deploy_extract);
  ADD ("/engine/s3/deploy/copy", test_deploy_copy);
  ADD ("/engine/s3/deploy/errors", test_deploy_errors);
  ADD ("/engine/s3/deploy/symlink-chain", test_deploy_symlink_chain);

#undef ADD

  return g_test_run ();
}
