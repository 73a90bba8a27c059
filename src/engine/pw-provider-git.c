/* pw-provider-git.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-provider-git"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "pw-engine-private.h"

/* Git commands are quick; this only stops a hung one (a credential helper
 * waiting on a terminal, say) when the job gives no timeout of its own. */
#define GIT_TIMEOUT_SECONDS 600

#define PW_TYPE_GIT_SOURCE_PROVIDER (pw_git_source_provider_get_type ())

G_DECLARE_FINAL_TYPE (PwGitSourceProvider, pw_git_source_provider, PW, GIT_SOURCE_PROVIDER, GObject)

struct _PwGitSourceProvider
{
  GObject parent_instance;
};

typedef enum
{
  GIT_CODECOMMIT,
  GIT_CONNECTION,
  GIT_GITHUB_V1,
} GitKind;

typedef struct
{
  /* Owned references */
  PwActionJob *job;
  PwLog       *log;
  char       **env;

  GitKind      kind;
  char        *dir;          /* where git runs: the profile's repository or the pipeline folder */
  char        *toplevel;     /* the repository's folder, for names and messages */
  char        *branch;
  char        *commit;
  char        *message;
  char        *author_date;
  char        *committer_date;
  char        *output_name;
  char        *zip_path;
  char        *tmp_path;
  char        *worktree_note;   /* what of the working tree this run leaves out */
  char        *index_path;      /* --working-tree: a scratch index, not the user's */
  guint        timeout;
} GitRun;

static void pw_git_source_provider_iface_init (PwProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PwGitSourceProvider, pw_git_source_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PW_TYPE_PROVIDER,
                                                      pw_git_source_provider_iface_init))

static void
git_run_free (GitRun *run)
{
  if (run->tmp_path != NULL)
    g_unlink (run->tmp_path);

  g_clear_object (&run->job);
  g_clear_object (&run->log);
  g_clear_pointer (&run->env, g_strfreev);
  g_free (run->dir);
  g_free (run->toplevel);
  g_free (run->branch);
  g_free (run->commit);
  g_free (run->message);
  g_free (run->author_date);
  g_free (run->committer_date);
  g_free (run->output_name);
  g_free (run->zip_path);
  g_free (run->tmp_path);
  g_free (run->worktree_note);
  if (run->index_path != NULL)
    g_unlink (run->index_path);
  g_free (run->index_path);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GitRun, git_run_free)

static void
log_line (GitRun     *run,
          const char *format,
          ...) G_GNUC_PRINTF (2, 3);

static void
log_line (GitRun     *run,
          const char *format,
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

/* Errors from pw_command are already ours when they are a timeout or a
 * cancellation; anything else (git missing from PATH) fails the action. */
static void
return_command_error (GTask  *task,
                      GError *error)
{
  if (error->domain == PW_ENGINE_ERROR)
    g_task_return_error (task, error);
  else
    {
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                               _("Could not run git: %s"), error->message);
      g_error_free (error);
    }
}

static void
git_capture (GTask               *task,
             GAsyncReadyCallback  callback,
             const char * const  *args)
{
  GitRun *run = g_task_get_task_data (task);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;

  g_strv_builder_add (builder, "git");
  g_strv_builder_addv (builder, (const char **)args);
  argv = g_strv_builder_end (builder);

  /* Our own reading of the repository: no container (see
   * pw-container.c) for it. */
  _pw_command_capture_plain_async ((const char * const *)argv,
                                   run->dir,
                                   (const char * const *)run->env,
                                   NULL,
                                   run->log,
                                   run->timeout,
                                   g_task_get_cancellable (task),
                                   callback,
                                   task);
}

static gboolean
git_capture_finish (GTask         *task,
                    GAsyncResult  *result,
                    int           *exit_status,
                    char         **stdout_text)
{
  GError *error = NULL;

  if (!pw_command_capture_finish (result, exit_status, stdout_text, &error))
    {
      return_command_error (task, error);
      g_object_unref (task);
      return FALSE;
    }

  return TRUE;
}

static const char *
kind_variable_repository (GitKind kind)
{
  return kind == GIT_CONNECTION ? "FullRepositoryName" : "RepositoryName";
}

static void
finish_success (GTask *task)
{
  GitRun *run = g_task_get_task_data (task);
  PwActionJob *job = run->job;
  g_autofree char *repo_name = NULL;
  g_autofree char *summary = NULL;
  const char *configured = NULL;
  const char *eol;

  switch (run->kind)
    {
    case GIT_CODECOMMIT:
      configured = pw_action_job_get_config (job, "RepositoryName");
      break;

    case GIT_CONNECTION:
      configured = pw_action_job_get_config (job, "FullRepositoryId");
      break;

    case GIT_GITHUB_V1:
      configured = pw_action_job_get_config (job, "Repo");
      break;

    default:
      g_assert_not_reached ();
    }

  /* The configured name is what `#{Source.RepositoryName}` means in AWS;
   * the folder name only stands in when the configuration has none. */
  if (configured != NULL && configured[0] != '\0')
    repo_name = g_strdup (configured);
  else
    repo_name = g_path_get_basename (run->toplevel);

  pw_action_job_set_output_variable (job, "CommitId", run->commit);
  pw_action_job_set_output_variable (job, "CommitMessage", run->message);
  pw_action_job_set_output_variable (job, "BranchName", run->branch);
  pw_action_job_set_output_variable (job, "AuthorDate", run->author_date);
  pw_action_job_set_output_variable (job, kind_variable_repository (run->kind), repo_name);

  if (run->kind != GIT_CONNECTION)
    pw_action_job_set_output_variable (job, "CommitterDate", run->committer_date);

  if (run->kind == GIT_CONNECTION)
    {
      const char *arn = pw_action_job_get_config (job, "ConnectionArn");

      pw_action_job_set_output_variable (job, "ConnectionArn", arn != NULL ? arn : "");
    }

  if (run->kind == GIT_GITHUB_V1)
    {
      g_autofree char *uri = g_filename_to_uri (run->toplevel, NULL, NULL);
      g_autofree char *url = NULL;

      /* GitHub's CommitUrl points at the commit page; the nearest local
       * thing is the repository folder with the commit as fragment. */
      url = g_strdup_printf ("%s#%s", uri != NULL ? uri : run->toplevel, run->commit);
      pw_action_job_set_output_variable (job, "CommitUrl", url);
    }

  eol = strchr (run->message, '\n');
  summary = eol != NULL ? g_strndup (run->message, eol - run->message) : g_strdup (run->message);

  if (run->worktree_note != NULL)
    {
      g_autofree char *message = g_steal_pointer (&summary);

      summary = g_strdup_printf ("%s (%s)", message, run->worktree_note);
    }
  pw_action_job_set_summary (job, summary);
  pw_action_job_set_external_id (job, run->commit);

  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
archive_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  GitRun *run = g_task_get_task_data (task);
  g_autofree char *out = NULL;
  int status = 0;

  if (!git_capture_finish (task, result, &status, &out))
    return;

  if (status != 0)
    {
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                               _("git archive of %s failed with exit status %d"),
                               run->commit, status);
      g_object_unref (task);
      return;
    }

  /* git writes the zip in place; renaming it into its final name means a
   * stopped run never leaves a half-written artifact behind. */
  if (g_rename (run->tmp_path, run->zip_path) != 0)
    {
      int errsv = errno;

      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                               _("Could not write %s: %s"), run->zip_path, g_strerror (errsv));
      g_object_unref (task);
      return;
    }

  g_clear_pointer (&run->tmp_path, g_free);
  pw_action_job_add_output (run->job, run->output_name, run->zip_path, run->commit);
  log_line (run, "Wrote %s (the tree of %s)", run->zip_path, run->commit);

  finish_success (task);
}

static void
start_archive (GTask *task)
{
  GitRun *run = g_task_get_task_data (task);
  g_auto(GStrv) outputs = pw_action_job_dup_output_names (run->job);
  const char *output_dir = pw_action_job_get_output_dir (run->job);
  const char *format = pw_action_job_get_config (run->job, "OutputArtifactFormat");
  g_autofree char *file_name = NULL;
  g_autofree char *tmp_name = NULL;
  g_autofree char *out_arg = NULL;

  if (outputs == NULL || outputs[0] == NULL)
    {
      log_line (run, "The action declares no output artifact; nothing to archive");
      finish_success (task);
      return;
    }

  if (output_dir == NULL)
    {
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                               _("The job has no output folder for artifact %s"), outputs[0]);
      g_object_unref (task);
      return;
    }

  /* A clone reference only means something to CodeBuild's own git clone;
   * the local CodeBuild reads zips, so it gets the tree like CODE_ZIP. */
  if (g_strcmp0 (format, "CODEBUILD_CLONE_REF") == 0)
    log_line (run, "OutputArtifactFormat CODEBUILD_CLONE_REF: the local artifact holds the full "
              "tree (as CODE_ZIP) without the .git folder, so downstream actions can read it");

  run->output_name = g_strdup (outputs[0]);
  file_name = g_strdup_printf ("%s.zip", run->output_name);
  tmp_name = g_strdup_printf (".%s.zip.part", run->output_name);
  run->zip_path = g_build_filename (output_dir, file_name, NULL);
  run->tmp_path = g_build_filename (output_dir, tmp_name, NULL);
  out_arg = g_strdup_printf ("--output=%s", run->tmp_path);

  /* git archive writes a real zip, keeps executable bits and is much
   * faster than checking the tree out and zipping it again. It honours
   * the repository's export-ignore attributes, as an export should. A
   * Pipewright state folder someone committed never travels in a source
   * artifact: it holds runs, logs and secrets' masks, not source. */
  {
    const char *args[] = { "archive", "--format=zip", out_arg, run->commit, "--", ".",
                           ":(exclude,glob)**/.pipewright/**", NULL };

    git_capture (task, archive_cb, args);
  }
}

static char *
format_git_time (const char *seconds)
{
  g_autoptr(GDateTime) dt = NULL;
  gint64 value;

  if (seconds == NULL || !g_ascii_string_to_signed (seconds, 10, G_MININT64, G_MAXINT64,
                                                    &value, NULL))
    return g_strdup ("");

  dt = g_date_time_new_from_unix_utc (value);
  if (dt == NULL)
    return g_strdup ("");

  /* The service writes commit dates as ISO-8601 in UTC, seconds only. */
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

static void start_archive (GTask *task);

/* A local run reads the branch's commit, as CodePipeline does: what the
 * working tree holds beyond it is not in the run, and is said. */
static void
status_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  GitRun *run = g_task_get_task_data (task);
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  guint changed = 0, untracked = 0;
  int status = 0;

  if (!git_capture_finish (task, result, &status, &out))
    return;

  lines = status == 0 && out != NULL ? g_strsplit (out, "\n", -1) : NULL;
  for (guint i = 0; lines != NULL && lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "??"))
        untracked++;
      else if (lines[i][0] != '\0')
        changed++;
    }
  if (changed + untracked > 0)
    {
      g_autofree char *short_commit = g_strndup (run->commit, 7);

      run->worktree_note = g_strdup_printf (_("commit %s of %s; not in this run: %u changed and %u "
                                              "untracked file(s) of the working tree — commit them "
                                              "to run them"),
                                            short_commit, run->branch, changed, untracked);
      log_line (run, "Source reads commit %s on %s; %u changed and %u untracked file(s) in the "
                "working tree are not in this run (commit them to run them)",
                short_commit, run->branch, changed, untracked);
    }

  start_archive (task);
}

static void
start_status (GTask *task)
{
  GitRun *run = g_task_get_task_data (task);
  const char *override = pw_action_job_get_source_revision (run->job);
  const char *args[] = { "status", "--porcelain", "--untracked-files=all", "--", ".",
                         ":(exclude,glob)**/.pipewright/**", NULL };

  /* A revision asked for is not the working tree's to compare with; nor
   * is the working tree itself. */
  if ((override != NULL && override[0] != '\0') || run->index_path != NULL)
    {
      start_archive (task);
      return;
    }
  git_capture (task, status_cb, args);
}

static void
log_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  GTask *task = user_data;
  GitRun *run = g_task_get_task_data (task);
  g_autofree char *out = NULL;
  g_auto(GStrv) fields = NULL;
  gsize len;
  int status = 0;

  if (!git_capture_finish (task, result, &status, &out))
    return;

  if (status != 0 || out == NULL)
    {
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                               _("Could not read commit %s in %s"), run->commit, run->toplevel);
      g_object_unref (task);
      return;
    }

  /* Three single-line fields, then the raw message, which may span lines. */
  fields = g_strsplit (out, "\n", 4);
  if (g_strv_length (fields) < 3)
    {
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                               _("Unexpected output from git log for %s"), run->commit);
      g_object_unref (task);
      return;
    }

  run->author_date = format_git_time (fields[1]);
  run->committer_date = format_git_time (fields[2]);
  run->message = g_strdup (fields[3] != NULL ? fields[3] : "");

  len = strlen (run->message);
  while (len > 0 && g_ascii_isspace (run->message[len - 1]))
    run->message[--len] = '\0';

  log_line (run, "Commit %s by %s", run->commit, run->author_date);

  start_status (task);
}

static void
start_log (GTask *task)
{
  GitRun *run = g_task_get_task_data (task);
  const char *args[] = { "log", "-1", "--no-show-signature", "--format=%H%n%at%n%ct%n%B",
                         run->commit, "--", NULL };

  git_capture (task, log_cb, args);
}

static void
branches_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  GitRun *run = g_task_get_task_data (task);
  g_autofree char *out = NULL;
  g_autofree char *list = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) names = NULL;
  int status = 0;

  if (!git_capture_finish (task, result, &status, &out))
    return;

  lines = g_strsplit (out != NULL ? out : "", "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      g_strv_builder_add (builder, lines[i]);
  names = g_strv_builder_end (builder);

  if (names[0] == NULL)
    g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                             _("branch '%s' does not exist in %s; the repository has no branches "
                               "yet (make a first commit)"),
                             run->branch, run->toplevel);
  else
    {
      list = g_strjoinv (", ", names);
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                               _("branch '%s' does not exist in %s; local branches: %s"),
                               run->branch, run->toplevel, list);
    }

  g_object_unref (task);
}

static void
resolve_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  GitRun *run = g_task_get_task_data (task);
  g_autofree char *out = NULL;
  int status = 0;

  if (!git_capture_finish (task, result, &status, &out))
    return;

  if (status != 0 || out == NULL || g_strstrip (out)[0] == '\0')
    {
      const char *override = pw_action_job_get_source_revision (run->job);

      if (override != NULL && override[0] != '\0')
        {
          g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                                   _("revision '%s' does not exist in %s"),
                                   override, run->toplevel);
          g_object_unref (task);
        }
      else
        {
          const char *args[] = { "for-each-ref", "--format=%(refname:short)", "refs/heads/",
                                 NULL };

          git_capture (task, branches_cb, args);
        }

      return;
    }

  run->commit = g_strdup (out);
  start_log (task);
}

/* --working-tree: the files of the working tree (tracked and untracked,
 * not those git ignores, never a state folder) are staged in a scratch
 * index, written as a tree and wrapped in a commit no ref points to; the
 * run then reads that commit as it reads a branch's. The user's index,
 * branches and stash are not touched. */
static gboolean
worktree_step_ok (GTask        *task,
                  GAsyncResult *result,
                  const char   *what,
                  char        **out)
{
  GitRun *run = g_task_get_task_data (task);
  int status = 0;

  if (!git_capture_finish (task, result, &status, out))
    return FALSE;
  if (status != 0)
    {
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                               _("Could not read the working tree of %s (%s failed with exit "
                                 "status %d); does the repository have a first commit?"),
                               run->toplevel, what, status);
      g_object_unref (task);
      return FALSE;
    }
  return TRUE;
}

static void
worktree_commit_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  GitRun *run = g_task_get_task_data (task);
  g_autofree char *out = NULL;

  if (!worktree_step_ok (task, result, "git commit-tree", &out))
    return;
  g_free (run->commit);
  run->commit = g_strstrip (g_steal_pointer (&out));
  log_line (run, "Read the working tree (with what is not committed) as commit %s", run->commit);
  start_log (task);
}

static void
worktree_tree_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  GitRun *run = g_task_get_task_data (task);
  g_autofree char *tree = NULL;
  g_autofree char *message = NULL;

  if (!worktree_step_ok (task, result, "git write-tree", &tree))
    return;
  g_strstrip (tree);
  run->env = g_environ_unsetenv (run->env, "GIT_INDEX_FILE");
  /* Who made the commit, so git needs no identity configured. */
  run->env = g_environ_setenv (run->env, "GIT_AUTHOR_NAME", "Pipewright", FALSE);
  run->env = g_environ_setenv (run->env, "GIT_AUTHOR_EMAIL", "pipewright@localhost", FALSE);
  run->env = g_environ_setenv (run->env, "GIT_COMMITTER_NAME", "Pipewright", FALSE);
  run->env = g_environ_setenv (run->env, "GIT_COMMITTER_EMAIL", "pipewright@localhost", FALSE);
  message = g_strdup_printf ("Working tree of %s (not committed)", run->toplevel);
  {
    const char *args[] = { "commit-tree", tree, "-p", "HEAD", "-m", message, NULL };

    git_capture (task, worktree_commit_cb, args);
  }
}

static void
worktree_added_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  g_autofree char *out = NULL;
  const char *args[] = { "write-tree", NULL };

  if (!worktree_step_ok (task, result, "git add", &out))
    return;
  git_capture (task, worktree_tree_cb, args);
}

static void
worktree_read_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  g_autofree char *out = NULL;
  const char *args[] = { "add", "--all", "--", ".", ":(exclude,glob)**/.pipewright/**", NULL };

  if (!worktree_step_ok (task, result, "git read-tree", &out))
    return;
  git_capture (task, worktree_added_cb, args);
}

static void
start_worktree (GTask *task)
{
  GitRun *run = g_task_get_task_data (task);
  const char *args[] = { "read-tree", "HEAD", NULL };

  run->index_path = g_build_filename (pw_action_job_get_work_dir (run->job), "worktree.index", NULL);
  g_unlink (run->index_path);
  run->env = g_environ_setenv (run->env, "GIT_INDEX_FILE", run->index_path, TRUE);
  log_line (run, "Reading the working tree of %s (--working-tree): tracked and untracked files, "
            "not those git ignores", run->toplevel);
  git_capture (task, worktree_read_cb, args);
}

static void
start_resolve (GTask *task)
{
  GitRun *run = g_task_get_task_data (task);
  const char *override = pw_action_job_get_source_revision (run->job);
  g_autofree char *spec = NULL;

  if ((override == NULL || override[0] == '\0') && pw_action_job_get_working_tree (run->job))
    {
      start_worktree (task);
      return;
    }

  if (override != NULL && override[0] != '\0')
    {
      /* A leading dash would make the revision an option to git. */
      if (override[0] == '-')
        {
          g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                                   _("revision '%s' does not exist in %s"),
                                   override, run->toplevel);
          g_object_unref (task);
          return;
        }

      log_line (run, "Using the source revision override %s (branch %s)", override, run->branch);
      spec = g_strdup_printf ("%s^{commit}", override);
    }
  else
    {
      log_line (run, "Reading the head of branch %s in %s", run->branch, run->toplevel);
      /* refs/heads/ so a tag or remote-tracking branch of the same name
       * never stands in for the local branch. */
      spec = g_strdup_printf ("refs/heads/%s^{commit}", run->branch);
    }

  {
    const char *args[] = { "rev-parse", "--verify", "--quiet", spec, NULL };

    git_capture (task, resolve_cb, args);
  }
}

static void
git_dir_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  GitRun *run = g_task_get_task_data (task);
  g_autofree char *out = NULL;
  int status = 0;

  if (!git_capture_finish (task, result, &status, &out))
    return;

  if (status != 0 || out == NULL || g_strstrip (out)[0] == '\0')
    {
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                               _("%s is not inside a git repository; map source action '%s' "
                                 "to one in pipewright.local.yml (sources: {%s: {repository: "
                                 "path/to/repo}})"),
                               run->dir,
                               pw_action_job_get_action_name (run->job),
                               pw_action_job_get_action_name (run->job));
      g_object_unref (task);
      return;
    }

  /* A bare repository: name it after its folder, minus the ".git". */
  if (g_str_has_suffix (out, ".git") && strlen (out) > 4)
    out[strlen (out) - 4] = '\0';
  run->toplevel = g_strdup (out);

  start_resolve (task);
}

static void
toplevel_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  GitRun *run = g_task_get_task_data (task);
  g_autofree char *out = NULL;
  int status = 0;

  if (!git_capture_finish (task, result, &status, &out))
    return;

  if (status != 0 || out == NULL || g_strstrip (out)[0] == '\0')
    {
      /* Not a work tree: maybe a bare repository, maybe no repository. */
      const char *args[] = { "rev-parse", "--absolute-git-dir", NULL };

      git_capture (task, git_dir_cb, args);
      return;
    }

  run->toplevel = g_strdup (out);

  /* git archive from a subfolder would only pack that subfolder. */
  g_free (run->dir);
  run->dir = g_strdup (run->toplevel);

  start_resolve (task);
}

static char **
git_environment (PwActionJob *job)
{
  char **env = pw_action_job_dup_environment (job);

  if (env == NULL)
    env = g_get_environ ();

  /* A GIT_DIR or GIT_WORK_TREE inherited from a hook or a shell would
   * point every command at another repository. */
  env = g_environ_unsetenv (env, "GIT_DIR");
  env = g_environ_unsetenv (env, "GIT_WORK_TREE");
  env = g_environ_unsetenv (env, "GIT_INDEX_FILE");
  env = g_environ_unsetenv (env, "GIT_COMMON_DIR");
  env = g_environ_unsetenv (env, "GIT_OBJECT_DIRECTORY");
  env = g_environ_setenv (env, "GIT_TERMINAL_PROMPT", "0", TRUE);
  env = g_environ_setenv (env, "GIT_PAGER", "cat", TRUE);

  return env;
}

static void
pw_git_source_provider_run_async (PwProvider          *provider,
                                  PwActionJob         *job,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GitRun) run = g_new0 (GitRun, 1);
  PwLocalProfile *profile = pw_action_job_get_profile (job);
  PwAction *action = pw_action_job_get_action (job);
  const char *name = pw_action_job_get_action_name (job);
  const char *provider_name = action != NULL ? pw_action_get_provider (action) : NULL;
  const char *repository = NULL;
  const char *branch_override = NULL;
  const char *branch;

  task = g_task_new (provider, cancellable, callback, user_data);
  g_task_set_source_tag (task, pw_git_source_provider_run_async);

  run->job = g_object_ref (job);
  if (pw_action_job_get_log (job) != NULL)
    run->log = g_object_ref (pw_action_job_get_log (job));
  run->env = git_environment (job);
  run->timeout = pw_action_job_get_timeout (job) != 0 ? pw_action_job_get_timeout (job)
                                                      : GIT_TIMEOUT_SECONDS;

  if (g_strcmp0 (provider_name, "CodeStarSourceConnection") == 0)
    run->kind = GIT_CONNECTION;
  else if (g_strcmp0 (provider_name, "GitHub") == 0)
    run->kind = GIT_GITHUB_V1;
  else
    run->kind = GIT_CODECOMMIT;

  if (profile != NULL && name != NULL)
    {
      repository = pw_local_profile_get_string (profile, "sources", name, "repository");
      branch_override = pw_local_profile_get_string (profile, "sources", name, "branch");
    }

  branch = pw_action_job_get_config (job, run->kind == GIT_GITHUB_V1 ? "Branch" : "BranchName");
  if (branch_override != NULL && branch_override[0] != '\0')
    branch = branch_override;

  if (branch == NULL || branch[0] == '\0')
    {
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                               _("Source action '%s' names no branch; set %s in its "
                                 "configuration or branch in pipewright.local.yml"),
                               name, run->kind == GIT_GITHUB_V1 ? "Branch" : "BranchName");
      return;
    }

  if (branch[0] == '-')
    {
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                               _("'%s' is not a valid branch name"), branch);
      return;
    }

  run->branch = g_strdup (branch);

  if (repository != NULL && repository[0] != '\0')
    run->dir = pw_local_profile_resolve_path (profile, repository);
  else if (pw_action_job_get_pipeline_dir (job) != NULL)
    run->dir = g_strdup (pw_action_job_get_pipeline_dir (job));

  if (run->dir == NULL || !g_file_test (run->dir, G_FILE_TEST_IS_DIR))
    {
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                               _("The repository folder %s of source action '%s' does not exist"),
                               run->dir != NULL ? run->dir : "(none)", name);
      return;
    }

  g_task_set_task_data (task, g_steal_pointer (&run), (GDestroyNotify)git_run_free);

  {
    const char *args[] = { "rev-parse", "--show-toplevel", NULL };

    git_capture (g_steal_pointer (&task), toplevel_cb, args);
  }
}

static gboolean
pw_git_source_provider_run_finish (PwProvider    *provider,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
pw_git_source_provider_iface_init (PwProviderInterface *iface)
{
  iface->run_async = pw_git_source_provider_run_async;
  iface->run_finish = pw_git_source_provider_run_finish;
}

static void
pw_git_source_provider_class_init (PwGitSourceProviderClass *klass)
{
}

static void
pw_git_source_provider_init (PwGitSourceProvider *self)
{
}

/**
 * pw_git_source_provider_new:
 *
 * The provider of git-based sources (CodeCommit, CodeStarSourceConnection,
 * GitHub version 1). It reads a local repository: the profile's
 * `sources.<ActionName>.repository`, or else the one holding the pipeline
 * file. The output artifact is a zip of the tree at the branch head (or at
 * the job's source revision override), with the provider's variables.
 *
 * Returns: (transfer full): a new provider
 */
PwProvider *
pw_git_source_provider_new (void)
{
  return g_object_new (PW_TYPE_GIT_SOURCE_PROVIDER, NULL);
}
