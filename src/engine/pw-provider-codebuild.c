/* pw-provider-codebuild.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-provider-codebuild"

#include "config.h"

#include <unistd.h>

#include <fcntl.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "pw-engine.h"
#include "pw-engine-private.h"

/* CodeBuild run locally: the inputs are extracted into a fresh folder, the
 * buildspec's phases run with CodeBuild's environment and transitions, and
 * the artifacts, reports and cache are collected as CodeBuild would.
 *
 * The shell session. CodeBuild (0.2) runs the commands of a build as if in
 * one shell: `cd` and `export` in one command hold for the next ones and
 * for later phases, yet `exit 1` in a command fails that command only.
 * We get there by running every command in a new shell that first
 * restores the variables and folder the previous command left: each
 * command is its own process (`<shell> runner.sh <state> <command file>`,
 * through pw_command_run_async, so its output goes to the log as it
 * comes, it has the build's remaining time as its timeout, and a stop
 * kills its whole process group). The runner sources `vars.sh`, the
 * session's unexported shell variables, and `env.sh`, its exported ones,
 * runs the command with `.` in that shell, and on the way out, also after
 * `exit` or a `set -e` failure, writes `export -p` back to `env.sh`, `set`
 * to `vars.raw` (which update_vars turns into the next vars.sh) and `pwd`
 * to `cwd`. The process starts with an empty environment, so what env.sh
 * says is exactly the session's environment and `unset` lasts too.
 * Functions, aliases and `set` options last for one command only.
 * Version 0.1 buildspecs get the first env.sh and the source folder for
 * every command, which is what 0.1 means. */

#define DEFAULT_TIMEOUT_SECONDS  (8 * 60 * 60)
#define DEFAULT_IMAGE            "aws/codebuild/standard:7.0"
#define DEFAULT_REGION           "us-east-1"
#define DEFAULT_ACCOUNT          "123456789012"
/* Report summaries list at most this many failed tests. */
#define MAX_REPORTED_FAILURES    100
/* A JUnit report larger than this is not read. */
#define MAX_REPORT_BYTES (64 * 1024 * 1024)
/* The log line summarising a report group names this many failures. */
#define MAX_LOGGED_FAILURES      5
/* The most of a command the summary quotes. */
#define SUMMARY_COMMAND_CHARS    80

struct _PwCodebuildProvider
{
  GObject parent_instance;
};

typedef struct
{
  char *name;
  char *zip_path;
  char *revision;
  char *dir;
} Input;

typedef struct
{
  /* Owned references */
  PwActionJob        *job;
  PwLog              *log;
  PwLocalProfile     *profile;
  GCancellable       *cancellable;
  PwBuildspec        *spec;
  /* What CodeBuild's container is: every command runs in it, and what
   * they leave running ends with it. NULL when none could be made. */
  PwContainer        *container;

  /* Copied from the job on the main thread, for the worker threads */
  char               *project;
  char               *work_dir;
  char               *src_dir;
  char               *state_dir;
  char               *output_dir;
  char               *cache_dir;
  GPtrArray          *inputs;
  Input              *primary;
  GStrv               output_names;
  char               *profile_buildspec;
  char               *profile_buildspec_path;
  char               *buildspec_path;

  char               *uuid;
  char               *build_id;
  guint64             build_number;
  gint64              start_time_ms;

  /* The session */
  char               *shell;
  char               *runner;
  char               *env_file;
  char               *vars_file;
  char               *vars_raw_file;
  char               *cwd_file;
  char               *first_env;
  char               *cwd;
  gboolean            fresh_shell_per_command;
  GHashTable         *secret_names;
  GHashTable         *buildspec_secret_names;
  gint64              deadline;
  guint               timeout_seconds;

  /* Where the build is */
  PwBuildspecPhaseId  phase;
  gboolean            in_finally;
  gboolean            finally_stopped;
  guint               index;
  guint               n_commands;
  char               *command;
  gboolean            phase_failed;
  char               *phase_reason;
  gboolean            succeeding;
  gboolean            phases_started;
  gboolean            build_reached;
  gboolean            aborted;
  char               *failure;
  /* Set when the build ends early: bad configuration, timeout, stop */
  GError             *final_error;
  gboolean            error_logged;   /* a phase context line already gave it */

  /* What the worker threads found, for the main thread to log and set */
  GPtrArray          *notes;
  GPtrArray          *outputs;
  JsonNode           *report;
  GHashTable         *exported_values;
  GError             *upload_error;
} Build;

typedef struct
{
  char *name;
  char *zip_path;
} Output;

static void provider_iface_init (PwProviderInterface *iface);

G_DECLARE_FINAL_TYPE (PwCodebuildProvider, pw_codebuild_provider, PW, CODEBUILD_PROVIDER, GObject)
G_DEFINE_FINAL_TYPE_WITH_CODE (PwCodebuildProvider, pw_codebuild_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PW_TYPE_PROVIDER, provider_iface_init))

static void run_phase        (GTask *task);
static void run_next_command (GTask *task);
static void finish_phases    (GTask *task);
static void start_finalize   (GTask *task);

static void
input_free (gpointer data)
{
  Input *input = data;

  g_free (input->name);
  g_free (input->zip_path);
  g_free (input->revision);
  g_free (input->dir);
  g_free (input);
}

static void
output_free (gpointer data)
{
  Output *output = data;

  g_free (output->name);
  g_free (output->zip_path);
  g_free (output);
}

static void
build_free (gpointer data)
{
  Build *build = data;

  g_clear_object (&build->job);
  g_clear_object (&build->log);
  g_clear_object (&build->profile);
  g_clear_object (&build->cancellable);
  g_clear_pointer (&build->spec, pw_buildspec_unref);
  g_clear_pointer (&build->container, _pw_container_unref);
  g_free (build->project);
  g_free (build->work_dir);
  g_free (build->src_dir);
  g_free (build->state_dir);
  g_free (build->output_dir);
  g_free (build->cache_dir);
  g_clear_pointer (&build->inputs, g_ptr_array_unref);
  g_strfreev (build->output_names);
  g_free (build->profile_buildspec);
  g_free (build->profile_buildspec_path);
  g_free (build->buildspec_path);
  g_free (build->uuid);
  g_free (build->build_id);
  g_free (build->shell);
  g_free (build->runner);
  g_free (build->env_file);
  g_free (build->vars_file);
  g_free (build->vars_raw_file);
  g_free (build->cwd_file);
  g_free (build->first_env);
  g_free (build->cwd);
  g_clear_pointer (&build->secret_names, g_hash_table_unref);
  g_clear_pointer (&build->buildspec_secret_names, g_hash_table_unref);
  g_free (build->command);
  g_free (build->phase_reason);
  g_free (build->failure);
  g_clear_pointer (&build->notes, g_ptr_array_unref);
  g_clear_pointer (&build->outputs, g_ptr_array_unref);
  g_clear_pointer (&build->report, json_node_unref);
  g_clear_pointer (&build->exported_values, g_hash_table_unref);
  g_clear_error (&build->upload_error);
  g_clear_error (&build->final_error);
  g_free (build);
}

/* Logging ------------------------------------------------------------------- */

/* CodeBuild's own lines look like `[Container] 2026/11/22 10:00:00.123456
 * Running command make`; users grep their logs for them. */
static void
container_log (Build      *build,
               const char *format,
               ...) G_GNUC_PRINTF (2, 3);

static void
container_log (Build      *build,
               const char *format,
               ...)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y/%m/%d %H:%M:%S.%f");
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  pw_log_printf (build->log, "[Container] %s %s", stamp, text);
}

/* Worker threads never touch the log (its `line` signal reaches the UI);
 * they leave notes that the main thread writes when they are done. */
static void
note (Build      *build,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static void
note (Build      *build,
      const char *format,
      ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (build->notes, g_strdup_vprintf (format, args));
  va_end (args);
}

static void
flush_notes (Build *build)
{
  for (guint i = 0; i < build->notes->len; i++)
    container_log (build, "%s", (const char *)g_ptr_array_index (build->notes, i));
  g_ptr_array_set_size (build->notes, 0);
}

static char *
short_command (const char *command)
{
  g_autofree char *line = NULL;
  const char *newline = strchr (command, '\n');
  gboolean cut;

  line = newline != NULL ? g_strndup (command, newline - command) : g_strdup (command);
  cut = newline != NULL && newline[strspn (newline, " \t\n")] != '\0';

  if (g_utf8_strlen (line, -1) > SUMMARY_COMMAND_CHARS)
    {
      g_autofree char *head = g_utf8_substring (line, 0, SUMMARY_COMMAND_CHARS - 1);

      g_free (line);
      line = g_steal_pointer (&head);
      cut = TRUE;
    }

  return cut ? g_strconcat (line, "…", NULL) : g_steal_pointer (&line);
}

/* Small file helpers ---------------------------------------------------------- */

static gboolean
write_private_file (const char  *path,
                    const char  *contents,
                    GError     **error)
{
  /* These files live only in the build's scratch folder: no rename dance
   * and no fsync (GLib's CONSISTENT mode fsyncs, ~2 ms a file, several
   * files an action). O_TRUNC because they are rewritten between
   * commands. */
  gsize length = strlen (contents), done = 0;
  int fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot write %s: %s", path, g_strerror (saved));
      return FALSE;
    }

  while (done < length)
    {
      gssize n = write (fd, contents + done, length - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = errno;
          close (fd);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "Cannot write %s: %s", path, g_strerror (saved));
          return FALSE;
        }
      done += n;
    }

  if (close (fd) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot write %s: %s", path, g_strerror (saved));
      return FALSE;
    }

  return TRUE;
}

static gboolean
append_to_file (const char  *path,
                const char  *text,
                GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileOutputStream) stream = NULL;

  stream = g_file_append_to (file, G_FILE_CREATE_PRIVATE, NULL, error);
  if (stream == NULL)
    return FALSE;

  return g_output_stream_write_all (G_OUTPUT_STREAM (stream), text, strlen (text),
                                    NULL, NULL, error) &&
         g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, error);
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

static void
append_shell_quoted (GString    *out,
                     const char *text)
{
  g_string_append_c (out, '\'');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\'')
        g_string_append (out, "'\\''");
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '\'');
}

static char *
find_in_path (const char         *program,
              const char * const *envp)
{
  const char *path = g_environ_getenv ((char **)envp, "PATH");
  g_auto(GStrv) dirs = NULL;

  if (path == NULL)
    return g_find_program_in_path (program);

  dirs = g_strsplit (path, ":", -1);
  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autofree char *candidate = g_build_filename (dirs[i][0] != '\0' ? dirs[i] : ".",
                                                     program, NULL);

      if (g_path_is_absolute (candidate) &&
          g_file_test (candidate, G_FILE_TEST_IS_EXECUTABLE) &&
          !g_file_test (candidate, G_FILE_TEST_IS_DIR))
        return g_steal_pointer (&candidate);
    }

  return NULL;
}

static char *
scalar_to_string (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));

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

static gboolean
has_wildcards (const char *pattern)
{
  for (const char *p = pattern; *p != '\0'; p++)
    {
      if (*p == '\\' && p[1] != '\0')
        p++;
      else if (strchr ("*?[{", *p) != NULL)
        return TRUE;
    }

  return FALSE;
}

/* Preparing: sources, buildspec, build number, cache (worker thread) ---------- */

static gboolean
extract_inputs (Build         *build,
                GCancellable  *cancellable,
                GError       **error)
{
  for (guint i = 0; i < build->inputs->len; i++)
    {
      Input *input = g_ptr_array_index (build->inputs, i);
      g_autoptr(GError) local_error = NULL;

      if (input->zip_path == NULL || !g_file_test (input->zip_path, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                       "Input artifact %s is missing (%s)", input->name,
                       input->zip_path != NULL ? input->zip_path : "no file");
          return FALSE;
        }

      if (g_mkdir_with_parents (input->dir, 0755) != 0 ||
          !pw_artifact_extract (input->zip_path, input->dir, cancellable, &local_error))
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                       "Cannot extract input artifact %s: %s", input->name,
                       local_error != NULL ? local_error->message : g_strerror (errno));
          return FALSE;
        }

      note (build, "Extracted input artifact %s into %s", input->name, input->dir);
    }

  return TRUE;
}

/* Which buildspec: `buildspec.yml` at the root of the primary source, or
 * the profile's `codebuild.<ProjectName>.buildspec`. That value is inline
 * YAML when it holds a newline (as a project's buildspec may be). A path
 * is relative to the primary source first, as CodeBuild reads a project's
 * buildspec path; when no such file is there, it is taken relative to the
 * profile's folder, so a buildspec kept for local runs beside
 * pipewright.local.yml needs no absolute path. */
static PwBuildspec *
load_buildspec (Build   *build,
                GError **error)
{
  const char *value = build->profile_buildspec;
  g_autofree char *candidate = NULL;

  if (value != NULL && strchr (value, '\n') != NULL)
    {
      note (build, "YAML location is the inline buildspec of codebuild.%s in the local profile",
            build->project);
      return pw_buildspec_parse (value, -1, "inline-buildspec.yml", error);
    }

  if (value == NULL)
    {
      build->buildspec_path = g_build_filename (build->src_dir, "buildspec.yml", NULL);
      if (!g_file_test (build->buildspec_path, G_FILE_TEST_IS_REGULAR))
        {
          g_autofree char *which = build->primary != NULL
                                   ? g_strdup_printf (" (input artifact %s)", build->primary->name)
                                   : g_strdup (" (the action has no input artifact)");

          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                       "buildspec.yml was not found at the root of the primary "
                       "source%s; add it there, or name another file (or inline YAML) with "
                       "codebuild.%s.buildspec in pipewright.local.yml", which, build->project);
          return NULL;
        }

      /* Said, so a test action that meant its own buildspec (a typo in
       * the profile) does not pass as the build's. */
      if (build->profile == NULL ||
          pw_local_profile_get_entry (build->profile, "codebuild", build->project) == NULL)
        {
          g_auto(GStrv) mapped = build->profile != NULL
            ? pw_local_profile_dup_names (build->profile, "codebuild") : NULL;
          const char *meant = mapped != NULL
            ? pw_suggest_word (build->project, (const char * const *)mapped) : NULL;

          if (meant != NULL)
            note (build, "No codebuild.%s in pipewright.local.yml (did you mean codebuild.%s?): "
                  "using buildspec.yml at the source root, as CodeBuild's default",
                  build->project, meant);
          else
            note (build, "No codebuild.%s in pipewright.local.yml: using buildspec.yml at the "
                  "source root, as CodeBuild's default", build->project);
        }
      note (build, "YAML location is %s", build->buildspec_path);
      return pw_buildspec_load (build->buildspec_path, "buildspec.yml", error);
    }

  if (g_path_is_absolute (value))
    candidate = g_strdup (value);
  else
    {
      candidate = g_canonicalize_filename (value, build->src_dir);
      if (!g_file_test (candidate, G_FILE_TEST_IS_REGULAR) &&
          build->profile_buildspec_path != NULL)
        {
          g_free (candidate);
          candidate = g_strdup (build->profile_buildspec_path);
        }
    }

  if (!g_file_test (candidate, G_FILE_TEST_IS_REGULAR))
    {
      if (g_path_is_absolute (value))
        g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                     "the buildspec %s named by codebuild.%s.buildspec in "
                     "pipewright.local.yml does not exist", value, build->project);
      else
        g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                     "the buildspec %s named by codebuild.%s.buildspec in "
                     "pipewright.local.yml is neither in the primary source nor beside the "
                     "profile (%s)", value, build->project,
                     build->profile_buildspec_path != NULL ? build->profile_buildspec_path : "");
      return NULL;
    }

  build->buildspec_path = g_steal_pointer (&candidate);
  note (build, "YAML location is %s", build->buildspec_path);

  return pw_buildspec_load (build->buildspec_path,
                            g_str_has_prefix (build->buildspec_path, build->src_dir) &&
                            build->buildspec_path[strlen (build->src_dir)] == '/'
                            ? build->buildspec_path + strlen (build->src_dir) + 1
                            : build->buildspec_path,
                            error);
}

/* CODEBUILD_BUILD_NUMBER counts the builds kept in this cache folder. */
static guint64
next_build_number (Build *build)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *text = NULL;
  guint64 number = 0;

  if (build->cache_dir == NULL)
    return 1;

  g_mkdir_with_parents (build->cache_dir, 0755);
  path = g_build_filename (build->cache_dir, "build-number", NULL);
  if (g_file_get_contents (path, &contents, NULL, NULL))
    number = g_ascii_strtoull (contents, NULL, 10);

  number++;
  text = g_strdup_printf ("%" G_GUINT64_FORMAT "\n", number);
  /* Replaced whole, so a parallel build never reads half a number, but
   * not synced: a power cut may cost a number, and the two fsyncs cost
   * 2-4 ms before every build's first command. */
  if (!_pw_state_replace_file (path, text, strlen (text), NULL))
    g_debug ("Cannot store the build number in %s", path);

  return number;
}

static char *
cache_zip_path (Build *build)
{
  return g_build_filename (build->cache_dir, "cache.zip", NULL);
}

static void
restore_cache (Build        *build,
               GCancellable *cancellable)
{
  g_autofree char *zip = NULL;
  g_autoptr(GError) error = NULL;

  if (pw_buildspec_get_cache_paths (build->spec) == NULL || build->cache_dir == NULL)
    return;

  zip = cache_zip_path (build);
  if (!g_file_test (zip, G_FILE_TEST_IS_REGULAR))
    {
      note (build, "No cache to restore yet");
      return;
    }

  if (!pw_artifact_extract (zip, build->src_dir, cancellable, &error))
    note (build, "Cannot restore the cache, building without it: %s", error->message);
  else
    note (build, "Restored the cache from %s", zip);
}

static gboolean
make_session_dir (Build *build)
{
  const char *base = _pw_session_base_dir ();

  if (base != NULL)
    {
      g_autofree char *template = g_strdup_printf ("%s/" PW_SESSION_PREFIX "%d-XXXXXX", base,
                                                   (int)getpid ());

      if (g_mkdtemp_full (template, 0700) != NULL)
        {
          build->state_dir = g_steal_pointer (&template);
          return TRUE;
        }
    }

  build->state_dir = g_build_filename (build->work_dir, ".codebuild", NULL);

  return g_mkdir_with_parents (build->state_dir, 0700) == 0;
}

static void
prepare_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Build *build = task_data;
  GError *error = NULL;

  if (g_mkdir_with_parents (build->src_dir, 0755) != 0 || !make_session_dir (build))
    {
      int saved_errno = errno;

      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                               "Cannot create the build folders in %s: %s",
                               build->work_dir, g_strerror (saved_errno));
      return;
    }

  /* The session's env.sh holds the build's secrets: it goes with the
   * container, also when the runner is killed. */
  if (build->container != NULL)
    _pw_container_remove_on_close (build->container, build->state_dir);

  if (!extract_inputs (build, build->cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  build->spec = load_buildspec (build, &error);
  if (build->spec == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  build->build_number = next_build_number (build);
  restore_cache (build, build->cancellable);

  g_task_return_boolean (task, TRUE);
}

/* Environment ----------------------------------------------------------------- */

static void
remember_secret (Build      *build,
                 const char *name,
                 const char *value)
{
  pw_log_add_secret (build->log, value);
  g_hash_table_add (build->secret_names, g_strdup (name));
}

static char **
set_variable (Build      *build,
              char      **env,
              const char *name,
              const char *value)
{
  g_hash_table_remove (build->secret_names, name);
  g_hash_table_remove (build->buildspec_secret_names, name);
  return g_environ_setenv (env, name, value, TRUE);
}

static char **
add_buildspec_variables (Build   *build,
                         char   **env,
                         GError **error)
{
  GPtrArray *variables = pw_buildspec_get_variables (build->spec);

  for (guint i = 0; i < variables->len; i++)
    {
      PwBuildspecVariable *variable = g_ptr_array_index (variables, i);
      g_autoptr(GError) local_error = NULL;
      g_autofree char *value = NULL;

      if (variable->type == PW_BUILDSPEC_VARIABLE_PLAINTEXT)
        {
          env = set_variable (build, env, variable->name, variable->value);
          continue;
        }

      value = pw_local_profile_lookup_secret (build->profile, variable->value, &local_error);
      if (value == NULL)
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                       "%s:%u:%u: env.%s.%s: %s", pw_buildspec_get_filename (build->spec),
                       variable->line, variable->column,
                       variable->type == PW_BUILDSPEC_VARIABLE_PARAMETER_STORE ?
                       "parameter-store" : "secrets-manager",
                       variable->name, local_error->message);
          g_strfreev (env);
          return NULL;
        }

      env = set_variable (build, env, variable->name, value);
      /* Masked in the log; unlike the project's (here the action's)
       * secrets, CodeBuild lets the buildspec export these. */
      pw_log_add_secret (build->log, value);
      g_hash_table_add (build->buildspec_secret_names, g_strdup (variable->name));
    }

  return env;
}

static char **
add_profile_variables (Build  *build,
                       char  **env)
{
  JsonObject *entry = pw_local_profile_get_entry (build->profile, "codebuild", build->project);
  JsonNode *environment;
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  if (entry == NULL)
    return env;

  environment = json_object_get_member (entry, "environment");
  if (environment == NULL || !JSON_NODE_HOLDS_OBJECT (environment))
    return env;

  json_object_iter_init_ordered (&iter, json_node_get_object (environment));
  while (json_object_iter_next_ordered (&iter, &name, &value))
    {
      g_autofree char *text = scalar_to_string (value);

      if (text != NULL)
        env = set_variable (build, env, name, text);
    }

  return env;
}

/* The action's `EnvironmentVariables`: a JSON array, serialised into one
 * string, of {name, value, type}. */
static char **
add_action_variables (Build   *build,
                      char   **env,
                      GError **error)
{
  const char *text = pw_action_job_get_config (build->job, "EnvironmentVariables");
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonArray *array;

  if (text == NULL || text[0] == '\0')
    return env;

  /* Variables of earlier actions are resolved into it: bounded reader. */
  root = pw_json_parse (text, -1, NULL, &local_error);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   "EnvironmentVariables must be a JSON array of {\"name\", \"value\", \"type\"} "
                   "objects%s%s", local_error != NULL ? ": " : "",
                   local_error != NULL ? local_error->message : "");
      g_strfreev (env);
      return NULL;
    }

  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;
      g_autofree char *type = NULL;
      JsonObject *object;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                       "EnvironmentVariables[%u] must be an object with name, value and type", i);
          g_strfreev (env);
          return NULL;
        }

      object = json_node_get_object (element);
      name = scalar_to_string (json_object_get_member (object, "name"));
      value = scalar_to_string (json_object_get_member (object, "value"));
      type = scalar_to_string (json_object_get_member (object, "type"));

      if (name == NULL || name[0] == '\0' || strchr (name, '=') != NULL)
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                       "EnvironmentVariables[%u] needs a \"name\"", i);
          g_strfreev (env);
          return NULL;
        }

      if (value == NULL)
        value = g_strdup ("");

      if (type == NULL || g_str_equal (type, "PLAINTEXT"))
        env = set_variable (build, env, name, value);
      else if (g_str_equal (type, "PARAMETER_STORE") || g_str_equal (type, "SECRETS_MANAGER"))
        {
          g_autofree char *secret = NULL;

          secret = pw_local_profile_lookup_secret (build->profile, value, &local_error);
          if (secret == NULL)
            {
              g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                           "EnvironmentVariables %s (%s): %s", name, type, local_error->message);
              g_strfreev (env);
              return NULL;
            }

          env = set_variable (build, env, name, secret);
          remember_secret (build, name, secret);
        }
      else
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                       "EnvironmentVariables %s has type '%s'; use PLAINTEXT, PARAMETER_STORE "
                       "or SECRETS_MANAGER", name, type);
          g_strfreev (env);
          return NULL;
        }
    }

  return env;
}

/* The build's environment, lowest precedence first: the job's (the user's
 * plus the profile's), what CodeBuild sets, the buildspec's `env`, the
 * profile's codebuild.<ProjectName>.environment, the action's
 * EnvironmentVariables. HOME stays the user's: CodeBuild's /root is the
 * home of the container's root user, and locally the build runs as the
 * user, whose tools need their own configuration and caches. */
static char **
build_environment (Build   *build,
                   GError **error)
{
  char **env = pw_action_job_dup_environment (build->job);
  const char *region = pw_action_job_get_region (build->job);
  const char *account = pw_action_job_get_account (build->job);
  const char *pipeline = pw_action_job_get_pipeline_name (build->job);
  const char *image = pw_local_profile_get_string (build->profile, "codebuild",
                                                   build->project, "image");
  g_autofree char *arn = NULL;
  g_autofree char *number = NULL;
  g_autofree char *start = NULL;
  g_autofree char *initiator = NULL;
  g_autofree char *kms = NULL;

  if (region == NULL)
    region = pw_local_profile_get_region (build->profile);
  if (region == NULL)
    region = DEFAULT_REGION;
  if (account == NULL)
    account = pw_local_profile_get_account (build->profile);
  if (account == NULL)
    account = DEFAULT_ACCOUNT;

  arn = g_strdup_printf ("arn:aws:codebuild:%s:%s:build/%s", region, account, build->build_id);
  number = g_strdup_printf ("%" G_GUINT64_FORMAT, build->build_number);
  start = g_strdup_printf ("%" G_GINT64_FORMAT, build->start_time_ms);
  initiator = g_strdup_printf ("codepipeline/%s", pipeline != NULL ? pipeline : "local");
  kms = g_strdup_printf ("arn:aws:kms:%s:%s:alias/aws/s3", region, account);

  env = g_environ_setenv (env, "AWS_REGION", region, TRUE);
  env = g_environ_setenv (env, "AWS_DEFAULT_REGION", region, TRUE);
  env = g_environ_setenv (env, "CODEBUILD_BUILD_ARN", arn, TRUE);
  env = g_environ_setenv (env, "CODEBUILD_BUILD_ID", build->build_id, TRUE);
  env = g_environ_setenv (env, "CODEBUILD_BUILD_IMAGE", image != NULL ? image : DEFAULT_IMAGE,
                          TRUE);
  env = g_environ_setenv (env, "CODEBUILD_BUILD_NUMBER", number, TRUE);
  env = g_environ_setenv (env, "CODEBUILD_BUILD_SUCCEEDING", "1", TRUE);
  env = g_environ_setenv (env, "CODEBUILD_INITIATOR", initiator, TRUE);
  env = g_environ_setenv (env, "CODEBUILD_KMS_KEY_ID", kms, TRUE);
  env = g_environ_setenv (env, "CODEBUILD_LOG_PATH", build->uuid, TRUE);
  env = g_environ_setenv (env, "CODEBUILD_SRC_DIR", build->src_dir, TRUE);
  env = g_environ_setenv (env, "CODEBUILD_START_TIME", start, TRUE);
  env = g_environ_unsetenv (env, "CODEBUILD_RESOLVED_SOURCE_VERSION");
  env = g_environ_unsetenv (env, "CODEBUILD_SOURCE_VERSION");
  if (build->primary != NULL && build->primary->revision != NULL)
    {
      env = g_environ_setenv (env, "CODEBUILD_RESOLVED_SOURCE_VERSION",
                              build->primary->revision, TRUE);
      env = g_environ_setenv (env, "CODEBUILD_SOURCE_VERSION", build->primary->revision, TRUE);
    }

  /* CodeBuild names only the secondary sources, by their identifier, which
   * in a pipeline is the input artifact's name. */
  for (guint i = 0; i < build->inputs->len; i++)
    {
      Input *input = g_ptr_array_index (build->inputs, i);
      g_autofree char *dir_name = NULL;
      g_autofree char *version_name = NULL;

      if (input == build->primary)
        continue;

      dir_name = g_strdup_printf ("CODEBUILD_SRC_DIR_%s", input->name);
      version_name = g_strdup_printf ("CODEBUILD_SOURCE_VERSION_%s", input->name);
      if (!is_variable_name (dir_name))
        {
          container_log (build, "Input artifact %s gets no CODEBUILD_SRC_DIR_ variable: its "
                         "name is not a valid variable name (use letters, digits and _)",
                         input->name);
          continue;
        }

      env = g_environ_setenv (env, dir_name, input->dir, TRUE);
      if (input->revision != NULL)
        env = g_environ_setenv (env, version_name, input->revision, TRUE);
    }

  env = add_buildspec_variables (build, env, error);
  if (env == NULL)
    return NULL;

  env = add_profile_variables (build, env);

  return add_action_variables (build, env, error);
}

/* `export NAME='value'` lines for both shells. Names a shell cannot take
 * are left out (they could not survive a command anyway), and so are the
 * variables each shell sets for itself. */
static char *
environment_script (char **env)
{
  static const char * const shell_owned[] = {
    "PWD", "OLDPWD", "SHLVL", "_", "SHELLOPTS", "BASHOPTS", "BASH_VERSINFO", "EUID", "UID",
    "PPID", NULL
  };
  GString *script = g_string_new (NULL);

  for (guint i = 0; env[i] != NULL; i++)
    {
      const char *equals = strchr (env[i], '=');
      g_autofree char *name = NULL;

      if (equals == NULL)
        continue;

      name = g_strndup (env[i], equals - env[i]);
      if (!is_variable_name (name) || g_strv_contains (shell_owned, name))
        {
          g_debug ("Not passing %s to the build: no shell variable can hold it", name);
          continue;
        }

      g_string_append_printf (script, "export %s=", name);
      append_shell_quoted (script, equals + 1);
      g_string_append_c (script, '\n');
    }

  return g_string_free (script, FALSE);
}

/* %s: how the shell lists its variables, `set` (dash) or `declare -p`
 * (bash, which also says which are associative arrays). The state is
 * saved after the command, and by the EXIT trap when it exits early
 * (`exit`, `set -e`); a command setting its own EXIT trap still has its
 * state saved unless it exits early too. */
static const char runner_template[] =
  "# Written by Pipewright: runs one buildspec command in the build's shell\n"
  "# session, whose variables and folder it restores first and saves again\n"
  "# when the command ends.\n"
  "__pw_state=$1\n"
  "__pw_command=$2\n"
  "set --\n"
  "echo $$ >>\"$__pw_state/groups\"\n"
  ". \"$__pw_state/vars.sh\"\n"
  ". \"$__pw_state/env.sh\"\n"
  "__pw_save () {\n"
  "  export -p >\"$__pw_state/env.sh\"\n"
  "  %s >\"$__pw_state/vars.raw\"\n"
  "  pwd >\"$__pw_state/cwd\"\n"
  "  __pw_saved=1\n"
  "}\n"
  "trap '__pw_status=$?; [ -n \"$__pw_saved\" ] || __pw_save; exit $__pw_status' EXIT\n"
  ". \"$__pw_command\"\n"
  "__pw_status=$?\n"
  "__pw_save\n"
  "exit $__pw_status\n";

static gboolean
start_session (Build   *build,
               GError **error)
{
  g_auto(GStrv) env = NULL;
  g_autofree char *runner_script = NULL;
  const char *shell = pw_buildspec_get_shell (build->spec);

  env = build_environment (build, error);
  if (env == NULL)
    return FALSE;

  if (g_strcmp0 (shell, "bash") == 0)
    {
      build->shell = find_in_path ("bash", (const char * const *)env);
      if (build->shell == NULL)
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                       "%s: env.shell is bash, but bash is not in the PATH; install it or use "
                       "/bin/sh", pw_buildspec_get_filename (build->spec));
          return FALSE;
        }
    }
  else
    build->shell = g_strdup ("/bin/sh");

  build->runner = g_build_filename (build->state_dir, "runner.sh", NULL);
  build->env_file = g_build_filename (build->state_dir, "env.sh", NULL);
  build->vars_file = g_build_filename (build->state_dir, "vars.sh", NULL);
  build->vars_raw_file = g_build_filename (build->state_dir, "vars.raw", NULL);
  build->cwd_file = g_build_filename (build->state_dir, "cwd", NULL);
  build->first_env = environment_script (env);
  build->cwd = g_strdup (build->src_dir);
  build->fresh_shell_per_command = g_strcmp0 (pw_buildspec_get_version (build->spec), "0.1") == 0;

  runner_script = g_strdup_printf (runner_template,
                                   g_strcmp0 (shell, "bash") == 0 ? "declare -p" : "set");
  if (!write_private_file (build->runner, runner_script, error) ||
      !write_private_file (build->env_file, build->first_env, error) ||
      !write_private_file (build->vars_file, "", error))
    return FALSE;

  return TRUE;
}

/* Output mapping ---------------------------------------------------------------- */

/* The buildspec artifacts that make output artifact @i: the top-level
 * ones for a single output, else the secondary ones of its name. */
static const PwBuildspecArtifacts *
artifacts_for_output (Build *build,
                      guint  i)
{
  guint n_outputs = build->output_names != NULL ? g_strv_length (build->output_names) : 0;

  if (i >= n_outputs)
    return NULL;
  if (n_outputs == 1)
    return pw_buildspec_get_artifacts (build->spec);
  return pw_buildspec_find_secondary_artifacts (build->spec, build->output_names[i]);
}

/* Where the shell-expanded `name` of output @i is written. */
static char *
artifact_name_path (Build *build,
                    guint  i)
{
  g_autofree char *file = g_strdup_printf (".artifact-name-%u", i);

  return g_build_filename (build->state_dir, "exported", file, NULL);
}

/* In a pipeline, one output artifact is the buildspec's top-level
 * `artifacts`; with several, each takes the secondary artifact whose
 * identifier is its name. Checked before any command runs, so a build
 * that could never deliver its outputs does not run first. */
static gboolean
check_output_mapping (Build   *build,
                      GError **error)
{
  const PwBuildspecArtifacts *primary = pw_buildspec_get_artifacts (build->spec);
  guint n_outputs = g_strv_length (build->output_names);

  if (n_outputs == 0)
    return TRUE;

  if (n_outputs == 1)
    {
      if (primary != NULL)
        return TRUE;

      /* CodeBuild's words, then ours. */
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   "no definition for primary artifacts in buildspec (%s: the action declares the "
                   "output artifact %s, but the buildspec has no `artifacts` section; add "
                   "`artifacts:` with `files:`)",
                   pw_buildspec_get_filename (build->spec), build->output_names[0]);
      return FALSE;
    }

  for (guint i = 0; i < n_outputs; i++)
    {
      g_autoptr(GString) known = NULL;
      GPtrArray *secondary;

      if (pw_buildspec_find_secondary_artifacts (build->spec, build->output_names[i]) != NULL)
        continue;

      secondary = pw_buildspec_get_secondary_artifacts (build->spec);
      known = g_string_new (NULL);
      for (guint j = 0; j < secondary->len; j++)
        {
          const PwBuildspecArtifacts *artifacts = g_ptr_array_index (secondary, j);

          g_string_append_printf (known, "%s%s", j > 0 ? ", " : "", artifacts->identifier);
        }

      if (primary != NULL)
        g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                     "%s:%u:%u: the action has %u output artifacts, so each must be an "
                     "identifier under artifacts.secondary-artifacts, but %s is not there%s%s%s; "
                     "add `%s:` with its `files:`", pw_buildspec_get_filename (build->spec),
                     primary->line, primary->column, n_outputs, build->output_names[i],
                     known->len > 0 ? " (it has " : "", known->str,
                     known->len > 0 ? ")" : "", build->output_names[i]);
      else
        g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                     "%s: the action has %u output artifacts, so the buildspec needs "
                     "`artifacts` with a secondary-artifacts entry for each; %s is missing",
                     pw_buildspec_get_filename (build->spec), n_outputs, build->output_names[i]);
      return FALSE;
    }

  return TRUE;
}

/* Finishing -------------------------------------------------------------------- */

static void
finish_with_error (GTask  *task,
                   GError *error)
{
  Build *build = g_task_get_task_data (task);

  pw_action_job_set_summary (build->job, error->message);
  /* Once in the log: the action's last line says it again. */
  if (!build->error_logged)
    pw_log_printf (build->log, "%s", error->message);
  g_task_return_error (task, error);
}

typedef struct
{
  GTask           *task;
  GTaskThreadFunc  func;
} ThreadWork;

static void
thread_work_cb (gpointer data,
                gpointer user_data)
{
  ThreadWork *work = data;

  work->func (work->task, NULL, g_task_get_task_data (work->task), NULL);
  g_object_unref (work->task);
  g_free (work);
}

/* The builds' preparing and finishing (extracting sources, zipping
 * artifacts, removing the session) run on one thread per processor, not
 * on GTask's shared pool of ten or more. That work is all CPU and file
 * system: more threads than processors only fought over glibc's time zone
 * lock (libarchive converts each zip entry's time with mktime), and each
 * took a copy-on-write fault on every page it wrote after every fork of a
 * command. 1x100 `true` actions: 820 -> 600 ms, CPU 1.47 -> 1.09 s. */
static GThreadPool *
build_thread_pool (void)
{
  static gsize initialized;
  static GThreadPool *pool;

  if (g_once_init_enter (&initialized))
    {
      pool = g_thread_pool_new (thread_work_cb, NULL, MAX (2, g_get_num_processors ()),
                                FALSE, NULL);
      g_once_init_leave (&initialized, 1);
    }

  return pool;
}

/* Runs @func in a thread, then @done on the main thread. The thread's task
 * has no cancellable: stopping is checked by the work itself, and the
 * cleaning up that follows a stop must still happen. */
static void
run_in_thread (GTask               *task,
               GTaskThreadFunc      func,
               GAsyncReadyCallback  done)
{
  Build *build = g_task_get_task_data (task);
  ThreadWork *work = g_new0 (ThreadWork, 1);

  work->task = g_task_new (NULL, NULL, done, g_object_ref (task));
  work->func = func;
  g_task_set_task_data (work->task, build, NULL);
  g_thread_pool_push (build_thread_pool (), work, NULL);
}

/* Artifacts, reports and cache (worker thread) ----------------------------------- */

static gboolean
is_excluded (GPtrArray  *excludes,
             const char *relative)
{
  g_autofree char *path = g_strdup (relative);

  if (excludes == NULL)
    return FALSE;

  /* A path is also excluded when one of its folders is. */
  while (TRUE)
    {
      char *slash;

      for (guint i = 0; i < excludes->len; i++)
        {
          if (pw_glob_match (g_ptr_array_index (excludes, i), path))
            return TRUE;
        }

      slash = strrchr (path, '/');
      if (slash == NULL)
        return FALSE;
      *slash = '\0';
    }
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *)a, *(const char * const *)b);
}

static void
find_directories (const char *root,
                  const char *relative,
                  PwGlob     *glob,
                  guint       depth,
                  GPtrArray  *found)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = NULL;
  const char *name;

  if (dir == NULL || depth == 0)
    return;

  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_strings);

  for (guint i = 0; i < names->len; i++)
    {
      const char *child_name = *(const char **)&g_ptr_array_index (names, i);
      g_autofree char *child = relative[0] != '\0'
                               ? g_strconcat (relative, "/", child_name, NULL)
                               : g_strdup (child_name);
      g_autofree char *child_path = g_build_filename (root, child, NULL);
      GStatBuf st;

      /* Symlinked folders are not entered, so a link loop cannot trap us. */
      if (g_lstat (child_path, &st) != 0 || !S_ISDIR (st.st_mode))
        continue;

      if (pw_glob_match (glob, child))
        g_ptr_array_add (found, g_strdup (child));

      find_directories (root, child, glob, depth - 1, found);
    }
}

/* `base-directory` may be a glob of folders (`'build*'`); the result is a
 * list of (absolute) folders, never empty without an error. */
static GPtrArray *
resolve_base_directories (Build       *build,
                          const char  *base,
                          GError     **error)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) relative = NULL;
  g_autoptr(PwGlob) glob = NULL;
  guint depth;

  if (base == NULL || base[0] == '\0' || g_str_equal (base, ".") || g_str_equal (base, "./"))
    {
      g_ptr_array_add (found, g_strdup (build->src_dir));
      return g_steal_pointer (&found);
    }

  note (build, "Expanding base directory path: %s", base);

  if (!has_wildcards (base))
    {
      g_autofree char *path = g_canonicalize_filename (base, build->src_dir);

      if (!g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                       "no matching base directory path found for %s", base);
          return NULL;
        }
      g_ptr_array_add (found, g_steal_pointer (&path));
      return g_steal_pointer (&found);
    }

  glob = pw_glob_new (base, error);
  if (glob == NULL)
    return NULL;

  depth = strstr (base, "**") != NULL ? G_MAXUINT : 1;
  for (const char *p = base; *p != '\0'; p++)
    {
      if (*p == '/' && depth != G_MAXUINT)
        depth++;
    }

  relative = g_ptr_array_new_with_free_func (g_free);
  find_directories (build->src_dir, "", glob, depth, relative);
  if (relative->len == 0)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                   "no matching base directory path found for %s", base);
      return NULL;
    }

  for (guint i = 0; i < relative->len; i++)
    g_ptr_array_add (found, g_build_filename (build->src_dir,
                                              (const char *)g_ptr_array_index (relative, i),
                                              NULL));

  return g_steal_pointer (&found);
}

/* Adds @name → @source to @files; a later file of the same name (two
 * flattened files, say) replaces the earlier one. */
static void
add_artifact_file (GPtrArray  *files,
                   GHashTable *by_name,
                   const char *name,
                   char       *source)
{
  PwArtifactFile *file = g_hash_table_lookup (by_name, name);

  if (file != NULL)
    {
      g_free (file->source);
      file->source = source;
      return;
    }

  file = g_new0 (PwArtifactFile, 1);
  file->name = g_strdup (name);
  file->source = source;
  g_ptr_array_add (files, file);
  g_hash_table_insert (by_name, file->name, file);
}

static GPtrArray *
collect_artifact_files (Build                *build,
                        PwBuildspecArtifacts *artifacts,
                        GError              **error)
{
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) bases = NULL;
  g_autoptr(GPtrArray) excludes = NULL;

  bases = resolve_base_directories (build, artifacts->base_directory, error);
  if (bases == NULL)
    return NULL;

  files = g_ptr_array_new_with_free_func ((GDestroyNotify)pw_artifact_file_free);

  if (artifacts->exclude_paths != NULL)
    {
      excludes = g_ptr_array_new_with_free_func ((GDestroyNotify)pw_glob_free);
      for (guint i = 0; artifacts->exclude_paths[i] != NULL; i++)
        {
          PwGlob *glob = pw_glob_new (artifacts->exclude_paths[i], error);

          if (glob == NULL)
            return NULL;
          g_ptr_array_add (excludes, glob);
        }
    }

  note (build, "Assembling file list");

  for (guint b = 0; b < bases->len; b++)
    {
      const char *base = g_ptr_array_index (bases, b);

      for (guint i = 0; artifacts->files[i] != NULL; i++)
        {
          const char *pattern = artifacts->files[i];
          g_autoptr(GPtrArray) matches = NULL;
          guint n_added = 0;

          note (build, "Expanding %s", pattern);
          matches = pw_glob_find_files (base, pattern, error);
          if (matches == NULL)
            return NULL;

          for (guint j = 0; j < matches->len; j++)
            {
              const char *relative = g_ptr_array_index (matches, j);
              g_autofree char *source = g_build_filename (base, relative, NULL);
              const char *name = relative;
              GStatBuf st;

              if (is_excluded (excludes, relative))
                continue;

              if (artifacts->discard_paths)
                name = strrchr (relative, '/') != NULL ? strrchr (relative, '/') + 1 : relative;

              /* Without enable-symlinks, CodeBuild stores what a link points to. */
              if (!artifacts->enable_symlinks && g_lstat (source, &st) == 0 &&
                  S_ISLNK (st.st_mode))
                {
                  char *target = realpath (source, NULL);

                  if (target == NULL || !g_file_test (target, G_FILE_TEST_IS_REGULAR))
                    {
                      note (build, "Skipping symlink %s: it does not point to a file "
                            "(enable-symlinks: yes keeps symlinks)", relative);
                      free (target);
                      continue;
                    }
                  g_free (source);
                  source = g_strdup (target);
                  free (target);
                }

              add_artifact_file (files, by_name, name, g_steal_pointer (&source));
              n_added++;
            }

          if (matches->len == 0)
            {
              g_autofree char *path = g_build_filename (base, pattern, NULL);

              if (!has_wildcards (pattern) && g_file_test (path, G_FILE_TEST_IS_DIR))
                note (build, "Skipping invalid file path %s: it is a folder; write '%s/**/*' "
                      "for its contents", pattern, pattern);
              else
                note (build, "Skipping invalid file path %s", pattern);
            }
          else if (n_added == 0)
            note (build, "Every file matching %s is excluded by exclude-paths", pattern);
        }
    }

  if (files->len == 0)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                   "no matching artifact paths found");
      return NULL;
    }

  note (build, "Found %u file(s)", files->len);

  return g_steal_pointer (&files);
}

static gboolean
upload_artifacts (Build         *build,
                  GCancellable  *cancellable,
                  GError       **error)
{
  guint n_outputs = g_strv_length (build->output_names);

  if (n_outputs == 0)
    {
      note (build, "The action declares no output artifacts; nothing to upload");
      return TRUE;
    }

  /* As in CodeBuild, the phases ran first: a buildspec that does not say
   * how to make the action's artifacts fails here. */
  if (!check_output_mapping (build, error))
    return FALSE;

  for (guint i = 0; i < n_outputs; i++)
    {
      const char *name = build->output_names[i];
      PwBuildspecArtifacts *artifacts;
      g_autoptr(GPtrArray) files = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autofree char *zip_path = NULL;
      Output *output;

      if (n_outputs == 1)
        artifacts = (PwBuildspecArtifacts *)pw_buildspec_get_artifacts (build->spec);
      else
        artifacts = (PwBuildspecArtifacts *)pw_buildspec_find_secondary_artifacts (build->spec,
                                                                                   name);
      g_assert (artifacts != NULL);

      if (artifacts->name != NULL)
        {
          g_autofree char *name_path = artifact_name_path (build, i);
          g_autofree char *expanded = NULL;

          if (g_file_get_contents (name_path, &expanded, NULL, NULL) &&
              !g_str_equal (expanded, artifacts->name))
            note (build, "Artifact %s: name %s (from %s); locally the zip is named after the "
                  "output artifact", name, expanded, artifacts->name);
          else
            note (build, "Artifact %s: name %s; locally the zip is named after the output "
                  "artifact", name, artifacts->name);
        }

      files = collect_artifact_files (build, artifacts, &local_error);
      if (files == NULL)
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED, "%s%s%s",
                       local_error->message, n_outputs > 1 ? " for secondary artifact " : "",
                       n_outputs > 1 ? name : "");
          return FALSE;
        }

      if (g_mkdir_with_parents (build->output_dir, 0755) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                       "Cannot create %s: %s", build->output_dir, g_strerror (saved_errno));
          return FALSE;
        }

      zip_path = g_strdup_printf ("%s/%s.zip", build->output_dir, name);
      if (!pw_artifact_zip_files (zip_path, files, cancellable, &local_error))
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                       "Cannot write output artifact %s: %s", name, local_error->message);
          return FALSE;
        }

      note (build, "Uploaded output artifact %s (%u files) to %s", name, files->len, zip_path);

      output = g_new0 (Output, 1);
      output->name = g_strdup (name);
      output->zip_path = g_steal_pointer (&zip_path);
      g_ptr_array_add (build->outputs, output);
    }

  return TRUE;
}

static void
save_cache (Build        *build,
            GCancellable *cancellable)
{
  const char * const *paths = pw_buildspec_get_cache_paths (build->spec);
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GHashTable) by_name = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *zip = NULL;

  if (paths == NULL || build->cache_dir == NULL)
    return;

  files = g_ptr_array_new_with_free_func ((GDestroyNotify)pw_artifact_file_free);
  by_name = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) matches = NULL;
      g_autoptr(GError) local_error = NULL;

      /* Folders such as /root/.m2 or ~/.npm already outlive a local build. */
      if (g_path_is_absolute (paths[i]) || paths[i][0] == '~')
        {
          note (build, "Cache path %s is outside the source folder; locally it persists on "
                "its own and is not copied", paths[i]);
          continue;
        }

      matches = pw_glob_find_files (build->src_dir, paths[i], &local_error);
      if (matches == NULL)
        {
          note (build, "Cache path %s: %s", paths[i], local_error->message);
          continue;
        }

      for (guint j = 0; j < matches->len; j++)
        {
          const char *relative = g_ptr_array_index (matches, j);

          add_artifact_file (files, by_name, relative,
                             g_build_filename (build->src_dir, relative, NULL));
        }
    }

  if (files->len == 0)
    {
      note (build, "No files matched cache.paths; the cache is left as it was");
      return;
    }

  zip = cache_zip_path (build);
  if (!pw_artifact_zip_files (zip, files, cancellable, &error))
    note (build, "Cannot save the cache: %s", error->message);
  else
    note (build, "Saved %u file(s) to the cache", files->len);
}

/* JUnit XML, read with GMarkup: <testsuite> holds <testcase>s, each of
 * which passed unless it holds <failure>, <error> or <skipped>. */
typedef struct
{
  GPtrArray *suites;
  gboolean   in_case;
  char      *case_name;
  char      *case_class;
  int        case_state;
  char      *message;
  GString   *text;
  gboolean   collecting;
  guint      passed;
  guint      failed;
  guint      skipped;
  double     seconds;       /* the cases' `time`, summed */
  GPtrArray *failures;
} Junit;

enum {
  CASE_PASSED,
  CASE_FAILED,
  CASE_SKIPPED,
};

typedef struct
{
  char *name;
  char *message;
} Failure;

static void
failure_free (gpointer data)
{
  Failure *failure = data;

  g_free (failure->name);
  g_free (failure->message);
  g_free (failure);
}

static const char *
attribute (const char **names,
           const char **values,
           const char  *wanted)
{
  for (guint i = 0; names[i] != NULL; i++)
    {
      if (g_str_equal (names[i], wanted))
        return values[i];
    }

  return NULL;
}

/* A failure's message as the test framework wrote it, lines kept (an
 * assertion's expected/received spans several): without the blank lines
 * around it, the indentation its lines share, or trailing spaces. */
static char *
message_text (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (lines), first = 0, last, indent = G_MAXUINT;
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      gsize len = strlen (lines[i]);

      while (len > 0 && g_ascii_isspace (lines[i][len - 1]))
        lines[i][--len] = '\0';
    }
  while (first < n && lines[first][0] == '\0')
    first++;
  last = n;
  while (last > first && lines[last - 1][0] == '\0')
    last--;
  for (guint i = first; i < last; i++)
    if (lines[i][0] != '\0')
      indent = MIN (indent, (guint)strspn (lines[i], " \t"));
  for (guint i = first; i < last; i++)
    {
      if (i > first)
        g_string_append_c (out, '\n');
      g_string_append (out, lines[i][0] != '\0' ? lines[i] + indent : "");
    }
  return g_string_free (out, FALSE);
}

static void
junit_start (GMarkupParseContext  *context,
             const char           *element,
             const char          **names,
             const char          **values,
             gpointer              user_data,
             GError              **error)
{
  Junit *junit = user_data;

  if (g_str_equal (element, "testsuite"))
    {
      const char *name = attribute (names, values, "name");

      g_ptr_array_add (junit->suites, g_strdup (name != NULL ? name : ""));
    }
  else if (g_str_equal (element, "testcase"))
    {
      junit->in_case = TRUE;
      junit->case_state = CASE_PASSED;
      g_free (junit->case_name);
      g_free (junit->case_class);
      g_clear_pointer (&junit->message, g_free);
      junit->case_name = g_strdup (attribute (names, values, "name"));
      junit->case_class = g_strdup (attribute (names, values, "classname"));
      {
        const char *time = attribute (names, values, "time");
        char *end = NULL;
        double seconds = time != NULL ? g_ascii_strtod (time, &end) : 0;

        /* Only a plain, sane number of seconds counts. */
        if (time != NULL && end != time && *end == '\0' && seconds >= 0 && seconds < 1e9)
          junit->seconds += seconds;
      }
    }
  else if (junit->in_case && (g_str_equal (element, "failure") || g_str_equal (element, "error")))
    {
      const char *message = attribute (names, values, "message");

      junit->case_state = CASE_FAILED;
      /* The message attribute is the assertion's line; the text inside,
       * its details (expected and received, a trace): both are kept. */
      if (junit->message == NULL)
        {
          if (message != NULL && message[0] != '\0')
            junit->message = message_text (message);
          g_string_truncate (junit->text, 0);
          junit->collecting = TRUE;
        }
    }
  else if (junit->in_case && g_str_equal (element, "skipped"))
    {
      if (junit->case_state != CASE_FAILED)
        junit->case_state = CASE_SKIPPED;
    }
}

static void
junit_end (GMarkupParseContext  *context,
           const char           *element,
           gpointer              user_data,
           GError              **error)
{
  Junit *junit = user_data;

  if (g_str_equal (element, "testsuite") && junit->suites->len > 0)
    g_ptr_array_set_size (junit->suites, junit->suites->len - 1);
  else if (junit->collecting &&
           (g_str_equal (element, "failure") || g_str_equal (element, "error")))
    {
      g_autofree char *body = message_text (junit->text->str);

      junit->collecting = FALSE;
      /* A <failure message> nested in it may have given one already
       * (found by fuzz-junit, as a leak). */
      if (junit->message == NULL)
        junit->message = g_steal_pointer (&body);
      else if (g_str_has_prefix (body, junit->message))
        {
          g_free (junit->message);
          junit->message = g_steal_pointer (&body);
        }
      else if (body[0] != '\0')
        {
          char *both = g_strdup_printf ("%s\n%s", junit->message, body);

          g_free (junit->message);
          junit->message = both;
        }
    }
  else if (junit->in_case && g_str_equal (element, "testcase"))
    {
      junit->in_case = FALSE;

      if (junit->case_state == CASE_PASSED)
        junit->passed++;
      else if (junit->case_state == CASE_SKIPPED)
        junit->skipped++;
      else
        {
          const char *prefix = junit->case_class;
          Failure *failure;

          if (prefix == NULL && junit->suites->len > 0)
            prefix = g_ptr_array_index (junit->suites, junit->suites->len - 1);

          junit->failed++;
          failure = g_new0 (Failure, 1);
          failure->name = prefix != NULL && prefix[0] != '\0'
                          ? g_strdup_printf ("%s.%s", prefix,
                                             junit->case_name != NULL ? junit->case_name : "?")
                          : g_strdup (junit->case_name != NULL ? junit->case_name : "?");
          failure->message = g_strdup (junit->message != NULL ? junit->message : "");
          g_ptr_array_add (junit->failures, failure);
        }
    }
}

static void
junit_text (GMarkupParseContext  *context,
            const char           *text,
            gsize                 length,
            gpointer              user_data,
            GError              **error)
{
  Junit *junit = user_data;

  if (junit->collecting && junit->text->len < 4096)
    g_string_append_len (junit->text, text, length);
}

static const GMarkupParser junit_parser = {
  junit_start,
  junit_end,
  junit_text,
  NULL,
  NULL,
};

/**
 * _pw_junit_failures_new:
 *
 * Returns: (transfer full): an array for _pw_junit_parse()'s failures
 */
GPtrArray *
_pw_junit_failures_new (void)
{
  return g_ptr_array_new_with_free_func (failure_free);
}

/**
 * _pw_junit_parse:
 * @data: a JUnit XML report, as a build wrote it
 * @length: its length
 * @passed: (inout): counts of test cases, added to
 * @failed: (inout):
 * @skipped: (inout):
 * @failures: what _pw_junit_failures_new() made: the failed cases go
 *   there
 * @error: return location for an error
 *
 * Returns: %TRUE when it reads as XML (nothing is added otherwise)
 */
gboolean
_pw_junit_parse (const char  *data,
                 gsize        length,
                 guint       *passed,
                 guint       *failed,
                 guint       *skipped,
                 GPtrArray   *failures,
                 GError     **error)
{
  double seconds = 0;

  return _pw_junit_parse_timed (data, length, passed, failed, skipped, &seconds, failures, error);
}

/* Like _pw_junit_parse(), adding the cases' time to @seconds too. */
gboolean
_pw_junit_parse_timed (const char  *data,
                       gsize        length,
                       guint       *passed,
                       guint       *failed,
                       guint       *skipped,
                       double      *seconds,
                       GPtrArray   *failures,
                       GError     **error)
{
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean ok;
  Junit junit = { 0 };

  junit.suites = g_ptr_array_new_with_free_func (g_free);
  junit.text = g_string_new (NULL);
  junit.failures = g_ptr_array_new_with_free_func (failure_free);

  context = g_markup_parse_context_new (&junit_parser, G_MARKUP_TREAT_CDATA_AS_TEXT, &junit, NULL);
  ok = g_markup_parse_context_parse (context, data, length, &local_error) &&
       g_markup_parse_context_end_parse (context, &local_error);
  /* GMarkup can say TRUE and set an error (invalid UTF-8 in a CDATA
   * section, found by fuzz-junit): an error is a failure. */
  if (local_error != NULL)
    ok = FALSE;
  if (!ok)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error_literal (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE, "not well-formed XML");
    }

  if (ok)
    {
      *passed += junit.passed;
      *failed += junit.failed;
      *skipped += junit.skipped;
      *seconds += junit.seconds;
      for (guint i = 0; i < junit.failures->len; i++)
        g_ptr_array_add (failures, g_steal_pointer (&g_ptr_array_index (junit.failures, i)));
    }

  g_ptr_array_unref (junit.suites);
  g_string_free (junit.text, TRUE);
  g_ptr_array_set_free_func (junit.failures, NULL);
  for (guint i = 0; i < junit.failures->len; i++)
    {
      Failure *failure = g_ptr_array_index (junit.failures, i);

      if (failure != NULL)
        failure_free (failure);
    }
  g_ptr_array_unref (junit.failures);
  g_free (junit.case_name);
  g_free (junit.case_class);
  g_free (junit.message);

  return ok;
}

static gboolean
parse_junit (const char  *path,
             guint       *passed,
             guint       *failed,
             guint       *skipped,
             double      *seconds,
             GPtrArray   *failures,
             GError     **error)
{
  g_autofree char *contents = NULL;
  gsize length;

  /* Made by the build: read only if it is a file, and not a huge one. */
  if (!_pw_fs_read_file (path, MAX_REPORT_BYTES, &contents, &length, error))
    return FALSE;

  return _pw_junit_parse_timed (contents, length, passed, failed, skipped, seconds, failures, error);
}

static void
collect_reports (Build *build)
{
  GPtrArray *groups = pw_buildspec_get_reports (build->spec);
  g_autoptr(JsonBuilder) builder = NULL;
  guint n_groups = 0;

  if (groups->len == 0)
    return;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "groups");
  json_builder_begin_array (builder);

  for (guint i = 0; i < groups->len; i++)
    {
      PwBuildspecReportGroup *group = g_ptr_array_index (groups, i);
      g_autoptr(GPtrArray) failures = _pw_junit_failures_new ();
      g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GPtrArray) bases = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GString) line = NULL;
      g_autofree char *project_group = NULL;
      const char *name = group->name;
      const char *slash;
      guint passed = 0;
      guint failed = 0;
      guint skipped = 0;
      guint n_files = 0;
      double seconds = 0;

      /* An ARN names an existing group: arn:aws:codebuild:…:report-group/NAME;
       * a name makes the group <project>-<name>. */
      if (g_str_has_prefix (name, "arn:") && (slash = strrchr (name, '/')) != NULL)
        name = slash + 1;
      else
        name = project_group = g_strdup_printf ("%s-%s", build->project, group->name);

      if (g_strcmp0 (group->file_format, "JUNITXML") != 0)
        {
          note (build, "Report group %s: %s reports are not read locally; only JUNITXML is "
                "summarised", name, group->file_format);
          continue;
        }

      bases = resolve_base_directories (build, group->base_directory, &error);
      if (bases == NULL)
        {
          note (build, "Report group %s: %s", name, error->message);
          continue;
        }

      for (guint b = 0; b < bases->len; b++)
        {
          const char *base = g_ptr_array_index (bases, b);

          for (guint f = 0; group->files[f] != NULL; f++)
            {
              g_autoptr(GPtrArray) matches = pw_glob_find_files (base, group->files[f], &error);

              if (matches == NULL)
                {
                  note (build, "Report group %s: %s", name, error->message);
                  g_clear_error (&error);
                  continue;
                }

              for (guint m = 0; m < matches->len; m++)
                {
                  const char *relative = g_ptr_array_index (matches, m);
                  g_autofree char *path = g_build_filename (base, relative, NULL);

                  if (!parse_junit (path, &passed, &failed, &skipped, &seconds, failures, &error))
                    {
                      note (build, "Report group %s: cannot read %s as JUnit XML: %s",
                            name, relative, error->message);
                      g_clear_error (&error);
                      continue;
                    }
                  n_files++;
                  g_ptr_array_add (files, g_steal_pointer (&path));
                }
            }
        }

      if (n_files == 0)
        {
          note (build, "Report group %s: no matching report paths found", name);
          continue;
        }

      line = g_string_new (NULL);
      g_string_append_printf (line, "Report group %s: %u passed, %u failed, %u skipped",
                              name, passed, failed, skipped);
      note (build, "%s", line->str);
      /* Each failing case, its message whole (an assertion's diff spans
       * lines), indented under its name. */
      for (guint f = 0; f < failures->len && f < MAX_LOGGED_FAILURES; f++)
        {
          Failure *failure = g_ptr_array_index (failures, f);
          g_auto(GStrv) lines = g_strsplit (failure->message, "\n", -1);

          note (build, "  FAILED %s", failure->name);
          for (guint l = 0; lines[l] != NULL; l++)
            if (lines[l][0] != '\0' || lines[l + 1] != NULL)
              note (build, "    %s", lines[l]);
        }
      if (failures->len > MAX_LOGGED_FAILURES)
        note (build, "  (and %u more failed)", failures->len - MAX_LOGGED_FAILURES);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, name);
      json_builder_set_member_name (builder, "passed");
      json_builder_add_int_value (builder, passed);
      json_builder_set_member_name (builder, "failed");
      json_builder_add_int_value (builder, failed);
      json_builder_set_member_name (builder, "skipped");
      json_builder_add_int_value (builder, skipped);
      json_builder_set_member_name (builder, "seconds");
      json_builder_add_double_value (builder, seconds);
      json_builder_set_member_name (builder, "files");
      json_builder_begin_array (builder);
      for (guint f = 0; f < files->len; f++)
        json_builder_add_string_value (builder, g_ptr_array_index (files, f));
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "failures");
      json_builder_begin_array (builder);
      for (guint f = 0; f < failures->len && f < MAX_REPORTED_FAILURES; f++)
        {
          Failure *failure = g_ptr_array_index (failures, f);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, failure->name);
          json_builder_set_member_name (builder, "message");
          json_builder_add_string_value (builder, failure->message);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      n_groups++;
    }

  json_builder_end_array (builder);
  json_builder_end_object (builder);

  if (n_groups > 0)
    build->report = json_builder_get_root (builder);
}

static void
read_exported_values (Build *build)
{
  const char * const *names = pw_buildspec_get_exported_variables (build->spec);

  if (names == NULL)
    return;

  build->exported_values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (build->state_dir, "exported", names[i], NULL);
      char *value = NULL;

      if (g_file_get_contents (path, &value, NULL, NULL))
        g_hash_table_insert (build->exported_values, g_strdup (names[i]), value);
    }
}

/* After the phases: artifacts and cache once BUILD has run (unless an
 * ABORT ended the build), reports whenever a phase ran; then the state
 * folder goes, with the secrets in its env.sh. After a stop, only that. */
/* Processes a command left running in the background (`dockerd &`, a
 * dev server) end with the build, as they do when CodeBuild's container
 * goes. Without a container (none could be made), each command ran in its
 * own process group, whose id the runner wrote down. */
static void
stop_leftover_processes (Build *build)
{
  g_autofree char *path = g_build_filename (build->state_dir, "groups", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint stopped = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      gint64 pgid = g_ascii_strtoll (lines[i], NULL, 10);

      /* Never 0 or 1: that would be us or everyone. */
      if (pgid > 1 && pgid != getpgrp () && kill (-(pid_t)pgid, SIGKILL) == 0)
        stopped++;
    }

  if (stopped > 0)
    note (build, "Stopped the processes %u %s left running in the background, as the end of "
          "CodeBuild's container would", stopped, stopped == 1 ? "command" : "commands");
}

static void
finalize_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  Build *build = task_data;

  if (build->final_error == NULL && build->spec != NULL)
    {
      read_exported_values (build);

      if (build->build_reached && !build->aborted)
        {
          note (build, "Entering phase UPLOAD_ARTIFACTS");
          if (upload_artifacts (build, build->cancellable, &build->upload_error))
            note (build, "Phase complete: UPLOAD_ARTIFACTS State: SUCCEEDED");
          else
            {
              note (build, "Phase complete: UPLOAD_ARTIFACTS State: FAILED");
              note (build, "Phase context status code: CLIENT_ERROR Message: %s",
                    build->upload_error->message);
            }
        }

      if (build->phases_started)
        collect_reports (build);

      if (build->build_reached && !build->aborted)
        save_cache (build, build->cancellable);
    }

  if (build->state_dir != NULL && build->container == NULL)
    {
      stop_leftover_processes (build);
      _pw_state_remove_tree (build->state_dir);
    }

  g_task_return_boolean (task, TRUE);
}

/* Takes @task over. */
static void
finish_build (GTask *owned_task)
{
  g_autoptr(GTask) task = owned_task;
  Build *build = g_task_get_task_data (task);
  const char * const *exported;
  const char *revision = build->primary != NULL ? build->primary->revision : NULL;
  g_autofree char *message = NULL;

  flush_notes (build);

  if (build->final_error == NULL && g_cancellable_is_cancelled (build->cancellable))
    g_set_error (&build->final_error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CANCELLED,
                 "Build stopped");

  if (build->final_error != NULL)
    {
      finish_with_error (task, g_steal_pointer (&build->final_error));
      return;
    }

  /* Test reports matter most when tests fail the build. */
  if (build->report != NULL)
    pw_action_job_set_report (build->job, build->report);

  if (build->failure != NULL || build->upload_error != NULL)
    {
      GError *error;

      if (build->failure != NULL)
        message = g_strdup_printf ("Build terminated with state: FAILED (%s)", build->failure);
      else
        message = g_strdup_printf ("Build terminated with state: FAILED (phase "
                                   "UPLOAD_ARTIFACTS: %s)", build->upload_error->message);

      error = g_error_new_literal (PW_ENGINE_ERROR,
                                   build->failure == NULL &&
                                   build->upload_error->code == PW_ENGINE_ERROR_ARTIFACT
                                   ? PW_ENGINE_ERROR_ARTIFACT : PW_ENGINE_ERROR_FAILED,
                                   message);
      finish_with_error (task, error);
      return;
    }

  /* As in CodePipeline, a failed action hands on no artifacts and no
   * variables; the zips of a failed build stay in the output folder. */
  for (guint i = 0; i < build->outputs->len; i++)
    {
      Output *output = g_ptr_array_index (build->outputs, i);

      pw_action_job_add_output (build->job, output->name, output->zip_path, revision);
    }

  exported = pw_buildspec_get_exported_variables (build->spec);
  for (guint i = 0; exported != NULL && exported[i] != NULL; i++)
    {
      const char *value = g_hash_table_lookup (build->exported_values, exported[i]);

      if (g_hash_table_contains (build->secret_names, exported[i]))
        container_log (build, "Exported variable %s is not exported: its value is a secret of "
                       "the action's EnvironmentVariables", exported[i]);
      else if (value == NULL)
        container_log (build, "Exported variable %s is not set at the end of the build; it is "
                       "not exported", exported[i]);
      else
        {
          /* Once, loudly: the value flows on in clear text, as it does
           * in CodeBuild, whose documentation warns against it. */
          if (g_hash_table_contains (build->buildspec_secret_names, exported[i]) ||
              _pw_log_reveals_secret (build->log, value))
            container_log (build, "WARNING: exported variable %s holds a secret (%s). "
                           "CodeBuild exports it in clear text to every action that uses it, "
                           "and its documentation warns against exporting secrets; Pipewright "
                           "masks it as *** in every log, record and event of the execution, "
                           "but not where the pipeline sends it", exported[i],
                           g_hash_table_contains (build->buildspec_secret_names, exported[i])
                           ? "from the buildspec's parameter-store or secrets-manager"
                           : "its value holds one the build read as a secret");
          pw_action_job_set_output_variable (build->job, exported[i], value);
        }
    }

  pw_action_job_set_summary (build->job, "Build succeeded");
  pw_log_printf (build->log, "Build succeeded");
  g_task_return_boolean (task, TRUE);
}

static void
container_closed_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Build *build = g_task_get_task_data (task);
  guint stopped = _pw_container_close_finish (build->container, result);

  if (stopped > 0)
    note (build, "Stopped %u process%s left running in the background, as the end of "
          "CodeBuild's container would", stopped, stopped == 1 ? "" : "es");
  /* The keeper removed it; unless it could not. */
  if (build->state_dir != NULL)
    _pw_state_remove_tree (build->state_dir);

  finish_build (g_steal_pointer (&task));
}

/* The artifacts are uploaded while the container still runs, as in
 * CodeBuild; then the container closes, and the build ends once nothing
 * of it runs any more. */
static void
finalize_done (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Build *build = g_task_get_task_data (task);

  if (build->container != NULL)
    _pw_container_close_async (build->container, container_closed_cb, g_steal_pointer (&task));
  else
    finish_build (g_steal_pointer (&task));
}

static void
start_finalize (GTask *task)
{
  run_in_thread (task, finalize_thread, finalize_done);
}

/* The build ends without its normal end (bad configuration, timeout,
 * stop): only the state folder is cleaned up. */
static void
end_build (GTask  *task,
           GError *error)
{
  Build *build = g_task_get_task_data (task);

  if (g_cancellable_is_cancelled (build->cancellable) &&
      !g_error_matches (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CANCELLED))
    {
      g_clear_error (&error);
      error = g_error_new_literal (PW_ENGINE_ERROR, PW_ENGINE_ERROR_CANCELLED, "Build stopped");
    }

  g_clear_error (&build->final_error);
  build->final_error = error;
  start_finalize (task);
}

/* Phases ------------------------------------------------------------------------ */

static void
set_succeeding_zero (Build *build)
{
  static const char line[] = "export CODEBUILD_BUILD_SUCCEEDING='0'\n";
  g_autoptr(GError) error = NULL;
  char *first_env;

  /* A later assignment wins, in env.sh as in the first environment. */
  if (!append_to_file (build->env_file, line, &error))
    g_warning ("Cannot update %s: %s", build->env_file, error->message);

  first_env = g_strconcat (build->first_env, line, NULL);
  g_free (build->first_env);
  build->first_env = first_env;
}

static void
command_failed (Build      *build,
                int         status,
                const char *reason)
{
  const char *label = pw_buildspec_phase_get_label (build->phase);
  g_autofree char *shown = short_command (build->command);

  /* "Running command" showed a multi-line command whole already. */
  if (reason != NULL)
    container_log (build, "Command did not exit successfully %s: %s", shown, reason);
  else
    container_log (build, "Command did not exit successfully %s exit status %d", shown, status);

  if (!build->phase_failed)
    build->phase_reason = reason != NULL
                          ? g_strdup_printf ("Error while executing command: %s. Reason: %s",
                                             shown, reason)
                          : g_strdup_printf ("Error while executing command: %s. Reason: exit "
                                             "status %d", shown, status);

  build->phase_failed = TRUE;
  if (build->in_finally)
    build->finally_stopped = TRUE;

  if (build->failure == NULL)
    build->failure = reason != NULL
                     ? g_strdup_printf ("phase %s: command '%s' failed: %s", label, shown, reason)
                     : g_strdup_printf ("phase %s: command '%s' exited with %d", label, shown,
                                        status);

  if (build->succeeding)
    {
      build->succeeding = FALSE;
      set_succeeding_zero (build);
    }
}

/* Shell variables that are not exported last from command to command
 * too (`IMAGE_TAG=…` in pre_build, `$IMAGE_TAG` in post_build, as in
 * AWS's own samples): each command ends with `set` into vars.raw, in the
 * shell's own re-input format, and before the next one the assignments
 * of variables that are neither exported (env.sh has those) nor the
 * shell's own go to vars.sh, which the runner sources first. */

/* The end of the shell word at @p in `set` or `export -p` output: quotes
 * ('…', "…", $'…'), backslashes, and bash's (…) arrays. NULL when a quote
 * never ends. */
static const char *
skip_shell_word (const char *p)
{
  int depth = 0;

  while (*p != '\0')
    {
      switch (*p)
        {
        case '\\':
          p += p[1] != '\0' ? 2 : 1;
          break;

        case '\'':
          p = strchr (p + 1, '\'');
          if (p == NULL)
            return NULL;
          p++;
          break;

        case '"':
        case '$':
          if (*p == '$' && p[1] != '\'')
            {
              p++;
              break;
            }
          {
            char close = *p == '"' ? '"' : '\'';

            p += *p == '"' ? 1 : 2;
            while (*p != '\0' && *p != close)
              p += (*p == '\\' && p[1] != '\0') ? 2 : 1;
            if (*p == '\0')
              return NULL;
            p++;
          }
          break;

        case '(':
          depth++;
          p++;
          break;

        case ')':
          if (depth == 0)
            return p;
          depth--;
          p++;
          break;

        case ' ':
        case '\t':
        case '\n':
          if (depth == 0)
            return p;
          p++;
          break;

        default:
          p++;
        }
    }

  return p;
}

/* The length of the name at @word when it is an identifier followed by
 * `=` (with @assignment) or by the end of the word; 0 otherwise. */
static gsize
shell_name_length (const char *word,
                   const char *end,
                   gboolean   *assignment)
{
  const char *p = word;

  if (p == end || !(g_ascii_isalpha (*p) || *p == '_'))
    return 0;
  while (p < end && (g_ascii_isalnum (*p) || *p == '_'))
    p++;

  *assignment = p < end && *p == '=';
  return (p == end || *assignment) ? (gsize)(p - word) : 0;
}

static gboolean
word_is (const char *word,
         const char *end,
         const char *keyword)
{
  gsize length = strlen (keyword);

  return (gsize)(end - word) == length && strncmp (word, keyword, length) == 0;
}

/* Variables a shell sets for itself, or will not let a script assign. */
static gboolean
is_shell_own_variable (const char *name)
{
  static const char * const own[] = {
    "PPID", "PWD", "SHLVL", "_", "LINENO", "EUID", "UID", "GROUPS", "FUNCNAME", "RANDOM",
    "SECONDS", "SRANDOM", "EPOCHREALTIME", "EPOCHSECONDS", "HISTCMD", "PIPESTATUS",
    "DIRSTACK", "SHELLOPTS", "COMP_WORDBREAKS", "OPTIND", NULL
  };

  return g_str_has_prefix (name, "BASH") || g_str_has_prefix (name, "__pw_") ||
         g_strv_contains (own, name);
}

/* Calls @func for each variable in @text, the output of `export -p`,
 * `set` (dash) or `declare -p` (bash): its name, the whole statement that
 * sets it again (`NAME='v'`, or `declare -A NAME=(…)` with its flags) and
 * those flags. Stops at anything else, such as a function. */
static void
for_each_shell_variable (const char *text,
                         void      (*func) (const char *name,
                                            const char *statement,
                                            gsize       statement_length,
                                            const char *flags,
                                            gpointer    data),
                         gpointer    data)
{
  const char *p = text;

  for (;;)
    {
      const char *start, *end;
      g_autoptr(GString) flags = g_string_new (NULL);
      g_autofree char *name = NULL;
      gboolean assignment = FALSE;
      gsize name_length;

      while (*p == ' ' || *p == '\t' || *p == '\n')
        p++;
      if (*p == '\0' || (end = skip_shell_word (p)) == NULL || end == p)
        return;
      start = p;

      /* `export`, `declare -x`, `declare -A`, `readonly`: a statement. */
      if (word_is (p, end, "export") || word_is (p, end, "declare") || word_is (p, end, "readonly"))
        {
          if (word_is (p, end, "readonly"))
            g_string_append_c (flags, 'r');
          for (;;)
            {
              p = end;
              while (*p == ' ' || *p == '\t')
                p++;
              if ((end = skip_shell_word (p)) == NULL || end == p)
                return;
              if (*p != '-')
                break;
              g_string_append_len (flags, p + 1, end - p - 1);
            }
        }

      name_length = shell_name_length (p, end, &assignment);
      if (name_length == 0)
        return;
      /* A bare name counts only in a statement (exported, no value). */
      if (!assignment && start == p)
        return;

      name = g_strndup (p, name_length);
      func (name, start, end - start, flags->str, data);
      p = end;
    }
}

static void
add_exported_name (const char *name,
                   const char *statement,
                   gsize       statement_length,
                   const char *flags,
                   gpointer    data)
{
  g_hash_table_add (data, g_strdup (name));
}

typedef struct
{
  GHashTable *exported;
  GString    *script;
} VarsScript;

static void
add_unexported_assignment (const char *name,
                           const char *statement,
                           gsize       statement_length,
                           const char *flags,
                           gpointer    data)
{
  VarsScript *vars = data;

  /* Set, not exported, not read-only, not the shell's own. */
  if (memchr (statement, '=', statement_length) == NULL || strchr (flags, 'x') != NULL ||
      strchr (flags, 'r') != NULL || is_shell_own_variable (name) ||
      g_hash_table_contains (vars->exported, name))
    return;

  g_string_append_len (vars->script, statement, statement_length);
  g_string_append_c (vars->script, '\n');
}

static void
update_vars (Build *build)
{
  g_autofree char *set_output = NULL;
  g_autofree char *export_output = NULL;
  g_autoptr(GHashTable) exported = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GString) script = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  VarsScript vars = { exported, script };

  /* A command killed before its trap ran leaves vars.raw and env.sh as
   * the previous one wrote them: the state before it, consistent. */
  if (build->fresh_shell_per_command ||
      !g_file_get_contents (build->vars_raw_file, &set_output, NULL, NULL) ||
      !g_file_get_contents (build->env_file, &export_output, NULL, NULL))
    return;

  for_each_shell_variable (export_output, add_exported_name, exported);
  for_each_shell_variable (set_output, add_unexported_assignment, &vars);

  if (!write_private_file (build->vars_file, script->str, &error))
    g_warning ("Cannot update %s: %s", build->vars_file, error->message);
}

static void
update_cwd (Build *build)
{
  g_autofree char *contents = NULL;

  if (build->fresh_shell_per_command ||
      !g_file_get_contents (build->cwd_file, &contents, NULL, NULL))
    return;

  g_strchomp (contents);
  if (contents[0] == '/' && g_file_test (contents, G_FILE_TEST_IS_DIR))
    {
      g_free (build->cwd);
      build->cwd = g_steal_pointer (&contents);
    }
}

static void
stop_build (GTask         *task,
            PwEngineError  code)
{
  Build *build = g_task_get_task_data (task);
  const char *label = pw_buildspec_phase_get_label (build->phase);
  g_autofree char *shown = short_command (build->command);
  GError *error;

  container_log (build, "Phase complete: %s State: %s", label,
                 code == PW_ENGINE_ERROR_TIMEOUT ? "TIMED_OUT" :
                 code == PW_ENGINE_ERROR_OUTPUT_LIMIT ? "FAILED" : "STOPPED");

  if (code == PW_ENGINE_ERROR_TIMEOUT)
    error = g_error_new (PW_ENGINE_ERROR, PW_ENGINE_ERROR_TIMEOUT,
                         "Build timed out after %u %s (phase %s, command '%s')",
                         build->timeout_seconds, build->timeout_seconds == 1 ? "second" : "seconds",
                         label, shown);
  else if (code == PW_ENGINE_ERROR_OUTPUT_LIMIT)
    {
      g_autofree char *limit = g_format_size_full (pw_log_get_output_limit (build->log),
                                                   G_FORMAT_SIZE_IEC_UNITS);

      error = g_error_new (PW_ENGINE_ERROR, PW_ENGINE_ERROR_OUTPUT_LIMIT,
                           "Build stopped: its output passed the limit of %s (phase %s, "
                           "command '%s'); set limits.outputSize in pipewright.local.yml "
                           "if a build really writes this much",
                           limit, label, shown);
    }
  else
    error = g_error_new (PW_ENGINE_ERROR, PW_ENGINE_ERROR_CANCELLED,
                         "Build stopped (phase %s, command '%s')", label, shown);

  end_build (task, error);
}

static void
command_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Build *build = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  int status = -1;

  if (!pw_command_run_finish (result, &status, &error))
    {
      if (g_error_matches (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_TIMEOUT) ||
          g_error_matches (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_OUTPUT_LIMIT))
        {
          stop_build (task, error->code);
          return;
        }

      if (g_error_matches (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CANCELLED) ||
          g_cancellable_is_cancelled (build->cancellable))
        {
          stop_build (task, PW_ENGINE_ERROR_CANCELLED);
          return;
        }

      command_failed (build, -1, error->message);
      run_next_command (task);
      return;
    }

  update_cwd (build);
  update_vars (build);

  if (status != 0)
    command_failed (build, status, NULL);

  run_next_command (task);
}

static void
complete_phase (GTask *task)
{
  Build *build = g_task_get_task_data (task);
  const PwBuildspecPhase *phase = pw_buildspec_get_phase (build->spec, build->phase);
  const char *label = pw_buildspec_phase_get_label (build->phase);

  container_log (build, "Phase complete: %s State: %s", label,
                 build->phase_failed ? "FAILED" : "SUCCEEDED");
  container_log (build, "Phase context status code: %s Message: %s",
                 build->phase_failed ? "COMMAND_EXECUTION_ERROR" : "",
                 build->phase_failed ? build->phase_reason : "");

  if (!build->phase_failed || phase->on_failure == PW_BUILDSPEC_ON_FAILURE_CONTINUE)
    {
      build->phase++;
      run_phase (task);
      return;
    }

  if (phase->on_failure == PW_BUILDSPEC_ON_FAILURE_ABORT)
    {
      build->aborted = TRUE;
      finish_phases (task);
      return;
    }

  /* CodeBuild's transitions: a failed BUILD still runs POST_BUILD (and
   * uploads artifacts); a failed INSTALL or PRE_BUILD goes to FINALIZING. */
  if (build->phase == PW_BUILDSPEC_PHASE_BUILD)
    {
      build->phase = PW_BUILDSPEC_PHASE_POST_BUILD;
      run_phase (task);
      return;
    }

  finish_phases (task);
}

static const char * const empty_environment[] = { NULL };

static void
run_next_command (GTask *task)
{
  Build *build = g_task_get_task_data (task);
  const PwBuildspecPhase *phase = pw_buildspec_get_phase (build->spec, build->phase);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *script = NULL;
  const char *command = NULL;
  const char *cwd;
  const char *argv[5];
  gint64 now;
  guint remaining;

  if (!build->in_finally)
    {
      if (!build->phase_failed && phase->commands != NULL &&
          phase->commands[build->index] != NULL)
        command = phase->commands[build->index++];
      else
        {
          build->in_finally = TRUE;
          build->finally_stopped = FALSE;
          build->index = 0;
        }
    }

  if (build->in_finally)
    {
      if (!build->finally_stopped && phase->finally != NULL &&
          phase->finally[build->index] != NULL)
        command = phase->finally[build->index++];
      else
        {
          complete_phase (task);
          return;
        }
    }

  g_free (build->command);
  build->command = g_strdup (command);

  path = g_strdup_printf ("%s/command-%u.sh", build->state_dir, ++build->n_commands);
  script = g_strconcat (command, "\n", NULL);
  if (!write_private_file (path, script, &error) ||
      (build->fresh_shell_per_command &&
       !write_private_file (build->env_file, build->first_env, &error)))
    {
      end_build (task, g_error_new (PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                                    "Cannot prepare a command: %s", error->message));
      return;
    }

  container_log (build, "Running command %s", command);

  now = g_get_monotonic_time ();
  if (now >= build->deadline)
    {
      stop_build (task, PW_ENGINE_ERROR_TIMEOUT);
      return;
    }
  remaining = (guint)MAX (1, (build->deadline - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);

  cwd = build->fresh_shell_per_command ? build->src_dir : build->cwd;
  if (!g_file_test (cwd, G_FILE_TEST_IS_DIR))
    {
      container_log (build, "The folder %s is gone; running in %s", cwd, build->src_dir);
      cwd = build->src_dir;
    }

  argv[0] = build->shell;
  argv[1] = build->runner;
  argv[2] = build->state_dir;
  argv[3] = path;
  argv[4] = NULL;

  _pw_command_run_in_async (build->container, argv, cwd, empty_environment, NULL, build->log,
                            remaining, build->cancellable, command_done_cb, g_object_ref (task));
}

static void
run_phase (GTask *task)
{
  Build *build = g_task_get_task_data (task);

  if (build->phase >= PW_BUILDSPEC_N_PHASES)
    {
      finish_phases (task);
      return;
    }

  build->phases_started = TRUE;
  if (build->phase == PW_BUILDSPEC_PHASE_BUILD)
    build->build_reached = TRUE;

  build->in_finally = FALSE;
  build->finally_stopped = FALSE;
  build->index = 0;
  build->phase_failed = FALSE;
  g_clear_pointer (&build->phase_reason, g_free);

  container_log (build, "Entering phase %s", pw_buildspec_phase_get_label (build->phase));
  run_next_command (task);
}

static void
exported_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Build *build = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  int status = -1;

  if (!pw_command_run_finish (result, &status, &error))
    {
      if (g_cancellable_is_cancelled (build->cancellable))
        {
          end_build (task, g_error_new_literal (PW_ENGINE_ERROR, PW_ENGINE_ERROR_CANCELLED,
                                                "Build stopped"));
          return;
        }
      container_log (build, "Cannot read the exported variables: %s", error->message);
    }
  else if (status != 0)
    container_log (build, "Cannot read the exported variables (exit status %d)", status);

  start_finalize (task);
}

/* The exported variables' values at the end of the last phase that ran,
 * read by one more command in the session: each goes to its own file, so
 * any value (newlines included) comes back as it is. */
static void
finish_phases (GTask *task)
{
  Build *build = g_task_get_task_data (task);
  const char * const *names = pw_buildspec_get_exported_variables (build->spec);
  g_autofree char *out_dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GString) script = NULL;
  g_autoptr(GError) error = NULL;
  guint n_names = 0;
  const char *argv[5];

  if (!build->phases_started)
    {
      start_finalize (task);
      return;
    }

  out_dir = g_build_filename (build->state_dir, "exported", NULL);
  path = g_build_filename (build->state_dir, "export-variables.sh", NULL);
  script = g_string_new ("__pw_out=");
  append_shell_quoted (script, out_dir);
  g_string_append_c (script, '\n');
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    g_string_append_printf (script,
                            "if [ -n \"${%s+set}\" ]; then printf '%%s' \"$%s\" >\"$__pw_out/%s\"; "
                            "fi\n", names[i], names[i], names[i]);

  /* An artifact `name` is shell-expanded at the end of the build
   * (`build-$(date +%F)`, `$CODEBUILD_BUILD_NUMBER`). */
  for (guint i = 0; artifacts_for_output (build, i) != NULL; i++)
    {
      const char *name = artifacts_for_output (build, i)->name;
      g_autofree char *name_path = NULL;

      if (name == NULL || strpbrk (name, "$`") == NULL)
        continue;
      name_path = artifact_name_path (build, i);
      g_string_append (script, "__pw_name=");
      append_shell_quoted (script, name);
      g_string_append (script, "\neval \"printf '%s' \\\"$__pw_name\\\"\" >");
      append_shell_quoted (script, name_path);
      g_string_append (script, " 2>/dev/null\n");
      n_names++;
    }

  if ((names == NULL || names[0] == NULL) && n_names == 0)
    {
      start_finalize (task);
      return;
    }

  if (g_mkdir_with_parents (out_dir, 0700) != 0 ||
      !write_private_file (path, script->str, &error) ||
      (build->fresh_shell_per_command &&
       !write_private_file (build->env_file, build->first_env, &error)))
    {
      container_log (build, "Cannot read the exported variables: %s",
                     error != NULL ? error->message : g_strerror (errno));
      start_finalize (task);
      return;
    }

  argv[0] = build->shell;
  argv[1] = build->runner;
  argv[2] = build->state_dir;
  argv[3] = path;
  argv[4] = NULL;

  _pw_command_run_in_async (build->container, argv,
                            build->fresh_shell_per_command ? build->src_dir : build->cwd,
                            empty_environment, NULL, NULL, 60, build->cancellable,
                            exported_done_cb, g_object_ref (task));
}

/* Starting ------------------------------------------------------------------------ */

static void
prepare_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Build *build = g_task_get_task_data (task);
  const char * const *warnings;
  GError *error = NULL;
  guint n_phases = 0;

  flush_notes (build);

  if (!g_task_propagate_boolean (G_TASK (result), &error) ||
      !start_session (build, &error))
    {
      container_log (build, "Phase complete: DOWNLOAD_SOURCE State: FAILED");
      container_log (build, "Phase context status code: %s Message: %s",
                     g_error_matches (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION)
                     ? "YAML_FILE_ERROR" : "CLIENT_ERROR", error->message);
      build->error_logged = TRUE;
      end_build (task, error);
      return;
    }

  warnings = pw_buildspec_get_warnings (build->spec);
  for (guint i = 0; warnings[i] != NULL; i++)
    container_log (build, "%s", warnings[i]);

  container_log (build, "Processing environment variables");
  container_log (build, "Moving to directory %s", build->src_dir);

  for (guint i = 0; i < PW_BUILDSPEC_N_PHASES; i++)
    n_phases += pw_buildspec_get_phase (build->spec, i)->present ? 1 : 0;
  container_log (build, "Phases found in YAML: %u", n_phases);
  for (guint i = 0; i < PW_BUILDSPEC_N_PHASES; i++)
    {
      const PwBuildspecPhase *phase = pw_buildspec_get_phase (build->spec, i);

      if (phase->present)
        container_log (build, " %s: %u commands", pw_buildspec_phase_get_label (i),
                       phase->commands != NULL ? g_strv_length (phase->commands) : 0);
    }

  container_log (build, "Phase complete: DOWNLOAD_SOURCE State: SUCCEEDED");
  container_log (build, "Phase context status code:  Message: ");

  build->phase = PW_BUILDSPEC_PHASE_INSTALL;
  run_phase (task);
}

static gboolean
setup_build (Build   *build,
             GError **error)
{
  PwActionJob *job = build->job;
  GPtrArray *inputs = pw_action_job_get_inputs (job);
  const char *primary_source = pw_action_job_get_config (job, "PrimarySource");
  const char *buildspec;
  guint timeout = pw_action_job_get_timeout (job);

  build->project = g_strdup (pw_action_job_get_config (job, "ProjectName"));
  if (build->project == NULL || build->project[0] == '\0')
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   "The CodeBuild action has no ProjectName; set it in its configuration");
      return FALSE;
    }

  build->uuid = g_uuid_string_random ();
  build->build_id = g_strdup_printf ("%s:%s", build->project, build->uuid);
  pw_action_job_set_external_id (job, build->build_id);

  build->start_time_ms = g_get_real_time () / 1000;
  build->timeout_seconds = timeout > 0 ? timeout : DEFAULT_TIMEOUT_SECONDS;
  build->deadline = g_get_monotonic_time () + (gint64)build->timeout_seconds * G_USEC_PER_SEC;

  build->src_dir = g_build_filename (build->work_dir, "src", NULL);
  build->output_dir = g_strdup (pw_action_job_get_output_dir (job));
  if (build->output_dir == NULL)
    build->output_dir = g_build_filename (build->work_dir, "output", NULL);
  build->cache_dir = g_strdup (pw_action_job_get_cache_dir (job));
  build->output_names = pw_action_job_dup_output_names (job);

  build->inputs = g_ptr_array_new_with_free_func (input_free);
  for (guint i = 0; i < inputs->len; i++)
    {
      PwJobArtifact *artifact = g_ptr_array_index (inputs, i);
      Input *input = g_new0 (Input, 1);

      input->name = g_strdup (artifact->name);
      input->zip_path = g_strdup (artifact->zip_path);
      input->revision = g_strdup (artifact->revision);
      g_ptr_array_add (build->inputs, input);

      if (g_strcmp0 (input->name, primary_source) == 0)
        build->primary = input;
    }

  if (primary_source != NULL && primary_source[0] != '\0' && build->primary == NULL)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   "PrimarySource %s is not one of the action's input artifacts",
                   primary_source);
      return FALSE;
    }

  if (build->primary == NULL && build->inputs->len > 1)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   "The CodeBuild action has %u input artifacts, so its configuration needs "
                   "PrimarySource: the input artifact the buildspec runs in",
                   build->inputs->len);
      return FALSE;
    }

  if (build->primary == NULL && build->inputs->len == 1)
    build->primary = g_ptr_array_index (build->inputs, 0);

  for (guint i = 0; i < build->inputs->len; i++)
    {
      Input *input = g_ptr_array_index (build->inputs, i);
      g_autofree char *dir_name = NULL;

      if (input == build->primary)
        {
          input->dir = g_strdup (build->src_dir);
          continue;
        }

      /* Artifact names are letters, digits, '-' and '_', but keep any
       * other name inside the work folder too. */
      {
        g_autofree char *encoded = pw_state_encode_name (input->name);

        dir_name = g_strdup_printf ("src_%s", encoded);
      }
      input->dir = g_build_filename (build->work_dir, dir_name, NULL);
    }

  buildspec = pw_local_profile_get_string (build->profile, "codebuild", build->project,
                                           "buildspec");
  if (buildspec != NULL)
    {
      build->profile_buildspec = g_strdup (buildspec);
      if (strchr (buildspec, '\n') == NULL)
        build->profile_buildspec_path = pw_local_profile_resolve_path (build->profile, buildspec);
    }

  return TRUE;
}

static void
pw_codebuild_provider_run_async (PwProvider          *provider,
                                 PwActionJob         *job,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  PwLocalProfile *profile;
  Build *build;

  g_assert (PW_IS_CODEBUILD_PROVIDER (provider));
  g_assert (PW_IS_ACTION_JOB (job));

  task = g_task_new (provider, cancellable, callback, user_data);
  g_task_set_source_tag (task, pw_codebuild_provider_run_async);
  /* A stop is answered by us, once the build's processes are gone and its
   * secrets removed, not by GTask at once. */
  g_task_set_check_cancellable (task, FALSE);

  build = g_new0 (Build, 1);
  g_task_set_task_data (task, build, build_free);
  build->job = g_object_ref (job);
  build->cancellable = cancellable != NULL ? g_object_ref (cancellable) : g_cancellable_new ();
  profile = pw_action_job_get_profile (job);
  build->profile = profile != NULL ? g_object_ref (profile) : pw_local_profile_new ();
  build->notes = g_ptr_array_new_with_free_func (g_free);
  build->outputs = g_ptr_array_new_with_free_func (output_free);
  build->secret_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  build->buildspec_secret_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  build->succeeding = TRUE;

  build->work_dir = g_strdup (pw_action_job_get_work_dir (job));
  if (build->work_dir == NULL)
    {
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                               "The CodeBuild action has no work folder");
      return;
    }

  if (pw_action_job_get_log (job) != NULL)
    build->log = g_object_ref (pw_action_job_get_log (job));
  else
    {
      g_autofree char *log_path = NULL;

      g_mkdir_with_parents (build->work_dir, 0755);
      log_path = g_build_filename (build->work_dir, "codebuild.log", NULL);
      build->log = pw_log_new (log_path, &error);
      if (build->log == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }

  if (!setup_build (build, &error))
    {
      finish_with_error (task, g_steal_pointer (&error));
      return;
    }

  build->container = _pw_container_new (&error);
  if (build->container == NULL)
    {
      g_warning ("Build %s runs without a container: %s", build->build_id, error->message);
      g_clear_error (&error);
    }

  container_log (build, "Running CodeBuild project %s locally as build %s",
                 build->project, build->build_id);
  container_log (build, "Phase is DOWNLOAD_SOURCE");
  container_log (build, "CODEBUILD_SRC_DIR=%s", build->src_dir);

  run_in_thread (task, prepare_thread, prepare_done);
}

static gboolean
pw_codebuild_provider_run_finish (PwProvider    *provider,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        pw_codebuild_provider_run_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
provider_iface_init (PwProviderInterface *iface)
{
  iface->run_async = pw_codebuild_provider_run_async;
  iface->run_finish = pw_codebuild_provider_run_finish;
}

static void
pw_codebuild_provider_class_init (PwCodebuildProviderClass *klass)
{
}

static void
pw_codebuild_provider_init (PwCodebuildProvider *self)
{
}

/**
 * pw_codebuild_provider_new:
 *
 * The provider of Build and Test actions of provider CodeBuild.
 *
 * Returns: (transfer full): a #PwProvider
 */
PwProvider *
pw_codebuild_provider_new (void)
{
  return g_object_new (pw_codebuild_provider_get_type (), NULL);
}
