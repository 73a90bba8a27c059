/* pw-appspec.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-appspec"

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "pw-engine.h"

/* The CodeDeploy AppSpec for EC2/on-premises deployments
 * (reference/appspec.md §1–§2): read with positions, checked as strictly
 * as the agent would, so mistakes show up as `appspec.yml:line:col` before
 * any instance is touched. */

/* One lifecycle event may run for 3600 s in all (appspec.md §2.3). */
#define MAX_EVENT_SECONDS 3600

typedef struct
{
  PwSourceMap *map;
  const char  *filename;
  const char  *bundle_dir;
} Parser;

static const char * const top_keys[] = {
  "version", "os", "files", "file_exists_behavior", "permissions", "hooks", NULL
};
static const char * const file_keys[] = { "source", "destination", NULL };
static const char * const permission_keys[] = {
  "object", "pattern", "except", "owner", "group", "mode", "acls", "context", "type", NULL
};
static const char * const script_keys[] = { "location", "timeout", "runas", NULL };
static const char * const scriptable_events[] = {
  "ApplicationStop", "BeforeInstall", "AfterInstall", "ApplicationStart", "ValidateService",
  "BeforeBlockTraffic", "AfterBlockTraffic", "BeforeAllowTraffic", "AfterAllowTraffic", NULL
};
static const char * const agent_events[] = {
  "DownloadBundle", "Install", "BlockTraffic", "AllowTraffic", NULL
};

static void
file_free (gpointer data)
{
  PwAppspecFile *file = data;

  g_free (file->source);
  g_free (file->destination);
  g_free (file);
}

static void
permission_free (gpointer data)
{
  PwAppspecPermission *permission = data;

  g_free (permission->object);
  g_free (permission->pattern);
  g_strfreev (permission->except);
  g_free (permission->owner);
  g_free (permission->group);
  g_free (permission->mode_text);
  g_free (permission);
}

static void
script_free (gpointer data)
{
  PwAppspecScript *script = data;

  g_free (script->location);
  g_free (script->runas);
  g_free (script);
}

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
node_is_int (JsonNode *node)
{
  return node != NULL &&
         JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_INT64;
}

static void set_error_at (Parser      *parser,
                          GError     **error,
                          JsonNode    *node,
                          gboolean     at_key,
                          const char  *format,
                          ...) G_GNUC_PRINTF (5, 6);

static void
set_error_at (Parser      *parser,
              GError     **error,
              JsonNode    *node,
              gboolean     at_key,
              const char  *format,
              ...)
{
  g_autofree char *message = NULL;
  guint line = 0;
  guint column = 0;
  gboolean found = FALSE;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (node != NULL)
    {
      if (at_key)
        found = pw_source_map_lookup_key (parser->map, node, &line, &column);
      if (!found)
        found = pw_source_map_lookup (parser->map, node, &line, &column);
    }

  if (found)
    g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                 "%s:%u:%u: %s", parser->filename, line, column, message);
  else
    g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                 "%s: %s", parser->filename, message);
}

static gboolean
check_keys (Parser              *parser,
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

          set_error_at (parser, error, member, TRUE,
                        "unknown key \"%s\" in %s; allowed keys: %s", name, what, list);
          return FALSE;
        }
    }

  return TRUE;
}

static const char *
get_string (Parser      *parser,
            JsonNode    *owner,
            const char  *key,
            const char  *what,
            gboolean     required,
            GError     **error)
{
  JsonNode *member = json_object_get_member (json_node_get_object (owner), key);

  if (member == NULL)
    {
      if (required)
        set_error_at (parser, error, owner, FALSE, "%s needs \"%s\"", what, key);
      return NULL;
    }

  if (!node_is_string (member) || *json_node_get_string (member) == '\0')
    {
      set_error_at (parser, error, member, FALSE,
                    "\"%s\" in %s must be a non-empty string, not %s",
                    key, what, node_kind (member));
      return NULL;
    }

  return json_node_get_string (member);
}

/* `a//b/./c/` → `a/b/c`; NULL when a `..` segment would climb out. */
static char *
normalize_path (const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (*parts[i] == '\0' || g_str_equal (parts[i], "."))
        continue;
      if (g_str_equal (parts[i], ".."))
        return NULL;
      g_ptr_array_add (kept, parts[i]);
    }
  g_ptr_array_add (kept, NULL);

  return g_strjoinv ("/", (char **)kept->pdata);
}

static char *
normalize_absolute (const char *path)
{
  g_autofree char *relative = NULL;

  if (path[0] != '/')
    return NULL;
  if ((relative = normalize_path (path)) == NULL)
    return NULL;

  return g_strconcat ("/", relative, NULL);
}

/* The digits as written: YAML 1.1 reads an unquoted `0644` as the octal
 * number 420, and `644` as decimal 644, yet both mean rw-r--r-- here. */
static char *
dup_mode_text (Parser   *parser,
               JsonNode *node)
{
  g_autofree char *line_text = NULL;
  const char *p;
  const char *end;
  guint line;
  guint column;

  if (node_is_string (node))
    return g_strdup (json_node_get_string (node));

  if (pw_source_map_lookup (parser->map, node, &line, &column) &&
      (line_text = pw_source_map_dup_line (parser->map, line)) != NULL)
    {
      p = line_text;
      for (guint i = 1; i < column && *p != '\0'; i++)
        p = g_utf8_next_char (p);
      for (end = p; g_ascii_isdigit (*end); end++)
        ;
      if (end > p)
        return g_strndup (p, end - p);
    }

  return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
}

static gboolean
parse_files (Parser     *parser,
             JsonNode   *node,
             PwAppspec  *spec,
             GError    **error)
{
  JsonArray *array;

  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      set_error_at (parser, error, node, FALSE,
                    "\"files\" must be a list of {source, destination}, not %s", node_kind (node));
      return FALSE;
    }

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      g_autofree char *what = g_strdup_printf ("files[%u]", i);
      g_autofree char *source = NULL;
      g_autofree char *destination = NULL;
      g_autofree char *source_path = NULL;
      const char *source_text;
      const char *destination_text;
      PwAppspecFile *file;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        {
          set_error_at (parser, error, item, FALSE,
                        "%s must be a mapping with source and destination, not %s",
                        what, node_kind (item));
          return FALSE;
        }
      if (!check_keys (parser, json_node_get_object (item), what, file_keys, error))
        return FALSE;
      if ((source_text = get_string (parser, item, "source", what, TRUE, error)) == NULL ||
          (destination_text = get_string (parser, item, "destination", what, TRUE, error)) == NULL)
        return FALSE;

      /* `source: /` is the whole bundle; a leading slash still means the
       * bundle root, as the agent reads it. */
      if ((source = normalize_path (source_text)) == NULL)
        {
          set_error_at (parser, error,
                        json_object_get_member (json_node_get_object (item), "source"), FALSE,
                        "source \"%s\" climbs out of the bundle with \"..\"", source_text);
          return FALSE;
        }
      source_path = g_build_filename (spec->bundle_dir, source, NULL);
      if (!g_file_test (source_path, G_FILE_TEST_EXISTS) &&
          !g_file_test (source_path, G_FILE_TEST_IS_SYMLINK))
        {
          set_error_at (parser, error,
                        json_object_get_member (json_node_get_object (item), "source"), FALSE,
                        "source \"%s\" does not exist in the revision bundle", source_text);
          return FALSE;
        }

      if ((destination = normalize_absolute (destination_text)) == NULL)
        {
          set_error_at (parser, error,
                        json_object_get_member (json_node_get_object (item), "destination"),
                        FALSE, "destination \"%s\" must be an absolute path without \"..\" "
                        "(such as /opt/app)", destination_text);
          return FALSE;
        }

      file = g_new0 (PwAppspecFile, 1);
      file->source = g_steal_pointer (&source);
      file->destination = g_steal_pointer (&destination);
      g_ptr_array_add (spec->files, file);
    }

  return TRUE;
}

static gboolean
parse_string_list (Parser      *parser,
                   JsonNode    *node,
                   const char  *what,
                   GStrv       *out,
                   GError     **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      set_error_at (parser, error, node, FALSE,
                    "%s must be a list, not %s", what, node_kind (node));
      return FALSE;
    }

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);

      if (!node_is_string (item))
        {
          set_error_at (parser, error, item, FALSE,
                        "the items of %s must be strings, not %s", what, node_kind (item));
          return FALSE;
        }
      g_strv_builder_add (builder, json_node_get_string (item));
    }

  *out = g_strv_builder_end (builder);
  return TRUE;
}

static gboolean
check_glob (Parser      *parser,
            JsonNode    *node,
            const char  *pattern,
            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(PwGlob) glob = pw_glob_new (pattern, &local_error);

  if (glob == NULL)
    {
      set_error_at (parser, error, node, FALSE, "bad pattern \"%s\": %s", pattern,
                    local_error != NULL ? local_error->message : "invalid");
      return FALSE;
    }

  return TRUE;
}

static gboolean
parse_permission (Parser               *parser,
                  JsonNode             *item,
                  const char           *what,
                  PwAppspecPermission  *permission,
                  GError              **error)
{
  JsonObject *object = json_node_get_object (item);
  const char *text;
  JsonNode *member;

  if (!check_keys (parser, object, what, permission_keys, error))
    return FALSE;

  if ((text = get_string (parser, item, "object", what, TRUE, error)) == NULL)
    return FALSE;
  if ((permission->object = normalize_absolute (text)) == NULL)
    {
      set_error_at (parser, error, json_object_get_member (object, "object"), FALSE,
                    "object \"%s\" must be an absolute path without \"..\"", text);
      return FALSE;
    }

  if ((member = json_object_get_member (object, "pattern")) != NULL)
    {
      if ((text = get_string (parser, item, "pattern", what, FALSE, error)) == NULL ||
          !check_glob (parser, member, text, error))
        return FALSE;
      if (!g_str_equal (text, "**"))
        permission->pattern = g_strdup (text);
    }

  if ((member = json_object_get_member (object, "except")) != NULL)
    {
      if (!parse_string_list (parser, member, "\"except\"", &permission->except, error))
        return FALSE;
      for (guint i = 0; permission->except[i] != NULL; i++)
        if (!check_glob (parser, json_array_get_element (json_node_get_array (member), i),
                         permission->except[i], error))
          return FALSE;
    }

  if (json_object_has_member (object, "owner") &&
      (permission->owner = g_strdup (get_string (parser, item, "owner", what,
                                                 FALSE, error))) == NULL)
    return FALSE;
  if (json_object_has_member (object, "group") &&
      (permission->group = g_strdup (get_string (parser, item, "group", what,
                                                 FALSE, error))) == NULL)
    return FALSE;

  permission->mode = -1;
  if ((member = json_object_get_member (object, "mode")) != NULL)
    {
      g_autofree char *mode_text = NULL;
      gsize length;

      if (!node_is_string (member) && !node_is_int (member))
        {
          set_error_at (parser, error, member, FALSE,
                        "\"mode\" must be octal digits such as \"0644\" or 750, not %s",
                        node_kind (member));
          return FALSE;
        }
      mode_text = dup_mode_text (parser, member);
      length = strlen (mode_text);
      if (length < 1 || length > 4 || strspn (mode_text, "01234567") != length)
        {
          set_error_at (parser, error, member, FALSE,
                        "\"mode\" must be up to four octal digits such as \"0644\" or 750 "
                        "(symbolic modes are not allowed), not \"%s\"", mode_text);
          return FALSE;
        }
      permission->mode = (int)g_ascii_strtoull (mode_text, NULL, 8);
      permission->mode_text = g_steal_pointer (&mode_text);
    }

  if ((member = json_object_get_member (object, "acls")) != NULL)
    {
      g_auto(GStrv) acls = NULL;

      if (!parse_string_list (parser, member, "\"acls\"", &acls, error))
        return FALSE;
      permission->has_acls = TRUE;
    }

  if ((member = json_object_get_member (object, "context")) != NULL)
    {
      if (!JSON_NODE_HOLDS_OBJECT (member))
        {
          set_error_at (parser, error, member, FALSE,
                        "\"context\" must be a mapping of SELinux user, type and range, not %s",
                        node_kind (member));
          return FALSE;
        }
      permission->has_context = TRUE;
    }

  if ((member = json_object_get_member (object, "type")) != NULL)
    {
      g_auto(GStrv) types = NULL;

      if (!parse_string_list (parser, member, "\"type\"", &types, error))
        return FALSE;
      for (guint i = 0; types[i] != NULL; i++)
        {
          if (g_str_equal (types[i], "file"))
            permission->type_file = TRUE;
          else if (g_str_equal (types[i], "directory"))
            permission->type_directory = TRUE;
          else
            {
              set_error_at (parser, error, json_array_get_element (json_node_get_array (member), i),
                            FALSE, "unknown type \"%s\"; use file or directory", types[i]);
              return FALSE;
            }
        }
    }

  return TRUE;
}

static gboolean
parse_permissions (Parser     *parser,
                   JsonNode   *node,
                   PwAppspec  *spec,
                   GError    **error)
{
  JsonArray *array;

  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      set_error_at (parser, error, node, FALSE,
                    "\"permissions\" must be a list, not %s", node_kind (node));
      return FALSE;
    }

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      g_autofree char *what = g_strdup_printf ("permissions[%u]", i);
      PwAppspecPermission *permission;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        {
          set_error_at (parser, error, item, FALSE,
                        "%s must be a mapping, not %s", what, node_kind (item));
          return FALSE;
        }

      permission = g_new0 (PwAppspecPermission, 1);
      g_ptr_array_add (spec->permissions, permission);
      if (!parse_permission (parser, item, what, permission, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
parse_scripts (Parser      *parser,
               const char  *event,
               JsonNode    *node,
               GPtrArray   *scripts,
               GError     **error)
{
  JsonArray *array;
  guint total = 0;

  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      set_error_at (parser, error, node, FALSE,
                    "%s must be a list of scripts ({location, timeout, runas}), not %s",
                    event, node_kind (node));
      return FALSE;
    }

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      g_autofree char *what = g_strdup_printf ("%s[%u]", event, i);
      g_autofree char *location = NULL;
      const char *text;
      JsonNode *member;
      PwAppspecScript *script;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        {
          set_error_at (parser, error, item, FALSE,
                        "%s must be a mapping with a location, not %s", what, node_kind (item));
          return FALSE;
        }
      if (!check_keys (parser, json_node_get_object (item), what, script_keys, error))
        return FALSE;

      if ((text = get_string (parser, item, "location", what, TRUE, error)) == NULL)
        return FALSE;
      member = json_object_get_member (json_node_get_object (item), "location");
      if ((location = normalize_path (text)) == NULL || *location == '\0')
        {
          set_error_at (parser, error, member, FALSE,
                        "location \"%s\" must name a script inside the bundle", text);
          return FALSE;
        }
      /* A script missing from the bundle fails the deployment when its
       * hook runs, as in CodeDeploy (ScriptMissing), not up front: a hook
       * that does not run (ApplicationStop, on a first deployment) never
       * needs it. */

      script = g_new0 (PwAppspecScript, 1);
      script->location = g_steal_pointer (&location);
      script->timeout = PW_APPSPEC_DEFAULT_TIMEOUT;
      g_ptr_array_add (scripts, script);

      if ((member = json_object_get_member (json_node_get_object (item), "timeout")) != NULL)
        {
          if (!node_is_int (member) ||
              json_node_get_int (member) < 1 ||
              json_node_get_int (member) > MAX_EVENT_SECONDS)
            {
              set_error_at (parser, error, member, FALSE,
                            "\"timeout\" must be a number of seconds from 1 to %d",
                            MAX_EVENT_SECONDS);
              return FALSE;
            }
          script->timeout = (guint)json_node_get_int (member);
        }
      total += script->timeout;

      if (json_object_has_member (json_node_get_object (item), "runas") &&
          (script->runas = g_strdup (get_string (parser, item, "runas", what,
                                                 FALSE, error))) == NULL)
        return FALSE;
    }

  /* A whole event may last an hour; unset timeouts count as an hour each,
   * as they would on the agent. */
  if (total > MAX_EVENT_SECONDS)
    {
      set_error_at (parser, error, node, TRUE,
                    "the scripts of %s may run for %u s in all, more than the %d s a lifecycle "
                    "event may take; lower their timeouts", event, total, MAX_EVENT_SECONDS);
      return FALSE;
    }

  return TRUE;
}

static gboolean
parse_hooks (Parser     *parser,
             JsonNode   *node,
             PwAppspec  *spec,
             GError    **error)
{
  JsonObjectIter iter;
  const char *event;
  JsonNode *member;

  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      set_error_at (parser, error, node, FALSE,
                    "\"hooks\" must be a mapping of lifecycle events, not %s", node_kind (node));
      return FALSE;
    }

  json_object_iter_init_ordered (&iter, json_node_get_object (node));
  while (json_object_iter_next_ordered (&iter, &event, &member))
    {
      GPtrArray *scripts;

      if (g_strv_contains (agent_events, event))
        {
          set_error_at (parser, error, member, TRUE,
                        "%s is performed by the CodeDeploy agent and cannot run scripts", event);
          return FALSE;
        }
      if (!g_strv_contains (scriptable_events, event))
        {
          g_autofree char *list = g_strjoinv (", ", (char **)scriptable_events);

          set_error_at (parser, error, member, TRUE,
                        "unknown lifecycle event \"%s\"; EC2/on-premises hooks are %s",
                        event, list);
          return FALSE;
        }

      scripts = g_ptr_array_new_with_free_func (script_free);
      g_hash_table_insert (spec->hooks, g_strdup (event), scripts);
      if (!parse_scripts (parser, event, member, scripts, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
parse_root (Parser     *parser,
            JsonNode   *root,
            PwAppspec  *spec,
            GError    **error)
{
  JsonObject *object;
  JsonNode *member;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      set_error_at (parser, error, root, FALSE,
                    "an appspec must be a mapping with version, os, files and hooks, not %s",
                    node_kind (root));
      return FALSE;
    }

  object = json_node_get_object (root);
  if (!check_keys (parser, object, "the appspec", top_keys, error))
    return FALSE;

  member = json_object_get_member (object, "version");
  if (member == NULL)
    {
      set_error_at (parser, error, root, FALSE, "the appspec needs \"version: 0.0\"");
      return FALSE;
    }
  if (!((JSON_NODE_HOLDS_VALUE (member) &&
         json_node_get_value_type (member) == G_TYPE_DOUBLE &&
         json_node_get_double (member) == 0.0) ||
        (node_is_string (member) && g_str_equal (json_node_get_string (member), "0.0"))))
    {
      set_error_at (parser, error, member, FALSE, "\"version\" must be 0.0, the only version");
      return FALSE;
    }

  member = json_object_get_member (object, "os");
  if (member == NULL)
    {
      set_error_at (parser, error, root, FALSE, "the appspec needs \"os: linux\"");
      return FALSE;
    }
  if (!node_is_string (member) ||
      !(g_str_equal (json_node_get_string (member), "linux") ||
        g_str_equal (json_node_get_string (member), "windows")))
    {
      set_error_at (parser, error, member, FALSE, "\"os\" must be linux or windows");
      return FALSE;
    }
  if (g_str_equal (json_node_get_string (member), "windows"))
    {
      set_error_at (parser, error, member, FALSE,
                    "os: windows deployments cannot run locally; only linux is supported");
      return FALSE;
    }
  spec->os = g_strdup (json_node_get_string (member));

  if ((member = json_object_get_member (object, "file_exists_behavior")) != NULL)
    {
      const char *text = node_is_string (member) ? json_node_get_string (member) : "";

      if (g_str_equal (text, "DISALLOW"))
        spec->file_exists_behavior = PW_APPSPEC_FILE_EXISTS_DISALLOW;
      else if (g_str_equal (text, "OVERWRITE"))
        spec->file_exists_behavior = PW_APPSPEC_FILE_EXISTS_OVERWRITE;
      else if (g_str_equal (text, "RETAIN"))
        spec->file_exists_behavior = PW_APPSPEC_FILE_EXISTS_RETAIN;
      else
        {
          set_error_at (parser, error, member, FALSE,
                        "\"file_exists_behavior\" must be DISALLOW, OVERWRITE or RETAIN");
          return FALSE;
        }
    }

  if ((member = json_object_get_member (object, "files")) != NULL &&
      !parse_files (parser, member, spec, error))
    return FALSE;
  if ((member = json_object_get_member (object, "permissions")) != NULL &&
      !parse_permissions (parser, member, spec, error))
    return FALSE;
  if ((member = json_object_get_member (object, "hooks")) != NULL &&
      !parse_hooks (parser, member, spec, error))
    return FALSE;

  return TRUE;
}

/**
 * pw_appspec_parse:
 * @bundle_dir: the extracted revision bundle the appspec belongs to
 * @filename: the name errors start with (`appspec.yml`)
 *
 * Returns: (transfer full) (nullable): the appspec, or %NULL with a
 *   PW_ENGINE_ERROR_CONFIGURATION error `filename:line:col: message`
 */
PwAppspec *
pw_appspec_parse (const char  *bundle_dir,
                  const char  *filename,
                  const char  *data,
                  gssize       length,
                  GError     **error)
{
  g_autoptr(PwAppspec) spec = NULL;
  g_autoptr(PwSourceMap) map = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  Parser parser = { 0 };

  g_return_val_if_fail (bundle_dir != NULL, NULL);
  g_return_val_if_fail (filename != NULL, NULL);
  g_return_val_if_fail (data != NULL, NULL);

  if (length < 0)
    length = strlen (data);

  bytes = g_bytes_new (data, length);
  map = pw_source_map_new (filename, bytes);
  root = pw_yaml_parse (data, length, map, PW_YAML_PARSE_NONE, &local_error);
  if (root == NULL)
    {
      g_set_error_literal (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                           local_error->message);
      return NULL;
    }

  spec = g_new0 (PwAppspec, 1);
  spec->bundle_dir = g_strdup (bundle_dir);
  spec->path = g_build_filename (bundle_dir, filename, NULL);
  spec->files = g_ptr_array_new_with_free_func (file_free);
  spec->permissions = g_ptr_array_new_with_free_func (permission_free);
  spec->hooks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify)g_ptr_array_unref);

  parser.map = map;
  parser.filename = filename;
  parser.bundle_dir = bundle_dir;

  if (!parse_root (&parser, root, spec, error))
    return NULL;

  return g_steal_pointer (&spec);
}

/**
 * pw_appspec_load:
 * @bundle_dir: the extracted revision bundle
 *
 * Reads `appspec.yml` (or `appspec.yaml`) from the root of @bundle_dir.
 *
 * Returns: (transfer full) (nullable): the appspec, or %NULL with @error
 */
PwAppspec *
pw_appspec_load (const char  *bundle_dir,
                 GError     **error)
{
  static const char * const names[] = { "appspec.yml", "appspec.yaml" };
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (bundle_dir != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (bundle_dir, names[i], NULL);
      g_autofree char *contents = NULL;
      gsize length;

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        continue;

      if (!g_file_get_contents (path, &contents, &length, &local_error))
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                       "%s: %s", names[i], local_error->message);
          return NULL;
        }

      return pw_appspec_parse (bundle_dir, names[i], contents, length, error);
    }

  g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
               "the revision has no appspec.yml at its root; CodeDeploy needs appspec.yml "
               "(or appspec.yaml) at the top of the input artifact, not in a subfolder");
  return NULL;
}

/**
 * pw_appspec_get_hook:
 * @event: a lifecycle event name (`BeforeInstall`)
 *
 * Returns: (transfer none) (nullable) (element-type PwAppspecScript): the
 *   scripts of @event, or %NULL when the appspec has none
 */
GPtrArray *
pw_appspec_get_hook (PwAppspec  *self,
                     const char *event)
{
  GPtrArray *scripts;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (event != NULL, NULL);

  scripts = g_hash_table_lookup (self->hooks, event);
  if (scripts == NULL || scripts->len == 0)
    return NULL;

  return scripts;
}

const char *
pw_appspec_file_exists_behavior_to_string (PwAppspecFileExists behavior)
{
  switch (behavior)
    {
    case PW_APPSPEC_FILE_EXISTS_OVERWRITE:
      return "OVERWRITE";

    case PW_APPSPEC_FILE_EXISTS_RETAIN:
      return "RETAIN";

    case PW_APPSPEC_FILE_EXISTS_DISALLOW:
    default:
      return "DISALLOW";
    }
}

void
pw_appspec_free (PwAppspec *self)
{
  if (self == NULL)
    return;

  g_free (self->path);
  g_free (self->bundle_dir);
  g_free (self->os);
  g_clear_pointer (&self->files, g_ptr_array_unref);
  g_clear_pointer (&self->permissions, g_ptr_array_unref);
  g_clear_pointer (&self->hooks, g_hash_table_unref);
  g_free (self);
}
