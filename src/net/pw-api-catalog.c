/* pw-api-catalog.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The pipelines the local endpoint serves: each pipeline file of the
 * workspace, by its name, and what the service keeps beside a pipeline —
 * its version, created and updated times, tags and earlier versions — in
 * the state folder's `api/`:
 *
 *   .pipewright/api/<name>.json      {version, created, updated, digest, tags}
 *   .pipewright/api/<name>.v<N>.json the declaration of version N
 *
 * A file changed by anyone else (the app, an editor, git) is a new version
 * the next time a request reads it, as UpdatePipeline makes one. What
 * CreatePipeline makes is a folder of its own, `<workspace>/<name>/`,
 * holding `pipeline.yml`; UpdatePipeline rewrites the file in its own
 * syntax, atomically, once the validator has found nothing the service
 * would refuse. */

#define G_LOG_DOMAIN "pw-api"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "pw-api-private.h"

/* The entries --------------------------------------------------------------- */

void
pw_api_entry_free (gpointer data)
{
  PwApiEntry *e = data;

  g_free (e->name);
  g_free (e->path);
  g_free (e->meta_path);
  g_clear_object (&e->pipeline);
  g_clear_pointer (&e->tags, json_node_unref);
  g_free (e->digest);
  g_clear_pointer (&e->get_answer, g_bytes_unref);
  g_free (e);
}

static char *
api_path (const char *pipeline_path,
          const char *name,
          const char *suffix)
{
  g_autofree char *state_dir = pw_state_default_dir (pipeline_path);
  g_autofree char *encoded = pw_state_encode_name (name);
  g_autofree char *file = g_strconcat (encoded, suffix, NULL);

  return g_build_filename (state_dir, "api", file, NULL);
}

static char *
version_path (PwApiEntry *e,
              gint64      version)
{
  g_autofree char *suffix = g_strdup_printf (".v%" G_GINT64_FORMAT ".json", version);

  return api_path (e->path, e->name, suffix);
}

/* The declaration as GetPipeline gives it, with its version. */
static JsonNode *
declaration_of (PwPipeline *pipeline,
                gint64      version)
{
  g_autoptr(JsonNode) request = pw_pipeline_to_api (pipeline, FALSE, NULL);
  JsonNode *declaration = json_object_dup_member (json_node_get_object (request), "pipeline");

  json_object_set_int_member (json_node_get_object (declaration), "version", version);
  return declaration;
}

static gboolean
write_json (const char  *path,
            JsonNode    *node,
            GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *text = json_to_string (node, TRUE);

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot create %s", dir);
      return FALSE;
    }
  return pw_file_replace_contents_full (path, text, strlen (text), FALSE, error);
}

static void
meta_save (PwApiEntry *e)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, e->name);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, e->version);
  json_builder_set_member_name (b, "created");
  json_builder_add_double_value (b, e->created);
  json_builder_set_member_name (b, "updated");
  json_builder_add_double_value (b, e->updated);
  json_builder_set_member_name (b, "digest");
  json_builder_add_string_value (b, e->digest);
  json_builder_set_member_name (b, "madeHere");
  json_builder_add_boolean_value (b, e->made_here);
  json_builder_set_member_name (b, "tags");
  json_builder_add_value (b, json_node_copy (e->tags));
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  if (!write_json (e->meta_path, root, &error))
    g_warning ("Cannot keep the metadata of pipeline %s: %s", e->name, error->message);
}

static void
save_version (PwApiEntry *e)
{
  g_autoptr(JsonNode) declaration = declaration_of (e->pipeline, e->version);
  g_autofree char *path = version_path (e, e->version);

  write_json (path, declaration, NULL);
}

/* Reads what the service kept of @e; a file whose contents changed since
 * is the next version. */
static void
meta_load (PwApiEntry     *e,
           const GStatBuf *st)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *meta = NULL;

  if (json_parser_load_from_mapped_file (parser, e->meta_path, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    meta = json_node_get_object (json_parser_get_root (parser));

  if (meta == NULL)
    {
      e->version = 1;
      e->created = st->st_ctime;
      e->updated = st->st_mtime;
      e->tags = json_node_init_array (json_node_alloc (), json_array_new ());
      meta_save (e);
      save_version (e);
      return;
    }

  e->version = MAX (1, json_object_get_int_member_with_default (meta, "version", 1));
  e->created = json_object_get_double_member_with_default (meta, "created", st->st_ctime);
  e->updated = json_object_get_double_member_with_default (meta, "updated", st->st_mtime);
  e->made_here = json_object_get_boolean_member_with_default (meta, "madeHere", FALSE);
  e->tags = json_object_has_member (meta, "tags") && JSON_NODE_HOLDS_ARRAY (json_object_get_member (meta, "tags"))
    ? json_object_dup_member (meta, "tags") : json_node_init_array (json_node_alloc (), json_array_new ());
  if (g_strcmp0 (json_object_get_string_member_with_default (meta, "digest", NULL), e->digest) != 0)
    {
      e->version++;
      e->updated = g_get_real_time () / 1e6;
      meta_save (e);
      save_version (e);
    }
}

static guint64 entry_serial;

/* The pipeline of the file at @path, or NULL when it holds none. */
static PwApiEntry *
entry_load (PwApiServer    *self,
            const char     *path,
            const GStatBuf *st)
{
  g_autoptr(PwDocument) document = NULL;
  g_autoptr(PwPipeline) pipeline = NULL;
  g_autofree char *contents = NULL;
  gsize length;
  PwApiEntry *e;

  pw_api_webhooks_forget (self, path);
  if (st->st_size > 4 * 1024 * 1024 ||
      !g_file_get_contents (path, &contents, &length, NULL) ||
      (document = pw_document_load_data (contents, length, path, NULL)) == NULL)
    return NULL;
  /* A template's webhooks are served; its pipelines are not (a pipeline
   * is served from its own file). */
  if (pw_document_get_kind (document) == PW_DOCUMENT_CFN_TEMPLATE)
    pw_api_webhooks_read (self, path, document);
  if (pw_document_get_kind (document) != PW_DOCUMENT_PIPELINE ||
      (pipeline = pw_document_dup_pipeline (document, NULL, NULL)) == NULL ||
      pw_pipeline_get_name (pipeline) == NULL)
    return NULL;

  e = g_new0 (PwApiEntry, 1);
  e->serial = ++entry_serial;
  e->name = g_strdup (pw_pipeline_get_name (pipeline));
  e->path = g_strdup (path);
  e->pipeline = g_steal_pointer (&pipeline);
  e->digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)contents, length);
  e->mtime = (gint64)st->st_mtim.tv_sec * G_USEC_PER_SEC + st->st_mtim.tv_nsec / 1000;
  e->size = st->st_size;
  e->meta_path = api_path (path, e->name, ".json");
  return e;
}

static gboolean
same_stamp (PwApiEntry     *e,
            const GStatBuf *st)
{
  return e->mtime == (gint64)st->st_mtim.tv_sec * G_USEC_PER_SEC + st->st_mtim.tv_nsec / 1000 &&
         e->size == st->st_size;
}

static char *
stamp_of (const GStatBuf *st)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT ".%09ld:%" G_GINT64_FORMAT, (gint64)st->st_mtim.tv_sec,
                          st->st_mtim.tv_nsec, (gint64)st->st_size);
}

static PwApiEntry *
entry_by_path (PwApiServer *self,
               const char  *path)
{
  for (guint i = 0; i < self->entries->len; i++)
    if (g_str_equal (((PwApiEntry *)g_ptr_array_index (self->entries, i))->path, path))
      return g_ptr_array_index (self->entries, i);
  return NULL;
}

static PwApiEntry *
entry_by_name (PwApiServer *self,
               const char  *name)
{
  for (guint i = 0; name != NULL && i < self->entries->len; i++)
    if (g_str_equal (((PwApiEntry *)g_ptr_array_index (self->entries, i))->name, name))
      return g_ptr_array_index (self->entries, i);
  return NULL;
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  return strcmp ((*(PwApiEntry * const *)a)->name, (*(PwApiEntry * const *)b)->name);
}

/* The file at @path as it is now: added, reloaded or (gone, or no longer
 * a pipeline) dropped. */
static void
refresh_path (PwApiServer *self,
              const char  *path)
{
  PwApiEntry *known = entry_by_path (self, path);
  PwApiEntry *e;
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      if (known != NULL)
        g_ptr_array_remove (self->entries, known);
      pw_api_webhooks_forget (self, path);
      return;
    }
  if (known != NULL && same_stamp (known, &st))
    return;
  if (known == NULL)
    {
      g_autofree char *stamp = stamp_of (&st);

      if (g_strcmp0 (g_hash_table_lookup (self->not_pipelines, path), stamp) == 0)
        return;
    }

  e = entry_load (self, path, &st);
  if (known != NULL)
    g_ptr_array_remove (self->entries, known);
  if (e == NULL)
    {
      g_hash_table_insert (self->not_pipelines, g_strdup (path), stamp_of (&st));
      return;
    }
  g_hash_table_remove (self->not_pipelines, path);
  if ((known = entry_by_name (self, e->name)) != NULL)
    {
      g_printerr ("pipewright-cli: warning: %s names pipeline %s again; %s serves it\n", path, e->name,
                  known->path);
      g_hash_table_insert (self->not_pipelines, g_strdup (path), stamp_of (&st));
      pw_api_entry_free (e);
      return;
    }
  meta_load (e, &st);
  g_ptr_array_add (self->entries, e);
  g_ptr_array_sort (self->entries, compare_entries);
}

static gboolean
skipped_dir (const char *name)
{
  return name[0] == '.' || g_str_equal (name, "node_modules") || g_str_has_prefix (name, "build");
}

static void
folder_changed_cb (GFileMonitor      *monitor,
                   GFile             *file,
                   GFile             *other,
                   GFileMonitorEvent  event,
                   PwApiServer       *self)
{
  self->dirty = TRUE;
}

/* Folders are watched so that the workspace is read again only once
 * something in it changed (a scan stats every file). */
static void
watch_dir (PwApiServer *self,
           const char  *dir,
           GHashTable  *seen_dirs)
{
  g_hash_table_add (seen_dirs, g_strdup (dir));
  if (!g_hash_table_contains (self->monitors, dir))
    {
      g_autoptr(GFile) file = g_file_new_for_path (dir);
      GFileMonitor *monitor = g_file_monitor_directory (file, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);

      if (monitor == NULL)
        {
          /* Unwatched, the workspace is read again every time. */
          self->dirty = TRUE;
          return;
        }
      g_signal_connect (monitor, "changed", G_CALLBACK (folder_changed_cb), self);
      g_hash_table_insert (self->monitors, g_strdup (dir), monitor);
    }
}

static void
scan_dir (PwApiServer *self,
          const char  *dir,
          guint        depth,
          GHashTable  *seen,
          GHashTable  *seen_dirs)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d != NULL)
    watch_dir (self, dir, seen_dirs);

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          if (depth < 3 && !skipped_dir (name) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
            scan_dir (self, path, depth + 1, seen, seen_dirs);
          continue;
        }
      if (!(g_str_has_suffix (name, ".yml") || g_str_has_suffix (name, ".yaml") || g_str_has_suffix (name, ".json")))
        continue;
      refresh_path (self, path);
      g_hash_table_add (seen, g_steal_pointer (&path));
    }
}

/* The workspace as it is now: walked again only when a folder changed,
 * and files read again only when their stat did. */
void
pw_api_catalog_scan (PwApiServer *self)
{
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(GHashTable) seen_dirs = NULL;
  GHashTableIter iter;
  gpointer dir;

  if (!self->dirty)
    {
      /* Files changed in place: their own stat tells. */
      for (guint i = self->entries->len; i > 0; i--)
        {
          g_autofree char *path = g_strdup (((PwApiEntry *)g_ptr_array_index (self->entries, i - 1))->path);

          refresh_path (self, path);
        }
      return;
    }

  self->dirty = FALSE;
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  seen_dirs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  scan_dir (self, self->workspace, 0, seen, seen_dirs);
  for (guint i = self->entries->len; i > 0; i--)
    if (!g_hash_table_contains (seen, ((PwApiEntry *)g_ptr_array_index (self->entries, i - 1))->path))
      g_ptr_array_remove_index (self->entries, i - 1);
  for (guint i = self->webhooks->len; i > 0; i--)
    if (!g_hash_table_contains (seen, ((PwApiWebhook *)g_ptr_array_index (self->webhooks, i - 1))->path))
      g_ptr_array_remove_index (self->webhooks, i - 1);
  g_hash_table_iter_init (&iter, self->monitors);
  while (g_hash_table_iter_next (&iter, &dir, NULL))
    if (!g_hash_table_contains (seen_dirs, dir))
      g_hash_table_iter_remove (&iter);
}

/**
 * pw_api_lookup:
 *
 * The pipeline named @name as its file is now (one stat when it has not
 * changed). A name not served yet may be a file made since: the
 * workspace is looked at again.
 */
PwApiEntry *
pw_api_lookup (PwApiServer *self,
               const char  *name)
{
  PwApiEntry *e = entry_by_name (self, name);

  if (e != NULL)
    {
      g_autofree char *path = g_strdup (e->path);

      refresh_path (self, path);
      e = entry_by_name (self, name);
      if (e != NULL)
        return e;
    }
  if (name == NULL)
    return NULL;
  pw_api_catalog_scan (self);
  return entry_by_name (self, name);
}

/* ListPipelines, GetPipeline ----------------------------------------------- */

PwApiAnswer
pw_api_list_pipelines (PwApiServer *self,
                       JsonObject  *input)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  PwApiAnswer a;
  guint from, count, i;

  if (!pw_api_page_of (input, 1000, 1000, &from, &count, &a))
    return a;
  pw_api_catalog_scan (self);

  /* The same page of the same entries (each read once, at its version and
   * update): the same answer. */
  {
    g_autoptr(GString) key = g_string_new (NULL);

    g_string_append_printf (key, "%u:%u:%u", from, count, self->entries->len);
    for (i = from; i < self->entries->len && i < from + count; i++)
      {
        PwApiEntry *e = g_ptr_array_index (self->entries, i);

        g_string_append_printf (key, ":%" G_GUINT64_FORMAT "/%" G_GINT64_FORMAT "/%.6f/%.6f", e->serial, e->version,
                                e->created, e->updated);
      }
    if (self->list_answer != NULL && g_strcmp0 (self->list_answer_key, key->str) == 0)
      {
        PwApiAnswer cached = { 200, NULL, g_bytes_ref (self->list_answer) };

        return cached;
      }
    g_free (self->list_answer_key);
    self->list_answer_key = g_string_free (g_steal_pointer (&key), FALSE);
    g_clear_pointer (&self->list_answer, g_bytes_unref);
  }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pipelines");
  json_builder_begin_array (b);
  for (i = from; i < self->entries->len && i < from + count; i++)
    {
      PwApiEntry *e = g_ptr_array_index (self->entries, i);
      const char *mode = pw_element_get_string (PW_ELEMENT (e->pipeline), "executionMode");

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, e->name);
      json_builder_set_member_name (b, "version");
      json_builder_add_int_value (b, e->version);
      json_builder_set_member_name (b, "pipelineType");
      json_builder_add_string_value (b, pw_pipeline_is_v2 (e->pipeline) ? "V2" : "V1");
      json_builder_set_member_name (b, "executionMode");
      json_builder_add_string_value (b, mode != NULL ? mode : "SUPERSEDED");
      json_builder_set_member_name (b, "created");
      json_builder_add_double_value (b, e->created);
      json_builder_set_member_name (b, "updated");
      json_builder_add_double_value (b, e->updated);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  pw_api_add_next_token (b, i, self->entries->len);
  json_builder_end_object (b);
  {
    g_autoptr(JsonNode) root = json_builder_get_root (b);
    char *text = json_to_string (root, FALSE);
    PwApiAnswer answer = { 200, NULL, NULL };

    self->list_answer = g_bytes_new_take (text, strlen (text));
    answer.text = g_bytes_ref (self->list_answer);
    return answer;
  }
}

static char *
arn_of (PwApiServer *self,
        const char  *name)
{
  return g_strdup_printf ("arn:aws:codepipeline:%s:%s:%s", self->region, PW_API_ACCOUNT, name);
}

PwApiAnswer
pw_api_get_pipeline (PwApiServer *self,
                     JsonObject  *input)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) declaration = NULL;
  g_autofree char *arn = NULL;
  const char *name;
  JsonNode *version;
  PwApiEntry *e;
  PwApiAnswer a;

  if (!pw_api_require_name (input, "name", &name, &a))
    return a;
  if ((e = pw_api_lookup (self, name)) == NULL)
    return pw_api_not_found (name);

  version = json_object_get_member (input, "version");
  if (version != NULL && JSON_NODE_HOLDS_VALUE (version) && json_node_get_int (version) != e->version)
    {
      g_autofree char *path = version_path (e, json_node_get_int (version));
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (json_node_get_int (version) > e->version || !json_parser_load_from_mapped_file (parser, path, NULL) ||
          !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          g_autofree char *message = g_strdup_printf ("Pipeline '%s' has no version %" G_GINT64_FORMAT
                                                      " (its latest is %" G_GINT64_FORMAT ")", name,
                                                      json_node_get_int (version), e->version);

          return pw_api_error (400, "PipelineVersionNotFoundException", message);
        }
      declaration = json_parser_steal_root (parser);
    }
  else if (e->get_answer != NULL && e->get_answer_version == e->version && e->get_answer_updated == e->updated)
    {
      /* The same pipeline as last asked: the same answer. */
      PwApiAnswer cached = { 200, NULL, g_bytes_ref (e->get_answer) };

      return cached;
    }
  else
    declaration = declaration_of (e->pipeline, e->version);
  arn = arn_of (self, name);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pipeline");
  json_builder_add_value (b, g_steal_pointer (&declaration));
  json_builder_set_member_name (b, "metadata");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pipelineArn");
  json_builder_add_string_value (b, arn);
  json_builder_set_member_name (b, "created");
  json_builder_add_double_value (b, e->created);
  json_builder_set_member_name (b, "updated");
  json_builder_add_double_value (b, e->updated);
  json_builder_end_object (b);
  json_builder_end_object (b);
  if (version == NULL || !JSON_NODE_HOLDS_VALUE (version) || json_node_get_int (version) == e->version)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (b);
      char *text = json_to_string (root, FALSE);
      PwApiAnswer answer = { 200, NULL, NULL };

      g_clear_pointer (&e->get_answer, g_bytes_unref);
      e->get_answer = g_bytes_new_take (text, strlen (text));
      e->get_answer_version = e->version;
      e->get_answer_updated = e->updated;
      answer.text = g_bytes_ref (e->get_answer);
      return answer;
    }
  return pw_api_ok (json_builder_get_root (b));
}

/* CreatePipeline, UpdatePipeline, DeletePipeline --------------------------- */

/* The request's declaration as a pipeline, checked as the service checks
 * it: NULL with InvalidStructureException and the validator's findings. */
static PwPipeline *
pipeline_of_request (JsonObject  *input,
                     PwApiAnswer *answer)
{
  g_autoptr(JsonNode) declaration = json_object_dup_member (input, "pipeline");
  g_autoptr(JsonObject) request = json_object_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(PwDocument) document = NULL;
  g_autoptr(PwPipeline) pipeline = NULL;
  g_autoptr(GPtrArray) diagnostics = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) findings = g_string_new (NULL);
  g_autofree char *text = NULL;
  guint n_errors = 0;

  /* The service sets the version; a request's is not part of the file. */
  json_object_remove_member (json_node_get_object (declaration), "version");
  json_object_set_member (request, "pipeline", g_steal_pointer (&declaration));
  root = json_node_init_object (json_node_alloc (), request);
  text = json_to_string (root, TRUE);
  document = pw_document_load_data (text, strlen (text), "request.json", &error);
  if (document != NULL)
    pipeline = pw_document_dup_pipeline (document, NULL, &error);
  if (pipeline == NULL)
    {
      *answer = pw_api_error (400, "InvalidStructureException", error != NULL ? error->message : "No pipeline");
      return NULL;
    }

  diagnostics = pw_pipeline_validate (pipeline);
  for (guint i = 0; i < diagnostics->len; i++)
    {
      PwDiagnostic *d = g_ptr_array_index (diagnostics, i);

      if (pw_diagnostic_get_severity (d) != PW_SEVERITY_ERROR)
        continue;
      if (n_errors++ < 10)
        g_string_append_printf (findings, "%s%s%s%s [%s]", n_errors > 1 ? "; " : "",
                                pw_diagnostic_get_path (d) != NULL ? pw_diagnostic_get_path (d) : "",
                                pw_diagnostic_get_path (d) != NULL ? ": " : "",
                                pw_diagnostic_get_message (d), pw_diagnostic_get_code (d));
    }
  if (n_errors > 0)
    {
      g_autofree char *message = NULL;

      if (n_errors > 10)
        g_string_append_printf (findings, "; and %u more", n_errors - 10);
      message = g_strdup_printf ("Pipeline '%s' is not valid (%u error%s): %s", pw_pipeline_get_name (pipeline),
                                 n_errors, n_errors == 1 ? "" : "s", findings->str);
      *answer = pw_api_error (400, "InvalidStructureException", message);
      return NULL;
    }
  return g_steal_pointer (&pipeline);
}

static gboolean
write_pipeline (PwPipeline   *pipeline,
                const char   *path,
                PwApiAnswer  *answer)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = pw_pipeline_serialize (pipeline, g_str_has_suffix (path, ".json") ? PW_OUTPUT_JSON
                                                                                            : PW_OUTPUT_YAML,
                                                 NULL, &error);
  g_autofree char *dir = g_path_get_dirname (path);

  if (text == NULL || g_mkdir_with_parents (dir, 0755) != 0 ||
      !pw_file_replace_contents (path, text, strlen (text), &error))
    {
      g_autofree char *message = g_strdup_printf ("Cannot write %s: %s", path,
                                                  error != NULL ? error->message : g_strerror (errno));

      *answer = pw_api_error (500, "InternalFailure", message);
      return FALSE;
    }
  return TRUE;
}

/* Tags as the service takes them: at most 50, none in the `aws:` space,
 * each key once. */
static gboolean
check_tags (JsonArray   *tags,
            guint        already,
            PwApiAnswer *answer)
{
  g_autoptr(GHashTable) keys = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; tags != NULL && i < json_array_get_length (tags); i++)
    {
      const char *key = pw_api_member_string (json_array_get_object_element (tags, i), "key");

      if (key != NULL && g_str_has_prefix (key, "aws:"))
        {
          g_autofree char *message = g_strdup_printf ("Tag key '%s' is in the reserved aws: space", key);

          *answer = pw_api_error (400, "InvalidTagsException", message);
          return FALSE;
        }
      if (key != NULL && !g_hash_table_add (keys, (gpointer)key))
        {
          g_autofree char *message = g_strdup_printf ("Tag key '%s' is given twice", key);

          *answer = pw_api_error (400, "InvalidTagsException", message);
          return FALSE;
        }
    }
  if (already + g_hash_table_size (keys) > PW_API_MAX_TAGS)
    {
      g_autofree char *message = g_strdup_printf ("A pipeline can have at most %u tags", PW_API_MAX_TAGS);

      *answer = pw_api_error (400, "TooManyTagsException", message);
      return FALSE;
    }
  return TRUE;
}

static JsonNode *
answer_with_pipeline (PwApiEntry *e,
                      gboolean    with_tags)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pipeline");
  json_builder_add_value (b, declaration_of (e->pipeline, e->version));
  if (with_tags && json_array_get_length (json_node_get_array (e->tags)) > 0)
    {
      json_builder_set_member_name (b, "tags");
      json_builder_add_value (b, json_node_copy (e->tags));
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* A folder of the workspace for a new pipeline: its name, or its name
 * and a number when that is taken. A name the model allows may start with
 * a dot ("..", ".ci"): such a folder would climb out of the workspace or
 * be one the workspace scan skips, so it gets a prefix. */
static char *
new_pipeline_path (PwApiServer *self,
                   const char  *name)
{
  g_autofree char *base = name[0] == '.' ? g_strconcat ("pipeline-", name, NULL) : g_strdup (name);

  for (guint n = 1;; n++)
    {
      g_autofree char *folder = n == 1 ? g_strdup (base) : g_strdup_printf ("%s-%u", base, n);
      g_autofree char *dir = g_build_filename (self->workspace, folder, NULL);

      if (!g_file_test (dir, G_FILE_TEST_EXISTS))
        return g_build_filename (dir, "pipeline.yml", NULL);
    }
}

PwApiAnswer
pw_api_create_pipeline (PwApiServer *self,
                        JsonObject  *input)
{
  g_autoptr(PwPipeline) pipeline = NULL;
  g_autofree char *path = NULL;
  JsonNode *tags = json_object_get_member (input, "tags");
  const char *name;
  PwApiEntry *e;
  PwApiAnswer a;
  GStatBuf st;

  name = pw_api_member_string (json_object_get_object_member (input, "pipeline"), "name");
  if (pw_api_lookup (self, name) != NULL)
    {
      g_autofree char *message = g_strdup_printf ("A pipeline with the name '%s' already exists in account '%s'",
                                                  name, PW_API_ACCOUNT);

      return pw_api_error (400, "PipelineNameInUseException", message);
    }
  if (tags != NULL && !check_tags (json_node_get_array (tags), 0, &a))
    return a;
  if ((pipeline = pipeline_of_request (input, &a)) == NULL)
    return a;

  path = new_pipeline_path (self, name);
  if (!write_pipeline (pipeline, path, &a))
    return a;
  if (g_stat (path, &st) != 0)
    return pw_api_error (500, "InternalFailure", "The pipeline file went away as it was written");
  refresh_path (self, path);
  if ((e = entry_by_name (self, name)) == NULL)
    return pw_api_error (500, "InternalFailure", "The pipeline written cannot be read back");
  e->made_here = TRUE;
  e->created = e->updated = g_get_real_time () / 1e6;
  if (tags != NULL)
    {
      g_clear_pointer (&e->tags, json_node_unref);
      e->tags = json_node_copy (tags);
    }
  meta_save (e);
  return pw_api_ok (answer_with_pipeline (e, TRUE));
}

PwApiAnswer
pw_api_update_pipeline (PwApiServer *self,
                        JsonObject  *input)
{
  g_autoptr(PwPipeline) pipeline = NULL;
  g_autofree char *path = NULL;
  const char *name;
  gint64 version;
  PwApiEntry *e;
  PwApiAnswer a;
  GStatBuf st;

  name = pw_api_member_string (json_object_get_object_member (input, "pipeline"), "name");
  if ((e = pw_api_lookup (self, name)) == NULL)
    return pw_api_not_found (name);
  version = e->version;
  if ((pipeline = pipeline_of_request (input, &a)) == NULL)
    return a;

  path = g_strdup (e->path);
  if (!write_pipeline (pipeline, path, &a))
    return a;
  if (g_stat (path, &st) != 0)
    return pw_api_error (500, "InternalFailure", "The pipeline file went away as it was written");
  /* Read back as any changed file is: the next version. */
  refresh_path (self, path);
  if ((e = entry_by_name (self, name)) == NULL)
    return pw_api_error (500, "InternalFailure", "The pipeline written cannot be read back");
  /* The same pipeline again is a new version all the same. */
  if (e->version == version)
    {
      e->version++;
      e->updated = g_get_real_time () / 1e6;
      meta_save (e);
      save_version (e);
    }
  return pw_api_ok (answer_with_pipeline (e, FALSE));
}

PwApiAnswer
pw_api_delete_pipeline (PwApiServer *self,
                        JsonObject  *input)
{
  g_autofree char *state_dir = NULL;
  g_autofree char *versions = NULL;
  const char *name = pw_api_member_string (input, "name");
  PwApiEntry *e;

  /* Deleting what is not there succeeds, as with the service. */
  if ((e = pw_api_lookup (self, name)) == NULL)
    return pw_api_empty ();
  state_dir = pw_state_default_dir (e->path);
  if (pw_state_runner_alive (state_dir))
    {
      g_autofree char *message = g_strdup_printf ("Pipeline '%s' has executions in progress (pid %" G_GINT64_FORMAT
                                                  "); stop them, then delete it", name,
                                                  pw_state_runner_pid (state_dir));

      return pw_api_error (400, "ConcurrentModificationException", message);
    }

  if (e->made_here)
    {
      /* Its folder came from CreatePipeline: it goes whole. */
      g_autofree char *dir = g_path_get_dirname (e->path);
      const char *paths[] = { dir, NULL };

      pw_state_prune_work (paths);
    }
  else
    {
      /* A file of the user's: it goes, the history of its runs stays in
       * the state folder, and what the service kept goes. */
      if (g_unlink (e->path) != 0 && errno != ENOENT)
        {
          g_autofree char *message = g_strdup_printf ("Cannot delete %s: %s", e->path, g_strerror (errno));

          return pw_api_error (500, "InternalFailure", message);
        }
      for (gint64 v = 1; v <= e->version; v++)
        {
          g_autofree char *path = version_path (e, v);

          g_unlink (path);
        }
      g_unlink (e->meta_path);
    }
  g_ptr_array_remove (self->entries, e);
  return pw_api_empty ();
}

/* Tags ----------------------------------------------------------------------- */

/* The pipeline an ARN names, or NULL with the service's error. */
static PwApiEntry *
entry_of_arn (PwApiServer *self,
              JsonObject  *input,
              PwApiAnswer *answer)
{
  const char *arn = pw_api_member_string (input, "resourceArn");
  g_auto(GStrv) parts = g_strsplit (arn, ":", 6);
  PwApiEntry *e = NULL;

  if (g_strv_length (parts) != 6 || strchr (parts[5], ':') != NULL || strchr (parts[5], '/') != NULL)
    {
      g_autofree char *message = g_strdup_printf ("The ARN '%s' does not name a pipeline", arn);

      *answer = pw_api_error (400, "InvalidArnException", message);
      return NULL;
    }
  if (g_str_equal (parts[3], self->region) && g_str_equal (parts[4], PW_API_ACCOUNT))
    e = pw_api_lookup (self, parts[5]);
  if (e == NULL)
    {
      g_autofree char *message = g_strdup_printf ("The resource with the ARN '%s' cannot be found", arn);

      *answer = pw_api_error (400, "ResourceNotFoundException", message);
    }
  return e;
}

PwApiAnswer
pw_api_tag_resource (PwApiServer *self,
                     JsonObject  *input)
{
  JsonArray *tags = json_object_get_array_member (input, "tags");
  JsonArray *have;
  g_autoptr(JsonArray) merged = json_array_new ();
  guint kept = 0;
  PwApiEntry *e;
  PwApiAnswer a;

  if ((e = entry_of_arn (self, input, &a)) == NULL)
    return a;
  have = json_node_get_array (e->tags);
  /* Tags given again take their new values. */
  for (guint i = 0; i < json_array_get_length (have); i++)
    {
      JsonObject *tag = json_array_get_object_element (have, i);
      gboolean replaced = FALSE;

      for (guint k = 0; k < json_array_get_length (tags) && !replaced; k++)
        replaced = g_strcmp0 (pw_api_member_string (tag, "key"),
                              pw_api_member_string (json_array_get_object_element (tags, k), "key")) == 0;
      if (!replaced)
        {
          json_array_add_element (merged, json_node_copy (json_array_get_element (have, i)));
          kept++;
        }
    }
  if (!check_tags (tags, kept, &a))
    return a;
  for (guint k = 0; k < json_array_get_length (tags); k++)
    json_array_add_element (merged, json_node_copy (json_array_get_element (tags, k)));
  json_node_take_array (e->tags, g_steal_pointer (&merged));
  meta_save (e);
  return pw_api_empty ();
}

PwApiAnswer
pw_api_untag_resource (PwApiServer *self,
                       JsonObject  *input)
{
  JsonArray *keys = json_object_get_array_member (input, "tagKeys");
  g_autoptr(JsonArray) kept = json_array_new ();
  JsonArray *have;
  PwApiEntry *e;
  PwApiAnswer a;

  if ((e = entry_of_arn (self, input, &a)) == NULL)
    return a;
  have = json_node_get_array (e->tags);
  for (guint i = 0; i < json_array_get_length (have); i++)
    {
      const char *key = pw_api_member_string (json_array_get_object_element (have, i), "key");
      gboolean removed = FALSE;

      for (guint k = 0; k < json_array_get_length (keys) && !removed; k++)
        removed = g_strcmp0 (key, json_array_get_string_element (keys, k)) == 0;
      if (!removed)
        json_array_add_element (kept, json_node_copy (json_array_get_element (have, i)));
    }
  json_node_take_array (e->tags, g_steal_pointer (&kept));
  meta_save (e);
  return pw_api_empty ();
}

PwApiAnswer
pw_api_list_tags (PwApiServer *self,
                  JsonObject  *input)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  JsonArray *have;
  PwApiEntry *e;
  PwApiAnswer a;
  guint from, count, i;

  if ((e = entry_of_arn (self, input, &a)) == NULL)
    return a;
  if (!pw_api_page_of (input, 100, 100, &from, &count, &a))
    return a;
  have = json_node_get_array (e->tags);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "tags");
  json_builder_begin_array (b);
  for (i = from; i < json_array_get_length (have) && i < from + count; i++)
    json_builder_add_value (b, json_node_copy (json_array_get_element (have, i)));
  json_builder_end_array (b);
  pw_api_add_next_token (b, i, json_array_get_length (have));
  json_builder_end_object (b);
  return pw_api_ok (json_builder_get_root (b));
}
