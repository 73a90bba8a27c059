/* pw-net-lambda.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* `pipewright-net lambda-invoke`: what the executor runs for a Lambda
 * invoke action whose function the local profile maps to an endpoint of
 * the Lambda Invoke API (`sam local start-lambda`, or any server that
 * speaks it). It behaves as a local command: the CodePipeline.job event
 * comes on stdin, the job's result goes to stdout.
 *
 * As the service, it does not take the function's answer as the result:
 * the function ends the job with PutJobSuccessResult or
 * PutJobFailureResult, which `pipewright-cli serve` takes for this job
 * (jobs/<id>.json, InProgress from the start, never handed to a job
 * worker). A function that returns a job result itself ({"status": …},
 * what a local command prints) is taken at its word; one that fails
 * (X-Amz-Function-Error) fails the action with its error. */

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <pw-engine.h>

#include "pw-api-client.h"
#include "pw-cli-private.h"

typedef struct
{
  GMainLoop  *loop;
  char       *result_path;
  JsonNode   *result;
} Waiting;

static JsonNode *
read_object (const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  if (!json_parser_load_from_file (parser, path, NULL) || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  return json_parser_steal_root (parser);
}

static void
result_changed_cb (GFileMonitor      *monitor,
                   GFile             *file,
                   GFile             *other,
                   GFileMonitorEvent  event,
                   Waiting           *waiting)
{
  if (waiting->result == NULL && (waiting->result = read_object (waiting->result_path)) != NULL)
    g_main_loop_quit (waiting->loop);
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (((Waiting *)data)->loop);
  return G_SOURCE_CONTINUE;
}

/* PutJobSuccessResult / PutJobFailureResult as serve wrote it, in the
 * words a local command prints. */
static JsonNode *
result_to_answer (JsonNode *result)
{
  JsonObject *in = json_node_get_object (result);
  JsonObject *out = json_object_new ();
  const char *status = json_object_get_string_member_with_default (in, "status", "Failed");

  json_object_set_string_member (out, "status", status);
  if (g_str_equal (status, "Succeeded"))
    {
      JsonObject *details = json_object_has_member (in, "executionDetails")
        ? json_object_get_object_member (in, "executionDetails") : NULL;

      if (json_object_has_member (in, "outputVariables"))
        json_object_set_member (out, "outputVariables", json_object_dup_member (in, "outputVariables"));
      if (json_object_has_member (in, "continuationToken"))
        json_object_set_member (out, "continuationToken", json_object_dup_member (in, "continuationToken"));
      if (details != NULL && json_object_has_member (details, "summary"))
        json_object_set_member (out, "message", json_object_dup_member (details, "summary"));
    }
  else
    {
      JsonObject *failure = json_object_has_member (in, "failureDetails")
        ? json_object_get_object_member (in, "failureDetails") : NULL;

      json_object_set_string_member (out, "failureType",
                                     failure != NULL ? json_object_get_string_member_with_default (failure, "type",
                                                                                                  "JobFailed")
                                                     : "JobFailed");
      json_object_set_string_member (out, "message",
                                     failure != NULL ? json_object_get_string_member_with_default (failure, "message",
                                                                                                  "")
                                                     : "");
    }
  {
    JsonNode *node = json_node_init_object (json_node_alloc (), out);

    json_object_unref (out);
    return node;
  }
}

static void
print_node (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  printf ("%s\n", text);
  fflush (stdout);
}

static char *
job_path (const char *dir,
          const char *id,
          const char *suffix)
{
  g_autofree char *name = g_strconcat (id, suffix, NULL);

  return g_build_filename (dir, name, NULL);
}

static void
remove_job (const char *dir,
            const char *id)
{
  static const char * const suffixes[] = { ".json", ".state.json", ".result.json" };

  for (guint i = 0; dir != NULL && i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = job_path (dir, id, suffixes[i]);

      g_unlink (path);
    }
}

/* The job serve takes results for: in progress from the start (the
 * function has it), and with no action type, so no worker polls it. */
static gboolean
register_job (const char  *dir,
              const char  *id,
              const char  *function,
              JsonObject  *job,
              GError     **error)
{
  g_autoptr(JsonObject) file = json_object_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created = g_date_time_format_iso8601 (now);
  g_autofree char *text = NULL;
  g_autofree char *path = job_path (dir, id, ".json");
  g_autofree char *state = job_path (dir, id, ".state.json");
  static const char in_progress[] = "{\"status\": \"InProgress\"}\n";

  if (g_mkdir_with_parents (dir, 0700) != 0 || g_chmod (dir, 0700) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "Cannot create %s: %s", dir,
                   g_strerror (errno));
      return FALSE;
    }
  json_object_set_string_member (file, "id", id);
  json_object_set_string_member (file, "lambda", function);
  json_object_set_string_member (file, "created", created);
  if (json_object_has_member (job, "accountId"))
    json_object_set_member (file, "accountId", json_object_dup_member (job, "accountId"));
  if (json_object_has_member (job, "data"))
    json_object_set_member (file, "data", json_object_dup_member (job, "data"));
  root = json_node_init_object (json_node_alloc (), file);
  text = json_to_string (root, TRUE);
  return pw_file_replace_contents_full (state, in_progress, strlen (in_progress), FALSE, error) &&
         pw_file_replace_contents_full (path, text, strlen (text), FALSE, error);
}

int
pw_net_lambda_invoke (int    argc,
                      char **argv)
{
  g_autofree char *endpoint = NULL;
  g_autofree char *function = NULL;
  g_autofree char *region = NULL;
  g_autofree char *job_dir = NULL;
  GOptionEntry entries[] = {
    { "endpoint", 0, 0, G_OPTION_ARG_STRING, &endpoint, N_("The Lambda Invoke API's URL"), "URL" },
    { "function", 0, 0, G_OPTION_ARG_STRING, &function, N_("The function to invoke"), "NAME" },
    { "region", 0, 0, G_OPTION_ARG_STRING, &region, N_("The region to sign for"), "REGION" },
    { "job-dir", 0, 0, G_OPTION_ARG_FILENAME, &job_dir, N_("Where serve takes the job's result"), "DIR" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOChannel) in = g_io_channel_unix_new (0);
  g_autoptr(JsonNode) event = NULL;
  g_autoptr(PwApiClient) client = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(SoupMessageHeaders) headers = NULL;
  g_autoptr(GHashTable) extra = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *text = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;
  g_autofree char *result_path = NULL;
  g_autoptr(GFileMonitor) monitor = NULL;
  JsonObject *job;
  const char *id;
  const char *function_error;
  guint status = 0;
  gsize length = 0;
  Waiting waiting = { 0 };
  int code = 1;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!pw_cli_parse_args (context, &argc, &argv))
    return EXIT_USAGE;
  if (endpoint == NULL || function == NULL)
    {
      pw_cli_print_error ("lambda-invoke needs --endpoint and --function");
      return EXIT_USAGE;
    }

  g_io_channel_set_encoding (in, NULL, NULL);
  if (g_io_channel_read_to_end (in, &text, &length, &error) != G_IO_STATUS_NORMAL ||
      (event = pw_json_parse (text, (gssize)length, NULL, &error)) == NULL || !JSON_NODE_HOLDS_OBJECT (event) ||
      !json_object_has_member (json_node_get_object (event), "CodePipeline.job"))
    {
      pw_cli_print_error ("lambda-invoke reads a CodePipeline.job event on stdin%s%s",
                          error != NULL ? ": " : "", error != NULL ? error->message : "");
      return EXIT_USAGE;
    }
  job = json_object_get_object_member (json_node_get_object (event), "CodePipeline.job");
  id = json_object_get_string_member_with_default (job, "id", "");

  client = pw_api_client_new_for ("lambda", NULL, region, endpoint, TRUE, &error);
  if (client == NULL)
    {
      pw_cli_print_error ("%s", error->message);
      return EXIT_USAGE;
    }
  /* The function takes what it takes (a container's first start too): the
   * action's own timeout, which ends this process, is the limit. */
  pw_api_client_set_timeout (client, 0);

  /* The job's files are named by its id: only an execution id will do
   * (nothing with a `/` or `..` in it names a file out of the folder). */
  if (job_dir != NULL && *id != '\0' && !pw_state_is_execution_id (id, FALSE))
    {
      pw_cli_print_error ("the job id '%s' is not an action execution id", id);
      return EXIT_USAGE;
    }

  /* Watch before the function can answer. */
  if (job_dir != NULL && *id != '\0')
    {
      g_autoptr(GFile) dir = g_file_new_for_path (job_dir);

      if (!register_job (job_dir, id, function, job, &error))
        {
          pw_cli_print_error ("%s", error->message);
          return 1;
        }
      result_path = job_path (job_dir, id, ".result.json");
      monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
    }

  escaped = g_uri_escape_string (function, NULL, FALSE);
  path = g_strdup_printf ("/2015-03-31/functions/%s/invocations", escaped);
  g_hash_table_insert (extra, "x-amz-invocation-type", "RequestResponse");
  body = g_bytes_new (text, length);
  answer = pw_api_client_send (client, path, extra, "application/json", body, &status, &headers, &error);
  if (answer == NULL)
    {
      pw_cli_print_error ("%s (is the Lambda endpoint, e.g. `sam local start-lambda`, running?)",
                          error->message);
      goto out;
    }

  if (status < 200 || status >= 300)
    {
      g_autofree char *said = g_strndup (g_bytes_get_data (answer, NULL), MIN (g_bytes_get_size (answer), 2000));
      const char *type = soup_message_headers_get_one (headers, "x-amzn-ErrorType");

      pw_cli_print_error ("%s answered %u%s%s to the invocation of %s: %s", endpoint, status,
                          type != NULL ? " " : "", type != NULL ? type : "", function, said);
      goto out;
    }

  function_error = soup_message_headers_get_one (headers, "X-Amz-Function-Error");
  if (function_error != NULL)
    {
      g_autoptr(JsonNode) said = pw_json_parse (g_bytes_get_data (answer, NULL), (gssize)g_bytes_get_size (answer),
                                                NULL, NULL);
      JsonObject *o = said != NULL && JSON_NODE_HOLDS_OBJECT (said) ? json_node_get_object (said) : NULL;
      g_autoptr(JsonObject) failure = json_object_new ();
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *said_text = g_strndup (g_bytes_get_data (answer, NULL), MIN (g_bytes_get_size (answer), 2000));
      g_autofree char *message =
        g_strdup_printf ("The function failed (%s): %s%s%s", function_error,
                         o != NULL ? json_object_get_string_member_with_default (o, "errorType", "") : "",
                         o != NULL && json_object_has_member (o, "errorType") ? ": " : "",
                         o != NULL ? json_object_get_string_member_with_default (o, "errorMessage", "")
                                   : said_text != NULL ? said_text : "");

      json_object_set_string_member (failure, "status", "Failed");
      json_object_set_string_member (failure, "failureType", "JobFailed");
      json_object_set_string_member (failure, "message", message);
      node = json_node_init_object (json_node_alloc (), failure);
      print_node (node);
      code = 0;
      goto out;
    }

  /* A result the function put while it ran comes first. */
  if (result_path != NULL && (waiting.result = read_object (result_path)) != NULL)
    {
      g_autoptr(JsonNode) node = result_to_answer (waiting.result);

      print_node (node);
      code = 0;
      goto out;
    }

  /* A function may answer with a job result, as a local command does. */
  {
    g_autoptr(JsonNode) said = pw_json_parse (g_bytes_get_data (answer, NULL), (gssize)g_bytes_get_size (answer),
                                              NULL, NULL);

    if (said != NULL && JSON_NODE_HOLDS_OBJECT (said) &&
        json_object_get_string_member_with_default (json_node_get_object (said), "status", NULL) != NULL)
      {
        print_node (said);
        code = 0;
        goto out;
      }
  }

  if (result_path == NULL || monitor == NULL)
    {
      pw_cli_print_error ("The function %s returned without a job result, and with no state folder "
                          "nothing can take its PutJobSuccessResult", function);
      goto out;
    }

  fprintf (stderr, "Function %s returned; waiting for PutJobSuccessResult or PutJobFailureResult for job %s "
           "(point its CodePipeline client at `pipewright-cli serve`, e.g. "
           "AWS_ENDPOINT_URL_CODEPIPELINE=http://127.0.0.1:PORT)\n", function, id);
  waiting.loop = g_main_loop_new (NULL, FALSE);
  waiting.result_path = result_path;
  g_signal_connect (monitor, "changed", G_CALLBACK (result_changed_cb), &waiting);
  g_unix_signal_add (SIGTERM, quit_cb, &waiting);
  g_unix_signal_add (SIGINT, quit_cb, &waiting);
  if ((waiting.result = read_object (result_path)) == NULL)
    g_main_loop_run (waiting.loop);
  g_clear_pointer (&waiting.loop, g_main_loop_unref);
  if (waiting.result != NULL)
    {
      g_autoptr(JsonNode) node = result_to_answer (waiting.result);

      print_node (node);
      code = 0;
    }

out:
  g_clear_pointer (&waiting.result, json_node_unref);
  if (job_dir != NULL && *id != '\0')
    remove_job (job_dir, id);
  return code;
}
