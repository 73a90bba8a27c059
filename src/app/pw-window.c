/* pw-window.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-window"

#include "config.h"

#include <glib/gi18n.h>

#include "pw-app-util.h"
#include "pw-window-private.h"

/*
 * A window holds one pipeline file (DESIGN.md §6): the canvas in the
 * middle, the palette on the left, the inspector on the right, and the
 * Code and Problems panels below or beside. Without a file it shows the
 * start page. The window wires the views to each other by model path: a
 * selection on the canvas selects the element's text, the cursor in the
 * text selects the element under it, a finding selects both.
 *
 * libadwaita 1.2 has no breakpoints: the flaps fold on their own when the
 * window is too narrow for them, and the folded state is what switches the
 * narrow layout (a bottom bar with the toggles, the panels below).
 */

G_DEFINE_FINAL_TYPE (PwWindow, pw_window, ADW_TYPE_APPLICATION_WINDOW)

static const struct {
  const char *id;
  const char *title;
  const char *description;
} templates[] = {
  { "source-build-deploy", N_("Source → Build → Deploy"),
    N_("A repository, a CodeBuild build and a deployment") },
  { "build-test-approve-deploy", N_("Build and Test, Approve, Deploy"),
    N_("Build and tests in parallel, a manual approval, then CloudFormation") },
  { "v2-trigger-variables", N_("V2 with a Git Trigger and Variables"),
    N_("Runs on pushes and pull requests; variables set per execution") },
  { "empty", N_("Empty Pipeline"),
    N_("A source stage and an empty stage to start drawing") },
};

/* Title and actions ------------------------------------------------------- */

static void
update_title (PwWindow *self)
{
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *shown = NULL;
  GFile *file;

  if (self->document == NULL)
    {
      adw_window_title_set_title (self->window_title, _("Pipewright"));
      adw_window_title_set_subtitle (self->window_title, NULL);
      gtk_window_set_title (GTK_WINDOW (self), _("Pipewright"));
      return;
    }

  title = pw_text_document_dup_title (self->document);
  file = pw_text_document_get_file (self->document);
  if (file != NULL)
    {
      g_autoptr(GFile) parent = g_file_get_parent (file);
      g_autofree char *path = parent != NULL ? g_file_get_path (parent) : NULL;
      const char *home = g_get_home_dir ();

      if (path != NULL && home != NULL && g_str_has_prefix (path, home))
        subtitle = g_strdup_printf ("~%s", path + strlen (home));
      else
        subtitle = g_steal_pointer (&path);
    }
  else
    subtitle = g_strdup (_("Not saved"));

  if (pw_text_document_get_logical_id (self->document) != NULL)
    {
      g_autofree char *with_id = g_strdup_printf ("%s — %s", subtitle != NULL ? subtitle : "",
                                                  pw_text_document_get_logical_id (self->document));
      g_free (subtitle);
      subtitle = g_steal_pointer (&with_id);
    }

  /* The dirty state in the title, as GNOME's editors show it. */
  shown = pw_text_document_get_modified (self->document) ? g_strdup_printf ("• %s", title) : g_strdup (title);
  adw_window_title_set_title (self->window_title, shown);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_window_set_title (GTK_WINDOW (self), shown);
}

static void
update_history_tooltips (PwWindow *self)
{
  PwHistory *history = self->document != NULL ? pw_text_document_get_history (self->document) : NULL;
  const char *undo = history != NULL ? pw_history_get_undo_label (history) : NULL;
  const char *redo = history != NULL ? pw_history_get_redo_label (history) : NULL;
  g_autofree char *undo_tip = NULL;
  g_autofree char *redo_tip = NULL;

  /* Translators: a tooltip: "Undo Move action Build (Ctrl+Z)" */
  undo_tip = undo != NULL ? g_strdup_printf (_("Undo %s (Ctrl+Z)"), undo) : g_strdup (_("Undo (Ctrl+Z)"));
  /* Translators: a tooltip: "Redo Move action Build (Shift+Ctrl+Z)" */
  redo_tip = redo != NULL ? g_strdup_printf (_("Redo %s (Shift+Ctrl+Z)"), redo) : g_strdup (_("Redo (Shift+Ctrl+Z)"));
  gtk_widget_set_tooltip_text (self->undo_button, undo_tip);
  gtk_widget_set_tooltip_text (self->redo_button, redo_tip);
  _pw_window_actions_update (self);
}

static void
update_zoom_label (PwWindow *self)
{
  g_autofree char *text = g_strdup_printf ("%.0f%%", pw_canvas_get_zoom (self->canvas) * 100);

  gtk_button_set_label (self->zoom_button, text);
}

/* Stages an intrinsic decides (`Stages: !If [...]`) read, but there is
 * nothing to draw: the canvas says why, and Show goes to them. */
gboolean
_pw_window_get_intrinsic_stages (PwWindow    *self,
                                 const char **function,
                                 guint       *line,
                                 guint       *column)
{
  PwPipeline *pipeline = NULL;
  JsonNode *stages;
  JsonObjectIter iter;

  g_assert (PW_IS_WINDOW (self));

  if (self->document != NULL)
    pipeline = pw_text_document_get_pipeline (self->document);
  if (pipeline == NULL)
    return FALSE;
  stages = pw_element_get_member (PW_ELEMENT (pipeline), "stages");
  if (stages == NULL || !pw_cfn_is_intrinsic (stages))
    return FALSE;

  /* An intrinsic is an object of one member, named after the function. */
  json_object_iter_init_ordered (&iter, json_node_get_object (stages));
  if (!json_object_iter_next_ordered (&iter, function, NULL))
    return FALSE;
  if (!pw_element_locate_node (PW_ELEMENT (pipeline), stages, FALSE, line, column))
    *line = *column = 0;
  return TRUE;
}

static void
update_stale (PwWindow *self)
{
  const GError *error = self->document != NULL ? pw_text_document_get_error (self->document) : NULL;
  gboolean has_model = self->document != NULL && pw_text_document_get_pipeline (self->document) != NULL;
  const char *function;
  guint line, column;

  if (error == NULL && _pw_window_get_intrinsic_stages (self, &function, &line, &column))
    {
      g_autofree char *text = NULL;

      if (line > 0)
        /* Translators: over the empty canvas; %s is a CloudFormation function, such as Fn::If */
        text = g_strdup_printf (_("An intrinsic function (%s) on line %u, column %u decides "
                                  "the stages: edit them in the code view"),
                                function, line, column);
      else
        /* Translators: over the empty canvas; %s is a CloudFormation function, such as Fn::If */
        text = g_strdup_printf (_("An intrinsic function (%s) decides the stages: edit them in "
                                  "the code view"), function);
      gtk_label_set_text (self->stale_label, text);
      gtk_revealer_set_reveal_child (self->stale_revealer, TRUE);
      return;
    }

  if (error == NULL)
    {
      gtk_revealer_set_reveal_child (self->stale_revealer, FALSE);
      return;
    }

  if (pw_text_document_get_error_location (self->document, &line, &column))
    {
      g_autofree char *text = has_model
        /* Translators: shown over the canvas while the text has an error */
        ? g_strdup_printf (_("The text has an error on line %u; the canvas shows the last version that read"), line)
        : g_strdup_printf (_("The file does not read as a pipeline: the error is on line %u, column %u"), line, column);
      gtk_label_set_text (self->stale_label, text);
    }
  else
    gtk_label_set_text (self->stale_label, error->message);
  gtk_revealer_set_reveal_child (self->stale_revealer, TRUE);
}

static void
update_problems_badge (PwWindow *self)
{
  guint errors = pw_problems_panel_get_n_errors (self->problems_panel);
  g_autofree char *summary = pw_problems_panel_dup_summary (self->problems_panel);

  adw_view_stack_page_set_badge_number (self->problems_page, errors);
  adw_view_stack_page_set_needs_attention (self->problems_page, errors > 0);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->problems_panel), summary);
}

static void
present_now (PwWindow *self)
{
  g_clear_handle_id (&self->present_source, g_source_remove);
  gtk_window_present (GTK_WINDOW (self));
}

static gboolean
present_timeout_cb (gpointer data)
{
  PwWindow *self = data;

  self->present_source = 0;
  gtk_window_present (GTK_WINDOW (self));
  return G_SOURCE_REMOVE;
}

static void
document_changed_cb (PwWindow       *self,
                     PwTextDocument *document)
{
  update_stale (self);
  update_problems_badge (self);
  _pw_window_actions_update (self);

  /* Read (or found unreadable): the window can show it. */
  if (self->present_source != 0 && !pw_text_document_get_busy (document))
    present_now (self);

  /* A file that does not read opens with the code at the error. */
  if (pw_text_document_get_error (document) != NULL && pw_text_document_get_pipeline (document) == NULL &&
      !self->opened_error_panel)
    {
      guint line, column;

      self->opened_error_panel = TRUE;
      self->panel_visible = TRUE;
      adw_view_stack_set_visible_child_name (self->panel_stack, "code");
      _pw_window_sync_panel (self);
      if (pw_text_document_get_error_location (document, &line, &column))
        pw_code_view_goto (self->code_view, line, column);
    }
}

static void
edit_failed_cb (PwWindow       *self,
                const char     *message,
                PwTextDocument *document)
{
  pw_window_add_toast (self, message);
}

static void
externally_modified_cb (PwWindow       *self,
                        GParamSpec     *pspec,
                        PwTextDocument *document)
{
  gboolean changed = pw_text_document_get_externally_modified (document);
  g_autofree char *title = pw_text_document_dup_title (document);
  g_autofree char *text = NULL;

  if (changed && !pw_text_document_get_modified (document))
    {
      /* Nothing of the user's to lose: follow the file, as an undoable step. */
      gtk_widget_activate_action (GTK_WIDGET (self), "win.reload", NULL);
      return;
    }

  /* Translators: %s is a file name */
  text = g_strdup_printf (_("“%s” changed on disk. Reload it, or keep your version and overwrite the file "
                            "when you save?"), title);
  gtk_label_set_text (self->disk_label, text);
  gtk_info_bar_set_revealed (self->disk_bar, changed);
  _pw_window_actions_update (self);
}

/* A template with several pipelines: which one? */
static void
choice_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    PwWindow         *self)
{
  if (self->document == NULL)
    return;

  if (g_str_equal (response, "cancel"))
    {
      GStrv ids = g_object_get_data (G_OBJECT (dialog), "ids");
      response = ids != NULL && ids[0] != NULL ? ids[0] : NULL;
    }
  if (response != NULL)
    pw_text_document_set_logical_id (self->document, response);
  update_title (self);
}

static void
pipeline_choice_cb (PwWindow       *self,
                    GStrv           ids,
                    PwTextDocument *document)
{
  g_autofree char *title = pw_text_document_dup_title (document);
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Which Pipeline?"), NULL));
  /* Translators: %s is a file name */
  adw_message_dialog_format_body (dialog, _("“%s” defines several pipelines. Choose the one to edit; the "
                                            "rest of the template stays as it is."), title);
  for (guint i = 0; ids[i] != NULL; i++)
    adw_message_dialog_add_response (dialog, ids[i], ids[i]);
  adw_message_dialog_set_default_response (dialog, ids[0]);
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "ids", g_strdupv (ids), (GDestroyNotify)g_strfreev);
  g_signal_connect_object (dialog, "response", G_CALLBACK (choice_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Wiring the views by model path -------------------------------------------- */

/* The Runs panel follows the action selected on the canvas. */
static void
show_selected_log (PwWindow   *self,
                   const char *selection)
{
  PwElementRef ref;
  PwPipeline *pipeline = self->document != NULL ? pw_text_document_get_pipeline (self->document) : NULL;
  PwStage *stage;
  PwAction *action;

  if (pipeline == NULL || selection == NULL || !pw_path_parse_element (selection, &ref) ||
      ref.stage < 0 || ref.action < 0 || (guint)ref.stage >= pw_pipeline_get_n_stages (pipeline))
    return;
  stage = pw_pipeline_get_stage (pipeline, (guint)ref.stage);
  if (pw_element_is_opaque (PW_ELEMENT (stage)) || (guint)ref.action >= pw_stage_get_n_actions (stage))
    return;
  action = pw_stage_get_action (stage, (guint)ref.action);
  pw_runs_panel_show_action (self->runs_panel, pw_stage_get_name (stage), pw_action_get_name (action));
}

static void
canvas_selection_cb (PwWindow   *self,
                     GParamSpec *pspec,
                     PwCanvas   *canvas)
{
  const char *selection = pw_canvas_get_selection (canvas);

  pw_inspector_set_selection (self->inspector, selection);
  gtk_label_set_text (self->cursor_label, selection != NULL ? selection : "");
  show_selected_log (self, selection);

  if (self->syncing_selection || selection == NULL)
    return;

  /* The element's text, selected in the code view. */
  if (!g_str_has_prefix (selection, "artifact:"))
    pw_code_view_select_path (self->code_view, selection);
}

static void
canvas_activate_cb (PwWindow *self,
                    PwCanvas *canvas)
{
  if (adw_flap_get_folded (self->inspector_flap))
    adw_flap_set_reveal_flap (self->inspector_flap, TRUE);
  else if (!adw_flap_get_reveal_flap (self->inspector_flap))
    adw_flap_set_reveal_flap (self->inspector_flap, TRUE);
}

static void
inspector_select_cb (PwWindow    *self,
                     const char  *path,
                     PwInspector *inspector)
{
  pw_canvas_set_selection (self->canvas, path);
  pw_canvas_reveal_selection (self->canvas);
}

static void
inspector_show_in_code_cb (PwWindow    *self,
                           const char  *path,
                           PwInspector *inspector)
{
  self->panel_visible = TRUE;
  adw_view_stack_set_visible_child_name (self->panel_stack, "code");
  _pw_window_sync_panel (self);
  pw_code_view_select_path (self->code_view, path);
  gtk_widget_grab_focus (GTK_WIDGET (pw_code_view_get_view (self->code_view)));
}

static void
code_cursor_path_cb (PwWindow   *self,
                     const char *path,
                     PwCodeView *code_view)
{
  self->syncing_selection = TRUE;
  pw_canvas_set_selection (self->canvas, path);
  self->syncing_selection = FALSE;
}

static void
problem_activated_cb (PwWindow        *self,
                      PwDiagnostic    *diagnostic,
                      PwProblemsPanel *panel)
{
  self->syncing_selection = TRUE;
  pw_canvas_set_selection (self->canvas, pw_diagnostic_get_path (diagnostic));
  self->syncing_selection = FALSE;
  pw_canvas_reveal_selection (self->canvas);
  if (pw_diagnostic_get_line (diagnostic) > 0)
    pw_code_view_goto (self->code_view, pw_diagnostic_get_line (diagnostic), pw_diagnostic_get_column (diagnostic));
}

static void
show_error_cb (PwWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-error", NULL);
}

/* Layout -------------------------------------------------------------------- */

/* Bottom or side, shown or not; narrow windows always get the bottom. */
void
_pw_window_sync_panel (PwWindow *self)
{
  g_autofree char *position = g_settings_get_string (self->settings, "panel-position");
  gboolean folded = adw_flap_get_folded (self->inspector_flap);
  gboolean side = g_str_equal (position, "side") && !folded;

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self->panel_paned),
                                  side ? GTK_ORIENTATION_HORIZONTAL : GTK_ORIENTATION_VERTICAL);
  gtk_widget_set_visible (self->panel_box, self->panel_visible);
  gtk_toggle_button_set_active (self->panel_toggle, self->panel_visible);
  gtk_button_set_icon_name (GTK_BUTTON (self->panel_toggle),
                            side ? "sidebar-show-right-symbolic" : "pw-panel-bottom-symbolic");
  g_settings_set_boolean (self->settings, "panel-visible", self->panel_visible);
}

static void
panel_toggled_cb (PwWindow        *self,
                  GtkToggleButton *button)
{
  if (gtk_toggle_button_get_active (button) != self->panel_visible)
    {
      self->panel_visible = gtk_toggle_button_get_active (button);
      _pw_window_sync_panel (self);
    }
}

static void
apply_folded (PwWindow *self)
{
  gboolean folded = adw_flap_get_folded (self->inspector_flap);

  /* Narrow: the toggles move to a bottom bar. The header bar's own buttons
   * give way by themselves (squeezers), within the same allocation. */
  gtk_action_bar_set_revealed (self->narrow_bar, folded && self->document != NULL);
  /* The run bar (with an approval's buttons) and the zoom controls share
   * the canvas's bottom edge; narrow, the run bar goes above them. */
  {
    int zoom_height = 0;

    gtk_widget_measure (self->zoom_box, GTK_ORIENTATION_VERTICAL, -1, NULL, &zoom_height, NULL, NULL);
    gtk_widget_set_margin_bottom (GTK_WIDGET (self->run_revealer), folded ? 12 + zoom_height + 6 : 12);
  }
  _pw_window_sync_panel (self);
}

static gboolean
apply_folded_cb (gpointer data)
{
  PwWindow *self = data;

  self->folded_source = 0;
  apply_folded (self);
  return G_SOURCE_REMOVE;
}

/* The flap folds while the window is being allocated: changing what is
 * shown right then would allocate half a header bar. Do it after. */
static void
folded_cb (PwWindow   *self,
           GParamSpec *pspec,
           AdwFlap    *flap)
{
  if (self->folded_source == 0)
    /* Above the redraws: right after this frame, before the next one,
     * even when frames follow each other without a pause. */
    self->folded_source = g_idle_add_full (G_PRIORITY_HIGH_IDLE + 10, apply_folded_cb, self, NULL);
}

static void
settings_changed_cb (PwWindow   *self,
                     const char *key,
                     GSettings  *settings)
{
  _pw_window_sync_panel (self);
}

/* The start page --------------------------------------------------------------- */

static void
template_activated_cb (AdwActionRow *row,
                       PwWindow     *self)
{
  const char *id = g_object_get_data (G_OBJECT (row), "template");

  gtk_widget_activate_action (GTK_WIDGET (self), "win.new-from-template", "s", id);
}

static void
recent_activated_cb (GtkListBox    *list,
                     GtkListBoxRow *row,
                     PwWindow      *self)
{
  const char *path = g_object_get_data (G_OBJECT (row), "path");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  pw_application_open_file (PW_APPLICATION (app), file, self);
}

static GtkWidget *
create_recent_row (gpointer item,
                   gpointer user_data)
{
  const char *path = gtk_string_object_get_string (item);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) parent = g_file_get_parent (file);
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *folder = parent != NULL ? g_file_get_path (parent) : g_strdup ("");
  g_autofree char *escaped_name = g_markup_escape_text (name, -1);
  g_autofree char *escaped_folder = g_markup_escape_text (folder, -1);
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped_name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped_folder);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("document-open-recent-symbolic"));
  g_object_set_data_full (G_OBJECT (row), "path", g_strdup (path), g_free);
  return row;
}

static void
recent_changed_cb (PwWindow   *self,
                   guint       position,
                   guint       removed,
                   guint       added,
                   GListModel *recent)
{
  gtk_widget_set_visible (GTK_WIDGET (self->recent_group), g_list_model_get_n_items (recent) > 0);
}

static void
build_start_page (PwWindow *self)
{
  PwApplication *app = PW_APPLICATION (g_application_get_default ());

  for (guint i = 0; i < G_N_ELEMENTS (templates); i++)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(templates[i].title));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _(templates[i].description));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      g_object_set_data (G_OBJECT (row), "template", (gpointer)templates[i].id);
      g_signal_connect_object (row, "activated", G_CALLBACK (template_activated_cb), self, 0);
      adw_preferences_group_add (self->templates_group, row);
    }

  if (PW_IS_APPLICATION (app))
    {
      GListModel *recent = pw_application_get_recent (app);

      gtk_list_box_bind_model (self->recent_list, recent, create_recent_row, NULL, NULL);
      g_signal_connect_object (recent, "items-changed", G_CALLBACK (recent_changed_cb), self, G_CONNECT_SWAPPED);
      recent_changed_cb (self, 0, 0, 0, recent);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->recent_group), FALSE);

  g_signal_connect_object (self->recent_list, "row-activated", G_CALLBACK (recent_activated_cb), self, 0);
}

/* Documents --------------------------------------------------------------------- */

/* The executor's transitions, on the canvas. */
static void
transitions_changed_cb (PwWindow *self)
{
  g_autoptr(GHashTable) disabled = self->runs != NULL ? pw_run_controller_dup_disabled_transitions (self->runs) : NULL;

  pw_canvas_set_disabled_transitions (self->canvas, disabled);
}

/* Who waits where, on the transitions. */
static void
activity_cb (PwWindow *self)
{
  g_autoptr(GHashTable) waiting = self->runs != NULL ? pw_run_controller_dup_waiting (self->runs) : NULL;

  pw_canvas_set_waiting (self->canvas, waiting);
}

static void
set_document (PwWindow       *self,
              PwTextDocument *document)
{
  g_assert (self->document == NULL);

  self->document = g_object_ref (document);
  g_signal_connect_object (document, "changed", G_CALLBACK (document_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (document, "edit-failed", G_CALLBACK (edit_failed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (document, "pipeline-choice", G_CALLBACK (pipeline_choice_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (document, "notify::title", G_CALLBACK (update_title), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (document, "notify::modified", G_CALLBACK (update_title), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (document, "notify::file", G_CALLBACK (update_title), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (document, "notify::externally-modified", G_CALLBACK (externally_modified_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (pw_text_document_get_history (document), "notify::undo-label",
                           G_CALLBACK (update_history_tooltips), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (pw_text_document_get_history (document), "notify::redo-label",
                           G_CALLBACK (update_history_tooltips), self, G_CONNECT_SWAPPED);

  pw_canvas_set_document (self->canvas, document);
  pw_inspector_set_document (self->inspector, document);
  pw_code_view_set_document (self->code_view, document);
  pw_problems_panel_set_document (self->problems_panel, document);

  self->runs = pw_run_controller_new (document);
  g_signal_connect_swapped (self->runs, "notify::execution", G_CALLBACK (_pw_window_sync_run), self);
  g_signal_connect_swapped (self->runs, "notify::running", G_CALLBACK (_pw_window_sync_run), self);
  g_signal_connect_swapped (self->runs, "notify::approval", G_CALLBACK (_pw_window_sync_run), self);
  g_signal_connect_swapped (self->runs, "transitions-changed", G_CALLBACK (transitions_changed_cb), self);
  g_signal_connect_swapped (self->runs, "activity", G_CALLBACK (activity_cb), self);
  activity_cb (self);
  pw_runs_panel_set_controller (self->runs_panel, self->runs);
  _pw_window_sync_run (self);

  gtk_stack_set_visible_child_name (self->main_stack, "editor");
  apply_folded (self);
  update_title (self);
  update_history_tooltips (self);
}

static void
show_loaded (PwWindow *self)
{
  document_changed_cb (self, self->document);
  update_title (self);
  pw_canvas_set_selection (self->canvas, "");
  gtk_widget_grab_focus (GTK_WIDGET (self->canvas));
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(PwWindow) self = user_data;
  PwTextDocument *document = PW_TEXT_DOCUMENT (object);
  g_autoptr(GError) error = NULL;

  g_clear_object (&self->loading_file);
  if (!pw_text_document_load_finish (document, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      if (self->present_source != 0)
        present_now (self);

      /* Nothing was opened: back to the start page with the reason. */
      if (self->document == document && pw_text_document_get_file (document) == NULL &&
          gtk_text_buffer_get_char_count (GTK_TEXT_BUFFER (pw_text_document_get_buffer (document))) == 0)
        {
          if (self->runs != NULL)
            g_signal_handlers_disconnect_by_data (self->runs, self);
          pw_runs_panel_set_controller (self->runs_panel, NULL);
          g_clear_object (&self->runs);
          _pw_window_sync_run (self);
          g_clear_object (&self->document);
          pw_canvas_set_document (self->canvas, NULL);
          gtk_stack_set_visible_child_name (self->main_stack, "start");
          update_title (self);
          _pw_window_actions_update (self);
          gtk_action_bar_set_revealed (self->narrow_bar, FALSE);
        }
      pw_window_add_toast (self, error->message);
      return;
    }

  {
    GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
    if (PW_IS_APPLICATION (app))
      pw_application_add_recent (PW_APPLICATION (app), pw_text_document_get_file (document));
  }
  show_loaded (self);
  if (self->present_source != 0 && !pw_text_document_get_busy (document))
    present_now (self);
}

/* Dropping files on the window opens them. */
static gboolean
drop_files_cb (GtkDropTarget *target,
               const GValue  *value,
               double         x,
               double         y,
               PwWindow      *self)
{
  GSList *files;
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST) || !PW_IS_APPLICATION (app))
    return FALSE;

  files = g_value_get_boxed (value);
  for (GSList *l = files; l != NULL; l = l->next)
    pw_application_open_file (PW_APPLICATION (app), l->data, self);
  return files != NULL;
}

/* Closing ----------------------------------------------------------------------- */

static void
close_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   PwWindow         *self)
{
  if (g_str_equal (response, "discard"))
    {
      /* The dialog is closed already but libadwaita drops its last
       * reference only after this handler; GTK 4.8 would keep this window
       * as its parent once destroyed, and touch it then. Let go first. */
      gtk_window_set_transient_for (GTK_WINDOW (dialog), NULL);
      self->closing = TRUE;
      gtk_window_destroy (GTK_WINDOW (self));
    }
  else if (g_str_equal (response, "save"))
    _pw_window_save (self, FALSE, TRUE);
}

static void
save_window_state (PwWindow *self)
{
  int width, height;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (GTK_WINDOW (self)));
  if (!gtk_window_is_maximized (GTK_WINDOW (self)) && width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_double (self->settings, "zoom", pw_canvas_get_zoom (self->canvas));
  if (gtk_widget_get_visible (self->panel_box))
    g_settings_set_int (self->settings, "panel-size", gtk_paned_get_position (self->panel_paned));
}

static gboolean
pw_window_close_request (GtkWindow *window)
{
  PwWindow *self = PW_WINDOW (window);
  AdwMessageDialog *dialog;
  g_autofree char *title = NULL;

  save_window_state (self);

  if (self->closing || self->document == NULL || !pw_text_document_get_modified (self->document))
    return GTK_WINDOW_CLASS (pw_window_parent_class)->close_request (window);

  title = pw_text_document_dup_title (self->document);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (window, _("Save Changes?"), NULL));
  /* Translators: %s is a file name */
  adw_message_dialog_format_body (dialog, _("“%s” has unsaved changes. Changes you do not save are lost."),
                                  title);
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "discard", _("_Discard"),
                                    "save", _("_Save"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (dialog, "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "save");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (close_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));

  return GDK_EVENT_STOP;
}

/* GObject ------------------------------------------------------------------------ */

static void
pw_window_dispose (GObject *object)
{
  PwWindow *self = (PwWindow *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->folded_source, g_source_remove);
  g_clear_handle_id (&self->present_source, g_source_remove);
  if (self->file_chooser != NULL)
    gtk_native_dialog_destroy (self->file_chooser);
  g_clear_object (&self->file_chooser);
  g_clear_handle_id (&self->run_tick, g_source_remove);
  if (self->runs != NULL)
    g_signal_handlers_disconnect_by_data (self->runs, self);
  if (self->runs_panel != NULL)
    pw_runs_panel_set_controller (self->runs_panel, NULL);
  /* Its runs end with the window, abandoned with the reason. */
  g_clear_object (&self->runs);
  gtk_widget_dispose_template (GTK_WIDGET (self), PW_TYPE_WINDOW);
  g_clear_object (&self->document);
  g_clear_object (&self->loading_file);
  g_clear_pointer (&self->notified_approval, g_free);
  g_clear_pointer (&self->notified_end, g_free);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (pw_window_parent_class)->dispose (object);
}

static void
pw_window_class_init (PwWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = pw_window_dispose;
  window_class->close_request = pw_window_close_request;

  g_type_ensure (PW_TYPE_CANVAS);
  g_type_ensure (PW_TYPE_PALETTE);
  g_type_ensure (PW_TYPE_INSPECTOR);
  g_type_ensure (PW_TYPE_CODE_VIEW);
  g_type_ensure (PW_TYPE_PROBLEMS_PANEL);
  g_type_ensure (PW_TYPE_RUNS_PANEL);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/pipewright/Pipewright/pw-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PwWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, undo_box);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, undo_button);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, redo_button);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, save_button);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, run_button);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, toggles_box);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, panel_toggle);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, inspector_toggle);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, disk_bar);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, disk_label);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, templates_group);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, recent_group);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, recent_list);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, panel_paned);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, inspector_flap);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, palette_flap);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, palette);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, inspector);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, canvas_overlay);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, run_revealer);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, zoom_box);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, runs_panel);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, run_icon);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, run_label);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, run_retry_button);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, run_stop_button);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, approval_box);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, approval_label);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, approval_link);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, approval_entry);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, canvas_scroller);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, canvas);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, stale_revealer);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, stale_label);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, zoom_button);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, panel_box);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, panel_stack);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, code_page);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, problems_page);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, code_view);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, problems_panel);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, cursor_label);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, narrow_bar);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, narrow_palette_toggle);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, narrow_inspector_toggle);
  gtk_widget_class_bind_template_callback (widget_class, canvas_selection_cb);
  gtk_widget_class_bind_template_callback (widget_class, canvas_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, inspector_select_cb);
  gtk_widget_class_bind_template_callback (widget_class, inspector_show_in_code_cb);
  gtk_widget_class_bind_template_callback (widget_class, code_cursor_path_cb);
  gtk_widget_class_bind_template_callback (widget_class, problem_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, show_error_cb);

  _pw_window_class_actions_init (widget_class);
}

static void
palette_provider_cb (PwWindow             *self,
                     const PwProviderInfo *info,
                     PwPalette            *palette)
{
  pw_canvas_add_provider (self->canvas, info);
  if (adw_flap_get_folded (self->palette_flap))
    adw_flap_set_reveal_flap (self->palette_flap, FALSE);
}

static void
pw_window_init (PwWindow *self)
{
  GtkDropTarget *drop;
  GtkApplication *app;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new ("io.github.pipewright.Pipewright");
  self->cancellable = g_cancellable_new ();

#if DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  {
    GSimpleActionGroup *group = g_simple_action_group_new ();
    g_autoptr(GAction) position = g_settings_create_action (self->settings, "panel-position");

    g_action_map_add_action (G_ACTION_MAP (group), position);
    gtk_widget_insert_action_group (GTK_WIDGET (self), "settings", G_ACTION_GROUP (group));
    g_object_unref (group);
  }

  self->panel_visible = g_settings_get_boolean (self->settings, "panel-visible");
  if (g_settings_get_int (self->settings, "panel-size") > 0)
    gtk_paned_set_position (self->panel_paned, g_settings_get_int (self->settings, "panel-size"));
  {
    g_autofree char *page = g_settings_get_string (self->settings, "panel-page");
    adw_view_stack_set_visible_child_name (self->panel_stack, page);
  }
  g_settings_bind (self->settings, "panel-page", self->panel_stack, "visible-child-name", G_SETTINGS_BIND_SET);
  pw_canvas_set_zoom (self->canvas, g_settings_get_double (self->settings, "zoom"));
  g_settings_bind (self->settings, "show-grid", self->canvas, "show-grid", G_SETTINGS_BIND_GET);

  g_object_bind_property (self->inspector_flap, "reveal-flap", self->inspector_toggle, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->inspector_flap, "reveal-flap", self->narrow_inspector_toggle, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->palette_flap, "reveal-flap", self->narrow_palette_toggle, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->panel_toggle, "toggled", G_CALLBACK (panel_toggled_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->inspector_flap, "notify::folded", G_CALLBACK (folded_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::panel-position", G_CALLBACK (settings_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->canvas, "notify::zoom", G_CALLBACK (update_zoom_label), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->palette, "provider-activated", G_CALLBACK (palette_provider_cb), self,
                           G_CONNECT_SWAPPED);
  update_zoom_label (self);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect_object (drop, "drop", G_CALLBACK (drop_files_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  app = GTK_APPLICATION (g_application_get_default ());
  (void)app;
  build_start_page (self);
  _pw_window_sync_panel (self);
  apply_folded (self);
  _pw_window_actions_update (self);
}

PwWindow *
pw_window_new (PwApplication *application)
{
  return g_object_new (PW_TYPE_WINDOW, "application", application, NULL);
}

gboolean
pw_window_is_empty (PwWindow *self)
{
  g_return_val_if_fail (PW_IS_WINDOW (self), FALSE);

  return self->document == NULL;
}

/**
 * pw_window_get_file:
 *
 * Returns: (transfer none) (nullable): the file the window shows, or the
 *   one it is still reading
 */
GFile *
pw_window_get_file (PwWindow *self)
{
  GFile *file;

  g_return_val_if_fail (PW_IS_WINDOW (self), NULL);

  file = self->document != NULL ? pw_text_document_get_file (self->document) : NULL;
  return file != NULL ? file : self->loading_file;
}

/**
 * pw_window_get_document:
 *
 * Returns: (transfer none) (nullable):
 */
PwTextDocument *
pw_window_get_document (PwWindow *self)
{
  g_return_val_if_fail (PW_IS_WINDOW (self), NULL);

  return self->document;
}

void
pw_window_load_file (PwWindow *self,
                     GFile    *file)
{
  g_autoptr(PwTextDocument) document = NULL;

  g_return_if_fail (PW_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (self->document == NULL);

  document = pw_text_document_new ();
  set_document (self, document);
  /* The document knows its file once it is read; until then this window
   * is the one for it all the same, or a second launch on the same file
   * would open it twice. */
  g_set_object (&self->loading_file, file);
  pw_text_document_load_async (document, file, self->cancellable, load_cb, g_object_ref (self));
}

/**
 * pw_window_present_loaded:
 *
 * Presents the window once the file it is opening has been read, so that
 * its first frame shows the pipeline rather than an empty canvas followed
 * by the pipeline (reading takes a few tens of milliseconds; a first frame
 * drawn meanwhile would cost more than that and show nothing). A file that
 * takes longer than a quarter second shows the window anyway, loading.
 */
void
pw_window_present_loaded (PwWindow *self)
{
  g_return_if_fail (PW_IS_WINDOW (self));

  if (gtk_widget_get_visible (GTK_WIDGET (self)) || self->document == NULL ||
      !pw_text_document_get_busy (self->document))
    {
      present_now (self);
      return;
    }
  if (self->present_source == 0)
    self->present_source = g_timeout_add (250, present_timeout_cb, self);
}

/* A new, unsaved document: a template or an import. */
void
pw_window_new_from_text (PwWindow   *self,
                         const char *text,
                         const char *display_name)
{
  g_autoptr(PwTextDocument) document = NULL;

  g_return_if_fail (PW_IS_WINDOW (self));
  g_return_if_fail (self->document == NULL);

  document = pw_text_document_new ();
  set_document (self, document);
  pw_text_document_set_text (document, text, display_name, PW_SYNTAX_YAML);
  show_loaded (self);
  pw_canvas_zoom_to_fit (self->canvas);
}

gboolean
pw_window_new_from_template (PwWindow   *self,
                             const char *template_id)
{
  g_autofree char *resource = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (PW_IS_WINDOW (self), FALSE);

  resource = g_strdup_printf ("/io/github/pipewright/Pipewright/templates/%s.yml", template_id);
  bytes = g_resources_lookup_data (resource, 0, NULL);
  if (bytes == NULL)
    return FALSE;

  name = g_strdup_printf ("%s.yml", template_id);
  pw_window_new_from_text (self, g_bytes_get_data (bytes, NULL), name);
  return TRUE;
}

PwCanvas *
pw_window_get_canvas (PwWindow *self)
{
  g_return_val_if_fail (PW_IS_WINDOW (self), NULL);

  return self->canvas;
}

/**
 * pw_window_get_runs:
 *
 * Returns: (transfer none) (nullable): the runs of the window's file
 */
PwRunController *
pw_window_get_runs (PwWindow *self)
{
  g_return_val_if_fail (PW_IS_WINDOW (self), NULL);

  return self->runs;
}

PwInspector *
pw_window_get_inspector (PwWindow *self)
{
  g_return_val_if_fail (PW_IS_WINDOW (self), NULL);

  return self->inspector;
}

PwCodeView *
pw_window_get_code_view (PwWindow *self)
{
  g_return_val_if_fail (PW_IS_WINDOW (self), NULL);

  return self->code_view;
}

PwProblemsPanel *
pw_window_get_problems (PwWindow *self)
{
  g_return_val_if_fail (PW_IS_WINDOW (self), NULL);

  return self->problems_panel;
}

PwPalette *
pw_window_get_palette (PwWindow *self)
{
  g_return_val_if_fail (PW_IS_WINDOW (self), NULL);

  return self->palette;
}

void
pw_window_add_toast (PwWindow   *self,
                     const char *message)
{
  AdwToast *toast;

  g_return_if_fail (PW_IS_WINDOW (self));

  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}
