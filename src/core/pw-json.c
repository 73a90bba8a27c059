/* pw-json.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-json"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "pw-core-private.h"

/* The same limits as the YAML reader. */
#define MAX_INPUT_SIZE (64 * 1024 * 1024)
#define MAX_DEPTH      256

/*
 * Reader: a strict scanner that builds json-glib's tree itself, in one pass.
 *
 * json-glib stays the data model (JsonNode, JsonObject, JsonArray), but not
 * its JsonParser. json-glib 1.6's parser is lenient: it takes comments,
 * single-quoted strings, `var x = …`, hex and `.5` numbers, unknown escapes,
 * raw control characters in strings and trailing garbage (`[1] [2]`). It is
 * recursive, so a `[[[[…` bomb would overflow the stack; it wraps integers
 * past 64 bits around; it finds the earlier member of a duplicate key by
 * walking a list, which takes quadratic time; and it keeps no positions.
 * Checking the text before it and walking its tree after it to record
 * positions cost three passes.
 *
 * This scanner refuses what is not strict JSON with a position and a hint,
 * keeps its own stack of open arrays and objects (no recursion) and stops at
 * the depth limit, refuses duplicate keys, reads integers past 64 bits as
 * doubles, and records where every value and member key starts as it makes
 * their nodes. To stay linear and cheap:
 *
 * - strings are decoded into a GString that is reused, so the node's copy is
 *   their only allocation;
 * - columns count characters, but only strings can hold non-ASCII text, so
 *   a token's column is its byte offset in the line less the UTF-8
 *   continuation bytes that strings on the line had before it, which
 *   scan_string() counts as it goes;
 * - the UTF-8 check is part of the same pass (see pw_json_parse()).
 */

typedef struct
{
  char        kind;          /* '[' or '{' */
  guint       line;          /* where it opened, for messages */
  guint       column;
  /* Borrowed: the tree owns them. */
  JsonNode   *node;
  JsonArray  *array;         /* NULL for an object */
  JsonObject *object;        /* NULL for an array */
  guint       first_key;     /* objects: index of their first key in Scanner.key_lines */
  gsize       start;         /* byte offset of the '[' or '{' */
  /* The member's key, when it is the value of one */
  gboolean    has_key;
  guint       key_line;
  guint       key_column;
  gsize       key_offset;
} Level;

typedef struct
{
  const char  *data;
  gsize        length;
  gsize        pos;
  guint        line;
  gsize        line_start;
  /* UTF-8 continuation bytes in the strings scanned so far on this line:
   * see token_column(). */
  gsize        continuation_bytes;

  const char  *filename;
  PwSourceMap *map;
  GError      *error;

  /* Owned: the tree so far, freed on error. */
  JsonNode    *root;
  Level        stack[MAX_DEPTH];
  guint        depth;
  guint        value_end_line;

  GString     *key;            /* the last key, decoded */
  guint        key_line;       /* and where it starts */
  guint        key_column;
  gsize        key_offset;
  gsize        base;           /* added to every offset: a skipped byte-order mark */
  GString     *text;           /* the last string value, decoded */
  /* The line of each key of the open objects, in order, for "first defined
   * on line N": a closed object's keys are dropped as it closes. */
  GArray      *key_lines;
} Scanner;

static const char *
error_filename (PwSourceMap *map)
{
  return map != NULL ? pw_source_map_get_filename (map) : "<input>";
}

/* The column of a token starting at @offset on the current line, where all
 * the text before @offset has been scanned. Columns count characters. */
static inline guint
token_column (Scanner *self,
              gsize    offset)
{
  return (guint)(offset - self->line_start - self->continuation_bytes + 1);
}

/* The column of any @offset on the current line, for messages: they may
 * point back into a string already scanned (so token_column() would count
 * its continuation bytes), and they are rare enough to count from the line
 * start. */
static guint
error_column (Scanner *self,
              gsize    offset)
{
  guint column = 1;

  offset = MIN (offset, self->length);
  for (gsize i = self->line_start; i < offset; i++)
    {
      if (((guchar)self->data[i] & 0xC0) != 0x80)
        column++;
    }

  return column;
}

static void
scanner_error_valist (Scanner    *self,
                      PwCoreError code,
                      guint       line,
                      guint       column,
                      const char *format,
                      va_list     args) G_GNUC_PRINTF (5, 0);

static void
scanner_error_valist (Scanner    *self,
                      PwCoreError code,
                      guint       line,
                      guint       column,
                      const char *format,
                      va_list     args)
{
  g_autofree char *message = NULL;

  if (self->error != NULL)
    return;

  message = g_strdup_vprintf (format, args);
  self->error = g_error_new (PW_CORE_ERROR, code, "%s:%u:%u: %s", self->filename,
                             line, column, message);
}

/* An error at a byte offset on the current line. */
static void
scanner_error_at (Scanner    *self,
                  PwCoreError code,
                  gsize       offset,
                  const char *format,
                  ...) G_GNUC_PRINTF (4, 5);

static void
scanner_error_at (Scanner    *self,
                  PwCoreError code,
                  gsize       offset,
                  const char *format,
                  ...)
{
  va_list args;

  va_start (args, format);
  scanner_error_valist (self, code, self->line, error_column (self, offset), format, args);
  va_end (args);
}

static void
scanner_error_at_position (Scanner    *self,
                           PwCoreError code,
                           guint       line,
                           guint       column,
                           const char *format,
                           ...) G_GNUC_PRINTF (5, 6);

static void
scanner_error_at_position (Scanner    *self,
                           PwCoreError code,
                           guint       line,
                           guint       column,
                           const char *format,
                           ...)
{
  va_list args;

  va_start (args, format);
  scanner_error_valist (self, code, line, column, format, args);
  va_end (args);
}

/* Keeps quoted keys readable in messages however long they are. */
static char *
shorten (const char *text)
{
  g_autofree char *head = NULL;

  if (g_utf8_strlen (text, -1) <= 60)
    return g_strdup (text);

  head = g_utf8_substring (text, 0, 57);
  return g_strconcat (head, "…", NULL);
}

static inline void
skip_whitespace (Scanner *self)
{
  while (self->pos < self->length)
    {
      char c = self->data[self->pos];

      if (c == ' ' || c == '\t' || c == '\r')
        self->pos++;
      else if (c == '\n')
        {
          self->pos++;
          self->line++;
          self->line_start = self->pos;
          self->continuation_bytes = 0;
        }
      else
        break;
    }
}

/* The character at @offset, quoted for a message. */
static char *
describe_char (Scanner *self,
               gsize    offset)
{
  guint size;
  gunichar ch;

  if (offset >= self->length)
    return g_strdup ("the end of the file");

  /* Outside strings the text has not been checked for UTF-8 yet: stay
   * inside it. If it is not UTF-8, that error is reported instead. */
  size = g_utf8_skip[(guchar)self->data[offset]];
  if (size > self->length - offset)
    return g_strdup ("an incomplete character");

  ch = g_utf8_get_char (self->data + offset);
  if (ch < 0x20 || ch == 0x7F)
    return g_strdup_printf ("control character U+%04X", ch);

  return g_strdup_printf ("'%.*s'", (int)size, self->data + offset);
}

static gboolean
is_word_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '$';
}

/* A message for text that should have been a value or a key. */
static void
error_unexpected (Scanner  *self,
                  gboolean  want_key)
{
  gsize start = self->pos;
  char c = self->data[start];

  if (c == '\'')
    {
      scanner_error_at (self, PW_CORE_ERROR_SYNTAX, start,
                        "JSON strings use double quotes, not single quotes");
      return;
    }

  if (c == '/' || c == '#')
    {
      scanner_error_at (self, PW_CORE_ERROR_SYNTAX, start, "comments are not allowed in JSON");
      return;
    }

  if (want_key && (is_word_char (c) || c == '-'))
    {
      scanner_error_at (self, PW_CORE_ERROR_SYNTAX, start,
                        "object keys must be strings in double quotes");
      return;
    }

  if (g_ascii_isalpha (c) || c == '_' || c == '$')
    {
      gsize end = start;
      g_autofree char *word = NULL;

      while (end < self->length && is_word_char (self->data[end]) && end - start < 40)
        end++;
      word = g_strndup (self->data + start, end - start);

      if (g_ascii_strcasecmp (word, "true") == 0 || g_ascii_strcasecmp (word, "false") == 0 ||
          g_ascii_strcasecmp (word, "null") == 0 || g_str_equal (word, "None"))
        scanner_error_at (self, PW_CORE_ERROR_SYNTAX, start,
                          "unexpected '%s'; JSON's literals are lowercase: true, false and null",
                          word);
      else if (g_str_equal (word, "NaN") || g_str_equal (word, "Infinity"))
        scanner_error_at (self, PW_CORE_ERROR_SYNTAX, start,
                          "NaN and Infinity are not valid JSON numbers");
      else if (g_str_equal (word, "var") || g_str_equal (word, "let") || g_str_equal (word, "const"))
        scanner_error_at (self, PW_CORE_ERROR_SYNTAX, start,
                          "a JSON file holds a value, not a JavaScript statement");
      else
        scanner_error_at (self, PW_CORE_ERROR_SYNTAX, start,
                          "unexpected word '%s'; strings must be in double quotes", word);
      return;
    }

  if (c == '+')
    {
      scanner_error_at (self, PW_CORE_ERROR_SYNTAX, start, "numbers cannot start with '+'");
      return;
    }

  if (c == '.')
    {
      scanner_error_at (self, PW_CORE_ERROR_SYNTAX, start, "numbers need a digit before the '.'");
      return;
    }

  {
    g_autofree char *what = describe_char (self, start);

    scanner_error_at (self, PW_CORE_ERROR_SYNTAX, start, "expected %s, found %s",
                      want_key ? "a key in double quotes" : "a value", what);
  }
}

static void
error_not_closed (Scanner *self)
{
  Level *level = &self->stack[self->depth - 1];

  scanner_error_at (self, PW_CORE_ERROR_SYNTAX, self->pos,
                    "unexpected end of the file; the %s opened on line %u, column %u is not closed",
                    level->kind == '[' ? "array" : "object", level->line, level->column);
}

/* The key just read is already a member of the object @level reads. */
static void
error_duplicate_key (Scanner *self,
                     Level   *level)
{
  g_autofree char *shown = shorten (self->key->str);
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;
  guint index = 0;

  /* The object's members and the level's key lines are in the same order. */
  json_object_iter_init_ordered (&iter, level->object);
  while (json_object_iter_next_ordered (&iter, &name, &member) &&
         !g_str_equal (name, self->key->str))
    index++;

  scanner_error_at_position (self, PW_CORE_ERROR_SYNTAX, self->key_line, self->key_column,
                             "duplicate key '%s' (first defined on line %u)", shown,
                             g_array_index (self->key_lines, guint, level->first_key + index));
}

/* The character a one-letter escape stands for. */
static char
unescape (char letter)
{
  switch (letter)
    {
    case 'b':
      return '\b';

    case 'f':
      return '\f';

    case 'n':
      return '\n';

    case 'r':
      return '\r';

    case 't':
      return '\t';

    default:
      return letter;
    }
}

static gboolean
read_hex4 (Scanner  *self,
           gsize     offset,
           gunichar *value)
{
  *value = 0;
  if (offset + 4 > self->length)
    return FALSE;

  for (guint i = 0; i < 4; i++)
    {
      char c = self->data[offset + i];

      if (!g_ascii_isxdigit (c))
        return FALSE;
      *value = (*value << 4) | g_ascii_xdigit_value (c);
    }

  return TRUE;
}

/* Whether a string's inner loop can copy @c without a second look: not the
 * closing quote, a backslash, a control character or a non-ASCII byte. */
static inline gboolean
is_plain_string_byte (guchar c)
{
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* Scans the string at pos and decodes it into @out. Its non-ASCII runs are
 * checked for UTF-8 and their continuation bytes counted for the columns. */
static gboolean
scan_string (Scanner *self,
             GString *out)
{
  const guchar *data = (const guchar *)self->data;
  gsize start = self->pos;
  gsize pos = start + 1;
  gsize run = pos;

  g_assert (data[start] == '"');
  g_string_truncate (out, 0);

  for (;;)
    {
      guchar c;

      while (pos < self->length && is_plain_string_byte (data[pos]))
        pos++;

      if (pos >= self->length)
        {
          scanner_error_at (self, PW_CORE_ERROR_SYNTAX, start,
                            "this string is not closed (a '\"' is missing)");
          return FALSE;
        }

      c = data[pos];

      if (c == '"')
        {
          g_string_append_len (out, self->data + run, pos - run);
          self->pos = pos + 1;
          return TRUE;
        }

      if (c >= 0x80)
        {
          gsize end = pos;

          while (end < self->length && data[end] >= 0x80)
            end++;

          /* A run of non-ASCII bytes between ASCII ones is UTF-8 exactly
           * when the whole text is, so this error is reported as the
           * encoding error pw_json_parse() finds. */
          if (!g_utf8_validate_len (self->data + pos, end - pos, NULL))
            {
              scanner_error_at (self, PW_CORE_ERROR_ENCODING, pos, "the file is not UTF-8 text");
              return FALSE;
            }

          for (; pos < end; pos++)
            {
              if ((data[pos] & 0xC0) == 0x80)
                self->continuation_bytes++;
            }
          continue;
        }

      if (c == '\n')
        {
          scanner_error_at (self, PW_CORE_ERROR_SYNTAX, pos,
                            "the string is not closed at the end of the line; close it with "
                            "'\"', or write a line break inside a string as \\n");
          return FALSE;
        }

      if (c < 0x20)
        {
          static const char * const names[0x20] = { ['\t'] = "\\t", ['\r'] = "\\r", ['\b'] = "\\b", ['\f'] = "\\f" };
          const char *name = names[c] != NULL ? names[c] : "\\u00XX";

          scanner_error_at (self, PW_CORE_ERROR_SYNTAX, pos,
                            "control character U+%04X must be escaped in a JSON string (%s)",
                            c, name);
          return FALSE;
        }

      /* What is left is a backslash: keep the run before it, then decode
       * the escape. */
      g_string_append_len (out, self->data + run, pos - run);

      if (pos + 1 >= self->length)
        {
          scanner_error_at (self, PW_CORE_ERROR_SYNTAX, start,
                            "this string is not closed (a '\"' is missing)");
          return FALSE;
        }

      switch (data[pos + 1])
        {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
          g_string_append_c (out, unescape (data[pos + 1]));
          break;

        case 'u':
          {
            gunichar value, low;

            if (!read_hex4 (self, pos + 2, &value))
              {
                scanner_error_at (self, PW_CORE_ERROR_SYNTAX, pos,
                                  "invalid escape: '\\u' needs four hexadecimal digits");
                return FALSE;
              }

            if (value == 0)
              {
                scanner_error_at (self, PW_CORE_ERROR_SYNTAX, pos,
                                  "'\\u0000' (NUL) is not supported in strings");
                return FALSE;
              }

            if (value >= 0xDC00 && value <= 0xDFFF)
              {
                scanner_error_at (self, PW_CORE_ERROR_SYNTAX, pos,
                                  "invalid escape: a low surrogate ('\\u%04X') without a high one",
                                  value);
                return FALSE;
              }

            if (value >= 0xD800 && value <= 0xDBFF)
              {
                if (pos + 7 >= self->length ||
                    data[pos + 6] != '\\' || data[pos + 7] != 'u' ||
                    !read_hex4 (self, pos + 8, &low) ||
                    low < 0xDC00 || low > 0xDFFF)
                  {
                    scanner_error_at (self, PW_CORE_ERROR_SYNTAX, pos,
                                      "invalid escape: a high surrogate ('\\u%04X') must be "
                                      "followed by a low one", value);
                    return FALSE;
                  }
                value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00);
                pos += 6;
              }

            g_string_append_unichar (out, value);
            pos += 4;
            break;
          }

        default:
          {
            g_autofree char *what = describe_char (self, pos + 1);

            scanner_error_at (self, PW_CORE_ERROR_SYNTAX, pos,
                              "invalid escape '\\' followed by %s; write a backslash as '\\\\'",
                              what);
            return FALSE;
          }
        }

      pos += 2;
      run = pos;
    }
}

static gboolean
scan_digits (Scanner *self)
{
  gsize start = self->pos;

  while (self->pos < self->length && g_ascii_isdigit (self->data[self->pos]))
    self->pos++;

  return self->pos > start;
}

/* Scans a number at pos; *is_integer tells whether it has no fraction and
 * no exponent. */
static gboolean
scan_number (Scanner  *self,
             gboolean *is_integer)
{
  gsize start = self->pos;

  *is_integer = TRUE;

  if (self->data[self->pos] == '-')
    {
      self->pos++;
      if (self->pos < self->length && self->data[self->pos] == 'I')
        {
          scanner_error_at (self, PW_CORE_ERROR_SYNTAX, start,
                            "NaN and Infinity are not valid JSON numbers");
          return FALSE;
        }
      if (self->pos >= self->length || !g_ascii_isdigit (self->data[self->pos]))
        {
          scanner_error_at (self, PW_CORE_ERROR_SYNTAX, start, "'-' must be followed by a digit");
          return FALSE;
        }
    }

  if (self->data[self->pos] == '0')
    {
      self->pos++;
      if (self->pos < self->length && (self->data[self->pos] == 'x' || self->data[self->pos] == 'X'))
        {
          scanner_error_at (self, PW_CORE_ERROR_SYNTAX, start,
                            "hexadecimal numbers are not allowed in JSON");
          return FALSE;
        }
      if (self->pos < self->length && g_ascii_isdigit (self->data[self->pos]))
        {
          scanner_error_at (self, PW_CORE_ERROR_SYNTAX, start,
                            "numbers cannot have leading zeros");
          return FALSE;
        }
    }
  else
    scan_digits (self);

  if (self->pos < self->length && self->data[self->pos] == '.')
    {
      *is_integer = FALSE;
      self->pos++;
      if (!scan_digits (self))
        {
          scanner_error_at (self, PW_CORE_ERROR_SYNTAX, self->pos - 1,
                            "a digit must follow the '.' of a number");
          return FALSE;
        }
    }

  if (self->pos < self->length && (self->data[self->pos] == 'e' || self->data[self->pos] == 'E'))
    {
      gsize e = self->pos;

      *is_integer = FALSE;
      self->pos++;
      if (self->pos < self->length && (self->data[self->pos] == '+' || self->data[self->pos] == '-'))
        self->pos++;
      if (!scan_digits (self))
        {
          scanner_error_at (self, PW_CORE_ERROR_SYNTAX, e, "the exponent of a number needs digits");
          return FALSE;
        }
    }

  return TRUE;
}

/* The node for the number just scanned from @start. Integers that do not
 * fit 64 bits become doubles, as in other readers. */
static JsonNode *
make_number (Scanner  *self,
             gsize     start,
             gboolean  is_integer)
{
  const char *text = self->data + start;
  gsize size = self->pos - start;
  gboolean negative = text[0] == '-';
  char buffer[64];
  g_autofree char *heap = NULL;
  const char *copy;

  /* 18 digits always fit, and the text is known to be digits. */
  if (is_integer && size - negative <= 18)
    {
      gint64 value = 0;

      for (gsize i = negative; i < size; i++)
        value = value * 10 + (text[i] - '0');

      return json_node_init_int (json_node_alloc (), negative ? -value : value);
    }

  /* strtoll() and strtod() want the text NUL-terminated. */
  if (size < sizeof buffer)
    {
      memcpy (buffer, text, size);
      buffer[size] = '\0';
      copy = buffer;
    }
  else
    copy = heap = g_strndup (text, size);

  if (is_integer)
    {
      gint64 value;

      errno = 0;
      value = g_ascii_strtoll (copy, NULL, 10);
      if (errno != ERANGE)
        return json_node_init_int (json_node_alloc (), value);
    }

  return json_node_init_double (json_node_alloc (), g_ascii_strtod (copy, NULL));
}

/* Scans true, false or null at pos. */
static JsonNode *
scan_word (Scanner *self)
{
  gsize start = self->pos;
  gsize end = start;
  JsonNode *node;

  while (end < self->length && is_word_char (self->data[end]))
    end++;

  if (end - start == 4 && memcmp (self->data + start, "true", 4) == 0)
    node = json_node_init_boolean (json_node_alloc (), TRUE);
  else if (end - start == 5 && memcmp (self->data + start, "false", 5) == 0)
    node = json_node_init_boolean (json_node_alloc (), FALSE);
  else if (end - start == 4 && memcmp (self->data + start, "null", 4) == 0)
    node = json_node_init_null (json_node_alloc ());
  else
    {
      error_unexpected (self, FALSE);
      return NULL;
    }

  self->pos = end;
  return node;
}

/* Puts @node, a new value that starts at @line and @column (byte @start),
 * into the tree: as the root, the next element of the open array or the
 * member of the open object for the last key read. Then records its
 * position, unless it is an array or object (@end is 0: those are recorded
 * as they close, when their end is known), and its key's. */
static void
add_node (Scanner  *self,
          JsonNode *node,
          guint     line,
          guint     column,
          gsize     start,
          gsize     end)
{
  Level *parent = NULL;

  if (self->depth == 0)
    self->root = node;
  else
    {
      parent = &self->stack[self->depth - 1];
      if (parent->array != NULL)
        json_array_add_element (parent->array, node);
      else
        json_object_set_member (parent->object, self->key->str, node);
      json_node_set_parent (node, parent->node);
    }

  if (self->map != NULL && end != 0)
    {
      guint index = _pw_source_map_record (self->map, node, line, column,
                                           self->base + start, self->base + end, 0, 0);

      if (parent != NULL && parent->object != NULL)
        _pw_source_map_set_key (self->map, index, self->key_line, self->key_column,
                                self->base + self->key_offset);
    }
}

/* Opens an array or object (@kind is '[' or '{') that starts at @line and
 * @column, the current position. */
static void
open_level (Scanner *self,
            char     kind,
            guint    line,
            guint    column)
{
  JsonNode *node = json_node_alloc ();
  Level *level;

  /* The level is set up after add_node(), which still needs the parent's. */
  if (kind == '[')
    {
      JsonArray *array = json_array_new ();

      json_node_init_array (node, array);
      json_array_unref (array);
      add_node (self, node, line, column, self->pos, 0);

      level = &self->stack[self->depth++];
      level->array = array;
      level->object = NULL;
    }
  else
    {
      JsonObject *object = json_object_new ();

      json_node_init_object (node, object);
      json_object_unref (object);
      add_node (self, node, line, column, self->pos, 0);

      level = &self->stack[self->depth++];
      level->array = NULL;
      level->object = object;
      level->first_key = self->key_lines->len;
    }

  level->kind = kind;
  level->line = line;
  level->column = column;
  level->node = node;
  level->start = self->pos;
  level->has_key = self->depth > 1 && self->stack[self->depth - 2].object != NULL;
  if (level->has_key)
    {
      level->key_line = self->key_line;
      level->key_column = self->key_column;
      level->key_offset = self->key_offset;
    }
  self->pos++;
}

/* Closes the innermost array or object at its ']' or '}' at pos. */
static void
close_level (Scanner *self)
{
  Level *level = &self->stack[--self->depth];

  if (level->object != NULL)
    g_array_set_size (self->key_lines, level->first_key);

  self->pos++;
  self->value_end_line = self->line;

  if (self->map != NULL)
    {
      guint index = _pw_source_map_record (self->map, level->node, level->line, level->column,
                                           self->base + level->start, self->base + self->pos,
                                           0, 0);

      if (level->has_key)
        _pw_source_map_set_key (self->map, index, level->key_line, level->key_column,
                                self->base + level->key_offset);
    }
}

typedef enum
{
  WANT_VALUE,
  WANT_FIRST_KEY,
  WANT_KEY,
  AFTER_VALUE,
} State;

static gboolean
scan_document (Scanner *self)
{
  State state = WANT_VALUE;
  guint comma_line = 0, comma_column = 0;

  for (;;)
    {
      gsize start;
      char c;

      skip_whitespace (self);
      start = self->pos;
      c = start < self->length ? self->data[start] : '\0';

      switch (state)
        {
        case WANT_VALUE:
          {
            /* Taken before the value is scanned: a string's non-ASCII text
             * would change token_column(). */
            guint line = self->line;
            guint column;
            JsonNode *node;

            if (start >= self->length)
              {
                if (self->depth == 0)
                  scanner_error_at (self, PW_CORE_ERROR_SYNTAX, start, "the document is empty");
                else
                  error_not_closed (self);
                return FALSE;
              }

            column = token_column (self, start);

            if (c == '{' || c == '[')
              {
                if (self->depth >= MAX_DEPTH)
                  {
                    scanner_error_at (self, PW_CORE_ERROR_LIMIT, start,
                                      "the document is nested more than %u levels deep",
                                      MAX_DEPTH);
                    return FALSE;
                  }

                open_level (self, c, line, column);
                state = c == '{' ? WANT_FIRST_KEY : WANT_VALUE;

                if (c == '[')
                  {
                    skip_whitespace (self);
                    if (self->pos < self->length && self->data[self->pos] == ']')
                      {
                        close_level (self);
                        state = AFTER_VALUE;
                      }
                  }
                continue;
              }

            if (c == '"')
              {
                if (!scan_string (self, self->text))
                  return FALSE;
                node = json_node_init_string (json_node_alloc (), self->text->str);
              }
            else if (c == '-' || g_ascii_isdigit (c))
              {
                gboolean is_integer;

                if (!scan_number (self, &is_integer))
                  return FALSE;
                node = make_number (self, start, is_integer);
              }
            else if (g_ascii_isalpha (c))
              {
                node = scan_word (self);
                if (node == NULL)
                  return FALSE;
              }
            else if (c == ',' || c == ']' || c == '}')
              {
                if (c == ']' && self->depth > 0 && self->stack[self->depth - 1].kind == '[')
                  scanner_error_at_position (self, PW_CORE_ERROR_SYNTAX, comma_line, comma_column,
                                             "trailing comma before ']'; JSON does not allow one");
                else
                  scanner_error_at (self, PW_CORE_ERROR_SYNTAX, start,
                                    "expected a value, found '%c'", c);
                return FALSE;
              }
            else
              {
                error_unexpected (self, FALSE);
                return FALSE;
              }

            add_node (self, node, line, column, start, self->pos);
            self->value_end_line = self->line;
            state = AFTER_VALUE;
          }
          break;

        case WANT_FIRST_KEY:
        case WANT_KEY:
          {
            Level *level = &self->stack[self->depth - 1];

            if (c == '}')
              {
                if (state == WANT_KEY)
                  {
                    scanner_error_at_position (self, PW_CORE_ERROR_SYNTAX, comma_line, comma_column,
                                               "trailing comma before '}'; JSON does not allow one");
                    return FALSE;
                  }
                close_level (self);
                state = AFTER_VALUE;
                break;
              }

            if (start >= self->length)
              {
                error_not_closed (self);
                return FALSE;
              }

            if (c != '"')
              {
                error_unexpected (self, TRUE);
                return FALSE;
              }

            self->key_line = self->line;
            self->key_column = token_column (self, start);
            self->key_offset = start;

            if (!scan_string (self, self->key))
              return FALSE;

            /* The object's own table finds duplicates in constant time. */
            if (json_object_has_member (level->object, self->key->str))
              {
                error_duplicate_key (self, level);
                return FALSE;
              }
            g_array_append_val (self->key_lines, self->key_line);

            skip_whitespace (self);
            if (self->pos >= self->length)
              {
                error_not_closed (self);
                return FALSE;
              }
            if (self->data[self->pos] != ':')
              {
                g_autofree char *what = describe_char (self, self->pos);

                scanner_error_at (self, PW_CORE_ERROR_SYNTAX, self->pos,
                                  "expected ':' after the key, found %s", what);
                return FALSE;
              }
            self->pos++;
            state = WANT_VALUE;
          }
          break;

        case AFTER_VALUE:
        default:
          if (self->depth == 0)
            {
              if (start < self->length)
                {
                  g_autofree char *what = describe_char (self, start);

                  if (c == '/' || c == '#')
                    scanner_error_at (self, PW_CORE_ERROR_SYNTAX, start,
                                      "comments are not allowed in JSON");
                  else
                    scanner_error_at (self, PW_CORE_ERROR_SYNTAX, start,
                                      "unexpected %s after the end of the document; a JSON "
                                      "file holds a single value", what);
                  return FALSE;
                }
              return TRUE;
            }

          {
            Level *level = &self->stack[self->depth - 1];
            char closer = level->kind == '[' ? ']' : '}';

            if (c == ',')
              {
                comma_line = self->line;
                comma_column = token_column (self, start);
                self->pos++;
                state = level->kind == '[' ? WANT_VALUE : WANT_KEY;
              }
            else if (start < self->length && c == closer)
              close_level (self);
            else if (start >= self->length)
              {
                error_not_closed (self);
                return FALSE;
              }
            else if (c == '"' || c == '-' || c == '{' || c == '[' || g_ascii_isalnum (c))
              {
                if (self->line > self->value_end_line)
                  scanner_error_at (self, PW_CORE_ERROR_SYNTAX, start,
                                    "expected ',' or '%c' before this value; is a ',' missing "
                                    "at the end of line %u?", closer, self->value_end_line);
                else
                  scanner_error_at (self, PW_CORE_ERROR_SYNTAX, start,
                                    "expected ',' or '%c' before this value; is a ',' missing?",
                                    closer);
                return FALSE;
              }
            else if (c == '/' || c == '#')
              {
                scanner_error_at (self, PW_CORE_ERROR_SYNTAX, start, "comments are not allowed in JSON");
                return FALSE;
              }
            else if (c == ']' || c == '}')
              {
                scanner_error_at (self, PW_CORE_ERROR_SYNTAX, start,
                                  "expected ',' or '%c', found '%c'; the %s opened on line %u, "
                                  "column %u is not closed", closer, c,
                                  level->kind == '[' ? "array" : "object",
                                  level->line, level->column);
                return FALSE;
              }
            else
              {
                g_autofree char *what = describe_char (self, start);

                scanner_error_at (self, PW_CORE_ERROR_SYNTAX, start,
                                  "expected ',' or '%c', found %s", closer, what);
                return FALSE;
              }
          }
          break;
        }
    }
}

static void
scanner_init (Scanner     *self,
              const char  *data,
              gsize        length,
              PwSourceMap *map)
{
  memset (self, 0, sizeof *self);
  self->data = data;
  self->length = length;
  self->line = 1;
  self->filename = error_filename (map);
  self->map = map;
  self->key = g_string_new (NULL);
  self->text = g_string_new (NULL);
  self->key_lines = g_array_new (FALSE, FALSE, sizeof (guint));
}

static void
scanner_clear (Scanner *self)
{
  g_clear_pointer (&self->root, json_node_unref);
  g_clear_error (&self->error);
  g_string_free (self->key, TRUE);
  g_string_free (self->text, TRUE);
  g_array_unref (self->key_lines);
}

/* The position (1-based line, character column) of a byte offset. */
static void
position_of_offset (const char *data,
                    gsize       offset,
                    guint      *line,
                    guint      *column)
{
  *line = 1;
  *column = 1;
  for (gsize i = 0; i < offset; i++)
    {
      if (data[i] == '\n')
        {
          (*line)++;
          *column = 1;
        }
      else if (((guchar)data[i] & 0xC0) != 0x80)
        (*column)++;
    }
}

/* Sets @error if @data is not UTF-8 text without NULs. */
static gboolean
check_encoding (const char  *data,
                gsize        size,
                const char  *filename,
                GError     **error)
{
  const char *end = NULL;
  gsize offset;
  guint line, column;

  if (g_utf8_validate_len (data, size, &end))
    return TRUE;

  offset = end - data;
  position_of_offset (data, offset, &line, &column);
  if (data[offset] == '\0')
    g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_ENCODING,
                 "%s:%u:%u: the file contains a NUL byte (is it a binary file?)",
                 filename, line, column);
  else
    g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_ENCODING,
                 "%s:%u:%u: the file is not UTF-8 text (invalid byte 0x%02X)",
                 filename, line, column, (guchar)data[offset]);
  return FALSE;
}

/**
 * pw_json_parse:
 * @data: the text
 * @length: its length in bytes, or -1 when it is NUL-terminated
 * @map: (nullable): receives the position of every value and member key
 * @error: a #PW_CORE_ERROR; its message starts with `file:line:column: `
 *
 * Reads strict JSON (RFC 8259) into a json-glib tree. A leading byte-order
 * mark is skipped. Duplicate keys are an error, integers beyond 64 bits
 * become doubles, and `\u0000` in strings is refused (GLib strings end at
 * NUL). Limits: 64 MiB of text and 256 levels of nesting.
 *
 * On error, @map may already hold positions of values read before it, as
 * with pw_yaml_parse(); nothing can look them up.
 *
 * Returns: (transfer full) (nullable): the root node, or %NULL on error
 */
JsonNode *
pw_json_parse (const char   *data,
               gssize        length,
               PwSourceMap  *map,
               GError      **error)
{
  return _pw_json_parse_at (data, length, map, 0, 0, error);
}

/**
 * _pw_json_parse_at:
 * @offset: where @data starts in the text @map is for
 * @line: lines before @data there
 *
 * pw_json_parse() for a piece of a document: recorded offsets and lines
 * are the document's. Error positions are the piece's own.
 */
JsonNode *
_pw_json_parse_at (const char   *data,
                   gssize        length,
                   PwSourceMap  *map,
                   gsize         offset,
                   guint         line,
                   GError      **error)
{
  const char *filename = error_filename (map);
  Scanner scanner;
  JsonNode *root;
  gsize size;
  gsize base = 0;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  size = length < 0 ? strlen (data) : (gsize)length;
  if (size == 0)
    data = "";

  if (size > MAX_INPUT_SIZE)
    {
      g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_LIMIT,
                   "%s:1:1: the file is %" G_GSIZE_FORMAT " bytes long, more than the "
                   "limit of %u MiB", filename, size, MAX_INPUT_SIZE / (1024 * 1024));
      return NULL;
    }

  if (size >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    {
      data += 3;
      size -= 3;
      base = 3;
    }

  scanner_init (&scanner, data, size, map);
  scanner.base = base + offset;
  scanner.line += line;
  if (!scan_document (&scanner))
    {
      /* A text that is not UTF-8 is reported as such wherever the first bad
       * byte is, even after a syntax error. A successful scan has checked
       * every byte itself: outside strings anything but ASCII is an error,
       * NUL and other control characters are errors everywhere, and
       * scan_string() checks its non-ASCII runs. */
      if (check_encoding (data, size, filename, error))
        g_propagate_error (error, g_steal_pointer (&scanner.error));
      scanner_clear (&scanner);
      return NULL;
    }

  root = g_steal_pointer (&scanner.root);
  scanner_clear (&scanner);

  return root;
}

/* Writer --------------------------------------------------------------------- */

/* The letter of the short escape JSON has for @c, or 0. */
static char
escape_letter (guchar c)
{
  switch (c)
    {
    case '"':
    case '\\':
      return c;

    case '\b':
      return 'b';

    case '\f':
      return 'f';

    case '\n':
      return 'n';

    case '\r':
      return 'r';

    case '\t':
      return 't';

    default:
      return 0;
    }
}

static void
write_string (GString    *out,
              const char *text)
{
  g_autofree char *valid = NULL;

  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);

  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = *p;
      char letter = escape_letter (c);

      if (letter != 0)
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, letter);
        }
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, c);
    }
  g_string_append_c (out, '"');
}

/* The shortest text that reads back as the same double; integral values keep
 * a ".0" so they read back as doubles. JSON has no NaN or infinity: null. */
static void
write_double (GString *out,
              double   value)
{
  static const char * const formats[] = { "%.15g", "%.16g", "%.17g" };
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    {
      g_string_append (out, "null");
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (buffer, sizeof buffer, formats[i], value);
      if (g_ascii_strtod (buffer, NULL) == value)
        break;
    }

  g_string_append (out, buffer);
  if (strpbrk (buffer, ".e") == NULL)
    g_string_append (out, ".0");
}

static void
write_indent (GString *out,
              guint    level)
{
  for (guint i = 0; i < level; i++)
    g_string_append (out, "  ");
}

static void
write_node (GString  *out,
            JsonNode *node,
            guint     level)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      g_string_append (out, "null");
      return;
    }

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;
      gboolean first = TRUE;

      if (json_object_get_size (object) == 0)
        {
          g_string_append (out, "{}");
          return;
        }

      g_string_append_c (out, '{');
      json_object_iter_init_ordered (&iter, object);
      while (json_object_iter_next_ordered (&iter, &name, &child))
        {
          g_string_append (out, first ? "\n" : ",\n");
          first = FALSE;
          write_indent (out, level + 1);
          write_string (out, name);
          g_string_append (out, ": ");
          write_node (out, child, level + 1);
        }
      g_string_append_c (out, '\n');
      write_indent (out, level);
      g_string_append_c (out, '}');
      return;
    }

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint length = json_array_get_length (array);

      if (length == 0)
        {
          g_string_append (out, "[]");
          return;
        }

      g_string_append_c (out, '[');
      for (guint i = 0; i < length; i++)
        {
          g_string_append (out, i == 0 ? "\n" : ",\n");
          write_indent (out, level + 1);
          write_node (out, json_array_get_element (array, i), level + 1);
        }
      g_string_append_c (out, '\n');
      write_indent (out, level);
      g_string_append_c (out, ']');
      return;
    }

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      write_string (out, json_node_get_string (node));
      break;

    case G_TYPE_BOOLEAN:
      g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
      break;

    case G_TYPE_INT64:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
      break;

    case G_TYPE_DOUBLE:
      write_double (out, json_node_get_double (node));
      break;

    default:
      g_string_append (out, "null");
      break;
    }
}

/**
 * pw_json_emit:
 * @root: (nullable): the tree; %NULL writes `null`
 *
 * Writes @root as pretty JSON: 2-space indentation, `"key": value`, key
 * order kept, non-ASCII text as UTF-8, a final newline. Doubles use the
 * shortest text that reads back exactly (`0.1`, `1.0`, `1e+20`); NaN and
 * infinities, which JSON cannot hold, are written as null.
 *
 * This is a small writer of our own rather than json-glib's JsonGenerator:
 * the 1.6 generator writes `"key" : value`, 17 significant digits
 * (`0.10000000000000001`), and invalid JSON for some doubles (`1e+20.0`,
 * `inf.0`).
 *
 * Returns: (transfer full): the text
 */
char *
pw_json_emit (JsonNode *root)
{
  GString *out = g_string_new (NULL);

  write_node (out, root, 0);
  g_string_append_c (out, '\n');

  return g_string_free (out, FALSE);
}
