/* pw-stage-header.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-stage-header"

#include "config.h"

#include <glib/gi18n.h>

#include "pw-app-util.h"
#include "pw-canvas-metrics.h"
#include "pw-stage-header.h"

/*
 * The top of a stage's column: its name, what it holds, its conditions and
 * its findings. It takes focus (arrows walk the canvas from it) and is what
 * one drags to move the stage. The canvas sets its width.
 */

struct _PwStageHeader
{
  GtkWidget    parent_instance;

  PwStage     *stage;
  PangoLayout *title;
  PangoLayout *subtitle;
  PangoLayout *badge;
  char        *title_text;
  char        *subtitle_text;
  char        *label_text;
  guint        n_findings;
  PwSeverity   worst;
  char        *run_status;   /* the stage's status in the execution shown */
  char        *run_text;
};

G_DEFINE_FINAL_TYPE (PwStageHeader, pw_stage_header, GTK_TYPE_WIDGET)

static void
clear_layouts (PwStageHeader *self)
{
  g_clear_object (&self->title);
  g_clear_object (&self->subtitle);
  g_clear_object (&self->badge);
}

static void
ensure_layouts (PwStageHeader *self)
{
  PangoAttrList *attrs;

  if (self->title != NULL)
    return;

  self->title = gtk_widget_create_pango_layout (GTK_WIDGET (self), self->title_text);
  attrs = pango_attr_list_new ();
  pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  pango_attr_list_insert (attrs, pango_attr_scale_new (1.1));
  pango_layout_set_attributes (self->title, attrs);
  pango_attr_list_unref (attrs);
  pango_layout_set_ellipsize (self->title, PANGO_ELLIPSIZE_END);

  self->subtitle = gtk_widget_create_pango_layout (GTK_WIDGET (self),
                                                   self->run_text != NULL ? self->run_text : self->subtitle_text);
  attrs = pango_attr_list_new ();
  pango_attr_list_insert (attrs, pango_attr_scale_new (0.85));
  if (self->run_text != NULL)
    pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  pango_layout_set_attributes (self->subtitle, attrs);
  pango_attr_list_unref (attrs);
  pango_layout_set_ellipsize (self->subtitle, PANGO_ELLIPSIZE_END);

  if (self->n_findings > 0)
    {
      g_autofree char *count = g_strdup_printf ("%u", self->n_findings);

      self->badge = gtk_widget_create_pango_layout (GTK_WIDGET (self), count);
      attrs = pango_attr_list_new ();
      pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
      pango_attr_list_insert (attrs, pango_attr_scale_new (0.8));
      pango_layout_set_attributes (self->badge, attrs);
      pango_attr_list_unref (attrs);
    }
}

static void
update_accessible (PwStageHeader *self)
{
  g_autofree char *problems = NULL;

  if (self->n_findings > 0)
    problems = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u problem", "%u problems", self->n_findings),
                                self->n_findings);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, self->label_text,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  problems != NULL ? problems
                                  : self->run_text != NULL ? self->run_text : self->subtitle_text,
                                  -1);
}

static void
pw_stage_header_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural = (int)PW_CARD_WIDTH;
  else
    *minimum = *natural = (int)PW_STAGE_HEADER_HEIGHT - 8;
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
pw_stage_header_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  PwStageHeader *self = (PwStageHeader *)widget;
  GtkStyleContext *style = gtk_widget_get_style_context (widget);
  int width = gtk_widget_get_width (widget);
  double right = width - 10;
  GdkRGBA color, dim;
  int tw, th;

  ensure_layouts (self);
  gtk_style_context_get_color (style, &color);
  dim = color;
  dim.alpha *= 0.65;

  if (self->badge != NULL)
    {
      GdkRGBA badge_color;
      GdkRGBA white = { 1, 1, 1, 1 };
      GskRoundedRect pill;
      double bw, bh = 18;
      const char *name = self->worst == PW_SEVERITY_ERROR ? "error_color"
                       : self->worst == PW_SEVERITY_WARNING ? "warning_color" : "accent_color";

      if (!gtk_style_context_lookup_color (style, name, &badge_color))
        badge_color = (GdkRGBA) { 0.75, 0.1, 0.16, 1 };
      pango_layout_get_pixel_size (self->badge, &tw, &th);
      bw = MAX (bh, tw + 10);
      gsk_rounded_rect_init_from_rect (&pill, &GRAPHENE_RECT_INIT ((float)(right - bw), 7, (float)bw, (float)bh),
                                       (float)(bh / 2));
      gtk_snapshot_push_rounded_clip (snapshot, &pill);
      gtk_snapshot_append_color (snapshot, &badge_color, &pill.bounds);
      gtk_snapshot_pop (snapshot);
      append_layout (snapshot, self->badge, right - bw + (bw - tw) / 2, 7 + (bh - th) / 2, &white);
      right -= bw + 6;
    }

  pango_layout_set_width (self->title, (int)(MAX (10, right - 10) * PANGO_SCALE));
  append_layout (snapshot, self->title, 10, 5, &color);
  if (self->run_text != NULL)
    {
      /* A run: a dot and the stage's status, in its colour. */
      const char *name = pw_run_status_color_name (self->run_status);
      GdkRGBA run_color = dim;
      GskRoundedRect dot;

      if (name != NULL)
        gtk_style_context_lookup_color (style, name, &run_color);
      pango_layout_set_width (self->subtitle, (int)(MAX (10, width - 34) * PANGO_SCALE));
      pango_layout_get_pixel_size (self->subtitle, &tw, &th);
      gsk_rounded_rect_init_from_rect (&dot, &GRAPHENE_RECT_INIT (11, (float)(PW_STAGE_HEADER_HEIGHT - 8 - 5 - th / 2.0 - 4),
                                                                  8, 8), 4);
      gtk_snapshot_push_rounded_clip (snapshot, &dot);
      gtk_snapshot_append_color (snapshot, &run_color, &dot.bounds);
      gtk_snapshot_pop (snapshot);
      append_layout (snapshot, self->subtitle, 24, PW_STAGE_HEADER_HEIGHT - 8 - th - 5, &run_color);
    }
  else
    {
      pango_layout_set_width (self->subtitle, (int)(MAX (10, width - 20) * PANGO_SCALE));
      pango_layout_get_pixel_size (self->subtitle, &tw, &th);
      append_layout (snapshot, self->subtitle, 10, PW_STAGE_HEADER_HEIGHT - 8 - th - 5, &dim);
    }
}

static void
pw_stage_header_css_changed (GtkWidget         *widget,
                             GtkCssStyleChange *change)
{
  PwStageHeader *self = (PwStageHeader *)widget;

  GTK_WIDGET_CLASS (pw_stage_header_parent_class)->css_changed (widget, change);

  if (self->title != NULL)
    {
      pango_layout_context_changed (self->title);
      pango_layout_context_changed (self->subtitle);
      if (self->badge != NULL)
        pango_layout_context_changed (self->badge);
    }
}

static void
pw_stage_header_dispose (GObject *object)
{
  PwStageHeader *self = (PwStageHeader *)object;

  g_clear_object (&self->stage);

  G_OBJECT_CLASS (pw_stage_header_parent_class)->dispose (object);
}

static void
pw_stage_header_finalize (GObject *object)
{
  PwStageHeader *self = (PwStageHeader *)object;

  clear_layouts (self);
  g_free (self->title_text);
  g_free (self->subtitle_text);
  g_free (self->label_text);
  g_free (self->run_status);
  g_free (self->run_text);

  G_OBJECT_CLASS (pw_stage_header_parent_class)->finalize (object);
}

static void
pw_stage_header_class_init (PwStageHeaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pw_stage_header_dispose;
  object_class->finalize = pw_stage_header_finalize;
  widget_class->measure = pw_stage_header_measure;
  widget_class->snapshot = pw_stage_header_snapshot;
  widget_class->css_changed = pw_stage_header_css_changed;

  gtk_widget_class_set_css_name (widget_class, "stageheader");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_BUTTON);
}

static void
pw_stage_header_init (PwStageHeader *self)
{
  self->title_text = g_strdup ("");
  self->subtitle_text = g_strdup ("");
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
}

GtkWidget *
pw_stage_header_new (void)
{
  return g_object_new (PW_TYPE_STAGE_HEADER, NULL);
}

/**
 * pw_stage_header_get_stage:
 *
 * Returns: (transfer none) (nullable):
 */
PwStage *
pw_stage_header_get_stage (PwStageHeader *self)
{
  g_return_val_if_fail (PW_IS_STAGE_HEADER (self), NULL);

  return self->stage;
}

void
pw_stage_header_set_stage (PwStageHeader *self,
                           PwStage       *stage,
                           guint          index,
                           guint          n_stages,
                           guint          n_groups)
{
  g_autofree char *title = NULL;
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autofree char *label = NULL;
  gboolean changed = FALSE;

  g_return_if_fail (PW_IS_STAGE_HEADER (self));

  g_set_object (&self->stage, stage);

  if (stage == NULL)
    title = g_strdup ("");
  else if (pw_element_is_opaque (PW_ELEMENT (stage)))
    {
      title = pw_format_value (pw_element_get_raw (PW_ELEMENT (stage)));
      g_string_append (subtitle, _("Conditional stage: an intrinsic decides what it is"));
      gtk_widget_add_css_class (GTK_WIDGET (self), "conditional");
    }
  else
    {
      guint n_actions = pw_stage_get_n_actions (stage);
      g_autofree char *actions = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u action", "%u actions",
                                                               n_actions), n_actions);

      title = pw_element_dup_label (PW_ELEMENT (stage), "name");
      gtk_widget_remove_css_class (GTK_WIDGET (self), "conditional");
      if (n_groups > 1)
        {
          g_autofree char *groups = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "in %u group",
                                                                  "in %u groups", n_groups), n_groups);
          /* Translators: "3 actions in 2 groups" */
          g_string_append_printf (subtitle, C_("stage summary", "%s %s"), actions, groups);
        }
      else
        g_string_append (subtitle, actions);

      /* The conditions the stage has, in the order they apply. */
      if (pw_element_get_member (PW_ELEMENT (stage), "beforeEntry") != NULL)
        g_string_append (subtitle, _(" · entry gate"));
      if (pw_element_get_member (PW_ELEMENT (stage), "onSuccess") != NULL)
        g_string_append (subtitle, _(" · on success"));
      if (pw_element_get_member (PW_ELEMENT (stage), "onFailure") != NULL)
        g_string_append (subtitle, _(" · on failure"));
    }

  /* Translators: an accessible name: "Stage Build, 2 of 4" */
  label = g_strdup_printf (_("Stage %s, %u of %u"), title, index + 1, n_stages);

  changed |= pw_set_str (&self->title_text, title);
  changed |= pw_set_str (&self->subtitle_text, subtitle->str);
  changed |= pw_set_str (&self->label_text, label);

  if (changed)
    {
      clear_layouts (self);
      update_accessible (self);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

void
pw_stage_header_set_findings (PwStageHeader *self,
                              guint          count,
                              PwSeverity     worst)
{
  g_return_if_fail (PW_IS_STAGE_HEADER (self));

  if (self->n_findings == count && (count == 0 || self->worst == worst))
    return;

  self->n_findings = count;
  self->worst = worst;
  clear_layouts (self);
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const char *
pw_stage_header_get_title (PwStageHeader *self)
{
  g_return_val_if_fail (PW_IS_STAGE_HEADER (self), NULL);

  return self->title_text;
}

/**
 * pw_stage_header_set_run:
 * @status: (nullable): the stage's status in the execution shown, or %NULL
 * @text: (nullable): what the header says of it ("Succeeded · 2.1 s")
 */
void
pw_stage_header_set_run (PwStageHeader *self,
                         const char    *status,
                         const char    *text)
{
  gboolean changed = FALSE;

  g_return_if_fail (PW_IS_STAGE_HEADER (self));

  changed |= pw_set_str (&self->run_status, status);
  changed |= pw_set_str (&self->run_text, status != NULL ? text : NULL);
  if (!changed)
    return;
  clear_layouts (self);
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const char *
pw_stage_header_get_run_text (PwStageHeader *self)
{
  g_return_val_if_fail (PW_IS_STAGE_HEADER (self), NULL);

  return self->run_text;
}
