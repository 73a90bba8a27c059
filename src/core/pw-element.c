/* pw-element.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-element"

#include "config.h"

#include <math.h>
#include <string.h>

#include "pw-core-private.h"

typedef struct
{
  /* Owned references */
  JsonNode      *raw;
  JsonNode      *origin;
  PwSourceMap   *source_map;

  /* Borrowed references */
  JsonObject    *object;
  PwElement     *parent;
  PwElementList *children;   /* in the subclass's instance, or NULL */

  guint          index;
} PwElementPrivate;

enum {
  MEMBER_CHANGED,
  N_SIGNALS
};

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (PwElement, pw_element, G_TYPE_OBJECT)

static guint signals [N_SIGNALS];

static void
pw_element_finalize (GObject *object)
{
  PwElement *self = (PwElement *)object;
  PwElementPrivate *priv = pw_element_get_instance_private (self);

  g_clear_pointer (&priv->raw, json_node_unref);
  g_clear_pointer (&priv->origin, json_node_unref);
  g_clear_pointer (&priv->source_map, pw_source_map_unref);

  G_OBJECT_CLASS (pw_element_parent_class)->finalize (object);
}

static void
pw_element_class_init (PwElementClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pw_element_finalize;

  /**
   * PwElement::member-changed:
   * @member: the camelCase key that changed
   *
   * Emitted after a member of the declaration was set or removed. The
   * detail is the member name, so `member-changed::runOrder` works.
   */
  signals [MEMBER_CHANGED] =
    g_signal_new ("member-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  G_STRUCT_OFFSET (PwElementClass, member_changed),
                  NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
pw_element_init (PwElement *self)
{
  PwElementPrivate *priv = pw_element_get_instance_private (self);

  priv->raw = _pw_json_new_object ();
  priv->object = json_node_get_object (priv->raw);
}

/**
 * pw_element_get_object:
 *
 * Returns: (transfer none) (nullable): the declaration, or %NULL for an
 *   opaque element
 */
JsonObject *
pw_element_get_object (PwElement *self)
{
  PwElementPrivate *priv = pw_element_get_instance_private (self);

  g_return_val_if_fail (PW_IS_ELEMENT (self), NULL);

  return priv->object;
}

/**
 * pw_element_get_raw:
 *
 * Returns: (transfer none): the declaration node as read (an object, or
 *   whatever an opaque element holds)
 */
JsonNode *
pw_element_get_raw (PwElement *self)
{
  PwElementPrivate *priv = pw_element_get_instance_private (self);

  g_return_val_if_fail (PW_IS_ELEMENT (self), NULL);

  return priv->raw;
}

gboolean
pw_element_is_opaque (PwElement *self)
{
  PwElementPrivate *priv = pw_element_get_instance_private (self);

  g_return_val_if_fail (PW_IS_ELEMENT (self), FALSE);

  return priv->object == NULL;
}

/**
 * pw_element_get_member:
 * @member: a camelCase key
 *
 * Returns: (transfer none) (nullable): the member's value
 */
JsonNode *
pw_element_get_member (PwElement  *self,
                       const char *member)
{
  PwElementPrivate *priv = pw_element_get_instance_private (self);

  g_return_val_if_fail (PW_IS_ELEMENT (self), NULL);
  g_return_val_if_fail (member != NULL, NULL);

  if (priv->object == NULL)
    return NULL;

  return json_object_get_member (priv->object, member);
}

/**
 * pw_element_get_string:
 *
 * Returns: (nullable): the member's value when it is a string, otherwise
 *   %NULL (absent, another type, or a CloudFormation intrinsic)
 */
const char *
pw_element_get_string (PwElement  *self,
                       const char *member)
{
  JsonNode *node = pw_element_get_member (self, member);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/**
 * pw_element_set_member:
 * @value: (transfer none) (nullable): the new value; %NULL removes the member
 *
 * Sets a member of the declaration, keeping its place among the keys.
 */
void
pw_element_set_member (PwElement  *self,
                       const char *member,
                       JsonNode   *value)
{
  PwElementPrivate *priv = pw_element_get_instance_private (self);

  g_return_if_fail (PW_IS_ELEMENT (self));
  g_return_if_fail (member != NULL);

  if (priv->object == NULL)
    {
      g_warning ("Cannot set '%s' on an opaque element", member);
      return;
    }

  if (value == NULL)
    {
      pw_element_remove_member (self, member);
      return;
    }

  {
    JsonNode *old = json_object_get_member (priv->object, member);

    if (old != NULL && _pw_json_equal (old, value))
      return;
  }

  json_object_set_member (priv->object, member, _pw_json_deep_copy (value));
  g_signal_emit (self, signals [MEMBER_CHANGED], g_quark_from_string (member), member);
}

void
pw_element_set_string (PwElement  *self,
                       const char *member,
                       const char *value)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_if_fail (PW_IS_ELEMENT (self));

  if (value == NULL)
    {
      pw_element_remove_member (self, member);
      return;
    }

  node = _pw_json_new_string (value);
  pw_element_set_member (self, member, node);
}

void
pw_element_remove_member (PwElement  *self,
                          const char *member)
{
  PwElementPrivate *priv = pw_element_get_instance_private (self);

  g_return_if_fail (PW_IS_ELEMENT (self));
  g_return_if_fail (member != NULL);

  if (priv->object == NULL || !json_object_has_member (priv->object, member))
    return;

  json_object_remove_member (priv->object, member);
  g_signal_emit (self, signals [MEMBER_CHANGED], g_quark_from_string (member), member);
}

/**
 * pw_element_get_parent:
 *
 * Returns: (transfer none) (nullable): the stage of an action, the
 *   pipeline of a stage
 */
PwElement *
pw_element_get_parent (PwElement *self)
{
  PwElementPrivate *priv = pw_element_get_instance_private (self);

  g_return_val_if_fail (PW_IS_ELEMENT (self), NULL);

  return priv->parent;
}

guint
pw_element_get_index (PwElement *self)
{
  PwElementPrivate *priv = pw_element_get_instance_private (self);

  g_return_val_if_fail (PW_IS_ELEMENT (self), 0);

  return priv->index;
}

/**
 * pw_element_dup_path:
 *
 * Returns: (transfer full): the model path, e.g. `stages[2].actions[1]`;
 *   the pipeline itself is the empty string
 */
char *
pw_element_dup_path (PwElement *self)
{
  PwElementPrivate *priv = pw_element_get_instance_private (self);
  g_autofree char *parent_path = NULL;
  const char *list;

  g_return_val_if_fail (PW_IS_ELEMENT (self), NULL);

  if (priv->parent == NULL)
    return g_strdup ("");

  parent_path = pw_element_dup_path (priv->parent);
  list = PW_IS_STAGE (self) ? "stages" : "actions";

  if (parent_path[0] == '\0')
    return g_strdup_printf ("%s[%u]", list, priv->index);

  return g_strdup_printf ("%s.%s[%u]", parent_path, list, priv->index);
}

/**
 * pw_element_get_source_map:
 *
 * Returns: (transfer none) (nullable): where the element was read from
 */
PwSourceMap *
pw_element_get_source_map (PwElement *self)
{
  PwElementPrivate *priv = pw_element_get_instance_private (self);

  g_return_val_if_fail (PW_IS_ELEMENT (self), NULL);

  if (priv->source_map == NULL && priv->parent != NULL)
    return pw_element_get_source_map (priv->parent);

  return priv->source_map;
}

void
pw_element_set_source_map (PwElement   *self,
                           PwSourceMap *map)
{
  PwElementPrivate *priv = pw_element_get_instance_private (self);

  g_return_if_fail (PW_IS_ELEMENT (self));

  if (map != NULL)
    pw_source_map_ref (map);
  g_clear_pointer (&priv->source_map, pw_source_map_unref);
  priv->source_map = map;
}

/**
 * pw_element_locate_node:
 * @node: a node of this element's declaration
 * @key: whether to find the member's key rather than its value
 *
 * Finds where @node was read from.
 *
 * Returns: %TRUE when the position is known
 */
gboolean
pw_element_locate_node (PwElement *self,
                        JsonNode  *node,
                        gboolean   key,
                        guint     *line,
                        guint     *column)
{
  PwSourceMap *map;

  g_return_val_if_fail (PW_IS_ELEMENT (self), FALSE);

  if (node == NULL || (map = pw_element_get_source_map (self)) == NULL)
    return FALSE;

  if (key)
    return pw_source_map_lookup_key (map, node, line, column);

  return pw_source_map_lookup (map, node, line, column);
}

/**
 * pw_element_get_location:
 * @member: (nullable): a camelCase key, or %NULL for the element itself
 *
 * Finds where a member (or else the element) was declared. Falls back to
 * the element, then to its parents, so there is always a line to show for
 * a model that was read from a file.
 *
 * Returns: %TRUE when a position is known
 */
gboolean
pw_element_get_location (PwElement  *self,
                         const char *member,
                         guint      *line,
                         guint      *column)
{
  PwElementPrivate *priv = pw_element_get_instance_private (self);

  g_return_val_if_fail (PW_IS_ELEMENT (self), FALSE);

  if (member != NULL &&
      pw_element_locate_node (self, pw_element_get_member (self, member), FALSE, line, column))
    return TRUE;

  if (pw_element_locate_node (self, priv->origin != NULL ? priv->origin : priv->raw,
                              FALSE, line, column))
    return TRUE;

  if (priv->parent != NULL)
    return pw_element_get_location (priv->parent, NULL, line, column);

  return FALSE;
}

void
_pw_element_set_declaration (PwElement *self,
                             JsonNode  *declaration)
{
  PwElementPrivate *priv = pw_element_get_instance_private (self);

  g_assert (PW_IS_ELEMENT (self));
  g_assert (declaration != NULL);

  json_node_ref (declaration);
  g_clear_pointer (&priv->raw, json_node_unref);
  priv->raw = declaration;

  /* An intrinsic (an Fn::If standing for a whole stage, say) is a mapping,
   * but not a declaration: keep it whole, as an opaque element. */
  if (JSON_NODE_HOLDS_OBJECT (declaration) && !pw_cfn_is_intrinsic (declaration))
    priv->object = json_node_get_object (declaration);
  else
    priv->object = NULL;
}

void
_pw_element_set_parent (PwElement *self,
                        PwElement *parent,
                        guint      index)
{
  PwElementPrivate *priv = pw_element_get_instance_private (self);

  g_assert (PW_IS_ELEMENT (self));

  priv->parent = parent;
  priv->index = index;
}

/* @list: the child list the subclass keeps, which its GListModel lists */
void
_pw_element_set_children (PwElement     *self,
                          PwElementList *list)
{
  PwElementPrivate *priv = pw_element_get_instance_private (self);

  priv->children = list;
}

PwElementList *
_pw_element_get_children (PwElement *self)
{
  PwElementPrivate *priv = pw_element_get_instance_private (self);

  return priv->children;
}

void
_pw_element_set_origin (PwElement *self,
                        JsonNode  *origin)
{
  PwElementPrivate *priv = pw_element_get_instance_private (self);

  g_assert (PW_IS_ELEMENT (self));

  if (origin != NULL)
    json_node_ref (origin);
  g_clear_pointer (&priv->origin, json_node_unref);
  priv->origin = origin;
}

JsonNode *
_pw_element_get_origin (PwElement *self)
{
  PwElementPrivate *priv = pw_element_get_instance_private (self);

  return priv->origin != NULL ? priv->origin : priv->raw;
}

/* JSON helpers shared by the core. */

JsonNode *
_pw_json_deep_copy (JsonNode *node)
{
  JsonNode *copy;

  if (node == NULL)
    return NULL;

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
          json_object_set_member (dst, name, _pw_json_deep_copy (member));

        copy = json_node_init_object (json_node_alloc (), dst);
        json_object_unref (dst);
        return copy;
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *src = json_node_get_array (node);
        guint n = json_array_get_length (src);
        JsonArray *dst = json_array_sized_new (n);

        for (guint i = 0; i < n; i++)
          json_array_add_element (dst, _pw_json_deep_copy (json_array_get_element (src, i)));

        copy = json_node_init_array (json_node_alloc (), dst);
        json_array_unref (dst);
        return copy;
      }

    case JSON_NODE_VALUE:
    case JSON_NODE_NULL:
    default:
      return json_node_copy (node);
    }
}

gboolean
_pw_json_equal (JsonNode *a,
                JsonNode *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;
  if (JSON_NODE_TYPE (a) != JSON_NODE_TYPE (b))
    return FALSE;

  switch (JSON_NODE_TYPE (a))
    {
    case JSON_NODE_NULL:
      return TRUE;

    case JSON_NODE_VALUE:
      if (json_node_get_value_type (a) != json_node_get_value_type (b))
        return FALSE;
      switch (json_node_get_value_type (a))
        {
        case G_TYPE_STRING:
          return g_strcmp0 (json_node_get_string (a), json_node_get_string (b)) == 0;
        case G_TYPE_INT64:
          return json_node_get_int (a) == json_node_get_int (b);
        case G_TYPE_BOOLEAN:
          return json_node_get_boolean (a) == json_node_get_boolean (b);
        case G_TYPE_DOUBLE:
          {
            double x = json_node_get_double (a), y = json_node_get_double (b);
            return x == y || (isnan (x) && isnan (y));
          }
        default:
          return FALSE;
        }

    case JSON_NODE_ARRAY:
      {
        JsonArray *x = json_node_get_array (a), *y = json_node_get_array (b);
        guint n = json_array_get_length (x);

        if (n != json_array_get_length (y))
          return FALSE;
        for (guint i = 0; i < n; i++)
          if (!_pw_json_equal (json_array_get_element (x, i), json_array_get_element (y, i)))
            return FALSE;
        return TRUE;
      }

    case JSON_NODE_OBJECT:
      {
        JsonObject *x = json_node_get_object (a), *y = json_node_get_object (b);
        JsonObjectIter ix, iy;
        const char *nx, *ny;
        JsonNode *vx, *vy;

        if (json_object_get_size (x) != json_object_get_size (y))
          return FALSE;

        /* Order matters: a round trip must keep the order of keys. */
        json_object_iter_init_ordered (&ix, x);
        json_object_iter_init_ordered (&iy, y);
        while (json_object_iter_next_ordered (&ix, &nx, &vx))
          {
            if (!json_object_iter_next_ordered (&iy, &ny, &vy))
              return FALSE;
            if (strcmp (nx, ny) != 0 || !_pw_json_equal (vx, vy))
              return FALSE;
          }
        return TRUE;
      }

    default:
      return FALSE;
    }
}

const char *
_pw_json_type_name (JsonNode *node)
{
  if (node == NULL)
    return "nothing";

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      return "a mapping";
    case JSON_NODE_ARRAY:
      return "a list";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
    default:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          return "a string";
        case G_TYPE_INT64:
          return "an integer";
        case G_TYPE_DOUBLE:
          return "a number";
        case G_TYPE_BOOLEAN:
          return "a boolean";
        default:
          return "a value";
        }
    }
}

/* The text a scalar stands for, as the API would want it as a string:
 * `true`, `1`, `1.5`. NULL for containers and null. */
char *
_pw_json_scalar_to_string (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "true" : "false");
    case G_TYPE_DOUBLE:
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];
        double d = json_node_get_double (node);

        /* 1.0 reads better as "1.0" than "1" would, and keeps the type visible. */
        g_ascii_dtostr (buf, sizeof buf, d);
        if (strpbrk (buf, ".eEn") == NULL)
          return g_strconcat (buf, ".0", NULL);
        return g_strdup (buf);
      }
    default:
      return NULL;
    }
}

JsonNode *
_pw_json_new_string (const char *value)
{
  JsonNode *node = json_node_alloc ();

  json_node_init_string (node, value);
  return node;
}

JsonNode *
_pw_json_new_int (gint64 value)
{
  JsonNode *node = json_node_alloc ();

  json_node_init_int (node, value);
  return node;
}

/* An empty container node. json_node_init_object() takes its own reference,
 * so the one from json_object_new() must be dropped. */
JsonNode *
_pw_json_new_object (void)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_init_object (json_node_alloc (), object);

  json_object_unref (object);
  return node;
}

JsonNode *
_pw_json_new_array (void)
{
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_init_array (json_node_alloc (), array);

  json_array_unref (array);
  return node;
}
