/* pw-validate-structure.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The shape of the pipeline: the document around it, stages and actions,
 * their names (P04), counts and quotas (P05, P06, P07), run orders (P12),
 * blockers and tags (P33); and the two passes over each action. */

#define G_LOG_DOMAIN "pw-validator"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pw-validator-private.h"

static const char *const action_keys[] = {
  "name", "actionTypeId", "runOrder", "configuration", "commands", "outputArtifacts",
  "inputArtifacts", "outputVariables", "roleArn", "region", "namespace", "timeoutInMinutes",
  "environmentVariables", NULL
};

static const char *const stage_keys[] = {
  "name", "blockers", "actions", "onFailure", "onSuccess", "beforeEntry", NULL
};

static const char *const tag_keys[] = { "key", "value", NULL };

static const char *const blocker_keys[] = { "name", "type", NULL };

/* Document level: tags, metadata, unknown keys */

static void
validate_tags (Validator *v,
               JsonNode  *node)
{
  PwElement *el = v->pel;
  const Path *path = PATH_KEY (NULL, "tags");
  JsonArray *array = _pw_validate_expect_array (v, el, node, path, N_("tags"));
  g_autoptr(GHashTable) seen = NULL;
  guint n;

  if (array == NULL)
    return;

  n = json_array_get_length (array);
  if (n > 50)
    _pw_validate_report (v, "P33", ERR, el, node, FALSE, path,
                         _("the pipeline has %u tags; at most 50 are allowed"), n);

  seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      const Path *ipath = PATH_INDEX (path, i);
      JsonNode *m[3] = { NULL, };
      JsonObject *object = _pw_validate_expect_mapping (v, el, item, ipath, N_("a tag"), tag_keys,
                                                        2, m);
      const char *key;

      if (object == NULL)
        continue;

      if (m[0] == NULL)
        _pw_validate_report (v, "P01", ERR, el, item, FALSE, ipath, _("tag has no %s"),
                             _pw_validate_key_name (v, "key"));
      if (m[1] == NULL)
        _pw_validate_report (v, "P01", ERR, el, item, FALSE, ipath,
                             _("tag has no %s; give an empty string if it has no value"),
                             _pw_validate_key_name (v, "value"));

      key = check_string (v, el, m[0], PATH_KEY (ipath, "key"), N_("tag key"), 1, 128, CHARS_ANY,
                          TRUE, "P27");
      check_string (v, el, m[1], PATH_KEY (ipath, "value"), N_("tag value"), 0, 256, CHARS_ANY,
                    FALSE, "P27");

      if (key != NULL)
        {
          gpointer first;

          if (g_hash_table_lookup_extended (seen, key, NULL, &first))
            _pw_validate_report (v, "P33", ERR, el, m[0], FALSE, PATH_KEY (ipath, "key"),
                                 _("tag key '%s' is already used by tags[%u]; tag keys must be "
                                   "unique (case-sensitive)"),
                                 key, GPOINTER_TO_UINT (first));
          else
            g_hash_table_insert (seen, (gpointer)key, GUINT_TO_POINTER (i));
        }
    }
}

void
_pw_validate_document (Validator *v)
{
  JsonObject *extras = _pw_pipeline_get_document_extras (v->pipeline);
  PwPipelineOrigin origin = pw_pipeline_get_origin (v->pipeline);
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  json_object_iter_init_ordered (&iter, extras);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      if (g_str_equal (name, "tags"))
        validate_tags (v, member);
      else if (v->cfn)
        continue;
      else if (g_str_equal (name, "metadata") && origin == PW_PIPELINE_ORIGIN_GET_PIPELINE)
        _pw_validate_report (v, "P25", NOTE, v->pel, member, TRUE, PATH_KEY (NULL, name),
                             _("'metadata' is part of a get-pipeline response, not of a pipeline "
                               "declaration; the export leaves it out"));
      else if (g_str_equal (name, "metadata"))
        _pw_validate_report (v, "P25", ERR, v->pel, member, TRUE, PATH_KEY (NULL, name),
                             _("unknown key 'metadata' at the top of the file; expected one of: "
                               "pipeline, tags ('metadata' comes from get-pipeline, and "
                               "create-pipeline rejects it — remove it)"));
      else
        {
          Suggest s = { name, NULL, 0 };
          g_autofree char *hint = NULL;

          _pw_validate_suggest_offer (&s, "pipeline");
          _pw_validate_suggest_offer (&s, "tags");
          hint = _pw_validate_suggest_text (&s);
          _pw_validate_report (v, "P25", ERR, v->pel, member, TRUE, PATH_KEY (NULL, name),
                               _("unknown key '%s' at the top of the file%s; expected one of: "
                                 "pipeline, tags"), name, hint);
        }
    }
}

/* Stages and actions */

/* Fills @members from the declaration of @el, a stage or an action.
 * Returns %FALSE when the declaration is opaque (not a mapping, or an
 * intrinsic standing for the whole element), after saying so. */
static gboolean
collect_element (Validator          *v,
                 PwElement          *el,
                 const Path         *path,
                 gboolean            stage,
                 const char *const  *keys,
                 guint               n_keys,
                 JsonNode          **members)
{
  JsonObject *object = pw_element_get_object (el);
  JsonNode *raw;

  if (object != NULL)
    return collect (v, el, NULL, object, path, keys, n_keys, members);

  raw = pw_element_get_raw (el);
  v->uncertain = TRUE;
  if (is_intrinsic (raw))
    _pw_validate_report_intrinsic (v, el, raw, path);
  else
    _pw_validate_report (v, "P26", ERR, el, raw, FALSE, path,
                         stage ? _("a stage must be a mapping, but it is %s")
                               : _("an action must be a mapping, but it is %s"),
                         _pw_json_type_name (raw));
  return FALSE;
}

static gint64
run_order_of (JsonNode *node)
{
  const char *s;
  char *end = NULL;
  gint64 value;

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return MAX (json_node_get_int (node), 0);

  if ((s = literal_string (node)) == NULL || !g_ascii_isdigit (s[0]))
    return 0;

  value = g_ascii_strtoll (s, &end, 10);
  return end != NULL && *end == '\0' && value >= 0 ? value : 0;
}

static void
validate_action (Validator  *v,
                 ActionInfo *a,
                 guint       action_index,
                 const Path *apath)
{
  PwElement *el = a->element;

  if (!collect_element (v, el, apath, FALSE, action_keys, N_A, a->m))
    {
      a->opaque = TRUE;
      return;
    }

  /* name, and P04 within the stage */
  if (a->m[A_NAME] == NULL)
    _pw_validate_report (v, "P01", ERR, el, NULL, FALSE, apath,
                         _("action has no %s; give it a name of 1 to 100 letters, digits or . @ - "
                           "_"), _pw_validate_key_name (v, "name"));
  else
    {
      if (is_intrinsic (a->m[A_NAME]))
        a->label = pw_format_value (a->m[A_NAME]);
      a->name = check_string (v, el, a->m[A_NAME], PATH_KEY (apath, "name"),
                              N_("action name"), 1, 100, CHARS_NAME, TRUE, "P27");
    }
  if (a->name != NULL)
    {
      /* One map for all stages: stages come in order, so an entry from an
       * earlier stage is simply replaced. */
      guint32 *found = strmap_slot (&v->action_names, a->name);

      if (*found != 0 && v->actions[*found - 1].stage == a->stage)
        _pw_validate_report (v, "P04", ERR, el, a->m[A_NAME], FALSE, PATH_KEY (apath, "name"),
                             _("stage '%s' already has an action named '%s' (actions[%u]); action "
                               "names must be unique within their stage"),
                             _pw_validate_stage_label (v, a->stage), a->name,
                             v->actions[*found - 1].index);
      else
        *found = action_index + 1;
    }

  _pw_validate_type_id (v, a, apath);

  /* runOrder: same reading as pw_action_get_run_order(), without looking
   * the member up again. */
  a->run_order = a->m[A_RUN_ORDER] == NULL ? 1 : run_order_of (a->m[A_RUN_ORDER]);
  if (a->m[A_RUN_ORDER] != NULL)
    {
      gint64 order;

      if (_pw_validate_get_int (v, el, a->m[A_RUN_ORDER], PATH_KEY (apath, "runOrder"),
                                N_("runOrder"), &order))
        {
          if (order < 1 || order > 999)
            {
              _pw_validate_report (v, "P12", ERR, el, a->m[A_RUN_ORDER], FALSE,
                                   PATH_KEY (apath, "runOrder"),
                                   _("runOrder is %" G_GINT64_FORMAT "; it must be from 1 to 999"),
                                   order);
              a->run_order = order < 1 ? 0 : order;
            }
          else
            a->run_order = order;
        }
    }

  _pw_validate_artifact_list (v, a, action_index, apath, FALSE);
  _pw_validate_artifact_list (v, a, action_index, apath, TRUE);
  _pw_validate_artifact_counts (v, a, apath);
  _pw_validate_configuration (v, a, apath);

  if (a->m[A_ROLE_ARN] != NULL)
    {
      _pw_validate_check_role_arn (v, el, a->m[A_ROLE_ARN], PATH_KEY (apath, "roleArn"),
                                   N_("action roleArn"), FALSE);
      if (a->owner != NULL && strcmp (a->owner, "AWS") != 0)
        _pw_validate_report (v, "P38", WARN, el, a->m[A_ROLE_ARN], TRUE,
                             PATH_KEY (apath, "roleArn"),
                             _("roleArn only applies to AWS-owned actions; %s action '%s' ignores "
                               "it"), a->owner, _pw_validate_action_label (a));
    }

  if (a->m[A_REGION] != NULL)
    _pw_validate_region (v, a, apath);

  if (a->m[A_NAMESPACE] != NULL)
    _pw_validate_namespace (v, a, action_index, apath);

  if (a->m[A_TIMEOUT] != NULL)
    {
      const Path *tpath = PATH_KEY (apath, "timeoutInMinutes");
      gint64 minutes;

      /* Any pipeline type: the API and CloudFormation put no condition on
       * it, and the CDK writes it on V1 pipelines. */
      if (a->category != NULL && a->provider != NULL &&
          a->kind != KIND_MANUAL)
        _pw_validate_report (v, "P22", ERR, el, a->m[A_TIMEOUT], TRUE, tpath,
                             _("timeoutInMinutes only applies to manual approval actions "
                               "(Approval/Manual), not to %s action '%s'; remove it"),
                             a->provider, _pw_validate_action_label (a));
      if (_pw_validate_get_int (v, el, a->m[A_TIMEOUT], tpath, N_("timeoutInMinutes"), &minutes) &&
          (minutes < 5 || minutes > 86400))
        _pw_validate_report (v, "P22", ERR, el, a->m[A_TIMEOUT], FALSE, tpath,
                             _("timeoutInMinutes is %" G_GINT64_FORMAT "; it must be from 5 to "
                               "86400 (60 days)"),
                             minutes);
    }

  _pw_validate_commands_members (v, a, apath);
  if (a->m[A_COMMANDS] != NULL || a->m[A_ENV_VARS] != NULL)
    a->late = TRUE;

  if (a->info != NULL && a->info->v2_only && !a->is_commands)
    _pw_validate_need_v2 (v, el, a->m[A_TYPE_ID], FALSE, PATH_KEY (apath, "actionTypeId"),
                          a->provider);
}

/* Second pass over action @a, once every output and namespace is known. */
void
_pw_validate_action_late (Validator  *v,
                          ActionInfo *a,
                          const Path *apath)
{
  if (a->opaque || !a->late)
    return;

  _pw_validate_input_artifacts (v, a->element, a->m[A_INPUTS], PATH_KEY (apath, "inputArtifacts"),
                                a, a->stage, WHEN_ACTION);

  _pw_validate_action_refs (v, a, apath);
}


static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

  return x < y ? -1 : x > y ? 1 : 0;
}

static void
check_group_sizes (Validator *v,
                   StageInfo *st,
                   const Path *spath)
{
  g_autofree gint64 *orders = g_new (gint64, st->n_actions);
  guint run = 0;

  for (guint i = 0; i < st->n_actions; i++)
    orders[i] = v->actions[st->first_action + i].run_order;
  qsort (orders, st->n_actions, sizeof (gint64), compare_gint64);

  for (guint i = 0; i < st->n_actions; i++)
    {
      run = (i > 0 && orders[i] == orders[i - 1]) ? run + 1 : 1;
      if (run == 51 && orders[i] > 0)
        _pw_validate_report (v, "P05", WARN, PW_ELEMENT (st->stage), st->m[S_ACTIONS], FALSE,
                             PATH_KEY (spath, "actions"),
                             _("more than 50 actions of stage '%s' share runOrder "
                               "%" G_GINT64_FORMAT "; CodePipeline's quota is 50 parallel actions "
                               "in a stage, a quota that can be raised for the account (AWS "
                               "refuses the pipeline until it is)"),
                             _pw_validate_stage_label (v, st - v->stages), orders[i]);
    }
}

static void
validate_blockers (Validator  *v,
                   PwElement  *el,
                   JsonNode   *node,
                   const Path *path)
{
  JsonArray *array = _pw_validate_expect_array (v, el, node, path, "blockers");

  if (array == NULL)
    return;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      const Path *ipath = PATH_INDEX (path, i);
      JsonNode *m[2] = { NULL, };
      JsonObject *object = _pw_validate_expect_mapping (v, el, item, ipath, N_("a blocker"),
                                                        blocker_keys, 2, m);

      if (object == NULL)
        continue;

      if (m[0] == NULL || m[1] == NULL)
        _pw_validate_report (v, "P01", ERR, el, item, FALSE, ipath,
                             _("a blocker needs a name and a type"));
      check_string (v, el, m[0], PATH_KEY (ipath, "name"), N_("blocker name"), 1, 100, CHARS_ANY,
                    TRUE, "P27");
      _pw_validate_check_enum (v, el, m[1], PATH_KEY (ipath, "type"), N_("blocker type"),
                               (const char *const[]) { "Schedule", NULL }, "P27");
    }
}

void
_pw_validate_stage (Validator  *v,
                    guint       index,
                    const Path *spath)
{
  StageInfo *st = &v->stages[index];
  PwElement *el = PW_ELEMENT (st->stage);
  const char *name = NULL;
  const Path *apath_list = PATH_KEY (spath, "actions");

  if (!collect_element (v, el, spath, TRUE, stage_keys, N_S, st->m))
    {
      st->opaque = TRUE;
      return;
    }

  if (st->m[S_NAME] == NULL)
    _pw_validate_report (v, "P01", ERR, el, NULL, FALSE, spath,
                         _("stage has no %s; give it a name of 1 to 100 letters, digits or . @ - "
                           "_"), _pw_validate_key_name (v, "name"));
  else if ((name = check_string (v, el, st->m[S_NAME], PATH_KEY (spath, "name"), N_("stage name"),
                                 1, 100, CHARS_NAME, TRUE, "P27")) != NULL)
    {
      guint32 *found = strmap_slot (&v->stage_names, name);

      if (*found != 0)
        _pw_validate_report (v, "P04", ERR, el, st->m[S_NAME], FALSE, PATH_KEY (spath, "name"),
                             _("stage name '%s' is already used by stages[%u]; stage names must be "
                               "unique"), name, *found - 1);
      else
        *found = index + 1;
    }

  if (st->m[S_BLOCKERS] != NULL)
    validate_blockers (v, el, st->m[S_BLOCKERS], PATH_KEY (spath, "blockers"));

  if (st->m[S_ACTIONS] == NULL)
    {
      _pw_validate_report (v, "P01", ERR, el, NULL, FALSE, spath,
                           _("stage '%s' has no %s; give it 1 to 50 actions"),
                           name != NULL ? name : "?", _pw_validate_key_name (v, "actions"));
      return;
    }

  if (_pw_validate_expect_array (v, el, st->m[S_ACTIONS], apath_list, "actions") == NULL)
    {
      v->uncertain = TRUE;
      return;
    }

  /* No action is a fixed rule; more than 50 passes a quota AWS can raise. */
  if (st->n_actions == 0)
    _pw_validate_report (v, "P05", ERR, el, st->m[S_ACTIONS], FALSE, apath_list,
                         _("stage '%s' has no actions; a stage needs at least one"),
                         name != NULL ? name : "?");
  else if (st->n_actions > 50)
    _pw_validate_report (v, "P05", WARN, el, st->m[S_ACTIONS], FALSE, apath_list,
                         _("stage '%s' has %u actions; CodePipeline's quota is 50 actions in a "
                           "stage, a quota that can be raised for the account (AWS refuses the "
                           "pipeline until it is)"),
                         name != NULL ? name : "?", st->n_actions);

  for (guint i = 0; i < st->n_actions; i++)
    {
      guint ai = st->first_action + i;
      ActionInfo *a = &v->actions[ai];
      const Path *apath = PATH_INDEX (apath_list, i);

      validate_action (v, a, ai, apath);

      if (a->category == NULL)
        continue;

      if (index == 0 && a->cat != CAT_SOURCE)
        _pw_validate_report (v, "P06", ERR, a->element,
                             _pw_validate_member_of (a->m[A_TYPE_ID], "category"), FALSE,
                             PATH_KEY (PATH_KEY (apath, "actionTypeId"), "category"),
                             _("'%s' is a %s action, but the first stage may only hold Source "
                               "actions; move it to a later stage"),
                             _pw_validate_action_label (a), a->category);
      else if (index > 0 && a->cat == CAT_SOURCE)
        _pw_validate_report (v, "P07", ERR, a->element,
                             _pw_validate_member_of (a->m[A_TYPE_ID], "category"), FALSE,
                             PATH_KEY (PATH_KEY (apath, "actionTypeId"), "category"),
                             _("Source action '%s' is in stage '%s', but Source actions may only "
                               "be in the first stage; move it there"),
                             _pw_validate_action_label (a), name != NULL ? name : "?");

      if (a->cat == CAT_SOURCE)
        g_ptr_array_add (v->sources, a);
    }

  if (st->n_actions > 50)
    check_group_sizes (v, st, spath);
}

/* P37: an approval that gates nothing. */
void
_pw_validate_trailing_approval (Validator  *v,
                                const Path *stages_path)
{
  StageInfo *last;
  gint64 max = 0;

  if (v->n_stages == 0 || v->stages[v->n_stages - 1].opaque)
    return;

  last = &v->stages[v->n_stages - 1];
  for (guint j = 0; j < last->n_actions; j++)
    max = MAX (max, v->actions[last->first_action + j].run_order);

  for (guint j = 0; j < last->n_actions && max > 0; j++)
    {
      ActionInfo *a = &v->actions[last->first_action + j];
      const Path *apath = PATH_INDEX (PATH_KEY (PATH_INDEX (stages_path, a->stage), "actions"),
                                      a->index);

      if (a->run_order == max && a->cat == CAT_APPROVAL)
        _pw_validate_report (v, "P37", WARN, a->element, a->m[A_NAME], FALSE, apath,
                             _("manual approval '%s' is the last action of the pipeline, so it "
                               "approves nothing; move it before the actions it should gate, or "
                               "remove it"),
                             _pw_validate_action_label (a));
    }
}
