/* pw-action-card.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-action-card"

#include "config.h"

#include <glib/gi18n.h>

#include "pw-action-card.h"
#include "pw-app-util.h"
#include "pw-canvas-metrics.h"

/*
 * One action on the canvas. The card draws its own text (three Pango
 * layouts and an icon) rather than holding label widgets: a pipeline of
 * 2,500 actions then costs 2,500 cards and their pins, not ten times as
 * many widgets. Its pins are child widgets, for focus and accessibility.
 * The canvas owns the layout: the card's size follows from its counts
 * (pw-canvas-metrics.h).
 */

struct _PwActionCard
{
  GtkWidget     parent_instance;

  PwAction     *action;
  JsonNode     *raw;            /* the declaration shown, to notice when it is the same */
  GPtrArray    *inputs;         /* of PwPin */
  GPtrArray    *outputs;        /* of PwPin */
  PangoLayout  *title;
  PangoLayout  *subtitle;
  PangoLayout  *namespace;
  PangoLayout  *badge;
  GdkPaintable *icon;
  char         *title_text;
  char         *subtitle_text;
  char         *namespace_text;
  char         *icon_name;
  char         *position_text;
  guint         n_findings;
  PwSeverity    worst;
  /* During a run (or showing a past one): its status and what it says. */
  char         *run_status;
  char         *run_text;
  char         *run_tooltip;
  PangoLayout  *run;
};

G_DEFINE_FINAL_TYPE (PwActionCard, pw_action_card, GTK_TYPE_WIDGET)

static PangoLayout *
make_layout (PwActionCard *self,
             const char   *text,
             gboolean      bold,
             double        scale,
             gboolean      monospace)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoAttrList *attrs = pango_attr_list_new ();

  if (bold)
    pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  if (scale != 1.0)
    pango_attr_list_insert (attrs, pango_attr_scale_new (scale));
  if (monospace)
    pango_attr_list_insert (attrs, pango_attr_family_new ("Monospace"));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);

  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_single_paragraph_mode (layout, TRUE);
  pango_layout_set_width (layout, (int)((PW_CARD_WIDTH - 2 * PW_CARD_PAD - 22 - 30) * PANGO_SCALE));

  return layout;
}

static void
rebuild_layouts (PwActionCard *self)
{
  g_clear_object (&self->title);
  g_clear_object (&self->subtitle);
  g_clear_object (&self->namespace);
  g_clear_object (&self->badge);
  g_clear_object (&self->run);

  self->title = make_layout (self, self->title_text, TRUE, 1.0, FALSE);
  self->subtitle = make_layout (self, self->subtitle_text, FALSE, 0.85, FALSE);
  pango_layout_set_width (self->subtitle, (int)((PW_CARD_WIDTH - 2 * PW_CARD_PAD) * PANGO_SCALE));
  if (self->namespace_text != NULL)
    {
      self->namespace = make_layout (self, self->namespace_text, FALSE, 0.85, TRUE);
      pango_layout_set_width (self->namespace, (int)((PW_CARD_WIDTH - 2 * PW_CARD_PAD) * PANGO_SCALE));
    }
  if (self->n_findings > 0)
    {
      g_autofree char *count = g_strdup_printf ("%u", self->n_findings);
      self->badge = make_layout (self, count, TRUE, 0.8, FALSE);
      pango_layout_set_width (self->badge, -1);
    }
  if (self->run_text != NULL)
    {
      self->run = make_layout (self, self->run_text, TRUE, 0.85, FALSE);
      pango_layout_set_width (self->run, (int)((PW_CARD_WIDTH - 2 * PW_CARD_PAD - 14) * PANGO_SCALE));
    }
}


static void
update_icon (PwActionCard *self)
{
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (self)));

  g_clear_object (&self->icon);
  self->icon = GDK_PAINTABLE (gtk_icon_theme_lookup_icon (theme, self->icon_name, NULL, 16,
                                                          gtk_widget_get_scale_factor (GTK_WIDGET (self)),
                                                          gtk_widget_get_direction (GTK_WIDGET (self)),
                                                          0));
}

static void
update_accessible (PwActionCard *self)
{
  g_autoptr(GString) description = g_string_new (self->subtitle_text);
  g_autofree char *label = NULL;

  if (self->position_text != NULL)
    /* Translators: an accessible name: "Action Build, stage Build, group 1 of 2, 1 of 3" */
    label = g_strdup_printf (_("Action %s, %s"), self->title_text, self->position_text);
  else
    label = g_strdup_printf (_("Action %s"), self->title_text);

  if (self->namespace_text != NULL)
    g_string_append_printf (description, _("; variables namespace %s"), self->namespace_text);
  if (self->run_text != NULL)
    g_string_append_printf (description, "; %s", self->run_text);
  if (self->n_findings > 0)
    {
      g_autofree char *problems = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u problem", "%u problems",
                                                                self->n_findings),
                                                   self->n_findings);
      g_string_append_printf (description, "; %s", problems);
    }

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description->str,
                                  -1);
}

static void
sync_pins (PwActionCard *self,
           GPtrArray    *pins,
           GPtrArray    *names,
           PwPinDirection direction)
{
  while (pins->len > names->len)
    {
      GtkWidget *pin = g_ptr_array_index (pins, pins->len - 1);
      gtk_widget_unparent (pin);
      g_ptr_array_remove_index (pins, pins->len - 1);
    }

  while (pins->len < names->len)
    {
      GtkWidget *pin = pw_pin_new (direction);
      gtk_widget_set_parent (pin, GTK_WIDGET (self));
      g_ptr_array_add (pins, pin);
    }

  for (guint i = 0; i < names->len; i++)
    pw_pin_set_artifact (g_ptr_array_index (pins, i), g_ptr_array_index (names, i));
}

/**
 * pw_action_card_dup_artifacts:
 * @member: "inputArtifacts" or "outputArtifacts"
 *
 * Returns: (transfer full): the names as a card shows them (an intrinsic in
 *   its short form)
 */
GPtrArray *
pw_action_card_dup_artifacts (PwAction   *action,
                              const char *member)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  JsonNode *node;
  JsonArray *array;

  if (action == NULL || pw_element_is_opaque (PW_ELEMENT (action)))
    return names;

  node = pw_element_get_member (PW_ELEMENT (action), member);
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return names;

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonNode *name = NULL;

      if (JSON_NODE_HOLDS_OBJECT (element) && !pw_cfn_is_intrinsic (element))
        name = json_object_get_member (json_node_get_object (element), "name");
      g_ptr_array_add (names, name != NULL ? pw_format_value (name) : pw_format_value (element));
    }

  return names;
}

static void
pw_action_card_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  PwActionCard *self = (PwActionCard *)widget;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural = (int)PW_CARD_WIDTH;
  else
    *minimum = *natural = (int)pw_action_card_get_height (self);
}

static void
pw_action_card_size_allocate (GtkWidget *widget,
                              int        width,
                              int        height,
                              int        baseline)
{
  PwActionCard *self = (PwActionCard *)widget;
  double top = pw_card_pins_top (self->namespace_text != NULL);

  for (guint i = 0; i < self->inputs->len; i++)
    gtk_widget_size_allocate (g_ptr_array_index (self->inputs, i),
                              &(GtkAllocation) { 0, (int)(top + i * PW_PIN_HEIGHT),
                                                 width / 2, (int)PW_PIN_HEIGHT }, -1);
  for (guint i = 0; i < self->outputs->len; i++)
    gtk_widget_size_allocate (g_ptr_array_index (self->outputs, i),
                              &(GtkAllocation) { width / 2, (int)(top + i * PW_PIN_HEIGHT),
                                                 width - width / 2, (int)PW_PIN_HEIGHT }, -1);
}

static void
append_layout (GtkSnapshot   *snapshot,
               PangoLayout   *layout,
               double         x,
               double         y,
               const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((float)x, (float)y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
pw_action_card_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  PwActionCard *self = (PwActionCard *)widget;
  GtkStyleContext *style = gtk_widget_get_style_context (widget);
  int width = gtk_widget_get_width (widget);
  GdkRGBA color, dim;
  double y = PW_CARD_PAD;
  int text_width, text_height;

  gtk_style_context_get_color (style, &color);
  dim = color;
  dim.alpha *= 0.65;

  if (self->title == NULL)
    rebuild_layouts (self);

  if (self->icon != NULL)
    {
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (PW_CARD_PAD, (float)(y + 3)));
      gtk_symbolic_paintable_snapshot_symbolic (GTK_SYMBOLIC_PAINTABLE (self->icon), snapshot, 16, 16,
                                                &color, 1);
      gtk_snapshot_restore (snapshot);
    }

  pango_layout_get_pixel_size (self->title, &text_width, &text_height);
  append_layout (snapshot, self->title, PW_CARD_PAD + 22, y + (PW_CARD_TITLE_HEIGHT - text_height) / 2, &color);

  /* The findings badge: how many, coloured by the worst. */
  if (self->badge != NULL)
    {
      GdkRGBA badge_color;
      GskRoundedRect pill;
      double bw, bh = 18;
      const char *name = self->worst == PW_SEVERITY_ERROR ? "error_color"
                       : self->worst == PW_SEVERITY_WARNING ? "warning_color" : "accent_color";
      GdkRGBA white = { 1, 1, 1, 1 };

      if (!gtk_style_context_lookup_color (style, name, &badge_color))
        badge_color = (GdkRGBA) { 0.75, 0.1, 0.16, 1 };

      pango_layout_get_pixel_size (self->badge, &text_width, &text_height);
      bw = MAX (bh, text_width + 10);
      gsk_rounded_rect_init_from_rect (&pill,
                                       &GRAPHENE_RECT_INIT ((float)(width - PW_CARD_PAD - bw),
                                                            (float)(y + (PW_CARD_TITLE_HEIGHT - bh) / 2),
                                                            (float)bw, (float)bh),
                                       (float)(bh / 2));
      gtk_snapshot_push_rounded_clip (snapshot, &pill);
      gtk_snapshot_append_color (snapshot, &badge_color, &pill.bounds);
      gtk_snapshot_pop (snapshot);
      append_layout (snapshot, self->badge,
                     width - PW_CARD_PAD - bw + (bw - text_width) / 2,
                     y + (PW_CARD_TITLE_HEIGHT - text_height) / 2, &white);
    }

  y += PW_CARD_TITLE_HEIGHT;
  if (self->run != NULL)
    {
      /* A run's status in place of the provider: a dot and the words, in
       * the status's colour (the words say it without the colour). */
      const char *name = pw_run_status_color_name (self->run_status);
      GdkRGBA run_color = dim;
      GskRoundedRect dot;

      if (name != NULL)
        gtk_style_context_lookup_color (style, name, &run_color);
      gsk_rounded_rect_init_from_rect (&dot, &GRAPHENE_RECT_INIT ((float)PW_CARD_PAD + 1,
                                                                  (float)(y + PW_CARD_LINE_HEIGHT / 2 - 4),
                                                                  8, 8), 4);
      gtk_snapshot_push_rounded_clip (snapshot, &dot);
      gtk_snapshot_append_color (snapshot, &run_color, &dot.bounds);
      gtk_snapshot_pop (snapshot);
      pango_layout_get_pixel_size (self->run, &text_width, &text_height);
      append_layout (snapshot, self->run, PW_CARD_PAD + 14, y + (PW_CARD_LINE_HEIGHT - text_height) / 2,
                     &run_color);
    }
  else
    {
      pango_layout_get_pixel_size (self->subtitle, &text_width, &text_height);
      append_layout (snapshot, self->subtitle, PW_CARD_PAD, y + (PW_CARD_LINE_HEIGHT - text_height) / 2, &dim);
    }
  y += PW_CARD_LINE_HEIGHT;

  if (self->namespace != NULL)
    {
      pango_layout_get_pixel_size (self->namespace, &text_width, &text_height);
      append_layout (snapshot, self->namespace, PW_CARD_PAD, y + (PW_CARD_LINE_HEIGHT - text_height) / 2, &dim);
    }

  for (guint i = 0; i < self->inputs->len; i++)
    gtk_widget_snapshot_child (widget, g_ptr_array_index (self->inputs, i), snapshot);
  for (guint i = 0; i < self->outputs->len; i++)
    gtk_widget_snapshot_child (widget, g_ptr_array_index (self->outputs, i), snapshot);
}

static void
pw_action_card_css_changed (GtkWidget         *widget,
                            GtkCssStyleChange *change)
{
  PwActionCard *self = (PwActionCard *)widget;

  GTK_WIDGET_CLASS (pw_action_card_parent_class)->css_changed (widget, change);

  if (self->title != NULL)
    {
      pango_layout_context_changed (self->title);
      pango_layout_context_changed (self->subtitle);
      if (self->namespace != NULL)
        pango_layout_context_changed (self->namespace);
      if (self->badge != NULL)
        pango_layout_context_changed (self->badge);
      if (self->run != NULL)
        pango_layout_context_changed (self->run);
    }
}

static void
pw_action_card_dispose (GObject *object)
{
  PwActionCard *self = (PwActionCard *)object;

  if (self->inputs != NULL)
    {
      for (guint i = 0; i < self->inputs->len; i++)
        gtk_widget_unparent (g_ptr_array_index (self->inputs, i));
      for (guint i = 0; i < self->outputs->len; i++)
        gtk_widget_unparent (g_ptr_array_index (self->outputs, i));
      g_ptr_array_set_size (self->inputs, 0);
      g_ptr_array_set_size (self->outputs, 0);
    }
  g_clear_object (&self->action);
  g_clear_object (&self->icon);
  g_clear_pointer (&self->raw, json_node_unref);

  G_OBJECT_CLASS (pw_action_card_parent_class)->dispose (object);
}

static void
pw_action_card_finalize (GObject *object)
{
  PwActionCard *self = (PwActionCard *)object;

  g_clear_pointer (&self->inputs, g_ptr_array_unref);
  g_clear_pointer (&self->outputs, g_ptr_array_unref);
  g_clear_object (&self->title);
  g_clear_object (&self->subtitle);
  g_clear_object (&self->namespace);
  g_clear_object (&self->badge);
  g_free (self->title_text);
  g_free (self->subtitle_text);
  g_free (self->namespace_text);
  g_free (self->icon_name);
  g_free (self->position_text);
  g_clear_object (&self->run);
  g_free (self->run_status);
  g_free (self->run_text);
  g_free (self->run_tooltip);

  G_OBJECT_CLASS (pw_action_card_parent_class)->finalize (object);
}

static void
pw_action_card_class_init (PwActionCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pw_action_card_dispose;
  object_class->finalize = pw_action_card_finalize;
  widget_class->measure = pw_action_card_measure;
  widget_class->size_allocate = pw_action_card_size_allocate;
  widget_class->snapshot = pw_action_card_snapshot;
  widget_class->css_changed = pw_action_card_css_changed;

  gtk_widget_class_set_css_name (widget_class, "actioncard");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_BUTTON);
}

/* The tooltip is asked for when the pointer rests on the card: setting
 * its text at each status of a run would ask the X server where the
 * pointer is every time (a round trip per card per change). */
static gboolean
query_tooltip_cb (PwActionCard *self,
                  int           x,
                  int           y,
                  gboolean      keyboard,
                  GtkTooltip   *tooltip)
{
  if (self->run_tooltip == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, self->run_tooltip);
  return TRUE;
}

static void
pw_action_card_init (PwActionCard *self)
{
  self->inputs = g_ptr_array_new ();
  self->outputs = g_ptr_array_new ();
  self->title_text = g_strdup ("");
  self->subtitle_text = g_strdup ("");
  self->icon_name = g_strdup (pw_category_icon_name (NULL));
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self), "card");
  g_signal_connect (self, "query-tooltip", G_CALLBACK (query_tooltip_cb), NULL);
}

GtkWidget *
pw_action_card_new (void)
{
  return g_object_new (PW_TYPE_ACTION_CARD, NULL);
}

/**
 * pw_action_card_get_action:
 *
 * Returns: (transfer none) (nullable): the action shown
 */
PwAction *
pw_action_card_get_action (PwActionCard *self)
{
  g_return_val_if_fail (PW_IS_ACTION_CARD (self), NULL);

  return self->action;
}

/* Called for every card after every edit, with the action of the newly read
 * model: only what really changed is laid out or drawn again. */
void
pw_action_card_set_action (PwActionCard *self,
                           PwAction     *action)
{
  g_autoptr(GPtrArray) inputs = NULL;
  g_autoptr(GPtrArray) outputs = NULL;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *namespace = NULL;
  const char *icon_name;
  gboolean changed = FALSE;
  gboolean resized = FALSE;
  gboolean opaque;

  g_return_if_fail (PW_IS_ACTION_CARD (self));

  g_set_object (&self->action, action);

  /* The edit module re-reads only what an edit touched and keeps the other
   * declarations: the same node is the same action, nothing to redo. */
  if (action != NULL && self->raw != NULL && pw_element_get_raw (PW_ELEMENT (action)) == self->raw)
    return;
  g_clear_pointer (&self->raw, json_node_unref);
  if (action != NULL && pw_element_get_raw (PW_ELEMENT (action)) != NULL)
    self->raw = json_node_ref (pw_element_get_raw (PW_ELEMENT (action)));

  opaque = action == NULL || pw_element_is_opaque (PW_ELEMENT (action));

  title = pw_action_card_dup_title (action);
  if (opaque)
    {
      subtitle = g_strdup (_("Conditional action: an intrinsic decides what it is"));
      icon_name = pw_category_icon_name (NULL);
    }
  else
    {
      const char *category = pw_action_get_category (action);
      const char *owner = pw_action_get_owner (action);
      const char *provider = pw_action_get_provider (action);
      JsonNode *ns = pw_element_get_member (PW_ELEMENT (action), "namespace");

      if (category == NULL && provider == NULL)
        subtitle = g_strdup (_("No action type"));
      else if (owner != NULL && !g_str_equal (owner, "AWS"))
        /* Translators: "Build · MyTool (Custom)": category, provider, owner */
        subtitle = g_strdup_printf (_("%s · %s (%s)"), category ?: "?", provider ?: "?", owner);
      else
        /* Translators: "Build · CodeBuild": category, provider */
        subtitle = g_strdup_printf (_("%s · %s"), category ?: "?", provider ?: "?");
      if (ns != NULL)
        {
          g_autofree char *value = pw_format_value (ns);
          namespace = g_strdup_printf ("#{%s}", value);
        }
      icon_name = pw_category_icon_name (category != NULL ? category : "");
    }

  if (opaque)
    gtk_widget_add_css_class (GTK_WIDGET (self), "conditional");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "conditional");

  changed |= pw_set_str (&self->title_text, title);
  changed |= pw_set_str (&self->subtitle_text, subtitle);
  if ((self->namespace_text == NULL) != (namespace == NULL))
    resized = TRUE;
  changed |= pw_set_str (&self->namespace_text, namespace);
  if (pw_set_str (&self->icon_name, icon_name) || self->icon == NULL)
    update_icon (self);

  inputs = pw_action_card_dup_artifacts (action, "inputArtifacts");
  outputs = pw_action_card_dup_artifacts (action, "outputArtifacts");
  if (inputs->len != self->inputs->len || outputs->len != self->outputs->len)
    resized = TRUE;
  sync_pins (self, self->inputs, inputs, PW_PIN_INPUT);
  sync_pins (self, self->outputs, outputs, PW_PIN_OUTPUT);

  if (changed)
    {
      g_clear_object (&self->title);
      update_accessible (self);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  if (resized)
    gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
pw_action_card_set_findings (PwActionCard *self,
                             guint         count,
                             PwSeverity    worst)
{
  g_return_if_fail (PW_IS_ACTION_CARD (self));

  if (self->n_findings == count && (count == 0 || self->worst == worst))
    return;

  self->n_findings = count;
  self->worst = worst;
  gtk_widget_remove_css_class (GTK_WIDGET (self), "has-error");
  gtk_widget_remove_css_class (GTK_WIDGET (self), "has-warning");
  if (count > 0 && worst == PW_SEVERITY_ERROR)
    gtk_widget_add_css_class (GTK_WIDGET (self), "has-error");
  else if (count > 0 && worst == PW_SEVERITY_WARNING)
    gtk_widget_add_css_class (GTK_WIDGET (self), "has-warning");

  g_clear_object (&self->title);
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* AT-SPI on GTK 4.8 has no position-in-set: the position goes in the name
 * ("stage Build, group 1 of 2, action 2 of 3"). */
void
pw_action_card_set_position (PwActionCard *self,
                             const char   *stage_name,
                             guint         group,
                             guint         n_groups,
                             guint         index,
                             guint         n_in_group)
{
  g_autofree char *text = NULL;

  g_return_if_fail (PW_IS_ACTION_CARD (self));

  /* Translators: where an action is, read by screen readers */
  text = g_strdup_printf (_("stage %s, group %u of %u, action %u of %u"),
                          stage_name, group + 1, n_groups, index + 1, n_in_group);
  if (pw_set_str (&self->position_text, text))
    update_accessible (self);
}

gboolean
pw_action_card_has_namespace (PwActionCard *self)
{
  g_return_val_if_fail (PW_IS_ACTION_CARD (self), FALSE);

  return self->namespace_text != NULL;
}

guint
pw_action_card_get_n_inputs (PwActionCard *self)
{
  g_return_val_if_fail (PW_IS_ACTION_CARD (self), 0);

  return self->inputs->len;
}

guint
pw_action_card_get_n_outputs (PwActionCard *self)
{
  g_return_val_if_fail (PW_IS_ACTION_CARD (self), 0);

  return self->outputs->len;
}

/**
 * pw_action_card_get_input_pin:
 *
 * Returns: (transfer none) (nullable):
 */
PwPin *
pw_action_card_get_input_pin (PwActionCard *self,
                              guint         index)
{
  g_return_val_if_fail (PW_IS_ACTION_CARD (self), NULL);

  return index < self->inputs->len ? g_ptr_array_index (self->inputs, index) : NULL;
}

/**
 * pw_action_card_get_output_pin:
 *
 * Returns: (transfer none) (nullable):
 */
PwPin *
pw_action_card_get_output_pin (PwActionCard *self,
                               guint         index)
{
  g_return_val_if_fail (PW_IS_ACTION_CARD (self), NULL);

  return index < self->outputs->len ? g_ptr_array_index (self->outputs, index) : NULL;
}

const char *
pw_action_card_get_title (PwActionCard *self)
{
  g_return_val_if_fail (PW_IS_ACTION_CARD (self), NULL);

  return self->title_text;
}

double
pw_action_card_get_height (PwActionCard *self)
{
  g_return_val_if_fail (PW_IS_ACTION_CARD (self), 0);

  return pw_card_height (self->inputs->len, self->outputs->len, self->namespace_text != NULL);
}

/**
 * pw_action_card_dup_title:
 *
 * Returns: (transfer full): what a card of @action shows as its title: the
 *   name, or the intrinsic that stands for a conditional action
 */
char *
pw_action_card_dup_title (PwAction *action)
{
  if (action == NULL)
    return g_strdup ("");
  if (pw_element_is_opaque (PW_ELEMENT (action)))
    return pw_format_value (pw_element_get_raw (PW_ELEMENT (action)));
  return pw_element_dup_label (PW_ELEMENT (action), "name");
}

/**
 * pw_action_card_set_run:
 * @status: (nullable): the action's status in the execution shown
 *   ("InProgress", "Succeeded", …, or "Waiting" for an approval), or %NULL
 *   when no execution is shown
 * @text: (nullable): what the card says of it ("Succeeded · 2.1 s")
 * @tooltip: (nullable): the whole story (a failure's reason)
 */
void
pw_action_card_set_run (PwActionCard *self,
                        const char   *status,
                        const char   *text,
                        const char   *tooltip)
{
  static const char * const classes[] = { "run-inprogress", "run-succeeded", "run-failed",
                                          "run-waiting", "run-stopped", NULL };
  g_autofree char *class = NULL;
  gboolean changed = FALSE;

  g_return_if_fail (PW_IS_ACTION_CARD (self));

  changed |= pw_set_str (&self->run_status, status);
  changed |= pw_set_str (&self->run_text, status != NULL ? text : NULL);
  if (pw_set_str (&self->run_tooltip, tooltip != NULL && tooltip[0] != '\0' ? tooltip : NULL))
    gtk_widget_set_has_tooltip (GTK_WIDGET (self), self->run_tooltip != NULL);
  if (!changed)
    return;

  if (status != NULL)
    {
      class = g_ascii_strdown (status, -1);
      if (g_str_equal (class, "abandoned") || g_str_equal (class, "superseded") || g_str_equal (class, "cancelled"))
        pw_set_str (&class, "stopped");
    }
  for (guint i = 0; classes[i] != NULL; i++)
    {
      gboolean want = class != NULL && g_str_equal (classes[i] + 4, class);

      if (want != gtk_widget_has_css_class (GTK_WIDGET (self), classes[i]))
        {
          if (want)
            gtk_widget_add_css_class (GTK_WIDGET (self), classes[i]);
          else
            gtk_widget_remove_css_class (GTK_WIDGET (self), classes[i]);
        }
    }
  g_clear_object (&self->title);   /* layouts again, with the run line */
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const char *
pw_action_card_get_run_status (PwActionCard *self)
{
  g_return_val_if_fail (PW_IS_ACTION_CARD (self), NULL);

  return self->run_status;
}

/**
 * pw_action_card_get_run_tooltip:
 *
 * Returns: (nullable): the tooltip of its run status (a failure's reason)
 */
const char *
pw_action_card_get_run_tooltip (PwActionCard *self)
{
  g_return_val_if_fail (PW_IS_ACTION_CARD (self), NULL);

  return self->run_tooltip;
}

const char *
pw_action_card_get_run_text (PwActionCard *self)
{
  g_return_val_if_fail (PW_IS_ACTION_CARD (self), NULL);

  return self->run_text;
}
