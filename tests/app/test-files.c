/* test-files.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "pw-action-card.h"
#include "pw-test-utils.h"

/* Files at the service's limits: 50 stages of 50 actions (2,500, the most a
 * pipeline can hold) and a 10 MB file. They open whole, the canvas makes
 * cards only for what is on screen and scrolling shows the rest, an edit
 * saves without losing a byte of the rest. */

#define N_STAGES  50
#define N_ACTIONS 50

/* A pipeline of 2,500 actions: fifty sources, then 49 stages of builds in
 * runOrder groups of five, each reading one source. Every action gets
 * @padding bytes of comment above it (a well-documented file). */
static char *
write_large_pipeline (const char *folder,
                      const char *name,
                      gsize       padding)
{
  g_autoptr(GString) text = g_string_new ("pipeline:\n"
                                          "  name: limits\n"
                                          "  roleArn: arn:aws:iam::111122223333:role/limits\n"
                                          "  pipelineType: V2\n"
                                          "  artifactStore: {type: S3, location: limits-artifacts}\n"
                                          "  stages:\n");
  g_autofree char *comment = NULL;
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (folder, name, NULL);

  if (padding > 0)
    {
      g_autoptr(GString) c = g_string_new (NULL);
      while (c->len < padding)
        g_string_append (c, "        # The build runs the unit tests and packages the site; see docs/build.md.\n");
      comment = g_string_free (g_steal_pointer (&c), FALSE);
    }

  for (guint s = 0; s < N_STAGES; s++)
    {
      g_string_append_printf (text, "    - name: Stage%02u\n      actions:\n", s);
      for (guint a = 0; a < N_ACTIONS; a++)
        {
          if (comment != NULL)
            g_string_append (text, comment);
          if (s == 0)
            g_string_append_printf (text,
                                    "        - name: Source%02u\n"
                                    "          actionTypeId: {category: Source, owner: AWS, provider: CodeCommit, version: \"1\"}\n"
                                    "          configuration: {RepositoryName: repo%02u, BranchName: main, PollForSourceChanges: \"false\"}\n"
                                    "          outputArtifacts: [{name: Src%02u}]\n",
                                    a, a, a);
          else
            g_string_append_printf (text,
                                    "        - name: Build%02u_%02u\n"
                                    "          actionTypeId: {category: Build, owner: AWS, provider: CodeBuild, version: \"1\"}\n"
                                    "          runOrder: %u\n"
                                    "          configuration: {ProjectName: build-%02u-%02u}\n"
                                    "          inputArtifacts: [{name: Src%02u}]\n",
                                    s, a, a / 5 + 1, s, a, a);
        }
    }

  g_assert_true (g_file_set_contents (path, text->str, text->len, &error));
  g_assert_no_error (error);
  return path;
}

static gboolean
card_is_named (GtkWidget  *card,
               const char *name)
{
  return card != NULL && g_strcmp0 (pw_action_card_get_title (PW_ACTION_CARD (card)), name) == 0;
}

/* The card is inside the canvas's visible area. */
static gboolean
card_on_screen (PwCanvas  *canvas,
                GtkWidget *card)
{
  graphene_rect_t bounds;

  if (card == NULL || !gtk_widget_get_child_visible (card) || !gtk_widget_compute_bounds (card, GTK_WIDGET (canvas), &bounds))
    return FALSE;
  return bounds.origin.x >= 0 && bounds.origin.y >= 0 &&
         bounds.origin.x + bounds.size.width <= gtk_widget_get_width (GTK_WIDGET (canvas)) &&
         bounds.origin.y < gtk_widget_get_height (GTK_WIDGET (canvas));
}

/* The card showing @name, if there is one, without asking the canvas for
 * it (which would make it). */
static GtkWidget *
shown_card (PwCanvas   *canvas,
            const char *name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (canvas)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (PW_IS_ACTION_CARD (child) && gtk_widget_get_child_visible (child) && card_is_named (child, name))
      return child;
  return NULL;
}

static gboolean
last_card_on_screen (gpointer data)
{
  return card_on_screen (data, shown_card (data, "Build49_49"));
}

static void
test_limits (void)
{
  g_autofree char *folder = g_dir_make_tmp ("pipewright-test-XXXXXX", NULL);
  g_autofree char *path = write_large_pipeline (folder, "limits.yml", 0);
  PwWindow *window = pw_test_open_window (path, 1400, 900);
  PwCanvas *canvas = pw_window_get_canvas (window);
  GtkAdjustment *hadjustment = gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (canvas));
  guint shown;

  g_assert_null (pw_text_document_get_error (pw_window_get_document (window)));
  g_assert_cmpuint (pw_pipeline_get_n_stages (pw_text_document_get_pipeline (pw_window_get_document (window))), ==,
                    N_STAGES);
  g_assert_cmpuint (pw_canvas_get_n_cards (canvas), ==, N_STAGES * N_ACTIONS);

  /* Only what is on screen (and a little around it) has a card. */
  shown = pw_canvas_get_n_shown_cards (canvas);
  g_test_message ("%u of %u actions have a card", shown, pw_canvas_get_n_cards (canvas));
  g_assert_cmpuint (shown, >, 0);
  g_assert_cmpuint (shown, <, N_STAGES * N_ACTIONS / 4);
  g_assert_true (card_on_screen (canvas, shown_card (canvas, "Source00")));
  g_assert_null (shown_card (canvas, "Build49_49"));

  /* Scrolling to the end shows the last action's card, in its place; the
   * first stage's cards go. */
  gtk_adjustment_set_value (hadjustment, gtk_adjustment_get_upper (hadjustment));
  g_assert_true (pw_test_wait_until (last_card_on_screen, canvas, 10000));
  g_assert_cmpuint (pw_canvas_get_n_shown_cards (canvas), <, N_STAGES * N_ACTIONS / 4);
  g_assert_null (shown_card (canvas, "Source00"));
  g_assert_true (card_is_named (pw_canvas_get_action_card (canvas, 49, 5), "Build49_05"));

  /* Selecting an action far away (from the inspector or the problems
   * list) brings its card into view, focused. */
  pw_canvas_set_selection (canvas, "stages[0].actions[3]");
  pw_canvas_reveal_selection (canvas);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  pw_test_flush ();
  g_assert_true (card_is_named (pw_canvas_get_action_card (canvas, 0, 3), "Source03"));
  g_assert_true (card_on_screen (canvas, pw_canvas_get_action_card (canvas, 0, 3)));
  g_assert_true (gtk_widget_has_focus (pw_canvas_get_action_card (canvas, 0, 3)));

  /* Tab goes on from there in reading order, through the cards and pins
   * no one has scrolled to yet, each brought into view as it comes. */
  pw_canvas_set_selection (canvas, "stages[0].actions[47]");
  pw_canvas_reveal_selection (canvas);
  for (guint tabs = 0; g_strcmp0 (pw_canvas_get_selection (canvas), "stages[1].actions[0]") != 0; tabs++)
    {
      GtkWidget *focus;

      g_assert_cmpuint (tabs, <, 10);
      g_assert_true (gtk_widget_child_focus (GTK_WIDGET (canvas), GTK_DIR_TAB_FORWARD));
      gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
      pw_test_flush ();
      focus = gtk_root_get_focus (GTK_ROOT (window));
      while (focus != NULL && gtk_widget_get_parent (focus) != GTK_WIDGET (canvas))
        focus = gtk_widget_get_parent (focus);
      g_assert_nonnull (focus);
      if (PW_IS_ACTION_CARD (focus))
        g_assert_true (card_on_screen (canvas, focus));
    }
  g_assert_true (card_is_named (pw_canvas_get_action_card (canvas, 1, 0), "Build01_00"));

  pw_test_close_window (window);
  pw_test_remove_tmp (folder);
}

static gboolean
saved (gpointer data)
{
  return !pw_text_document_get_modified (pw_window_get_document (data));
}

static void
test_ten_megabytes (void)
{
  g_autofree char *folder = g_dir_make_tmp ("pipewright-test-XXXXXX", NULL);
  g_autofree char *path = write_large_pipeline (folder, "big.yml", 4000);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  PwWindow *window;
  PwTextDocument *document;
  GtkTextBuffer *buffer;
  char *at;

  g_assert_true (g_file_get_contents (path, &before, &length, NULL));
  g_assert_cmpuint (length, >=, 10 * 1000 * 1000);

  window = pw_test_open_window (path, 1400, 900);
  document = pw_window_get_document (window);
  buffer = GTK_TEXT_BUFFER (pw_text_document_get_buffer (document));
  g_assert_null (pw_text_document_get_error (document));
  g_assert_cmpuint (pw_canvas_get_n_cards (pw_window_get_canvas (window)), ==, N_STAGES * N_ACTIONS);
  g_assert_cmpint (gtk_text_buffer_get_char_count (buffer), ==, (int)length);

  /* Rename one action deep in the file and save: the rest comes back byte
   * for byte. */
  g_assert_true (pw_text_document_edit_set_string (document, "Rename", "stages[30].actions[7].name", "Package", &error));
  g_assert_no_error (error);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.save", NULL);
  g_assert_true (pw_test_wait_until (saved, window, 20000));
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));

  at = strstr (before, "name: Build30_07\n");
  g_assert_nonnull (at);
  expected = g_strdup_printf ("%.*sname: Package\n%s", (int)(at - before), before, at + strlen ("name: Build30_07\n"));
  g_assert_true (g_str_equal (after, expected));

  pw_test_close_window (window);
  pw_test_remove_tmp (folder);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/app/files/limits", test_limits);
  g_test_add_func ("/app/files/ten-megabytes", test_ten_megabytes);

  return g_test_run ();
}
