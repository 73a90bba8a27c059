/* fuzz-common.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <math.h>
#include <stdlib.h>

#include <json-glib/json-glib.h>

/* Strict equality of two trees: same types (an integer is not a double),
 * same values (doubles bit for bit, any NaN equal to any NaN), same keys in
 * the same order. json_node_equal() is looser on all three. */
static inline gboolean
fuzz_nodes_identical (JsonNode *a,
                      JsonNode *b)
{
  if (JSON_NODE_TYPE (a) != JSON_NODE_TYPE (b))
    return FALSE;

  switch (JSON_NODE_TYPE (a))
    {
    case JSON_NODE_NULL:
      return TRUE;

    case JSON_NODE_OBJECT:
      {
        JsonObject *oa = json_node_get_object (a);
        JsonObject *ob = json_node_get_object (b);
        JsonObjectIter ia, ib;
        const char *na, *nb;
        JsonNode *ca, *cb;

        if (json_object_get_size (oa) != json_object_get_size (ob))
          return FALSE;
        json_object_iter_init_ordered (&ia, oa);
        json_object_iter_init_ordered (&ib, ob);
        while (json_object_iter_next_ordered (&ia, &na, &ca))
          {
            if (!json_object_iter_next_ordered (&ib, &nb, &cb) ||
                !g_str_equal (na, nb) || !fuzz_nodes_identical (ca, cb))
              return FALSE;
          }
        return TRUE;
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *aa = json_node_get_array (a);
        JsonArray *ab = json_node_get_array (b);
        guint length = json_array_get_length (aa);

        if (length != json_array_get_length (ab))
          return FALSE;
        for (guint i = 0; i < length; i++)
          if (!fuzz_nodes_identical (json_array_get_element (aa, i), json_array_get_element (ab, i)))
            return FALSE;
        return TRUE;
      }

    case JSON_NODE_VALUE:
    default:
      if (json_node_get_value_type (a) != json_node_get_value_type (b))
        return FALSE;
      switch (json_node_get_value_type (a))
        {
        case G_TYPE_STRING:
          return g_str_equal (json_node_get_string (a), json_node_get_string (b));

        case G_TYPE_BOOLEAN:
          return json_node_get_boolean (a) == json_node_get_boolean (b);

        case G_TYPE_INT64:
          return json_node_get_int (a) == json_node_get_int (b);

        case G_TYPE_DOUBLE:
          {
            double da = json_node_get_double (a);
            double db = json_node_get_double (b);

            if (isnan (da) || isnan (db))
              return isnan (da) && isnan (db);
            return memcmp (&da, &db, sizeof da) == 0;
          }

        default:
          return FALSE;
        }
    }
}

/* JSON has no NaN or infinity; trees holding them do not survive JSON. */
static inline gboolean
fuzz_has_non_finite (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &child))
        if (fuzz_has_non_finite (child))
          return TRUE;
      return FALSE;
    }

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        if (fuzz_has_non_finite (json_array_get_element (array, i)))
          return TRUE;
      return FALSE;
    }

  return JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_DOUBLE &&
         !isfinite (json_node_get_double (node));
}

/* A finding the sanitizers would not see: stop like a crash would, so
 * libFuzzer keeps the input. */
#define FUZZ_CHECK(cond, ...) \
  G_STMT_START { \
    if (!(cond)) \
      { \
        g_printerr ("fuzz check failed: %s: ", #cond); \
        g_printerr (__VA_ARGS__); \
        g_printerr ("\n"); \
        abort (); \
      } \
  } G_STMT_END
