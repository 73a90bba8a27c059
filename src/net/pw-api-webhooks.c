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
 * refused and said on standard error; so is every start.
 *
 * V1 webhooks: each AWS::CodePipeline::Webhook of a CloudFormation
 * template in the workspace is served at POST /webhooks/v1/<Name>, as the
 * service serves its webhook URL: authenticated as it says (GITHUB_HMAC
 * with its SecretToken, IP with its AllowedIPRange, or UNAUTHENTICATED),
 * then its Filters (a JSONPath into the payload, and the value it must
 * select, with {Key} standing for the target action's configuration
 * value) decide whether TargetPipeline starts, on the pushed commit when
 * the payload names one (`after`). */

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
  g_autofree char *revision = commit != NULL ? g_strdup_printf ("%s=%s", action, commit) : NULL;
  /* Without a commit the source action reads its branch as it is. */
  const char *argv[] = { push->self->runner, "run", "--json", e->path,
                         revision != NULL ? "--source-revision" : NULL, revision, NULL };
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

/* V1 webhooks (AWS::CodePipeline::Webhook) ------------------------------------------- */

static char *
scalar_text (JsonNode *node)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_DOUBLE:
      return g_strdup (g_ascii_dtostr (buffer, sizeof buffer, json_node_get_double (node)));
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "true" : "false");
    default:
      return NULL;
    }
}

void
pw_api_webhook_free (gpointer data)
{
  PwApiWebhook *w = data;

  g_free (w->name);
  g_free (w->path);
  g_free (w->authentication);
  g_free (w->secret);
  g_free (w->ip_range);
  g_clear_pointer (&w->filters, json_array_unref);
  g_free (w->pipeline);
  g_free (w->action);
  g_free (w->problem);
  g_free (w);
}

void
pw_api_webhooks_forget (PwApiServer *self,
                        const char  *path)
{
  for (guint i = self->webhooks->len; i > 0; i--)
    if (g_str_equal (((PwApiWebhook *)g_ptr_array_index (self->webhooks, i - 1))->path, path))
      g_ptr_array_remove_index (self->webhooks, i - 1);
}

/* A Ref's target: a parameter (its Default), or a pipeline (its Name, or
 * else its logical id, the name Pipewright gives it). */
static char *
resolve_ref (JsonObject  *template,
             const char  *id,
             char       **problem)
{
  JsonObject *parameters = json_object_has_member (template, "Parameters") &&
                           JSON_NODE_HOLDS_OBJECT (json_object_get_member (template, "Parameters"))
    ? json_object_get_object_member (template, "Parameters") : NULL;
  JsonObject *resources = json_object_get_object_member (template, "Resources");
  JsonNode *node;

  if (parameters != NULL && (node = json_object_get_member (parameters, id)) != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonNode *value = json_object_get_member (json_node_get_object (node), "Default");

      if (value != NULL && JSON_NODE_HOLDS_VALUE (value))
        return scalar_text (value);
      *problem = g_strdup_printf ("it refers to parameter %s, which has no Default (serve reads the template "
                                  "as it is; give the parameter a Default)", id);
      return NULL;
    }
  if ((node = json_object_get_member (resources, id)) != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *resource = json_node_get_object (node);
      JsonObject *properties = json_object_has_member (resource, "Properties") &&
                               JSON_NODE_HOLDS_OBJECT (json_object_get_member (resource, "Properties"))
        ? json_object_get_object_member (resource, "Properties") : NULL;
      const char *name = properties != NULL ? pw_api_member_string (properties, "Name") : NULL;

      return g_strdup (name != NULL ? name : id);
    }
  *problem = g_strdup_printf ("it refers to %s, which the template does not declare", id);
  return NULL;
}

/* A value the template gives as a string, a Ref, or a dynamic reference
 * to Secrets Manager or Parameter Store (resolved from the local
 * profile's secrets, as buildspecs' are). */
static char *
resolve_value (JsonObject      *template,
               JsonNode        *node,
               PwLocalProfile  *profile,
               const char      *what,
               char           **problem)
{
  g_autofree char *why = NULL;
  char *value = NULL;

  if (node == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_OBJECT (node) && json_object_get_size (json_node_get_object (node)) == 1 &&
      pw_api_member_string (json_node_get_object (node), "Ref") != NULL)
    value = resolve_ref (template, pw_api_member_string (json_node_get_object (node), "Ref"), &why);
  else if (JSON_NODE_HOLDS_VALUE (node))
    value = scalar_text (node);
  else
    why = g_strdup ("serve resolves strings, Refs and {{resolve:…}} references only");

  if (value != NULL && g_str_has_prefix (value, "{{resolve:") && g_str_has_suffix (value, "}}"))
    {
      g_autofree char *inner = g_strndup (value + strlen ("{{resolve:"), strlen (value) - strlen ("{{resolve:}}"));
      g_auto(GStrv) parts = g_strsplit (inner, ":", -1);
      g_autofree char *id = NULL;
      g_autoptr(GError) error = NULL;

      g_clear_pointer (&value, g_free);
      if (g_strv_length (parts) >= 2 && g_str_equal (parts[0], "secretsmanager"))
        /* secretsmanager:ID[:SecretString[:json-key[:…]]] */
        id = g_strv_length (parts) >= 4 && *parts[3] != '\0' ? g_strdup_printf ("%s:%s", parts[1], parts[3])
                                                              : g_strdup (parts[1]);
      else if (g_strv_length (parts) >= 2 && (g_str_equal (parts[0], "ssm") || g_str_equal (parts[0], "ssm-secure")))
        id = g_strdup (parts[1]);
      if (id == NULL)
        why = g_strdup_printf ("%s is a dynamic reference serve does not know", what);
      else if ((value = pw_local_profile_lookup_secret (profile, id, &error)) == NULL)
        why = g_strdup (error->message);
    }
  if (value == NULL && problem != NULL && *problem == NULL)
    *problem = g_strdup_printf ("%s: %s", what, why != NULL ? why : "not given");
  return value;
}

/**
 * pw_api_webhooks_read:
 *
 * Takes the webhooks of the template at @path.
 */
void
pw_api_webhooks_read (PwApiServer *self,
                      const char  *path,
                      PwDocument  *document)
{
  JsonNode *root = pw_document_get_root (document);
  JsonObject *template, *resources;
  g_autoptr(PwLocalProfile) profile = NULL;
  g_autoptr(JsonObject) empty = json_object_new ();
  g_autoptr(GList) ids = NULL;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  template = json_node_get_object (root);
  if (!json_object_has_member (template, "Resources") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (template, "Resources")))
    return;
  resources = json_object_get_object_member (template, "Resources");
  ids = json_object_get_members (resources);
  ids = g_list_sort (ids, (GCompareFunc)strcmp);

  for (GList *l = ids; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (resources, l->data);
      JsonObject *resource, *properties, *auth;
      PwApiWebhook *w;
      JsonNode *filters;
      g_autofree char *name = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node) ||
          g_strcmp0 (pw_api_member_string (json_node_get_object (node), "Type"), "AWS::CodePipeline::Webhook") != 0)
        continue;
      resource = json_node_get_object (node);
      properties = json_object_has_member (resource, "Properties") &&
                   JSON_NODE_HOLDS_OBJECT (json_object_get_member (resource, "Properties"))
        ? json_object_get_object_member (resource, "Properties") : empty;
      auth = json_object_has_member (properties, "AuthenticationConfiguration") &&
             JSON_NODE_HOLDS_OBJECT (json_object_get_member (properties, "AuthenticationConfiguration"))
        ? json_object_get_object_member (properties, "AuthenticationConfiguration") : NULL;

      if (profile == NULL)
        profile = pw_local_profile_load_beside (path, NULL);
      if (profile == NULL)
        profile = pw_local_profile_new ();

      w = g_new0 (PwApiWebhook, 1);
      w->path = g_strdup (path);
      name = resolve_value (template, json_object_get_member (properties, "Name"), profile, "Name", NULL);
      w->name = name != NULL ? g_steal_pointer (&name) : g_strdup (l->data);
      w->authentication = resolve_value (template, json_object_get_member (properties, "Authentication"), profile,
                                         "Authentication", &w->problem);
      w->pipeline = resolve_value (template, json_object_get_member (properties, "TargetPipeline"), profile,
                                   "TargetPipeline", &w->problem);
      w->action = resolve_value (template, json_object_get_member (properties, "TargetAction"), profile,
                                 "TargetAction", &w->problem);
      if (w->authentication != NULL && g_str_equal (w->authentication, "GITHUB_HMAC"))
        w->secret = resolve_value (template, auth != NULL ? json_object_get_member (auth, "SecretToken") : NULL,
                                   profile, "AuthenticationConfiguration.SecretToken", &w->problem);
      else if (w->authentication != NULL && g_str_equal (w->authentication, "IP"))
        {
          w->ip_range = resolve_value (template, auth != NULL ? json_object_get_member (auth, "AllowedIPRange") : NULL,
                                       profile, "AuthenticationConfiguration.AllowedIPRange", &w->problem);
          if (w->ip_range != NULL && w->problem == NULL)
            {
              g_autoptr(GInetAddressMask) mask = g_inet_address_mask_new_from_string (w->ip_range, NULL);

              if (mask == NULL)
                w->problem = g_strdup_printf ("AllowedIPRange %s is not an address range (CIDR)", w->ip_range);
            }
        }
      else if (w->authentication != NULL && !g_str_equal (w->authentication, "UNAUTHENTICATED") &&
               w->problem == NULL)
        w->problem = g_strdup_printf ("Authentication %s is none of GITHUB_HMAC, IP, UNAUTHENTICATED",
                                      w->authentication);

      filters = json_object_get_member (properties, "Filters");
      w->filters = filters != NULL && JSON_NODE_HOLDS_ARRAY (filters) ? json_array_ref (json_node_get_array (filters))
                                                                      : json_array_new ();
      for (guint f = 0; f < json_array_get_length (w->filters) && w->problem == NULL; f++)
        {
          JsonNode *rule = json_array_get_element (w->filters, f);
          const char *expression = JSON_NODE_HOLDS_OBJECT (rule)
            ? pw_api_member_string (json_node_get_object (rule), "JsonPath") : NULL;
          g_autoptr(JsonPath) compiled = json_path_new ();
          g_autoptr(GError) error = NULL;

          if (expression == NULL)
            w->problem = g_strdup_printf ("filter %u has no JsonPath", f + 1);
          else if (!json_path_compile (compiled, expression, &error))
            w->problem = g_strdup_printf ("filter %u: JsonPath %s: %s", f + 1, expression, error->message);
        }
      g_ptr_array_add (self->webhooks, w);
    }
}

/* MatchEquals with each {Key} replaced by the target action's
 * configuration value for Key. */
static char *
expand_match (const char *match,
              PwAction   *action)
{
  GString *out = g_string_new (NULL);

  for (const char *p = match; *p != '\0';)
    {
      const char *close = *p == '{' ? strchr (p, '}') : NULL;

      if (close != NULL)
        {
          g_autofree char *key = g_strndup (p + 1, close - p - 1);
          const char *value = pw_action_get_configuration_string (action, key);

          g_string_append (out, value != NULL ? value : "");
          p = close + 1;
        }
      else
        g_string_append_c (out, *p++);
    }
  return g_string_free (out, FALSE);
}

/* Whether every filter selects its value from @payload. */
static gboolean
filters_match (JsonArray  *filters,
               JsonNode   *payload,
               PwAction   *action,
               char      **why)
{
  for (guint f = 0; f < json_array_get_length (filters); f++)
    {
      JsonObject *rule = json_array_get_object_element (filters, f);
      const char *expression = pw_api_member_string (rule, "JsonPath");
      const char *match = pw_api_member_string (rule, "MatchEquals");
      g_autoptr(JsonNode) found = json_path_query (expression, payload, NULL);
      JsonArray *values = found != NULL && JSON_NODE_HOLDS_ARRAY (found) ? json_node_get_array (found) : NULL;
      g_autofree char *wanted = match != NULL ? expand_match (match, action) : NULL;
      gboolean matched = FALSE;

      for (guint i = 0; values != NULL && i < json_array_get_length (values) && !matched; i++)
        {
          JsonNode *value = json_array_get_element (values, i);
          g_autofree char *text = JSON_NODE_HOLDS_VALUE (value) ? scalar_text (value) : NULL;

          matched = wanted == NULL || g_strcmp0 (text, wanted) == 0;
        }
      if (!matched)
        {
          *why = wanted != NULL ? g_strdup_printf ("%s does not select %s", expression, wanted)
                                : g_strdup_printf ("%s selects nothing", expression);
          return FALSE;
        }
    }
  return TRUE;
}

/* GitHub's X-Hub-Signature-256 (or the older X-Hub-Signature, sha1). */
static gboolean
github_signature_ok (const char         *secret,
                     SoupMessageHeaders *headers,
                     GBytes             *body)
{
  const char *sha256 = soup_message_headers_get_one (headers, "X-Hub-Signature-256");
  const char *sha1 = soup_message_headers_get_one (headers, "X-Hub-Signature");
  g_autoptr(GHmac) hmac = NULL;
  const char *expected;
  guint8 differ = 0;

  if (sha256 != NULL)
    return signature_ok (secret, sha256, g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  if (sha1 == NULL || !g_str_has_prefix (sha1, "sha1="))
    return FALSE;
  hmac = g_hmac_new (G_CHECKSUM_SHA1, (const guchar *)secret, strlen (secret));
  g_hmac_update (hmac, g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  expected = g_hmac_get_string (hmac);
  sha1 += strlen ("sha1=");
  if (strlen (sha1) != strlen (expected))
    return FALSE;
  for (gsize i = 0; expected[i] != '\0'; i++)
    differ |= (guint8)(g_ascii_tolower (sha1[i]) ^ expected[i]);
  return differ == 0;
}

static gboolean
address_allowed (SoupServerMessage *msg,
                 const char        *range)
{
  g_autoptr(GInetAddressMask) mask = g_inet_address_mask_new_from_string (range, NULL);
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);

  return mask != NULL && remote != NULL && G_IS_INET_SOCKET_ADDRESS (remote) &&
         g_inet_address_mask_matches (mask, g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
}

/**
 * pw_api_handle_webhook_v1:
 *
 * POST /webhooks/v1/@name.
 */
void
pw_api_handle_webhook_v1 (PwApiServer       *self,
                          SoupServerMessage *msg,
                          const char        *name)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) payload = NULL;
  g_autoptr(JsonArray) filters = NULL;
  g_autofree char *why = NULL;
  g_autofree char *target_pipeline = NULL;
  g_autofree char *target_action = NULL;
  PwApiWebhook *w = NULL;
  PwApiEntry *e;
  PwAction *action;
  Push *push;

  if (!g_str_equal (soup_server_message_get_method (msg), "POST"))
    {
      refuse (msg, 405, "webhooks are POST");
      return;
    }
  pw_api_catalog_scan (self);
  for (guint i = 0; i < self->webhooks->len && w == NULL; i++)
    if (g_str_equal (((PwApiWebhook *)g_ptr_array_index (self->webhooks, i))->name, name))
      w = g_ptr_array_index (self->webhooks, i);
  if (w == NULL)
    {
      g_autofree char *message = g_strdup_printf ("no template of the workspace declares webhook %s", name);

      refuse (msg, 404, message);
      return;
    }
  if (w->problem != NULL)
    {
      g_autofree char *message = g_strdup_printf ("webhook %s is not served: %s", name, w->problem);

      refuse (msg, 503, message);
      return;
    }

  bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  if (g_str_equal (w->authentication, "GITHUB_HMAC") && !github_signature_ok (w->secret, headers, bytes))
    {
      g_autofree char *message = g_strdup_printf ("webhook %s: the X-Hub-Signature-256 signature is missing or "
                                                  "wrong", name);

      refuse (msg, 401, message);
      return;
    }
  if (g_str_equal (w->authentication, "IP") && !address_allowed (msg, w->ip_range))
    {
      g_autofree char *message = g_strdup_printf ("webhook %s: the request comes from outside %s", name,
                                                  w->ip_range);

      refuse (msg, 403, message);
      return;
    }
  if (g_strcmp0 (soup_message_headers_get_one (headers, "X-GitHub-Event"), "ping") == 0)
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{}", 2);
      return;
    }

  payload = pw_json_parse (g_bytes_get_data (bytes, NULL), (gssize)g_bytes_get_size (bytes), NULL, NULL);
  if (payload == NULL)
    {
      g_autofree char *message = g_strdup_printf ("webhook %s: the payload is not JSON", name);

      refuse (msg, 400, message);
      return;
    }
  /* Looking the pipeline up may read the workspace again, and the
   * template with it: what the webhook says is kept first. */
  target_pipeline = g_strdup (w->pipeline);
  target_action = g_strdup (w->action);
  filters = json_array_ref (w->filters);
  w = NULL;
  if ((e = pw_api_lookup (self, target_pipeline)) == NULL ||
      (action = source_action (e, target_action)) == NULL)
    {
      g_autofree char *message = e == NULL
        ? g_strdup_printf ("webhook %s targets pipeline %s, which the workspace does not have", name, target_pipeline)
        : g_strdup_printf ("webhook %s targets action %s, which is no source action of pipeline %s", name,
                           target_action, target_pipeline);

      refuse (msg, 404, message);
      return;
    }

  push = g_new0 (Push, 1);
  push->self = g_object_ref (self);
  push->msg = g_object_ref (msg);
  push->started = json_builder_new ();
  json_builder_begin_array (push->started);
  push->pending = 1;
  soup_server_message_pause (msg);
  /* As the service: a delivery the filters do not select is taken, and
   * starts nothing. */
  if (!filters_match (filters, payload, action, &why))
    g_printerr ("pipewright-cli serve: webhook %s: %s; nothing starts\n", name, why);
  else if (self->runner != NULL)
    {
      /* A push names its commit (GitHub's `after`): that is what runs, as
       * the source would fetch it; otherwise the branch as it is. */
      const char *after = JSON_NODE_HOLDS_OBJECT (payload)
        ? pw_api_member_string (json_node_get_object (payload), "after") : NULL;
      gboolean commit = after != NULL && strlen (after) == 40 && strspn (after, "0123456789abcdef") == 40 &&
                        strspn (after, "0") != 40;

      push_start (push, e, target_action, commit ? after : NULL);
    }
  if (--push->pending == 0)
    push_answer (push);
}
