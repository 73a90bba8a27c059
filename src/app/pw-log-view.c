/* pw-log-view.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The log is drawn here rather than by a GtkListView: on GTK 4.8 a list
 * view that jumps to a far position (the tail of a log that grew by
 * thousands of lines) destroys its rows and builds and measures new ones,
 * 10 to 20 ms a jump, and a build printing as fast as it can moves the
 * tail at every look at the file. Here every line has the same height, so
 * nothing is measured, and a line is laid out once, when it comes into
 * view: the cost of a frame is the lines it newly shows. */

#define G_LOG_DOMAIN "pw-log-view"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pw-app-util.h"
#include "pw-log-view.h"

#define PAD_X 8
#define PAD_Y 4
#define TIME_GAP 12

typedef struct
{
  PangoLayout   *time;
  PangoLayout   *text;
  PwLogLineKind  kind;
  int            width;   /* of the text, in pixels */
} Row;

struct _PwLogView
{
  GtkWidget      parent_instance;

  PwLogModel    *model;
  GListModel    *visible;

  GtkAdjustment *hadjustment;
  GtkAdjustment *vadjustment;
  guint          hscroll_policy : 1;
  guint          vscroll_policy : 1;

  PangoFontDescription *font;
  int            line_height;
  int            time_width;
  int            max_width;

  GHashTable    *rows;      /* line number → Row, the lines in view */
  char          *needle;    /* casefolded */

  guint          cursor;    /* visible positions; G_MAXUINT: none */
  guint          anchor;
  gboolean       following;
  gboolean       dragging;
};

static void pw_log_view_scrollable_init (GtkScrollableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PwLogView, pw_log_view, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_SCROLLABLE, pw_log_view_scrollable_init))

enum {
  PROP_0,
  PROP_HADJUSTMENT,
  PROP_VADJUSTMENT,
  PROP_HSCROLL_POLICY,
  PROP_VSCROLL_POLICY,
  N_PROPS
};

static void
row_free (gpointer data)
{
  Row *row = data;

  g_clear_object (&row->time);
  g_clear_object (&row->text);
  g_free (row);
}

/* ANSI colours ------------------------------------------------------------- */

static const char * const ansi_palette[16] = {
  "#5e5c64", "#c01c28", "#26a269", "#a2734c", "#1c71d8", "#a347ba", "#2aa1b3", "#c0bfbc",
  "#77767b", "#f66151", "#33d17a", "#e9ad0c", "#2a7bde", "#c061cb", "#33c7de", "#ffffff",
};

typedef struct
{
  int      fg, bg;
  gboolean bold, dim, italic, underline;
  guint    start;     /* byte offset in the stripped text */
} AnsiState;

static void
close_span (PangoAttrList   *attrs,
            const AnsiState *st,
            guint            end)
{
  PangoAttribute *a;

  if (end <= st->start)
    return;
#define ADD(attr) G_STMT_START { a = (attr); a->start_index = st->start; a->end_index = end; \
                                 pango_attr_list_insert (attrs, a); } G_STMT_END
  if (st->fg >= 0)
    {
      PangoColor c;
      pango_color_parse (&c, ansi_palette[st->fg]);
      ADD (pango_attr_foreground_new (c.red, c.green, c.blue));
    }
  if (st->bg >= 0)
    {
      PangoColor c;
      pango_color_parse (&c, ansi_palette[st->bg]);
      ADD (pango_attr_background_new (c.red, c.green, c.blue));
    }
  if (st->bold)
    ADD (pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  if (st->dim)
    ADD (pango_attr_foreground_alpha_new (40000));
  if (st->italic)
    ADD (pango_attr_style_new (PANGO_STYLE_ITALIC));
  if (st->underline)
    ADD (pango_attr_underline_new (PANGO_UNDERLINE_SINGLE));
#undef ADD
}

/* @text without its escape sequences; SGR colours and styles as @attrs. */
static char *
ansi_to_attrs (const char     *text,
               PangoAttrList **attrs)
{
  GString *out = g_string_new (NULL);
  AnsiState st = { -1, -1, FALSE, FALSE, FALSE, FALSE, 0 };

  *attrs = pango_attr_list_new ();
  for (const char *p = text; *p != '\0';)
    {
      if (p[0] == '\033' && p[1] == '[')
        {
          const char *q = p + 2;
          int params[16];
          guint n = 0;

          params[0] = 0;
          while (*q != '\0' && ((*q >= '0' && *q <= '9') || *q == ';'))
            {
              if (*q == ';')
                {
                  if (n < G_N_ELEMENTS (params) - 1)
                    params[++n] = 0;
                }
              else
                params[n] = params[n] * 10 + (*q - '0');
              q++;
            }
          n++;
          if (*q == 'm')
            {
              close_span (*attrs, &st, out->len);
              for (guint i = 0; i < n; i++)
                {
                  int v = params[i];

                  if (v == 0)
                    st.fg = st.bg = -1, st.bold = st.dim = st.italic = st.underline = FALSE;
                  else if (v == 1) st.bold = TRUE;
                  else if (v == 2) st.dim = TRUE;
                  else if (v == 3) st.italic = TRUE;
                  else if (v == 4) st.underline = TRUE;
                  else if (v == 22) st.bold = st.dim = FALSE;
                  else if (v == 23) st.italic = FALSE;
                  else if (v == 24) st.underline = FALSE;
                  else if (v >= 30 && v <= 37) st.fg = v - 30;
                  else if (v >= 90 && v <= 97) st.fg = v - 90 + 8;
                  else if (v == 39) st.fg = -1;
                  else if (v >= 40 && v <= 47) st.bg = v - 40;
                  else if (v >= 100 && v <= 107) st.bg = v - 100 + 8;
                  else if (v == 49) st.bg = -1;
                  else if ((v == 38 || v == 48) && i + 2 < n && params[i + 1] == 5)
                    {
                      int c = params[i + 2];
                      if (c < 16)
                        *(v == 38 ? &st.fg : &st.bg) = c;
                      i += 2;
                    }
                  else if ((v == 38 || v == 48) && i + 4 < n && params[i + 1] == 2)
                    i += 4;   /* true colour: shown in the text's colour */
                }
              st.start = out->len;
            }
          /* Any other sequence (cursor moves, erases) is dropped. */
          p = *q != '\0' ? q + 1 : q;
          continue;
        }
      if (*p == '\033' || *p == '\r')
        {
          p++;
          continue;
        }
      g_string_append_c (out, *p++);
    }
  close_span (*attrs, &st, out->len);
  return g_string_free (out, FALSE);
}

/* Metrics ------------------------------------------------------------------ */

static void
ensure_font (PwLogView *self)
{
  PangoContext *context;
  PangoFontMetrics *metrics;
  const PangoFontDescription *base;
  g_autoptr(PangoLayout) probe = NULL;
  int size;

  if (self->font != NULL)
    return;
  context = gtk_widget_get_pango_context (GTK_WIDGET (self));
  base = pango_context_get_font_description (context);
  self->font = base != NULL ? pango_font_description_copy (base) : pango_font_description_new ();
  size = pango_font_description_get_size (self->font);
  pango_font_description_set_family (self->font, "Monospace");
  if (size <= 0)
    size = 10 * PANGO_SCALE;
  if (base != NULL && pango_font_description_get_size_is_absolute (base))
    pango_font_description_set_absolute_size (self->font, size * 0.9);
  else
    pango_font_description_set_size (self->font, (int)(size * 0.9));

  metrics = pango_context_get_metrics (context, self->font, NULL);
  self->line_height = PANGO_PIXELS_CEIL (pango_font_metrics_get_ascent (metrics) +
                                         pango_font_metrics_get_descent (metrics)) + 3;
  pango_font_metrics_unref (metrics);

  probe = gtk_widget_create_pango_layout (GTK_WIDGET (self), "00:00:00.000");
  pango_layout_set_font_description (probe, self->font);
  pango_layout_get_pixel_size (probe, &self->time_width, NULL);
  self->time_width += TIME_GAP;
}

static void
invalidate (PwLogView *self)
{
  g_clear_pointer (&self->font, pango_font_description_free);
  g_hash_table_remove_all (self->rows);
  self->max_width = 0;
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

static guint
n_lines (PwLogView *self)
{
  return self->visible != NULL ? g_list_model_get_n_items (self->visible) : 0;
}

static double
content_height (PwLogView *self)
{
  return 2.0 * PAD_Y + (double)n_lines (self) * self->line_height;
}

/* Rows --------------------------------------------------------------------- */

static char *
phase_header (PwLogView *self,
              guint      phase)
{
  const char *state = pw_log_model_get_phase_state (self->model, phase);
  double seconds = pw_log_model_get_phase_seconds (self->model, phase);
  GString *header = g_string_new (pw_log_model_get_phase_folded (self->model, phase) ? "▸ " : "▾ ");

  g_string_append (header, pw_log_model_get_phase_name (self->model, phase));
  g_string_append_printf (header, " · %s", state != NULL ? state : _("running"));
  if (seconds >= 0)
    g_string_append_printf (header, " · %.2f s", seconds);
  return g_string_free (header, FALSE);
}

/* The search's matches in @text, as a background. */
static void
highlight (PwLogView     *self,
           const char    *text,
           PangoAttrList *attrs)
{
  g_autofree char *folded = NULL;
  gsize needle_len;

  if (self->needle == NULL || *self->needle == '\0')
    return;
  folded = g_utf8_casefold (text, -1);
  /* Offsets map only when folding kept the length (ASCII, most logs). */
  if (strlen (folded) != strlen (text))
    return;
  needle_len = strlen (self->needle);
  for (const char *p = strstr (folded, self->needle); p != NULL; p = strstr (p + needle_len, self->needle))
    {
      PangoAttribute *a = pango_attr_background_new (0xf6 * 257, 0xd3 * 257, 0x2d * 257);
      PangoAttribute *b = pango_attr_foreground_new (0, 0, 0);

      a->start_index = b->start_index = (guint)(p - folded);
      a->end_index = b->end_index = (guint)(p - folded + needle_len);
      pango_attr_list_insert (attrs, a);
      pango_attr_list_insert (attrs, b);
    }
}

static Row *
make_row (PwLogView *self,
          PwLogLine *line)
{
  Row *row = g_new0 (Row, 1);
  PangoAttrList *attrs = NULL;
  g_autofree char *text = NULL;
  int phase = pw_log_line_get_phase (line);

  row->kind = pw_log_line_get_kind (line);
  if (pw_log_line_get_time (line) != NULL)
    {
      row->time = gtk_widget_create_pango_layout (GTK_WIDGET (self), pw_log_line_get_time (line));
      pango_layout_set_font_description (row->time, self->font);
    }
  if (row->kind == PW_LOG_LINE_PHASE && phase >= 0)
    {
      text = phase_header (self, (guint)phase);
      attrs = pango_attr_list_new ();
      pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
    }
  else
    {
      if (row->kind == PW_LOG_LINE_PHASE)
        row->kind = PW_LOG_LINE_TEXT;
      text = ansi_to_attrs (pw_log_line_get_text (line), &attrs);
    }
  highlight (self, text, attrs);
  row->text = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  pango_layout_set_font_description (row->text, self->font);
  pango_layout_set_attributes (row->text, attrs);
  pango_attr_list_unref (attrs);
  pango_layout_get_pixel_size (row->text, &row->width, NULL);
  return row;
}

static void
shown_range (PwLogView *self,
             guint     *first,
             guint     *last)   /* one past */
{
  double value = self->vadjustment != NULL ? gtk_adjustment_get_value (self->vadjustment) : 0;
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  guint n = n_lines (self);
  double top = MAX (value - PAD_Y, 0);

  if (self->line_height <= 0 || n == 0)
    {
      *first = *last = 0;
      return;
    }
  *first = MIN ((guint)(top / self->line_height), n);
  *last = MIN ((guint)((top + height) / self->line_height) + 1, n);
}

static void configure_hadjustment (PwLogView *self);

/* Lays out the lines in view that are not yet; forgets the others. */
static void
ensure_rows (PwLogView *self,
             gboolean   in_snapshot)
{
  guint first, last, lo = G_MAXUINT, hi = 0;
  int widest = self->max_width;
  GHashTableIter iter;
  gpointer key;

  if (self->model == NULL)
    return;
  ensure_font (self);
  shown_range (self, &first, &last);
  for (guint position = first; position < last; position++)
    {
      guint number = pw_log_model_visible_line (self->model, position);
      Row *row;

      if (number == G_MAXUINT)
        break;
      lo = MIN (lo, number);
      hi = MAX (hi, number);
      row = g_hash_table_lookup (self->rows, GUINT_TO_POINTER (number));
      /* A phase's header says its state and time, which change. */
      if (row == NULL || row->kind == PW_LOG_LINE_PHASE)
        {
          g_autoptr(PwLogLine) line = g_list_model_get_item (self->visible, position);

          if (line == NULL)
            break;
          row = make_row (self, line);
          g_hash_table_replace (self->rows, GUINT_TO_POINTER (number), row);
          widest = MAX (widest, row->width);
        }
    }
  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (GPOINTER_TO_UINT (key) < lo || GPOINTER_TO_UINT (key) > hi)
      g_hash_table_iter_remove (&iter);

  if (widest > self->max_width)
    {
      self->max_width = widest;
      /* An adjustment changed while drawing relayouts the scrollbars then;
       * the frame after takes it. */
      if (!in_snapshot)
        configure_hadjustment (self);
      else
        gtk_widget_queue_allocate (GTK_WIDGET (self));
    }
}

/* Scrolling ---------------------------------------------------------------- */

static void
configure_hadjustment (PwLogView *self)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  double upper = MAX (width, 2 * PAD_X + self->time_width + self->max_width);

  if (self->hadjustment == NULL)
    return;
  gtk_adjustment_configure (self->hadjustment,
                            CLAMP (gtk_adjustment_get_value (self->hadjustment), 0, upper - width),
                            0, upper, width * 0.1, width * 0.9, width);
}

static gboolean
at_bottom (PwLogView *self)
{
  GtkAdjustment *adj = self->vadjustment;

  return adj == NULL ||
         gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj) >= gtk_adjustment_get_upper (adj) - 1;
}

static void
configure_vadjustment (PwLogView *self)
{
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  double upper = MAX (content_height (self), height);
  double value;

  if (self->vadjustment == NULL)
    return;
  value = self->following ? upper - height : gtk_adjustment_get_value (self->vadjustment);
  gtk_adjustment_configure (self->vadjustment, CLAMP (value, 0, upper - height), 0, upper,
                            self->line_height * 3, height * 0.9, height);
}

static void
value_changed_cb (GtkAdjustment *adjustment,
                  PwLogView     *self)
{
  if (adjustment == self->vadjustment)
    self->following = at_bottom (self);
  ensure_rows (self, FALSE);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
set_adjustment (PwLogView      *self,
                GtkAdjustment **slot,
                GtkAdjustment  *adjustment)
{
  if (adjustment == NULL)
    adjustment = gtk_adjustment_new (0, 0, 0, 0, 0, 0);
  if (*slot == adjustment)
    return;
  if (*slot != NULL)
    {
      g_signal_handlers_disconnect_by_func (*slot, value_changed_cb, self);
      g_object_unref (*slot);
    }
  *slot = g_object_ref_sink (adjustment);
  g_signal_connect (adjustment, "value-changed", G_CALLBACK (value_changed_cb), self);
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

void
pw_log_view_scroll_to (PwLogView *self,
                       guint      position)
{
  double page, y;

  g_return_if_fail (PW_IS_LOG_VIEW (self));

  if (self->vadjustment == NULL)
    return;
  ensure_font (self);
  page = gtk_adjustment_get_page_size (self->vadjustment);
  y = PAD_Y + (double)position * self->line_height;
  /* Already in view: stay. Else centred. */
  if (y >= gtk_adjustment_get_value (self->vadjustment) &&
      y + self->line_height <= gtk_adjustment_get_value (self->vadjustment) + page)
    return;
  gtk_adjustment_set_value (self->vadjustment, y - (page - self->line_height) / 2);
}

/* The model ---------------------------------------------------------------- */

static guint
shift (guint position,
       guint changed_at,
       guint removed,
       guint added)
{
  if (position == G_MAXUINT || position < changed_at)
    return position;
  if (position < changed_at + removed)
    return changed_at;
  return position - removed + added;
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  PwLogView  *self)
{
  guint first, last;

  self->cursor = shift (self->cursor, position, removed, added);
  self->anchor = shift (self->anchor, position, removed, added);
  if (self->cursor != G_MAXUINT && self->cursor >= n_lines (self))
    self->cursor = self->anchor = n_lines (self) > 0 ? n_lines (self) - 1 : G_MAXUINT;

  shown_range (self, &first, &last);
  configure_vadjustment (self);
  /* Lines added past the view of a reader not at the end change nothing
   * they see but the scrollbar. */
  if (self->following || position < last + 1)
    {
      ensure_rows (self, FALSE);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

void
pw_log_view_set_model (PwLogView  *self,
                       PwLogModel *model)
{
  g_return_if_fail (PW_IS_LOG_VIEW (self));
  g_return_if_fail (model == NULL || PW_IS_LOG_MODEL (model));

  if (self->model == model)
    return;
  if (self->visible != NULL)
    g_signal_handlers_disconnect_by_func (self->visible, items_changed_cb, self);
  g_set_object (&self->model, model);
  self->visible = model != NULL ? pw_log_model_get_visible (model) : NULL;
  if (self->visible != NULL)
    g_signal_connect (self->visible, "items-changed", G_CALLBACK (items_changed_cb), self);
  g_hash_table_remove_all (self->rows);
  self->max_width = 0;
  self->cursor = self->anchor = G_MAXUINT;
  self->following = TRUE;
  if (self->hadjustment != NULL)
    gtk_adjustment_set_value (self->hadjustment, 0);
  configure_vadjustment (self);
  configure_hadjustment (self);
  ensure_rows (self, FALSE);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

PwLogModel *
pw_log_view_get_model (PwLogView *self)
{
  g_return_val_if_fail (PW_IS_LOG_VIEW (self), NULL);

  return self->model;
}

gboolean
pw_log_view_get_following (PwLogView *self)
{
  g_return_val_if_fail (PW_IS_LOG_VIEW (self), FALSE);

  return self->following;
}

/* The lines in view: [*first, *last). */
void
pw_log_view_get_shown_range (PwLogView *self,
                             guint     *first,
                             guint     *last)
{
  g_return_if_fail (PW_IS_LOG_VIEW (self));

  ensure_font (self);
  shown_range (self, first, last);
}

/**
 * pw_log_view_get_line_layout:
 *
 * Returns: (transfer none) (nullable): the text of the line at visible
 *   @position as drawn, when it is in view
 */
PangoLayout *
pw_log_view_get_line_layout (PwLogView *self,
                             guint      position)
{
  guint number;
  Row *row;

  g_return_val_if_fail (PW_IS_LOG_VIEW (self), NULL);

  if (self->model == NULL || (number = pw_log_model_visible_line (self->model, position)) == G_MAXUINT)
    return NULL;
  ensure_rows (self, FALSE);
  row = g_hash_table_lookup (self->rows, GUINT_TO_POINTER (number));
  return row != NULL ? row->text : NULL;
}

/* Cursor, selection, copy -------------------------------------------------- */

static void
announce_cursor (PwLogView *self)
{
  g_autoptr(PwLogLine) line = NULL;

  if (self->cursor == G_MAXUINT || self->visible == NULL ||
      (line = g_list_model_get_item (self->visible, self->cursor)) == NULL)
    return;
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  pw_log_line_get_text (line), -1);
}

static void
move_cursor (PwLogView *self,
             guint      position,
             gboolean   extend)
{
  guint n = n_lines (self);

  if (n == 0)
    return;
  position = MIN (position, n - 1);
  self->cursor = position;
  if (!extend || self->anchor == G_MAXUINT)
    self->anchor = position;
  pw_log_view_scroll_to (self, position);
  announce_cursor (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
pw_log_view_get_cursor (PwLogView *self)
{
  g_return_val_if_fail (PW_IS_LOG_VIEW (self), G_MAXUINT);

  return self->cursor;
}

/* The line at @position becomes the current one (a search's match), in
 * view; G_MAXUINT: none. */
void
pw_log_view_set_cursor (PwLogView *self,
                        guint      position)
{
  g_return_if_fail (PW_IS_LOG_VIEW (self));

  if (position == G_MAXUINT)
    {
      self->cursor = self->anchor = G_MAXUINT;
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }
  move_cursor (self, position, FALSE);
}

void
pw_log_view_select (PwLogView *self,
                    guint      first,
                    guint      last)
{
  g_return_if_fail (PW_IS_LOG_VIEW (self));

  if (n_lines (self) == 0)
    return;
  self->anchor = MIN (first, n_lines (self) - 1);
  self->cursor = MIN (last, n_lines (self) - 1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
is_selected (PwLogView *self,
             guint      position)
{
  return self->anchor != G_MAXUINT && self->cursor != G_MAXUINT &&
         position >= MIN (self->anchor, self->cursor) && position <= MAX (self->anchor, self->cursor);
}

/* The selected lines as the log has them (time, text), without colours. */
char *
pw_log_view_dup_selected_text (PwLogView *self)
{
  GString *out;

  g_return_val_if_fail (PW_IS_LOG_VIEW (self), NULL);

  if (self->cursor == G_MAXUINT || self->anchor == G_MAXUINT || self->visible == NULL)
    return NULL;
  out = g_string_new (NULL);
  for (guint p = MIN (self->anchor, self->cursor); p <= MAX (self->anchor, self->cursor); p++)
    {
      g_autoptr(PwLogLine) line = g_list_model_get_item (self->visible, p);
      PangoAttrList *attrs = NULL;
      g_autofree char *plain = NULL;

      if (line == NULL)
        break;
      plain = ansi_to_attrs (pw_log_line_get_text (line), &attrs);
      pango_attr_list_unref (attrs);
      if (pw_log_line_get_time (line) != NULL)
        g_string_append_printf (out, "%s ", pw_log_line_get_time (line));
      g_string_append (out, plain);
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

static void
copy_action (GtkWidget  *widget,
             const char *name,
             GVariant   *parameter)
{
  g_autofree char *text = pw_log_view_dup_selected_text (PW_LOG_VIEW (widget));

  if (text != NULL)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
}

static void
select_all_action (GtkWidget  *widget,
                   const char *name,
                   GVariant   *parameter)
{
  PwLogView *self = PW_LOG_VIEW (widget);

  if (n_lines (self) > 0)
    pw_log_view_select (self, 0, n_lines (self) - 1);
}

/* A phase's header at @position folds or opens its lines. */
static gboolean
toggle_phase (PwLogView *self,
              guint      position)
{
  g_autoptr(PwLogLine) line = position < n_lines (self) ? g_list_model_get_item (self->visible, position) : NULL;
  guint phase;

  if (line == NULL || pw_log_line_get_kind (line) != PW_LOG_LINE_PHASE || pw_log_line_get_phase (line) < 0)
    return FALSE;
  phase = (guint)pw_log_line_get_phase (line);
  pw_log_model_set_phase_folded (self->model, phase, !pw_log_model_get_phase_folded (self->model, phase));
  ensure_rows (self, FALSE);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

static void
activate_action (GtkWidget  *widget,
                 const char *name,
                 GVariant   *parameter)
{
  PwLogView *self = PW_LOG_VIEW (widget);

  if (self->cursor != G_MAXUINT)
    toggle_phase (self, self->cursor);
}

static void
move_action (GtkWidget  *widget,
             const char *name,
             GVariant   *parameter)
{
  PwLogView *self = PW_LOG_VIEW (widget);
  int step;
  gboolean extend;
  guint n = n_lines (self), from;
  int page;
  gint64 to;

  g_variant_get (parameter, "(ib)", &step, &extend);
  if (n == 0)
    return;
  page = self->line_height > 0 ? MAX (gtk_widget_get_height (widget) / self->line_height - 1, 1) : 1;
  if (self->cursor != G_MAXUINT)
    from = self->cursor;
  else
    {
      guint first, last;
      shown_range (self, &first, &last);
      from = first;
    }
  /* ±1: a line; ±2: a page; ±3: the start or the end. */
  if (step == -3)
    to = 0;
  else if (step == 3)
    to = n - 1;
  else
    to = (gint64)from + (ABS (step) == 2 ? page : 1) * (step < 0 ? -1 : 1);
  move_cursor (self, (guint)CLAMP (to, 0, (gint64)n - 1), extend);
}

/* Pointer ------------------------------------------------------------------ */

static guint
position_at (PwLogView *self,
             double     y)
{
  double value = self->vadjustment != NULL ? gtk_adjustment_get_value (self->vadjustment) : 0;
  double offset = y + value - PAD_Y;
  guint n = n_lines (self);

  if (n == 0 || self->line_height <= 0)
    return G_MAXUINT;
  if (offset < 0)
    return 0;
  return MIN ((guint)(offset / self->line_height), n - 1);
}

static void
pressed_cb (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            PwLogView       *self)
{
  guint position = position_at (self, y);
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (position == G_MAXUINT)
    return;
  if (button == GDK_BUTTON_SECONDARY)
    {
      if (!is_selected (self, position))
        move_cursor (self, position, FALSE);
      return;
    }
  if (n_press == 1 && !(state & GDK_SHIFT_MASK) && toggle_phase (self, position))
    {
      move_cursor (self, position, FALSE);
      return;
    }
  move_cursor (self, position, (state & GDK_SHIFT_MASK) != 0);
  self->dragging = TRUE;
}

static void
drag_update_cb (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                PwLogView      *self)
{
  double x, y;
  guint position;

  if (!self->dragging || !gtk_gesture_drag_get_start_point (gesture, &x, &y))
    return;
  position = position_at (self, y + dy);
  if (position != G_MAXUINT && position != self->cursor)
    move_cursor (self, position, TRUE);
}

static void
drag_end_cb (GtkGestureDrag *gesture,
             double          dx,
             double          dy,
             PwLogView      *self)
{
  self->dragging = FALSE;
}

static void
context_menu_cb (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 PwLogView       *self)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  GtkWidget *popover;

  pressed_cb (gesture, n_press, x, y, self);
  g_menu_append (menu, _("_Copy"), "log.copy");
  g_menu_append (menu, _("Select _All"), "log.select-all");
  popover = gtk_popover_menu_new_from_model (G_MENU_MODEL (menu));
  gtk_widget_set_parent (popover, GTK_WIDGET (self));
  gtk_popover_set_has_arrow (GTK_POPOVER (popover), FALSE);
  gtk_popover_set_pointing_to (GTK_POPOVER (popover), &(GdkRectangle) { (int)x, (int)y, 1, 1 });
  g_signal_connect (popover, "closed", G_CALLBACK (gtk_widget_unparent), NULL);
  gtk_popover_popup (GTK_POPOVER (popover));
}

/* GtkWidget ---------------------------------------------------------------- */

static void
pw_log_view_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  PwLogView *self = PW_LOG_VIEW (widget);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  double value = self->vadjustment != NULL ? gtk_adjustment_get_value (self->vadjustment) : 0;
  double hvalue = self->hadjustment != NULL ? gtk_adjustment_get_value (self->hadjustment) : 0;
  GdkRGBA fg, dim, error, failure, selected, focus;
  guint first, last;
  gboolean focused = gtk_widget_has_focus (widget);

  if (self->model == NULL)
    return;
  ensure_rows (self, TRUE);
  shown_range (self, &first, &last);

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  dim = fg;
  dim.alpha *= 0.55f;
  pw_lookup_color (widget, "error_color", &error, (GdkRGBA) { 0.75f, 0.11f, 0.16f, 1 });
  failure = error;
  failure.alpha = 0.12f;
  pw_lookup_color (widget, "accent_bg_color", &selected, (GdkRGBA) { 0.21f, 0.52f, 0.89f, 1 });
  focus = selected;
  selected.alpha = focused ? 0.25f : 0.15f;
  focus.alpha = 0.8f;

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  for (guint position = first; position < last; position++)
    {
      guint number = pw_log_model_visible_line (self->model, position);
      Row *row = g_hash_table_lookup (self->rows, GUINT_TO_POINTER (number));
      /* Relative to the first line in view: exact for a log of millions
       * of lines, where absolute offsets overflow a float's precision. */
      float y = (float)(PAD_Y + (double)first * self->line_height - value) +
                (float)(position - first) * self->line_height;
      int text_height;

      if (row == NULL)
        continue;
      if (is_selected (self, position))
        gtk_snapshot_append_color (snapshot, &selected, &GRAPHENE_RECT_INIT (0, y, width, self->line_height));
      else if (row->kind == PW_LOG_LINE_FAILURE)
        gtk_snapshot_append_color (snapshot, &failure, &GRAPHENE_RECT_INIT (0, y, width, self->line_height));
      if (focused && position == self->cursor)
        {
          GskRoundedRect outline;
          float w[4] = { 1, 1, 1, 1 };
          GdkRGBA c[4] = { focus, focus, focus, focus };

          gsk_rounded_rect_init_from_rect (&outline, &GRAPHENE_RECT_INIT (1, y, width - 2, self->line_height), 0);
          gtk_snapshot_append_border (snapshot, &outline, w, c);
        }

      pango_layout_get_pixel_size (row->text, NULL, &text_height);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((float)(PAD_X - hvalue),
                                                              y + (self->line_height - text_height) / 2.0f));
      if (row->time != NULL)
        gtk_snapshot_append_layout (snapshot, row->time, &dim);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (self->time_width, 0));
      gtk_snapshot_append_layout (snapshot, row->text,
                                  row->kind == PW_LOG_LINE_FAILURE ? &error : &fg);
      gtk_snapshot_restore (snapshot);
    }
  gtk_snapshot_pop (snapshot);
}

static void
pw_log_view_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  PwLogView *self = PW_LOG_VIEW (widget);

  ensure_font (self);
  *minimum = 0;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 2 * PAD_X + self->time_width + self->max_width
                                                       : (int)MIN (content_height (self), 10000);
}

static void
pw_log_view_size_allocate (GtkWidget *widget,
                           int        width,
                           int        height,
                           int        baseline)
{
  PwLogView *self = PW_LOG_VIEW (widget);

  ensure_font (self);
  configure_vadjustment (self);
  ensure_rows (self, FALSE);
  configure_hadjustment (self);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_NATIVE (child))
      gtk_popover_present (GTK_POPOVER (child));
}

static void
font_changed_cb (PwLogView *self)
{
  invalidate (self);
}

static void
pw_log_view_root (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (pw_log_view_parent_class)->root (widget);

  g_signal_connect_object (gtk_widget_get_settings (widget), "notify::gtk-font-name",
                           G_CALLBACK (font_changed_cb), widget, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_widget_get_settings (widget), "notify::gtk-xft-dpi",
                           G_CALLBACK (font_changed_cb), widget, G_CONNECT_SWAPPED);
  invalidate (PW_LOG_VIEW (widget));
}

static void
pw_log_view_unroot (GtkWidget *widget)
{
  g_signal_handlers_disconnect_by_func (gtk_widget_get_settings (widget), font_changed_cb, widget);
  GTK_WIDGET_CLASS (pw_log_view_parent_class)->unroot (widget);
}

static void
focus_changed_cb (PwLogView *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* GObject ------------------------------------------------------------------ */

static void
pw_log_view_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  PwLogView *self = PW_LOG_VIEW (object);

  switch (prop_id)
    {
    case PROP_HADJUSTMENT: g_value_set_object (value, self->hadjustment); break;
    case PROP_VADJUSTMENT: g_value_set_object (value, self->vadjustment); break;
    case PROP_HSCROLL_POLICY: g_value_set_enum (value, self->hscroll_policy); break;
    case PROP_VSCROLL_POLICY: g_value_set_enum (value, self->vscroll_policy); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_log_view_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  PwLogView *self = PW_LOG_VIEW (object);

  switch (prop_id)
    {
    case PROP_HADJUSTMENT:
      set_adjustment (self, &self->hadjustment, g_value_get_object (value));
      break;
    case PROP_VADJUSTMENT:
      set_adjustment (self, &self->vadjustment, g_value_get_object (value));
      break;
    case PROP_HSCROLL_POLICY:
      self->hscroll_policy = g_value_get_enum (value);
      gtk_widget_queue_resize (GTK_WIDGET (self));
      break;
    case PROP_VSCROLL_POLICY:
      self->vscroll_policy = g_value_get_enum (value);
      gtk_widget_queue_resize (GTK_WIDGET (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_log_view_dispose (GObject *object)
{
  PwLogView *self = PW_LOG_VIEW (object);
  GtkWidget *child;

  pw_log_view_set_model (self, NULL);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  if (self->hadjustment != NULL)
    g_signal_handlers_disconnect_by_func (self->hadjustment, value_changed_cb, self);
  if (self->vadjustment != NULL)
    g_signal_handlers_disconnect_by_func (self->vadjustment, value_changed_cb, self);
  g_clear_object (&self->hadjustment);
  g_clear_object (&self->vadjustment);

  G_OBJECT_CLASS (pw_log_view_parent_class)->dispose (object);
}

static void
pw_log_view_finalize (GObject *object)
{
  PwLogView *self = PW_LOG_VIEW (object);

  g_hash_table_unref (self->rows);
  g_clear_pointer (&self->font, pango_font_description_free);
  g_free (self->needle);

  G_OBJECT_CLASS (pw_log_view_parent_class)->finalize (object);
}

static void
pw_log_view_scrollable_init (GtkScrollableInterface *iface)
{
}

static void
add_move_binding (GtkWidgetClass *klass,
                  guint           key,
                  int             step)
{
  gtk_widget_class_add_binding_action (klass, key, 0, "log.move", "(ib)", step, FALSE);
  gtk_widget_class_add_binding_action (klass, key, GDK_SHIFT_MASK, "log.move", "(ib)", step, TRUE);
}

static void
pw_log_view_class_init (PwLogViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = pw_log_view_get_property;
  object_class->set_property = pw_log_view_set_property;
  object_class->dispose = pw_log_view_dispose;
  object_class->finalize = pw_log_view_finalize;

  widget_class->snapshot = pw_log_view_snapshot;
  widget_class->measure = pw_log_view_measure;
  widget_class->size_allocate = pw_log_view_size_allocate;
  widget_class->root = pw_log_view_root;
  widget_class->unroot = pw_log_view_unroot;

  g_object_class_override_property (object_class, PROP_HADJUSTMENT, "hadjustment");
  g_object_class_override_property (object_class, PROP_VADJUSTMENT, "vadjustment");
  g_object_class_override_property (object_class, PROP_HSCROLL_POLICY, "hscroll-policy");
  g_object_class_override_property (object_class, PROP_VSCROLL_POLICY, "vscroll-policy");

  gtk_widget_class_install_action (widget_class, "log.copy", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "log.select-all", NULL, select_all_action);
  gtk_widget_class_install_action (widget_class, "log.activate", NULL, activate_action);
  gtk_widget_class_install_action (widget_class, "log.move", "(ib)", move_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "log.copy", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Insert, GDK_CONTROL_MASK, "log.copy", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, GDK_CONTROL_MASK, "log.select-all", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, 0, "log.activate", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, 0, "log.activate", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_space, 0, "log.activate", NULL);
  add_move_binding (widget_class, GDK_KEY_Up, -1);
  add_move_binding (widget_class, GDK_KEY_KP_Up, -1);
  add_move_binding (widget_class, GDK_KEY_Down, 1);
  add_move_binding (widget_class, GDK_KEY_KP_Down, 1);
  add_move_binding (widget_class, GDK_KEY_Page_Up, -2);
  add_move_binding (widget_class, GDK_KEY_KP_Page_Up, -2);
  add_move_binding (widget_class, GDK_KEY_Page_Down, 2);
  add_move_binding (widget_class, GDK_KEY_KP_Page_Down, 2);
  add_move_binding (widget_class, GDK_KEY_Home, -3);
  add_move_binding (widget_class, GDK_KEY_KP_Home, -3);
  add_move_binding (widget_class, GDK_KEY_End, 3);
  add_move_binding (widget_class, GDK_KEY_KP_End, 3);

  gtk_widget_class_set_css_name (widget_class, "logview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LOG);
}

static void
pw_log_view_init (PwLogView *self)
{
  GtkGesture *click, *drag, *menu;
  GtkEventController *focus;

  self->rows = g_hash_table_new_full (NULL, NULL, NULL, row_free);
  self->cursor = self->anchor = G_MAXUINT;
  self->following = TRUE;
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  drag = gtk_gesture_drag_new ();
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (drag_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  menu = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (menu), GDK_BUTTON_SECONDARY);
  g_signal_connect (menu, "pressed", G_CALLBACK (context_menu_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (menu));

  focus = gtk_event_controller_focus_new ();
  g_signal_connect_swapped (focus, "enter", G_CALLBACK (focus_changed_cb), self);
  g_signal_connect_swapped (focus, "leave", G_CALLBACK (focus_changed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), focus);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Log"), -1);
}

GtkWidget *
pw_log_view_new (void)
{
  return g_object_new (PW_TYPE_LOG_VIEW, NULL);
}

/* The search's text, highlighted in every line that has it. */
void
pw_log_view_set_highlight (PwLogView  *self,
                           const char *needle)
{
  g_autofree char *folded = NULL;

  g_return_if_fail (PW_IS_LOG_VIEW (self));

  folded = needle != NULL && *needle != '\0' ? g_utf8_casefold (needle, -1) : NULL;
  if (g_strcmp0 (folded, self->needle) == 0)
    return;
  g_free (self->needle);
  self->needle = g_steal_pointer (&folded);
  g_hash_table_remove_all (self->rows);
  ensure_rows (self, FALSE);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
