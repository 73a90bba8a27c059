/* pw-local-profile.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-local-profile"

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "pw-engine.h"

/* With no profile (or no `account`/`region` in it), actions see AWS's own
 * documentation account and the region most examples use, so ARNs and
 * CODEBUILD_* variables look real without pointing anywhere real. */
#define DEFAULT_ACCOUNT "111122223333"
#define DEFAULT_REGION  "us-east-1"
#define PROFILE_NAME    "pipewright.local.yml"

/* An action's log file keeps its first and last halves of this much. */
#define DEFAULT_LOG_SIZE    (G_GUINT64_CONSTANT (64) << 20)
/* An action writing more output than this is a runaway (a loop printing
 * forever) and is stopped as Failed, like one past its timeout. */
#define DEFAULT_OUTPUT_SIZE (G_GUINT64_CONSTANT (512) << 20)

/* More simulated instances than this is almost certainly a typo, and each
 * one is a folder tree and a set of processes. */
#define MAX_INSTANCES 100
/* Executions of one pipeline running or waiting at once, past which a
 * start is refused (ConcurrentPipelineExecutionsLimitExceededException). */
#define DEFAULT_CONCURRENT_EXECUTIONS 50
#define MAX_CONCURRENT_EXECUTIONS 1000
/* EventBridge's own ceiling for a target's retries. */
#define MAX_TARGET_RETRIES 185

struct _PwLocalProfile
{
  GObject      parent_instance;

  char        *path;
  char        *base_dir;
  /* The validated document (an object), and where its nodes came from:
   * kept so later lookups (secrets) can quote the user's own spelling. */
  JsonNode    *root;
  PwSourceMap *map;
  char        *account;
  char        *region;
  JsonObject  *environment;
  guint64      log_size;
  guint        concurrent_executions;
  guint64      output_size;
};

G_DEFINE_FINAL_TYPE (PwLocalProfile, pw_local_profile, G_TYPE_OBJECT)

static const char * const top_keys[] = {
  "sources", "codebuild", "commands", "lambda", "codedeploy", "s3", "secrets", "workers",
  "targets", "environment", "account", "region", "limits", NULL
};
static const char * const limit_keys[] = { "logSize", "outputSize", "concurrentExecutions", NULL };
static const char * const source_keys[] = { "repository", "branch", "path", NULL };
static const char * const codebuild_keys[] = { "buildspec", "environment", "image", NULL };
static const char * const command_keys[] = { "run", "shell", NULL };
static const char * const lambda_keys[] = { "run", "endpoint", "function", NULL };
static const char * const target_keys[] = { "url", "pattern", "headers", "retries", NULL };
static const char * const worker_keys[] = { NULL };
static const char * const codedeploy_keys[] = { "instances", "root", "config", NULL };
static const char * const codedeploy_configs[] = {
  "CodeDeployDefault.OneAtATime",
  "CodeDeployDefault.HalfAtATime",
  "CodeDeployDefault.AllAtOnce",
  NULL
};

static const char *
node_kind (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return "nothing";
  if (JSON_NODE_HOLDS_OBJECT (node))
    return "a mapping";
  if (JSON_NODE_HOLDS_ARRAY (node))
    return "a list";

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return "a string";

    case G_TYPE_INT64:
      return "an integer";

    case G_TYPE_DOUBLE:
      return "a number";

    case G_TYPE_BOOLEAN:
      return "a boolean";

    default:
      return "a value";
    }
}

static gboolean
node_is_string (JsonNode *node)
{
  return node != NULL &&
         JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
node_is_scalar (JsonNode *node)
{
  return node != NULL && (JSON_NODE_HOLDS_VALUE (node) || JSON_NODE_HOLDS_NULL (node));
}

static char *
dup_position (PwLocalProfile *self,
              JsonNode       *node,
              gboolean        at_key)
{
  const char *filename = self->path != NULL ? self->path : PROFILE_NAME;
  guint line = 0;
  guint column = 0;
  gboolean found = FALSE;

  if (self->map != NULL && node != NULL)
    {
      if (at_key)
        found = pw_source_map_lookup_key (self->map, node, &line, &column);
      if (!found)
        found = pw_source_map_lookup (self->map, node, &line, &column);
    }

  if (found)
    return g_strdup_printf ("%s:%u:%u", filename, line, column);

  return g_strdup (filename);
}

static void set_error_at (PwLocalProfile  *self,
                          GError         **error,
                          JsonNode        *node,
                          gboolean         at_key,
                          const char      *format,
                          ...) G_GNUC_PRINTF (5, 6);

static void
set_error_at (PwLocalProfile  *self,
              GError         **error,
              JsonNode        *node,
              gboolean         at_key,
              const char      *format,
              ...)
{
  g_autofree char *position = dup_position (self, node, at_key);
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
               "%s: %s", position, message);
}

/* The scalar as the user wrote it. YAML 1.1 reads `0755` as 493 and `on`
 * as true; environment values and account ids must stay the text that was
 * typed, so we go back to the source line when we can. */
static char *
dup_raw_scalar (PwSourceMap *map,
                JsonNode    *node)
{
  g_autofree char *line_text = NULL;
  const char *p;
  const char *end;
  guint line;
  guint column;

  if (map == NULL || !pw_source_map_lookup (map, node, &line, &column))
    return NULL;
  if ((line_text = pw_source_map_dup_line (map, line)) == NULL)
    return NULL;

  p = line_text;
  for (guint i = 1; i < column && *p != '\0'; i++)
    p = g_utf8_next_char (p);

  /* Aliases, anchors, tags and quoted text: the value is not on this spot
   * verbatim, so the caller formats the parsed value instead. */
  if (*p == '\0' || strchr ("*&!\"'|>", *p) != NULL)
    return NULL;

  end = p;
  while (*end != '\0' && *end != ',' && *end != ']' && *end != '}' &&
         !(*end == '#' && end > p && g_ascii_isspace (end[-1])))
    end++;
  while (end > p && g_ascii_isspace (end[-1]))
    end--;

  if (end == p)
    return NULL;

  return g_strndup (p, end - p);
}

static char *
scalar_to_string (PwSourceMap *map,
                  JsonNode    *node)
{
  char *raw;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("");
  if (node_is_string (node))
    return g_strdup (json_node_get_string (node));
  if ((raw = dup_raw_scalar (map, node)) != NULL)
    return raw;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));

    case G_TYPE_DOUBLE:
      {
        char buffer[G_ASCII_DTOSTR_BUF_SIZE];

        return g_strdup (g_ascii_dtostr (buffer, sizeof buffer, json_node_get_double (node)));
      }

    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "true" : "false");

    default:
      return g_strdup ("");
    }
}

/* A size as a number of bytes or with a unit: `64MiB`, `1 GB`, `512k`.
 * Returns 0 when it is not one. */
static guint64
parse_size (const char *text)
{
  static const struct { const char *unit; guint64 factor; } units[] = {
    { "", 1 }, { "b", 1 },
    { "k", 1024 }, { "kb", 1000 }, { "kib", 1024 },
    { "m", 1024 * 1024 }, { "mb", 1000 * 1000 }, { "mib", 1024 * 1024 },
    { "g", G_GUINT64_CONSTANT (1) << 30 }, { "gb", G_GUINT64_CONSTANT (1000000000) },
    { "gib", G_GUINT64_CONSTANT (1) << 30 },
  };
  guint64 value;
  char *end = NULL;

  if (!g_ascii_isdigit (*text))
    return 0;

  value = g_ascii_strtoull (text, &end, 10);
  while (*end == ' ')
    end++;

  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    {
      if (g_ascii_strcasecmp (end, units[i].unit) == 0)
        return value <= G_MAXUINT64 / units[i].factor ? value * units[i].factor : 0;
    }

  return 0;
}

static gboolean
check_mapping (PwLocalProfile  *self,
               JsonNode        *node,
               const char      *what,
               GError         **error)
{
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    return TRUE;

  set_error_at (self, error, node, FALSE, "%s must be a mapping, not %s", what, node_kind (node));
  return FALSE;
}

static gboolean
check_keys (PwLocalProfile      *self,
            JsonObject          *object,
            const char          *what,
            const char * const  *allowed,
            GError             **error)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      if (!g_strv_contains (allowed, name))
        {
          g_autofree char *list = g_strjoinv (", ", (char **)allowed);
          const char *meant = pw_suggest_word (name, allowed);

          if (allowed[0] == NULL)
            set_error_at (self, error, member, TRUE,
                          "unknown key \"%s\" in %s; it takes none (write {})", name, what);
          else if (meant != NULL)
            set_error_at (self, error, member, TRUE,
                          "unknown key \"%s\" in %s; did you mean \"%s\"? (allowed keys: %s)",
                          name, what, meant, list);
          else
            set_error_at (self, error, member, TRUE,
                          "unknown key \"%s\" in %s; allowed keys: %s", name, what, list);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
check_optional_string (PwLocalProfile  *self,
                       JsonObject      *object,
                       const char      *key,
                       const char      *what,
                       gboolean         required,
                       JsonNode        *owner,
                       GError         **error)
{
  JsonNode *member = json_object_get_member (object, key);

  if (member == NULL)
    {
      if (!required)
        return TRUE;

      set_error_at (self, error, owner, TRUE, "%s needs \"%s\"", what, key);
      return FALSE;
    }

  if (!node_is_string (member) || *json_node_get_string (member) == '\0')
    {
      set_error_at (self, error, member, FALSE,
                    "\"%s\" in %s must be a non-empty string, not %s",
                    key, what, node_kind (member));
      return FALSE;
    }

  return TRUE;
}

/* An http:// or https:// URL with a host. */
static gboolean
check_url (PwLocalProfile  *self,
           JsonNode        *node,
           const char      *what,
           GError         **error)
{
  const char *text = json_node_get_string (node);
  g_autoptr(GUri) uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 && g_strcmp0 (g_uri_get_scheme (uri), "https") != 0))
    {
      set_error_at (self, error, node, FALSE,
                    "\"%s\" in %s is not an http:// or https:// URL", text, what);
      return FALSE;
    }
  return TRUE;
}

/* Variables end up in envp as strings; converting once here means every
 * consumer can use json_object_get_string_member(). */
static gboolean
normalize_environment (PwLocalProfile  *self,
                       JsonNode        *node,
                       const char      *what,
                       GError         **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  JsonObject *object;
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  if (!check_mapping (self, node, what, error))
    return FALSE;

  object = json_node_get_object (node);
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      if (!node_is_scalar (member))
        {
          set_error_at (self, error, member, FALSE,
                        "the value of %s in %s must be a string, not %s",
                        name, what, node_kind (member));
          return FALSE;
        }
      if (*name == '\0' || strchr (name, '=') != NULL)
        {
          set_error_at (self, error, member, TRUE,
                        "\"%s\" in %s is not a valid environment variable name", name, what);
          return FALSE;
        }
      if (!node_is_string (member))
        g_ptr_array_add (names, g_strdup (name));
    }

  /* Replacing members while iterating would invalidate the iterator. */
  for (guint i = 0; i < names->len; i++)
    {
      const char *key = g_ptr_array_index (names, i);
      g_autofree char *text = scalar_to_string (self->map, json_object_get_member (object, key));

      json_object_set_string_member (object, key, text);
    }

  return TRUE;
}

static gboolean
check_entries (PwLocalProfile  *self,
               JsonNode        *section,
               const char      *section_name,
               GError         **error)
{
  g_autofree char *section_what = g_strdup_printf ("\"%s\"", section_name);
  JsonObjectIter iter;
  const char *name;
  JsonNode *entry;

  if (!check_mapping (self, section, section_what, error))
    return FALSE;

  json_object_iter_init_ordered (&iter, json_node_get_object (section));
  while (json_object_iter_next_ordered (&iter, &name, &entry))
    {
      g_autofree char *what = g_strdup_printf ("%s entry \"%s\"", section_name, name);
      JsonObject *object;

      if (g_str_equal (section_name, "s3"))
        {
          if (!node_is_string (entry) || *json_node_get_string (entry) == '\0')
            {
              set_error_at (self, error, entry, FALSE,
                            "%s must be the path of a folder, not %s", what, node_kind (entry));
              return FALSE;
            }
          continue;
        }

      if (g_str_equal (section_name, "secrets"))
        {
          if (node_is_scalar (entry))
            continue;
          if (JSON_NODE_HOLDS_OBJECT (entry))
            {
              JsonObjectIter inner;
              const char *key;
              JsonNode *value;

              json_object_iter_init_ordered (&inner, json_node_get_object (entry));
              while (json_object_iter_next_ordered (&inner, &key, &value))
                {
                  if (!node_is_scalar (value))
                    {
                      set_error_at (self, error, value, FALSE,
                                    "key \"%s\" of %s must be a string, not %s",
                                    key, what, node_kind (value));
                      return FALSE;
                    }
                }
              continue;
            }

          set_error_at (self, error, entry, FALSE,
                        "%s must be a string or a mapping of JSON keys, not %s",
                        what, node_kind (entry));
          return FALSE;
        }

      /* Every other section holds mappings. */
      if (!check_mapping (self, entry, what, error))
        return FALSE;
      object = json_node_get_object (entry);

      if (g_str_equal (section_name, "sources"))
        {
          if (!check_keys (self, object, what, source_keys, error) ||
              !check_optional_string (self, object, "repository", what, FALSE, entry, error) ||
              !check_optional_string (self, object, "branch", what, FALSE, entry, error) ||
              !check_optional_string (self, object, "path", what, FALSE, entry, error))
            return FALSE;
        }
      else if (g_str_equal (section_name, "codebuild"))
        {
          JsonNode *environment;
          g_autofree char *env_what = g_strdup_printf ("the environment of %s", what);

          if (!check_keys (self, object, what, codebuild_keys, error) ||
              !check_optional_string (self, object, "buildspec", what, FALSE, entry, error) ||
              !check_optional_string (self, object, "image", what, FALSE, entry, error))
            return FALSE;
          if ((environment = json_object_get_member (object, "environment")) != NULL &&
              !normalize_environment (self, environment, env_what, error))
            return FALSE;
        }
      else if (g_str_equal (section_name, "commands"))
        {
          if (!check_keys (self, object, what, command_keys, error) ||
              !check_optional_string (self, object, "run", what, TRUE, entry, error) ||
              !check_optional_string (self, object, "shell", what, FALSE, entry, error))
            return FALSE;
        }
      else if (g_str_equal (section_name, "workers"))
        {
          /* Owner/Provider of an action type a job worker runs. */
          const char *slash = strchr (name, '/');

          if (slash == NULL || slash == name || slash[1] == '\0' || strchr (slash + 1, '/') != NULL)
            {
              set_error_at (self, error, entry, TRUE,
                            "workers entries are named Owner/Provider (e.g. Custom/MyBuilder), not \"%s\"",
                            name);
              return FALSE;
            }
          if (!check_keys (self, object, what, worker_keys, error))
            return FALSE;
        }
      else if (g_str_equal (section_name, "lambda"))
        {
          gboolean has_run = json_object_has_member (object, "run");
          gboolean has_endpoint = json_object_has_member (object, "endpoint");

          if (!check_keys (self, object, what, lambda_keys, error) ||
              !check_optional_string (self, object, "run", what, FALSE, entry, error) ||
              !check_optional_string (self, object, "endpoint", what, FALSE, entry, error) ||
              !check_optional_string (self, object, "function", what, FALSE, entry, error))
            return FALSE;
          if (has_run == has_endpoint)
            {
              set_error_at (self, error, entry, TRUE,
                            has_run ? "%s has both \"run\" and \"endpoint\"; give one: a local command, "
                                      "or the Lambda Invoke API it is served on"
                                    : "%s needs \"run\" (a local command) or \"endpoint\" (a Lambda "
                                      "Invoke API such as sam local start-lambda's http://127.0.0.1:3001)",
                            what);
              return FALSE;
            }
          if (has_endpoint && !check_url (self, json_object_get_member (object, "endpoint"), what, error))
            return FALSE;
          if (json_object_has_member (object, "function") && !has_endpoint)
            {
              set_error_at (self, error, json_object_get_member (object, "function"), TRUE,
                            "\"function\" in %s names the function to invoke at \"endpoint\"; "
                            "give the endpoint too", what);
              return FALSE;
            }
        }
      else if (g_str_equal (section_name, "targets"))
        {
          JsonNode *pattern = json_object_get_member (object, "pattern");
          JsonNode *headers = json_object_get_member (object, "headers");
          JsonNode *retries = json_object_get_member (object, "retries");
          g_autofree char *problem = NULL;

          if (!check_keys (self, object, what, target_keys, error) ||
              !check_optional_string (self, object, "url", what, TRUE, entry, error) ||
              !check_url (self, json_object_get_member (object, "url"), what, error))
            return FALSE;
          if (pattern != NULL && !pw_event_pattern_check (pattern, &problem))
            {
              set_error_at (self, error, pattern, FALSE, "the event pattern of %s: %s", what, problem);
              return FALSE;
            }
          if (headers != NULL)
            {
              g_autofree char *headers_what = g_strdup_printf ("the headers of %s", what);

              JsonObjectIter inner;
              const char *header;

              if (!normalize_environment (self, headers, headers_what, error))
                return FALSE;
              json_object_iter_init_ordered (&inner, json_node_get_object (headers));
              while (json_object_iter_next_ordered (&inner, &header, NULL))
                if (header[strspn (header, "!#$%&'*+-.^_`|~0123456789"
                                           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")] != '\0')
                  {
                    set_error_at (self, error, json_object_get_member (json_node_get_object (headers), header),
                                  TRUE, "\"%s\" in %s is not an HTTP header name", header, headers_what);
                    return FALSE;
                  }
            }
          if (retries != NULL &&
              (!JSON_NODE_HOLDS_VALUE (retries) || json_node_get_value_type (retries) != G_TYPE_INT64 ||
               json_node_get_int (retries) < 0 || json_node_get_int (retries) > MAX_TARGET_RETRIES))
            {
              set_error_at (self, error, retries, FALSE,
                            "\"retries\" in %s must be a whole number from 0 to %d", what, MAX_TARGET_RETRIES);
              return FALSE;
            }
        }
      else if (g_str_equal (section_name, "codedeploy"))
        {
          const char *slash = strchr (name, '/');
          JsonNode *instances;
          JsonNode *config;

          if (slash == NULL || slash == name || slash[1] == '\0' || strchr (slash + 1, '/') != NULL)
            {
              set_error_at (self, error, entry, TRUE,
                            "codedeploy entries are named ApplicationName/DeploymentGroupName, "
                            "not \"%s\"", name);
              return FALSE;
            }
          if (!check_keys (self, object, what, codedeploy_keys, error) ||
              !check_optional_string (self, object, "root", what, FALSE, entry, error) ||
              !check_optional_string (self, object, "config", what, FALSE, entry, error))
            return FALSE;

          instances = json_object_get_member (object, "instances");
          if (instances != NULL &&
              (!JSON_NODE_HOLDS_VALUE (instances) ||
               json_node_get_value_type (instances) != G_TYPE_INT64 ||
               json_node_get_int (instances) < 1 ||
               json_node_get_int (instances) > MAX_INSTANCES))
            {
              set_error_at (self, error, instances, FALSE,
                            "\"instances\" in %s must be a whole number from 1 to %d",
                            what, MAX_INSTANCES);
              return FALSE;
            }

          config = json_object_get_member (object, "config");
          if (config != NULL &&
              !g_strv_contains (codedeploy_configs, json_node_get_string (config)))
            {
              g_autofree char *list = g_strjoinv (", ", (char **)codedeploy_configs);

              set_error_at (self, error, config, FALSE,
                            "unknown deployment configuration \"%s\" in %s; use one of %s",
                            json_node_get_string (config), what, list);
              return FALSE;
            }
        }
    }

  return TRUE;
}

static gboolean
is_account_id (const char *text)
{
  if (strlen (text) != 12)
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;

  return TRUE;
}

static gboolean
validate (PwLocalProfile  *self,
          GError         **error)
{
  JsonObject *root;
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  if (!JSON_NODE_HOLDS_OBJECT (self->root))
    {
      set_error_at (self, error, self->root, FALSE,
                    "the local profile must be a mapping of sections, not %s",
                    node_kind (self->root));
      return FALSE;
    }

  root = json_node_get_object (self->root);
  if (!check_keys (self, root, "the local profile", top_keys, error))
    return FALSE;

  json_object_iter_init_ordered (&iter, root);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      if (g_str_equal (name, "account"))
        {
          g_autofree char *text = NULL;

          if (!node_is_string (member) &&
              !(JSON_NODE_HOLDS_VALUE (member) &&
                json_node_get_value_type (member) == G_TYPE_INT64))
            {
              set_error_at (self, error, member, FALSE,
                            "\"account\" must be a 12-digit account id, not %s",
                            node_kind (member));
              return FALSE;
            }
          text = scalar_to_string (self->map, member);
          if (!is_account_id (text))
            {
              set_error_at (self, error, member, FALSE,
                            "\"account\" must be a 12-digit account id, not \"%s\"", text);
              return FALSE;
            }
          g_free (self->account);
          self->account = g_steal_pointer (&text);
        }
      else if (g_str_equal (name, "region"))
        {
          if (!node_is_string (member) || *json_node_get_string (member) == '\0')
            {
              set_error_at (self, error, member, FALSE,
                            "\"region\" must be a region name such as us-east-1, not %s",
                            node_kind (member));
              return FALSE;
            }
          g_free (self->region);
          self->region = g_strdup (json_node_get_string (member));
        }
      else if (g_str_equal (name, "limits"))
        {
          JsonObjectIter limits;
          const char *key;
          JsonNode *value;

          if (!check_mapping (self, member, "\"limits\"", error) ||
              !check_keys (self, json_node_get_object (member), "\"limits\"", limit_keys, error))
            return FALSE;

          json_object_iter_init_ordered (&limits, json_node_get_object (member));
          while (json_object_iter_next_ordered (&limits, &key, &value))
            {
              g_autofree char *text = node_is_scalar (value) ? scalar_to_string (self->map, value)
                                                             : NULL;
              guint64 size;

              if (g_str_equal (key, "concurrentExecutions"))
                {
                  if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_INT64 ||
                      json_node_get_int (value) < 1 || json_node_get_int (value) > MAX_CONCURRENT_EXECUTIONS)
                    {
                      set_error_at (self, error, value, FALSE,
                                    "\"concurrentExecutions\" in \"limits\" must be a whole number from 1 to %d",
                                    MAX_CONCURRENT_EXECUTIONS);
                      return FALSE;
                    }
                  self->concurrent_executions = (guint)json_node_get_int (value);
                  continue;
                }
              size = text != NULL ? parse_size (text) : 0;

              if (size == 0)
                {
                  set_error_at (self, error, value, FALSE,
                                "\"%s\" in \"limits\" must be a size such as 64MiB or "
                                "1GiB, not %s", key, text != NULL ? text : node_kind (value));
                  return FALSE;
                }
              if (g_str_equal (key, "logSize"))
                self->log_size = size;
              else
                self->output_size = size;
            }
        }
      else if (g_str_equal (name, "environment"))
        {
          if (!normalize_environment (self, member, "\"environment\"", error))
            return FALSE;
          g_clear_pointer (&self->environment, json_object_unref);
          self->environment = json_object_ref (json_node_get_object (member));
        }
      else if (JSON_NODE_HOLDS_NULL (member))
        {
          /* `codebuild:` with nothing under it yet is an empty section. */
          continue;
        }
      else if (!check_entries (self, member, name, error))
        {
          return FALSE;
        }
    }

  return TRUE;
}

static void
pw_local_profile_finalize (GObject *object)
{
  PwLocalProfile *self = (PwLocalProfile *)object;

  g_clear_pointer (&self->root, json_node_unref);
  g_clear_pointer (&self->map, pw_source_map_unref);
  g_clear_pointer (&self->environment, json_object_unref);
  g_free (self->path);
  g_free (self->base_dir);
  g_free (self->account);
  g_free (self->region);

  G_OBJECT_CLASS (pw_local_profile_parent_class)->finalize (object);
}

static void
pw_local_profile_class_init (PwLocalProfileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pw_local_profile_finalize;
}

static void
pw_local_profile_init (PwLocalProfile *self)
{
  self->base_dir = g_get_current_dir ();
  self->account = g_strdup (DEFAULT_ACCOUNT);
  self->region = g_strdup (DEFAULT_REGION);
  self->environment = json_object_new ();
  self->log_size = DEFAULT_LOG_SIZE;
  self->concurrent_executions = DEFAULT_CONCURRENT_EXECUTIONS;
  self->output_size = DEFAULT_OUTPUT_SIZE;
}

/**
 * pw_local_profile_new:
 *
 * The profile used when there is no `pipewright.local.yml`: no mappings,
 * account `111122223333` (AWS's documentation account), region
 * `us-east-1`, relative paths taken from the current folder.
 *
 * Returns: (transfer full): a new profile
 */
PwLocalProfile *
pw_local_profile_new (void)
{
  return g_object_new (PW_TYPE_LOCAL_PROFILE, NULL);
}

/**
 * pw_local_profile_load:
 * @path: the profile file
 *
 * Reads and checks a profile. Every mistake (unknown key, wrong type, bad
 * value) is reported as `file:line:column: message` with the
 * PW_ENGINE_ERROR_CONFIGURATION code; unknown keys list the allowed ones.
 *
 * Returns: (transfer full) (nullable): the profile, or %NULL with @error set
 */
PwLocalProfile *
pw_local_profile_load (const char  *path,
                       GError     **error)
{
  g_autoptr(PwLocalProfile) self = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *absolute = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   "%s: cannot read the local profile: %s", path, local_error->message);
      return NULL;
    }

  self = pw_local_profile_new ();
  self->path = g_strdup (path);
  absolute = g_canonicalize_filename (path, NULL);
  g_free (self->base_dir);
  self->base_dir = g_path_get_dirname (absolute);

  bytes = g_bytes_new_take (g_steal_pointer (&contents), length);
  self->map = pw_source_map_new (path, bytes);
  self->root = pw_yaml_parse (g_bytes_get_data (bytes, NULL), length, self->map,
                              PW_YAML_PARSE_NONE, &local_error);
  if (self->root == NULL)
    {
      /* The core's message already starts with file:line:column. */
      g_set_error_literal (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                           local_error->message);
      return NULL;
    }

  /* An empty file (or one holding only comments) is a valid, empty profile. */
  if (JSON_NODE_HOLDS_NULL (self->root))
    {
      json_node_unref (self->root);
      self->root = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (self->root, json_object_new ());
    }

  if (!validate (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * pw_local_profile_load_beside:
 * @pipeline_path: the pipeline file
 *
 * Loads `pipewright.local.yml` from the folder of @pipeline_path. When
 * there is none, returns the defaults (see pw_local_profile_new()) with
 * relative paths taken from that folder.
 *
 * Returns: (transfer full) (nullable): the profile, or %NULL with @error
 *   set when the file exists but is wrong
 */
PwLocalProfile *
pw_local_profile_load_beside (const char  *pipeline_path,
                              GError     **error)
{
  g_autofree char *absolute = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  PwLocalProfile *self;

  g_return_val_if_fail (pipeline_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  absolute = g_canonicalize_filename (pipeline_path, NULL);
  dir = g_path_get_dirname (absolute);
  path = g_build_filename (dir, PROFILE_NAME, NULL);

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return pw_local_profile_load (path, error);

  self = pw_local_profile_new ();
  g_free (self->base_dir);
  self->base_dir = g_steal_pointer (&dir);

  return self;
}

/**
 * pw_local_profile_get_base_dir:
 *
 * Returns: the folder relative profile paths are resolved against: the
 *   profile's own folder, or for defaults the pipeline's (or current) folder
 */
const char *
pw_local_profile_get_base_dir (PwLocalProfile *self)
{
  g_return_val_if_fail (PW_IS_LOCAL_PROFILE (self), NULL);

  return self->base_dir;
}

/**
 * pw_local_profile_get_path:
 *
 * Returns: (nullable): the file the profile was read from; %NULL for the
 *   defaults
 */
const char *
pw_local_profile_get_path (PwLocalProfile *self)
{
  g_return_val_if_fail (PW_IS_LOCAL_PROFILE (self), NULL);

  return self->path;
}

static JsonNode *
get_entry_node (PwLocalProfile *self,
                const char     *section,
                const char     *name)
{
  JsonObject *root;
  JsonNode *section_node;

  if (self->root == NULL || name == NULL)
    return NULL;

  root = json_node_get_object (self->root);
  section_node = json_object_get_member (root, section);
  if (section_node == NULL || !JSON_NODE_HOLDS_OBJECT (section_node))
    return NULL;

  return json_object_get_member (json_node_get_object (section_node), name);
}

/**
 * pw_local_profile_get_entry:
 * @section: "sources", "codebuild", "commands", "lambda", "codedeploy" or
 *   "secrets"
 * @name: the entry's name (action name, ProjectName, FunctionName,
 *   `ApplicationName/DeploymentGroupName`, secret id)
 *
 * Entries are already checked: keys are the allowed ones, and values have
 * the documented types (`environment` values are strings).
 *
 * Returns: (transfer none) (nullable): the entry when it is a mapping
 */
JsonObject *
pw_local_profile_get_entry (PwLocalProfile *self,
                            const char     *section,
                            const char     *name)
{
  JsonNode *entry;

  g_return_val_if_fail (PW_IS_LOCAL_PROFILE (self), NULL);
  g_return_val_if_fail (section != NULL, NULL);

  entry = get_entry_node (self, section, name);
  if (entry == NULL || !JSON_NODE_HOLDS_OBJECT (entry))
    return NULL;

  return json_node_get_object (entry);
}

/**
 * pw_local_profile_dup_names:
 * @section: "codebuild", "commands", …
 *
 * Returns: (transfer full): the names of the section's entries, in the
 *   file's order (empty when it has none)
 */
GStrv
pw_local_profile_dup_names (PwLocalProfile *self,
                            const char     *section)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  JsonNode *node;

  g_return_val_if_fail (PW_IS_LOCAL_PROFILE (self), NULL);
  g_return_val_if_fail (section != NULL, NULL);

  if (self->root != NULL && JSON_NODE_HOLDS_OBJECT (self->root) &&
      (node = json_object_get_member (json_node_get_object (self->root), section)) != NULL &&
      JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, NULL))
        g_strv_builder_add (names, name);
    }
  return g_strv_builder_end (names);
}

/**
 * pw_local_profile_get_string:
 * @key: (nullable): the key inside the entry; %NULL for sections whose
 *   entries are plain strings (`s3`, string `secrets`)
 *
 * Returns: (transfer none) (nullable): the string, or %NULL when absent or
 *   not a string
 */
const char *
pw_local_profile_get_string (PwLocalProfile *self,
                             const char     *section,
                             const char     *name,
                             const char     *key)
{
  JsonNode *entry;
  JsonNode *member;

  g_return_val_if_fail (PW_IS_LOCAL_PROFILE (self), NULL);
  g_return_val_if_fail (section != NULL, NULL);

  entry = get_entry_node (self, section, name);
  if (entry == NULL)
    return NULL;

  if (key == NULL)
    return node_is_string (entry) ? json_node_get_string (entry) : NULL;

  if (!JSON_NODE_HOLDS_OBJECT (entry))
    return NULL;

  member = json_object_get_member (json_node_get_object (entry), key);
  return node_is_string (member) ? json_node_get_string (member) : NULL;
}

static char *
env_name_for_secret (const char *id)
{
  GString *name = g_string_new ("PIPEWRIGHT_SECRET_");

  for (const char *p = id; *p != '\0'; p++)
    g_string_append_c (name, g_ascii_isalnum (*p) ? g_ascii_toupper (*p) : '_');

  return g_string_free (name, FALSE);
}

/* `id:json-key:stage:version`, where a Secrets Manager ARN id has colons
 * of its own (`arn:aws:secretsmanager:region:account:secret:name`). */
static void
split_secret_reference (const char  *reference,
                        char       **id,
                        char       **json_key)
{
  g_auto(GStrv) parts = g_strsplit (reference, ":", -1);
  guint n = g_strv_length (parts);
  guint n_id = 1;

  if (g_str_has_prefix (reference, "arn:") && n >= 7)
    n_id = 7;

  if (n <= n_id)
    {
      *id = g_strdup (reference);
      *json_key = NULL;
      return;
    }

  {
    g_autofree char *saved = parts[n_id];

    parts[n_id] = NULL;
    *id = g_strjoinv (":", parts);
    parts[n_id] = g_steal_pointer (&saved);
    *json_key = *parts[n_id] != '\0' ? g_strdup (parts[n_id]) : NULL;
  }
}

static char *
select_json_key (const char  *id,
                 const char  *text,
                 const char  *json_key,
                 const char  *origin,
                 GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonNode *member;

  /* The bounded reader: a secret's text is not ours to trust. */
  root = pw_json_parse (text, -1, NULL, &local_error);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   "secret \"%s\" (%s) is not a JSON object, so it has no key \"%s\"",
                   id, origin, json_key);
      return NULL;
    }

  member = json_object_get_member (json_node_get_object (root), json_key);
  if (member == NULL || !node_is_scalar (member))
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   "secret \"%s\" (%s) has no key \"%s\"", id, origin, json_key);
      return NULL;
    }

  return scalar_to_string (NULL, member);
}

/**
 * pw_local_profile_lookup_secret:
 * @id: `secret-id[:json-key[:version-stage[:version-id]]]` (Secrets
 *   Manager, as in buildspecs and CodeBuild EnvironmentVariables) or a
 *   Parameter Store name
 *
 * Looks @id up in the profile's `secrets` section. A mapping value is a
 * JSON secret: json-key selects one key, and without json-key the whole
 * mapping comes back as JSON text, as Secrets Manager returns it. A string
 * value is returned as is, or parsed as JSON text when json-key is given.
 * Without an entry, the environment variable `PIPEWRIGHT_SECRET_<ID>` (id
 * upper-cased, every other character than letters and digits as `_`)
 * stands in, with the same json-key rule. Version stage and id are
 * ignored: there is only one version locally.
 *
 * Returns: (transfer full) (nullable): the value, or %NULL with @error
 *   saying how to provide it
 */
char *
pw_local_profile_lookup_secret (PwLocalProfile  *self,
                                const char      *id,
                                GError         **error)
{
  g_autofree char *secret_id = NULL;
  g_autofree char *json_key = NULL;
  g_autofree char *env_name = NULL;
  JsonNode *entry;
  const char *env_value;

  g_return_val_if_fail (PW_IS_LOCAL_PROFILE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  split_secret_reference (id, &secret_id, &json_key);

  entry = get_entry_node (self, "secrets", secret_id);
  /* Parameter Store names never hold a colon, but a secret may have been
   * entered in the profile under its full reference. */
  if (entry == NULL && json_key != NULL)
    {
      entry = get_entry_node (self, "secrets", id);
      if (entry != NULL)
        g_clear_pointer (&json_key, g_free);
    }

  if (entry != NULL)
    {
      g_autofree char *origin = g_strdup_printf ("from %s",
                                                 self->path != NULL ? self->path : PROFILE_NAME);

      if (JSON_NODE_HOLDS_OBJECT (entry))
        {
          JsonObject *object = json_node_get_object (entry);
          JsonNode *member;

          if (json_key == NULL)
            {
              g_autoptr(JsonGenerator) generator = json_generator_new ();
              g_autoptr(JsonNode) copy = json_node_copy (entry);
              JsonObjectIter iter;
              const char *key;
              JsonNode *value;

              /* Scalars as typed, so `port: 0800` is not turned into 512. */
              json_object_iter_init_ordered (&iter, object);
              while (json_object_iter_next_ordered (&iter, &key, &value))
                {
                  g_autofree char *text = scalar_to_string (self->map, value);

                  json_object_set_string_member (json_node_get_object (copy), key, text);
                }
              json_generator_set_root (generator, copy);
              return json_generator_to_data (generator, NULL);
            }

          member = json_object_get_member (object, json_key);
          if (member == NULL)
            {
              g_autofree char *position = dup_position (self, entry, TRUE);

              g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                           "%s: secret \"%s\" has no key \"%s\"", position, secret_id, json_key);
              return NULL;
            }

          return scalar_to_string (self->map, member);
        }

      {
        g_autofree char *text = scalar_to_string (self->map, entry);

        if (json_key == NULL)
          return g_steal_pointer (&text);

        return select_json_key (secret_id, text, json_key, origin, error);
      }
    }

  env_name = env_name_for_secret (secret_id);
  if ((env_value = g_getenv (env_name)) != NULL)
    {
      g_autofree char *origin = NULL;

      if (json_key == NULL)
        return g_strdup (env_value);

      origin = g_strdup_printf ("from $%s", env_name);
      return select_json_key (secret_id, env_value, json_key, origin, error);
    }

  g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
               "secret \"%s\" is not available locally; add it to %s under \"secrets:\" "
               "(e.g. `secrets: {%s: value}`, or a mapping of JSON keys) "
               "or set the environment variable %s",
               secret_id, self->path != NULL ? self->path : PROFILE_NAME, secret_id, env_name);
  return NULL;
}

/**
 * pw_local_profile_resolve_path:
 * @path: a path from the profile (or from an action's configuration that
 *   the profile is the base for)
 *
 * Absolute paths stay as they are, `~/` is the home folder, anything else
 * is relative to the profile's folder (pw_local_profile_get_base_dir()).
 *
 * Returns: (transfer full): a canonical absolute path
 */
char *
pw_local_profile_resolve_path (PwLocalProfile *self,
                               const char     *path)
{
  g_return_val_if_fail (PW_IS_LOCAL_PROFILE (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  if (g_str_equal (path, "~"))
    return g_strdup (g_get_home_dir ());
  if (g_str_has_prefix (path, "~/"))
    return g_canonicalize_filename (path + 2, g_get_home_dir ());

  return g_canonicalize_filename (path, self->base_dir);
}

const char *
pw_local_profile_get_account (PwLocalProfile *self)
{
  g_return_val_if_fail (PW_IS_LOCAL_PROFILE (self), NULL);

  return self->account;
}

const char *
pw_local_profile_get_region (PwLocalProfile *self)
{
  g_return_val_if_fail (PW_IS_LOCAL_PROFILE (self), NULL);

  return self->region;
}

/**
 * pw_local_profile_get_environment:
 *
 * Returns: (transfer none): the top-level `environment` mapping, every
 *   value a string (empty when the profile has none)
 */
JsonObject *
pw_local_profile_get_environment (PwLocalProfile *self)
{
  g_return_val_if_fail (PW_IS_LOCAL_PROFILE (self), NULL);

  return self->environment;
}

/**
 * pw_local_profile_get_log_size:
 * @self: a #PwLocalProfile
 *
 * Returns: the most of an action's log its file keeps (`limits.logSize`,
 *   64 MiB by default): the first and the last halves
 */
guint64
pw_local_profile_get_log_size (PwLocalProfile *self)
{
  g_return_val_if_fail (PW_IS_LOCAL_PROFILE (self), 0);

  return self->log_size;
}

/**
 * pw_local_profile_get_concurrent_executions:
 *
 * Returns: how many executions of the pipeline may run or wait at once
 *   (`limits.concurrentExecutions`, 50 by default); a start past it is
 *   refused, as the service refuses it
 */
guint
pw_local_profile_get_concurrent_executions (PwLocalProfile *self)
{
  g_return_val_if_fail (PW_IS_LOCAL_PROFILE (self), 0);

  return self->concurrent_executions;
}

/**
 * pw_local_profile_get_output_size:
 * @self: a #PwLocalProfile
 *
 * Returns: the most output an action may write before it is stopped as
 *   Failed (`limits.outputSize`, 512 MiB by default)
 */
guint64
pw_local_profile_get_output_size (PwLocalProfile *self)
{
  g_return_val_if_fail (PW_IS_LOCAL_PROFILE (self), 0);

  return self->output_size;
}
