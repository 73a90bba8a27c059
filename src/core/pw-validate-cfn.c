/* pw-validate-cfn.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* CloudFormation: intrinsics where a literal is expected (P35), and what
 * CloudFormation checks of an intrinsic itself (P42) against the sections
 * of the template. */

#define G_LOG_DOMAIN "pw-validator"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pw-validator-private.h"

/* P42: what CloudFormation checks of an intrinsic before it runs it (as
 * cfn-lint's E1xxx rules do): the function exists, its arguments have the
 * count and types it takes, and what it names (a Ref's target, a GetAtt's
 * resource, an Fn::If's condition, an Fn::Sub's variables, a map) is
 * defined by the template. */

static const char * const intrinsic_functions[] = {
  "Fn::Base64", "Fn::Cidr", "Fn::FindInMap", "Fn::GetAtt", "Fn::GetAZs", "Fn::ImportValue",
  "Fn::Join", "Fn::Select", "Fn::Split", "Fn::Sub", "Fn::Transform", "Fn::If", "Fn::And",
  "Fn::Equals", "Fn::Not", "Fn::Or", "Fn::Length", "Fn::ToJsonString", "Fn::ForEach", NULL
};

static const char * const pseudo_parameters[] = {
  "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region",
  "AWS::StackId", "AWS::StackName", "AWS::URLSuffix", NULL
};

static const char *
intrinsic_name (JsonNode *node)
{
  JsonObjectIter iter;
  const char *name = NULL;

  json_object_iter_init_ordered (&iter, json_node_get_object (node));
  json_object_iter_next_ordered (&iter, &name, NULL);
  return name;
}

static JsonObject *
template_section (Validator  *v,
                  const char *section)
{
  JsonNode *root = pw_pipeline_get_cfn_template (v->pipeline);
  JsonNode *node;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (node = json_object_get_member (json_node_get_object (root), section)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

/* The names of @section, for a did-you-mean. */
static const char *
suggest_in (Validator  *v,
            const char *section,
            const char *word,
            gboolean    with_pseudo)
{
  JsonObject *object = template_section (v, section);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GList) members = object != NULL ? json_object_get_members (object) : NULL;
  const char *meant;

  for (GList *l = members; l != NULL; l = l->next)
    g_ptr_array_add (names, l->data);
  if (with_pseudo)
    {
      JsonObject *resources = template_section (v, "Resources");
      g_autoptr(GList) more = resources != NULL ? json_object_get_members (resources) : NULL;

      for (GList *l = more; l != NULL; l = l->next)
        g_ptr_array_add (names, l->data);
      for (guint i = 0; pseudo_parameters[i] != NULL; i++)
        g_ptr_array_add (names, (gpointer)pseudo_parameters[i]);
    }
  g_ptr_array_add (names, NULL);
  meant = pw_suggest_word (word, (const char * const *)names->pdata);
  /* The pointer outlives the list: the names belong to the template. */
  return meant;
}

static gboolean
names_a_value (Validator  *v,
               const char *name)
{
  JsonObject *parameters = template_section (v, "Parameters");
  JsonObject *resources = template_section (v, "Resources");

  return g_strv_contains (pseudo_parameters, name) ||
         (parameters != NULL && json_object_has_member (parameters, name)) ||
         (resources != NULL && json_object_has_member (resources, name));
}

/* check_nested() and check_intrinsic_form() walk nested intrinsics together. */
static void check_intrinsic_form (Validator  *v,
                                  PwElement  *el,
                                  JsonNode   *node,
                                  const Path *path);

static void
check_nested (Validator  *v,
              PwElement  *el,
              JsonNode   *node,
              const Path *path)
{
  if (node == NULL)
    return;
  if (is_intrinsic (node))
    check_intrinsic_form (v, el, node, path);
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        check_nested (v, el, json_array_get_element (array, i), path);
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &member))
        check_nested (v, el, member, path);
    }
}

static void
check_ref_target (Validator  *v,
                  PwElement  *el,
                  JsonNode   *at,
                  const Path *path,
                  const char *name,
                  const char *how)
{
  const char *meant;

  if (names_a_value (v, name))
    return;
  meant = suggest_in (v, "Parameters", name, TRUE);
  if (meant != NULL)
    _pw_validate_report (v, "P42", ERR, el, at, FALSE, path,
                         _("%s names '%s', which is no parameter, resource or pseudo parameter of "
                           "the template; did you mean '%s'?"), how, name, meant);
  else
    _pw_validate_report (v, "P42", ERR, el, at, FALSE, path,
                         _("%s names '%s', which is no parameter, resource or pseudo parameter of "
                           "the template (CloudFormation refuses the template)"), how, name);
}

static void
check_intrinsic_form (Validator  *v,
                      PwElement  *el,
                      JsonNode   *node,
                      const Path *path)
{
  const char *fn = intrinsic_name (node);
  JsonNode *arg = json_object_get_member (json_node_get_object (node), fn);
  JsonArray *args = JSON_NODE_HOLDS_ARRAY (arg) ? json_node_get_array (arg) : NULL;
  guint n = args != NULL ? json_array_get_length (args) : 0;

  if (pw_pipeline_get_cfn_template (v->pipeline) == NULL)
    return;

  if (g_str_equal (fn, "Ref"))
    {
      if (!is_string_node (arg))
        _pw_validate_report (v, "P42", ERR, el, node, FALSE, path,
                             _("Ref takes the name of a parameter or resource, a string, but it "
                               "has %s"), _pw_json_type_name (arg));
      else
        check_ref_target (v, el, node, path, json_node_get_string (arg), "Ref");
      return;
    }

  if (g_str_equal (fn, "Condition"))
    {
      JsonObject *conditions = template_section (v, "Conditions");

      if (!is_string_node (arg) || conditions == NULL ||
          !json_object_has_member (conditions, json_node_get_string (arg)))
        _pw_validate_report (v, "P42", ERR, el, node, FALSE, path,
                             _("Condition names a condition the template's Conditions do not "
                               "define"));
      return;
    }

  if (!g_strv_contains (intrinsic_functions, fn))
    {
      const char *meant = pw_suggest_word (fn, intrinsic_functions);

      if (meant != NULL)
        _pw_validate_report (v, "P42", ERR, el, node, TRUE, path,
                             _("'%s' is no intrinsic function; did you mean '%s'?"), fn, meant);
      else
        _pw_validate_report (v, "P42", ERR, el, node, TRUE, path,
                             _("'%s' is no intrinsic function CloudFormation knows (a key starting "
                               "with Fn:: must be one)"), fn);
      return;
    }

  if (g_str_equal (fn, "Fn::GetAtt"))
    {
      JsonObject *resources = template_section (v, "Resources");
      g_autofree char *resource = NULL;

      if (is_string_node (arg) && strchr (json_node_get_string (arg), '.') != NULL)
        {
          const char *s = json_node_get_string (arg);

          resource = g_strndup (s, strchr (s, '.') - s);
        }
      else if (n == 2 && is_string_node (json_array_get_element (args, 0)) &&
               (is_string_node (json_array_get_element (args, 1)) ||
                is_intrinsic (json_array_get_element (args, 1))))
        resource = g_strdup (json_array_get_string_element (args, 0));
      else
        {
          _pw_validate_report (v, "P42", ERR, el, node, FALSE, path,
                               _("Fn::GetAtt takes [resource, attribute] or "
                                 "\"resource.attribute\""));
          return;
        }
      if (resources == NULL || !json_object_has_member (resources, resource))
        {
          const char *meant = suggest_in (v, "Resources", resource, FALSE);

          if (meant != NULL)
            _pw_validate_report (v, "P42", ERR, el, node, FALSE, path,
                                 _("Fn::GetAtt names the resource '%s', which the template does "
                                   "not define; did you mean '%s'?"), resource, meant);
          else
            _pw_validate_report (v, "P42", ERR, el, node, FALSE, path,
                                 _("Fn::GetAtt names the resource '%s', which the template does "
                                   "not define"), resource);
        }
      return;
    }

  if (g_str_equal (fn, "Fn::If"))
    {
      JsonObject *conditions = template_section (v, "Conditions");

      if (n != 3 || !is_string_node (json_array_get_element (args, 0)))
        {
          _pw_validate_report (v, "P42", ERR, el, node, FALSE, path,
                               _("Fn::If takes [condition name, value if true, value if false]"));
          return;
        }
      if (conditions == NULL ||
          !json_object_has_member (conditions, json_array_get_string_element (args, 0)))
        {
          const char *name = json_array_get_string_element (args, 0);
          const char *meant = suggest_in (v, "Conditions", name, FALSE);

          if (meant != NULL)
            _pw_validate_report (v, "P42", ERR, el, node, FALSE, path,
                                 _("Fn::If names the condition '%s', which the template's "
                                   "Conditions do not define; did you mean '%s'?"), name, meant);
          else
            _pw_validate_report (v, "P42", ERR, el, node, FALSE, path,
                                 _("Fn::If names the condition '%s', which the template's "
                                   "Conditions do not define"), name);
        }
      check_nested (v, el, json_array_get_element (args, 1), path);
      check_nested (v, el, json_array_get_element (args, 2), path);
      return;
    }

  if (g_str_equal (fn, "Fn::Sub"))
    {
      JsonNode *text = is_string_node (arg) ? arg
                                            : (n == 2 ? json_array_get_element (args, 0) : NULL);
      JsonNode *vars = n == 2 ? json_array_get_element (args, 1) : NULL;
      const char *p;

      if (!is_string_node (text) || (vars != NULL && !JSON_NODE_HOLDS_OBJECT (vars)))
        {
          _pw_validate_report (v, "P42", ERR, el, node, FALSE, path,
                               _("Fn::Sub takes a string, or [string, {variable: value}]"));
          return;
        }
      for (p = json_node_get_string (text); (p = strstr (p, "${")) != NULL;)
        {
          const char *end = strchr (p, '}');
          g_autofree char *name = NULL;
          const char *dot;

          if (end == NULL)
            break;
          name = g_strndup (p + 2, end - p - 2);
          p = end + 1;
          if (name[0] == '!' ||
              (vars != NULL && json_object_has_member (json_node_get_object (vars), name)))
            continue;
          if ((dot = strchr (name, '.')) != NULL && !g_str_has_prefix (name, "AWS::"))
            {
              JsonObject *resources = template_section (v, "Resources");
              g_autofree char *resource = g_strndup (name, dot - name);

              if (resources == NULL || !json_object_has_member (resources, resource))
                _pw_validate_report (v, "P42", ERR, el, node, FALSE, path,
                                     _("Fn::Sub's ${%s} names the resource '%s', which the "
                                       "template does not define"), name, resource);
              continue;
            }
          if (!names_a_value (v, name))
            {
              g_autofree char *how = g_strdup_printf ("Fn::Sub's ${%s}", name);

              check_ref_target (v, el, node, path, name, how);
            }
        }
      check_nested (v, el, vars, path);
      return;
    }

  /* Argument counts of the others. */
  {
    struct { const char *fn; guint min, max; } counts[] = {
      { "Fn::Join", 2, 2 }, { "Fn::Select", 2, 2 }, { "Fn::Split", 2, 2 },
      { "Fn::FindInMap", 3, 4 }, { "Fn::Cidr", 3, 3 }, { "Fn::Equals", 2, 2 },
      { "Fn::Not", 1, 1 }, { "Fn::And", 2, 10 }, { "Fn::Or", 2, 10 },
    };

    for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
      if (g_str_equal (fn, counts[i].fn) &&
          (args == NULL || n < counts[i].min || n > counts[i].max))
        {
          if (counts[i].min == counts[i].max)
            _pw_validate_report (v, "P42", ERR, el, node, FALSE, path,
                                 g_dngettext (GETTEXT_PACKAGE, "%s takes a list of %u argument",
                                              "%s takes a list of %u arguments", counts[i].min),
                                 fn, counts[i].min);
          else
            _pw_validate_report (v, "P42", ERR, el, node, FALSE, path,
                                 _("%s takes a list of %u to %u arguments"), fn, counts[i].min,
                                 counts[i].max);
          return;
        }
  }

  if (g_str_equal (fn, "Fn::FindInMap") && is_string_node (json_array_get_element (args, 0)))
    {
      JsonObject *mappings = template_section (v, "Mappings");
      const char *map = json_array_get_string_element (args, 0);

      if (mappings == NULL || !json_object_has_member (mappings, map))
        _pw_validate_report (v, "P42", ERR, el, node, FALSE, path,
                             _("Fn::FindInMap names the map '%s', which the template's Mappings do "
                               "not define"), map);
    }
  if (g_str_equal (fn, "Fn::Join") && !is_string_node (json_array_get_element (args, 0)))
    _pw_validate_report (v, "P42", ERR, el, node, FALSE, path,
                         _("Fn::Join's delimiter is a string"));

  check_nested (v, el, arg, path);
}

/* P35: reported once per value, by whoever meets the value first. */
void
_pw_validate_report_intrinsic (Validator  *v,
                               PwElement  *el,
                               JsonNode   *node,
                               const Path *path)
{
  const char *fn = intrinsic_name (node);

  if (v->cfn)
    check_intrinsic_form (v, el, node, path);

  if (v->cfn)
    _pw_validate_report (v, "P35", NOTE, el, node, FALSE, path,
                         _("value is a CloudFormation intrinsic (%s); it cannot be checked here"),
                         fn);
  else
    _pw_validate_report (v, "P35", ERR, el, node, FALSE, path,
                         _("value is a CloudFormation intrinsic (%s); a pipeline file needs a "
                           "literal value, so resolve it (or import the CloudFormation template "
                           "instead)"), fn);
}
