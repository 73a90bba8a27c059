/* test-executor.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Scheduling semantics of the executor with real processes: the stage
 * locks of each execution mode, superseded and queued inbound executions,
 * disabled transitions, and stop. Actions are shell commands (the local
 * profile's `commands` overrides) and manual approvals, which make handy
 * gates: an execution stays in a stage until the test approves it. */

#include "config.h"

#include <stdlib.h>

#include <glib/gstdio.h>

#include <pw-engine.h>

typedef struct
{
  char       *dir;
  PwExecutor *executor;
  GMainLoop  *loop;
  GHashTable *finished;     /* id → status */
} Fixture;

static const char *pipeline_head =
  "pipeline:\n"
  "  name: gates\n"
  "  roleArn: arn:aws:iam::111122223333:role/r\n"
  "  pipelineType: V2\n"
  "  executionMode: ";
static const char *pipeline_tail =
  "\n"
  "  artifactStore: {type: S3, location: bucket}\n"
  "  stages:\n"
  "    - name: First\n"
  "      actions:\n"
  "        - name: Quick\n"
  "          actionTypeId: {category: Build, owner: Custom, provider: Shell, version: \"1\"}\n"
  "    - name: Gate\n"
  "      actions:\n"
  "        - name: Approve\n"
  "          actionTypeId: {category: Approval, owner: AWS, provider: Manual, version: \"1\"}\n";

static const char *profile_yaml =
  "commands:\n"
  "  Quick: {run: \"true\"}\n";

static void
finished_cb (PwExecutor *executor,
             const char *id,
             const char *status,
             Fixture    *f)
{
  g_hash_table_insert (f->finished, g_strdup (id), g_strdup (status));
  g_main_loop_quit (f->loop);
}

static void
event_cb (PwExecutor *executor,
          JsonNode   *event,
          Fixture    *f)
{
  g_main_loop_quit (f->loop);
}

static gboolean
timeout_cb (gpointer data)
{
  g_error ("timed out waiting for the executor");
  return G_SOURCE_REMOVE;
}

/* Runs the loop until @pred holds, failing the test after 60 s. */
static void
wait_until (Fixture   *f,
            gboolean (*pred) (Fixture *, gpointer),
            gpointer   data)
{
  guint id = g_timeout_add_seconds (60, timeout_cb, NULL);

  while (!pred (f, data))
    g_main_loop_run (f->loop);
  g_source_remove (id);
}

typedef struct
{
  const char *id;
  const char *stage;
  const char *status;
} StageWant;

static const char *
stage_status (Fixture    *f,
              const char *id,
              const char *stage)
{
  g_autoptr(JsonNode) record = pw_executor_dup_execution (f->executor, id);
  JsonArray *stages = json_object_get_array_member (json_node_get_object (record), "stages");
  static char buf[64];

  for (guint i = 0; i < json_array_get_length (stages); i++)
    {
      JsonObject *s = json_array_get_object_element (stages, i);

      if (g_str_equal (json_object_get_string_member (s, "stageName"), stage))
        {
          g_strlcpy (buf, json_object_get_string_member (s, "status"), sizeof buf);
          return buf;
        }
    }
  return NULL;
}

static gboolean
stage_is (Fixture  *f,
          gpointer  data)
{
  StageWant *want = data;

  return g_strcmp0 (stage_status (f, want->id, want->stage), want->status) == 0;
}

static gboolean
is_finished (Fixture  *f,
             gpointer  data)
{
  return g_hash_table_contains (f->finished, data);
}

static void setup_text (Fixture *f, const char *text, const char *profile);

static void
setup (Fixture    *f,
       const char *mode)
{
  g_autofree char *text = g_strconcat (pipeline_head, mode, pipeline_tail, NULL);

  setup_text (f, text, profile_yaml);
}

static void
setup_text (Fixture    *f,
            const char *text,
            const char *profile_text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *profile_path = NULL;
  g_autoptr(PwDocument) document = NULL;
  g_autoptr(PwPipeline) pipeline = NULL;
  g_autoptr(PwLocalProfile) profile = NULL;

  if (f->dir == NULL)
    {
      f->dir = g_dir_make_tmp ("pw-executor-XXXXXX", &error);
      g_assert_no_error (error);
    }
  path = g_build_filename (f->dir, "pipeline.yml", NULL);
  profile_path = g_build_filename (f->dir, "pipewright.local.yml", NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  g_assert_true (g_file_set_contents (profile_path, profile_text, -1, NULL));

  document = pw_document_load_data (text, -1, path, &error);
  g_assert_no_error (error);
  pipeline = pw_document_dup_pipeline (document, NULL, &error);
  g_assert_no_error (error);
  profile = pw_local_profile_load (profile_path, &error);
  g_assert_no_error (error);

  f->executor = pw_executor_new (pipeline, path, NULL, profile, &error);
  g_assert_no_error (error);
  if (f->loop == NULL)
    f->loop = g_main_loop_new (NULL, FALSE);
  if (f->finished == NULL)
    f->finished = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_signal_connect (f->executor, "finished", G_CALLBACK (finished_cb), f);
  g_signal_connect (f->executor, "event", G_CALLBACK (event_cb), f);
}

static void
teardown (Fixture *f)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->dir);

  if (f->executor != NULL)
    g_assert_finalize_object (f->executor);
  g_main_loop_unref (f->loop);
  g_hash_table_unref (f->finished);
  g_assert_cmpint (system (cmd), ==, 0);
  g_free (f->dir);
}

static char *
start (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  char *id = pw_executor_start (f->executor, NULL, NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  return id;
}

static void
approve (Fixture    *f,
         const char *id)
{
  g_autoptr(GError) error = NULL;

  pw_executor_decide (f->executor, id, "Gate", "Approve", TRUE, "ok", "test", &error);
  g_assert_no_error (error);
}

static void
test_superseded (void)
{
  Fixture f = { 0 };
  g_autofree char *e1 = NULL, *e2 = NULL, *e3 = NULL;
  StageWant gate1, wait2, wait3;

  setup (&f, "SUPERSEDED");
  e1 = start (&f);
  gate1 = (StageWant) { e1, "Gate", "InProgress" };
  wait_until (&f, stage_is, &gate1);

  /* E2 passes First and waits in front of Gate, which E1 holds. */
  e2 = start (&f);
  wait2 = (StageWant) { e2, "First", "Succeeded" };
  wait_until (&f, stage_is, &wait2);

  /* A newer execution arriving there supersedes the waiting one. */
  e3 = start (&f);
  wait3 = (StageWant) { e3, "First", "Succeeded" };
  wait_until (&f, stage_is, &wait3);
  wait_until (&f, is_finished, e2);
  g_assert_cmpstr (g_hash_table_lookup (f.finished, e2), ==, "Superseded");
  g_assert_cmpstr (stage_status (&f, e3, "Gate"), ==, "NotStarted");

  /* E1 leaves Gate: E3 enters at once. */
  approve (&f, e1);
  wait_until (&f, is_finished, e1);
  g_assert_cmpstr (g_hash_table_lookup (f.finished, e1), ==, "Succeeded");
  gate1 = (StageWant) { e3, "Gate", "InProgress" };
  wait_until (&f, stage_is, &gate1);
  approve (&f, e3);
  wait_until (&f, is_finished, e3);
  g_assert_cmpstr (g_hash_table_lookup (f.finished, e3), ==, "Succeeded");

  teardown (&f);
}

static void
test_queued (void)
{
  Fixture f = { 0 };
  g_autofree char *e1 = NULL, *e2 = NULL, *e3 = NULL;
  StageWant want;

  setup (&f, "QUEUED");
  e1 = start (&f);
  want = (StageWant) { e1, "Gate", "InProgress" };
  wait_until (&f, stage_is, &want);
  e2 = start (&f);
  want = (StageWant) { e2, "First", "Succeeded" };
  wait_until (&f, stage_is, &want);
  e3 = start (&f);
  want = (StageWant) { e3, "First", "Succeeded" };
  wait_until (&f, stage_is, &want);

  /* Nobody is superseded: they go through Gate one by one, in order. */
  g_assert_cmpuint (g_hash_table_size (f.finished), ==, 0);
  approve (&f, e1);
  want = (StageWant) { e2, "Gate", "InProgress" };
  wait_until (&f, stage_is, &want);
  g_assert_cmpstr (stage_status (&f, e3, "Gate"), ==, "NotStarted");
  approve (&f, e2);
  want = (StageWant) { e3, "Gate", "InProgress" };
  wait_until (&f, stage_is, &want);
  approve (&f, e3);
  wait_until (&f, is_finished, e3);
  g_assert_cmpstr (g_hash_table_lookup (f.finished, e1), ==, "Succeeded");
  g_assert_cmpstr (g_hash_table_lookup (f.finished, e2), ==, "Succeeded");
  g_assert_cmpstr (g_hash_table_lookup (f.finished, e3), ==, "Succeeded");

  teardown (&f);
}

static void
test_parallel (void)
{
  Fixture f = { 0 };
  g_autofree char *e1 = NULL, *e2 = NULL;
  StageWant want;

  setup (&f, "PARALLEL");
  e1 = start (&f);
  e2 = start (&f);
  /* No locks: both are in Gate at the same time. */
  want = (StageWant) { e1, "Gate", "InProgress" };
  wait_until (&f, stage_is, &want);
  want = (StageWant) { e2, "Gate", "InProgress" };
  wait_until (&f, stage_is, &want);
  approve (&f, e2);
  wait_until (&f, is_finished, e2);
  approve (&f, e1);
  wait_until (&f, is_finished, e1);
  g_assert_cmpstr (g_hash_table_lookup (f.finished, e1), ==, "Succeeded");

  teardown (&f);
}

static void
test_transition_and_stop (void)
{
  Fixture f = { 0 };
  g_autofree char *e1 = NULL, *e2 = NULL;
  g_autoptr(GError) error = NULL;
  StageWant want;

  setup (&f, "SUPERSEDED");
  g_assert_true (pw_executor_set_transition (f.executor, "Gate", FALSE, "Freeze", &error));
  e1 = start (&f);
  want = (StageWant) { e1, "First", "Succeeded" };
  wait_until (&f, stage_is, &want);
  /* Waits in front of the disabled transition. */
  g_assert_cmpstr (stage_status (&f, e1, "Gate"), ==, "NotStarted");

  /* A waiting execution stops at once. */
  g_assert_true (pw_executor_stop (f.executor, e1, FALSE, "not today", &error));
  g_assert_no_error (error);
  wait_until (&f, is_finished, e1);
  g_assert_cmpstr (g_hash_table_lookup (f.finished, e1), ==, "Stopped");

  /* Enabling the transition lets the next one in. */
  e2 = start (&f);
  want = (StageWant) { e2, "First", "Succeeded" };
  wait_until (&f, stage_is, &want);
  g_assert_true (pw_executor_set_transition (f.executor, "Gate", TRUE, NULL, &error));
  want = (StageWant) { e2, "Gate", "InProgress" };
  wait_until (&f, stage_is, &want);

  /* Stop and abandon inside the stage: the approval is Abandoned. */
  g_assert_true (pw_executor_stop (f.executor, e2, TRUE, NULL, &error));
  wait_until (&f, is_finished, e2);
  g_assert_cmpstr (g_hash_table_lookup (f.finished, e2), ==, "Stopped");
  {
    g_autoptr(JsonNode) record = pw_executor_dup_execution (f.executor, e2);
    JsonArray *actions = json_object_get_array_member (json_node_get_object (record), "actions");
    JsonObject *last = json_array_get_object_element (actions, json_array_get_length (actions) - 1);

    g_assert_cmpstr (json_object_get_string_member (last, "actionName"), ==, "Approve");
    g_assert_cmpstr (json_object_get_string_member (last, "status"), ==, "Abandoned");
  }

  teardown (&f);
}

static const char *
action_status (Fixture    *f,
               const char *id,
               const char *action)
{
  g_autoptr(JsonNode) record = pw_executor_dup_execution (f->executor, id);
  JsonArray *actions = json_object_get_array_member (json_node_get_object (record), "actions");
  static char buf[64];

  buf[0] = '\0';
  for (guint i = 0; i < json_array_get_length (actions); i++)
    {
      JsonObject *a = json_array_get_object_element (actions, i);

      if (g_str_equal (json_object_get_string_member (a, "actionName"), action))
        g_strlcpy (buf, json_object_get_string_member (a, "status"), sizeof buf);
    }
  return buf[0] != '\0' ? buf : NULL;
}

typedef struct
{
  const char *id;
  const char *action;
  const char *status;
} ActionWant;

static gboolean
action_is (Fixture  *f,
           gpointer  data)
{
  ActionWant *want = data;

  return g_strcmp0 (action_status (f, want->id, want->action), want->status) == 0;
}

/* Flaky fails while fail.flag exists; Approve holds the stage open. */
static char *
flaky_pipeline (const char *dir,
                gboolean    extra_action)
{
  return g_strdup_printf ("pipeline:\n"
                          "  name: flaky\n"
                          "  roleArn: arn:aws:iam::111122223333:role/r\n"
                          "  pipelineType: V2\n"
                          "  artifactStore: {type: S3, location: bucket}\n"
                          "  stages:\n"
                          "    - name: First\n"
                          "      actions:\n"
                          "        - name: Quick\n"
                          "          actionTypeId: {category: Build, owner: Custom, provider: Shell, version: \"1\"}\n"
                          "    - name: Gate\n"
                          "      actions:\n"
                          "        - name: Flaky\n"
                          "          actionTypeId: {category: Build, owner: Custom, provider: Shell, version: \"1\"}\n"
                          "%s",
                          extra_action ?
                          "        - name: Approve\n"
                          "          actionTypeId: {category: Approval, owner: AWS, provider: Manual, version: \"1\"}\n"
                          : "");
}

static char *
flaky_profile (const char *dir)
{
  return g_strdup_printf ("commands:\n"
                          "  Quick: {run: \"true\"}\n"
                          "  Flaky: {run: \"test ! -f '%s/fail.flag'\"}\n", dir);
}

/* Failed actions may be retried while the stage's others still run. */
static void
test_retry_while_running (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *flag = NULL;
  g_autofree char *text = NULL;
  g_autofree char *profile = NULL;
  ActionWant want;

  f.dir = g_dir_make_tmp ("pw-executor-XXXXXX", &error);
  g_assert_no_error (error);
  text = flaky_pipeline (f.dir, TRUE);
  profile = flaky_profile (f.dir);
  flag = g_build_filename (f.dir, "fail.flag", NULL);
  g_assert_true (g_file_set_contents (flag, "", -1, NULL));
  setup_text (&f, text, profile);

  id = start (&f);
  want = (ActionWant) { id, "Flaky", "Failed" };
  wait_until (&f, action_is, &want);
  g_assert_cmpstr (action_status (&f, id, "Approve"), ==, "InProgress");

  /* All actions: only once the stage has failed. */
  g_assert_false (pw_executor_retry (f.executor, id, "Gate", TRUE, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE);
  g_clear_error (&error);

  g_unlink (flag);
  g_assert_true (pw_executor_retry (f.executor, id, "Gate", FALSE, &error));
  g_assert_no_error (error);
  want = (ActionWant) { id, "Flaky", "Succeeded" };
  wait_until (&f, action_is, &want);

  approve (&f, id);
  wait_until (&f, is_finished, id);
  g_assert_cmpstr (g_hash_table_lookup (f.finished, id), ==, "Succeeded");

  teardown (&f);
}

/* Only the latest execution in a stage may be retried, and only while
 * the pipeline is the one it ran. */
static void
test_retry_refused (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *e1 = NULL;
  g_autofree char *e2 = NULL;
  g_autofree char *flag = NULL;
  g_autofree char *text = NULL;
  g_autofree char *changed = NULL;
  g_autofree char *profile = NULL;

  f.dir = g_dir_make_tmp ("pw-executor-XXXXXX", &error);
  g_assert_no_error (error);
  text = flaky_pipeline (f.dir, FALSE);
  profile = flaky_profile (f.dir);
  flag = g_build_filename (f.dir, "fail.flag", NULL);
  g_assert_true (g_file_set_contents (flag, "", -1, NULL));
  setup_text (&f, text, profile);

  e1 = start (&f);
  wait_until (&f, is_finished, e1);
  g_assert_cmpstr (g_hash_table_lookup (f.finished, e1), ==, "Failed");

  /* The pipeline changes (an action is added): e1 is not retryable. */
  g_assert_finalize_object (g_steal_pointer (&f.executor));
  changed = flaky_pipeline (f.dir, TRUE);
  setup_text (&f, changed, profile);
  g_assert_true (pw_executor_load_execution (f.executor, e1, &error));
  g_assert_no_error (error);
  g_assert_false (pw_executor_retry (f.executor, e1, "Gate", FALSE, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE);
  g_assert_nonnull (strstr (error->message, "the pipeline file changed since it ran"));
  g_assert_nonnull (strstr (error->message, "(StageNotRetryableException)"));
  g_clear_error (&error);

  /* Back to the version e1 ran: retryable, until a later execution runs
   * in the stage. */
  g_assert_finalize_object (g_steal_pointer (&f.executor));
  setup_text (&f, text, profile);
  g_unlink (flag);
  e2 = start (&f);
  wait_until (&f, is_finished, e2);
  g_assert_cmpstr (g_hash_table_lookup (f.finished, e2), ==, "Succeeded");
  g_assert_true (pw_executor_load_execution (f.executor, e1, &error));
  g_assert_no_error (error);
  g_assert_false (pw_executor_retry (f.executor, e1, "Gate", FALSE, &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE);
  g_assert_true (g_str_has_prefix (error->message, "NotLatestPipelineExecutionException: "));

  teardown (&f);
}

/* onFailure RETRY: each failed stage is retried once by itself; a stage
 * failing again after that fails. The record says how it was retried. */
static void
test_on_failure_retry (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *e1 = NULL;
  g_autofree char *e2 = NULL;
  g_autofree char *text = NULL;
  g_autofree char *profile = NULL;
  g_autoptr(JsonNode) record = NULL;
  JsonArray *stages;

  f.dir = g_dir_make_tmp ("pw-executor-XXXXXX", &error);
  g_assert_no_error (error);
  text = g_strdup ("pipeline:\n"
                   "  name: retrying\n"
                   "  roleArn: arn:aws:iam::111122223333:role/r\n"
                   "  pipelineType: V2\n"
                   "  artifactStore: {type: S3, location: bucket}\n"
                   "  stages:\n"
                   "    - name: First\n"
                   "      actions:\n"
                   "        - name: Quick\n"
                   "          actionTypeId: {category: Build, owner: Custom, provider: Shell, version: \"1\"}\n"
                   "    - name: Build\n"
                   "      onFailure: {result: RETRY, retryConfiguration: {retryMode: FAILED_ACTIONS}}\n"
                   "      actions:\n"
                   "        - name: OnceA\n"
                   "          actionTypeId: {category: Build, owner: Custom, provider: Shell, version: \"1\"}\n"
                   "    - name: Deploy\n"
                   "      onFailure: {result: RETRY, retryConfiguration: {retryMode: ALL_ACTIONS}}\n"
                   "      actions:\n"
                   "        - name: OnceB\n"
                   "          actionTypeId: {category: Build, owner: Custom, provider: Shell, version: \"1\"}\n");
  /* Each fails while its flag is there, and takes the flag away: it
   * fails once per flag. */
  profile = g_strdup_printf ("commands:\n"
                             "  Quick: {run: \"true\"}\n"
                             "  OnceA: {run: \"if [ -f '%1$s/a' ]; then rm '%1$s/a'; exit 1; fi\"}\n"
                             "  OnceB: {run: \"if [ -f '%1$s/b' ]; then rm '%1$s/b'; exit 1; fi\"}\n",
                             f.dir);
  setup_text (&f, text, profile);

  {
    g_autofree char *a = g_build_filename (f.dir, "a", NULL);
    g_autofree char *b = g_build_filename (f.dir, "b", NULL);

    g_assert_true (g_file_set_contents (a, "", -1, NULL));
    g_assert_true (g_file_set_contents (b, "", -1, NULL));
  }

  /* Both stages fail once: both are retried, and it succeeds. */
  e1 = start (&f);
  wait_until (&f, is_finished, e1);
  g_assert_cmpstr (g_hash_table_lookup (f.finished, e1), ==, "Succeeded");
  record = pw_executor_dup_execution (f.executor, e1);
  stages = json_object_get_array_member (json_node_get_object (record), "stages");
  for (guint s = 1; s <= 2; s++)
    {
      JsonObject *meta = json_object_get_object_member (json_array_get_object_element (stages, s),
                                                        "retryStageMetadata");

      g_assert_nonnull (meta);
      g_assert_cmpint (json_object_get_int_member (meta, "autoStageRetryAttempt"), ==, 1);
      g_assert_cmpstr (json_object_get_string_member (meta, "latestRetryTrigger"), ==,
                       "AutomatedStageRetry");
    }
  g_assert_false (json_object_has_member (json_array_get_object_element (stages, 0),
                                          "retryStageMetadata"));

  /* OnceA now fails twice: one automatic retry, then the stage fails. */
  g_clear_pointer (&profile, g_free);
  g_assert_finalize_object (g_steal_pointer (&f.executor));
  profile = g_strdup_printf ("commands:\n"
                             "  Quick: {run: \"true\"}\n"
                             "  OnceA: {run: \"false\"}\n"
                             "  OnceB: {run: \"true\"}\n");
  setup_text (&f, text, profile);
  e2 = start (&f);
  wait_until (&f, is_finished, e2);
  g_assert_cmpstr (g_hash_table_lookup (f.finished, e2), ==, "Failed");
  g_assert_cmpstr (action_status (&f, e2, "OnceA"), ==, "Failed");
  g_clear_pointer (&record, json_node_unref);
  record = pw_executor_dup_execution (f.executor, e2);
  stages = json_object_get_array_member (json_node_get_object (record), "stages");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (
                     json_array_get_object_element (stages, 1), "retryStageMetadata"),
                     "autoStageRetryAttempt"), ==, 1);

  teardown (&f);
}

/* Runs a pipeline whose second stage has a DeploymentWindow entry
 * condition with @cron; returns the Gate stage's status. */
static char *
run_window (Fixture    *f,
            const char *cron,
            const char *result,
            char      **execution_status)
{
  g_autofree char *text = g_strdup_printf (
    "pipeline:\n"
    "  name: window\n"
    "  roleArn: arn:aws:iam::111122223333:role/r\n"
    "  pipelineType: V2\n"
    "  artifactStore: {type: S3, location: bucket}\n"
    "  stages:\n"
    "    - name: First\n"
    "      actions:\n"
    "        - name: Quick\n"
    "          actionTypeId: {category: Build, owner: Custom, provider: Shell, version: \"1\"}\n"
    "    - name: Gate\n"
    "      beforeEntry:\n"
    "        conditions:\n"
    "          - result: %s\n"
    "            rules:\n"
    "              - name: Window\n"
    "                ruleTypeId: {category: Rule, owner: AWS, provider: DeploymentWindow, version: \"1\"}\n"
    "                configuration: {Cron: \"%s\", TimeZone: UTC}\n"
    "      actions:\n"
    "        - name: Quick2\n"
    "          actionTypeId: {category: Build, owner: Custom, provider: Shell, version: \"1\"}\n",
    result, cron);
  g_autofree char *id = NULL;
  char *status;

  if (f->executor != NULL)
    g_assert_finalize_object (g_steal_pointer (&f->executor));
  setup_text (f, text, "commands:\n  Quick: {run: \"true\"}\n  Quick2: {run: \"true\"}\n");
  id = start (f);
  wait_until (f, is_finished, id);
  *execution_status = g_strdup (g_hash_table_lookup (f->finished, id));
  status = g_strdup (stage_status (f, id, "Gate"));

  return status;
}

/* DeploymentWindow reads AWS's cron: seconds first, 6 or 7 fields, with
 * ?, L, W and #. Windows are built around the current time (UTC). */
static void
test_deployment_window (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  int dom = g_date_time_get_day_of_month (now);
  int dow = g_date_time_get_day_of_week (now) % 7 + 1;
  int last = g_date_get_days_in_month (g_date_time_get_month (now), g_date_time_get_year (now));
  struct { char *cron; const char *result; const char *gate; const char *execution; } cases[6];

  f.dir = g_dir_make_tmp ("pw-executor-XXXXXX", &error);
  g_assert_no_error (error);

  /* Any time: in the window. */
  cases[0].cron = g_strdup ("* * * ? * * *");
  cases[0].result = "FAIL"; cases[0].gate = "Succeeded"; cases[0].execution = "Succeeded";
  /* Twelve hours away: outside; SKIP skips the stage, FAIL fails. */
  cases[1].cron = g_strdup_printf ("* * %d ? * * *", (g_date_time_get_hour (now) + 12) % 24);
  cases[1].result = "SKIP"; cases[1].gate = "Skipped"; cases[1].execution = "Succeeded";
  cases[2].cron = g_strdup (cases[1].cron);
  cases[2].result = "FAIL"; cases[2].gate = "Failed"; cases[2].execution = "Failed";
  /* Today as the n-th such weekday of the month (D#K), by its name too. */
  cases[3].cron = g_strdup_printf ("* * * ? * %d#%d", dow, (dom - 1) / 7 + 1);
  cases[3].result = "FAIL"; cases[3].gate = "Succeeded"; cases[3].execution = "Succeeded";
  /* The month's last day: in the window only if today is. */
  cases[4].cron = g_strdup ("* * * L * ?");
  cases[4].result = "SKIP"; cases[4].gate = dom == last ? "Succeeded" : "Skipped";
  cases[4].execution = "Succeeded";
  /* Five fields is not an AWS cron: the condition fails and says why. */
  cases[5].cron = g_strdup ("* * * * MON-FRI");
  cases[5].result = "SKIP"; cases[5].gate = "Failed"; cases[5].execution = "Failed";

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *execution = NULL;
      g_autofree char *gate = run_window (&f, cases[i].cron, cases[i].result, &execution);

      g_test_message ("cron '%s' (%s): Gate %s, execution %s", cases[i].cron, cases[i].result,
                      gate, execution);
      g_assert_cmpstr (gate, ==, cases[i].gate);
      g_assert_cmpstr (execution, ==, cases[i].execution);
      g_free (cases[i].cron);
    }

  teardown (&f);
}

/* Only the latest executions keep their work folders; records and logs
 * of the older ones stay. */
static void
test_prune_work (void)
{
  Fixture f = { 0 };
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *state = NULL;
  g_autofree char *work = NULL;
  g_autofree char *first_work = NULL;
  g_autofree char *first_logs = NULL;
  g_autoptr(GDir) dir = NULL;
  guint n = 0;

  setup (&f, "QUEUED");
  for (guint i = 0; i < 12; i++)
    {
      char *id = start (&f);
      StageWant gate = { id, "Gate", "InProgress" };

      g_ptr_array_add (ids, id);
      wait_until (&f, stage_is, &gate);
      approve (&f, id);
      wait_until (&f, is_finished, id);
      g_assert_cmpstr (g_hash_table_lookup (f.finished, id), ==, "Succeeded");
    }

  state = g_build_filename (f.dir, ".pipewright", NULL);
  work = g_build_filename (state, "work", NULL);
  first_work = g_build_filename (work, g_ptr_array_index (ids, 0), NULL);
  first_logs = g_build_filename (state, "logs", g_ptr_array_index (ids, 0), NULL);

  /* Pruning runs beside the execution; the executor waits for it. */
  g_assert_finalize_object (g_steal_pointer (&f.executor));

  dir = g_dir_open (work, 0, NULL);
  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  g_assert_cmpuint (n, ==, 10);
  g_assert_false (g_file_test (first_work, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (first_logs, G_FILE_TEST_IS_DIR));
  {
    g_autoptr(JsonNode) record = pw_state_load_execution (state, g_ptr_array_index (ids, 0), NULL);

    g_assert_nonnull (record);
  }
  for (guint i = 2; i < 12; i++)
    {
      g_autofree char *kept = g_build_filename (work, g_ptr_array_index (ids, i), NULL);

      g_assert_true (g_file_test (kept, G_FILE_TEST_IS_DIR));
    }

  teardown (&f);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/executor/superseded", test_superseded);
  g_test_add_func ("/engine/executor/queued", test_queued);
  g_test_add_func ("/engine/executor/parallel", test_parallel);
  g_test_add_func ("/engine/executor/transition-and-stop", test_transition_and_stop);
  g_test_add_func ("/engine/executor/prune-work", test_prune_work);
  g_test_add_func ("/engine/executor/retry-while-running", test_retry_while_running);
  g_test_add_func ("/engine/executor/retry-refused", test_retry_refused);
  g_test_add_func ("/engine/executor/on-failure-retry", test_on_failure_retry);
  g_test_add_func ("/engine/executor/deployment-window", test_deployment_window);

  return g_test_run ();
}
