/* test-dnd.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gdk/x11/gdkx.h>

#include "pw-action-card.h"
#include "pw-app-util.h"
#include "pw-test-utils.h"

/*
 * Real drags. GTK 4 cannot synthesize input, so these move the X server's
 * own pointer with xdotool (XTest), which GTK receives exactly as it would
 * a person's: press on a card, move past the drag threshold, across the
 * canvas, release over a drop place. The main loop runs between every step
 * so the window sees each motion.
 */

typedef struct
{
  char     *folder;
  char     *path;
  char     *original;
  PwWindow *window;
  guint     failures;
} Fixture;

static void
edit_failed_cb (PwTextDocument *document,
                const char     *message,
                Fixture        *fixture)
{
  fixture->failures++;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *source = pw_test_data_path ("examples", "hello", "pipeline.yml", NULL);

  fixture->path = pw_test_copy_to_tmp (source, &fixture->folder);
  g_assert_true (g_file_get_contents (fixture->path, &fixture->original, NULL, NULL));
  fixture->window = pw_test_open_window (fixture->path, 1500, 950);
  /* Every drop place on screen: the whole pipeline in view. */
  gtk_widget_activate_action (GTK_WIDGET (pw_window_get_canvas (fixture->window)), "canvas.zoom-fit", NULL);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));
  pw_test_flush ();
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
}

static gboolean
child_done (gpointer data)
{
  return *(gboolean *)data;
}

static void
child_exited_cb (GPid     pid,
                 int      status,
                 gpointer data)
{
  g_spawn_close_pid (pid);
  *(gboolean *)data = TRUE;
}

/* Runs xdotool and keeps the main loop turning until it is done, then
 * until the window has drawn what followed. */
static void
xdotool (PwWindow   *window,
         const char *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;
  const char *arg;
  va_list args;
  GPid pid;

  g_ptr_array_add (argv, g_strdup ("xdotool"));
  va_start (args, first);
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_async (NULL, (char **)argv->pdata, NULL,
                                G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  g_child_watch_add (pid, child_exited_cb, &done);
  g_assert_true (pw_test_wait_until (child_done, &done, 10000));
  gdk_display_sync (gtk_widget_get_display (GTK_WIDGET (window)));
  pw_test_flush ();
}

/* Where @point of @widget is on the window's X surface. */
static void
surface_point (GtkWidget *widget,
               double     x,
               double     y,
               int       *sx,
               int       *sy)
{
  GtkNative *native = gtk_widget_get_native (widget);
  graphene_point_t point;
  double tx, ty;

  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (native), &GRAPHENE_POINT_INIT (x, y), &point));
  gtk_native_get_surface_transform (native, &tx, &ty);
  *sx = (int)(point.x + tx);
  *sy = (int)(point.y + ty);
}

static void
move_to (PwWindow  *window,
         GtkWidget *widget,
         double     x,
         double     y)
{
  g_autofree char *xid = g_strdup_printf ("%lu", gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (window))));
  g_autofree char *sx = NULL;
  g_autofree char *sy = NULL;
  int ix, iy;

  surface_point (widget, x, y, &ix, &iy);
  sx = g_strdup_printf ("%d", ix);
  sy = g_strdup_printf ("%d", iy);
  xdotool (window, "mousemove", "--window", xid, sx, sy, NULL);
}

/* Presses at (x1, y1) of @from, moves in steps to (x2, y2) of @to, and
 * releases there, as a hand would. */
static void
drag (PwWindow  *window,
      GtkWidget *from,
      double     x1,
      double     y1,
      GtkWidget *to,
      double     x2,
      double     y2)
{
  int ax, ay, bx, by;

  surface_point (from, x1, y1, &ax, &ay);
  surface_point (to, x2, y2, &bx, &by);

  move_to (window, from, x1, y1);
  xdotool (window, "mousedown", "1", NULL);
  for (int i = 1; i <= 12; i++)
    {
      g_autofree char *xid = g_strdup_printf ("%lu", gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (window))));
      g_autofree char *sx = g_strdup_printf ("%d", ax + (bx - ax) * i / 12);
      g_autofree char *sy = g_strdup_printf ("%d", ay + (by - ay) * i / 12);

      xdotool (window, "mousemove", "--window", xid, sx, sy, NULL);
      gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
    }
  xdotool (window, "mouseup", "1", NULL);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  pw_test_flush ();
}

static PwPipeline *
pipeline_of (Fixture *fixture)
{
  return pw_text_document_get_pipeline (pw_window_get_document (fixture->window));
}

static int
find_action (PwStage    *stage,
             const char *name)
{
  for (guint i = 0; i < pw_stage_get_n_actions (stage); i++)
    if (g_strcmp0 (pw_action_get_name (pw_stage_get_action (stage, i)), name) == 0)
      return (int)i;
  return -1;
}

static void
test_drag_card_to_new_group (Fixture       *fixture,
                             gconstpointer  data)
{
  PwCanvas *canvas = pw_window_get_canvas (fixture->window);
  GtkWidget *card = pw_canvas_get_action_card (canvas, 1, 1);
  PwStage *release;
  double x, y;
  int index;

  g_assert_cmpstr (pw_action_card_get_title (PW_ACTION_CARD (card)), ==, "UnitTests");
  /* Onto Release, after its last group: a new group, runOrder 3. */
  g_assert_true (pw_canvas_get_drop_point (canvas, PW_DROP_GAP, 2, 2, &x, &y));
  drag (fixture->window, card, 40, 12, GTK_WIDGET (canvas), x, y);

  g_assert_cmpuint (fixture->failures, ==, 0);
  release = pw_pipeline_get_stage (pipeline_of (fixture), 2);
  index = find_action (release, "UnitTests");
  g_assert_cmpint (index, >=, 0);
  g_assert_cmpint (pw_action_get_run_order (pw_stage_get_action (release, index)), ==, 3);
  g_assert_cmpint (find_action (pw_pipeline_get_stage (pipeline_of (fixture), 1), "UnitTests"), ==, -1);
  g_assert_cmpstr (pw_history_get_undo_label (pw_text_document_get_history (pw_window_get_document (fixture->window))),
                   ==, "Move action UnitTests to stage Release");
}

static void
test_drag_card_into_group (Fixture       *fixture,
                           gconstpointer  data)
{
  PwCanvas *canvas = pw_window_get_canvas (fixture->window);
  GtkWidget *card = pw_canvas_get_action_card (canvas, 2, 0);
  PwStage *release;
  double x, y;

  g_assert_cmpstr (pw_action_card_get_title (PW_ACTION_CARD (card)), ==, "Approve");
  /* Approve joins Publish and Stack in their group (runOrder 2). */
  g_assert_true (pw_canvas_get_drop_point (canvas, PW_DROP_GROUP, 2, 1, &x, &y));
  drag (fixture->window, card, 40, 12, GTK_WIDGET (canvas), x, y);

  release = pw_pipeline_get_stage (pipeline_of (fixture), 2);
  g_assert_cmpint (pw_action_get_run_order (pw_stage_get_action (release, find_action (release, "Approve"))), ==, 2);
  g_assert_cmpuint (pw_canvas_get_n_cards (canvas), ==, 6);
}

static void
test_drag_stage (Fixture       *fixture,
                 gconstpointer  data)
{
  PwCanvas *canvas = pw_window_get_canvas (fixture->window);
  GtkWidget *header = pw_canvas_get_stage_header (canvas, 2);
  double x, y;

  /* Release, dragged by its header, before Build. */
  g_assert_true (pw_canvas_get_drop_point (canvas, PW_DROP_STAGE, 1, 0, &x, &y));
  drag (fixture->window, header, 30, 14, GTK_WIDGET (canvas), x, y);

  g_assert_cmpstr (pw_stage_get_name (pw_pipeline_get_stage (pipeline_of (fixture), 1)), ==, "Release");
  g_assert_cmpstr (pw_stage_get_name (pw_pipeline_get_stage (pipeline_of (fixture), 2)), ==, "Build");
}

static void
test_refused_drag (Fixture       *fixture,
                   gconstpointer  data)
{
  PwCanvas *canvas = pw_window_get_canvas (fixture->window);
  GtkWidget *card = pw_canvas_get_action_card (canvas, 0, 0);
  g_autofree char *text = NULL;
  double x, y;

  /* The source action dropped on Build: refused, nothing changes. */
  g_assert_true (pw_canvas_get_drop_point (canvas, PW_DROP_GAP, 1, 1, &x, &y));
  drag (fixture->window, card, 40, 12, GTK_WIDGET (canvas), x, y);

  g_assert_cmpuint (fixture->failures, ==, 1);
  text = pw_test_buffer_text (fixture->window);
  g_assert_cmpstr (text, ==, fixture->original);
}

static GtkWidget *
palette_row (GtkWidget  *widget,
             const char *provider,
             const char *category)
{
  const PwProviderInfo *info = g_object_get_data (G_OBJECT (widget), "provider");

  if (GTK_IS_LIST_BOX_ROW (widget) && info != NULL &&
      g_str_equal (info->provider, provider) && g_str_equal (info->category, category))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = palette_row (child, provider, category);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_drag_from_palette (Fixture       *fixture,
                        gconstpointer  data)
{
  PwCanvas *canvas = pw_window_get_canvas (fixture->window);
  GtkWidget *row = palette_row (GTK_WIDGET (pw_window_get_palette (fixture->window)), "CodeBuild", "Build");
  PwStage *release;
  PwAction *added;
  double x, y;
  int index;

  g_assert_nonnull (row);
  /* A CodeBuild build dropped after Release's last group. */
  g_assert_true (pw_canvas_get_drop_point (canvas, PW_DROP_GAP, 2, 2, &x, &y));
  drag (fixture->window, row, 30, 12, GTK_WIDGET (canvas), x, y);

  release = pw_pipeline_get_stage (pipeline_of (fixture), 2);
  index = find_action (release, "CodeBuild");
  g_assert_cmpint (index, >=, 0);
  added = pw_stage_get_action (release, index);
  g_assert_cmpstr (pw_action_get_category (added), ==, "Build");
  g_assert_cmpint (pw_action_get_run_order (added), ==, 3);
  {
    g_autofree char *expected = g_strdup_printf ("stages[2].actions[%d]", index);
    g_assert_cmpstr (pw_canvas_get_selection (canvas), ==, expected);
  }
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  if (!GDK_IS_X11_DISPLAY (gdk_display_get_default ()))
    {
      /* xdotool drives an X server; these tests need one (run-ui.sh
       * starts Xvfb). Not a skip: a failure says what is missing. */
      g_printerr ("Bail out! the drag tests need an X11 display\n");
      return 1;
    }

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/app/dnd/card-to-new-group", test_drag_card_to_new_group);
  ADD ("/app/dnd/card-into-group", test_drag_card_into_group);
  ADD ("/app/dnd/stage", test_drag_stage);
  ADD ("/app/dnd/refused", test_refused_drag);
  ADD ("/app/dnd/from-palette", test_drag_from_palette);

  return g_test_run ();
}
