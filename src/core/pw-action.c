/* pw-action.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-action"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pw-core-private.h"

struct _PwAction
{
  PwElement parent_instance;
};

enum {
  PROP_0,
  PROP_NAME,
  PROP_CATEGORY,
  PROP_OWNER,
  PROP_PROVIDER,
  PROP_VERSION,
  PROP_RUN_ORDER,
  PROP_NAMESPACE,
  PROP_REGION,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (PwAction, pw_action, PW_TYPE_ELEMENT)

static GParamSpec *properties [N_PROPS];

static const char *
type_id_member (PwAction   *self,
                const char *key)
{
  JsonNode *node = pw_element_get_member (PW_ELEMENT (self), "actionTypeId");
  JsonNode *value;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  value = json_object_get_member (json_node_get_object (node), key);
  if (value == NULL || json_node_get_value_type (value) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (value);
}

static void
pw_action_member_changed (PwElement  *element,
                          const char *member)
{
  PwAction *self = PW_ACTION (element);

  if (g_str_equal (member, "name"))
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_NAME]);
  else if (g_str_equal (member, "actionTypeId"))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_CATEGORY]);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_OWNER]);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_PROVIDER]);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_VERSION]);
    }
  else if (g_str_equal (member, "runOrder"))
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_RUN_ORDER]);
  else if (g_str_equal (member, "namespace"))
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_NAMESPACE]);
  else if (g_str_equal (member, "region"))
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_REGION]);
}

static void
pw_action_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  PwAction *self = PW_ACTION (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, pw_action_get_name (self));
      break;

    case PROP_CATEGORY:
      g_value_set_string (value, pw_action_get_category (self));
      break;

    case PROP_OWNER:
      g_value_set_string (value, pw_action_get_owner (self));
      break;

    case PROP_PROVIDER:
      g_value_set_string (value, pw_action_get_provider (self));
      break;

    case PROP_VERSION:
      g_value_set_string (value, pw_action_get_version (self));
      break;

    case PROP_RUN_ORDER:
      g_value_set_int64 (value, pw_action_get_run_order (self));
      break;

    case PROP_NAMESPACE:
      g_value_set_string (value, pw_action_get_namespace (self));
      break;

    case PROP_REGION:
      g_value_set_string (value, pw_action_get_region (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_action_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  PwAction *self = PW_ACTION (object);

  switch (prop_id)
    {
    case PROP_NAME:
      pw_action_set_name (self, g_value_get_string (value));
      break;

    case PROP_RUN_ORDER:
      pw_action_set_run_order (self, g_value_get_int64 (value));
      break;

    case PROP_NAMESPACE:
      pw_element_set_string (PW_ELEMENT (self), "namespace", g_value_get_string (value));
      break;

    case PROP_REGION:
      pw_element_set_string (PW_ELEMENT (self), "region", g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_action_class_init (PwActionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  PwElementClass *element_class = PW_ELEMENT_CLASS (klass);

  object_class->get_property = pw_action_get_property;
  object_class->set_property = pw_action_set_property;
  element_class->member_changed = pw_action_member_changed;

  properties [PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_CATEGORY] =
    g_param_spec_string ("category", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_OWNER] =
    g_param_spec_string ("owner", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_PROVIDER] =
    g_param_spec_string ("provider", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_VERSION] =
    g_param_spec_string ("version", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_RUN_ORDER] =
    g_param_spec_int64 ("run-order", NULL, NULL, 0, G_MAXINT64, 1,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_NAMESPACE] =
    g_param_spec_string ("namespace", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_REGION] =
    g_param_spec_string ("region", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pw_action_init (PwAction *self)
{
}

PwAction *
pw_action_new (const char *name)
{
  PwAction *self = g_object_new (PW_TYPE_ACTION, NULL);

  if (name != NULL)
    pw_action_set_name (self, name);

  return self;
}

/**
 * pw_action_new_from_declaration:
 * @declaration: an `ActionDeclaration` in the API's shape; anything else
 *   makes an opaque action
 *
 * Returns: (transfer full): a new action sharing @declaration
 */
PwAction *
pw_action_new_from_declaration (JsonNode *declaration)
{
  PwAction *self;

  g_return_val_if_fail (declaration != NULL, NULL);

  self = g_object_new (PW_TYPE_ACTION, NULL);
  _pw_element_set_declaration (PW_ELEMENT (self), declaration);

  return self;
}

const char *
pw_action_get_name (PwAction *self)
{
  g_return_val_if_fail (PW_IS_ACTION (self), NULL);

  return pw_element_get_string (PW_ELEMENT (self), "name");
}

void
pw_action_set_name (PwAction   *self,
                    const char *name)
{
  g_return_if_fail (PW_IS_ACTION (self));

  pw_element_set_string (PW_ELEMENT (self), "name", name);
}

const char *
pw_action_get_category (PwAction *self)
{
  g_return_val_if_fail (PW_IS_ACTION (self), NULL);

  return type_id_member (self, "category");
}

const char *
pw_action_get_owner (PwAction *self)
{
  g_return_val_if_fail (PW_IS_ACTION (self), NULL);

  return type_id_member (self, "owner");
}

const char *
pw_action_get_provider (PwAction *self)
{
  g_return_val_if_fail (PW_IS_ACTION (self), NULL);

  return type_id_member (self, "provider");
}

const char *
pw_action_get_version (PwAction *self)
{
  g_return_val_if_fail (PW_IS_ACTION (self), NULL);

  return type_id_member (self, "version");
}

void
pw_action_set_type_id (PwAction   *self,
                       const char *category,
                       const char *owner,
                       const char *provider,
                       const char *version)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  g_return_if_fail (PW_IS_ACTION (self));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "category");
  json_builder_add_string_value (builder, category);
  json_builder_set_member_name (builder, "owner");
  json_builder_add_string_value (builder, owner);
  json_builder_set_member_name (builder, "provider");
  json_builder_add_string_value (builder, provider);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, version != NULL ? version : "1");
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  pw_element_set_member (PW_ELEMENT (self), "actionTypeId", node);
}

/**
 * pw_action_get_run_order:
 *
 * Returns: the action's runOrder: 1 when it is not set, 0 when it is set to
 *   something that is not a positive integer (an intrinsic, a word, …).
 *   CloudFormation's string form (`RunOrder: '2'`) counts as its number.
 */
gint64
pw_action_get_run_order (PwAction *self)
{
  JsonNode *node;

  g_return_val_if_fail (PW_IS_ACTION (self), 0);

  node = pw_element_get_member (PW_ELEMENT (self), "runOrder");
  if (node == NULL)
    return 1;

  if (JSON_NODE_HOLDS_VALUE (node))
    {
      GType type = json_node_get_value_type (node);

      if (type == G_TYPE_INT64)
        return MAX (json_node_get_int (node), 0);

      if (type == G_TYPE_STRING)
        {
          const char *s = json_node_get_string (node);
          char *end = NULL;
          gint64 v;

          if (s[0] < '0' || s[0] > '9')
            return 0;
          v = g_ascii_strtoll (s, &end, 10);
          if (end == NULL || *end != '\0' || v < 0)
            return 0;
          return v;
        }
    }

  return 0;
}

void
pw_action_set_run_order (PwAction *self,
                         gint64    run_order)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_if_fail (PW_IS_ACTION (self));

  node = _pw_json_new_int (run_order);
  pw_element_set_member (PW_ELEMENT (self), "runOrder", node);
}

const char *
pw_action_get_namespace (PwAction *self)
{
  g_return_val_if_fail (PW_IS_ACTION (self), NULL);

  return pw_element_get_string (PW_ELEMENT (self), "namespace");
}

const char *
pw_action_get_region (PwAction *self)
{
  g_return_val_if_fail (PW_IS_ACTION (self), NULL);

  return pw_element_get_string (PW_ELEMENT (self), "region");
}

/**
 * pw_action_get_configuration:
 *
 * Returns: (transfer none) (nullable): the `configuration` object, or
 *   %NULL when there is none or it is not an object
 */
JsonObject *
pw_action_get_configuration (PwAction *self)
{
  JsonNode *node;

  g_return_val_if_fail (PW_IS_ACTION (self), NULL);

  node = pw_element_get_member (PW_ELEMENT (self), "configuration");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return json_node_get_object (node);
}

const char *
pw_action_get_configuration_string (PwAction   *self,
                                    const char *key)
{
  JsonObject *config;
  JsonNode *node;

  g_return_val_if_fail (PW_IS_ACTION (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if ((config = pw_action_get_configuration (self)) == NULL ||
      (node = json_object_get_member (config, key)) == NULL ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

void
pw_action_set_configuration_string (PwAction   *self,
                                    const char *key,
                                    const char *value)
{
  JsonNode *current;
  g_autoptr(JsonNode) copy = NULL;
  JsonObject *config;

  g_return_if_fail (PW_IS_ACTION (self));
  g_return_if_fail (key != NULL);

  current = pw_element_get_member (PW_ELEMENT (self), "configuration");
  if (current != NULL && JSON_NODE_HOLDS_OBJECT (current))
    copy = _pw_json_deep_copy (current);
  else
    copy = _pw_json_new_object ();
  config = json_node_get_object (copy);

  if (value != NULL)
    json_object_set_string_member (config, key, value);
  else if (json_object_has_member (config, key))
    json_object_remove_member (config, key);

  pw_element_set_member (PW_ELEMENT (self), "configuration", copy);
}

static JsonArray *
artifact_array (PwAction   *self,
                const char *member)
{
  JsonNode *node = pw_element_get_member (PW_ELEMENT (self), member);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;

  return json_node_get_array (node);
}

static const char *
artifact_name (JsonArray *array,
               guint      index)
{
  JsonNode *item, *name;

  if (array == NULL || index >= json_array_get_length (array))
    return NULL;

  item = json_array_get_element (array, index);
  if (!JSON_NODE_HOLDS_OBJECT (item))
    return NULL;

  name = json_object_get_member (json_node_get_object (item), "name");
  if (name == NULL || json_node_get_value_type (name) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (name);
}

static GStrv
dup_artifacts (PwAction   *self,
               const char *member)
{
  JsonArray *array = artifact_array (self, member);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n = array != NULL ? json_array_get_length (array) : 0;

  for (guint i = 0; i < n; i++)
    {
      const char *name = artifact_name (array, i);

      if (name != NULL)
        g_strv_builder_add (builder, name);
    }

  return g_strv_builder_end (builder);
}

/**
 * pw_action_dup_input_artifacts:
 *
 * Returns: (transfer full): the names of the input artifacts that are
 *   well-formed
 */
GStrv
pw_action_dup_input_artifacts (PwAction *self)
{
  g_return_val_if_fail (PW_IS_ACTION (self), NULL);

  return dup_artifacts (self, "inputArtifacts");
}

/**
 * pw_action_dup_output_artifacts:
 *
 * Returns: (transfer full): the names of the output artifacts that are
 *   well-formed
 */
GStrv
pw_action_dup_output_artifacts (PwAction *self)
{
  g_return_val_if_fail (PW_IS_ACTION (self), NULL);

  return dup_artifacts (self, "outputArtifacts");
}

guint
pw_action_get_n_input_artifacts (PwAction *self)
{
  JsonArray *array;

  g_return_val_if_fail (PW_IS_ACTION (self), 0);

  array = artifact_array (self, "inputArtifacts");
  return array != NULL ? json_array_get_length (array) : 0;
}

guint
pw_action_get_n_output_artifacts (PwAction *self)
{
  JsonArray *array;

  g_return_val_if_fail (PW_IS_ACTION (self), 0);

  array = artifact_array (self, "outputArtifacts");
  return array != NULL ? json_array_get_length (array) : 0;
}

/**
 * pw_action_get_input_artifact:
 *
 * Returns: (nullable): the name of input artifact @index, %NULL when it is
 *   malformed or out of range
 */
const char *
pw_action_get_input_artifact (PwAction *self,
                              guint     index)
{
  g_return_val_if_fail (PW_IS_ACTION (self), NULL);

  return artifact_name (artifact_array (self, "inputArtifacts"), index);
}

/**
 * pw_action_get_output_artifact:
 *
 * Returns: (nullable): the name of output artifact @index
 */
const char *
pw_action_get_output_artifact (PwAction *self,
                               guint     index)
{
  g_return_val_if_fail (PW_IS_ACTION (self), NULL);

  return artifact_name (artifact_array (self, "outputArtifacts"), index);
}
