/* pw-export-dialog.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-export-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "pw-export-dialog.h"

/*
 * Export with a preview: the pipeline as the AWS tools take it, a
 * CreatePipeline request (YAML or JSON, `aws codepipeline create-pipeline
 * --cli-input-yaml`) or a complete CloudFormation template (JSON or YAML),
 * written by the core exactly as `pipewright-cli export` writes it. The
 * conversion's notes and the pipeline's errors are shown above the text.
 */

struct _PwExportDialog
{
  AdwWindow        parent_instance;

  PwTextDocument  *document;
  GSettings       *settings;
  AdwComboRow     *format_row;
  GtkLabel        *notes;
  GtkSourceBuffer *buffer;
  AdwToastOverlay *toasts;
  GtkNativeDialog *chooser;
  char            *text;
  PwOutputFormat   format;
};

G_DEFINE_FINAL_TYPE (PwExportDialog, pw_export_dialog, ADW_TYPE_WINDOW)

static const struct {
  PwOutputFormat  format;
  const char     *setting;
  const char     *title;
  const char     *suffix;
  const char     *language;
} formats[] = {
  { PW_OUTPUT_YAML, "yaml", N_("Pipeline (YAML, for aws codepipeline)"), ".yml", "yaml" },
  { PW_OUTPUT_JSON, "json", N_("Pipeline (JSON, for aws codepipeline)"), ".json", "json" },
  { PW_OUTPUT_CFN_JSON, "cfn-json", N_("CloudFormation template (JSON)"), ".template.json", "json" },
  { PW_OUTPUT_CFN_YAML, "cfn-yaml", N_("CloudFormation template (YAML)"), ".template.yml", "yaml" },
};

static guint
format_index (PwOutputFormat format)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (formats[i].format == format)
      return i;
  return 0;
}

static void
regenerate (PwExportDialog *self)
{
  PwPipeline *pipeline = pw_text_document_get_pipeline (self->document);
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  GListModel *diagnostics = pw_text_document_get_diagnostics (self->document);
  GtkSourceLanguageManager *languages = gtk_source_language_manager_get_default ();
  guint errors = 0;

  g_clear_pointer (&self->text, g_free);
  if (pipeline != NULL)
    self->text = pw_pipeline_serialize (pipeline, self->format, notes, &error);

  for (guint i = 0; i < g_list_model_get_n_items (diagnostics); i++)
    {
      g_autoptr(PwDiagnostic) diagnostic = g_list_model_get_item (diagnostics, i);
      errors += pw_diagnostic_get_severity (diagnostic) == PW_SEVERITY_ERROR;
    }

  if (errors > 0)
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                               "The pipeline has %u error: AWS would reject this export.",
                                               "The pipeline has %u errors: AWS would reject this export.",
                                               errors), errors);
  for (guint i = 0; i < notes->len; i++)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, pw_diagnostic_get_message (g_ptr_array_index (notes, i)));
    }
  if (error != NULL)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, error->message);
    }

  gtk_label_set_text (self->notes, text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->notes), text->len > 0);
  if (errors > 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->notes), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->notes), "error");

  gtk_source_buffer_set_language (self->buffer,
                                  gtk_source_language_manager_get_language (languages,
                                                                            formats[format_index (self->format)].language));
  gtk_text_buffer_set_text (GTK_TEXT_BUFFER (self->buffer), self->text != NULL ? self->text : "", -1);
}

static void
format_changed_cb (PwExportDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->format_row);

  if (selected >= G_N_ELEMENTS (formats))
    return;
  self->format = formats[selected].format;
  g_settings_set_string (self->settings, "last-export-format", formats[selected].setting);
  regenerate (self);
}

static void
copy_cb (PwExportDialog *self)
{
  if (self->text == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), self->text);
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (_("Copied")));
}

static void
save_response_cb (GtkNativeDialog *dialog,
                  int              response,
                  PwExportDialog  *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      pw_export_dialog_save_to (self, file);
    }
  gtk_native_dialog_destroy (dialog);
  g_clear_object (&self->chooser);
}

static void
save_cb (PwExportDialog *self)
{
  GtkFileChooserNative *chooser;
  PwPipeline *pipeline = pw_text_document_get_pipeline (self->document);
  g_autofree char *name = NULL;
  GFile *source = pw_text_document_get_file (self->document);

  name = g_strdup_printf ("%s%s", pipeline != NULL && pw_pipeline_get_name (pipeline) != NULL
                                  ? pw_pipeline_get_name (pipeline) : "pipeline",
                          formats[format_index (self->format)].suffix);
  chooser = gtk_file_chooser_native_new (_("Export Pipeline"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Export"), _("_Cancel"));
  /* Start beside the pipeline file: usually a folder of its repository. */
  if (source != NULL)
    {
      g_autoptr(GFile) folder = g_file_get_parent (source);
      if (folder != NULL)
        gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
    }
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_signal_connect_object (chooser, "response", G_CALLBACK (save_response_cb), self, 0);
  g_clear_object (&self->chooser);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

static void
pw_export_dialog_dispose (GObject *object)
{
  PwExportDialog *self = (PwExportDialog *)object;

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  g_clear_object (&self->document);
  g_clear_object (&self->settings);
  g_clear_object (&self->buffer);

  G_OBJECT_CLASS (pw_export_dialog_parent_class)->dispose (object);
}

static void
pw_export_dialog_finalize (GObject *object)
{
  PwExportDialog *self = (PwExportDialog *)object;

  g_free (self->text);

  G_OBJECT_CLASS (pw_export_dialog_parent_class)->finalize (object);
}

static void
pw_export_dialog_class_init (PwExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pw_export_dialog_dispose;
  object_class->finalize = pw_export_dialog_finalize;

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
pw_export_dialog_init (PwExportDialog *self)
{
  GtkWidget *box, *header, *content, *group, *scroller, *view, *copy, *save;
  GtkStringList *list = gtk_string_list_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    gtk_string_list_append (list, _(formats[i].title));

  gtk_window_set_title (GTK_WINDOW (self), _("Export"));
  gtk_window_set_default_size (GTK_WINDOW (self), 720, 640);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);

  self->toasts = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  copy = gtk_button_new_with_mnemonic (_("_Copy"));
  save = gtk_button_new_with_mnemonic (_("_Export…"));
  gtk_widget_add_css_class (save, "suggested-action");
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), copy);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), save);
  gtk_box_append (GTK_BOX (box), header);

  content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_margin_top (content, 12);
  gtk_widget_set_margin_bottom (content, 12);
  gtk_widget_set_margin_start (content, 12);
  gtk_widget_set_margin_end (content, 12);
  gtk_widget_set_vexpand (content, TRUE);

  group = adw_preferences_group_new ();
  self->format_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->format_row), _("Format"));
  adw_combo_row_set_model (self->format_row, G_LIST_MODEL (list));
  g_object_unref (list);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->format_row));
  gtk_box_append (GTK_BOX (content), group);

  self->notes = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->notes, TRUE);
  gtk_label_set_xalign (self->notes, 0);
  gtk_label_set_selectable (self->notes, TRUE);
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->notes));

  self->buffer = gtk_source_buffer_new (NULL);
  {
    GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
    const char *id = adw_style_manager_get_dark (adw_style_manager_get_default ()) ? "Adwaita-dark" : "Adwaita";
    gtk_source_buffer_set_style_scheme (self->buffer, gtk_source_style_scheme_manager_get_scheme (schemes, id));
  }
  view = gtk_source_view_new_with_buffer (self->buffer);
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_source_view_set_show_line_numbers (GTK_SOURCE_VIEW (view), TRUE);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 6);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Preview"), -1);
  scroller = gtk_scrolled_window_new ();
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_widget_add_css_class (scroller, "card");
  gtk_widget_set_overflow (scroller, GTK_OVERFLOW_HIDDEN);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_box_append (GTK_BOX (content), scroller);

  gtk_box_append (GTK_BOX (box), content);
  adw_toast_overlay_set_child (self->toasts, box);
  adw_window_set_content (ADW_WINDOW (self), GTK_WIDGET (self->toasts));

  g_signal_connect_object (copy, "clicked", G_CALLBACK (copy_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (save, "clicked", G_CALLBACK (save_cb), self, G_CONNECT_SWAPPED);
}

GtkWindow *
pw_export_dialog_new (GtkWindow      *parent,
                      PwTextDocument *document,
                      GSettings      *settings)
{
  PwExportDialog *self;
  g_autofree char *last = NULL;
  PwOutputFormat format = PW_OUTPUT_YAML;

  g_return_val_if_fail (PW_IS_TEXT_DOCUMENT (document), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (PW_TYPE_EXPORT_DIALOG, "transient-for", parent, NULL);
  self->document = g_object_ref (document);
  self->settings = g_object_ref (settings);

  last = g_settings_get_string (settings, "last-export-format");
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (g_str_equal (formats[i].setting, last))
      format = formats[i].format;

  self->format = format;
  adw_combo_row_set_selected (self->format_row, format_index (format));
  g_signal_connect_object (self->format_row, "notify::selected", G_CALLBACK (format_changed_cb), self,
                           G_CONNECT_SWAPPED);
  regenerate (self);

  return GTK_WINDOW (self);
}

const char *
pw_export_dialog_get_text (PwExportDialog *self)
{
  g_return_val_if_fail (PW_IS_EXPORT_DIALOG (self), NULL);

  return self->text;
}

void
pw_export_dialog_set_format (PwExportDialog *self,
                             PwOutputFormat  format)
{
  g_return_if_fail (PW_IS_EXPORT_DIALOG (self));

  adw_combo_row_set_selected (self->format_row, format_index (format));
}

/* Writes the export atomically (temporary file, then rename). */
void
pw_export_dialog_save_to (PwExportDialog *self,
                          GFile          *file)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *message = NULL;
  g_autofree char *name = NULL;

  g_return_if_fail (PW_IS_EXPORT_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->text == NULL)
    return;

  path = g_file_get_path (file);
  name = g_file_get_basename (file);
  if (path != NULL ? pw_file_replace_contents (path, self->text, strlen (self->text), &error)
                   : g_file_replace_contents (file, self->text, strlen (self->text), NULL, FALSE,
                                              G_FILE_CREATE_NONE, NULL, NULL, &error))
    /* Translators: %s is a file name */
    message = g_strdup_printf (_("Exported to %s"), name);
  else
    message = g_strdup_printf (_("Could not export: %s"), error->message);

  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (message));
}
