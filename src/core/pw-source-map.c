/* pw-source-map.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-source-map"

#include "config.h"

#include <string.h>

#include "pw-core-private.h"

/* One recorded position: a value's, and for a member its key's as well.
 * Offsets are bytes into the text; UNKNOWN when the position was given as
 * a line and column only. */
typedef struct
{
  guint32 line;
  guint32 column;
  guint32 start;
  guint32 end;
  guint32 flags;
  guint32 link;
  guint32 key_line;       /* 0: no key known */
  guint32 key_column;
  guint32 key_start;
} Position;

#define UNKNOWN G_MAXUINT32

/* JsonNode* → index into a map's positions. The table holds a reference on
 * each node so its address cannot be reused by another node while the map
 * lives. A document the edit module derives from another shares the table
 * (only the positions are copied and shifted), so it is kept apart from
 * the map and reference counted. */
typedef struct
{
  gatomicrefcount  ref_count;
  GHashTable      *nodes;
} Index;

struct _PwSourceMap
{
  gatomicrefcount  ref_count;
  char            *filename;
  GBytes          *text;
  Index           *index;
  /* Once the document is read, what others add (the nodes a template's
   * model copies from it) goes here, the map's own: a derived map shares
   * only the document's nodes. */
  GHashTable      *local;
  gboolean         sealed;
  Position        *positions;
  guint            n_positions;
  guint            positions_size;
  /* Byte offsets of line starts, computed on first use. */
  GArray          *line_starts;
  /* line → whether it is all ASCII, for the long lines asked about */
  GHashTable      *ascii_lines;
};

G_DEFINE_BOXED_TYPE (PwSourceMap, pw_source_map, pw_source_map_ref, pw_source_map_unref)

static void
node_unref (gpointer data)
{
  json_node_unref (data);
}

static Index *
index_new (void)
{
  Index *index = g_new0 (Index, 1);

  g_atomic_ref_count_init (&index->ref_count);
  index->nodes = g_hash_table_new_full (NULL, NULL, node_unref, NULL);

  return index;
}

static Index *
index_ref (Index *index)
{
  g_atomic_ref_count_inc (&index->ref_count);
  return index;
}

static void
index_unref (Index *index)
{
  if (!g_atomic_ref_count_dec (&index->ref_count))
    return;

  g_hash_table_unref (index->nodes);
  g_free (index);
}

PwSourceMap *
pw_source_map_new (const char *filename,
                   GBytes     *text)
{
  PwSourceMap *self = g_new0 (PwSourceMap, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->filename = g_strdup (filename != NULL ? filename : "<input>");
  self->text = text != NULL ? g_bytes_ref (text) : NULL;
  self->index = index_new ();

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

  g_clear_pointer (&self->index, index_unref);
  g_clear_pointer (&self->local, g_hash_table_unref);
  g_clear_pointer (&self->positions, g_free);
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

static inline guint32
clamp_offset (gsize offset)
{
  return offset < UNKNOWN ? (guint32)offset : UNKNOWN;
}

/* A new record; the readers make one per node, so it stays cheap. */
static inline Position *
append_position (PwSourceMap *self,
                 guint       *index)
{
  if (G_UNLIKELY (self->n_positions == self->positions_size))
    {
      self->positions_size = MAX (1024, self->positions_size * 2);
      self->positions = g_renew (Position, self->positions, self->positions_size);
    }

  *index = self->n_positions;
  return &self->positions[self->n_positions++];
}

static const Position *
lookup_position (PwSourceMap *self,
                 JsonNode    *node,
                 guint       *index)
{
  gpointer value;
  guint i;

  if (node == NULL ||
      ((self->local == NULL || !g_hash_table_lookup_extended (self->local, node, NULL, &value)) &&
       !g_hash_table_lookup_extended (self->index->nodes, node, NULL, &value)))
    return NULL;

  /* A map derived by the edit module shares its table with the map it came
   * from, which may hold nodes of other derived maps: those are not ours. */
  i = GPOINTER_TO_UINT (value);
  if (i >= self->n_positions)
    return NULL;

  if (index != NULL)
    *index = i;

  return &self->positions[i];
}

static void
set_index (PwSourceMap *self,
           JsonNode    *node,
           guint        index)
{
  GHashTable *table = self->index->nodes;

  if (self->sealed)
    {
      if (self->local == NULL)
        self->local = g_hash_table_new_full (NULL, NULL, node_unref, NULL);
      table = self->local;
    }

  /* replace() drops the old key's reference and keeps the new one, so the
   * table always holds exactly one reference per node. */
  g_hash_table_replace (table, json_node_ref (node), GUINT_TO_POINTER (index));
}

/**
 * _pw_source_map_seal:
 *
 * Says the document's nodes are all recorded: what is added from now on
 * is this map's own, and maps derived from it will not share it.
 */
void
_pw_source_map_seal (PwSourceMap *self)
{
  self->sealed = TRUE;
}

/**
 * _pw_source_map_record:
 *
 * The readers' way to pw_source_map_add_span(): no checks, and it returns
 * the record, so that _pw_source_map_set_key() can add the member's key to
 * it without a second lookup.
 *
 * Returns: the record's index
 */
guint
_pw_source_map_record (PwSourceMap *self,
                       JsonNode    *node,
                       guint        line,
                       guint        column,
                       gsize        start,
                       gsize        end,
                       guint        flags,
                       gsize        link)
{
  guint index;
  Position *position = append_position (self, &index);

  position->line = line;
  position->column = column;
  position->start = clamp_offset (start);
  position->end = clamp_offset (end);
  position->flags = flags;
  position->link = link < UNKNOWN ? (guint32)link : 0;
  position->key_line = 0;
  position->key_column = 0;
  position->key_start = UNKNOWN;
  set_index (self, node, index);

  return index;
}

/**
 * _pw_source_map_set_key:
 * @index: a record that _pw_source_map_record() just made, so that no
 *   other node shares it
 *
 * Adds the position of the member's key to the record of its value.
 */
void
_pw_source_map_set_key (PwSourceMap *self,
                        guint        index,
                        guint        line,
                        guint        column,
                        gsize        start)
{
  Position *position = &self->positions[index];

  position->key_line = line;
  position->key_column = column;
  position->key_start = clamp_offset (start);
}

/* The record of @node, made its own: one that no other node shares. */
static Position *
own_position (PwSourceMap *self,
              JsonNode    *node)
{
  const Position *existing = lookup_position (self, node, NULL);
  Position copy;
  Position *position;
  guint index;

  if (existing != NULL)
    copy = *existing;
  else
    {
      memset (&copy, 0, sizeof copy);
      copy.start = copy.end = copy.key_start = UNKNOWN;
    }

  position = append_position (self, &index);
  *position = copy;
  set_index (self, node, index);

  return position;
}

void
pw_source_map_add (PwSourceMap *self,
                   JsonNode    *node,
                   guint        line,
                   guint        column)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (node != NULL);

  _pw_source_map_record (self, node, line, column, UNKNOWN, UNKNOWN, 0, 0);
}

void
pw_source_map_add_key (PwSourceMap *self,
                       JsonNode    *value,
                       guint        line,
                       guint        column)
{
  Position *position;

  g_return_if_fail (self != NULL);
  g_return_if_fail (value != NULL);

  position = own_position (self, value);
  position->key_line = line;
  position->key_column = column;
  position->key_start = UNKNOWN;
}

/**
 * pw_source_map_add_span:
 * @span: where the value is in the text
 *
 * Like pw_source_map_add(), with the value's byte span as well.
 */
void
pw_source_map_add_span (PwSourceMap        *self,
                        JsonNode           *node,
                        guint               line,
                        guint               column,
                        const PwSourceSpan *span)
{
  const Position *existing;
  guint32 key_line = 0, key_column = 0, key_start = UNKNOWN;
  guint index;

  g_return_if_fail (self != NULL);
  g_return_if_fail (node != NULL);
  g_return_if_fail (span != NULL);

  /* The key stays where it was. */
  if ((existing = lookup_position (self, node, NULL)) != NULL)
    {
      key_line = existing->key_line;
      key_column = existing->key_column;
      key_start = existing->key_start;
    }

  index = _pw_source_map_record (self, node, line, column, span->start, span->end,
                                 span->flags, span->link);
  self->positions[index].key_line = key_line;
  self->positions[index].key_column = key_column;
  self->positions[index].key_start = key_start;
}

/**
 * pw_source_map_add_key_span:
 * @start: byte offset of the key's first byte (its opening quote, if any)
 *
 * Like pw_source_map_add_key(), with the key's offset as well.
 */
void
pw_source_map_add_key_span (PwSourceMap *self,
                            JsonNode    *value,
                            guint        line,
                            guint        column,
                            gsize        start)
{
  Position *position;

  g_return_if_fail (self != NULL);
  g_return_if_fail (value != NULL);

  position = own_position (self, value);
  position->key_line = line;
  position->key_column = column;
  position->key_start = clamp_offset (start);
}

gboolean
pw_source_map_lookup (PwSourceMap *self,
                      JsonNode    *node,
                      guint       *line,
                      guint       *column)
{
  const Position *position;

  g_return_val_if_fail (self != NULL, FALSE);

  if ((position = lookup_position (self, node, NULL)) == NULL || position->line == 0)
    return FALSE;

  if (line != NULL)
    *line = position->line;
  if (column != NULL)
    *column = position->column;

  return TRUE;
}

gboolean
pw_source_map_lookup_key (PwSourceMap *self,
                          JsonNode    *value,
                          guint       *line,
                          guint       *column)
{
  const Position *position;

  g_return_val_if_fail (self != NULL, FALSE);

  if ((position = lookup_position (self, value, NULL)) == NULL || position->key_line == 0)
    return FALSE;

  if (line != NULL)
    *line = position->key_line;
  if (column != NULL)
    *column = position->key_column;

  return TRUE;
}

/**
 * pw_source_map_lookup_span:
 * @span: (out): where @node is in the text
 *
 * Returns: %TRUE when @node's byte span is known (the readers record it;
 *   positions given as a line and column only have none)
 */
gboolean
pw_source_map_lookup_span (PwSourceMap  *self,
                           JsonNode     *node,
                           PwSourceSpan *span)
{
  const Position *position;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (span != NULL, FALSE);

  position = lookup_position (self, node, NULL);
  if (position == NULL || position->start == UNKNOWN || position->end == UNKNOWN)
    return FALSE;

  span->start = position->start;
  span->end = position->end;
  span->flags = position->flags;
  span->link = position->link;

  return TRUE;
}

/**
 * pw_source_map_lookup_key_offset:
 * @value: the value of a member
 * @start: (out): the byte offset of the member's key
 *
 * Returns: %TRUE when the offset of the key is known
 */
gboolean
pw_source_map_lookup_key_offset (PwSourceMap *self,
                                 JsonNode    *value,
                                 gsize       *start)
{
  const Position *position;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (start != NULL, FALSE);

  position = lookup_position (self, value, NULL);
  if (position == NULL || position->key_line == 0 || position->key_start == UNKNOWN)
    return FALSE;

  *start = position->key_start;
  return TRUE;
}

/**
 * pw_source_map_copy_position:
 * @from: (nullable): a located node
 * @to: a node that stands for it (a copy, a conversion)
 *
 * Gives @to the positions of @from, its value's and its key's, spans
 * included. Cheaper than lookups and adds, as the two share one record.
 */
void
pw_source_map_copy_position (PwSourceMap *self,
                             JsonNode    *from,
                             JsonNode    *to)
{
  guint index;

  g_return_if_fail (self != NULL);
  g_return_if_fail (to != NULL);

  if (lookup_position (self, from, &index) != NULL)
    set_index (self, to, index);
}

/**
 * pw_source_map_copy_key_position:
 * @from: (nullable): the value of a located member
 * @to: a located node that stands for another member's value
 *
 * Gives @to the position of @from's key, keeping its own value's.
 */
void
pw_source_map_copy_key_position (PwSourceMap *self,
                                 JsonNode    *from,
                                 JsonNode    *to)
{
  const Position *source;
  Position copy;
  Position *position;
  guint from_index, to_index;

  g_return_if_fail (self != NULL);
  g_return_if_fail (to != NULL);

  if ((source = lookup_position (self, from, &from_index)) == NULL)
    return;
  /* Already the same record (a copy_position() before): nothing to do. */
  if (lookup_position (self, to, &to_index) != NULL && to_index == from_index)
    return;

  copy = *source;
  position = own_position (self, to);
  position->key_line = copy.key_line;
  position->key_column = copy.key_column;
  position->key_start = copy.key_start;
}

static void
ensure_line_starts (PwSourceMap *self)
{
  const char *data;
  const char *p, *end;
  gsize size;
  gsize offset = 0;

  if (self->line_starts != NULL)
    return;

  data = self->text != NULL ? g_bytes_get_data (self->text, &size) : NULL;
  self->line_starts = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_array_append_val (self->line_starts, offset);
  if (data == NULL)
    return;

  end = data + size;
  for (p = data; p < end && (p = memchr (p, '\n', end - p)) != NULL; p++)
    {
      offset = p - data + 1;
      g_array_append_val (self->line_starts, offset);
    }
}

/**
 * pw_source_map_offset_to_position:
 * @offset: a byte offset into the text
 * @line: (out) (optional): its 1-based line
 * @column: (out) (optional): its 1-based column, in characters
 *
 * Returns: %FALSE when there is no text or @offset is past its end
 */
gboolean
pw_source_map_offset_to_position (PwSourceMap *self,
                                  gsize        offset,
                                  guint       *line,
                                  guint       *column)
{
  const char *data;
  gsize size;
  guint lo, hi;
  gsize start;
  guint n = 1;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->text == NULL)
    return FALSE;

  data = g_bytes_get_data (self->text, &size);
  if (offset > size)
    return FALSE;

  ensure_line_starts (self);

  /* The last line start at or before @offset. */
  lo = 0;
  hi = self->line_starts->len;
  while (hi - lo > 1)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (self->line_starts, gsize, mid) <= offset)
        lo = mid;
      else
        hi = mid;
    }

  start = g_array_index (self->line_starts, gsize, lo);
  /* Columns match the readers', which skip a byte-order mark. */
  if (lo == 0 && size >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    start = MIN (offset, 3);
  for (gsize i = start; i < offset; i++)
    if (((guchar)data[i] & 0xC0) != 0x80)
      n++;

  if (line != NULL)
    *line = lo + 1;
  if (column != NULL)
    *column = n;

  return TRUE;
}

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
  ensure_line_starts (self);

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

  return g_hash_table_size (self->index->nodes);
}

/**
 * _pw_source_map_new_derived:
 * @from: the map of a document
 * @text: the new text of that document
 *
 * A map for @text, which the edit module made from @from's text, sharing
 * @from's node tables and starting with a copy of its positions; the
 * caller shifts them with _pw_source_map_shift() and adds the nodes it
 * parsed anew. Copying the positions is a few hundred microseconds for the
 * largest pipelines, where parsing the text again takes tens of
 * milliseconds.
 */
PwSourceMap *
_pw_source_map_new_derived (PwSourceMap *from,
                            const char  *filename,
                            GBytes      *text)
{
  PwSourceMap *self = g_new0 (PwSourceMap, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->filename = g_strdup (filename != NULL ? filename : from->filename);
  self->text = text != NULL ? g_bytes_ref (text) : NULL;
  self->index = index_ref (from->index);
  /* Room for what the edit adds; a power of two, so that documents after
   * documents ask for blocks of the same size, which malloc then reuses
   * instead of mapping (and faulting in) fresh pages each time. */
  self->positions_size = 4096;
  while (self->positions_size < from->n_positions + 4096)
    self->positions_size *= 2;
  self->positions = g_new (Position, self->positions_size);
  self->n_positions = from->n_positions;
  memcpy (self->positions, from->positions, from->n_positions * sizeof (Position));

  return self;
}

/**
 * _pw_source_map_shift:
 * @old_end: where the replaced text ended, in the old text
 * @delta: how many bytes longer the new text is
 * @old_end_line: the line of @old_end in the old text
 * @line_delta: how many lines longer it is
 * @column_delta: how much the column of @old_end moved
 *
 * Moves the positions at or after @old_end by one replacement: by @delta
 * bytes and @line_delta lines, and those on the line of @old_end by
 * @column_delta columns too. Spans that contain the replacement grow by
 * @delta. Positions inside it are left as they were: they belong to nodes
 * the new text no longer has.
 */
void
_pw_source_map_shift (PwSourceMap *self,
                      gsize        old_end,
                      gssize       delta,
                      guint        old_end_line,
                      gint         line_delta,
                      gint         column_delta)
{
  Position *positions = self->positions;
  guint n = self->n_positions;

  for (guint i = 0; i < n; i++)
    {
      Position *p = &positions[i];

      if (p->start == UNKNOWN)
        continue;

      if (p->start >= old_end)
        {
          if (p->line == old_end_line)
            p->column = (guint32)((gint64)p->column + column_delta);
          p->line = (guint32)((gint64)p->line + line_delta);
          p->start = (guint32)((gint64)p->start + delta);
          if (p->end != UNKNOWN)
            p->end = (guint32)((gint64)p->end + delta);
        }
      else if (p->end != UNKNOWN && p->end >= old_end)
        p->end = (guint32)((gint64)p->end + delta);

      if (p->link >= old_end && p->flags != 0)
        p->link = (guint32)((gint64)p->link + delta);

      if (p->key_line != 0 && p->key_start != UNKNOWN && p->key_start >= old_end)
        {
          if (p->key_line == old_end_line)
            p->key_column = (guint32)((gint64)p->key_column + column_delta);
          p->key_line = (guint32)((gint64)p->key_line + line_delta);
          p->key_start = (guint32)((gint64)p->key_start + delta);
        }
    }
}

/* The number of nodes the (possibly shared) tables hold, to know when a
 * derived map should be rebuilt from scratch. */
guint
_pw_source_map_get_index_size (PwSourceMap *self)
{
  return g_hash_table_size (self->index->nodes);
}

static void
compact_node (PwSourceMap *from,
              PwSourceMap *self,
              JsonNode    *node)
{
  gpointer value;

  if (g_hash_table_lookup_extended (from->index->nodes, node, NULL, &value) &&
      GPOINTER_TO_UINT (value) < from->n_positions)
    {
      guint index;
      Position *position = append_position (self, &index);

      *position = from->positions[GPOINTER_TO_UINT (value)];
      g_hash_table_insert (self->index->nodes, json_node_ref (node), GUINT_TO_POINTER (index));
    }

  /* The order does not matter here: the unordered walk needs no lookups. */
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &name, &child))
        compact_node (from, self, child);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint n = json_array_get_length (array);

      for (guint i = 0; i < n; i++)
        compact_node (from, self, json_array_get_element (array, i));
    }
}

/**
 * _pw_source_map_compact:
 * @root: the tree the map is for
 *
 * Keeps only the records of @root's nodes, in a table of the map's own (a
 * record two nodes shared becomes two). A
 * map derived edit after edit keeps the records of every node it ever had,
 * and shares a table with the maps it came from; this starts it afresh,
 * for a fraction of the cost of reading the text again.
 */
void
_pw_source_map_compact (PwSourceMap *self,
                        JsonNode    *root)
{
  PwSourceMap from = *self;

  self->index = index_new ();
  self->local = NULL;
  self->sealed = FALSE;
  self->n_positions = 0;
  self->positions_size = MAX (1024, from.n_positions / 2);
  self->positions = g_new (Position, self->positions_size);

  compact_node (&from, self, root);

  index_unref (from.index);
  g_clear_pointer (&from.local, g_hash_table_unref);
  g_free (from.positions);
  self->sealed = TRUE;
}

/* How many records the map holds, live or not. */
guint
_pw_source_map_get_n_records (PwSourceMap *self)
{
  return self->n_positions;
}
