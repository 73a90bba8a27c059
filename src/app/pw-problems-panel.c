/* pw-problems-panel.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-problems-panel"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "pw-app-util.h"
#include "pw-problems-panel.h"
#include "pw-quick-fix.h"

/*
 * The validator's findings, live: each with its severity, code, message and
 * place. Activating one asks the window to select its element on the
 * canvas and its line in the code view; a finding with an unambiguous fix
 * has a button that makes it. While the text does not parse, the reader's
 * error comes first.
 */

struct _PwProblemsPanel
{
  GtkWidget       parent_instance;

  GtkWidget      *box;
  GtkWidget      *error_bar;
  GtkWidget      *error_label;
  GtkListBox     *list;
  GtkWidget      *empty;
  PwTextDocument *document;
  int             cursor;
};

enum {
  ACTIVATED,
  ERROR_ACTIVATED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (PwProblemsPanel, pw_problems_panel, GTK_TYPE_WIDGET)

static guint signals [N_SIGNALS];

static void
fix_clicked_cb (GtkButton *button,
                gpointer   user_data)
{
  PwProblemsPanel *self = g_object_get_data (G_OBJECT (button), "panel");
  PwDiagnostic *diagnostic = user_data;

  if (self->document != NULL)
    pw_quick_fix_apply (self->document, diagnostic, NULL);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  PwProblemsPanel *self = user_data;
  PwDiagnostic *diagnostic = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (pw_severity_icon_name (pw_diagnostic_get_severity (diagnostic)));
  g_autofree char *subtitle = NULL;
  g_autofree char *fix_label = NULL;
  g_autofree char *title = g_markup_escape_text (pw_diagnostic_get_message (diagnostic), -1);
  const char *path = pw_diagnostic_get_path (diagnostic);

  if (pw_diagnostic_get_line (diagnostic) > 0)
    /* Translators: a finding's subtitle: code, line, model path */
    subtitle = g_strdup_printf (_("%s · line %u · %s"), pw_diagnostic_get_code (diagnostic),
                                pw_diagnostic_get_line (diagnostic), path[0] != '\0' ? path : _("pipeline"));
  else
    subtitle = g_strdup_printf ("%s · %s", pw_diagnostic_get_code (diagnostic), path[0] != '\0' ? path : _("pipeline"));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 3);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_add_css_class (icon, pw_severity_css_class (pw_diagnostic_get_severity (diagnostic)));
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  g_object_set_data_full (G_OBJECT (row), "diagnostic", g_object_ref (diagnostic), g_object_unref);

  fix_label = pw_quick_fix_dup_label (diagnostic);
  if (fix_label != NULL)
    {
      GtkWidget *button = gtk_button_new_with_label (fix_label);

      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (button, _("Fix it"));
      gtk_widget_add_css_class (button, "suggested-action");
      g_object_set_data (G_OBJECT (button), "panel", self);
      g_signal_connect_data (button, "clicked", G_CALLBACK (fix_clicked_cb),
                             g_object_ref (diagnostic), (GClosureNotify)(void (*)(void))g_object_unref, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }

  return row;
}

static void
row_activated_cb (PwProblemsPanel *self,
                  GtkListBoxRow   *row,
                  GtkListBox      *list)
{
  PwDiagnostic *diagnostic = g_object_get_data (G_OBJECT (row), "diagnostic");

  self->cursor = gtk_list_box_row_get_index (row);
  if (diagnostic != NULL)
    g_signal_emit (self, signals [ACTIVATED], 0, diagnostic);
}

static void
update (PwProblemsPanel *self)
{
  const GError *error = self->document != NULL ? pw_text_document_get_error (self->document) : NULL;
  GListModel *diagnostics = self->document != NULL ? pw_text_document_get_diagnostics (self->document) : NULL;
  guint n = diagnostics != NULL ? g_list_model_get_n_items (diagnostics) : 0;

  gtk_widget_set_visible (self->error_bar, error != NULL);
  if (error != NULL)
    gtk_label_set_text (GTK_LABEL (self->error_label), error->message);
  gtk_widget_set_visible (self->empty, n == 0 && error == NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->list), n > 0);
  self->cursor = -1;
}

static void
error_clicked_cb (PwProblemsPanel *self)
{
  g_signal_emit (self, signals [ERROR_ACTIVATED], 0);
}

static void
pw_problems_panel_dispose (GObject *object)
{
  PwProblemsPanel *self = (PwProblemsPanel *)object;

  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_object (&self->document);

  G_OBJECT_CLASS (pw_problems_panel_parent_class)->dispose (object);
}

static void
pw_problems_panel_class_init (PwProblemsPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pw_problems_panel_dispose;

  /**
   * PwProblemsPanel::activated:
   * @diagnostic: the finding the user chose
   */
  signals [ACTIVATED] =
    g_signal_new ("activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, PW_TYPE_DIAGNOSTIC);

  /**
   * PwProblemsPanel::error-activated:
   *
   * The user asked to see where the text stops reading.
   */
  signals [ERROR_ACTIVATED] =
    g_signal_new ("error-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "problems");
}

static void
pw_problems_panel_init (PwProblemsPanel *self)
{
  GtkWidget *scrolled, *button, *icon, *clamp;

  self->cursor = -1;
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  self->error_bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_add_css_class (self->error_bar, "parse-error");
  icon = gtk_image_new_from_icon_name ("dialog-error-symbolic");
  gtk_widget_add_css_class (icon, "error");
  self->error_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->error_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->error_label), 0);
  gtk_label_set_selectable (GTK_LABEL (self->error_label), TRUE);
  gtk_widget_set_hexpand (self->error_label, TRUE);
  button = gtk_button_new_with_mnemonic (_("_Show"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_signal_connect_object (button, "clicked", G_CALLBACK (error_clicked_cb), self, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (self->error_bar), icon);
  gtk_box_append (GTK_BOX (self->error_bar), self->error_label);
  gtk_box_append (GTK_BOX (self->error_bar), button);
  gtk_widget_set_visible (self->error_bar, FALSE);
  gtk_box_append (GTK_BOX (self->box), self->error_bar);

  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (self->box), scrolled);

  clamp = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_BROWSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "problems-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Problems"),
                                  -1);
  g_signal_connect_object (self->list, "row-activated", G_CALLBACK (row_activated_cb), self, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (clamp), GTK_WIDGET (self->list));

  self->empty = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (self->empty), "emblem-ok-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (self->empty), _("No Problems"));
  adw_status_page_set_description (ADW_STATUS_PAGE (self->empty),
                                   _("The pipeline passes every rule CodePipeline enforces"));
  gtk_widget_add_css_class (self->empty, "compact");
  gtk_box_append (GTK_BOX (clamp), self->empty);
}

GtkWidget *
pw_problems_panel_new (void)
{
  return g_object_new (PW_TYPE_PROBLEMS_PANEL, NULL);
}

void
pw_problems_panel_set_document (PwProblemsPanel *self,
                                PwTextDocument  *document)
{
  g_return_if_fail (PW_IS_PROBLEMS_PANEL (self));
  g_return_if_fail (PW_IS_TEXT_DOCUMENT (document));

  if (self->document == document)
    return;

  g_set_object (&self->document, document);
  gtk_list_box_bind_model (self->list, pw_text_document_get_diagnostics (document), create_row, self, NULL);
  g_signal_connect_object (document, "changed", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  update (self);
}

/* "2 errors, 1 warning" for the panel's tab and the status. */
char *
pw_problems_panel_dup_summary (PwProblemsPanel *self)
{
  GListModel *diagnostics;
  guint errors = 0, warnings = 0, notes = 0;
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (PW_IS_PROBLEMS_PANEL (self), NULL);

  if (self->document == NULL)
    return g_strdup ("");

  if (pw_text_document_get_error (self->document) != NULL)
    return g_strdup (_("The text does not read as a pipeline"));

  diagnostics = pw_text_document_get_diagnostics (self->document);
  for (guint i = 0; i < g_list_model_get_n_items (diagnostics); i++)
    {
      g_autoptr(PwDiagnostic) diagnostic = g_list_model_get_item (diagnostics, i);

      switch (pw_diagnostic_get_severity (diagnostic))
        {
        case PW_SEVERITY_ERROR:
          errors++;
          break;

        case PW_SEVERITY_WARNING:
          warnings++;
          break;

        case PW_SEVERITY_NOTE:
        default:
          notes++;
          break;
        }
    }

  if (errors > 0)
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u error", "%u errors", errors), errors);
  if (warnings > 0)
    {
      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u warning", "%u warnings", warnings), warnings);
    }
  if (notes > 0)
    {
      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u note", "%u notes", notes), notes);
    }
  if (text->len == 0)
    g_string_append (text, _("No problems"));

  return g_string_free (g_steal_pointer (&text), FALSE);
}

guint
pw_problems_panel_get_n_errors (PwProblemsPanel *self)
{
  GListModel *diagnostics;
  guint errors = 0;

  g_return_val_if_fail (PW_IS_PROBLEMS_PANEL (self), 0);

  if (self->document == NULL)
    return 0;
  if (pw_text_document_get_error (self->document) != NULL)
    return 1;

  diagnostics = pw_text_document_get_diagnostics (self->document);
  for (guint i = 0; i < g_list_model_get_n_items (diagnostics); i++)
    {
      g_autoptr(PwDiagnostic) diagnostic = g_list_model_get_item (diagnostics, i);
      errors += pw_diagnostic_get_severity (diagnostic) == PW_SEVERITY_ERROR;
    }
  return errors;
}

/* Next (1) or previous (-1) finding, as F8 does in editors. */
gboolean
pw_problems_panel_step (PwProblemsPanel *self,
                        int              direction)
{
  GListModel *diagnostics;
  guint n;
  GtkListBoxRow *row;

  g_return_val_if_fail (PW_IS_PROBLEMS_PANEL (self), FALSE);

  if (self->document == NULL)
    return FALSE;
  if (pw_text_document_get_error (self->document) != NULL)
    {
      g_signal_emit (self, signals [ERROR_ACTIVATED], 0);
      return TRUE;
    }

  diagnostics = pw_text_document_get_diagnostics (self->document);
  n = g_list_model_get_n_items (diagnostics);
  if (n == 0)
    return FALSE;

  self->cursor = self->cursor < 0 ? (direction > 0 ? 0 : (int)n - 1)
                                  : ((self->cursor + direction) % (int)n + (int)n) % (int)n;
  row = gtk_list_box_get_row_at_index (self->list, self->cursor);
  if (row != NULL)
    {
      gtk_list_box_select_row (self->list, row);
      g_signal_emit (self, signals [ACTIVATED], 0, g_object_get_data (G_OBJECT (row), "diagnostic"));
    }
  return TRUE;
}
