/* test-run.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "pw-action-card.h"
#include "pw-log-model.h"
#include "pw-run-dialog.h"
#include "pw-stage-header.h"
#include "pw-test-utils.h"
#include "../pw-check-order.h"
#include "pw-window-private.h"

/* Runs in the window, with real processes (the local profile's shell
 * commands) and no sleeps: the tests wait on what the window shows. Run
 * starts the pipeline on screen; the cards go through their statuses in
 * order; an approval is answered from the run bar (approved, rejected);
 * a failure shows its reason, and Retry succeeds once the cause is fixed;
 * Stop; a run another process (`pipewright-cli run`) started is joined and
 * answered from the window; a past run shows as it ended. */

static const char *pipeline_text =
  "# A small pipeline for the run tests.\n"
  "pipeline:\n"
  "  name: runs\n"
  "  roleArn: arn:aws:iam::111122223333:role/runs\n"
  "  pipelineType: V2\n"
  "  executionMode: QUEUED\n"
  "  artifactStore: {type: S3, location: runs-artifacts}\n"
  "  variables: [{name: Audience, defaultValue: everyone}]\n"
  "  stages:\n"
  "    - name: Source\n"
  "      actions:\n"
  "        - name: Fetch\n"
  "          actionTypeId: {category: Source, owner: AWS, provider: S3, version: \"1\"}\n"
  "          configuration: {S3Bucket: src-bucket, S3ObjectKey: src, PollForSourceChanges: \"false\"}\n"
  "          outputArtifacts: [{name: Src}]\n"
  "          namespace: SourceVariables\n"
  "    - name: Build\n"
  "      actions:\n"
  "        - name: Compile\n"
  "          actionTypeId: {category: Build, owner: Custom, provider: Shell, version: \"1\"}\n"
  "          inputArtifacts: [{name: Src}]\n"
  "        - name: Check\n"
  "          runOrder: 2\n"
  "          actionTypeId: {category: Test, owner: Custom, provider: Shell, version: \"1\"}\n"
  "    - name: Release\n"
  "      actions:\n"
  "        - name: Approve\n"
  "          actionTypeId: {category: Approval, owner: AWS, provider: Manual, version: \"1\"}\n"
  "          configuration: {CustomData: Ship the build?}\n"
  "        - name: Ship\n"
  "          runOrder: 2\n"
  "          actionTypeId: {category: Deploy, owner: Custom, provider: Shell, version: \"1\"}\n";

/* A notification server of the test's own on its session bus (run-ui.sh
 * gives each test one): what the app sends is recorded, and a click on a
 * button is the server's ActionInvoked signal, as a desktop's would be. */
static const char notifications_xml[] =
  "<node><interface name='org.freedesktop.Notifications'>"
  "<method name='Notify'><arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "<arg type='u' direction='out'/></method>"
  "<method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "<method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "<method name='GetServerInformation'><arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "<arg type='s' direction='out'/><arg type='s' direction='out'/></method>"
  "<signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
  "<signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
  "</interface></node>";

typedef struct
{
  guint     id;
  char     *summary;
  char     *body;
  GStrv     actions;    /* key, label, key, label, … */
  gboolean  closed;
} Notice;

static GPtrArray *notices;
static GDBusConnection *notice_bus;

static void
notice_free (Notice *notice)
{
  g_free (notice->summary);
  g_free (notice->body);
  g_strfreev (notice->actions);
  g_free (notice);
}

static void
notifications_call (GDBusConnection       *connection,
                    const char            *sender,
                    const char            *path,
                    const char            *interface,
                    const char            *method,
                    GVariant              *params,
                    GDBusMethodInvocation *invocation,
                    gpointer               data)
{
  if (g_str_equal (method, "Notify"))
    {
      Notice *notice = g_new0 (Notice, 1);
      const char *summary, *body;

      g_variant_get (params, "(&su&s&s&s^as@a{sv}i)", NULL, NULL, NULL, &summary, &body, &notice->actions, NULL, NULL);
      notice->id = notices->len + 1;
      notice->summary = g_strdup (summary);
      notice->body = g_strdup (body);
      g_ptr_array_add (notices, notice);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", notice->id));
    }
  else if (g_str_equal (method, "CloseNotification"))
    {
      guint id;

      g_variant_get (params, "(u)", &id);
      if (id > 0 && id <= notices->len)
        ((Notice *)g_ptr_array_index (notices, id - 1))->closed = TRUE;
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method, "GetCapabilities"))
    {
      const char *caps[] = { "actions", "body", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(ssss)", "test", "pipewright", "1", "1.2"));
}

static void
serve_notifications (void)
{
  static const GDBusInterfaceVTable vtable = { notifications_call, NULL, NULL, { 0 } };
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  notices = g_ptr_array_new_with_free_func ((GDestroyNotify)notice_free);
  notice_bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (notice_bus, "/org/freedesktop/Notifications", info->interfaces[0],
                                     &vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (notice_bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.Notifications", 4 /* do not queue */),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

static Notice *
find_notice (const char *summary)
{
  for (guint i = notices->len; i > 0; i--)
    {
      Notice *notice = g_ptr_array_index (notices, i - 1);

      if (g_strcmp0 (notice->summary, summary) == 0)
        return notice;
    }
  return NULL;
}

static gboolean
notice_sent (gpointer summary)
{
  return find_notice (summary) != NULL;
}

/* A click on the button labelled @label. */
static void
click_notice (Notice     *notice,
              const char *label)
{
  for (guint i = 0; notice->actions[i] != NULL && notice->actions[i + 1] != NULL; i += 2)
    if (g_str_equal (notice->actions[i + 1], label))
      {
        g_dbus_connection_emit_signal (notice_bus, NULL, "/org/freedesktop/Notifications",
                                       "org.freedesktop.Notifications", "ActionInvoked",
                                       g_variant_new ("(us)", notice->id, notice->actions[i]), NULL);
        return;
      }
  g_error ("no button %s on the notification %s", label, notice->summary);
}

typedef struct
{
  char      *folder;
  char      *path;
  char      *marker;    /* Check succeeds while this file exists */
  PwWindow  *window;
  GPtrArray *seen;      /* "Compile:InProgress", … as the cards showed them */
  GdkFrameClock *clock; /* of the window whose frames are recorded */
  gulong     painted;
} Fixture;

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_remove (child);
    }
  g_rmdir (path);
}

/* @check_format: Check's shell command, "%s" standing for the marker's path */
static void
setup (Fixture    *f,
       const char *check_format,
       gboolean    fixed)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *profile_path = NULL;
  g_autofree char *profile = NULL;

  f->folder = g_dir_make_tmp ("pipewright-run-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->folder, "pipeline.yml", NULL);
  f->marker = g_build_filename (f->folder, "fixed", NULL);
  profile_path = g_build_filename (f->folder, "pipewright.local.yml", NULL);
  {
    g_autoptr(GString) check = g_string_new (check_format);

    g_string_replace (check, "%s", f->marker, 1);

    profile = g_strdup_printf ("s3:\n"
                               "  src-bucket: ./bucket\n"
                               "commands:\n"
                               "  Compile: {run: \"echo compiling\"}\n"
                               "  Check: {run: \"%s\"}\n"
                               "  Ship: {run: \"echo shipped\"}\n", check->str);
  }
  {
    g_autofree char *source = g_build_filename (f->folder, "bucket", "src", NULL);
    g_autofree char *readme = g_build_filename (source, "README", NULL);

    g_assert_cmpint (g_mkdir_with_parents (source, 0755), ==, 0);
    g_assert_true (g_file_set_contents (readme, "the source\n", -1, NULL));
  }
  g_assert_true (g_file_set_contents (f->path, pipeline_text, -1, NULL));
  g_assert_true (g_file_set_contents (profile_path, profile, -1, NULL));
  if (fixed)
    g_assert_true (g_file_set_contents (f->marker, "", 0, NULL));
  f->seen = g_ptr_array_new_with_free_func (g_free);
}

static void
teardown (Fixture *f)
{
  /* (A closed window's clock dropped its handlers already.) */
  if (f->clock != NULL && g_signal_handler_is_connected (f->clock, f->painted))
    g_signal_handler_disconnect (f->clock, f->painted);
  g_clear_object (&f->clock);
  if (f->window != NULL)
    pw_test_close_window (f->window);
  remove_tree (f->folder);
  g_free (f->folder);
  g_free (f->path);
  g_free (f->marker);
  g_ptr_array_unref (f->seen);
}

static PwActionCard *
card (Fixture *f,
      guint    stage,
      guint    action)
{
  GtkWidget *widget = pw_canvas_get_action_card (pw_window_get_canvas (f->window), stage, action);

  g_assert_nonnull (widget);
  return PW_ACTION_CARD (widget);
}

/* What every card shows, after each change of the execution. */
static void
record_cards_cb (PwExecution *execution,
                 Fixture     *f)
{
  static const struct { guint stage, action; const char *name; } cards[] = {
    { 0, 0, "Fetch" }, { 1, 0, "Compile" }, { 1, 1, "Check" }, { 2, 0, "Approve" }, { 2, 1, "Ship" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cards); i++)
    {
      const char *status = pw_action_card_get_run_status (card (f, cards[i].stage, cards[i].action));
      g_autofree char *entry = g_strdup_printf ("%s:%s", cards[i].name, status != NULL ? status : "-");
      gboolean known = FALSE;

      /* Each card's changes, once each. */
      for (guint j = f->seen->len; j > 0 && !known; j--)
        {
          const char *earlier = g_ptr_array_index (f->seen, j - 1);

          if (g_str_has_prefix (earlier, cards[i].name) && earlier[strlen (cards[i].name)] == ':')
            known = g_str_equal (earlier, entry), j = 1;
        }
      if (!known)
        g_ptr_array_add (f->seen, g_steal_pointer (&entry));
    }
}

typedef struct
{
  Fixture    *f;
  guint       stage, action;
  const char *status;
} CardWant;

static gboolean
card_shows (gpointer data)
{
  CardWant *want = data;

  return g_strcmp0 (pw_action_card_get_run_status (card (want->f, want->stage, want->action)), want->status) == 0;
}

/* The card shows @status (now, or within the tenth of a second the cards
 * take to follow a run). */
static void
assert_card (Fixture    *f,
             guint       stage,
             guint       action,
             const char *status)
{
  CardWant want = { f, stage, action, status };

  if (!pw_test_wait_until (card_shows, &want, 5000))
    g_error ("card %u/%u shows %s, not %s", stage, action,
             pw_action_card_get_run_status (card (f, stage, action)), status);
}

static void
record_frame_cb (Fixture *f)
{
  record_cards_cb (NULL, f);
}

static gboolean
execution_shown (gpointer data)
{
  Fixture *f = data;

  return pw_run_controller_get_execution (pw_window_get_runs (f->window)) != NULL;
}

static void
press_run (Fixture *f)
{
  PwExecution *execution;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.run", NULL));
  g_assert_true (pw_test_wait_until (execution_shown, f, 20000));
  execution = pw_run_controller_get_execution (pw_window_get_runs (f->window));
  /* The cards as the run began, then at each frame: what was on screen. */
  record_cards_cb (execution, f);
  if (f->clock != gtk_widget_get_frame_clock (GTK_WIDGET (f->window)))
    {
      if (f->clock != NULL && g_signal_handler_is_connected (f->clock, f->painted))
        g_signal_handler_disconnect (f->clock, f->painted);
      g_set_object (&f->clock, gtk_widget_get_frame_clock (GTK_WIDGET (f->window)));
      f->painted = g_signal_connect_swapped (f->clock, "after-paint", G_CALLBACK (record_frame_cb), f);
    }
}

static gboolean
approval_asked (gpointer data)
{
  Fixture *f = data;

  return gtk_widget_get_visible (f->window->approval_box) &&
         gtk_widget_get_mapped (f->window->approval_box) &&
         pw_run_controller_get_approval (pw_window_get_runs (f->window)) != NULL;
}

static gboolean
asks_custom_data (gpointer data)
{
  Fixture *f = data;

  return strstr (gtk_label_get_text (f->window->approval_label), "Ship the build?") != NULL;
}

typedef struct
{
  Fixture    *f;
  const char *status;
} Ends;

static gboolean
execution_is (gpointer data)
{
  Ends *ends = data;
  PwExecution *execution = pw_run_controller_get_execution (pw_window_get_runs (ends->f->window));

  return execution != NULL && g_strcmp0 (pw_execution_get_status (execution), ends->status) == 0 &&
         !pw_run_controller_get_running (pw_window_get_runs (ends->f->window));
}

static void
wait_for_end (Fixture    *f,
              const char *status)
{
  Ends ends = { f, status };

  if (!pw_test_wait_until (execution_is, &ends, 60000))
    {
      PwExecution *execution = pw_run_controller_get_execution (pw_window_get_runs (f->window));

      g_error ("the execution did not end %s: it is %s (%s)", status,
               execution != NULL ? pw_execution_get_status (execution) : "not shown",
               execution != NULL && pw_execution_get_summary (execution) != NULL
                 ? pw_execution_get_summary (execution) : "");
    }
}


static char *
seen (Fixture *f)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < f->seen->len; i++)
    g_string_append_printf (out, "%s%s", i > 0 ? "\n" : "", (char *)g_ptr_array_index (f->seen, i));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
click (GtkWidget *button)
{
  g_assert_true (gtk_widget_get_mapped (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  /* As Enter or a click does (a split button's own button included). */
  g_assert_true (gtk_widget_activate (button));
  pw_test_flush ();
}

/* The window as it is, kept in the build folder's screenshots/ for a
 * person to look at (and for the metainfo). */
static void
screenshot (Fixture    *f,
            const char *name)
{
  g_autofree char *dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "screenshots", NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GStatBuf st;

  g_mkdir_with_parents (dir, 0755);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (f->window));
  pw_test_flush ();
  pw_test_save_png (GTK_WIDGET (f->window), path);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 20000);
}

static char *
cli (const char *arg1,
     const char *arg2,
     const char *arg3,
     int        *status)
{
  const char *argv[] = { g_getenv ("PIPEWRIGHT_CLI"), arg1, arg2, arg3, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  g_assert_nonnull (argv[0]);
  g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &wait_status, &error));
  g_assert_no_error (error);
  *status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
  return g_strconcat (out, err, NULL);
}

/* Run, watch the cards, approve from the run bar; the CLI sees the run. */
static void
test_run_and_approve (void)
{
  Fixture f = { 0 };
  PwExecution *execution;
  g_autofree char *order = NULL;
  g_autofree char *status_out = NULL;
  int status;

  setup (&f, "test -f %s", TRUE);
  f.window = pw_test_open_window (f.path, 1900, 900);
  press_run (&f);
  execution = pw_run_controller_get_execution (pw_window_get_runs (f.window));
  g_assert_true (gtk_revealer_get_reveal_child (f.window->run_revealer));

  g_assert_true (pw_test_wait_until (approval_asked, &f, 60000));
  /* The question comes with the approval's configuration (its record's
   * next write, within a few milliseconds of the wait beginning). */
  g_assert_true (pw_test_wait_until (asks_custom_data, &f, 5000));
  g_assert_cmpstr (gtk_label_get_text (f.window->approval_label), ==, "Approve Release/Approve? Ship the build?");
  screenshot (&f, "run-approval.png");
  assert_card (&f, 2, 0, "Waiting");
  g_assert_true (g_str_has_prefix (pw_action_card_get_run_text (card (&f, 2, 0)), "Waiting for approval · "));
  g_assert_true (gtk_widget_get_visible (f.window->run_stop_button));

  /* A terminal sees the window's run, waiting. */
  status_out = cli ("status", "-P", f.path, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (status_out, pw_execution_get_id (execution)));
  g_assert_nonnull (strstr (status_out, "InProgress"));

  gtk_editable_set_text (GTK_EDITABLE (f.window->approval_entry), "looks good");
  click (gtk_widget_get_last_child (gtk_widget_get_last_child (f.window->approval_box)));
  wait_for_end (&f, "Succeeded");

  /* What the cards showed, frame by frame: each card's statuses in the
   * order of the run (one held for less than a tenth of a second may not
   * be drawn: the cards show ten changes a second at most), each ending as
   * it ended; the approval, which waited, was shown waiting. */
  gtk_test_widget_wait_for_draw (GTK_WIDGET (f.window));
  record_cards_cb (NULL, &f);
  order = seen (&f);
  pw_check_in_order (order,
                  "Fetch:-\n"
                  "Fetch:InProgress\n"
                  "Fetch:Succeeded\n"
                  "Compile:-\n"
                  "Compile:InProgress\n"
                  "Compile:Succeeded\n"
                  "Check:-\n"
                  "Check:InProgress\n"
                  "Check:Succeeded\n"
                  "Approve:-\n"
                  "Approve:Waiting\n"
                  "Approve:Succeeded\n"
                  "Ship:-\n"
                  "Ship:InProgress\n"
                  "Ship:Succeeded");
  g_assert_nonnull (strstr (order, "Approve:Waiting"));
  g_assert_true (g_str_has_prefix (pw_action_card_get_run_text (card (&f, 1, 0)), "Succeeded · "));
  /* Src, made by Fetch, flows to Compile: its connector is lit. */
  g_assert_cmpuint (pw_canvas_get_n_produced_connectors (pw_window_get_canvas (f.window)), ==, 1);
  /* Each stage header says how its stage went. */
  for (guint s = 0; s < 3; s++)
    g_assert_true (g_str_has_prefix (pw_stage_header_get_run_text (
                     PW_STAGE_HEADER (pw_canvas_get_stage_header (pw_window_get_canvas (f.window), s))),
                   "Succeeded · "));
  g_assert_false (gtk_widget_get_visible (f.window->approval_box));
  g_assert_false (gtk_widget_get_visible (f.window->run_stop_button));
  g_assert_nonnull (strstr (gtk_label_get_text (f.window->run_label), "Succeeded"));
  {
    PwActionExecution *approve = pw_execution_lookup_action (execution, "Release", "Approve");

    g_autofree char *want = g_strdup_printf ("Approved by %s (Pipewright): looks good", g_get_user_name ());

    /* Who answered and what they said, as the record keeps it. */
    g_assert_cmpstr (pw_action_execution_get_summary (approve), ==, want);
  }

  g_clear_pointer (&status_out, g_free);
  status_out = cli ("history", "-P", f.path, &status);
  g_assert_nonnull (strstr (status_out, "Succeeded"));

  teardown (&f);
}

static GtkWidget *
find_row_titled (GtkListBox *list,
                 const char *title)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_PREFERENCES_ROW (row) && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), title) == 0)
      return row;
  return NULL;
}

static gboolean
file_exists (gpointer path)
{
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* The run's artifacts (producer, files; extracted into a folder) and its
 * variables by namespace. */
static void
test_artifacts_and_variables (void)
{
  Fixture f = { 0 };
  GtkListBox *artifacts, *variables;
  GtkWidget *row;
  g_autofree char *into = NULL;
  g_autofree char *readme = NULL;
  PwActionExecution *fetch;

  setup (&f, "test -f %s", TRUE);
  f.window = pw_test_open_window (f.path, 1900, 900);
  press_run (&f);
  g_assert_true (pw_test_wait_until (approval_asked, &f, 60000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.decide", "b", TRUE));
  wait_for_end (&f, "Succeeded");

  gtk_stack_set_visible_child_name (pw_runs_panel_get_pages (f.window->runs_panel), "artifacts");
  artifacts = pw_runs_panel_get_page_list (f.window->runs_panel, "artifacts");
  row = find_row_titled (artifacts, "Src");
  g_assert_nonnull (row);
  g_assert_true (g_str_has_prefix (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (row)), "by Source/Fetch · 1 file · "));

  gtk_stack_set_visible_child_name (pw_runs_panel_get_pages (f.window->runs_panel), "variables");
  variables = pw_runs_panel_get_page_list (f.window->runs_panel, "variables");
  g_assert_nonnull (find_row_titled (variables, "variables"));
  g_assert_nonnull (find_row_titled (variables, "SourceVariables"));

  /* Extract: the version's files in the folder chosen. */
  fetch = pw_execution_lookup_action (pw_run_controller_get_execution (pw_window_get_runs (f.window)), "Source", "Fetch");
  into = g_build_filename (f.folder, "extracted", NULL);
  readme = g_build_filename (into, "README", NULL);
  pw_runs_panel_extract_artifact (f.window->runs_panel,
                                  json_object_get_string_member (json_array_get_object_element (
                                    pw_action_execution_get_artifacts (fetch), 0), "path"),
                                  into);
  g_assert_true (pw_test_wait_until (file_exists, readme, 20000));
  teardown (&f);
}

/* A buildspec's JUnit reports: each group's counts and time, the failing
 * cases with their messages. */
static void
test_reports (void)
{
  Fixture f = { 0 };
  g_autofree char *buildspec = NULL;
  g_autofree char *junit = NULL;
  g_autofree char *text = NULL;
  GtkListBox *tests;
  GtkWidget *row;

  setup (&f, "test -f %s", TRUE);
  /* Check becomes a CodeBuild test action that writes a JUnit report. */
  {
    g_autoptr(GString) pipeline = g_string_new (pipeline_text);
    g_autofree char *profile_path = g_build_filename (f.folder, "pipewright.local.yml", NULL);

    g_string_replace (pipeline, "        - name: Check\n"
                                "          runOrder: 2\n"
                                "          actionTypeId: {category: Test, owner: Custom, provider: Shell, version: \"1\"}\n",
                                "        - name: Check\n"
                                "          runOrder: 2\n"
                                "          actionTypeId: {category: Test, owner: AWS, provider: CodeBuild, version: \"1\"}\n"
                                "          configuration: {ProjectName: runs-tests}\n"
                                "          inputArtifacts: [{name: Src}]\n", 1);
    g_assert_true (g_file_set_contents (f.path, pipeline->str, -1, NULL));
    g_assert_true (g_file_set_contents (profile_path,
                                        "s3:\n  src-bucket: ./bucket\n"
                                        "codebuild:\n  runs-tests: {buildspec: buildspec.yml}\n"
                                        "commands:\n  Compile: {run: \"true\"}\n  Ship: {run: \"true\"}\n", -1, NULL));
  }
  buildspec = g_build_filename (f.folder, "bucket", "src", "buildspec.yml", NULL);
  junit = g_build_filename (f.folder, "bucket", "src", "junit.xml", NULL);
  g_assert_true (g_file_set_contents (buildspec,
                                      "version: 0.2\n"
                                      "phases:\n  build:\n    commands:\n      - mkdir -p reports && cp junit.xml reports/\n"
                                      "reports:\n  unit:\n    files: [junit.xml]\n    base-directory: reports\n", -1, NULL));
  g_assert_true (g_file_set_contents (junit,
                                      "<testsuite name=\"unit\">"
                                      "<testcase classname=\"cart\" name=\"adds\" time=\"0.5\"/>"
                                      "<testcase classname=\"cart\" name=\"totals\" time=\"0.25\">"
                                      "<failure message=\"expected 3, got 4\"/></testcase>"
                                      "</testsuite>", -1, NULL));

  f.window = pw_test_open_window (f.path, 1900, 900);
  press_run (&f);
  g_assert_true (pw_test_wait_until (approval_asked, &f, 60000));
  pw_canvas_set_selection (pw_window_get_canvas (f.window), "stages[1].actions[1]");
  gtk_stack_set_visible_child_name (pw_runs_panel_get_pages (f.window->runs_panel), "tests");
  tests = pw_runs_panel_get_page_list (f.window->runs_panel, "tests");
  row = find_row_titled (tests, "runs-tests-unit");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (row)), ==, "1 passed, 1 failed, 0 skipped · 0.75 s");
  g_assert_true (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (row)));
  /* The card says it too: failing tests do not fail a build. */
  assert_card (&f, 1, 1, "Succeeded");
  g_assert_nonnull (strstr (pw_action_card_get_run_text (card (&f, 1, 1)), " · 1 test failed"));
  screenshot (&f, "run-tests.png");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.decide", "b", FALSE));
  wait_for_end (&f, "Failed");
  teardown (&f);
}

typedef struct
{
  Fixture     *f;
  PwExecution *old;
} Another;

/* An execution other than @old is shown. */
static gboolean
another_shown (gpointer data)
{
  Another *another = data;
  PwExecution *shown = pw_run_controller_get_execution (pw_window_get_runs (another->f->window));

  return shown != NULL && shown != another->old;
}

/* Run with Options: a variable's value and a last stage; remembered for
 * the file, so the dialog opens with them next time. */
static void
test_run_with_options (void)
{
  Fixture f = { 0 };
  PwRunDialog *dialog;
  PwExecution *execution;
  JsonArray *variables;

  setup (&f, "test -f %s", TRUE);
  f.window = pw_test_open_window (f.path, 1900, 900);
  dialog = pw_run_dialog_new (GTK_WINDOW (f.window), pw_window_get_runs (f.window));
  gtk_window_present (GTK_WINDOW (dialog));
  /* The variable starts at its default; Fetch's revision at the latest. */
  g_assert_cmpstr (gtk_editable_get_text (pw_run_dialog_get_entry (dialog, "Audience")), ==, "everyone");
  g_assert_cmpstr (gtk_editable_get_text (pw_run_dialog_get_entry (dialog, "Fetch")), ==, "");
  gtk_editable_set_text (pw_run_dialog_get_entry (dialog, "Audience"), "testers");
  adw_combo_row_set_selected (pw_run_dialog_get_stage_row (dialog), 2);   /* All, Source, Build */
  pw_run_dialog_run (dialog);
  g_assert_true (pw_test_wait_until (execution_shown, &f, 20000));
  execution = pw_run_controller_get_execution (pw_window_get_runs (f.window));
  wait_for_end (&f, "Succeeded");

  variables = pw_execution_get_variables (execution);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (variables, 0), "resolvedValue"),
                   ==, "testers");
  g_assert_cmpstr (pw_stage_execution_get_status (pw_execution_lookup_stage (execution, "Build")), ==, "Succeeded");
  assert_card (&f, 2, 0, "NotRun");
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (f.window->panel_stack), ==, "runs");

  /* Remembered for this file; asked to ask before each run, Run (F5)
   * opens the dialog instead of running. */
  dialog = pw_run_dialog_new (GTK_WINDOW (f.window), pw_window_get_runs (f.window));
  g_assert_cmpstr (gtk_editable_get_text (pw_run_dialog_get_entry (dialog, "Audience")), ==, "testers");
  g_assert_cmpuint (adw_combo_row_get_selected (pw_run_dialog_get_stage_row (dialog)), ==, 2);
  g_assert_false (gtk_switch_get_active (pw_run_dialog_get_ask_switch (dialog)));
  gtk_switch_set_active (pw_run_dialog_get_ask_switch (dialog), TRUE);
  pw_run_dialog_run (dialog);
  {
    Another another = { &f, execution };

    g_assert_true (pw_test_wait_until (another_shown, &another, 20000));
  }
  wait_for_end (&f, "Succeeded");
  {
    GList *before = gtk_window_list_toplevels ();
    guint n_before = g_list_length (before);
    GList *after;
    PwExecution *shown = pw_run_controller_get_execution (pw_window_get_runs (f.window));

    g_list_free (before);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.run", NULL));
    pw_test_flush ();
    after = gtk_window_list_toplevels ();
    /* A dialog, no new run. */
    g_assert_cmpuint (g_list_length (after), ==, n_before + 1);
    for (GList *l = after; l != NULL; l = l->next)
      if (PW_IS_RUN_DIALOG (l->data))
        gtk_window_destroy (l->data);
    g_list_free (after);
    g_assert_true (pw_run_controller_get_execution (pw_window_get_runs (f.window)) == shown);
  }
  teardown (&f);
}

/* With the window behind: a notification for the waiting approval, its
 * Approve button answers it; then one for the end of the run. */
/* An approval's notice sent after the first @data notices. */
static gboolean
new_approval_notice (gpointer data)
{
  Notice *notice = find_notice ("Approve Release/Approve?");

  return notice != NULL && notice->id > GPOINTER_TO_UINT (data);
}

static gboolean
notice_closed (gpointer data)
{
  return ((Notice *)data)->closed;
}

/* The app has the server's answer (the notice's id) before the notice is
 * acted on, as it would have long before a person acts: a round trip
 * through the bus after it, then its dispatch. */
static void
settle_bus (void)
{
  g_autoptr(GVariant) pong = g_dbus_connection_call_sync (notice_bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                          "org.freedesktop.DBus.Peer", "Ping", NULL, NULL,
                                                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);

  pw_test_flush ();
}

static void
test_notifications (void)
{
  Fixture f = { 0 };
  PwExecution *execution;
  GtkWidget *other;
  Notice *notice;
  g_autofree char *ended = NULL;
  guint sent_before;

  setup (&f, "test -f %s", TRUE);
  f.window = pw_test_open_window (f.path, 1900, 900);
  press_run (&f);
  execution = pw_run_controller_get_execution (pw_window_get_runs (f.window));
  /* Another window in front. */
  other = gtk_window_new ();
  gtk_window_present (GTK_WINDOW (other));
  g_assert_true (pw_test_wait_until ((PwTestCondition)gtk_window_is_active, other, 10000));

  g_assert_true (pw_test_wait_until (notice_sent, "Approve Release/Approve?", 60000));
  notice = find_notice ("Approve Release/Approve?");
  g_assert_cmpstr (notice->body, ==, "Ship the build?");
  /* A click the app could not match to its notice would be lost (under
   * load, it came before the app had the notice's id: CI waited 60 s). */
  settle_bus ();
  click_notice (notice, "Approve");
  wait_for_end (&f, "Succeeded");
  ended = g_strdup_printf ("%s: Succeeded", pw_execution_get_pipeline_name (execution));
  g_assert_true (pw_test_wait_until (notice_sent, ended, 10000));

  /* Answered elsewhere (here, the run bar), the notice is taken back (a
   * click on its own button closes it on the server's side). */
  sent_before = notices->len;
  press_run (&f);
  g_assert_true (pw_test_wait_until ((PwTestCondition)gtk_window_is_active, other, 10000));
  g_assert_true (pw_test_wait_until (approval_asked, &f, 60000));
  g_assert_true (pw_test_wait_until (new_approval_notice, GUINT_TO_POINTER (sent_before), 10000));
  notice = find_notice ("Approve Release/Approve?");
  g_assert_false (notice->closed);
  settle_bus ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.decide", "b", TRUE));
  g_assert_true (pw_test_wait_until (notice_closed, notice, 10000));
  wait_for_end (&f, "Succeeded");

  gtk_window_destroy (GTK_WINDOW (other));
  teardown (&f);
}

typedef struct
{
  Fixture    *f;
  const char *stage;
  const char *status;
} StageWant;

static gboolean
stage_is (gpointer data)
{
  StageWant *want = data;
  PwExecution *execution = pw_run_controller_get_execution (pw_window_get_runs (want->f->window));
  PwStageExecution *stage = execution != NULL ? pw_execution_lookup_stage (execution, want->stage) : NULL;

  return stage != NULL && g_strcmp0 (pw_stage_execution_get_status (stage), want->status) == 0;
}

/* The transition into Release disabled from the canvas: the run stops
 * before it, the canvas says so; enabled again, the run goes on. */
static void
test_transitions (void)
{
  Fixture f = { 0 };
  PwCanvas *canvas;
  const char *reason = NULL;
  StageWant built = { &f, "Build", "Succeeded" };
  PwExecution *execution;

  setup (&f, "test -f %s", TRUE);
  f.window = pw_test_open_window (f.path, 1900, 900);
  canvas = pw_window_get_canvas (f.window);
  g_assert_false (pw_canvas_get_transition_disabled (canvas, 2, NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.toggle-transition", "u", 2));
  g_assert_true (pw_canvas_get_transition_disabled (canvas, 2, &reason));
  g_assert_cmpstr (reason, ==, "Disabled in Pipewright");

  press_run (&f);
  execution = pw_run_controller_get_execution (pw_window_get_runs (f.window));
  g_assert_true (pw_test_wait_until (stage_is, &built, 60000));
  /* It waits at the disabled transition. */
  pw_test_flush ();
  g_assert_cmpstr (pw_stage_execution_get_status (pw_execution_lookup_stage (execution, "Release")), ==, "NotStarted");
  g_assert_false (pw_execution_is_finished (execution));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.toggle-transition", "u", 2));
  g_assert_false (pw_canvas_get_transition_disabled (canvas, 2, NULL));
  g_assert_true (pw_test_wait_until (approval_asked, &f, 60000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.decide", "b", TRUE));
  wait_for_end (&f, "Succeeded");
  teardown (&f);
}

static gboolean
one_waits_at_release (gpointer data)
{
  return pw_canvas_get_waiting (pw_window_get_canvas (data), 2) == 1;
}

/* QUEUED: a second run waits at Release while the first holds it for its
 * approval; the canvas says one waits there, and none once it enters. */
static void
test_waiting (void)
{
  Fixture f = { 0 };
  PwRunController *runs;
  PwExecution *first, *second;

  setup (&f, "test -f %s", TRUE);
  f.window = pw_test_open_window (f.path, 1900, 900);
  runs = pw_window_get_runs (f.window);
  press_run (&f);
  first = pw_run_controller_get_execution (runs);
  g_assert_true (pw_test_wait_until (approval_asked, &f, 60000));
  g_assert_cmpuint (pw_canvas_get_waiting (pw_window_get_canvas (f.window), 2), ==, 0);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.run", NULL));
  second = pw_run_controller_get_execution (runs);
  g_assert_true (second != first);
  g_assert_true (pw_test_wait_until (one_waits_at_release, f.window, 60000));
  screenshot (&f, "run-waiting.png");
  g_assert_cmpstr (pw_stage_execution_get_status (pw_execution_lookup_stage (second, "Release")), ==, "NotStarted");

  /* The first approved, the second enters, and is asked in its turn. */
  pw_run_controller_set_execution (runs, first);
  g_assert_true (pw_test_wait_until (approval_asked, &f, 10000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.decide", "b", TRUE));
  wait_for_end (&f, "Succeeded");
  pw_run_controller_set_execution (runs, second);
  g_assert_true (pw_test_wait_until (approval_asked, &f, 60000));
  g_assert_cmpuint (pw_canvas_get_waiting (pw_window_get_canvas (f.window), 2), ==, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.decide", "b", TRUE));
  wait_for_end (&f, "Succeeded");
  teardown (&f);
}

static gboolean check_running (gpointer data);

/* Whether a process's command line holds @needle (read from /proc, as
 * procps may not be installed). */
static gboolean
process_running (const char *needle)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *cmdline = NULL;
      gsize length;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_build_filename ("/proc", name, "cmdline", NULL);
      if (!g_file_get_contents (path, &cmdline, &length, NULL))
        continue;
      for (gsize i = 0; i + 1 < length; i++)
        if (cmdline[i] == '\0')
          cmdline[i] = ' ';
      if (strstr (cmdline, needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

static gboolean
record_ended (gpointer data)
{
  const char *path = data;
  g_autofree char *state_dir = pw_state_default_dir (path);
  g_autoptr(GPtrArray) records = pw_state_list_executions (state_dir, NULL);
  const char *status;

  if (records == NULL || records->len == 0)
    return FALSE;
  status = json_object_get_string_member (json_node_get_object (g_ptr_array_index (records, 0)), "status");
  return pw_execution_status_is_final (status);
}

/* Closing the window while a build runs abandons the run: the record says
 * so, with the reason, and the build's process is gone. */
static void
test_close_while_running (void)
{
  Fixture f = { 0 };
  g_autofree char *state_dir = NULL;
  g_autoptr(GPtrArray) records = NULL;
  JsonObject *record;

  /* Two commands, so the shell stays (with the marker in its command line)
   * and the sleep is its child. */
  setup (&f, "sleep 613; true # %s", TRUE);
  f.window = pw_test_open_window (f.path, 1900, 900);
  press_run (&f);
  g_assert_true (pw_test_wait_until (check_running, &f, 60000));
  {
    g_autofree char *needle = g_strdup_printf ("sleep 613; true # %s", f.marker);

    /* (The action starts before its process does.) */
    g_assert_true (pw_test_wait_until ((PwTestCondition)process_running, needle, 20000));
  }
  if (f.clock != NULL && g_signal_handler_is_connected (f.clock, f.painted))
    g_signal_handler_disconnect (f.clock, f.painted);
  g_clear_object (&f.clock);
  pw_test_close_window (f.window);
  f.window = NULL;

  g_assert_true (pw_test_wait_until (record_ended, f.path, 60000));
  state_dir = pw_state_default_dir (f.path);
  records = pw_state_list_executions (state_dir, NULL);
  record = json_node_get_object (g_ptr_array_index (records, 0));
  g_assert_cmpstr (json_object_get_string_member (record, "status"), ==, "Stopped");
  {
    /* No `sleep 600` of this test left behind. */
    g_autofree char *needle = g_strdup_printf ("sleep 613; true # %s", f.marker);

    g_assert_false (process_running (needle));
  }
  teardown (&f);
}

/* Rejected from the run bar: the approval and the execution fail. */
static gboolean
run_bar_shown (gpointer data)
{
  Fixture *f = data;

  /* Shown, and laid out: a loaded machine may draw a frame between the
   * bar's reveal and the approval's box getting its place. */
  return gtk_revealer_get_child_revealed (f->window->run_revealer) &&
         g_strcmp0 (gtk_label_get_text (f->window->approval_label), "") != 0 &&
         gtk_widget_get_mapped (f->window->approval_box) && gtk_widget_get_width (f->window->approval_box) > 0;
}

/* At 360 pixels the run bar, with an approval's buttons, stands above the
 * zoom controls, not under them. */
static void
test_narrow (void)
{
  Fixture f = { 0 };
  graphene_rect_t bar, zoom;

  setup (&f, "test -f %s", TRUE);
  f.window = pw_test_open_window (f.path, 360, 800);
  press_run (&f);
  g_assert_true (pw_test_wait_until (approval_asked, &f, 60000));
  g_assert_true (pw_test_wait_until (asks_custom_data, &f, 5000));
  g_assert_true (pw_test_wait_until (run_bar_shown, &f, 5000));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (f.window));
  screenshot (&f, "run-narrow.png");
  g_assert_true (gtk_widget_compute_bounds (f.window->approval_box, GTK_WIDGET (f.window), &bar));
  g_assert_true (gtk_widget_compute_bounds (f.window->zoom_box, GTK_WIDGET (f.window), &zoom));
  g_assert_cmpfloat (bar.size.width, >, 0);
  g_assert_false (graphene_rect_intersection (&bar, &zoom, NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.decide", "b", FALSE));
  wait_for_end (&f, "Failed");
  teardown (&f);
}

static void
test_reject (void)
{
  Fixture f = { 0 };

  setup (&f, "test -f %s", TRUE);
  f.window = pw_test_open_window (f.path, 1900, 900);
  press_run (&f);
  g_assert_true (pw_test_wait_until (approval_asked, &f, 60000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.decide", "b", FALSE));
  wait_for_end (&f, "Failed");
  assert_card (&f, 2, 0, "Failed");
  g_assert_true (g_str_has_prefix (pw_action_card_get_run_text (card (&f, 2, 0)), "Failed · "));
  teardown (&f);
}

/* A failure says why on its card; Retry runs it again once it is fixed. */
static void
test_fail_and_retry (void)
{
  Fixture f = { 0 };
  PwExecution *execution;

  setup (&f, "test -f %s || { echo 'the check found a bug' >&2; exit 3; }", FALSE);
  f.window = pw_test_open_window (f.path, 1900, 900);
  press_run (&f);
  wait_for_end (&f, "Failed");
  execution = pw_run_controller_get_execution (pw_window_get_runs (f.window));
  assert_card (&f, 1, 1, "Failed");
  g_assert_nonnull (strstr (pw_action_card_get_run_text (card (&f, 1, 1)), "Failed · "));
  g_assert_nonnull (strstr (pw_action_card_get_run_tooltip (card (&f, 1, 1)), "the check found a bug"));
  assert_card (&f, 1, 0, "Succeeded");
  assert_card (&f, 2, 0, "NotRun");
  g_assert_true (g_str_has_prefix (pw_stage_header_get_run_text (
                   PW_STAGE_HEADER (pw_canvas_get_stage_header (pw_window_get_canvas (f.window), 1))), "Failed · "));
  g_assert_null (pw_stage_header_get_run_text (
                   PW_STAGE_HEADER (pw_canvas_get_stage_header (pw_window_get_canvas (f.window), 2))));
  g_assert_true (gtk_widget_get_visible (f.window->run_retry_button));
  /* The Runs panel opened on the run; selecting the card shows its log:
   * the reason in it, marked, and found by a search. */
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (f.window->panel_stack), ==, "runs");
  pw_canvas_set_selection (pw_window_get_canvas (f.window), "stages[1].actions[1]");
  g_assert_cmpstr (pw_runs_panel_get_log_title (f.window->runs_panel), ==, "Build/Check · Failed");
  {
    PwLogModel *log = pw_runs_panel_get_log (f.window->runs_panel);
    GListModel *visible = pw_log_model_get_visible (log);
    int line = pw_log_model_find (log, "the check found a bug", 0, FALSE);
    gboolean marked = FALSE;

    g_assert_cmpint (line, >=, 0);
    for (guint i = 0; i < g_list_model_get_n_items (visible); i++)
      {
        g_autoptr(PwLogLine) l = g_list_model_get_item (visible, i);

        marked |= pw_log_line_get_kind (l) == PW_LOG_LINE_FAILURE;
      }
    g_assert_true (marked);
    g_assert_true (pw_runs_panel_search (f.window->runs_panel, "FOUND A BUG", FALSE));
    g_assert_false (pw_runs_panel_search (f.window->runs_panel, "not in this log", FALSE));
  }
  screenshot (&f, "run-failed.png");
  {
    PwActionExecution *check = pw_execution_lookup_action (execution, "Build", "Check");
    g_autofree char *log = NULL;

    g_assert_true (g_file_get_contents (pw_action_execution_get_log_path (check), &log, NULL, NULL));
    g_assert_nonnull (strstr (log, "the check found a bug"));
  }

  /* Fixed: the failed action runs again in the same execution. */
  g_assert_true (g_file_set_contents (f.marker, "", 0, NULL));
  click (f.window->run_retry_button);
  g_assert_true (pw_test_wait_until (approval_asked, &f, 60000));
  assert_card (&f, 1, 1, "Succeeded");
  g_assert_cmpuint (pw_action_execution_get_attempt (pw_execution_lookup_action (execution, "Build", "Check")), ==, 2);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.decide", "b", TRUE));
  wait_for_end (&f, "Succeeded");
  g_assert_true (pw_run_controller_get_execution (pw_window_get_runs (f.window)) == execution);
  teardown (&f);
}

static gboolean
check_running (gpointer data)
{
  return g_strcmp0 (pw_action_card_get_run_status (card (data, 1, 1)), "InProgress") == 0;
}

/* Stop and abandon: the running action ends now, the execution stops. */
static void
test_stop (void)
{
  Fixture f = { 0 };

  setup (&f, "sleep 600 # %s", TRUE);
  f.window = pw_test_open_window (f.path, 1900, 900);
  press_run (&f);
  g_assert_true (pw_test_wait_until (check_running, &f, 60000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.abandon", NULL));
  wait_for_end (&f, "Stopped");
  assert_card (&f, 1, 1, "Abandoned");
  teardown (&f);
}

/* A run `pipewright-cli run` started in another process: the window shows
 * it live, and its approval answered in the window reaches that process. */
static gboolean
cli_waits_for_approval (gpointer data)
{
  Fixture *f = data;
  g_autofree char *state_dir = pw_state_default_dir (f->path);
  g_autoptr(GPtrArray) records = pw_state_list_executions (state_dir, NULL);
  JsonArray *actions;

  if (records == NULL || records->len == 0)
    return FALSE;
  actions = json_object_get_array_member (json_node_get_object (g_ptr_array_index (records, 0)), "actions");
  for (guint i = 0; actions != NULL && i < json_array_get_length (actions); i++)
    {
      JsonObject *a = json_array_get_object_element (actions, i);

      if (g_strcmp0 (json_object_get_string_member (a, "actionName"), "Approve") == 0 &&
          g_strcmp0 (json_object_get_string_member (a, "status"), "InProgress") == 0 &&
          json_object_has_member (a, "token"))
        return TRUE;
    }
  return FALSE;
}

static void
waited_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  g_assert_true (g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL));
  *(gboolean *)data = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *)data;
}

static void
test_join_cli (void)
{
  Fixture f = { 0 };
  g_autoptr(GSubprocess) cli_run = NULL;
  g_autoptr(GError) error = NULL;
  PwExecution *execution;
  gboolean exited = FALSE;

  setup (&f, "test -f %s", TRUE);
  cli_run = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                              g_getenv ("PIPEWRIGHT_CLI"), "run", f.path, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (cli_run, NULL, waited_cb, &exited);
  g_assert_true (pw_test_wait_until (cli_waits_for_approval, &f, 60000));

  f.window = pw_test_open_window (f.path, 1900, 900);
  /* The window shows the other process's run, as it is now. */
  execution = pw_run_controller_get_execution (pw_window_get_runs (f.window));
  g_assert_nonnull (execution);
  g_assert_cmpstr (pw_execution_get_trigger_detail (execution), ==, "pipewright-cli");
  g_assert_true (pw_run_controller_get_running (pw_window_get_runs (f.window)));
  assert_card (&f, 1, 1, "Succeeded");
  g_assert_true (pw_test_wait_until (approval_asked, &f, 10000));
  assert_card (&f, 2, 0, "Waiting");

  /* Approved here, carried out there. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.decide", "b", TRUE));
  wait_for_end (&f, "Succeeded");
  assert_card (&f, 2, 1, "Succeeded");
  g_assert_true (pw_test_wait_until (flag_set, &exited, 60000));
  g_assert_true (g_subprocess_get_if_exited (cli_run));
  g_assert_cmpint (g_subprocess_get_exit_status (cli_run), ==, 0);
  teardown (&f);
}

/* A past run shows as it ended; the newest is shown on opening. */
static void
test_past_runs (void)
{
  Fixture f = { 0 };
  PwExecutionList *runs;
  g_autoptr(PwExecution) older = NULL;

  setup (&f, "test -f %s", FALSE);
  f.window = pw_test_open_window (f.path, 1900, 900);
  press_run (&f);
  wait_for_end (&f, "Failed");
  g_assert_true (g_file_set_contents (f.marker, "", 0, NULL));
  press_run (&f);
  g_assert_true (pw_test_wait_until (approval_asked, &f, 60000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.decide", "b", TRUE));
  wait_for_end (&f, "Succeeded");
  pw_test_close_window (f.window);

  /* Reopened: the newest run is on the canvas, as it ended. */
  f.window = pw_test_open_window (f.path, 1900, 900);
  runs = pw_run_controller_get_executions (pw_window_get_runs (f.window));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (runs)), ==, 2);
  g_assert_cmpstr (pw_execution_get_status (pw_run_controller_get_execution (pw_window_get_runs (f.window))),
                   ==, "Succeeded");
  assert_card (&f, 1, 1, "Succeeded");

  /* The older one, chosen in the Runs panel's history: its statuses as
   * they were. */
  older = g_list_model_get_item (G_LIST_MODEL (runs), 1);
  {
    GtkSelectionModel *history = gtk_column_view_get_model (pw_runs_panel_get_history (f.window->runs_panel));

    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 2);
    g_assert_true (gtk_selection_model_is_selected (history, 0));
    gtk_selection_model_select_item (history, 1, TRUE);
  }
  g_assert_true (pw_run_controller_get_execution (pw_window_get_runs (f.window)) == older);
  assert_card (&f, 1, 1, "Failed");
  assert_card (&f, 2, 0, "NotRun");
  g_assert_true (gtk_widget_get_visible (f.window->run_retry_button));

  /* Hidden: the design alone. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.hide-run", NULL));
  g_assert_cmpuint (pw_canvas_get_n_produced_connectors (pw_window_get_canvas (f.window)), ==, 0);
  g_assert_null (pw_action_card_get_run_status (card (&f, 1, 1)));
  g_assert_false (gtk_revealer_get_reveal_child (f.window->run_revealer));
  teardown (&f);
}

/* The log as lines: CodeBuild's phases found with their state and time,
 * succeeded ones folded, failed ones open, the failing command marked,
 * search, and lines that come later read as they come. */
static void
append (const char *path,
        const char *text)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileOutputStream) out = g_file_append_to (file, G_FILE_CREATE_NONE, NULL, NULL);

  g_assert_nonnull (out);
  g_assert_true (g_output_stream_write_all (G_OUTPUT_STREAM (out), text, strlen (text), NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (G_OUTPUT_STREAM (out), NULL, NULL));
}

static PwLogLine *
visible_line (PwLogModel *model,
              guint       position)
{
  static PwLogLine *last;

  g_clear_object (&last);
  if (model != NULL)
    last = g_list_model_get_item (pw_log_model_get_visible (model), position);
  return last;
}

static void
test_log_model (void)
{
  g_autofree char *folder = g_dir_make_tmp ("pipewright-log-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (folder, "Build.log", NULL);
  g_autoptr(PwLogModel) model = NULL;
  GListModel *visible;

  g_assert_true (g_file_set_contents (path,
    "2026-12-07T10:15:42.344Z Action Build (Build/AWS/CodeBuild) in stage Build\n"
    "2026-12-07T10:15:42.351Z [Container] 2026/12/07 10:15:42.351874 Phase is DOWNLOAD_SOURCE\n"
    "2026-12-07T10:15:42.411Z [Container] 2026/12/07 10:15:42.411109 Phase complete: DOWNLOAD_SOURCE State: SUCCEEDED\n"
    "2026-12-07T10:15:42.411Z [Container] 2026/12/07 10:15:42.411120 Entering phase BUILD\n"
    "2026-12-07T10:15:42.500Z [Container] 2026/12/07 10:15:42.500000 Running command make\n"
    "2026-12-07T10:15:42.600Z \033[31merror:\033[0m undefined reference to main\n"
    "2026-12-07T10:15:43.000Z [Container] 2026/12/07 10:15:43.000000 Command did not exit successfully make exit status 2\n"
    "2026-12-07T10:15:43.911Z [Container] 2026/12/07 10:15:43.911120 Phase complete: BUILD State: FAILED\n"
    "2026-12-07T10:15:43.912Z half a li", -1, NULL));

  model = pw_log_model_new (path);
  visible = pw_log_model_get_visible (model);
  /* Whole lines only: the one being written waits for its end. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 8);
  g_assert_cmpuint (pw_log_model_get_n_phases (model), ==, 2);
  g_assert_cmpstr (pw_log_model_get_phase_name (model, 0), ==, "DOWNLOAD_SOURCE");
  g_assert_cmpstr (pw_log_model_get_phase_state (model, 0), ==, "SUCCEEDED");
  g_assert_cmpstr (pw_log_model_get_phase_name (model, 1), ==, "BUILD");
  g_assert_cmpstr (pw_log_model_get_phase_state (model, 1), ==, "FAILED");
  g_assert_cmpfloat_with_epsilon (pw_log_model_get_phase_seconds (model, 1), 1.5, 0.001);

  /* The succeeded phase shows its header only; the failed one all. */
  g_assert_true (pw_log_model_get_phase_folded (model, 0));
  g_assert_false (pw_log_model_get_phase_folded (model, 1));
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 7);
  g_assert_cmpint (pw_log_line_get_kind (visible_line (model, 1)), ==, PW_LOG_LINE_PHASE);
  g_assert_cmpint (pw_log_line_get_kind (visible_line (model, 2)), ==, PW_LOG_LINE_PHASE);
  g_assert_cmpstr (pw_log_line_get_time (visible_line (model, 0)), ==, "10:15:42.344");
  g_assert_cmpstr (pw_log_line_get_text (visible_line (model, 4)), ==, "\033[31merror:\033[0m undefined reference to main");
  g_assert_cmpint (pw_log_line_get_kind (visible_line (model, 5)), ==, PW_LOG_LINE_FAILURE);

  /* Opened and folded again by the user. */
  pw_log_model_set_phase_folded (model, 0, FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 8);
  pw_log_model_set_phase_folded (model, 1, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 4);

  /* Search (any case) finds lines in folded phases, and showing one opens it. */
  g_assert_cmpint (pw_log_model_find (model, "UNDEFINED reference", 0, FALSE), ==, 5);
  g_assert_cmpint (pw_log_model_find (model, "Phase complete", 7, TRUE), ==, 7);
  g_assert_cmpint (pw_log_model_find (model, "nowhere", 0, FALSE), ==, -1);
  g_assert_cmpuint (pw_log_model_visible_position (model, 5), ==, 5);
  g_assert_false (pw_log_model_get_phase_folded (model, 1));

  /* The rest of the line, and more, as the action writes them. */
  append (path, "ne\n2026-12-07T10:15:44.000Z Action Failed: make failed\n");
  pw_log_model_refresh (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 10);
  {
    g_autoptr(PwLogLine) line = g_list_model_get_item (G_LIST_MODEL (model), 8);

    g_assert_cmpstr (pw_log_line_get_text (line), ==, "half a line");
  }
  g_assert_cmpint (pw_log_line_get_kind (visible_line (model, g_list_model_get_n_items (visible) - 1)), ==,
                   PW_LOG_LINE_FAILURE);

  g_clear_object (&model);
  visible_line (NULL, 0);
  g_remove (path);
  g_rmdir (folder);
}

static void
count_cb (guint *count)
{
  (*count)++;
}

static gboolean
has_n_lines (gpointer data)
{
  PwLogModel *model = data;

  return g_list_model_get_n_items (G_LIST_MODEL (model)) == 300000;
}

/* A log read in pieces (a few megabytes, a few milliseconds at a time, so
 * the window draws between them) ends as a whole: every line, in order,
 * none cut where a piece ended. */
static void
test_log_model_large (void)
{
  g_autofree char *folder = g_dir_make_tmp ("pw-log-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (folder, "big.log", NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(PwLogModel) model = NULL;
  guint changes = 0;

  for (guint i = 0; i < 300000; i++)
    g_string_append_printf (text, "2026-12-07T10:15:42.000Z line %06u of a build that prints a lot, "
                            "as fast as it can\n", i);
  g_assert_true (g_file_set_contents (path, text->str, text->len, NULL));
  g_assert_cmpuint (text->len, >, 4 * 1024 * 1024 * 4);

  model = pw_log_model_new (path);
  g_signal_connect_swapped (model, "items-changed", G_CALLBACK (count_cb), &changes);
  g_assert_true (pw_test_wait_until (has_n_lines, model, 60000));
  /* At most 4 MiB a piece: the first when opened, six or more after. */
  g_assert_cmpuint (changes, >=, 6);
  for (guint i = 0; i < 300000; i += 29999)
    {
      g_autoptr(PwLogLine) line = g_list_model_get_item (G_LIST_MODEL (model), i);
      g_autofree char *want = g_strdup_printf ("line %06u of a build that prints a lot, as fast as it can", i);

      g_assert_cmpstr (pw_log_line_get_text (line), ==, want);
    }
  g_assert_cmpint (pw_log_model_find (model, "line 299999 ", 0, FALSE), ==, 299999);

  g_clear_object (&model);
  g_remove (path);
  g_rmdir (folder);
}

static gboolean
view_shows_last (gpointer data)
{
  PwLogView *view = data;
  guint first, last;

  pw_log_view_get_shown_range (view, &first, &last);
  return last > 0 && last == g_list_model_get_n_items (pw_log_model_get_visible (pw_log_view_get_model (view)));
}

static gboolean
model_has (gpointer data)
{
  gpointer *pair = data;

  return g_list_model_get_n_items (G_LIST_MODEL (pair[0])) == GPOINTER_TO_UINT (pair[1]);
}

/* The log as the Runs panel draws it: the tail followed while the reader
 * is there and left alone when they scrolled up; colours without their
 * escapes; a phase's header folding on Enter; lines selected and copied
 * as the file has them; the keyboard moving through it. */
static void
test_log_view (void)
{
  g_autofree char *folder = g_dir_make_tmp ("pw-log-view-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (folder, "Build.log", NULL);
  g_autofree char *shot_dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "screenshots", NULL);
  g_autofree char *shot = g_build_filename (shot_dir, "log-view.png", NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(PwLogModel) model = NULL;
  g_autofree char *copied = NULL;
  GtkWidget *window, *scroller;
  PwLogView *view;
  GtkAdjustment *vadj;
  PangoLayout *layout;
  PangoAttrIterator *iter;
  gboolean coloured = FALSE;
  guint first, last, n;
  gpointer pair[2];

  g_string_append (text,
    "2026-12-07T10:15:42.344Z Action Build (Build/AWS/CodeBuild) in stage Build\n"
    "2026-12-07T10:15:42.411Z [Container] 2026/12/07 10:15:42.411120 Entering phase BUILD\n"
    "2026-12-07T10:15:42.600Z \033[31merror:\033[0m undefined reference to main\n");
  for (guint i = 0; i < 200; i++)
    g_string_append_printf (text, "2026-12-07T10:15:43.%03uZ compiling unit %u\n", i, i);
  g_assert_true (g_file_set_contents (path, text->str, text->len, NULL));
  model = pw_log_model_new (path);
  /* Read a few milliseconds at a time: on a slow machine over more turns. */
  pair[0] = model;
  pair[1] = GUINT_TO_POINTER (203);
  g_assert_true (pw_test_wait_until (model_has, pair, 5000));

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 320);
  scroller = gtk_scrolled_window_new ();
  view = PW_LOG_VIEW (pw_log_view_new ());
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (view));
  gtk_window_set_child (GTK_WINDOW (window), scroller);
  pw_log_view_set_model (view, model);
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (window);
  vadj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));

  /* Opened on the tail, which it follows. */
  g_assert_true (pw_test_wait_until (view_shows_last, view, 5000));
  g_assert_true (pw_log_view_get_following (view));
  pw_log_view_get_shown_range (view, &first, &last);
  g_assert_cmpuint (first, >, 0);
  append (path, "2026-12-07T10:15:44.000Z one more\n2026-12-07T10:15:44.001Z and the last\n");
  pw_log_model_refresh (model);
  pair[1] = GUINT_TO_POINTER (205);
  g_assert_true (pw_test_wait_until (model_has, pair, 5000));
  g_assert_true (pw_test_wait_until (view_shows_last, view, 5000));

  /* Scrolled to the top, the reader stays there as lines come. */
  gtk_adjustment_set_value (vadj, 0);
  g_assert_false (pw_log_view_get_following (view));
  append (path, "2026-12-07T10:15:45.000Z later\n");
  pair[1] = GUINT_TO_POINTER (206);
  g_assert_true (pw_test_wait_until (model_has, pair, 5000));
  pw_log_view_get_shown_range (view, &first, &last);
  g_assert_cmpuint (first, ==, 0);
  g_assert_cmpfloat (gtk_adjustment_get_value (vadj), ==, 0);

  /* ANSI colours: the escapes gone, the colour an attribute. */
  layout = pw_log_view_get_line_layout (view, 2);
  g_assert_nonnull (layout);
  g_assert_cmpstr (pango_layout_get_text (layout), ==, "error: undefined reference to main");
  iter = pango_attr_list_get_iterator (pango_layout_get_attributes (layout));
  do
    coloured |= pango_attr_iterator_get (iter, PANGO_ATTR_FOREGROUND) != NULL;
  while (pango_attr_iterator_next (iter));
  pango_attr_iterator_destroy (iter);
  g_assert_true (coloured);
  /* A phase's header says its name and state. */
  layout = pw_log_view_get_line_layout (view, 1);
  g_assert_true (g_str_has_prefix (pango_layout_get_text (layout), "▾ BUILD · running"));

  /* Lines selected and copied as the file has them, without escapes. */
  pw_log_view_select (view, 2, 3);
  copied = pw_log_view_dup_selected_text (view);
  g_assert_cmpstr (copied, ==, "10:15:42.600 error: undefined reference to main\n10:15:43.000 compiling unit 0\n");

  /* The keyboard: to the header, Enter folds its phase, End to the last. */
  n = g_list_model_get_n_items (pw_log_model_get_visible (model));
  pw_log_view_set_cursor (view, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "log.activate", NULL));
  g_assert_true (pw_log_model_get_phase_folded (model, 0));
  g_assert_cmpuint (g_list_model_get_n_items (pw_log_model_get_visible (model)), ==, 2);
  layout = pw_log_view_get_line_layout (view, 1);
  g_assert_true (g_str_has_prefix (pango_layout_get_text (layout), "▸ BUILD"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "log.activate", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (pw_log_model_get_visible (model)), ==, n);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "log.move", "(ib)", 3, FALSE));
  g_assert_cmpuint (pw_log_view_get_cursor (view), ==, n - 1);
  g_assert_true (view_shows_last (view));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "log.move", "(ib)", -1, TRUE));
  g_clear_pointer (&copied, g_free);
  copied = pw_log_view_dup_selected_text (view);
  g_assert_cmpstr (copied, ==, "10:15:44.001 and the last\n10:15:45.000 later\n");

  /* The search's matches highlighted, for a person to look at. */
  pw_log_view_set_highlight (view, "UNIT 19");
  pw_log_view_set_cursor (view, 25);
  gtk_widget_grab_focus (GTK_WIDGET (view));
  g_mkdir_with_parents (shot_dir, 0755);
  gtk_test_widget_wait_for_draw (window);
  pw_test_flush ();
  pw_test_save_png (window, shot);

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&model);
  g_remove (path);
  g_rmdir (folder);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  serve_notifications ();

  g_test_add_func ("/app/run/log-model", test_log_model);
  g_test_add_func ("/app/run/log-model-large", test_log_model_large);
  g_test_add_func ("/app/run/log-view", test_log_view);
  g_test_add_func ("/app/run/run-and-approve", test_run_and_approve);
  g_test_add_func ("/app/run/reject", test_reject);
  g_test_add_func ("/app/run/narrow", test_narrow);
  g_test_add_func ("/app/run/transitions", test_transitions);
  g_test_add_func ("/app/run/waiting", test_waiting);
  g_test_add_func ("/app/run/close-while-running", test_close_while_running);
  g_test_add_func ("/app/run/run-with-options", test_run_with_options);
  g_test_add_func ("/app/run/artifacts-and-variables", test_artifacts_and_variables);
  g_test_add_func ("/app/run/reports", test_reports);
  g_test_add_func ("/app/run/notifications", test_notifications);
  g_test_add_func ("/app/run/fail-and-retry", test_fail_and_retry);
  g_test_add_func ("/app/run/stop", test_stop);
  g_test_add_func ("/app/run/join-cli", test_join_cli);
  g_test_add_func ("/app/run/past-runs", test_past_runs);

  return g_test_run ();
}
