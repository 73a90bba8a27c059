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
char *
pw_source_map_dup_line (PwSourceMap *self,
                        guint        line)
{
  const char *data;
  gsize size;
  gsize start, end;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->text == NULL || line == 0)
    return NULL;

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
    return NULL;

  start = g_array_index (self->line_starts, gsize, line - 1);
  if (start > size)
    return NULL;
  end = start;
  while (end < size && data[end] != '\n')
    end++;
  if (end > start && data[end - 1] == '\r')
    end--;

  /* Skip a byte-order mark on the first line so columns match. */
  if (line == 1 && end - start >= 3 && memcmp (data + start, "\xef\xbb\xbf", 3) == 0)
    start += 3;

  return g_utf8_make_valid (data + start, end - start);
}

guint
pw_source_map_get_size (PwSourceMap *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return g_hash_table_size (self->values);
}
