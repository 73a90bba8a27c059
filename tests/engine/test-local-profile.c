/* test-local-profile.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "pw-engine.h"

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
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

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dir = g_dir_make_tmp ("pw-profile-XXXXXX", NULL);
  g_assert_nonnull (fixture->dir);
  fixture->path = g_build_filename (fixture->dir, "pipewright.local.yml", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

static PwLocalProfile *
load_text (Fixture     *fixture,
           const char  *text,
           GError     **error)
{
  g_assert_true (g_file_set_contents (fixture->path, text, -1, NULL));
  return pw_local_profile_load (fixture->path, error);
}

static void
test_defaults (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(PwLocalProfile) profile = pw_local_profile_new ();
  g_autoptr(PwLocalProfile) beside = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pipeline = g_build_filename (fixture->dir, "pipeline.yml", NULL);
  g_autofree char *resolved = NULL;
  g_autofree char *expected = NULL;

  g_assert_cmpstr (pw_local_profile_get_account (profile), ==, "111122223333");
  g_assert_cmpstr (pw_local_profile_get_region (profile), ==, "us-east-1");
  g_assert_cmpuint (json_object_get_size (pw_local_profile_get_environment (profile)), ==, 0);
  g_assert_null (pw_local_profile_get_entry (profile, "codebuild", "x"));
  g_assert_null (pw_local_profile_get_string (profile, "s3", "bucket", NULL));
  g_assert_cmpuint (pw_local_profile_get_log_size (profile), ==, 64 * 1024 * 1024);
  g_assert_cmpuint (pw_local_profile_get_output_size (profile), ==, 512 * 1024 * 1024);

  /* No file beside the pipeline: defaults, with paths from its folder. */
  beside = pw_local_profile_load_beside (pipeline, &error);
  g_assert_no_error (error);
  g_assert_nonnull (beside);
  g_assert_cmpstr (pw_local_profile_get_base_dir (beside), ==, fixture->dir);
  g_assert_cmpstr (pw_local_profile_get_account (beside), ==, "111122223333");
  resolved = pw_local_profile_resolve_path (beside, "./public/../site");
  expected = g_build_filename (fixture->dir, "site", NULL);
  g_assert_cmpstr (resolved, ==, expected);
}

static void
test_full (Fixture       *fixture,
           gconstpointer  data)
{
  static const char text[] =
    "# every section\n"
    "sources:\n"
    "  Checkout: {repository: ../app, branch: main}\n"
    "  Upload: {path: ./drop/app.zip}\n"
    "codebuild:\n"
    "  my-build:\n"
    "    buildspec: ci/buildspec.yml\n"
    "    image: aws/codebuild/standard:7.0\n"
    "    environment: {FOO: bar, MODE: 0755, FLAG: yes, COUNT: 3, EMPTY: }\n"
    "commands:\n"
    "  DeployStack: {run: ./scripts/deploy.sh, shell: bash}\n"
    "lambda:\n"
    "  smoke-test: {run: ./tests/smoke.py}\n"
    "codedeploy:\n"
    "  my-app/prod:\n"
    "    {instances: 3, root: .pipewright/instances, config: CodeDeployDefault.HalfAtATime}\n"
    "s3:\n"
    "  my-site-bucket: ./public\n"
    "secrets:\n"
    "  prod/db: {password: s3cr3t}\n"
    "  /app/token: abc123\n"
    "environment: {AWS_REGION: eu-west-1, RETRIES: 010}\n"
    "account: 012345678912\n"
    "region: eu-west-1\n";
  g_autoptr(PwLocalProfile) profile = NULL;
  g_autoptr(PwLocalProfile) beside = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pipeline = g_build_filename (fixture->dir, "pipeline.yml", NULL);
  g_autofree char *bucket = NULL;
  g_autofree char *expected = NULL;
  JsonObject *entry;
  JsonObject *env;

  profile = load_text (fixture, text, &error);
  g_assert_no_error (error);
  g_assert_nonnull (profile);

  g_assert_cmpstr (pw_local_profile_get_base_dir (profile), ==, fixture->dir);
  g_assert_cmpstr (pw_local_profile_get_account (profile), ==, "012345678912");
  g_assert_cmpstr (pw_local_profile_get_region (profile), ==, "eu-west-1");

  g_assert_cmpstr (pw_local_profile_get_string (profile, "sources", "Checkout", "repository"),
                   ==, "../app");
  g_assert_cmpstr (pw_local_profile_get_string (profile, "sources", "Upload", "path"),
                   ==, "./drop/app.zip");
  g_assert_null (pw_local_profile_get_string (profile, "sources", "Upload", "branch"));
  g_assert_null (pw_local_profile_get_string (profile, "sources", "Nope", "path"));
  g_assert_cmpstr (pw_local_profile_get_string (profile, "commands", "DeployStack", "run"),
                   ==, "./scripts/deploy.sh");
  g_assert_cmpstr (pw_local_profile_get_string (profile, "lambda", "smoke-test", "run"),
                   ==, "./tests/smoke.py");

  /* Environment values are the text as typed, not YAML 1.1's numbers. */
  entry = pw_local_profile_get_entry (profile, "codebuild", "my-build");
  g_assert_nonnull (entry);
  env = json_object_get_object_member (entry, "environment");
  g_assert_cmpstr (json_object_get_string_member (env, "FOO"), ==, "bar");
  g_assert_cmpstr (json_object_get_string_member (env, "MODE"), ==, "0755");
  g_assert_cmpstr (json_object_get_string_member (env, "FLAG"), ==, "yes");
  g_assert_cmpstr (json_object_get_string_member (env, "COUNT"), ==, "3");
  g_assert_cmpstr (json_object_get_string_member (env, "EMPTY"), ==, "");

  env = pw_local_profile_get_environment (profile);
  g_assert_cmpstr (json_object_get_string_member (env, "AWS_REGION"), ==, "eu-west-1");
  g_assert_cmpstr (json_object_get_string_member (env, "RETRIES"), ==, "010");

  entry = pw_local_profile_get_entry (profile, "codedeploy", "my-app/prod");
  g_assert_nonnull (entry);
  g_assert_cmpint (json_object_get_int_member (entry, "instances"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (entry, "config"),
                   ==, "CodeDeployDefault.HalfAtATime");

  /* s3 entries are strings: no mapping, but get_string with no key. */
  g_assert_null (pw_local_profile_get_entry (profile, "s3", "my-site-bucket"));
  g_assert_cmpstr (pw_local_profile_get_string (profile, "s3", "my-site-bucket", NULL),
                   ==, "./public");
  bucket = pw_local_profile_resolve_path (profile, "./public");
  expected = g_build_filename (fixture->dir, "public", NULL);
  g_assert_cmpstr (bucket, ==, expected);

  /* load_beside finds it too. */
  beside = pw_local_profile_load_beside (pipeline, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pw_local_profile_get_region (beside), ==, "eu-west-1");
}

static void
test_resolve_path (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(PwLocalProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *relative = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *absolute = NULL;
  g_autofree char *home = NULL;
  g_autofree char *expected_home = NULL;

  profile = load_text (fixture, "", &error);
  g_assert_no_error (error);

  relative = pw_local_profile_resolve_path (profile, "a/./b/../c");
  expected = g_build_filename (fixture->dir, "a", "c", NULL);
  g_assert_cmpstr (relative, ==, expected);

  absolute = pw_local_profile_resolve_path (profile, "/srv/site");
  g_assert_cmpstr (absolute, ==, "/srv/site");

  home = pw_local_profile_resolve_path (profile, "~/bucket");
  expected_home = g_build_filename (g_get_home_dir (), "bucket", NULL);
  g_assert_cmpstr (home, ==, expected_home);
}

typedef struct
{
  const char *text;
  const char *message;   /* after "<path>:" */
} ErrorCase;

static void
test_errors (Fixture       *fixture,
             gconstpointer  data)
{
  static const ErrorCase cases[] = {
    { "sourcez: {}\n",
      "1:1: unknown key \"sourcez\" in the local profile; did you mean \"sources\"? (allowed keys: "
      "sources, codebuild, commands, lambda, codedeploy, s3, secrets, workers, targets, environment, "
      "account, region, limits)" },
    { "workers:\n  Packager: {}\n",
      "2:3: workers entries are named Owner/Provider (e.g. Custom/MyBuilder), not \"Packager\"" },
    { "workers:\n  Custom/Packager: {timeout: 5}\n",
      "2:21: unknown key \"timeout\" in workers entry \"Custom/Packager\"; it takes none (write {})" },
    { "limits: {logSize: 10 parsecs}\n",
      "1:19: \"logSize\" in \"limits\" must be a size such as 64MiB or 1GiB, not 10 parsecs" },
    { "limits:\n  outputSize: 0\n",
      "2:15: \"outputSize\" in \"limits\" must be a size such as 64MiB or 1GiB, not 0" },
    { "limits:\n  outputSize: [1]\n",
      "2:15: \"outputSize\" in \"limits\" must be a size such as 64MiB or 1GiB, not a list" },
    { "limits: {maxLog: 1MiB}\n",
      "1:10: unknown key \"maxLog\" in \"limits\"; allowed keys: logSize, outputSize, concurrentExecutions" },
    { "limits: {concurrentExecutions: 0}\n",
      "1:32: \"concurrentExecutions\" in \"limits\" must be a whole number from 1 to 1000" },
    { "codedeploy:\n  app/grp:\n    instance: 3\n",
      "3:5: unknown key \"instance\" in codedeploy entry \"app/grp\"; did you mean \"instances\"? "
      "(allowed keys: instances, root, config)" },
    { "sources:\n  Checkout: {repo: x}\n",
      "2:14: unknown key \"repo\" in sources entry \"Checkout\"; allowed keys: repository, "
      "branch, path" },
    { "codebuild:\n  b:\n    environment:\n      A: [1]\n",
      "4:10: the value of A in the environment of codebuild entry \"b\" must be a string, "
      "not a list" },
    { "codedeploy:\n  app/grp: {instances: zero}\n",
      "2:24: \"instances\" in codedeploy entry \"app/grp\" must be a whole number from 1 to 100" },
    { "codedeploy:\n  app/grp: {instances: 0}\n",
      "2:24: \"instances\" in codedeploy entry \"app/grp\" must be a whole number from 1 to 100" },
    { "codedeploy:\n  app/grp: {config: CodeDeployDefault.Fast}\n",
      "2:21: unknown deployment configuration \"CodeDeployDefault.Fast\" in codedeploy entry "
      "\"app/grp\"; use one of CodeDeployDefault.OneAtATime, CodeDeployDefault.HalfAtATime, "
      "CodeDeployDefault.AllAtOnce" },
    { "codedeploy:\n  appgrp: {}\n",
      "2:3: codedeploy entries are named ApplicationName/DeploymentGroupName, not \"appgrp\"" },
    { "s3:\n  bucket: [a]\n",
      "2:11: s3 entry \"bucket\" must be the path of a folder, not a list" },
    { "commands:\n  Deploy: {shell: bash}\n",
      "2:3: commands entry \"Deploy\" needs \"run\"" },
    { "lambda:\n  fn:\n    run: 5\n",
      "3:10: \"run\" in lambda entry \"fn\" must be a non-empty string, not an integer" },
    { "lambda:\n  fn: {function: other}\n",
      "2:3: lambda entry \"fn\" needs \"run\" (a local command) or \"endpoint\" (a Lambda Invoke API such as "
      "sam local start-lambda's http://127.0.0.1:3001)" },
    { "lambda:\n  fn: {run: ./x, endpoint: 'http://127.0.0.1:3001'}\n",
      "2:3: lambda entry \"fn\" has both \"run\" and \"endpoint\"; give one: a local command, or the Lambda "
      "Invoke API it is served on" },
    { "lambda:\n  fn: {endpoint: 'localhost:3001'}\n",
      "2:18: \"localhost:3001\" in lambda entry \"fn\" is not an http:// or https:// URL" },
    { "targets:\n  chat: {pattern: {source: [x]}}\n",
      "2:3: targets entry \"chat\" needs \"url\"" },
    { "targets:\n  chat: {url: 'http://h/x', pattern: {detail: {state: []}}}\n",
      "2:38: the event pattern of targets entry \"chat\": the list at detail.state is empty: it would match "
      "nothing" },
    { "targets:\n  chat: {url: 'http://h/x', headers: {'Bad Header': x}}\n",
      "2:39: \"Bad Header\" in the headers of targets entry \"chat\" is not an HTTP header name" },
    { "targets:\n  chat: {url: 'http://h/x', retries: 500}\n",
      "2:38: \"retries\" in targets entry \"chat\" must be a whole number from 0 to 185" },
    { "codebuild: [a, b]\n",
      "1:12: \"codebuild\" must be a mapping, not a list" },
    { "secrets:\n  x: [1]\n",
      "2:6: secrets entry \"x\" must be a string or a mapping of JSON keys, not a list" },
    { "account: \"12345\"\n",
      "1:10: \"account\" must be a 12-digit account id, not \"12345\"" },
    { "region: 5\n",
      "1:9: \"region\" must be a region name such as us-east-1, not an integer" },
    { "environment:\n  - A\n",
      "2:3: \"environment\" must be a mapping, not a list" },
    { "- a\n- b\n",
      "1:1: the local profile must be a mapping of sections, not a list" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PwLocalProfile) profile = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *expected = g_strdup_printf ("%s:%s", fixture->path, cases[i].message);

      g_test_message ("case %u: %s", i, cases[i].text);
      profile = load_text (fixture, cases[i].text, &error);
      g_assert_null (profile);
      g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);
      g_assert_cmpstr (error->message, ==, expected);
    }
}

static void
test_limits (Fixture       *fixture,
             gconstpointer  data)
{
  static const struct { const char *text; guint64 bytes; } sizes[] = {
    { "1048576", 1048576 },
    { "64MiB", G_GUINT64_CONSTANT (64) << 20 },
    { "2 GiB", G_GUINT64_CONSTANT (2) << 30 },
    { "1GB", 1000000000 },
    { "512k", 512 * 1024 },
    { "300 MB", 300000000 },
    { "10mib", 10 << 20 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(PwLocalProfile) profile = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *text = g_strdup_printf ("limits:\n  logSize: %s\n  outputSize: %s\n",
                                               sizes[i].text, sizes[i].text);

      profile = load_text (fixture, text, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (pw_local_profile_get_log_size (profile), ==, sizes[i].bytes);
      g_assert_cmpuint (pw_local_profile_get_output_size (profile), ==, sizes[i].bytes);
      g_assert_cmpuint (pw_local_profile_get_concurrent_executions (profile), ==, 50);
    }

  {
    g_autoptr(PwLocalProfile) profile = NULL;
    g_autoptr(GError) error = NULL;

    profile = load_text (fixture, "limits: {concurrentExecutions: 3}\n", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (pw_local_profile_get_concurrent_executions (profile), ==, 3);
  }
}

static void
test_syntax_error (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(PwLocalProfile) profile = NULL;
  g_autoptr(PwLocalProfile) beside = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) beside_error = NULL;
  g_autofree char *prefix = g_strdup_printf ("%s:2:", fixture->path);
  g_autofree char *pipeline = g_build_filename (fixture->dir, "pipeline.yml", NULL);

  profile = load_text (fixture, "s3:\n\tbucket: x\n", &error);
  g_assert_null (profile);
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);
  g_assert_true (g_str_has_prefix (error->message, prefix));

  /* An existing but broken profile is an error, not the defaults. */
  beside = pw_local_profile_load_beside (pipeline, &beside_error);
  g_assert_null (beside);
  g_assert_error (beside_error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);
}

static void
test_secrets (Fixture       *fixture,
              gconstpointer  data)
{
  static const char text[] =
    "secrets:\n"
    "  prod/db: {password: s3cr3t, port: 0800}\n"
    "  /app/token: abc123\n"
    "  json-text: '{\"user\": \"admin\", \"n\": 2}'\n"
    "  arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/api-AbCdEf: {key: k1}\n";
  g_autoptr(PwLocalProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  char *value;

  profile = load_text (fixture, text, &error);
  g_assert_no_error (error);

#define ASSERT_SECRET(id, expected) \
  G_STMT_START { \
    value = pw_local_profile_lookup_secret (profile, (id), &error); \
    g_assert_no_error (error); \
    g_assert_cmpstr (value, ==, (expected)); \
    g_free (value); \
  } G_STMT_END

  /* A mapping: json-key selects; stage and version are ignored. */
  ASSERT_SECRET ("prod/db:password", "s3cr3t");
  ASSERT_SECRET ("prod/db:password:AWSCURRENT:", "s3cr3t");
  ASSERT_SECRET ("prod/db:port", "0800");
  /* Without json-key the whole secret, as Secrets Manager returns it. */
  ASSERT_SECRET ("prod/db", "{\"password\":\"s3cr3t\",\"port\":\"0800\"}");
  /* A plain value (Parameter Store style). */
  ASSERT_SECRET ("/app/token", "abc123");
  /* A string holding JSON text, with json-key. */
  ASSERT_SECRET ("json-text:user", "admin");
  ASSERT_SECRET ("json-text:n", "2");
  ASSERT_SECRET ("json-text", "{\"user\": \"admin\", \"n\": 2}");
  /* An ARN id keeps its own colons. */
  ASSERT_SECRET ("arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/api-AbCdEf:key", "k1");

  /* The environment stands in for what the profile lacks. */
  g_setenv ("PIPEWRIGHT_SECRET_STAGING_DB", "{\"password\": \"from-env\"}", TRUE);
  g_setenv ("PIPEWRIGHT_SECRET__OTHER_TOKEN", "tok", TRUE);
  ASSERT_SECRET ("staging/db:password", "from-env");
  ASSERT_SECRET ("staging/db", "{\"password\": \"from-env\"}");
  ASSERT_SECRET ("/other/token", "tok");
  g_unsetenv ("PIPEWRIGHT_SECRET_STAGING_DB");
  g_unsetenv ("PIPEWRIGHT_SECRET__OTHER_TOKEN");

#undef ASSERT_SECRET

  /* Missing json key. */
  value = pw_local_profile_lookup_secret (profile, "prod/db:user", &error);
  g_assert_null (value);
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);
  g_assert_nonnull (strstr (error->message, "secret \"prod/db\" has no key \"user\""));
  g_assert_nonnull (strstr (error->message, ":2:3:"));
  g_clear_error (&error);

  value = pw_local_profile_lookup_secret (profile, "/app/token:field", &error);
  g_assert_null (value);
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);
  g_assert_nonnull (strstr (error->message, "is not a JSON object"));
  g_clear_error (&error);

  /* Unknown: the message says both ways of providing it. */
  value = pw_local_profile_lookup_secret (profile, "nope/x:password", &error);
  g_assert_null (value);
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);
  g_assert_nonnull (strstr (error->message, "secret \"nope/x\" is not available locally"));
  g_assert_nonnull (strstr (error->message, "under \"secrets:\""));
  g_assert_nonnull (strstr (error->message, "PIPEWRIGHT_SECRET_NOPE_X"));
  g_clear_error (&error);
}

static void
test_empty_sections (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(PwLocalProfile) profile = NULL;
  g_autoptr(GError) error = NULL;

  /* Comments only, and sections started but still empty. */
  profile = load_text (fixture, "# nothing yet\ncodebuild:\ns3:\n", &error);
  g_assert_no_error (error);
  g_assert_nonnull (profile);
  g_assert_null (pw_local_profile_get_entry (profile, "codebuild", "x"));
  g_assert_finalize_object (g_steal_pointer (&profile));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/engine/local-profile/defaults", test_defaults);
  ADD ("/engine/local-profile/full", test_full);
  ADD ("/engine/local-profile/resolve-path", test_resolve_path);
  ADD ("/engine/local-profile/errors", test_errors);
  ADD ("/engine/local-profile/limits", test_limits);
  ADD ("/engine/local-profile/syntax-error", test_syntax_error);
  ADD ("/engine/local-profile/secrets", test_secrets);
  ADD ("/engine/local-profile/empty-sections", test_empty_sections);

#undef ADD

  return g_test_run ();
}
