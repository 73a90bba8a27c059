/* pw-validate-triggers.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* What starts, gates and holds runs: stage conditions and their rules (P19,
 * P34), triggers (P17) and disabled stage transitions (P40). */

#define G_LOG_DOMAIN "pw-validator"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pw-validator-private.h"

static const char *const transition_keys[] = { "stageName", "reason", NULL };
static const char *const trigger_keys[] = { "providerType", "gitConfiguration", NULL };
static const char *const git_keys[] = { "sourceActionName", "push", "pullRequest", NULL };
static const char *const push_keys[] = { "tags", "branches", "filePaths", NULL };
static const char *const pull_keys[] = { "events", "branches", "filePaths", NULL };
static const char *const criteria_keys[] = { "includes", "excludes", NULL };
static const char *const failure_keys[] = { "result", "retryConfiguration", "conditions", NULL };
static const char *const success_keys[] = { "conditions", NULL };
static const char *const retry_keys[] = { "retryMode", NULL };
static const char *const condition_keys[] = { "result", "rules", NULL };

enum {
  R_NAME, R_TYPE_ID, R_CONFIGURATION, R_COMMANDS, R_INPUTS, R_ROLE_ARN, R_REGION, R_TIMEOUT, N_R
};
static const char *const rule_keys[] = {
  "name", "ruleTypeId", "configuration", "commands", "inputArtifacts", "roleArn", "region",
  "timeoutInMinutes", NULL
};

static const char *const results[] = { "ROLLBACK", "FAIL", "RETRY", "SKIP", NULL };
static const char *const retry_modes[] = { "FAILED_ACTIONS", "ALL_ACTIONS", NULL };

static const char *const pr_events[] = { "OPEN", "UPDATED", "CLOSED", NULL };

/* Stage conditions (V2) */

static void
check_rollback (Validator  *v,
                PwElement  *el,
                JsonNode   *node,
                const Path *path,
                const char *result,
                guint       stage)
{
  if (result == NULL || strcmp (result, "ROLLBACK") != 0)
    return;

  if (stage == 0)
    _pw_validate_report (v, "P19", ERR, el, node, FALSE, path,
                         _("the first stage cannot roll back: there is no earlier successful "
                           "source revision to return to; use FAIL or RETRY"));
  else if (v->parallel)
    _pw_validate_report (v, "P19", ERR, el, node, FALSE, path,
                         _("stage rollback is not available when executionMode is PARALLEL; use "
                           "FAIL or RETRY, or another execution mode"));
}

static void
validate_rule (Validator  *v,
               PwElement  *el,
               JsonNode   *node,
               const Path *path,
               guint       stage,
               When        when)
{
  JsonNode *m[N_R] = { NULL, };
  JsonObject *object = _pw_validate_expect_mapping (v, el, node, path, N_("a rule"), rule_keys, N_R,
                                                    m);

  if (object == NULL)
    return;

  if (m[R_NAME] == NULL)
    _pw_validate_report (v, "P01", ERR, el, node, FALSE, path, _("rule has no %s"),
                         _pw_validate_key_name (v, "name"));
  else
    check_string (v, el, m[R_NAME], PATH_KEY (path, "name"), N_("rule name"), 1, 100, CHARS_NAME,
                  TRUE, "P27");

  if (m[R_TYPE_ID] == NULL)
    _pw_validate_report (v, "P01", ERR, el, node, FALSE, path,
                         _("rule has no %s; give {category: Rule, owner: AWS, provider, version}"),
                         _pw_validate_key_name (v, "ruleTypeId"));
  else
    {
      const Path *tpath = PATH_KEY (path, "ruleTypeId");
      JsonNode *t[N_T] = { NULL, };
      JsonObject *type = _pw_validate_expect_mapping (v, el, m[R_TYPE_ID], tpath, N_("ruleTypeId"),
                                                      _pw_validate_type_id_keys, N_T, t);

      if (type != NULL)
        {
          const char *s;

          if (t[T_CATEGORY] == NULL)
            _pw_validate_report (v, "P01", ERR, el, m[R_TYPE_ID], FALSE, tpath,
                                 _("ruleTypeId has no %s; set it to Rule"),
                                 _pw_validate_key_name (v, "category"));
          else if ((s = get_string (v, el, t[T_CATEGORY], PATH_KEY (tpath, "category"),
                                    N_("rule category"), "P26")) != NULL &&
                   strcmp (s, "Rule") != 0)
            _pw_validate_report (v, "P34", ERR, el, t[T_CATEGORY], FALSE,
                                 PATH_KEY (tpath, "category"),
                                 _("rule category '%s' is not allowed; the only rule category is "
                                   "Rule"), s);

          if (t[T_OWNER] != NULL &&
              (s = get_string (v, el, t[T_OWNER], PATH_KEY (tpath, "owner"), N_("rule owner"),
                               "P26")) != NULL &&
              strcmp (s, "AWS") != 0)
            _pw_validate_report (v, "P34", ERR, el, t[T_OWNER], FALSE, PATH_KEY (tpath, "owner"),
                                 _("rule owner '%s' is not allowed; rules are owned by AWS"), s);

          if (t[T_PROVIDER] == NULL)
            _pw_validate_report (v, "P01", ERR, el, m[R_TYPE_ID], FALSE, tpath,
                                 _("ruleTypeId has no %s (VariableCheck, CloudWatchAlarm, "
                                   "LambdaInvoke, DeploymentWindow, Commands, …)"),
                                 _pw_validate_key_name (v, "provider"));
          else
            check_string (v, el, t[T_PROVIDER], PATH_KEY (tpath, "provider"), N_("rule provider"),
                          1, 35, CHARS_PROVIDER, TRUE, "P27");

          if (t[T_VERSION] != NULL)
            {
              const char *version = get_string (v, el, t[T_VERSION], PATH_KEY (tpath, "version"),
                                                N_("rule version"), "P21");

              if (version != NULL)
                _pw_validate_check_text (v, el, t[T_VERSION], PATH_KEY (tpath, "version"),
                                         N_("rule version"), version, 1, 9, CHARS_PROVIDER, TRUE,
                                         "P27");
            }
        }
    }

  if (m[R_CONFIGURATION] != NULL)
    {
      const Path *cpath = PATH_KEY (path, "configuration");
      JsonObject *config = _pw_validate_expect_object (v, el, m[R_CONFIGURATION], cpath,
                                                       N_("rule configuration"));

      if (config != NULL)
        {
          JsonObjectIter iter;
          const char *key;
          JsonNode *value;

          if (json_object_get_size (config) > 200)
            _pw_validate_report (v, "P16", ERR, el, m[R_CONFIGURATION], FALSE, cpath,
                                 _("rule configuration has %u keys; at most 200 are allowed"),
                                 json_object_get_size (config));

          json_object_iter_init_ordered (&iter, config);
          while (json_object_iter_next_ordered (&iter, &key, &value))
            {
              const Path *kpath = PATH_KEY (cpath, key);
              const char *s;

              if (key[0] == '\0' || g_utf8_strlen (key, -1) > 50)
                _pw_validate_report (v, "P16", ERR, el, value, TRUE, kpath,
                                     _("configuration key '%s' must have 1 to 50 characters"), key);

              s = get_string (v, el, value, kpath, N_("configuration value"), "P20");
              if (s == NULL)
                continue;
              _pw_validate_check_text (v, el, value, kpath, N_("configuration value"), s, 1, 10000,
                                       CHARS_ANY, FALSE, "P16");
              _pw_validate_refs (v, el, value, kpath, NULL, stage, when);
            }
        }
    }

  if (m[R_COMMANDS] != NULL)
    {
      const Path *cpath = PATH_KEY (path, "commands");
      JsonArray *commands = _pw_validate_expect_array (v, el, m[R_COMMANDS], cpath, N_("commands"));
      guint n = commands != NULL ? json_array_get_length (commands) : 0;

      if (commands != NULL && (n < 1 || n > 50))
        _pw_validate_report (v, "P34", ERR, el, m[R_COMMANDS], FALSE, cpath,
                             _("a rule has 1 to 50 commands, but this one has %u"), n);

      for (guint i = 0; i < n; i++)
        {
          JsonNode *item = json_array_get_element (commands, i);
          const Path *ipath = PATH_INDEX (cpath, i);
          const char *s = get_string (v, el, item, ipath, N_("command"), "P26");

          if (s == NULL)
            continue;
          _pw_validate_check_text (v, el, item, ipath, N_("command"), s, 1, 1000, CHARS_ANY, FALSE,
                                   "P34");
          _pw_validate_refs (v, el, item, ipath, NULL, stage, when);
        }
    }

  if (m[R_INPUTS] != NULL)
    _pw_validate_input_artifacts (v, el, m[R_INPUTS], PATH_KEY (path, "inputArtifacts"), NULL,
                                  stage, when);

  if (m[R_ROLE_ARN] != NULL)
    _pw_validate_check_role_arn (v, el, m[R_ROLE_ARN], PATH_KEY (path, "roleArn"),
                                 N_("rule roleArn"), FALSE);

  if (m[R_REGION] != NULL)
    check_string (v, el, m[R_REGION], PATH_KEY (path, "region"), N_("rule region"), 4, 30,
                  CHARS_ANY, FALSE, "P27");

  if (m[R_TIMEOUT] != NULL)
    {
      gint64 minutes;

      if (_pw_validate_get_int (v, el, m[R_TIMEOUT], PATH_KEY (path, "timeoutInMinutes"),
                                N_("rule timeoutInMinutes"), &minutes) &&
          (minutes < 5 || minutes > 86400))
        _pw_validate_report (v, "P27", ERR, el, m[R_TIMEOUT], FALSE,
                             PATH_KEY (path, "timeoutInMinutes"),
                             _("rule timeoutInMinutes is %" G_GINT64_FORMAT "; it must be from 5 "
                               "to 86400"), minutes);
    }
}

static void
validate_condition (Validator  *v,
                    PwElement  *el,
                    JsonNode   *node,
                    const Path *path,
                    guint       stage,
                    When        when)
{
  JsonNode *m[2] = { NULL, };
  JsonObject *object = _pw_validate_expect_mapping (v, el, node, path, N_("a condition"),
                                                    condition_keys, 2, m);
  const char *result = NULL;

  if (object == NULL)
    return;

  if (m[0] != NULL)
    result = _pw_validate_check_enum (v, el, m[0], PATH_KEY (path, "result"),
                                      N_("condition result"), results, "P27");

  if (result != NULL)
    {
      if (when == WHEN_BEFORE_ENTRY && strcmp (result, "FAIL") != 0 &&
          strcmp (result, "SKIP") != 0)
        _pw_validate_report (v, "P34", ERR, el, m[0], FALSE, PATH_KEY (path, "result"),
                             _("a beforeEntry condition can only FAIL or SKIP the stage, not %s"),
                             result);
      else if (when == WHEN_ON_SUCCESS && strcmp (result, "FAIL") != 0 &&
               strcmp (result, "ROLLBACK") != 0)
        _pw_validate_report (v, "P34", ERR, el, m[0], FALSE, PATH_KEY (path, "result"),
                             _("an onSuccess condition can only FAIL or ROLLBACK the stage, not "
                               "%s"), result);
      else
        check_rollback (v, el, m[0], PATH_KEY (path, "result"), result, stage);
    }

  if (m[1] == NULL)
    _pw_validate_report (v, "P34", ERR, el, node, FALSE, path,
                         _("condition has no %s; give 1 to 5 rules"),
                         _pw_validate_key_name (v, "rules"));
  else
    {
      const Path *rpath = PATH_KEY (path, "rules");
      JsonArray *list = _pw_validate_expect_array (v, el, m[1], rpath, N_("rules"));
      guint n;

      if (list == NULL)
        return;

      n = json_array_get_length (list);
      if (n < 1 || n > 5)
        _pw_validate_report (v, "P34", ERR, el, m[1], FALSE, rpath,
                             _("a condition has 1 to 5 rules, but this one has %u"), n);

      for (guint i = 0; i < n; i++)
        validate_rule (v, el, json_array_get_element (list, i), PATH_INDEX (rpath, i), stage,
                       when);
    }
}

static void
validate_condition_list (Validator  *v,
                         PwElement  *el,
                         JsonNode   *owner,
                         JsonNode   *node,
                         const Path *path,
                         guint       stage,
                         When        when)
{
  const Path *cpath = PATH_KEY (path, "conditions");
  JsonArray *list;
  guint n;

  if (node == NULL)
    {
      if (when != WHEN_ON_FAILURE)
        _pw_validate_report (v, "P34", ERR, el, owner, FALSE, path,
                             _("%s needs %s with exactly one condition"),
                             _pw_validate_key_name (v, when == WHEN_ON_SUCCESS ? "onSuccess"
                                                                               : "beforeEntry"),
                             _pw_validate_key_name (v, "conditions"));
      return;
    }

  if ((list = _pw_validate_expect_array (v, el, node, cpath, N_("conditions"))) == NULL)
    return;

  n = json_array_get_length (list);
  if (n != 1)
    _pw_validate_report (v, "P34", ERR, el, node, FALSE, cpath,
                         when == WHEN_ON_FAILURE
                           ? _("%s takes at most one condition (with its rules), but it has %u")
                           : _("%s takes exactly one condition (with its rules), but it has %u"),
                         _pw_validate_key_name (v, when == WHEN_ON_FAILURE ? "onFailure"
                                                   : when == WHEN_ON_SUCCESS ? "onSuccess"
                                                   : "beforeEntry"),
                         n);

  for (guint i = 0; i < n; i++)
    validate_condition (v, el, json_array_get_element (list, i), PATH_INDEX (cpath, i), stage,
                        when);
}

/* The onSuccess or beforeEntry (@key) of a stage: a mapping that holds
 * only its conditions. */
static void
validate_gate (Validator  *v,
               PwElement  *el,
               JsonNode   *node,
               const Path *spath,
               const char *key,
               guint       stage,
               When        when)
{
  const Path *path = PATH_KEY (spath, key);
  JsonNode *m[1] = { NULL, };

  _pw_validate_need_v2_member (v, el, node, path, key);
  if (_pw_validate_expect_mapping (v, el, node, path, key, success_keys, 1, m) != NULL)
    validate_condition_list (v, el, node, m[0], path, stage, when);
}

void
_pw_validate_stage_conditions (Validator  *v,
                               StageInfo  *st,
                               guint       stage,
                               const Path *spath)
{
  PwElement *el = PW_ELEMENT (st->stage);

  if (st->m[S_ON_FAILURE] != NULL)
    {
      const Path *path = PATH_KEY (spath, "onFailure");
      JsonNode *node = st->m[S_ON_FAILURE];
      JsonObject *object;
      JsonNode *m[3] = { NULL, };
      const char *result = NULL;

      _pw_validate_need_v2_member (v, el, node, path, "onFailure");
      if ((object = _pw_validate_expect_mapping (v, el, node, path, N_("onFailure"),
                                                 failure_keys, 3, m)) != NULL)
        {

          if (m[0] != NULL)
            {
              result = _pw_validate_check_enum (v, el, m[0], PATH_KEY (path, "result"),
                                                N_("onFailure result"), results, "P27");
              check_rollback (v, el, m[0], PATH_KEY (path, "result"), result, stage);
            }

          if (m[1] != NULL)
            {
              const Path *rpath = PATH_KEY (path, "retryConfiguration");
              JsonNode *r[1] = { NULL, };
              JsonObject *retry = _pw_validate_expect_mapping (v, el, m[1], rpath,
                                                               N_("retryConfiguration"), retry_keys,
                                                               1, r);

              if (result != NULL && strcmp (result, "RETRY") != 0)
                _pw_validate_report (v, "P34", ERR, el, m[1], TRUE, rpath,
                                     _("retryConfiguration only applies with result RETRY, but "
                                       "result is %s; remove it or set result to RETRY"),
                                     result);
              else if (result == NULL && m[0] == NULL)
                _pw_validate_report (v, "P34", ERR, el, m[1], TRUE, rpath,
                                     _("retryConfiguration only applies with result RETRY; add "
                                       "result: RETRY"));

              if (retry != NULL)
                {
                  if (r[0] != NULL)
                    _pw_validate_check_enum (v, el, r[0], PATH_KEY (rpath, "retryMode"),
                                             N_("retryMode"), retry_modes, "P27");
                }
            }

          validate_condition_list (v, el, node, m[2], path, stage, WHEN_ON_FAILURE);
        }
    }

  if (st->m[S_ON_SUCCESS] != NULL)
    validate_gate (v, el, st->m[S_ON_SUCCESS], spath, N_("onSuccess"), stage, WHEN_ON_SUCCESS);

  if (st->m[S_BEFORE_ENTRY] != NULL)
    validate_gate (v, el, st->m[S_BEFORE_ENTRY], spath, N_("beforeEntry"), stage,
                   WHEN_BEFORE_ENTRY);
}

/* Triggers (V2) */

static void
check_criteria (Validator  *v,
                PwElement  *el,
                JsonNode   *node,
                const Path *path,
                const char *what)
{
  JsonNode *m[2] = { NULL, };
  JsonObject *object = _pw_validate_expect_mapping (v, el, node, path, what, criteria_keys, 2, m);

  if (object == NULL)
    return;

  if (m[0] == NULL && m[1] == NULL)
    _pw_validate_report (v, "P17", ERR, el, node, FALSE, path,
                         _("%s has neither includes nor excludes; give at least one list of "
                           "patterns"), _(what));

  for (guint i = 0; i < 2; i++)
    if (m[i] != NULL)
      _pw_validate_check_string_list (v, el, m[i], PATH_KEY (path, criteria_keys[i]),
                                      criteria_keys[i], N_("pattern"), 1, 8, 255, FALSE, "P17");
}

static void
check_filters (Validator  *v,
               PwElement  *el,
               JsonNode   *node,
               const Path *path,
               gboolean    push)
{
  JsonArray *array = _pw_validate_expect_array (v, el, node, path, push ? "push" : "pullRequest");
  guint n;

  if (array == NULL)
    return;

  n = json_array_get_length (array);
  if (n < 1 || n > 3)
    _pw_validate_report (v, "P17", ERR, el, node, FALSE, path,
                         _("%s has %u filter(s); it takes 1 to 3"), push ? "push" : "pullRequest",
                         n);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      const Path *ipath = PATH_INDEX (path, i);
      JsonNode *m[3] = { NULL, };
      JsonObject *object = _pw_validate_expect_mapping (v, el, item, ipath, N_("a filter"),
                                                        push ? push_keys : pull_keys, 3, m);

      if (object == NULL)
        continue;

      if (push)
        {
          if (m[0] != NULL)
            check_criteria (v, el, m[0], PATH_KEY (ipath, "tags"), "tags");
          if (m[0] == NULL && m[1] == NULL)
            _pw_validate_report (v, "P17", ERR, el, item, FALSE, ipath,
                                 _("a push filter needs tags or branches"));
        }
      else
        {
          if (m[0] != NULL)
            {
              const Path *epath = PATH_KEY (ipath, "events");
              JsonArray *events = _pw_validate_expect_array (v, el, m[0], epath, "events");
              guint ne = events != NULL ? json_array_get_length (events) : 0;

              if (events != NULL && (ne < 1 || ne > 3))
                _pw_validate_report (v, "P17", ERR, el, m[0], FALSE, epath,
                                     _("events has %u item(s); give 1 to 3 of OPEN, UPDATED, "
                                       "CLOSED"), ne);
              for (guint j = 0; j < ne; j++)
                _pw_validate_check_enum (v, el, json_array_get_element (events, j),
                                         PATH_INDEX (epath, j), N_("pull request event"), pr_events,
                                         "P17");
            }
          if (m[1] == NULL)
            _pw_validate_report (v, "P17", ERR, el, item, FALSE, ipath,
                                 _("a pull request filter needs branches (the target branches)"));
        }

      if (m[1] != NULL)
        check_criteria (v, el, m[1], PATH_KEY (ipath, "branches"), "branches");
      if (m[2] != NULL)
        {
          check_criteria (v, el, m[2], PATH_KEY (ipath, "filePaths"), "filePaths");
          if (m[1] == NULL && push)
            _pw_validate_report (v, "P17", ERR, el, m[2], TRUE, PATH_KEY (ipath, "filePaths"),
                                 _("filePaths only works together with branches; add branches"));
        }
    }
}

void
_pw_validate_triggers (Validator *v)
{
  PwElement *el = v->pel;
  JsonNode *node = v->pm[P_TRIGGERS];
  const Path *path = PATH_KEY (NULL, "triggers");
  g_autoptr(GHashTable) used = NULL;
  JsonArray *array;
  guint n;

  if (node == NULL)
    return;

  _pw_validate_need_v2_member (v, el, node, path, "triggers");
  if ((array = _pw_validate_expect_array (v, el, node, path, "triggers")) == NULL)
    return;

  n = json_array_get_length (array);
  if (n > 50)
    _pw_validate_report (v, "P17", ERR, el, node, FALSE, path,
                         _("the pipeline has %u triggers; at most 50 are allowed"), n);

  used = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      const Path *ipath = PATH_INDEX (path, i);
      const Path *gpath = PATH_KEY (ipath, "gitConfiguration");
      JsonNode *m[2] = { NULL, };
      JsonObject *object = _pw_validate_expect_mapping (v, el, item, ipath, N_("a trigger"),
                                                        trigger_keys, 2, m);
      JsonNode *g[3] = { NULL, };
      JsonObject *git;
      const char *source;

      if (object == NULL)
        continue;

      if (m[0] == NULL)
        _pw_validate_report (v, "P01", ERR, el, item, FALSE, ipath,
                             _("trigger has no %s; set it to CodeStarSourceConnection"),
                             _pw_validate_key_name (v, "providerType"));
      else
        _pw_validate_check_enum (v, el, m[0], PATH_KEY (ipath, "providerType"),
                                 N_("trigger providerType"),
                                 (const char *const[]) { "CodeStarSourceConnection", NULL }, "P17");

      if (m[1] == NULL)
        {
          _pw_validate_report (v, "P01", ERR, el, item, FALSE, ipath,
                               _("trigger has no %s; give at least sourceActionName"),
                               _pw_validate_key_name (v, "gitConfiguration"));
          continue;
        }

      if ((git = _pw_validate_expect_mapping (v, el, m[1], gpath, "gitConfiguration", git_keys, 3,
                                              g)) == NULL)
        continue;

      if (g[0] == NULL)
        _pw_validate_report (v, "P01", ERR, el, m[1], FALSE, gpath,
                             _("gitConfiguration has no %s; name the source action this trigger "
                               "starts from"),
                             _pw_validate_key_name (v, "sourceActionName"));
      else if ((source = check_string (v, el, g[0], PATH_KEY (gpath, "sourceActionName"),
                                       N_("sourceActionName"), 1, 100, CHARS_NAME, TRUE,
                                       "P27")) != NULL)
        {
          const Path *spath = PATH_KEY (gpath, "sourceActionName");
          const ActionInfo *action = NULL;
          gpointer first;

          for (guint j = 0; j < v->sources->len; j++)
            {
              const ActionInfo *candidate = g_ptr_array_index (v->sources, j);

              if (g_strcmp0 (candidate->name, source) == 0)
                {
                  action = candidate;
                  break;
                }
            }

          if (action == NULL)
            {
              Suggest s = { source, NULL, 0 };
              g_autofree char *hint = NULL;

              for (guint j = 0; j < v->sources->len; j++)
                _pw_validate_suggest_offer (&s,
                                            ((const ActionInfo *)g_ptr_array_index (v->sources,
                                                                                    j))->name);
              hint = _pw_validate_suggest_text (&s);

              _pw_validate_report (v, "P17", v->uncertain ? NOTE : ERR, el, g[0], FALSE, spath,
                                   _("sourceActionName '%s' does not name a source action of the "
                                     "pipeline%s"), source, hint);
            }
          else if (g_strcmp0 (action->provider, "CodeStarSourceConnection") != 0)
            _pw_validate_report (v, "P17", ERR, el, g[0], FALSE, spath,
                                 _("trigger source '%s' is a %s action; triggers only work with "
                                   "CodeStarSourceConnection source actions"),
                                 source, action->provider != NULL ? action->provider : "?");

          if (g_hash_table_lookup_extended (used, source, NULL, &first))
            _pw_validate_report (v, "P17", ERR, el, g[0], FALSE, spath,
                                 _("triggers[%u] already triggers on '%s'; a source action has at "
                                   "most one trigger (put several filters in one trigger instead)"),
                                 GPOINTER_TO_UINT (first), source);
          else
            g_hash_table_insert (used, (gpointer)source, GUINT_TO_POINTER (i));
        }

      if (g[1] != NULL)
        check_filters (v, el, g[1], PATH_KEY (gpath, "push"), TRUE);
      if (g[2] != NULL)
        check_filters (v, el, g[2], PATH_KEY (gpath, "pullRequest"), FALSE);
    }
}

/* CloudFormation: DisableInboundStageTransitions */

static gboolean
reason_char_ok (gunichar c)
{
  return c < 0x80 && char_ok (CHARS_REASON, (guchar)c);
}

void
_pw_validate_transitions (Validator *v)
{
  PwElement *el = v->pel;
  JsonNode *node = v->pm[P_DISABLE_TRANSITIONS];
  const Path *path = PATH_KEY (NULL, "disableInboundStageTransitions");
  JsonArray *array;

  if (node == NULL ||
      (array = _pw_validate_expect_array (v, el, node, path,
                                          "DisableInboundStageTransitions")) == NULL)
    return;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      const Path *ipath = PATH_INDEX (path, i);
      JsonNode *m[2] = { NULL, };
      JsonObject *object = _pw_validate_expect_mapping (v, el, item, ipath,
                                                        N_("a stage transition"), transition_keys,
                                                        2, m);
      const char *stage, *reason;

      if (object == NULL)
        continue;

      if (m[0] == NULL)
        _pw_validate_report (v, "P40", ERR, el, item, FALSE, ipath,
                             _("the transition has no StageName; name the stage whose inbound "
                               "transition is disabled"));
      else if ((stage = get_string (v, el, m[0], PATH_KEY (ipath, "stageName"), "StageName",
                                    "P26")) != NULL)
        {
          guint32 found = strmap_lookup (&v->stage_names, stage);

          if (found == 0)
            {
              Suggest s = { stage, NULL, 0 };
              g_autofree char *hint = NULL;

              for (guint j = 0; j < v->n_stages; j++)
                _pw_validate_suggest_offer (&s, literal_string (v->stages[j].m[S_NAME]));
              hint = _pw_validate_suggest_text (&s);

              _pw_validate_report (v, "P40", v->uncertain ? NOTE : ERR, el, m[0], FALSE,
                                   PATH_KEY (ipath, "stageName"),
                                   _("StageName '%s' does not name a stage of the pipeline%s"),
                                   stage, hint);
            }
          else if (found == 1)
            _pw_validate_report (v, "P40", ERR, el, m[0], FALSE, PATH_KEY (ipath, "stageName"),
                                 _("'%s' is the first stage, which has no inbound transition to "
                                   "disable"), stage);
        }

      if (m[1] == NULL)
        _pw_validate_report (v, "P40", ERR, el, item, FALSE, ipath,
                             _("the transition has no Reason; give 1 to 300 characters"));
      else if ((reason = get_string (v, el, m[1], PATH_KEY (ipath, "reason"), "Reason",
                                     "P26")) != NULL)
        {
          glong len = g_utf8_strlen (reason, -1);
          const char *p;

          if (len < 1 || len > 300)
            _pw_validate_report (v, "P40", ERR, el, m[1], FALSE, PATH_KEY (ipath, "reason"),
                                 _("Reason has %ld characters; give 1 to 300"), len);
          for (p = reason; *p != '\0'; p = g_utf8_next_char (p))
            if (!reason_char_ok (g_utf8_get_char (p)))
              {
                char buf[8] = { 0 };

                g_unichar_to_utf8 (g_utf8_get_char (p), buf);
                _pw_validate_report (v, "P40", ERR, el, m[1], FALSE, PATH_KEY (ipath, "reason"),
                                     _("Reason contains '%s', which is not allowed; use only %s"),
                                     buf, _pw_validate_chars_description (CHARS_REASON));
                break;
              }
        }
    }
}
