/* test-log.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include <pw-engine.h>

typedef struct
{
  char  *dir;
  char  *path;
  PwLog *log;
  /* Every `line` signal, in order. */
  GPtrArray *lines;
} Fixture;

static void
line_cb (PwLog      *log,
         const char *text,
         Fixture    *fixture)
{
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_ptr_array_add (fixture->lines, g_strdup (text));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("test-log-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "action.log", NULL);
  fixture->log = pw_log_new (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->log);
  fixture->lines = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (fixture->log, "line", G_CALLBACK (line_cb), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_finalize_object (fixture->log);
  g_ptr_array_unref (fixture->lines);
  g_unlink (fixture->path);
  g_rmdir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

/* Not inlined: GCC 12 at -O3 then takes the returned text for a pointer
 * to the local variable and warns (-Wdangling-pointer). */
G_GNUC_NO_INLINE static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  return contents;
}

/* The file's lines without their timestamps, checking each has one. */
static GStrv
file_lines (const char *path)
{
  g_autofree char *contents = read_file (path);
  g_autoptr(GRegex) stamp = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) lines = NULL;

  stamp = g_regex_new ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z ", 0, 0, NULL);
  g_assert_true (contents[0] == '\0' || g_str_has_suffix (contents, "\n"));
  lines = g_strsplit (contents, "\n", -1);

  for (guint i = 0; lines[i] != NULL && lines[i + 1] != NULL; i++)
    {
      if (!g_regex_match (stamp, lines[i], 0, NULL))
        g_error ("line without timestamp: '%s'", lines[i]);
      g_strv_builder_add (builder, lines[i] + 25);
    }

  return g_strv_builder_end (builder);
}

static void
assert_strv (GStrv               got,
             const char * const *want)
{
  g_autofree char *a = g_strjoinv ("|", got);
  g_autofree char *b = g_strjoinv ("|", (char **)want);

  g_assert_cmpstr (a, ==, b);
}

static void
test_timestamps (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *contents = NULL;
  g_autoptr(GDateTime) stamp = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autofree char *iso = NULL;

  pw_log_write (fixture->log, "hello\nworld\n", -1);

  contents = read_file (fixture->path);
  g_assert_cmpuint (strlen (contents), ==, 2 * 25 + strlen ("hello\nworld\n"));
  g_assert_cmpint (contents[23], ==, 'Z');
  g_assert_cmpint (contents[24], ==, ' ');
  g_assert_true (g_str_has_prefix (contents + 25, "hello\n"));

  iso = g_strndup (contents, 24);
  stamp = g_date_time_new_from_iso8601 (iso, utc);
  g_assert_nonnull (stamp);
  now = g_date_time_new_now_utc ();
  g_assert_cmpint (ABS (g_date_time_difference (now, stamp)), <, 60 * G_USEC_PER_SEC);
}

static void
test_lines_and_partial (Fixture       *fixture,
                        gconstpointer  data)
{
  g_auto(GStrv) before = NULL;
  g_auto(GStrv) after = NULL;
  g_auto(GStrv) late = NULL;
  g_autofree char *tail = NULL;
  const char * const want_before[] = { "one", "two three", "", "crlf", NULL };
  const char * const want_after[] = {
    "one", "two three", "", "crlf", "four", "five", "", "six", "seven", NULL
  };

  pw_log_write (fixture->log, "one\ntwo", -1);
  pw_log_write (fixture->log, " three\n\ncrlf\r\nfour", -1);

  /* Complete lines are on disk at once: a killed run keeps them. */
  before = file_lines (fixture->path);
  assert_strv (before, want_before);
  g_assert_cmpuint (fixture->lines->len, ==, 4);

  /* printf writes whole lines, adding the newline unless it is there. */
  pw_log_printf (fixture->log, "\nfive");
  pw_log_printf (fixture->log, "%s", "");
  pw_log_printf (fixture->log, "six\n");
  pw_log_write (fixture->log, "seven", 5);
  pw_log_close (fixture->log);

  after = file_lines (fixture->path);
  assert_strv (after, want_after);
  g_assert_cmpuint (fixture->lines->len, ==, 9);
  g_assert_cmpstr (g_ptr_array_index (fixture->lines, 8), ==, "seven");

  tail = pw_log_dup_tail (fixture->log, 3);
  g_assert_cmpstr (tail, ==, "\nsix\nseven");
  g_clear_pointer (&tail, g_free);
  tail = pw_log_dup_tail (fixture->log, 100);
  g_assert_true (g_str_has_prefix (tail, "one\ntwo three\n"));
  g_clear_pointer (&tail, g_free);
  tail = pw_log_dup_tail (fixture->log, 0);
  g_assert_cmpstr (tail, ==, "");

  /* After close nothing more is written. */
  pw_log_write (fixture->log, "late\n", -1);
  late = file_lines (fixture->path);
  assert_strv (late, want_after);
}

static void
test_mask (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *contents = NULL;
  g_autofree char *masked = NULL;
  g_autofree char *tail = NULL;
  const char *text =
    "token=s3cr3t and s3cr3t-longer\n"
    "pem: BEGIN\nKEY\nEND done\n"
    "twice s3cr3ts3cr3t\n"
    "tail s3cr";

  pw_log_add_secret (fixture->log, "s3cr3t");
  pw_log_add_secret (fixture->log, "s3cr3t-longer");
  pw_log_add_secret (fixture->log, "BEGIN\nKEY\nEND");
  pw_log_add_secret (fixture->log, "");
  pw_log_add_secret (fixture->log, "s3cr3t");

  masked = pw_log_mask (fixture->log, "a s3cr3t-longer b s3cr3t c");
  g_assert_cmpstr (masked, ==, "a *** b *** c");

  /* One byte at a time: a secret split across writes is still caught. */
  for (const char *p = text; *p != '\0'; p++)
    pw_log_write (fixture->log, p, 1);
  pw_log_close (fixture->log);

  contents = read_file (fixture->path);
  g_assert_null (strstr (contents, "s3cr3t"));
  g_assert_null (strstr (contents, "KEY"));
  g_assert_nonnull (strstr (contents, "token=*** and ***\n"));
  g_assert_nonnull (strstr (contents, "pem: ***"));
  g_assert_nonnull (strstr (contents, "*** done\n"));
  g_assert_nonnull (strstr (contents, "twice ******\n"));
  /* A prefix of a secret at the very end is not a secret. */
  g_assert_nonnull (strstr (contents, "tail s3cr\n"));

  for (guint i = 0; i < fixture->lines->len; i++)
    g_assert_null (strstr (g_ptr_array_index (fixture->lines, i), "3cr3t"));

  tail = pw_log_dup_tail (fixture->log, 10);
  g_assert_null (strstr (tail, "s3cr3t"));
}

static void
test_mask_whole_lines (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *contents = NULL;

  pw_log_add_secret (fixture->log, "hunter2");
  pw_log_write (fixture->log, "password: hunter", -1);
  pw_log_write (fixture->log, "2\nhunter", -1);
  pw_log_write (fixture->log, "3\n", -1);

  contents = read_file (fixture->path);
  g_assert_nonnull (strstr (contents, "password: ***\n"));
  g_assert_nonnull (strstr (contents, "hunter3\n"));
}

static void
test_binary (Fixture       *fixture,
             gconstpointer  data)
{
  g_auto(GStrv) lines = NULL;
  static const char binary[] = "a\0b\xff\xfe" "c\n";

  pw_log_write (fixture->log, binary, sizeof binary - 1);

  lines = file_lines (fixture->path);
  g_assert_cmpuint (g_strv_length (lines), ==, 1);
  g_assert_true (g_utf8_validate (lines[0], -1, NULL));
  g_assert_true (g_str_has_prefix (lines[0], "a\xef\xbf\xbd" "b"));
  g_assert_true (g_str_has_suffix (lines[0], "c"));
}

static void
test_long_line (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *big = g_malloc (200 * 1024 + 1);
  gsize total = 0;

  /* 'é' is two bytes: a split must not cut one in half. */
  for (gsize i = 0; i < 200 * 1024; i += 2)
    memcpy (big + i, "\xc3\xa9", 2);
  big[200 * 1024] = '\0';

  pw_log_write (fixture->log, "x", 1);
  pw_log_write (fixture->log, big, -1);
  pw_log_write (fixture->log, "\n", 1);

  g_assert_cmpuint (fixture->lines->len, ==, 4);
  for (guint i = 0; i < fixture->lines->len; i++)
    {
      const char *line = g_ptr_array_index (fixture->lines, i);

      g_assert_cmpuint (strlen (line), <=, 64 * 1024);
      g_assert_null (strstr (line, "\xef\xbf\xbd"));
      total += strlen (line);
    }
  g_assert_cmpuint (total, ==, 200 * 1024 + 1);
}

static void
test_limit (Fixture       *fixture,
            gconstpointer  data)
{
  g_autofree char *contents = NULL;
  g_autofree char *line = NULL;
  g_autofree char *last = NULL;
  g_autofree char *head_note = NULL;
  GStatBuf st;
  const guint n_lines = 100000;
  const char *note;
  guint64 dropped;

  pw_log_set_limit (fixture->log, 1000 * 1000);

  /* 10 MB in 100-byte lines (with their timestamps, 125 in the file). */
  for (guint i = 0; i < n_lines; i++)
    {
      g_free (line);
      line = g_strdup_printf ("line %08u %s\n", i,
                              "........................................"
                              ".............................................");
      g_assert_cmpuint (strlen (line), ==, 100);
      pw_log_write (fixture->log, line, -1);
    }

  /* While running, the file holds the head and says why it stops. */
  g_assert_cmpint (g_stat (fixture->path, &st), ==, 0);
  g_assert_cmpint (st.st_size, <=, 500 * 1000 + 200);
  head_note = read_file (fixture->path);
  g_assert_nonnull (strstr (head_note, "passed its limit"));

  pw_log_close (fixture->log);

  g_assert_cmpuint (fixture->lines->len, ==, n_lines);
  g_assert_cmpint (g_stat (fixture->path, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 900 * 1000);
  g_assert_cmpint (st.st_size, <, 1000 * 1000 + 1000);

  contents = read_file (fixture->path);
  g_assert_nonnull (strstr (contents, "Z line 00000000 "));
  last = g_strdup_printf ("Z line %08u ", n_lines - 1);
  g_assert_true (g_str_has_suffix (contents, "..\n"));
  g_assert_nonnull (strstr (contents, last));

  note = strstr (contents, "Dropped ");
  g_assert_nonnull (note);
  dropped = g_ascii_strtoull (note + strlen ("Dropped "), NULL, 10);
  /* Written: 100,000 lines of 125 bytes; kept: about 1 MB of them. */
  g_assert_cmpuint (dropped, >, 12500000 - 1000 * 1000 - 1000);
  g_assert_cmpuint (dropped, <, 12500000 - 1000 * 1000 + 1000);
  g_assert_cmpuint (dropped % 125, ==, 0);
}

static void
test_limit_not_reached (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *contents = NULL;

  pw_log_set_limit (fixture->log, 1000);
  for (guint i = 0; i < 10; i++)
    pw_log_write (fixture->log, "0123456789012345678901234567890123456789012345678\n", -1);
  pw_log_close (fixture->log);

  /* 10 × (25 + 50) = 750 bytes: under the limit, nothing dropped. */
  contents = read_file (fixture->path);
  g_assert_cmpuint (strlen (contents), ==, 750);
  g_assert_null (strstr (contents, "[pipewright]"));
}

static void
reentrant_cb (PwLog      *log,
              const char *text,
              gpointer    user_data)
{
  if (g_str_equal (text, "ping"))
    pw_log_write (log, "pong\n", -1);
  else if (g_str_equal (text, "bye"))
    pw_log_close (log);
}

static void
test_reentrant (Fixture       *fixture,
                gconstpointer  data)
{
  g_auto(GStrv) lines = NULL;
  const char * const want[] = { "ping", "after", "pong", "bye", "last", NULL };

  /* A handler writing to the log (or closing it) waits its turn. */
  g_signal_connect (fixture->log, "line", G_CALLBACK (reentrant_cb), NULL);
  pw_log_write (fixture->log, "ping\nafter\n", -1);
  pw_log_write (fixture->log, "bye\nlast", -1);
  pw_log_write (fixture->log, "too late\n", -1);

  lines = file_lines (fixture->path);
  assert_strv (lines, want);
}

static void
test_append (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-log-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "a.log", NULL);
  g_autofree char *contents = NULL;
  PwLog *log;

  g_file_set_contents (path, "earlier attempt\n", -1, &error);
  g_assert_no_error (error);

  log = pw_log_new (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pw_log_get_path (log), ==, path);
  pw_log_write (log, "again\n", -1);
  g_assert_finalize_object (log);

  contents = read_file (path);
  g_assert_true (g_str_has_prefix (contents, "earlier attempt\n"));
  g_assert_true (g_str_has_suffix (contents, "Z again\n"));

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_unwritable (void)
{
  g_autoptr(GError) error = NULL;
  PwLog *log = pw_log_new ("/nonexistent/dir/a.log", &error);

  g_assert_null (log);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

/* A runaway writer: past the output limit the log says so once and
 * reports it; what comes after (the build's own closing lines) is still
 * written. */
static void
test_output_limit (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *contents = NULL;
  const char *line = "0123456789012345678901234567890123456789"
                     "012345678901234567890123456789012345678\n";

  g_assert_cmpuint (strlen (line), ==, 80);
  pw_log_set_output_limit (fixture->log, 10000);
  g_assert_cmpuint (pw_log_get_output_limit (fixture->log), ==, 10000);

  for (guint i = 0; i < 125; i++)
    pw_log_write (fixture->log, line, -1);
  /* Exactly at the limit is not past it. */
  g_assert_false (pw_log_is_over_output_limit (fixture->log));

  pw_log_write (fixture->log, "x", 1);
  g_assert_true (pw_log_is_over_output_limit (fixture->log));
  pw_log_write (fixture->log, line, -1);
  pw_log_printf (fixture->log, "closing line");
  pw_log_close (fixture->log);

  contents = read_file (fixture->path);
  g_assert_nonnull (strstr (contents, "[pipewright] Output passed its limit of 9.8\xc2\xa0KiB; stopping\n"));
  /* Noted once, and after it the partial line and the rest. */
  g_assert_null (strstr (strstr (contents, "Output passed") + 1, "Output passed"));
  g_assert_true (g_str_has_suffix (contents, "Z closing line\n"));
  /* Listeners get every line written (the note is the log's own). */
  g_assert_cmpuint (fixture->lines->len, ==, 125 + 1 + 1 + 1);
}

/* The kept tail of an over-long log is whole lines, the last ones, in
 * order, however often the ring it lives in wrapped; and a log nobody
 * listens to writes the same file. */
static void
test_tail_ring (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-log-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "quiet.log", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *tail = NULL;
  g_auto(GStrv) lines = NULL;
  PwLog *log;
  const char *after;
  const guint n_lines = 20000;
  guint kept = 0;
  int expected = -1;

  g_assert_no_error (error);
  log = pw_log_new (path, &error);
  g_assert_no_error (error);
  pw_log_set_limit (log, 6000);

  /* Lines of 1 to 200 bytes, so records straddle the ring's end. */
  for (guint i = 0; i < n_lines; i++)
    {
      g_autofree char *line = g_strdup_printf ("%u %.*s\n", i, (int)((i * 37) % 190),
                                               "................................................"
                                               "................................................"
                                               "................................................"
                                               "................................................");

      pw_log_write (log, line, -1);
    }

  tail = pw_log_dup_tail (log, 2);
  g_assert_true (g_str_has_prefix (tail, "19998 "));
  g_assert_nonnull (strstr (tail, "\n19999 "));

  pw_log_close (log);
  g_assert_finalize_object (log);

  contents = read_file (path);
  after = strstr (contents, " here to keep the log under its limit\n");
  g_assert_nonnull (after);
  lines = g_strsplit (after + strlen (" here to keep the log under its limit\n"), "\n", -1);

  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      /* "2026-11-22T10:15:30.123Z 19999 ....." */
      const char *text = lines[i] + 25;
      int number = atoi (text);
      int dots = strlen (strchr (text, ' ') + 1);

      if (expected >= 0)
        g_assert_cmpint (number, ==, expected);
      g_assert_cmpint (dots, ==, (int)(((guint)number * 37) % 190));
      expected = number + 1;
      kept++;
    }

  g_assert_cmpint (expected, ==, (int)n_lines);
  g_assert_cmpuint (kept, >, 10);
  g_assert_cmpuint (strlen (after), <, 3000 + 300);

  g_unlink (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/engine/log/timestamps", test_timestamps);
  ADD ("/engine/log/lines-and-partial", test_lines_and_partial);
  ADD ("/engine/log/mask", test_mask);
  ADD ("/engine/log/mask-whole-lines", test_mask_whole_lines);
  ADD ("/engine/log/binary", test_binary);
  ADD ("/engine/log/long-line", test_long_line);
  ADD ("/engine/log/limit", test_limit);
  ADD ("/engine/log/limit-not-reached", test_limit_not_reached);
  ADD ("/engine/log/reentrant", test_reentrant);
  ADD ("/engine/log/output-limit", test_output_limit);
  g_test_add_func ("/engine/log/tail-ring", test_tail_ring);
  g_test_add_func ("/engine/log/append", test_append);
  g_test_add_func ("/engine/log/unwritable", test_unwritable);

#undef ADD

  return g_test_run ();
}
