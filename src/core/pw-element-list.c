/* pw-element-list.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The child elements of a pipeline (its stages) or of a stage (its
 * actions), each knowing its parent and index, and the GListModel over
 * them that PwPipeline and PwStage implement. */

#define G_LOG_DOMAIN "pw-element"

#include "config.h"

#include "pw-core-private.h"

static GType
pw_element_list_get_item_type (GListModel *model)
{
  return _pw_element_get_children (PW_ELEMENT (model))->item_type;
}

static guint
pw_element_list_get_n_items (GListModel *model)
{
  return _pw_element_get_children (PW_ELEMENT (model))->items->len;
}

static gpointer
pw_element_list_get_item (GListModel *model,
                          guint       position)
{
  PwElementList *list = _pw_element_get_children (PW_ELEMENT (model));

  if (position >= list->items->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (list->items, position));
}

void
_pw_element_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = pw_element_list_get_item_type;
  iface->get_n_items = pw_element_list_get_n_items;
  iface->get_item = pw_element_list_get_item;
}

static void
reindex (PwElementList *list,
         guint          from)
{
  for (guint i = from; i < list->items->len; i++)
    _pw_element_set_parent (g_ptr_array_index (list->items, i), list->owner, i);
}

/* @n_items: the owner's "n-items" property, notified on every change */
void
_pw_element_list_init (PwElementList *list,
                       PwElement     *owner,
                       GType          item_type,
                       GParamSpec    *n_items)
{
  list->items = g_ptr_array_new_with_free_func (g_object_unref);
  list->owner = owner;
  list->item_type = item_type;
  list->n_items = n_items;
  _pw_element_set_children (owner, list);
}

/* Lets go of the children, which forget their parent. */
void
_pw_element_list_dispose (PwElementList *list)
{
  if (list->items == NULL)
    return;

  for (guint i = 0; i < list->items->len; i++)
    _pw_element_set_parent (g_ptr_array_index (list->items, i), NULL, 0);
  g_ptr_array_set_size (list->items, 0);
}

void
_pw_element_list_finalize (PwElementList *list)
{
  g_clear_pointer (&list->items, g_ptr_array_unref);
}

/* Makes a child of each item of the owner's @member list (when it is a
 * list), as the owner is read: nothing is notified. */
void
_pw_element_list_attach (PwElementList    *list,
                         const char       *member,
                         PwElementNewFunc  item_new)
{
  JsonNode *node = pw_element_get_member (list->owner, member);
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return;

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      PwElement *item = item_new (json_array_get_element (array, i));

      _pw_element_set_parent (item, list->owner, i);
      g_ptr_array_add (list->items, item);
    }
}

/* The first child named @name, or %NULL. */
PwElement *
_pw_element_list_find (PwElementList *list,
                       const char    *name)
{
  for (guint i = 0; i < list->items->len; i++)
    {
      PwElement *item = g_ptr_array_index (list->items, i);

      if (g_strcmp0 (pw_element_get_string (item, "name"), name) == 0)
        return item;
    }

  return NULL;
}

/* @item (which has no parent) at @position, or at the end when @position
 * is past it. */
void
_pw_element_list_insert (PwElementList *list,
                         guint          position,
                         PwElement     *item)
{
  position = MIN (position, list->items->len);
  g_ptr_array_insert (list->items, position, g_object_ref (item));
  reindex (list, position);

  g_list_model_items_changed (G_LIST_MODEL (list->owner), position, 0, 1);
  g_object_notify_by_pspec (G_OBJECT (list->owner), list->n_items);
}

void
_pw_element_list_remove (PwElementList *list,
                         guint          position)
{
  PwElement *item = g_ptr_array_steal_index (list->items, position);

  _pw_element_set_parent (item, NULL, 0);
  g_object_unref (item);
  reindex (list, position);

  g_list_model_items_changed (G_LIST_MODEL (list->owner), position, 1, 0);
  g_object_notify_by_pspec (G_OBJECT (list->owner), list->n_items);
}
