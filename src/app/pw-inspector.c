/* pw-inspector.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-inspector"

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "pw-app-util.h"
#include "pw-artifacts-dialog.h"
#include "pw-inspector.h"
#include "pw-provider-docs.h"
#include "pw-quick-fix.h"

/*
 * Edits the selection: the pipeline, a stage, an action or an artifact.
 * Every row knows the model path it shows; committing it (Enter, the apply
 * button, a choice) is one edit of the text through the edit module, so
 * the inspector never holds state of its own: after each edit the model is
 * read again and the page is rebuilt from it, focus staying on the row of
 * the same path. Rows whose path has a finding are flagged in place with
 * the finding's message; the element's findings, with their fixes, head
 * the page.
 */

struct _PwInspector
{
  GtkWidget       parent_instance;

  GtkWidget      *scroller;
  GtkWidget      *page;         /* the current page's box, rebuilt */
  PwTextDocument *document;
  char           *selection;
  GHashTable     *rows;         /* path → row, of the current page */
  guint64         built_generation;
  char           *built_selection;
  char           *built_signature;
  guint           rebuild_source;
};

enum {
  SELECT,
  SHOW_IN_CODE,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (PwInspector, pw_inspector, GTK_TYPE_WIDGET)

static guint signals [N_SIGNALS];

static void rebuild (PwInspector *self);

/* Reading the model ------------------------------------------------------- */

static PwPipeline *
pipeline_of (PwInspector *self)
{
  return self->document != NULL ? pw_text_document_get_pipeline (self->document) : NULL;
}

/* The node at @path below @node ("a.b[2].c"). */
static JsonNode *
node_at_path (JsonNode   *node,
              const char *path)
{
  const char *p = path;

  while (node != NULL && *p != '\0')
    {
      if (*p == '.')
        p++;
      if (*p == '[')
        {
          char *end;
          guint64 index = g_ascii_strtoull (p + 1, &end, 10);

          if (*end != ']' || !JSON_NODE_HOLDS_ARRAY (node) ||
              index >= json_array_get_length (json_node_get_array (node)))
            return NULL;
          node = json_array_get_element (json_node_get_array (node), (guint)index);
          p = end + 1;
        }
      else
        {
          const char *end = p;
          g_autofree char *key = NULL;

          while (*end != '\0' && *end != '.' && *end != '[')
            end++;
          key = g_strndup (p, end - p);
          if (!JSON_NODE_HOLDS_OBJECT (node) || pw_cfn_is_intrinsic (node))
            return NULL;
          node = json_object_get_member (json_node_get_object (node), key);
          p = end;
        }
    }

  return node;
}

static const char *
string_at (JsonNode   *root,
           const char *path)
{
  JsonNode *node = node_at_path (root, path);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonNode *
element_raw (PwElement *element)
{
  return pw_element_get_raw (element);
}

/* Findings under a path: "stages[1].actions[0]" has those of its
 * configuration keys, and so on. */
static GPtrArray *
findings_under (PwInspector *self,
                const char  *path,
                gboolean     exact)
{
  GPtrArray *found = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *diagnostics;
  gsize len = strlen (path);

  if (self->document == NULL)
    return found;

  diagnostics = pw_text_document_get_diagnostics (self->document);
  for (guint i = 0; i < g_list_model_get_n_items (diagnostics); i++)
    {
      g_autoptr(PwDiagnostic) diagnostic = g_list_model_get_item (diagnostics, i);
      const char *dpath = pw_diagnostic_get_path (diagnostic);

      if (exact ? g_str_equal (dpath, path)
                : (len == 0 || (g_str_has_prefix (dpath, path) &&
                                (dpath[len] == '\0' || dpath[len] == '.' || dpath[len] == '['))))
        g_ptr_array_add (found, g_steal_pointer (&diagnostic));
    }

  return found;
}

/* Committing --------------------------------------------------------------- */

static void
commit_string (PwInspector *self,
               const char  *path,
               const char  *text,
               const char  *label,
               gboolean     remove_when_empty)
{
  if (text == NULL || (text[0] == '\0' && remove_when_empty))
    pw_text_document_edit_remove (self->document, label, path, NULL);
  else
    pw_text_document_edit_set_string (self->document, label, path, text, NULL);
}

static char *
edit_label (const char *what)
{
  /* Translators: an undo step: "Change roleArn" */
  return g_strdup_printf (_("Change %s"), what);
}

static void
entry_apply_cb (AdwEntryRow *row,
                PwInspector *self)
{
  const char *path = g_object_get_data (G_OBJECT (row), "path");
  const char *kind = g_object_get_data (G_OBJECT (row), "kind");
  const char *label_name = g_object_get_data (G_OBJECT (row), "label-name");
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));
  gboolean optional = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "optional"));
  g_autofree char *label = edit_label (label_name != NULL ? label_name : path);

  if (g_strcmp0 (kind, "int") == 0)
    {
      g_autoptr(JsonNode) node = NULL;
      char *end;
      gint64 value;

      if (text[0] == '\0' && optional)
        {
          pw_text_document_edit_remove (self->document, label, path, NULL);
          return;
        }
      value = g_ascii_strtoll (text, &end, 10);
      if (text[0] == '\0' || *end != '\0')
        {
          /* Translators: an inspector field wants a whole number */
          g_autofree char *message = g_strdup_printf (_("%s must be a whole number"), label_name ?: path);
          g_signal_emit_by_name (self->document, "edit-failed", message);
          return;
        }
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_int (node, value);
      pw_text_document_edit_set (self->document, label, path, node, NULL);
    }
  else if (g_strcmp0 (kind, "list") == 0)
    {
      /* A comma-separated entry for a list of strings. */
      g_auto(GStrv) parts = g_strsplit (text, ",", -1);
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);
      JsonArray *array = json_array_new ();

      for (guint i = 0; parts[i] != NULL; i++)
        {
          g_strstrip (parts[i]);
          if (parts[i][0] != '\0')
            json_array_add_string_element (array, parts[i]);
        }
      json_node_take_array (node, array);
      if (json_array_get_length (array) == 0)
        pw_text_document_edit_remove (self->document, label, path, NULL);
      else
        pw_text_document_edit_set (self->document, label, path, node, NULL);
    }
  else
    commit_string (self, path, text, label, optional);
}

/* Rows --------------------------------------------------------------------- */

static void
remember_row (PwInspector *self,
              const char  *path,
              GtkWidget   *row)
{
  g_object_set_data_full (G_OBJECT (row), "path", g_strdup (path), g_free);
  g_hash_table_insert (self->rows, g_strdup (path), row);
}

static void
flag_row (PwInspector *self,
          GtkWidget   *row,
          const char  *path)
{
  g_autoptr(GPtrArray) found = findings_under (self, path, FALSE);
  g_autoptr(GString) text = g_string_new (NULL);
  gboolean error = FALSE;

  for (guint i = 0; i < found->len; i++)
    {
      PwDiagnostic *diagnostic = g_ptr_array_index (found, i);

      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, pw_diagnostic_get_message (diagnostic));
      error |= pw_diagnostic_get_severity (diagnostic) != PW_SEVERITY_NOTE;
    }

  if (found->len > 0)
    {
      gtk_widget_add_css_class (row, error ? "error" : "accent");
      gtk_widget_set_tooltip_text (row, text->str);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text->str,
                                      -1);
    }
}

static void
doc_button_clicked_cb (GtkButton *button,
                       gpointer   user_data)
{
  GtkWidget *popover = user_data;

  gtk_popover_popup (GTK_POPOVER (popover));
}

/* An info button that shows @doc: visible documentation for a key. */
static void
add_doc_button (GtkWidget  *row,
                const char *doc)
{
  GtkWidget *button, *popover, *label;

  if (doc == NULL)
    return;

  label = gtk_label_new (doc);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_bottom (label, 6);
  gtk_widget_set_margin_start (label, 6);
  gtk_widget_set_margin_end (label, 6);

  button = gtk_button_new_from_icon_name ("help-about-symbolic");
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, doc);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("About this field"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, doc,
                                  -1);
  popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (popover), label);
  gtk_widget_set_parent (popover, button);
  g_signal_connect (button, "clicked", G_CALLBACK (doc_button_clicked_cb), popover);
  g_signal_connect_swapped (button, "destroy", G_CALLBACK (gtk_widget_unparent), popover);

  if (ADW_IS_ENTRY_ROW (row))
    adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), button);
  else
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
}

static void
remove_clicked_cb (GtkButton   *button,
                   PwInspector *self)
{
  const char *path = g_object_get_data (G_OBJECT (button), "path");
  const char *label = g_object_get_data (G_OBJECT (button), "label");

  pw_text_document_edit_remove (self->document, label, path, NULL);
}

static GtkWidget *
remove_button (PwInspector *self,
               const char  *path,
               const char  *label,
               const char  *tooltip)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("user-trash-symbolic");

  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  g_object_set_data_full (G_OBJECT (button), "path", g_strdup (path), g_free);
  g_object_set_data_full (G_OBJECT (button), "label", g_strdup (label), g_free);
  g_signal_connect_object (button, "clicked", G_CALLBACK (remove_clicked_cb), self, 0);
  return button;
}

static GtkWidget *
entry_row (PwInspector *self,
           GtkWidget   *group,
           const char  *title,
           const char  *path,
           const char  *value,
           const char  *kind,
           gboolean     optional,
           const char  *doc)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (row), value != NULL ? value : "");
  g_object_set_data (G_OBJECT (row), "kind", (gpointer)kind);
  g_object_set_data (G_OBJECT (row), "optional", GINT_TO_POINTER (optional));
  g_object_set_data_full (G_OBJECT (row), "label-name", g_strdup (title), g_free);
  remember_row (self, path, row);
  g_signal_connect_object (row, "apply", G_CALLBACK (entry_apply_cb), self, 0);
  add_doc_button (row, doc);
  flag_row (self, row, path);

  if (group != NULL)
    {
      if (ADW_IS_EXPANDER_ROW (group))
        adw_expander_row_add_row (ADW_EXPANDER_ROW (group), row);
      else
        adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
    }
  return row;
}

static void
show_in_code_clicked_cb (GtkButton   *button,
                         PwInspector *self)
{
  g_signal_emit (self, signals [SHOW_IN_CODE], 0, g_object_get_data (G_OBJECT (button), "path"));
}

static void
add_row (GtkWidget *group,
         GtkWidget *row)
{
  if (ADW_IS_EXPANDER_ROW (group))
    adw_expander_row_add_row (ADW_EXPANDER_ROW (group), row);
  else
    adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
}

/* A value that is an intrinsic: shown in its short form, edited in the
 * code view. */
static GtkWidget *
intrinsic_row (PwInspector *self,
               GtkWidget   *group,
               const char  *title,
               const char  *path,
               JsonNode    *value)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_with_mnemonic (_("Edit in _Code"));
  g_autofree char *text = pw_format_value (value);
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  g_autofree char *markup = g_strdup_printf ("<tt>%s</tt>", escaped);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), markup);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, _("An intrinsic function decides this value; edit it in the code view"));
  g_object_set_data_full (G_OBJECT (button), "path", g_strdup (path), g_free);
  g_signal_connect_object (button, "clicked", G_CALLBACK (show_in_code_clicked_cb), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  remember_row (self, path, row);
  flag_row (self, row, path);
  add_row (group, row);
  return row;
}

static void
combo_selected_cb (AdwComboRow *row,
                   GParamSpec  *pspec,
                   PwInspector *self)
{
  const char *path = g_object_get_data (G_OBJECT (row), "path");
  const char *title = g_object_get_data (G_OBJECT (row), "label-name") != NULL
                    ? g_object_get_data (G_OBJECT (row), "label-name")
                    : adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
  gboolean optional = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "optional"));
  GListModel *model = adw_combo_row_get_model (row);
  guint selected = adw_combo_row_get_selected (row);
  g_autofree char *label = edit_label (title);
  const char *value;

  if (selected == GTK_INVALID_LIST_POSITION)
    return;

  if (optional && selected == 0)
    {
      pw_text_document_edit_remove (self->document, label, path, NULL);
      return;
    }

  value = gtk_string_list_get_string (GTK_STRING_LIST (model), selected);
  commit_string (self, path, value, label, FALSE);
}

static GtkWidget *
combo_row (PwInspector        *self,
           GtkWidget          *group,
           const char         *title,
           const char         *path,
           const char * const *choices,
           const char         *current,
           gboolean            optional,
           const char         *doc)
{
  GtkWidget *row = adw_combo_row_new ();
  GtkStringList *list = gtk_string_list_new (NULL);
  guint selected = 0, n = 0;
  gboolean found = FALSE;

  if (optional)
    {
      /* Translators: a choice that leaves a setting out, so its default applies */
      gtk_string_list_append (list, _("(default)"));
      n++;
    }
  for (guint i = 0; choices[i] != NULL; i++, n++)
    {
      gtk_string_list_append (list, choices[i]);
      if (g_strcmp0 (current, choices[i]) == 0)
        {
          selected = n;
          found = TRUE;
        }
    }
  if (current != NULL && !found)
    {
      /* What the file says, even if it is not one of the known values. */
      gtk_string_list_append (list, current);
      selected = n;
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (list));
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), selected);
  g_object_unref (list);
  g_object_set_data (G_OBJECT (row), "optional", GINT_TO_POINTER (optional));
  remember_row (self, path, row);
  /* Documented behind the (i) button, as the entry rows are: a subtitle
   * would squeeze the chosen value to an ellipsis in a narrow inspector. */
  add_doc_button (row, doc);
  flag_row (self, row, path);
  g_signal_connect_object (row, "notify::selected", G_CALLBACK (combo_selected_cb), self, 0);
  add_row (group, row);
  return row;
}

static GtkWidget *
group_new (GtkWidget  *page,
           const char *title,
           const char *description)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  if (description != NULL)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);
  gtk_box_append (GTK_BOX (page), group);
  return group;
}

static void
select_clicked_cb (GtkWidget   *widget,
                   PwInspector *self)
{
  g_signal_emit (self, signals [SELECT], 0, g_object_get_data (G_OBJECT (widget), "select"));
}

static GtkWidget *
link_row (PwInspector *self,
          GtkWidget   *group,
          const char  *title,
          const char  *subtitle,
          const char  *select)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *escaped_title = g_markup_escape_text (title, -1);
  g_autofree char *escaped_subtitle = subtitle != NULL ? g_markup_escape_text (subtitle, -1) : NULL;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped_title);
  if (escaped_subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped_subtitle);
  if (select != NULL)
    {
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      g_object_set_data_full (G_OBJECT (row), "select", g_strdup (select), g_free);
      g_signal_connect_object (row, "activated", G_CALLBACK (select_clicked_cb), self, 0);
    }
  add_row (group, row);
  return row;
}

static void
fix_clicked_cb (GtkButton   *button,
                PwInspector *self)
{
  /* The button goes with the page the fix rebuilds. */
  g_autoptr(PwDiagnostic) diagnostic = g_object_ref (g_object_get_data (G_OBJECT (button), "diagnostic"));
  const PwFix *fix = pw_diagnostic_get_fix (diagnostic);
  g_autofree char *fill_in = NULL;
  GtkWidget *row;

  /* A required key added empty: the user's next keystrokes are its value. */
  if (fix->kind == PW_FIX_SET && fix->value != NULL && JSON_NODE_HOLDS_VALUE (fix->value) &&
      json_node_get_value_type (fix->value) == G_TYPE_STRING &&
      json_node_get_string (fix->value)[0] == '\0')
    fill_in = g_strdup (fix->path);

  if (!pw_quick_fix_apply (self->document, diagnostic, NULL) || fill_in == NULL)
    return;
  row = pw_inspector_find_row (self, fill_in);
  if (row != NULL)
    gtk_widget_grab_focus (row);
}

/* The element's findings at the top of its page. */
static void
add_problems (PwInspector *self,
              GtkWidget   *page,
              const char  *path,
              gboolean     exact)
{
  g_autoptr(GPtrArray) found = findings_under (self, path, exact);
  GtkWidget *group;

  if (found->len == 0)
    return;

  group = group_new (page, _("Problems"), NULL);
  for (guint i = 0; i < found->len; i++)
    {
      PwDiagnostic *diagnostic = g_ptr_array_index (found, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name (pw_severity_icon_name (pw_diagnostic_get_severity (diagnostic)));
      g_autofree char *escaped = g_markup_escape_text (pw_diagnostic_get_message (diagnostic), -1);
      const PwFix *fix = pw_diagnostic_get_fix (diagnostic);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), pw_diagnostic_get_code (diagnostic));
      /* The whole message: it says what to do. */
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
      gtk_widget_add_css_class (icon, pw_severity_css_class (pw_diagnostic_get_severity (diagnostic)));
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      if (fix != NULL)
        {
          GtkWidget *button = gtk_button_new_with_label (fix->label);

          gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
          gtk_widget_add_css_class (button, "suggested-action");
          g_object_set_data_full (G_OBJECT (button), "diagnostic", g_object_ref (diagnostic), g_object_unref);
          g_signal_connect_object (button, "clicked", G_CALLBACK (fix_clicked_cb), self, 0);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
        }
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
    }
}

static GtkWidget *
add_button (GtkWidget  *group,
            const char *label)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_add_css_class (button, "flat");
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (group), button);
  return button;
}

/* The pipeline page -------------------------------------------------------- */

static void
artifacts_select_cb (PwInspector *self,
                     const char  *path,
                     GtkWindow   *dialog)
{
  g_signal_emit (self, signals [SELECT], 0, path);
}

static void
show_artifacts_cb (PwInspector *self)
{
  PwPipeline *pipeline = pipeline_of (self);
  GtkWindow *dialog;

  if (pipeline == NULL)
    return;

  dialog = pw_artifacts_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), pipeline);
  g_signal_connect_object (dialog, "select", G_CALLBACK (artifacts_select_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (dialog);
}

typedef struct
{
  const char *array;
  JsonNode   *value;
} InsertData;

static gboolean
insert_func (PwEditor  *editor,
             gpointer   user_data,
             GError   **error)
{
  InsertData *data = user_data;

  return pw_editor_insert (editor, data->array, -1, data->value, error);
}

static void
add_variable_cb (GtkButton   *button,
                 PwInspector *self)
{
  PwPipeline *pipeline = pipeline_of (self);
  JsonNode *variables = pipeline != NULL ? pw_element_get_member (PW_ELEMENT (pipeline), "variables") : NULL;
  guint n = variables != NULL && JSON_NODE_HOLDS_ARRAY (variables) ? json_array_get_length (json_node_get_array (variables)) : 0;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *name = g_strdup_printf ("Variable%u", n + 1);
  g_autoptr(JsonNode) node = NULL;
  InsertData data;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "defaultValue");
  json_builder_add_string_value (builder, "value");
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);

  data.array = "variables";
  data.value = node;
  pw_text_document_edit (self->document, _("Add variable"), insert_func, &data, NULL);
}

static char *
first_connection_source (PwPipeline *pipeline)
{
  for (guint s = 0; s < pw_pipeline_get_n_stages (pipeline); s++)
    {
      PwStage *stage = pw_pipeline_get_stage (pipeline, s);

      if (pw_element_is_opaque (PW_ELEMENT (stage)))
        continue;
      for (guint a = 0; a < pw_stage_get_n_actions (stage); a++)
        {
          PwAction *action = pw_stage_get_action (stage, a);

          if (!pw_element_is_opaque (PW_ELEMENT (action)) &&
              g_strcmp0 (pw_action_get_category (action), "Source") == 0 &&
              pw_action_get_name (action) != NULL)
            return g_strdup (pw_action_get_name (action));
        }
    }
  return NULL;
}

static void
add_trigger_cb (GtkButton   *button,
                PwInspector *self)
{
  PwPipeline *pipeline = pipeline_of (self);
  g_autofree char *source = pipeline != NULL ? first_connection_source (pipeline) : NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *json = NULL;
  InsertData data;

  json = g_strdup_printf ("{\"providerType\": \"CodeStarSourceConnection\", "
                          "\"gitConfiguration\": {\"sourceActionName\": \"%s\", "
                          "\"push\": [{\"branches\": {\"includes\": [\"main\"]}}]}}",
                          source != NULL ? source : "Source");
  if (!json_parser_load_from_data (parser, json, -1, NULL))
    return;

  data.array = "triggers";
  data.value = json_parser_get_root (parser);
  pw_text_document_edit (self->document, _("Add trigger"), insert_func, &data, NULL);
}

static char *
join_strings (JsonNode *node)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return g_strdup ("");

  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
    {
      g_autofree char *item = pw_format_value (json_array_get_element (json_node_get_array (node), i));

      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append (text, item);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
filter_rows (PwInspector *self,
             GtkWidget   *expander,
             JsonNode    *filter,
             const char  *base,
             const char  *what,
             const char  *title)
{
  const char *kinds[2] = { "includes", "excludes" };
  const char *titles[2];

  /* Translators: a trigger filter field: "Branches: include" */
  titles[0] = _("include");
  titles[1] = _("exclude");

  for (guint k = 0; k < 2; k++)
    {
      g_autofree char *path = g_strdup_printf ("%s.%s.%s", base, what, kinds[k]);
      g_autofree char *row_title = g_strdup_printf ("%s: %s", title, titles[k]);
      g_autofree char *sub = g_strdup_printf ("%s.%s", what, kinds[k]);
      g_autofree char *value = join_strings (node_at_path (filter, sub));

      entry_row (self, expander, row_title, path, value, "list", TRUE,
                 _("Glob patterns, separated by commas (at most 8)"));
    }
}

static void
build_pipeline_page (PwInspector *self,
                     GtkWidget   *page)
{
  PwPipeline *pipeline = pipeline_of (self);
  JsonNode *raw = element_raw (PW_ELEMENT (pipeline));
  static const char * const types[] = { "V1", "V2", NULL };
  static const char * const modes[] = { "SUPERSEDED", "QUEUED", "PARALLEL", NULL };
  gboolean v2 = pw_pipeline_is_v2 (pipeline);
  GtkWidget *group, *button;
  JsonNode *node;

  add_problems (self, page, "", TRUE);

  group = group_new (page, _("Pipeline"), NULL);
  node = pw_element_get_member (PW_ELEMENT (pipeline), "name");
  if (node != NULL && pw_cfn_is_intrinsic (node))
    intrinsic_row (self, group, _("Name"), "name", node);
  else
    entry_row (self, group, _("Name"), "name", string_at (raw, "name"), "string", FALSE,
               _("1–100 characters: letters, digits, and . @ - _"));
  combo_row (self, group, _("Type"), "pipelineType", types, string_at (raw, "pipelineType"), TRUE,
             _("V2 adds variables, triggers, execution modes and stage conditions"));
  combo_row (self, group, _("Execution mode"), "executionMode", modes, string_at (raw, "executionMode"), TRUE,
             _("What happens when a new execution reaches a stage that is busy"));
  node = pw_element_get_member (PW_ELEMENT (pipeline), "roleArn");
  if (node != NULL && pw_cfn_is_intrinsic (node))
    intrinsic_row (self, group, _("Service role"), "roleArn", node);
  else
    entry_row (self, group, _("Service role ARN"), "roleArn", string_at (raw, "roleArn"), "string", FALSE,
               _("The IAM role CodePipeline assumes: arn:aws:iam::ACCOUNT:role/NAME"));

  group = group_new (page, _("Artifact store"), NULL);
  if (pw_element_get_member (PW_ELEMENT (pipeline), "artifactStores") != NULL)
    link_row (self, group, _("One artifact store per region"),
              _("This pipeline has cross-region artifact stores; edit them in the code view"), NULL);
  else
    {
      node = node_at_path (raw, "artifactStore.location");
      if (node != NULL && pw_cfn_is_intrinsic (node))
        intrinsic_row (self, group, _("S3 bucket"), "artifactStore.location", node);
      else
        entry_row (self, group, _("S3 bucket"), "artifactStore.location", string_at (raw, "artifactStore.location"),
                   "string", FALSE, _("The bucket that holds the artifacts, in the pipeline's region"));
      node = node_at_path (raw, "artifactStore.encryptionKey.id");
      if (node != NULL && pw_cfn_is_intrinsic (node))
        intrinsic_row (self, group, _("KMS key"), "artifactStore.encryptionKey.id", node);
      else
        entry_row (self, group, _("KMS key"), "artifactStore.encryptionKey.id",
                   string_at (raw, "artifactStore.encryptionKey.id"), "string", TRUE,
                   _("Optional: the KMS key (id, ARN or alias) that encrypts the artifacts; "
                     "empty uses the AWS-managed key"));
    }

  /* Variables (V2) */
  group = group_new (page, _("Variables"), v2 ? _("Set when an execution starts; read as #{variables.NAME}")
                                              : _("Variables need a V2 pipeline"));
  button = add_button (group, _("_Add"));
  gtk_widget_set_sensitive (button, v2);
  g_signal_connect_object (button, "clicked", G_CALLBACK (add_variable_cb), self, 0);
  node = pw_element_get_member (PW_ELEMENT (pipeline), "variables");
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
      {
        JsonNode *variable = json_array_get_element (json_node_get_array (node), i);
        GtkWidget *expander = adw_expander_row_new ();
        g_autofree char *base = g_strdup_printf ("variables[%u]", i);
        g_autofree char *name_path = g_strdup_printf ("%s.name", base);
        g_autofree char *default_path = g_strdup_printf ("%s.defaultValue", base);
        g_autofree char *description_path = g_strdup_printf ("%s.description", base);
        const char *name = string_at (variable, "name");
        g_autofree char *escaped = g_markup_escape_text (name != NULL ? name : "?", -1);
        const char *default_value = string_at (variable, "defaultValue");
        g_autofree char *escaped_default = default_value != NULL ? g_markup_escape_text (default_value, -1) : NULL;

        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), escaped);
        if (escaped_default != NULL)
          adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), escaped_default);
        adw_expander_row_add_action (ADW_EXPANDER_ROW (expander),
                                     remove_button (self, base, _("Remove variable"), _("Remove this variable")));
        entry_row (self, expander, _("Name"), name_path, name, "string", FALSE, NULL);
        entry_row (self, expander, _("Default value"), default_path, default_value, "string", TRUE, NULL);
        entry_row (self, expander, _("Description"), description_path, string_at (variable, "description"),
                   "string", TRUE, NULL);
        remember_row (self, base, expander);
        flag_row (self, expander, base);
        adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), expander);
      }

  /* Triggers (V2) */
  group = group_new (page, _("Triggers"), v2 ? _("Start an execution on a push or a pull request")
                                             : _("Triggers need a V2 pipeline"));
  button = add_button (group, _("A_dd"));
  gtk_widget_set_sensitive (button, v2);
  g_signal_connect_object (button, "clicked", G_CALLBACK (add_trigger_cb), self, 0);
  node = pw_element_get_member (PW_ELEMENT (pipeline), "triggers");
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
      {
        JsonNode *trigger = json_array_get_element (json_node_get_array (node), i);
        GtkWidget *expander = adw_expander_row_new ();
        g_autofree char *base = g_strdup_printf ("triggers[%u]", i);
        g_autofree char *source_path = g_strdup_printf ("%s.gitConfiguration.sourceActionName", base);
        g_autofree char *push_base = g_strdup_printf ("%s.gitConfiguration.push[0]", base);
        g_autofree char *pull_base = g_strdup_printf ("%s.gitConfiguration.pullRequest[0]", base);
        g_autofree char *events_path = g_strdup_printf ("%s.events", pull_base);
        const char *source = string_at (trigger, "gitConfiguration.sourceActionName");
        g_autofree char *title = g_strdup_printf (_("On changes to %s"), source != NULL ? source : "?");
        g_autofree char *escaped = g_markup_escape_text (title, -1);
        JsonNode *push = node_at_path (trigger, "gitConfiguration.push[0]");
        JsonNode *pull = node_at_path (trigger, "gitConfiguration.pullRequest[0]");
        g_autofree char *events = join_strings (node_at_path (pull, "events"));

        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), escaped);
        adw_expander_row_add_action (ADW_EXPANDER_ROW (expander),
                                     remove_button (self, base, _("Remove trigger"), _("Remove this trigger")));
        entry_row (self, expander, _("Source action"), source_path, source, "string", FALSE,
                   _("The CodeStarSourceConnection source action whose repository is watched"));
        filter_rows (self, expander, push, push_base, "branches", _("Push branches"));
        filter_rows (self, expander, push, push_base, "tags", _("Push tags"));
        filter_rows (self, expander, push, push_base, "filePaths", _("Push file paths"));
        entry_row (self, expander, _("Pull request events"), events_path, events, "list", TRUE,
                   _("OPEN, UPDATED and/or CLOSED, separated by commas"));
        filter_rows (self, expander, pull, pull_base, "branches", _("Pull request branches"));
        filter_rows (self, expander, pull, pull_base, "filePaths", _("Pull request file paths"));
        remember_row (self, base, expander);
        flag_row (self, expander, base);
        adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), expander);
      }

  /* Artifacts: how many, and the full list (producer → readers) in a
   * dialog whose rows are made only for what is on screen: a pipeline of
   * 2,500 actions lists as fast as one of five. */
  group = group_new (page, _("Artifacts"), NULL);
  {
    guint n_artifacts = 0, n_unread = 0;
    g_autoptr(GHashTable) read = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    g_autofree char *summary = NULL;
    g_autofree char *unread = NULL;
    GtkWidget *row, *show;

    for (guint s = 0; s < pw_pipeline_get_n_stages (pipeline); s++)
      {
        PwStage *stage = pw_pipeline_get_stage (pipeline, s);

        if (pw_element_is_opaque (PW_ELEMENT (stage)))
          continue;
        for (guint a = 0; a < pw_stage_get_n_actions (stage); a++)
          {
            g_auto(GStrv) inputs = NULL;

            if (pw_element_is_opaque (PW_ELEMENT (pw_stage_get_action (stage, a))))
              continue;
            inputs = pw_action_dup_input_artifacts (pw_stage_get_action (stage, a));
            for (guint i = 0; inputs != NULL && inputs[i] != NULL; i++)
              g_hash_table_add (read, g_strdup (inputs[i]));
          }
      }
    for (guint s = 0; s < pw_pipeline_get_n_stages (pipeline); s++)
      {
        PwStage *stage = pw_pipeline_get_stage (pipeline, s);

        if (pw_element_is_opaque (PW_ELEMENT (stage)))
          continue;
        for (guint a = 0; a < pw_stage_get_n_actions (stage); a++)
          {
            g_auto(GStrv) outputs = NULL;

            if (pw_element_is_opaque (PW_ELEMENT (pw_stage_get_action (stage, a))))
              continue;
            outputs = pw_action_dup_output_artifacts (pw_stage_get_action (stage, a));
            for (guint o = 0; outputs != NULL && outputs[o] != NULL; o++)
              {
                n_artifacts++;
                n_unread += !g_hash_table_contains (read, outputs[o]);
              }
          }
      }

    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u artifact", "%u artifacts", n_artifacts),
                               n_artifacts);
    unread = n_unread > 0
           ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u is not read by any action",
                                           "%u are not read by any action", n_unread), n_unread)
           : g_strdup (_("Each is read by a later action"));
    row = link_row (self, group, summary, unread, NULL);
    show = gtk_button_new_with_mnemonic (_("_Show All"));
    gtk_widget_set_valign (show, GTK_ALIGN_CENTER);
    gtk_widget_set_sensitive (show, n_artifacts > 0);
    g_signal_connect_object (show, "clicked", G_CALLBACK (show_artifacts_cb), self, G_CONNECT_SWAPPED);
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), show);
    remember_row (self, "artifacts", row);
  }
}

/* The stage page ----------------------------------------------------------- */

static const char * const rule_providers[] = {
  "VariableCheck", "DeploymentWindow", "CloudWatchAlarm", "LambdaInvoke", "Commands", NULL
};

static const char * const *
rule_keys (const char *provider)
{
  static const char * const variable_check[] = { "Variable", "Value", "Operator", NULL };
  static const char * const deployment_window[] = { "Cron", "TimeZone", NULL };
  static const char * const alarm[] = { "AlarmName", "WaitTime", NULL };
  static const char * const lambda[] = { "FunctionName", "UserParameters", NULL };
  static const char * const none[] = { NULL };

  if (g_strcmp0 (provider, "VariableCheck") == 0)
    return variable_check;
  if (g_strcmp0 (provider, "DeploymentWindow") == 0)
    return deployment_window;
  if (g_strcmp0 (provider, "CloudWatchAlarm") == 0)
    return alarm;
  if (g_strcmp0 (provider, "LambdaInvoke") == 0)
    return lambda;
  return none;
}

static const char *
default_condition (const char *which)
{
  if (g_str_equal (which, "onFailure"))
    return "{\"result\": \"RETRY\", \"retryConfiguration\": {\"retryMode\": \"FAILED_ACTIONS\"}}";
  if (g_str_equal (which, "beforeEntry"))
    return "{\"conditions\": [{\"result\": \"FAIL\", \"rules\": [{\"name\": \"WorkingHours\", "
           "\"ruleTypeId\": {\"category\": \"Rule\", \"owner\": \"AWS\", \"provider\": \"DeploymentWindow\", "
           "\"version\": \"1\"}, \"configuration\": {\"Cron\": \"* * 9-17 ? * MON-FRI *\", "
           "\"TimeZone\": \"UTC\"}}]}]}";
  return "{\"conditions\": [{\"result\": \"FAIL\", \"rules\": [{\"name\": \"NoAlarm\", "
         "\"ruleTypeId\": {\"category\": \"Rule\", \"owner\": \"AWS\", \"provider\": \"CloudWatchAlarm\", "
         "\"version\": \"1\"}, \"configuration\": {\"AlarmName\": \"service-errors\"}}]}]}";
}

static void
condition_toggled_cb (AdwExpanderRow *row,
                      GParamSpec     *pspec,
                      PwInspector    *self)
{
  const char *path = g_object_get_data (G_OBJECT (row), "path");
  const char *which = g_object_get_data (G_OBJECT (row), "which");
  const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
  gboolean enabled = adw_expander_row_get_enable_expansion (row);

  if (enabled)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      /* Translators: an undo step: "Add On failure" */
      g_autofree char *label = g_strdup_printf (_("Add %s"), title);

      if (json_parser_load_from_data (parser, default_condition (which), -1, NULL))
        pw_text_document_edit_set (self->document, label, path, json_parser_get_root (parser), NULL);
    }
  else
    {
      /* Translators: an undo step: "Remove On failure" */
      g_autofree char *label = g_strdup_printf (_("Remove %s"), title);
      pw_text_document_edit_remove (self->document, label, path, NULL);
    }
}

static void
rule_provider_cb (AdwComboRow *row,
                  GParamSpec  *pspec,
                  PwInspector *self)
{
  const char *path = g_object_get_data (G_OBJECT (row), "path");
  guint selected = adw_combo_row_get_selected (row);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  if (selected == GTK_INVALID_LIST_POSITION || rule_providers[selected] == NULL)
    return;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "category");
  json_builder_add_string_value (builder, "Rule");
  json_builder_set_member_name (builder, "owner");
  json_builder_add_string_value (builder, "AWS");
  json_builder_set_member_name (builder, "provider");
  json_builder_add_string_value (builder, rule_providers[selected]);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, "1");
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  pw_text_document_edit_set (self->document, _("Change rule type"), path, node, NULL);
}

static void
add_rule_cb (GtkButton   *button,
             PwInspector *self)
{
  const char *array = g_object_get_data (G_OBJECT (button), "path");
  g_autoptr(JsonParser) parser = json_parser_new ();
  InsertData data;

  if (!json_parser_load_from_data (parser,
                                   "{\"name\": \"CheckVariable\", \"ruleTypeId\": {\"category\": \"Rule\", "
                                   "\"owner\": \"AWS\", \"provider\": \"VariableCheck\", \"version\": \"1\"}, "
                                   "\"configuration\": {\"Variable\": \"#{variables.Gate}\", \"Value\": \"open\", "
                                   "\"Operator\": \"EQ\"}}", -1, NULL))
    return;

  data.array = array;
  data.value = json_parser_get_root (parser);
  pw_text_document_edit (self->document, _("Add rule"), insert_func, &data, NULL);
}

static void
condition_rows (PwInspector *self,
                GtkWidget   *expander,
                JsonNode    *condition,
                const char  *base)
{
  static const char * const results[] = { "ROLLBACK", "FAIL", "RETRY", "SKIP", NULL };
  static const char * const operators[] = { "EQ", "NE", "CONTAINS", "MATCHES", NULL };
  g_autofree char *result_path = g_strdup_printf ("%s.result", base);
  g_autofree char *rules_path = g_strdup_printf ("%s.rules", base);
  JsonNode *rules = node_at_path (condition, "rules");
  GtkWidget *button;

  combo_row (self, expander, _("When the rules fail"), result_path, results, string_at (condition, "result"), TRUE,
             NULL);

  button = gtk_button_new_from_icon_name ("list-add-symbolic");
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, _("Add a rule"));
  g_object_set_data_full (G_OBJECT (button), "path", g_strdup (rules_path), g_free);
  g_signal_connect_object (button, "clicked", G_CALLBACK (add_rule_cb), self, 0);
  adw_expander_row_add_action (ADW_EXPANDER_ROW (expander), button);

  if (rules == NULL || !JSON_NODE_HOLDS_ARRAY (rules))
    return;

  for (guint r = 0; r < json_array_get_length (json_node_get_array (rules)); r++)
    {
      JsonNode *rule = json_array_get_element (json_node_get_array (rules), r);
      g_autofree char *rule_base = g_strdup_printf ("%s[%u]", rules_path, r);
      g_autofree char *name_path = g_strdup_printf ("%s.name", rule_base);
      g_autofree char *type_path = g_strdup_printf ("%s.ruleTypeId", rule_base);
      const char *provider = string_at (rule, "ruleTypeId.provider");
      const char * const *keys = rule_keys (provider);
      g_autofree char *rule_title = g_strdup_printf (_("Rule %u"), r + 1);
      GtkWidget *row, *combo;
      GtkStringList *list = gtk_string_list_new (rule_providers);
      guint selected = GTK_INVALID_LIST_POSITION;

      row = entry_row (self, expander, rule_title, name_path, string_at (rule, "name"), "string", FALSE, NULL);
      adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), remove_button (self, rule_base, _("Remove rule"),
                                                                    _("Remove this rule")));

      combo = adw_combo_row_new ();
      for (guint i = 0; rule_providers[i] != NULL; i++)
        if (g_strcmp0 (rule_providers[i], provider) == 0)
          selected = i;
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (combo), _("Rule type"));
      adw_combo_row_set_model (ADW_COMBO_ROW (combo), G_LIST_MODEL (list));
      adw_combo_row_set_selected (ADW_COMBO_ROW (combo), selected);
      g_object_unref (list);
      remember_row (self, type_path, combo);
      g_signal_connect_object (combo, "notify::selected", G_CALLBACK (rule_provider_cb), self, 0);
      add_row (expander, combo);

      for (guint k = 0; keys[k] != NULL; k++)
        {
          g_autofree char *key_path = g_strdup_printf ("%s.configuration.%s", rule_base, keys[k]);
          g_autofree char *sub = g_strdup_printf ("configuration.%s", keys[k]);

          if (g_str_equal (keys[k], "Operator"))
            combo_row (self, expander, keys[k], key_path, operators, string_at (rule, sub), TRUE, NULL);
          else
            entry_row (self, expander, keys[k], key_path, string_at (rule, sub), "string", TRUE, NULL);
        }
    }
}

static void
build_stage_page (PwInspector *self,
                  GtkWidget   *page,
                  guint        index)
{
  PwPipeline *pipeline = pipeline_of (self);
  PwStage *stage = pw_pipeline_get_stage (pipeline, index);
  JsonNode *raw = element_raw (PW_ELEMENT (stage));
  g_autofree char *base = g_strdup_printf ("stages[%u]", index);
  g_autofree char *name_path = g_strdup_printf ("%s.name", base);
  static const char * const whiches[] = { "beforeEntry", "onSuccess", "onFailure" };
  const char *titles[3];
  const char *descriptions[3];
  GtkWidget *group;
  JsonNode *node;

  titles[0] = _("Entry gate");
  titles[1] = _("On success");
  titles[2] = _("On failure");
  descriptions[0] = _("Rules checked before an execution enters the stage");
  descriptions[1] = _("Rules checked after every action succeeded");
  descriptions[2] = _("Roll back, retry, fail or skip when the stage fails");

  add_problems (self, page, base, TRUE);
  add_problems (self, page, name_path, TRUE);

  if (pw_element_is_opaque (PW_ELEMENT (stage)))
    {
      group = group_new (page, _("Conditional stage"), NULL);
      intrinsic_row (self, group, _("Defined by"), base, raw);
      return;
    }

  group = group_new (page, _("Stage"), NULL);
  node = pw_element_get_member (PW_ELEMENT (stage), "name");
  if (node != NULL && pw_cfn_is_intrinsic (node))
    intrinsic_row (self, group, _("Name"), name_path, node);
  else
    entry_row (self, group, _("Name"), name_path, string_at (raw, "name"), "string", FALSE,
               _("Unique in the pipeline: letters, digits, and . @ - _ (1–100)"));

  group = group_new (page, _("Conditions"),
                     pw_pipeline_is_v2 (pipeline) ? NULL : _("Stage conditions need a V2 pipeline"));
  for (guint w = 0; w < G_N_ELEMENTS (whiches); w++)
    {
      GtkWidget *expander = adw_expander_row_new ();
      g_autofree char *path = g_strdup_printf ("%s.%s", base, whiches[w]);
      JsonNode *condition = pw_element_get_member (PW_ELEMENT (stage), whiches[w]);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), titles[w]);
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), descriptions[w]);
      adw_expander_row_set_show_enable_switch (ADW_EXPANDER_ROW (expander), TRUE);
      adw_expander_row_set_enable_expansion (ADW_EXPANDER_ROW (expander), condition != NULL);
      gtk_widget_set_sensitive (expander, pw_pipeline_is_v2 (pipeline) || condition != NULL);
      g_object_set_data (G_OBJECT (expander), "which", (gpointer)whiches[w]);
      remember_row (self, path, expander);
      flag_row (self, expander, path);

      if (condition != NULL && pw_cfn_is_intrinsic (condition))
        intrinsic_row (self, expander, titles[w], path, condition);
      else if (condition != NULL)
        {
          if (g_str_equal (whiches[w], "onFailure"))
            {
              static const char * const results[] = { "ROLLBACK", "FAIL", "RETRY", "SKIP", NULL };
              static const char * const retry_modes[] = { "FAILED_ACTIONS", "ALL_ACTIONS", NULL };
              g_autofree char *result_path = g_strdup_printf ("%s.result", path);
              g_autofree char *mode_path = g_strdup_printf ("%s.retryConfiguration.retryMode", path);

              combo_row (self, expander, _("Result"), result_path, results, string_at (condition, "result"), TRUE, NULL);
              combo_row (self, expander, _("Retry mode"), mode_path, retry_modes,
                         string_at (condition, "retryConfiguration.retryMode"), TRUE,
                         _("With RETRY: the failed actions only, or every action of the stage"));
            }

          if (node_at_path (condition, "conditions[0]") != NULL)
            {
              g_autofree char *cond_base = g_strdup_printf ("%s.conditions[0]", path);
              condition_rows (self, expander, node_at_path (condition, "conditions[0]"), cond_base);
            }
        }

      g_signal_connect_object (expander, "notify::enable-expansion", G_CALLBACK (condition_toggled_cb), self, 0);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), expander);
    }

  /* CloudFormation's DisableInboundStageTransitions. */
  node = pw_element_get_member (PW_ELEMENT (pipeline), "disableInboundStageTransitions");
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
      {
        JsonNode *item = json_array_get_element (json_node_get_array (node), i);
        const char *stage_name = string_at (item, "stageName");

        if (stage_name != NULL && g_strcmp0 (stage_name, pw_stage_get_name (stage)) == 0)
          {
            g_autofree char *reason_path = g_strdup_printf ("disableInboundStageTransitions[%u].reason", i);

            group = group_new (page, _("Inbound transition"), _("Disabled: executions wait before this stage"));
            entry_row (self, group, _("Reason"), reason_path, string_at (item, "reason"), "string", FALSE, NULL);
          }
      }

  group = group_new (page, _("Actions"), NULL);
  {
    g_autoptr(GArray) orders = pw_stage_dup_run_orders (stage);
    guint n = pw_stage_get_n_actions (stage);

    for (guint k = 0; orders != NULL && k < orders->len; k++)
      for (guint a = 0; a < n; a++)
        {
          PwAction *action = pw_stage_get_action (stage, a);
          g_autofree char *select = g_strdup_printf ("%s.actions[%u]", base, a);
          g_autofree char *title = pw_element_dup_label (PW_ELEMENT (action), "name");
          g_autofree char *subtitle = NULL;

          if (pw_element_is_opaque (PW_ELEMENT (action)))
            {
              if (k == 0)
                link_row (self, group, title, _("Conditional action"), select);
              continue;
            }
          if (pw_action_get_run_order (action) != g_array_index (orders, gint64, k))
            continue;
          /* Translators: "runOrder 2 · Build · CodeBuild" */
          subtitle = g_strdup_printf (_("runOrder %" G_GINT64_FORMAT " · %s · %s"),
                                      pw_action_get_run_order (action),
                                      pw_action_get_category (action) ?: "?",
                                      pw_action_get_provider (action) ?: "?");
          link_row (self, group, title, subtitle, select);
        }
    if (n == 0)
      link_row (self, group, _("No actions yet"), _("Drag one from the palette onto the stage"), NULL);
  }
}

/* The action page ---------------------------------------------------------- */

static void
provider_selected_cb (AdwComboRow *row,
                      GParamSpec  *pspec,
                      PwInspector *self)
{
  const char *path = g_object_get_data (G_OBJECT (row), "path");
  GPtrArray *infos = g_object_get_data (G_OBJECT (row), "infos");
  guint selected = adw_combo_row_get_selected (row);
  const PwProviderInfo *info;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *label = NULL;

  if (selected == GTK_INVALID_LIST_POSITION || selected >= infos->len ||
      (info = g_ptr_array_index (infos, selected)) == NULL)
    return;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "category");
  json_builder_add_string_value (builder, info->category);
  json_builder_set_member_name (builder, "owner");
  json_builder_add_string_value (builder, info->owner);
  json_builder_set_member_name (builder, "provider");
  json_builder_add_string_value (builder, info->provider);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, info->version != NULL ? info->version : "1");
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);

  /* Translators: an undo step: "Change provider to CodeBuild" */
  label = g_strdup_printf (_("Change provider to %s"), info->provider);
  pw_text_document_edit_set (self->document, label, path, node, NULL);
}

static void
provider_row (PwInspector *self,
              GtkWidget   *group,
              PwAction    *action,
              const char  *base)
{
  GtkWidget *row = adw_combo_row_new ();
  GtkStringList *list = gtk_string_list_new (NULL);
  GPtrArray *infos = g_ptr_array_new ();
  g_autofree char *path = g_strdup_printf ("%s.actionTypeId", base);
  const PwProviderInfo *all;
  guint n = 0, selected = GTK_INVALID_LIST_POSITION;
  const char *category = pw_action_get_category (action);
  const char *owner = pw_action_get_owner (action);
  const char *provider = pw_action_get_provider (action);
  const PwProviderInfo *current = category != NULL && owner != NULL && provider != NULL
                                ? pw_providers_lookup (category, owner, provider) : NULL;
  const char *doc;

  all = pw_providers_get_all (&n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_str_equal (all[i].owner, "AWS")
                            ? g_strdup_printf ("%s · %s", all[i].category, all[i].provider)
                            : g_strdup_printf ("%s · %s (%s)", all[i].category, all[i].provider, all[i].owner);

      if (&all[i] == current)
        selected = infos->len;
      gtk_string_list_append (list, text);
      g_ptr_array_add (infos, (gpointer)&all[i]);
    }
  if (current == NULL)
    {
      /* What the file says, even if the table does not know it. */
      g_autofree char *text = g_strdup_printf ("%s · %s (%s)", category ?: "?", provider ?: "?", owner ?: "?");
      selected = infos->len;
      gtk_string_list_append (list, text);
      g_ptr_array_add (infos, NULL);
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Provider"));
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (list));
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), selected);
  g_object_unref (list);
  g_object_set_data_full (G_OBJECT (row), "infos", infos, (GDestroyNotify)g_ptr_array_unref);
  /* The provider's description heads the configuration group below; a
   * subtitle here would squeeze the choice to a few letters. */
  doc = category != NULL && provider != NULL ? pw_provider_doc (category, provider) : NULL;
  if (doc != NULL)
    gtk_widget_set_tooltip_text (row, doc);
  remember_row (self, path, row);
  flag_row (self, row, path);
  g_signal_connect_object (row, "notify::selected", G_CALLBACK (provider_selected_cb), self, 0);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
}

static void
add_key_activated_cb (GtkButton   *button,
                      PwInspector *self)
{
  const char *path = g_object_get_data (G_OBJECT (button), "path");
  const char *key = g_object_get_data (G_OBJECT (button), "key");
  GtkWidget *popover = gtk_widget_get_ancestor (GTK_WIDGET (button), GTK_TYPE_POPOVER);
  g_autofree char *label = g_strdup_printf (_("Add %s"), key);

  if (popover != NULL)
    gtk_popover_popdown (GTK_POPOVER (popover));
  pw_text_document_edit_set_string (self->document, label, path, "", NULL);
}

static void
add_custom_key_cb (GtkEntry    *entry,
                   PwInspector *self)
{
  const char *base = g_object_get_data (G_OBJECT (entry), "path");
  const char *key = gtk_editable_get_text (GTK_EDITABLE (entry));
  GtkWidget *popover = gtk_widget_get_ancestor (GTK_WIDGET (entry), GTK_TYPE_POPOVER);
  g_autofree char *path = NULL;
  g_autofree char *label = NULL;

  if (key[0] == '\0' || strchr (key, '.') != NULL || strchr (key, '[') != NULL)
    return;
  path = g_strdup_printf ("%s.%s", base, key);
  label = g_strdup_printf (_("Add %s"), key);
  if (popover != NULL)
    gtk_popover_popdown (GTK_POPOVER (popover));
  pw_text_document_edit_set_string (self->document, label, path, "", NULL);
}

/* The "Add key" menu: the provider's optional keys not set yet, and a
 * field for any other. */
static GtkWidget *
add_key_button (PwInspector          *self,
                const PwProviderInfo *info,
                JsonObject           *configuration,
                const char           *config_path)
{
  GtkWidget *button = gtk_menu_button_new ();
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *entry = gtk_entry_new ();

  gtk_menu_button_set_label (GTK_MENU_BUTTON (button), _("Add Key"));
  gtk_widget_add_css_class (button, "flat");
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), popover);
  gtk_popover_set_child (GTK_POPOVER (popover), box);

  for (guint i = 0; info != NULL && i < G_N_ELEMENTS (info->optional) && info->optional[i] != NULL; i++)
    {
      GtkWidget *item;
      g_autofree char *path = NULL;
      const char *doc = pw_provider_key_doc (info->category, info->provider, info->optional[i]);

      if (configuration != NULL && json_object_has_member (configuration, info->optional[i]))
        continue;
      item = gtk_button_new_with_label (info->optional[i]);
      gtk_widget_add_css_class (item, "flat");
      gtk_widget_set_tooltip_text (item, doc);
      path = g_strdup_printf ("%s.%s", config_path, info->optional[i]);
      g_object_set_data_full (G_OBJECT (item), "path", g_steal_pointer (&path), g_free);
      g_object_set_data (G_OBJECT (item), "key", (gpointer)info->optional[i]);
      g_signal_connect_object (item, "clicked", G_CALLBACK (add_key_activated_cb), self, 0);
      gtk_box_append (GTK_BOX (box), item);
    }

  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Other key"));
  g_object_set_data_full (G_OBJECT (entry), "path", g_strdup (config_path), g_free);
  g_signal_connect_object (entry, "activate", G_CALLBACK (add_custom_key_cb), self, 0);
  gtk_box_append (GTK_BOX (box), entry);

  return button;
}

static void
input_toggled_cb (GtkCheckButton *check,
                  PwInspector    *self)
{
  const char *base = g_object_get_data (G_OBJECT (check), "path");
  const char *artifact = g_object_get_data (G_OBJECT (check), "artifact");
  GPtrArray *current = g_object_get_data (G_OBJECT (check), "current");
  gboolean active = gtk_check_button_get_active (check);
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);
  JsonArray *array = json_array_new ();
  g_autofree char *path = g_strdup_printf ("%s.inputArtifacts", base);
  g_autofree char *label = active ? g_strdup_printf (_("Read artifact %s"), artifact)
                                  : g_strdup_printf (_("Stop reading artifact %s"), artifact);

  for (guint i = 0; i < current->len; i++)
    if (!g_str_equal (g_ptr_array_index (current, i), artifact) || active)
      {
        JsonObject *object = json_object_new ();
        json_object_set_string_member (object, "name", g_ptr_array_index (current, i));
        json_array_add_object_element (array, object);
      }
  if (active && !g_ptr_array_find_with_equal_func (current, artifact, g_str_equal, NULL))
    {
      JsonObject *object = json_object_new ();
      json_object_set_string_member (object, "name", artifact);
      json_array_add_object_element (array, object);
    }

  json_node_take_array (node, array);
  if (json_array_get_length (json_node_get_array (node)) == 0)
    pw_text_document_edit_remove (self->document, label, path, NULL);
  else
    pw_text_document_edit_set (self->document, label, path, node, NULL);
}

typedef struct
{
  char      *old_name;
  char      *new_name;
  GPtrArray *paths;     /* the name members to change */
} RenameData;

static gboolean
rename_func (PwEditor  *editor,
             gpointer   user_data,
             GError   **error)
{
  RenameData *data = user_data;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, data->new_name);
  for (guint i = 0; i < data->paths->len; i++)
    if (!pw_editor_set (editor, g_ptr_array_index (data->paths, i), node, error))
      return FALSE;
  return TRUE;
}

/* Renames an artifact where it is produced and everywhere it is read, as
 * one undo step: renaming only the output would break every reader. */
static void
rename_artifact (PwInspector *self,
                 const char  *old_name,
                 const char  *new_name)
{
  PwPipeline *pipeline = pipeline_of (self);
  RenameData data = { (char *)old_name, (char *)new_name, g_ptr_array_new_with_free_func (g_free) };
  g_autofree char *label = NULL;
  const char *members[2] = { "outputArtifacts", "inputArtifacts" };
  gboolean was_selected;

  if (new_name[0] == '\0' || g_str_equal (old_name, new_name))
    {
      g_ptr_array_unref (data.paths);
      return;
    }

  for (guint s = 0; s < pw_pipeline_get_n_stages (pipeline); s++)
    {
      PwStage *stage = pw_pipeline_get_stage (pipeline, s);

      if (pw_element_is_opaque (PW_ELEMENT (stage)))
        continue;
      for (guint a = 0; a < pw_stage_get_n_actions (stage); a++)
        {
          PwAction *action = pw_stage_get_action (stage, a);

          if (pw_element_is_opaque (PW_ELEMENT (action)))
            continue;
          for (guint m = 0; m < 2; m++)
            {
              JsonNode *list = pw_element_get_member (PW_ELEMENT (action), members[m]);

              if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
                continue;
              for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
                if (g_strcmp0 (string_at (json_array_get_element (json_node_get_array (list), i), "name"),
                               old_name) == 0)
                  g_ptr_array_add (data.paths, g_strdup_printf ("stages[%u].actions[%u].%s[%u].name",
                                                                 s, a, members[m], i));
            }
        }
    }

  /* Translators: an undo step: "Rename artifact Src to Source" */
  label = g_strdup_printf (_("Rename artifact %s to %s"), old_name, new_name);
  was_selected = self->selection != NULL && g_str_has_prefix (self->selection, "artifact:");
  if (pw_text_document_edit (self->document, label, rename_func, &data, NULL) && was_selected)
    {
      /* The old name left the model with the edit: follow the new one. */
      g_autofree char *select = g_strdup_printf ("artifact:%s", new_name);
      g_signal_emit (self, signals [SELECT], 0, select);
    }
  g_ptr_array_unref (data.paths);
}

static void
output_apply_cb (AdwEntryRow *row,
                 PwInspector *self)
{
  const char *old_name = g_object_get_data (G_OBJECT (row), "artifact");

  rename_artifact (self, old_name, gtk_editable_get_text (GTK_EDITABLE (row)));
}

static void
add_output_cb (GtkButton   *button,
               PwInspector *self)
{
  const char *base = g_object_get_data (G_OBJECT (button), "path");
  const char *action_name = g_object_get_data (G_OBJECT (button), "action");
  g_autofree char *array = g_strdup_printf ("%s.outputArtifacts", base);
  g_autofree char *name = g_strdup_printf ("%sOutput", action_name != NULL ? action_name : "Action");
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  InsertData data;

  json_object_set_string_member (object, "name", name);
  json_node_take_object (node, object);
  data.array = array;
  data.value = node;
  pw_text_document_edit (self->document, _("Add output artifact"), insert_func, &data, NULL);
}

static void
commands_apply_cb (GtkButton   *button,
                   PwInspector *self)
{
  GtkTextView *view = g_object_get_data (G_OBJECT (button), "view");
  const char *path = g_object_get_data (G_OBJECT (button), "path");
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);
  JsonArray *array = json_array_new ();

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_strstrip (lines[i])[0] != '\0')
      json_array_add_string_element (array, lines[i]);
  json_node_take_array (node, array);

  if (json_array_get_length (array) == 0)
    pw_text_document_edit_remove (self->document, _("Change commands"), path, NULL);
  else
    pw_text_document_edit_set (self->document, _("Change commands"), path, node, NULL);
}

/* The artifacts produced strictly before the action: what it may read. */
static GPtrArray *
available_inputs (PwPipeline *pipeline,
                  guint       stage_index,
                  gint64      run_order)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  for (guint s = 0; s <= stage_index && s < pw_pipeline_get_n_stages (pipeline); s++)
    {
      PwStage *stage = pw_pipeline_get_stage (pipeline, s);

      if (pw_element_is_opaque (PW_ELEMENT (stage)))
        continue;
      for (guint a = 0; a < pw_stage_get_n_actions (stage); a++)
        {
          PwAction *action = pw_stage_get_action (stage, a);
          g_auto(GStrv) outputs = NULL;

          if (pw_element_is_opaque (PW_ELEMENT (action)))
            continue;
          if (s == stage_index && pw_action_get_run_order (action) >= run_order)
            continue;
          outputs = pw_action_dup_output_artifacts (action);
          for (guint o = 0; outputs != NULL && outputs[o] != NULL; o++)
            if (!g_ptr_array_find_with_equal_func (names, outputs[o], g_str_equal, NULL))
              g_ptr_array_add (names, g_strdup (outputs[o]));
        }
    }

  return names;
}

static void
build_action_page (PwInspector *self,
                   GtkWidget   *page,
                   guint        stage_index,
                   guint        action_index)
{
  PwPipeline *pipeline = pipeline_of (self);
  PwStage *stage = pw_pipeline_get_stage (pipeline, stage_index);
  PwAction *action = pw_stage_get_action (stage, action_index);
  JsonNode *raw = element_raw (PW_ELEMENT (action));
  g_autofree char *base = g_strdup_printf ("stages[%u].actions[%u]", stage_index, action_index);
  g_autofree char *config_path = g_strdup_printf ("%s.configuration", base);
  const char *category, *provider, *owner;
  const PwProviderInfo *info;
  JsonNode *configuration_node;
  JsonObject *configuration = NULL;
  GtkWidget *group, *button;
  static const struct {
    const char *member;
    const char *kind;
    const char *title;
  } fields[] = {
    { "runOrder", "int", N_("Run order") },
    { "region", "string", N_("Region") },
    { "namespace", "string", N_("Variable namespace") },
    { "roleArn", "string", N_("Role ARN") },
    { "timeoutInMinutes", "int", N_("Timeout (minutes)") },
  };

  add_problems (self, page, base, FALSE);

  if (pw_element_is_opaque (PW_ELEMENT (action)))
    {
      group = group_new (page, _("Conditional action"), NULL);
      intrinsic_row (self, group, _("Defined by"), base, raw);
      return;
    }

  category = pw_action_get_category (action);
  provider = pw_action_get_provider (action);
  owner = pw_action_get_owner (action);
  info = category != NULL && owner != NULL && provider != NULL ? pw_providers_lookup (category, owner, provider) : NULL;

  group = group_new (page, _("Action"), NULL);
  {
    g_autofree char *name_path = g_strdup_printf ("%s.name", base);
    JsonNode *node = pw_element_get_member (PW_ELEMENT (action), "name");

    if (node != NULL && pw_cfn_is_intrinsic (node))
      intrinsic_row (self, group, _("Name"), name_path, node);
    else
      entry_row (self, group, _("Name"), name_path, string_at (raw, "name"), "string", FALSE,
                 _("Unique in its stage: letters, digits, and . @ - _ (1–100)"));
  }
  provider_row (self, group, action, base);

  for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
    {
      g_autofree char *path = g_strdup_printf ("%s.%s", base, fields[f].member);
      JsonNode *node = pw_element_get_member (PW_ELEMENT (action), fields[f].member);
      g_autofree char *value = node != NULL ? pw_format_value (node) : NULL;

      if (node != NULL && pw_cfn_is_intrinsic (node))
        intrinsic_row (self, group, _(fields[f].title), path, node);
      else
        entry_row (self, group, _(fields[f].title), path, value, fields[f].kind, TRUE,
                   pw_provider_key_doc (NULL, NULL, fields[f].member));
    }

  /* Configuration: the provider's required keys first, set or not, then
   * whatever else the file has. */
  group = group_new (page, _("Configuration"), info != NULL ? pw_provider_doc (category, provider) : NULL);
  configuration_node = pw_element_get_member (PW_ELEMENT (action), "configuration");
  if (configuration_node != NULL && pw_cfn_is_intrinsic (configuration_node))
    intrinsic_row (self, group, _("Configuration"), config_path, configuration_node);
  else
    {
      g_autoptr(GPtrArray) keys = g_ptr_array_new ();

      configuration = configuration_node != NULL && JSON_NODE_HOLDS_OBJECT (configuration_node)
                    ? json_node_get_object (configuration_node) : NULL;

      for (guint i = 0; info != NULL && i < G_N_ELEMENTS (info->required) && info->required[i] != NULL; i++)
        g_ptr_array_add (keys, (gpointer)info->required[i]);
      if (configuration != NULL)
        {
          JsonObjectIter iter;
          const char *key;
          JsonNode *value;

          json_object_iter_init_ordered (&iter, configuration);
          while (json_object_iter_next_ordered (&iter, &key, &value))
            if (!g_ptr_array_find_with_equal_func (keys, key, g_str_equal, NULL))
              g_ptr_array_add (keys, (gpointer)key);
        }

      for (guint k = 0; k < keys->len; k++)
        {
          const char *key = g_ptr_array_index (keys, k);
          g_autofree char *path = g_strdup_printf ("%s.%s", config_path, key);
          JsonNode *value = configuration != NULL ? json_object_get_member (configuration, key) : NULL;
          gboolean required = info != NULL && k < G_N_ELEMENTS (info->required) && info->required[k] == key;
          const char *doc = pw_provider_key_doc (category, provider, key);
          const char * const *choices = pw_provider_key_choices (category, provider, key);
          g_autofree char *text = value != NULL ? pw_format_value (value) : NULL;
          g_autofree char *title = required ? g_strdup_printf (_("%s (required)"), key) : g_strdup (key);
          GtkWidget *row;

          if (value != NULL && pw_cfn_is_intrinsic (value))
            row = intrinsic_row (self, group, key, path, value);
          else if (choices != NULL)
            {
              row = combo_row (self, group, title, path, choices, text, !required, doc);
              /* The undo step names the key, not the row's title. */
              g_object_set_data_full (G_OBJECT (row), "label-name", g_strdup (key), g_free);
              if (!required && value != NULL)
                adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove_button (self, path, _("Remove key"),
                                                                                _("Remove this key")));
              continue;
            }
          else
            {
              row = entry_row (self, group, title, path, text, "string", !required, doc);
              g_object_set_data_full (G_OBJECT (row), "label-name", g_strdup (key), g_free);
              if (!required && value != NULL)
                adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), remove_button (self, path, _("Remove key"),
                                                                              _("Remove this key")));
            }
          (void)row;
        }

      adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (group),
                                               add_key_button (self, info, configuration, config_path));
    }

  /* Commands (the Commands action of V2 pipelines). */
  if (g_strcmp0 (provider, "Commands") == 0 || pw_element_get_member (PW_ELEMENT (action), "commands") != NULL)
    {
      GtkWidget *frame = gtk_frame_new (NULL);
      GtkWidget *view = gtk_text_view_new ();
      GtkWidget *apply = gtk_button_new_with_mnemonic (_("_Apply"));
      g_autofree char *path = g_strdup_printf ("%s.commands", base);
      g_autofree char *vars_path = g_strdup_printf ("%s.outputVariables", base);
      JsonNode *commands = pw_element_get_member (PW_ELEMENT (action), "commands");
      g_autoptr(GString) text = g_string_new (NULL);

      group = group_new (page, _("Commands"), _("One shell command per line, run in order"));
      for (guint i = 0; commands != NULL && JSON_NODE_HOLDS_ARRAY (commands) &&
                        i < json_array_get_length (json_node_get_array (commands)); i++)
        {
          g_autofree char *line = pw_format_value (json_array_get_element (json_node_get_array (commands), i));
          g_string_append_printf (text, "%s\n", line);
        }
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), text->str, -1);
      gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
      gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 6);
      gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 6);
      gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 6);
      gtk_widget_set_size_request (view, -1, 100);
      gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Commands"), -1);
      gtk_frame_set_child (GTK_FRAME (frame), view);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), frame);
      g_object_set_data (G_OBJECT (apply), "view", view);
      g_object_set_data_full (G_OBJECT (apply), "path", g_strdup (path), g_free);
      g_signal_connect_object (apply, "clicked", G_CALLBACK (commands_apply_cb), self, 0);
      adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (group), apply);
      remember_row (self, path, view);
      flag_row (self, frame, path);
      {
        g_autofree char *vars = join_strings (pw_element_get_member (PW_ELEMENT (action), "outputVariables"));
        entry_row (self, group, _("Output variables"), vars_path, vars, "list", TRUE,
                   _("Environment variables to export as the action's output variables, separated by commas"));
      }
    }

  /* Inputs: the artifacts produced before this action, to tick. */
  group = group_new (page, _("Input artifacts"), _("What this action reads: artifacts produced before it"));
  {
    g_autoptr(GPtrArray) available = available_inputs (pipeline, stage_index, pw_action_get_run_order (action));
    g_auto(GStrv) inputs = pw_action_dup_input_artifacts (action);
    GPtrArray *current = g_ptr_array_new_with_free_func (g_free);
    g_autoptr(GPtrArray) shown = g_ptr_array_new_with_free_func (g_free);

    for (guint i = 0; inputs != NULL && inputs[i] != NULL; i++)
      g_ptr_array_add (current, g_strdup (inputs[i]));
    for (guint i = 0; i < available->len; i++)
      g_ptr_array_add (shown, g_strdup (g_ptr_array_index (available, i)));
    for (guint i = 0; i < current->len; i++)
      if (!g_ptr_array_find_with_equal_func (shown, g_ptr_array_index (current, i), g_str_equal, NULL))
        g_ptr_array_add (shown, g_strdup (g_ptr_array_index (current, i)));

    for (guint i = 0; i < shown->len; i++)
      {
        const char *name = g_ptr_array_index (shown, i);
        GtkWidget *row = adw_action_row_new ();
        GtkWidget *check = gtk_check_button_new ();
        g_autofree char *escaped = g_markup_escape_text (name, -1);
        g_autofree char *path = g_strdup_printf ("%s.inputArtifacts.%s", base, name);
        gboolean is_available = g_ptr_array_find_with_equal_func (available, name, g_str_equal, NULL);

        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
        if (!is_available)
          {
            adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("No action before this one produces it"));
            gtk_widget_add_css_class (row, "error");
          }
        gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                                     g_ptr_array_find_with_equal_func (current, name, g_str_equal, NULL));
        adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
        adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
        g_object_set_data_full (G_OBJECT (check), "path", g_strdup (base), g_free);
        g_object_set_data_full (G_OBJECT (check), "artifact", g_strdup (name), g_free);
        g_object_set_data_full (G_OBJECT (check), "current", g_ptr_array_ref (current),
                                (GDestroyNotify)g_ptr_array_unref);
        g_signal_connect_object (check, "toggled", G_CALLBACK (input_toggled_cb), self, 0);
        remember_row (self, path, row);
        adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
      }
    if (shown->len == 0)
      link_row (self, group, _("No artifact is produced before this action"), NULL, NULL);
    {
      g_autofree char *inputs_path = g_strdup_printf ("%s.inputArtifacts", base);
      flag_row (self, group, inputs_path);
    }
    g_ptr_array_unref (current);
  }

  /* Outputs: renaming one renames its readers too. */
  group = group_new (page, _("Output artifacts"), _("What this action produces; renaming one renames it where it is read"));
  button = gtk_button_new_with_mnemonic (_("_Add"));
  gtk_widget_add_css_class (button, "flat");
  g_object_set_data_full (G_OBJECT (button), "path", g_strdup (base), g_free);
  g_object_set_data_full (G_OBJECT (button), "action", g_strdup (pw_action_get_name (action)), g_free);
  g_signal_connect_object (button, "clicked", G_CALLBACK (add_output_cb), self, 0);
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (group), button);
  {
    g_auto(GStrv) outputs = pw_action_dup_output_artifacts (action);

    for (guint i = 0; outputs != NULL && outputs[i] != NULL; i++)
      {
        g_autofree char *path = g_strdup_printf ("%s.outputArtifacts[%u].name", base, i);
        g_autofree char *item = g_strdup_printf ("%s.outputArtifacts[%u]", base, i);
        GtkWidget *row = adw_entry_row_new ();

        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Name"));
        adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
        gtk_editable_set_text (GTK_EDITABLE (row), outputs[i]);
        g_object_set_data_full (G_OBJECT (row), "artifact", g_strdup (outputs[i]), g_free);
        g_signal_connect_object (row, "apply", G_CALLBACK (output_apply_cb), self, 0);
        adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), remove_button (self, item, _("Remove output artifact"),
                                                                      _("Remove this output artifact")));
        remember_row (self, path, row);
        flag_row (self, row, item);
        adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
      }
  }
}

/* The artifact page -------------------------------------------------------- */

static void
artifact_rename_cb (AdwEntryRow *row,
                    PwInspector *self)
{
  rename_artifact (self, g_object_get_data (G_OBJECT (row), "artifact"), gtk_editable_get_text (GTK_EDITABLE (row)));
}

static void
build_artifact_page (PwInspector *self,
                     GtkWidget   *page,
                     const char  *artifact)
{
  PwPipeline *pipeline = pipeline_of (self);
  GtkWidget *group, *row;
  guint n_producers = 0, n_readers = 0;
  GtkWidget *producers = NULL, *readers = NULL;

  group = group_new (page, _("Artifact"), _("A zip the producing action writes to the artifact store"));
  row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Name"));
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (row), artifact);
  g_object_set_data_full (G_OBJECT (row), "artifact", g_strdup (artifact), g_free);
  g_signal_connect_object (row, "apply", G_CALLBACK (artifact_rename_cb), self, 0);
  remember_row (self, "artifact.name", row);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);

  producers = group_new (page, _("Produced by"), NULL);
  readers = group_new (page, _("Read by"), NULL);

  for (guint s = 0; s < pw_pipeline_get_n_stages (pipeline); s++)
    {
      PwStage *stage = pw_pipeline_get_stage (pipeline, s);

      if (pw_element_is_opaque (PW_ELEMENT (stage)))
        continue;
      for (guint a = 0; a < pw_stage_get_n_actions (stage); a++)
        {
          PwAction *action = pw_stage_get_action (stage, a);
          g_auto(GStrv) outputs = NULL;
          g_auto(GStrv) inputs = NULL;
          g_autofree char *select = g_strdup_printf ("stages[%u].actions[%u]", s, a);
          g_autofree char *subtitle = NULL;

          if (pw_element_is_opaque (PW_ELEMENT (action)))
            continue;
          outputs = pw_action_dup_output_artifacts (action);
          inputs = pw_action_dup_input_artifacts (action);
          /* Translators: "Stage Build" */
          subtitle = g_strdup_printf (_("Stage %s"), pw_stage_get_name (stage) ?: "?");
          if (outputs != NULL && g_strv_contains ((const char * const *)outputs, artifact))
            {
              link_row (self, producers, pw_action_get_name (action) ?: "?", subtitle, select);
              n_producers++;
            }
          if (inputs != NULL && g_strv_contains ((const char * const *)inputs, artifact))
            {
              link_row (self, readers, pw_action_get_name (action) ?: "?", subtitle, select);
              n_readers++;
            }
        }
    }

  if (n_producers == 0)
    link_row (self, producers, _("No action produces it"), _("Every artifact an action reads must be produced earlier"), NULL);
  if (n_readers == 0)
    link_row (self, readers, _("No action reads it"), _("Consume it in a later action, or remove it"), NULL);
}

/* Building ----------------------------------------------------------------- */

static GtkWidget *
status_page (const char *icon,
             const char *title,
             const char *description)
{
  GtkWidget *status = adw_status_page_new ();

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (status), icon);
  adw_status_page_set_title (ADW_STATUS_PAGE (status), title);
  adw_status_page_set_description (ADW_STATUS_PAGE (status), description);
  gtk_widget_add_css_class (status, "compact");
  return status;
}

/* What the current page shows, as text: the selected element's own
 * declaration (or, for the pipeline, its members but its stages), what is
 * produced before an action, and the findings under it. After an edit
 * elsewhere it is the same, and the page is kept as it is, with the focus
 * and whatever was being typed. */
static char *
page_signature (PwInspector *self)
{
  PwPipeline *pipeline = pipeline_of (self);
  g_autoptr(GString) signature = g_string_new (self->selection);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GPtrArray) found = NULL;
  PwElementRef ref;
  JsonNode *raw = NULL;
  const char *prefix = "";
  g_autofree char *element_path = NULL;

  if (pipeline == NULL)
    return g_string_free (g_steal_pointer (&signature), FALSE);

  if (self->selection != NULL && g_str_has_prefix (self->selection, "artifact:"))
    {
      /* An artifact's page lists its producer and readers: every action. */
      g_string_append_printf (signature, "|%" G_GUINT64_FORMAT,
                              self->document != NULL ? pw_text_document_get_generation (self->document) : 0);
      return g_string_free (g_steal_pointer (&signature), FALSE);
    }

  if (self->selection == NULL || !pw_path_parse_element (self->selection, &ref))
    return g_string_free (g_steal_pointer (&signature), FALSE);

  if (ref.stage < 0)
    {
      JsonObject *object = pw_element_get_object (PW_ELEMENT (pipeline));
      JsonObjectIter iter;
      const char *key;
      JsonNode *member;

      /* Its members but the stages (a megabyte on a big pipeline). */
      if (object != NULL)
        {
          json_object_iter_init_ordered (&iter, object);
          while (json_object_iter_next_ordered (&iter, &key, &member))
            if (!g_str_equal (key, "stages"))
              {
                g_autofree char *json = NULL;

                json_generator_set_root (generator, member);
                json = json_generator_to_data (generator, NULL);
                g_string_append_printf (signature, "|%s=%s", key, json);
              }
        }
      /* The artifact counts of the pipeline page. */
      g_string_append_printf (signature, "|%u", pw_pipeline_count_actions (pipeline));
    }
  else if ((guint)ref.stage < pw_pipeline_get_n_stages (pipeline))
    {
      PwStage *stage = pw_pipeline_get_stage (pipeline, ref.stage);

      if (ref.action < 0)
        raw = pw_element_get_raw (PW_ELEMENT (stage));
      else if (!pw_element_is_opaque (PW_ELEMENT (stage)) && (guint)ref.action < pw_stage_get_n_actions (stage))
        {
          PwAction *action = pw_stage_get_action (stage, ref.action);
          g_autoptr(GPtrArray) inputs = NULL;

          raw = pw_element_get_raw (PW_ELEMENT (action));
          if (!pw_element_is_opaque (PW_ELEMENT (action)))
            {
              inputs = available_inputs (pipeline, ref.stage, pw_action_get_run_order (action));
              for (guint i = 0; i < inputs->len; i++)
                g_string_append_printf (signature, "|%s", (char *)g_ptr_array_index (inputs, i));
            }
        }
      /* The pipeline type decides what a stage or action may have. */
      g_string_append_printf (signature, "|%d", pw_pipeline_is_v2 (pipeline));
    }

  if (raw != NULL)
    {
      g_autofree char *json = NULL;

      json_generator_set_root (generator, raw);
      json = json_generator_to_data (generator, NULL);
      g_string_append_c (signature, '|');
      g_string_append (signature, json);
    }

  element_path = pw_element_ref_to_path (&ref);
  prefix = element_path;
  found = findings_under (self, prefix, FALSE);
  for (guint i = 0; i < found->len; i++)
    {
      PwDiagnostic *diagnostic = g_ptr_array_index (found, i);

      /* The pipeline's page shows its own findings, not its stages'. */
      if (ref.stage < 0 && g_str_has_prefix (pw_diagnostic_get_path (diagnostic), "stages"))
        continue;
      g_string_append_printf (signature, "|%s %s %s", pw_diagnostic_get_code (diagnostic),
                              pw_diagnostic_get_path (diagnostic), pw_diagnostic_get_message (diagnostic));
    }

  return g_string_free (g_steal_pointer (&signature), FALSE);
}

static void
rebuild (PwInspector *self)
{
  PwPipeline *pipeline = pipeline_of (self);
  GtkWidget *focus_row = NULL;
  g_autofree char *focus_path = NULL;
  GtkWidget *page;
  GtkRoot *root;
  GtkWidget *focus;
  PwElementRef ref;

  /* Keep the focus on the row of the same path across the rebuild. */
  root = gtk_widget_get_root (GTK_WIDGET (self));
  focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  if (focus != NULL && self->page != NULL && gtk_widget_is_ancestor (focus, self->page))
    for (GtkWidget *w = focus; w != NULL && w != self->page; w = gtk_widget_get_parent (w))
      if (g_object_get_data (G_OBJECT (w), "path") != NULL && GTK_IS_LIST_BOX_ROW (w))
        {
          focus_path = g_strdup (g_object_get_data (G_OBJECT (w), "path"));
          break;
        }

  g_hash_table_remove_all (self->rows);
  page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  gtk_widget_set_margin_top (page, 12);
  gtk_widget_set_margin_bottom (page, 24);
  gtk_widget_set_margin_start (page, 12);
  gtk_widget_set_margin_end (page, 12);

  if (pipeline == NULL)
    gtk_box_append (GTK_BOX (page),
                    status_page ("document-edit-symbolic", _("Nothing to Inspect"),
                                 _("The text does not read as a pipeline yet")));
  else if (self->selection != NULL && g_str_has_prefix (self->selection, "artifact:"))
    build_artifact_page (self, page, self->selection + strlen ("artifact:"));
  else if (self->selection == NULL || !pw_path_parse_element (self->selection, &ref))
    gtk_box_append (GTK_BOX (page),
                    status_page ("pw-stage-symbolic", _("No Selection"),
                                 _("Select a stage, an action or an artifact on the canvas")));
  else if (ref.stage < 0)
    build_pipeline_page (self, page);
  else if ((guint)ref.stage >= pw_pipeline_get_n_stages (pipeline))
    gtk_box_append (GTK_BOX (page), status_page ("pw-stage-symbolic", _("No Selection"), NULL));
  else if (ref.action < 0)
    build_stage_page (self, page, ref.stage);
  else if (pw_element_is_opaque (PW_ELEMENT (pw_pipeline_get_stage (pipeline, ref.stage))) ||
           (guint)ref.action >= pw_stage_get_n_actions (pw_pipeline_get_stage (pipeline, ref.stage)))
    gtk_box_append (GTK_BOX (page), status_page ("pw-stage-symbolic", _("No Selection"), NULL));
  else
    build_action_page (self, page, ref.stage, ref.action);

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), page);
  self->page = page;
  self->built_generation = self->document != NULL ? pw_text_document_get_generation (self->document) : 0;
  g_free (self->built_selection);
  self->built_selection = g_strdup (self->selection);

  if (focus_path != NULL && (focus_row = g_hash_table_lookup (self->rows, focus_path)) != NULL)
    gtk_widget_grab_focus (focus_row);
}

static gboolean
rebuild_cb (gpointer data)
{
  PwInspector *self = data;
  g_autofree char *signature = NULL;

  self->rebuild_source = 0;
  signature = page_signature (self);
  if (self->page != NULL && g_strcmp0 (signature, self->built_signature) == 0)
    {
      /* Nothing this page shows changed. */
      self->built_generation = self->document != NULL ? pw_text_document_get_generation (self->document) : 0;
      return G_SOURCE_REMOVE;
    }
  rebuild (self);
  g_free (self->built_signature);
  self->built_signature = g_steal_pointer (&signature);
  return G_SOURCE_REMOVE;
}

/* Pages are rebuilt after the current event, not inside it: a selection
 * can change while the window is being laid out (focus moving out of a
 * folding flap), and several changes in a row build one page. */
static void
queue_rebuild (PwInspector *self)
{
  if (self->rebuild_source == 0)
    self->rebuild_source = g_idle_add_full (G_PRIORITY_HIGH_IDLE, rebuild_cb, self, NULL);
}

static void
flush_rebuild (PwInspector *self)
{
  if (self->rebuild_source != 0)
    {
      g_clear_handle_id (&self->rebuild_source, g_source_remove);
      rebuild (self);
    }
}

static void
document_changed_cb (PwInspector    *self,
                     PwTextDocument *document)
{
  if (pw_text_document_get_generation (document) != self->built_generation)
    queue_rebuild (self);
}

/* GObject ------------------------------------------------------------------ */

static void
pw_inspector_dispose (GObject *object)
{
  PwInspector *self = (PwInspector *)object;

  g_clear_handle_id (&self->rebuild_source, g_source_remove);
  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  g_clear_object (&self->document);

  G_OBJECT_CLASS (pw_inspector_parent_class)->dispose (object);
}

static void
pw_inspector_finalize (GObject *object)
{
  PwInspector *self = (PwInspector *)object;

  g_clear_pointer (&self->rows, g_hash_table_unref);
  g_free (self->selection);
  g_free (self->built_selection);
  g_free (self->built_signature);

  G_OBJECT_CLASS (pw_inspector_parent_class)->finalize (object);
}

static void
pw_inspector_class_init (PwInspectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pw_inspector_dispose;
  object_class->finalize = pw_inspector_finalize;

  /**
   * PwInspector::select:
   * @path: what to select ("stages[1].actions[0]", "artifact:Src")
   */
  signals [SELECT] =
    g_signal_new ("select",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * PwInspector::show-in-code:
   * @path: the model path to show in the code view
   */
  signals [SHOW_IN_CODE] =
    g_signal_new ("show-in-code",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "inspector");
}

static void
pw_inspector_init (PwInspector *self)
{
  self->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));
  rebuild (self);
}

GtkWidget *
pw_inspector_new (void)
{
  return g_object_new (PW_TYPE_INSPECTOR, NULL);
}

void
pw_inspector_set_document (PwInspector    *self,
                           PwTextDocument *document)
{
  g_return_if_fail (PW_IS_INSPECTOR (self));
  g_return_if_fail (PW_IS_TEXT_DOCUMENT (document));

  if (self->document == document)
    return;

  g_set_object (&self->document, document);
  g_signal_connect_object (document, "changed", G_CALLBACK (document_changed_cb), self, G_CONNECT_SWAPPED);
  queue_rebuild (self);
}

const char *
pw_inspector_get_selection (PwInspector *self)
{
  g_return_val_if_fail (PW_IS_INSPECTOR (self), NULL);

  return self->selection;
}

void
pw_inspector_set_selection (PwInspector *self,
                            const char  *path)
{
  g_return_if_fail (PW_IS_INSPECTOR (self));

  if (g_strcmp0 (self->selection, path) == 0)
    return;

  g_free (self->selection);
  self->selection = g_strdup (path);
  queue_rebuild (self);
}

/**
 * pw_inspector_find_row:
 *
 * Returns: (transfer none) (nullable): the row that edits @path on the
 *   current page
 */
GtkWidget *
pw_inspector_find_row (PwInspector *self,
                       const char  *path)
{
  g_return_val_if_fail (PW_IS_INSPECTOR (self), NULL);

  flush_rebuild (self);
  return g_hash_table_lookup (self->rows, path);
}

/* Types @text into the entry row for @path and applies it, as a user would
 * with Enter (for tests and the keyboard). */
gboolean
pw_inspector_commit_row (PwInspector *self,
                         const char  *path,
                         const char  *text)
{
  GtkWidget *row;

  g_return_val_if_fail (PW_IS_INSPECTOR (self), FALSE);

  flush_rebuild (self);
  row = g_hash_table_lookup (self->rows, path);
  if (row == NULL || !ADW_IS_ENTRY_ROW (row))
    return FALSE;

  gtk_editable_set_text (GTK_EDITABLE (row), text);
  g_signal_emit_by_name (row, "apply");
  return TRUE;
}
