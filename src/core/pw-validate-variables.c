/* pw-validate-variables.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Variables: pipeline variables (P32), namespaces (P14) and the
 * #{Namespace.Key} references that read them (P15). */

#define G_LOG_DOMAIN "pw-validator"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pw-validator-private.h"

static const char *const variable_keys[] = { "name", "defaultValue", "description", NULL };

/* Pipeline variables (V2) */

void
_pw_validate_variables (Validator *v)
{
  PwElement *el = v->pel;
  JsonNode *node = v->pm[P_VARIABLES];
  const Path *path = PATH_KEY (NULL, "variables");
  JsonArray *array;
  guint n;

  if (node == NULL)
    return;

  _pw_validate_need_v2_member (v, el, node, path, "variables");

  if ((array = _pw_validate_expect_array (v, el, node, path, N_("variables"))) == NULL)
    {
      v->variables_uncertain = TRUE;
      return;
    }

  n = json_array_get_length (array);
  if (n > 50)
    _pw_validate_report (v, "P32", ERR, el, node, FALSE, path,
                         _("the pipeline declares %u variables; at most 50 are allowed"), n);

  v->variables = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      const Path *ipath = PATH_INDEX (path, i);
      JsonNode *m[3] = { NULL, };
      JsonObject *object = _pw_validate_expect_mapping (v, el, item, ipath, N_("a variable"),
                                                        variable_keys, 3, m);
      const char *name;

      if (object == NULL)
        {
          v->variables_uncertain = TRUE;
          continue;
        }

      if (m[0] == NULL)
        {
          _pw_validate_report (v, "P01", ERR, el, item, FALSE, ipath, _("variable has no %s"),
                               _pw_validate_key_name (v, "name"));
          continue;
        }

      name = check_string (v, el, m[0], PATH_KEY (ipath, "name"), N_("variable name"), 1, 128,
                           CHARS_NAMESPACE, TRUE, "P27");
      check_string (v, el, m[1], PATH_KEY (ipath, "defaultValue"), N_("variable default value"),
                    1, 1000, CHARS_ANY, FALSE, "P27");
      check_string (v, el, m[2], PATH_KEY (ipath, "description"), N_("variable description"),
                    0, 200, CHARS_ANY, FALSE, "P27");

      if (name == NULL)
        {
          v->variables_uncertain = TRUE;
          continue;
        }

      if (g_hash_table_contains (v->variables, name))
        _pw_validate_report (v, "P32", ERR, el, m[0], FALSE, PATH_KEY (ipath, "name"),
                             _("variable '%s' is declared twice; variable names must be unique"),
                             name);
      else
        g_hash_table_add (v->variables, (gpointer)name);
    }
}

/* Namespaces and references */

/* P14: the namespace of action @a, under which its variables are read. */
void
_pw_validate_namespace (Validator  *v,
                        ActionInfo *a,
                        guint       action_index,
                        const Path *apath)
{
  PwElement *el = a->element;
  const Path *npath = PATH_KEY (apath, "namespace");

  a->late = TRUE;

  a->namespace = check_string (v, el, a->m[A_NAMESPACE], npath, N_("namespace"), 1, 100,
                               CHARS_NAMESPACE, FALSE, "P14");
  if (a->namespace == NULL)
    v->uncertain = TRUE;
  else if (strcmp (a->namespace, "codepipeline") == 0 ||
           strcmp (a->namespace, "variables") == 0)
    _pw_validate_report (v, "P14", ERR, el, a->m[A_NAMESPACE], FALSE, npath,
                         _("namespace '%s' is reserved for the pipeline's own variables; "
                           "choose another name, such as '%sVariables'"),
                         a->namespace, a->name != NULL ? a->name : "Action");
  else
    {
      guint32 *found;

      if (v->namespaces.slots == NULL)
        _pw_strmap_init (&v->namespaces, 16);

      if (*(found = strmap_slot (&v->namespaces, a->namespace)) != 0)
        {
          g_autofree char *other = _pw_validate_describe_action (&v->actions[*found - 1]);

          _pw_validate_report (v, "P14", ERR, el, a->m[A_NAMESPACE], FALSE, npath,
                               _("namespace '%s' is already used by %s; namespaces must be "
                                 "unique in the pipeline"),
                               a->namespace, other);
        }
      else
        *found = action_index + 1;
    }
}

static gboolean
namespace_char (char c)
{
  return g_ascii_isalnum (c) || c == '@' || c == '-' || c == '_';
}

static gboolean
variable_of_commands (const ActionInfo *a,
                      const char       *key,
                      gsize             len)
{
  JsonNode *node = a->m[A_OUTPUT_VARIABLES];
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      const char *s = literal_string (json_array_get_element (array, i));

      if (s == NULL)
        return TRUE;     /* cannot tell */
      if (strlen (s) == len && strncmp (s, key, len) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
check_reference (Validator        *v,
                 PwElement        *el,
                 JsonNode         *node,
                 const Path       *path,
                 const ActionInfo *consumer,
                 guint             stage,
                 When              when,
                 const char       *ns,
                 gsize             ns_len,
                 const char       *key,
                 gsize             key_len)
{
  g_autofree char *ns_str = g_strndup (ns, ns_len);
  g_autofree char *key_str = g_strndup (key, key_len);
  guint32 found;

  if (strcmp (ns_str, "codepipeline") == 0)
    {
      if (strcmp (key_str, "PipelineExecutionId") != 0)
        _pw_validate_report (v, "P15", ERR, el, node, FALSE, path,
                             _("#{codepipeline.%s} does not exist; the codepipeline namespace has "
                               "only PipelineExecutionId"),
                             key_str);
      return;
    }

  if (strcmp (ns_str, "variables") == 0)
    {
      if (v->variables == NULL || !g_hash_table_contains (v->variables, key_str))
        {
          Suggest s = { key_str, NULL, 0 };
          g_autofree char *hint = NULL;

          if (v->variables != NULL)
            {
              GHashTableIter iter;
              gpointer name;

              g_hash_table_iter_init (&iter, v->variables);
              while (g_hash_table_iter_next (&iter, &name, NULL))
                _pw_validate_suggest_offer (&s, name);
            }
          hint = _pw_validate_suggest_text (&s);

          if (!v->variables_uncertain)
            _pw_validate_report (v, "P15", ERR, el, node, FALSE, path,
                                 _("#{variables.%s} refers to a pipeline variable that is not "
                                   "declared%s; declare it under %s"),
                                 key_str, hint, _pw_validate_key_name (v, "variables"));
        }
      else if (!v->v2)
        _pw_validate_report (v, "P15", ERR, el, node, FALSE, path,
                             _("#{variables.%s} refers to a pipeline variable, which needs a V2 "
                               "pipeline; %s"), key_str, _pw_validate_v2_hint (v));
      return;
    }

  found = strmap_lookup (&v->namespaces, ns_str);
  if (found == 0)
    {
      Suggest s = { ns_str, NULL, 0 };
      g_autofree char *hint = NULL;

      for (guint k = 0; k < v->n_actions; k++)
        _pw_validate_suggest_offer (&s, v->actions[k].namespace);
      hint = _pw_validate_suggest_text (&s);

      _pw_validate_report (v, "P15", v->uncertain ? NOTE : ERR, el, node, FALSE, path,
                           v->uncertain
                             ? _("#{%s.%s}: no action that can be checked declares the namespace "
                                 "'%s'%s")
                             : _("#{%s.%s}: no action declares the namespace '%s'%s; set namespace "
                                 "on the action whose variables you want"),
                           ns_str, key_str, ns_str, hint);
      return;
    }

  {
    const ActionInfo *producer = &v->actions[found - 1];
    Visibility vis = _pw_validate_visibility (producer, consumer, stage, when);

    if (vis != VISIBLE)
      {
        g_autofree char *who = _pw_validate_describe_action (producer);
        g_autofree char *why = NULL;

        if (vis == HIDDEN_SELF)
          why = g_strdup (_("an action cannot read its own variables"));
        else
          why = _pw_validate_explain_hidden (v, producer, consumer, stage, when, vis);

        _pw_validate_report (v, "P15", ERR, el, node, FALSE, path,
                             _("#{%s.%s}: namespace '%s' is declared by %s, which does not run "
                               "before this point, and variables are only visible to what runs "
                               "later: %s"),
                             ns_str, key_str, ns_str, who, why);
        return;
      }

    if (producer->info != NULL && !producer->is_commands &&
        !pw_provider_has_variable (producer->info, key_str))
      {
        GString *list = g_string_new (NULL);
        Suggest s = { key_str, NULL, 0 };
        g_autofree char *hint = NULL;

        for (guint i = 0; i < G_N_ELEMENTS (producer->info->variables) &&
                          producer->info->variables[i] != NULL; i++)
          {
            g_string_append_printf (list, "%s%s", list->len ? ", " : "",
                                    producer->info->variables[i]);
            _pw_validate_suggest_offer (&s, producer->info->variables[i]);
          }
        hint = _pw_validate_suggest_text (&s);

        if (list->len > 0)
          _pw_validate_report (v, "P15", ERR, el, node, FALSE, path,
                               _("#{%s.%s}: %s actions have no variable '%s'%s; they export %s"),
                               ns_str, key_str, producer->provider, key_str, hint, list->str);
        else
          _pw_validate_report (v, "P15", ERR, el, node, FALSE, path,
                               _("#{%s.%s}: %s actions export no variables"),
                               ns_str, key_str, producer->provider);
        g_string_free (list, TRUE);
      }
    else if (producer->is_commands && !variable_of_commands (producer, key, key_len))
      _pw_validate_report (v, "P15", ERR, el, node, FALSE, path,
                           _("#{%s.%s}: '%s' does not list %s in its outputVariables"),
                           ns_str, key_str, _pw_validate_action_label (producer), key_str);
  }
}

/* P15: every #{Namespace.Key} in a string value. */
void
_pw_validate_refs (Validator        *v,
                   PwElement        *el,
                   JsonNode         *node,
                   const Path       *path,
                   const ActionInfo *consumer,
                   guint             stage,
                   When              when)
{
  const char *s = literal_string (node);
  const char *p;

  if (s == NULL)
    return;

  p = s;
  while ((p = strchr (p, '#')) != NULL)
    {
      const char *start, *end, *dot;

      if (p[1] != '{')
        {
          p++;
          continue;
        }

      start = p + 2;
      end = strchr (start, '}');
      if (end == NULL)
        {
          _pw_validate_report (v, "P15", ERR, el, node, FALSE, path,
                               _("'#{' is not closed; a variable reference is written "
                                 "#{Namespace.Key}"));
          return;
        }

      dot = memchr (start, '.', end - start);
      if (dot == NULL || dot == start || dot + 1 == end)
        {
          g_autofree char *ref = g_strndup (p, end + 1 - p);

          _pw_validate_report (v, "P15", ERR, el, node, FALSE, path,
                               _("'%s' is not a variable reference; write #{Namespace.Key}, e.g. "
                                 "#{SourceVariables.CommitId}"),
                               ref);
        }
      else
        {
          const char *q;

          for (q = start; q < dot && namespace_char (*q); q++)
            ;

          if (q < dot)
            {
              g_autofree char *ref = g_strndup (p, end + 1 - p);

              _pw_validate_report (v, "P15", ERR, el, node, FALSE, path,
                                   _("'%s' is not a variable reference; a namespace has only "
                                     "letters, digits, @, - and _"),
                                   ref);
            }
          else
            check_reference (v, el, node, path, consumer, stage, when,
                             start, dot - start, dot + 1, end - dot - 1);
        }

      p = end + 1;
    }
}

/* The second pass over action @a: its namespace against the artifact
 * names (P14), and the references in its configuration, commands and
 * environment variables (P15). */
void
_pw_validate_action_refs (Validator  *v,
                          ActionInfo *a,
                          const Path *apath)
{
  PwElement *el = a->element;
  JsonNode *node;

  if (a->namespace != NULL && strmap_lookup (&v->output_names, a->namespace) != 0)
    _pw_validate_report (v, "P14", ERR, el, a->m[A_NAMESPACE], FALSE, PATH_KEY (apath, "namespace"),
                         _("namespace '%s' is also the name of an output artifact; a namespace "
                           "must not clash with an artifact name — rename one of them"),
                         a->namespace);

  node = a->m[A_CONFIGURATION];
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      const Path *cpath = PATH_KEY (apath, "configuration");
      JsonObjectIter iter;
      const char *key;
      JsonNode *value;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &key, &value))
        {
          const char *s = literal_string (value);

          if (s != NULL && strchr (s, '#') != NULL)
            _pw_validate_refs (v, el, value, PATH_KEY (cpath, key), a, a->stage, WHEN_ACTION);
        }
    }

  if ((node = a->m[A_COMMANDS]) != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        _pw_validate_refs (v, el, json_array_get_element (array, i),
                           PATH_INDEX (PATH_KEY (apath, "commands"), i), a, a->stage, WHEN_ACTION);
    }

  if ((node = a->m[A_ENV_VARS]) != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *item = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_OBJECT (item))
            _pw_validate_refs (v, el, json_object_get_member (json_node_get_object (item), "value"),
                               PATH_KEY (PATH_INDEX (PATH_KEY (apath, "environmentVariables"), i),
                                         "value"),
                               a, a->stage, WHEN_ACTION);
        }
    }
}
