/* pw-buildspec.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-buildspec"

#include "config.h"

#include <string.h>

#include "pw-engine.h"

/* A message quotes at most this many characters of a command or value. */
#define QUOTE_LIMIT 60

/* Every problem is reported, up to this many, so one run fixes most of them. */
#define MAX_ERRORS 20

struct _PwBuildspec
{
  gatomicrefcount        ref_count;

  char                  *filename;
  char                  *version;
  char                  *shell;
  GPtrArray             *variables;
  GStrv                  exported_variables;
  PwBuildspecPhase       phases[PW_BUILDSPEC_N_PHASES];
  PwBuildspecArtifacts  *artifacts;
  GPtrArray             *secondary_artifacts;
  GPtrArray             *reports;
  GStrv                  cache_paths;
  GStrv                  warnings;
};

typedef struct
{
  guint  line;
  guint  column;
  char  *text;
} Message;

typedef struct
{
  PwBuildspec *spec;
  PwSourceMap *map;
  GPtrArray   *errors;
  GPtrArray   *warnings;
} Parser;

G_DEFINE_BOXED_TYPE (PwBuildspec, pw_buildspec, pw_buildspec_ref, pw_buildspec_unref)

/* Report groups one CodeBuild project may have. */
#define MAX_REPORT_GROUPS 5

static const char * const phase_keys[PW_BUILDSPEC_N_PHASES + 1] = {
  "install", "pre_build", "build", "post_build", NULL
};

static const char * const phase_labels[PW_BUILDSPEC_N_PHASES] = {
  "INSTALL", "PRE_BUILD", "BUILD", "POST_BUILD"
};

static const char * const top_level_keys[] = {
  "version", "run-as", "env", "proxy", "batch", "phases", "reports", "artifacts", "cache", NULL
};

static const char * const env_keys[] = {
  "shell", "variables", "parameter-store", "secrets-manager", "exported-variables",
  "git-credential-helper", NULL
};

static const char * const phase_member_keys[] = {
  "run-as", "on-failure", "runtime-versions", "commands", "finally", NULL
};

static const char * const artifact_keys[] = {
  "files", "name", "discard-paths", "base-directory", "exclude-paths", "enable-symlinks",
  "s3-prefix", "secondary-artifacts", NULL
};

static const char * const report_keys[] = {
  "files", "base-directory", "discard-paths", "file-format", NULL
};

static const char * const cache_keys[] = {
  "paths", "key", "fallback-keys", "action", NULL
};

static const char * const report_formats[] = {
  "JUNITXML", "CUCUMBERJSON", "NUNITXML", "NUNIT3XML", "TESTNGXML", "VISUALSTUDIOTRX",
  "CLOVERXML", "COBERTURAXML", "JACOCOXML", "SIMPLECOV", NULL
};

static void
message_free (gpointer data)
{
  Message *message = data;

  g_free (message->text);
  g_free (message);
}

/* Messages are found key by key, but read best in file order. */
static int
message_compare (gconstpointer a,
                 gconstpointer b)
{
  const Message *ma = *(const Message * const *)a;
  const Message *mb = *(const Message * const *)b;

  if (ma->line != mb->line)
    return ma->line < mb->line ? -1 : 1;
  if (ma->column != mb->column)
    return ma->column < mb->column ? -1 : 1;
  return 0;
}

static char *
join_messages (GPtrArray *messages)
{
  GString *out = g_string_new (NULL);

  g_ptr_array_sort (messages, message_compare);
  for (guint i = 0; i < messages->len; i++)
    {
      const Message *message = g_ptr_array_index (messages, i);

      if (i > 0)
        g_string_append_c (out, '\n');
      g_string_append (out, message->text);
    }

  return g_string_free (out, FALSE);
}

static void
variable_free (gpointer data)
{
  PwBuildspecVariable *variable = data;

  g_free (variable->name);
  g_free (variable->value);
  g_free (variable);
}

static void
artifacts_free (gpointer data)
{
  PwBuildspecArtifacts *artifacts = data;

  if (artifacts == NULL)
    return;

  g_free (artifacts->identifier);
  g_strfreev (artifacts->files);
  g_free (artifacts->name);
  g_free (artifacts->base_directory);
  g_strfreev (artifacts->exclude_paths);
  g_free (artifacts->s3_prefix);
  g_free (artifacts);
}

static void
report_group_free (gpointer data)
{
  PwBuildspecReportGroup *group = data;

  g_free (group->name);
  g_strfreev (group->files);
  g_free (group->base_directory);
  g_free (group->file_format);
  g_free (group);
}

static PwBuildspec *
buildspec_new (const char *filename)
{
  PwBuildspec *self = g_new0 (PwBuildspec, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->filename = g_strdup (filename);
  self->variables = g_ptr_array_new_with_free_func (variable_free);
  self->secondary_artifacts = g_ptr_array_new_with_free_func (artifacts_free);
  self->reports = g_ptr_array_new_with_free_func (report_group_free);

  return self;
}

/* Positions and messages ---------------------------------------------------- */

static void
node_position (Parser   *parser,
               JsonNode *node,
               gboolean  at_key,
               guint    *line,
               guint    *column)
{
  *line = 1;
  *column = 1;

  if (node == NULL)
    return;

  if (at_key && pw_source_map_lookup_key (parser->map, node, line, column))
    return;

  pw_source_map_lookup (parser->map, node, line, column);
}

static void
add_message (Parser     *parser,
             GPtrArray  *messages,
             const char *severity,
             JsonNode   *node,
             gboolean    at_key,
             const char *format,
             va_list     args) G_GNUC_PRINTF (6, 0);

static void
add_message (Parser     *parser,
             GPtrArray  *messages,
             const char *severity,
             JsonNode   *node,
             gboolean    at_key,
             const char *format,
             va_list     args)
{
  g_autofree char *text = NULL;
  Message *message = g_new0 (Message, 1);

  node_position (parser, node, at_key, &message->line, &message->column);
  text = g_strdup_vprintf (format, args);
  message->text = g_strdup_printf ("%s:%u:%u: %s%s", parser->spec->filename,
                                   message->line, message->column, severity, text);
  g_ptr_array_add (messages, message);
}

static void
parser_error (Parser     *parser,
              JsonNode   *node,
              gboolean    at_key,
              const char *format,
              ...) G_GNUC_PRINTF (4, 5);

static void
parser_error (Parser     *parser,
              JsonNode   *node,
              gboolean    at_key,
              const char *format,
              ...)
{
  va_list args;

  if (parser->errors->len >= MAX_ERRORS)
    return;

  va_start (args, format);
  add_message (parser, parser->errors, "", node, at_key, format, args);
  va_end (args);
}

static void
parser_warning (Parser     *parser,
                JsonNode   *node,
                gboolean    at_key,
                const char *format,
                ...) G_GNUC_PRINTF (4, 5);

static void
parser_warning (Parser     *parser,
                JsonNode   *node,
                gboolean    at_key,
                const char *format,
                ...)
{
  va_list args;

  va_start (args, format);
  add_message (parser, parser->warnings, "warning: ", node, at_key, format, args);
  va_end (args);
}

static const char *
describe_node (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return "nothing (null)";
  if (JSON_NODE_HOLDS_OBJECT (node))
    return "a mapping";
  if (JSON_NODE_HOLDS_ARRAY (node))
    return "a list";

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return "a string";

    case G_TYPE_BOOLEAN:
      return "a boolean";

    default:
      return "a number";
    }
}

static char *
quote_text (const char *text)
{
  g_autofree char *first_line = NULL;
  const char *newline = strchr (text, '\n');
  gboolean cut = FALSE;

  first_line = newline != NULL ? g_strndup (text, newline - text) : g_strdup (text);
  if (newline != NULL && newline[1] != '\0')
    cut = TRUE;

  if (g_utf8_strlen (first_line, -1) > QUOTE_LIMIT)
    {
      g_autofree char *head = g_utf8_substring (first_line, 0, QUOTE_LIMIT - 1);

      g_free (first_line);
      first_line = g_steal_pointer (&head);
      cut = TRUE;
    }

  return cut ? g_strconcat (first_line, "…", NULL) : g_steal_pointer (&first_line);
}

/* @text as a YAML list item in a hint: quoted when YAML would misread it. */
static char *
list_item_hint (const char *text)
{
  g_autofree char *quoted = quote_text (text);
  g_auto(GStrv) parts = NULL;
  g_autofree char *doubled = NULL;

  if (quoted[0] != '\0' && strchr ("*&!{}[]|>'\"%@`#,?:-", quoted[0]) == NULL &&
      strstr (quoted, ": ") == NULL && strstr (quoted, " #") == NULL)
    return g_strdup_printf ("- %s", quoted);

  parts = g_strsplit (quoted, "'", -1);
  doubled = g_strjoinv ("''", parts);
  return g_strdup_printf ("- '%s'", doubled);
}

static char *
join_keys (const char * const *keys)
{
  return g_strjoinv (", ", (char **)keys);
}

/* Reports every member of @object whose key is not in @allowed. */
static void
check_keys (Parser             *parser,
            JsonObject         *object,
            const char * const *allowed,
            const char         *where)
{
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &key, &value))
    {
      g_autofree char *list = NULL;
      const char *suggestion;

      if (g_strv_contains (allowed, key))
        continue;

      list = join_keys (allowed);
      suggestion = pw_suggest_word (key, allowed);
      if (suggestion != NULL)
        parser_error (parser, value, TRUE, "unknown key '%s' %s; did you mean '%s'? (allowed: %s)",
                      key, where, suggestion, list);
      else
        parser_error (parser, value, TRUE, "unknown key '%s' %s; allowed keys are %s",
                      key, where, list);
    }
}

/* Scalars ------------------------------------------------------------------- */

/* The YAML reader types plain scalars (`1.10` becomes the number 1.1), but
 * CodeBuild reads every scalar of a buildspec as text, so the text is taken
 * back from the source: a number, boolean or null word never holds a space,
 * a comma or a closing bracket. */
static char *
raw_scalar_text (Parser   *parser,
                 JsonNode *node)
{
  g_autofree char *text = NULL;
  const char *p;
  const char *start;
  guint line;
  guint column;

  if (!pw_source_map_lookup (parser->map, node, &line, &column))
    return NULL;

  text = pw_source_map_dup_line (parser->map, line);
  if (text == NULL || !g_utf8_validate (text, -1, NULL) ||
      (glong)column - 1 > g_utf8_strlen (text, -1))
    return NULL;

  p = g_utf8_offset_to_pointer (text, column - 1);

  /* An anchor or a tag comes before the value it names. */
  while (*p == '&' || *p == '!')
    {
      while (*p != '\0' && *p != ' ' && *p != '\t')
        p++;
      while (*p == ' ' || *p == '\t')
        p++;
    }

  start = p;
  while (*p != '\0' && strchr (" \t,]}#", *p) == NULL)
    p++;

  if (p == start)
    return NULL;

  return g_strndup (start, p - start);
}

/* The text of a scalar (strings as they are, numbers and booleans as
 * written), or %NULL for null, lists and mappings. */
static char *
scalar_text (Parser   *parser,
             JsonNode *node)
{
  char *raw;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));

  raw = raw_scalar_text (parser, node);
  if (raw != NULL)
    return raw;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "true" : "false");

    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));

    default:
      {
        char buffer[G_ASCII_DTOSTR_BUF_SIZE];

        return g_strdup (g_ascii_dtostr (buffer, sizeof buffer, json_node_get_double (node)));
      }
    }
}

/* A string-valued key: reports anything but a scalar. */
static char *
expect_string (Parser     *parser,
               JsonNode   *node,
               const char *what)
{
  char *text = scalar_text (parser, node);

  if (text == NULL)
    parser_error (parser, node, FALSE, "%s must be a string, not %s", what, describe_node (node));

  return text;
}

/* `yes`/`no` keys: YAML 1.1 reads yes, no, true and false as booleans,
 * and quoted ones arrive as strings. */
static gboolean
expect_yes_no (Parser     *parser,
               JsonNode   *node,
               const char *what)
{
  const char *text;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node);

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      text = json_node_get_string (node);
      if (g_ascii_strcasecmp (text, "yes") == 0 || g_ascii_strcasecmp (text, "true") == 0)
        return TRUE;
      if (g_ascii_strcasecmp (text, "no") == 0 || g_ascii_strcasecmp (text, "false") == 0)
        return FALSE;
    }

  parser_error (parser, node, FALSE, "%s must be yes or no, not %s", what, describe_node (node));
  return FALSE;
}

static gboolean
is_variable_name (const char *name)
{
  if (name == NULL || !(g_ascii_isalpha (name[0]) || name[0] == '_'))
    return FALSE;

  for (const char *p = name + 1; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '_')
        return FALSE;
    }

  return TRUE;
}

/* A list of paths or globs. Some keys also take one string (@single_ok). */
static GStrv
expect_path_list (Parser     *parser,
                  JsonNode   *node,
                  const char *what,
                  gboolean    single_ok)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      parser_error (parser, node, TRUE, "%s is empty; list at least one path, e.g. `- '**/*'`",
                    what);
      return NULL;
    }

  if (JSON_NODE_HOLDS_VALUE (node))
    {
      g_autofree char *text = scalar_text (parser, node);
      g_autofree char *hint = NULL;

      if (single_ok)
        {
          g_strv_builder_add (builder, text);
          return g_strv_builder_end (builder);
        }

      hint = list_item_hint (text);
      parser_error (parser, node, FALSE,
                    "%s must be a list, not a string; write each path on its own line as "
                    "`%s`", what, hint);
      return NULL;
    }

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      parser_error (parser, node, FALSE, "%s must be a list of paths, not %s",
                    what, describe_node (node));
      return NULL;
    }

  array = json_node_get_array (node);
  if (json_array_get_length (array) == 0)
    {
      parser_error (parser, node, FALSE, "%s is an empty list; list at least one path", what);
      return NULL;
    }

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *text = scalar_text (parser, element);

      if (text == NULL || text[0] == '\0')
        {
          parser_error (parser, element, FALSE,
                        "entry %u of %s must be a path, not %s%s", i + 1, what,
                        text != NULL ? "an empty string" : describe_node (element),
                        JSON_NODE_HOLDS_VALUE (element) || JSON_NODE_HOLDS_NULL (element) ?
                        "; quote globs that start with '*', e.g. `- '**/*'`" : "");
          continue;
        }

      g_strv_builder_add (builder, text);
    }

  return g_strv_builder_end (builder);
}

/* env ----------------------------------------------------------------------- */

static void
parse_variable_map (Parser                  *parser,
                    JsonNode                *node,
                    const char              *what,
                    PwBuildspecVariableType  type)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  if (JSON_NODE_HOLDS_NULL (node))
    return;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      parser_error (parser, node, FALSE, "%s must be a mapping of NAME: value, not %s",
                    what, describe_node (node));
      return;
    }

  json_object_iter_init_ordered (&iter, json_node_get_object (node));
  while (json_object_iter_next_ordered (&iter, &name, &value))
    {
      PwBuildspecVariable *variable;
      g_autofree char *text = NULL;

      if (!is_variable_name (name))
        {
          parser_error (parser, value, TRUE,
                        "'%s' in %s is not a valid variable name; use letters, digits and '_', "
                        "not starting with a digit", name, what);
          continue;
        }

      if (g_str_has_prefix (name, "CODEBUILD_"))
        parser_warning (parser, value, TRUE,
                        "variable names starting with CODEBUILD_ are reserved by CodeBuild; "
                        "'%s' replaces the value CodeBuild sets", name);

      if (JSON_NODE_HOLDS_NULL (value) && type == PW_BUILDSPEC_VARIABLE_PLAINTEXT)
        text = g_strdup ("");
      else
        text = scalar_text (parser, value);

      if (text == NULL)
        {
          parser_error (parser, value, FALSE, "%s.%s must be a string, not %s%s",
                        what, name, describe_node (value),
                        JSON_NODE_HOLDS_NULL (value) ?
                        type == PW_BUILDSPEC_VARIABLE_PARAMETER_STORE ?
                        "; give the parameter's name" : "; give the secret's id" : "");
          continue;
        }

      if (type != PW_BUILDSPEC_VARIABLE_PLAINTEXT && text[0] == '\0')
        {
          parser_error (parser, value, FALSE, "%s.%s is empty; give the %s", what, name,
                        type == PW_BUILDSPEC_VARIABLE_PARAMETER_STORE ?
                        "parameter's name" : "secret's id (secret-id:json-key:stage:version)");
          continue;
        }

      variable = g_new0 (PwBuildspecVariable, 1);
      variable->name = g_strdup (name);
      variable->value = g_steal_pointer (&text);
      variable->type = type;
      node_position (parser, value, TRUE, &variable->line, &variable->column);
      g_ptr_array_add (parser->spec->variables, variable);
    }
}

static void
parse_exported_variables (Parser   *parser,
                          JsonNode *node)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  if (JSON_NODE_HOLDS_NULL (node))
    return;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_autofree char *text = scalar_text (parser, node);

      parser_error (parser, node, FALSE,
                    "env.exported-variables must be a list of names, not %s%s%s%s",
                    describe_node (node), text != NULL ? "; write `- " : "",
                    text != NULL ? text : "", text != NULL ? "`" : "");
      return;
    }

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *name = scalar_text (parser, element);

      if (name == NULL || !is_variable_name (name))
        {
          parser_error (parser, element, FALSE,
                        "entry %u of env.exported-variables must be a variable name "
                        "(letters, digits and '_'), not %s", i + 1,
                        name != NULL ? "this text" : describe_node (element));
          continue;
        }

      if (g_str_has_prefix (name, "AWS_"))
        {
          parser_error (parser, element, FALSE,
                        "'%s' cannot be exported: CodeBuild never exports variables whose "
                        "names start with AWS_; copy it into another name first", name);
          continue;
        }

      g_strv_builder_add (builder, name);
    }

  parser->spec->exported_variables = g_strv_builder_end (builder);
}

static void
parse_env (Parser   *parser,
           JsonNode *node)
{
  JsonObject *object;
  JsonNode *member;

  if (JSON_NODE_HOLDS_NULL (node))
    return;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      parser_error (parser, node, FALSE, "`env` must be a mapping (variables, exported-variables, "
                    "…), not %s", describe_node (node));
      return;
    }

  object = json_node_get_object (node);
  check_keys (parser, object, env_keys, "in env");

  if ((member = json_object_get_member (object, "shell")) != NULL)
    {
      g_autofree char *shell = expect_string (parser, member, "env.shell");

      if (shell != NULL && g_strcmp0 (shell, "bash") != 0 && g_strcmp0 (shell, "/bin/sh") != 0)
        {
          if (g_str_has_suffix (shell, ".exe"))
            parser_error (parser, member, FALSE,
                          "env.shell '%s' is for Windows images, which cannot run locally; "
                          "use bash or /bin/sh", shell);
          else
            parser_error (parser, member, FALSE,
                          "env.shell must be bash or /bin/sh on Linux, not '%s'", shell);
        }
      else if (shell != NULL)
        parser->spec->shell = g_steal_pointer (&shell);
    }

  if ((member = json_object_get_member (object, "variables")) != NULL)
    parse_variable_map (parser, member, "env.variables", PW_BUILDSPEC_VARIABLE_PLAINTEXT);
  if ((member = json_object_get_member (object, "parameter-store")) != NULL)
    parse_variable_map (parser, member, "env.parameter-store",
                        PW_BUILDSPEC_VARIABLE_PARAMETER_STORE);
  if ((member = json_object_get_member (object, "secrets-manager")) != NULL)
    parse_variable_map (parser, member, "env.secrets-manager",
                        PW_BUILDSPEC_VARIABLE_SECRETS_MANAGER);
  if ((member = json_object_get_member (object, "exported-variables")) != NULL)
    parse_exported_variables (parser, member);

  if ((member = json_object_get_member (object, "git-credential-helper")) != NULL &&
      expect_yes_no (parser, member, "env.git-credential-helper"))
    parser_warning (parser, member, TRUE,
                    "git-credential-helper has no local meaning: git uses your own credentials");
}

/* phases -------------------------------------------------------------------- */

/* `- echo a: b` reads as {"echo a": "b"}; the hint shows the command the
 * user meant, quoted. */
static char *
mapping_command_hint (Parser   *parser,
                      JsonNode *node)
{
  JsonObject *object = json_node_get_object (node);
  g_autofree char *value = NULL;
  g_autofree char *text = NULL;
  JsonObjectIter iter;
  const char *key;
  JsonNode *member;

  json_object_iter_init_ordered (&iter, object);
  if (json_object_get_size (object) != 1 ||
      !json_object_iter_next_ordered (&iter, &key, &member) ||
      (!JSON_NODE_HOLDS_VALUE (member) && !JSON_NODE_HOLDS_NULL (member)))
    return g_strdup ("- 'echo a: b'");

  value = scalar_text (parser, member);
  text = value != NULL ? g_strdup_printf ("%s: %s", key, value) : g_strdup_printf ("%s:", key);

  return list_item_hint (text);
}

static GStrv
parse_commands (Parser     *parser,
                JsonNode   *node,
                const char *key,
                const char *phase)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;
  guint n_good = 0;

  if (JSON_NODE_HOLDS_NULL (node))
    {
      parser_error (parser, node, TRUE,
                    "`%s` of phase %s is empty; list at least one command as `- command`",
                    key, phase);
      return NULL;
    }

  if (JSON_NODE_HOLDS_VALUE (node))
    {
      g_autofree char *text = scalar_text (parser, node);
      g_autofree char *hint = list_item_hint (text);

      parser_error (parser, node, FALSE,
                    "`%s` of phase %s must be a list, not a string; put each command on its "
                    "own line starting with '- ', e.g. `%s`", key, phase, hint);
      return NULL;
    }

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      parser_error (parser, node, FALSE,
                    "`%s` of phase %s must be a list of commands, not %s; a command holding "
                    "': ' must be quoted", key, phase, describe_node (node));
      return NULL;
    }

  array = json_node_get_array (node);
  if (json_array_get_length (array) == 0)
    {
      parser_error (parser, node, FALSE,
                    "`%s` of phase %s is an empty list; list at least one command", key, phase);
      return NULL;
    }

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *text = NULL;

      if (JSON_NODE_HOLDS_NULL (element))
        {
          parser_error (parser, element, FALSE,
                        "command %u of `%s` in phase %s is empty (null); write the command "
                        "after the '- ' or remove the line", i + 1, key, phase);
          continue;
        }

      if (JSON_NODE_HOLDS_OBJECT (element))
        {
          g_autofree char *hint = mapping_command_hint (parser, element);

          parser_error (parser, element, FALSE,
                        "command %u of `%s` in phase %s is a mapping, not a string: YAML reads "
                        "text with ': ' as a key and a value, so quote the whole command, "
                        "e.g. `%s`", i + 1, key, phase, hint);
          continue;
        }

      if (JSON_NODE_HOLDS_ARRAY (element))
        {
          parser_error (parser, element, FALSE,
                        "command %u of `%s` in phase %s is a list, not a string; remove the "
                        "extra '- ' or brackets", i + 1, key, phase);
          continue;
        }

      /* Numbers and booleans are commands too, as CodeBuild reads them as text. */
      text = scalar_text (parser, element);
      g_strv_builder_add (builder, text);
      n_good++;
    }

  return n_good > 0 ? g_strv_builder_end (builder) : NULL;
}

static void
parse_phase (Parser             *parser,
             PwBuildspecPhaseId  id,
             JsonNode           *node)
{
  PwBuildspecPhase *phase = &parser->spec->phases[id];
  const char *key = phase_keys[id];
  JsonObject *object;
  JsonNode *member;

  phase->present = TRUE;
  node_position (parser, node, TRUE, &phase->line, &phase->column);

  if (JSON_NODE_HOLDS_NULL (node))
    {
      if (id != PW_BUILDSPEC_PHASE_INSTALL)
        parser_error (parser, node, TRUE,
                      "phase %s is empty; give it `commands:` with at least one `- command`, "
                      "or remove it", key);
      return;
    }

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      parser_error (parser, node, FALSE,
                    "phase %s must be a mapping with `commands:`, not %s", key,
                    describe_node (node));
      return;
    }

  object = json_node_get_object (node);
  check_keys (parser, object, phase_member_keys, "in a phase");

  if ((member = json_object_get_member (object, "runtime-versions")) != NULL)
    {
      if (id != PW_BUILDSPEC_PHASE_INSTALL)
        parser_error (parser, member, TRUE,
                      "runtime-versions is only allowed in the install phase; move it there");
      else if (!JSON_NODE_HOLDS_OBJECT (member) && !JSON_NODE_HOLDS_NULL (member))
        parser_error (parser, member, FALSE,
                      "runtime-versions must be a mapping of runtime: version, not %s",
                      describe_node (member));
      else
        parser_warning (parser, member, TRUE,
                        "runtime-versions is ignored locally: the tools on your PATH are used");
    }

  if ((member = json_object_get_member (object, "run-as")) != NULL)
    {
      phase->run_as = expect_string (parser, member, "run-as");
      if (phase->run_as != NULL)
        parser_warning (parser, member, TRUE,
                        "run-as is ignored locally: commands run as you, not as '%s'",
                        phase->run_as);
    }

  if ((member = json_object_get_member (object, "on-failure")) != NULL)
    {
      g_autofree char *value = scalar_text (parser, member);

      if (g_strcmp0 (value, "ABORT") == 0)
        phase->on_failure = PW_BUILDSPEC_ON_FAILURE_ABORT;
      else if (g_strcmp0 (value, "CONTINUE") == 0)
        phase->on_failure = PW_BUILDSPEC_ON_FAILURE_CONTINUE;
      else if (value != NULL && (g_ascii_strcasecmp (value, "ABORT") == 0 ||
                                 g_ascii_strcasecmp (value, "CONTINUE") == 0))
        parser_error (parser, member, FALSE,
                      "on-failure is written in capitals: ABORT or CONTINUE, not '%s'", value);
      else
        parser_error (parser, member, FALSE,
                      "on-failure must be ABORT or CONTINUE, not %s%s%s",
                      value != NULL ? "'" : describe_node (member),
                      value != NULL ? value : "", value != NULL ? "'" : "");
    }

  member = json_object_get_member (object, "commands");
  if (member != NULL)
    phase->commands = parse_commands (parser, member, "commands", key);
  else if (id != PW_BUILDSPEC_PHASE_INSTALL)
    parser_error (parser, node, TRUE,
                  "phase %s has no `commands`; add `commands:` with at least one `- command`",
                  key);

  if ((member = json_object_get_member (object, "finally")) != NULL)
    phase->finally = parse_commands (parser, member, "finally", key);
}

static void
parse_phases (Parser   *parser,
              JsonNode *node)
{
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;
  guint n_phases = 0;

  if (JSON_NODE_HOLDS_NULL (node) ||
      (JSON_NODE_HOLDS_OBJECT (node) && json_object_get_size (json_node_get_object (node)) == 0))
    {
      parser_error (parser, node, TRUE,
                    "`phases` is empty; define at least one of install, pre_build, build, "
                    "post_build");
      return;
    }

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      parser_error (parser, node, FALSE,
                    "`phases` must be a mapping of install, pre_build, build and post_build, "
                    "not %s", describe_node (node));
      return;
    }

  json_object_iter_init_ordered (&iter, json_node_get_object (node));
  while (json_object_iter_next_ordered (&iter, &key, &value))
    {
      const char *suggestion;
      gboolean found = FALSE;

      for (guint i = 0; i < PW_BUILDSPEC_N_PHASES; i++)
        {
          if (g_str_equal (key, phase_keys[i]))
            {
              parse_phase (parser, i, value);
              found = TRUE;
              n_phases++;
            }
        }

      if (found)
        continue;

      suggestion = pw_suggest_word (key, phase_keys);
      if (suggestion != NULL)
        parser_error (parser, value, TRUE,
                      "unknown phase '%s'; did you mean '%s'? (phases are install, pre_build, "
                      "build, post_build)", key, suggestion);
      else
        parser_error (parser, value, TRUE,
                      "unknown phase '%s'; phases are install, pre_build, build and post_build",
                      key);
    }
}

/* artifacts, reports, cache --------------------------------------------------- */

static PwBuildspecArtifacts *
parse_artifacts (Parser     *parser,
                 JsonNode   *node,
                 const char *identifier)
{
  g_autofree char *where = NULL;
  g_autofree char *files_what = NULL;
  PwBuildspecArtifacts *artifacts;
  JsonObject *object;
  JsonNode *member;

  where = identifier != NULL ? g_strdup_printf ("artifacts.secondary-artifacts.%s", identifier)
                             : g_strdup ("artifacts");

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      parser_error (parser, node, !JSON_NODE_HOLDS_VALUE (node),
                    "`%s` must be a mapping with `files:`, not %s", where, describe_node (node));
      return NULL;
    }

  artifacts = g_new0 (PwBuildspecArtifacts, 1);
  artifacts->identifier = g_strdup (identifier);
  node_position (parser, node, TRUE, &artifacts->line, &artifacts->column);

  object = json_node_get_object (node);
  {
    g_autofree char *in = g_strdup_printf ("in %s", where);

    check_keys (parser, object, artifact_keys, in);
  }

  files_what = g_strdup_printf ("%s.files", where);
  member = json_object_get_member (object, "files");
  if (member == NULL)
    parser_error (parser, node, TRUE,
                  "`%s` needs `files` (required even when only secondary-artifacts are used); "
                  "add e.g. `files: ['**/*']`", where);
  else
    artifacts->files = expect_path_list (parser, member, files_what, TRUE);

  if ((member = json_object_get_member (object, "name")) != NULL)
    artifacts->name = expect_string (parser, member, "artifacts name");
  if ((member = json_object_get_member (object, "base-directory")) != NULL)
    artifacts->base_directory = expect_string (parser, member, "base-directory");
  if ((member = json_object_get_member (object, "exclude-paths")) != NULL)
    artifacts->exclude_paths = expect_path_list (parser, member, "exclude-paths", TRUE);
  if ((member = json_object_get_member (object, "discard-paths")) != NULL)
    artifacts->discard_paths = expect_yes_no (parser, member, "discard-paths");
  if ((member = json_object_get_member (object, "enable-symlinks")) != NULL)
    artifacts->enable_symlinks = expect_yes_no (parser, member, "enable-symlinks");
  if ((member = json_object_get_member (object, "s3-prefix")) != NULL)
    artifacts->s3_prefix = expect_string (parser, member, "s3-prefix");

  member = json_object_get_member (object, "secondary-artifacts");
  if (member != NULL && identifier != NULL)
    parser_error (parser, member, TRUE,
                  "secondary-artifacts cannot be nested; move '%s' up under the top-level "
                  "artifacts.secondary-artifacts", identifier);
  else if (member != NULL && JSON_NODE_HOLDS_OBJECT (member))
    {
      JsonObjectIter iter;
      const char *key;
      JsonNode *value;

      json_object_iter_init_ordered (&iter, json_node_get_object (member));
      while (json_object_iter_next_ordered (&iter, &key, &value))
        {
          PwBuildspecArtifacts *secondary = parse_artifacts (parser, value, key);

          if (secondary != NULL)
            g_ptr_array_add (parser->spec->secondary_artifacts, secondary);
        }
    }
  else if (member != NULL)
    parser_error (parser, member, FALSE,
                  "secondary-artifacts must be a mapping of artifact identifier to "
                  "{files: …}, not %s", describe_node (member));

  return artifacts;
}

static void
parse_reports (Parser   *parser,
               JsonNode *node)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  if (JSON_NODE_HOLDS_NULL (node))
    return;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      parser_error (parser, node, FALSE,
                    "`reports` must be a mapping of report group name to {files: …}, not %s",
                    describe_node (node));
      return;
    }

  /* A quota of the project, not an error of the buildspec. */
  if (json_object_get_size (json_node_get_object (node)) > MAX_REPORT_GROUPS)
    parser_warning (parser, node, TRUE,
                    "`reports` names %u report groups; a CodeBuild project takes at most %u, "
                    "so CodeBuild would fail this build",
                    json_object_get_size (json_node_get_object (node)), MAX_REPORT_GROUPS);

  json_object_iter_init_ordered (&iter, json_node_get_object (node));
  while (json_object_iter_next_ordered (&iter, &name, &value))
    {
      g_autofree char *where = g_strdup_printf ("in report group '%s'", name);
      g_autofree char *files_what = g_strdup_printf ("reports.%s.files", name);
      PwBuildspecReportGroup *group;
      JsonObject *object;
      JsonNode *member;

      if (!JSON_NODE_HOLDS_OBJECT (value))
        {
          parser_error (parser, value, !JSON_NODE_HOLDS_VALUE (value),
                        "report group '%s' must be a mapping with `files:`, not %s",
                        name, describe_node (value));
          continue;
        }

      object = json_node_get_object (value);
      check_keys (parser, object, report_keys, where);

      group = g_new0 (PwBuildspecReportGroup, 1);
      group->name = g_strdup (name);
      group->file_format = g_strdup ("JUNITXML");
      node_position (parser, value, TRUE, &group->line, &group->column);
      g_ptr_array_add (parser->spec->reports, group);

      member = json_object_get_member (object, "files");
      if (member == NULL)
        parser_error (parser, value, TRUE,
                      "report group '%s' needs `files`; add e.g. `files: ['**/*.xml']`", name);
      else
        group->files = expect_path_list (parser, member, files_what, TRUE);

      if ((member = json_object_get_member (object, "base-directory")) != NULL)
        group->base_directory = expect_string (parser, member, "base-directory");
      if ((member = json_object_get_member (object, "discard-paths")) != NULL)
        group->discard_paths = expect_yes_no (parser, member, "discard-paths");
      if ((member = json_object_get_member (object, "file-format")) != NULL)
        {
          g_autofree char *format = expect_string (parser, member, "file-format");

          if (format != NULL && g_strv_contains (report_formats, format))
            {
              g_free (group->file_format);
              group->file_format = g_steal_pointer (&format);
            }
          else if (format != NULL)
            {
              g_autofree char *list = join_keys (report_formats);

              parser_error (parser, member, FALSE,
                            "unknown report file-format '%s'; use one of %s", format, list);
            }
        }
    }
}

static void
parse_cache (Parser   *parser,
             JsonNode *node)
{
  JsonObject *object;
  JsonNode *member;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      parser_error (parser, node, !JSON_NODE_HOLDS_VALUE (node),
                    "`cache` must be a mapping with `paths:`, not %s", describe_node (node));
      return;
    }

  object = json_node_get_object (node);
  check_keys (parser, object, cache_keys, "in cache");

  member = json_object_get_member (object, "paths");
  if (member == NULL)
    parser_error (parser, node, TRUE,
                  "`cache` needs `paths`; add e.g. `paths: ['.cache/**/*']`");
  else
    parser->spec->cache_paths = expect_path_list (parser, member, "cache.paths", TRUE);

  for (guint i = 1; cache_keys[i] != NULL; i++)
    {
      if ((member = json_object_get_member (object, cache_keys[i])) != NULL)
        parser_warning (parser, member, TRUE,
                        "cache %s is ignored locally: one local cache is kept per project",
                        cache_keys[i]);
    }
}

/* The document ---------------------------------------------------------------- */

static void
parse_root (Parser   *parser,
            JsonNode *root)
{
  PwBuildspec *spec = parser->spec;
  JsonObject *object;
  JsonNode *member;

  if (root == NULL || JSON_NODE_HOLDS_NULL (root))
    {
      parser_error (parser, NULL, FALSE,
                    "the buildspec is empty; it needs `version: 0.2` and a `phases` section");
      return;
    }

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      parser_error (parser, root, FALSE,
                    "a buildspec is a YAML mapping with `version: 0.2` and `phases`, but this "
                    "file holds %s", describe_node (root));
      return;
    }

  object = json_node_get_object (root);

  /* The version first: what else is wrong depends on it. */
  member = json_object_get_member (object, "version");
  if (member == NULL)
    parser_error (parser, NULL, FALSE,
                  "`version` is missing; add `version: 0.2` as the first line");
  else
    {
      g_autofree char *version = scalar_text (parser, member);

      if (g_strcmp0 (version, "0.2") == 0)
        spec->version = g_steal_pointer (&version);
      else if (g_strcmp0 (version, "0.1") == 0)
        {
          /* CodeBuild still runs 0.1: each command in its own shell, from
           * the source folder with the build's first environment. */
          spec->version = g_steal_pointer (&version);
          parser_warning (parser, member, FALSE,
                          "buildspec version 0.1 runs each command in a fresh shell (a `cd` or "
                          "`export` does not carry over to the next command); version 0.2 is "
                          "recommended");
        }
      else if (version != NULL)
        parser_error (parser, member, FALSE,
                      "unsupported buildspec version '%s'; use `version: 0.2`", version);
      else
        parser_error (parser, member, FALSE,
                      "`version` must be 0.2, not %s", describe_node (member));
    }
  /* Without a version CodeBuild knows, the rest has no meaning to check:
   * the version error comes alone. */
  if (member != NULL && spec->version == NULL)
    return;

  check_keys (parser, object, top_level_keys, "at the top level");

  if ((member = json_object_get_member (object, "run-as")) != NULL)
    {
      g_autofree char *user = expect_string (parser, member, "run-as");

      if (user != NULL)
        parser_warning (parser, member, TRUE,
                        "run-as is ignored locally: commands run as you, not as '%s'", user);
    }

  if ((member = json_object_get_member (object, "env")) != NULL)
    parse_env (parser, member);

  if ((member = json_object_get_member (object, "proxy")) != NULL)
    parser_warning (parser, member, TRUE, "proxy is ignored locally");

  if ((member = json_object_get_member (object, "batch")) != NULL)
    parser_warning (parser, member, TRUE,
                    "batch builds are not run locally; the buildspec runs as one build");

  member = json_object_get_member (object, "phases");
  if (member == NULL)
    parser_error (parser, NULL, FALSE,
                  "`phases` is missing; add `phases:` with at least a `build:` phase and its "
                  "`commands`");
  else
    parse_phases (parser, member);

  if ((member = json_object_get_member (object, "reports")) != NULL)
    parse_reports (parser, member);

  if ((member = json_object_get_member (object, "artifacts")) != NULL)
    spec->artifacts = parse_artifacts (parser, member, NULL);

  if ((member = json_object_get_member (object, "cache")) != NULL)
    parse_cache (parser, member);
}

/**
 * pw_buildspec_parse:
 * @data: the buildspec's text
 * @length: its length in bytes, or -1 when NUL-terminated
 * @filename: the name errors start with, e.g. `buildspec.yml`
 * @error: a PW_ENGINE_ERROR_CONFIGURATION whose message has one
 *   `file:line:column: …` line per problem
 *
 * Reads and validates a buildspec.
 *
 * Returns: (transfer full) (nullable): the buildspec, or %NULL on error
 */
PwBuildspec *
pw_buildspec_parse (const char  *data,
                    gssize       length,
                    const char  *filename,
                    GError     **error)
{
  g_autoptr(PwBuildspec) spec = NULL;
  g_autoptr(PwSourceMap) map = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GPtrArray) warnings = NULL;
  Parser parser = { 0 };

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (filename != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length < 0)
    length = strlen (data);

  bytes = g_bytes_new (data, length);
  map = pw_source_map_new (filename, bytes);
  root = pw_yaml_parse (data, length, map, PW_YAML_PARSE_NONE, &local_error);
  if (local_error != NULL)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   "%s (the buildspec is not valid YAML)", local_error->message);
      return NULL;
    }

  spec = buildspec_new (filename);
  errors = g_ptr_array_new_with_free_func (message_free);
  warnings = g_ptr_array_new_with_free_func (message_free);
  parser.spec = spec;
  parser.map = map;
  parser.errors = errors;
  parser.warnings = warnings;

  parse_root (&parser, root);

  if (errors->len > 0)
    {
      g_autofree char *message = join_messages (errors);

      g_set_error_literal (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION, message);
      return NULL;
    }

  g_ptr_array_sort (warnings, message_compare);
  spec->warnings = g_new0 (char *, warnings->len + 1);
  for (guint i = 0; i < warnings->len; i++)
    {
      Message *message = g_ptr_array_index (warnings, i);

      spec->warnings[i] = g_steal_pointer (&message->text);
    }

  return g_steal_pointer (&spec);
}

/**
 * pw_buildspec_load:
 * @path: the buildspec file
 * @display_name: (nullable): the name messages use (e.g. the path relative
 *   to the source folder); @path when %NULL
 * @error: a PW_ENGINE_ERROR_CONFIGURATION
 *
 * Returns: (transfer full) (nullable): the buildspec, or %NULL on error
 */
PwBuildspec *
pw_buildspec_load (const char  *path,
                   const char  *display_name,
                   GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (display_name == NULL)
    display_name = path;

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   "%s: cannot read the buildspec: %s", display_name, local_error->message);
      return NULL;
    }

  return pw_buildspec_parse (contents, length, display_name, error);
}

PwBuildspec *
pw_buildspec_ref (PwBuildspec *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

void
pw_buildspec_unref (PwBuildspec *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  for (guint i = 0; i < PW_BUILDSPEC_N_PHASES; i++)
    {
      g_strfreev (self->phases[i].commands);
      g_strfreev (self->phases[i].finally);
      g_free (self->phases[i].run_as);
    }

  g_free (self->filename);
  g_free (self->version);
  g_free (self->shell);
  g_ptr_array_unref (self->variables);
  g_strfreev (self->exported_variables);
  artifacts_free (self->artifacts);
  g_ptr_array_unref (self->secondary_artifacts);
  g_ptr_array_unref (self->reports);
  g_strfreev (self->cache_paths);
  g_strfreev (self->warnings);
  g_free (self);
}

const char *
pw_buildspec_get_filename (PwBuildspec *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->filename;
}

/**
 * pw_buildspec_get_version:
 *
 * Returns: `0.2`, or `0.1`, where every command starts afresh in the
 *   source folder with the build's first environment
 */
const char *
pw_buildspec_get_version (PwBuildspec *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->version;
}

/**
 * pw_buildspec_get_shell:
 *
 * Returns: (nullable): `bash` or `/bin/sh`; %NULL when `env.shell` is not
 *   given (the default is /bin/sh)
 */
const char *
pw_buildspec_get_shell (PwBuildspec *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->shell;
}

/**
 * pw_buildspec_get_variables:
 *
 * Returns: (transfer none) (element-type PwBuildspecVariable): the `env`
 *   variables, parameter-store and secrets-manager entries, in that order
 */
GPtrArray *
pw_buildspec_get_variables (PwBuildspec *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->variables;
}

/**
 * pw_buildspec_get_exported_variables:
 *
 * Returns: (nullable): the `env.exported-variables` names
 */
const char * const *
pw_buildspec_get_exported_variables (PwBuildspec *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return (const char * const *)self->exported_variables;
}

const PwBuildspecPhase *
pw_buildspec_get_phase (PwBuildspec        *self,
                        PwBuildspecPhaseId  phase)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (phase < PW_BUILDSPEC_N_PHASES, NULL);

  return &self->phases[phase];
}

/**
 * pw_buildspec_get_artifacts:
 *
 * Returns: (nullable): the top-level `artifacts`
 */
const PwBuildspecArtifacts *
pw_buildspec_get_artifacts (PwBuildspec *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->artifacts;
}

/**
 * pw_buildspec_get_secondary_artifacts:
 *
 * Returns: (transfer none) (element-type PwBuildspecArtifacts): the
 *   `artifacts.secondary-artifacts`, in file order
 */
GPtrArray *
pw_buildspec_get_secondary_artifacts (PwBuildspec *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->secondary_artifacts;
}

const PwBuildspecArtifacts *
pw_buildspec_find_secondary_artifacts (PwBuildspec *self,
                                       const char  *identifier)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (identifier != NULL, NULL);

  for (guint i = 0; i < self->secondary_artifacts->len; i++)
    {
      const PwBuildspecArtifacts *artifacts = g_ptr_array_index (self->secondary_artifacts, i);

      if (g_strcmp0 (artifacts->identifier, identifier) == 0)
        return artifacts;
    }

  return NULL;
}

/**
 * pw_buildspec_get_reports:
 *
 * Returns: (transfer none) (element-type PwBuildspecReportGroup): the
 *   report groups, in file order
 */
GPtrArray *
pw_buildspec_get_reports (PwBuildspec *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->reports;
}

/**
 * pw_buildspec_get_cache_paths:
 *
 * Returns: (nullable): `cache.paths`
 */
const char * const *
pw_buildspec_get_cache_paths (PwBuildspec *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return (const char * const *)self->cache_paths;
}

/**
 * pw_buildspec_get_warnings:
 *
 * Returns: what has no local meaning, as `file:line:column: warning: …`
 *   lines (possibly none)
 */
const char * const *
pw_buildspec_get_warnings (PwBuildspec *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return (const char * const *)self->warnings;
}

/**
 * pw_buildspec_phase_get_key:
 *
 * Returns: the phase's buildspec key, e.g. `pre_build`
 */
const char *
pw_buildspec_phase_get_key (PwBuildspecPhaseId phase)
{
  g_return_val_if_fail (phase < PW_BUILDSPEC_N_PHASES, NULL);

  return phase_keys[phase];
}

/**
 * pw_buildspec_phase_get_label:
 *
 * Returns: the phase's name in CodeBuild's logs, e.g. `PRE_BUILD`
 */
const char *
pw_buildspec_phase_get_label (PwBuildspecPhaseId phase)
{
  g_return_val_if_fail (phase < PW_BUILDSPEC_N_PHASES, NULL);

  return phase_labels[phase];
}
