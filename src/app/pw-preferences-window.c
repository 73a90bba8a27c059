/* pw-preferences-window.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "pw-preferences-window.h"

/*
 * Preferences are GSettings keys, bound directly (STYLE.md §13): a change
 * here is seen at once by every window.
 */

static gboolean
choice_get_mapping (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  const char * const *choices = user_data;
  const char *current = g_variant_get_string (variant, NULL);

  for (guint i = 0; choices[i] != NULL; i++)
    if (g_str_equal (choices[i], current))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  g_value_set_uint (value, 0);
  return TRUE;
}

static GVariant *
choice_set_mapping (const GValue       *value,
                    const GVariantType *type,
                    gpointer            user_data)
{
  const char * const *choices = user_data;
  guint index = g_value_get_uint (value);

  for (guint i = 0; choices[i] != NULL; i++)
    if (i == index)
      return g_variant_new_string (choices[i]);
  return NULL;
}

static GtkWidget *
choice_row (GSettings          *settings,
            const char         *key,
            const char         *title,
            const char         *subtitle,
            const char * const *choices,
            const char * const *labels)
{
  GtkWidget *row = adw_combo_row_new ();
  GtkStringList *list = gtk_string_list_new (labels);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (list));
  g_object_unref (list);
  g_settings_bind_with_mapping (settings, key, row, "selected", G_SETTINGS_BIND_DEFAULT,
                                choice_get_mapping, choice_set_mapping, (gpointer)choices, NULL);
  return row;
}

static GtkWidget *
switch_row (GSettings  *settings,
            const char *key,
            const char *title,
            const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *toggle = gtk_switch_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
  g_settings_bind (settings, key, toggle, "active", G_SETTINGS_BIND_DEFAULT);
  return row;
}

GtkWindow *
pw_preferences_window_new (GSettings *settings)
{
  static const char * const styles[] = { "default", "light", "dark", NULL };
  static const char * const positions[] = { "bottom", "side", NULL };
  static const char * const formats[] = { "yaml", "json", "cfn-json", "cfn-yaml", NULL };
  const char *style_labels[4] = { NULL };
  const char *position_labels[3] = { NULL };
  const char *format_labels[5] = { NULL };
  GtkWidget *window = adw_preferences_window_new ();
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *group;

  style_labels[0] = _("Follow System");
  style_labels[1] = _("Light");
  style_labels[2] = _("Dark");
  position_labels[0] = _("Below the Canvas");
  position_labels[1] = _("Beside the Canvas");
  format_labels[0] = _("Pipeline (YAML)");
  format_labels[1] = _("Pipeline (JSON)");
  format_labels[2] = _("CloudFormation (JSON)");
  format_labels[3] = _("CloudFormation (YAML)");

  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  adw_preferences_page_set_title (ADW_PREFERENCES_PAGE (page), _("General"));
  adw_preferences_page_set_icon_name (ADW_PREFERENCES_PAGE (page), "preferences-system-symbolic");

  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Appearance"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                             choice_row (settings, "style-variant", _("Style"), NULL, styles, style_labels));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                             switch_row (settings, "show-grid", _("Canvas Grid"),
                                         _("Dots behind the stages, to read positions")));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));

  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Editing"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                             switch_row (settings, "auto-validate", _("Validate While Editing"),
                                         _("Check the pipeline against the CodePipeline rules after every edit")));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                             choice_row (settings, "panel-position", _("Code and Problems"), NULL,
                                         positions, position_labels));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                             choice_row (settings, "last-export-format", _("Export Format"),
                                         _("What the export dialog offers first"), formats, format_labels));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));

  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Runs"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                             switch_row (settings, "notify-approvals", _("Notify of Approvals"),
                                         _("A notification with Approve and Reject when an approval waits")));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                             switch_row (settings, "notify-run-end", _("Notify When a Run Ends"),
                                         _("When a run started here succeeds or fails while its window is behind")));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));

  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (window), ADW_PREFERENCES_PAGE (page));
  return GTK_WINDOW (window);
}
