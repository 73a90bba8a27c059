/* pw-palette.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-palette"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pw-app-util.h"
#include "pw-palette.h"

/*
 * The action providers of the core's table, grouped by category and
 * searchable. Each row is a drag source carrying its table row (and a
 * text form, "Build/AWS/CodeBuild/1", for other programs); activating a
 * row (Enter, double click) is the keyboard's way to add it.
 */

struct _PwPalette
{
  GtkWidget       parent_instance;

  GtkWidget      *box;
  GtkSearchEntry *search;
  GtkListBox     *list;
  GtkWidget      *empty;
};

enum {
  PROVIDER_ACTIVATED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (PwPalette, pw_palette, GTK_TYPE_WIDGET)

static guint signals [N_SIGNALS];

static gpointer
provider_info_copy (gpointer info)
{
  return info;
}

static void
provider_info_free (gpointer info)
{
}

G_DEFINE_BOXED_TYPE (PwProviderInfo, pw_provider_info, provider_info_copy, provider_info_free)

static const char * const categories[] = {
  "Source", "Build", "Test", "Deploy", "Approval", "Invoke", "Compute", NULL
};

static const char *
category_title (const char *category)
{
  if (g_str_equal (category, "Source"))
    return _("Source");
  if (g_str_equal (category, "Build"))
    return _("Build");
  if (g_str_equal (category, "Test"))
    return _("Test");
  if (g_str_equal (category, "Deploy"))
    return _("Deploy");
  if (g_str_equal (category, "Approval"))
    return _("Approval");
  if (g_str_equal (category, "Invoke"))
    return _("Invoke");
  if (g_str_equal (category, "Compute"))
    return _("Compute");
  return category;
}

static GdkContentProvider *
drag_prepare_cb (GtkDragSource *source,
                 double         x,
                 double         y,
                 GtkWidget     *row)
{
  const PwProviderInfo *info = g_object_get_data (G_OBJECT (row), "provider");
  g_autofree char *text = NULL;
  GdkContentProvider *providers[2];
  GValue value = G_VALUE_INIT;

  text = g_strdup_printf ("%s/%s/%s/%s", info->category, info->owner, info->provider,
                          info->version != NULL ? info->version : "1");
  g_value_init (&value, PW_TYPE_PROVIDER_INFO);
  g_value_set_static_boxed (&value, info);
  providers[0] = gdk_content_provider_new_for_value (&value);
  providers[1] = gdk_content_provider_new_typed (G_TYPE_STRING, text);
  g_value_unset (&value);

  return gdk_content_provider_new_union (providers, 2);
}

static void
drag_begin_cb (GtkDragSource *source,
               GdkDrag       *drag,
               GtkWidget     *row)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (row);

  gtk_drag_source_set_icon (source, paintable, 16, 16);
}

static GtkWidget *
create_row (PwPalette            *self,
            const PwProviderInfo *info)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *icon = gtk_image_new_from_icon_name (pw_category_icon_name (info->category));
  GtkWidget *title = gtk_label_new (info->provider);
  GtkWidget *subtitle;
  GtkDragSource *source;
  g_autofree char *owner = NULL;
  g_autofree char *search = NULL;
  g_autofree char *joined = NULL;

  if (g_str_equal (info->owner, "AWS"))
    owner = g_strdup (category_title (info->category));
  else
    /* Translators: a palette row's subtitle: category (owner) */
    owner = g_strdup_printf (_("%s (%s)"), category_title (info->category), info->owner);
  subtitle = gtk_label_new (owner);

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 8);
  gtk_widget_set_margin_end (box, 8);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_ellipsize (GTK_LABEL (subtitle), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_box_append (GTK_BOX (texts), title);
  gtk_box_append (GTK_BOX (texts), subtitle);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), texts);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  if (info->description != NULL)
    gtk_widget_set_tooltip_text (row, info->description);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, info->provider,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  info->description != NULL ? info->description : owner,
                                  -1);

  g_object_set_data (G_OBJECT (row), "provider", (gpointer)info);
  joined = g_strjoin (" ", info->provider, info->category, info->owner,
                      info->description != NULL ? info->description : "", NULL);
  search = g_utf8_casefold (joined, -1);
  g_object_set_data_full (G_OBJECT (row), "search", g_steal_pointer (&search), g_free);

  source = gtk_drag_source_new ();
  gtk_drag_source_set_actions (source, GDK_ACTION_COPY);
  g_signal_connect (source, "prepare", G_CALLBACK (drag_prepare_cb), row);
  g_signal_connect (source, "drag-begin", G_CALLBACK (drag_begin_cb), row);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (source));

  return row;
}

static void
header_func (GtkListBoxRow *row,
             GtkListBoxRow *before,
             gpointer       user_data)
{
  const PwProviderInfo *info = g_object_get_data (G_OBJECT (row), "provider");
  const PwProviderInfo *previous = before != NULL ? g_object_get_data (G_OBJECT (before), "provider") : NULL;
  GtkWidget *header;

  if (previous != NULL && g_str_equal (previous->category, info->category))
    {
      gtk_list_box_row_set_header (row, NULL);
      return;
    }

  header = gtk_label_new (category_title (info->category));
  gtk_label_set_xalign (GTK_LABEL (header), 0);
  gtk_widget_add_css_class (header, "heading");
  gtk_widget_set_margin_top (header, 12);
  gtk_widget_set_margin_bottom (header, 4);
  gtk_widget_set_margin_start (header, 8);
  gtk_list_box_row_set_header (row, header);
}

static gboolean
filter_func (GtkListBoxRow *row,
             gpointer       user_data)
{
  PwPalette *self = user_data;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search));
  g_autofree char *needle = NULL;
  const char *haystack;

  if (text == NULL || text[0] == '\0')
    return TRUE;

  needle = g_utf8_casefold (text, -1);
  haystack = g_object_get_data (G_OBJECT (row), "search");
  return haystack != NULL && strstr (haystack, needle) != NULL;
}

static void
search_changed_cb (PwPalette      *self,
                   GtkSearchEntry *entry)
{
  gboolean any = FALSE;

  gtk_list_box_invalidate_filter (self->list);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_BOX_ROW (child) && filter_func (GTK_LIST_BOX_ROW (child), self))
      {
        any = TRUE;
        break;
      }
  gtk_widget_set_visible (self->empty, !any);
}

static void
row_activated_cb (PwPalette     *self,
                  GtkListBoxRow *row,
                  GtkListBox    *list)
{
  const PwProviderInfo *info = g_object_get_data (G_OBJECT (row), "provider");

  if (info != NULL)
    g_signal_emit (self, signals [PROVIDER_ACTIVATED], 0, info);
}

static void
search_activate_cb (PwPalette      *self,
                    GtkSearchEntry *entry)
{
  /* Enter in the search adds the first match. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_BOX_ROW (child) && gtk_widget_get_child_visible (child) &&
        filter_func (GTK_LIST_BOX_ROW (child), self))
      {
        row_activated_cb (self, GTK_LIST_BOX_ROW (child), self->list);
        return;
      }
}

static void
pw_palette_dispose (GObject *object)
{
  PwPalette *self = (PwPalette *)object;

  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (pw_palette_parent_class)->dispose (object);
}

static void
pw_palette_class_init (PwPaletteClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pw_palette_dispose;

  /**
   * PwPalette::provider-activated:
   * @info: (type gpointer): the provider's row of the core's table
   *
   * A provider was chosen with the keyboard (or a double click): add it.
   */
  signals [PROVIDER_ACTIVATED] =
    g_signal_new ("provider-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, PW_TYPE_PROVIDER_INFO);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "palette");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
pw_palette_init (PwPalette *self)
{
  GtkWidget *scrolled;
  const PwProviderInfo *all;
  guint n = 0;

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  self->search = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  g_object_set (self->search, "placeholder-text", _("Search actions"), NULL);
  gtk_widget_set_margin_top (GTK_WIDGET (self->search), 6);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->search), 6);
  gtk_widget_set_margin_start (GTK_WIDGET (self->search), 6);
  gtk_widget_set_margin_end (GTK_WIDGET (self->search), 6);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->search));

  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (self->box), scrolled);

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "navigation-sidebar");
  gtk_list_box_set_header_func (self->list, header_func, NULL, NULL);
  gtk_list_box_set_filter_func (self->list, filter_func, self, NULL);
  gtk_list_box_set_activate_on_single_click (self->list, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Action providers"),
                                  -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->list));

  self->empty = gtk_label_new (_("No action matches"));
  gtk_widget_add_css_class (self->empty, "dim-label");
  gtk_widget_set_margin_top (self->empty, 24);
  gtk_widget_set_visible (self->empty, FALSE);
  gtk_box_append (GTK_BOX (self->box), self->empty);

  all = pw_providers_get_all (&n);
  for (guint c = 0; categories[c] != NULL; c++)
    for (guint i = 0; i < n; i++)
      if (g_str_equal (all[i].category, categories[c]))
        gtk_list_box_append (self->list, create_row (self, &all[i]));

  g_signal_connect_object (self->search, "search-changed", G_CALLBACK (search_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search, "activate", G_CALLBACK (search_activate_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->list, "row-activated", G_CALLBACK (row_activated_cb), self, G_CONNECT_SWAPPED);
}

GtkWidget *
pw_palette_new (void)
{
  return g_object_new (PW_TYPE_PALETTE, NULL);
}

void
pw_palette_focus_search (PwPalette *self)
{
  g_return_if_fail (PW_IS_PALETTE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search));
}
