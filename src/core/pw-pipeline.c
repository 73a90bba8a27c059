/* pw-pipeline.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-pipeline"

#include "config.h"

#include "pw-core-private.h"

struct _PwPipeline
{
  PwElement         parent_instance;

  /* Owned references */
  PwElementList     stages;
  JsonObject       *document_extra;
  JsonNode         *cfn_template;
  char             *cfn_logical_id;
  GHashTable       *cfn_parameters;

  PwPipelineOrigin  origin;
};

enum {
  PROP_0,
  PROP_NAME,
  PROP_PIPELINE_TYPE,
  PROP_EXECUTION_MODE,
  PROP_N_ITEMS,
  N_PROPS
};

G_DEFINE_FINAL_TYPE_WITH_CODE (PwPipeline, pw_pipeline, PW_TYPE_ELEMENT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      _pw_element_list_model_init))

static GParamSpec *properties [N_PROPS];

static void
pw_pipeline_member_changed (PwElement  *element,
                            const char *member)
{
  if (g_str_equal (member, "name"))
    g_object_notify_by_pspec (G_OBJECT (element), properties [PROP_NAME]);
  else if (g_str_equal (member, "pipelineType"))
    g_object_notify_by_pspec (G_OBJECT (element), properties [PROP_PIPELINE_TYPE]);
  else if (g_str_equal (member, "executionMode"))
    g_object_notify_by_pspec (G_OBJECT (element), properties [PROP_EXECUTION_MODE]);
}

static void
pw_pipeline_dispose (GObject *object)
{
  PwPipeline *self = (PwPipeline *)object;

  _pw_element_list_dispose (&self->stages);

  G_OBJECT_CLASS (pw_pipeline_parent_class)->dispose (object);
}

static void
pw_pipeline_finalize (GObject *object)
{
  PwPipeline *self = (PwPipeline *)object;

  _pw_element_list_finalize (&self->stages);
  g_clear_pointer (&self->document_extra, json_object_unref);
  g_clear_pointer (&self->cfn_template, json_node_unref);
  g_clear_pointer (&self->cfn_logical_id, g_free);
  g_clear_pointer (&self->cfn_parameters, g_hash_table_unref);

  G_OBJECT_CLASS (pw_pipeline_parent_class)->finalize (object);
}

static void
pw_pipeline_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  PwPipeline *self = PW_PIPELINE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, pw_pipeline_get_name (self));
      break;

    case PROP_PIPELINE_TYPE:
      g_value_set_string (value, pw_pipeline_get_pipeline_type (self));
      break;

    case PROP_EXECUTION_MODE:
      g_value_set_string (value, pw_pipeline_get_execution_mode (self));
      break;

    case PROP_N_ITEMS:
      g_value_set_uint (value, self->stages.items->len);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_pipeline_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  PwPipeline *self = PW_PIPELINE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      pw_pipeline_set_name (self, g_value_get_string (value));
      break;

    case PROP_PIPELINE_TYPE:
      pw_element_set_string (PW_ELEMENT (self), "pipelineType", g_value_get_string (value));
      break;

    case PROP_EXECUTION_MODE:
      pw_element_set_string (PW_ELEMENT (self), "executionMode", g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_pipeline_class_init (PwPipelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  PwElementClass *element_class = PW_ELEMENT_CLASS (klass);

  object_class->dispose = pw_pipeline_dispose;
  object_class->finalize = pw_pipeline_finalize;
  object_class->get_property = pw_pipeline_get_property;
  object_class->set_property = pw_pipeline_set_property;
  element_class->member_changed = pw_pipeline_member_changed;

  properties [PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_PIPELINE_TYPE] =
    g_param_spec_string ("pipeline-type", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_EXECUTION_MODE] =
    g_param_spec_string ("execution-mode", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pw_pipeline_init (PwPipeline *self)
{
  _pw_element_list_init (&self->stages, PW_ELEMENT (self), PW_TYPE_STAGE,
                         properties [PROP_N_ITEMS]);
  self->document_extra = json_object_new ();
}

PwPipeline *
pw_pipeline_new (const char *name)
{
  PwPipeline *self = g_object_new (PW_TYPE_PIPELINE, NULL);
  g_autoptr(JsonNode) stages = _pw_json_new_array ();

  if (name != NULL)
    pw_pipeline_set_name (self, name);

  json_object_set_member (pw_element_get_object (PW_ELEMENT (self)), "stages",
                          g_steal_pointer (&stages));

  return self;
}

/**
 * pw_pipeline_new_from_declaration:
 * @declaration: a `PipelineDeclaration` (what sits under `pipeline:`)
 *
 * Returns: (transfer full): a new pipeline sharing @declaration
 */
PwPipeline *
pw_pipeline_new_from_declaration (JsonNode *declaration)
{
  PwPipeline *self;

  g_return_val_if_fail (declaration != NULL, NULL);

  self = g_object_new (PW_TYPE_PIPELINE, NULL);
  _pw_element_set_declaration (PW_ELEMENT (self), declaration);
  _pw_element_list_attach (&self->stages, "stages",
                           (PwElementNewFunc)pw_stage_new_from_declaration);

  return self;
}

const char *
pw_pipeline_get_name (PwPipeline *self)
{
  g_return_val_if_fail (PW_IS_PIPELINE (self), NULL);

  return pw_element_get_string (PW_ELEMENT (self), "name");
}

void
pw_pipeline_set_name (PwPipeline *self,
                      const char *name)
{
  g_return_if_fail (PW_IS_PIPELINE (self));

  pw_element_set_string (PW_ELEMENT (self), "name", name);
}

/**
 * pw_pipeline_get_pipeline_type:
 *
 * Returns: (nullable): `V1`, `V2`, or %NULL when not set
 */
const char *
pw_pipeline_get_pipeline_type (PwPipeline *self)
{
  g_return_val_if_fail (PW_IS_PIPELINE (self), NULL);

  return pw_element_get_string (PW_ELEMENT (self), "pipelineType");
}

gboolean
pw_pipeline_is_v2 (PwPipeline *self)
{
  g_return_val_if_fail (PW_IS_PIPELINE (self), FALSE);

  return g_strcmp0 (pw_pipeline_get_pipeline_type (self), "V2") == 0;
}

/**
 * pw_pipeline_get_execution_mode:
 *
 * Returns: the execution mode, `SUPERSEDED` when not set
 */
const char *
pw_pipeline_get_execution_mode (PwPipeline *self)
{
  const char *mode;

  g_return_val_if_fail (PW_IS_PIPELINE (self), NULL);

  mode = pw_element_get_string (PW_ELEMENT (self), "executionMode");
  return mode != NULL ? mode : "SUPERSEDED";
}

guint
pw_pipeline_get_n_stages (PwPipeline *self)
{
  g_return_val_if_fail (PW_IS_PIPELINE (self), 0);

  return self->stages.items->len;
}

/**
 * pw_pipeline_get_stage:
 *
 * Returns: (transfer none) (nullable): the stage at @index
 */
PwStage *
pw_pipeline_get_stage (PwPipeline *self,
                       guint       index)
{
  g_return_val_if_fail (PW_IS_PIPELINE (self), NULL);

  return _pw_element_list_get (&self->stages, index);
}

/**
 * pw_pipeline_find_stage:
 *
 * Returns: (transfer none) (nullable): the first stage named @name
 */
PwStage *
pw_pipeline_find_stage (PwPipeline *self,
                        const char *name)
{
  g_return_val_if_fail (PW_IS_PIPELINE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return (PwStage *)_pw_element_list_find (&self->stages, name);
}

void
pw_pipeline_insert_stage (PwPipeline *self,
                          guint       position,
                          PwStage    *stage)
{
  g_return_if_fail (PW_IS_PIPELINE (self));
  g_return_if_fail (PW_IS_STAGE (stage));
  g_return_if_fail (pw_element_get_parent (PW_ELEMENT (stage)) == NULL);

  _pw_element_list_insert (&self->stages, position, PW_ELEMENT (stage));
}

void
pw_pipeline_remove_stage (PwPipeline *self,
                          guint       position)
{
  g_return_if_fail (PW_IS_PIPELINE (self));
  g_return_if_fail (position < self->stages.items->len);

  _pw_element_list_remove (&self->stages, position);
}

guint
pw_pipeline_count_actions (PwPipeline *self)
{
  guint n = 0;

  g_return_val_if_fail (PW_IS_PIPELINE (self), 0);

  for (guint i = 0; i < self->stages.items->len; i++)
    n += pw_stage_get_n_actions (g_ptr_array_index (self->stages.items, i));

  return n;
}

PwPipelineOrigin
pw_pipeline_get_origin (PwPipeline *self)
{
  g_return_val_if_fail (PW_IS_PIPELINE (self), PW_PIPELINE_ORIGIN_NEW);

  return self->origin;
}

void
pw_pipeline_set_origin (PwPipeline       *self,
                        PwPipelineOrigin  origin)
{
  g_return_if_fail (PW_IS_PIPELINE (self));

  self->origin = origin;
}

/**
 * pw_pipeline_get_document_extra:
 * @key: a top-level key of the pipeline file beside `pipeline` (`tags`,
 *   `metadata`, or an unknown one)
 *
 * Returns: (transfer none) (nullable): its value
 */
JsonNode *
pw_pipeline_get_document_extra (PwPipeline *self,
                                const char *key)
{
  g_return_val_if_fail (PW_IS_PIPELINE (self), NULL);

  return json_object_get_member (self->document_extra, key);
}

/**
 * pw_pipeline_set_document_extra:
 * @value: (transfer none) (nullable): the value, %NULL removes the key
 */
void
pw_pipeline_set_document_extra (PwPipeline *self,
                                const char *key,
                                JsonNode   *value)
{
  g_return_if_fail (PW_IS_PIPELINE (self));
  g_return_if_fail (key != NULL);

  if (value == NULL)
    {
      if (json_object_has_member (self->document_extra, key))
        json_object_remove_member (self->document_extra, key);
      return;
    }

  json_object_set_member (self->document_extra, key, json_node_ref (value));
}


JsonObject *
_pw_pipeline_get_document_extras (PwPipeline *self)
{
  return self->document_extra;
}

/**
 * pw_pipeline_get_cfn_template:
 *
 * Returns: (transfer none) (nullable): the whole template the pipeline was
 *   imported from, so an export can keep everything around it
 */
JsonNode *
pw_pipeline_get_cfn_template (PwPipeline *self)
{
  g_return_val_if_fail (PW_IS_PIPELINE (self), NULL);

  return self->cfn_template;
}

const char *
pw_pipeline_get_cfn_logical_id (PwPipeline *self)
{
  g_return_val_if_fail (PW_IS_PIPELINE (self), NULL);

  return self->cfn_logical_id;
}

void
pw_pipeline_set_cfn_context (PwPipeline *self,
                             JsonNode   *template_root,
                             const char *logical_id)
{
  g_return_if_fail (PW_IS_PIPELINE (self));

  if (template_root != NULL)
    json_node_ref (template_root);
  g_clear_pointer (&self->cfn_template, json_node_unref);
  self->cfn_template = template_root;
  g_free (self->cfn_logical_id);
  self->cfn_logical_id = g_strdup (logical_id);
}

/**
 * pw_pipeline_set_cfn_parameter:
 * @name: a template parameter, or a pseudo parameter such as `AWS::Region`
 * @value: (nullable): its value; %NULL forgets it
 *
 * Gives a value to a template parameter, for writing an imported pipeline
 * as a pipeline file: `!Ref Name` and `${Name}` in `!Sub` then resolve to
 * it. Without one, a parameter's `Default` is used.
 */
void
pw_pipeline_set_cfn_parameter (PwPipeline *self,
                               const char *name,
                               const char *value)
{
  g_return_if_fail (PW_IS_PIPELINE (self));
  g_return_if_fail (name != NULL);

  if (self->cfn_parameters == NULL)
    self->cfn_parameters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (value == NULL)
    g_hash_table_remove (self->cfn_parameters, name);
  else
    g_hash_table_insert (self->cfn_parameters, g_strdup (name), g_strdup (value));
}

/* The template's declaration of parameter @name, or %NULL. */
static JsonObject *
parameter_declaration (PwPipeline *self,
                       const char *name)
{
  JsonNode *node;

  if (self->cfn_template == NULL || !JSON_NODE_HOLDS_OBJECT (self->cfn_template) ||
      (node = json_object_get_member (json_node_get_object (self->cfn_template), "Parameters")) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (node) ||
      (node = json_object_get_member (json_node_get_object (node), name)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

/**
 * pw_pipeline_get_cfn_parameter_kind:
 *
 * Returns: what kind of template parameter @name is: one whose value is
 *   never to be shown (`NoEcho`), one whose value CloudFormation reads from
 *   Systems Manager (its `Default` names the SSM parameter), a plain one, or
 *   none the template declares
 */
PwCfnParameterKind
pw_pipeline_get_cfn_parameter_kind (PwPipeline *self,
                                    const char *name)
{
  JsonObject *declaration;
  JsonNode *no_echo;
  const char *type;

  g_return_val_if_fail (PW_IS_PIPELINE (self), PW_CFN_PARAMETER_UNDECLARED);
  g_return_val_if_fail (name != NULL, PW_CFN_PARAMETER_UNDECLARED);

  if ((declaration = parameter_declaration (self, name)) == NULL)
    return PW_CFN_PARAMETER_UNDECLARED;

  no_echo = json_object_get_member (declaration, "NoEcho");
  if (no_echo != NULL &&
      ((json_node_get_value_type (no_echo) == G_TYPE_BOOLEAN && json_node_get_boolean (no_echo)) ||
       (json_node_get_value_type (no_echo) == G_TYPE_STRING &&
        g_ascii_strcasecmp (json_node_get_string (no_echo), "true") == 0)))
    return PW_CFN_PARAMETER_NO_ECHO;

  type = json_object_get_string_member_with_default (declaration, "Type", "");
  if (g_str_has_prefix (type, "AWS::SSM::Parameter::Value<"))
    return PW_CFN_PARAMETER_SSM;

  return PW_CFN_PARAMETER_PLAIN;
}

/**
 * pw_pipeline_get_cfn_parameter:
 *
 * Returns: (nullable): the value given to a template parameter, else its
 *   `Default` in the template, else %NULL. The default of a `NoEcho`
 *   parameter is never used (it is not to be shown or written), nor that of
 *   an SSM parameter type (it names the SSM parameter, not its value).
 */
const char *
pw_pipeline_get_cfn_parameter (PwPipeline *self,
                               const char *name)
{
  const char *value;
  JsonObject *declaration;
  JsonNode *node;

  g_return_val_if_fail (PW_IS_PIPELINE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (self->cfn_parameters != NULL &&
      (value = g_hash_table_lookup (self->cfn_parameters, name)) != NULL)
    return value;

  if (g_str_equal (name, "AWS::Partition"))
    return "aws";

  if (pw_pipeline_get_cfn_parameter_kind (self, name) != PW_CFN_PARAMETER_PLAIN ||
      (declaration = parameter_declaration (self, name)) == NULL ||
      (node = json_object_get_member (declaration, "Default")) == NULL ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static JsonNode *
element_with_children (PwElement  *element,
                       const char *list_key,
                       GPtrArray  *children)
{
  JsonObject *object = pw_element_get_object (element);
  JsonObject *copy;
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;
  gboolean placed = FALSE;
  JsonNode *result;

  if (object == NULL)
    return _pw_json_deep_copy (pw_element_get_raw (element));

  copy = json_object_new ();
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      if (list_key != NULL && g_str_equal (name, list_key) && JSON_NODE_HOLDS_ARRAY (member))
        {
          JsonArray *array = json_array_sized_new (children->len);

          for (guint i = 0; i < children->len; i++)
            {
              PwElement *child = g_ptr_array_index (children, i);

              if (PW_IS_STAGE (child))
                {
                  g_autoptr(GPtrArray) actions = g_ptr_array_new ();

                  for (guint j = 0; j < pw_stage_get_n_actions (PW_STAGE (child)); j++)
                    g_ptr_array_add (actions, pw_stage_get_action (PW_STAGE (child), j));
                  json_array_add_element (array, element_with_children (child, "actions", actions));
                }
              else
                json_array_add_element (array, element_with_children (child, NULL, NULL));
            }

          json_object_set_array_member (copy, name, array);
          placed = TRUE;
        }
      else
        json_object_set_member (copy, name, _pw_json_deep_copy (member));
    }

  if (list_key != NULL && !placed && children->len > 0)
    {
      /* The declaration had no list (or not a list): write the children
       * anyway, so edits are never lost. */
      JsonArray *array = json_array_sized_new (children->len);

      for (guint i = 0; i < children->len; i++)
        json_array_add_element (array, _pw_json_deep_copy (pw_element_get_raw (g_ptr_array_index (children, i))));
      json_object_set_array_member (copy, list_key, array);
    }

  result = json_node_init_object (json_node_alloc (), copy);
  json_object_unref (copy);
  return result;
}

/**
 * pw_pipeline_to_declaration:
 *
 * Builds the pipeline's declaration (what goes under `pipeline:`) from the
 * model, in the order the keys were read.
 *
 * Returns: (transfer full): a new tree
 */
JsonNode *
pw_pipeline_to_declaration (PwPipeline *self)
{
  g_return_val_if_fail (PW_IS_PIPELINE (self), NULL);

  return element_with_children (PW_ELEMENT (self), "stages", self->stages.items);
}

/**
 * pw_pipeline_copy:
 *
 * Returns: (transfer full): an independent copy (without source positions)
 */
PwPipeline *
pw_pipeline_copy (PwPipeline *self)
{
  g_autoptr(JsonNode) declaration = NULL;
  PwPipeline *copy;
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  g_return_val_if_fail (PW_IS_PIPELINE (self), NULL);

  declaration = pw_pipeline_to_declaration (self);
  copy = pw_pipeline_new_from_declaration (declaration);
  copy->origin = self->origin;
  json_object_iter_init_ordered (&iter, self->document_extra);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    json_object_set_member (copy->document_extra, name, _pw_json_deep_copy (member));
  pw_pipeline_set_cfn_context (copy, self->cfn_template, self->cfn_logical_id);
  if (g_object_get_data (G_OBJECT (self), "pw-cfn-kept") != NULL)
    g_object_set_data_full (G_OBJECT (copy), "pw-cfn-kept",
                            json_node_ref (g_object_get_data (G_OBJECT (self), "pw-cfn-kept")),
                            (GDestroyNotify)json_node_unref);
  if (self->cfn_parameters != NULL)
    {
      GHashTableIter iter2;
      gpointer k, v;

      g_hash_table_iter_init (&iter2, self->cfn_parameters);
      while (g_hash_table_iter_next (&iter2, &k, &v))
        pw_pipeline_set_cfn_parameter (copy, k, v);
    }

  return copy;
}
