/* pw-edit.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/*
 * The format-preserving edit module.
 *
 * The document's text is the single truth (DESIGN.md §6): every edit, from
 * the canvas, the inspector, the code view or `pipewright-cli edit`, is a
 * minimal replacement of bytes of the text, computed from where each node
 * sits in it (the readers record every value's byte span in the source
 * map), after which the document is read again from the new text. Text
 * outside the replaced bytes stays as it was: comments, key order, quoting,
 * blank lines, anchors, flow or block style, and in a template every other
 * resource.
 *
 * An edit step goes like this:
 *
 * 1. The path (the model path of the diagnostics, `stages[1].actions[0]
 *    .configuration.ProjectName`, camelCase even in templates) is resolved
 *    on the document's tree into a Route: the nodes from the document's
 *    root down to the target, with the keys as the text spells them
 *    (PascalCase in a template, ArtifactStores as a list there).
 * 2. The operation adds Edits (byte ranges of the current text and their
 *    new text) to a transaction, and makes the same change to an expected
 *    tree: a copy of the document's tree that shares every node the
 *    operation does not touch.
 * 3. The edits are applied, the new text is read again, and the new tree
 *    must equal the expected one. If the text does not parse, or reads back
 *    as anything else (a value that would read as a number, an anchor an
 *    alias still needs), nothing changes and the error says why.
 *
 * Reading the text again is the costly part (tens of milliseconds for the
 * largest pipelines), so only the collections the edits change are read
 * again, each on its own, and spliced into a tree that shares the rest with
 * the old one; the source map's positions are shifted past them
 * (reread_parts()). A text with YAML anchors, aliases or merge keys is read
 * whole, as they tie its parts together.
 *
 * Text is written in the style of its surroundings: indentation of sibling
 * keys and dashes, the file's indentation unit, whether the file indents
 * `- ` under its key, flow where the parent is flow, a sibling's flow or
 * one-line layout for the same keys, JSON with the file's indentation and
 * `": "` spacing, short-form tags in CloudFormation YAML.
 *
 * Paths through a YAML alias, a member a merge key brings in, or a
 * CloudFormation intrinsic are refused, saying where to edit instead: the
 * value is shared, or decided by the stack. Setting a merged member itself
 * overrides it with an explicit key; editing an anchored value changes its
 * aliases too, as the file says.
 */

#define G_LOG_DOMAIN "pw-edit"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pw-core-private.h"

/* Paths --------------------------------------------------------------------- */

typedef struct
{
  char *key;      /* NULL for an index */
  guint index;
} Segment;

static void
segment_clear (gpointer data)
{
  Segment *segment = data;

  g_clear_pointer (&segment->key, g_free);
}

static GArray *
segments_new (void)
{
  GArray *segments = g_array_new (FALSE, TRUE, sizeof (Segment));

  g_array_set_clear_func (segments, segment_clear);
  return segments;
}

static void
segments_add_key (GArray     *segments,
                  const char *key)
{
  Segment segment = { g_strdup (key), 0 };

  g_array_append_val (segments, segment);
}

static void
segments_add_index (GArray *segments,
                    guint   index)
{
  Segment segment = { NULL, index };

  g_array_append_val (segments, segment);
}

/* The model path syntax of the diagnostics: `stages[1].actions[0].name`,
 * `artifactStores.us-east-1.location`; a key that holds a '.' or '[' is
 * written `["a.b"]`. "" is the pipeline declaration itself. */
static GArray *
parse_path (const char  *path,
            GError     **error)
{
  g_autoptr(GArray) segments = segments_new ();
  const char *p = path;

  if (path == NULL)
    path = p = "";

  while (*p != '\0')
    {
      if (*p == '[')
        {
          const char *q = p + 1;

          if (*q == '"')
            {
              g_autoptr(GString) key = g_string_new (NULL);

              for (q++; *q != '\0' && *q != '"'; q++)
                {
                  if (*q == '\\' && q[1] != '\0')
                    q++;
                  g_string_append_c (key, *q);
                }
              if (q[0] != '"' || q[1] != ']' || key->len == 0)
                goto bad;
              segments_add_key (segments, key->str);
              p = q + 2;
            }
          else
            {
              guint64 index = 0;
              const char *start = q;

              while (g_ascii_isdigit (*q))
                {
                  index = index * 10 + (guint)(*q - '0');
                  if (index > G_MAXINT)
                    goto bad;
                  q++;
                }
              if (q == start || *q != ']')
                goto bad;
              segments_add_index (segments, (guint)index);
              p = q + 1;
            }
        }
      else
        {
          const char *end = p;
          g_autofree char *key = NULL;

          while (*end != '\0' && *end != '.' && *end != '[')
            end++;
          if (end == p)
            goto bad;
          key = g_strndup (p, end - p);
          segments_add_key (segments, key);
          p = end;
        }

      if (*p == '.')
        {
          p++;
          if (*p == '\0' || *p == '[' || *p == '.')
            goto bad;
        }
      else if (*p != '\0' && *p != '[')
        goto bad;
    }

  return g_steal_pointer (&segments);

bad:
  g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_INVALID,
               _("'%s' is not a model path; write it as in the diagnostics, e.g. "
                 "'stages[1].actions[0].configuration.ProjectName'"), path);
  return NULL;
}

/* Appends one segment to a model path, as the diagnostics write it. */
static void
path_append (GString       *path,
             const Segment *segment)
{
  if (segment->key == NULL)
    g_string_append_printf (path, "[%u]", segment->index);
  else if (strpbrk (segment->key, ".[]\"") != NULL)
    {
      g_string_append (path, "[\"");
      for (const char *p = segment->key; *p != '\0'; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (path, '\\');
          g_string_append_c (path, *p);
        }
      g_string_append (path, "\"]");
    }
  else
    {
      if (path->len > 0)
        g_string_append_c (path, '.');
      g_string_append (path, segment->key);
    }
}

static char *
path_to_string (GArray *segments,
                guint   n)
{
  GString *path = g_string_new (NULL);

  for (guint i = 0; i < n && i < segments->len; i++)
    path_append (path, &g_array_index (segments, Segment, i));

  return g_string_free (path, FALSE);
}

/* Text ---------------------------------------------------------------------- */

static inline gsize
line_start (const char *text,
            gsize       offset)
{
  while (offset > 0 && text[offset - 1] != '\n')
    offset--;

  return offset;
}

/* The offset of the line break that ends the line of @offset, or @length. */
static inline gsize
line_end (const char *text,
          gsize       length,
          gsize       offset)
{
  const char *nl = offset < length ? memchr (text + offset, '\n', length - offset) : NULL;

  return nl != NULL ? (gsize)(nl - text) : length;
}

/* The start of the line after the one of @offset, or @length. */
static inline gsize
next_line (const char *text,
           gsize       length,
           gsize       offset)
{
  gsize end = line_end (text, length, offset);

  return end < length ? end + 1 : length;
}

/* Whether only blanks come before @offset on its line. */
static gboolean
starts_line (const char *text,
             gsize       offset)
{
  for (gsize i = line_start (text, offset); i < offset; i++)
    if (text[i] != ' ' && text[i] != '\t')
      return FALSE;

  return TRUE;
}

/* Bytes from the start of the line; indentation is spaces, so bytes are
 * columns where it matters. */
static inline guint
column_of (const char *text,
           gsize       offset)
{
  return (guint)(offset - line_start (text, offset));
}

static guint
indentation_of (const char *text,
                gsize       length,
                gsize       offset)
{
  gsize start = line_start (text, offset);
  gsize i = start;

  while (i < length && text[i] == ' ')
    i++;

  return (guint)(i - start);
}

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* @end moved back over blanks and line breaks, not before @start. */
static gsize
trim_back (const char *text,
           gsize       start,
           gsize       end)
{
  while (end > start && is_space (text[end - 1]))
    end--;

  return end;
}

static gsize
skip_blanks (const char *text,
             gsize       length,
             gsize       offset)
{
  while (offset < length && (text[offset] == ' ' || text[offset] == '\t'))
    offset++;

  return offset;
}

static gboolean
is_comment_line (const char *text,
                 gsize       length,
                 gsize       start)
{
  gsize i = skip_blanks (text, length, start);

  return i < length && text[i] == '#';
}

/* Comment lines directly above the line starting at @start belong to what
 * that line holds: the start of the first of them. */
static gsize
comments_above (const char *text,
                gsize       length,
                gsize       start)
{
  while (start > 0)
    {
      gsize previous = line_start (text, start - 1);

      if (!is_comment_line (text, length, previous))
        break;
      start = previous;
    }

  return start;
}

static void
append_spaces (GString *out,
               guint    n)
{
  for (guint i = 0; i < n; i++)
    g_string_append_c (out, ' ');
}

/* Skips a YAML anchor (`&name`) and tags (`!Ref`, `!!str`) before a node's
 * content, with the blanks after them. */
static gsize
skip_properties (const char *text,
                 gsize       length,
                 gsize       offset)
{
  while (offset < length && (text[offset] == '&' || text[offset] == '!'))
    {
      while (offset < length && !is_space (text[offset]))
        offset++;
      while (offset < length && is_space (text[offset]))
        offset++;
    }

  return offset;
}

/* The anchor (`&name`) a YAML node starts with, or NULL. */
static char *
dup_anchor (const char *text,
            gsize       length,
            gsize       offset)
{
  gsize end;

  while (offset < length && text[offset] == '!')
    {
      while (offset < length && !is_space (text[offset]))
        offset++;
      offset = skip_blanks (text, length, offset);
    }

  if (offset >= length || text[offset] != '&')
    return NULL;

  for (end = offset; end < length && !is_space (text[end]) && text[end] != ',' &&
                     text[end] != ']' && text[end] != '}'; end++)
    ;

  return g_strndup (text + offset, end - offset);
}

/* Past a quoted scalar starting at @offset ('"' or '\''). */
static gsize
skip_quoted (const char *text,
             gsize       length,
             gsize       offset)
{
  char quote = text[offset];
  gsize i = offset + 1;

  while (i < length)
    {
      if (quote == '"' && text[i] == '\\')
        i += 2;
      else if (text[i] == quote)
        {
          if (quote == '\'' && i + 1 < length && text[i + 1] == '\'')
            i += 2;
          else
            return i + 1;
        }
      else
        i++;
    }

  return length;
}

/* The ':' after a mapping key that starts at @offset. */
static gsize
key_colon (const char *text,
           gsize       length,
           gsize       offset)
{
  gsize i = offset;

  if (i < length && (text[i] == '"' || text[i] == '\''))
    i = skip_quoted (text, length, i);
  else
    {
      while (i < length)
        {
          if (text[i] == ':' &&
              (i + 1 >= length || is_space (text[i + 1]) || strchr (",[]{}\"", text[i + 1]) != NULL))
            return i;
          if (text[i] == '\n')
            return i;
          i++;
        }
      return i;
    }

  while (i < length && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
    i++;

  return i;
}

/* Back from a block sequence element's content to its '-'. */
static gsize
dash_before (const char *text,
             gsize       offset)
{
  gsize i = offset;

  while (i > 0 && is_space (text[i - 1]))
    i--;
  if (i > 0 && text[i - 1] == '-')
    return i - 1;

  return offset;
}

/* The document, as the edit module sees it ----------------------------------- */

typedef struct
{
  guint    unit;          /* spaces per level of nesting */
  gboolean indent_seq;    /* YAML: `- ` indented under its key */
  char    *colon;         /* JSON: between a key and its value */
  gboolean compact;       /* JSON: the file is on one line */
  gboolean inline_small;  /* JSON: `{"name": "Src"}` on one line, not over three */
  const char *gap;        /* after a comma, between items on one line: " " or "" */
  gboolean gap_known;
  const char *eol;        /* "\n" or "\r\n" */
} Style;

typedef struct
{
  PwDocument  *document;
  PwSourceMap *map;
  const char  *text;
  gsize        length;
  gboolean     json;
  gboolean     cfn;
  JsonNode    *root;
  char        *logical_id;     /* CFN: the pipeline resource */
  Style        style;
} View;

static void
view_clear (View *v)
{
  g_clear_object (&v->document);
  g_clear_pointer (&v->logical_id, g_free);
  g_clear_pointer (&v->style.colon, g_free);
}

typedef struct
{
  gsize    start;          /* the value's span */
  gsize    end;
  gsize    content_end;    /* end, less trailing line breaks and blanks */
  guint    flags;
  gsize    link;
  gboolean has_key;
  gsize    key_start;
} Span;

static gboolean
span_of (View     *v,
         JsonNode *node,
         Span     *span)
{
  PwSourceSpan s;

  memset (span, 0, sizeof *span);
  if (node == NULL || !pw_source_map_lookup_span (v->map, node, &s) ||
      s.end > v->length || s.start > s.end)
    return FALSE;

  span->start = s.start;
  span->end = s.end;
  span->flags = s.flags;
  span->link = s.link;
  span->content_end = MAX (trim_back (v->text, s.start, s.end), s.start);
  span->has_key = pw_source_map_lookup_key_offset (v->map, node, &span->key_start);

  return TRUE;
}

/* Where a member or element begins: its key, or its '-' in a block list. */
static gsize
item_first (View       *v,
            const Span *span,
            gboolean    block_element)
{
  if (span->has_key)
    return span->key_start;
  if (block_element)
    return dash_before (v->text, span->start);

  return span->start;
}

typedef enum
{
  CONTAINER_BLOCK,
  CONTAINER_FLOW,     /* YAML flow: `{a: b}`, `[x, y]` */
  CONTAINER_JSON,
} ContainerStyle;

static ContainerStyle
container_style (View     *v,
                 JsonNode *node)
{
  Span span;
  gsize content;

  if (v->json)
    return CONTAINER_JSON;

  if (!span_of (v, node, &span))
    return CONTAINER_BLOCK;

  content = skip_properties (v->text, v->length, span.start);
  if (content < v->length && (v->text[content] == '{' || v->text[content] == '['))
    return CONTAINER_FLOW;

  return CONTAINER_BLOCK;
}

static gboolean
is_container (JsonNode *node)
{
  return node != NULL && (JSON_NODE_HOLDS_OBJECT (node) || JSON_NODE_HOLDS_ARRAY (node));
}

static guint
container_size (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    return json_object_get_size (json_node_get_object (node));
  if (JSON_NODE_HOLDS_ARRAY (node))
    return json_array_get_length (json_node_get_array (node));

  return 0;
}

/* Finds the file's indentation unit and habits from its own text, so new
 * text looks like the old. Looks at the first few block collections only. */
static void
detect_yaml_style (View     *v,
                   JsonNode *node,
                   gboolean *found_unit,
                   gboolean *found_seq,
                   guint     depth)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *child;

  if ((*found_unit && *found_seq) || depth > 12 || node == NULL)
    return;

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array) && i < 4; i++)
        detect_yaml_style (v, json_array_get_element (array, i), found_unit, found_seq, depth + 1);
      return;
    }

  if (!JSON_NODE_HOLDS_OBJECT (node) || container_style (v, node) != CONTAINER_BLOCK)
    return;

  json_object_iter_init_ordered (&iter, json_node_get_object (node));
  while (json_object_iter_next_ordered (&iter, &name, &child))
    {
      Span key_span, child_span;

      if (!span_of (v, child, &key_span) || !key_span.has_key ||
          (key_span.flags & (PW_SOURCE_SPAN_MERGED | PW_SOURCE_SPAN_ALIAS)) != 0 ||
          !starts_line (v->text, key_span.key_start))
        continue;

      if (JSON_NODE_HOLDS_OBJECT (child) && !*found_unit && container_size (child) > 0 &&
          container_style (v, child) == CONTAINER_BLOCK)
        {
          JsonObjectIter inner;
          const char *inner_name;
          JsonNode *grandchild;

          json_object_iter_init_ordered (&inner, json_node_get_object (child));
          if (json_object_iter_next_ordered (&inner, &inner_name, &grandchild) &&
              span_of (v, grandchild, &child_span) && child_span.has_key &&
              starts_line (v->text, child_span.key_start) &&
              column_of (v->text, child_span.key_start) > column_of (v->text, key_span.key_start))
            {
              v->style.unit = column_of (v->text, child_span.key_start) -
                              column_of (v->text, key_span.key_start);
              *found_unit = TRUE;
            }
        }
      else if (JSON_NODE_HOLDS_ARRAY (child) && !*found_seq && container_size (child) > 0 &&
               container_style (v, child) == CONTAINER_BLOCK &&
               span_of (v, json_array_get_element (json_node_get_array (child), 0), &child_span))
        {
          gsize dash = dash_before (v->text, child_span.start);

          if (v->text[dash] == '-' && starts_line (v->text, dash))
            {
              v->style.indent_seq = column_of (v->text, dash) > column_of (v->text, key_span.key_start);
              *found_seq = TRUE;
            }
        }

      detect_yaml_style (v, child, found_unit, found_seq, depth + 1);
      if (*found_unit && *found_seq)
        return;
    }
}

static gboolean
detect_json_style (View     *v,
                   JsonNode *node,
                   guint     depth)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *child;
  Span span, child_span;
  gsize previous_end = 0;

  if (depth > 12 || node == NULL || !is_container (node) || !span_of (v, node, &span))
    return FALSE;

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array) && i < 4; i++)
        if (detect_json_style (v, json_array_get_element (array, i), depth + 1))
          return TRUE;
      return FALSE;
    }

  json_object_iter_init_ordered (&iter, json_node_get_object (node));
  while (json_object_iter_next_ordered (&iter, &name, &child))
    {
      gsize key_end;

      if (!span_of (v, child, &child_span) || !child_span.has_key)
        continue;

      /* Two members on one line: is there a blank after the comma? */
      if (previous_end > 0 && previous_end < child_span.key_start && !v->style.gap_known &&
          memchr (v->text + previous_end, '\n', child_span.key_start - previous_end) == NULL)
        {
          v->style.gap = v->text[child_span.key_start - 1] == ' ' ? " " : "";
          v->style.gap_known = TRUE;
        }
      previous_end = child_span.end;

      if (v->style.colon == NULL)
        {
          key_end = skip_quoted (v->text, v->length, child_span.key_start);
          if (key_end <= child_span.start)
            v->style.colon = g_strndup (v->text + key_end, child_span.start - key_end);
        }

      if (starts_line (v->text, child_span.key_start))
        {
          guint inner = column_of (v->text, child_span.key_start);
          guint outer = indentation_of (v->text, v->length, span.start);

          if (inner > outer)
            {
              v->style.unit = inner - outer;
              return TRUE;
            }
        }

      if (detect_json_style (v, child, depth + 1))
        return TRUE;
    }

  return FALSE;
}

/* Does the file write small collections of scalars on one line, as
 * `{"name": "Src"}`? The first few of them vote. */
static void
detect_json_inline (View     *v,
                    JsonNode *node,
                    guint    *one_line,
                    guint    *several)
{
  gboolean scalars = TRUE;
  Span span;

  if (node == NULL || !is_container (node) || *one_line + *several >= 32)
    return;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &child))
        if (is_container (child))
          {
            scalars = FALSE;
            detect_json_inline (v, child, one_line, several);
          }
    }
  else
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        if (is_container (json_array_get_element (array, i)))
          {
            scalars = FALSE;
            detect_json_inline (v, json_array_get_element (array, i), one_line, several);
          }
    }

  if (scalars && container_size (node) > 0 && span_of (v, node, &span))
    {
      if (memchr (v->text + span.start, '\n', span.content_end - span.start) == NULL)
        (*one_line)++;
      else
        (*several)++;
    }
}

static void
detect_style (View *v)
{
  const char *nl = memchr (v->text, '\n', v->length);

  v->style.unit = 2;
  v->style.indent_seq = TRUE;
  v->style.gap = " ";
  v->style.eol = nl != NULL && nl > v->text && nl[-1] == '\r' ? "\r\n" : "\n";

  if (v->json)
    {
      guint one_line = 0, several = 0;

      v->style.compact = nl == NULL || (gsize)(nl - v->text) + 1 >= v->length;
      detect_json_inline (v, v->root, &one_line, &several);
      v->style.inline_small = one_line > several;
      if (!detect_json_style (v, v->root, 0) && v->style.compact)
        v->style.unit = 0;
      if (v->style.colon == NULL || strchr (v->style.colon, '\n') != NULL ||
          strchr (v->style.colon, ':') == NULL)
        {
          g_free (v->style.colon);
          v->style.colon = g_strdup (v->style.compact ? ":" : ": ");
        }
    }
  else
    {
      gboolean found_unit = FALSE, found_seq = FALSE;

      detect_yaml_style (v, v->root, &found_unit, &found_seq, 0);
      if (v->style.unit == 0 || v->style.unit > 8)
        v->style.unit = 2;
    }
}

static gboolean
view_init (View        *v,
           PwDocument  *document,
           const char  *logical_id,
           GError     **error)
{
  GBytes *bytes;

  memset (v, 0, sizeof *v);
  v->document = g_object_ref (document);
  v->map = pw_document_get_source_map (document);
  v->root = pw_document_get_root (document);
  v->json = pw_document_get_syntax (document) == PW_SYNTAX_JSON;
  v->cfn = pw_document_get_kind (document) == PW_DOCUMENT_CFN_TEMPLATE;

  bytes = pw_source_map_get_text (v->map);
  if (bytes == NULL)
    {
      g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_INVALID,
                   _("%s: the document has no text to edit"),
                   pw_source_map_get_filename (v->map));
      return FALSE;
    }
  v->text = g_bytes_get_data (bytes, &v->length);
  if (v->text == NULL)
    v->text = "";

  if (v->cfn)
    {
      g_auto(GStrv) ids = pw_document_dup_pipeline_ids (document);

      if (logical_id == NULL)
        {
          if (ids[0] == NULL)
            {
              g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_NOT_FOUND,
                           _("%s: the template has no AWS::CodePipeline::Pipeline resource to edit"),
                           pw_source_map_get_filename (v->map));
              return FALSE;
            }
          logical_id = ids[0];
        }
      else if (!g_strv_contains ((const char * const *)ids, logical_id))
        {
          g_autofree char *list = g_strjoinv (", ", ids);

          g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_NOT_FOUND,
                       _("%s: no pipeline resource '%s' in the template; its pipelines are: %s"),
                       pw_source_map_get_filename (v->map), logical_id,
                       ids[0] != NULL ? list : _("none"));
          return FALSE;
        }
      v->logical_id = g_strdup (logical_id);
    }
  else
    {
      JsonNode *declaration;

      if (logical_id != NULL)
        {
          g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_NOT_FOUND,
                       _("%s: a logical id only applies to CloudFormation templates"),
                       pw_source_map_get_filename (v->map));
          return FALSE;
        }

      declaration = json_object_get_member (json_node_get_object (v->root), "pipeline");
      if (declaration == NULL || !JSON_NODE_HOLDS_OBJECT (declaration))
        {
          g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_SHAPE,
                       _("%s: 'pipeline' is not a mapping of the pipeline's fields, so there "
                         "is nothing to edit"),
                       pw_source_map_get_filename (v->map));
          return FALSE;
        }
    }

  detect_style (v);

  return TRUE;
}

/* Routes: a model path resolved on the document's tree ----------------------- */

typedef struct
{
  JsonNode *parent;      /* the container; NULL for the document's root */
  char     *key;         /* the key as the text spells it; NULL for an element */
  guint     index;       /* an element's index */
  JsonNode *node;        /* NULL when missing */
  char     *api_key;     /* the key as the model path spells it */
  gboolean  convert;     /* CFN: the keys of this node's members are PascalCase */
  gboolean  region;      /* CFN: an ArtifactStores item, picked by its Region */
  guint     n_segments;  /* path segments this hop and those before stand for */
} Hop;

typedef struct
{
  GArray *hops;          /* Hop; hops[0] is the document's root */
  GArray *segments;      /* the model path */
  guint   declaration;   /* the hop of the pipeline declaration */
  guint   n_found;       /* hops that exist: [0, n_found) */
} Route;

static void
hop_clear (gpointer data)
{
  Hop *hop = data;

  g_clear_pointer (&hop->key, g_free);
  g_clear_pointer (&hop->api_key, g_free);
}

static void
route_clear (Route *route)
{
  g_clear_pointer (&route->hops, g_array_unref);
  g_clear_pointer (&route->segments, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Route, route_clear)

static Hop *
route_hop (Route *route,
           guint  i)
{
  return &g_array_index (route->hops, Hop, i);
}

static Hop *
route_last (Route *route)
{
  return route_hop (route, route->hops->len - 1);
}

static Hop *
route_add (Route      *route,
           JsonNode   *parent,
           const char *key,
           guint       index,
           JsonNode   *node,
           const char *api_key,
           gboolean    convert,
           guint       n_segments)
{
  Hop hop = { 0 };

  hop.parent = parent;
  hop.key = g_strdup (key);
  hop.index = index;
  hop.node = node;
  hop.api_key = g_strdup (api_key);
  hop.convert = convert;
  hop.n_segments = n_segments;
  g_array_append_val (route->hops, hop);

  if (node != NULL && route->n_found == route->hops->len - 1)
    route->n_found = route->hops->len;

  return route_last (route);
}

/* The model path down to (and including) hop @i, for messages. */
static char *
route_path (Route *route,
            guint  i)
{
  g_autofree char *path = path_to_string (route->segments, route_hop (route, i)->n_segments);

  if (path[0] == '\0')
    return g_strdup (_("the pipeline"));

  return g_steal_pointer (&path);
}

static guint
line_of (View  *v,
         gsize  offset)
{
  guint line = 0;

  pw_source_map_offset_to_position (v->map, offset, &line, NULL);
  return line;
}

static const char *
string_member (JsonNode   *node,
               const char *key)
{
  JsonNode *member;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node) ||
      (member = json_object_get_member (json_node_get_object (node), key)) == NULL ||
      json_node_get_value_type (member) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (member);
}

/* "the pipeline has 3 stages", "stage 'Build' has 2 actions" */
static char *
describe_count (Route *route,
                guint  i)
{
  Hop *hop = route_hop (route, i);
  guint n = container_size (hop->node);
  g_autofree char *path = route_path (route, i);

  if (g_strcmp0 (hop->api_key, "stages") == 0 && i == route->declaration + 1)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "the pipeline has %u stage",
                                         "the pipeline has %u stages", n), n);

  if (g_strcmp0 (hop->api_key, "actions") == 0 && i >= 1)
    {
      const char *name = string_member (hop->parent, "name");

      if (name == NULL)
        name = string_member (hop->parent, "Name");
      if (name != NULL)
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "stage '%s' has %u action",
                                             "stage '%s' has %u actions", n), name, n);
    }

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "'%s' has %u item",
                                       "'%s' has %u items", n), path, n);
}

typedef enum
{
  RESOLVE_EXISTING      = 0,
  RESOLVE_MISSING_KEYS  = 1 << 0,   /* missing members at the end are fine (set creates them) */
} ResolveFlags;

static gboolean
refuse_intrinsic (View      *v,
                  Route     *route,
                  guint      i,
                  GError   **error)
{
  Hop *hop = route_hop (route, i);
  g_autofree char *path = route_path (route, i);
  g_autofree char *full = path_to_string (route->segments, route->segments->len);
  JsonObjectIter iter;
  const char *function = "?";
  Span span;

  json_object_iter_init_ordered (&iter, json_node_get_object (hop->node));
  json_object_iter_next_ordered (&iter, &function, NULL);
  span_of (v, hop->node, &span);

  g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_REFUSED,
               _("%s is the CloudFormation intrinsic %s (line %u), so %s is decided when the "
                 "stack is deployed and cannot be edited here; set %s as a whole, or edit the "
                 "intrinsic in the template's text"),
               path, function, line_of (v, span.start), full, path);
  return FALSE;
}

static gboolean
resolve (View          *v,
         const char    *path,
         ResolveFlags   flags,
         Route         *route,
         GError       **error)
{
  JsonNode *node;
  guint first = 0;

  memset (route, 0, sizeof *route);
  route->hops = g_array_new (FALSE, TRUE, sizeof (Hop));
  g_array_set_clear_func (route->hops, hop_clear);

  if ((route->segments = parse_path (path, error)) == NULL)
    return FALSE;

  route_add (route, NULL, NULL, 0, v->root, NULL, FALSE, 0);

  if (v->cfn)
    {
      JsonNode *resources = json_object_get_member (json_node_get_object (v->root), "Resources");
      JsonNode *resource = json_object_get_member (json_node_get_object (resources), v->logical_id);

      route_add (route, v->root, "Resources", 0, resources, NULL, FALSE, 0);
      route_add (route, resources, v->logical_id, 0, resource, NULL, FALSE, 0);
      route_add (route, resource, "Properties", 0,
                 json_object_get_member (json_node_get_object (resource), "Properties"),
                 NULL, TRUE, 0);
      route->declaration = 3;
    }
  else if (route->segments->len > 0 &&
           g_strcmp0 (g_array_index (route->segments, Segment, 0).key, "tags") == 0)
    {
      /* Tags sit beside `pipeline:` in a pipeline file. */
      route->declaration = 0;
    }
  else
    {
      route_add (route, v->root, "pipeline", 0,
                 json_object_get_member (json_node_get_object (v->root), "pipeline"),
                 "pipeline", FALSE, 0);
      route->declaration = 1;
    }

  for (guint s = first; s < route->segments->len; s++)
    {
      const Segment *segment = &g_array_index (route->segments, Segment, s);
      Hop *current = route_last (route);
      guint at = route->hops->len - 1;
      gboolean convert = current->convert;

      node = current->node;

      if (node == NULL)
        {
          g_autofree char *missing = route_path (route, at);
          g_autofree char *full = path_to_string (route->segments, route->segments->len);

          if ((flags & RESOLVE_MISSING_KEYS) == 0 || segment->key == NULL || current->region)
            {
              g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_NOT_FOUND,
                           _("%s does not exist: there is no %s"), full, missing);
              return FALSE;
            }

          {
            g_autofree char *raw = convert ? _pw_cfn_key_from_api (segment->key) : NULL;

            route_add (route, NULL, raw != NULL ? raw : segment->key, 0, NULL, segment->key,
                       convert && raw != NULL && !g_str_equal (segment->key, "configuration"),
                       s + 1);
          }
          continue;
        }

      if (v->cfn && JSON_NODE_HOLDS_OBJECT (node) && pw_cfn_is_intrinsic (node))
        return refuse_intrinsic (v, route, at, error);

      if (segment->key != NULL)
        {
          g_autofree char *raw = NULL;

          /* CloudFormation lists ArtifactStores as {Region, ArtifactStore}
           * items where the API maps region → store. */
          if (v->cfn && convert && g_strcmp0 (current->api_key, "artifactStores") == 0 &&
              JSON_NODE_HOLDS_ARRAY (node))
            {
              JsonArray *array = json_node_get_array (node);
              JsonNode *item = NULL;
              guint i;

              for (i = 0; i < json_array_get_length (array); i++)
                {
                  item = json_array_get_element (array, i);
                  if (g_strcmp0 (string_member (item, "Region"), segment->key) == 0)
                    break;
                  item = NULL;
                }

              route_add (route, node, NULL, i, item, segment->key, TRUE, s + 1)->region = TRUE;
              if (item != NULL)
                route_add (route, item, "ArtifactStore", 0,
                           json_object_get_member (json_node_get_object (item), "ArtifactStore"),
                           NULL, TRUE, s + 1);
              else if ((flags & RESOLVE_MISSING_KEYS) == 0 || s + 1 < route->segments->len)
                {
                  g_autofree char *full = path_to_string (route->segments, s + 1);

                  g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_NOT_FOUND,
                               _("%s does not exist: ArtifactStores has no item for region '%s'"),
                               full, segment->key);
                  return FALSE;
                }
              continue;
            }

          /* `configuration:` with nothing after it: set fills it in. */
          if (JSON_NODE_HOLDS_NULL (node) && (flags & RESOLVE_MISSING_KEYS) != 0)
            {
              g_autofree char *raw_key = convert ? _pw_cfn_key_from_api (segment->key) : NULL;

              route_add (route, node, raw_key != NULL ? raw_key : segment->key, 0, NULL, segment->key,
                         convert && raw_key != NULL && !g_str_equal (segment->key, "configuration"),
                         s + 1);
              continue;
            }

          if (!JSON_NODE_HOLDS_OBJECT (node))
            {
              g_autofree char *where = route_path (route, at);

              g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_INVALID,
                           _("%s is %s, not a mapping, so it has no '%s'"),
                           where, _pw_json_type_name (node), segment->key);
              return FALSE;
            }

          raw = convert ? _pw_cfn_key_from_api (segment->key) : NULL;
          route_add (route, node, raw != NULL ? raw : segment->key, 0,
                     json_object_get_member (json_node_get_object (node),
                                             raw != NULL ? raw : segment->key),
                     segment->key,
                     convert && raw != NULL && !g_str_equal (segment->key, "configuration"),
                     s + 1);

          if (route_last (route)->node == NULL && (flags & RESOLVE_MISSING_KEYS) == 0)
            {
              g_autofree char *full = path_to_string (route->segments, s + 1);
              g_autofree char *where = route_path (route, at);

              g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_NOT_FOUND,
                           _("%s does not exist: %s has no '%s'"), full, where, segment->key);
              return FALSE;
            }
        }
      else
        {
          if (!JSON_NODE_HOLDS_ARRAY (node))
            {
              g_autofree char *where = route_path (route, at);

              g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_INVALID,
                           _("%s is %s, not a list, so it has no item [%u]"),
                           where, _pw_json_type_name (node), segment->index);
              return FALSE;
            }

          if (segment->index >= json_array_get_length (json_node_get_array (node)))
            {
              g_autofree char *full = path_to_string (route->segments, s + 1);
              g_autofree char *count = describe_count (route, at);

              g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_NOT_FOUND,
                           _("%s does not exist: %s"), full, count);
              return FALSE;
            }

          route_add (route, node, NULL, segment->index,
                     json_array_get_element (json_node_get_array (node), segment->index),
                     NULL, convert, s + 1);
        }
    }

  return TRUE;
}

/* Writing new text ------------------------------------------------------------ */

typedef enum
{
  QUOTE_ANY,        /* plain when YAML allows it, else double quotes */
  QUOTE_DOUBLE,
  QUOTE_SINGLE,
  QUOTE_LITERAL,    /* a `|` block for text with line breaks */
} Quote;

typedef struct
{
  View        *v;
  const Style *style;
  gboolean     cfn_tags;     /* YAML: intrinsics in short form */
  gboolean     indent_seq;   /* YAML: `- ` under its key, where the new text goes */
} Writer;

/* Hints: a node of the text written like the new one should be (a sibling
 * of the new element, the value being replaced), whose members and
 * elements hint at how to write the new one's. */
static JsonNode *
hint_member (JsonNode   *hint,
             const char *key)
{
  if (hint == NULL || !JSON_NODE_HOLDS_OBJECT (hint))
    return NULL;

  return json_object_get_member (json_node_get_object (hint), key);
}

static JsonNode *
hint_element (JsonNode *hint,
              guint     i)
{
  JsonArray *array;
  guint n;

  if (hint == NULL || !JSON_NODE_HOLDS_ARRAY (hint))
    return NULL;

  array = json_node_get_array (hint);
  n = json_array_get_length (array);
  return n > 0 ? json_array_get_element (array, MIN (i, n - 1)) : NULL;
}

/* Where the anchor an alias at @alias (`*name`) names is: the last
 * `&name` before it. */
static gsize
anchor_of (View  *v,
           gsize  alias)
{
  gsize end = alias + 1;
  gsize length;

  while (end < v->length && !is_space (v->text[end]) && strchr (",]}", v->text[end]) == NULL)
    end++;
  length = end - alias - 1;

  for (gsize i = alias; i-- > 0;)
    if (v->text[i] == '&' && i + 1 + length <= v->length &&
        memcmp (v->text + i + 1, v->text + alias + 1, length) == 0 &&
        (i + 1 + length == v->length || is_space (v->text[i + 1 + length])))
      return i;

  return alias;
}

/* Whether @hint, a non-empty collection, is written on one line (flow
 * style in YAML); FALSE when it tells nothing. */
static gboolean
hint_says (Writer   *w,
           JsonNode *hint,
           gboolean *one_line)
{
  Span span;

  if (hint == NULL || !is_container (hint) || container_size (hint) == 0 ||
      !span_of (w->v, hint, &span))
    return FALSE;

  if (!w->v->json)
    {
      gsize content = skip_properties (w->v->text, w->v->length, span.start);

      /* An alias is written `*name`: its anchor is what tells. */
      if (content < w->v->length && w->v->text[content] == '*')
        content = skip_properties (w->v->text, w->v->length, anchor_of (w->v, content));

      *one_line = content < w->v->length && (w->v->text[content] == '{' || w->v->text[content] == '[');
    }
  else
    *one_line = memchr (w->v->text + span.start, '\n', span.content_end - span.start) == NULL;

  return TRUE;
}

static void
append_double_quoted (GString    *out,
                      const char *s)
{
  g_string_append_c (out, '"');
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      switch (c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case 0x85: g_string_append (out, "\\N"); break;
        case 0x2028: g_string_append (out, "\\L"); break;
        case 0x2029: g_string_append (out, "\\P"); break;
        case 0xFEFF: g_string_append (out, "\\uFEFF"); break;
        default:
          if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0))
            g_string_append_printf (out, "\\x%02X", c);
          else
            g_string_append_len (out, p, g_utf8_next_char (p) - p);
          break;
        }
    }
  g_string_append_c (out, '"');
}

static gboolean
printable (const char *s)
{
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if ((c < 0x20 && c != '\n') || c == 0x7F || (c >= 0x80 && c < 0xA0) ||
          c == 0x2028 || c == 0x2029 || c == 0xFEFF)
        return FALSE;
    }

  return TRUE;
}

/* Can @s be a `|` block and read back the same? Leading blanks would need
 * an indentation indicator, blank-only lines and more than one final line
 * break would need care that a reader may not share: then double quotes. */
static gboolean
literal_ok (const char *s)
{
  g_auto(GStrv) lines = NULL;
  gsize length = strlen (s);

  if (strchr (s, '\n') == NULL || !printable (s) || s[0] == ' ' || s[0] == '\n' ||
      (length >= 2 && s[length - 1] == '\n' && s[length - 2] == '\n'))
    return FALSE;

  lines = g_strsplit (s, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      gboolean blank = TRUE;

      if (lines[i][0] == '\0')
        continue;
      for (const char *p = lines[i]; *p != '\0'; p++)
        if (*p != ' ')
          blank = FALSE;
      if (blank)
        return FALSE;
    }

  return TRUE;
}

static void
append_literal (GString    *out,
                const char *s,
                guint       indent)
{
  gsize length = strlen (s);
  g_auto(GStrv) lines = NULL;
  guint n;

  g_string_append_c (out, '|');
  if (length == 0 || s[length - 1] != '\n')
    g_string_append_c (out, '-');

  lines = g_strsplit (s, "\n", -1);
  n = g_strv_length (lines);
  /* A final line break leaves an empty last piece. */
  if (n > 0 && lines[n - 1][0] == '\0')
    n--;

  for (guint i = 0; i < n; i++)
    {
      g_string_append_c (out, '\n');
      if (lines[i][0] != '\0')
        {
          append_spaces (out, indent);
          g_string_append (out, lines[i]);
        }
    }
}

/* A YAML string in @quote's style where that can hold it, else the style
 * YAML needs. @indent is where the lines of a `|` block go. */
static void
append_yaml_string (GString    *out,
                    const char *s,
                    gboolean    flow,
                    Quote       quote,
                    guint       indent)
{
  switch (quote)
    {
    case QUOTE_DOUBLE:
      append_double_quoted (out, s);
      return;

    case QUOTE_SINGLE:
      if (strchr (s, '\n') == NULL && printable (s))
        {
          g_string_append_c (out, '\'');
          for (const char *p = s; *p != '\0'; p++)
            {
              if (*p == '\'')
                g_string_append_c (out, '\'');
              g_string_append_c (out, *p);
            }
          g_string_append_c (out, '\'');
        }
      else
        append_double_quoted (out, s);
      return;

    case QUOTE_LITERAL:
    case QUOTE_ANY:
    default:
      if (!flow && literal_ok (s) && (quote == QUOTE_LITERAL || strchr (s, '\n') != NULL))
        append_literal (out, s, indent);
      else if (s[0] != '\0' && _pw_yaml_plain_allowed (s, flow))
        g_string_append (out, s);
      else
        append_double_quoted (out, s);
      return;
    }
}

static void
append_yaml_key (GString    *out,
                 const char *key,
                 gboolean    flow)
{
  if (key[0] != '\0' && _pw_yaml_plain_allowed (key, flow) && strchr (key, '\n') == NULL)
    g_string_append (out, key);
  else
    append_double_quoted (out, key);
}

/* null, booleans and numbers, as YAML and JSON both write them. */
static gboolean
append_plain_scalar (GString  *out,
                     JsonNode *node)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE + 8];

  if (JSON_NODE_HOLDS_NULL (node))
    {
      g_string_append (out, "null");
      return TRUE;
    }

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_BOOLEAN:
      g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
      return TRUE;

    case G_TYPE_INT64:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
      return TRUE;

    case G_TYPE_DOUBLE:
      _pw_yaml_format_double (json_node_get_double (node), buffer, sizeof buffer);
      g_string_append (out, buffer);
      return TRUE;

    default:
      return FALSE;
    }
}

static void
append_yaml_scalar (GString  *out,
                    JsonNode *node,
                    gboolean  flow,
                    Quote     quote,
                    guint     indent)
{
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    append_yaml_string (out, json_node_get_string (node), flow, quote, indent);
  else
    append_plain_scalar (out, node);
}

static void write_flow (Writer *w, GString *out, JsonNode *node);

/* Whether an intrinsic can be written `!Tag arg` (a scalar argument, or a
 * flow list of such), and its tag and argument. */
static const char *
short_tag (Writer    *w,
           JsonNode  *node,
           JsonNode **inner)
{
  if (!w->cfn_tags)
    return NULL;

  return _pw_yaml_cfn_short_tag (node, inner);
}

/* Small enough, and simple enough, for one line: scalars and intrinsics
 * with scalar arguments. */
static gboolean
is_simple (JsonNode *node,
           guint     depth)
{
  if (!is_container (node))
    return TRUE;
  if (depth > 2)
    return FALSE;

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        if (!is_simple (json_array_get_element (array, i), depth + 1))
          return FALSE;
      return TRUE;
    }

  if (pw_cfn_is_intrinsic (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *inner;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      if (json_object_iter_next_ordered (&iter, &name, &inner))
        return is_simple (inner, depth + 1);
    }

  return FALSE;
}

static void
write_flow_string_or_tag (Writer   *w,
                          GString  *out,
                          JsonNode *node,
                          gboolean  flow)
{
  JsonNode *inner = NULL;
  const char *tag = short_tag (w, node, &inner);

  g_assert (tag != NULL);

  g_string_append_printf (out, "!%s ", tag);
  if (g_str_equal (tag, "GetAtt") && _pw_yaml_is_getatt_pair (inner))
    {
      JsonArray *pair = json_node_get_array (inner);

      g_string_append (out, json_array_get_string_element (pair, 0));
      g_string_append_c (out, '.');
      g_string_append (out, json_array_get_string_element (pair, 1));
    }
  else if (is_container (inner))
    write_flow (w, out, inner);
  else
    append_yaml_scalar (out, inner, flow, QUOTE_ANY, 0);
}

/* YAML flow: `{a: b, c: [d, e]}` on one line. */
static void
write_flow (Writer   *w,
            GString  *out,
            JsonNode *node)
{
  if (short_tag (w, node, NULL) != NULL)
    {
      write_flow_string_or_tag (w, out, node, TRUE);
      return;
    }

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;
      gboolean first = TRUE;

      g_string_append_c (out, '{');
      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &child))
        {
          if (!first)
            g_string_append (out, ", ");
          first = FALSE;
          append_yaml_key (out, name, TRUE);
          g_string_append (out, ": ");
          write_flow (w, out, child);
        }
      g_string_append_c (out, '}');
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      g_string_append_c (out, '[');
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          if (i > 0)
            g_string_append (out, ", ");
          write_flow (w, out, json_array_get_element (array, i));
        }
      g_string_append_c (out, ']');
    }
  else
    append_yaml_scalar (out, node, TRUE, QUOTE_ANY, 0);
}

/* YAML block: @node as the value of a mapping key or a list dash at column
 * @col. The text starts right after the ':' or '-' (with a space, or a line
 * break before a block collection) and does not end with a line break. */
static void
write_block (Writer   *w,
             GString  *out,
             JsonNode *node,
             guint     col,
             gboolean  after_dash,
             JsonNode *hint)
{
  const Style *style = w->style;
  JsonNode *inner = NULL;
  const char *tag = short_tag (w, node, &inner);
  gboolean one_line;

  /* A sibling written in flow style: so is this. */
  if (tag == NULL && is_container (node) && container_size (node) > 0 &&
      hint_says (w, hint, &one_line) && one_line)
    {
      g_string_append_c (out, ' ');
      write_flow (w, out, node);
      return;
    }

  if (tag != NULL)
    {
      if (!is_container (inner) || is_simple (inner, 0) ||
          (g_str_equal (tag, "GetAtt") && _pw_yaml_is_getatt_pair (inner)))
        {
          g_string_append_c (out, ' ');
          write_flow_string_or_tag (w, out, node, FALSE);
        }
      else if (JSON_NODE_HOLDS_ARRAY (inner))
        {
          JsonArray *array = json_node_get_array (inner);
          guint dash = col + (after_dash ? 2 : (w->indent_seq ? style->unit : 0));

          g_string_append_printf (out, " !%s", tag);
          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              g_string_append_c (out, '\n');
              append_spaces (out, dash);
              g_string_append_c (out, '-');
              write_block (w, out, json_array_get_element (array, i), dash, TRUE, NULL);
            }
        }
      else
        {
          JsonObjectIter iter;
          const char *name;
          JsonNode *child;
          guint key_col = col + (after_dash ? 2 : style->unit);

          g_string_append_printf (out, " !%s", tag);
          json_object_iter_init_ordered (&iter, json_node_get_object (inner));
          while (json_object_iter_next_ordered (&iter, &name, &child))
            {
              g_string_append_c (out, '\n');
              append_spaces (out, key_col);
              append_yaml_key (out, name, FALSE);
              g_string_append_c (out, ':');
              write_block (w, out, child, key_col, FALSE, NULL);
            }
        }
      return;
    }

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;
      gboolean first = TRUE;
      guint key_col = col + (after_dash ? 2 : style->unit);

      if (json_object_get_size (json_node_get_object (node)) == 0)
        {
          g_string_append (out, " {}");
          return;
        }

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &child))
        {
          if (first && after_dash)
            g_string_append_c (out, ' ');
          else
            {
              g_string_append_c (out, '\n');
              append_spaces (out, key_col);
            }
          first = FALSE;
          append_yaml_key (out, name, FALSE);
          g_string_append_c (out, ':');
          write_block (w, out, child, key_col, FALSE, hint_member (hint, name));
        }
      return;
    }

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint dash = after_dash ? col + 2 : col + (w->indent_seq ? style->unit : 0);

      if (json_array_get_length (array) == 0)
        {
          g_string_append (out, " []");
          return;
        }

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          if (i == 0 && after_dash)
            g_string_append_c (out, ' ');
          else
            {
              g_string_append_c (out, '\n');
              append_spaces (out, dash);
            }
          g_string_append_c (out, '-');
          write_block (w, out, json_array_get_element (array, i), dash, TRUE, hint_element (hint, i));
        }
      return;
    }

  g_string_append_c (out, ' ');
  append_yaml_scalar (out, node, FALSE, QUOTE_ANY, col + (after_dash ? 2 : style->unit));
}

static void
append_json_string (GString    *out,
                    const char *s)
{
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *)s; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        default:
          if (*p < 0x20 || *p == 0x7F)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (char)*p);
          break;
        }
    }
  g_string_append_c (out, '"');
}

/* Whether JSON writes @node on one line: scalars and empty collections,
 * and collections of those where the file writes them so. */
static gboolean
json_inline (const Style *style,
             JsonNode    *node)
{
  if (!is_container (node) || container_size (node) == 0)
    return TRUE;
  if (!style->inline_small)
    return FALSE;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &child))
        if (is_container (child))
          return FALSE;
      return TRUE;
    }
  else
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        if (!json_inline (style, json_array_get_element (array, i)))
          return FALSE;
      return TRUE;
    }
}

/* JSON: @node at a line indented by @col; containers over several lines
 * when @multiline, else on one. */
static void
write_json (Writer   *w,
            GString  *out,
            JsonNode *node,
            guint     col,
            gboolean  multiline,
            JsonNode *hint)
{
  const Style *style = w->style;
  gboolean one_line;
  gboolean lines;

  if (is_container (node) && container_size (node) > 0 && hint_says (w, hint, &one_line))
    lines = multiline && style->unit > 0 && !one_line;
  else
    lines = multiline && style->unit > 0 && !json_inline (style, node);

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;
      gboolean first = TRUE;

      if (json_object_get_size (json_node_get_object (node)) == 0)
        {
          g_string_append (out, "{}");
          return;
        }

      g_string_append_c (out, '{');
      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &child))
        {
          if (!first)
            g_string_append_c (out, ',');
          if (lines)
            {
              g_string_append_c (out, '\n');
              append_spaces (out, col + style->unit);
            }
          else if (!first)
            g_string_append (out, style->gap);
          first = FALSE;
          append_json_string (out, name);
          g_string_append (out, style->colon);
          write_json (w, out, child, col + style->unit, lines, hint_member (hint, name));
        }
      if (lines)
        {
          g_string_append_c (out, '\n');
          append_spaces (out, col);
        }
      g_string_append_c (out, '}');
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      if (json_array_get_length (array) == 0)
        {
          g_string_append (out, "[]");
          return;
        }

      g_string_append_c (out, '[');
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          if (lines)
            {
              g_string_append_c (out, '\n');
              append_spaces (out, col + style->unit);
            }
          else if (i > 0)
            g_string_append (out, style->gap);
          write_json (w, out, json_array_get_element (array, i), col + style->unit, lines,
                      hint_element (hint, i));
        }
      if (lines)
        {
          g_string_append_c (out, '\n');
          append_spaces (out, col);
        }
      g_string_append_c (out, ']');
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    append_json_string (out, json_node_get_string (node));
  else
    append_plain_scalar (out, node);
}

/* A member as a flow or JSON container holds it: `key: value`. */
static void
write_inline_member (Writer         *w,
                     GString        *out,
                     ContainerStyle  style,
                     const char     *key,
                     JsonNode       *value,
                     guint           col,
                     gboolean        multiline,
                     JsonNode       *hint)
{
  if (style == CONTAINER_JSON)
    {
      append_json_string (out, key);
      g_string_append (out, w->style->colon);
      write_json (w, out, value, col, multiline, hint);
    }
  else
    {
      append_yaml_key (out, key, TRUE);
      g_string_append (out, ": ");
      write_flow (w, out, value);
    }
}

static void
write_inline_value (Writer         *w,
                    GString        *out,
                    ContainerStyle  style,
                    JsonNode       *value,
                    guint           col,
                    gboolean        multiline,
                    JsonNode       *hint)
{
  if (style == CONTAINER_JSON)
    write_json (w, out, value, col, multiline, hint);
  else
    write_flow (w, out, value);
}

/* Transactions: the edits of one step ----------------------------------------- */

/* A PwTextEdit, and the collection whose text it changes: what the new
 * text is read again from (see reread_parts()). */
typedef struct
{
  gsize     start;
  gsize     end;
  char     *text;
  JsonNode *owner;
} Edit;

typedef struct
{
  View       *v;
  Writer      writer;
  JsonNode   *owner;        /* the owner of the edits made now */
  GArray     *edits;        /* Edit, against v->text */
  JsonNode   *expected;     /* the tree the edits should give */
  GHashTable *copies;       /* original container → its copy in @expected */
} Txn;

static void
text_edit_clear (gpointer data)
{
  Edit *edit = data;

  g_clear_pointer (&edit->text, g_free);
}

static void
public_edit_clear (gpointer data)
{
  PwTextEdit *edit = data;

  g_clear_pointer (&edit->text, g_free);
}

static GArray *
edits_new (void)
{
  GArray *edits = g_array_new (FALSE, TRUE, sizeof (Edit));

  g_array_set_clear_func (edits, text_edit_clear);
  return edits;
}

static void
txn_init (Txn  *t,
          View *v)
{
  memset (t, 0, sizeof *t);
  t->v = v;
  t->writer.v = v;
  t->writer.style = &v->style;
  t->writer.indent_seq = v->style.indent_seq;
  t->writer.cfn_tags = v->cfn && !v->json;
  t->edits = edits_new ();
  t->expected = json_node_ref (v->root);
  t->copies = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify)json_node_unref);
}

static void
txn_clear (Txn *t)
{
  g_clear_pointer (&t->edits, g_array_unref);
  g_clear_pointer (&t->expected, json_node_unref);
  g_clear_pointer (&t->copies, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Txn, txn_clear)

/* Adds a replacement; "\n" in @text becomes the file's line break. */
static void
txn_edit (Txn        *t,
          gsize       start,
          gsize       end,
          const char *text)
{
  Edit edit;

  g_assert (start <= end);
  g_assert (end <= t->v->length);

  edit.start = start;
  edit.end = end;
  edit.owner = t->owner;
  if (g_str_equal (t->v->style.eol, "\n") || strchr (text, '\n') == NULL)
    edit.text = g_strdup (text);
  else
    {
      g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

      edit.text = g_strjoinv (t->v->style.eol, lines);
    }
  g_array_append_val (t->edits, edit);
}

static int
compare_edits (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  const Edit *x = a, *y = b;

  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  /* An insertion goes before a replacement that starts where it is. */
  if ((x->start == x->end) != (y->start == y->end))
    return x->start == x->end ? -1 : 1;

  return 0;
}

/* Sorts @edits (stably) and checks that they do not overlap. */
static gboolean
edits_sort (GArray *edits)
{
  /* g_array_sort_with_data() is stable: insertions at one offset stay in
   * the order they were made. */
  g_array_sort_with_data (edits, compare_edits, NULL);

  for (guint i = 1; i < edits->len; i++)
    {
      const Edit *previous = &g_array_index (edits, Edit, i - 1);
      const Edit *edit = &g_array_index (edits, Edit, i);

      if (edit->start < previous->end)
        return FALSE;
    }

  return TRUE;
}

/* @text[@from, @to) with @edits (sorted, inside it) applied. */
static char *
apply_edits (const char *text,
             gsize       from,
             gsize       to,
             GArray     *edits)
{
  GString *out = g_string_sized_new (to - from + 64);
  gsize at = from;

  for (guint i = 0; i < edits->len; i++)
    {
      const Edit *edit = &g_array_index (edits, Edit, i);

      g_assert (edit->start >= at && edit->end <= to);
      g_string_append_len (out, text + at, edit->start - at);
      g_string_append (out, edit->text);
      at = edit->end;
    }
  g_string_append_len (out, text + at, to - at);

  return g_string_free (out, FALSE);
}

/* The expected tree -------------------------------------------------------------- */

static JsonNode *
shallow_copy (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_object_new ();
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;
      JsonNode *copy;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &child))
        json_object_set_member (object, name, json_node_ref (child));
      copy = json_node_init_object (json_node_alloc (), object);
      json_object_unref (object);
      return copy;
    }

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *source = json_node_get_array (node);
      guint n = json_array_get_length (source);
      JsonArray *array = json_array_sized_new (n);
      JsonNode *copy;

      for (guint i = 0; i < n; i++)
        json_array_add_element (array, json_node_ref (json_array_get_element (source, i)));
      copy = json_node_init_array (json_node_alloc (), array);
      json_array_unref (array);
      return copy;
    }

  return _pw_json_deep_copy (node);
}

/* The element of @array that is @child (by identity), or -1. */
static int
array_find (JsonNode *array,
            JsonNode *child)
{
  JsonArray *a = json_node_get_array (array);

  for (guint i = 0; i < json_array_get_length (a); i++)
    if (json_array_get_element (a, i) == child)
      return (int)i;

  return -1;
}

/* Rebuilds @array_node's list: without element @remove (-1: none), then
 * with @insert (owned; may be NULL) at @at (-1: the end). */
static void
array_splice (JsonNode *array_node,
              int       remove,
              JsonNode *insert,
              int       at)
{
  JsonArray *source = json_node_get_array (array_node);
  guint n = json_array_get_length (source);
  JsonArray *array = json_array_sized_new (n + 1);
  guint kept = 0;

  for (guint i = 0; i <= n; i++)
    {
      if (insert != NULL && at == (int)kept && (at >= 0))
        {
          json_array_add_element (array, insert);
          insert = NULL;
          kept++;
        }
      if (i == n)
        break;
      if ((int)i == remove)
        continue;
      json_array_add_element (array, json_node_ref (json_array_get_element (source, i)));
      kept++;
    }
  if (insert != NULL)
    json_array_add_element (array, insert);

  json_node_set_array (array_node, array);
  json_array_unref (array);
}

/* The copy in the expected tree of the container at hop @i of @route,
 * making copies of it and its ancestors as needed. */
static JsonNode *
expected_node (Txn   *t,
               Route *route,
               guint  i)
{
  Hop *hop = route_hop (route, i);
  JsonNode *copy;
  JsonNode *parent;

  g_assert (hop->node != NULL);

  if ((copy = g_hash_table_lookup (t->copies, hop->node)) != NULL)
    return copy;

  if (i == 0)
    {
      copy = shallow_copy (hop->node);
      g_hash_table_insert (t->copies, hop->node, copy);
      g_clear_pointer (&t->expected, json_node_unref);
      t->expected = json_node_ref (copy);
      return copy;
    }

  parent = expected_node (t, route, i - 1);
  copy = shallow_copy (hop->node);
  g_hash_table_insert (t->copies, hop->node, copy);

  if (hop->key != NULL)
    json_object_set_member (json_node_get_object (parent), hop->key, json_node_ref (copy));
  else
    {
      int at = array_find (parent, hop->node);

      g_assert (at >= 0);
      array_splice (parent, at, json_node_ref (copy), at);
    }

  return copy;
}

/* Sets member @key of the (copied) object @parent, or element @child of the
 * (copied) array @parent. @value is taken. */
static void
expected_replace (JsonNode   *parent,
                  const char *key,
                  JsonNode   *child,
                  JsonNode   *value)
{
  if (key != NULL)
    {
      JsonObject *object = json_node_get_object (parent);

      /* json_object_set_member() takes no reference when the node is the
       * member already. */
      if (json_object_get_member (object, key) == value)
        json_node_unref (value);
      else
        json_object_set_member (object, key, value);
    }
  else
    {
      int at = array_find (parent, child);

      g_assert (at >= 0);
      array_splice (parent, at, value, at);
    }
}

/* Items: the members or elements of a container, as written ------------------- */

typedef struct
{
  JsonNode   *node;
  const char *key;       /* the member's key, as written; NULL for elements */
  guint       index;     /* the element's index */
  Span        span;
  gsize       first;     /* the key, the '-' of a block element, or the value */
} Item;

/* The members or elements of @container that are written in it, in text
 * order: members a merge key (`<<`) brings in are written elsewhere. */
static GArray *
container_items (View           *v,
                 JsonNode       *container,
                 ContainerStyle  style)
{
  GArray *items = g_array_new (FALSE, TRUE, sizeof (Item));

  if (JSON_NODE_HOLDS_OBJECT (container))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;

      json_object_iter_init_ordered (&iter, json_node_get_object (container));
      while (json_object_iter_next_ordered (&iter, &name, &child))
        {
          Item item = { 0 };

          if (!span_of (v, child, &item.span) || (item.span.flags & PW_SOURCE_SPAN_MERGED) != 0 ||
              !item.span.has_key)
            continue;
          item.node = child;
          item.key = name;
          item.first = item.span.key_start;
          g_array_append_val (items, item);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (container))
    {
      JsonArray *array = json_node_get_array (container);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          Item item = { 0 };

          item.node = json_array_get_element (array, i);
          item.index = i;
          if (!span_of (v, item.node, &item.span))
            continue;
          item.first = item_first (v, &item.span, style == CONTAINER_BLOCK);
          g_array_append_val (items, item);
        }
    }

  return items;
}

static gssize
items_find (GArray     *items,
            JsonNode   *node)
{
  for (guint i = 0; i < items->len; i++)
    if (g_array_index (items, Item, i).node == node)
      return i;

  return -1;
}

/* Where a block item's lines end: past the line break of its last line. */
static gsize
item_lines_end (View       *v,
                const Item *item)
{
  gsize last = MAX (item->span.content_end, item->first + 1) - 1;

  return next_line (v->text, v->length, last);
}

/* The lines of a block item that starts its line, with the comment lines
 * directly above it. */
static void
item_lines (View       *v,
            const Item *item,
            gsize      *from,
            gsize      *to)
{
  *from = comments_above (v->text, v->length, line_start (v->text, item->first));
  *to = item_lines_end (v, item);
}

/* Where a container's value starts to be written, past its anchor and
 * tags: its '{' or '[' in flow style. */
static gsize
content_start (View       *v,
               const Span *span)
{
  return skip_properties (v->text, v->length, span->start);
}

/* The ':' or '-' that @span's value follows in block style, or -1. */
static gssize
indicator_of (View       *v,
              const Span *span)
{
  if (span->has_key)
    {
      gsize colon = key_colon (v->text, v->length, span->key_start);

      return colon < v->length && v->text[colon] == ':' ? (gssize)colon : -1;
    }
  else
    {
      gsize dash = dash_before (v->text, span->start);

      return dash < span->start && v->text[dash] == '-' ? (gssize)dash : -1;
    }
}

/* Whether the block list around @offset indents its `- ` under its key:
 * the nearest list item above, and its list's key, tell. The file's habit
 * otherwise. */
static gboolean
local_indent_seq (View  *v,
                  gsize  offset)
{
  gsize line = next_line (v->text, v->length, offset);
  guint limit = indentation_of (v->text, v->length, offset) + 1;
  guint dash = G_MAXUINT;

  /* From the line of @offset up. */
  while (line > 0)
    {
      gsize i;
      guint col;

      line = line_start (v->text, line - 1);
      i = skip_blanks (v->text, v->length, line);
      if (i >= v->length || v->text[i] == '\n' || v->text[i] == '\r' || v->text[i] == '#')
        continue;
      col = (guint)(i - line);

      if (dash == G_MAXUINT)
        {
          if (col < limit && v->text[i] == '-')
            dash = col;
          else if (col < limit)
            limit = col;
          if (col == 0 && v->text[i] != '-')
            break;
          continue;
        }

      if (col < dash || (col == dash && v->text[i] != '-'))
        return col < dash;
    }

  return v->style.indent_seq;
}

/* Empties a container: `{}` or `[]` in its place, its anchor kept. */
static gboolean
no_span (GError **error)
{
  g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_INVALID,
               _("cannot tell where a value is written in the text"));
  return FALSE;
}

static gboolean
collapse (Txn       *t,
          JsonNode  *container,
          GError   **error)
{
  View *v = t->v;
  ContainerStyle style = container_style (v, container);
  gboolean object = JSON_NODE_HOLDS_OBJECT (container);
  Span span;

  t->owner = container;
  if (!span_of (v, container, &span))
    goto fail;

  if (style != CONTAINER_BLOCK)
    {
      gsize open = content_start (v, &span);

      if (open >= span.end || span.end - open < 2)
        goto fail;
      txn_edit (t, open + 1, span.end - 1, "");
      return TRUE;
    }
  else
    {
      g_autofree char *anchor = dup_anchor (v->text, v->length, span.start);
      g_autofree char *text = NULL;
      gssize indicator = indicator_of (v, &span);
      gsize end = line_end (v->text, v->length, MAX (span.content_end, span.start + 1) - 1);

      if (indicator < 0)
        {
          text = g_strconcat (anchor != NULL ? anchor : "", anchor != NULL ? " " : "",
                              object ? "{}" : "[]", NULL);
          txn_edit (t, span.start, end, text);
        }
      else
        {
          text = g_strconcat (" ", anchor != NULL ? anchor : "", anchor != NULL ? " " : "",
                              object ? "{}" : "[]", NULL);
          txn_edit (t, indicator + 1, end, text);
        }
      return TRUE;
    }

fail:
  g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_INVALID,
               _("cannot tell where a value is written in the text"));
  return FALSE;
}

/* Removes the items marked in @removed from @container's text: whole lines
 * in block style (with the comment lines above each, and its trailing
 * comment), with their commas in flow style and JSON. Emptied, the
 * container becomes `{}` or `[]`. */
static gboolean
remove_items (Txn       *t,
              JsonNode  *container,
              GArray    *items,
              gboolean  *removed,
              GError   **error)
{
  View *v = t->v;
  ContainerStyle style = container_style (v, container);
  guint n = items->len;
  guint n_removed = 0;

  t->owner = container;
  for (guint i = 0; i < n; i++)
    if (removed[i])
      n_removed++;

  if (n_removed == 0)
    return TRUE;

  if (n_removed == n && container_size (container) == n)
    return collapse (t, container, error);

  if (style == CONTAINER_BLOCK)
    {
      for (guint i = 0; i < n; i++)
        {
          const Item *item = &g_array_index (items, Item, i);
          gsize from, to;

          if (!removed[i])
            continue;

          if (starts_line (v->text, item->first))
            item_lines (v, item, &from, &to);
          else
            {
              /* `- name: A` with name removed: the next item comes up onto
               * the dash's line. */
              guint next = i + 1;

              while (next < n && removed[next])
                next++;
              from = item->first;
              if (next < n)
                to = g_array_index (items, Item, next).first;
              else
                to = item_lines_end (v, &g_array_index (items, Item, n - 1));
              i = next - 1;
            }
          txn_edit (t, from, to, "");
        }
      return TRUE;
    }

  for (guint i = 0; i < n; i++)
    {
      guint j = i, k;
      gsize from, to;

      if (!removed[i])
        continue;

      for (k = i; k + 1 < n && removed[k + 1]; k++)
        ;

      if (k + 1 < n)
        {
          from = g_array_index (items, Item, j).first;
          to = g_array_index (items, Item, k + 1).first;
          if (starts_line (v->text, from) && starts_line (v->text, to))
            {
              from = line_start (v->text, from);
              to = line_start (v->text, to);
            }
        }
      else if (j > 0)
        {
          from = g_array_index (items, Item, j - 1).span.end;
          to = g_array_index (items, Item, k).span.end;
        }
      else
        return collapse (t, container, error);

      txn_edit (t, from, to, "");
      i = k;
    }

  return TRUE;
}

/* The column new items of a block container go to, and for a list the
 * column of an item's content after its '-'. */
static guint
block_item_column (View     *v,
                   JsonNode *container,
                   GArray   *items)
{
  Span span;

  if (items->len > 0)
    return column_of (v->text, g_array_index (items, Item, 0).first);

  span_of (v, container, &span);
  return column_of (v->text, content_start (v, &span));
}

/* The text of a block member, whole lines: `key: value\n`. */
static char *
block_member_text (Txn        *t,
                   const char *key,
                   JsonNode   *value,
                   guint       col,
                   JsonNode   *hint)
{
  GString *out = g_string_new (NULL);

  append_spaces (out, col);
  append_yaml_key (out, key, FALSE);
  g_string_append_c (out, ':');
  write_block (&t->writer, out, value, col, FALSE, hint);
  g_string_append_c (out, '\n');

  return g_string_free (out, FALSE);
}

static char *
block_element_text (Txn      *t,
                    JsonNode *value,
                    guint     col,
                    JsonNode *hint)
{
  GString *out = g_string_new (NULL);

  append_spaces (out, col);
  g_string_append_c (out, '-');
  write_block (&t->writer, out, value, col, TRUE, hint);
  g_string_append_c (out, '\n');

  return g_string_free (out, FALSE);
}

/* Inserts whole lines at @at; at the end of a text without a final line
 * break, starts a line first. */
static void
insert_lines (Txn        *t,
              gsize       at,
              const char *lines)
{
  View *v = t->v;

  if (at == v->length && v->length > 0 && v->text[v->length - 1] != '\n')
    {
      g_autofree char *text = g_strconcat ("\n", lines, NULL);
      gsize len = strlen (text);

      /* The last line break of @lines is then one too many. */
      if (len > 0 && text[len - 1] == '\n')
        text[len - 1] = '\0';
      txn_edit (t, at, at, text);
    }
  else
    txn_edit (t, at, at, lines);
}

/* Re-indents whole lines by @delta columns (less blanks where @delta < 0). */
static char *
reindent (const char *text,
          int         delta)
{
  GString *out = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      const char *nl = strchr (p, '\n');
      gsize len = nl != NULL ? (gsize)(nl - p + 1) : strlen (p);

      if (len > 0 && p[0] != '\n' && !(p[0] == '\r' && len > 1 && p[1] == '\n'))
        {
          if (delta > 0)
            append_spaces (out, delta);
          else
            for (int removed = 0; removed < -delta && len > 0 && *p == ' '; removed++)
              {
                p++;
                len--;
              }
        }
      g_string_append_len (out, p, len);
      p += len;
    }

  return g_string_free (out, FALSE);
}

/* An empty flow collection that is the value of a block key or dash, `key:
 * []`: new items turn it into a block collection, as a person would write
 * it. Returns the indicator, or -1 when it is not one. */
static gssize
empty_flow_in_block (Txn      *t,
                     JsonNode *container,
                     Span     *span)
{
  View *v = t->v;
  gsize open;

  if (v->json || !span_of (v, container, span) || container_size (container) != 0)
    return -1;

  open = content_start (v, span);
  if (open >= v->length || (v->text[open] != '{' && v->text[open] != '['))
    return -1;

  /* Block context: the key or dash starts its own line. */
  if (span->has_key ? !starts_line (v->text, span->key_start)
                    : !starts_line (v->text, dash_before (v->text, span->start)))
    return -1;

  return indicator_of (v, span);
}

/* Appends member @key: @value (owned by the caller) to the mapping
 * @container. */
static gboolean
append_member (Txn         *t,
               JsonNode    *container,
               const char  *key,
               JsonNode    *value,
               JsonNode    *hint,
               GError     **error)
{
  View *v = t->v;
  ContainerStyle style = container_style (v, container);
  g_autoptr(GArray) items = container_items (v, container, style);
  Span span;
  gssize indicator;

  if (!span_of (v, container, &span))
    return no_span (error);

  t->owner = container;
  if (!v->json)
    t->writer.indent_seq = local_indent_seq (v, span.start);

  if ((indicator = empty_flow_in_block (t, container, &span)) >= 0 && items->len == 0)
    {
      g_autoptr(JsonNode) mapping = _pw_json_new_object ();
      GString *out = g_string_new (NULL);
      guint col = column_of (v->text, span.has_key ? span.key_start : (gsize)indicator);
      g_autofree char *text = NULL;

      json_object_set_member (json_node_get_object (mapping), key, json_node_ref (value));
      write_block (&t->writer, out, mapping, col, !span.has_key, NULL);
      text = g_string_free (out, FALSE);
      txn_edit (t, indicator + 1, span.end, text);
      return TRUE;
    }

  if (style == CONTAINER_BLOCK)
    {
      guint col = block_item_column (v, container, items);
      g_autofree char *text = block_member_text (t, key, value, col, hint);

      insert_lines (t, next_line (v->text, v->length, MAX (span.content_end, span.start + 1) - 1), text);
      return TRUE;
    }
  else
    {
      g_autoptr(GString) out = g_string_new (NULL);

      if (items->len == 0)
        {
          gsize open = content_start (v, &span);
          guint col = indentation_of (v->text, v->length, open);
          gboolean multiline = style == CONTAINER_JSON && v->style.unit > 0 && !json_inline (&v->style, value) &&
                               !v->style.compact;

          if (multiline)
            {
              g_string_append_c (out, '\n');
              append_spaces (out, col + v->style.unit);
              write_inline_member (&t->writer, out, style, key, value, col + v->style.unit, TRUE, hint);
              g_string_append_c (out, '\n');
              append_spaces (out, col);
            }
          else
            write_inline_member (&t->writer, out, style, key, value, col, FALSE, hint);
          txn_edit (t, open + 1, span.end - 1, out->str);
        }
      else
        {
          const Item *last = &g_array_index (items, Item, items->len - 1);
          gboolean multiline = starts_line (v->text, last->first);
          guint col = column_of (v->text, last->first);

          g_string_append_c (out, ',');
          if (multiline)
            {
              g_string_append_c (out, '\n');
              append_spaces (out, col);
            }
          else
            g_string_append (out, v->style.gap);
          write_inline_member (&t->writer, out, style, key, value,
                               multiline ? col : indentation_of (v->text, v->length, last->first),
                               multiline, hint);
          txn_edit (t, last->span.end, last->span.end, out->str);
        }
      return TRUE;
    }
}

/* Inserts @value (or, for block lists, the ready lines @lines, indented for
 * column @lines_col) into the list @container before its item @before
 * (items->len: at the end). */
static gboolean
insert_element (Txn         *t,
                JsonNode    *container,
                guint        before,
                JsonNode    *value,
                const char  *lines,
                guint        lines_col,
                GError     **error)
{
  View *v = t->v;
  ContainerStyle style = container_style (v, container);
  g_autoptr(GArray) items = container_items (v, container, style);
  JsonNode *sibling = NULL;
  Span span;
  gssize indicator;

  if (!span_of (v, container, &span))
    return no_span (error);

  t->owner = container;
  if (!v->json)
    t->writer.indent_seq = local_indent_seq (v, span.start);

  /* New text is written like its neighbour. */
  if (items->len > 0)
    sibling = g_array_index (items, Item, before > 0 ? MIN (before, items->len) - 1 : 0).node;

  if ((indicator = empty_flow_in_block (t, container, &span)) >= 0 && items->len == 0)
    {
      guint col = column_of (v->text, span.has_key ? span.key_start : (gsize)indicator);
      GString *out = g_string_new (NULL);
      g_autofree char *text = NULL;

      if (lines != NULL)
        {
          guint dash = span.has_key ? col + (t->writer.indent_seq ? v->style.unit : 0) : col + 2;
          g_autofree char *moved = reindent (lines, (int)dash - (int)lines_col);
          gsize len = strlen (moved);

          g_string_append_c (out, '\n');
          g_string_append_len (out, moved, len > 0 && moved[len - 1] == '\n' ? len - 1 : len);
        }
      else
        {
          g_autoptr(JsonNode) list = _pw_json_new_array ();

          json_array_add_element (json_node_get_array (list), json_node_ref (value));
          write_block (&t->writer, out, list, col, !span.has_key, NULL);
        }
      text = g_string_free (out, FALSE);
      txn_edit (t, indicator + 1, span.end, text);
      return TRUE;
    }

  if (style == CONTAINER_BLOCK)
    {
      guint col = block_item_column (v, container, items);
      g_autofree char *text = NULL;

      if (lines != NULL)
        text = reindent (lines, (int)col - (int)lines_col);
      else
        text = block_element_text (t, value, col, sibling);

      if (before < items->len)
        {
          const Item *item = &g_array_index (items, Item, before);

          if (starts_line (v->text, item->first))
            txn_edit (t, comments_above (v->text, v->length, line_start (v->text, item->first)),
                      comments_above (v->text, v->length, line_start (v->text, item->first)), text);
          else
            {
              /* `- - a`: the new item takes the place of the inline one. */
              g_autofree char *inline_text = reindent (text, -(int)col);
              g_autoptr(GString) out = g_string_new (inline_text);

              append_spaces (out, col);
              txn_edit (t, item->first, item->first, out->str);
            }
        }
      else
        insert_lines (t, next_line (v->text, v->length, MAX (span.content_end, span.start + 1) - 1), text);
      return TRUE;
    }
  else
    {
      g_autoptr(GString) out = g_string_new (NULL);
      g_autofree char *element = NULL;

      if (items->len == 0)
        {
          gsize open = content_start (v, &span);
          guint col = indentation_of (v->text, v->length, open);
          gboolean multiline = style == CONTAINER_JSON && v->style.unit > 0 && !json_inline (&v->style, value) &&
                               !v->style.compact;

          if (lines != NULL)
            element = g_strdup (lines);
          if (multiline)
            {
              g_string_append_c (out, '\n');
              append_spaces (out, col + v->style.unit);
              if (element != NULL)
                g_string_append (out, element);
              else
                write_inline_value (&t->writer, out, style, value, col + v->style.unit, TRUE, NULL);
              g_string_append_c (out, '\n');
              append_spaces (out, col);
            }
          else if (element != NULL)
            g_string_append (out, element);
          else
            write_inline_value (&t->writer, out, style, value, col, FALSE, NULL);
          txn_edit (t, open + 1, span.end - 1, out->str);
        }
      else
        {
          guint ref = MIN (before, items->len - 1);
          const Item *item = &g_array_index (items, Item, ref);
          gboolean multiline = starts_line (v->text, item->first);
          guint col = multiline ? column_of (v->text, item->first)
                                : indentation_of (v->text, v->length, item->first);
          GString *value_text = g_string_new (NULL);

          if (lines != NULL)
            {
              g_autofree char *moved = reindent (lines, 0);

              g_string_append (value_text, moved);
            }
          else
            write_inline_value (&t->writer, value_text, style, value, col, multiline, sibling);
          element = g_string_free (value_text, FALSE);

          if (before < items->len)
            {
              g_string_append (out, element);
              g_string_append_c (out, ',');
              if (multiline)
                {
                  g_string_append_c (out, '\n');
                  append_spaces (out, col);
                }
              else
                g_string_append (out, v->style.gap);
              txn_edit (t, item->first, item->first, out->str);
            }
          else
            {
              g_string_append_c (out, ',');
              if (multiline)
                {
                  g_string_append_c (out, '\n');
                  append_spaces (out, col);
                }
              else
                g_string_append (out, v->style.gap);
              g_string_append (out, element);
              txn_edit (t, item->span.end, item->span.end, out->str);
            }
        }
      return TRUE;
    }
}

/* Replacing values ---------------------------------------------------------------- */

typedef enum
{
  DIFF_WHOLE,          /* write the new value in place of the old */
  DIFF_SCALAR,         /* a scalar for a scalar, in the old one's quoting */
  DIFF_OBJECT,         /* member by member */
  DIFF_ARRAY,          /* element by element */
  DIFF_ARRAY_APPEND,   /* the old elements, and more */
} DiffMode;

static gboolean
is_merged (View     *v,
           JsonNode *node)
{
  Span span;

  return span_of (v, node, &span) && (span.flags & PW_SOURCE_SPAN_MERGED) != 0;
}

/* How a set of @new over @old is written: as few bytes as keep the style.
 * merge_expected() and replace_text() both follow it. */
static DiffMode
diff_mode (View     *v,
           JsonNode *old,
           JsonNode *new)
{
  Span span;

  if (!span_of (v, old, &span) || (span.flags & PW_SOURCE_SPAN_ALIAS) != 0)
    return DIFF_WHOLE;
  if (v->cfn && (pw_cfn_is_intrinsic (old) || pw_cfn_is_intrinsic (new)))
    return DIFF_WHOLE;

  if (!is_container (old) && !is_container (new))
    return DIFF_SCALAR;

  if (JSON_NODE_HOLDS_OBJECT (old) && JSON_NODE_HOLDS_OBJECT (new))
    {
      JsonObject *o = json_node_get_object (old);
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;
      guint common = 0;

      json_object_iter_init_ordered (&iter, json_node_get_object (new));
      while (json_object_iter_next_ordered (&iter, &name, &child))
        {
          JsonNode *old_child = json_object_get_member (o, name);

          if (old_child != NULL && !is_merged (v, old_child))
            common++;
        }

      return common > 0 ? DIFF_OBJECT : DIFF_WHOLE;
    }

  if (JSON_NODE_HOLDS_ARRAY (old) && JSON_NODE_HOLDS_ARRAY (new))
    {
      JsonArray *o = json_node_get_array (old), *n = json_node_get_array (new);
      guint lo = json_array_get_length (o), ln = json_array_get_length (n);

      if (lo == 0 || ln == 0)
        return DIFF_WHOLE;
      if (lo == ln)
        return DIFF_ARRAY;
      if (ln > lo)
        {
          for (guint i = 0; i < lo; i++)
            if (!_pw_json_equal (json_array_get_element (o, i), json_array_get_element (n, i)))
              return DIFF_WHOLE;
          return DIFF_ARRAY_APPEND;
        }
    }

  return DIFF_WHOLE;
}

/* What the tree holds after @new is written over @old: members that stay
 * keep their place, new ones come last (as do members that override what a
 * merge key brought in), and what did not change is shared with @old. */
static JsonNode *
merge_expected (View     *v,
                JsonNode *old,
                JsonNode *new)
{
  if (_pw_json_equal (old, new))
    return json_node_ref (old);

  switch (diff_mode (v, old, new))
    {
    case DIFF_OBJECT:
      {
        JsonObject *o = json_node_get_object (old), *n = json_node_get_object (new);
        JsonNode *result = _pw_json_new_object ();
        JsonObject *r = json_node_get_object (result);
        JsonObjectIter iter;
        const char *name;
        JsonNode *child;

        json_object_iter_init_ordered (&iter, o);
        while (json_object_iter_next_ordered (&iter, &name, &child))
          {
            JsonNode *new_child = json_object_get_member (n, name);

            if (new_child == NULL && is_merged (v, child))
              json_object_set_member (r, name, json_node_ref (child));
            else if (new_child == NULL)
              continue;
            else if (is_merged (v, child) && !_pw_json_equal (child, new_child))
              continue;
            else
              json_object_set_member (r, name, merge_expected (v, child, new_child));
          }

        json_object_iter_init_ordered (&iter, n);
        while (json_object_iter_next_ordered (&iter, &name, &child))
          if (!json_object_has_member (r, name))
            json_object_set_member (r, name, _pw_json_deep_copy (child));

        return result;
      }

    case DIFF_ARRAY:
    case DIFF_ARRAY_APPEND:
      {
        JsonArray *o = json_node_get_array (old), *n = json_node_get_array (new);
        JsonNode *result = _pw_json_new_array ();
        JsonArray *r = json_node_get_array (result);
        guint lo = json_array_get_length (o);

        for (guint i = 0; i < json_array_get_length (n); i++)
          {
            if (i < lo)
              json_array_add_element (r, merge_expected (v, json_array_get_element (o, i),
                                                         json_array_get_element (n, i)));
            else
              json_array_add_element (r, _pw_json_deep_copy (json_array_get_element (n, i)));
          }
        return result;
      }

    case DIFF_SCALAR:
    case DIFF_WHOLE:
    default:
      return _pw_json_deep_copy (new);
    }
}

static Quote
quote_of (const char *text,
          gsize       length,
          gsize       offset)
{
  if (offset >= length)
    return QUOTE_ANY;

  switch (text[offset])
    {
    case '"': return QUOTE_DOUBLE;
    case '\'': return QUOTE_SINGLE;
    case '|': case '>': return QUOTE_LITERAL;
    default: return QUOTE_ANY;
    }
}

/* Past a node's anchor (`&name `), which a new value keeps. */
static gsize
skip_anchor (View  *v,
             gsize  offset)
{
  if (v->json || offset >= v->length || v->text[offset] != '&')
    return offset;

  while (offset < v->length && !is_space (v->text[offset]))
    offset++;

  return skip_blanks (v->text, v->length, offset);
}

static guint
block_value_indent (View       *v,
                    const Item *item)
{
  return column_of (v->text, item->first) + (item->key != NULL ? v->style.unit : 2);
}

static gboolean
replace_scalar (Txn         *t,
                JsonNode    *container,
                const Item  *item,
                JsonNode    *new,
                GError     **error)
{
  View *v = t->v;
  g_autoptr(GString) out = g_string_new (NULL);
  gsize start = skip_anchor (v, item->span.start);
  gsize end = item->span.end;

  t->owner = container;
  if (v->json)
    write_json (&t->writer, out, new, indentation_of (v->text, v->length, item->first), FALSE, NULL);
  else
    {
      Quote quote = quote_of (v->text, v->length, start);
      gboolean flow = container_style (v, container) != CONTAINER_BLOCK;

      /* An empty string had to be quoted: its quotes were no choice of the
       * user's, so its first value is written as any new one. */
      if ((quote == QUOTE_DOUBLE || quote == QUOTE_SINGLE) && end == start + 2)
        quote = QUOTE_ANY;

      /* `key:` with nothing after it: the value needs its blank. */
      if (start == end && start > 0 && v->text[start - 1] == ':')
        g_string_append_c (out, ' ');
      append_yaml_scalar (out, new, flow, quote, block_value_indent (v, item));
      if (quote == QUOTE_LITERAL)
        end = item->span.content_end;
    }

  txn_edit (t, start, MAX (start, end), out->str);
  return TRUE;
}

static gboolean
replace_whole (Txn         *t,
               JsonNode    *container,
               const Item  *item,
               JsonNode    *new,
               GError     **error)
{
  View *v = t->v;
  ContainerStyle style = container_style (v, container);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *anchor = NULL;
  gboolean old_inline;
  gboolean new_inline;
  gssize indicator;

  t->owner = container;
  if (v->json)
    {
      write_json (&t->writer, out, new, indentation_of (v->text, v->length, item->first),
                  !v->style.compact && v->style.unit > 0, item->node);
      txn_edit (t, item->span.start, item->span.end, out->str);
      return TRUE;
    }

  anchor = dup_anchor (v->text, v->length, item->span.start);
  t->writer.indent_seq = local_indent_seq (v, item->first);

  /* `!Sub "…"` for `!Sub "…"`: only the argument changes, in its quotes. */
  if (t->writer.cfn_tags && anchor == NULL && v->text[item->span.start] == '!')
    {
      JsonNode *old_inner = NULL, *new_inner = NULL;
      const char *old_tag = _pw_yaml_cfn_short_tag (item->node, &old_inner);
      const char *new_tag = _pw_yaml_cfn_short_tag (new, &new_inner);

      if (old_tag != NULL && new_tag != NULL && g_str_equal (old_tag, new_tag) &&
          !g_str_equal (old_tag, "GetAtt") &&
          JSON_NODE_HOLDS_VALUE (old_inner) && json_node_get_value_type (old_inner) == G_TYPE_STRING &&
          JSON_NODE_HOLDS_VALUE (new_inner) && json_node_get_value_type (new_inner) == G_TYPE_STRING)
        {
          gsize start = item->span.start;
          Quote quote;

          while (start < item->span.end && !is_space (v->text[start]))
            start++;
          start = skip_blanks (v->text, v->length, start);
          quote = quote_of (v->text, v->length, start);
          if (start < item->span.end && quote != QUOTE_LITERAL)
            {
              append_yaml_string (out, json_node_get_string (new_inner), style != CONTAINER_BLOCK,
                                  quote, 0);
              txn_edit (t, start, item->span.end, out->str);
              return TRUE;
            }
        }
    }

  if (style != CONTAINER_BLOCK)
    {
      if (anchor != NULL)
        g_string_append_printf (out, "%s ", anchor);
      write_flow (&t->writer, out, new);
      txn_edit (t, item->span.start, item->span.end, out->str);
      return TRUE;
    }

  /* In block style, the old value is on the key's line (a scalar, an
   * alias, a flow collection) or below it (a block collection). */
  old_inline = !is_container (item->node) || (item->span.flags & PW_SOURCE_SPAN_ALIAS) != 0 ||
               container_style (v, item->node) == CONTAINER_FLOW ||
               (v->cfn && pw_cfn_is_intrinsic (item->node) &&
                line_start (v->text, item->span.content_end) == line_start (v->text, item->span.start));
  new_inline = !is_container (new) || container_size (new) == 0 ||
               (is_container (item->node) && container_style (v, item->node) == CONTAINER_FLOW &&
                container_size (item->node) > 0) ||
               (t->writer.cfn_tags && _pw_yaml_cfn_short_tag (new, NULL) != NULL && is_simple (new, 0));

  if (old_inline && new_inline)
    {
      gsize start = item->span.start;
      gsize end = quote_of (v->text, v->length, skip_anchor (v, start)) == QUOTE_LITERAL
                    ? item->span.content_end : item->span.end;

      if (start == end && start > 0 && (v->text[start - 1] == ':' || v->text[start - 1] == '-'))
        g_string_append_c (out, ' ');
      if (anchor != NULL)
        g_string_append_printf (out, "%s ", anchor);
      if (is_container (new) && _pw_yaml_cfn_short_tag (new, NULL) == NULL)
        write_flow (&t->writer, out, new);
      else
        {
          /* write_block() puts a space before a scalar. */
          g_autoptr(GString) scalar = g_string_new (NULL);

          write_block (&t->writer, scalar, new, column_of (v->text, item->first), item->key == NULL, NULL);
          g_string_append (out, scalar->str + 1);
        }
      txn_edit (t, start, end, out->str);
      return TRUE;
    }

  if ((indicator = indicator_of (v, &item->span)) < 0)
    return no_span (error);

  if (anchor != NULL)
    g_string_append_printf (out, " %s", anchor);
  if (new_inline && is_container (new) && _pw_yaml_cfn_short_tag (new, NULL) == NULL)
    {
      g_string_append_c (out, ' ');
      write_flow (&t->writer, out, new);
    }
  else
    write_block (&t->writer, out, new, column_of (v->text, item->first), item->key == NULL, item->node);

  txn_edit (t, indicator + 1, MAX (item->span.content_end, (gsize)indicator + 1), out->str);
  return TRUE;
}

static gboolean
refuse_remove_merged (View        *v,
                      const char  *what,
                      JsonNode    *node,
                      GError     **error)
{
  Span span;

  span_of (v, node, &span);
  g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_REFUSED,
               _("%s is not written in its mapping: the merge key '<<' at line %u brings it in "
                 "from line %u, so it cannot be removed here; remove it at line %u (which "
                 "changes every mapping that merges it), or set it here to override it"),
               what, line_of (v, span.link), line_of (v, span.start), line_of (v, span.start));
  return FALSE;
}

/* Writes @new over the value of @item, a member or element of @container,
 * in as few bytes as keep the style. */
static gboolean
replace_text (Txn         *t,
              JsonNode    *container,
              const Item  *item,
              JsonNode    *new,
              const char  *what,
              GError     **error)
{
  View *v = t->v;
  JsonNode *old = item->node;

  if (_pw_json_equal (old, new))
    return TRUE;

  switch (diff_mode (v, old, new))
    {
    case DIFF_OBJECT:
      {
        ContainerStyle style = container_style (v, old);
        g_autoptr(GArray) items = container_items (v, old, style);
        g_autofree gboolean *removed = g_new0 (gboolean, items->len + 1);
        JsonObject *o = json_node_get_object (old), *n = json_node_get_object (new);
        JsonObjectIter iter;
        const char *name;
        JsonNode *child;

        json_object_iter_init_ordered (&iter, o);
        while (json_object_iter_next_ordered (&iter, &name, &child))
          if (!json_object_has_member (n, name) && is_merged (v, child))
            {
              g_autofree char *where = g_strdup_printf ("%s.%s", what, name);

              return refuse_remove_merged (v, where, child, error);
            }

        for (guint i = 0; i < items->len; i++)
          removed[i] = !json_object_has_member (n, g_array_index (items, Item, i).key);
        if (!remove_items (t, old, items, removed, error))
          return FALSE;

        for (guint i = 0; i < items->len; i++)
          {
            const Item *child_item = &g_array_index (items, Item, i);
            JsonNode *new_child = json_object_get_member (n, child_item->key);
            g_autofree char *where = NULL;

            if (removed[i] || new_child == NULL)
              continue;
            where = g_strdup_printf ("%s.%s", what, child_item->key);
            if (!replace_text (t, old, child_item, new_child, where, error))
              return FALSE;
          }

        json_object_iter_init_ordered (&iter, n);
        while (json_object_iter_next_ordered (&iter, &name, &child))
          {
            JsonNode *old_child = json_object_get_member (o, name);

            if (old_child != NULL && !(is_merged (v, old_child) && !_pw_json_equal (old_child, child)))
              continue;
            if (!append_member (t, old, name, child, old_child, error))
              return FALSE;
          }
        return TRUE;
      }

    case DIFF_ARRAY:
    case DIFF_ARRAY_APPEND:
      {
        ContainerStyle style = container_style (v, old);
        g_autoptr(GArray) items = container_items (v, old, style);
        JsonArray *n = json_node_get_array (new);

        if (items->len != container_size (old))
          return no_span (error);

        for (guint i = 0; i < json_array_get_length (n); i++)
          {
            if (i < items->len)
              {
                g_autofree char *where = g_strdup_printf ("%s[%u]", what, i);

                if (!replace_text (t, old, &g_array_index (items, Item, i),
                                   json_array_get_element (n, i), where, error))
                  return FALSE;
              }
            else if (!insert_element (t, old, items->len, json_array_get_element (n, i), NULL, 0, error))
              return FALSE;
          }
        return TRUE;
      }

    case DIFF_SCALAR:
      return replace_scalar (t, container, item, new, error);

    case DIFF_WHOLE:
    default:
      return replace_whole (t, container, item, new, error);
    }
}

/* The Item of the node at hop @i of @route. */
static gboolean
route_item (View   *v,
            Route  *route,
            guint   i,
            Item   *item)
{
  Hop *hop = route_hop (route, i);
  ContainerStyle style;

  memset (item, 0, sizeof *item);
  if (hop->node == NULL || hop->parent == NULL || !span_of (v, hop->node, &item->span))
    return FALSE;

  style = container_style (v, hop->parent);
  item->node = hop->node;
  item->key = hop->key;
  item->index = hop->index;
  item->first = item_first (v, &item->span, style == CONTAINER_BLOCK && hop->key == NULL);

  return TRUE;
}

/* Checks on a route ----------------------------------------------------------------- */

typedef enum
{
  OP_SET,
  OP_REMOVE,
  OP_INSERT,
  OP_MOVE,
} Op;

static char *
alias_name (View  *v,
            gsize  start)
{
  gsize end = start + 1;

  while (end < v->length && !is_space (v->text[end]) && strchr (",]}", v->text[end]) == NULL)
    end++;

  return g_strndup (v->text + start + 1, end - start - 1);
}

/* Refuses a route that goes through a YAML alias or a member a merge key
 * brought in: the value is written somewhere else, shared with others. */
static gboolean
check_route (View    *v,
             Route   *route,
             Op       op,
             GError **error)
{
  guint last = route->hops->len - 1;

  for (guint i = 1; i < route->n_found; i++)
    {
      Hop *hop = route_hop (route, i);
      Span span;
      g_autofree char *where = NULL;
      g_autofree char *full = NULL;

      if (!span_of (v, hop->node, &span) || span.flags == 0)
        continue;

      where = route_path (route, i);
      full = path_to_string (route->segments, route->segments->len);

      if ((span.flags & PW_SOURCE_SPAN_MERGED) != 0 && i < last)
        {
          g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_REFUSED,
                       _("%s is not written in its mapping: the merge key '<<' at line %u "
                         "brings it in from line %u, shared with every mapping that merges "
                         "it; set %s as a whole to override it here, or edit it at line %u "
                         "(that changes them all)"),
                       where, line_of (v, span.link), line_of (v, span.start), where,
                       line_of (v, span.start));
          return FALSE;
        }

      if ((span.flags & PW_SOURCE_SPAN_ALIAS) != 0 && i < last)
        {
          g_autofree char *name = alias_name (v, span.start);

          g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_REFUSED,
                       _("%s reaches this value through the alias *%s (line %u), which shares "
                         "the value anchored at line %u with every other alias of it; edit "
                         "the anchor &%s at line %u instead (that changes them all), or set "
                         "%s as a whole to give it a value of its own"),
                       full, name, line_of (v, span.start), line_of (v, span.link), name,
                       line_of (v, span.link), where);
          return FALSE;
        }

      if ((span.flags & PW_SOURCE_SPAN_MERGED) != 0 && i == last && op != OP_SET)
        {
          if (op == OP_REMOVE)
            return refuse_remove_merged (v, where, hop->node, error);

          g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_REFUSED,
                       _("%s is not written in its mapping: the merge key '<<' at line %u "
                         "brings it in from line %u"),
                       where, line_of (v, span.link), line_of (v, span.start));
          return FALSE;
        }
    }

  return TRUE;
}

/* Values in the shape of the text ---------------------------------------------------- */

/* CloudFormation writes ArtifactStores items {Region, ArtifactStore}, or
 * the other way round (the CDK): whichever the template does. */
static gboolean
store_first (JsonNode *stores)
{
  JsonNode *first;
  JsonObjectIter iter;
  const char *name;

  if (stores == NULL || !JSON_NODE_HOLDS_ARRAY (stores) ||
      json_array_get_length (json_node_get_array (stores)) == 0 ||
      !JSON_NODE_HOLDS_OBJECT ((first = json_array_get_element (json_node_get_array (stores), 0))))
    return FALSE;

  json_object_iter_init_ordered (&iter, json_node_get_object (first));
  return json_object_iter_next_ordered (&iter, &name, NULL) && g_str_equal (name, "ArtifactStore");
}

static JsonNode *
cfn_properties (View *v)
{
  JsonNode *resources, *resource;

  if (!v->cfn)
    return NULL;

  resources = json_object_get_member (json_node_get_object (v->root), "Resources");
  resource = json_object_get_member (json_node_get_object (resources), v->logical_id);
  if (resource == NULL || !JSON_NODE_HOLDS_OBJECT (resource))
    return NULL;

  return json_object_get_member (json_node_get_object (resource), "Properties");
}

static JsonNode *
cfn_region_item (View       *v,
                 const char *region,
                 JsonNode   *store)
{
  JsonNode *properties = cfn_properties (v);
  JsonNode *stores = properties != NULL && JSON_NODE_HOLDS_OBJECT (properties)
    ? json_object_get_member (json_node_get_object (properties), "ArtifactStores") : NULL;
  g_autoptr(JsonNode) wrapper = _pw_json_new_object ();
  g_autoptr(JsonNode) converted = NULL;
  JsonNode *item = _pw_json_new_object ();
  JsonObject *object = json_node_get_object (item);

  json_object_set_member (json_node_get_object (wrapper), "artifactStore", _pw_json_deep_copy (store));
  converted = _pw_cfn_value_from_api (wrapper, FALSE);

  if (store_first (stores))
    json_object_set_member (object, "ArtifactStore",
                            json_node_ref (json_object_get_member (json_node_get_object (converted), "ArtifactStore")));
  json_object_set_string_member (object, "Region", region);
  if (!store_first (stores))
    json_object_set_member (object, "ArtifactStore",
                            json_node_ref (json_object_get_member (json_node_get_object (converted), "ArtifactStore")));

  return item;
}

/* @value (API-shaped) as the text at hop @i of @route spells it:
 * PascalCase keys and CloudFormation's shapes in a template. */
static JsonNode *
text_value (View     *v,
            Route    *route,
            guint     i,
            JsonNode *value)
{
  Hop *hop = route_hop (route, i);
  Hop *parent = route_hop (route, i - 1);
  JsonNode *properties;

  if (!v->cfn || !parent->convert)
    return _pw_json_deep_copy (value);

  if (hop->region)
    return cfn_region_item (v, hop->api_key, value);

  properties = cfn_properties (v);
  if (hop->key != NULL && hop->api_key != NULL)
    {
      g_autoptr(JsonNode) wrapper = _pw_json_new_object ();
      g_autoptr(JsonNode) converted = NULL;
      JsonNode *stores = properties != NULL && JSON_NODE_HOLDS_OBJECT (properties)
        ? json_object_get_member (json_node_get_object (properties), "ArtifactStores") : NULL;
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_set_member (json_node_get_object (wrapper), hop->api_key, _pw_json_deep_copy (value));
      converted = _pw_cfn_value_from_api (wrapper, store_first (stores));
      json_object_iter_init_ordered (&iter, json_node_get_object (converted));
      if (json_object_iter_next_ordered (&iter, &name, &member))
        return json_node_ref (member);
      return _pw_json_deep_copy (value);
    }

  return _pw_cfn_value_from_api (value, FALSE);
}

/* The operations, on one transaction ----------------------------------------------- */

/* Sets the node at the end of @route (resolved with RESOLVE_MISSING_KEYS)
 * to @value (API-shaped). */
static gboolean
do_set (Txn       *t,
        Route     *route,
        JsonNode  *value,
        GError   **error)
{
  View *v = t->v;
  guint last = route->hops->len - 1;
  Hop *hop = route_last (route);
  g_autoptr(JsonNode) raw = NULL;
  g_autofree char *what = route_path (route, last);

  if (last <= route->declaration)
    {
      g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_INVALID,
                   _("set a member of the pipeline, not the pipeline itself"));
      return FALSE;
    }

  if (route->n_found == route->hops->len)
    {
      JsonNode *copy;
      Item item;
      Span span;

      raw = text_value (v, route, last, value);
      if (!route_item (v, route, last, &item))
        return no_span (error);

      copy = expected_node (t, route, last - 1);
      span_of (v, hop->node, &span);

      if ((span.flags & PW_SOURCE_SPAN_MERGED) != 0)
        {
          /* An explicit key wins over what the merge key brings in. */
          if (_pw_json_equal (hop->node, raw))
            return TRUE;
          json_object_remove_member (json_node_get_object (copy), hop->key);
          json_object_set_member (json_node_get_object (copy), hop->key, json_node_ref (raw));
          return append_member (t, hop->parent, hop->key, raw, hop->node, error);
        }

      expected_replace (copy, hop->key, hop->node, merge_expected (v, hop->node, raw));
      return replace_text (t, hop->parent, &item, raw, what, error);
    }
  else
    {
      guint m = route->n_found;
      Hop *missing = route_hop (route, m);
      JsonNode *parent = route_hop (route, m - 1)->node;
      JsonNode *copy;

      raw = text_value (v, route, last, value);

      if (missing->region)
        {
          copy = expected_node (t, route, m - 1);
          array_splice (copy, -1, _pw_json_deep_copy (raw), -1);
          return insert_element (t, parent, container_size (parent), raw, NULL, 0, error);
        }

      for (guint j = last; j > m; j--)
        {
          JsonNode *wrapper = _pw_json_new_object ();

          json_object_set_member (json_node_get_object (wrapper), route_hop (route, j)->key,
                                  g_steal_pointer (&raw));
          raw = wrapper;
        }

      /* A null where the mapping goes becomes the mapping. */
      if (JSON_NODE_HOLDS_NULL (parent) && m >= 2)
        {
          g_autoptr(JsonNode) mapping = _pw_json_new_object ();
          g_autofree char *where = route_path (route, m - 1);
          Item item;

          json_object_set_member (json_node_get_object (mapping), missing->key, g_steal_pointer (&raw));
          if (!route_item (v, route, m - 1, &item))
            return no_span (error);
          copy = expected_node (t, route, m - 2);
          expected_replace (copy, route_hop (route, m - 1)->key, parent, _pw_json_deep_copy (mapping));
          return replace_text (t, route_hop (route, m - 1)->parent, &item, mapping, where, error);
        }

      if (!JSON_NODE_HOLDS_OBJECT (parent))
        return no_span (error);

      copy = expected_node (t, route, m - 1);
      json_object_set_member (json_node_get_object (copy), missing->key, _pw_json_deep_copy (raw));
      return append_member (t, parent, missing->key, raw, NULL, error);
    }
}

/* The hop that a remove or a move of @route's target acts on: for
 * `artifactStores.<region>` in a template, the whole list item. */
static guint
target_hop (Route *route)
{
  guint last = route->hops->len - 1;

  if (last > 0 && route_hop (route, last - 1)->region &&
      route_hop (route, last - 1)->n_segments == route_last (route)->n_segments)
    return last - 1;

  return last;
}

static gboolean
do_remove (Txn       *t,
           Route     *route,
           GError   **error)
{
  View *v = t->v;
  guint k = target_hop (route);
  Hop *hop = route_hop (route, k);
  ContainerStyle style;
  g_autoptr(GArray) items = NULL;
  g_autofree gboolean *removed = NULL;
  gssize index;
  JsonNode *copy;

  if (k <= route->declaration)
    {
      g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_INVALID,
                   _("remove a member of the pipeline, not the pipeline itself"));
      return FALSE;
    }

  style = container_style (v, hop->parent);
  items = container_items (v, hop->parent, style);
  if ((index = items_find (items, hop->node)) < 0)
    return no_span (error);

  removed = g_new0 (gboolean, items->len);
  removed[index] = TRUE;
  if (!remove_items (t, hop->parent, items, removed, error))
    return FALSE;

  copy = expected_node (t, route, k - 1);
  if (hop->key != NULL)
    json_object_remove_member (json_node_get_object (copy), hop->key);
  else
    array_splice (copy, array_find (copy, hop->node), NULL, -1);

  return TRUE;
}

static gboolean
do_insert (Txn       *t,
           Route     *route,
           int        index,
           JsonNode  *value,
           GError   **error)
{
  View *v = t->v;
  guint last = route->hops->len - 1;
  Hop *hop = route_last (route);
  g_autofree char *what = route_path (route, last);

  if (route->n_found < route->hops->len || JSON_NODE_HOLDS_NULL (hop->node))
    {
      g_autoptr(JsonNode) list = _pw_json_new_array ();

      if (index > 0)
        {
          g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_NOT_FOUND,
                       _("cannot insert at [%d]: %s does not exist yet"), index, what);
          return FALSE;
        }
      json_array_add_element (json_node_get_array (list), _pw_json_deep_copy (value));
      return do_set (t, route, list, error);
    }

  if (v->cfn && JSON_NODE_HOLDS_OBJECT (hop->node) && pw_cfn_is_intrinsic (hop->node))
    return refuse_intrinsic (v, route, last, error);

  if (!JSON_NODE_HOLDS_ARRAY (hop->node))
    {
      g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_INVALID,
                   _("%s is %s, not a list; nothing can be inserted into it"),
                   what, _pw_json_type_name (hop->node));
      return FALSE;
    }

  if (index < 0)
    index = (int)container_size (hop->node);
  if ((guint)index > container_size (hop->node))
    {
      g_autofree char *count = describe_count (route, last);

      g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_NOT_FOUND,
                   _("cannot insert at %s[%d]: %s"), what, index, count);
      return FALSE;
    }

  {
    g_autoptr(JsonNode) raw = NULL;
    JsonNode *copy;

    if (v->cfn && hop->convert)
      raw = _pw_cfn_value_from_api (value, FALSE);
    else
      raw = _pw_json_deep_copy (value);

    copy = expected_node (t, route, last);
    array_splice (copy, -1, json_node_ref (raw), index);
    return insert_element (t, hop->node, index, raw, NULL, 0, error);
  }
}

/* Continuation lines of a JSON value moved @delta columns. */
static char *
reindent_tail (const char *text,
               int         delta)
{
  const char *nl = strchr (text, '\n');
  g_autofree char *head = NULL;
  g_autofree char *tail = NULL;

  if (nl == NULL || delta == 0)
    return g_strdup (text);

  head = g_strndup (text, nl - text + 1);
  tail = reindent (nl + 1, delta);
  return g_strconcat (head, tail, NULL);
}

/* Moves the list element at the end of @from to the list at the end of
 * @to (RESOLVE_MISSING_KEYS), at @index of it after the removal. @inner
 * holds edits inside the element (a new runOrder), which go with it; the
 * expected tree already has them. */
static gboolean
do_move (Txn       *t,
         Route     *from,
         Route     *to,
         int        index,
         GArray    *inner,
         GError   **error)
{
  View *v = t->v;
  Hop *source = route_last (from);
  JsonNode *a = source->parent;
  JsonNode *b = route_last (to)->node;
  gboolean same = a == b;
  ContainerStyle style_a = container_style (v, a);
  ContainerStyle style_b = b != NULL ? container_style (v, b) : CONTAINER_BLOCK;
  g_autoptr(GArray) items = container_items (v, a, style_a);
  g_autofree gboolean *removed = NULL;
  g_autofree char *lines = NULL;
  guint lines_col = 0;
  gssize i = items_find (items, source->node);
  JsonNode *copy_a, *copy_b;
  JsonNode *moved;
  const Item *item;
  Span b_span;

  if (i < 0)
    return no_span (error);
  item = &g_array_index (items, Item, i);

  if (inner != NULL && !edits_sort (inner))
    return no_span (error);

  /* The element's own text goes along, comments and all, where the two
   * lists are written alike; otherwise it is written anew. */
  if (style_a == CONTAINER_BLOCK && starts_line (v->text, item->first) &&
      (b != NULL && (style_b == CONTAINER_BLOCK || empty_flow_in_block (t, b, &b_span) >= 0)))
    {
      gsize start, end;

      item_lines (v, item, &start, &end);
      if (inner != NULL)
        lines = apply_edits (v->text, start, end, inner);
      else
        lines = g_strndup (v->text + start, end - start);
      if (end == v->length && (end == 0 || v->text[end - 1] != '\n'))
        {
          char *with_break = g_strconcat (lines, "\n", NULL);

          g_free (lines);
          lines = with_break;
        }
      lines_col = column_of (v->text, item->first);
    }
  else if (style_a == CONTAINER_JSON && style_b == CONTAINER_JSON)
    {
      GArray *none = edits_new ();

      lines = apply_edits (v->text, item->span.start, item->span.end, inner != NULL ? inner : none);
      g_array_unref (none);
      lines_col = indentation_of (v->text, v->length, item->first);
      if (!starts_line (v->text, item->first))
        lines_col = column_of (v->text, item->first);
    }

  /* The expected tree first: the element as it is there (with the inner
   * edits), out of one list and into the other. */
  copy_a = expected_node (t, from, from->hops->len - 2);
  moved = g_hash_table_lookup (t->copies, source->node);
  if (moved == NULL)
    moved = source->node;
  if (array_find (copy_a, moved) < 0)
    {
      /* Replaced outright by an inner set. */
      moved = json_array_get_element (json_node_get_array (copy_a), source->index);
    }
  json_node_ref (moved);
  array_splice (copy_a, array_find (copy_a, moved), NULL, -1);

  removed = g_new0 (gboolean, items->len);
  removed[i] = TRUE;
  if (!remove_items (t, a, items, removed, error))
    {
      json_node_unref (moved);
      return FALSE;
    }

  if (b == NULL || JSON_NODE_HOLDS_NULL (b))
    {
      /* The list is made, with the element in it. */
      g_autoptr(JsonNode) list = _pw_json_new_array ();
      guint last = to->hops->len - 1;
      guint m = b == NULL ? to->n_found : last;
      Hop *hop = route_hop (to, m);
      JsonNode *parent = route_hop (to, m - 1)->node;
      g_autofree char *what = route_path (to, m);
      JsonNode *copy;
      Item null_item;

      if (m != last || !JSON_NODE_HOLDS_OBJECT (parent))
        {
          json_node_unref (moved);
          return no_span (error);
        }
      json_array_add_element (json_node_get_array (list), moved);
      copy = expected_node (t, to, m - 1);
      json_object_set_member (json_node_get_object (copy), hop->key, _pw_json_deep_copy (list));
      if (b == NULL)
        return append_member (t, parent, hop->key, list, NULL, error);
      if (!route_item (v, to, m, &null_item))
        return no_span (error);
      return replace_text (t, parent, &null_item, list, what, error);
    }

  copy_b = same ? copy_a : expected_node (t, to, to->hops->len - 1);
  array_splice (copy_b, -1, json_node_ref (moved), index);

  {
    guint before = same && (gssize)index >= i ? (guint)index + 1 : (guint)index;
    gboolean ok;

    if (lines != NULL && style_b == CONTAINER_JSON)
      {
        /* insert_element() lines up the first line; the others follow. */
        g_autoptr(GArray) b_items = container_items (v, b, style_b);
        guint col = lines_col;

        if (b_items->len > 0)
          {
            const Item *ref = &g_array_index (b_items, Item, MIN (before, b_items->len - 1));

            col = starts_line (v->text, ref->first) ? column_of (v->text, ref->first)
                                                    : indentation_of (v->text, v->length, ref->first);
          }
        else if (span_of (v, b, &b_span))
          col = indentation_of (v->text, v->length, content_start (v, &b_span)) + v->style.unit;

        {
          char *shifted = reindent_tail (lines, (int)col - (int)lines_col);

          g_free (lines);
          lines = shifted;
        }
      }

    ok = insert_element (t, b, before, moved, lines, lines_col, error);
    json_node_unref (moved);
    return ok;
  }
}

/* Checking what the edits give -------------------------------------------------------- */

/* Compares the expected tree with the one the new text reads as. Aliases
 * and members a merge key brings in follow their anchor, which may have
 * been what the edit changed: that is what the file says, so they are not
 * held to the expected tree. */
static gboolean
verify (View       *v,
        JsonNode   *expected,
        JsonNode   *actual,
        gboolean    shared_values,
        GString    *where)
{
  if (expected == actual)
    return TRUE;

  if (shared_values)
    {
      Span span;

      if (span_of (v, expected, &span) &&
          (span.flags & (PW_SOURCE_SPAN_ALIAS | PW_SOURCE_SPAN_MERGED)) != 0)
        return TRUE;
    }

  if (expected == NULL || actual == NULL || JSON_NODE_TYPE (expected) != JSON_NODE_TYPE (actual))
    return FALSE;

  /* The path to a difference is only written on the way back from it. */
  if (JSON_NODE_HOLDS_OBJECT (expected))
    {
      JsonObject *e = json_node_get_object (expected), *a = json_node_get_object (actual);
      JsonObjectIter ie, ia;
      const char *ne, *na;
      JsonNode *ve, *va;

      if (json_object_get_size (e) != json_object_get_size (a))
        return FALSE;

      json_object_iter_init_ordered (&ie, e);
      json_object_iter_init_ordered (&ia, a);
      while (json_object_iter_next_ordered (&ie, &ne, &ve))
        {
          if (!json_object_iter_next_ordered (&ia, &na, &va) || strcmp (ne, na) != 0 ||
              !verify (v, ve, va, shared_values, where))
            {
              g_string_prepend (where, ne);
              g_string_prepend_c (where, '.');
              return FALSE;
            }
        }
      return TRUE;
    }

  if (JSON_NODE_HOLDS_ARRAY (expected))
    {
      JsonArray *e = json_node_get_array (expected), *a = json_node_get_array (actual);
      guint n = json_array_get_length (e);

      if (n != json_array_get_length (a))
        return FALSE;

      for (guint i = 0; i < n; i++)
        if (!verify (v, json_array_get_element (e, i), json_array_get_element (a, i),
                     shared_values, where))
          {
            g_autofree char *index = g_strdup_printf ("[%u]", i);

            g_string_prepend (where, index);
            return FALSE;
          }
      return TRUE;
    }

  return _pw_json_equal (expected, actual);
}

/* The editor ------------------------------------------------------------------------- */

struct _PwEditor
{
  GObject     parent_instance;

  View        view;
  GBytes     *text;       /* the current text, NUL-terminated */
  GPtrArray  *steps;      /* GArray of PwTextEdit, one per step */
  guint       live_records;   /* records of the last document read whole or compacted */
  guint       n_partial;      /* steps read again in part (for the tests) */
};

G_DEFINE_FINAL_TYPE (PwEditor, pw_editor, G_TYPE_OBJECT)

static void
pw_editor_dispose (GObject *object)
{
  PwEditor *self = (PwEditor *)object;

  g_clear_object (&self->view.document);

  G_OBJECT_CLASS (pw_editor_parent_class)->dispose (object);
}

static void
pw_editor_finalize (GObject *object)
{
  PwEditor *self = (PwEditor *)object;

  view_clear (&self->view);
  g_clear_pointer (&self->text, g_bytes_unref);
  g_clear_pointer (&self->steps, g_ptr_array_unref);

  G_OBJECT_CLASS (pw_editor_parent_class)->finalize (object);
}

static void
pw_editor_class_init (PwEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pw_editor_dispose;
  object_class->finalize = pw_editor_finalize;
}

static void
pw_editor_init (PwEditor *self)
{
  self->steps = g_ptr_array_new_with_free_func ((GDestroyNotify)g_array_unref);
}

/**
 * pw_editor_new:
 * @document: a document read by pw_document_load_data() or
 *   pw_document_load_file()
 * @logical_id: (nullable): for a CloudFormation template, which pipeline
 *   resource; %NULL: the template's first
 *
 * Makes an editor for the pipeline of @document. Edits made with it are
 * minimal replacements of the document's text; each call is one step,
 * after which the text is read again.
 *
 * Returns: (transfer full) (nullable): the editor, or %NULL when the
 *   document holds no pipeline to edit
 */
PwEditor *
pw_editor_new (PwDocument  *document,
               const char  *logical_id,
               GError     **error)
{
  g_autoptr(PwEditor) self = NULL;

  g_return_val_if_fail (PW_IS_DOCUMENT (document), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (PW_TYPE_EDITOR, NULL);
  if (!view_init (&self->view, document, logical_id, error))
    return NULL;

  {
    char *text = g_malloc (self->view.length + 1);

    memcpy (text, self->view.text, self->view.length);
    text[self->view.length] = '\0';
    self->text = g_bytes_new_take (text, self->view.length);
  }
  self->live_records = _pw_source_map_get_n_records (self->view.map);

  return g_steal_pointer (&self);
}

/* Reading again only what changed ----------------------------------------------------- */

/* A collection of the old tree that holds edits, read again on its own. */
typedef struct
{
  JsonNode *node;
  gsize     start;      /* its region in the old text */
  gsize     end;
  gssize    delta;      /* bytes, and lines, the edits in it add */
  gint      lines;
  JsonNode *fresh;      /* the same region of the new text, read */
} Part;

/* The container @node is in, found from the root by the spans, which
 * nest. */
static JsonNode *
parent_of (View     *v,
           JsonNode *node)
{
  JsonNode *current = v->root;
  Span target;

  if (node == v->root || !span_of (v, node, &target))
    return NULL;

  while (is_container (current))
    {
      JsonNode *next = NULL;

      if (JSON_NODE_HOLDS_OBJECT (current))
        {
          JsonObjectIter iter;
          const char *name;
          JsonNode *child;
          Span span;

          json_object_iter_init_ordered (&iter, json_node_get_object (current));
          while (json_object_iter_next_ordered (&iter, &name, &child))
            {
              if (child == node)
                return current;
              if (next == NULL && is_container (child) && span_of (v, child, &span) &&
                  span.start <= target.start && target.end <= span.end)
                next = child;
            }
        }
      else
        {
          JsonArray *array = json_node_get_array (current);
          Span span;

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *child = json_array_get_element (array, i);

              if (child == node)
                return current;
              if (next == NULL && is_container (child) && span_of (v, child, &span) &&
                  span.start <= target.start && target.end <= span.end)
                next = child;
            }
        }

      if (next == NULL)
        return NULL;
      current = next;
    }

  return NULL;
}

/* The text a collection can be read again from on its own: its whole
 * lines in block style (with the comments above), itself in JSON. FALSE
 * for what cannot be: a flow collection inside another, a tagged one. */
static gboolean
part_region (View     *v,
             JsonNode *node,
             gsize    *start,
             gsize    *end)
{
  Span span;
  gsize content;

  if (node == v->root || !is_container (node) || !span_of (v, node, &span) || span.flags != 0 ||
      span.end <= span.start)
    return FALSE;

  if (v->json)
    {
      *start = span.start;
      *end = span.end;
      return TRUE;
    }

  content = skip_properties (v->text, v->length, span.start);
  if (content >= v->length || v->text[span.start] == '!' || v->text[content] == '!')
    return FALSE;

  /* A flow collection stands alone only where a block holds it: then
   * nothing but a comment follows it on its line. */
  if ((v->text[content] == '{' || v->text[content] == '[') &&
      container_style (v, parent_of (v, node)) != CONTAINER_BLOCK)
    return FALSE;

  *start = starts_line (v->text, span.start)
    ? comments_above (v->text, v->length, line_start (v->text, span.start)) : span.start;
  *end = next_line (v->text, v->length, MAX (span.content_end, span.start + 1) - 1);

  /* A `|+` block keeps the line breaks after it, which belong to no line
   * of the region. */
  for (const char *p = v->text + *start, *stop = v->text + *end;
       p < stop && (p = memchr (p, '+', stop - p)) != NULL; p++)
    if (p > v->text && (p[-1] == '|' || p[-1] == '>'))
      return FALSE;

  return TRUE;
}

static guint
count_lines (const char *text,
             gsize       length)
{
  guint n = 0;

  for (const char *p = text; (p = memchr (p, '\n', text + length - p)) != NULL; p++)
    n++;

  return n;
}

static guint
count_chars (const char *text,
             gsize       length)
{
  guint n = 0;

  for (gsize i = 0; i < length; i++)
    if (((guchar)text[i] & 0xC0) != 0x80)
      n++;

  return n;
}

/* The line a part's region starts on: its node's, less the comment lines
 * above it. Cheaper than the map's line table, which each document would
 * compute anew over the whole text. */
static guint
part_line (View       *v,
           const Part *part)
{
  Span span;
  guint line = 0;

  span_of (v, part->node, &span);
  pw_source_map_lookup (v->map, part->node, &line, NULL);

  return line - count_lines (v->text + part->start, span.start - part->start);
}

/* Puts @replacement (taken) where @child is in @parent, a copy. */
static void
replace_child (JsonNode *parent,
               JsonNode *child,
               JsonNode *replacement)
{
  if (JSON_NODE_HOLDS_OBJECT (parent))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init_ordered (&iter, json_node_get_object (parent));
      while (json_object_iter_next_ordered (&iter, &name, &member))
        if (member == child)
          {
            json_object_set_member (json_node_get_object (parent), name, replacement);
            return;
          }
      json_node_unref (replacement);
    }
  else
    array_splice (parent, array_find (parent, child), replacement, array_find (parent, child));
}

/* The copy of @node in the new tree, copying its ancestors as needed. */
static JsonNode *
splice_copy (View        *v,
             PwSourceMap *map,
             GHashTable  *copies,
             JsonNode    *node,
             JsonNode   **root)
{
  JsonNode *copy = g_hash_table_lookup (copies, node);
  JsonNode *parent;

  if (copy != NULL)
    return copy;

  copy = shallow_copy (node);
  g_hash_table_insert (copies, node, copy);
  pw_source_map_copy_position (map, node, copy);

  if (node == v->root)
    {
      *root = copy;
      return copy;
    }

  parent = splice_copy (v, map, copies, parent_of (v, node), root);
  replace_child (parent, node, json_node_ref (copy));

  return copy;
}

/* The document of @text, the old one with @t's edits applied, made by
 * reading again only the collections that hold the edits and sharing the
 * rest of the old tree; its positions are the old ones, shifted. Reading
 * the largest pipelines again takes tens of milliseconds; this takes about
 * one. NULL when it cannot be done so: anchors and aliases tie parts of the
 * text together, an edit near the root spans most of it. */
static PwDocument *
reread_parts (View     *v,
              Txn      *t,
              GBytes   *bytes)
{
  g_autoptr(GArray) parts = g_array_new (FALSE, TRUE, sizeof (Part));
  g_autoptr(GHashTable) copies = NULL;
  g_autoptr(PwSourceMap) map = NULL;
  const char *text;
  gsize length;
  JsonNode *root = NULL;
  gssize shift = 0;
  gint line_shift = 0;

  if (_pw_document_has_anchors (v->document))
    return NULL;

  text = g_bytes_get_data (bytes, &length);

  /* The parts: for each edit, its owner, or the nearest collection above
   * it whose text holds the edit. Nested parts merge. */
  for (guint i = 0; i < t->edits->len; i++)
    {
      const Edit *edit = &g_array_index (t->edits, Edit, i);
      JsonNode *node = edit->owner;
      Part part = { 0 };
      guint k;

      for (;;)
        {
          if (node == NULL || node == v->root)
            return NULL;
          if (part_region (v, node, &part.start, &part.end) &&
              part.start <= edit->start && edit->end <= part.end)
            break;
          node = parent_of (v, node);
        }
      part.node = node;

      for (k = 0; k < parts->len; k++)
        {
          Part *other = &g_array_index (parts, Part, k);

          if (other->start <= part.start && part.end <= other->end)
            break;
          if (part.start <= other->start && other->end <= part.end)
            {
              g_array_remove_index (parts, k);
              k--;
            }
          else if (part.start < other->end && other->start < part.end)
            return NULL;
        }
      if (k == parts->len)
        g_array_append_val (parts, part);
    }

  /* In text order, with what the edits add to each. */
  for (guint k = 1; k < parts->len; k++)
    for (guint j = k; j > 0 && g_array_index (parts, Part, j).start < g_array_index (parts, Part, j - 1).start; j--)
      {
        Part swap = g_array_index (parts, Part, j);

        g_array_index (parts, Part, j) = g_array_index (parts, Part, j - 1);
        g_array_index (parts, Part, j - 1) = swap;
      }
  for (guint i = 0; i < t->edits->len; i++)
    {
      const Edit *edit = &g_array_index (t->edits, Edit, i);

      for (guint k = 0; k < parts->len; k++)
        {
          Part *part = &g_array_index (parts, Part, k);

          if (part->start <= edit->start && edit->end <= part->end)
            {
              part->delta += (gssize)strlen (edit->text) - (gssize)(edit->end - edit->start);
              part->lines += (gint)count_lines (edit->text, strlen (edit->text)) -
                             (gint)count_lines (v->text + edit->start, edit->end - edit->start);
              break;
            }
        }
    }

  /* The old positions, moved to where the new text has them. */
  map = _pw_source_map_new_derived (v->map, pw_source_map_get_filename (v->map), bytes);
  for (guint k = 0; k < parts->len; k++)
    {
      Part *part = &g_array_index (parts, Part, k);
      guint end_line = 0;
      gint columns = 0;

      end_line = part_line (v, part) + count_lines (v->text + part->start, part->end - part->start);
      if (part->end > 0 && v->text[part->end - 1] != '\n')
        {
          gsize old_line = line_start (v->text, part->end);
          gsize new_end = part->end + shift + part->delta;

          columns = (gint)count_chars (text + line_start (text, new_end), new_end - line_start (text, new_end)) -
                    (gint)count_chars (v->text + old_line, part->end - old_line);
        }
      _pw_source_map_shift (map, part->end + shift, part->delta, end_line + line_shift, part->lines,
                            columns);
      shift += part->delta;
      line_shift += part->lines;
    }

  /* Each part read again, on its own: its first line keeps its column. */
  shift = 0;
  line_shift = 0;
  for (guint k = 0; k < parts->len; k++)
    {
      Part *part = &g_array_index (parts, Part, k);
      gsize start = part->start + shift;
      gsize end = part->end + shift + part->delta;
      gsize first = line_start (text, start);
      guint prefix = count_chars (text + first, start - first);
      g_autoptr(GString) piece = g_string_sized_new (end - start + prefix + 1);
      guint line = 0;
      guint n_anchors = 0;

      line = part_line (v, part);
      append_spaces (piece, prefix);
      g_string_append_len (piece, text + start, end - start);

      if (v->json)
        part->fresh = _pw_json_parse_at (piece->str, piece->len, map, start - prefix,
                                         line + line_shift - 1, NULL);
      else
        part->fresh = _pw_yaml_parse_at (piece->str, piece->len, map, PW_YAML_PARSE_CFN_TAGS,
                                         start - prefix, line + line_shift - 1, &n_anchors, NULL);

      if (part->fresh == NULL || n_anchors > 0 ||
          JSON_NODE_TYPE (part->fresh) != JSON_NODE_TYPE (part->node) ||
          JSON_NODE_HOLDS_ARRAY (part->fresh) != JSON_NODE_HOLDS_ARRAY (part->node))
        {
          for (guint j = 0; j <= k; j++)
            g_clear_pointer (&g_array_index (parts, Part, j).fresh, json_node_unref);
          return NULL;
        }

      /* The part's key is before it, where it was. */
      pw_source_map_copy_key_position (map, part->node, part->fresh);

      shift += part->delta;
      line_shift += part->lines;
    }

  /* The new tree: the old one, with the parts replaced, sharing the rest. */
  copies = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify)json_node_unref);
  for (guint k = 0; k < parts->len; k++)
    {
      Part *part = &g_array_index (parts, Part, k);
      JsonNode *parent = splice_copy (v, map, copies, parent_of (v, part->node), &root);

      replace_child (parent, part->node, part->fresh);

      /* A collection ends with its last value: those that ended with the
       * part end with it again. */
      {
        PwSourceSpan fresh_span, old_span, span;

        if (pw_source_map_lookup_span (map, part->fresh, &fresh_span))
          for (JsonNode *old = parent_of (v, part->node); old != NULL; old = parent_of (v, old))
            {
              JsonNode *copy = g_hash_table_lookup (copies, old);
              guint line, column;

              if (copy != NULL && pw_source_map_lookup_span (v->map, old, &old_span) &&
                  old_span.end >= part->start && old_span.end <= part->end &&
                  pw_source_map_lookup_span (map, copy, &span) &&
                  pw_source_map_lookup (map, copy, &line, &column))
                {
                  span.end = fresh_span.end;
                  pw_source_map_add_span (map, copy, line, column, &span);
                }
            }
      }
      part->fresh = NULL;
    }

  return _pw_document_new_parsed (root, map, pw_document_get_syntax (v->document),
                                  pw_document_get_kind (v->document), FALSE);
}

/* The message for a text that does not read, without its position (in a
 * text that was not made). */
static void
set_unreadable_error (View       *v,
                      GError     *local,
                      GError    **error)
{
  const char *message = local->message;
  const char *filename = pw_source_map_get_filename (v->map);

  if (g_str_has_prefix (message, filename) && message[strlen (filename)] == ':')
    {
      message = strchr (message + strlen (filename) + 1, ' ');
      message = message != NULL ? message + 1 : local->message;
    }

  if (strstr (message, "undefined alias") != NULL)
    g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_REFUSED,
                 _("the edit was not made: an alias would lose its anchor (%s); the value "
                   "the edit removes or moves is anchored, and an alias after it still "
                   "uses it: give the alias a value of its own first"), message);
  else
    g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_REFUSED,
                 _("the edit was not made: the file would no longer read (%s)"), message);
}

/* Reads @bytes as the document after @t, and checks it holds the tree @t
 * expects. */
static gboolean
reread (PwEditor  *self,
        Txn       *t,
        GBytes    *bytes,
        View      *next,
        GError   **error)
{
  View *v = &self->view;
  g_autoptr(PwDocument) document = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(GString) where = g_string_new (NULL);
  gboolean shared_values;
  const char *text;
  gsize length;

  text = g_bytes_get_data (bytes, &length);
  shared_values = _pw_document_has_anchors (v->document);

  /* The parts that changed, if it can be done; else the whole text. */
  if ((document = reread_parts (v, t, bytes)) != NULL)
    {
      if (view_init (next, document, v->logical_id, NULL) &&
          verify (v, t->expected, next->root, shared_values, where))
        {
          PwSourceMap *map = pw_document_get_source_map (document);

          /* Records of nodes long gone, and models built on the documents
           * before (a template's), pile up: start afresh now and then. */
          if (_pw_source_map_get_n_records (map) > 2 * self->live_records + 4096 ||
              _pw_source_map_get_index_size (map) > 2 * self->live_records + 4096)
            {
              g_debug ("compacting the positions of %s: %u records, %u nodes known",
                       pw_source_map_get_filename (map), _pw_source_map_get_n_records (map),
                       _pw_source_map_get_index_size (map));
              _pw_source_map_compact (map, next->root);
              self->live_records = _pw_source_map_get_n_records (map);
            }
          self->n_partial++;
          return TRUE;
        }
      g_debug ("reading %s again in part gave another tree (at %s); reading all of it",
               pw_source_map_get_filename (v->map), where->str);
      view_clear (next);
      g_clear_object (&document);
      g_string_truncate (where, 0);
    }

  document = pw_document_load_data (text, length, pw_source_map_get_filename (v->map), &local);
  if (document == NULL)
    {
      set_unreadable_error (v, local, error);
      return FALSE;
    }

  if (!view_init (next, document, v->logical_id, &local))
    {
      view_clear (next);
      g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_REFUSED,
                   _("the edit was not made: %s"), local->message);
      return FALSE;
    }

  if (!verify (v, t->expected, next->root, shared_values, where))
    {
      view_clear (next);
      g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_INVALID,
                   _("the edit was not made: the new text would not read back as intended "
                     "(at %s); this is a bug, please report it with the file"),
                   where->len > 0 ? where->str + 1 : "the root");
      return FALSE;
    }

  self->live_records = _pw_source_map_get_n_records (next->map);
  return TRUE;
}

/* Applies a transaction's edits, reads the text again and checks it reads
 * as expected; then it is the editor's text, and the edits one more step. */
static gboolean
commit (PwEditor  *self,
        Txn       *t,
        GError   **error)
{
  View *v = &self->view;
  g_autoptr(GBytes) bytes = NULL;
  GArray *step;
  char *text;
  View next;

  if (t->edits->len == 0)
    return TRUE;

  if (!edits_sort (t->edits))
    {
      g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_INVALID,
                   _("the edit was not made: its changes to the text overlap (this is a bug)"));
      return FALSE;
    }

  /* NUL-terminated, for pw_editor_get_text(). */
  text = apply_edits (v->text, 0, v->length, t->edits);
  bytes = g_bytes_new_take (text, strlen (text));

  if (!reread (self, t, bytes, &next, error))
    return FALSE;

  view_clear (&self->view);
  self->view = next;
  g_bytes_unref (self->text);
  self->text = g_steal_pointer (&bytes);

  step = g_array_sized_new (FALSE, FALSE, sizeof (PwTextEdit), t->edits->len);
  g_array_set_clear_func (step, public_edit_clear);
  for (guint i = 0; i < t->edits->len; i++)
    {
      Edit *edit = &g_array_index (t->edits, Edit, i);
      PwTextEdit public = { edit->start, edit->end, g_steal_pointer (&edit->text) };

      g_array_append_val (step, public);
    }
  g_ptr_array_add (self->steps, step);

  return TRUE;
}

static gboolean
resolve_checked (PwEditor      *self,
                 const char    *path,
                 ResolveFlags   flags,
                 Op             op,
                 Route         *route,
                 GError       **error)
{
  return resolve (&self->view, path, flags, route, error) &&
         check_route (&self->view, route, op, error);
}

/* A stage renamed in a template renames its DisableInboundStageTransitions
 * entries too, so they keep naming it. */
static gboolean
rename_stage_transitions (Txn       *t,
                          Route     *route,
                          JsonNode  *value,
                          GError   **error)
{
  View *v = t->v;
  guint d = route->declaration;
  JsonNode *properties, *transitions;
  const char *old_name;

  if (!v->cfn || route->hops->len != d + 4 ||
      g_strcmp0 (route_hop (route, d + 1)->api_key, "stages") != 0 ||
      route_hop (route, d + 2)->key != NULL ||
      g_strcmp0 (route_hop (route, d + 3)->api_key, "name") != 0 ||
      route->n_found != route->hops->len)
    return TRUE;

  old_name = JSON_NODE_HOLDS_VALUE (route_last (route)->node) &&
             json_node_get_value_type (route_last (route)->node) == G_TYPE_STRING
    ? json_node_get_string (route_last (route)->node) : NULL;
  properties = route_hop (route, d)->node;
  transitions = json_object_get_member (json_node_get_object (properties),
                                        "DisableInboundStageTransitions");
  if (old_name == NULL || transitions == NULL || !JSON_NODE_HOLDS_ARRAY (transitions) ||
      json_node_get_value_type (value) != G_TYPE_STRING)
    return TRUE;

  for (guint i = 0; i < json_array_get_length (json_node_get_array (transitions)); i++)
    {
      JsonNode *entry = json_array_get_element (json_node_get_array (transitions), i);
      g_autofree char *path = NULL;
      g_auto(Route) entry_route = { 0 };

      if (g_strcmp0 (string_member (entry, "StageName"), old_name) != 0)
        continue;

      path = g_strdup_printf ("disableInboundStageTransitions[%u].stageName", i);
      if (!resolve (v, path, RESOLVE_EXISTING, &entry_route, error) ||
          !check_route (v, &entry_route, OP_SET, error) ||
          !do_set (t, &entry_route, value, error))
        return FALSE;
    }

  return TRUE;
}

/**
 * pw_editor_set:
 * @path: a model path, as in the diagnostics: `name`, `stages[1].name`,
 *   `stages[1].actions[0].configuration.ProjectName`; camelCase keys even
 *   in CloudFormation templates
 * @value: a scalar or a whole subtree, API-shaped
 *
 * Sets the value at @path, in one step. A missing member is created (and
 * missing mappings above it), appended to its mapping in the style of its
 * siblings. An existing value is replaced keeping its style: the quoting of
 * a scalar where it can still hold the new value, flow or block for a
 * collection; a subtree is written member by member, so only what changes
 * is touched. A string that would read as something else (`"1"`, `"true"`)
 * is quoted. Setting a stage's name in a template renames its
 * DisableInboundStageTransitions entries too.
 *
 * A member that a YAML merge key (`<<`) brings in is overridden by an
 * explicit key in the mapping; a path that goes through an alias, a merged
 * member or a CloudFormation intrinsic is refused with the reason, and
 * nothing changes.
 *
 * Returns: %TRUE when the edit was made (or changed nothing)
 */
gboolean
pw_editor_set (PwEditor    *self,
               const char  *path,
               JsonNode    *value,
               GError     **error)
{
  g_auto(Route) route = { 0 };
  g_auto(Txn) t = { 0 };

  g_return_val_if_fail (PW_IS_EDITOR (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  if (!resolve_checked (self, path, RESOLVE_MISSING_KEYS, OP_SET, &route, error))
    return FALSE;

  txn_init (&t, &self->view);
  if (!rename_stage_transitions (&t, &route, value, error) ||
      !do_set (&t, &route, value, error))
    return FALSE;

  return commit (self, &t, error);
}

/**
 * pw_editor_remove:
 * @path: a member or a list element
 *
 * Removes the value at @path with its whole lines: the key or dash line,
 * the value's lines, a trailing comment on the last one and the comment
 * lines directly above it; in flow style and JSON, with its comma. A
 * mapping or list emptied by it becomes `{}` or `[]` and keeps its key
 * (the key was not asked to go, and an empty `configuration: {}` or
 * `inputArtifacts: []` is what the API takes; an empty `actions: []` is
 * what validation then reports).
 *
 * Returns: %TRUE when the value was removed
 */
gboolean
pw_editor_remove (PwEditor    *self,
                  const char  *path,
                  GError     **error)
{
  g_auto(Route) route = { 0 };
  g_auto(Txn) t = { 0 };

  g_return_val_if_fail (PW_IS_EDITOR (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!resolve_checked (self, path, RESOLVE_EXISTING, OP_REMOVE, &route, error))
    return FALSE;

  txn_init (&t, &self->view);
  if (!do_remove (&t, &route, error))
    return FALSE;

  return commit (self, &t, error);
}

/**
 * pw_editor_insert:
 * @array_path: a list, created (as a member) when missing
 * @index: where in it; -1 appends
 * @value: the new element, API-shaped
 *
 * Inserts an element, written in the style of its siblings.
 *
 * Returns: %TRUE when it was inserted
 */
gboolean
pw_editor_insert (PwEditor    *self,
                  const char  *array_path,
                  int          index,
                  JsonNode    *value,
                  GError     **error)
{
  g_auto(Route) route = { 0 };
  g_auto(Txn) t = { 0 };

  g_return_val_if_fail (PW_IS_EDITOR (self), FALSE);
  g_return_val_if_fail (array_path != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  if (!resolve_checked (self, array_path, RESOLVE_MISSING_KEYS, OP_INSERT, &route, error))
    return FALSE;

  txn_init (&t, &self->view);
  if (!do_insert (&t, &route, index, value, error))
    return FALSE;

  return commit (self, &t, error);
}

static gboolean
check_element (Route       *route,
               GError     **error)
{
  Hop *hop = route_last (route);

  if (route->hops->len - 1 <= route->declaration || hop->key != NULL || hop->parent == NULL ||
      !JSON_NODE_HOLDS_ARRAY (hop->parent))
    {
      g_autofree char *what = path_to_string (route->segments, route->segments->len);

      g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_INVALID,
                   _("%s is not a list item; only list items can be moved"),
                   what[0] != '\0' ? what : _("the pipeline"));
      return FALSE;
    }

  return TRUE;
}

/* The index a move or an insertion goes to, in the list after the element
 * left it; FALSE with @error when out of range. */
static gboolean
target_index (Route   *to,
              guint    n_after,
              int      index,
              guint   *result,
              GError **error)
{
  guint last = to->hops->len - 1;

  if (index < 0)
    index = (int)n_after;
  if ((guint)index > n_after)
    {
      g_autofree char *what = route_path (to, last);

      g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_NOT_FOUND,
                   g_dngettext (GETTEXT_PACKAGE,
                                "cannot move to %s[%d]: it would have %u item",
                                "cannot move to %s[%d]: it would have %u items", n_after),
                   what, index, n_after);
      return FALSE;
    }

  *result = (guint)index;
  return TRUE;
}

/**
 * pw_editor_move:
 * @path: a list element
 * @to_array_path: the list it goes to (created as a member when missing)
 * @index: its index there, in the list after it left its place; -1 appends
 *
 * Moves an element, in one step: its lines go from one place to the other
 * with their comments, re-indented; nothing else moves. Where the two
 * lists are not written alike (block and flow) it is written anew. Moving
 * an element to where it is changes nothing and makes no step.
 *
 * Returns: %TRUE when it was moved
 */
gboolean
pw_editor_move (PwEditor    *self,
                const char  *path,
                const char  *to_array_path,
                int          index,
                GError     **error)
{
  g_auto(Route) from = { 0 };
  g_auto(Route) to = { 0 };
  g_auto(Txn) t = { 0 };
  Hop *target;
  guint n_after;
  guint at;

  g_return_val_if_fail (PW_IS_EDITOR (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (to_array_path != NULL, FALSE);

  if (!resolve_checked (self, path, RESOLVE_EXISTING, OP_MOVE, &from, error) ||
      !check_element (&from, error) ||
      !resolve_checked (self, to_array_path, RESOLVE_MISSING_KEYS, OP_INSERT, &to, error))
    return FALSE;

  target = route_last (&to);
  if (target->node != NULL && !JSON_NODE_HOLDS_ARRAY (target->node) && !JSON_NODE_HOLDS_NULL (target->node))
    {
      g_autofree char *what = route_path (&to, to.hops->len - 1);

      g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_INVALID,
                   _("%s is %s, not a list; nothing can be moved into it"),
                   what, _pw_json_type_name (target->node));
      return FALSE;
    }

  n_after = target->node != NULL ? container_size (target->node) : 0;
  if (target->node == route_last (&from)->parent)
    n_after--;
  if (!target_index (&to, n_after, index, &at, error))
    return FALSE;

  if (target->node == route_last (&from)->parent && at == route_last (&from)->index)
    return TRUE;

  txn_init (&t, &self->view);
  if (!do_move (&t, &from, &to, (int)at, NULL, error))
    return FALSE;

  return commit (self, &t, error);
}

/* Pipeline-aware edits ------------------------------------------------------------------ */

/* An action's runOrder as a number: 1 when it has none, -1 when it is not
 * one (an intrinsic). CloudFormation takes "2" for 2. */
static gint64
run_order_of (View     *v,
              JsonNode *action)
{
  JsonNode *node;

  if (action == NULL || !JSON_NODE_HOLDS_OBJECT (action))
    return -1;

  node = json_object_get_member (json_node_get_object (action), v->cfn ? "RunOrder" : "runOrder");
  if (node == NULL)
    return 1;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (node);
      char *end = NULL;
      gint64 value = g_ascii_strtoll (text, &end, 10);

      if (text[0] != '\0' && end != NULL && *end == '\0')
        return value;
    }

  return -1;
}

static gboolean
set_run_order (Txn       *t,
               guint      stage,
               guint      action,
               gint64     run_order,
               GError   **error)
{
  g_autofree char *path = g_strdup_printf ("stages[%u].actions[%u].runOrder", stage, action);
  g_autoptr(JsonNode) value = _pw_json_new_int (run_order);
  g_auto(Route) route = { 0 };

  return resolve (t->v, path, RESOLVE_MISSING_KEYS, &route, error) &&
         check_route (t->v, &route, OP_SET, error) &&
         do_set (t, &route, value, error);
}

/* Makes room for a new group: every action of @stage but @skip whose
 * runOrder is @run_order or more gets one more. */
static gboolean
open_group (Txn       *t,
            guint      stage,
            int        skip,
            gint64     run_order,
            GError   **error)
{
  View *v = t->v;
  g_autofree char *path = g_strdup_printf ("stages[%u].actions", stage);
  g_auto(Route) route = { 0 };
  JsonArray *actions;

  if (!resolve (v, path, RESOLVE_MISSING_KEYS, &route, error))
    return FALSE;
  if (route_last (&route)->node == NULL || !JSON_NODE_HOLDS_ARRAY (route_last (&route)->node))
    return TRUE;

  actions = json_node_get_array (route_last (&route)->node);
  for (guint i = 0; i < json_array_get_length (actions); i++)
    {
      JsonNode *action = json_array_get_element (actions, i);
      gint64 current;

      if ((int)i == skip)
        continue;

      current = run_order_of (v, action);
      if (current < 0)
        {
          g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_REFUSED,
                       _("stages[%u].actions[%u].runOrder is not a number, so a new group "
                         "cannot be made room for before it; set it to a number first"),
                       stage, i);
          return FALSE;
        }
      if (current >= run_order && !set_run_order (t, stage, i, current + 1, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
check_run_order (gint64    run_order,
                 GError  **error)
{
  if (run_order >= 1 && run_order <= 999)
    return TRUE;

  g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_INVALID,
               _("runOrder %" G_GINT64_FORMAT " is out of range: it is 1 to 999"), run_order);
  return FALSE;
}

/**
 * pw_editor_move_action:
 * @stage: the stage of the action
 * @action: the action, in that stage
 * @to_stage: where it goes (may be @stage)
 * @to_index: its index in @to_stage's actions after it left its place;
 *   -1 appends
 * @run_order: its runOrder afterwards. 1 is the default: an action that
 *   had none and goes to group 1 gets none written.
 * @new_group: first add 1 to the runOrder of every other action of
 *   @to_stage whose runOrder is @run_order or more, so the action makes a
 *   group of its own in that gap
 *
 * Moves an action, as one step: its lines leave one place and arrive,
 * re-indented, at the other, with their comments.
 *
 * Returns: %TRUE when it was moved
 */
gboolean
pw_editor_move_action (PwEditor    *self,
                       guint        stage,
                       guint        action,
                       guint        to_stage,
                       int          to_index,
                       gint64       run_order,
                       gboolean     new_group,
                       GError     **error)
{
  View *v = &self->view;
  g_autofree char *from_path = g_strdup_printf ("stages[%u].actions[%u]", stage, action);
  g_autofree char *to_path = g_strdup_printf ("stages[%u].actions", to_stage);
  g_autofree char *stage_path = g_strdup_printf ("stages[%u]", to_stage);
  g_auto(Route) from = { 0 };
  g_auto(Route) to = { 0 };
  g_auto(Route) target_stage = { 0 };
  g_auto(Txn) t = { 0 };
  g_autoptr(GArray) inner = NULL;
  GArray *edits;
  JsonNode *node;
  gint64 current;
  guint n_after;
  guint at;

  g_return_val_if_fail (PW_IS_EDITOR (self), FALSE);

  if (!check_run_order (run_order, error) ||
      !resolve_checked (self, from_path, RESOLVE_EXISTING, OP_MOVE, &from, error) ||
      !resolve_checked (self, stage_path, RESOLVE_EXISTING, OP_INSERT, &target_stage, error) ||
      !resolve_checked (self, to_path, RESOLVE_MISSING_KEYS, OP_INSERT, &to, error))
    return FALSE;

  node = route_last (&from)->node;
  if (route_last (&to)->node != NULL && !JSON_NODE_HOLDS_ARRAY (route_last (&to)->node) &&
      !JSON_NODE_HOLDS_NULL (route_last (&to)->node))
    {
      g_autofree char *what = route_path (&to, to.hops->len - 1);

      g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_INVALID,
                   _("%s is %s, not a list; nothing can be moved into it"),
                   what, _pw_json_type_name (route_last (&to)->node));
      return FALSE;
    }
  n_after = route_last (&to)->node != NULL ? container_size (route_last (&to)->node) : 0;
  if (stage == to_stage)
    n_after--;
  if (!target_index (&to, n_after, to_index, &at, error))
    return FALSE;

  current = run_order_of (v, node);
  txn_init (&t, v);

  if (new_group && !open_group (&t, to_stage, stage == to_stage ? (int)action : -1, run_order, error))
    return FALSE;

  /* The action's own runOrder is edited in its text, which moves. */
  inner = edits_new ();
  edits = t.edits;
  t.edits = inner;
  if (current != run_order && JSON_NODE_HOLDS_OBJECT (node) &&
      (current >= 0 || json_object_has_member (json_node_get_object (node), v->cfn ? "RunOrder" : "runOrder")))
    {
      if (!set_run_order (&t, stage, action, run_order, error))
        {
          t.edits = edits;
          return FALSE;
        }
    }
  t.edits = edits;

  if (stage == to_stage && at == action && inner->len == 0 && t.edits->len == 0)
    return TRUE;

  if (stage == to_stage && at == action)
    {
      /* Same place: the runOrder edits are all there is. */
      for (guint i = 0; i < inner->len; i++)
        {
          Edit edit = g_array_index (inner, Edit, i);

          edit.text = g_strdup (edit.text);
          g_array_append_val (t.edits, edit);
        }
    }
  else if (!do_move (&t, &from, &to, (int)at, inner, error))
    return FALSE;

  return commit (self, &t, error);
}

/**
 * pw_editor_add_action:
 * @stage: the stage
 * @index: where among its actions; -1 appends
 * @action: an API-shaped action; its runOrder (1 when it has none) decides
 *   its group
 * @new_group: first make room for it, as pw_editor_move_action() does
 *
 * Adds an action, written like its siblings, in one step.
 *
 * Returns: %TRUE when it was added
 */
gboolean
pw_editor_add_action (PwEditor    *self,
                      guint        stage,
                      int          index,
                      JsonNode    *action,
                      gboolean     new_group,
                      GError     **error)
{
  g_autofree char *path = g_strdup_printf ("stages[%u].actions", stage);
  g_autofree char *stage_path = g_strdup_printf ("stages[%u]", stage);
  g_auto(Route) route = { 0 };
  g_auto(Route) stage_route = { 0 };
  g_auto(Txn) t = { 0 };
  JsonNode *run_order;
  gint64 order = 1;

  g_return_val_if_fail (PW_IS_EDITOR (self), FALSE);
  g_return_val_if_fail (action != NULL, FALSE);

  if (!JSON_NODE_HOLDS_OBJECT (action))
    {
      g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_INVALID,
                   _("an action is a mapping of its fields (name, actionTypeId, …), not %s"),
                   _pw_json_type_name (action));
      return FALSE;
    }

  run_order = json_object_get_member (json_node_get_object (action), "runOrder");
  if (run_order != NULL && JSON_NODE_HOLDS_VALUE (run_order) &&
      json_node_get_value_type (run_order) == G_TYPE_INT64)
    order = json_node_get_int (run_order);

  if ((new_group && !check_run_order (order, error)) ||
      !resolve_checked (self, stage_path, RESOLVE_EXISTING, OP_INSERT, &stage_route, error) ||
      !resolve_checked (self, path, RESOLVE_MISSING_KEYS, OP_INSERT, &route, error))
    return FALSE;

  txn_init (&t, &self->view);
  if ((new_group && !open_group (&t, stage, -1, order, error)) ||
      !do_insert (&t, &route, index, action, error))
    return FALSE;

  return commit (self, &t, error);
}

/**
 * pw_editor_add_stage:
 * @position: where among the stages; -1 appends
 * @stage: an API-shaped stage
 *
 * Adds a stage, written like its siblings, in one step.
 *
 * Returns: %TRUE when it was added
 */
gboolean
pw_editor_add_stage (PwEditor    *self,
                     int          position,
                     JsonNode    *stage,
                     GError     **error)
{
  g_return_val_if_fail (PW_IS_EDITOR (self), FALSE);
  g_return_val_if_fail (stage != NULL, FALSE);

  if (!JSON_NODE_HOLDS_OBJECT (stage))
    {
      g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_INVALID,
                   _("a stage is a mapping of its fields (name, actions, …), not %s"),
                   _pw_json_type_name (stage));
      return FALSE;
    }

  return pw_editor_insert (self, "stages", position, stage, error);
}

/**
 * pw_editor_move_stage:
 * @stage: the stage
 * @to_position: its index afterwards
 *
 * Moves a stage, with its comments, in one step.
 *
 * Returns: %TRUE when it was moved
 */
gboolean
pw_editor_move_stage (PwEditor    *self,
                      guint        stage,
                      guint        to_position,
                      GError     **error)
{
  g_autofree char *path = g_strdup_printf ("stages[%u]", stage);

  g_return_val_if_fail (PW_IS_EDITOR (self), FALSE);
  g_return_val_if_fail (to_position <= G_MAXINT, FALSE);

  return pw_editor_move (self, path, "stages", (int)to_position, error);
}

/**
 * pw_editor_get_text:
 * @length: (out) (optional): its length in bytes
 *
 * Returns: the text after the steps so far, NUL-terminated
 */
const char *
pw_editor_get_text (PwEditor *self,
                    gsize    *length)
{
  g_return_val_if_fail (PW_IS_EDITOR (self), NULL);

  return g_bytes_get_data (self->text, length);
}

guint
pw_editor_get_n_steps (PwEditor *self)
{
  g_return_val_if_fail (PW_IS_EDITOR (self), 0);

  return self->steps->len;
}

/**
 * pw_editor_get_step:
 * @n_edits: (out): how many edits the step has
 *
 * The replacements of one step, sorted by start and not overlapping, with
 * offsets into the text as it was before that step: applying step 0, then
 * step 1, … to the original text gives pw_editor_get_text().
 *
 * Returns: (array length=n_edits): the step's edits
 */
const PwTextEdit *
pw_editor_get_step (PwEditor *self,
                    guint     step,
                    guint    *n_edits)
{
  GArray *edits;

  g_return_val_if_fail (PW_IS_EDITOR (self), NULL);
  g_return_val_if_fail (step < self->steps->len, NULL);
  g_return_val_if_fail (n_edits != NULL, NULL);

  edits = g_ptr_array_index (self->steps, step);
  *n_edits = edits->len;

  return (const PwTextEdit *)(gpointer)edits->data;
}

/**
 * pw_editor_get_document:
 *
 * Returns: (transfer none): the document read from the current text
 */
PwDocument *
pw_editor_get_document (PwEditor *self)
{
  g_return_val_if_fail (PW_IS_EDITOR (self), NULL);

  return self->view.document;
}

/* Queries: from a path to its text, and back -------------------------------------------- */

/**
 * pw_document_get_path_span:
 * @logical_id: (nullable): for a template, which pipeline; %NULL: the first
 * @path: a model path; "" is the whole pipeline declaration
 * @start: (out): where the node's text starts: a member's key, an
 *   element's value
 * @end: (out): where its value ends (less trailing blanks and line breaks)
 *
 * Finds where a node of the pipeline is written, so a view can select it.
 *
 * Returns: %TRUE when @path names a node of the pipeline
 */
gboolean
pw_document_get_path_span (PwDocument  *self,
                           const char  *logical_id,
                           const char  *path,
                           gsize       *start,
                           gsize       *end)
{
  View v;
  g_auto(Route) route = { 0 };
  gboolean found = FALSE;
  Span span;

  g_return_val_if_fail (PW_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (view_init (&v, self, logical_id, NULL) &&
      resolve (&v, path, RESOLVE_EXISTING, &route, NULL))
    {
      guint k = target_hop (&route);
      Hop *hop = route_hop (&route, k);

      if (span_of (&v, hop->node, &span))
        {
          found = TRUE;
          if (start != NULL)
            *start = hop->key != NULL && span.has_key && k > route.declaration ? span.key_start
                                                                               : span.start;
          if (end != NULL)
            *end = span.content_end;
        }
    }

  view_clear (&v);
  return found;
}

/* The deepest member or element of @node whose text holds @offset. */
static void
path_at (View     *v,
         JsonNode *node,
         gboolean  convert,
         gboolean  stores,
         gsize     offset,
         GString  *path)
{
  ContainerStyle style;
  g_autoptr(GArray) items = NULL;
  Span span;

  if (!is_container (node) || !span_of (v, node, &span) ||
      (span.flags & PW_SOURCE_SPAN_ALIAS) != 0 || (v->cfn && convert && pw_cfn_is_intrinsic (node)))
    return;

  style = container_style (v, node);
  items = container_items (v, node, style);

  for (guint i = 0; i < items->len; i++)
    {
      const Item *item = &g_array_index (items, Item, i);
      Segment segment = { NULL, item->index };
      const char *api = NULL;

      if (offset < item->first || offset > item->span.content_end)
        continue;

      if (item->key != NULL)
        {
          api = convert ? _pw_cfn_key_to_api (item->key) : NULL;
          segment.key = (char *)(api != NULL ? api : item->key);
          path_append (path, &segment);
          path_at (v, item->node, convert && api != NULL && !g_str_equal (api, "configuration"),
                   convert && g_strcmp0 (api, "artifactStores") == 0, offset, path);
        }
      else if (stores && string_member (item->node, "Region") != NULL)
        {
          /* ArtifactStores[i] of a template is artifactStores.<region>. */
          JsonNode *store = json_object_get_member (json_node_get_object (item->node), "ArtifactStore");
          Span store_span;

          segment.key = (char *)string_member (item->node, "Region");
          path_append (path, &segment);
          if (store != NULL && span_of (v, store, &store_span) && store_span.has_key &&
              offset >= store_span.key_start && offset <= store_span.content_end)
            path_at (v, store, TRUE, FALSE, offset, path);
        }
      else
        {
          path_append (path, &segment);
          path_at (v, item->node, convert, FALSE, offset, path);
        }
      return;
    }
}

/**
 * pw_document_dup_path_at:
 * @logical_id: (nullable): for a template, which pipeline
 * @offset: a byte offset into the document's text
 *
 * The model path of the deepest node whose text (for a member, from its
 * key; for a block list item, from its '-') holds @offset, so a view can
 * select on the canvas what the cursor is on in the text.
 *
 * Returns: (transfer full) (nullable): the path ("" for the declaration
 *   itself), or %NULL when @offset is outside the pipeline
 */
char *
pw_document_dup_path_at (PwDocument *self,
                         const char *logical_id,
                         gsize       offset)
{
  View v;
  g_auto(Route) route = { 0 };
  GString *path = NULL;
  Span span;

  g_return_val_if_fail (PW_IS_DOCUMENT (self), NULL);

  if (view_init (&v, self, logical_id, NULL) && resolve (&v, "", RESOLVE_EXISTING, &route, NULL))
    {
      JsonNode *declaration = route_hop (&route, route.declaration)->node;
      JsonNode *tags = v.cfn ? NULL : json_object_get_member (json_node_get_object (v.root), "tags");

      if (span_of (&v, declaration, &span) && offset >= span.start && offset <= span.content_end)
        {
          path = g_string_new (NULL);
          path_at (&v, declaration, v.cfn, FALSE, offset, path);
        }
      else if (tags != NULL && span_of (&v, tags, &span) && span.has_key &&
               offset >= span.key_start && offset <= span.content_end)
        {
          path = g_string_new ("tags");
          path_at (&v, tags, FALSE, FALSE, offset, path);
        }
    }

  view_clear (&v);
  return path != NULL ? g_string_free (path, FALSE) : NULL;
}

/* How many steps were read again in part: for the tests. */
guint
_pw_editor_get_n_partial (PwEditor *self)
{
  return self->n_partial;
}
