/* pw-local-check.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* What `validate` checks of a local run before it starts: the buildspec
 * each CodeBuild action will read (found as the run finds it: the profile's
 * inline YAML or path, else buildspec.yml at the primary source's root),
 * parsed with the run's own parser so its findings are the run's, with
 * their positions; the appspec of a CodeDeploy action whose revision is a
 * source; and, said as notes, which file each project reads and why. */

#define G_LOG_DOMAIN "pw-local-check"

#include "config.h"

#include <string.h>

#include "pw-engine.h"
#include "pw-engine-private.h"

typedef struct
{
  PwPipeline     *pipeline;
  PwLocalProfile *profile;
  gboolean        have_profile;
  char           *pipeline_dir;
  GPtrArray      *found;
  GPtrArray      *maps;        /* nullable: the source maps of the files read */
  GHashTable     *sources;     /* artifact name → its folder, or "" (not known before the run) */
  GHashTable     *readers;     /* buildspec path → "Stage/Action (project P)" */
  GHashTable     *mapped;      /* buildspec path → its source map, read once */
} Check;

/* Files ------------------------------------------------------------------- */

/* How a file is named in messages: relative to the current folder when it
 * is inside it, as a user typed it. */
static char *
display_name (const char *path)
{
  g_autofree char *cwd = g_get_current_dir ();
  gsize n = strlen (cwd);

  if (g_str_has_prefix (path, cwd) && path[n] == '/')
    return g_strdup (path + n + 1);
  return g_strdup (path);
}

/* The repository that holds @dir, or NULL. */
static char *
git_toplevel (const char *dir)
{
  g_autofree char *at = g_canonicalize_filename (dir, NULL);

  while (at != NULL)
    {
      g_autofree char *dot_git = g_build_filename (at, ".git", NULL);
      char *parent;

      if (g_file_test (dot_git, G_FILE_TEST_EXISTS))
        return g_steal_pointer (&at);
      parent = g_path_get_dirname (at);
      if (g_str_equal (parent, at))
        {
          g_free (parent);
          break;
        }
      g_free (at);
      at = parent;
    }
  return NULL;
}

static char *
action_label (PwStage  *stage,
              PwAction *action)
{
  return g_strdup_printf ("%s/%s", pw_stage_get_name (stage), pw_action_get_name (action));
}

static void
add (Check         *check,
     const char    *code,
     PwSeverity     severity,
     const char    *path,
     const char    *file,
     guint          line,
     guint          column,
     const char    *message)
{
  PwDiagnostic *d = pw_diagnostic_new (code, severity, path, message);

  if (file != NULL)
    pw_diagnostic_set_location (d, file, line, column);
  g_ptr_array_add (check->found, d);
}

/* Keeps the file's text for the report's source lines and carets. */
static void
remember_file (Check      *check,
               const char *name,
               const char *data,
               gsize       length)
{
  g_autoptr(GBytes) bytes = NULL;

  if (check->maps == NULL || g_hash_table_contains (check->mapped, name))
    return;
  bytes = g_bytes_new (data, length);
  g_hash_table_insert (check->mapped, g_strdup (name), GINT_TO_POINTER (1));
  g_ptr_array_add (check->maps, pw_source_map_new (name, bytes));
}

/* One `file:line:column: [warning: ]text` line of a parser's message as
 * a diagnostic at its place; a line without a position stays whole. */
static void
add_parser_lines (Check       *check,
                  const char  *code,
                  PwSeverity   severity,
                  const char  *path,
                  const char  *file,
                  const char  *text,
                  const char  *prefix)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *rest = lines[i];
      guint64 line = 0, column = 0;
      char *end;
      g_autofree char *message = NULL;

      if (*rest == '\0')
        continue;
      if (g_str_has_prefix (rest, file) && rest[strlen (file)] == ':')
        {
          rest += strlen (file) + 1;
          line = g_ascii_strtoull (rest, &end, 10);
          if (end != rest && *end == ':')
            {
              rest = end + 1;
              column = g_ascii_strtoull (rest, &end, 10);
              rest = end;
              if (*rest == ':')
                rest++;
              while (*rest == ' ')
                rest++;
            }
          else
            line = 0;
        }
      if (g_str_has_prefix (rest, "warning: "))
        rest += strlen ("warning: ");
      message = g_strconcat (prefix, rest, NULL);
      add (check, code, severity, path, line > 0 ? file : NULL, (guint)line, (guint)column, message);
    }
}

/* Sources ------------------------------------------------------------------ */

static gboolean
is_git_source (PwAction *action)
{
  const char *provider = pw_action_get_provider (action);

  return g_strcmp0 (pw_action_get_category (action), "Source") == 0 &&
         (g_strcmp0 (provider, "CodeCommit") == 0 ||
          g_strcmp0 (provider, "CodeStarSourceConnection") == 0 ||
          g_strcmp0 (provider, "GitHub") == 0);
}

/* Where a source action's files are before the run: its repository's work
 * tree, an S3 source's folder; NULL when they are known only once it runs
 * (an S3 object that is a zip, a provider the run simulates). */
static char *
source_dir (Check    *check,
            PwAction *action)
{
  const char *name = pw_action_get_name (action);

  if (is_git_source (action))
    {
      const char *repository = pw_local_profile_get_string (check->profile, "sources", name, "repository");
      g_autofree char *dir = repository != NULL && *repository != '\0'
        ? pw_local_profile_resolve_path (check->profile, repository)
        : g_strdup (check->pipeline_dir);
      char *top = git_toplevel (dir);

      return top != NULL ? top : (g_file_test (dir, G_FILE_TEST_IS_DIR) ? g_steal_pointer (&dir) : NULL);
    }

  if (g_strcmp0 (pw_action_get_category (action), "Source") == 0 &&
      g_strcmp0 (pw_action_get_provider (action), "S3") == 0)
    {
      const char *mapped = pw_local_profile_get_string (check->profile, "sources", name, "path");
      const char *bucket = pw_action_get_configuration_string (action, "S3Bucket");
      const char *key = pw_action_get_configuration_string (action, "S3ObjectKey");
      g_autofree char *path = NULL;

      if (mapped != NULL)
        path = pw_local_profile_resolve_path (check->profile, mapped);
      else if (bucket != NULL && key != NULL && strstr (key, "..") == NULL)
        {
          const char *bucket_mapped = pw_local_profile_get_string (check->profile, "s3", bucket, NULL);
          g_autofree char *bucket_dir = bucket_mapped != NULL
            ? pw_local_profile_resolve_path (check->profile, bucket_mapped)
            : g_build_filename (check->pipeline_dir, ".pipewright", "s3", bucket, NULL);

          path = g_build_filename (bucket_dir, key, NULL);
        }
      if (path != NULL && g_file_test (path, G_FILE_TEST_IS_DIR))
        return g_steal_pointer (&path);
    }

  return NULL;
}

static void
find_sources (Check *check)
{
  for (guint s = 0; s < pw_pipeline_get_n_stages (check->pipeline); s++)
    {
      PwStage *stage = pw_pipeline_get_stage (check->pipeline, s);

      for (guint a = 0; a < pw_stage_get_n_actions (stage); a++)
        {
          PwAction *action = pw_stage_get_action (stage, a);
          g_autofree char *dir = NULL;

          if (pw_action_get_n_output_artifacts (action) == 0 || pw_action_get_output_artifact (action, 0) == NULL)
            continue;
          dir = g_strcmp0 (pw_action_get_category (action), "Source") == 0 ? source_dir (check, action) : NULL;
          for (guint o = 0; o < pw_action_get_n_output_artifacts (action); o++)
            if (pw_action_get_output_artifact (action, o) != NULL)
              g_hash_table_replace (check->sources, g_strdup (pw_action_get_output_artifact (action, o)),
                                    g_strdup (dir != NULL ? dir : ""));
        }
    }
}

/* The profile ---------------------------------------------------------------- */

/* Adds to @names what the pipeline's actions give @section's entries to
 * match: CodeBuild projects, source action names, action names. */
static void
collect_names (Check      *check,
               const char *section,
               GPtrArray  *names)
{
  for (guint s = 0; s < pw_pipeline_get_n_stages (check->pipeline); s++)
    {
      PwStage *stage = pw_pipeline_get_stage (check->pipeline, s);

      for (guint a = 0; a < pw_stage_get_n_actions (stage); a++)
        {
          PwAction *action = pw_stage_get_action (stage, a);
          const char *name = NULL;

          if (g_str_equal (section, "codebuild"))
            name = g_strcmp0 (pw_action_get_provider (action), "CodeBuild") == 0
              ? pw_action_get_configuration_string (action, "ProjectName") : NULL;
          else if (g_str_equal (section, "sources"))
            name = g_strcmp0 (pw_action_get_category (action), "Source") == 0 ? pw_action_get_name (action) : NULL;
          else
            name = pw_action_get_name (action);
          if (name != NULL)
            g_ptr_array_add (names, (gpointer)name);
        }
    }
  g_ptr_array_add (names, NULL);
}

/* An entry of the profile that matches nothing of this pipeline is most
 * often a typo, which would make the run fall back in silence (a test
 * project running the build's buildspec). A profile may serve several
 * pipelines, so one that resembles nothing is only noted. */
static void
check_profile_names (Check *check)
{
  static const char * const sections[] = { "codebuild", "sources", "commands" };
  static const char * const what[] = { "CodeBuild project", "source action", "action" };

  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    {
      g_auto(GStrv) entries = pw_local_profile_dup_names (check->profile, sections[i]);
      g_autoptr(GPtrArray) names = g_ptr_array_new ();

      if (entries == NULL)
        continue;
      collect_names (check, sections[i], names);
      for (guint e = 0; entries[e] != NULL; e++)
        {
          const char *meant;
          g_autofree char *message = NULL;
          gboolean known = FALSE;

          for (guint n = 0; names->pdata[n] != NULL; n++)
            known |= g_str_equal (entries[e], names->pdata[n]);
          if (known)
            continue;
          meant = pw_suggest_word (entries[e], (const char * const *)names->pdata);
          if (meant != NULL)
            message = g_strdup_printf ("%s.%s in pipewright.local.yml names no %s of this pipeline; "
                                       "did you mean %s.%s?", sections[i], entries[e], what[i],
                                       sections[i], meant);
          else
            message = g_strdup_printf ("%s.%s in pipewright.local.yml names no %s of this pipeline "
                                       "(another pipeline may use it)", sections[i], entries[e], what[i]);
          add (check, "L07", meant != NULL ? PW_SEVERITY_WARNING : PW_SEVERITY_NOTE, "", NULL, 0, 0, message);
        }
    }
}

/* CodeBuild ---------------------------------------------------------------- */

static void
check_exported_secrets (Check       *check,
                        const char  *path,
                        PwAction    *action,
                        const char  *project,
                        PwBuildspec *spec)
{
  const char * const *exported = pw_buildspec_get_exported_variables (spec);
  GPtrArray *variables = pw_buildspec_get_variables (spec);

  for (guint i = 0; exported != NULL && exported[i] != NULL; i++)
    for (guint v = 0; v < variables->len; v++)
      {
        PwBuildspecVariable *variable = g_ptr_array_index (variables, v);
        g_autofree char *message = NULL;

        if (variable->type == PW_BUILDSPEC_VARIABLE_PLAINTEXT || !g_str_equal (variable->name, exported[i]))
          continue;
        message = g_strdup_printf ("the buildspec of %s (project %s) exports %s, a %s value: CodeBuild "
                                   "hands it in clear text to every action that uses it, and its "
                                   "documentation warns against exporting secrets; locally it is masked "
                                   "as *** in logs, records and events only",
                                   pw_action_get_name (action), project, variable->name,
                                   variable->type == PW_BUILDSPEC_VARIABLE_SECRETS_MANAGER
                                   ? "secrets-manager" : "parameter-store");
        add (check, "L05", PW_SEVERITY_WARNING, path, pw_buildspec_get_filename (spec),
             variable->line, variable->column, message);
      }
}

static void
parse_and_report (Check       *check,
                  const char  *path,
                  PwAction    *action,
                  const char  *project,
                  const char  *file_path,   /* NULL: inline */
                  const char  *inline_text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwBuildspec) spec = NULL;
  g_autofree char *name = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (file_path != NULL)
    {
      name = display_name (file_path);
      if (!g_file_get_contents (file_path, &contents, &length, &error))
        {
          g_autofree char *message = g_strdup_printf ("%s cannot be read: %s", name, error->message);

          add (check, "L03", PW_SEVERITY_ERROR, path, NULL, 0, 0, message);
          return;
        }
    }
  else
    {
      name = g_strdup ("inline-buildspec.yml");
      contents = g_strdup (inline_text);
      length = strlen (contents);
    }

  remember_file (check, name, contents, length);
  spec = pw_buildspec_parse (contents, length, name, &error);
  if (spec == NULL)
    {
      add_parser_lines (check, "L01", PW_SEVERITY_ERROR, path, name, error->message, "");
      return;
    }
  for (const char * const *w = pw_buildspec_get_warnings (spec); w != NULL && *w != NULL; w++)
    add_parser_lines (check, "L02", PW_SEVERITY_WARNING, path, name, *w, "");
  check_exported_secrets (check, path, action, project, spec);
}

static void
check_codebuild (Check    *check,
                 guint     s,
                 guint     a,
                 PwStage  *stage,
                 PwAction *action)
{
  const char *project = pw_action_get_configuration_string (action, "ProjectName");
  const char *primary = pw_action_get_configuration_string (action, "PrimarySource");
  const char *value;
  const char *src = NULL;
  /* Said only when something is reported (most actions report nothing:
   * a 2,451-action pipeline spent 3% of its validation formatting them). */
  g_autofree char *path = NULL;
  g_autofree char *label = NULL;
  g_autofree char *file = NULL;
  g_autofree char *why = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *message = NULL;
  const char *reader;

  if (project == NULL || *project == '\0')
    return;
#define NEED_LABELS() G_STMT_START {                                            \
    if (path == NULL)                                                           \
      {                                                                         \
        path = g_strdup_printf ("stages[%u].actions[%u]", s, a);                \
        label = action_label (stage, action);                                   \
      }                                                                         \
  } G_STMT_END
  if (primary == NULL && pw_action_get_n_input_artifacts (action) > 0)
    primary = pw_action_get_input_artifact (action, 0);
  if (primary != NULL)
    src = g_hash_table_lookup (check->sources, primary);

  value = pw_local_profile_get_string (check->profile, "codebuild", project, "buildspec");
  if (value != NULL && strchr (value, '\n') != NULL)
    {
      if (check->have_profile)
        {
          NEED_LABELS ();
          message = g_strdup_printf ("%s (project %s) reads the inline buildspec of codebuild.%s "
                                     "in pipewright.local.yml", label, project, project);
          add (check, "L04", PW_SEVERITY_NOTE, path, NULL, 0, 0, message);
        }
      NEED_LABELS ();
      parse_and_report (check, path, action, project, NULL, value);
      return;
    }

  if (value == NULL)
    {
      gboolean has_entry = pw_local_profile_get_entry (check->profile, "codebuild", project) != NULL;
      g_auto(GStrv) mapped = NULL;
      const char *meant = NULL;

      if (src == NULL || *src == '\0')
        {
          if (check->have_profile)
            {
              NEED_LABELS ();
              message = g_strdup_printf ("%s (project %s) reads buildspec.yml from its input "
                                         "artifact %s, which exists only once the run made it: "
                                         "its buildspec is checked then", label, project,
                                         primary != NULL ? primary : "(none)");
              add (check, "L04", PW_SEVERITY_NOTE, path, NULL, 0, 0, message);
            }
          return;
        }
      file = g_build_filename (src, "buildspec.yml", NULL);
      shown = display_name (file);
      if (!has_entry && check->have_profile)
        {
          mapped = pw_local_profile_dup_names (check->profile, "codebuild");
          meant = pw_suggest_word (project, (const char * const *)mapped);
        }
      if (meant != NULL)
        {
          /* A typo in the profile: a test action would run the build's
           * buildspec and pass. */
          NEED_LABELS ();
          message = g_strdup_printf ("pipewright.local.yml maps no codebuild.%s (did you mean "
                                     "codebuild.%s?): %s reads %s at the source root, CodeBuild's "
                                     "default", project, meant, label, shown);
          add (check, "L04", PW_SEVERITY_WARNING, path, NULL, 0, 0, message);
        }
      else if (check->have_profile && has_entry)
        why = g_strdup_printf ("CodeBuild's default, as codebuild.%s in pipewright.local.yml names "
                               "no buildspec", project);
      else if (check->have_profile)
        why = g_strdup_printf ("CodeBuild's default, as pipewright.local.yml maps no codebuild.%s",
                               project);
      if (!g_file_test (file, G_FILE_TEST_IS_REGULAR))
        {
          /* Without a profile the file may be meant for AWS alone. */
          if (!check->have_profile)
            return;
          NEED_LABELS ();
          message = g_strdup_printf ("%s (project %s) will find no buildspec: %s does not exist at "
                                     "the root of its primary source (input artifact %s); add it "
                                     "there, or name another file (or inline YAML) with "
                                     "codebuild.%s.buildspec in pipewright.local.yml",
                                     label, project, shown, primary, project);
          add (check, "L03", PW_SEVERITY_ERROR, path, NULL, 0, 0, message);
          return;
        }
    }
  else
    {
      g_autofree char *beside_profile = pw_local_profile_resolve_path (check->profile, value);

      if (g_path_is_absolute (value))
        file = g_strdup (value);
      else if (src != NULL && *src != '\0')
        file = g_canonicalize_filename (value, src);
      if (file == NULL || !g_file_test (file, G_FILE_TEST_IS_REGULAR))
        {
          g_free (file);
          file = g_strdup (beside_profile);
          why = g_strdup_printf ("codebuild.%s.buildspec in pipewright.local.yml, beside the profile",
                                 project);
        }
      else
        why = g_strdup_printf ("codebuild.%s.buildspec in pipewright.local.yml", project);
      shown = display_name (file);
      if (!g_file_test (file, G_FILE_TEST_IS_REGULAR))
        {
          if (src == NULL || *src == '\0')
            {
              NEED_LABELS ();
              message = g_strdup_printf ("%s (project %s) reads %s (codebuild.%s.buildspec) from its "
                                         "input artifact %s, which exists only once the run made it: "
                                         "its buildspec is checked then", label, project, value,
                                         project, primary != NULL ? primary : "(none)");
              add (check, "L04", PW_SEVERITY_NOTE, path, NULL, 0, 0, message);
              return;
            }
          NEED_LABELS ();
          message = g_strdup_printf ("the buildspec %s named by codebuild.%s.buildspec in "
                                     "pipewright.local.yml is neither in the primary source nor "
                                     "beside the profile", value, project);
          add (check, "L03", PW_SEVERITY_ERROR, path, NULL, 0, 0, message);
          return;
        }
    }

  if (why != NULL)
    {
      NEED_LABELS ();
      message = g_strdup_printf ("%s (project %s) reads %s: %s", label, project, shown, why);
      add (check, "L04", PW_SEVERITY_NOTE, path, NULL, 0, 0, message);
    }

  /* Two projects on one file: one of them most likely meant its own. */
  reader = g_hash_table_lookup (check->readers, file);
  if (reader != NULL)
    {
      g_autofree char *other_project = NULL;
      const char *open = strstr (reader, " (project ");

      other_project = open != NULL ? g_strndup (open + 10, strlen (open + 10) - 1) : NULL;
      if (g_strcmp0 (other_project, project) != 0)
        {
          g_free (message);
          NEED_LABELS ();
          message = g_strdup_printf ("%s (project %s) reads the same buildspec as %s: %s; a "
                                     "project that should run its own needs codebuild.%s.buildspec "
                                     "in pipewright.local.yml", label, project, reader, shown, project);
          add (check, "L04", PW_SEVERITY_WARNING, path, NULL, 0, 0, message);
        }
      /* The file's findings were said with its first reader. */
      return;
    }

  NEED_LABELS ();
  g_hash_table_insert (check->readers, g_strdup (file), g_strdup_printf ("%s (project %s)", label, project));
  parse_and_report (check, path, action, project, file, NULL);
#undef NEED_LABELS
}

/* CodeDeploy --------------------------------------------------------------- */

static void
check_codedeploy (Check    *check,
                  guint     s,
                  guint     a,
                  PwStage  *stage,
                  PwAction *action)
{
  const char *input = pw_action_get_n_input_artifacts (action) > 0 ? pw_action_get_input_artifact (action, 0) : NULL;
  const char *dir = input != NULL ? g_hash_table_lookup (check->sources, input) : NULL;
  g_autofree char *path = g_strdup_printf ("stages[%u].actions[%u]", s, a);
  g_autoptr(GError) error = NULL;
  g_autoptr(PwAppspec) spec = NULL;

  /* A revision a build makes is read when the run has it. */
  if (dir == NULL || *dir == '\0')
    return;

  spec = pw_appspec_load (dir, &error);
  if (spec == NULL)
    {
      g_autofree char *label = action_label (stage, action);
      g_autofree char *prefix = g_strdup_printf ("%s: ", label);
      g_autofree char *appspec = g_build_filename (dir, "appspec.yml", NULL);
      g_autofree char *contents = NULL;
      gsize length;

      if (g_file_get_contents (appspec, &contents, &length, NULL))
        remember_file (check, "appspec.yml", contents, length);
      add_parser_lines (check, "L06", PW_SEVERITY_ERROR, path, "appspec.yml", error->message, prefix);
    }
}

/**
 * pw_local_check_pipeline:
 * @pipeline: a pipeline
 * @pipeline_path: its file
 * @profile: (nullable): its local profile, when it has one
 * @maps: (nullable) (element-type PwSourceMap): where the source maps of
 *   the files read are added, for the report's carets
 *
 * What validation of the pipeline alone cannot see, but a local run reads:
 * the buildspecs (L01 errors, L02 warnings, L03 missing, L04 which file
 * and why, L05 exported secrets) and the appspecs of revisions that are
 * sources (L06).
 *
 * Returns: (transfer full) (element-type PwDiagnostic): the findings
 */
GPtrArray *
pw_local_check_pipeline (PwPipeline     *pipeline,
                         const char     *pipeline_path,
                         PwLocalProfile *profile,
                         GPtrArray      *maps)
{
  g_autoptr(PwLocalProfile) empty = NULL;
  Check check = { 0 };

  g_return_val_if_fail (PW_IS_PIPELINE (pipeline), NULL);
  g_return_val_if_fail (pipeline_path != NULL, NULL);

  if (profile == NULL)
    profile = empty = pw_local_profile_new ();
  check.pipeline = pipeline;
  check.profile = profile;
  check.have_profile = empty == NULL;
  check.pipeline_dir = g_path_get_dirname (pipeline_path);
  check.found = g_ptr_array_new_with_free_func (g_object_unref);
  check.maps = maps;
  check.sources = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  check.readers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  check.mapped = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  find_sources (&check);
  if (check.have_profile)
    check_profile_names (&check);

  for (guint s = 0; s < pw_pipeline_get_n_stages (pipeline); s++)
    {
      PwStage *stage = pw_pipeline_get_stage (pipeline, s);

      for (guint a = 0; a < pw_stage_get_n_actions (stage); a++)
        {
          PwAction *action = pw_stage_get_action (stage, a);
          const char *provider = pw_action_get_provider (action);
          const char *category = pw_action_get_category (action);

          if (g_strcmp0 (pw_action_get_owner (action), "AWS") != 0)
            continue;
          if (g_strcmp0 (provider, "CodeBuild") == 0 &&
              (g_strcmp0 (category, "Build") == 0 || g_strcmp0 (category, "Test") == 0))
            check_codebuild (&check, s, a, stage, action);
          else if (g_strcmp0 (provider, "CodeDeploy") == 0 && g_strcmp0 (category, "Deploy") == 0)
            check_codedeploy (&check, s, a, stage, action);
        }
    }

  g_free (check.pipeline_dir);
  g_hash_table_unref (check.sources);
  g_hash_table_unref (check.readers);
  g_hash_table_unref (check.mapped);
  return check.found;
}
