/* pw-api-model.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The CodePipeline service model (botocore's `service-2.json`, 1.43,
 * Apache-2.0, compiled in as a resource) checks every request's input
 * before an operation sees it, as the service does: a member of the wrong
 * JSON type is a SerializationException, a broken constraint (required,
 * length, pattern, enum, range) a ValidationException whose message lists
 * each one in the service's words:
 *
 *   1 validation error detected: Value 'a b' at 'name' failed to satisfy
 *   constraint: Member must satisfy regular expression pattern: [A-Za-z0-9.@\-_]+
 *
 * Members the model does not know are left alone, as the service leaves
 * them. */

#define G_LOG_DOMAIN "pw-api"

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "pw-api-model.h"
#include "pw-net-resources.h"

#define MODEL_RESOURCE "/io/github/pipewright/net/codepipeline-service-2.json"
#define MAX_LISTED 10

typedef struct
{
  JsonParser *parser;
  JsonObject *operations;
  JsonObject *shapes;
  GHashTable *patterns;     /* pattern → GRegex (NULL when it does not compile) */
  GMutex      lock;
} Model;

static Model *
model_get (void)
{
  static gsize once;
  static Model model;

  if (g_once_init_enter (&once))
    {
      g_autoptr(GBytes) bytes = g_resource_lookup_data (pw_net_get_resource (), MODEL_RESOURCE,
                                                        G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
      g_autoptr(GError) error = NULL;
      JsonNode *root;

      model.parser = json_parser_new_immutable ();
      model.patterns = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                              (GDestroyNotify)g_regex_unref);
      g_mutex_init (&model.lock);
      if (bytes == NULL ||
          !json_parser_load_from_data (model.parser, g_bytes_get_data (bytes, NULL),
                                       g_bytes_get_size (bytes), &error) ||
          !JSON_NODE_HOLDS_OBJECT (root = json_parser_get_root (model.parser)))
        g_error ("The compiled-in CodePipeline model cannot be read: %s",
                 error != NULL ? error->message : "missing");
      model.operations = json_object_get_object_member (json_node_get_object (root), "operations");
      model.shapes = json_object_get_object_member (json_node_get_object (root), "shapes");
      g_once_init_leave (&once, 1);
    }
  return &model;
}

gboolean
pw_api_model_has_operation (const char *operation)
{
  return operation != NULL && json_object_has_member (model_get ()->operations, operation);
}

typedef struct
{
  GPtrArray *errors;        /* char *, in the order met */
  char      *malformed;     /* the first wrong type, if any */
} Check;

static const char *
json_type_name (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    return "an object";
  if (JSON_NODE_HOLDS_ARRAY (node))
    return "an array";
  if (JSON_NODE_HOLDS_NULL (node))
    return "null";
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

/* How the service quotes a value in its messages. */
static char *
value_text (JsonNode *node)
{
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      GString *s = g_string_new ("[");

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *item = value_text (json_array_get_element (array, i));

          g_string_append_printf (s, "%s%s", i > 0 ? ", " : "", item);
        }
      g_string_append_c (s, ']');
      return g_string_free (s, FALSE);
    }
  return json_to_string (node, FALSE);
}

static void
broken (Check      *check,
        JsonNode   *node,
        const char *path,
        const char *format,
        ...) G_GNUC_PRINTF (4, 5);

static void
broken (Check      *check,
        JsonNode   *node,
        const char *path,
        const char *format,
        ...)
{
  g_autofree char *constraint = NULL;
  g_autofree char *value = NULL;
  va_list args;

  va_start (args, format);
  constraint = g_strdup_vprintf (format, args);
  va_end (args);
  if (node == NULL)
    g_ptr_array_add (check->errors, g_strdup_printf ("Value null at '%s' failed to satisfy constraint: %s",
                                                     path, constraint));
  else
    {
      value = value_text (node);
      g_ptr_array_add (check->errors, g_strdup_printf ("Value '%s' at '%s' failed to satisfy constraint: %s",
                                                       value, path, constraint));
    }
}

static void
wrong_type (Check      *check,
            JsonNode   *node,
            const char *path,
            const char *expected)
{
  if (check->malformed == NULL)
    check->malformed = g_strdup_printf ("Expected %s at '%s', found %s", expected, path,
                                        json_type_name (node));
}

static gboolean
matches (const char *pattern,
         const char *text)
{
  Model *model = model_get ();
  GRegex *regex;
  gboolean found;

  g_mutex_lock (&model->lock);
  if (!g_hash_table_lookup_extended (model->patterns, pattern, NULL, (gpointer *)&regex))
    {
      /* The service's patterns are Java's, matched against the whole value. */
      g_autofree char *whole = g_strdup_printf ("^(?:%s)$", pattern);

      regex = g_regex_new (whole, G_REGEX_OPTIMIZE | G_REGEX_DOTALL, 0, NULL);
      g_hash_table_insert (model->patterns, (gpointer)pattern, regex);
    }
  g_mutex_unlock (&model->lock);
  if (regex == NULL)
    return TRUE;
  found = g_regex_match (regex, text, 0, NULL);
  return found;
}

static void check_shape (Check *check, const char *shape_name, JsonNode *node, const char *path);

static gint64
member_int (JsonObject *shape,
            const char *name,
            gint64      fallback)
{
  return json_object_has_member (shape, name) ? json_object_get_int_member (shape, name) : fallback;
}

static void
check_length (Check      *check,
              JsonObject *shape,
              JsonNode   *node,
              const char *path,
              gint64      length)
{
  if (json_object_has_member (shape, "min") && length < json_object_get_int_member (shape, "min"))
    broken (check, node, path, "Member must have length greater than or equal to %" G_GINT64_FORMAT,
            json_object_get_int_member (shape, "min"));
  if (json_object_has_member (shape, "max") && length > json_object_get_int_member (shape, "max"))
    broken (check, node, path, "Member must have length less than or equal to %" G_GINT64_FORMAT,
            json_object_get_int_member (shape, "max"));
}

static char *
child_path (const char *path,
            const char *member)
{
  return path[0] != '\0' ? g_strdup_printf ("%s.%s", path, member) : g_strdup (member);
}

static void
check_structure (Check      *check,
                 JsonObject *shape,
                 JsonObject *object,
                 const char *path)
{
  JsonObject *members = json_object_get_object_member (shape, "members");
  JsonArray *required = json_object_has_member (shape, "required")
    ? json_object_get_array_member (shape, "required") : NULL;
  g_autoptr(GList) names = members != NULL ? json_object_get_members (members) : NULL;

  for (guint i = 0; required != NULL && i < json_array_get_length (required); i++)
    {
      const char *name = json_array_get_string_element (required, i);
      JsonNode *value = json_object_get_member (object, name);

      if (value == NULL || JSON_NODE_HOLDS_NULL (value))
        {
          g_autofree char *where = child_path (path, name);

          broken (check, NULL, where, "Member must not be null");
        }
    }
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *value = json_object_get_member (object, l->data);
      g_autofree char *where = NULL;

      if (value == NULL || JSON_NODE_HOLDS_NULL (value))
        continue;
      where = child_path (path, l->data);
      check_shape (check, json_object_get_string_member (json_object_get_object_member (members, l->data), "shape"),
                   value, where);
    }
}

static void
check_shape (Check      *check,
             const char *shape_name,
             JsonNode   *node,
             const char *path)
{
  JsonObject *shape = json_object_get_object_member (model_get ()->shapes, shape_name);
  const char *type;

  if (shape == NULL || check->malformed != NULL)
    return;
  type = json_object_get_string_member (shape, "type");

  if (g_str_equal (type, "structure"))
    {
      if (!JSON_NODE_HOLDS_OBJECT (node))
        return wrong_type (check, node, path, "an object");
      check_structure (check, shape, json_node_get_object (node), path);
    }
  else if (g_str_equal (type, "list"))
    {
      JsonArray *array;
      const char *member;

      if (!JSON_NODE_HOLDS_ARRAY (node))
        return wrong_type (check, node, path, "an array");
      array = json_node_get_array (node);
      check_length (check, shape, node, path, json_array_get_length (array));
      member = json_object_get_string_member (json_object_get_object_member (shape, "member"), "shape");
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *where = g_strdup_printf ("%s.%u.member", path, i + 1);

          check_shape (check, member, json_array_get_element (array, i), where);
        }
    }
  else if (g_str_equal (type, "map"))
    {
      JsonObject *object;
      g_autoptr(GList) keys = NULL;
      const char *key_shape, *value_shape;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return wrong_type (check, node, path, "an object");
      object = json_node_get_object (node);
      check_length (check, shape, node, path, json_object_get_size (object));
      key_shape = json_object_get_string_member (json_object_get_object_member (shape, "key"), "shape");
      value_shape = json_object_get_string_member (json_object_get_object_member (shape, "value"), "shape");
      keys = json_object_get_members (object);
      for (GList *l = keys; l != NULL; l = l->next)
        {
          g_autoptr(JsonNode) key = json_node_init_string (json_node_alloc (), l->data);
          g_autofree char *where = child_path (path, l->data);
          JsonNode *value = json_object_get_member (object, l->data);

          check_shape (check, key_shape, key, where);
          if (!JSON_NODE_HOLDS_NULL (value))
            check_shape (check, value_shape, value, where);
        }
    }
  else if (g_str_equal (type, "string"))
    {
      const char *text;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        return wrong_type (check, node, path, "a string");
      text = json_node_get_string (node);
      check_length (check, shape, node, path, g_utf8_strlen (text, -1));
      if (json_object_has_member (shape, "pattern") &&
          !matches (json_object_get_string_member (shape, "pattern"), text))
        broken (check, node, path, "Member must satisfy regular expression pattern: %s",
                json_object_get_string_member (shape, "pattern"));
      if (json_object_has_member (shape, "enum"))
        {
          JsonArray *values = json_object_get_array_member (shape, "enum");
          g_autoptr(GString) set = g_string_new (NULL);
          gboolean found = FALSE;

          for (guint i = 0; i < json_array_get_length (values); i++)
            {
              found |= g_str_equal (json_array_get_string_element (values, i), text);
              g_string_append_printf (set, "%s%s", i > 0 ? ", " : "", json_array_get_string_element (values, i));
            }
          if (!found)
            broken (check, node, path, "Member must satisfy enum value set: [%s]", set->str);
        }
    }
  else if (g_str_equal (type, "integer") || g_str_equal (type, "long"))
    {
      gint64 value;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
        return wrong_type (check, node, path, "an integer");
      value = json_node_get_int (node);
      if (value < member_int (shape, "min", G_MININT64))
        broken (check, node, path, "Member must have value greater than or equal to %" G_GINT64_FORMAT,
                json_object_get_int_member (shape, "min"));
      if (value > member_int (shape, "max", G_MAXINT64))
        broken (check, node, path, "Member must have value less than or equal to %" G_GINT64_FORMAT,
                json_object_get_int_member (shape, "max"));
    }
  else if (g_str_equal (type, "boolean"))
    {
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        wrong_type (check, node, path, "a boolean");
    }
  else if (g_str_equal (type, "timestamp"))
    {
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) == G_TYPE_BOOLEAN)
        wrong_type (check, node, path, "a timestamp");
    }
}

/**
 * pw_api_model_check_input:
 * @operation: an operation of the model
 * @input: the request's JSON object
 * @message: (out): the service's message, when it is not %PW_API_INPUT_OK
 *
 * Checks @input against the operation's input shape.
 */
PwApiInputCheck
pw_api_model_check_input (const char  *operation,
                          JsonObject  *input,
                          char       **message)
{
  JsonObject *op = json_object_get_object_member (model_get ()->operations, operation);
  g_autoptr(JsonNode) node = NULL;
  Check check = { g_ptr_array_new_with_free_func (g_free), NULL };
  PwApiInputCheck result = PW_API_INPUT_OK;

  *message = NULL;
  if (op != NULL && json_object_has_member (op, "input"))
    {
      node = json_node_init_object (json_node_alloc (), input);
      check_shape (&check, json_object_get_string_member (json_object_get_object_member (op, "input"), "shape"),
                   node, "");
    }
  if (check.malformed != NULL)
    {
      *message = g_steal_pointer (&check.malformed);
      result = PW_API_INPUT_MALFORMED;
    }
  else if (check.errors->len > 0)
    {
      GString *s = g_string_new (NULL);

      g_string_append_printf (s, "%u validation error%s detected: ", check.errors->len,
                              check.errors->len == 1 ? "" : "s");
      for (guint i = 0; i < check.errors->len && i < MAX_LISTED; i++)
        g_string_append_printf (s, "%s%s", i > 0 ? "; " : "", (char *)g_ptr_array_index (check.errors, i));
      if (check.errors->len > MAX_LISTED)
        g_string_append_printf (s, "; and %u more", check.errors->len - MAX_LISTED);
      *message = g_string_free (s, FALSE);
      result = PW_API_INPUT_INVALID;
    }
  g_ptr_array_unref (check.errors);
  return result;
}

/**
 * pw_api_decode_request:
 * @target: (nullable): the X-Amz-Target header
 * @body: the request's body (need not end in a NUL)
 * @operation: (out): the operation @target names, within @target
 * @error_type: (out): the service's error when the request is refused
 * @message: (out): its message
 *
 * A request's operation and input, checked as the service checks them:
 * the target, the body as a JSON object, the model's constraints.
 *
 * Returns: (transfer full) (nullable): the input, or %NULL with
 *   @error_type and @message set
 */
JsonNode *
pw_api_decode_request (const char  *target,
                       const char  *body,
                       gsize        length,
                       const char **operation,
                       const char **error_type,
                       char       **message)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *input;

  *operation = NULL;
  *error_type = NULL;
  *message = NULL;
  if (target == NULL || !g_str_has_prefix (target, PW_API_TARGET_PREFIX) ||
      !pw_api_model_has_operation (target + strlen (PW_API_TARGET_PREFIX)))
    {
      *error_type = "UnknownOperationException";
      *message = g_strdup ("");
      return NULL;
    }
  *operation = target + strlen (PW_API_TARGET_PREFIX);

  /* An empty body is an empty input, as with the service. */
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, length > 0 ? body : "{}", length > 0 ? (gssize)length : 2, &error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      *error_type = "SerializationException";
      *message = g_strdup_printf ("The request body is not a JSON object%s%s", error != NULL ? ": " : "",
                                  error != NULL ? error->message : "");
      return NULL;
    }
  input = json_parser_steal_root (parser);

  switch (pw_api_model_check_input (*operation, json_node_get_object (input), message))
    {
    case PW_API_INPUT_INVALID:
      *error_type = "ValidationException";
      break;
    case PW_API_INPUT_MALFORMED:
      *error_type = "SerializationException";
      break;
    case PW_API_INPUT_OK:
    default:
      return input;
    }
  json_node_unref (input);
  return NULL;
}
