/* pw-validate-common.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* What every rule family shares: the string map, model paths, findings
 * (report, fixes), did-you-mean suggestions and how actions and stages are
 * named and ordered in what the findings say. */

#define G_LOG_DOMAIN "pw-validator"

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "pw-validator-private.h"

void
_pw_strmap_init (StrMap *map,
                 guint   expected)
{
  guint size = 16;

  while (size < expected + expected / 2)
    size <<= 1;

  map->slots = g_new0 (Slot, size);
  map->mask = size - 1;
  map->used = 0;
}

void
_pw_strmap_clear (StrMap *map)
{
  g_clear_pointer (&map->slots, g_free);
}

void
_pw_strmap_grow (StrMap *map)
{
  Slot *old = map->slots;
  guint old_size = map->mask + 1;

  map->slots = g_new0 (Slot, old_size * 2);
  map->mask = old_size * 2 - 1;

  for (guint i = 0; i < old_size; i++)
    {
      if (old[i].value != 0)
        {
          guint j = old[i].hash & map->mask;

          while (map->slots[j].value != 0)
            j = (j + 1) & map->mask;
          map->slots[j] = old[i];
        }
    }

  g_free (old);
}


/* Paths, names, findings */

static void
path_append (GString    *s,
             const Path *path)
{
  if (path == NULL)
    return;

  path_append (s, path->parent);

  if (path->key != NULL)
    {
      if (s->len > 0)
        g_string_append_c (s, '.');
      g_string_append (s, path->key);
    }
  else
    g_string_append_printf (s, "[%u]", path->index);
}

static char *
path_to_string (const Path *path)
{
  GString *s = g_string_new (NULL);

  path_append (s, path);
  return g_string_free (s, FALSE);
}

/* A key as the user wrote it: CloudFormation spells every key in
 * PascalCase. Only used while reporting, so interning is cheap enough. */
const char *
_pw_validate_key_name (Validator  *v,
                       const char *key)
{
  char buf[64];
  gsize len;

  if (!v->cfn || key == NULL || !g_ascii_islower (key[0]))
    return key;

  len = strlen (key);
  if (len >= sizeof buf)
    return key;

  memcpy (buf, key, len + 1);
  buf[0] = g_ascii_toupper (buf[0]);
  return g_intern_string (buf);
}

static void
emit (Validator  *v,
      const char *code,
      PwSeverity  severity,
      PwElement  *el,
      JsonNode   *node,
      gboolean    key,
      const Path *path,
      const char *message)
{
  g_autofree char *path_str = path_to_string (path);
  PwDiagnostic *d = pw_diagnostic_new (code, severity, path_str, message);
  PwSourceMap *map = el != NULL ? pw_element_get_source_map (el) : NULL;

  if (map != NULL)
    {
      guint line = 0, column = 0;
      gboolean found = FALSE;

      if (node != NULL)
        found = pw_element_locate_node (el, node, key, &line, &column) ||
                (key && pw_element_locate_node (el, node, FALSE, &line, &column));
      if (!found)
        found = pw_element_get_location (el, NULL, &line, &column);

      pw_diagnostic_set_location (d, pw_source_map_get_filename (map),
                                  found ? line : 0, found ? column : 0);
    }

  g_ptr_array_add (v->out, d);
  v->last = d;
}

/* Offers a fix on the finding just reported. */
void
_pw_validate_offer_fix (Validator  *v,
                        PwFixKind   kind,
                        const Path *path,
                        JsonNode   *value,
                        const char *new_key,
                        const char *label)
{
  g_autofree char *path_str = path_to_string (path);

  if (v->last != NULL)
    pw_diagnostic_set_fix (v->last, kind, label, path_str, value, new_key);
}

void
_pw_validate_offer_set_string (Validator  *v,
                               const Path *path,
                               const char *value,
                               const char *label)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, value);
  _pw_validate_offer_fix (v, PW_FIX_SET, path, node, NULL, label);
}

void
_pw_validate_report (Validator  *v,
                     const char *code,
                     PwSeverity  severity,
                     PwElement  *el,
                     JsonNode   *node,
                     gboolean    key,
                     const Path *path,
                     const char *format,
                     ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  emit (v, code, severity, el, node, key, path, message);
}

/* Where the user would look: "stages[1].actions[0]", or "the pipeline". */
char *
_pw_validate_where (const Path *path)
{
  char *s = path_to_string (path);

  if (s[0] == '\0')
    {
      g_free (s);
      return g_strdup (_("the pipeline"));
    }

  return s;
}

/* Did-you-mean */

static guint
edit_distance (const char *a,
               const char *b)
{
  guint la = strlen (a), lb = strlen (b);
  guint row[65];

  if (la > 64 || lb > 64)
    return G_MAXUINT;

  for (guint j = 0; j <= lb; j++)
    row[j] = j;

  for (guint i = 1; i <= la; i++)
    {
      guint diagonal = row[0];

      row[0] = i;
      for (guint j = 1; j <= lb; j++)
        {
          guint above = row[j];
          guint cost = a[i - 1] == b[j - 1] ? 0 : 1;
          guint best = MIN (row[j] + 1, row[j - 1] + 1);

          row[j] = MIN (best, diagonal + cost);
          diagonal = above;
        }
    }

  return row[lb];
}

void
_pw_validate_suggest_offer (Suggest    *s,
                            const char *candidate)
{
  gsize len = strlen (s->name);
  guint d;

  if (candidate == NULL || strcmp (candidate, s->name) == 0)
    return;

  if (g_ascii_strcasecmp (candidate, s->name) == 0)
    d = 0;
  else if (len < 3)
    return;
  else
    d = edit_distance (s->name, candidate);

  /* Two edits turn any three-letter word into any other. */
  if (d <= (len >= 6 ? 2u : 1u) && (s->best == NULL || d < s->best_distance))
    {
      s->best = candidate;
      s->best_distance = d;
    }
}

/* " (did you mean 'x'?)", or "" */
char *
_pw_validate_suggest_text (Suggest *s)
{
  if (s->best == NULL)
    return g_strdup ("");

  return g_strdup_printf (_(" (did you mean '%s'?)"), s->best);
}

char *
_pw_validate_join_list (Validator          *v,
                        const char *const  *list,
                        gboolean            keys)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; list[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (s, ", ");
      g_string_append (s, keys ? _pw_validate_key_name (v, list[i]) : list[i]);
    }

  return g_string_free (s, FALSE);
}

JsonNode *
_pw_validate_member_of (JsonNode   *node,
                        const char *key)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return json_object_get_member (json_node_get_object (node), key);
}


/* Ordering */

/* What a finding calls an action: its name, or the intrinsic that gives
 * it one (`!Ref BuildName`). */
const char *
_pw_validate_action_label (const ActionInfo *a)
{
  return a->name != NULL ? a->name : a->label != NULL ? a->label : "?";
}

char *
_pw_validate_describe_action (const ActionInfo *a)
{
  if (a->name != NULL)
    return g_strdup_printf ("stages[%u].actions[%u] ('%s')", a->stage, a->index, a->name);

  return g_strdup_printf ("stages[%u].actions[%u]", a->stage, a->index);
}

Visibility
_pw_validate_visibility (const ActionInfo *producer,
                         const ActionInfo *consumer,
                         guint             stage,
                         When              when)
{
  if (when != WHEN_ACTION)
    {
      if (producer->stage < stage)
        return VISIBLE;
      if (producer->stage == stage && when != WHEN_BEFORE_ENTRY)
        return VISIBLE;
      return HIDDEN_LATER_STAGE;
    }

  if (producer->stage < consumer->stage)
    return VISIBLE;
  if (producer->stage > consumer->stage)
    return HIDDEN_LATER_STAGE;
  if (producer == consumer)
    return HIDDEN_SELF;

  /* An unreadable runOrder is reported by itself; give it the benefit of
   * the doubt here rather than guess. */
  if (producer->run_order == 0 || consumer->run_order == 0)
    return VISIBLE;
  if (producer->run_order < consumer->run_order)
    return VISIBLE;
  if (producer->run_order == consumer->run_order)
    return HIDDEN_PARALLEL;

  return HIDDEN_LATER_GROUP;
}

const char *
_pw_validate_stage_label (Validator *v,
                          guint      stage)
{
  const char *name = NULL;

  if (stage < v->n_stages && v->stages[stage].m[S_NAME] != NULL)
    {
      StageInfo *st = &v->stages[stage];

      name = literal_string (st->m[S_NAME]);
      if (name == NULL && st->label == NULL && is_intrinsic (st->m[S_NAME]))
        st->label = pw_format_value (st->m[S_NAME]);
      if (name == NULL)
        name = st->label;
    }

  return name != NULL ? name : "?";
}

/* Why @producer's output is not visible to the consumer, and what to do. */
char *
_pw_validate_explain_hidden (Validator        *v,
                             const ActionInfo *producer,
                             const ActionInfo *consumer,
                             guint             stage,
                             When              when,
                             Visibility        vis)
{
  const char *p = _pw_validate_action_label (producer);
  const char *c = consumer != NULL ? _pw_validate_action_label (consumer) : NULL;

  switch (vis)
    {
    case HIDDEN_SELF:
      return g_strdup (_("an action cannot consume what it produces itself"));

    case HIDDEN_PARALLEL:
      return g_strdup_printf (_("'%s' and '%s' both have runOrder %" G_GINT64_FORMAT
                                ", and actions in the same runOrder group run in parallel — "
                                "give the producer a lower runOrder or move it to an earlier "
                                "stage"),
                              p, c, producer->run_order);

    case HIDDEN_LATER_GROUP:
      return g_strdup_printf (_("'%s' runs after '%s' (runOrder %" G_GINT64_FORMAT " > %"
                                G_GINT64_FORMAT ") — give the producer a lower runOrder or "
                                "move it to an earlier stage"),
                              p, c, producer->run_order, consumer->run_order);

    case HIDDEN_LATER_STAGE:
      if (when == WHEN_BEFORE_ENTRY && producer->stage == stage)
        return g_strdup_printf (_("the beforeEntry conditions of stage '%s' are checked "
                                  "before any of its actions run — use an output of an "
                                  "earlier stage"),
                                _pw_validate_stage_label (v, stage));
      return g_strdup_printf (_("'%s' is in stage '%s', which runs later — move the producer "
                                "to an earlier stage, or the consumer to a later one"),
                              p, _pw_validate_stage_label (v, producer->stage));

    case VISIBLE:
    default:
      return g_strdup ("");
    }
}
