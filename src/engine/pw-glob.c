/* pw-glob.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-glob"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "pw-engine.h"

/* A glob is compiled to an anchored PCRE pattern. GRegex gives us a
 * matcher without pathological backtracking surprises and handles UTF-8,
 * so `?` is one character, not one byte. */
struct _PwGlob
{
  char   *pattern;
  GRegex *regex;
};

/* Characters that make a pattern something other than a plain path. */
#define GLOB_SPECIALS "*?[{\\"

static void
append_literal (GString    *out,
                const char *p,
                gsize       len)
{
  g_autofree char *escaped = g_regex_escape_string (p, (int)len);

  g_string_append (out, escaped);
}

/* Translates one `[…]` class starting at *p (which points at `[`); moves
 * *p past the closing `]`. Classes never match `/`, like `*` and `?`. */
static gboolean
translate_class (const char **p,
                 GString     *out,
                 const char  *pattern,
                 GError     **error)
{
  const char *s = *p + 1;
  gboolean negated = FALSE;
  gboolean first = TRUE;

  if (*s == '!' || *s == '^')
    {
      negated = TRUE;
      s++;
    }

  g_string_append (out, negated ? "[^/" : "[");

  for (; *s != '\0'; first = FALSE)
    {
      const char *next;

      /* `]` right after `[` or `[!` is a member, as in fnmatch. */
      if (*s == ']' && !first)
        break;

      /* A `-` between two members makes a range and passes through; every
       * member is escaped, so PCRE sees no class syntax of its own (`[:`,
       * `\d`), and `\` escapes a member of ours. */
      if (*s == '-' && !first && s[1] != ']' && s[1] != '\0')
        {
          g_string_append_c (out, '-');
          s++;
          continue;
        }

      if (*s == '\\' && s[1] != '\0')
        s++;

      next = g_utf8_next_char (s);
      if (next - s == 1 && !g_ascii_isalnum (*s))
        g_string_append_c (out, '\\');
      g_string_append_len (out, s, next - s);
      s = next;
    }

  if (*s != ']')
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   "Unterminated character class in glob '%s'", pattern);
      return FALSE;
    }

  g_string_append_c (out, ']');
  *p = s + 1;

  return TRUE;
}

static GRegex *
compile (const char  *pattern,
         GError     **error)
{
  g_autoptr(GString) out = g_string_new ("\\A");
  g_autoptr(GError) local_error = NULL;
  const char *p = pattern;
  gboolean in_brace = FALSE;
  gboolean segment_start = TRUE;
  gboolean brace_segment_start = FALSE;
  GRegex *regex;

  while (*p != '\0')
    {
      gboolean was_segment_start = segment_start;

      segment_start = FALSE;

      switch (*p)
        {
        case '*':
          if (p[1] == '*')
            {
              while (*p == '*')
                p++;
              /* A whole-segment `**` followed by a slash stands for zero
               * or more whole segments, so "dir, globstar, star" also
               * matches a file right inside dir. Anywhere else `**` is
               * any run of characters, `/` included. */
              if (was_segment_start && *p == '/')
                {
                  g_string_append (out, "(?:.*/)?");
                  p++;
                  segment_start = TRUE;
                }
              else
                g_string_append (out, ".*");
            }
          else
            {
              g_string_append (out, "[^/]*");
              p++;
            }
          break;

        case '?':
          g_string_append (out, "[^/]");
          p++;
          break;

        case '[':
          if (!translate_class (&p, out, pattern, error))
            return NULL;
          break;

        case '{':
          if (in_brace)
            {
              g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                           "Nested '{' in glob '%s'", pattern);
              return NULL;
            }
          in_brace = TRUE;
          brace_segment_start = was_segment_start;
          segment_start = was_segment_start;
          g_string_append (out, "(?:");
          p++;
          break;

        case ',':
          if (in_brace)
            {
              g_string_append_c (out, '|');
              segment_start = brace_segment_start;
            }
          else
            g_string_append_c (out, ',');
          p++;
          break;

        case '}':
          if (in_brace)
            {
              in_brace = FALSE;
              g_string_append_c (out, ')');
            }
          else
            g_string_append (out, "\\}");
          p++;
          break;

        case '\\':
          if (p[1] == '\0')
            {
              g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                           "Glob '%s' ends with an escape", pattern);
              return NULL;
            }
          p++;
          append_literal (out, p, g_utf8_next_char (p) - p);
          p = g_utf8_next_char (p);
          break;

        case '/':
          g_string_append_c (out, '/');
          segment_start = TRUE;
          p++;
          break;

        default:
          {
            const char *start = p;

            while (*p != '\0' && strchr (GLOB_SPECIALS ",}/", *p) == NULL)
              p++;
            append_literal (out, start, p - start);
          }
          break;
        }
    }

  if (in_brace)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   "Unterminated '{' in glob '%s'", pattern);
      return NULL;
    }

  g_string_append (out, "\\z");

  regex = g_regex_new (out->str, G_REGEX_DOTALL, 0, &local_error);
  if (regex == NULL)
    g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                 "Invalid glob '%s': %s", pattern, local_error->message);

  return regex;
}

/* Paths and patterns are relative; a leading `./` means nothing. */
static const char *
skip_dot_slash (const char *path)
{
  while (path[0] == '.' && path[1] == '/')
    {
      path += 2;
      while (*path == '/')
        path++;
    }

  return path;
}

/**
 * pw_glob_new:
 * @pattern: a glob in the CodeBuild/CodePipeline dialect
 * @error: return location for a %PW_ENGINE_ERROR_CONFIGURATION error
 *
 * Returns: (transfer full) (nullable): the compiled glob
 */
PwGlob *
pw_glob_new (const char  *pattern,
             GError     **error)
{
  g_autoptr(PwGlob) self = NULL;

  g_return_val_if_fail (pattern != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_utf8_validate (pattern, -1, NULL))
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   "Glob pattern is not valid UTF-8");
      return NULL;
    }

  self = g_new0 (PwGlob, 1);
  self->pattern = g_strdup (skip_dot_slash (pattern));
  self->regex = compile (self->pattern, error);
  if (self->regex == NULL)
    return NULL;

  return g_steal_pointer (&self);
}

void
pw_glob_free (PwGlob *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->regex, g_regex_unref);
  g_free (self->pattern);
  g_free (self);
}

/**
 * pw_glob_match:
 * @self: a #PwGlob
 * @path: a relative, `/`-separated path
 *
 * Returns: whether @path matches the whole pattern
 */
gboolean
pw_glob_match (PwGlob     *self,
               const char *path)
{
  g_autofree char *valid = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  path = skip_dot_slash (path);

  /* File names are bytes; GRegex wants UTF-8. Invalid bytes become U+FFFD,
   * which only a wildcard can match, as it should. */
  if (!g_utf8_validate (path, -1, NULL))
    path = valid = g_utf8_make_valid (path, -1);

  return g_regex_match (self->regex, path, 0, NULL);
}

/* The longest run of leading segments without wildcards: only that folder
 * needs walking. Returns the number of bytes, excluding the final `/`. */
static gsize
literal_prefix_length (const char *pattern)
{
  gsize prefix = 0;

  for (gsize i = 0; pattern[i] != '\0'; i++)
    {
      if (strchr (GLOB_SPECIALS, pattern[i]) != NULL)
        break;
      if (pattern[i] == '/')
        prefix = i;
    }

  return prefix;
}

/* How deep a match can lie below the walk's start, or -1 for any depth. */
static int
max_depth (const char *pattern)
{
  int depth = 1;

  if (strstr (pattern, "**") != NULL)
    return -1;

  /* Counting every `/`, also inside `{a/b,c}`, gives an upper bound. */
  for (const char *p = pattern; *p != '\0'; p++)
    if (*p == '/')
      depth++;

  return depth;
}

typedef struct
{
  PwGlob    *glob;
  GPtrArray *found;
} Walk;

static gboolean
walk (Walk        *w,
      const char  *root,
      const char  *relative,
      int          depth,
      GError     **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *name;

  path = relative[0] != '\0' ? g_build_filename (root, relative, NULL) : g_strdup (root);
  dir = g_dir_open (path, 0, &local_error);
  if (dir == NULL)
    {
      /* A folder named by the pattern's literal prefix may well not exist;
       * that is no match, not a failure. */
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT) ||
          g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = NULL;
      g_autofree char *child_path = NULL;
      GStatBuf st;

      child = relative[0] != '\0' ? g_strconcat (relative, "/", name, NULL) : g_strdup (name);
      child_path = g_build_filename (root, child, NULL);

      if (g_lstat (child_path, &st) != 0)
        {
          int saved_errno = errno;

          /* Deleted while we looked: not there, so not a match. */
          if (saved_errno == ENOENT)
            continue;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "Cannot read '%s': %s", child_path, g_strerror (saved_errno));
          return FALSE;
        }

      /* Symlinks are listed, never followed: a link to a folder is one
       * entry, and a loop cannot trap the walk. */
      if (S_ISDIR (st.st_mode))
        {
          if (depth != 1 &&
              !walk (w, root, child, depth < 0 ? depth : depth - 1, error))
            return FALSE;
        }
      else if ((S_ISREG (st.st_mode) || S_ISLNK (st.st_mode)) &&
               pw_glob_match (w->glob, child))
        g_ptr_array_add (w->found, g_steal_pointer (&child));
    }

  return TRUE;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *)a, *(const char * const *)b);
}

/* Undoes `\` escapes of a pattern that has no other wildcard. */
static char *
unescape (const char *pattern)
{
  GString *out = g_string_new (NULL);

  for (const char *p = pattern; *p != '\0'; p++)
    {
      if (*p == '\\' && p[1] != '\0')
        p++;
      g_string_append_c (out, *p);
    }

  return g_string_free (out, FALSE);
}

static gboolean
has_wildcards (const char *pattern)
{
  for (const char *p = pattern; *p != '\0'; p++)
    {
      if (*p == '\\' && p[1] != '\0')
        p++;
      else if (strchr ("*?[{", *p) != NULL)
        return TRUE;
    }

  return FALSE;
}

/**
 * pw_glob_find_files:
 * @root: the folder the pattern is relative to
 * @pattern: a glob
 * @error: return location for an error
 *
 * Finds every regular file and symlink under @root whose relative path
 * matches @pattern. Folders themselves are never listed, and symlinks are
 * not followed. A pattern without wildcards names one path: it is listed
 * when it is a file or a symlink, and a folder named that way gives
 * nothing (a globstar pattern lists its contents).
 *
 * Returns: (transfer full) (element-type utf8) (nullable): the relative
 *   paths, sorted; empty when nothing matches, %NULL on error
 */
GPtrArray *
pw_glob_find_files (const char  *root,
                    const char  *pattern,
                    GError     **error)
{
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(PwGlob) glob = NULL;
  g_autofree char *prefix = NULL;
  const char *rest;
  Walk w;

  g_return_val_if_fail (root != NULL, NULL);
  g_return_val_if_fail (pattern != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_test (root, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "Folder '%s' does not exist", root);
      return NULL;
    }

  glob = pw_glob_new (pattern, error);
  if (glob == NULL)
    return NULL;

  found = g_ptr_array_new_with_free_func (g_free);

  if (!has_wildcards (glob->pattern))
    {
      g_autofree char *relative = unescape (glob->pattern);
      g_autofree char *path = g_build_filename (root, relative, NULL);
      GStatBuf st;

      if (relative[0] != '\0' &&
          g_lstat (path, &st) == 0 &&
          (S_ISREG (st.st_mode) || S_ISLNK (st.st_mode)))
        g_ptr_array_add (found, g_steal_pointer (&relative));

      return g_steal_pointer (&found);
    }

  prefix = g_strndup (glob->pattern, literal_prefix_length (glob->pattern));

  w.glob = glob;
  w.found = found;
  /* The prefix is the walk's start, so depth counts from below it. */
  rest = glob->pattern + strlen (prefix);
  if (*rest == '/')
    rest++;
  if (!walk (&w, root, prefix, max_depth (rest), error))
    return NULL;

  g_ptr_array_sort (found, compare_strings);

  return g_steal_pointer (&found);
}
