/* pw-cli-progress.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* `run` and `watch` print an execution's progress from the same objects
 * the window shows (PwExecution and its stage and action executions), so
 * the terminal and the window cannot disagree: a line for each status of
 * the execution, each stage and each action attempt, the failing log's
 * tail where an action failed, and how to approve what waits. */

#include "config.h"

#include <glib/gi18n.h>

#include "pw-cli-progress.h"

/* How much of a failing log's end is read for its last lines. */
#define LOG_TAIL_BYTES (256 * 1024)

typedef struct
{
  GObject *object;
  gulong   handler;
} Connection;

struct _PwCliProgress
{
  PwExecutionList *list;
  gboolean         color;
  gboolean         auto_decide;
  gboolean         follow_all;
  const char      *skip_prefix;   /* of the trigger detail of executions others show */
  gint64           started;
  GHashTable      *followed;      /* PwExecution* */
  char            *pending;       /* followed once the list has it */
  gboolean         live_only;     /* while attaching: what ended is not news */
  GArray          *connections;   /* Connection */
  gulong           items_id;
};

static const char *
paint (PwCliProgress *self,
       const char    *status)
{
  if (!self->color)
    return "";
  if (g_str_equal (status, "Succeeded"))
    return "\033[32m";
  if (g_str_equal (status, "Failed") || g_str_equal (status, "Abandoned"))
    return "\033[1;31m";
  if (g_str_equal (status, "InProgress"))
    return "\033[36m";
  return "\033[33m";
}

static double
elapsed (PwCliProgress *self)
{
  return (g_get_monotonic_time () - self->started) / 1e6;
}

/* The last @n lines of the log at @path, read from its end only: a log
 * may be 64 MiB. */
static void
print_log_tail (const char *path,
                guint       n,
                const char *summary)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  goffset size, from;
  gsize length = 0;
  guint len, start, first = 0;

  if (path == NULL)
    return;

  file = g_file_new_for_path (path);
  if ((stream = g_file_read (file, NULL, NULL)) == NULL ||
      (info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                              NULL, NULL)) == NULL)
    return;

  size = g_file_info_get_size (info);
  from = MAX (size - LOG_TAIL_BYTES, 0);
  text = g_malloc (size - from + 1);
  if (!g_seekable_seek (G_SEEKABLE (stream), from, G_SEEK_SET, NULL, NULL) ||
      !g_input_stream_read_all (G_INPUT_STREAM (stream), text, size - from, &length, NULL, NULL))
    return;
  text[length] = '\0';

  lines = g_strsplit (text, "\n", -1);
  len = g_strv_length (lines);
  if (len > 0 && lines[len - 1][0] == '\0')
    len--;
  /* Started mid-file: the first piece is the end of a line. */
  if (from > 0)
    first = 1;
  /* The executor's closing "Action Failed: …" (and the rest of a summary
   * of several lines) says what the status line above just said. */
  if (summary != NULL && *summary != '\0')
    {
      guint summary_lines = 1;

      for (const char *p = strchr (summary, '\n'); p != NULL; p = strchr (p + 1, '\n'))
        summary_lines++;
      for (guint i = len; i > first && len - i < summary_lines + 2; i--)
        if (strstr (lines[i - 1], " Action Failed: ") != NULL && len - (i - 1) <= summary_lines)
          {
            len = i - 1;
            break;
          }
    }
  start = len > n + first ? len - n : first;
  for (guint i = start; i < len; i++)
    {
      g_autofree char *shown = pw_cli_log_line (lines[i], -1);

      fprintf (stderr, "      | %s\n", shown);
    }
}

static void
connect (PwCliProgress *self,
         gpointer       object,
         const char    *signal,
         GCallback      callback)
{
  Connection c = { g_object_ref (object), g_signal_connect (object, signal, callback, self) };

  g_array_append_val (self->connections, c);
}

static void
execution_status_cb (PwExecution   *execution,
                     GParamSpec    *pspec,
                     PwCliProgress *self)
{
  const char *status = pw_execution_get_status (execution);

  if (status == NULL)
    return;
  printf ("%7.1fs  %s%s%s  execution %s\n", elapsed (self), paint (self, status), status,
          self->color ? "\033[0m" : "", pw_execution_get_id (execution));
  fflush (stdout);
}

static void
stage_status_cb (PwStageExecution *stage,
                 GParamSpec       *pspec,
                 PwCliProgress    *self)
{
  const char *status = pw_stage_execution_get_status (stage);
  g_autofree char *shown = NULL;

  /* A stage the execution has yet to reach is no news. */
  if (status == NULL || g_str_equal (status, "NotStarted") ||
      (self->live_only && pw_execution_status_is_final (status)))
    return;
  shown = pw_cli_escape (pw_stage_execution_get_name (stage), -1);
  printf ("%7.1fs  %s%-10s%s  %s\n", elapsed (self), paint (self, status), status,
          self->color ? "\033[0m" : "", shown);
  fflush (stdout);
}

static void
action_status_cb (PwActionExecution *action,
                  GParamSpec        *pspec,
                  PwCliProgress     *self)
{
  const char *status = pw_action_execution_get_status (action);
  const char *stage = pw_action_execution_get_stage_name (action);
  const char *name = pw_action_execution_get_action_name (action);
  const char *summary = pw_execution_status_is_final (status) ? pw_action_execution_get_summary (action) : NULL;
  /* Names and summaries come from the pipeline and what it ran. */
  g_autofree char *line = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *first_line = pw_cli_first_line (summary);
  /* A test action: what its tests say, which is what one looks for. */
  g_autofree char *report = pw_execution_status_is_final (status)
    ? pw_cli_report_line (pw_action_execution_get_report (action)) : NULL;

  if (status == NULL || (self->live_only && pw_execution_status_is_final (status)))
    return;
  if (report != NULL && g_str_equal (status, "Succeeded"))
    {
      g_free (first_line);
      first_line = g_strdup (report);
    }
  else if (report != NULL)
    {
      char *both = g_strdup_printf ("%s; %s", first_line != NULL ? first_line : status, report);

      g_free (first_line);
      first_line = both;
    }
  line = g_strdup_printf ("%s/%s%s%s%s", stage, name,
                          pw_action_execution_get_simulated (action) ? " (simulated)" : "",
                          first_line != NULL && first_line[0] ? " — " : "",
                          first_line != NULL ? first_line : "");
  shown = pw_cli_escape (line, -1);
  printf ("%7.1fs  %s%-10s%s  %s\n", elapsed (self), paint (self, status), status,
          self->color ? "\033[0m" : "", shown);
  if (report != NULL)
    pw_cli_print_report_failures (stdout, pw_action_execution_get_report (action), "          ", 10);

  if (g_str_equal (status, "InProgress") && !self->auto_decide &&
      g_strcmp0 (pw_action_execution_get_category (action), "Approval") == 0)
    {
      PwExecution *execution = g_object_get_data (G_OBJECT (action), "pw-cli-execution");

      if (execution != NULL)
        printf ("          waiting for approval: pipewright-cli approve %s %s %s\n",
                pw_execution_get_id (execution), stage, name);
    }

  /* The tail of the failing log says why, right where it failed. */
  if (g_str_equal (status, "Failed") && pw_action_execution_get_log_path (action) != NULL)
    {
      g_autofree char *log = pw_cli_log_line (pw_action_execution_get_log_path (action), -1);

      fflush (stdout);
      print_log_tail (pw_action_execution_get_log_path (action), 15, summary);
      fprintf (stderr, "      log: %s\n", log);
    }
  fflush (stdout);
}

static void
actions_changed_cb (GListModel    *model,
                    guint          position,
                    guint          removed,
                    guint          added,
                    PwCliProgress *self)
{
  PwExecution *execution = g_object_get_data (G_OBJECT (model), "pw-cli-execution");

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(PwActionExecution) action = g_list_model_get_item (model, i);

      g_object_set_data (G_OBJECT (action), "pw-cli-execution", execution);
      /* A new attempt's first status is news too. */
      action_status_cb (action, NULL, self);
      connect (self, action, "notify::status", G_CALLBACK (action_status_cb));
    }
}

static void
stages_changed_cb (GListModel    *model,
                   guint          position,
                   guint          removed,
                   guint          added,
                   PwCliProgress *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(PwStageExecution) stage = g_list_model_get_item (model, i);

      stage_status_cb (stage, NULL, self);
      connect (self, stage, "notify::status", G_CALLBACK (stage_status_cb));
    }
}

/* Follows @execution from now on, after a line for each status it is in
 * (with @live_only, of the stages and actions still going: a retried
 * execution's past attempts are not news). */
static void
follow (PwCliProgress *self,
        PwExecution   *execution,
        gboolean       live_only)
{
  GListModel *stages = pw_execution_get_stages (execution);
  GListModel *actions = pw_execution_get_actions (execution);

  if (!g_hash_table_add (self->followed, execution))
    return;
  g_object_ref (execution);
  g_object_set_data (G_OBJECT (actions), "pw-cli-execution", execution);

  /* What it did so far, in the order it happened: the execution starts
   * before its stages, a stage before its actions, and each ends after
   * them. */
  for (guint a = 0; a < g_list_model_get_n_items (actions); a++)
    {
      g_autoptr(PwActionExecution) action = g_list_model_get_item (actions, a);

      g_object_set_data (G_OBJECT (action), "pw-cli-execution", execution);
    }
  if (!pw_execution_status_is_final (pw_execution_get_status (execution)))
    execution_status_cb (execution, NULL, self);
  self->live_only = live_only;
  for (guint i = 0; i < g_list_model_get_n_items (stages); i++)
    {
      g_autoptr(PwStageExecution) stage = g_list_model_get_item (stages, i);
      gboolean ends = pw_execution_status_is_final (pw_stage_execution_get_status (stage));

      if (!ends)
        stage_status_cb (stage, NULL, self);
      for (guint a = 0; a < g_list_model_get_n_items (actions); a++)
        {
          g_autoptr(PwActionExecution) action = g_list_model_get_item (actions, a);

          if (g_strcmp0 (pw_action_execution_get_stage_name (action), pw_stage_execution_get_name (stage)) == 0)
            action_status_cb (action, NULL, self);
        }
      if (ends)
        stage_status_cb (stage, NULL, self);
      connect (self, stage, "notify::status", G_CALLBACK (stage_status_cb));
    }
  self->live_only = FALSE;
  for (guint a = 0; a < g_list_model_get_n_items (actions); a++)
    {
      g_autoptr(PwActionExecution) action = g_list_model_get_item (actions, a);

      connect (self, action, "notify::status", G_CALLBACK (action_status_cb));
    }
  if (pw_execution_status_is_final (pw_execution_get_status (execution)))
    execution_status_cb (execution, NULL, self);
  connect (self, execution, "notify::status", G_CALLBACK (execution_status_cb));
  connect (self, stages, "items-changed", G_CALLBACK (stages_changed_cb));
  connect (self, actions, "items-changed", G_CALLBACK (actions_changed_cb));
}

static void
executions_changed_cb (GListModel    *model,
                       guint          position,
                       guint          removed,
                       guint          added,
                       PwCliProgress *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(PwExecution) execution = g_list_model_get_item (model, i);
      const char *detail = pw_execution_get_trigger_detail (execution);

      /* What another `run` started here is shown there. */
      if (self->skip_prefix != NULL && detail != NULL && g_str_has_prefix (detail, self->skip_prefix))
        continue;
      /* What ended before we came is history. */
      if (pw_execution_is_finished (execution))
        continue;
      follow (self, execution, TRUE);
    }
}

/**
 * pw_cli_progress_new:
 * @list: the executions to show
 * @follow_all: whether each execution that starts is shown
 *   (else only those pw_cli_progress_follow() names)
 * @skip_prefix: (nullable): the trigger detail of executions not shown
 * @color: whether statuses are coloured
 * @auto_decide: whether approvals are decided without anyone asked
 */
PwCliProgress *
pw_cli_progress_new (PwExecutionList *list,
                     gboolean         follow_all,
                     const char      *skip_prefix,
                     gboolean         color,
                     gboolean         auto_decide)
{
  PwCliProgress *self = g_new0 (PwCliProgress, 1);

  self->list = g_object_ref (list);
  self->follow_all = follow_all;
  self->skip_prefix = skip_prefix;
  self->color = color;
  self->auto_decide = auto_decide;
  self->started = g_get_monotonic_time ();
  self->followed = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->connections = g_array_new (FALSE, FALSE, sizeof (Connection));
  if (follow_all)
    self->items_id = g_signal_connect (list, "items-changed", G_CALLBACK (executions_changed_cb), self);
  return self;
}

static void
catch_up_cb (GListModel    *model,
             guint          position,
             guint          removed,
             guint          added,
             PwCliProgress *self)
{
  PwExecution *execution = self->pending != NULL ? pw_execution_list_lookup (self->list, self->pending) : NULL;

  if (execution != NULL)
    {
      g_clear_pointer (&self->pending, g_free);
      follow (self, execution, FALSE);
    }
}

/* Shows @execution_id from now on (its statuses so far first), or as soon
 * as the list reads it. */
void
pw_cli_progress_follow (PwCliProgress *self,
                        const char    *execution_id)
{
  PwExecution *execution = pw_execution_list_lookup (self->list, execution_id);

  if (execution != NULL)
    {
      follow (self, execution, FALSE);
      return;
    }
  g_free (self->pending);
  self->pending = g_strdup (execution_id);
  if (self->items_id == 0)
    self->items_id = g_signal_connect (self->list, "items-changed", G_CALLBACK (catch_up_cb), self);
}

void
pw_cli_progress_free (PwCliProgress *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i < self->connections->len; i++)
    {
      Connection *c = &g_array_index (self->connections, Connection, i);

      g_signal_handler_disconnect (c->object, c->handler);
      g_object_unref (c->object);
    }
  g_array_unref (self->connections);
  if (self->items_id != 0)
    g_signal_handler_disconnect (self->list, self->items_id);
  g_free (self->pending);
  g_hash_table_unref (self->followed);
  g_object_unref (self->list);
  g_free (self);
}
