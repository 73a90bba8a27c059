/* pw-event-pattern.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-event-pattern"

#include "config.h"

#include <math.h>
#include <string.h>

#include "pw-engine.h"

/* EventBridge event patterns, as its content filtering defines them: a
 * pattern is an object whose leaves are lists of what a field may be. A
 * value in a list matches equal values (strings, numbers, booleans,
 * null); an object in a list is a filter: prefix, suffix, anything-but
 * (a value, a list, or {prefix}/{suffix}), numeric (comparisons),
 * exists, equals-ignore-case, wildcard (`*` for any run). An event field
 * that is a list matches when one of its elements does. `$or` holds a
 * list of patterns, any of which may match. */

#define MAX_DEPTH 32

static gboolean check_object (JsonNode *pattern, const char *path, guint depth, char **message);

static const char *
kind (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return "null";
  if (JSON_NODE_HOLDS_OBJECT (node))
    return "an object";
  if (JSON_NODE_HOLDS_ARRAY (node))
    return "a list";
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return "a string";
    case G_TYPE_BOOLEAN:
      return "a boolean";
    default:
      return "a number";
    }
}

static gboolean
is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
is_number (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         (json_node_get_value_type (node) == G_TYPE_INT64 || json_node_get_value_type (node) == G_TYPE_DOUBLE);
}

static double
number (JsonNode *node)
{
  return json_node_get_value_type (node) == G_TYPE_INT64 ? (double)json_node_get_int (node)
                                                         : json_node_get_double (node);
}

static gboolean
fail (char       **message,
      const char  *format,
      ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (char       **message,
      const char  *format,
      ...)
{
  va_list args;

  if (message != NULL)
    {
      va_start (args, format);
      *message = g_strdup_vprintf (format, args);
      va_end (args);
    }
  return FALSE;
}

static gboolean
check_numeric (JsonNode   *operand,
               const char *path,
               char      **message)
{
  JsonArray *list;
  guint n;

  if (!JSON_NODE_HOLDS_ARRAY (operand) || (n = json_array_get_length (list = json_node_get_array (operand))) == 0 ||
      n % 2 != 0 || n > 4)
    return fail (message, "\"numeric\" at %s takes one or two comparisons, e.g. [\">\", 0, \"<=\", 5]", path);
  for (guint i = 0; i < n; i += 2)
    {
      JsonNode *op = json_array_get_element (list, i);
      static const char * const ops[] = { "<", "<=", "=", ">", ">=", NULL };

      if (!is_string (op) || !g_strv_contains (ops, json_node_get_string (op)))
        return fail (message, "\"numeric\" at %s compares with <, <=, =, > or >=, not %s", path,
                     is_string (op) ? json_node_get_string (op) : kind (op));
      if (!is_number (json_array_get_element (list, i + 1)))
        return fail (message, "\"numeric\" at %s compares with numbers, not %s", path,
                     kind (json_array_get_element (list, i + 1)));
    }
  return TRUE;
}

static gboolean
check_filter (JsonNode   *filter,
              const char *path,
              char      **message)
{
  JsonObject *object = json_node_get_object (filter);
  JsonObjectIter iter;
  const char *name;
  JsonNode *operand;

  if (json_object_get_size (object) != 1)
    return fail (message, "a filter at %s has exactly one key (prefix, suffix, anything-but, numeric, exists, "
                 "equals-ignore-case, wildcard)", path);
  json_object_iter_init (&iter, object);
  json_object_iter_next (&iter, &name, &operand);

  if (g_str_equal (name, "prefix") || g_str_equal (name, "suffix") || g_str_equal (name, "equals-ignore-case") ||
      g_str_equal (name, "wildcard"))
    {
      if (!is_string (operand))
        return fail (message, "\"%s\" at %s takes a string, not %s", name, path, kind (operand));
      return TRUE;
    }
  if (g_str_equal (name, "exists"))
    {
      if (!JSON_NODE_HOLDS_VALUE (operand) || json_node_get_value_type (operand) != G_TYPE_BOOLEAN)
        return fail (message, "\"exists\" at %s takes true or false, not %s", path, kind (operand));
      return TRUE;
    }
  if (g_str_equal (name, "numeric"))
    return check_numeric (operand, path, message);
  if (g_str_equal (name, "anything-but"))
    {
      if (JSON_NODE_HOLDS_OBJECT (operand))
        {
          JsonObject *inner = json_node_get_object (operand);

          if (json_object_get_size (inner) != 1 ||
              !(json_object_has_member (inner, "prefix") || json_object_has_member (inner, "suffix") ||
                json_object_has_member (inner, "equals-ignore-case")) ||
              !is_string (json_object_get_member (inner, json_object_has_member (inner, "prefix") ? "prefix"
                                                          : json_object_has_member (inner, "suffix") ? "suffix"
                                                          : "equals-ignore-case")))
            return fail (message, "\"anything-but\" at %s takes a value, a list of values, or one of "
                         "{\"prefix\": \"…\"}, {\"suffix\": \"…\"}, {\"equals-ignore-case\": \"…\"}", path);
          return TRUE;
        }
      if (JSON_NODE_HOLDS_ARRAY (operand))
        {
          JsonArray *list = json_node_get_array (operand);

          for (guint i = 0; i < json_array_get_length (list); i++)
            if (!JSON_NODE_HOLDS_VALUE (json_array_get_element (list, i)))
              return fail (message, "\"anything-but\" at %s lists strings or numbers, not %s", path,
                           kind (json_array_get_element (list, i)));
          return TRUE;
        }
      if (!JSON_NODE_HOLDS_VALUE (operand))
        return fail (message, "\"anything-but\" at %s takes a value or a list, not %s", path, kind (operand));
      return TRUE;
    }
  return fail (message, "unknown filter \"%s\" at %s; EventBridge has prefix, suffix, anything-but, numeric, "
               "exists, equals-ignore-case and wildcard", name, path);
}

static gboolean
check_list (JsonNode   *list,
            const char *path,
            char      **message)
{
  JsonArray *array = json_node_get_array (list);

  if (json_array_get_length (array) == 0)
    return fail (message, "the list at %s is empty: it would match nothing", path);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_ARRAY (element))
        return fail (message, "the list at %s holds a list; it holds values and filters", path);
      if (JSON_NODE_HOLDS_OBJECT (element) && !check_filter (element, path, message))
        return FALSE;
    }
  return TRUE;
}

static gboolean
check_object (JsonNode   *pattern,
              const char *path,
              guint       depth,
              char      **message)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  if (depth > MAX_DEPTH)
    return fail (message, "the pattern nests deeper than %d levels at %s", MAX_DEPTH, path);
  if (!JSON_NODE_HOLDS_OBJECT (pattern))
    return fail (message, "the pattern%s%s must be an object, not %s", *path != '\0' ? " at " : "", path,
                 kind (pattern));

  json_object_iter_init (&iter, json_node_get_object (pattern));
  while (json_object_iter_next (&iter, &name, &value))
    {
      g_autofree char *inner = *path != '\0' ? g_strdup_printf ("%s.%s", path, name) : g_strdup (name);

      if (g_str_equal (name, "$or"))
        {
          JsonArray *alternatives;

          if (!JSON_NODE_HOLDS_ARRAY (value) || json_array_get_length (alternatives = json_node_get_array (value)) < 2)
            return fail (message, "\"$or\" at %s takes a list of at least two patterns", *path ? path : "the top");
          for (guint i = 0; i < json_array_get_length (alternatives); i++)
            if (!check_object (json_array_get_element (alternatives, i), *path ? path : "the top", depth + 1, message))
              return FALSE;
          continue;
        }
      if (JSON_NODE_HOLDS_OBJECT (value))
        {
          if (!check_object (value, inner, depth + 1, message))
            return FALSE;
          continue;
        }
      if (!JSON_NODE_HOLDS_ARRAY (value))
        return fail (message, "%s must be a list of values (e.g. [\"%s\"]) or an object, not %s", inner,
                     is_string (value) ? json_node_get_string (value) : "…", kind (value));
      if (!check_list (value, inner, message))
        return FALSE;
    }
  return TRUE;
}

/**
 * pw_event_pattern_check:
 * @pattern: an EventBridge event pattern
 * @message: (out) (optional): what is wrong, naming the field
 *
 * Returns: whether @pattern is one EventBridge would take
 */
gboolean
pw_event_pattern_check (JsonNode  *pattern,
                        char     **message)
{
  g_return_val_if_fail (pattern != NULL, FALSE);

  return check_object (pattern, "", 0, message);
}

/* `*` stands for any run of characters; `\*` for a star. */
static gboolean
wildcard_matches (const char *pattern,
                  const char *text)
{
  const char *star = NULL;
  const char *resume = NULL;

  while (*text != '\0')
    {
      if (pattern[0] == '\\' && pattern[1] == '*')
        {
          /* An escaped star is a star, and nothing else. */
          if (*text == '*')
            {
              pattern += 2;
              text++;
              continue;
            }
          if (star == NULL)
            return FALSE;
          pattern = star;
          text = ++resume;
        }
      else if (*pattern == '*')
        {
          star = ++pattern;
          resume = text;
        }
      else if (*pattern != '\0' && *pattern == *text)
        {
          pattern++;
          text++;
        }
      else if (star != NULL)
        {
          pattern = star;
          text = ++resume;
        }
      else
        return FALSE;
    }
  while (*pattern == '*')
    pattern++;
  return *pattern == '\0';
}

static gboolean
values_equal (JsonNode *a,
              JsonNode *b)
{
  if (JSON_NODE_HOLDS_NULL (a) || JSON_NODE_HOLDS_NULL (b))
    return JSON_NODE_HOLDS_NULL (a) && JSON_NODE_HOLDS_NULL (b);
  if (!JSON_NODE_HOLDS_VALUE (a) || !JSON_NODE_HOLDS_VALUE (b))
    return FALSE;
  if (is_number (a) && is_number (b))
    return number (a) == number (b);
  if (is_string (a) && is_string (b))
    return g_str_equal (json_node_get_string (a), json_node_get_string (b));
  if (json_node_get_value_type (a) == G_TYPE_BOOLEAN && json_node_get_value_type (b) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (a) == json_node_get_boolean (b);
  return FALSE;
}

static gboolean
compare (const char *op,
         double      value,
         double      bound)
{
  if (g_str_equal (op, "<"))
    return value < bound;
  if (g_str_equal (op, "<="))
    return value <= bound;
  if (g_str_equal (op, "="))
    return value == bound;
  if (g_str_equal (op, ">"))
    return value > bound;
  return value >= bound;
}

/* One event value (never a list) against one filter object. */
static gboolean
filter_matches (JsonObject *filter,
                JsonNode   *value)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *operand;
  const char *text = is_string (value) ? json_node_get_string (value) : NULL;

  json_object_iter_init (&iter, filter);
  json_object_iter_next (&iter, &name, &operand);

  if (g_str_equal (name, "prefix"))
    return text != NULL && g_str_has_prefix (text, json_node_get_string (operand));
  if (g_str_equal (name, "suffix"))
    return text != NULL && g_str_has_suffix (text, json_node_get_string (operand));
  if (g_str_equal (name, "equals-ignore-case"))
    {
      g_autofree char *a = text != NULL ? g_utf8_casefold (text, -1) : NULL;
      g_autofree char *b = g_utf8_casefold (json_node_get_string (operand), -1);

      return a != NULL && g_str_equal (a, b);
    }
  if (g_str_equal (name, "wildcard"))
    return text != NULL && wildcard_matches (json_node_get_string (operand), text);
  if (g_str_equal (name, "exists"))
    return json_node_get_boolean (operand);   /* the field is there */
  if (g_str_equal (name, "numeric"))
    {
      JsonArray *list = json_node_get_array (operand);

      if (!is_number (value))
        return FALSE;
      for (guint i = 0; i + 1 < json_array_get_length (list); i += 2)
        if (!compare (json_array_get_string_element (list, i), number (value),
                      number (json_array_get_element (list, i + 1))))
          return FALSE;
      return TRUE;
    }
  if (g_str_equal (name, "anything-but"))
    {
      if (JSON_NODE_HOLDS_OBJECT (operand))
        {
          JsonObject *inner = json_node_get_object (operand);

          /* What the inner filter would match is excluded. */
          return !filter_matches (inner, value);
        }
      if (JSON_NODE_HOLDS_ARRAY (operand))
        {
          JsonArray *list = json_node_get_array (operand);

          for (guint i = 0; i < json_array_get_length (list); i++)
            if (values_equal (json_array_get_element (list, i), value))
              return FALSE;
          return TRUE;
        }
      return !values_equal (operand, value);
    }
  return FALSE;
}

static gboolean
element_matches (JsonNode *element,
                 JsonNode *value)
{
  if (JSON_NODE_HOLDS_OBJECT (element))
    return filter_matches (json_node_get_object (element), value);
  return values_equal (element, value);
}

/* The field @value (NULL: absent) against the list of what it may be. */
static gboolean
list_matches (JsonArray *list,
              JsonNode  *value)
{
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *element = json_array_get_element (list, i);

      /* {"exists": false} is the one filter an absent field matches;
       * an absent field matches nothing else. */
      if (JSON_NODE_HOLDS_OBJECT (element) && json_object_has_member (json_node_get_object (element), "exists"))
        {
          gboolean wanted = json_object_get_boolean_member (json_node_get_object (element), "exists");

          if (wanted == (value != NULL && !JSON_NODE_HOLDS_OBJECT (value)))
            return TRUE;
          continue;
        }
      if (value == NULL)
        continue;
      if (JSON_NODE_HOLDS_ARRAY (value))
        {
          JsonArray *values = json_node_get_array (value);

          for (guint j = 0; j < json_array_get_length (values); j++)
            if (element_matches (element, json_array_get_element (values, j)))
              return TRUE;
          continue;
        }
      if (JSON_NODE_HOLDS_OBJECT (value))
        continue;
      if (element_matches (element, value))
        return TRUE;
    }
  return FALSE;
}

static gboolean
object_matches (JsonObject *pattern,
                JsonObject *event)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *wanted;

  json_object_iter_init (&iter, pattern);
  while (json_object_iter_next (&iter, &name, &wanted))
    {
      JsonNode *value = event != NULL ? json_object_get_member (event, name) : NULL;

      if (g_str_equal (name, "$or"))
        {
          JsonArray *alternatives = json_node_get_array (wanted);
          gboolean any = FALSE;

          for (guint i = 0; i < json_array_get_length (alternatives) && !any; i++)
            any = object_matches (json_array_get_object_element (alternatives, i), event);
          if (!any)
            return FALSE;
          continue;
        }
      if (JSON_NODE_HOLDS_OBJECT (wanted))
        {
          if (!object_matches (json_node_get_object (wanted),
                               value != NULL && JSON_NODE_HOLDS_OBJECT (value) ? json_node_get_object (value)
                                                                                : NULL))
            return FALSE;
          continue;
        }
      if (!list_matches (json_node_get_array (wanted), value))
        return FALSE;
    }
  return TRUE;
}

/**
 * pw_event_pattern_matches:
 * @pattern: a pattern pw_event_pattern_check() took, or %NULL (every
 *   event)
 * @event: an event as `.pipewright/events.jsonl` holds it
 *
 * Returns: whether EventBridge would hand @event to a rule with @pattern
 */
gboolean
pw_event_pattern_matches (JsonNode *pattern,
                          JsonNode *event)
{
  g_return_val_if_fail (event != NULL, FALSE);

  if (pattern == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (pattern) || !JSON_NODE_HOLDS_OBJECT (event))
    return FALSE;
  return object_matches (json_node_get_object (pattern), json_node_get_object (event));
}
