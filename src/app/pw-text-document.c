/* pw-text-document.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-text-document"

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "pw-text-document.h"

/*
 * One open pipeline file. Its text, in a GtkSourceBuffer, is the single
 * truth (DESIGN.md §6): the pipeline model, the findings and the canvas are
 * all read from it. Typing re-reads it after a short pause, off the main
 * thread so a 10 MB file never freezes the window; edits from the canvas or
 * the inspector come as PwEditor steps, are applied to the buffer as one
 * labelled undo step, and their already-parsed result is adopted at once.
 * While the text does not parse, the last good model stays and the error
 * (with its position) is published instead.
 */

struct _PwTextDocument
{
  GObject          parent_instance;

  /* Owned references */
  GtkSourceBuffer *buffer;
  PwHistory       *history;
  GFile           *file;
  char            *display_name;
  char            *logical_id;
  PwDocument      *document;
  PwPipeline      *pipeline;
  GListStore      *diagnostics;
  GError          *error;
  GFileMonitor    *monitor;
  GCancellable    *parse_cancellable;
  GArray          *line_starts;      /* of gsize, for the parsed text */
  char            *saved_checksum;   /* of what is on disk as we know it */
  char            *disk_checksum;    /* of what the last look at the disk found */

  PwSyntax         syntax;
  guint            error_line;
  guint            error_column;
  guint64          serial;           /* bumped by every change of the text */
  guint64          parsed_serial;    /* the serial @document was read from */
  guint64          generation;       /* bumped every time the model is replaced */
  guint            parse_source;
  guint            monitor_source;
  guint            language_source;
  guint            busy;
  guint            applying;
  gboolean         externally_modified;
};

enum {
  PROP_0,
  PROP_FILE,
  PROP_TITLE,
  PROP_MODIFIED,
  PROP_EXTERNALLY_MODIFIED,
  PROP_BUSY,
  PROP_PIPELINE,
  PROP_ERROR_MESSAGE,
  N_PROPS
};

enum {
  CHANGED,
  PIPELINE_CHOICE,
  EDIT_FAILED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (PwTextDocument, pw_text_document, G_TYPE_OBJECT)

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

/* Typing pauses this long before the text is read again. */
#define PARSE_DELAY_MSEC 120

/* What one read of the text produced; filled in a worker thread. */
typedef struct
{
  char        *text;
  gsize        length;
  char        *filename;
  char        *logical_id;
  guint64      serial;
  gboolean     validate;
  PwDocument  *document;
  PwPipeline  *pipeline;
  GPtrArray   *diagnostics;
  GStrv        pipeline_ids;
  GError      *error;
} ParseJob;

static void
parse_job_free (ParseJob *job)
{
  g_free (job->text);
  g_free (job->filename);
  g_free (job->logical_id);
  g_clear_object (&job->document);
  g_clear_object (&job->pipeline);
  g_clear_pointer (&job->diagnostics, g_ptr_array_unref);
  g_clear_pointer (&job->pipeline_ids, g_strfreev);
  g_clear_error (&job->error);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ParseJob, parse_job_free)

static void
parse_job_run (ParseJob *job)
{
  job->document = pw_document_load_data (job->text, job->length, job->filename, &job->error);
  if (job->document == NULL)
    return;

  job->pipeline_ids = pw_document_dup_pipeline_ids (job->document);

  /* A template with several pipelines: the window asks which one first. */
  if (job->logical_id == NULL && job->pipeline_ids != NULL && g_strv_length (job->pipeline_ids) > 1)
    return;

  job->pipeline = pw_document_dup_pipeline (job->document, job->logical_id, &job->error);
  if (job->pipeline != NULL && job->validate)
    job->diagnostics = pw_pipeline_validate (job->pipeline);
}

static void
parse_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  parse_job_run (task_data);
  g_task_return_boolean (task, TRUE);
}

static const char *
filename_for (PwTextDocument *self)
{
  if (self->file != NULL)
    return g_file_peek_path (self->file) != NULL ? g_file_peek_path (self->file) : self->display_name;
  return self->display_name;
}

static gboolean
want_validation (void)
{
  static GSettings *settings;

  /* Tests without the schema installed still validate. */
  if (settings == NULL)
    {
      GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
      g_autoptr(GSettingsSchema) schema = NULL;

      if (source != NULL)
        schema = g_settings_schema_source_lookup (source, "io.github.pipewright.Pipewright", TRUE);
      if (schema == NULL)
        return TRUE;
      settings = g_settings_new ("io.github.pipewright.Pipewright");
    }

  return g_settings_get_boolean (settings, "auto-validate");
}

static ParseJob *
parse_job_new (PwTextDocument *self)
{
  ParseJob *job = g_new0 (ParseJob, 1);

  job->text = pw_text_document_dup_text (self, &job->length);
  job->filename = g_strdup (filename_for (self));
  job->logical_id = g_strdup (self->logical_id);
  job->serial = self->serial;
  job->validate = want_validation ();

  return job;
}

static void
compute_line_starts (PwTextDocument *self)
{
  GBytes *text;
  const char *data, *p, *end;
  gsize length;
  gsize zero = 0;

  g_clear_pointer (&self->line_starts, g_array_unref);
  if (self->document == NULL)
    return;

  text = pw_source_map_get_text (pw_document_get_source_map (self->document));
  if (text == NULL)
    return;

  data = g_bytes_get_data (text, &length);
  self->line_starts = g_array_sized_new (FALSE, FALSE, sizeof (gsize), 1024);
  g_array_append_val (self->line_starts, zero);
  end = data + length;
  for (p = data; p < end && (p = memchr (p, '\n', end - p)) != NULL; p++)
    {
      gsize start = (gsize)(p - data) + 1;
      g_array_append_val (self->line_starts, start);
    }
}

/* "file:12:5: message" → 12, 5 and "message"; the core starts its messages
 * with the position when it knows it. */
static void
locate_error (PwTextDocument *self,
              const char     *filename)
{
  const char *message = self->error->message;
  const char *rest;
  guint64 line, column;
  char *end;

  self->error_line = 0;
  self->error_column = 0;

  if (filename == NULL || !g_str_has_prefix (message, filename) || message[strlen (filename)] != ':')
    return;

  rest = message + strlen (filename) + 1;
  line = g_ascii_strtoull (rest, &end, 10);
  if (end == rest || *end != ':')
    return;
  rest = end + 1;
  column = g_ascii_strtoull (rest, &end, 10);
  if (end == rest || *end != ':')
    return;

  self->error_line = (guint)line;
  self->error_column = (guint)column;
}

/* Most edits leave the findings as they were: then the list keeps its
 * objects and the views that show it (problems, marks) redo nothing. */
static gboolean
same_findings (GListModel *old,
               GPtrArray  *found)
{
  guint n = g_list_model_get_n_items (old);

  if (n != (found != NULL ? found->len : 0))
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PwDiagnostic) a = g_list_model_get_item (old, i);
      PwDiagnostic *b = g_ptr_array_index (found, i);

      if (g_strcmp0 (pw_diagnostic_get_code (a), pw_diagnostic_get_code (b)) != 0 ||
          g_strcmp0 (pw_diagnostic_get_path (a), pw_diagnostic_get_path (b)) != 0 ||
          g_strcmp0 (pw_diagnostic_get_message (a), pw_diagnostic_get_message (b)) != 0 ||
          pw_diagnostic_get_line (a) != pw_diagnostic_get_line (b) ||
          pw_diagnostic_get_column (a) != pw_diagnostic_get_column (b))
        return FALSE;
    }

  return TRUE;
}

static void
adopt_job (PwTextDocument *self,
           ParseJob       *job)
{
  gboolean had_error = self->error != NULL;

  if (job->error != NULL)
    {
      g_clear_error (&self->error);
      self->error = g_steal_pointer (&job->error);
      locate_error (self, job->filename);
      /* The last good model stays: the canvas keeps showing it. */
      self->generation++;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_ERROR_MESSAGE]);
      g_signal_emit (self, signals [CHANGED], 0);
      return;
    }

  if (job->pipeline == NULL)
    {
      /* Several pipelines and none chosen yet. */
      g_set_object (&self->document, job->document);
      self->parsed_serial = job->serial;
      compute_line_starts (self);
      g_signal_emit (self, signals [PIPELINE_CHOICE], 0, job->pipeline_ids);
      return;
    }

  g_clear_error (&self->error);
  g_set_object (&self->document, job->document);
  g_set_object (&self->pipeline, job->pipeline);
  self->parsed_serial = job->serial;
  self->generation++;
  compute_line_starts (self);

  if (!same_findings (G_LIST_MODEL (self->diagnostics), job->diagnostics))
    g_list_store_splice (self->diagnostics, 0, g_list_model_get_n_items (G_LIST_MODEL (self->diagnostics)),
                         job->diagnostics != NULL ? job->diagnostics->pdata : NULL,
                         job->diagnostics != NULL ? job->diagnostics->len : 0);

  if (had_error)
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_ERROR_MESSAGE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_PIPELINE]);
  g_signal_emit (self, signals [CHANGED], 0);
}

static void
parse_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(PwTextDocument) self = user_data;
  ParseJob *job = g_task_get_task_data (G_TASK (result));

  if (g_task_had_error (G_TASK (result)) || g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;

  /* A result for text that has changed since is dropped: a newer read is
   * already on its way. */
  if (job->serial != self->serial)
    return;

  adopt_job (self, job);
}

static void
start_parse (PwTextDocument *self)
{
  g_autoptr(GTask) task = NULL;

  g_cancellable_cancel (self->parse_cancellable);
  g_clear_object (&self->parse_cancellable);
  self->parse_cancellable = g_cancellable_new ();

  task = g_task_new (NULL, self->parse_cancellable, parse_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, start_parse);
  g_task_set_task_data (task, parse_job_new (self), (GDestroyNotify)parse_job_free);
  g_task_run_in_thread (task, parse_thread);
}

static gboolean
parse_timeout_cb (gpointer user_data)
{
  PwTextDocument *self = user_data;

  self->parse_source = 0;
  start_parse (self);

  return G_SOURCE_REMOVE;
}

static void
buffer_changed_cb (PwTextDocument *self,
                   GtkTextBuffer  *buffer)
{
  self->serial++;

  if (self->applying > 0)
    return;

  g_clear_handle_id (&self->parse_source, g_source_remove);
  self->parse_source = g_timeout_add (PARSE_DELAY_MSEC, parse_timeout_cb, self);
}

static void
modified_changed_cb (PwTextDocument *self,
                     GtkTextBuffer  *buffer)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_MODIFIED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_TITLE]);
}

static void
update_scheme (PwTextDocument *self)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  const char *id = adw_style_manager_get_dark (manager) ? "Adwaita-dark" : "Adwaita";
  GtkSourceStyleScheme *scheme = gtk_source_style_scheme_manager_get_scheme (schemes, id);

  if (scheme == NULL)
    scheme = gtk_source_style_scheme_manager_get_scheme (schemes, "classic");
  gtk_source_buffer_set_style_scheme (self->buffer, scheme);
}

static gboolean
language_idle_cb (gpointer data)
{
  PwTextDocument *self = data;
  GtkSourceLanguageManager *languages = gtk_source_language_manager_get_default ();
  const char *id = self->syntax == PW_SYNTAX_JSON ? "json" : "yaml";
  GtkSourceLanguage *language = gtk_source_language_manager_get_language (languages, id);

  self->language_source = 0;
  if (gtk_source_buffer_get_language (self->buffer) != language)
    gtk_source_buffer_set_language (self->buffer, language);
  return G_SOURCE_REMOVE;
}

/* The text is shown first and coloured right after: the first language
 * definition read (and validated) costs some 30 ms, which the first frame
 * of a window opened on a file need not wait for. */
static void
update_language (PwTextDocument *self)
{
  if (self->language_source == 0)
    self->language_source = g_idle_add_full (G_PRIORITY_LOW, language_idle_cb, self, NULL);
}

static PwSyntax
guess_syntax (const char *name,
              const char *text)
{
  g_autofree char *lower = g_ascii_strdown (name != NULL ? name : "", -1);

  if (g_str_has_suffix (lower, ".json"))
    return PW_SYNTAX_JSON;
  if (g_str_has_suffix (lower, ".yml") || g_str_has_suffix (lower, ".yaml"))
    return PW_SYNTAX_YAML;

  while (text != NULL && g_ascii_isspace (*text))
    text++;
  return text != NULL && (*text == '{' || *text == '[') ? PW_SYNTAX_JSON : PW_SYNTAX_YAML;
}

static void
pw_text_document_dispose (GObject *object)
{
  PwTextDocument *self = (PwTextDocument *)object;

  g_cancellable_cancel (self->parse_cancellable);
  g_clear_object (&self->parse_cancellable);
  g_clear_handle_id (&self->parse_source, g_source_remove);
  g_clear_handle_id (&self->monitor_source, g_source_remove);
  g_clear_handle_id (&self->language_source, g_source_remove);
  if (self->monitor != NULL)
    g_file_monitor_cancel (self->monitor);
  g_clear_object (&self->monitor);
  g_clear_object (&self->history);
  g_clear_object (&self->buffer);
  g_clear_object (&self->document);
  g_clear_object (&self->pipeline);
  g_clear_object (&self->diagnostics);
  g_clear_object (&self->file);

  G_OBJECT_CLASS (pw_text_document_parent_class)->dispose (object);
}

static void
pw_text_document_finalize (GObject *object)
{
  PwTextDocument *self = (PwTextDocument *)object;

  g_clear_error (&self->error);
  g_clear_pointer (&self->line_starts, g_array_unref);
  g_free (self->display_name);
  g_free (self->logical_id);
  g_free (self->saved_checksum);
  g_free (self->disk_checksum);

  G_OBJECT_CLASS (pw_text_document_parent_class)->finalize (object);
}

static void
pw_text_document_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  PwTextDocument *self = PW_TEXT_DOCUMENT (object);

  switch (prop_id)
    {
    case PROP_FILE:
      g_value_set_object (value, self->file);
      break;

    case PROP_TITLE:
      g_value_take_string (value, pw_text_document_dup_title (self));
      break;

    case PROP_MODIFIED:
      g_value_set_boolean (value, pw_text_document_get_modified (self));
      break;

    case PROP_EXTERNALLY_MODIFIED:
      g_value_set_boolean (value, self->externally_modified);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->busy > 0);
      break;

    case PROP_PIPELINE:
      g_value_set_object (value, self->pipeline);
      break;

    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error != NULL ? self->error->message : NULL);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_text_document_class_init (PwTextDocumentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pw_text_document_dispose;
  object_class->finalize = pw_text_document_finalize;
  object_class->get_property = pw_text_document_get_property;

  properties [PROP_FILE] =
    g_param_spec_object ("file", NULL, NULL, G_TYPE_FILE,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_MODIFIED] =
    g_param_spec_boolean ("modified", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_EXTERNALLY_MODIFIED] =
    g_param_spec_boolean ("externally-modified", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_PIPELINE] =
    g_param_spec_object ("pipeline", NULL, NULL, PW_TYPE_PIPELINE,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PwTextDocument::changed:
   *
   * The text was read again: a new model, new findings, or a new error.
   */
  signals [CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * PwTextDocument::pipeline-choice:
   * @ids: the logical ids of the template's pipelines
   *
   * The text is a template with several pipelines and none is chosen yet;
   * the handler asks and calls pw_text_document_set_logical_id().
   */
  signals [PIPELINE_CHOICE] =
    g_signal_new ("pipeline-choice",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRV);

  /**
   * PwTextDocument::edit-failed:
   * @message: why, in words for the user
   *
   * An edit from the canvas or the inspector could not be made; the window
   * shows @message.
   */
  signals [EDIT_FAILED] =
    g_signal_new ("edit-failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
pw_text_document_init (PwTextDocument *self)
{
  self->buffer = gtk_source_buffer_new (NULL);
  self->history = pw_history_new (GTK_TEXT_BUFFER (self->buffer));
  self->diagnostics = g_list_store_new (PW_TYPE_DIAGNOSTIC);
  self->syntax = PW_SYNTAX_YAML;

  gtk_source_buffer_set_highlight_matching_brackets (self->buffer, TRUE);
  /* The language is set when the text arrives (YAML or JSON): loading a
   * language definition costs tens of milliseconds, once is enough. */
  update_scheme (self);

  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (update_scheme), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->buffer, "changed", G_CALLBACK (buffer_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->buffer, "modified-changed", G_CALLBACK (modified_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

PwTextDocument *
pw_text_document_new (void)
{
  return g_object_new (PW_TYPE_TEXT_DOCUMENT, NULL);
}

GtkSourceBuffer *
pw_text_document_get_buffer (PwTextDocument *self)
{
  g_return_val_if_fail (PW_IS_TEXT_DOCUMENT (self), NULL);

  return self->buffer;
}

PwHistory *
pw_text_document_get_history (PwTextDocument *self)
{
  g_return_val_if_fail (PW_IS_TEXT_DOCUMENT (self), NULL);

  return self->history;
}

/**
 * pw_text_document_get_file:
 *
 * Returns: (transfer none) (nullable): the file, or %NULL for a new document
 */
GFile *
pw_text_document_get_file (PwTextDocument *self)
{
  g_return_val_if_fail (PW_IS_TEXT_DOCUMENT (self), NULL);

  return self->file;
}

char *
pw_text_document_dup_title (PwTextDocument *self)
{
  g_return_val_if_fail (PW_IS_TEXT_DOCUMENT (self), NULL);

  if (self->file != NULL)
    return g_file_get_basename (self->file);
  if (self->display_name != NULL)
    return g_strdup (self->display_name);
  return g_strdup (_("New Pipeline"));
}

gboolean
pw_text_document_get_modified (PwTextDocument *self)
{
  g_return_val_if_fail (PW_IS_TEXT_DOCUMENT (self), FALSE);

  return gtk_text_buffer_get_modified (GTK_TEXT_BUFFER (self->buffer));
}

gboolean
pw_text_document_get_externally_modified (PwTextDocument *self)
{
  g_return_val_if_fail (PW_IS_TEXT_DOCUMENT (self), FALSE);

  return self->externally_modified;
}

gboolean
pw_text_document_get_busy (PwTextDocument *self)
{
  g_return_val_if_fail (PW_IS_TEXT_DOCUMENT (self), FALSE);

  return self->busy > 0;
}

PwSyntax
pw_text_document_get_syntax (PwTextDocument *self)
{
  g_return_val_if_fail (PW_IS_TEXT_DOCUMENT (self), PW_SYNTAX_YAML);

  return self->syntax;
}

const char *
pw_text_document_get_logical_id (PwTextDocument *self)
{
  g_return_val_if_fail (PW_IS_TEXT_DOCUMENT (self), NULL);

  return self->logical_id;
}

void
pw_text_document_set_logical_id (PwTextDocument *self,
                                 const char     *logical_id)
{
  g_return_if_fail (PW_IS_TEXT_DOCUMENT (self));

  if (g_strcmp0 (self->logical_id, logical_id) == 0)
    return;

  g_free (self->logical_id);
  self->logical_id = g_strdup (logical_id);
  pw_text_document_reparse_now (self);
}

/**
 * pw_text_document_get_document:
 *
 * Returns: (transfer none) (nullable): the last text that parsed, read
 */
PwDocument *
pw_text_document_get_document (PwTextDocument *self)
{
  g_return_val_if_fail (PW_IS_TEXT_DOCUMENT (self), NULL);

  return self->document;
}

/**
 * pw_text_document_get_pipeline:
 *
 * Returns: (transfer none) (nullable): the pipeline of the last text that
 *   parsed
 */
PwPipeline *
pw_text_document_get_pipeline (PwTextDocument *self)
{
  g_return_val_if_fail (PW_IS_TEXT_DOCUMENT (self), NULL);

  return self->pipeline;
}

/**
 * pw_text_document_get_diagnostics:
 *
 * Returns: (transfer none): the findings of the last good model, a list of
 *   #PwDiagnostic
 */
GListModel *
pw_text_document_get_diagnostics (PwTextDocument *self)
{
  g_return_val_if_fail (PW_IS_TEXT_DOCUMENT (self), NULL);

  return G_LIST_MODEL (self->diagnostics);
}

/**
 * pw_text_document_get_error:
 *
 * Returns: (nullable): why the current text does not read as a pipeline
 */
const GError *
pw_text_document_get_error (PwTextDocument *self)
{
  g_return_val_if_fail (PW_IS_TEXT_DOCUMENT (self), NULL);

  return self->error;
}

gboolean
pw_text_document_get_error_location (PwTextDocument *self,
                                     guint          *line,
                                     guint          *column)
{
  g_return_val_if_fail (PW_IS_TEXT_DOCUMENT (self), FALSE);

  if (self->error == NULL || self->error_line == 0)
    return FALSE;

  *line = self->error_line;
  *column = self->error_column;
  return TRUE;
}

/* Whether the model was read from exactly what the buffer holds now, so
 * its byte offsets can be used on the buffer. */
gboolean
pw_text_document_is_current (PwTextDocument *self)
{
  g_return_val_if_fail (PW_IS_TEXT_DOCUMENT (self), FALSE);

  return self->document != NULL && self->error == NULL && self->parsed_serial == self->serial;
}

guint64
pw_text_document_get_generation (PwTextDocument *self)
{
  g_return_val_if_fail (PW_IS_TEXT_DOCUMENT (self), 0);

  return self->generation;
}

char *
pw_text_document_dup_text (PwTextDocument *self,
                           gsize          *length)
{
  GtkTextIter start, end;
  char *text;

  g_return_val_if_fail (PW_IS_TEXT_DOCUMENT (self), NULL);

  gtk_text_buffer_get_bounds (GTK_TEXT_BUFFER (self->buffer), &start, &end);
  text = gtk_text_buffer_get_text (GTK_TEXT_BUFFER (self->buffer), &start, &end, TRUE);
  if (length != NULL)
    *length = strlen (text);
  return text;
}

/* Replaces the whole text without an undo step: a new document or a load. */
static void
replace_text (PwTextDocument *self,
              const char     *text,
              gsize           length)
{
  GtkTextIter start;

  pw_history_pause (self->history);
  self->applying++;
  gtk_text_buffer_set_text (GTK_TEXT_BUFFER (self->buffer), text, length);
  self->applying--;
  pw_history_resume (self->history);
  pw_history_clear (self->history);
  pw_history_mark_saved (self->history);

  gtk_text_buffer_get_start_iter (GTK_TEXT_BUFFER (self->buffer), &start);
  gtk_text_buffer_place_cursor (GTK_TEXT_BUFFER (self->buffer), &start);
}

/**
 * pw_text_document_set_text:
 * @text: the whole text of a new, unsaved document
 * @display_name: (nullable): its title until it is saved
 *
 * Starts a new document from @text (a template, an import) and reads it.
 */
void
pw_text_document_set_text (PwTextDocument *self,
                           const char     *text,
                           const char     *display_name,
                           PwSyntax        syntax)
{
  g_return_if_fail (PW_IS_TEXT_DOCUMENT (self));
  g_return_if_fail (text != NULL);

  g_clear_object (&self->file);
  g_free (self->display_name);
  self->display_name = g_strdup (display_name);
  self->syntax = syntax;
  update_language (self);
  replace_text (self, text, strlen (text));
  /* A new document has never been saved: closing it asks. */
  gtk_text_buffer_set_modified (GTK_TEXT_BUFFER (self->buffer), TRUE);

  pw_text_document_reparse_now (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_FILE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_TITLE]);
}

/* Reads the text on the calling thread: after loading, applying an edit
 * that could not be adopted, and in tests. */
void
pw_text_document_reparse_now (PwTextDocument *self)
{
  g_autoptr(ParseJob) job = NULL;

  g_return_if_fail (PW_IS_TEXT_DOCUMENT (self));

  g_clear_handle_id (&self->parse_source, g_source_remove);
  g_cancellable_cancel (self->parse_cancellable);

  job = parse_job_new (self);
  parse_job_run (job);
  adopt_job (self, job);
}

/* Runs the validator when automatic validation is off. */
void
pw_text_document_validate_now (PwTextDocument *self)
{
  g_autoptr(GPtrArray) found = NULL;

  g_return_if_fail (PW_IS_TEXT_DOCUMENT (self));

  if (self->pipeline == NULL)
    return;

  found = pw_pipeline_validate (self->pipeline);
  g_list_store_splice (self->diagnostics, 0, g_list_model_get_n_items (G_LIST_MODEL (self->diagnostics)),
                       found->pdata, found->len);
  g_signal_emit (self, signals [CHANGED], 0);
}

/* File monitoring ---------------------------------------------------------- */

static char *
checksum_of (const char *data,
             gsize       length)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)data, length);
}

static void
check_disk_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(PwTextDocument) self = user_data;
  g_autofree char *contents = NULL;
  g_autofree char *sum = NULL;
  gsize length;
  gboolean changed;

  if (!g_file_load_contents_finish (G_FILE (object), result, &contents, &length, NULL, NULL))
    {
      /* Deleted or unreadable: keep what we have; saving writes it again. */
      changed = g_file_query_exists (G_FILE (object), NULL) == FALSE && self->saved_checksum != NULL;
    }
  else
    {
      sum = checksum_of (contents, length);
      changed = g_strcmp0 (sum, self->saved_checksum) != 0;
    }

  if (self->busy > 0 || !g_file_equal (G_FILE (object), self->file))
    return;

  g_free (self->disk_checksum);
  self->disk_checksum = g_steal_pointer (&sum);
  if (changed != self->externally_modified)
    {
      self->externally_modified = changed;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_EXTERNALLY_MODIFIED]);
    }
}

static gboolean
monitor_settled_cb (gpointer user_data)
{
  PwTextDocument *self = user_data;

  self->monitor_source = 0;
  if (self->file != NULL && self->busy == 0)
    g_file_load_contents_async (self->file, NULL, check_disk_cb, g_object_ref (self));

  return G_SOURCE_REMOVE;
}

/* Editors write in several steps (truncate, write, rename): wait until the
 * events settle, then compare what is on disk with what we last saw. */
static void
monitor_changed_cb (PwTextDocument    *self,
                    GFile             *file,
                    GFile             *other_file,
                    GFileMonitorEvent  event,
                    GFileMonitor      *monitor)
{
  if (self->busy > 0)
    return;

  switch ((int)event)
    {
    case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:
    case G_FILE_MONITOR_EVENT_CHANGED:
    case G_FILE_MONITOR_EVENT_DELETED:
    case G_FILE_MONITOR_EVENT_CREATED:
    case G_FILE_MONITOR_EVENT_RENAMED:
    case G_FILE_MONITOR_EVENT_MOVED_IN:
    case G_FILE_MONITOR_EVENT_MOVED_OUT:
      g_clear_handle_id (&self->monitor_source, g_source_remove);
      self->monitor_source = g_timeout_add (250, monitor_settled_cb, self);
      break;

    default:
      break;
    }
}

static void
watch_file (PwTextDocument *self)
{
  if (self->monitor != NULL)
    {
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }

  if (self->file == NULL)
    return;

  self->monitor = g_file_monitor_file (self->file, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
  if (self->monitor != NULL)
    {
      g_file_monitor_set_rate_limit (self->monitor, 250);
      g_signal_connect_object (self->monitor, "changed", G_CALLBACK (monitor_changed_cb), self,
                               G_CONNECT_SWAPPED);
    }
}

static void
set_externally_modified (PwTextDocument *self,
                         gboolean        value)
{
  if (self->externally_modified == value)
    return;
  self->externally_modified = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_EXTERNALLY_MODIFIED]);
}

/**
 * pw_text_document_keep_mine:
 *
 * The user has seen that the file changed on disk and keeps the text as it
 * is: the next save writes it over the file, and only a further change on
 * disk is reported again.
 */
void
pw_text_document_keep_mine (PwTextDocument *self)
{
  g_return_if_fail (PW_IS_TEXT_DOCUMENT (self));

  if (!self->externally_modified)
    return;

  /* What is on disk now is known; forgetting it instead would leave the
   * flag set, and a second change would go unnoticed until the save
   * overwrote it. */
  g_free (self->saved_checksum);
  self->saved_checksum = g_strdup (self->disk_checksum);
  gtk_text_buffer_set_modified (GTK_TEXT_BUFFER (self->buffer), TRUE);
  set_externally_modified (self, FALSE);
}

static void
busy_inc (PwTextDocument *self)
{
  if (self->busy++ == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_BUSY]);
}

static void
busy_dec (PwTextDocument *self)
{
  if (--self->busy == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_BUSY]);
}

/* Loading ------------------------------------------------------------------- */

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PwTextDocument *self = g_task_get_source_object (task);
  GFile *file = G_FILE (object);
  g_autofree char *contents = NULL;
  g_autofree char *name = NULL;
  const char *invalid;
  GError *error = NULL;
  gsize length;

  busy_dec (self);

  if (!g_file_load_contents_finish (file, result, &contents, &length, NULL, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (!g_utf8_validate (contents, length, &invalid))
    {
      g_autofree char *shown = g_file_get_parse_name (file);
      g_autofree char *prefix = g_strndup (contents, invalid - contents);
      guint line = 1;

      for (const char *p = prefix; *p != '\0'; p++)
        line += *p == '\n';
      g_task_return_new_error (task, PW_CORE_ERROR, PW_CORE_ERROR_ENCODING,
                               _("%s:%u: this file is not UTF-8 text; pipeline files and templates "
                                 "must be UTF-8 (convert it with iconv)"),
                               shown, line);
      return;
    }

  if (memchr (contents, '\0', length) != NULL)
    {
      g_autofree char *shown = g_file_get_parse_name (file);
      g_task_return_new_error (task, PW_CORE_ERROR, PW_CORE_ERROR_ENCODING,
                               _("%s holds a NUL byte: it is not a text file"), shown);
      return;
    }

  g_set_object (&self->file, file);
  g_clear_pointer (&self->display_name, g_free);
  name = g_file_get_basename (file);
  self->syntax = guess_syntax (name, contents);
  update_language (self);
  replace_text (self, contents, length);
  g_free (self->saved_checksum);
  self->saved_checksum = checksum_of (contents, length);
  set_externally_modified (self, FALSE);
  watch_file (self);

  pw_text_document_reparse_now (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_FILE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_TITLE]);
  g_task_return_boolean (task, TRUE);
}

/**
 * pw_text_document_load_async:
 *
 * Reads @file into the document (replacing what it held, without an undo
 * step). A file that does not parse still loads: the error is published and
 * the text can be fixed in the code view. Only unreadable files and files
 * that are not text fail.
 */
void
pw_text_document_load_async (PwTextDocument      *self,
                             GFile               *file,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PW_IS_TEXT_DOCUMENT (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pw_text_document_load_async);
  busy_inc (self);
  g_file_load_contents_async (file, cancellable, load_cb, task);
}

gboolean
pw_text_document_load_finish (PwTextDocument  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (PW_IS_TEXT_DOCUMENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Reloading ------------------------------------------------------------------ */

static void
reload_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PwTextDocument *self = g_task_get_source_object (task);
  g_autofree char *contents = NULL;
  GError *error = NULL;
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (self->buffer);
  GtkTextIter start, end;
  gsize length;

  busy_dec (self);

  if (!g_file_load_contents_finish (G_FILE (object), result, &contents, &length, NULL, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (!g_utf8_validate (contents, length, NULL))
    {
      g_task_return_new_error (task, PW_CORE_ERROR, PW_CORE_ERROR_ENCODING,
                               _("The file on disk is no longer UTF-8 text; it was not reloaded"));
      return;
    }

  /* One undoable step: what was on screen is one Ctrl+Z away. */
  pw_history_begin_labelled (self->history, _("Reload from disk"));
  gtk_text_buffer_begin_user_action (buffer);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_delete (buffer, &start, &end);
  gtk_text_buffer_insert (buffer, &start, contents, (int)length);
  gtk_text_buffer_end_user_action (buffer);
  pw_history_end_labelled (self->history);
  pw_history_mark_saved (self->history);

  g_free (self->saved_checksum);
  self->saved_checksum = checksum_of (contents, length);
  set_externally_modified (self, FALSE);
  pw_text_document_reparse_now (self);

  g_task_return_boolean (task, TRUE);
}

/**
 * pw_text_document_reload_async:
 *
 * Reads the file again into the buffer, as one undo step.
 */
void
pw_text_document_reload_async (PwTextDocument      *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PW_IS_TEXT_DOCUMENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pw_text_document_reload_async);
  if (self->file == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("The document has no file"));
      g_object_unref (task);
      return;
    }

  busy_inc (self);
  g_file_load_contents_async (self->file, cancellable, reload_cb, task);
}

gboolean
pw_text_document_reload_finish (PwTextDocument  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (PW_IS_TEXT_DOCUMENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Saving -------------------------------------------------------------------- */

typedef struct
{
  GFile *file;
  char  *text;
  gsize  length;
  char  *path;
} SaveJob;

static void
save_job_free (SaveJob *job)
{
  g_clear_object (&job->file);
  g_free (job->text);
  g_free (job->path);
  g_free (job);
}

/* The core's atomic replace: a temporary file beside the target, fsync,
 * rename. A failed save leaves the user's file as it was. */
static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveJob *job = task_data;
  GError *error = NULL;

  if (job->path == NULL)
    {
      /* Not a local file (a portal or a remote location): GIO's own
       * replace also writes a temporary file and renames it. */
      if (!g_file_replace_contents (job->file, job->text, job->length, NULL, FALSE,
                                    G_FILE_CREATE_NONE, NULL, cancellable, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }
  else if (!pw_file_replace_contents (job->path, job->text, job->length, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
save_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PwTextDocument *self = g_task_get_source_object (task);
  SaveJob *job = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  busy_dec (self);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (!g_file_equal (job->file, self->file != NULL ? self->file : job->file) || self->file == NULL)
    {
      g_autofree char *name = g_file_get_basename (job->file);

      g_set_object (&self->file, job->file);
      g_clear_pointer (&self->display_name, g_free);
      /* Saving under a new name may change the syntax colouring only; the
       * text stays what the user wrote. */
      watch_file (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_FILE]);
    }
  else if (self->monitor == NULL)
    watch_file (self);

  g_free (self->saved_checksum);
  self->saved_checksum = checksum_of (job->text, job->length);
  set_externally_modified (self, FALSE);

  /* Only if nothing was typed while the file was written. */
  if (GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (task), "serial")) == (gsize)self->serial)
    pw_history_mark_saved (self->history);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_TITLE]);
  g_task_return_boolean (task, TRUE);
}

void
pw_text_document_save_async (PwTextDocument      *self,
                             GFile               *file,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;
  g_autoptr(GTask) worker = NULL;
  SaveJob *job;

  g_return_if_fail (PW_IS_TEXT_DOCUMENT (self));
  g_return_if_fail (!file || G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pw_text_document_save_async);

  if (file == NULL)
    file = self->file;
  if (file == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME,
                               _("The document has no file yet; use Save As"));
      g_object_unref (task);
      return;
    }

  job = g_new0 (SaveJob, 1);
  job->file = g_object_ref (file);
  job->text = pw_text_document_dup_text (self, &job->length);
  job->path = g_file_get_path (file);
  g_object_set_data (G_OBJECT (task), "serial", GSIZE_TO_POINTER ((gsize)self->serial));

  busy_inc (self);
  worker = g_task_new (self, cancellable, save_done_cb, task);
  g_task_set_source_tag (worker, save_thread);
  g_task_set_task_data (worker, job, (GDestroyNotify)save_job_free);
  g_task_run_in_thread (worker, save_thread);
}

gboolean
pw_text_document_save_finish (PwTextDocument  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (PW_IS_TEXT_DOCUMENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Edits --------------------------------------------------------------------- */

static gsize
line_of (GArray *starts,
         gsize   offset)
{
  gsize lo = 0, hi = starts->len;

  /* the last line start <= offset */
  while (hi - lo > 1)
    {
      gsize mid = (lo + hi) / 2;

      if (g_array_index (starts, gsize, mid) <= offset)
        lo = mid;
      else
        hi = mid;
    }
  return lo;
}

gboolean
pw_text_document_byte_to_iter (PwTextDocument *self,
                               gsize           offset,
                               GtkTextIter    *iter)
{
  gsize line;

  g_return_val_if_fail (PW_IS_TEXT_DOCUMENT (self), FALSE);

  if (self->line_starts == NULL || !pw_text_document_is_current (self))
    return FALSE;

  line = line_of (self->line_starts, offset);
  gtk_text_buffer_get_iter_at_line_index (GTK_TEXT_BUFFER (self->buffer), iter, (int)line,
                                          (int)(offset - g_array_index (self->line_starts, gsize, line)));
  return TRUE;
}

gsize
pw_text_document_iter_to_byte (PwTextDocument    *self,
                               const GtkTextIter *iter)
{
  guint line;

  g_return_val_if_fail (PW_IS_TEXT_DOCUMENT (self), 0);

  line = gtk_text_iter_get_line (iter);
  if (self->line_starts == NULL || line >= self->line_starts->len)
    return 0;
  return g_array_index (self->line_starts, gsize, line) + gtk_text_iter_get_line_index (iter);
}

/* Applies one step's replacements; @text follows the buffer so that the
 * next step's byte offsets can be turned into buffer positions. */
typedef struct
{
  int   start_line;
  gsize start_line_at;
  int   end_line;
  gsize end_line_at;
} EditLines;

static void
apply_step (GtkTextBuffer    *buffer,
            GString          *text,
            const PwTextEdit *edits,
            guint             n_edits)
{
  g_autofree EditLines *lines = g_new0 (EditLines, n_edits);
  int line = 0;
  gsize line_at = 0, scanned = 0;

  /* One pass over the text for the positions of every edit (they are
   * sorted and do not overlap). */
  for (guint i = 0; i < n_edits; i++)
    {
      const PwTextEdit *edit = &edits[i];

      for (; scanned < edit->start; scanned++)
        if (text->str[scanned] == '\n')
          {
            line++;
            line_at = scanned + 1;
          }
      lines[i].start_line = line;
      lines[i].start_line_at = line_at;
      for (; scanned < edit->end; scanned++)
        if (text->str[scanned] == '\n')
          {
            line++;
            line_at = scanned + 1;
          }
      lines[i].end_line = line;
      lines[i].end_line_at = line_at;
    }

  /* From the last to the first, so earlier positions stay valid. */
  for (guint i = n_edits; i > 0; i--)
    {
      const PwTextEdit *edit = &edits[i - 1];
      const EditLines *at = &lines[i - 1];
      GtkTextIter start, end;

      gtk_text_buffer_get_iter_at_line_index (buffer, &start, at->start_line,
                                              (int)(edit->start - at->start_line_at));
      gtk_text_buffer_get_iter_at_line_index (buffer, &end, at->end_line,
                                              (int)(edit->end - at->end_line_at));
      if (edit->end > edit->start)
        gtk_text_buffer_delete (buffer, &start, &end);
      if (edit->text != NULL && edit->text[0] != '\0')
        gtk_text_buffer_insert (buffer, &start, edit->text, -1);

      g_string_erase (text, edit->start, edit->end - edit->start);
      if (edit->text != NULL)
        g_string_insert (text, edit->start, edit->text);
    }
}

/**
 * pw_text_document_apply_editor:
 * @editor: steps computed on this document's current text
 * @label: the undo step's name ("Move action Build to stage Test")
 *
 * Applies the minimal replacements of @editor to the buffer as one undo
 * step and adopts the model @editor already read from the result, so the
 * views follow at once, without a second parse.
 *
 * Returns: %FALSE if the buffer changed since @editor's text was taken
 */
gboolean
pw_text_document_apply_editor (PwTextDocument *self,
                               PwEditor       *editor,
                               const char     *label)
{
  g_autoptr(ParseJob) job = NULL;
  g_autoptr(GString) text = NULL;
  g_autofree char *before = NULL;
  PwDocument *result;
  const char *expected;
  gsize before_length, expected_length;
  guint n_steps;

  g_return_val_if_fail (PW_IS_TEXT_DOCUMENT (self), FALSE);
  g_return_val_if_fail (PW_IS_EDITOR (editor), FALSE);

  n_steps = pw_editor_get_n_steps (editor);
  if (n_steps == 0)
    return TRUE;

  /* The text the editor started from is the buffer's (the document is
   * current): no need to copy a megabyte out of the buffer. */
  {
    GBytes *bytes = self->document != NULL && pw_text_document_is_current (self)
                  ? pw_source_map_get_text (pw_document_get_source_map (self->document)) : NULL;

    if (bytes != NULL)
      {
        gsize size;
        const char *data = g_bytes_get_data (bytes, &size);

        text = g_string_new_len (data, size);
      }
    else
      {
        before = pw_text_document_dup_text (self, &before_length);
        text = g_string_new_len (before, before_length);
      }
  }

  pw_history_begin_labelled (self->history, label);
  self->applying++;
  gtk_text_buffer_begin_user_action (GTK_TEXT_BUFFER (self->buffer));
  for (guint i = 0; i < n_steps; i++)
    {
      guint n_edits = 0;
      const PwTextEdit *edits = pw_editor_get_step (editor, i, &n_edits);

      apply_step (GTK_TEXT_BUFFER (self->buffer), text, edits, n_edits);
    }
  gtk_text_buffer_end_user_action (GTK_TEXT_BUFFER (self->buffer));
  self->applying--;
  pw_history_end_labelled (self->history);

  expected = pw_editor_get_text (editor, &expected_length);
  result = pw_editor_get_document (editor);
  g_clear_handle_id (&self->parse_source, g_source_remove);

  if (result == NULL || text->len != expected_length || memcmp (text->str, expected, expected_length) != 0)
    {
      g_warning ("The buffer and the editor disagree after an edit; reading the buffer again");
      pw_text_document_reparse_now (self);
      return FALSE;
    }

  /* Adopt the editor's read of the text instead of parsing it again. */
  job = g_new0 (ParseJob, 1);
  job->filename = g_strdup (filename_for (self));
  job->serial = self->serial;
  job->document = g_object_ref (result);
  job->pipeline = pw_document_dup_pipeline (result, self->logical_id, &job->error);
  if (job->pipeline != NULL && want_validation ())
    job->diagnostics = pw_pipeline_validate (job->pipeline);
  g_cancellable_cancel (self->parse_cancellable);
  adopt_job (self, job);

  return TRUE;
}

/**
 * pw_text_document_edit:
 * @label: the undo step's name
 * @func: makes the edit with the edit module
 *
 * Runs @func on an editor of the current text and applies what it did as
 * one undo step. Pending typing is read first; a text that does not parse
 * cannot be edited from the canvas (the error says where to fix it).
 */
gboolean
pw_text_document_edit (PwTextDocument  *self,
                       const char      *label,
                       PwEditFunc       func,
                       gpointer         user_data,
                       GError         **error)
{
  g_autoptr(PwEditor) editor = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (PW_IS_TEXT_DOCUMENT (self), FALSE);
  g_return_val_if_fail (label != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (!pw_text_document_is_current (self))
    pw_text_document_reparse_now (self);

  if (self->error != NULL || self->document == NULL)
    {
      if (self->error_line > 0)
        g_set_error (&local_error, PW_CORE_ERROR, PW_CORE_ERROR_SYNTAX,
                     _("The text has an error on line %u: fix it in the code view first"), self->error_line);
      else
        g_set_error_literal (&local_error, PW_CORE_ERROR, PW_CORE_ERROR_SYNTAX,
                             _("The text does not read as a pipeline: fix it in the code view first"));
    }
  else
    {
      editor = pw_editor_new (self->document, self->logical_id, &local_error);
      if (editor != NULL && func (editor, user_data, &local_error))
        pw_text_document_apply_editor (self, editor, label);
    }

  if (local_error != NULL)
    {
      g_signal_emit (self, signals [EDIT_FAILED], 0, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

typedef struct
{
  const char *path;
  JsonNode   *value;
} SetData;

static gboolean
set_func (PwEditor  *editor,
          gpointer   user_data,
          GError   **error)
{
  SetData *data = user_data;

  if (data->value == NULL)
    return pw_editor_remove (editor, data->path, error);
  return pw_editor_set (editor, data->path, data->value, error);
}

gboolean
pw_text_document_edit_set (PwTextDocument  *self,
                           const char      *label,
                           const char      *path,
                           JsonNode        *value,
                           GError         **error)
{
  SetData data = { path, value };

  g_return_val_if_fail (value != NULL, FALSE);

  return pw_text_document_edit (self, label, set_func, &data, error);
}

gboolean
pw_text_document_edit_set_string (PwTextDocument  *self,
                                  const char      *label,
                                  const char      *path,
                                  const char      *value,
                                  GError         **error)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, value);
  return pw_text_document_edit_set (self, label, path, node, error);
}

gboolean
pw_text_document_edit_remove (PwTextDocument  *self,
                              const char      *label,
                              const char      *path,
                              GError         **error)
{
  SetData data = { path, NULL };

  return pw_text_document_edit (self, label, set_func, &data, error);
}
