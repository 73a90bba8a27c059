/* pw-yaml.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-yaml"

#include "config.h"

#include <math.h>
#include <string.h>

#include <yaml.h>

#include "pw-core-private.h"

/* The same limits as the JSON reader, so a document is refused (or not) the
 * same way whatever its syntax. */
#define MAX_INPUT_SIZE    (64 * 1024 * 1024)
#define MAX_DEPTH         256
#define MIN_NODE_BUDGET   100000
#define NODES_PER_EVENT   8

#define YAML_TAG_PREFIX   "tag:yaml.org,2002:"

typedef enum
{
  SCALAR_STRING,
  SCALAR_NULL,
  SCALAR_BOOL,
  SCALAR_INT,
  SCALAR_FLOAT,
} ScalarKind;

typedef struct
{
  const char *tag;    /* without the leading '!' */
  const char *key;    /* the long form's key */
} CfnFunction;

/* CloudFormation's short forms (the template reference's "Intrinsic function
 * reference" and "Rules" pages). */
static const CfnFunction cfn_functions[] = {
  { "Ref", "Ref" },
  { "Condition", "Condition" },
  { "And", "Fn::And" },
  { "Base64", "Fn::Base64" },
  { "Cidr", "Fn::Cidr" },
  { "Contains", "Fn::Contains" },
  { "EachMemberEquals", "Fn::EachMemberEquals" },
  { "EachMemberIn", "Fn::EachMemberIn" },
  { "Equals", "Fn::Equals" },
  { "FindInMap", "Fn::FindInMap" },
  { "GetAZs", "Fn::GetAZs" },
  { "GetAtt", "Fn::GetAtt" },
  { "If", "Fn::If" },
  { "ImportValue", "Fn::ImportValue" },
  { "Join", "Fn::Join" },
  { "Length", "Fn::Length" },
  { "Not", "Fn::Not" },
  { "Or", "Fn::Or" },
  { "RefAll", "Fn::RefAll" },
  { "Select", "Fn::Select" },
  { "Split", "Fn::Split" },
  { "Sub", "Fn::Sub" },
  { "ToJsonString", "Fn::ToJsonString" },
  { "Transform", "Fn::Transform" },
  { "ValueOf", "Fn::ValueOf" },
};

/* Reader side --------------------------------------------------------------- */

typedef struct
{
  JsonNode *node;
  char     *text;      /* the scalar's text, so an alias can serve as a key */
  guint     n_nodes;
  guint     height;
  gsize     start;     /* byte offset of the anchored node */
} Anchor;

typedef struct
{
  char        *key;       /* NULL for a merge ('<<') entry */
  JsonNode    *value;
  yaml_mark_t  key_mark;
  gsize        key_offset;
} Member;

typedef struct
{
  gboolean     is_mapping;
  gboolean     is_merge_list;   /* the list after a '<<' key: holds shared nodes */
  JsonNode    *node;            /* sequences only, filled as elements arrive */
  char        *anchor;
  const char  *cfn_key;         /* set when a CloudFormation tag wraps this collection */
  yaml_mark_t  mark;
  gsize        start;           /* byte offset of mark */
  gsize        last_end;        /* byte offset just past the last value added */
  gboolean     flow;
  guint        depth;           /* nesting of this collection, the root one being 1 */
  guint        n_nodes;
  guint        height;

  /* Mappings only */
  GArray      *members;         /* Member */
  GHashTable  *keys;            /* key → line of its definition, once there are many */
  gboolean     has_merge;
  gboolean     have_key;
  gboolean     key_is_merge;
  char        *key;
  yaml_mark_t  key_mark;
  gsize        key_offset;
} Frame;

typedef struct
{
  const char       *data;
  gsize             length;
  PwSourceMap      *map;
  const char       *filename;
  PwYamlParseFlags  flags;
  yaml_parser_t     parser;
  GPtrArray        *stack;
  GHashTable       *anchors;
  JsonNode         *root;
  guint64           n_events;
  guint64           n_nodes;
  guint64           total_events;
  guint             n_documents;
  GError           *error;

  /* libyaml's marks count characters; the source map wants bytes. */
  gboolean          ascii;
  gsize             base;           /* added to every offset: a skipped byte-order mark, or
                                     * where a fragment's text starts in its document */
  guint             line_base;      /* added to every recorded line, for fragments */
  gsize             cursor_index;   /* a character index and its byte offset */
  gsize             cursor_byte;
  guint             n_anchors;      /* anchors, aliases and merge keys seen */
  /* The node recorded last, whose record a key may be added to. */
  JsonNode         *last_node;
  guint             last_index;
} Parser;

static void
anchor_free (gpointer data)
{
  Anchor *anchor = data;

  g_clear_pointer (&anchor->node, json_node_unref);
  g_free (anchor->text);
  g_free (anchor);
}

static void
member_clear (gpointer data)
{
  Member *member = data;

  g_clear_pointer (&member->key, g_free);
  g_clear_pointer (&member->value, json_node_unref);
}

static void
frame_free (gpointer data)
{
  Frame *frame = data;

  g_clear_pointer (&frame->node, json_node_unref);
  g_clear_pointer (&frame->members, g_array_unref);
  g_clear_pointer (&frame->keys, g_hash_table_unref);
  g_free (frame->anchor);
  g_free (frame->key);
  g_free (frame);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Frame, frame_free)

static const char *
error_filename (PwSourceMap *map)
{
  return map != NULL ? pw_source_map_get_filename (map) : "<input>";
}

/* libyaml counts lines the YAML way: CR LF, CR, LF, NEL, LS and PS all end a
 * line. Returns the byte length of the break at @p, or 0. */
static gsize
yaml_break_length (const char *p,
                   const char *end)
{
  if (p[0] == '\r')
    return (p + 1 < end && p[1] == '\n') ? 2 : 1;
  if (p[0] == '\n')
    return 1;
  if ((guchar)p[0] == 0xC2 && p + 1 < end && (guchar)p[1] == 0x85)
    return 2;
  if ((guchar)p[0] == 0xE2 && p + 2 < end && (guchar)p[1] == 0x80 &&
      ((guchar)p[2] == 0xA8 || (guchar)p[2] == 0xA9))
    return 3;
  return 0;
}

/* 1-based line and character column of a byte offset in (valid) UTF-8 text. */
static void
position_of_offset (const char *data,
                    gsize       length,
                    gsize       offset,
                    guint      *line,
                    guint      *column)
{
  const char *p = data;
  const char *end = data + MIN (offset, length);

  *line = 1;
  *column = 1;
  while (p < end)
    {
      gsize brk = yaml_break_length (p, data + length);

      if (brk > 0)
        {
          (*line)++;
          *column = 1;
          p += brk;
        }
      else
        {
          if (((guchar)*p & 0xC0) != 0x80)
            (*column)++;
          p++;
        }
    }
}

/* The character at a libyaml mark (0-based line and column), or 0. */
static gunichar
char_at_mark (Parser            *self,
              const yaml_mark_t *mark)
{
  const char *p = self->data;
  const char *end = self->data + self->length;
  gsize line = 0;

  while (p < end && line < mark->line)
    {
      gsize brk = yaml_break_length (p, end);

      if (brk > 0)
        {
          line++;
          p += brk;
        }
      else
        p++;
    }
  for (gsize col = 0; p < end && col < mark->column; col++)
    {
      if (yaml_break_length (p, end) > 0)
        return 0;
      p = g_utf8_next_char (p);
    }
  if (p >= end)
    return 0;

  return g_utf8_get_char (p);
}

static void
parser_set_error_at (Parser     *self,
                     PwCoreError code,
                     guint       line,
                     guint       column,
                     const char *format,
                     ...) G_GNUC_PRINTF (5, 6);

/* The template block to blame for a YAML error on @line: a Jinja
 * statement (`{%`) anywhere, or an expression (`{{ … }}`) on that line —
 * not CloudFormation's dynamic references (`{{resolve:…}}`), and not one
 * elsewhere, in a string that YAML read well. */
static const char *
template_block (Parser *self,
                guint   line)
{
  const char *p = self->data, *end = self->data + self->length;
  const char *block = g_strstr_len (self->data, self->length, "{%");

  if (block != NULL)
    return block;

  for (guint n = 1; p < end && n < line; p++)
    if (*p == '\n')
      n++;
  for (; p < end && *p != '\n'; p++)
    if (p + 1 < end && p[0] == '{' && p[1] == '{' &&
        !g_str_has_prefix (p + 2, "resolve:") && g_strstr_len (p + 2, end - p - 2, "}}") != NULL)
      return p;
  return NULL;
}

static void
parser_set_error_at (Parser     *self,
                     PwCoreError code,
                     guint       line,
                     guint       column,
                     const char *format,
                     ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (self->error != NULL)
    return;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* A Jinja or cookiecutter template is not YAML until it is rendered:
   * say so, where its first block is, rather than what reading it as
   * YAML tripped on. */
  if (code == PW_CORE_ERROR_SYNTAX)
    {
      const char *block = template_block (self, line);

      if (block != NULL)
        {
          guint block_line, block_column;
          /* What failed, without a hint meant for a YAML file. */
          gsize bare = strcspn (message, ";(");

          while (bare > 0 && message[bare - 1] == ' ')
            bare--;
          message[bare] = '\0';
          position_of_offset (self->data, self->length, block - self->data, &block_line, &block_column);
          self->error = g_error_new (PW_CORE_ERROR, code,
                                     "%s:%u:%u: '%.2s' starts a Jinja or cookiecutter template block: "
                                     "this is a template, not YAML yet (read as YAML, line %u fails: %s); "
                                     "render the template first and check what it renders",
                                     self->filename, block_line, block_column, block, line, message);
          return;
        }
    }

  self->error = g_error_new (PW_CORE_ERROR, code, "%s:%u:%u: %s",
                             self->filename, line, column, message);
}

#define parser_set_error(self, code, mark, ...) \
  parser_set_error_at ((self), (code), (guint)(mark)->line + 1, (guint)(mark)->column + 1, __VA_ARGS__)

/* Keeps quoted keys and tags readable in messages however long they are. */
static char *
shorten (const char *text)
{
  g_autofree char *head = NULL;

  if (g_utf8_strlen (text, -1) <= 60)
    return g_strdup (text);

  head = g_utf8_substring (text, 0, 57);
  return g_strconcat (head, "…", NULL);
}

static char *
display_tag (const char *tag)
{
  if (g_str_has_prefix (tag, YAML_TAG_PREFIX))
    return g_strconcat ("!!", tag + strlen (YAML_TAG_PREFIX), NULL);

  return shorten (tag);
}

static void
parser_set_libyaml_error (Parser *self)
{
  yaml_parser_t *p = &self->parser;
  const char *problem = p->problem != NULL ? p->problem : "invalid YAML";
  const yaml_mark_t *mark = &p->problem_mark;
  g_autoptr(GString) message = g_string_new (NULL);
  const char *hint = NULL;
  gunichar ch;

  switch (p->error)
    {
    case YAML_MEMORY_ERROR:
      parser_set_error_at (self, PW_CORE_ERROR_LIMIT, 1, 1, "out of memory while reading YAML");
      return;

    case YAML_READER_ERROR:
      {
        guint line, column;

        /* The input was checked beforehand, so this is a character libyaml
         * rejects that our own check let through. */
        position_of_offset (self->data, self->length, p->problem_offset, &line, &column);
        parser_set_error_at (self, PW_CORE_ERROR_ENCODING, line, column,
                             "%s (character 0x%X)", problem, (guint)p->problem_value);
        return;
      }

    case YAML_SCANNER_ERROR:
    case YAML_PARSER_ERROR:
    default:
      break;
    }


  /* "could not find expected ':'" is reported where libyaml gave up, often
   * the next line; the key that lacks its ':' is where the context began. */
  if (g_str_equal (problem, "could not find expected ':'") && p->context != NULL)
    {
      mark = &p->context_mark;
      g_string_append (message, "could not find the ':' after this key");
      hint = "a key must be followed by ':' and a space; check the indentation, or put the text in quotes if it is not a key";
    }
  else
    {
      ch = char_at_mark (self, mark);

      if (ch == '\t' || strstr (problem, "tab") != NULL)
        {
          /* libyaml's context ("while scanning for the next token") says
           * nothing useful here. */
          if (g_str_equal (problem, "found character that cannot start any token"))
            g_string_append (message, "found a tab character");
          else
            g_string_append (message, problem);
          parser_set_error (self, PW_CORE_ERROR_SYNTAX, mark, "%s; tabs cannot indent YAML; use spaces",
                            message->str);
          return;
        }
      else if (g_str_equal (problem, "found character that cannot start any token") && ch != 0)
        {
          g_autofree char *utf8 = g_ucs4_to_utf8 (&ch, 1, NULL, NULL, NULL);

          g_string_append_printf (message, "found character '%s' that cannot start any token",
                                  utf8 != NULL ? utf8 : "?");
          if (ch == '@' || ch == '`' || ch == '%')
            hint = "put the value in quotes";
        }
      else
        {
          g_string_append (message, problem);
        }

      if (hint == NULL)
        {
          if (g_str_equal (problem, "did not find expected key") ||
              g_str_equal (problem, "did not find expected '-' indicator") ||
              g_str_equal (problem, "block sequence entries are not allowed in this context"))
            hint = "check the indentation of this line";
          else if (g_str_equal (problem, "mapping values are not allowed in this context"))
            hint = "check the indentation of this line and that there is a space after each ':'; "
                   "a value that contains ': ' must be put in quotes";
          else if (g_str_equal (problem, "found unexpected end of stream") && p->context != NULL &&
                   strstr (p->context, "quoted scalar") != NULL)
            hint = "a quoted string is not closed";
          else if (g_str_equal (problem, "found unknown escape character"))
            hint = "in double quotes a backslash starts an escape; write '\\\\' or use single quotes";
          else if (g_str_equal (problem, "found incompatible YAML document"))
            hint = "only YAML 1.1 and 1.2 are supported";
          else if (g_str_equal (problem, "did not find expected node content"))
            hint = "a value is missing here";
        }

      if (p->context != NULL)
        g_string_append_printf (message, " (%s that starts on line %u, column %u)",
                                p->context,
                                (guint)p->context_mark.line + 1,
                                (guint)p->context_mark.column + 1);
    }

  if (hint != NULL)
    g_string_append_printf (message, "; %s", hint);

  parser_set_error (self, PW_CORE_ERROR_SYNTAX, mark, "%s", message->str);
}

/* PyYAML's implicit resolvers (yaml/resolver.py), by hand -------------------- */

static gboolean
is_bool_word (const char *s)
{
  static const char * const words[] = {
    "yes", "Yes", "YES", "no", "No", "NO",
    "true", "True", "TRUE", "false", "False", "FALSE",
    "on", "On", "ON", "off", "Off", "OFF",
  };

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    if (g_str_equal (s, words[i]))
      return TRUE;

  return FALSE;
}

static gboolean
bool_value (const char *s)
{
  return g_ascii_strcasecmp (s, "yes") == 0 ||
         g_ascii_strcasecmp (s, "true") == 0 ||
         g_ascii_strcasecmp (s, "on") == 0;
}

static gboolean
is_null_word (const char *s)
{
  return s[0] == '\0' ||
         g_str_equal (s, "~") ||
         g_str_equal (s, "null") ||
         g_str_equal (s, "Null") ||
         g_str_equal (s, "NULL");
}

static gboolean
all_of (const char *s,
        const char *set)
{
  for (; *s != '\0'; s++)
    if (strchr (set, *s) == NULL)
      return FALSE;

  return TRUE;
}

/* Matches `(?::[0-5]?[0-9])+` at *p, advancing it. */
static gboolean
match_sexagesimal_tail (const char **p)
{
  const char *s = *p;

  if (*s != ':')
    return FALSE;

  while (*s == ':')
    {
      s++;
      if (!g_ascii_isdigit (s[0]))
        return FALSE;
      if (g_ascii_isdigit (s[1]))
        {
          if (s[0] > '5')
            return FALSE;
          s += 2;
        }
      else
        s += 1;
    }

  *p = s;
  return TRUE;
}

/* ^(?:[-+]?0b[0-1_]+ | [-+]?0[0-7_]+ | [-+]?(?:0|[1-9][0-9_]*)
 *   | [-+]?0x[0-9a-fA-F_]+ | [-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$ */
static gboolean
match_int (const char *s)
{
  if (*s == '-' || *s == '+')
    s++;

  if (s[0] == '0' && s[1] == 'b')
    return s[2] != '\0' && all_of (s + 2, "01_");
  if (s[0] == '0' && s[1] == 'x')
    return s[2] != '\0' && all_of (s + 2, "0123456789abcdefABCDEF_");
  if (s[0] == '0')
    return all_of (s + 1, "01234567_");
  if (s[0] >= '1' && s[0] <= '9')
    {
      s++;
      while (g_ascii_isdigit (*s) || *s == '_')
        s++;
      if (*s == '\0')
        return TRUE;
      return match_sexagesimal_tail (&s) && *s == '\0';
    }

  return FALSE;
}

/* Matches `[eE][-+][0-9]+$` or the end of the string. */
static gboolean
match_exponent_tail (const char *s)
{
  if (*s == '\0')
    return TRUE;
  if (*s != 'e' && *s != 'E')
    return FALSE;
  s++;
  if (*s != '-' && *s != '+')
    return FALSE;
  s++;
  if (!g_ascii_isdigit (*s))
    return FALSE;

  return all_of (s, "0123456789");
}

/* ^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
 *   | \.[0-9_]+(?:[eE][-+][0-9]+)?
 *   | [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
 *   | [-+]?\.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN))$
 * Note that the second branch takes no sign: PyYAML reads `-.5` as a string. */
static gboolean
match_float (const char *s)
{
  gboolean has_sign = FALSE;

  if (*s == '-' || *s == '+')
    {
      s++;
      has_sign = TRUE;
    }

  if (*s == '.')
    {
      s++;
      if (g_str_equal (s, "inf") || g_str_equal (s, "Inf") || g_str_equal (s, "INF"))
        return TRUE;
      if (has_sign)
        return FALSE;
      if (g_str_equal (s, "nan") || g_str_equal (s, "NaN") || g_str_equal (s, "NAN"))
        return TRUE;
      if (!g_ascii_isdigit (*s) && *s != '_')
        return FALSE;
      while (g_ascii_isdigit (*s) || *s == '_')
        s++;
      return match_exponent_tail (s);
    }

  if (!g_ascii_isdigit (*s))
    return FALSE;
  while (g_ascii_isdigit (*s) || *s == '_')
    s++;

  if (*s == '.')
    {
      s++;
      while (g_ascii_isdigit (*s) || *s == '_')
        s++;
      return match_exponent_tail (s);
    }

  if (*s == ':' && match_sexagesimal_tail (&s) && *s == '.')
    return all_of (s + 1, "0123456789_");

  return FALSE;
}

static ScalarKind
classify_plain (const char *s)
{
  if ((s[0] == '\0' || strchr ("~nN", s[0]) != NULL) && is_null_word (s))
    return SCALAR_NULL;

  if (strchr ("yYnNtTfFoO", s[0]) != NULL && is_bool_word (s))
    return SCALAR_BOOL;

  if (strchr ("-+0123456789", s[0]) != NULL && match_int (s))
    return SCALAR_INT;

  if (strchr ("-+0123456789.", s[0]) != NULL && match_float (s))
    return SCALAR_FLOAT;

  return SCALAR_STRING;
}

/* ^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}
 *   | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}
 *     (?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$ */
static gboolean
match_timestamp (const char *s)
{
  guint n;

  for (n = 0; n < 4; n++)
    if (!g_ascii_isdigit (*s++))
      return FALSE;
  if (*s++ != '-')
    return FALSE;
  for (n = 0; g_ascii_isdigit (*s) && n < 2; n++)
    s++;
  if (n == 0 || *s++ != '-')
    return FALSE;
  for (n = 0; g_ascii_isdigit (*s) && n < 2; n++)
    s++;
  if (n == 0)
    return FALSE;
  if (*s == '\0')
    return TRUE;    /* loose on 1-digit months, as the emitter only asks "could it be?" */

  if (*s == 'T' || *s == 't')
    s++;
  else if (*s == ' ' || *s == '\t')
    while (*s == ' ' || *s == '\t')
      s++;
  else
    return FALSE;

  for (n = 0; g_ascii_isdigit (*s) && n < 2; n++)
    s++;
  if (n == 0 || *s++ != ':' || !g_ascii_isdigit (s[0]) || !g_ascii_isdigit (s[1]))
    return FALSE;
  s += 2;
  if (*s++ != ':' || !g_ascii_isdigit (s[0]) || !g_ascii_isdigit (s[1]))
    return FALSE;
  s += 2;
  if (*s == '.')
    {
      s++;
      while (g_ascii_isdigit (*s))
        s++;
    }
  while (*s == ' ' || *s == '\t')
    s++;
  if (*s == '\0' || g_str_equal (s, "Z"))
    return TRUE;
  if (*s != '-' && *s != '+')
    return FALSE;
  s++;
  for (n = 0; g_ascii_isdigit (*s) && n < 2; n++)
    s++;
  if (n == 0)
    return FALSE;
  if (*s == ':')
    {
      if (!g_ascii_isdigit (s[1]) || !g_ascii_isdigit (s[2]))
        return FALSE;
      s += 3;
    }

  return *s == '\0';
}

static char *
strip_underscores (const char *s)
{
  char *copy = g_malloc (strlen (s) + 1);
  char *q = copy;

  for (; *s != '\0'; s++)
    if (*s != '_')
      *q++ = *s;
  *q = '\0';

  return copy;
}

/* Accumulates digits in @base; on overflow keeps going in a double. */
static gboolean
accumulate (const char *digits,
            guint       base,
            guint64    *value,
            double     *approx,
            gboolean   *overflow)
{
  if (*digits == '\0')
    return FALSE;

  for (; *digits != '\0'; digits++)
    {
      guint digit;

      if (!g_ascii_isxdigit (*digits))
        return FALSE;
      digit = g_ascii_xdigit_value (*digits);
      if (digit >= base)
        return FALSE;
      if (*value > (G_MAXUINT64 - digit) / base)
        *overflow = TRUE;
      *value = *value * base + digit;
      *approx = *approx * base + digit;
    }

  return TRUE;
}

static JsonNode *
int_node_from_magnitude (gboolean negative,
                         guint64  magnitude,
                         double   approx,
                         gboolean overflow)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  /* A number beyond 64 bits is kept as a double, as JSON readers do. */
  if (!overflow && !negative && magnitude <= G_MAXINT64)
    json_node_set_int (node, (gint64)magnitude);
  else if (!overflow && negative && magnitude <= (guint64)G_MAXINT64 + 1)
    json_node_set_int (node, magnitude == (guint64)G_MAXINT64 + 1 ? G_MININT64 : -(gint64)magnitude);
  else
    json_node_set_double (node, negative ? -approx : approx);

  return node;
}

/* PyYAML's SafeConstructor.construct_yaml_int. NULL when the text has no
 * digits (`0x_`), where PyYAML itself would raise. */
static JsonNode *
construct_int (const char *text)
{
  g_autofree char *value = strip_underscores (text);
  const char *s = value;
  gboolean negative = FALSE;
  gboolean overflow = FALSE;
  guint64 magnitude = 0;
  double approx = 0;

  if (*s == '-' || *s == '+')
    negative = *s++ == '-';

  if (g_str_equal (s, "0"))
    return int_node_from_magnitude (FALSE, 0, 0, FALSE);

  if (g_str_has_prefix (s, "0b"))
    {
      if (!accumulate (s + 2, 2, &magnitude, &approx, &overflow))
        return NULL;
    }
  else if (g_str_has_prefix (s, "0x"))
    {
      if (!accumulate (s + 2, 16, &magnitude, &approx, &overflow))
        return NULL;
    }
  else if (s[0] == '0')
    {
      if (!accumulate (s, 8, &magnitude, &approx, &overflow))
        return NULL;
    }
  else if (strchr (s, ':') != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (s, ":", -1);

      for (guint i = 0; parts[i] != NULL; i++)
        {
          guint64 part = 0;
          double part_approx = 0;
          gboolean part_overflow = FALSE;

          if (!accumulate (parts[i], 10, &part, &part_approx, &part_overflow))
            return NULL;
          if (magnitude > (G_MAXUINT64 - part) / 60 || part_overflow)
            overflow = TRUE;
          magnitude = magnitude * 60 + part;
          approx = approx * 60 + part_approx;
        }
    }
  else
    {
      if (!accumulate (s, 10, &magnitude, &approx, &overflow))
        return NULL;
      /* strtod rounds a long decimal correctly, unlike our running sum. */
      if (overflow || magnitude > G_MAXINT64)
        approx = g_ascii_strtod (s, NULL);
    }

  return int_node_from_magnitude (negative, magnitude, approx, overflow);
}

/* PyYAML's SafeConstructor.construct_yaml_float; also takes what Python's
 * float() takes for an explicit `!!float` ("1", "1e3"). */
static JsonNode *
construct_float (const char *text)
{
  g_autofree char *value = strip_underscores (text);
  g_autofree char *lower = g_ascii_strdown (value, -1);
  const char *s = lower;
  double sign = 1.0;
  double result;
  JsonNode *node;

  if (*s == '-' || *s == '+')
    sign = *s++ == '-' ? -1.0 : 1.0;

  if (g_str_equal (s, ".inf"))
    result = sign * INFINITY;
  else if (g_str_equal (s, ".nan"))
    result = NAN;
  else if (strchr (s, ':') != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (s, ":", -1);

      result = 0;
      for (guint i = 0; parts[i] != NULL; i++)
        {
          char *end = NULL;
          double part;

          if (parts[i][0] == '\0' || !all_of (parts[i], "0123456789."))
            return NULL;
          part = g_ascii_strtod (parts[i], &end);
          if (end == NULL || *end != '\0')
            return NULL;
          result = result * 60 + part;
        }
      result *= sign;
    }
  else
    {
      char *end = NULL;

      /* Refuse what strtod takes but no YAML tool writes: hex floats, "nan". */
      if (*s == '\0' || !all_of (s, "0123456789.e+-") || strpbrk (s, "0123456789") == NULL)
        return NULL;
      result = sign * g_ascii_strtod (s, &end);
      if (end == NULL || *end != '\0')
        return NULL;
    }

  node = json_node_new (JSON_NODE_VALUE);
  json_node_set_double (node, result);
  return node;
}

static JsonNode *
string_node (const char *text)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, text);
  return node;
}

static JsonNode *
resolve_plain (const char *text)
{
  JsonNode *node = NULL;

  switch (classify_plain (text))
    {
    case SCALAR_NULL:
      return json_node_new (JSON_NODE_NULL);

    case SCALAR_BOOL:
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_boolean (node, bool_value (text));
      return node;

    case SCALAR_INT:
      node = construct_int (text);
      break;

    case SCALAR_FLOAT:
      node = construct_float (text);
      break;

    case SCALAR_STRING:
    default:
      break;
    }

  /* Degenerate numbers such as `0x_` stay text rather than failing. */
  return node != NULL ? node : string_node (text);
}

/* Tree helpers --------------------------------------------------------------- */

static guint
node_height (JsonNode *node)
{
  guint height = 0;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;

      /* json-glib 1.6 writes the name unconditionally: pass somewhere. */
      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &child))
        height = MAX (height, node_height (child));
      return height + 1;
    }

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint length = json_array_get_length (array);

      for (guint i = 0; i < length; i++)
        height = MAX (height, node_height (json_array_get_element (array, i)));
      return height + 1;
    }

  return 0;
}

static guint64
count_nodes (JsonNode *node)
{
  guint64 count = 1;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;

      /* json-glib 1.6 writes the name unconditionally: pass somewhere. */
      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &child))
        count += count_nodes (child);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint length = json_array_get_length (array);

      for (guint i = 0; i < length; i++)
        count += count_nodes (json_array_get_element (array, i));
    }

  return count;
}

/* A new value node; json_node_copy() would share the JsonValue, which
 * json_node_set_string() and friends then change in place. */
static JsonNode *
copy_scalar (JsonNode *node)
{
  JsonNode *copy;

  if (JSON_NODE_HOLDS_NULL (node))
    return json_node_new (JSON_NODE_NULL);

  copy = json_node_new (JSON_NODE_VALUE);
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      json_node_set_string (copy, json_node_get_string (node));
      break;

    case G_TYPE_INT64:
      json_node_set_int (copy, json_node_get_int (node));
      break;

    case G_TYPE_DOUBLE:
      json_node_set_double (copy, json_node_get_double (node));
      break;

    case G_TYPE_BOOLEAN:
      json_node_set_boolean (copy, json_node_get_boolean (node));
      break;

    default:
      g_assert_not_reached ();
    }

  return copy;
}

/* json_node_copy() shares the JsonObject/JsonArray of a container (and the
 * value of a scalar), so an aliased mapping edited later would change every
 * copy. This copies all the way down, and carries the positions over so
 * diagnostics about a copy point at the anchored text. Recursion is bounded
 * by MAX_DEPTH. */
typedef enum
{
  COPY_POSITIONS,         /* the copy's own value and key positions too */
  COPY_INNER_POSITIONS,   /* only its descendants': the caller places the copy */
} CopyMode;

static JsonNode *
deep_copy (JsonNode    *node,
           PwSourceMap *map,
           CopyMode     mode)
{
  JsonNode *copy;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_object_new ();
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &child))
        json_object_set_member (object, name, deep_copy (child, map, COPY_POSITIONS));
      copy = json_node_init_object (json_node_alloc (), object);
      json_object_unref (object);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *source = json_node_get_array (node);
      guint length = json_array_get_length (source);
      JsonArray *array = json_array_sized_new (length);

      for (guint i = 0; i < length; i++)
        json_array_add_element (array, deep_copy (json_array_get_element (source, i), map, COPY_POSITIONS));
      copy = json_node_init_array (json_node_alloc (), array);
      json_array_unref (array);
    }
  else
    {
      copy = copy_scalar (node);
    }

  if (map != NULL && mode == COPY_POSITIONS)
    {
      pw_source_map_copy_position (map, node, copy);
      pw_source_map_copy_key_position (map, node, copy);
    }

  return copy;
}

/* The byte offset of a mark. Marks come in text order, nearly, so a
 * cursor walks the text from one to the next; pure ASCII text needs none. */
static gsize
mark_offset (Parser            *self,
             const yaml_mark_t *mark)
{
  const char *data = self->data;
  const char *end = self->data + self->length;

  if (self->ascii)
    return self->base + mark->index;

  while (self->cursor_index < mark->index && data + self->cursor_byte < end)
    {
      self->cursor_byte = g_utf8_next_char (data + self->cursor_byte) - data;
      self->cursor_index++;
    }
  while (self->cursor_index > mark->index && self->cursor_byte > 0)
    {
      self->cursor_byte = g_utf8_prev_char (data + self->cursor_byte) - data;
      self->cursor_index--;
    }

  return self->base + MIN (self->cursor_byte, self->length);
}

static guint
record_span (Parser            *self,
             JsonNode          *node,
             const yaml_mark_t *mark,
             gsize              start,
             gsize              end,
             guint              flags,
             gsize              link)
{
  if (self->map == NULL)
    return 0;

  self->last_node = node;
  self->last_index = _pw_source_map_record (self->map, node, self->line_base + (guint)mark->line + 1,
                                            (guint)mark->column + 1, start, end, flags, link);
  return self->last_index;
}

/* Records a node whose text runs from @start_mark to @end_mark. */
static void
record (Parser            *self,
        JsonNode          *node,
        const yaml_mark_t *start_mark,
        const yaml_mark_t *end_mark)
{
  if (self->map != NULL)
    record_span (self, node, start_mark, mark_offset (self, start_mark),
                 mark_offset (self, end_mark), 0, 0);
}

/* Adds the key's position to the record of @node, its value. */
static void
record_key (Parser            *self,
            JsonNode          *node,
            const yaml_mark_t *mark,
            gsize              offset)
{
  if (self->map == NULL)
    return;

  if (node == self->last_node)
    _pw_source_map_set_key (self->map, self->last_index, self->line_base + (guint)mark->line + 1,
                            (guint)mark->column + 1, offset);
  else
    pw_source_map_add_key_span (self->map, node, self->line_base + (guint)mark->line + 1,
                                (guint)mark->column + 1,
                                offset);
}

/* Counts every event of the stream, for the alias budget. It stops where the
 * real parse will stop anyway: at an error or past the depth limit, which
 * keeps libyaml's own stacks small on nesting bombs. */
static guint64
count_all_events (Parser *self)
{
  yaml_parser_t parser;
  guint64 count = 0;
  guint depth = 0;

  yaml_parser_initialize (&parser);
  yaml_parser_set_encoding (&parser, YAML_UTF8_ENCODING);
  yaml_parser_set_input_string (&parser, (const guchar *)self->data, self->length);

  for (;;)
    {
      yaml_event_t event;
      yaml_event_type_t type;

      if (!yaml_parser_parse (&parser, &event))
        break;
      count++;
      type = event.type;
      yaml_event_delete (&event);

      if (type == YAML_SEQUENCE_START_EVENT || type == YAML_MAPPING_START_EVENT)
        depth++;
      else if (type == YAML_SEQUENCE_END_EVENT || type == YAML_MAPPING_END_EVENT)
        depth--;

      if (type == YAML_STREAM_END_EVENT || depth > MAX_DEPTH)
        break;
    }

  yaml_parser_delete (&parser);

  return count;
}

/* The "billion laughs" guard: aliases may not blow the document up to more
 * than NODES_PER_EVENT nodes per event of the text (but always allow
 * MIN_NODE_BUDGET). The total event count is only needed, and so only
 * computed, once the count so far is no longer enough. */
static gboolean
check_budget (Parser            *self,
              guint64            extra,
              const yaml_mark_t *mark)
{
  guint64 wanted = self->n_nodes + extra;
  guint64 limit = MAX (MIN_NODE_BUDGET, NODES_PER_EVENT * self->n_events);

  if (wanted > limit)
    {
      if (self->total_events == 0)
        self->total_events = MAX (count_all_events (self), 1);
      limit = MAX (MIN_NODE_BUDGET, NODES_PER_EVENT * MAX (self->total_events, self->n_events));
    }

  if (wanted > limit)
    {
      parser_set_error (self, PW_CORE_ERROR_LIMIT, mark,
                        "too many alias expansions (the document expands to more than %"
                        G_GUINT64_FORMAT " nodes; is it a 'billion laughs' document?)",
                        limit);
      return FALSE;
    }

  self->n_nodes = wanted;
  return TRUE;
}

static Frame *
parser_top (Parser *self)
{
  if (self->stack->len == 0)
    return NULL;

  return g_ptr_array_index (self->stack, self->stack->len - 1);
}

static guint
parser_depth (Parser *self)
{
  Frame *top = parser_top (self);

  return top != NULL ? top->depth : 0;
}

static const CfnFunction *
lookup_cfn_tag (const char *tag)
{
  if (tag[0] != '!' || tag[1] == '!')
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cfn_functions); i++)
    if (g_str_equal (tag + 1, cfn_functions[i].tag))
      return &cfn_functions[i];

  return NULL;
}

/* Sets the error for a tag we cannot honour. */
static void
parser_set_tag_error (Parser            *self,
                      const char        *tag,
                      const yaml_mark_t *mark)
{
  g_autofree char *shown = display_tag (tag);

  if (g_str_has_prefix (tag, YAML_TAG_PREFIX))
    parser_set_error (self, PW_CORE_ERROR_SYNTAX, mark, "unsupported YAML tag '%s'", shown);
  else if ((self->flags & PW_YAML_PARSE_CFN_TAGS) != 0)
    parser_set_error (self, PW_CORE_ERROR_SYNTAX, mark,
                      "unknown tag '%s'; CloudFormation's short forms are !Ref, !Condition, "
                      "!GetAtt, !Sub, !Join and the other Fn:: function names", shown);
  else
    parser_set_error (self, PW_CORE_ERROR_SYNTAX, mark,
                      "unexpected tag '%s'; YAML tags such as '!Ref' are CloudFormation "
                      "syntax and are not allowed here", shown);
}

/* Wraps @value into `{ key: value }`, the long form of a short-form tag. */
static JsonNode *
wrap_cfn (Parser            *self,
          const char        *key,
          JsonNode          *value,
          guint              value_index,
          const yaml_mark_t *mark,
          gsize              start,
          gsize              end)
{
  JsonObject *object = json_object_new ();
  JsonNode *node;

  json_object_set_member (object, key, value);
  node = json_node_init_object (json_node_alloc (), object);
  json_object_unref (object);

  /* The tag and its value are one piece of text. */
  if (self->map != NULL)
    _pw_source_map_set_key (self->map, value_index, self->line_base + (guint)mark->line + 1,
                            (guint)mark->column + 1, start);
  record_span (self, node, mark, start, end, 0, 0);

  return node;
}

/* Where a scalar's text ends. libyaml ends a `|` or `>` block where the
 * next token starts, past the line breaks after it: end it with its text
 * instead, so that its span does not depend on what follows it. */
static gsize
scalar_end (Parser       *self,
            yaml_event_t *event)
{
  gsize start = mark_offset (self, &event->start_mark);
  gsize end = mark_offset (self, &event->end_mark);

  if (event->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
      event->data.scalar.style == YAML_FOLDED_SCALAR_STYLE)
    while (end > start && end - self->base <= self->length &&
           strchr (" \t\r\n", self->data[end - self->base - 1]) != NULL)
      end--;

  return end;
}

/* The value node of a scalar event; NULL with the error set. */
static JsonNode *
make_scalar (Parser            *self,
             yaml_event_t      *event,
             guint             *n_nodes,
             guint             *height)
{
  const char *value = (const char *)event->data.scalar.value;
  const char *tag = (const char *)event->data.scalar.tag;
  const yaml_mark_t *mark = &event->start_mark;
  const CfnFunction *cfn;
  JsonNode *node = NULL;
  gsize start, end;
  guint index;

  *n_nodes = 1;
  *height = 0;

  if (tag == NULL || g_str_equal (tag, "!"))
    {
      /* A non-specific '!' tag means "not resolved": a string. */
      if (tag == NULL && event->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
        node = resolve_plain (value);
      else
        node = string_node (value);
    }
  else if (g_str_has_prefix (tag, YAML_TAG_PREFIX))
    {
      const char *name = tag + strlen (YAML_TAG_PREFIX);

      if (g_str_equal (name, "str") || g_str_equal (name, "binary") ||
          g_str_equal (name, "timestamp"))
        node = string_node (value);
      else if (g_str_equal (name, "null"))
        node = json_node_new (JSON_NODE_NULL);
      else if (g_str_equal (name, "bool"))
        {
          if (g_ascii_strcasecmp (value, "yes") == 0 || g_ascii_strcasecmp (value, "no") == 0 ||
              g_ascii_strcasecmp (value, "true") == 0 || g_ascii_strcasecmp (value, "false") == 0 ||
              g_ascii_strcasecmp (value, "on") == 0 || g_ascii_strcasecmp (value, "off") == 0)
            {
              node = json_node_new (JSON_NODE_VALUE);
              json_node_set_boolean (node, bool_value (value));
            }
        }
      else if (g_str_equal (name, "int"))
        {
          if (match_int (value))
            node = construct_int (value);
        }
      else if (g_str_equal (name, "float"))
        node = construct_float (value);
      else if (g_str_equal (name, "map") || g_str_equal (name, "seq"))
        {
          g_autofree char *shown = display_tag (tag);

          parser_set_error (self, PW_CORE_ERROR_SYNTAX, mark,
                            "the tag '%s' cannot be used on a scalar", shown);
          return NULL;
        }
      else
        {
          parser_set_tag_error (self, tag, mark);
          return NULL;
        }

      if (node == NULL)
        {
          g_autofree char *shown = display_tag (tag);
          g_autofree char *text = shorten (value);

          parser_set_error (self, PW_CORE_ERROR_SYNTAX, mark,
                            "'%s' is not a valid '%s' value", text, shown);
          return NULL;
        }
    }
  else if ((self->flags & PW_YAML_PARSE_CFN_TAGS) != 0 && (cfn = lookup_cfn_tag (tag)) != NULL)
    {
      JsonNode *inner;

      start = mark_offset (self, &event->start_mark);
      end = mark_offset (self, &event->end_mark);

      /* `!GetAtt a.b` is the short form of ["a", "b"], split at the first
       * dot as the AWS CLI and cfn-lint do. */
      if (g_str_equal (cfn->tag, "GetAtt"))
        {
          JsonArray *array = json_array_new ();
          const char *dot = strchr (value, '.');
          JsonNode *part;

          if (dot != NULL)
            {
              g_autofree char *head = g_strndup (value, dot - value);

              part = string_node (head);
              record_span (self, part, mark, start, end, 0, 0);
              json_array_add_element (array, part);
              part = string_node (dot + 1);
            }
          else
            part = string_node (value);
          record_span (self, part, mark, start, end, 0, 0);
          json_array_add_element (array, part);

          *n_nodes = json_array_get_length (array) + 1;
          *height = 1;
          inner = json_node_init_array (json_node_alloc (), array);
          json_array_unref (array);
        }
      else
        {
          inner = string_node (value);
        }

      index = record_span (self, inner, mark, start, end, 0, 0);
      *n_nodes += 1;
      *height += 1;

      return wrap_cfn (self, cfn->key, inner, index, mark, start, end);
    }
  else
    {
      parser_set_tag_error (self, tag, mark);
      return NULL;
    }

  if (self->map != NULL)
    record_span (self, node, mark, mark_offset (self, &event->start_mark), scalar_end (self, event), 0, 0);

  return node;
}

static void
register_anchor (Parser     *self,
                 const char *name,
                 JsonNode   *node,
                 const char *text,
                 guint       n_nodes,
                 guint       height,
                 gsize       start)
{
  Anchor *anchor = g_new0 (Anchor, 1);

  anchor->node = json_node_ref (node);
  anchor->text = g_strdup (text);
  anchor->n_nodes = n_nodes;
  anchor->height = height;
  anchor->start = start;
  self->n_anchors++;

  /* YAML lets a later anchor of the same name replace the earlier one. */
  g_hash_table_replace (self->anchors, g_strdup (name), anchor);
}

static gboolean
is_merge_source (JsonNode *node)
{
  JsonArray *array;
  guint length;

  if (JSON_NODE_HOLDS_OBJECT (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;

  array = json_node_get_array (node);
  length = json_array_get_length (array);
  for (guint i = 0; i < length; i++)
    if (!JSON_NODE_HOLDS_OBJECT (json_array_get_element (array, i)))
      return FALSE;

  return TRUE;
}

/* Hands a finished value (owned) to the collection being built, or makes it
 * the root. */
static gboolean
add_value (Parser            *self,
           JsonNode          *node,
           const yaml_mark_t *mark,
           gsize              end,
           guint              n_nodes,
           guint              height)
{
  Frame *parent = parser_top (self);

  if (parent == NULL)
    {
      g_clear_pointer (&self->root, json_node_unref);
      self->root = node;
      return TRUE;
    }

  parent->last_end = end;

  if (parent->is_mapping)
    {
      Member member = { 0 };

      g_assert (parent->have_key);

      if (parent->key_is_merge)
        {
          if (!is_merge_source (node))
            {
              json_node_unref (node);
              parser_set_error (self, PW_CORE_ERROR_SYNTAX, mark,
                                "the value of a merge key ('<<') must be a mapping, an alias "
                                "of one, or a list of those");
              return FALSE;
            }
        }
      else
        {
          member.key = g_steal_pointer (&parent->key);
          record_key (self, node, &parent->key_mark, parent->key_offset);
          parent->n_nodes += n_nodes;
          parent->height = MAX (parent->height, height + 1);
        }

      member.value = node;
      member.key_mark = parent->key_mark;
      member.key_offset = parent->key_offset;
      g_array_append_val (parent->members, member);
      parent->have_key = FALSE;
      parent->key_is_merge = FALSE;
      return TRUE;
    }

  if (parent->is_merge_list)
    {
      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          json_node_unref (node);
          parser_set_error (self, PW_CORE_ERROR_SYNTAX, mark,
                            "a list of merge sources ('<<') may only contain mappings");
          return FALSE;
        }
    }
  else
    {
      parent->n_nodes += n_nodes;
      parent->height = MAX (parent->height, height + 1);
    }

  json_array_add_element (json_node_get_array (parent->node), node);
  return TRUE;
}

/* Is the next value of the current mapping the one after a '<<' key? */
static gboolean
expecting_merge_value (Parser *self)
{
  Frame *top = parser_top (self);

  return top != NULL && top->is_mapping && top->have_key && top->key_is_merge;
}

static gboolean
expecting_key (Parser *self)
{
  Frame *top = parser_top (self);

  return top != NULL && top->is_mapping && !top->have_key;
}

/* The line where @text was first used as a key of @frame, or 0. Most
 * mappings are small: search their members, and build a table only for
 * big ones. */
static guint
frame_find_key (Frame      *frame,
                const char *text)
{
  if (frame->keys != NULL)
    return GPOINTER_TO_UINT (g_hash_table_lookup (frame->keys, text));

  for (guint i = 0; i < frame->members->len; i++)
    {
      Member *member = &g_array_index (frame->members, Member, i);

      if (member->key != NULL && g_str_equal (member->key, text))
        return (guint)member->key_mark.line + 1;
    }

  return 0;
}

static void
frame_add_key (Frame      *frame,
               const char *text,
               guint       line)
{
  if (frame->keys == NULL)
    {
      if (frame->members->len < 8)
        return;

      frame->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      for (guint i = 0; i < frame->members->len; i++)
        {
          Member *member = &g_array_index (frame->members, Member, i);

          if (member->key != NULL)
            g_hash_table_insert (frame->keys, g_strdup (member->key),
                                 GUINT_TO_POINTER ((guint)member->key_mark.line + 1));
        }
    }

  g_hash_table_insert (frame->keys, g_strdup (text), GUINT_TO_POINTER (line));
}

static gboolean
take_key (Parser            *self,
          const char        *text,
          gboolean           is_merge,
          const yaml_mark_t *mark)
{
  Frame *top = parser_top (self);
  guint first_line;

  if (is_merge)
    {
      if (top->has_merge)
        {
          parser_set_error (self, PW_CORE_ERROR_SYNTAX, mark,
                            "duplicate merge key '<<'; list several sources as '<<: [*a, *b]'");
          return FALSE;
        }
      top->has_merge = TRUE;
    }
  else if ((first_line = frame_find_key (top, text)) != 0)
    {
      g_autofree char *shown = shorten (text);

      parser_set_error (self, PW_CORE_ERROR_SYNTAX, mark,
                        "duplicate key '%s' (first defined on line %u)", shown, first_line);
      return FALSE;
    }
  else
    {
      frame_add_key (top, text, (guint)mark->line + 1);
    }

  g_free (top->key);
  top->key = is_merge ? NULL : g_strdup (text);
  top->key_mark = *mark;
  top->key_offset = mark_offset (self, mark);
  top->key_is_merge = is_merge;
  top->have_key = TRUE;

  return TRUE;
}

static gboolean
handle_scalar (Parser       *self,
               yaml_event_t *event)
{
  const char *value = (const char *)event->data.scalar.value;
  const char *anchor = (const char *)event->data.scalar.anchor;
  const yaml_mark_t *mark = &event->start_mark;
  JsonNode *node;
  guint n_nodes, height;

  /* JSON strings end at a NUL; silently cutting the text would be worse. */
  if (memchr (value, '\0', event->data.scalar.length) != NULL)
    {
      parser_set_error (self, PW_CORE_ERROR_SYNTAX, mark,
                        "strings cannot contain NUL characters ('\\0')");
      return FALSE;
    }

  if (expecting_key (self))
    {
      const char *tag = (const char *)event->data.scalar.tag;
      gboolean is_merge = FALSE;

      if (tag != NULL && !g_str_equal (tag, "!") && !g_str_equal (tag, YAML_TAG_PREFIX "str"))
        {
          if (g_str_equal (tag, YAML_TAG_PREFIX "merge"))
            is_merge = TRUE;
          else if (g_str_has_prefix (tag, YAML_TAG_PREFIX) &&
                   !g_str_equal (tag, YAML_TAG_PREFIX "map") &&
                   !g_str_equal (tag, YAML_TAG_PREFIX "seq"))
            ; /* `!!int 1: x` keys on the text, as every key does */
          else if (lookup_cfn_tag (tag) != NULL && (self->flags & PW_YAML_PARSE_CFN_TAGS) != 0)
            {
              parser_set_error (self, PW_CORE_ERROR_SYNTAX, mark,
                                "mapping keys must be plain strings, not CloudFormation functions");
              return FALSE;
            }
          else
            {
              parser_set_tag_error (self, tag, mark);
              return FALSE;
            }
        }
      else if (tag == NULL && event->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
               g_str_equal (value, "<<"))
        is_merge = TRUE;

      if (anchor != NULL)
        {
          /* An anchored key may be aliased later as a value. */
          node = make_scalar (self, event, &n_nodes, &height);
          if (node == NULL)
            return FALSE;
          register_anchor (self, anchor, node, value, n_nodes, height,
                           mark_offset (self, &event->start_mark));
          json_node_unref (node);
        }

      if (is_merge)
        self->n_anchors++;

      return take_key (self, value, is_merge, mark);
    }

  if (expecting_merge_value (self))
    {
      parser_set_error (self, PW_CORE_ERROR_SYNTAX, mark,
                        "the value of a merge key ('<<') must be a mapping, an alias "
                        "of one, or a list of those");
      return FALSE;
    }

  node = make_scalar (self, event, &n_nodes, &height);
  if (node == NULL)
    return FALSE;

  if (parser_depth (self) + height > MAX_DEPTH)
    {
      json_node_unref (node);
      parser_set_error (self, PW_CORE_ERROR_LIMIT, mark,
                        "the document is nested more than %u levels deep", MAX_DEPTH);
      return FALSE;
    }

  if (anchor != NULL)
    register_anchor (self, anchor, node, value, n_nodes, height,
                     mark_offset (self, &event->start_mark));

  self->n_nodes += n_nodes;

  return add_value (self, node, mark, scalar_end (self, event), n_nodes, height);
}

static gboolean
handle_alias (Parser       *self,
              yaml_event_t *event)
{
  const char *name = (const char *)event->data.alias.anchor;
  const yaml_mark_t *mark = &event->start_mark;
  Frame *top = parser_top (self);
  Anchor *anchor;
  JsonNode *copy;
  gsize start, end;

  self->n_anchors++;
  anchor = g_hash_table_lookup (self->anchors, name);
  if (anchor == NULL)
    {
      g_autofree char *shown = shorten (name);

      for (guint i = 0; i < self->stack->len; i++)
        {
          Frame *frame = g_ptr_array_index (self->stack, i);

          if (frame->anchor != NULL && g_str_equal (frame->anchor, name))
            {
              parser_set_error (self, PW_CORE_ERROR_SYNTAX, mark,
                                "alias '*%s' refers to a node that contains it", shown);
              return FALSE;
            }
        }

      parser_set_error (self, PW_CORE_ERROR_SYNTAX, mark,
                        "undefined alias '*%s' (no anchor '&%s' before this point)",
                        shown, shown);
      return FALSE;
    }

  if (expecting_key (self))
    {
      if (anchor->text == NULL)
        {
          parser_set_error (self, PW_CORE_ERROR_SYNTAX, mark,
                            "mapping keys must be plain strings, not lists or mappings");
          return FALSE;
        }

      return take_key (self, anchor->text, FALSE, mark);
    }

  start = mark_offset (self, &event->start_mark);
  end = mark_offset (self, &event->end_mark);

  /* Merge sources are only read, never placed in the tree: share them. */
  if (expecting_merge_value (self) || (top != NULL && top->is_merge_list))
    return add_value (self, json_node_ref (anchor->node), mark, end, 0, 0);

  if (parser_depth (self) + anchor->height > MAX_DEPTH)
    {
      parser_set_error (self, PW_CORE_ERROR_LIMIT, mark,
                        "this alias nests the document more than %u levels deep", MAX_DEPTH);
      return FALSE;
    }

  if (!check_budget (self, anchor->n_nodes, mark))
    return FALSE;

  copy = deep_copy (anchor->node, self->map, COPY_INNER_POSITIONS);
  record_span (self, copy, mark, start, end, PW_SOURCE_SPAN_ALIAS, anchor->start);

  return add_value (self, copy, mark, end, anchor->n_nodes, anchor->height);
}

static gboolean
handle_collection_start (Parser       *self,
                         yaml_event_t *event)
{
  gboolean is_mapping = event->type == YAML_MAPPING_START_EVENT;
  const char *tag;
  const char *anchor;
  const yaml_mark_t *mark = &event->start_mark;
  const CfnFunction *cfn = NULL;
  Frame *frame;

  if (is_mapping)
    {
      tag = (const char *)event->data.mapping_start.tag;
      anchor = (const char *)event->data.mapping_start.anchor;
    }
  else
    {
      tag = (const char *)event->data.sequence_start.tag;
      anchor = (const char *)event->data.sequence_start.anchor;
    }

  if (expecting_key (self))
    {
      parser_set_error (self, PW_CORE_ERROR_SYNTAX, mark,
                        "mapping keys must be plain strings, not lists or mappings");
      return FALSE;
    }

  if (tag != NULL && !g_str_equal (tag, "!") &&
      !g_str_equal (tag, is_mapping ? YAML_TAG_PREFIX "map" : YAML_TAG_PREFIX "seq"))
    {
      if (g_str_has_prefix (tag, YAML_TAG_PREFIX))
        {
          g_autofree char *shown = display_tag (tag);

          parser_set_error (self, PW_CORE_ERROR_SYNTAX, mark,
                            "the tag '%s' cannot be used on a %s", shown,
                            is_mapping ? "mapping" : "list");
          return FALSE;
        }

      if ((self->flags & PW_YAML_PARSE_CFN_TAGS) == 0 || (cfn = lookup_cfn_tag (tag)) == NULL)
        {
          parser_set_tag_error (self, tag, mark);
          return FALSE;
        }
    }

  if (expecting_merge_value (self) && cfn != NULL)
    {
      parser_set_error (self, PW_CORE_ERROR_SYNTAX, mark,
                        "the value of a merge key ('<<') must be a mapping, an alias "
                        "of one, or a list of those");
      return FALSE;
    }

  frame = g_new0 (Frame, 1);
  frame->is_mapping = is_mapping;
  frame->is_merge_list = !is_mapping && expecting_merge_value (self);
  frame->anchor = g_strdup (anchor);
  frame->cfn_key = cfn != NULL ? cfn->key : NULL;
  frame->mark = *mark;
  frame->start = mark_offset (self, mark);
  frame->last_end = frame->start;
  frame->flow = is_mapping
    ? event->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
    : event->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
  frame->depth = parser_depth (self) + 1 + (cfn != NULL ? 1 : 0);
  frame->n_nodes = 1 + (cfn != NULL ? 1 : 0);
  self->n_nodes += frame->n_nodes;

  if (frame->depth > MAX_DEPTH)
    {
      frame_free (frame);
      parser_set_error (self, PW_CORE_ERROR_LIMIT, mark,
                        "the document is nested more than %u levels deep", MAX_DEPTH);
      return FALSE;
    }

  if (is_mapping)
    {
      frame->members = g_array_new (FALSE, TRUE, sizeof (Member));
      g_array_set_clear_func (frame->members, member_clear);
    }
  else
    {
      JsonArray *array = json_array_new ();

      frame->node = json_node_init_array (json_node_alloc (), array);
      json_array_unref (array);
    }

  g_ptr_array_add (self->stack, frame);

  return TRUE;
}

/* Copies the members of the merge sources in @value that @object does not
 * have, earlier sources first, as PyYAML's flatten_mapping does. */
static gboolean
merge_into (Parser            *self,
            Frame             *frame,
            JsonObject        *object,
            JsonNode          *value,
            const yaml_mark_t *mark,
            gsize              merge_key)
{
  g_autoptr(GPtrArray) sources = g_ptr_array_new ();

  if (JSON_NODE_HOLDS_OBJECT (value))
    g_ptr_array_add (sources, value);
  else
    {
      JsonArray *array = json_node_get_array (value);
      guint length = json_array_get_length (array);

      for (guint i = 0; i < length; i++)
        g_ptr_array_add (sources, json_array_get_element (array, i));
    }

  for (guint i = 0; i < sources->len; i++)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;

      json_object_iter_init_ordered (&iter, json_node_get_object (g_ptr_array_index (sources, i)));
      while (json_object_iter_next_ordered (&iter, &name, &child))
        {
          guint64 n_nodes;

          if (frame_find_key (frame, name) != 0 || json_object_has_member (object, name))
            continue;

          n_nodes = count_nodes (child);
          if (!check_budget (self, n_nodes, mark))
            return FALSE;

          {
            JsonNode *copy = deep_copy (child, self->map, COPY_POSITIONS);
            PwSourceSpan span;
            guint line, column;

            /* The edit module must know the member is not written here. */
            if (self->map != NULL && pw_source_map_lookup_span (self->map, child, &span) &&
                pw_source_map_lookup (self->map, child, &line, &column))
              {
                span.flags |= PW_SOURCE_SPAN_MERGED;
                span.link = merge_key;
                pw_source_map_add_span (self->map, copy, line, column, &span);
              }
            json_object_set_member (object, name, copy);
          }
          frame->n_nodes += n_nodes;
          frame->height = MAX (frame->height, node_height (child) + 1);
        }
    }

  return TRUE;
}

static gboolean
handle_collection_end (Parser       *self,
                       yaml_event_t *event)
{
  g_autoptr(Frame) frame = g_ptr_array_steal_index (self->stack, self->stack->len - 1);
  JsonNode *node;
  guint n_nodes;
  guint height;
  gsize end;
  guint index;

  /* A block collection ends with its last value; libyaml ends it where the
   * next token starts, past any comments. */
  end = frame->flow ? mark_offset (self, &event->end_mark) : frame->last_end;

  if (frame->is_mapping)
    {
      JsonObject *object = json_object_new ();

      node = json_node_init_object (json_node_alloc (), object);
      json_object_unref (object);
      index = record_span (self, node, &frame->mark, frame->start, end, 0, 0);

      /* Merged members go where the '<<' key is; explicit keys win wherever
       * they are. */
      for (guint i = 0; i < frame->members->len; i++)
        {
          Member *member = &g_array_index (frame->members, Member, i);

          if (member->key != NULL)
            json_object_set_member (object, member->key, g_steal_pointer (&member->value));
          else if (!merge_into (self, frame, object, member->value, &member->key_mark,
                                member->key_offset))
            {
              json_node_unref (node);
              return FALSE;
            }
        }
    }
  else
    {
      node = g_steal_pointer (&frame->node);
      index = record_span (self, node, &frame->mark, frame->start, end, 0, 0);
    }

  n_nodes = frame->n_nodes;
  height = frame->height + 1;

  /* A merge list shares its elements, so its counts are not kept on the
   * way; an alias of it must still pay for what it copies. */
  if (frame->is_merge_list)
    {
      n_nodes = count_nodes (node);
      height = node_height (node);
    }

  if (frame->cfn_key != NULL)
    {
      node = wrap_cfn (self, frame->cfn_key, node, index, &frame->mark, frame->start, end);
      height++;
    }

  if (frame->anchor != NULL)
    register_anchor (self, frame->anchor, node, NULL, n_nodes, height, frame->start);

  return add_value (self, node, &frame->mark, end, n_nodes, height);
}

static gboolean
handle_event (Parser       *self,
              yaml_event_t *event,
              gboolean     *done)
{
  switch (event->type)
    {
    case YAML_STREAM_START_EVENT:
    case YAML_DOCUMENT_END_EVENT:
    case YAML_NO_EVENT:
      return TRUE;

    case YAML_STREAM_END_EVENT:
      *done = TRUE;
      return TRUE;

    case YAML_DOCUMENT_START_EVENT:
      if (++self->n_documents > 1)
        {
          parser_set_error (self, PW_CORE_ERROR_SYNTAX, &event->start_mark,
                            "only one YAML document is allowed");
          return FALSE;
        }
      return TRUE;

    case YAML_ALIAS_EVENT:
      return handle_alias (self, event);

    case YAML_SCALAR_EVENT:
      return handle_scalar (self, event);

    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
      return handle_collection_start (self, event);

    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
      return handle_collection_end (self, event);

    default:
      return TRUE;
    }
}

/* Finds what libyaml's reader would reject, with a clear message and
 * position: bytes that are not UTF-8, NUL, and control characters. */
static gboolean
check_text (Parser *self)
{
  const char *end = NULL;
  guint line, column;

  if (!g_utf8_validate_len (self->data, self->length, &end))
    {
      gsize offset = end - self->data;

      position_of_offset (self->data, self->length, offset, &line, &column);
      if (self->data[offset] == '\0')
        parser_set_error_at (self, PW_CORE_ERROR_ENCODING, line, column,
                             "the file contains a NUL byte (is it a binary file?)");
      else
        parser_set_error_at (self, PW_CORE_ERROR_ENCODING, line, column,
                             "the file is not UTF-8 text (invalid byte 0x%02X)",
                             (guchar)self->data[offset]);
      return FALSE;
    }

  for (gsize i = 0; i < self->length; i++)
    {
      guchar c = self->data[i];
      gunichar bad = 0;

      if (c >= 0x80)
        self->ascii = FALSE;

      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
        bad = c;
      else if (c == 0x7F)
        bad = c;
      else if (c == 0xC2 && (guchar)self->data[i + 1] >= 0x80 && (guchar)self->data[i + 1] <= 0x9F &&
               (guchar)self->data[i + 1] != 0x85)
        bad = (guchar)self->data[i + 1];
      else if (c == 0xEF && (guchar)self->data[i + 1] == 0xBF && (guchar)self->data[i + 2] >= 0xBE)
        bad = 0xFF00 | (guchar)self->data[i + 2];
      else if (c == 0xEF && (guchar)self->data[i + 1] == 0xBB && (guchar)self->data[i + 2] == 0xBF)
        bad = 0xFEFF;

      if (bad != 0)
        {
          position_of_offset (self->data, self->length, i, &line, &column);
          if (bad == 0xFEFF)
            parser_set_error_at (self, PW_CORE_ERROR_SYNTAX, line, column,
                                 "a byte-order mark (U+FEFF) is only allowed at the start of the file");
          else
            parser_set_error_at (self, PW_CORE_ERROR_ENCODING, line, column,
                                 "control character U+%04X is not allowed in YAML "
                                 "(is it a binary file?); write it as an escape in "
                                 "a double-quoted string", bad);
          return FALSE;
        }
    }

  return TRUE;
}

/**
 * pw_yaml_parse:
 * @data: the text
 * @length: its length in bytes, or -1 when it is NUL-terminated
 * @map: (nullable): receives the position of every node and member key
 * @flags: #PwYamlParseFlags
 * @error: a #PW_CORE_ERROR; its message starts with `file:line:column: `
 *
 * Reads one YAML document into a JSON tree, resolving plain scalars as
 * PyYAML's SafeLoader does (YAML 1.1), since the AWS CLI and cfn-lint read
 * the same files with it: `yes`/`on` are booleans, `0755` is octal, `1:30`
 * is 90. Timestamps (`2024-01-01`) are kept as strings, as are `!!binary`
 * and `!!timestamp` values. Aliases are expanded into independent copies and
 * merge keys (`<<`) are applied; explicit keys win over merged ones and
 * earlier merge sources over later ones.
 *
 * An empty stream gives a JSON null. Limits: 64 MiB of text, 256 levels of
 * nesting, and a cap on what aliases may expand to.
 *
 * Returns: (transfer full) (nullable): the root node, or %NULL on error
 */
JsonNode *
pw_yaml_parse (const char        *data,
               gssize             length,
               PwSourceMap       *map,
               PwYamlParseFlags   flags,
               GError           **error)
{
  return _pw_yaml_parse_at (data, length, map, flags, 0, 0, NULL, error);
}

/**
 * _pw_yaml_parse_at:
 * @offset: where @data starts in the text @map is for: added to every
 *   recorded byte offset
 * @line: lines before @data there: added to every recorded line
 * @n_anchors: (out) (optional): how many anchors, aliases and merge keys
 *   the text has
 *
 * pw_yaml_parse() for a piece of a document, as the edit module reads again
 * only what an edit changed. Error positions are the piece's own.
 */
JsonNode *
_pw_yaml_parse_at (const char        *data,
                   gssize             length,
                   PwSourceMap       *map,
                   PwYamlParseFlags   flags,
                   gsize              offset,
                   guint              line,
                   guint             *n_anchors,
                   GError           **error)
{
  Parser self = { 0 };
  gboolean done = FALSE;
  gsize size;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  size = length < 0 ? strlen (data) : (gsize)length;

  self.filename = error_filename (map);
  self.map = map;
  self.flags = flags;

  if (size > MAX_INPUT_SIZE)
    {
      g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_LIMIT,
                   "%s:1:1: the file is %" G_GSIZE_FORMAT " bytes long, more than the "
                   "limit of %u MiB", self.filename, size, MAX_INPUT_SIZE / (1024 * 1024));
      return NULL;
    }

  /* Columns then match the source map's lines, which skip the mark too. */
  if (size >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    {
      data += 3;
      size -= 3;
      self.base = 3;
    }
  self.base += offset;
  self.line_base = line;

  self.data = size > 0 ? data : "";
  self.length = size;
  self.ascii = TRUE;

  if (!check_text (&self))
    {
      g_propagate_error (error, self.error);
      return NULL;
    }

  self.stack = g_ptr_array_new_with_free_func (frame_free);
  self.anchors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, anchor_free);

  yaml_parser_initialize (&self.parser);
  yaml_parser_set_encoding (&self.parser, YAML_UTF8_ENCODING);
  yaml_parser_set_input_string (&self.parser, (const guchar *)self.data, self.length);

  while (!done)
    {
      yaml_event_t event;
      gboolean ok;

      if (!yaml_parser_parse (&self.parser, &event))
        {
          parser_set_libyaml_error (&self);
          break;
        }

      self.n_events++;
      ok = handle_event (&self, &event, &done);
      yaml_event_delete (&event);

      if (!ok)
        break;
    }

  yaml_parser_delete (&self.parser);
  g_ptr_array_unref (self.stack);
  g_hash_table_unref (self.anchors);

  if (n_anchors != NULL)
    *n_anchors = self.n_anchors;

  if (self.error != NULL)
    {
      g_clear_pointer (&self.root, json_node_unref);
      g_propagate_error (error, self.error);
      return NULL;
    }

  if (self.root == NULL)
    {
      yaml_mark_t start = { 0 };

      self.root = json_node_new (JSON_NODE_NULL);
      record (&self, self.root, &start, &start);
    }

  return self.root;
}

/* Writer side --------------------------------------------------------------- */

typedef struct
{
  yaml_emitter_t   emitter;
  GString         *out;
  PwYamlEmitFlags  flags;
  GError          *error;
} Emitter;

static int
write_cb (void          *data,
          unsigned char *buffer,
          size_t         size)
{
  Emitter *self = data;

  g_string_append_len (self->out, (const char *)buffer, size);
  return 1;
}

static gboolean
emit (Emitter      *self,
      yaml_event_t *event)
{
  if (self->error != NULL)
    {
      yaml_event_delete (event);
      return FALSE;
    }

  /* yaml_emitter_emit() takes the event in all cases. */
  if (!yaml_emitter_emit (&self->emitter, event))
    {
      self->error = g_error_new (PW_CORE_ERROR, PW_CORE_ERROR_ENCODING,
                                 "cannot write YAML: %s",
                                 self->emitter.problem != NULL ? self->emitter.problem : "unknown error");
      return FALSE;
    }

  return TRUE;
}

/* libyaml's notion of a printable character (emitter.c IS_PRINTABLE), which
 * leaves out characters beyond U+FFFF. */
static gboolean
libyaml_printable (const guchar *p)
{
  return p[0] == 0x0A ||
         (p[0] >= 0x20 && p[0] <= 0x7E) ||
         (p[0] == 0xC2 && p[1] >= 0xA0) ||
         (p[0] > 0xC2 && p[0] < 0xED) ||
         (p[0] == 0xED && p[1] < 0xA0) ||
         p[0] == 0xEE ||
         (p[0] == 0xEF && !(p[1] == 0xBB && p[2] == 0xBF) &&
          !(p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)));
}

static gboolean
libyaml_is_break (const guchar *p)
{
  return p[0] == '\r' || p[0] == '\n' ||
         (p[0] == 0xC2 && p[1] == 0x85) ||
         (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9));
}

static gboolean
libyaml_is_blankz (const guchar *p)
{
  return p[0] == ' ' || p[0] == '\t' || p[0] == '\0' || libyaml_is_break (p);
}

/* Would libyaml write @s plain in block context? A copy of the parts of
 * yaml_emitter_analyze_scalar() that decide block_plain_allowed, so we can
 * pick double quotes ourselves instead of libyaml falling back to single
 * quotes. Getting it wrong is harmless: libyaml then picks single quotes. */
static gboolean
libyaml_block_plain_allowed (const char *s)
{
  const guchar *start = (const guchar *)s;
  const guchar *p = start;
  gboolean preceded_by_whitespace = TRUE;

  if (*p == '\0')
    return FALSE;
  if (g_str_has_prefix (s, "---") || g_str_has_prefix (s, "..."))
    return FALSE;

  while (*p != '\0')
    {
      const guchar *next = (const guchar *)g_utf8_next_char (p);
      gboolean followed_by_whitespace = libyaml_is_blankz (next);

      if (p == start)
        {
          if (strchr ("#,[]{}&*!|>'\"%@`", *p) != NULL)
            return FALSE;
          if ((*p == '?' || *p == ':' || *p == '-') && followed_by_whitespace)
            return FALSE;
        }
      else
        {
          if (*p == ':' && followed_by_whitespace)
            return FALSE;
          if (*p == '#' && preceded_by_whitespace)
            return FALSE;
        }

      if (!libyaml_printable (p) || libyaml_is_break (p))
        return FALSE;
      if (*p == ' ' && (p == start || *next == '\0'))
        return FALSE;

      preceded_by_whitespace = libyaml_is_blankz (p);
      p = next;
    }

  return TRUE;
}

/* Would a YAML reader other than ours, or PyYAML, read @s back as something
 * other than this string? Stricter than our own resolver on purpose: the
 * files are also read by the AWS CLI, cfn-lint and YAML 1.2 tools. */
static gboolean
plain_is_ambiguous (const char *s)
{
  if (classify_plain (s) != SCALAR_STRING)
    return TRUE;

  /* PyYAML makes dates of these and fails on '=' and a lone '<<'. */
  if (match_timestamp (s) || g_str_equal (s, "=") || g_str_equal (s, "<<"))
    return TRUE;

  /* YAML 1.1's other booleans, which some tools still honour. */
  if (g_str_equal (s, "y") || g_str_equal (s, "Y") || g_str_equal (s, "n") || g_str_equal (s, "N"))
    return TRUE;

  /* YAML 1.2 numbers: `1e3`, `-.5`, `0o17`. */
  if (strchr ("-+.0123456789", s[0]) != NULL)
    {
      char *end = NULL;

      if (s[0] == '0' && s[1] == 'o' && s[2] != '\0' && all_of (s + 2, "01234567"))
        return TRUE;
      if (strpbrk (s, "0123456789") != NULL && all_of (s, "0123456789.eE+-"))
        {
          g_ascii_strtod (s, &end);
          if (end != NULL && *end == '\0')
            return TRUE;
        }
    }

  return FALSE;
}

static gboolean
emit_scalar (Emitter          *self,
             const char       *tag,
             const char       *value,
             yaml_scalar_style_t style)
{
  yaml_event_t event;

  if (!yaml_scalar_event_initialize (&event, NULL, (yaml_char_t *)tag,
                                     (yaml_char_t *)value, strlen (value),
                                     tag == NULL, tag == NULL, style))
    {
      self->error = g_error_new (PW_CORE_ERROR, PW_CORE_ERROR_ENCODING,
                                 "cannot write YAML: a string is not valid UTF-8");
      return FALSE;
    }

  return emit (self, &event);
}

static gboolean
emit_string (Emitter    *self,
             const char *value,
             const char *tag,
             gboolean    is_key)
{
  yaml_scalar_style_t style;

  if (!g_utf8_validate (value, -1, NULL))
    {
      self->error = g_error_new (PW_CORE_ERROR, PW_CORE_ERROR_ENCODING,
                                 "cannot write YAML: a string is not valid UTF-8");
      return FALSE;
    }

  /* libyaml falls back to double quotes when a literal block cannot hold
   * the text exactly (trailing spaces, control characters, keys). */
  if (!is_key && strchr (value, '\n') != NULL)
    style = YAML_LITERAL_SCALAR_STYLE;
  else if (libyaml_block_plain_allowed (value) && (tag != NULL || !plain_is_ambiguous (value)))
    style = YAML_PLAIN_SCALAR_STYLE;
  else
    style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;

  return emit_scalar (self, tag, value, style);
}

/* The shortest text that reads back as the same double, in a form YAML 1.1
 * reads as a float: it needs a '.' ("1.0e+20", not "1e+20"). */
static void
format_double (double  value,
               char   *buffer,
               gsize   size)
{
  static const char * const formats[] = { "%.15g", "%.16g", "%.17g" };
  GString *text;

  if (isnan (value))
    {
      g_strlcpy (buffer, ".nan", size);
      return;
    }
  if (isinf (value))
    {
      g_strlcpy (buffer, value > 0 ? ".inf" : "-.inf", size);
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (buffer, size, formats[i], value);
      if (g_ascii_strtod (buffer, NULL) == value)
        break;
    }

  if (strchr (buffer, '.') != NULL)
    return;

  text = g_string_new (buffer);
  if (strchr (text->str, 'e') != NULL)
    g_string_insert (text, strchr (text->str, 'e') - text->str, ".0");
  else
    g_string_append (text, ".0");
  g_strlcpy (buffer, text->str, size);
  g_string_free (text, TRUE);
}

static gboolean emit_node (Emitter    *self,
                           JsonNode   *node,
                           const char *tag);

static const CfnFunction *
cfn_function_for_key (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (cfn_functions); i++)
    if (g_str_equal (key, cfn_functions[i].key))
      return &cfn_functions[i];

  return NULL;
}

/* The short-form tag for a one-member intrinsic object, if it can be
 * written as one and read back to the same tree. */
static const CfnFunction *
cfn_short_form (JsonObject  *object,
                JsonNode   **value)
{
  const CfnFunction *cfn;
  JsonObjectIter iter;
  const char *key;
  JsonNode *inner;

  if (json_object_get_size (object) != 1)
    return NULL;

  json_object_iter_init_ordered (&iter, object);
  if (!json_object_iter_next_ordered (&iter, &key, &inner))
    return NULL;

  if ((cfn = cfn_function_for_key (key)) == NULL)
    return NULL;

  /* `!GetAtt a.b` reads back as ["a", "b"], never as the string "a.b". */
  if (g_str_equal (cfn->tag, "GetAtt") && !JSON_NODE_HOLDS_ARRAY (inner) &&
      !JSON_NODE_HOLDS_OBJECT (inner))
    return NULL;

  /* A tagged scalar always reads back as a string. */
  if (JSON_NODE_HOLDS_VALUE (inner) && json_node_get_value_type (inner) != G_TYPE_STRING)
    return NULL;
  if (JSON_NODE_HOLDS_NULL (inner))
    return NULL;

  /* A node carries one tag: `Fn::Base64: !Sub …` keeps the outer long. */
  if (JSON_NODE_HOLDS_OBJECT (inner) && cfn_short_form (json_node_get_object (inner), NULL) != NULL)
    return NULL;

  if (value != NULL)
    *value = inner;

  return cfn;
}

static gboolean
is_getatt_pair (JsonNode *node)
{
  JsonArray *array;
  JsonNode *first, *second;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;

  array = json_node_get_array (node);
  if (json_array_get_length (array) != 2)
    return FALSE;

  first = json_array_get_element (array, 0);
  second = json_array_get_element (array, 1);

  return JSON_NODE_HOLDS_VALUE (first) && json_node_get_value_type (first) == G_TYPE_STRING &&
         JSON_NODE_HOLDS_VALUE (second) && json_node_get_value_type (second) == G_TYPE_STRING &&
         strchr (json_node_get_string (first), '.') == NULL;
}

static gboolean
emit_node (Emitter    *self,
           JsonNode   *node,
           const char *tag)
{
  yaml_event_t event;
  char buffer[G_ASCII_DTOSTR_BUF_SIZE + 8];

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return emit_scalar (self, NULL, "null", YAML_PLAIN_SCALAR_STYLE);

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      const CfnFunction *cfn;
      JsonNode *inner = NULL;
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;
      g_autofree char *short_tag = NULL;

      if (tag == NULL && (self->flags & PW_YAML_EMIT_CFN_SHORT_TAGS) != 0 &&
          (cfn = cfn_short_form (object, &inner)) != NULL)
        {
          short_tag = g_strconcat ("!", cfn->tag, NULL);

          if (g_str_equal (cfn->tag, "GetAtt") && is_getatt_pair (inner))
            {
              JsonArray *pair = json_node_get_array (inner);
              g_autofree char *joined =
                g_strconcat (json_array_get_string_element (pair, 0), ".",
                             json_array_get_string_element (pair, 1), NULL);

              return emit_string (self, joined, short_tag, FALSE);
            }

          return emit_node (self, inner, short_tag);
        }

      yaml_mapping_start_event_initialize (&event, NULL, (yaml_char_t *)tag, tag == NULL,
                                           json_object_get_size (object) == 0
                                             ? YAML_FLOW_MAPPING_STYLE
                                             : YAML_BLOCK_MAPPING_STYLE);
      if (!emit (self, &event))
        return FALSE;

      json_object_iter_init_ordered (&iter, object);
      while (json_object_iter_next_ordered (&iter, &name, &child))
        {
          if (!emit_string (self, name, NULL, TRUE) || !emit_node (self, child, NULL))
            return FALSE;
        }

      yaml_mapping_end_event_initialize (&event);
      return emit (self, &event);
    }

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint length = json_array_get_length (array);

      yaml_sequence_start_event_initialize (&event, NULL, (yaml_char_t *)tag, tag == NULL,
                                            length == 0
                                              ? YAML_FLOW_SEQUENCE_STYLE
                                              : YAML_BLOCK_SEQUENCE_STYLE);
      if (!emit (self, &event))
        return FALSE;

      for (guint i = 0; i < length; i++)
        if (!emit_node (self, json_array_get_element (array, i), NULL))
          return FALSE;

      yaml_sequence_end_event_initialize (&event);
      return emit (self, &event);
    }

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return emit_string (self, json_node_get_string (node), tag, FALSE);

    case G_TYPE_BOOLEAN:
      return emit_scalar (self, tag, json_node_get_boolean (node) ? "true" : "false",
                          YAML_PLAIN_SCALAR_STYLE);

    case G_TYPE_INT64:
      g_snprintf (buffer, sizeof buffer, "%" G_GINT64_FORMAT, json_node_get_int (node));
      return emit_scalar (self, tag, buffer, YAML_PLAIN_SCALAR_STYLE);

    case G_TYPE_DOUBLE:
      format_double (json_node_get_double (node), buffer, sizeof buffer);
      return emit_scalar (self, tag, buffer, YAML_PLAIN_SCALAR_STYLE);

    default:
      self->error = g_error_new (PW_CORE_ERROR, PW_CORE_ERROR_SHAPE,
                                 "cannot write YAML: unsupported value type %s",
                                 g_type_name (json_node_get_value_type (node)));
      return FALSE;
    }
}

/**
 * pw_yaml_emit:
 * @root: (nullable): the tree; %NULL writes `null`
 * @flags: #PwYamlEmitFlags
 * @error: set when the tree cannot be written (strings that are not UTF-8)
 *
 * Writes @root as block-style YAML with 2-space indentation, unfolded long
 * lines and unescaped UTF-8 (libyaml still escapes characters beyond U+FFFF
 * in double-quoted strings). Strings are written plain only when every YAML
 * reader gives them back as the same string; others are double-quoted, and
 * multi-line ones use literal blocks. pw_yaml_parse() reads the result back
 * into an equal tree, key order included.
 *
 * Returns: (transfer full) (nullable): the text, ending in a newline
 */
char *
pw_yaml_emit (JsonNode         *root,
              PwYamlEmitFlags   flags,
              GError          **error)
{
  Emitter self = { 0 };
  yaml_event_t event;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self.out = g_string_new (NULL);
  self.flags = flags;

  yaml_emitter_initialize (&self.emitter);
  yaml_emitter_set_output (&self.emitter, write_cb, &self);
  yaml_emitter_set_unicode (&self.emitter, 1);
  yaml_emitter_set_indent (&self.emitter, 2);
  /* -1 means "never fold": a long command line stays on one line. */
  yaml_emitter_set_width (&self.emitter, -1);
  yaml_emitter_set_break (&self.emitter, YAML_LN_BREAK);

  yaml_stream_start_event_initialize (&event, YAML_UTF8_ENCODING);
  if (emit (&self, &event))
    {
      yaml_document_start_event_initialize (&event, NULL, NULL, NULL, 1);
      if (emit (&self, &event) && emit_node (&self, root, NULL))
        {
          yaml_document_end_event_initialize (&event, 1);
          if (emit (&self, &event))
            {
              yaml_stream_end_event_initialize (&event);
              emit (&self, &event);
            }
        }
    }

  if (self.error == NULL && !yaml_emitter_flush (&self.emitter))
    self.error = g_error_new (PW_CORE_ERROR, PW_CORE_ERROR_ENCODING, "cannot write YAML");

  yaml_emitter_delete (&self.emitter);

  if (self.error != NULL)
    {
      g_string_free (self.out, TRUE);
      g_propagate_error (error, self.error);
      return NULL;
    }

  if (self.out->len == 0 || self.out->str[self.out->len - 1] != '\n')
    g_string_append_c (self.out, '\n');

  return g_string_free (self.out, FALSE);
}

/* For the edit module ------------------------------------------------------ */

/**
 * _pw_yaml_plain_allowed:
 * @flow: whether the scalar goes in a flow collection (`[a, b]`, `{k: v}`)
 *
 * Returns: whether @value can be written as a plain scalar and be read
 *   back, by every YAML reader, as this same string
 */
gboolean
_pw_yaml_plain_allowed (const char *value,
                        gboolean    flow)
{
  if (!libyaml_block_plain_allowed (value) || plain_is_ambiguous (value))
    return FALSE;

  /* In a flow collection these end or start a node; ": " and " #" are
   * refused above already. */
  if (flow && strpbrk (value, ",[]{}") != NULL)
    return FALSE;

  /* A plain scalar that ends in ':' reads as a key in some contexts. */
  if (value[strlen (value) - 1] == ':')
    return FALSE;

  return TRUE;
}

/**
 * _pw_yaml_cfn_short_tag:
 * @inner: (out): the function's argument
 *
 * Returns: (nullable): the short-form tag (`Ref`, `GetAtt`, `Sub`, …)
 *   @node can be written with, or %NULL when it is no intrinsic or must be
 *   written long
 */
const char *
_pw_yaml_cfn_short_tag (JsonNode  *node,
                        JsonNode **inner)
{
  const CfnFunction *cfn;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  if ((cfn = cfn_short_form (json_node_get_object (node), inner)) == NULL)
    return NULL;

  return cfn->tag;
}

/**
 * _pw_yaml_is_getatt_pair:
 *
 * Returns: whether @node, the argument of `Fn::GetAtt`, can be written
 *   `!GetAtt a.b`
 */
gboolean
_pw_yaml_is_getatt_pair (JsonNode *node)
{
  return is_getatt_pair (node);
}

/**
 * _pw_yaml_format_double:
 *
 * Writes @value as the YAML emitter does: the shortest text that reads back
 * as the same double, and as a float.
 */
void
_pw_yaml_format_double (double  value,
                        char   *buffer,
                        gsize   size)
{
  format_double (value, buffer, size);
}

/* Comments ---------------------------------------------------------------- */

typedef struct
{
  gsize start_line, start_column, end_line, end_column;
} Span;

static gboolean
before (gsize line_a, gsize column_a, gsize line_b, gsize column_b)
{
  return line_a < line_b || (line_a == line_b && column_a < column_b);
}

/**
 * pw_yaml_find_comment:
 * @line: (out) (optional): the comment's line, from 1
 *
 * Whether @data (YAML) holds a comment: a `#` outside every token the
 * YAML scanner reads (so not one inside a string or a block scalar).
 *
 * Returns: %TRUE when it does; %FALSE too for text that is not YAML
 */
gboolean
pw_yaml_find_comment (const char *data,
                      gssize      length,
                      guint      *line)
{
  yaml_parser_t parser;
  g_autoptr(GArray) spans = g_array_new (FALSE, FALSE, sizeof (Span));
  gboolean done = FALSE, ok = TRUE;
  gsize l = 0, c = 0, next = 0;
  const char *p, *end;
  gunichar previous = '\n';

  if (length < 0)
    length = strlen (data);
  if (!yaml_parser_initialize (&parser))
    return FALSE;
  yaml_parser_set_input_string (&parser, (const unsigned char *)data, length);
  while (!done)
    {
      yaml_token_t token;

      if (!yaml_parser_scan (&parser, &token))
        {
          ok = FALSE;
          break;
        }
      done = token.type == YAML_STREAM_END_TOKEN;
      if (token.start_mark.index != token.end_mark.index)
        {
          Span span = { token.start_mark.line, token.start_mark.column,
                        token.end_mark.line, token.end_mark.column };

          g_array_append_val (spans, span);
        }
      yaml_token_delete (&token);
    }
  yaml_parser_delete (&parser);
  if (!ok)
    return FALSE;

  /* Walk the text in the scanner's units (characters, its line breaks),
   * skipping what the tokens cover. */
  for (p = data, end = data + length; p < end; p = g_utf8_next_char (p))
    {
      gunichar ch = g_utf8_get_char_validated (p, end - p);

      while (next < spans->len &&
             !before (l, c, g_array_index (spans, Span, next).end_line,
                      g_array_index (spans, Span, next).end_column))
        next++;
      if (ch == '#' && g_unichar_isspace (previous) &&
          (next >= spans->len ||
           before (l, c, g_array_index (spans, Span, next).start_line,
                   g_array_index (spans, Span, next).start_column)))
        {
          if (line != NULL)
            *line = (guint)l + 1;
          return TRUE;
        }

      if (ch == '\r' && p + 1 < end && p[1] == '\n')
        continue;   /* one break, counted at the \n */
      if (ch == '\n' || ch == '\r')
        {
          l++;
          c = 0;
        }
      else
        c++;
      previous = ch == (gunichar)-1 || ch == (gunichar)-2 ? 'x' : ch;
    }
  return FALSE;
}
