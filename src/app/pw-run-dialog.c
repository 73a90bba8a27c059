/* pw-run-dialog.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Run with Options: what `pipewright-cli run` takes, for one run of the
 * pipeline on screen: its V2 variables (their defaults filled in, the last
 * values used kept), a revision for each source action, the stage to stop
 * after, and the local profile. Run starts it and remembers the choices
 * for this file. */

#define G_LOG_DOMAIN "pw-run-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "pw-run-dialog.h"
#include "pw-window.h"

struct _PwRunDialog
{
  AdwWindow        parent_instance;

  PwRunController *runs;
  GPtrArray       *variable_rows;   /* AdwEntryRow, "name" set */
  GPtrArray       *revision_rows;
  AdwComboRow     *stage_row;
  AdwActionRow    *profile_row;
  GtkSwitch       *ask_switch;
  GtkStringList   *stages;
  char            *profile;
  GtkNativeDialog *chooser;
};

G_DEFINE_FINAL_TYPE (PwRunDialog, pw_run_dialog, ADW_TYPE_WINDOW)

static const char *
string_member (JsonNode   *node,
               const char *name)
{
  JsonNode *member;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  member = json_object_get_member (json_node_get_object (node), name);
  return member != NULL && JSON_NODE_HOLDS_VALUE (member) && json_node_get_value_type (member) == G_TYPE_STRING
    ? json_node_get_string (member) : NULL;
}

static GtkWidget *
entry_row (const char *title,
           const char *text)
{
  GtkWidget *row = adw_entry_row_new ();
  g_autofree char *escaped = g_markup_escape_text (title, -1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
  gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
  g_object_set_data_full (G_OBJECT (row), "name", g_strdup (title), g_free);
  return row;
}

static void
update_profile (PwRunDialog *self)
{
  g_autofree char *shown = NULL;

  shown = self->profile != NULL ? g_markup_escape_text (self->profile, -1)
                                : g_strdup (_("pipewright.local.yml beside the pipeline"));
  adw_action_row_set_subtitle (self->profile_row, shown);
}

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     PwRunDialog     *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      g_free (self->profile);
      self->profile = file != NULL ? g_file_get_path (file) : NULL;
      update_profile (self);
    }
  gtk_native_dialog_destroy (chooser);
  if (self->chooser == chooser)
    g_clear_object (&self->chooser);
}

static void
choose_profile_cb (PwRunDialog *self)
{
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  self->chooser = GTK_NATIVE_DIALOG (gtk_file_chooser_native_new (_("Local Profile"), GTK_WINDOW (self),
                                                                  GTK_FILE_CHOOSER_ACTION_OPEN,
                                                                  _("_Use"), _("_Cancel")));
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (self->chooser);
}

static void
reset_profile_cb (PwRunDialog *self)
{
  g_clear_pointer (&self->profile, g_free);
  update_profile (self);
}

/* The options as chosen. */
PwRunOptions *
pw_run_dialog_dup_options (PwRunDialog *self)
{
  PwRunOptions *options = pw_run_options_new ();
  guint stage = adw_combo_row_get_selected (self->stage_row);

  for (guint i = 0; i < self->variable_rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->variable_rows, i);

      g_hash_table_insert (options->variables, g_strdup (g_object_get_data (G_OBJECT (row), "name")),
                           g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
    }
  for (guint i = 0; i < self->revision_rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->revision_rows, i);
      const char *text = gtk_editable_get_text (GTK_EDITABLE (row));

      /* Empty: the latest, as a real source action would take. */
      if (text[0] != '\0')
        g_hash_table_insert (options->revisions, g_strdup (g_object_get_data (G_OBJECT (row), "name")),
                             g_strstrip (g_strdup (text)));
    }
  if (stage > 0 && stage < g_list_model_get_n_items (G_LIST_MODEL (self->stages)))
    options->last_stage = g_strdup (gtk_string_list_get_string (self->stages, stage));
  options->profile = g_strdup (self->profile);
  options->ask = gtk_switch_get_active (self->ask_switch);
  return options;
}

static void
run_clicked_cb (PwRunDialog *self)
{
  g_autoptr(PwRunOptions) options = pw_run_dialog_dup_options (self);
  g_autoptr(GError) error = NULL;
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  if (!pw_run_controller_start_with (self->runs, options, &error))
    {
      if (PW_IS_WINDOW (parent))
        pw_window_add_toast (PW_WINDOW (parent), error->message);
      return;
    }
  if (PW_IS_WINDOW (parent))
    gtk_widget_activate_action (GTK_WIDGET (parent), "win.show-runs", NULL);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
build (PwRunDialog *self)
{
  PwTextDocument *document = pw_run_controller_get_document (self->runs);
  PwPipeline *pipeline = pw_text_document_get_pipeline (document);
  g_autoptr(PwRunOptions) last = pw_run_controller_dup_options (self->runs);
  GtkWidget *toolbar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *group, *row, *button, *cancel, *run;
  JsonNode *variables = pipeline != NULL ? pw_element_get_member (PW_ELEMENT (pipeline), "variables") : NULL;
  guint n_stages = pipeline != NULL ? pw_pipeline_get_n_stages (pipeline) : 0;
  guint selected_stage = 0;

  gtk_window_set_title (GTK_WINDOW (self), _("Run with Options"));
  gtk_window_set_default_size (GTK_WINDOW (self), 520, 620);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);

  cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (gtk_window_destroy), self);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  run = gtk_button_new_with_mnemonic (_("_Run"));
  gtk_widget_add_css_class (run, "suggested-action");
  g_signal_connect_swapped (run, "clicked", G_CALLBACK (run_clicked_cb), self);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), run);
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  gtk_window_set_default_widget (GTK_WINDOW (self), run);
  gtk_box_append (GTK_BOX (toolbar), header);

  /* Variables (V2). */
  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Variables"));
  if (variables != NULL && JSON_NODE_HOLDS_ARRAY (variables) && json_array_get_length (json_node_get_array (variables)) > 0)
    {
      JsonArray *array = json_node_get_array (variables);

      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                             _("Values for this execution; each starts at its default"));
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *v = json_array_get_element (array, i);
          const char *name = string_member (v, "name");
          const char *value;

          if (name == NULL)
            continue;
          value = g_hash_table_lookup (last->variables, name);
          row = entry_row (name, value != NULL ? value : string_member (v, "defaultValue"));
          if (string_member (v, "description") != NULL)
            gtk_widget_set_tooltip_text (row, string_member (v, "description"));
          g_ptr_array_add (self->variable_rows, row);
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
        }
    }
  else
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                           _("This pipeline declares no variables"));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));

  /* Source revisions. */
  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Source Revisions"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         _("A commit or object version for a source action; empty runs the latest"));
  for (guint s = 0; s < n_stages; s++)
    {
      PwStage *stage = pw_pipeline_get_stage (pipeline, s);

      if (pw_element_is_opaque (PW_ELEMENT (stage)))
        continue;
      for (guint a = 0; a < pw_stage_get_n_actions (stage); a++)
        {
          PwAction *action = pw_stage_get_action (stage, a);
          const char *name = pw_action_get_name (action);

          if (name == NULL || g_strcmp0 (pw_action_get_category (action), "Source") != 0)
            continue;
          row = entry_row (name, g_hash_table_lookup (last->revisions, name));
          g_ptr_array_add (self->revision_rows, row);
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
        }
    }
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));

  /* How far, and with which profile. */
  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Run"));
  self->stages = gtk_string_list_new (NULL);
  gtk_string_list_append (self->stages, _("All stages"));
  for (guint s = 0; s < n_stages; s++)
    {
      const char *name = pw_stage_get_name (pw_pipeline_get_stage (pipeline, s));

      if (name == NULL)
        continue;
      gtk_string_list_append (self->stages, name);
      if (g_strcmp0 (name, last->last_stage) == 0)
        selected_stage = g_list_model_get_n_items (G_LIST_MODEL (self->stages)) - 1;
    }
  self->stage_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->stage_row), _("Stop After"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->stage_row), _("The last stage this run enters"));
  adw_combo_row_set_model (self->stage_row, G_LIST_MODEL (self->stages));
  adw_combo_row_set_selected (self->stage_row, selected_stage);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->stage_row));

  self->profile = g_strdup (last->profile);
  self->profile_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->profile_row), _("Local Profile"));
  button = gtk_button_new_from_icon_name ("edit-undo-symbolic");
  gtk_widget_set_tooltip_text (button, _("The profile beside the pipeline"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (reset_profile_cb), self);
  adw_action_row_add_suffix (self->profile_row, button);
  button = gtk_button_new_with_mnemonic (_("_Choose…"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (choose_profile_cb), self);
  adw_action_row_add_suffix (self->profile_row, button);
  update_profile (self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->profile_row));

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Ask Before Each Run"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Run (F5) opens these options for this pipeline"));
  self->ask_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_switch_set_active (self->ask_switch, last->ask);
  gtk_widget_set_valign (GTK_WIDGET (self->ask_switch), GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (self->ask_switch));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), GTK_WIDGET (self->ask_switch));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));

  gtk_widget_set_vexpand (page, TRUE);
  gtk_box_append (GTK_BOX (toolbar), page);
  adw_window_set_content (ADW_WINDOW (self), toolbar);
}

static void
pw_run_dialog_dispose (GObject *object)
{
  PwRunDialog *self = PW_RUN_DIALOG (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  g_clear_object (&self->runs);
  g_clear_object (&self->stages);
  g_clear_pointer (&self->variable_rows, g_ptr_array_unref);
  g_clear_pointer (&self->revision_rows, g_ptr_array_unref);
  g_clear_pointer (&self->profile, g_free);

  G_OBJECT_CLASS (pw_run_dialog_parent_class)->dispose (object);
}

static void
pw_run_dialog_class_init (PwRunDialogClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = pw_run_dialog_dispose;
  gtk_widget_class_add_binding_action (GTK_WIDGET_CLASS (klass), GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
pw_run_dialog_init (PwRunDialog *self)
{
  self->variable_rows = g_ptr_array_new ();
  self->revision_rows = g_ptr_array_new ();
}

PwRunDialog *
pw_run_dialog_new (GtkWindow       *parent,
                   PwRunController *runs)
{
  PwRunDialog *self = g_object_new (PW_TYPE_RUN_DIALOG, "transient-for", parent, NULL);

  self->runs = g_object_ref (runs);
  build (self);
  return self;
}

/* The row of a variable or source action, for tests and the keyboard. */
GtkEditable *
pw_run_dialog_get_entry (PwRunDialog *self,
                         const char  *name)
{
  for (guint i = 0; i < self->variable_rows->len + self->revision_rows->len; i++)
    {
      GtkWidget *row = i < self->variable_rows->len ? g_ptr_array_index (self->variable_rows, i)
                       : g_ptr_array_index (self->revision_rows, i - self->variable_rows->len);

      if (g_strcmp0 (g_object_get_data (G_OBJECT (row), "name"), name) == 0)
        return GTK_EDITABLE (row);
    }
  return NULL;
}

GtkSwitch *
pw_run_dialog_get_ask_switch (PwRunDialog *self)
{
  return self->ask_switch;
}

AdwComboRow *
pw_run_dialog_get_stage_row (PwRunDialog *self)
{
  return self->stage_row;
}

void
pw_run_dialog_run (PwRunDialog *self)
{
  run_clicked_cb (self);
}
