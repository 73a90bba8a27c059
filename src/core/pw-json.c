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
#include <stdio.h>
#include <string.h>

#include "pw-core-error.h"
#include "pw-json.h"

/* The same limits as the YAML reader. */
#define MAX_INPUT_SIZE (64 * 1024 * 1024)
#define MAX_DEPTH      256

/*
 * json-glib's JsonParser builds the tree, but two things come first and one
 * after:
 *
 * - A strict scan of the text. json-glib 1.6 is recursive (so a `[[[[…`
 *   bomb would overflow the stack) and lenient: it takes comments,
 *   single-quoted strings, `var x = …`, hex and `.5` numbers, unknown
 *   escapes, raw control characters in strings and trailing garbage
 *   (`[1] [2]`), and wraps integers past 64 bits. The scan refuses all that
 *   with a position and a hint, stops at the depth limit, and refuses
 *   duplicate keys (json-glib silently keeps the last one, in quadratic
 *   time) before json-glib ever sees the text.
 * - After json-glib succeeded, the same scanner walks the text again in
 *   lockstep with the tree to record every value's and key's position
 *   (json-glib keeps none) and to put back integers that do not fit 64 bits
 *   as doubles.
 */

typedef struct
{
  char        kind;          /* '[' or '{' */
  guint       line;
  guint       column;
  JsonNode   *node;          /* walking only */
  guint       index;         /* next array element, walking only */
  GHashTable *keys;          /* checking only: key → line of its first definition */
} Level;

typedef struct
{
  const char  *data;
  gsize        length;
  gsize        pos;
  guint        line;
  gsize        line_start;
  /* Columns count characters; counting from the line start for every token
   * would be quadratic on minified one-line files, so remember the last. */
  gsize        column_offset;
  guint        column;

  const char  *filename;
  PwSourceMap *map;
  gboolean     walking;
  JsonNode    *root;
  GError      *error;

  Level        stack[MAX_DEPTH];
  guint        depth;
  guint        value_end_line;
  GString     *key;            /* the last key, decoded */
} Scanner;

static const char *
error_filename (PwSourceMap *map)
{
  return map != NULL ? pw_source_map_get_filename (map) : "<input>";
}

static guint
scanner_column (Scanner *self,
                gsize    offset)
{
  if (self->column_offset < self->line_start || offset < self->column_offset)
    {
      self->column_offset = self->line_start;
      self->column = 1;
    }

  /* The text is valid UTF-8 without NULs by now, so GLib can count. */
  offset = MIN (offset, self->length);
  if (offset > self->column_offset)
    self->column += g_utf8_strlen (self->data + self->column_offset, offset - self->column_offset);
  self->column_offset = offset;

  return self->column;
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
  scanner_error_valist (self, code, self->line, scanner_column (self, offset), format, args);
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

static void
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
  gunichar ch;

  if (offset >= self->length)
    return g_strdup ("the end of the file");

  ch = g_utf8_get_char (self->data + offset);
  if (ch < 0x20 || ch == 0x7F)
    return g_strdup_printf ("control character U+%04X", ch);

  return g_strdup_printf ("'%.*s'",
                          (int)(g_utf8_next_char (self->data + offset) - (self->data + offset)),
                          self->data + offset);
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

/* Walking: the text is known to be valid, so a string value only needs its
 * closing quote found: one not preceded by an odd number of backslashes. */
static void
skip_valid_string (Scanner *self)
{
  const char *start = self->data + self->pos + 1;
  const char *end = self->data + self->length;
  const char *p = start;

  for (;;)
    {
      const char *quote = memchr (p, '"', end - p);
      const char *q;

      g_assert (quote != NULL);
      for (q = quote; q > start && q[-1] == '\\'; q--)
        ;
      if ((quote - q) % 2 == 0)
        {
          self->pos = quote + 1 - self->data;
          return;
        }
      p = quote + 1;
    }
}

/* Scans the string at pos; decodes it into @out when that is not NULL. */
static gboolean
scan_string (Scanner *self,
             GString *out)
{
  gsize start = self->pos;
  gsize run;

  g_assert (self->data[start] == '"');
  self->pos++;
  run = self->pos;

  for (;;)
    {
      guchar c;

      if (self->pos >= self->length)
        {
          scanner_error_at (self, PW_CORE_ERROR_SYNTAX, start,
                            "this string is not closed (a '\"' is missing)");
          return FALSE;
        }

      c = self->data[self->pos];

      if (c == '"')
        {
          if (out != NULL)
            g_string_append_len (out, self->data + run, self->pos - run);
          self->pos++;
          return TRUE;
        }

      if (c == '\n')
        {
          scanner_error_at (self, PW_CORE_ERROR_SYNTAX, self->pos,
                            "the string is not closed at the end of the line; close it with "
                            "'\"', or write a line break inside a string as \\n");
          return FALSE;
        }

      if (c < 0x20)
        {
          static const char * const names[0x20] = { ['\t'] = "\\t", ['\r'] = "\\r", ['\b'] = "\\b", ['\f'] = "\\f" };
          const char *name = names[c] != NULL ? names[c] : "\\u00XX";

          scanner_error_at (self, PW_CORE_ERROR_SYNTAX, self->pos,
                            "control character U+%04X must be escaped in a JSON string (%s)",
                            c, name);
          return FALSE;
        }

      if (c != '\\')
        {
          self->pos++;
          continue;
        }

      if (out != NULL)
        g_string_append_len (out, self->data + run, self->pos - run);

      if (self->pos + 1 >= self->length)
        {
          scanner_error_at (self, PW_CORE_ERROR_SYNTAX, start,
                            "this string is not closed (a '\"' is missing)");
          return FALSE;
        }

      switch (self->data[self->pos + 1])
        {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
          if (out != NULL)
            g_string_append_c (out, unescape (self->data[self->pos + 1]));
          break;

        case 'u':
          {
            gunichar value, low;

            if (!read_hex4 (self, self->pos + 2, &value))
              {
                scanner_error_at (self, PW_CORE_ERROR_SYNTAX, self->pos,
                                  "invalid escape: '\\u' needs four hexadecimal digits");
                return FALSE;
              }

            if (value == 0)
              {
                scanner_error_at (self, PW_CORE_ERROR_SYNTAX, self->pos,
                                  "'\\u0000' (NUL) is not supported in strings");
                return FALSE;
              }

            if (value >= 0xDC00 && value <= 0xDFFF)
              {
                scanner_error_at (self, PW_CORE_ERROR_SYNTAX, self->pos,
                                  "invalid escape: a low surrogate ('\\u%04X') without a high one",
                                  value);
                return FALSE;
              }

            if (value >= 0xD800 && value <= 0xDBFF)
              {
                if (self->pos + 7 >= self->length ||
                    self->data[self->pos + 6] != '\\' || self->data[self->pos + 7] != 'u' ||
                    !read_hex4 (self, self->pos + 8, &low) ||
                    low < 0xDC00 || low > 0xDFFF)
                  {
                    scanner_error_at (self, PW_CORE_ERROR_SYNTAX, self->pos,
                                      "invalid escape: a high surrogate ('\\u%04X') must be "
                                      "followed by a low one", value);
                    return FALSE;
                  }
                value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00);
                self->pos += 6;
              }

            if (out != NULL)
              g_string_append_unichar (out, value);
            self->pos += 4;
            break;
          }

        default:
          {
            g_autofree char *what = describe_char (self, self->pos + 1);

            scanner_error_at (self, PW_CORE_ERROR_SYNTAX, self->pos,
                              "invalid escape '\\' followed by %s; write a backslash as '\\\\'",
                              what);
            return FALSE;
          }
        }

      self->pos += 2;
      run = self->pos;
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

static void
error_mismatch (Scanner *self,
                gsize    offset)
{
  /* json-glib and this scanner disagree: a bug in one of them. */
  scanner_error_at (self, PW_CORE_ERROR_SYNTAX, offset,
                    "this value could not be read reliably");
}

/* Walking: the number node gets the value of its text, as json-glib wraps
 * integers past 64 bits around; those become doubles, as in other readers. */
static gboolean
fix_number (Scanner  *self,
            JsonNode *node,
            gsize     start,
            gboolean  is_integer)
{
  char buffer[64];
  g_autofree char *heap = NULL;
  const char *text;
  gsize size = self->pos - start;

  if (!JSON_NODE_HOLDS_VALUE (node) ||
      (json_node_get_value_type (node) != G_TYPE_INT64 &&
       json_node_get_value_type (node) != G_TYPE_DOUBLE))
    {
      error_mismatch (self, start);
      return FALSE;
    }

  if (size < sizeof buffer)
    {
      memcpy (buffer, self->data + start, size);
      buffer[size] = '\0';
      text = buffer;
    }
  else
    text = heap = g_strndup (self->data + start, size);

  if (is_integer)
    {
      gint64 value;

      errno = 0;
      value = g_ascii_strtoll (text, NULL, 10);
      if (errno == ERANGE)
        json_node_set_double (node, g_ascii_strtod (text, NULL));
      else
        json_node_set_int (node, value);
    }
  else
    json_node_set_double (node, g_ascii_strtod (text, NULL));

  return TRUE;
}

static gboolean
scan_word (Scanner  *self,
           JsonNode *node)
{
  static const char * const words[] = { "true", "false", "null" };
  gsize start = self->pos;
  gsize end = start;

  while (end < self->length && is_word_char (self->data[end]))
    end++;

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      if (end - start == strlen (words[i]) && memcmp (self->data + start, words[i], end - start) == 0)
        {
          if (node != NULL)
            {
              gboolean ok = i == 2
                ? JSON_NODE_HOLDS_NULL (node)
                : (JSON_NODE_HOLDS_VALUE (node) &&
                   json_node_get_value_type (node) == G_TYPE_BOOLEAN);

              if (!ok)
                {
                  error_mismatch (self, start);
                  return FALSE;
                }
            }
          self->pos = end;
          return TRUE;
        }
    }

  error_unexpected (self, FALSE);
  return FALSE;
}

/* Walking: the node the value at pos belongs to. */
static JsonNode *
current_target (Scanner *self)
{
  Level *level;

  if (self->depth == 0)
    return self->root;

  level = &self->stack[self->depth - 1];
  if (level->kind == '[')
    {
      JsonArray *array = json_node_get_array (level->node);

      if (level->index >= json_array_get_length (array))
        return NULL;
      return json_array_get_element (array, level->index++);
    }

  return json_object_get_member (json_node_get_object (level->node), self->key->str);
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
  guint key_line = 0, key_column = 0;
  guint comma_line = 0, comma_column = 0;

  for (;;)
    {
      JsonNode *node = NULL;
      gsize start;
      char c;

      skip_whitespace (self);
      start = self->pos;
      c = start < self->length ? self->data[start] : '\0';

      switch (state)
        {
        case WANT_VALUE:
          if (start >= self->length)
            {
              if (self->depth == 0)
                scanner_error_at (self, PW_CORE_ERROR_SYNTAX, start, "the document is empty");
              else
                error_not_closed (self);
              return FALSE;
            }

          if (self->walking)
            {
              node = current_target (self);
              if (node == NULL)
                {
                  error_mismatch (self, start);
                  return FALSE;
                }
              if (self->map != NULL)
                {
                  pw_source_map_add (self->map, node, self->line, scanner_column (self, start));
                  if (self->depth > 0 && self->stack[self->depth - 1].kind == '{')
                    pw_source_map_add_key (self->map, node, key_line, key_column);
                }
            }

          if (c == '{' || c == '[')
            {
              Level *level;

              if (self->depth >= MAX_DEPTH)
                {
                  scanner_error_at (self, PW_CORE_ERROR_LIMIT, start,
                                    "the document is nested more than %u levels deep", MAX_DEPTH);
                  return FALSE;
                }

              if (node != NULL && (c == '{' ? !JSON_NODE_HOLDS_OBJECT (node) : !JSON_NODE_HOLDS_ARRAY (node)))
                {
                  error_mismatch (self, start);
                  return FALSE;
                }

              level = &self->stack[self->depth++];
              level->kind = c;
              level->line = self->line;
              level->column = scanner_column (self, start);
              level->node = node;
              level->index = 0;
              if (level->keys != NULL)
                g_hash_table_remove_all (level->keys);

              self->pos++;
              state = c == '{' ? WANT_FIRST_KEY : WANT_VALUE;

              if (c == '[')
                {
                  skip_whitespace (self);
                  if (self->pos < self->length && self->data[self->pos] == ']')
                    {
                      self->pos++;
                      self->depth--;
                      self->value_end_line = self->line;
                      state = AFTER_VALUE;
                    }
                }
              continue;
            }

          if (c == '"')
            {
              if (node != NULL &&
                  (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING))
                {
                  error_mismatch (self, start);
                  return FALSE;
                }
              if (self->walking)
                skip_valid_string (self);
              else if (!scan_string (self, NULL))
                return FALSE;
            }
          else if (c == '-' || g_ascii_isdigit (c))
            {
              gboolean is_integer;

              if (!scan_number (self, &is_integer))
                return FALSE;
              if (node != NULL && !fix_number (self, node, start, is_integer))
                return FALSE;
            }
          else if (g_ascii_isalpha (c))
            {
              if (!scan_word (self, node))
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

          self->value_end_line = self->line;
          state = AFTER_VALUE;
          break;

        case WANT_FIRST_KEY:
        case WANT_KEY:
          if (c == '}')
            {
              if (state == WANT_KEY)
                {
                  scanner_error_at_position (self, PW_CORE_ERROR_SYNTAX, comma_line, comma_column,
                                             "trailing comma before '}'; JSON does not allow one");
                  return FALSE;
                }
              self->pos++;
              self->depth--;
              self->value_end_line = self->line;
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

          key_line = self->line;
          key_column = scanner_column (self, start);

          g_string_truncate (self->key, 0);
          if (!scan_string (self, self->key))
            return FALSE;

          /* Before json-glib sees them: it finds the earlier member of a
           * duplicate key by walking the object's member list, which makes
           * a file of repeated keys take quadratic time. */
          if (!self->walking)
            {
              Level *level = &self->stack[self->depth - 1];
              gpointer first_line;

              if (level->keys == NULL)
                level->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

              if (g_hash_table_lookup_extended (level->keys, self->key->str, NULL, &first_line))
                {
                  g_autofree char *shown = shorten (self->key->str);

                  scanner_error_at_position (self, PW_CORE_ERROR_SYNTAX, key_line, key_column,
                                             "duplicate key '%s' (first defined on line %u)",
                                             shown, GPOINTER_TO_UINT (first_line));
                  return FALSE;
                }
              g_hash_table_insert (level->keys, g_strdup (self->key->str), GUINT_TO_POINTER (key_line));
            }

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
                comma_column = scanner_column (self, start);
                self->pos++;
                state = level->kind == '[' ? WANT_VALUE : WANT_KEY;
              }
            else if (start < self->length && c == closer)
              {
                self->pos++;
                self->depth--;
                self->value_end_line = self->line;
              }
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
  self->column = 1;
  self->filename = error_filename (map);
  self->map = map;
  self->key = g_string_new (NULL);
}

static void
scanner_clear (Scanner *self)
{
  for (guint i = 0; i < MAX_DEPTH; i++)
    g_clear_pointer (&self->stack[i].keys, g_hash_table_unref);
  if (self->key != NULL)
    g_string_free (self->key, TRUE);
  self->key = NULL;
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

/* Fallback for a json-glib failure the strict scan did not predict: keep
 * its line and plain part of its message. */
static GError *
translate_json_glib_error (const GError *error,
                           const char   *filename)
{
  const char *message = error->message;
  const char *plain = strstr (message, "Parse error: ");
  guint line = 1, column = 1;
  const char *hint = "";

  if (g_str_has_prefix (message, "<data>:"))
    sscanf (message + strlen ("<data>:"), "%u:%u", &line, &column);
  plain = plain != NULL ? plain + strlen ("Parse error: ") : message;

  if (error->domain == JSON_PARSER_ERROR)
    {
      switch (error->code)
        {
        case JSON_PARSER_ERROR_TRAILING_COMMA:
          hint = "; JSON does not allow a trailing comma";
          break;

        case JSON_PARSER_ERROR_MISSING_COMMA:
          hint = "; is a ',' missing?";
          break;

        case JSON_PARSER_ERROR_MISSING_COLON:
          hint = "; is a ':' missing after a key?";
          break;

        case JSON_PARSER_ERROR_INVALID_BAREWORD:
          hint = "; strings must be in double quotes";
          break;

        default:
          break;
        }
    }

  return g_error_new (PW_CORE_ERROR, PW_CORE_ERROR_SYNTAX, "%s:%u:%u: %s%s",
                      filename, line, column, plain, hint);
}

/**
 * pw_json_parse:
 * @data: the text
 * @length: its length in bytes, or -1 when it is NUL-terminated
 * @map: (nullable): receives the position of every value and member key
 * @error: a #PW_CORE_ERROR; its message starts with `file:line:column: `
 *
 * Reads strict JSON (RFC 8259) with json-glib. A leading byte-order mark is
 * skipped. Duplicate keys are an error, integers beyond 64 bits become
 * doubles, and `\u0000` in strings is refused (GLib strings end at NUL).
 * Limits: 64 MiB of text and 256 levels of nesting.
 *
 * Returns: (transfer full) (nullable): the root node, or %NULL on error
 */
JsonNode *
pw_json_parse (const char   *data,
               gssize        length,
               PwSourceMap  *map,
               GError      **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *filename = error_filename (map);
  const char *end = NULL;
  Scanner scanner;
  JsonNode *root;
  gsize size;

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
    }

  if (!g_utf8_validate_len (data, size, &end))
    {
      gsize offset = end - data;
      guint line, column;

      position_of_offset (data, offset, &line, &column);
      if (data[offset] == '\0')
        g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_ENCODING,
                     "%s:%u:%u: the file contains a NUL byte (is it a binary file?)",
                     filename, line, column);
      else
        g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_ENCODING,
                     "%s:%u:%u: the file is not UTF-8 text (invalid byte 0x%02X)",
                     filename, line, column, (guchar)data[offset]);
      return NULL;
    }

  scanner_init (&scanner, data, size, map);
  if (!scan_document (&scanner))
    {
      g_propagate_error (error, scanner.error);
      scanner_clear (&scanner);
      return NULL;
    }
  scanner_clear (&scanner);

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, size, &local_error))
    {
      g_propagate_error (error, translate_json_glib_error (local_error, filename));
      return NULL;
    }

  root = json_parser_steal_root (parser);
  if (root == NULL)
    {
      g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_SYNTAX, "%s:1:1: the document is empty",
                   filename);
      return NULL;
    }

  scanner_init (&scanner, data, size, map);
  scanner.walking = TRUE;
  scanner.root = root;
  if (!scan_document (&scanner))
    {
      g_propagate_error (error, scanner.error);
      scanner_clear (&scanner);
      json_node_unref (root);
      return NULL;
    }
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
