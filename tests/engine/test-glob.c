/* test-glob.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <pw-engine.h>

typedef struct
{
  const char *pattern;
  const char *path;
  gboolean    matches;
} Case;

static void
check_cases (const Case *cases,
             gsize       n_cases)
{
  for (gsize i = 0; i < n_cases; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PwGlob) glob = pw_glob_new (cases[i].pattern, &error);

      g_assert_no_error (error);
      g_assert_nonnull (glob);
      if (pw_glob_match (glob, cases[i].path) != cases[i].matches)
        g_error ("'%s' %s match '%s'", cases[i].pattern,
                 cases[i].matches ? "should" : "should not", cases[i].path);
    }
}

static void
test_star (void)
{
  static const Case cases[] = {
    { "my-file.jar", "my-file.jar", TRUE },
    { "my-file.jar", "dir/my-file.jar", FALSE },
    { "dir/sub/my-file.jar", "dir/sub/my-file.jar", TRUE },
    { "dir/*", "dir/a", TRUE },
    { "dir/*", "dir/.hidden", TRUE },
    { "dir/*", "dir/sub/a", FALSE },
    { "dir/*", "dir", FALSE },
    { "dir/*", "other/a", FALSE },
    { "*.js", "app.js", TRUE },
    { "*.js", "lib/app.js", FALSE },
    { "*", "a", TRUE },
    { "*", "a/b", FALSE },
    { "a*b", "ab", TRUE },
    { "a*b", "axxb", TRUE },
    { "a*b", "ax/b", FALSE },
    { "./dir/*", "dir/a", TRUE },
    { "dir/*", "./dir/a", TRUE },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_globstar (void)
{
  static const Case cases[] = {
    { "dir/**/*", "dir/a", TRUE },
    { "dir/**/*", "dir/sub/a", TRUE },
    { "dir/**/*", "dir/sub/deeper/a", TRUE },
    { "dir/**/*", "dir", FALSE },
    { "dir/**/*", "other/a", FALSE },
    { "**/*", "a", TRUE },
    { "**/*", "a/b/c", TRUE },
    { "**/*", ".hidden/x", TRUE },
    { "**/*.xml", "junit-1.xml", TRUE },
    { "**/*.xml", "out/reports/junit-1.xml", TRUE },
    { "**/*.xml", "out/reports/junit-1.json", FALSE },
    { "**/junit-*.xml", "a/b/junit-x.xml", TRUE },
    { "**", "a", TRUE },
    { "**", "a/b/c", TRUE },
    { "**", "dir", TRUE },
    { "dir/**", "dir/a/b", TRUE },
    { "dir/**", "dirx/a", FALSE },
    { "a/**/b", "a/b", TRUE },
    { "a/**/b", "a/x/y/b", TRUE },
    { "a/**/b", "a/xb", FALSE },
    { "a**", "a/b/c", TRUE },
    { "**.map", "x/y.map", TRUE },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_question_and_classes (void)
{
  static const Case cases[] = {
    { "?.txt", "a.txt", TRUE },
    { "?.txt", "ab.txt", FALSE },
    { "?.txt", "é.txt", TRUE },
    { "a?b", "a/b", FALSE },
    { "[abc].txt", "b.txt", TRUE },
    { "[abc].txt", "d.txt", FALSE },
    { "[a-z].txt", "q.txt", TRUE },
    { "[a-z].txt", "Q.txt", FALSE },
    { "[!a].txt", "b.txt", TRUE },
    { "[!a].txt", "a.txt", FALSE },
    { "[^a].txt", "a.txt", FALSE },
    { "a[!x]b", "a/b", FALSE },
    { "[]].txt", "].txt", TRUE },
    { "[!]].txt", "].txt", FALSE },
    { "[a-].txt", "-.txt", TRUE },
    { "[.]txt", ".txt", TRUE },
    { "[.]txt", "xtxt", FALSE },
    { "[\\]]", "]", TRUE },
    { "[[:alpha:]]", "a", FALSE },
    { "[[:alpha:]]", ":]", TRUE },
    { "[é]", "é", TRUE },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_alternatives (void)
{
  static const Case cases[] = {
    { "*.{js,css}", "app.js", TRUE },
    { "*.{js,css}", "app.css", TRUE },
    { "*.{js,css}", "app.html", FALSE },
    { "*.{js,css}", "lib/app.js", FALSE },
    { "**/*.{js,css}", "lib/app.css", TRUE },
    { "{src,test}/**/*", "test/a/b", TRUE },
    { "{src,test}/**/*", "doc/a", FALSE },
    { "{**/*.min.js,vendor/*}", "a/b.min.js", TRUE },
    { "{**/*.min.js,vendor/*}", "vendor/x", TRUE },
    { "{a,}b", "b", TRUE },
    { "a,b", "a,b", TRUE },
    { "a}b", "a}b", TRUE },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_escapes (void)
{
  static const Case cases[] = {
    { "\\*.txt", "*.txt", TRUE },
    { "\\*.txt", "a.txt", FALSE },
    { "a\\?", "a?", TRUE },
    { "a\\?", "ab", FALSE },
    { "\\[x]", "[x]", TRUE },
    { "\\{a,b}", "{a,b}", TRUE },
    { "a.b", "a.b", TRUE },
    { "a.b", "axb", FALSE },
    { "a+(b)", "a+(b)", TRUE },
    { "$x^", "$x^", TRUE },
    { "a\\\\b", "a\\b", TRUE },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_invalid (void)
{
  static const char * const invalid[] = {
    "[abc",
    "{a,b",
    "{a,{b,c}}",
    "a\\",
    "[!",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PwGlob) glob = pw_glob_new (invalid[i], &error);

      g_assert_null (glob);
      g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);
    }
}

static void
test_invalid_utf8_path (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwGlob) star = pw_glob_new ("*.bin", &error);
  g_autoptr(PwGlob) literal = pw_glob_new ("a.bin", &error);

  g_assert_no_error (error);
  g_assert_true (pw_glob_match (star, "\xff\xfe.bin"));
  g_assert_false (pw_glob_match (literal, "\xff.bin"));
}

static void
write_file (const char *root,
            const char *relative)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (path, relative, -1, &error);
  g_assert_no_error (error);
}

static char *
make_tree (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("test-glob-XXXXXX", &error);
  g_autofree char *link = NULL;
  g_autofree char *dir_link = NULL;
  g_autofree char *empty = NULL;

  g_assert_no_error (error);

  write_file (root, "README.md");
  write_file (root, ".env");
  write_file (root, "app.js");
  write_file (root, "style.css");
  write_file (root, "dist/app.js");
  write_file (root, "dist/app.js.map");
  write_file (root, "dist/.hidden");
  write_file (root, "dist/css/site.css");
  write_file (root, "dist/css/deep/er/x.css");
  write_file (root, "docs/index.html");
  write_file (root, "we ird/[x].txt");

  link = g_build_filename (root, "dist", "latest.js", NULL);
  g_assert_cmpint (symlink ("app.js", link), ==, 0);
  /* A symlink to a folder is listed, not entered; one to its parent would
   * loop forever if it were followed. */
  dir_link = g_build_filename (root, "dist", "loop", NULL);
  g_assert_cmpint (symlink ("..", dir_link), ==, 0);
  empty = g_build_filename (root, "empty", NULL);
  g_assert_cmpint (g_mkdir (empty, 0755), ==, 0);

  return g_steal_pointer (&root);
}

static void
rm_rf (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                        G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (children != NULL &&
         (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      g_autoptr(GFileInfo) owned = info;
      g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        rm_rf (child);
      else
        g_assert_cmpint (g_unlink (child), ==, 0);
    }

  g_assert_cmpint (g_rmdir (path), ==, 0);
}

static void
check_found (const char         *root,
             const char         *pattern,
             const char * const *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = pw_glob_find_files (root, pattern, &error);
  g_autofree char *got = NULL;
  g_autofree char *want = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_ptr_array_add (found, NULL);
  got = g_strjoinv (" | ", (char **)found->pdata);
  want = g_strjoinv (" | ", (char **)expected);
  g_assert_cmpstr (got, ==, want);
}

static void
test_find_files (void)
{
  g_autofree char *root = make_tree ();
  const char * const everything[] = {
    ".env", "README.md", "app.js",
    "dist/.hidden", "dist/app.js", "dist/app.js.map", "dist/css/deep/er/x.css",
    "dist/css/site.css", "dist/latest.js", "dist/loop",
    "docs/index.html", "style.css", "we ird/[x].txt", NULL
  };
  const char * const dist_top[] = {
    "dist/.hidden", "dist/app.js", "dist/app.js.map", "dist/latest.js", "dist/loop", NULL
  };
  const char * const css[] = {
    "dist/css/deep/er/x.css", "dist/css/site.css", "style.css", NULL
  };
  const char * const top_assets[] = { "app.js", "style.css", NULL };
  const char * const deep_css[] = { "dist/css/deep/er/x.css", "dist/css/site.css", NULL };
  const char * const readme[] = { "README.md", NULL };
  const char * const link[] = { "dist/latest.js", NULL };
  const char * const escaped[] = { "we ird/[x].txt", NULL };
  const char * const none[] = { NULL };

  check_found (root, "**/*", everything);
  check_found (root, "**", everything);
  check_found (root, "dist/*", dist_top);
  check_found (root, "**/*.css", css);
  check_found (root, "*.{js,css}", top_assets);
  check_found (root, "dist/css/**/*", deep_css);
  check_found (root, "README.md", readme);
  check_found (root, "./README.md", readme);
  check_found (root, "dist/latest.js", link);
  check_found (root, "we ird/\\[x].txt", escaped);
  check_found (root, "we ird/[[]x].txt", escaped);
  /* A folder named without wildcards is not a file. */
  check_found (root, "dist", none);
  check_found (root, "empty/**/*", none);
  check_found (root, "missing/**/*", none);
  check_found (root, "missing.txt", none);

  rm_rf (root);
}

static void
test_find_files_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *root = make_tree ();
  g_autofree char *missing = g_build_filename (root, "nowhere", NULL);

  found = pw_glob_find_files (missing, "**/*", &error);
  g_assert_null (found);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  found = pw_glob_find_files (root, "{a", &error);
  g_assert_null (found);
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);

  rm_rf (root);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/glob/star", test_star);
  g_test_add_func ("/engine/glob/globstar", test_globstar);
  g_test_add_func ("/engine/glob/question-and-classes", test_question_and_classes);
  g_test_add_func ("/engine/glob/alternatives", test_alternatives);
  g_test_add_func ("/engine/glob/escapes", test_escapes);
  g_test_add_func ("/engine/glob/invalid", test_invalid);
  g_test_add_func ("/engine/glob/invalid-utf8-path", test_invalid_utf8_path);
  g_test_add_func ("/engine/glob/find-files", test_find_files);
  g_test_add_func ("/engine/glob/find-files-errors", test_find_files_errors);

  return g_test_run ();
}
