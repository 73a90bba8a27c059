/* pw-validator-private.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* What the files of the validator share: the context a run of the rules
 * fills in (Validator), model paths, and the helpers every rule family
 * reports through. pw-validator.c runs the families in order:
 *
 *   pw-validate-common.c      string map, paths, findings, suggestions
 *   pw-validate-values.c      keys, types, lengths, patterns, allowed values
 *   pw-validate-cfn.c         CloudFormation intrinsics
 *   pw-validate-structure.c   the document, stages, actions, names, counts
 *   pw-validate-artifacts.c   artifact stores, input and output artifacts
 *   pw-validate-providers.c   action types, provider configuration, regions
 *   pw-validate-variables.c   pipeline variables, namespaces, references
 *   pw-validate-triggers.c    stage conditions, triggers, transitions
 *
 * A new rule goes into the file of its family, and its code into the rule
 * table in pw-validator.c. */

#pragma once

#include <string.h>

#include "pw-core-private.h"

G_BEGIN_DECLS

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

enum { S_NAME, S_BLOCKERS, S_ACTIONS, S_ON_FAILURE, S_ON_SUCCESS, S_BEFORE_ENTRY, N_S };

/* Members of an actionTypeId or a ruleTypeId. */
enum { T_CATEGORY, T_OWNER, T_PROVIDER, T_VERSION, N_T };
extern const char *const _pw_validate_type_id_keys[];

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

/* Did-you-mean: a case-insensitive match, or an edit distance of at most
 * two on names long enough for that to mean something. */
typedef struct
{
  const char *name;
  const char *best;
  guint       best_distance;
} Suggest;

#define ERR  PW_SEVERITY_ERROR
#define WARN PW_SEVERITY_WARNING
#define NOTE PW_SEVERITY_NOTE

/* pw-validate-common.c */
void         _pw_strmap_init                (StrMap            *map,
                                             guint              expected);
void         _pw_strmap_clear               (StrMap            *map);
void         _pw_strmap_grow                (StrMap            *map);
const char  *_pw_validate_key_name          (Validator         *v,
                                             const char        *key);
void         _pw_validate_report            (Validator         *v,
                                             const char        *code,
                                             PwSeverity         severity,
                                             PwElement         *el,
                                             JsonNode          *node,
                                             gboolean           key,
                                             const Path        *path,
                                             const char        *format,
                                             ...) G_GNUC_PRINTF (8, 9);
void         _pw_validate_offer_fix         (Validator         *v,
                                             PwFixKind          kind,
                                             const Path        *path,
                                             JsonNode          *value,
                                             const char        *new_key,
                                             const char        *label);
void         _pw_validate_offer_set_string  (Validator         *v,
                                             const Path        *path,
                                             const char        *value,
                                             const char        *label);
char        *_pw_validate_where             (const Path        *path);
void         _pw_validate_suggest_offer     (Suggest           *s,
                                             const char        *candidate);
char        *_pw_validate_suggest_text      (Suggest           *s);
char        *_pw_validate_join_list         (Validator         *v,
                                             const char *const *list,
                                             gboolean           keys);
JsonNode    *_pw_validate_member_of         (JsonNode          *node,
                                             const char        *key);
const char  *_pw_validate_action_label      (const ActionInfo  *a);
char        *_pw_validate_describe_action   (const ActionInfo  *a);
const char  *_pw_validate_stage_label       (Validator         *v,
                                             guint              stage);
Visibility   _pw_validate_visibility        (const ActionInfo  *producer,
                                             const ActionInfo  *consumer,
                                             guint              stage,
                                             When               when);
char        *_pw_validate_explain_hidden    (Validator         *v,
                                             const ActionInfo  *producer,
                                             const ActionInfo  *consumer,
                                             guint              stage,
                                             When               when,
                                             Visibility         vis);

/* pw-validate-values.c */
void         _pw_validate_init_char_classes (void);
const char  *_pw_validate_chars_description (Chars              chars);
gboolean     _pw_validate_collect_unknown   (Validator         *v,
                                             PwElement         *el,
                                             JsonNode          *node,
                                             JsonObject        *object,
                                             const Path        *path,
                                             const char *const *keys,
                                             guint              n_allowed,
                                             const char        *unknown);
JsonObject  *_pw_validate_expect_mapping    (Validator         *v,
                                             PwElement         *el,
                                             JsonNode          *node,
                                             const Path        *path,
                                             const char        *what,
                                             const char *const *keys,
                                             guint              n_allowed,
                                             JsonNode         **members);
JsonObject  *_pw_validate_expect_object     (Validator         *v,
                                             PwElement         *el,
                                             JsonNode          *node,
                                             const Path        *path,
                                             const char        *what);
JsonArray   *_pw_validate_expect_array      (Validator         *v,
                                             PwElement         *el,
                                             JsonNode          *node,
                                             const Path        *path,
                                             const char        *what);
void         _pw_validate_report_not_string (Validator         *v,
                                             PwElement         *el,
                                             JsonNode          *node,
                                             const Path        *path,
                                             const char        *what,
                                             const char        *code);
gboolean     _pw_validate_get_int           (Validator         *v,
                                             PwElement         *el,
                                             JsonNode          *node,
                                             const Path        *path,
                                             const char        *what,
                                             gint64            *value);
gboolean     _pw_validate_check_text        (Validator         *v,
                                             PwElement         *el,
                                             JsonNode          *node,
                                             const Path        *path,
                                             const char        *what,
                                             const char        *s,
                                             guint              min,
                                             guint              max,
                                             Chars              chars,
                                             gboolean           required,
                                             const char        *code);
const char  *_pw_validate_check_enum        (Validator         *v,
                                             PwElement         *el,
                                             JsonNode          *node,
                                             const Path        *path,
                                             const char        *what,
                                             const char *const *allowed,
                                             const char        *code);
void         _pw_validate_check_string_list (Validator         *v,
                                             PwElement         *el,
                                             JsonNode          *node,
                                             const Path        *path,
                                             const char        *what,
                                             const char        *item_what,
                                             guint              min,
                                             guint              max,
                                             guint              item_max,
                                             gboolean           single_line,
                                             const char        *code);
void         _pw_validate_check_role_arn    (Validator         *v,
                                             PwElement         *el,
                                             JsonNode          *node,
                                             const Path        *path,
                                             const char        *what,
                                             gboolean           required);
void         _pw_validate_check_boolean     (Validator         *v,
                                             PwElement         *el,
                                             JsonNode          *node,
                                             const Path        *path,
                                             const char        *what);
const char  *_pw_validate_v2_hint           (Validator         *v);
void         _pw_validate_need_v2           (Validator         *v,
                                             PwElement         *el,
                                             JsonNode          *node,
                                             gboolean           key,
                                             const Path        *path,
                                             const char        *what);
void         _pw_validate_need_v2_member    (Validator         *v,
                                             PwElement         *el,
                                             JsonNode          *node,
                                             const Path        *path,
                                             const char        *key);

/* pw-validate-cfn.c */
void         _pw_validate_report_intrinsic  (Validator         *v,
                                             PwElement         *el,
                                             JsonNode          *node,
                                             const Path        *path);

/* pw-validate-structure.c */
void         _pw_validate_document          (Validator         *v);
void         _pw_validate_stage             (Validator         *v,
                                             guint              index,
                                             const Path        *spath);
void         _pw_validate_action_late       (Validator         *v,
                                             ActionInfo        *a,
                                             const Path        *apath);
void         _pw_validate_trailing_approval (Validator         *v,
                                             const Path        *stages_path);

/* pw-validate-artifacts.c */
void         _pw_validate_stores            (Validator         *v);
void         _pw_validate_artifact_list     (Validator         *v,
                                             ActionInfo        *a,
                                             guint              action_index,
                                             const Path        *apath,
                                             gboolean           outputs);
void         _pw_validate_artifact_counts   (Validator         *v,
                                             ActionInfo        *a,
                                             const Path        *apath);
void         _pw_validate_input_artifacts   (Validator         *v,
                                             PwElement         *el,
                                             JsonNode          *node,
                                             const Path        *path,
                                             const ActionInfo  *consumer,
                                             guint              stage,
                                             When               when);
void         _pw_validate_unused_outputs    (Validator         *v,
                                             const Path        *stages_path);

/* pw-validate-providers.c */
void         _pw_validate_type_id           (Validator         *v,
                                             ActionInfo        *a,
                                             const Path        *apath);
void         _pw_validate_configuration     (Validator         *v,
                                             ActionInfo        *a,
                                             const Path        *apath);
void         _pw_validate_commands_members  (Validator         *v,
                                             ActionInfo        *a,
                                             const Path        *apath);
void         _pw_validate_region            (Validator         *v,
                                             ActionInfo        *a,
                                             const Path        *apath);

/* pw-validate-variables.c */
void         _pw_validate_variables         (Validator         *v);
void         _pw_validate_namespace         (Validator         *v,
                                             ActionInfo        *a,
                                             guint              action_index,
                                             const Path        *apath);
void         _pw_validate_refs              (Validator         *v,
                                             PwElement         *el,
                                             JsonNode          *node,
                                             const Path        *path,
                                             const ActionInfo  *consumer,
                                             guint              stage,
                                             When               when);
void         _pw_validate_action_refs       (Validator         *v,
                                             ActionInfo        *a,
                                             const Path        *apath);

/* pw-validate-triggers.c */
void         _pw_validate_stage_conditions  (Validator         *v,
                                             StageInfo         *st,
                                             guint              stage,
                                             const Path        *spath);
void         _pw_validate_triggers          (Validator         *v);
void         _pw_validate_transitions       (Validator         *v);

/* The clean path, inline in every file. One file let the compiler inline
 * these into every rule; across files each would be a call per action
 * (the split cost 5% of a validation of the 2,451-action stress pipeline
 * before they moved here). What they report is out of line. */

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

static inline gboolean
in_list (const char *const *list,
         const char         *value)
{
  for (guint i = 0; list[i] != NULL; i++)
    if (list[i][0] == value[0] && str_eq (list[i], value))
      return TRUE;

  return FALSE;
}

static inline const char *
literal_string (JsonNode *node)
{
  /* json_node_get_value_type() answers for every kind of node. */
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static inline gboolean
is_string_node (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_STRING;
}

/* Whether a mapping's only key @name makes it a CloudFormation intrinsic. */
static inline gboolean
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

/* Which Chars classes each byte belongs to (_pw_validate_init_char_classes()). */
extern guint8 _pw_validate_char_classes[256];

static inline gboolean
char_ok (Chars  chars,
         guchar c)
{
  return chars == CHARS_ANY || (_pw_validate_char_classes[c] & chars) != 0;
}

/* pw_cfn_is_intrinsic(), without the second lookup of the ordered
 * iterator: this runs on most mappings of the pipeline. */
static inline gboolean
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

  return intrinsic_key (name);
}

static inline guint32
str_hash (const char *s)
{
  guint32 h = 2166136261u;

  for (; *s != '\0'; s++)
    h = (h ^ (guchar)*s) * 16777619u;

  return h;
}

/* The value slot for @key: 0 when absent, and then the caller may store
 * a value there (which inserts the key). */
static inline guint32 *
strmap_slot (StrMap     *map,
             const char *key)
{
  guint32 hash = str_hash (key);
  guint i;

  if ((map->used + 1) * 3 > (map->mask + 1) * 2)
    _pw_strmap_grow (map);

  for (i = hash & map->mask; map->slots[i].value != 0; i = (i + 1) & map->mask)
    if (map->slots[i].hash == hash && str_eq (map->slots[i].key, key))
      return &map->slots[i].value;

  /* Claimed now; an unset value (still 0) keeps the slot empty. */
  map->slots[i].key = key;
  map->slots[i].hash = hash;
  map->used++;
  return &map->slots[i].value;
}

static inline guint32
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

/* Fills @members (indexed like @keys) with the known members of @object
 * (the mapping in @node) and reports the others. Only the first
 * @n_allowed keys are allowed here (the rest are CloudFormation-only).
 * Returns %FALSE when the mapping is a CloudFormation intrinsic, which is
 * reported instead: telling that apart here saves a second walk over
 * every mapping of the pipeline. */
static inline gboolean
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

  return _pw_validate_collect_unknown (v, el, node, object, path, keys, n_allowed, unknown);
}

/* The string in @node; anything else is reported
 * (_pw_validate_report_not_string()). */
static inline const char *
get_string (Validator  *v,
            PwElement  *el,
            JsonNode   *node,
            const Path *path,
            const char *what,
            const char *code)
{
  if (node == NULL)
    return NULL;

  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);

  _pw_validate_report_not_string (v, el, node, path, what, code);
  return NULL;
}

/* A string member with its constraints: returns the string when it is one
 * (even if too long or malformed, so later checks can still use it). */
static inline const char *
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
    _pw_validate_check_text (v, el, node, path, what, s, min, max, chars, required, code);

  return s;
}

G_END_DECLS
