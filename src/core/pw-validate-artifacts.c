/* pw-validate-artifacts.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Artifacts: the artifact stores (P02), input and output artifacts, their
 * counts (P10, P23), uniqueness (P08), producers (P09) and consumers (P31). */

#define G_LOG_DOMAIN "pw-validator"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pw-validator-private.h"

static const char *const store_keys[] = { "type", "location", "encryptionKey", NULL };
static const char *const key_keys[] = { "id", "type", NULL };
static const char *const cfn_store_keys[] = { "region", "artifactStore", NULL };
static const char *const input_keys[] = { "name", NULL };
static const char *const output_keys[] = { "name", "files", NULL };

/* Artifact stores */

static void
validate_store (Validator  *v,
                JsonNode   *node,
                const Path *path)
{
  PwElement *el = v->pel;
  JsonNode *m[3] = { NULL, };
  JsonObject *object = _pw_validate_expect_mapping (v, el, node, path, N_("an artifact store"),
                                                    store_keys, 3, m);

  if (object == NULL)
    return;

  if (m[0] == NULL)
    _pw_validate_report (v, "P01", ERR, el, node, FALSE, path,
                         _("artifact store has no %s; set it to S3"),
                         _pw_validate_key_name (v, "type"));
  else
    _pw_validate_check_enum (v, el, m[0], PATH_KEY (path, "type"), N_("artifact store type"),
                             (const char *const[]) { "S3", NULL }, "P27");

  if (m[1] == NULL)
    _pw_validate_report (v, "P01", ERR, el, node, FALSE, path,
                         _("artifact store has no %s; give the name of its S3 bucket"),
                         _pw_validate_key_name (v, "location"));
  else
    check_string (v, el, m[1], PATH_KEY (path, "location"), N_("artifact bucket name"), 3, 63,
                  CHARS_BUCKET, TRUE, "P27");

  if (m[2] != NULL)
    {
      const Path *kpath = PATH_KEY (path, "encryptionKey");
      JsonNode *k[2] = { NULL, };
      JsonObject *key = _pw_validate_expect_mapping (v, el, m[2], kpath, N_("encryptionKey"),
                                                     key_keys, 2, k);

      if (key == NULL)
        return;

      if (k[0] == NULL)
        _pw_validate_report (v, "P01", ERR, el, m[2], FALSE, kpath,
                             _("encryptionKey has no %s; give a KMS key id, key ARN or alias ARN"),
                             _pw_validate_key_name (v, "id"));
      else
        check_string (v, el, k[0], PATH_KEY (kpath, "id"), N_("encryption key id"), 1, 400,
                      CHARS_ANY, TRUE, "P27");

      if (k[1] == NULL)
        _pw_validate_report (v, "P01", ERR, el, m[2], FALSE, kpath,
                             _("encryptionKey has no %s; set it to KMS"),
                             _pw_validate_key_name (v, "type"));
      else
        _pw_validate_check_enum (v, el, k[1], PATH_KEY (kpath, "type"), N_("encryption key type"),
                                 (const char *const[]) { "KMS", NULL }, "P27");
    }
}

void
_pw_validate_stores (Validator *v)
{
  PwElement *el = v->pel;
  JsonNode *single = v->pm[P_ARTIFACT_STORE];
  JsonNode *multi = v->pm[P_ARTIFACT_STORES];
  const Path *path = PATH_KEY (NULL, "artifactStores");

  if (single != NULL && multi != NULL)
    _pw_validate_report (v, "P02", ERR, el, multi, TRUE, path,
                         _("the pipeline has both %s and %s; keep exactly one: %s for a "
                           "single-region pipeline, %s when actions run in other regions"),
                         _pw_validate_key_name (v, "artifactStore"),
                         _pw_validate_key_name (v, "artifactStores"),
                         _pw_validate_key_name (v, "artifactStore"),
                         _pw_validate_key_name (v, "artifactStores"));
  else if (single == NULL && multi == NULL)
    _pw_validate_report (v, "P02", ERR, el, NULL, FALSE, NULL,
                         _("the pipeline has no artifact store; add %s (an S3 bucket for the "
                           "artifacts), or %s with one per region"),
                         _pw_validate_key_name (v, "artifactStore"),
                         _pw_validate_key_name (v, "artifactStores"));

  if (single != NULL)
    validate_store (v, single, PATH_KEY (NULL, "artifactStore"));

  if (multi == NULL)
    return;

  if (is_intrinsic (multi))
    {
      v->uncertain = TRUE;
      _pw_validate_report_intrinsic (v, el, multi, path);
      return;
    }

  if (JSON_NODE_HOLDS_OBJECT (multi))
    {
      JsonObjectIter iter;
      const char *region;
      JsonNode *store;

      v->stores = json_node_get_object (multi);
      if (json_object_get_size (v->stores) == 0)
        _pw_validate_report (v, "P02", ERR, el, multi, FALSE, path,
                             _("artifactStores is empty; give one artifact store per region"));

      json_object_iter_init_ordered (&iter, v->stores);
      while (json_object_iter_next_ordered (&iter, &region, &store))
        {
          const Path *rpath = PATH_KEY (path, region);
          glong len = g_utf8_strlen (region, -1);

          if (len < 4 || len > 30)
            _pw_validate_report (v, "P27", ERR, el, store, TRUE, rpath,
                                 _("artifactStores key '%s' is not a region name (4 to 30 "
                                   "characters, like us-east-1)"),
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
          JsonObject *object = _pw_validate_expect_mapping (v, el, item, ipath,
                                                            N_("an artifactStores item"),
                                                            cfn_store_keys, 2, m);
          const char *region;

          if (object == NULL)
            continue;

          if (m[0] == NULL)
            _pw_validate_report (v, "P01", ERR, el, item, FALSE, ipath,
                                 _("artifactStores item has no Region"));
          if (m[1] == NULL)
            _pw_validate_report (v, "P01", ERR, el, item, FALSE, ipath,
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
    _pw_validate_report (v, "P26", ERR, el, multi, FALSE, path,
                         _("artifactStores must be a mapping of region to artifact store, but it "
                           "is %s"), _pw_json_type_name (multi));
}

/* Artifact lists */

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
        _pw_validate_suggest_offer (&s,
                                    literal_string (g_array_index (v->outputs, Output, k).node));
      hint = _pw_validate_suggest_text (&s);

      _pw_validate_report (v, "P09", v->uncertain ? NOTE : ERR, el, name_node, FALSE, npath,
                           v->uncertain
                             ? _("input artifact '%s' is not produced anywhere that can be "
                                 "checked%s; it may come from a part of the pipeline that is a "
                                 "CloudFormation intrinsic")
                             : _("input artifact '%s' is not produced anywhere in the pipeline%s; "
                                 "it must be an output artifact of an action that runs earlier"),
                           name, hint);
      return;
    }

  out = &g_array_index (v->outputs, Output, found - 1);
  producer = &v->actions[out->action];
  vis = _pw_validate_visibility (producer, consumer, stage, when);
  out->consumed = TRUE;

  if (vis != VISIBLE)
    {
      g_autofree char *who = _pw_validate_describe_action (producer);
      g_autofree char *why = _pw_validate_explain_hidden (v, producer, consumer, stage, when, vis);

      if (consumer != NULL)
        _pw_validate_report (v, "P09", ERR, el, name_node, FALSE, npath,
                             _("input artifact '%s' is produced later or in parallel by %s, not by "
                               "an action that runs before '%s': %s"),
                             name, who, _pw_validate_action_label (consumer), why);
      else
        _pw_validate_report (v, "P09", ERR, el, name_node, FALSE, npath,
                             _("input artifact '%s' is produced later by %s, so this rule cannot "
                               "read it: %s"), name, who, why);
    }
}

/* The artifact lists: shapes and names; outputs go into the table. */
void
_pw_validate_artifact_list (Validator  *v,
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

  if ((array = _pw_validate_expect_array (v, el, node, lpath, key)) == NULL)
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
        object = _pw_validate_expect_mapping (v, el, item, ipath, N_("an artifact"),
                                              outputs ? output_keys : input_keys, outputs ? 2 : 1,
                                              m);

      if (object == NULL)
        {
          v->uncertain = TRUE;
          continue;
        }

      if (m[0] == NULL)
        {
          _pw_validate_report (v, "P01", ERR, el, item, FALSE, ipath,
                               _("artifact has no %s"), _pw_validate_key_name (v, "name"));
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

              _pw_validate_need_v2 (v, el, m[1], TRUE, fpath, N_("'files' on an output artifact"));
              if (!a->is_commands && a->category != NULL)
                _pw_validate_report (v, "P36", ERR, el, m[1], TRUE, fpath,
                                     _("output artifact files only apply to a Commands action "
                                       "(category Compute); remove them"));
              _pw_validate_check_string_list (v, el, m[1], fpath, N_("files"), N_("file path"), 1,
                                              10, 128, FALSE, "P36");
            }

          if (*found != 0)
            {
              Output *first = &g_array_index (v->outputs, Output, *found - 1);
              g_autofree char *producer = _pw_validate_describe_action (&v->actions[first->action]);

              _pw_validate_report (v, "P08", ERR, el, m[0], FALSE, PATH_KEY (ipath, "name"),
                                   _("output artifact '%s' is already produced by %s; output "
                                     "artifact names must be unique in the pipeline — rename one "
                                     "of them"),
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

/* P10: @a has @n input or output artifacts, but its provider takes @min
 * to @max. */
static void
report_artifact_count (Validator  *v,
                       ActionInfo *a,
                       const Path *apath,
                       gboolean    outputs,
                       guint       n,
                       guint       min,
                       guint       max)
{
  JsonNode *node = a->m[outputs ? A_OUTPUTS : A_INPUTS];
  g_autofree char *range = min == max ? g_strdup_printf ("%u", min)
                                      : g_strdup_printf ("%u to %u", min, max);

  _pw_validate_report (v, "P10", ERR, a->element, node, FALSE,
                       node != NULL ? PATH_KEY (apath, outputs ? "outputArtifacts"
                                                               : "inputArtifacts")
                                    : apath,
                       outputs ? _("%s %s actions produce %s output artifact(s), but '%s' has %u")
                               : _("%s %s actions take %s input artifact(s), but '%s' has %u"),
                       a->info->provider, a->info->category, range,
                       _pw_validate_action_label (a), n);
}

void
_pw_validate_artifact_counts (Validator  *v,
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
        _pw_validate_report (v, "P23", ERR, el, a->m[A_INPUTS], FALSE,
                             PATH_KEY (apath, "inputArtifacts"),
                             _("Source action '%s' has %u input artifact(s); a source action takes "
                               "none"), _pw_validate_action_label (a), n_in);
      if (outputs_ok && n_out != 1)
        _pw_validate_report (v, "P23", ERR, el, a->m[A_OUTPUTS], FALSE,
                             a->m[A_OUTPUTS] != NULL ? PATH_KEY (apath, "outputArtifacts") : apath,
                             _("Source action '%s' has %u output artifacts; a source action has "
                               "exactly one (the revision it fetched)"),
                             _pw_validate_action_label (a), n_out);
      return;
    }

  if (info == NULL)
    return;

  if (inputs_ok && (n_in < info->min_inputs || n_in > info->max_inputs))
    report_artifact_count (v, a, apath, FALSE, n_in, info->min_inputs, info->max_inputs);
  if (outputs_ok && (n_out < info->min_outputs || n_out > info->max_outputs))
    report_artifact_count (v, a, apath, TRUE, n_out, info->min_outputs, info->max_outputs);
}

void
_pw_validate_input_artifacts (Validator        *v,
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
      if ((array = _pw_validate_expect_array (v, el, node, path, "inputArtifacts")) == NULL)
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
          JsonObject *object = _pw_validate_expect_mapping (v, el, item, ipath, N_("an artifact"),
                                                            input_keys, 1, m);

          if (object == NULL)
            continue;
          if (m[0] == NULL)
            {
              _pw_validate_report (v, "P01", ERR, el, item, FALSE, ipath, _("artifact has no %s"),
                                   _pw_validate_key_name (v, "name"));
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

/* P31: only when every consumer could be seen. */
void
_pw_validate_unused_outputs (Validator  *v,
                             const Path *stages_path)
{
  if (v->uncertain || v->n_stages < 2)
    return;

  for (guint i = 0; i < v->outputs->len; i++)
    {
      Output *out = &g_array_index (v->outputs, Output, i);
      ActionInfo *a = &v->actions[out->action];
      const Path *apath = PATH_INDEX (PATH_KEY (PATH_INDEX (stages_path, a->stage), "actions"),
                                      a->index);
      const Path *npath = PATH_KEY (PATH_INDEX (PATH_KEY (apath, "outputArtifacts"), out->index),
                                    "name");

      if (!out->consumed)
        _pw_validate_report (v, "P31", WARN, a->element, out->node, FALSE, npath,
                             _("output artifact '%s' of '%s' is never used as an input artifact; "
                               "consume it in a later action or remove it"),
                             literal_string (out->node), _pw_validate_action_label (a));
    }
}
