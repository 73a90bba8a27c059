/* bench-run.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Times runs in the app against the same runs by pipewright-cli:
 *   run.cli_10x10      `pipewright-cli run` of 10 stages (a source, then 9
 *                      stages of 10 trivial actions), from exec to exit
 *   run.app_10x10      the same pipeline run from a window (Run, to the end,
 *                      the canvas showing every status), from Run to the end
 *   run.app_overhead   what the window adds, in percent of the CLI's time
 * and the log view following a build that prints 50 MB as fast as it can:
 *   log.stall_max      the longest the main loop went without a frame
 *                      while the build printed (a frame is 16.7 ms)
 *   log.stall_idle     the same for a second at rest, before Run: the
 *                      machine's own regularity of frames
 *   log.frames_late    frames more than 20 ms after the one before, of
 *                      the frames while the build printed
 *   log.stall_start    the same from Run to the log's first line, while
 *                      the window changes for the run
 *   log.tail           from the action's end to its last line in the view
 *   log.rss            memory the window grew by, the 50 MB log read
 * One figure a line, `name: value unit`. Needs an X server (run-ui.sh). */

#define _GNU_SOURCE 1   /* RUSAGE_THREAD */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "pw-application.h"
#include "pw-window-private.h"

static guint RUNS = 5;

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y ? 1 : 0;
}

static double
median (GArray *samples)
{
  g_array_sort (samples, compare_double);
  return g_array_index (samples, double, samples->len / 2);
}

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
wait_for (gboolean (*condition) (gpointer),
          gpointer   data)
{
  gint64 deadline = g_get_monotonic_time () + 300 * G_TIME_SPAN_SECOND;
  guint wake = g_timeout_add (5, wake_cb, NULL);

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out");
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
}

/* A folder with the pipeline, its profile and the source folder. */
static char *
make_project (const char *name,
              const char *stages_yaml,
              const char *commands_yaml)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp (name, &error);
  g_autofree char *pipeline = NULL;
  g_autofree char *path = NULL;
  g_autofree char *src = NULL;
  g_autofree char *readme = NULL;
  g_autofree char *profile = NULL;

  g_assert_no_error (error);
  pipeline = g_strconcat ("pipeline:\n"
                          "  name: bench\n"
                          "  roleArn: arn:aws:iam::111122223333:role/bench\n"
                          "  pipelineType: V2\n"
                          "  executionMode: QUEUED\n"
                          "  artifactStore: {type: S3, location: bench-artifacts}\n"
                          "  stages:\n"
                          "    - name: Source\n"
                          "      actions:\n"
                          "        - name: Fetch\n"
                          "          actionTypeId: {category: Source, owner: AWS, provider: S3, version: \"1\"}\n"
                          "          configuration: {S3Bucket: src-bucket, S3ObjectKey: src, PollForSourceChanges: \"false\"}\n"
                          "          outputArtifacts: [{name: Src}]\n",
                          stages_yaml, NULL);
  path = g_build_filename (dir, "pipeline.yml", NULL);
  g_assert_true (g_file_set_contents (path, pipeline, -1, NULL));
  src = g_build_filename (dir, "bucket", "src", NULL);
  g_mkdir_with_parents (src, 0755);
  readme = g_build_filename (src, "README", NULL);
  g_assert_true (g_file_set_contents (readme, "bench\n", -1, NULL));
  profile = g_build_filename (dir, "pipewright.local.yml", NULL);
  {
    g_autofree char *text = g_strconcat ("s3:\n  src-bucket: ./bucket\ncommands:\n", commands_yaml, NULL);

    g_assert_true (g_file_set_contents (profile, text, -1, NULL));
  }
  return dir;
}

static void
remove_project (const char *dir)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);

  if (system (cmd) != 0)
    g_warning ("could not remove %s", dir);
}

/* 10 stages: Source (one S3 source action) and 9 stages of 10 parallel
 * trivial shell actions, 91 actions in all. */
static void
ten_by_ten (char **stages,
            char **commands)
{
  GString *s = g_string_new (NULL);
  GString *c = g_string_new (NULL);

  for (guint st = 1; st < 10; st++)
    {
      g_string_append_printf (s, "    - name: Stage%u\n      actions:\n", st);
      for (guint a = 0; a < 10; a++)
        {
          g_string_append_printf (s, "        - name: S%uA%u\n"
                                     "          actionTypeId: {category: Build, owner: Custom, provider: Shell, version: \"1\"}\n",
                                  st, a);
          g_string_append_printf (c, "  S%uA%u: {run: \"true\"}\n", st, a);
        }
    }
  *stages = g_string_free (s, FALSE);
  *commands = g_string_free (c, FALSE);
}

static double
cli_run (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "pipeline.yml", NULL);
  const char *argv[] = { g_getenv ("PIPEWRIGHT_CLI"), "run", path, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;
  gint64 start = g_get_monotonic_time ();

  g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("pipewright-cli run failed in %s", dir);
  return (g_get_monotonic_time () - start) / 1000.0;
}

static gboolean
document_ready (gpointer data)
{
  PwTextDocument *document = pw_window_get_document (data);

  return document != NULL && !pw_text_document_get_busy (document) && pw_text_document_get_pipeline (document) != NULL;
}

static PwWindow *
open_window (PwApplication *app,
             const char    *dir)
{
  g_autofree char *path = g_build_filename (dir, "pipeline.yml", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  PwWindow *window = pw_window_new (app);

  gtk_window_set_default_size (GTK_WINDOW (window), 1600, 1000);
  pw_window_load_file (window, file);
  /* PW_BENCH_HIDDEN: the same run with no window drawn, to tell the
   * engine's and the model's share from the drawing's. */
  if (g_getenv ("PW_BENCH_HIDDEN") == NULL)
    gtk_window_present (GTK_WINDOW (window));
  wait_for (document_ready, window);
  if (g_getenv ("PW_BENCH_HIDDEN") == NULL)
    gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  /* What opening leaves to idle time (the inspector's page, the code
   * view's highlighting) is done before anyone presses Run: it is not
   * the run's cost. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return window;
}

static void
count_frame_cb (GdkFrameClock *clock,
                guint         *frames)
{
  (*frames)++;
}

static gboolean
run_ended (gpointer data)
{
  PwRunController *runs = pw_window_get_runs (data);
  PwExecution *execution = pw_run_controller_get_execution (runs);

  return execution != NULL && pw_execution_is_finished (execution);
}

static void
engine_finished_cb (PwExecutor *executor,
                    const char *id,
                    const char *status,
                    gboolean   *done)
{
  *done = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *)data;
}

/* The engine alone in this process (no window, no execution objects). */
static double
engine_run (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "pipeline.yml", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PwDocument) document = NULL;
  g_autoptr(PwPipeline) pipeline = NULL;
  g_autoptr(PwLocalProfile) profile = NULL;
  g_autoptr(PwExecutor) executor = NULL;
  g_autofree char *id = NULL;
  gboolean done = FALSE;
  gint64 start;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  document = pw_document_load_data (text, -1, path, &error);
  pipeline = pw_document_dup_pipeline (document, NULL, &error);
  profile = pw_local_profile_load_beside (path, &error);
  executor = pw_executor_new (pipeline, path, NULL, profile, &error);
  g_assert_no_error (error);
  g_signal_connect (executor, "finished", G_CALLBACK (engine_finished_cb), &done);
  start = g_get_monotonic_time ();
  id = pw_executor_start (executor, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  wait_for (flag_set, &done);
  return (g_get_monotonic_time () - start) / 1000.0;
}

static double
app_run (PwApplication *app,
         const char    *dir)
{
  PwWindow *window;
  PwExecution *execution;
  gint64 start;
  double ms;

  if (g_getenv ("PW_BENCH_ENGINE") != NULL)
    return engine_run (dir);

  window = open_window (app, dir);
  {
    struct rusage before, after;
    GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
    guint frames = 0;
    gulong counter = clock != NULL
      ? g_signal_connect (clock, "after-paint", G_CALLBACK (count_frame_cb), &frames) : 0;

    getrusage (RUSAGE_THREAD, &before);
    start = g_get_monotonic_time ();
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
    wait_for (run_ended, window);
    ms = (g_get_monotonic_time () - start) / 1000.0;
    getrusage (RUSAGE_THREAD, &after);
    /* PW_BENCH_CPU: the main thread's own time during the run. */
    if (g_getenv ("PW_BENCH_CPU") != NULL)
      printf ("  app run %.1f ms, main thread cpu %.1f ms, %u frames\n", ms,
              (after.ru_utime.tv_sec - before.ru_utime.tv_sec) * 1e3 + (after.ru_utime.tv_usec - before.ru_utime.tv_usec) / 1e3 +
              (after.ru_stime.tv_sec - before.ru_stime.tv_sec) * 1e3 + (after.ru_stime.tv_usec - before.ru_stime.tv_usec) / 1e3,
              frames);
    if (counter != 0)
      g_signal_handler_disconnect (clock, counter);
  }
  execution = pw_run_controller_get_execution (pw_window_get_runs (window));
  if (g_strcmp0 (pw_execution_get_status (execution), "Succeeded") != 0)
    g_error ("the app's run ended %s", pw_execution_get_status (execution));
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return ms;
}

static void
bench_ten_by_ten (PwApplication *app)
{
  g_autofree char *stages = NULL;
  g_autofree char *commands = NULL;
  g_autoptr(GArray) cli = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) gui = g_array_new (FALSE, FALSE, sizeof (double));
  double c, g;

  ten_by_ten (&stages, &commands);
  for (guint i = 0; i < RUNS; i++)
    {
      g_autofree char *a = make_project ("pw-bench-cli-XXXXXX", stages, commands);
      g_autofree char *b = make_project ("pw-bench-app-XXXXXX", stages, commands);
      double ms;

      /* Alternating, so the machine's moods fall on both. */
      ms = cli_run (a);
      g_array_append_val (cli, ms);
      ms = app_run (app, b);
      g_array_append_val (gui, ms);
      remove_project (a);
      remove_project (b);
    }
  c = median (cli);
  g = median (gui);
  printf ("run.cli_10x10_median: %.1f ms (min %.1f, max %.1f)\n", c,
          g_array_index (cli, double, 0), g_array_index (cli, double, cli->len - 1));
  printf ("run.app_10x10_median: %.1f ms (min %.1f, max %.1f)\n", g,
          g_array_index (gui, double, 0), g_array_index (gui, double, gui->len - 1));
  printf ("run.app_overhead: %+.1f %%\n", (g - c) / c * 100.0);
  fflush (stdout);
}

/* The log view and a build printing 50 MB ------------------------------- */

typedef struct
{
  gint64 last;
  gint64 worst;
  gint64 start;
  guint frames;
  guint late;       /* frames more than 20 ms after the one before */
  gboolean measuring;
} Stalls;

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  Stalls *stalls = data;
  gint64 now = g_get_monotonic_time ();

  if (stalls->measuring && stalls->last != 0)
    {
      stalls->worst = MAX (stalls->worst, now - stalls->last);
      stalls->frames++;
      if (now - stalls->last > 20000)
        stalls->late++;
      /* PW_BENCH_STALLS: each late frame, to find what made it late. */
      if (g_getenv ("PW_BENCH_STALLS") != NULL && now - stalls->last > 17000)
        printf ("  late frame: %.1f ms, %.1f ms after Run\n", (now - stalls->last) / 1000.0,
                (now - stalls->start) / 1000.0);
    }
  stalls->last = now;
  return G_SOURCE_CONTINUE;
}

static long
rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "VmRSS:")) == NULL)
    return 0;
  return strtol (line + 6, NULL, 10);
}

typedef struct
{
  PwWindow *window;
  guint     lines;
} Tail;

static gboolean
action_ended (gpointer data)
{
  PwExecution *execution = pw_run_controller_get_execution (pw_window_get_runs (data));
  PwActionExecution *action = execution != NULL ? pw_execution_lookup_action (execution, "Build", "Loud") : NULL;

  return action != NULL && g_strcmp0 (pw_action_execution_get_status (action), "InProgress") != 0;
}

static gboolean
tail_shown (gpointer data)
{
  Tail *tail = data;
  PwLogModel *log = pw_runs_panel_get_log (tail->window->runs_panel);

  return log != NULL && g_list_model_get_n_items (G_LIST_MODEL (log)) >= tail->lines;
}

static void
bench_log (PwApplication *app)
{
  /* 50 MB of 100-byte lines, printed by a shell loop as fast as it goes. */
  const guint lines = 500000;
  g_autofree char *command = g_strdup_printf ("  Loud: {run: \"yes 'building something, line after line, as fast as it can be "
                                              "printed by a busy build' | head -n %u\"}\n", lines);
  g_autofree char *dir = make_project ("pw-bench-log-XXXXXX",
                                       "    - name: Build\n"
                                       "      actions:\n"
                                       "        - name: Loud\n"
                                       "          actionTypeId: {category: Build, owner: Custom, provider: Shell, version: \"1\"}\n",
                                       command);
  PwWindow *window = open_window (app, dir);
  Stalls stalls = { 0 };
  Tail tail = { window, lines };
  gint64 start_worst;
  long before;
  gint64 ended;
  guint tick;

  /* The Runs panel open on the action, as one watching its log has it. */
  pw_canvas_set_selection (pw_window_get_canvas (window), "stages[1].actions[0]");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-runs", NULL));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  before = rss_kb ();
  tick = gtk_widget_add_tick_callback (GTK_WIDGET (window), tick_cb, &stalls, NULL);
  /* The same measure with nothing to do, for a second: how regular this
   * machine's frames are at rest (Xvfb's clock is a timer, not a display). */
  {
    gint64 until = g_get_monotonic_time () + G_TIME_SPAN_SECOND;

    stalls.measuring = TRUE;
    while (g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, TRUE);
    printf ("log.stall_idle: %.1f ms (the longest gap between frames at rest, %u frames)\n",
            stalls.worst / 1000.0, stalls.frames);
    stalls.worst = 0;
    stalls.frames = stalls.late = 0;
    stalls.last = 0;
  }
  stalls.measuring = TRUE;
  stalls.start = g_get_monotonic_time ();
  if (g_getenv ("PW_BENCH_STALLS") != NULL)
    printf ("  Run at %.6f s (monotonic)\n", stalls.start / 1e6);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  pw_canvas_set_selection (pw_window_get_canvas (window), "stages[1].actions[0]");
  /* Starting a run changes the window (the run bar, the statuses): its
   * frames are the start's, apart from those while the build prints. */
  tail.lines = 1;
  wait_for (tail_shown, &tail);
  tail.lines = lines;
  start_worst = stalls.worst;
  stalls.worst = 0;
  stalls.frames = stalls.late = 0;
  wait_for (action_ended, window);
  ended = g_get_monotonic_time ();
  wait_for (tail_shown, &tail);
  printf ("log.tail: %.1f ms (%u lines, %.1f MB)\n", (g_get_monotonic_time () - ended) / 1000.0, lines,
          lines * 101 / 1e6);
  stalls.measuring = FALSE;
  printf ("log.stall_max: %.1f ms (while the build printed)\n", stalls.worst / 1000.0);
  printf ("log.frames_late: %u of %u (more than 20 ms after the one before)\n", stalls.late, stalls.frames);
  printf ("log.stall_start: %.1f ms (from Run to the log's first line)\n", start_worst / 1000.0);
  printf ("log.rss: %+ld kB\n", rss_kb () - before);
  fflush (stdout);
  gtk_widget_remove_tick_callback (GTK_WIDGET (window), tick);
  wait_for (run_ended, window);
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  remove_project (dir);
}

int
main (int    argc,
      char **argv)
{
  PwApplication *app;
  g_autoptr(GError) error = NULL;

  if (g_getenv ("PIPEWRIGHT_CLI") == NULL)
    g_error ("PIPEWRIGHT_CLI is not set");
  /* As the app's main() does. */
  if (!pw_engine_prepare_keepers (&error))
    g_error ("%s", error->message);
  if (g_getenv ("PW_BENCH_RUNS") != NULL)
    RUNS = (guint)g_ascii_strtoull (g_getenv ("PW_BENCH_RUNS"), NULL, 10);

  gtk_init ();
  adw_init ();
  app = pw_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("%s", error->message);
  /* No notifications: nobody serves them here. */
  {
    g_autoptr(GSettings) settings = g_settings_new ("io.github.pipewright.Pipewright");

    g_settings_set_boolean (settings, "notify-approvals", FALSE);
    g_settings_set_boolean (settings, "notify-run-end", FALSE);
  }

  /* PW_BENCH_ONLY=run or =log, to profile one part. */
  if (g_strcmp0 (g_getenv ("PW_BENCH_ONLY"), "log") != 0)
    bench_ten_by_ten (app);
  if (g_strcmp0 (g_getenv ("PW_BENCH_ONLY"), "run") != 0)
    bench_log (app);
  g_object_unref (app);
  return 0;
}
