/* pw-code-view.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-code-view"

#include "config.h"

#include <glib/gi18n.h>

#include "pw-app-util.h"
#include "pw-code-view.h"

/*
 * The pipeline file as text (STYLE.md §11): a GtkSourceView of the
 * document's buffer, the one truth the canvas and the inspector are read
 * from. Findings become line marks with the message as tooltip and an
 * underline; a parse error is marked where the reader stopped. Moving the
 * cursor tells the window which element it is in, so the canvas selects
 * the same thing; the canvas's selection comes back as a selected range.
 */

struct _PwCodeView
{
  GtkWidget       parent_instance;

  GtkWidget      *scroller;
  GtkSourceView  *view;
  PwTextDocument *document;
  GtkTextTag     *error_tag;
  GtkTextTag     *warning_tag;
  GPtrArray      *marked;         /* GtkTextMark pairs around each underline, and the source marks */
  guint           cursor_source;
  gboolean        selecting;
  gboolean        had_error;
};

enum {
  CURSOR_PATH,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (PwCodeView, pw_code_view, GTK_TYPE_WIDGET)

static guint signals [N_SIGNALS];

#define CATEGORY_ERROR   "pw-error"
#define CATEGORY_WARNING "pw-warning"
#define CATEGORY_NOTE    "pw-note"

static const char *
category_for (PwSeverity severity)
{
  switch (severity)
    {
    case PW_SEVERITY_ERROR:
      return CATEGORY_ERROR;

    case PW_SEVERITY_WARNING:
      return CATEGORY_WARNING;

    case PW_SEVERITY_NOTE:
    default:
      return CATEGORY_NOTE;
    }
}

static void
add_mark (PwCodeView *self,
          const char *category,
          guint       line,
          guint       column,
          const char *message)
{
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (pw_text_document_get_buffer (self->document));
  GtkTextIter start, end;
  GtkSourceMark *mark;
  int lines = gtk_text_buffer_get_line_count (buffer);

  if (line == 0 || (int)line > lines)
    return;

  gtk_text_buffer_get_iter_at_line (buffer, &start, (int)line - 1);
  mark = gtk_source_buffer_create_source_mark (GTK_SOURCE_BUFFER (buffer), NULL, category, &start);

  /* The message is what the mark's tooltip shows; several findings on one
   * line join. */
  g_object_set_data_full (G_OBJECT (mark), "message", g_strdup (message), g_free);

  if (column > 1)
    gtk_text_iter_forward_chars (&start, MIN ((int)column - 1, gtk_text_iter_get_chars_in_line (&start)));
  end = start;
  if (!gtk_text_iter_ends_line (&end))
    gtk_text_iter_forward_to_line_end (&end);
  else
    gtk_text_iter_backward_char (&start);
  gtk_text_buffer_apply_tag (buffer, g_str_equal (category, CATEGORY_ERROR) ? self->error_tag : self->warning_tag,
                             &start, &end);

  /* Remembered, so that the next update removes exactly these: removing a
   * tag from the whole buffer would make the view lay out every line of a
   * big file again. */
  g_ptr_array_add (self->marked, g_object_ref (mark));
  g_ptr_array_add (self->marked, g_object_ref (gtk_text_buffer_create_mark (buffer, NULL, &start, TRUE)));
  g_ptr_array_add (self->marked, g_object_ref (gtk_text_buffer_create_mark (buffer, NULL, &end, FALSE)));
}

static void
clear_marks (PwCodeView    *self,
             GtkTextBuffer *buffer)
{
  for (guint i = 0; i + 2 < self->marked->len; i += 3)
    {
      GtkTextMark *source = g_ptr_array_index (self->marked, i);
      GtkTextMark *from = g_ptr_array_index (self->marked, i + 1);
      GtkTextMark *to = g_ptr_array_index (self->marked, i + 2);
      GtkTextIter start, end;

      if (!gtk_text_mark_get_deleted (from) && !gtk_text_mark_get_deleted (to))
        {
          gtk_text_buffer_get_iter_at_mark (buffer, &start, from);
          gtk_text_buffer_get_iter_at_mark (buffer, &end, to);
          gtk_text_buffer_remove_tag (buffer, self->error_tag, &start, &end);
          gtk_text_buffer_remove_tag (buffer, self->warning_tag, &start, &end);
          gtk_text_buffer_delete_mark (buffer, from);
          gtk_text_buffer_delete_mark (buffer, to);
        }
      if (!gtk_text_mark_get_deleted (source))
        gtk_text_buffer_delete_mark (buffer, source);
    }
  g_ptr_array_set_size (self->marked, 0);
}

static void
update_marks (PwCodeView *self)
{
  GtkTextBuffer *buffer;
  GListModel *diagnostics;
  guint line, column;
  const GError *error;

  if (self->document == NULL)
    return;

  buffer = GTK_TEXT_BUFFER (pw_text_document_get_buffer (self->document));
  clear_marks (self, buffer);

  error = pw_text_document_get_error (self->document);
  if (error != NULL)
    {
      if (pw_text_document_get_error_location (self->document, &line, &column))
        add_mark (self, CATEGORY_ERROR, line, column, error->message);
      return;
    }

  /* Findings point into the text the model was read from: only mark them
   * when that is the text on screen. */
  if (!pw_text_document_is_current (self->document))
    return;

  diagnostics = pw_text_document_get_diagnostics (self->document);
  for (guint i = 0; i < g_list_model_get_n_items (diagnostics); i++)
    {
      g_autoptr(PwDiagnostic) diagnostic = g_list_model_get_item (diagnostics, i);
      g_autofree char *message = g_strdup_printf ("%s: %s", pw_diagnostic_get_code (diagnostic),
                                                  pw_diagnostic_get_message (diagnostic));

      add_mark (self, category_for (pw_diagnostic_get_severity (diagnostic)),
                pw_diagnostic_get_line (diagnostic), pw_diagnostic_get_column (diagnostic), message);
    }
}

static char *
mark_tooltip_cb (GtkSourceMarkAttributes *attributes,
                 GtkSourceMark           *mark,
                 PwCodeView              *self)
{
  GtkTextBuffer *buffer = gtk_text_mark_get_buffer (GTK_TEXT_MARK (mark));
  GtkTextIter iter;
  GSList *marks;
  GString *text = g_string_new (NULL);

  /* Every finding on the line, not just this mark's. */
  gtk_text_buffer_get_iter_at_mark (buffer, &iter, GTK_TEXT_MARK (mark));
  marks = gtk_source_buffer_get_source_marks_at_line (GTK_SOURCE_BUFFER (buffer), gtk_text_iter_get_line (&iter), NULL);
  for (GSList *l = marks; l != NULL; l = l->next)
    {
      const char *message = g_object_get_data (l->data, "message");
      if (message == NULL)
        continue;
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, message);
    }
  g_slist_free (marks);

  return g_string_free (text, FALSE);
}

static gboolean
emit_cursor_path_cb (gpointer user_data)
{
  PwCodeView *self = user_data;
  GtkTextBuffer *buffer;
  GtkTextIter iter;
  PwDocument *document;
  g_autofree char *path = NULL;

  self->cursor_source = 0;
  if (self->document == NULL || !pw_text_document_is_current (self->document))
    return G_SOURCE_REMOVE;

  buffer = GTK_TEXT_BUFFER (pw_text_document_get_buffer (self->document));
  gtk_text_buffer_get_iter_at_mark (buffer, &iter, gtk_text_buffer_get_insert (buffer));
  document = pw_text_document_get_document (self->document);
  path = pw_document_dup_path_at (document, pw_text_document_get_logical_id (self->document),
                                  pw_text_document_iter_to_byte (self->document, &iter));
  if (path != NULL)
    g_signal_emit (self, signals [CURSOR_PATH], 0, path);

  return G_SOURCE_REMOVE;
}

static void
cursor_moved_cb (PwCodeView *self)
{
  /* Only the user's moves, not ours, and only while the text has focus. */
  if (self->selecting || !gtk_widget_has_focus (GTK_WIDGET (self->view)))
    return;

  g_clear_handle_id (&self->cursor_source, g_source_remove);
  self->cursor_source = g_timeout_add (150, emit_cursor_path_cb, self);
}

/* The marks follow the findings (the list is replaced only when they
 * change) and the reader's error; other re-reads leave them be. */
static void
document_changed_cb (PwCodeView     *self,
                     PwTextDocument *document)
{
  const GError *error = pw_text_document_get_error (document);
  gboolean has_error = error != NULL;

  if (has_error || self->had_error)
    update_marks (self);
  self->had_error = has_error;
}

static void
findings_changed_cb (PwCodeView *self,
                     guint       position,
                     guint       removed,
                     guint       added,
                     GListModel *model)
{
  update_marks (self);
}

static void
setup_mark (PwCodeView *self,
            const char *category,
            const char *icon_name,
            const char *color_name,
            int         priority)
{
  GtkSourceMarkAttributes *attributes = gtk_source_mark_attributes_new ();

  gtk_source_mark_attributes_set_icon_name (attributes, icon_name);
  g_signal_connect_object (attributes, "query-tooltip-text", G_CALLBACK (mark_tooltip_cb), self, 0);
  gtk_source_view_set_mark_attributes (self->view, category, attributes, priority);
  g_object_unref (attributes);
}

static void
pw_code_view_dispose (GObject *object)
{
  PwCodeView *self = (PwCodeView *)object;

  g_clear_handle_id (&self->cursor_source, g_source_remove);
  if (self->document != NULL)
    {
      GtkTextTagTable *table = gtk_text_buffer_get_tag_table (GTK_TEXT_BUFFER (pw_text_document_get_buffer (self->document)));
      gtk_text_tag_table_remove (table, self->error_tag);
      gtk_text_tag_table_remove (table, self->warning_tag);
    }
  g_clear_object (&self->document);
  g_clear_object (&self->error_tag);
  g_clear_object (&self->warning_tag);
  g_clear_pointer (&self->marked, g_ptr_array_unref);
  g_clear_pointer (&self->scroller, gtk_widget_unparent);

  G_OBJECT_CLASS (pw_code_view_parent_class)->dispose (object);
}

static void
pw_code_view_class_init (PwCodeViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pw_code_view_dispose;

  /**
   * PwCodeView::cursor-path:
   * @path: the model path of the element under the cursor
   */
  signals [CURSOR_PATH] =
    g_signal_new ("cursor-path",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "codeview");
}

static void
pw_code_view_init (PwCodeView *self)
{
  self->marked = g_ptr_array_new_with_free_func (g_object_unref);
  self->scroller = gtk_scrolled_window_new ();
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));

  self->view = GTK_SOURCE_VIEW (gtk_source_view_new ());
  gtk_source_view_set_show_line_numbers (self->view, TRUE);
  gtk_source_view_set_show_line_marks (self->view, TRUE);
  gtk_source_view_set_highlight_current_line (self->view, TRUE);
  gtk_source_view_set_auto_indent (self->view, TRUE);
  gtk_source_view_set_insert_spaces_instead_of_tabs (self->view, TRUE);
  gtk_source_view_set_tab_width (self->view, 2);
  gtk_source_view_set_indent_width (self->view, 2);
  gtk_source_view_set_smart_backspace (self->view, TRUE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (self->view), TRUE);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (self->view), 6);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (self->view), 6);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (self->view), 6);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Pipeline file"),
                                  -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), GTK_WIDGET (self->view));

  setup_mark (self, CATEGORY_ERROR, "dialog-error-symbolic", "error_color", 30);
  setup_mark (self, CATEGORY_WARNING, "dialog-warning-symbolic", "warning_color", 20);
  setup_mark (self, CATEGORY_NOTE, "dialog-information-symbolic", "accent_color", 10);

  self->error_tag = g_object_new (GTK_TYPE_TEXT_TAG,
                                  "underline", PANGO_UNDERLINE_ERROR,
                                  "underline-rgba", &(GdkRGBA) { 0.88, 0.11, 0.14, 1 },
                                  NULL);
  self->warning_tag = g_object_new (GTK_TYPE_TEXT_TAG,
                                    "underline", PANGO_UNDERLINE_ERROR,
                                    "underline-rgba", &(GdkRGBA) { 0.9, 0.65, 0.04, 1 },
                                    NULL);
}

GtkWidget *
pw_code_view_new (void)
{
  return g_object_new (PW_TYPE_CODE_VIEW, NULL);
}

GtkSourceView *
pw_code_view_get_view (PwCodeView *self)
{
  g_return_val_if_fail (PW_IS_CODE_VIEW (self), NULL);

  return self->view;
}

void
pw_code_view_set_document (PwCodeView     *self,
                           PwTextDocument *document)
{
  GtkTextBuffer *buffer;

  g_return_if_fail (PW_IS_CODE_VIEW (self));
  g_return_if_fail (PW_IS_TEXT_DOCUMENT (document));

  if (self->document == document)
    return;

  g_return_if_fail (self->document == NULL);

  self->document = g_object_ref (document);
  buffer = GTK_TEXT_BUFFER (pw_text_document_get_buffer (document));
  gtk_text_tag_table_add (gtk_text_buffer_get_tag_table (buffer), self->error_tag);
  gtk_text_tag_table_add (gtk_text_buffer_get_tag_table (buffer), self->warning_tag);
  gtk_text_view_set_buffer (GTK_TEXT_VIEW (self->view), buffer);

  g_signal_connect_object (document, "changed", G_CALLBACK (document_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (pw_text_document_get_diagnostics (document), "items-changed",
                           G_CALLBACK (findings_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (buffer, "notify::cursor-position", G_CALLBACK (cursor_moved_cb), self,
                           G_CONNECT_SWAPPED);
  update_marks (self);
}

/* Scrolls by setting the adjustment here, in the event that asked for
 * it. GtkTextView's own scroll_to_iter/_to_mark apply the scroll while the
 * window is being laid out, moving the scrollbars after they were
 * allocated (GTK warns, and the frame is drawn half laid out). */
static void
scroll_to_iter (PwCodeView  *self,
                GtkTextIter *iter)
{
  GtkAdjustment *vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->view));
  GdkRectangle rect;
  double value, page;

  if (vadjustment == NULL)
    return;

  page = gtk_adjustment_get_page_size (vadjustment);
  value = gtk_adjustment_get_value (vadjustment);
  gtk_text_view_get_iter_location (GTK_TEXT_VIEW (self->view), iter, &rect);
  if (page <= 0)
    return;
  if (rect.y < value || rect.y + rect.height > value + page)
    gtk_adjustment_set_value (vadjustment, MAX (0, rect.y - page * 0.2));
}

/* Selects the text of an element (the canvas's selection), without the
 * cursor move coming back as a new selection. */
void
pw_code_view_select_path (PwCodeView *self,
                          const char *path)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  gsize start_byte, end_byte;

  g_return_if_fail (PW_IS_CODE_VIEW (self));

  if (self->document == NULL || path == NULL || !pw_text_document_is_current (self->document))
    return;
  if (!pw_document_get_path_span (pw_text_document_get_document (self->document),
                                  pw_text_document_get_logical_id (self->document),
                                  path, &start_byte, &end_byte))
    return;
  if (!pw_text_document_byte_to_iter (self->document, start_byte, &start) ||
      !pw_text_document_byte_to_iter (self->document, end_byte, &end))
    return;

  buffer = GTK_TEXT_BUFFER (pw_text_document_get_buffer (self->document));
  self->selecting = TRUE;
  gtk_text_buffer_select_range (buffer, &start, &end);
  self->selecting = FALSE;
  scroll_to_iter (self, &start);
}

void
pw_code_view_goto (PwCodeView *self,
                   guint       line,
                   guint       column)
{
  GtkTextBuffer *buffer;
  GtkTextIter iter;

  g_return_if_fail (PW_IS_CODE_VIEW (self));

  if (self->document == NULL || line == 0)
    return;

  buffer = GTK_TEXT_BUFFER (pw_text_document_get_buffer (self->document));
  gtk_text_buffer_get_iter_at_line (buffer, &iter, (int)line - 1);
  if (column > 1)
    gtk_text_iter_forward_chars (&iter, MIN ((int)column - 1, gtk_text_iter_get_chars_in_line (&iter)));

  self->selecting = TRUE;
  gtk_text_buffer_place_cursor (buffer, &iter);
  self->selecting = FALSE;
  scroll_to_iter (self, &iter);
}
