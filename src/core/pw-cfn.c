/* pw-cfn.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-cfn"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pw-core-private.h"

/* Every key of the pipeline declaration, in the API's camelCase. The
 * CloudFormation name is the same with its first letter in upper case
 * (reference/codepipeline-model.md §0), so one list serves both ways. */
static const char *known_keys[] = {
  "actionTypeId", "actions", "artifactStore", "artifactStores", "beforeEntry", "blockers",
  "branches", "category", "commands", "conditions", "configuration", "defaultValue",
  "description", "encryptionKey", "environmentVariables", "events", "excludes", "executionMode",
  "filePaths", "files", "gitConfiguration", "id", "includes", "inputArtifacts", "key",
  "location", "name", "namespace", "onFailure", "onSuccess", "outputArtifacts",
  "outputVariables", "owner", "pipelineType", "provider", "providerType", "pullRequest", "push",
  "reason", "region", "result", "retryConfiguration", "retryMode", "roleArn", "ruleTypeId",
  "rules", "runOrder", "sourceActionName", "stageName", "stages", "tags", "timeoutInMinutes",
  "triggers", "type", "value", "variables", "version",
  /* CloudFormation-only properties, kept in the model under these names */
  "disableInboundStageTransitions", "restartExecutionOnUpdate",
  NULL
};

static GHashTable *
known_table (void)
{
  static GHashTable *table;

  if (g_once_init_enter (&table))
    {
      GHashTable *t = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint i = 0; known_keys[i] != NULL; i++)
        g_hash_table_add (t, (gpointer)known_keys[i]);
      g_once_init_leave (&table, t);
    }

  return table;
}

static const char *
cfn_to_api_key (const char *key)
{
  char buf[64];
  gsize len = strlen (key);

  if (len == 0 || len >= sizeof buf || !g_ascii_isupper (key[0]))
    return NULL;

  memcpy (buf, key, len + 1);
  buf[0] = g_ascii_tolower (buf[0]);

  return g_hash_table_lookup (known_table (), buf);
}

static char *
api_to_cfn_key (const char *key)
{
  char *ret;

  if (!g_hash_table_contains (known_table (), key))
    return NULL;

  ret = g_strdup (key);
  ret[0] = g_ascii_toupper (ret[0]);
  return ret;
}

/**
 * pw_cfn_is_intrinsic:
 *
 * Returns: whether @node is a CloudFormation intrinsic function or
 *   condition: a mapping with one key, `Ref`, `Condition` or `Fn::…`
 */
gboolean
pw_cfn_is_intrinsic (JsonNode *node)
{
  JsonObject *object;
  JsonObjectIter iter;
  const char *name;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;

  object = json_node_get_object (node);
  if (json_object_get_size (object) != 1)
    return FALSE;

  json_object_iter_init_ordered (&iter, object);
  if (!json_object_iter_next_ordered (&iter, &name, NULL))
    return FALSE;

  return g_str_equal (name, "Ref") || g_str_equal (name, "Condition") ||
         g_str_has_prefix (name, "Fn::");
}

/* A copy of @node whose every node keeps the position of its original, so
 * diagnostics on an imported template still point into the template. */
static JsonNode *
copy_located (JsonNode    *node,
              PwSourceMap *map)
{
  JsonNode *copy;

  if (map == NULL)
    return _pw_json_deep_copy (node);

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *src = json_node_get_object (node);
        JsonObject *dst = json_object_new ();
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        json_object_iter_init_ordered (&iter, src);
        while (json_object_iter_next_ordered (&iter, &name, &member))
          {
            JsonNode *c = copy_located (member, map);

            pw_source_map_copy_key_position (map, member, c);
            json_object_set_member (dst, name, c);
          }
        copy = json_node_init_object (json_node_alloc (), dst);
        json_object_unref (dst);
        break;
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *src = json_node_get_array (node);
        guint n = json_array_get_length (src);
        JsonArray *dst = json_array_sized_new (n);

        for (guint i = 0; i < n; i++)
          json_array_add_element (dst, copy_located (json_array_get_element (src, i), map));
        copy = json_node_init_array (json_node_alloc (), dst);
        json_array_unref (dst);
        break;
      }

    case JSON_NODE_VALUE:
    case JSON_NODE_NULL:
    default:
      copy = json_node_copy (node);
      break;
    }

  pw_source_map_copy_position (map, node, copy);

  return copy;
}

static void
locate_like (PwSourceMap *map,
             JsonNode    *copy,
             JsonNode    *original)
{
  if (map != NULL)
    pw_source_map_copy_position (map, original, copy);
}

static void
locate_key_like (PwSourceMap *map,
                 JsonNode    *copy,
                 JsonNode    *original)
{
  if (map != NULL)
    pw_source_map_copy_key_position (map, original, copy);
}

static JsonNode *convert_from_cfn (JsonNode *node, PwSourceMap *map);

static JsonNode *
artifact_stores_from_cfn (JsonNode    *node,
                          PwSourceMap *map)
{
  JsonArray *list;
  JsonObject *stores;
  JsonNode *result;

  /* CloudFormation lists {Region, ArtifactStore}; the API maps region →
   * store. A list we cannot turn into a map (a Region that is an
   * intrinsic, say) is kept as it is, and validation says why. */
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return convert_from_cfn (node, map);

  list = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *item = json_array_get_element (list, i);
      JsonNode *region;

      if (!JSON_NODE_HOLDS_OBJECT (item) ||
          (region = json_object_get_member (json_node_get_object (item), "Region")) == NULL ||
          json_node_get_value_type (region) != G_TYPE_STRING ||
          json_object_has_member (json_node_get_object (item), "ArtifactStore") == FALSE)
        return convert_from_cfn (node, map);
    }

  stores = json_object_new ();
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *item = json_array_get_object_element (list, i);
      JsonNode *region = json_object_get_member (item, "Region");
      JsonNode *store = json_object_get_member (item, "ArtifactStore");
      JsonNode *converted = convert_from_cfn (store, map);

      locate_key_like (map, converted, region);
      json_object_set_member (stores, json_node_get_string (region), converted);
    }

  result = json_node_init_object (json_node_alloc (), stores);
  json_object_unref (stores);
  locate_like (map, result, node);
  return result;
}

static JsonNode *
convert_from_cfn (JsonNode    *node,
                  PwSourceMap *map)
{
  JsonNode *result;

  if (pw_cfn_is_intrinsic (node))
    return copy_located (node, map);

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *src = json_node_get_object (node);
        JsonObject *dst = json_object_new ();
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        json_object_iter_init_ordered (&iter, src);
        while (json_object_iter_next_ordered (&iter, &name, &member))
          {
            const char *api = cfn_to_api_key (name);
            JsonNode *value;

            if (api == NULL)
              value = copy_located (member, map);       /* not ours: keep it exactly */
            else if (g_str_equal (api, "configuration"))
              value = copy_located (member, map);       /* provider keys stay as they are */
            else if (g_str_equal (api, "artifactStores"))
              value = artifact_stores_from_cfn (member, map);
            else
              value = convert_from_cfn (member, map);

            locate_key_like (map, value, member);
            json_object_set_member (dst, api != NULL ? api : name, value);
          }

        result = json_node_init_object (json_node_alloc (), dst);
        json_object_unref (dst);
        break;
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *src = json_node_get_array (node);
        guint n = json_array_get_length (src);
        JsonArray *dst = json_array_sized_new (n);

        for (guint i = 0; i < n; i++)
          json_array_add_element (dst, convert_from_cfn (json_array_get_element (src, i), map));
        result = json_node_init_array (json_node_alloc (), dst);
        json_array_unref (dst);
        break;
      }

    case JSON_NODE_VALUE:
    case JSON_NODE_NULL:
    default:
      return copy_located (node, map);
    }

  locate_like (map, result, node);
  return result;
}

/* @node, a part of a pipeline in CloudFormation's casing (an action that
 * is the branch of an Fn::If, say), in the API's. */
JsonNode *
_pw_cfn_node_to_api (JsonNode *node)
{
  return convert_from_cfn (node, NULL);
}

static JsonObject *
resources_of (JsonNode *template_root)
{
  JsonNode *resources;

  if (template_root == NULL || !JSON_NODE_HOLDS_OBJECT (template_root))
    return NULL;

  resources = json_object_get_member (json_node_get_object (template_root), "Resources");
  if (resources == NULL || !JSON_NODE_HOLDS_OBJECT (resources))
    return NULL;

  return json_node_get_object (resources);
}

static gboolean
is_pipeline_resource (JsonNode *resource)
{
  JsonNode *type;

  if (resource == NULL || !JSON_NODE_HOLDS_OBJECT (resource))
    return FALSE;

  type = json_object_get_member (json_node_get_object (resource), "Type");
  return type != NULL &&
         json_node_get_value_type (type) == G_TYPE_STRING &&
         g_str_equal (json_node_get_string (type), "AWS::CodePipeline::Pipeline");
}

/**
 * pw_cfn_dup_pipeline_ids:
 *
 * Returns: (transfer full): the logical ids of the template's
 *   `AWS::CodePipeline::Pipeline` resources, in template order
 */
GStrv
pw_cfn_dup_pipeline_ids (JsonNode *template_root)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonObject *resources = resources_of (template_root);

  if (resources != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init_ordered (&iter, resources);
      while (json_object_iter_next_ordered (&iter, &name, &member))
        if (is_pipeline_resource (member))
          g_strv_builder_add (builder, name);
    }

  return g_strv_builder_end (builder);
}

static void
set_error (GError      **error,
           PwSourceMap  *map,
           JsonNode     *node,
           int           code,
           const char   *message)
{
  guint line = 0, column = 0;
  const char *file = map != NULL ? pw_source_map_get_filename (map) : "<input>";

  if (map != NULL && node != NULL && pw_source_map_lookup (map, node, &line, &column))
    g_set_error (error, PW_CORE_ERROR, code, "%s:%u:%u: %s", file, line, column, message);
  else
    g_set_error (error, PW_CORE_ERROR, code, "%s: %s", file, message);
}

/**
 * pw_cfn_pipeline_new:
 * @template_root: a parsed template (its nodes are located by @map)
 * @logical_id: (nullable): which pipeline; may be %NULL when the template
 *   has exactly one
 *
 * Imports one `AWS::CodePipeline::Pipeline` of a template into the model,
 * converting its PascalCase properties to the API's camelCase. Intrinsics
 * and properties Pipewright does not know are kept exactly.
 *
 * Returns: (transfer full) (nullable): the pipeline, or %NULL with @error set
 */
PwPipeline *
pw_cfn_pipeline_new (JsonNode    *template_root,
                     const char  *logical_id,
                     GError     **error)
{
  return _pw_cfn_pipeline_new_located (template_root, logical_id, NULL, error);
}

PwPipeline *
_pw_cfn_pipeline_new_located (JsonNode     *template_root,
                              const char   *logical_id,
                              PwSourceMap  *map,
                              GError      **error)
{
  g_auto(GStrv) ids = pw_cfn_dup_pipeline_ids (template_root);
  g_autoptr(JsonNode) declaration = NULL;
  JsonObject *resources = resources_of (template_root);
  JsonNode *resource, *properties;
  PwPipeline *pipeline;
  JsonObject *object;

  if (resources == NULL)
    {
      set_error (error, map, template_root, PW_CORE_ERROR_SHAPE,
                 _("the template has no Resources mapping"));
      return NULL;
    }

  if (logical_id == NULL)
    {
      if (ids[0] == NULL)
        {
          set_error (error, map, json_object_get_member (json_node_get_object (template_root), "Resources"),
                     PW_CORE_ERROR_NOT_FOUND,
                     _("the template has no AWS::CodePipeline::Pipeline resource"));
          return NULL;
        }

      if (ids[1] != NULL)
        {
          g_autofree char *list = g_strjoinv (", ", ids);
          g_autofree char *message =
            g_strdup_printf (_("the template has %u pipelines (%s); choose one with --resource"),
                             g_strv_length (ids), list);

          set_error (error, map, NULL, PW_CORE_ERROR_NOT_FOUND, message);
          return NULL;
        }

      logical_id = ids[0];
    }

  resource = json_object_get_member (resources, logical_id);
  if (!is_pipeline_resource (resource))
    {
      g_autofree char *list = g_strjoinv (", ", ids);
      g_autofree char *message =
        resource == NULL
          ? g_strdup_printf (_("no resource '%s' in the template; its pipelines are: %s"),
                             logical_id, ids[0] != NULL ? list : _("none"))
          : g_strdup_printf (_("resource '%s' is not an AWS::CodePipeline::Pipeline; the template's pipelines are: %s"),
                             logical_id, ids[0] != NULL ? list : _("none"));

      set_error (error, map, resource, PW_CORE_ERROR_NOT_FOUND, message);
      return NULL;
    }

  properties = json_object_get_member (json_node_get_object (resource), "Properties");
  if (properties == NULL)
    {
      declaration = _pw_json_new_object ();
      locate_like (map, declaration, resource);
    }
  else if (!JSON_NODE_HOLDS_OBJECT (properties) || pw_cfn_is_intrinsic (properties))
    {
      set_error (error, map, properties, PW_CORE_ERROR_SHAPE,
                 _("the pipeline's Properties must be a mapping"));
      return NULL;
    }
  else
    declaration = convert_from_cfn (properties, map);

  /* Tags sit beside `pipeline:` in a pipeline file. */
  object = json_node_get_object (declaration);
  pipeline = NULL;
  {
    g_autoptr(JsonNode) tags = NULL;

    /* The member stays where it was, so an export writes Tags back in
     * the same place; the API writer moves it beside `pipeline:`. */
    if (json_object_has_member (object, "tags"))
      tags = json_node_ref (json_object_get_member (object, "tags"));

    pipeline = pw_pipeline_new_from_declaration (declaration);
    if (tags != NULL)
      pw_pipeline_set_document_extra (pipeline, "tags", tags);
  }

  pw_pipeline_set_origin (pipeline, PW_PIPELINE_ORIGIN_CFN);
  pw_pipeline_set_cfn_context (pipeline, template_root, logical_id);
  _pw_element_set_origin (PW_ELEMENT (pipeline), properties != NULL ? properties : resource);
  if (map != NULL)
    pw_element_set_source_map (PW_ELEMENT (pipeline), map);

  return pipeline;
}

static JsonNode *
convert_to_cfn (JsonNode *node,
                gboolean  store_first)
{
  JsonNode *result;

  if (pw_cfn_is_intrinsic (node))
    return _pw_json_deep_copy (node);

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *src = json_node_get_object (node);
        JsonObject *dst = json_object_new ();
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        json_object_iter_init_ordered (&iter, src);
        while (json_object_iter_next_ordered (&iter, &name, &member))
          {
            g_autofree char *cfn = api_to_cfn_key (name);
            JsonNode *value;

            if (cfn == NULL || g_str_equal (name, "configuration"))
              value = _pw_json_deep_copy (member);
            else if (g_str_equal (name, "artifactStores") && JSON_NODE_HOLDS_OBJECT (member))
              {
                JsonArray *list = json_array_new ();
                JsonObjectIter stores;
                const char *region;
                JsonNode *store;

                json_object_iter_init_ordered (&stores, json_node_get_object (member));
                while (json_object_iter_next_ordered (&stores, &region, &store))
                  {
                    JsonObject *item = json_object_new ();

                    /* Keep the item's key order of the template it came from. */
                    if (store_first)
                      json_object_set_member (item, "ArtifactStore", convert_to_cfn (store, store_first));
                    json_object_set_string_member (item, "Region", region);
                    if (!store_first)
                      json_object_set_member (item, "ArtifactStore", convert_to_cfn (store, store_first));
                    json_array_add_object_element (list, item);
                  }
                value = json_node_init_array (json_node_alloc (), list);
                json_array_unref (list);
              }
            else
              value = convert_to_cfn (member, store_first);

            json_object_set_member (dst, cfn != NULL ? cfn : name, value);
          }

        result = json_node_init_object (json_node_alloc (), dst);
        json_object_unref (dst);
        return result;
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *src = json_node_get_array (node);
        guint n = json_array_get_length (src);
        JsonArray *dst = json_array_sized_new (n);

        for (guint i = 0; i < n; i++)
          json_array_add_element (dst, convert_to_cfn (json_array_get_element (src, i), store_first));
        result = json_node_init_array (json_node_alloc (), dst);
        json_array_unref (dst);
        return result;
      }

    case JSON_NODE_VALUE:
    case JSON_NODE_NULL:
    default:
      return json_node_copy (node);
    }
}

/* CloudFormation's ArtifactStores items are {Region, ArtifactStore}; the CDK
 * writes them the other way round. Whichever the template used wins. */
static gboolean
artifact_store_first (JsonNode   *template_root,
                      const char *logical_id)
{
  JsonObject *resources = resources_of (template_root);
  JsonNode *node;
  JsonObjectIter iter;
  const char *name;

  if (resources == NULL || logical_id == NULL ||
      (node = json_object_get_member (resources, logical_id)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (node) ||
      (node = json_object_get_member (json_node_get_object (node), "Properties")) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (node) ||
      (node = json_object_get_member (json_node_get_object (node), "ArtifactStores")) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (node) ||
      json_array_get_length (json_node_get_array (node)) == 0 ||
      (node = json_array_get_element (json_node_get_array (node), 0)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;

  json_object_iter_init_ordered (&iter, json_node_get_object (node));
  return json_object_iter_next_ordered (&iter, &name, NULL) && g_str_equal (name, "ArtifactStore");
}

static char *
logical_id_for (const char *name)
{
  GString *id = g_string_new (NULL);
  gboolean upper = TRUE;

  for (const char *p = name != NULL ? name : ""; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p))
        {
          if (id->len == 0 && g_ascii_isdigit (*p))
            g_string_append (id, "P");
          g_string_append_c (id, upper ? g_ascii_toupper (*p) : *p);
          upper = FALSE;
        }
      else
        upper = TRUE;
    }

  if (!g_str_has_suffix (id->str, "Pipeline"))
    g_string_append (id, "Pipeline");

  return g_string_free (id, FALSE);
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

/* CloudFormation-only properties ------------------------------------------ */

/**
 * _pw_cfn_dup_kept_properties:
 *
 * What a pipeline carries that only CloudFormation has a place for
 * (RestartExecutionOnUpdate, DisableInboundStageTransitions), in
 * CloudFormation's casing: from the template it was imported from, or
 * from the comment of the pipeline file that kept them for the export.
 *
 * Returns: (transfer full) (nullable): an object, or %NULL when none
 */
JsonNode *
_pw_cfn_dup_kept_properties (PwPipeline *pipeline)
{
  static const char * const keys[] = { "restartExecutionOnUpdate", "disableInboundStageTransitions" };
  JsonNode *kept = g_object_get_data (G_OBJECT (pipeline), "pw-cfn-kept");
  g_autoptr(JsonNode) declaration = NULL;
  JsonObject *out = NULL;

  if (kept != NULL)
    return _pw_json_deep_copy (kept);
  if (pw_pipeline_get_origin (pipeline) != PW_PIPELINE_ORIGIN_CFN)
    return NULL;

  declaration = pw_pipeline_to_declaration (pipeline);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      JsonNode *member = json_object_get_member (json_node_get_object (declaration), keys[i]);
      g_autofree char *cfn = NULL;

      if (member == NULL)
        continue;
      if (out == NULL)
        out = json_object_new ();
      cfn = api_to_cfn_key (keys[i]);
      json_object_set_member (out, cfn, convert_to_cfn (member, FALSE));
    }
  if (out == NULL)
    return NULL;
  {
    JsonNode *node = json_node_init_object (json_node_alloc (), out);

    json_object_unref (out);
    return node;
  }
}

/* A new template ----------------------------------------------------------- */

typedef struct
{
  JsonObject *parameters;
  JsonObject *conditions;
  GPtrArray  *notes;
} Whole;

static char *
alnum_id (const char *text)
{
  GString *id = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (id, *p);
  return g_string_free (id, FALSE);
}

static void
add_parameter (Whole      *whole,
               const char *name,
               const char *was)
{
  JsonObject *parameter;
  g_autofree char *description = NULL;
  g_autofree char *message = NULL;

  if (json_object_has_member (whole->parameters, name))
    return;
  parameter = json_object_new ();
  json_object_set_string_member (parameter, "Type", "String");
  description = g_strdup_printf ("The value of %s in the template the pipeline was imported from", was);
  json_object_set_string_member (parameter, "Description", description);
  json_object_set_object_member (whole->parameters, name, parameter);
  message = g_strdup_printf (_("%s refers to something outside the pipeline: it became the template "
                               "parameter %s, to give when the stack is created"), was, name);
  add_note (whole->notes, "P35", "", message);
}

static void
add_condition (Whole      *whole,
               const char *name)
{
  g_autofree char *parameter = NULL;
  g_autofree char *was = NULL;
  JsonObject *p, *condition, *ref;
  JsonArray *equals, *allowed;

  if (json_object_has_member (whole->conditions, name))
    return;
  parameter = g_strdup_printf ("%sEnabled", name);
  p = json_object_new ();
  json_object_set_string_member (p, "Type", "String");
  allowed = json_array_new ();
  json_array_add_string_element (allowed, "true");
  json_array_add_string_element (allowed, "false");
  json_object_set_array_member (p, "AllowedValues", allowed);
  json_object_set_string_member (p, "Default", "true");
  json_object_set_string_member (p, "Description", "Whether the condition of the same name holds "
                                 "(it was defined in the template the pipeline was imported from)");
  json_object_set_object_member (whole->parameters, parameter, p);

  condition = json_object_new ();
  equals = json_array_new ();
  ref = json_object_new ();
  json_object_set_string_member (ref, "Ref", parameter);
  json_array_add_object_element (equals, ref);
  json_array_add_string_element (equals, "true");
  json_object_set_array_member (condition, "Fn::Equals", equals);
  json_object_set_object_member (whole->conditions, name, condition);
  was = g_strdup_printf (_("the condition %s became a template condition on the parameter %s"), name, parameter);
  add_note (whole->notes, "P35", "", was);
}

/* ${Name} and ${Name.Attr} of an Fn::Sub string: parameters for what the
 * new template does not define (the string rewritten for attributes). */
static char *
whole_sub (Whole      *whole,
           const char *text,
           JsonObject *variables)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0';)
    {
      const char *end;

      if (p[0] == '$' && p[1] == '{' && p[2] != '!' && (end = strchr (p + 2, '}')) != NULL)
        {
          g_autofree char *name = g_strndup (p + 2, end - (p + 2));

          if (g_str_has_prefix (name, "AWS::") || (variables != NULL && json_object_has_member (variables, name)))
            g_string_append_len (out, p, end + 1 - p);
          else
            {
              g_autofree char *id = alnum_id (name);
              g_autofree char *was = strchr (name, '.') != NULL
                ? g_strdup_printf ("Fn::GetAtt %s", name) : g_strdup_printf ("Ref %s", name);

              add_parameter (whole, id, was);
              g_string_append_printf (out, "${%s}", id);
            }
          p = end + 1;
          continue;
        }
      g_string_append_c (out, *p++);
    }
  return g_string_free (out, FALSE);
}

/* Rewrites @node's references to logical ids of another template into
 * parameters of this one, so the template stands alone. */
static void
make_whole (Whole    *whole,
            JsonNode *node)
{
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        make_whole (whole, json_array_get_element (array, i));
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return;

  {
    JsonObject *object = json_node_get_object (node);
    JsonNode *member;

    if (json_object_get_size (object) == 1 && (member = json_object_get_member (object, "Ref")) != NULL &&
        JSON_NODE_HOLDS_VALUE (member) && json_node_get_value_type (member) == G_TYPE_STRING)
      {
        const char *name = json_node_get_string (member);
        g_autofree char *id = NULL;
        g_autofree char *was = NULL;

        if (g_str_has_prefix (name, "AWS::"))
          return;
        id = alnum_id (name);
        was = g_strdup_printf ("Ref %s", name);
        add_parameter (whole, id, was);
        json_object_set_string_member (object, "Ref", id);
        return;
      }

    if (json_object_get_size (object) == 1 && (member = json_object_get_member (object, "Fn::GetAtt")) != NULL)
      {
        g_autofree char *joined = NULL;
        g_autofree char *id = NULL;
        g_autofree char *was = NULL;

        if (JSON_NODE_HOLDS_ARRAY (member) && json_array_get_length (json_node_get_array (member)) == 2 &&
            JSON_NODE_HOLDS_VALUE (json_array_get_element (json_node_get_array (member), 0)) &&
            JSON_NODE_HOLDS_VALUE (json_array_get_element (json_node_get_array (member), 1)))
          joined = g_strdup_printf ("%s.%s", json_array_get_string_element (json_node_get_array (member), 0),
                                    json_array_get_string_element (json_node_get_array (member), 1));
        else if (JSON_NODE_HOLDS_VALUE (member) && json_node_get_value_type (member) == G_TYPE_STRING)
          joined = g_strdup (json_node_get_string (member));
        if (joined == NULL)
          return;
        id = alnum_id (joined);
        was = g_strdup_printf ("Fn::GetAtt %s", joined);
        add_parameter (whole, id, was);
        json_object_remove_member (object, "Fn::GetAtt");
        json_object_set_string_member (object, "Ref", id);
        return;
      }

    if (json_object_get_size (object) == 1 && (member = json_object_get_member (object, "Fn::Sub")) != NULL)
      {
        if (JSON_NODE_HOLDS_VALUE (member) && json_node_get_value_type (member) == G_TYPE_STRING)
          {
            g_autofree char *text = whole_sub (whole, json_node_get_string (member), NULL);

            json_object_set_string_member (object, "Fn::Sub", text);
          }
        else if (JSON_NODE_HOLDS_ARRAY (member) && json_array_get_length (json_node_get_array (member)) == 2)
          {
            JsonArray *pair = json_node_get_array (member);
            JsonNode *vars = json_array_get_element (pair, 1);
            JsonNode *first = json_array_get_element (pair, 0);

            make_whole (whole, vars);
            if (JSON_NODE_HOLDS_VALUE (first) && json_node_get_value_type (first) == G_TYPE_STRING)
              {
                g_autofree char *text = whole_sub (whole, json_node_get_string (first),
                                                   JSON_NODE_HOLDS_OBJECT (vars) ? json_node_get_object (vars) : NULL);

                json_node_set_string (first, text);
              }
          }
        return;
      }

    /* Fn::Join with an empty delimiter is an Fn::Sub (cfn-lint's E3703
     * asks for it, and it reads better): "arn:${AWS::Partition}:…". */
    if (json_object_get_size (object) == 1 && (member = json_object_get_member (object, "Fn::Join")) != NULL &&
        JSON_NODE_HOLDS_ARRAY (member) && json_array_get_length (json_node_get_array (member)) == 2 &&
        JSON_NODE_HOLDS_VALUE (json_array_get_element (json_node_get_array (member), 0)) &&
        g_strcmp0 (json_array_get_string_element (json_node_get_array (member), 0), "") == 0 &&
        JSON_NODE_HOLDS_ARRAY (json_array_get_element (json_node_get_array (member), 1)))
      {
        JsonArray *parts = json_node_get_array (json_array_get_element (json_node_get_array (member), 1));
        g_autoptr(GString) sub = g_string_new (NULL);
        gboolean simple = TRUE;

        for (guint i = 0; simple && i < json_array_get_length (parts); i++)
          {
            JsonNode *part = json_array_get_element (parts, i);
            JsonObject *o = JSON_NODE_HOLDS_OBJECT (part) ? json_node_get_object (part) : NULL;
            JsonNode *ref = o != NULL && json_object_get_size (o) == 1 ? json_object_get_member (o, "Ref") : NULL;
            JsonNode *att = o != NULL && json_object_get_size (o) == 1 ? json_object_get_member (o, "Fn::GetAtt") : NULL;

            if (JSON_NODE_HOLDS_VALUE (part) && json_node_get_value_type (part) == G_TYPE_STRING)
              {
                for (const char *c = json_node_get_string (part); *c != '\0'; c++)
                  {
                    if (c[0] == '$' && c[1] == '{')
                      {
                        g_string_append (sub, "${!");
                        c++;
                      }
                    else
                      g_string_append_c (sub, *c);
                  }
              }
            else if (ref != NULL && JSON_NODE_HOLDS_VALUE (ref) && json_node_get_value_type (ref) == G_TYPE_STRING)
              g_string_append_printf (sub, "${%s}", json_node_get_string (ref));
            else if (att != NULL && JSON_NODE_HOLDS_ARRAY (att) && json_array_get_length (json_node_get_array (att)) == 2 &&
                     JSON_NODE_HOLDS_VALUE (json_array_get_element (json_node_get_array (att), 0)) &&
                     JSON_NODE_HOLDS_VALUE (json_array_get_element (json_node_get_array (att), 1)))
              g_string_append_printf (sub, "${%s.%s}", json_array_get_string_element (json_node_get_array (att), 0),
                                      json_array_get_string_element (json_node_get_array (att), 1));
            else
              simple = FALSE;
          }
        if (simple)
          {
            g_autofree char *text = whole_sub (whole, sub->str, NULL);

            json_object_remove_member (object, "Fn::Join");
            json_object_set_string_member (object, "Fn::Sub", text);
            return;
          }
      }

    if (json_object_get_size (object) == 1 && (member = json_object_get_member (object, "Fn::FindInMap")) != NULL &&
        JSON_NODE_HOLDS_ARRAY (member) && json_array_get_length (json_node_get_array (member)) == 3)
      {
        JsonArray *args = json_node_get_array (member);
        g_autofree char *joined = NULL;
        g_autofree char *id = NULL;
        g_autofree char *was = NULL;

        for (guint i = 0; i < 3; i++)
          if (!JSON_NODE_HOLDS_VALUE (json_array_get_element (args, i)) ||
              json_node_get_value_type (json_array_get_element (args, i)) != G_TYPE_STRING)
            {
              make_whole (whole, member);
              return;
            }
        joined = g_strdup_printf ("%s%s%s", json_array_get_string_element (args, 0),
                                  json_array_get_string_element (args, 1), json_array_get_string_element (args, 2));
        id = alnum_id (joined);
        was = g_strdup_printf ("Fn::FindInMap [%s, %s, %s]", json_array_get_string_element (args, 0),
                               json_array_get_string_element (args, 1), json_array_get_string_element (args, 2));
        add_parameter (whole, id, was);
        json_object_remove_member (object, "Fn::FindInMap");
        json_object_set_string_member (object, "Ref", id);
        return;
      }

    if (json_object_get_size (object) == 1 && (member = json_object_get_member (object, "Fn::If")) != NULL &&
        JSON_NODE_HOLDS_ARRAY (member) && json_array_get_length (json_node_get_array (member)) == 3)
      {
        JsonNode *condition = json_array_get_element (json_node_get_array (member), 0);

        if (JSON_NODE_HOLDS_VALUE (condition) && json_node_get_value_type (condition) == G_TYPE_STRING)
          add_condition (whole, json_node_get_string (condition));
        make_whole (whole, json_array_get_element (json_node_get_array (member), 1));
        make_whole (whole, json_array_get_element (json_node_get_array (member), 2));
        return;
      }

    {
      JsonObjectIter iter;
      const char *name;

      json_object_iter_init_ordered (&iter, object);
      while (json_object_iter_next_ordered (&iter, &name, &member))
        make_whole (whole, member);
    }
  }
}

/**
 * pw_cfn_export:
 * @notes: (element-type PwDiagnostic) (nullable): receives a note for each
 *   thing the conversion had to change or leave out
 *
 * Writes the pipeline as a CloudFormation template. A pipeline imported
 * from a template keeps that whole template, with only its resource's
 * Properties written anew; any other gets a complete new template.
 *
 * Returns: (transfer full): the template
 */
JsonNode *
pw_cfn_export (PwPipeline *pipeline,
               GPtrArray  *notes)
{
  g_autoptr(JsonNode) declaration = NULL;
  g_autoptr(JsonNode) properties = NULL;
  JsonObject *props;
  JsonNode *tags;
  JsonNode *template_root;
  const char *logical_id;

  g_return_val_if_fail (PW_IS_PIPELINE (pipeline), NULL);

  declaration = pw_pipeline_to_declaration (pipeline);
  if (json_object_has_member (json_node_get_object (declaration), "version"))
    {
      json_object_remove_member (json_node_get_object (declaration), "version");
      add_note (notes, "P25", "version",
                _("'version' is maintained by the service and is read-only in CloudFormation "
                  "(Fn::GetAtt Pipeline.Version); it was left out"));
    }

  template_root = pw_pipeline_get_cfn_template (pipeline);
  logical_id = pw_pipeline_get_cfn_logical_id (pipeline);

  properties = convert_to_cfn (declaration, artifact_store_first (template_root, logical_id));
  props = json_node_get_object (properties);

  tags = pw_pipeline_get_document_extra (pipeline, "tags");
  if (tags != NULL)
    {
      if (JSON_NODE_HOLDS_ARRAY (tags))
        json_object_set_member (props, "Tags", convert_to_cfn (tags, FALSE));
      else
        json_object_set_member (props, "Tags", _pw_json_deep_copy (tags));
    }

  /* What the pipeline file kept for CloudFormation comes back. */
  {
    g_autoptr(JsonNode) kept = _pw_cfn_dup_kept_properties (pipeline);
    JsonObjectIter iter;
    const char *name;
    JsonNode *member;

    if (kept != NULL && JSON_NODE_HOLDS_OBJECT (kept))
      {
        json_object_iter_init_ordered (&iter, json_node_get_object (kept));
        while (json_object_iter_next_ordered (&iter, &name, &member))
          if (!json_object_has_member (props, name))
            json_object_set_member (props, name, _pw_json_deep_copy (member));
      }
  }

  if (template_root != NULL && logical_id != NULL && resources_of (template_root) != NULL)
    {
      JsonNode *copy = _pw_json_deep_copy (template_root);
      JsonNode *resource = json_object_get_member (resources_of (copy), logical_id);

      if (resource != NULL && JSON_NODE_HOLDS_OBJECT (resource))
        {
          json_object_set_member (json_node_get_object (resource), "Properties",
                                  g_steal_pointer (&properties));
          return copy;
        }

      json_node_unref (copy);
    }

  {
    g_autofree char *id = logical_id_for (pw_pipeline_get_name (pipeline));
    g_autofree char *description = NULL;
    JsonObject *root = json_object_new ();
    JsonObject *resources = json_object_new ();
    JsonObject *resource = json_object_new ();
    JsonObject *outputs = json_object_new ();
    JsonObject *output;
    JsonObject *ref;
    JsonArray *getatt;
    JsonNode *node;

    if (pw_pipeline_get_name (pipeline) != NULL)
      description = g_strdup_printf ("CodePipeline %s, exported by Pipewright",
                                     pw_pipeline_get_name (pipeline));
    else
      description = g_strdup ("CodePipeline pipeline, exported by Pipewright");

    json_object_set_string_member (root, "AWSTemplateFormatVersion", "2010-09-09");
    json_object_set_string_member (root, "Description", description);

    /* A pipeline file may hold what only its template resolved (an
     * imported CDK pipeline): each reference becomes a parameter, each
     * condition a condition on one, and the template stands alone. */
    {
      Whole whole = { json_object_new (), json_object_new (), notes };

      make_whole (&whole, properties);
      if (json_object_get_size (whole.parameters) > 0)
        json_object_set_object_member (root, "Parameters", json_object_ref (whole.parameters));
      if (json_object_get_size (whole.conditions) > 0)
        json_object_set_object_member (root, "Conditions", json_object_ref (whole.conditions));
      json_object_unref (whole.parameters);
      json_object_unref (whole.conditions);
    }

    json_object_set_string_member (resource, "Type", "AWS::CodePipeline::Pipeline");
    json_object_set_member (resource, "Properties", g_steal_pointer (&properties));
    json_object_set_object_member (resources, id, resource);
    json_object_set_object_member (root, "Resources", resources);

    output = json_object_new ();
    ref = json_object_new ();
    json_object_set_string_member (ref, "Ref", id);
    json_object_set_object_member (output, "Value", ref);
    json_object_set_object_member (outputs, "PipelineName", output);

    output = json_object_new ();
    ref = json_object_new ();
    getatt = json_array_new ();
    json_array_add_string_element (getatt, id);
    json_array_add_string_element (getatt, "Version");
    json_object_set_array_member (ref, "Fn::GetAtt", getatt);
    json_object_set_object_member (output, "Value", ref);
    json_object_set_object_member (outputs, "PipelineVersion", output);
    json_object_set_object_member (root, "Outputs", outputs);

    node = json_node_init_object (json_node_alloc (), root);
    json_object_unref (root);
    return node;
  }
}

/* For the edit module ------------------------------------------------------ */

/**
 * _pw_cfn_key_from_api:
 *
 * Returns: (transfer full) (nullable): the CloudFormation name of a
 *   declaration key (`roleArn` → `RoleArn`), or %NULL when @key is none
 */
char *
_pw_cfn_key_from_api (const char *key)
{
  return api_to_cfn_key (key);
}

/**
 * _pw_cfn_key_to_api:
 *
 * Returns: (nullable): the API name of a CloudFormation declaration key
 *   (`RoleArn` → `roleArn`), or %NULL when @key is none
 */
const char *
_pw_cfn_key_to_api (const char *key)
{
  return cfn_to_api_key (key);
}

/**
 * _pw_cfn_value_from_api:
 * @value: part of a declaration, in the API's shape
 * @store_first: write `ArtifactStore` before `Region` in ArtifactStores
 *
 * Returns: (transfer full): @value in CloudFormation's shape: PascalCase
 *   keys (not inside `configuration`), ArtifactStores as a list
 */
JsonNode *
_pw_cfn_value_from_api (JsonNode *value,
                        gboolean  store_first)
{
  return convert_to_cfn (value, store_first);
}

/* Short forms, for showing values ------------------------------------------ */

static void
append_flow (GString  *out,
             JsonNode *node,
             guint     depth);

static void
append_scalar (GString  *out,
               JsonNode *node)
{
  if (JSON_NODE_HOLDS_NULL (node))
    {
      g_string_append (out, "null");
      return;
    }

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      g_string_append (out, json_node_get_string (node));
      break;

    case G_TYPE_INT64:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
      break;

    case G_TYPE_DOUBLE:
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];
        g_string_append (out, g_ascii_dtostr (buf, sizeof buf, json_node_get_double (node)));
      }
      break;

    case G_TYPE_BOOLEAN:
      g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
      break;

    default:
      break;
    }
}

/* Intrinsics read as their short form: {"Ref": "Repo"} is "!Ref Repo",
 * {"Fn::GetAtt": ["Role", "Arn"]} is "!GetAtt Role.Arn". */
static gboolean
append_intrinsic (GString  *out,
                  JsonNode *node,
                  guint     depth)
{
  JsonObject *object;
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  if (!pw_cfn_is_intrinsic (node))
    return FALSE;

  object = json_node_get_object (node);
  json_object_iter_init (&iter, object);
  if (!json_object_iter_next (&iter, &name, &value))
    return FALSE;

  if (g_str_equal (name, "Ref"))
    g_string_append (out, "!Ref ");
  else if (g_str_equal (name, "Condition"))
    g_string_append (out, "!Condition ");
  else if (g_str_has_prefix (name, "Fn::"))
    g_string_append_printf (out, "!%s ", name + 4);
  else
    g_string_append_printf (out, "%s ", name);

  if (g_str_equal (name, "Fn::GetAtt") && JSON_NODE_HOLDS_ARRAY (value))
    {
      JsonArray *array = json_node_get_array (value);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          if (i > 0)
            g_string_append_c (out, '.');
          append_flow (out, json_array_get_element (array, i), depth + 1);
        }
      return TRUE;
    }

  append_flow (out, value, depth + 1);
  return TRUE;
}

static void
append_flow (GString  *out,
             JsonNode *node,
             guint     depth)
{
  if (depth > 16)
    {
      g_string_append (out, "…");
      return;
    }

  if (append_intrinsic (out, node, depth))
    return;

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      g_string_append_c (out, '[');
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          if (i > 0)
            g_string_append (out, ", ");
          append_flow (out, json_array_get_element (array, i), depth + 1);
        }
      g_string_append_c (out, ']');
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;
      gboolean first = TRUE;

      g_string_append_c (out, '{');
      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &value))
        {
          if (!first)
            g_string_append (out, ", ");
          first = FALSE;
          g_string_append_printf (out, "%s: ", name);
          append_flow (out, value, depth + 1);
        }
      g_string_append_c (out, '}');
    }
  else
    append_scalar (out, node);
}

/**
 * pw_format_value:
 *
 * Returns: a one-line rendering of @node for labels: strings as they are,
 *   intrinsics in their short form, collections in flow style
 */
char *
pw_format_value (JsonNode *node)
{
  GString *out = g_string_new (NULL);

  if (node != NULL)
    append_flow (out, node, 0);
  return g_string_free (out, FALSE);
}

/**
 * pw_format_intrinsic:
 *
 * Returns: (nullable): the short form of @node if it is an intrinsic
 */
char *
pw_format_intrinsic (JsonNode *node)
{
  if (node == NULL || !pw_cfn_is_intrinsic (node))
    return NULL;
  return pw_format_value (node);
}
