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
  PwElement      parent_instance;

  /* Owned references */
  PwElementList  actions;
};

enum {
  PROP_0,
  PROP_NAME,
  PROP_N_ITEMS,
  N_PROPS
};

G_DEFINE_FINAL_TYPE_WITH_CODE (PwStage, pw_stage, PW_TYPE_ELEMENT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      _pw_element_list_model_init))

static GParamSpec *properties [N_PROPS];

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

  _pw_element_list_dispose (&self->actions);

  G_OBJECT_CLASS (pw_stage_parent_class)->dispose (object);
}

static void
pw_stage_finalize (GObject *object)
{
  PwStage *self = (PwStage *)object;

  _pw_element_list_finalize (&self->actions);

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
      g_value_set_uint (value, self->actions.items->len);
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
  _pw_element_list_init (&self->actions, PW_ELEMENT (self), PW_TYPE_ACTION,
                         properties [PROP_N_ITEMS]);
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
  _pw_element_list_attach (&self->actions, "actions",
                           (PwElementNewFunc)pw_action_new_from_declaration);

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

  return self->actions.items->len;
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

  return _pw_element_list_get (&self->actions, index);
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

  return (PwAction *)_pw_element_list_find (&self->actions, name);
}

void
pw_stage_insert_action (PwStage  *self,
                        guint     position,
                        PwAction *action)
{
  g_return_if_fail (PW_IS_STAGE (self));
  g_return_if_fail (PW_IS_ACTION (action));
  g_return_if_fail (pw_element_get_parent (PW_ELEMENT (action)) == NULL);

  _pw_element_list_insert (&self->actions, position, PW_ELEMENT (action));
}

void
pw_stage_remove_action (PwStage *self,
                        guint    position)
{
  g_return_if_fail (PW_IS_STAGE (self));
  g_return_if_fail (position < self->actions.items->len);

  _pw_element_list_remove (&self->actions, position);
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

  orders = g_array_sized_new (FALSE, FALSE, sizeof (gint64), self->actions.items->len);
  for (guint i = 0; i < self->actions.items->len; i++)
    {
      gint64 order = pw_action_get_run_order (g_ptr_array_index (self->actions.items, i));

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
