/* pw-api-server.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The CodePipeline API (AWS JSON 1.1, reference/api-json-protocol.md) over
 * HTTP for the pipeline files of a workspace folder, with libsoup 3: every
 * request is POST / with X-Amz-Target naming the operation, signed with
 * SigV4; answers and errors have the service's shapes (`__type`, status
 * codes), so the AWS CLI and the SDKs drive it with --endpoint-url.
 *
 * This file: HTTP, SigV4, the model's check of every input
 * (pw-api-model.c), and the operations on executions, read from the
 * records the CLI and the app keep in each pipeline's `.pipewright/` and
 * asked of the process that runs them. The pipelines themselves, their
 * versions and tags: pw-api-catalog.c. */

#define G_LOG_DOMAIN "pw-api"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <pw-core.h>
#include <pw-engine.h>

#include "pw-api-private.h"
#include "pw-api-model.h"
#include "pw-sigv4.h"

#define MAX_BODY (2 * 1024 * 1024)
G_DEFINE_FINAL_TYPE (PwApiServer, pw_api_server, G_TYPE_OBJECT)

/* Answers ---------------------------------------------------------------------- */

PwApiAnswer
pw_api_error (guint       status,
              const char *type,
              const char *message)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  PwApiAnswer a = { status, NULL };

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "__type");
  json_builder_add_string_value (b, type);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  a.body = json_builder_get_root (b);
  return a;
}

static void respond (SoupServerMessage *msg, PwApiAnswer a);

PwApiAnswer
pw_api_ok (JsonNode *body)
{
  PwApiAnswer a = { 200, body };

  return a;
}

/* The answer of an operation without output: `{}`. */
PwApiAnswer
pw_api_empty (void)
{
  return pw_api_ok (json_node_init_object (json_node_alloc (), json_object_new ()));
}

/* The execution a line of `pipewright-cli run --json` is about (its
 * events carry detail.execution-id), or NULL. */
char *
pw_api_execution_of_event (const char *line)
{
  g_autoptr(JsonNode) event = json_from_string (line, NULL);
  JsonObject *detail = event != NULL && JSON_NODE_HOLDS_OBJECT (event) &&
                       json_object_has_member (json_node_get_object (event), "detail") &&
                       JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (event), "detail"))
    ? json_object_get_object_member (json_node_get_object (event), "detail") : NULL;

  /* `rollback --json` handed to a running process says only the id. */
  if (detail == NULL && event != NULL && JSON_NODE_HOLDS_OBJECT (event))
    return g_strdup (pw_api_member_string (json_node_get_object (event), "pipelineExecutionId"));
  return g_strdup (pw_api_member_string (detail, "execution-id"));
}

/* "2026-12-07T10:15:42.344Z" → seconds since the epoch, as the API writes times. */
double
pw_api_epoch_of (const char *iso)
{
  g_autoptr(GDateTime) t = iso != NULL ? g_date_time_new_from_iso8601 (iso, NULL) : NULL;

  return t != NULL ? g_date_time_to_unix (t) + g_date_time_get_microsecond (t) / 1e6 : 0;
}

const char *
pw_api_member_string (JsonObject *o,
               const char *name)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;

  return n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
    ? json_node_get_string (n) : NULL;
}

/* ValidationException in the service's words. */
gboolean
pw_api_require_name (JsonObject  *input,
              const char  *member,
              const char **value,
              PwApiAnswer      *answer)
{
  *value = pw_api_member_string (input, member);
  if (*value == NULL)
    {
      g_autofree char *message = g_strdup_printf ("1 validation error detected: Value null at '%s' failed to "
                                                  "satisfy constraint: Member must not be null", member);

      *answer = pw_api_error (400, "ValidationException", message);
      return FALSE;
    }
  return TRUE;
}

PwApiAnswer
pw_api_not_found (const char *name)
{
  g_autofree char *message = g_strdup_printf ("Account '%s' does not have a pipeline with name '%s'",
                                              PW_API_ACCOUNT, name);

  return pw_api_error (400, "PipelineNotFoundException", message);
}

/* nextToken: the index of the next item, opaque to clients. */
gboolean
pw_api_page_of (JsonObject *input,
         guint       max_default,
         guint       max_allowed,
         guint      *from,
         guint      *count,
         PwApiAnswer     *answer)
{
  const char *token = pw_api_member_string (input, "nextToken");
  JsonNode *max = json_object_get_member (input, "maxResults");

  *from = 0;
  *count = max_default;
  if (max != NULL)
    {
      gint64 n = JSON_NODE_HOLDS_VALUE (max) ? json_node_get_int (max) : 0;

      if (n < 1 || n > max_allowed)
        {
          g_autofree char *message = g_strdup_printf ("1 validation error detected: Value '%" G_GINT64_FORMAT
                                                      "' at 'maxResults' failed to satisfy constraint: Member "
                                                      "must have value less than or equal to %u", n, max_allowed);

          *answer = pw_api_error (400, "ValidationException", message);
          return FALSE;
        }
      *count = (guint)n;
    }
  if (token != NULL)
    {
      gsize length = 0;
      g_autofree guchar *raw = g_base64_decode (token, &length);
      g_autofree char *text = g_strndup ((const char *)raw, length);
      char *end = NULL;
      guint64 index;

      if (!g_str_has_prefix (text, "pw:") || (index = g_ascii_strtoull (text + 3, &end, 10), *end != '\0'))
        {
          *answer = pw_api_error (400, "InvalidNextTokenException", "The next token is not valid");
          return FALSE;
        }
      *from = (guint)index;
    }
  return TRUE;
}

void
pw_api_add_next_token (JsonBuilder *b,
                guint        next,
                guint        total)
{
  g_autofree char *text = NULL;
  g_autofree char *token = NULL;

  if (next >= total)
    return;
  text = g_strdup_printf ("pw:%u", next);
  token = g_base64_encode ((const guchar *)text, strlen (text));
  json_builder_set_member_name (b, "nextToken");
  json_builder_add_string_value (b, token);
}

/* Operations --------------------------------------------------------------- */



static void
add_trigger (JsonBuilder *b,
             JsonObject  *record)
{
  JsonNode *trigger = json_object_get_member (record, "trigger");

  if (trigger != NULL && JSON_NODE_HOLDS_OBJECT (trigger))
    {
      json_builder_set_member_name (b, "trigger");
      json_builder_add_value (b, json_node_copy (trigger));
    }
}

void
pw_api_add_string (JsonBuilder *b,
            JsonObject  *record,
            const char  *from,
            const char  *to)
{
  const char *value = pw_api_member_string (record, from);

  if (value != NULL)
    {
      json_builder_set_member_name (b, to);
      json_builder_add_string_value (b, value);
    }
}

/* The record's time @from (ISO 8601) as @to, in seconds since the epoch
 * as the API writes times. */
void
pw_api_add_time (JsonBuilder *b,
                 JsonObject  *record,
                 const char  *from,
                 const char  *to)
{
  json_builder_set_member_name (b, to);
  json_builder_add_double_value (b, pw_api_epoch_of (pw_api_member_string (record, from)));
}

/* A rollback's target, as the record keeps it. */
static void
add_rollback_metadata (JsonBuilder *b,
                       JsonObject  *r)
{
  JsonNode *meta = json_object_get_member (r, "rollbackMetadata");

  if (meta != NULL && JSON_NODE_HOLDS_OBJECT (meta))
    {
      json_builder_set_member_name (b, "rollbackMetadata");
      json_builder_add_value (b, json_node_copy (meta));
    }
}

static PwApiAnswer
list_pipeline_executions (PwApiServer *self,
                          JsonObject  *input)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *state_dir = NULL;
  const char *name;
  PwApiEntry *e;
  PwApiAnswer a;
  guint from, count, i;

  if (!pw_api_require_name (input, "pipelineName", &name, &a))
    return a;
  if ((e = pw_api_lookup (self, name)) == NULL)
    return pw_api_not_found (name);
  if (!pw_api_page_of (input, 100, 100, &from, &count, &a))
    return a;
  state_dir = pw_state_default_dir (e->path);
  records = pw_state_list_executions (state_dir, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pipelineExecutionSummaries");
  json_builder_begin_array (b);
  for (i = from; records != NULL && i < records->len && i < from + count; i++)
    {
      JsonObject *r = json_node_get_object (g_ptr_array_index (records, i));
      JsonArray *revisions = json_object_get_array_member (r, "artifactRevisions");

      json_builder_begin_object (b);
      pw_api_add_string (b, r, "pipelineExecutionId", "pipelineExecutionId");
      pw_api_add_string (b, r, "status", "status");
      pw_api_add_string (b, r, "statusSummary", "statusSummary");
      pw_api_add_time (b, r, "startTime", "startTime");
      pw_api_add_time (b, r, "lastUpdateTime", "lastUpdateTime");
      json_builder_set_member_name (b, "sourceRevisions");
      json_builder_begin_array (b);
      for (guint k = 0; revisions != NULL && k < json_array_get_length (revisions); k++)
        {
          JsonObject *rev = json_array_get_object_element (revisions, k);

          json_builder_begin_object (b);
          pw_api_add_string (b, rev, "actionName", "actionName");
          pw_api_add_string (b, rev, "revisionId", "revisionId");
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      add_trigger (b, r);
      pw_api_add_string (b, r, "executionMode", "executionMode");
      pw_api_add_string (b, r, "executionType", "executionType");
      add_rollback_metadata (b, r);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  pw_api_add_next_token (b, i, records != NULL ? records->len : 0);
  json_builder_end_object (b);
  return pw_api_ok (json_builder_get_root (b));
}

/* The record of execution pipelineExecutionId of pipeline pipelineName
 * (whole ids only, as the service takes them), or NULL with the
 * service's error in @answer. */
static JsonNode *
load_execution (PwApiServer  *self,
                JsonObject   *input,
                PwApiEntry       **entry,
                char        **state_dir,
                PwApiAnswer       *answer)
{
  const char *name, *id;
  JsonNode *record;

  if (!pw_api_require_name (input, "pipelineName", &name, answer) ||
      !pw_api_require_name (input, "pipelineExecutionId", &id, answer))
    return NULL;
  if ((*entry = pw_api_lookup (self, name)) == NULL)
    {
      *answer = pw_api_not_found (name);
      return NULL;
    }
  *state_dir = pw_state_default_dir ((*entry)->path);
  if (!pw_state_is_execution_id (id, FALSE) || (record = pw_state_load_execution (*state_dir, id, NULL)) == NULL)
    {
      g_autofree char *message = g_strdup_printf ("Pipeline execution '%s' does not exist in pipeline '%s'",
                                                  id, name);

      *answer = pw_api_error (400, "PipelineExecutionNotFoundException", message);
      return NULL;
    }
  return record;
}

static PwApiAnswer
get_pipeline_execution (PwApiServer *self,
                        JsonObject  *input)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *state_dir = NULL;
  JsonObject *r;
  JsonNode *variables;
  JsonArray *revisions;
  PwApiEntry *e = NULL;
  PwApiAnswer a;

  if ((node = load_execution (self, input, &e, &state_dir, &a)) == NULL)
    return a;
  r = json_node_get_object (node);
  revisions = json_object_get_array_member (r, "artifactRevisions");

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pipelineExecution");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pipelineName");
  json_builder_add_string_value (b, e->name);
  json_builder_set_member_name (b, "pipelineVersion");
  json_builder_add_int_value (b, json_object_get_int_member_with_default (r, "pipelineVersion", 1));
  pw_api_add_string (b, r, "pipelineExecutionId", "pipelineExecutionId");
  pw_api_add_string (b, r, "status", "status");
  pw_api_add_string (b, r, "statusSummary", "statusSummary");
  json_builder_set_member_name (b, "artifactRevisions");
  json_builder_begin_array (b);
  for (guint k = 0; revisions != NULL && k < json_array_get_length (revisions); k++)
    {
      JsonObject *rev = json_array_get_object_element (revisions, k);

      json_builder_begin_object (b);
      pw_api_add_string (b, rev, "actionName", "name");
      pw_api_add_string (b, rev, "revisionId", "revisionId");
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  variables = json_object_get_member (r, "variables");
  if (variables != NULL && JSON_NODE_HOLDS_ARRAY (variables))
    {
      json_builder_set_member_name (b, "variables");
      json_builder_add_value (b, json_node_copy (variables));
    }
  add_trigger (b, r);
  pw_api_add_string (b, r, "executionMode", "executionMode");
  pw_api_add_string (b, r, "executionType", "executionType");
  add_rollback_metadata (b, r);
  json_builder_end_object (b);
  json_builder_end_object (b);
  return pw_api_ok (json_builder_get_root (b));
}

/* The latest record (newest first in @records) in which @stage ran. */
static JsonObject *
latest_in_stage (GPtrArray  *records,
                 const char *stage,
                 JsonObject **stage_record)
{
  for (guint i = 0; records != NULL && i < records->len; i++)
    {
      JsonObject *r = json_node_get_object (g_ptr_array_index (records, i));
      JsonArray *stages = json_object_get_array_member (r, "stages");

      for (guint s = 0; stages != NULL && s < json_array_get_length (stages); s++)
        {
          JsonObject *st = json_array_get_object_element (stages, s);
          const char *status = pw_api_member_string (st, "status");

          if (g_strcmp0 (pw_api_member_string (st, "stageName"), stage) == 0 && status != NULL &&
              !g_str_equal (status, "NotStarted"))
            {
              if (stage_record != NULL)
                *stage_record = st;
              return r;
            }
        }
    }
  return NULL;
}

/* An action's status in the API's words: the record's (the console's
 * Stopped/Abandoned …) mapped to ActionExecution's enum. */
static const char *
action_status (const char *status)
{
  if (status == NULL)
    return NULL;
  if (g_str_equal (status, "InProgress") || g_str_equal (status, "Succeeded") || g_str_equal (status, "Failed") ||
      g_str_equal (status, "Abandoned"))
    return status;
  if (g_str_equal (status, "Stopped") || g_str_equal (status, "Stopping"))
    return "Abandoned";
  return NULL;
}

/* A stage's inbound transition: as last enabled or disabled, else as the
 * template left it (DisableInboundStageTransitions). */
static void
add_transition_state (JsonBuilder *b,
                      PwApiEntry  *e,
                      JsonObject  *transitions,
                      const char  *stage)
{
  JsonNode *item = transitions != NULL && stage != NULL ? json_object_get_member (transitions, stage) : NULL;
  JsonObject *o = item != NULL && JSON_NODE_HOLDS_OBJECT (item) ? json_node_get_object (item) : NULL;
  gboolean enabled = TRUE;
  const char *reason = NULL;

  if (o != NULL)
    {
      enabled = json_object_get_boolean_member_with_default (o, "enabled", TRUE);
      reason = pw_api_member_string (o, "reason");
    }
  else
    {
      JsonNode *disabled = pw_element_get_member (PW_ELEMENT (e->pipeline), "disableInboundStageTransitions");
      JsonArray *list = disabled != NULL && JSON_NODE_HOLDS_ARRAY (disabled) ? json_node_get_array (disabled) : NULL;

      for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
        {
          JsonNode *n = json_array_get_element (list, i);

          if (JSON_NODE_HOLDS_OBJECT (n) &&
              g_strcmp0 (pw_api_member_string (json_node_get_object (n), "stageName"), stage) == 0)
            {
              enabled = FALSE;
              reason = pw_api_member_string (json_node_get_object (n), "reason");
            }
        }
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "enabled");
  json_builder_add_boolean_value (b, enabled);
  if (!enabled && reason != NULL)
    {
      json_builder_set_member_name (b, "disabledReason");
      json_builder_add_string_value (b, reason);
    }
  if (o != NULL)
    {
      pw_api_add_string (b, o, "lastChangedBy", "lastChangedBy");
      pw_api_add_time (b, o, "lastChangedAt", "lastChangedAt");
    }
  json_builder_end_object (b);
}

/* The stage's last evaluation of each kind of condition in the record
 * @r, as StageConditionState says it: its status, and its rules'. */
static void
add_condition_states (JsonBuilder *b,
                      JsonObject  *r,
                      const char  *stage_name)
{
  static const char * const kinds[][2] = {
    { "BEFORE_ENTRY", "beforeEntryConditionState" },
    { "ON_SUCCESS", "onSuccessConditionState" },
    { "ON_FAILURE", "onFailureConditionState" },
  };
  JsonArray *conditions = json_object_has_member (r, "conditionExecutions") &&
                          JSON_NODE_HOLDS_ARRAY (json_object_get_member (r, "conditionExecutions"))
    ? json_object_get_array_member (r, "conditionExecutions") : NULL;
  JsonArray *rules = json_object_has_member (r, "ruleExecutions") &&
                     JSON_NODE_HOLDS_ARRAY (json_object_get_member (r, "ruleExecutions"))
    ? json_object_get_array_member (r, "ruleExecutions") : NULL;

  for (guint k = 0; conditions != NULL && k < G_N_ELEMENTS (kinds); k++)
    {
      JsonObject *last = NULL;

      for (guint i = 0; i < json_array_get_length (conditions); i++)
        {
          JsonObject *c = json_array_get_object_element (conditions, i);

          if (g_strcmp0 (pw_api_member_string (c, "stageName"), stage_name) == 0 &&
              g_strcmp0 (pw_api_member_string (c, "conditionType"), kinds[k][0]) == 0)
            last = c;
        }
      if (last == NULL)
        continue;

      json_builder_set_member_name (b, kinds[k][1]);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "latestExecution");
      json_builder_begin_object (b);
      pw_api_add_string (b, last, "status", "status");
      pw_api_add_string (b, last, "summary", "summary");
      json_builder_end_object (b);
      json_builder_set_member_name (b, "conditionStates");
      json_builder_begin_array (b);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "latestExecution");
      json_builder_begin_object (b);
      pw_api_add_string (b, last, "status", "status");
      pw_api_add_string (b, last, "summary", "summary");
      json_builder_end_object (b);
      json_builder_set_member_name (b, "ruleStates");
      json_builder_begin_array (b);
      for (guint i = 0; rules != NULL && i < json_array_get_length (rules); i++)
        {
          JsonObject *rule = json_array_get_object_element (rules, i);
          JsonObject *output = json_object_has_member (rule, "output")
            ? json_object_get_object_member (rule, "output") : NULL;
          JsonObject *result = output != NULL && json_object_has_member (output, "executionResult")
            ? json_object_get_object_member (output, "executionResult") : NULL;

          if (g_strcmp0 (pw_api_member_string (rule, "stageName"), stage_name) != 0 ||
              g_strcmp0 (pw_api_member_string (rule, "conditionType"), kinds[k][0]) != 0 ||
              g_strcmp0 (pw_api_member_string (rule, "startTime"), pw_api_member_string (last, "startTime")) < 0)
            continue;
          json_builder_begin_object (b);
          pw_api_add_string (b, rule, "ruleName", "ruleName");
          json_builder_set_member_name (b, "latestExecution");
          json_builder_begin_object (b);
          pw_api_add_string (b, rule, "ruleExecutionId", "ruleExecutionId");
          pw_api_add_string (b, rule, "status", "status");
          pw_api_add_string (b, result, "externalExecutionSummary", "summary");
          pw_api_add_time (b, rule, "lastUpdateTime", "lastStatusChange");
          pw_api_add_string (b, rule, "updatedBy", "lastUpdatedBy");
          json_builder_end_object (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
}

static PwApiAnswer
get_pipeline_state (PwApiServer *self,
                    JsonObject  *input)
{
  g_autoptr(JsonObject) transitions = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *state_dir = NULL;
  const char *name;
  PwApiEntry *e;
  PwApiAnswer a;

  if (!pw_api_require_name (input, "name", &name, &a))
    return a;
  if ((e = pw_api_lookup (self, name)) == NULL)
    return pw_api_not_found (name);
  state_dir = pw_state_default_dir (e->path);
  records = pw_state_list_executions (state_dir, NULL);
  transitions = pw_state_load_transitions (state_dir, e->name);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pipelineName");
  json_builder_add_string_value (b, name);
  json_builder_set_member_name (b, "pipelineVersion");
  json_builder_add_int_value (b, e->version);
  json_builder_set_member_name (b, "stageStates");
  json_builder_begin_array (b);
  for (guint s = 0; s < pw_pipeline_get_n_stages (e->pipeline); s++)
    {
      PwStage *stage = pw_pipeline_get_stage (e->pipeline, s);
      const char *stage_name = pw_stage_get_name (stage);
      JsonObject *st = NULL;
      JsonObject *r = latest_in_stage (records, stage_name, &st);
      JsonArray *actions = r != NULL ? json_object_get_array_member (r, "actions") : NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "stageName");
      json_builder_add_string_value (b, stage_name != NULL ? stage_name : "");
      json_builder_set_member_name (b, "inboundTransitionState");
      add_transition_state (b, e, transitions, stage_name);
      json_builder_set_member_name (b, "actionStates");
      json_builder_begin_array (b);
      for (guint k = 0; k < pw_stage_get_n_actions (stage); k++)
        {
          PwAction *action = pw_stage_get_action (stage, k);
          JsonObject *latest = NULL;

          /* The action's last attempt in that execution. */
          for (guint i = 0; actions != NULL && i < json_array_get_length (actions); i++)
            {
              JsonObject *ac = json_array_get_object_element (actions, i);

              if (g_strcmp0 (pw_api_member_string (ac, "stageName"), stage_name) == 0 &&
                  g_strcmp0 (pw_api_member_string (ac, "actionName"), pw_action_get_name (action)) == 0)
                latest = ac;
            }
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "actionName");
          json_builder_add_string_value (b, pw_action_get_name (action) != NULL ? pw_action_get_name (action) : "");
          if (latest != NULL && action_status (pw_api_member_string (latest, "status")) != NULL)
            {
              json_builder_set_member_name (b, "latestExecution");
              json_builder_begin_object (b);
              pw_api_add_string (b, latest, "actionExecutionId", "actionExecutionId");
              json_builder_set_member_name (b, "status");
              json_builder_add_string_value (b, action_status (pw_api_member_string (latest, "status")));
              pw_api_add_string (b, latest, "summary", "summary");
              /* An approval that waits: the token PutApprovalResult takes. */
              if (g_strcmp0 (pw_api_member_string (latest, "status"), "InProgress") == 0)
                pw_api_add_string (b, latest, "token", "token");
              pw_api_add_time (b, latest, "lastUpdateTime", "lastStatusChange");
              pw_api_add_string (b, latest, "externalExecutionId", "externalExecutionId");
              json_builder_end_object (b);
            }
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      if (r != NULL)
        {
          json_builder_set_member_name (b, "latestExecution");
          json_builder_begin_object (b);
          pw_api_add_string (b, r, "pipelineExecutionId", "pipelineExecutionId");
          pw_api_add_string (b, st, "status", "status");
          json_builder_end_object (b);
          add_condition_states (b, r, stage_name);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "created");
  json_builder_add_double_value (b, e->created);
  json_builder_set_member_name (b, "updated");
  json_builder_add_double_value (b, e->updated);
  json_builder_end_object (b);
  return pw_api_ok (json_builder_get_root (b));
}

static PwApiAnswer
list_action_executions (PwApiServer *self,
                        JsonObject  *input)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) details = g_ptr_array_new ();
  g_autofree char *state_dir = NULL;
  JsonNode *filter = json_object_get_member (input, "filter");
  const char *only = NULL;
  const char *name;
  gboolean found = FALSE;
  PwApiEntry *e;
  PwApiAnswer a;
  guint from, count, i;

  if (!pw_api_require_name (input, "pipelineName", &name, &a))
    return a;
  if ((e = pw_api_lookup (self, name)) == NULL)
    return pw_api_not_found (name);
  if (!pw_api_page_of (input, 100, 100, &from, &count, &a))
    return a;
  if (filter != NULL && JSON_NODE_HOLDS_OBJECT (filter))
    only = pw_api_member_string (json_node_get_object (filter), "pipelineExecutionId");
  state_dir = pw_state_default_dir (e->path);
  records = pw_state_list_executions (state_dir, NULL);

  /* Newest first: the executions, and within one its actions last first. */
  for (i = 0; records != NULL && i < records->len; i++)
    {
      JsonObject *r = json_node_get_object (g_ptr_array_index (records, i));
      JsonArray *actions = json_object_get_array_member (r, "actions");

      if (only != NULL && g_strcmp0 (pw_api_member_string (r, "pipelineExecutionId"), only) != 0)
        continue;
      found = TRUE;
      for (guint k = actions != NULL ? json_array_get_length (actions) : 0; k > 0; k--)
        if (action_status (pw_api_member_string (json_array_get_object_element (actions, k - 1), "status")) != NULL)
          {
            g_ptr_array_add (details, json_array_get_object_element (actions, k - 1));
            g_ptr_array_add (details, r);
          }
    }
  if (only != NULL && !found)
    {
      g_autofree char *message = g_strdup_printf ("Pipeline execution '%s' does not exist in pipeline '%s'",
                                                  only, name);

      return pw_api_error (400, "PipelineExecutionNotFoundException", message);
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "actionExecutionDetails");
  json_builder_begin_array (b);
  for (i = from; i < details->len / 2 && i < from + count; i++)
    {
      JsonObject *ac = g_ptr_array_index (details, 2 * i);
      JsonObject *r = g_ptr_array_index (details, 2 * i + 1);
      JsonNode *type = json_object_get_member (ac, "actionTypeId");
      JsonNode *configuration = json_object_get_member (ac, "resolvedConfiguration");
      JsonNode *variables = json_object_get_member (ac, "outputVariables");

      json_builder_begin_object (b);
      pw_api_add_string (b, r, "pipelineExecutionId", "pipelineExecutionId");
      pw_api_add_string (b, ac, "actionExecutionId", "actionExecutionId");
      json_builder_set_member_name (b, "pipelineVersion");
      json_builder_add_int_value (b, json_object_get_int_member_with_default (r, "pipelineVersion", 1));
      pw_api_add_string (b, ac, "stageName", "stageName");
      pw_api_add_string (b, ac, "actionName", "actionName");
      pw_api_add_time (b, ac, "startTime", "startTime");
      pw_api_add_time (b, ac, "lastUpdateTime", "lastUpdateTime");
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, action_status (pw_api_member_string (ac, "status")));
      json_builder_set_member_name (b, "input");
      json_builder_begin_object (b);
      if (type != NULL && JSON_NODE_HOLDS_OBJECT (type))
        {
          json_builder_set_member_name (b, "actionTypeId");
          json_builder_add_value (b, json_node_copy (type));
        }
      if (configuration != NULL && JSON_NODE_HOLDS_OBJECT (configuration))
        {
          json_builder_set_member_name (b, "resolvedConfiguration");
          json_builder_add_value (b, json_node_copy (configuration));
        }
      json_builder_end_object (b);
      json_builder_set_member_name (b, "output");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "executionResult");
      json_builder_begin_object (b);
      pw_api_add_string (b, ac, "externalExecutionId", "externalExecutionId");
      pw_api_add_string (b, ac, "summary", "externalExecutionSummary");
      json_builder_end_object (b);
      if (variables != NULL && JSON_NODE_HOLDS_OBJECT (variables))
        {
          json_builder_set_member_name (b, "outputVariables");
          json_builder_add_value (b, json_node_copy (variables));
        }
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  pw_api_add_next_token (b, i, details->len / 2);
  json_builder_end_object (b);
  return pw_api_ok (json_builder_get_root (b));
}

static int
compare_rule_start (gconstpointer a,
                    gconstpointer b)
{
  JsonObject *x = *(JsonObject * const *)a;
  JsonObject *y = *(JsonObject * const *)b;

  /* Newest first. */
  return g_strcmp0 (pw_api_member_string (y, "startTime"), pw_api_member_string (x, "startTime"));
}

/* ListRuleExecutions: the rules stage conditions evaluated, newest
 * first; filter.pipelineExecutionId, or filter.latestInPipelineExecution
 * (with startTimeRange Latest: each rule's last evaluation only). */
static PwApiAnswer
list_rule_executions (PwApiServer *self,
                      JsonObject  *input)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) details = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *state_dir = NULL;
  JsonNode *filter = json_object_get_member (input, "filter");
  JsonObject *latest_filter = NULL;
  const char *only = NULL;
  const char *name;
  gboolean found = FALSE, latest_only = FALSE;
  PwApiEntry *e;
  PwApiAnswer a;
  guint from, count, i;

  if (!pw_api_require_name (input, "pipelineName", &name, &a))
    return a;
  if ((e = pw_api_lookup (self, name)) == NULL)
    return pw_api_not_found (name);
  if (!pw_api_page_of (input, 100, 100, &from, &count, &a))
    return a;
  if (filter != NULL && JSON_NODE_HOLDS_OBJECT (filter))
    {
      JsonObject *f = json_node_get_object (filter);

      only = pw_api_member_string (f, "pipelineExecutionId");
      if (json_object_has_member (f, "latestInPipelineExecution") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (f, "latestInPipelineExecution")))
        {
          latest_filter = json_object_get_object_member (f, "latestInPipelineExecution");
          only = pw_api_member_string (latest_filter, "pipelineExecutionId");
          latest_only = g_strcmp0 (pw_api_member_string (latest_filter, "startTimeRange"), "Latest") == 0;
        }
    }
  state_dir = pw_state_default_dir (e->path);
  records = pw_state_list_executions (state_dir, NULL);

  for (i = 0; records != NULL && i < records->len; i++)
    {
      JsonObject *r = json_node_get_object (g_ptr_array_index (records, i));
      JsonArray *rules = json_object_has_member (r, "ruleExecutions") &&
                         JSON_NODE_HOLDS_ARRAY (json_object_get_member (r, "ruleExecutions"))
        ? json_object_get_array_member (r, "ruleExecutions") : NULL;

      if (only != NULL && g_strcmp0 (pw_api_member_string (r, "pipelineExecutionId"), only) != 0)
        continue;
      found = TRUE;
      for (guint k = 0; rules != NULL && k < json_array_get_length (rules); k++)
        g_ptr_array_add (details, json_array_get_object_element (rules, k));
    }
  if (only != NULL && !found)
    {
      g_autofree char *message = g_strdup_printf ("Pipeline execution '%s' does not exist in pipeline '%s'",
                                                  only, name);

      return pw_api_error (400, "PipelineExecutionNotFoundException", message);
    }
  g_ptr_array_sort (details, compare_rule_start);
  if (latest_only)
    for (i = 0; i < details->len;)
      {
        JsonObject *d = g_ptr_array_index (details, i);
        char *key = g_strdup_printf ("%s/%s/%s", pw_api_member_string (d, "stageName"),
                                     pw_api_member_string (d, "conditionType"), pw_api_member_string (d, "ruleName"));

        if (!g_hash_table_add (seen, key))
          g_ptr_array_remove_index (details, i);
        else
          i++;
      }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ruleExecutionDetails");
  json_builder_begin_array (b);
  for (i = from; i < details->len && i < from + count; i++)
    {
      JsonObject *d = g_ptr_array_index (details, i);
      JsonNode *in = json_object_get_member (d, "input");
      JsonNode *out = json_object_get_member (d, "output");

      json_builder_begin_object (b);
      pw_api_add_string (b, d, "pipelineExecutionId", "pipelineExecutionId");
      pw_api_add_string (b, d, "ruleExecutionId", "ruleExecutionId");
      json_builder_set_member_name (b, "pipelineVersion");
      json_builder_add_int_value (b, json_object_get_int_member_with_default (d, "pipelineVersion", 1));
      pw_api_add_string (b, d, "stageName", "stageName");
      pw_api_add_string (b, d, "ruleName", "ruleName");
      pw_api_add_time (b, d, "startTime", "startTime");
      pw_api_add_time (b, d, "lastUpdateTime", "lastUpdateTime");
      pw_api_add_string (b, d, "updatedBy", "updatedBy");
      pw_api_add_string (b, d, "status", "status");
      if (in != NULL && JSON_NODE_HOLDS_OBJECT (in))
        {
          json_builder_set_member_name (b, "input");
          json_builder_add_value (b, json_node_copy (in));
        }
      if (out != NULL && JSON_NODE_HOLDS_OBJECT (out))
        {
          json_builder_set_member_name (b, "output");
          json_builder_add_value (b, json_node_copy (out));
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  pw_api_add_next_token (b, i, details->len);
  json_builder_end_object (b);
  return pw_api_ok (json_builder_get_root (b));
}

/* StartPipelineExecution: a `pipewright-cli run` of the pipeline file,
 * which runs it (or hands it to the process that runs the pipeline
 * already), with the CLI's semantics and records; the answer waits for
 * the execution's id, the first event the run prints. */
typedef struct
{
  PwApiServer       *self;
  SoupServerMessage *msg;
  GSubprocess       *child;
  GDataInputStream  *out;
  char              *token;
  char              *execution_id;  /* known beforehand (a retry) */
  const char        *error_type;    /* when it ends before it starts */
  gboolean           answered;
} Start;

static void start_read_cb (GObject *object, GAsyncResult *result, gpointer data);

/* {"pipelineExecutionId": id}, the answer of Start, Stop and Retry. */
static PwApiAnswer
execution_answer (const char *id)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pipelineExecutionId");
  json_builder_add_string_value (b, id);
  json_builder_end_object (b);
  return pw_api_ok (json_builder_get_root (b));
}

static void
start_free (Start *start)
{
  g_clear_object (&start->child);
  g_clear_object (&start->out);
  g_free (start->token);
  g_free (start->execution_id);
  g_object_unref (start->self);
  g_free (start);
}

static void
start_answer (Start  *start,
              PwApiAnswer  answer)
{
  if (start->answered)
    {
      g_clear_pointer (&answer.body, json_node_unref);
      g_clear_pointer (&answer.text, g_bytes_unref);
      return;
    }
  start->answered = TRUE;
  respond (start->msg, answer);
  soup_server_message_unpause (start->msg);
  g_object_unref (start->msg);
}

static void
start_failed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      data)
{
  Start *start = data;
  g_autofree char *err = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, NULL, &err, NULL);
  /* A retry the running process took: nothing to print, all done. */
  if (!start->answered && start->execution_id != NULL && g_subprocess_get_successful (start->child))
    start_answer (start, execution_answer (start->execution_id));
  else if (!start->answered)
    {
      g_autofree char *message = g_strdup_printf ("%s: %s", start->execution_id != NULL
                                                  ? "The stage was not retried" : "The pipeline did not start",
                                                  err != NULL && *err != '\0' ? g_strstrip (err) : "no reason given");

      start_answer (start, pw_api_error (400, start->error_type, message));
    }
  start_free (start);
}

static void
start_read_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      data)
{
  Start *start = data;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result,
                                                                      NULL, NULL);

  if (line == NULL)
    {
      /* The run ended; without an id it never started: it says why. */
      if (!start->answered)
        {
          g_subprocess_communicate_utf8_async (start->child, NULL, NULL, start_failed_cb, start);
          return;
        }
      start_free (start);
      return;
    }

  if (!start->answered)
    {
      g_autofree char *started = pw_api_execution_of_event (line);
      const char *id = start->execution_id != NULL ? start->execution_id : started;

      if (id != NULL)
        {
          if (start->token != NULL)
            g_hash_table_insert (start->self->tokens, g_strdup (start->token), g_strdup (id));
          start_answer (start, execution_answer (id));
        }
    }
  /* The rest of the run's events are read, so it never blocks on them. */
  g_data_input_stream_read_line_async (start->out, G_PRIORITY_DEFAULT, NULL, start_read_cb, start);
}

/* Each {@key, @value} of the list @node as `@flag KEY=VALUE` for run;
 * FALSE with a ValidationException when one lacks either. */
static gboolean
add_pairs (GPtrArray  *argv,
           JsonNode   *node,
           const char *flag,
           const char *key,
           const char *value,
           const char *needs,
           PwApiAnswer     *answer)
{
  JsonArray *list = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonNode *item = json_array_get_element (list, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (item) ? json_node_get_object (item) : NULL;

      if (pw_api_member_string (o, key) == NULL || pw_api_member_string (o, value) == NULL)
        {
          g_autofree char *message = g_strdup_printf ("1 validation error detected: each of %s", needs);

          *answer = pw_api_error (400, "ValidationException", message);
          return FALSE;
        }
      g_ptr_array_add (argv, g_strdup (flag));
      g_ptr_array_add (argv, g_strdup_printf ("%s=%s", pw_api_member_string (o, key), pw_api_member_string (o, value)));
    }
  return TRUE;
}

/* Requests to the process that runs a pipeline (the state folder's
 * control requests) go from a worker thread: the server answers others
 * while one waits. */
typedef PwApiAnswer (*ReplyFunc) (PwApiServer *self, SoupServerMessage *msg, JsonNode *reply, GError *error,
                                  gpointer data);

typedef struct
{
  PwApiServer       *self;
  SoupServerMessage *msg;
  ReplyFunc          done;
  gpointer           data;
  GDestroyNotify     free_data;
} Asking;

static void
asked_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Asking *asking = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reply = pw_state_send_request_finish (result, &error);
  PwApiAnswer answer = asking->done (asking->self, asking->msg, reply, error, asking->data);

  /* A status of 0: the message was handed on, and is answered later. */
  if (answer.status != 0)
    {
      respond (asking->msg, answer);
      soup_server_message_unpause (asking->msg);
    }
  g_object_unref (asking->msg);
  g_object_unref (asking->self);
  if (asking->free_data != NULL)
    asking->free_data (asking->data);
  g_free (asking);
}

static void
ask_runner (PwApiServer       *self,
            SoupServerMessage *msg,
            const char        *state_dir,
            JsonObject        *request,
            ReplyFunc          done,
            gpointer           data,
            GDestroyNotify     free_data)
{
  Asking *asking = g_new0 (Asking, 1);

  asking->self = g_object_ref (self);
  asking->msg = g_object_ref (msg);
  asking->done = done;
  asking->data = data;
  asking->free_data = free_data;
  soup_server_message_pause (msg);
  pw_state_send_request_async (state_dir, request, 30000, NULL, asked_cb, asking);
}

/* Runs @argv (a pipewright-cli run or retry with --json) and answers
 * @msg once it has started: with the execution's id from its first event,
 * or with @error_type and what it printed when it ends before. */
static gboolean
spawn_run (PwApiServer       *self,
           SoupServerMessage *msg,
           GPtrArray         *argv,
           const char        *token,
           const char        *execution_id,
           const char        *error_type,
           PwApiAnswer       *answer)
{
  g_autoptr(GError) error = NULL;
  Start *start;

  g_ptr_array_add (argv, NULL);
  start = g_new0 (Start, 1);
  start->child = g_subprocess_newv ((const char * const *)argv->pdata,
                                    G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  if (start->child == NULL)
    {
      g_free (start);
      *answer = pw_api_error (500, "InternalFailure", error->message);
      return FALSE;
    }
  start->self = g_object_ref (self);
  start->msg = g_object_ref (msg);
  start->token = g_strdup (token);
  start->execution_id = g_strdup (execution_id);
  start->error_type = error_type;
  start->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (start->child));
  g_ptr_array_add (self->children, g_object_ref (start->child));
  soup_server_message_pause (msg);
  g_data_input_stream_read_line_async (start->out, G_PRIORITY_DEFAULT, NULL, start_read_cb, start);
  return TRUE;
}

typedef struct
{
  GPtrArray *argv;
  char      *token;
} Starting;

static void
starting_free (gpointer data)
{
  Starting *starting = data;

  g_ptr_array_unref (starting->argv);
  g_free (starting->token);
  g_free (starting);
}

/* {"KEY": "VALUE"} of the list of {@key, @value} objects @node. */
static JsonObject *
pairs_object (JsonNode   *node,
              const char *key,
              const char *value)
{
  JsonArray *list = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  JsonObject *o = json_object_new ();

  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonObject *item = json_array_get_object_element (list, i);

      if (pw_api_member_string (item, key) != NULL && pw_api_member_string (item, value) != NULL)
        json_object_set_string_member (o, pw_api_member_string (item, key), pw_api_member_string (item, value));
    }
  return o;
}

static PwApiAnswer
started_by_runner (PwApiServer       *self,
                   SoupServerMessage *msg,
                   JsonNode          *reply,
                   GError            *error,
                   gpointer           data)
{
  Starting *starting = data;
  const char *id;

  /* It left in between without taking it: a run of our own starts it. */
  if (g_error_matches (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_RUNNER_LEFT))
    {
      PwApiAnswer answer = { 0, NULL };

      spawn_run (self, msg, starting->argv, starting->token, NULL, "InvalidStructureException", &answer);
      return answer;   /* status 0 when spawn_run answers later */
    }
  if (g_error_matches (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_LIMIT))
    return pw_api_error (400, "ConcurrentPipelineExecutionsLimitExceededException", error->message);
  /* It runs an older version of the file (its executions go on). */
  if (error != NULL)
    return pw_api_error (400, "ConflictException", error->message);
  id = pw_api_member_string (json_node_get_object (reply), "executionId");
  if (starting->token != NULL)
    g_hash_table_insert (self->tokens, g_strdup (starting->token), g_strdup (id));
  return execution_answer (id);
}

static gboolean
start_pipeline_execution (PwApiServer       *self,
                          SoupServerMessage *msg,
                          JsonObject        *input,
                          PwApiAnswer            *answer)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *state_dir = NULL;
  const char *name, *token = pw_api_member_string (input, "clientRequestToken");
  JsonNode *variables = json_object_get_member (input, "variables");
  JsonNode *revisions = json_object_get_member (input, "sourceRevisions");
  PwApiEntry *e;

  if (!pw_api_require_name (input, "name", &name, answer))
    return FALSE;
  if ((e = pw_api_lookup (self, name)) == NULL)
    {
      *answer = pw_api_not_found (name);
      return FALSE;
    }
  /* The same token: the same execution, started once (idempotency). */
  if (token != NULL && g_hash_table_lookup (self->tokens, token) != NULL)
    {
      *answer = execution_answer (g_hash_table_lookup (self->tokens, token));
      return FALSE;
    }
  if (self->runner == NULL)
    {
      *answer = pw_api_error (400, "UnknownOperationException", "This server cannot start executions");
      return FALSE;
    }

  g_ptr_array_add (argv, g_strdup (self->runner));
  g_ptr_array_add (argv, g_strdup ("run"));
  g_ptr_array_add (argv, g_strdup ("--json"));
  g_ptr_array_add (argv, g_strdup (e->path));
  if (!add_pairs (argv, variables, "--var", "name", "value", "'variables' needs a name and a value", answer) ||
      !add_pairs (argv, revisions, "--source-revision", "actionName", "revisionValue",
                  "'sourceRevisions' needs an actionName, a revisionType and a revisionValue", answer))
    return FALSE;

  /* A process runs the pipeline already: it starts the execution at once
   * (a `run` would ask it the same, a process later). */
  state_dir = pw_state_default_dir (e->path);
  if (pw_state_runner_alive (state_dir))
    {
      g_autoptr(JsonObject) request = json_object_new ();
      g_autofree char *hash = pw_executor_hash_pipeline (e->pipeline);
      Starting *starting = g_new0 (Starting, 1);

      json_object_set_string_member (request, "op", "start");
      json_object_set_string_member (request, "pipelineHash", hash);
      json_object_set_object_member (request, "variables", pairs_object (variables, "name", "value"));
      json_object_set_object_member (request, "sourceRevisions",
                                     pairs_object (revisions, "actionName", "revisionValue"));
      json_object_set_string_member (request, "approvals", "wait");
      json_object_set_string_member (request, "by", "pipewright-cli serve");
      starting->argv = g_steal_pointer (&argv);
      starting->token = g_strdup (token);
      ask_runner (self, msg, state_dir, request, started_by_runner, starting, starting_free);
      return TRUE;
    }
  return spawn_run (self, msg, argv, token, NULL, "InvalidStructureException", answer);
}

static PwApiAnswer
stopped (PwApiServer       *self,
        SoupServerMessage *msg,
         JsonNode    *reply,
         GError      *error,
         gpointer     data)
{
  if (error != NULL)
    return pw_api_error (400, g_strrstr (error->message, "already") != NULL ? "DuplicatedStopRequestException"
                                                                            : "PipelineExecutionNotStoppableException",
                         error->message);
  return execution_answer (data);
}

/* StopPipelineExecution: asked of the process that runs it, through the
 * state folder's control requests (as `pipewright-cli stop` asks). */
static gboolean
stop_pipeline_execution (PwApiServer       *self,
                         SoupServerMessage *msg,
                         JsonObject        *input,
                         PwApiAnswer       *answer)
{
  g_autoptr(JsonObject) request = json_object_new ();
  g_autofree char *state_dir = NULL;
  const char *id = pw_api_member_string (input, "pipelineExecutionId"), *reason = pw_api_member_string (input, "reason");
  JsonNode *abandon = json_object_get_member (input, "abandon");
  g_autoptr(JsonNode) record = NULL;
  PwApiEntry *e = NULL;

  if ((record = load_execution (self, input, &e, &state_dir, answer)) == NULL)
    return FALSE;
  if (g_strcmp0 (pw_api_member_string (json_node_get_object (record), "status"), "InProgress") != 0)
    {
      g_autofree char *message = g_strdup_printf ("Pipeline execution '%s' is not in progress (it is %s)", id,
                                                  pw_api_member_string (json_node_get_object (record), "status"));

      *answer = pw_api_error (400, "PipelineExecutionNotStoppableException", message);
      return FALSE;
    }
  json_object_set_string_member (request, "op", abandon != NULL && JSON_NODE_HOLDS_VALUE (abandon) &&
                                               json_node_get_boolean (abandon) ? "abandon" : "stop");
  json_object_set_string_member (request, "executionId", id);
  if (reason != NULL)
    json_object_set_string_member (request, "summary", reason);
  json_object_set_string_member (request, "by", "pipewright-cli serve");
  ask_runner (self, msg, state_dir, request, stopped, g_strdup (id), g_free);
  return TRUE;
}

/* PutApprovalResult: the token must be the one of the approval that
 * waits (GetPipelineState gives it), as the service checks it. */
static PwApiAnswer
approved (PwApiServer       *self,
         SoupServerMessage *msg,
          JsonNode    *reply,
          GError      *error,
          gpointer     data)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  if (error != NULL)
    return pw_api_error (400, "InvalidApprovalTokenException", error->message);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "approvedAt");
  json_builder_add_double_value (b, g_get_real_time () / 1e6);
  json_builder_end_object (b);
  return pw_api_ok (json_builder_get_root (b));
}

static gboolean
put_approval_result (PwApiServer       *self,
                     SoupServerMessage *msg,
                     JsonObject        *input,
                     PwApiAnswer       *answer)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(JsonObject) request = NULL;
  g_autofree char *state_dir = NULL;
  const char *name, *stage, *action, *token, *status, *summary;
  JsonNode *result = json_object_get_member (input, "result");
  JsonObject *waiting = NULL, *waiting_record = NULL;
  gboolean completed = FALSE;
  gboolean has_stage = FALSE, has_action = FALSE;
  PwApiEntry *e;

  if (!pw_api_require_name (input, "pipelineName", &name, answer) ||
      !pw_api_require_name (input, "stageName", &stage, answer) ||
      !pw_api_require_name (input, "actionName", &action, answer) ||
      !pw_api_require_name (input, "token", &token, answer))
    return FALSE;
  status = result != NULL && JSON_NODE_HOLDS_OBJECT (result) ? pw_api_member_string (json_node_get_object (result), "status") : NULL;
  summary = result != NULL && JSON_NODE_HOLDS_OBJECT (result) ? pw_api_member_string (json_node_get_object (result), "summary") : NULL;
  if (status == NULL || (!g_str_equal (status, "Approved") && !g_str_equal (status, "Rejected")) || summary == NULL)
    {
      *answer = pw_api_error (400, "ValidationException", "1 validation error detected: 'result' needs a status "
                              "(Approved or Rejected) and a summary");
      return FALSE;
    }
  if ((e = pw_api_lookup (self, name)) == NULL)
    {
      *answer = pw_api_not_found (name);
      return FALSE;
    }
  for (guint s = 0; s < pw_pipeline_get_n_stages (e->pipeline); s++)
    {
      PwStage *st = pw_pipeline_get_stage (e->pipeline, s);

      if (g_strcmp0 (pw_stage_get_name (st), stage) != 0)
        continue;
      has_stage = TRUE;
      for (guint k = 0; k < pw_stage_get_n_actions (st); k++)
        has_action |= g_strcmp0 (pw_action_get_name (pw_stage_get_action (st, k)), action) == 0;
    }
  if (!has_stage)
    {
      *answer = pw_api_error (400, "StageNotFoundException", "The stage was specified in an invalid format or cannot be found");
      return FALSE;
    }
  if (!has_action)
    {
      *answer = pw_api_error (400, "ActionNotFoundException", "The action was specified in an invalid format or cannot be found");
      return FALSE;
    }

  state_dir = pw_state_default_dir (e->path);
  records = pw_state_list_executions (state_dir, NULL);
  for (guint i = 0; records != NULL && i < records->len && waiting == NULL; i++)
    {
      JsonObject *r = json_node_get_object (g_ptr_array_index (records, i));
      JsonArray *actions = json_object_get_array_member (r, "actions");

      for (guint k = 0; actions != NULL && k < json_array_get_length (actions); k++)
        {
          JsonObject *ac = json_array_get_object_element (actions, k);

          if (g_strcmp0 (pw_api_member_string (ac, "stageName"), stage) != 0 ||
              g_strcmp0 (pw_api_member_string (ac, "actionName"), action) != 0 ||
              g_strcmp0 (pw_api_member_string (ac, "token"), token) != 0)
            continue;
          if (g_strcmp0 (pw_api_member_string (ac, "status"), "InProgress") == 0 &&
              g_strcmp0 (pw_api_member_string (r, "status"), "InProgress") == 0)
            {
              waiting = ac;
              waiting_record = r;
            }
          else
            completed = TRUE;
        }
    }
  if (waiting == NULL)
    {
      *answer = completed
        ? pw_api_error (400, "ApprovalAlreadyCompletedException", "The approval request already received a response or has expired")
        : pw_api_error (400, "InvalidApprovalTokenException", "The approval action token is not valid or has expired");
      return FALSE;
    }

  request = json_object_new ();
  json_object_set_string_member (request, "op", g_str_equal (status, "Approved") ? "approve" : "reject");
  json_object_set_string_member (request, "executionId", pw_api_member_string (waiting_record, "pipelineExecutionId"));
  json_object_set_string_member (request, "stage", stage);
  json_object_set_string_member (request, "action", action);
  json_object_set_string_member (request, "summary", summary);
  json_object_set_string_member (request, "by", "pipewright-cli serve");
  ask_runner (self, msg, state_dir, request, approved, NULL, NULL);
  return TRUE;
}

static gboolean set_stage_transition (PwApiServer *self, SoupServerMessage *msg, JsonObject *input,
                                      gboolean enabled, PwApiAnswer *answer);

static gboolean
enable_stage_transition (PwApiServer       *self,
                         SoupServerMessage *msg,
                         JsonObject        *input,
                         PwApiAnswer       *answer)
{
  return set_stage_transition (self, msg, input, TRUE, answer);
}

static gboolean
disable_stage_transition (PwApiServer       *self,
                          SoupServerMessage *msg,
                          JsonObject        *input,
                          PwApiAnswer       *answer)
{
  return set_stage_transition (self, msg, input, FALSE, answer);
}

static gint
stage_index (PwApiEntry *e,
             const char *stage)
{
  for (guint s = 0; s < pw_pipeline_get_n_stages (e->pipeline); s++)
    if (g_strcmp0 (pw_stage_get_name (pw_pipeline_get_stage (e->pipeline, s)), stage) == 0)
      return (gint)s;
  return -1;
}

static PwApiAnswer
stage_not_found (const char *stage,
                 const char *name)
{
  g_autofree char *message = g_strdup_printf ("Stage '%s' cannot be found in pipeline '%s'", stage, name);

  return pw_api_error (400, "StageNotFoundException", message);
}

typedef struct
{
  char     *state_dir;
  char     *pipeline;
  char     *stage;
  char     *reason;
  gboolean  enabled;
} Transition;

static void
transition_free (gpointer data)
{
  Transition *t = data;

  g_free (t->state_dir);
  g_free (t->pipeline);
  g_free (t->stage);
  g_free (t->reason);
  g_free (t);
}

static PwApiAnswer
save_transition (Transition *t)
{
  g_autoptr(GError) error = NULL;

  if (!pw_state_save_transition (t->state_dir, t->pipeline, t->stage, t->enabled, t->reason, NULL, &error))
    return pw_api_error (500, "InternalFailure", error->message);
  return pw_api_empty ();
}

static PwApiAnswer
transitioned (PwApiServer       *self,
             SoupServerMessage *msg,
              JsonNode    *reply,
              GError      *error,
              gpointer     data)
{
  /* A runner that left in between did not record it: the file does. */
  if (g_error_matches (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_RUNNER_LEFT))
    return save_transition (data);
  if (error != NULL)
    return pw_api_error (500, "InternalFailure", error->message);
  return pw_api_empty ();
}

/* Enable/DisableStageTransition: told to the process that runs the
 * pipeline when one does (it lets a waiting execution in at once, and
 * records it), else kept in the state folder for the runs to come. */
static gboolean
set_stage_transition (PwApiServer       *self,
                      SoupServerMessage *msg,
                      JsonObject        *input,
                      gboolean           enabled,
                      PwApiAnswer       *answer)
{
  const char *name = pw_api_member_string (input, "pipelineName");
  const char *stage = pw_api_member_string (input, "stageName");
  const char *reason = pw_api_member_string (input, "reason");
  gboolean outbound = g_strcmp0 (pw_api_member_string (input, "transitionType"), "Outbound") == 0;
  Transition *t;
  PwApiEntry *e;
  gint index;

  if ((e = pw_api_lookup (self, name)) == NULL)
    {
      *answer = pw_api_not_found (name);
      return FALSE;
    }
  if ((index = stage_index (e, stage)) < 0)
    {
      *answer = stage_not_found (stage, name);
      return FALSE;
    }
  /* A stage's outbound transition is the next one's inbound. */
  if (outbound)
    index++;
  if (index == 0 || (guint)index >= pw_pipeline_get_n_stages (e->pipeline))
    {
      g_autofree char *message = g_strdup_printf ("Stage '%s' is the %s stage of pipeline '%s': it has no %s "
                                                  "transition", stage, outbound ? "last" : "first", name,
                                                  outbound ? "outbound" : "inbound");

      *answer = pw_api_error (400, "ValidationException", message);
      return FALSE;
    }

  t = g_new0 (Transition, 1);
  t->state_dir = pw_state_default_dir (e->path);
  t->pipeline = g_strdup (e->name);
  t->stage = g_strdup (pw_stage_get_name (pw_pipeline_get_stage (e->pipeline, index)));
  t->reason = g_strdup (reason);
  t->enabled = enabled;
  if (pw_state_runner_alive (t->state_dir))
    {
      g_autoptr(JsonObject) request = json_object_new ();

      json_object_set_string_member (request, "op", enabled ? "enable-transition" : "disable-transition");
      json_object_set_string_member (request, "stage", t->stage);
      if (reason != NULL)
        json_object_set_string_member (request, "summary", reason);
      json_object_set_string_member (request, "by", "pipewright-cli serve");
      ask_runner (self, msg, t->state_dir, request, transitioned, t, transition_free);
      return TRUE;
    }
  *answer = save_transition (t);
  transition_free (t);
  return FALSE;
}

/* RetryStageExecution: the stage must have failed or stopped in that
 * execution, and no later execution have run it since. */
static gboolean
retry_stage_execution (PwApiServer       *self,
                       SoupServerMessage *msg,
                       JsonObject        *input,
                       PwApiAnswer       *answer)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(JsonNode) record = NULL;
  g_autofree char *state_dir = NULL;
  const char *name = pw_api_member_string (input, "pipelineName");
  const char *stage = pw_api_member_string (input, "stageName");
  const char *id = pw_api_member_string (input, "pipelineExecutionId");
  const char *status = NULL;
  JsonObject *latest_stage = NULL, *latest;
  JsonArray *stages;
  PwApiEntry *e = NULL;

  if ((record = load_execution (self, input, &e, &state_dir, answer)) == NULL)
    return FALSE;
  if (stage_index (e, stage) < 0)
    {
      *answer = stage_not_found (stage, name);
      return FALSE;
    }
  stages = json_object_get_array_member (json_node_get_object (record), "stages");
  for (guint s = 0; stages != NULL && s < json_array_get_length (stages); s++)
    if (g_strcmp0 (pw_api_member_string (json_array_get_object_element (stages, s), "stageName"), stage) == 0)
      status = pw_api_member_string (json_array_get_object_element (stages, s), "status");
  if (g_strcmp0 (status, "Failed") != 0 && g_strcmp0 (status, "Stopped") != 0)
    {
      g_autofree char *message = g_strdup_printf ("Stage '%s' of execution '%s' is %s: only a failed or stopped "
                                                  "stage can be retried", stage, id,
                                                  status != NULL ? status : "not started");

      *answer = pw_api_error (400, "StageNotRetryableException", message);
      return FALSE;
    }
  records = pw_state_list_executions (state_dir, NULL);
  latest = latest_in_stage (records, stage, &latest_stage);
  if (latest != NULL && g_strcmp0 (pw_api_member_string (latest, "pipelineExecutionId"), id) != 0)
    {
      g_autofree char *message = g_strdup_printf ("Execution '%s' ran stage '%s' after execution '%s'",
                                                  pw_api_member_string (latest, "pipelineExecutionId"), stage, id);

      *answer = pw_api_error (400, "NotLatestPipelineExecutionException", message);
      return FALSE;
    }
  if (self->runner == NULL)
    {
      *answer = pw_api_error (400, "UnknownOperationException", "This server cannot run executions");
      return FALSE;
    }

  g_ptr_array_add (argv, g_strdup (self->runner));
  g_ptr_array_add (argv, g_strdup ("retry"));
  g_ptr_array_add (argv, g_strdup ("--json"));
  if (g_strcmp0 (pw_api_member_string (input, "retryMode"), "ALL_ACTIONS") == 0)
    g_ptr_array_add (argv, g_strdup ("--all-actions"));
  g_ptr_array_add (argv, g_strdup_printf ("--state-dir=%s", state_dir));
  g_ptr_array_add (argv, g_strdup_printf ("--pipeline=%s", e->path));
  g_ptr_array_add (argv, g_strdup ("--"));
  g_ptr_array_add (argv, g_strdup (id));
  g_ptr_array_add (argv, g_strdup (stage));
  return spawn_run (self, msg, argv, NULL, id, "StageNotRetryableException", answer);
}

static PwApiAnswer
overridden (PwApiServer       *self,
            SoupServerMessage *msg,
            JsonNode          *reply,
            GError            *error,
            gpointer           data)
{
  if (g_error_matches (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_RUNNER_LEFT))
    return pw_api_error (400, "ConditionNotOverridableException",
                         "No process runs the execution any more: no condition of it is being evaluated");
  if (error != NULL)
    return pw_api_error (400, "ConditionNotOverridableException", error->message);
  return pw_api_empty ();
}

/* OverrideStageCondition: the conditions the execution is evaluating in
 * the stage now are bypassed by the process that runs it. */
static gboolean
override_stage_condition (PwApiServer       *self,
                          SoupServerMessage *msg,
                          JsonObject        *input,
                          PwApiAnswer       *answer)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(JsonNode) record = NULL;
  g_autoptr(JsonObject) request = NULL;
  g_autofree char *state_dir = NULL;
  const char *name = pw_api_member_string (input, "pipelineName");
  const char *stage = pw_api_member_string (input, "stageName");
  const char *id = pw_api_member_string (input, "pipelineExecutionId");
  const char *type = pw_api_member_string (input, "conditionType");
  JsonObject *latest;
  PwApiEntry *e = NULL;

  if ((e = pw_api_lookup (self, name)) == NULL)
    {
      *answer = pw_api_not_found (name);
      return FALSE;
    }
  if (stage_index (e, stage) < 0)
    {
      *answer = stage_not_found (stage, name);
      return FALSE;
    }
  state_dir = pw_state_default_dir (e->path);
  if (!pw_state_is_execution_id (id, FALSE) || (record = pw_state_load_execution (state_dir, id, NULL)) == NULL)
    {
      g_autofree char *message = g_strdup_printf ("Pipeline execution '%s' does not exist in pipeline '%s'", id,
                                                  name);

      *answer = pw_api_error (400, "ConditionNotOverridableException", message);
      return FALSE;
    }
  records = pw_state_list_executions (state_dir, NULL);
  latest = latest_in_stage (records, stage, NULL);
  if (latest != NULL && g_strcmp0 (pw_api_member_string (latest, "pipelineExecutionId"), id) != 0)
    {
      g_autofree char *message = g_strdup_printf ("Execution '%s' is in stage '%s' after execution '%s'",
                                                  pw_api_member_string (latest, "pipelineExecutionId"), stage, id);

      *answer = pw_api_error (400, "NotLatestPipelineExecutionException", message);
      return FALSE;
    }
  if (!pw_state_runner_alive (state_dir))
    {
      g_autofree char *message = g_strdup_printf ("No %s condition of stage '%s' is being evaluated for execution "
                                                  "'%s'", type, stage, id);

      *answer = pw_api_error (400, "ConditionNotOverridableException", message);
      return FALSE;
    }
  request = json_object_new ();
  json_object_set_string_member (request, "op", "override-condition");
  json_object_set_string_member (request, "executionId", id);
  json_object_set_string_member (request, "stage", stage);
  json_object_set_string_member (request, "conditionType", type);
  json_object_set_string_member (request, "by", "pipewright-cli serve");
  ask_runner (self, msg, state_dir, request, overridden, NULL, NULL);
  return TRUE;
}

/* The pipeline's version in its state folder, as the executor numbers
 * them (versions.json): 0 when this declaration has not run yet. */
static gint64
current_version (PwApiEntry *e,
                 const char *state_dir)
{
  g_autofree char *path = g_build_filename (state_dir, "versions.json", NULL);
  g_autofree char *hash = pw_executor_hash_pipeline (e->pipeline);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;

  if (!json_parser_load_from_file (parser, path, NULL) || (root = json_parser_get_root (parser)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root))
    return 0;
  return json_object_get_int_member_with_default (json_node_get_object (root), hash, 0);
}

/* RollbackStage: checked here as the service checks it, then run by
 * `pipewright-cli rollback` (which hands it to the process that runs the
 * pipeline, if one does). */
static gboolean
rollback_stage (PwApiServer       *self,
                SoupServerMessage *msg,
                JsonObject        *input,
                PwApiAnswer       *answer)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(JsonNode) record = NULL;
  g_autoptr(JsonObject) as_execution = json_object_new ();
  g_autofree char *state_dir = NULL;
  g_autofree char *message = NULL;
  const char *name = pw_api_member_string (input, "pipelineName");
  const char *stage = pw_api_member_string (input, "stageName");
  const char *target = pw_api_member_string (input, "targetPipelineExecutionId");
  const char *status = NULL;
  JsonObject *r;
  JsonArray *stages;
  PwApiEntry *e = NULL;
  gint index;

  json_object_set_string_member (as_execution, "pipelineName", name);
  json_object_set_string_member (as_execution, "pipelineExecutionId", target);
  if ((record = load_execution (self, as_execution, &e, &state_dir, answer)) == NULL)
    return FALSE;
  r = json_node_get_object (record);
  if ((index = stage_index (e, stage)) < 0)
    {
      *answer = stage_not_found (stage, name);
      return FALSE;
    }
  stages = json_object_get_array_member (r, "stages");
  for (guint s = 0; stages != NULL && s < json_array_get_length (stages); s++)
    if (g_strcmp0 (pw_api_member_string (json_array_get_object_element (stages, s), "stageName"), stage) == 0)
      status = pw_api_member_string (json_array_get_object_element (stages, s), "status");

  if (index == 0)
    message = g_strdup_printf ("Stage '%s' is the first stage of pipeline '%s': it cannot be rolled back", stage,
                               name);
  else if (pw_pipeline_get_execution_mode (e->pipeline) != NULL &&
           g_str_equal (pw_pipeline_get_execution_mode (e->pipeline), "PARALLEL"))
    message = g_strdup_printf ("Pipeline '%s' runs in PARALLEL mode, which has no rollback", name);
  else if (g_strcmp0 (pw_api_member_string (r, "executionType"), "ROLLBACK") == 0)
    message = g_strdup_printf ("Execution '%s' is a rollback; the target of a rollback cannot be one", target);
  else if (json_object_get_int_member_with_default (r, "pipelineVersion", 0) != current_version (e, state_dir))
    {
      g_autofree char *outdated = g_strdup_printf ("Execution '%s' ran an earlier version of pipeline '%s'",
                                                   target, name);

      *answer = pw_api_error (400, "PipelineExecutionOutdatedException", outdated);
      return FALSE;
    }
  else if (g_strcmp0 (status, "Succeeded") != 0)
    message = g_strdup_printf ("Stage '%s' of execution '%s' is %s: only a stage that succeeded can be rolled "
                               "back to", stage, target, status != NULL ? status : "not started");
  else
    {
      records = pw_state_list_executions (state_dir, NULL);
      for (guint i = 0; records != NULL && i < records->len && message == NULL; i++)
        {
          JsonObject *o = json_node_get_object (g_ptr_array_index (records, i));
          JsonArray *list = json_object_get_array_member (o, "stages");

          if (g_strcmp0 (pw_api_member_string (o, "status"), "InProgress") != 0 &&
              g_strcmp0 (pw_api_member_string (o, "status"), "Stopping") != 0)
            continue;
          for (guint s = 0; list != NULL && s < json_array_get_length (list); s++)
            {
              JsonObject *st = json_array_get_object_element (list, s);

              if (g_strcmp0 (pw_api_member_string (st, "stageName"), stage) == 0 &&
                  g_strcmp0 (pw_api_member_string (st, "status"), "InProgress") == 0)
                message = g_strdup_printf ("Execution '%s' is in stage '%s'",
                                           pw_api_member_string (o, "pipelineExecutionId"), stage);
            }
        }
      if (message != NULL)
        {
          *answer = pw_api_error (400, "ConflictException", message);
          return FALSE;
        }
    }
  if (message != NULL)
    {
      *answer = pw_api_error (400, "UnableToRollbackStageException", message);
      return FALSE;
    }
  if (self->runner == NULL)
    {
      *answer = pw_api_error (400, "UnknownOperationException", "This server cannot run executions");
      return FALSE;
    }

  g_ptr_array_add (argv, g_strdup (self->runner));
  g_ptr_array_add (argv, g_strdup ("rollback"));
  g_ptr_array_add (argv, g_strdup ("--json"));
  g_ptr_array_add (argv, g_strdup_printf ("--state-dir=%s", state_dir));
  g_ptr_array_add (argv, g_strdup_printf ("--pipeline=%s", e->path));
  g_ptr_array_add (argv, g_strdup_printf ("--to=%s", target));
  g_ptr_array_add (argv, g_strdup ("--"));
  g_ptr_array_add (argv, g_strdup (stage));
  return spawn_run (self, msg, argv, NULL, NULL, "UnableToRollbackStageException", answer);
}

static PwApiAnswer
dispatch (PwApiServer *self,
          const char  *operation,
          JsonObject  *input)
{
  static const struct {
    const char  *name;
    PwApiAnswer (*run) (PwApiServer *self, JsonObject *input);
  } operations[] = {
    { "ListPipelines", pw_api_list_pipelines },
    { "GetPipeline", pw_api_get_pipeline },
    { "CreatePipeline", pw_api_create_pipeline },
    { "UpdatePipeline", pw_api_update_pipeline },
    { "DeletePipeline", pw_api_delete_pipeline },
    { "TagResource", pw_api_tag_resource },
    { "UntagResource", pw_api_untag_resource },
    { "ListTagsForResource", pw_api_list_tags },
    { "PollForJobs", pw_api_poll_for_jobs },
    { "AcknowledgeJob", pw_api_acknowledge_job },
    { "GetJobDetails", pw_api_get_job_details },
    { "PutJobSuccessResult", pw_api_put_job_success },
    { "PutJobFailureResult", pw_api_put_job_failure },
    { "PollForThirdPartyJobs", pw_api_poll_for_third_party_jobs },
    { "AcknowledgeThirdPartyJob", pw_api_acknowledge_job },
    { "GetThirdPartyJobDetails", pw_api_get_third_party_job_details },
    { "PutThirdPartyJobSuccessResult", pw_api_put_job_success },
    { "PutThirdPartyJobFailureResult", pw_api_put_job_failure },
    { "ListPipelineExecutions", list_pipeline_executions },
    { "GetPipelineExecution", get_pipeline_execution },
    { "GetPipelineState", get_pipeline_state },
    { "ListActionExecutions", list_action_executions },
    { "ListRuleExecutions", list_rule_executions },
  };
  g_autofree char *message = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (operations); i++)
    if (g_str_equal (operation, operations[i].name))
      return operations[i].run (self, input);

  /* The rest of the model: said so, by name, rather than as unknown. */
  message = g_strdup_printf ("%s is not served by Pipewright's local endpoint yet; see pipewright-cli serve "
                             "--help for the operations it serves", operation);
  return pw_api_error (400, "UnknownOperationException", message);
}

/* HTTP -------------------------------------------------------------------- */

static const char *
secret_for (const char *access_key,
            gpointer    data)
{
  return PW_API_LOCAL_SECRET;
}

static void
respond (SoupServerMessage *msg,
         PwApiAnswer             a)
{
  g_autofree char *text = a.text != NULL ? NULL : a.body != NULL ? json_to_string (a.body, FALSE) : g_strdup ("{}");
  g_autofree char *request_id = g_uuid_string_random ();
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_server_message_set_status (msg, a.status, NULL);
  soup_message_headers_replace (headers, "x-amzn-RequestId", request_id);
  if (a.status != 200 && a.body != NULL)
    soup_message_headers_replace (headers, "x-amzn-ErrorType",
                                  json_object_get_string_member (json_node_get_object (a.body), "__type"));
  if (a.text != NULL)
    {
      /* Written already (and shared): sent as it is, not copied. */
      soup_message_headers_set_content_type (headers, "application/x-amz-json-1.1", NULL);
      soup_message_body_append_bytes (soup_server_message_get_response_body (msg), a.text);
    }
  else
    soup_server_message_set_response (msg, "application/x-amz-json-1.1", SOUP_MEMORY_COPY, text, strlen (text));
  g_clear_pointer (&a.body, json_node_unref);
  g_clear_pointer (&a.text, g_bytes_unref);
}

static void
collect_header (const char *name,
                const char *value,
                gpointer    data)
{
  g_hash_table_insert (data, g_ascii_strdown (name, -1), g_strdup (value));
}

static void
handle (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           data)
{
  PwApiServer *self = data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GHashTable) headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  static const struct {
    const char *name;
    gboolean  (*run) (PwApiServer *self, SoupServerMessage *msg, JsonObject *input, PwApiAnswer *answer);
  } deferred[] = {
    { "StartPipelineExecution", start_pipeline_execution },
    { "RetryStageExecution", retry_stage_execution },
    { "RollbackStage", rollback_stage },
    { "OverrideStageCondition", override_stage_condition },
    { "StopPipelineExecution", stop_pipeline_execution },
    { "PutApprovalResult", put_approval_result },
    { "EnableStageTransition", enable_stage_transition },
    { "DisableStageTransition", disable_stage_transition },
  };
  g_autoptr(JsonNode) decoded = NULL;
  g_autofree char *message = NULL;
  const char *operation, *error_type;
  JsonObject *input;
  const guint8 *raw;
  gsize length;

  if (!g_str_equal (path, "/"))
    {
      respond (msg, pw_api_error (404, "UnknownOperationException", "Every operation is POST /"));
      return;
    }
  if (!g_str_equal (soup_server_message_get_method (msg), "POST"))
    {
      respond (msg, pw_api_error (405, "UnknownOperationException", "Every operation is POST /"));
      return;
    }
  if (body->length > MAX_BODY)
    {
      respond (msg, pw_api_error (413, "SerializationException", "The request body is too large"));
      return;
    }
  bytes = soup_message_body_flatten (body);
  raw = g_bytes_get_data (bytes, &length);
  soup_message_headers_foreach (soup_server_message_get_request_headers (msg), collect_header, headers);

  if (self->verify)
    {
      const char *query_text = soup_server_message_get_uri (msg) != NULL
        ? g_uri_get_query (soup_server_message_get_uri (msg)) : NULL;
      PwSigv4Request request = { "POST", "/", query_text, headers, raw, length };
      g_autofree char *why = NULL;
      static const char * const types[] = {
        [PW_SIGV4_MISSING] = "MissingAuthenticationTokenException",
        [PW_SIGV4_INCOMPLETE] = "IncompleteSignatureException",
        [PW_SIGV4_WRONG_SCOPE] = "InvalidSignatureException",
        [PW_SIGV4_EXPIRED] = "InvalidSignatureException",
        [PW_SIGV4_MISMATCH] = "InvalidSignatureException",
        [PW_SIGV4_UNKNOWN_KEY] = "UnrecognizedClientException",
      };
      PwSigv4Result result = pw_sigv4_verify (&request, self->region, "codepipeline",
                                              g_get_real_time () / G_USEC_PER_SEC, secret_for, self, &why);

      if (result != PW_SIGV4_OK)
        {
          respond (msg, pw_api_error (result == PW_SIGV4_MISSING ? 403 : 400, types[result], why));
          return;
        }
    }

  decoded = pw_api_decode_request (g_hash_table_lookup (headers, "x-amz-target"), (const char *)raw, length,
                                   &operation, &error_type, &message);
  if (decoded == NULL)
    {
      respond (msg, pw_api_error (400, error_type, message));
      return;
    }
  input = json_node_get_object (decoded);

  /* Those that may answer later: once a process has started, or the
   * process that runs the pipeline has answered. */
  for (guint i = 0; i < G_N_ELEMENTS (deferred); i++)
    if (g_str_equal (operation, deferred[i].name))
      {
        PwApiAnswer answer = { 0, NULL };

        if (!deferred[i].run (self, msg, input, &answer))
          respond (msg, answer);
        return;
      }
  respond (msg, dispatch (self, operation, input));
}

/* GObject ------------------------------------------------------------------ */

static void
pw_api_server_finalize (GObject *object)
{
  PwApiServer *self = PW_API_SERVER (object);

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  {
    GHashTableIter iter;
    gpointer source;

    g_hash_table_iter_init (&iter, self->idle);
    while (g_hash_table_iter_next (&iter, NULL, &source))
      g_source_destroy (source);
    g_hash_table_unref (self->idle);
    g_hash_table_unref (self->sockets);
    if (self->accepting != NULL)
      {
        g_source_destroy (self->accepting);
        g_source_unref (self->accepting);
      }
    g_clear_handle_id (&self->accept_pause, g_source_remove);
    g_clear_object (&self->listener);
  }
  g_clear_object (&self->server);
  /* Runs started here end as the CLI's do when interrupted. */
  for (guint i = 0; i < self->children->len; i++)
    g_subprocess_send_signal (g_ptr_array_index (self->children, i), SIGTERM);
  g_ptr_array_unref (self->children);
  g_hash_table_unref (self->tokens);
  g_free (self->runner);
  g_free (self->webhook_secret);
  g_ptr_array_unref (self->entries);
  g_hash_table_unref (self->not_pipelines);
  g_ptr_array_unref (self->webhooks);
  g_free (self->list_answer_key);
  g_clear_pointer (&self->list_answer, g_bytes_unref);
  g_hash_table_unref (self->monitors);
  g_free (self->workspace);
  g_free (self->region);

  G_OBJECT_CLASS (pw_api_server_parent_class)->finalize (object);
}

static void
pw_api_server_class_init (PwApiServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pw_api_server_finalize;
}

static void
pw_api_server_init (PwApiServer *self)
{
  self->entries = g_ptr_array_new_with_free_func (pw_api_entry_free);
  self->not_pipelines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->webhooks = g_ptr_array_new_with_free_func (pw_api_webhook_free);
  self->idle = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)g_source_unref);
  self->sockets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->monitors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->dirty = TRUE;
  self->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->children = g_ptr_array_new_with_free_func (g_object_unref);
}

/* The secret GitHub signs webhook deliveries with (NULL: webhooks are
 * refused). */
void
pw_api_server_set_webhook_secret (PwApiServer *self,
                                  const char  *secret)
{
  g_return_if_fail (PW_IS_API_SERVER (self));

  g_free (self->webhook_secret);
  self->webhook_secret = g_strdup (secret);
}

static void
handle_webhook (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           data)
{
  pw_api_handle_webhook (data, msg);
}

/* /webhooks/v1/NAME: a template's AWS::CodePipeline::Webhook. */
static void
handle_webhook_v1 (SoupServer        *server,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           data)
{
  const char *name = path + strlen ("/webhooks/v1");

  if (*name == '/')
    name++;
  pw_api_handle_webhook_v1 (data, msg, name);
}

/**
 * pw_api_server_dup_webhooks:
 *
 * The workspace's CloudFormation webhooks, one line each: where each is
 * served and what it starts, or why it is not served.
 *
 * Returns: (transfer full): the lines
 */
GStrv
pw_api_server_dup_webhooks (PwApiServer *self,
                            const char  *base_url)
{
  g_autoptr(GStrvBuilder) lines = g_strv_builder_new ();

  g_return_val_if_fail (PW_IS_API_SERVER (self), NULL);

  pw_api_catalog_scan (self);
  for (guint i = 0; i < self->webhooks->len; i++)
    {
      PwApiWebhook *w = g_ptr_array_index (self->webhooks, i);
      g_autofree char *relative = g_path_is_absolute (w->path) && g_str_has_prefix (w->path, self->workspace)
        ? g_strdup (w->path + strlen (self->workspace) + (w->path[strlen (self->workspace)] == '/'))
        : g_strdup (w->path);
      g_autofree char *line = NULL;

      if (w->problem != NULL)
        line = g_strdup_printf ("CloudFormation webhook %s (%s) is not served: %s", w->name, relative, w->problem);
      else
        line = g_strdup_printf ("CloudFormation webhook %s (%s): %s/webhooks/v1/%s starts %s at %s (%s)", w->name,
                                relative, base_url, w->name, w->pipeline, w->action, w->authentication);
      g_strv_builder_add (lines, line);
    }
  return g_strv_builder_end (lines);
}

/* The pipewright-cli that StartPipelineExecution runs pipelines with. */
void
pw_api_server_set_runner (PwApiServer *self,
                          const char  *cli)
{
  g_return_if_fail (PW_IS_API_SERVER (self));

  g_free (self->runner);
  self->runner = g_strdup (cli);
}

/**
 * pw_api_server_new:
 * @workspace: the folder whose pipeline files are served
 * @region: the region requests must be signed for
 * @verify_signatures: whether SigV4 is checked (with any access key id and
 *   the secret %PW_API_LOCAL_SECRET)
 */
PwApiServer *
pw_api_server_new (const char *workspace,
                   const char *region,
                   gboolean    verify_signatures)
{
  PwApiServer *self = g_object_new (PW_TYPE_API_SERVER, NULL);

  self->workspace = g_strdup (workspace);
  self->region = g_strdup (region != NULL ? region : "us-east-1");
  self->verify = verify_signatures;
  pw_api_catalog_scan (self);
  return self;
}

guint
pw_api_server_get_n_pipelines (PwApiServer *self)
{
  g_return_val_if_fail (PW_IS_API_SERVER (self), 0);

  return self->entries->len;
}

#define LISTEN_BACKLOG 1024
#define ACCEPT_PAUSE_MS 100

/* Connections -----------------------------------------------------------------
 *
 * Accepting: libsoup's listener takes one connection a turn of the main
 * loop, so a burst of clients that all start sending waits behind the
 * ones already in: with 200 clients, the last were accepted only after
 * the others had been served for a third of a second. serve accepts every
 * waiting connection at once (at a higher priority than libsoup's
 * listener, which then finds none and stops watching; it stays the
 * server's listener, so connections are kept alive) and hands each to
 * libsoup.
 *
 * Idle connections: libsoup 3.2 (Debian 12's) never closes a keep-alive
 * connection the client closes while it is idle (fixed in libsoup 3.3 by
 * commit d20c6601): each stays in CLOSE_WAIT and holds a file descriptor,
 * so a server the AWS CLI calls (a connection per command) would run out
 * of them. After each answer the connection is watched here until its
 * next request: input means a request comes (libsoup reads it), the end
 * of the stream means the client left, and the socket is closed once
 * libsoup has seen the end too and left it alone (its connection object
 * stays, a few hundred bytes, until the server goes). */

static char *
address_key (GSocketAddress *address)
{
  g_autofree char *ip = NULL;

  if (address == NULL || !G_IS_INET_SOCKET_ADDRESS (address))
    return NULL;
  ip = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
  return g_strdup_printf ("%s:%u", ip, g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
}

/* The socket of @msg's connection. */
static GSocket *
socket_of (PwApiServer       *self,
           SoupServerMessage *msg)
{
  g_autofree char *key = NULL;
  GSocket *socket = soup_server_message_get_socket (msg);

  if (socket != NULL)
    return socket;
  key = address_key (soup_server_message_get_remote_address (msg));
  return key != NULL ? g_hash_table_lookup (self->sockets, key) : NULL;
}

static void
forget_idle (PwApiServer *self,
             GSocket     *socket)
{
  GSource *source = g_hash_table_lookup (self->idle, socket);

  if (source != NULL)
    {
      g_source_destroy (source);
      g_hash_table_remove (self->idle, socket);
    }
}

/* The socket goes from our tables (its connection is over). */
static void
forget_socket (PwApiServer *self,
               GSocket     *socket)
{
  const char *key = g_object_get_data (G_OBJECT (socket), "pw-client-key");

  forget_idle (self, socket);
  if (key != NULL && g_hash_table_lookup (self->sockets, key) == socket)
    g_hash_table_remove (self->sockets, key);
}

typedef struct
{
  PwApiServer *self;
  GSocket     *socket;
} IdleWatch;

static void
idle_watch_free (gpointer data)
{
  IdleWatch *watch = data;

  g_object_unref (watch->socket);
  g_free (watch);
}

static gboolean
close_left_cb (gpointer data)
{
  IdleWatch *watch = data;

  g_socket_close (watch->socket, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
idle_input_cb (GSocket      *socket,
               GIOCondition  condition,
               gpointer      data)
{
  IdleWatch *watch = data;
  PwApiServer *self = watch->self;
  char byte;
  gssize n;

  /* libsoup closed it (an answer without keep-alive). */
  if (g_socket_is_closed (socket))
    {
      g_object_ref (socket);
      forget_socket (self, socket);
      g_object_unref (socket);
      return G_SOURCE_REMOVE;
    }
  n = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return G_SOURCE_CONTINUE;
  if (n == 0 || n < 0)
    {
      /* Closed a moment later, when libsoup (whose source saw the end in
       * the same turn of the loop) has let go of it. */
      IdleWatch *closing = g_new0 (IdleWatch, 1);

      closing->self = self;
      closing->socket = g_object_ref (socket);
      g_timeout_add_full (G_PRIORITY_DEFAULT, 1, close_left_cb, closing, idle_watch_free);
      g_object_ref (socket);
      forget_socket (self, socket);
      g_object_unref (socket);
      return G_SOURCE_REMOVE;
    }
  /* A request comes: libsoup reads it. */
  g_hash_table_remove (self->idle, socket);
  return G_SOURCE_REMOVE;
}

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    PwApiServer       *self)
{
  GSocket *socket = socket_of (self, msg);

  if (socket != NULL)
    forget_idle (self, socket);
}

static void
request_finished_cb (SoupServer        *server,
                     SoupServerMessage *msg,
                     PwApiServer       *self)
{
  GSocket *socket = socket_of (self, msg);
  IdleWatch *watch;
  GSource *source;

  if (socket == NULL || g_socket_is_closed (socket))
    return;
  forget_idle (self, socket);
  watch = g_new0 (IdleWatch, 1);
  watch->self = self;
  watch->socket = g_object_ref (socket);
  source = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (source, (GSourceFunc)(void (*)(void))idle_input_cb, watch, idle_watch_free);
  g_source_attach (source, NULL);
  g_hash_table_insert (self->idle, socket, source);
}

static gboolean accept_cb (GSocket *listener, GIOCondition condition, gpointer data);

static void
watch_listener (PwApiServer *self)
{
  self->accepting = g_socket_create_source (self->listener, G_IO_IN, NULL);
  g_source_set_priority (self->accepting, G_PRIORITY_DEFAULT - 1);
  g_source_set_callback (self->accepting, (GSourceFunc)(void (*)(void))accept_cb, self, NULL);
  g_source_attach (self->accepting, NULL);
}

static gboolean
accept_again_cb (gpointer data)
{
  PwApiServer *self = data;

  self->accept_pause = 0;
  watch_listener (self);
  return G_SOURCE_REMOVE;
}

static gboolean
accept_cb (GSocket      *listener,
           GIOCondition  condition,
           gpointer      data)
{
  PwApiServer *self = data;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) client = g_socket_accept (listener, NULL, &error);
      g_autoptr(GSocketConnection) connection = NULL;
      g_autoptr(GSocketAddress) local = NULL;
      g_autoptr(GSocketAddress) remote = NULL;
      g_autofree char *key = NULL;

      if (client == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        break;
      if (client == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED))
        continue;   /* gone before we took it */
      if (client == NULL)
        {
          /* Out of file descriptors (or memory): the waiting connection
           * stays readable, and taking turns before everything else would
           * keep the server from the work that frees them. It rests. */
          g_printerr ("pipewright-cli serve: cannot accept a connection: %s; trying again in a moment\n",
                      error != NULL ? error->message : "unknown error");
          g_clear_pointer (&self->accepting, g_source_unref);
          self->accept_pause = g_timeout_add (ACCEPT_PAUSE_MS, accept_again_cb, self);
          return G_SOURCE_REMOVE;
        }
      g_socket_set_option (client, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
      local = g_socket_get_local_address (client, NULL);
      remote = g_socket_get_remote_address (client, NULL);
      if (local == NULL || remote == NULL)
        continue;
      key = address_key (remote);
      if (key != NULL)
        {
          /* The key stays with the socket: once closed it has no address. */
          g_object_set_data_full (G_OBJECT (client), "pw-client-key", g_strdup (key), g_free);
          g_hash_table_replace (self->sockets, g_steal_pointer (&key), g_object_ref (client));
        }
      connection = g_socket_connection_factory_create_connection (client);
      soup_server_accept_iostream (self->server, G_IO_STREAM (connection), local, remote, NULL);
    }
  return G_SOURCE_CONTINUE;
}

gboolean
pw_api_server_listen (PwApiServer  *self,
                      const char   *address,
                      guint         port,
                      GError      **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) where = NULL;
  g_autoptr(GSocket) listener = NULL;
  GSList *uris;

  g_return_val_if_fail (PW_IS_API_SERVER (self), FALSE);

  inet = g_inet_address_new_from_string (address != NULL ? address : "127.0.0.1");
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "'%s' is not an IP address", address);
      return FALSE;
    }
  self->server = soup_server_new ("server-header", "pipewright", NULL);
  soup_server_add_handler (self->server, NULL, handle, self, NULL);
  soup_server_add_handler (self->server, "/webhooks/github", handle_webhook, self, NULL);
  soup_server_add_handler (self->server, "/webhooks/v1", handle_webhook_v1, self, NULL);
  g_signal_connect (self->server, "request-started", G_CALLBACK (request_started_cb), self);
  g_signal_connect (self->server, "request-finished", G_CALLBACK (request_finished_cb), self);
  where = g_inet_socket_address_new (inet, port);
  /* A socket of our own, for a backlog that takes a burst of clients
   * (GSocketListener's is 10: the 11th connection of a burst waits a
   * second for the SYN to be sent again). */
  listener = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (listener == NULL)
    return FALSE;
  g_socket_set_option (listener, SOL_SOCKET, SO_REUSEADDR, 1, NULL);
  g_socket_set_listen_backlog (listener, LISTEN_BACKLOG);
  if (!g_socket_bind (listener, where, TRUE, error) || !g_socket_listen (listener, error) ||
      !soup_server_listen_socket (self->server, listener, 0, error))
    return FALSE;
  g_socket_set_blocking (listener, FALSE);
  self->listener = g_object_ref (listener);
  watch_listener (self);
  uris = soup_server_get_uris (self->server);
  if (uris != NULL)
    self->port = (guint)g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
  return TRUE;
}

guint
pw_api_server_get_port (PwApiServer *self)
{
  g_return_val_if_fail (PW_IS_API_SERVER (self), 0);

  return self->port;
}
