/* pw-validator.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-validator"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pw-validator-private.h"

/* The validator runs on every edit in the app, so the clean path allocates
 * almost nothing: paths and messages are built only when a finding is
 * reported, hash tables borrow the strings of the model, and value patterns
 * are matched by hand instead of with GRegex. The checks follow
 * reference/codepipeline-model.md, reference/action-providers.md and the
 * botocore model (data/codepipeline-service-2.json). */

static const PwRuleInfo rules[] = {
  { "P01", "required-member-missing", PW_SEVERITY_ERROR,
    "A member the API requires is missing or empty." },
  { "P02", "artifact-store", PW_SEVERITY_ERROR,
    "The pipeline has exactly one of artifactStore and artifactStores, and artifactStores "
    "covers every action region." },
  { "P03", "stage-count", PW_SEVERITY_ERROR,
    "A pipeline has from 2 to 50 stages." },
  { "P04", "duplicate-name", PW_SEVERITY_ERROR,
    "Stage names are unique in the pipeline and action names are unique in their stage." },
  { "P05", "action-count", PW_SEVERITY_ERROR,
    "A stage has from 1 to 50 actions, and at most 50 of them share a runOrder." },
  { "P06", "first-stage-not-source", PW_SEVERITY_ERROR,
    "The first stage holds Source actions only." },
  { "P07", "source-outside-first-stage", PW_SEVERITY_ERROR,
    "Source actions appear in the first stage only." },
  { "P08", "duplicate-output-artifact", PW_SEVERITY_ERROR,
    "Output artifact names are unique across the pipeline." },
  { "P09", "input-artifact-not-produced", PW_SEVERITY_ERROR,
    "Every input artifact is the output of an action that runs earlier." },
  { "P10", "artifact-count", PW_SEVERITY_ERROR,
    "An action has as many input and output artifacts as its provider allows." },
  { "P11", "required-configuration", PW_SEVERITY_ERROR,
    "The configuration keys the provider requires are present and consistent." },
  { "P12", "run-order", PW_SEVERITY_ERROR,
    "runOrder is an integer from 1 to 999." },
  { "P13", "region-not-allowed", PW_SEVERITY_ERROR,
    "Source actions and ThirdParty or Custom actions do not set a region." },
  { "P14", "namespace", PW_SEVERITY_ERROR,
    "A namespace is well-formed, unique, not reserved and not the name of an artifact." },
  { "P15", "variable-reference", PW_SEVERITY_ERROR,
    "Every #{Namespace.Key} reference names a variable that exists when the action runs." },
  { "P16", "configuration-size", PW_SEVERITY_ERROR,
    "Configuration keys have 1 to 50 characters and values 1 to 1000." },
  { "P17", "trigger", PW_SEVERITY_ERROR,
    "Triggers name a connection source action and have well-formed filters." },
  { "P18", "needs-v2", PW_SEVERITY_ERROR,
    "V2-only features are used only in pipelines of type V2." },
  { "P19", "rollback-not-allowed", PW_SEVERITY_ERROR,
    "Stage rollback is not used in PARALLEL mode or on the first stage." },
  { "P20", "configuration-not-string", PW_SEVERITY_ERROR,
    "Every configuration value is a string." },
  { "P21", "version-not-string", PW_SEVERITY_ERROR,
    "actionTypeId.version is a string." },
  { "P22", "timeout", PW_SEVERITY_ERROR,
    "timeoutInMinutes is set on manual approvals only, from 5 to 86400." },
  { "P23", "source-artifacts", PW_SEVERITY_ERROR,
    "A Source action has no input artifact and exactly one output artifact." },
  { "P24", "action-quota", PW_SEVERITY_WARNING,
    "A pipeline has at most 500 actions (service quota)." },
  { "P25", "unknown-key", PW_SEVERITY_ERROR,
    "Every key is one the API (or CloudFormation) knows." },
  { "P26", "wrong-type", PW_SEVERITY_ERROR,
    "Every member has the type the API expects." },
  { "P27", "invalid-value", PW_SEVERITY_ERROR,
    "Values keep to their length, pattern and allowed values." },
  { "P28", "unknown-provider", PW_SEVERITY_WARNING,
    "The action type is a known provider used in its own category." },
  { "P29", "unknown-configuration-key", PW_SEVERITY_WARNING,
    "Configuration keys are ones the provider knows." },
  { "P30", "polling-source", PW_SEVERITY_WARNING,
    "Sources that poll by default set PollForSourceChanges explicitly." },
  { "P31", "unused-artifact", PW_SEVERITY_WARNING,
    "Every output artifact is consumed by a later action." },
  { "P32", "pipeline-variables", PW_SEVERITY_ERROR,
    "A pipeline has at most 50 variables, with unique names." },
  { "P33", "tags", PW_SEVERITY_ERROR,
    "A pipeline has at most 50 tags, with unique keys." },
  { "P34", "stage-conditions", PW_SEVERITY_ERROR,
    "Stage conditions have the shape, rules and results the API allows." },
  { "P35", "cloudformation-intrinsic", PW_SEVERITY_ERROR,
    "A CloudFormation intrinsic stands where a literal value is expected." },
  { "P36", "commands-action", PW_SEVERITY_ERROR,
    "commands, outputVariables, environmentVariables and output files belong to a Commands "
    "action and stay within their limits." },
  { "P37", "trailing-approval", PW_SEVERITY_WARNING,
    "A manual approval is not the last action of the pipeline." },
  { "P38", "role-on-non-aws-action", PW_SEVERITY_WARNING,
    "Only AWS-owned actions take a roleArn." },
  { "P39", "codebuild-environment-variables", PW_SEVERITY_ERROR,
    "CodeBuild's EnvironmentVariables is a JSON array of {name, value, type}." },
  { "P40", "disabled-transition", PW_SEVERITY_ERROR,
    "DisableInboundStageTransitions names a later stage and gives a valid reason." },
  { "P41", "deprecated-provider", PW_SEVERITY_WARNING,
    "Source actions use the providers AWS recommends (not GitHub version 1)." },
  { "P42", "intrinsic-form", PW_SEVERITY_ERROR,
    "CloudFormation intrinsics are functions that exist, with the arguments they take, and "
    "name what the template defines." },
  /* What a local run reads beside the pipeline (the engine checks these;
   * validate reports them with the rest). */
  { "L01", "buildspec-error", PW_SEVERITY_ERROR,
    "The buildspec a CodeBuild action reads is valid." },
  { "L02", "buildspec-warning", PW_SEVERITY_WARNING,
    "The buildspec has nothing CodeBuild would ignore or refuse later." },
  { "L03", "buildspec-missing", PW_SEVERITY_ERROR,
    "The buildspec a CodeBuild action reads exists." },
  { "L04", "buildspec-source", PW_SEVERITY_NOTE,
    "Each CodeBuild project reads the buildspec meant for it (which file, and why)." },
  { "L05", "exported-secret", PW_SEVERITY_WARNING,
    "A buildspec does not export a secret in clear text." },
  { "L06", "appspec-error", PW_SEVERITY_ERROR,
    "The appspec of a CodeDeploy revision is valid." },
  { "L07", "local-profile", PW_SEVERITY_ERROR,
    "pipewright.local.yml is valid." },
};

static const char *const pipeline_keys[] = {
  "name", "roleArn", "artifactStore", "artifactStores", "stages", "version", "executionMode",
  "pipelineType", "variables", "triggers", "disableInboundStageTransitions",
  "restartExecutionOnUpdate", "tags", NULL
};

static const char *const execution_modes[] = { "QUEUED", "SUPERSEDED", "PARALLEL", NULL };
static const char *const pipeline_types[] = { "V1", "V2", NULL };

/* The pipeline */

static void
validate_pipeline (Validator *v)
{
  PwElement *el = v->pel;
  JsonObject *object = pw_element_get_object (el);
  const Path *stages_path = PATH_KEY (NULL, "stages");
  guint first = 0;
  guint total;

  collect (v, el, pw_element_get_raw (el), object, NULL, pipeline_keys, v->cfn ? N_P : N_P_API,
           v->pm);

  if (v->pm[P_PIPELINE_TYPE] != NULL)
    _pw_validate_check_enum (v, el, v->pm[P_PIPELINE_TYPE], PATH_KEY (NULL, "pipelineType"),
                             N_("pipelineType"), pipeline_types, "P27");

  if (v->pm[P_EXECUTION_MODE] != NULL)
    {
      const char *mode = _pw_validate_check_enum (v, el, v->pm[P_EXECUTION_MODE],
                                                  PATH_KEY (NULL, "executionMode"),
                                                  N_("executionMode"), execution_modes, "P27");

      if (mode != NULL && strcmp (mode, "SUPERSEDED") != 0)
        {
          g_autofree char *what = g_strdup_printf (_("executionMode %s"), mode);

          _pw_validate_need_v2 (v, el, v->pm[P_EXECUTION_MODE], FALSE,
                                PATH_KEY (NULL, "executionMode"), what);
        }
    }

  if (v->pm[P_NAME] == NULL)
    {
      if (!v->cfn)
        _pw_validate_report (v, "P01", ERR, el, NULL, FALSE, NULL,
                             _("the pipeline has no name; add name: with 1 to 100 letters, digits "
                               "or . @ - _"));
    }
  else
    check_string (v, el, v->pm[P_NAME], PATH_KEY (NULL, "name"), N_("pipeline name"), 1, 100,
                  CHARS_NAME, TRUE, "P27");

  if (v->pm[P_ROLE_ARN] == NULL)
    _pw_validate_report (v, "P01", ERR, el, NULL, FALSE, NULL,
                         _("the pipeline has no %s; give the ARN of the IAM role CodePipeline "
                           "assumes"), _pw_validate_key_name (v, "roleArn"));
  else
    _pw_validate_check_role_arn (v, el, v->pm[P_ROLE_ARN], PATH_KEY (NULL, "roleArn"), "roleArn",
                                 TRUE);

  _pw_validate_stores (v);

  if (v->pm[P_VERSION] != NULL && !v->cfn)
    {
      gint64 version;

      if (_pw_validate_get_int (v, el, v->pm[P_VERSION], PATH_KEY (NULL, "version"), "version",
                                &version) && version < 1)
        _pw_validate_report (v, "P27", ERR, el, v->pm[P_VERSION], FALSE, PATH_KEY (NULL, "version"),
                             _("version is %" G_GINT64_FORMAT "; it starts at 1"), version);
    }

  if (v->pm[P_RESTART] != NULL)
    _pw_validate_check_boolean (v, el, v->pm[P_RESTART],
                                PATH_KEY (NULL, "restartExecutionOnUpdate"),
                                "RestartExecutionOnUpdate");

  _pw_validate_variables (v);

  /* Stages and their actions */
  if (v->pm[P_STAGES] == NULL)
    _pw_validate_report (v, "P01", ERR, el, NULL, FALSE, NULL,
                         _("the pipeline has no %s; give 2 to 50 stages, the first of them with "
                           "the source actions"),
                         _pw_validate_key_name (v, "stages"));
  else if (_pw_validate_expect_array (v, el, v->pm[P_STAGES], stages_path, "stages") == NULL)
    v->uncertain = TRUE;
  else if (v->n_stages < 2)
    _pw_validate_report (v, "P03", ERR, el, v->pm[P_STAGES], FALSE, stages_path,
                         _("the pipeline has %u stage(s); a pipeline needs at least 2 (a source "
                           "stage and one more)"),
                         v->n_stages);
  else if (v->n_stages > 50)
    _pw_validate_report (v, "P03", WARN, el, v->pm[P_STAGES], FALSE, stages_path,
                         _("the pipeline has %u stages; CodePipeline's quota is 50 stages in a "
                           "pipeline, a quota that can be raised for the account (AWS refuses the "
                           "pipeline until it is)"),
                         v->n_stages);

  for (guint i = 0; i < v->n_stages; i++)
    {
      StageInfo *st = &v->stages[i];

      st->first_action = first;
      first += st->n_actions;
      for (guint j = 0; j < st->n_actions; j++)
        {
          ActionInfo *a = &v->actions[st->first_action + j];

          /* A plain cast: the checked one costs a type lookup per action. */
          a->element = (PwElement *)pw_stage_get_action (st->stage, j);
          a->stage = i;
          a->index = j;
          a->cat = CAT_UNKNOWN;
        }
    }

  for (guint i = 0; i < v->n_stages; i++)
    _pw_validate_stage (v, i, PATH_INDEX (stages_path, i));

  total = v->n_actions;
  if (total > 500)
    _pw_validate_report (v, "P24", WARN, el, v->pm[P_STAGES], FALSE, stages_path,
                         _("the pipeline has %u actions, more than CodePipeline's quota of 500 "
                           "actions in a pipeline, a quota that can be raised for the account (AWS "
                           "refuses the pipeline until it is) — or split it into several "
                           "pipelines"),
                         total);

  _pw_validate_triggers (v);
  if (v->cfn)
    _pw_validate_transitions (v);

  /* Second pass: artifacts and variables across actions */
  for (guint i = 0; i < v->n_stages; i++)
    {
      StageInfo *st = &v->stages[i];
      const Path *spath = PATH_INDEX (stages_path, i);

      if (st->opaque)
        continue;

      for (guint j = 0; j < st->n_actions; j++)
        _pw_validate_action_late (v, &v->actions[st->first_action + j],
                                  PATH_INDEX (PATH_KEY (spath, "actions"), j));

      _pw_validate_stage_conditions (v, st, i, spath);
    }

  _pw_validate_unused_outputs (v, stages_path);
  _pw_validate_trailing_approval (v, stages_path);
}

static int
compare_diagnostics (gconstpointer a,
                     gconstpointer b)
{
  return pw_diagnostic_compare (*(PwDiagnostic **)a, *(PwDiagnostic **)b);
}

/**
 * pw_rules_get_all:
 * @n_rules: (out) (optional): the number of rules
 *
 * Returns: (transfer none) (array length=n_rules): every rule, in code order
 */
const PwRuleInfo *
pw_rules_get_all (guint *n_rules)
{
  if (n_rules != NULL)
    *n_rules = G_N_ELEMENTS (rules);

  return rules;
}

/**
 * pw_rules_lookup:
 * @code: a rule code, e.g. `P09`
 *
 * Returns: (transfer none) (nullable): the rule, or %NULL when unknown
 */
const PwRuleInfo *
pw_rules_lookup (const char *code)
{
  guint n;

  g_return_val_if_fail (code != NULL, NULL);

  /* Codes are P01…P41 in order, then the local checks: index P codes
   * directly, check to be safe. */
  if (code[0] == 'P' && g_ascii_isdigit (code[1]) && g_ascii_isdigit (code[2]) && code[3] == '\0')
    {
      n = (code[1] - '0') * 10 + (code[2] - '0');
      if (n >= 1 && n <= G_N_ELEMENTS (rules) && strcmp (rules[n - 1].code, code) == 0)
        return &rules[n - 1];
    }

  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    if (strcmp (rules[i].code, code) == 0)
      return &rules[i];

  return NULL;
}

/* One pass of every rule over @pipeline. */
static GPtrArray *
validate_one (PwPipeline *pipeline)
{
  Validator v = { 0, };
  GPtrArray *out;

  g_return_val_if_fail (PW_IS_PIPELINE (pipeline), NULL);

  _pw_validate_init_char_classes ();
  out = g_ptr_array_new_with_free_func (g_object_unref);

  v.pipeline = pipeline;
  v.pel = PW_ELEMENT (pipeline);
  v.out = out;
  v.cfn = pw_pipeline_get_origin (pipeline) == PW_PIPELINE_ORIGIN_CFN;
  v.v2 = pw_pipeline_is_v2 (pipeline);
  v.parallel = g_strcmp0 (pw_element_get_string (v.pel, "executionMode"), "PARALLEL") == 0;

  _pw_validate_document (&v);

  if (pw_element_get_object (v.pel) == NULL)
    {
      if (is_intrinsic (pw_element_get_raw (v.pel)))
        _pw_validate_report_intrinsic (&v, v.pel, pw_element_get_raw (v.pel), NULL);
      else
        _pw_validate_report (&v, "P26", ERR, v.pel, pw_element_get_raw (v.pel), FALSE, NULL,
                             _("the pipeline declaration must be a mapping, but it is %s"),
                             _pw_json_type_name (pw_element_get_raw (v.pel)));
      g_ptr_array_sort (out, compare_diagnostics);
      return out;
    }

  v.n_stages = pw_pipeline_get_n_stages (pipeline);
  v.stages = g_new0 (StageInfo, MAX (v.n_stages, 1));
  for (guint i = 0; i < v.n_stages; i++)
    {
      v.stages[i].stage = pw_pipeline_get_stage (pipeline, i);
      v.stages[i].n_actions = pw_stage_get_n_actions (v.stages[i].stage);
      v.n_actions += v.stages[i].n_actions;
    }
  v.actions = g_new0 (ActionInfo, MAX (v.n_actions, 1));
  v.outputs = g_array_sized_new (FALSE, FALSE, sizeof (Output), v.n_actions);
  _pw_strmap_init (&v.output_names, v.n_actions);
  _pw_strmap_init (&v.action_names, v.n_actions);
  _pw_strmap_init (&v.stage_names, v.n_stages);
  v.sources = g_ptr_array_new ();

  validate_pipeline (&v);

  g_ptr_array_sort (out, compare_diagnostics);

  g_clear_pointer (&v.store_regions, g_hash_table_unref);
  g_clear_pointer (&v.variables, g_hash_table_unref);
  _pw_strmap_clear (&v.namespaces);
  _pw_strmap_clear (&v.output_names);
  _pw_strmap_clear (&v.action_names);
  _pw_strmap_clear (&v.stage_names);
  g_ptr_array_unref (v.sources);
  g_array_unref (v.outputs);
  for (guint i = 0; i < v.n_actions; i++)
    g_free (v.actions[i].label);
  for (guint i = 0; i < v.n_stages; i++)
    g_free (v.stages[i].label);
  g_free (v.actions);
  g_free (v.stages);

  return out;
}

/* Fn::If actions --------------------------------------------------------- */

static gboolean
is_no_value_node (JsonNode *node)
{
  JsonNode *ref;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
         (ref = json_object_get_member (json_node_get_object (node), "Ref")) != NULL &&
         is_string_node (ref) && g_str_equal (json_node_get_string (ref), "AWS::NoValue");
}

/* Stage @s of the pipeline's resource in its template, as written. */
static JsonObject *
template_stage (PwPipeline *pipeline,
                guint       s)
{
  JsonNode *root = pw_pipeline_get_cfn_template (pipeline);
  const char *id = pw_pipeline_get_cfn_logical_id (pipeline);
  JsonNode *node;
  JsonArray *stages;

  if (root == NULL || id == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (node = json_object_get_member (json_node_get_object (root), "Resources")) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (node) ||
      (node = json_object_get_member (json_node_get_object (node), id)) == NULL || !JSON_NODE_HOLDS_OBJECT (node) ||
      (node = json_object_get_member (json_node_get_object (node), "Properties")) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (node) ||
      (node = json_object_get_member (json_node_get_object (node), "Stages")) == NULL || !JSON_NODE_HOLDS_ARRAY (node) ||
      s >= json_array_get_length (stages = json_node_get_array (node)) ||
      !JSON_NODE_HOLDS_OBJECT (node = json_array_get_element (stages, s)))
    return NULL;
  return json_node_get_object (node);
}

/* The findings of @pipeline with its action @a of stage @s (an Fn::If)
 * replaced by @branch, for that action only, said as the branch's. */
static void
validate_branch (PwPipeline *pipeline,
                 guint       s,
                 guint       a,
                 JsonNode   *branch,
                 const char *condition,
                 gboolean    which,
                 int         truth,
                 GPtrArray  *out)
{
  JsonNode *root = pw_pipeline_get_cfn_template (pipeline);
  JsonObject *stage_object = template_stage (pipeline, s);
  JsonNode *actions = stage_object != NULL ? json_object_get_member (stage_object, "Actions") : NULL;
  g_autoptr(JsonNode) saved = NULL;
  g_autoptr(PwPipeline) variant = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *prefix = g_strdup_printf ("stages[%u].actions[%u]", s, a);
  JsonArray *copy;

  if (actions == NULL || !JSON_NODE_HOLDS_ARRAY (actions) ||
      a >= json_array_get_length (json_node_get_array (actions)))
    return;

  /* The stage's actions with the branch in the Fn::If's place, sharing
   * the template's nodes (so positions point into the file), for as long
   * as the variant is checked. */
  saved = json_node_ref (actions);
  copy = json_array_new ();
  for (guint i = 0; i < json_array_get_length (json_node_get_array (actions)); i++)
    json_array_add_element (copy, json_node_ref (i == a ? branch : json_array_get_element (json_node_get_array (actions), i)));
  json_object_set_array_member (stage_object, "Actions", copy);

  variant = _pw_cfn_pipeline_new_located (root, pw_pipeline_get_cfn_logical_id (pipeline),
                                          pw_element_get_source_map (PW_ELEMENT (pipeline)), NULL);
  if (variant != NULL)
    found = validate_one (variant);

  json_object_set_member (stage_object, "Actions", g_steal_pointer (&saved));

  for (guint i = 0; found != NULL && i < found->len; i++)
    {
      PwDiagnostic *d = g_ptr_array_index (found, i);
      const char *path = pw_diagnostic_get_path (d);
      g_autofree char *message = NULL;
      PwDiagnostic *said;

      if (!g_str_has_prefix (path, prefix) || (path[strlen (prefix)] != '\0' && path[strlen (prefix)] != '.'))
        continue;
      if (truth >= 0)
        message = g_strdup_printf (_("in the %s branch of Fn::If %s, which the template's parameters "
                                     "choose: %s"), which ? "true" : "false", condition,
                                   pw_diagnostic_get_message (d));
      else
        message = g_strdup_printf (_("in the %s branch of Fn::If %s (when %s is %s): %s"),
                                   which ? "true" : "false", condition, condition,
                                   which ? "true" : "false", pw_diagnostic_get_message (d));
      said = pw_diagnostic_new (pw_diagnostic_get_code (d), pw_diagnostic_get_severity (d), path, message);
      if (pw_diagnostic_get_file (d) != NULL)
        pw_diagnostic_set_location (said, pw_diagnostic_get_file (d), pw_diagnostic_get_line (d),
                                    pw_diagnostic_get_column (d));
      g_ptr_array_add (out, said);
    }
}

/* Each action that is an Fn::If is checked as the action each of its
 * branches would be (only the one the parameters choose, when they
 * decide), and a stage that a condition can leave without actions is a
 * finding. */
static void
validate_conditional_actions (PwPipeline *pipeline,
                              GPtrArray  *out)
{
  if (pw_pipeline_get_origin (pipeline) != PW_PIPELINE_ORIGIN_CFN ||
      pw_pipeline_get_cfn_template (pipeline) == NULL || pw_pipeline_get_cfn_logical_id (pipeline) == NULL)
    return;

  for (guint s = 0; s < pw_pipeline_get_n_stages (pipeline); s++)
    {
      PwStage *stage = pw_pipeline_get_stage (pipeline, s);
      JsonObject *written = template_stage (pipeline, s);
      JsonNode *list = written != NULL ? json_object_get_member (written, "Actions") : NULL;
      guint n = list != NULL && JSON_NODE_HOLDS_ARRAY (list) ? json_array_get_length (json_node_get_array (list)) : 0;
      gboolean always_empty = n > 0, maybe_empty = n > 0;
      const char *last_condition = NULL;

      for (guint a = 0; a < n; a++)
        {
          JsonNode *raw = json_array_get_element (json_node_get_array (list), a);
          JsonNode *arg = raw != NULL && JSON_NODE_HOLDS_OBJECT (raw) && json_object_get_size (json_node_get_object (raw)) == 1
            ? json_object_get_member (json_node_get_object (raw), "Fn::If") : NULL;
          JsonArray *args = arg != NULL && JSON_NODE_HOLDS_ARRAY (arg) ? json_node_get_array (arg) : NULL;
          const char *condition;
          int truth;

          if (args == NULL || json_array_get_length (args) != 3 || !is_string_node (json_array_get_element (args, 0)))
            {
              always_empty = maybe_empty = FALSE;
              continue;
            }
          condition = last_condition = json_array_get_string_element (args, 0);
          truth = _pw_cfn_condition_truth (pipeline, condition);
          for (guint b = 1; b <= 2; b++)
            {
              JsonNode *branch = json_array_get_element (args, b);

              if (truth >= 0 && truth != (b == 1))
                continue;
              if (is_no_value_node (branch) || !JSON_NODE_HOLDS_OBJECT (branch))
                continue;
              validate_branch (pipeline, s, a, branch, condition, b == 1, truth, out);
            }
          {
            gboolean no_true = is_no_value_node (json_array_get_element (args, 1));
            gboolean no_false = is_no_value_node (json_array_get_element (args, 2));

            if (!(truth == 1 ? no_true : truth == 0 ? no_false : FALSE))
              always_empty = FALSE;
            if (!(truth == 1 ? no_true : truth == 0 ? no_false : (no_true || no_false)))
              maybe_empty = FALSE;
          }
        }

      if (always_empty || maybe_empty)
        {
          g_autofree char *path = g_strdup_printf ("stages[%u].actions", s);
          g_autofree char *message = NULL;
          PwDiagnostic *d;
          guint line = 0, column = 0;
          JsonNode *actions = list;

          message = always_empty
            ? g_strdup_printf (_("stage '%s' has no actions with the template's parameters: each is an "
                                 "Fn::If whose chosen branch is AWS::NoValue (CloudFormation refuses a "
                                 "stage without actions)"), pw_stage_get_name (stage))
            : g_strdup_printf (_("stage '%s' can be left without actions: each is an Fn::If with an "
                                 "AWS::NoValue branch (condition %s and the others); CloudFormation "
                                 "refuses the stack when they all yield AWS::NoValue"),
                               pw_stage_get_name (stage) != NULL ? pw_stage_get_name (stage) : "?",
                               last_condition);
          d = pw_diagnostic_new ("P05", always_empty ? PW_SEVERITY_ERROR : PW_SEVERITY_WARNING, path, message);
          if (actions != NULL && pw_element_get_source_map (PW_ELEMENT (pipeline)) != NULL &&
              pw_source_map_lookup (pw_element_get_source_map (PW_ELEMENT (pipeline)), actions, &line, &column))
            pw_diagnostic_set_location (d, pw_source_map_get_filename (pw_element_get_source_map (PW_ELEMENT (pipeline))),
                                        line, column);
          g_ptr_array_add (out, d);
        }
    }
}

/**
 * pw_pipeline_validate:
 * @pipeline: a pipeline
 *
 * Checks the pipeline against every rule of the rule table and reports
 * all findings at once, sorted by position (pw_diagnostic_compare()).
 * In a CloudFormation template, an action that is an Fn::If is checked as
 * each of its branches would be.
 *
 * Returns: (transfer full) (element-type PwDiagnostic): the findings; an
 *   empty array when there is nothing to say
 */
GPtrArray *
pw_pipeline_validate (PwPipeline *pipeline)
{
  GPtrArray *out;

  g_return_val_if_fail (PW_IS_PIPELINE (pipeline), NULL);

  out = validate_one (pipeline);
  validate_conditional_actions (pipeline, out);
  g_ptr_array_sort (out, compare_diagnostics);
  return out;
}
