/* test-codedeploy.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "pw-engine.h"

/* Real deployments of real bundles to instance folders in a temporary
 * pipeline folder; hook scripts record what ran in files the tests read. */

typedef struct
{
  char  *root;
  char  *pipeline_dir;
  guint  n_runs;
} Fixture;

typedef struct
{
  GMainLoop *loop;
  gboolean  ok;
  GError   *error;
  char     *external_id;
  char     *summary;
  char     *log;
} Result;

static void
result_free (Result *result)
{
  g_clear_error (&result->error);
  g_free (result->external_id);
  g_free (result->summary);
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

  /* Tests chmod folders; make sure we can empty them. */
  g_chmod (path, 0755);
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
            const char *contents,
            int         mode)
{
  g_autofree char *path = g_build_filename (dir, relative, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

static char *
read_file (const char *path)
{
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;

  return contents;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->root = g_dir_make_tmp ("pw-codedeploy-XXXXXX", NULL);
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
  write_file (fixture->pipeline_dir, "pipewright.local.yml", text, 0644);
}

/* @files: path, contents pairs, NULL-terminated. Scripts are executable. */
static char *
make_bundle (Fixture            *fixture,
             const char         *name,
             const char * const *files)
{
  g_autofree char *dir = g_build_filename (fixture->root, "bundles", name, NULL);
  g_autofree char *zip_name = g_strconcat (name, ".zip", NULL);
  char *zip = g_build_filename (fixture->root, "bundles", zip_name, NULL);
  g_autoptr(GError) error = NULL;

  remove_tree (dir);
  for (guint i = 0; files[i] != NULL; i += 2)
    write_file (dir, files[i], files[i + 1], g_str_has_suffix (files[i], ".sh") ? 0755 : 0644);

  pw_artifact_zip_dir (zip, dir, NULL, &error);
  g_assert_no_error (error);

  return zip;
}

static const char hook_script[] =
  "#!/bin/bash\n"
  "set -e\n"
  "inst=$(basename \"$(dirname \"$INSTANCE_ROOT\")\")\n"
  "cwd=no; [ -f appspec.yml ] && cwd=yes\n"
  "echo \"$LIFECYCLE_EVENT %s $DEPLOYMENT_ID $APPLICATION_NAME $DEPLOYMENT_GROUP_NAME "
  "${DEPLOYMENT_GROUP_ID:+gid} cwd=$cwd\" >> \"$INSTANCE_ROOT/events.log\"\n"
  "echo \"$inst $LIFECYCLE_EVENT\" >> \"$INSTANCE_ROOT/../../order.log\"\n"
  "echo \"hook $LIFECYCLE_EVENT on $inst\"\n"
  "if [ \"$LIFECYCLE_EVENT\" = ValidateService ]; then\n"
  "  case \" %s \" in *\" $inst \"*) echo \"health check failed on $inst\"; exit 1;; esac\n"
  "fi\n"
  "exit 0\n";

static const char appspec_template[] =
  "version: 0.0\n"
  "os: linux\n"
  "files:\n"
  "  - source: app\n"
  "    destination: /opt/app\n"
  "%s"
  "hooks:\n"
  "  ApplicationStop:\n"
  "    - location: scripts/hook.sh\n"
  "  BeforeInstall:\n"
  "    - location: scripts/hook.sh\n"
  "  AfterInstall:\n"
  "    - location: scripts/hook.sh\n"
  "  ApplicationStart:\n"
  "    - location: scripts/hook.sh\n"
  "  ValidateService:\n"
  "    - location: scripts/hook.sh\n"
  "      timeout: 60\n";

/* A revision whose hooks record themselves, tagged @rev, failing
 * ValidateService on the instances named in @fail_on. */
static char *
make_revision (Fixture    *fixture,
               const char *rev,
               const char *fail_on,
               const char *extra_appspec)
{
  g_autofree char *appspec = g_strdup_printf (appspec_template, extra_appspec ? extra_appspec : "");
  g_autofree char *script = g_strdup_printf (hook_script, rev, fail_on ? fail_on : "");
  g_autofree char *only = g_strdup_printf ("app/only-%s.txt", rev);
  g_autofree char *name = g_strdup_printf ("%s-%u", rev, fixture->n_runs);
  const char *files[] = {
    "appspec.yml", appspec,
    "app/index.html", rev,
    only, rev,
    "scripts/hook.sh", script,
    NULL
  };

  return make_bundle (fixture, name, files);
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

/* A CodeDeploy job for app/grp with @zip as its input; its log is at
 * *@log_path. */
static PwActionJob *
new_job (Fixture     *fixture,
         const char  *zip,
         char       **log_path)
{
  g_autoptr(PwAction) action = pw_action_new ("Deploy");
  g_autoptr(JsonObject) configuration = json_object_new ();
  g_autoptr(PwLocalProfile) profile = NULL;
  g_autoptr(PwLog) log = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) environment = g_get_environ ();
  g_autofree char *work = NULL;
  g_autofree char *pipeline = g_build_filename (fixture->pipeline_dir, "pipeline.yml", NULL);
  PwActionJob *job = pw_action_job_new ();

  fixture->n_runs++;
  work = g_strdup_printf ("%s/work-%u", fixture->root, fixture->n_runs);
  *log_path = g_strdup_printf ("%s/deploy-%u.log", fixture->root, fixture->n_runs);
  g_assert_cmpint (g_mkdir (work, 0755), ==, 0);

  pw_action_set_type_id (action, "Deploy", "AWS", "CodeDeploy", "1");
  json_object_set_string_member (configuration, "ApplicationName", "app");
  json_object_set_string_member (configuration, "DeploymentGroupName", "grp");

  profile = pw_local_profile_load_beside (pipeline, &error);
  g_assert_no_error (error);
  log = pw_log_new (*log_path, &error);
  g_assert_no_error (error);

  pw_action_job_set_action (job, action);
  pw_action_job_set_configuration (job, configuration);
  pw_action_job_set_work_dir (job, work);
  pw_action_job_set_pipeline_dir (job, fixture->pipeline_dir);
  pw_action_job_set_profile (job, profile);
  pw_action_job_set_log (job, log);
  pw_action_job_set_environment (job, (const char * const *)environment);
  pw_action_job_add_input (job, "Bundle", zip, NULL);

  return job;
}

static Result *
deploy (Fixture    *fixture,
        const char *zip)
{
  g_autoptr(PwProvider) provider = pw_codedeploy_provider_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *log_path = NULL;
  g_autoptr(PwActionJob) job = new_job (fixture, zip, &log_path);
  PwLog *log = pw_action_job_get_log (job);
  Result *res = g_new0 (Result, 1);

  res->loop = loop;
  pw_provider_run_async (provider, job, NULL, done_cb, res);
  g_main_loop_run (loop);
  res->loop = NULL;

  pw_log_close (log);
  res->external_id = g_strdup (pw_action_job_get_external_id (job));
  res->summary = g_strdup (pw_action_job_get_summary (job));
  res->log = read_file (log_path);
  g_test_message ("%s", res->log);

  return res;
}

static char *
instance_path (Fixture    *fixture,
               guint       n,
               const char *relative)
{
  g_autofree char *name = g_strdup_printf ("instance-%u", n);

  return g_build_filename (fixture->pipeline_dir, ".pipewright", "codedeploy", "app", "grp",
                           name, relative, NULL);
}

static char *
instance_read (Fixture    *fixture,
               guint       n,
               const char *relative)
{
  g_autofree char *path = instance_path (fixture, n, relative);

  return read_file (path);
}

static gboolean
is_deployment_id (const char *id)
{
  g_autoptr(GRegex) regex = g_regex_new ("^d-[A-Z0-9]{9}$", 0, 0, NULL);

  return id != NULL && g_regex_match (regex, id, 0, NULL);
}

static void
assert_contains (const char *haystack,
                 const char *needle)
{
  if (haystack == NULL || strstr (haystack, needle) == NULL)
    g_error ("expected to find \"%s\" in:\n%s", needle, haystack ? haystack : "(null)");
}

static void
assert_lacks (const char *haystack,
              const char *needle)
{
  if (haystack != NULL && strstr (haystack, needle) != NULL)
    g_error ("did not expect \"%s\" in:\n%s", needle, haystack);
}

static const char * const core_events[] = {
  "BeforeInstall", "AfterInstall", "ApplicationStart", "ValidateService", NULL
};

/* The order.log lines of one run: "instance-N Event". */
static GStrv
order_lines (Fixture *fixture)
{
  g_autofree char *path = g_build_filename (fixture->pipeline_dir, ".pipewright", "codedeploy",
                                            "app", "grp", "order.log", NULL);
  g_autofree char *text = read_file (path);
  g_auto(GStrv) lines = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_assert_nonnull (text);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      g_strv_builder_add (builder, lines[i]);
  g_unlink (path);

  return g_strv_builder_end (builder);
}

static guint
line_index (GStrv       lines,
            const char *line,
            gboolean    last)
{
  guint found = G_MAXUINT;

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_equal (lines[i], line))
      {
        found = i;
        if (!last)
          break;
      }

  if (found == G_MAXUINT)
    g_error ("no line \"%s\"", line);

  return found;
}

static void
run_configs_case (Fixture    *fixture,
                  const char *config,
                  guint       n)
{
  g_autofree char *profile = g_strdup_printf ("codedeploy:\n"
                                              "  app/grp: {instances: %u, config: %s}\n",
                                              n, config);
  g_autofree char *zip = NULL;
  g_autofree char *expected_summary = NULL;
  g_autoptr(Result) res = NULL;
  g_auto(GStrv) order = NULL;

  set_profile (fixture, profile);
  zip = make_revision (fixture, "rev1", NULL, NULL);
  res = deploy (fixture, zip);

  g_assert_no_error (res->error);
  g_assert_true (res->ok);
  g_assert_true (is_deployment_id (res->external_id));
  expected_summary = g_strdup_printf ("Deployment %s succeeded on %u of %u instances (%s)",
                                      res->external_id, n, n, config);
  g_assert_cmpstr (res->summary, ==, expected_summary);

  for (guint i = 1; i <= n; i++)
    {
      g_autofree char *index = instance_read (fixture, i, "fs/opt/app/index.html");
      g_autofree char *events = instance_read (fixture, i, "fs/events.log");
      g_autofree char *last = instance_read (fixture, i, ".last-successful");
      g_autofree char *archive = instance_path (fixture, i, "deployment-root");
      g_autofree char *expected_last = g_strdup_printf ("%s/%s/deployment-archive\n",
                                                        archive, res->external_id);
      g_autofree char *scripts_log = NULL;
      g_autofree char *scripts_log_path = g_strdup_printf ("deployment-root/%s/logs/scripts.log",
                                                           res->external_id);
      g_autofree char *prefixed = g_strdup_printf ("[instance-%u]   hook ValidateService on "
                                                   "instance-%u", i, i);

      g_assert_cmpstr (index, ==, "rev1");
      g_assert_cmpstr (last, ==, expected_last);

      /* Each event once, in order, with the agent's variables, run from
       * the archive; ApplicationStop skipped on a first deployment. */
      for (guint e = 0; core_events[e] != NULL; e++)
        {
          g_autofree char *line = g_strdup_printf ("%s rev1 %s app grp gid cwd=yes\n",
                                                   core_events[e], res->external_id);

          assert_contains (events, line);
        }
      assert_lacks (events, "ApplicationStop");
      g_assert_true (strstr (events, "BeforeInstall") < strstr (events, "AfterInstall"));
      g_assert_true (strstr (events, "AfterInstall") < strstr (events, "ApplicationStart"));
      g_assert_true (strstr (events, "ApplicationStart") < strstr (events, "ValidateService"));

      /* Script output: in the instance's scripts.log, and prefixed in the
       * action log. */
      scripts_log = instance_read (fixture, i, scripts_log_path);
      assert_contains (scripts_log, "hook BeforeInstall on instance-");
      assert_contains (res->log, prefixed);
    }

  assert_contains (res->log,
                   "[instance-1] ApplicationStop: skipped (first deployment to this instance)");

  /* Batches: OneAtATime finishes an instance before the next starts;
   * HalfAtATime runs n/2 at a time. */
  order = order_lines (fixture);
  g_assert_cmpuint (g_strv_length (order), ==, 4 * n);
  if (g_str_equal (config, "CodeDeployDefault.OneAtATime"))
    {
      for (guint i = 1; i < n; i++)
        {
          g_autofree char *end = g_strdup_printf ("instance-%u ValidateService", i);
          g_autofree char *next = g_strdup_printf ("instance-%u BeforeInstall", i + 1);

          g_assert_cmpuint (line_index (order, end, TRUE), <, line_index (order, next, FALSE));
        }
    }
  else if (g_str_equal (config, "CodeDeployDefault.HalfAtATime"))
    {
      guint batch = MAX (n / 2, 1);

      for (guint i = 1; i <= batch; i++)
        for (guint j = batch + 1; j <= n; j++)
          {
            g_autofree char *end = g_strdup_printf ("instance-%u ValidateService", i);
            g_autofree char *later = g_strdup_printf ("instance-%u BeforeInstall", j);

            g_assert_cmpuint (line_index (order, end, TRUE), <, line_index (order, later, FALSE));
          }
    }
}

static void
test_configs (Fixture       *fixture,
              gconstpointer  data)
{
  const char *config = data;

  run_configs_case (fixture, config, g_str_equal (config, "CodeDeployDefault.HalfAtATime") ? 4 : 3);
}

static void
test_default_single_instance (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *zip = make_revision (fixture, "rev1", NULL, NULL);
  g_autoptr(Result) res = deploy (fixture, zip);
  g_autofree char *index = instance_read (fixture, 1, "fs/opt/app/index.html");
  g_autofree char *second = instance_path (fixture, 2, NULL);

  /* No profile at all: one instance, OneAtATime, under .pipewright/. */
  g_assert_no_error (res->error);
  g_assert_cmpstr (index, ==, "rev1");
  g_assert_false (g_file_test (second, G_FILE_TEST_EXISTS));
  assert_contains (res->summary, "succeeded on 1 of 1 instance (CodeDeployDefault.OneAtATime)");
}

static void
test_application_stop (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *zip1 = NULL;
  g_autofree char *zip2 = NULL;
  g_autoptr(Result) first = NULL;
  g_autoptr(Result) second = NULL;
  g_autofree char *events = NULL;
  g_autofree char *stop_line = NULL;
  g_autofree char *old_file = NULL;
  g_autofree char *new_file = NULL;

  set_profile (fixture, "codedeploy:\n  app/grp: {instances: 2}\n");
  zip1 = make_revision (fixture, "rev1", NULL, NULL);
  first = deploy (fixture, zip1);
  g_assert_no_error (first->error);

  zip2 = make_revision (fixture, "rev2", NULL, NULL);
  second = deploy (fixture, zip2);
  g_assert_no_error (second->error);
  g_assert_cmpstr (first->external_id, !=, second->external_id);

  for (guint i = 1; i <= 2; i++)
    {
      g_autofree char *index = instance_read (fixture, i, "fs/opt/app/index.html");

      g_clear_pointer (&events, g_free);
      events = instance_read (fixture, i, "fs/events.log");

      /* The previous revision's ApplicationStop script, in the new
       * deployment, and only once. */
      g_clear_pointer (&stop_line, g_free);
      stop_line = g_strdup_printf ("ApplicationStop rev1 %s app grp gid cwd=yes\n",
                                   second->external_id);
      assert_contains (events, stop_line);
      assert_lacks (events, "ApplicationStop rev2");
      g_assert_true (strstr (events, "ApplicationStop") < strstr (events, "BeforeInstall rev2"));
      g_assert_cmpstr (index, ==, "rev2");
    }

  {
    g_autofree char *expected = g_strdup_printf ("[instance-1] ApplicationStop: running "
                                                 "scripts/hook.sh of %s", first->external_id);

    assert_contains (second->log, expected);
  }

  /* What rev1 installed and rev2 does not have is cleaned up. */
  old_file = instance_path (fixture, 1, "fs/opt/app/only-rev1.txt");
  new_file = instance_path (fixture, 1, "fs/opt/app/only-rev2.txt");
  g_assert_false (g_file_test (old_file, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (new_file, G_FILE_TEST_EXISTS));
}

static void
test_file_exists (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *fs = instance_path (fixture, 1, "fs");
  g_autofree char *stray = NULL;
  g_autofree char *zip = NULL;
  g_autofree char *expected = NULL;

  /* A file at the destination that no deployment installed. */
  write_file (fs, "opt/app/index.html", "hand-made", 0644);
  stray = g_build_filename (fs, "opt/app/index.html", NULL);

  /* DISALLOW (the default): the deployment fails, nothing changes. */
  {
    g_autoptr(Result) res = NULL;
    g_autofree char *contents = NULL;

    zip = make_revision (fixture, "rev1", NULL, NULL);
    res = deploy (fixture, zip);
    g_assert_false (res->ok);
    g_assert_error (res->error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED);
    expected = g_strdup_printf ("Deployment %s failed: 1 of 1 instance failed (instance-1: "
                                "Install: /opt/app/index.html already exists and was not "
                                "installed by the last deployment (file_exists_behavior: "
                                "DISALLOW; set OVERWRITE or RETAIN in the appspec)); no earlier "
                                "successful revision to roll back to", res->external_id);
    g_assert_cmpstr (res->error->message, ==, expected);
    g_assert_cmpstr (res->summary, ==, expected);
    g_file_get_contents (stray, &contents, NULL, NULL);
    g_assert_cmpstr (contents, ==, "hand-made");
    g_clear_pointer (&zip, g_free);
    g_clear_pointer (&expected, g_free);
  }

  /* RETAIN keeps the file that was there. */
  {
    g_autoptr(Result) res = NULL;
    g_autofree char *contents = NULL;
    g_autofree char *other = NULL;

    zip = make_revision (fixture, "rev2", NULL, "file_exists_behavior: RETAIN\n");
    res = deploy (fixture, zip);
    g_assert_no_error (res->error);
    g_file_get_contents (stray, &contents, NULL, NULL);
    g_assert_cmpstr (contents, ==, "hand-made");
    other = instance_read (fixture, 1, "fs/opt/app/only-rev2.txt");
    g_assert_cmpstr (other, ==, "rev2");
    assert_contains (res->log,
                     "kept the existing /opt/app/index.html (file_exists_behavior: RETAIN)");
    g_clear_pointer (&zip, g_free);
  }

  /* OVERWRITE replaces it. */
  {
    g_autoptr(Result) res = NULL;
    g_autofree char *contents = NULL;

    zip = make_revision (fixture, "rev3", NULL, "file_exists_behavior: OVERWRITE\n");
    res = deploy (fixture, zip);
    g_assert_no_error (res->error);
    g_file_get_contents (stray, &contents, NULL, NULL);
    g_assert_cmpstr (contents, ==, "rev3");
    assert_contains (res->log,
                     "replaced the existing /opt/app/index.html (file_exists_behavior: OVERWRITE)");
    g_clear_pointer (&zip, g_free);
  }

  /* Files the last deployment installed never conflict, even with
   * DISALLOW: they are removed first. */
  {
    g_autoptr(Result) res = NULL;
    g_autofree char *contents = NULL;
    g_autofree char *gone = instance_path (fixture, 1, "fs/opt/app/only-rev3.txt");

    zip = make_revision (fixture, "rev4", NULL, NULL);
    res = deploy (fixture, zip);
    g_assert_no_error (res->error);
    g_file_get_contents (stray, &contents, NULL, NULL);
    g_assert_cmpstr (contents, ==, "rev4");
    g_assert_false (g_file_test (gone, G_FILE_TEST_EXISTS));
  }
}

typedef struct
{
  const char *config;
  guint       n;
  const char *fail_on;
  gboolean    succeeds;
  guint       deployed;   /* instances that ran ValidateService */
} FailureCase;

/* A script missing from the revision fails the deployment at the hook
 * that runs it (CodeDeploy's ScriptMissing), not before: ApplicationStop,
 * which a first deployment skips, does not need its script yet. */
static void
test_missing_script (Fixture       *fixture,
                     gconstpointer  data)
{
  static const char appspec[] =
    "version: 0.0\n"
    "os: linux\n"
    "files:\n"
    "  - source: app\n"
    "    destination: /opt/app\n"
    "hooks:\n"
    "  ApplicationStop:\n"
    "    - location: scripts/stop-not-written-yet.sh\n"
    "  BeforeInstall:\n"
    "    - location: scripts/%s.sh\n";
  g_autofree char *script = g_strdup_printf (hook_script, "rev", "");
  g_autofree char *good_spec = g_strdup_printf (appspec, "hook");
  g_autofree char *bad_spec = g_strdup_printf (appspec, "missing");
  const char *good_files[] = {
    "appspec.yml", good_spec, "app/index.html", "one", "scripts/hook.sh", script, NULL
  };
  const char *bad_files[] = {
    "appspec.yml", bad_spec, "app/index.html", "two", "scripts/hook.sh", script, NULL
  };
  g_autofree char *good = NULL;
  g_autofree char *bad = NULL;
  g_autoptr(Result) first = NULL;
  g_autoptr(Result) second = NULL;
  g_autofree char *index = NULL;

  set_profile (fixture, "codedeploy:\n  app/grp: {instances: 1}\n");
  good = make_bundle (fixture, "good", good_files);
  first = deploy (fixture, good);
  g_assert_no_error (first->error);
  g_assert_true (first->ok);

  /* The next deployment runs that revision's ApplicationStop: now the
   * missing script fails it, there. */
  second = deploy (fixture, good);
  g_assert_false (second->ok);
  g_assert_error (second->error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED);
  assert_contains (second->error->message, "ApplicationStop: Script does not exist at specified "
                   "location: scripts/stop-not-written-yet.sh (ScriptMissing");
  index = instance_read (fixture, 1, "fs/opt/app/index.html");
  g_assert_cmpstr (index, ==, "one");

  /* A first deployment whose BeforeInstall script is missing fails at
   * BeforeInstall. */
  {
    g_autofree char *state = g_build_filename (fixture->pipeline_dir, ".pipewright", NULL);
    g_autoptr(Result) third = NULL;

    remove_tree (state);
    bad = make_bundle (fixture, "bad", bad_files);
    third = deploy (fixture, bad);
    g_assert_false (third->ok);
    assert_contains (third->error->message, "BeforeInstall: Script does not exist at specified "
                     "location: scripts/missing.sh");
    assert_lacks (third->error->message, "ApplicationStop");
  }
}

static void
test_validate_failure (Fixture       *fixture,
                       gconstpointer  data)
{
  static const FailureCase cases[] = {
    /* Stops at the first failure; a first deployment has nothing to roll
     * back to. */
    { "CodeDeployDefault.OneAtATime", 3, "instance-2", FALSE, 2 },
    /* The last instance may fail. */
    { "CodeDeployDefault.OneAtATime", 3, "instance-3", TRUE, 3 },
    /* One success is enough. */
    { "CodeDeployDefault.AllAtOnce", 3, "instance-2", TRUE, 3 },
    { "CodeDeployDefault.AllAtOnce", 3, "instance-1 instance-2 instance-3", FALSE, 3 },
    /* Needs ceil(n/2) successes. */
    { "CodeDeployDefault.HalfAtATime", 3, "instance-2", TRUE, 3 },
    { "CodeDeployDefault.HalfAtATime", 3, "instance-1 instance-2", FALSE, 2 },
    { "CodeDeployDefault.HalfAtATime", 4, "instance-4", TRUE, 4 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      const FailureCase *fc = &cases[c];
      g_autofree char *profile = g_strdup_printf ("codedeploy:\n  app/grp: {instances: %u, "
                                                  "config: %s}\n", fc->n, fc->config);
      g_autofree char *zip = NULL;
      g_autofree char *group = g_build_filename (fixture->pipeline_dir, ".pipewright", NULL);
      g_autoptr(Result) res = NULL;
      guint validated = 0;

      g_test_message ("case %u: %s, failing %s", c, fc->config, fc->fail_on);
      remove_tree (group);
      set_profile (fixture, profile);
      zip = make_revision (fixture, "rev1", fc->fail_on, NULL);
      res = deploy (fixture, zip);

      g_assert_cmpint (res->ok, ==, fc->succeeds);
      if (fc->succeeds)
        {
          g_assert_no_error (res->error);
          assert_contains (res->summary, "succeeded");
          assert_contains (res->summary, "ValidateService: scripts/hook.sh exited 1");
        }
      else
        {
          g_autofree char *prefix = g_strdup_printf ("Deployment %s failed: ", res->external_id);

          g_assert_error (res->error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED);
          g_assert_true (g_str_has_prefix (res->error->message, prefix));
          assert_contains (res->error->message, "ValidateService: scripts/hook.sh exited 1");
          assert_contains (res->error->message, "no earlier successful revision to roll back to");
        }

      for (guint i = 1; i <= fc->n; i++)
        {
          g_autofree char *events = instance_read (fixture, i, "fs/events.log");

          if (events != NULL && strstr (events, "ValidateService") != NULL)
            validated++;
        }
      g_assert_cmpuint (validated, ==, fc->deployed);
    }

  /* The exact summary of the first case. */
  {
    g_autofree char *zip = NULL;
    g_autofree char *group = g_build_filename (fixture->pipeline_dir, ".pipewright", NULL);
    g_autofree char *expected = NULL;
    g_autoptr(Result) res = NULL;

    remove_tree (group);
    set_profile (fixture, "codedeploy:\n  app/grp: {instances: 3}\n");
    zip = make_revision (fixture, "rev1", "instance-2", NULL);
    res = deploy (fixture, zip);
    expected = g_strdup_printf ("Deployment %s failed: 1 of 3 instances failed (instance-2: "
                                "ValidateService: scripts/hook.sh exited 1), 1 not deployed to; "
                                "no earlier successful revision to roll back to",
                                res->external_id);
    g_assert_cmpstr (res->error->message, ==, expected);
  }
}

static void
test_rollback (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *zip1 = NULL;
  g_autofree char *zip2 = NULL;
  g_autoptr(Result) first = NULL;
  g_autoptr(Result) second = NULL;
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *rollback_id = NULL;
  g_autofree char *pattern = NULL;

  set_profile (fixture, "codedeploy:\n  app/grp: {instances: 3}\n");
  zip1 = make_revision (fixture, "rev1", NULL, NULL);
  first = deploy (fixture, zip1);
  g_assert_no_error (first->error);

  /* rev2 passes on instance-1, fails on instance-2: OneAtATime stops,
   * and both get rev1 back; instance-3 never saw rev2. */
  zip2 = make_revision (fixture, "rev2", "instance-2", NULL);
  second = deploy (fixture, zip2);
  g_assert_false (second->ok);
  g_assert_error (second->error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED);

  pattern = g_strdup_printf ("^Deployment %s failed: 1 of 3 instances failed \\(instance-2: "
                             "ValidateService: scripts/hook.sh exited 1\\), 1 not deployed to; "
                             "rolled back to %s \\(as (d-[A-Z0-9]{9})\\)$",
                             second->external_id, first->external_id);
  regex = g_regex_new (pattern, 0, 0, NULL);
  if (!g_regex_match (regex, second->error->message, 0, &match))
    g_error ("unexpected summary: %s", second->error->message);
  rollback_id = g_match_info_fetch (match, 1);
  g_assert_cmpstr (rollback_id, !=, first->external_id);
  g_assert_cmpstr (rollback_id, !=, second->external_id);
  assert_contains (second->log, "Rolling back deployment");

  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *index = instance_read (fixture, i, "fs/opt/app/index.html");
      g_autofree char *old_file = instance_read (fixture, i, "fs/opt/app/only-rev1.txt");
      g_autofree char *new_file = instance_path (fixture, i, "fs/opt/app/only-rev2.txt");
      g_autofree char *last = instance_read (fixture, i, ".last-successful");
      g_autofree char *events = instance_read (fixture, i, "fs/events.log");
      const char *expected_id = i < 3 ? rollback_id : first->external_id;

      g_assert_cmpstr (index, ==, "rev1");
      g_assert_cmpstr (old_file, ==, "rev1");
      g_assert_false (g_file_test (new_file, G_FILE_TEST_EXISTS));
      assert_contains (last, expected_id);

      if (i < 3)
        {
          g_autofree char *validated = g_strdup_printf ("ValidateService rev1 %s", rollback_id);

          assert_contains (events, validated);
        }
      else
        assert_lacks (events, "rev2");
    }

  /* instance-1 ran rev2 successfully, so the rollback stopped rev2 there;
   * instance-2 still counted rev1 as its last good revision. */
  {
    g_autofree char *events1 = instance_read (fixture, 1, "fs/events.log");
    g_autofree char *events2 = instance_read (fixture, 2, "fs/events.log");
    g_autofree char *stop1 = g_strdup_printf ("ApplicationStop rev2 %s", rollback_id);
    g_autofree char *stop2 = g_strdup_printf ("ApplicationStop rev1 %s", rollback_id);

    assert_contains (events1, stop1);
    assert_contains (events2, stop2);
  }
}

static void
test_timeout (Fixture       *fixture,
              gconstpointer  data)
{
  static const char appspec[] =
    "version: 0.0\n"
    "os: linux\n"
    "hooks:\n"
    "  BeforeInstall:\n"
    "    - location: scripts/hang.sh\n"
    "      timeout: 1\n";
  const char *files[] = {
    "appspec.yml", appspec,
    "scripts/hang.sh", "#!/bin/sh\necho hanging\nsleep 60\n",
    NULL
  };
  g_autofree char *zip = make_bundle (fixture, "hang", files);
  g_autoptr(Result) res = NULL;
  gint64 start = g_get_monotonic_time ();

  res = deploy (fixture, zip);
  g_assert_false (res->ok);
  assert_contains (res->error->message,
                   "instance-1: BeforeInstall: scripts/hang.sh timed out after 1 s");
  /* SIGTERM ends `sleep` at once; well under the 5 s SIGKILL grace. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
}

static void
test_permissions (Fixture       *fixture,
                  gconstpointer  data)
{
  static const char appspec[] =
    "version: 0.0\n"
    "os: linux\n"
    "files:\n"
    "  - source: app\n"
    "    destination: /opt/app\n"
    "  - source: conf/app.conf\n"
    "    destination: /etc/app\n"
    "permissions:\n"
    "  - object: /opt/app\n"
    "    pattern: \"*.sh\"\n"
    "    mode: 0750\n"
    "    type: [file]\n"
    "  - object: /opt/app\n"
    "    except: [keep]\n"
    "    mode: 711\n"
    "    type: [directory]\n"
    "  - object: /etc/app/app.conf\n"
    "    mode: \"0600\"\n"
    "    owner: pw-no-such-user-xyz\n"
    "hooks:\n"
    "  AfterInstall:\n"
    "    - location: scripts/check.sh\n"
    "      runas: pw-no-such-user-xyz\n";
  const char *files[] = {
    "appspec.yml", appspec,
    "app/run.sh", "#!/bin/sh\n",
    "app/readme.txt", "hello",
    "app/lib/x.txt", "x",
    "app/keep/y.txt", "y",
    "conf/app.conf", "a=b",
    "scripts/check.sh", "#!/bin/sh\ntest -f \"$INSTANCE_ROOT/etc/app/app.conf\"\n",
    NULL
  };
  g_autofree char *zip = make_bundle (fixture, "perm", files);
  g_autoptr(Result) res = deploy (fixture, zip);
  struct {
    const char *path;
    guint       mode;
  } expected[] = {
    { "fs/opt/app/run.sh", 0750 },      /* matches *.sh */
    { "fs/opt/app/readme.txt", 0644 },  /* pattern leaves it */
    { "fs/opt/app/lib", 0711 },         /* a directory below the object */
    { "fs/opt/app/keep", 0755 },        /* excepted */
    { "fs/opt/app", 0755 },             /* never the object itself */
    { "fs/etc/app/app.conf", 0600 },    /* a file object: itself */
  };

  g_assert_no_error (res->error);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *path = instance_path (fixture, 1, expected[i].path);
      GStatBuf st;

      g_assert_cmpint (g_stat (path, &st), ==, 0);
      g_test_message ("%s: %o", expected[i].path, st.st_mode & 07777);
      g_assert_cmpuint (st.st_mode & 07777, ==, expected[i].mode);
    }

  assert_contains (res->log,
                   "Install: owner/group pw-no-such-user-xyz on /etc/app/app.conf skipped");
  assert_contains (res->log, "AfterInstall: runas: pw-no-such-user-xyz ignored");
  assert_contains (res->log, "permissions: mode 0750 on 1 entry of /opt/app");
}

typedef struct
{
  const char *appspec;
  const char *message;
} AppspecCase;

static void
test_bad_appspec (Fixture       *fixture,
                  gconstpointer  data)
{
  static const AppspecCase cases[] = {
    { "version: 0.1\nos: linux\n",
      "appspec.yml:1:10: \"version\" must be 0.0, the only version" },
    { "os: linux\n",
      "appspec.yml:1:1: the appspec needs \"version: 0.0\"" },
    { "version: 0.0\nos: windows\n",
      "appspec.yml:2:5: os: windows deployments cannot run locally; only linux is supported" },
    { "version: 0.0\nos: linux\nflies: []\n",
      "appspec.yml:3:1: unknown key \"flies\" in the appspec; allowed keys: version, os, files, "
      "file_exists_behavior, permissions, hooks" },
    { "version: 0.0\nos: linux\nfiles:\n  - source: nope\n    destination: /opt\n",
      "appspec.yml:4:13: source \"nope\" does not exist in the revision bundle" },
    { "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: opt/app\n",
      "appspec.yml:5:18: destination \"opt/app\" must be an absolute path without \"..\" "
      "(such as /opt/app)" },
    { "version: 0.0\nos: linux\nfiles:\n  - source: app\n",
      "appspec.yml:4:5: files[0] needs \"destination\"" },
    { "version: 0.0\nos: linux\nfile_exists_behavior: MERGE\n",
      "appspec.yml:3:23: \"file_exists_behavior\" must be DISALLOW, OVERWRITE or RETAIN" },
    { "version: 0.0\nos: linux\nhooks:\n  AfterInstal:\n    - location: scripts/ok.sh\n",
      "appspec.yml:4:3: unknown lifecycle event \"AfterInstal\"; EC2/on-premises hooks are "
      "ApplicationStop, BeforeInstall, AfterInstall, ApplicationStart, ValidateService, "
      "BeforeBlockTraffic, AfterBlockTraffic, BeforeAllowTraffic, AfterAllowTraffic" },
    { "version: 0.0\nos: linux\nhooks:\n  Install:\n    - location: scripts/ok.sh\n",
      "appspec.yml:4:3: Install is performed by the CodeDeploy agent and cannot run scripts" },
    { "version: 0.0\nos: linux\nhooks:\n  BeforeInstall:\n    - location: scripts/ok.sh\n"
      "      timeout: 0\n",
      "appspec.yml:6:16: \"timeout\" must be a number of seconds from 1 to 3600" },
    { "version: 0.0\nos: linux\nhooks:\n  BeforeInstall:\n    - location: scripts/ok.sh\n"
      "      timeout: 3000\n    - location: scripts/ok.sh\n      timeout: 3000\n",
      "appspec.yml:4:3: the scripts of BeforeInstall may run for 6000 s in all, more than the "
      "3600 s a lifecycle event may take; lower their timeouts" },
    { "version: 0.0\nos: linux\nhooks:\n  BeforeInstall:\n    - location: scripts/ok.sh\n"
      "      user: root\n",
      "appspec.yml:6:7: unknown key \"user\" in BeforeInstall[0]; allowed keys: location, "
      "timeout, runas" },
    { "version: 0.0\nos: linux\npermissions:\n  - object: /opt/app\n    mode: u+x\n",
      "appspec.yml:5:11: \"mode\" must be up to four octal digits such as \"0644\" or 750 "
      "(symbolic modes are not allowed), not \"u+x\"" },
    { "version: 0.0\nos: linux\npermissions:\n  - object: /opt/app\n    type: [socket]\n",
      "appspec.yml:5:12: unknown type \"socket\"; use file or directory" },
    { "version: 0.0\nos: linux\npermissions:\n  - mode: 644\n",
      "appspec.yml:4:5: permissions[0] needs \"object\"" },
  };
  const char *files[] = {
    "appspec.yml", "",
    "app/index.html", "x",
    "scripts/ok.sh", "#!/bin/sh\n",
    NULL
  };
  g_autofree char *bundle = g_build_filename (fixture->root, "bundles", "bad", NULL);

  g_free (make_bundle (fixture, "bad", files));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PwAppspec) spec = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("case %u:\n%s", i, cases[i].appspec);
      spec = pw_appspec_parse (bundle, "appspec.yml", cases[i].appspec, -1, &error);
      g_assert_null (spec);
      g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }

  /* A YAML error keeps its position too. */
  {
    g_autoptr(PwAppspec) spec = NULL;
    g_autoptr(GError) error = NULL;

    spec = pw_appspec_parse (bundle, "appspec.yml", "version: 0.0\nos: [linux\n", -1, &error);
    g_assert_null (spec);
    g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);
    g_assert_true (g_str_has_prefix (error->message, "appspec.yml:"));
  }

  /* And through the provider: a configuration error, nothing deployed. */
  {
    const char *bad_files[] = {
      "appspec.yml", "version: 0.0\nos: linux\nflies: []\n",
      NULL
    };
    g_autofree char *zip = make_bundle (fixture, "bad-provider", bad_files);
    g_autoptr(Result) res = deploy (fixture, zip);
    g_autofree char *instance = instance_path (fixture, 1, NULL);

    g_assert_false (res->ok);
    g_assert_error (res->error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);
    g_assert_cmpstr (res->error->message, ==,
                     "appspec.yml:3:1: unknown key \"flies\" in the appspec; allowed keys: version, os, "
                     "files, file_exists_behavior, permissions, hooks");
    g_assert_false (g_file_test (instance, G_FILE_TEST_EXISTS));
  }

  /* No appspec at the root. */
  {
    const char *nested[] = { "sub/appspec.yml", "version: 0.0\nos: linux\n", NULL };
    g_autofree char *zip = make_bundle (fixture, "nested", nested);
    g_autoptr(Result) res = deploy (fixture, zip);

    g_assert_error (res->error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);
    assert_contains (res->error->message, "no appspec.yml at its root");
  }
}

static void
test_good_appspec (Fixture       *fixture,
                   gconstpointer  data)
{
  static const char text[] =
    "version: 0.0\n"
    "os: linux\n"
    "files:\n"
    "  - source: /\n"
    "    destination: /srv/./app/\n"
    "file_exists_behavior: OVERWRITE\n"
    "permissions:\n"
    "  - object: /srv/app\n"
    "    pattern: \"**\"\n"
    "    mode: 0644\n"
    "    acls: [\"u:bob:rw\"]\n"
    "hooks:\n"
    "  ApplicationStart:\n"
    "    - location: ./scripts/ok.sh\n"
    "      timeout: 120\n"
    "      runas: app\n"
    "  ValidateService:\n";
  const char *files[] = { "appspec.yml", text, "scripts/ok.sh", "#!/bin/sh\n", NULL };
  g_autofree char *bundle = g_build_filename (fixture->root, "bundles", "good", NULL);
  g_autoptr(PwAppspec) spec = NULL;
  g_autoptr(GError) error = NULL;
  PwAppspecFile *file;
  PwAppspecPermission *permission;
  PwAppspecScript *script;

  g_free (make_bundle (fixture, "good", files));
  spec = pw_appspec_load (bundle, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (spec->files->len, ==, 1);
  file = g_ptr_array_index (spec->files, 0);
  g_assert_cmpstr (file->source, ==, "");
  g_assert_cmpstr (file->destination, ==, "/srv/app");
  g_assert_cmpint (spec->file_exists_behavior, ==, PW_APPSPEC_FILE_EXISTS_OVERWRITE);

  permission = g_ptr_array_index (spec->permissions, 0);
  /* Unquoted 0644 is octal 420 to YAML 1.1; the digits are what count. */
  g_assert_cmpint (permission->mode, ==, 0644);
  g_assert_cmpstr (permission->mode_text, ==, "0644");
  g_assert_null (permission->pattern);
  g_assert_true (permission->has_acls);

  script = g_ptr_array_index (pw_appspec_get_hook (spec, "ApplicationStart"), 0);
  g_assert_cmpstr (script->location, ==, "scripts/ok.sh");
  g_assert_cmpuint (script->timeout, ==, 120);
  g_assert_cmpstr (script->runas, ==, "app");
  g_assert_null (pw_appspec_get_hook (spec, "ValidateService"));
  g_assert_null (pw_appspec_get_hook (spec, "BeforeInstall"));
}

typedef struct
{
  GMainLoop    *loop;
  GCancellable *cancellable;
  PwProvider   *provider;
  PwActionJob  *second;
  gboolean      second_started;
  guint         pending;
  GError       *first_error;
  GError       *second_error;
} CancelState;

static void
cancel_first_done_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  CancelState *state = user_data;

  g_assert_false (pw_provider_run_finish (PW_PROVIDER (source), result, &state->first_error));
  if (--state->pending == 0)
    g_main_loop_quit (state->loop);
}

static void
cancel_second_done_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  CancelState *state = user_data;

  g_assert_false (pw_provider_run_finish (PW_PROVIDER (source), result, &state->second_error));
  /* Refused while the first runs; now stop the first. */
  g_cancellable_cancel (state->cancellable);
  if (--state->pending == 0)
    g_main_loop_quit (state->loop);
}

static void
cancel_line_cb (PwLog       *log,
                const char  *text,
                CancelState *state)
{
  if (state->second_started || strstr (text, "hanging") == NULL)
    return;

  state->second_started = TRUE;
  state->pending++;
  pw_provider_run_async (state->provider, state->second, NULL, cancel_second_done_cb, state);
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  static const char appspec[] =
    "version: 0.0\n"
    "os: linux\n"
    "hooks:\n"
    "  BeforeInstall:\n"
    "    - location: scripts/hang.sh\n";
  const char *files[] = {
    "appspec.yml", appspec,
    "scripts/hang.sh", "#!/bin/sh\necho hanging\nsleep 600\n",
    NULL
  };
  g_autofree char *zip = make_bundle (fixture, "hang", files);
  g_autofree char *first_log = NULL;
  g_autofree char *second_log = NULL;
  g_autofree char *good = NULL;
  g_autoptr(PwActionJob) first = new_job (fixture, zip, &first_log);
  g_autoptr(PwActionJob) second = new_job (fixture, zip, &second_log);
  g_autoptr(PwProvider) provider = pw_codedeploy_provider_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(Result) after = NULL;
  CancelState state = { 0 };
  gint64 start = g_get_monotonic_time ();

  state.loop = loop;
  state.cancellable = cancellable;
  state.provider = provider;
  state.second = second;
  state.pending = 1;
  g_signal_connect (pw_action_job_get_log (first), "line", G_CALLBACK (cancel_line_cb), &state);

  pw_provider_run_async (provider, first, cancellable, cancel_first_done_cb, &state);
  g_main_loop_run (loop);

  g_assert_error (state.second_error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED);
  assert_contains (state.second_error->message,
                   "Deployment group grp of application app already has a deployment in progress");
  g_assert_error (state.first_error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_clear_error (&state.first_error);
  g_clear_error (&state.second_error);

  /* The group is free again. */
  good = make_revision (fixture, "rev1", NULL, NULL);
  after = deploy (fixture, good);
  g_assert_no_error (after->error);
}

/* A hook (or an earlier bundle) that leaves a symlink where the appspec
 * installs: the install is refused and nothing lands outside the
 * instance. */
static void
test_install_through_link (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *outside = g_build_filename (fixture->root, "outside", NULL);
  g_autofree char *script = g_strdup_printf ("#!/bin/sh\n"
                                             "mkdir -p \"$INSTANCE_ROOT\"\n"
                                             "ln -s '%s' \"$INSTANCE_ROOT/opt\"\n", outside);
  const char *files[] = {
    "appspec.yml",
    "version: 0.0\n"
    "os: linux\n"
    "files:\n"
    "  - source: app\n"
    "    destination: /opt/app\n"
    "hooks:\n"
    "  BeforeInstall:\n"
    "    - location: scripts/plant.sh\n",
    "app/index.html", "deployed",
    "scripts/plant.sh", script,
    NULL
  };
  g_autofree char *zip = make_bundle (fixture, "plant", files);
  g_autofree char *escaped = g_build_filename (outside, "app", "index.html", NULL);
  g_autoptr(Result) res = NULL;

  g_assert_cmpint (g_mkdir (outside, 0755), ==, 0);
  res = deploy (fixture, zip);

  g_assert_false (res->ok);
  assert_contains (res->log, "refusing to write /opt/app");
  assert_contains (res->log, "through the symbolic link /opt");
  g_assert_false (g_file_test (escaped, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, data, func) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)

  ADD ("/engine/codedeploy/config/one-at-a-time", "CodeDeployDefault.OneAtATime", test_configs);
  ADD ("/engine/codedeploy/config/half-at-a-time", "CodeDeployDefault.HalfAtATime", test_configs);
  ADD ("/engine/codedeploy/config/all-at-once", "CodeDeployDefault.AllAtOnce", test_configs);
  ADD ("/engine/codedeploy/default-single-instance", NULL, test_default_single_instance);
  ADD ("/engine/codedeploy/application-stop", NULL, test_application_stop);
  ADD ("/engine/codedeploy/file-exists-behavior", NULL, test_file_exists);
  ADD ("/engine/codedeploy/validate-failure", NULL, test_validate_failure);
  ADD ("/engine/codedeploy/missing-script", NULL, test_missing_script);
  ADD ("/engine/codedeploy/rollback", NULL, test_rollback);
  ADD ("/engine/codedeploy/hook-timeout", NULL, test_timeout);
  ADD ("/engine/codedeploy/cancel", NULL, test_cancel);
  ADD ("/engine/codedeploy/permissions", NULL, test_permissions);
  ADD ("/engine/codedeploy/install-through-link", NULL, test_install_through_link);
  ADD ("/engine/codedeploy/appspec/bad", NULL, test_bad_appspec);
  ADD ("/engine/codedeploy/appspec/good", NULL, test_good_appspec);

#undef ADD

  return g_test_run ();
}
