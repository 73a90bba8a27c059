/* pw-provider-worker.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-provider-worker"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "pw-engine.h"
#include "pw-engine-private.h"

/* An action a job worker runs (a custom action type, or any type the
 * local profile lists under `workers:`), as CodePipeline hands it to one:
 * the action is a job that waits in the state folder until a worker takes
 * it through the API `pipewright-cli serve` speaks (PollForJobs,
 * AcknowledgeJob, GetJobDetails), then ends as the worker says
 * (PutJobSuccessResult, PutJobFailureResult). A success that carries a
 * continuation token queues the next job of the same action, with the
 * token, as the service does.
 *
 *   jobs/<id>.json         the job: what PollForJobs gives (this file)
 *   jobs/<id>.state.json   Dispatched, then InProgress (serve)
 *   jobs/<id>.result.json  the worker's result (serve)
 */

#define DEFAULT_TIMEOUT (60 * 60)   /* a custom action's hour */

struct _PwWorkerProvider
{
  GObject parent_instance;
};

typedef struct
{
  PwActionJob  *job;
  GFileMonitor *monitor;
  char         *dir;
  char         *job_id;
  guint         timeout_id;
  gulong        cancelled_id;
  guint         n_jobs;
} Wait;

static void provider_iface_init (PwProviderInterface *iface);

G_DECLARE_FINAL_TYPE (PwWorkerProvider, pw_worker_provider, PW, WORKER_PROVIDER, GObject)
G_DEFINE_FINAL_TYPE_WITH_CODE (PwWorkerProvider, pw_worker_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PW_TYPE_PROVIDER, provider_iface_init))

static char *
job_file (Wait       *wait,
          const char *suffix)
{
  g_autofree char *name = g_strconcat (wait->job_id, suffix, NULL);

  return g_build_filename (wait->dir, name, NULL);
}

/* The job's files go: it is over, or replaced by the next. */
static void
remove_job (Wait *wait)
{
  static const char * const suffixes[] = { ".json", ".state.json", ".result.json" };

  for (guint i = 0; wait->job_id != NULL && i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = job_file (wait, suffixes[i]);

      g_unlink (path);
    }
}

static void
wait_free (gpointer data)
{
  Wait *wait = data;

  remove_job (wait);
  if (wait->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (wait->monitor, wait);
      g_file_monitor_cancel (wait->monitor);
    }
  g_clear_object (&wait->monitor);
  g_clear_handle_id (&wait->timeout_id, g_source_remove);
  g_clear_object (&wait->job);
  g_free (wait->dir);
  g_free (wait->job_id);
  g_free (wait);
}

static void
finish (GTask *task)
{
  Wait *wait = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (wait->monitor != NULL)
    g_signal_handlers_disconnect_by_data (wait->monitor, wait);
  g_clear_handle_id (&wait->timeout_id, g_source_remove);
  if (cancellable != NULL && wait->cancelled_id != 0)
    {
      g_cancellable_disconnect (cancellable, wait->cancelled_id);
      wait->cancelled_id = 0;
    }
  remove_job (wait);
}

static void
fail (GTask      *task,
      int         code,
      const char *message)
{
  Wait *wait = g_task_get_task_data (task);

  if (pw_action_job_get_log (wait->job) != NULL)
    pw_log_printf (pw_action_job_get_log (wait->job), "%s", message);
  pw_action_job_set_summary (wait->job, message);
  g_object_ref (task);
  finish (task);
  g_task_return_new_error (task, PW_ENGINE_ERROR, code, "%s", message);
  g_object_unref (task);
}

/* Writes the job a worker polls for, with @token from the job before. */
static gboolean
queue_job (Wait        *wait,
           const char  *token,
           GError     **error)
{
  PwActionJob *job = wait->job;
  PwAction *action = pw_action_job_get_action (job);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) data = pw_action_job_build_data (job, token);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *when = g_date_time_format_iso8601 (now);
  g_autofree char *nonce = g_uuid_string_random ();
  g_autofree char *path = NULL;
  JsonObject *context = json_object_new ();
  JsonObject *stage = json_object_new ();
  JsonObject *named = json_object_new ();
  const char *account = pw_action_job_get_account (job);

  g_free (wait->job_id);
  wait->job_id = g_uuid_string_random ();
  wait->n_jobs++;

  /* Where the action is, as the service adds it to the job's data. */
  json_object_set_string_member (context, "pipelineName", pw_action_job_get_pipeline_name (job));
  json_object_set_string_member (stage, "name", pw_action_job_get_stage_name (job));
  json_object_set_object_member (context, "stage", stage);
  json_object_set_string_member (named, "name", pw_action_job_get_action_name (job));
  json_object_set_string_member (named, "actionExecutionId", pw_action_job_get_action_execution_id (job));
  json_object_set_object_member (context, "action", named);
  json_object_set_string_member (context, "pipelineExecutionId", pw_action_job_get_execution_id (job));
  json_object_set_object_member (json_node_get_object (data), "pipelineContext", context);
  {
    JsonObject *type = json_object_new ();

    json_object_set_string_member (type, "category", pw_action_get_category (action));
    json_object_set_string_member (type, "owner", pw_action_get_owner (action));
    json_object_set_string_member (type, "provider", pw_action_get_provider (action));
    json_object_set_string_member (type, "version", pw_action_get_version (action) != NULL
                                                    ? pw_action_get_version (action) : "1");
    json_object_set_object_member (json_node_get_object (data), "actionTypeId", type);
  }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, wait->job_id);
  json_builder_set_member_name (b, "nonce");
  json_builder_add_string_value (b, nonce);
  json_builder_set_member_name (b, "accountId");
  json_builder_add_string_value (b, account != NULL ? account : "111122223333");
  json_builder_set_member_name (b, "actionTypeId");
  json_builder_add_value (b, json_object_dup_member (json_node_get_object (data), "actionTypeId"));
  json_builder_set_member_name (b, "created");
  json_builder_add_string_value (b, when);
  json_builder_set_member_name (b, "data");
  json_builder_add_value (b, g_steal_pointer (&data));
  json_builder_end_object (b);
  root = json_builder_get_root (b);

  path = job_file (wait, ".json");
  return _pw_state_write_json (path, root, error);
}

static void
take_result (GTask *task)
{
  Wait *wait = g_task_get_task_data (task);
  PwActionJob *job = wait->job;
  PwLog *log = pw_action_job_get_log (job);
  g_autofree char *path = job_file (wait, ".result.json");
  g_autoptr(JsonNode) node = _pw_state_read_json (path, NULL);
  g_auto(GStrv) outputs = NULL;
  JsonObject *result, *details, *variables;
  const char *status, *token, *summary, *external;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;   /* not all there yet: the rename brings it whole */
  result = json_node_get_object (node);
  status = json_object_get_string_member_with_default (result, "status", "");

  if (g_str_equal (status, "Failed"))
    {
      details = json_object_has_member (result, "failureDetails")
        ? json_object_get_object_member (result, "failureDetails") : NULL;
      external = details != NULL ? json_object_get_string_member_with_default (details, "externalExecutionId", NULL)
                                 : NULL;
      if (external != NULL)
        pw_action_job_set_external_id (job, external);
      {
        g_autofree char *message = g_strdup_printf (_("The job worker failed the job (%s): %s"),
                                                    details != NULL ? json_object_get_string_member_with_default (
                                                      details, "type", "JobFailed") : "JobFailed",
                                                    details != NULL ? json_object_get_string_member_with_default (
                                                      details, "message", "") : "");

        fail (task, PW_ENGINE_ERROR_FAILED, message);
      }
      return;
    }

  details = json_object_has_member (result, "executionDetails")
    ? json_object_get_object_member (result, "executionDetails") : NULL;
  summary = details != NULL ? json_object_get_string_member_with_default (details, "summary", NULL) : NULL;
  external = details != NULL ? json_object_get_string_member_with_default (details, "externalExecutionId", NULL)
                             : NULL;
  if (external != NULL)
    pw_action_job_set_external_id (job, external);
  if (summary != NULL)
    pw_action_job_set_summary (job, summary);

  /* Not done yet: the next job of the action, with the token. */
  token = json_object_get_string_member_with_default (result, "continuationToken", NULL);
  if (token != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *token_copy = g_strdup (token);

      remove_job (wait);
      if (!queue_job (wait, token_copy, &error))
        {
          fail (task, PW_ENGINE_ERROR_STATE, error->message);
          return;
        }
      /* Said once the job is there to poll for. */
      if (log != NULL)
        pw_log_printf (log, "The job worker continues it%s%s: next job %s queued",
                       summary != NULL ? " — " : "", summary != NULL ? summary : "", wait->job_id);
      return;
    }

  /* Outputs are where the job said: the worker wrote them there. */
  outputs = pw_action_job_dup_output_names (job);
  for (guint i = 0; outputs != NULL && outputs[i] != NULL; i++)
    {
      g_autofree char *zip = pw_action_job_dup_output_path (job, outputs[i]);

      if (!g_file_test (zip, G_FILE_TEST_IS_REGULAR))
        {
          g_autofree char *message = g_strdup_printf (_("The job worker succeeded but wrote no output artifact "
                                                        "%s (at the job's outputArtifacts[].location, %s)"),
                                                      outputs[i], zip);

          fail (task, PW_ENGINE_ERROR_ARTIFACT, message);
          return;
        }
      pw_action_job_add_output (job, outputs[i], zip, NULL);
    }
  variables = json_object_has_member (result, "outputVariables") &&
              JSON_NODE_HOLDS_OBJECT (json_object_get_member (result, "outputVariables"))
    ? json_object_get_object_member (result, "outputVariables") : NULL;
  if (variables != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init_ordered (&iter, variables);
      while (json_object_iter_next_ordered (&iter, &name, &value))
        if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
          pw_action_job_set_output_variable (job, name, json_node_get_string (value));
    }
  if (log != NULL)
    pw_log_printf (log, "The job worker succeeded%s%s", summary != NULL ? ": " : "",
                   summary != NULL ? summary : "");

  g_object_ref (task);
  finish (task);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
jobs_changed_cb (GFileMonitor      *monitor,
                 GFile             *file,
                 GFile             *other,
                 GFileMonitorEvent  event,
                 GTask             *task)
{
  Wait *wait = g_task_get_task_data (task);
  g_autofree char *expected = g_strconcat (wait->job_id, ".result.json", NULL);
  g_autofree char *name = NULL;
  GFile *arrived = event == G_FILE_MONITOR_EVENT_MOVED_IN || event == G_FILE_MONITOR_EVENT_RENAMED ? other : file;

  if (g_task_get_completed (task) || arrived == NULL)
    return;
  if (event != G_FILE_MONITOR_EVENT_CREATED && event != G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT &&
      event != G_FILE_MONITOR_EVENT_MOVED_IN && event != G_FILE_MONITOR_EVENT_RENAMED)
    return;
  name = g_file_get_basename (arrived);
  if (g_str_equal (name, expected))
    take_result (task);
}

static gboolean
timeout_cb (gpointer data)
{
  GTask *task = data;
  Wait *wait = g_task_get_task_data (task);

  wait->timeout_id = 0;
  fail (task, PW_ENGINE_ERROR_TIMEOUT, _("No job worker finished the job in time"));
  return G_SOURCE_REMOVE;
}

static gboolean
cancelled_idle_cb (gpointer data)
{
  GTask *task = data;

  if (!g_task_get_completed (task))
    {
      finish (task);
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CANCELLED, "Job abandoned");
    }
  return G_SOURCE_REMOVE;
}

static void
cancelled_cb (GCancellable *cancellable,
              GTask        *task)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, cancelled_idle_cb, g_object_ref (task), g_object_unref);
}

static void
pw_worker_provider_run_async (PwProvider          *provider,
                              PwActionJob         *job,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (provider, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) dir = NULL;
  PwAction *action = pw_action_job_get_action (job);
  PwLog *log = pw_action_job_get_log (job);
  Wait *wait = g_new0 (Wait, 1);
  guint timeout = pw_action_job_get_timeout (job);
  const char *state_dir = pw_action_job_get_state_dir (job);

  g_task_set_source_tag (task, pw_worker_provider_run_async);
  wait->job = g_object_ref (job);
  g_task_set_task_data (task, wait, wait_free);
  if (state_dir == NULL)
    {
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                               "A job for a worker needs a state folder");
      return;
    }
  /* A job holds the action's resolved configuration, which may carry a
   * secret an earlier action exported (the worker gets it, as from the
   * service): the folder is the user's alone. */
  wait->dir = g_build_filename (state_dir, "jobs", NULL);
  if (g_mkdir_with_parents (wait->dir, 0700) != 0 || g_chmod (wait->dir, 0700) != 0)
    {
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE, "Cannot create %s", wait->dir);
      return;
    }

  /* Watch first: a fast worker's result must not come before it. */
  dir = g_file_new_for_path (wait->dir);
  wait->monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (wait->monitor == NULL || !queue_job (wait, NULL, &error))
    {
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE, "%s", error->message);
      return;
    }
  g_signal_connect (wait->monitor, "changed", G_CALLBACK (jobs_changed_cb), task);

  if (log != NULL)
    pw_log_printf (log, "Waiting for a job worker: job %s for %s/%s/%s/%s; a worker polls for it with "
                   "PollForJobs on pipewright-cli serve", wait->job_id, pw_action_get_category (action),
                   pw_action_get_owner (action), pw_action_get_provider (action),
                   pw_action_get_version (action) != NULL ? pw_action_get_version (action) : "1");
  pw_action_job_set_summary (job, "Waiting for a job worker");

  wait->timeout_id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, timeout != 0 ? timeout : DEFAULT_TIMEOUT,
                                                 timeout_cb, g_object_ref (task), g_object_unref);
  if (cancellable != NULL)
    wait->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), task, NULL);
}

static gboolean
pw_worker_provider_run_finish (PwProvider    *provider,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
provider_iface_init (PwProviderInterface *iface)
{
  iface->run_async = pw_worker_provider_run_async;
  iface->run_finish = pw_worker_provider_run_finish;
}

static void
pw_worker_provider_class_init (PwWorkerProviderClass *klass)
{
}

static void
pw_worker_provider_init (PwWorkerProvider *self)
{
}

PwProvider *
pw_worker_provider_new (void)
{
  return g_object_new (pw_worker_provider_get_type (), NULL);
}
