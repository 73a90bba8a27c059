/* pw-validate-providers.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Providers: action types (P28, P41), provider configuration (P11, P16, P20,
 * P29, P30, P39), Commands actions (P36) and regions (P13). */

#define G_LOG_DOMAIN "pw-validator"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pw-validator-private.h"

const char *const _pw_validate_type_id_keys[] = {
  "category", "owner", "provider", "version", NULL
};

static const char *const categories[] = {
  "Source", "Build", "Deploy", "Test", "Invoke", "Approval", "Compute", NULL
};

static const char *const owners[] = { "AWS", "ThirdParty", "Custom", NULL };

static const char *const env_keys[] = { "name", "value", "type", NULL };

static const char *const env_types[] = { "PLAINTEXT", "SECRETS_MANAGER", NULL };
static const char *const codebuild_env_types[] = {
  "PLAINTEXT", "PARAMETER_STORE", "SECRETS_MANAGER", NULL
};

static const char *const cfn_action_modes[] = {
  "CREATE_UPDATE", "REPLACE_ON_FAILURE", "DELETE_ONLY", "CHANGE_SET_REPLACE",
  "CHANGE_SET_EXECUTE", NULL
};
static const char *const cfn_capabilities[] = {
  "CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND", NULL
};
static const char *const true_false[] = { "true", "false", NULL };
static const char *const artifact_formats[] = { "CODE_ZIP", "CODEBUILD_CLONE_REF", NULL };

/* Action types */

/* The providers other than sources with rules of their own. */
static const struct
{
  const char *provider;
  Kind        kind;
} kinds[] = {
  { "CloudFormation", KIND_CLOUDFORMATION },
  { "CloudFormationStackSet", KIND_STACK_SET },
  { "CodeBuild", KIND_CODEBUILD },
  { "S3", KIND_S3_DEPLOY },
  { "StepFunctions", KIND_STEP_FUNCTIONS },
  { "ServiceCatalog", KIND_SERVICE_CATALOG },
  { "CodeDeployToECS", KIND_ECS_BLUE_GREEN },
  { "Commands", KIND_COMMANDS },
  { "Manual", KIND_MANUAL },
};

static Kind
kind_of (const PwProviderInfo *info)
{
  const char *p = info->provider;

  if (strcmp (info->category, "Source") == 0)
    return strcmp (p, "CodeCommit") == 0 || strcmp (p, "S3") == 0 || strcmp (p, "GitHub") == 0
             ? KIND_POLLING_SOURCE : KIND_SOURCE;

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (strcmp (p, kinds[i].provider) == 0)
      return kinds[i].kind;

  return KIND_OTHER;
}

static gint
category_id (const char *category)
{
  if (category == NULL)
    return CAT_UNKNOWN;

  for (guint i = 0; categories[i] != NULL; i++)
    if (str_eq (categories[i], category))
      return i;

  return CAT_UNKNOWN;
}

void
_pw_validate_type_id (Validator  *v,
                      ActionInfo *a,
                      const Path *apath)
{
  PwElement *el = a->element;
  JsonNode *node = a->m[A_TYPE_ID];
  const Path *tpath = PATH_KEY (apath, "actionTypeId");
  JsonObject *object;
  JsonNode *t[N_T] = { NULL, };
  const char *version = NULL;

  if (node == NULL)
    {
      _pw_validate_report (v, "P01", ERR, el, NULL, FALSE, apath,
                           _("action '%s' has no %s; give its category, owner, provider and "
                             "version"),
                           _pw_validate_action_label (a),
                           _pw_validate_key_name (v, "actionTypeId"));
      v->uncertain = TRUE;
      return;
    }

  if ((object = _pw_validate_expect_mapping (v, el, node, tpath, N_("actionTypeId"),
                                             _pw_validate_type_id_keys, N_T, t)) == NULL)
    return;

  for (guint i = 0; i < N_T; i++)
    if (t[i] == NULL)
      _pw_validate_report (v, "P01", ERR, el, node, FALSE, tpath,
                           _("actionTypeId has no %s"),
                           _pw_validate_key_name (v, _pw_validate_type_id_keys[i]));

  a->category = _pw_validate_check_enum (v, el, t[T_CATEGORY], PATH_KEY (tpath, "category"),
                                         N_("category"), categories, "P27");
  a->owner = _pw_validate_check_enum (v, el, t[T_OWNER], PATH_KEY (tpath, "owner"), N_("owner"),
                                      owners, "P27");
  a->provider = check_string (v, el, t[T_PROVIDER], PATH_KEY (tpath, "provider"), N_("provider"),
                              1, 35, CHARS_PROVIDER, TRUE, "P27");

  if (t[T_VERSION] != NULL)
    {
      version = get_string (v, el, t[T_VERSION], PATH_KEY (tpath, "version"), N_("version"), "P21");
      if (version != NULL)
        _pw_validate_check_text (v, el, t[T_VERSION], PATH_KEY (tpath, "version"), N_("version"),
                                 version, 1, 9, CHARS_PROVIDER, TRUE, "P27");
    }

  a->cat = category_id (a->category);
  if (a->cat == CAT_COMPUTE)
    _pw_validate_need_v2 (v, el, t[T_CATEGORY], FALSE, PATH_KEY (tpath, "category"),
                          N_("a Compute (Commands) action"));

  if (a->category == NULL || a->owner == NULL || a->provider == NULL)
    {
      v->uncertain = TRUE;
      return;
    }

  /* Most pipelines use one or two providers over and over. */
  if (v->last_info != NULL &&
      str_eq (v->last_info->provider, a->provider) &&
      str_eq (v->last_info->category, a->category) &&
      str_eq (v->last_info->owner, a->owner))
    a->info = v->last_info;
  else if ((a->info = pw_providers_lookup (a->category, a->owner, a->provider)) != NULL)
    {
      v->last_info = a->info;
      v->last_kind = kind_of (a->info);
    }

  if (a->info != NULL)
    a->kind = v->last_kind;
  a->is_commands = a->kind == KIND_COMMANDS;

  if (a->info != NULL)
    {
      if (version != NULL && strcmp (version, a->info->version) != 0)
        _pw_validate_report (v, "P28", WARN, el, t[T_VERSION], FALSE, PATH_KEY (tpath, "version"),
                             _("%s has only version '%s'; version '%s' does not exist"),
                             a->provider, a->info->version, version);
      return;
    }

  if (strcmp (a->owner, "Custom") == 0)
    {
      _pw_validate_report (v, "P28", NOTE, el, t[T_PROVIDER], FALSE, PATH_KEY (tpath, "provider"),
                           _("'%s' is a custom action type; its artifact counts and configuration "
                             "keys cannot be checked"),
                           a->provider);
      return;
    }

  {
    guint n_all;
    const PwProviderInfo *all = pw_providers_get_all (&n_all);
    g_autoptr(GString) cats = g_string_new (NULL);
    const char *other_owner = NULL;
    Suggest s = { a->provider, NULL, 0 };

    for (guint i = 0; i < n_all; i++)
      {
        if (strcmp (all[i].provider, a->provider) == 0)
          {
            if (strcmp (all[i].owner, a->owner) == 0)
              {
                if (cats->len > 0)
                  g_string_append (cats, _(" or "));
                g_string_append (cats, all[i].category);
              }
            else
              other_owner = all[i].owner;
          }
        else if (strcmp (all[i].category, a->category) == 0 &&
                 strcmp (all[i].owner, a->owner) == 0)
          _pw_validate_suggest_offer (&s, all[i].provider);
      }

    if (cats->len > 0)
      _pw_validate_report (v, "P28", ERR, el, t[T_CATEGORY], FALSE, PATH_KEY (tpath, "category"),
                           _("%s is a %s provider, not %s; change the category or the provider"),
                           a->provider, cats->str, a->category);
    else if (other_owner != NULL)
      _pw_validate_report (v, "P28", ERR, el, t[T_OWNER], FALSE, PATH_KEY (tpath, "owner"),
                           _("%s actions are owned by %s, not %s"), a->provider, other_owner,
                           a->owner);
    else
      {
        g_autofree char *hint = _pw_validate_suggest_text (&s);

        /* AWS and ThirdParty action types are AWS's list: CreatePipeline
         * refuses one that is not on it. */
        if (strcmp (a->owner, "AWS") == 0 || strcmp (a->owner, "ThirdParty") == 0)
          _pw_validate_report (v, "P28", ERR, el, t[T_PROVIDER], FALSE,
                               PATH_KEY (tpath, "provider"),
                               _("unknown %s provider '%s' owned by %s%s; CreatePipeline refuses "
                                 "an action type that does not exist"),
                               a->category, a->provider, a->owner, hint);
        else
          _pw_validate_report (v, "P28", WARN, el, t[T_PROVIDER], FALSE,
                               PATH_KEY (tpath, "provider"),
                               _("unknown %s provider '%s' owned by %s%s; its artifact counts and "
                                 "configuration keys cannot be checked"),
                               a->category, a->provider, a->owner, hint);
        if (s.best != NULL)
          {
            /* Translators: a one-click fix: use the provider that was meant */
            g_autofree char *label = g_strdup_printf (_("Use '%s'"), s.best);
            _pw_validate_offer_set_string (v, PATH_KEY (tpath, "provider"), s.best, label);
          }
      }
  }
}

/* Configuration */

/* The configuration of an action of a known provider, by the provider's
 * key index (required keys 0–7, optional ones 8–31), so the provider
 * rules below never look a key up in the JSON object again. */
typedef struct
{
  const PwProviderInfo *info;
  JsonObject           *object;
  guint32               present;
  JsonNode             *slots[32];
} Config;

#define N_REQUIRED (G_N_ELEMENTS (((PwProviderInfo *)NULL)->required))

static const char *
provider_key (const PwProviderInfo *info,
              guint                 i)
{
  return i < N_REQUIRED ? info->required[i] : info->optional[i - N_REQUIRED];
}

static gint
provider_key_index (const PwProviderInfo *info,
                    const char           *key)
{
  for (guint i = 0; i < N_REQUIRED && info->required[i] != NULL; i++)
    if (info->required[i][0] == key[0] && strcmp (info->required[i], key) == 0)
      return i;

  for (guint i = 0; i < G_N_ELEMENTS (info->optional) && info->optional[i] != NULL; i++)
    if (info->optional[i][0] == key[0] && strcmp (info->optional[i], key) == 0)
      return N_REQUIRED + i;

  return -1;
}

static JsonNode *
cfg_node (const Config *cfg,
          const char   *key)
{
  guint32 bits = cfg->present;

  for (guint i = 0; bits != 0; i++, bits >>= 1)
    if ((bits & 1) != 0 && str_eq (provider_key (cfg->info, i), key))
      return cfg->slots[i];

  return NULL;
}

/* A literal value; one resolved at run time (#{…}) cannot be checked now. */
static const char *
cfg_literal (const Config *cfg,
             const char   *key)
{
  const char *s = literal_string (cfg_node (cfg, key));

  if (s != NULL && strstr (s, "#{") != NULL)
    return NULL;

  return s;
}

/* "Artifact::path/in/zip" (or just the name): the artifact must be one of
 * @a's inputs. */
static void
check_artifact_path (Validator    *v,
                     ActionInfo   *a,
                     const Config *cfg,
                     const Path   *cpath,
                     const char   *key,
                     gboolean      name_only)
{
  JsonNode *node = cfg_node (cfg, key);
  const char *value = cfg_literal (cfg, key);
  g_autofree char *artifact = NULL;
  const char *sep;
  JsonArray *inputs;
  guint n;

  if (value == NULL || value[0] == '\0')
    return;

  if (name_only)
    artifact = g_strdup (value);
  else if ((sep = strstr (value, "::")) == NULL)
    {
      _pw_validate_report (v, "P11", ERR, a->element, node, FALSE, PATH_KEY (cpath, key),
                           _("%s '%s' must start with the input artifact that holds the file: "
                             "ArtifactName::path/in/artifact"),
                           key, value);
      return;
    }
  else
    artifact = g_strndup (value, sep - value);

  inputs = a->m[A_INPUTS] != NULL && JSON_NODE_HOLDS_ARRAY (a->m[A_INPUTS])
             ? json_node_get_array (a->m[A_INPUTS]) : NULL;
  n = inputs != NULL ? json_array_get_length (inputs) : 0;

  for (guint i = 0; i < n; i++)
    {
      JsonNode *item = json_array_get_element (inputs, i);
      JsonNode *name_node;
      const char *name;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        return;
      name_node = json_object_get_member (json_node_get_object (item), "name");
      if ((name = literal_string (name_node)) == NULL)
        return;     /* cannot tell */
      if (strcmp (name, artifact) == 0)
        return;
    }

  _pw_validate_report (v, "P11", ERR, a->element, node, FALSE, PATH_KEY (cpath, key),
                       _("%s names the artifact '%s', which is not an input artifact of '%s'; add "
                         "it to inputArtifacts or fix the name"),
                       key, artifact, _pw_validate_action_label (a));
}

static void
missing_key (Validator  *v,
             ActionInfo *a,
             const Path *apath,
             const char *key,
             const char *why)
{
  _pw_validate_report (v, "P11", ERR, a->element, a->m[A_CONFIGURATION], FALSE,
                       a->m[A_CONFIGURATION] != NULL ? PATH_KEY (apath, "configuration") : apath,
                       _("%s action '%s' needs the configuration key '%s'%s"),
                       a->provider, _pw_validate_action_label (a), key,
                       why[0] != '\0' ? _(why) : "");
  {
    /* Translators: a one-click fix: add a missing configuration key (empty,
     * for the user to fill in) */
    g_autofree char *label = g_strdup_printf (_("Add '%s'"), key);
    _pw_validate_offer_set_string (v, PATH_KEY (PATH_KEY (apath, "configuration"), key), "", label);
  }
}

static void
require_key (Validator    *v,
             ActionInfo   *a,
             const Config *cfg,
             const Path   *apath,
             const char   *key,
             const char   *why)
{
  if (cfg_node (cfg, key) == NULL)
    missing_key (v, a, apath, key, why);
}

static void
check_config_enum (Validator         *v,
                   ActionInfo        *a,
                   const Config      *cfg,
                   const Path        *cpath,
                   const char        *key,
                   const char *const *allowed)
{
  const char *s = cfg_literal (cfg, key);

  if (s != NULL && !in_list (allowed, s))
    {
      g_autofree char *list = _pw_validate_join_list (v, allowed, FALSE);

      _pw_validate_report (v, "P27", ERR, a->element, cfg_node (cfg, key), FALSE,
                           PATH_KEY (cpath, key), _("%s '%s' is not allowed; use one of: %s"), key,
                           s, list);
    }
}

static void
check_provider_config (Validator    *v,
                       ActionInfo   *a,
                       const Config *cfg,
                       const Path   *apath)
{
  const PwProviderInfo *info = a->info;
  const Path *cpath = PATH_KEY (apath, "configuration");
  guint n_inputs = MAX (a->n_inputs, 0);

  for (guint i = 0; i < N_REQUIRED && info->required[i] != NULL; i++)
    if ((cfg->present & (1u << i)) == 0)
      missing_key (v, a, apath, info->required[i], "");

  if (a->kind == KIND_CLOUDFORMATION)
    {
      const char *mode;
      const char *caps;

      check_config_enum (v, a, cfg, cpath, "ActionMode", cfn_action_modes);
      mode = cfg_literal (cfg, "ActionMode");

      if (mode != NULL && in_list (cfn_action_modes, mode))
        {
          if (strcmp (mode, "CREATE_UPDATE") == 0 || strcmp (mode, "REPLACE_ON_FAILURE") == 0 ||
              strcmp (mode, "CHANGE_SET_REPLACE") == 0)
            require_key (v, a, cfg, apath, "TemplatePath", N_(" for this ActionMode"));
          if (strcmp (mode, "CHANGE_SET_EXECUTE") != 0)
            require_key (v, a, cfg, apath, "RoleArn",
                         N_(" (the role CloudFormation assumes) for this ActionMode"));
          if (g_str_has_prefix (mode, "CHANGE_SET_"))
            require_key (v, a, cfg, apath, "ChangeSetName", N_(" for this ActionMode"));
        }

      check_artifact_path (v, a, cfg, cpath, "TemplatePath", FALSE);
      check_artifact_path (v, a, cfg, cpath, "TemplateConfiguration", FALSE);

      if ((caps = cfg_literal (cfg, "Capabilities")) != NULL)
        {
          g_auto(GStrv) parts = g_strsplit (caps, ",", -1);

          for (guint i = 0; parts[i] != NULL; i++)
            if (!in_list (cfn_capabilities, parts[i]))
              {
                _pw_validate_report (v, "P27", ERR, a->element, cfg_node (cfg, "Capabilities"),
                                     FALSE, PATH_KEY (cpath, "Capabilities"),
                                     _("Capabilities '%s' is not a comma-separated list (no "
                                       "spaces) of CAPABILITY_IAM, CAPABILITY_NAMED_IAM and "
                                       "CAPABILITY_AUTO_EXPAND"), caps);
                break;
              }
        }
    }
  else if (a->kind == KIND_STACK_SET)
    {
      check_artifact_path (v, a, cfg, cpath, "TemplatePath", FALSE);
      if (cfg_node (cfg, "DeploymentTargets") != NULL)
        require_key (v, a, cfg, apath, "Regions", N_(" together with DeploymentTargets"));
    }
  else if (a->kind == KIND_CODEBUILD)
    {
      JsonNode *primary = cfg_node (cfg, "PrimarySource");
      JsonNode *project = cfg_node (cfg, "ProjectName");
      const char *project_name = literal_string (project);
      const char *batch;

      /* CodeBuild's rule for project names, [A-Za-z0-9][A-Za-z0-9\-_]{1,254}:
       * no `.` or `..`, which the local runner would otherwise also have
       * to keep from being read as folders. A variable reference is only
       * known at run time. */
      if (project_name != NULL && strstr (project_name, "#{") == NULL &&
          _pw_validate_check_text (v, a->element, project, PATH_KEY (cpath, "ProjectName"),
                                   N_("CodeBuild project name"), project_name, 2, 255,
                                   CHARS_ARTIFACT, TRUE, "P27") &&
          !g_ascii_isalnum (project_name[0]))
        _pw_validate_report (v, "P27", ERR, a->element, project, FALSE,
                             PATH_KEY (cpath, "ProjectName"),
                             _("CodeBuild project name '%s' must start with a letter or a digit"),
                             project_name);

      if (n_inputs > 1 && primary == NULL)
        missing_key (v, a, apath, "PrimarySource",
                     N_(" because it has more than one input artifact (the buildspec runs in "
                        "the primary one)"));
      else if (primary != NULL)
        check_artifact_path (v, a, cfg, cpath, "PrimarySource", TRUE);

      check_config_enum (v, a, cfg, cpath, "BatchEnabled", true_false);
      batch = literal_string (cfg_node (cfg, "BatchEnabled"));
      if (cfg_node (cfg, "CombineArtifacts") != NULL &&
          (cfg_node (cfg, "BatchEnabled") == NULL ||
           (batch != NULL && strcmp (batch, "false") == 0)))
        _pw_validate_report (v, "P11", ERR, a->element, cfg_node (cfg, "CombineArtifacts"), FALSE,
                             PATH_KEY (cpath, "CombineArtifacts"),
                             _("CombineArtifacts only works with BatchEnabled set to \"true\""));
    }
  else if (a->kind == KIND_S3_DEPLOY)
    {
      check_config_enum (v, a, cfg, cpath, "Extract", true_false);
      if (g_strcmp0 (cfg_literal (cfg, "Extract"), "false") == 0)
        require_key (v, a, cfg, apath, "ObjectKey", N_(" when Extract is \"false\""));
    }
  else if (a->kind == KIND_STEP_FUNCTIONS)
    {
      check_config_enum (v, a, cfg, cpath, "InputType",
                         (const char *const[]) { "Literal", "FilePath", NULL });
      if (g_strcmp0 (cfg_literal (cfg, "InputType"), "FilePath") == 0)
        {
          require_key (v, a, cfg, apath, "Input",
                       N_(" (the file to read) when InputType is FilePath"));
          if (n_inputs == 0)
            _pw_validate_report (v, "P11", ERR, a->element, a->m[A_CONFIGURATION], FALSE, cpath,
                                 _("InputType FilePath reads the input from an input artifact, but "
                                   "'%s' has none; add one"),
                                 _pw_validate_action_label (a));
        }
    }
  else if (a->kind == KIND_SERVICE_CATALOG)
    {
      gboolean has_config_file = cfg_node (cfg, "ConfigurationFilePath") != NULL;
      gboolean has_template = cfg_node (cfg, "TemplateFilePath") != NULL &&
                              cfg_node (cfg, "ProductVersionName") != NULL &&
                              cfg_node (cfg, "ProductType") != NULL;

      if (!has_config_file && !has_template)
        _pw_validate_report (v, "P11", ERR, a->element, a->m[A_CONFIGURATION], FALSE,
                             a->m[A_CONFIGURATION] != NULL ? cpath : apath,
                             _("ServiceCatalog action '%s' needs either ConfigurationFilePath, or "
                               "all of TemplateFilePath, ProductVersionName and ProductType"),
                             _pw_validate_action_label (a));
      check_config_enum (v, a, cfg, cpath, "ProductType",
                         (const char *const[]) { "CLOUD_FORMATION_TEMPLATE", NULL });
    }
  else if (a->kind == KIND_ECS_BLUE_GREEN)
    {
      static const char *const artifact_keys[] = {
        "TaskDefinitionTemplateArtifact", "AppSpecTemplateArtifact", "Image1ArtifactName",
        "Image2ArtifactName", "Image3ArtifactName", "Image4ArtifactName", NULL
      };

      for (guint i = 0; artifact_keys[i] != NULL; i++)
        check_artifact_path (v, a, cfg, cpath, artifact_keys[i], TRUE);
    }

  if (a->cat == CAT_SOURCE)
    {
      check_config_enum (v, a, cfg, cpath, "OutputArtifactFormat", artifact_formats);
      check_config_enum (v, a, cfg, cpath, "PollForSourceChanges", true_false);
      check_config_enum (v, a, cfg, cpath, "DetectChanges", true_false);

      /* P41: GitHub version 1 (an OAuth app and a personal token) still
       * runs, but AWS no longer recommends it. */
      if (g_strcmp0 (a->owner, "ThirdParty") == 0 && g_strcmp0 (a->provider, "GitHub") == 0)
        _pw_validate_report (v, "P41", WARN, a->element,
                             _pw_validate_member_of (a->m[A_TYPE_ID], "provider"), FALSE,
                             PATH_KEY (PATH_KEY (apath, "actionTypeId"), "provider"),
                             _("'%s' is a GitHub version 1 source action, which AWS no longer "
                               "recommends (it holds an OAuth token); use a "
                               "CodeStarSourceConnection action (owner AWS, provider "
                               "CodeStarSourceConnection) with a CodeConnections connection "
                               "instead"), _pw_validate_action_label (a));

      /* P30: these sources poll unless told not to; a pipeline that also
       * has an EventBridge rule or webhook then starts twice per change. */
      if (a->kind == KIND_POLLING_SOURCE && cfg_node (cfg, "PollForSourceChanges") == NULL)
        _pw_validate_report (v, "P30", WARN, a->element, a->m[A_CONFIGURATION], FALSE,
                             a->m[A_CONFIGURATION] != NULL ? cpath : apath,
                             _("PollForSourceChanges is not set, so '%s' polls its source (the "
                               "default is \"true\"); set PollForSourceChanges: \"false\" and "
                               "start the pipeline from an EventBridge rule or a webhook instead"),
                             _pw_validate_action_label (a));
    }
}

/* P39: CodeBuild's EnvironmentVariables is a JSON array in a string. */
static void
check_codebuild_env (Validator  *v,
                     ActionInfo *a,
                     JsonNode   *node,
                     const Path *path)
{
  const char *text = literal_string (node);
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *root;
  JsonArray *array;

  if (text == NULL)
    return;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, text, -1, &error))
    {
      _pw_validate_report (v, "P39", ERR, a->element, node, FALSE, path,
                           _("EnvironmentVariables is not valid JSON (%s); write a JSON array such "
                             "as [{\"name\":\"STAGE\",\"value\":\"prod\",\"type\":\"PLAINTEXT\"}]"),
                           error->message);
      return;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      _pw_validate_report (v, "P39", ERR, a->element, node, FALSE, path,
                           _("EnvironmentVariables must be a JSON array of {\"name\", \"value\", "
                             "\"type\"} objects, but it is %s"),
                           _pw_json_type_name (root));
      return;
    }

  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      JsonObject *object;
      JsonObjectIter iter;
      const char *key;
      JsonNode *value;
      const char *name;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        {
          _pw_validate_report (v, "P39", ERR, a->element, node, FALSE, path,
                               _("EnvironmentVariables item %u must be an object with name, value "
                                 "and type, but it is %s"),
                               i, _pw_json_type_name (item));
          continue;
        }

      object = json_node_get_object (item);
      json_object_iter_init_ordered (&iter, object);
      while (json_object_iter_next_ordered (&iter, &key, &value))
        {
          if (!in_list (env_keys, key))
            _pw_validate_report (v, "P39", ERR, a->element, node, FALSE, path,
                                 _("EnvironmentVariables item %u has the unknown key '%s'; use "
                                   "name, value and type"),
                                 i, key);
          else if (literal_string (value) == NULL)
            _pw_validate_report (v, "P39", ERR, a->element, node, FALSE, path,
                                 _("EnvironmentVariables item %u: %s must be a string, but it is "
                                   "%s"), i, key, _pw_json_type_name (value));
        }

      name = literal_string (json_object_get_member (object, "name"));
      if (!json_object_has_member (object, "name") || (name != NULL && name[0] == '\0'))
        _pw_validate_report (v, "P39", ERR, a->element, node, FALSE, path,
                             _("EnvironmentVariables item %u has no name"), i);
      if (!json_object_has_member (object, "value"))
        _pw_validate_report (v, "P39", ERR, a->element, node, FALSE, path,
                             _("EnvironmentVariables item %u ('%s') has no value"),
                             i, name != NULL ? name : "?");

      {
        const char *type = literal_string (json_object_get_member (object, "type"));

        if (type != NULL && !in_list (codebuild_env_types, type))
          _pw_validate_report (v, "P39", ERR, a->element, node, FALSE, path,
                               _("EnvironmentVariables item %u ('%s') has type '%s'; use "
                                 "PLAINTEXT, PARAMETER_STORE or SECRETS_MANAGER"),
                               i, name != NULL ? name : "?", type);
      }
    }
}

static void
report_unknown_config_key (Validator  *v,
                           ActionInfo *a,
                           JsonNode   *value,
                           const Path *kpath,
                           const char *key)
{
  const PwProviderInfo *info = a->info;
  Suggest sg = { key, NULL, 0 };
  g_autofree char *hint = NULL;
  g_autoptr(GString) known = g_string_new (NULL);

  for (guint i = 0; i < 32; i++)
    {
      const char *name = provider_key (info, i);

      if (name == NULL)
        {
          if (i < N_REQUIRED)
            i = N_REQUIRED - 1;
          else
            break;
          continue;
        }
      _pw_validate_suggest_offer (&sg, name);
      g_string_append_printf (known, "%s%s", known->len ? ", " : "", name);
    }
  hint = _pw_validate_suggest_text (&sg);

  if (known->len > 0)
    {
      _pw_validate_report (v, "P29", WARN, a->element, value, TRUE, kpath,
                           _("configuration key '%s' is not known for %s%s; known keys: %s"),
                           key, a->provider, hint, known->str);
      if (sg.best != NULL)
        {
          g_autofree char *label = g_strdup_printf (_("Rename to '%s'"), sg.best);
          _pw_validate_offer_fix (v, PW_FIX_RENAME_KEY, kpath, value, sg.best, label);
        }
    }
  else
    _pw_validate_report (v, "P29", WARN, a->element, value, TRUE, kpath,
                         _("configuration key '%s' is not known for %s, which takes no "
                           "configuration"), key, a->provider);
}

void
_pw_validate_configuration (Validator  *v,
                            ActionInfo *a,
                            const Path *apath)
{
  PwElement *el = a->element;
  const Path *cpath = PATH_KEY (apath, "configuration");
  JsonNode *node = a->m[A_CONFIGURATION];
  Config cfg;
  gboolean check_keys;
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  cfg.info = a->info;
  cfg.object = NULL;
  cfg.present = 0;

  if (node != NULL)
    {
      if (JSON_NODE_TYPE (node) != JSON_NODE_OBJECT)
        {
          _pw_validate_report (v, "P26", v->cfn && literal_string (node) != NULL ? NOTE : ERR, el,
                               node, FALSE, cpath, v->cfn && literal_string (node) != NULL
                                 ? _("Configuration is a JSON string; its keys cannot be checked "
                                     "here") : _("configuration must be a mapping of key to string "
                                                 "value, but it is %s"),
                               _pw_json_type_name (node));
          return;
        }
      cfg.object = json_node_get_object (node);
    }

  check_keys = a->info != NULL && !a->is_commands;

  if (cfg.object != NULL)
    {
      guint remaining = json_object_get_size (cfg.object);

      json_object_iter_init (&iter, cfg.object);
      while (remaining-- > 0 && json_object_iter_next (&iter, &key, &value))
        {
          const Path *kpath = PATH_KEY (cpath, key);
          const char *s;
          gsize klen = strlen (key);

          /* No provider has a key like these: the whole configuration is an
           * intrinsic (an Fn::If choosing between two, say). */
          if (G_UNLIKELY (intrinsic_key (key)) && json_object_get_size (cfg.object) == 1)
            {
              v->uncertain = TRUE;
              _pw_validate_report_intrinsic (v, el, node, cpath);
              return;
            }

          if (klen == 0 || (klen > 50 && g_utf8_strlen (key, -1) > 50))
            _pw_validate_report (v, "P16", ERR, el, value, TRUE, kpath,
                                 _("configuration key '%s' must have 1 to 50 characters"), key);

          if (check_keys)
            {
              gint index = provider_key_index (a->info, key);

              if (index < 0)
                report_unknown_config_key (v, a, value, kpath, key);
              else
                {
                  cfg.present |= 1u << index;
                  cfg.slots[index] = value;
                }
            }

          if ((s = literal_string (value)) == NULL)
            {
              if (is_intrinsic (value))
                _pw_validate_report_intrinsic (v, el, value, kpath);
              else
                get_string (v, el, value, kpath, N_("configuration value"), "P20");
              continue;
            }

          if (s[0] == '\0')
            _pw_validate_report (v, "P16", ERR, el, value, FALSE, kpath,
                                 _("configuration value of '%s' is empty; give a value or leave "
                                   "the key out"),
                                 key);
          else if (strlen (s) > 1000 && g_utf8_strlen (s, -1) > 1000)
            _pw_validate_report (v, "P16", ERR, el, value, FALSE, kpath,
                                 _("configuration value of '%s' has %ld characters; at most 1000 "
                                   "are allowed (#{…} references count as written)"),
                                 key, g_utf8_strlen (s, -1));

          /* get-pipeline masks secret configuration (an OAuthToken, say)
           * as "****": sent back, the action would use those four stars. */
          if (strcmp (s, "****") == 0)
            _pw_validate_report (v, "P27", WARN, el, value, FALSE, kpath,
                                 _("configuration value of '%s' is \"****\", the mask get-pipeline "
                                   "shows for a secret: sent back, the action would use it as its "
                                   "value; put the real secret (or a reference to it) here"),
                                 key);

          /* References are checked once every namespace is known. */
          if (strchr (s, '#') != NULL)
            a->late = TRUE;

          if (a->kind == KIND_CODEBUILD && strcmp (key, "EnvironmentVariables") == 0)
            check_codebuild_env (v, a, value, kpath);
        }
    }

  if (a->info != NULL && !a->is_commands)
    check_provider_config (v, a, &cfg, apath);
}

/* Commands actions, regions */

void
_pw_validate_commands_members (Validator  *v,
                               ActionInfo *a,
                               const Path *apath)
{
  PwElement *el = a->element;
  static const struct { guint member; const char *key; } v2_members[] = {
    { A_COMMANDS, "commands" },
    { A_OUTPUT_VARIABLES, "outputVariables" },
    { A_ENV_VARS, "environmentVariables" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (v2_members); i++)
    {
      JsonNode *node = a->m[v2_members[i].member];
      const Path *path = PATH_KEY (apath, v2_members[i].key);

      if (node == NULL)
        continue;

      _pw_validate_need_v2_member (v, el, node, path, v2_members[i].key);
      if (!a->is_commands && a->category != NULL)
        _pw_validate_report (v, "P36", ERR, el, node, TRUE, path,
                             _("%s only applies to a Commands action (category Compute), not to %s "
                               "action '%s'; remove it"),
                             _pw_validate_key_name (v, v2_members[i].key),
                             a->provider != NULL ? a->provider : a->category,
                             _pw_validate_action_label (a));
    }

  if (a->m[A_COMMANDS] != NULL)
    _pw_validate_check_string_list (v, el, a->m[A_COMMANDS], PATH_KEY (apath, "commands"),
                                    N_("commands"), N_("command"), 1, 50, 1000, TRUE, "P36");
  else if (a->is_commands)
    _pw_validate_report (v, "P36", ERR, el, NULL, FALSE, apath,
                         _("Commands action '%s' has no %s; give 1 to 50 shell commands to run"),
                         _pw_validate_action_label (a), _pw_validate_key_name (v, "commands"));

  if (a->m[A_OUTPUT_VARIABLES] != NULL)
    _pw_validate_check_string_list (v, el, a->m[A_OUTPUT_VARIABLES],
                                    PATH_KEY (apath, "outputVariables"), N_("outputVariables"),
                                    N_("output variable"), 1, 15, 128, FALSE, "P36");

  if (a->m[A_ENV_VARS] != NULL)
    {
      const Path *path = PATH_KEY (apath, "environmentVariables");
      JsonArray *array = _pw_validate_expect_array (v, el, a->m[A_ENV_VARS], path,
                                                    N_("environmentVariables"));
      guint n = array != NULL ? json_array_get_length (array) : 0;

      if (array != NULL && (n < 1 || n > 10))
        _pw_validate_report (v, "P36", ERR, el, a->m[A_ENV_VARS], FALSE, path,
                             _("environmentVariables has %u item(s); it takes 1 to 10"), n);

      for (guint i = 0; i < n; i++)
        {
          JsonNode *item = json_array_get_element (array, i);
          const Path *ipath = PATH_INDEX (path, i);
          JsonNode *m[3] = { NULL, };
          JsonObject *object = _pw_validate_expect_mapping (v, el, item, ipath,
                                                            N_("an environment variable"), env_keys,
                                                            3, m);

          if (object == NULL)
            continue;

          if (m[0] == NULL)
            _pw_validate_report (v, "P01", ERR, el, item, FALSE, ipath,
                                 _("environment variable has no %s"),
                                 _pw_validate_key_name (v, "name"));
          else
            check_string (v, el, m[0], PATH_KEY (ipath, "name"), N_("environment variable name"),
                          1, 128, CHARS_ENV_NAME, TRUE, "P36");

          if (m[1] == NULL)
            _pw_validate_report (v, "P01", ERR, el, item, FALSE, ipath,
                                 _("environment variable has no %s"),
                                 _pw_validate_key_name (v, "value"));
          else
            check_string (v, el, m[1], PATH_KEY (ipath, "value"), N_("environment variable value"),
                          1, 2000, CHARS_ANY, TRUE, "P36");

          if (m[2] != NULL)
            _pw_validate_check_enum (v, el, m[2], PATH_KEY (ipath, "type"),
                                     N_("environment variable type"), env_types, "P36");
        }
    }
}

void
_pw_validate_region (Validator  *v,
                     ActionInfo *a,
                     const Path *apath)
{
  PwElement *el = a->element;
  JsonNode *node = a->m[A_REGION];
  const Path *rpath = PATH_KEY (apath, "region");
  const char *region = get_string (v, el, node, rpath, N_("region"), "P26");

  if (a->cat == CAT_SOURCE)
    _pw_validate_report (v, "P13", ERR, el, node, TRUE, rpath,
                         _("Source actions cannot run in another region; remove region from '%s'"),
                         _pw_validate_action_label (a));
  else if (a->owner != NULL && strcmp (a->owner, "AWS") != 0)
    _pw_validate_report (v, "P13", ERR, el, node, TRUE, rpath,
                         _("%s actions cannot set a region; remove region from '%s'"),
                         a->owner, _pw_validate_action_label (a));

  /* A malformed region cannot name a store either; say only what is wrong. */
  if (region == NULL ||
      !_pw_validate_check_text (v, el, node, rpath, N_("region"), region, 4, 30, CHARS_ANY, FALSE,
                                "P27"))
    return;

  if (v->pm[P_ARTIFACT_STORE] != NULL && v->pm[P_ARTIFACT_STORES] == NULL)
    _pw_validate_report (v, "P02", ERR, el, node, FALSE, rpath,
                         _("action '%s' runs in region '%s', which needs %s (one artifact bucket "
                           "per region) instead of %s — unless %s is the pipeline's own region, in "
                           "which case remove region"),
                         _pw_validate_action_label (a), region,
                         _pw_validate_key_name (v, "artifactStores"),
                         _pw_validate_key_name (v, "artifactStore"), region);
  else if (v->stores != NULL && !json_object_has_member (v->stores, region))
    _pw_validate_report (v, "P02", ERR, el, node, FALSE, rpath,
                         _("action '%s' runs in region '%s', but artifactStores has no artifact "
                           "store for that region; add one"),
                         _pw_validate_action_label (a), region);
  else if (v->store_regions != NULL && !v->uncertain &&
           !g_hash_table_contains (v->store_regions, region))
    _pw_validate_report (v, "P02", ERR, el, node, FALSE, rpath,
                         _("action '%s' runs in region '%s', but ArtifactStores has no artifact "
                           "store for that region; add one"),
                         _pw_validate_action_label (a), region);
}
