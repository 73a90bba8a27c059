/* pw-window-actions.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-window-actions"

#include "config.h"

#include <glib/gi18n.h>

#include "pw-app-util.h"
#include "pw-export-dialog.h"
#include "pw-run-dialog.h"
#include "pw-window-private.h"

/*
 * The window's actions (STYLE.md §8): installed per class, enabled from the
 * window's state in one place, _pw_window_actions_update().
 */

static GtkApplication *
application_of (PwWindow *self)
{
  return gtk_window_get_application (GTK_WINDOW (self));
}

/* A window to open something new in: this one if it is empty. */
static PwWindow *
target_window (PwWindow *self)
{
  GtkApplication *app = application_of (self);

  if (pw_window_is_empty (self) || !PW_IS_APPLICATION (app))
    return self;
  return pw_application_new_window (PW_APPLICATION (app));
}

static void
new_from_template_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  PwWindow *self = PW_WINDOW (widget);
  PwWindow *target;
  const char *id = param != NULL ? g_variant_get_string (param, NULL) : NULL;

  if (id == NULL)
    {
      /* Ctrl+N: the start page's template list, in a new window if need be. */
      target = target_window (self);
      gtk_window_present (GTK_WINDOW (target));
      return;
    }

  target = target_window (self);
  if (!pw_window_new_from_template (target, id))
    pw_window_add_toast (self, _("That template does not exist"));
  gtk_window_present (GTK_WINDOW (target));
}

static void
add_filters (GtkFileChooser *chooser,
             gboolean        templates_first)
{
  GtkFileFilter *pipelines = gtk_file_filter_new ();
  GtkFileFilter *templates = gtk_file_filter_new ();
  GtkFileFilter *all = gtk_file_filter_new ();

  gtk_file_filter_set_name (pipelines, _("Pipelines and Templates (YAML, JSON)"));
  gtk_file_filter_add_pattern (pipelines, "*.yml");
  gtk_file_filter_add_pattern (pipelines, "*.yaml");
  gtk_file_filter_add_pattern (pipelines, "*.json");
  gtk_file_filter_add_pattern (pipelines, "*.template");
  gtk_file_filter_add_mime_type (pipelines, "application/x-yaml");
  gtk_file_filter_add_mime_type (pipelines, "application/json");

  gtk_file_filter_set_name (templates, _("CloudFormation Templates"));
  gtk_file_filter_add_pattern (templates, "*.template");
  gtk_file_filter_add_pattern (templates, "*.template.json");
  gtk_file_filter_add_pattern (templates, "*.yml");
  gtk_file_filter_add_pattern (templates, "*.yaml");
  gtk_file_filter_add_pattern (templates, "*.json");

  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");

  if (templates_first)
    gtk_file_chooser_add_filter (chooser, templates);
  gtk_file_chooser_add_filter (chooser, pipelines);
  if (!templates_first)
    gtk_file_chooser_add_filter (chooser, templates);
  gtk_file_chooser_add_filter (chooser, all);
  g_object_unref (pipelines);
  g_object_unref (templates);
  g_object_unref (all);
}

static void
open_response_cb (GtkNativeDialog *dialog,
                  int              response,
                  PwWindow        *self)
{
  GtkApplication *app = application_of (self);

  if (response == GTK_RESPONSE_ACCEPT && PW_IS_APPLICATION (app))
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);
          pw_application_open_file (PW_APPLICATION (app), file, self);
        }
    }

  gtk_native_dialog_destroy (dialog);
  g_clear_object (&self->file_chooser);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  PwWindow *self = PW_WINDOW (widget);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Open Pipeline"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Open"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  add_filters (GTK_FILE_CHOOSER (chooser), FALSE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (open_response_cb), self, 0);
  g_clear_object (&self->file_chooser);
  self->file_chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* Import: a template's pipeline becomes a new, unsaved pipeline file. */
void
_pw_window_import_file (PwWindow *self,
                        GFile    *file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwDocument) document = NULL;
  g_autoptr(PwPipeline) pipeline = NULL;
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto(GStrv) ids = NULL;
  g_autofree char *text = NULL;
  g_autofree char *name = NULL;
  g_autofree char *message = NULL;
  g_autofree char *basename = g_file_get_basename (file);
  PwWindow *target;

  document = pw_document_load_file (file, NULL, &error);
  if (document == NULL)
    {
      pw_window_add_toast (self, error->message);
      return;
    }

  ids = pw_document_dup_pipeline_ids (document);
  if (pw_document_get_kind (document) != PW_DOCUMENT_CFN_TEMPLATE)
    {
      /* Translators: %s is a file name */
      message = g_strdup_printf (_("%s is not a CloudFormation template; use Open to edit it"), basename);
      pw_window_add_toast (self, message);
      return;
    }

  /* Every pipeline of the template, each in its own window. */
  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    {
      g_clear_object (&pipeline);
      g_clear_pointer (&text, g_free);
      g_clear_pointer (&name, g_free);
      pipeline = pw_document_dup_pipeline (document, ids[i], &error);
      if (pipeline == NULL)
        {
          pw_window_add_toast (self, error->message);
          return;
        }
      text = pw_pipeline_serialize (pipeline, PW_OUTPUT_YAML, notes, &error);
      if (text == NULL)
        {
          pw_window_add_toast (self, error->message);
          return;
        }
      name = g_strdup_printf ("%s.yml", pw_pipeline_get_name (pipeline) != NULL ? pw_pipeline_get_name (pipeline)
                                                                                : ids[i]);
      target = target_window (self);
      pw_window_new_from_text (target, text, name);
      gtk_window_present (GTK_WINDOW (target));
      /* Translators: "Imported Pipeline from stack.yml: not saved yet" */
      message = g_strdup_printf (_("Imported %s from %s: not saved yet"), ids[i], basename);
      pw_window_add_toast (target, message);
      g_clear_pointer (&message, g_free);
    }

  if (ids == NULL || ids[0] == NULL)
    {
      message = g_strdup_printf (_("%s has no AWS::CodePipeline::Pipeline resource"), basename);
      pw_window_add_toast (self, message);
    }
}

static void
import_response_cb (GtkNativeDialog *dialog,
                    int              response,
                    PwWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      _pw_window_import_file (self, file);
    }

  gtk_native_dialog_destroy (dialog);
  g_clear_object (&self->file_chooser);
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  PwWindow *self = PW_WINDOW (widget);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Import CloudFormation Template"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"), _("_Cancel"));
  add_filters (GTK_FILE_CHOOSER (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (import_response_cb), self, 0);
  g_clear_object (&self->file_chooser);
  self->file_chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* Saving ---------------------------------------------------------------------- */

typedef struct
{
  PwWindow *self;
  gboolean  close_after;
} SaveState;

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  SaveState *state = user_data;
  g_autoptr(PwWindow) self = state->self;
  g_autoptr(GError) error = NULL;

  if (!pw_text_document_save_finish (PW_TEXT_DOCUMENT (object), result, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not save: %s"), error->message);
      pw_window_add_toast (self, message);
    }
  else
    {
      GtkApplication *app = application_of (self);

      if (PW_IS_APPLICATION (app))
        pw_application_add_recent (PW_APPLICATION (app), pw_text_document_get_file (self->document));
      if (state->close_after)
        {
          self->closing = TRUE;
          gtk_window_destroy (GTK_WINDOW (self));
        }
    }

  g_free (state);
}

static void
save_as_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     PwWindow        *self)
{
  gboolean close_after = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "close-after"));

  if (response == GTK_RESPONSE_ACCEPT && self->document != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      SaveState *state = g_new0 (SaveState, 1);

      state->self = g_object_ref (self);
      state->close_after = close_after;
      pw_text_document_save_async (self->document, file, self->cancellable, save_cb, state);
    }

  gtk_native_dialog_destroy (dialog);
  g_clear_object (&self->file_chooser);
}

void
_pw_window_save (PwWindow *self,
                 gboolean  save_as,
                 gboolean  close_after)
{
  SaveState *state;

  if (self->document == NULL)
    return;

  if (save_as || pw_text_document_get_file (self->document) == NULL)
    {
      GtkFileChooserNative *chooser;
      g_autofree char *title = pw_text_document_dup_title (self->document);

      chooser = gtk_file_chooser_native_new (_("Save Pipeline"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                             _("_Save"), _("_Cancel"));
      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), title);
      if (pw_text_document_get_file (self->document) != NULL)
        gtk_file_chooser_set_file (GTK_FILE_CHOOSER (chooser), pw_text_document_get_file (self->document), NULL);
      g_object_set_data (G_OBJECT (chooser), "close-after", GINT_TO_POINTER (close_after));
      g_signal_connect_object (chooser, "response", G_CALLBACK (save_as_response_cb), self, 0);
      g_clear_object (&self->file_chooser);
      self->file_chooser = GTK_NATIVE_DIALOG (chooser);
      gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
      return;
    }

  state = g_new0 (SaveState, 1);
  state->self = g_object_ref (self);
  state->close_after = close_after;
  pw_text_document_save_async (self->document, NULL, self->cancellable, save_cb, state);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  _pw_window_save (PW_WINDOW (widget), g_str_equal (action_name, "win.save-as"), FALSE);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  PwWindow *self = PW_WINDOW (widget);
  GtkWindow *dialog;

  if (self->document == NULL || pw_text_document_get_pipeline (self->document) == NULL)
    return;

  dialog = pw_export_dialog_new (GTK_WINDOW (self), self->document, self->settings);
  gtk_window_present (dialog);
}

static void
close_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  gtk_window_close (GTK_WINDOW (widget));
}

/* Undo ------------------------------------------------------------------------- */

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  PwWindow *self = PW_WINDOW (widget);
  PwHistory *history;
  g_autofree char *label = NULL;
  gboolean redo = g_str_equal (action_name, "win.redo");
  gboolean done;

  if (self->document == NULL)
    return;

  history = pw_text_document_get_history (self->document);
  label = g_strdup (redo ? pw_history_get_redo_label (history) : pw_history_get_undo_label (history));
  done = redo ? pw_history_redo (history) : pw_history_undo (history);

  /* The canvas follows at once, not after the typing delay. */
  if (done)
    pw_text_document_reparse_now (self->document);
}

/* View -------------------------------------------------------------------------- */

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  PwWindow *self = PW_WINDOW (widget);
  const char *canvas_action = strchr (action_name, '.') + 1;
  g_autofree char *name = g_strdup_printf ("canvas.%s", canvas_action);

  gtk_widget_activate_action (GTK_WIDGET (self->canvas), name, NULL);
}

static void
show_panel_page (PwWindow   *self,
                 const char *page)
{
  self->panel_visible = TRUE;
  adw_view_stack_set_visible_child_name (self->panel_stack, page);
  _pw_window_sync_panel (self);
}

static void
show_page_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  PwWindow *self = PW_WINDOW (widget);

  show_panel_page (self, g_str_equal (action_name, "win.show-code") ? "code" : "problems");
  if (g_str_equal (action_name, "win.show-code"))
    gtk_widget_grab_focus (GTK_WIDGET (pw_code_view_get_view (self->code_view)));
}

static void
toggle_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  PwWindow *self = PW_WINDOW (widget);

  if (g_str_equal (action_name, "win.toggle-panel"))
    {
      self->panel_visible = !self->panel_visible;
      _pw_window_sync_panel (self);
    }
  else if (g_str_equal (action_name, "win.toggle-inspector"))
    adw_flap_set_reveal_flap (self->inspector_flap, !adw_flap_get_reveal_flap (self->inspector_flap));
  else if (g_str_equal (action_name, "win.toggle-palette"))
    adw_flap_set_reveal_flap (self->palette_flap, !adw_flap_get_reveal_flap (self->palette_flap));
}

static void
show_error_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  PwWindow *self = PW_WINDOW (widget);
  const char *function;
  guint line, column;

  if (self->document == NULL)
    return;

  show_panel_page (self, "code");
  if (pw_text_document_get_error_location (self->document, &line, &column) ||
      (pw_text_document_get_error (self->document) == NULL &&
       _pw_window_get_intrinsic_stages (self, &function, &line, &column) && line > 0))
    pw_code_view_goto (self->code_view, line, column);
  gtk_widget_grab_focus (GTK_WIDGET (pw_code_view_get_view (self->code_view)));
}

static void
step_problem_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  PwWindow *self = PW_WINDOW (widget);

  if (!pw_problems_panel_step (self->problems_panel, g_str_equal (action_name, "win.next-problem") ? 1 : -1))
    pw_window_add_toast (self, _("No problems"));
}

static void
fullscreen_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  if (gtk_window_is_fullscreen (GTK_WINDOW (widget)))
    gtk_window_unfullscreen (GTK_WINDOW (widget));
  else
    gtk_window_fullscreen (GTK_WINDOW (widget));
}

/* Changed on disk ---------------------------------------------------------------- */

static void
reload_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PwWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  g_autofree char *message = NULL;

  if (!pw_text_document_reload_finish (PW_TEXT_DOCUMENT (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        pw_window_add_toast (self, error->message);
      return;
    }

  gtk_info_bar_set_revealed (self->disk_bar, FALSE);
  title = pw_text_document_dup_title (PW_TEXT_DOCUMENT (object));
  /* Translators: %s is a file name */
  message = g_strdup_printf (_("Reloaded “%s”: it changed on disk (Ctrl+Z brings your version back)"), title);
  pw_window_add_toast (self, message);
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  PwWindow *self = PW_WINDOW (widget);

  if (self->document != NULL && pw_text_document_get_file (self->document) != NULL)
    pw_text_document_reload_async (self->document, self->cancellable, reload_cb, g_object_ref (self));
}

static void
keep_mine_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  PwWindow *self = PW_WINDOW (widget);

  gtk_info_bar_set_revealed (self->disk_bar, FALSE);
  /* The next save writes the user's version over the file. */
  if (self->document != NULL)
    pw_text_document_keep_mine (self->document);
}

/* Runs ---------------------------------------------------------------------- */

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  PwWindow *self = PW_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (self->runs == NULL)
    return;
  /* "Ask before each run", chosen in Run with Options for this file. */
  {
    g_autoptr(PwRunOptions) options = pw_run_controller_dup_options (self->runs);

    if (options->ask && pw_run_controller_dup_blocker (self->runs) == NULL)
      {
        gtk_window_present (GTK_WINDOW (pw_run_dialog_new (GTK_WINDOW (self), self->runs)));
        return;
      }
  }
  if (!pw_run_controller_start (self->runs, &error))
    {
      pw_window_add_toast (self, error->message);
      return;
    }
  /* The run's logs, next to the canvas. */
  show_panel_page (self, "runs");
  /* What runs is what the window shows; the file stays as it is. */
  if (pw_text_document_get_modified (self->document))
    pw_window_add_toast (self, _("Running the pipeline as shown, with your unsaved edits; "
                                 "the file is not written"));
}

static void
run_with_options_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  PwWindow *self = PW_WINDOW (widget);
  g_autofree char *blocker = NULL;

  if (self->runs == NULL)
    return;
  blocker = pw_run_controller_dup_blocker (self->runs);
  if (blocker != NULL)
    {
      pw_window_add_toast (self, blocker);
      return;
    }
  gtk_window_present (GTK_WINDOW (pw_run_dialog_new (GTK_WINDOW (self), self->runs)));
}

/* Enable or disable the inbound transition of a stage (its index), in the
 * process that runs the pipeline, as the console's transition arrow does. */
static void
toggle_transition_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  PwWindow *self = PW_WINDOW (widget);
  PwPipeline *pipeline = self->document != NULL ? pw_text_document_get_pipeline (self->document) : NULL;
  guint index = g_variant_get_uint32 (param);
  const char *name;
  gboolean disabled;
  g_autoptr(GError) error = NULL;

  if (self->runs == NULL || pipeline == NULL || index >= pw_pipeline_get_n_stages (pipeline) ||
      (name = pw_stage_get_name (pw_pipeline_get_stage (pipeline, index))) == NULL)
    return;
  disabled = pw_canvas_get_transition_disabled (self->canvas, index, NULL);
  if (!pw_run_controller_set_transition (self->runs, name, disabled, disabled ? NULL : _("Disabled in Pipewright"),
                                         &error))
    pw_window_add_toast (self, error->message);
}

static void
show_runs_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  show_panel_page (PW_WINDOW (widget), "runs");
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  PwWindow *self = PW_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (self->runs != NULL && !pw_run_controller_stop (self->runs, g_str_equal (action_name, "win.abandon"), &error))
    pw_window_add_toast (self, error->message);
}

/* The stage that failed: where a retry starts. */
static PwStageExecution *
failed_stage (PwExecution *execution)
{
  GListModel *stages = execution != NULL ? pw_execution_get_stages (execution) : NULL;

  for (guint i = 0; stages != NULL && i < g_list_model_get_n_items (stages); i++)
    {
      g_autoptr(PwStageExecution) stage = g_list_model_get_item (stages, i);

      if (g_strcmp0 (pw_stage_execution_get_status (stage), "Failed") == 0)
        return stage;
    }
  return NULL;
}

static void
retry_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  PwWindow *self = PW_WINDOW (widget);
  PwExecution *execution = self->runs != NULL ? pw_run_controller_get_execution (self->runs) : NULL;
  PwStageExecution *stage = failed_stage (execution);
  g_autoptr(GError) error = NULL;

  if (stage == NULL)
    return;
  if (!pw_run_controller_retry (self->runs, pw_stage_execution_get_name (stage),
                                g_str_equal (action_name, "win.retry-all"), &error))
    pw_window_add_toast (self, error->message);
}

static void
hide_run_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  PwWindow *self = PW_WINDOW (widget);

  if (self->runs != NULL)
    pw_run_controller_set_execution (self->runs, NULL);
}

static void
decide_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  PwWindow *self = PW_WINDOW (widget);
  PwActionExecution *approval = self->runs != NULL ? pw_run_controller_get_approval (self->runs) : NULL;
  g_autoptr(GError) error = NULL;

  if (approval == NULL)
    return;
  if (!pw_run_controller_decide (self->runs, approval, g_variant_get_boolean (param),
                                 gtk_editable_get_text (GTK_EDITABLE (self->approval_entry)), &error))
    {
      pw_window_add_toast (self, error->message);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->approval_entry), "");
}

static gboolean
run_tick_cb (gpointer data)
{
  _pw_window_sync_run (data);
  return G_SOURCE_CONTINUE;
}

static char *
short_id (PwExecution *execution)
{
  return g_strndup (pw_execution_get_id (execution), 8);
}

/* Desktop notifications, when the window is not in front: an approval
 * that waits (with Approve and Reject), and the end of a run the user
 * started here. Each is sent once; an answered approval's is withdrawn. */
static void
notify_run (PwWindow          *self,
            PwExecution       *execution,
            PwActionExecution *approval)
{
  GApplication *app = g_application_get_default ();
  gboolean behind = !gtk_window_is_active (GTK_WINDOW (self));
  g_autofree char *approval_key = NULL;

  if (app == NULL || execution == NULL)
    return;

  approval_key = approval != NULL
    ? g_strdup_printf ("%s/%s/%s", pw_execution_get_id (execution), pw_action_execution_get_stage_name (approval),
                       pw_action_execution_get_action_name (approval))
    : NULL;
  if (self->notified_approval != NULL && g_strcmp0 (self->notified_approval, approval_key) != 0)
    {
      g_autofree char *tag = g_strdup_printf ("approval-%s", self->notified_approval);

      g_application_withdraw_notification (app, tag);
      g_clear_pointer (&self->notified_approval, g_free);
    }
  if (approval_key != NULL && self->notified_approval == NULL && behind &&
      g_settings_get_boolean (self->settings, "notify-approvals"))
    {
      g_autoptr(GNotification) notification = NULL;
      g_autofree char *title = g_strdup_printf (_("Approve %s/%s?"), pw_action_execution_get_stage_name (approval),
                                                pw_action_execution_get_action_name (approval));
      g_autofree char *tag = g_strdup_printf ("approval-%s", approval_key);
      JsonObject *configuration = pw_action_execution_get_configuration (approval);
      const char *custom = configuration != NULL
        ? json_object_get_string_member_with_default (configuration, "CustomData", NULL) : NULL;

      notification = g_notification_new (title);
      g_notification_set_body (notification, custom != NULL ? custom : pw_execution_get_pipeline_name (execution));
      g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
      g_notification_set_default_action_and_target (notification, "app.show-run", "s",
                                                    pw_execution_get_id (execution));
      g_notification_add_button_with_target (notification, _("Reject"), "app.decide", "(sssb)",
                                             pw_execution_get_id (execution),
                                             pw_action_execution_get_stage_name (approval),
                                             pw_action_execution_get_action_name (approval), FALSE);
      g_notification_add_button_with_target (notification, _("Approve"), "app.decide", "(sssb)",
                                             pw_execution_get_id (execution),
                                             pw_action_execution_get_stage_name (approval),
                                             pw_action_execution_get_action_name (approval), TRUE);
      g_application_send_notification (app, tag, notification);
      self->notified_approval = g_steal_pointer (&approval_key);
    }

  if (pw_execution_is_finished (execution) && pw_run_controller_started_here (self->runs, execution) &&
      g_strcmp0 (self->notified_end, pw_execution_get_id (execution)) != 0)
    {
      g_free (self->notified_end);
      self->notified_end = g_strdup (pw_execution_get_id (execution));
      if (behind && g_settings_get_boolean (self->settings, "notify-run-end"))
        {
          g_autoptr(GNotification) notification = NULL;
          g_autofree char *title = g_strdup_printf (_("%s: %s"), pw_execution_get_pipeline_name (execution),
                                                    pw_execution_get_status (execution));

          notification = g_notification_new (title);
          if (pw_execution_get_summary (execution) != NULL)
            g_notification_set_body (notification, pw_execution_get_summary (execution));
          g_notification_set_default_action_and_target (notification, "app.show-run", "s",
                                                        pw_execution_get_id (execution));
          g_application_send_notification (app, "run-end", notification);
        }
    }
}

/* The run bar, the cards and the actions follow the execution shown. */
void
_pw_window_sync_run (PwWindow *self)
{
  PwExecution *execution = self->runs != NULL ? pw_run_controller_get_execution (self->runs) : NULL;
  gboolean running = self->runs != NULL && pw_run_controller_get_running (self->runs);
  PwActionExecution *approval = self->runs != NULL ? pw_run_controller_get_approval (self->runs) : NULL;
  g_autofree char *id = NULL;
  g_autofree char *text = NULL;
  const char *status;

  pw_canvas_set_execution (self->canvas, execution);
  notify_run (self, execution, approval);
  gtk_revealer_set_reveal_child (self->run_revealer, execution != NULL);
  if (running && self->run_tick == 0)
    self->run_tick = g_timeout_add_seconds (1, run_tick_cb, self);
  else if (!running)
    g_clear_handle_id (&self->run_tick, g_source_remove);

  if (execution == NULL)
    {
      gtk_widget_set_visible (self->approval_box, FALSE);
      _pw_window_actions_update (self);
      return;
    }

  id = short_id (execution);
  status = pw_execution_get_status (execution);
  /* A still icon, not a spinner: a spinner redraws the window sixty
   * times a second for the whole run, which without a GPU takes a core
   * from the builds (and the elapsed time already says it is live). */
  {
    const char *icon = running ? "media-playback-start-symbolic"
                       : g_strcmp0 (status, "Succeeded") == 0 ? "emblem-ok-symbolic"
                       : g_strcmp0 (status, "Failed") == 0 ? "dialog-error-symbolic"
                       : "media-playback-stop-symbolic";

    /* Set again, the same icon relayouts the window (on X11, with round
     * trips to the server) at every status of the run. */
    if (g_strcmp0 (gtk_image_get_icon_name (self->run_icon), icon) != 0)
      gtk_image_set_from_icon_name (self->run_icon, icon);
  }
  if (running)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      GDateTime *start = pw_execution_get_start_time (execution);
      g_autofree char *elapsed = pw_format_elapsed (start != NULL ? g_date_time_difference (now, start) : 0);

      /* Translators: the run bar: "Execution 1a2b3c4d · In progress · 0:12" */
      text = g_strdup_printf (_("Execution %s · In progress · %s"), id, elapsed);
    }
  else
    {
      const char *summary = pw_execution_get_summary (execution);

      /* Translators: the run bar: "Execution 1a2b3c4d · Failed: Stage Build failed" */
      text = summary != NULL ? g_strdup_printf (_("Execution %s · %s: %s"), id, status, summary)
                             : g_strdup_printf (_("Execution %s · %s"), id, status);
    }
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->run_label), text);
  /* One line in the bar (a summary may hold a command's output); the
   * tooltip has it as it is. */
  g_strdelimit (text, "\r\n", ' ');
  gtk_label_set_text (self->run_label, text);
  gtk_widget_set_visible (self->run_stop_button, running);
  gtk_widget_set_visible (self->run_retry_button, !running && g_strcmp0 (status, "Failed") == 0);

  gtk_widget_set_visible (self->approval_box, approval != NULL);
  if (approval != NULL)
    {
      JsonObject *configuration = pw_action_execution_get_configuration (approval);
      const char *custom = configuration != NULL
        ? json_object_get_string_member_with_default (configuration, "CustomData", NULL) : NULL;
      const char *link = configuration != NULL
        ? json_object_get_string_member_with_default (configuration, "ExternalEntityLink", NULL) : NULL;
      g_autofree char *question = NULL;

      /* Translators: "Approve Release/Approve?" then the approval's CustomData */
      question = custom != NULL
        ? g_strdup_printf (_("Approve %s/%s? %s"), pw_action_execution_get_stage_name (approval),
                           pw_action_execution_get_action_name (approval), custom)
        : g_strdup_printf (_("Approve %s/%s?"), pw_action_execution_get_stage_name (approval),
                           pw_action_execution_get_action_name (approval));
      gtk_label_set_text (self->approval_label, question);
      gtk_widget_set_visible (GTK_WIDGET (self->approval_link), link != NULL);
      if (link != NULL)
        {
          gtk_link_button_set_uri (self->approval_link, link);
          gtk_button_set_label (GTK_BUTTON (self->approval_link), link);
        }
    }
  _pw_window_actions_update (self);
}

void
_pw_window_class_actions_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.new-from-template", "s", new_from_template_action);
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "win.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "win.save-as", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.close", NULL, close_action);
  gtk_widget_class_install_action (widget_class, "win.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "win.redo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "win.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "win.run-with-options", NULL, run_with_options_action);
  gtk_widget_class_install_action (widget_class, "win.show-runs", NULL, show_runs_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-transition", "u", toggle_transition_action);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "win.abandon", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "win.retry", NULL, retry_action);
  gtk_widget_class_install_action (widget_class, "win.retry-all", NULL, retry_action);
  gtk_widget_class_install_action (widget_class, "win.hide-run", NULL, hide_run_action);
  gtk_widget_class_install_action (widget_class, "win.decide", "b", decide_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-reset", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-fit", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.show-code", NULL, show_page_action);
  gtk_widget_class_install_action (widget_class, "win.show-problems", NULL, show_page_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-panel", NULL, toggle_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-inspector", NULL, toggle_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-palette", NULL, toggle_action);
  gtk_widget_class_install_action (widget_class, "win.show-error", NULL, show_error_action);
  gtk_widget_class_install_action (widget_class, "win.next-problem", NULL, step_problem_action);
  gtk_widget_class_install_action (widget_class, "win.previous-problem", NULL, step_problem_action);
  gtk_widget_class_install_action (widget_class, "win.fullscreen", NULL, fullscreen_action);
  gtk_widget_class_install_action (widget_class, "win.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "win.keep-mine", NULL, keep_mine_action);
}

void
_pw_window_actions_update (PwWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean has_document = self->document != NULL;
  gboolean has_model = has_document && pw_text_document_get_pipeline (self->document) != NULL;
  PwHistory *history = has_document ? pw_text_document_get_history (self->document) : NULL;
  gboolean has_error = has_document && pw_text_document_get_error (self->document) != NULL;
  const char *function;
  guint line, column;
  gboolean intrinsic_stages = _pw_window_get_intrinsic_stages (self, &function, &line, &column);

  gtk_widget_action_set_enabled (widget, "win.save", has_document);
  gtk_widget_action_set_enabled (widget, "win.save-as", has_document);
  gtk_widget_action_set_enabled (widget, "win.export", has_model);
  gtk_widget_action_set_enabled (widget, "win.undo", history != NULL && pw_history_get_can_undo (history));
  gtk_widget_action_set_enabled (widget, "win.redo", history != NULL && pw_history_get_can_redo (history));
  {
    PwExecution *execution = self->runs != NULL ? pw_run_controller_get_execution (self->runs) : NULL;
    gboolean running = self->runs != NULL && pw_run_controller_get_running (self->runs);
    gboolean failed = execution != NULL && !running &&
                      g_strcmp0 (pw_execution_get_status (execution), "Failed") == 0;

    /* Run says why when it cannot (a toast); it is there whenever there is
     * a pipeline. */
    gtk_widget_action_set_enabled (widget, "win.run", has_model && self->runs != NULL);
    gtk_widget_action_set_enabled (widget, "win.run-with-options", has_model && self->runs != NULL);
    gtk_widget_action_set_enabled (widget, "win.show-runs", has_document);
    gtk_widget_action_set_enabled (widget, "win.toggle-transition", has_model && self->runs != NULL);
    gtk_widget_action_set_enabled (widget, "win.stop", running);
    gtk_widget_action_set_enabled (widget, "win.abandon", running);
    gtk_widget_action_set_enabled (widget, "win.retry", failed);
    gtk_widget_action_set_enabled (widget, "win.retry-all", failed);
    gtk_widget_action_set_enabled (widget, "win.hide-run", execution != NULL);
    gtk_widget_action_set_enabled (widget, "win.decide",
                                   self->runs != NULL && pw_run_controller_get_approval (self->runs) != NULL);
  }
  gtk_widget_action_set_enabled (widget, "win.zoom-in", has_model);
  gtk_widget_action_set_enabled (widget, "win.zoom-out", has_model);
  gtk_widget_action_set_enabled (widget, "win.zoom-reset", has_model);
  gtk_widget_action_set_enabled (widget, "win.zoom-fit", has_model);
  gtk_widget_action_set_enabled (widget, "win.show-code", has_document);
  gtk_widget_action_set_enabled (widget, "win.show-problems", has_document);
  gtk_widget_action_set_enabled (widget, "win.toggle-panel", has_document);
  gtk_widget_action_set_enabled (widget, "win.toggle-inspector", has_document);
  gtk_widget_action_set_enabled (widget, "win.toggle-palette", has_document);
  gtk_widget_action_set_enabled (widget, "win.next-problem", has_document);
  gtk_widget_action_set_enabled (widget, "win.previous-problem", has_document);
  gtk_widget_action_set_enabled (widget, "win.show-error", has_error || intrinsic_stages);
  gtk_widget_action_set_enabled (widget, "win.reload",
                                 has_document && pw_text_document_get_file (self->document) != NULL);
  gtk_widget_action_set_enabled (widget, "win.keep-mine", has_document);
}
