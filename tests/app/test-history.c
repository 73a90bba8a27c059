/* test-history.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gtk/gtk.h>

#include "pw-history.h"

/* Types one character the way GtkTextView does: one user action each. */
static void
type_text (GtkTextBuffer *buffer,
           const char    *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      g_autofree char *ch = g_strndup (p, g_utf8_next_char (p) - p);

      gtk_text_buffer_begin_user_action (buffer);
      gtk_text_buffer_insert_at_cursor (buffer, ch, -1);
      gtk_text_buffer_end_user_action (buffer);
    }
}

static char *
text_of (GtkTextBuffer *buffer)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
}

static void
test_typing_merges (void)
{
  g_autoptr(GtkTextBuffer) buffer = gtk_text_buffer_new (NULL);
  g_autoptr(PwHistory) history = pw_history_new (buffer);
  g_autofree char *text = NULL;

  type_text (buffer, "name");
  g_assert_true (pw_history_get_can_undo (history));
  g_assert_cmpstr (pw_history_get_undo_label (history), ==, "Typing");

  /* A word typed is one step. */
  g_assert_true (pw_history_undo (history));
  text = text_of (buffer);
  g_assert_cmpstr (text, ==, "");
  g_assert_false (pw_history_get_can_undo (history));
  g_assert_true (pw_history_redo (history));
  g_free (text);
  text = text_of (buffer);
  g_assert_cmpstr (text, ==, "name");
}

static void
test_newline_breaks (void)
{
  g_autoptr(GtkTextBuffer) buffer = gtk_text_buffer_new (NULL);
  g_autoptr(PwHistory) history = pw_history_new (buffer);
  g_autofree char *text = NULL;

  type_text (buffer, "a: 1");
  type_text (buffer, "\n");
  type_text (buffer, "b: 2");

  g_assert_true (pw_history_undo (history));
  text = text_of (buffer);
  g_assert_cmpstr (text, ==, "a: 1\n");
  g_assert_true (pw_history_undo (history));
  g_free (text);
  text = text_of (buffer);
  g_assert_cmpstr (text, ==, "a: 1");
}

static void
test_labelled_step (void)
{
  g_autoptr(GtkTextBuffer) buffer = gtk_text_buffer_new (NULL);
  g_autoptr(PwHistory) history = pw_history_new (buffer);
  g_autofree char *text = NULL;
  GtkTextIter start, end;

  gtk_text_buffer_set_text (buffer, "stages: [Source, Build]", -1);
  pw_history_clear (history);

  /* An edit from the canvas: several changes, one step with a name. */
  pw_history_begin_labelled (history, "Move stage Build");
  gtk_text_buffer_begin_user_action (buffer);
  gtk_text_buffer_get_iter_at_offset (buffer, &start, 9);
  gtk_text_buffer_get_iter_at_offset (buffer, &end, 17);
  gtk_text_buffer_delete (buffer, &start, &end);
  gtk_text_buffer_get_iter_at_offset (buffer, &start, 14);
  gtk_text_buffer_insert (buffer, &start, ", Source", -1);
  gtk_text_buffer_end_user_action (buffer);
  pw_history_end_labelled (history);

  text = text_of (buffer);
  g_assert_cmpstr (text, ==, "stages: [Build, Source]");
  g_assert_cmpstr (pw_history_get_undo_label (history), ==, "Move stage Build");

  /* Typing right after it does not merge into it. */
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_place_cursor (buffer, &end);
  type_text (buffer, "x");
  g_assert_cmpstr (pw_history_get_undo_label (history), ==, "Typing");
  g_assert_true (pw_history_undo (history));
  g_assert_cmpstr (pw_history_get_undo_label (history), ==, "Move stage Build");
  g_assert_true (pw_history_undo (history));
  g_free (text);
  text = text_of (buffer);
  g_assert_cmpstr (text, ==, "stages: [Source, Build]");
  g_assert_cmpstr (pw_history_get_redo_label (history), ==, "Move stage Build");
}

static void
test_modified_follows_saved (void)
{
  g_autoptr(GtkTextBuffer) buffer = gtk_text_buffer_new (NULL);
  g_autoptr(PwHistory) history = pw_history_new (buffer);

  type_text (buffer, "one");
  pw_history_mark_saved (history);
  g_assert_false (gtk_text_buffer_get_modified (buffer));

  type_text (buffer, " two");
  g_assert_true (gtk_text_buffer_get_modified (buffer));

  /* Back to what was saved: not modified; forward again: modified. */
  g_assert_true (pw_history_undo (history));
  g_assert_false (gtk_text_buffer_get_modified (buffer));
  g_assert_true (pw_history_undo (history));
  g_assert_true (gtk_text_buffer_get_modified (buffer));
  g_assert_true (pw_history_redo (history));
  g_assert_false (gtk_text_buffer_get_modified (buffer));
}

static void
test_backspaces_merge (void)
{
  g_autoptr(GtkTextBuffer) buffer = gtk_text_buffer_new (NULL);
  g_autoptr(PwHistory) history = pw_history_new (buffer);
  g_autofree char *text = NULL;

  gtk_text_buffer_set_text (buffer, "runOrder: 12", -1);
  pw_history_clear (history);

  for (int i = 0; i < 2; i++)
    {
      GtkTextIter start, end;

      gtk_text_buffer_get_end_iter (buffer, &end);
      start = end;
      gtk_text_iter_backward_char (&start);
      gtk_text_buffer_begin_user_action (buffer);
      gtk_text_buffer_delete (buffer, &start, &end);
      gtk_text_buffer_end_user_action (buffer);
    }

  text = text_of (buffer);
  g_assert_cmpstr (text, ==, "runOrder: ");
  g_assert_true (pw_history_undo (history));
  g_assert_false (pw_history_get_can_undo (history));
  g_free (text);
  text = text_of (buffer);
  g_assert_cmpstr (text, ==, "runOrder: 12");
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app/history/typing-merges", test_typing_merges);
  g_test_add_func ("/app/history/newline-breaks", test_newline_breaks);
  g_test_add_func ("/app/history/labelled-step", test_labelled_step);
  g_test_add_func ("/app/history/modified-follows-saved", test_modified_follows_saved);
  g_test_add_func ("/app/history/backspaces-merge", test_backspaces_merge);

  return g_test_run ();
}
