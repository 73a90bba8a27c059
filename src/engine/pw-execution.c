/* pw-execution.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Executions as objects a UI binds to. The record the executor writes is
 * the truth (the CLI's `status` prints it); these objects are that record
 * with notifications: an update compares each field and notifies only what
 * changed, and list models change by exact ranges. */

#define G_LOG_DOMAIN "pw-execution"

#include "config.h"

#include <string.h>

#include "pw-engine-private.h"
#include "pw-execution.h"

/* Field helpers ------------------------------------------------------------ */

/* Counts every notification the setters send (the objects live on one
 * thread): an update that moved it changed something, and says so once
 * with PwExecution::changed. */
static guint64 changes;

static void
set_str (GObject     *object,
         char       **field,
         const char  *value,
         GParamSpec  *pspec)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  changes++;
  g_object_notify_by_pspec (object, pspec);
}

static void
set_uint (GObject    *object,
          guint      *field,
          guint       value,
          GParamSpec *pspec)
{
  if (*field == value)
    return;
  *field = value;
  changes++;
  g_object_notify_by_pspec (object, pspec);
}

static void
set_bool (GObject    *object,
          gboolean   *field,
          gboolean    value,
          GParamSpec *pspec)
{
  value = !!value;
  if (*field == value)
    return;
  *field = value;
  changes++;
  g_object_notify_by_pspec (object, pspec);
}

/* @iso: the text @field was last read from: the same text is not parsed
 * again (an update reads every stage's times). */
static void
set_time (GObject     *object,
          GDateTime  **field,
          char       **iso_field,
          const char  *iso,
          GParamSpec  *pspec)
{
  g_autoptr(GDateTime) value = NULL;

  if (g_strcmp0 (*iso_field, iso) == 0)
    return;
  g_free (*iso_field);
  *iso_field = g_strdup (iso);
  value = iso != NULL ? g_date_time_new_from_iso8601 (iso, NULL) : NULL;
  if (*field == NULL && value == NULL)
    return;
  if (*field != NULL && value != NULL && g_date_time_equal (*field, value))
    return;
  g_clear_pointer (field, g_date_time_unref);
  *field = g_steal_pointer (&value);
  changes++;
  g_object_notify_by_pspec (object, pspec);
}

/* A member of the record, a copy kept when it changed. */
static void
set_node (GObject     *object,
          JsonNode   **field,
          JsonNode    *value,
          GParamSpec  *pspec)
{
  if (*field == NULL && value == NULL)
    return;
  if (*field != NULL && value != NULL && json_node_equal (*field, value))
    return;
  g_clear_pointer (field, json_node_unref);
  *field = value != NULL ? json_node_copy (value) : NULL;
  changes++;
  g_object_notify_by_pspec (object, pspec);
}

static const char *
str_member (JsonObject *o,
            const char *name)
{
  JsonNode *node = o != NULL ? json_object_get_member (o, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
int_member (JsonObject *o,
            const char *name,
            gint64      fallback)
{
  JsonNode *node = o != NULL ? json_object_get_member (o, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return fallback;
  return json_node_get_int (node);
}

static JsonObject *
object_member (JsonObject *o,
               const char *name)
{
  JsonNode *node = o != NULL ? json_object_get_member (o, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
array_member (JsonObject *o,
              const char *name)
{
  JsonNode *node = o != NULL ? json_object_get_member (o, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

gboolean
pw_execution_status_is_final (const char *status)
{
  return status != NULL &&
         (g_str_equal (status, "Succeeded") || g_str_equal (status, "Failed") ||
          g_str_equal (status, "Stopped") || g_str_equal (status, "Superseded") ||
          g_str_equal (status, "Cancelled") || g_str_equal (status, "Abandoned"));
}

/* PwActionExecution -------------------------------------------------------- */

struct _PwActionExecution
{
  GObject    parent_instance;

  char      *id;
  char      *stage_name;
  char      *action_name;
  guint      attempt;
  guint      run_order;
  char      *category;
  char      *provider;
  char      *status;
  char      *summary;
  char      *error_code;
  gboolean   simulated;
  GDateTime *start_time;
  GDateTime *update_time;
  char      *start_time_iso;
  char      *update_time_iso;
  char      *log_path;
  char      *external_id;
  char      *token;
  JsonNode  *configuration;
  JsonNode  *variables;
  JsonNode  *artifacts;
  JsonNode  *report;
};

enum {
  ACTION_PROP_0,
  ACTION_PROP_ID,
  ACTION_PROP_STAGE_NAME,
  ACTION_PROP_ACTION_NAME,
  ACTION_PROP_ATTEMPT,
  ACTION_PROP_RUN_ORDER,
  ACTION_PROP_CATEGORY,
  ACTION_PROP_PROVIDER,
  ACTION_PROP_STATUS,
  ACTION_PROP_SUMMARY,
  ACTION_PROP_ERROR_CODE,
  ACTION_PROP_SIMULATED,
  ACTION_PROP_START_TIME,
  ACTION_PROP_UPDATE_TIME,
  ACTION_PROP_LOG_PATH,
  ACTION_PROP_EXTERNAL_ID,
  ACTION_PROP_TOKEN,
  ACTION_PROP_CONFIGURATION,
  ACTION_PROP_VARIABLES,
  ACTION_PROP_ARTIFACTS,
  ACTION_PROP_REPORT,
  ACTION_N_PROPS
};

static GParamSpec *action_props [ACTION_N_PROPS];

G_DEFINE_FINAL_TYPE (PwActionExecution, pw_action_execution, G_TYPE_OBJECT)

static void
pw_action_execution_finalize (GObject *object)
{
  PwActionExecution *self = PW_ACTION_EXECUTION (object);

  g_free (self->id);
  g_free (self->stage_name);
  g_free (self->action_name);
  g_free (self->category);
  g_free (self->provider);
  g_free (self->status);
  g_free (self->summary);
  g_free (self->error_code);
  g_clear_pointer (&self->start_time, g_date_time_unref);
  g_clear_pointer (&self->update_time, g_date_time_unref);
  g_free (self->start_time_iso);
  g_free (self->update_time_iso);
  g_free (self->log_path);
  g_free (self->external_id);
  g_free (self->token);
  g_clear_pointer (&self->configuration, json_node_unref);
  g_clear_pointer (&self->variables, json_node_unref);
  g_clear_pointer (&self->artifacts, json_node_unref);
  g_clear_pointer (&self->report, json_node_unref);

  G_OBJECT_CLASS (pw_action_execution_parent_class)->finalize (object);
}

static void
pw_action_execution_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  PwActionExecution *self = PW_ACTION_EXECUTION (object);

  switch (prop_id)
    {
    case ACTION_PROP_ID: g_value_set_string (value, self->id); break;
    case ACTION_PROP_STAGE_NAME: g_value_set_string (value, self->stage_name); break;
    case ACTION_PROP_ACTION_NAME: g_value_set_string (value, self->action_name); break;
    case ACTION_PROP_ATTEMPT: g_value_set_uint (value, self->attempt); break;
    case ACTION_PROP_RUN_ORDER: g_value_set_uint (value, self->run_order); break;
    case ACTION_PROP_CATEGORY: g_value_set_string (value, self->category); break;
    case ACTION_PROP_PROVIDER: g_value_set_string (value, self->provider); break;
    case ACTION_PROP_STATUS: g_value_set_string (value, self->status); break;
    case ACTION_PROP_SUMMARY: g_value_set_string (value, self->summary); break;
    case ACTION_PROP_ERROR_CODE: g_value_set_string (value, self->error_code); break;
    case ACTION_PROP_SIMULATED: g_value_set_boolean (value, self->simulated); break;
    case ACTION_PROP_START_TIME: g_value_set_boxed (value, self->start_time); break;
    case ACTION_PROP_UPDATE_TIME: g_value_set_boxed (value, self->update_time); break;
    case ACTION_PROP_LOG_PATH: g_value_set_string (value, self->log_path); break;
    case ACTION_PROP_EXTERNAL_ID: g_value_set_string (value, self->external_id); break;
    case ACTION_PROP_TOKEN: g_value_set_string (value, self->token); break;
    case ACTION_PROP_CONFIGURATION: g_value_set_boxed (value, pw_action_execution_get_configuration (self)); break;
    case ACTION_PROP_VARIABLES: g_value_set_boxed (value, pw_action_execution_get_variables (self)); break;
    case ACTION_PROP_ARTIFACTS: g_value_set_boxed (value, pw_action_execution_get_artifacts (self)); break;
    case ACTION_PROP_REPORT: g_value_set_boxed (value, self->report); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
str_pspec (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
uint_pspec (const char *name)
{
  return g_param_spec_uint (name, NULL, NULL, 0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
time_pspec (const char *name)
{
  return g_param_spec_boxed (name, NULL, NULL, G_TYPE_DATE_TIME, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
}

static void
pw_action_execution_class_init (PwActionExecutionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pw_action_execution_finalize;
  object_class->get_property = pw_action_execution_get_property;

  action_props [ACTION_PROP_ID] = str_pspec ("id");
  action_props [ACTION_PROP_STAGE_NAME] = str_pspec ("stage-name");
  action_props [ACTION_PROP_ACTION_NAME] = str_pspec ("action-name");
  action_props [ACTION_PROP_ATTEMPT] = uint_pspec ("attempt");
  action_props [ACTION_PROP_RUN_ORDER] = uint_pspec ("run-order");
  action_props [ACTION_PROP_CATEGORY] = str_pspec ("category");
  action_props [ACTION_PROP_PROVIDER] = str_pspec ("provider");
  action_props [ACTION_PROP_STATUS] = str_pspec ("status");
  action_props [ACTION_PROP_SUMMARY] = str_pspec ("summary");
  action_props [ACTION_PROP_ERROR_CODE] = str_pspec ("error-code");
  action_props [ACTION_PROP_SIMULATED] =
    g_param_spec_boolean ("simulated", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  action_props [ACTION_PROP_START_TIME] = time_pspec ("start-time");
  action_props [ACTION_PROP_UPDATE_TIME] = time_pspec ("update-time");
  action_props [ACTION_PROP_LOG_PATH] = str_pspec ("log-path");
  action_props [ACTION_PROP_EXTERNAL_ID] = str_pspec ("external-id");
  action_props [ACTION_PROP_TOKEN] = str_pspec ("token");
  action_props [ACTION_PROP_CONFIGURATION] =
    g_param_spec_boxed ("configuration", NULL, NULL, JSON_TYPE_OBJECT, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  action_props [ACTION_PROP_VARIABLES] =
    g_param_spec_boxed ("variables", NULL, NULL, JSON_TYPE_OBJECT, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  action_props [ACTION_PROP_ARTIFACTS] =
    g_param_spec_boxed ("artifacts", NULL, NULL, JSON_TYPE_ARRAY, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  action_props [ACTION_PROP_REPORT] =
    g_param_spec_boxed ("report", NULL, NULL, JSON_TYPE_NODE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, ACTION_N_PROPS, action_props);
}

static void
pw_action_execution_init (PwActionExecution *self)
{
}

static void
action_update (PwActionExecution *self,
               JsonObject        *a)
{
  GObject *object = G_OBJECT (self);
  JsonObject *type = object_member (a, "actionTypeId");

  g_object_freeze_notify (object);
  set_str (object, &self->id, str_member (a, "actionExecutionId"), action_props [ACTION_PROP_ID]);
  set_str (object, &self->stage_name, str_member (a, "stageName"), action_props [ACTION_PROP_STAGE_NAME]);
  set_str (object, &self->action_name, str_member (a, "actionName"), action_props [ACTION_PROP_ACTION_NAME]);
  set_uint (object, &self->attempt, (guint)CLAMP (int_member (a, "attempt", 1), 0, G_MAXUINT),
            action_props [ACTION_PROP_ATTEMPT]);
  set_uint (object, &self->run_order, (guint)CLAMP (int_member (a, "runOrder", 1), 0, G_MAXUINT),
            action_props [ACTION_PROP_RUN_ORDER]);
  set_str (object, &self->category, str_member (type, "category"), action_props [ACTION_PROP_CATEGORY]);
  set_str (object, &self->provider, str_member (type, "provider"), action_props [ACTION_PROP_PROVIDER]);
  set_str (object, &self->summary, str_member (a, "summary"), action_props [ACTION_PROP_SUMMARY]);
  set_str (object, &self->error_code, str_member (a, "errorCode"), action_props [ACTION_PROP_ERROR_CODE]);
  set_bool (object, &self->simulated,
            json_object_get_boolean_member_with_default (a, "simulated", FALSE),
            action_props [ACTION_PROP_SIMULATED]);
  set_time (object, &self->start_time, &self->start_time_iso, str_member (a, "startTime"), action_props [ACTION_PROP_START_TIME]);
  set_time (object, &self->update_time, &self->update_time_iso, str_member (a, "lastUpdateTime"), action_props [ACTION_PROP_UPDATE_TIME]);
  set_str (object, &self->log_path, str_member (a, "logPath"), action_props [ACTION_PROP_LOG_PATH]);
  set_str (object, &self->external_id, str_member (a, "externalExecutionId"), action_props [ACTION_PROP_EXTERNAL_ID]);
  set_str (object, &self->token, str_member (a, "token"), action_props [ACTION_PROP_TOKEN]);
  set_node (object, &self->configuration, json_object_get_member (a, "resolvedConfiguration"),
            action_props [ACTION_PROP_CONFIGURATION]);
  set_node (object, &self->variables, json_object_get_member (a, "outputVariables"),
            action_props [ACTION_PROP_VARIABLES]);
  set_node (object, &self->artifacts, json_object_get_member (a, "outputArtifacts"),
            action_props [ACTION_PROP_ARTIFACTS]);
  set_node (object, &self->report, json_object_get_member (a, "report"), action_props [ACTION_PROP_REPORT]);
  /* Last: whoever follows the status sees the rest already current. */
  set_str (object, &self->status, str_member (a, "status"), action_props [ACTION_PROP_STATUS]);
  g_object_thaw_notify (object);
}

const char *pw_action_execution_get_id (PwActionExecution *self) { return self->id; }
const char *pw_action_execution_get_stage_name (PwActionExecution *self) { return self->stage_name; }
const char *pw_action_execution_get_action_name (PwActionExecution *self) { return self->action_name; }
guint pw_action_execution_get_attempt (PwActionExecution *self) { return self->attempt; }
guint pw_action_execution_get_run_order (PwActionExecution *self) { return self->run_order; }
const char *pw_action_execution_get_category (PwActionExecution *self) { return self->category; }
const char *pw_action_execution_get_provider (PwActionExecution *self) { return self->provider; }
const char *pw_action_execution_get_status (PwActionExecution *self) { return self->status; }
const char *pw_action_execution_get_summary (PwActionExecution *self) { return self->summary; }
const char *pw_action_execution_get_error_code (PwActionExecution *self) { return self->error_code; }
gboolean pw_action_execution_get_simulated (PwActionExecution *self) { return self->simulated; }
GDateTime *pw_action_execution_get_start_time (PwActionExecution *self) { return self->start_time; }
GDateTime *pw_action_execution_get_update_time (PwActionExecution *self) { return self->update_time; }
const char *pw_action_execution_get_log_path (PwActionExecution *self) { return self->log_path; }
const char *pw_action_execution_get_external_id (PwActionExecution *self) { return self->external_id; }
const char *pw_action_execution_get_token (PwActionExecution *self) { return self->token; }
JsonNode *pw_action_execution_get_report (PwActionExecution *self) { return self->report; }

JsonObject *
pw_action_execution_get_configuration (PwActionExecution *self)
{
  return self->configuration != NULL && JSON_NODE_HOLDS_OBJECT (self->configuration)
    ? json_node_get_object (self->configuration) : NULL;
}

JsonObject *
pw_action_execution_get_variables (PwActionExecution *self)
{
  return self->variables != NULL && JSON_NODE_HOLDS_OBJECT (self->variables)
    ? json_node_get_object (self->variables) : NULL;
}

JsonArray *
pw_action_execution_get_artifacts (PwActionExecution *self)
{
  return self->artifacts != NULL && JSON_NODE_HOLDS_ARRAY (self->artifacts)
    ? json_node_get_array (self->artifacts) : NULL;
}

/* PwStageExecution --------------------------------------------------------- */

struct _PwStageExecution
{
  GObject     parent_instance;

  char       *name;
  char       *status;
  guint       attempt;
  GDateTime  *start_time;
  GDateTime  *end_time;
  char       *start_time_iso;
  char       *end_time_iso;
  GListStore *actions;     /* latest attempt of each started action */
};

enum {
  STAGE_PROP_0,
  STAGE_PROP_NAME,
  STAGE_PROP_STATUS,
  STAGE_PROP_ATTEMPT,
  STAGE_PROP_START_TIME,
  STAGE_PROP_END_TIME,
  STAGE_PROP_ACTIONS,
  STAGE_N_PROPS
};

static GParamSpec *stage_props [STAGE_N_PROPS];

G_DEFINE_FINAL_TYPE (PwStageExecution, pw_stage_execution, G_TYPE_OBJECT)

static void
pw_stage_execution_finalize (GObject *object)
{
  PwStageExecution *self = PW_STAGE_EXECUTION (object);

  g_free (self->name);
  g_free (self->status);
  g_clear_pointer (&self->start_time, g_date_time_unref);
  g_clear_pointer (&self->end_time, g_date_time_unref);
  g_free (self->start_time_iso);
  g_free (self->end_time_iso);
  g_clear_object (&self->actions);

  G_OBJECT_CLASS (pw_stage_execution_parent_class)->finalize (object);
}

static void
pw_stage_execution_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  PwStageExecution *self = PW_STAGE_EXECUTION (object);

  switch (prop_id)
    {
    case STAGE_PROP_NAME: g_value_set_string (value, self->name); break;
    case STAGE_PROP_STATUS: g_value_set_string (value, self->status); break;
    case STAGE_PROP_ATTEMPT: g_value_set_uint (value, self->attempt); break;
    case STAGE_PROP_START_TIME: g_value_set_boxed (value, self->start_time); break;
    case STAGE_PROP_END_TIME: g_value_set_boxed (value, self->end_time); break;
    case STAGE_PROP_ACTIONS: g_value_set_object (value, self->actions); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_stage_execution_class_init (PwStageExecutionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pw_stage_execution_finalize;
  object_class->get_property = pw_stage_execution_get_property;

  stage_props [STAGE_PROP_NAME] = str_pspec ("name");
  stage_props [STAGE_PROP_STATUS] = str_pspec ("status");
  stage_props [STAGE_PROP_ATTEMPT] = uint_pspec ("attempt");
  stage_props [STAGE_PROP_START_TIME] = time_pspec ("start-time");
  stage_props [STAGE_PROP_END_TIME] = time_pspec ("end-time");
  stage_props [STAGE_PROP_ACTIONS] =
    g_param_spec_object ("actions", NULL, NULL, G_TYPE_LIST_MODEL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, STAGE_N_PROPS, stage_props);
}

static void
pw_stage_execution_init (PwStageExecution *self)
{
  self->actions = g_list_store_new (PW_TYPE_ACTION_EXECUTION);
}

static void
stage_update (PwStageExecution *self,
              JsonObject       *s)
{
  GObject *object = G_OBJECT (self);

  g_object_freeze_notify (object);
  set_uint (object, &self->attempt, (guint)CLAMP (int_member (s, "attempt", 1), 0, G_MAXUINT),
            stage_props [STAGE_PROP_ATTEMPT]);
  set_time (object, &self->start_time, &self->start_time_iso, str_member (s, "startTime"), stage_props [STAGE_PROP_START_TIME]);
  set_time (object, &self->end_time, &self->end_time_iso, str_member (s, "endTime"), stage_props [STAGE_PROP_END_TIME]);
  set_str (object, &self->status, str_member (s, "status"), stage_props [STAGE_PROP_STATUS]);
  g_object_thaw_notify (object);
}

/* @action is the latest attempt of its action: it replaces an earlier one
 * in place, or comes last. */
static void
stage_set_latest (PwStageExecution  *self,
                  PwActionExecution *action)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->actions));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PwActionExecution) item = g_list_model_get_item (G_LIST_MODEL (self->actions), i);

      if (g_strcmp0 (item->action_name, action->action_name) == 0)
        {
          if (item != action && action->attempt >= item->attempt)
            g_list_store_splice (self->actions, i, 1, (gpointer *)&action, 1);
          return;
        }
    }
  g_list_store_append (self->actions, action);
}

const char *pw_stage_execution_get_name (PwStageExecution *self) { return self->name; }
const char *pw_stage_execution_get_status (PwStageExecution *self) { return self->status; }
guint pw_stage_execution_get_attempt (PwStageExecution *self) { return self->attempt; }
GDateTime *pw_stage_execution_get_start_time (PwStageExecution *self) { return self->start_time; }
GDateTime *pw_stage_execution_get_end_time (PwStageExecution *self) { return self->end_time; }
GListModel *pw_stage_execution_get_actions (PwStageExecution *self) { return G_LIST_MODEL (self->actions); }

/**
 * pw_stage_execution_lookup_action:
 *
 * Returns: (transfer none) (nullable): the latest attempt of @action_name
 */
PwActionExecution *
pw_stage_execution_lookup_action (PwStageExecution *self,
                                  const char       *action_name)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->actions));

  for (guint i = 0; i < n; i++)
    {
      PwActionExecution *item = g_list_model_get_item (G_LIST_MODEL (self->actions), i);

      g_object_unref (item);   /* the store keeps it */
      if (g_strcmp0 (item->action_name, action_name) == 0)
        return item;
    }
  return NULL;
}

/* PwExecution -------------------------------------------------------------- */

struct _PwExecution
{
  GObject     parent_instance;

  char       *id;
  char       *pipeline_name;
  char       *status;
  char       *summary;
  char       *trigger_type;
  char       *trigger_detail;
  char       *execution_mode;
  char       *execution_type;
  GDateTime  *start_time;
  GDateTime  *update_time;
  char       *start_time_iso;
  char       *update_time_iso;
  JsonNode   *revisions;
  JsonNode   *variables;
  GListStore *stages;
  GListStore *actions;             /* every attempt, as the record lists them */
  GHashTable *by_id;               /* action execution id → PwActionExecution */
  /* Where it stands in this process's executor (see PwExecutionList). */
  guint64     serial;
};

enum {
  PROP_0,
  PROP_ID,
  PROP_PIPELINE_NAME,
  PROP_STATUS,
  PROP_SUMMARY,
  PROP_TRIGGER_TYPE,
  PROP_TRIGGER_DETAIL,
  PROP_EXECUTION_MODE,
  PROP_EXECUTION_TYPE,
  PROP_START_TIME,
  PROP_UPDATE_TIME,
  PROP_REVISIONS,
  PROP_VARIABLES,
  PROP_STAGES,
  PROP_ACTIONS,
  PROP_FINISHED,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

G_DEFINE_FINAL_TYPE (PwExecution, pw_execution, G_TYPE_OBJECT)

static void
pw_execution_finalize (GObject *object)
{
  PwExecution *self = PW_EXECUTION (object);

  g_free (self->id);
  g_free (self->pipeline_name);
  g_free (self->status);
  g_free (self->summary);
  g_free (self->trigger_type);
  g_free (self->trigger_detail);
  g_free (self->execution_mode);
  g_free (self->execution_type);
  g_clear_pointer (&self->start_time, g_date_time_unref);
  g_clear_pointer (&self->update_time, g_date_time_unref);
  g_free (self->start_time_iso);
  g_free (self->update_time_iso);
  g_clear_pointer (&self->revisions, json_node_unref);
  g_clear_pointer (&self->variables, json_node_unref);
  g_clear_object (&self->stages);
  g_clear_object (&self->actions);
  g_clear_pointer (&self->by_id, g_hash_table_unref);

  G_OBJECT_CLASS (pw_execution_parent_class)->finalize (object);
}

static void
pw_execution_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  PwExecution *self = PW_EXECUTION (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_string (value, self->id); break;
    case PROP_PIPELINE_NAME: g_value_set_string (value, self->pipeline_name); break;
    case PROP_STATUS: g_value_set_string (value, self->status); break;
    case PROP_SUMMARY: g_value_set_string (value, self->summary); break;
    case PROP_TRIGGER_TYPE: g_value_set_string (value, self->trigger_type); break;
    case PROP_TRIGGER_DETAIL: g_value_set_string (value, self->trigger_detail); break;
    case PROP_EXECUTION_MODE: g_value_set_string (value, self->execution_mode); break;
    case PROP_EXECUTION_TYPE: g_value_set_string (value, self->execution_type); break;
    case PROP_START_TIME: g_value_set_boxed (value, self->start_time); break;
    case PROP_UPDATE_TIME: g_value_set_boxed (value, self->update_time); break;
    case PROP_REVISIONS: g_value_take_string (value, pw_execution_dup_revisions (self)); break;
    case PROP_VARIABLES: g_value_set_boxed (value, pw_execution_get_variables (self)); break;
    case PROP_STAGES: g_value_set_object (value, self->stages); break;
    case PROP_ACTIONS: g_value_set_object (value, self->actions); break;
    case PROP_FINISHED: g_value_set_boolean (value, pw_execution_is_finished (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_execution_class_init (PwExecutionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pw_execution_finalize;
  object_class->get_property = pw_execution_get_property;

  properties [PROP_ID] = str_pspec ("id");
  properties [PROP_PIPELINE_NAME] = str_pspec ("pipeline-name");
  properties [PROP_STATUS] = str_pspec ("status");
  properties [PROP_SUMMARY] = str_pspec ("summary");
  properties [PROP_TRIGGER_TYPE] = str_pspec ("trigger-type");
  properties [PROP_TRIGGER_DETAIL] = str_pspec ("trigger-detail");
  properties [PROP_EXECUTION_MODE] = str_pspec ("execution-mode");
  properties [PROP_EXECUTION_TYPE] = str_pspec ("execution-type");
  properties [PROP_START_TIME] = time_pspec ("start-time");
  properties [PROP_UPDATE_TIME] = time_pspec ("update-time");
  /* "Checkout: 3f2a9c1, Repo2: …", for a history row */
  properties [PROP_REVISIONS] = str_pspec ("revisions");
  properties [PROP_VARIABLES] =
    g_param_spec_boxed ("variables", NULL, NULL, JSON_TYPE_ARRAY, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties [PROP_STAGES] =
    g_param_spec_object ("stages", NULL, NULL, G_TYPE_LIST_MODEL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties [PROP_ACTIONS] =
    g_param_spec_object ("actions", NULL, NULL, G_TYPE_LIST_MODEL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties [PROP_FINISHED] =
    g_param_spec_boolean ("finished", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PwExecution::changed:
   *
   * After an update that changed anything (a status, a summary, an
   * action's start), once: a view that shows the whole execution redraws
   * on this rather than on each property.
   */
  signals [CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
pw_execution_init (PwExecution *self)
{
  self->stages = g_list_store_new (PW_TYPE_STAGE_EXECUTION);
  self->actions = g_list_store_new (PW_TYPE_ACTION_EXECUTION);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
}

/**
 * pw_execution_new_from_record:
 *
 * Returns: (transfer full) (nullable): the execution @record describes, or
 *   %NULL when it is no execution record
 */
PwExecution *
pw_execution_new_from_record (JsonNode *record)
{
  g_autoptr(PwExecution) self = NULL;

  if (record == NULL || !JSON_NODE_HOLDS_OBJECT (record) ||
      str_member (json_node_get_object (record), "pipelineExecutionId") == NULL)
    return NULL;

  self = g_object_new (PW_TYPE_EXECUTION, NULL);
  self->id = g_strdup (str_member (json_node_get_object (record), "pipelineExecutionId"));
  pw_execution_update (self, record);
  return g_steal_pointer (&self);
}

/* The attempts of @actions in stage @stage_name (with %NULL, those of
 * stages the execution does not have), each stage listing the latest of
 * each of its actions. */
static void
update_actions (PwExecution *self,
                JsonArray   *actions,
                const char  *stage_name)
{
  for (guint i = 0; actions != NULL && i < json_array_get_length (actions); i++)
    {
      JsonObject *a = json_array_get_object_element (actions, i);
      const char *id = str_member (a, "actionExecutionId");
      const char *in = str_member (a, "stageName");
      PwActionExecution *action;
      PwStageExecution *stage;

      if (id == NULL || (stage_name != NULL && g_strcmp0 (in, stage_name) != 0))
        continue;
      stage = in != NULL ? pw_execution_lookup_stage (self, in) : NULL;
      if (stage_name == NULL && stage != NULL)
        continue;
      action = g_hash_table_lookup (self->by_id, id);
      if (action == NULL)
        {
          g_autoptr(PwActionExecution) created = g_object_new (PW_TYPE_ACTION_EXECUTION, NULL);

          action_update (created, a);
          g_hash_table_insert (self->by_id, created->id, created);
          g_list_store_append (self->actions, created);
          action = created;
        }
      else
        action_update (action, a);

      if (stage != NULL)
        stage_set_latest (stage, action);
    }
}

/**
 * pw_execution_update:
 *
 * Brings the execution to what @record says, notifying what changed.
 *
 * Returns: %FALSE when @record is another execution's
 */
gboolean
pw_execution_update (PwExecution *self,
                     JsonNode    *record)
{
  GObject *object = G_OBJECT (self);
  JsonObject *o, *trigger;
  JsonArray *stages, *actions;
  const char *status;
  gboolean was_finished;
  guint64 before;
  guint n_stages = g_list_model_get_n_items (G_LIST_MODEL (self->stages));
  guint n_actions = g_list_model_get_n_items (G_LIST_MODEL (self->actions));

  g_return_val_if_fail (PW_IS_EXECUTION (self), FALSE);

  if (record == NULL || !JSON_NODE_HOLDS_OBJECT (record))
    return FALSE;
  o = json_node_get_object (record);
  if (g_strcmp0 (str_member (o, "pipelineExecutionId"), self->id) != 0)
    return FALSE;

  was_finished = pw_execution_is_finished (self);
  before = changes;
  trigger = object_member (o, "trigger");
  g_object_freeze_notify (object);

  set_str (object, &self->pipeline_name, str_member (o, "pipelineName"), properties [PROP_PIPELINE_NAME]);
  set_str (object, &self->summary, str_member (o, "statusSummary"), properties [PROP_SUMMARY]);
  set_str (object, &self->trigger_type, str_member (trigger, "triggerType"), properties [PROP_TRIGGER_TYPE]);
  set_str (object, &self->trigger_detail, str_member (trigger, "triggerDetail"), properties [PROP_TRIGGER_DETAIL]);
  set_str (object, &self->execution_mode, str_member (o, "executionMode"), properties [PROP_EXECUTION_MODE]);
  set_str (object, &self->execution_type, str_member (o, "executionType"), properties [PROP_EXECUTION_TYPE]);
  set_time (object, &self->start_time, &self->start_time_iso, str_member (o, "startTime"), properties [PROP_START_TIME]);
  set_time (object, &self->update_time, &self->update_time_iso, str_member (o, "lastUpdateTime"), properties [PROP_UPDATE_TIME]);
  set_node (object, &self->revisions, json_object_get_member (o, "artifactRevisions"), properties [PROP_REVISIONS]);
  set_node (object, &self->variables, json_object_get_member (o, "variables"), properties [PROP_VARIABLES]);

  /* In the order things happen, so that what follows the notifications
   * reads a record that moved a lot at once (a follower reading it late)
   * as the story it is: an execution starts before its stages and ends
   * after them; a stage starts before its actions and ends after them;
   * stages go in the pipeline's order. */
  status = str_member (o, "status");
  if (!pw_execution_status_is_final (status))
    set_str (object, &self->status, status, properties [PROP_STATUS]);
  g_object_thaw_notify (object);

  stages = array_member (o, "stages");
  actions = array_member (o, "actions");
  for (guint i = 0; stages != NULL && i < json_array_get_length (stages); i++)
    {
      JsonObject *s = json_array_get_object_element (stages, i);
      const char *name = str_member (s, "stageName");
      gboolean ends = pw_execution_status_is_final (str_member (s, "status"));
      PwStageExecution *stage;

      if (name == NULL)
        continue;
      stage = pw_execution_lookup_stage (self, name);
      if (stage == NULL)
        {
          g_autoptr(PwStageExecution) created = g_object_new (PW_TYPE_STAGE_EXECUTION, NULL);

          created->name = g_strdup (name);
          stage_update (created, s);
          g_list_store_append (self->stages, created);
          update_actions (self, actions, name);
          continue;
        }
      if (!ends)
        stage_update (stage, s);
      update_actions (self, actions, name);
      if (ends)
        stage_update (stage, s);
    }
  /* Attempts of stages the record does not list (none, in a sound one). */
  update_actions (self, actions, NULL);

  /* Last, as for actions: the execution's status is news after its parts'. */
  g_object_freeze_notify (object);
  set_str (object, &self->status, status, properties [PROP_STATUS]);
  if (was_finished != pw_execution_is_finished (self))
    g_object_notify_by_pspec (object, properties [PROP_FINISHED]);
  g_object_thaw_notify (object);
  if (changes != before || n_stages != g_list_model_get_n_items (G_LIST_MODEL (self->stages)) ||
      n_actions != g_list_model_get_n_items (G_LIST_MODEL (self->actions)))
    g_signal_emit (self, signals [CHANGED], 0);
  return TRUE;
}

const char *pw_execution_get_id (PwExecution *self) { return self->id; }
const char *pw_execution_get_pipeline_name (PwExecution *self) { return self->pipeline_name; }
const char *pw_execution_get_status (PwExecution *self) { return self->status; }
const char *pw_execution_get_summary (PwExecution *self) { return self->summary; }
const char *pw_execution_get_trigger_type (PwExecution *self) { return self->trigger_type; }
const char *pw_execution_get_trigger_detail (PwExecution *self) { return self->trigger_detail; }
const char *pw_execution_get_execution_mode (PwExecution *self) { return self->execution_mode; }
const char *pw_execution_get_execution_type (PwExecution *self) { return self->execution_type; }
GDateTime *pw_execution_get_start_time (PwExecution *self) { return self->start_time; }
GDateTime *pw_execution_get_update_time (PwExecution *self) { return self->update_time; }
GListModel *pw_execution_get_stages (PwExecution *self) { return G_LIST_MODEL (self->stages); }
GListModel *pw_execution_get_actions (PwExecution *self) { return G_LIST_MODEL (self->actions); }

gboolean
pw_execution_is_finished (PwExecution *self)
{
  return pw_execution_status_is_final (self->status);
}

JsonArray *
pw_execution_get_variables (PwExecution *self)
{
  return self->variables != NULL && JSON_NODE_HOLDS_ARRAY (self->variables)
    ? json_node_get_array (self->variables) : NULL;
}

/* "Checkout: 3f2a9c1" for each source revision, short as git shows them. */
char *
pw_execution_dup_revisions (PwExecution *self)
{
  g_autoptr(GString) out = g_string_new (NULL);
  JsonArray *revisions = self->revisions != NULL && JSON_NODE_HOLDS_ARRAY (self->revisions)
    ? json_node_get_array (self->revisions) : NULL;

  for (guint i = 0; revisions != NULL && i < json_array_get_length (revisions); i++)
    {
      JsonNode *node = json_array_get_element (revisions, i);
      JsonObject *r = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *id = str_member (r, "revisionId");
      const char *name = str_member (r, "actionName");

      if (id == NULL)
        continue;
      if (out->len > 0)
        g_string_append (out, ", ");
      if (name != NULL)
        g_string_append_printf (out, "%s: ", name);
      if (strlen (id) == 40 && strspn (id, "0123456789abcdef") == 40)
        g_string_append_len (out, id, 7);
      else
        g_string_append (out, id);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * pw_execution_lookup_stage:
 *
 * Returns: (transfer none) (nullable):
 */
PwStageExecution *
pw_execution_lookup_stage (PwExecution *self,
                           const char  *stage_name)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->stages));

  for (guint i = 0; i < n; i++)
    {
      PwStageExecution *stage = g_list_model_get_item (G_LIST_MODEL (self->stages), i);

      g_object_unref (stage);   /* the store keeps it */
      if (g_strcmp0 (stage->name, stage_name) == 0)
        return stage;
    }
  return NULL;
}

/**
 * pw_execution_lookup_action:
 *
 * Returns: (transfer none) (nullable): the latest attempt of the action
 */
PwActionExecution *
pw_execution_lookup_action (PwExecution *self,
                            const char  *stage_name,
                            const char  *action_name)
{
  PwStageExecution *stage = pw_execution_lookup_stage (self, stage_name);

  return stage != NULL ? pw_stage_execution_lookup_action (stage, action_name) : NULL;
}

/* PwExecutionList ---------------------------------------------------------- */

/* How long after a record changed on disk it is read: a running execution
 * rewrites it at most every 20 ms (SAVE_INTERVAL_MS), so a few changes
 * make one read. */
#define RELOAD_DELAY_MS 15

struct _PwExecutionList
{
  GObject       parent_instance;

  char         *state_dir;
  char         *executions_dir;
  GPtrArray    *items;          /* PwExecution*, newest first */
  GHashTable   *by_id;          /* id → PwExecution* */
  GFileMonitor *dir_monitor;    /* executions/: new executions */
  GHashTable   *monitors;       /* id → GFileMonitor on its folder, while it runs */
  GHashTable   *pending;        /* ids whose record is to be read again */
  guint         reload_id;
  PwExecutor   *executor;
  gulong        event_id;
  GHashTable   *dirty;          /* ids the executor's events touched */
  GHashTable   *local;          /* ids this process's executor runs */
  guint         dirty_id;
};

static void pw_execution_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PwExecutionList, pw_execution_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, pw_execution_list_model_init))

static GType
list_get_item_type (GListModel *model)
{
  return PW_TYPE_EXECUTION;
}

static guint
list_get_n_items (GListModel *model)
{
  return PW_EXECUTION_LIST (model)->items->len;
}

static gpointer
list_get_item (GListModel *model,
               guint       position)
{
  PwExecutionList *self = PW_EXECUTION_LIST (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
pw_execution_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = list_get_item_type;
  iface->get_n_items = list_get_n_items;
  iface->get_item = list_get_item;
}

static void schedule_reload (PwExecutionList *self, const char *id);

static void
record_changed_cb (GFileMonitor      *monitor,
                   GFile             *file,
                   GFile             *other,
                   GFileMonitorEvent  event,
                   PwExecutionList   *self)
{
  const char *id = g_object_get_data (G_OBJECT (monitor), "execution-id");

  schedule_reload (self, id);
}

/* A running execution's folder is watched until it ends. */
static void
watch_execution (PwExecutionList *self,
                 PwExecution     *execution)
{
  g_autofree char *dir = NULL;
  g_autoptr(GFile) file = NULL;
  GFileMonitor *monitor;

  /* What this process runs comes from its events (and the executor's
   * record holds what a write would bring), not from the disk. */
  if (pw_execution_is_finished (execution) || g_hash_table_contains (self->monitors, execution->id) ||
      g_hash_table_contains (self->local, execution->id))
    return;

  dir = g_build_filename (self->executions_dir, execution->id, NULL);
  file = g_file_new_for_path (dir);
  monitor = g_file_monitor_directory (file, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
  if (monitor == NULL)
    return;
  g_object_set_data_full (G_OBJECT (monitor), "execution-id", g_strdup (execution->id), g_free);
  g_signal_connect (monitor, "changed", G_CALLBACK (record_changed_cb), self);
  g_hash_table_insert (self->monitors, g_strdup (execution->id), monitor);
}

static void
unwatch_execution (PwExecutionList *self,
                   const char      *id)
{
  GFileMonitor *monitor = g_hash_table_lookup (self->monitors, id);

  if (monitor == NULL)
    return;
  g_signal_handlers_disconnect_by_func (monitor, record_changed_cb, self);
  g_file_monitor_cancel (monitor);
  g_hash_table_remove (self->monitors, id);
}

/* Where a new execution goes: newest first, by start time. */
static guint
insert_position (PwExecutionList *self,
                 PwExecution     *execution)
{
  for (guint i = 0; i < self->items->len; i++)
    {
      PwExecution *other = g_ptr_array_index (self->items, i);

      if (other->start_time == NULL || execution->start_time == NULL ||
          g_date_time_compare (execution->start_time, other->start_time) >= 0)
        return i;
    }
  return self->items->len;
}

/* @serial: where @record stands in this process's executor, or 0 */
static void
apply_record (PwExecutionList *self,
              const char      *id,
              JsonNode        *record,
              guint64          serial)
{
  PwExecution *execution = g_hash_table_lookup (self->by_id, id);

  if (record == NULL)
    return;

  if (execution != NULL)
    {
      if (pw_execution_update (execution, record))
        execution->serial = serial;
    }
  else
    {
      guint position;

      execution = pw_execution_new_from_record (record);
      if (execution == NULL || g_strcmp0 (execution->id, id) != 0)
        {
          g_clear_object (&execution);
          return;
        }
      execution->serial = serial;
      position = insert_position (self, execution);
      g_ptr_array_insert (self->items, position, execution);
      g_hash_table_insert (self->by_id, execution->id, execution);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
    }

  if (pw_execution_is_finished (execution))
    unwatch_execution (self, id);
  else
    watch_execution (self, execution);
}

static gboolean
reload_cb (gpointer data)
{
  PwExecutionList *self = data;
  g_autoptr(GHashTable) pending = g_steal_pointer (&self->pending);
  GHashTableIter iter;
  gpointer id;

  self->reload_id = 0;
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_iter_init (&iter, pending);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    pw_execution_list_load (self, id);
  return G_SOURCE_REMOVE;
}

static gboolean flush_dirty_cb (gpointer data);

/* @id is read again from this process's executor at the next turn of the
 * main loop (with whatever else changed until then). */
static void
mark_dirty (PwExecutionList *self,
            const char      *id)
{
  g_hash_table_add (self->dirty, g_strdup (id));
  if (self->dirty_id == 0)
    self->dirty_id = g_idle_add_full (G_PRIORITY_HIGH, flush_dirty_cb, self, NULL);
}

static void
schedule_reload (PwExecutionList *self,
                 const char      *id)
{
  if (id == NULL || !pw_state_is_execution_id (id, FALSE))
    return;
  /* This process's executor runs it: its record, with the events' updates
   * (a write without an event brings an approval's configuration). */
  if (self->executor != NULL && g_hash_table_contains (self->by_id, id))
    {
      mark_dirty (self, id);
      return;
    }
  g_hash_table_add (self->pending, g_strdup (id));
  if (self->reload_id == 0)
    self->reload_id = g_timeout_add (RELOAD_DELAY_MS, reload_cb, self);
}

static void
dir_changed_cb (GFileMonitor      *monitor,
                GFile             *file,
                GFile             *other,
                GFileMonitorEvent  event,
                PwExecutionList   *self)
{
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;

  if (event != G_FILE_MONITOR_EVENT_CREATED && event != G_FILE_MONITOR_EVENT_MOVED_IN &&
      event != G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT)
    return;
  /* The folder itself appeared (the first run): what is already in it. */
  path = g_file_get_path (file);
  if (g_strcmp0 (path, self->executions_dir) == 0)
    {
      pw_execution_list_reload (self);
      return;
    }
  name = g_file_get_basename (file);
  if (!g_hash_table_contains (self->by_id, name) && pw_state_is_execution_id (name, FALSE))
    {
      /* The folder comes before its record: watch it for the record. */
      schedule_reload (self, name);
      if (!g_hash_table_contains (self->monitors, name))
        {
          g_autoptr(GFile) dir = g_file_new_for_path (self->executions_dir);
          g_autoptr(GFile) child = g_file_get_child (dir, name);
          GFileMonitor *m = g_file_monitor_directory (child, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);

          if (m != NULL)
            {
              g_object_set_data_full (G_OBJECT (m), "execution-id", g_strdup (name), g_free);
              g_signal_connect (m, "changed", G_CALLBACK (record_changed_cb), self);
              g_hash_table_insert (self->monitors, g_strdup (name), m);
            }
        }
    }
}

/* Brings the executions the executor's events touched up to its record. */
static void
flush_dirty (PwExecutionList *self)
{
  g_autoptr(GHashTable) dirty = NULL;
  GHashTableIter iter;
  gpointer id;

  g_clear_handle_id (&self->dirty_id, g_source_remove);
  if (g_hash_table_size (self->dirty) == 0 || self->executor == NULL)
    return;
  dirty = g_steal_pointer (&self->dirty);
  self->dirty = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_iter_init (&iter, dirty);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    {
      PwExecution *known = g_hash_table_lookup (self->by_id, id);
      gboolean local = g_hash_table_contains (self->local, id);
      guint64 serial = 0;
      /* What changed since the last update: a hundred actions cost a
       * millisecond to copy and compare, the few an event names a tenth. */
      g_autoptr(JsonNode) record =
        _pw_executor_dup_execution_since (self->executor, id,
                                          known != NULL && local ? known->serial : 0, &serial);

      if (record != NULL && !local)
        {
          g_hash_table_add (self->local, g_strdup (id));
          unwatch_execution (self, id);
        }
      apply_record (self, id, record, serial);
    }
}

static gboolean
flush_dirty_cb (gpointer data)
{
  PwExecutionList *self = data;

  self->dirty_id = 0;
  flush_dirty (self);
  return G_SOURCE_REMOVE;
}

static void
event_cb (PwExecutor      *executor,
          JsonNode        *event,
          PwExecutionList *self)
{
  JsonObject *detail = object_member (json_node_get_object (event), "detail");
  const char *id = str_member (detail, "execution-id");

  if (id == NULL)
    return;
  /* In this process the executor's record is current at every event. The
   * events of one turn of the main loop (an action ends, the next ones
   * start) make one update, at the next turn, before anything else: each
   * record copy and update costs about a millisecond for a hundred
   * actions, and a run of 91 actions has some 300 events (+27 % of the
   * run's time when each made its own). Each object still goes through its
   * statuses in order. */
  mark_dirty (self, id);
}

static void
pw_execution_list_dispose (GObject *object)
{
  PwExecutionList *self = PW_EXECUTION_LIST (object);
  GHashTableIter iter;
  gpointer monitor;

  pw_execution_list_set_executor (self, NULL);
  g_clear_handle_id (&self->dirty_id, g_source_remove);
  g_clear_handle_id (&self->reload_id, g_source_remove);
  if (self->dir_monitor != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->dir_monitor, dir_changed_cb, self);
      g_file_monitor_cancel (self->dir_monitor);
      g_clear_object (&self->dir_monitor);
    }
  if (self->monitors != NULL)
    {
      g_hash_table_iter_init (&iter, self->monitors);
      while (g_hash_table_iter_next (&iter, NULL, &monitor))
        {
          g_signal_handlers_disconnect_by_func (monitor, record_changed_cb, self);
          g_file_monitor_cancel (monitor);
        }
      g_hash_table_remove_all (self->monitors);
    }

  G_OBJECT_CLASS (pw_execution_list_parent_class)->dispose (object);
}

static void
pw_execution_list_finalize (GObject *object)
{
  PwExecutionList *self = PW_EXECUTION_LIST (object);

  g_free (self->state_dir);
  g_free (self->executions_dir);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->monitors, g_hash_table_unref);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->dirty, g_hash_table_unref);
  g_clear_pointer (&self->local, g_hash_table_unref);

  G_OBJECT_CLASS (pw_execution_list_parent_class)->finalize (object);
}

static void
pw_execution_list_class_init (PwExecutionListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pw_execution_list_dispose;
  object_class->finalize = pw_execution_list_finalize;
}

static void
pw_execution_list_init (PwExecutionList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->monitors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->dirty = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->local = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/**
 * pw_execution_list_new:
 * @state_dir: a pipeline's state folder (it need not exist yet)
 *
 * Returns: (transfer full): its executions, newest first, kept live
 */
static PwExecutionList *
list_new (const char  *state_dir,
          gboolean     history,
          GError     **error)
{
  g_autoptr(PwExecutionList) self = g_object_new (PW_TYPE_EXECUTION_LIST, NULL);
  g_autoptr(GFile) dir = NULL;


  self->state_dir = g_strdup (state_dir);
  self->executions_dir = g_build_filename (state_dir, "executions", NULL);
  /* A folder with no runs yet is not made here (opening a file makes
   * nothing): GIO watches for it to appear. */
  dir = g_file_new_for_path (self->executions_dir);
  self->dir_monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_WATCH_MOVES, NULL, error);
  if (self->dir_monitor == NULL)
    return NULL;
  g_signal_connect (self->dir_monitor, "changed", G_CALLBACK (dir_changed_cb), self);

  if (history)
    pw_execution_list_reload (self);
  return g_steal_pointer (&self);
}

PwExecutionList *
pw_execution_list_new (const char  *state_dir,
                       GError     **error)
{
  g_return_val_if_fail (state_dir != NULL, NULL);

  return list_new (state_dir, TRUE, error);
}

/**
 * pw_execution_list_new_live:
 * @state_dir: a pipeline's state folder (it need not exist yet)
 *
 * As pw_execution_list_new(), without the executions that started before
 * it: what follows a run needs none of a long history read first.
 *
 * Returns: (transfer full): the executions that start from now on
 */
PwExecutionList *
pw_execution_list_new_live (const char  *state_dir,
                            GError     **error)
{
  g_return_val_if_fail (state_dir != NULL, NULL);

  return list_new (state_dir, FALSE, error);
}

const char *
pw_execution_list_get_state_dir (PwExecutionList *self)
{
  return self->state_dir;
}

/* Reads every record again: what the folder holds now. */
void
pw_execution_list_reload (PwExecutionList *self)
{
  g_autoptr(GPtrArray) records = NULL;

  g_return_if_fail (PW_IS_EXECUTION_LIST (self));

  records = pw_state_list_executions (self->state_dir, NULL);
  for (guint i = 0; records != NULL && i < records->len; i++)
    {
      JsonNode *record = g_ptr_array_index (records, i);
      const char *id = str_member (json_node_get_object (record), "pipelineExecutionId");

      if (id != NULL)
        apply_record (self, id, record, 0);
    }
}

/**
 * pw_execution_list_set_executor:
 * @executor: (nullable): the executor of this state folder in this process
 *
 * Its events bring each state change at once, in order.
 */
void
pw_execution_list_set_executor (PwExecutionList *self,
                                PwExecutor      *executor)
{
  g_return_if_fail (PW_IS_EXECUTION_LIST (self));

  if (self->executor == executor)
    return;
  if (self->executor != NULL)
    {
      g_autoptr(GPtrArray) were_local = g_ptr_array_new ();
      GHashTableIter iter;
      gpointer id;

      flush_dirty (self);
      g_clear_signal_handler (&self->event_id, self->executor);
      /* Another executor, or none: the disk tells what this one did. */
      g_hash_table_iter_init (&iter, self->local);
      while (g_hash_table_iter_next (&iter, &id, NULL))
        if (g_hash_table_lookup (self->by_id, id) != NULL)
          g_ptr_array_add (were_local, g_hash_table_lookup (self->by_id, id));
      g_hash_table_remove_all (self->local);
      for (guint i = 0; i < were_local->len; i++)
        watch_execution (self, g_ptr_array_index (were_local, i));
      g_clear_object (&self->executor);
    }
  if (executor != NULL)
    {
      self->executor = g_object_ref (executor);
      self->event_id = g_signal_connect (executor, "event", G_CALLBACK (event_cb), self);
    }
}

/**
 * pw_execution_list_load:
 *
 * Reads @execution_id's record now (from this process's executor when it
 * runs it, else from the folder) and brings the list up to it: what a
 * follower does when it knows the execution changed.
 */
void
pw_execution_list_load (PwExecutionList *self,
                        const char      *execution_id)
{
  g_autoptr(JsonNode) record = NULL;
  guint64 serial = 0;

  g_return_if_fail (PW_IS_EXECUTION_LIST (self));
  g_return_if_fail (execution_id != NULL);

  /* The executor in this process knows more than its last write (a
   * record is written at most every 20 ms): never go back to that. */
  if (self->executor != NULL)
    record = _pw_executor_dup_execution_since (self->executor, execution_id, 0, &serial);
  if (record == NULL)
    record = pw_state_load_execution (self->state_dir, execution_id, NULL);
  apply_record (self, execution_id, record, serial);
}

/**
 * pw_execution_list_flush:
 *
 * Brings the executions the executor's events touched up to date now,
 * rather than at the next turn of the main loop: a handler of
 * #PwExecutor::event connected after the list sees each event's change in
 * the objects, one event at a time.
 */
void
pw_execution_list_flush (PwExecutionList *self)
{
  g_return_if_fail (PW_IS_EXECUTION_LIST (self));

  flush_dirty (self);
}

/**
 * pw_execution_list_lookup:
 *
 * Returns: (transfer none) (nullable):
 */
PwExecution *
pw_execution_list_lookup (PwExecutionList *self,
                          const char      *execution_id)
{
  g_return_val_if_fail (PW_IS_EXECUTION_LIST (self), NULL);

  /* What the executor did until now, first (a run just started). */
  if (execution_id != NULL && g_hash_table_contains (self->dirty, execution_id))
    flush_dirty (self);
  return execution_id != NULL ? g_hash_table_lookup (self->by_id, execution_id) : NULL;
}
