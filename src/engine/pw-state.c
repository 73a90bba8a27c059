/* pw-state.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-state"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
# include <linux/fs.h>
#endif

#include <glib/gstdio.h>

#include "pw-engine.h"
#include "pw-engine-private.h"

static gboolean write_text (const char *path, const char *text, gsize length,
                            gboolean durable, GError **error);

/* The state folder, `.pipewright/` beside the pipeline file:
 *
 *   executions/<id>/execution.json   the record, rewritten atomically
 *   logs/<id>/<stage>/<action>[.N].log
 *   artifacts/<id>/<action-execution-id>/<Artifact>.zip
 *   work/<id>/…                      fresh working folders
 *   cache/<provider>/<key>/          kept between runs
 *   events.jsonl                     one EventBridge-shaped event a line
 *   control/                         requests from other processes
 *   transitions/<pipeline>.json      stage → its inbound transition, as
 *                                    last enabled or disabled
 *   api/                             what `serve` keeps (versions, tags)
 */

char *
pw_state_default_dir (const char *pipeline_path)
{
  g_autofree char *abs = NULL;
  g_autofree char *dir = NULL;

  g_return_val_if_fail (pipeline_path != NULL, NULL);

  abs = g_canonicalize_filename (pipeline_path, NULL);
  dir = g_path_get_dirname (abs);
  return g_build_filename (dir, ".pipewright", NULL);
}

/* Creates @path (and its parents) as the top of independent trees: an
 * execution's `work`, `logs` and `artifacts` folders (one child per
 * action or stage), `executions` and the cache folders. On ext2/3/4 that
 * is the `T` attribute (chattr +T): the Orlov allocator then puts each
 * child folder, and the files made in it, in a block group of its own
 * instead of the parent's. It matters on ext4 without a journal: there a
 * new inode is only taken past the inodes freed in the last minutes of its
 * block group, one buffer lookup each, and the state folder's group
 * collects them all (every run's scratch files, every `rm -rf
 * .pipewright`). Extracting an action's 107-file source took 20-30 ms
 * there and 2.5 ms with the attribute. Elsewhere the attribute is unknown
 * and nothing changes. */
gboolean
_pw_state_mkdir_top (const char *path)
{
#if defined (FS_IOC_GETFLAGS) && defined (FS_TOPDIR_FL)
  int flags = 0;
  int fd;
#endif

  if (g_mkdir_with_parents (path, 0755) != 0)
    return FALSE;

#if defined (FS_IOC_GETFLAGS) && defined (FS_TOPDIR_FL)
  fd = g_open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd < 0)
    return TRUE;

  /* A hint only: a file system without it says ENOTTY or EOPNOTSUPP. */
  if (ioctl (fd, FS_IOC_GETFLAGS, &flags) == 0 && (flags & FS_TOPDIR_FL) == 0)
    {
      flags |= FS_TOPDIR_FL;
      if (ioctl (fd, FS_IOC_SETFLAGS, &flags) != 0)
        g_debug ("Cannot mark %s as a top folder: %s", path, g_strerror (errno));
    }
  g_close (fd, NULL);
#endif

  return TRUE;
}

gboolean
_pw_state_write_json (const char  *path,
                      JsonNode    *node,
                      GError     **error)
{
  return _pw_state_write_json_full (path, node, TRUE, error);
}

/* As pw_file_replace_contents_full (not durable), creating the folder. */
gboolean
_pw_state_replace_file (const char  *path,
                        const char  *text,
                        gsize        length,
                        GError     **error)
{
  return write_text (path, text, length, FALSE, error);
}

static gboolean
write_text (const char  *path,
            const char  *text,
            gsize        length,
            gboolean     durable,
            GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot create %s: %s", dir, g_strerror (saved));
      return FALSE;
    }

  return pw_file_replace_contents_full (path, text, length, durable, error);
}

/* With @durable the record is fsynced first, which also survives a power
 * cut; it costs ~10 ms a write, so the executor keeps it for the records
 * that end an execution and writes the many intermediate ones without. */
gboolean
_pw_state_write_json_full (const char  *path,
                           JsonNode    *node,
                           gboolean     durable,
                           GError     **error)
{
  g_autofree char *text = pw_json_emit (node);

  return write_text (path, text, strlen (text), durable, error);
}

JsonNode *
_pw_state_read_json (const char  *path,
                     GError     **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *node;
  gsize length;

  if (!g_file_get_contents (path, &text, &length, error))
    return NULL;

  node = pw_json_parse (text, length, NULL, &local_error);
  if (node == NULL)
    {
      /* "<input>:3:7: ..." names the file instead: a broken record must
       * say which one it is. */
      const char *message = local_error->message;

      if (g_str_has_prefix (message, "<input>:"))
        g_set_error (error, local_error->domain, local_error->code, "%s%s", path,
                     message + strlen ("<input>"));
      else
        g_set_error (error, local_error->domain, local_error->code, "%s: %s", path, message);
    }

  return node;
}

char *
_pw_state_execution_path (const char *state_dir,
                          const char *execution_id)
{
  return g_build_filename (state_dir, "executions", execution_id, "execution.json", NULL);
}

/**
 * pw_state_is_execution_id:
 * @text: what was given as an execution id
 * @prefix: whether the start of an id will do
 *
 * An execution id is a UUID (`3f2a8c1e-9b4d-4e2f-8a6b-0c1d2e3f4a5b`):
 * lower-case hex digits and dashes, 8-4-4-4-12. Ids are used in paths, so
 * nothing else (a `/`, a `..`) is taken for one.
 *
 * Returns: whether @text is one, or with @prefix the start of one
 */
gboolean
pw_state_is_execution_id (const char *text,
                          gboolean    prefix)
{
  static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
  gsize length;

  if (text == NULL || text[0] == '\0')
    return FALSE;

  length = strlen (text);
  if (length > sizeof shape - 1 || (!prefix && length != sizeof shape - 1))
    return FALSE;

  for (gsize i = 0; i < length; i++)
    {
      if (shape[i] == '-' ? text[i] != '-'
                          : !(g_ascii_isdigit (text[i]) || (text[i] >= 'a' && text[i] <= 'f')))
        return FALSE;
    }

  return TRUE;
}

static gboolean
check_execution_id (const char  *execution_id,
                    GError     **error)
{
  g_autofree char *shown = NULL;

  if (pw_state_is_execution_id (execution_id, TRUE))
    return TRUE;

  shown = g_strescape (execution_id, NULL);
  g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_NOT_FOUND,
               "'%s' is not an execution id: ids are UUIDs such as "
               "3f2a8c1e-9b4d-4e2f-8a6b-0c1d2e3f4a5b (or their first characters); "
               "`pipewright-cli history` lists them", shown);
  return FALSE;
}

static JsonNode *read_record (const char  *dir,
                              const char  *name,
                              GError     **error);

JsonNode *
pw_state_load_execution (const char  *state_dir,
                         const char  *execution_id,
                         GError     **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) all = NULL;

  g_return_val_if_fail (state_dir != NULL, NULL);
  g_return_val_if_fail (execution_id != NULL, NULL);

  if (!check_execution_id (execution_id, error))
    return NULL;

  path = _pw_state_execution_path (state_dir, execution_id);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *dir = g_build_filename (state_dir, "executions", NULL);

      return read_record (dir, execution_id, error);
    }

  /* Accept a unique prefix, as git does for commits. */
  all = pw_state_list_executions (state_dir, NULL);
  if (all != NULL)
    {
      JsonNode *found = NULL;
      guint matches = 0;

      for (guint i = 0; i < all->len; i++)
        {
          JsonObject *o = json_node_get_object (g_ptr_array_index (all, i));
          const char *id = json_object_get_string_member_with_default (o, "pipelineExecutionId", "");

          if (g_str_has_prefix (id, execution_id))
            {
              found = g_ptr_array_index (all, i);
              matches++;
            }
        }

      if (matches == 1)
        return json_node_ref (found);
      if (matches > 1)
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_NOT_FOUND,
                       "'%s' matches %u executions; give more of the id", execution_id, matches);
          return NULL;
        }
    }

  g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_NOT_FOUND,
               "No execution '%s' in %s", execution_id, state_dir);
  return NULL;
}

static int
compare_start (gconstpointer a,
               gconstpointer b)
{
  JsonObject *x = json_node_get_object (*(JsonNode **)a);
  JsonObject *y = json_node_get_object (*(JsonNode **)b);

  /* Newest first. ISO-8601 UTC strings sort as times. */
  return -g_strcmp0 (json_object_get_string_member_with_default (x, "startTime", ""),
                     json_object_get_string_member_with_default (y, "startTime", ""));
}

/* The record in the folder @name of executions/, or NULL with @error
 * saying why it cannot be used: it must parse, be an object, and carry
 * the id its folder is named after (ids become paths). */
static JsonNode *
read_record (const char  *dir,
             const char  *name,
             GError     **error)
{
  g_autofree char *path = g_build_filename (dir, name, "execution.json", NULL);
  g_autoptr(JsonNode) node = NULL;
  const char *id;

  if (!pw_state_is_execution_id (name, FALSE))
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                   "%s: the folder's name is not an execution id", path);
      return NULL;
    }

  node = _pw_state_read_json (path, error);
  if (node == NULL)
    return NULL;

  id = JSON_NODE_HOLDS_OBJECT (node)
       ? json_object_get_string_member_with_default (json_node_get_object (node),
                                                     "pipelineExecutionId", NULL)
       : NULL;
  if (g_strcmp0 (id, name) != 0)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                   "%s:1:1: not the record of execution %s", path, name);
      return NULL;
    }

  return g_steal_pointer (&node);
}

/**
 * pw_state_list_executions_full:
 * @state_dir: a state folder
 * @unreadable: (out) (optional) (transfer full) (element-type GError):
 *   why each record that cannot be read cannot be, naming its file and
 *   where it breaks
 * @error: return location for an error
 *
 * Returns: (transfer full) (element-type JsonNode): the readable records,
 *   newest first
 */
GPtrArray *
pw_state_list_executions_full (const char  *state_dir,
                               GPtrArray  **unreadable,
                               GError     **error)
{
  g_autofree char *dir = g_build_filename (state_dir, "executions", NULL);
  g_autoptr(GDir) d = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  g_autoptr(GPtrArray) bad = g_ptr_array_new_with_free_func ((GDestroyNotify)g_error_free);
  const char *name;

  if (unreadable != NULL)
    *unreadable = NULL;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      if (unreadable != NULL)
        *unreadable = g_steal_pointer (&bad);
      return g_steal_pointer (&list);
    }

  d = g_dir_open (dir, 0, error);
  if (d == NULL)
    return NULL;

  while ((name = g_dir_read_name (d)) != NULL)
    {
      GError *local_error = NULL;
      JsonNode *node = read_record (dir, name, &local_error);

      if (node != NULL)
        g_ptr_array_add (list, node);
      else
        g_ptr_array_add (bad, local_error);
    }

  g_ptr_array_sort (list, compare_start);
  if (unreadable != NULL)
    *unreadable = g_steal_pointer (&bad);
  return g_steal_pointer (&list);
}

/**
 * pw_state_list_executions:
 *
 * As pw_state_list_executions_full(), leaving unreadable records out.
 */
GPtrArray *
pw_state_list_executions (const char  *state_dir,
                          GError     **error)
{
  return pw_state_list_executions_full (state_dir, NULL, error);
}

gboolean
_pw_state_pid_alive (gint64 pid)
{
  if (pid <= 0)
    return FALSE;
  return kill ((pid_t)pid, 0) == 0 || errno == EPERM;
}

guint
pw_state_recover (const char *state_dir)
{
  g_autoptr(GPtrArray) all = pw_state_list_executions (state_dir, NULL);
  gboolean runner_alive = pw_state_runner_alive (state_dir);
  gint64 runner_pid = pw_state_runner_pid (state_dir);
  guint recovered = 0;

  if (all == NULL)
    return 0;

  for (guint i = 0; i < all->len; i++)
    {
      JsonNode *node = g_ptr_array_index (all, i);
      JsonObject *o = json_node_get_object (node);
      const char *status = json_object_get_string_member_with_default (o, "status", "");
      gint64 pid = 0;
      g_autofree char *reason = NULL;
      g_autofree char *path = NULL;
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autofree char *when = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");

      if (!g_str_equal (status, "InProgress") && !g_str_equal (status, "Stopping"))
        continue;

      if (json_object_has_member (o, "runner"))
        pid = json_object_get_int_member_with_default (json_object_get_object_member (o, "runner"), "pid", 0);
      /* Only the runner (the holder of runner.lock) runs executions: one
       * of another process is over, even if its pid was reused since. */
      if (pid == getpid () || (runner_alive && pid == runner_pid))
        continue;

      reason = g_strdup_printf ("The run was interrupted: the process running it (pid %" G_GINT64_FORMAT
                                ") ended before the execution finished. Its logs are kept.", pid);
      json_object_set_string_member (o, "status", "Failed");
      json_object_set_string_member (o, "statusSummary", reason);
      json_object_set_string_member (o, "lastUpdateTime", when);

      if (json_object_has_member (o, "stages"))
        {
          JsonArray *stages = json_object_get_array_member (o, "stages");

          for (guint s = 0; s < json_array_get_length (stages); s++)
            {
              JsonObject *st = json_array_get_object_element (stages, s);
              const char *ss = json_object_get_string_member_with_default (st, "status", "");

              if (g_str_equal (ss, "InProgress") || g_str_equal (ss, "Stopping"))
                json_object_set_string_member (st, "status", "Failed");
            }
        }
      if (json_object_has_member (o, "actions"))
        {
          JsonArray *actions = json_object_get_array_member (o, "actions");

          for (guint a = 0; a < json_array_get_length (actions); a++)
            {
              JsonObject *ac = json_array_get_object_element (actions, a);

              if (g_str_equal (json_object_get_string_member_with_default (ac, "status", ""), "InProgress"))
                {
                  json_object_set_string_member (ac, "status", "Failed");
                  json_object_set_string_member (ac, "summary", reason);
                }
            }
        }

      path = _pw_state_execution_path (state_dir, json_object_get_string_member (o, "pipelineExecutionId"));
      if (_pw_state_write_json (path, node, NULL))
        recovered++;
    }

  return recovered;
}

/* Work folders ------------------------------------------------------------- */

void
_pw_state_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  GStatBuf st;
  const char *name;

  if (g_lstat (path, &st) != 0)
    return;

  if (S_ISDIR (st.st_mode) && (dir = g_dir_open (path, 0, NULL)) != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          _pw_state_remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

typedef struct
{
  char   *name;
  gint64  mtime;
} WorkFolder;

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const WorkFolder *x = a, *y = b;

  return x->mtime < y->mtime ? 1 : x->mtime > y->mtime ? -1 : g_strcmp0 (x->name, y->name);
}

/**
 * pw_state_list_old_work:
 * @state_dir: a state folder
 * @keep: how many executions keep their work folders
 *
 * The working folders (`work/<id>`, where builds ran) of all but the
 * @keep newest executions: scratch space that pw_state_prune_work()
 * removes, or a pipeline run a hundred times would keep a hundred copies
 * of its sources. The folder of an execution that has not finished (its
 * record says so) is never listed.
 *
 * Returns: (transfer full): their paths, oldest last
 */
GStrv
pw_state_list_old_work (const char *state_dir,
                        guint       keep)
{
  g_autofree char *work = g_build_filename (state_dir, "work", NULL);
  g_autoptr(GDir) dir = g_dir_open (work, 0, NULL);
  g_autoptr(GArray) folders = g_array_new (FALSE, FALSE, sizeof (WorkFolder));
  g_autoptr(GStrvBuilder) old = g_strv_builder_new ();
  const char *name;
  struct stat st;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (work, name, NULL);
      WorkFolder folder;

      if (lstat (path, &st) != 0 || !S_ISDIR (st.st_mode))
        continue;
      folder.name = g_strdup (name);
      folder.mtime = (gint64)st.st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st.st_mtim.tv_nsec;
      g_array_append_val (folders, folder);
    }

  g_array_sort (folders, compare_newest_first);

  for (guint i = 0; i < folders->len; i++)
    {
      WorkFolder *folder = &g_array_index (folders, WorkFolder, i);

      if (i >= keep)
        {
          g_autoptr(JsonNode) record = pw_state_load_execution (state_dir, folder->name, NULL);
          const char *status = record != NULL
            ? json_object_get_string_member_with_default (json_node_get_object (record), "status", "")
            : "";

          g_autofree char *path = g_build_filename (work, folder->name, NULL);

          if (!g_str_equal (status, "InProgress") && !g_str_equal (status, "Stopping"))
            g_strv_builder_add (old, path);
        }
      g_free (folder->name);
    }

  return g_strv_builder_end (old);
}

/**
 * pw_state_prune_work:
 * @paths: what pw_state_list_old_work() gave
 *
 * Removes those folders. Records, logs, artifacts and reports stay.
 */
void
pw_state_prune_work (const char * const *paths)
{
  for (guint i = 0; paths != NULL && paths[i] != NULL; i++)
    _pw_state_remove_tree (paths[i]);
}

/* Requests from other processes -------------------------------------------- */

typedef struct
{
  gatomicrefcount  ref_count;
  GMainLoop       *loop;
  char            *state_dir;
  char            *reply_path;
  JsonNode        *reply;
  gboolean         timed_out;
  /* Set by the thread once the runner is gone (it held the lock). */
  gboolean         runner_gone;
  /* Set when the request is over: the thread then tells nobody. */
  GMutex           lock;
  gboolean         abandoned;
} RequestWait;

static RequestWait *
request_wait_ref (RequestWait *wait)
{
  g_atomic_ref_count_inc (&wait->ref_count);
  return wait;
}

static void
request_wait_unref (RequestWait *wait)
{
  if (!g_atomic_ref_count_dec (&wait->ref_count))
    return;
  g_clear_pointer (&wait->loop, g_main_loop_unref);
  g_clear_pointer (&wait->reply, json_node_unref);
  g_mutex_clear (&wait->lock);
  g_free (wait->state_dir);
  g_free (wait->reply_path);
  g_free (wait);
}

static gboolean
runner_gone_cb (gpointer data)
{
  RequestWait *wait = data;

  wait->runner_gone = TRUE;
  g_main_loop_quit (wait->loop);
  return G_SOURCE_REMOVE;
}

/* Blocks until the runner is gone, however it ends (the kernel drops
 * its lock), then tells the waiting request. The lock is taken only for
 * that moment: whoever runs next takes it for good. */
static gpointer
runner_watch_thread (gpointer data)
{
  RequestWait *wait = data;
  int fd = _pw_state_lock_runner (wait->state_dir, TRUE);

  if (fd >= 0)
    g_close (fd, NULL);

  g_mutex_lock (&wait->lock);
  if (!wait->abandoned)
    g_main_context_invoke_full (g_main_loop_get_context (wait->loop), G_PRIORITY_DEFAULT,
                                runner_gone_cb, request_wait_ref (wait),
                                (GDestroyNotify)request_wait_unref);
  g_mutex_unlock (&wait->lock);
  request_wait_unref (wait);

  return NULL;
}

static void
reply_changed_cb (GFileMonitor      *monitor,
                  GFile             *file,
                  GFile             *other,
                  GFileMonitorEvent  event,
                  RequestWait       *wait)
{
  if (wait->reply != NULL)
    return;
  if (event != G_FILE_MONITOR_EVENT_CREATED && event != G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT &&
      event != G_FILE_MONITOR_EVENT_MOVED_IN && event != G_FILE_MONITOR_EVENT_RENAMED)
    return;
  if (!g_file_test (wait->reply_path, G_FILE_TEST_EXISTS))
    return;

  wait->reply = _pw_state_read_json (wait->reply_path, NULL);
  if (wait->reply != NULL)
    g_main_loop_quit (wait->loop);
}

static gboolean
request_timeout_cb (gpointer data)
{
  RequestWait *wait = data;

  wait->timed_out = TRUE;
  g_main_loop_quit (wait->loop);
  return G_SOURCE_REMOVE;
}

gboolean
pw_state_send_request (const char  *state_dir,
                       JsonObject  *request,
                       guint        timeout_ms,
                       GError     **error)
{
  return pw_state_send_request_full (state_dir, request, timeout_ms, NULL, error);
}

/**
 * pw_state_send_request_full:
 * @reply: (out) (optional) (transfer full): the runner's whole answer
 *
 * Like pw_state_send_request(), and gives the answer back.
 */
gboolean
pw_state_send_request_full (const char  *state_dir,
                            JsonObject  *request,
                            guint        timeout_ms,
                            JsonNode   **reply,
                            GError     **error)
{
  g_autofree char *control = g_build_filename (state_dir, "control", NULL);
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *name = g_strdup_printf ("%s.request.json", uuid);
  g_autofree char *path = g_build_filename (control, name, NULL);
  g_autofree char *reply_name = g_strdup_printf ("%s.reply.json", uuid);
  g_autoptr(GFile) dir = NULL;
  g_autoptr(GFileMonitor) monitor = NULL;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(JsonNode) node = NULL;
  RequestWait *wait = g_new0 (RequestWait, 1);
  g_autoptr(GError) local_error = NULL;
  GSource *timeout;
  gboolean ok = FALSE;
  gint64 runner;

  g_atomic_ref_count_init (&wait->ref_count);
  g_mutex_init (&wait->lock);

  /* Only a live runner can answer. */
  {
    runner = pw_state_runner_pid (state_dir);
    if (!pw_state_runner_alive (state_dir))
      {
        g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_RUNNER_LEFT,
                     "No pipewright-cli run is running this pipeline (state folder %s); "
                     "only a running execution can be approved or stopped", state_dir);
        request_wait_unref (wait);
        return FALSE;
      }
  }

  if (g_mkdir_with_parents (control, 0755) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot create %s", control);
      request_wait_unref (wait);
      return FALSE;
    }

  g_main_context_push_thread_default (context);

  dir = g_file_new_for_path (control);
  monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_WATCH_MOVES, NULL, error);
  if (monitor == NULL)
    goto out;

  wait->loop = g_main_loop_new (context, FALSE);
  wait->state_dir = g_strdup (state_dir);
  wait->reply_path = g_build_filename (control, reply_name, NULL);
  g_signal_connect (monitor, "changed", G_CALLBACK (reply_changed_cb), wait);

  json_object_set_string_member (request, "id", uuid);
  node = json_node_init_object (json_node_alloc (), request);
  if (!_pw_state_write_json (path, node, error))
    goto out;

  timeout = g_timeout_source_new (timeout_ms);
  g_source_set_callback (timeout, request_timeout_cb, wait, NULL);
  g_source_attach (timeout, context);

  /* A runner that is leaving takes no more requests: it may end without
   * answering, and then this one is ours to run or to report. Between
   * one runner leaving and the next taking the lock, the next one may
   * take this request (it serves what waits when it starts): then it is
   * that runner's answer we wait for. */
  for (;;)
    {
      gboolean untaken;

      wait->runner_gone = FALSE;
      g_thread_unref (g_thread_new ("pw-runner-watch", runner_watch_thread,
                                    request_wait_ref (wait)));

      /* The reply may have landed between writing and watching. */
      if (wait->reply == NULL && g_file_test (wait->reply_path, G_FILE_TEST_EXISTS))
        wait->reply = _pw_state_read_json (wait->reply_path, NULL);
      if (wait->reply == NULL)
        g_main_loop_run (wait->loop);

      /* It may have answered just before it ended. */
      if (wait->reply == NULL && g_file_test (wait->reply_path, G_FILE_TEST_EXISTS))
        wait->reply = _pw_state_read_json (wait->reply_path, NULL);
      if (wait->reply != NULL || !wait->runner_gone || wait->timed_out)
        break;

      /* The request is still there when no runner took it (a runner
       * removes it before it acts on it). */
      untaken = g_unlink (path) == 0;
      if (untaken)
        {
          g_set_error (&local_error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_RUNNER_LEFT,
                       "The pipewright-cli that ran this pipeline ended without taking the "
                       "request");
          break;
        }
      /* Taken by a runner that started since: it answers, or it ends too. */
      if (pw_state_runner_alive (state_dir))
        {
          runner = pw_state_runner_pid (state_dir);
          continue;
        }
      if (g_file_test (wait->reply_path, G_FILE_TEST_EXISTS))
        wait->reply = _pw_state_read_json (wait->reply_path, NULL);
      if (wait->reply == NULL)
        g_set_error (&local_error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                     "The pipewright-cli that ran this pipeline ended while it handled the "
                     "request");
      break;
    }

  g_source_destroy (timeout);
  g_source_unref (timeout);

  if (wait->reply == NULL)
    {
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          goto out;
        }
      g_unlink (path);
      if (runner > 0)
        g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                     "The running pipewright-cli (pid %" G_GINT64_FORMAT ") did not answer "
                     "in %u s", runner, timeout_ms / 1000);
      else
        g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_STATE,
                     "The running pipewright-cli did not answer in %u s", timeout_ms / 1000);
      goto out;
    }

  g_unlink (wait->reply_path);
  if (json_object_get_boolean_member_with_default (json_node_get_object (wait->reply), "ok", FALSE))
    {
      ok = TRUE;
      if (reply != NULL)
        *reply = json_node_ref (wait->reply);
    }
  else
    g_set_error (error, PW_ENGINE_ERROR,
                 (int)json_object_get_int_member_with_default (json_node_get_object (wait->reply), "errorCode",
                                                               PW_ENGINE_ERROR_STATE),
                 "%s", json_object_get_string_member_with_default (json_node_get_object (wait->reply),
                                                                   "error", "refused"));

out:
  /* The monitor goes while this function still holds the context: the
   * watching thread may drop the last other reference to it at any
   * moment, and a monitor destroyed after that touches a freed context
   * (seen as a `run` that never ended when four started at once). */
  if (monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (monitor, wait);
      g_file_monitor_cancel (monitor);
      g_clear_object (&monitor);
    }
  /* The thread may still wait for the runner: it tells nobody from now
   * on, and what it told already is dispatched here. */
  g_mutex_lock (&wait->lock);
  wait->abandoned = TRUE;
  g_mutex_unlock (&wait->lock);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);
  request_wait_unref (wait);
  return ok;
}

typedef struct
{
  char       *state_dir;
  JsonObject *request;
  guint       timeout_ms;
} AsyncRequest;

static void
async_request_free (AsyncRequest *r)
{
  g_free (r->state_dir);
  json_object_unref (r->request);
  g_free (r);
}

static void
send_request_thread (GTask        *task,
                     gpointer      source,
                     gpointer      data,
                     GCancellable *cancellable)
{
  AsyncRequest *r = data;
  JsonNode *reply = NULL;
  GError *error = NULL;

  if (pw_state_send_request_full (r->state_dir, r->request, r->timeout_ms, &reply, &error))
    g_task_return_pointer (task, reply, (GDestroyNotify)json_node_unref);
  else
    g_task_return_error (task, error);
}

/**
 * pw_state_send_request_async:
 *
 * pw_state_send_request_full() in a worker thread, for a process that
 * serves others meanwhile (`serve`). @request must not be changed until
 * the call ends.
 */
void
pw_state_send_request_async (const char          *state_dir,
                             JsonObject          *request,
                             guint                timeout_ms,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  AsyncRequest *r = g_new0 (AsyncRequest, 1);

  r->state_dir = g_strdup (state_dir);
  r->request = json_object_ref (request);
  r->timeout_ms = timeout_ms;
  g_task_set_source_tag (task, pw_state_send_request_async);
  g_task_set_task_data (task, r, (GDestroyNotify)async_request_free);
  g_task_run_in_thread (task, send_request_thread);
}

/**
 * pw_state_send_request_finish:
 *
 * Returns: (transfer full): the runner's whole answer, or %NULL with
 *   @error set
 */
JsonNode *
pw_state_send_request_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * pw_state_encode_name:
 * @name: a stage, action, project or other name from a pipeline
 *
 * @name as one file-name component that means nothing else: letters,
 * digits, `-`, `_` and `@` stay, every other byte (`.` and `/` among
 * them) becomes `%XX`. So `.` and `..` name folders of their own, no name
 * climbs or nests, and `Deploy.2` is not read as attempt 2 of `Deploy`.
 *
 * Returns: (transfer full): the encoded name (`%` for an empty one)
 */
char *
pw_state_encode_name (const char *name)
{
  GString *out = g_string_new (NULL);

  for (const char *p = name != NULL ? name : ""; *p != '\0'; p++)
    {
      guchar c = *p;

      if (g_ascii_isalnum (c) || c == '-' || c == '_' || c == '@')
        g_string_append_c (out, c);
      else
        g_string_append_printf (out, "%%%02X", c);
    }
  if (out->len == 0)
    g_string_append_c (out, '%');

  return g_string_free (out, FALSE);
}

/**
 * pw_state_decode_name:
 * @encoded: what pw_state_encode_name() made
 *
 * Returns: (transfer full): the name, for display
 */
char *
pw_state_decode_name (const char *encoded)
{
  GString *out = g_string_new (NULL);

  for (const char *p = encoded; *p != '\0'; p++)
    {
      if (*p == '%' && g_ascii_isxdigit (p[1]) && g_ascii_isxdigit (p[2]))
        {
          g_string_append_c (out, (char)(g_ascii_xdigit_value (p[1]) * 16 +
                                         g_ascii_xdigit_value (p[2])));
          p += 2;
        }
      else if (*p != '%')
        g_string_append_c (out, *p);
    }

  return g_string_free (out, FALSE);
}

/**
 * _pw_state_append_line:
 * @fd: a file open for appending
 * @line: a whole line, newline included
 * @length: its length
 * @error: return location for an error
 *
 * Appends @line whole, or nothing: it goes in one write(), and a write
 * cut short (a full disk, a file size limit) is undone by truncating the
 * file back to its length before, so the next line never continues a
 * torn one.
 *
 * Returns: %TRUE when the line was appended
 */
gboolean
_pw_state_append_line (int          fd,
                       const char  *line,
                       gsize        length,
                       GError     **error)
{
  off_t before = lseek (fd, 0, SEEK_END);
  gssize n;
  int saved_errno;

  do
    n = write (fd, line, length);
  while (n < 0 && errno == EINTR);

  if (n == (gssize)length)
    return TRUE;

  /* A short write says no more than that: ask again for why. */
  saved_errno = n < 0 ? errno : 0;
  if (n >= 0)
    {
      gssize again = write (fd, line + n, length - n);

      if (again == (gssize)(length - n))
        return TRUE;
      saved_errno = again < 0 ? errno : ENOSPC;
    }

  if (before >= 0 && ftruncate (fd, before) != 0)
    g_warning ("Cannot remove a torn line: %s", g_strerror (errno));

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s",
               g_strerror (saved_errno));
  return FALSE;
}

/**
 * _pw_state_trim_torn_tail:
 * @fd: a file of lines, open for writing
 *
 * Removes a last line without its newline, as a write cut short before
 * append_line's truncation left it (a crash, or an older version).
 *
 * Returns: how many bytes went
 */
gsize
_pw_state_trim_torn_tail (int fd)
{
  char buffer[4096];
  off_t end = lseek (fd, 0, SEEK_END);
  off_t pos = end;

  while (pos > 0)
    {
      gsize chunk = MIN ((off_t)sizeof buffer, pos);
      gssize n = pread (fd, buffer, chunk, pos - chunk);

      if (n != (gssize)chunk)
        return 0;
      for (gssize i = n; i > 0; i--)
        if (buffer[i - 1] == '\n')
          {
            off_t keep = pos - chunk + i;

            if (keep == end || ftruncate (fd, keep) != 0)
              return 0;
            return end - keep;
          }
      pos -= chunk;
    }

  /* No newline at all: the whole file is one torn line. */
  if (end > 0 && ftruncate (fd, 0) == 0)
    return end;

  return 0;
}

char *
pw_state_execution_path (const char *state_dir,
                         const char *execution_id)
{
  g_return_val_if_fail (state_dir != NULL, NULL);
  g_return_val_if_fail (pw_state_is_execution_id (execution_id, FALSE), NULL);

  return _pw_state_execution_path (state_dir, execution_id);
}

/* The runner of a state folder holds an exclusive lock on runner.lock
 * for as long as it lives (the kernel drops it when the process ends,
 * SIGKILL included): one process runs a pipeline's executions, others
 * send it requests. */
int
_pw_state_lock_runner (const char *state_dir,
                       gboolean    wait)
{
  g_autofree char *path = g_build_filename (state_dir, "runner.lock", NULL);
  int fd;

  if (g_mkdir_with_parents (state_dir, 0755) != 0)
    return -1;

  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return -1;

  while (flock (fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0)
    {
      int saved_errno = errno;

      if (saved_errno == EINTR)
        continue;
      g_close (fd, NULL);
      errno = saved_errno;
      return -1;
    }

  return fd;
}

/**
 * pw_state_runner_pid:
 * @state_dir: a state folder
 *
 * Returns: the pid of the process that last ran its executions (see
 *   pw_state_runner_alive() for whether it still does), or 0
 */
gint64
pw_state_runner_pid (const char *state_dir)
{
  g_autofree char *path = g_build_filename (state_dir, "runner.json", NULL);
  g_autoptr(JsonNode) info = _pw_state_read_json (path, NULL);

  if (info == NULL || !JSON_NODE_HOLDS_OBJECT (info))
    return 0;

  return json_object_get_int_member_with_default (json_node_get_object (info), "pid", 0);
}

/**
 * pw_state_wait_for_runner:
 * @state_dir: a state folder
 *
 * Blocks (call it on a thread of its own) until the process running the
 * executions of @state_dir is gone, however it ended.
 */
void
pw_state_wait_for_runner (const char *state_dir)
{
  int fd = _pw_state_lock_runner (state_dir, TRUE);

  if (fd >= 0)
    g_close (fd, NULL);
}

/**
 * pw_state_runner_alive:
 * @state_dir: a state folder
 *
 * Returns: whether a process (this one included) runs the executions of
 *   @state_dir and answers requests
 */
gboolean
pw_state_runner_alive (const char *state_dir)
{
  int fd = _pw_state_lock_runner (state_dir, FALSE);

  if (fd >= 0)
    {
      g_close (fd, NULL);
      return FALSE;
    }

  return errno == EWOULDBLOCK;
}

/* Transitions ------------------------------------------------------------- */

static char *
transitions_path (const char *state_dir,
                  const char *pipeline_name)
{
  g_autofree char *encoded = pw_state_encode_name (pipeline_name != NULL ? pipeline_name : "pipeline");
  g_autofree char *file = g_strconcat (encoded, ".json", NULL);

  return g_build_filename (state_dir, "transitions", file, NULL);
}

/**
 * pw_state_load_transitions:
 *
 * Returns: (transfer full) (nullable): stage name → `{enabled, reason,
 *   lastChangedBy, lastChangedAt}` for each stage whose inbound
 *   transition was enabled or disabled since the pipeline was made, or
 *   %NULL when none was
 */
JsonObject *
pw_state_load_transitions (const char *state_dir,
                           const char *pipeline_name)
{
  g_autofree char *path = transitions_path (state_dir, pipeline_name);
  g_autoptr(JsonNode) node = _pw_state_read_json (path, NULL);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_object_ref (json_node_get_object (node));
}

/**
 * pw_state_save_transition:
 *
 * Records that @stage's inbound transition is now @enabled (or disabled
 * for @reason), by whom: what the next run of the pipeline starts with
 * and GetPipelineState reports.
 */
gboolean
pw_state_save_transition (const char  *state_dir,
                          const char  *pipeline_name,
                          const char  *stage,
                          gboolean     enabled,
                          const char  *reason,
                          const char  *by,
                          GError     **error)
{
  g_autofree char *path = transitions_path (state_dir, pipeline_name);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(JsonObject) all = pw_state_load_transitions (state_dir, pipeline_name);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *when = g_date_time_format_iso8601 (now);
  JsonObject *entry = json_object_new ();

  if (all == NULL)
    all = json_object_new ();
  json_object_set_boolean_member (entry, "enabled", enabled);
  if (!enabled && reason != NULL)
    json_object_set_string_member (entry, "reason", reason);
  json_object_set_string_member (entry, "lastChangedBy", by != NULL ? by : g_get_user_name ());
  json_object_set_string_member (entry, "lastChangedAt", when);
  json_object_set_object_member (all, stage, entry);

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot create %s", dir);
      return FALSE;
    }
  root = json_node_init_object (json_node_alloc (), all);
  return _pw_state_write_json (path, root, error);
}
