/* pw-stage.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-stage"

#include "config.h"

#include "pw-core-private.h"

struct _PwStage
{
  PwElement  parent_instance;

  /* Owned references */
  GPtrArray *actions;
};

enum {
  PROP_0,
  PROP_NAME,
  PROP_N_ITEMS,
  N_PROPS
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PwStage, pw_stage, PW_TYPE_ELEMENT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GParamSpec *properties [N_PROPS];

static GType
pw_stage_get_item_type (GListModel *model)
{
  return PW_TYPE_ACTION;
}

static guint
pw_stage_get_n_items (GListModel *model)
{
  return PW_STAGE (model)->actions->len;
}

static gpointer
pw_stage_get_item (GListModel *model,
                   guint       position)
{
  PwStage *self = PW_STAGE (model);

  if (position >= self->actions->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->actions, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = pw_stage_get_item_type;
  iface->get_n_items = pw_stage_get_n_items;
  iface->get_item = pw_stage_get_item;
}

static void
reindex (PwStage *self,
         guint    from)
{
  for (guint i = from; i < self->actions->len; i++)
    _pw_element_set_parent (g_ptr_array_index (self->actions, i), PW_ELEMENT (self), i);
}

static void
pw_stage_member_changed (PwElement  *element,
                         const char *member)
{
  if (g_str_equal (member, "name"))
    g_object_notify_by_pspec (G_OBJECT (element), properties [PROP_NAME]);
}

static void
pw_stage_dispose (GObject *object)
{
  PwStage *self = (PwStage *)object;

  if (self->actions != NULL)
    {
      for (guint i = 0; i < self->actions->len; i++)
        _pw_element_set_parent (g_ptr_array_index (self->actions, i), NULL, 0);
      g_ptr_array_set_size (self->actions, 0);
    }

  G_OBJECT_CLASS (pw_stage_parent_class)->dispose (object);
}

static void
pw_stage_finalize (GObject *object)
{
  PwStage *self = (PwStage *)object;

  g_clear_pointer (&self->actions, g_ptr_array_unref);

  G_OBJECT_CLASS (pw_stage_parent_class)->finalize (object);
}

static void
pw_stage_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  PwStage *self = PW_STAGE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, pw_stage_get_name (self));
      break;

    case PROP_N_ITEMS:
      g_value_set_uint (value, self->actions->len);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_stage_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  PwStage *self = PW_STAGE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      pw_stage_set_name (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_stage_class_init (PwStageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  PwElementClass *element_class = PW_ELEMENT_CLASS (klass);

  object_class->dispose = pw_stage_dispose;
  object_class->finalize = pw_stage_finalize;
  object_class->get_property = pw_stage_get_property;
  object_class->set_property = pw_stage_set_property;
  element_class->member_changed = pw_stage_member_changed;

  properties [PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pw_stage_init (PwStage *self)
{
  self->actions = g_ptr_array_new_with_free_func (g_object_unref);
}

PwStage *
pw_stage_new (const char *name)
{
  PwStage *self = g_object_new (PW_TYPE_STAGE, NULL);
  g_autoptr(JsonNode) actions = _pw_json_new_array ();

  if (name != NULL)
    pw_stage_set_name (self, name);

  /* Keeps the place of the action list among the keys. */
  json_object_set_member (pw_element_get_object (PW_ELEMENT (self)), "actions",
                          g_steal_pointer (&actions));

  return self;
}

void
_pw_stage_attach_actions (PwStage *self)
{
  JsonNode *list = pw_element_get_member (PW_ELEMENT (self), "actions");
  JsonArray *array;

  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    return;

  array = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      PwAction *action = pw_action_new_from_declaration (json_array_get_element (array, i));

      _pw_element_set_parent (PW_ELEMENT (action), PW_ELEMENT (self), i);
      g_ptr_array_add (self->actions, action);
    }
}

/**
 * pw_stage_new_from_declaration:
 * @declaration: a `StageDeclaration` in the API's shape
 *
 * Returns: (transfer full): a new stage; its actions come from the
 *   declaration's `actions` list when that is a list
 */
PwStage *
pw_stage_new_from_declaration (JsonNode *declaration)
{
  PwStage *self;

  g_return_val_if_fail (declaration != NULL, NULL);

  self = g_object_new (PW_TYPE_STAGE, NULL);
  _pw_element_set_declaration (PW_ELEMENT (self), declaration);
  _pw_stage_attach_actions (self);

  return self;
}

const char *
pw_stage_get_name (PwStage *self)
{
  g_return_val_if_fail (PW_IS_STAGE (self), NULL);

  return pw_element_get_string (PW_ELEMENT (self), "name");
}

void
pw_stage_set_name (PwStage    *self,
                   const char *name)
{
  g_return_if_fail (PW_IS_STAGE (self));

  pw_element_set_string (PW_ELEMENT (self), "name", name);
}

guint
pw_stage_get_n_actions (PwStage *self)
{
  g_return_val_if_fail (PW_IS_STAGE (self), 0);

  return self->actions->len;
}

/**
 * pw_stage_get_action:
 *
 * Returns: (transfer none) (nullable): the action at @index
 */
PwAction *
pw_stage_get_action (PwStage *self,
                     guint    index)
{
  g_return_val_if_fail (PW_IS_STAGE (self), NULL);

  if (index >= self->actions->len)
    return NULL;

  return g_ptr_array_index (self->actions, index);
}

/**
 * pw_stage_find_action:
 *
 * Returns: (transfer none) (nullable): the first action named @name
 */
PwAction *
pw_stage_find_action (PwStage    *self,
                      const char *name)
{
  g_return_val_if_fail (PW_IS_STAGE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < self->actions->len; i++)
    {
      PwAction *action = g_ptr_array_index (self->actions, i);

      if (g_strcmp0 (pw_action_get_name (action), name) == 0)
        return action;
    }

  return NULL;
}

void
pw_stage_insert_action (PwStage  *self,
                        guint     position,
                        PwAction *action)
{
  g_return_if_fail (PW_IS_STAGE (self));
  g_return_if_fail (PW_IS_ACTION (action));
  g_return_if_fail (pw_element_get_parent (PW_ELEMENT (action)) == NULL);

  position = MIN (position, self->actions->len);
  g_ptr_array_insert (self->actions, position, g_object_ref (action));
  reindex (self, position);

  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_N_ITEMS]);
}

void
pw_stage_remove_action (PwStage *self,
                        guint    position)
{
  PwAction *action;

  g_return_if_fail (PW_IS_STAGE (self));
  g_return_if_fail (position < self->actions->len);

  action = g_ptr_array_steal_index (self->actions, position);
  _pw_element_set_parent (PW_ELEMENT (action), NULL, 0);
  g_object_unref (action);
  reindex (self, position);

  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_N_ITEMS]);
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * pw_stage_dup_run_orders:
 *
 * The action groups of the stage: its distinct runOrder values, ascending.
 *
 * Returns: (transfer full) (element-type gint64): the runOrder values
 */
GArray *
pw_stage_dup_run_orders (PwStage *self)
{
  GArray *orders;

  g_return_val_if_fail (PW_IS_STAGE (self), NULL);

  orders = g_array_sized_new (FALSE, FALSE, sizeof (gint64), self->actions->len);
  for (guint i = 0; i < self->actions->len; i++)
    {
      gint64 order = pw_action_get_run_order (g_ptr_array_index (self->actions, i));

      g_array_append_val (orders, order);
    }
  g_array_sort (orders, compare_int64);

  /* Duplicates out, in one pass. */
  if (orders->len > 1)
    {
      guint kept = 1;

      for (guint i = 1; i < orders->len; i++)
        if (g_array_index (orders, gint64, i) != g_array_index (orders, gint64, kept - 1))
          g_array_index (orders, gint64, kept++) = g_array_index (orders, gint64, i);
      g_array_set_size (orders, kept);
    }

  return orders;
}
