/* pw-source-map.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-source-map"

#include "config.h"

#include <string.h>

#include "pw-source-map.h"

struct _PwSourceMap
{
  gatomicrefcount  ref_count;
  char            *filename;
  GBytes          *text;
  /* JsonNode* → packed position; the map holds a reference on each key so
   * its address cannot be reused by another node while the map lives. */
  GHashTable      *values;
  GHashTable      *keys;
  /* Byte offsets of line starts, computed on first use. */
  GArray          *line_starts;
  /* line → whether it is all ASCII, for the long lines asked about */
  GHashTable      *ascii_lines;
};

G_DEFINE_BOXED_TYPE (PwSourceMap, pw_source_map, pw_source_map_ref, pw_source_map_unref)

/* Line in the high 40 bits, column in the low 24: a 10 MB file fits easily. */
#define PACK(l, c)  ((((guint64)(l)) << 24) | ((guint64)(c) & 0xffffff))
#define LINE(p)     ((guint)((p) >> 24))
#define COLUMN(p)   ((guint)((p) & 0xffffff))

static void
node_unref (gpointer data)
{
  json_node_unref (data);
}

PwSourceMap *
pw_source_map_new (const char *filename,
                   GBytes     *text)
{
  PwSourceMap *self = g_new0 (PwSourceMap, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->filename = g_strdup (filename != NULL ? filename : "<input>");
  self->text = text != NULL ? g_bytes_ref (text) : NULL;
  self->values = g_hash_table_new_full (NULL, NULL, node_unref, NULL);
  self->keys = g_hash_table_new_full (NULL, NULL, node_unref, NULL);

  return self;
}

PwSourceMap *
pw_source_map_ref (PwSourceMap *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
pw_source_map_unref (PwSourceMap *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_clear_pointer (&self->values, g_hash_table_unref);
  g_clear_pointer (&self->keys, g_hash_table_unref);
  g_clear_pointer (&self->text, g_bytes_unref);
  g_clear_pointer (&self->line_starts, g_array_unref);
  g_clear_pointer (&self->ascii_lines, g_hash_table_unref);
  g_free (self->filename);
  g_free (self);
}

const char *
pw_source_map_get_filename (PwSourceMap *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->filename;
}

/**
 * pw_source_map_get_text:
 *
 * Returns: (transfer none) (nullable): the text the positions refer to
 */
GBytes *
pw_source_map_get_text (PwSourceMap *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->text;
}

static void
add_to (GHashTable *table,
        JsonNode   *node,
        guint       line,
        guint       column)
{
  guint64 packed = PACK (line, column);

  /* replace() drops the old key's reference and keeps the new one, so the
   * table always holds exactly one reference per node. */
  g_hash_table_replace (table, json_node_ref (node), GSIZE_TO_POINTER ((gsize)packed));
}

void
pw_source_map_add (PwSourceMap *self,
                   JsonNode    *node,
                   guint        line,
                   guint        column)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (node != NULL);

  add_to (self->values, node, line, column);
}

void
pw_source_map_add_key (PwSourceMap *self,
                       JsonNode    *value,
                       guint        line,
                       guint        column)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (value != NULL);

  add_to (self->keys, value, line, column);
}

static gboolean
lookup_in (GHashTable *table,
           JsonNode   *node,
           guint      *line,
           guint      *column)
{
  gpointer value;
  guint64 packed;

  if (node == NULL || !g_hash_table_lookup_extended (table, node, NULL, &value))
    return FALSE;

  packed = (guint64)GPOINTER_TO_SIZE (value);
  if (line != NULL)
    *line = LINE (packed);
  if (column != NULL)
    *column = COLUMN (packed);

  return TRUE;
}

gboolean
pw_source_map_lookup (PwSourceMap *self,
                      JsonNode    *node,
                      guint       *line,
                      guint       *column)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return lookup_in (self->values, node, line, column);
}

gboolean
pw_source_map_lookup_key (PwSourceMap *self,
                          JsonNode    *value,
                          guint       *line,
                          guint       *column)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return lookup_in (self->keys, value, line, column);
}

/**
 * pw_source_map_dup_line:
 * @line: 1-based line number
 *
 * Returns: (transfer full) (nullable): the text of @line without its end
 *   of line, or %NULL when there is no such line
 */
/* The bytes of @line, without its end of line (or the byte-order mark of
 * the first line). */
static gboolean
line_bounds (PwSourceMap *self,
             guint        line,
             const char **text,
             gsize       *length)
{
  const char *data;
  gsize size;
  gsize start, end;

  if (self->text == NULL || line == 0)
    return FALSE;

  data = g_bytes_get_data (self->text, &size);

  if (self->line_starts == NULL)
    {
      gsize offset = 0;

      self->line_starts = g_array_new (FALSE, FALSE, sizeof (gsize));
      g_array_append_val (self->line_starts, offset);
      for (gsize i = 0; i < size; i++)
        {
          if (data[i] == '\n')
            {
              offset = i + 1;
              g_array_append_val (self->line_starts, offset);
            }
        }
    }

  if (line > self->line_starts->len)
    return FALSE;

  start = g_array_index (self->line_starts, gsize, line - 1);
  if (start > size)
    return FALSE;
  end = start;
  {
    const char *nl = memchr (data + start, '\n', size - start);

    end = nl != NULL ? (gsize)(nl - data) : size;
  }
  if (end > start && data[end - 1] == '\r')
    end--;

  /* Skip a byte-order mark on the first line so columns match. */
  if (line == 1 && end - start >= 3 && memcmp (data + start, "\xef\xbb\xbf", 3) == 0)
    start += 3;

  *text = data + start;
  *length = end - start;

  return TRUE;
}

/**
 * pw_source_map_dup_line:
 * @line: 1-based line number
 *
 * Returns: (transfer full) (nullable): the text of @line without its end
 *   of line, or %NULL when there is no such line
 */
char *
pw_source_map_dup_line (PwSourceMap *self,
                        guint        line)
{
  const char *text;
  gsize length;

  g_return_val_if_fail (self != NULL, NULL);

  if (!line_bounds (self, line, &text, &length))
    return NULL;

  return g_utf8_make_valid (text, length);
}

static gboolean
is_ascii (const char *text,
          gsize       length)
{
  for (gsize i = 0; i < length; i++)
    if ((guchar)text[i] >= 0x80)
      return FALSE;

  return TRUE;
}

/**
 * pw_source_map_dup_line_window:
 * @line: 1-based line number
 * @column: 1-based character column in it
 * @max_chars: the most characters to return, about
 * @window_column: (out): where @column is in the returned text
 *
 * Like pw_source_map_dup_line(), but a line longer than @max_chars (a
 * minified JSON file is one line) comes back as the part around @column,
 * with `…` where it was cut. The cost does not grow with the line for
 * ASCII lines, so quoting every finding of a one-line file stays linear.
 *
 * Returns: (transfer full) (nullable): the text, or %NULL when there is
 *   no such line
 */
char *
pw_source_map_dup_line_window (PwSourceMap *self,
                               guint        line,
                               guint        column,
                               guint        max_chars,
                               guint       *window_column)
{
  const char *text;
  gsize length;
  gsize n_chars;
  gsize from, to;
  gboolean ascii;
  gpointer known;
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (window_column != NULL, NULL);

  *window_column = column;
  if (!line_bounds (self, line, &text, &length))
    return NULL;

  /* Short lines whole, without looking further. */
  if (length <= max_chars)
    return g_utf8_make_valid (text, length);

  if (self->ascii_lines == NULL)
    self->ascii_lines = g_hash_table_new (NULL, NULL);
  if (g_hash_table_lookup_extended (self->ascii_lines, GUINT_TO_POINTER (line), NULL, &known))
    ascii = GPOINTER_TO_INT (known);
  else
    {
      ascii = is_ascii (text, length);
      g_hash_table_insert (self->ascii_lines, GUINT_TO_POINTER (line), GINT_TO_POINTER (ascii));
    }

  if (!ascii)
    {
      g_autofree char *valid = g_utf8_make_valid (text, length);
      g_autofree char *part = NULL;

      n_chars = g_utf8_strlen (valid, -1);
      if (n_chars <= max_chars)
        return g_steal_pointer (&valid);

      from = column > max_chars / 2 ? MIN (column - 1 - max_chars / 2, n_chars - max_chars) : 0;
      to = MIN (n_chars, from + max_chars);
      part = g_utf8_substring (valid, from, to);
      out = g_string_new (from > 0 ? "…" : "");
      g_string_append (out, part);
    }
  else
    {
      n_chars = length;
      from = column > max_chars / 2 ? MIN (column - 1 - max_chars / 2, n_chars - max_chars) : 0;
      to = MIN (n_chars, from + max_chars);
      out = g_string_new (from > 0 ? "…" : "");
      g_string_append_len (out, text + from, to - from);
    }

  if (to < n_chars)
    g_string_append (out, "…");
  *window_column = column - (guint)from + (from > 0 ? 1 : 0);

  return g_string_free (out, FALSE);
}

guint
pw_source_map_get_size (PwSourceMap *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return g_hash_table_size (self->values);
}
