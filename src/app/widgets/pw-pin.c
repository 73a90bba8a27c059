/* pw-pin.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-pin"

#include "config.h"

#include <glib/gi18n.h>

#include "pw-canvas-metrics.h"
#include "pw-pin.h"

/*
 * An artifact on an action card: an input on the card's left edge, an
 * output on its right. It is a widget of its own so that it takes focus,
 * has a tooltip and an accessible name ("Input artifact Src, produced by
 * Checkout"); the canvas draws the connectors between pins.
 */

struct _PwPin
{
  GtkWidget       parent_instance;

  char           *artifact;
  char           *description;
  PangoLayout    *layout;
  PwPinDirection  direction;
  PwPinState      state;
};

G_DEFINE_FINAL_TYPE (PwPin, pw_pin, GTK_TYPE_WIDGET)

static void
update_accessible (PwPin *self)
{
  g_autofree char *label = NULL;

  if (self->direction == PW_PIN_INPUT)
    /* Translators: an accessible name; %s is an artifact name */
    label = g_strdup_printf (_("Input artifact %s"), self->artifact != NULL ? self->artifact : "");
  else
    /* Translators: an accessible name; %s is an artifact name */
    label = g_strdup_printf (_("Output artifact %s"), self->artifact != NULL ? self->artifact : "");

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

static void
pw_pin_measure (GtkWidget      *widget,
                GtkOrientation  orientation,
                int             for_size,
                int            *minimum,
                int            *natural,
                int            *minimum_baseline,
                int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural = (int)(PW_CARD_WIDTH / 2);
  else
    *minimum = *natural = (int)PW_PIN_HEIGHT;
}

static void
pw_pin_snapshot (GtkWidget   *widget,
                 GtkSnapshot *snapshot)
{
  PwPin *self = (PwPin *)widget;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  double cx = self->direction == PW_PIN_INPUT ? 0 : width;
  double cy = height / 2.0;
  GskRoundedRect dot;
  GdkRGBA color;
  int text_width, text_height;
  double x;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);

  /* The dot sits on the card's edge, where connectors end. */
  gsk_rounded_rect_init_from_rect (&dot,
                                   &GRAPHENE_RECT_INIT (cx - PW_PIN_RADIUS, cy - PW_PIN_RADIUS,
                                                        2 * PW_PIN_RADIUS, 2 * PW_PIN_RADIUS),
                                   PW_PIN_RADIUS);
  if (self->state == PW_PIN_CONNECTED)
    {
      gtk_snapshot_push_rounded_clip (snapshot, &dot);
      gtk_snapshot_append_color (snapshot, &color, &dot.bounds);
      gtk_snapshot_pop (snapshot);
    }
  else
    {
      /* Hollow: nothing on the other side of this artifact. */
      float widths[4] = { 1.5, 1.5, 1.5, 1.5 };
      GdkRGBA colors[4] = { color, color, color, color };
      gtk_snapshot_append_border (snapshot, &dot, widths, colors);
    }

  if (self->layout == NULL)
    return;

  pango_layout_set_width (self->layout, (int)((width - 14) * PANGO_SCALE));
  pango_layout_get_pixel_size (self->layout, &text_width, &text_height);
  x = self->direction == PW_PIN_INPUT ? 10 : width - 10 - text_width;
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((float)x, (float)((height - text_height) / 2)));
  gtk_snapshot_append_layout (snapshot, self->layout, &color);
  gtk_snapshot_restore (snapshot);
}

static void
pw_pin_css_changed (GtkWidget         *widget,
                    GtkCssStyleChange *change)
{
  PwPin *self = (PwPin *)widget;

  GTK_WIDGET_CLASS (pw_pin_parent_class)->css_changed (widget, change);

  /* The font may have changed with the style. */
  if (self->layout != NULL)
    pango_layout_context_changed (self->layout);
}

static void
pw_pin_finalize (GObject *object)
{
  PwPin *self = (PwPin *)object;

  g_clear_object (&self->layout);
  g_free (self->artifact);
  g_free (self->description);

  G_OBJECT_CLASS (pw_pin_parent_class)->finalize (object);
}

static void
pw_pin_class_init (PwPinClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = pw_pin_finalize;
  widget_class->measure = pw_pin_measure;
  widget_class->snapshot = pw_pin_snapshot;
  widget_class->css_changed = pw_pin_css_changed;

  gtk_widget_class_set_css_name (widget_class, "pin");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_BUTTON);
}

static void
pw_pin_init (PwPin *self)
{
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
}

GtkWidget *
pw_pin_new (PwPinDirection direction)
{
  PwPin *self = g_object_new (PW_TYPE_PIN, NULL);

  self->direction = direction;
  gtk_widget_add_css_class (GTK_WIDGET (self), direction == PW_PIN_INPUT ? "input" : "output");
  return GTK_WIDGET (self);
}

PwPinDirection
pw_pin_get_direction (PwPin *self)
{
  g_return_val_if_fail (PW_IS_PIN (self), PW_PIN_INPUT);

  return self->direction;
}

const char *
pw_pin_get_artifact (PwPin *self)
{
  g_return_val_if_fail (PW_IS_PIN (self), NULL);

  return self->artifact;
}

void
pw_pin_set_artifact (PwPin      *self,
                     const char *artifact)
{
  g_return_if_fail (PW_IS_PIN (self));

  if (self->layout != NULL && g_strcmp0 (self->artifact, artifact) == 0)
    return;

  if (artifact != self->artifact)
    {
      g_free (self->artifact);
      self->artifact = g_strdup (artifact);
    }

  if (self->layout == NULL)
    {
      self->layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
      pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_single_paragraph_mode (self->layout, TRUE);
    }
  pango_layout_set_text (self->layout, self->artifact != NULL ? self->artifact : "", -1);

  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

PwPinState
pw_pin_get_state (PwPin *self)
{
  g_return_val_if_fail (PW_IS_PIN (self), PW_PIN_CONNECTED);

  return self->state;
}

void
pw_pin_set_state (PwPin      *self,
                  PwPinState  state)
{
  g_return_if_fail (PW_IS_PIN (self));

  if (self->state == state)
    return;

  self->state = state;
  gtk_widget_remove_css_class (GTK_WIDGET (self), "dangling");
  gtk_widget_remove_css_class (GTK_WIDGET (self), "unused");
  if (state == PW_PIN_DANGLING)
    gtk_widget_add_css_class (GTK_WIDGET (self), "dangling");
  else if (state == PW_PIN_UNUSED)
    gtk_widget_add_css_class (GTK_WIDGET (self), "unused");
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* What the canvas knows about the pin's other end: the tooltip and the
 * accessible description. */
void
pw_pin_set_description (PwPin      *self,
                        const char *description)
{
  g_return_if_fail (PW_IS_PIN (self));

  /* Called for every pin after every edit: only a real change costs. */
  if (g_strcmp0 (self->description, description) == 0)
    return;
  g_free (self->description);
  self->description = g_strdup (description);

  /* The canvas shows it as the tooltip when asked: setting a tooltip here
   * would query the pointer (an X round trip) for each of thousands of
   * pins after every edit. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

const char *
pw_pin_get_description (PwPin *self)
{
  g_return_val_if_fail (PW_IS_PIN (self), NULL);

  return self->description;
}
