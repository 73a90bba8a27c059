/* pw-executor.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-executor"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pw-engine.h"
#include "pw-engine-private.h"

/* The local executor: CodePipeline's scheduling rules
 * (reference/execution-semantics.md) on the GLib main loop. Stages run in
 * order; inside a stage the runOrder groups run in order and the actions of
 * a group in parallel; a stage is locked by one execution at a time
 * (SUPERSEDED, QUEUED) or never (PARALLEL); executions waiting in front of
 * a stage are superseded or queued as the mode says. Every state change is
 * written to the execution's record (atomically) and appended to
 * events.jsonl as an EventBridge-shaped event. */

/* The least time between two writes of a running execution's record: too
 * short for anyone watching `pipewright-cli status` to notice, long enough
 * that a chain of quick actions does not write one each (a write is a new
 * file and a rename, ~0.2 ms). */
#define SAVE_INTERVAL_MS 20

typedef struct _Execution Execution;

typedef struct
{
  Execution    *execution;
  guint         stage;
  guint         action;         /* index in the stage */
  char         *id;             /* action execution id */
  char         *status;
  char         *summary;
  char         *external_id;
  char         *log_path;
  char         *error_code;
  char         *start_time;
  char         *end_time;
  char         *token;
  guint         attempt;
  gboolean      simulated;
  JsonObject   *resolved;
  JsonNode     *report;
  GHashTable   *variables;
  GPtrArray    *outputs;        /* PwJobArtifact-like: name, zip, revision as JsonObject */
  PwActionJob  *job;            /* while running */
  GCancellable *cancellable;
  gboolean      running;
  guint64       serial;         /* the execution's serial at its last event */
} ActionRun;

typedef struct
{
  char     *status;
  char     *start_time;
  char     *end_time;
  guint     attempt;
  /* RetryStageMetadata */
  guint     auto_retries;
  guint     manual_retries;
  gboolean  auto_retry_pending;   /* since the last failure */
  const char *latest_retry_trigger;
} StageRun;

struct _Execution
{
  PwExecutor *executor;
  char       *id;
  char       *status;
  char       *summary;
  char       *trigger_type;
  char       *trigger_detail;
  char       *start_time;
  char       *update_time;
  char       *stop_reason;
  GHashTable *pipeline_variables;   /* name → value */
  GHashTable *source_revisions;     /* action name → revision */
  GHashTable *namespaces;           /* "Namespace.Key" → value */
  GHashTable *artifacts;            /* name → JsonObject {name, path, revision} (latest) */
  StageRun   *stages;
  GPtrArray  *actions;              /* ActionRun*, every attempt */
  ActionRun **latest;               /* per action (see action_slot): its latest attempt */
  int         stage;                /* the stage it is in or waiting for; -1 before start */
  guint       group;                /* index into the stage's run orders */
  gboolean    inside;               /* holds (or, PARALLEL, is in) the stage */
  gboolean    stopping;
  gboolean    abandon;
  gboolean    finished;
  guint       running;
  guint       save_id;
  gint64      next_save;            /* monotonic µs before which no record is written */
  gboolean    recorded;             /* a record was written */
  PwApprovalMode approval_mode;     /* for this execution's manual approvals */
  gint64      pipeline_version;     /* the version it started under */
  int         last_stage;           /* stop after this stage, or -1 */
  int         only_stage;           /* a rollback runs this stage only; -1 otherwise */
  int         success_checked;      /* stage index + 1 whose onSuccess passed */
  char       *execution_type;       /* STANDARD or ROLLBACK */
  char       *rollback_target;
  /* Every value one of its actions knows as a secret: masked in all its
   * logs (which share the set), records and events. */
  PwSecrets  *secrets;
  /* Why it could not go on: its record or events no longer fit. */
  char       *space_error;
  /* Counts its action events: each attempt keeps the count at its last. */
  guint64     serial;
  /* Stage conditions: each evaluation of a condition and of a rule, as
   * ListRuleExecutions and GetPipelineState tell them. */
  JsonArray  *condition_runs;
  JsonArray  *rule_runs;
  /* The conditions being evaluated now, if any (OverrideStageCondition). */
  struct _Conditions *evaluating;
};

struct _PwExecutor
{
  GObject          parent_instance;

  PwPipeline      *pipeline;
  PwLocalProfile  *profile;
  char            *pipeline_path;
  char            *pipeline_dir;
  char            *state_dir;
  char            *mode;
  GHashTable      *executions;      /* id → Execution* */
  Execution      **holders;         /* per stage: the execution holding its lock */
  GQueue         **waiting;         /* per stage: executions waiting to enter */
  gboolean        *disabled;        /* per stage: inbound transition disabled */
  char           **disabled_reason;
  GFileMonitor    *control_monitor;
  /* pw_executor_stop_serving() was called: requests stay for whoever
   * runs the state folder next. */
  gboolean         leaving;
  PwApprovalMode   approval_mode;
  int              last_stage;
  gboolean         working_tree;    /* git sources read the working tree */
  guint            n_stages;
  guint           *action_offsets;  /* per stage: its first action's index in Execution.latest */
  GArray         **orders;          /* per stage: its runOrder values, ascending */
  GPtrArray      **groups;          /* per stage: per group, its action indexes (GArray of guint) */
  GHashTable      *top_folders;     /* made by make_top_folder */
  GThread         *prune_thread;    /* removing old work folders */
  int              lock_fd;         /* runner.lock, held while we live */
  char            *pipeline_hash;   /* SHA-256 of the declaration */
  gint64           version;         /* the pipeline's version in this state folder */
  int              events_fd;
  /* pipewright-net delivering events to the profile's targets: it
   * follows events.jsonl, and ends when its stdin (ours) closes. */
  GSubprocess     *deliverer;
  gboolean         deliverer_tried;
  /* Space kept free for the records that end executions (see
   * lack_of_space). */
  char            *reserve_path;
};

enum {
  EVENT,
  FINISHED,
  LOG_LINE,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (PwExecutor, pw_executor, G_TYPE_OBJECT)

static guint signals [N_SIGNALS];

static void advance (Execution *execution);
static char *safe_name (const char *name);
static void run_group (Execution *execution);
static void check_stage (Execution *execution);

/* Helpers ------------------------------------------------------------------ */

static guint
n_groups (PwExecutor *self,
          guint       stage)
{
  return self->orders[stage]->len;
}

/* The action indexes of group @group (in runOrder order) of @stage. */
static GArray *
group_members (PwExecutor *self,
               guint       stage,
               guint       group)
{
  return g_ptr_array_index (self->groups[stage], group);
}

static char *
now_iso (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

static void
set_str (char       **field,
         const char  *value)
{
  char *copy = g_strdup (value);

  g_free (*field);
  *field = copy;
}

static PwStage *
stage_at (PwExecutor *self,
          guint       index)
{
  return pw_pipeline_get_stage (self->pipeline, index);
}

static const char *
stage_name (PwExecutor *self,
            guint       index)
{
  const char *name = pw_stage_get_name (stage_at (self, index));

  return name != NULL ? name : "(unnamed)";
}

static void
action_run_free (gpointer data)
{
  ActionRun *run = data;

  g_free (run->id);
  g_free (run->status);
  g_free (run->summary);
  g_free (run->external_id);
  g_free (run->log_path);
  g_free (run->error_code);
  g_free (run->start_time);
  g_free (run->end_time);
  g_free (run->token);
  g_clear_pointer (&run->resolved, json_object_unref);
  g_clear_pointer (&run->report, json_node_unref);
  g_clear_pointer (&run->variables, g_hash_table_unref);
  g_clear_pointer (&run->outputs, g_ptr_array_unref);
  g_clear_object (&run->job);
  g_clear_object (&run->cancellable);
  g_free (run);
}

static void
execution_free (gpointer data)
{
  Execution *execution = data;

  g_clear_handle_id (&execution->save_id, g_source_remove);
  g_clear_pointer (&execution->secrets, _pw_secrets_unref);
  g_free (execution->space_error);
  g_free (execution->execution_type);
  g_free (execution->rollback_target);
  g_free (execution->id);
  g_free (execution->status);
  g_free (execution->summary);
  g_free (execution->trigger_type);
  g_free (execution->trigger_detail);
  g_free (execution->start_time);
  g_free (execution->update_time);
  g_free (execution->stop_reason);
  g_clear_pointer (&execution->pipeline_variables, g_hash_table_unref);
  g_clear_pointer (&execution->source_revisions, g_hash_table_unref);
  g_clear_pointer (&execution->namespaces, g_hash_table_unref);
  g_clear_pointer (&execution->artifacts, g_hash_table_unref);
  if (execution->stages != NULL)
    {
      for (guint i = 0; i < execution->executor->n_stages; i++)
        {
          g_free (execution->stages[i].status);
          g_free (execution->stages[i].start_time);
          g_free (execution->stages[i].end_time);
        }
      g_free (execution->stages);
    }
  g_clear_pointer (&execution->actions, g_ptr_array_unref);
  g_clear_pointer (&execution->condition_runs, json_array_unref);
  g_clear_pointer (&execution->rule_runs, json_array_unref);
  g_free (execution->latest);
  g_free (execution);
}

/* Records and events ------------------------------------------------------- */

/* A copy of @node down to its values (json_node_copy shares containers). */
static JsonNode *
copy_deep (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *copy = json_object_new ();
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;
      JsonNode *result;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &member))
        json_object_set_member (copy, name, copy_deep (member));
      result = json_node_init_object (json_node_alloc (), copy);
      json_object_unref (copy);
      return result;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *source = json_node_get_array (node);
      JsonArray *copy = json_array_sized_new (json_array_get_length (source));
      JsonNode *result;

      for (guint i = 0; i < json_array_get_length (source); i++)
        json_array_add_element (copy, copy_deep (json_array_get_element (source, i)));
      result = json_node_init_array (json_node_alloc (), copy);
      json_array_unref (copy);
      return result;
    }
  return json_node_copy (node);
}

static JsonNode *
copy_array (JsonArray *array)
{
  g_autoptr(JsonNode) shared = json_node_init_array (json_node_alloc (), array);

  return copy_deep (shared);
}


/* The record, with the attempts whose last event came after @since (all
 * for 0) and those still running (their summary, token or log may have
 * moved without an event). */
static JsonNode *
execution_to_json_since (Execution *execution,
                         guint64    since)
{
  PwExecutor *self = execution->executor;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  GHashTableIter iter;
  gpointer key, value;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pipelineExecutionId");
  json_builder_add_string_value (b, execution->id);
  json_builder_set_member_name (b, "pipelineName");
  json_builder_add_string_value (b, pw_pipeline_get_name (self->pipeline));
  json_builder_set_member_name (b, "pipelineVersion");
  json_builder_add_int_value (b, execution->pipeline_version);
  json_builder_set_member_name (b, "pipelineFile");
  json_builder_add_string_value (b, self->pipeline_path);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, execution->status);
  if (execution->summary != NULL)
    {
      json_builder_set_member_name (b, "statusSummary");
      json_builder_add_string_value (b, execution->summary);
    }
  json_builder_set_member_name (b, "executionMode");
  json_builder_add_string_value (b, self->mode);
  json_builder_set_member_name (b, "executionType");
  json_builder_add_string_value (b, execution->execution_type != NULL ? execution->execution_type : "STANDARD");
  if (execution->rollback_target != NULL)
    {
      json_builder_set_member_name (b, "rollbackMetadata");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "rollbackTargetPipelineExecutionId");
      json_builder_add_string_value (b, execution->rollback_target);
      json_builder_end_object (b);
    }
  json_builder_set_member_name (b, "trigger");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "triggerType");
  json_builder_add_string_value (b, execution->trigger_type);
  json_builder_set_member_name (b, "triggerDetail");
  json_builder_add_string_value (b, execution->trigger_detail);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "startTime");
  json_builder_add_string_value (b, execution->start_time);
  json_builder_set_member_name (b, "lastUpdateTime");
  json_builder_add_string_value (b, execution->update_time);
  if (execution->stop_reason != NULL)
    {
      json_builder_set_member_name (b, "stopTrigger");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, execution->stop_reason);
      json_builder_end_object (b);
    }
  json_builder_set_member_name (b, "runner");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pid");
  json_builder_add_int_value (b, getpid ());
  json_builder_end_object (b);

  json_builder_set_member_name (b, "variables");
  json_builder_begin_array (b);
  g_hash_table_iter_init (&iter, execution->pipeline_variables);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, key);
      json_builder_set_member_name (b, "resolvedValue");
      json_builder_add_string_value (b, value);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "artifactRevisions");
  json_builder_begin_array (b);
  g_hash_table_iter_init (&iter, execution->source_revisions);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "actionName");
      json_builder_add_string_value (b, key);
      json_builder_set_member_name (b, "revisionId");
      json_builder_add_string_value (b, value);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "stages");
  json_builder_begin_array (b);
  for (guint s = 0; s < self->n_stages; s++)
    {
      StageRun *st = &execution->stages[s];

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "stageName");
      json_builder_add_string_value (b, stage_name (self, s));
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, st->status != NULL ? st->status : "NotStarted");
      if (st->start_time != NULL)
        {
          json_builder_set_member_name (b, "startTime");
          json_builder_add_string_value (b, st->start_time);
        }
      if (st->end_time != NULL)
        {
          json_builder_set_member_name (b, "endTime");
          json_builder_add_string_value (b, st->end_time);
        }
      json_builder_set_member_name (b, "attempt");
      json_builder_add_int_value (b, st->attempt);
      if (st->latest_retry_trigger != NULL)
        {
          json_builder_set_member_name (b, "retryStageMetadata");
          json_builder_begin_object (b);
          if (st->auto_retries > 0)
            {
              json_builder_set_member_name (b, "autoStageRetryAttempt");
              json_builder_add_int_value (b, st->auto_retries);
            }
          if (st->manual_retries > 0)
            {
              json_builder_set_member_name (b, "manualStageRetryAttempt");
              json_builder_add_int_value (b, st->manual_retries);
            }
          json_builder_set_member_name (b, "latestRetryTrigger");
          json_builder_add_string_value (b, st->latest_retry_trigger);
          json_builder_end_object (b);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  /* Copies: a record handed out must not change with the execution. */
  json_builder_set_member_name (b, "conditionExecutions");
  json_builder_add_value (b, copy_array (execution->condition_runs));
  json_builder_set_member_name (b, "ruleExecutions");
  json_builder_add_value (b, copy_array (execution->rule_runs));

  json_builder_set_member_name (b, "actions");
  json_builder_begin_array (b);
  for (guint i = 0; i < execution->actions->len; i++)
    {
      ActionRun *run = g_ptr_array_index (execution->actions, i);
      PwAction *action;

      if (since > 0 && run->serial <= since && !run->running &&
          g_strcmp0 (run->status, "InProgress") != 0)
        continue;
      action = pw_stage_get_action (stage_at (self, run->stage), run->action);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "stageName");
      json_builder_add_string_value (b, stage_name (self, run->stage));
      json_builder_set_member_name (b, "actionName");
      json_builder_add_string_value (b, pw_action_get_name (action));
      json_builder_set_member_name (b, "actionExecutionId");
      json_builder_add_string_value (b, run->id);
      json_builder_set_member_name (b, "attempt");
      json_builder_add_int_value (b, run->attempt);
      json_builder_set_member_name (b, "runOrder");
      json_builder_add_int_value (b, pw_action_get_run_order (action));
      json_builder_set_member_name (b, "actionTypeId");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "category");
      json_builder_add_string_value (b, pw_action_get_category (action));
      json_builder_set_member_name (b, "owner");
      json_builder_add_string_value (b, pw_action_get_owner (action));
      json_builder_set_member_name (b, "provider");
      json_builder_add_string_value (b, pw_action_get_provider (action));
      json_builder_set_member_name (b, "version");
      json_builder_add_string_value (b, pw_action_get_version (action));
      json_builder_end_object (b);
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, run->status);
      json_builder_set_member_name (b, "startTime");
      json_builder_add_string_value (b, run->start_time);
      json_builder_set_member_name (b, "lastUpdateTime");
      json_builder_add_string_value (b, run->end_time != NULL ? run->end_time : run->start_time);
      if (run->summary != NULL)
        {
          json_builder_set_member_name (b, "summary");
          json_builder_add_string_value (b, run->summary);
        }
      if (run->external_id != NULL)
        {
          json_builder_set_member_name (b, "externalExecutionId");
          json_builder_add_string_value (b, run->external_id);
        }
      if (run->error_code != NULL)
        {
          json_builder_set_member_name (b, "errorCode");
          json_builder_add_string_value (b, run->error_code);
        }
      if (run->token != NULL)
        {
          json_builder_set_member_name (b, "token");
          json_builder_add_string_value (b, run->token);
        }
      json_builder_set_member_name (b, "simulated");
      json_builder_add_boolean_value (b, run->simulated);
      if (run->log_path != NULL)
        {
          json_builder_set_member_name (b, "logPath");
          json_builder_add_string_value (b, run->log_path);
        }
      if (run->resolved != NULL)
        {
          JsonNode *copy = json_node_init_object (json_node_alloc (), run->resolved);

          json_builder_set_member_name (b, "resolvedConfiguration");
          json_builder_add_value (b, copy);
        }
      json_builder_set_member_name (b, "outputVariables");
      json_builder_begin_object (b);
      if (run->variables != NULL)
        {
          g_hash_table_iter_init (&iter, run->variables);
          while (g_hash_table_iter_next (&iter, &key, &value))
            {
              json_builder_set_member_name (b, key);
              json_builder_add_string_value (b, value);
            }
        }
      json_builder_end_object (b);
      json_builder_set_member_name (b, "outputArtifacts");
      json_builder_begin_array (b);
      for (guint o = 0; run->outputs != NULL && o < run->outputs->len; o++)
        json_builder_add_value (b, json_node_ref (g_ptr_array_index (run->outputs, o)));
      json_builder_end_array (b);
      if (run->report != NULL)
        {
          json_builder_set_member_name (b, "report");
          json_builder_add_value (b, json_node_ref (run->report));
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static JsonNode *
execution_to_json (Execution *execution)
{
  return execution_to_json_since (execution, 0);
}

/* A full disk (or a file size limit) stops what writes the state. */
#define RESERVE_BYTES (256 * 1024)

static gboolean
is_lack_of_space (const GError *error)
{
  if (error == NULL)
    return FALSE;

  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE) ||
         strstr (error->message, g_strerror (ENOSPC)) != NULL ||
         strstr (error->message, g_strerror (EFBIG)) != NULL ||
         strstr (error->message, g_strerror (EDQUOT)) != NULL;
}

/* The reserve goes at the first lack of space: the record that says why
 * the execution failed fits in what it frees. */
static gboolean
free_reserve (PwExecutor *self)
{
  if (self->reserve_path == NULL)
    return FALSE;

  g_unlink (self->reserve_path);
  g_clear_pointer (&self->reserve_path, g_free);
  return TRUE;
}

static void lack_of_space (Execution    *execution,
                           const char   *what,
                           const GError *error);

static void
write_record (Execution *execution,
              gboolean   durable)
{
  g_autofree char *path = _pw_state_execution_path (execution->executor->state_dir, execution->id);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started = g_get_monotonic_time ();
  gint64 ended;

  g_clear_handle_id (&execution->save_id, g_source_remove);
  {
    g_autoptr(JsonNode) unmasked = execution_to_json (execution);

    node = _pw_secrets_mask_node (execution->secrets, unmasked);
  }
  if (!_pw_state_write_json_full (path, node, durable, &error))
    {
      if (is_lack_of_space (error) && free_reserve (execution->executor))
        {
          g_clear_error (&error);
          _pw_state_write_json_full (path, node, durable, &error);
        }
      if (error != NULL)
        g_warning ("Could not save execution %s: %s", execution->id, error->message);
      if (is_lack_of_space (error))
        lack_of_space (execution, "its record", error);
    }

  /* The record is written whole, so its cost grows with the actions run,
   * and a write per main-loop turn made a run quadratic (10x10 `true`
   * actions: 66 writes of up to 88 KB, ~1 ms each, on the main loop; 30
   * now). The next write waits nine times as long as this one took, so
   * records never take more than a tenth of the main loop, and at least
   * SAVE_INTERVAL_MS. */
  ended = g_get_monotonic_time ();
  execution->next_save = ended + MAX (9 * (ended - started), SAVE_INTERVAL_MS * 1000);
}

static gboolean
save_cb (gpointer data)
{
  Execution *execution = data;

  execution->save_id = 0;
  write_record (execution, FALSE);
  return G_SOURCE_REMOVE;
}

/* Records the execution's state. The many changes of one main-loop turn
 * (an action ends, its stage ends, the next one starts…) are written once,
 * right after, or when write_record allows; the record that ends an
 * execution is written at once and synced to disk. Before this, fsyncing
 * every change cost ~45 ms between two actions. */
static void
save (Execution *execution)
{
  gint64 now;

  g_free (execution->update_time);
  execution->update_time = now_iso ();

  /* The first record at once: a run killed a moment after it started
   * still leaves its execution in the history. */
  if (execution->finished || !execution->recorded)
    {
      execution->recorded = TRUE;
      write_record (execution, execution->finished);
      return;
    }

  if (execution->save_id != 0)
    return;

  now = g_get_monotonic_time ();
  if (now >= execution->next_save)
    execution->save_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, save_cb, execution, NULL);
  else
    execution->save_id = g_timeout_add_full (G_PRIORITY_HIGH_IDLE,
                                             (execution->next_save - now + 999) / 1000,
                                             save_cb, execution, NULL);
}

/* An artifact as events name it: {name, s3location {bucket, key}}, the
 * bucket being the pipeline's artifact store and the key the zip's place
 * in the local store; `path` adds where the zip is on this machine. */
static void
add_artifact_to_event (JsonBuilder *b,
                       PwExecutor  *self,
                       JsonNode    *artifact)
{
  JsonObject *o = json_node_get_object (artifact);
  const char *path = json_object_get_string_member_with_default (o, "path", "");
  JsonNode *store = pw_element_get_member (PW_ELEMENT (self->pipeline), "artifactStore");
  const char *bucket = store != NULL && JSON_NODE_HOLDS_OBJECT (store)
    ? json_object_get_string_member_with_default (json_node_get_object (store), "location", NULL)
    : NULL;
  gsize prefix = strlen (self->state_dir);
  const char *key = g_str_has_prefix (path, self->state_dir) && path[prefix] == '/'
    ? path + prefix + 1 : path;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, json_object_get_string_member_with_default (o, "name", ""));
  json_builder_set_member_name (b, "s3location");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "bucket");
  json_builder_add_string_value (b, bucket != NULL ? bucket : "local");
  json_builder_set_member_name (b, "key");
  json_builder_add_string_value (b, key);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, path);
  json_builder_end_object (b);
}

/* The profile's event targets get what events.jsonl gets, from now on,
 * by pipewright-net (it alone speaks HTTP): in a process of its own, a
 * slow or dead target never holds a run up. It ends once its stdin, which
 * only we hold, closes (when we end, however we end) and what it has is
 * delivered or given up; its failures go to the execution's log folder. */
static void
start_deliverer (PwExecutor *self)
{
  g_auto(GStrv) targets = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *helper = NULL;
  g_autofree char *events = NULL;
  g_autofree char *logs = NULL;
  g_autofree char *offset = NULL;
  const char *profile;
  off_t end;

  if (self->deliverer_tried)
    return;
  self->deliverer_tried = TRUE;
  targets = pw_local_profile_dup_names (self->profile, "targets");
  profile = pw_local_profile_get_path (self->profile);
  if (targets == NULL || targets[0] == NULL || profile == NULL)
    return;

  end = lseek (self->events_fd, 0, SEEK_END);
  helper = _pw_engine_net_helper ();
  events = g_build_filename (self->state_dir, "events.jsonl", NULL);
  logs = g_build_filename (self->state_dir, "logs", NULL);
  offset = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64)MAX (end, 0));
  self->deliverer = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                      G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                                      helper, "deliver-events", "--profile", profile, "--events", events,
                                      "--from", offset, "--logs", logs, NULL);
  if (self->deliverer == NULL)
    g_message ("Events go to no target: %s cannot run: %s", helper, error->message);
}

static void
emit_event (Execution  *execution,
            const char *detail_type,
            const char *state,
            int         stage,
            ActionRun  *run)
{
  PwExecutor *self = execution->executor;
  const char *region = pw_local_profile_get_region (self->profile);
  const char *account = pw_local_profile_get_account (self->profile);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *time = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *arn = g_strdup_printf ("arn:aws:codepipeline:%s:%s:%s", region, account,
                                          pw_pipeline_get_name (self->pipeline));
  g_autofree char *line = NULL;

  if (run != NULL)
    run->serial = ++execution->serial;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, "0");
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, uuid);
  json_builder_set_member_name (b, "detail-type");
  json_builder_add_string_value (b, detail_type);
  json_builder_set_member_name (b, "source");
  json_builder_add_string_value (b, "aws.codepipeline");
  json_builder_set_member_name (b, "account");
  json_builder_add_string_value (b, account);
  json_builder_set_member_name (b, "time");
  json_builder_add_string_value (b, time);
  json_builder_set_member_name (b, "region");
  json_builder_add_string_value (b, region);
  json_builder_set_member_name (b, "resources");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, arn);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "detail");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pipeline");
  json_builder_add_string_value (b, pw_pipeline_get_name (self->pipeline));
  json_builder_set_member_name (b, "execution-id");
  json_builder_add_string_value (b, execution->id);
  if (stage >= 0)
    {
      json_builder_set_member_name (b, "stage");
      json_builder_add_string_value (b, stage_name (self, stage));
    }
  if (run != NULL)
    {
      PwAction *action = pw_stage_get_action (stage_at (self, run->stage), run->action);
      const char *action_region = pw_action_get_region (action);

      json_builder_set_member_name (b, "action");
      json_builder_add_string_value (b, pw_action_get_name (action));
      json_builder_set_member_name (b, "region");
      json_builder_add_string_value (b, action_region != NULL ? action_region : region);
      json_builder_set_member_name (b, "type");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "owner");
      json_builder_add_string_value (b, pw_action_get_owner (action));
      json_builder_set_member_name (b, "category");
      json_builder_add_string_value (b, pw_action_get_category (action));
      json_builder_set_member_name (b, "provider");
      json_builder_add_string_value (b, pw_action_get_provider (action));
      json_builder_set_member_name (b, "version");
      json_builder_add_string_value (b, pw_action_get_version (action));
      json_builder_end_object (b);

      if (g_str_equal (state, "SUCCEEDED") || g_str_equal (state, "FAILED"))
        {
          json_builder_set_member_name (b, "execution-result");
          json_builder_begin_object (b);
          if (run->external_id != NULL)
            {
              json_builder_set_member_name (b, "external-execution-id");
              json_builder_add_string_value (b, run->external_id);
            }
          json_builder_set_member_name (b, "external-execution-summary");
          json_builder_add_string_value (b, run->summary != NULL ? run->summary : "");
          if (run->error_code != NULL)
            {
              json_builder_set_member_name (b, "error-code");
              json_builder_add_string_value (b, run->error_code);
            }
          json_builder_end_object (b);
        }
      if (g_str_equal (state, "STARTED"))
        {
          g_auto(GStrv) inputs = pw_action_dup_input_artifacts (action);

          if (inputs != NULL && inputs[0] != NULL)
            {
              json_builder_set_member_name (b, "input-artifacts");
              json_builder_begin_array (b);
              for (guint i = 0; inputs[i] != NULL; i++)
                {
                  JsonNode *artifact = g_hash_table_lookup (execution->artifacts, inputs[i]);

                  if (artifact != NULL)
                    add_artifact_to_event (b, self, artifact);
                }
              json_builder_end_array (b);
            }
        }
      if (g_str_equal (state, "SUCCEEDED") && run->outputs != NULL)
        {
          json_builder_set_member_name (b, "output-artifacts");
          json_builder_begin_array (b);
          for (guint o = 0; o < run->outputs->len; o++)
            add_artifact_to_event (b, self, g_ptr_array_index (run->outputs, o));
          json_builder_end_array (b);
        }
      if (run->simulated)
        {
          json_builder_set_member_name (b, "simulated");
          json_builder_add_boolean_value (b, TRUE);
        }
    }
  if (stage < 0 && g_str_equal (state, "STARTED"))
    {
      json_builder_set_member_name (b, "execution-trigger");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "trigger-type");
      json_builder_add_string_value (b, execution->trigger_type);
      json_builder_set_member_name (b, "trigger-detail");
      json_builder_add_string_value (b, execution->trigger_detail);
      json_builder_end_object (b);
    }
  if (stage < 0 && g_str_equal (state, "STOPPING") && execution->stop_reason != NULL)
    {
      json_builder_set_member_name (b, "stop-execution-comments");
      json_builder_add_string_value (b, execution->stop_reason);
    }
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, state);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, execution->pipeline_version);
  json_builder_end_object (b);
  json_builder_end_object (b);

  {
    g_autoptr(JsonNode) unmasked = json_builder_get_root (b);

    node = _pw_secrets_mask_node (execution->secrets, unmasked);
  }

  /* One write per event, whole or not at all: a killed run or a full
   * disk leaves whole lines only. */
  if (self->events_fd >= 0)
    {
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;

      start_deliverer (self);
      json_generator_set_root (gen, node);
      text = json_generator_to_data (gen, NULL);
      line = g_strconcat (text, "\n", NULL);
      if (!_pw_state_append_line (self->events_fd, line, strlen (line), &error))
        {
          g_warning ("Could not append to events.jsonl: %s", error->message);
          if (is_lack_of_space (error))
            {
              free_reserve (self);
              lack_of_space (execution, "events.jsonl", error);
            }
        }
    }

  g_signal_emit (self, signals [EVENT], 0, node);
}

/* Variables ---------------------------------------------------------------- */

/* Replaces every #{Namespace.Key} in @text. On an unknown reference returns
 * NULL and says which in @error, as the service fails the action. */
static char *
resolve_text (Execution   *execution,
              const char  *text,
              GError     **error)
{
  GString *out = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      const char *start = strstr (p, "#{");
      const char *end;
      g_autofree char *ref = NULL;
      const char *value = NULL;
      const char *dot;

      if (start == NULL)
        {
          g_string_append (out, p);
          break;
        }

      g_string_append_len (out, p, start - p);
      end = strchr (start + 2, '}');
      if (end == NULL)
        {
          g_string_append (out, start);
          break;
        }

      ref = g_strndup (start + 2, end - (start + 2));
      dot = strchr (ref, '.');

      if (dot != NULL && g_str_equal (ref, "codepipeline.PipelineExecutionId"))
        value = execution->id;
      else if (dot != NULL && g_str_has_prefix (ref, "variables."))
        value = g_hash_table_lookup (execution->pipeline_variables, dot + 1);
      else if (dot != NULL)
        value = g_hash_table_lookup (execution->namespaces, ref);

      if (value == NULL)
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                       "Unresolved variable #{%s}: %s", ref,
                       dot == NULL ? "a reference is #{Namespace.Key}"
                       : g_str_has_prefix (ref, "variables.") ? "no such pipeline variable"
                       : "no action that ran before this one produced it (check the namespace "
                         "and that the producer runs in an earlier stage or runOrder)");
          g_string_free (out, TRUE);
          return NULL;
        }

      g_string_append (out, value);
      p = end + 1;
    }

  return g_string_free (out, FALSE);
}

static JsonObject *
resolve_configuration (Execution  *execution,
                       PwAction   *action,
                       GError    **error)
{
  JsonObject *config = pw_action_get_configuration (action);
  JsonObject *resolved = json_object_new ();
  JsonNode *commands, *env;

  if (config != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init_ordered (&iter, config);
      while (json_object_iter_next_ordered (&iter, &name, &member))
        {
          g_autofree char *value = NULL;

          if (json_node_get_value_type (member) != G_TYPE_STRING)
            {
              json_object_set_member (resolved, name, json_node_copy (member));
              continue;
            }

          value = resolve_text (execution, json_node_get_string (member), error);
          if (value == NULL)
            {
              json_object_unref (resolved);
              return NULL;
            }
          json_object_set_string_member (resolved, name, value);
        }
    }

  /* The Commands action's lines may hold variables too; the provider reads
   * them resolved from here. */
  commands = pw_element_get_member (PW_ELEMENT (action), "commands");
  if (commands != NULL && JSON_NODE_HOLDS_ARRAY (commands))
    {
      JsonArray *array = json_node_get_array (commands);
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) list = NULL;
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      g_autofree char *text = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *item = json_array_get_element (array, i);
          g_autofree char *value = NULL;

          if (json_node_get_value_type (item) != G_TYPE_STRING)
            continue;
          value = resolve_text (execution, json_node_get_string (item), error);
          if (value == NULL)
            {
              json_object_unref (resolved);
              return NULL;
            }
          json_builder_add_string_value (b, value);
        }
      json_builder_end_array (b);
      list = json_builder_get_root (b);
      json_generator_set_root (gen, list);
      text = json_generator_to_data (gen, NULL);
      json_object_set_string_member (resolved, "__commands", text);
    }

  /* So may its environment variables' values (a secret's name too). */
  env = pw_element_get_member (PW_ELEMENT (action), "environmentVariables");
  if (env != NULL && JSON_NODE_HOLDS_ARRAY (env))
    {
      JsonArray *array = json_node_get_array (env);
      g_autoptr(JsonNode) copy = json_node_copy (env);
      JsonArray *out = json_node_get_array (copy);
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      g_autofree char *text = NULL;

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *item = json_array_get_element (out, i);
          JsonObject *object;
          g_autofree char *value = NULL;

          if (!JSON_NODE_HOLDS_OBJECT (item))
            continue;
          object = json_node_get_object (item);
          if (json_object_get_string_member_with_default (object, "value", NULL) == NULL)
            continue;
          value = resolve_text (execution, json_object_get_string_member (object, "value"), error);
          if (value == NULL)
            {
              json_object_unref (resolved);
              return NULL;
            }
          json_object_set_string_member (object, "value", value);
        }
      json_generator_set_root (gen, copy);
      text = json_generator_to_data (gen, NULL);
      json_object_set_string_member (resolved, "__environmentVariables", text);
    }

  return resolved;
}

/* Stage locks and transitions ---------------------------------------------- */

static gboolean
uses_locks (PwExecutor *self)
{
  return !g_str_equal (self->mode, "PARALLEL");
}

static void
finish (Execution  *execution,
        const char *status,
        const char *summary)
{
  const char *state;

  if (execution->finished)
    return;

  /* Stopped because its state no longer fit on the disk: it failed. */
  if (execution->space_error != NULL && !g_str_equal (status, "Succeeded"))
    {
      status = "Failed";
      summary = execution->space_error;
    }

  execution->finished = TRUE;
  set_str (&execution->status, status);
  if (summary != NULL)
    set_str (&execution->summary, summary);
  save (execution);

  state = g_str_equal (status, "Succeeded") ? "SUCCEEDED"
        : g_str_equal (status, "Stopped") ? "STOPPED"
        : g_str_equal (status, "Superseded") ? "SUPERSEDED"
        : g_str_equal (status, "Cancelled") ? "CANCELED"
        : "FAILED";
  emit_event (execution, "CodePipeline Pipeline Execution State Change", state, -1, NULL);
  g_signal_emit (execution->executor, signals [FINISHED], 0, execution->id, status);
}

static void enter_stage (Execution *execution, guint stage);

static void
release_stage (PwExecutor *self,
               guint       stage,
               Execution  *execution)
{
  Execution *next;

  if (!uses_locks (self) || self->holders[stage] != execution)
    return;

  self->holders[stage] = NULL;

  if (self->disabled[stage])
    return;

  next = g_queue_pop_head (self->waiting[stage]);
  if (next != NULL)
    enter_stage (next, stage);
}

static void
wait_in_front (Execution *execution,
               guint      stage)
{
  PwExecutor *self = execution->executor;
  GQueue *queue = self->waiting[stage];

  execution->stage = stage;
  execution->inside = FALSE;

  /* SUPERSEDED: only the newest waits; the one it replaces is done. */
  if (g_str_equal (self->mode, "SUPERSEDED"))
    {
      Execution *older;

      while ((older = g_queue_pop_head (queue)) != NULL)
        {
          g_autofree char *summary =
            g_strdup_printf ("Superseded by execution %s while waiting to enter stage %s",
                             execution->id, stage_name (self, stage));
          finish (older, "Superseded", summary);
        }
    }

  g_queue_push_tail (queue, execution);
  save (execution);
}

/* Stage conditions ------------------------------------------------------------ */

/* One field of an AWS cron expression ("0 9-17 ? * MON-FRI *"): `*`, `?`,
 * numbers, names, ranges, lists and `/` steps. */
static gboolean
cron_field_matches (const char  *field,
                    int          value,
                    int          low,
                    int          high,
                    const char **names)
{
  g_auto(GStrv) parts = g_strsplit (field, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *part = parts[i];
      char *slash = strchr (part, '/');
      int step = 1, from = low, to = high;

      if (slash != NULL)
        {
          *slash = '\0';
          step = MAX (1, atoi (slash + 1));
        }

      if (g_str_equal (part, "*") || g_str_equal (part, "?"))
        ;
      else
        {
          char *dash = strchr (part, '-');
          char *ends[2] = { part, dash != NULL ? dash + 1 : NULL };
          int vals[2];

          if (dash != NULL)
            *dash = '\0';
          for (guint k = 0; k < 2; k++)
            {
              if (ends[k] == NULL)
                {
                  vals[k] = slash != NULL ? high : vals[0];
                  continue;
                }
              vals[k] = -1;
              for (guint n = 0; names != NULL && names[n] != NULL; n++)
                if (g_ascii_strcasecmp (ends[k], names[n]) == 0)
                  vals[k] = low + n;
              if (vals[k] < 0)
                vals[k] = atoi (ends[k]);
            }
          from = vals[0];
          to = vals[1];
        }

      for (int v = from; v <= to; v += step)
        if (v == value)
          return TRUE;
    }

  return FALSE;
}

static int
days_in_month (GDateTime *now)
{
  return g_date_get_days_in_month (g_date_time_get_month (now), g_date_time_get_year (now));
}

/* Day-of-month specials of AWS (Quartz) cron: L (last day), L-n, nW
 * (the weekday nearest day n, within the month), LW. */
static gboolean
dom_special_matches (const char *part,
                     GDateTime  *now,
                     gboolean   *matched)
{
  int day = g_date_time_get_day_of_month (now);
  int last = days_in_month (now);
  int dow = g_date_time_get_day_of_week (now);   /* 1 Monday … 7 Sunday */

  if (g_str_equal (part, "L"))
    *matched = day == last;
  else if (g_str_has_prefix (part, "L-"))
    *matched = day == last - atoi (part + 2);
  else if (g_str_equal (part, "LW"))
    {
      int target = last;
      int target_dow = (dow - 1 + (target - day)) % 7 + 1;

      if (target_dow == 6)
        target -= 1;
      else if (target_dow == 7)
        target -= 2;
      *matched = day == target;
    }
  else if (g_str_has_suffix (part, "W"))
    {
      int target = atoi (part);
      int target_dow = ((dow - 1 + (target - day)) % 7 + 7) % 7 + 1;

      if (target_dow == 6)
        target = target == 1 ? 3 : target - 1;
      else if (target_dow == 7)
        target = target == last ? target - 2 : target + 1;
      *matched = day == target;
    }
  else
    return FALSE;

  return TRUE;
}

/* Day-of-week specials (1 = SUN … 7 = SAT): L alone (Saturday), nL (the
 * month's last such day), n#k (its k-th). */
static gboolean
dow_special_matches (const char  *part,
                     int          today,
                     GDateTime   *now,
                     const char **names,
                     gboolean    *matched)
{
  const char *mark = strpbrk (part, "L#");
  g_autofree char *day_text = NULL;
  int day = -1;
  int dom = g_date_time_get_day_of_month (now);

  if (mark == NULL)
    return FALSE;
  if (g_str_equal (part, "L"))
    {
      *matched = today == 7;
      return TRUE;
    }

  day_text = g_strndup (part, mark - part);
  for (guint n = 0; names[n] != NULL; n++)
    if (g_ascii_strcasecmp (day_text, names[n]) == 0)
      day = (int)n + 1;
  if (day < 0)
    day = atoi (day_text);

  if (*mark == 'L')
    *matched = today == day && dom + 7 > days_in_month (now);
  else
    *matched = today == day && (dom - 1) / 7 + 1 == atoi (mark + 1);

  return TRUE;
}

/* A field of day-of-month or day-of-week, with its specials. */
static gboolean
day_field_matches (const char  *field,
                   gboolean     dom,
                   int          value,
                   GDateTime   *now,
                   const char **names)
{
  g_auto(GStrv) parts = g_strsplit (field, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      gboolean matched = FALSE;
      gboolean special = dom ? dom_special_matches (parts[i], now, &matched)
                             : dow_special_matches (parts[i], value, now, names, &matched);

      if (special ? matched
                  : cron_field_matches (parts[i], value, 1, dom ? 31 : 7, dom ? NULL : names))
        return TRUE;
    }

  return FALSE;
}

/* Whether now (in @zone) is inside the window of @cron, an AWS cron
 * expression as the DeploymentWindow rule reads it: seconds (only `*`
 * means anything), minutes, hours, day-of-month, month, day-of-week
 * (1-7 or SUN-SAT), and an optional year. */
static gboolean
cron_matches_now (const char  *cron,
                  const char  *zone,
                  GError     **error)
{
  static const char *months[] = { "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP",
                                  "OCT", "NOV", "DEC", NULL };
  static const char *days[] = { "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", NULL };
  g_autofree char *text = g_strstrip (g_strdup (cron != NULL ? cron : ""));
  g_auto(GStrv) f = g_strsplit_set (text, " \t", -1);
  g_autoptr(GTimeZone) tz = zone != NULL ? g_time_zone_new_identifier (zone) : g_time_zone_new_utc ();
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GPtrArray) fields = g_ptr_array_new ();

  for (guint i = 0; f[i] != NULL; i++)
    if (f[i][0] != '\0')
      g_ptr_array_add (fields, f[i]);

  if (fields->len != 6 && fields->len != 7)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   "Cron '%s' has %u fields; AWS reads 6 or 7: seconds minutes hours "
                   "day-of-month month day-of-week [year], e.g. '* * 9-17 ? * MON-FRI *'",
                   text, fields->len);
      return FALSE;
    }
  if (tz == NULL)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   "Unknown TimeZone '%s'; use an IANA name such as Europe/Berlin", zone);
      return FALSE;
    }

  now = g_date_time_new_now (tz);

  return cron_field_matches (g_ptr_array_index (fields, 1), g_date_time_get_minute (now), 0, 59, NULL) &&
         cron_field_matches (g_ptr_array_index (fields, 2), g_date_time_get_hour (now), 0, 23, NULL) &&
         day_field_matches (g_ptr_array_index (fields, 3), TRUE, g_date_time_get_day_of_month (now),
                            now, NULL) &&
         cron_field_matches (g_ptr_array_index (fields, 4), g_date_time_get_month (now), 1, 12, months) &&
         /* GLib: Monday 1 … Sunday 7; AWS: Sunday 1 … Saturday 7. */
         day_field_matches (g_ptr_array_index (fields, 5), FALSE,
                            g_date_time_get_day_of_week (now) % 7 + 1, now, days) &&
         (fields->len < 7 ||
          cron_field_matches (g_ptr_array_index (fields, 6), g_date_time_get_year (now), 1970, 2199, NULL));
}

typedef void (*ConditionsDone) (Execution  *execution,
                                guint       stage,
                                gboolean    passed,
                                const char *result,
                                const char *why);

typedef struct _Conditions
{
  Execution      *execution;
  guint           stage;
  JsonArray      *conditions;
  guint           condition;
  guint           rule;
  const char     *default_result;
  const char     *kind;
  ConditionsDone  done;
  PwLog          *log;
  JsonObject     *record;        /* this evaluation, in execution->condition_runs */
  JsonObject     *rule_record;   /* the rule being evaluated, in execution->rule_runs */
  GCancellable   *cancellable;   /* of a Commands rule */
  gboolean        overridden;
} Conditions;

/* beforeEntry → BEFORE_ENTRY, as ConditionType names them. */
static const char *
condition_type (const char *kind)
{
  if (g_str_equal (kind, "beforeEntry"))
    return "BEFORE_ENTRY";
  if (g_str_equal (kind, "onSuccess"))
    return "ON_SUCCESS";
  return "ON_FAILURE";
}

/* A rule's evaluation begins: InProgress in the record. */
static void
rule_begin (Conditions *cond,
            JsonObject *rule,
            JsonObject *resolved)
{
  Execution *execution = cond->execution;
  JsonObject *record = json_object_new ();
  JsonObject *input = json_object_new ();
  g_autofree char *now = now_iso ();
  g_autofree char *id = g_uuid_string_random ();

  json_object_set_string_member (record, "ruleExecutionId", id);
  json_object_set_string_member (record, "pipelineExecutionId", execution->id);
  json_object_set_int_member (record, "pipelineVersion", execution->pipeline_version);
  json_object_set_string_member (record, "stageName", stage_name (execution->executor, cond->stage));
  json_object_set_string_member (record, "conditionType", condition_type (cond->kind));
  json_object_set_string_member (record, "ruleName", json_object_get_string_member_with_default (rule, "name", "?"));
  json_object_set_string_member (record, "status", "InProgress");
  json_object_set_string_member (record, "startTime", now);
  json_object_set_string_member (record, "lastUpdateTime", now);
  json_object_set_string_member (record, "updatedBy", "pipewright");
  if (json_object_has_member (rule, "ruleTypeId"))
    json_object_set_member (input, "ruleTypeId", json_object_dup_member (rule, "ruleTypeId"));
  if (json_object_has_member (rule, "configuration"))
    json_object_set_member (input, "configuration", json_object_dup_member (rule, "configuration"));
  if (resolved != NULL)
    json_object_set_object_member (input, "resolvedConfiguration", json_object_ref (resolved));
  if (json_object_has_member (rule, "region"))
    json_object_set_member (input, "region", json_object_dup_member (rule, "region"));
  json_object_set_object_member (record, "input", input);
  json_array_add_object_element (execution->rule_runs, record);
  cond->rule_record = record;
  save (execution);
}

/* The rule's evaluation ends with @status (Succeeded, Failed, Abandoned). */
static void
rule_end (Conditions *cond,
          const char *status,
          const char *summary)
{
  g_autofree char *now = now_iso ();
  JsonObject *output, *result;

  if (cond->rule_record == NULL)
    return;
  json_object_set_string_member (cond->rule_record, "status", status);
  json_object_set_string_member (cond->rule_record, "lastUpdateTime", now);
  output = json_object_new ();
  result = json_object_new ();
  if (summary != NULL)
    json_object_set_string_member (result, "externalExecutionSummary", summary);
  json_object_set_object_member (output, "executionResult", result);
  json_object_set_object_member (cond->rule_record, "output", output);
  cond->rule_record = NULL;
  save (cond->execution);
}

static void conditions_step (Conditions *cond);

static void
conditions_free (Conditions *cond)
{
  g_clear_object (&cond->cancellable);
  g_clear_pointer (&cond->conditions, json_array_unref);
  if (cond->log != NULL)
    pw_log_close (cond->log);
  g_clear_object (&cond->log);
  g_free (cond);
}

static void
conditions_finish (Conditions *cond,
                   gboolean    passed,
                   const char *result,
                   const char *why)
{
  Execution *execution = cond->execution;
  guint stage = cond->stage;
  ConditionsDone done = cond->done;
  g_autofree char *result_copy = g_strdup (result);
  g_autofree char *why_copy = g_strdup (why);

  if (cond->log != NULL)
    pw_log_printf (cond->log, "%s conditions %s%s%s", cond->kind,
                   cond->overridden ? "overridden" : passed ? "passed" : "failed",
                   why != NULL ? ": " : "", why != NULL ? why : "");
  if (cond->record != NULL)
    {
      g_autofree char *now = now_iso ();

      json_object_set_string_member (cond->record, "status",
                                     cond->overridden ? "Overridden" : passed ? "Succeeded" : "Failed");
      json_object_set_string_member (cond->record, "lastUpdateTime", now);
      if (why != NULL)
        json_object_set_string_member (cond->record, "summary", why);
      save (execution);
    }
  if (execution->evaluating == cond)
    execution->evaluating = NULL;
  conditions_free (cond);
  done (execution, stage, passed, result_copy, why_copy);
}

static void
commands_rule_done_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      data)
{
  Conditions *cond = data;
  g_autoptr(GError) error = NULL;
  int status = 0;
  gboolean ok = pw_command_run_finish (result, &status, &error) && status == 0;

  g_clear_object (&cond->cancellable);
  if (cond->overridden)
    {
      rule_end (cond, "Abandoned", "The condition was overridden");
      conditions_finish (cond, TRUE, NULL, "overridden (OverrideStageCondition)");
      return;
    }
  if (!ok)
    {
      JsonObject *condition = json_array_get_object_element (cond->conditions, cond->condition);
      JsonObject *rule = json_array_get_object_element (json_object_get_array_member (condition, "rules"), cond->rule);
      g_autofree char *why = g_strdup_printf ("rule %s: %s",
        json_object_get_string_member_with_default (rule, "name", "?"),
        error != NULL ? error->message : "a command exited with a non-zero status");

      rule_end (cond, "Failed", why);
      conditions_finish (cond, FALSE,
                         json_object_get_string_member_with_default (condition, "result", cond->default_result),
                         why);
      return;
    }

  rule_end (cond, "Succeeded", "The commands succeeded");
  cond->rule++;
  conditions_step (cond);
}

static void
conditions_step (Conditions *cond)
{
  Execution *execution = cond->execution;
  PwExecutor *self = execution->executor;

  for (; cond->condition < json_array_get_length (cond->conditions); cond->condition++, cond->rule = 0)
    {
      JsonObject *condition = json_array_get_object_element (cond->conditions, cond->condition);
      const char *result = condition != NULL
        ? json_object_get_string_member_with_default (condition, "result", cond->default_result)
        : cond->default_result;
      JsonArray *rules = condition != NULL && json_object_has_member (condition, "rules")
        ? json_object_get_array_member (condition, "rules") : NULL;

      for (; rules != NULL && cond->rule < json_array_get_length (rules); cond->rule++)
        {
          JsonObject *rule = json_array_get_object_element (rules, cond->rule);
          JsonObject *type = rule != NULL && json_object_has_member (rule, "ruleTypeId")
            ? json_object_get_object_member (rule, "ruleTypeId") : NULL;
          const char *provider = type != NULL
            ? json_object_get_string_member_with_default (type, "provider", "") : "";
          const char *name = rule != NULL ? json_object_get_string_member_with_default (rule, "name", "?") : "?";
          JsonObject *config = rule != NULL && json_object_has_member (rule, "configuration")
            ? json_object_get_object_member (rule, "configuration") : NULL;

          if (g_str_equal (provider, "VariableCheck"))
            {
              g_autofree char *variable = config != NULL
                ? resolve_text (execution, json_object_get_string_member_with_default (config, "Variable", ""), NULL)
                : NULL;
              const char *expected = config != NULL ? json_object_get_string_member_with_default (config, "Value", "") : "";
              const char *op = config != NULL ? json_object_get_string_member_with_default (config, "Operator", "EQ") : "EQ";
              gboolean ok;

              if (variable == NULL)
                ok = FALSE;
              else if (g_str_equal (op, "NE"))
                ok = g_strcmp0 (variable, expected) != 0;
              else if (g_str_equal (op, "CONTAINS"))
                ok = strstr (variable, expected) != NULL;
              else if (g_str_equal (op, "GT") || g_str_equal (op, "LT"))
                {
                  double a = g_ascii_strtod (variable, NULL), b = g_ascii_strtod (expected, NULL);

                  ok = g_str_equal (op, "GT") ? a > b : a < b;
                }
              else
                ok = g_strcmp0 (variable, expected) == 0;

              {
                g_autoptr(JsonObject) resolved = json_object_new ();
                g_autofree char *said = g_strdup_printf ("%s %s %s is %s", variable != NULL ? variable : "(unresolved)",
                                                         op, expected, ok ? "true" : "false");

                json_object_set_string_member (resolved, "Variable", variable != NULL ? variable : "");
                json_object_set_string_member (resolved, "Operator", op);
                json_object_set_string_member (resolved, "Value", expected);
                rule_begin (cond, rule, resolved);
                rule_end (cond, ok ? "Succeeded" : "Failed", said);
              }
              pw_log_printf (cond->log, "Rule %s (VariableCheck): %s %s %s → %s", name,
                             variable != NULL ? variable : "(unresolved)", op, expected,
                             ok ? "passed" : "failed");
              if (!ok)
                {
                  g_autofree char *why = g_strdup_printf ("rule %s: %s %s %s is false", name,
                                                          variable != NULL ? variable : "(unresolved)",
                                                          op, expected);
                  conditions_finish (cond, FALSE, result, why);
                  return;
                }
            }
          else if (g_str_equal (provider, "DeploymentWindow"))
            {
              const char *cron = config != NULL ? json_object_get_string_member_with_default (config, "Cron", NULL) : NULL;
              const char *zone = config != NULL ? json_object_get_string_member_with_default (config, "TimeZone", NULL) : NULL;
              g_autoptr(GError) cron_error = NULL;
              gboolean ok = cron_matches_now (cron, zone, &cron_error);

              rule_begin (cond, rule, NULL);
              if (cron_error != NULL)
                {
                  g_autofree char *why = g_strdup_printf ("rule %s: %s", name, cron_error->message);

                  rule_end (cond, "Failed", cron_error->message);
                  pw_log_printf (cond->log, "Rule %s (DeploymentWindow): %s", name, cron_error->message);
                  conditions_finish (cond, FALSE, "FAIL", why);
                  return;
                }
              rule_end (cond, ok ? "Succeeded" : "Failed",
                        ok ? "Now is in the deployment window" : "Now is outside the deployment window");

              pw_log_printf (cond->log, "Rule %s (DeploymentWindow): now %s the window '%s'%s%s", name,
                             ok ? "is in" : "is outside", cron != NULL ? cron : "",
                             zone != NULL ? " in " : "", zone != NULL ? zone : "");
              if (!ok)
                {
                  g_autofree char *why = g_strdup_printf ("rule %s: outside the deployment window '%s'",
                                                          name, cron != NULL ? cron : "");
                  conditions_finish (cond, FALSE, result, why);
                  return;
                }
            }
          else if (g_str_equal (provider, "Commands") && json_object_has_member (rule, "commands"))
            {
              JsonArray *commands = json_object_get_array_member (rule, "commands");
              GString *script = g_string_new (NULL);
              g_autofree char *text = NULL;
              g_autofree char *work = g_build_filename (self->state_dir, "work", execution->id, "conditions", NULL);
              g_auto(GStrv) env = pw_engine_get_environ ();
              const char *argv[] = { "/bin/sh", "-e", "-c", NULL, NULL };

              for (guint k = 0; commands != NULL && k < json_array_get_length (commands); k++)
                {
                  JsonNode *line = json_array_get_element (commands, k);
                  g_autofree char *resolved = NULL;

                  if (json_node_get_value_type (line) != G_TYPE_STRING)
                    continue;
                  resolved = resolve_text (execution, json_node_get_string (line), NULL);
                  g_string_append_printf (script, "%s\n", resolved != NULL ? resolved : json_node_get_string (line));
                }
              text = g_string_free (script, FALSE);
              argv[3] = text;
              g_mkdir_with_parents (work, 0755);
              pw_log_printf (cond->log, "Rule %s (Commands): running %u command(s)", name,
                             commands != NULL ? json_array_get_length (commands) : 0);
              env = g_environ_setenv (env, "PIPEWRIGHT_EXECUTION_ID", execution->id, TRUE);
              rule_begin (cond, rule, NULL);
              /* The record says it runs before it can say anything itself
               * (it may take long: it is what an override bypasses). */
              write_record (execution, FALSE);
              cond->cancellable = g_cancellable_new ();
              pw_command_run_async (argv, work, (const char * const *)env, NULL, cond->log, 3600,
                                    cond->cancellable, commands_rule_done_cb, cond);
              return;
            }
          else
            {
              rule_begin (cond, rule, NULL);
              rule_end (cond, "Succeeded", "Needs AWS and cannot be evaluated locally: treated as passing");
              pw_log_printf (cond->log, "Rule %s (%s) needs AWS and cannot be evaluated locally; "
                             "treated as passing", name, provider);
            }
        }
    }

  conditions_finish (cond, TRUE, NULL, NULL);
}

/* Evaluates the stage's @kind conditions (beforeEntry, onSuccess,
 * onFailure), then calls @done; rules run in order and the first failing
 * one decides. */
static void
evaluate_conditions (Execution      *execution,
                     guint           stage,
                     const char     *kind,
                     const char     *default_result,
                     ConditionsDone  done)
{
  PwExecutor *self = execution->executor;
  JsonNode *holder = pw_element_get_member (PW_ELEMENT (stage_at (self, stage)), kind);
  Conditions *cond;
  g_autofree char *sname = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;

  if (holder == NULL || !JSON_NODE_HOLDS_OBJECT (holder) ||
      !json_object_has_member (json_node_get_object (holder), "conditions") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (holder), "conditions")))
    {
      done (execution, stage, TRUE, NULL, NULL);
      return;
    }

  cond = g_new0 (Conditions, 1);
  cond->execution = execution;
  cond->stage = stage;
  cond->kind = kind;
  cond->default_result = default_result;
  cond->done = done;
  cond->conditions = json_array_ref (json_object_get_array_member (json_node_get_object (holder), "conditions"));

  sname = safe_name (stage_name (self, stage));
  name = g_strdup_printf ("%s-conditions.log", kind);
  path = g_build_filename (self->state_dir, "logs", execution->id, sname, name, NULL);
  {
    g_autofree char *dir = g_path_get_dirname (path);
    g_mkdir_with_parents (dir, 0755);
  }
  cond->log = pw_log_new (path, NULL);
  if (cond->log != NULL)
    _pw_log_share_secrets (cond->log, execution->secrets);

  {
    g_autofree char *now = now_iso ();

    cond->record = json_object_new ();
    json_object_set_string_member (cond->record, "stageName", stage_name (self, stage));
    json_object_set_string_member (cond->record, "conditionType", condition_type (kind));
    json_object_set_int_member (cond->record, "attempt", execution->stages[stage].attempt);
    json_object_set_string_member (cond->record, "status", "InProgress");
    json_object_set_string_member (cond->record, "startTime", now);
    json_object_set_string_member (cond->record, "lastUpdateTime", now);
    json_array_add_object_element (execution->condition_runs, cond->record);
  }
  execution->evaluating = cond;
  conditions_step (cond);
}

static void
before_entry_done (Execution  *execution,
                   guint       stage,
                   gboolean    passed,
                   const char *result,
                   const char *why)
{
  PwExecutor *self = execution->executor;
  StageRun *st = &execution->stages[stage];

  if (execution->finished)
    return;

  /* The stage starts once its entry conditions pass; a skipped stage
   * never started (the service's stage events have no SKIPPED). */
  if (passed)
    {
      emit_event (execution, "CodePipeline Stage Execution State Change", "STARTED", stage, NULL);
      run_group (execution);
      return;
    }

  st->end_time = now_iso ();
  if (g_strcmp0 (result, "SKIP") == 0)
    {
      /* The stage is Skipped and the execution carries on. */
      set_str (&st->status, "Skipped");
      save (execution);
      execution->inside = FALSE;
      release_stage (self, stage, execution);
      execution->stage = stage + 1;
      advance (execution);
    }
  else
    {
      g_autofree char *summary = g_strdup_printf ("Stage %s: entry condition failed: %s",
                                                  stage_name (self, stage), why != NULL ? why : "");

      set_str (&st->status, "Failed");
      emit_event (execution, "CodePipeline Stage Execution State Change", "FAILED", stage, NULL);
      release_stage (self, stage, execution);
      finish (execution, "Failed", summary);
    }
}

static void
enter_stage (Execution *execution,
             guint      stage)
{
  PwExecutor *self = execution->executor;
  StageRun *st = &execution->stages[stage];

  execution->stage = stage;
  execution->inside = TRUE;
  execution->group = 0;
  if (uses_locks (self))
    self->holders[stage] = execution;

  set_str (&st->status, "InProgress");
  g_clear_pointer (&st->end_time, g_free);
  st->start_time = (g_free (st->start_time), now_iso ());
  st->attempt++;

  save (execution);
  evaluate_conditions (execution, stage, "beforeEntry", "FAIL", before_entry_done);
}

static void
try_enter (Execution *execution,
           guint      stage)
{
  PwExecutor *self = execution->executor;

  if (uses_locks (self) && (self->holders[stage] != NULL || self->disabled[stage]))
    {
      wait_in_front (execution, stage);
      return;
    }

  if (!uses_locks (self) && self->disabled[stage])
    {
      wait_in_front (execution, stage);
      return;
    }

  enter_stage (execution, stage);
}

static void
advance (Execution *execution)
{
  PwExecutor *self = execution->executor;
  guint next = execution->stage < 0 ? 0 : (guint)execution->stage;

  if (execution->stopping)
    {
      finish (execution, "Stopped", execution->stop_reason);
      return;
    }

  if (next >= self->n_stages || (execution->last_stage >= 0 && next > (guint)execution->last_stage) ||
      (execution->only_stage >= 0 && next > (guint)execution->only_stage))
    {
      finish (execution, "Succeeded", NULL);
      return;
    }

  try_enter (execution, next);
}

/* Actions ------------------------------------------------------------------ */

/* Where an action's latest attempt is kept in Execution.latest. Looking
 * it up in the list of every attempt made starting a stage of N actions
 * cost O(N x all attempts) (2,500 actions: ~6 M comparisons). */
static guint
action_slot (PwExecutor *self,
             guint       stage,
             guint       action)
{
  return self->action_offsets[stage] + action;
}

static ActionRun *
latest_run (Execution *execution,
            guint      stage,
            guint      action)
{
  return execution->latest[action_slot (execution->executor, stage, action)];
}

static void
add_run (Execution *execution,
         ActionRun *run)
{
  g_ptr_array_add (execution->actions, run);
  execution->latest[action_slot (execution->executor, run->stage, run->action)] = run;
}

/* Frees the attempt at @index; an earlier attempt of the same action, if
 * any is left, becomes its latest again. */
static void
remove_run (Execution *execution,
            guint      index)
{
  ActionRun *run = g_ptr_array_index (execution->actions, index);
  guint slot = action_slot (execution->executor, run->stage, run->action);

  if (execution->latest[slot] == run)
    {
      execution->latest[slot] = NULL;
      for (guint i = index; i > 0; i--)
        {
          ActionRun *earlier = g_ptr_array_index (execution->actions, i - 1);

          if (earlier->stage == run->stage && earlier->action == run->action)
            {
              execution->latest[slot] = earlier;
              break;
            }
        }
    }
  g_ptr_array_remove_index (execution->actions, index);
}

static Execution *
execution_new (PwExecutor *self)
{
  Execution *execution = g_new0 (Execution, 1);

  execution->executor = self;
  execution->secrets = _pw_secrets_new ();
  execution->pipeline_variables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  execution->source_revisions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  execution->namespaces = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  execution->artifacts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                (GDestroyNotify)json_node_unref);
  execution->stages = g_new0 (StageRun, self->n_stages + 1);
  execution->actions = g_ptr_array_new_with_free_func (action_run_free);
  execution->latest = g_new0 (ActionRun *, self->action_offsets[self->n_stages] + 1);
  execution->stage = -1;
  execution->only_stage = -1;
  execution->approval_mode = self->approval_mode;
  execution->last_stage = self->last_stage;
  execution->pipeline_version = self->version;
  execution->condition_runs = json_array_new ();
  execution->rule_runs = json_array_new ();

  return execution;
}

/* Whose parent is there already, in the common case: one mkdir(2), where
 * g_mkdir_with_parents tests every folder from the root first. */
static void
make_folder (const char *path)
{
  if (g_mkdir (path, 0755) != 0 && errno != EEXIST)
    g_mkdir_with_parents (path, 0755);
}

/* Makes @path as _pw_state_mkdir_top does, once per executor. */
static void
make_top_folder (PwExecutor *self,
                 char       *path)
{
  if (g_hash_table_contains (self->top_folders, path))
    {
      g_free (path);
      return;
    }

  _pw_state_mkdir_top (path);
  g_hash_table_add (self->top_folders, path);
}

static char *
safe_name (const char *name)
{
  return pw_state_encode_name (name);
}

static void
log_line_cb (PwLog      *log,
             const char *line,
             ActionRun  *run)
{
  Execution *execution = run->execution;
  PwAction *action = pw_stage_get_action (stage_at (execution->executor, run->stage), run->action);

  g_signal_emit (execution->executor, signals [LOG_LINE], 0, execution->id,
                 stage_name (execution->executor, run->stage), pw_action_get_name (action), line);
}

static const char *
error_code_for (GError *error)
{
  if (error == NULL || error->domain != PW_ENGINE_ERROR)
    return "JobFailed";

  switch (error->code)
    {
    case PW_ENGINE_ERROR_CONFIGURATION:
      return "ConfigurationError";
    case PW_ENGINE_ERROR_ARTIFACT:
      return "RevisionUnavailable";
    case PW_ENGINE_ERROR_TIMEOUT:
      return "TimedOut";
    default:
      return "JobFailed";
    }
}

static void
action_done (Execution  *execution,
             ActionRun  *run,
             gboolean    ok,
             GError     *error)
{
  PwExecutor *self = execution->executor;
  PwAction *action = pw_stage_get_action (stage_at (self, run->stage), run->action);
  const char *namespace = pw_action_get_namespace (action);
  PwLog *log = run->job != NULL ? pw_action_job_get_log (run->job) : NULL;
  const char *state;

  run->running = FALSE;
  run->end_time = now_iso ();

  if (run->job != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;
      GPtrArray *outputs = pw_action_job_get_outputs (run->job);

      set_str (&run->external_id, pw_action_job_get_external_id (run->job));
      run->simulated = pw_action_job_get_simulated (run->job);
      if (pw_action_job_get_report (run->job) != NULL)
        run->report = json_node_ref (pw_action_job_get_report (run->job));

      if (ok)
        {
          g_hash_table_iter_init (&iter, pw_action_job_get_output_variables (run->job));
          while (g_hash_table_iter_next (&iter, &key, &value))
            {
              g_hash_table_insert (run->variables, g_strdup (key), g_strdup (value));
              if (namespace != NULL)
                g_hash_table_insert (execution->namespaces,
                                     g_strdup_printf ("%s.%s", namespace, (char *)key),
                                     g_strdup (value));
            }

          for (guint i = 0; i < outputs->len; i++)
            {
              PwJobArtifact *artifact = g_ptr_array_index (outputs, i);
              JsonObject *o = json_object_new ();
              JsonNode *node;

              json_object_set_string_member (o, "name", artifact->name);
              json_object_set_string_member (o, "path", artifact->zip_path);
              if (artifact->revision != NULL)
                json_object_set_string_member (o, "revision", artifact->revision);
              node = json_node_init_object (json_node_alloc (), o);
              json_object_unref (o);
              g_ptr_array_add (run->outputs, json_node_ref (node));
              g_hash_table_insert (execution->artifacts, g_strdup (artifact->name), node);

              if (g_strcmp0 (pw_action_get_category (action), "Source") == 0 && artifact->revision != NULL)
                g_hash_table_insert (execution->source_revisions,
                                     g_strdup (pw_action_get_name (action)),
                                     g_strdup (artifact->revision));
            }
        }
    }

  if (ok)
    {
      set_str (&run->status, "Succeeded");
      set_str (&run->summary, run->job != NULL && pw_action_job_get_summary (run->job) != NULL
                              ? pw_action_job_get_summary (run->job) : NULL);
      state = "SUCCEEDED";
    }
  else if (execution->abandon ||
           g_error_matches (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CANCELLED))
    {
      set_str (&run->status, "Abandoned");
      set_str (&run->summary, "Abandoned: the execution was stopped and abandoned");
      state = "ABANDONED";
    }
  else
    {
      set_str (&run->status, "Failed");
      set_str (&run->summary, error != NULL ? error->message : "Failed");
      set_str (&run->error_code, error_code_for (error));
      state = "FAILED";
    }

  if (log != NULL)
    {
      pw_log_printf (log, "Action %s: %s%s%s", run->status,
                     run->simulated ? "(simulated) " : "",
                     run->summary != NULL ? run->summary : "", "");
      pw_log_close (log);
    }

  g_clear_object (&run->job);
  g_clear_object (&run->cancellable);

  emit_event (execution, "CodePipeline Action Execution State Change", state, run->stage, run);
  save (execution);

  execution->running--;
  check_stage (execution);
}

typedef struct
{
  PwExecutor *executor;   /* alive while an action runs: its executions too */
  Execution  *execution;
  ActionRun  *run;
} RunData;

static void
provider_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  RunData *data = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = pw_provider_run_finish (PW_PROVIDER (object), result, &error);

  action_done (data->execution, data->run, ok, error);
  g_object_unref (data->executor);
  g_free (data);
}

static void
start_action (Execution *execution,
              guint      stage_index,
              guint      action_index)
{
  PwExecutor *self = execution->executor;
  PwStage *stage = stage_at (self, stage_index);
  PwAction *action = pw_stage_get_action (stage, action_index);
  ActionRun *previous = latest_run (execution, stage_index, action_index);
  ActionRun *run = g_new0 (ActionRun, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(PwProvider) provider = NULL;
  g_autoptr(PwLog) log = NULL;
  g_autofree char *sname = safe_name (stage_name (self, stage_index));
  g_autofree char *aname = safe_name (pw_action_get_name (action));
  g_autofree char *log_name = NULL;
  g_autofree char *work = NULL;
  g_autofree char *out = NULL;
  g_autofree char *cache = NULL;
  const char *cache_kind;
  g_auto(GStrv) inputs = pw_action_dup_input_artifacts (action);
  g_auto(GStrv) env = pw_engine_get_environ ();
  JsonObject *profile_env;
  JsonNode *timeout_node;
  RunData *data;

  run->execution = execution;
  run->stage = stage_index;
  run->action = action_index;
  run->id = g_uuid_string_random ();
  run->status = g_strdup ("InProgress");
  run->start_time = now_iso ();
  run->attempt = previous != NULL ? previous->attempt + 1 : 1;
  run->variables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  run->outputs = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  run->running = TRUE;
  add_run (execution, run);
  execution->running++;

  log_name = run->attempt > 1 ? g_strdup_printf ("%s.%u.log", aname, run->attempt)
                              : g_strdup_printf ("%s.log", aname);
  run->log_path = g_build_filename (self->state_dir, "logs", execution->id, sname, log_name, NULL);
  work = g_build_filename (self->state_dir, "work", execution->id, run->id, NULL);
  out = g_build_filename (self->state_dir, "artifacts", execution->id, run->id, NULL);
  /* CodeBuild keeps its cache and build number per project, as the
   * service does; other providers per action. */
  if (g_strcmp0 (pw_action_get_provider (action), "CodeBuild") == 0 &&
      pw_action_get_configuration_string (action, "ProjectName") != NULL)
    {
      g_autofree char *project = safe_name (pw_action_get_configuration_string (action, "ProjectName"));

      cache_kind = "codebuild";
      cache = g_build_filename (self->state_dir, "cache", cache_kind, project, NULL);
    }
  else
    {
      cache_kind = "actions";
      cache = g_build_filename (self->state_dir, "cache", cache_kind, sname, aname, NULL);
    }

  /* Each action's folders in their own block groups (see
   * _pw_state_mkdir_top): the per-execution folders, and the cache
   * folders that hold one per project or stage. */
  make_top_folder (self, g_build_filename (self->state_dir, "logs", execution->id, NULL));
  make_top_folder (self, g_build_filename (self->state_dir, "work", execution->id, NULL));
  make_top_folder (self, g_build_filename (self->state_dir, "artifacts", execution->id, NULL));
  make_top_folder (self, g_build_filename (self->state_dir, "cache", cache_kind, NULL));
  {
    g_autofree char *log_dir = g_path_get_dirname (run->log_path);

    make_folder (log_dir);
  }
  make_folder (work);
  make_folder (out);
  make_folder (cache);

  /* An approval's token exists from its start, so whoever sees it waiting
   * (the STARTED event, the record) can answer it. */
  if (g_strcmp0 (pw_action_get_category (action), "Approval") == 0)
    {
      if (run->token == NULL)
        run->token = g_uuid_string_random ();
      /* On disk before the event says so: another process that reacts to
       * the event (an API client reading GetPipelineState for the token,
       * `approve` checking what waits) reads the record. */
      g_free (execution->update_time);
      execution->update_time = now_iso ();
      g_clear_handle_id (&execution->save_id, g_source_remove);
      write_record (execution, FALSE);
    }
  emit_event (execution, "CodePipeline Action Execution State Change", "STARTED", stage_index, run);
  save (execution);

  log = pw_log_new (run->log_path, &error);
  if (log == NULL)
    {
      action_done (execution, run, FALSE, error);
      return;
    }
  _pw_log_share_secrets (log, execution->secrets);
  pw_log_set_limit (log, pw_local_profile_get_log_size (self->profile));
  pw_log_set_output_limit (log, pw_local_profile_get_output_size (self->profile));
  /* Forwarded only when somebody listens (connect before starting): a
   * build may write millions of lines. */
  if (g_signal_has_handler_pending (self, signals [LOG_LINE], 0, TRUE))
    g_signal_connect (log, "line", G_CALLBACK (log_line_cb), run);

  run->job = pw_action_job_new ();
  pw_action_job_set_log (run->job, log);
  pw_log_printf (log, "Action %s (%s/%s/%s) in stage %s of execution %s, attempt %u",
                 pw_action_get_name (action), pw_action_get_category (action),
                 pw_action_get_owner (action), pw_action_get_provider (action),
                 stage_name (self, stage_index), execution->id, run->attempt);

  run->resolved = resolve_configuration (execution, action, &error);
  if (run->resolved == NULL)
    {
      pw_log_printf (log, "%s", error->message);
      action_done (execution, run, FALSE, error);
      return;
    }

  for (guint i = 0; inputs[i] != NULL; i++)
    {
      JsonNode *artifact = g_hash_table_lookup (execution->artifacts, inputs[i]);
      JsonObject *o;

      if (artifact == NULL)
        {
          g_set_error (&error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                       "Input artifact %s was not produced earlier in this execution", inputs[i]);
          pw_log_printf (log, "%s", error->message);
          action_done (execution, run, FALSE, error);
          return;
        }
      o = json_node_get_object (artifact);
      pw_action_job_add_input (run->job, inputs[i],
                               json_object_get_string_member (o, "path"),
                               json_object_get_string_member_with_default (o, "revision", NULL));
    }

  profile_env = pw_local_profile_get_environment (self->profile);
  if (profile_env != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init_ordered (&iter, profile_env);
      while (json_object_iter_next_ordered (&iter, &name, &member))
        if (json_node_get_value_type (member) == G_TYPE_STRING)
          env = g_environ_setenv (env, name, json_node_get_string (member), TRUE);
    }

  pw_action_job_set_action (run->job, action);
  pw_action_job_set_pipeline_name (run->job, pw_pipeline_get_name (self->pipeline));
  pw_action_job_set_stage_name (run->job, stage_name (self, stage_index));
  pw_action_job_set_execution_id (run->job, execution->id);
  pw_action_job_set_action_execution_id (run->job, run->id);
  pw_action_job_set_configuration (run->job, run->resolved);
  pw_action_job_set_work_dir (run->job, work);
  pw_action_job_set_output_dir (run->job, out);
  pw_action_job_set_cache_dir (run->job, cache);
  pw_action_job_set_pipeline_dir (run->job, self->pipeline_dir);
  pw_action_job_set_state_dir (run->job, self->state_dir);
  pw_action_job_set_profile (run->job, self->profile);
  pw_action_job_set_environment (run->job, (const char * const *)env);
  pw_action_job_set_region (run->job, pw_action_get_region (action) != NULL
                                        ? pw_action_get_region (action)
                                        : pw_local_profile_get_region (self->profile));
  pw_action_job_set_account (run->job, pw_local_profile_get_account (self->profile));
  pw_action_job_set_source_revision (run->job,
                                     g_hash_table_lookup (execution->source_revisions,
                                                          pw_action_get_name (action)));
  pw_action_job_set_working_tree (run->job, self->working_tree);

  timeout_node = pw_element_get_member (PW_ELEMENT (action), "timeoutInMinutes");
  if (timeout_node != NULL && json_node_get_value_type (timeout_node) == G_TYPE_INT64)
    pw_action_job_set_timeout (run->job, (guint)MIN (json_node_get_int (timeout_node) * 60, G_MAXUINT));

  if (g_strcmp0 (pw_action_get_category (action), "Approval") == 0)
    {
      pw_action_job_set_approval_token (run->job, run->token);
      if (execution->approval_mode == PW_APPROVAL_AUTO_APPROVE)
        pw_action_job_decide (run->job, TRUE, "approved by --auto-approve", "pipewright-cli");
      else if (execution->approval_mode == PW_APPROVAL_AUTO_REJECT)
        pw_action_job_decide (run->job, FALSE, "rejected by --reject-approvals", "pipewright-cli");
      save (execution);
    }

  provider = pw_provider_for_action (action, self->profile);
  if (provider == NULL)
    {
      g_set_error (&error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   "%s/%s/%s is not an action type Pipewright knows, so it cannot run or be "
                   "simulated here; give the action a local command (commands: %s: {run: …} in "
                   "pipewright.local.yml)",
                   pw_action_get_category (action), pw_action_get_owner (action),
                   pw_action_get_provider (action), pw_action_get_name (action));
      pw_log_printf (log, "%s", error->message);
      action_done (execution, run, FALSE, error);
      return;
    }
  run->cancellable = g_cancellable_new ();
  data = g_new0 (RunData, 1);
  /* A GUI may drop the executor while an action still runs (its window
   * closed): the action's end must still find its execution. */
  data->executor = g_object_ref (self);
  data->execution = execution;
  data->run = run;
  pw_provider_run_async (provider, run->job, run->cancellable, provider_done_cb, data);
}

static void
run_group (Execution *execution)
{
  PwExecutor *self = execution->executor;
  GArray *members;

  if (execution->group >= n_groups (self, execution->stage))
    {
      check_stage (execution);
      return;
    }

  members = group_members (self, execution->stage, execution->group);
  for (guint m = 0; m < members->len; m++)
    start_action (execution, execution->stage, g_array_index (members, guint, m));

  if (execution->running == 0)
    check_stage (execution);
}

static gboolean
group_failed (Execution *execution,
              guint      group)
{
  GArray *members = group_members (execution->executor, execution->stage, group);

  for (guint m = 0; m < members->len; m++)
    {
      ActionRun *run = latest_run (execution, execution->stage, g_array_index (members, guint, m));

      if (run != NULL && (g_strcmp0 (run->status, "Failed") == 0 ||
                          g_strcmp0 (run->status, "Abandoned") == 0))
        return TRUE;
    }

  return FALSE;
}

static gboolean
group_done (Execution *execution,
            guint      group)
{
  GArray *members = group_members (execution->executor, execution->stage, group);

  for (guint m = 0; m < members->len; m++)
    {
      ActionRun *run = latest_run (execution, execution->stage, g_array_index (members, guint, m));

      if (run == NULL || g_strcmp0 (run->status, "Succeeded") != 0)
        return FALSE;
    }

  return TRUE;
}

static gboolean retry_stage (Execution *execution, gboolean all_actions, gboolean automatic,
                             GError **error);
static void on_success_done (Execution *execution, guint stage, gboolean passed,
                             const char *result, const char *why);
static char *start_rollback (Execution *failed, guint stage);

static void
check_stage (Execution *execution)
{
  PwExecutor *self = execution->executor;
  guint index = (guint)execution->stage;
  StageRun *st = &execution->stages[index];
  PwStage *stage = stage_at (self, index);
  guint groups = n_groups (self, index);

  /* A synchronous failure inside start_action may have ended it already. */
  if (execution->running > 0 || execution->finished || !execution->inside)
    return;

  if (execution->stopping)
    {
      st->end_time = now_iso ();
      set_str (&st->status, "Stopped");
      emit_event (execution, "CodePipeline Stage Execution State Change", "STOPPED", index, NULL);
      release_stage (self, index, execution);
      finish (execution, "Stopped", execution->stop_reason);
      return;
    }

  if (execution->group < groups && group_failed (execution, execution->group))
    {
      JsonNode *on_failure = pw_element_get_member (PW_ELEMENT (stage), "onFailure");
      const char *result = NULL;
      g_autofree char *summary = NULL;
      ActionRun *failed = NULL;

      if (on_failure != NULL && JSON_NODE_HOLDS_OBJECT (on_failure))
        result = json_object_get_string_member_with_default (json_node_get_object (on_failure), "result", NULL);

      st->end_time = now_iso ();
      set_str (&st->status, "Failed");
      emit_event (execution, "CodePipeline Stage Execution State Change", "FAILED", index, NULL);

      /* onFailure RETRY: the service retries a failed stage once by
       * itself; a stage that fails again after that, fails (until a
       * manual retry, after which a failure is a new one). */
      if (g_strcmp0 (result, "RETRY") == 0 && !st->auto_retry_pending)
        {
          JsonObject *config = json_object_get_object_member (json_node_get_object (on_failure), "retryConfiguration");
          gboolean all = config != NULL &&
            g_strcmp0 (json_object_get_string_member_with_default (config, "retryMode", ""), "ALL_ACTIONS") == 0;

          st->auto_retries++;
          st->auto_retry_pending = TRUE;
          st->latest_retry_trigger = "AutomatedStageRetry";
          if (retry_stage (execution, all, TRUE, NULL))
            return;
        }

      for (guint i = execution->actions->len; i > 0; i--)
        {
          ActionRun *run = g_ptr_array_index (execution->actions, i - 1);

          if (run->stage == index && g_strcmp0 (run->status, "Failed") == 0)
            {
              failed = run;
              break;
            }
        }

      summary = g_strdup_printf ("Stage %s failed: action %s: %s", stage_name (self, index),
                                 failed != NULL ? pw_action_get_name (pw_stage_get_action (stage, failed->action)) : "?",
                                 failed != NULL && failed->summary != NULL ? failed->summary : "failed");
      release_stage (self, index, execution);

      /* onFailure ROLLBACK: a new execution redeploys the stage with the
       * artifacts of the last execution that succeeded in it. It starts
       * before this one ends, so whoever waits for the end sees it. */
      if (g_strcmp0 (result, "ROLLBACK") == 0)
        {
          g_autofree char *note = start_rollback (execution, index);
          char *full = g_strconcat (summary, "; ", note, NULL);

          g_free (summary);
          summary = full;
        }
      finish (execution, "Failed", summary);
      return;
    }

  if (execution->group < groups && !group_done (execution, execution->group))
    {
      /* Actions of this group have not run yet (a retry of failed actions
       * re-entered here): start them. */
      run_group (execution);
      return;
    }

  if (execution->group + 1 < groups)
    {
      execution->group++;
      save (execution);
      run_group (execution);
      return;
    }

  if (execution->success_checked != (int)index + 1)
    {
      evaluate_conditions (execution, index, "onSuccess", "FAIL", on_success_done);
      return;
    }

  st->end_time = now_iso ();
  set_str (&st->status, "Succeeded");
  emit_event (execution, "CodePipeline Stage Execution State Change", "SUCCEEDED", index, NULL);
  save (execution);
  execution->inside = FALSE;
  execution->stage = index + 1;
  release_stage (self, index, execution);
  advance (execution);
}

static void
on_success_done (Execution  *execution,
                 guint       stage,
                 gboolean    passed,
                 const char *result,
                 const char *why)
{
  PwExecutor *self = execution->executor;
  StageRun *st = &execution->stages[stage];
  g_autofree char *summary = NULL;

  if (execution->finished || (int)stage != execution->stage)
    return;

  if (passed)
    {
      execution->success_checked = stage + 1;
      check_stage (execution);
      return;
    }

  summary = g_strdup_printf ("Stage %s: success condition failed: %s", stage_name (self, stage),
                             why != NULL ? why : "");
  st->end_time = now_iso ();
  set_str (&st->status, "Failed");
  emit_event (execution, "CodePipeline Stage Execution State Change", "FAILED", stage, NULL);
  release_stage (self, stage, execution);

  if (g_strcmp0 (result, "ROLLBACK") == 0)
    {
      g_autofree char *note = start_rollback (execution, stage);
      char *full = g_strconcat (summary, "; ", note, NULL);

      g_free (summary);
      summary = full;
    }
  finish (execution, "Failed", summary);
}

static gboolean
retry_stage (Execution  *execution,
             gboolean    all_actions,
             gboolean    automatic,
             GError    **error)
{
  PwExecutor *self = execution->executor;
  guint index = (guint)execution->stage;
  StageRun *st = &execution->stages[index];

  if (uses_locks (self) && self->holders[index] != NULL && self->holders[index] != execution)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                   "Stage %s is held by execution %s; a stage can only be retried by its latest execution",
                   stage_name (self, index), self->holders[index]->id);
      return FALSE;
    }

  execution->finished = FALSE;
  execution->stopping = FALSE;
  execution->abandon = FALSE;
  execution->inside = TRUE;
  if (uses_locks (self))
    self->holders[index] = execution;
  set_str (&execution->status, "InProgress");
  set_str (&execution->summary, NULL);
  set_str (&st->status, "InProgress");
  g_clear_pointer (&st->end_time, g_free);
  st->attempt++;

  if (!automatic)
    emit_event (execution, "CodePipeline Pipeline Execution State Change", "RESUMED", -1, NULL);
  emit_event (execution, "CodePipeline Stage Execution State Change", "RESUMED", index, NULL);

  if (all_actions)
    {
      /* From the first runOrder group again; each group starts all its
       * actions, so everything reruns in order. */
      execution->group = 0;
      save (execution);
      run_group (execution);
      return TRUE;
    }

  /* FAILED_ACTIONS: re-run the failed (or abandoned) actions of the group
   * that failed, then carry on. */
  save (execution);
  if (execution->group < n_groups (self, index))
    {
      GArray *members = group_members (self, index, execution->group);

      for (guint m = 0; m < members->len; m++)
        {
          guint a = g_array_index (members, guint, m);
          ActionRun *run = latest_run (execution, index, a);

          if (run == NULL || g_strcmp0 (run->status, "Succeeded") != 0)
            start_action (execution, index, a);
        }
    }

  if (execution->running == 0)
    check_stage (execution);
  return TRUE;
}

/* Object --------------------------------------------------------------------- */

/* Work folders of this many executions are kept, the one starting
 * included (pw_state_prune_work). */
#define KEEP_WORK_FOLDERS 10

static gpointer
prune_thread_func (gpointer data)
{
  g_auto(GStrv) paths = data;

  pw_state_prune_work ((const char * const *)paths);

  return NULL;
}

/* Old work folders go while the new execution runs, on a thread of their
 * own; which ones is decided here, before the new execution makes its
 * own. One pruning at a time. */
static void
prune_work_folders (PwExecutor *self)
{
  GStrv paths;

  if (self->prune_thread != NULL)
    g_thread_join (g_steal_pointer (&self->prune_thread));

  paths = pw_state_list_old_work (self->state_dir, KEEP_WORK_FOLDERS - 1);
  if (paths[0] == NULL)
    {
      g_strfreev (paths);
      return;
    }

  self->prune_thread = g_thread_try_new ("pw-prune", prune_thread_func, paths, NULL);
  if (self->prune_thread == NULL)
    g_strfreev (paths);
}

static void
pw_executor_dispose (GObject *object)
{
  PwExecutor *self = (PwExecutor *)object;

  if (self->prune_thread != NULL)
    g_thread_join (g_steal_pointer (&self->prune_thread));

  if (self->executions != NULL)
    {
      GHashTableIter iter;
      gpointer value;

      /* Abandon whatever still runs: its callbacks must not outlive us. */
      g_hash_table_iter_init (&iter, self->executions);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Execution *execution = value;

          for (guint i = 0; i < execution->actions->len; i++)
            {
              ActionRun *run = g_ptr_array_index (execution->actions, i);

              if (run->cancellable != NULL)
                g_cancellable_cancel (run->cancellable);
            }
        }
    }

  g_clear_object (&self->control_monitor);

  G_OBJECT_CLASS (pw_executor_parent_class)->dispose (object);
}

static void
pw_executor_finalize (GObject *object)
{
  PwExecutor *self = (PwExecutor *)object;

  g_clear_pointer (&self->executions, g_hash_table_unref);
  for (guint i = 0; i < self->n_stages; i++)
    {
      g_queue_free (self->waiting[i]);
      g_free (self->disabled_reason[i]);
    }
  g_free (self->waiting);
  g_free (self->holders);
  g_free (self->disabled);
  g_free (self->disabled_reason);
  g_free (self->action_offsets);
  for (guint i = 0; self->orders != NULL && i < self->n_stages; i++)
    {
      g_clear_pointer (&self->orders[i], g_array_unref);
      g_clear_pointer (&self->groups[i], g_ptr_array_unref);
    }
  g_free (self->orders);
  g_free (self->groups);
  g_clear_pointer (&self->top_folders, g_hash_table_unref);
  g_clear_object (&self->pipeline);
  g_clear_object (&self->profile);
  g_free (self->pipeline_path);
  g_free (self->pipeline_dir);
  g_free (self->state_dir);
  g_free (self->mode);
  if (self->events_fd >= 0)
    close (self->events_fd);
  if (self->deliverer != NULL)
    g_output_stream_close (g_subprocess_get_stdin_pipe (self->deliverer), NULL, NULL);
  g_clear_object (&self->deliverer);
  g_free (self->reserve_path);
  g_free (self->pipeline_hash);
  /* Last: another process may take over the state folder from here. */
  if (self->lock_fd >= 0)
    close (self->lock_fd);

  G_OBJECT_CLASS (pw_executor_parent_class)->finalize (object);
}

static void
pw_executor_class_init (PwExecutorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pw_executor_dispose;
  object_class->finalize = pw_executor_finalize;

  /**
   * PwExecutor::event:
   * @event: an EventBridge-shaped event (also appended to events.jsonl)
   */
  signals [EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, JSON_TYPE_NODE);

  /**
   * PwExecutor::finished:
   * @execution_id: the execution
   * @status: `Succeeded`, `Failed`, `Stopped`, `Superseded` or `Cancelled`
   */
  signals [FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * PwExecutor::log-line:
   * @execution_id, @stage, @action: where
   * @line: the (masked, timestamped) log line
   */
  signals [LOG_LINE] =
    g_signal_new ("log-line", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                  G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
}

static void
pw_executor_init (PwExecutor *self)
{
  self->executions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, execution_free);
  self->top_folders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->events_fd = -1;
  self->lock_fd = -1;
  self->last_stage = -1;
}

/**
 * pw_executor_new:
 * @pipeline: the pipeline to run (the executor keeps a reference)
 * @pipeline_path: the pipeline file; its folder is the default repository
 * @state_dir: (nullable): the state folder; `.pipewright` beside the file
 *   by default
 * @profile: (nullable): the local profile; the defaults when %NULL
 *
 * Returns: (transfer full) (nullable): the executor
 */
/**
 * pw_executor_hash_pipeline:
 * @pipeline: a pipeline
 *
 * Returns: (transfer full): the SHA-256 of its declaration: equal for
 *   equal pipelines, whatever file or format they came from
 */
char *
pw_executor_hash_pipeline (PwPipeline *pipeline)
{
  g_autoptr(JsonNode) declaration = pw_pipeline_to_declaration (pipeline);
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (gen, declaration);
  text = json_generator_to_data (gen, NULL);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

/* The pipeline's version in this state folder: like CodePipeline's, it
 * goes up whenever the declaration changes. versions.json maps each
 * declaration's SHA-256 to its version; we hold the runner lock. */
static gboolean
load_version (PwExecutor  *self,
              GError     **error)
{
  g_autofree char *path = g_build_filename (self->state_dir, "versions.json", NULL);
  g_autoptr(JsonNode) versions = _pw_state_read_json (path, NULL);
  JsonObject *map;
  gint64 highest = 0;

  self->pipeline_hash = pw_executor_hash_pipeline (self->pipeline);

  if (versions == NULL || !JSON_NODE_HOLDS_OBJECT (versions))
    {
      g_autoptr(JsonObject) empty = json_object_new ();

      g_clear_pointer (&versions, json_node_unref);
      versions = json_node_init_object (json_node_alloc (), empty);
    }
  map = json_node_get_object (versions);

  if (json_object_has_member (map, self->pipeline_hash))
    {
      self->version = json_object_get_int_member (map, self->pipeline_hash);
      return TRUE;
    }

  {
    JsonObjectIter iter;
    const char *key;
    JsonNode *value;

    json_object_iter_init (&iter, map);
    while (json_object_iter_next (&iter, &key, &value))
      if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_INT64)
        highest = MAX (highest, json_node_get_int (value));
  }

  self->version = highest + 1;
  json_object_set_int_member (map, self->pipeline_hash, self->version);

  return _pw_state_write_json (path, versions, error);
}

/**
 * pw_executor_get_pipeline_hash:
 *
 * Returns: the SHA-256 of the pipeline's declaration, which a request to
 *   start an execution names so the runner knows it runs the same one
 */
const char *
pw_executor_get_pipeline_hash (PwExecutor *self)
{
  g_return_val_if_fail (PW_IS_EXECUTOR (self), NULL);

  return self->pipeline_hash;
}

PwExecutor *
pw_executor_new (PwPipeline      *pipeline,
                 const char      *pipeline_path,
                 const char      *state_dir,
                 PwLocalProfile  *profile,
                 GError         **error)
{
  g_autoptr(PwExecutor) self = NULL;
  g_autofree char *abs = NULL;
  g_autofree char *events = NULL;
  JsonNode *disabled;

  g_return_val_if_fail (PW_IS_PIPELINE (pipeline), NULL);
  g_return_val_if_fail (pipeline_path != NULL, NULL);

  /* Sessions (with secrets) of runs killed before: removed now. */
  _pw_session_base_dir ();

  self = g_object_new (PW_TYPE_EXECUTOR, NULL);
  self->pipeline = g_object_ref (pipeline);
  self->profile = profile != NULL ? g_object_ref (profile) : pw_local_profile_new ();
  abs = g_canonicalize_filename (pipeline_path, NULL);
  self->pipeline_path = g_strdup (abs);
  self->pipeline_dir = g_path_get_dirname (abs);
  self->state_dir = state_dir != NULL ? g_canonicalize_filename (state_dir, NULL)
                                      : pw_state_default_dir (pipeline_path);
  self->mode = g_strdup (pw_pipeline_get_execution_mode (pipeline));
  self->n_stages = pw_pipeline_get_n_stages (pipeline);
  self->holders = g_new0 (Execution *, self->n_stages + 1);
  self->waiting = g_new0 (GQueue *, self->n_stages + 1);
  self->disabled = g_new0 (gboolean, self->n_stages + 1);
  self->disabled_reason = g_new0 (char *, self->n_stages + 1);
  for (guint i = 0; i < self->n_stages; i++)
    self->waiting[i] = g_queue_new ();

  for (guint i = 0; i < self->n_stages; i++)
    if (pw_element_is_opaque (PW_ELEMENT (stage_at (self, i))))
      {
        g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                     "Stage %u is a CloudFormation condition (Fn::If); resolve it before running", i + 1);
        return NULL;
      }

  self->action_offsets = g_new0 (guint, self->n_stages + 1);
  for (guint i = 0; i < self->n_stages; i++)
    self->action_offsets[i + 1] = self->action_offsets[i] +
                                  pw_stage_get_n_actions (stage_at (self, i));

  /* Each stage's action groups, once: scheduling a group then costs its
   * own size, not the stage's (a stage of 4,000 one-action groups took
   * 10 ms per action, quadratic, when each step looked at every action). */
  self->orders = g_new0 (GArray *, self->n_stages);
  self->groups = g_new0 (GPtrArray *, self->n_stages);
  for (guint i = 0; i < self->n_stages; i++)
    {
      PwStage *stage = stage_at (self, i);
      g_autoptr(GHashTable) by_order = g_hash_table_new (g_int64_hash, g_int64_equal);

      self->orders[i] = pw_stage_dup_run_orders (stage);
      self->groups[i] = g_ptr_array_new_with_free_func ((GDestroyNotify)g_array_unref);
      for (guint g = 0; g < self->orders[i]->len; g++)
        {
          g_ptr_array_add (self->groups[i], g_array_new (FALSE, FALSE, sizeof (guint)));
          g_hash_table_insert (by_order, &g_array_index (self->orders[i], gint64, g),
                               GUINT_TO_POINTER (g));
        }
      for (guint a = 0; a < pw_stage_get_n_actions (stage); a++)
        {
          gint64 order = pw_action_get_run_order (pw_stage_get_action (stage, a));
          guint g = GPOINTER_TO_UINT (g_hash_table_lookup (by_order, &order));

          g_array_append_val (g_ptr_array_index (self->groups[i], g), a);
        }
    }

  /* Transitions the CloudFormation template disabled. */
  disabled = pw_element_get_member (PW_ELEMENT (pipeline), "disableInboundStageTransitions");
  if (disabled != NULL && JSON_NODE_HOLDS_ARRAY (disabled))
    {
      JsonArray *list = json_node_get_array (disabled);

      for (guint i = 0; i < json_array_get_length (list); i++)
        {
          JsonNode *item = json_array_get_element (list, i);
          const char *name;

          if (!JSON_NODE_HOLDS_OBJECT (item))
            continue;
          name = json_object_get_string_member_with_default (json_node_get_object (item), "stageName", NULL);
          for (guint s = 0; name != NULL && s < self->n_stages; s++)
            if (g_strcmp0 (pw_stage_get_name (stage_at (self, s)), name) == 0)
              {
                self->disabled[s] = TRUE;
                self->disabled_reason[s] = g_strdup (json_object_get_string_member_with_default (
                  json_node_get_object (item), "reason", NULL));
              }
        }
    }

  /* Transitions enabled or disabled since (`serve`, an earlier run): the
   * last word wins over the template's. */
  {
    g_autoptr(JsonObject) changed = pw_state_load_transitions (self->state_dir,
                                                                pw_pipeline_get_name (pipeline));

    for (guint s = 0; changed != NULL && s < self->n_stages; s++)
      {
        const char *name = pw_stage_get_name (stage_at (self, s));
        JsonNode *item = name != NULL ? json_object_get_member (changed, name) : NULL;
        JsonObject *o = item != NULL && JSON_NODE_HOLDS_OBJECT (item) ? json_node_get_object (item) : NULL;

        if (o == NULL)
          continue;
        self->disabled[s] = !json_object_get_boolean_member_with_default (o, "enabled", TRUE);
        set_str (&self->disabled_reason[s], self->disabled[s]
                 ? json_object_get_string_member_with_default (o, "reason", NULL) : NULL);
      }
  }

  if (g_mkdir_with_parents (self->state_dir, 0755) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot create the state folder %s",
                   self->state_dir);
      return NULL;
    }

  /* The state is no source: a `git add -A` leaves it out (a .gitignore of
   * the user's own is left as it is). */
  {
    g_autofree char *ignore = g_build_filename (self->state_dir, ".gitignore", NULL);

    if (!g_file_test (ignore, G_FILE_TEST_EXISTS) &&
        !g_file_set_contents (ignore, "# Pipewright's local runs: not source.\n*\n", -1, NULL))
      g_debug ("Cannot write %s", ignore);
  }

  /* One folder per execution, each rewritten often (see write_record). */
  make_top_folder (self, g_build_filename (self->state_dir, "executions", NULL));

  /* One process runs the executions of a state folder: the others send
   * it requests (see pw_state_send_request). */
  self->lock_fd = _pw_state_lock_runner (self->state_dir, FALSE);
  if (self->lock_fd < 0)
    {
      int saved_errno = errno;

      if (saved_errno == EWOULDBLOCK)
        g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_BUSY,
                     "Another pipewright-cli (pid %" G_GINT64_FORMAT ") is running this "
                     "pipeline's executions (state folder %s)",
                     pw_state_runner_pid (self->state_dir), self->state_dir);
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                     "Cannot lock the state folder %s: %s", self->state_dir,
                     g_strerror (saved_errno));
      return NULL;
    }

  if (!load_version (self, error))
    return NULL;

  {
    g_autofree char *runner = g_build_filename (self->state_dir, "runner.json", NULL);
    g_autoptr(JsonNode) info = NULL;
    g_autoptr(JsonBuilder) b = json_builder_new ();

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "pid");
    json_builder_add_int_value (b, getpid ());
    json_builder_end_object (b);
    info = json_builder_get_root (b);
    /* Not synced: after a power cut no runner is alive to be named. */
    if (!_pw_state_write_json_full (runner, info, FALSE, error))
      return NULL;
  }

  /* A run killed earlier leaves InProgress records behind: close them
   * (after runner.json names us, so recover knows whose are alive). */
  pw_state_recover (self->state_dir);

  events = g_build_filename (self->state_dir, "events.jsonl", NULL);
  self->events_fd = g_open (events, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (self->events_fd >= 0)
    {
      /* Readers skip a torn last line; the next event must not continue
       * it. */
      gsize torn = _pw_state_trim_torn_tail (self->events_fd);

      if (torn > 0)
        g_message ("%s ended in a torn line (%" G_GSIZE_FORMAT " bytes, an append cut short "
                   "by an earlier run); removed it", events, torn);
    }

  /* Room for the records that end executions when the disk fills up. */
  {
    g_autofree char *reserve = g_build_filename (self->state_dir, "space.reserve", NULL);
    int fd = g_open (reserve, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

    if (fd >= 0 && posix_fallocate (fd, 0, RESERVE_BYTES) == 0)
      self->reserve_path = g_steal_pointer (&reserve);
    if (fd >= 0)
      g_close (fd, NULL);
  }

  return g_steal_pointer (&self);
}

const char *
pw_executor_get_state_dir (PwExecutor *self)
{
  g_return_val_if_fail (PW_IS_EXECUTOR (self), NULL);
  return self->state_dir;
}

void
pw_executor_set_approval_mode (PwExecutor     *self,
                               PwApprovalMode  mode)
{
  g_return_if_fail (PW_IS_EXECUTOR (self));
  self->approval_mode = mode;
}

/**
 * pw_executor_set_working_tree:
 *
 * Git sources of the executions started from now on read the working
 * tree (what is not committed yet, minus what git ignores) rather than
 * the branch's commit: a local run before committing.
 */
void
pw_executor_set_working_tree (PwExecutor *self,
                              gboolean    working_tree)
{
  g_return_if_fail (PW_IS_EXECUTOR (self));
  self->working_tree = working_tree;
}

gboolean
pw_executor_set_last_stage (PwExecutor  *self,
                            const char  *name,
                            GError     **error)
{
  g_return_val_if_fail (PW_IS_EXECUTOR (self), FALSE);

  for (guint i = 0; i < self->n_stages; i++)
    if (g_strcmp0 (pw_stage_get_name (stage_at (self, i)), name) == 0)
      {
        self->last_stage = i;
        return TRUE;
      }

  g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_NOT_FOUND, "No stage named '%s'", name);
  return FALSE;
}

static Execution *
lookup (PwExecutor  *self,
        const char  *id,
        GError     **error)
{
  Execution *execution;
  GHashTableIter iter;
  gpointer key, value;
  Execution *found = NULL;

  if ((execution = g_hash_table_lookup (self->executions, id)) != NULL)
    return execution;

  g_hash_table_iter_init (&iter, self->executions);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_str_has_prefix (key, id))
      {
        if (found != NULL)
          {
            g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_NOT_FOUND,
                         "'%s' matches several executions", id);
            return NULL;
          }
        found = value;
      }

  if (found == NULL)
    g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_NOT_FOUND,
                 "No execution '%s' is running here", id);
  return found;
}

/**
 * pw_executor_start:
 * @variables: (nullable) (element-type utf8 utf8): pipeline variable overrides
 * @source_revisions: (nullable) (element-type utf8 utf8): source action name → revision
 *
 * Starts an execution. It runs on the main loop; watch ::finished.
 *
 * Returns: (transfer full) (nullable): the new execution id
 */
char *
pw_executor_start (PwExecutor  *self,
                   GHashTable  *variables,
                   GHashTable  *source_revisions,
                   const char  *trigger_type,
                   const char  *trigger_detail,
                   GError     **error)
{
  g_return_val_if_fail (PW_IS_EXECUTOR (self), NULL);

  return pw_executor_start_full (self, variables, source_revisions, trigger_type, trigger_detail,
                                 self->approval_mode, NULL, error);
}

char *
pw_executor_start_full (PwExecutor      *self,
                        GHashTable      *variables,
                        GHashTable      *source_revisions,
                        const char      *trigger_type,
                        const char      *trigger_detail,
                        PwApprovalMode   approval_mode,
                        const char      *last_stage,
                        GError         **error)
{
  Execution *execution;
  JsonNode *declared;
  int last = self->last_stage;

  g_return_val_if_fail (PW_IS_EXECUTOR (self), NULL);

  if (last_stage != NULL)
    {
      last = -1;
      for (guint i = 0; i < self->n_stages && last < 0; i++)
        if (g_strcmp0 (pw_stage_get_name (stage_at (self, i)), last_stage) == 0)
          last = (int)i;
      if (last < 0)
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_NOT_FOUND,
                       "No stage named '%s'", last_stage);
          return NULL;
        }
    }

  {
    guint limit = pw_local_profile_get_concurrent_executions (self->profile);
    guint unfinished = 0;
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init (&iter, self->executions);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      if (!((Execution *)value)->finished)
        unfinished++;
    if (unfinished >= limit)
      {
        g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_LIMIT,
                     "%u executions of pipeline %s run or wait already, the most the local profile allows "
                     "(limits.concurrentExecutions); start again once one has ended", unfinished,
                     pw_pipeline_get_name (self->pipeline));
        return NULL;
      }
  }

  execution = execution_new (self);
  execution->approval_mode = approval_mode;
  execution->last_stage = last;
  execution->id = g_uuid_string_random ();
  execution->status = g_strdup ("InProgress");
  execution->trigger_type = g_strdup (trigger_type != NULL ? trigger_type : "StartPipelineExecution");
  execution->trigger_detail = g_strdup (trigger_detail != NULL ? trigger_detail : "pipewright-cli");
  execution->start_time = now_iso ();

  /* Pipeline variables: the start's value, else the declared default. */
  declared = pw_element_get_member (PW_ELEMENT (self->pipeline), "variables");
  if (declared != NULL && JSON_NODE_HOLDS_ARRAY (declared))
    {
      JsonArray *list = json_node_get_array (declared);

      for (guint i = 0; i < json_array_get_length (list); i++)
        {
          JsonNode *item = json_array_get_element (list, i);
          const char *name, *value;

          if (!JSON_NODE_HOLDS_OBJECT (item))
            continue;
          name = json_object_get_string_member_with_default (json_node_get_object (item), "name", NULL);
          if (name == NULL)
            continue;
          value = variables != NULL ? g_hash_table_lookup (variables, name) : NULL;
          if (value == NULL)
            value = json_object_get_string_member_with_default (json_node_get_object (item), "defaultValue", NULL);
          if (value == NULL)
            {
              g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                           "Pipeline variable '%s' has no default; give it a value with --var %s=VALUE",
                           name, name);
              execution_free (execution);
              return NULL;
            }
          /* PipelineVariable.value: 1 to 1000 characters. */
          if (value[0] == '\0' || g_utf8_strlen (value, -1) > 1000)
            {
              g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                           "Pipeline variable '%s' must be 1 to 1000 characters, not %ld",
                           name, g_utf8_strlen (value, -1));
              execution_free (execution);
              return NULL;
            }
          g_hash_table_insert (execution->pipeline_variables, g_strdup (name), g_strdup (value));
        }
    }

  if (variables != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, variables);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (!g_hash_table_contains (execution->pipeline_variables, key))
          {
            g_autofree char **names = (char **)g_hash_table_get_keys_as_array (execution->pipeline_variables, NULL);
            const char *meant = pw_suggest_word (key, (const char * const *)names);

            if (meant != NULL)
              g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                           "The pipeline declares no variable '%s'; did you mean '%s'?",
                           (char *)key, meant);
            else
              g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                           "The pipeline declares no variable '%s'", (char *)key);
            execution_free (execution);
            return NULL;
          }
    }

  if (source_revisions != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;
      g_autoptr(GStrvBuilder) sources = g_strv_builder_new ();
      g_auto(GStrv) names = NULL;
      PwStage *first = stage_at (self, 0);

      /* A revision for an action that is not a source of the first stage
       * would be ignored: refuse it, as an undeclared variable is. */
      for (guint a = 0; first != NULL && a < pw_stage_get_n_actions (first); a++)
        if (g_strcmp0 (pw_action_get_category (pw_stage_get_action (first, a)), "Source") == 0)
          g_strv_builder_add (sources, pw_action_get_name (pw_stage_get_action (first, a)));
      names = g_strv_builder_end (sources);

      g_hash_table_iter_init (&iter, source_revisions);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          if (!g_strv_contains ((const char * const *)names, key))
            {
              const char *meant = pw_suggest_word (key, (const char * const *)names);
              g_autofree char *list = g_strjoinv (", ", names);

              if (meant != NULL)
                g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                             "The pipeline has no source action '%s'; did you mean '%s'?",
                             (char *)key, meant);
              else
                g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                             "The pipeline has no source action '%s'; its source actions are: %s",
                             (char *)key, list[0] != '\0' ? list : "none");
              execution_free (execution);
              return NULL;
            }
          g_hash_table_insert (execution->source_revisions, g_strdup (key), g_strdup (value));
        }
    }

  g_hash_table_insert (self->executions, execution->id, execution);
  save (execution);
  emit_event (execution, "CodePipeline Pipeline Execution State Change", "STARTED", -1, NULL);
  prune_work_folders (self);
  advance (execution);

  return g_strdup (execution->id);
}

gboolean
pw_executor_stop (PwExecutor  *self,
                  const char  *execution_id,
                  gboolean     abandon,
                  const char  *reason,
                  GError     **error)
{
  Execution *execution;

  g_return_val_if_fail (PW_IS_EXECUTOR (self), FALSE);
  g_return_val_if_fail (execution_id != NULL, FALSE);

  if ((execution = lookup (self, execution_id, error)) == NULL)
    return FALSE;

  if (execution->finished)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                   "Execution %s is %s and cannot be stopped", execution->id, execution->status);
      return FALSE;
    }
  if (execution->stopping && !abandon)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                   "Execution %s is already stopping; use --abandon to abandon its running actions",
                   execution->id);
      return FALSE;
    }

  if (!execution->stopping)
    {
      execution->stopping = TRUE;
      set_str (&execution->stop_reason, reason);
      set_str (&execution->status, "Stopping");
      emit_event (execution, "CodePipeline Pipeline Execution State Change", "STOPPING", -1, NULL);
      if (execution->inside && execution->stage >= 0 && (guint)execution->stage < self->n_stages)
        emit_event (execution, "CodePipeline Stage Execution State Change", "STOPPING",
                    execution->stage, NULL);
      save (execution);
    }

  /* Waiting in front of a stage: nothing runs, it stops at once. */
  if (!execution->inside && execution->stage >= 0 && (guint)execution->stage < self->n_stages)
    {
      g_queue_remove (self->waiting[execution->stage], execution);
      finish (execution, "Stopped", reason);
      return TRUE;
    }

  if (abandon)
    {
      execution->abandon = TRUE;
      for (guint i = 0; i < execution->actions->len; i++)
        {
          ActionRun *run = g_ptr_array_index (execution->actions, i);

          if (run->running && run->cancellable != NULL)
            g_cancellable_cancel (run->cancellable);
        }
    }

  if (execution->running == 0 && execution->inside)
    check_stage (execution);

  return TRUE;
}

typedef struct
{
  PwExecutor *executor;
  char       *execution_id;
} SpaceStop;

static gboolean
space_stop_cb (gpointer data)
{
  SpaceStop *stop = data;
  Execution *execution = g_hash_table_lookup (stop->executor->executions, stop->execution_id);

  if (execution != NULL && !execution->finished)
    pw_executor_stop (stop->executor, execution->id, TRUE, execution->space_error, NULL);

  g_object_unref (stop->executor);
  g_free (stop->execution_id);
  g_free (stop);
  return G_SOURCE_REMOVE;
}

/* Its state no longer fits: an execution that cannot record what it does
 * must not go on as if it could. It stops, abandoning what runs (from
 * the main loop, not from inside whatever was writing), and finish()
 * records it as Failed with the reason, in the room the reserve left. */
static void
lack_of_space (Execution    *execution,
               const char   *what,
               const GError *error)
{
  SpaceStop *stop;

  if (execution->space_error != NULL || execution->finished)
    return;

  execution->space_error = g_strdup_printf ("Failed for lack of space: cannot write %s (%s)",
                                            what, error->message);
  stop = g_new0 (SpaceStop, 1);
  stop->executor = g_object_ref (execution->executor);
  stop->execution_id = g_strdup (execution->id);
  g_idle_add (space_stop_cb, stop);
}

static void
note_manual_retry (StageRun *st)
{
  st->manual_retries++;
  st->latest_retry_trigger = "ManualStageRetry";
  st->auto_retry_pending = FALSE;
}

/* Whether no execution started after @execution has run in @stage since:
 * only the latest one may be retried there (the service's
 * NotLatestPipelineExecutionException), or an old revision would be
 * deployed over a newer one. Looks at this process's executions and at
 * the history. */
static gboolean
is_latest_in_stage (Execution  *execution,
                    guint       stage,
                    GError    **error)
{
  PwExecutor *self = execution->executor;
  const char *name = stage_name (self, stage);
  g_autoptr(GPtrArray) records = pw_state_list_executions (self->state_dir, NULL);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->executions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Execution *other = value;

      if (other != execution && g_strcmp0 (other->start_time, execution->start_time) > 0 &&
          other->stages[stage].status != NULL &&
          !g_str_equal (other->stages[stage].status, "NotStarted"))
        goto not_latest;
    }

  for (guint i = 0; records != NULL && i < records->len; i++)
    {
      JsonObject *o = json_node_get_object (g_ptr_array_index (records, i));
      JsonArray *stages = json_object_has_member (o, "stages")
        ? json_object_get_array_member (o, "stages") : NULL;

      if (g_strcmp0 (json_object_get_string_member_with_default (o, "startTime", ""),
                     execution->start_time) <= 0)
        continue;
      for (guint s = 0; stages != NULL && s < json_array_get_length (stages); s++)
        {
          JsonObject *st = json_array_get_object_element (stages, s);
          const char *status = json_object_get_string_member_with_default (st, "status", "NotStarted");

          if (g_strcmp0 (json_object_get_string_member_with_default (st, "stageName", ""), name) == 0 &&
              !g_str_equal (status, "NotStarted"))
            goto not_latest;
        }
    }

  return TRUE;

not_latest:
  g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
               "NotLatestPipelineExecutionException: a later execution has run in stage %s "
               "since %s; only the latest execution in a stage can be retried", name, execution->id);
  return FALSE;
}

/* RetryStageExecution FAILED_ACTIONS while the stage's other actions
 * still run: the failed ones start again at once. */
static gboolean
retry_failed_while_running (Execution  *execution,
                            GError    **error)
{
  PwExecutor *self = execution->executor;
  guint index = (guint)execution->stage;
  GArray *members = group_members (self, index, execution->group);

  if (!is_latest_in_stage (execution, index, error))
    return FALSE;

  execution->stages[index].attempt++;
  note_manual_retry (&execution->stages[index]);
  emit_event (execution, "CodePipeline Stage Execution State Change", "RESUMED", index, NULL);
  for (guint m = 0; m < members->len; m++)
    {
      guint a = g_array_index (members, guint, m);
      ActionRun *run = latest_run (execution, index, a);

      if (run != NULL && (g_strcmp0 (run->status, "Failed") == 0 ||
                          g_strcmp0 (run->status, "Abandoned") == 0))
        start_action (execution, index, a);
    }
  save (execution);

  return TRUE;
}

gboolean
pw_executor_retry (PwExecutor  *self,
                   const char  *execution_id,
                   const char  *stage_name_,
                   gboolean     all_actions,
                   GError     **error)
{
  Execution *execution;

  g_return_val_if_fail (PW_IS_EXECUTOR (self), FALSE);
  g_return_val_if_fail (execution_id != NULL, FALSE);

  if ((execution = lookup (self, execution_id, error)) == NULL)
    return FALSE;

  /* The service lets failed actions be retried as soon as one failed,
   * while the others of the stage still run. */
  if (!execution->finished && !all_actions && execution->inside && execution->stage >= 0 &&
      g_strcmp0 (stage_name (self, execution->stage), stage_name_) == 0 &&
      execution->group < n_groups (self, execution->stage) &&
      group_failed (execution, execution->group))
    return retry_failed_while_running (execution, error);

  if (execution->pipeline_version != self->version)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                   "execution %s cannot be retried: the pipeline file changed since it ran (it ran "
                   "version %" G_GINT64_FORMAT "; the file is version %" G_GINT64_FORMAT " now), and "
                   "CodePipeline retries a stage only with the pipeline the execution started with "
                   "(StageNotRetryableException); start a new execution instead",
                   execution->id, execution->pipeline_version, self->version);
      return FALSE;
    }

  if (!execution->finished)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                   "execution %s cannot be retried yet: it is still running; a stage is retried once "
                   "it failed or was stopped (stop it first with: pipewright-cli stop %s)",
                   execution->id, execution->id);
      return FALSE;
    }
  if (!g_str_equal (execution->status, "Failed") && !g_str_equal (execution->status, "Stopped"))
    {
      if (g_str_equal (execution->status, "Succeeded"))
        g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                     "execution %s cannot be retried: it succeeded, so nothing failed to retry",
                     execution->id);
      else
        g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                     "execution %s cannot be retried: it is %s; only an execution that failed or was "
                     "stopped can be", execution->id, execution->status);
      return FALSE;
    }
  if (execution->stage < 0 || (guint)execution->stage >= self->n_stages ||
      g_strcmp0 (stage_name (self, execution->stage), stage_name_) != 0)
    {
      g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
      g_auto(GStrv) all = NULL;
      const char *meant;

      for (guint i = 0; i < self->n_stages; i++)
        g_strv_builder_add (names, stage_name (self, i));
      all = g_strv_builder_end (names);
      meant = pw_suggest_word (stage_name_, (const char * const *)all);
      if (meant == NULL && !g_strv_contains ((const char * const *)all, stage_name_))
        g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                     "the pipeline has no stage %s%s%s", stage_name_,
                     execution->stage >= 0 && (guint)execution->stage < self->n_stages
                       ? "; execution ended in stage " : "",
                     execution->stage >= 0 && (guint)execution->stage < self->n_stages
                       ? stage_name (self, execution->stage) : "");
      else if (meant != NULL && !g_strv_contains ((const char * const *)all, stage_name_))
        g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                     "the pipeline has no stage %s; did you mean %s?", stage_name_, meant);
      else
        g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                     "execution %s cannot be retried in stage %s: it did not fail or stop there%s%s; "
                     "a retry reruns the stage where the execution ended",
                     execution->id, stage_name_,
                     execution->stage >= 0 ? "; it ended in stage " : "",
                     execution->stage >= 0 && (guint)execution->stage < self->n_stages
                       ? stage_name (self, execution->stage) : "");
      return FALSE;
    }
  if (!execution->inside)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                   "Execution %s was waiting in front of stage %s; nothing failed inside it to retry",
                   execution->id, stage_name_);
      return FALSE;
    }
  if (!is_latest_in_stage (execution, execution->stage, error))
    return FALSE;

  note_manual_retry (&execution->stages[execution->stage]);
  return retry_stage (execution, all_actions, FALSE, error);
}

gboolean
pw_executor_decide (PwExecutor  *self,
                    const char  *execution_id,
                    const char  *stage_name_,
                    const char  *action_name,
                    gboolean     approved,
                    const char  *summary,
                    const char  *by,
                    GError     **error)
{
  Execution *execution;

  g_return_val_if_fail (PW_IS_EXECUTOR (self), FALSE);
  g_return_val_if_fail (execution_id != NULL, FALSE);

  /* ApprovalResult.summary: at most 512 characters. */
  if (summary != NULL && g_utf8_strlen (summary, -1) > 512)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   "An approval summary has at most 512 characters, not %ld",
                   g_utf8_strlen (summary, -1));
      return FALSE;
    }

  if ((execution = lookup (self, execution_id, error)) == NULL)
    return FALSE;

  for (guint i = execution->actions->len; i > 0; i--)
    {
      ActionRun *run = g_ptr_array_index (execution->actions, i - 1);
      PwAction *action = pw_stage_get_action (stage_at (self, run->stage), run->action);

      if (g_strcmp0 (stage_name (self, run->stage), stage_name_) != 0 ||
          g_strcmp0 (pw_action_get_name (action), action_name) != 0)
        continue;

      if (!run->running || run->token == NULL || run->job == NULL)
        {
          /* Say why: an approve that comes just after the approval timed
           * out must read "timed out". */
          if (run->summary != NULL)
            g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                         "%s/%s is not waiting for approval (it is %s: %s)", stage_name_,
                         action_name, run->status, run->summary);
          else
            g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                         "%s/%s is not waiting for approval (it is %s)", stage_name_,
                         action_name, run->status);
          return FALSE;
        }

      pw_action_job_decide (run->job, approved, summary, by);
      return TRUE;
    }

  /* A misspelt name: the approvals of the pipeline, one of which was meant. */
  {
    g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
    g_auto(GStrv) all = NULL;
    g_autofree char *wanted = g_strdup_printf ("%s/%s", stage_name_, action_name);
    const char *meant;

    for (guint s = 0; s < self->n_stages; s++)
      for (guint a = 0; a < pw_stage_get_n_actions (stage_at (self, s)); a++)
        {
          PwAction *action = pw_stage_get_action (stage_at (self, s), a);

          if (g_strcmp0 (pw_action_get_category (action), "Approval") == 0)
            {
              g_autofree char *name = g_strdup_printf ("%s/%s", stage_name (self, s), pw_action_get_name (action));

              g_strv_builder_add (names, name);
            }
        }
    all = g_strv_builder_end (names);
    meant = pw_suggest_word (wanted, (const char * const *)all);
    if (meant != NULL)
      {
        g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_NOT_FOUND,
                     "No action %s/%s has run in execution %s; did you mean %s?", stage_name_, action_name,
                     execution->id, meant);
        return FALSE;
      }
  }
  g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_NOT_FOUND,
               "No action %s/%s has run in execution %s", stage_name_, action_name, execution->id);
  return FALSE;
}

/**
 * pw_executor_dup_disabled_transitions:
 *
 * Returns: (transfer full): stage name → reason ("" for none) of each stage
 *   whose inbound transition is disabled now
 */
GHashTable *
pw_executor_dup_disabled_transitions (PwExecutor *self)
{
  GHashTable *disabled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_return_val_if_fail (PW_IS_EXECUTOR (self), disabled);

  for (guint i = 0; i < self->n_stages; i++)
    if (self->disabled[i] && pw_stage_get_name (stage_at (self, i)) != NULL)
      g_hash_table_insert (disabled, g_strdup (pw_stage_get_name (stage_at (self, i))),
                           g_strdup (self->disabled_reason[i] != NULL ? self->disabled_reason[i] : ""));
  return disabled;
}

gboolean
pw_executor_set_transition (PwExecutor  *self,
                            const char  *name,
                            gboolean     enabled,
                            const char  *reason,
                            GError     **error)
{
  g_return_val_if_fail (PW_IS_EXECUTOR (self), FALSE);

  for (guint i = 0; i < self->n_stages; i++)
    {
      Execution *next;

      if (g_strcmp0 (pw_stage_get_name (stage_at (self, i)), name) != 0)
        continue;

      self->disabled[i] = !enabled;
      set_str (&self->disabled_reason[i], enabled ? NULL : reason);
      /* Kept for the runs after this one, as the service keeps it. */
      {
        g_autoptr(GError) local = NULL;

        if (!pw_state_save_transition (self->state_dir, pw_pipeline_get_name (self->pipeline), name, enabled,
                                       reason, NULL, &local))
          g_warning ("Cannot record the transition into %s: %s", name, local->message);
      }

      /* Enabling lets the waiting execution in at once. */
      if (enabled && (!uses_locks (self) || self->holders[i] == NULL))
        while ((next = g_queue_pop_head (self->waiting[i])) != NULL)
          {
            enter_stage (next, i);
            if (uses_locks (self))
              break;
          }
      return TRUE;
    }

  g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_NOT_FOUND, "No stage named '%s'", name);
  return FALSE;
}

/* A string-to-string map of a request, as a hash table. */
static GHashTable *
request_map (JsonObject *request,
             const char *member)
{
  GHashTable *map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  JsonObject *object = json_object_has_member (request, member) &&
                       JSON_NODE_HOLDS_OBJECT (json_object_get_member (request, member))
                       ? json_object_get_object_member (request, member) : NULL;
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  if (object == NULL)
    return map;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &key, &value))
    if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
      g_hash_table_insert (map, g_strdup (key), g_strdup (json_node_get_string (value)));

  return map;
}

/* Another `pipewright-cli run` of this pipeline: its execution joins the
 * ones this process runs, so stage locks and the execution mode hold
 * across both, as StartPipelineExecution would. */
static char *
start_from_request (PwExecutor  *self,
                    JsonObject  *request,
                    GError     **error)
{
  const char *hash = json_object_get_string_member_with_default (request, "pipelineHash", "");
  const char *approvals = json_object_get_string_member_with_default (request, "approvals", "wait");
  const char *last_stage = json_object_get_string_member_with_default (request, "lastStage", NULL);
  const char *by = json_object_get_string_member_with_default (request, "by", "pipewright-cli");
  g_autoptr(GHashTable) variables = request_map (request, "variables");
  g_autoptr(GHashTable) revisions = request_map (request, "sourceRevisions");
  PwApprovalMode mode = g_str_equal (approvals, "approve") ? PW_APPROVAL_AUTO_APPROVE
                      : g_str_equal (approvals, "reject") ? PW_APPROVAL_AUTO_REJECT
                      : PW_APPROVAL_WAIT;

  if (!g_str_equal (hash, self->pipeline_hash))
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                   "The pipewright-cli already running this pipeline (pid %d) runs version %"
                   G_GINT64_FORMAT " of it, and the file has changed since; start again once "
                   "its executions end (or stop them)", (int)getpid (), self->version);
      return NULL;
    }

  return pw_executor_start_full (self, variables, revisions, "StartPipelineExecution", by, mode,
                                 last_stage, error);
}

static void
handle_request (PwExecutor *self,
                const char *path)
{
  g_autoptr(JsonNode) node = _pw_state_read_json (path, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) reply = NULL;
  g_autofree char *reply_path = NULL;
  g_autofree char *started = NULL;
  JsonObject *request;
  const char *op, *id, *execution_id, *stage, *action, *summary, *by;
  gboolean ok = FALSE;

  if (self->leaving || node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;
  /* Taken: a sender whose runner leaves finds it gone and knows. */
  if (g_unlink (path) != 0)
    return;

  request = json_node_get_object (node);
  op = json_object_get_string_member_with_default (request, "op", "");
  id = json_object_get_string_member_with_default (request, "id", NULL);
  execution_id = json_object_get_string_member_with_default (request, "executionId", "");
  stage = json_object_get_string_member_with_default (request, "stage", "");
  action = json_object_get_string_member_with_default (request, "action", "");
  summary = json_object_get_string_member_with_default (request, "summary", NULL);
  by = json_object_get_string_member_with_default (request, "by", NULL);
  if (id == NULL)
    return;

  if (g_str_equal (op, "start"))
    {
      started = start_from_request (self, request, &error);
      ok = started != NULL;
    }
  else if (g_str_equal (op, "approve") || g_str_equal (op, "reject"))
    ok = pw_executor_decide (self, execution_id, stage, action, g_str_equal (op, "approve"),
                             summary, by, &error);
  else if (g_str_equal (op, "stop") || g_str_equal (op, "abandon"))
    ok = pw_executor_stop (self, execution_id, g_str_equal (op, "abandon"), summary, &error);
  else if (g_str_equal (op, "retry") || g_str_equal (op, "retry-all"))
    ok = pw_executor_retry (self, execution_id, stage, g_str_equal (op, "retry-all"), &error);
  else if (g_str_equal (op, "override-condition"))
    ok = pw_executor_override_condition (self, execution_id, stage,
                                         json_object_get_string_member_with_default (request, "conditionType", ""),
                                         &error);
  else if (g_str_equal (op, "rollback"))
    {
      const char *target = json_object_get_string_member_with_default (request, "targetExecutionId", NULL);

      started = pw_executor_rollback (self, stage, target != NULL && *target != '\0' ? target : NULL, by, &error);
      ok = started != NULL;
    }
  else if (g_str_equal (op, "enable-transition") || g_str_equal (op, "disable-transition"))
    ok = pw_executor_set_transition (self, stage, g_str_equal (op, "enable-transition"), summary, &error);
  else
    g_set_error (&error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE, "Unknown request '%s'", op);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ok");
  json_builder_add_boolean_value (b, ok);
  if (started != NULL)
    {
      json_builder_set_member_name (b, "executionId");
      json_builder_add_string_value (b, started);
    }
  if (error != NULL)
    {
      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, error->message);
      if (error->domain == PW_ENGINE_ERROR)
        {
          json_builder_set_member_name (b, "errorCode");
          json_builder_add_int_value (b, error->code);
        }
    }
  json_builder_end_object (b);
  reply = json_builder_get_root (b);

  {
    g_autofree char *name = g_strdup_printf ("%s.reply.json", id);
    reply_path = g_build_filename (self->state_dir, "control", name, NULL);
  }
  _pw_state_write_json (reply_path, reply, NULL);
}

static void
control_changed_cb (GFileMonitor      *monitor,
                    GFile             *file,
                    GFile             *other,
                    GFileMonitorEvent  event,
                    PwExecutor        *self)
{
  g_autofree char *path = NULL;
  GFile *target = file;

  if (event == G_FILE_MONITOR_EVENT_MOVED_IN || event == G_FILE_MONITOR_EVENT_RENAMED)
    target = other != NULL ? other : file;
  else if (event != G_FILE_MONITOR_EVENT_CREATED && event != G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT)
    return;

  path = g_file_get_path (target);
  if (path != NULL && g_str_has_suffix (path, ".request.json") && g_file_test (path, G_FILE_TEST_EXISTS))
    handle_request (self, path);
}

/* Requests written before we watched: a sender sees the runner as soon
 * as it holds the lock, before it serves. */
static void
serve_waiting_requests (PwExecutor *self,
                        const char *control)
{
  g_autoptr(GDir) dir = g_dir_open (control, 0, NULL);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".request.json"))
      g_ptr_array_add (paths, g_build_filename (control, name, NULL));

  for (guint i = 0; i < paths->len; i++)
    handle_request (self, g_ptr_array_index (paths, i));
}

gboolean
pw_executor_serve_requests (PwExecutor  *self,
                            GError     **error)
{
  g_autofree char *control = NULL;
  g_autoptr(GFile) dir = NULL;

  g_return_val_if_fail (PW_IS_EXECUTOR (self), FALSE);

  if (self->control_monitor != NULL)
    return TRUE;

  control = g_build_filename (self->state_dir, "control", NULL);
  g_mkdir_with_parents (control, 0755);
  dir = g_file_new_for_path (control);
  self->control_monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_WATCH_MOVES, NULL, error);
  if (self->control_monitor == NULL)
    return FALSE;

  g_signal_connect_object (self->control_monitor, "changed", G_CALLBACK (control_changed_cb), self, 0);
  serve_waiting_requests (self, control);
  return TRUE;
}

/**
 * pw_executor_stop_serving:
 * @self: a #PwExecutor
 *
 * Takes no more requests: call it when the process is about to end,
 * then let it end only while pw_executor_is_busy() is %FALSE (a request
 * taken just before may have started an execution). A request left
 * untaken is found by its sender once this process has ended, and the
 * sender then runs the state folder itself: nothing sent is lost.
 */
void
pw_executor_stop_serving (PwExecutor *self)
{
  g_return_if_fail (PW_IS_EXECUTOR (self));

  self->leaving = TRUE;
  if (self->control_monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->control_monitor, self);
}

gboolean
pw_executor_is_busy (PwExecutor *self)
{
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (PW_IS_EXECUTOR (self), FALSE);

  g_hash_table_iter_init (&iter, self->executions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (!((Execution *)value)->finished)
      return TRUE;

  return FALSE;
}

/**
 * pw_executor_dup_execution:
 *
 * Returns: (transfer full) (nullable): the execution's record
 */
JsonNode *
pw_executor_dup_execution (PwExecutor *self,
                           const char *execution_id)
{
  Execution *execution;
  JsonNode *node;

  g_return_val_if_fail (PW_IS_EXECUTOR (self), NULL);
  g_return_val_if_fail (execution_id != NULL, NULL);

  execution = lookup (self, execution_id, NULL);
  if (execution == NULL)
    return NULL;
  {
    g_autoptr(JsonNode) unmasked = execution_to_json (execution);

    node = _pw_secrets_mask_node (execution->secrets, unmasked);
  }
  return node;
}

/*
 * _pw_executor_dup_execution_since:
 * @since: what @serial said at the last call for this execution, or 0
 * @serial: (out): where this record stands
 *
 * The execution's record as pw_executor_dup_execution() has it, but of its
 * action attempts only those whose state changed after @since (and those
 * still running): what an event-driven view needs, at a cost that does
 * not grow with the actions that already ended.
 *
 * Returns: (transfer full) (nullable):
 */
JsonNode *
_pw_executor_dup_execution_since (PwExecutor *self,
                                  const char *execution_id,
                                  guint64     since,
                                  guint64    *serial)
{
  Execution *execution;

  g_return_val_if_fail (PW_IS_EXECUTOR (self), NULL);
  g_return_val_if_fail (execution_id != NULL, NULL);

  execution = lookup (self, execution_id, NULL);
  if (execution == NULL)
    return NULL;
  *serial = execution->serial;
  {
    g_autoptr(JsonNode) unmasked = execution_to_json_since (execution, since);

    return _pw_secrets_mask_node (execution->secrets, unmasked);
  }
}

const char *
pw_executor_get_status (PwExecutor *self,
                        const char *execution_id)
{
  Execution *execution;

  g_return_val_if_fail (PW_IS_EXECUTOR (self), NULL);
  g_return_val_if_fail (execution_id != NULL, NULL);

  execution = lookup (self, execution_id, NULL);
  return execution != NULL ? execution->status : NULL;
}

static int
find_stage_index (PwExecutor *self,
                  const char *name)
{
  for (guint i = 0; i < self->n_stages; i++)
    if (g_strcmp0 (pw_stage_get_name (stage_at (self, i)), name) == 0)
      return i;
  return -1;
}

static Execution *
execution_from_record (PwExecutor  *self,
                       JsonObject  *o,
                       GError     **error)
{
  Execution *execution;
  JsonArray *list;
  const char *status = json_object_get_string_member_with_default (o, "status", "");

  execution = execution_new (self);
  execution->id = g_strdup (json_object_get_string_member (o, "pipelineExecutionId"));
  execution->pipeline_version = json_object_get_int_member_with_default (o, "pipelineVersion",
                                                                        self->version);
  execution->status = g_strdup (status);
  execution->summary = g_strdup (json_object_get_string_member_with_default (o, "statusSummary", NULL));
  execution->start_time = g_strdup (json_object_get_string_member_with_default (o, "startTime", NULL));
  execution->finished = TRUE;
  execution->execution_type = g_strdup (json_object_get_string_member_with_default (o, "executionType", "STANDARD"));

  if (json_object_has_member (o, "trigger"))
    {
      JsonObject *t = json_object_get_object_member (o, "trigger");

      execution->trigger_type = g_strdup (json_object_get_string_member_with_default (t, "triggerType", "StartPipelineExecution"));
      execution->trigger_detail = g_strdup (json_object_get_string_member_with_default (t, "triggerDetail", "pipewright-cli"));
    }

  /* The conditions and rules it evaluated stay in its history. */
  if (json_object_has_member (o, "conditionExecutions") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "conditionExecutions")))
    {
      /* A copy of its own (the record's may be sealed, and shares). */
      g_autoptr(JsonNode) copy = copy_deep (json_object_get_member (o, "conditionExecutions"));

      json_array_unref (execution->condition_runs);
      execution->condition_runs = json_array_ref (json_node_get_array (copy));
    }
  if (json_object_has_member (o, "ruleExecutions") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "ruleExecutions")))
    {
      /* A copy of its own (the record's may be sealed, and shares). */
      g_autoptr(JsonNode) copy = copy_deep (json_object_get_member (o, "ruleExecutions"));

      json_array_unref (execution->rule_runs);
      execution->rule_runs = json_array_ref (json_node_get_array (copy));
    }

  if (json_object_has_member (o, "variables") &&
      (list = json_object_get_array_member (o, "variables")) != NULL)
    for (guint i = 0; i < json_array_get_length (list); i++)
      {
        JsonObject *v = json_array_get_object_element (list, i);

        g_hash_table_insert (execution->pipeline_variables,
                             g_strdup (json_object_get_string_member_with_default (v, "name", "")),
                             g_strdup (json_object_get_string_member_with_default (v, "resolvedValue", "")));
      }

  if (json_object_has_member (o, "artifactRevisions") &&
      (list = json_object_get_array_member (o, "artifactRevisions")) != NULL)
    for (guint i = 0; i < json_array_get_length (list); i++)
      {
        JsonObject *v = json_array_get_object_element (list, i);

        g_hash_table_insert (execution->source_revisions,
                             g_strdup (json_object_get_string_member_with_default (v, "actionName", "")),
                             g_strdup (json_object_get_string_member_with_default (v, "revisionId", "")));
      }

  if (json_object_has_member (o, "stages") &&
      (list = json_object_get_array_member (o, "stages")) != NULL)
    for (guint i = 0; i < json_array_get_length (list); i++)
      {
        JsonObject *st = json_array_get_object_element (list, i);
        int index = find_stage_index (self, json_object_get_string_member_with_default (st, "stageName", ""));
        const char *ss = json_object_get_string_member_with_default (st, "status", "NotStarted");

        if (index < 0)
          continue;
        if (!g_str_equal (ss, "NotStarted"))
          execution->stages[index].status = g_strdup (ss);
        execution->stages[index].start_time = g_strdup (json_object_get_string_member_with_default (st, "startTime", NULL));
        execution->stages[index].end_time = g_strdup (json_object_get_string_member_with_default (st, "endTime", NULL));
        execution->stages[index].attempt = json_object_get_int_member_with_default (st, "attempt", 0);
        if (json_object_has_member (st, "retryStageMetadata") &&
            JSON_NODE_HOLDS_OBJECT (json_object_get_member (st, "retryStageMetadata")))
          {
            JsonObject *meta = json_object_get_object_member (st, "retryStageMetadata");
            StageRun *run = &execution->stages[index];

            run->auto_retries = json_object_get_int_member_with_default (meta, "autoStageRetryAttempt", 0);
            run->manual_retries = json_object_get_int_member_with_default (meta, "manualStageRetryAttempt", 0);
            run->latest_retry_trigger =
              g_strcmp0 (json_object_get_string_member_with_default (meta, "latestRetryTrigger", ""),
                         "AutomatedStageRetry") == 0 ? "AutomatedStageRetry" : "ManualStageRetry";
            run->auto_retry_pending = g_str_equal (run->latest_retry_trigger, "AutomatedStageRetry");
          }
        if (g_str_equal (ss, "Failed") || g_str_equal (ss, "Stopped"))
          {
            execution->stage = index;
            execution->inside = TRUE;
          }
      }

  if (json_object_has_member (o, "actions") &&
      (list = json_object_get_array_member (o, "actions")) != NULL)
    for (guint i = 0; i < json_array_get_length (list); i++)
      {
        JsonObject *a = json_array_get_object_element (list, i);
        int s = find_stage_index (self, json_object_get_string_member_with_default (a, "stageName", ""));
        PwAction *action;
        ActionRun *run;
        JsonObject *vars;
        JsonArray *outputs;

        if (s < 0 || (action = pw_stage_find_action (stage_at (self, s),
                        json_object_get_string_member_with_default (a, "actionName", ""))) == NULL)
          {
            g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                         "The pipeline changed since execution %s ran (no %s/%s any more); "
                         "it cannot be retried",
                         execution->id, json_object_get_string_member_with_default (a, "stageName", "?"),
                         json_object_get_string_member_with_default (a, "actionName", "?"));
            execution_free (execution);
            return NULL;
          }

        run = g_new0 (ActionRun, 1);
        run->execution = execution;
        run->stage = s;
        run->action = pw_element_get_index (PW_ELEMENT (action));
        run->id = g_strdup (json_object_get_string_member_with_default (a, "actionExecutionId", ""));
        run->status = g_strdup (json_object_get_string_member_with_default (a, "status", "Failed"));
        run->summary = g_strdup (json_object_get_string_member_with_default (a, "summary", NULL));
        run->external_id = g_strdup (json_object_get_string_member_with_default (a, "externalExecutionId", NULL));
        run->log_path = g_strdup (json_object_get_string_member_with_default (a, "logPath", NULL));
        run->error_code = g_strdup (json_object_get_string_member_with_default (a, "errorCode", NULL));
        run->start_time = g_strdup (json_object_get_string_member_with_default (a, "startTime", NULL));
        run->end_time = g_strdup (json_object_get_string_member_with_default (a, "lastUpdateTime", NULL));
        run->attempt = json_object_get_int_member_with_default (a, "attempt", 1);
        run->simulated = json_object_get_boolean_member_with_default (a, "simulated", FALSE);
        run->variables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
        run->outputs = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
        if (json_object_has_member (a, "report"))
          run->report = json_node_copy (json_object_get_member (a, "report"));

        if (g_str_equal (run->status, "Succeeded"))
          {
            if (json_object_has_member (a, "outputVariables") &&
                (vars = json_object_get_object_member (a, "outputVariables")) != NULL)
              {
                JsonObjectIter iter;
                const char *name;
                JsonNode *value;

                json_object_iter_init_ordered (&iter, vars);
                while (json_object_iter_next_ordered (&iter, &name, &value))
                  {
                    const char *text = json_node_get_string (value);

                    g_hash_table_insert (run->variables, g_strdup (name), g_strdup (text));
                    if (pw_action_get_namespace (action) != NULL)
                      g_hash_table_insert (execution->namespaces,
                                           g_strdup_printf ("%s.%s", pw_action_get_namespace (action), name),
                                           g_strdup (text));
                  }
              }
            if (json_object_has_member (a, "outputArtifacts") &&
                (outputs = json_object_get_array_member (a, "outputArtifacts")) != NULL)
              for (guint k = 0; k < json_array_get_length (outputs); k++)
                {
                  JsonNode *out = json_array_get_element (outputs, k);

                  g_ptr_array_add (run->outputs, json_node_copy (out));
                  g_hash_table_insert (execution->artifacts,
                                       g_strdup (json_object_get_string_member_with_default (json_node_get_object (out), "name", "")),
                                       json_node_copy (out));
                }
          }

        add_run (execution, run);
      }

  /* The group to pick up from: the first one not wholly successful. */
  if (execution->stage >= 0 && (guint)execution->stage < self->n_stages)
    {
      execution->group = 0;
      for (guint g = 0; g < n_groups (self, execution->stage); g++)
        if (!group_done (execution, g))
          {
            execution->group = g;
            break;
          }
    }

  return execution;
}

gboolean
pw_executor_load_execution (PwExecutor  *self,
                            const char  *execution_id,
                            GError     **error)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *o;
  Execution *execution;
  const char *status;

  g_return_val_if_fail (PW_IS_EXECUTOR (self), FALSE);

  node = pw_state_load_execution (self->state_dir, execution_id, error);
  if (node == NULL)
    return FALSE;
  o = json_node_get_object (node);

  if (g_hash_table_contains (self->executions, json_object_get_string_member (o, "pipelineExecutionId")))
    return TRUE;

  status = json_object_get_string_member_with_default (o, "status", "");
  if (!g_str_equal (status, "Failed") && !g_str_equal (status, "Stopped"))
    {
      const char *id = json_object_get_string_member (o, "pipelineExecutionId");

      /* Said as a retry would say it: that is what takes executions over. */
      if (g_str_equal (status, "Succeeded"))
        g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                     "execution %s cannot be retried: it succeeded, so nothing failed to retry", id);
      else if (g_str_equal (status, "InProgress") || g_str_equal (status, "Stopping"))
        g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                     "execution %s cannot be retried yet: it is still running; a stage is retried once "
                     "it failed or was stopped (stop it first with: pipewright-cli stop %s)", id, id);
      else
        g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                     "execution %s cannot be retried: it is %s; only an execution that failed or was "
                     "stopped can be", id, status);
      return FALSE;
    }

  execution = execution_from_record (self, o, error);
  if (execution == NULL)
    return FALSE;

  g_hash_table_insert (self->executions, execution->id, execution);
  return TRUE;
}

/* Rollback ------------------------------------------------------------------- */

/* Whether the record @o succeeded in the stage @name. */
static gboolean
record_succeeded_in (JsonObject *o,
                     const char *name)
{
  JsonArray *stages = json_object_has_member (o, "stages") ? json_object_get_array_member (o, "stages") : NULL;

  for (guint k = 0; stages != NULL && k < json_array_get_length (stages); k++)
    {
      JsonObject *st = json_array_get_object_element (stages, k);

      if (g_strcmp0 (json_object_get_string_member_with_default (st, "stageName", ""), name) == 0)
        return g_strcmp0 (json_object_get_string_member_with_default (st, "status", ""), "Succeeded") == 0;
    }
  return FALSE;
}

/* A new ROLLBACK execution that runs stage @stage again with the
 * artifacts and variables of the record @target. */
static Execution *
begin_rollback (PwExecutor  *self,
                guint        stage,
                JsonObject  *target,
                const char  *trigger_type,
                const char  *trigger_detail,
                GError     **error)
{
  Execution *execution;

  /* Rebuild the target's state, then make it a new execution that runs
   * only this stage. Reading its record (rather than the live object) also
   * works when the target ran in another process, days ago. */
  execution = execution_from_record (self, target, error);
  if (execution == NULL)
    return NULL;

  /* Keep only what ran before the stage: the stage itself runs anew. */
  for (guint i = execution->actions->len; i > 0; i--)
    {
      ActionRun *run = g_ptr_array_index (execution->actions, i - 1);

      if (run->stage >= stage)
        remove_run (execution, i - 1);
    }
  for (guint i = 0; i < self->n_stages; i++)
    {
      if (i < stage)
        continue;
      g_clear_pointer (&execution->stages[i].status, g_free);
      g_clear_pointer (&execution->stages[i].start_time, g_free);
      g_clear_pointer (&execution->stages[i].end_time, g_free);
      execution->stages[i].attempt = 0;
    }

  json_array_unref (execution->condition_runs);
  execution->condition_runs = json_array_new ();
  json_array_unref (execution->rule_runs);
  execution->rule_runs = json_array_new ();
  set_str (&execution->rollback_target, execution->id);
  g_free (execution->id);
  execution->id = g_uuid_string_random ();
  set_str (&execution->execution_type, "ROLLBACK");
  set_str (&execution->status, "InProgress");
  set_str (&execution->summary, NULL);
  set_str (&execution->trigger_type, trigger_type);
  set_str (&execution->trigger_detail, trigger_detail);
  g_free (execution->start_time);
  execution->start_time = now_iso ();
  execution->finished = FALSE;
  execution->inside = FALSE;
  execution->only_stage = stage;
  execution->stage = stage;

  g_hash_table_insert (self->executions, execution->id, execution);
  save (execution);
  emit_event (execution, "CodePipeline Pipeline Execution State Change", "STARTED", -1, NULL);
  try_enter (execution, stage);
  return execution;
}

static char *
start_rollback (Execution *failed,
                guint      stage)
{
  PwExecutor *self = failed->executor;
  g_autoptr(GPtrArray) records = pw_state_list_executions (self->state_dir, NULL);
  g_autoptr(GError) error = NULL;
  JsonObject *target = NULL;
  Execution *execution;
  const char *name = stage_name (self, stage);

  /* The newest execution, not itself a rollback, that succeeded in the
   * stage under the current pipeline version (the service refuses older
   * ones: PipelineExecutionOutdatedException): its artifacts and
   * variables are what gets redeployed. */
  for (guint i = 0; records != NULL && i < records->len && target == NULL; i++)
    {
      JsonObject *o = json_node_get_object (g_ptr_array_index (records, i));

      if (g_strcmp0 (json_object_get_string_member_with_default (o, "executionType", "STANDARD"), "ROLLBACK") == 0 ||
          g_strcmp0 (json_object_get_string_member_with_default (o, "pipelineExecutionId", ""), failed->id) == 0 ||
          json_object_get_int_member_with_default (o, "pipelineVersion", 0) != self->version)
        continue;
      if (record_succeeded_in (o, name))
        target = o;
    }

  if (target == NULL)
    return g_strdup_printf ("no earlier execution succeeded in stage %s under this version of "
                            "the pipeline (%" G_GINT64_FORMAT "), so there is nothing to roll "
                            "back to", name, self->version);

  execution = begin_rollback (self, stage, target, "AutomatedRollback", failed->id, &error);
  if (execution == NULL)
    return g_strdup_printf ("cannot roll back stage %s: %s", name, error->message);

  return g_strdup_printf ("rolled back by execution %s to the revisions of %s",
                          execution->id, execution->rollback_target);
}

/**
 * pw_executor_override_condition:
 * @condition_type_: BEFORE_ENTRY or ON_SUCCESS
 *
 * OverrideStageCondition: the stage's conditions of that type, being
 * evaluated now for the execution, are bypassed: the rule running is
 * abandoned, the condition is Overridden, and the execution goes on as
 * if they had passed.
 */
gboolean
pw_executor_override_condition (PwExecutor  *self,
                                const char  *execution_id,
                                const char  *stage_name_,
                                const char  *condition_type_,
                                GError     **error)
{
  Execution *execution;
  Conditions *cond;

  g_return_val_if_fail (PW_IS_EXECUTOR (self), FALSE);

  if ((execution = lookup (self, execution_id, error)) == NULL)
    return FALSE;
  cond = execution->evaluating;
  if (cond == NULL || g_strcmp0 (stage_name (self, cond->stage), stage_name_) != 0 ||
      g_strcmp0 (condition_type (cond->kind), condition_type_) != 0 ||
      g_str_equal (cond->kind, "onFailure") || cond->overridden)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                   "No %s condition of stage %s is being evaluated for execution %s: only a condition in "
                   "progress can be overridden", condition_type_, stage_name_, execution->id);
      return FALSE;
    }
  cond->overridden = TRUE;
  if (cond->log != NULL)
    pw_log_printf (cond->log, "The %s conditions are overridden (OverrideStageCondition)", cond->kind);
  /* The running rule's command ends, and its end finishes the override. */
  if (cond->cancellable != NULL)
    g_cancellable_cancel (cond->cancellable);
  else
    {
      rule_end (cond, "Abandoned", "The condition was overridden");
      conditions_finish (cond, TRUE, NULL, "overridden (OverrideStageCondition)");
    }
  return TRUE;
}

/**
 * pw_executor_rollback:
 * @stage_name_: the stage to roll back
 * @target_id: (nullable): the execution whose artifacts and variables it
 *   runs again; %NULL for the newest one that succeeded in the stage
 * @by: (nullable): who asks (the trigger's detail)
 *
 * RollbackStage: a new ROLLBACK execution (trigger ManualRollback) runs
 * @stage_name_ again with what @target_id ran it with. As the service:
 * not the first stage, not in PARALLEL mode, not while an execution is in
 * the stage, and only to an execution that is no rollback itself, that
 * started under the pipeline's current version
 * (%PW_ENGINE_ERROR_OUTDATED otherwise) and succeeded in the stage.
 *
 * Returns: (transfer full): the new execution's id, or %NULL
 */
char *
pw_executor_rollback (PwExecutor  *self,
                      const char  *stage_name_,
                      const char  *target_id,
                      const char  *by,
                      GError     **error)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(JsonNode) given = NULL;
  JsonObject *target = NULL;
  GHashTableIter iter;
  gpointer value;
  Execution *execution;
  int stage = -1;

  g_return_val_if_fail (PW_IS_EXECUTOR (self), NULL);
  g_return_val_if_fail (stage_name_ != NULL, NULL);

  for (guint i = 0; i < self->n_stages && stage < 0; i++)
    if (g_str_equal (stage_name (self, i), stage_name_))
      stage = (int)i;
  if (stage < 0)
    {
      g_autoptr(GPtrArray) names = g_ptr_array_new ();
      const char *meant;

      for (guint i = 0; i < self->n_stages; i++)
        g_ptr_array_add (names, (gpointer)stage_name (self, i));
      g_ptr_array_add (names, NULL);
      meant = pw_suggest_word (stage_name_, (const char * const *)names->pdata);
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_NOT_FOUND, "The pipeline has no stage %s%s%s%s",
                   stage_name_, meant != NULL ? "; did you mean " : "", meant != NULL ? meant : "",
                   meant != NULL ? "?" : "");
      return NULL;
    }
  if (stage == 0)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                   "Stage %s cannot be rolled back: it is the first stage, where the sources are, and "
                   "CodePipeline rolls back the stages after it only", stage_name_);
      return NULL;
    }
  if (g_strcmp0 (self->mode, "PARALLEL") == 0)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                   "Stage %s cannot be rolled back: the pipeline runs in PARALLEL mode, which has no "
                   "rollback", stage_name_);
      return NULL;
    }
  g_hash_table_iter_init (&iter, self->executions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Execution *other = value;

      if (!other->finished && other->inside && other->stage == stage)
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_BUSY,
                       "Stage %s cannot be rolled back now: execution %s is in it", stage_name_, other->id);
          return NULL;
        }
    }

  if (target_id != NULL)
    {
      given = pw_state_load_execution (self->state_dir, target_id, error);
      if (given == NULL)
        return NULL;
      target = json_node_get_object (given);
      if (g_strcmp0 (json_object_get_string_member_with_default (target, "executionType", "STANDARD"),
                     "ROLLBACK") == 0)
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                       "Execution %s is a rollback itself; roll back to an execution that is not", target_id);
          return NULL;
        }
      if (json_object_get_int_member_with_default (target, "pipelineVersion", 0) != self->version)
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_OUTDATED,
                       "Execution %s ran version %" G_GINT64_FORMAT " of the pipeline; the file is version %"
                       G_GINT64_FORMAT " now, and a rollback runs an execution of the current version only",
                       target_id, json_object_get_int_member_with_default (target, "pipelineVersion", 0),
                       self->version);
          return NULL;
        }
      if (!record_succeeded_in (target, stage_name_))
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                       "Execution %s did not succeed in stage %s: there is nothing of it to roll back to",
                       target_id, stage_name_);
          return NULL;
        }
    }
  else
    {
      records = pw_state_list_executions (self->state_dir, NULL);
      for (guint i = 0; records != NULL && i < records->len && target == NULL; i++)
        {
          JsonObject *o = json_node_get_object (g_ptr_array_index (records, i));

          if (g_strcmp0 (json_object_get_string_member_with_default (o, "executionType", "STANDARD"),
                         "ROLLBACK") != 0 &&
              json_object_get_int_member_with_default (o, "pipelineVersion", 0) == self->version &&
              record_succeeded_in (o, stage_name_))
            target = o;
        }
      if (target == NULL)
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_NOT_FOUND,
                       "No execution of this version of the pipeline (%" G_GINT64_FORMAT ") succeeded in "
                       "stage %s: there is nothing to roll back to", self->version, stage_name_);
          return NULL;
        }
    }

  execution = begin_rollback (self, (guint)stage, target, "ManualRollback", by != NULL ? by : "pipewright",
                              error);
  return execution != NULL ? g_strdup (execution->id) : NULL;
}
