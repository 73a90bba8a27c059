/* bench-canvas.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Times the app on generated workloads (../shared/bench/gen-pipeline.py):
 *   max     the largest pipeline the service allows: 50 stages, 500 actions
 *   stress  50 stages, 2,451 actions (5x the quota)
 * For each:
 *   snapshot   the canvas's own snapshot (what it records for a frame)
 *   frame      a whole frame of the window after a scroll: layout, snapshot
 *              and drawing (cairo, on the X server this runs on)
 *   edit       an edit from the inspector on the text: the text edit, the
 *              re-read, the re-validation and the canvas rebuilt, until the
 *              next frame is on screen
 *   drop       a drop of a card into a new group of another stage, the same
 *              way, until the next frame
 *   launch     (max only) a new process opening the file, from exec to its
 *              first frame
 * One figure a line, `name: value unit`, as the other benchmarks print.
 * Needs an X server: meson runs it under tests/app/run-ui.sh (Xvfb). */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <adwaita.h>

#include "pw-application.h"
#include "pw-window-private.h"

static guint RUNS = 21;

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y ? 1 : 0;
}

static void
figure (const char *workload,
        const char *name,
        GArray     *samples)
{
  double lo, hi, m;

  g_array_sort (samples, compare_double);
  m = g_array_index (samples, double, samples->len / 2);
  lo = g_array_index (samples, double, 0);
  hi = g_array_index (samples, double, samples->len - 1);
  printf ("canvas.%s.%s_median: %.2f ms (min %.2f, max %.2f)\n", workload, name, m, lo, hi);
  fflush (stdout);
}

static char *
generate (const char *shared,
          const char *dir,
          const char *name,
          const char *const *args)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autofree char *gen = g_build_filename (shared, "bench", "gen-pipeline.py", NULL);
  g_autofree char *out = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  int status;

  g_strv_builder_add_many (b, "python3", gen, out, NULL);
  g_strv_builder_addv (b, (const char **)args);
  argv = g_strv_builder_end (b);

  if (!g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_error ("gen-pipeline.py failed: %s", error->message);

  return g_build_filename (out, "pipeline.json", NULL);
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
  guint wake = g_timeout_add (2, wake_cb, NULL);

  while (!condition (data))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
}

static gboolean
document_ready (gpointer data)
{
  PwTextDocument *document = pw_window_get_document (data);

  return document != NULL && !pw_text_document_get_busy (document) &&
         pw_text_document_get_pipeline (document) != NULL;
}

/* Frame timing from the window's frame clock: from the start of the layout
 * phase to the end of the paint phase. */
typedef struct
{
  gint64   layout_start;
  gint64   paint_start;
  double   last_ms;
  double   last_layout_ms;
  guint    frames;
} FrameTimes;

static void
paint_cb (GdkFrameClock *clock,
          FrameTimes    *times)
{
  times->paint_start = g_get_monotonic_time ();
  if (times->layout_start != 0)
    times->last_layout_ms = (times->paint_start - times->layout_start) / 1000.0;
}

static void
layout_cb (GdkFrameClock *clock,
           FrameTimes    *times)
{
  times->layout_start = g_get_monotonic_time ();
}

static void
after_paint_cb (GdkFrameClock *clock,
                FrameTimes    *times)
{
  if (times->layout_start != 0)
    times->last_ms = (g_get_monotonic_time () - times->layout_start) / 1000.0;
  times->layout_start = 0;
  times->frames++;
}

typedef struct
{
  FrameTimes *times;
  guint       frames;
} FrameWait;

static gboolean
frame_drawn (gpointer data)
{
  FrameWait *wait = data;

  return wait->times->frames > wait->frames;
}

static void
next_frame (GtkWidget  *widget,
            FrameTimes *times)
{
  FrameWait wait = { times, times->frames };

  gtk_widget_queue_draw (widget);
  wait_for (frame_drawn, &wait);
}

static PwWindow *
open_window (PwApplication *app,
             const char    *path)
{
  PwWindow *window = pw_window_new (app);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  gtk_window_set_default_size (GTK_WINDOW (window), 1600, 1000);
  pw_window_load_file (window, file);
  gtk_window_present (GTK_WINDOW (window));
  wait_for (document_ready, window);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  return window;
}

static gboolean
set_name_func (PwEditor  *editor,
               gpointer   user_data,
               GError   **error)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, user_data);
  return pw_editor_set (editor, "stages[1].actions[0].name", node, error);
}

typedef struct
{
  guint from_stage;
  guint from_action;
  guint to_stage;
  gint64 run_order;
} Move;

static gboolean
move_func (PwEditor  *editor,
           gpointer   user_data,
           GError   **error)
{
  Move *move = user_data;

  return pw_editor_move_action (editor, move->from_stage, move->from_action, move->to_stage, -1,
                                move->run_order, FALSE, error);
}

static void
bench_workload (PwApplication *app,
                const char    *workload,
                const char    *path)
{
  PwWindow *window = open_window (app, path);
  PwCanvas *canvas = pw_window_get_canvas (window);
  PwTextDocument *document = pw_window_get_document (window);
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_autoptr(GArray) snapshot = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) frame = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) edit = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) drop = g_array_new (FALSE, FALSE, sizeof (double));
  FrameTimes times = { 0 };
  gulong layout_id, paint_id;
  GtkAdjustment *hadjustment;

  printf ("canvas.%s.cards: %u\n", workload, pw_canvas_get_n_cards (canvas));

  layout_id = g_signal_connect (clock, "layout", G_CALLBACK (layout_cb), &times);
  g_signal_connect (clock, "paint", G_CALLBACK (paint_cb), &times);
  paint_id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &times);
  hadjustment = gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (canvas));

  for (guint i = 0; i < RUNS; i++)
    {
      GtkSnapshot *s = gtk_snapshot_new ();
      g_autoptr(GskRenderNode) node = NULL;
      gint64 start = g_get_monotonic_time ();
      double ms;

      GTK_WIDGET_GET_CLASS (canvas)->snapshot (GTK_WIDGET (canvas), s);
      node = gtk_snapshot_free_to_node (s);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (snapshot, ms);

      /* A scroll of a card's width, and the frame that follows. */
      gtk_adjustment_set_value (hadjustment, (i % 2) * 240.0);
      next_frame (GTK_WIDGET (canvas), &times);
      g_array_append_val (frame, times.last_ms);
    }
  figure (workload, "snapshot", snapshot);
  figure (workload, "frame", frame);

  for (guint i = 0; i < RUNS; i++)
    {
      g_autofree char *name = g_strdup_printf ("Build%u", i);
      gint64 start = g_get_monotonic_time ();
      double ms;

      g_assert_true (pw_text_document_edit (document, "Rename", set_name_func, name, NULL));
      next_frame (GTK_WIDGET (canvas), &times);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (edit, ms);
    }
  figure (workload, "edit", edit);

  for (guint i = 0; i < RUNS; i++)
    {
      PwPipeline *pipeline = pw_text_document_get_pipeline (document);
      /* There (a new last group of stage 2) and back, so every run moves a
       * card between two stages of the same sizes. */
      Move move = i % 2 == 0
                ? (Move) { 1, 0, 2, 999 }
                : (Move) { 2, pw_stage_get_n_actions (pw_pipeline_get_stage (pipeline, 2)) - 1, 1, 1 };
      gint64 start = g_get_monotonic_time ();
      double ms;

      g_assert_true (pw_text_document_edit (document, "Move", move_func, &move, NULL));
      next_frame (GTK_WIDGET (canvas), &times);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (drop, ms);
    }
  figure (workload, "drop", drop);

  g_signal_handler_disconnect (clock, layout_id);
  g_signal_handler_disconnect (clock, paint_id);
  gtk_text_buffer_set_modified (GTK_TEXT_BUFFER (pw_text_document_get_buffer (document)), FALSE);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* --launch: the child process of the launch figure. It prints one line at
 * its first frame and exits. */
static void mark (const char *what);

static void
first_frame_cb (GdkFrameClock *clock,
                gpointer       data)
{
  mark ("first frame");
  printf ("first-frame\n");
  fflush (stdout);
  exit (0);
}

static gint64 launch_start;

static void
mark (const char *what)
{
  if (g_getenv ("PW_BENCH_PHASES") != NULL)
    g_printerr ("%7.1f ms  %s\n", (g_get_monotonic_time () - launch_start) / 1000.0, what);
}

static int
launch_child (const char *path)
{
  PwApplication *app;
  PwWindow *window;
  g_autoptr(GFile) file = g_file_new_for_path (path);

  launch_start = g_get_monotonic_time ();
  gtk_init ();
  mark ("gtk_init");
  adw_init ();
  mark ("adw_init");
  app = pw_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
  g_application_register (G_APPLICATION (app), NULL, NULL);
  mark ("application");
  window = pw_window_new (app);
  mark ("window");
  gtk_window_set_default_size (GTK_WINDOW (window), 1600, 1000);
  pw_window_load_file (window, file);
  /* As PwApplication opens a file. */
  pw_window_present_loaded (window);
  mark ("present");
  wait_for (document_ready, window);
  mark ("loaded");
  /* The first frame with the canvas on it. */
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint", G_CALLBACK (first_frame_cb), NULL);
  gtk_widget_queue_draw (GTK_WIDGET (window));
  for (;;)
    g_main_context_iteration (NULL, TRUE);
  return 1;
}

static void
bench_launch (const char *self_path,
              const char *path)
{
  g_autoptr(GArray) launch = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < 9; i++)
    {
      const char *argv[] = { self_path, "--launch", path, NULL };
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      gint64 start = g_get_monotonic_time ();
      int status;
      double ms;

      if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                         &status, &error) || strstr (out, "first-frame") == NULL)
        g_error ("launch failed: %s", error != NULL ? error->message : out);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (launch, ms);
    }
  figure ("max", "launch", launch);
}

int
main (int    argc,
      char **argv)
{
  const char *shared = g_getenv ("PW_SHARED_DIR");
  g_autofree char *dir = NULL;
  g_autofree char *max = NULL;
  g_autofree char *stress = NULL;
  g_autoptr(GError) error = NULL;
  PwApplication *app;
  static const char *max_args[] = { "--workload", "validate", "--stages", "50", "--actions", "10",
                                    "--group", "5", NULL };
  static const char *stress_args[] = { "--workload", "validate", NULL };

  if (argc == 3 && g_str_equal (argv[1], "--launch"))
    return launch_child (argv[2]);

  if (shared == NULL)
    g_error ("PW_SHARED_DIR is not set");
  /* Fewer runs, or the stress workload alone, to profile one part. */
  if (g_getenv ("PW_BENCH_RUNS") != NULL)
    RUNS = (guint)g_ascii_strtoull (g_getenv ("PW_BENCH_RUNS"), NULL, 10);

  gtk_init ();
  adw_init ();
  app = pw_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
  g_application_register (G_APPLICATION (app), NULL, NULL);

  dir = g_dir_make_tmp ("pipewright-bench-XXXXXX", &error);
  if (dir == NULL)
    g_error ("%s", error->message);
  max = generate (shared, dir, "max", max_args);
  stress = generate (shared, dir, "stress", stress_args);

  if (g_getenv ("PW_BENCH_STRESS_ONLY") == NULL)
    bench_launch (argv[0], max);
  if (g_getenv ("PW_BENCH_STRESS_ONLY") == NULL)
    bench_workload (app, "max", max);
  bench_workload (app, "stress", stress);

  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
    if (system (cmd) != 0)
      g_warning ("could not remove %s", dir);
  }

  return 0;
}
