/* pw-api-jobs.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The job-worker operations: PollForJobs, AcknowledgeJob, GetJobDetails,
 * PutJobSuccessResult and PutJobFailureResult (and their ThirdParty
 * twins), over the jobs the executor queues in each pipeline's state
 * folder for the action types a local profile gives to workers (see
 * pw-provider-worker.c for the files). A job is Queued until a poll
 * dispatches it, InProgress once acknowledged, and over once a result is
 * put: the executor then ends the action as the worker said. */

#define G_LOG_DOMAIN "pw-api"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "pw-api-private.h"

/* Output variables may hold 122,880 characters in all (the service's
 * quota). */
#define MAX_OUTPUT_VARIABLES 122880

static GPtrArray *
job_dirs (PwApiServer *self)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *dirs = g_ptr_array_new_with_free_func (g_free);

  pw_api_catalog_scan (self);
  for (guint i = 0; i < self->entries->len; i++)
    {
      g_autofree char *state_dir = pw_state_default_dir (((PwApiEntry *)g_ptr_array_index (self->entries, i))->path);
      char *dir = g_build_filename (state_dir, "jobs", NULL);

      if (g_hash_table_contains (seen, dir))
        {
          g_free (dir);
          continue;
        }
      g_hash_table_add (seen, dir);
      g_ptr_array_add (dirs, dir);
    }
  return dirs;
}

static char *
sibling (const char *job_path,
         const char *suffix)
{
  g_autofree char *stem = g_strndup (job_path, strlen (job_path) - strlen (".json"));

  return g_strconcat (stem, suffix, NULL);
}

static JsonNode *
read_json (const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  if (!json_parser_load_from_mapped_file (parser, path, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  return json_parser_steal_root (parser);
}

static const char *
job_status (const char *job_path)
{
  g_autofree char *result = sibling (job_path, ".result.json");
  g_autofree char *state = sibling (job_path, ".state.json");
  g_autoptr(JsonNode) node = NULL;

  if (g_file_test (result, G_FILE_TEST_EXISTS))
    return "Succeeded";
  if ((node = read_json (state)) == NULL)
    return "Queued";
  return g_intern_string (json_object_get_string_member_with_default (json_node_get_object (node), "status",
                                                                      "Dispatched"));
}

static gboolean
set_state (const char  *job_path,
           const char  *status,
           GError     **error)
{
  g_autofree char *state = sibling (job_path, ".state.json");
  g_autofree char *text = g_strdup_printf ("{\"status\": \"%s\"}\n", status);

  return pw_file_replace_contents_full (state, text, strlen (text), FALSE, error);
}

/* The job @id's file, or NULL with JobNotFoundException. */
static char *
find_job (PwApiServer *self,
          JsonObject  *input,
          PwApiAnswer *answer)
{
  const char *id = pw_api_member_string (input, "jobId");
  g_autoptr(GPtrArray) dirs = job_dirs (self);
  g_autofree char *name = g_strconcat (id, ".json", NULL);

  for (guint i = 0; i < dirs->len; i++)
    {
      char *path = g_build_filename (g_ptr_array_index (dirs, i), name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return path;
      g_free (path);
    }
  {
    g_autofree char *message = g_strdup_printf ("Job '%s' does not exist (or its action has ended)", id);

    *answer = pw_api_error (400, "JobNotFoundException", message);
  }
  return NULL;
}

static gboolean
same_type (JsonObject *a,
           JsonObject *b)
{
  static const char * const members[] = { "category", "owner", "provider", "version" };

  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    if (g_strcmp0 (pw_api_member_string (a, members[i]), pw_api_member_string (b, members[i])) != 0)
      return FALSE;
  return TRUE;
}

/* Each queryParam must be the value of that key of the action's
 * configuration (the queryable properties of the action type). */
static gboolean
matches_query (JsonObject *job,
               JsonObject *query)
{
  JsonObject *data = json_object_get_object_member (job, "data");
  JsonObject *config = data != NULL && json_object_has_member (data, "actionConfiguration")
    ? json_object_get_object_member (json_object_get_object_member (data, "actionConfiguration"), "configuration")
    : NULL;
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  if (query == NULL)
    return TRUE;
  json_object_iter_init (&iter, query);
  while (json_object_iter_next (&iter, &key, &value))
    if (g_strcmp0 (pw_api_member_string (config, key), json_node_get_string (value)) != 0)
      return FALSE;
  return TRUE;
}

static int
compare_created (gconstpointer a,
                 gconstpointer b)
{
  JsonObject *x = json_node_get_object (*(JsonNode * const *)a);
  JsonObject *y = json_node_get_object (*(JsonNode * const *)b);

  return g_strcmp0 (pw_api_member_string (x, "created"), pw_api_member_string (y, "created"));
}

static PwApiAnswer
poll (PwApiServer *self,
      JsonObject  *input,
      gboolean     third_party)
{
  g_autoptr(GPtrArray) dirs = job_dirs (self);
  g_autoptr(GPtrArray) queued = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  JsonObject *type = json_object_get_object_member (input, "actionTypeId");
  JsonObject *query = json_object_has_member (input, "queryParam")
    ? json_object_get_object_member (input, "queryParam") : NULL;
  guint batch = (guint)json_object_get_int_member_with_default (input, "maxBatchSize", 1);

  for (guint i = 0; i < dirs->len; i++)
    {
      g_autoptr(GDir) d = g_dir_open (g_ptr_array_index (dirs, i), 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *path = NULL;
          JsonNode *job;

          if (!g_str_has_suffix (name, ".json") || g_str_has_suffix (name, ".state.json") ||
              g_str_has_suffix (name, ".result.json"))
            continue;
          path = g_build_filename (g_ptr_array_index (dirs, i), name, NULL);
          if (!g_str_equal (job_status (path), "Queued") || (job = read_json (path)) == NULL)
            continue;
          if (!json_object_has_member (json_node_get_object (job), "actionTypeId") ||
              !same_type (json_object_get_object_member (json_node_get_object (job), "actionTypeId"), type) ||
              !matches_query (json_node_get_object (job), query))
            {
              json_node_unref (job);
              continue;
            }
          json_object_set_string_member (json_node_get_object (job), "path", path);
          g_ptr_array_add (queued, job);
        }
    }
  /* Oldest first, as many as asked. */
  g_ptr_array_sort (queued, compare_created);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "jobs");
  json_builder_begin_array (b);
  for (guint i = 0; i < queued->len && i < batch; i++)
    {
      JsonObject *job = json_node_get_object (g_ptr_array_index (queued, i));
      g_autoptr(GError) error = NULL;

      if (!set_state (pw_api_member_string (job, "path"), "Dispatched", &error))
        continue;
      json_builder_begin_object (b);
      if (third_party)
        {
          /* A partner gets the id only, and asks for the details. */
          json_builder_set_member_name (b, "clientId");
          json_builder_add_string_value (b, "pipewright-local");
          pw_api_add_string (b, job, "id", "jobId");
        }
      else
        {
          pw_api_add_string (b, job, "id", "id");
          json_builder_set_member_name (b, "data");
          json_builder_add_value (b, json_object_dup_member (job, "data"));
          pw_api_add_string (b, job, "nonce", "nonce");
          pw_api_add_string (b, job, "accountId", "accountId");
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return pw_api_ok (json_builder_get_root (b));
}

PwApiAnswer
pw_api_poll_for_jobs (PwApiServer *self,
                      JsonObject  *input)
{
  return poll (self, input, FALSE);
}

PwApiAnswer
pw_api_poll_for_third_party_jobs (PwApiServer *self,
                                  JsonObject  *input)
{
  return poll (self, input, TRUE);
}

PwApiAnswer
pw_api_acknowledge_job (PwApiServer *self,
                        JsonObject  *input)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) job = NULL;
  g_autofree char *path = NULL;
  const char *status;
  PwApiAnswer a;

  if ((path = find_job (self, input, &a)) == NULL)
    return a;
  if ((job = read_json (path)) == NULL)
    return pw_api_error (400, "JobNotFoundException", "The job cannot be read");
  if (g_strcmp0 (pw_api_member_string (json_node_get_object (job), "nonce"),
                 pw_api_member_string (input, "nonce")) != 0)
    return pw_api_error (400, "InvalidNonceException", "The nonce is not the one PollForJobs gave for this job");
  status = job_status (path);
  if (g_str_equal (status, "Queued") || g_str_equal (status, "Dispatched"))
    {
      if (!set_state (path, "InProgress", &error))
        return pw_api_error (500, "InternalFailure", error->message);
      status = "InProgress";
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, status);
  json_builder_end_object (b);
  return pw_api_ok (json_builder_get_root (b));
}

static PwApiAnswer
job_details (PwApiServer *self,
             JsonObject  *input,
             gboolean     third_party)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) job = NULL;
  g_autofree char *path = NULL;
  PwApiAnswer a;

  if ((path = find_job (self, input, &a)) == NULL)
    return a;
  if ((job = read_json (path)) == NULL)
    return pw_api_error (400, "JobNotFoundException", "The job cannot be read");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "jobDetails");
  json_builder_begin_object (b);
  pw_api_add_string (b, json_node_get_object (job), "id", "id");
  json_builder_set_member_name (b, "data");
  json_builder_add_value (b, json_object_dup_member (json_node_get_object (job), "data"));
  pw_api_add_string (b, json_node_get_object (job), third_party ? "nonce" : "accountId",
                     third_party ? "nonce" : "accountId");
  json_builder_end_object (b);
  json_builder_end_object (b);
  return pw_api_ok (json_builder_get_root (b));
}

PwApiAnswer
pw_api_get_job_details (PwApiServer *self,
                        JsonObject  *input)
{
  return job_details (self, input, FALSE);
}

PwApiAnswer
pw_api_get_third_party_job_details (PwApiServer *self,
                                    JsonObject  *input)
{
  return job_details (self, input, TRUE);
}

/* The worker's result, written whole for the executor to take. */
static PwApiAnswer
put_result (PwApiServer *self,
            JsonObject  *input,
            gboolean     succeeded)
{
  g_autoptr(JsonObject) result = json_object_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *result_path = NULL;
  g_autofree char *text = NULL;
  const char *status;
  PwApiAnswer a;

  if ((path = find_job (self, input, &a)) == NULL)
    return a;
  status = job_status (path);
  if (!g_str_equal (status, "InProgress") && !g_str_equal (status, "Dispatched"))
    {
      g_autofree char *message = g_strdup_printf ("Job '%s' is %s: only a job a worker has taken can end",
                                                  pw_api_member_string (input, "jobId"), status);

      return pw_api_error (400, "InvalidJobStateException", message);
    }

  json_object_set_string_member (result, "status", succeeded ? "Succeeded" : "Failed");
  if (succeeded)
    {
      static const char * const members[] = { "currentRevision", "continuationToken", "executionDetails",
                                              "outputVariables" };
      JsonNode *variables = json_object_get_member (input, "outputVariables");

      if (variables != NULL && JSON_NODE_HOLDS_OBJECT (variables))
        {
          gsize size = 0;
          JsonObjectIter iter;
          const char *key;
          JsonNode *value;

          json_object_iter_init (&iter, json_node_get_object (variables));
          while (json_object_iter_next (&iter, &key, &value))
            size += strlen (key) + (JSON_NODE_HOLDS_VALUE (value) ? strlen (json_node_get_string (value)) : 0);
          if (size > MAX_OUTPUT_VARIABLES)
            return pw_api_error (400, "OutputVariablesSizeExceededException",
                                 "The output variables hold more than 122880 characters");
        }
      for (guint i = 0; i < G_N_ELEMENTS (members); i++)
        if (json_object_has_member (input, members[i]))
          json_object_set_member (result, members[i], json_object_dup_member (input, members[i]));
    }
  else
    json_object_set_member (result, "failureDetails", json_object_dup_member (input, "failureDetails"));

  root = json_node_init_object (json_node_alloc (), result);
  text = json_to_string (root, TRUE);
  result_path = sibling (path, ".result.json");
  if (!pw_file_replace_contents_full (result_path, text, strlen (text), FALSE, &error))
    return pw_api_error (500, "InternalFailure", error->message);
  return pw_api_empty ();
}

PwApiAnswer
pw_api_put_job_success (PwApiServer *self,
                        JsonObject  *input)
{
  return put_result (self, input, TRUE);
}

PwApiAnswer
pw_api_put_job_failure (PwApiServer *self,
                        JsonObject  *input)
{
  return put_result (self, input, FALSE);
}
