/* pw-cli-run.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-cli"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include <pw-engine.h>

#include "pw-cli-private.h"
#include "pw-cli-progress.h"

/* How much of a failing log's end is read for its last lines. */

/* The executor's front end: run, and the commands that look at or steer
 * runs through the state folder (.pipewright/). */

typedef struct
{
  GMainLoop  *loop;
  /* The runner's executor, or NULL when following another process's. */
  PwExecutor *executor;
  const char *state_dir;
  char       *execution_id;
  char       *status;
  gboolean    json;
  gint64      started;
  /* The executions shown, and the printer that follows them. */
  PwExecutionList *list;
  PwCliProgress   *progress;
  gulong      event_id;
  guint       interrupts;
  /* Executions other pipewright-cli processes started in ours: they
   * print their own progress. */
  GHashTable *others;
  gboolean    said_waiting;
  /* --auto-approve or --reject-approvals: nobody needs telling to approve. */
  gboolean    auto_decide;
} RunContext;

/* run_as_client(): the runner left without our request; we run it. */
#define CLIENT_BECOME_RUNNER (-1)

/* Trigger detail of an execution another `run` asks the runner for. */
#define CLIENT_TRIGGER_PREFIX "pipewright-cli (pid "

/* The state folder: --state-dir, else `.pipewright` beside --pipeline,
 * else the nearest `.pipewright` from the current folder up. */
static char *
find_state_dir (const char *state_dir,
                const char *pipeline)
{
  g_autofree char *dir = NULL;

  if (state_dir != NULL)
    return g_canonicalize_filename (state_dir, NULL);
  if (pipeline != NULL)
    return pw_state_default_dir (pipeline);

  dir = g_get_current_dir ();
  while (dir != NULL)
    {
      g_autofree char *candidate = g_build_filename (dir, ".pipewright", NULL);
      g_autofree char *parent = NULL;

      if (g_file_test (candidate, G_FILE_TEST_IS_DIR))
        return g_steal_pointer (&candidate);

      parent = g_path_get_dirname (dir);
      if (g_str_equal (parent, dir))
        break;
      g_free (dir);
      dir = g_steal_pointer (&parent);
    }

  return NULL;
}

static const char *
status_of_state (const char *state)
{
  static const struct { const char *state, *status; } map[] = {
    { "STARTED", "InProgress" }, { "SUCCEEDED", "Succeeded" }, { "FAILED", "Failed" },
    { "STOPPING", "Stopping" }, { "STOPPED", "Stopped" }, { "SUPERSEDED", "Superseded" },
    { "CANCELED", "Cancelled" }, { "ABANDONED", "Abandoned" }, { "RESUMED", "InProgress" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (g_str_equal (state, map[i].state))
      return map[i].status;
  return state;
}

/* Each event of the executor in this process: with --json, the event
 * itself; else what it changed, in the objects the progress follows (and
 * the window shows), at once. */
static void
event_cb (PwExecutor *executor,
          JsonNode   *event,
          RunContext *ctx)
{
  JsonObject *o = json_node_get_object (event);
  JsonObject *detail = json_object_get_object_member (o, "detail");
  const char *execution_id = json_object_get_string_member (detail, "execution-id");

  if (!ctx->json)
    {
      pw_execution_list_flush (ctx->list);
      return;
    }

  /* The executions other `run`s started here are theirs to show. */
  if (ctx->others != NULL)
    {
      JsonObject *trigger = json_object_has_member (detail, "execution-trigger")
        ? json_object_get_object_member (detail, "execution-trigger") : NULL;

      if (trigger != NULL &&
          g_str_has_prefix (json_object_get_string_member_with_default (trigger, "trigger-detail", ""),
                            CLIENT_TRIGGER_PREFIX))
        g_hash_table_add (ctx->others, g_strdup (execution_id));
      if (g_hash_table_contains (ctx->others, execution_id))
        return;
    }

  {
    g_autoptr(JsonGenerator) gen = json_generator_new ();
    g_autofree char *text = NULL;

    json_generator_set_root (gen, event);
    text = json_generator_to_data (gen, NULL);
    printf ("%s\n", text);
    fflush (stdout);
  }
}

/* Shows what @executor runs from now on: its events, or its executions'
 * progress (the execution objects the window binds to, kept by a list
 * the executor's events update). */
static void
run_context_init (RunContext *ctx,
                  PwExecutor *executor,
                  gboolean    json,
                  gboolean    auto_decide)
{
  g_autoptr(GError) error = NULL;

  ctx->executor = executor;
  ctx->state_dir = pw_executor_get_state_dir (executor);
  ctx->others = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ctx->json = json;
  ctx->auto_decide = auto_decide;
  ctx->started = g_get_monotonic_time ();
  /* --json prints the events themselves: no objects to keep. */
  if (!json)
    {
      ctx->list = pw_execution_list_new_live (ctx->state_dir, &error);
      if (ctx->list == NULL)
        g_error ("%s", error->message);   /* a folder monitor: GIO always has one */
      pw_execution_list_set_executor (ctx->list, executor);
      ctx->progress = pw_cli_progress_new (ctx->list, TRUE, CLIENT_TRIGGER_PREFIX,
                                           pw_cli_use_color (stdout), auto_decide);
    }
  /* After the list's own handler: the event is in the objects to flush. */
  ctx->event_id = g_signal_connect (executor, "event", G_CALLBACK (event_cb), ctx);
}

static void
run_context_clear (RunContext *ctx)
{
  if (ctx->event_id != 0)
    g_signal_handler_disconnect (ctx->executor, ctx->event_id);
  ctx->event_id = 0;
  g_clear_pointer (&ctx->progress, pw_cli_progress_free);
  if (ctx->list != NULL)
    pw_execution_list_set_executor (ctx->list, NULL);
  g_clear_object (&ctx->list);
  g_clear_pointer (&ctx->others, g_hash_table_unref);
  g_clear_pointer (&ctx->status, g_free);
  g_clear_pointer (&ctx->execution_id, g_free);
}

static void
finished_cb (PwExecutor *executor,
             const char *execution_id,
             const char *status,
             RunContext *ctx)
{
  if (g_strcmp0 (execution_id, ctx->execution_id) == 0)
    {
      g_free (ctx->status);
      ctx->status = g_strdup (status);
    }

  /* An automatic rollback the execution started runs to its end too, and
   * so do the executions other `run`s started here. */
  if (ctx->status != NULL && !pw_executor_is_busy (executor))
    g_main_loop_quit (ctx->loop);
  else if (ctx->status != NULL && !ctx->said_waiting && !ctx->json)
    {
      ctx->said_waiting = TRUE;
      fprintf (stderr, "Execution %s %s; still running the executions other pipewright-cli "
               "processes started in this one\n", ctx->execution_id, ctx->status);
    }
}

static gboolean
interrupt_cb (gpointer data)
{
  RunContext *ctx = data;
  g_autoptr(GError) error = NULL;

  ctx->interrupts++;
  if (ctx->interrupts > 1 || ctx->execution_id == NULL)
    {
      g_main_loop_quit (ctx->loop);
      return G_SOURCE_CONTINUE;
    }

  fprintf (stderr, "\nStopping: abandoning running actions (interrupt again to quit at once)\n");
  if (!pw_executor_stop (ctx->executor, ctx->execution_id, TRUE, "Interrupted", &error))
    g_main_loop_quit (ctx->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
parse_pairs (char       **pairs,
             const char  *option,
             GHashTable  *into)
{
  for (guint i = 0; pairs != NULL && pairs[i] != NULL; i++)
    {
      const char *eq = strchr (pairs[i], '=');

      if (eq == NULL || eq == pairs[i])
        {
          pw_cli_print_error (_("%s takes NAME=VALUE, not '%s'"), option, pairs[i]);
          return FALSE;
        }
      g_hash_table_insert (into, g_strndup (pairs[i], eq - pairs[i]), g_strdup (eq + 1));
    }
  return TRUE;
}

static PwPipeline *
load_pipeline (const char  *path,
               const char  *resource,
               gboolean     check,
               gboolean     force)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(PwDocument) document = NULL;
  g_autoptr(PwPipeline) pipeline = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      pw_cli_print_error ("%s", error->message);
      return NULL;
    }
  if ((document = pw_document_load_data (contents, length, path, &error)) == NULL)
    {
      pw_cli_print_load_error (path, contents, length, error);
      return NULL;
    }
  if ((pipeline = pw_document_dup_pipeline (document, resource, &error)) == NULL)
    {
      pw_cli_print_error ("%s", error->message);
      return NULL;
    }

  if (!check)
    return g_steal_pointer (&pipeline);

  found = pw_pipeline_validate (pipeline);
  for (guint i = 0; i < found->len; i++)
    if (pw_diagnostic_get_severity (g_ptr_array_index (found, i)) == PW_SEVERITY_ERROR)
      g_ptr_array_add (problems, g_object_ref (g_ptr_array_index (found, i)));

  if (problems->len > 0)
    {
      g_autoptr(GPtrArray) maps = g_ptr_array_new_with_free_func ((GDestroyNotify)pw_source_map_unref);
      g_autofree char *report = NULL;

      g_ptr_array_add (maps, pw_source_map_ref (pw_document_get_source_map (document)));
      report = pw_report_format (problems, maps, PW_REPORT_HUMAN, pw_cli_use_color (stderr));
      fputs (report, stderr);
      if (force)
        {
          fprintf (stderr, "%s\n", _("Running anyway (--force): AWS would reject this pipeline."));
          return g_steal_pointer (&pipeline);
        }
      pw_cli_print_error (_("the pipeline has errors AWS would reject; fix them first "
                            "(pipewright-cli validate %s)"), path);
      return NULL;
    }

  return g_steal_pointer (&pipeline);
}

static int
drive (RunContext *ctx,
       const char *execution_id)
{
  PwExecutor *executor = ctx->executor;
  guint sigint, sigterm;
  gulong finished_id;
  int status;

  ctx->loop = g_main_loop_new (NULL, FALSE);
  ctx->execution_id = g_strdup (execution_id);

  finished_id = g_signal_connect (executor, "finished", G_CALLBACK (finished_cb), ctx);
  sigint = g_unix_signal_add (SIGINT, interrupt_cb, ctx);
  sigterm = g_unix_signal_add (SIGTERM, interrupt_cb, ctx);

  if (pw_executor_is_busy (executor))
    g_main_loop_run (ctx->loop);
  else
    ctx->status = g_strdup (pw_executor_get_status (executor, execution_id));

  /* Leaving: no more requests, but an execution a request started just
   * now (in the loop's last turn) runs to its end first. */
  pw_executor_stop_serving (executor);
  while (pw_executor_is_busy (executor))
    g_main_loop_run (ctx->loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_signal_handler_disconnect (executor, finished_id);
  g_clear_pointer (&ctx->loop, g_main_loop_unref);

  if (!ctx->json)
    {
      PwExecution *execution;
      g_autofree char *summary = NULL;

      pw_execution_list_flush (ctx->list);
      execution = pw_execution_list_lookup (ctx->list, execution_id);
      summary = execution != NULL ? pw_cli_first_line (pw_execution_get_summary (execution)) : NULL;
      printf ("%s%s%s\n", ctx->status != NULL ? ctx->status : "Unknown",
              summary != NULL ? ": " : "", summary != NULL ? summary : "");
    }

  status = g_strcmp0 (ctx->status, "Succeeded") == 0 ? EXIT_OK : EXIT_FINDINGS;
  run_context_clear (ctx);
  return status;
}

/* Following an execution another process runs ------------------------------- */

typedef struct
{
  RunContext    run;
  char         *events_path;
  goffset       offset;
  GString      *partial;
  gboolean      done;
} Client;

static gboolean
is_terminal_state (const char *state)
{
  return g_strcmp0 (state, "SUCCEEDED") == 0 || g_strcmp0 (state, "FAILED") == 0 ||
         g_strcmp0 (state, "STOPPED") == 0 || g_strcmp0 (state, "SUPERSEDED") == 0 ||
         g_strcmp0 (state, "CANCELED") == 0;
}

/* The events appended since the last read: those of our execution are
 * shown as the runner would show them; its end ends the wait. */
static void
client_read_events (Client *client)
{
  g_autoptr(GFile) file = g_file_new_for_path (client->events_path);
  g_autoptr(GFileInputStream) stream = g_file_read (file, NULL, NULL);
  char buffer[64 * 1024];
  gssize n;

  if (stream == NULL || client->done ||
      !g_seekable_seek (G_SEEKABLE (stream), client->offset, G_SEEK_SET, NULL, NULL))
    return;

  while ((n = g_input_stream_read (G_INPUT_STREAM (stream), buffer, sizeof buffer, NULL, NULL)) > 0)
    {
      char *line, *nl;

      client->offset += n;
      g_string_append_len (client->partial, buffer, n);

      line = client->partial->str;
      while (!client->done && (nl = strchr (line, '\n')) != NULL)
        {
          goffset at = client->offset - client->partial->len + (line - client->partial->str);
          g_autoptr(JsonNode) root = NULL;
          JsonNode *detail_node;
          JsonObject *detail;

          *nl = '\0';
          /* A torn line (a full disk cut an append short, before appends
           * were whole or nothing) is skipped, and said to be. */
          root = pw_json_parse (line, -1, NULL, NULL);
          if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
            {
              fprintf (stderr, "%s: skipped a torn line at byte %" G_GINT64_FORMAT "\n",
                       client->events_path, (gint64)at);
              line = nl + 1;
              continue;
            }
          detail_node = json_object_get_member (json_node_get_object (root), "detail");
          detail = detail_node != NULL && JSON_NODE_HOLDS_OBJECT (detail_node)
                   ? json_node_get_object (detail_node) : NULL;
          if (detail != NULL &&
              g_strcmp0 (json_object_get_string_member_with_default (detail, "execution-id", NULL),
                         client->run.execution_id) == 0)
            {
              JsonObject *o = json_node_get_object (root);
              const char *state = json_object_get_string_member_with_default (detail, "state", "");

              /* The runner's line as it wrote it. */
              if (client->run.json)
                {
                  printf ("%s\n", line);
                  fflush (stdout);
                }
              if (g_str_has_suffix (json_object_get_string_member_with_default (o, "detail-type", ""),
                                    "Pipeline Execution State Change") &&
                  is_terminal_state (state))
                {
                  g_free (client->run.status);
                  client->run.status = g_strdup (status_of_state (state));
                  client->done = TRUE;
                  /* Its record was written, for good, before this event:
                   * the statuses the folder's watch has yet to bring. */
                  pw_execution_list_load (client->run.list, client->run.execution_id);
                  g_main_loop_quit (client->run.loop);
                }
            }
          line = nl + 1;
        }
      g_string_erase (client->partial, 0, line - client->partial->str);
    }
}

static void
client_events_changed_cb (GFileMonitor      *monitor,
                          GFile             *file,
                          GFile             *other,
                          GFileMonitorEvent  event,
                          Client            *client)
{
  if (event == G_FILE_MONITOR_EVENT_CHANGED || event == G_FILE_MONITOR_EVENT_CREATED)
    client_read_events (client);
}

/* What the thread waiting for the runner's end shares with the main
 * thread: it may end after run_as_client() returned, and then finds no
 * client (set and cleared on the main thread only). */
typedef struct
{
  gatomicrefcount  ref_count;
  char            *state_dir;
  Client          *client;
} RunnerWatch;

static RunnerWatch *
runner_watch_ref (RunnerWatch *watch)
{
  g_atomic_ref_count_inc (&watch->ref_count);
  return watch;
}

static void
runner_watch_unref (RunnerWatch *watch)
{
  if (!g_atomic_ref_count_dec (&watch->ref_count))
    return;
  g_free (watch->state_dir);
  g_free (watch);
}

static gboolean
client_runner_gone_cb (gpointer data)
{
  RunnerWatch *watch = data;
  Client *client = watch->client;

  if (client == NULL)
    return G_SOURCE_REMOVE;

  /* Its last events may have landed with its end. */
  client_read_events (client);
  if (client->done)
    return G_SOURCE_REMOVE;
  if (client->partial->len > 0)
    fprintf (stderr, "%s: ends in a torn line (%" G_GSIZE_FORMAT " bytes); skipped\n",
             client->events_path, client->partial->len);

  /* It died before the execution ended: the record says so now. */
  pw_state_recover (client->run.state_dir);
  pw_execution_list_load (client->run.list, client->run.execution_id);
  g_free (client->run.status);
  client->run.status = g_strdup ("Failed");
  client->done = TRUE;
  g_main_loop_quit (client->run.loop);

  return G_SOURCE_REMOVE;
}

static gpointer
client_wait_thread (gpointer data)
{
  RunnerWatch *watch = data;

  pw_state_wait_for_runner (watch->state_dir);
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, client_runner_gone_cb, watch,
                   (GDestroyNotify)runner_watch_unref);

  return NULL;
}

static gboolean
client_interrupt_cb (gpointer data)
{
  Client *client = data;
  g_autoptr(JsonObject) request = json_object_new ();
  g_autoptr(GError) error = NULL;

  client->run.interrupts++;
  if (client->run.interrupts > 1)
    {
      g_main_loop_quit (client->run.loop);
      return G_SOURCE_CONTINUE;
    }

  fprintf (stderr, "\nStopping: abandoning running actions (interrupt again to stop following)\n");
  json_object_set_string_member (request, "op", "abandon");
  json_object_set_string_member (request, "executionId", client->run.execution_id);
  json_object_set_string_member (request, "summary", "Interrupted");
  if (!pw_state_send_request (client->run.state_dir, request, 30000, &error))
    {
      pw_cli_print_error ("%s", error->message);
      g_main_loop_quit (client->run.loop);
    }

  return G_SOURCE_CONTINUE;
}

static JsonObject *
map_to_object (GHashTable *map)
{
  JsonObject *object = json_object_new ();
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, map);
  while (g_hash_table_iter_next (&iter, &key, &value))
    json_object_set_string_member (object, key, value);

  return object;
}

/* `run` while another process runs this pipeline: that process (the one
 * holding the state folder) starts the execution, as the service would
 * on StartPipelineExecution, so stage locks and the execution mode hold
 * between them; this one shows its progress from events.jsonl (watched,
 * not polled) and exits with its outcome. */
static int
run_as_client (const char *state_dir,
               PwPipeline *pipeline,
               GHashTable *variables,
               GHashTable *revisions,
               const char *approvals,
               const char *last_stage,
               gboolean    json)
{
  g_autoptr(JsonObject) request = json_object_new ();
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileMonitor) monitor = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autofree char *hash = pw_executor_hash_pipeline (pipeline);
  g_autofree char *by = g_strdup_printf (CLIENT_TRIGGER_PREFIX "%d)", (int)getpid ());
  Client client = { { 0 } };
  RunnerWatch *watch;
  guint sigint, sigterm;
  int status;

  client.run.state_dir = state_dir;
  client.run.json = json;
  client.run.auto_decide = g_strcmp0 (approvals, "wait") != 0;
  client.run.started = g_get_monotonic_time ();
  /* The runner's record of it, as the window reads it too. */
  client.run.list = pw_execution_list_new_live (state_dir, &error);
  if (client.run.list == NULL)
    g_error ("%s", error->message);   /* a folder monitor: GIO always has one */
  if (!json)
    client.run.progress = pw_cli_progress_new (client.run.list, FALSE, NULL, pw_cli_use_color (stdout),
                                               client.run.auto_decide);
  client.run.loop = g_main_loop_new (NULL, FALSE);
  client.events_path = g_build_filename (state_dir, "events.jsonl", NULL);
  client.partial = g_string_new (NULL);

  /* Events from here on: ours come after the request. */
  file = g_file_new_for_path (client.events_path);
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE, NULL, NULL);
  client.offset = info != NULL ? g_file_info_get_size (info) : 0;
  monitor = g_file_monitor_file (file, G_FILE_MONITOR_NONE, NULL, NULL);

  json_object_set_string_member (request, "op", "start");
  json_object_set_string_member (request, "pipelineHash", hash);
  json_object_set_object_member (request, "variables", map_to_object (variables));
  json_object_set_object_member (request, "sourceRevisions", map_to_object (revisions));
  json_object_set_string_member (request, "approvals", approvals);
  if (last_stage != NULL)
    json_object_set_string_member (request, "lastStage", last_stage);
  json_object_set_string_member (request, "by", by);

  if (!pw_state_send_request_full (state_dir, request, 30000, &reply, &error))
    {
      /* Nobody runs it any more and our request was not taken: run it. */
      if (g_error_matches (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_RUNNER_LEFT))
        status = CLIENT_BECOME_RUNNER;
      else
        {
          pw_cli_print_error ("%s", error->message);
          status = EXIT_USAGE;
        }
      goto out;
    }

  client.run.execution_id = g_strdup (json_object_get_string_member_with_default (
    json_node_get_object (reply), "executionId", ""));
  if (!json)
    fprintf (stderr, "pid %" G_GINT64_FORMAT " already runs this pipeline; execution %s runs "
             "there with the others, and is followed here\n",
             pw_state_runner_pid (state_dir), client.run.execution_id);
  if (client.run.progress != NULL)
    pw_cli_progress_follow (client.run.progress, client.run.execution_id);

  if (monitor != NULL)
    g_signal_connect (monitor, "changed", G_CALLBACK (client_events_changed_cb), &client);
  watch = g_new0 (RunnerWatch, 1);
  g_atomic_ref_count_init (&watch->ref_count);
  watch->state_dir = g_strdup (state_dir);
  watch->client = &client;
  g_thread_unref (g_thread_new ("pw-runner-wait", client_wait_thread, runner_watch_ref (watch)));
  sigint = g_unix_signal_add (SIGINT, client_interrupt_cb, &client);
  sigterm = g_unix_signal_add (SIGTERM, client_interrupt_cb, &client);

  client_read_events (&client);
  if (!client.done)
    g_main_loop_run (client.run.loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (monitor != NULL)
    g_signal_handlers_disconnect_by_data (monitor, &client);
  watch->client = NULL;
  runner_watch_unref (watch);

  if (!json)
    {
      PwExecution *execution = pw_execution_list_lookup (client.run.list, client.run.execution_id);
      g_autofree char *summary = execution != NULL ? pw_cli_first_line (pw_execution_get_summary (execution)) : NULL;

      printf ("%s%s%s\n", client.run.status != NULL ? client.run.status : "Unknown",
              summary != NULL ? ": " : "", summary != NULL ? summary : "");
    }
  status = g_strcmp0 (client.run.status, "Succeeded") == 0 ? EXIT_OK : EXIT_FINDINGS;

out:
  g_main_loop_unref (client.run.loop);
  g_clear_pointer (&client.run.progress, pw_cli_progress_free);
  g_clear_object (&client.run.list);
  g_free (client.run.execution_id);
  g_free (client.run.status);
  g_free (client.events_path);
  g_string_free (client.partial, TRUE);
  return status;
}

int
pw_cli_run (int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PwPipeline) pipeline = NULL;
  g_autoptr(PwLocalProfile) profile = NULL;
  g_autoptr(PwExecutor) executor = NULL;
  RunContext ctx = { 0 };
  g_autoptr(GHashTable) variables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) revisions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *profile_path = NULL;
  g_autofree char *state_dir = NULL;
  g_autofree char *stage = NULL;
  g_autofree char *resource = NULL;
  g_autofree char *id = NULL;
  g_auto(GStrv) vars = NULL;
  g_auto(GStrv) revs = NULL;
  gboolean auto_approve = FALSE, reject = FALSE, json = FALSE, force = FALSE, working_tree = FALSE;
  GOptionEntry entries[] = {
    { "profile", 0, 0, G_OPTION_ARG_FILENAME, &profile_path, N_("The local profile (default: pipewright.local.yml beside the pipeline)"), N_("FILE") },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, N_("Run even when validation finds errors AWS would reject (e.g. past a quota)"), NULL },
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir, N_("Where executions, logs and artifacts go (default: .pipewright beside the pipeline)"), N_("DIR") },
    { "var", 0, 0, G_OPTION_ARG_STRING_ARRAY, &vars, N_("Set a pipeline variable for this execution"), N_("NAME=VALUE") },
    { "source-revision", 0, 0, G_OPTION_ARG_STRING_ARRAY, &revs, N_("Run a source action at this revision instead of its branch head"), N_("ACTION=REVISION") },
    { "working-tree", 0, 0, G_OPTION_ARG_NONE, &working_tree, N_("Git sources read the working tree (what is not committed yet, minus what git ignores) instead of the branch's commit"), NULL },
    { "stage", 0, 0, G_OPTION_ARG_STRING, &stage, N_("Stop after this stage"), N_("NAME") },
    { "resource", 'r', 0, G_OPTION_ARG_STRING, &resource, N_("Which pipeline of a CloudFormation template"), N_("ID") },
    { "auto-approve", 0, 0, G_OPTION_ARG_NONE, &auto_approve, N_("Approve every manual approval at once"), NULL },
    { "reject-approvals", 0, 0, G_OPTION_ARG_NONE, &reject, N_("Reject every manual approval at once"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the event stream, one JSON event a line"), NULL },
    { NULL }
  };

  context = pw_cli_new_context (_("PIPELINE"),
                                _("Runs one execution of the pipeline on this machine with CodePipeline's "
                                  "semantics, and exits 0 when it Succeeded, 1 when it did not, 2 on bad "
                                  "usage. Manual approvals wait for 'pipewright-cli approve' from another "
                                  "terminal unless --auto-approve or --reject-approvals is given."),
                                entries);
  if (!pw_cli_parse_args (context, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2)
    {
      pw_cli_print_error (_("give exactly one pipeline file (see --help)"));
      return EXIT_USAGE;
    }
  if (auto_approve && reject)
    {
      pw_cli_print_error (_("--auto-approve and --reject-approvals exclude each other"));
      return EXIT_USAGE;
    }
  if (!parse_pairs (vars, "--var", variables) || !parse_pairs (revs, "--source-revision", revisions))
    return EXIT_USAGE;

  pipeline = load_pipeline (argv[1], resource, TRUE, force);
  if (pipeline == NULL)
    return EXIT_USAGE;

  profile = profile_path != NULL ? pw_local_profile_load (profile_path, &error)
                                 : pw_local_profile_load_beside (argv[1], &error);
  if (profile == NULL)
    {
      pw_cli_print_error ("%s", error->message);
      return EXIT_USAGE;
    }

  /* One process runs the pipeline; the others hand it their start. When
   * it leaves without taking ours, one of us becomes the runner. */
  for (;;)
    {
      g_autofree char *dir = NULL;
      int status;

      executor = pw_executor_new (pipeline, argv[1], state_dir, profile, &error);
      if (executor != NULL || !g_error_matches (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_BUSY))
        break;
      g_clear_error (&error);

      dir = state_dir != NULL ? g_strdup (state_dir) : pw_state_default_dir (argv[1]);
      if (working_tree)
        {
          pw_cli_print_error (_("another process (pid %" G_GINT64_FORMAT ") runs this pipeline, and "
                                "--working-tree reads this working tree only when this process "
                                "runs it; run again when it is done"),
                              pw_state_runner_pid (dir));
          return EXIT_USAGE;
        }
      status = run_as_client (dir, pipeline, variables, revisions,
                              auto_approve ? "approve" : reject ? "reject" : "wait", stage, json);
      if (status != CLIENT_BECOME_RUNNER)
        return status;
    }
  if (executor == NULL)
    {
      pw_cli_print_error ("%s", error->message);
      return EXIT_USAGE;
    }

  pw_executor_set_approval_mode (executor, auto_approve ? PW_APPROVAL_AUTO_APPROVE
                                         : reject ? PW_APPROVAL_AUTO_REJECT : PW_APPROVAL_WAIT);
  pw_executor_set_working_tree (executor, working_tree);
  if (stage != NULL && !pw_executor_set_last_stage (executor, stage, &error))
    {
      pw_cli_print_error ("%s", error->message);
      return EXIT_USAGE;
    }
  if (!pw_executor_serve_requests (executor, &error))
    {
      pw_cli_print_error ("%s", error->message);
      return EXIT_USAGE;
    }

  /* The first events come from inside start(): shown too. */
  run_context_init (&ctx, executor, json, auto_approve || reject);
  id = pw_executor_start (executor, variables, revisions, "StartPipelineExecution",
                          "pipewright-cli", &error);
  if (id == NULL)
    {
      run_context_clear (&ctx);
      pw_cli_print_error ("%s", error->message);
      return EXIT_USAGE;
    }

  return drive (&ctx, id);
}

/* Read-only commands ----------------------------------------------------- */

/* A line about an execution, its control characters escaped: names and
 * summaries come from the pipeline and what it ran. */
static void
print_escaped_line (const char *format,
                    ...) G_GNUC_PRINTF (1, 2);

static void
print_escaped_line (const char *format,
                    ...)
{
  g_autofree char *line = NULL;
  g_autofree char *shown = NULL;
  va_list args;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  shown = pw_cli_escape (line, -1);
  printf ("%s\n", shown);
}

/* What an execution does in a stage, from its record: "waits for approval
 * Release/Approve", "runs Build/Compile"; NULL when nothing runs. */
static char *
describe_activity (JsonObject *o)
{
  JsonArray *actions = json_object_get_array_member (o, "actions");

  for (guint a = 0; actions != NULL && a < json_array_get_length (actions); a++)
    {
      JsonObject *ac = json_array_get_object_element (actions, a);
      const char *type = json_object_get_string_member_with_default (ac, "category", NULL);

      if (g_strcmp0 (json_object_get_string_member_with_default (ac, "status", ""), "InProgress") != 0)
        continue;
      if (type == NULL && json_object_has_member (ac, "actionTypeId"))
        type = json_object_get_string_member_with_default (json_object_get_object_member (ac, "actionTypeId"),
                                                           "category", NULL);
      return g_strdup_printf (g_strcmp0 (type, "Approval") == 0 ? _("waits for approval %s/%s") : _("runs %s/%s"),
                              json_object_get_string_member_with_default (ac, "stageName", "?"),
                              json_object_get_string_member_with_default (ac, "actionName", "?"));
    }
  return NULL;
}

/* Why a running execution does not move: the stage it waits to enter
 * (QUEUED mode: one execution in a stage at a time), who holds it, and
 * what that one waits for. NULL when it is not waiting. */
static char *
explain_waiting (const char *state_dir,
                 JsonObject *o)
{
  JsonArray *stages = json_object_get_array_member (o, "stages");
  const char *waiting = NULL;
  g_autoptr(GPtrArray) list = NULL;

  if (state_dir == NULL || g_strcmp0 (json_object_get_string_member_with_default (o, "status", ""), "InProgress") != 0)
    return NULL;
  for (guint s = 1; stages != NULL && s < json_array_get_length (stages); s++)
    {
      JsonObject *before = json_array_get_object_element (stages, s - 1);
      JsonObject *stage = json_array_get_object_element (stages, s);

      if (g_strcmp0 (json_object_get_string_member_with_default (before, "status", ""), "Succeeded") == 0 &&
          g_strcmp0 (json_object_get_string_member_with_default (stage, "status", ""), "NotStarted") == 0)
        {
          waiting = json_object_get_string_member_with_default (stage, "stageName", NULL);
          break;
        }
    }
  if (waiting == NULL || (list = pw_state_list_executions (state_dir, NULL)) == NULL)
    return NULL;

  for (guint i = 0; i < list->len; i++)
    {
      JsonObject *other = json_node_get_object (g_ptr_array_index (list, i));
      JsonArray *other_stages = json_object_get_array_member (other, "stages");

      if (g_strcmp0 (json_object_get_string_member_with_default (other, "pipelineExecutionId", ""),
                     json_object_get_string_member_with_default (o, "pipelineExecutionId", "")) == 0 ||
          g_strcmp0 (json_object_get_string_member_with_default (other, "status", ""), "InProgress") != 0)
        continue;
      for (guint s = 0; other_stages != NULL && s < json_array_get_length (other_stages); s++)
        {
          JsonObject *st = json_array_get_object_element (other_stages, s);
          const char *status = json_object_get_string_member_with_default (st, "status", "");

          if (g_strcmp0 (json_object_get_string_member_with_default (st, "stageName", ""), waiting) == 0 &&
              (g_str_equal (status, "InProgress") || g_str_equal (status, "Stopping")))
            {
              g_autofree char *doing = describe_activity (other);

              return doing != NULL
                ? g_strdup_printf (_("Waiting for stage %s, held by execution %.8s…, which %s"), waiting,
                                   json_object_get_string_member (other, "pipelineExecutionId"), doing)
                : g_strdup_printf (_("Waiting for stage %s, held by execution %.8s…"), waiting,
                                   json_object_get_string_member (other, "pipelineExecutionId"));
            }
        }
    }
  return g_strdup_printf (_("Waiting to enter stage %s: no execution holds it, so its inbound transition is "
                            "disabled or the runner lets it in next"), waiting);
}

static void
print_execution_detail (JsonObject *o,
                        const char *state_dir)
{
  JsonArray *stages = json_object_get_array_member (o, "stages");
  JsonArray *actions = json_object_get_array_member (o, "actions");
  g_autofree char *waiting = explain_waiting (state_dir, o);

  printf ("Execution %s  %s  started %s\n", json_object_get_string_member (o, "pipelineExecutionId"),
          json_object_get_string_member (o, "status"),
          json_object_get_string_member_with_default (o, "startTime", "?"));
  if (json_object_has_member (o, "statusSummary"))
    print_escaped_line ("  %s", json_object_get_string_member (o, "statusSummary"));
  if (waiting != NULL)
    print_escaped_line ("  %s", waiting);

  for (guint s = 0; stages != NULL && s < json_array_get_length (stages); s++)
    {
      JsonObject *st = json_array_get_object_element (stages, s);
      const char *name = json_object_get_string_member (st, "stageName");

      print_escaped_line ("  %-12s %s", json_object_get_string_member (st, "status"), name);
      for (guint a = 0; actions != NULL && a < json_array_get_length (actions); a++)
        {
          JsonObject *ac = json_array_get_object_element (actions, a);

          if (g_strcmp0 (json_object_get_string_member (ac, "stageName"), name) != 0)
            continue;
          print_escaped_line ("    %-10s %s%s%s%s%s", json_object_get_string_member (ac, "status"),
                              json_object_get_string_member (ac, "actionName"),
                              json_object_get_int_member_with_default (ac, "attempt", 1) > 1
                                ? " (retry)" : "",
                              json_object_get_boolean_member_with_default (ac, "simulated", FALSE)
                                ? " (simulated)" : "",
                              json_object_has_member (ac, "summary") ? " — " : "",
                              json_object_get_string_member_with_default (ac, "summary", ""));
          if (json_object_has_member (ac, "report"))
            {
              g_autofree char *report = pw_cli_report_line (json_object_get_member (ac, "report"));

              if (report != NULL)
                print_escaped_line ("               tests: %s", report);
              pw_cli_print_report_failures (stdout, json_object_get_member (ac, "report"), "               ", 0);
            }
        }
    }
}

static char *
require_state_dir (const char *state_dir,
                   const char *pipeline)
{
  char *dir = find_state_dir (state_dir, pipeline);

  if (dir == NULL || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      pw_cli_print_error (_("no .pipewright state folder here or above; give --state-dir DIR or "
                            "--pipeline FILE"));
      g_free (dir);
      return NULL;
    }
  return dir;
}

/* The execution named on the command line (an id or a unique prefix), from
 * the state folder the options point at; says why on stderr if none. */
static JsonNode *
load_execution_arg (const char  *state_opt,
                    const char  *pipeline,
                    const char  *id,
                    char       **state_dir)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  if ((*state_dir = require_state_dir (state_opt, pipeline)) == NULL)
    return NULL;

  /* None given, or `latest`: the newest, as `status` shows by default. */
  if (id == NULL || g_str_equal (id, "latest"))
    {
      g_autoptr(GPtrArray) list = pw_state_list_executions (*state_dir, &error);

      if (list == NULL)
        {
          pw_cli_print_error ("%s", error->message);
          return NULL;
        }
      if (list->len == 0)
        {
          pw_cli_print_error (_("no executions yet in %s"), *state_dir);
          return NULL;
        }
      return json_node_ref (g_ptr_array_index (list, 0));
    }

  node = pw_state_load_execution (*state_dir, id, &error);
  if (node == NULL)
    pw_cli_print_error ("%s", error->message);
  return node;
}

static void
print_status (JsonNode   *record,
              const char *state_dir,
              gboolean    json)
{
  if (json)
    {
      g_autofree char *text = pw_json_emit (record);

      fputs (text, stdout);
      if (text[0] != '\0' && text[strlen (text) - 1] != '\n')
        putchar ('\n');
      return;
    }
  print_execution_detail (json_node_get_object (record), state_dir);
}

int
pw_cli_status (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) unreadable = NULL;
  g_autofree char *state_opt = NULL;
  g_autofree char *pipeline = NULL;
  g_autofree char *state_dir = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the execution's record as JSON (as history --json lists them)"), NULL },
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_opt, N_("The state folder"), N_("DIR") },
    { "pipeline", 'P', 0, G_OPTION_ARG_FILENAME, &pipeline, N_("The pipeline whose state folder to use"), N_("FILE") },
    { NULL }
  };

  context = pw_cli_new_context (_("[EXECUTION]"), _("Shows an execution stage by stage (default: the latest)."), entries);
  if (!pw_cli_parse_args (context, &argc, &argv))
    return EXIT_USAGE;
  if ((state_dir = require_state_dir (state_opt, pipeline)) == NULL)
    return EXIT_USAGE;

  pw_state_recover (state_dir);

  if (argc >= 2 && !g_str_equal (argv[1], "latest"))
    {
      g_autoptr(JsonNode) node = pw_state_load_execution (state_dir, argv[1], &error);

      if (node == NULL)
        {
          pw_cli_print_error ("%s", error->message);
          return EXIT_USAGE;
        }
      print_status (node, state_dir, json);
      return EXIT_OK;
    }

  list = pw_state_list_executions_full (state_dir, &unreadable, &error);
  if (list == NULL)
    {
      pw_cli_print_error ("%s", error->message);
      return EXIT_USAGE;
    }
  for (guint i = 0; i < unreadable->len; i++)
    fprintf (stderr, "pipewright-cli: warning: unreadable execution record: %s\n",
             ((GError *)g_ptr_array_index (unreadable, i))->message);
  if (list->len == 0)
    {
      printf ("%s\n", json ? "null" : _("No executions yet."));
      return EXIT_OK;
    }

  print_status (g_ptr_array_index (list, 0), state_dir, json);
  return EXIT_OK;
}

int
pw_cli_history (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) unreadable = NULL;
  g_autofree char *state_opt = NULL;
  g_autofree char *pipeline = NULL;
  g_autofree char *state_dir = NULL;
  gboolean json = FALSE;
  int limit = 20;
  GOptionEntry entries[] = {
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_opt, N_("The state folder"), N_("DIR") },
    { "pipeline", 'P', 0, G_OPTION_ARG_FILENAME, &pipeline, N_("The pipeline whose state folder to use"), N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the execution records as a JSON array"), NULL },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &limit, N_("At most N executions (default 20; 0 = all)"), N_("N") },
    { NULL }
  };

  context = pw_cli_new_context ("", _("Lists past executions, newest first."), entries);
  if (!pw_cli_parse_args (context, &argc, &argv))
    return EXIT_USAGE;
  if ((state_dir = require_state_dir (state_opt, pipeline)) == NULL)
    return EXIT_USAGE;

  pw_state_recover (state_dir);
  list = pw_state_list_executions_full (state_dir, &unreadable, &error);
  if (list == NULL)
    {
      pw_cli_print_error ("%s", error->message);
      return EXIT_USAGE;
    }

  /* A record that cannot be read is not left out in silence. */
  for (guint i = 0; i < unreadable->len; i++)
    {
      GError *bad = g_ptr_array_index (unreadable, i);

      if (json)
        fprintf (stderr, "pipewright-cli: warning: unreadable execution record: %s\n",
                 bad->message);
      else
        printf ("(unreadable record)  %s\n", bad->message);
    }

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; i < list->len && (limit <= 0 || i < (guint)limit); i++)
        json_builder_add_value (b, json_node_ref (g_ptr_array_index (list, i)));
      json_builder_end_array (b);
      root = json_builder_get_root (b);
      text = pw_json_emit (root);
      fputs (text, stdout);
      return EXIT_OK;
    }

  for (guint i = 0; i < list->len && (limit <= 0 || i < (guint)limit); i++)
    {
      JsonObject *o = json_node_get_object (g_ptr_array_index (list, i));

      print_escaped_line ("%s  %-10s  %s  %s",
                          json_object_get_string_member (o, "pipelineExecutionId"),
                          json_object_get_string_member (o, "status"),
                          json_object_get_string_member_with_default (o, "startTime", "?"),
                          json_object_get_string_member_with_default (o, "statusSummary", ""));
    }
  return EXIT_OK;
}

typedef struct
{
  GMainLoop  *loop;
  char       *state_dir;
  char       *execution_id;
  const char *filter;     /* 'Action' or 'Stage/Action'; NULL: all */
  GPtrArray  *paths;      /* logs followed */
  GPtrArray  *labels;     /* their 'Stage/Action', the lines' prefix */
  GPtrArray  *pending;    /* GString: a line not ended yet */
  GArray     *offsets;
  GPtrArray  *monitors;
  gboolean    prefix;     /* several logs: each line says whose */
  gboolean    raw;        /* as written, control characters and all */
} Follow;

static void follow_changed_cb (GFileMonitor *monitor, GFile *file, GFile *other,
                               GFileMonitorEvent event, gpointer data);

static void
pw_cli_string_free (GString *string)
{
  g_string_free (string, TRUE);
}

static gboolean
is_done (const char *state_dir,
         const char *id)
{
  g_autoptr(JsonNode) node = pw_state_load_execution (state_dir, id, NULL);
  const char *status;

  if (node == NULL)
    return TRUE;
  status = json_object_get_string_member_with_default (json_node_get_object (node), "status", "");
  return !g_str_equal (status, "InProgress") && !g_str_equal (status, "Stopping");
}

/* One line of a log: as written with --raw; otherwise as a person reads
 * it (control characters escaped, so a build cannot drive the terminal
 * of whoever reads it; one timestamp on CodeBuild's lines; paths under
 * the current folder relative), after @prefix. */
static void
print_log_line (const char *line,
                gsize       length,
                const char *prefix,
                gboolean    raw)
{
  g_autofree char *shown = NULL;

  if (prefix != NULL)
    {
      g_autofree char *label = pw_cli_escape (prefix, -1);

      printf ("%s | ", label);
    }
  if (raw)
    {
      fwrite (line, 1, length, stdout);
      fputc ('\n', stdout);
      return;
    }
  shown = pw_cli_log_line (line, length);
  puts (shown);
}

static void
print_log_text (const char *text,
                gsize       length,
                gboolean    raw)
{
  const char *end = text + length;

  for (const char *p = text; p < end;)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *stop = nl != NULL ? nl : end;

      print_log_line (p, stop - p, NULL, raw);
      p = nl != NULL ? nl + 1 : end;
    }
}

static void
follow_add (Follow     *f,
            const char *path,
            const char *label)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GFileMonitor *m;
  gsize zero = 0;

  for (guint i = 0; i < f->paths->len; i++)
    if (g_str_equal (g_ptr_array_index (f->paths, i), path))
      return;
  g_ptr_array_add (f->paths, g_strdup (path));
  g_ptr_array_add (f->labels, g_strdup (label));
  g_ptr_array_add (f->pending, g_string_new (NULL));
  g_array_append_val (f->offsets, zero);
  if ((m = g_file_monitor_file (file, G_FILE_MONITOR_NONE, NULL, NULL)) != NULL)
    {
      g_signal_connect (m, "changed", G_CALLBACK (follow_changed_cb), f);
      g_ptr_array_add (f->monitors, m);
    }
}

/* The logs the record lists now: an action started since is followed too. */
static void
follow_read_record (Follow *f)
{
  g_autoptr(JsonNode) node = pw_state_load_execution (f->state_dir, f->execution_id, NULL);
  JsonArray *actions = node != NULL ? json_object_get_array_member (json_node_get_object (node), "actions") : NULL;

  for (guint i = 0; actions != NULL && i < json_array_get_length (actions); i++)
    {
      JsonObject *a = json_array_get_object_element (actions, i);
      const char *name = json_object_get_string_member_with_default (a, "actionName", "");
      const char *path = json_object_get_string_member_with_default (a, "logPath", NULL);
      g_autofree char *full = g_strdup_printf ("%s/%s", json_object_get_string_member_with_default (a, "stageName", ""),
                                               name);

      if (path == NULL || (f->filter != NULL && !g_str_equal (f->filter, full) && !g_str_equal (f->filter, name)))
        continue;
      follow_add (f, path, full);
    }
}

/* Whole lines only: a line being written is printed once it ends (or
 * when the execution did), so lines of two logs never mix. */
static void
follow_print_new (Follow   *f,
                  gboolean  last)
{
  for (guint i = 0; i < f->paths->len; i++)
    {
      g_autofree char *text = NULL;
      gsize length;
      gsize *offset = &g_array_index (f->offsets, gsize, i);
      GString *pending = g_ptr_array_index (f->pending, i);
      const char *label = f->prefix ? g_ptr_array_index (f->labels, i) : NULL;

      if (g_file_get_contents (g_ptr_array_index (f->paths, i), &text, &length, NULL) && length > *offset)
        {
          g_string_append_len (pending, text + *offset, length - *offset);
          *offset = length;
        }
      for (char *nl; (nl = memchr (pending->str, '\n', pending->len)) != NULL;)
        {
          print_log_line (pending->str, nl - pending->str, label, f->raw);
          g_string_erase (pending, 0, nl - pending->str + 1);
        }
      if (last && pending->len > 0)
        {
          print_log_line (pending->str, pending->len, label, f->raw);
          g_string_truncate (pending, 0);
        }
    }
  fflush (stdout);
}

static void
follow_changed_cb (GFileMonitor      *monitor,
                   GFile             *file,
                   GFile             *other,
                   GFileMonitorEvent  event,
                   gpointer           data)
{
  Follow *f = data;

  follow_read_record (f);
  follow_print_new (f, FALSE);
  if (is_done (f->state_dir, f->execution_id))
    g_main_loop_quit (f->loop);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *)a, *(const char * const *)b);
}

/* The sorted names in @dir. */
static GPtrArray *
list_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_strings);

  return names;
}

/* Prints the logs in logs/EXECUTION/STAGE/ACTION[.N].log that are not in
 * @paths (those the record lists), for @filter ('Action' or
 * 'Stage/Action', or all when NULL), and adds them to @paths. */
static void
print_unrecorded_logs (const char *state_dir,
                       const char *execution_id,
                       const char *filter,
                       gboolean    raw,
                       GPtrArray  *paths)
{
  g_autofree char *logs_dir = g_build_filename (state_dir, "logs", execution_id, NULL);
  g_autoptr(GPtrArray) stages = list_dir (logs_dir);

  for (guint i = 0; i < stages->len; i++)
    {
      const char *stage = g_ptr_array_index (stages, i);
      g_autofree char *stage_dir = g_build_filename (logs_dir, stage, NULL);
      g_autoptr(GPtrArray) files = list_dir (stage_dir);

      for (guint j = 0; j < files->len; j++)
        {
          const char *file = g_ptr_array_index (files, j);
          g_autofree char *path = g_build_filename (stage_dir, file, NULL);
          g_autofree char *action = NULL;
          g_autofree char *full = NULL;
          g_autofree char *text = NULL;
          const char *dot;
          guint64 attempt = 1;
          gsize length;
          gboolean listed = FALSE;

          if (!g_str_has_suffix (file, ".log"))
            continue;
          action = g_strndup (file, strlen (file) - strlen (".log"));
          /* Action.2.log: the second attempt (a `.` in a name is %2E). */
          dot = strrchr (action, '.');
          if (dot != NULL && dot[1] != '\0' && strspn (dot + 1, "0123456789") == strlen (dot + 1))
            {
              attempt = g_ascii_strtoull (dot + 1, NULL, 10);
              action[dot - action] = '\0';
            }
          {
            g_autofree char *stage_name = pw_state_decode_name (stage);
            g_autofree char *action_name = pw_state_decode_name (action);

            full = g_strdup_printf ("%s/%s", stage_name, action_name);
            g_free (action);
            action = g_steal_pointer (&action_name);
          }

          for (guint k = 0; k < paths->len && !listed; k++)
            listed = g_str_equal (g_ptr_array_index (paths, k), path);
          if (listed || (filter != NULL && !g_str_equal (filter, full) && !g_str_equal (filter, action)))
            continue;

          {
            g_autofree char *shown = pw_cli_escape (full, -1);

            printf ("==> %s (attempt %" G_GUINT64_FORMAT ", not in the execution's record: "
                    "the run was interrupted) <==\n", shown, attempt);
          }
          if (g_file_get_contents (path, &text, &length, NULL))
            print_log_text (text, length, raw);
          g_ptr_array_add (paths, g_steal_pointer (&path));
        }
    }
}

/* `Action` or `Stage/Action`, in the characters names have. */
static gboolean
looks_like_action (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, "/", -1);
  guint n = g_strv_length (parts);

  if (n < 1 || n > 2)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      if (parts[i][0] == '\0' || g_str_equal (parts[i], ".") || g_str_equal (parts[i], ".."))
        return FALSE;
      for (const char *c = parts[i]; *c != '\0'; c++)
        if (!g_ascii_isalnum (*c) && strchr ("._-@", *c) == NULL)
          return FALSE;
    }
  return TRUE;
}

/* [EXECUTION] [ACTION] of logs and reports: the execution's record (the
 * latest by default), and the action asked for, or NULL (said why). One
 * word that is no execution id but could be an action's name is the
 * action, of the latest (anything else is said not to be an id). */
static JsonNode *
load_execution_and_action (int          argc,
                           char       **argv,
                           const char  *state_opt,
                           const char  *pipeline,
                           const char **action_arg,
                           char       **state_dir)
{
  const char *exec_arg;

  if (argc > 3)
    {
      pw_cli_print_error (_("give an execution id, and optionally an action (see --help)"));
      return NULL;
    }
  exec_arg = argc >= 2 ? argv[1] : NULL;
  *action_arg = argc == 3 ? argv[2] : NULL;
  if (argc == 2 && !g_str_equal (argv[1], "latest") && !pw_state_is_execution_id (argv[1], TRUE) &&
      looks_like_action (argv[1]))
    {
      *action_arg = argv[1];
      exec_arg = NULL;
    }
  return load_execution_arg (state_opt, pipeline, exec_arg, state_dir);
}

int
pw_cli_logs (int    argc,
             char **argv)
{
  const char *action_arg = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *state_opt = NULL;
  g_autofree char *pipeline = NULL;
  g_autofree char *state_dir = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  gboolean follow = FALSE;
  gboolean raw = FALSE;
  JsonArray *actions;
  GOptionEntry entries[] = {
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_opt, N_("The state folder"), N_("DIR") },
    { "pipeline", 'P', 0, G_OPTION_ARG_FILENAME, &pipeline, N_("The pipeline whose state folder to use"), N_("FILE") },
    { "follow", 'f', 0, G_OPTION_ARG_NONE, &follow, N_("Keep printing new lines until the execution ends"), NULL },
    { "raw", 0, 0, G_OPTION_ARG_NONE, &raw, N_("Print control characters (colours, escapes) as the actions wrote them, not escaped as \\xNN"), NULL },
    { NULL }
  };

  context = pw_cli_new_context (_("[EXECUTION] [ACTION]"),
                                _("Prints the logs of an execution's actions (ACTION is 'Action' or "
                                  "'Stage/Action'), with their timestamps. EXECUTION is an id, its "
                                  "first characters, or 'latest' (the default)."), entries);
  if (!pw_cli_parse_args (context, &argc, &argv))
    return EXIT_USAGE;
  if ((node = load_execution_and_action (argc, argv, state_opt, pipeline, &action_arg, &state_dir)) == NULL)
    return EXIT_USAGE;

  actions = json_object_get_array_member (json_node_get_object (node), "actions");
  for (guint i = 0; actions != NULL && i < json_array_get_length (actions); i++)
    {
      JsonObject *a = json_array_get_object_element (actions, i);
      g_autofree char *full = g_strdup_printf ("%s/%s", json_object_get_string_member (a, "stageName"),
                                               json_object_get_string_member (a, "actionName"));
      const char *path = json_object_get_string_member_with_default (a, "logPath", NULL);

      if (action_arg != NULL && !g_str_equal (action_arg, full) &&
          !g_str_equal (action_arg, json_object_get_string_member (a, "actionName")))
        continue;
      if (path == NULL)
        continue;

      if (!follow)
        {
          g_autofree char *text = NULL;
          g_autofree char *shown = pw_cli_escape (full, -1);
          gsize length;

          printf ("==> %s (attempt %" G_GINT64_FORMAT ", %s) <==\n", shown,
                  json_object_get_int_member_with_default (a, "attempt", 1),
                  json_object_get_string_member (a, "status"));
          if (g_file_get_contents (path, &text, &length, NULL))
            print_log_text (text, length, raw);
        }
      g_ptr_array_add (paths, g_strdup (path));
    }

  /* A run killed between two records of its execution leaves logs the
   * record does not list yet: they are in the log folder all the same. */
  if (!follow)
    print_unrecorded_logs (state_dir,
                           json_object_get_string_member (json_node_get_object (node),
                                                          "pipelineExecutionId"),
                           action_arg, raw, paths);

  /* What the profile's event targets did not take (pipewright-net's
   * deliver-events writes it). */
  if (!follow && action_arg == NULL)
    {
      g_autofree char *targets = g_build_filename (state_dir, "logs",
                                                   json_object_get_string_member (json_node_get_object (node),
                                                                                  "pipelineExecutionId"),
                                                   "event-targets.log", NULL);
      g_autofree char *text = NULL;
      gsize length;

      if (g_file_get_contents (targets, &text, &length, NULL))
        {
          printf ("==> %s <==\n", _("Event targets"));
          print_log_text (text, length, raw);
        }
    }

  if (action_arg != NULL && paths->len == 0 && !follow)
    {
      g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
      g_auto(GStrv) all = NULL;
      const char *meant;

      for (guint i = 0; actions != NULL && i < json_array_get_length (actions); i++)
        {
          JsonObject *a = json_array_get_object_element (actions, i);
          g_autofree char *full = g_strdup_printf ("%s/%s", json_object_get_string_member (a, "stageName"),
                                                   json_object_get_string_member (a, "actionName"));

          g_strv_builder_add (names, full);
        }
      all = g_strv_builder_end (names);
      meant = pw_suggest_word (action_arg, (const char * const *)all);
      if (meant == NULL)
        for (guint i = 0; all[i] != NULL && meant == NULL; i++)
          if (pw_suggest_word (action_arg, (const char * const[]) { strchr (all[i], '/') + 1, NULL }) != NULL)
            meant = all[i];
      if (meant != NULL)
        pw_cli_print_error (_("no action '%s' has a log in execution %s; did you mean '%s'?"), action_arg,
                            json_object_get_string_member (json_node_get_object (node), "pipelineExecutionId"),
                            meant);
      else
        pw_cli_print_error (_("no action '%s' has a log in execution %s"), action_arg,
                            json_object_get_string_member (json_node_get_object (node), "pipelineExecutionId"));
      return EXIT_USAGE;
    }

  if (follow)
    {
      Follow f = { 0 };
      g_autofree char *record = pw_state_execution_path (state_dir,
        json_object_get_string_member (json_node_get_object (node), "pipelineExecutionId"));

      f.loop = g_main_loop_new (NULL, FALSE);
      f.state_dir = state_dir;
      f.execution_id = (char *)json_object_get_string_member (json_node_get_object (node), "pipelineExecutionId");
      f.filter = action_arg;
      /* Several actions' lines interleave as they come: each says whose. */
      f.prefix = action_arg == NULL;
      f.raw = raw;
      f.paths = g_ptr_array_new_with_free_func (g_free);
      f.labels = g_ptr_array_new_with_free_func (g_free);
      f.pending = g_ptr_array_new_with_free_func ((GDestroyNotify)pw_cli_string_free);
      f.offsets = g_array_new (FALSE, TRUE, sizeof (gsize));
      f.monitors = g_ptr_array_new_with_free_func (g_object_unref);

      /* Watch the record (new actions, the end) and every log file. */
      {
        g_autoptr(GFile) rf = g_file_new_for_path (record);
        GFileMonitor *m = g_file_monitor_file (rf, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);

        if (m != NULL)
          {
            g_signal_connect (m, "changed", G_CALLBACK (follow_changed_cb), &f);
            g_ptr_array_add (f.monitors, m);
          }
      }
      follow_read_record (&f);
      follow_print_new (&f, FALSE);
      if (!is_done (state_dir, f.execution_id))
        g_main_loop_run (f.loop);
      follow_read_record (&f);
      follow_print_new (&f, TRUE);
      for (guint i = 0; i < f.monitors->len; i++)
        g_signal_handlers_disconnect_by_data (g_ptr_array_index (f.monitors, i), &f);
      g_ptr_array_unref (f.monitors);
      g_ptr_array_unref (f.paths);
      g_ptr_array_unref (f.labels);
      g_ptr_array_unref (f.pending);
      g_array_unref (f.offsets);
      g_main_loop_unref (f.loop);
    }

  return EXIT_OK;
}

/* Why @stage/@action of an execution no process runs is not waiting for
 * approval, from its record; NULL when the record does not say. */
static char *
explain_not_waiting (const char *state_dir,
                     const char *execution,
                     const char *stage,
                     const char *action)
{
  g_autoptr(JsonNode) record = pw_state_load_execution (state_dir, execution, NULL);
  JsonArray *actions;

  if (record == NULL || !JSON_NODE_HOLDS_OBJECT (record) ||
      (actions = json_object_get_array_member (json_node_get_object (record), "actions")) == NULL)
    return NULL;

  for (guint i = json_array_get_length (actions); i > 0; i--)
    {
      JsonNode *element = json_array_get_element (actions, i - 1);
      JsonObject *a = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      const char *status, *summary;

      if (a == NULL ||
          g_strcmp0 (json_object_get_string_member_with_default (a, "stageName", NULL), stage) != 0 ||
          g_strcmp0 (json_object_get_string_member_with_default (a, "actionName", NULL), action) != 0)
        continue;

      status = json_object_get_string_member_with_default (a, "status", "?");
      summary = json_object_get_string_member_with_default (a, "summary", NULL);
      return summary != NULL
        ? g_strdup_printf ("%s/%s is not waiting for approval (it is %s: %s)", stage, action,
                           status, summary)
        : g_strdup_printf ("%s/%s is not waiting for approval (it is %s)", stage, action, status);
    }

  return NULL;
}

/* An execution id from the command line: a UUID or its start, never a
 * path. Says so and returns FALSE otherwise. */
static gboolean
execution_arg_ok (const char *id)
{
  g_autofree char *shown = NULL;

  if (pw_state_is_execution_id (id, TRUE))
    return TRUE;

  shown = g_strescape (id, NULL);
  pw_cli_print_error (_("'%s' is not an execution id: ids are UUIDs such as "
                        "3f2a8c1e-9b4d-4e2f-8a6b-0c1d2e3f4a5b (or their first characters); "
                        "`pipewright-cli history` lists them"), shown);
  return FALSE;
}

/* "latest" as the newest execution's id; any other word checked as an id
 * (or its first characters). NULL, having said why, when it is neither. */
static char *
resolve_execution_arg (const char *state_dir,
                       const char *arg)
{
  if (g_str_equal (arg, "latest"))
    {
      g_autoptr(GPtrArray) list = pw_state_list_executions (state_dir, NULL);

      if (list == NULL || list->len == 0)
        {
          pw_cli_print_error (_("no executions yet in %s"), state_dir);
          return NULL;
        }
      return g_strdup (json_object_get_string_member (json_node_get_object (g_ptr_array_index (list, 0)),
                                                      "pipelineExecutionId"));
    }
  if (!execution_arg_ok (arg))
    return NULL;
  return g_strdup (arg);
}

static int
send_request (const char *op,
              const char *state_opt,
              const char *pipeline,
              const char *execution,
              const char *stage,
              const char *action,
              const char *summary)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) request = json_object_new ();
  g_autofree char *state_dir = NULL;
  g_autofree char *resolved = NULL;
  const char *user = g_get_user_name ();

  if ((state_dir = require_state_dir (state_opt, pipeline)) == NULL)
    return EXIT_USAGE;
  if ((resolved = resolve_execution_arg (state_dir, execution)) == NULL)
    return EXIT_USAGE;
  execution = resolved;

  json_object_set_string_member (request, "op", op);
  json_object_set_string_member (request, "executionId", execution);
  if (stage != NULL)
    json_object_set_string_member (request, "stage", stage);
  if (action != NULL)
    json_object_set_string_member (request, "action", action);
  if (summary != NULL)
    json_object_set_string_member (request, "summary", summary);
  json_object_set_string_member (request, "by", user);

  if (!pw_state_send_request (state_dir, request, 30000, &error))
    {
      g_autofree char *why = NULL;

      /* No runner: the execution ended (the approval timed out, or was
       * decided); its record says how, which is the answer. */
      if (g_error_matches (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_RUNNER_LEFT) &&
          stage != NULL && action != NULL &&
          (why = explain_not_waiting (state_dir, execution, stage, action)) != NULL)
        pw_cli_print_error ("%s", why);
      else
        pw_cli_print_error ("%s", error->message);
      return EXIT_FINDINGS;
    }

  /* What was done, said: the runner took the request. */
  if (g_str_equal (op, "approve"))
    printf (_("Approved %s/%s of execution %s\n"), stage, action, execution);
  else if (g_str_equal (op, "reject"))
    printf (_("Rejected %s/%s of execution %s\n"), stage, action, execution);
  else if (g_str_equal (op, "abandon"))
    printf (_("Stopping execution %s, abandoning its running actions\n"), execution);
  else if (g_str_equal (op, "stop"))
    printf (_("Stopping execution %s once its running actions end\n"), execution);
  return EXIT_OK;
}

static int
decide (int         argc,
        char      **argv,
        const char *op)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *state_opt = NULL;
  g_autofree char *pipeline = NULL;
  g_autofree char *summary = NULL;
  GOptionEntry entries[] = {
    { "summary", 's', 0, G_OPTION_ARG_STRING, &summary, N_("A comment for the record"), N_("TEXT") },
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_opt, N_("The state folder"), N_("DIR") },
    { "pipeline", 'P', 0, G_OPTION_ARG_FILENAME, &pipeline, N_("The pipeline whose state folder to use"), N_("FILE") },
    { NULL }
  };

  context = pw_cli_new_context (_("EXECUTION STAGE ACTION"),
                                g_str_equal (op, "approve")
                                  ? _("Approves a manual approval that a running execution waits for. "
                                      "EXECUTION is an id, its first characters, or 'latest'.")
                                  : _("Rejects a manual approval that a running execution waits for; the "
                                      "action and its stage fail. EXECUTION is an id, its first characters, "
                                      "or 'latest'."),
                                entries);
  if (!pw_cli_parse_args (context, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 4)
    {
      pw_cli_print_error (_("give EXECUTION STAGE ACTION (see --help)"));
      return EXIT_USAGE;
    }

  return send_request (op, state_opt, pipeline, argv[1], argv[2], argv[3], summary);
}

int
pw_cli_approve (int    argc,
                char **argv)
{
  return decide (argc, argv, "approve");
}

int
pw_cli_reject (int    argc,
               char **argv)
{
  return decide (argc, argv, "reject");
}

int
pw_cli_stop (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *state_opt = NULL;
  g_autofree char *pipeline = NULL;
  g_autofree char *reason = NULL;
  gboolean abandon = FALSE;
  GOptionEntry entries[] = {
    { "abandon", 0, 0, G_OPTION_ARG_NONE, &abandon, N_("Abandon running actions instead of waiting for them"), NULL },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, N_("Why, for the record"), N_("TEXT") },
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_opt, N_("The state folder"), N_("DIR") },
    { "pipeline", 'P', 0, G_OPTION_ARG_FILENAME, &pipeline, N_("The pipeline whose state folder to use"), N_("FILE") },
    { NULL }
  };

  context = pw_cli_new_context (_("EXECUTION"),
                                _("Stops a running execution: by default its running actions finish and "
                                  "nothing new starts (stop and wait); with --abandon they are abandoned. "
                                  "EXECUTION is an id, its first characters, or 'latest'."),
                                entries);
  if (!pw_cli_parse_args (context, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2)
    {
      pw_cli_print_error (_("give the execution id (see --help)"));
      return EXIT_USAGE;
    }

  return send_request (abandon ? "abandon" : "stop", state_opt, pipeline, argv[1], NULL, NULL, reason);
}

/* A retry runs the revisions the execution started with, as CodePipeline's
 * does; when a git source's branch has moved on since, that is said, with
 * how to run the new commit. */
static void
note_branch_moved (JsonObject *record,
                   const char *pipeline_file)
{
  g_autoptr(PwPipeline) pipeline = NULL;
  g_autoptr(PwLocalProfile) profile = NULL;
  g_autofree char *dir = NULL;
  JsonArray *revisions = json_object_get_array_member (record, "artifactRevisions");

  if (revisions == NULL || pipeline_file == NULL ||
      (pipeline = load_pipeline (pipeline_file, NULL, FALSE, TRUE)) == NULL)
    return;
  profile = pw_local_profile_load_beside (pipeline_file, NULL);
  dir = g_path_get_dirname (pipeline_file);

  for (guint r = 0; r < json_array_get_length (revisions); r++)
    {
      JsonObject *revision = json_array_get_object_element (revisions, r);
      const char *name = json_object_get_string_member_with_default (revision, "actionName", "");
      const char *commit = json_object_get_string_member_with_default (revision, "revisionId", "");

      for (guint s = 0; s < pw_pipeline_get_n_stages (pipeline); s++)
        for (guint a = 0; a < pw_stage_get_n_actions (pw_pipeline_get_stage (pipeline, s)); a++)
          {
            PwAction *action = pw_stage_get_action (pw_pipeline_get_stage (pipeline, s), a);
            const char *provider = pw_action_get_provider (action);
            const char *branch, *repository;
            g_autofree char *repo_dir = NULL;
            g_autofree char *head = NULL;
            g_autofree char *ref = NULL;
            g_autoptr(GSubprocess) git = NULL;

            if (g_strcmp0 (pw_action_get_name (action), name) != 0 ||
                g_strcmp0 (pw_action_get_category (action), "Source") != 0 ||
                (g_strcmp0 (provider, "CodeCommit") != 0 && g_strcmp0 (provider, "CodeStarSourceConnection") != 0 &&
                 g_strcmp0 (provider, "GitHub") != 0))
              continue;
            branch = profile != NULL ? pw_local_profile_get_string (profile, "sources", name, "branch") : NULL;
            if (branch == NULL)
              branch = pw_action_get_configuration_string (action, g_str_equal (provider, "GitHub") ? "Branch" : "BranchName");
            repository = profile != NULL ? pw_local_profile_get_string (profile, "sources", name, "repository") : NULL;
            repo_dir = repository != NULL ? pw_local_profile_resolve_path (profile, repository) : g_strdup (dir);
            if (branch == NULL || branch[0] == '-')
              continue;
            ref = g_strdup_printf ("refs/heads/%s", branch);
            git = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, NULL,
                                    "git", "-C", repo_dir, "rev-parse", "--verify", "-q", ref, NULL);
            if (git == NULL || !g_subprocess_communicate_utf8 (git, NULL, NULL, &head, NULL, NULL) ||
                !g_subprocess_get_successful (git) || head == NULL)
              continue;
            g_strstrip (head);
            if (*head != '\0' && *commit != '\0' && !g_str_equal (head, commit))
              fprintf (stderr, _("Note: branch %s has moved since this execution's revision %.7s (it is at "
                                 "%.7s now). The retry runs %.7s, as CodePipeline's does; to run the new "
                                 "commit, start an execution: pipewright-cli run %s\n"),
                       branch, commit, head, commit, pipeline_file);
          }
    }
}

/* An executor of the pipeline @file on @state_dir, to take over what no
 * process runs any more (retry, rollback); NULL, said, when it cannot. */
static PwExecutor *
take_over (const char     *file,
           const char     *state_dir,
           PwApprovalMode  mode)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwPipeline) pipeline = load_pipeline (file, NULL, FALSE, TRUE);
  g_autoptr(PwLocalProfile) profile = NULL;
  PwExecutor *executor;

  if (pipeline == NULL)
    return NULL;
  profile = pw_local_profile_load_beside (file, &error);
  if (profile == NULL || (executor = pw_executor_new (pipeline, file, state_dir, profile, &error)) == NULL)
    {
      pw_cli_print_error ("%s", error->message);
      return NULL;
    }
  pw_executor_set_approval_mode (executor, mode);
  return executor;
}

int
pw_cli_retry (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(PwExecutor) executor = NULL;
  RunContext ctx = { 0 };
  g_autofree char *state_opt = NULL;
  g_autofree char *pipeline = NULL;
  g_autofree char *state_dir = NULL;
  g_autofree char *exec_id = NULL;
  gboolean all = FALSE, json = FALSE, auto_approve = FALSE, reject = FALSE;
  const char *file;
  const char *id;
  GOptionEntry entries[] = {
    { "all-actions", 0, 0, G_OPTION_ARG_NONE, &all, N_("Rerun every action of the stage, not only the failed ones"), NULL },
    { "auto-approve", 0, 0, G_OPTION_ARG_NONE, &auto_approve, N_("Approve every manual approval at once"), NULL },
    { "reject-approvals", 0, 0, G_OPTION_ARG_NONE, &reject, N_("Reject every manual approval at once"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the event stream, one JSON event a line"), NULL },
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_opt, N_("The state folder"), N_("DIR") },
    { "pipeline", 'P', 0, G_OPTION_ARG_FILENAME, &pipeline, N_("The pipeline file (default: the one the execution ran)"), N_("FILE") },
    { NULL }
  };

  context = pw_cli_new_context (_("EXECUTION STAGE"),
                                _("Retries the stage an execution failed or stopped in, with the artifacts "
                                  "and variables of that execution, and carries on to its end. If the "
                                  "process that ran it is still running, it does the retry; otherwise "
                                  "this command takes over the execution. As in CodePipeline, the retry "
                                  "runs the source revisions the execution started with, not newer "
                                  "commits (start a new execution with run for those). EXECUTION is an "
                                  "id, its first characters, or 'latest'."),
                                entries);
  if (!pw_cli_parse_args (context, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 3)
    {
      pw_cli_print_error (_("give EXECUTION STAGE (see --help)"));
      return EXIT_USAGE;
    }
  if (auto_approve && reject)
    {
      pw_cli_print_error (_("--auto-approve and --reject-approvals exclude each other"));
      return EXIT_USAGE;
    }
  if ((state_dir = require_state_dir (state_opt, pipeline)) == NULL)
    return EXIT_USAGE;
  if ((exec_id = resolve_execution_arg (state_dir, argv[1])) == NULL)
    return EXIT_USAGE;

  /* A live runner that holds the execution does it. */
  if (pw_state_runner_alive (state_dir))
    {
      g_autoptr(JsonObject) request = json_object_new ();

      json_object_set_string_member (request, "op", all ? "retry-all" : "retry");
      json_object_set_string_member (request, "executionId", exec_id);
      json_object_set_string_member (request, "stage", argv[2]);
      if (pw_state_send_request (state_dir, request, 30000, &error))
        {
          g_autoptr(JsonNode) record = pw_state_load_execution (state_dir, exec_id, NULL);

          if (record != NULL)
            note_branch_moved (json_node_get_object (record),
                               pipeline != NULL ? pipeline
                               : json_object_get_string_member_with_default (json_node_get_object (record),
                                                                             "pipelineFile", NULL));
          if (auto_approve || reject)
            fprintf (stderr, _("The process that runs this pipeline (pid %" G_GINT64_FORMAT ") retries "
                               "it, and decides its approvals as it was started to\n"),
                     pw_state_runner_pid (state_dir));
          return EXIT_OK;
        }
      if (!g_error_matches (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_NOT_FOUND) &&
          !g_error_matches (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_RUNNER_LEFT) &&
          strstr (error->message, "is running here") == NULL)
        {
          pw_cli_print_error ("%s", error->message);
          return EXIT_FINDINGS;
        }
      g_clear_error (&error);
    }

  node = pw_state_load_execution (state_dir, exec_id, &error);
  if (node == NULL)
    {
      pw_cli_print_error ("%s", error->message);
      return EXIT_USAGE;
    }
  id = json_object_get_string_member (json_node_get_object (node), "pipelineExecutionId");
  file = pipeline != NULL ? pipeline
       : json_object_get_string_member_with_default (json_node_get_object (node), "pipelineFile", NULL);
  if (file == NULL)
    {
      pw_cli_print_error (_("the record does not say which pipeline file ran; give --pipeline FILE"));
      return EXIT_USAGE;
    }

  /* The mode before the execution is loaded: it takes the one it is
   * loaded with. */
  executor = take_over (file, state_dir, auto_approve ? PW_APPROVAL_AUTO_APPROVE
                                         : reject ? PW_APPROVAL_AUTO_REJECT : PW_APPROVAL_WAIT);
  if (executor == NULL)
    return EXIT_USAGE;
  if (!pw_executor_serve_requests (executor, &error) ||
      !pw_executor_load_execution (executor, id, &error))
    {
      pw_cli_print_error ("%s", error->message);
      /* An execution that cannot be retried is a finding, not bad usage. */
      return g_error_matches (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE) ? EXIT_FINDINGS : EXIT_USAGE;
    }

  run_context_init (&ctx, executor, json, auto_approve || reject);
  if (!pw_executor_retry (executor, id, argv[2], all, &error))
    {
      run_context_clear (&ctx);
      pw_cli_print_error ("%s", error->message);
      return EXIT_FINDINGS;
    }
  note_branch_moved (json_node_get_object (node), file);

  return drive (&ctx, id);
}

/* rollback ----------------------------------------------------------------- */

int
pw_cli_rollback (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PwExecutor) executor = NULL;
  g_autoptr(GPtrArray) records = NULL;
  RunContext ctx = { 0 };
  g_autofree char *state_opt = NULL;
  g_autofree char *pipeline = NULL;
  g_autofree char *state_dir = NULL;
  g_autofree char *target = NULL;
  g_autofree char *target_arg = NULL;
  g_autofree char *started = NULL;
  g_autofree char *file = NULL;
  const char *user = g_get_user_name ();
  gboolean json = FALSE, auto_approve = FALSE;
  GOptionEntry entries[] = {
    { "to", 0, 0, G_OPTION_ARG_STRING, &target_arg, N_("The execution to roll back to (default: the newest that succeeded in the stage)"), N_("EXECUTION") },
    { "auto-approve", 0, 0, G_OPTION_ARG_NONE, &auto_approve, N_("Approve every manual approval at once"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the event stream, one JSON event a line"), NULL },
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_opt, N_("The state folder"), N_("DIR") },
    { "pipeline", 'P', 0, G_OPTION_ARG_FILENAME, &pipeline, N_("The pipeline file (default: the one the target execution ran)"), N_("FILE") },
    { NULL }
  };

  context = pw_cli_new_context (_("STAGE"),
                                _("Rolls STAGE back, as CodePipeline's RollbackStage does: a new execution "
                                  "of type ROLLBACK runs the stage again with the artifacts and variables "
                                  "of an earlier execution that succeeded in it (--to, or the newest such "
                                  "one of the pipeline's current version). Not for the first stage, nor "
                                  "for pipelines in PARALLEL mode. If a process runs the pipeline, it runs "
                                  "the rollback; otherwise this command does, to its end."),
                                entries);
  if (!pw_cli_parse_args (context, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2)
    {
      pw_cli_print_error (_("give the STAGE to roll back (see --help)"));
      return EXIT_USAGE;
    }
  if ((state_dir = require_state_dir (state_opt, pipeline)) == NULL)
    return EXIT_USAGE;
  if (target_arg != NULL && (target = resolve_execution_arg (state_dir, target_arg)) == NULL)
    return EXIT_USAGE;

  /* A live runner does it. */
  if (pw_state_runner_alive (state_dir))
    {
      g_autoptr(JsonObject) request = json_object_new ();
      g_autoptr(JsonNode) reply = NULL;

      json_object_set_string_member (request, "op", "rollback");
      json_object_set_string_member (request, "stage", argv[1]);
      if (target != NULL)
        json_object_set_string_member (request, "targetExecutionId", target);
      json_object_set_string_member (request, "by", user);
      if (pw_state_send_request_full (state_dir, request, 30000, &reply, &error))
        {
          const char *id = json_object_get_string_member_with_default (json_node_get_object (reply),
                                                                       "executionId", "");

          if (json)
            printf ("{\"pipelineExecutionId\": \"%s\", \"executionType\": \"ROLLBACK\"}\n", id);
          else
            printf (_("Rolling back stage %s: execution %s runs in the process that runs this pipeline "
                      "(pid %" G_GINT64_FORMAT ")\n"), argv[1], id, pw_state_runner_pid (state_dir));
          return EXIT_OK;
        }
      if (!g_error_matches (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_RUNNER_LEFT))
        {
          pw_cli_print_error ("%s", error->message);
          return EXIT_FINDINGS;
        }
      g_clear_error (&error);
    }

  /* The pipeline file: given, or the one the target (or the newest
   * execution) ran. */
  if (pipeline != NULL)
    file = g_strdup (pipeline);
  else
    {
      g_autoptr(JsonNode) record = target != NULL ? pw_state_load_execution (state_dir, target, NULL) : NULL;

      records = record == NULL ? pw_state_list_executions (state_dir, NULL) : NULL;
      if (record == NULL && records != NULL && records->len > 0)
        record = json_node_ref (g_ptr_array_index (records, 0));
      if (record != NULL)
        file = g_strdup (json_object_get_string_member_with_default (json_node_get_object (record),
                                                                     "pipelineFile", NULL));
    }
  if (file == NULL)
    {
      pw_cli_print_error (_("no record says which pipeline file ran; give --pipeline FILE"));
      return EXIT_USAGE;
    }

  executor = take_over (file, state_dir, auto_approve ? PW_APPROVAL_AUTO_APPROVE : PW_APPROVAL_WAIT);
  if (executor == NULL)
    return EXIT_USAGE;
  if (!pw_executor_serve_requests (executor, &error))
    {
      pw_cli_print_error ("%s", error->message);
      return EXIT_USAGE;
    }

  run_context_init (&ctx, executor, json, auto_approve);
  started = pw_executor_rollback (executor, argv[1], target, user, &error);
  if (started == NULL)
    {
      run_context_clear (&ctx);
      pw_cli_print_error ("%s", error->message);
      return g_error_matches (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_NOT_FOUND) &&
             g_str_has_prefix (error->message, "The pipeline has no stage") ? EXIT_USAGE : EXIT_FINDINGS;
    }
  return drive (&ctx, started);
}

/* reports ------------------------------------------------------------------ */

int
pw_cli_reports (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *state_opt = NULL;
  g_autofree char *pipeline = NULL;
  g_autofree char *state_dir = NULL;
  const char *action_arg = NULL;
  JsonArray *actions;
  guint shown = 0;
  GOptionEntry entries[] = {
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_opt, N_("The state folder"), N_("DIR") },
    { "pipeline", 'P', 0, G_OPTION_ARG_FILENAME, &pipeline, N_("The pipeline whose state folder to use"), N_("FILE") },
    { NULL }
  };

  context = pw_cli_new_context (_("[EXECUTION] [ACTION]"),
                                _("Prints the test reports of an execution's CodeBuild actions (the "
                                  "buildspec's reports, JUnit XML): each report group's counts and "
                                  "time, every failing test with its whole message, and the report "
                                  "files read. EXECUTION is an id, its first characters, or 'latest' "
                                  "(the default); ACTION is 'Action' or 'Stage/Action'."), entries);
  if (!pw_cli_parse_args (context, &argc, &argv))
    return EXIT_USAGE;
  if ((node = load_execution_and_action (argc, argv, state_opt, pipeline, &action_arg, &state_dir)) == NULL)
    return EXIT_USAGE;

  actions = json_object_get_array_member (json_node_get_object (node), "actions");
  for (guint i = 0; actions != NULL && i < json_array_get_length (actions); i++)
    {
      JsonObject *a = json_array_get_object_element (actions, i);
      const char *name = json_object_get_string_member_with_default (a, "actionName", "");
      g_autofree char *full = g_strdup_printf ("%s/%s", json_object_get_string_member_with_default (a, "stageName", ""),
                                               name);
      JsonNode *report = json_object_get_member (a, "report");
      JsonArray *groups;

      if (report == NULL || !JSON_NODE_HOLDS_OBJECT (report) ||
          (action_arg != NULL && !g_str_equal (action_arg, full) && !g_str_equal (action_arg, name)))
        continue;
      groups = json_object_get_array_member (json_node_get_object (report), "groups");
      print_escaped_line ("==> %s (attempt %" G_GINT64_FORMAT ", %s) <==", full,
                          json_object_get_int_member_with_default (a, "attempt", 1),
                          json_object_get_string_member_with_default (a, "status", "?"));
      for (guint g = 0; groups != NULL && g < json_array_get_length (groups); g++)
        {
          JsonObject *group = json_array_get_object_element (groups, g);
          JsonArray *files = json_object_get_array_member (group, "files");
          g_autoptr(JsonNode) one = json_node_new (JSON_NODE_OBJECT);
          g_autoptr(JsonObject) only = json_object_new ();
          g_autoptr(JsonArray) single = json_array_new ();

          print_escaped_line ("%s: %" G_GINT64_FORMAT " passed, %" G_GINT64_FORMAT " failed, %"
                              G_GINT64_FORMAT " skipped, %.2f s",
                              json_object_get_string_member_with_default (group, "name", "?"),
                              json_object_get_int_member_with_default (group, "passed", 0),
                              json_object_get_int_member_with_default (group, "failed", 0),
                              json_object_get_int_member_with_default (group, "skipped", 0),
                              json_object_get_double_member_with_default (group, "seconds", 0));
          json_array_add_object_element (single, json_object_ref (group));
          json_object_set_array_member (only, "groups", json_array_ref (single));
          json_node_set_object (one, only);
          pw_cli_print_report_failures (stdout, one, "  ", 0);
          for (guint f = 0; files != NULL && f < json_array_get_length (files); f++)
            {
              g_autofree char *file = pw_cli_log_line (json_array_get_string_element (files, f), -1);

              printf ("  file: %s\n", file);
            }
        }
      shown++;
    }

  if (shown == 0)
    {
      if (action_arg != NULL)
        pw_cli_print_error (_("action '%s' has no test report in execution %s"), action_arg,
                            json_object_get_string_member (json_node_get_object (node), "pipelineExecutionId"));
      else
        printf ("%s\n", _("No test reports in this execution (a buildspec's reports section with JUnit "
                          "XML files makes them)."));
      return action_arg != NULL ? EXIT_USAGE : EXIT_OK;
    }
  return EXIT_OK;
}

int
pw_cli_artifacts (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *state_opt = NULL;
  g_autofree char *pipeline = NULL;
  g_autofree char *state_dir = NULL;
  g_auto(GStrv) extract = NULL;
  JsonArray *actions;
  GOptionEntry entries[] = {
    { "extract", 'x', 0, G_OPTION_ARG_STRING_ARRAY, &extract, N_("Extract artifact NAME into DIR (give NAME then DIR as the two arguments after the execution)"), N_("NAME") },
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_opt, N_("The state folder"), N_("DIR") },
    { "pipeline", 'P', 0, G_OPTION_ARG_FILENAME, &pipeline, N_("The pipeline whose state folder to use"), N_("FILE") },
    { NULL }
  };

  context = pw_cli_new_context (_("[EXECUTION] [--extract NAME DIR]"),
                                _("Lists the artifacts an execution produced (one version per producing "
                                  "action execution), or extracts one into a folder. EXECUTION is an "
                                  "id, its first characters, or 'latest' (the default)."), entries);
  if (!pw_cli_parse_args (context, &argc, &argv))
    return EXIT_USAGE;
  if ((node = load_execution_arg (state_opt, pipeline, argc >= 2 ? argv[1] : NULL, &state_dir)) == NULL)
    return EXIT_USAGE;

  actions = json_object_get_array_member (json_node_get_object (node), "actions");

  if (extract != NULL)
    {
      const char *name = extract[0];
      const char *dir = argc >= 3 ? argv[2] : NULL;
      const char *path = NULL;

      if (dir == NULL)
        {
          pw_cli_print_error (_("--extract NAME needs a destination folder after the execution id"));
          return EXIT_USAGE;
        }

      /* The latest version wins, as for the next action in the pipeline. */
      for (guint i = 0; actions != NULL && i < json_array_get_length (actions); i++)
        {
          JsonArray *outs = json_object_get_array_member (json_array_get_object_element (actions, i), "outputArtifacts");

          for (guint k = 0; outs != NULL && k < json_array_get_length (outs); k++)
            {
              JsonObject *out = json_array_get_object_element (outs, k);

              if (g_strcmp0 (json_object_get_string_member (out, "name"), name) == 0)
                path = json_object_get_string_member (out, "path");
            }
        }

      if (path == NULL)
        {
          pw_cli_print_error (_("execution %s has no artifact '%s'"),
                              json_object_get_string_member (json_node_get_object (node), "pipelineExecutionId"),
                              name);
          return EXIT_FINDINGS;
        }
      if (!pw_artifact_extract (path, dir, NULL, &error))
        {
          pw_cli_print_error ("%s", error->message);
          return EXIT_FINDINGS;
        }
      printf ("%s → %s\n", name, dir);
      return EXIT_OK;
    }

  for (guint i = 0; actions != NULL && i < json_array_get_length (actions); i++)
    {
      JsonObject *a = json_array_get_object_element (actions, i);
      JsonArray *outs = json_object_get_array_member (a, "outputArtifacts");

      for (guint k = 0; outs != NULL && k < json_array_get_length (outs); k++)
        {
          JsonObject *out = json_array_get_object_element (outs, k);
          const char *path = json_object_get_string_member (out, "path");
          GStatBuf st;
          g_autofree char *size = g_stat (path, &st) == 0 ? g_format_size (st.st_size) : g_strdup ("missing");

          printf ("%-20s %10s  %s/%s  %s  %s\n", json_object_get_string_member (out, "name"),
                  size,
                  json_object_get_string_member (a, "stageName"),
                  json_object_get_string_member (a, "actionName"),
                  json_object_get_string_member_with_default (out, "revision", "-"), path);
        }
    }

  return EXIT_OK;
}

/* watch -------------------------------------------------------------------- */

typedef struct
{
  PwExecutor *executor;
  PwPipeline *pipeline;
  PwAction   *source;
  char       *repo;
  gboolean    json;
} Watch;

static JsonNode *
trigger_for (PwPipeline *pipeline,
             const char *action_name)
{
  JsonNode *triggers = pw_element_get_member (PW_ELEMENT (pipeline), "triggers");

  if (triggers == NULL || !JSON_NODE_HOLDS_ARRAY (triggers))
    return NULL;

  for (guint i = 0; i < json_array_get_length (json_node_get_array (triggers)); i++)
    {
      JsonNode *t = json_array_get_element (json_node_get_array (triggers), i);
      JsonObject *git;

      if (!JSON_NODE_HOLDS_OBJECT (t) ||
          !json_object_has_member (json_node_get_object (t), "gitConfiguration"))
        continue;
      git = json_object_get_object_member (json_node_get_object (t), "gitConfiguration");
      if (g_strcmp0 (json_object_get_string_member_with_default (git, "sourceActionName", NULL), action_name) == 0)
        return json_object_get_member (json_node_get_object (t), "gitConfiguration");
    }

  return NULL;
}

static void
start_for_commit (Watch      *watch,
                  const char *commit,
                  const char *type)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) revisions = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *id = NULL;

  g_hash_table_insert (revisions, (gpointer)pw_action_get_name (watch->source), (gpointer)commit);
  id = pw_executor_start (watch->executor, NULL, revisions, type, commit, &error);
  if (id == NULL)
    pw_cli_print_error ("%s", error->message);
  else if (!watch->json)
    printf ("New commit %.12s: started execution %s\n", commit, id);
  fflush (stdout);
}

/* A ref moved: with a trigger for the source, its push filters (branches,
 * tags, file paths changed since the ref's previous commit) decide;
 * without, the watch only follows the source's branch. */
static void
new_commit_cb (PwGitWatch *gw,
               const char *commit,
               const char *ref,
               Watch      *watch)
{
  JsonNode *git = trigger_for (watch->pipeline, pw_action_get_name (watch->source));
  GStrv files = (GStrv)pw_git_watch_get_changed_files (gw);
  const char *branch = g_str_has_prefix (ref, "refs/heads/") ? ref + strlen ("refs/heads/") : NULL;
  const char *tag = g_str_has_prefix (ref, "refs/tags/") ? ref + strlen ("refs/tags/") : NULL;

  if (branch == NULL && tag == NULL)
    return;

  if (git == NULL || pw_git_trigger_matches (git, branch, tag, files))
    start_for_commit (watch, commit,
                      g_strcmp0 (pw_action_get_provider (watch->source), "CodeStarSourceConnection") == 0
                        ? "WebhookV2" : "CloudWatchEvent");
  else if (!watch->json)
    printf ("New commit %.12s on %s does not match the pipeline's trigger filters; not started\n",
            commit, branch != NULL ? branch : tag);
  fflush (stdout);
}

static gboolean
watch_interrupt_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

int
pw_cli_watch (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PwPipeline) pipeline = NULL;
  g_autoptr(PwLocalProfile) profile = NULL;
  g_autoptr(PwGitWatch) gw = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *profile_path = NULL;
  g_autofree char *state_dir = NULL;
  g_autofree char *repo = NULL;
  gboolean auto_approve = FALSE, json = FALSE;
  PwStage *first;
  Watch watch = { 0 };
  const char *branch = NULL;
  GOptionEntry entries[] = {
    { "profile", 0, 0, G_OPTION_ARG_FILENAME, &profile_path, N_("The local profile"), N_("FILE") },
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir, N_("The state folder"), N_("DIR") },
    { "auto-approve", 0, 0, G_OPTION_ARG_NONE, &auto_approve, N_("Approve every manual approval at once"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the event stream, one JSON event a line"), NULL },
    { NULL }
  };

  context = pw_cli_new_context (_("PIPELINE"),
                                _("Starts an execution for every new commit on the source action's branch "
                                  "(and, for V2 pipelines with triggers, only when the push matches the "
                                  "trigger's branch and file-path filters). Watches the repository with a "
                                  "file monitor; runs until interrupted."), entries);
  if (!pw_cli_parse_args (context, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2)
    {
      pw_cli_print_error (_("give exactly one pipeline file (see --help)"));
      return EXIT_USAGE;
    }

  pipeline = load_pipeline (argv[1], NULL, TRUE, FALSE);
  if (pipeline == NULL)
    return EXIT_USAGE;
  profile = profile_path != NULL ? pw_local_profile_load (profile_path, &error)
                                 : pw_local_profile_load_beside (argv[1], &error);
  if (profile == NULL)
    {
      pw_cli_print_error ("%s", error->message);
      return EXIT_USAGE;
    }

  first = pw_pipeline_get_stage (pipeline, 0);
  for (guint a = 0; first != NULL && a < pw_stage_get_n_actions (first); a++)
    {
      PwAction *action = pw_stage_get_action (first, a);
      const char *provider = pw_action_get_provider (action);

      if (g_strcmp0 (provider, "CodeCommit") == 0 || g_strcmp0 (provider, "CodeStarSourceConnection") == 0 ||
          g_strcmp0 (provider, "GitHub") == 0)
        {
          watch.source = action;
          branch = pw_action_get_configuration_string (action, "BranchName");
          if (branch == NULL)
            branch = pw_action_get_configuration_string (action, "Branch");
          break;
        }
    }
  if (watch.source == NULL)
    {
      pw_cli_print_error (_("the pipeline has no git-based source action to watch"));
      return EXIT_USAGE;
    }

  {
    const char *mapped = pw_local_profile_get_string (profile, "sources", pw_action_get_name (watch.source), "repository");
    const char *mapped_branch = pw_local_profile_get_string (profile, "sources", pw_action_get_name (watch.source), "branch");
    g_autofree char *abs = g_canonicalize_filename (argv[1], NULL);

    repo = mapped != NULL ? pw_local_profile_resolve_path (profile, mapped) : g_path_get_dirname (abs);
    if (mapped_branch != NULL)
      branch = mapped_branch;
  }

  watch.executor = pw_executor_new (pipeline, argv[1], state_dir, profile, &error);
  if (watch.executor == NULL || !pw_executor_serve_requests (watch.executor, &error))
    {
      pw_cli_print_error ("%s", error->message);
      g_clear_object (&watch.executor);
      return EXIT_USAGE;
    }
  pw_executor_set_approval_mode (watch.executor, auto_approve ? PW_APPROVAL_AUTO_APPROVE : PW_APPROVAL_WAIT);

  /* A trigger's filters may name any branch or tag: watch them all. */
  gw = pw_git_watch_new (repo, trigger_for (pipeline, pw_action_get_name (watch.source)) != NULL
                                 ? NULL : branch, &error);
  if (gw == NULL)
    {
      pw_cli_print_error ("%s", error->message);
      g_clear_object (&watch.executor);
      return EXIT_USAGE;
    }

  {
    RunContext ctx = { 0 };

    loop = g_main_loop_new (NULL, FALSE);
    run_context_init (&ctx, watch.executor, json, auto_approve);
    watch.pipeline = pipeline;
    watch.repo = repo;
    watch.json = json;
    g_signal_connect (gw, "new-commit", G_CALLBACK (new_commit_cb), &watch);
    g_unix_signal_add (SIGINT, watch_interrupt_cb, loop);
    g_unix_signal_add (SIGTERM, watch_interrupt_cb, loop);

    /* On stderr, so --json output stays pure events; it also tells
     * scripts the watch is armed. */
    if (trigger_for (pipeline, pw_action_get_name (watch.source)) != NULL)
      fprintf (stderr, "Watching %s (every branch and tag, filtered by the pipeline's trigger); "
               "interrupt to stop.\n", repo);
    else
      fprintf (stderr, "Watching %s (branch %s); interrupt to stop.\n", repo,
               branch != NULL ? branch : "?");
    fflush (stderr);
    g_main_loop_run (loop);
    run_context_clear (&ctx);
  }

  /* Interrupted: what is running stops with us, but requests sent from
   * now on are left for whoever runs the pipeline next. */
  pw_executor_stop_serving (watch.executor);
  g_clear_object (&watch.executor);
  return EXIT_OK;
}
