/* pw-document.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-document"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pw-core-private.h"

struct _PwDocument
{
  GObject         parent_instance;

  /* Owned references */
  JsonNode       *root;
  PwSourceMap    *map;

  PwSyntax        syntax;
  PwDocumentKind  kind;
  /* YAML anchors, aliases or merge keys: the edit module then reads the
   * whole text again after an edit, as they tie its parts together. */
  gboolean        has_anchors;
};

G_DEFINE_FINAL_TYPE (PwDocument, pw_document, G_TYPE_OBJECT)

static void
pw_document_finalize (GObject *object)
{
  PwDocument *self = (PwDocument *)object;

  g_clear_pointer (&self->root, json_node_unref);
  g_clear_pointer (&self->map, pw_source_map_unref);

  G_OBJECT_CLASS (pw_document_parent_class)->finalize (object);
}

static void
pw_document_class_init (PwDocumentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pw_document_finalize;
}

static void
pw_document_init (PwDocument *self)
{
}

static PwSyntax
guess_syntax (const char *data,
              gsize       length,
              const char *filename)
{
  gsize i = 0;

  if (filename != NULL)
    {
      g_autofree char *lower = g_ascii_strdown (filename, -1);

      if (g_str_has_suffix (lower, ".json"))
        return PW_SYNTAX_JSON;
      if (g_str_has_suffix (lower, ".yml") || g_str_has_suffix (lower, ".yaml"))
        return PW_SYNTAX_YAML;
    }

  if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    i = 3;
  while (i < length && g_ascii_isspace (data[i]))
    i++;

  /* JSON is (nearly) YAML, but a JSON file deserves JSON's error messages. */
  if (i < length && (data[i] == '{' || data[i] == '['))
    return PW_SYNTAX_JSON;

  return PW_SYNTAX_YAML;
}

static gboolean
shape_error (PwDocument  *self,
             JsonNode    *node,
             const char  *message,
             GError     **error)
{
  guint line = 1, column = 1;

  if (node != NULL)
    pw_source_map_lookup (self->map, node, &line, &column);

  g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_SHAPE, "%s:%u:%u: %s",
               pw_source_map_get_filename (self->map), line, column, message);
  return FALSE;
}

static gboolean
detect_kind (PwDocument  *self,
             GError     **error)
{
  JsonObject *object;

  if (self->root == NULL || JSON_NODE_HOLDS_NULL (self->root))
    return shape_error (self, NULL,
                        _("the file is empty; a pipeline file starts with 'pipeline:'"), error);

  if (!JSON_NODE_HOLDS_OBJECT (self->root))
    {
      g_autofree char *message =
        g_strdup_printf (_("expected a mapping with a 'pipeline' key (a CreatePipeline request) "
                           "or a CloudFormation template with 'Resources', but found %s"),
                         _pw_json_type_name (self->root));
      return shape_error (self, self->root, message, error);
    }

  object = json_node_get_object (self->root);

  if (json_object_has_member (object, "Resources") ||
      json_object_has_member (object, "AWSTemplateFormatVersion"))
    {
      self->kind = PW_DOCUMENT_CFN_TEMPLATE;
      return TRUE;
    }

  if (json_object_has_member (object, "pipeline"))
    {
      self->kind = json_object_has_member (object, "metadata")
        ? PW_DOCUMENT_GET_PIPELINE
        : PW_DOCUMENT_PIPELINE;
      return TRUE;
    }

  if (json_object_has_member (object, "stages") && json_object_has_member (object, "name"))
    return shape_error (self, self->root,
                        _("this looks like a pipeline declaration without its 'pipeline:' key; "
                          "indent it under a top-level 'pipeline:' as create-pipeline expects"),
                        error);

  return shape_error (self, self->root,
                      _("expected a top-level 'pipeline' key (a CreatePipeline request) or "
                        "'Resources' (a CloudFormation template)"),
                      error);
}

/**
 * pw_document_load_data:
 * @filename: (nullable): the name to show in messages; its extension
 *   chooses JSON or YAML (otherwise the content does)
 *
 * Parses a pipeline file, a get-pipeline response or a CloudFormation
 * template, remembering where every value came from.
 *
 * Returns: (transfer full) (nullable): the document, or %NULL with @error
 *   set; error messages start with `file:line:column:`
 */
PwDocument *
pw_document_load_data (const char  *data,
                       gssize       length,
                       const char  *filename,
                       GError     **error)
{
  g_autoptr(PwDocument) self = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (length < 0)
    length = strlen (data);

  self = g_object_new (PW_TYPE_DOCUMENT, NULL);
  bytes = g_bytes_new (data, length);
  self->map = pw_source_map_new (filename, bytes);
  self->syntax = guess_syntax (data, length, filename);

  if (self->syntax == PW_SYNTAX_JSON)
    self->root = pw_json_parse (data, length, self->map, error);
  else
    {
      guint n_anchors = 0;

      self->root = _pw_yaml_parse_at (data, length, self->map, PW_YAML_PARSE_CFN_TAGS, 0, 0,
                                      &n_anchors, error);
      self->has_anchors = n_anchors > 0;
    }

  if (self->root == NULL)
    return NULL;

  if (!detect_kind (self, error))
    return NULL;

  _pw_source_map_seal (self->map);

  return g_steal_pointer (&self);
}

/* A document the edit module put together from parts it parsed. */
PwDocument *
_pw_document_new_parsed (JsonNode       *root,
                         PwSourceMap    *map,
                         PwSyntax        syntax,
                         PwDocumentKind  kind,
                         gboolean        has_anchors)
{
  PwDocument *self = g_object_new (PW_TYPE_DOCUMENT, NULL);

  self->root = json_node_ref (root);
  self->map = pw_source_map_ref (map);
  _pw_source_map_seal (self->map);
  self->syntax = syntax;
  self->kind = kind;
  self->has_anchors = has_anchors;

  return self;
}

gboolean
_pw_document_has_anchors (PwDocument *self)
{
  return self->has_anchors;
}

/**
 * pw_document_load_file:
 *
 * Returns: (transfer full) (nullable): the document
 */
PwDocument *
pw_document_load_file (GFile         *file,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *name = NULL;
  gsize length;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  name = g_file_get_path (file);
  if (name == NULL)
    name = g_file_get_uri (file);

  if (!g_file_load_contents (file, cancellable, &contents, &length, NULL, error))
    return NULL;

  return pw_document_load_data (contents, length, name, error);
}

/**
 * pw_document_get_root:
 *
 * Returns: (transfer none): the parsed tree
 */
JsonNode *
pw_document_get_root (PwDocument *self)
{
  g_return_val_if_fail (PW_IS_DOCUMENT (self), NULL);
  return self->root;
}

PwSyntax
pw_document_get_syntax (PwDocument *self)
{
  g_return_val_if_fail (PW_IS_DOCUMENT (self), PW_SYNTAX_YAML);
  return self->syntax;
}

PwDocumentKind
pw_document_get_kind (PwDocument *self)
{
  g_return_val_if_fail (PW_IS_DOCUMENT (self), PW_DOCUMENT_PIPELINE);
  return self->kind;
}

/**
 * pw_document_get_source_map:
 *
 * Returns: (transfer none): the positions of the document's nodes
 */
PwSourceMap *
pw_document_get_source_map (PwDocument *self)
{
  g_return_val_if_fail (PW_IS_DOCUMENT (self), NULL);
  return self->map;
}

/**
 * pw_document_dup_pipeline_ids:
 *
 * Returns: (transfer full): the logical ids of a template's pipelines; an
 *   empty list for a pipeline file
 */
GStrv
pw_document_dup_pipeline_ids (PwDocument *self)
{
  g_return_val_if_fail (PW_IS_DOCUMENT (self), NULL);

  if (self->kind != PW_DOCUMENT_CFN_TEMPLATE)
    return g_new0 (char *, 1);

  return pw_cfn_dup_pipeline_ids (self->root);
}

/* The comment line of a pipeline file that keeps CloudFormation-only
 * properties: "# cloudformation: {JSON}". */
#define KEPT_MARKER "cloudformation:"

static void
read_kept_properties (PwDocument *self,
                      PwPipeline *pipeline)
{
  GBytes *text = pw_source_map_get_text (self->map);
  gsize length = 0;
  const char *data = text != NULL ? g_bytes_get_data (text, &length) : NULL;
  const char *end = data + length;

  for (const char *line = data; line != NULL && line < end;)
    {
      const char *nl = memchr (line, '\n', end - line);
      const char *stop = nl != NULL ? nl : end;

      if (stop - line > 2 && line[0] == '#' && line[1] == ' ' &&
          (gsize)(stop - line - 2) > strlen (KEPT_MARKER) &&
          strncmp (line + 2, KEPT_MARKER, strlen (KEPT_MARKER)) == 0)
        {
          g_autofree char *json = g_strndup (line + 2 + strlen (KEPT_MARKER), stop - (line + 2 + strlen (KEPT_MARKER)));
          g_autoptr(JsonNode) node = json_from_string (json, NULL);

          if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
            g_object_set_data_full (G_OBJECT (pipeline), "pw-cfn-kept", g_steal_pointer (&node),
                                    (GDestroyNotify)json_node_unref);
          return;
        }
      line = nl != NULL ? nl + 1 : NULL;
    }
}

/**
 * pw_document_dup_pipeline:
 * @logical_id: (nullable): for a template, which pipeline resource
 *
 * Builds the model of the document's pipeline. The model shares the
 * document's nodes, so its positions point into the file.
 *
 * Returns: (transfer full) (nullable): the pipeline
 */
PwPipeline *
pw_document_dup_pipeline (PwDocument  *self,
                          const char  *logical_id,
                          GError     **error)
{
  JsonObject *object;
  JsonNode *declaration;
  PwPipeline *pipeline;
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  g_return_val_if_fail (PW_IS_DOCUMENT (self), NULL);

  if (self->kind == PW_DOCUMENT_CFN_TEMPLATE)
    return _pw_cfn_pipeline_new_located (self->root, logical_id, self->map, error);

  if (logical_id != NULL)
    {
      g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_NOT_FOUND,
                   _("%s: --resource only applies to CloudFormation templates"),
                   pw_source_map_get_filename (self->map));
      return NULL;
    }

  object = json_node_get_object (self->root);
  declaration = json_object_get_member (object, "pipeline");

  if (!JSON_NODE_HOLDS_OBJECT (declaration))
    {
      g_autofree char *message =
        g_strdup_printf (_("'pipeline' must be a mapping of the pipeline's fields (name, "
                           "roleArn, stages, …), but it is %s"),
                         _pw_json_type_name (declaration));
      shape_error (self, declaration, message, error);
      return NULL;
    }

  pipeline = pw_pipeline_new_from_declaration (declaration);
  pw_element_set_source_map (PW_ELEMENT (pipeline), self->map);
  pw_pipeline_set_origin (pipeline, self->kind == PW_DOCUMENT_GET_PIPELINE
                                      ? PW_PIPELINE_ORIGIN_GET_PIPELINE
                                      : PW_PIPELINE_ORIGIN_PIPELINE_FILE);

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    if (!g_str_equal (name, "pipeline"))
      pw_pipeline_set_document_extra (pipeline, name, member);

  read_kept_properties (self, pipeline);

  return pipeline;
}

gboolean
pw_output_format_from_string (const char     *name,
                              PwOutputFormat *format)
{
  static const struct { const char *name; PwOutputFormat format; } formats[] = {
    { "yaml", PW_OUTPUT_YAML },
    { "yml", PW_OUTPUT_YAML },
    { "json", PW_OUTPUT_JSON },
    { "cfn-json", PW_OUTPUT_CFN_JSON },
    { "cfn-yaml", PW_OUTPUT_CFN_YAML },
    { "cfn-yml", PW_OUTPUT_CFN_YAML },
  };

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      if (g_ascii_strcasecmp (name, formats[i].name) == 0)
        {
          *format = formats[i].format;
          return TRUE;
        }
    }

  return FALSE;
}

static void
add_note (GPtrArray  *notes,
          const char *code,
          const char *path,
          const char *message)
{
  if (notes != NULL)
    g_ptr_array_add (notes, pw_diagnostic_new (code, PW_SEVERITY_NOTE, path, message));
}

/* Keys that only CloudFormation knows. */
static const char *cfn_only[] = { "disableInboundStageTransitions", "restartExecutionOnUpdate", NULL };

static void
normalize_string_map (JsonObject *object,
                      const char *path,
                      GPtrArray  *notes)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;
  g_autoptr(GPtrArray) fix = g_ptr_array_new ();

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    if (JSON_NODE_HOLDS_VALUE (member) && json_node_get_value_type (member) != G_TYPE_STRING)
      g_ptr_array_add (fix, (gpointer)name);

  for (guint i = 0; i < fix->len; i++)
    {
      const char *key = g_ptr_array_index (fix, i);
      JsonNode *member_node = json_object_get_member (object, key);
      g_autofree char *text = _pw_json_scalar_to_string (member_node);
      g_autofree char *where = g_strdup_printf ("%s.%s", path, key);
      g_autofree char *message =
        g_strdup_printf (_("%s was %s; the API takes strings, so it is written as \"%s\""),
                         key, _pw_json_type_name (member_node), text);

      add_note (notes, "P20", where, message);
      json_object_set_string_member (object, key, text);
    }
}

static void
normalize_int_member (JsonObject *object,
                      const char *key,
                      const char *path,
                      GPtrArray  *notes)
{
  JsonNode *node = json_object_get_member (object, key);
  const char *text;
  char *end = NULL;
  gint64 value;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return;

  text = json_node_get_string (node);
  if (text[0] == '\0' || !g_ascii_isdigit (text[0]))
    return;
  value = g_ascii_strtoll (text, &end, 10);
  if (end == NULL || *end != '\0')
    return;

  {
    g_autofree char *where = g_strdup_printf ("%s%s%s", path, path[0] ? "." : "", key);
    g_autofree char *message =
      g_strdup_printf (_("%s was the string '%s'; the API takes an integer, so it is written as %"
                         G_GINT64_FORMAT), key, text, value);

    add_note (notes, "P26", where, message);
  }
  json_object_set_int_member (object, key, value);
}

static void
normalize_version (JsonObject *type_id,
                   const char *path,
                   GPtrArray  *notes)
{
  JsonNode *node = json_object_get_member (type_id, "version");

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_autofree char *text = _pw_json_scalar_to_string (node);
      g_autofree char *message =
        g_strdup_printf (_("version was %s; the API takes a string, so it is written as \"%s\""),
                         _pw_json_type_name (node), text);

      add_note (notes, "P21", path, message);
      json_object_set_string_member (type_id, "version", text);
    }
}

static void
normalize_rules (JsonNode   *conditions_holder,
                 const char *path,
                 GPtrArray  *notes)
{
  JsonNode *conditions;

  if (conditions_holder == NULL || !JSON_NODE_HOLDS_OBJECT (conditions_holder))
    return;

  conditions = json_object_get_member (json_node_get_object (conditions_holder), "conditions");
  if (conditions == NULL || !JSON_NODE_HOLDS_ARRAY (conditions))
    return;

  for (guint c = 0; c < json_array_get_length (json_node_get_array (conditions)); c++)
    {
      JsonNode *condition = json_array_get_element (json_node_get_array (conditions), c);
      JsonNode *rules;

      if (!JSON_NODE_HOLDS_OBJECT (condition))
        continue;
      rules = json_object_get_member (json_node_get_object (condition), "rules");
      if (rules == NULL || !JSON_NODE_HOLDS_ARRAY (rules))
        continue;

      for (guint r = 0; r < json_array_get_length (json_node_get_array (rules)); r++)
        {
          JsonNode *rule = json_array_get_element (json_node_get_array (rules), r);
          JsonObject *object;
          JsonNode *member;
          g_autofree char *where = NULL;

          if (!JSON_NODE_HOLDS_OBJECT (rule))
            continue;
          object = json_node_get_object (rule);
          where = g_strdup_printf ("%s.conditions[%u].rules[%u]", path, c, r);

          if ((member = json_object_get_member (object, "configuration")) != NULL &&
              JSON_NODE_HOLDS_OBJECT (member))
            {
              g_autofree char *cpath = g_strdup_printf ("%s.configuration", where);
              normalize_string_map (json_node_get_object (member), cpath, notes);
            }
          if ((member = json_object_get_member (object, "ruleTypeId")) != NULL &&
              JSON_NODE_HOLDS_OBJECT (member))
            {
              g_autofree char *tpath = g_strdup_printf ("%s.ruleTypeId.version", where);
              normalize_version (json_node_get_object (member), tpath, notes);
            }
          normalize_int_member (object, "timeoutInMinutes", where, notes);
        }
    }
}

static void
normalize_declaration (JsonNode  *declaration,
                       GPtrArray *notes)
{
  JsonObject *pipeline = json_node_get_object (declaration);
  JsonNode *stages = json_object_get_member (pipeline, "stages");

  normalize_int_member (pipeline, "version", "", notes);

  if (stages == NULL || !JSON_NODE_HOLDS_ARRAY (stages))
    return;

  for (guint s = 0; s < json_array_get_length (json_node_get_array (stages)); s++)
    {
      JsonNode *stage = json_array_get_element (json_node_get_array (stages), s);
      JsonNode *actions;
      g_autofree char *spath = g_strdup_printf ("stages[%u]", s);

      if (!JSON_NODE_HOLDS_OBJECT (stage))
        continue;

      normalize_rules (json_object_get_member (json_node_get_object (stage), "onFailure"),
                       spath, notes);
      normalize_rules (json_object_get_member (json_node_get_object (stage), "onSuccess"),
                       spath, notes);
      normalize_rules (json_object_get_member (json_node_get_object (stage), "beforeEntry"),
                       spath, notes);

      actions = json_object_get_member (json_node_get_object (stage), "actions");
      if (actions == NULL || !JSON_NODE_HOLDS_ARRAY (actions))
        continue;

      for (guint a = 0; a < json_array_get_length (json_node_get_array (actions)); a++)
        {
          JsonNode *action = json_array_get_element (json_node_get_array (actions), a);
          g_autofree char *apath = g_strdup_printf ("%s.actions[%u]", spath, a);
          JsonObject *object;
          JsonNode *member;

          if (!JSON_NODE_HOLDS_OBJECT (action))
            continue;
          object = json_node_get_object (action);

          if ((member = json_object_get_member (object, "configuration")) != NULL &&
              JSON_NODE_HOLDS_OBJECT (member))
            {
              g_autofree char *cpath = g_strdup_printf ("%s.configuration", apath);
              normalize_string_map (json_node_get_object (member), cpath, notes);
            }

          if ((member = json_object_get_member (object, "actionTypeId")) != NULL &&
              JSON_NODE_HOLDS_OBJECT (member))
            {
              g_autofree char *tpath = g_strdup_printf ("%s.actionTypeId.version", apath);
              normalize_version (json_node_get_object (member), tpath, notes);
            }

          normalize_int_member (object, "runOrder", apath, notes);
          normalize_int_member (object, "timeoutInMinutes", apath, notes);
        }
    }
}

/* Resolves what can be resolved without CloudFormation: `Ref` to a
 * parameter, and `Fn::Sub` whose ${…} are all parameters. NULL otherwise. */
static char *
resolve_intrinsic (PwPipeline *pipeline,
                   JsonNode   *node)
{
  JsonObject *object = json_node_get_object (node);
  JsonNode *arg;

  if ((arg = json_object_get_member (object, "Ref")) != NULL)
    {
      const char *value;

      if (json_node_get_value_type (arg) != G_TYPE_STRING)
        return NULL;
      value = pw_pipeline_get_cfn_parameter (pipeline, json_node_get_string (arg));
      return g_strdup (value);
    }

  if ((arg = json_object_get_member (object, "Fn::GetAtt")) != NULL &&
      JSON_NODE_HOLDS_ARRAY (arg) && json_array_get_length (json_node_get_array (arg)) == 2)
    {
      JsonArray *pair = json_node_get_array (arg);
      JsonNode *a = json_array_get_element (pair, 0), *b = json_array_get_element (pair, 1);
      g_autofree char *name = NULL;

      if (json_node_get_value_type (a) != G_TYPE_STRING ||
          json_node_get_value_type (b) != G_TYPE_STRING)
        return NULL;
      /* Given on the command line as Resource.Attribute=value. */
      name = g_strdup_printf ("%s.%s", json_node_get_string (a), json_node_get_string (b));
      return g_strdup (pw_pipeline_get_cfn_parameter (pipeline, name));
    }

  if ((arg = json_object_get_member (object, "Fn::Sub")) != NULL &&
      json_node_get_value_type (arg) == G_TYPE_STRING)
    {
      const char *p = json_node_get_string (arg);
      GString *out = g_string_new (NULL);

      while (*p != '\0')
        {
          if (p[0] == '$' && p[1] == '{' && p[2] == '!')
            {
              /* ${!Literal} writes ${Literal} */
              g_string_append (out, "${");
              p += 3;
            }
          else if (p[0] == '$' && p[1] == '{')
            {
              const char *end = strchr (p + 2, '}');
              g_autofree char *name = NULL;
              const char *value;

              if (end == NULL)
                break;
              name = g_strndup (p + 2, end - (p + 2));
              if ((value = pw_pipeline_get_cfn_parameter (pipeline, name)) == NULL)
                {
                  g_string_free (out, TRUE);
                  return NULL;
                }
              g_string_append (out, value);
              p = end + 1;
            }
          else
            g_string_append_c (out, *p++);
        }

      if (*p != '\0')
        {
          g_string_free (out, TRUE);
          return NULL;
        }
      return g_string_free (out, FALSE);
    }

  return NULL;
}

/* Conditions ----------------------------------------------------------------- */

typedef enum { COND_UNKNOWN = -1, COND_FALSE = 0, COND_TRUE = 1 } Truth;

static Truth truth_of_condition (PwPipeline *pipeline, const char *name, guint depth);

/* A condition function's argument as text: a literal, or a parameter's
 * value; %NULL when the parameters do not decide it. */
static char *
condition_operand (PwPipeline *pipeline,
                   JsonNode   *node)
{
  if (node == NULL)
    return NULL;
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return g_strdup (json_node_get_boolean (node) ? "true" : "false");
  if (pw_cfn_is_intrinsic (node))
    return resolve_intrinsic (pipeline, node);
  return NULL;
}

/* Fn::Equals, Fn::Not, Fn::And, Fn::Or and Condition, as CloudFormation
 * evaluates them, with the template's parameters. */
static Truth
truth_of (PwPipeline *pipeline,
          JsonNode   *node,
          guint       depth)
{
  JsonObject *object;
  JsonNode *arg;
  JsonArray *args;

  if (depth > 32 || node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return COND_UNKNOWN;
  object = json_node_get_object (node);

  if ((arg = json_object_get_member (object, "Condition")) != NULL)
    return json_node_get_value_type (arg) == G_TYPE_STRING
      ? truth_of_condition (pipeline, json_node_get_string (arg), depth + 1) : COND_UNKNOWN;

  if ((arg = json_object_get_member (object, "Fn::Equals")) != NULL)
    {
      g_autofree char *a = NULL;
      g_autofree char *b = NULL;

      if (!JSON_NODE_HOLDS_ARRAY (arg) || json_array_get_length (json_node_get_array (arg)) != 2)
        return COND_UNKNOWN;
      a = condition_operand (pipeline, json_array_get_element (json_node_get_array (arg), 0));
      b = condition_operand (pipeline, json_array_get_element (json_node_get_array (arg), 1));
      if (a == NULL || b == NULL)
        return COND_UNKNOWN;
      return g_str_equal (a, b) ? COND_TRUE : COND_FALSE;
    }

  if ((arg = json_object_get_member (object, "Fn::Not")) != NULL)
    {
      Truth t;

      if (!JSON_NODE_HOLDS_ARRAY (arg) || json_array_get_length (json_node_get_array (arg)) != 1)
        return COND_UNKNOWN;
      t = truth_of (pipeline, json_array_get_element (json_node_get_array (arg), 0), depth + 1);
      return t == COND_UNKNOWN ? COND_UNKNOWN : t == COND_TRUE ? COND_FALSE : COND_TRUE;
    }

  if ((arg = json_object_get_member (object, "Fn::And")) != NULL ||
      (arg = json_object_get_member (object, "Fn::Or")) != NULL)
    {
      gboolean is_and = json_object_has_member (object, "Fn::And");
      Truth result = is_and ? COND_TRUE : COND_FALSE;

      if (!JSON_NODE_HOLDS_ARRAY (arg))
        return COND_UNKNOWN;
      args = json_node_get_array (arg);
      for (guint i = 0; i < json_array_get_length (args); i++)
        {
          Truth t = truth_of (pipeline, json_array_get_element (args, i), depth + 1);

          if (t == (is_and ? COND_FALSE : COND_TRUE))
            return t;
          if (t == COND_UNKNOWN)
            result = COND_UNKNOWN;
        }
      return result;
    }

  return COND_UNKNOWN;
}

static Truth
truth_of_condition (PwPipeline *pipeline,
                    const char *name,
                    guint       depth)
{
  JsonNode *root = pw_pipeline_get_cfn_template (pipeline);
  JsonNode *conditions;
  JsonNode *condition;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (conditions = json_object_get_member (json_node_get_object (root), "Conditions")) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (conditions) ||
      (condition = json_object_get_member (json_node_get_object (conditions), name)) == NULL)
    return COND_UNKNOWN;
  return truth_of (pipeline, condition, depth);
}

/* For the validator: 1 when the template's parameters make condition
 * @name true, 0 false, -1 when they do not decide it. */
int
_pw_cfn_condition_truth (PwPipeline *pipeline,
                         const char *name)
{
  Truth t = truth_of_condition (pipeline, name, 0);

  return t == COND_TRUE ? 1 : t == COND_FALSE ? 0 : -1;
}

static gboolean
is_no_value (JsonNode *node)
{
  JsonNode *ref;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
         (ref = json_object_get_member (json_node_get_object (node), "Ref")) != NULL &&
         g_strcmp0 (json_node_get_string (ref), "AWS::NoValue") == 0;
}

/* The branch of @node (an Fn::If) that the parameters choose, through
 * *@chosen (borrowed; an AWS::NoValue for none), with its condition's
 * name and truth; FALSE when @node is no Fn::If or its condition is not
 * decided by the parameters. */
static gboolean
choose_branch (PwPipeline  *pipeline,
               JsonNode    *node,
               JsonNode   **chosen,
               const char **condition,
               Truth       *truth)
{
  JsonNode *arg = JSON_NODE_HOLDS_OBJECT (node)
    ? json_object_get_member (json_node_get_object (node), "Fn::If") : NULL;
  JsonArray *args;

  if (arg == NULL || !JSON_NODE_HOLDS_ARRAY (arg) ||
      json_array_get_length (args = json_node_get_array (arg)) != 3 ||
      json_node_get_value_type (json_array_get_element (args, 0)) != G_TYPE_STRING)
    return FALSE;
  *condition = json_array_get_string_element (args, 0);
  *truth = truth_of_condition (pipeline, *condition, 0);
  if (*truth == COND_UNKNOWN)
    return FALSE;
  *chosen = json_array_get_element (args, *truth == COND_TRUE ? 1 : 2);
  return TRUE;
}

/* An Fn::If the parameters do not decide, whose branches are actions or
 * stages: both branches in the API's casing, like every other action. */
static void
convert_branches (JsonNode *node)
{
  JsonArray *args = json_node_get_array (json_object_get_member (json_node_get_object (node), "Fn::If"));

  for (guint i = 1; i < json_array_get_length (args); i++)
    {
      JsonNode *branch = json_array_get_element (args, i);

      if (JSON_NODE_HOLDS_OBJECT (branch) && !pw_cfn_is_intrinsic (branch))
        {
          g_autoptr(JsonNode) api = _pw_cfn_node_to_api (branch);

          json_node_set_object (branch, json_node_get_object (api));
        }
    }
}

/* A pipeline resource with a Condition exists only when it holds. */
static void
note_resource_condition (PwPipeline *pipeline,
                         GPtrArray  *notes)
{
  JsonNode *root = pw_pipeline_get_cfn_template (pipeline);
  const char *id = pw_pipeline_get_cfn_logical_id (pipeline);
  JsonNode *node;
  const char *condition;
  g_autofree char *message = NULL;

  if (root == NULL || id == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (node = json_object_get_member (json_node_get_object (root), "Resources")) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (node) ||
      (node = json_object_get_member (json_node_get_object (node), id)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (node) ||
      (condition = json_object_get_string_member_with_default (json_node_get_object (node),
                                                               "Condition", NULL)) == NULL)
    return;

  switch (truth_of_condition (pipeline, condition, 0))
    {
    case COND_TRUE:
      message = g_strdup_printf (_("the template creates %s only when condition %s holds; with the "
                                   "template's parameters it does"), id, condition);
      break;
    case COND_FALSE:
      message = g_strdup_printf (_("the template creates %s only when condition %s holds; with the "
                                   "template's parameters it does not, so the stack would have no "
                                   "such pipeline"), id, condition);
      break;
    case COND_UNKNOWN:
    default:
      message = g_strdup_printf (_("the template creates %s only when condition %s holds, which "
                                   "its parameters do not decide"), id, condition);
      break;
    }
  add_note (notes, "P35", "", message);
}

/* The first NoEcho parameter and the first SSM parameter type that
 * @node (a `Ref` or an `Fn::Sub`) refers to. */
static void
parameters_of_kind (PwPipeline  *pipeline,
                    JsonNode    *node,
                    char       **secret,
                    char       **ssm)
{
  JsonObject *object = json_node_get_object (node);
  JsonNode *arg;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  if ((arg = json_object_get_member (object, "Ref")) != NULL &&
      json_node_get_value_type (arg) == G_TYPE_STRING)
    g_ptr_array_add (names, g_strdup (json_node_get_string (arg)));
  else if ((arg = json_object_get_member (object, "Fn::Sub")) != NULL &&
           json_node_get_value_type (arg) == G_TYPE_STRING)
    {
      const char *p = json_node_get_string (arg);

      while ((p = strstr (p, "${")) != NULL)
        {
          const char *end = strchr (p + 2, '}');

          if (end == NULL)
            break;
          if (p[2] != '!')
            g_ptr_array_add (names, g_strndup (p + 2, end - (p + 2)));
          p = end + 1;
        }
    }

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);

      switch (pw_pipeline_get_cfn_parameter_kind (pipeline, name))
        {
        case PW_CFN_PARAMETER_NO_ECHO:
          if (*secret == NULL)
            *secret = g_strdup (name);
          break;
        case PW_CFN_PARAMETER_SSM:
          if (*ssm == NULL)
            *ssm = g_strdup (name);
          break;
        case PW_CFN_PARAMETER_UNDECLARED:
        case PW_CFN_PARAMETER_PLAIN:
        default:
          break;
        }
    }
}

static void
resolve_intrinsics (PwPipeline *pipeline,
                    JsonNode   *node,
                    const char *path,
                    GPtrArray  *notes)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        {
          const char *key = l->data;
          JsonNode *member = json_object_get_member (object, key);
          g_autofree char *where = path[0] ? g_strdup_printf ("%s.%s", path, key) : g_strdup (key);

          if (pw_cfn_is_intrinsic (member))
            {
              g_autofree char *value = resolve_intrinsic (pipeline, member);
              g_autofree char *secret = NULL;
              g_autofree char *ssm = NULL;
              g_autofree char *message = NULL;

              parameters_of_kind (pipeline, member, &secret, &ssm);
              if (value != NULL && secret != NULL)
                /* Given with --parameter: written, never shown. */
                message = g_strdup_printf (_("%s was a CloudFormation intrinsic; resolved with the "
                                             "value given for the NoEcho parameter %s (not shown)"),
                                           key, secret);
              else if (value != NULL)
                message = g_strdup_printf (_("%s was a CloudFormation intrinsic; resolved with the "
                                             "template's parameters to \"%s\""), key, value);
              else if (secret != NULL)
                message = g_strdup_printf (_("%s refers to the NoEcho parameter %s, whose value is "
                                             "never written or shown: it stays a reference; give "
                                             "the value when you create the pipeline (or "
                                             "--parameter %s=VALUE)"), key, secret, secret);
              else if (ssm != NULL)
                message = g_strdup_printf (_("%s refers to %s, an SSM parameter type: its Default "
                                             "names the Systems Manager parameter CloudFormation "
                                             "reads, not the value, so it stays a reference; give "
                                             "the value with --parameter %s=VALUE"), key, ssm, ssm);
              if (message != NULL)
                add_note (notes, "P35", where, message);
              if (value != NULL)
                json_object_set_string_member (object, key, value);
            }
          else
            resolve_intrinsics (pipeline, member, where, notes);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      /* Stages and actions: an Fn::If among them is a conditional one. */
      gboolean structural = g_str_has_suffix (path, "stages") || g_str_has_suffix (path, "actions");

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *item = json_array_get_element (array, i);
          g_autofree char *where = g_strdup_printf ("%s[%u]", path, i);
          JsonNode *chosen = NULL;
          const char *condition = NULL;
          Truth truth = COND_UNKNOWN;

          if (structural && choose_branch (pipeline, item, &chosen, &condition, &truth))
            {
              g_autofree char *message = NULL;

              if (is_no_value (chosen))
                {
                  message = g_strdup_printf (_("an Fn::If on condition %s, which is %s with the "
                                               "template's parameters: its branch is AWS::NoValue, "
                                               "so it was left out"),
                                             condition, truth == COND_TRUE ? "true" : "false");
                  add_note (notes, "P35", where, message);
                  json_array_remove_element (array, i);
                  i--;
                  continue;
                }
              message = g_strdup_printf (_("an Fn::If on condition %s, which is %s with the "
                                           "template's parameters: its %s branch was written"),
                                         condition, truth == COND_TRUE ? "true" : "false",
                                         truth == COND_TRUE ? _("first") : _("second"));
              add_note (notes, "P35", where, message);
              {
                g_autoptr(JsonNode) api = pw_cfn_is_intrinsic (chosen)
                  ? json_node_copy (chosen) : _pw_cfn_node_to_api (chosen);

                if (JSON_NODE_HOLDS_OBJECT (api))
                  json_node_set_object (item, json_node_get_object (api));
              }
              /* The chosen branch may hold intrinsics of its own. */
              resolve_intrinsics (pipeline, item, where, notes);
              continue;
            }
          if (structural && pw_cfn_is_intrinsic (item) && condition != NULL)
            {
              g_autofree char *message =
                g_strdup_printf (_("an Fn::If on condition %s, which the template's parameters do "
                                   "not decide: both branches were kept (give the parameters it "
                                   "depends on with --parameter to choose one)"), condition);

              add_note (notes, "P35", where, message);
              convert_branches (item);
              continue;
            }

          resolve_intrinsics (pipeline, item, where, notes);
        }
    }
}

/**
 * pw_pipeline_to_api:
 * @normalize: convert values CloudFormation accepts but the API types
 *   differently (`Version: 1`, `RunOrder: '1'`, `PollForSourceChanges:
 *   false`), and leave out what only CloudFormation knows
 * @notes: (element-type PwDiagnostic) (nullable): receives a note for each
 *   such change
 *
 * Returns: (transfer full): the pipeline as a `CreatePipeline` request:
 *   `pipeline:` and, when there are tags, `tags:`
 */
JsonNode *
pw_pipeline_to_api (PwPipeline *pipeline,
                    gboolean    normalize,
                    GPtrArray  *notes)
{
  g_autoptr(JsonNode) declaration = NULL;
  JsonObject *root = json_object_new ();
  JsonObject *object;
  JsonObject *extras;
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;
  JsonNode *result;

  g_return_val_if_fail (PW_IS_PIPELINE (pipeline), NULL);

  declaration = pw_pipeline_to_declaration (pipeline);
  object = json_node_get_object (declaration);

  if (normalize)
    {
      g_autoptr(GPtrArray) drop = g_ptr_array_new ();

      json_object_iter_init_ordered (&iter, object);
      while (json_object_iter_next_ordered (&iter, &name, &member))
        {
          if (g_strv_contains (cfn_only, name) || g_ascii_isupper (name[0]) ||
              (g_str_equal (name, "tags") &&
               pw_pipeline_get_origin (pipeline) == PW_PIPELINE_ORIGIN_CFN))
            g_ptr_array_add (drop, g_strdup (name));
        }

      for (guint i = 0; i < drop->len; i++)
        {
          g_autofree char *key = g_ptr_array_index (drop, i);
          g_autofree char *message = NULL;

          if (g_str_equal (key, "disableInboundStageTransitions"))
            message = g_strdup (_("DisableInboundStageTransitions exists only in CloudFormation; "
                                  "the API has no member for it (disable the transitions with "
                                  "'aws codepipeline disable-stage-transition' after creating "
                                  "the pipeline): a YAML pipeline file keeps it in a comment, "
                                  "which the export to CloudFormation restores; JSON leaves it out"));
          else if (g_str_equal (key, "restartExecutionOnUpdate"))
            message = g_strdup (_("RestartExecutionOnUpdate exists only in CloudFormation; the API "
                                  "has no member for it: a YAML pipeline file keeps it in a "
                                  "comment, which the export to CloudFormation restores; JSON "
                                  "leaves it out"));
          else if (g_str_equal (key, "tags"))
            {
              /* Not dropped: written beside `pipeline:` below. */
              json_object_remove_member (object, key);
              continue;
            }
          else
            message = g_strdup_printf (_("property '%s' is not part of the CodePipeline API; it "
                                         "was left out"), key);

          add_note (notes, "P25", key, message);
          json_object_remove_member (object, key);
        }

      if (pw_pipeline_get_cfn_template (pipeline) != NULL)
        {
          note_resource_condition (pipeline, notes);
          resolve_intrinsics (pipeline, declaration, "", notes);
        }
      normalize_declaration (declaration, notes);
    }

  json_object_set_member (root, "pipeline", g_steal_pointer (&declaration));

  extras = _pw_pipeline_get_document_extras (pipeline);
  json_object_iter_init_ordered (&iter, extras);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      if (normalize && g_str_equal (name, "metadata"))
        {
          add_note (notes, "P25", "metadata",
                    _("'metadata' is part of get-pipeline's answer, not of a CreatePipeline "
                      "request; it was left out"));
          continue;
        }

      if (normalize && g_str_equal (name, "tags") && JSON_NODE_HOLDS_ARRAY (member))
        {
          /* Tags from CloudFormation may carry numbers or booleans. */
          JsonNode *copy = _pw_json_deep_copy (member);
          JsonArray *array = json_node_get_array (copy);

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *tag = json_array_get_element (array, i);

              if (JSON_NODE_HOLDS_OBJECT (tag))
                {
                  g_autofree char *where = g_strdup_printf ("tags[%u]", i);
                  normalize_string_map (json_node_get_object (tag), where, notes);
                }
            }
          json_object_set_member (root, name, copy);
          continue;
        }

      json_object_set_member (root, name, _pw_json_deep_copy (member));
    }

  result = json_node_init_object (json_node_alloc (), root);
  json_object_unref (root);
  return result;
}

/**
 * pw_pipeline_serialize:
 * @notes: (element-type PwDiagnostic) (nullable): receives what the
 *   conversion changed or left out
 *
 * Writes the pipeline in @format. Converting a CloudFormation pipeline to
 * a pipeline file normalizes its values to the API's types; writing a
 * pipeline file as a pipeline file changes nothing but the layout.
 *
 * Returns: (transfer full) (nullable): the text
 */
char *
pw_pipeline_serialize (PwPipeline      *pipeline,
                       PwOutputFormat   format,
                       GPtrArray       *notes,
                       GError         **error)
{
  g_autoptr(JsonNode) root = NULL;
  gboolean normalize;

  g_return_val_if_fail (PW_IS_PIPELINE (pipeline), NULL);

  switch (format)
    {
    case PW_OUTPUT_YAML:
    case PW_OUTPUT_JSON:
      normalize = pw_pipeline_get_origin (pipeline) == PW_PIPELINE_ORIGIN_CFN ||
                  pw_pipeline_get_origin (pipeline) == PW_PIPELINE_ORIGIN_GET_PIPELINE;
      root = pw_pipeline_to_api (pipeline, normalize, notes);
      if (format == PW_OUTPUT_JSON)
        return pw_json_emit (root);
      {
        g_autoptr(JsonNode) kept = _pw_cfn_dup_kept_properties (pipeline);
        g_autofree char *yaml = pw_yaml_emit (root, PW_YAML_EMIT_NONE, error);
        g_autoptr(JsonGenerator) generator = NULL;
        g_autofree char *compact = NULL;

        if (yaml == NULL || kept == NULL)
          return g_steal_pointer (&yaml);
        /* The API has no place for them; the file keeps them, for the
         * export back to CloudFormation (pw_document_dup_pipeline reads
         * the line). */
        generator = json_generator_new ();
        json_generator_set_root (generator, kept);
        compact = json_generator_to_data (generator, NULL);
        return g_strdup_printf ("# CloudFormation properties the CodePipeline API has no member for,\n"
                                "# kept for `pipewright-cli export --to cfn-json|cfn-yaml`:\n"
                                "# %s %s\n%s", KEPT_MARKER, compact, yaml);
      }

    case PW_OUTPUT_CFN_JSON:
      root = pw_cfn_export (pipeline, notes);
      return pw_json_emit (root);

    case PW_OUTPUT_CFN_YAML:
      root = pw_cfn_export (pipeline, notes);
      return pw_yaml_emit (root, PW_YAML_EMIT_CFN_SHORT_TAGS, error);

    default:
      g_return_val_if_reached (NULL);
    }
}
