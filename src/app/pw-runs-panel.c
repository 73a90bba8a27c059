/* pw-runs-panel.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The Runs panel: the pipeline's execution history (newest first, filtered
 * by status; selecting one shows it on the canvas) beside the log of the
 * action selected on the canvas, followed live. The log is a list view
 * over PwLogModel, so only the rows on screen exist however long it is:
 * ANSI colours rendered, CodeBuild phases folded with their state and
 * time, the failing command marked, search, copy, and the work folder. */

#define G_LOG_DOMAIN "pw-runs"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "pw-app-util.h"
#include "pw-runs-panel.h"
#include "pw-window.h"

struct _PwRunsPanel
{
  GtkWidget           parent_instance;

  GtkWidget          *paned;
  GtkDropDown        *filter_dropdown;
  GtkColumnView      *history;
  GtkSingleSelection *history_selection;
  GtkFilterListModel *history_filter;
  GtkCustomFilter    *status_filter;
  GtkLabel           *log_title;
  GtkSearchEntry     *search_entry;
  GtkWidget          *log_stack;
  PwLogView          *log_view;
  GtkWidget          *copy_button;
  GtkWidget          *folder_button;
  GtkWidget          *log_tools;
  GtkStack           *pages;
  GtkListBox         *tests_list;
  GtkListBox         *artifacts_list;
  GtkListBox         *variables_list;
  GtkNativeDialog    *chooser;

  PwRunController    *runs;
  PwExecution        *execution;
  PwActionExecution  *action;
  PwLogModel         *log;
  char               *stage_name;
  char               *action_name;
  gboolean            syncing;
  gboolean            stale;      /* the execution changed while hidden */
};

G_DEFINE_FINAL_TYPE (PwRunsPanel, pw_runs_panel, GTK_TYPE_WIDGET)

static void sync_page (PwRunsPanel *self);

static const char * const status_choices[] = {
  NULL, "InProgress", "Succeeded", "Failed", "Stopped", "Superseded", NULL
};

/* History ------------------------------------------------------------------ */

static char *
short_id (PwExecution *execution)
{
  return g_strndup (pw_execution_get_id (execution), 8);
}

static char *
format_time (GDateTime *time)
{
  g_autoptr(GDateTime) local = NULL;

  if (time == NULL)
    return g_strdup ("");
  local = g_date_time_to_local (time);
  return g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
}

static char *
format_duration (PwExecution *execution)
{
  GDateTime *start = pw_execution_get_start_time (execution);
  GDateTime *end = pw_execution_get_update_time (execution);
  g_autoptr(GDateTime) now = NULL;

  if (start == NULL)
    return g_strdup ("");
  if (!pw_execution_is_finished (execution) || end == NULL)
    return pw_format_elapsed (g_date_time_difference (now = g_date_time_new_now_utc (), start));
  return pw_format_duration (g_date_time_difference (end, start));
}

typedef enum { COL_ID, COL_STATUS, COL_TRIGGER, COL_REVISIONS, COL_STARTED, COL_DURATION } Column;

static void
bind_text (GtkListItem *item,
           PwExecution *execution)
{
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  Column column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (label), "column"));
  g_autofree char *text = NULL;

  switch (column)
    {
    case COL_ID: text = short_id (execution); break;
    case COL_STATUS: text = g_strdup (pw_execution_get_status (execution)); break;
    case COL_TRIGGER:
      text = pw_execution_get_trigger_detail (execution) != NULL
        ? g_strdup_printf ("%s (%s)", pw_execution_get_trigger_type (execution),
                           pw_execution_get_trigger_detail (execution))
        : g_strdup (pw_execution_get_trigger_type (execution));
      break;
    case COL_REVISIONS: text = pw_execution_dup_revisions (execution); break;
    case COL_STARTED: text = format_time (pw_execution_get_start_time (execution)); break;
    case COL_DURATION: text = format_duration (execution); break;
    default: break;
    }
  gtk_label_set_text (label, text != NULL ? text : "");
  if (column == COL_STATUS)
    {
      const char *status = pw_execution_get_status (execution);

      gtk_widget_remove_css_class (GTK_WIDGET (label), "success");
      gtk_widget_remove_css_class (GTK_WIDGET (label), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (label), "accent");
      if (g_strcmp0 (status, "Succeeded") == 0)
        gtk_widget_add_css_class (GTK_WIDGET (label), "success");
      else if (g_strcmp0 (status, "Failed") == 0)
        gtk_widget_add_css_class (GTK_WIDGET (label), "error");
      else if (g_strcmp0 (status, "InProgress") == 0)
        gtk_widget_add_css_class (GTK_WIDGET (label), "accent");
    }
}

static void
row_changed_cb (PwExecution *execution,
                GtkListItem *item)
{
  bind_text (item, execution);
}

static void
remove_source (gpointer id)
{
  g_source_remove (GPOINTER_TO_UINT (id));
}

static gboolean
duration_tick_cb (gpointer data)
{
  GtkListItem *item = data;
  PwExecution *execution = gtk_list_item_get_item (item);

  if (execution == NULL)
    return G_SOURCE_CONTINUE;
  bind_text (item, execution);
  if (!pw_execution_is_finished (execution))
    return G_SOURCE_CONTINUE;
  /* Ended: the duration stays as it is; the ticker goes. */
  g_object_steal_data (G_OBJECT (item), "pw-ticker");
  return G_SOURCE_REMOVE;
}

static void
history_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  column)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (GPOINTER_TO_INT (column) == COL_ID || GPOINTER_TO_INT (column) == COL_REVISIONS)
    gtk_widget_add_css_class (label, "monospace");
  g_object_set_data (G_OBJECT (label), "column", column);
  gtk_list_item_set_child (item, label);
}

static void
history_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  column)
{
  PwExecution *execution = gtk_list_item_get_item (item);

  bind_text (item, execution);
  g_signal_connect (execution, "changed", G_CALLBACK (row_changed_cb), item);
  /* A run in progress: its duration counts up, each second. */
  if (GPOINTER_TO_INT (column) == COL_DURATION && !pw_execution_is_finished (execution))
    g_object_set_data_full (G_OBJECT (item), "pw-ticker",
                            GUINT_TO_POINTER (g_timeout_add_seconds (1, duration_tick_cb, item)),
                            remove_source);
}

static void
history_unbind_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   gpointer                  column)
{
  PwExecution *execution = gtk_list_item_get_item (item);

  if (execution != NULL)
    g_signal_handlers_disconnect_by_func (execution, row_changed_cb, item);
  g_object_set_data (G_OBJECT (item), "pw-ticker", NULL);
}

static void
add_column (PwRunsPanel *self,
            const char  *title,
            Column       column,
            gboolean     expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *col;

  g_signal_connect (factory, "setup", G_CALLBACK (history_setup_cb), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (history_bind_cb), GINT_TO_POINTER (column));
  g_signal_connect (factory, "unbind", G_CALLBACK (history_unbind_cb), GINT_TO_POINTER (column));
  col = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (col, expand);
  gtk_column_view_column_set_resizable (col, TRUE);
  gtk_column_view_append_column (self->history, col);
  g_object_unref (col);
}

static gboolean
status_filter_func (gpointer item,
                    gpointer data)
{
  PwRunsPanel *self = data;
  guint chosen = gtk_drop_down_get_selected (self->filter_dropdown);

  if (chosen == 0 || chosen >= G_N_ELEMENTS (status_choices))
    return TRUE;
  return g_strcmp0 (pw_execution_get_status (item), status_choices[chosen]) == 0;
}

static void
filter_changed_cb (PwRunsPanel *self)
{
  gtk_filter_changed (GTK_FILTER (self->status_filter), GTK_FILTER_CHANGE_DIFFERENT);
}

/* The row of the execution the canvas shows is selected. */
static void
select_shown (PwRunsPanel *self)
{
  GListModel *model = G_LIST_MODEL (self->history_selection);
  guint n = g_list_model_get_n_items (model);

  self->syncing = TRUE;
  gtk_single_selection_set_selected (self->history_selection, GTK_INVALID_LIST_POSITION);
  for (guint i = 0; i < n && self->execution != NULL; i++)
    {
      g_autoptr(PwExecution) execution = g_list_model_get_item (model, i);

      if (execution == self->execution)
        {
          gtk_single_selection_set_selected (self->history_selection, i);
          break;
        }
    }
  self->syncing = FALSE;
}

static void
history_selected_cb (PwRunsPanel *self)
{
  PwExecution *execution = gtk_single_selection_get_selected_item (self->history_selection);

  if (self->syncing || self->runs == NULL || execution == NULL)
    return;
  pw_run_controller_set_execution (self->runs, execution);
}

/* The log ------------------------------------------------------------------ */

static void
action_changed_cb (PwRunsPanel *self)
{
  if (self->log != NULL)
    pw_log_model_refresh (self->log);
}

static void
set_log (PwRunsPanel       *self,
         PwActionExecution *action)
{
  const char *path = action != NULL ? pw_action_execution_get_log_path (action) : NULL;
  g_autofree char *title = NULL;

  if (self->action != NULL)
    g_signal_handlers_disconnect_by_func (self->action, action_changed_cb, self);
  g_set_object (&self->action, action);
  if (action != NULL)
    g_signal_connect_swapped (action, "notify::status", G_CALLBACK (action_changed_cb), self);

  if (self->log != NULL && (path == NULL || g_strcmp0 (pw_log_model_get_path (self->log), path) != 0))
    {
      pw_log_view_set_model (self->log_view, NULL);
      g_clear_object (&self->log);
    }
  if (self->log == NULL && path != NULL)
    {
      self->log = pw_log_model_new (path);
      pw_log_view_set_model (self->log_view, self->log);
    }

  if (action != NULL)
    /* Translators: the log's title: "Build/Compile · Failed (attempt 2)" */
    title = pw_action_execution_get_attempt (action) > 1
      ? g_strdup_printf (_("%s/%s · %s (attempt %u)"), pw_action_execution_get_stage_name (action),
                         pw_action_execution_get_action_name (action), pw_action_execution_get_status (action),
                         pw_action_execution_get_attempt (action))
      : g_strdup_printf ("%s/%s · %s", pw_action_execution_get_stage_name (action),
                         pw_action_execution_get_action_name (action), pw_action_execution_get_status (action));
  gtk_label_set_text (self->log_title, title != NULL ? title
                      : self->execution != NULL ? _("Select an action on the canvas to read its log")
                      : _("No run shown"));
  gtk_stack_set_visible_child_name (GTK_STACK (self->log_stack), self->log != NULL ? "log" : "empty");
  gtk_widget_set_sensitive (self->copy_button, self->log != NULL);
  gtk_widget_set_sensitive (self->folder_button, self->log != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->search_entry), self->log != NULL);
}

/* The action whose log is shown: the one selected on the canvas, else the
 * one that failed. (Not the one running now: with parallel actions the log
 * would jump from action to action under the reader.) */
static PwActionExecution *
pick_action (PwRunsPanel *self)
{
  GListModel *actions;

  if (self->execution == NULL)
    return NULL;
  if (self->stage_name != NULL && self->action_name != NULL)
    return pw_execution_lookup_action (self->execution, self->stage_name, self->action_name);

  actions = pw_execution_get_actions (self->execution);
  for (guint i = g_list_model_get_n_items (actions); i > 0; i--)
    {
      g_autoptr(PwActionExecution) action = g_list_model_get_item (actions, i - 1);

      if (g_strcmp0 (pw_action_execution_get_status (action), "Failed") == 0)
        return action;
    }
  return NULL;
}

static void
execution_changed_cb (PwRunsPanel *self)
{
  /* Hidden, it catches up when shown: a run of a hundred actions changes
   * its execution hundreds of times. */
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      self->stale = TRUE;
      return;
    }
  self->stale = FALSE;
  set_log (self, pick_action (self));
  sync_page (self);
}

static void
pw_runs_panel_map (GtkWidget *widget)
{
  PwRunsPanel *self = PW_RUNS_PANEL (widget);

  GTK_WIDGET_CLASS (pw_runs_panel_parent_class)->map (widget);
  if (self->stale)
    execution_changed_cb (self);
}

static void
shown_execution_cb (PwRunsPanel *self)
{
  PwExecution *execution = self->runs != NULL ? pw_run_controller_get_execution (self->runs) : NULL;

  if (self->execution != NULL)
    g_signal_handlers_disconnect_by_func (self->execution, execution_changed_cb, self);
  g_set_object (&self->execution, execution);
  if (execution != NULL)
    g_signal_connect_swapped (execution, "changed", G_CALLBACK (execution_changed_cb), self);
  select_shown (self);
  set_log (self, pick_action (self));
  sync_page (self);
}

static void
executions_cb (PwRunsPanel *self)
{
  PwExecutionList *list = self->runs != NULL ? pw_run_controller_get_executions (self->runs) : NULL;

  gtk_filter_list_model_set_model (self->history_filter, list != NULL ? G_LIST_MODEL (list) : NULL);
  select_shown (self);
}

/* Tests, artifacts, variables -------------------------------------------- */

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static GtkWidget *
plain_row (const char *title,
           const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *t = g_markup_escape_text (title != NULL ? title : "", -1);
  g_autofree char *st = subtitle != NULL ? g_markup_escape_text (subtitle, -1) : NULL;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), t);
  if (st != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), st);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 4);
  return row;
}

static void
set_placeholder (GtkListBox *list,
                 const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_set_margin_top (label, 18);
  gtk_widget_set_margin_bottom (label, 18);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_list_box_set_placeholder (list, label);
}

/* The selected action's test reports: each group's counts and time, and
 * the failing cases with their messages. */
static void
sync_tests (PwRunsPanel *self)
{
  JsonNode *report = self->action != NULL ? pw_action_execution_get_report (self->action) : NULL;
  JsonArray *groups = report != NULL && JSON_NODE_HOLDS_OBJECT (report)
    ? json_object_get_array_member (json_node_get_object (report), "groups") : NULL;

  clear_list (self->tests_list);
  set_placeholder (self->tests_list, self->action == NULL ? _("Select an action to see its test reports")
                                     : _("This action reported no tests (a buildspec's reports with JUNITXML files)"));
  for (guint i = 0; groups != NULL && i < json_array_get_length (groups); i++)
    {
      JsonObject *g = json_array_get_object_element (groups, i);
      JsonArray *failures = json_object_get_array_member (g, "failures");
      gint64 failed = json_object_get_int_member_with_default (g, "failed", 0);
      g_autofree char *counts = NULL;
      GtkWidget *row = adw_expander_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name (failed > 0 ? "dialog-error-symbolic" : "emblem-ok-symbolic");
      g_autofree char *title = g_markup_escape_text (json_object_get_string_member_with_default (g, "name", "?"), -1);

      /* Translators: a test report group: "12 passed, 1 failed, 0 skipped · 3.20 s" */
      counts = g_strdup_printf (_("%" G_GINT64_FORMAT " passed, %" G_GINT64_FORMAT " failed, %"
                                  G_GINT64_FORMAT " skipped · %.2f s"),
                                json_object_get_int_member_with_default (g, "passed", 0), failed,
                                json_object_get_int_member_with_default (g, "skipped", 0),
                                json_object_get_double_member_with_default (g, "seconds", 0));
      gtk_widget_add_css_class (icon, failed > 0 ? "error" : "success");
      adw_expander_row_add_prefix (ADW_EXPANDER_ROW (row), icon);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), counts);
      for (guint f = 0; failures != NULL && f < json_array_get_length (failures); f++)
        {
          JsonObject *c = json_array_get_object_element (failures, f);

          adw_expander_row_add_row (ADW_EXPANDER_ROW (row),
                                    plain_row (json_object_get_string_member_with_default (c, "name", "?"),
                                               json_object_get_string_member_with_default (c, "message", NULL)));
        }
      adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), failed > 0);
      adw_expander_row_set_enable_expansion (ADW_EXPANDER_ROW (row), failures != NULL && json_array_get_length (failures) > 0);
      gtk_list_box_append (self->tests_list, row);
    }
}

typedef struct
{
  char *zip;
  char *dir;
} Extract;

static void
extract_free (Extract *e)
{
  g_free (e->zip);
  g_free (e->dir);
  g_free (e);
}

static void
extract_thread (GTask        *task,
                gpointer      source,
                gpointer      data,
                GCancellable *cancellable)
{
  Extract *e = data;
  GError *error = NULL;

  if (pw_artifact_extract (e->zip, e->dir, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
extracted_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  PwRunsPanel *self = PW_RUNS_PANEL (source);
  Extract *e = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (g_task_propagate_boolean (G_TASK (result), &error))
    message = g_strdup_printf (_("Extracted into %s"), e->dir);
  else
    message = g_strdup_printf (_("Could not extract: %s"), error->message);
  if (PW_IS_WINDOW (root))
    pw_window_add_toast (PW_WINDOW (root), message);
}

/* Extracts @zip into @dir in a thread (a large artifact takes a while);
 * a toast says how it went. */
void
pw_runs_panel_extract_artifact (PwRunsPanel *self,
                                const char  *zip,
                                const char  *dir)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, extracted_cb, NULL);
  Extract *e = g_new0 (Extract, 1);

  e->zip = g_strdup (zip);
  e->dir = g_strdup (dir);
  g_task_set_task_data (task, e, (GDestroyNotify)extract_free);
  g_task_run_in_thread (task, extract_thread);
}

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     PwRunsPanel     *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *dir = folder != NULL ? g_file_get_path (folder) : NULL;
      const char *zip = g_object_get_data (G_OBJECT (chooser), "zip");

      if (dir != NULL && zip != NULL)
        pw_runs_panel_extract_artifact (self, zip, dir);
    }
  gtk_native_dialog_destroy (chooser);
  if (self->chooser == chooser)
    g_clear_object (&self->chooser);
}

static void
extract_clicked_cb (GtkButton   *button,
                    PwRunsPanel *self)
{
  const char *zip = g_object_get_data (G_OBJECT (button), "zip");
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  self->chooser = GTK_NATIVE_DIALOG (gtk_file_chooser_native_new (_("Extract the Artifact Into"),
                                                                  GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                                  GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                                                  _("_Extract"), _("_Cancel")));
  g_object_set_data_full (G_OBJECT (self->chooser), "zip", g_strdup (zip), g_free);
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (self->chooser);
}

/* Each artifact version of the execution: producer, size, files (browsed
 * in the row), and Extract. */
static void
sync_artifacts (PwRunsPanel *self)
{
  GListModel *actions = self->execution != NULL ? pw_execution_get_actions (self->execution) : NULL;

  clear_list (self->artifacts_list);
  set_placeholder (self->artifacts_list, _("No artifact versions in this run yet"));
  for (guint i = 0; actions != NULL && i < g_list_model_get_n_items (actions); i++)
    {
      g_autoptr(PwActionExecution) action = g_list_model_get_item (actions, i);
      JsonArray *artifacts = pw_action_execution_get_artifacts (action);

      for (guint a = 0; artifacts != NULL && a < json_array_get_length (artifacts); a++)
        {
          JsonObject *o = json_array_get_object_element (artifacts, a);
          const char *path = json_object_get_string_member_with_default (o, "path", NULL);
          const char *revision = json_object_get_string_member_with_default (o, "revision", NULL);
          g_autoptr(GPtrArray) files = path != NULL ? pw_artifact_list (path, NULL) : NULL;
          g_autoptr(GFile) file = path != NULL ? g_file_new_for_path (path) : NULL;
          g_autoptr(GFileInfo) info = file != NULL
            ? g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE, NULL, NULL) : NULL;
          g_autofree char *size = info != NULL ? g_format_size (g_file_info_get_size (info)) : g_strdup ("?");
          g_autofree char *title = g_markup_escape_text (json_object_get_string_member_with_default (o, "name", "?"), -1);
          g_autofree char *subtitle = NULL;
          GtkWidget *row = adw_expander_row_new ();
          GtkWidget *button;

          /* Translators: an artifact version: "by Build/Compile · 12 files · 3.1 kB · revision 3f2a9c1" */
          subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "by %s/%s · %u file · %s%s%s",
                                                   "by %s/%s · %u files · %s%s%s",
                                                   files != NULL ? files->len : 0),
                                      pw_action_execution_get_stage_name (action),
                                      pw_action_execution_get_action_name (action),
                                      files != NULL ? files->len : 0, size,
                                      revision != NULL ? " · " : "", revision != NULL ? revision : "");
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
          adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle);
          button = gtk_button_new_with_mnemonic (_("E_xtract…"));
          gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
          gtk_widget_set_sensitive (button, path != NULL && files != NULL);
          g_object_set_data_full (G_OBJECT (button), "zip", g_strdup (path), g_free);
          g_signal_connect (button, "clicked", G_CALLBACK (extract_clicked_cb), self);
          adw_expander_row_add_action (ADW_EXPANDER_ROW (row), button);
          for (guint f = 0; files != NULL && f < files->len && f < 500; f++)
            {
              GtkWidget *entry = adw_action_row_new ();
              g_autofree char *name = g_markup_escape_text (g_ptr_array_index (files, f), -1);

              adw_preferences_row_set_title (ADW_PREFERENCES_ROW (entry), name);
              gtk_widget_add_css_class (entry, "monospace");
              adw_expander_row_add_row (ADW_EXPANDER_ROW (row), entry);
            }
          if (files != NULL && files->len > 500)
            {
              g_autofree char *more = g_strdup_printf (_("and %u more"), files->len - 500);

              adw_expander_row_add_row (ADW_EXPANDER_ROW (row), plain_row (more, NULL));
            }
          gtk_list_box_append (self->artifacts_list, row);
        }
    }
}

/* The action a namespace belongs to, from the pipeline on screen. */
static const char *
namespace_of (PwRunsPanel *self,
              const char  *stage_name,
              const char  *action_name)
{
  PwTextDocument *document = self->runs != NULL ? pw_run_controller_get_document (self->runs) : NULL;
  PwPipeline *pipeline = document != NULL ? pw_text_document_get_pipeline (document) : NULL;

  for (guint s = 0; pipeline != NULL && s < pw_pipeline_get_n_stages (pipeline); s++)
    {
      PwStage *stage = pw_pipeline_get_stage (pipeline, s);

      if (pw_element_is_opaque (PW_ELEMENT (stage)) || g_strcmp0 (pw_stage_get_name (stage), stage_name) != 0)
        continue;
      for (guint a = 0; a < pw_stage_get_n_actions (stage); a++)
        {
          PwAction *action = pw_stage_get_action (stage, a);

          if (g_strcmp0 (pw_action_get_name (action), action_name) == 0)
            return pw_action_get_namespace (action);
        }
    }
  return NULL;
}

static GtkWidget *
namespace_row (const char *title,
               const char *subtitle)
{
  GtkWidget *row = adw_expander_row_new ();
  g_autofree char *t = g_markup_escape_text (title, -1);
  g_autofree char *st = subtitle != NULL ? g_markup_escape_text (subtitle, -1) : NULL;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), t);
  if (st != NULL)
    adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), st);
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
  return row;
}

static GtkWidget *
value_row (const char *key,
           const char *value)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label = gtk_label_new (value != NULL ? value : "");
  g_autofree char *title = g_markup_escape_text (key, -1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  /* What a reference resolves to, selectable to copy into a configuration
   * (a selectable subtitle is libadwaita 1.3). */
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 50);
  gtk_widget_add_css_class (label, "monospace");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  return row;
}

/* Namespace → key → resolved value (secrets come masked from the record). */
static void
sync_variables (PwRunsPanel *self)
{
  JsonArray *pipeline_vars = self->execution != NULL ? pw_execution_get_variables (self->execution) : NULL;
  GListModel *stages = self->execution != NULL ? pw_execution_get_stages (self->execution) : NULL;

  clear_list (self->variables_list);
  set_placeholder (self->variables_list, _("No variables in this run yet"));
  if (pipeline_vars != NULL && json_array_get_length (pipeline_vars) > 0)
    {
      GtkWidget *group = namespace_row ("variables", _("Pipeline variables: #{variables.NAME}"));

      for (guint i = 0; i < json_array_get_length (pipeline_vars); i++)
        {
          JsonObject *v = json_array_get_object_element (pipeline_vars, i);

          adw_expander_row_add_row (ADW_EXPANDER_ROW (group),
                                    value_row (json_object_get_string_member_with_default (v, "name", "?"),
                                               json_object_get_string_member_with_default (v, "resolvedValue", "")));
        }
      gtk_list_box_append (self->variables_list, group);
    }

  for (guint s = 0; stages != NULL && s < g_list_model_get_n_items (stages); s++)
    {
      g_autoptr(PwStageExecution) stage = g_list_model_get_item (stages, s);
      GListModel *actions = pw_stage_execution_get_actions (stage);

      for (guint a = 0; a < g_list_model_get_n_items (actions); a++)
        {
          g_autoptr(PwActionExecution) action = g_list_model_get_item (actions, a);
          JsonObject *vars = pw_action_execution_get_variables (action);
          const char *ns = namespace_of (self, pw_action_execution_get_stage_name (action),
                                         pw_action_execution_get_action_name (action));
          g_autofree char *from = NULL;
          GtkWidget *group;
          JsonObjectIter iter;
          const char *key;
          JsonNode *value;

          if (vars == NULL || json_object_get_size (vars) == 0)
            continue;
          from = g_strdup_printf (ns != NULL ? _("From %s/%s: #{%s.KEY}") : _("From %s/%s (no namespace: not referable)"),
                                  pw_action_execution_get_stage_name (action),
                                  pw_action_execution_get_action_name (action), ns);
          group = namespace_row (ns != NULL ? ns : pw_action_execution_get_action_name (action), from);
          json_object_iter_init_ordered (&iter, vars);
          while (json_object_iter_next_ordered (&iter, &key, &value))
            adw_expander_row_add_row (ADW_EXPANDER_ROW (group),
                                      value_row (key, JSON_NODE_HOLDS_VALUE (value) ? json_node_get_string (value) : NULL));
          gtk_list_box_append (self->variables_list, group);
        }
    }
}

/* The visible page follows the run; the others wait until shown. */
static void
sync_page (PwRunsPanel *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->pages);

  gtk_widget_set_visible (self->log_tools, g_strcmp0 (page, "log") == 0);
  if (g_strcmp0 (page, "tests") == 0)
    sync_tests (self);
  else if (g_strcmp0 (page, "artifacts") == 0)
    sync_artifacts (self);
  else if (g_strcmp0 (page, "variables") == 0)
    sync_variables (self);
}

/* Search, copy, folder ----------------------------------------------------- */

gboolean
pw_runs_panel_search (PwRunsPanel *self,
                      const char  *text,
                      gboolean     backwards)
{
  guint cursor;
  guint from = 0, n;
  int line;
  guint position;

  g_return_val_if_fail (PW_IS_RUNS_PANEL (self), FALSE);

  if (self->log == NULL)
    return FALSE;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->log));
  cursor = pw_log_view_get_cursor (self->log_view);
  if (cursor != G_MAXUINT && (from = pw_log_model_visible_line (self->log, cursor)) != G_MAXUINT)
    from = (backwards ? from + n - 1 : from + 1) % MAX (n, 1);
  else
    from = 0;
  pw_log_view_set_highlight (self->log_view, text);
  line = pw_log_model_find (self->log, text, from, backwards);
  if (line < 0)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->search_entry), "error");
      return FALSE;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->search_entry), "error");
  position = pw_log_model_visible_position (self->log, (guint)line);
  pw_log_view_set_cursor (self->log_view, position);
  return TRUE;
}

static void
search_next_cb (PwRunsPanel *self)
{
  pw_runs_panel_search (self, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), FALSE);
}

static void
search_previous_cb (PwRunsPanel *self)
{
  pw_runs_panel_search (self, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), TRUE);
}

static void
copy_cb (PwRunsPanel *self)
{
  g_autofree char *text = NULL;

  if (self->log == NULL)
    return;
  text = pw_log_model_dup_text (self->log);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
}

/* logs/EXECUTION/STAGE/ACTION.log → work/EXECUTION/ACTION-EXECUTION-ID */
static void
folder_cb (PwRunsPanel *self)
{
  g_autofree char *stage_dir = NULL, *exec_dir = NULL, *logs_dir = NULL, *state_dir = NULL;
  g_autofree char *work = NULL, *uri = NULL;
  const char *log_path;

  if (self->action == NULL || (log_path = pw_action_execution_get_log_path (self->action)) == NULL)
    return;
  stage_dir = g_path_get_dirname (log_path);
  exec_dir = g_path_get_dirname (stage_dir);
  logs_dir = g_path_get_dirname (exec_dir);
  state_dir = g_path_get_dirname (logs_dir);
  work = g_build_filename (state_dir, "work", pw_execution_get_id (self->execution),
                           pw_action_execution_get_id (self->action), NULL);
  if (!g_file_test (work, G_FILE_TEST_IS_DIR))
    {
      g_free (work);
      work = g_strdup (stage_dir);
    }
  uri = g_filename_to_uri (work, NULL, NULL);
  if (uri != NULL)
    gtk_show_uri (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), uri, GDK_CURRENT_TIME);
}

/* GObject ------------------------------------------------------------------ */

static GtkWidget *
icon_button (const char *icon,
             const char *tooltip)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_add_css_class (button, "flat");
  return button;
}

/* A page of boxed rows, scrolled. */
static GtkListBox *
list_page (PwRunsPanel *self,
           const char  *name,
           const char  *title)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_widget_set_valign (list, GTK_ALIGN_START);
  gtk_widget_set_margin_start (list, 12);
  gtk_widget_set_margin_end (list, 12);
  gtk_widget_set_margin_top (list, 12);
  gtk_widget_set_margin_bottom (list, 12);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_stack_add_titled (self->pages, scroller, name, title);
  return GTK_LIST_BOX (list);
}

static void
build (PwRunsPanel *self)
{
  GtkWidget *left = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *right = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *bar, *scroller, *button, *empty;
  GtkStringList *choices = gtk_string_list_new (NULL);

  /* The history. */
  bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_add_css_class (bar, "toolbar");
  {
    GtkWidget *label = gtk_label_new (_("Executions"));

    gtk_widget_add_css_class (label, "heading");
    gtk_widget_set_hexpand (label, TRUE);
    gtk_label_set_xalign (GTK_LABEL (label), 0);
    gtk_box_append (GTK_BOX (bar), label);
  }
  gtk_string_list_append (choices, _("All"));
  gtk_string_list_append (choices, _("In progress"));
  gtk_string_list_append (choices, _("Succeeded"));
  gtk_string_list_append (choices, _("Failed"));
  gtk_string_list_append (choices, _("Stopped"));
  gtk_string_list_append (choices, _("Superseded"));
  self->filter_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (choices), NULL));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->filter_dropdown), _("Show executions with this status"));
  g_signal_connect_swapped (self->filter_dropdown, "notify::selected", G_CALLBACK (filter_changed_cb), self);
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->filter_dropdown));
  gtk_box_append (GTK_BOX (left), bar);

  self->status_filter = gtk_custom_filter_new (status_filter_func, self, NULL);
  self->history_filter = gtk_filter_list_model_new (NULL, GTK_FILTER (g_object_ref (self->status_filter)));
  self->history_selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->history_filter)));
  gtk_single_selection_set_autoselect (self->history_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->history_selection, TRUE);
  g_signal_connect_swapped (self->history_selection, "notify::selected", G_CALLBACK (history_selected_cb), self);
  self->history = GTK_COLUMN_VIEW (gtk_column_view_new (GTK_SELECTION_MODEL (g_object_ref (self->history_selection))));
  gtk_column_view_set_show_column_separators (self->history, FALSE);
  add_column (self, _("Execution"), COL_ID, FALSE);
  add_column (self, _("Status"), COL_STATUS, FALSE);
  add_column (self, _("Trigger"), COL_TRIGGER, FALSE);
  add_column (self, _("Source"), COL_REVISIONS, TRUE);
  add_column (self, _("Started"), COL_STARTED, FALSE);
  add_column (self, _("Duration"), COL_DURATION, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->history), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Executions"), -1);
  scroller = gtk_scrolled_window_new ();
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->history));
  gtk_box_append (GTK_BOX (left), scroller);

  /* The selected action's log and tests, the run's artifacts and variables. */
  self->pages = GTK_STACK (gtk_stack_new ());
  bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_add_css_class (bar, "toolbar");
  {
    GtkWidget *switcher = gtk_stack_switcher_new ();

    gtk_stack_switcher_set_stack (GTK_STACK_SWITCHER (switcher), self->pages);
    gtk_box_append (GTK_BOX (bar), switcher);
  }
  self->log_title = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->log_title), "heading");
  gtk_label_set_xalign (self->log_title, 0);
  gtk_label_set_ellipsize (self->log_title, PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (GTK_WIDGET (self->log_title), TRUE);
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->log_title));
  self->log_tools = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (bar), self->log_tools);
  self->search_entry = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  g_object_set (self->search_entry, "placeholder-text", _("Search the log"), NULL);
  g_signal_connect_swapped (self->search_entry, "activate", G_CALLBACK (search_next_cb), self);
  g_signal_connect_swapped (self->search_entry, "next-match", G_CALLBACK (search_next_cb), self);
  g_signal_connect_swapped (self->search_entry, "previous-match", G_CALLBACK (search_previous_cb), self);
  gtk_box_append (GTK_BOX (self->log_tools), GTK_WIDGET (self->search_entry));
  button = icon_button ("go-up-symbolic", _("Previous match (Shift+Ctrl+G)"));
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (search_previous_cb), self);
  gtk_box_append (GTK_BOX (self->log_tools), button);
  button = icon_button ("go-down-symbolic", _("Next match (Ctrl+G)"));
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (search_next_cb), self);
  gtk_box_append (GTK_BOX (self->log_tools), button);
  self->copy_button = icon_button ("edit-copy-symbolic", _("Copy the log"));
  g_signal_connect_swapped (self->copy_button, "clicked", G_CALLBACK (copy_cb), self);
  gtk_box_append (GTK_BOX (self->log_tools), self->copy_button);
  self->folder_button = icon_button ("folder-open-symbolic", _("Open the action's work folder"));
  g_signal_connect_swapped (self->folder_button, "clicked", G_CALLBACK (folder_cb), self);
  gtk_box_append (GTK_BOX (self->log_tools), self->folder_button);
  gtk_box_append (GTK_BOX (right), bar);

  self->log_view = PW_LOG_VIEW (pw_log_view_new ());
  scroller = gtk_scrolled_window_new ();
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->log_view));

  self->log_stack = gtk_stack_new ();
  empty = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), "utilities-terminal-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _("No Log"));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
                                   _("Run the pipeline (F5), then select an action to follow its log"));
  gtk_widget_add_css_class (empty, "compact");
  gtk_stack_add_named (GTK_STACK (self->log_stack), empty, "empty");
  gtk_stack_add_named (GTK_STACK (self->log_stack), scroller, "log");
  gtk_widget_set_vexpand (self->log_stack, TRUE);
  gtk_stack_add_titled (self->pages, self->log_stack, "log", _("Log"));
  self->tests_list = list_page (self, "tests", _("Tests"));
  self->artifacts_list = list_page (self, "artifacts", _("Artifacts"));
  self->variables_list = list_page (self, "variables", _("Variables"));
  gtk_widget_set_vexpand (GTK_WIDGET (self->pages), TRUE);
  g_signal_connect_swapped (self->pages, "notify::visible-child", G_CALLBACK (sync_page), self);
  gtk_box_append (GTK_BOX (right), GTK_WIDGET (self->pages));

  self->paned = gtk_paned_new (GTK_ORIENTATION_HORIZONTAL);
  gtk_paned_set_start_child (GTK_PANED (self->paned), left);
  gtk_paned_set_end_child (GTK_PANED (self->paned), right);
  gtk_paned_set_position (GTK_PANED (self->paned), 520);
  gtk_paned_set_shrink_start_child (GTK_PANED (self->paned), FALSE);
  /* The history keeps its width; the log takes what the window gains
   * (and gets it back after the window was narrow). */
  gtk_paned_set_resize_start_child (GTK_PANED (self->paned), FALSE);
  gtk_widget_set_size_request (left, 240, -1);
  gtk_widget_set_parent (self->paned, GTK_WIDGET (self));
  set_log (self, NULL);
}

static void
pw_runs_panel_dispose (GObject *object)
{
  PwRunsPanel *self = PW_RUNS_PANEL (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  pw_runs_panel_set_controller (self, NULL);
  set_log (self, NULL);
  g_clear_pointer (&self->paned, gtk_widget_unparent);
  g_clear_object (&self->history_selection);
  g_clear_object (&self->history_filter);
  g_clear_object (&self->status_filter);

  G_OBJECT_CLASS (pw_runs_panel_parent_class)->dispose (object);
}

static void
pw_runs_panel_finalize (GObject *object)
{
  PwRunsPanel *self = PW_RUNS_PANEL (object);

  g_free (self->stage_name);
  g_free (self->action_name);

  G_OBJECT_CLASS (pw_runs_panel_parent_class)->finalize (object);
}

static void
pw_runs_panel_class_init (PwRunsPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pw_runs_panel_dispose;
  object_class->finalize = pw_runs_panel_finalize;
  widget_class->map = pw_runs_panel_map;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "runspanel");
}

static void
pw_runs_panel_init (PwRunsPanel *self)
{
  build (self);
}

void
pw_runs_panel_set_controller (PwRunsPanel     *self,
                              PwRunController *runs)
{
  g_return_if_fail (PW_IS_RUNS_PANEL (self));

  if (self->runs == runs)
    return;
  if (self->runs != NULL)
    g_signal_handlers_disconnect_by_data (self->runs, self);
  if (self->execution != NULL)
    g_signal_handlers_disconnect_by_func (self->execution, execution_changed_cb, self);
  g_clear_object (&self->execution);
  g_set_object (&self->runs, runs);
  if (runs != NULL)
    {
      g_signal_connect_swapped (runs, "notify::executions", G_CALLBACK (executions_cb), self);
      g_signal_connect_swapped (runs, "notify::execution", G_CALLBACK (shown_execution_cb), self);
    }
  executions_cb (self);
  shown_execution_cb (self);
}

/* The log of @action_name in @stage_name, in the run shown (now or when it
 * gets there); %NULL names: the action that failed or runs. */
void
pw_runs_panel_show_action (PwRunsPanel *self,
                           const char  *stage_name,
                           const char  *action_name)
{
  g_return_if_fail (PW_IS_RUNS_PANEL (self));

  g_free (self->stage_name);
  g_free (self->action_name);
  self->stage_name = g_strdup (stage_name);
  self->action_name = g_strdup (action_name);
  set_log (self, pick_action (self));
  sync_page (self);
}

GtkColumnView *
pw_runs_panel_get_history (PwRunsPanel *self)
{
  return self->history;
}

PwLogModel *
pw_runs_panel_get_log (PwRunsPanel *self)
{
  return self->log;
}

GtkStack *
pw_runs_panel_get_pages (PwRunsPanel *self)
{
  return self->pages;
}

GtkListBox *
pw_runs_panel_get_page_list (PwRunsPanel *self,
                             const char  *page)
{
  if (g_strcmp0 (page, "tests") == 0)
    return self->tests_list;
  if (g_strcmp0 (page, "artifacts") == 0)
    return self->artifacts_list;
  if (g_strcmp0 (page, "variables") == 0)
    return self->variables_list;
  return NULL;
}

PwLogView *
pw_runs_panel_get_log_view (PwRunsPanel *self)
{
  return self->log_view;
}

const char *
pw_runs_panel_get_log_title (PwRunsPanel *self)
{
  return gtk_label_get_text (self->log_title);
}
