/* test-codebuild.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "pw-engine-private.h"
#include "process-util.h"

/* Every test runs real builds with /bin/sh in a temporary folder: the
 * sources are a folder zipped into an input artifact, and the result is
 * waited for on a main loop. */

typedef struct
{
  char           *root;
  char           *sources;
  char           *work;
  char           *out;
  char           *cache;
  char           *log_path;
  PwLog          *log;
  PwActionJob    *job;
  PwLocalProfile *profile;
  GMainLoop      *loop;
  GAsyncResult   *result;
  GCancellable   *cancellable;
  char           *cancel_on;
} Fixture;

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  GStatBuf st;
  const char *name;

  if (g_lstat (path, &st) != 0)
    return;

  if (S_ISDIR (st.st_mode) && (dir = g_dir_open (path, 0, NULL)) != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
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
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  return contents;
}

/* How many times @needle is in @text. */
static guint
count_in (const char *text,
          const char *needle)
{
  guint n = 0;
  gsize len = strlen (needle);

  for (const char *p = text; (p = strstr (p, needle)) != NULL; p += len)
    n++;
  return n;
}

static PwAction *
make_action (const char * const *outputs)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, "Build");
  json_builder_set_member_name (builder, "actionTypeId");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "category");
  json_builder_add_string_value (builder, "Build");
  json_builder_set_member_name (builder, "owner");
  json_builder_add_string_value (builder, "AWS");
  json_builder_set_member_name (builder, "provider");
  json_builder_add_string_value (builder, "CodeBuild");
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, "1");
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "outputArtifacts");
  json_builder_begin_array (builder);
  for (guint i = 0; outputs != NULL && outputs[i] != NULL; i++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, outputs[i]);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  return pw_action_new_from_declaration (node);
}

static void
set_outputs (Fixture            *fixture,
             const char * const *outputs)
{
  g_autoptr(PwAction) action = make_action (outputs);

  pw_action_job_set_action (fixture->job, action);
}

static void
set_config (Fixture    *fixture,
            const char *key,
            const char *value)
{
  JsonObject *configuration = pw_action_job_get_configuration (fixture->job);

  json_object_set_string_member (configuration, key, value);
}

static void
load_profile (Fixture    *fixture,
              const char *text)
{
  g_autofree char *path = g_build_filename (fixture->root, "pipewright.local.yml", NULL);
  g_autoptr(GError) error = NULL;

  write_file (fixture->root, "pipewright.local.yml", text);
  g_clear_object (&fixture->profile);
  fixture->profile = pw_local_profile_load (path, &error);
  g_assert_no_error (error);
  pw_action_job_set_profile (fixture->job, fixture->profile);
}

/* Zips `<root>/inputs/<name>` into an input artifact of the job. */
static void
add_input (Fixture    *fixture,
           const char *name,
           const char *revision)
{
  g_autofree char *dir = g_build_filename (fixture->root, "inputs", name, NULL);
  g_autofree char *zip = g_strdup_printf ("%s/%s.zip", fixture->root, name);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  pw_artifact_zip_dir (zip, dir, NULL, &error);
  g_assert_no_error (error);
  pw_action_job_add_input (fixture->job, name, zip, revision);
}

/* The primary source with its buildspec, as the only input. */
static void
add_source (Fixture    *fixture,
            const char *buildspec)
{
  g_autofree char *dir = g_build_filename (fixture->root, "inputs", "SourceOutput", NULL);

  write_file (dir, "buildspec.yml", buildspec);
  add_input (fixture, "SourceOutput", "0123456789abcdef");
}

static void
new_job (Fixture *fixture)
{
  g_autoptr(JsonObject) configuration = json_object_new ();
  g_autoptr(GError) error = NULL;
  const char *path = g_getenv ("PATH");
  g_auto(GStrv) env = NULL;

  g_clear_object (&fixture->job);
  g_clear_object (&fixture->log);

  remove_tree (fixture->work);
  g_assert_cmpint (g_mkdir_with_parents (fixture->work, 0755), ==, 0);
  g_unlink (fixture->log_path);

  fixture->log = pw_log_new (fixture->log_path, &error);
  g_assert_no_error (error);

  env = g_environ_setenv (env, "PATH", path != NULL ? path : "/usr/bin:/bin", TRUE);
  env = g_environ_setenv (env, "HOME", g_get_home_dir (), TRUE);
  env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);

  fixture->job = pw_action_job_new ();
  json_object_set_string_member (configuration, "ProjectName", "demo");
  pw_action_job_set_configuration (fixture->job, configuration);
  pw_action_job_set_pipeline_name (fixture->job, "my-pipeline");
  pw_action_job_set_work_dir (fixture->job, fixture->work);
  pw_action_job_set_output_dir (fixture->job, fixture->out);
  pw_action_job_set_cache_dir (fixture->job, fixture->cache);
  pw_action_job_set_log (fixture->job, fixture->log);
  pw_action_job_set_environment (fixture->job, (const char * const *)env);
  pw_action_job_set_region (fixture->job, "eu-west-1");
  pw_action_job_set_account (fixture->job, "111122223333");
  if (fixture->profile != NULL)
    pw_action_job_set_profile (fixture->job, fixture->profile);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->root = g_dir_make_tmp ("pw-codebuild-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->sources = g_build_filename (fixture->root, "inputs", NULL);
  fixture->work = g_build_filename (fixture->root, "work", NULL);
  fixture->out = g_build_filename (fixture->root, "out", NULL);
  fixture->cache = g_build_filename (fixture->root, "cache", NULL);
  fixture->log_path = g_build_filename (fixture->root, "action.log", NULL);
  fixture->loop = g_main_loop_new (NULL, FALSE);
  fixture->cancellable = g_cancellable_new ();

  new_job (fixture);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_object (&fixture->job);
  g_clear_object (&fixture->log);
  g_clear_object (&fixture->profile);
  g_clear_object (&fixture->result);
  g_clear_object (&fixture->cancellable);
  g_clear_pointer (&fixture->loop, g_main_loop_unref);
  remove_tree (fixture->root);
  g_free (fixture->root);
  g_free (fixture->sources);
  g_free (fixture->work);
  g_free (fixture->out);
  g_free (fixture->cache);
  g_free (fixture->log_path);
  g_free (fixture->cancel_on);
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Fixture *fixture = user_data;

  fixture->result = g_object_ref (result);
  g_main_loop_quit (fixture->loop);
}

static void
line_cb (PwLog      *log,
         const char *text,
         Fixture    *fixture)
{
  if (fixture->cancel_on != NULL && strstr (text, fixture->cancel_on) != NULL)
    g_cancellable_cancel (fixture->cancellable);
}

static gboolean
run_build (Fixture  *fixture,
           GError  **error)
{
  g_autoptr(PwProvider) provider = pw_codebuild_provider_new ();
  gulong handler;
  gboolean ok;

  handler = g_signal_connect (fixture->log, "line", G_CALLBACK (line_cb), fixture);

  g_clear_object (&fixture->result);
  pw_provider_run_async (provider, fixture->job, fixture->cancellable, run_done_cb, fixture);
  g_main_loop_run (fixture->loop);

  g_signal_handler_disconnect (fixture->log, handler);
  ok = pw_provider_run_finish (provider, fixture->result, error);
  g_clear_object (&fixture->result);
  /* Nothing of the build (thread tasks, command callbacks) outlives it. */
  g_assert_finalize_object (g_steal_pointer (&provider));

  return ok;
}

static char *
read_log (Fixture *fixture)
{
  return read_file (fixture->log_path);
}

/* The session folder a command printed as `session=…`. */
static char *
session_dir (const char *log)
{
  const char *line = strstr (log, "Z session=/");
  const char *end;

  g_assert_nonnull (line);
  line += strlen ("Z session=");
  end = strchr (line, '\n');
  g_assert_nonnull (end);

  return g_strndup (line, end - line);
}

static void
assert_build_ok (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  if (!run_build (fixture, &error))
    {
      g_autofree char *log = read_log (fixture);

      g_error ("The build failed: %s\n%s", error->message, log);
    }
}

#define assert_log_has(log, text) \
  G_STMT_START { \
    if (strstr ((log), (text)) == NULL) \
      g_error ("The log lacks '%s':\n%s", (text), (log)); \
  } G_STMT_END

#define assert_log_lacks(log, text) \
  G_STMT_START { \
    if (strstr ((log), (text)) != NULL) \
      g_error ("The log has '%s':\n%s", (text), (log)); \
  } G_STMT_END

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *)a, *(const char * const *)b);
}

static GPtrArray *
list_zip (const char *path)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *names = pw_artifact_list (path, &error);

  g_assert_no_error (error);
  g_ptr_array_sort (names, compare_strings);
  g_ptr_array_add (names, NULL);

  return names;
}

static void
assert_zip (const char         *path,
            const char * const *expected)
{
  g_autoptr(GPtrArray) names = list_zip (path);

  if (!g_strv_equal ((const char * const *)names->pdata, expected))
    {
      g_autofree char *got = g_strjoinv (", ", (char **)names->pdata);

      g_error ("%s holds %s", path, got);
    }
}

/* Tests --------------------------------------------------------------------- */

static void
test_environment (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *log = NULL;
  g_autofree char *expected = NULL;
  const char *external_id;

  add_source (fixture,
              "version: 0.2\n"
              "phases:\n"
              "  build:\n"
              "    commands:\n"
              "      - echo \"src=$CODEBUILD_SRC_DIR\"\n"
              "      - echo \"id=$CODEBUILD_BUILD_ID\"\n"
              "      - echo \"arn=$CODEBUILD_BUILD_ARN\"\n"
              "      - echo \"number=$CODEBUILD_BUILD_NUMBER\"\n"
              "      - echo \"initiator=$CODEBUILD_INITIATOR\"\n"
              "      - echo \"version=$CODEBUILD_RESOLVED_SOURCE_VERSION/"
              "$CODEBUILD_SOURCE_VERSION\"\n"
              "      - echo \"region=$AWS_REGION/$AWS_DEFAULT_REGION\"\n"
              "      - echo \"image=$CODEBUILD_BUILD_IMAGE\"\n"
              "      - echo \"succeeding=$CODEBUILD_BUILD_SUCCEEDING\"\n"
              "      - test \"$CODEBUILD_START_TIME\" -gt 1600000000000\n"
              "      - echo \"home=$HOME\"\n"
              "      - echo \"pwd=$(pwd)\"\n"
              "      - echo \"session=$__pw_state\"\n");

  assert_build_ok (fixture);

  external_id = pw_action_job_get_external_id (fixture->job);
  g_assert_true (g_str_has_prefix (external_id, "demo:"));
  g_assert_cmpuint (strlen (external_id), ==, strlen ("demo:") + 36);
  g_assert_cmpstr (pw_action_job_get_summary (fixture->job), ==, "Build succeeded");

  log = read_log (fixture);
  expected = g_strdup_printf ("src=%s/src\n", fixture->work);
  assert_log_has (log, expected);
  g_free (expected);
  expected = g_strdup_printf ("id=%s\n", external_id);
  assert_log_has (log, expected);
  g_free (expected);
  expected = g_strdup_printf ("arn=arn:aws:codebuild:eu-west-1:111122223333:build/%s\n",
                              external_id);
  assert_log_has (log, expected);
  g_free (expected);
  assert_log_has (log, "number=1\n");
  assert_log_has (log, "initiator=codepipeline/my-pipeline\n");
  assert_log_has (log, "version=0123456789abcdef/0123456789abcdef\n");
  assert_log_has (log, "region=eu-west-1/eu-west-1\n");
  assert_log_has (log, "image=aws/codebuild/standard:7.0\n");
  assert_log_has (log, "succeeding=1\n");
  expected = g_strdup_printf ("home=%s\n", g_get_home_dir ());
  assert_log_has (log, expected);
  g_free (expected);
  expected = g_strdup_printf ("pwd=%s/src\n", fixture->work);
  assert_log_has (log, expected);

  assert_log_has (log, "Running command echo \"src=$CODEBUILD_SRC_DIR\"\n");
  assert_log_has (log, "Entering phase INSTALL\n");
  assert_log_has (log, "Phase complete: INSTALL State: SUCCEEDED\n");
  assert_log_has (log, "Phase complete: BUILD State: SUCCEEDED\n");
  assert_log_has (log, "Phase complete: POST_BUILD State: SUCCEEDED\n");

  /* env.sh held the build's environment: its folder is in memory when
   * there is a tmpfs, never in the work folder, and goes with the build. */
  {
    g_autofree char *session = session_dir (log);

    const char *runtime = g_getenv ("XDG_RUNTIME_DIR");
    g_autofree char *expected_base = NULL;

    if (runtime != NULL && access (runtime, W_OK) == 0)
      expected_base = g_build_filename (runtime, "pipewright-session-", NULL);
    else if (access ("/dev/shm", W_OK) == 0)
      expected_base = g_strdup ("/dev/shm/pipewright-session-");
    if (expected_base != NULL)
      g_assert_true (g_str_has_prefix (session, expected_base));
    g_assert_false (g_str_has_prefix (session, fixture->work));
    g_assert_false (g_file_test (session, G_FILE_TEST_EXISTS));
  }
}

/* cd and export last across commands and phases, unset too; exit ends
 * only its own command; a `|` block is one command. */
static void
test_session (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *log = NULL;
  g_autofree char *expected = NULL;

  add_source (fixture,
              "version: 0.2\n"
              "phases:\n"
              "  install:\n"
              "    commands:\n"
              "      - export GREETING=hello\n"
              "      - mkdir -p sub/dir && cd sub/dir\n"
              "      - export DROPPED=yes\n"
              "      - PLAIN=not-exported\n"
              "      - |\n"
              "        MULTI=\"it's\n"
              "        second line\"\n"
              "      - GONE=soon\n"
              "      - |\n"
              "        TMPD=$(mktemp -d)\n"
              "        trap 'rm -rf \"$TMPD\"' EXIT\n"
              "        export TRAPPED=kept\n"
              "        cd /tmp && cd \"$OLDPWD\"/..\n"
              "      - echo \"trapped=${TRAPPED-unset} now=$(pwd)\"\n"
              "      - cd dir\n"
              "  pre_build:\n"
              "    commands:\n"
              "      - echo \"greeting=$GREETING pwd=$(pwd) plain=${PLAIN-unset}\"\n"
              "      - echo \"child sees plain=$(sh -c 'echo ${PLAIN-unset}')\"\n"
              "      - printf '<%s>\\n' \"$MULTI\"\n"
              "      - unset GONE\n"
              "      - echo \"gone=${GONE-unset}\"\n"
              "      - unset DROPPED\n"
              "      - exit 0\n"
              "      - cd ..\n"
              "  build:\n"
              "    commands:\n"
              "      - echo \"dropped=${DROPPED-unset} pwd=$(pwd)\"\n"
              "      - |\n"
              "        false\n"
              "        echo \"block runs on\"\n"
              "      - \"export QUOTE=\\\"it's\\\"\"\n"
              "  post_build:\n"
              "    commands:\n"
              "      - echo \"quote=$QUOTE\"\n"
              "      - cd \"$CODEBUILD_SRC_DIR\" && echo \"back=$(pwd)\"\n");

  assert_build_ok (fixture);

  log = read_log (fixture);
  /* Unexported variables last too (one shell session), and stay out of
   * the environment of what the commands start. */
  expected = g_strdup_printf ("greeting=hello pwd=%s/src/sub/dir plain=not-exported\n",
                              fixture->work);
  assert_log_has (log, "Z child sees plain=unset\n");
  assert_log_has (log, "Z <it's\n");
  assert_log_has (log, "Z second line>\n");
  assert_log_has (log, "Z gone=unset\n");
  /* A command with its own EXIT trap keeps its export and cd. */
  g_free (expected);
  expected = g_strdup_printf ("Z trapped=kept now=%s/src/sub\n", fixture->work);
  assert_log_has (log, expected);
  assert_log_has (log, expected);
  g_free (expected);
  expected = g_strdup_printf ("dropped=unset pwd=%s/src/sub\n", fixture->work);
  assert_log_has (log, expected);
  g_free (expected);
  assert_log_has (log, "block runs on\n");
  assert_log_has (log, "quote=it's\n");
  expected = g_strdup_printf ("back=%s/src\n", fixture->work);
  assert_log_has (log, expected);
}

/* env.shell bash: bash syntax works, and bash's own `export -p` format
 * carries awkward values from one command to the next. */
static void
test_bash (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *log = NULL;

  add_source (fixture,
              "version: 0.2\n"
              "env:\n"
              "  shell: bash\n"
              "phases:\n"
              "  build:\n"
              "    commands:\n"
              "      - export AWKWARD=$'line one\\n\"two\" \\\\ $HOME `x` \\'q\\''\n"
              "      - declare -a LIST=(1 2 3); echo \"bash list ${#LIST[@]}\"\n"
              "      - printf '<%s>\\n' \"$AWKWARD\"\n"
              "      - '[[ \"$BASH_VERSION\" == *.* ]] && echo bash-here'\n"
              "      - PLAIN=$'tab\\there'; ARR=(a \"b c\"); f() { :; }\n"
              "      - printf '[%s]\\n' \"$PLAIN\" \"${ARR[1]}\" \"${#ARR[@]}\"\n"
              "      - declare -A REGIONS=([us]=us-east-1 [eu]=eu-west-1); declare -i N=4\n"
              "      - N+=1; echo \"eu=${REGIONS[eu]} us=${REGIONS[us]} keys=${#REGIONS[@]} n=$N\"\n");

  assert_build_ok (fixture);

  log = read_log (fixture);
  /* Unexported bash variables, arrays too, last; restoring them never
   * touches bash's read-only ones. */
  assert_log_has (log, "Z [tab\there]\n");
  assert_log_has (log, "Z [b c]\n");
  assert_log_has (log, "Z [2]\n");
  /* Associative arrays stay associative, integers integers. */
  assert_log_has (log, "Z eu=eu-west-1 us=us-east-1 keys=2 n=5\n");
  assert_log_lacks (log, "readonly");
  assert_log_has (log, "Z bash list 3\n");
  assert_log_has (log, "Z <line one\n");
  assert_log_has (log, "Z \"two\" \\ $HOME `x` 'q'>\n");
  assert_log_has (log, "Z bash-here\n");
}

/* A `|` block counts its last line, unless it says `set -e`. */
/* ENV is a variable like any other; a process a command leaves in the
 * background ends with the build, as with CodeBuild's container, also
 * one in a session of its own (`setsid`), which no process group reaches.
 * It lasts until then: a later command still sees it. */
static void
test_env_and_leftovers (Fixture       *fixture,
                        gconstpointer  data)
{
  const char * const background[] = { "sleep", "3001", NULL };
  const char * const detached[] = { "sleep", "3002", NULL };
  g_autofree char *log = NULL;

  add_source (fixture,
              "version: 0.2\n"
              "env:\n"
              "  variables: {ENV: production}\n"
              "phases:\n"
              "  build:\n"
              "    commands:\n"
              "      - echo \"env=$ENV\"\n"
              "      - sleep 3001 >/dev/null 2>&1 & echo $! > bg.pid\n"
              "      - setsid sleep 3002 >/dev/null 2>&1 &\n"
              "      - kill -0 \"$(cat bg.pid)\" && echo \"still running\"\n");

  assert_build_ok (fixture);

  log = read_log (fixture);
  assert_log_has (log, "Z env=production\n");
  assert_log_has (log, "Z still running\n");
  assert_log_has (log, "Stopped 2 processes left running in the background");
  g_assert_cmpuint (count_processes (background), ==, 0);
  g_assert_cmpuint (count_processes (detached), ==, 0);
}

static void
test_set_e (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  add_source (fixture,
              "version: 0.2\n"
              "phases:\n"
              "  build:\n"
              "    commands:\n"
              "      - |\n"
              "        false\n"
              "        echo \"last line wins\"\n"
              "      - |\n"
              "        set -e\n"
              "        cd /\n"
              "        false\n"
              "        echo NOT-REACHED\n"
              "  post_build:\n"
              "    commands:\n"
              "      - echo \"post in $(pwd)\"\n");

  g_assert_false (run_build (fixture, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==,
                   "Build terminated with state: FAILED (phase BUILD: command 'set -e…' exited "
                   "with 1)");

  log = read_log (fixture);
  assert_log_has (log, "Z last line wins\n");
  assert_log_lacks (log, "Z NOT-REACHED");
  /* The failed command's `cd` still happened. */
  assert_log_has (log, "Z post in /\n");
}

/* Version 0.1 runs each command in a fresh shell: from the source folder,
 * with the build's first environment (as CodeBuild runs it). */
static void
test_version_01 (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  add_source (fixture,
              "version: 0.1\n"
              "phases:\n"
              "  build:\n"
              "    commands:\n"
              "      - mkdir -p sub && cd sub\n"
              "      - export CARRIED=yes\n"
              "      - echo \"Z in $(basename \"$(pwd)\") carried=[$CARRIED]\"\n");

  g_assert_true (run_build (fixture, &error));
  g_assert_no_error (error);

  log = read_log (fixture);
  assert_log_has (log, "version 0.2 is recommended");
  assert_log_has (log, "Z in src carried=[]\n");
}

static void
test_pre_build_fails (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  g_autofree char *zip = g_build_filename (fixture->out, "BuildOutput.zip", NULL);

  set_outputs (fixture, (const char * const[]) { "BuildOutput", NULL });
  add_source (fixture,
              "version: 0.2\n"
              "phases:\n"
              "  pre_build:\n"
              "    commands:\n"
              "      - echo pre\n"
              "      - sh -c 'exit 4'\n"
              "      - echo NOT-RUN\n"
              "    finally:\n"
              "      - echo \"pre finally succeeding=$CODEBUILD_BUILD_SUCCEEDING\"\n"
              "  build:\n"
              "    commands:\n"
              "      - echo BUILD-RAN > out.txt\n"
              "  post_build:\n"
              "    commands:\n"
              "      - echo POST-RAN\n"
              "artifacts:\n"
              "  files: ['**/*']\n");

  g_assert_false (run_build (fixture, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==,
                   "Build terminated with state: FAILED (phase PRE_BUILD: command "
                   "'sh -c 'exit 4'' exited with 4)");
  g_assert_cmpstr (pw_action_job_get_summary (fixture->job), ==, error->message);

  log = read_log (fixture);
  assert_log_has (log, "Command did not exit successfully sh -c 'exit 4' exit status 4\n");
  assert_log_has (log, "pre finally succeeding=0\n");
  assert_log_has (log, "Phase complete: PRE_BUILD State: FAILED\n");
  assert_log_has (log, "Phase context status code: COMMAND_EXECUTION_ERROR Message: Error while "
                  "executing command: sh -c 'exit 4'. Reason: exit status 4\n");
  assert_log_lacks (log, "NOT-RUN");
  assert_log_lacks (log, "Entering phase BUILD");
  assert_log_lacks (log, "POST-RAN");
  assert_log_lacks (log, "UPLOAD_ARTIFACTS");
  g_assert_false (g_file_test (zip, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (pw_action_job_get_outputs (fixture->job)->len, ==, 0);
}

static void
test_build_fails (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  g_autofree char *zip = g_build_filename (fixture->out, "BuildOutput.zip", NULL);

  set_outputs (fixture, (const char * const[]) { "BuildOutput", NULL });
  add_source (fixture,
              "version: 0.2\n"
              "phases:\n"
              "  build:\n"
              "    commands:\n"
              "      - echo partial > out.txt\n"
              "      - exit 3\n"
              "      - echo SKIPPED\n"
              "    finally:\n"
              "      - echo \"finally succeeding=$CODEBUILD_BUILD_SUCCEEDING\"\n"
              "      - echo \"second finally\"\n"
              "  post_build:\n"
              "    commands:\n"
              "      - echo \"post succeeding=$CODEBUILD_BUILD_SUCCEEDING\"\n"
              "artifacts:\n"
              "  files: [out.txt]\n");

  g_assert_false (run_build (fixture, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==,
                   "Build terminated with state: FAILED (phase BUILD: command 'exit 3' exited "
                   "with 3)");

  log = read_log (fixture);
  assert_log_lacks (log, "SKIPPED");
  assert_log_has (log, "finally succeeding=0\n");
  assert_log_has (log, "second finally\n");
  assert_log_has (log, "Phase complete: BUILD State: FAILED\n");
  assert_log_has (log, "post succeeding=0\n");
  assert_log_has (log, "Phase complete: POST_BUILD State: SUCCEEDED\n");
  assert_log_has (log, "Phase complete: UPLOAD_ARTIFACTS State: SUCCEEDED\n");

  /* Uploaded, as CodeBuild does, but a failed action hands nothing on. */
  assert_zip (zip, (const char * const[]) { "out.txt", NULL });
  g_assert_cmpuint (pw_action_job_get_outputs (fixture->job)->len, ==, 0);
}

static void
test_finally_fails (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  add_source (fixture,
              "version: 0.2\n"
              "phases:\n"
              "  build:\n"
              "    commands:\n"
              "      - echo fine\n"
              "    finally:\n"
              "      - 'false'\n"
              "      - echo AFTER-FAILED-FINALLY\n");

  g_assert_false (run_build (fixture, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==,
                   "Build terminated with state: FAILED (phase BUILD: command 'false' exited "
                   "with 1)");

  log = read_log (fixture);
  assert_log_has (log, "Z fine\n");
  assert_log_lacks (log, "AFTER-FAILED-FINALLY");
  assert_log_has (log, "Phase complete: BUILD State: FAILED\n");
}

static void
test_on_failure (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  g_autofree char *zip = g_build_filename (fixture->out, "BuildOutput.zip", NULL);

  set_outputs (fixture, (const char * const[]) { "BuildOutput", NULL });
  add_source (fixture,
              "version: 0.2\n"
              "phases:\n"
              "  install:\n"
              "    on-failure: CONTINUE\n"
              "    commands:\n"
              "      - 'false'\n"
              "  pre_build:\n"
              "    commands:\n"
              "      - echo \"pre_build runs, succeeding=$CODEBUILD_BUILD_SUCCEEDING\"\n"
              "  build:\n"
              "    on-failure: ABORT\n"
              "    commands:\n"
              "      - echo built > out.txt\n"
              "      - exit 2\n"
              "  post_build:\n"
              "    commands:\n"
              "      - echo POST-RAN\n"
              "artifacts:\n"
              "  files: [out.txt]\n");

  g_assert_false (run_build (fixture, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==,
                   "Build terminated with state: FAILED (phase INSTALL: command 'false' exited "
                   "with 1)");

  log = read_log (fixture);
  assert_log_has (log, "pre_build runs, succeeding=0\n");
  assert_log_has (log, "Phase complete: BUILD State: FAILED\n");
  /* ABORT ends the build: no POST_BUILD, no upload. */
  assert_log_lacks (log, "POST-RAN");
  assert_log_lacks (log, "UPLOAD_ARTIFACTS");
  g_assert_false (g_file_test (zip, G_FILE_TEST_EXISTS));
}

static void
test_exported_variables (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *log = NULL;
  GHashTable *variables;

  load_profile (fixture, "secrets:\n  prod/db: {password: hunter2-secret}\n");
  pw_action_job_set_profile (fixture->job, fixture->profile);
  add_source (fixture,
              "version: 0.2\n"
              "env:\n"
              "  secrets-manager:\n"
              "    DB_PW: prod/db:password\n"
              "  exported-variables:\n"
              "    - IMAGE_TAG\n"
              "    - MULTI\n"
              "    - NEVER_SET\n"
              "    - DB_PW\n"
              "phases:\n"
              "  pre_build:\n"
              "    commands:\n"
              "      - export IMAGE_TAG=\"$(echo $CODEBUILD_RESOLVED_SOURCE_VERSION | "
              "cut -c1-8)\"\n"
              "  build:\n"
              "    commands:\n"
              "      - |\n"
              "        MULTI=\"line one\n"
              "        line two\"\n"
              "        export MULTI\n");

  assert_build_ok (fixture);

  variables = pw_action_job_get_output_variables (fixture->job);
  g_assert_cmpstr (g_hash_table_lookup (variables, "IMAGE_TAG"), ==, "01234567");
  g_assert_cmpstr (g_hash_table_lookup (variables, "MULTI"), ==, "line one\nline two");
  g_assert_false (g_hash_table_contains (variables, "NEVER_SET"));
  /* A buildspec secret may be exported (only the project's may not),
   * with a word of warning. */
  g_assert_cmpstr (g_hash_table_lookup (variables, "DB_PW"), ==, "hunter2-secret");
  g_assert_cmpuint (g_hash_table_size (variables), ==, 3);

  log = read_log (fixture);
  assert_log_has (log, "Exported variable NEVER_SET is not set");
  assert_log_has (log, "WARNING: exported variable DB_PW holds a secret (from the "
                  "buildspec's parameter-store or secrets-manager). CodeBuild exports it in "
                  "clear text");
  assert_log_lacks (log, "hunter2-secret");
}

/* Precedence, highest first: the action's EnvironmentVariables, the
 * profile's codebuild.<project>.environment, the buildspec's env, what
 * CodeBuild sets, the job's environment. Secrets never reach the log. */
static void
test_environment_precedence (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *log = NULL;
  g_auto(GStrv) env = pw_action_job_dup_environment (fixture->job);

  env = g_environ_setenv (env, "FROM_JOB", "job", TRUE);
  env = g_environ_setenv (env, "A", "job", TRUE);
  env = g_environ_setenv (env, "AWS_REGION", "job-region", TRUE);
  pw_action_job_set_environment (fixture->job, (const char * const *)env);

  load_profile (fixture,
                "codebuild:\n"
                "  demo:\n"
                "    environment: {B: profile, C: profile}\n"
                "secrets:\n"
                "  prod/db: {password: s3cr3t-db-pw}\n"
                "  /app/token: tok-9f8e7d\n"
                "  /app/param: param-5a4b3c\n"
                "  ci/key: key-7q7q7q\n");
  set_config (fixture, "EnvironmentVariables",
              "[{\"name\":\"C\",\"value\":\"action\",\"type\":\"PLAINTEXT\"},"
              "{\"name\":\"D\",\"value\":\"action-default-type\"},"
              "{\"name\":\"ACTION_SECRET\",\"value\":\"prod/db:password\","
              "\"type\":\"SECRETS_MANAGER\"},"
              "{\"name\":\"ACTION_PARAM\",\"value\":\"/app/param\",\"type\":\"PARAMETER_STORE\"}]");
  add_source (fixture,
              "version: 0.2\n"
              "env:\n"
              "  variables:\n"
              "    A: buildspec\n"
              "    B: buildspec\n"
              "    C: buildspec\n"
              "    D: buildspec\n"
              "    LITERAL: $HOME/x\n"
              "  parameter-store:\n"
              "    TOKEN: /app/token\n"
              "  secrets-manager:\n"
              "    KEY: ci/key\n"
              "phases:\n"
              "  build:\n"
              "    commands:\n"
              "      - echo \"A=$A B=$B C=$C D=$D job=$FROM_JOB region=$AWS_REGION\"\n"
              "      - echo \"literal=$LITERAL\"\n"
              "      - echo \"secrets= $ACTION_SECRET $ACTION_PARAM $TOKEN $KEY\"\n"
              "      - test \"$ACTION_SECRET\" = s3cr3t-db-pw && test \"$TOKEN\" = tok-9f8e7d\n");

  assert_build_ok (fixture);

  log = read_log (fixture);
  assert_log_has (log, "A=buildspec B=profile C=action D=action-default-type job=job "
                  "region=eu-west-1\n");
  assert_log_has (log, "literal=$HOME/x\n");
  assert_log_has (log, "secrets= *** *** *** ***\n");
  assert_log_lacks (log, "s3cr3t-db-pw");
  assert_log_lacks (log, "tok-9f8e7d");
  assert_log_lacks (log, "param-5a4b3c");
  assert_log_lacks (log, "key-7q7q7q");
}

static void
test_environment_errors (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  set_config (fixture, "EnvironmentVariables",
              "[{\"name\":\"X\",\"value\":\"y\",\"type\":\"PLAIN\"}]");
  add_source (fixture, "version: 0.2\nphases: {build: {commands: [echo RAN]}}\n");
  g_assert_false (run_build (fixture, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);
  g_assert_cmpstr (error->message, ==,
                   "EnvironmentVariables X has type 'PLAIN'; use PLAINTEXT, PARAMETER_STORE or "
                   "SECRETS_MANAGER");
  log = read_log (fixture);
  assert_log_lacks (log, "Running command");
  g_clear_error (&error);

  new_job (fixture);
  set_config (fixture, "EnvironmentVariables", "{not json");
  add_input (fixture, "SourceOutput", NULL);
  g_assert_false (run_build (fixture, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);
  g_assert_true (g_str_has_prefix (error->message, "EnvironmentVariables must be a JSON array"));
  g_clear_error (&error);

  /* A secret the profile cannot provide, with the buildspec position. */
  new_job (fixture);
  add_source (fixture,
              "version: 0.2\n"
              "env:\n"
              "  secrets-manager:\n"
              "    PW: missing/secret:key\n"
              "phases: {build: {commands: [echo RAN]}}\n");
  g_assert_false (run_build (fixture, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);
  g_assert_true (g_str_has_prefix (error->message, "buildspec.yml:4:5: env.secrets-manager.PW: "));
}

static void
test_artifacts (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *log = NULL;
  g_autofree char *app = g_build_filename (fixture->out, "App.zip", NULL);
  g_autofree char *docs = g_build_filename (fixture->out, "Docs.zip", NULL);
  GPtrArray *outputs;
  PwJobArtifact *output;

  set_outputs (fixture, (const char * const[]) { "App", "Docs", NULL });
  add_source (fixture,
              "version: 0.2\n"
              "phases:\n"
              "  build:\n"
              "    commands:\n"
              "      - mkdir -p dist/sub/deep docs/api docs/guide\n"
              "      - echo a > dist/a.txt && echo b > dist/sub/b.txt && echo m > dist/sub/b.map\n"
              "      - echo d > dist/sub/deep/d.txt && echo t > dist/sub/deep/tmp.log\n"
              "      - echo i > docs/index.html && echo x > docs/api/x.html\n"
              "      - echo g > docs/guide/x.html && echo n > docs/notes.txt\n"
              "artifacts:\n"
              "  files: [never-used]\n"
              "  secondary-artifacts:\n"
              "    App:\n"
              "      base-directory: dist\n"
              "      files: ['**/*']\n"
              "      exclude-paths: ['**/*.map', 'sub/deep/*.log']\n"
              "    Docs:\n"
              "      base-directory: docs\n"
              "      files: ['*.html', 'api/*', 'guide/**/*']\n"
              "      discard-paths: yes\n");

  assert_build_ok (fixture);

  assert_zip (app, (const char * const[]) { "a.txt", "sub/b.txt", "sub/deep/d.txt", NULL });
  /* Flattened: guide/x.html, the later of two x.html, wins. */
  assert_zip (docs, (const char * const[]) { "index.html", "x.html", NULL });

  outputs = pw_action_job_get_outputs (fixture->job);
  g_assert_cmpuint (outputs->len, ==, 2);
  output = g_ptr_array_index (outputs, 0);
  g_assert_cmpstr (output->name, ==, "App");
  g_assert_cmpstr (output->zip_path, ==, app);
  g_assert_cmpstr (output->revision, ==, "0123456789abcdef");
  output = g_ptr_array_index (outputs, 1);
  g_assert_cmpstr (output->name, ==, "Docs");

  {
    g_autoptr(GError) local_error = NULL;
    g_autofree char *x = NULL;
    g_autofree char *dir = g_build_filename (fixture->root, "check", NULL);
    g_autofree char *path = g_build_filename (dir, "x.html", NULL);

    pw_artifact_extract (docs, dir, NULL, &local_error);
    g_assert_no_error (local_error);
    x = read_file (path);
    g_assert_cmpstr (x, ==, "g\n");
  }

  log = read_log (fixture);
  assert_log_has (log, "Expanding base directory path: dist\n");
  assert_log_has (log, "Found 3 file(s)\n");
}

static void
test_artifacts_primary (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *log = NULL;
  g_autofree char *zip = g_build_filename (fixture->out, "BuildOutput.zip", NULL);

  set_outputs (fixture, (const char * const[]) { "BuildOutput", NULL });
  add_source (fixture,
              "version: 0.2\n"
              "phases:\n"
              "  build:\n"
              "    commands:\n"
              "      - mkdir -p build-x/lib build-y out\n"
              "      - echo 1 > build-x/one.jar && echo 2 > build-x/lib/two.jar\n"
              "      - echo 3 > build-y/three.jar && echo no > out/no.jar\n"
              "      - ln -s one.jar build-x/link.jar\n"
              "artifacts:\n"
              "  name: app-$CODEBUILD_BUILD_NUMBER\n"
              "  base-directory: 'build-*'\n"
              "  files:\n"
              "    - '**/*.jar'\n"
              "    - missing.txt\n");

  assert_build_ok (fixture);

  assert_zip (zip, (const char * const[]) { "lib/two.jar", "link.jar", "one.jar", "three.jar",
                                            NULL });
  log = read_log (fixture);
  assert_log_has (log, "Skipping invalid file path missing.txt\n");
  /* The name is shell-expanded, as CodeBuild does. */
  assert_log_has (log, "name app-1 (from app-$CODEBUILD_BUILD_NUMBER); locally the zip is named");

  /* Without enable-symlinks, the link's target is stored. */
  {
    g_autoptr(GError) local_error = NULL;
    g_autofree char *dir = g_build_filename (fixture->root, "check", NULL);
    g_autofree char *link = g_build_filename (dir, "link.jar", NULL);
    g_autofree char *contents = NULL;

    pw_artifact_extract (zip, dir, NULL, &local_error);
    g_assert_no_error (local_error);
    g_assert_false (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
    contents = read_file (link);
    g_assert_cmpstr (contents, ==, "1\n");
  }
}

static void
test_artifacts_symlinks (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *zip = g_build_filename (fixture->out, "BuildOutput.zip", NULL);
  g_autofree char *dir = g_build_filename (fixture->root, "check", NULL);
  g_autofree char *link = g_build_filename (dir, "current", NULL);
  g_autofree char *target = NULL;

  set_outputs (fixture, (const char * const[]) { "BuildOutput", NULL });
  add_source (fixture,
              "version: 0.2\n"
              "phases:\n"
              "  build:\n"
              "    commands:\n"
              "      - mkdir -p dist && echo 1 > dist/v1.txt && ln -s v1.txt dist/current\n"
              "artifacts:\n"
              "  base-directory: dist\n"
              "  files: ['*']\n"
              "  enable-symlinks: yes\n");

  assert_build_ok (fixture);

  pw_artifact_extract (zip, dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  target = g_file_read_link (link, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (target, ==, "v1.txt");
}

static void
test_artifacts_errors (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  /* Nothing matches: the build fails in UPLOAD_ARTIFACTS. */
  set_outputs (fixture, (const char * const[]) { "BuildOutput", NULL });
  add_source (fixture,
              "version: 0.2\n"
              "phases: {build: {commands: [echo built]}}\n"
              "artifacts:\n"
              "  files: ['dist/**/*']\n");
  g_assert_false (run_build (fixture, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==,
                   "Build terminated with state: FAILED (phase UPLOAD_ARTIFACTS: no matching "
                   "artifact paths found)");
  log = read_log (fixture);
  assert_log_has (log, "Phase complete: UPLOAD_ARTIFACTS State: FAILED\n");
  assert_log_has (log, "Phase context status code: CLIENT_ERROR Message: no matching artifact "
                  "paths found\n");
  g_clear_error (&error);

  /* An output artifact and no `artifacts` section: as in CodeBuild, the
   * phases run, and UPLOAD_ARTIFACTS fails. */
  new_job (fixture);
  set_outputs (fixture, (const char * const[]) { "App", NULL });
  add_source (fixture, "version: 0.2\nphases: {build: {commands: [echo RAN]}}\n");
  g_assert_false (run_build (fixture, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED);
  g_assert_true (g_str_has_prefix (error->message,
                                   "Build terminated with state: FAILED (phase UPLOAD_ARTIFACTS: no "
                                   "definition for primary artifacts in buildspec (buildspec.yml: the "
                                   "action declares the output artifact App"));
  g_free (log);
  log = read_log (fixture);
  assert_log_has (log, "RAN\n");
  assert_log_has (log, "Phase complete: BUILD State: SUCCEEDED\n");
  assert_log_has (log, "Phase complete: UPLOAD_ARTIFACTS State: FAILED\n");
  assert_log_has (log, "Phase context status code: CLIENT_ERROR Message: no definition for primary "
                  "artifacts in buildspec");
  g_clear_error (&error);

  /* Two outputs need two secondary artifacts: checked when uploading too. */
  new_job (fixture);
  set_outputs (fixture, (const char * const[]) { "App", "Docs", NULL });
  add_source (fixture,
              "version: 0.2\n"
              "phases: {build: {commands: [echo RAN]}}\n"
              "artifacts:\n"
              "  files: ['**/*']\n"
              "  secondary-artifacts:\n"
              "    App: {files: [a]}\n"
              "    Doc: {files: [b]}\n");
  g_assert_false (run_build (fixture, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==,
                   "Build terminated with state: FAILED (phase UPLOAD_ARTIFACTS: buildspec.yml:3:1: "
                   "the action has 2 output artifacts, so each must be an identifier under "
                   "artifacts.secondary-artifacts, but Docs is not there (it has App, Doc); add "
                   "`Docs:` with its `files:`)");
  g_free (log);
  log = read_log (fixture);
  assert_log_has (log, "Phase complete: UPLOAD_ARTIFACTS State: FAILED\n");
  g_clear_error (&error);

  /* A base directory that is not there. */
  new_job (fixture);
  set_outputs (fixture, (const char * const[]) { "BuildOutput", NULL });
  add_source (fixture,
              "version: 0.2\n"
              "phases: {build: {commands: [echo built]}}\n"
              "artifacts:\n"
              "  files: ['**/*']\n"
              "  base-directory: 'target*'\n");
  g_assert_false (run_build (fixture, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==,
                   "Build terminated with state: FAILED (phase UPLOAD_ARTIFACTS: no matching "
                   "base directory path found for target*)");
}

static void
test_sources (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *lib_dir = g_build_filename (fixture->sources, "Lib", NULL);
  g_autofree char *app_dir = g_build_filename (fixture->sources, "App", NULL);

  write_file (lib_dir, "lib.txt", "library\n");
  write_file (app_dir, "app.txt", "application\n");
  write_file (app_dir, "buildspec.yml",
              "version: 0.2\n"
              "phases:\n"
              "  build:\n"
              "    commands:\n"
              "      - cat app.txt\n"
              "      - cat \"$CODEBUILD_SRC_DIR_Lib/lib.txt\"\n"
              "      - echo \"lib=$CODEBUILD_SRC_DIR_Lib version=$CODEBUILD_SOURCE_VERSION_Lib\"\n"
              "      - echo \"primary=${CODEBUILD_SRC_DIR_App-none} "
              "$CODEBUILD_RESOLVED_SOURCE_VERSION\"\n");
  add_input (fixture, "Lib", "lib-rev");
  add_input (fixture, "App", "app-rev");

  /* Two inputs and no PrimarySource: a configuration error. */
  g_assert_false (run_build (fixture, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);
  g_assert_true (g_str_has_prefix (error->message, "The CodeBuild action has 2 input artifacts, "
                                   "so its configuration needs PrimarySource"));
  g_clear_error (&error);

  set_config (fixture, "PrimarySource", "Nope");
  g_assert_false (run_build (fixture, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);
  g_clear_error (&error);

  set_config (fixture, "PrimarySource", "App");
  assert_build_ok (fixture);

  log = read_log (fixture);
  assert_log_has (log, "application\n");
  assert_log_has (log, "library\n");
  expected = g_strdup_printf ("lib=%s/src_Lib version=lib-rev\n", fixture->work);
  assert_log_has (log, expected);
  assert_log_has (log, "primary=none app-rev\n");
}

static void
test_buildspec_errors (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  add_source (fixture,
              "version: 0.2\n"
              "phases:\n"
              "  biuld:\n"
              "    commands: [echo RAN]\n");
  g_assert_false (run_build (fixture, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);
  g_assert_true (g_str_has_prefix (error->message,
                                   "buildspec.yml:3:3: unknown phase 'biuld'; did you mean "
                                   "'build'?"));
  log = read_log (fixture);
  assert_log_has (log, "Phase complete: DOWNLOAD_SOURCE State: FAILED\n");
  assert_log_has (log, "Phase context status code: YAML_FILE_ERROR Message: buildspec.yml:3:3:");
  /* Said once by the build (the action's last line, the executor's, says
   * it again as its outcome). */
  g_assert_cmpuint (count_in (log, "unknown phase 'biuld'"), ==, 1);
  assert_log_lacks (log, "Running command");
  g_clear_error (&error);

  /* No buildspec.yml at all. */
  new_job (fixture);
  add_input (fixture, "Empty", NULL);
  g_assert_false (run_build (fixture, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);
  g_assert_true (g_str_has_prefix (error->message,
                                   "buildspec.yml was not found at the root of "
                                   "the primary source (input artifact Empty)"));
  g_clear_error (&error);

  /* No ProjectName. */
  new_job (fixture);
  set_config (fixture, "ProjectName", "");
  g_assert_false (run_build (fixture, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);
}

/* The profile's codebuild.<project>.buildspec: inline YAML, a path in the
 * source, or a path beside the profile. */
static void
test_profile_buildspec (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  g_autofree char *src = g_build_filename (fixture->sources, "SourceOutput", NULL);

  write_file (src, "ci/buildspec-ci.yml",
              "version: 0.2\nphases: {build: {commands: [echo FROM-SOURCE-PATH]}}\n");
  write_file (fixture->root, "local/buildspec.yml",
              "version: 0.2\nphases: {build: {commands: [echo FROM-PROFILE-PATH]}}\n");
  add_source (fixture, "version: 0.2\nphases: {build: {commands: [echo FROM-DEFAULT]}}\n");

  load_profile (fixture,
                "codebuild:\n"
                "  demo:\n"
                "    buildspec: |\n"
                "      version: 0.2\n"
                "      phases:\n"
                "        build:\n"
                "          commands:\n"
                "            - echo FROM-INLINE\n");
  assert_build_ok (fixture);
  log = read_log (fixture);
  assert_log_has (log, "Z FROM-INLINE\n");
  assert_log_lacks (log, "FROM-DEFAULT");

  load_profile (fixture, "codebuild:\n  demo:\n    buildspec: ci/buildspec-ci.yml\n");
  assert_build_ok (fixture);
  g_free (log);
  log = read_log (fixture);
  assert_log_has (log, "Z FROM-SOURCE-PATH\n");

  load_profile (fixture, "codebuild:\n  demo:\n    buildspec: local/buildspec.yml\n");
  assert_build_ok (fixture);
  g_free (log);
  log = read_log (fixture);
  assert_log_has (log, "Z FROM-PROFILE-PATH\n");

  load_profile (fixture, "codebuild:\n  demo:\n    buildspec: nowhere.yml\n");
  g_assert_false (run_build (fixture, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);
  g_assert_true (strstr (error->message, "nowhere.yml") != NULL);
  g_clear_error (&error);

  /* A project the profile does not map (a typo of one it does): the
   * default buildspec runs, and the log says so, and what was meant. */
  load_profile (fixture, "codebuild:\n  dmeo:\n    buildspec: local/buildspec.yml\n");
  assert_build_ok (fixture);
  g_free (log);
  log = read_log (fixture);
  assert_log_has (log, "Z FROM-DEFAULT\n");
  assert_log_has (log, "No codebuild.demo in pipewright.local.yml (did you mean codebuild.dmeo?): "
                  "using buildspec.yml at the source root, as CodeBuild's default");
}

static const char junit_xml[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<testsuites>\n"
  "  <testsuite name=\"Suite\" tests=\"5\">\n"
  "    <testcase classname=\"Suite\" name=\"test_ok\" time=\"0.25\"/>\n"
  "    <testcase classname=\"Suite\" name=\"test_ok_too\" time=\"1.5\"></testcase>\n"
  "    <testcase classname=\"Suite\" name=\"test_odd_time\" time=\"-3\"><skipped/></testcase>\n"
  "    <testcase classname=\"Suite\" name=\"test_x\">\n"
  "      <failure message=\"expected 1, got 2\" type=\"AssertionError\">trace</failure>\n"
  "    </testcase>\n"
  "    <testcase name=\"test_crash\">\n"
  "      <error><![CDATA[\n  Segmentation fault\n  more]]></error>\n"
  "    </testcase>\n"
  "    <testcase classname=\"Suite\" name=\"test_later\"><skipped/></testcase>\n"
  "  </testsuite>\n"
  "</testsuites>\n";

static void
test_reports (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  g_autofree char *src = g_build_filename (fixture->sources, "SourceOutput", NULL);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *report = NULL;

  write_file (src, "fixtures/junit-1.xml", junit_xml);
  write_file (src, "fixtures/skip-1.xml",
              "<testsuite name=\"Other\"><testcase name=\"t\"><skipped/></testcase></testsuite>");
  add_source (fixture,
              "version: 0.2\n"
              "phases:\n"
              "  build:\n"
              "    commands:\n"
              "      - mkdir -p out/reports/sub\n"
              "      - cp fixtures/junit-1.xml out/reports/sub/junit-unit.xml\n"
              "      - cp fixtures/skip-1.xml out/reports/junit-skip.xml\n"
              "      - echo '<broken' > out/reports/junit-broken.xml\n"
              "      - ln -s /dev/zero out/reports/junit-zero.xml\n"
              "      - printf '<testsuite><testcase name=\"a\"><error><![CDATA[\\377]]>"
              "</error></testcase></testsuite>' > out/reports/junit-cdata.xml\n"
              "      - mkfifo out/reports/fifo; ln -s fifo out/reports/junit-fifo.xml\n"
              "      - echo \"2 tests failed\"; exit 1\n"
              "reports:\n"
              "  unit-tests:\n"
              "    files: ['**/junit-*.xml']\n"
              "    base-directory: out/reports\n"
              "  coverage:\n"
              "    files: [coverage.xml]\n"
              "    file-format: COBERTURAXML\n"
              "  missing:\n"
              "    files: [nothing.xml]\n");

  /* The report is there even though (because) the build failed. */
  g_assert_false (run_build (fixture, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED);

  /* The files read are kept in the record, for the reader to open. */
  {
    g_autoptr(JsonNode) copy = json_node_copy (pw_action_job_get_report (fixture->job));
    JsonObject *group = json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (copy), "groups"), 0);
    JsonArray *files = json_object_get_array_member (group, "files");

    g_assert_cmpuint (json_array_get_length (files), ==, 2);
    g_assert_true (g_str_has_suffix (json_array_get_string_element (files, 0), "/out/reports/junit-skip.xml") ||
                   g_str_has_suffix (json_array_get_string_element (files, 1), "/out/reports/junit-skip.xml"));
    g_assert_true (g_file_test (json_array_get_string_element (files, 0), G_FILE_TEST_IS_REGULAR));
    json_object_remove_member (group, "files");
    json_generator_set_root (generator, copy);
    report = json_generator_to_data (generator, NULL);
  }
  g_assert_cmpstr (report, ==,
                   "{\"groups\":[{\"name\":\"demo-unit-tests\",\"passed\":2,\"failed\":2,"
                   "\"skipped\":3,\"seconds\":1.75,\"failures\":["
                   "{\"name\":\"Suite.test_x\",\"message\":\"expected 1, got 2\\ntrace\"},"
                   "{\"name\":\"Suite.test_crash\",\"message\":\"Segmentation fault\\nmore\"}]}]}");

  log = read_log (fixture);
  /* Each failing case under the counts, its message whole. */
  assert_log_has (log, "Report group demo-unit-tests: 2 passed, 2 failed, 3 skipped\n");
  assert_log_has (log, "  FAILED Suite.test_x\n");
  assert_log_has (log, "    expected 1, got 2\n");
  assert_log_has (log, "    trace\n");
  assert_log_has (log, "  FAILED Suite.test_crash\n");
  assert_log_has (log, "    Segmentation fault\n");
  assert_log_has (log, "    more\n");
  assert_log_has (log, "Report group demo-unit-tests: cannot read junit-broken.xml as JUnit XML");
  /* GMarkup says TRUE and sets an error for this one (found by fuzz-junit). */
  assert_log_has (log, "Report group demo-unit-tests: cannot read junit-cdata.xml as JUnit XML");
  /* A report the build made a link to a device or a FIFO is not read:
   * that would never end (or fill the memory). */
  assert_log_has (log, "Report group demo-unit-tests: cannot read junit-zero.xml as JUnit XML: "
                  "not a regular file");
  assert_log_has (log, "Report group demo-unit-tests: cannot read junit-fifo.xml as JUnit XML: "
                  "not a regular file");
  assert_log_has (log, "Report group demo-coverage: COBERTURAXML reports are not read locally");
  assert_log_has (log, "Report group demo-missing: no matching report paths found\n");
}

/* Reports as a build may write them, odd ones included, read straight:
 * what fuzz-junit found. */
static void
test_junit_odd (void)
{
  static const char nested[] =
    "<testsuite><testcase name=\"n\"><failure><failure message=\"inner\">x</failure>"
    "</failure></testcase></testsuite>";
  g_autoptr(GPtrArray) failures = _pw_junit_failures_new ();
  g_autoptr(GError) error = NULL;
  guint passed = 0, failed = 0, skipped = 0;

  /* The inner message wins; the outer one's text is not leaked over it. */
  g_assert_true (_pw_junit_parse (nested, sizeof nested - 1, &passed, &failed, &skipped, failures,
                                  &error));
  g_assert_no_error (error);
  g_assert_cmpuint (failed, ==, 1);
  g_assert_cmpuint (failures->len, ==, 1);
}

static void
test_cache (Fixture       *fixture,
            gconstpointer  data)
{
  static const char buildspec[] =
    "version: 0.2\n"
    "phases:\n"
    "  build:\n"
    "    commands:\n"
    "      - echo \"number=$CODEBUILD_BUILD_NUMBER\"\n"
    "      - |\n"
    "        if [ -f .cache/deps/data ]; then\n"
    "          echo \"cache hit: $(cat .cache/deps/data)\"\n"
    "        else\n"
    "          echo \"cache miss\"\n"
    "          mkdir -p .cache/deps && echo v1 > .cache/deps/data\n"
    "        fi\n"
    "cache:\n"
    "  paths:\n"
    "    - '.cache/**/*'\n"
    "    - /root/.m2/**/*\n";
  g_autofree char *log = NULL;

  add_source (fixture, buildspec);
  assert_build_ok (fixture);
  log = read_log (fixture);
  assert_log_has (log, "number=1\n");
  assert_log_has (log, "Z cache miss\n");
  assert_log_has (log, "Saved 1 file(s) to the cache\n");
  assert_log_has (log, "Cache path /root/.m2/**/* is outside the source folder");

  /* A fresh work folder, the same cache folder. */
  new_job (fixture);
  add_input (fixture, "SourceOutput", "0123456789abcdef");
  assert_build_ok (fixture);
  g_free (log);
  log = read_log (fixture);
  assert_log_has (log, "number=2\n");
  assert_log_has (log, "cache hit: v1\n");
}

static void
test_timeout (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  gint64 start;

  pw_action_job_set_timeout (fixture->job, 1);
  add_source (fixture,
              "version: 0.2\n"
              "phases:\n"
              "  build:\n"
              "    commands:\n"
              "      - sleep 60\n"
              "  post_build:\n"
              "    commands:\n"
              "      - echo POST-RAN\n");

  start = g_get_monotonic_time ();
  g_assert_false (run_build (fixture, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_TIMEOUT);
  g_assert_cmpstr (error->message, ==,
                   "Build timed out after 1 second (phase BUILD, command 'sleep 60')");
  /* SIGTERM stops sleep at once; the 5 s SIGKILL grace is not needed. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);

  log = read_log (fixture);
  assert_log_has (log, "Phase complete: BUILD State: TIMED_OUT\n");
  assert_log_lacks (log, "POST-RAN");
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  g_autofree char *state = NULL;

  add_source (fixture,
              "version: 0.2\n"
              "env:\n"
              "  variables: {X: y}\n"
              "phases:\n"
              "  build:\n"
              "    commands:\n"
              "      - echo \"session=$__pw_state\"\n"
              "      - sleep 60\n");
  fixture->cancel_on = g_strdup ("Running command sleep 60");

  g_assert_false (run_build (fixture, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "Build stopped (phase BUILD, command 'sleep 60')");
  log = read_log (fixture);
  state = session_dir (log);
  g_assert_false (g_file_test (state, G_FILE_TEST_EXISTS));
}

/* A build printing 20 MB finishes, and its log stays within its limit. */
static void
test_big_log (Fixture       *fixture,
              gconstpointer  data)
{
  GStatBuf st;

  pw_log_set_limit (fixture->log, 1024 * 1024);
  add_source (fixture,
              "version: 0.2\n"
              "phases:\n"
              "  build:\n"
              "    commands:\n"
              "      - yes 0123456789012345678901234567890123456789012345678901234567890123456789 "
              "| head -c 20000000\n"
              "      - echo THE-END\n");

  assert_build_ok (fixture);

  g_assert_cmpint (g_stat (fixture->log_path, &st), ==, 0);
  g_assert_cmpint (st.st_size, <, 2 * 1024 * 1024);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/engine/codebuild/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("environment", test_environment);
  ADD ("session", test_session);
  ADD ("bash", test_bash);
  ADD ("set-e", test_set_e);
  ADD ("env-and-leftovers", test_env_and_leftovers);
  ADD ("version-0.1", test_version_01);
  ADD ("pre-build-fails", test_pre_build_fails);
  ADD ("build-fails", test_build_fails);
  ADD ("finally-fails", test_finally_fails);
  ADD ("on-failure", test_on_failure);
  ADD ("exported-variables", test_exported_variables);
  ADD ("environment-precedence", test_environment_precedence);
  ADD ("environment-errors", test_environment_errors);
  ADD ("artifacts", test_artifacts);
  ADD ("artifacts-primary", test_artifacts_primary);
  ADD ("artifacts-symlinks", test_artifacts_symlinks);
  ADD ("artifacts-errors", test_artifacts_errors);
  ADD ("sources", test_sources);
  ADD ("buildspec-errors", test_buildspec_errors);
  ADD ("profile-buildspec", test_profile_buildspec);
  ADD ("reports", test_reports);
  g_test_add_func ("/engine/codebuild/junit-odd", test_junit_odd);
  ADD ("cache", test_cache);
  ADD ("timeout", test_timeout);
  ADD ("cancel", test_cancel);
  ADD ("big-log", test_big_log);

#undef ADD

  return g_test_run ();
}
