/* pw-validate-values.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Values and their shapes, the checks under every rule family: known keys
 * (P25), types (P26), lengths, patterns and allowed values (P27), required
 * members (P01), role ARNs and V2-only members (P18). */

#define G_LOG_DOMAIN "pw-validator"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pw-validator-private.h"

/* Which classes each byte belongs to: one load per character instead of
 * a chain of comparisons. Filled once. */
guint8 _pw_validate_char_classes[256];

void
_pw_validate_init_char_classes (void)
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

          _pw_validate_char_classes[c] = bits;
        }

      g_once_init_leave (&initialized, 1);
    }
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
  g_autofree char *w = _pw_validate_where (path);
  g_autofree char *expected = NULL;
  g_autofree char *hint = NULL;
  g_auto(GStrv) allowed = g_new0 (char *, n_allowed + 1);
  Suggest s = { name, NULL, 0 };

  for (guint j = 0; j < n_allowed; j++)
    {
      allowed[j] = g_strdup (_pw_validate_key_name (v, keys[j]));
      _pw_validate_suggest_offer (&s, allowed[j]);
    }
  expected = _pw_validate_join_list (v, (const char *const *)allowed, FALSE);
  hint = _pw_validate_suggest_text (&s);

  if (v->cfn)
    _pw_validate_report (v, "P25", ERR, el, member, TRUE, PATH_KEY (path, name),
                         _("unknown key '%s' in %s%s; expected one of: %s (the resource schema "
                           "allows no other properties: CloudFormation rejects the template)"),
                         name, w, hint, expected);
  else
    _pw_validate_report (v, "P25", ERR, el, member, TRUE, PATH_KEY (path, name),
                         _("unknown key '%s' in %s%s; expected one of: %s"),
                         name, w, hint, expected);

  if (s.best != NULL)
    {
      /* Translators: a one-click fix: rename a key */
      g_autofree char *label = g_strdup_printf (_("Rename to '%s'"), s.best);
      _pw_validate_offer_fix (v, PW_FIX_RENAME_KEY, PATH_KEY (path, name), member, s.best, label);
    }
}

/* collect() for a mapping with a key that is not one of @keys (the last
 * one met is @unknown): an intrinsic, or unknown keys to report. */
gboolean
_pw_validate_collect_unknown (Validator          *v,
                              PwElement          *el,
                              JsonNode           *node,
                              JsonObject         *object,
                              const Path         *path,
                              const char *const  *keys,
                              guint               n_allowed,
                              const char         *unknown)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  if (json_object_get_size (object) == 1 && intrinsic_key (unknown))
    {
      v->uncertain = TRUE;
      _pw_validate_report_intrinsic (v, el, node != NULL ? node : pw_element_get_raw (el), path);
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
JsonObject *
_pw_validate_expect_mapping (Validator          *v,
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
      _pw_validate_report (v, "P26", ERR, el, node, FALSE, path,
                           _("%s must be a mapping, but it is %s"), _(what),
                           _pw_json_type_name (node));
      return NULL;
    }

  object = json_node_get_object (node);
  if (!collect (v, el, node, object, path, keys, n_allowed, members))
    return NULL;

  return object;
}

/* @node when it holds a @type (a mapping or a list), or NULL after saying
 * why it does not. */
static JsonNode *
expect_container (Validator    *v,
                  PwElement    *el,
                  JsonNode     *node,
                  const Path   *path,
                  const char   *what,
                  JsonNodeType  type)
{
  if (node == NULL)
    return NULL;

  if (is_intrinsic (node))
    {
      v->uncertain = TRUE;
      _pw_validate_report_intrinsic (v, el, node, path);
      return NULL;
    }

  if (JSON_NODE_TYPE (node) != type)
    {
      _pw_validate_report (v, "P26", ERR, el, node, FALSE, path,
                           type == JSON_NODE_OBJECT ? _("%s must be a mapping, but it is %s")
                                                    : _("%s must be a list, but it is %s"),
                           _(what), _pw_json_type_name (node));
      return NULL;
    }

  return node;
}

/* The mapping in @node, or NULL after saying why there is none. */
JsonObject *
_pw_validate_expect_object (Validator  *v,
                            PwElement  *el,
                            JsonNode   *node,
                            const Path *path,
                            const char *what)
{
  node = expect_container (v, el, node, path, what, JSON_NODE_OBJECT);

  return node != NULL ? json_node_get_object (node) : NULL;
}

/* The list in @node, or NULL after saying why there is none. */
JsonArray *
_pw_validate_expect_array (Validator  *v,
                           PwElement  *el,
                           JsonNode   *node,
                           const Path *path,
                           const char *what)
{
  node = expect_container (v, el, node, path, what, JSON_NODE_ARRAY);

  return node != NULL ? json_node_get_array (node) : NULL;
}

/* get_string() for a @node that holds no string: an intrinsic (P35), a
 * scalar that CloudFormation converts by itself (a note under @code), or
 * another type (an error under @code). */
void
_pw_validate_report_not_string (Validator  *v,
                                PwElement  *el,
                                JsonNode   *node,
                                const Path *path,
                                const char *what,
                                const char *code)
{
  g_autofree char *text = NULL;

  if (is_intrinsic (node))
    {
      _pw_validate_report_intrinsic (v, el, node, path);
      return;
    }

  text = _pw_json_scalar_to_string (node);
  if (text != NULL && v->cfn)
    _pw_validate_report (v, code, NOTE, el, node, FALSE, path,
                         _("%s %s is %s; CloudFormation accepts it, and the export will write the "
                           "string '%s'"),
                         _(what), text, _pw_json_type_name (node), text);
  else if (text != NULL)
    {
      _pw_validate_report (v, code, ERR, el, node, FALSE, path,
                           _("%s must be a string, but %s is %s; quote it: '%s'"),
                           _(what), text, _pw_json_type_name (node), text);
      /* Translators: a one-click fix: make a number or boolean a string */
      _pw_validate_offer_set_string (v, path, text, _("Quote it"));
    }
  else
    _pw_validate_report (v, code, ERR, el, node, FALSE, path,
                         _("%s must be a string, but it is %s"), _(what),
                         _pw_json_type_name (node));
}

/* An integer member. CloudFormation also takes a numeric string. */
gboolean
_pw_validate_get_int (Validator  *v,
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
      _pw_validate_report_intrinsic (v, el, node, path);
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
              _pw_validate_report (v, "P26", NOTE, el, node, FALSE, path,
                                   _("%s is the string '%s'; CloudFormation accepts it, and the "
                                     "export will write the number %" G_GINT64_FORMAT),
                                   _(what), s, parsed);
              *value = parsed;
              return TRUE;
            }

          _pw_validate_report (v, "P26", ERR, el, node, FALSE, path,
                               _("%s must be an integer, not a string: write %" G_GINT64_FORMAT
                                 " instead of '%s'"),
                               _(what), parsed, s);
          {
            g_autoptr(JsonNode) number = json_node_new (JSON_NODE_VALUE);
            /* Translators: a one-click fix: turn '2' into 2 */
            g_autofree char *label = g_strdup_printf (_("Write %" G_GINT64_FORMAT), parsed);

            json_node_set_int (number, parsed);
            _pw_validate_offer_fix (v, PW_FIX_SET, path, number, NULL, label);
          }
          return FALSE;
        }
    }

  _pw_validate_report (v, "P26", ERR, el, node, FALSE, path,
                       _("%s must be an integer, but it is %s"), _(what),
                       _pw_json_type_name (node));
  return FALSE;
}

const char *
_pw_validate_chars_description (Chars chars)
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
gboolean
_pw_validate_check_text (Validator  *v,
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
        _pw_validate_report (v, "P01", ERR, el, node, FALSE, path,
                             _("%s is empty; give it a value"), _(what));
      else
        _pw_validate_report (v, code, ERR, el, node, FALSE, path,
                             _("%s is empty; it needs at least %u character(s), or leave it out"),
                             _(what), min);
      return FALSE;
    }

  if (bytes > max)
    {
      glong n = g_utf8_strlen (s, -1);

      if (n > (glong)max)
        {
          _pw_validate_report (v, code, ERR, el, node, FALSE, path,
                               _("%s has %ld characters; at most %u are allowed"), _(what), n, max);
          return FALSE;
        }
    }
  else if (min > 1 && bytes < min && (guint)g_utf8_strlen (s, -1) < min)
    {
      _pw_validate_report (v, code, ERR, el, node, FALSE, path,
                           _("%s '%s' is too short; it needs at least %u characters"), _(what), s,
                           min);
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

              _pw_validate_report (v, code, ERR, el, node, FALSE, path,
                                   _("%s '%s' contains '%s', which is not allowed; use only %s"),
                                   _(what), s, shown, _pw_validate_chars_description (chars));
              return FALSE;
            }
        }
    }

  return TRUE;
}

const char *
_pw_validate_check_enum (Validator          *v,
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
      g_autofree char *list = _pw_validate_join_list (v, allowed, FALSE);
      g_autofree char *hint = NULL;
      Suggest sg = { s, NULL, 0 };

      for (guint i = 0; allowed[i] != NULL; i++)
        _pw_validate_suggest_offer (&sg, allowed[i]);
      hint = _pw_validate_suggest_text (&sg);

      _pw_validate_report (v, code, ERR, el, node, FALSE, path,
                           _("%s '%s' is not allowed%s; use one of: %s"), _(what), s, hint, list);
      return NULL;
    }

  return s;
}

void
_pw_validate_check_string_list (Validator  *v,
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
  JsonArray *array = _pw_validate_expect_array (v, el, node, path, what);
  guint n;

  if (array == NULL)
    return;

  n = json_array_get_length (array);
  if (n < min || n > max)
    _pw_validate_report (v, code, ERR, el, node, FALSE, path,
                         _("%s has %u item(s); it takes %u to %u"), _(what), n, min, max);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      const Path *ipath = PATH_INDEX (path, i);
      const char *s = get_string (v, el, item, ipath, item_what, "P26");

      if (s == NULL)
        continue;

      if (_pw_validate_check_text (v, el, item, ipath, item_what, s, 1, item_max, CHARS_ANY, FALSE,
                                   code) && single_line && strpbrk (s, "\r\n") != NULL)
        _pw_validate_report (v, code, ERR, el, item, FALSE, ipath,
                             _("%s spans several lines; give each line as its own item"),
                             _(item_what));
    }
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

void
_pw_validate_check_role_arn (Validator  *v,
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
        _pw_validate_report (v, "P01", ERR, el, node, FALSE, path,
                             _("%s is empty; give the ARN of an IAM role"), _(what));
      else
        _pw_validate_report (v, "P27", ERR, el, node, FALSE, path,
                             _("%s is empty; give the ARN of an IAM role or leave it out"),
                             _(what));
    }
  else if (g_utf8_strlen (s, -1) > 1024)
    _pw_validate_report (v, "P27", ERR, el, node, FALSE, path,
                         _("%s has more than 1024 characters"), _(what));
  else if (!role_arn_ok (s))
    _pw_validate_report (v, "P27", ERR, el, node, FALSE, path,
                         _("%s '%s' is not an IAM role ARN; it must look like "
                           "arn:aws:iam::111122223333:role/role-name"),
                         _(what), s);
}

const char *
_pw_validate_v2_hint (Validator *v)
{
  JsonNode *type = v->pm[P_PIPELINE_TYPE];

  if (v->cfn)
    return type != NULL ? _("set PipelineType to V2") : _("add PipelineType: V2 to the pipeline");

  return type != NULL ? _("set pipelineType to V2") : _("add `pipelineType: V2` to the pipeline");
}

/* P18: @what is a V2 feature. */
void
_pw_validate_need_v2 (Validator  *v,
                      PwElement  *el,
                      JsonNode   *node,
                      gboolean    key,
                      const Path *path,
                      const char *what)
{
  if (v->v2)
    return;

  _pw_validate_report (v, "P18", ERR, el, node, key, path,
                       v->pm[P_PIPELINE_TYPE] != NULL
                         ? _("%s needs a V2 pipeline, but %s is V1; %s")
                         : _("%s needs a V2 pipeline, but %s is not set (so it is V1); %s"),
                       _(what), _pw_validate_key_name (v, "pipelineType"),
                       _pw_validate_v2_hint (v));
}

/* P18 for a member that exists only in V2 pipelines. */
void
_pw_validate_need_v2_member (Validator  *v,
                             PwElement  *el,
                             JsonNode   *node,
                             const Path *path,
                             const char *key)
{
  g_autofree char *what = NULL;

  if (v->v2)
    return;

  what = g_strdup_printf ("'%s'", _pw_validate_key_name (v, key));
  _pw_validate_need_v2 (v, el, node, TRUE, path, what);
}

/* Scalars are fine in CloudFormation for a boolean property. */
void
_pw_validate_check_boolean (Validator  *v,
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
      _pw_validate_report_intrinsic (v, el, node, path);
      return;
    }

  s = literal_string (node);
  if (s != NULL && (g_ascii_strcasecmp (s, "true") == 0 || g_ascii_strcasecmp (s, "false") == 0))
    return;

  _pw_validate_report (v, "P26", ERR, el, node, FALSE, path,
                       _("%s must be true or false, but it is %s"), _(what),
                       _pw_json_type_name (node));
}
