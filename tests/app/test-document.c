/* test-document.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pw-action-card.h"
#include "pw-export-dialog.h"
#include "pw-stage-header.h"
#include "pw-test-utils.h"

/*
 * A document's life in the window, as a user lives it: templates edited in
 * place, a template with several pipelines, stages an intrinsic decides,
 * closing with unsaved work, the file changing on disk, export and import,
 * one window per file, quick fixes, what a screen reader is told, and a
 * phone-sized window. Assertions are on what is shown: the text, the
 * cards, the dialogs and their answers, the bytes on disk.
 */

/* Helpers ------------------------------------------------------------------- */

typedef gboolean (*WidgetMatch) (GtkWidget     *widget,
                                 gconstpointer  data);

static GtkWidget *
find_widget (GtkWidget     *root,
             WidgetMatch    match,
             gconstpointer  data)
{
  if (match (root, data))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, match, data);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
is_button_labelled (GtkWidget     *widget,
                    gconstpointer  label)
{
  return GTK_IS_BUTTON (widget) &&
         g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

static gboolean
is_label_with_text (GtkWidget     *widget,
                    gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

static gboolean
is_text_view (GtkWidget     *widget,
              gconstpointer  data)
{
  return GTK_IS_TEXT_VIEW (widget);
}

static gboolean
is_combo_row (GtkWidget     *widget,
              gconstpointer  data)
{
  return ADW_IS_COMBO_ROW (widget);
}

/* The visible toplevel of @type that is transient for @parent. */
static GtkWindow *
find_toplevel (GtkWindow *parent,
               GType      type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      /* The list holds its own reference: the pointer outlives this one. */
      if (G_TYPE_CHECK_INSTANCE_TYPE (toplevel, type) &&
          gtk_window_get_transient_for (toplevel) == parent &&
          gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return toplevel;
    }

  return NULL;
}

static AdwMessageDialog *
find_message_dialog (PwWindow *window)
{
  return (AdwMessageDialog *)find_toplevel (GTK_WINDOW (window), ADW_TYPE_MESSAGE_DIALOG);
}

static gboolean
message_dialog_shown (gpointer data)
{
  return find_message_dialog (data) != NULL;
}

/* What a click does when the pointer is released over @button. (Keyboard
 * activation, gtk_widget_activate(), clicks after a short animation.) */
static void
click (GtkWidget *button)
{
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_visible (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
  pw_test_flush ();
}

/* Answers @dialog as a user does, with the button of @response: the dialog
 * closes and then says which answer it got. */
static void
click_response (AdwMessageDialog *dialog,
                const char       *response)
{
  const char *label = adw_message_dialog_get_response_label (dialog, response);

  click (find_widget (GTK_WIDGET (dialog), is_button_labelled, label));
}

static GtkTextBuffer *
buffer_of (PwWindow *window)
{
  return GTK_TEXT_BUFFER (pw_text_document_get_buffer (pw_window_get_document (window)));
}

/* Typing at the start of the text, as one user action. */
static void
type_at_start (PwWindow   *window,
               const char *text)
{
  GtkTextBuffer *buffer = buffer_of (window);
  GtkTextIter start;

  gtk_text_buffer_get_start_iter (buffer, &start);
  gtk_text_buffer_begin_user_action (buffer);
  gtk_text_buffer_insert (buffer, &start, text, -1);
  gtk_text_buffer_end_user_action (buffer);
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

/* @text with its only @old replaced by @replacement. */
static char *
replace_once (const char *text,
              const char *old,
              const char *replacement)
{
  const char *at = strstr (text, old);

  g_assert_nonnull (at);
  g_assert_null (strstr (at + 1, old));
  return g_strdup_printf ("%.*s%s%s", (int)(at - text), text, replacement, at + strlen (old));
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  return contents;
}

static char *
write_tmp (const char  *name,
           const char  *contents,
           char       **folder)
{
  g_autoptr(GError) error = NULL;
  char *path;

  *folder = g_dir_make_tmp ("pipewright-test-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (*folder, name, NULL);
  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);
  return path;
}

static PwPipeline *
pipeline_of (PwWindow *window)
{
  return pw_text_document_get_pipeline (pw_window_get_document (window));
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

static const char *
stage_title (PwWindow *window,
             guint     stage)
{
  GtkWidget *header = pw_canvas_get_stage_header (pw_window_get_canvas (window), stage);

  g_assert_nonnull (header);
  return pw_stage_header_get_title (PW_STAGE_HEADER (header));
}

/* A rename through the inspector, as typed in its Name row. */
static void
rename_action (PwWindow   *window,
               const char *action,
               const char *name)
{
  g_autofree char *row = g_strdup_printf ("%s.name", action);

  pw_canvas_set_selection (pw_window_get_canvas (window), action);
  g_assert_true (pw_inspector_commit_row (pw_window_get_inspector (window), row, name));
  pw_test_flush ();
}

static GList *
app_windows (void)
{
  return gtk_application_get_windows (GTK_APPLICATION (pw_test_application ()));
}

static gboolean
saved (gpointer data)
{
  return !pw_text_document_get_modified (pw_window_get_document (data));
}

/* 1. A CloudFormation template edited in place ------------------------------ */

static void
test_template_edit (void)
{
  g_autofree char *source = pw_test_data_path ("tests", "data", "rules", "cfn-opaque.yml", NULL);
  g_autofree char *folder = NULL;
  g_autofree char *path = pw_test_copy_to_tmp (source, &folder);
  g_autofree char *original = read_file (path);
  g_autofree char *expected = replace_once (original, "- Name: Checkout\n", "- Name: Fetch\n");
  g_autofree char *on_disk = NULL;
  PwWindow *window = pw_test_open_window (path, 1400, 900);
  PwPipeline *pipeline;

  /* The template's pipeline, its conditional stage included. */
  pipeline = pipeline_of (window);
  g_assert_nonnull (pipeline);
  g_assert_cmpuint (pw_pipeline_get_n_stages (pipeline), ==, 3);
  g_assert_cmpstr (card_title (window, 0, 0), ==, "Checkout");

  rename_action (window, "stages[0].actions[0]", "Fetch");
  g_assert_cmpstr (card_title (window, 0, 0), ==, "Fetch");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "• cfn-opaque.yml");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.save", NULL);
  g_assert_true (pw_test_wait_until (saved, window, 5000));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "cfn-opaque.yml");

  /* One line changed; the other resources, the parameters, the conditions,
   * every !If, !Ref and !Equals and the comments are byte for byte. */
  on_disk = read_file (path);
  g_assert_cmpstr (on_disk, ==, expected);

  pw_test_close_window (window);
  pw_test_remove_tmp (folder);
}

/* 2. Several pipelines: which one? ------------------------------------------ */

static const char two_pipelines[] =
  "AWSTemplateFormatVersion: \"2010-09-09\"\n"
  "Description: a frontend and a backend\n"
  "Resources:\n"
  "  FrontendPipeline:\n"
  "    Type: AWS::CodePipeline::Pipeline\n"
  "    Properties:\n"
  "      Name: frontend\n"
  "      RoleArn: arn:aws:iam::111122223333:role/frontend\n"
  "      ArtifactStore: {Type: S3, Location: frontend-artifacts}\n"
  "      Stages:\n"
  "        - Name: Source\n"
  "          Actions:\n"
  "            - Name: Checkout\n"
  "              ActionTypeId: {Category: Source, Owner: AWS, Provider: CodeCommit,\n"
  "                             Version: \"1\"}\n"
  "              Configuration: {RepositoryName: frontend, BranchName: main,\n"
  "                              PollForSourceChanges: \"false\"}\n"
  "              OutputArtifacts: [{Name: Src}]\n"
  "        - Name: Build\n"
  "          Actions:\n"
  "            - Name: Bundle\n"
  "              ActionTypeId: {Category: Build, Owner: AWS, Provider: CodeBuild, Version: \"1\"}\n"
  "              Configuration: {ProjectName: frontend-build}\n"
  "              InputArtifacts: [{Name: Src}]\n"
  "  BackendPipeline:\n"
  "    Type: AWS::CodePipeline::Pipeline\n"
  "    Properties:\n"
  "      Name: backend\n"
  "      RoleArn: arn:aws:iam::111122223333:role/backend\n"
  "      ArtifactStore: {Type: S3, Location: backend-artifacts}\n"
  "      Stages:\n"
  "        - Name: Fetch\n"
  "          Actions:\n"
  "            - Name: Clone\n"
  "              ActionTypeId: {Category: Source, Owner: AWS, Provider: CodeCommit,\n"
  "                             Version: \"1\"}\n"
  "              Configuration: {RepositoryName: backend, BranchName: main,\n"
  "                              PollForSourceChanges: \"false\"}\n"
  "              OutputArtifacts: [{Name: Code}]\n"
  "        - Name: Compile\n"
  "          Actions:\n"
  "            - Name: Javac\n"
  "              ActionTypeId: {Category: Build, Owner: AWS, Provider: CodeBuild, Version: \"1\"}\n"
  "              Configuration: {ProjectName: backend-build}\n"
  "              InputArtifacts: [{Name: Code}]\n"
  "        - Name: Ship\n"
  "          Actions:\n"
  "            - Name: Deploy\n"
  "              ActionTypeId: {Category: Deploy, Owner: AWS, Provider: CodeDeploy,\n"
  "                             Version: \"1\"}\n"
  "              Configuration: {ApplicationName: backend, DeploymentGroupName: prod}\n"
  "              InputArtifacts: [{Name: Code}]\n";

static gboolean
has_pipeline (gpointer data)
{
  PwWindow *window = data;

  return pipeline_of (window) != NULL &&
         pw_text_document_is_current (pw_window_get_document (window));
}

/* A window on @path that is still asking which pipeline: not loaded in the
 * sense of pw_test_open_window(), which waits for a model. */
static PwWindow *
open_asking (const char *path)
{
  PwWindow *window = pw_window_new (pw_test_application ());
  g_autoptr(GFile) file = g_file_new_for_path (path);

  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  pw_window_load_file (window, file);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (pw_test_wait_until (message_dialog_shown, window, 20000));
  return window;
}

static void
test_pipeline_choice (void)
{
  g_autofree char *folder = NULL;
  g_autofree char *path = write_tmp ("stacks.yml", two_pipelines, &folder);
  PwWindow *window = open_asking (path);
  AdwMessageDialog *dialog = find_message_dialog (window);
  g_autofree char *edited = replace_once (two_pipelines, "- Name: Javac\n", "- Name: Gradle\n");
  g_autofree char *text = NULL;
  PwCanvas *canvas = pw_window_get_canvas (window);

  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Which Pipeline?");
  g_assert_true (g_str_has_prefix (adw_message_dialog_get_body (dialog),
                                   "“stacks.yml” defines several pipelines"));
  g_assert_true (adw_message_dialog_has_response (dialog, "FrontendPipeline"));
  g_assert_true (adw_message_dialog_has_response (dialog, "BackendPipeline"));
  /* Nothing is drawn before the answer. */
  g_assert_null (pipeline_of (window));
  g_assert_cmpuint (pw_canvas_get_n_cards (canvas), ==, 0);

  click_response (dialog, "BackendPipeline");
  g_assert_true (pw_test_wait_until (has_pipeline, window, 5000));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  g_assert_null (find_message_dialog (window));

  g_assert_cmpstr (pw_pipeline_get_name (pipeline_of (window)), ==, "backend");
  g_assert_cmpuint (pw_canvas_get_n_cards (canvas), ==, 3);
  g_assert_cmpstr (stage_title (window, 0), ==, "Fetch");
  g_assert_cmpstr (stage_title (window, 2), ==, "Ship");
  g_assert_cmpstr (card_title (window, 1, 0), ==, "Javac");
  g_assert_cmpstr (pw_text_document_get_logical_id (pw_window_get_document (window)), ==,
                   "BackendPipeline");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "stacks.yml");
  g_assert_true (g_str_has_suffix (adw_window_title_get_subtitle (window->window_title),
                                   "— BackendPipeline"));

  /* The whole template is the text, and an edit goes to the chosen
   * pipeline: the other one stays as it is. */
  text = pw_test_buffer_text (window);
  g_assert_cmpstr (text, ==, two_pipelines);
  rename_action (window, "stages[1].actions[0]", "Gradle");
  g_assert_cmpstr (card_title (window, 1, 0), ==, "Gradle");
  g_clear_pointer (&text, g_free);
  text = pw_test_buffer_text (window);
  g_assert_cmpstr (text, ==, edited);

  pw_test_close_window (window);

  /* Escape (the close response) takes the first one. */
  window = open_asking (path);
  dialog = find_message_dialog (window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "window.close", NULL));
  g_assert_true (pw_test_wait_until (has_pipeline, window, 5000));
  g_assert_null (find_message_dialog (window));
  g_assert_cmpstr (pw_pipeline_get_name (pipeline_of (window)), ==, "frontend");
  g_assert_cmpstr (card_title (window, 1, 0), ==, "Bundle");

  pw_test_close_window (window);
  pw_test_remove_tmp (folder);
}

/* 3. Stages an intrinsic decides -------------------------------------------- */

static const char stages_if[] =
  "AWSTemplateFormatVersion: \"2010-09-09\"\n"
  "Conditions:\n"
  "  Prod: !Equals [!Ref \"AWS::Region\", us-east-1]\n"
  "Resources:\n"
  "  Pipeline:\n"
  "    Type: AWS::CodePipeline::Pipeline\n"
  "    Properties:\n"
  "      Name: demo\n"
  "      RoleArn: arn:aws:iam::111122223333:role/demo\n"
  "      ArtifactStore: {Type: S3, Location: bucket}\n"
  "      Stages: !If\n"
  "        - Prod\n"
  "        - - Name: Source\n"
  "            Actions:\n"
  "              - Name: Checkout\n"
  "                ActionTypeId: {Category: Source, Owner: AWS, Provider: CodeCommit,\n"
  "                               Version: \"1\"}\n"
  "                Configuration: {RepositoryName: demo, BranchName: main}\n"
  "                OutputArtifacts: [{Name: Src}]\n"
  "        - - Name: Source\n"
  "            Actions:\n"
  "              - Name: Other\n"
  "                ActionTypeId: {Category: Source, Owner: AWS, Provider: CodeCommit,\n"
  "                               Version: \"1\"}\n"
  "                Configuration: {RepositoryName: demo, BranchName: dev}\n"
  "                OutputArtifacts: [{Name: Src}]\n";

static const char stages_ref[] =
  "AWSTemplateFormatVersion: \"2010-09-09\"\n"
  "Parameters:\n"
  "  StageList: {Type: CommaDelimitedList}\n"
  "Resources:\n"
  "  Pipeline:\n"
  "    Type: AWS::CodePipeline::Pipeline\n"
  "    Properties:\n"
  "      Name: demo\n"
  "      RoleArn: arn:aws:iam::111122223333:role/demo\n"
  "      ArtifactStore: {Type: S3, Location: bucket}\n"
  "      Stages: !Ref StageList\n";

static gboolean
is_row_titled (GtkWidget     *widget,
               gconstpointer  title)
{
  return ADW_IS_ACTION_ROW (widget) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

static gboolean
has_cards (gpointer data)
{
  return pw_canvas_get_n_cards (pw_window_get_canvas (data)) > 0;
}

static void
edit_failed_cb (PwTextDocument *document,
                const char     *message,
                GPtrArray      *failures)
{
  g_ptr_array_add (failures, g_strdup (message));
}

/* A template whose Stages are one intrinsic (@function at 11:15) opens:
 * nothing lost, an empty canvas that says why, the finding in the
 * Problems panel and in the code view, and Show going to it. */
static PwWindow *
open_intrinsic_stages (const char  *text,
                       const char  *function,
                       char       **folder)
{
  g_autofree char *path = write_tmp ("conditional.yml", text, folder);
  PwWindow *window = pw_test_open_window (path, 1400, 900);
  PwTextDocument *document = pw_window_get_document (window);
  GtkTextBuffer *buffer = buffer_of (window);
  g_autoptr(PwDiagnostic) finding = NULL;
  g_autofree char *after = NULL;
  g_autofree char *banner = NULL;
  g_autofree char *message = NULL;
  g_autofree char *mark_message = NULL;
  GtkWidget *row;
  GSList *marks;
  GtkTextIter cursor;
  g_autoptr(GPtrArray) failures = g_ptr_array_new_with_free_func (g_free);

  /* It reads: the text is all there, and the pipeline has no stages to
   * draw. */
  g_assert_null (pw_text_document_get_error (document));
  after = pw_test_buffer_text (window);
  g_assert_cmpstr (after, ==, text);
  g_assert_nonnull (pipeline_of (window));
  g_assert_cmpuint (pw_pipeline_get_n_stages (pipeline_of (window)), ==, 0);
  g_assert_cmpuint (pw_canvas_get_n_cards (pw_window_get_canvas (window)), ==, 0);

  /* Over the empty canvas: why it is empty, and where to look. */
  g_assert_true (gtk_revealer_get_reveal_child (window->stale_revealer));
  banner = g_strdup_printf ("An intrinsic function (%s) on line 11, column 15 decides the stages: "
                            "edit them in the code view", function);
  g_assert_cmpstr (gtk_label_get_text (window->stale_label), ==, banner);

  /* The finding, with its place. */
  message = g_strdup_printf ("value is a CloudFormation intrinsic (%s); it cannot be checked here",
                             function);
  g_assert_cmpuint (g_list_model_get_n_items (pw_text_document_get_diagnostics (document)), ==, 1);
  finding = g_list_model_get_item (pw_text_document_get_diagnostics (document), 0);
  g_assert_cmpstr (pw_diagnostic_get_code (finding), ==, "P35");
  g_assert_cmpstr (pw_diagnostic_get_message (finding), ==, message);
  g_assert_cmpuint (pw_diagnostic_get_line (finding), ==, 11);
  g_assert_cmpuint (pw_diagnostic_get_column (finding), ==, 15);
  row = find_widget (GTK_WIDGET (pw_window_get_problems (window)), is_row_titled, message);
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   "P35 · line 11 · stages");
  marks = gtk_source_buffer_get_source_marks_at_line (GTK_SOURCE_BUFFER (buffer), 10, "pw-note");
  g_assert_cmpuint (g_slist_length (marks), ==, 1);
  mark_message = g_strdup_printf ("P35: %s", message);
  g_assert_cmpstr (g_object_get_data (marks->data, "message"), ==, mark_message);
  g_slist_free (marks);

  /* The banner's Show: the code, at the intrinsic. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-error", NULL));
  g_assert_true (gtk_widget_get_visible (window->panel_box));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (window->panel_stack), ==, "code");
  gtk_text_buffer_get_iter_at_mark (buffer, &cursor, gtk_text_buffer_get_insert (buffer));
  g_assert_cmpint (gtk_text_iter_get_line (&cursor), ==, 10);
  g_assert_cmpint (gtk_text_iter_get_line_offset (&cursor), ==, 14);

  /* The canvas cannot add a stage to an intrinsic: it says so and the text
   * stays as it was. */
  g_signal_connect (document, "edit-failed", G_CALLBACK (edit_failed_cb), failures);
  g_assert_false (pw_canvas_add_provider (pw_window_get_canvas (window),
                                          pw_providers_lookup ("Build", "AWS", "CodeBuild")));
  pw_test_flush ();
  g_signal_handlers_disconnect_by_func (document, edit_failed_cb, failures);
  g_assert_cmpuint (failures->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (failures, 0), "stages is the CloudFormation intrinsic "));
  g_clear_pointer (&after, g_free);
  after = pw_test_buffer_text (window);
  g_assert_cmpstr (after, ==, text);

  return window;
}

static void
test_intrinsic_stages (void)
{
  g_autofree char *folder = NULL;
  PwWindow *window = open_intrinsic_stages (stages_if, "Fn::If", &folder);

  pw_test_close_window (window);
  pw_test_remove_tmp (folder);

  g_clear_pointer (&folder, g_free);
  window = open_intrinsic_stages (stages_ref, "Ref", &folder);

  /* Written out as a list in the code view, the stages are drawn and the
   * banner goes. */
  replace_in_buffer (buffer_of (window), "Stages: !Ref StageList\n",
                     "Stages:\n"
                     "        - Name: Source\n"
                     "          Actions:\n"
                     "            - Name: Checkout\n"
                     "              ActionTypeId: {Category: Source, Owner: AWS, Provider: S3,\n"
                     "                             Version: \"1\"}\n"
                     "              Configuration: {S3Bucket: b, S3ObjectKey: k.zip,\n"
                     "                              PollForSourceChanges: \"false\"}\n"
                     "              OutputArtifacts: [{Name: Src}]\n");
  g_assert_true (pw_test_wait_until (has_cards, window, 5000));
  g_assert_cmpstr (card_title (window, 0, 0), ==, "Checkout");
  g_assert_false (gtk_revealer_get_reveal_child (window->stale_revealer));

  pw_test_close_window (window);
  pw_test_remove_tmp (folder);
}

/* 4. Closing with unsaved work ------------------------------------------------ */

static gboolean
pointer_cleared (gpointer data)
{
  return *(gpointer *)data == NULL;
}

/* A window on a copy of the example, and a weak pointer to it that says
 * when it is gone. */
static PwWindow *
open_example_copy (char      **folder,
                   char      **path,
                   PwWindow  **weak)
{
  g_autofree char *source = pw_test_data_path ("examples", "hello", "pipeline.yml", NULL);
  PwWindow *window;

  *path = pw_test_copy_to_tmp (source, folder);
  window = pw_test_open_window (*path, 1200, 800);
  if (weak != NULL)
    {
      *weak = window;
      g_object_add_weak_pointer (G_OBJECT (window), (gpointer *)weak);
    }
  return window;
}

/* Types, asks to close, and checks the question. */
static AdwMessageDialog *
edit_and_close (PwWindow *window)
{
  AdwMessageDialog *dialog;

  type_at_start (window, "# reviewed\n");
  g_assert_true (pw_text_document_get_modified (pw_window_get_document (window)));
  gtk_window_close (GTK_WINDOW (window));
  pw_test_flush ();

  /* Still there, asking. */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  dialog = find_message_dialog (window);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Save Changes?");
  g_assert_cmpstr (adw_message_dialog_get_body (dialog), ==,
                   "“pipeline.yml” has unsaved changes. Changes you do not save are lost.");
  g_assert_true (adw_message_dialog_has_response (dialog, "cancel"));
  g_assert_true (adw_message_dialog_has_response (dialog, "discard"));
  g_assert_true (adw_message_dialog_has_response (dialog, "save"));
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "discard"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "save");
  /* Escape keeps the work. */
  g_assert_cmpstr (adw_message_dialog_get_close_response (dialog), ==, "cancel");
  return dialog;
}

static void
test_close_discard (void)
{
  g_autofree char *folder = NULL;
  g_autofree char *path = NULL;
  g_autofree char *original = NULL;
  g_autofree char *on_disk = NULL;
  PwWindow *weak = NULL;
  PwWindow *window = open_example_copy (&folder, &path, &weak);

  original = read_file (path);
  click_response (edit_and_close (window), "discard");
  g_assert_true (pw_test_wait_until (pointer_cleared, &weak, 5000));

  on_disk = read_file (path);
  g_assert_cmpstr (on_disk, ==, original);
  pw_test_remove_tmp (folder);
}

static void
test_close_save (void)
{
  g_autofree char *folder = NULL;
  g_autofree char *path = NULL;
  g_autofree char *original = NULL;
  g_autofree char *edited = NULL;
  g_autofree char *on_disk = NULL;
  PwWindow *weak = NULL;
  PwWindow *window = open_example_copy (&folder, &path, &weak);
  AdwMessageDialog *dialog;

  original = read_file (path);
  dialog = edit_and_close (window);
  edited = pw_test_buffer_text (window);
  click_response (dialog, "save");
  g_assert_true (pw_test_wait_until (pointer_cleared, &weak, 5000));

  on_disk = read_file (path);
  g_assert_cmpstr (on_disk, ==, edited);
  g_assert_true (g_str_has_prefix (on_disk, "# reviewed\n"));
  g_assert_cmpstr (on_disk + strlen ("# reviewed\n"), ==, original);
  pw_test_remove_tmp (folder);
}

static void
test_close_cancel (void)
{
  g_autofree char *folder = NULL;
  g_autofree char *path = NULL;
  g_autofree char *original = NULL;
  g_autofree char *edited = NULL;
  g_autofree char *after = NULL;
  g_autofree char *on_disk = NULL;
  PwWindow *weak = NULL;
  PwWindow *window = open_example_copy (&folder, &path, &weak);
  AdwMessageDialog *dialog;

  original = read_file (path);
  dialog = edit_and_close (window);
  edited = pw_test_buffer_text (window);
  click_response (dialog, "cancel");

  /* The window stays, with the edits, and nothing was written. */
  g_assert_nonnull (weak);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_null (find_message_dialog (window));
  after = pw_test_buffer_text (window);
  g_assert_cmpstr (after, ==, edited);
  g_assert_true (pw_text_document_get_modified (pw_window_get_document (window)));
  on_disk = read_file (path);
  g_assert_cmpstr (on_disk, ==, original);

  /* Saved, it closes without asking. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.save", NULL);
  g_assert_true (pw_test_wait_until (saved, window, 5000));
  gtk_window_close (GTK_WINDOW (window));
  g_assert_true (pw_test_wait_until (pointer_cleared, &weak, 5000));
  pw_test_remove_tmp (folder);
}

/* 5. The file changes on disk ------------------------------------------------- */

typedef struct
{
  PwWindow   *window;
  const char *text;
} BufferIs;

static gboolean
buffer_is (gpointer data)
{
  BufferIs *expected = data;
  g_autofree char *text = pw_test_buffer_text (expected->window);

  return g_str_equal (text, expected->text);
}

static gboolean
disk_bar_revealed (gpointer data)
{
  PwWindow *window = data;

  return gtk_info_bar_get_revealed (window->disk_bar);
}

static void
write_file (const char *path,
            const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);
}

static void
test_disk_change_reloads (void)
{
  g_autofree char *folder = NULL;
  g_autofree char *path = NULL;
  g_autofree char *original = NULL;
  g_autofree char *theirs = NULL;
  PwWindow *window = open_example_copy (&folder, &path, NULL);
  PwHistory *history = pw_text_document_get_history (pw_window_get_document (window));
  BufferIs expected = { window, NULL };

  original = read_file (path);
  theirs = replace_once (original, "- name: Checkout\n", "- name: Clone\n");
  write_file (path, theirs);

  /* Nothing of the user's to lose: the text follows the file, unmodified,
   * no question asked. */
  expected.text = theirs;
  g_assert_true (pw_test_wait_until (buffer_is, &expected, 10000));
  g_assert_false (pw_text_document_get_modified (pw_window_get_document (window)));
  g_assert_false (gtk_info_bar_get_revealed (window->disk_bar));
  g_assert_cmpstr (card_title (window, 0, 0), ==, "Clone");
  g_assert_cmpstr (pw_history_get_undo_label (history), ==, "Reload from disk");

  /* One Ctrl+Z brings what was on screen back. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL);
  expected.text = original;
  g_assert_true (buffer_is (&expected));
  g_assert_true (pw_text_document_get_modified (pw_window_get_document (window)));
  g_assert_cmpstr (card_title (window, 0, 0), ==, "Checkout");

  pw_test_close_window (window);
  pw_test_remove_tmp (folder);
}

static void
test_disk_change_asks (void)
{
  g_autofree char *folder = NULL;
  g_autofree char *path = NULL;
  g_autofree char *original = NULL;
  g_autofree char *mine = NULL;
  g_autofree char *theirs = NULL;
  g_autofree char *theirs_again = NULL;
  g_autofree char *on_disk = NULL;
  PwWindow *window = open_example_copy (&folder, &path, NULL);
  BufferIs expected = { window, NULL };

  original = read_file (path);
  type_at_start (window, "# mine\n");
  mine = pw_test_buffer_text (window);

  theirs = replace_once (original, "- name: Checkout\n", "- name: Clone\n");
  write_file (path, theirs);
  g_assert_true (pw_test_wait_until (disk_bar_revealed, window, 10000));
  g_assert_cmpstr (gtk_label_get_text (window->disk_label), ==,
                   "“pipeline.yml” changed on disk. Reload it, or keep your version and "
                   "overwrite the file when you save?");
  expected.text = mine;
  g_assert_true (buffer_is (&expected));

  /* Keep Mine: the bar goes, the edits stay, and the next save is the
   * user's version. */
  click (find_widget (GTK_WIDGET (window->disk_bar), is_button_labelled, "_Keep Mine"));
  g_assert_false (gtk_info_bar_get_revealed (window->disk_bar));
  g_assert_true (buffer_is (&expected));
  g_assert_true (pw_text_document_get_modified (pw_window_get_document (window)));

  /* A later change on disk is news again. */
  theirs_again = replace_once (original, "- name: Checkout\n", "- name: Pull\n");
  write_file (path, theirs_again);
  g_assert_true (pw_test_wait_until (disk_bar_revealed, window, 10000));

  /* Reload: the file's text, as one undoable step. */
  click (find_widget (GTK_WIDGET (window->disk_bar), is_button_labelled, "_Reload"));
  expected.text = theirs_again;
  g_assert_true (pw_test_wait_until (buffer_is, &expected, 5000));
  g_assert_false (gtk_info_bar_get_revealed (window->disk_bar));
  g_assert_false (pw_text_document_get_modified (pw_window_get_document (window)));
  g_assert_cmpstr (card_title (window, 0, 0), ==, "Pull");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL);
  expected.text = mine;
  g_assert_true (buffer_is (&expected));

  /* Saving writes the user's version over the file, and that is not a
   * change on disk. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.save", NULL);
  g_assert_true (pw_test_wait_until (saved, window, 5000));
  on_disk = read_file (path);
  g_assert_cmpstr (on_disk, ==, mine);
  g_assert_false (gtk_info_bar_get_revealed (window->disk_bar));

  pw_test_close_window (window);
  pw_test_remove_tmp (folder);
}

/* 6. Export shows what the CLI writes ------------------------------------------ */

static char *
run_cli (const char * const *args)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status;

  g_assert_nonnull (g_getenv ("PIPEWRIGHT_CLI"));
  g_strv_builder_add (builder, g_getenv ("PIPEWRIGHT_CLI"));
  g_strv_builder_addv (builder, (const char **)args);
  argv = g_strv_builder_end (builder);

  g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                               &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s %s: %s\n%s", argv[0], argv[1], error->message, err);
  return out;
}

static void
test_export_matches_cli (void)
{
  static const struct {
    const char *title;
    const char *format;
  } formats[] = {
    { "Pipeline (YAML, for aws codepipeline)", "yaml" },
    { "Pipeline (JSON, for aws codepipeline)", "json" },
    { "CloudFormation template (JSON)", "cfn-json" },
    { "CloudFormation template (YAML)", "cfn-yaml" },
  };
  g_autofree char *path = pw_test_data_path ("examples", "hello", "pipeline.yml", NULL);
  PwWindow *window = pw_test_open_window (path, 1400, 900);
  GtkWindow *dialog;
  AdwComboRow *row;
  GtkTextView *view;
  GListModel *model;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.export", NULL));
  dialog = find_toplevel (GTK_WINDOW (window), PW_TYPE_EXPORT_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (gtk_window_get_title (dialog), ==, "Export");
  row = ADW_COMBO_ROW (find_widget (GTK_WIDGET (dialog), is_combo_row, NULL));
  view = GTK_TEXT_VIEW (find_widget (GTK_WIDGET (dialog), is_text_view, NULL));

  /* The formats offered, each previewed exactly as the CLI writes it. */
  model = adw_combo_row_get_model (row);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, G_N_ELEMENTS (formats));
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      const char *args[] = { "export", "--to", formats[i].format, path, NULL };
      g_autofree char *cli = run_cli (args);
      g_autofree char *shown = NULL;
      GtkTextIter start, end;

      g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (model), i), ==,
                       formats[i].title);
      adw_combo_row_set_selected (row, i);
      pw_test_flush ();
      gtk_text_buffer_get_bounds (gtk_text_view_get_buffer (view), &start, &end);
      shown = gtk_text_buffer_get_text (gtk_text_view_get_buffer (view), &start, &end, TRUE);
      g_assert_cmpstr (shown, ==, cli);
    }

  gtk_window_destroy (dialog);
  pw_test_close_window (window);
}

/* 7. Import a CloudFormation template -------------------------------------------- */

static guint
n_windows (void)
{
  guint n = 0;

  for (GList *l = app_windows (); l != NULL; l = l->next)
    n += PW_IS_WINDOW (l->data);
  return n;
}

static PwWindow *
open_empty (void)
{
  PwWindow *window = pw_window_new (pw_test_application ());

  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  g_assert_true (pw_window_is_empty (window));
  return window;
}

static void
test_import_template (void)
{
  g_autofree char *template = pw_test_data_path ("tests", "data", "rules", "cfn-example.json",
                                                 NULL);
  g_autofree char *plain = pw_test_data_path ("examples", "hello", "pipeline.yml", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (template);
  g_autoptr(GFile) not_a_template = g_file_new_for_path (plain);
  const char *args[] = { "import", template, NULL };
  g_autofree char *cli = run_cli (args);
  g_autofree char *text = NULL;
  g_autofree char *second_text = NULL;
  PwWindow *window = open_empty ();
  PwWindow *second = NULL;
  PwTextDocument *document;
  PwPipeline *pipeline;

  /* A pipeline file is not imported: the window stays on its start page,
   * and a toast says why. */
  _pw_window_import_file (window, not_a_template);
  pw_test_flush ();
  g_assert_true (pw_window_is_empty (window));
  g_assert_cmpuint (n_windows (), ==, 1);
  g_assert_nonnull (find_widget (GTK_WIDGET (window), is_label_with_text,
                                 "pipeline.yml is not a CloudFormation template; "
                                 "use Open to edit it"));

  /* The empty window takes the template's pipeline: a new, unsaved file
   * with the text `pipewright-cli import` writes. */
  _pw_window_import_file (window, file);
  g_assert_true (pw_test_wait_until (pw_test_document_ready, window, 5000));
  g_assert_cmpuint (n_windows (), ==, 1);
  document = pw_window_get_document (window);
  g_assert_null (pw_text_document_get_file (document));
  g_assert_true (pw_text_document_get_modified (document));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "• demo.yml");
  text = pw_test_buffer_text (window);
  g_assert_cmpstr (text, ==, cli);

  pipeline = pw_text_document_get_pipeline (document);
  g_assert_cmpstr (pw_pipeline_get_name (pipeline), ==, "demo");
  g_assert_cmpuint (pw_pipeline_get_n_stages (pipeline), ==, 3);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  g_assert_cmpuint (pw_canvas_get_n_cards (pw_window_get_canvas (window)), ==, 4);
  g_assert_cmpstr (stage_title (window, 1), ==, "Build");
  g_assert_cmpstr (card_title (window, 1, 0), ==, "Compile");
  g_assert_cmpstr (card_title (window, 1, 1), ==, "Approve");
  g_assert_cmpstr (card_title (window, 2, 0), ==, "Release");

  /* From a window with a document, the import opens a window of its own. */
  _pw_window_import_file (window, file);
  g_assert_cmpuint (n_windows (), ==, 2);
  for (GList *l = app_windows (); l != NULL; l = l->next)
    if (PW_IS_WINDOW (l->data) && l->data != window)
      second = l->data;
  g_assert_nonnull (second);
  g_assert_true (pw_test_wait_until (pw_test_document_ready, second, 5000));
  second_text = pw_test_buffer_text (second);
  g_assert_cmpstr (second_text, ==, cli);

  pw_test_close_window (second);
  pw_test_close_window (window);
}

/* 8. One window per file ---------------------------------------------------------- */

static gboolean
all_loaded (gpointer data)
{
  for (GList *l = app_windows (); l != NULL; l = l->next)
    if (PW_IS_WINDOW (l->data) && !pw_test_document_ready (l->data))
      return FALSE;
  return TRUE;
}

static guint
n_windows_on (GFile *file)
{
  guint n = 0;

  for (GList *l = app_windows (); l != NULL; l = l->next)
    n += PW_IS_WINDOW (l->data) && pw_window_get_file (l->data) != NULL &&
         g_file_equal (pw_window_get_file (l->data), file);
  return n;
}

static void
close_all_windows (void)
{
  GList *l;

  while ((l = app_windows ()) != NULL)
    pw_test_close_window (l->data);
}

static void
test_single_instance (void)
{
  g_autofree char *source = pw_test_data_path ("examples", "hello", "pipeline.yml", NULL);
  g_autofree char *folder = NULL;
  g_autofree char *path = pw_test_copy_to_tmp (source, &folder);
  g_autofree char *other_path = g_build_filename (folder, "other.yml", NULL);
  g_autofree char *contents = read_file (path);
  GFile *files[1];
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) other = g_file_new_for_path (other_path);
  GApplication *app = G_APPLICATION (pw_test_application ());

  write_file (other_path, contents);
  g_assert_cmpuint (n_windows (), ==, 0);

  /* Twice, as two launches in a row do: one window. */
  files[0] = file;
  g_application_open (app, files, 1, "");
  g_application_open (app, files, 1, "");
  g_assert_true (pw_test_wait_until (all_loaded, NULL, 10000));
  g_assert_cmpuint (n_windows (), ==, 1);
  g_assert_cmpuint (n_windows_on (file), ==, 1);

  /* Once it is open, again: still one. */
  g_application_open (app, files, 1, "");
  g_assert_true (pw_test_wait_until (all_loaded, NULL, 10000));
  g_assert_cmpuint (n_windows (), ==, 1);

  /* Another file: a window of its own. */
  files[0] = other;
  g_application_open (app, files, 1, "");
  g_assert_true (pw_test_wait_until (all_loaded, NULL, 10000));
  g_assert_cmpuint (n_windows (), ==, 2);
  g_assert_cmpuint (n_windows_on (other), ==, 1);
  g_assert_cmpuint (n_windows_on (file), ==, 1);

  close_all_windows ();
  pw_test_remove_tmp (folder);
}

/* 9. A quick fix from the Problems panel --------------------------------------------- */

static PwDiagnostic *
find_finding (PwWindow   *window,
              const char *code)
{
  GListModel *diagnostics = pw_text_document_get_diagnostics (pw_window_get_document (window));

  for (guint i = 0; i < g_list_model_get_n_items (diagnostics); i++)
    {
      g_autoptr(PwDiagnostic) diagnostic = g_list_model_get_item (diagnostics, i);

      if (g_str_equal (pw_diagnostic_get_code (diagnostic), code))
        return diagnostic;
    }
  return NULL;
}

static gboolean
has_p28 (gpointer data)
{
  return find_finding (data, "P28") != NULL;
}

static gboolean
widget_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static gboolean
widget_unmapped (gpointer data)
{
  return !gtk_widget_get_mapped (data);
}

static void
test_quick_fix (void)
{
  g_autofree char *source = pw_test_data_path ("examples", "hello", "pipeline.yml", NULL);
  g_autofree char *original = read_file (source);
  g_autofree char *misspelt = replace_once (original, "Build, owner: AWS, provider: CodeBuild,",
                                            "Build, owner: AWS, provider: CodeBiuld,");
  g_autofree char *folder = NULL;
  g_autofree char *path = write_tmp ("pipeline.yml", misspelt, &folder);
  g_autofree char *fixed = NULL;
  PwWindow *window = pw_test_open_window (path, 1400, 900);
  PwHistory *history = pw_text_document_get_history (pw_window_get_document (window));
  PwDiagnostic *finding = find_finding (window, "P28");
  GtkWidget *problems = GTK_WIDGET (pw_window_get_problems (window));
  GtkWidget *button;
  BufferIs expected = { window, NULL };

  g_assert_nonnull (finding);
  g_assert_cmpint (pw_diagnostic_get_severity (finding), ==, PW_SEVERITY_ERROR);
  g_assert_cmpstr (pw_diagnostic_get_path (finding), ==,
                   "stages[1].actions[0].actionTypeId.provider");

  /* The panel offers the fix as a button on the finding's row. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-problems", NULL);
  g_assert_true (pw_test_wait_until (widget_mapped, problems, 5000));
  button = find_widget (problems, is_button_labelled, "Use 'CodeBuild'");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_mapped (button));
  click (button);

  /* The one word is fixed, the finding is gone, and it is one undo step
   * named after the fix. */
  fixed = pw_test_buffer_text (window);
  g_assert_cmpstr (fixed, ==, original);
  g_assert_null (find_finding (window, "P28"));
  g_assert_cmpstr (pw_history_get_undo_label (history), ==, "Use 'CodeBuild'");
  g_assert_null (find_widget (problems, is_button_labelled, "Use 'CodeBuild'"));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL);
  expected.text = misspelt;
  g_assert_true (buffer_is (&expected));
  g_assert_true (pw_test_wait_until (has_p28, window, 5000));

  pw_test_close_window (window);
  pw_test_remove_tmp (folder);
}

/* The inspector's fix for a missing required key adds it and puts the
 * cursor in its value, so what the user types next is the value. */
static void
test_quick_fix_fill_in (void)
{
  g_autofree char *source = pw_test_data_path ("examples", "hello", "pipeline.yml", NULL);
  g_autofree char *original = read_file (source);
  g_autofree char *missing = replace_once (original, "          configuration: {ProjectName: hello-tests}\n", "");
  g_autofree char *folder = NULL;
  g_autofree char *path = write_tmp ("pipeline.yml", missing, &folder);
  g_autofree char *after = NULL;
  PwWindow *window = pw_test_open_window (path, 1400, 900);
  PwInspector *inspector = pw_window_get_inspector (window);
  GtkWidget *button;
  GtkWidget *row;
  GtkWidget *focus;

  pw_canvas_set_selection (pw_window_get_canvas (window), "stages[1].actions[1]");
  g_assert_nonnull (pw_inspector_find_row (inspector, "stages[1].actions[1].name"));
  button = find_widget (GTK_WIDGET (inspector), is_button_labelled, "Add 'ProjectName'");
  g_assert_nonnull (button);
  click (button);

  after = pw_test_buffer_text (window);
  g_assert_nonnull (strstr (after, "        - name: UnitTests\n"
                                   "          actionTypeId: {category: Test, owner: AWS, provider: CodeBuild, version: \"1\"}\n"));
  g_assert_nonnull (strstr (after, "ProjectName: \"\""));
  row = pw_inspector_find_row (inspector, "stages[1].actions[1].configuration.ProjectName");
  g_assert_nonnull (row);
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_nonnull (focus);
  g_assert_true (focus == row || gtk_widget_is_ancestor (focus, row));

  /* What the user types there becomes the value. */
  g_assert_true (pw_inspector_commit_row (inspector, "stages[1].actions[1].configuration.ProjectName",
                                          "hello-tests"));
  g_clear_pointer (&after, g_free);
  after = pw_test_buffer_text (window);
  g_assert_nonnull (strstr (after, "            ProjectName: hello-tests\n"));

  pw_test_close_window (window);
  pw_test_remove_tmp (folder);
}

/* 10. What a screen reader is told ----------------------------------------------------- */

/* Macros, so that a failure names this file's line. */
#define assert_label(widget, text) \
  gtk_test_accessible_assert_property (widget, GTK_ACCESSIBLE_PROPERTY_LABEL, text)
#define assert_description(widget, text) \
  gtk_test_accessible_assert_property (widget, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text)

static void
test_accessibility (void)
{
  g_autofree char *folder = NULL;
  g_autofree char *path = NULL;
  PwWindow *window = open_example_copy (&folder, &path, NULL);
  PwCanvas *canvas = pw_window_get_canvas (window);
  GtkWidget *checkout = pw_canvas_get_action_card (canvas, 0, 0);
  GtkWidget *publish = pw_canvas_get_action_card (canvas, 2, 1);
  GtkWidget *build = pw_canvas_get_stage_header (canvas, 1);
  PwPin *output = pw_action_card_get_output_pin (PW_ACTION_CARD (checkout), 0);
  PwPin *input = pw_action_card_get_input_pin (PW_ACTION_CARD (publish), 0);

  gtk_test_accessible_assert_role (canvas, GTK_ACCESSIBLE_ROLE_GROUP);
  assert_label (canvas, "Pipeline canvas");

  /* Cards: name, place (GTK 4.8 has no position-in-set) and type. */
  gtk_test_accessible_assert_role (checkout, GTK_ACCESSIBLE_ROLE_BUTTON);
  assert_label (checkout, "Action Checkout, stage Source, group 1 of 1, action 1 of 1");
  assert_description (checkout, "Source · CodeCommit; variables namespace #{SourceVariables}");
  assert_label (publish, "Action Publish, stage Release, group 2 of 2, action 1 of 2");
  assert_description (publish, "Deploy · S3");

  /* Stage headers. */
  gtk_test_accessible_assert_role (build, GTK_ACCESSIBLE_ROLE_BUTTON);
  assert_label (build, "Stage Build, 2 of 3");
  assert_description (build, "2 actions");

  /* Pins: which artifact, which way, and where it goes. */
  gtk_test_accessible_assert_role (output, GTK_ACCESSIBLE_ROLE_BUTTON);
  assert_label (output, "Output artifact Src");
  assert_description (output, "Src, read by Site, UnitTests");
  gtk_test_accessible_assert_role (input, GTK_ACCESSIBLE_ROLE_BUTTON);
  assert_label (input, "Input artifact Site");
  assert_description (input, "Site, produced by Site in stage Build");

  /* A rename is heard too. */
  rename_action (window, "stages[0].actions[0]", "Fetch");
  checkout = pw_canvas_get_action_card (canvas, 0, 0);
  assert_label (checkout, "Action Fetch, stage Source, group 1 of 1, action 1 of 1");

  pw_test_close_window (window);
  pw_test_remove_tmp (folder);
}

/* 11. A phone-sized window ------------------------------------------------------------- */

static gboolean
folded (gpointer data)
{
  PwWindow *window = data;

  return adw_flap_get_folded (window->inspector_flap) &&
         adw_flap_get_folded (window->palette_flap) &&
         gtk_action_bar_get_revealed (window->narrow_bar);
}

static void
test_narrow_window (void)
{
  g_autofree char *path = pw_test_data_path ("examples", "hello", "pipeline.yml", NULL);
  g_autoptr(GSettings) settings = g_settings_new ("io.github.pipewright.Pipewright");
  PwWindow *window;
  GtkWidget *inspector, *palette, *code, *problems;

  /* Opened with the panel closed, so the actions are what opens it. */
  g_settings_set_boolean (settings, "panel-visible", FALSE);
  window = pw_test_open_window (path, 360, 640);
  inspector = GTK_WIDGET (pw_window_get_inspector (window));
  palette = GTK_WIDGET (pw_window_get_palette (window));
  code = GTK_WIDGET (pw_code_view_get_view (pw_window_get_code_view (window)));
  problems = GTK_WIDGET (pw_window_get_problems (window));

  g_assert_true (pw_test_wait_until (folded, window, 5000));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 360);
  g_assert_false (gtk_widget_get_mapped (inspector));
  g_assert_false (gtk_widget_get_mapped (palette));
  g_assert_false (gtk_widget_get_mapped (code));
  g_assert_cmpuint (pw_canvas_get_n_cards (pw_window_get_canvas (window)), ==, 6);

  /* Each panel is one action away. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-inspector", NULL);
  g_assert_true (pw_test_wait_until (widget_mapped, inspector, 5000));
  g_assert_true (gtk_toggle_button_get_active (window->narrow_inspector_toggle));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-inspector", NULL);
  g_assert_true (pw_test_wait_until (widget_unmapped, inspector, 5000));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-palette", NULL);
  g_assert_true (pw_test_wait_until (widget_mapped, palette, 5000));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-palette", NULL);
  g_assert_true (pw_test_wait_until (widget_unmapped, palette, 5000));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-code", NULL);
  g_assert_true (pw_test_wait_until (widget_mapped, code, 5000));
  /* Narrow, the panel goes below the canvas. */
  g_assert_cmpint (gtk_orientable_get_orientation (GTK_ORIENTABLE (window->panel_paned)), ==,
                   GTK_ORIENTATION_VERTICAL);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-problems", NULL);
  g_assert_true (pw_test_wait_until (widget_mapped, problems, 5000));
  g_assert_false (gtk_widget_get_mapped (code));

  pw_test_close_window (window);
  g_settings_reset (settings, "panel-visible");
}
int
main (int   argc,
      char *argv[])
{
  /* GTK 4.8 gives widgets no accessible context at all under GTK_A11Y=none
   * (the suite's setting, as there is no session bus): the test backend
   * keeps roles and properties and needs no bus either. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/app/document/template-edit", test_template_edit);
  g_test_add_func ("/app/document/pipeline-choice", test_pipeline_choice);
  g_test_add_func ("/app/document/intrinsic-stages", test_intrinsic_stages);
  g_test_add_func ("/app/document/close/discard", test_close_discard);
  g_test_add_func ("/app/document/close/save", test_close_save);
  g_test_add_func ("/app/document/close/cancel", test_close_cancel);
  g_test_add_func ("/app/document/disk-change/reloads", test_disk_change_reloads);
  g_test_add_func ("/app/document/disk-change/asks", test_disk_change_asks);
  g_test_add_func ("/app/document/export-matches-cli", test_export_matches_cli);
  g_test_add_func ("/app/document/import-template", test_import_template);
  g_test_add_func ("/app/document/single-instance", test_single_instance);
  g_test_add_func ("/app/document/quick-fix", test_quick_fix);
  g_test_add_func ("/app/document/quick-fix-fill-in", test_quick_fix_fill_in);
  g_test_add_func ("/app/document/accessibility", test_accessibility);
  g_test_add_func ("/app/document/narrow-window", test_narrow_window);

  return g_test_run ();
}
