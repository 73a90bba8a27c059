/* pw-provider-codedeploy.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-provider-codedeploy"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pw-engine-private.h"

/* CodeDeploy (EC2/on-premises, in-place) on local "instances".
 *
 * The profile entry `codedeploy.<ApplicationName>/<DeploymentGroupName>`
 * says how many instances the deployment group has (`instances`, default
 * 1), where they live (`root`, default
 * `<pipeline_dir>/.pipewright/codedeploy/<Application>/<Group>`) and the
 * deployment configuration (`config`, default
 * CodeDeployDefault.OneAtATime). Each instance is a folder
 * `<root>/instance-<n>/` holding:
 *
 * - `fs/`: the instance's file system root. The appspec's absolute paths
 *   are sandboxed into it: `destination: /opt/app` installs into
 *   `<instance>/fs/opt/app`, and permissions apply there. This is not a
 *   security boundary (hook scripts are ordinary local processes); it
 *   keeps a deployment from writing over the developer's own /opt.
 * - `deployment-root/<deployment-id>/deployment-archive/`: the revision,
 *   as the agent keeps it; `deployment-root/<deployment-id>/logs/scripts.log`
 *   holds that instance's script output. The five newest are kept.
 * - `.last-successful`: the archive of the last successful deployment to
 *   this instance, whose appspec and scripts run ApplicationStop next time.
 * - `.installed-files`: what the last Install wrote (the agent's cleanup
 *   file): those files are removed before the next Install copies, and
 *   file_exists_behavior applies only to other files in the way.
 *
 * Hook scripts run from the archive folder with APPLICATION_NAME,
 * DEPLOYMENT_ID, DEPLOYMENT_GROUP_NAME, DEPLOYMENT_GROUP_ID and
 * LIFECYCLE_EVENT as on the agent, plus INSTANCE_ROOT, the instance's fs/
 * folder, so scripts can work inside the sandbox
 * (`"$INSTANCE_ROOT/opt/app/bin/start"`). A script with a `#!` line runs
 * with that interpreter, any other with bash (sh when bash is missing).
 *
 * When the deployment fails (per appspec.md §4), the last successful
 * revision of each instance that was deployed to is deployed again, as a
 * new deployment: CodeDeploy's automatic rollback. */

#define DEFAULT_CONFIG   "CodeDeployDefault.OneAtATime"
/* The agent's default :max_revisions. */
#define KEEP_REVISIONS   5
#define LAST_SUCCESSFUL  ".last-successful"
#define INSTALLED_FILES  ".installed-files"

typedef enum
{
  CONFIG_ONE_AT_A_TIME,
  CONFIG_HALF_AT_A_TIME,
  CONFIG_ALL_AT_ONCE,
} DeployConfig;

typedef enum
{
  INSTANCE_PENDING,
  INSTANCE_RUNNING,
  INSTANCE_SUCCEEDED,
  INSTANCE_FAILED,
} InstanceState;

/* An instance's way through one deployment (appspec.md §2.3, in-place). */
typedef enum
{
  STEP_PREPARE,
  STEP_APPLICATION_STOP,
  STEP_DOWNLOAD_BUNDLE,
  STEP_BEFORE_INSTALL,
  STEP_INSTALL,
  STEP_AFTER_INSTALL,
  STEP_APPLICATION_START,
  STEP_VALIDATE_SERVICE,
  STEP_FINISH,
  STEP_DONE,
} Step;

static const char * const step_events[] = {
  [STEP_PREPARE]           = "DownloadBundle",
  [STEP_APPLICATION_STOP]  = "ApplicationStop",
  [STEP_DOWNLOAD_BUNDLE]   = "DownloadBundle",
  [STEP_BEFORE_INSTALL]    = "BeforeInstall",
  [STEP_INSTALL]           = "Install",
  [STEP_AFTER_INSTALL]     = "AfterInstall",
  [STEP_APPLICATION_START] = "ApplicationStart",
  [STEP_VALIDATE_SERVICE]  = "ValidateService",
  [STEP_FINISH]            = "End",
  [STEP_DONE]              = NULL,
};

static const char * const traffic_events[] = {
  "BeforeBlockTraffic", "AfterBlockTraffic", "BeforeAllowTraffic", "AfterAllowTraffic", NULL
};

typedef struct _Run Run;
typedef struct _Deployment Deployment;
typedef struct _Instance Instance;

typedef gboolean (*InstanceWork) (Instance      *inst,
                                  GCancellable  *cancellable,
                                  GError       **error);

struct _Instance
{
  /* Borrowed references */
  Deployment    *deployment;

  guint          number;
  char          *name;
  char          *dir;
  char          *fs_root;
  /* The revision to install: the bundle, or for a rollback the archive
   * of the earlier deployment. */
  char          *source_dir;
  char          *deployment_dir;
  char          *archive_dir;
  /* The last successful deployment's archive when this one started. */
  char          *previous_archive;
  char          *previous_id;
  PwAppspec     *appspec;
  PwAppspec     *previous_appspec;
  PwLog         *log;
  gulong         line_id;

  InstanceState  state;
  Step           step;
  guint          script_index;
  char          *failure;

  /* Filled by a worker thread, logged on the main thread. */
  InstanceWork   work;
  GPtrArray     *messages;
};

struct _Deployment
{
  /* Borrowed references */
  Run        *run;

  char       *id;
  gboolean    rollback;
  GPtrArray  *instances;
  guint       batch_size;
  guint       next;
  guint       running;
  guint       succeeded;
  guint       failed;
};

struct _Run
{
  /* The task owns the run (its task data); the run holds the task until
   * run_return(), so nothing of it goes while instances are at work. */
  GTask          *task;

  /* Owned references */
  PwActionJob    *job;
  PwLocalProfile *profile;

  /* Borrowed references: the job's */
  PwLog          *log;

  /* Every hook of the deployment runs in it: a server ApplicationStart
   * leaves running serves ValidateService, and ends with the action. */
  PwContainer  *container;
  GError       *return_error;

  char         *application;
  char         *group;
  char         *group_id;
  char         *config_name;
  DeployConfig  config;
  guint         n_instances;
  char         *root;
  char         *input_zip;
  char         *bundle_dir;
  GStrv         environment;

  Deployment   *deployment;
  Deployment   *rollback;
  gboolean      holds_root;
};

struct _PwCodedeployProvider
{
  GObject parent_instance;
};

static void provider_iface_init (PwProviderInterface *iface);

G_DECLARE_FINAL_TYPE (PwCodedeployProvider, pw_codedeploy_provider,
                      PW, CODEDEPLOY_PROVIDER, GObject)
G_DEFINE_FINAL_TYPE_WITH_CODE (PwCodedeployProvider, pw_codedeploy_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PW_TYPE_PROVIDER, provider_iface_init))

/* Instance roots with a deployment in progress (main thread only). The
 * service refuses a second deployment to a group while one runs
 * (DeploymentLimitExceeded); here two would also write the same folders. */
static GHashTable *busy_roots;

static void instance_advance (Instance *inst);
static void deployment_start_batch (Deployment *dep);

/* Logging ------------------------------------------------------------------ */

static void run_log (Run        *run,
                     const char *format,
                     ...) G_GNUC_PRINTF (2, 3);

static void
run_log (Run        *run,
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

  pw_log_printf (run->log, "%s\n", text);
}

static void instance_log (Instance   *inst,
                          const char *format,
                          ...) G_GNUC_PRINTF (2, 3);

static void
instance_log (Instance   *inst,
              const char *format,
              ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  run_log (inst->deployment->run, "[%s] %s", inst->name, text);
}

static void
instance_add_message (Instance   *inst,
                      const char *event,
                      const char *text)
{
  g_ptr_array_add (inst->messages, g_strdup_printf ("%s: %s", event, text));
}

static void
instance_flush_messages (Instance *inst)
{
  for (guint i = 0; i < inst->messages->len; i++)
    instance_log (inst, "%s", (const char *)g_ptr_array_index (inst->messages, i));
  g_ptr_array_set_size (inst->messages, 0);
}

/* Script output goes to the instance's scripts.log and, prefixed with the
 * instance's name, to the action log: instances run in parallel, and
 * unprefixed lines would be impossible to tell apart. */
static void
instance_line_cb (PwLog      *log,
                  const char *text,
                  Instance   *inst)
{
  Run *run = inst->deployment->run;

  if (run->log != NULL)
    pw_log_printf (run->log, "[%s]   %s\n", inst->name, text);
}

/* Small helpers ------------------------------------------------------------ */

static char *
new_deployment_id (void)
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  char id[12] = "d-";

  for (guint i = 2; i < 11; i++)
    id[i] = alphabet[g_random_int_range (0, sizeof alphabet - 1)];
  id[11] = '\0';

  return g_strdup (id);
}

/* Deployment groups have a UUID; ours is derived from the names, so it
 * stays the same from one run to the next, as the real one does. */
static char *
group_id_for (const char *application,
              const char *group)
{
  g_autofree char *key = g_strdup_printf ("%s/%s", application, group);
  g_autofree char *hex = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);

  return g_strdup_printf ("%.8s-%.4s-%.4s-%.4s-%.12s",
                          hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

/* Names become folder names: each one segment that means only itself. */
static char *
path_segment (const char *name)
{
  return pw_state_encode_name (name);
}

static gboolean
is_real_dir (const char *path)
{
  GStatBuf st;

  return g_lstat (path, &st) == 0 && S_ISDIR (st.st_mode);
}

static gboolean
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *what,
                 const char  *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "cannot %s %s: %s", what, path, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
copy_file (const char    *source,
           const char    *destination,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GFile) from = g_file_new_for_path (source);
  g_autoptr(GFile) to = g_file_new_for_path (destination);

  /* Without TARGET_DEFAULT_PERMS the copy keeps the source's mode, so
   * executable scripts stay executable. */
  return g_file_copy (from, to, G_FILE_COPY_OVERWRITE | G_FILE_COPY_NOFOLLOW_SYMLINKS,
                      cancellable, NULL, NULL, error);
}

static gboolean
copy_tree (const char    *source,
           const char    *destination,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;
  GStatBuf st;

  if (g_lstat (source, &st) != 0)
    return set_errno_error (error, errno, "read", source);

  if (!S_ISDIR (st.st_mode))
    return copy_file (source, destination, cancellable, error);

  if (g_mkdir_with_parents (destination, 0755) != 0)
    return set_errno_error (error, errno, "create", destination);
  g_chmod (destination, st.st_mode & 07777);

  if ((dir = g_dir_open (source, 0, error)) == NULL)
    return FALSE;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *from = g_build_filename (source, name, NULL);
      g_autofree char *to = g_build_filename (destination, name, NULL);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!copy_tree (from, to, cancellable, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
remove_tree (const char  *path,
             GError     **error)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return errno == ENOENT ? TRUE : set_errno_error (error, errno, "read", path);

  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, error);
      const char *name;

      if (dir == NULL)
        return FALSE;
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (!remove_tree (child, error))
            return FALSE;
        }
      if (g_rmdir (path) != 0)
        return set_errno_error (error, errno, "remove", path);
      return TRUE;
    }

  if (g_unlink (path) != 0 && errno != ENOENT)
    return set_errno_error (error, errno, "remove", path);

  return TRUE;
}

/* `/opt/app` inside the instance. */
static char *
instance_path (Instance   *inst,
               const char *absolute)
{
  return g_build_filename (inst->fs_root, absolute, NULL);
}

/* The agent writes where the appspec says; we write below fs/. A symlink
 * left on the way (by a bundle or a script) must not carry a copy out of
 * the sandbox, so every folder between fs/ and the target is checked. */
static gboolean
check_parents (Instance    *inst,
               const char  *absolute,
               GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (absolute, "/", -1);
  g_autoptr(GString) path = g_string_new (inst->fs_root);
  guint n = g_strv_length (parts);

  for (guint i = 0; i + 1 < n; i++)
    {
      GStatBuf st;

      if (*parts[i] == '\0')
        continue;
      g_string_append_c (path, '/');
      g_string_append (path, parts[i]);

      if (g_lstat (path->str, &st) != 0)
        return TRUE;
      if (S_ISLNK (st.st_mode))
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                       "refusing to write %s through the symbolic link %s",
                       absolute, path->str + strlen (inst->fs_root));
          return FALSE;
        }
      if (!S_ISDIR (st.st_mode))
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                       "cannot install %s: %s is a file, not a folder",
                       absolute, path->str + strlen (inst->fs_root));
          return FALSE;
        }
    }

  return TRUE;
}

/* mkdir -p below fs/, remembering each folder it made (for the cleanup
 * file) in @created. The folders are opened one at a time without
 * following a symlink (a script may have left one), so what is written
 * into the returned folder stays below fs/. */
static int
ensure_dir (Instance    *inst,
            const char  *absolute,
            GPtrArray   *created,
            GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (absolute, "/", -1);
  g_autoptr(GString) relative = g_string_new (NULL);
  int fd;

  fd = g_open (inst->fs_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      set_errno_error (error, errno, "open", inst->fs_root);
      return -1;
    }

  for (guint i = 0; parts[i] != NULL; i++)
    {
      int next;

      if (*parts[i] == '\0')
        continue;
      g_string_append_c (relative, '/');
      g_string_append (relative, parts[i]);

      if (mkdirat (fd, parts[i], 0755) == 0)
        g_ptr_array_add (created, g_strdup (relative->str));
      else if (errno != EEXIST)
        {
          set_errno_error (error, errno, "create", relative->str);
          g_close (fd, NULL);
          return -1;
        }

      next = openat (fd, parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0)
        {
          struct stat st;

          if (fstatat (fd, parts[i], &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK (st.st_mode))
            g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                         "refusing to write %s through the symbolic link %s",
                         absolute, relative->str);
          else
            g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                         "cannot create the folder %s: something else is in the way",
                         relative->str);
        }
      g_close (fd, NULL);
      if (next < 0)
        return -1;
      fd = next;
    }

  return fd;
}

/* Copies the bundle's file (or symlink, as a symlink) @source to @base in
 * the folder @dir_fd, replacing what is there without following it. */
static gboolean
install_file (const char    *source,
              int            dir_fd,
              const char    *base,
              const char    *destination,
              GCancellable  *cancellable,
              GError       **error)
{
  GStatBuf st;

  if (g_lstat (source, &st) != 0)
    return set_errno_error (error, errno, "read", source);

  if (S_ISLNK (st.st_mode))
    {
      g_autofree char *target = g_file_read_link (source, error);

      if (target == NULL)
        return FALSE;
      if ((unlinkat (dir_fd, base, 0) != 0 && errno != ENOENT) ||
          symlinkat (target, dir_fd, base) != 0)
        return set_errno_error (error, errno, "install", destination);
      return TRUE;
    }

  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                   "cannot install %s: the bundle's %s is neither a file nor a link",
                   destination, source);
      return FALSE;
    }

  return _pw_fs_copy_at (source, dir_fd, base, cancellable, error);
}

static char *
read_last_successful (const char *instance_dir)
{
  g_autofree char *path = g_build_filename (instance_dir, LAST_SUCCESSFUL, NULL);
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;

  g_strstrip (contents);
  if (*contents == '\0')
    return NULL;

  return g_steal_pointer (&contents);
}

/* `<instance>/deployment-root/d-ABC/deployment-archive` → `d-ABC`. */
static char *
deployment_id_of_archive (const char *archive)
{
  g_autofree char *parent = g_path_get_dirname (archive);

  return g_path_get_basename (parent);
}

/* Worker-thread steps ------------------------------------------------------- */

static gboolean
prepare_work (Instance      *inst,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *previous = NULL;

  if (g_mkdir_with_parents (inst->fs_root, 0755) != 0)
    return set_errno_error (error, errno, "create", inst->fs_root);

  previous = read_last_successful (inst->dir);
  if (previous != NULL)
    {
      g_autofree char *previous_id = deployment_id_of_archive (previous);

      if (!is_real_dir (previous))
        {
          instance_add_message (inst, "ApplicationStop",
                                "the last successful revision's archive is gone; "
                                "ApplicationStop will be skipped");
        }
      else if ((inst->previous_appspec = pw_appspec_load (previous, &local_error)) == NULL)
        {
          g_autofree char *text = g_strdup_printf ("the appspec of the last successful revision "
                                                   "(%s) cannot be read, so ApplicationStop "
                                                   "will be skipped: %s",
                                                   previous_id, local_error->message);

          instance_add_message (inst, "ApplicationStop", text);
          g_clear_error (&local_error);
        }
      inst->previous_archive = g_steal_pointer (&previous);
      inst->previous_id = g_steal_pointer (&previous_id);
    }

  /* The agent's DownloadBundle: each instance keeps its own copy. */
  if (!remove_tree (inst->archive_dir, error) ||
      !copy_tree (inst->source_dir, inst->archive_dir, cancellable, error))
    return FALSE;

  if ((inst->appspec = pw_appspec_load (inst->archive_dir, error)) == NULL)
    return FALSE;

  return TRUE;
}

typedef struct
{
  char     *source;
  char     *destination;
  gboolean  is_dir;
} PlanEntry;

static void
plan_entry_free (gpointer data)
{
  PlanEntry *entry = data;

  g_free (entry->source);
  g_free (entry->destination);
  g_free (entry);
}

static void
plan_add (GPtrArray  *plan,
          const char *source,
          const char *destination,
          gboolean    is_dir)
{
  PlanEntry *entry = g_new0 (PlanEntry, 1);

  entry->source = g_strdup (source);
  entry->destination = g_strdup (destination);
  entry->is_dir = is_dir;
  g_ptr_array_add (plan, entry);
}

static char *
join_absolute (const char *base,
               const char *name)
{
  if (g_str_equal (base, "/"))
    return g_strconcat ("/", name, NULL);

  return g_strconcat (base, "/", name, NULL);
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *)a, *(const char * const *)b);
}

static gboolean
plan_tree (GPtrArray   *plan,
           const char  *source,
           const char  *destination,
           GError     **error)
{
  g_autoptr(GDir) dir = g_dir_open (source, 0, error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return FALSE;

  /* Sorted, so logs and the cleanup file are the same from run to run. */
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      const char *child_name = g_ptr_array_index (names, i);
      g_autofree char *child = g_build_filename (source, child_name, NULL);
      g_autofree char *target = join_absolute (destination, child_name);

      if (is_real_dir (child))
        {
          plan_add (plan, child, target, TRUE);
          if (!plan_tree (plan, child, target, error))
            return FALSE;
        }
      else
        plan_add (plan, child, target, FALSE);
    }

  return TRUE;
}

static void
read_manifest (Instance   *inst,
               GHashTable *files,
               GPtrArray  *dirs)
{
  g_autofree char *path = g_build_filename (inst->dir, INSTALLED_FILES, NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "f /"))
        g_hash_table_add (files, g_strdup (lines[i] + 2));
      else if (g_str_has_prefix (lines[i], "d /"))
        g_ptr_array_add (dirs, g_strdup (lines[i] + 2));
    }
}

static gboolean
write_manifest (Instance   *inst,
                GPtrArray  *created_dirs,
                GPtrArray  *installed,
                GError    **error)
{
  g_autofree char *path = g_build_filename (inst->dir, INSTALLED_FILES, NULL);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < created_dirs->len; i++)
    g_string_append_printf (text, "d %s\n", (const char *)g_ptr_array_index (created_dirs, i));
  for (guint i = 0; i < installed->len; i++)
    g_string_append_printf (text, "f %s\n", (const char *)g_ptr_array_index (installed, i));

  return pw_file_replace_contents (path, text->str, text->len, error);
}

static gboolean
glob_list_matches (GPtrArray  *globs,
                   const char *path)
{
  for (guint i = 0; globs != NULL && i < globs->len; i++)
    if (pw_glob_match (g_ptr_array_index (globs, i), path))
      return TRUE;

  return FALSE;
}

static void
collect_dirs (const char *dir,
              const char *relative,
              GPtrArray  *out_paths,
              GPtrArray  *out_relative)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  if (handle == NULL)
    return;

  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *child = g_build_filename (dir, name, NULL);
      g_autofree char *child_relative = relative != NULL
        ? g_strconcat (relative, "/", name, NULL)
        : g_strdup (name);

      if (!is_real_dir (child))
        continue;
      g_ptr_array_add (out_paths, g_strdup (child));
      g_ptr_array_add (out_relative, g_strdup (child_relative));
      collect_dirs (child, child_relative, out_paths, out_relative);
    }
}

static gboolean
apply_permission (Instance             *inst,
                  PwAppspecPermission  *permission,
                  GError              **error)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) relatives = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) excepts = g_ptr_array_new_with_free_func ((GDestroyNotify)pw_glob_free);
  g_autoptr(PwGlob) pattern = NULL;
  g_autofree char *object = instance_path (inst, permission->object);
  gboolean any_type = !permission->type_file && !permission->type_directory;
  uid_t uid = (uid_t)-1;
  gid_t gid = (gid_t)-1;
  gboolean chown_wanted = FALSE;
  guint changed = 0;
  GStatBuf st;

  if (!check_parents (inst, permission->object, error))
    return FALSE;
  if (g_lstat (object, &st) != 0)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                   "permissions: %s does not exist on the instance", permission->object);
      return FALSE;
    }
  /* chmod would follow it, possibly out of the sandbox. */
  if (S_ISLNK (st.st_mode))
    {
      g_autofree char *text = g_strdup_printf ("permissions: %s is a symbolic link; left alone",
                                               permission->object);

      instance_add_message (inst, "Install", text);
      return TRUE;
    }

  if (permission->pattern != NULL)
    pattern = pw_glob_new (permission->pattern, NULL);
  for (guint i = 0; permission->except != NULL && permission->except[i] != NULL; i++)
    {
      PwGlob *glob = pw_glob_new (permission->except[i], NULL);

      if (glob != NULL)
        g_ptr_array_add (excepts, glob);
    }

  if (!S_ISDIR (st.st_mode))
    {
      g_ptr_array_add (paths, g_strdup (object));
      g_ptr_array_add (relatives, g_path_get_basename (object));
    }
  else
    {
      if (permission->type_file || any_type)
        {
          g_autoptr(GDir) dir = g_dir_open (object, 0, NULL);
          const char *name;

          while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
            {
              g_autofree char *child = g_build_filename (object, name, NULL);
              GStatBuf child_st;

              if (g_lstat (child, &child_st) == 0 && S_ISREG (child_st.st_mode))
                {
                  g_ptr_array_add (paths, g_steal_pointer (&child));
                  g_ptr_array_add (relatives, g_strdup (name));
                }
            }
        }
      if (permission->type_directory || any_type)
        collect_dirs (object, NULL, paths, relatives);
    }

  if (permission->owner != NULL || permission->group != NULL)
    {
      g_autofree char *who = g_strdup_printf ("%s%s%s",
                                              permission->owner != NULL ? permission->owner : "",
                                              permission->group != NULL ? ":" : "",
                                              permission->group != NULL ? permission->group : "");
      struct passwd *pw = NULL;
      struct group *gr = NULL;

      if (getuid () != 0)
        {
          g_autofree char *text = g_strdup_printf ("owner/group %s on %s skipped "
                                                   "(only applied when running as root)",
                                                   who, permission->object);
          instance_add_message (inst, "Install", text);
        }
      else if ((permission->owner != NULL && (pw = getpwnam (permission->owner)) == NULL) ||
               (permission->group != NULL && (gr = getgrnam (permission->group)) == NULL))
        {
          g_autofree char *text = g_strdup_printf ("owner/group %s on %s skipped "
                                                   "(no such user or group here)",
                                                   who, permission->object);
          instance_add_message (inst, "Install", text);
        }
      else
        {
          uid = pw != NULL ? pw->pw_uid : (uid_t)-1;
          gid = gr != NULL ? gr->gr_gid : (gid_t)-1;
          chown_wanted = TRUE;
        }
    }

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      const char *relative = g_ptr_array_index (relatives, i);

      if (S_ISDIR (st.st_mode))
        {
          if (pattern != NULL && !pw_glob_match (pattern, relative))
            continue;
          if (glob_list_matches (excepts, relative))
            continue;
        }

      if (permission->mode >= 0 && g_chmod (path, permission->mode) != 0)
        return set_errno_error (error, errno, "change the mode of", path);
      if (chown_wanted && lchown (path, uid, gid) != 0)
        return set_errno_error (error, errno, "change the owner of", path);
      changed++;
    }

  if (permission->mode >= 0)
    {
      g_autofree char *text = g_strdup_printf ("permissions: mode %s on %u entr%s of %s",
                                               permission->mode_text, changed,
                                               changed == 1 ? "y" : "ies", permission->object);
      instance_add_message (inst, "Install", text);
    }
  if (permission->has_acls)
    instance_add_message (inst, "Install", "permissions: acls are not applied locally");
  if (permission->has_context)
    instance_add_message (inst, "Install", "permissions: SELinux context is not applied locally");

  return TRUE;
}

static gboolean
install_work (Instance      *inst,
              GCancellable  *cancellable,
              GError       **error)
{
  PwAppspec *spec = inst->appspec;
  g_autoptr(GPtrArray) plan = g_ptr_array_new_with_free_func (plan_entry_free);
  g_autoptr(GHashTable) planned = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) old_files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) old_dirs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) conflicts = g_ptr_array_new ();
  g_autoptr(GPtrArray) created = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) installed = g_ptr_array_new_with_free_func (g_free);
  guint retained = 0;

  for (guint i = 0; i < spec->files->len; i++)
    {
      PwAppspecFile *file = g_ptr_array_index (spec->files, i);
      g_autofree char *source = g_build_filename (inst->archive_dir, file->source, NULL);
      guint before = plan->len;

      if (is_real_dir (source))
        {
          plan_add (plan, source, file->destination, TRUE);
          if (!plan_tree (plan, source, file->destination, error))
            return FALSE;
        }
      else
        {
          g_autofree char *base = g_path_get_basename (source);
          g_autofree char *target = join_absolute (file->destination, base);

          plan_add (plan, file->destination, file->destination, TRUE);
          plan_add (plan, source, target, FALSE);
        }

      {
        g_autofree char *text = NULL;
        guint n_files = 0;

        for (guint j = before; j < plan->len; j++)
          if (!((PlanEntry *)g_ptr_array_index (plan, j))->is_dir)
            n_files++;
        text = g_strdup_printf ("%s → %s (%u file%s)",
                                *file->source != '\0' ? file->source : "/",
                                file->destination, n_files, n_files == 1 ? "" : "s");
        instance_add_message (inst, "Install", text);
      }
    }

  /* Two appspec entries writing the same file is the agent's error too. */
  for (guint i = 0; i < plan->len; i++)
    {
      PlanEntry *entry = g_ptr_array_index (plan, i);

      if (entry->is_dir)
        continue;
      if (g_hash_table_contains (planned, entry->destination))
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                       "the appspec copies two files to %s", entry->destination);
          return FALSE;
        }
      g_hash_table_add (planned, entry->destination);
    }

  read_manifest (inst, old_files, old_dirs);

  /* Everything is checked before anything changes, so a DISALLOW conflict
   * leaves the instance as the last deployment left it. */
  for (guint i = 0; i < plan->len; i++)
    {
      PlanEntry *entry = g_ptr_array_index (plan, i);
      g_autofree char *path = instance_path (inst, entry->destination);
      GStatBuf st;

      if (!check_parents (inst, entry->destination, error))
        return FALSE;
      if (entry->is_dir || g_lstat (path, &st) != 0)
        continue;
      if (g_hash_table_contains (old_files, entry->destination))
        continue;
      if (S_ISDIR (st.st_mode))
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                       "cannot install the file %s: a folder is in the way", entry->destination);
          return FALSE;
        }
      if (spec->file_exists_behavior == PW_APPSPEC_FILE_EXISTS_DISALLOW)
        g_ptr_array_add (conflicts, entry->destination);
    }

  if (conflicts->len > 0)
    {
      g_autoptr(GString) list = g_string_new (NULL);

      for (guint i = 0; i < conflicts->len && i < 3; i++)
        g_string_append_printf (list, "%s%s", i > 0 ? ", " : "",
                                (const char *)g_ptr_array_index (conflicts, i));
      if (conflicts->len > 3)
        g_string_append_printf (list, " and %u more", conflicts->len - 3);

      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                   "%s already exist%s and %s not installed by the last deployment "
                   "(file_exists_behavior: DISALLOW; set OVERWRITE or RETAIN in the appspec)",
                   list->str, conflicts->len == 1 ? "s" : "",
                   conflicts->len == 1 ? "was" : "were");
      return FALSE;
    }

  /* The agent's cleanup: what the last Install wrote goes first. */
  {
    GHashTableIter iter;
    const char *old;

    g_hash_table_iter_init (&iter, old_files);
    while (g_hash_table_iter_next (&iter, (gpointer *)&old, NULL))
      {
        g_autofree char *path = instance_path (inst, old);
        GStatBuf st;

        if (!check_parents (inst, old, NULL))
          continue;
        if (g_lstat (path, &st) == 0 && !S_ISDIR (st.st_mode))
          g_unlink (path);
      }
    for (guint i = old_dirs->len; i > 0; i--)
      {
        g_autofree char *path = instance_path (inst, g_ptr_array_index (old_dirs, i - 1));

        if (is_real_dir (path))
          g_rmdir (path);   /* only when empty: other files stay */
      }
  }

  for (guint i = 0; i < plan->len; i++)
    {
      PlanEntry *entry = g_ptr_array_index (plan, i);
      g_autofree char *parent = g_path_get_dirname (entry->destination);
      g_autofree char *base = g_path_get_basename (entry->destination);
      struct stat st;
      gboolean ok;
      int dir_fd;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      if (entry->is_dir)
        {
          if ((dir_fd = ensure_dir (inst, entry->destination, created, error)) < 0)
            return FALSE;
          g_close (dir_fd, NULL);
          continue;
        }

      if ((dir_fd = ensure_dir (inst, parent, created, error)) < 0)
        return FALSE;

      if (fstatat (dir_fd, base, &st, AT_SYMLINK_NOFOLLOW) == 0)
        {
          if (spec->file_exists_behavior == PW_APPSPEC_FILE_EXISTS_RETAIN)
            {
              g_autofree char *text = g_strdup_printf ("kept the existing %s "
                                                       "(file_exists_behavior: RETAIN)",
                                                       entry->destination);
              instance_add_message (inst, "Install", text);
              retained++;
              g_close (dir_fd, NULL);
              continue;
            }
          if (S_ISDIR (st.st_mode) || unlinkat (dir_fd, base, 0) != 0)
            {
              g_close (dir_fd, NULL);
              return set_errno_error (error, S_ISDIR (st.st_mode) ? EISDIR : errno,
                                      "replace", entry->destination);
            }
          {
            g_autofree char *text = g_strdup_printf ("replaced the existing %s "
                                                     "(file_exists_behavior: OVERWRITE)",
                                                     entry->destination);
            instance_add_message (inst, "Install", text);
          }
        }

      ok = install_file (entry->source, dir_fd, base, entry->destination, cancellable, error);
      g_close (dir_fd, NULL);
      if (!ok)
        return FALSE;
      g_ptr_array_add (installed, g_strdup (entry->destination));
    }

  if (!write_manifest (inst, created, installed, error))
    return FALSE;

  {
    g_autofree char *text = g_strdup_printf ("installed %u file%s%s into %s", installed->len,
                                             installed->len == 1 ? "" : "s",
                                             retained > 0 ? " (some existing files kept)" : "",
                                             inst->fs_root);
    instance_add_message (inst, "Install", text);
  }

  for (guint i = 0; i < spec->permissions->len; i++)
    if (!apply_permission (inst, g_ptr_array_index (spec->permissions, i), error))
      return FALSE;

  return TRUE;
}

static gint
compare_mtime_desc (gconstpointer a,
                    gconstpointer b)
{
  const char *path_a = *(const char * const *)a;
  const char *path_b = *(const char * const *)b;
  GStatBuf st_a = { 0 };
  GStatBuf st_b = { 0 };

  g_stat (path_a, &st_a);
  g_stat (path_b, &st_b);

  if (st_a.st_mtime != st_b.st_mtime)
    return st_a.st_mtime > st_b.st_mtime ? -1 : 1;

  return g_strcmp0 (path_a, path_b);
}

static gboolean
finish_work (Instance      *inst,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autofree char *last = g_build_filename (inst->dir, LAST_SUCCESSFUL, NULL);
  g_autofree char *text = g_strconcat (inst->archive_dir, "\n", NULL);
  g_autofree char *deployment_root = g_path_get_dirname (inst->deployment_dir);
  g_autoptr(GPtrArray) revisions = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!pw_file_replace_contents (last, text, strlen (text), error))
    return FALSE;

  /* Old revisions pile up on every run; keep what the agent keeps, and
   * never the one a rollback of a still-running deployment may need. */
  if ((dir = g_dir_open (deployment_root, 0, NULL)) == NULL)
    return TRUE;
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (revisions, g_build_filename (deployment_root, name, NULL));
  g_ptr_array_sort (revisions, compare_mtime_desc);

  for (guint i = KEEP_REVISIONS; i < revisions->len; i++)
    {
      const char *revision = g_ptr_array_index (revisions, i);

      if (g_str_equal (revision, inst->deployment_dir) ||
          (inst->previous_archive != NULL && g_str_has_prefix (inst->previous_archive, revision) &&
           inst->previous_archive[strlen (revision)] == '/'))
        continue;
      remove_tree (revision, NULL);
    }

  return TRUE;
}

/* Instances ---------------------------------------------------------------- */

/* Closing flushes a last line without a newline through instance_line_cb,
 * so it must happen while the handler is still connected. */
static void
instance_close_log (Instance *inst)
{
  if (inst->log == NULL)
    return;

  pw_log_close (inst->log);
  g_clear_signal_handler (&inst->line_id, inst->log);
  g_clear_object (&inst->log);
}

static void
instance_free (gpointer data)
{
  Instance *inst = data;

  instance_close_log (inst);
  g_free (inst->name);
  g_free (inst->dir);
  g_free (inst->fs_root);
  g_free (inst->source_dir);
  g_free (inst->deployment_dir);
  g_free (inst->archive_dir);
  g_free (inst->previous_archive);
  g_free (inst->previous_id);
  g_clear_pointer (&inst->appspec, pw_appspec_free);
  g_clear_pointer (&inst->previous_appspec, pw_appspec_free);
  g_free (inst->failure);
  g_clear_pointer (&inst->messages, g_ptr_array_unref);
  g_free (inst);
}

static Instance *
instance_new (Deployment *dep,
              guint       number,
              const char *source_dir)
{
  Run *run = dep->run;
  Instance *inst = g_new0 (Instance, 1);

  inst->deployment = dep;
  inst->number = number;
  inst->name = g_strdup_printf ("instance-%u", number);
  inst->dir = g_build_filename (run->root, inst->name, NULL);
  inst->fs_root = g_build_filename (inst->dir, "fs", NULL);
  inst->source_dir = g_strdup (source_dir);
  inst->deployment_dir = g_build_filename (inst->dir, "deployment-root", dep->id, NULL);
  inst->archive_dir = g_build_filename (inst->deployment_dir, "deployment-archive", NULL);
  inst->messages = g_ptr_array_new_with_free_func (g_free);
  inst->state = INSTANCE_PENDING;

  return inst;
}

static void deployment_instance_done (Deployment *dep,
                                      Instance   *inst);


static void
instance_fail (Instance   *inst,
               const char *failure)
{
  Run *run = inst->deployment->run;
  GCancellable *cancellable = g_task_get_cancellable (run->task);

  instance_flush_messages (inst);
  instance_close_log (inst);
  inst->state = INSTANCE_FAILED;
  inst->failure = g_strdup (g_cancellable_is_cancelled (cancellable) ? "cancelled" : failure);
  inst->step = STEP_DONE;
  instance_log (inst, "Deployment %s failed: %s", inst->deployment->id, inst->failure);

  deployment_instance_done (inst->deployment, inst);
}

static void
instance_next_step (Instance *inst)
{
  inst->step++;
  inst->script_index = 0;
  instance_advance (inst);
}

static void
instance_work_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Instance *inst = user_data;
  g_autoptr(GError) error = NULL;

  instance_flush_messages (inst);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *failure = g_strdup_printf ("%s: %s", step_events[inst->step],
                                                  error->message);

      instance_fail (inst, failure);
      return;
    }

  if (inst->step == STEP_INSTALL)
    instance_log (inst, "Install: succeeded");

  instance_next_step (inst);
}

static void
instance_work_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  Instance *inst = task_data;
  GError *error = NULL;

  if (inst->work (inst, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
instance_run_work (Instance     *inst,
                   InstanceWork  work)
{
  Run *run = inst->deployment->run;
  g_autoptr(GTask) task = g_task_new (NULL, g_task_get_cancellable (run->task),
                                      instance_work_cb, inst);

  g_task_set_source_tag (task, instance_run_work);
  /* Our own error says more than "Operation was cancelled". */
  g_task_set_check_cancellable (task, FALSE);
  inst->work = work;
  g_task_set_task_data (task, inst, NULL);
  g_task_run_in_thread (task, instance_work_thread);
}

/* argv for a hook script: its own `#!` interpreter (as the kernel reads it:
 * the program and at most one argument), otherwise bash, or sh. */
static GStrv
script_argv (const char *script_path,
             const char *runas,
             Instance   *inst,
             const char *event)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *head = NULL;
  gsize length = 0;
  g_autoptr(GFile) file = g_file_new_for_path (script_path);
  g_autoptr(GFileInputStream) stream = g_file_read (file, NULL, NULL);
  char buffer[256];

  if (runas != NULL)
    {
      g_autofree char *runuser = g_find_program_in_path ("runuser");

      if (getuid () == 0 && getpwnam (runas) != NULL && runuser != NULL)
        {
          g_strv_builder_add_many (builder, runuser, "-u", runas, "--", NULL);
          instance_log (inst, "%s: running as %s", event, runas);
        }
      else
        instance_log (inst, "%s: runas: %s ignored (%s)", event, runas,
                      getuid () != 0 ? "only honoured when running as root"
                                     : "no such user or no runuser here");
    }

  if (stream != NULL &&
      g_input_stream_read_all (G_INPUT_STREAM (stream), buffer, sizeof buffer - 1, &length,
                               NULL, NULL))
    {
      buffer[length] = '\0';
      head = g_strdup (buffer);
    }

  if (head != NULL && g_str_has_prefix (head, "#!"))
    {
      char *end = strchr (head, '\n');
      char *interpreter;
      char *argument;

      if (end != NULL)
        *end = '\0';
      interpreter = g_strstrip (head + 2);
      argument = interpreter + strcspn (interpreter, " \t");
      if (*argument != '\0')
        {
          *argument++ = '\0';
          argument = g_strstrip (argument);
        }
      if (*interpreter != '\0')
        {
          g_strv_builder_add (builder, interpreter);
          if (*argument != '\0')
            g_strv_builder_add (builder, argument);
          g_strv_builder_add (builder, script_path);
          return g_strv_builder_end (builder);
        }
    }

  {
    g_autofree char *bash = g_find_program_in_path ("bash");

    g_strv_builder_add (builder, bash != NULL ? "bash" : "sh");
    g_strv_builder_add (builder, script_path);
  }

  return g_strv_builder_end (builder);
}

static void instance_run_script (Instance *inst);

static void
script_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Instance *inst = user_data;
  const char *event = step_events[inst->step];
  PwAppspec *spec = inst->step == STEP_APPLICATION_STOP ? inst->previous_appspec : inst->appspec;
  GPtrArray *scripts = pw_appspec_get_hook (spec, event);
  PwAppspecScript *script = g_ptr_array_index (scripts, inst->script_index);
  g_autoptr(GError) error = NULL;
  int exit_status = 0;

  if (!pw_command_run_finish (result, &exit_status, &error))
    {
      g_autofree char *failure = NULL;

      if (g_error_matches (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_TIMEOUT))
        failure = g_strdup_printf ("%s: %s timed out after %u s", event, script->location,
                                   script->timeout);
      else
        failure = g_strdup_printf ("%s: %s could not run: %s", event, script->location,
                                   error->message);
      instance_fail (inst, failure);
      return;
    }

  if (exit_status != 0)
    {
      g_autofree char *failure = g_strdup_printf ("%s: %s exited %d", event, script->location,
                                                  exit_status);

      instance_fail (inst, failure);
      return;
    }

  inst->script_index++;
  instance_run_script (inst);
}

static void
instance_run_script (Instance *inst)
{
  Run *run = inst->deployment->run;
  const char *event = step_events[inst->step];
  gboolean stop = inst->step == STEP_APPLICATION_STOP;
  PwAppspec *spec = stop ? inst->previous_appspec : inst->appspec;
  const char *cwd = stop ? inst->previous_archive : inst->archive_dir;
  GPtrArray *scripts = pw_appspec_get_hook (spec, event);
  g_autofree char *script_path = NULL;
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) envp = NULL;
  PwAppspecScript *script;

  if (inst->script_index >= scripts->len)
    {
      instance_log (inst, "%s: succeeded", event);
      instance_next_step (inst);
      return;
    }

  script = g_ptr_array_index (scripts, inst->script_index);
  script_path = g_build_filename (cwd, script->location, NULL);
  if (!g_file_test (script_path, G_FILE_TEST_IS_REGULAR))
    {
      /* CodeDeploy's ScriptMissing, at the hook that needs the script. */
      g_autofree char *failure = g_strdup_printf ("%s: Script does not exist at specified location: "
                                                  "%s (ScriptMissing; add it to the revision or "
                                                  "correct the appspec's location)",
                                                  event, script->location);

      instance_fail (inst, failure);
      return;
    }
  argv = script_argv (script_path, script->runas, inst, event);

  envp = g_strdupv (run->environment);
  envp = g_environ_setenv (envp, "APPLICATION_NAME", run->application, TRUE);
  envp = g_environ_setenv (envp, "DEPLOYMENT_ID", inst->deployment->id, TRUE);
  envp = g_environ_setenv (envp, "DEPLOYMENT_GROUP_NAME", run->group, TRUE);
  envp = g_environ_setenv (envp, "DEPLOYMENT_GROUP_ID", run->group_id, TRUE);
  envp = g_environ_setenv (envp, "LIFECYCLE_EVENT", event, TRUE);
  envp = g_environ_setenv (envp, "INSTANCE_ROOT", inst->fs_root, TRUE);

  if (stop)
    instance_log (inst, "%s: running %s of %s (timeout %u s)", event, script->location,
                  inst->previous_id, script->timeout);
  else
    instance_log (inst, "%s: running %s (timeout %u s)", event, script->location, script->timeout);

  _pw_command_run_in_async (run->container, (const char * const *)argv, cwd,
                            (const char * const *)envp, NULL,
                            inst->log != NULL ? inst->log : run->log, script->timeout,
                            g_task_get_cancellable (run->task), script_done_cb, inst);
}

static void
instance_run_hook (Instance *inst)
{
  const char *event = step_events[inst->step];

  if (inst->step == STEP_APPLICATION_STOP)
    {
      if (inst->previous_archive == NULL)
        {
          instance_log (inst, "%s: skipped (first deployment to this instance)", event);
          instance_next_step (inst);
          return;
        }
      if (inst->previous_appspec == NULL)
        {
          instance_log (inst, "%s: skipped (no readable earlier revision)", event);
          instance_next_step (inst);
          return;
        }
      if (pw_appspec_get_hook (inst->previous_appspec, event) == NULL)
        {
          instance_log (inst, "%s: no scripts in %s", event, inst->previous_id);
          instance_next_step (inst);
          return;
        }
    }
  else if (pw_appspec_get_hook (inst->appspec, event) == NULL)
    {
      instance_log (inst, "%s: no scripts", event);
      instance_next_step (inst);
      return;
    }

  inst->script_index = 0;
  instance_run_script (inst);
}

static gboolean
instance_open_log (Instance  *inst,
                   GError   **error)
{
  g_autofree char *logs = g_build_filename (inst->deployment_dir, "logs", NULL);
  g_autofree char *path = g_build_filename (logs, "scripts.log", NULL);

  if (g_mkdir_with_parents (logs, 0755) != 0)
    return set_errno_error (error, errno, "create", logs);

  if ((inst->log = pw_log_new (path, error)) == NULL)
    return FALSE;

  inst->line_id = g_signal_connect (inst->log, "line", G_CALLBACK (instance_line_cb), inst);
  return TRUE;
}

static void
instance_advance (Instance *inst)
{
  Run *run = inst->deployment->run;
  GCancellable *cancellable = g_task_get_cancellable (run->task);

  if (inst->step != STEP_DONE && g_cancellable_is_cancelled (cancellable))
    {
      instance_fail (inst, "cancelled");
      return;
    }

  switch (inst->step)
    {
    case STEP_PREPARE:
      {
        g_autoptr(GError) error = NULL;

        inst->state = INSTANCE_RUNNING;
        instance_log (inst, "Deployment %s started%s", inst->deployment->id,
                      inst->deployment->rollback ? " (rollback)" : "");
        if (!instance_open_log (inst, &error))
          {
            g_autofree char *failure = g_strdup_printf ("DownloadBundle: %s", error->message);

            instance_fail (inst, failure);
            return;
          }
        instance_run_work (inst, prepare_work);
      }
      break;

    case STEP_DOWNLOAD_BUNDLE:
      instance_log (inst, "DownloadBundle: revision copied to %s", inst->archive_dir);
      for (guint i = 0; traffic_events[i] != NULL; i++)
        if (pw_appspec_get_hook (inst->appspec, traffic_events[i]) != NULL)
          instance_log (inst, "%s: skipped (no load balancer locally)", traffic_events[i]);
      instance_next_step (inst);
      break;

    case STEP_APPLICATION_STOP:
    case STEP_BEFORE_INSTALL:
    case STEP_AFTER_INSTALL:
    case STEP_APPLICATION_START:
    case STEP_VALIDATE_SERVICE:
      instance_run_hook (inst);
      break;

    case STEP_INSTALL:
      instance_log (inst, "Install: file_exists_behavior %s",
                    pw_appspec_file_exists_behavior_to_string (
                      inst->appspec->file_exists_behavior));
      instance_run_work (inst, install_work);
      break;

    case STEP_FINISH:
      instance_run_work (inst, finish_work);
      break;

    case STEP_DONE:
    default:
      instance_close_log (inst);
      inst->state = INSTANCE_SUCCEEDED;
      instance_log (inst, "Deployment %s succeeded", inst->deployment->id);
      deployment_instance_done (inst->deployment, inst);
      break;
    }
}

/* Deployments -------------------------------------------------------------- */

static guint
required_successes (DeployConfig config,
                    guint        n)
{
  switch (config)
    {
    case CONFIG_HALF_AT_A_TIME:
      return MAX (1, (n + 1) / 2);

    case CONFIG_ALL_AT_ONCE:
    case CONFIG_ONE_AT_A_TIME:
    default:
      return 1;
    }
}

static Deployment *
deployment_new (Run      *run,
                gboolean  rollback)
{
  Deployment *dep = g_new0 (Deployment, 1);

  dep->run = run;
  dep->id = new_deployment_id ();
  dep->rollback = rollback;
  dep->instances = g_ptr_array_new_with_free_func (instance_free);

  return dep;
}

static void
deployment_free (Deployment *dep)
{
  if (dep == NULL)
    return;

  g_clear_pointer (&dep->instances, g_ptr_array_unref);
  g_free (dep->id);
  g_free (dep);
}

static guint
batch_size_for (DeployConfig config,
                guint        n)
{
  switch (config)
    {
    case CONFIG_ALL_AT_ONCE:
      return MAX (n, 1);

    case CONFIG_HALF_AT_A_TIME:
      return MAX (n / 2, 1);

    case CONFIG_ONE_AT_A_TIME:
    default:
      return 1;
    }
}

static gboolean
deployment_succeeded (Deployment *dep)
{
  Run *run = dep->run;
  guint n = dep->instances->len;

  if (dep->next < n || dep->succeeded == 0)
    return FALSE;

  switch (run->config)
    {
    case CONFIG_ONE_AT_A_TIME:
      {
        Instance *last = g_ptr_array_index (dep->instances, n - 1);

        /* All-but-one stay healthy when only the last one fails. */
        return dep->failed == 0 || (dep->failed == 1 && last->state == INSTANCE_FAILED);
      }

    case CONFIG_HALF_AT_A_TIME:
      return dep->succeeded >= required_successes (run->config, n);

    case CONFIG_ALL_AT_ONCE:
    default:
      return dep->succeeded >= 1;
    }
}

/* Whether the next batch may start (appspec.md §4): a rollback restores
 * every instance it can; a deployment stops as soon as it cannot succeed. */
static gboolean
deployment_may_continue (Deployment *dep)
{
  Run *run = dep->run;
  guint n = dep->instances->len;

  if (g_cancellable_is_cancelled (g_task_get_cancellable (run->task)))
    return FALSE;
  if (dep->rollback)
    return TRUE;

  switch (run->config)
    {
    case CONFIG_ONE_AT_A_TIME:
      return dep->failed == 0;

    case CONFIG_HALF_AT_A_TIME:
      return dep->failed <= n - required_successes (run->config, n);

    case CONFIG_ALL_AT_ONCE:
    default:
      return TRUE;
    }
}

static void run_deployment_done (Run        *run,
                                 Deployment *dep);

static void
deployment_instance_done (Deployment *dep,
                          Instance   *inst)
{
  g_assert (dep->running > 0);

  dep->running--;
  if (inst->state == INSTANCE_SUCCEEDED)
    dep->succeeded++;
  else
    dep->failed++;

  if (dep->running > 0)
    return;

  if (dep->next < dep->instances->len && deployment_may_continue (dep))
    {
      deployment_start_batch (dep);
      return;
    }

  run_deployment_done (dep->run, dep);
}

static void
deployment_start_batch (Deployment *dep)
{
  guint end = MIN (dep->next + dep->batch_size, dep->instances->len);
  guint start = dep->next;

  /* All of the batch counts as running before any of it can finish. */
  dep->running += end - start;
  dep->next = end;

  for (guint i = start; i < end; i++)
    instance_advance (g_ptr_array_index (dep->instances, i));
}

/* The run ------------------------------------------------------------------ */

static void
run_free (gpointer data)
{
  Run *run = data;

  deployment_free (run->deployment);
  deployment_free (run->rollback);
  g_clear_object (&run->job);
  g_clear_object (&run->profile);
  g_free (run->application);
  g_free (run->group);
  g_free (run->group_id);
  g_free (run->config_name);
  g_free (run->root);
  g_free (run->input_zip);
  g_free (run->bundle_dir);
  g_strfreev (run->environment);
  g_clear_pointer (&run->container, _pw_container_unref);
  g_clear_error (&run->return_error);
  g_free (run);
}

static char *
describe_failures (Deployment *dep)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < dep->instances->len; i++)
    {
      Instance *inst = g_ptr_array_index (dep->instances, i);

      if (inst->state != INSTANCE_FAILED)
        continue;
      g_string_append_printf (text, "%s%s: %s", text->len > 0 ? "; " : "",
                              inst->name, inst->failure);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
run_return_now (Run    *run,
                GError *error)
{
  GTask *task = run->task;

  if (run->holds_root)
    {
      g_hash_table_remove (busy_roots, run->root);
      run->holds_root = FALSE;
    }

  if (error != NULL)
    {
      pw_action_job_set_summary (run->job, error->message);
      run_log (run, "%s", error->message);
      g_task_return_error (task, error);
    }
  else
    g_task_return_boolean (task, TRUE);

  g_object_unref (task);
}

static void
container_closed_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Run *run = user_data;
  guint stopped = _pw_container_close_finish (run->container, result);

  if (stopped > 0)
    run_log (run, "Stopped %u process%s the hooks left running", stopped,
             stopped == 1 ? "" : "es");
  run_return_now (run, g_steal_pointer (&run->return_error));
}

/* The action ends once nothing its hooks started still runs. */
static void
run_return (Run    *run,
            GError *error)
{
  if (run->container == NULL)
    {
      run_return_now (run, error);
      return;
    }

  run->return_error = error;
  _pw_container_close_async (run->container, container_closed_cb, run);
}

static void
run_finish_failure (Run *run)
{
  Deployment *dep = run->deployment;
  g_autofree char *failures = describe_failures (dep);
  g_autoptr(GString) summary = g_string_new (NULL);
  guint n = dep->instances->len;
  guint not_deployed = n - dep->next;

  g_string_append_printf (summary, "Deployment %s failed: %u of %u instance%s failed (%s)",
                          dep->id, dep->failed, n, n == 1 ? "" : "s", failures);
  if (not_deployed > 0)
    g_string_append_printf (summary, ", %u not deployed to", not_deployed);

  if (run->rollback == NULL)
    {
      g_string_append (summary, "; no earlier successful revision to roll back to");
    }
  else
    {
      Deployment *rollback = run->rollback;
      g_autoptr(GPtrArray) ids = g_ptr_array_new ();

      for (guint i = 0; i < dep->instances->len; i++)
        {
          Instance *inst = g_ptr_array_index (dep->instances, i);

          if (inst->state != INSTANCE_PENDING && inst->previous_id != NULL &&
              !g_ptr_array_find_with_equal_func (ids, inst->previous_id, g_str_equal, NULL))
            g_ptr_array_add (ids, inst->previous_id);
        }
      g_ptr_array_add (ids, NULL);

      {
        g_autofree char *list = g_strjoinv (", ", (char **)ids->pdata);

        g_string_append_printf (summary, "; rolled back to %s (as %s)", list, rollback->id);
      }

      if (rollback->failed > 0)
        {
          g_autofree char *rollback_failures = describe_failures (rollback);

          g_string_append_printf (summary, ", but the rollback failed on %u instance%s (%s)",
                                  rollback->failed, rollback->failed == 1 ? "" : "s",
                                  rollback_failures);
        }
    }

  run_return (run, g_error_new_literal (PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED, summary->str));
}

static void
run_start_rollback (Run *run)
{
  Deployment *dep = run->deployment;
  Deployment *rollback = deployment_new (run, TRUE);
  g_autoptr(GString) targets = g_string_new (NULL);

  for (guint i = 0; i < dep->instances->len; i++)
    {
      Instance *inst = g_ptr_array_index (dep->instances, i);

      if (inst->state == INSTANCE_PENDING)
        continue;
      if (inst->previous_archive == NULL || !is_real_dir (inst->previous_archive))
        {
          run_log (run, "[%s] Rollback: no earlier successful revision; left as it is", inst->name);
          continue;
        }

      g_ptr_array_add (rollback->instances,
                       instance_new (rollback, inst->number, inst->previous_archive));
      g_string_append_printf (targets, "%s%s (%s)", targets->len > 0 ? ", " : "",
                              inst->name, inst->previous_id);
    }

  if (rollback->instances->len == 0)
    {
      deployment_free (rollback);
      run_finish_failure (run);
      return;
    }

  run->rollback = rollback;
  rollback->batch_size = batch_size_for (run->config, rollback->instances->len);
  run_log (run, "Rolling back deployment %s as deployment %s: redeploying the last successful "
           "revision to %s", dep->id, rollback->id, targets->str);

  deployment_start_batch (rollback);
}

static void
run_deployment_done (Run        *run,
                     Deployment *dep)
{
  GCancellable *cancellable = g_task_get_cancellable (run->task);

  if (dep->rollback)
    {
      if (g_cancellable_is_cancelled (cancellable))
        {
          run_return (run, g_error_new (PW_ENGINE_ERROR, PW_ENGINE_ERROR_CANCELLED,
                                        "Deployment %s failed, and its rollback %s was stopped",
                                        run->deployment->id, dep->id));
          return;
        }
      run_log (run, "Rollback deployment %s finished: %u of %u instances restored",
               dep->id, dep->succeeded, dep->instances->len);
      run_finish_failure (run);
      return;
    }

  if (g_cancellable_is_cancelled (cancellable))
    {
      run_return (run, g_error_new (PW_ENGINE_ERROR, PW_ENGINE_ERROR_CANCELLED,
                                    "Deployment %s was stopped", dep->id));
      return;
    }

  if (deployment_succeeded (dep))
    {
      g_autoptr(GString) summary = g_string_new (NULL);
      guint n = dep->instances->len;

      g_string_append_printf (summary, "Deployment %s succeeded on %u of %u instance%s (%s)",
                              dep->id, dep->succeeded, n, n == 1 ? "" : "s", run->config_name);
      if (dep->failed > 0)
        {
          g_autofree char *failures = describe_failures (dep);

          g_string_append_printf (summary, "; %s", failures);
        }
      pw_action_job_set_summary (run->job, summary->str);
      run_log (run, "%s", summary->str);
      run_return (run, NULL);
      return;
    }

  run_start_rollback (run);
}

static void
run_start (Run *run)
{
  Deployment *dep = deployment_new (run, FALSE);

  run->deployment = dep;
  pw_action_job_set_external_id (run->job, dep->id);

  for (guint i = 1; i <= run->n_instances; i++)
    g_ptr_array_add (dep->instances, instance_new (dep, i, run->bundle_dir));
  dep->batch_size = batch_size_for (run->config, run->n_instances);

  run_log (run, "Deployment %s: application %s, deployment group %s, %u instance%s under %s, %s",
           dep->id, run->application, run->group, run->n_instances,
           run->n_instances == 1 ? "" : "s", run->root, run->config_name);

  deployment_start_batch (dep);
}

static void
extract_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Run *run = task_data;
  g_autoptr(PwAppspec) spec = NULL;
  GError *error = NULL;

  if (!remove_tree (run->bundle_dir, &error) ||
      !pw_artifact_extract (run->input_zip, run->bundle_dir, cancellable, &error))
    {
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                               "cannot extract the revision: %s", error->message);
      g_error_free (error);
      return;
    }

  /* Checked once, before any instance is touched. */
  if ((spec = pw_appspec_load (run->bundle_dir, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
extract_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;

  if (g_cancellable_is_cancelled (g_task_get_cancellable (run->task)))
    {
      g_clear_error (&error);
      run_return (run, g_error_new_literal (PW_ENGINE_ERROR, PW_ENGINE_ERROR_CANCELLED,
                                            "Deployment was stopped before it started"));
      return;
    }

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      run_return (run, error);
      return;
    }

  run_start (run);
}

static gboolean
parse_config (const char   *name,
              DeployConfig *config)
{
  if (g_str_equal (name, "CodeDeployDefault.OneAtATime"))
    *config = CONFIG_ONE_AT_A_TIME;
  else if (g_str_equal (name, "CodeDeployDefault.HalfAtATime"))
    *config = CONFIG_HALF_AT_A_TIME;
  else if (g_str_equal (name, "CodeDeployDefault.AllAtOnce"))
    *config = CONFIG_ALL_AT_ONCE;
  else
    return FALSE;

  return TRUE;
}

static gboolean
run_configure (Run     *run,
               GError **error)
{
  PwActionJob *job = run->job;
  g_autofree char *entry_name = NULL;
  g_autofree char *app_segment = NULL;
  g_autofree char *group_segment = NULL;
  const char *work_dir = pw_action_job_get_work_dir (job);
  const char *pipeline_dir = pw_action_job_get_pipeline_dir (job);
  const char *root;
  const char *config;
  GPtrArray *inputs = pw_action_job_get_inputs (job);
  JsonObject *entry;

  run->application = g_strdup (pw_action_job_get_config (job, "ApplicationName"));
  run->group = g_strdup (pw_action_job_get_config (job, "DeploymentGroupName"));
  if (run->application == NULL || *run->application == '\0' ||
      run->group == NULL || *run->group == '\0')
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   "CodeDeploy needs ApplicationName and DeploymentGroupName in its configuration");
      return FALSE;
    }

  if (inputs == NULL || inputs->len != 1)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                   "CodeDeploy takes exactly one input artifact (the revision bundle), not %u",
                   inputs != NULL ? inputs->len : 0);
      return FALSE;
    }
  run->input_zip = g_strdup (((PwJobArtifact *)g_ptr_array_index (inputs, 0))->zip_path);

  if (work_dir == NULL)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED, "the job has no work folder");
      return FALSE;
    }
  run->bundle_dir = g_build_filename (work_dir, "bundle", NULL);

  if (pipeline_dir == NULL)
    pipeline_dir = pw_local_profile_get_base_dir (run->profile);

  entry_name = g_strdup_printf ("%s/%s", run->application, run->group);
  entry = pw_local_profile_get_entry (run->profile, "codedeploy", entry_name);

  run->n_instances = 1;
  if (entry != NULL && json_object_has_member (entry, "instances"))
    run->n_instances = (guint)json_object_get_int_member (entry, "instances");

  root = pw_local_profile_get_string (run->profile, "codedeploy", entry_name, "root");
  app_segment = path_segment (run->application);
  group_segment = path_segment (run->group);
  if (root != NULL)
    run->root = pw_local_profile_resolve_path (run->profile, root);
  else
    run->root = g_build_filename (pipeline_dir, ".pipewright", "codedeploy",
                                  app_segment, group_segment, NULL);

  config = pw_local_profile_get_string (run->profile, "codedeploy", entry_name, "config");
  run->config_name = g_strdup (config != NULL ? config : DEFAULT_CONFIG);
  if (!parse_config (run->config_name, &run->config))
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   "unknown deployment configuration %s", run->config_name);
      return FALSE;
    }

  run->group_id = group_id_for (run->application, run->group);

  run->environment = pw_action_job_dup_environment (job);
  if (run->environment == NULL)
    run->environment = g_get_environ ();

  return TRUE;
}

static void
pw_codedeploy_provider_run_async (PwProvider          *provider,
                                  PwActionJob         *job,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  PwLocalProfile *profile;
  Run *run;

  task = g_task_new (provider, cancellable, callback, user_data);
  g_task_set_source_tag (task, pw_codedeploy_provider_run_async);
  /* Our PW_ENGINE_ERROR_CANCELLED, not GIO's, reaches the executor. */
  g_task_set_check_cancellable (task, FALSE);

  run = g_new0 (Run, 1);
  run->job = g_object_ref (job);
  run->log = pw_action_job_get_log (job);
  profile = pw_action_job_get_profile (job);
  run->profile = profile != NULL ? g_object_ref (profile) : pw_local_profile_new ();
  /* The task owns the run; the run's own pointer to the task is the one
   * reference the deployment keeps until run_return(). */
  g_task_set_task_data (task, run, run_free);
  run->task = g_object_ref (task);

  run->container = _pw_container_new (&error);
  if (run->container == NULL)
    {
      g_warning ("The deployment runs its hooks without a container: %s", error->message);
      g_clear_error (&error);
    }

  if (!run_configure (run, &error))
    {
      run_return (run, error);
      return;
    }

  if (busy_roots == NULL)
    busy_roots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (g_hash_table_contains (busy_roots, run->root))
    {
      run_return (run, g_error_new (PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                                    "Deployment group %s of application %s already has a "
                                    "deployment in progress (instances in %s)",
                                    run->group, run->application, run->root));
      return;
    }
  g_hash_table_add (busy_roots, g_strdup (run->root));
  run->holds_root = TRUE;

  {
    g_autoptr(GTask) extract = g_task_new (NULL, cancellable, extract_cb, run);

    g_task_set_source_tag (extract, pw_codedeploy_provider_run_async);
    g_task_set_check_cancellable (extract, FALSE);
    g_task_set_task_data (extract, run, NULL);
    g_task_run_in_thread (extract, extract_thread);
  }
}

static gboolean
pw_codedeploy_provider_run_finish (PwProvider    *provider,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
provider_iface_init (PwProviderInterface *iface)
{
  iface->run_async = pw_codedeploy_provider_run_async;
  iface->run_finish = pw_codedeploy_provider_run_finish;
}

static void
pw_codedeploy_provider_class_init (PwCodedeployProviderClass *klass)
{
}

static void
pw_codedeploy_provider_init (PwCodedeployProvider *self)
{
}

/**
 * pw_codedeploy_provider_new:
 *
 * The `Deploy / AWS / CodeDeploy` provider for EC2/on-premises
 * deployment groups, run on local instance folders (see the top of this
 * file for the layout and the rules).
 *
 * Returns: (transfer full): the provider
 */
PwProvider *
pw_codedeploy_provider_new (void)
{
  return g_object_new (pw_codedeploy_provider_get_type (), NULL);
}
