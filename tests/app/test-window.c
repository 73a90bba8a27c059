/* test-window.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "pw-action-card.h"
#include "pw-stage-header.h"
#include "pw-test-utils.h"

/* The window as a user meets it: open a file, look at the canvas, select,
 * type in the code view, open a broken file and fix it, start from a
 * template. Assertions are on what is shown: cards, titles, selections,
 * text. */

static PwWindow *
open_example (void)
{
  g_autofree char *path = pw_test_data_path ("examples", "hello", "pipeline.yml", NULL);

  return pw_test_open_window (path, 1400, 900);
}

static const char *
card_title (PwWindow *window,
            guint     stage,
            guint     action)
{
  GtkWidget *card = pw_canvas_get_action_card (pw_window_get_canvas (window), stage, action);

  g_assert_nonnull (card);
  return pw_action_card_get_title (PW_ACTION_CARD (card));
}

static void
test_open_example (void)
{
  PwWindow *window = open_example ();
  PwCanvas *canvas = pw_window_get_canvas (window);

  g_assert_cmpuint (pw_canvas_get_n_cards (canvas), ==, 6);
  g_assert_cmpstr (card_title (window, 0, 0), ==, "Checkout");
  g_assert_cmpstr (card_title (window, 1, 1), ==, "UnitTests");
  g_assert_cmpstr (card_title (window, 2, 2), ==, "Stack");
  g_assert_cmpstr (pw_stage_header_get_title (PW_STAGE_HEADER (pw_canvas_get_stage_header (canvas, 2))), ==,
                   "Release");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "pipeline.yml");

  /* Checkout's output feeds both builds: its pin is connected, and the
   * Approve action (no artifacts) has no pins at all. */
  {
    PwActionCard *checkout = PW_ACTION_CARD (pw_canvas_get_action_card (canvas, 0, 0));
    PwActionCard *approve = PW_ACTION_CARD (pw_canvas_get_action_card (canvas, 2, 0));

    g_assert_cmpuint (pw_action_card_get_n_outputs (checkout), ==, 1);
    g_assert_cmpstr (pw_pin_get_artifact (pw_action_card_get_output_pin (checkout, 0)), ==, "Src");
    g_assert_cmpint (pw_pin_get_state (pw_action_card_get_output_pin (checkout, 0)), ==, PW_PIN_CONNECTED);
    g_assert_cmpuint (pw_action_card_get_n_inputs (approve) + pw_action_card_get_n_outputs (approve), ==, 0);
  }

  pw_test_close_window (window);
}

static void
test_selection_reaches_inspector (void)
{
  PwWindow *window = open_example ();
  GtkWidget *row;

  pw_canvas_set_selection (pw_window_get_canvas (window), "stages[2].actions[1].configuration.Extract");
  g_assert_cmpstr (pw_canvas_get_selection (pw_window_get_canvas (window)), ==, "stages[2].actions[1]");
  g_assert_cmpstr (pw_inspector_get_selection (pw_window_get_inspector (window)), ==, "stages[2].actions[1]");

  row = pw_inspector_find_row (pw_window_get_inspector (window), "stages[2].actions[1].name");
  g_assert_nonnull (row);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "Publish");
  row = pw_inspector_find_row (pw_window_get_inspector (window), "stages[2].actions[1].configuration.BucketName");
  g_assert_nonnull (row);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "hello-site-bucket");

  /* A selected card is marked selected, the others are not. */
  g_assert_true (gtk_widget_get_state_flags (pw_canvas_get_action_card (pw_window_get_canvas (window), 2, 1)) &
                 GTK_STATE_FLAG_SELECTED);
  g_assert_false (gtk_widget_get_state_flags (pw_canvas_get_action_card (pw_window_get_canvas (window), 2, 0)) &
                  GTK_STATE_FLAG_SELECTED);

  /* An artifact: its flow is highlighted and the inspector shows it. */
  pw_canvas_set_selection (pw_window_get_canvas (window), "artifact:Src");
  g_assert_cmpstr (pw_canvas_get_highlighted_artifact (pw_window_get_canvas (window)), ==, "Src");
  g_assert_nonnull (pw_inspector_find_row (pw_window_get_inspector (window), "artifact.name"));
  /* Readers and the producer stay visible, the rest fades. */
  g_assert_cmpfloat (gtk_widget_get_opacity (pw_canvas_get_action_card (pw_window_get_canvas (window), 1, 0)), ==, 1.0);
  g_assert_cmpfloat (gtk_widget_get_opacity (pw_canvas_get_action_card (pw_window_get_canvas (window), 2, 0)), <, 1.0);

  pw_test_close_window (window);
}

static gboolean
card_title_is (gpointer data)
{
  PwWindow *window = data;
  GtkWidget *card = pw_canvas_get_action_card (pw_window_get_canvas (window), 0, 0);
  const char *expected = g_object_get_data (G_OBJECT (window), "expected");

  return card != NULL && g_strcmp0 (pw_action_card_get_title (PW_ACTION_CARD (card)), expected) == 0;
}

static void
replace_in_buffer (GtkTextBuffer *buffer,
                   const char    *old,
                   const char    *replacement)
{
  GtkTextIter start, match_start, match_end;

  gtk_text_buffer_get_start_iter (buffer, &start);
  g_assert_true (gtk_text_iter_forward_search (&start, old, 0, &match_start, &match_end, NULL));
  gtk_text_buffer_begin_user_action (buffer);
  gtk_text_buffer_delete (buffer, &match_start, &match_end);
  gtk_text_buffer_insert (buffer, &match_start, replacement, -1);
  gtk_text_buffer_end_user_action (buffer);
}

static void
test_typing_updates_canvas (void)
{
  PwWindow *window = open_example ();
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (pw_text_document_get_buffer (pw_window_get_document (window)));

  replace_in_buffer (buffer, "name: Checkout", "name: Fetch");
  g_object_set_data (G_OBJECT (window), "expected", (gpointer)"Fetch");
  g_assert_true (pw_test_wait_until (card_title_is, window, 5000));
  g_assert_true (pw_text_document_get_modified (pw_window_get_document (window)));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "• pipeline.yml");

  /* Undo (the window's, the one history) brings the name back. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL);
  g_object_set_data (G_OBJECT (window), "expected", (gpointer)"Checkout");
  g_assert_true (pw_test_wait_until (card_title_is, window, 5000));
  g_assert_false (pw_text_document_get_modified (pw_window_get_document (window)));

  pw_test_close_window (window);
}

static gboolean
has_cards (gpointer data)
{
  return pw_canvas_get_n_cards (pw_window_get_canvas (data)) > 0;
}

static void
test_malformed_file (void)
{
  g_autofree char *folder = g_dir_make_tmp ("pipewright-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (folder, "broken.yml", NULL);
  const char *text = "pipeline:\n  name: broken\n  stages: [\n";
  PwWindow *window;
  PwTextDocument *document;
  GtkTextBuffer *buffer;
  guint line = 0, column = 0;
  g_autofree char *after = NULL;

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  window = pw_test_open_window (path, 1200, 800);
  document = pw_window_get_document (window);

  /* It opens: nothing lost, the error where the reader stopped, the code
   * view shown at that line, and no canvas to pretend otherwise. */
  g_assert_nonnull (pw_text_document_get_error (document));
  g_assert_true (pw_text_document_get_error_location (document, &line, &column));
  g_assert_cmpuint (line, ==, 4);
  g_assert_cmpuint (pw_canvas_get_n_cards (pw_window_get_canvas (window)), ==, 0);
  g_assert_true (gtk_widget_get_visible (window->panel_box));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (window->panel_stack), ==, "code");
  g_assert_true (gtk_revealer_get_reveal_child (window->stale_revealer));
  after = pw_test_buffer_text (window);
  g_assert_cmpstr (after, ==, text);

  /* Fixed in the code view, the canvas appears. */
  buffer = GTK_TEXT_BUFFER (pw_text_document_get_buffer (document));
  replace_in_buffer (buffer, "stages: [\n",
                     "roleArn: arn:aws:iam::111122223333:role/p\n"
                     "  artifactStore: {type: S3, location: bucket}\n"
                     "  stages:\n"
                     "    - name: Source\n"
                     "      actions:\n"
                     "        - name: Checkout\n"
                     "          actionTypeId: {category: Source, owner: AWS, provider: CodeCommit, version: \"1\"}\n"
                     "          configuration: {RepositoryName: r, BranchName: main}\n"
                     "          outputArtifacts: [{name: Src}]\n");
  g_assert_true (pw_test_wait_until (has_cards, window, 5000));
  g_assert_null (pw_text_document_get_error (document));
  g_assert_false (gtk_revealer_get_reveal_child (window->stale_revealer));

  pw_test_close_window (window);
  pw_test_remove_tmp (folder);
}

static void
test_start_page_template (void)
{
  PwWindow *window = pw_window_new (pw_test_application ());
  PwTextDocument *document;

  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  g_assert_true (pw_window_is_empty (window));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->main_stack), ==, "start");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-from-template", "s", "build-test-approve-deploy");
  document = pw_window_get_document (window);
  g_assert_nonnull (document);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->main_stack), ==, "editor");
  g_assert_nonnull (pw_text_document_get_pipeline (document));
  /* Each template validates clean, and is a new, unsaved document. */
  g_assert_cmpuint (g_list_model_get_n_items (pw_text_document_get_diagnostics (document)), ==, 0);
  g_assert_null (pw_text_document_get_file (document));
  g_assert_true (pw_text_document_get_modified (document));
  g_assert_cmpuint (pw_canvas_get_n_cards (pw_window_get_canvas (window)), >, 3);

  pw_test_close_window (window);
}

typedef struct {
  PwWindow *window;
  int       n_cards;  /* on the first frame; -1 before it */
} FirstFrame;

static void
first_frame_cb (GdkFrameClock *clock,
                FirstFrame    *first)
{
  if (first->n_cards < 0)
    first->n_cards = (int)pw_canvas_get_n_shown_cards (pw_window_get_canvas (first->window));
}

static void
realize_cb (GtkWidget  *window,
            FirstFrame *first)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (first_frame_cb), first);
}

static gboolean
first_frame_drawn (gpointer data)
{
  return ((FirstFrame *)data)->n_cards >= 0;
}

/* Opening a file (from the command line, the file manager, Open…): the
 * window appears with the pipeline on it, not empty first. */
static void
test_shown_when_read (void)
{
  g_autofree char *path = pw_test_data_path ("examples", "hello", "pipeline.yml", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  PwApplication *app = pw_test_application ();
  GtkWindow *window;
  FirstFrame first = { NULL, -1 };

  pw_application_open_file (app, file, NULL);
  window = gtk_application_get_windows (GTK_APPLICATION (app))->data;
  g_assert_true (PW_IS_WINDOW (window));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window)));
  first.window = PW_WINDOW (window);
  g_signal_connect (window, "realize", G_CALLBACK (realize_cb), &first);

  /* Its first frame has the six actions' cards. */
  g_assert_true (pw_test_wait_until (first_frame_drawn, &first, 10000));
  g_assert_cmpint (first.n_cards, ==, 6);
  g_signal_handlers_disconnect_by_func (gtk_widget_get_frame_clock (GTK_WIDGET (window)), first_frame_cb, &first);

  /* Opening it again presents the same window. */
  pw_application_open_file (app, file, NULL);
  g_assert_true (gtk_application_get_windows (GTK_APPLICATION (app))->data == window);
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==, 1);
  pw_test_close_window (PW_WINDOW (window));
}

/* Whether @node draws a repeated pattern (the grid) anywhere inside. */
static gboolean
has_repeat (GskRenderNode *node)
{
  switch (gsk_render_node_get_node_type (node))
    {
    case GSK_REPEAT_NODE:
      return TRUE;
    case GSK_CONTAINER_NODE:
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        if (has_repeat (gsk_container_node_get_child (node, i)))
          return TRUE;
      return FALSE;
    case GSK_TRANSFORM_NODE:
      return has_repeat (gsk_transform_node_get_child (node));
    case GSK_CLIP_NODE:
      return has_repeat (gsk_clip_node_get_child (node));
    case GSK_OPACITY_NODE:
      return has_repeat (gsk_opacity_node_get_child (node));
    default:
      return FALSE;
    }
}

static gboolean
canvas_draws_grid (PwCanvas *canvas)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (canvas));
  g_autoptr(GdkPaintable) image = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  GtkSnapshot *snapshot = gtk_snapshot_new ();

  gtk_widget_queue_draw (GTK_WIDGET (canvas));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (canvas));
  pw_test_flush ();
  image = gdk_paintable_get_current_image (paintable);
  gdk_paintable_snapshot (image, snapshot, gtk_widget_get_width (GTK_WIDGET (canvas)),
                          gtk_widget_get_height (GTK_WIDGET (canvas)));
  node = gtk_snapshot_free_to_node (snapshot);
  return node != NULL && has_repeat (node);
}

/* The "Canvas Grid" preference: on by default, off at once when turned
 * off, in every window. */
static void
test_grid_preference (void)
{
  PwWindow *window = open_example ();
  PwCanvas *canvas = pw_window_get_canvas (window);
  g_autoptr(GSettings) settings = g_settings_new ("io.github.pipewright.Pipewright");
  gboolean shown;

  g_object_get (canvas, "show-grid", &shown, NULL);
  g_assert_true (shown);
  g_assert_true (canvas_draws_grid (canvas));

  g_settings_set_boolean (settings, "show-grid", FALSE);
  g_object_get (canvas, "show-grid", &shown, NULL);
  g_assert_false (shown);
  g_assert_false (canvas_draws_grid (canvas));

  g_settings_reset (settings, "show-grid");
  g_assert_true (canvas_draws_grid (canvas));
  pw_test_close_window (window);
}

static void
test_screenshots (void)
{
  PwWindow *window = open_example ();
  g_autofree char *dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "screenshots", NULL);
  g_autofree char *light = g_build_filename (dir, "window.png", NULL);
  g_autofree char *dark = g_build_filename (dir, "window-dark.png", NULL);
  g_autofree char *narrow = g_build_filename (dir, "window-narrow.png", NULL);
  AdwStyleManager *style = adw_style_manager_get_default ();
  GStatBuf st;

  g_mkdir_with_parents (dir, 0755);
  pw_canvas_set_selection (pw_window_get_canvas (window), "stages[1].actions[0]");
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  pw_test_save_png (GTK_WIDGET (window), light);
  g_assert_cmpint (g_stat (light, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 20000);

  /* 360 px wide: the flaps fold and the bottom bar keeps them reachable. */
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 740);
  g_assert_true (pw_test_wait_until ((PwTestCondition)adw_flap_get_folded, window->inspector_flap, 5000));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  pw_test_flush ();
  g_assert_true (gtk_action_bar_get_revealed (window->narrow_bar));
  pw_test_save_png (GTK_WIDGET (window), narrow);

  /* Dark, on a window of its own at the usual size. */
  pw_test_close_window (window);
  window = open_example ();
  pw_canvas_set_selection (pw_window_get_canvas (window), "stages[1].actions[0]");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  pw_test_flush ();
  pw_test_save_png (GTK_WIDGET (window), dark);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);


  pw_test_close_window (window);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/app/window/open-example", test_open_example);
  g_test_add_func ("/app/window/selection-reaches-inspector", test_selection_reaches_inspector);
  g_test_add_func ("/app/window/typing-updates-canvas", test_typing_updates_canvas);
  g_test_add_func ("/app/window/malformed-file", test_malformed_file);
  g_test_add_func ("/app/window/start-page-template", test_start_page_template);
  g_test_add_func ("/app/window/shown-when-read", test_shown_when_read);
  g_test_add_func ("/app/window/grid-preference", test_grid_preference);
  g_test_add_func ("/app/window/screenshots", test_screenshots);

  return g_test_run ();
}
