/* pw-artifacts-dialog.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-artifacts-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "pw-artifacts-dialog.h"

/*
 * Every artifact of the pipeline with the action that produces it and the
 * actions that read it: the pipeline-level view of the artifact flow. A
 * column view (rows are made only for what is on screen), searchable;
 * activating a row shows that artifact's flow on the canvas.
 */

#define PW_TYPE_ARTIFACT_ROW (pw_artifact_row_get_type ())
G_DECLARE_FINAL_TYPE (PwArtifactRow, pw_artifact_row, PW, ARTIFACT_ROW, GObject)

struct _PwArtifactRow
{
  GObject  parent_instance;
  char    *name;
  char    *producer;
  char    *readers;
  char    *search;
};

enum {
  ROW_PROP_0,
  ROW_PROP_NAME,
  ROW_PROP_PRODUCER,
  ROW_PROP_READERS,
  ROW_PROP_SEARCH,
  ROW_N_PROPS
};

G_DEFINE_FINAL_TYPE (PwArtifactRow, pw_artifact_row, G_TYPE_OBJECT)

static GParamSpec *row_properties [ROW_N_PROPS];

static void
pw_artifact_row_finalize (GObject *object)
{
  PwArtifactRow *self = (PwArtifactRow *)object;

  g_free (self->name);
  g_free (self->producer);
  g_free (self->readers);
  g_free (self->search);

  G_OBJECT_CLASS (pw_artifact_row_parent_class)->finalize (object);
}

static void
pw_artifact_row_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PwArtifactRow *self = PW_ARTIFACT_ROW (object);

  switch (prop_id)
    {
    case ROW_PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case ROW_PROP_PRODUCER:
      g_value_set_string (value, self->producer);
      break;

    case ROW_PROP_READERS:
      g_value_set_string (value, self->readers);
      break;

    case ROW_PROP_SEARCH:
      g_value_set_string (value, self->search);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_artifact_row_class_init (PwArtifactRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pw_artifact_row_finalize;
  object_class->get_property = pw_artifact_row_get_property;

  row_properties [ROW_PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL,
                                                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  row_properties [ROW_PROP_PRODUCER] = g_param_spec_string ("producer", NULL, NULL, NULL,
                                                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  row_properties [ROW_PROP_READERS] = g_param_spec_string ("readers", NULL, NULL, NULL,
                                                           G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  row_properties [ROW_PROP_SEARCH] = g_param_spec_string ("search", NULL, NULL, NULL,
                                                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, ROW_N_PROPS, row_properties);
}

static void
pw_artifact_row_init (PwArtifactRow *self)
{
}

struct _PwArtifactsDialog
{
  AdwWindow   parent_instance;

  GListStore *rows;
};

enum {
  SELECT,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (PwArtifactsDialog, pw_artifacts_dialog, ADW_TYPE_WINDOW)

static guint signals [N_SIGNALS];

/* Producers and readers of every artifact, in one pass over the actions. */
static void
collect (PwArtifactsDialog *self,
         PwPipeline        *pipeline)
{
  g_autoptr(GHashTable) readers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify)g_ptr_array_unref);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint s = 0; s < pw_pipeline_get_n_stages (pipeline); s++)
    {
      PwStage *stage = pw_pipeline_get_stage (pipeline, s);

      if (pw_element_is_opaque (PW_ELEMENT (stage)))
        continue;
      for (guint a = 0; a < pw_stage_get_n_actions (stage); a++)
        {
          PwAction *action = pw_stage_get_action (stage, a);
          g_auto(GStrv) inputs = NULL;

          if (pw_element_is_opaque (PW_ELEMENT (action)))
            continue;
          inputs = pw_action_dup_input_artifacts (action);
          for (guint i = 0; inputs != NULL && inputs[i] != NULL; i++)
            {
              GPtrArray *list = g_hash_table_lookup (readers, inputs[i]);

              if (list == NULL)
                g_hash_table_insert (readers, g_strdup (inputs[i]), (list = g_ptr_array_new ()));
              g_ptr_array_add (list, (gpointer)pw_action_get_name (action));
            }
        }
    }

  for (guint s = 0; s < pw_pipeline_get_n_stages (pipeline); s++)
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
          outputs = pw_action_dup_output_artifacts (action);
          for (guint o = 0; outputs != NULL && outputs[o] != NULL; o++)
            {
              PwArtifactRow *row;
              GPtrArray *list = g_hash_table_lookup (readers, outputs[o]);
              g_autoptr(GString) text = g_string_new (NULL);

              for (guint r = 0; list != NULL && r < list->len; r++)
                {
                  if (r > 0)
                    g_string_append (text, ", ");
                  g_string_append (text, g_ptr_array_index (list, r) ?: "?");
                }

              row = g_object_new (PW_TYPE_ARTIFACT_ROW, NULL);
              row->name = g_strdup (outputs[o]);
              /* Translators: "Checkout (stage Source)" */
              row->producer = g_strdup_printf (_("%s (stage %s)"), pw_action_get_name (action) ?: "?",
                                               pw_stage_get_name (stage) ?: "?");
              row->readers = text->len > 0 ? g_strdup (text->str) : g_strdup (_("(not read)"));
              row->search = g_utf8_casefold (row->name, -1);
              g_ptr_array_add (rows, row);
            }
        }
    }

  g_list_store_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)), rows->pdata, rows->len);
}

static void
setup_label_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  GtkWidget *label = gtk_inscription_new (NULL);

  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (label), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
bind_label_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  PwArtifactRow *row = gtk_list_item_get_item (item);
  const char *property = user_data;
  g_autofree char *text = NULL;

  g_object_get (row, property, &text, NULL);
  gtk_inscription_set_text (GTK_INSCRIPTION (gtk_list_item_get_child (item)), text);
  gtk_widget_set_tooltip_text (gtk_list_item_get_child (item), text);
}

static GtkColumnViewColumn *
column (const char *title,
        const char *property,
        gboolean    expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *col;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_label_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_label_cb), (gpointer)property);
  col = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_resizable (col, TRUE);
  gtk_column_view_column_set_expand (col, expand);
  return col;
}

static void
activate_cb (PwArtifactsDialog *self,
             guint              position,
             GtkColumnView     *view)
{
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (view));
  g_autoptr(PwArtifactRow) row = g_list_model_get_item (model, position);
  g_autofree char *path = NULL;

  if (row == NULL)
    return;
  path = g_strdup_printf ("artifact:%s", row->name);
  g_signal_emit (self, signals [SELECT], 0, path);
}

static void
search_changed_cb (GtkStringFilter *filter,
                   GtkSearchEntry  *entry)
{
  g_autofree char *folded = g_utf8_casefold (gtk_editable_get_text (GTK_EDITABLE (entry)), -1);

  gtk_string_filter_set_search (filter, folded);
}

static void
pw_artifacts_dialog_dispose (GObject *object)
{
  PwArtifactsDialog *self = (PwArtifactsDialog *)object;

  g_clear_object (&self->rows);

  G_OBJECT_CLASS (pw_artifacts_dialog_parent_class)->dispose (object);
}

static void
pw_artifacts_dialog_class_init (PwArtifactsDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pw_artifacts_dialog_dispose;

  /**
   * PwArtifactsDialog::select:
   * @path: "artifact:NAME"
   */
  signals [SELECT] =
    g_signal_new ("select",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
pw_artifacts_dialog_init (PwArtifactsDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *search = gtk_search_entry_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkColumnView *view;
  GtkFilterListModel *filtered;
  GtkStringFilter *filter;
  GtkSingleSelection *selection;

  self->rows = g_list_store_new (PW_TYPE_ARTIFACT_ROW);

  gtk_window_set_title (GTK_WINDOW (self), _("Artifacts"));
  gtk_window_set_default_size (GTK_WINDOW (self), 720, 520);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);

  g_object_set (search, "placeholder-text", _("Search artifacts"), NULL);
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), search);
  gtk_box_append (GTK_BOX (box), header);

  filter = gtk_string_filter_new (gtk_property_expression_new (PW_TYPE_ARTIFACT_ROW, NULL, "search"));
  gtk_string_filter_set_match_mode (filter, GTK_STRING_FILTER_MATCH_MODE_SUBSTRING);
  gtk_string_filter_set_ignore_case (filter, FALSE);
  filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->rows)), GTK_FILTER (filter));
  selection = gtk_single_selection_new (G_LIST_MODEL (filtered));
  g_signal_connect_object (search, "search-changed", G_CALLBACK (search_changed_cb), filter, G_CONNECT_SWAPPED);

  view = GTK_COLUMN_VIEW (gtk_column_view_new (GTK_SELECTION_MODEL (selection)));
  gtk_column_view_set_show_row_separators (view, TRUE);
  gtk_column_view_append_column (view, column (_("Artifact"), "name", FALSE));
  gtk_column_view_append_column (view, column (_("Produced by"), "producer", FALSE));
  gtk_column_view_append_column (view, column (_("Read by"), "readers", TRUE));
  g_signal_connect_object (view, "activate", G_CALLBACK (activate_cb), self, G_CONNECT_SWAPPED);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Artifacts"), -1);

  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (view));
  gtk_box_append (GTK_BOX (box), scroller);
  adw_window_set_content (ADW_WINDOW (self), box);
}

GtkWindow *
pw_artifacts_dialog_new (GtkWindow  *parent,
                         PwPipeline *pipeline)
{
  PwArtifactsDialog *self;

  g_return_val_if_fail (PW_IS_PIPELINE (pipeline), NULL);

  self = g_object_new (PW_TYPE_ARTIFACTS_DIALOG, "transient-for", parent, NULL);
  collect (self, pipeline);
  return GTK_WINDOW (self);
}

GListModel *
pw_artifacts_dialog_get_rows (PwArtifactsDialog *self)
{
  g_return_val_if_fail (PW_IS_ARTIFACTS_DIALOG (self), NULL);

  return G_LIST_MODEL (self->rows);
}
