/* test-providers.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The git, Lambda, Commands and simulated providers, the provider registry,
 * V2 trigger filters and the git watcher, against real git repositories
 * and real processes made in a temporary folder. Nothing sleeps: every
 * wait runs the main loop until a callback or signal arrives, with a
 * timeout source that fails the test. */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include <pw-engine.h>

/* Generous: the sanitizer build on a loaded CI runner is slow. */
#define WAIT_SECONDS 60

/* Fixed so commit dates and ids do not depend on when the test runs. */
#define AUTHOR_TIME    "1767323045 +0000"   /* 2026-01-02T03:04:05Z */
#define COMMITTER_TIME "1767409445 +0000"   /* 2026-01-03T03:04:05Z */

/* The actionTypeId line of an action declaration in YAML. */
#define ACTION_TYPE(category, owner, provider) \
  "actionTypeId: {category: " category ", owner: " owner ", provider: " provider ", " \
  "version: '1'}\n"

typedef struct
{
  char           *dir;
  GMainLoop      *loop;
  PwLocalProfile *profile;
  char           *pipeline_dir;
  guint           n_jobs;
} Fixture;

/* Helpers ------------------------------------------------------------------ */

static void
remove_tree (GFile *file)
{
  g_autoptr(GFileEnumerator) children = NULL;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  if (children != NULL)
    {
      GFileInfo *info;

      while ((info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
        {
          g_autoptr(GFile) child = g_file_get_child (file, g_file_info_get_name (info));

          remove_tree (child);
          g_object_unref (info);
        }
    }

  g_file_delete (file, NULL, NULL);
}

static void
setup (Fixture       *f,
       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("pw-providers-XXXXXX", &error);
  g_assert_no_error (error);
  f->loop = g_main_loop_new (NULL, FALSE);
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(GFile) dir = g_file_new_for_path (f->dir);

  if (f->profile != NULL)
    g_assert_finalize_object (f->profile);
  remove_tree (dir);
  g_main_loop_unref (f->loop);
  g_free (f->pipeline_dir);
  g_free (f->dir);
}

static char *
path_in (Fixture    *f,
         const char *relative)
{
  return g_build_filename (f->dir, relative, NULL);
}

static void
write_file (Fixture    *f,
            const char *relative,
            const char *contents,
            int         mode)
{
  g_autofree char *path = path_in (f, relative);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

static void
load_profile (Fixture    *f,
              const char *yaml)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = path_in (f, "pipewright.local.yml");

  write_file (f, "pipewright.local.yml", yaml, 0644);
  g_clear_object (&f->profile);
  f->profile = pw_local_profile_load (path, &error);
  g_assert_no_error (error);
}

/* Runs git synchronously for setting up; the code under test never does. */
static char *
git (const char *dir,
     ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer)"git");
  va_start (args, dir);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer)arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_cwd (launcher, dir);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));

  return g_strstrip (out);
}

static char *
init_repo (Fixture    *f,
           const char *relative)
{
  char *repo = path_in (f, relative);

  g_assert_cmpint (g_mkdir_with_parents (repo, 0755), ==, 0);
  g_free (git (repo, "init", "-q", "-b", "main", NULL));

  return repo;
}

static char *
commit_all (const char *repo,
            const char *message)
{
  g_free (git (repo, "add", "-A", NULL));
  g_free (git (repo, "commit", "-q", "-m", message, NULL));

  return git (repo, "rev-parse", "HEAD", NULL);
}

static PwActionJob *
make_job (Fixture    *f,
          const char *action_yaml)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) declaration = NULL;
  g_autoptr(PwAction) action = NULL;
  g_autoptr(PwLog) log = NULL;
  g_autoptr(JsonNode) config = NULL;
  g_autofree char *work = NULL;
  g_autofree char *out = NULL;
  g_autofree char *log_path = NULL;
  g_autofree char *id = NULL;
  PwActionJob *job;
  JsonObject *configuration;
  guint n = ++f->n_jobs;

  declaration = pw_yaml_parse (action_yaml, -1, NULL, PW_YAML_PARSE_NONE, &error);
  g_assert_no_error (error);
  action = pw_action_new_from_declaration (declaration);

  work = g_strdup_printf ("%s/work-%u", f->dir, n);
  out = g_strdup_printf ("%s/out-%u", f->dir, n);
  log_path = g_strdup_printf ("%s/log-%u.txt", f->dir, n);
  id = g_strdup_printf ("action-execution-%u", n);
  g_assert_cmpint (g_mkdir_with_parents (work, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (out, 0755), ==, 0);
  log = pw_log_new (log_path, &error);
  g_assert_no_error (error);

  /* A copy, so a test may add the executor's `__…` keys. */
  configuration = pw_action_get_configuration (action);
  if (configuration != NULL)
    {
      JsonNode *wrapper = json_node_new (JSON_NODE_OBJECT);

      json_node_set_object (wrapper, configuration);
      config = json_node_copy (wrapper);
      json_node_unref (wrapper);
    }
  else
    {
      config = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (config, json_object_new ());
    }

  job = pw_action_job_new ();
  pw_action_job_set_action (job, action);
  pw_action_job_set_configuration (job, json_node_get_object (config));
  pw_action_job_set_pipeline_name (job, "demo");
  pw_action_job_set_stage_name (job, "Stage");
  pw_action_job_set_execution_id (job, "execution-1");
  pw_action_job_set_action_execution_id (job, id);
  pw_action_job_set_work_dir (job, work);
  pw_action_job_set_output_dir (job, out);
  pw_action_job_set_pipeline_dir (job, f->pipeline_dir != NULL ? f->pipeline_dir : f->dir);
  pw_action_job_set_log (job, log);
  pw_action_job_set_account (job, "111122223333");
  pw_action_job_set_region (job, "eu-west-1");
  if (f->profile != NULL)
    pw_action_job_set_profile (job, f->profile);

  return job;
}

static gboolean
timeout_cb (gpointer data)
{
  g_error ("timed out waiting for %s", (const char *)data);
  return G_SOURCE_REMOVE;
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static gboolean
run_job (Fixture      *f,
         PwActionJob  *job,
         GError      **error)
{
  g_autoptr(PwProvider) provider = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  guint timeout_id;
  gboolean ok;

  provider = pw_provider_for_action (pw_action_job_get_action (job), f->profile);
  pw_provider_run_async (provider, job, NULL, run_done_cb, &result);

  timeout_id = g_timeout_add_seconds (WAIT_SECONDS, timeout_cb, (gpointer)"a provider");
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout_id);

  ok = pw_provider_run_finish (provider, result, error);
  g_assert_true (ok == (*error == NULL));
  if (!ok)
    g_test_message ("The provider failed: %s", (*error)->message);

  return ok;
}

static const char *
variable (PwActionJob *job,
          const char  *name)
{
  return g_hash_table_lookup (pw_action_job_get_output_variables (job), name);
}

static const PwJobArtifact *
single_output (PwActionJob *job)
{
  GPtrArray *outputs = pw_action_job_get_outputs (job);

  g_assert_cmpuint (outputs->len, ==, 1);
  g_assert_true (g_file_test (((PwJobArtifact *)g_ptr_array_index (outputs, 0))->zip_path,
                              G_FILE_TEST_IS_REGULAR));

  return g_ptr_array_index (outputs, 0);
}

static gboolean
zip_has (const char *zip_path,
         const char *entry)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = pw_artifact_list (zip_path, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    if (g_str_equal (g_ptr_array_index (entries, i), entry))
      return TRUE;

  return FALSE;
}

static char *
read_log (PwActionJob *job)
{
  char *contents = NULL;

  pw_log_close (pw_action_job_get_log (job));
  g_assert_true (g_file_get_contents (pw_log_get_path (pw_action_job_get_log (job)),
                                      &contents, NULL, NULL));

  return contents;
}

/* Zips @files (name, contents pairs) into @relative and returns its path. */
static char *
make_zip (Fixture    *f,
          const char *relative,
          ...)
{
  g_autofree char *tree = g_strdup_printf ("%s.tree", relative);
  g_autofree char *tree_path = path_in (f, tree);
  g_autoptr(GError) error = NULL;
  char *zip_path = path_in (f, relative);
  const char *name;
  va_list args;

  g_assert_cmpint (g_mkdir_with_parents (tree_path, 0755), ==, 0);

  va_start (args, relative);
  while ((name = va_arg (args, const char *)) != NULL)
    {
      const char *contents = va_arg (args, const char *);
      g_autofree char *file = g_build_filename (tree, name, NULL);

      write_file (f, file, contents, 0644);
    }
  va_end (args);

  pw_artifact_zip_dir (zip_path, tree_path, NULL, &error);
  g_assert_no_error (error);

  return zip_path;
}

/* Registry ---------------------------------------------------------------- */

static const char *
provider_type (Fixture    *f,
               const char *category,
               const char *owner,
               const char *provider_name,
               const char *action_name)
{
  g_autoptr(PwAction) action = pw_action_new (action_name);
  g_autoptr(PwProvider) provider = NULL;

  pw_action_set_type_id (action, category, owner, provider_name, "1");
  provider = pw_provider_for_action (action, f->profile);
  if (provider == NULL)
    return "(none)";
  g_assert_true (PW_IS_PROVIDER (provider));

  return G_OBJECT_TYPE_NAME (provider);
}

static void
test_registry (Fixture       *f,
               gconstpointer  data)
{
  g_assert_cmpstr (provider_type (f, "Source", "AWS", "CodeCommit", "A"), ==,
                   "PwGitSourceProvider");
  g_assert_cmpstr (provider_type (f, "Source", "AWS", "CodeStarSourceConnection", "A"), ==,
                   "PwGitSourceProvider");
  g_assert_cmpstr (provider_type (f, "Source", "ThirdParty", "GitHub", "A"), ==,
                   "PwGitSourceProvider");
  g_assert_cmpstr (provider_type (f, "Invoke", "AWS", "Lambda", "A"), ==, "PwLambdaProvider");
  g_assert_cmpstr (provider_type (f, "Compute", "AWS", "Commands", "A"), ==, "PwCommandsProvider");
  g_assert_cmpstr (provider_type (f, "Deploy", "AWS", "CloudFormation", "A"), ==,
                   "PwSimulatedProvider");
  g_assert_cmpstr (provider_type (f, "Source", "AWS", "ECR", "A"), ==, "PwSimulatedProvider");
  g_assert_cmpstr (provider_type (f, "Build", "Custom", "Jenkins", "A"), ==, "PwSimulatedProvider");
  /* An AWS action type that does not exist is never simulated as a
   * success: a misspelt provider, one in the wrong category. */
  g_assert_cmpstr (provider_type (f, "Build", "AWS", "CodeBuld", "A"), ==, "(none)");
  g_assert_cmpstr (provider_type (f, "Deploy", "AWS", "Lambda", "A"), ==, "(none)");

  /* The other engineers' providers: anything but simulated. */
  g_assert_cmpstr (provider_type (f, "Source", "AWS", "S3", "A"), !=, "PwSimulatedProvider");
  g_assert_cmpstr (provider_type (f, "Build", "AWS", "CodeBuild", "A"), !=, "PwSimulatedProvider");
  g_assert_cmpstr (provider_type (f, "Test", "AWS", "CodeBuild", "A"), !=, "PwSimulatedProvider");
  g_assert_cmpstr (provider_type (f, "Deploy", "AWS", "CodeDeploy", "A"), !=,
                   "PwSimulatedProvider");
  g_assert_cmpstr (provider_type (f, "Deploy", "AWS", "S3", "A"), !=, "PwSimulatedProvider");
  g_assert_cmpstr (provider_type (f, "Approval", "AWS", "Manual", "A"), !=,
                   "PwSimulatedProvider");
  g_assert_cmpstr (provider_type (f, "Deploy", "AWS", "S3", "A"), !=,
                   provider_type (f, "Source", "AWS", "S3", "A"));

  /* A profile command wins over everything, by action name. */
  load_profile (f, "commands:\n  DeployStack: {run: \"true\"}\n  Checkout: {run: \"true\"}\n");
  g_assert_cmpstr (provider_type (f, "Deploy", "AWS", "CloudFormation", "DeployStack"), ==,
                   "PwCommandsProvider");
  g_assert_cmpstr (provider_type (f, "Source", "AWS", "CodeCommit", "Checkout"), ==,
                   "PwCommandsProvider");
  g_assert_cmpstr (provider_type (f, "Deploy", "AWS", "CloudFormation", "Other"), ==,
                   "PwSimulatedProvider");
}

/* Git source ---------------------------------------------------------------- */

static char *
make_source_repo (Fixture  *f,
                  char    **first_commit,
                  char    **second_commit)
{
  char *repo = init_repo (f, "repo");

  write_file (f, "repo/README.md", "# demo\n", 0644);
  write_file (f, "repo/pipeline/pipeline.yml", "pipeline: {}\n", 0644);
  *first_commit = commit_all (repo, "First commit");

  write_file (f, "repo/build.sh", "#!/bin/sh\necho built\n", 0755);
  write_file (f, "repo/src/main.c", "int main (void) { return 0; }\n", 0644);
  *second_commit = commit_all (repo, "Add the build\n\nWith a longer body.\n");

  g_free (git (repo, "branch", "dev", NULL));

  return repo;
}

static void
test_git_source (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *repo = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *extracted = NULL;
  g_autofree char *script = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PwActionJob) job = NULL;
  const PwJobArtifact *output;

  repo = make_source_repo (f, &first, &second);

  /* No profile: the repository is the one holding the pipeline folder. */
  f->pipeline_dir = g_build_filename (repo, "pipeline", NULL);
  job = make_job (f,
                  "name: Checkout\n"
                  ACTION_TYPE ("Source", "AWS", "CodeCommit")
                  "configuration: {RepositoryName: demo-repo, BranchName: main}\n"
                  "outputArtifacts: [{name: Src}]\n");

  g_assert_true (run_job (f, job, &error));
  g_assert_no_error (error);

  output = single_output (job);
  g_assert_cmpstr (output->name, ==, "Src");
  g_assert_cmpstr (output->revision, ==, second);
  g_assert_true (g_str_has_suffix (output->zip_path, "/Src.zip"));
  g_assert_true (zip_has (output->zip_path, "README.md"));
  g_assert_true (zip_has (output->zip_path, "src/main.c"));

  /* git archive keeps the executable bit. */
  extracted = path_in (f, "extracted");
  pw_artifact_extract (output->zip_path, extracted, NULL, &error);
  g_assert_no_error (error);
  script = g_build_filename (extracted, "build.sh", NULL);
  g_assert_true (g_file_test (script, G_FILE_TEST_IS_EXECUTABLE));

  g_assert_cmpstr (variable (job, "CommitId"), ==, second);
  g_assert_cmpstr (variable (job, "CommitMessage"), ==, "Add the build\n\nWith a longer body.");
  g_assert_cmpstr (variable (job, "RepositoryName"), ==, "demo-repo");
  g_assert_cmpstr (variable (job, "BranchName"), ==, "main");
  g_assert_cmpstr (variable (job, "AuthorDate"), ==, "2026-01-02T03:04:05Z");
  g_assert_cmpstr (variable (job, "CommitterDate"), ==, "2026-01-03T03:04:05Z");
  g_assert_cmpuint (g_hash_table_size (pw_action_job_get_output_variables (job)), ==, 6);
  g_assert_cmpstr (pw_action_job_get_summary (job), ==, "Add the build");
  g_assert_cmpstr (pw_action_job_get_external_id (job), ==, second);
  g_assert_false (pw_action_job_get_simulated (job));
}

static void
test_git_connection_profile (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *repo = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *dev_head = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PwActionJob) job = NULL;
  g_autoptr(PwActionJob) github = NULL;
  g_autoptr(PwActionJob) bare = NULL;
  g_autofree char *url = NULL;

  repo = make_source_repo (f, &first, &second);
  g_free (git (repo, "checkout", "-q", "dev", NULL));
  write_file (f, "repo/dev.txt", "dev\n", 0644);
  dev_head = commit_all (repo, "Dev work");
  g_free (git (repo, "checkout", "-q", "main", NULL));

  /* The profile maps the source to the repository and overrides the
   * branch; the pipeline folder is not in a repository at all. */
  load_profile (f, "sources:\n  App: {repository: repo, branch: dev}\n");
  job = make_job (f,
                  "name: App\n"
                  ACTION_TYPE ("Source", "AWS", "CodeStarSourceConnection")
                  "configuration:\n"
                  "  ConnectionArn: arn:aws:codeconnections:eu-west-1:111122223333:connection/abc\n"
                  "  FullRepositoryId: octo/app\n"
                  "  BranchName: main\n"
                  "  OutputArtifactFormat: CODEBUILD_CLONE_REF\n"
                  "outputArtifacts: [{name: AppSrc}]\n");

  g_assert_true (run_job (f, job, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (single_output (job)->revision, ==, dev_head);
  g_assert_true (zip_has (single_output (job)->zip_path, "dev.txt"));
  g_assert_cmpstr (variable (job, "CommitId"), ==, dev_head);
  g_assert_cmpstr (variable (job, "BranchName"), ==, "dev");
  g_assert_cmpstr (variable (job, "FullRepositoryName"), ==, "octo/app");
  g_assert_cmpstr (variable (job, "ConnectionArn"), ==,
                   "arn:aws:codeconnections:eu-west-1:111122223333:connection/abc");
  g_assert_null (variable (job, "CommitterDate"));
  g_assert_null (variable (job, "RepositoryName"));
  g_assert_cmpuint (g_hash_table_size (pw_action_job_get_output_variables (job)), ==, 6);

  /* GitHub version 1 names its branch `Branch` and adds a CommitUrl. */
  load_profile (f, "sources:\n  Hub: {repository: repo}\n");
  github = make_job (f,
                     "name: Hub\n"
                     ACTION_TYPE ("Source", "ThirdParty", "GitHub")
                     "configuration: {Owner: octo, Repo: app, Branch: main, OAuthToken: '****'}\n"
                     "outputArtifacts: [{name: HubSrc}]\n");
  g_assert_true (run_job (f, github, &error));
  g_assert_no_error (error);
  url = g_strdup_printf ("file://%s#%s", repo, second);
  g_assert_cmpstr (variable (github, "CommitUrl"), ==, url);
  g_assert_cmpstr (variable (github, "RepositoryName"), ==, "app");
  g_assert_cmpuint (g_hash_table_size (pw_action_job_get_output_variables (github)), ==, 7);

  /* A bare repository (a local stand-in for a remote) works too, and
   * names the repository after its folder. */
  g_free (git (f->dir, "clone", "-q", "--bare", "repo", "remote.git", NULL));
  load_profile (f, "sources:\n  Bare: {repository: remote.git}\n");
  bare = make_job (f,
                   "name: Bare\n"
                   ACTION_TYPE ("Source", "AWS", "CodeCommit")
                   "configuration: {BranchName: main}\n"
                   "outputArtifacts: [{name: BareSrc}]\n");
  g_assert_true (run_job (f, bare, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (variable (bare, "CommitId"), ==, second);
  g_assert_cmpstr (variable (bare, "RepositoryName"), ==, "remote");
  g_assert_true (zip_has (single_output (bare)->zip_path, "build.sh"));
}

static void
test_git_missing_branch (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *repo = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PwActionJob) job = NULL;

  repo = make_source_repo (f, &first, &second);
  f->pipeline_dir = g_strdup (repo);
  job = make_job (f,
                  "name: Checkout\n"
                  ACTION_TYPE ("Source", "AWS", "CodeCommit")
                  "configuration: {RepositoryName: demo, BranchName: release}\n"
                  "outputArtifacts: [{name: Src}]\n");

  g_assert_false (run_job (f, job, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED);
  expected = g_strdup_printf ("branch 'release' does not exist in %s; local branches: dev, main",
                              repo);
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_cmpuint (pw_action_job_get_outputs (job)->len, ==, 0);
}

static void
test_git_revision_override (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *repo = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PwActionJob) job = NULL;
  g_autoptr(PwActionJob) missing = NULL;
  const char *action =
    "name: Checkout\n"
    ACTION_TYPE ("Source", "AWS", "CodeCommit")
    "configuration: {RepositoryName: demo, BranchName: main}\n"
    "outputArtifacts: [{name: Src}]\n";

  repo = make_source_repo (f, &first, &second);
  f->pipeline_dir = g_strdup (repo);

  job = make_job (f, action);
  pw_action_job_set_source_revision (job, first);
  g_assert_true (run_job (f, job, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (variable (job, "CommitId"), ==, first);
  g_assert_cmpstr (variable (job, "BranchName"), ==, "main");
  g_assert_cmpstr (pw_action_job_get_summary (job), ==, "First commit");
  g_assert_cmpstr (single_output (job)->revision, ==, first);
  g_assert_false (zip_has (single_output (job)->zip_path, "build.sh"));

  missing = make_job (f, action);
  pw_action_job_set_source_revision (missing, "0123456789abcdef0123456789abcdef01234567");
  g_assert_false (run_job (f, missing, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "revision '0123456789abcdef0123456789abcdef01234567' "
                                            "does not exist"));
}

/* Lambda -------------------------------------------------------------------- */

static const char *lambda_handler =
  "import json, os, sys, zipfile\n"
  "event = json.load(sys.stdin)\n"
  "data = event['CodePipeline.job']['data']\n"
  "with open(os.path.join(os.environ['PIPEWRIGHT_WORK_DIR'], 'event.json'), 'w') as f:\n"
  "    json.dump(event, f)\n"
  "def write_outputs():\n"
  "    for out in data['outputArtifacts']:\n"
  "        with zipfile.ZipFile(out['localPath'], 'w') as z:\n"
  "            z.writestr('result.txt', 'ok')\n"
  "mode = data['actionConfiguration']['configuration'].get('UserParameters', '')\n"
  "if mode == 'fail':\n"
  "    print(json.dumps({'status': 'Failed', 'failureType': 'ConfigurationError',\n"
  "                      'message': 'the health URL is not set'}))\n"
  "elif mode == 'crash':\n"
  "    sys.stderr.write('Traceback: boom\\n')\n"
  "    sys.exit(3)\n"
  "elif mode == 'continue':\n"
  "    n = int(data.get('continuationToken', '0'))\n"
  "    if n < 2:\n"
  "        print(json.dumps({'status': 'Succeeded', 'continuationToken': str(n + 1)}))\n"
  "    else:\n"
  "        write_outputs()\n"
  "        print(json.dumps({'status': 'Succeeded', 'outputVariables': {'Rounds': str(n + 1)}}))\n"
  "elif mode == 'deep':\n"
  "    sys.stdout.write('{\"a\":' + '[' * 100000)\n"
  "elif mode == 'big':\n"
  "    print(json.dumps({'status': 'Succeeded', 'outputVariables': {'Big': 'x' * 130000}}))\n"
  "else:\n"
  "    write_outputs()\n"
  "    print('warming up')\n"
  "    print(json.dumps({'status': 'Succeeded', 'message': 'smoke test passed',\n"
  "                      'outputVariables': {'Url': 'https://staging.example.com',\n"
  "                                          'JobId': os.environ['PIPEWRIGHT_JOB_ID']}}))\n";

static PwActionJob *
lambda_job (Fixture    *f,
            const char *user_parameters)
{
  g_autofree char *yaml = NULL;
  g_autofree char *zip = NULL;
  PwActionJob *job;

  yaml = g_strdup_printf ("name: Smoke\n"
                          ACTION_TYPE ("Invoke", "AWS", "Lambda")
                          "configuration: {FunctionName: smoke-test, UserParameters: '%s'}\n"
                          "inputArtifacts: [{name: BuildOutput}]\n"
                          "outputArtifacts: [{name: Report}]\n",
                          user_parameters);
  job = make_job (f, yaml);
  zip = make_zip (f, "build-output.zip", "app.txt", "app\n", NULL);
  pw_action_job_add_input (job, "BuildOutput", zip, "4b1c2d3e");

  return job;
}

static gboolean
setup_lambda (Fixture *f)
{
  g_autofree char *python = g_find_program_in_path ("python3");

  /* python3 is a build dependency (build-aux/install-deps): missing is a failure. */
  g_assert_nonnull (python);

  write_file (f, "lambdas/smoke.py", lambda_handler, 0644);
  load_profile (f, "lambda:\n  smoke-test: {run: python3 lambdas/smoke.py}\n");

  return TRUE;
}

static void
test_lambda_success (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwActionJob) job = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *event_path = NULL;
  g_autofree char *expected_out = NULL;
  g_autofree char *log = NULL;
  JsonObject *root;
  JsonObject *job_object;
  JsonObject *event_data;
  JsonObject *input;
  JsonObject *output;
  JsonObject *location;

  if (!setup_lambda (f))
    return;

  job = lambda_job (f, "https://staging.example.com/health");
  g_assert_true (run_job (f, job, &error));
  g_assert_no_error (error);

  g_assert_cmpstr (variable (job, "Url"), ==, "https://staging.example.com");
  g_assert_cmpstr (variable (job, "JobId"), ==, pw_action_job_get_action_execution_id (job));
  g_assert_cmpstr (pw_action_job_get_summary (job), ==, "smoke test passed");
  g_assert_cmpstr (single_output (job)->name, ==, "Report");
  g_assert_true (zip_has (single_output (job)->zip_path, "result.txt"));

  /* The event, as the handler received it on stdin. */
  event_path = g_build_filename (pw_action_job_get_work_dir (job), "event.json", NULL);
  json_parser_load_from_file (parser, event_path, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpuint (json_object_get_size (root), ==, 1);
  job_object = json_object_get_object_member (root, "CodePipeline.job");
  g_assert_cmpstr (json_object_get_string_member (job_object, "id"), ==,
                   pw_action_job_get_action_execution_id (job));
  g_assert_cmpstr (json_object_get_string_member (job_object, "accountId"), ==, "111122223333");
  event_data = json_object_get_object_member (job_object, "data");
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (
                       json_object_get_object_member (event_data, "actionConfiguration"),
                       "configuration"),
                     "FunctionName"), ==, "smoke-test");
  g_assert_false (json_object_has_member (event_data, "continuationToken"));
  g_assert_true (json_object_has_member (json_object_get_object_member (event_data,
                                                                        "artifactCredentials"),
                                         "secretAccessKey"));

  input = json_array_get_object_element (json_object_get_array_member (event_data,
                                                                       "inputArtifacts"), 0);
  g_assert_cmpstr (json_object_get_string_member (input, "name"), ==, "BuildOutput");
  g_assert_cmpstr (json_object_get_string_member (input, "revision"), ==, "4b1c2d3e");
  location = json_object_get_object_member (input, "location");
  g_assert_cmpstr (json_object_get_string_member (location, "type"), ==, "S3");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (location,
                                                                                 "s3Location"),
                                                  "bucketName"), ==, "pipewright-local");
  g_assert_true (g_str_has_suffix (json_object_get_string_member (input, "localPath"),
                                   "/build-output.zip"));

  output = json_array_get_object_element (json_object_get_array_member (event_data,
                                                                        "outputArtifacts"), 0);
  expected_out = g_build_filename (pw_action_job_get_output_dir (job), "Report.zip", NULL);
  g_assert_cmpstr (json_object_get_string_member (output, "name"), ==, "Report");
  g_assert_cmpstr (json_object_get_string_member (output, "localPath"), ==, expected_out);

  /* Progress printed before the answer is logged; the event never is. */
  log = read_log (job);
  g_assert_nonnull (strstr (log, "warming up"));
  g_assert_null (strstr (log, "artifactCredentials"));
}

static void
test_lambda_failure (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwActionJob) failed = NULL;
  g_autoptr(PwActionJob) crashed = NULL;
  g_autoptr(PwActionJob) big = NULL;
  g_autoptr(PwActionJob) unmapped = NULL;

  if (!setup_lambda (f))
    return;

  failed = lambda_job (f, "fail");
  g_assert_false (run_job (f, failed, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);
  g_assert_cmpstr (error->message, ==, "the health URL is not set");
  g_clear_error (&error);

  crashed = lambda_job (f, "crash");
  g_assert_false (run_job (f, crashed, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "exited with status 3"));
  g_assert_nonnull (strstr (error->message, "Traceback: boom"));
  g_clear_error (&error);

  big = lambda_job (f, "big");
  g_assert_false (run_job (f, big, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED);
  g_assert_true (g_str_has_prefix (error->message, "OutputVariablesSizeExceededException"));
  g_assert_cmpuint (g_hash_table_size (pw_action_job_get_output_variables (big)), ==, 0);
  g_clear_error (&error);

  load_profile (f, "lambda:\n  other: {run: ./other}\n");
  unmapped = lambda_job (f, "");
  g_assert_false (run_job (f, unmapped, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);
  g_assert_nonnull (strstr (error->message, "pipewright.local.yml"));
  g_assert_nonnull (strstr (error->message, "smoke-test: {run:"));
}

static void
test_lambda_continuation (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwActionJob) job = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *event_path = NULL;
  g_autofree char *log = NULL;
  JsonObject *event_data;

  if (!setup_lambda (f))
    return;

  /* The handler answers with a token twice, then with the variables. */
  job = lambda_job (f, "continue");
  g_assert_true (run_job (f, job, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (variable (job, "Rounds"), ==, "3");

  event_path = g_build_filename (pw_action_job_get_work_dir (job), "event.json", NULL);
  json_parser_load_from_file (parser, event_path, &error);
  g_assert_no_error (error);
  event_data = json_node_get_object (json_parser_get_root (parser));
  event_data = json_object_get_object_member (event_data, "CodePipeline.job");
  event_data = json_object_get_object_member (event_data, "data");
  g_assert_cmpstr (json_object_get_string_member (event_data, "continuationToken"), ==, "2");

  log = read_log (job);
  g_assert_nonnull (strstr (log, "invocation 3"));
}

/* Commands --------------------------------------------------------------- */

static const char *commands_action =
  "name: Package\n"
  ACTION_TYPE ("Compute", "AWS", "Commands")
  "commands:\n"
  "  - echo building in $(pwd)\n"
  "  - mkdir -p dist/nested\n"
  "  - cp hello.txt dist/\n"
  "  - echo \"$CODEBUILD_SRC_DIR_Extra\" > dist/nested/extra-dir.txt\n"
  "  - cat \"$CODEBUILD_SRC_DIR_Extra/extra.txt\" >> dist/nested/extra-dir.txt\n"
  "  - export GREETING=\"hello $STAGE\"\n"
  "  - COUNT=$(ls | wc -l | tr -d ' ')\n"
  "  - echo \"the token is $API_TOKEN\"\n"
  "outputVariables: [GREETING, COUNT, NEVER_SET]\n"
  "environmentVariables:\n"
  "  - {name: STAGE, value: prod}\n"
  "  - {name: API_TOKEN, value: app/token, type: SECRETS_MANAGER}\n"
  "inputArtifacts: [{name: Src}, {name: Extra}]\n"
  "outputArtifacts: [{name: Dist, files: ['dist/**/*']}]\n";

static PwActionJob *
commands_job (Fixture    *f,
              const char *yaml)
{
  g_autofree char *src = NULL;
  g_autofree char *extra = NULL;
  PwActionJob *job;

  load_profile (f, "secrets:\n  app/token: abc123secret\n");
  job = make_job (f, yaml);
  src = make_zip (f, "src.zip", "hello.txt", "hello\n", "README.md", "# readme\n", NULL);
  extra = make_zip (f, "extra.zip", "extra.txt", "extra\n", NULL);
  pw_action_job_add_input (job, "Src", src, "abc");
  pw_action_job_add_input (job, "Extra", extra, NULL);

  return job;
}

static void
test_commands_action (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwActionJob) job = NULL;
  g_autofree char *log = NULL;
  g_autofree char *extracted = NULL;
  g_autofree char *extra_file = NULL;
  g_autofree char *extra_contents = NULL;
  g_autofree char *expected = NULL;
  const PwJobArtifact *output;

  job = commands_job (f, commands_action);
  g_assert_true (run_job (f, job, &error));
  g_assert_no_error (error);

  g_assert_cmpstr (variable (job, "GREETING"), ==, "hello prod");
  /* Unexported shell variables count too; src holds 2 files and dist. */
  g_assert_cmpstr (variable (job, "COUNT"), ==, "3");
  g_assert_cmpstr (variable (job, "NEVER_SET"), ==, "");
  g_assert_cmpuint (g_hash_table_size (pw_action_job_get_output_variables (job)), ==, 3);

  output = single_output (job);
  g_assert_cmpstr (output->name, ==, "Dist");
  g_assert_true (zip_has (output->zip_path, "dist/hello.txt"));
  g_assert_true (zip_has (output->zip_path, "dist/nested/extra-dir.txt"));
  g_assert_false (zip_has (output->zip_path, "README.md"));

  extracted = path_in (f, "dist-extracted");
  pw_artifact_extract (output->zip_path, extracted, NULL, &error);
  g_assert_no_error (error);
  extra_file = g_build_filename (extracted, "dist", "nested", "extra-dir.txt", NULL);
  g_file_get_contents (extra_file, &extra_contents, NULL, &error);
  g_assert_no_error (error);
  expected = g_strdup_printf ("%s/src_Extra\nextra\n", pw_action_job_get_work_dir (job));
  g_assert_cmpstr (extra_contents, ==, expected);

  log = read_log (job);
  g_assert_nonnull (strstr (log, "Running command: cp hello.txt dist/"));
  g_assert_nonnull (strstr (log, "the token is ***"));
  g_assert_null (strstr (log, "abc123secret"));
}

static void
test_commands_resolved_and_failures (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwActionJob) resolved = NULL;
  g_autoptr(PwActionJob) failing = NULL;
  g_autoptr(PwActionJob) no_files = NULL;
  g_autofree char *log = NULL;
  JsonObject *configuration;

  /* The executor passes resolved commands in `__commands`; they win. */
  resolved = commands_job (f,
                           "name: Resolve\n"
                           ACTION_TYPE ("Compute", "AWS", "Commands")
                           "commands: ['export REF=#{Source.CommitId}']\n"
                           "outputVariables: [REF]\n"
                           "inputArtifacts: [{name: Src}]\n");
  configuration = pw_action_job_get_configuration (resolved);
  json_object_set_string_member (configuration, "__commands", "[\"export REF=abc123\"]");
  g_assert_true (run_job (f, resolved, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (variable (resolved, "REF"), ==, "abc123");
  g_assert_cmpstr (pw_action_job_get_summary (resolved), ==, "Ran 1 command");

  failing = commands_job (f,
                          "name: Fail\n"
                          ACTION_TYPE ("Compute", "AWS", "Commands")
                          "commands: ['echo before', 'echo broken >&2; false', 'echo after']\n"
                          "inputArtifacts: [{name: Src}]\n");
  g_assert_false (run_job (f, failing, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "exit status 1"));
  log = read_log (failing);
  g_assert_nonnull (strstr (log, "before"));
  g_assert_null (strstr (log, "\nafter"));
  g_clear_error (&error);

  no_files = commands_job (f,
                           "name: Empty\n"
                           ACTION_TYPE ("Compute", "AWS", "Commands")
                           "commands: ['true']\n"
                           "inputArtifacts: [{name: Src}]\n"
                           "outputArtifacts: [{name: Out, files: ['build/**/*']}]\n");
  g_assert_false (run_job (f, no_files, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT);
  g_assert_nonnull (strstr (error->message, "build/**/*"));
}

static void
test_commands_override (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwActionJob) job = NULL;
  g_autoptr(PwActionJob) failing = NULL;
  g_autofree char *src = NULL;
  g_autofree char *log = NULL;

  write_file (f, "scripts/deploy.sh",
              "#!/bin/sh\n"
              "set -e\n"
              "echo \"deploying $PIPEWRIGHT_CONFIG_StackName from $PIPEWRIGHT_ACTION_TYPE\"\n"
              "cp \"$PIPEWRIGHT_SOURCE_DIR/template.yml\" \"$PIPEWRIGHT_OUTPUT_Outputs/\"\n"
              "echo '{\"Url\": \"http://localhost\"}' \\\n"
              "  > \"$PIPEWRIGHT_OUTPUT_Outputs/outputs.json\"\n"
              "echo \"StackId=local-$PIPEWRIGHT_CONFIG_StackName\" \\\n"
              "  >> \"$PIPEWRIGHT_OUTPUT_VARIABLES\"\n"
              "echo \"Where=$(pwd)\" >> \"$PIPEWRIGHT_OUTPUT_VARIABLES\"\n",
              0755);
  load_profile (f,
                "commands:\n"
                "  DeployStack: {run: ./scripts/deploy.sh --verbose, shell: sh}\n"
                "  Broken: {run: 'echo nope; exit 4'}\n");

  job = make_job (f,
                  "name: DeployStack\n"
                  ACTION_TYPE ("Deploy", "AWS", "CloudFormation")
                  "configuration:\n"
                  "  {ActionMode: CREATE_UPDATE, StackName: web,\n"
                  "   TemplatePath: 'Src::template.yml'}\n"
                  "inputArtifacts: [{name: Src}]\n"
                  "outputArtifacts: [{name: Outputs}]\n");
  src = make_zip (f, "src.zip", "template.yml", "Resources: {}\n", NULL);
  pw_action_job_add_input (job, "Src", src, NULL);

  g_assert_true (run_job (f, job, &error));
  g_assert_no_error (error);
  g_assert_false (pw_action_job_get_simulated (job));
  g_assert_cmpstr (variable (job, "StackId"), ==, "local-web");
  g_assert_cmpstr (variable (job, "Where"), ==, pw_action_job_get_work_dir (job));
  g_assert_true (zip_has (single_output (job)->zip_path, "template.yml"));
  g_assert_true (zip_has (single_output (job)->zip_path, "outputs.json"));
  log = read_log (job);
  g_assert_nonnull (strstr (log, "deploying web from Deploy/AWS/CloudFormation/1"));

  failing = make_job (f,
                      "name: Broken\n"
                      ACTION_TYPE ("Deploy", "AWS", "ECS"));
  g_assert_false (run_job (f, failing, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED);
  /* Why, in one line: the command's last output, not the log's header. */
  g_assert_cmpstr (error->message, ==, "The local command echo nope; exit 4 exited with status 4: nope");
}

/* Simulated --------------------------------------------------------------- */

static const char *template_yaml =
  "Transform: AWS::Serverless-2016-10-31\n"
  "Parameters:\n"
  "  Stage: {Type: String}\n"
  "Resources:\n"
  "  Role:\n"
  "    Type: AWS::IAM::Role\n"
  "    Properties: {AssumeRolePolicyDocument: {}}\n"
  "Outputs:\n"
  "  Url:\n"
  "    Value: !Sub 'https://${AWS::StackName}.example.com'\n"
  "  Fixed:\n"
  "    Value: fixed-value\n";

static PwActionJob *
cloudformation_job (Fixture    *f,
                    const char *capabilities,
                    const char *template_path)
{
  g_autofree char *yaml = NULL;
  g_autofree char *src = NULL;
  PwActionJob *job;

  yaml = g_strdup_printf ("name: Deploy\n"
                          ACTION_TYPE ("Deploy", "AWS", "CloudFormation")
                          "configuration:\n"
                          "  ActionMode: CREATE_UPDATE\n"
                          "  StackName: web\n"
                          "  TemplatePath: '%s'\n"
                          "  Capabilities: '%s'\n"
                          "  ParameterOverrides: '{\"Stage\": \"prod\"}'\n"
                          "  RoleArn: arn:aws:iam::111122223333:role/cfn\n"
                          "  OutputFileName: stack-outputs.json\n"
                          "inputArtifacts: [{name: Src}]\n"
                          "outputArtifacts: [{name: StackOut}]\n",
                          template_path, capabilities);
  job = make_job (f, yaml);
  src = make_zip (f, "cfn-src.zip", "template.yml", template_yaml, "README.md", "x\n", NULL);
  pw_action_job_add_input (job, "Src", src, NULL);

  return job;
}

static void
test_simulated_cloudformation (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwActionJob) job = NULL;
  g_autoptr(PwActionJob) no_iam = NULL;
  g_autoptr(PwActionJob) missing = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *extracted = NULL;
  g_autofree char *outputs_file = NULL;
  g_autofree char *log = NULL;
  JsonObject *outputs;

  job = cloudformation_job (f, "CAPABILITY_IAM,CAPABILITY_AUTO_EXPAND", "Src::template.yml");
  g_assert_true (run_job (f, job, &error));
  g_assert_no_error (error);
  g_assert_true (pw_action_job_get_simulated (job));
  g_assert_cmpstr (pw_action_job_get_summary (job), ==,
                   "Simulated: Would CREATE_UPDATE stack 'web' from Src::template.yml with "
                   "capabilities CAPABILITY_IAM,CAPABILITY_AUTO_EXPAND, parameter overrides "
                   "{\"Stage\": \"prod\"}");
  g_assert_cmpstr (variable (job, "Fixed"), ==, "fixed-value");
  g_assert_cmpstr (variable (job, "Url"), ==, "simulated-Url");

  /* OutputFileName gets the stack outputs as JSON. */
  extracted = path_in (f, "stack-out");
  pw_artifact_extract (single_output (job)->zip_path, extracted, NULL, &error);
  g_assert_no_error (error);
  outputs_file = g_build_filename (extracted, "stack-outputs.json", NULL);
  json_parser_load_from_file (parser, outputs_file, &error);
  g_assert_no_error (error);
  outputs = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (outputs, "Fixed"), ==, "fixed-value");

  log = read_log (job);
  g_assert_nonnull (strstr (log, "Input artifact Src: 2 entries"));
  g_assert_nonnull (strstr (log, "role arn:aws:iam::111122223333:role/cfn"));

  /* What CloudFormation itself would refuse fails here too. */
  no_iam = cloudformation_job (f, "CAPABILITY_AUTO_EXPAND", "Src::template.yml");
  g_assert_false (run_job (f, no_iam, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);
  g_assert_nonnull (strstr (error->message, "Requires capabilities : [CAPABILITY_IAM]"));
  g_clear_error (&error);

  missing = cloudformation_job (f, "CAPABILITY_IAM", "Src::templates/app.yml");
  g_assert_false (run_job (f, missing, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT);
  g_assert_nonnull (strstr (error->message, "holds no file 'templates/app.yml'"));
  g_assert_nonnull (strstr (error->message, "README.md"));
}

static void
test_simulated_others (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwActionJob) ecs = NULL;
  g_autoptr(PwActionJob) ecr = NULL;
  g_autoptr(PwActionJob) jenkins = NULL;
  g_autoptr(PwActionJob) sfn = NULL;
  g_autofree char *build = NULL;
  const char *digest;

  ecs = make_job (f,
                  "name: Ship\n"
                  ACTION_TYPE ("Deploy", "AWS", "ECS")
                  "configuration: {ClusterName: prod, ServiceName: web}\n"
                  "inputArtifacts: [{name: BuildOutput}]\n");
  build = make_zip (f, "images.zip", "imagedefinitions.json",
                    "[{\"name\": \"web\", \"imageUri\": \"repo/web:1.2\"}]", NULL);
  pw_action_job_add_input (ecs, "BuildOutput", build, NULL);
  g_assert_true (run_job (f, ecs, &error));
  g_assert_no_error (error);
  g_assert_true (pw_action_job_get_simulated (ecs));
  g_assert_cmpstr (pw_action_job_get_summary (ecs), ==,
                   "Simulated: Would deploy imagedefinitions.json from BuildOutput to service web "
                   "in cluster prod (web → repo/web:1.2)");
  g_assert_cmpuint (pw_action_job_get_outputs (ecs)->len, ==, 0);

  ecr = make_job (f,
                  "name: Image\n"
                  ACTION_TYPE ("Source", "AWS", "ECR")
                  "configuration: {RepositoryName: web, ImageTag: '1.2'}\n"
                  "outputArtifacts: [{name: ImageArt}]\n");
  g_assert_true (run_job (f, ecr, &error));
  g_assert_no_error (error);
  digest = variable (ecr, "ImageDigest");
  g_assert_true (g_str_has_prefix (digest, "sha256:"));
  g_assert_cmpuint (strlen (digest), ==, strlen ("sha256:") + 64);
  g_assert_cmpstr (single_output (ecr)->revision, ==, digest);
  g_assert_true (zip_has (single_output (ecr)->zip_path, "imageDetail.json"));
  g_assert_true (g_str_has_prefix (variable (ecr, "ImageURI"),
                                   "111122223333.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:"));

  sfn = make_job (f,
                  "name: Flow\n"
                  ACTION_TYPE ("Invoke", "AWS", "StepFunctions")
                  "configuration:\n"
                  "  StateMachineArn: 'arn:aws:states:eu-west-1:111122223333:stateMachine:flow'\n"
                  "  ExecutionNamePrefix: run\n");
  g_assert_true (run_job (f, sfn, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (variable (sfn, "ExecutionArn"),
                                   ":execution:flow:run-action-execution-3"));

  jenkins = make_job (f,
                      "name: Jenkins\n"
                      ACTION_TYPE ("Build", "Custom", "Jenkins")
                      "configuration: {ProjectName: app}\n"
                      "outputArtifacts: [{name: JenkinsOut}]\n");
  g_assert_true (run_job (f, jenkins, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (pw_action_job_get_summary (jenkins),
                                   "Simulated: Would hand a job to the job worker of custom "
                                   "action type Build/Custom/Jenkins/1"));
  g_assert_true (zip_has (single_output (jenkins)->zip_path, "pipewright-simulated.json"));
}

/* JSON from a pipeline's content, nested far past any real document: the
 * action fails with a message, and the runner (which runs every
 * execution of the pipeline) lives on. json-glib recurses once per
 * level and overflowed the stack on these. */
static void
test_deep_json (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwActionJob) lambda = NULL;
  g_autoptr(PwActionJob) ecs = NULL;
  g_autofree char *images = g_strnfill (200000, '[');
  g_autofree char *build = NULL;

  if (!setup_lambda (f))
    return;

  lambda = lambda_job (f, "deep");
  g_assert_false (run_job (f, lambda, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "Lambda function 'smoke-test' printed a job result "
                                            "that cannot be read"));
  g_assert_nonnull (strstr (error->message, "nested more than 256 levels deep"));
  g_clear_error (&error);

  ecs = make_job (f,
                  "name: Ship\n"
                  ACTION_TYPE ("Deploy", "AWS", "ECS")
                  "configuration: {ClusterName: prod, ServiceName: web}\n"
                  "inputArtifacts: [{name: BuildOutput}]\n");
  build = make_zip (f, "deep-images.zip", "imagedefinitions.json", images, NULL);
  pw_action_job_add_input (ecs, "BuildOutput", build, NULL);
  g_assert_false (run_job (f, ecs, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);
  g_assert_nonnull (strstr (error->message, "imagedefinitions.json in BuildOutput"));
  g_assert_nonnull (strstr (error->message, "nested more than 256 levels deep"));
}

static void
test_simulated_catalogue (Fixture       *f,
                          gconstpointer  data)
{
  static const struct {
    const char *type;
    const char *configuration;
    const char *expected;
  } cases[] = {
    { "Deploy, owner: AWS, provider: CloudFormationStackSet",
      "{StackSetName: s, TemplatePath: 'Art::template.yml', Regions: 'eu-west-1'}",
      "Simulated: Would create or update StackSet 's' from Art::template.yml" },
    { "Deploy, owner: AWS, provider: CloudFormationStackInstances",
      "{StackSetName: s, Regions: 'eu-west-1,us-east-1'}",
      "Simulated: Would create or update the instances of StackSet 's' in regions "
      "eu-west-1,us-east-1" },
    { "Deploy, owner: AWS, provider: CodeDeployToECS",
      "{ApplicationName: a, DeploymentGroupName: g, TaskDefinitionTemplateArtifact: Art, "
      "AppSpecTemplateArtifact: Art, Image1ArtifactName: Art, Image1ContainerName: IMAGE1_NAME}",
      "Simulated: Would start a blue/green ECS deployment" },
    { "Deploy, owner: AWS, provider: ElasticBeanstalk",
      "{ApplicationName: a, EnvironmentName: e}",
      "Simulated: Would upload Art (6 entries) as a new version of Elastic Beanstalk application "
      "'a'" },
    { "Deploy, owner: AWS, provider: ServiceCatalog",
      "{ProductId: p, TemplateFilePath: template.yml, ProductVersionName: v1, "
      "ProductType: CLOUD_FORMATION_TEMPLATE}",
      "Simulated: Would create version 'v1' of Service Catalog product p from Art::template.yml" },
    { "Deploy, owner: AWS, provider: AppConfig",
      "{Application: a, Environment: e, ConfigurationProfile: c, "
      "InputArtifactConfigurationPath: config.json}",
      "Simulated: Would deploy Art::config.json as a new version of configuration profile c" },
    { "Test, owner: AWS, provider: DeviceFarm",
      "{AppType: Android, ProjectId: p, App: app.apk, DevicePoolArn: pool, TestType: APPIUM_NODE}",
      "Simulated: Would run APPIUM_NODE tests of Android Art::app.apk" },
    { "Deploy, owner: AWS, provider: OpsWorks", "{Stack: s, App: a}",
      "Simulated: Would deploy OpsWorks app a to stack s" },
    { "Build, owner: AWS, provider: ECRBuildAndPublish", "{ECRRepositoryName: web}",
      "Simulated: Would build the image from Art" },
    { "Deploy, owner: ThirdParty, provider: AlexaSkillsKit",
      "{ClientId: c, ClientSecret: hush, RefreshToken: hush2, SkillId: skill}",
      "Simulated: Would deploy Alexa skill skill from Art" },
  };
  g_autofree char *zip = make_zip (f, "catalogue.zip",
                                   "template.yml", "Resources: {}\n",
                                   "taskdef.json", "{}",
                                   "appspec.yaml", "version: 0.0\n",
                                   "imageDetail.json", "{\"ImageURI\": \"x\"}",
                                   "config.json", "{}",
                                   "app.apk", "apk",
                                   NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PwActionJob) job = NULL;
      g_autofree char *yaml = NULL;
      g_autofree char *log = NULL;

      yaml = g_strdup_printf ("name: Case%u\n"
                              "actionTypeId: {category: %s, version: '1'}\n"
                              "configuration: %s\n"
                              "inputArtifacts: [{name: Art}]\n",
                              i, cases[i].type, cases[i].configuration);
      job = make_job (f, yaml);
      pw_action_job_add_input (job, "Art", zip, NULL);

      g_assert_true (run_job (f, job, &error));
      g_assert_no_error (error);
      g_assert_true (pw_action_job_get_simulated (job));
      if (!g_str_has_prefix (pw_action_job_get_summary (job), cases[i].expected))
        g_error ("case %u: summary '%s' does not start with '%s'", i,
                 pw_action_job_get_summary (job), cases[i].expected);

      log = read_log (job);
      g_assert_null (strstr (log, "hush"));
    }
}

/* Trigger filters ------------------------------------------------------------ */

static void
test_trigger_matches (void)
{
  static const struct {
    const char *configuration;
    const char *branch;
    const char *tag;
    const char *files;        /* comma-separated */
    gboolean    expected;
  } cases[] = {
#define MAIN_FILTER \
    "{\"sourceActionName\": \"Src\", \"push\": [" \
    "{\"branches\": {\"includes\": [\"main\", \"release/**\"], \"excludes\": [\"release/old*\"]}," \
    " \"filePaths\": {\"includes\": [\"src/**\"], \"excludes\": [\"src/**/*.md\"]}}," \
    "{\"tags\": {\"includes\": [\"v*\"], \"excludes\": [\"v0.*\"]}}]}"
    { MAIN_FILTER, "main", NULL, "src/app/main.c", TRUE },
    { MAIN_FILTER, "refs/heads/main", NULL, "src/app/main.c", TRUE },
    { MAIN_FILTER, "main", NULL, "docs/index.md", FALSE },
    { MAIN_FILTER, "main", NULL, "src/app/README.md", FALSE },
    { MAIN_FILTER, "main", NULL, "src/app/README.md,src/app/main.c", TRUE },
    { MAIN_FILTER, "main", NULL, "", FALSE },
    { MAIN_FILTER, "release/2.0/rc", NULL, "src/x.c", TRUE },
    { MAIN_FILTER, "release/old-1", NULL, "src/x.c", FALSE },
    { MAIN_FILTER, "dev", NULL, "src/x.c", FALSE },
    { MAIN_FILTER, NULL, "v1.2", "", TRUE },
    { MAIN_FILTER, NULL, "refs/tags/v1.2", "", TRUE },
    { MAIN_FILTER, NULL, "v0.9", "", FALSE },
    { MAIN_FILTER, NULL, "x1", "", FALSE },
    /* CloudFormation spelling, and a whole trigger object. */
    { "{\"ProviderType\": \"CodeStarSourceConnection\", \"GitConfiguration\": {\"Push\": "
      "[{\"Branches\": {\"Includes\": [\"feature/*\"]}}]}}", "feature/login", NULL, "", TRUE },
    { "{\"Push\": [{\"Branches\": {\"Includes\": [\"feature/*\"]}}]}", "feature/a/b", NULL, "",
      FALSE },
    /* Only excludes: everything else is in. */
    { "{\"push\": [{\"branches\": {\"excludes\": [\"wip/**\"]}}]}", "main", NULL, "", TRUE },
    { "{\"push\": [{\"branches\": {\"excludes\": [\"wip/**\"]}}]}", "wip/a", NULL, "", FALSE },
    /* A branch filter does not match tags, nor a tag filter branches. */
    { "{\"push\": [{\"branches\": {\"includes\": [\"**\"]}}]}", NULL, "v1", "", FALSE },
    { "{\"push\": [{\"tags\": {\"includes\": [\"**\"]}}]}", "main", NULL, "", FALSE },
    /* Alternatives and classes. */
    { "{\"push\": [{\"branches\": {\"includes\": [\"{main,trunk}\"]}}]}", "trunk", NULL, "", TRUE },
    { "{\"push\": [{\"branches\": {\"includes\": [\"hotfix-[0-9]\"]}}]}", "hotfix-7", NULL, "",
      TRUE },
    { "{\"push\": [{\"branches\": {\"includes\": [\"hotfix-[0-9]\"]}}]}", "hotfix-x", NULL, "",
      FALSE },
    /* No push filters: pull-request-only triggers never start on a push. */
    { "{\"pullRequest\": [{\"branches\": {\"includes\": [\"main\"]}}]}", "main", NULL, "", FALSE },
    { "{\"sourceActionName\": \"Src\"}", "main", NULL, "", TRUE },
#undef MAIN_FILTER
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) files = NULL;
      gboolean matched;

      json_parser_load_from_data (parser, cases[i].configuration, -1, &error);
      g_assert_no_error (error);
      files = cases[i].files[0] != '\0' ? g_strsplit (cases[i].files, ",", -1)
                                        : g_new0 (char *, 1);

      matched = pw_git_trigger_matches (json_parser_get_root (parser), cases[i].branch,
                                        cases[i].tag, files);
      if (matched != cases[i].expected)
        g_error ("case %u (%s %s, files '%s'): expected %s", i,
                 cases[i].branch != NULL ? "branch" : "tag",
                 cases[i].branch != NULL ? cases[i].branch : cases[i].tag,
                 cases[i].files, cases[i].expected ? "a match" : "no match");
    }
}

/* Git watch ------------------------------------------------------------------- */

typedef struct
{
  GMainLoop *loop;
  char      *commit;
  char      *ref;
  char      *previous;
  char     **files;
  guint      count;
} Seen;

static void
seen_clear (Seen *seen)
{
  g_clear_pointer (&seen->commit, g_free);
  g_clear_pointer (&seen->ref, g_free);
  g_clear_pointer (&seen->previous, g_free);
  g_clear_pointer (&seen->files, g_strfreev);
}

static void
new_commit_cb (PwGitWatch *watch,
               const char *commit,
               const char *ref,
               Seen       *seen)
{
  seen_clear (seen);
  seen->commit = g_strdup (commit);
  seen->ref = g_strdup (ref);
  seen->previous = g_strdup (pw_git_watch_get_previous_commit (watch));
  seen->files = g_strdupv ((char **)pw_git_watch_get_changed_files (watch));
  seen->count++;
  g_main_loop_quit (seen->loop);
}

/* Runs the loop until @ref is announced at @commit. */
static void
wait_for_ref (Seen       *seen,
              const char *ref,
              const char *commit)
{
  guint timeout_id = g_timeout_add_seconds (WAIT_SECONDS, timeout_cb, (gpointer)"new-commit");

  while (g_strcmp0 (seen->ref, ref) != 0 || g_strcmp0 (seen->commit, commit) != 0)
    g_main_loop_run (seen->loop);

  g_source_remove (timeout_id);
}

static void
test_git_watch (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwGitWatch) watch = NULL;
  g_autoptr(PwGitWatch) all = NULL;
  g_autofree char *repo = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *feature = NULL;
  g_autofree char *subdir = NULL;
  Seen seen = { f->loop, };
  Seen seen_all = { f->loop, };

  repo = init_repo (f, "watched");
  write_file (f, "watched/README.md", "# watched\n", 0644);
  first = commit_all (repo, "Initial");

  /* Any folder inside the work tree finds the repository. */
  subdir = g_build_filename (repo, "sub", NULL);
  g_assert_cmpint (g_mkdir_with_parents (subdir, 0755), ==, 0);
  watch = pw_git_watch_new (subdir, "main", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pw_git_watch_get_repo_dir (watch), ==, repo);
  g_signal_connect (watch, "new-commit", G_CALLBACK (new_commit_cb), &seen);

  all = pw_git_watch_new (repo, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (all, "new-commit", G_CALLBACK (new_commit_cb), &seen_all);

  write_file (f, "watched/src/app.c", "int x;\n", 0644);
  second = commit_all (repo, "Add app");
  wait_for_ref (&seen, "refs/heads/main", second);
  g_assert_cmpstr (seen.previous, ==, first);
  g_assert_nonnull (seen.files);
  g_assert_cmpstr (seen.files[0], ==, "src/app.c");
  g_assert_null (seen.files[1]);
  wait_for_ref (&seen_all, "refs/heads/main", second);

  /* A branch in a folder of its own (refs/heads/feature/) and a tag. */
  g_free (git (repo, "checkout", "-q", "-b", "feature/login", NULL));
  write_file (f, "watched/login.c", "int login;\n", 0644);
  feature = commit_all (repo, "Login");
  wait_for_ref (&seen_all, "refs/heads/feature/login", feature);
  g_assert_true (g_strv_contains ((const char * const *)seen_all.files, "login.c"));

  g_free (git (repo, "tag", "-a", "-m", "release", "v1.0", NULL));
  wait_for_ref (&seen_all, "refs/tags/v1.0", feature);
  g_assert_null (seen_all.previous);

  /* The branch watch saw only main. */
  g_assert_cmpuint (seen.count, ==, 1);

  g_clear_object (&watch);
  g_assert_finalize_object (g_steal_pointer (&all));
  seen_clear (&seen);
  seen_clear (&seen_all);

  g_assert_null (pw_git_watch_new (f->dir, NULL, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);
}

int
main (int   argc,
      char *argv[])
{
  /* Commits with fixed authors and dates, and no user or system git
   * configuration leaking into the repositories. */
  g_setenv ("GIT_CONFIG_NOSYSTEM", "1", TRUE);
  g_setenv ("GIT_CONFIG_GLOBAL", "/dev/null", TRUE);
  g_setenv ("GIT_AUTHOR_NAME", "Ada Author", TRUE);
  g_setenv ("GIT_AUTHOR_EMAIL", "ada@example.com", TRUE);
  g_setenv ("GIT_AUTHOR_DATE", AUTHOR_TIME, TRUE);
  g_setenv ("GIT_COMMITTER_NAME", "Carl Committer", TRUE);
  g_setenv ("GIT_COMMITTER_EMAIL", "carl@example.com", TRUE);
  g_setenv ("GIT_COMMITTER_DATE", COMMITTER_TIME, TRUE);
  g_unsetenv ("GIT_DIR");
  g_unsetenv ("GIT_WORK_TREE");

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/engine/providers/registry", Fixture, NULL, setup, test_registry, teardown);
  g_test_add ("/engine/providers/git/outputs", Fixture, NULL, setup, test_git_source, teardown);
  g_test_add ("/engine/providers/git/connection-profile", Fixture, NULL, setup,
              test_git_connection_profile, teardown);
  g_test_add ("/engine/providers/git/missing-branch", Fixture, NULL, setup,
              test_git_missing_branch, teardown);
  g_test_add ("/engine/providers/git/revision-override", Fixture, NULL, setup,
              test_git_revision_override, teardown);
  g_test_add ("/engine/providers/lambda/success", Fixture, NULL, setup, test_lambda_success,
              teardown);
  g_test_add ("/engine/providers/lambda/failure", Fixture, NULL, setup, test_lambda_failure,
              teardown);
  g_test_add ("/engine/providers/lambda/continuation", Fixture, NULL, setup,
              test_lambda_continuation, teardown);
  g_test_add ("/engine/providers/commands/action", Fixture, NULL, setup, test_commands_action,
              teardown);
  g_test_add ("/engine/providers/commands/resolved-and-failures", Fixture, NULL, setup,
              test_commands_resolved_and_failures, teardown);
  g_test_add ("/engine/providers/commands/override", Fixture, NULL, setup,
              test_commands_override, teardown);
  g_test_add ("/engine/providers/simulated/cloudformation", Fixture, NULL, setup,
              test_simulated_cloudformation, teardown);
  g_test_add ("/engine/providers/simulated/others", Fixture, NULL, setup,
              test_simulated_others, teardown);
  g_test_add ("/engine/providers/deep-json", Fixture, NULL, setup, test_deep_json, teardown);
  g_test_add ("/engine/providers/simulated/catalogue", Fixture, NULL, setup,
              test_simulated_catalogue, teardown);
  g_test_add_func ("/engine/git-trigger/matches", test_trigger_matches);
  g_test_add ("/engine/git-watch/new-commit", Fixture, NULL, setup, test_git_watch, teardown);

  return g_test_run ();
}
