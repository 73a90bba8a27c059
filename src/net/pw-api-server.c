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
 * Served so far: ListPipelines, GetPipeline, GetPipelineState,
 * ListPipelineExecutions, GetPipelineExecution and ListActionExecutions,
 * read from the pipeline files and the executions
 * the CLI and the app record in each pipeline's `.pipewright/` folder. */

#define G_LOG_DOMAIN "pw-api"

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <pw-core.h>
#include <pw-engine.h>

#include "pw-api-server.h"
#include "pw-sigv4.h"

#define TARGET_PREFIX "CodePipeline_20150709."
#define MAX_BODY (2 * 1024 * 1024)
#define ACCOUNT "111122223333"

typedef struct
{
  char       *name;
  char       *path;
  PwPipeline *pipeline;
  gint64      created;
  gint64      updated;
} Entry;

struct _PwApiServer
{
  GObject     parent_instance;

  char       *workspace;
  char       *region;
  gboolean    verify;
  SoupServer *server;
  GPtrArray  *entries;      /* Entry, in name order */
  guint       port;
  char       *runner;       /* the pipewright-cli that runs what is started */
  GHashTable *tokens;       /* clientRequestToken → execution id */
  GPtrArray  *children;     /* GSubprocess: the runs started here */
};

G_DEFINE_FINAL_TYPE (PwApiServer, pw_api_server, G_TYPE_OBJECT)

static void
entry_free (gpointer data)
{
  Entry *e = data;

  g_free (e->name);
  g_free (e->path);
  g_clear_object (&e->pipeline);
  g_free (e);
}

/* The workspace -------------------------------------------------------------- */

static gboolean
skipped_dir (const char *name)
{
  return name[0] == '.' || g_str_equal (name, "node_modules") || g_str_has_prefix (name, "build");
}

static void
scan (PwApiServer *self,
      const char  *dir,
      guint        depth)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr(PwDocument) document = NULL;
      g_autoptr(PwPipeline) pipeline = NULL;
      g_autofree char *contents = NULL;
      gsize length;
      GStatBuf st;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          if (depth < 3 && !skipped_dir (name) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
            scan (self, path, depth + 1);
          continue;
        }
      if (!(g_str_has_suffix (name, ".yml") || g_str_has_suffix (name, ".yaml") || g_str_has_suffix (name, ".json")) ||
          g_stat (path, &st) != 0 || st.st_size > 4 * 1024 * 1024 ||
          !g_file_get_contents (path, &contents, &length, NULL) ||
          (document = pw_document_load_data (contents, length, path, NULL)) == NULL ||
          pw_document_get_kind (document) != PW_DOCUMENT_PIPELINE ||
          (pipeline = pw_document_dup_pipeline (document, NULL, NULL)) == NULL ||
          pw_pipeline_get_name (pipeline) == NULL)
        continue;

      for (guint i = 0; i < self->entries->len; i++)
        if (g_str_equal (((Entry *)g_ptr_array_index (self->entries, i))->name, pw_pipeline_get_name (pipeline)))
          {
            g_printerr ("pipewright-cli: warning: %s names pipeline %s again; %s serves it\n", path,
                        pw_pipeline_get_name (pipeline), ((Entry *)g_ptr_array_index (self->entries, i))->path);
            g_clear_object (&pipeline);
            break;
          }
      if (pipeline == NULL)
        continue;
      {
        Entry *e = g_new0 (Entry, 1);

        e->name = g_strdup (pw_pipeline_get_name (pipeline));
        e->path = g_steal_pointer (&path);
        e->pipeline = g_steal_pointer (&pipeline);
        e->created = st.st_ctime;
        e->updated = st.st_mtime;
        g_ptr_array_add (self->entries, e);
      }
    }
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  return strcmp ((*(Entry * const *)a)->name, (*(Entry * const *)b)->name);
}

static Entry *
lookup (PwApiServer *self,
        const char  *name)
{
  for (guint i = 0; name != NULL && i < self->entries->len; i++)
    if (g_str_equal (((Entry *)g_ptr_array_index (self->entries, i))->name, name))
      return g_ptr_array_index (self->entries, i);
  return NULL;
}

/* Answers ---------------------------------------------------------------------- */

typedef struct
{
  guint     status;
  JsonNode *body;
} Answer;

static Answer
error_answer (guint       status,
              const char *type,
              const char *message)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  Answer a = { status, NULL };

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "__type");
  json_builder_add_string_value (b, type);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  a.body = json_builder_get_root (b);
  return a;
}

static void respond (SoupServerMessage *msg, Answer a);

static Answer
ok_answer (JsonNode *body)
{
  Answer a = { 200, body };

  return a;
}

/* "2026-12-07T10:15:42.344Z" → seconds since the epoch, as the API writes times. */
static double
epoch_of (const char *iso)
{
  g_autoptr(GDateTime) t = iso != NULL ? g_date_time_new_from_iso8601 (iso, NULL) : NULL;

  return t != NULL ? g_date_time_to_unix (t) + g_date_time_get_microsecond (t) / 1e6 : 0;
}

static const char *
member_string (JsonObject *o,
               const char *name)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;

  return n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
    ? json_node_get_string (n) : NULL;
}

/* ValidationException in the service's words. */
static gboolean
require_name (JsonObject  *input,
              const char  *member,
              const char **value,
              Answer      *answer)
{
  *value = member_string (input, member);
  if (*value == NULL)
    {
      g_autofree char *message = g_strdup_printf ("1 validation error detected: Value null at '%s' failed to "
                                                  "satisfy constraint: Member must not be null", member);

      *answer = error_answer (400, "ValidationException", message);
      return FALSE;
    }
  return TRUE;
}

static Answer
not_found (const char *name)
{
  g_autofree char *message = g_strdup_printf ("Account '%s' does not have a pipeline with name '%s'",
                                              ACCOUNT, name);

  return error_answer (400, "PipelineNotFoundException", message);
}

/* nextToken: the index of the next item, opaque to clients. */
static gboolean
page_of (JsonObject *input,
         guint       max_default,
         guint       max_allowed,
         guint      *from,
         guint      *count,
         Answer     *answer)
{
  const char *token = member_string (input, "nextToken");
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

          *answer = error_answer (400, "ValidationException", message);
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
          *answer = error_answer (400, "InvalidNextTokenException", "The next token is not valid");
          return FALSE;
        }
      *from = (guint)index;
    }
  return TRUE;
}

static void
add_next_token (JsonBuilder *b,
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

static Answer
list_pipelines (PwApiServer *self,
                JsonObject  *input)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  Answer a;
  guint from, count, i;

  if (!page_of (input, 1000, 1000, &from, &count, &a))
    return a;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pipelines");
  json_builder_begin_array (b);
  for (i = from; i < self->entries->len && i < from + count; i++)
    {
      Entry *e = g_ptr_array_index (self->entries, i);
      const char *mode = pw_element_get_string (PW_ELEMENT (e->pipeline), "executionMode");

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, e->name);
      json_builder_set_member_name (b, "version");
      json_builder_add_int_value (b, 1);
      json_builder_set_member_name (b, "pipelineType");
      json_builder_add_string_value (b, pw_pipeline_is_v2 (e->pipeline) ? "V2" : "V1");
      json_builder_set_member_name (b, "executionMode");
      json_builder_add_string_value (b, mode != NULL ? mode : "SUPERSEDED");
      json_builder_set_member_name (b, "created");
      json_builder_add_double_value (b, e->created);
      json_builder_set_member_name (b, "updated");
      json_builder_add_double_value (b, e->updated);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  add_next_token (b, i, self->entries->len);
  json_builder_end_object (b);
  return ok_answer (json_builder_get_root (b));
}

static Answer
get_pipeline (PwApiServer *self,
              JsonObject  *input)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) request = NULL;
  g_autofree char *arn = NULL;
  const char *name;
  JsonNode *version;
  JsonNode *declaration;
  Entry *e;
  Answer a;

  if (!require_name (input, "name", &name, &a))
    return a;
  if ((e = lookup (self, name)) == NULL)
    return not_found (name);
  version = json_object_get_member (input, "version");
  if (version != NULL && (!JSON_NODE_HOLDS_VALUE (version) || json_node_get_int (version) != 1))
    {
      g_autofree char *message = g_strdup_printf ("Pipeline '%s' has no version %" G_GINT64_FORMAT
                                                  " (the local endpoint serves the file as version 1)", name,
                                                  version != NULL && JSON_NODE_HOLDS_VALUE (version)
                                                  ? json_node_get_int (version) : 0);

      return error_answer (400, "PipelineVersionNotFoundException", message);
    }

  /* The file is a CreatePipeline request: its declaration as the API
   * writes it, with the version the service adds. */
  request = pw_pipeline_to_api (e->pipeline, FALSE, NULL);
  declaration = json_object_get_member (json_node_get_object (request), "pipeline");
  json_object_set_int_member (json_node_get_object (declaration), "version", 1);
  arn = g_strdup_printf ("arn:aws:codepipeline:%s:%s:%s", self->region, ACCOUNT, name);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pipeline");
  json_builder_add_value (b, json_node_ref (declaration));
  json_builder_set_member_name (b, "metadata");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pipelineArn");
  json_builder_add_string_value (b, arn);
  json_builder_set_member_name (b, "created");
  json_builder_add_double_value (b, e->created);
  json_builder_set_member_name (b, "updated");
  json_builder_add_double_value (b, e->updated);
  json_builder_end_object (b);
  json_builder_end_object (b);
  return ok_answer (json_builder_get_root (b));
}

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

static void
add_string (JsonBuilder *b,
            JsonObject  *record,
            const char  *from,
            const char  *to)
{
  const char *value = member_string (record, from);

  if (value != NULL)
    {
      json_builder_set_member_name (b, to);
      json_builder_add_string_value (b, value);
    }
}

static Answer
list_pipeline_executions (PwApiServer *self,
                          JsonObject  *input)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *state_dir = NULL;
  const char *name;
  Entry *e;
  Answer a;
  guint from, count, i;

  if (!require_name (input, "pipelineName", &name, &a))
    return a;
  if ((e = lookup (self, name)) == NULL)
    return not_found (name);
  if (!page_of (input, 100, 100, &from, &count, &a))
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
      add_string (b, r, "pipelineExecutionId", "pipelineExecutionId");
      add_string (b, r, "status", "status");
      add_string (b, r, "statusSummary", "statusSummary");
      json_builder_set_member_name (b, "startTime");
      json_builder_add_double_value (b, epoch_of (member_string (r, "startTime")));
      json_builder_set_member_name (b, "lastUpdateTime");
      json_builder_add_double_value (b, epoch_of (member_string (r, "lastUpdateTime")));
      json_builder_set_member_name (b, "sourceRevisions");
      json_builder_begin_array (b);
      for (guint k = 0; revisions != NULL && k < json_array_get_length (revisions); k++)
        {
          JsonObject *rev = json_array_get_object_element (revisions, k);

          json_builder_begin_object (b);
          add_string (b, rev, "actionName", "actionName");
          add_string (b, rev, "revisionId", "revisionId");
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      add_trigger (b, r);
      add_string (b, r, "executionMode", "executionMode");
      add_string (b, r, "executionType", "executionType");
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  add_next_token (b, i, records != NULL ? records->len : 0);
  json_builder_end_object (b);
  return ok_answer (json_builder_get_root (b));
}

/* The record of execution pipelineExecutionId of pipeline pipelineName
 * (whole ids only, as the service takes them), or NULL with the
 * service's error in @answer. */
static JsonNode *
load_execution (PwApiServer  *self,
                JsonObject   *input,
                Entry       **entry,
                char        **state_dir,
                Answer       *answer)
{
  const char *name, *id;
  JsonNode *record;

  if (!require_name (input, "pipelineName", &name, answer) ||
      !require_name (input, "pipelineExecutionId", &id, answer))
    return NULL;
  if ((*entry = lookup (self, name)) == NULL)
    {
      *answer = not_found (name);
      return NULL;
    }
  *state_dir = pw_state_default_dir ((*entry)->path);
  if (!pw_state_is_execution_id (id, FALSE) || (record = pw_state_load_execution (*state_dir, id, NULL)) == NULL)
    {
      g_autofree char *message = g_strdup_printf ("Pipeline execution '%s' does not exist in pipeline '%s'",
                                                  id, name);

      *answer = error_answer (400, "PipelineExecutionNotFoundException", message);
      return NULL;
    }
  return record;
}

static Answer
get_pipeline_execution (PwApiServer *self,
                        JsonObject  *input)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *state_dir = NULL;
  JsonObject *r;
  JsonNode *variables;
  JsonArray *revisions;
  Entry *e = NULL;
  Answer a;

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
  add_string (b, r, "pipelineExecutionId", "pipelineExecutionId");
  add_string (b, r, "status", "status");
  add_string (b, r, "statusSummary", "statusSummary");
  json_builder_set_member_name (b, "artifactRevisions");
  json_builder_begin_array (b);
  for (guint k = 0; revisions != NULL && k < json_array_get_length (revisions); k++)
    {
      JsonObject *rev = json_array_get_object_element (revisions, k);

      json_builder_begin_object (b);
      add_string (b, rev, "actionName", "name");
      add_string (b, rev, "revisionId", "revisionId");
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
  add_string (b, r, "executionMode", "executionMode");
  add_string (b, r, "executionType", "executionType");
  json_builder_end_object (b);
  json_builder_end_object (b);
  return ok_answer (json_builder_get_root (b));
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
          const char *status = member_string (st, "status");

          if (g_strcmp0 (member_string (st, "stageName"), stage) == 0 && status != NULL &&
              !g_str_equal (status, "NotStarted"))
            {
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

static Answer
get_pipeline_state (PwApiServer *self,
                    JsonObject  *input)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *state_dir = NULL;
  const char *name;
  Entry *e;
  Answer a;

  if (!require_name (input, "name", &name, &a))
    return a;
  if ((e = lookup (self, name)) == NULL)
    return not_found (name);
  state_dir = pw_state_default_dir (e->path);
  records = pw_state_list_executions (state_dir, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pipelineName");
  json_builder_add_string_value (b, name);
  json_builder_set_member_name (b, "pipelineVersion");
  json_builder_add_int_value (b, 1);
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
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "enabled");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_end_object (b);
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

              if (g_strcmp0 (member_string (ac, "stageName"), stage_name) == 0 &&
                  g_strcmp0 (member_string (ac, "actionName"), pw_action_get_name (action)) == 0)
                latest = ac;
            }
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "actionName");
          json_builder_add_string_value (b, pw_action_get_name (action) != NULL ? pw_action_get_name (action) : "");
          if (latest != NULL && action_status (member_string (latest, "status")) != NULL)
            {
              json_builder_set_member_name (b, "latestExecution");
              json_builder_begin_object (b);
              add_string (b, latest, "actionExecutionId", "actionExecutionId");
              json_builder_set_member_name (b, "status");
              json_builder_add_string_value (b, action_status (member_string (latest, "status")));
              add_string (b, latest, "summary", "summary");
              /* An approval that waits: the token PutApprovalResult takes. */
              if (g_strcmp0 (member_string (latest, "status"), "InProgress") == 0)
                add_string (b, latest, "token", "token");
              json_builder_set_member_name (b, "lastStatusChange");
              json_builder_add_double_value (b, epoch_of (member_string (latest, "lastUpdateTime")));
              add_string (b, latest, "externalExecutionId", "externalExecutionId");
              json_builder_end_object (b);
            }
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      if (r != NULL)
        {
          json_builder_set_member_name (b, "latestExecution");
          json_builder_begin_object (b);
          add_string (b, r, "pipelineExecutionId", "pipelineExecutionId");
          add_string (b, st, "status", "status");
          json_builder_end_object (b);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "created");
  json_builder_add_double_value (b, e->created);
  json_builder_set_member_name (b, "updated");
  json_builder_add_double_value (b, e->updated);
  json_builder_end_object (b);
  return ok_answer (json_builder_get_root (b));
}

static Answer
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
  Entry *e;
  Answer a;
  guint from, count, i;

  if (!require_name (input, "pipelineName", &name, &a))
    return a;
  if ((e = lookup (self, name)) == NULL)
    return not_found (name);
  if (!page_of (input, 100, 100, &from, &count, &a))
    return a;
  if (filter != NULL && JSON_NODE_HOLDS_OBJECT (filter))
    only = member_string (json_node_get_object (filter), "pipelineExecutionId");
  state_dir = pw_state_default_dir (e->path);
  records = pw_state_list_executions (state_dir, NULL);

  /* Newest first: the executions, and within one its actions last first. */
  for (i = 0; records != NULL && i < records->len; i++)
    {
      JsonObject *r = json_node_get_object (g_ptr_array_index (records, i));
      JsonArray *actions = json_object_get_array_member (r, "actions");

      if (only != NULL && g_strcmp0 (member_string (r, "pipelineExecutionId"), only) != 0)
        continue;
      found = TRUE;
      for (guint k = actions != NULL ? json_array_get_length (actions) : 0; k > 0; k--)
        if (action_status (member_string (json_array_get_object_element (actions, k - 1), "status")) != NULL)
          {
            g_ptr_array_add (details, json_array_get_object_element (actions, k - 1));
            g_ptr_array_add (details, r);
          }
    }
  if (only != NULL && !found)
    {
      g_autofree char *message = g_strdup_printf ("Pipeline execution '%s' does not exist in pipeline '%s'",
                                                  only, name);

      return error_answer (400, "PipelineExecutionNotFoundException", message);
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
      add_string (b, r, "pipelineExecutionId", "pipelineExecutionId");
      add_string (b, ac, "actionExecutionId", "actionExecutionId");
      json_builder_set_member_name (b, "pipelineVersion");
      json_builder_add_int_value (b, json_object_get_int_member_with_default (r, "pipelineVersion", 1));
      add_string (b, ac, "stageName", "stageName");
      add_string (b, ac, "actionName", "actionName");
      json_builder_set_member_name (b, "startTime");
      json_builder_add_double_value (b, epoch_of (member_string (ac, "startTime")));
      json_builder_set_member_name (b, "lastUpdateTime");
      json_builder_add_double_value (b, epoch_of (member_string (ac, "lastUpdateTime")));
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, action_status (member_string (ac, "status")));
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
      add_string (b, ac, "externalExecutionId", "externalExecutionId");
      add_string (b, ac, "summary", "externalExecutionSummary");
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
  add_next_token (b, i, details->len / 2);
  json_builder_end_object (b);
  return ok_answer (json_builder_get_root (b));
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
  gboolean           answered;
} Start;

static void start_read_cb (GObject *object, GAsyncResult *result, gpointer data);

static void
start_free (Start *start)
{
  g_clear_object (&start->child);
  g_clear_object (&start->out);
  g_free (start->token);
  g_object_unref (start->self);
  g_free (start);
}

static void
start_answer (Start  *start,
              Answer  answer)
{
  if (start->answered)
    {
      g_clear_pointer (&answer.body, json_node_unref);
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
  if (!start->answered)
    {
      g_autofree char *message = g_strdup_printf ("The pipeline did not start: %s",
                                                  err != NULL && *err != '\0' ? g_strstrip (err) : "no reason given");

      start_answer (start, error_answer (400, "InvalidStructureException", message));
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
      g_autoptr(JsonNode) event = json_from_string (line, NULL);
      JsonObject *detail = event != NULL && JSON_NODE_HOLDS_OBJECT (event) &&
                           json_object_has_member (json_node_get_object (event), "detail")
        ? json_object_get_object_member (json_node_get_object (event), "detail") : NULL;
      const char *id = member_string (detail, "execution-id");

      if (id != NULL)
        {
          g_autoptr(JsonBuilder) b = json_builder_new ();

          if (start->token != NULL)
            g_hash_table_insert (start->self->tokens, g_strdup (start->token), g_strdup (id));
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "pipelineExecutionId");
          json_builder_add_string_value (b, id);
          json_builder_end_object (b);
          start_answer (start, ok_answer (json_builder_get_root (b)));
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
           Answer     *answer)
{
  JsonArray *list = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonNode *item = json_array_get_element (list, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (item) ? json_node_get_object (item) : NULL;

      if (member_string (o, key) == NULL || member_string (o, value) == NULL)
        {
          g_autofree char *message = g_strdup_printf ("1 validation error detected: each of %s", needs);

          *answer = error_answer (400, "ValidationException", message);
          return FALSE;
        }
      g_ptr_array_add (argv, g_strdup (flag));
      g_ptr_array_add (argv, g_strdup_printf ("%s=%s", member_string (o, key), member_string (o, value)));
    }
  return TRUE;
}

static gboolean
start_pipeline_execution (PwApiServer       *self,
                          SoupServerMessage *msg,
                          JsonObject        *input,
                          Answer            *answer)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  const char *name, *token = member_string (input, "clientRequestToken");
  JsonNode *variables = json_object_get_member (input, "variables");
  JsonNode *revisions = json_object_get_member (input, "sourceRevisions");
  Start *start;
  Entry *e;

  if (!require_name (input, "name", &name, answer))
    return FALSE;
  if ((e = lookup (self, name)) == NULL)
    {
      *answer = not_found (name);
      return FALSE;
    }
  /* The same token: the same execution, started once (idempotency). */
  if (token != NULL && g_hash_table_lookup (self->tokens, token) != NULL)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "pipelineExecutionId");
      json_builder_add_string_value (b, g_hash_table_lookup (self->tokens, token));
      json_builder_end_object (b);
      *answer = ok_answer (json_builder_get_root (b));
      return FALSE;
    }
  if (self->runner == NULL)
    {
      *answer = error_answer (400, "UnknownOperationException", "This server cannot start executions");
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
  g_ptr_array_add (argv, NULL);

  start = g_new0 (Start, 1);
  start->child = g_subprocess_newv ((const char * const *)argv->pdata,
                                    G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  if (start->child == NULL)
    {
      g_free (start);
      *answer = error_answer (500, "InternalFailure", error->message);
      return FALSE;
    }
  start->self = g_object_ref (self);
  start->msg = g_object_ref (msg);
  start->token = g_strdup (token);
  start->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (start->child));
  g_ptr_array_add (self->children, g_object_ref (start->child));
  soup_server_message_pause (msg);
  g_data_input_stream_read_line_async (start->out, G_PRIORITY_DEFAULT, NULL, start_read_cb, start);
  return TRUE;
}

/* StopPipelineExecution: asked of the process that runs it, through the
 * state folder's control requests (as `pipewright-cli stop` asks). */
static Answer
stop_pipeline_execution (PwApiServer *self,
                         JsonObject  *input)
{
  g_autoptr(JsonObject) request = json_object_new ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *state_dir = NULL;
  const char *id = member_string (input, "pipelineExecutionId"), *reason = member_string (input, "reason");
  JsonNode *abandon = json_object_get_member (input, "abandon");
  g_autoptr(JsonNode) record = NULL;
  Entry *e = NULL;
  Answer a;

  if ((record = load_execution (self, input, &e, &state_dir, &a)) == NULL)
    return a;
  if (g_strcmp0 (member_string (json_node_get_object (record), "status"), "InProgress") != 0)
    {
      g_autofree char *message = g_strdup_printf ("Pipeline execution '%s' is not in progress (it is %s)", id,
                                                  member_string (json_node_get_object (record), "status"));

      return error_answer (400, "PipelineExecutionNotStoppableException", message);
    }
  json_object_set_string_member (request, "op", abandon != NULL && JSON_NODE_HOLDS_VALUE (abandon) &&
                                               json_node_get_boolean (abandon) ? "abandon" : "stop");
  json_object_set_string_member (request, "executionId", id);
  if (reason != NULL)
    json_object_set_string_member (request, "summary", reason);
  json_object_set_string_member (request, "by", "pipewright-cli serve");
  if (!pw_state_send_request (state_dir, request, 30000, &error))
    return error_answer (400, g_strrstr (error->message, "already") != NULL ? "DuplicatedStopRequestException"
                                                                            : "PipelineExecutionNotStoppableException",
                         error->message);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pipelineExecutionId");
  json_builder_add_string_value (b, id);
  json_builder_end_object (b);
  return ok_answer (json_builder_get_root (b));
}

/* PutApprovalResult: the token must be the one of the approval that
 * waits (GetPipelineState gives it), as the service checks it. */
static Answer
put_approval_result (PwApiServer *self,
                     JsonObject  *input)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *state_dir = NULL;
  const char *name, *stage, *action, *token, *status, *summary;
  JsonNode *result = json_object_get_member (input, "result");
  JsonObject *waiting = NULL, *waiting_record = NULL;
  gboolean completed = FALSE;
  gboolean has_stage = FALSE, has_action = FALSE;
  Entry *e;
  Answer a;

  if (!require_name (input, "pipelineName", &name, &a) || !require_name (input, "stageName", &stage, &a) ||
      !require_name (input, "actionName", &action, &a) || !require_name (input, "token", &token, &a))
    return a;
  status = result != NULL && JSON_NODE_HOLDS_OBJECT (result) ? member_string (json_node_get_object (result), "status") : NULL;
  summary = result != NULL && JSON_NODE_HOLDS_OBJECT (result) ? member_string (json_node_get_object (result), "summary") : NULL;
  if (status == NULL || (!g_str_equal (status, "Approved") && !g_str_equal (status, "Rejected")) || summary == NULL)
    return error_answer (400, "ValidationException", "1 validation error detected: 'result' needs a status "
                         "(Approved or Rejected) and a summary");
  if ((e = lookup (self, name)) == NULL)
    return not_found (name);
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
    return error_answer (400, "StageNotFoundException", "The stage was specified in an invalid format or cannot be found");
  if (!has_action)
    return error_answer (400, "ActionNotFoundException", "The action was specified in an invalid format or cannot be found");

  state_dir = pw_state_default_dir (e->path);
  records = pw_state_list_executions (state_dir, NULL);
  for (guint i = 0; records != NULL && i < records->len && waiting == NULL; i++)
    {
      JsonObject *r = json_node_get_object (g_ptr_array_index (records, i));
      JsonArray *actions = json_object_get_array_member (r, "actions");

      for (guint k = 0; actions != NULL && k < json_array_get_length (actions); k++)
        {
          JsonObject *ac = json_array_get_object_element (actions, k);

          if (g_strcmp0 (member_string (ac, "stageName"), stage) != 0 ||
              g_strcmp0 (member_string (ac, "actionName"), action) != 0 ||
              g_strcmp0 (member_string (ac, "token"), token) != 0)
            continue;
          if (g_strcmp0 (member_string (ac, "status"), "InProgress") == 0 &&
              g_strcmp0 (member_string (r, "status"), "InProgress") == 0)
            {
              waiting = ac;
              waiting_record = r;
            }
          else
            completed = TRUE;
        }
    }
  if (waiting == NULL)
    return completed
      ? error_answer (400, "ApprovalAlreadyCompletedException", "The approval request already received a response or has expired")
      : error_answer (400, "InvalidApprovalTokenException", "The approval action token is not valid or has expired");

  request = json_object_new ();
  json_object_set_string_member (request, "op", g_str_equal (status, "Approved") ? "approve" : "reject");
  json_object_set_string_member (request, "executionId", member_string (waiting_record, "pipelineExecutionId"));
  json_object_set_string_member (request, "stage", stage);
  json_object_set_string_member (request, "action", action);
  json_object_set_string_member (request, "summary", summary);
  json_object_set_string_member (request, "by", "pipewright-cli serve");
  if (!pw_state_send_request (state_dir, request, 30000, &error))
    return error_answer (400, "InvalidApprovalTokenException", error->message);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "approvedAt");
  json_builder_add_double_value (b, g_get_real_time () / 1e6);
  json_builder_end_object (b);
  return ok_answer (json_builder_get_root (b));
}

/* The operations the model has that the local endpoint does not serve
 * yet: said so, by name, rather than as unknown. */
static const char * const model_operations[] = {
  "CreatePipeline", "UpdatePipeline", "DeletePipeline", "RetryStageExecution",
  "EnableStageTransition", "DisableStageTransition", "RollbackStage", "OverrideStageCondition",
  "ListRuleExecutions", "TagResource", "UntagResource", "ListTagsForResource", "PollForJobs",
  "AcknowledgeJob", "GetJobDetails", "PutJobSuccessResult", "PutJobFailureResult", NULL
};

static Answer
dispatch (PwApiServer *self,
          const char  *operation,
          JsonObject  *input)
{
  if (g_str_equal (operation, "ListPipelines"))
    return list_pipelines (self, input);
  if (g_str_equal (operation, "GetPipeline"))
    return get_pipeline (self, input);
  if (g_str_equal (operation, "ListPipelineExecutions"))
    return list_pipeline_executions (self, input);
  if (g_str_equal (operation, "GetPipelineExecution"))
    return get_pipeline_execution (self, input);
  if (g_str_equal (operation, "GetPipelineState"))
    return get_pipeline_state (self, input);
  if (g_str_equal (operation, "ListActionExecutions"))
    return list_action_executions (self, input);
  if (g_str_equal (operation, "StopPipelineExecution"))
    return stop_pipeline_execution (self, input);
  if (g_str_equal (operation, "PutApprovalResult"))
    return put_approval_result (self, input);
  if (g_strv_contains (model_operations, operation))
    {
      g_autofree char *message = g_strdup_printf ("%s is not served by Pipewright's local endpoint yet; it "
                                                  "serves ListPipelines, GetPipeline, GetPipelineState, "
                                                  "StartPipelineExecution, StopPipelineExecution, "
                                                  "PutApprovalResult, "
                                                  "ListPipelineExecutions, GetPipelineExecution and "
                                                  "ListActionExecutions", operation);

      return error_answer (400, "UnknownOperationException", message);
    }
  return error_answer (400, "UnknownOperationException", "");
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
         Answer             a)
{
  g_autofree char *text = a.body != NULL ? json_to_string (a.body, FALSE) : g_strdup ("{}");
  g_autofree char *request_id = g_uuid_string_random ();
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_server_message_set_status (msg, a.status, NULL);
  soup_message_headers_replace (headers, "x-amzn-RequestId", request_id);
  if (a.status != 200 && a.body != NULL)
    soup_message_headers_replace (headers, "x-amzn-ErrorType",
                                  json_object_get_string_member (json_node_get_object (a.body), "__type"));
  soup_server_message_set_response (msg, "application/x-amz-json-1.1", SOUP_MEMORY_COPY, text, strlen (text));
  g_clear_pointer (&a.body, json_node_unref);
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
  g_autoptr(JsonParser) parser = NULL;
  const char *target;
  const guint8 *raw;
  gsize length;

  if (!g_str_equal (path, "/"))
    {
      respond (msg, error_answer (404, "UnknownOperationException", "Every operation is POST /"));
      return;
    }
  if (!g_str_equal (soup_server_message_get_method (msg), "POST"))
    {
      respond (msg, error_answer (405, "UnknownOperationException", "Every operation is POST /"));
      return;
    }
  if (body->length > MAX_BODY)
    {
      respond (msg, error_answer (413, "SerializationException", "The request body is too large"));
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
      g_autofree char *message = NULL;
      static const char * const types[] = {
        [PW_SIGV4_MISSING] = "MissingAuthenticationTokenException",
        [PW_SIGV4_INCOMPLETE] = "IncompleteSignatureException",
        [PW_SIGV4_WRONG_SCOPE] = "InvalidSignatureException",
        [PW_SIGV4_EXPIRED] = "InvalidSignatureException",
        [PW_SIGV4_MISMATCH] = "InvalidSignatureException",
        [PW_SIGV4_UNKNOWN_KEY] = "UnrecognizedClientException",
      };
      PwSigv4Result result = pw_sigv4_verify (&request, self->region, "codepipeline",
                                              g_get_real_time () / G_USEC_PER_SEC, secret_for, self, &message);

      if (result != PW_SIGV4_OK)
        {
          respond (msg, error_answer (result == PW_SIGV4_MISSING ? 403 : 400, types[result], message));
          return;
        }
    }

  target = g_hash_table_lookup (headers, "x-amz-target");
  if (target == NULL || !g_str_has_prefix (target, TARGET_PREFIX))
    {
      respond (msg, error_answer (400, "UnknownOperationException", ""));
      return;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, length > 0 ? (const char *)raw : "{}", length > 0 ? (gssize)length : 2,
                                   NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      respond (msg, error_answer (400, "SerializationException", "The request body is not a JSON object"));
      return;
    }

  if (g_str_equal (target + strlen (TARGET_PREFIX), "StartPipelineExecution"))
    {
      Answer answer = { 0, NULL };

      if (!start_pipeline_execution (self, msg, json_node_get_object (json_parser_get_root (parser)), &answer))
        respond (msg, answer);
      return;
    }
  respond (msg, dispatch (self, target + strlen (TARGET_PREFIX), json_node_get_object (json_parser_get_root (parser))));
}

/* GObject ------------------------------------------------------------------ */

static void
pw_api_server_finalize (GObject *object)
{
  PwApiServer *self = PW_API_SERVER (object);

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  /* Runs started here end as the CLI's do when interrupted. */
  for (guint i = 0; i < self->children->len; i++)
    g_subprocess_send_signal (g_ptr_array_index (self->children, i), SIGTERM);
  g_ptr_array_unref (self->children);
  g_hash_table_unref (self->tokens);
  g_free (self->runner);
  g_ptr_array_unref (self->entries);
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
  self->entries = g_ptr_array_new_with_free_func (entry_free);
  self->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->children = g_ptr_array_new_with_free_func (g_object_unref);
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
  scan (self, workspace, 0);
  g_ptr_array_sort (self->entries, compare_entries);
  return self;
}

guint
pw_api_server_get_n_pipelines (PwApiServer *self)
{
  g_return_val_if_fail (PW_IS_API_SERVER (self), 0);

  return self->entries->len;
}

gboolean
pw_api_server_listen (PwApiServer  *self,
                      const char   *address,
                      guint         port,
                      GError      **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) where = NULL;
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
  where = g_inet_socket_address_new (inet, port);
  if (!soup_server_listen (self->server, where, 0, error))
    return FALSE;
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
