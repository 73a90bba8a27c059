/* test-execution.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The execution model a UI binds to: statuses reach the objects in the
 * order the executor sets them, in this process (from its events) and in
 * another (from the records on disk); a past run reads back as it ended;
 * an update that changes nothing notifies nothing. Real processes, no
 * sleeps: the test waits on the objects' own notifications. */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <pw-engine.h>

#include "../pw-check-order.h"

static const char *pipeline_text =
  "pipeline:\n"
  "  name: model\n"
  "  roleArn: arn:aws:iam::111122223333:role/r\n"
  "  pipelineType: V2\n"
  "  executionMode: QUEUED\n"
  "  artifactStore: {type: S3, location: bucket}\n"
  "  variables: [{name: Audience, defaultValue: everyone}]\n"
  "  stages:\n"
  "    - name: First\n"
  "      actions:\n"
  "        - name: Quick\n"
  "          actionTypeId: {category: Build, owner: Custom, provider: Shell, version: \"1\"}\n"
  "        - name: Second\n"
  "          runOrder: 2\n"
  "          actionTypeId: {category: Build, owner: Custom, provider: Shell, version: \"1\"}\n"
  "    - name: Gate\n"
  "      actions:\n"
  "        - name: Approve\n"
  "          actionTypeId: {category: Approval, owner: AWS, provider: Manual, version: \"1\"}\n"
  "          configuration: {CustomData: Ship it?}\n";

static const char *profile_text =
  "commands:\n"
  "  Quick: {run: \"echo quick\"}\n"
  "  Second: {run: \"echo second\"}\n";

typedef struct
{
  char            *dir;
  PwExecutor      *executor;
  PwExecutionList *list;
  GPtrArray       *seen;      /* "Stage:Status", "Stage/Action:Status", "execution:Status" */
} Fixture;

static gboolean
timeout_cb (gpointer data)
{
  g_error ("timed out waiting for %s", (const char *)data);
  return G_SOURCE_REMOVE;
}

static void
wait_until (gboolean  (*pred) (gpointer),
            gpointer    data,
            const char *what)
{
  guint id = g_timeout_add_seconds (60, timeout_cb, (gpointer)what);

  while (!pred (data))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

/* Recording every status each object takes ---------------------------- */

static void
action_status_cb (PwActionExecution *action,
                  GParamSpec        *pspec,
                  GPtrArray         *seen)
{
  g_ptr_array_add (seen, g_strdup_printf ("%s/%s:%s", pw_action_execution_get_stage_name (action),
                                          pw_action_execution_get_action_name (action),
                                          pw_action_execution_get_status (action)));
}

static void
stage_status_cb (PwStageExecution *stage,
                 GParamSpec       *pspec,
                 GPtrArray        *seen)
{
  g_ptr_array_add (seen, g_strdup_printf ("%s:%s", pw_stage_execution_get_name (stage),
                                          pw_stage_execution_get_status (stage)));
}

static void
execution_status_cb (PwExecution *execution,
                     GParamSpec  *pspec,
                     GPtrArray   *seen)
{
  g_ptr_array_add (seen, g_strdup_printf ("execution:%s", pw_execution_get_status (execution)));
}

static void
actions_changed_cb (GListModel *model,
                    guint       position,
                    guint       removed,
                    guint       added,
                    GPtrArray  *seen)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(PwActionExecution) action = g_list_model_get_item (model, i);

      /* Its first status is news too. */
      action_status_cb (action, NULL, seen);
      g_signal_connect (action, "notify::status", G_CALLBACK (action_status_cb), seen);
    }
}

static void
stages_changed_cb (GListModel *model,
                   guint       position,
                   guint       removed,
                   guint       added,
                   GPtrArray  *seen)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(PwStageExecution) stage = g_list_model_get_item (model, i);

      stage_status_cb (stage, NULL, seen);
      g_signal_connect (stage, "notify::status", G_CALLBACK (stage_status_cb), seen);
    }
}

static void
executions_changed_cb (GListModel *model,
                       guint       position,
                       guint       removed,
                       guint       added,
                       GPtrArray  *seen)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(PwExecution) execution = g_list_model_get_item (model, i);
      GListModel *stages = pw_execution_get_stages (execution);
      GListModel *actions = pw_execution_get_actions (execution);

      execution_status_cb (execution, NULL, seen);
      g_signal_connect (execution, "notify::status", G_CALLBACK (execution_status_cb), seen);
      stages_changed_cb (stages, 0, 0, g_list_model_get_n_items (stages), seen);
      actions_changed_cb (actions, 0, 0, g_list_model_get_n_items (actions), seen);
      g_signal_connect (stages, "items-changed", G_CALLBACK (stages_changed_cb), seen);
      g_signal_connect (actions, "items-changed", G_CALLBACK (actions_changed_cb), seen);
    }
}

static void
setup (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *profile_path = NULL;
  g_autoptr(PwDocument) document = NULL;
  g_autoptr(PwPipeline) pipeline = NULL;
  g_autoptr(PwLocalProfile) profile = NULL;

  f->dir = g_dir_make_tmp ("pw-execution-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "pipeline.yml", NULL);
  profile_path = g_build_filename (f->dir, "pipewright.local.yml", NULL);
  g_assert_true (g_file_set_contents (path, pipeline_text, -1, NULL));
  g_assert_true (g_file_set_contents (profile_path, profile_text, -1, NULL));

  document = pw_document_load_data (pipeline_text, -1, path, &error);
  g_assert_no_error (error);
  pipeline = pw_document_dup_pipeline (document, NULL, &error);
  g_assert_no_error (error);
  profile = pw_local_profile_load (profile_path, &error);
  g_assert_no_error (error);
  f->executor = pw_executor_new (pipeline, path, NULL, profile, &error);
  g_assert_no_error (error);
  f->seen = g_ptr_array_new_with_free_func (g_free);
}

static void
teardown (Fixture *f)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->dir);

  g_clear_object (&f->list);
  g_assert_finalize_object (f->executor);
  g_ptr_array_unref (f->seen);
  g_assert_cmpint (system (cmd), ==, 0);
  g_free (f->dir);
}

static PwExecutionList *
new_list (Fixture   *f,
          GPtrArray *seen)
{
  g_autoptr(GError) error = NULL;
  PwExecutionList *list = pw_execution_list_new (pw_executor_get_state_dir (f->executor), &error);

  g_assert_no_error (error);
  executions_changed_cb (G_LIST_MODEL (list), 0, 0, g_list_model_get_n_items (G_LIST_MODEL (list)), seen);
  g_signal_connect (list, "items-changed", G_CALLBACK (executions_changed_cb), seen);
  return list;
}

typedef struct
{
  PwExecutionList *list;
  const char      *id;
  const char      *stage;
  const char      *action;
  const char      *status;
} Want;

static gboolean
status_is (gpointer data)
{
  Want *want = data;
  PwExecution *execution = pw_execution_list_lookup (want->list, want->id);
  const char *status = NULL;

  if (execution == NULL)
    return FALSE;
  if (want->action != NULL)
    {
      PwActionExecution *action = pw_execution_lookup_action (execution, want->stage, want->action);

      status = action != NULL ? pw_action_execution_get_status (action) : NULL;
    }
  else if (want->stage != NULL)
    {
      PwStageExecution *stage = pw_execution_lookup_stage (execution, want->stage);

      status = stage != NULL ? pw_stage_execution_get_status (stage) : NULL;
    }
  else
    status = pw_execution_get_status (execution);
  return g_strcmp0 (status, want->status) == 0;
}

static char *
joined (GPtrArray *seen)
{
  g_ptr_array_add (seen, NULL);
  g_ptr_array_set_size (seen, seen->len - 1);
  return g_strjoinv ("\n", (char **)seen->pdata);
}

/* Removes consecutive repeats: the disk follower may read one status
 * twice, never out of order. */
static char *
order_of (GPtrArray *seen)
{
  g_autoptr(GPtrArray) unique = g_ptr_array_new ();

  for (guint i = 0; i < seen->len; i++)
    if (unique->len == 0 || !g_str_equal (g_ptr_array_index (unique, unique->len - 1), g_ptr_array_index (seen, i)))
      g_ptr_array_add (unique, g_ptr_array_index (seen, i));
  return joined (unique);
}

static gboolean
has_configuration (gpointer data)
{
  return pw_action_execution_get_configuration (data) != NULL;
}

/* What the executor does, object by object, in order. */
static const char *truth =
  "execution:InProgress\n"
  "First:NotStarted\n"
  "Gate:NotStarted\n"
  "First:InProgress\n"
  "First/Quick:InProgress\n"
  "First/Quick:Succeeded\n"
  "First/Second:InProgress\n"
  "First/Second:Succeeded\n"
  "First:Succeeded\n"
  "Gate:InProgress\n"
  "Gate/Approve:InProgress\n"
  "Gate/Approve:Succeeded\n"
  "Gate:Succeeded\n"
  "execution:Succeeded";


static void
test_live_in_order (void)
{
  Fixture f = { 0 };
  g_autoptr(GPtrArray) on_disk = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(PwExecutionList) follower = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *in_process = NULL;
  PwExecution *execution;
  PwActionExecution *approve, *quick;
  Want gate_waits = { NULL, NULL, "Gate", "Approve", "InProgress" };
  Want done = { NULL, NULL, NULL, NULL, "Succeeded" };

  setup (&f);
  f.list = new_list (&f, f.seen);
  pw_execution_list_set_executor (f.list, f.executor);
  /* A second list with no executor follows the same run from the disk,
   * as a window does for a `pipewright-cli run` in another process. */
  follower = new_list (&f, on_disk);

  id = pw_executor_start (f.executor, NULL, NULL, "StartPipelineExecution", "test", &error);
  g_assert_no_error (error);

  gate_waits.list = f.list;
  gate_waits.id = id;
  wait_until (status_is, &gate_waits, "the approval to wait");
  execution = pw_execution_list_lookup (f.list, id);
  g_assert_nonnull (execution);
  g_assert_false (pw_execution_is_finished (execution));
  g_assert_cmpstr (pw_execution_get_trigger_detail (execution), ==, "test");
  approve = pw_execution_lookup_action (execution, "Gate", "Approve");
  /* What the approval shows comes with its start or its record's next write. */
  g_assert_nonnull (pw_action_execution_get_token (approve));
  wait_until (has_configuration, approve, "the approval's configuration");
  g_assert_cmpstr (json_object_get_string_member (pw_action_execution_get_configuration (approve), "CustomData"),
                   ==, "Ship it?");

  /* The disk follower sees the waiting approval too. */
  gate_waits.list = follower;
  wait_until (status_is, &gate_waits, "the follower to see the approval wait");

  pw_executor_decide (f.executor, id, "Gate", "Approve", TRUE, "fine", "test", &error);
  g_assert_no_error (error);
  done.list = f.list;
  done.id = id;
  wait_until (status_is, &done, "the execution to succeed");
  done.list = follower;
  wait_until (status_is, &done, "the follower to see it succeed");

  /* In this process and from the disk: each object's statuses in the order
   * the executor set them (the events of one turn of the main loop make
   * one update, so a status held for less than that may not be seen), and
   * ending as it ended. The approval, which waited, is seen waiting. */
  in_process = order_of (f.seen);
  pw_check_in_order (in_process, truth);
  g_assert_nonnull (strstr (in_process, "Gate/Approve:InProgress"));
  {
    g_autofree char *from_disk = order_of (on_disk);

    pw_check_in_order (from_disk, truth);
  }

  /* Each action: its summary and its log. */
  quick = pw_execution_lookup_action (execution, "First", "Quick");
  g_assert_nonnull (pw_action_execution_get_log_path (quick));
  g_assert_true (g_file_test (pw_action_execution_get_log_path (quick), G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (pw_action_execution_get_attempt (quick), ==, 1);
  g_assert_nonnull (pw_action_execution_get_start_time (quick));
  g_assert_true (pw_execution_is_finished (execution));
  g_assert_cmpuint (g_list_model_get_n_items (pw_execution_get_stages (execution)), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (pw_execution_get_actions (execution)), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (pw_execution_get_variables (execution), 0),
                     "resolvedValue"), ==, "everyone");

  teardown (&f);
}

static void
flush_cb (PwExecutor      *executor,
          JsonNode        *event,
          PwExecutionList *list)
{
  pw_execution_list_flush (list);
}

static void
assert_same_action (PwActionExecution *a,
                    PwActionExecution *b)
{
  g_assert_cmpstr (pw_action_execution_get_id (a), ==, pw_action_execution_get_id (b));
  g_assert_cmpstr (pw_action_execution_get_status (a), ==, pw_action_execution_get_status (b));
  g_assert_cmpstr (pw_action_execution_get_summary (a), ==, pw_action_execution_get_summary (b));
  g_assert_cmpstr (pw_action_execution_get_log_path (a), ==, pw_action_execution_get_log_path (b));
  g_assert_cmpstr (pw_action_execution_get_token (a), ==, pw_action_execution_get_token (b));
  g_assert_cmpuint (pw_action_execution_get_attempt (a), ==, pw_action_execution_get_attempt (b));
  g_assert_true (g_date_time_equal (pw_action_execution_get_start_time (a), pw_action_execution_get_start_time (b)));
  g_assert_true (g_date_time_equal (pw_action_execution_get_update_time (a), pw_action_execution_get_update_time (b)));
  g_assert_true ((pw_action_execution_get_configuration (a) == NULL) ==
                 (pw_action_execution_get_configuration (b) == NULL));
}

/* A list flushed at each event (as pipewright-cli does) sees every status
 * of every object, in the executor's order, and the objects it built from
 * the events' changes alone end as the whole record says. */
static void
test_every_event (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *seen = NULL;
  g_autoptr(JsonNode) record = NULL;
  g_autoptr(PwExecution) whole = NULL;
  PwExecution *execution;
  GListModel *actions;
  Want done = { NULL, NULL, NULL, NULL, "Succeeded" };

  setup (&f);
  f.list = new_list (&f, f.seen);
  pw_execution_list_set_executor (f.list, f.executor);
  g_signal_connect (f.executor, "event", G_CALLBACK (flush_cb), f.list);
  pw_executor_set_approval_mode (f.executor, PW_APPROVAL_AUTO_APPROVE);

  id = pw_executor_start (f.executor, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  done.list = f.list;
  done.id = id;
  wait_until (status_is, &done, "the execution to succeed");

  seen = joined (f.seen);
  g_assert_cmpstr (seen, ==, truth);

  execution = pw_execution_list_lookup (f.list, id);
  record = pw_executor_dup_execution (f.executor, id);
  whole = pw_execution_new_from_record (record);
  actions = pw_execution_get_actions (execution);
  g_assert_cmpuint (g_list_model_get_n_items (actions), ==,
                    g_list_model_get_n_items (pw_execution_get_actions (whole)));
  for (guint i = 0; i < g_list_model_get_n_items (actions); i++)
    {
      g_autoptr(PwActionExecution) a = g_list_model_get_item (actions, i);

      assert_same_action (a, pw_execution_lookup_action (whole, pw_action_execution_get_stage_name (a),
                                                         pw_action_execution_get_action_name (a)));
    }
  g_assert_cmpstr (pw_execution_get_summary (execution), ==, pw_execution_get_summary (whole));
  g_assert_true (g_date_time_equal (pw_execution_get_update_time (execution), pw_execution_get_update_time (whole)));

  g_signal_handlers_disconnect_by_func (f.executor, flush_cb, f.list);
  teardown (&f);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static void
count_changed_cb (PwExecution *execution,
                  guint       *count)
{
  (*count)++;
}

static gboolean
is_finished (gpointer data)
{
  return data != NULL && pw_execution_is_finished (data);
}

/* A run read back later is the run as it ended; reading the same record
 * again changes (and notifies) nothing. */
static void
test_past_run (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr(PwExecutionList) later = NULL;
  g_autoptr(JsonNode) record = NULL;
  PwExecution *execution;
  PwActionExecution *approve;
  guint notified = 0;

  setup (&f);
  f.list = new_list (&f, f.seen);
  pw_execution_list_set_executor (f.list, f.executor);
  pw_executor_set_approval_mode (f.executor, PW_APPROVAL_AUTO_REJECT);
  id = pw_executor_start (f.executor, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  execution = pw_execution_list_lookup (f.list, id);
  g_assert_nonnull (execution);
  wait_until (is_finished, execution, "the execution to end");
  g_assert_cmpstr (pw_execution_get_status (execution), ==, "Failed");

  later = pw_execution_list_new (pw_executor_get_state_dir (f.executor), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (later)), ==, 1);
  execution = pw_execution_list_lookup (later, id);
  g_assert_cmpstr (pw_execution_get_status (execution), ==, "Failed");
  g_assert_cmpstr (pw_stage_execution_get_status (pw_execution_lookup_stage (execution, "First")), ==, "Succeeded");
  approve = pw_execution_lookup_action (execution, "Gate", "Approve");
  g_assert_cmpstr (pw_action_execution_get_status (approve), ==, "Failed");
  g_assert_nonnull (pw_action_execution_get_summary (approve));

  record = pw_state_load_execution (pw_executor_get_state_dir (f.executor), id, &error);
  g_assert_no_error (error);
  g_signal_connect (execution, "notify", G_CALLBACK (count_notify_cb), &notified);
  g_signal_connect (execution, "changed", G_CALLBACK (count_changed_cb), &notified);
  g_signal_connect (approve, "notify", G_CALLBACK (count_notify_cb), &notified);
  g_assert_true (pw_execution_update (execution, record));
  g_assert_cmpuint (notified, ==, 0);

  /* Another execution's record is refused. */
  json_object_set_string_member (json_node_get_object (record), "pipelineExecutionId",
                                 "00000000-0000-4000-8000-000000000000");
  g_assert_false (pw_execution_update (execution, record));

  teardown (&f);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/execution/live-in-order", test_live_in_order);
  g_test_add_func ("/engine/execution/past-run", test_past_run);
  g_test_add_func ("/engine/execution/every-event", test_every_event);

  return g_test_run ();
}
