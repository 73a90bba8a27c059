/* test-canvas.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "pw-action-card.h"
#include "pw-app-util.h"
#include "pw-stage-header.h"
#include "pw-test-utils.h"

/*
 * Edits from the canvas and the inspector, through their actions (the
 * keyboard's way): what the model becomes, what the text becomes (only the
 * lines an edit touches change), what undo gives back (the same bytes),
 * and what is refused and why.
 */

typedef struct
{
  char     *folder;
  char     *path;
  char     *original;
  PwWindow *window;
  guint     failures;
  char     *last_failure;
} Fixture;

static void
edit_failed_cb (PwTextDocument *document,
                const char     *message,
                Fixture        *fixture)
{
  fixture->failures++;
  g_free (fixture->last_failure);
  fixture->last_failure = g_strdup (message);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *source = pw_test_data_path ("examples", "hello", "pipeline.yml", NULL);

  fixture->path = pw_test_copy_to_tmp (source, &fixture->folder);
  g_assert_true (g_file_get_contents (fixture->path, &fixture->original, NULL, NULL));
  fixture->window = pw_test_open_window (fixture->path, 1400, 900);
  g_signal_connect (pw_window_get_document (fixture->window), "edit-failed",
                    G_CALLBACK (edit_failed_cb), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  pw_test_close_window (fixture->window);
  pw_test_remove_tmp (fixture->folder);
  g_free (fixture->folder);
  g_free (fixture->path);
  g_free (fixture->original);
  g_free (fixture->last_failure);
}

static PwCanvas *
canvas_of (Fixture *fixture)
{
  return pw_window_get_canvas (fixture->window);
}

static PwPipeline *
pipeline_of (Fixture *fixture)
{
  return pw_text_document_get_pipeline (pw_window_get_document (fixture->window));
}

static const char *
action_name (Fixture *fixture,
             guint    stage,
             guint    action)
{
  PwStage *s = pw_pipeline_get_stage (pipeline_of (fixture), stage);

  g_assert_cmpuint (action, <, pw_stage_get_n_actions (s));
  return pw_action_get_name (pw_stage_get_action (s, action));
}

static void
canvas_action (Fixture    *fixture,
               const char *name)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (canvas_of (fixture)), name, NULL));
  pw_test_flush ();
}

/* The lines of @before that are not in @after, and the other way round,
 * compared as a diff would: what a reviewer of the change would see. */
static void
count_changed_lines (const char *before,
                     const char *after,
                     guint      *removed,
                     guint      *added)
{
  g_auto(GStrv) a = g_strsplit (before, "\n", -1);
  g_auto(GStrv) b = g_strsplit (after, "\n", -1);
  guint na = g_strv_length (a), nb = g_strv_length (b);
  g_autofree guint *lcs = g_new0 (guint, (na + 1) * (nb + 1));

  for (guint i = na; i-- > 0;)
    for (guint j = nb; j-- > 0;)
      lcs[i * (nb + 1) + j] = g_str_equal (a[i], b[j])
                            ? lcs[(i + 1) * (nb + 1) + j + 1] + 1
                            : MAX (lcs[(i + 1) * (nb + 1) + j], lcs[i * (nb + 1) + j + 1]);

  *removed = na - lcs[0];
  *added = nb - lcs[0];
}

static void
assert_undo_restores (Fixture *fixture)
{
  g_autofree char *text = NULL;

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.undo", NULL);
  pw_test_flush ();
  text = pw_test_buffer_text (fixture->window);
  g_assert_cmpstr (text, ==, fixture->original);
  g_assert_false (pw_text_document_get_modified (pw_window_get_document (fixture->window)));
}

static void
test_move_action_across_stages (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autofree char *text = NULL;
  PwHistory *history = pw_text_document_get_history (pw_window_get_document (fixture->window));
  guint removed, added;

  /* UnitTests, in Build, moves right: into the first group of Release. */
  pw_canvas_set_selection (canvas_of (fixture), "stages[1].actions[1]");
  canvas_action (fixture, "canvas.move-right");

  g_assert_cmpuint (fixture->failures, ==, 0);
  g_assert_cmpuint (pw_stage_get_n_actions (pw_pipeline_get_stage (pipeline_of (fixture), 1)), ==, 1);
  g_assert_cmpuint (pw_stage_get_n_actions (pw_pipeline_get_stage (pipeline_of (fixture), 2)), ==, 4);
  g_assert_cmpstr (pw_history_get_undo_label (history), ==, "Move action UnitTests to stage Release");
  /* The selection follows the action to its new place. */
  {
    PwElementRef ref;
    const char *selection = pw_canvas_get_selection (canvas_of (fixture));

    g_assert_true (pw_path_parse_element (selection, &ref));
    g_assert_cmpint (ref.stage, ==, 2);
    g_assert_cmpstr (action_name (fixture, 2, ref.action), ==, "UnitTests");
    g_assert_cmpint (pw_action_get_run_order (pw_stage_get_action (pw_pipeline_get_stage (pipeline_of (fixture), 2),
                                                                   ref.action)), ==, 1);
  }

  /* Its four lines left one place and arrived in another; nothing else. */
  text = pw_test_buffer_text (fixture->window);
  count_changed_lines (fixture->original, text, &removed, &added);
  g_assert_cmpuint (removed, ==, 4);
  g_assert_cmpuint (added, <=, 5);

  assert_undo_restores (fixture);
}

static void
test_new_group (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *text = NULL;
  guint removed, added;
  GtkWidget *site, *tests;
  graphene_rect_t a, b;

  /* Site and UnitTests run in parallel; Site moves into a group after. */
  pw_canvas_set_selection (canvas_of (fixture), "stages[1].actions[0]");
  canvas_action (fixture, "canvas.new-group-after");
  g_assert_cmpuint (fixture->failures, ==, 0);

  text = pw_test_buffer_text (fixture->window);
  count_changed_lines (fixture->original, text, &removed, &added);
  /* One line: its runOrder (the action may also move in the list). */
  g_assert_cmpuint (added, >=, 1);
  g_assert_cmpuint (added - removed, ==, 1);

  /* On the canvas Site is now to the right of UnitTests. */
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));
  {
    PwStage *build = pw_pipeline_get_stage (pipeline_of (fixture), 1);
    guint site_index = g_str_equal (action_name (fixture, 1, 0), "Site") ? 0 : 1;

    g_assert_cmpint (pw_action_get_run_order (pw_stage_get_action (build, site_index)), ==, 2);
    site = pw_canvas_get_action_card (canvas_of (fixture), 1, site_index);
    tests = pw_canvas_get_action_card (canvas_of (fixture), 1, 1 - site_index);
  }
  g_assert_true (gtk_widget_compute_bounds (site, GTK_WIDGET (canvas_of (fixture)), &a));
  g_assert_true (gtk_widget_compute_bounds (tests, GTK_WIDGET (canvas_of (fixture)), &b));
  g_assert_cmpfloat (a.origin.x, >, b.origin.x + b.size.width);

  assert_undo_restores (fixture);
}

static void
test_move_stage (Fixture       *fixture,
                 gconstpointer  data)
{
  PwPipeline *pipeline;

  pw_canvas_set_selection (canvas_of (fixture), "stages[2]");
  canvas_action (fixture, "canvas.move-left");
  g_assert_cmpuint (fixture->failures, ==, 0);

  pipeline = pipeline_of (fixture);
  g_assert_cmpstr (pw_stage_get_name (pw_pipeline_get_stage (pipeline, 0)), ==, "Source");
  g_assert_cmpstr (pw_stage_get_name (pw_pipeline_get_stage (pipeline, 1)), ==, "Release");
  g_assert_cmpstr (pw_stage_get_name (pw_pipeline_get_stage (pipeline, 2)), ==, "Build");
  g_assert_cmpstr (pw_canvas_get_selection (canvas_of (fixture)), ==, "stages[1]");
  g_assert_cmpstr (pw_stage_header_get_title (PW_STAGE_HEADER (pw_canvas_get_stage_header (canvas_of (fixture), 1))),
                   ==, "Release");

  /* The source stage stays first: moving Release before it is refused. */
  canvas_action (fixture, "canvas.move-left");
  g_assert_cmpuint (fixture->failures, ==, 1);
  g_assert_cmpstr (fixture->last_failure, ==, "The stage with the source actions must stay first");
  g_assert_cmpstr (pw_stage_get_name (pw_pipeline_get_stage (pipeline_of (fixture), 1)), ==, "Release");

  assert_undo_restores (fixture);
}

static void
test_refused_source_move (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *text = NULL;

  /* A source action out of the first stage: the service would reject it. */
  pw_canvas_set_selection (canvas_of (fixture), "stages[0].actions[0]");
  canvas_action (fixture, "canvas.move-right");
  g_assert_cmpuint (fixture->failures, ==, 1);
  g_assert_cmpstr (fixture->last_failure, ==, "Source actions can only be in the first stage");

  text = pw_test_buffer_text (fixture->window);
  g_assert_cmpstr (text, ==, fixture->original);
  g_assert_false (pw_history_get_can_undo (pw_text_document_get_history (pw_window_get_document (fixture->window))));
}

static void
test_duplicate_and_delete (Fixture       *fixture,
                           gconstpointer  data)
{
  PwStage *build;
  PwAction *copy;
  g_auto(GStrv) outputs = NULL;
  g_autofree char *text = NULL;

  pw_canvas_set_selection (canvas_of (fixture), "stages[1].actions[0]");
  canvas_action (fixture, "canvas.duplicate");
  build = pw_pipeline_get_stage (pipeline_of (fixture), 1);
  g_assert_cmpuint (pw_stage_get_n_actions (build), ==, 3);
  copy = pw_stage_get_action (build, 1);
  g_assert_cmpstr (pw_action_get_name (copy), ==, "Site2");
  /* Its outputs are renamed: an artifact has one producer. */
  outputs = pw_action_dup_output_artifacts (copy);
  g_assert_cmpstr (outputs[0], ==, "Site2");
  g_assert_cmpstr (outputs[1], ==, "Infra2");
  g_assert_cmpstr (pw_canvas_get_selection (canvas_of (fixture)), ==, "stages[1].actions[1]");
  g_assert_cmpuint (pw_canvas_get_n_cards (canvas_of (fixture)), ==, 7);

  canvas_action (fixture, "canvas.delete");
  g_assert_cmpuint (pw_stage_get_n_actions (pw_pipeline_get_stage (pipeline_of (fixture), 1)), ==, 2);
  text = pw_test_buffer_text (fixture->window);
  g_assert_cmpstr (text, ==, fixture->original);
}

static void
test_add_provider (Fixture       *fixture,
                   gconstpointer  data)
{
  const PwProviderInfo *codebuild = pw_providers_lookup ("Build", "AWS", "CodeBuild");
  PwStage *build;
  PwAction *added;
  g_auto(GStrv) inputs = NULL;

  g_assert_nonnull (codebuild);
  pw_canvas_set_selection (canvas_of (fixture), "stages[1]");
  /* The palette's keyboard path: Enter on a provider. */
  g_signal_emit_by_name (pw_window_get_palette (fixture->window), "provider-activated", codebuild);
  pw_test_flush ();
  g_assert_cmpuint (fixture->failures, ==, 0);

  build = pw_pipeline_get_stage (pipeline_of (fixture), 1);
  g_assert_cmpuint (pw_stage_get_n_actions (build), ==, 3);
  added = pw_stage_get_action (build, 2);
  g_assert_cmpstr (pw_action_get_name (added), ==, "CodeBuild");
  g_assert_cmpstr (pw_action_get_provider (added), ==, "CodeBuild");
  /* A new group after the stage's last one... */
  g_assert_cmpint (pw_action_get_run_order (added), ==, 2);
  /* ...reading the artifact produced just before it. */
  inputs = pw_action_dup_input_artifacts (added);
  g_assert_nonnull (inputs);
  g_assert_cmpstr (inputs[0], ==, "Site");

  /* A source provider goes to the first stage whatever is selected. */
  g_signal_emit_by_name (pw_window_get_palette (fixture->window), "provider-activated",
                         pw_providers_lookup ("Source", "AWS", "S3"));
  pw_test_flush ();
  g_assert_cmpuint (pw_stage_get_n_actions (pw_pipeline_get_stage (pipeline_of (fixture), 0)), ==, 2);

  /* Two steps: two undos. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.undo", NULL);
  assert_undo_restores (fixture);
}

static void
test_inspector_edit (Fixture       *fixture,
                     gconstpointer  data)
{
  PwInspector *inspector = pw_window_get_inspector (fixture->window);
  PwHistory *history = pw_text_document_get_history (pw_window_get_document (fixture->window));
  g_autofree char *text = NULL;
  guint removed, added;

  pw_canvas_set_selection (canvas_of (fixture), "stages[2].actions[1]");
  g_assert_true (pw_inspector_commit_row (inspector, "stages[2].actions[1].configuration.BucketName", "www-bucket"));
  pw_test_flush ();

  g_assert_cmpstr (pw_action_get_configuration_string (pw_stage_get_action (pw_pipeline_get_stage (pipeline_of (fixture), 2), 1),
                                                       "BucketName"), ==, "www-bucket");
  g_assert_cmpstr (pw_history_get_undo_label (history), ==, "Change BucketName");
  text = pw_test_buffer_text (fixture->window);
  count_changed_lines (fixture->original, text, &removed, &added);
  g_assert_cmpuint (removed, ==, 1);
  g_assert_cmpuint (added, ==, 1);
  /* The row shows the new value after the page is built again. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (pw_inspector_find_row (inspector,
                                          "stages[2].actions[1].configuration.BucketName"))), ==, "www-bucket");

  /* An integer field takes only numbers. */
  g_assert_true (pw_inspector_commit_row (inspector, "stages[2].actions[1].runOrder", "soon"));
  g_assert_cmpuint (fixture->failures, ==, 1);
  g_assert_true (pw_inspector_commit_row (inspector, "stages[2].actions[1].runOrder", "3"));
  g_assert_cmpint (pw_action_get_run_order (pw_stage_get_action (pw_pipeline_get_stage (pipeline_of (fixture), 2), 1)),
                   ==, 3);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.undo", NULL);
  assert_undo_restores (fixture);
}

static void
test_rename_artifact (Fixture       *fixture,
                      gconstpointer  data)
{
  PwInspector *inspector = pw_window_get_inspector (fixture->window);
  g_autofree char *text = NULL;
  g_auto(GStrv) outputs = NULL;
  g_auto(GStrv) inputs = NULL;
  guint removed, added;

  /* Renaming an artifact renames its producer's output and every reader. */
  pw_canvas_set_selection (canvas_of (fixture), "artifact:Src");
  g_assert_true (pw_inspector_commit_row (inspector, "artifact.name", "Sources"));
  pw_test_flush ();

  outputs = pw_action_dup_output_artifacts (pw_stage_get_action (pw_pipeline_get_stage (pipeline_of (fixture), 0), 0));
  inputs = pw_action_dup_input_artifacts (pw_stage_get_action (pw_pipeline_get_stage (pipeline_of (fixture), 1), 1));
  g_assert_cmpstr (outputs[0], ==, "Sources");
  g_assert_cmpstr (inputs[0], ==, "Sources");
  g_assert_cmpstr (pw_canvas_get_selection (canvas_of (fixture)), ==, "artifact:Sources");
  g_assert_cmpuint (g_list_model_get_n_items (pw_text_document_get_diagnostics (pw_window_get_document (fixture->window))),
                    ==, 0);

  text = pw_test_buffer_text (fixture->window);
  count_changed_lines (fixture->original, text, &removed, &added);
  g_assert_cmpuint (removed, ==, 3);
  g_assert_cmpuint (added, ==, 3);

  assert_undo_restores (fixture);
}

static gboolean
unit_tests_selected (gpointer data)
{
  return g_strcmp0 (pw_canvas_get_selection (pw_window_get_canvas (data)), "stages[1].actions[1]") == 0;
}

static gboolean
saved (gpointer data)
{
  return !pw_text_document_get_modified (pw_window_get_document (data));
}

static void
test_selection_sync_with_code (Fixture       *fixture,
                               gconstpointer  data)
{
  PwCodeView *code = pw_window_get_code_view (fixture->window);
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (pw_text_document_get_buffer (pw_window_get_document (fixture->window)));
  GtkTextIter start, end, match;
  g_autofree char *selected = NULL;

  /* Canvas → text: the action's text is selected. */
  pw_canvas_set_selection (canvas_of (fixture), "stages[2].actions[1]");
  g_assert_true (gtk_text_buffer_get_selection_bounds (buffer, &start, &end));
  selected = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_assert_true (g_str_has_prefix (selected, "name: Publish") || g_str_has_prefix (selected, "- name: Publish"));
  g_assert_nonnull (strstr (selected, "BucketName: hello-site-bucket"));
  g_assert_null (strstr (selected, "name: Stack"));

  /* Text → canvas: the cursor in UnitTests' configuration selects it. */
  gtk_widget_grab_focus (GTK_WIDGET (pw_code_view_get_view (code)));
  gtk_text_buffer_get_start_iter (buffer, &start);
  g_assert_true (gtk_text_iter_forward_search (&start, "hello-tests", 0, &match, NULL, NULL));
  gtk_text_buffer_place_cursor (buffer, &match);
  g_assert_true (pw_test_wait_until (unit_tests_selected, fixture->window, 5000));
}

static void
test_save_keeps_the_file (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *on_disk = NULL;
  g_autofree char *text = NULL;
  guint removed, added;

  pw_canvas_set_selection (canvas_of (fixture), "stages[1].actions[0]");
  g_assert_true (pw_inspector_commit_row (pw_window_get_inspector (fixture->window), "stages[1].actions[0].name",
                                          "Website"));
  pw_test_flush ();
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.save", NULL);
  g_assert_true (pw_test_wait_until (saved, fixture->window, 5000));

  g_assert_true (g_file_get_contents (fixture->path, &on_disk, NULL, NULL));
  text = pw_test_buffer_text (fixture->window);
  g_assert_cmpstr (on_disk, ==, text);
  /* One action's name changed: one line of the file, comments and all
   * else as they were. */
  count_changed_lines (fixture->original, on_disk, &removed, &added);
  g_assert_cmpuint (removed, ==, 1);
  g_assert_cmpuint (added, ==, 1);
  g_assert_true (g_str_has_prefix (on_disk, "# The pipeline build-aux/run runs locally"));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (fixture->window)), ==, "pipeline.yml");
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/app/canvas/move-action-across-stages", test_move_action_across_stages);
  ADD ("/app/canvas/new-group", test_new_group);
  ADD ("/app/canvas/move-stage", test_move_stage);
  ADD ("/app/canvas/refused-source-move", test_refused_source_move);
  ADD ("/app/canvas/duplicate-and-delete", test_duplicate_and_delete);
  ADD ("/app/canvas/add-provider", test_add_provider);
  ADD ("/app/inspector/edit", test_inspector_edit);
  ADD ("/app/inspector/rename-artifact", test_rename_artifact);
  ADD ("/app/code/selection-sync", test_selection_sync_with_code);
  ADD ("/app/document/save-keeps-the-file", test_save_keeps_the_file);

  return g_test_run ();
}
