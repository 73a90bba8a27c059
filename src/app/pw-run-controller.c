/* pw-run-controller.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A window's runs: the executions of its file's state folder (live, from
 * the engine's PwExecutionList), the one shown on the canvas, and the
 * commands a user gives them. When no other process runs the pipeline, the
 * app runs it in-process on the main loop, as `pipewright-cli run` would,
 * and serves the same control requests, so `pipewright-cli approve`,
 * `status` and `logs` reach the app's run. When a `pipewright-cli run` or
 * `watch` already runs it, the app joins: its start, approvals, stop and
 * retry go there as requests (in a thread: a request waits for its answer),
 * and the list follows the records on disk. */

#define G_LOG_DOMAIN "pw-run"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>

#include "pw-run-controller.h"

struct _PwRunController
{
  GObject            parent_instance;

  PwTextDocument    *document;
  PwExecutionList   *executions;
  PwExecutor        *executor;      /* when this process runs the state folder */
  PwExecution       *execution;     /* shown */
  PwActionExecution *approval;      /* of the shown execution, waiting */
  char              *state_dir;
  char              *pending_id;    /* started elsewhere, not listed yet */
  GCancellable      *cancellable;
  GHashTable        *started;       /* ids of the executions started here */
  char              *profile_path;  /* the executor's profile, NULL: beside the file */
  gboolean           running;
};

enum {
  PROP_0,
  PROP_EXECUTIONS,
  PROP_EXECUTION,
  PROP_RUNNING,
  PROP_APPROVAL,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

enum {
  TRANSITIONS_CHANGED,
  ACTIVITY,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

G_DEFINE_FINAL_TYPE (PwRunController, pw_run_controller, G_TYPE_OBJECT)

/* What the shown execution asks of the user ------------------------------- */

static PwActionExecution *
find_approval (PwExecution *execution)
{
  GListModel *stages = execution != NULL ? pw_execution_get_stages (execution) : NULL;

  for (guint s = 0; stages != NULL && s < g_list_model_get_n_items (stages); s++)
    {
      g_autoptr(PwStageExecution) stage = g_list_model_get_item (stages, s);
      GListModel *actions = pw_stage_execution_get_actions (stage);

      for (guint a = 0; a < g_list_model_get_n_items (actions); a++)
        {
          g_autoptr(PwActionExecution) action = g_list_model_get_item (actions, a);

          /* Asked once what to ask is known: its token and its resolved
           * configuration (CustomData, the link), which the record has a
           * moment after the action starts. */
          if (g_strcmp0 (pw_action_execution_get_category (action), "Approval") == 0 &&
              g_strcmp0 (pw_action_execution_get_status (action), "InProgress") == 0 &&
              pw_action_execution_get_token (action) != NULL &&
              pw_action_execution_get_configuration (action) != NULL)
            return action;
        }
    }
  return NULL;
}

static void
sync_state (PwRunController *self)
{
  gboolean running = self->execution != NULL && !pw_execution_is_finished (self->execution);
  PwActionExecution *approval = find_approval (self->execution);

  if (self->running != running)
    {
      self->running = running;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_RUNNING]);
    }
  if (g_set_object (&self->approval, approval))
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_APPROVAL]);
}

static void
execution_changed_cb (PwExecution     *execution,
                      PwRunController *self)
{
  sync_state (self);
}

void
pw_run_controller_set_execution (PwRunController *self,
                                 PwExecution     *execution)
{
  g_return_if_fail (PW_IS_RUN_CONTROLLER (self));

  if (self->execution == execution)
    return;
  if (self->execution != NULL)
    g_signal_handlers_disconnect_by_func (self->execution, execution_changed_cb, self);
  g_set_object (&self->execution, execution);
  if (execution != NULL)
    g_signal_connect (execution, "changed", G_CALLBACK (execution_changed_cb), self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_EXECUTION]);
  sync_state (self);
}

static void
activity_cb (PwRunController *self)
{
  g_signal_emit (self, signals [ACTIVITY], 0);
}

/* An execution another process started for us appears in the list. */
static void
executions_changed_cb (GListModel      *model,
                       guint            position,
                       guint            removed,
                       guint            added,
                       PwRunController *self)
{
  PwExecution *execution;

  /* Every execution's changes are the file's activity (who waits where). */
  for (guint i = position; model != NULL && i < position + added; i++)
    {
      g_autoptr(PwExecution) item = g_list_model_get_item (model, i);

      g_signal_connect_object (item, "changed", G_CALLBACK (activity_cb), self, G_CONNECT_SWAPPED);
    }
  if (added > 0)
    g_signal_emit (self, signals [ACTIVITY], 0);

  if (self->pending_id != NULL)
    {
      execution = pw_execution_list_lookup (self->executions, self->pending_id);
      if (execution != NULL)
        {
          g_clear_pointer (&self->pending_id, g_free);
          pw_run_controller_set_execution (self, execution);
        }
      return;
    }

  /* A new run (from a terminal, or a trigger) is shown when the one shown
   * has ended: the canvas follows what is happening. */
  if (added > 0 && position == 0 &&
      (self->execution == NULL || pw_execution_is_finished (self->execution)))
    {
      g_autoptr(PwExecution) newest = g_list_model_get_item (G_LIST_MODEL (self->executions), 0);

      if (!pw_execution_is_finished (newest))
        pw_run_controller_set_execution (self, newest);
    }
}

/* The file's state folder ------------------------------------------------- */

static void
drop_executor (PwRunController *self)
{
  if (self->executor == NULL)
    return;
  if (self->executions != NULL)
    pw_execution_list_set_executor (self->executions, NULL);
  pw_executor_stop_serving (self->executor);
  g_clear_object (&self->executor);
  /* The pipeline's own transitions again. */
  g_signal_emit (self, signals [TRANSITIONS_CHANGED], 0);
}

static void
follow_file (PwRunController *self)
{
  GFile *file = self->document != NULL ? pw_text_document_get_file (self->document) : NULL;
  g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
  g_autofree char *state_dir = path != NULL ? pw_state_default_dir (path) : NULL;
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (state_dir, self->state_dir) == 0)
    return;

  /* A run of the old file goes on; this window shows the new file's. */
  if (self->executor == NULL || !pw_executor_is_busy (self->executor))
    drop_executor (self);
  pw_run_controller_set_execution (self, NULL);
  if (self->executions != NULL)
    g_signal_handlers_disconnect_by_func (self->executions, executions_changed_cb, self);
  g_clear_object (&self->executions);
  g_clear_pointer (&self->pending_id, g_free);
  g_free (self->state_dir);
  self->state_dir = g_steal_pointer (&state_dir);

  /* Its runs, and the ones to come (from this window or a terminal). */
  if (self->state_dir != NULL)
    {
      self->executions = pw_execution_list_new (self->state_dir, &error);
      if (error != NULL)
        g_warning ("Could not read the runs in %s: %s", self->state_dir, error->message);
    }
  if (self->executions != NULL)
    {
      g_signal_connect (self->executions, "items-changed", G_CALLBACK (executions_changed_cb), self);
      executions_changed_cb (G_LIST_MODEL (self->executions), 0, 0,
                             g_list_model_get_n_items (G_LIST_MODEL (self->executions)), self);
      /* The newest run, as it is (or as it ended). */
      if (g_list_model_get_n_items (G_LIST_MODEL (self->executions)) > 0)
        {
          g_autoptr(PwExecution) newest = g_list_model_get_item (G_LIST_MODEL (self->executions), 0);

          pw_run_controller_set_execution (self, newest);
        }
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_EXECUTIONS]);
}

static void
file_changed_cb (PwRunController *self)
{
  follow_file (self);
}

/* Options ----------------------------------------------------------------- */

PwRunOptions *
pw_run_options_new (void)
{
  PwRunOptions *options = g_new0 (PwRunOptions, 1);

  options->variables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  options->revisions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return options;
}

void
pw_run_options_free (PwRunOptions *options)
{
  if (options == NULL)
    return;
  g_hash_table_unref (options->variables);
  g_hash_table_unref (options->revisions);
  g_free (options->last_stage);
  g_free (options->profile);
  g_free (options);
}

/* Where the last options of each pipeline file are kept. */
static char *
options_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "pipewright", "run-options.ini", NULL);
}

static char *
file_key (PwRunController *self)
{
  GFile *file = self->document != NULL ? pw_text_document_get_file (self->document) : NULL;

  return file != NULL ? g_file_get_path (file) : NULL;
}

static char **
pairs_of (GHashTable *table)
{
  GPtrArray *pairs = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_ptr_array_add (pairs, g_strdup_printf ("%s=%s", (char *)key, (char *)value));
  g_ptr_array_add (pairs, NULL);
  return (char **)g_ptr_array_free (pairs, FALSE);
}

static void
read_pairs (GKeyFile   *keyfile,
            const char *group,
            const char *key,
            GHashTable *into)
{
  g_auto(GStrv) pairs = g_key_file_get_string_list (keyfile, group, key, NULL, NULL);

  for (guint i = 0; pairs != NULL && pairs[i] != NULL; i++)
    {
      const char *eq = strchr (pairs[i], '=');

      if (eq != NULL && eq != pairs[i])
        g_hash_table_insert (into, g_strndup (pairs[i], eq - pairs[i]), g_strdup (eq + 1));
    }
}

static void
remember_options (PwRunController    *self,
                  const PwRunOptions *options)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autofree char *path = options_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *group = file_key (self);
  g_auto(GStrv) variables = pairs_of (options->variables);
  g_auto(GStrv) revisions = pairs_of (options->revisions);
  g_autoptr(GError) error = NULL;

  if (group == NULL)
    return;
  g_key_file_load_from_file (keyfile, path, G_KEY_FILE_KEEP_COMMENTS, NULL);
  g_key_file_remove_group (keyfile, group, NULL);
  g_key_file_set_string_list (keyfile, group, "variables", (const char * const *)variables, g_strv_length (variables));
  g_key_file_set_string_list (keyfile, group, "revisions", (const char * const *)revisions, g_strv_length (revisions));
  if (options->last_stage != NULL)
    g_key_file_set_string (keyfile, group, "last-stage", options->last_stage);
  if (options->profile != NULL)
    g_key_file_set_string (keyfile, group, "profile", options->profile);
  g_key_file_set_boolean (keyfile, group, "ask", options->ask);
  g_mkdir_with_parents (dir, 0700);
  /* Written whole, then renamed (g_file_set_contents): never half a file. */
  if (!g_key_file_save_to_file (keyfile, path, &error))
    g_warning ("Could not remember the run options in %s: %s", path, error->message);
}

/**
 * pw_run_controller_dup_options:
 *
 * Returns: (transfer full): the options the last Run with Options used for
 *   this file (empty when none)
 */
PwRunOptions *
pw_run_controller_dup_options (PwRunController *self)
{
  PwRunOptions *options = pw_run_options_new ();
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autofree char *path = options_path ();
  g_autofree char *group = file_key (self);

  if (group == NULL || !g_key_file_load_from_file (keyfile, path, G_KEY_FILE_NONE, NULL) ||
      !g_key_file_has_group (keyfile, group))
    return options;
  read_pairs (keyfile, group, "variables", options->variables);
  read_pairs (keyfile, group, "revisions", options->revisions);
  options->last_stage = g_key_file_get_string (keyfile, group, "last-stage", NULL);
  options->profile = g_key_file_get_string (keyfile, group, "profile", NULL);
  options->ask = g_key_file_get_boolean (keyfile, group, "ask", NULL);
  return options;
}

/* Commands ---------------------------------------------------------------- */

/**
 * pw_run_controller_dup_blocker:
 *
 * Returns: (transfer full) (nullable): why Run cannot start now, said so a
 *   user knows what to do
 */
char *
pw_run_controller_dup_blocker (PwRunController *self)
{
  GListModel *diagnostics;
  guint errors = 0;

  g_return_val_if_fail (PW_IS_RUN_CONTROLLER (self), NULL);

  if (self->document == NULL || pw_text_document_get_pipeline (self->document) == NULL)
    return g_strdup (_("There is no pipeline to run: the text does not read as one"));
  if (pw_text_document_get_file (self->document) == NULL)
    return g_strdup (_("Save the pipeline first: a run keeps its state in .pipewright beside the file"));

  diagnostics = pw_text_document_get_diagnostics (self->document);
  for (guint i = 0; i < g_list_model_get_n_items (diagnostics); i++)
    {
      g_autoptr(PwDiagnostic) diagnostic = g_list_model_get_item (diagnostics, i);

      if (pw_diagnostic_get_severity (diagnostic) == PW_SEVERITY_ERROR)
        errors++;
    }
  if (errors > 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "The pipeline has %u error AWS would reject; fix it first",
                                         "The pipeline has %u errors AWS would reject; fix them first",
                                         errors), errors);
  return NULL;
}

typedef struct
{
  char       *state_dir;
  JsonObject *request;
} Request;

static void
request_free (Request *request)
{
  g_free (request->state_dir);
  json_object_unref (request->request);
  g_free (request);
}

static void
request_thread (GTask        *task,
                gpointer      source,
                gpointer      data,
                GCancellable *cancellable)
{
  Request *request = data;
  JsonNode *reply = NULL;
  GError *error = NULL;

  if (!pw_state_send_request_full (request->state_dir, request->request, 30000, &reply, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, reply, (GDestroyNotify)json_node_unref);
}

static void
request_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  PwRunController *self = PW_RUN_CONTROLLER (source);
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *id;

  reply = g_task_propagate_pointer (G_TASK (result), &error);
  if (reply == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("The process running this pipeline did not take the request: %s", error->message);
      return;
    }

  /* A start answers with the execution it made. */
  id = JSON_NODE_HOLDS_OBJECT (reply)
    ? json_object_get_string_member_with_default (json_node_get_object (reply), "executionId", NULL) : NULL;
  if (id != NULL && g_task_get_task_data (G_TASK (result)) != NULL)
    {
      if (self->executions == NULL)
        follow_file (self);
      g_free (self->pending_id);
      self->pending_id = g_strdup (id);
      g_hash_table_add (self->started, g_strdup (id));
      if (self->executions != NULL)
        pw_execution_list_reload (self->executions);
      executions_changed_cb (NULL, 0, 0, 0, self);
    }
}

static void
request_thread_wrapper (GTask        *task,
                        gpointer      source,
                        gpointer      data,
                        GCancellable *cancellable)
{
  request_thread (task, source, g_object_get_data (G_OBJECT (task), "request"), cancellable);
}

/* Hands @request to the process that runs the state folder. */
static void
send (PwRunController *self,
      JsonObject      *request,
      gboolean         start)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, request_done_cb, NULL);
  Request *data = g_new0 (Request, 1);

  data->state_dir = g_strdup (self->state_dir);
  data->request = json_object_ref (request);
  /* The data marks a start: its reply names the new execution. */
  g_task_set_task_data (task, start ? GINT_TO_POINTER (1) : NULL, NULL);
  g_object_set_data_full (G_OBJECT (task), "request", data, (GDestroyNotify)request_free);
  g_task_run_in_thread (task, request_thread_wrapper);
}

static char *
requester (void)
{
  /* Who answered, as the record and the events say it. */
  return g_strdup_printf ("%s (Pipewright)", g_get_user_name ());
}

static gboolean start (PwRunController *self, const PwRunOptions *options, gboolean remember, GError **error);

/* Run (F5): the pipeline's defaults, the profile beside the file. */
gboolean
pw_run_controller_start (PwRunController  *self,
                         GError          **error)
{
  g_autoptr(PwRunOptions) options = pw_run_options_new ();

  g_return_val_if_fail (PW_IS_RUN_CONTROLLER (self), FALSE);

  return start (self, options, FALSE, error);
}

static JsonObject *
object_of (GHashTable *table)
{
  JsonObject *o = json_object_new ();
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    json_object_set_string_member (o, key, value);
  return o;
}

/**
 * pw_run_controller_start_with:
 *
 * Starts an execution of the pipeline on screen with @options (variables,
 * source revisions, the last stage, the local profile).
 */
gboolean
pw_run_controller_start_with (PwRunController     *self,
                              const PwRunOptions  *options,
                              GError             **error)
{
  g_return_val_if_fail (PW_IS_RUN_CONTROLLER (self), FALSE);

  return start (self, options, TRUE, error);
}

/* This process's executor for the pipeline on screen, made if need be
 * (and its executions followed from its events). TRUE with no executor:
 * another process runs the pipeline, and takes requests instead.
 * @profile_path: the local profile, NULL for the one beside the file;
 * @any_profile: keep an executor made with another profile. */
static gboolean
ensure_executor (PwRunController  *self,
                 const char       *profile_path,
                 gboolean          any_profile,
                 GError          **error)
{
  g_autofree char *blocker = pw_run_controller_dup_blocker (self);
  g_autofree char *path = NULL;
  g_autoptr(PwLocalProfile) profile = NULL;
  g_autoptr(GError) local_error = NULL;
  PwPipeline *pipeline;

  if (blocker != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, blocker);
      return FALSE;
    }

  follow_file (self);
  pipeline = pw_text_document_get_pipeline (self->document);
  path = g_file_get_path (pw_text_document_get_file (self->document));

  /* What is on screen runs: an executor made for an earlier text is
   * replaced once nothing runs on it. */
  if (self->executor != NULL)
    {
      g_autofree char *hash = pw_executor_hash_pipeline (pipeline);

      if (g_strcmp0 (hash, pw_executor_get_pipeline_hash (self->executor)) != 0 ||
          (!any_profile && g_strcmp0 (profile_path, self->profile_path) != 0))
        {
          if (pw_executor_is_busy (self->executor))
            {
              g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                                   _("An execution of the pipeline as it was before your edits still "
                                     "runs; stop it first, or wait for it to end"));
              return FALSE;
            }
          drop_executor (self);
        }
    }
  if (self->executor != NULL)
    return TRUE;

  profile = profile_path != NULL ? pw_local_profile_load (profile_path, error)
                                 : pw_local_profile_load_beside (path, error);
  if (profile == NULL)
    return FALSE;
  self->executor = pw_executor_new (pipeline, path, NULL, profile, &local_error);
  if (self->executor == NULL)
    {
      /* Another process runs it: it takes our requests, as a second
       * `pipewright-cli run` hands its start to the first. */
      if (g_error_matches (local_error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_BUSY))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  pw_executor_set_approval_mode (self->executor, PW_APPROVAL_WAIT);
  if (!pw_executor_serve_requests (self->executor, error))
    {
      g_clear_object (&self->executor);
      return FALSE;
    }
  g_free (self->profile_path);
  self->profile_path = g_strdup (profile_path);

  if (self->executions == NULL)
    {
      self->executions = pw_execution_list_new (pw_executor_get_state_dir (self->executor), error);
      if (self->executions == NULL)
        {
          drop_executor (self);
          return FALSE;
        }
      g_signal_connect (self->executions, "items-changed", G_CALLBACK (executions_changed_cb), self);
      executions_changed_cb (G_LIST_MODEL (self->executions), 0, 0,
                             g_list_model_get_n_items (G_LIST_MODEL (self->executions)), self);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_EXECUTIONS]);
    }
  pw_execution_list_set_executor (self->executions, self->executor);
  g_signal_emit (self, signals [TRANSITIONS_CHANGED], 0);
  return TRUE;
}

static gboolean
start (PwRunController     *self,
       const PwRunOptions  *options,
       gboolean             remember,
       GError             **error)
{
  g_autofree char *id = NULL;

  if (!ensure_executor (self, options->profile, FALSE, error))
    return FALSE;

  if (self->executor == NULL)
    {
      /* Another process runs it: join, as `pipewright-cli run` does. */
      g_autoptr(JsonObject) request = json_object_new ();
      g_autofree char *hash = pw_executor_hash_pipeline (pw_text_document_get_pipeline (self->document));
      g_autofree char *by = requester ();

      json_object_set_string_member (request, "op", "start");
      json_object_set_string_member (request, "pipelineHash", hash);
      json_object_set_object_member (request, "variables", object_of (options->variables));
      json_object_set_object_member (request, "sourceRevisions", object_of (options->revisions));
      json_object_set_string_member (request, "approvals", "wait");
      if (options->last_stage != NULL)
        json_object_set_string_member (request, "lastStage", options->last_stage);
      json_object_set_string_member (request, "by", by);
      send (self, request, TRUE);
    }
  else
    {
      id = pw_executor_start_full (self->executor, options->variables, options->revisions,
                                   "StartPipelineExecution", "Pipewright", PW_APPROVAL_WAIT,
                                   options->last_stage, error);
      if (id == NULL)
        return FALSE;
      g_hash_table_add (self->started, g_strdup (id));
    }
  if (remember)
    remember_options (self, options);
  if (id != NULL)
    pw_run_controller_set_execution (self, pw_execution_list_lookup (self->executions, id));
  return TRUE;
}

/* Whether this process runs @execution (else a request goes to the one that does). */
static gboolean
runs_here (PwRunController *self,
           PwExecution     *execution)
{
  g_autoptr(JsonNode) record = NULL;

  if (self->executor == NULL || execution == NULL)
    return FALSE;
  record = pw_executor_dup_execution (self->executor, pw_execution_get_id (execution));
  return record != NULL;
}

static JsonObject *
new_request (const char  *op,
             PwExecution *execution)
{
  JsonObject *request = json_object_new ();
  g_autofree char *by = requester ();

  json_object_set_string_member (request, "op", op);
  json_object_set_string_member (request, "executionId", pw_execution_get_id (execution));
  json_object_set_string_member (request, "by", by);
  return request;
}

gboolean
pw_run_controller_stop (PwRunController  *self,
                        gboolean          abandon,
                        GError          **error)
{
  g_autoptr(JsonObject) request = NULL;

  g_return_val_if_fail (PW_IS_RUN_CONTROLLER (self), FALSE);

  if (!self->running)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The execution is not running"));
      return FALSE;
    }
  if (runs_here (self, self->execution))
    return pw_executor_stop (self->executor, pw_execution_get_id (self->execution), abandon,
                             _("Stopped in Pipewright"), error);

  request = new_request (abandon ? "abandon" : "stop", self->execution);
  json_object_set_string_member (request, "summary", _("Stopped in Pipewright"));
  send (self, request, FALSE);
  return TRUE;
}

gboolean
pw_run_controller_decide (PwRunController    *self,
                          PwActionExecution  *action,
                          gboolean            approved,
                          const char         *summary,
                          GError            **error)
{
  g_autoptr(JsonObject) request = NULL;
  g_autofree char *by = requester ();

  g_return_val_if_fail (PW_IS_RUN_CONTROLLER (self), FALSE);
  g_return_val_if_fail (PW_IS_ACTION_EXECUTION (action), FALSE);

  if (self->execution == NULL)
    return FALSE;
  if (summary != NULL && summary[0] == '\0')
    summary = NULL;
  if (runs_here (self, self->execution))
    return pw_executor_decide (self->executor, pw_execution_get_id (self->execution),
                               pw_action_execution_get_stage_name (action),
                               pw_action_execution_get_action_name (action),
                               approved, summary, by, error);

  request = new_request (approved ? "approve" : "reject", self->execution);
  json_object_set_string_member (request, "stage", pw_action_execution_get_stage_name (action));
  json_object_set_string_member (request, "action", pw_action_execution_get_action_name (action));
  if (summary != NULL)
    json_object_set_string_member (request, "summary", summary);
  send (self, request, FALSE);
  return TRUE;
}

gboolean
pw_run_controller_retry (PwRunController  *self,
                         const char       *stage_name,
                         gboolean          all_actions,
                         GError          **error)
{
  g_autoptr(JsonObject) request = NULL;

  g_return_val_if_fail (PW_IS_RUN_CONTROLLER (self), FALSE);

  if (self->execution == NULL)
    return FALSE;
  if (runs_here (self, self->execution))
    return pw_executor_retry (self->executor, pw_execution_get_id (self->execution), stage_name,
                              all_actions, error);

  request = new_request (all_actions ? "retry-all" : "retry", self->execution);
  json_object_set_string_member (request, "stage", stage_name);
  send (self, request, FALSE);
  return TRUE;
}

/**
 * pw_run_controller_set_transition:
 *
 * Enables or disables the inbound transition of @stage_name in the process
 * that runs the pipeline (this one, made for the purpose if none runs it).
 */
gboolean
pw_run_controller_set_transition (PwRunController  *self,
                                  const char       *stage_name,
                                  gboolean          enabled,
                                  const char       *reason,
                                  GError          **error)
{
  g_return_val_if_fail (PW_IS_RUN_CONTROLLER (self), FALSE);

  if (!ensure_executor (self, self->profile_path, TRUE, error))
    return FALSE;

  if (self->executor == NULL)
    {
      /* The process that runs it takes the request. */
      g_autoptr(JsonObject) request = json_object_new ();
      g_autofree char *by = requester ();

      json_object_set_string_member (request, "op", enabled ? "enable-transition" : "disable-transition");
      json_object_set_string_member (request, "stage", stage_name);
      if (reason != NULL)
        json_object_set_string_member (request, "summary", reason);
      json_object_set_string_member (request, "by", by);
      send (self, request, FALSE);
      return TRUE;
    }

  if (!pw_executor_set_transition (self->executor, stage_name, enabled, reason, error))
    return FALSE;
  g_signal_emit (self, signals [TRANSITIONS_CHANGED], 0);
  return TRUE;
}

/**
 * pw_run_controller_dup_disabled_transitions:
 *
 * Returns: (transfer full) (nullable): stage name → reason of the inbound
 *   transitions disabled in this process's executor, or %NULL when none
 *   runs here (the pipeline's own DisableInboundStageTransitions then)
 */
GHashTable *
pw_run_controller_dup_disabled_transitions (PwRunController *self)
{
  g_return_val_if_fail (PW_IS_RUN_CONTROLLER (self), NULL);

  return self->executor != NULL ? pw_executor_dup_disabled_transitions (self->executor) : NULL;
}

/**
 * pw_run_controller_dup_waiting:
 *
 * Returns: (transfer full): stage name → how many running executions
 *   wait to enter it: the stage before it succeeded, it has not started
 *   (busy in QUEUED mode, or its transition disabled)
 */
GHashTable *
pw_run_controller_dup_waiting (PwRunController *self)
{
  GHashTable *waiting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GListModel *list = self->executions != NULL ? G_LIST_MODEL (self->executions) : NULL;

  for (guint i = 0; list != NULL && i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(PwExecution) execution = g_list_model_get_item (list, i);
      GListModel *stages = pw_execution_get_stages (execution);

      if (pw_execution_is_finished (execution))
        continue;
      for (guint s = 1; s < g_list_model_get_n_items (stages); s++)
        {
          g_autoptr(PwStageExecution) before = g_list_model_get_item (stages, s - 1);
          g_autoptr(PwStageExecution) stage = g_list_model_get_item (stages, s);

          if (g_strcmp0 (pw_stage_execution_get_status (before), "Succeeded") == 0 &&
              g_strcmp0 (pw_stage_execution_get_status (stage), "NotStarted") == 0)
            {
              const char *name = pw_stage_execution_get_name (stage);

              g_hash_table_insert (waiting, g_strdup (name),
                                   GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (waiting, name)) + 1));
              break;
            }
        }
    }
  return waiting;
}

/* GObject ----------------------------------------------------------------- */

PwExecutionList *
pw_run_controller_get_executions (PwRunController *self)
{
  return self->executions;
}

PwExecution *
pw_run_controller_get_execution (PwRunController *self)
{
  return self->execution;
}

gboolean
pw_run_controller_get_running (PwRunController *self)
{
  return self->running;
}

PwActionExecution *
pw_run_controller_get_approval (PwRunController *self)
{
  return self->approval;
}

static gboolean
unref_idle_cb (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

static void
abandoned_finished_cb (PwExecutor   *executor,
                       const char   *execution_id,
                       const char   *status,
                       GApplication *app)
{
  if (pw_executor_is_busy (executor))
    return;
  g_signal_handlers_disconnect_by_func (executor, abandoned_finished_cb, app);
  if (app != NULL)
    g_application_release (app);
  /* The reference dispose took: dropped in an idle, not inside its own signal. */
  g_idle_add (unref_idle_cb, executor);
}

static void
pw_run_controller_dispose (GObject *object)
{
  PwRunController *self = PW_RUN_CONTROLLER (object);

  g_cancellable_cancel (self->cancellable);
  /* The window's runs end with it (STYLE §18): abandoned, with the reason. */
  if (self->executor != NULL && self->executions != NULL)
    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->executions)); i++)
      {
        g_autoptr(PwExecution) execution = g_list_model_get_item (G_LIST_MODEL (self->executions), i);

        if (!pw_execution_is_finished (execution) && runs_here (self, execution))
          pw_executor_stop (self->executor, pw_execution_get_id (execution), TRUE,
                            _("The Pipewright window running it was closed"), NULL);
      }
  if (self->document != NULL)
    g_signal_handlers_disconnect_by_func (self->document, file_changed_cb, self);
  pw_run_controller_set_execution (self, NULL);
  /* The abandoned runs end on their own (their records written); the
   * application stays until they have. */
  if (self->executor != NULL && pw_executor_is_busy (self->executor))
    {
      GApplication *app = g_application_get_default ();

      if (app != NULL)
        g_application_hold (app);
      g_signal_connect (g_object_ref (self->executor), "finished", G_CALLBACK (abandoned_finished_cb), app);
    }
  drop_executor (self);
  if (self->executions != NULL)
    g_signal_handlers_disconnect_by_func (self->executions, executions_changed_cb, self);
  g_clear_object (&self->executions);
  g_clear_object (&self->approval);
  g_clear_object (&self->document);

  G_OBJECT_CLASS (pw_run_controller_parent_class)->dispose (object);
}

static void
pw_run_controller_finalize (GObject *object)
{
  PwRunController *self = PW_RUN_CONTROLLER (object);

  g_free (self->state_dir);
  g_free (self->pending_id);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->started, g_hash_table_unref);
  g_free (self->profile_path);

  G_OBJECT_CLASS (pw_run_controller_parent_class)->finalize (object);
}

static void
pw_run_controller_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PwRunController *self = PW_RUN_CONTROLLER (object);

  switch (prop_id)
    {
    case PROP_EXECUTIONS: g_value_set_object (value, self->executions); break;
    case PROP_EXECUTION: g_value_set_object (value, self->execution); break;
    case PROP_RUNNING: g_value_set_boolean (value, self->running); break;
    case PROP_APPROVAL: g_value_set_object (value, self->approval); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_run_controller_class_init (PwRunControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pw_run_controller_dispose;
  object_class->finalize = pw_run_controller_finalize;
  object_class->get_property = pw_run_controller_get_property;

  properties [PROP_EXECUTIONS] =
    g_param_spec_object ("executions", NULL, NULL, PW_TYPE_EXECUTION_LIST,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties [PROP_EXECUTION] =
    g_param_spec_object ("execution", NULL, NULL, PW_TYPE_EXECUTION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties [PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties [PROP_APPROVAL] =
    g_param_spec_object ("approval", NULL, NULL, PW_TYPE_ACTION_EXECUTION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Any execution of the file changed (not only the one shown). */
  signals [ACTIVITY] =
    g_signal_new ("activity", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /* An inbound transition was enabled or disabled here. */
  signals [TRANSITIONS_CHANGED] =
    g_signal_new ("transitions-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
pw_run_controller_init (PwRunController *self)
{
  self->cancellable = g_cancellable_new ();
  self->started = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

PwTextDocument *
pw_run_controller_get_document (PwRunController *self)
{
  g_return_val_if_fail (PW_IS_RUN_CONTROLLER (self), NULL);

  return self->document;
}

/* Whether the user started @execution from this window (its end is news). */
gboolean
pw_run_controller_started_here (PwRunController *self,
                                PwExecution     *execution)
{
  g_return_val_if_fail (PW_IS_RUN_CONTROLLER (self), FALSE);

  return execution != NULL && g_hash_table_contains (self->started, pw_execution_get_id (execution));
}

PwRunController *
pw_run_controller_new (PwTextDocument *document)
{
  PwRunController *self = g_object_new (PW_TYPE_RUN_CONTROLLER, NULL);

  self->document = g_object_ref (document);
  g_signal_connect_swapped (document, "notify::file", G_CALLBACK (file_changed_cb), self);
  follow_file (self);
  return self;
}
