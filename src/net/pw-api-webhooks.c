/* pw-api-webhooks.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* GitHub push webhooks: POST /webhooks/github, signed with the secret
 * `serve --webhook-secret` was given (X-Hub-Signature-256, HMAC-SHA256 of
 * the body). A push starts each pipeline whose source action reads the
 * pushed repository (FullRepositoryId) when its V2 trigger filters match
 * the push (branches, tags, file paths: pw_git_trigger_matches, as
 * `pipewright-cli watch` applies them), or, without triggers, when the
 * push is to the action's BranchName and DetectChanges is not false. The
 * execution runs the pushed commit. A wrong or missing signature is
 * refused and said on standard error; so is every start. */

#define G_LOG_DOMAIN "pw-api"

#include "config.h"

#include <string.h>

#include "pw-api-private.h"

typedef struct
{
  PwApiServer       *self;
  SoupServerMessage *msg;
  JsonBuilder       *started;    /* [{pipeline, executionId}] */
  guint              pending;
} Push;

typedef struct
{
  Push             *push;
  char             *pipeline;
  GSubprocess      *child;
  GDataInputStream *out;
  gboolean          counted;
} PushRun;

static void
push_answer (Push *push)
{
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  JsonObject *o = json_object_new ();

  json_builder_end_array (push->started);
  list = json_builder_get_root (push->started);
  json_object_set_member (o, "started", g_steal_pointer (&list));
  root = json_node_init_object (json_node_alloc (), o);
  json_object_unref (o);
  text = json_to_string (root, FALSE);
  soup_server_message_set_status (push->msg, 202, NULL);
  soup_server_message_set_response (push->msg, "application/json", SOUP_MEMORY_COPY, text, strlen (text));
  soup_server_message_unpause (push->msg);
  g_object_unref (push->msg);
  g_object_unref (push->started);
  g_object_unref (push->self);
  g_free (push);
}

/* A run has its id (or ended without one): the push is answered once
 * every run it started has. */
static void
push_run_counted (PushRun    *run,
                  const char *execution_id)
{
  Push *push = run->push;

  if (run->counted)
    return;
  run->counted = TRUE;
  if (execution_id != NULL)
    {
      json_builder_begin_object (push->started);
      json_builder_set_member_name (push->started, "pipeline");
      json_builder_add_string_value (push->started, run->pipeline);
      json_builder_set_member_name (push->started, "executionId");
      json_builder_add_string_value (push->started, execution_id);
      json_builder_end_object (push->started);
      g_printerr ("pipewright-cli serve: webhook: started %s (execution %s)\n", run->pipeline, execution_id);
    }
  else
    g_printerr ("pipewright-cli serve: webhook: %s did not start\n", run->pipeline);
  if (--push->pending == 0)
    push_answer (push);
}

static void
push_run_free (PushRun *run)
{
  g_clear_object (&run->child);
  g_clear_object (&run->out);
  g_free (run->pipeline);
  g_free (run);
}

static void
push_run_read_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      data)
{
  PushRun *run = data;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result,
                                                                      NULL, NULL);

  if (line == NULL)
    {
      push_run_counted (run, NULL);
      push_run_free (run);
      return;
    }
  if (!run->counted)
    {
      g_autofree char *id = pw_api_execution_of_event (line);

      if (id != NULL)
        push_run_counted (run, id);
    }
  /* The rest of the run's events are read, so it never blocks on them. */
  g_data_input_stream_read_line_async (run->out, G_PRIORITY_DEFAULT, NULL, push_run_read_cb, run);
}

static gboolean
push_start (Push       *push,
            PwApiEntry *e,
            const char *action,
            const char *commit)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *revision = g_strdup_printf ("%s=%s", action, commit);
  const char *argv[] = { push->self->runner, "run", "--json", e->path, "--source-revision", revision, NULL };
  PushRun *run = g_new0 (PushRun, 1);

  run->child = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  if (run->child == NULL)
    {
      g_printerr ("pipewright-cli serve: webhook: cannot start %s: %s\n", e->name, error->message);
      g_free (run);
      return FALSE;
    }
  run->push = push;
  run->pipeline = g_strdup (e->name);
  run->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (run->child));
  g_ptr_array_add (push->self->children, g_object_ref (run->child));
  push->pending++;
  g_data_input_stream_read_line_async (run->out, G_PRIORITY_DEFAULT, NULL, push_run_read_cb, run);
  return TRUE;
}

/* Whether @signature is "sha256=" and the HMAC of @body with @secret, in
 * time that does not depend on where they differ. */
static gboolean
signature_ok (const char  *secret,
              const char  *signature,
              const guint8 *body,
              gsize        length)
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *)secret, strlen (secret));
  const char *expected;
  guint8 differ = 0;

  if (signature == NULL || !g_str_has_prefix (signature, "sha256="))
    return FALSE;
  g_hmac_update (hmac, body, length);
  expected = g_hmac_get_string (hmac);
  signature += strlen ("sha256=");
  if (strlen (signature) != strlen (expected))
    return FALSE;
  for (gsize i = 0; expected[i] != '\0'; i++)
    differ |= (guint8)(g_ascii_tolower (signature[i]) ^ expected[i]);
  return differ == 0;
}

/* The files a push changed, from its commits. */
static GStrv
changed_files (JsonObject *payload)
{
  static const char * const kinds[] = { "added", "modified", "removed" };
  JsonArray *commits = json_object_has_member (payload, "commits") &&
                       JSON_NODE_HOLDS_ARRAY (json_object_get_member (payload, "commits"))
    ? json_object_get_array_member (payload, "commits") : NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *files = g_ptr_array_new ();

  for (guint i = 0; commits != NULL && i < json_array_get_length (commits); i++)
    {
      JsonNode *c = json_array_get_element (commits, i);

      for (guint k = 0; JSON_NODE_HOLDS_OBJECT (c) && k < G_N_ELEMENTS (kinds); k++)
        {
          JsonNode *list = json_object_get_member (json_node_get_object (c), kinds[k]);

          for (guint f = 0; list != NULL && JSON_NODE_HOLDS_ARRAY (list) &&
                            f < json_array_get_length (json_node_get_array (list)); f++)
            {
              const char *path = json_array_get_string_element (json_node_get_array (list), f);

              if (path != NULL && g_hash_table_add (seen, (gpointer)path))
                g_ptr_array_add (files, g_strdup (path));
            }
        }
    }
  g_ptr_array_add (files, NULL);
  return (GStrv)g_ptr_array_free (files, FALSE);
}

static PwAction *
source_action (PwApiEntry *e,
               const char *name)
{
  for (guint s = 0; s < pw_pipeline_get_n_stages (e->pipeline); s++)
    {
      PwStage *stage = pw_pipeline_get_stage (e->pipeline, s);

      for (guint a = 0; a < pw_stage_get_n_actions (stage); a++)
        {
          PwAction *action = pw_stage_get_action (stage, a);

          if (g_strcmp0 (pw_action_get_category (action), "Source") == 0 &&
              (name == NULL || g_strcmp0 (pw_action_get_name (action), name) == 0))
            return action;
        }
    }
  return NULL;
}

static gboolean
reads_repository (PwAction   *action,
                  const char *repository)
{
  const char *id = action != NULL ? pw_action_get_configuration_string (action, "FullRepositoryId") : NULL;

  return id != NULL && repository != NULL && g_ascii_strcasecmp (id, repository) == 0;
}

/* The source action of @e that this push starts it for, or NULL. */
static PwAction *
push_matches (PwApiEntry *e,
              const char *repository,
              const char *branch,
              const char *tag,
              GStrv       files)
{
  JsonNode *triggers = pw_element_get_member (PW_ELEMENT (e->pipeline), "triggers");
  JsonArray *list = triggers != NULL && JSON_NODE_HOLDS_ARRAY (triggers) ? json_node_get_array (triggers) : NULL;
  PwAction *action;

  if (list != NULL && json_array_get_length (list) > 0)
    {
      for (guint i = 0; i < json_array_get_length (list); i++)
        {
          JsonNode *trigger = json_array_get_element (list, i);
          JsonObject *o = JSON_NODE_HOLDS_OBJECT (trigger) ? json_node_get_object (trigger) : NULL;
          JsonNode *git = o != NULL ? json_object_get_member (o, "gitConfiguration") : NULL;
          const char *name = git != NULL && JSON_NODE_HOLDS_OBJECT (git)
            ? pw_api_member_string (json_node_get_object (git), "sourceActionName") : NULL;

          if (git == NULL || (action = source_action (e, name)) == NULL || !reads_repository (action, repository))
            continue;
          if (pw_git_trigger_matches (git, branch, tag, files))
            return action;
        }
      return NULL;
    }

  /* No triggers: the source action's own branch, unless it detects no
   * changes. */
  action = source_action (e, NULL);
  if (branch == NULL || !reads_repository (action, repository) ||
      g_strcmp0 (pw_action_get_configuration_string (action, "DetectChanges"), "false") == 0 ||
      g_strcmp0 (pw_action_get_configuration_string (action, "BranchName"), branch + strlen ("refs/heads/")) != 0)
    return NULL;
  return action;
}

static void
refuse (SoupServerMessage *msg,
        guint              status,
        const char        *message)
{
  g_autofree char *text = g_strdup_printf ("{\"message\": \"%s\"}", message);

  g_printerr ("pipewright-cli serve: webhook refused: %s\n", message);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, text, strlen (text));
}

/**
 * pw_api_handle_webhook:
 *
 * POST /webhooks/github.
 */
void
pw_api_handle_webhook (PwApiServer       *self,
                       SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  const char *event = soup_message_headers_get_one (headers, "X-GitHub-Event");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_auto(GStrv) files = NULL;
  JsonObject *payload, *repo;
  const char *ref, *commit, *repository;
  const char *branch = NULL, *tag = NULL;
  Push *push;

  if (!g_str_equal (soup_server_message_get_method (msg), "POST"))
    {
      refuse (msg, 405, "webhooks are POST");
      return;
    }
  if (self->webhook_secret == NULL)
    {
      refuse (msg, 403, "serve was started without --webhook-secret");
      return;
    }
  bytes = soup_message_body_flatten (body);
  if (!signature_ok (self->webhook_secret, soup_message_headers_get_one (headers, "X-Hub-Signature-256"),
                     g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes)))
    {
      refuse (msg, 401, "the X-Hub-Signature-256 signature is missing or wrong");
      return;
    }
  if (g_strcmp0 (event, "ping") == 0)
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{}", 2);
      return;
    }
  if (g_strcmp0 (event, "push") != 0)
    {
      refuse (msg, 400, "only push events start pipelines");
      return;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      refuse (msg, 400, "the push is not a JSON object");
      return;
    }
  payload = json_node_get_object (json_parser_get_root (parser));
  ref = pw_api_member_string (payload, "ref");
  commit = pw_api_member_string (payload, "after");
  repo = json_object_has_member (payload, "repository") &&
         JSON_NODE_HOLDS_OBJECT (json_object_get_member (payload, "repository"))
    ? json_object_get_object_member (payload, "repository") : NULL;
  repository = pw_api_member_string (repo, "full_name");
  if (ref == NULL || commit == NULL || repository == NULL)
    {
      refuse (msg, 400, "the push has no ref, after or repository.full_name");
      return;
    }
  if (json_object_get_boolean_member_with_default (payload, "deleted", FALSE))
    {
      soup_server_message_set_status (msg, 202, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{\"started\": []}", 15);
      return;
    }
  if (g_str_has_prefix (ref, "refs/heads/"))
    branch = ref;
  else if (g_str_has_prefix (ref, "refs/tags/"))
    tag = ref;
  else
    {
      refuse (msg, 400, "the push is to neither a branch nor a tag");
      return;
    }
  files = changed_files (payload);

  push = g_new0 (Push, 1);
  push->self = g_object_ref (self);
  push->msg = g_object_ref (msg);
  push->started = json_builder_new ();
  json_builder_begin_array (push->started);
  push->pending = 1;   /* held until every start is under way */
  soup_server_message_pause (msg);

  pw_api_catalog_scan (self);
  for (guint i = 0; i < self->entries->len; i++)
    {
      PwApiEntry *e = g_ptr_array_index (self->entries, i);
      PwAction *action = push_matches (e, repository, branch, tag, files);

      if (action != NULL && self->runner != NULL)
        push_start (push, e, pw_action_get_name (action), commit);
    }
  if (--push->pending == 0)
    push_answer (push);
}
