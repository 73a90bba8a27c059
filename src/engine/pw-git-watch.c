/* pw-git-watch.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-git-watch"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pw-engine.h"

/* One `git commit` touches a ref lock file, renames it, and may rewrite
 * packed-refs; a `git pull` moves several refs. Waiting this long after
 * the last event reads each burst once. */
#define DEBOUNCE_MS 100

typedef struct
{
  char *ref;
  char *old_oid;    /* NULL for a new ref */
  char *new_oid;
} Change;

struct _PwGitWatch
{
  GObject       parent_instance;

  /* Owned references */
  GCancellable *cancellable;
  GHashTable   *monitors;        /* path → GFileMonitor */
  GHashTable   *refs;            /* refname → oid, as last read */
  GQueue        pending;         /* Change, waiting to be announced */

  char         *top;             /* the work tree, or the bare repository */
  char         *git_dir;
  char         *common_dir;      /* where refs live (differs in a linked worktree) */
  char         *branch;          /* NULL: every branch and tag */

  /* Valid during a new-commit emission */
  char         *previous_commit;
  char        **changed_files;

  guint         debounce_id;
  guint         busy : 1;
};

enum {
  PROP_0,
  PROP_REPO_DIR,
  PROP_BRANCH,
  N_PROPS
};

enum {
  NEW_COMMIT,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (PwGitWatch, pw_git_watch, G_TYPE_OBJECT)

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

static void process_next (PwGitWatch *self);

static void
change_free (gpointer data)
{
  Change *change = data;

  g_free (change->ref);
  g_free (change->old_oid);
  g_free (change->new_oid);
  g_free (change);
}

/* Finding the repository --------------------------------------------------- */

static char *
read_first_line (const char *path)
{
  g_autofree char *contents = NULL;
  char *eol;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;

  eol = strpbrk (contents, "\r\n");
  if (eol != NULL)
    *eol = '\0';

  return g_steal_pointer (&contents);
}

static char *
resolve_relative (const char *base,
                  const char *path)
{
  return g_canonicalize_filename (path, base);
}

/* Walks up from @start as git does, without running git, so the watch can
 * take its first snapshot before _new() returns. */
static gboolean
find_repository (PwGitWatch  *self,
                 const char  *start,
                 GError     **error)
{
  g_autofree char *dir = g_canonicalize_filename (start, NULL);
  g_autofree char *commondir_file = NULL;
  g_autofree char *commondir = NULL;

  for (;;)
    {
      g_autofree char *dot_git = g_build_filename (dir, ".git", NULL);
      g_autofree char *head = g_build_filename (dir, "HEAD", NULL);
      g_autofree char *refs = g_build_filename (dir, "refs", NULL);
      g_autofree char *objects = g_build_filename (dir, "objects", NULL);
      g_autofree char *parent = NULL;

      if (g_file_test (dot_git, G_FILE_TEST_IS_DIR))
        {
          self->top = g_strdup (dir);
          self->git_dir = g_steal_pointer (&dot_git);
          break;
        }

      if (g_file_test (dot_git, G_FILE_TEST_IS_REGULAR))
        {
          /* A linked worktree or a submodule: ".git" says "gitdir: path". */
          g_autofree char *line = read_first_line (dot_git);

          if (line != NULL && g_str_has_prefix (line, "gitdir: "))
            {
              self->top = g_strdup (dir);
              self->git_dir = resolve_relative (dir, line + strlen ("gitdir: "));
              break;
            }
        }

      if (g_file_test (head, G_FILE_TEST_IS_REGULAR) &&
          g_file_test (refs, G_FILE_TEST_IS_DIR) &&
          g_file_test (objects, G_FILE_TEST_IS_DIR))
        {
          self->top = g_strdup (dir);
          self->git_dir = g_strdup (dir);
          break;
        }

      parent = g_path_get_dirname (dir);
      if (g_strcmp0 (parent, dir) == 0)
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                       _("%s is not inside a git repository"), start);
          return FALSE;
        }

      g_free (dir);
      dir = g_steal_pointer (&parent);
    }

  commondir_file = g_build_filename (self->git_dir, "commondir", NULL);
  commondir = read_first_line (commondir_file);
  if (commondir != NULL && commondir[0] != '\0')
    self->common_dir = resolve_relative (self->git_dir, commondir);
  else
    self->common_dir = g_strdup (self->git_dir);

  return TRUE;
}

/* Reading refs --------------------------------------------------------------- */

static gboolean
is_oid (const char *text)
{
  gsize len = strlen (text);

  if (len != 40 && len != 64)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (text[i]))
      return FALSE;

  return TRUE;
}

static gboolean
wanted (PwGitWatch *self,
        const char *ref)
{
  if (self->branch != NULL)
    return g_str_has_prefix (ref, "refs/heads/") &&
           strcmp (ref + strlen ("refs/heads/"), self->branch) == 0;

  return g_str_has_prefix (ref, "refs/heads/") || g_str_has_prefix (ref, "refs/tags/");
}

static void
read_packed_refs (PwGitWatch *self,
                  GHashTable *refs)
{
  g_autofree char *path = g_build_filename (self->common_dir, "packed-refs", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *space;

      /* Comments and `^peeled` lines; tags are peeled with git later. */
      if (lines[i][0] == '#' || lines[i][0] == '^' || lines[i][0] == '\0')
        continue;

      space = strchr (lines[i], ' ');
      if (space == NULL)
        continue;
      *space = '\0';

      if (is_oid (lines[i]) && wanted (self, space + 1))
        g_hash_table_replace (refs, g_strdup (space + 1), g_strdup (lines[i]));
    }
}

static void
read_loose_refs (PwGitWatch *self,
                 GHashTable *refs,
                 const char *ref_prefix)
{
  g_autofree char *dir_path = g_build_filename (self->common_dir, ref_prefix, NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autofree char *ref = g_strdup_printf ("%s/%s", ref_prefix, name);

      /* A lock file is a ref being written; its rename brings us back. */
      if (g_str_has_suffix (name, ".lock"))
        continue;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        read_loose_refs (self, refs, ref);
      else if (wanted (self, ref))
        {
          g_autofree char *line = read_first_line (path);

          if (line != NULL && is_oid (line))
            g_hash_table_replace (refs, g_steal_pointer (&ref), g_steal_pointer (&line));
        }
    }
}

static GHashTable *
read_refs (PwGitWatch *self)
{
  GHashTable *refs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  /* Loose refs override packed ones, as in git. */
  read_packed_refs (self, refs);
  read_loose_refs (self, refs, "refs/heads");
  if (self->branch == NULL)
    read_loose_refs (self, refs, "refs/tags");

  return refs;
}

/* Monitors ---------------------------------------------------------------- */

static void schedule_scan (PwGitWatch *self);

static void
monitor_changed_cb (PwGitWatch        *self,
                    GFile             *file,
                    GFile             *other_file,
                    GFileMonitorEvent  event,
                    GFileMonitor      *monitor)
{
  g_assert (PW_IS_GIT_WATCH (self));

  if (event == G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED)
    return;

  schedule_scan (self);
}

static void
watch_path (PwGitWatch *self,
            const char *path,
            gboolean    directory,
            GHashTable *keep)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  GFileMonitor *monitor;

  if (keep != NULL)
    g_hash_table_add (keep, g_strdup (path));

  if (g_hash_table_contains (self->monitors, path))
    return;

  file = g_file_new_for_path (path);
  if (directory)
    monitor = g_file_monitor_directory (file, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  else
    monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);

  if (monitor == NULL)
    {
      g_debug ("Cannot watch %s: %s", path, error->message);
      return;
    }

  g_signal_connect_object (monitor, "changed", G_CALLBACK (monitor_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_hash_table_insert (self->monitors, g_strdup (path), monitor);
}

/* Directory monitors are not recursive, and `feature/x` lives in a folder
 * of its own; so every folder under the watched ref roots gets one. */
static void
watch_tree (PwGitWatch *self,
            const char *path,
            GHashTable *keep)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  watch_path (self, path, TRUE, keep);

  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    return;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        watch_tree (self, child, keep);
    }
}

static void
update_monitors (PwGitWatch *self)
{
  g_autoptr(GHashTable) keep = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *heads = g_build_filename (self->common_dir, "refs", "heads", NULL);
  g_autofree char *tags = g_build_filename (self->common_dir, "refs", "tags", NULL);
  g_autofree char *packed = g_build_filename (self->common_dir, "packed-refs", NULL);
  g_autofree char *head = g_build_filename (self->git_dir, "HEAD", NULL);
  GHashTableIter iter;
  gpointer key, value;

  watch_tree (self, heads, keep);
  if (self->branch == NULL)
    watch_tree (self, tags, keep);
  watch_path (self, packed, FALSE, keep);
  watch_path (self, head, FALSE, keep);

  /* Folders of deleted branches go away; so do their monitors. */
  g_hash_table_iter_init (&iter, self->monitors);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (!g_hash_table_contains (keep, key))
        {
          g_file_monitor_cancel (value);
          g_hash_table_iter_remove (&iter);
        }
    }
}

/* Announcing changes ------------------------------------------------------- */

static GSubprocess *
spawn_git (PwGitWatch  *self,
           GError     **error,
           ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) env = pw_engine_get_environ ();
  const char *arg;
  va_list args;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_environ (launcher, env);
  g_subprocess_launcher_unsetenv (launcher, "GIT_DIR");
  g_subprocess_launcher_unsetenv (launcher, "GIT_WORK_TREE");
  g_subprocess_launcher_unsetenv (launcher, "GIT_INDEX_FILE");
  g_subprocess_launcher_unsetenv (launcher, "GIT_COMMON_DIR");
  g_subprocess_launcher_set_cwd (launcher, self->top);

  g_ptr_array_add (argv, (gpointer)"git");
  g_ptr_array_add (argv, (gpointer)"--git-dir");
  g_ptr_array_add (argv, self->git_dir);

  va_start (args, error);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer)arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  return g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata, error);
}

typedef struct
{
  GWeakRef  self;
  Change   *change;
  char     *commit;
} Announce;

static void
announce_free (Announce *announce)
{
  g_weak_ref_clear (&announce->self);
  g_clear_pointer (&announce->change, change_free);
  g_free (announce->commit);
  g_free (announce);
}

static void
emit_change (PwGitWatch *self,
             Announce   *announce,
             char      **files)
{
  g_free (self->previous_commit);
  self->previous_commit = g_strdup (announce->change->old_oid);
  g_strfreev (self->changed_files);
  self->changed_files = files != NULL ? files : g_new0 (char *, 1);

  g_signal_emit (self, signals [NEW_COMMIT], 0, announce->commit, announce->change->ref);

  g_clear_pointer (&self->previous_commit, g_free);
  g_clear_pointer (&self->changed_files, g_strfreev);
}

static void
diff_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Announce *announce = user_data;
  g_autoptr(PwGitWatch) self = g_weak_ref_get (&announce->self);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new ();
  const char *data;
  gsize size;
  gsize start = 0;

  if (!g_subprocess_communicate_finish (G_SUBPROCESS (object), result, &out, NULL, &error) ||
      self == NULL)
    {
      if (self != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_debug ("git diff failed: %s", error->message);
          self->busy = FALSE;
          process_next (self);
        }
      announce_free (announce);
      return;
    }

  /* `-z`: NUL-separated, so odd file names arrive unquoted. */
  data = out != NULL ? g_bytes_get_data (out, &size) : NULL;
  for (gsize i = 0; data != NULL && i < size; i++)
    {
      if (data[i] == '\0')
        {
          if (i > start)
            g_ptr_array_add (files, g_strndup (data + start, i - start));
          start = i + 1;
        }
    }
  if (data != NULL && start < size)
    g_ptr_array_add (files, g_strndup (data + start, size - start));

  g_ptr_array_add (files, NULL);
  emit_change (self, announce, (char **)g_ptr_array_steal (files, NULL));
  announce_free (announce);

  self->busy = FALSE;
  process_next (self);
}

static void
peel_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Announce *announce = user_data;
  g_autoptr(PwGitWatch) self = g_weak_ref_get (&announce->self);
  g_autoptr(GSubprocess) diff = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *old_spec = NULL;
  g_autofree char *new_spec = NULL;

  if (!g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &out, NULL, &error) ||
      self == NULL)
    {
      if (self != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          self->busy = FALSE;
          process_next (self);
        }
      announce_free (announce);
      return;
    }

  /* Not a commit (a tag of a tree, say): nothing to start a pipeline on. */
  if (g_subprocess_get_exit_status (G_SUBPROCESS (object)) != 0 ||
      out == NULL || !is_oid (g_strstrip (out)))
    {
      announce_free (announce);
      self->busy = FALSE;
      process_next (self);
      return;
    }

  announce->commit = g_steal_pointer (&out);
  new_spec = g_strdup_printf ("%s^{commit}", announce->change->new_oid);

  if (announce->change->old_oid != NULL)
    {
      old_spec = g_strdup_printf ("%s^{commit}", announce->change->old_oid);
      diff = spawn_git (self, &error, "diff", "--name-only", "-z", "--no-renames",
                        old_spec, new_spec, "--", NULL);
    }
  else
    diff = spawn_git (self, &error, "diff-tree", "-r", "--root", "--no-commit-id",
                      "--name-only", "-z", new_spec, NULL);

  if (diff == NULL)
    {
      g_debug ("Cannot run git diff: %s", error->message);
      emit_change (self, announce, NULL);
      announce_free (announce);
      self->busy = FALSE;
      process_next (self);
      return;
    }

  g_subprocess_communicate_async (diff, NULL, self->cancellable, diff_cb, announce);
}

static void
process_next (PwGitWatch *self)
{
  g_autoptr(GSubprocess) peel = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *spec = NULL;
  Announce *announce;
  Change *change;

  if (self->busy || g_cancellable_is_cancelled (self->cancellable))
    return;

  change = g_queue_pop_head (&self->pending);
  if (change == NULL)
    return;

  spec = g_strdup_printf ("%s^{commit}", change->new_oid);
  peel = spawn_git (self, &error, "rev-parse", "--verify", "--quiet", spec, NULL);
  if (peel == NULL)
    {
      g_warning ("Cannot run git to read %s: %s", change->ref, error->message);
      change_free (change);
      process_next (self);
      return;
    }

  announce = g_new0 (Announce, 1);
  g_weak_ref_init (&announce->self, self);
  announce->change = change;
  self->busy = TRUE;

  g_subprocess_communicate_utf8_async (peel, NULL, self->cancellable, peel_cb, announce);
}

static int
compare_refs (gconstpointer a,
              gconstpointer b)
{
  return strcmp (*(const char * const *)a, *(const char * const *)b);
}

static gboolean
scan_cb (gpointer user_data)
{
  PwGitWatch *self = user_data;
  g_autoptr(GHashTable) refs = NULL;
  g_autoptr(GPtrArray) names = NULL;
  GHashTableIter iter;
  gpointer key, value;

  self->debounce_id = 0;

  update_monitors (self);
  refs = read_refs (self);

  names = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, refs);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *old = g_hash_table_lookup (self->refs, key);

      if (g_strcmp0 (old, value) != 0)
        g_ptr_array_add (names, key);
    }

  /* A stable order, so one burst is announced the same way each time. */
  g_ptr_array_sort (names, compare_refs);

  for (guint i = 0; i < names->len; i++)
    {
      const char *ref = g_ptr_array_index (names, i);
      Change *change = g_new0 (Change, 1);

      change->ref = g_strdup (ref);
      change->old_oid = g_strdup (g_hash_table_lookup (self->refs, ref));
      change->new_oid = g_strdup (g_hash_table_lookup (refs, ref));
      g_queue_push_tail (&self->pending, change);
      g_debug ("%s moved from %s to %s", ref,
               change->old_oid != NULL ? change->old_oid : "(none)", change->new_oid);
    }

  g_hash_table_unref (self->refs);
  self->refs = g_steal_pointer (&refs);

  process_next (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_scan (PwGitWatch *self)
{
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  self->debounce_id = g_timeout_add (DEBOUNCE_MS, scan_cb, self);
}

/* GObject ------------------------------------------------------------------- */

static void
pw_git_watch_dispose (GObject *object)
{
  PwGitWatch *self = (PwGitWatch *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->debounce_id, g_source_remove);

  if (self->monitors != NULL)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, self->monitors);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_file_monitor_cancel (value);
      g_hash_table_remove_all (self->monitors);
    }

  g_queue_clear_full (&self->pending, change_free);

  G_OBJECT_CLASS (pw_git_watch_parent_class)->dispose (object);
}

static void
pw_git_watch_finalize (GObject *object)
{
  PwGitWatch *self = (PwGitWatch *)object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->monitors, g_hash_table_unref);
  g_clear_pointer (&self->refs, g_hash_table_unref);
  g_clear_pointer (&self->changed_files, g_strfreev);
  g_free (self->previous_commit);
  g_free (self->top);
  g_free (self->git_dir);
  g_free (self->common_dir);
  g_free (self->branch);

  G_OBJECT_CLASS (pw_git_watch_parent_class)->finalize (object);
}

static void
pw_git_watch_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  PwGitWatch *self = PW_GIT_WATCH (object);

  switch (prop_id)
    {
    case PROP_REPO_DIR:
      g_value_set_string (value, pw_git_watch_get_repo_dir (self));
      break;

    case PROP_BRANCH:
      g_value_set_string (value, pw_git_watch_get_branch (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_git_watch_class_init (PwGitWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pw_git_watch_dispose;
  object_class->finalize = pw_git_watch_finalize;
  object_class->get_property = pw_git_watch_get_property;

  properties [PROP_REPO_DIR] =
    g_param_spec_string ("repo-dir", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties [PROP_BRANCH] =
    g_param_spec_string ("branch", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PwGitWatch::new-commit:
   * @self: the watch
   * @commit_id: the commit the ref now points at
   * @ref: the full ref name, `refs/heads/…` or `refs/tags/…`
   *
   * A watched ref moved or appeared.
   */
  signals [NEW_COMMIT] =
    g_signal_new ("new-commit",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
pw_git_watch_init (PwGitWatch *self)
{
  self->cancellable = g_cancellable_new ();
  self->monitors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  g_queue_init (&self->pending);
}

/**
 * pw_git_watch_new:
 * @repo_dir: a folder inside the repository (its top, a subfolder, or a
 *   bare repository)
 * @branch: (nullable): the branch to watch; %NULL watches every branch and
 *   tag (for V2 triggers, whose filters pick the refs)
 * @error: where to put the error when @repo_dir is not in a repository
 *
 * Starts watching. The refs as they are now are the baseline: only later
 * changes are announced.
 *
 * Returns: (transfer full): the watch
 */
PwGitWatch *
pw_git_watch_new (const char  *repo_dir,
                  const char  *branch,
                  GError     **error)
{
  g_autoptr(PwGitWatch) self = NULL;

  g_return_val_if_fail (repo_dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (PW_TYPE_GIT_WATCH, NULL);

  if (branch != NULL && g_str_has_prefix (branch, "refs/heads/"))
    branch += strlen ("refs/heads/");
  self->branch = g_strdup (branch);

  if (!find_repository (self, repo_dir, error))
    return NULL;

  /* Monitors first, then the snapshot: a ref written in between is then
   * both in the snapshot and re-read by the scan, never lost. */
  update_monitors (self);
  self->refs = read_refs (self);

  return g_steal_pointer (&self);
}

/**
 * pw_git_watch_get_repo_dir:
 *
 * Returns: the repository's work tree (or the bare repository's folder)
 */
const char *
pw_git_watch_get_repo_dir (PwGitWatch *self)
{
  g_return_val_if_fail (PW_IS_GIT_WATCH (self), NULL);

  return self->top;
}

/**
 * pw_git_watch_get_branch:
 *
 * Returns: (nullable): the watched branch, %NULL when every branch and tag
 *   is watched
 */
const char *
pw_git_watch_get_branch (PwGitWatch *self)
{
  g_return_val_if_fail (PW_IS_GIT_WATCH (self), NULL);

  return self->branch;
}

/**
 * pw_git_watch_get_previous_commit:
 *
 * Only meaningful inside a #PwGitWatch::new-commit handler.
 *
 * Returns: (nullable): what the ref pointed at before (a tag object for an
 *   annotated tag), %NULL for a new ref
 */
const char *
pw_git_watch_get_previous_commit (PwGitWatch *self)
{
  g_return_val_if_fail (PW_IS_GIT_WATCH (self), NULL);

  return self->previous_commit;
}

/**
 * pw_git_watch_get_changed_files:
 *
 * Only meaningful inside a #PwGitWatch::new-commit handler: the files that
 * differ between the ref's previous and new commit, for trigger filePaths.
 *
 * Returns: (transfer none) (nullable): %NULL-terminated paths
 */
const char * const *
pw_git_watch_get_changed_files (PwGitWatch *self)
{
  g_return_val_if_fail (PW_IS_GIT_WATCH (self), NULL);

  return (const char * const *)self->changed_files;
}

/* Trigger filters ------------------------------------------------------------- */

/* The API writes `branches`/`includes`, CloudFormation `Branches`/`Includes`;
 * a trigger may come from either. */
static JsonNode *
member_ci (JsonObject *object,
           const char *name)
{
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  if (object == NULL)
    return NULL;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &key, &value))
    if (g_ascii_strcasecmp (key, name) == 0)
      return value;

  return NULL;
}

static gboolean
any_glob_matches (JsonNode   *patterns,
                  const char *value)
{
  JsonArray *array;

  if (patterns == NULL || !JSON_NODE_HOLDS_ARRAY (patterns))
    return FALSE;

  array = json_node_get_array (patterns);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      g_autoptr(PwGlob) glob = NULL;
      g_autoptr(GError) error = NULL;

      if (json_node_get_value_type (item) != G_TYPE_STRING)
        continue;

      glob = pw_glob_new (json_node_get_string (item), &error);
      if (glob == NULL)
        {
          g_debug ("Ignoring trigger pattern '%s': %s", json_node_get_string (item),
                   error->message);
          continue;
        }

      if (pw_glob_match (glob, value))
        return TRUE;
    }

  return FALSE;
}

static gboolean
has_patterns (JsonNode *patterns)
{
  return patterns != NULL && JSON_NODE_HOLDS_ARRAY (patterns) &&
         json_array_get_length (json_node_get_array (patterns)) > 0;
}

/* One {includes, excludes} object against one value: excludes win; with
 * no includes, everything not excluded is in. */
static gboolean
criteria_match (JsonObject *criteria,
                const char *value)
{
  JsonNode *includes = member_ci (criteria, "includes");
  JsonNode *excludes = member_ci (criteria, "excludes");

  if (any_glob_matches (excludes, value))
    return FALSE;

  if (!has_patterns (includes))
    return TRUE;

  return any_glob_matches (includes, value);
}

static JsonObject *
criteria_of (JsonObject *filter,
             const char *name)
{
  JsonNode *node = member_ci (filter, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static gboolean
push_filter_matches (JsonObject *filter,
                     const char *branch,
                     const char *tag,
                     GStrv       changed_files)
{
  JsonObject *criteria;
  JsonObject *file_paths;

  if (branch != NULL)
    {
      criteria = criteria_of (filter, "branches");
      if (criteria == NULL || !criteria_match (criteria, branch))
        return FALSE;

      /* Criteria are AND-ed: some changed file must pass the file filter. */
      file_paths = criteria_of (filter, "filePaths");
      if (file_paths != NULL)
        {
          for (guint i = 0; changed_files != NULL && changed_files[i] != NULL; i++)
            if (criteria_match (file_paths, changed_files[i]))
              return TRUE;

          return FALSE;
        }

      return TRUE;
    }

  criteria = criteria_of (filter, "tags");

  return criteria != NULL && criteria_match (criteria, tag);
}

/**
 * pw_git_trigger_matches:
 * @trigger_git_configuration: a trigger's `gitConfiguration` (or the whole
 *   trigger), in API or CloudFormation spelling
 * @branch: (nullable): the pushed branch (`main` or `refs/heads/main`)
 * @tag: (nullable): the pushed tag, when @branch is %NULL
 * @changed_files: (nullable): the files the push changed
 *
 * Whether a push starts the pipeline under V2 push-filter semantics
 * (codepipeline-model.md §5): the filters of `push` are OR-ed; inside one,
 * the criteria present are AND-ed (the branch matches its `branches`, and
 * some changed file matches `filePaths`); inside one criteria object
 * `excludes` win over `includes`. A tag push is matched by `tags` alone.
 * With no `push` filters, a trigger that has `pullRequest` filters never
 * starts on a push; a trigger with neither matches every push, leaving the
 * default `BranchName` detection to the caller.
 *
 * Returns: %TRUE when the push matches
 */
gboolean
pw_git_trigger_matches (JsonNode    *trigger_git_configuration,
                        const char  *branch,
                        const char  *tag,
                        GStrv        changed_files)
{
  JsonObject *configuration;
  JsonNode *nested;
  JsonNode *push;
  JsonArray *filters;

  g_return_val_if_fail (trigger_git_configuration != NULL, FALSE);
  g_return_val_if_fail (branch != NULL || tag != NULL, FALSE);

  if (!JSON_NODE_HOLDS_OBJECT (trigger_git_configuration))
    return FALSE;

  configuration = json_node_get_object (trigger_git_configuration);
  nested = member_ci (configuration, "gitConfiguration");
  if (nested != NULL && JSON_NODE_HOLDS_OBJECT (nested))
    configuration = json_node_get_object (nested);

  if (branch != NULL && g_str_has_prefix (branch, "refs/heads/"))
    branch += strlen ("refs/heads/");
  if (tag != NULL && g_str_has_prefix (tag, "refs/tags/"))
    tag += strlen ("refs/tags/");

  push = member_ci (configuration, "push");
  if (push == NULL || !JSON_NODE_HOLDS_ARRAY (push) ||
      json_array_get_length (json_node_get_array (push)) == 0)
    return member_ci (configuration, "pullRequest") == NULL;

  filters = json_node_get_array (push);
  for (guint i = 0; i < json_array_get_length (filters); i++)
    {
      JsonNode *filter = json_array_get_element (filters, i);

      if (JSON_NODE_HOLDS_OBJECT (filter) &&
          push_filter_matches (json_node_get_object (filter), branch, tag, changed_files))
        return TRUE;
    }

  return FALSE;
}
