/* pw-secrets.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-secrets"

#include "config.h"

#include <string.h>

#include "pw-engine-private.h"

/* The values known to be secrets, and what replaces them: `***`.
 *
 * One set serves a whole execution: every action's log shares it, and
 * the execution's records and events are masked with it, so a secret one
 * action read (a buildspec's secrets-manager value) is masked wherever it
 * shows up later, in another action's log, an approval's CustomData, a
 * variable, a summary. Logs are written from several threads: the set
 * is locked while it is read or grown. */

struct _PwSecrets
{
  gatomicrefcount  ref_count;
  GMutex           lock;
  /* Longest first: at a position, the longest secret that matches wins. */
  GPtrArray       *values;
  gboolean         starts[256];
};

PwSecrets *
_pw_secrets_new (void)
{
  PwSecrets *self = g_new0 (PwSecrets, 1);

  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->lock);
  self->values = g_ptr_array_new_with_free_func (g_free);

  return self;
}

PwSecrets *
_pw_secrets_ref (PwSecrets *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
_pw_secrets_unref (PwSecrets *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_ptr_array_unref (self->values);
  g_mutex_clear (&self->lock);
  g_free (self);
}

static gint
compare_longest_first (gconstpointer a,
                       gconstpointer b)
{
  gsize la = strlen (*(const char * const *)a);
  gsize lb = strlen (*(const char * const *)b);

  return la < lb ? 1 : la > lb ? -1 : 0;
}

/* Returns whether @secret is new. Empty ones are ignored. */
gboolean
_pw_secrets_add (PwSecrets  *self,
                 const char *secret)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  if (secret == NULL || secret[0] == '\0')
    return FALSE;

  for (guint i = 0; i < self->values->len; i++)
    if (g_str_equal (g_ptr_array_index (self->values, i), secret))
      return FALSE;

  g_ptr_array_add (self->values, g_strdup (secret));
  g_ptr_array_sort (self->values, compare_longest_first);
  self->starts[(guchar)secret[0]] = TRUE;

  return TRUE;
}

void
_pw_secrets_add_all (PwSecrets *self,
                     PwSecrets *from)
{
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);

  g_mutex_lock (&from->lock);
  for (guint i = 0; i < from->values->len; i++)
    g_ptr_array_add (values, g_strdup (g_ptr_array_index (from->values, i)));
  g_mutex_unlock (&from->lock);

  for (guint i = 0; i < values->len; i++)
    _pw_secrets_add (self, g_ptr_array_index (values, i));
}

gboolean
_pw_secrets_is_empty (PwSecrets *self)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  return self->values->len == 0;
}

/* Whether any secret occurs in @text. */
gboolean
_pw_secrets_found_in (PwSecrets  *self,
                      const char *text)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  for (guint i = 0; text != NULL && i < self->values->len; i++)
    if (strstr (text, g_ptr_array_index (self->values, i)) != NULL)
      return TRUE;

  return FALSE;
}

/* Replaces every secret in @data by `***`, trying the longest first at
 * each position, into @out. Unless @final, stops where a secret may begin
 * but the data ends before it could be told apart, and returns how much
 * was consumed; the caller keeps the rest for the next write. */
gsize
_pw_secrets_mask_into (PwSecrets  *self,
                       const char *data,
                       gsize       length,
                       gboolean    final,
                       GString    *out)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  gsize i = 0;
  gsize run = 0;

  while (i < length)
    {
      gboolean matched = FALSE;

      if (!self->starts[(guchar)data[i]])
        {
          i++;
          continue;
        }

      for (guint s = 0; s < self->values->len; s++)
        {
          const char *secret = g_ptr_array_index (self->values, s);
          gsize secret_length = strlen (secret);
          gsize available = length - i;

          if (available >= secret_length)
            {
              if (memcmp (data + i, secret, secret_length) == 0)
                {
                  g_string_append_len (out, data + run, i - run);
                  g_string_append (out, "***");
                  i += secret_length;
                  run = i;
                  matched = TRUE;
                  break;
                }
            }
          else if (!final && memcmp (data + i, secret, available) == 0)
            {
              g_string_append_len (out, data + run, i - run);
              return i;
            }
        }

      if (!matched)
        i++;
    }

  g_string_append_len (out, data + run, length - run);

  return length;
}

char *
_pw_secrets_mask (PwSecrets  *self,
                  const char *text)
{
  gsize length = strlen (text);
  GString *out = g_string_sized_new (length);

  _pw_secrets_mask_into (self, text, length, TRUE, out);

  return g_string_free (out, FALSE);
}

/* Members whose values come from a pipeline's content (summaries,
 * variables, resolved configuration, reports, comments): masked in
 * records and events. Ids, times, statuses and paths are ours, and a
 * short secret (`1`) masked in them would break the record. */
static const char * const content_members[] = {
  "summary", "statusSummary", "outputVariables", "resolvedConfiguration", "variables",
  "resolvedValue", "reason", "report", "stopTrigger", "trigger", "triggerDetail",
  "external-execution-summary", "stop-execution-comments", "trigger-detail", "error",
  NULL
};

/* A copy of @node, every string masked when @all, else only those under
 * content members. The copy is deep: a record's objects are shared with
 * what the executor runs (an action's resolved configuration), which must
 * keep the real values. */
static JsonNode *
mask_copy (PwSecrets *self,
           JsonNode  *node,
           gboolean   all)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autoptr(JsonObject) copy = json_object_new ();
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &member))
        json_object_set_member (copy, name,
                                mask_copy (self, member,
                                           all || g_strv_contains (content_members, name)));

      return json_node_init_object (json_node_alloc (), copy);
    }

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      g_autoptr(JsonArray) copy = json_array_sized_new (json_array_get_length (array));

      for (guint i = 0; i < json_array_get_length (array); i++)
        json_array_add_element (copy, mask_copy (self, json_array_get_element (array, i), all));

      return json_node_init_array (json_node_alloc (), copy);
    }

  if (all && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      g_autofree char *masked = _pw_secrets_mask (self, json_node_get_string (node));

      return json_node_init_string (json_node_alloc (), masked);
    }

  return json_node_copy (node);
}

/**
 * _pw_secrets_mask_node:
 * @self: the secrets
 * @node: a record or an event
 *
 * Returns: (transfer full): @node, or when there are secrets a deep copy
 *   of it whose members that carry content (at any depth) are masked
 */
JsonNode *
_pw_secrets_mask_node (PwSecrets *self,
                       JsonNode  *node)
{
  if (node == NULL || _pw_secrets_is_empty (self))
    return node != NULL ? json_node_ref (node) : NULL;

  return mask_copy (self, node, FALSE);
}
