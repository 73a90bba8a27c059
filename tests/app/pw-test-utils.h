/* pw-test-utils.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <glib/gstdio.h>

#if defined(__SANITIZE_ADDRESS__)
# include <link.h>
# include <sanitizer/lsan_interface.h>
/* libasan's allocator queries (GCC 12 ships no header for them). */
int    __sanitizer_get_ownership (const volatile void *p);
size_t __sanitizer_get_allocated_size (const volatile void *p);
#endif

#include "pw-application.h"
#include "pw-window.h"
#include "pw-window-private.h"

G_BEGIN_DECLS

/*
 * What the UI tests share: one application, windows opened on fixtures,
 * and waiting on the main loop until something a user would see is true —
 * never a fixed sleep. The loop is woken every few milliseconds so a
 * condition that changes without an event (a worker thread's result) is
 * seen; the deadline only turns a hang into a failure.
 */

#if defined(__SANITIZE_ADDRESS__)
/* GLib keeps its quark names in a block it replaces when it fills up,
 * leaving the old one allocated on purpose (lookups read it without a
 * lock). Under GTK the first block, made by GLib's constructor, fills up:
 * LeakSanitizer would report it, from a stack it cannot name. Before main,
 * while it is still GLib's current block, it is found (a heap block of
 * 2,048 pointers, the first quark's name at index 1, pointed to from
 * GLib's own data) and told to LeakSanitizer: that one block only. */
static int
pw_test_find_quarks_cb (struct dl_phdr_info *info,
                        size_t               size,
                        void                *data)
{
  const char *first = g_quark_to_string (1);

  if (strstr (info->dlpi_name, "libglib-2.0.so") == NULL)
    return 0;

  for (int i = 0; i < info->dlpi_phnum; i++)
    {
      const ElfW(Phdr) *segment = &info->dlpi_phdr[i];
      char **words, **end;

      if (segment->p_type != PT_LOAD || !(segment->p_flags & PF_W))
        continue;
      words = (char **)(info->dlpi_addr + segment->p_vaddr);
      end = words + segment->p_memsz / sizeof (char *);
      for (; words < end; words++)
        {
          char **block = (char **)*words;

          if (block != NULL && __sanitizer_get_ownership (block) &&
              __sanitizer_get_allocated_size (block) == 2048 * sizeof (char *) &&
              block[0] == NULL && block[1] == first)
            {
              __lsan_ignore_object (block);
              *(gboolean *)data = TRUE;
              return 1;
            }
        }
    }
  return 0;
}

__attribute__((constructor)) static void
pw_test_ignore_quark_block (void)
{
  gboolean found = FALSE;

  dl_iterate_phdr (pw_test_find_quarks_cb, &found);
  if (!found)
    g_printerr ("# GLib's first quark block was not found: LeakSanitizer may report it (16384 bytes)\n");
}
#endif

typedef gboolean (*PwTestCondition) (gpointer data);

static gboolean
pw_test_wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static inline gboolean
pw_test_wait_until (PwTestCondition condition,
                    gpointer        data,
                    guint           timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;
  guint wake = g_timeout_add (5, pw_test_wake_cb, NULL);
  gboolean met;

  while (!(met = condition (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (wake);
  return met;
}

static inline void
pw_test_flush (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static inline gboolean
pw_test_document_ready (gpointer data)
{
  PwWindow *window = data;
  PwTextDocument *document = pw_window_get_document (window);

  return document != NULL && !pw_text_document_get_busy (document) &&
         (pw_text_document_get_pipeline (document) != NULL || pw_text_document_get_error (document) != NULL);
}

static inline gboolean
pw_test_document_current (gpointer data)
{
  PwWindow *window = data;
  PwTextDocument *document = pw_window_get_document (window);

  return document != NULL && !pw_text_document_get_busy (document) &&
         (pw_text_document_is_current (document) || pw_text_document_get_error (document) != NULL);
}

/* GTK's "Trying to snapshot X 0x… without a current allocation" names a
 * pointer; say which widget that is (its ancestry) before the warning
 * aborts the test, so the layout bug can be found. */
static GLogWriterOutput
pw_test_log_writer (GLogLevelFlags   level,
                    const GLogField *fields,
                    gsize            n_fields,
                    gpointer         data)
{
  for (gsize i = 0; i < n_fields; i++)
    {
      const char *message, *at;
      gpointer pointer = NULL;

      if (g_strcmp0 (fields[i].key, "MESSAGE") != 0)
        continue;
      message = fields[i].value;
      if (strstr (message, "without a current allocation") == NULL || (at = strstr (message, " 0x")) == NULL)
        continue;
      pointer = (gpointer)(gsize)g_ascii_strtoull (at + 1, NULL, 16);
      if (pointer != NULL && GTK_IS_WIDGET (pointer))
        {
          g_printerr ("# unallocated widget:");
          for (GtkWidget *w = pointer; w != NULL; w = gtk_widget_get_parent (w))
            g_printerr (" %s", G_OBJECT_TYPE_NAME (w));
          g_printerr ("\n");
        }
    }
  return g_log_writer_default (level, fields, n_fields, data);
}

static inline PwApplication *
pw_test_application (void)
{
  static PwApplication *app;

  if (app == NULL)
    {
      g_autoptr(GError) error = NULL;

      g_log_set_writer_func (pw_test_log_writer, NULL, NULL);
      /* What a test looks at is where things end up, not how they move:
       * no flap slides while a screenshot is taken. */
      g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
      app = pw_application_new ();
      /* No session bus in tests: a non-unique instance registers locally and
       * runs startup (actions, accelerators, the style sheet). */
      g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
      g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
      g_assert_no_error (error);
    }

  return app;
}

static inline char *
pw_test_data_path (const char *first,
                   ...)
{
  g_autoptr(GString) path = g_string_new (g_getenv ("PW_SOURCE_ROOT"));
  const char *part;
  va_list args;

  g_assert_nonnull (path->str);
  va_start (args, first);
  for (part = first; part != NULL; part = va_arg (args, const char *))
    g_string_append_printf (path, "/%s", part);
  va_end (args);

  return g_string_free (g_steal_pointer (&path), FALSE);
}

/* A window on @path (a copy of it in a temporary folder when @copy, so the
 * test may save), loaded, shown and drawn. */
static inline PwWindow *
pw_test_open_window (const char *path,
                     int         width,
                     int         height)
{
  PwWindow *window = pw_window_new (pw_test_application ());
  g_autoptr(GFile) file = g_file_new_for_path (path);

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  pw_window_load_file (window, file);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (pw_test_wait_until (pw_test_document_ready, window, 20000));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  pw_test_flush ();
  return window;
}

/* A copy of @source in a new temporary folder; the caller removes it. */
static inline char *
pw_test_copy_to_tmp (const char *source,
                     char      **folder)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *base = g_path_get_basename (source);
  gsize length;
  char *path;

  *folder = g_dir_make_tmp ("pipewright-test-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (source, &contents, &length, &error));
  path = g_build_filename (*folder, base, NULL);
  g_assert_true (g_file_set_contents (path, contents, length, &error));
  return path;
}

static inline void
pw_test_remove_tmp (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);
      g_remove (path);
    }
  g_rmdir (folder);
}

static inline void
pw_test_close_window (PwWindow *window)
{
  PwTextDocument *document = pw_window_get_document (window);

  /* Tests throw their edits away; the save prompt has its own test. */
  if (document != NULL)
    gtk_text_buffer_set_modified (GTK_TEXT_BUFFER (pw_text_document_get_buffer (document)), FALSE);
  gtk_window_destroy (GTK_WINDOW (window));
  pw_test_flush ();
}

/* The window as the user sees it, written to @path as PNG. */
static inline void
pw_test_save_png (GtkWidget  *widget,
                  const char *path)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  /* A window keeps no render node of its own to paint from: take its
   * content, which is also what a screenshot should show (no shadow). */
  if (GTK_IS_WINDOW (widget))
    {
      widget = gtk_widget_get_first_child (widget);
      width = gtk_widget_get_width (widget);
      height = gtk_widget_get_height (widget);
    }
  paintable = gtk_widget_paintable_new (widget);

  /* The paintable takes its image when the widget next draws. */
  gtk_widget_queue_draw (widget);
  gtk_test_widget_wait_for_draw (widget);
  pw_test_flush ();
  {
    g_autoptr(GdkPaintable) image = gdk_paintable_get_current_image (paintable);
    GdkRGBA background = { 0.98f, 0.98f, 0.98f, 1.f };

    /* The window paints its background under its content: without it,
     * translucent separators and shadows would come out on nothing. */
    gtk_style_context_lookup_color (gtk_widget_get_style_context (gtk_widget_get_parent (widget)),
                                    "window_bg_color", &background);
    gtk_snapshot_append_color (snapshot, &background, &GRAPHENE_RECT_INIT (0, 0, (float)width, (float)height));
    gdk_paintable_snapshot (image, snapshot, width, height);
  }
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

static inline char *
pw_test_buffer_text (PwWindow *window)
{
  return pw_text_document_dup_text (pw_window_get_document (window), NULL);
}

G_END_DECLS
