/* pw-provider-commands.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-provider-commands"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "pw-engine.h"

/* When the job gives no timeout, a runaway command stops after an hour. */
#define COMMANDS_TIMEOUT_SECONDS 3600

#define PW_TYPE_COMMANDS_PROVIDER (pw_commands_provider_get_type ())

G_DECLARE_FINAL_TYPE (PwCommandsProvider, pw_commands_provider, PW, COMMANDS_PROVIDER, GObject)

struct _PwCommandsProvider
{
  GObject parent_instance;
};

typedef struct
{
  char  *name;
  char  *zip_path;   /* the input zip, or the output zip to write */
  char  *dir;        /* extracted into (inputs), or zipped from (outputs) */
  char **files;      /* output globs; NULL zips all of @dir */
} Artifact;

typedef struct
{
  /* Owned references */
  PwActionJob *job;
  PwLog       *log;
  GPtrArray   *inputs;           /* Artifact */
  GPtrArray   *outputs;          /* Artifact */
  GPtrArray   *notes;            /* lines the worker threads leave for the log */
  GHashTable  *variables;        /* what the commands exported */

  gboolean     override;         /* a profile `commands` entry, not a Commands action */
  char        *action_name;
  char        *display;          /* the command, for messages */
  char        *work_dir;
  char        *src_dir;          /* where the first input goes */
  char        *script_path;      /* Commands action: the session script */
  char        *script;
  char        *vars_dir;         /* Commands action: one file per output variable */
  char        *vars_file;        /* override: KEY=VALUE lines */
  char       **variable_names;
  char       **argv;
  char       **env;
  char        *cwd;
  guint        timeout;
} CommandsRun;

static void pw_commands_provider_iface_init (PwProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PwCommandsProvider, pw_commands_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PW_TYPE_PROVIDER,
                                                      pw_commands_provider_iface_init))

static void
artifact_free (gpointer data)
{
  Artifact *artifact = data;

  g_free (artifact->name);
  g_free (artifact->zip_path);
  g_free (artifact->dir);
  g_strfreev (artifact->files);
  g_free (artifact);
}

static void
commands_run_free (CommandsRun *run)
{
  g_clear_object (&run->job);
  g_clear_object (&run->log);
  g_clear_pointer (&run->inputs, g_ptr_array_unref);
  g_clear_pointer (&run->outputs, g_ptr_array_unref);
  g_clear_pointer (&run->notes, g_ptr_array_unref);
  g_clear_pointer (&run->variables, g_hash_table_unref);
  g_clear_pointer (&run->variable_names, g_strfreev);
  g_clear_pointer (&run->argv, g_strfreev);
  g_clear_pointer (&run->env, g_strfreev);
  g_free (run->action_name);
  g_free (run->display);
  g_free (run->work_dir);
  g_free (run->src_dir);
  g_free (run->script_path);
  g_free (run->script);
  g_free (run->vars_dir);
  g_free (run->vars_file);
  g_free (run->cwd);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CommandsRun, commands_run_free)

static void
log_line (CommandsRun *run,
          const char  *format,
          ...) G_GNUC_PRINTF (2, 3);

static void
log_line (CommandsRun *run,
          const char  *format,
          ...)
{
  g_autofree char *text = NULL;
  va_list args;

  if (run->log == NULL)
    return;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  pw_log_write (run->log, text, -1);
  pw_log_write (run->log, "\n", 1);
}

/* Worker threads must not write the log: its `line` signal reaches the UI,
 * which lives on the main thread. They leave notes that flush_notes()
 * writes once the worker is done. */
static void
flush_notes (CommandsRun *run)
{
  for (guint i = 0; i < run->notes->len; i++)
    log_line (run, "%s", (const char *)g_ptr_array_index (run->notes, i));
  g_ptr_array_set_size (run->notes, 0);
}

static void
task_fail (GTask      *task,
           int         code,
           const char *format,
           ...) G_GNUC_PRINTF (3, 4);

static void
task_fail (GTask      *task,
           int         code,
           const char *format,
           ...)
{
  CommandsRun *run = g_task_get_task_data (task);
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  log_line (run, "%s", message);
  g_task_return_new_error (task, PW_ENGINE_ERROR, code, "%s", message);
  g_object_unref (task);
}

/* Takes the worker's error and fails @task with it, keeping ours and
 * turning GIO's cancellation into the engine's. */
static void
task_fail_with (GTask  *task,
                GError *error)
{
  CommandsRun *run = g_task_get_task_data (task);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CANCELLED,
                               "%s", error->message);
      g_error_free (error);
    }
  else if (error->domain == PW_ENGINE_ERROR)
    {
      log_line (run, "%s", error->message);
      g_task_return_error (task, error);
    }
  else
    {
      log_line (run, "%s", error->message);
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                               "%s", error->message);
      g_error_free (error);
    }

  g_object_unref (task);
}

static void
run_worker (GTask               *task,
            GTaskThreadFunc      func,
            GAsyncReadyCallback  callback)
{
  g_autoptr(GTask) worker = g_task_new (NULL, g_task_get_cancellable (task), callback, task);

  g_task_set_source_tag (worker, run_worker);
  g_task_set_task_data (worker, g_task_get_task_data (task), NULL);
  g_task_run_in_thread (worker, func);
}

/* Environment variable names cannot hold the `-` artifact names may. */
static char *
env_suffix (const char *name)
{
  char *suffix = g_strdup (name);

  for (char *p = suffix; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_')
      *p = '_';

  return suffix;
}

static gboolean
is_shell_name (const char *name)
{
  if (name == NULL || name[0] == '\0' || g_ascii_isdigit (name[0]))
    return FALSE;

  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_')
      return FALSE;

  return TRUE;
}

/* Output: post-processing in a worker ------------------------------------ */

static gboolean
zip_output (CommandsRun  *run,
            Artifact     *artifact,
            GCancellable *cancellable,
            GError      **error)
{
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GHashTable) seen = NULL;

  if (artifact->files == NULL)
    return pw_artifact_zip_dir (artifact->zip_path, artifact->dir, cancellable, error);

  files = g_ptr_array_new_with_free_func ((GDestroyNotify)pw_artifact_file_free);
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; artifact->files[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) matches = NULL;

      matches = pw_glob_find_files (artifact->dir, artifact->files[i], error);
      if (matches == NULL)
        return FALSE;

      if (matches->len == 0)
        g_ptr_array_add (run->notes,
                         g_strdup_printf ("Output artifact %s: no file matches '%s'",
                                          artifact->name, artifact->files[i]));

      for (guint j = 0; j < matches->len; j++)
        {
          const char *relative = g_ptr_array_index (matches, j);
          PwArtifactFile *file;

          if (g_hash_table_contains (seen, relative))
            continue;
          g_hash_table_add (seen, g_strdup (relative));

          file = g_new0 (PwArtifactFile, 1);
          file->source = g_build_filename (artifact->dir, relative, NULL);
          file->name = g_strdup (relative);
          g_ptr_array_add (files, file);
        }
    }

  /* CodeBuild fails the upload when the artifact's paths match nothing. */
  if (files->len == 0)
    {
      g_autofree char *patterns = g_strjoinv ("', '", artifact->files);

      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                   _("No matching artifact paths found for output artifact %s: nothing under "
                     "%s matches '%s'"),
                   artifact->name, artifact->dir, patterns);
      return FALSE;
    }

  g_ptr_array_add (run->notes,
                   g_strdup_printf ("Output artifact %s: %u file(s)", artifact->name, files->len));

  return pw_artifact_zip_files (artifact->zip_path, files, cancellable, error);
}

static gboolean
read_override_variables (CommandsRun  *run,
                         GError      **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_test (run->vars_file, G_FILE_TEST_EXISTS))
    return TRUE;

  if (!g_file_get_contents (run->vars_file, &contents, NULL, error))
    return FALSE;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = lines[i];
      char *eq;

      if (g_str_has_suffix (line, "\r"))
        line[strlen (line) - 1] = '\0';

      if (line[0] == '\0' || line[0] == '#')
        continue;

      eq = strchr (line, '=');
      if (eq == NULL || eq == line)
        {
          g_ptr_array_add (run->notes,
                           g_strdup_printf ("Ignoring output variable line without NAME=: %s",
                                            line));
          continue;
        }

      *eq = '\0';
      g_hash_table_replace (run->variables, g_strdup (line), g_strdup (eq + 1));
    }

  return TRUE;
}

static void
read_command_variables (CommandsRun *run)
{
  for (guint i = 0; run->variable_names != NULL && run->variable_names[i] != NULL; i++)
    {
      const char *name = run->variable_names[i];
      g_autofree char *path = NULL;
      g_autofree char *value = NULL;

      if (!is_shell_name (name))
        continue;

      path = g_build_filename (run->vars_dir, name, NULL);
      if (!g_file_get_contents (path, &value, NULL, NULL))
        {
          /* As CodeBuild exports an unset variable: empty. */
          g_ptr_array_add (run->notes,
                           g_strdup_printf ("Output variable %s was not set by the commands; "
                                            "exporting it empty", name));
          value = g_strdup ("");
        }

      g_hash_table_replace (run->variables, g_strdup (name), g_steal_pointer (&value));
    }
}

static void
collect_worker (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  CommandsRun *run = task_data;
  GError *error = NULL;

  if (run->override)
    {
      if (!read_override_variables (run, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }
  else
    read_command_variables (run);

  for (guint i = 0; i < run->outputs->len; i++)
    {
      Artifact *artifact = g_ptr_array_index (run->outputs, i);

      /* An override may write the zip itself instead of filling the folder. */
      if (run->override && g_file_test (artifact->zip_path, G_FILE_TEST_IS_REGULAR))
        {
          g_ptr_array_add (run->notes,
                           g_strdup_printf ("Output artifact %s: %s, written by the command",
                                            artifact->name, artifact->zip_path));
          continue;
        }

      if (!zip_output (run, artifact, cancellable, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }

  g_task_return_boolean (task, TRUE);
}

static void
collect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  CommandsRun *run = g_task_get_task_data (task);
  GError *error = NULL;
  GHashTableIter iter;
  gpointer key, value;
  g_autofree char *summary = NULL;

  flush_notes (run);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      task_fail_with (task, error);
      return;
    }

  for (guint i = 0; i < run->outputs->len; i++)
    {
      Artifact *artifact = g_ptr_array_index (run->outputs, i);

      pw_action_job_add_output (run->job, artifact->name, artifact->zip_path, NULL);
    }

  g_hash_table_iter_init (&iter, run->variables);
  while (g_hash_table_iter_next (&iter, &key, &value))
    pw_action_job_set_output_variable (run->job, key, value);

  if (run->override)
    summary = g_strdup_printf (_("Ran the local command %s"), run->display);
  else
    summary = g_strdup (run->display);

  pw_action_job_set_summary (run->job, summary);

  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

/* The command ---------------------------------------------------------- */

static void
command_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  CommandsRun *run = g_task_get_task_data (task);
  GError *error = NULL;
  int status = 0;

  if (!pw_command_run_finish (result, &status, &error))
    {
      if (error->domain != PW_ENGINE_ERROR)
        {
          task_fail (task, PW_ENGINE_ERROR_CONFIGURATION, _("Could not run %s: %s"),
                     run->argv[0], error->message);
          g_error_free (error);
          return;
        }

      task_fail_with (task, error);
      return;
    }

  if (status != 0)
    {
      /* The command's last line says why, in one line: more (or the
       * engine's own header lines, for a quiet command) is in the log. */
      g_autofree char *tail = run->log != NULL ? pw_log_dup_tail (run->log, 1) : NULL;

      if (tail != NULL)
        g_strstrip (tail);

      if (run->override)
        task_fail (task, PW_ENGINE_ERROR_FAILED,
                   _("The local command %s exited with status %d: %s"),
                   run->display, status, tail != NULL && tail[0] != '\0' ? tail : "");
      else
        task_fail (task, PW_ENGINE_ERROR_FAILED,
                   _("A command failed with exit status %d: %s"),
                   status, tail != NULL && tail[0] != '\0' ? tail : "");
      return;
    }

  run_worker (task, collect_worker, collect_cb);
}

static void
prepare_worker (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  CommandsRun *run = task_data;
  GError *error = NULL;

  if (g_mkdir_with_parents (run->src_dir, 0755) != 0)
    {
      int errsv = errno;

      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                               _("Could not create %s: %s"), run->src_dir, g_strerror (errsv));
      return;
    }

  for (guint i = 0; i < run->inputs->len; i++)
    {
      Artifact *artifact = g_ptr_array_index (run->inputs, i);

      if (artifact->zip_path == NULL ||
          !pw_artifact_extract (artifact->zip_path, artifact->dir, cancellable, &error))
        {
          if (error == NULL)
            g_set_error (&error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                         _("Input artifact %s has no zip"), artifact->name);
          g_prefix_error (&error, _("Input artifact %s: "), artifact->name);
          g_task_return_error (task, error);
          return;
        }

      g_ptr_array_add (run->notes,
                       g_strdup_printf ("Input artifact %s extracted into %s",
                                        artifact->name, artifact->dir));
    }

  for (guint i = 0; run->override && i < run->outputs->len; i++)
    {
      Artifact *artifact = g_ptr_array_index (run->outputs, i);

      g_mkdir_with_parents (artifact->dir, 0755);
    }

  if (run->vars_dir != NULL)
    g_mkdir_with_parents (run->vars_dir, 0755);

  if (run->script_path != NULL &&
      !g_file_set_contents (run->script_path, run->script, -1, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
prepare_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  CommandsRun *run = g_task_get_task_data (task);
  GError *error = NULL;

  flush_notes (run);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      task_fail_with (task, error);
      return;
    }

  if (run->override)
    log_line (run, "Running the local command for %s: %s", run->action_name, run->display);

  pw_command_run_async ((const char * const *)run->argv,
                        run->cwd,
                        (const char * const *)run->env,
                        NULL,
                        run->log,
                        run->timeout,
                        g_task_get_cancellable (task),
                        command_cb,
                        task);
}

/* Setting up (main thread) ------------------------------------------------ */

static void
add_inputs (CommandsRun *run)
{
  GPtrArray *inputs = pw_action_job_get_inputs (run->job);

  for (guint i = 0; inputs != NULL && i < inputs->len; i++)
    {
      const PwJobArtifact *input = g_ptr_array_index (inputs, i);
      Artifact *artifact = g_new0 (Artifact, 1);
      g_autofree char *suffix = env_suffix (input->name);
      g_autofree char *dir_name = NULL;
      g_autofree char *key = NULL;

      artifact->name = g_strdup (input->name);
      artifact->zip_path = g_strdup (input->zip_path);

      /* The first input is the primary source, as in CodeBuild; the
       * others sit beside it under their own names. */
      if (i == 0)
        artifact->dir = g_strdup (run->src_dir);
      else
        {
          dir_name = g_strdup_printf ("src_%s", input->name);
          artifact->dir = g_build_filename (run->work_dir, dir_name, NULL);
        }

      if (run->override)
        {
          key = g_strdup_printf ("PIPEWRIGHT_INPUT_%s", suffix);
          run->env = g_environ_setenv (run->env, key, artifact->dir, TRUE);
          g_free (key);
          key = g_strdup_printf ("PIPEWRIGHT_INPUT_%s_ZIP", suffix);
          run->env = g_environ_setenv (run->env, key, artifact->zip_path, TRUE);
        }
      else if (i > 0)
        {
          key = g_strdup_printf ("CODEBUILD_SRC_DIR_%s", suffix);
          run->env = g_environ_setenv (run->env, key, artifact->dir, TRUE);
        }

      g_ptr_array_add (run->inputs, artifact);
    }

  if (run->override)
    run->env = g_environ_setenv (run->env, "PIPEWRIGHT_SOURCE_DIR", run->src_dir, TRUE);
  else
    run->env = g_environ_setenv (run->env, "CODEBUILD_SRC_DIR", run->src_dir, TRUE);
}

static char **
dup_string_list (JsonNode *node)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;

  builder = g_strv_builder_new ();
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);

      if (json_node_get_value_type (item) == G_TYPE_STRING)
        g_strv_builder_add (builder, json_node_get_string (item));
    }

  return g_strv_builder_end (builder);
}

static char **
parse_string_list (const char *text)
{
  g_autoptr(JsonNode) root = NULL;

  if (text == NULL || (root = pw_json_parse (text, -1, NULL, NULL)) == NULL)
    return NULL;

  return dup_string_list (root);
}

static void
add_outputs (CommandsRun *run)
{
  PwAction *action = pw_action_job_get_action (run->job);
  const char *output_dir = pw_action_job_get_output_dir (run->job);
  JsonNode *declared = action != NULL
    ? pw_element_get_member (PW_ELEMENT (action), "outputArtifacts") : NULL;
  g_auto(GStrv) names = pw_action_job_dup_output_names (run->job);

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      Artifact *artifact = g_new0 (Artifact, 1);
      g_autofree char *file_name = g_strdup_printf ("%s.zip", names[i]);
      g_autofree char *suffix = env_suffix (names[i]);
      g_autofree char *key = NULL;

      artifact->name = g_strdup (names[i]);
      artifact->zip_path = g_build_filename (output_dir, file_name, NULL);

      if (run->override)
        {
          g_autofree char *dir_name = g_strdup_printf ("out_%s", names[i]);

          artifact->dir = g_build_filename (run->work_dir, dir_name, NULL);
          key = g_strdup_printf ("PIPEWRIGHT_OUTPUT_%s", suffix);
          run->env = g_environ_setenv (run->env, key, artifact->dir, TRUE);
          g_free (key);
          key = g_strdup_printf ("PIPEWRIGHT_OUTPUT_%s_ZIP", suffix);
          run->env = g_environ_setenv (run->env, key, artifact->zip_path, TRUE);
        }
      else
        {
          artifact->dir = g_strdup (run->src_dir);

          if (declared != NULL && JSON_NODE_HOLDS_ARRAY (declared) &&
              i < json_array_get_length (json_node_get_array (declared)))
            {
              JsonNode *item = json_array_get_element (json_node_get_array (declared), i);

              if (JSON_NODE_HOLDS_OBJECT (item))
                artifact->files =
                  dup_string_list (json_object_get_member (json_node_get_object (item), "files"));
            }

          if (artifact->files != NULL && artifact->files[0] == NULL)
            g_clear_pointer (&artifact->files, g_strfreev);

          if (artifact->files == NULL)
            log_line (run, "Output artifact %s lists no files; it will hold the whole source "
                      "folder", artifact->name);
        }

      g_ptr_array_add (run->outputs, artifact);
    }
}

static gboolean
add_environment_variables (CommandsRun  *run,
                           GError      **error)
{
  PwAction *action = pw_action_job_get_action (run->job);
  PwLocalProfile *profile = pw_action_job_get_profile (run->job);
  const char *resolved = pw_action_job_get_config (run->job, "__environmentVariables");
  g_autoptr(JsonNode) parsed = NULL;
  JsonNode *node = NULL;
  JsonArray *array;

  if (resolved != NULL && (parsed = pw_json_parse (resolved, -1, NULL, NULL)) != NULL)
    node = parsed;
  else if (action != NULL)
    node = pw_element_get_member (PW_ELEMENT (action), "environmentVariables");

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return TRUE;

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      JsonObject *object;
      const char *name;
      const char *value;
      const char *type;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        continue;

      object = json_node_get_object (item);
      name = json_object_get_string_member_with_default (object, "name", NULL);
      value = json_object_get_string_member_with_default (object, "value", "");
      type = json_object_get_string_member_with_default (object, "type", "PLAINTEXT");

      if (name == NULL)
        continue;

      if (resolved == NULL && strstr (value, "#{") != NULL)
        log_line (run, "Environment variable %s holds an unresolved variable reference: %s",
                  name, value);

      if (g_strcmp0 (type, "SECRETS_MANAGER") == 0)
        {
          g_autofree char *secret = NULL;

          if (profile == NULL)
            {
              g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                           _("Environment variable %s needs secret '%s', but there is no local "
                             "profile to look it up in"),
                           name, value);
              return FALSE;
            }

          secret = pw_local_profile_lookup_secret (profile, value, error);
          if (secret == NULL)
            return FALSE;

          if (run->log != NULL)
            pw_log_add_secret (run->log, secret);
          run->env = g_environ_setenv (run->env, name, secret, TRUE);
        }
      else
        run->env = g_environ_setenv (run->env, name, value, TRUE);
    }

  return TRUE;
}

static void
add_action_environment (CommandsRun *run)
{
  PwActionJob *job = run->job;
  PwAction *action = pw_action_job_get_action (job);
  PwLocalProfile *profile = pw_action_job_get_profile (job);
  JsonObject *config = pw_action_job_get_configuration (job);
  g_autoptr(JsonObject) visible = json_object_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *config_json = NULL;
  g_autofree char *type = NULL;
  struct {
    const char *key;
    const char *value;
  } vars[] = {
    { "PIPEWRIGHT_PIPELINE", pw_action_job_get_pipeline_name (job) },
    { "PIPEWRIGHT_STAGE", pw_action_job_get_stage_name (job) },
    { "PIPEWRIGHT_ACTION", pw_action_job_get_action_name (job) },
    { "PIPEWRIGHT_EXECUTION_ID", pw_action_job_get_execution_id (job) },
    { "PIPEWRIGHT_ACTION_EXECUTION_ID", pw_action_job_get_action_execution_id (job) },
    { "PIPEWRIGHT_REGION", pw_action_job_get_region (job) },
    { "PIPEWRIGHT_ACCOUNT", pw_action_job_get_account (job) },
    { "PIPEWRIGHT_WORK_DIR", pw_action_job_get_work_dir (job) },
    { "PIPEWRIGHT_OUTPUT_DIR", pw_action_job_get_output_dir (job) },
    { "PIPEWRIGHT_PIPELINE_DIR", pw_action_job_get_pipeline_dir (job) },
    { "PIPEWRIGHT_PROFILE_DIR", profile != NULL ? pw_local_profile_get_base_dir (profile) : NULL },
    { "PIPEWRIGHT_SOURCE_REVISION", pw_action_job_get_source_revision (job) },
  };

  for (guint i = 0; i < G_N_ELEMENTS (vars); i++)
    if (vars[i].value != NULL)
      run->env = g_environ_setenv (run->env, vars[i].key, vars[i].value, TRUE);

  if (action != NULL)
    {
      type = g_strdup_printf ("%s/%s/%s/%s",
                              pw_action_get_category (action),
                              pw_action_get_owner (action),
                              pw_action_get_provider (action),
                              pw_action_get_version (action));
      run->env = g_environ_setenv (run->env, "PIPEWRIGHT_ACTION_TYPE", type, TRUE);
    }

  if (config != NULL)
    {
      JsonObjectIter iter;
      const char *key;
      JsonNode *value;

      json_object_iter_init_ordered (&iter, config);
      while (json_object_iter_next_ordered (&iter, &key, &value))
        {
          g_autofree char *suffix = NULL;
          g_autofree char *name = NULL;

          if (g_str_has_prefix (key, "__"))
            continue;

          json_object_set_member (visible, key, json_node_copy (value));

          if (json_node_get_value_type (value) != G_TYPE_STRING)
            continue;

          suffix = env_suffix (key);
          name = g_strdup_printf ("PIPEWRIGHT_CONFIG_%s", suffix);
          run->env = g_environ_setenv (run->env, name, json_node_get_string (value), TRUE);
        }
    }

  json_node_set_object (root, visible);
  json_generator_set_root (generator, root);
  config_json = json_generator_to_data (generator, NULL);
  run->env = g_environ_setenv (run->env, "PIPEWRIGHT_CONFIGURATION", config_json, TRUE);

  if (run->override)
    run->env = g_environ_setenv (run->env, "PIPEWRIGHT_OUTPUT_VARIABLES", run->vars_file, TRUE);
}

/* `./deploy.sh` in the profile means the script beside the profile, yet
 * the command runs in the work folder; so a leading relative program path
 * is made absolute when that file exists. */
static char *
resolve_run (PwLocalProfile *profile,
             const char     *command)
{
  g_auto(GStrv) argv = NULL;
  g_autofree char *path = NULL;
  g_autofree char *quoted = NULL;
  const char *start = command;
  gsize len;

  while (g_ascii_isspace (*start))
    start++;

  if (!g_str_has_prefix (start, "./") && !g_str_has_prefix (start, "../"))
    return g_strdup (command);

  if (!g_shell_parse_argv (start, NULL, &argv, NULL))
    return g_strdup (command);

  /* Only a plain word can be swapped without re-quoting the rest. */
  len = strlen (argv[0]);
  if (strncmp (start, argv[0], len) != 0 ||
      (start[len] != '\0' && !g_ascii_isspace (start[len]) && start[len] != ';'))
    return g_strdup (command);

  path = pw_local_profile_resolve_path (profile, argv[0]);
  if (path == NULL || !g_file_test (path, G_FILE_TEST_EXISTS))
    return g_strdup (command);

  quoted = g_shell_quote (path);

  return g_strconcat (quoted, start + len, NULL);
}

static gboolean
setup_override (CommandsRun  *run,
                JsonObject   *entry,
                GError      **error)
{
  PwLocalProfile *profile = pw_action_job_get_profile (run->job);
  const char *command = json_object_get_string_member_with_default (entry, "run", NULL);
  const char *shell = json_object_get_string_member_with_default (entry, "shell", "sh");
  g_autofree char *resolved = NULL;

  if (command == NULL || command[0] == '\0')
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   _("The local profile's commands entry for '%s' has no run command "
                     "(commands: {%s: {run: ./script.sh}})"),
                   run->action_name, run->action_name);
      return FALSE;
    }

  resolved = resolve_run (profile, command);

  run->display = g_strdup (command);
  run->argv = g_new0 (char *, 4);
  run->argv[0] = g_strdup (shell != NULL && shell[0] != '\0' ? shell : "sh");
  run->argv[1] = g_strdup ("-c");
  run->argv[2] = g_steal_pointer (&resolved);
  run->cwd = g_strdup (run->work_dir);
  run->vars_file = g_build_filename (run->work_dir, "output-variables.env", NULL);

  add_inputs (run);
  add_outputs (run);
  add_action_environment (run);

  return TRUE;
}

static char *
build_script (CommandsRun *run,
              char       **commands)
{
  GString *script = g_string_new (NULL);
  GString *trap = g_string_new (NULL);
  g_autofree char *quoted_trap = NULL;

  g_string_append (script, "# Written by Pipewright for a Commands action; runs with sh -e.\n");

  /* The variables are read when the session ends, however it ends (even
   * by an `exit` among the commands); set but unexported ones count too. */
  for (guint i = 0; run->variable_names != NULL && run->variable_names[i] != NULL; i++)
    {
      const char *name = run->variable_names[i];
      g_autofree char *path = NULL;
      g_autofree char *quoted_path = NULL;

      if (!is_shell_name (name))
        {
          log_line (run, "Output variable '%s' is not a shell variable name; skipped", name);
          continue;
        }

      path = g_build_filename (run->vars_dir, name, NULL);
      quoted_path = g_shell_quote (path);
      g_string_append_printf (trap,
                              "if [ \"${%s+set}\" = set ]; then printf '%%s' \"$%s\" > %s; fi; ",
                              name, name, quoted_path);
    }

  if (trap->len > 0)
    {
      quoted_trap = g_shell_quote (trap->str);
      g_string_append_printf (script, "trap %s EXIT\n", quoted_trap);
    }

  for (guint i = 0; commands[i] != NULL; i++)
    {
      g_autofree char *banner = g_strdup_printf ("Running command: %s", commands[i]);
      g_autofree char *quoted = g_shell_quote (banner);

      g_string_append_printf (script, "printf '%%s\\n' %s\n%s\n", quoted, commands[i]);
    }

  g_string_free (trap, TRUE);

  return g_string_free (script, FALSE);
}

static gboolean
setup_commands (CommandsRun  *run,
                GError      **error)
{
  PwAction *action = pw_action_job_get_action (run->job);
  g_auto(GStrv) commands = NULL;
  const char *resolved = pw_action_job_get_config (run->job, "__commands");

  if (resolved != NULL)
    commands = parse_string_list (resolved);

  if (commands == NULL && action != NULL)
    {
      commands = dup_string_list (pw_element_get_member (PW_ELEMENT (action), "commands"));

      for (guint i = 0; commands != NULL && commands[i] != NULL; i++)
        if (strstr (commands[i], "#{") != NULL)
          log_line (run, "Command %u holds a variable reference that was not resolved: %s",
                    i + 1, commands[i]);
    }

  if (commands == NULL || commands[0] == NULL)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   _("Commands action '%s' has no commands to run"), run->action_name);
      return FALSE;
    }

  if (action != NULL)
    run->variable_names = dup_string_list (pw_element_get_member (PW_ELEMENT (action),
                                                                  "outputVariables"));

  run->vars_dir = g_build_filename (run->work_dir, "output-variables", NULL);
  run->script_path = g_build_filename (run->work_dir, "commands.sh", NULL);
  run->script = build_script (run, commands);
  run->display = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                               "Ran %u command", "Ran %u commands",
                                               g_strv_length (commands)),
                                  g_strv_length (commands));

  run->argv = g_new0 (char *, 4);
  run->argv[0] = g_strdup ("sh");
  run->argv[1] = g_strdup ("-e");
  run->argv[2] = g_strdup (run->script_path);
  run->cwd = g_strdup (run->src_dir);

  add_inputs (run);
  add_outputs (run);
  add_action_environment (run);

  return add_environment_variables (run, error);
}

static void
pw_commands_provider_run_async (PwProvider          *provider,
                                PwActionJob         *job,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(CommandsRun) run = g_new0 (CommandsRun, 1);
  g_autoptr(GError) error = NULL;
  PwLocalProfile *profile = pw_action_job_get_profile (job);
  PwAction *action = pw_action_job_get_action (job);
  JsonObject *entry = NULL;
  gboolean ok;

  task = g_task_new (provider, cancellable, callback, user_data);
  g_task_set_source_tag (task, pw_commands_provider_run_async);

  run->job = g_object_ref (job);
  if (pw_action_job_get_log (job) != NULL)
    run->log = g_object_ref (pw_action_job_get_log (job));
  run->inputs = g_ptr_array_new_with_free_func (artifact_free);
  run->outputs = g_ptr_array_new_with_free_func (artifact_free);
  run->notes = g_ptr_array_new_with_free_func (g_free);
  run->variables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  run->action_name = g_strdup (pw_action_job_get_action_name (job));
  run->work_dir = g_strdup (pw_action_job_get_work_dir (job));
  run->env = pw_action_job_dup_environment (job);
  if (run->env == NULL)
    run->env = g_get_environ ();
  run->timeout = pw_action_job_get_timeout (job) != 0 ? pw_action_job_get_timeout (job)
                                                      : COMMANDS_TIMEOUT_SECONDS;

  if (run->work_dir == NULL || pw_action_job_get_output_dir (job) == NULL)
    {
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                               _("The job of action '%s' has no work or output folder"),
                               run->action_name);
      return;
    }

  run->src_dir = g_build_filename (run->work_dir, "src", NULL);

  if (profile != NULL && run->action_name != NULL)
    entry = pw_local_profile_get_entry (profile, "commands", run->action_name);

  if (entry != NULL)
    {
      run->override = TRUE;
      ok = setup_override (run, entry, &error);
    }
  else if (action != NULL && g_strcmp0 (pw_action_get_category (action), "Compute") == 0)
    ok = setup_commands (run, &error);
  else
    {
      g_set_error (&error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   _("Action '%s' is neither a Commands action nor mapped to a command in the "
                     "local profile"),
                   run->action_name);
      ok = FALSE;
    }

  if (!ok)
    {
      log_line (run, "%s", error->message);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_set_task_data (task, g_steal_pointer (&run), (GDestroyNotify)commands_run_free);
  run_worker (g_steal_pointer (&task), prepare_worker, prepare_cb);
}

static gboolean
pw_commands_provider_run_finish (PwProvider    *provider,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
pw_commands_provider_iface_init (PwProviderInterface *iface)
{
  iface->run_async = pw_commands_provider_run_async;
  iface->run_finish = pw_commands_provider_run_finish;
}

static void
pw_commands_provider_class_init (PwCommandsProviderClass *klass)
{
}

static void
pw_commands_provider_init (PwCommandsProvider *self)
{
}

/**
 * pw_commands_provider_new:
 *
 * Runs shell commands for two kinds of action.
 *
 * A Compute/AWS/Commands action: its `commands` (resolved, from the
 * configuration key `__commands` when the executor provides it) run in one
 * `sh -e` session in `<work_dir>/src`, where the first input artifact is
 * extracted (the others go to `<work_dir>/src_<Name>`, exposed as
 * `CODEBUILD_SRC_DIR_<Name>`; the first is `CODEBUILD_SRC_DIR`). Its
 * `environmentVariables` are set (SECRETS_MANAGER values come from the
 * profile and are masked in the log), its `outputVariables` are read from
 * the shell when the session ends, and its output artifact zips the files
 * its `files` globs match under `src`.
 *
 * Any action with a `commands.<ActionName>: {run, shell}` entry in the
 * local profile: `<shell> -c <run>` runs in the work folder with the inputs
 * extracted as above, and with this environment:
 *
 * - `PIPEWRIGHT_PIPELINE`, `_STAGE`, `_ACTION`, `_ACTION_TYPE`
 *   (`Category/Owner/Provider/Version`), `_EXECUTION_ID`,
 *   `_ACTION_EXECUTION_ID`, `_REGION`, `_ACCOUNT`, `_SOURCE_REVISION`;
 * - `PIPEWRIGHT_CONFIGURATION` (the resolved configuration as JSON) and
 *   `PIPEWRIGHT_CONFIG_<Key>` for each of its keys;
 * - `PIPEWRIGHT_WORK_DIR`, `_OUTPUT_DIR`, `_PIPELINE_DIR`, `_PROFILE_DIR`;
 * - `PIPEWRIGHT_SOURCE_DIR` (the first input), `PIPEWRIGHT_INPUT_<Name>`
 *   (its folder) and `PIPEWRIGHT_INPUT_<Name>_ZIP` (its zip);
 * - `PIPEWRIGHT_OUTPUT_<Name>`, a folder whose files become output artifact
 *   <Name>, unless the command writes `PIPEWRIGHT_OUTPUT_<Name>_ZIP` itself;
 * - `PIPEWRIGHT_OUTPUT_VARIABLES`, a file where `NAME=value` lines become
 *   the action's output variables.
 *
 * Success is exit status 0. In names, characters other than letters,
 * digits and `_` become `_`.
 *
 * Returns: (transfer full): a new provider
 */
PwProvider *
pw_commands_provider_new (void)
{
  return g_object_new (PW_TYPE_COMMANDS_PROVIDER, NULL);
}
