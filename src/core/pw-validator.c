/* pw-validator.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-validator"

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "pw-core-private.h"

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

/* A model path, built on the stack as the walk goes down and turned into
 * text only when something is reported. */
typedef struct _Path Path;
struct _Path
{
  const Path *parent;
  const char *key;      /* a member name, or NULL for a list index */
  guint       index;
};

#define PATH_KEY(p, k)   (&(const Path) { (p), (k), 0 })
#define PATH_INDEX(p, i) (&(const Path) { (p), NULL, (i) })

typedef enum
{
  CHARS_ANY       = 0,
  CHARS_NAME      = 1 << 0,   /* [A-Za-z0-9.@\-_] */
  CHARS_ARTIFACT  = 1 << 1,   /* [a-zA-Z0-9_\-] */
  CHARS_NAMESPACE = 1 << 2,   /* [A-Za-z0-9@\-_] */
  CHARS_PROVIDER  = 1 << 3,   /* [0-9A-Za-z_-] */
  CHARS_BUCKET    = 1 << 4,   /* [a-zA-Z0-9\-\.] */
  CHARS_ENV_NAME  = 1 << 5,   /* [A-Za-z0-9_] */
  CHARS_REASON    = 1 << 6,   /* [a-zA-Z0-9!@ \(\)\.\*\?\-] */
} Chars;

/* Which classes each byte belongs to: one load per character instead of
 * a chain of comparisons. Filled once. */
static guint8 char_classes[256];

static void
init_char_classes (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      for (guint c = 0; c < 128; c++)
        {
          guint8 bits = 0;

          if (g_ascii_isalnum (c))
            bits = 0x7f;
          else if (c == '.')
            bits = CHARS_NAME | CHARS_BUCKET | CHARS_REASON;
          else if (c == '@')
            bits = CHARS_NAME | CHARS_NAMESPACE | CHARS_REASON;
          else if (c == '-')
            bits = CHARS_NAME | CHARS_ARTIFACT | CHARS_NAMESPACE | CHARS_PROVIDER | CHARS_BUCKET |
                   CHARS_REASON;
          else if (c == '_')
            bits = CHARS_NAME | CHARS_ARTIFACT | CHARS_NAMESPACE | CHARS_PROVIDER |
                   CHARS_ENV_NAME;
          else if (strchr ("!() *?", c) != NULL && c != 0)
            bits = CHARS_REASON;

          char_classes[c] = bits;
        }

      g_once_init_leave (&initialized, 1);
    }
}

/* Keys and enum values are a few bytes long: an inline loop beats a call
 * into the C library's vectorised strcmp() here. */
static inline gboolean
str_eq (const char *a,
        const char *b)
{
  while (*a == *b)
    {
      if (*a == '\0')
        return TRUE;
      a++;
      b++;
    }

  return FALSE;
}

/* A small open-addressing map from borrowed strings to indexes, sized up
 * front: GHashTable's resizes and indirect calls showed up in profiles. */
typedef struct
{
  const char *key;
  guint32     hash;
  guint32     value;     /* 0 = empty */
} Slot;

typedef struct
{
  Slot  *slots;
  guint  mask;
  guint  used;
} StrMap;

static inline guint32
str_hash (const char *s)
{
  guint32 h = 2166136261u;

  for (; *s != '\0'; s++)
    h = (h ^ (guchar)*s) * 16777619u;

  return h;
}

static void
strmap_init (StrMap *map,
             guint   expected)
{
  guint size = 16;

  while (size < expected + expected / 2)
    size <<= 1;

  map->slots = g_new0 (Slot, size);
  map->mask = size - 1;
  map->used = 0;
}

static void
strmap_clear (StrMap *map)
{
  g_clear_pointer (&map->slots, g_free);
}

static void
strmap_grow (StrMap *map)
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

/* The value slot for @key: 0 when absent, and then the caller may store
 * a value there (which inserts the key). */
static guint32 *
strmap_slot (StrMap     *map,
             const char *key)
{
  guint32 hash = str_hash (key);
  guint i;

  if ((map->used + 1) * 3 > (map->mask + 1) * 2)
    strmap_grow (map);

  for (i = hash & map->mask; map->slots[i].value != 0; i = (i + 1) & map->mask)
    if (map->slots[i].hash == hash && str_eq (map->slots[i].key, key))
      return &map->slots[i].value;

  /* Claimed now; an unset value (still 0) keeps the slot empty. */
  map->slots[i].key = key;
  map->slots[i].hash = hash;
  map->used++;
  return &map->slots[i].value;
}

static guint32
strmap_lookup (const StrMap *map,
               const char   *key)
{
  guint32 hash;

  if (map->slots == NULL)
    return 0;

  hash = str_hash (key);
  for (guint i = hash & map->mask; map->slots[i].value != 0; i = (i + 1) & map->mask)
    if (map->slots[i].hash == hash && str_eq (map->slots[i].key, key))
      return map->slots[i].value;

  return 0;
}

typedef enum
{
  WHEN_ACTION,
  WHEN_BEFORE_ENTRY,
  WHEN_ON_SUCCESS,
  WHEN_ON_FAILURE,
} When;

typedef enum
{
  VISIBLE,
  HIDDEN_SELF,
  HIDDEN_PARALLEL,
  HIDDEN_LATER_GROUP,
  HIDDEN_LATER_STAGE,
} Visibility;

/* Members of an action, in the botocore model's order (which is also the
 * order "expected one of" lists them in). */
enum {
  A_NAME,
  A_TYPE_ID,
  A_RUN_ORDER,
  A_CONFIGURATION,
  A_COMMANDS,
  A_OUTPUTS,
  A_INPUTS,
  A_OUTPUT_VARIABLES,
  A_ROLE_ARN,
  A_REGION,
  A_NAMESPACE,
  A_TIMEOUT,
  A_ENV_VARS,
  N_A
};

static const char *const action_keys[] = {
  "name", "actionTypeId", "runOrder", "configuration", "commands", "outputArtifacts",
  "inputArtifacts", "outputVariables", "roleArn", "region", "namespace", "timeoutInMinutes",
  "environmentVariables", NULL
};

enum {
  P_NAME,
  P_ROLE_ARN,
  P_ARTIFACT_STORE,
  P_ARTIFACT_STORES,
  P_STAGES,
  P_VERSION,
  P_EXECUTION_MODE,
  P_PIPELINE_TYPE,
  P_VARIABLES,
  P_TRIGGERS,
  P_DISABLE_TRANSITIONS,   /* CloudFormation only */
  P_RESTART,               /* CloudFormation only */
  P_TAGS,                  /* CloudFormation only: also in the document extras */
  N_P
};

#define N_P_API P_DISABLE_TRANSITIONS

static const char *const pipeline_keys[] = {
  "name", "roleArn", "artifactStore", "artifactStores", "stages", "version", "executionMode",
  "pipelineType", "variables", "triggers", "disableInboundStageTransitions",
  "restartExecutionOnUpdate", "tags", NULL
};

enum { S_NAME, S_BLOCKERS, S_ACTIONS, S_ON_FAILURE, S_ON_SUCCESS, S_BEFORE_ENTRY, N_S };
static const char *const stage_keys[] = {
  "name", "blockers", "actions", "onFailure", "onSuccess", "beforeEntry", NULL
};

enum { T_CATEGORY, T_OWNER, T_PROVIDER, T_VERSION, N_T };
static const char *const type_id_keys[] = { "category", "owner", "provider", "version", NULL };

static const char *const store_keys[] = { "type", "location", "encryptionKey", NULL };
static const char *const key_keys[] = { "id", "type", NULL };
static const char *const cfn_store_keys[] = { "region", "artifactStore", NULL };
static const char *const input_keys[] = { "name", NULL };
static const char *const output_keys[] = { "name", "files", NULL };
static const char *const variable_keys[] = { "name", "defaultValue", "description", NULL };
static const char *const tag_keys[] = { "key", "value", NULL };
static const char *const env_keys[] = { "name", "value", "type", NULL };
static const char *const blocker_keys[] = { "name", "type", NULL };
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

static const char *const categories[] = {
  "Source", "Build", "Deploy", "Test", "Invoke", "Approval", "Compute", NULL
};

enum {
  CAT_UNKNOWN = -1,
  CAT_SOURCE,
  CAT_BUILD,
  CAT_DEPLOY,
  CAT_TEST,
  CAT_INVOKE,
  CAT_APPROVAL,
  CAT_COMPUTE,
};

/* Providers with rules of their own, told apart once per provider row
 * rather than by comparing names for every action. */
typedef enum
{
  KIND_OTHER,
  KIND_CLOUDFORMATION,
  KIND_STACK_SET,
  KIND_CODEBUILD,
  KIND_S3_DEPLOY,
  KIND_STEP_FUNCTIONS,
  KIND_SERVICE_CATALOG,
  KIND_ECS_BLUE_GREEN,
  KIND_POLLING_SOURCE,     /* CodeCommit, S3 and GitHub (v1) sources */
  KIND_SOURCE,
  KIND_COMMANDS,
  KIND_MANUAL,
} Kind;

static const char *const owners[] = { "AWS", "ThirdParty", "Custom", NULL };
static const char *const execution_modes[] = { "QUEUED", "SUPERSEDED", "PARALLEL", NULL };
static const char *const pipeline_types[] = { "V1", "V2", NULL };
static const char *const results[] = { "ROLLBACK", "FAIL", "RETRY", "SKIP", NULL };
static const char *const retry_modes[] = { "FAILED_ACTIONS", "ALL_ACTIONS", NULL };
static const char *const env_types[] = { "PLAINTEXT", "SECRETS_MANAGER", NULL };
static const char *const codebuild_env_types[] = {
  "PLAINTEXT", "PARAMETER_STORE", "SECRETS_MANAGER", NULL
};
static const char *const pr_events[] = { "OPEN", "UPDATED", "CLOSED", NULL };
static const char *const cfn_action_modes[] = {
  "CREATE_UPDATE", "REPLACE_ON_FAILURE", "DELETE_ONLY", "CHANGE_SET_REPLACE",
  "CHANGE_SET_EXECUTE", NULL
};
static const char *const cfn_capabilities[] = {
  "CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND", NULL
};
static const char *const true_false[] = { "true", "false", NULL };
static const char *const artifact_formats[] = { "CODE_ZIP", "CODEBUILD_CLONE_REF", NULL };

typedef struct
{
  PwElement            *element;
  JsonNode             *m[N_A];
  const char           *name;
  const char           *category;
  const char           *owner;
  const char           *provider;
  const char           *namespace;
  const PwProviderInfo *info;
  guint                 stage;
  guint                 index;
  gint64                run_order;   /* 0 when it is not a usable number */
  gint16                n_inputs;     /* -1 when inputArtifacts is not a list */
  gint16                n_outputs;
  gint8                 cat;          /* CAT_… */
  guint8                kind;         /* Kind, for known providers */
  guint                 opaque : 1;
  guint                 is_commands : 1;
  guint                 late : 1;        /* has work for the second pass */
  char                 *label;       /* the short form of an intrinsic name */
} ActionInfo;

typedef struct
{
  guint     action;     /* index into Validator.actions */
  guint     index;      /* in the action's outputArtifacts */
  JsonNode *node;       /* the name's node */
  gboolean  consumed;
} Output;

typedef struct
{
  PwStage  *stage;
  JsonNode *m[N_S];
  guint     first_action;   /* index into Validator.actions */
  guint     n_actions;
  guint     opaque : 1;
  char     *label;          /* the short form of an intrinsic name */
} StageInfo;

typedef struct
{
  PwPipeline  *pipeline;
  PwElement   *pel;
  GPtrArray   *out;
  gboolean     cfn;
  gboolean     v2;
  gboolean     parallel;
  /* Something could not be looked into (an opaque stage, an intrinsic
   * artifact name, …): "not found anywhere" then proves little. */
  gboolean     uncertain;

  JsonNode    *pm[N_P];
  JsonObject  *stores;          /* artifactStores as a map, when it is one */
  gboolean     stores_list;     /* CloudFormation list form that stayed a list */
  GHashTable  *store_regions;   /* region → node, for the list form */

  StageInfo   *stages;
  guint        n_stages;
  ActionInfo  *actions;
  guint        n_actions;

  GArray      *outputs;         /* Output */
  StrMap       output_names;    /* name → index + 1 into outputs */
  StrMap       namespaces;      /* namespace → index + 1 into actions */
  StrMap       action_names;    /* name → index + 1 into actions, per stage */
  StrMap       stage_names;     /* name → stage index + 1 */
  GHashTable  *variables;       /* declared pipeline variable names, or NULL */
  gboolean     variables_uncertain;
  GPtrArray   *sources;         /* ActionInfo* of Source actions */

  const PwProviderInfo *last_info;
  Kind                  last_kind;
  PwDiagnostic         *last;      /* the finding emit() made last, for fixes */
} Validator;

/* Helpers: paths, names, reports */

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
static const char *
kn (Validator  *v,
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
static void
offer_fix (Validator  *v,
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

static void
offer_set_string (Validator  *v,
                  const Path *path,
                  const char *value,
                  const char *label)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, value);
  offer_fix (v, PW_FIX_SET, path, node, NULL, label);
}

static void report (Validator  *v,
                    const char *code,
                    PwSeverity  severity,
                    PwElement  *el,
                    JsonNode   *node,
                    gboolean    key,
                    const Path *path,
                    const char *format,
                    ...) G_GNUC_PRINTF (8, 9);

static void
report (Validator  *v,
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

#define ERR  PW_SEVERITY_ERROR
#define WARN PW_SEVERITY_WARNING
#define NOTE PW_SEVERITY_NOTE

/* Where the user would look: "stages[1].actions[0]", or "the pipeline". */
static char *
where (const Path *path)
{
  char *s = path_to_string (path);

  if (s[0] == '\0')
    {
      g_free (s);
      return g_strdup (_("the pipeline"));
    }

  return s;
}

/* Did-you-mean: a case-insensitive match, or an edit distance of at most
 * two on names long enough for that to mean something. */
typedef struct
{
  const char *name;
  const char *best;
  guint       best_distance;
} Suggest;

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

static void
suggest_offer (Suggest    *s,
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
static char *
suggest_text (Suggest *s)
{
  if (s->best == NULL)
    return g_strdup ("");

  return g_strdup_printf (_(" (did you mean '%s'?)"), s->best);
}

static gboolean
in_list (const char *const *list,
         const char         *value)
{
  for (guint i = 0; list[i] != NULL; i++)
    if (list[i][0] == value[0] && str_eq (list[i], value))
      return TRUE;

  return FALSE;
}

static char *
join_list (Validator          *v,
           const char *const  *list,
           gboolean            keys)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; list[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (s, ", ");
      g_string_append (s, keys ? kn (v, list[i]) : list[i]);
    }

  return g_string_free (s, FALSE);
}

static inline const char *
literal_string (JsonNode *node)
{
  /* json_node_get_value_type() answers for every kind of node. */
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static JsonNode *
member_of (JsonNode   *node,
           const char *key)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return json_object_get_member (json_node_get_object (node), key);
}

/* pw_cfn_is_intrinsic(), without the second lookup of the ordered
 * iterator: this runs on most mappings of the pipeline. */
static gboolean
is_intrinsic (JsonNode *node)
{
  JsonObject *object;
  JsonObjectIter iter;
  const char *name;

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_OBJECT)
    return FALSE;

  object = json_node_get_object (node);
  if (json_object_get_size (object) != 1)
    return FALSE;

  json_object_iter_init (&iter, object);
  if (!json_object_iter_next (&iter, &name, NULL))
    return FALSE;

  switch (name[0])
    {
    case 'R':
      return strcmp (name, "Ref") == 0;
    case 'F':
      return strncmp (name, "Fn::", 4) == 0;
    case 'C':
      return strcmp (name, "Condition") == 0;
    default:
      return FALSE;
    }
}

static const char *
intrinsic_name (JsonNode *node)
{
  JsonObjectIter iter;
  const char *name = NULL;

  json_object_iter_init_ordered (&iter, json_node_get_object (node));
  json_object_iter_next_ordered (&iter, &name, NULL);
  return name;
}

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

static gboolean
is_string_node (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
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

static void check_intrinsic_form (Validator *v, PwElement *el, JsonNode *node, const Path *path);

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
    report (v, "P42", ERR, el, at, FALSE, path,
            _("%s names '%s', which is no parameter, resource or pseudo parameter of the template; "
              "did you mean '%s'?"), how, name, meant);
  else
    report (v, "P42", ERR, el, at, FALSE, path,
            _("%s names '%s', which is no parameter, resource or pseudo parameter of the template "
              "(CloudFormation refuses the template)"), how, name);
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
        report (v, "P42", ERR, el, node, FALSE, path,
                _("Ref takes the name of a parameter or resource, a string, but it has %s"),
                _pw_json_type_name (arg));
      else
        check_ref_target (v, el, node, path, json_node_get_string (arg), "Ref");
      return;
    }

  if (g_str_equal (fn, "Condition"))
    {
      JsonObject *conditions = template_section (v, "Conditions");

      if (!is_string_node (arg) || conditions == NULL ||
          !json_object_has_member (conditions, json_node_get_string (arg)))
        report (v, "P42", ERR, el, node, FALSE, path,
                _("Condition names a condition the template's Conditions do not define"));
      return;
    }

  if (!g_strv_contains (intrinsic_functions, fn))
    {
      const char *meant = pw_suggest_word (fn, intrinsic_functions);

      if (meant != NULL)
        report (v, "P42", ERR, el, node, TRUE, path,
                _("'%s' is no intrinsic function; did you mean '%s'?"), fn, meant);
      else
        report (v, "P42", ERR, el, node, TRUE, path,
                _("'%s' is no intrinsic function CloudFormation knows (a key starting with Fn:: "
                  "must be one)"), fn);
      return;
    }

  if (g_str_equal (fn, "Fn::GetAtt"))
    {
      JsonObject *resources = template_section (v, "Resources");
      g_autofree char *resource = NULL;

      if (is_string_node (arg) && strchr (json_node_get_string (arg), '.') != NULL)
        resource = g_strndup (json_node_get_string (arg),
                              strchr (json_node_get_string (arg), '.') - json_node_get_string (arg));
      else if (n == 2 && is_string_node (json_array_get_element (args, 0)) &&
               (is_string_node (json_array_get_element (args, 1)) || is_intrinsic (json_array_get_element (args, 1))))
        resource = g_strdup (json_array_get_string_element (args, 0));
      else
        {
          report (v, "P42", ERR, el, node, FALSE, path,
                  _("Fn::GetAtt takes [resource, attribute] or \"resource.attribute\""));
          return;
        }
      if (resources == NULL || !json_object_has_member (resources, resource))
        {
          const char *meant = suggest_in (v, "Resources", resource, FALSE);

          if (meant != NULL)
            report (v, "P42", ERR, el, node, FALSE, path,
                    _("Fn::GetAtt names the resource '%s', which the template does not define; did you "
                      "mean '%s'?"), resource, meant);
          else
            report (v, "P42", ERR, el, node, FALSE, path,
                    _("Fn::GetAtt names the resource '%s', which the template does not define"), resource);
        }
      return;
    }

  if (g_str_equal (fn, "Fn::If"))
    {
      JsonObject *conditions = template_section (v, "Conditions");

      if (n != 3 || !is_string_node (json_array_get_element (args, 0)))
        {
          report (v, "P42", ERR, el, node, FALSE, path,
                  _("Fn::If takes [condition name, value if true, value if false]"));
          return;
        }
      if (conditions == NULL || !json_object_has_member (conditions, json_array_get_string_element (args, 0)))
        {
          const char *name = json_array_get_string_element (args, 0);
          const char *meant = suggest_in (v, "Conditions", name, FALSE);

          if (meant != NULL)
            report (v, "P42", ERR, el, node, FALSE, path,
                    _("Fn::If names the condition '%s', which the template's Conditions do not define; "
                      "did you mean '%s'?"), name, meant);
          else
            report (v, "P42", ERR, el, node, FALSE, path,
                    _("Fn::If names the condition '%s', which the template's Conditions do not define"),
                    name);
        }
      check_nested (v, el, json_array_get_element (args, 1), path);
      check_nested (v, el, json_array_get_element (args, 2), path);
      return;
    }

  if (g_str_equal (fn, "Fn::Sub"))
    {
      JsonNode *text = is_string_node (arg) ? arg : (n == 2 ? json_array_get_element (args, 0) : NULL);
      JsonNode *vars = n == 2 ? json_array_get_element (args, 1) : NULL;
      const char *p;

      if (!is_string_node (text) || (vars != NULL && !JSON_NODE_HOLDS_OBJECT (vars)))
        {
          report (v, "P42", ERR, el, node, FALSE, path,
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
                report (v, "P42", ERR, el, node, FALSE, path,
                        _("Fn::Sub's ${%s} names the resource '%s', which the template does not "
                          "define"), name, resource);
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
      { "Fn::Join", 2, 2 }, { "Fn::Select", 2, 2 }, { "Fn::Split", 2, 2 }, { "Fn::FindInMap", 3, 4 },
      { "Fn::Cidr", 3, 3 }, { "Fn::Equals", 2, 2 }, { "Fn::Not", 1, 1 }, { "Fn::And", 2, 10 },
      { "Fn::Or", 2, 10 },
    };

    for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
      if (g_str_equal (fn, counts[i].fn) && (args == NULL || n < counts[i].min || n > counts[i].max))
        {
          if (counts[i].min == counts[i].max)
            report (v, "P42", ERR, el, node, FALSE, path,
                    g_dngettext (GETTEXT_PACKAGE, "%s takes a list of %u argument", "%s takes a list of %u arguments",
                                 counts[i].min), fn, counts[i].min);
          else
            report (v, "P42", ERR, el, node, FALSE, path,
                    _("%s takes a list of %u to %u arguments"), fn, counts[i].min, counts[i].max);
          return;
        }
  }

  if (g_str_equal (fn, "Fn::FindInMap") && is_string_node (json_array_get_element (args, 0)))
    {
      JsonObject *mappings = template_section (v, "Mappings");
      const char *map = json_array_get_string_element (args, 0);

      if (mappings == NULL || !json_object_has_member (mappings, map))
        report (v, "P42", ERR, el, node, FALSE, path,
                _("Fn::FindInMap names the map '%s', which the template's Mappings do not define"), map);
    }
  if (g_str_equal (fn, "Fn::Join") && !is_string_node (json_array_get_element (args, 0)))
    report (v, "P42", ERR, el, node, FALSE, path, _("Fn::Join's delimiter is a string"));

  check_nested (v, el, arg, path);
}

/* P35: reported once per value, by whoever meets the value first. */
static void
report_intrinsic (Validator  *v,
                  PwElement  *el,
                  JsonNode   *node,
                  const Path *path)
{
  const char *fn = intrinsic_name (node);

  if (v->cfn)
    check_intrinsic_form (v, el, node, path);

  if (v->cfn)
    report (v, "P35", NOTE, el, node, FALSE, path,
            _("value is a CloudFormation intrinsic (%s); it cannot be checked here"), fn);
  else
    report (v, "P35", ERR, el, node, FALSE, path,
            _("value is a CloudFormation intrinsic (%s); a pipeline file needs a literal "
              "value, so resolve it (or import the CloudFormation template instead)"), fn);
}

static inline guint
find_key (const char *const *keys,
          guint              n_allowed,
          const char        *name)
{
  guint i;

  for (i = 0; i < n_allowed; i++)
    if (name[0] == keys[i][0] && str_eq (keys[i] + 1, name + 1))
      break;

  return i;
}

static void
report_unknown_key (Validator          *v,
                    PwElement          *el,
                    JsonNode           *member,
                    const Path         *path,
                    const char         *name,
                    const char *const  *keys,
                    guint               n_allowed)
{
  g_autofree char *w = where (path);
  g_autofree char *expected = NULL;
  g_autofree char *hint = NULL;
  g_auto(GStrv) allowed = g_new0 (char *, n_allowed + 1);
  Suggest s = { name, NULL, 0 };

  for (guint j = 0; j < n_allowed; j++)
    {
      allowed[j] = g_strdup (kn (v, keys[j]));
      suggest_offer (&s, allowed[j]);
    }
  expected = join_list (v, (const char *const *)allowed, FALSE);
  hint = suggest_text (&s);

  if (v->cfn)
    report (v, "P25", ERR, el, member, TRUE, PATH_KEY (path, name),
            _("unknown key '%s' in %s%s; expected one of: %s (the resource schema allows no "
              "other properties: CloudFormation rejects the template)"),
            name, w, hint, expected);
  else
    report (v, "P25", ERR, el, member, TRUE, PATH_KEY (path, name),
            _("unknown key '%s' in %s%s; expected one of: %s"),
            name, w, hint, expected);

  if (s.best != NULL)
    {
      /* Translators: a one-click fix: rename a key */
      g_autofree char *label = g_strdup_printf (_("Rename to '%s'"), s.best);
      offer_fix (v, PW_FIX_RENAME_KEY, PATH_KEY (path, name), member, s.best, label);
    }
}

static gboolean
intrinsic_key (const char *name)
{
  switch (name[0])
    {
    case 'R':
      return strcmp (name, "Ref") == 0;
    case 'F':
      return strncmp (name, "Fn::", 4) == 0;
    case 'C':
      return strcmp (name, "Condition") == 0;
    default:
      return FALSE;
    }
}

/* Fills @members (indexed like @keys) with the known members of @object
 * (the mapping in @node) and reports the others. Only the first
 * @n_allowed keys are allowed here (the rest are CloudFormation-only).
 * Returns %FALSE when the mapping is a CloudFormation intrinsic, which is
 * reported instead: telling that apart here saves a second walk over
 * every mapping of the pipeline. */
static gboolean
collect (Validator          *v,
         PwElement          *el,
         JsonNode           *node,
         JsonObject         *object,
         const Path         *path,
         const char *const  *keys,
         guint               n_allowed,
         JsonNode          **members)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;
  const char *unknown = NULL;
  guint remaining = json_object_get_size (object);

  /* The ordered iterator looks every member up by name again; the plain
   * one walks the table, which matters at 2,500 actions. Stopping after
   * the last member saves scanning the empty rest of the table. */
  json_object_iter_init (&iter, object);
  while (remaining-- > 0 && json_object_iter_next (&iter, &name, &member))
    {
      guint i = find_key (keys, n_allowed, name);

      if (i < n_allowed)
        members[i] = member;
      else
        unknown = name;
    }

  if (unknown == NULL)
    return TRUE;

  if (json_object_get_size (object) == 1 && intrinsic_key (unknown))
    {
      v->uncertain = TRUE;
      report_intrinsic (v, el, node != NULL ? node : pw_element_get_raw (el), path);
      return FALSE;
    }

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    if (find_key (keys, n_allowed, name) == n_allowed)
      report_unknown_key (v, el, member, path, name, keys, n_allowed);

  return TRUE;
}

/* The mapping in @node with its known members, or NULL after saying why
 * there is none (another type, or an intrinsic). */
static JsonObject *
expect_mapping (Validator          *v,
                PwElement          *el,
                JsonNode           *node,
                const Path         *path,
                const char         *what,
                const char *const  *keys,
                guint               n_allowed,
                JsonNode          **members)
{
  JsonObject *object;

  if (node == NULL)
    return NULL;

  if (JSON_NODE_TYPE (node) != JSON_NODE_OBJECT)
    {
      report (v, "P26", ERR, el, node, FALSE, path,
              _("%s must be a mapping, but it is %s"), _(what), _pw_json_type_name (node));
      return NULL;
    }

  object = json_node_get_object (node);
  if (!collect (v, el, node, object, path, keys, n_allowed, members))
    return NULL;

  return object;
}

/* The mapping in @node, or NULL after saying why there is none. */
static JsonObject *
expect_object (Validator  *v,
               PwElement  *el,
               JsonNode   *node,
               const Path *path,
               const char *what)
{
  if (node == NULL)
    return NULL;

  if (is_intrinsic (node))
    {
      v->uncertain = TRUE;
      report_intrinsic (v, el, node, path);
      return NULL;
    }

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      report (v, "P26", ERR, el, node, FALSE, path,
              _("%s must be a mapping, but it is %s"), _(what), _pw_json_type_name (node));
      return NULL;
    }

  return json_node_get_object (node);
}

static JsonArray *
expect_array (Validator  *v,
              PwElement  *el,
              JsonNode   *node,
              const Path *path,
              const char *what)
{
  if (node == NULL)
    return NULL;

  if (is_intrinsic (node))
    {
      v->uncertain = TRUE;
      report_intrinsic (v, el, node, path);
      return NULL;
    }

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      report (v, "P26", ERR, el, node, FALSE, path,
              _("%s must be a list, but it is %s"), _(what), _pw_json_type_name (node));
      return NULL;
    }

  return json_node_get_array (node);
}

/* The string in @node. Anything else is reported: an intrinsic (P35), a
 * scalar that CloudFormation converts by itself (a note under @code), or
 * another type (an error under @code). */
static const char *
get_string (Validator  *v,
            PwElement  *el,
            JsonNode   *node,
            const Path *path,
            const char *what,
            const char *code)
{
  g_autofree char *text = NULL;

  if (node == NULL)
    return NULL;

  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);

  if (is_intrinsic (node))
    {
      report_intrinsic (v, el, node, path);
      return NULL;
    }

  text = _pw_json_scalar_to_string (node);
  if (text != NULL && v->cfn)
    report (v, code, NOTE, el, node, FALSE, path,
            _("%s %s is %s; CloudFormation accepts it, and the export will write the "
              "string '%s'"),
            _(what), text, _pw_json_type_name (node), text);
  else if (text != NULL)
    {
      report (v, code, ERR, el, node, FALSE, path,
              _("%s must be a string, but %s is %s; quote it: '%s'"),
              _(what), text, _pw_json_type_name (node), text);
      /* Translators: a one-click fix: make a number or boolean a string */
      offer_set_string (v, path, text, _("Quote it"));
    }
  else
    report (v, code, ERR, el, node, FALSE, path,
            _("%s must be a string, but it is %s"), _(what), _pw_json_type_name (node));

  return NULL;
}

/* An integer member. CloudFormation also takes a numeric string. */
static gboolean
get_int (Validator  *v,
         PwElement  *el,
         JsonNode   *node,
         const Path *path,
         const char *what,
         gint64     *value)
{
  if (node == NULL)
    return FALSE;

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *value = json_node_get_int (node);
      return TRUE;
    }

  if (is_intrinsic (node))
    {
      report_intrinsic (v, el, node, path);
      return FALSE;
    }

  if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *s = json_node_get_string (node);
      char *end = NULL;
      gint64 parsed;

      parsed = g_ascii_strtoll (s, &end, 10);
      if (s[0] != '\0' && end != NULL && *end == '\0' && (g_ascii_isdigit (s[0]) || s[0] == '-'))
        {
          if (v->cfn)
            {
              report (v, "P26", NOTE, el, node, FALSE, path,
                      _("%s is the string '%s'; CloudFormation accepts it, and the export "
                        "will write the number %" G_GINT64_FORMAT),
                      _(what), s, parsed);
              *value = parsed;
              return TRUE;
            }

          report (v, "P26", ERR, el, node, FALSE, path,
                  _("%s must be an integer, not a string: write %" G_GINT64_FORMAT
                    " instead of '%s'"),
                  _(what), parsed, s);
          {
            g_autoptr(JsonNode) number = json_node_new (JSON_NODE_VALUE);
            /* Translators: a one-click fix: turn '2' into 2 */
            g_autofree char *label = g_strdup_printf (_("Write %" G_GINT64_FORMAT), parsed);

            json_node_set_int (number, parsed);
            offer_fix (v, PW_FIX_SET, path, number, NULL, label);
          }
          return FALSE;
        }
    }

  report (v, "P26", ERR, el, node, FALSE, path,
          _("%s must be an integer, but it is %s"), _(what), _pw_json_type_name (node));
  return FALSE;
}

static inline gboolean
char_ok (Chars  chars,
         guchar c)
{
  return chars == CHARS_ANY || (char_classes[c] & chars) != 0;
}

static const char *
chars_description (Chars chars)
{
  switch (chars)
    {
    case CHARS_NAME:
      return _("letters, digits and . @ - _");
    case CHARS_ARTIFACT:
    case CHARS_PROVIDER:
      return _("letters, digits, - and _");
    case CHARS_NAMESPACE:
      return _("letters, digits, @, - and _");
    case CHARS_BUCKET:
      return _("letters, digits, - and .");
    case CHARS_ENV_NAME:
      return _("letters, digits and _");
    case CHARS_REASON:
      return _("letters, digits, spaces and ! @ ( ) . * ? -");
    case CHARS_ANY:
    default:
      return "";
    }
}

/* Length (in characters, as the API counts) and pattern of a string that
 * is already known to be one. Returns whether it is fine. */
static gboolean
check_text (Validator  *v,
            PwElement  *el,
            JsonNode   *node,
            const Path *path,
            const char *what,
            const char *s,
            guint       min,
            guint       max,
            Chars       chars,
            gboolean    required,
            const char *code)
{
  gsize bytes = strlen (s);

  if (bytes == 0 && min > 0)
    {
      if (required)
        report (v, "P01", ERR, el, node, FALSE, path,
                _("%s is empty; give it a value"), _(what));
      else
        report (v, code, ERR, el, node, FALSE, path,
                _("%s is empty; it needs at least %u character(s), or leave it out"), _(what), min);
      return FALSE;
    }

  if (bytes > max)
    {
      glong n = g_utf8_strlen (s, -1);

      if (n > (glong)max)
        {
          report (v, code, ERR, el, node, FALSE, path,
                  _("%s has %ld characters; at most %u are allowed"), _(what), n, max);
          return FALSE;
        }
    }
  else if (min > 1 && bytes < min && (guint)g_utf8_strlen (s, -1) < min)
    {
      report (v, code, ERR, el, node, FALSE, path,
              _("%s '%s' is too short; it needs at least %u characters"), _(what), s, min);
      return FALSE;
    }

  if (chars != CHARS_ANY)
    {
      for (const char *p = s; *p != '\0'; p++)
        {
          if (!char_ok (chars, (guchar)*p))
            {
              char buf[8] = { 0 };
              g_autofree char *shown = NULL;

              if ((guchar)*p >= 0x80 && g_utf8_validate (p, -1, NULL))
                g_unichar_to_utf8 (g_utf8_get_char (p), buf);
              else
                buf[0] = *p;
              shown = g_strescape (buf, NULL);

              report (v, code, ERR, el, node, FALSE, path,
                      _("%s '%s' contains '%s', which is not allowed; use only %s"),
                      _(what), s, shown, chars_description (chars));
              return FALSE;
            }
        }
    }

  return TRUE;
}

/* A string member with its constraints: returns the string when it is one
 * (even if too long or malformed, so later checks can still use it). */
static const char *
check_string (Validator  *v,
              PwElement  *el,
              JsonNode   *node,
              const Path *path,
              const char *what,
              guint       min,
              guint       max,
              Chars       chars,
              gboolean    required,
              const char *code)
{
  const char *s = get_string (v, el, node, path, what, "P26");

  if (s != NULL)
    check_text (v, el, node, path, what, s, min, max, chars, required, code);

  return s;
}

static const char *
check_enum (Validator          *v,
            PwElement          *el,
            JsonNode           *node,
            const Path         *path,
            const char         *what,
            const char *const  *allowed,
            const char         *code)
{
  const char *s = get_string (v, el, node, path, what, "P26");

  if (s != NULL && !in_list (allowed, s))
    {
      g_autofree char *list = join_list (v, allowed, FALSE);
      g_autofree char *hint = NULL;
      Suggest sg = { s, NULL, 0 };

      for (guint i = 0; allowed[i] != NULL; i++)
        suggest_offer (&sg, allowed[i]);
      hint = suggest_text (&sg);

      report (v, code, ERR, el, node, FALSE, path,
              _("%s '%s' is not allowed%s; use one of: %s"), _(what), s, hint, list);
      return NULL;
    }

  return s;
}

/* `arn:aws(-[\w]+)*:iam::[0-9]{12}:role/.*`, up to 1024 characters. */
static gboolean
role_arn_ok (const char *s)
{
  const char *p = s;

  if (strncmp (p, "arn:aws", 7) != 0)
    return FALSE;
  p += 7;

  while (*p == '-')
    {
      const char *start = ++p;

      while (g_ascii_isalnum (*p) || *p == '_')
        p++;
      if (p == start)
        return FALSE;
    }

  if (strncmp (p, ":iam::", 6) != 0)
    return FALSE;
  p += 6;

  for (guint i = 0; i < 12; i++, p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;

  if (strncmp (p, ":role/", 6) != 0)
    return FALSE;

  /* `.` does not match a line break */
  return strpbrk (p, "\r\n") == NULL;
}

static void
check_role_arn (Validator  *v,
                PwElement  *el,
                JsonNode   *node,
                const Path *path,
                const char *what,
                gboolean    required)
{
  const char *s = get_string (v, el, node, path, what, "P26");

  if (s == NULL)
    return;

  if (s[0] == '\0')
    {
      if (required)
        report (v, "P01", ERR, el, node, FALSE, path,
                _("%s is empty; give the ARN of an IAM role"), _(what));
      else
        report (v, "P27", ERR, el, node, FALSE, path,
                _("%s is empty; give the ARN of an IAM role or leave it out"), _(what));
    }
  else if (g_utf8_strlen (s, -1) > 1024)
    report (v, "P27", ERR, el, node, FALSE, path,
            _("%s has more than 1024 characters"), _(what));
  else if (!role_arn_ok (s))
    report (v, "P27", ERR, el, node, FALSE, path,
            _("%s '%s' is not an IAM role ARN; it must look like "
              "arn:aws:iam::111122223333:role/role-name"),
            _(what), s);
}

static const char *
v2_hint (Validator *v)
{
  JsonNode *type = v->pm[P_PIPELINE_TYPE];

  if (v->cfn)
    return type != NULL ? _("set PipelineType to V2") : _("add PipelineType: V2 to the pipeline");

  return type != NULL ? _("set pipelineType to V2") : _("add `pipelineType: V2` to the pipeline");
}

/* P18: @what is a V2 feature. */
static void
need_v2 (Validator  *v,
         PwElement  *el,
         JsonNode   *node,
         gboolean    key,
         const Path *path,
         const char *what)
{
  if (v->v2)
    return;

  report (v, "P18", ERR, el, node, key, path,
          v->pm[P_PIPELINE_TYPE] != NULL
            ? _("%s needs a V2 pipeline, but %s is V1; %s")
            : _("%s needs a V2 pipeline, but %s is not set (so it is V1); %s"),
          _(what), kn (v, "pipelineType"), v2_hint (v));
}

/* P18 for a member that exists only in V2 pipelines. */
static void
need_v2_member (Validator  *v,
                PwElement  *el,
                JsonNode   *node,
                const Path *path,
                const char *key)
{
  g_autofree char *what = NULL;

  if (v->v2)
    return;

  what = g_strdup_printf ("'%s'", kn (v, key));
  need_v2 (v, el, node, TRUE, path, what);
}

/* Scalars are fine in CloudFormation for a boolean property. */
static void
check_boolean (Validator  *v,
               PwElement  *el,
               JsonNode   *node,
               const Path *path,
               const char *what)
{
  const char *s;

  if (node == NULL)
    return;

  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return;

  if (is_intrinsic (node))
    {
      report_intrinsic (v, el, node, path);
      return;
    }

  s = literal_string (node);
  if (s != NULL && (g_ascii_strcasecmp (s, "true") == 0 || g_ascii_strcasecmp (s, "false") == 0))
    return;

  report (v, "P26", ERR, el, node, FALSE, path,
          _("%s must be true or false, but it is %s"), _(what), _pw_json_type_name (node));
}

/* Ordering */

/* What a finding calls an action: its name, or the intrinsic that gives
 * it one (`!Ref BuildName`). */
static const char *
action_label (const ActionInfo *a)
{
  return a->name != NULL ? a->name : a->label != NULL ? a->label : "?";
}

static char *
describe_action (const ActionInfo *a)
{
  if (a->name != NULL)
    return g_strdup_printf ("stages[%u].actions[%u] ('%s')", a->stage, a->index, a->name);

  return g_strdup_printf ("stages[%u].actions[%u]", a->stage, a->index);
}

static Visibility
visibility (const ActionInfo *producer,
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

static const char *
stage_label (Validator *v,
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
static char *
explain_hidden (Validator        *v,
                const ActionInfo *producer,
                const ActionInfo *consumer,
                guint             stage,
                When              when,
                Visibility        vis)
{
  const char *p = action_label (producer);
  const char *c = consumer != NULL ? action_label (consumer) : NULL;

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
                                stage_label (v, stage));
      return g_strdup_printf (_("'%s' is in stage '%s', which runs later — move the producer "
                                "to an earlier stage, or the consumer to a later one"),
                              p, stage_label (v, producer->stage));

    case VISIBLE:
    default:
      return g_strdup ("");
    }
}

/* Document level: tags, metadata, unknown keys */

static void
validate_tags (Validator *v,
               JsonNode  *node)
{
  PwElement *el = v->pel;
  const Path *path = PATH_KEY (NULL, "tags");
  JsonArray *array = expect_array (v, el, node, path, N_("tags"));
  g_autoptr(GHashTable) seen = NULL;
  guint n;

  if (array == NULL)
    return;

  n = json_array_get_length (array);
  if (n > 50)
    report (v, "P33", ERR, el, node, FALSE, path,
            _("the pipeline has %u tags; at most 50 are allowed"), n);

  seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      const Path *ipath = PATH_INDEX (path, i);
      JsonNode *m[3] = { NULL, };
      JsonObject *object = expect_mapping (v, el, item, ipath, N_("a tag"), tag_keys, 2, m);
      const char *key;

      if (object == NULL)
        continue;


      if (m[0] == NULL)
        report (v, "P01", ERR, el, item, FALSE, ipath, _("tag has no %s"), kn (v, "key"));
      if (m[1] == NULL)
        report (v, "P01", ERR, el, item, FALSE, ipath,
                _("tag has no %s; give an empty string if it has no value"), kn (v, "value"));

      key = check_string (v, el, m[0], PATH_KEY (ipath, "key"), N_("tag key"), 1, 128, CHARS_ANY,
                          TRUE, "P27");
      check_string (v, el, m[1], PATH_KEY (ipath, "value"), N_("tag value"), 0, 256, CHARS_ANY,
                    FALSE, "P27");

      if (key != NULL)
        {
          gpointer first;

          if (g_hash_table_lookup_extended (seen, key, NULL, &first))
            report (v, "P33", ERR, el, m[0], FALSE, PATH_KEY (ipath, "key"),
                    _("tag key '%s' is already used by tags[%u]; tag keys must be unique "
                      "(case-sensitive)"),
                    key, GPOINTER_TO_UINT (first));
          else
            g_hash_table_insert (seen, (gpointer)key, GUINT_TO_POINTER (i));
        }
    }
}

static void
validate_document (Validator *v)
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
        report (v, "P25", NOTE, v->pel, member, TRUE, PATH_KEY (NULL, name),
                _("'metadata' is part of a get-pipeline response, not of a pipeline "
                  "declaration; the export leaves it out"));
      else if (g_str_equal (name, "metadata"))
        report (v, "P25", ERR, v->pel, member, TRUE, PATH_KEY (NULL, name),
                _("unknown key 'metadata' at the top of the file; expected one of: pipeline, "
                  "tags ('metadata' comes from get-pipeline, and create-pipeline rejects it — "
                  "remove it)"));
      else
        {
          Suggest s = { name, NULL, 0 };
          g_autofree char *hint = NULL;

          suggest_offer (&s, "pipeline");
          suggest_offer (&s, "tags");
          hint = suggest_text (&s);
          report (v, "P25", ERR, v->pel, member, TRUE, PATH_KEY (NULL, name),
                  _("unknown key '%s' at the top of the file%s; expected one of: pipeline, tags"),
                  name, hint);
        }
    }
}

/* Artifact stores */

static void
validate_store (Validator  *v,
                JsonNode   *node,
                const Path *path)
{
  PwElement *el = v->pel;
  JsonNode *m[3] = { NULL, };
  JsonObject *object = expect_mapping (v, el, node, path, N_("an artifact store"),
                                       store_keys, 3, m);

  if (object == NULL)
    return;


  if (m[0] == NULL)
    report (v, "P01", ERR, el, node, FALSE, path,
            _("artifact store has no %s; set it to S3"), kn (v, "type"));
  else
    check_enum (v, el, m[0], PATH_KEY (path, "type"), N_("artifact store type"),
                (const char *const[]) { "S3", NULL }, "P27");

  if (m[1] == NULL)
    report (v, "P01", ERR, el, node, FALSE, path,
            _("artifact store has no %s; give the name of its S3 bucket"), kn (v, "location"));
  else
    check_string (v, el, m[1], PATH_KEY (path, "location"), N_("artifact bucket name"), 3, 63,
                  CHARS_BUCKET, TRUE, "P27");

  if (m[2] != NULL)
    {
      const Path *kpath = PATH_KEY (path, "encryptionKey");
      JsonNode *k[2] = { NULL, };
      JsonObject *key = expect_mapping (v, el, m[2], kpath, N_("encryptionKey"), key_keys, 2, k);

      if (key == NULL)
        return;

      if (k[0] == NULL)
        report (v, "P01", ERR, el, m[2], FALSE, kpath,
                _("encryptionKey has no %s; give a KMS key id, key ARN or alias ARN"),
                kn (v, "id"));
      else
        check_string (v, el, k[0], PATH_KEY (kpath, "id"), N_("encryption key id"), 1, 400,
                      CHARS_ANY, TRUE, "P27");

      if (k[1] == NULL)
        report (v, "P01", ERR, el, m[2], FALSE, kpath,
                _("encryptionKey has no %s; set it to KMS"), kn (v, "type"));
      else
        check_enum (v, el, k[1], PATH_KEY (kpath, "type"), N_("encryption key type"),
                    (const char *const[]) { "KMS", NULL }, "P27");
    }
}

static void
validate_stores (Validator *v)
{
  PwElement *el = v->pel;
  JsonNode *single = v->pm[P_ARTIFACT_STORE];
  JsonNode *multi = v->pm[P_ARTIFACT_STORES];
  const Path *path = PATH_KEY (NULL, "artifactStores");

  if (single != NULL && multi != NULL)
    report (v, "P02", ERR, el, multi, TRUE, path,
            _("the pipeline has both %s and %s; keep exactly one: %s for a single-region "
              "pipeline, %s when actions run in other regions"),
            kn (v, "artifactStore"), kn (v, "artifactStores"), kn (v, "artifactStore"),
            kn (v, "artifactStores"));
  else if (single == NULL && multi == NULL)
    report (v, "P02", ERR, el, NULL, FALSE, NULL,
            _("the pipeline has no artifact store; add %s (an S3 bucket for the artifacts), "
              "or %s with one per region"),
            kn (v, "artifactStore"), kn (v, "artifactStores"));

  if (single != NULL)
    validate_store (v, single, PATH_KEY (NULL, "artifactStore"));

  if (multi == NULL)
    return;

  if (is_intrinsic (multi))
    {
      v->uncertain = TRUE;
      report_intrinsic (v, el, multi, path);
      return;
    }

  if (JSON_NODE_HOLDS_OBJECT (multi))
    {
      JsonObjectIter iter;
      const char *region;
      JsonNode *store;

      v->stores = json_node_get_object (multi);
      if (json_object_get_size (v->stores) == 0)
        report (v, "P02", ERR, el, multi, FALSE, path,
                _("artifactStores is empty; give one artifact store per region"));

      json_object_iter_init_ordered (&iter, v->stores);
      while (json_object_iter_next_ordered (&iter, &region, &store))
        {
          const Path *rpath = PATH_KEY (path, region);
          glong len = g_utf8_strlen (region, -1);

          if (len < 4 || len > 30)
            report (v, "P27", ERR, el, store, TRUE, rpath,
                    _("artifactStores key '%s' is not a region name (4 to 30 characters, "
                      "like us-east-1)"),
                    region);
          validate_store (v, store, rpath);
        }
    }
  else if (v->cfn && JSON_NODE_HOLDS_ARRAY (multi))
    {
      /* The import keeps CloudFormation's list when a Region is not a
       * literal string; check what can be checked. */
      JsonArray *list = json_node_get_array (multi);

      v->stores_list = TRUE;
      v->store_regions = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; i < json_array_get_length (list); i++)
        {
          JsonNode *item = json_array_get_element (list, i);
          const Path *ipath = PATH_INDEX (path, i);
          JsonNode *m[2] = { NULL, };
          JsonObject *object = expect_mapping (v, el, item, ipath, N_("an artifactStores item"),
                                               cfn_store_keys, 2, m);
          const char *region;

          if (object == NULL)
            continue;

          if (m[0] == NULL)
            report (v, "P01", ERR, el, item, FALSE, ipath, _("artifactStores item has no Region"));
          if (m[1] == NULL)
            report (v, "P01", ERR, el, item, FALSE, ipath,
                    _("artifactStores item has no ArtifactStore"));
          region = check_string (v, el, m[0], PATH_KEY (ipath, "region"), N_("region"), 4, 30,
                                 CHARS_ANY, TRUE, "P27");
          if (region != NULL)
            g_hash_table_insert (v->store_regions, (gpointer)region, m[0]);
          else
            v->uncertain = TRUE;
          if (m[1] != NULL)
            validate_store (v, m[1], PATH_KEY (ipath, "artifactStore"));
        }
    }
  else
    report (v, "P26", ERR, el, multi, FALSE, path,
            _("artifactStores must be a mapping of region to artifact store, but it is %s"),
            _pw_json_type_name (multi));
}

/* Pipeline variables (V2) */

static void
validate_variables (Validator *v)
{
  PwElement *el = v->pel;
  JsonNode *node = v->pm[P_VARIABLES];
  const Path *path = PATH_KEY (NULL, "variables");
  JsonArray *array;
  guint n;

  if (node == NULL)
    return;

  need_v2_member (v, el, node, path, "variables");

  if ((array = expect_array (v, el, node, path, N_("variables"))) == NULL)
    {
      v->variables_uncertain = TRUE;
      return;
    }

  n = json_array_get_length (array);
  if (n > 50)
    report (v, "P32", ERR, el, node, FALSE, path,
            _("the pipeline declares %u variables; at most 50 are allowed"), n);

  v->variables = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      const Path *ipath = PATH_INDEX (path, i);
      JsonNode *m[3] = { NULL, };
      JsonObject *object = expect_mapping (v, el, item, ipath, N_("a variable"),
                                           variable_keys, 3, m);
      const char *name;

      if (object == NULL)
        {
          v->variables_uncertain = TRUE;
          continue;
        }

      if (m[0] == NULL)
        {
          report (v, "P01", ERR, el, item, FALSE, ipath, _("variable has no %s"), kn (v, "name"));
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
        report (v, "P32", ERR, el, m[0], FALSE, PATH_KEY (ipath, "name"),
                _("variable '%s' is declared twice; variable names must be unique"), name);
      else
        g_hash_table_add (v->variables, (gpointer)name);
    }
}

/* Stage conditions (V2) */

static void validate_refs (Validator        *v,
                           PwElement        *el,
                           JsonNode         *node,
                           const Path       *path,
                           const ActionInfo *consumer,
                           guint             stage,
                           When              when);

static void resolve_input (Validator        *v,
                           PwElement        *el,
                           JsonNode         *name_node,
                           const Path       *npath,
                           const char       *name,
                           guint32           found,
                           const ActionInfo *consumer,
                           guint             stage,
                           When              when);

static void check_input_artifacts (Validator        *v,
                                   PwElement        *el,
                                   JsonNode         *node,
                                   const Path       *path,
                                   const ActionInfo *consumer,
                                   guint             stage,
                                   When              when);

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
    report (v, "P19", ERR, el, node, FALSE, path,
            _("the first stage cannot roll back: there is no earlier successful source "
              "revision to return to; use FAIL or RETRY"));
  else if (v->parallel)
    report (v, "P19", ERR, el, node, FALSE, path,
            _("stage rollback is not available when executionMode is PARALLEL; use FAIL or "
              "RETRY, or another execution mode"));
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
  JsonObject *object = expect_mapping (v, el, node, path, N_("a rule"), rule_keys, N_R, m);

  if (object == NULL)
    return;


  if (m[R_NAME] == NULL)
    report (v, "P01", ERR, el, node, FALSE, path, _("rule has no %s"), kn (v, "name"));
  else
    check_string (v, el, m[R_NAME], PATH_KEY (path, "name"), N_("rule name"), 1, 100, CHARS_NAME,
                  TRUE, "P27");

  if (m[R_TYPE_ID] == NULL)
    report (v, "P01", ERR, el, node, FALSE, path,
            _("rule has no %s; give {category: Rule, owner: AWS, provider, version}"),
            kn (v, "ruleTypeId"));
  else
    {
      const Path *tpath = PATH_KEY (path, "ruleTypeId");
      JsonNode *t[N_T] = { NULL, };
      JsonObject *type = expect_mapping (v, el, m[R_TYPE_ID], tpath, N_("ruleTypeId"),
                                         type_id_keys, N_T, t);

      if (type != NULL)
        {
          const char *s;


          if (t[T_CATEGORY] == NULL)
            report (v, "P01", ERR, el, m[R_TYPE_ID], FALSE, tpath,
                    _("ruleTypeId has no %s; set it to Rule"), kn (v, "category"));
          else if ((s = get_string (v, el, t[T_CATEGORY], PATH_KEY (tpath, "category"),
                                    N_("rule category"), "P26")) != NULL &&
                   strcmp (s, "Rule") != 0)
            report (v, "P34", ERR, el, t[T_CATEGORY], FALSE, PATH_KEY (tpath, "category"),
                    _("rule category '%s' is not allowed; the only rule category is Rule"), s);

          if (t[T_OWNER] != NULL &&
              (s = get_string (v, el, t[T_OWNER], PATH_KEY (tpath, "owner"), N_("rule owner"),
                               "P26")) != NULL &&
              strcmp (s, "AWS") != 0)
            report (v, "P34", ERR, el, t[T_OWNER], FALSE, PATH_KEY (tpath, "owner"),
                    _("rule owner '%s' is not allowed; rules are owned by AWS"), s);

          if (t[T_PROVIDER] == NULL)
            report (v, "P01", ERR, el, m[R_TYPE_ID], FALSE, tpath,
                    _("ruleTypeId has no %s (VariableCheck, CloudWatchAlarm, LambdaInvoke, "
                      "DeploymentWindow, Commands, …)"),
                    kn (v, "provider"));
          else
            check_string (v, el, t[T_PROVIDER], PATH_KEY (tpath, "provider"), N_("rule provider"),
                          1, 35, CHARS_PROVIDER, TRUE, "P27");

          if (t[T_VERSION] != NULL)
            {
              const char *version = get_string (v, el, t[T_VERSION], PATH_KEY (tpath, "version"),
                                                N_("rule version"), "P21");

              if (version != NULL)
                check_text (v, el, t[T_VERSION], PATH_KEY (tpath, "version"), N_("rule version"),
                            version, 1, 9, CHARS_PROVIDER, TRUE, "P27");
            }
        }
    }

  if (m[R_CONFIGURATION] != NULL)
    {
      const Path *cpath = PATH_KEY (path, "configuration");
      JsonObject *config = expect_object (v, el, m[R_CONFIGURATION], cpath,
                                          N_("rule configuration"));

      if (config != NULL)
        {
          JsonObjectIter iter;
          const char *key;
          JsonNode *value;

          if (json_object_get_size (config) > 200)
            report (v, "P16", ERR, el, m[R_CONFIGURATION], FALSE, cpath,
                    _("rule configuration has %u keys; at most 200 are allowed"),
                    json_object_get_size (config));

          json_object_iter_init_ordered (&iter, config);
          while (json_object_iter_next_ordered (&iter, &key, &value))
            {
              const Path *kpath = PATH_KEY (cpath, key);
              const char *s;

              if (key[0] == '\0' || g_utf8_strlen (key, -1) > 50)
                report (v, "P16", ERR, el, value, TRUE, kpath,
                        _("configuration key '%s' must have 1 to 50 characters"), key);

              s = get_string (v, el, value, kpath, N_("configuration value"), "P20");
              if (s == NULL)
                continue;
              check_text (v, el, value, kpath, N_("configuration value"), s, 1, 10000,
                          CHARS_ANY, FALSE, "P16");
              validate_refs (v, el, value, kpath, NULL, stage, when);
            }
        }
    }

  if (m[R_COMMANDS] != NULL)
    {
      const Path *cpath = PATH_KEY (path, "commands");
      JsonArray *commands = expect_array (v, el, m[R_COMMANDS], cpath, N_("commands"));
      guint n = commands != NULL ? json_array_get_length (commands) : 0;

      if (commands != NULL && (n < 1 || n > 50))
        report (v, "P34", ERR, el, m[R_COMMANDS], FALSE, cpath,
                _("a rule has 1 to 50 commands, but this one has %u"), n);

      for (guint i = 0; i < n; i++)
        {
          JsonNode *item = json_array_get_element (commands, i);
          const Path *ipath = PATH_INDEX (cpath, i);
          const char *s = get_string (v, el, item, ipath, N_("command"), "P26");

          if (s == NULL)
            continue;
          check_text (v, el, item, ipath, N_("command"), s, 1, 1000, CHARS_ANY, FALSE, "P34");
          validate_refs (v, el, item, ipath, NULL, stage, when);
        }
    }

  if (m[R_INPUTS] != NULL)
    check_input_artifacts (v, el, m[R_INPUTS], PATH_KEY (path, "inputArtifacts"), NULL, stage,
                           when);

  if (m[R_ROLE_ARN] != NULL)
    check_role_arn (v, el, m[R_ROLE_ARN], PATH_KEY (path, "roleArn"), N_("rule roleArn"), FALSE);

  if (m[R_REGION] != NULL)
    check_string (v, el, m[R_REGION], PATH_KEY (path, "region"), N_("rule region"), 4, 30,
                  CHARS_ANY, FALSE, "P27");

  if (m[R_TIMEOUT] != NULL)
    {
      gint64 minutes;

      if (get_int (v, el, m[R_TIMEOUT], PATH_KEY (path, "timeoutInMinutes"),
                   N_("rule timeoutInMinutes"), &minutes) &&
          (minutes < 5 || minutes > 86400))
        report (v, "P27", ERR, el, m[R_TIMEOUT], FALSE, PATH_KEY (path, "timeoutInMinutes"),
                _("rule timeoutInMinutes is %" G_GINT64_FORMAT "; it must be from 5 to 86400"),
                minutes);
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
  JsonObject *object = expect_mapping (v, el, node, path, N_("a condition"), condition_keys, 2, m);
  const char *result = NULL;

  if (object == NULL)
    return;


  if (m[0] != NULL)
    result = check_enum (v, el, m[0], PATH_KEY (path, "result"), N_("condition result"), results,
                         "P27");

  if (result != NULL)
    {
      if (when == WHEN_BEFORE_ENTRY && strcmp (result, "FAIL") != 0 &&
          strcmp (result, "SKIP") != 0)
        report (v, "P34", ERR, el, m[0], FALSE, PATH_KEY (path, "result"),
                _("a beforeEntry condition can only FAIL or SKIP the stage, not %s"), result);
      else if (when == WHEN_ON_SUCCESS && strcmp (result, "FAIL") != 0 &&
               strcmp (result, "ROLLBACK") != 0)
        report (v, "P34", ERR, el, m[0], FALSE, PATH_KEY (path, "result"),
                _("an onSuccess condition can only FAIL or ROLLBACK the stage, not %s"), result);
      else
        check_rollback (v, el, m[0], PATH_KEY (path, "result"), result, stage);
    }

  if (m[1] == NULL)
    report (v, "P34", ERR, el, node, FALSE, path,
            _("condition has no %s; give 1 to 5 rules"), kn (v, "rules"));
  else
    {
      const Path *rpath = PATH_KEY (path, "rules");
      JsonArray *list = expect_array (v, el, m[1], rpath, N_("rules"));
      guint n;

      if (list == NULL)
        return;

      n = json_array_get_length (list);
      if (n < 1 || n > 5)
        report (v, "P34", ERR, el, m[1], FALSE, rpath,
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
        report (v, "P34", ERR, el, owner, FALSE, path,
                _("%s needs %s with exactly one condition"),
                kn (v, when == WHEN_ON_SUCCESS ? "onSuccess" : "beforeEntry"),
                kn (v, "conditions"));
      return;
    }

  if ((list = expect_array (v, el, node, cpath, N_("conditions"))) == NULL)
    return;

  n = json_array_get_length (list);
  if (n != 1)
    report (v, "P34", ERR, el, node, FALSE, cpath,
            when == WHEN_ON_FAILURE
              ? _("%s takes at most one condition (with its rules), but it has %u")
              : _("%s takes exactly one condition (with its rules), but it has %u"),
            kn (v, when == WHEN_ON_FAILURE ? "onFailure"
                   : when == WHEN_ON_SUCCESS ? "onSuccess" : "beforeEntry"),
            n);

  for (guint i = 0; i < n; i++)
    validate_condition (v, el, json_array_get_element (list, i), PATH_INDEX (cpath, i), stage,
                        when);
}

static void
validate_stage_conditions (Validator  *v,
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

      need_v2_member (v, el, node, path, "onFailure");
      if ((object = expect_mapping (v, el, node, path, N_("onFailure"),
                                    failure_keys, 3, m)) != NULL)
        {

          if (m[0] != NULL)
            {
              result = check_enum (v, el, m[0], PATH_KEY (path, "result"), N_("onFailure result"),
                                   results, "P27");
              check_rollback (v, el, m[0], PATH_KEY (path, "result"), result, stage);
            }

          if (m[1] != NULL)
            {
              const Path *rpath = PATH_KEY (path, "retryConfiguration");
              JsonNode *r[1] = { NULL, };
              JsonObject *retry = expect_mapping (v, el, m[1], rpath, N_("retryConfiguration"),
                                                  retry_keys, 1, r);

              if (result != NULL && strcmp (result, "RETRY") != 0)
                report (v, "P34", ERR, el, m[1], TRUE, rpath,
                        _("retryConfiguration only applies with result RETRY, but result is "
                          "%s; remove it or set result to RETRY"),
                        result);
              else if (result == NULL && m[0] == NULL)
                report (v, "P34", ERR, el, m[1], TRUE, rpath,
                        _("retryConfiguration only applies with result RETRY; add "
                          "result: RETRY"));

              if (retry != NULL)
                {
                  if (r[0] != NULL)
                    check_enum (v, el, r[0], PATH_KEY (rpath, "retryMode"), N_("retryMode"),
                                retry_modes, "P27");
                }
            }

          validate_condition_list (v, el, node, m[2], path, stage, WHEN_ON_FAILURE);
        }
    }

  if (st->m[S_ON_SUCCESS] != NULL)
    {
      const Path *path = PATH_KEY (spath, "onSuccess");
      JsonObject *object;
      JsonNode *m[1] = { NULL, };

      need_v2_member (v, el, st->m[S_ON_SUCCESS], path, "onSuccess");
      if ((object = expect_mapping (v, el, st->m[S_ON_SUCCESS], path, N_("onSuccess"),
                                    success_keys, 1, m)) != NULL)
        {
          validate_condition_list (v, el, st->m[S_ON_SUCCESS], m[0], path, stage,
                                   WHEN_ON_SUCCESS);
        }
    }

  if (st->m[S_BEFORE_ENTRY] != NULL)
    {
      const Path *path = PATH_KEY (spath, "beforeEntry");
      JsonObject *object;
      JsonNode *m[1] = { NULL, };

      need_v2_member (v, el, st->m[S_BEFORE_ENTRY], path, "beforeEntry");
      if ((object = expect_mapping (v, el, st->m[S_BEFORE_ENTRY], path, N_("beforeEntry"),
                                    success_keys, 1, m)) != NULL)
        {
          validate_condition_list (v, el, st->m[S_BEFORE_ENTRY], m[0], path, stage,
                                   WHEN_BEFORE_ENTRY);
        }
    }
}

/* Actions, first pass: shape, types, values, provider rules */

static Kind
kind_of (const PwProviderInfo *info)
{
  const char *p = info->provider;

  if (strcmp (info->category, "Source") == 0)
    return strcmp (p, "CodeCommit") == 0 || strcmp (p, "S3") == 0 || strcmp (p, "GitHub") == 0
             ? KIND_POLLING_SOURCE : KIND_SOURCE;
  if (strcmp (p, "CloudFormation") == 0)
    return KIND_CLOUDFORMATION;
  if (strcmp (p, "CloudFormationStackSet") == 0)
    return KIND_STACK_SET;
  if (strcmp (p, "CodeBuild") == 0)
    return KIND_CODEBUILD;
  if (strcmp (p, "S3") == 0)
    return KIND_S3_DEPLOY;
  if (strcmp (p, "StepFunctions") == 0)
    return KIND_STEP_FUNCTIONS;
  if (strcmp (p, "ServiceCatalog") == 0)
    return KIND_SERVICE_CATALOG;
  if (strcmp (p, "CodeDeployToECS") == 0)
    return KIND_ECS_BLUE_GREEN;
  if (strcmp (p, "Commands") == 0)
    return KIND_COMMANDS;
  if (strcmp (p, "Manual") == 0)
    return KIND_MANUAL;

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

static void
check_type_id (Validator  *v,
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
      report (v, "P01", ERR, el, NULL, FALSE, apath,
              _("action '%s' has no %s; give its category, owner, provider and version"),
              action_label (a), kn (v, "actionTypeId"));
      v->uncertain = TRUE;
      return;
    }

  if ((object = expect_mapping (v, el, node, tpath, N_("actionTypeId"),
                                type_id_keys, N_T, t)) == NULL)
    return;


  for (guint i = 0; i < N_T; i++)
    if (t[i] == NULL)
      report (v, "P01", ERR, el, node, FALSE, tpath,
              _("actionTypeId has no %s"), kn (v, type_id_keys[i]));

  a->category = check_enum (v, el, t[T_CATEGORY], PATH_KEY (tpath, "category"), N_("category"),
                            categories, "P27");
  a->owner = check_enum (v, el, t[T_OWNER], PATH_KEY (tpath, "owner"), N_("owner"), owners,
                         "P27");
  a->provider = check_string (v, el, t[T_PROVIDER], PATH_KEY (tpath, "provider"), N_("provider"),
                              1, 35, CHARS_PROVIDER, TRUE, "P27");

  if (t[T_VERSION] != NULL)
    {
      version = get_string (v, el, t[T_VERSION], PATH_KEY (tpath, "version"), N_("version"), "P21");
      if (version != NULL)
        check_text (v, el, t[T_VERSION], PATH_KEY (tpath, "version"), N_("version"), version, 1, 9,
                    CHARS_PROVIDER, TRUE, "P27");
    }

  a->cat = category_id (a->category);
  if (a->cat == CAT_COMPUTE)
    need_v2 (v, el, t[T_CATEGORY], FALSE, PATH_KEY (tpath, "category"),
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
        report (v, "P28", WARN, el, t[T_VERSION], FALSE, PATH_KEY (tpath, "version"),
                _("%s has only version '%s'; version '%s' does not exist"),
                a->provider, a->info->version, version);
      return;
    }

  if (strcmp (a->owner, "Custom") == 0)
    {
      report (v, "P28", NOTE, el, t[T_PROVIDER], FALSE, PATH_KEY (tpath, "provider"),
              _("'%s' is a custom action type; its artifact counts and configuration keys "
                "cannot be checked"),
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
          suggest_offer (&s, all[i].provider);
      }

    if (cats->len > 0)
      report (v, "P28", ERR, el, t[T_CATEGORY], FALSE, PATH_KEY (tpath, "category"),
              _("%s is a %s provider, not %s; change the category or the provider"),
              a->provider, cats->str, a->category);
    else if (other_owner != NULL)
      report (v, "P28", ERR, el, t[T_OWNER], FALSE, PATH_KEY (tpath, "owner"),
              _("%s actions are owned by %s, not %s"), a->provider, other_owner, a->owner);
    else
      {
        g_autofree char *hint = suggest_text (&s);

        /* AWS and ThirdParty action types are AWS's list: CreatePipeline
         * refuses one that is not on it. */
        if (strcmp (a->owner, "AWS") == 0 || strcmp (a->owner, "ThirdParty") == 0)
          report (v, "P28", ERR, el, t[T_PROVIDER], FALSE, PATH_KEY (tpath, "provider"),
                  _("unknown %s provider '%s' owned by %s%s; CreatePipeline refuses an action "
                    "type that does not exist"),
                  a->category, a->provider, a->owner, hint);
        else
          report (v, "P28", WARN, el, t[T_PROVIDER], FALSE, PATH_KEY (tpath, "provider"),
                  _("unknown %s provider '%s' owned by %s%s; its artifact counts and "
                    "configuration keys cannot be checked"),
                  a->category, a->provider, a->owner, hint);
        if (s.best != NULL)
          {
            /* Translators: a one-click fix: use the provider that was meant */
            g_autofree char *label = g_strdup_printf (_("Use '%s'"), s.best);
            offer_set_string (v, PATH_KEY (tpath, "provider"), s.best, label);
          }
      }
  }
}

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
      report (v, "P11", ERR, a->element, node, FALSE, PATH_KEY (cpath, key),
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

  report (v, "P11", ERR, a->element, node, FALSE, PATH_KEY (cpath, key),
          _("%s names the artifact '%s', which is not an input artifact of '%s'; add it to "
            "inputArtifacts or fix the name"),
          key, artifact, action_label (a));
}

static void
missing_key (Validator  *v,
             ActionInfo *a,
             const Path *apath,
             const char *key,
             const char *why)
{
  report (v, "P11", ERR, a->element, a->m[A_CONFIGURATION], FALSE,
          a->m[A_CONFIGURATION] != NULL ? PATH_KEY (apath, "configuration") : apath,
          _("%s action '%s' needs the configuration key '%s'%s"),
          a->provider, action_label (a), key, why[0] != '\0' ? _(why) : "");
  {
    /* Translators: a one-click fix: add a missing configuration key (empty,
     * for the user to fill in) */
    g_autofree char *label = g_strdup_printf (_("Add '%s'"), key);
    offer_set_string (v, PATH_KEY (PATH_KEY (apath, "configuration"), key), "", label);
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
      g_autofree char *list = join_list (v, allowed, FALSE);

      report (v, "P27", ERR, a->element, cfg_node (cfg, key), FALSE, PATH_KEY (cpath, key),
              _("%s '%s' is not allowed; use one of: %s"), key, s, list);
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
                report (v, "P27", ERR, a->element, cfg_node (cfg, "Capabilities"), FALSE,
                        PATH_KEY (cpath, "Capabilities"),
                        _("Capabilities '%s' is not a comma-separated list (no spaces) of "
                          "CAPABILITY_IAM, CAPABILITY_NAMED_IAM and CAPABILITY_AUTO_EXPAND"),
                        caps);
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
          check_text (v, a->element, project, PATH_KEY (cpath, "ProjectName"),
                      N_("CodeBuild project name"), project_name, 2, 255, CHARS_ARTIFACT, TRUE,
                      "P27") &&
          !g_ascii_isalnum (project_name[0]))
        report (v, "P27", ERR, a->element, project, FALSE, PATH_KEY (cpath, "ProjectName"),
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
        report (v, "P11", ERR, a->element, cfg_node (cfg, "CombineArtifacts"), FALSE,
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
            report (v, "P11", ERR, a->element, a->m[A_CONFIGURATION], FALSE, cpath,
                    _("InputType FilePath reads the input from an input artifact, but '%s' has "
                      "none; add one"),
                    action_label (a));
        }
    }
  else if (a->kind == KIND_SERVICE_CATALOG)
    {
      gboolean has_config_file = cfg_node (cfg, "ConfigurationFilePath") != NULL;
      gboolean has_template = cfg_node (cfg, "TemplateFilePath") != NULL &&
                              cfg_node (cfg, "ProductVersionName") != NULL &&
                              cfg_node (cfg, "ProductType") != NULL;

      if (!has_config_file && !has_template)
        report (v, "P11", ERR, a->element, a->m[A_CONFIGURATION], FALSE,
                a->m[A_CONFIGURATION] != NULL ? cpath : apath,
                _("ServiceCatalog action '%s' needs either ConfigurationFilePath, or all of "
                  "TemplateFilePath, ProductVersionName and ProductType"),
                action_label (a));
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
        report (v, "P41", WARN, a->element, member_of (a->m[A_TYPE_ID], "provider"), FALSE,
                PATH_KEY (PATH_KEY (apath, "actionTypeId"), "provider"),
                _("'%s' is a GitHub version 1 source action, which AWS no longer recommends "
                  "(it holds an OAuth token); use a CodeStarSourceConnection action (owner AWS, "
                  "provider CodeStarSourceConnection) with a CodeConnections connection instead"),
                action_label (a));

      /* P30: these sources poll unless told not to; a pipeline that also
       * has an EventBridge rule or webhook then starts twice per change. */
      if (a->kind == KIND_POLLING_SOURCE && cfg_node (cfg, "PollForSourceChanges") == NULL)
        report (v, "P30", WARN, a->element, a->m[A_CONFIGURATION], FALSE,
                a->m[A_CONFIGURATION] != NULL ? cpath : apath,
                _("PollForSourceChanges is not set, so '%s' polls its source (the default is "
                  "\"true\"); set PollForSourceChanges: \"false\" and start the pipeline from "
                  "an EventBridge rule or a webhook instead"),
                action_label (a));
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
      report (v, "P39", ERR, a->element, node, FALSE, path,
              _("EnvironmentVariables is not valid JSON (%s); write a JSON array such as "
                "[{\"name\":\"STAGE\",\"value\":\"prod\",\"type\":\"PLAINTEXT\"}]"),
              error->message);
      return;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      report (v, "P39", ERR, a->element, node, FALSE, path,
              _("EnvironmentVariables must be a JSON array of {\"name\", \"value\", \"type\"} "
                "objects, but it is %s"),
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
          report (v, "P39", ERR, a->element, node, FALSE, path,
                  _("EnvironmentVariables item %u must be an object with name, value and "
                    "type, but it is %s"),
                  i, _pw_json_type_name (item));
          continue;
        }

      object = json_node_get_object (item);
      json_object_iter_init_ordered (&iter, object);
      while (json_object_iter_next_ordered (&iter, &key, &value))
        {
          if (!in_list (env_keys, key))
            report (v, "P39", ERR, a->element, node, FALSE, path,
                    _("EnvironmentVariables item %u has the unknown key '%s'; use name, value "
                      "and type"),
                    i, key);
          else if (literal_string (value) == NULL)
            report (v, "P39", ERR, a->element, node, FALSE, path,
                    _("EnvironmentVariables item %u: %s must be a string, but it is %s"),
                    i, key, _pw_json_type_name (value));
        }

      name = literal_string (json_object_get_member (object, "name"));
      if (!json_object_has_member (object, "name") || (name != NULL && name[0] == '\0'))
        report (v, "P39", ERR, a->element, node, FALSE, path,
                _("EnvironmentVariables item %u has no name"), i);
      if (!json_object_has_member (object, "value"))
        report (v, "P39", ERR, a->element, node, FALSE, path,
                _("EnvironmentVariables item %u ('%s') has no value"),
                i, name != NULL ? name : "?");

      {
        const char *type = literal_string (json_object_get_member (object, "type"));

        if (type != NULL && !in_list (codebuild_env_types, type))
          report (v, "P39", ERR, a->element, node, FALSE, path,
                  _("EnvironmentVariables item %u ('%s') has type '%s'; use PLAINTEXT, "
                    "PARAMETER_STORE or SECRETS_MANAGER"),
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
      suggest_offer (&sg, name);
      g_string_append_printf (known, "%s%s", known->len ? ", " : "", name);
    }
  hint = suggest_text (&sg);

  if (known->len > 0)
    {
      report (v, "P29", WARN, a->element, value, TRUE, kpath,
              _("configuration key '%s' is not known for %s%s; known keys: %s"),
              key, a->provider, hint, known->str);
      if (sg.best != NULL)
        {
          g_autofree char *label = g_strdup_printf (_("Rename to '%s'"), sg.best);
          offer_fix (v, PW_FIX_RENAME_KEY, kpath, value, sg.best, label);
        }
    }
  else
    report (v, "P29", WARN, a->element, value, TRUE, kpath,
            _("configuration key '%s' is not known for %s, which takes no configuration"),
            key, a->provider);
}

static void
check_configuration (Validator  *v,
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
          report (v, "P26", v->cfn && literal_string (node) != NULL ? NOTE : ERR, el, node, FALSE,
                  cpath,
                  v->cfn && literal_string (node) != NULL
                    ? _("Configuration is a JSON string; its keys cannot be checked here")
                    : _("configuration must be a mapping of key to string value, but it is %s"),
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
              report_intrinsic (v, el, node, cpath);
              return;
            }

          if (klen == 0 || (klen > 50 && g_utf8_strlen (key, -1) > 50))
            report (v, "P16", ERR, el, value, TRUE, kpath,
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
                report_intrinsic (v, el, value, kpath);
              else
                get_string (v, el, value, kpath, N_("configuration value"), "P20");
              continue;
            }

          if (s[0] == '\0')
            report (v, "P16", ERR, el, value, FALSE, kpath,
                    _("configuration value of '%s' is empty; give a value or leave the key "
                      "out"),
                    key);
          else if (strlen (s) > 1000 && g_utf8_strlen (s, -1) > 1000)
            report (v, "P16", ERR, el, value, FALSE, kpath,
                    _("configuration value of '%s' has %ld characters; at most 1000 are "
                      "allowed (#{…} references count as written)"),
                    key, g_utf8_strlen (s, -1));

          /* get-pipeline masks secret configuration (an OAuthToken, say)
           * as "****": sent back, the action would use those four stars. */
          if (strcmp (s, "****") == 0)
            report (v, "P27", WARN, el, value, FALSE, kpath,
                    _("configuration value of '%s' is \"****\", the mask get-pipeline shows for a "
                      "secret: sent back, the action would use it as its value; put the real secret "
                      "(or a reference to it) here"),
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

static void
check_string_list (Validator  *v,
                   PwElement  *el,
                   JsonNode   *node,
                   const Path *path,
                   const char *what,
                   const char *item_what,
                   guint       min,
                   guint       max,
                   guint       item_max,
                   gboolean    single_line,
                   const char *code)
{
  JsonArray *array = expect_array (v, el, node, path, what);
  guint n;

  if (array == NULL)
    return;

  n = json_array_get_length (array);
  if (n < min || n > max)
    report (v, code, ERR, el, node, FALSE, path,
            _("%s has %u item(s); it takes %u to %u"), _(what), n, min, max);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      const Path *ipath = PATH_INDEX (path, i);
      const char *s = get_string (v, el, item, ipath, item_what, "P26");

      if (s == NULL)
        continue;

      if (check_text (v, el, item, ipath, item_what, s, 1, item_max, CHARS_ANY, FALSE, code) &&
          single_line && strpbrk (s, "\r\n") != NULL)
        report (v, code, ERR, el, item, FALSE, ipath,
                _("%s spans several lines; give each line as its own item"), _(item_what));
    }
}

static void
check_commands_members (Validator  *v,
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

      need_v2_member (v, el, node, path, v2_members[i].key);
      if (!a->is_commands && a->category != NULL)
        report (v, "P36", ERR, el, node, TRUE, path,
                _("%s only applies to a Commands action (category Compute), not to %s action "
                  "'%s'; remove it"),
                kn (v, v2_members[i].key), a->provider != NULL ? a->provider : a->category,
                action_label (a));
    }

  if (a->m[A_COMMANDS] != NULL)
    check_string_list (v, el, a->m[A_COMMANDS], PATH_KEY (apath, "commands"), N_("commands"),
                       N_("command"), 1, 50, 1000, TRUE, "P36");
  else if (a->is_commands)
    report (v, "P36", ERR, el, NULL, FALSE, apath,
            _("Commands action '%s' has no %s; give 1 to 50 shell commands to run"),
            action_label (a), kn (v, "commands"));

  if (a->m[A_OUTPUT_VARIABLES] != NULL)
    check_string_list (v, el, a->m[A_OUTPUT_VARIABLES], PATH_KEY (apath, "outputVariables"),
                       N_("outputVariables"), N_("output variable"), 1, 15, 128, FALSE, "P36");

  if (a->m[A_ENV_VARS] != NULL)
    {
      const Path *path = PATH_KEY (apath, "environmentVariables");
      JsonArray *array = expect_array (v, el, a->m[A_ENV_VARS], path, N_("environmentVariables"));
      guint n = array != NULL ? json_array_get_length (array) : 0;

      if (array != NULL && (n < 1 || n > 10))
        report (v, "P36", ERR, el, a->m[A_ENV_VARS], FALSE, path,
                _("environmentVariables has %u item(s); it takes 1 to 10"), n);

      for (guint i = 0; i < n; i++)
        {
          JsonNode *item = json_array_get_element (array, i);
          const Path *ipath = PATH_INDEX (path, i);
          JsonNode *m[3] = { NULL, };
          JsonObject *object = expect_mapping (v, el, item, ipath, N_("an environment variable"),
                                               env_keys, 3, m);

          if (object == NULL)
            continue;

          if (m[0] == NULL)
            report (v, "P01", ERR, el, item, FALSE, ipath, _("environment variable has no %s"),
                    kn (v, "name"));
          else
            check_string (v, el, m[0], PATH_KEY (ipath, "name"), N_("environment variable name"),
                          1, 128, CHARS_ENV_NAME, TRUE, "P36");

          if (m[1] == NULL)
            report (v, "P01", ERR, el, item, FALSE, ipath, _("environment variable has no %s"),
                    kn (v, "value"));
          else
            check_string (v, el, m[1], PATH_KEY (ipath, "value"), N_("environment variable value"),
                          1, 2000, CHARS_ANY, TRUE, "P36");

          if (m[2] != NULL)
            check_enum (v, el, m[2], PATH_KEY (ipath, "type"), N_("environment variable type"),
                        env_types, "P36");
        }
    }
}

/* The artifact lists: shapes and names; outputs go into the table. */
static void
check_artifact_list (Validator  *v,
                     ActionInfo *a,
                     guint       action_index,
                     const Path *apath,
                     gboolean    outputs)
{
  PwElement *el = a->element;
  const char *key = outputs ? "outputArtifacts" : "inputArtifacts";
  JsonNode *node = a->m[outputs ? A_OUTPUTS : A_INPUTS];
  const Path *lpath = PATH_KEY (apath, key);
  JsonArray *array;
  guint n;

  if (node == NULL)
    return;

  if ((array = expect_array (v, el, node, lpath, key)) == NULL)
    {
      v->uncertain = TRUE;
      if (outputs)
        a->n_outputs = -1;
      else
        a->n_inputs = -1;
      return;
    }

  n = json_array_get_length (array);
  if (outputs)
    a->n_outputs = MIN (n, G_MAXINT16);
  else
    a->n_inputs = MIN (n, G_MAXINT16);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      const Path *ipath = PATH_INDEX (lpath, i);
      JsonNode *m[2] = { NULL, };
      JsonObject *object = NULL;
      const char *name;

      /* Nearly every artifact is just {name: …}. Taking its one member
       * from the table and comparing the key inline beats
       * json_object_get_member(), which hashes "name" and calls strcmp()
       * through g_str_equal(): those were 7% of a validation of the
       * 2,451-action stress pipeline. */
      if (JSON_NODE_TYPE (item) == JSON_NODE_OBJECT &&
          json_object_get_size ((object = json_node_get_object (item))) == 1)
        {
          JsonObjectIter iter;
          const char *member_key;
          JsonNode *member;

          json_object_iter_init (&iter, object);
          if (json_object_iter_next (&iter, &member_key, &member) && str_eq (member_key, "name"))
            m[0] = member;
          else
            object = NULL;
        }
      else
        object = NULL;

      if (object == NULL)
        object = expect_mapping (v, el, item, ipath, N_("an artifact"),
                                 outputs ? output_keys : input_keys, outputs ? 2 : 1, m);

      if (object == NULL)
        {
          v->uncertain = TRUE;
          continue;
        }


      if (m[0] == NULL)
        {
          report (v, "P01", ERR, el, item, FALSE, ipath,
                  _("artifact has no %s"), kn (v, "name"));
          continue;
        }

      name = check_string (v, el, m[0], PATH_KEY (ipath, "name"), N_("artifact name"), 1, 100,
                           CHARS_ARTIFACT, TRUE, "P27");
      if (name == NULL)
        {
          v->uncertain = TRUE;
          continue;
        }

      if (!outputs)
        {
          guint32 found = strmap_lookup (&v->output_names, name);

          /* A producer earlier in the file is settled now; anything else
           * waits for the second pass, when every output is known. */
          if (found != 0)
            resolve_input (v, el, m[0], PATH_KEY (ipath, "name"), name, found, a, a->stage,
                           WHEN_ACTION);
          else
            a->late = TRUE;
        }
      else
        {
          guint32 *found = strmap_slot (&v->output_names, name);

          if (m[1] != NULL)
            {
              const Path *fpath = PATH_KEY (ipath, "files");

              need_v2 (v, el, m[1], TRUE, fpath, N_("'files' on an output artifact"));
              if (!a->is_commands && a->category != NULL)
                report (v, "P36", ERR, el, m[1], TRUE, fpath,
                        _("output artifact files only apply to a Commands action (category "
                          "Compute); remove them"));
              check_string_list (v, el, m[1], fpath, N_("files"), N_("file path"), 1, 10, 128,
                                 FALSE, "P36");
            }

          if (*found != 0)
            {
              Output *first = &g_array_index (v->outputs, Output, *found - 1);
              g_autofree char *producer = describe_action (&v->actions[first->action]);

              report (v, "P08", ERR, el, m[0], FALSE, PATH_KEY (ipath, "name"),
                      _("output artifact '%s' is already produced by %s; output artifact "
                        "names must be unique in the pipeline — rename one of them"),
                      name, producer);
            }
          else
            {
              Output out = { action_index, i, m[0], FALSE };

              g_array_append_val (v->outputs, out);
              *found = v->outputs->len;
            }
        }
    }
}

static void
check_artifact_counts (Validator  *v,
                       ActionInfo *a,
                       const Path *apath)
{
  PwElement *el = a->element;
  gboolean inputs_ok = a->n_inputs >= 0;
  gboolean outputs_ok = a->n_outputs >= 0;
  guint n_in = MAX (a->n_inputs, 0);
  guint n_out = MAX (a->n_outputs, 0);
  const PwProviderInfo *info = a->info;

  if (a->cat == CAT_SOURCE)
    {
      if (inputs_ok && n_in > 0)
        report (v, "P23", ERR, el, a->m[A_INPUTS], FALSE, PATH_KEY (apath, "inputArtifacts"),
                _("Source action '%s' has %u input artifact(s); a source action takes none"),
                action_label (a), n_in);
      if (outputs_ok && n_out != 1)
        report (v, "P23", ERR, el, a->m[A_OUTPUTS], FALSE,
                a->m[A_OUTPUTS] != NULL ? PATH_KEY (apath, "outputArtifacts") : apath,
                _("Source action '%s' has %u output artifacts; a source action has exactly "
                  "one (the revision it fetched)"),
                action_label (a), n_out);
      return;
    }

  if (info == NULL)
    return;

  if (inputs_ok && (n_in < info->min_inputs || n_in > info->max_inputs))
    {
      g_autofree char *range = info->min_inputs == info->max_inputs
        ? g_strdup_printf ("%u", info->min_inputs)
        : g_strdup_printf ("%u to %u", info->min_inputs, info->max_inputs);

      report (v, "P10", ERR, el, a->m[A_INPUTS], FALSE,
              a->m[A_INPUTS] != NULL ? PATH_KEY (apath, "inputArtifacts") : apath,
              _("%s %s actions take %s input artifact(s), but '%s' has %u"),
              info->provider, info->category, range, action_label (a), n_in);
    }

  if (outputs_ok && (n_out < info->min_outputs || n_out > info->max_outputs))
    {
      g_autofree char *range = info->min_outputs == info->max_outputs
        ? g_strdup_printf ("%u", info->min_outputs)
        : g_strdup_printf ("%u to %u", info->min_outputs, info->max_outputs);

      report (v, "P10", ERR, el, a->m[A_OUTPUTS], FALSE,
              a->m[A_OUTPUTS] != NULL ? PATH_KEY (apath, "outputArtifacts") : apath,
              _("%s %s actions produce %s output artifact(s), but '%s' has %u"),
              info->provider, info->category, range, action_label (a), n_out);
    }
}

static void
check_region (Validator  *v,
              ActionInfo *a,
              const Path *apath)
{
  PwElement *el = a->element;
  JsonNode *node = a->m[A_REGION];
  const Path *rpath = PATH_KEY (apath, "region");
  const char *region = get_string (v, el, node, rpath, N_("region"), "P26");

  if (a->cat == CAT_SOURCE)
    report (v, "P13", ERR, el, node, TRUE, rpath,
            _("Source actions cannot run in another region; remove region from '%s'"),
            action_label (a));
  else if (a->owner != NULL && strcmp (a->owner, "AWS") != 0)
    report (v, "P13", ERR, el, node, TRUE, rpath,
            _("%s actions cannot set a region; remove region from '%s'"),
            a->owner, action_label (a));

  /* A malformed region cannot name a store either; say only what is wrong. */
  if (region == NULL ||
      !check_text (v, el, node, rpath, N_("region"), region, 4, 30, CHARS_ANY, FALSE, "P27"))
    return;

  if (v->pm[P_ARTIFACT_STORE] != NULL && v->pm[P_ARTIFACT_STORES] == NULL)
    report (v, "P02", ERR, el, node, FALSE, rpath,
            _("action '%s' runs in region '%s', which needs %s (one artifact bucket per "
              "region) instead of %s — unless %s is the pipeline's own region, in which case "
              "remove region"),
            action_label (a), region, kn (v, "artifactStores"), kn (v, "artifactStore"), region);
  else if (v->stores != NULL && !json_object_has_member (v->stores, region))
    report (v, "P02", ERR, el, node, FALSE, rpath,
            _("action '%s' runs in region '%s', but artifactStores has no artifact store for "
              "that region; add one"),
            action_label (a), region);
  else if (v->store_regions != NULL && !v->uncertain &&
           !g_hash_table_contains (v->store_regions, region))
    report (v, "P02", ERR, el, node, FALSE, rpath,
            _("action '%s' runs in region '%s', but ArtifactStores has no artifact store for "
              "that region; add one"),
            action_label (a), region);
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
  JsonObject *object = pw_element_get_object (el);
  JsonNode *raw;

  if (object == NULL)
    {
      raw = pw_element_get_raw (el);
      a->opaque = TRUE;
      v->uncertain = TRUE;
      if (is_intrinsic (raw))
        report_intrinsic (v, el, raw, apath);
      else
        report (v, "P26", ERR, el, raw, FALSE, apath,
                _("an action must be a mapping, but it is %s"), _pw_json_type_name (raw));
      return;
    }

  if (!collect (v, el, NULL, object, apath, action_keys, N_A, a->m))
    {
      a->opaque = TRUE;
      return;
    }

  /* name, and P04 within the stage */
  if (a->m[A_NAME] == NULL)
    report (v, "P01", ERR, el, NULL, FALSE, apath,
            _("action has no %s; give it a name of 1 to 100 letters, digits or . @ - _"),
            kn (v, "name"));
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
        report (v, "P04", ERR, el, a->m[A_NAME], FALSE, PATH_KEY (apath, "name"),
                _("stage '%s' already has an action named '%s' (actions[%u]); action names "
                  "must be unique within their stage"),
                stage_label (v, a->stage), a->name, v->actions[*found - 1].index);
      else
        *found = action_index + 1;
    }

  check_type_id (v, a, apath);

  /* runOrder: same reading as pw_action_get_run_order(), without looking
   * the member up again. */
  a->run_order = a->m[A_RUN_ORDER] == NULL ? 1 : run_order_of (a->m[A_RUN_ORDER]);
  if (a->m[A_RUN_ORDER] != NULL)
    {
      gint64 order;

      if (get_int (v, el, a->m[A_RUN_ORDER], PATH_KEY (apath, "runOrder"), N_("runOrder"), &order))
        {
          if (order < 1 || order > 999)
            {
              report (v, "P12", ERR, el, a->m[A_RUN_ORDER], FALSE, PATH_KEY (apath, "runOrder"),
                      _("runOrder is %" G_GINT64_FORMAT "; it must be from 1 to 999"), order);
              a->run_order = order < 1 ? 0 : order;
            }
          else
            a->run_order = order;
        }
    }

  check_artifact_list (v, a, action_index, apath, FALSE);
  check_artifact_list (v, a, action_index, apath, TRUE);
  check_artifact_counts (v, a, apath);
  check_configuration (v, a, apath);

  if (a->m[A_ROLE_ARN] != NULL)
    {
      check_role_arn (v, el, a->m[A_ROLE_ARN], PATH_KEY (apath, "roleArn"), N_("action roleArn"),
                      FALSE);
      if (a->owner != NULL && strcmp (a->owner, "AWS") != 0)
        report (v, "P38", WARN, el, a->m[A_ROLE_ARN], TRUE, PATH_KEY (apath, "roleArn"),
                _("roleArn only applies to AWS-owned actions; %s action '%s' ignores it"),
                a->owner, action_label (a));
    }

  if (a->m[A_REGION] != NULL)
    check_region (v, a, apath);

  if (a->m[A_NAMESPACE] != NULL)
    {
      const Path *npath = PATH_KEY (apath, "namespace");

      a->late = TRUE;

      a->namespace = check_string (v, el, a->m[A_NAMESPACE], npath, N_("namespace"), 1, 100,
                                   CHARS_NAMESPACE, FALSE, "P14");
      if (a->namespace == NULL)
        v->uncertain = TRUE;
      else if (strcmp (a->namespace, "codepipeline") == 0 ||
               strcmp (a->namespace, "variables") == 0)
        report (v, "P14", ERR, el, a->m[A_NAMESPACE], FALSE, npath,
                _("namespace '%s' is reserved for the pipeline's own variables; choose another "
                  "name, such as '%sVariables'"),
                a->namespace, a->name != NULL ? a->name : "Action");
      else
        {
          guint32 *found;

          if (v->namespaces.slots == NULL)
            strmap_init (&v->namespaces, 16);

          if (*(found = strmap_slot (&v->namespaces, a->namespace)) != 0)
            {
              g_autofree char *other = describe_action (&v->actions[*found - 1]);

              report (v, "P14", ERR, el, a->m[A_NAMESPACE], FALSE, npath,
                      _("namespace '%s' is already used by %s; namespaces must be unique in "
                        "the pipeline"),
                      a->namespace, other);
            }
          else
            *found = action_index + 1;
        }
    }

  if (a->m[A_TIMEOUT] != NULL)
    {
      const Path *tpath = PATH_KEY (apath, "timeoutInMinutes");
      gint64 minutes;

      /* Any pipeline type: the API and CloudFormation put no condition on
       * it, and the CDK writes it on V1 pipelines. */
      if (a->category != NULL && a->provider != NULL &&
          a->kind != KIND_MANUAL)
        report (v, "P22", ERR, el, a->m[A_TIMEOUT], TRUE, tpath,
                _("timeoutInMinutes only applies to manual approval actions (Approval/Manual), "
                  "not to %s action '%s'; remove it"),
                a->provider, action_label (a));
      if (get_int (v, el, a->m[A_TIMEOUT], tpath, N_("timeoutInMinutes"), &minutes) &&
          (minutes < 5 || minutes > 86400))
        report (v, "P22", ERR, el, a->m[A_TIMEOUT], FALSE, tpath,
                _("timeoutInMinutes is %" G_GINT64_FORMAT "; it must be from 5 to 86400 "
                  "(60 days)"),
                minutes);
    }

  check_commands_members (v, a, apath);
  if (a->m[A_COMMANDS] != NULL || a->m[A_ENV_VARS] != NULL)
    a->late = TRUE;

  if (a->info != NULL && a->info->v2_only && !a->is_commands)
    need_v2 (v, el, a->m[A_TYPE_ID], FALSE, PATH_KEY (apath, "actionTypeId"), a->provider);
}

/* Second pass: what needs the whole pipeline */

/* P09 for one input artifact, whose producer is output @found (0: none). */
static void
resolve_input (Validator        *v,
               PwElement        *el,
               JsonNode         *name_node,
               const Path       *npath,
               const char       *name,
               guint32           found,
               const ActionInfo *consumer,
               guint             stage,
               When              when)
{
  Output *out;
  const ActionInfo *producer;
  Visibility vis;

  if (found == 0)
    {
      Suggest s = { name, NULL, 0 };
      g_autofree char *hint = NULL;

      for (guint k = 0; k < v->outputs->len; k++)
        suggest_offer (&s, literal_string (g_array_index (v->outputs, Output, k).node));
      hint = suggest_text (&s);

      report (v, "P09", v->uncertain ? NOTE : ERR, el, name_node, FALSE, npath,
              v->uncertain
                ? _("input artifact '%s' is not produced anywhere that can be checked%s; it "
                    "may come from a part of the pipeline that is a CloudFormation intrinsic")
                : _("input artifact '%s' is not produced anywhere in the pipeline%s; it must be "
                    "an output artifact of an action that runs earlier"),
              name, hint);
      return;
    }

  out = &g_array_index (v->outputs, Output, found - 1);
  producer = &v->actions[out->action];
  vis = visibility (producer, consumer, stage, when);
  out->consumed = TRUE;

  if (vis != VISIBLE)
    {
      g_autofree char *who = describe_action (producer);
      g_autofree char *why = explain_hidden (v, producer, consumer, stage, when, vis);

      if (consumer != NULL)
        report (v, "P09", ERR, el, name_node, FALSE, npath,
                _("input artifact '%s' is produced later or in parallel by %s, not by an "
                  "action that runs before '%s': %s"),
                name, who, action_label (consumer), why);
      else
        report (v, "P09", ERR, el, name_node, FALSE, npath,
                _("input artifact '%s' is produced later by %s, so this rule cannot read it: %s"),
                name, who, why);
    }
}

static void
check_input_artifacts (Validator        *v,
                       PwElement        *el,
                       JsonNode         *node,
                       const Path       *path,
                       const ActionInfo *consumer,
                       guint             stage,
                       When              when)
{
  JsonArray *array;
  guint n;

  if (node == NULL)
    return;

  if (when != WHEN_ACTION)
    {
      /* Rules are not walked in the first pass. */
      if ((array = expect_array (v, el, node, path, "inputArtifacts")) == NULL)
        return;
    }
  else if (!JSON_NODE_HOLDS_ARRAY (node))
    return;
  else
    array = json_node_get_array (node);

  n = json_array_get_length (array);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      const Path *ipath = PATH_INDEX (path, i);
      JsonNode *name_node;
      const char *name;
      guint32 found;

      if (when != WHEN_ACTION)
        {
          JsonNode *m[1] = { NULL, };
          JsonObject *object = expect_mapping (v, el, item, ipath, N_("an artifact"),
                                               input_keys, 1, m);

          if (object == NULL)
            continue;
          if (m[0] == NULL)
            {
              report (v, "P01", ERR, el, item, FALSE, ipath, _("artifact has no %s"),
                      kn (v, "name"));
              continue;
            }
          if (check_string (v, el, m[0], PATH_KEY (ipath, "name"), N_("artifact name"), 1, 100,
                            CHARS_ARTIFACT, TRUE, "P27") == NULL)
            continue;
        }

      if (!JSON_NODE_HOLDS_OBJECT (item))
        continue;
      name_node = json_object_get_member (json_node_get_object (item), "name");
      if ((name = literal_string (name_node)) == NULL || name[0] == '\0')
        continue;

      found = strmap_lookup (&v->output_names, name);

      /* Producers earlier in the file were settled in the first pass. */
      if (consumer != NULL && found != 0 &&
          g_array_index (v->outputs, Output, found - 1).action < (guint)(consumer - v->actions))
        continue;

      resolve_input (v, el, name_node, PATH_KEY (ipath, "name"), name, found, consumer, stage,
                     when);
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
        report (v, "P15", ERR, el, node, FALSE, path,
                _("#{codepipeline.%s} does not exist; the codepipeline namespace has only "
                  "PipelineExecutionId"),
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
                suggest_offer (&s, name);
            }
          hint = suggest_text (&s);

          if (!v->variables_uncertain)
            report (v, "P15", ERR, el, node, FALSE, path,
                    _("#{variables.%s} refers to a pipeline variable that is not declared%s; "
                      "declare it under %s"),
                    key_str, hint, kn (v, "variables"));
        }
      else if (!v->v2)
        report (v, "P15", ERR, el, node, FALSE, path,
                _("#{variables.%s} refers to a pipeline variable, which needs a V2 pipeline; %s"),
                key_str, v2_hint (v));
      return;
    }

  found = strmap_lookup (&v->namespaces, ns_str);
  if (found == 0)
    {
      Suggest s = { ns_str, NULL, 0 };
      g_autofree char *hint = NULL;

      for (guint k = 0; k < v->n_actions; k++)
        suggest_offer (&s, v->actions[k].namespace);
      hint = suggest_text (&s);

      report (v, "P15", v->uncertain ? NOTE : ERR, el, node, FALSE, path,
              v->uncertain
                ? _("#{%s.%s}: no action that can be checked declares the namespace '%s'%s")
                : _("#{%s.%s}: no action declares the namespace '%s'%s; set namespace on the "
                    "action whose variables you want"),
              ns_str, key_str, ns_str, hint);
      return;
    }

  {
    const ActionInfo *producer = &v->actions[found - 1];
    Visibility vis = visibility (producer, consumer, stage, when);

    if (vis != VISIBLE)
      {
        g_autofree char *who = describe_action (producer);
        g_autofree char *why = NULL;

        if (vis == HIDDEN_SELF)
          why = g_strdup (_("an action cannot read its own variables"));
        else
          why = explain_hidden (v, producer, consumer, stage, when, vis);

        report (v, "P15", ERR, el, node, FALSE, path,
                _("#{%s.%s}: namespace '%s' is declared by %s, which does not run before this "
                  "point, and variables are only visible to what runs later: %s"),
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
            suggest_offer (&s, producer->info->variables[i]);
          }
        hint = suggest_text (&s);

        if (list->len > 0)
          report (v, "P15", ERR, el, node, FALSE, path,
                  _("#{%s.%s}: %s actions have no variable '%s'%s; they export %s"),
                  ns_str, key_str, producer->provider, key_str, hint, list->str);
        else
          report (v, "P15", ERR, el, node, FALSE, path,
                  _("#{%s.%s}: %s actions export no variables"),
                  ns_str, key_str, producer->provider);
        g_string_free (list, TRUE);
      }
    else if (producer->is_commands && !variable_of_commands (producer, key, key_len))
      report (v, "P15", ERR, el, node, FALSE, path,
              _("#{%s.%s}: '%s' does not list %s in its outputVariables"),
              ns_str, key_str, action_label (producer), key_str);
  }
}

/* P15: every #{Namespace.Key} in a string value. */
static void
validate_refs (Validator        *v,
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
          report (v, "P15", ERR, el, node, FALSE, path,
                  _("'#{' is not closed; a variable reference is written #{Namespace.Key}"));
          return;
        }

      dot = memchr (start, '.', end - start);
      if (dot == NULL || dot == start || dot + 1 == end)
        {
          g_autofree char *ref = g_strndup (p, end + 1 - p);

          report (v, "P15", ERR, el, node, FALSE, path,
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

              report (v, "P15", ERR, el, node, FALSE, path,
                      _("'%s' is not a variable reference; a namespace has only letters, "
                        "digits, @, - and _"),
                      ref);
            }
          else
            check_reference (v, el, node, path, consumer, stage, when,
                             start, dot - start, dot + 1, end - dot - 1);
        }

      p = end + 1;
    }
}

static void
validate_action_late (Validator  *v,
                      ActionInfo *a,
                      const Path *apath)
{
  PwElement *el = a->element;
  JsonNode *node;

  if (a->opaque || !a->late)
    return;

  check_input_artifacts (v, el, a->m[A_INPUTS], PATH_KEY (apath, "inputArtifacts"), a, a->stage,
                         WHEN_ACTION);

  if (a->namespace != NULL && strmap_lookup (&v->output_names, a->namespace) != 0)
    report (v, "P14", ERR, el, a->m[A_NAMESPACE], FALSE, PATH_KEY (apath, "namespace"),
            _("namespace '%s' is also the name of an output artifact; a namespace must not "
              "clash with an artifact name — rename one of them"),
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
            validate_refs (v, el, value, PATH_KEY (cpath, key), a, a->stage, WHEN_ACTION);
        }
    }

  if ((node = a->m[A_COMMANDS]) != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        validate_refs (v, el, json_array_get_element (array, i),
                       PATH_INDEX (PATH_KEY (apath, "commands"), i), a, a->stage, WHEN_ACTION);
    }

  if ((node = a->m[A_ENV_VARS]) != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *item = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_OBJECT (item))
            validate_refs (v, el, json_object_get_member (json_node_get_object (item), "value"),
                           PATH_KEY (PATH_INDEX (PATH_KEY (apath, "environmentVariables"), i),
                                     "value"),
                           a, a->stage, WHEN_ACTION);
        }
    }
}

/* Stages */

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
        report (v, "P05", WARN, PW_ELEMENT (st->stage), st->m[S_ACTIONS], FALSE,
                PATH_KEY (spath, "actions"),
                _("more than 50 actions of stage '%s' share runOrder %" G_GINT64_FORMAT "; "
                  "CodePipeline's quota is 50 parallel actions in a stage, a quota that can be "
                  "raised for the account (AWS refuses the pipeline until it is)"),
                stage_label (v, st - v->stages), orders[i]);
    }
}

static void
validate_blockers (Validator  *v,
                   PwElement  *el,
                   JsonNode   *node,
                   const Path *path)
{
  JsonArray *array = expect_array (v, el, node, path, "blockers");

  if (array == NULL)
    return;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      const Path *ipath = PATH_INDEX (path, i);
      JsonNode *m[2] = { NULL, };
      JsonObject *object = expect_mapping (v, el, item, ipath, N_("a blocker"), blocker_keys, 2, m);

      if (object == NULL)
        continue;

      if (m[0] == NULL || m[1] == NULL)
        report (v, "P01", ERR, el, item, FALSE, ipath, _("a blocker needs a name and a type"));
      check_string (v, el, m[0], PATH_KEY (ipath, "name"), N_("blocker name"), 1, 100, CHARS_ANY,
                    TRUE, "P27");
      check_enum (v, el, m[1], PATH_KEY (ipath, "type"), N_("blocker type"),
                  (const char *const[]) { "Schedule", NULL }, "P27");
    }
}

static void
validate_stage (Validator  *v,
                guint       index,
                const Path *spath)
{
  StageInfo *st = &v->stages[index];
  PwElement *el = PW_ELEMENT (st->stage);
  JsonObject *object = pw_element_get_object (el);
  JsonNode *raw = pw_element_get_raw (el);
  const char *name = NULL;
  const Path *apath_list = PATH_KEY (spath, "actions");

  if (object == NULL)
    {
      st->opaque = TRUE;
      v->uncertain = TRUE;
      if (is_intrinsic (raw))
        report_intrinsic (v, el, raw, spath);
      else
        report (v, "P26", ERR, el, raw, FALSE, spath,
                _("a stage must be a mapping, but it is %s"), _pw_json_type_name (raw));
      return;
    }

  if (!collect (v, el, raw, object, spath, stage_keys, N_S, st->m))
    {
      st->opaque = TRUE;
      return;
    }

  if (st->m[S_NAME] == NULL)
    report (v, "P01", ERR, el, NULL, FALSE, spath,
            _("stage has no %s; give it a name of 1 to 100 letters, digits or . @ - _"),
            kn (v, "name"));
  else if ((name = check_string (v, el, st->m[S_NAME], PATH_KEY (spath, "name"), N_("stage name"),
                                 1, 100, CHARS_NAME, TRUE, "P27")) != NULL)
    {
      guint32 *found = strmap_slot (&v->stage_names, name);

      if (*found != 0)
        report (v, "P04", ERR, el, st->m[S_NAME], FALSE, PATH_KEY (spath, "name"),
                _("stage name '%s' is already used by stages[%u]; stage names must be unique"),
                name, *found - 1);
      else
        *found = index + 1;
    }

  if (st->m[S_BLOCKERS] != NULL)
    validate_blockers (v, el, st->m[S_BLOCKERS], PATH_KEY (spath, "blockers"));

  if (st->m[S_ACTIONS] == NULL)
    {
      report (v, "P01", ERR, el, NULL, FALSE, spath,
              _("stage '%s' has no %s; give it 1 to 50 actions"),
              name != NULL ? name : "?", kn (v, "actions"));
      return;
    }

  if (expect_array (v, el, st->m[S_ACTIONS], apath_list, "actions") == NULL)
    {
      v->uncertain = TRUE;
      return;
    }

  /* No action is a fixed rule; more than 50 passes a quota AWS can raise. */
  if (st->n_actions == 0)
    report (v, "P05", ERR, el, st->m[S_ACTIONS], FALSE, apath_list,
            _("stage '%s' has no actions; a stage needs at least one"),
            name != NULL ? name : "?");
  else if (st->n_actions > 50)
    report (v, "P05", WARN, el, st->m[S_ACTIONS], FALSE, apath_list,
            _("stage '%s' has %u actions; CodePipeline's quota is 50 actions in a stage, a quota "
              "that can be raised for the account (AWS refuses the pipeline until it is)"),
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
        report (v, "P06", ERR, a->element, member_of (a->m[A_TYPE_ID], "category"), FALSE,
                PATH_KEY (PATH_KEY (apath, "actionTypeId"), "category"),
                _("'%s' is a %s action, but the first stage may only hold Source actions; move "
                  "it to a later stage"),
                action_label (a), a->category);
      else if (index > 0 && a->cat == CAT_SOURCE)
        report (v, "P07", ERR, a->element, member_of (a->m[A_TYPE_ID], "category"), FALSE,
                PATH_KEY (PATH_KEY (apath, "actionTypeId"), "category"),
                _("Source action '%s' is in stage '%s', but Source actions may only be in the "
                  "first stage; move it there"),
                action_label (a), name != NULL ? name : "?");

      if (a->cat == CAT_SOURCE)
        g_ptr_array_add (v->sources, a);
    }

  if (st->n_actions > 50)
    check_group_sizes (v, st, spath);
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
  JsonObject *object = expect_mapping (v, el, node, path, what, criteria_keys, 2, m);

  if (object == NULL)
    return;


  if (m[0] == NULL && m[1] == NULL)
    report (v, "P17", ERR, el, node, FALSE, path,
            _("%s has neither includes nor excludes; give at least one list of patterns"), _(what));

  for (guint i = 0; i < 2; i++)
    if (m[i] != NULL)
      check_string_list (v, el, m[i], PATH_KEY (path, criteria_keys[i]), criteria_keys[i],
                         N_("pattern"), 1, 8, 255, FALSE, "P17");
}

static void
check_filters (Validator  *v,
               PwElement  *el,
               JsonNode   *node,
               const Path *path,
               gboolean    push)
{
  JsonArray *array = expect_array (v, el, node, path, push ? "push" : "pullRequest");
  guint n;

  if (array == NULL)
    return;

  n = json_array_get_length (array);
  if (n < 1 || n > 3)
    report (v, "P17", ERR, el, node, FALSE, path,
            _("%s has %u filter(s); it takes 1 to 3"), push ? "push" : "pullRequest", n);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      const Path *ipath = PATH_INDEX (path, i);
      JsonNode *m[3] = { NULL, };
      JsonObject *object = expect_mapping (v, el, item, ipath, N_("a filter"),
                                           push ? push_keys : pull_keys, 3, m);

      if (object == NULL)
        continue;


      if (push)
        {
          if (m[0] != NULL)
            check_criteria (v, el, m[0], PATH_KEY (ipath, "tags"), "tags");
          if (m[0] == NULL && m[1] == NULL)
            report (v, "P17", ERR, el, item, FALSE, ipath,
                    _("a push filter needs tags or branches"));
        }
      else
        {
          if (m[0] != NULL)
            {
              const Path *epath = PATH_KEY (ipath, "events");
              JsonArray *events = expect_array (v, el, m[0], epath, "events");
              guint ne = events != NULL ? json_array_get_length (events) : 0;

              if (events != NULL && (ne < 1 || ne > 3))
                report (v, "P17", ERR, el, m[0], FALSE, epath,
                        _("events has %u item(s); give 1 to 3 of OPEN, UPDATED, CLOSED"), ne);
              for (guint j = 0; j < ne; j++)
                check_enum (v, el, json_array_get_element (events, j), PATH_INDEX (epath, j),
                            N_("pull request event"), pr_events, "P17");
            }
          if (m[1] == NULL)
            report (v, "P17", ERR, el, item, FALSE, ipath,
                    _("a pull request filter needs branches (the target branches)"));
        }

      if (m[1] != NULL)
        check_criteria (v, el, m[1], PATH_KEY (ipath, "branches"), "branches");
      if (m[2] != NULL)
        {
          check_criteria (v, el, m[2], PATH_KEY (ipath, "filePaths"), "filePaths");
          if (m[1] == NULL && push)
            report (v, "P17", ERR, el, m[2], TRUE, PATH_KEY (ipath, "filePaths"),
                    _("filePaths only works together with branches; add branches"));
        }
    }
}

static void
validate_triggers (Validator *v)
{
  PwElement *el = v->pel;
  JsonNode *node = v->pm[P_TRIGGERS];
  const Path *path = PATH_KEY (NULL, "triggers");
  g_autoptr(GHashTable) used = NULL;
  JsonArray *array;
  guint n;

  if (node == NULL)
    return;

  need_v2_member (v, el, node, path, "triggers");
  if ((array = expect_array (v, el, node, path, "triggers")) == NULL)
    return;

  n = json_array_get_length (array);
  if (n > 50)
    report (v, "P17", ERR, el, node, FALSE, path,
            _("the pipeline has %u triggers; at most 50 are allowed"), n);

  used = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      const Path *ipath = PATH_INDEX (path, i);
      const Path *gpath = PATH_KEY (ipath, "gitConfiguration");
      JsonNode *m[2] = { NULL, };
      JsonObject *object = expect_mapping (v, el, item, ipath, N_("a trigger"), trigger_keys, 2, m);
      JsonNode *g[3] = { NULL, };
      JsonObject *git;
      const char *source;

      if (object == NULL)
        continue;


      if (m[0] == NULL)
        report (v, "P01", ERR, el, item, FALSE, ipath,
                _("trigger has no %s; set it to CodeStarSourceConnection"),
                kn (v, "providerType"));
      else
        check_enum (v, el, m[0], PATH_KEY (ipath, "providerType"), N_("trigger providerType"),
                    (const char *const[]) { "CodeStarSourceConnection", NULL }, "P17");

      if (m[1] == NULL)
        {
          report (v, "P01", ERR, el, item, FALSE, ipath,
                  _("trigger has no %s; give at least sourceActionName"),
                  kn (v, "gitConfiguration"));
          continue;
        }

      if ((git = expect_mapping (v, el, m[1], gpath, "gitConfiguration", git_keys, 3, g)) == NULL)
        continue;


      if (g[0] == NULL)
        report (v, "P01", ERR, el, m[1], FALSE, gpath,
                _("gitConfiguration has no %s; name the source action this trigger starts "
                  "from"),
                kn (v, "sourceActionName"));
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
                suggest_offer (&s, ((const ActionInfo *)g_ptr_array_index (v->sources, j))->name);
              hint = suggest_text (&s);

              report (v, "P17", v->uncertain ? NOTE : ERR, el, g[0], FALSE, spath,
                      _("sourceActionName '%s' does not name a source action of the pipeline%s"),
                      source, hint);
            }
          else if (g_strcmp0 (action->provider, "CodeStarSourceConnection") != 0)
            report (v, "P17", ERR, el, g[0], FALSE, spath,
                    _("trigger source '%s' is a %s action; triggers only work with "
                      "CodeStarSourceConnection source actions"),
                    source, action->provider != NULL ? action->provider : "?");

          if (g_hash_table_lookup_extended (used, source, NULL, &first))
            report (v, "P17", ERR, el, g[0], FALSE, spath,
                    _("triggers[%u] already triggers on '%s'; a source action has at most one "
                      "trigger (put several filters in one trigger instead)"),
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

static void
validate_transitions (Validator *v)
{
  PwElement *el = v->pel;
  JsonNode *node = v->pm[P_DISABLE_TRANSITIONS];
  const Path *path = PATH_KEY (NULL, "disableInboundStageTransitions");
  JsonArray *array;

  if (node == NULL || (array = expect_array (v, el, node, path,
                                             "DisableInboundStageTransitions")) == NULL)
    return;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      const Path *ipath = PATH_INDEX (path, i);
      JsonNode *m[2] = { NULL, };
      JsonObject *object = expect_mapping (v, el, item, ipath, N_("a stage transition"),
                                           transition_keys, 2, m);
      const char *stage, *reason;

      if (object == NULL)
        continue;


      if (m[0] == NULL)
        report (v, "P40", ERR, el, item, FALSE, ipath,
                _("the transition has no StageName; name the stage whose inbound transition "
                  "is disabled"));
      else if ((stage = get_string (v, el, m[0], PATH_KEY (ipath, "stageName"), "StageName",
                                    "P26")) != NULL)
        {
          guint32 found = strmap_lookup (&v->stage_names, stage);

          if (found == 0)
            {
              Suggest s = { stage, NULL, 0 };
              g_autofree char *hint = NULL;

              for (guint j = 0; j < v->n_stages; j++)
                suggest_offer (&s, literal_string (v->stages[j].m[S_NAME]));
              hint = suggest_text (&s);

              report (v, "P40", v->uncertain ? NOTE : ERR, el, m[0], FALSE,
                      PATH_KEY (ipath, "stageName"),
                      _("StageName '%s' does not name a stage of the pipeline%s"), stage, hint);
            }
          else if (found == 1)
            report (v, "P40", ERR, el, m[0], FALSE, PATH_KEY (ipath, "stageName"),
                    _("'%s' is the first stage, which has no inbound transition to disable"),
                    stage);
        }

      if (m[1] == NULL)
        report (v, "P40", ERR, el, item, FALSE, ipath,
                _("the transition has no Reason; give 1 to 300 characters"));
      else if ((reason = get_string (v, el, m[1], PATH_KEY (ipath, "reason"), "Reason",
                                     "P26")) != NULL)
        {
          glong len = g_utf8_strlen (reason, -1);
          const char *p;

          if (len < 1 || len > 300)
            report (v, "P40", ERR, el, m[1], FALSE, PATH_KEY (ipath, "reason"),
                    _("Reason has %ld characters; give 1 to 300"), len);
          for (p = reason; *p != '\0'; p = g_utf8_next_char (p))
            if (!reason_char_ok (g_utf8_get_char (p)))
              {
                char buf[8] = { 0 };

                g_unichar_to_utf8 (g_utf8_get_char (p), buf);
                report (v, "P40", ERR, el, m[1], FALSE, PATH_KEY (ipath, "reason"),
                        _("Reason contains '%s', which is not allowed; use only %s"), buf,
                        chars_description (CHARS_REASON));
                break;
              }
        }
    }
}

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
    check_enum (v, el, v->pm[P_PIPELINE_TYPE], PATH_KEY (NULL, "pipelineType"), N_("pipelineType"),
                pipeline_types, "P27");

  if (v->pm[P_EXECUTION_MODE] != NULL)
    {
      const char *mode = check_enum (v, el, v->pm[P_EXECUTION_MODE],
                                     PATH_KEY (NULL, "executionMode"), N_("executionMode"),
                                     execution_modes, "P27");

      if (mode != NULL && strcmp (mode, "SUPERSEDED") != 0)
        {
          g_autofree char *what = g_strdup_printf (_("executionMode %s"), mode);

          need_v2 (v, el, v->pm[P_EXECUTION_MODE], FALSE, PATH_KEY (NULL, "executionMode"), what);
        }
    }

  if (v->pm[P_NAME] == NULL)
    {
      if (!v->cfn)
        report (v, "P01", ERR, el, NULL, FALSE, NULL,
                _("the pipeline has no name; add name: with 1 to 100 letters, digits or "
                  ". @ - _"));
    }
  else
    check_string (v, el, v->pm[P_NAME], PATH_KEY (NULL, "name"), N_("pipeline name"), 1, 100,
                  CHARS_NAME, TRUE, "P27");

  if (v->pm[P_ROLE_ARN] == NULL)
    report (v, "P01", ERR, el, NULL, FALSE, NULL,
            _("the pipeline has no %s; give the ARN of the IAM role CodePipeline assumes"),
            kn (v, "roleArn"));
  else
    check_role_arn (v, el, v->pm[P_ROLE_ARN], PATH_KEY (NULL, "roleArn"), "roleArn", TRUE);

  validate_stores (v);

  if (v->pm[P_VERSION] != NULL && !v->cfn)
    {
      gint64 version;

      if (get_int (v, el, v->pm[P_VERSION], PATH_KEY (NULL, "version"), "version", &version) &&
          version < 1)
        report (v, "P27", ERR, el, v->pm[P_VERSION], FALSE, PATH_KEY (NULL, "version"),
                _("version is %" G_GINT64_FORMAT "; it starts at 1"), version);
    }

  if (v->pm[P_RESTART] != NULL)
    check_boolean (v, el, v->pm[P_RESTART], PATH_KEY (NULL, "restartExecutionOnUpdate"),
                   "RestartExecutionOnUpdate");

  validate_variables (v);

  /* Stages and their actions */
  if (v->pm[P_STAGES] == NULL)
    report (v, "P01", ERR, el, NULL, FALSE, NULL,
            _("the pipeline has no %s; give 2 to 50 stages, the first of them with the source "
              "actions"),
            kn (v, "stages"));
  else if (expect_array (v, el, v->pm[P_STAGES], stages_path, "stages") == NULL)
    v->uncertain = TRUE;
  else if (v->n_stages < 2)
    report (v, "P03", ERR, el, v->pm[P_STAGES], FALSE, stages_path,
            _("the pipeline has %u stage(s); a pipeline needs at least 2 (a source stage "
              "and one more)"),
            v->n_stages);
  else if (v->n_stages > 50)
    report (v, "P03", WARN, el, v->pm[P_STAGES], FALSE, stages_path,
            _("the pipeline has %u stages; CodePipeline's quota is 50 stages in a pipeline, a "
              "quota that can be raised for the account (AWS refuses the pipeline until it is)"),
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
    validate_stage (v, i, PATH_INDEX (stages_path, i));

  total = v->n_actions;
  if (total > 500)
    report (v, "P24", WARN, el, v->pm[P_STAGES], FALSE, stages_path,
            _("the pipeline has %u actions, more than CodePipeline's quota of 500 actions in a "
              "pipeline, a quota that can be raised for the account (AWS refuses the pipeline "
              "until it is) — or split it into several pipelines"),
            total);

  validate_triggers (v);
  if (v->cfn)
    validate_transitions (v);

  /* Second pass: artifacts and variables across actions */
  for (guint i = 0; i < v->n_stages; i++)
    {
      StageInfo *st = &v->stages[i];
      const Path *spath = PATH_INDEX (stages_path, i);

      if (st->opaque)
        continue;

      for (guint j = 0; j < st->n_actions; j++)
        validate_action_late (v, &v->actions[st->first_action + j],
                              PATH_INDEX (PATH_KEY (spath, "actions"), j));

      validate_stage_conditions (v, st, i, spath);
    }

  /* P31: only when every consumer could be seen. */
  if (!v->uncertain && v->n_stages >= 2)
    {
      for (guint i = 0; i < v->outputs->len; i++)
        {
          Output *out = &g_array_index (v->outputs, Output, i);
          ActionInfo *a = &v->actions[out->action];

          if (!out->consumed)
            report (v, "P31", WARN, a->element, out->node, FALSE,
                    PATH_KEY (PATH_INDEX (PATH_KEY (PATH_INDEX (PATH_KEY (PATH_INDEX (stages_path,
                                                                                      a->stage),
                                                                            "actions"),
                                                                  a->index),
                                                        "outputArtifacts"),
                                              out->index),
                              "name"),
                    _("output artifact '%s' of '%s' is never used as an input artifact; "
                      "consume it in a later action or remove it"),
                    literal_string (out->node), action_label (a));
        }
    }

  /* P37: an approval that gates nothing. */
  if (v->n_stages > 0 && !v->stages[v->n_stages - 1].opaque)
    {
      StageInfo *last = &v->stages[v->n_stages - 1];
      gint64 max = 0;

      for (guint j = 0; j < last->n_actions; j++)
        max = MAX (max, v->actions[last->first_action + j].run_order);

      for (guint j = 0; j < last->n_actions && max > 0; j++)
        {
          ActionInfo *a = &v->actions[last->first_action + j];

          if (a->run_order == max && a->cat == CAT_APPROVAL)
            report (v, "P37", WARN, a->element, a->m[A_NAME], FALSE,
                    PATH_INDEX (PATH_KEY (PATH_INDEX (stages_path, a->stage), "actions"), a->index),
                    _("manual approval '%s' is the last action of the pipeline, so it approves "
                      "nothing; move it before the actions it should gate, or remove it"),
                    action_label (a));
        }
    }
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

  init_char_classes ();
  out = g_ptr_array_new_with_free_func (g_object_unref);

  v.pipeline = pipeline;
  v.pel = PW_ELEMENT (pipeline);
  v.out = out;
  v.cfn = pw_pipeline_get_origin (pipeline) == PW_PIPELINE_ORIGIN_CFN;
  v.v2 = pw_pipeline_is_v2 (pipeline);
  v.parallel = g_strcmp0 (pw_element_get_string (v.pel, "executionMode"), "PARALLEL") == 0;

  validate_document (&v);

  if (pw_element_get_object (v.pel) == NULL)
    {
      if (is_intrinsic (pw_element_get_raw (v.pel)))
        report_intrinsic (&v, v.pel, pw_element_get_raw (v.pel), NULL);
      else
        report (&v, "P26", ERR, v.pel, pw_element_get_raw (v.pel), FALSE, NULL,
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
  strmap_init (&v.output_names, v.n_actions);
  strmap_init (&v.action_names, v.n_actions);
  strmap_init (&v.stage_names, v.n_stages);
  v.sources = g_ptr_array_new ();

  validate_pipeline (&v);

  g_ptr_array_sort (out, compare_diagnostics);

  g_clear_pointer (&v.store_regions, g_hash_table_unref);
  g_clear_pointer (&v.variables, g_hash_table_unref);
  strmap_clear (&v.namespaces);
  strmap_clear (&v.output_names);
  strmap_clear (&v.action_names);
  strmap_clear (&v.stage_names);
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

