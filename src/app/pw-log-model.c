/* pw-log-model.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-log-model"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "pw-log-model.h"

/* PwLogLine ---------------------------------------------------------------- */

struct _PwLogLine
{
  GObject        parent_instance;

  guint          number;
  char          *time;
  char          *text;
  PwLogLineKind  kind;
  int            phase;
};

G_DEFINE_FINAL_TYPE (PwLogLine, pw_log_line, G_TYPE_OBJECT)

static void
pw_log_line_finalize (GObject *object)
{
  PwLogLine *self = PW_LOG_LINE (object);

  g_free (self->time);
  g_free (self->text);

  G_OBJECT_CLASS (pw_log_line_parent_class)->finalize (object);
}

static void
pw_log_line_class_init (PwLogLineClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pw_log_line_finalize;
}

static void
pw_log_line_init (PwLogLine *self)
{
}

guint pw_log_line_get_number (PwLogLine *self) { return self->number; }
const char *pw_log_line_get_time (PwLogLine *self) { return self->time; }
const char *pw_log_line_get_text (PwLogLine *self) { return self->text; }
PwLogLineKind pw_log_line_get_kind (PwLogLine *self) { return self->kind; }
int pw_log_line_get_phase (PwLogLine *self) { return self->phase; }

/* PwLogModel --------------------------------------------------------------- */

typedef struct
{
  char      *name;
  char      *state;       /* SUCCEEDED, FAILED, …; NULL while it runs */
  guint      first;       /* its header line */
  guint      last;        /* its last line so far */
  GDateTime *start;
  GDateTime *end;
  gboolean   folded;
  gboolean   user_set;    /* the user folded or opened it: leave it so */
} Phase;

/* The visible lines, for the view: all but the folded phases' bodies. */
#define PW_TYPE_LOG_VISIBLE (pw_log_visible_get_type ())
G_DECLARE_FINAL_TYPE (PwLogVisible, pw_log_visible, PW, LOG_VISIBLE, GObject)

struct _PwLogModel
{
  GObject       parent_instance;

  char         *path;
  GMappedFile  *mapped;
  gsize         scanned;      /* bytes read into lines (whole lines only) */
  GPtrArray    *chunks;       /* LineInfo[CHUNK], the lines in order */
  guint         n_lines;
  GArray       *phases;       /* Phase, in the order of their lines */
  guint         n_visible;    /* the lines but the folded phases' bodies */
  PwLogVisible *visible_model;
  GFileMonitor *monitor;
  guint         refresh_id;
};

struct _PwLogVisible
{
  GObject     parent_instance;
  PwLogModel *model;          /* not a reference: the model owns this */
};

/* A line's record. They are kept in chunks of a fixed size, not in one
 * growing array: doubling an array of half a million lines copied
 * megabytes in one go, longer than a frame on a virtual machine. */
typedef struct
{
  guint64 start;    /* its offset in the file */
  gint32  phase;    /* its phase, or -1 */
  guint8  kind;
} LineInfo;

#define CHUNK_BITS 14
#define CHUNK (1u << CHUNK_BITS)

static void pw_log_model_list_init (GListModelInterface *iface);
static void pw_log_visible_list_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PwLogModel, pw_log_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, pw_log_model_list_init))
G_DEFINE_FINAL_TYPE_WITH_CODE (PwLogVisible, pw_log_visible, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, pw_log_visible_list_init))

static void
phase_clear (Phase *phase)
{
  g_free (phase->name);
  g_free (phase->state);
  g_clear_pointer (&phase->start, g_date_time_unref);
  g_clear_pointer (&phase->end, g_date_time_unref);
}

static const char *
data_of (PwLogModel *self)
{
  return self->mapped != NULL ? g_mapped_file_get_contents (self->mapped) : NULL;
}

static inline LineInfo *
info (PwLogModel *self,
      guint       line)
{
  return (LineInfo *)g_ptr_array_index (self->chunks, line >> CHUNK_BITS) + (line & (CHUNK - 1));
}

static void
append_line (PwLogModel *self,
             guint64     start,
             gint32      phase,
             guint8      kind)
{
  LineInfo *record;

  if ((self->n_lines & (CHUNK - 1)) == 0)
    g_ptr_array_add (self->chunks, g_new (LineInfo, CHUNK));
  record = info (self, self->n_lines++);
  record->start = start;
  record->phase = phase;
  record->kind = kind;
}

/* A line's bytes, without its newline. */
static void
line_span (PwLogModel *self,
           guint       line,
           const char **start,
           gsize       *length)
{
  guint64 from = info (self, line)->start;
  guint64 to = line + 1 < self->n_lines ? info (self, line + 1)->start : self->scanned;

  *start = data_of (self) + from;
  *length = to > from ? to - from - 1 : 0;
}

/* The engine's lines begin with an ISO-8601 UTC time and a space. */
static gsize
time_prefix (const char *s,
             gsize       length)
{
  if (length >= 25 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[23] == 'Z' && s[24] == ' ')
    return 24;
  return 0;
}

static GDateTime *
line_time (const char *s,
           gsize       length)
{
  g_autofree char *iso = NULL;

  if (time_prefix (s, length) == 0)
    return NULL;
  iso = g_strndup (s, 24);
  return g_date_time_new_from_iso8601 (iso, NULL);
}

/* @needle in the @length bytes at @hay, without copying the line. */
static const char *
find_in (const char *hay,
         gsize       length,
         const char *needle)
{
  gsize n = strlen (needle);

  for (const char *p = hay; length >= n && (p = memchr (p, needle[0], length - n + 1 - (p - hay))) != NULL; p++)
    if (memcmp (p, needle, n) == 0)
      return p;
  return NULL;
}

/* "Entering phase BUILD", "Phase is DOWNLOAD_SOURCE" → "BUILD" */
static char *
phase_start_name (const char *text,
                  gsize       length)
{
  static const char * const markers[] = { "Entering phase ", "Phase is ", NULL };

  for (guint i = 0; markers[i] != NULL; i++)
    {
      const char *at = find_in (text, length, markers[i]);

      if (at != NULL)
        {
          const char *name = at + strlen (markers[i]);

          return g_strstrip (g_strndup (name, length - (name - text)));
        }
    }
  return NULL;
}

static gboolean
is_failure (const char *text,
            gsize       length)
{
  return find_in (text, length, "Command did not exit successfully") != NULL ||
         (find_in (text, length, "Phase complete: ") != NULL && find_in (text, length, "State: FAILED") != NULL);
}

static gboolean
has_prefix (const char *text,
            gsize       length,
            const char *prefix)
{
  gsize n = strlen (prefix);

  return length >= n && memcmp (text, prefix, n) == 0;
}

/* The folded phases hide their bodies, (first, last]: a visible position
 * is a line number less what the folded phases before it hide. */
static guint
count_visible (PwLogModel *self)
{
  guint hidden = 0;

  for (guint i = 0; i < self->phases->len; i++)
    {
      Phase *p = &g_array_index (self->phases, Phase, i);

      if (p->folded)
        hidden += p->last - p->first;
    }
  return self->n_lines - hidden;
}

/* The position of @line, or of the first visible line after it. */
static guint
visible_position (PwLogModel *self,
                  guint       line)
{
  guint hidden = 0;

  for (guint i = 0; i < self->phases->len; i++)
    {
      Phase *p = &g_array_index (self->phases, Phase, i);

      if (p->first >= line)
        break;
      if (!p->folded)
        continue;
      if (line <= p->last)
        return p->first + 1 - hidden;
      hidden += p->last - p->first;
    }
  return line - hidden;
}

/* The line at visible @position. */
static guint
line_at (PwLogModel *self,
         guint       position)
{
  guint line = position;

  for (guint i = 0; i < self->phases->len; i++)
    {
      Phase *p = &g_array_index (self->phases, Phase, i);

      if (p->first >= line)
        break;
      if (p->folded)
        line += p->last - p->first;
    }
  return line;
}

/* How long one look at the file may index lines: a tenth of a frame, so a
 * frame that is due is never held long. Looks are made just below GTK's
 * redraws (G_PRIORITY_HIGH_IDLE + 20), at the priority the engine reads a
 * busy command's output between bursts: a frame due goes first, and the
 * reading and the indexing take turns. */
#define SCAN_BUDGET_US 1500
#define SCAN_PRIORITY (G_PRIORITY_HIGH_IDLE + 25)

static void set_folded (PwLogModel *self, guint phase, gboolean folded);
static gboolean refresh_cb (gpointer data);

/* Reads what the file gained since the last look: whole lines only. */
static void
scan (PwLogModel *self)
{
  g_autoptr(GError) error = NULL;
  GMappedFile *mapped;
  GStatBuf st;
  const char *data;
  gsize size, end, pos;
  gint64 deadline;
  guint old_n = self->n_lines;
  guint old_visible = self->n_visible;
  GArray *completed = g_array_new (FALSE, FALSE, sizeof (guint));

  if (g_stat (self->path, &st) != 0 || (gsize)st.st_size <= self->scanned)
    {
      g_array_unref (completed);
      return;
    }

  mapped = g_mapped_file_new (self->path, FALSE, &error);
  if (mapped == NULL)
    {
      g_array_unref (completed);
      return;
    }
  g_clear_pointer (&self->mapped, g_mapped_file_unref);
  self->mapped = mapped;
  data = g_mapped_file_get_contents (mapped);
  size = g_mapped_file_get_length (mapped);

  /* Up to the last newline: a line being written waits for its end. At
   * most 4 MiB, and a few milliseconds, a turn, so a frame is never far
   * (the rest comes next turn). */
  end = MIN (size, self->scanned + 4 * 1024 * 1024);
  while (end > self->scanned && data[end - 1] != '\n')
    end--;
  if (end <= self->scanned)
    {
      if (end < size && self->refresh_id == 0)
        self->refresh_id = g_timeout_add_full (SCAN_PRIORITY, 0, refresh_cb, self, NULL);
      g_array_unref (completed);
      return;
    }

  pos = self->scanned;
  deadline = g_get_monotonic_time () + SCAN_BUDGET_US;
  while (pos < end)
    {

      const char *nl = memchr (data + pos, '\n', end - pos);
      gsize length = (gsize)(nl - (data + pos));
      guint64 start = pos;
      const char *line = data + pos;
      gsize skip = time_prefix (line, length);
      /* Most lines are the build's own: what marks phases and failures
       * is in the lines the engine writes, "[Container] …" (CodeBuild's)
       * and "Action Failed: …" (the executor's): one look at the start. */
      const char *text = line + skip + (skip > 0 ? 1 : 0);
      gsize text_length = length - (gsize)(text - line);
      gboolean container = has_prefix (text, text_length, "[Container]");
      g_autofree char *name = container ? phase_start_name (line + skip, length - skip) : NULL;
      gint32 phase = self->phases->len > 0 ? (gint32)self->phases->len - 1 : -1;
      guint8 kind = PW_LOG_LINE_TEXT;
      guint number = self->n_lines;

      if (name != NULL)
        {
          Phase p = { 0 };

          p.name = g_steal_pointer (&name);
          p.first = p.last = number;
          p.start = line_time (line, length);
          g_array_append_val (self->phases, p);
          phase = (gint32)self->phases->len - 1;
          kind = PW_LOG_LINE_PHASE;
        }
      else if ((container && is_failure (text, text_length)) || has_prefix (text, text_length, "Action Failed: "))
        kind = PW_LOG_LINE_FAILURE;

      if (phase >= 0 && kind != PW_LOG_LINE_PHASE)
        {
          Phase *p = &g_array_index (self->phases, Phase, phase);
          const char *complete = container ? find_in (line + skip, length - skip, "Phase complete: ") : NULL;
          const char *state = complete != NULL ? find_in (complete, length - (complete - line), " State: ") : NULL;

          p->last = number;
          if (state != NULL)
            {
              g_free (p->state);
              p->state = g_strstrip (g_strndup (state + 8, length - (state + 8 - line)));
              g_clear_pointer (&p->end, g_date_time_unref);
              p->end = line_time (line, length);
              g_array_append_val (completed, phase);
            }
        }

      append_line (self, start, phase, kind);
      pos += length + 1;

      /* Out of time: what is left waits for the next turn, after a frame. */
      if ((self->n_lines & 127) == 0 && g_get_monotonic_time () > deadline)
        end = pos;
    }
  self->scanned = end;
  if (end < size && self->refresh_id == 0)
    self->refresh_id = g_timeout_add_full (SCAN_PRIORITY, 0, refresh_cb, self, NULL);

  /* New lines are visible, but for the body of a folded phase. */
  self->n_visible = count_visible (self);
  g_list_model_items_changed (G_LIST_MODEL (self), old_n, 0, self->n_lines - old_n);
  if (self->n_visible > old_visible)
    g_list_model_items_changed (G_LIST_MODEL (self->visible_model), old_visible, 0,
                                self->n_visible - old_visible);

  /* A phase that succeeded folds, as CI logs do; a failed one stays open. */
  for (guint i = 0; i < completed->len; i++)
    {
      guint phase = g_array_index (completed, guint, i);
      Phase *p = &g_array_index (self->phases, Phase, phase);

      if (!p->user_set && g_strcmp0 (p->state, "SUCCEEDED") == 0)
        set_folded (self, phase, TRUE);
    }
  g_array_unref (completed);
}

static void
set_folded (PwLogModel *self,
            guint       phase,
            gboolean    folded)
{
  Phase *p = &g_array_index (self->phases, Phase, phase);
  guint position, body;

  if (p->folded == folded)
    return;
  position = visible_position (self, p->first) + 1;
  body = p->last - p->first;
  p->folded = folded;
  self->n_visible = count_visible (self);
  if (body > 0)
    g_list_model_items_changed (G_LIST_MODEL (self->visible_model), position,
                                folded ? body : 0, folded ? 0 : body);
}

static PwLogLine *
make_line (PwLogModel *self,
           guint       number)
{
  PwLogLine *line = g_object_new (PW_TYPE_LOG_LINE, NULL);
  const char *start;
  gsize length, skip;

  line_span (self, number, &start, &length);
  skip = time_prefix (start, length);
  line->number = number;
  line->time = skip > 0 ? g_strndup (start + 11, 12) : NULL;   /* "10:15:42.344" */
  line->text = g_utf8_make_valid (start + skip + (skip > 0 ? 1 : 0), length - skip - (skip > 0 ? 1 : 0));
  line->kind = info (self, number)->kind;
  line->phase = info (self, number)->phase;
  return line;
}

static GType
model_get_item_type (GListModel *model)
{
  return PW_TYPE_LOG_LINE;
}

static guint
model_get_n_items (GListModel *model)
{
  return PW_LOG_MODEL (model)->n_lines;
}

static gpointer
model_get_item (GListModel *model,
                guint       position)
{
  PwLogModel *self = PW_LOG_MODEL (model);

  return position < self->n_lines ? make_line (self, position) : NULL;
}

static void
pw_log_model_list_init (GListModelInterface *iface)
{
  iface->get_item_type = model_get_item_type;
  iface->get_n_items = model_get_n_items;
  iface->get_item = model_get_item;
}

static guint
visible_get_n_items (GListModel *model)
{
  PwLogVisible *self = PW_LOG_VISIBLE (model);

  return self->model != NULL ? self->model->n_visible : 0;
}

static gpointer
visible_get_item (GListModel *model,
                  guint       position)
{
  PwLogVisible *self = PW_LOG_VISIBLE (model);

  if (self->model == NULL || position >= self->model->n_visible)
    return NULL;
  return make_line (self->model, line_at (self->model, position));
}

static void
pw_log_visible_list_init (GListModelInterface *iface)
{
  iface->get_item_type = model_get_item_type;
  iface->get_n_items = visible_get_n_items;
  iface->get_item = visible_get_item;
}

static void
pw_log_visible_class_init (PwLogVisibleClass *klass)
{
}

static void
pw_log_visible_init (PwLogVisible *self)
{
}

static gboolean
refresh_cb (gpointer data)
{
  PwLogModel *self = data;

  self->refresh_id = 0;
  scan (self);
  return G_SOURCE_REMOVE;
}

static void
file_changed_cb (GFileMonitor      *monitor,
                 GFile             *file,
                 GFile             *other,
                 GFileMonitorEvent  event,
                 PwLogModel        *self)
{
  /* A build that prints as fast as it can: one read per frame at most. */
  if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add_full (SCAN_PRIORITY, 16, refresh_cb, self, NULL);
}

static void
pw_log_model_dispose (GObject *object)
{
  PwLogModel *self = PW_LOG_MODEL (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->monitor, file_changed_cb, self);
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }
  if (self->visible_model != NULL)
    self->visible_model->model = NULL;
  g_clear_object (&self->visible_model);

  G_OBJECT_CLASS (pw_log_model_parent_class)->dispose (object);
}

static void
pw_log_model_finalize (GObject *object)
{
  PwLogModel *self = PW_LOG_MODEL (object);

  g_free (self->path);
  g_clear_pointer (&self->mapped, g_mapped_file_unref);
  g_ptr_array_unref (self->chunks);
  g_array_unref (self->phases);

  G_OBJECT_CLASS (pw_log_model_parent_class)->finalize (object);
}

static void
pw_log_model_class_init (PwLogModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pw_log_model_dispose;
  object_class->finalize = pw_log_model_finalize;
}

static void
pw_log_model_init (PwLogModel *self)
{
  self->chunks = g_ptr_array_new_with_free_func (g_free);
  self->phases = g_array_new (FALSE, TRUE, sizeof (Phase));
  g_array_set_clear_func (self->phases, (GDestroyNotify)phase_clear);
  self->visible_model = g_object_new (PW_TYPE_LOG_VISIBLE, NULL);
  self->visible_model->model = self;
}

/**
 * pw_log_model_new:
 * @path: an action's log (it may not exist yet)
 *
 * Returns: (transfer full): its lines, followed as it grows
 */
PwLogModel *
pw_log_model_new (const char *path)
{
  PwLogModel *self = g_object_new (PW_TYPE_LOG_MODEL, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  self->path = g_strdup (path);
  self->monitor = g_file_monitor_file (file, G_FILE_MONITOR_NONE, NULL, NULL);
  if (self->monitor != NULL)
    g_signal_connect (self->monitor, "changed", G_CALLBACK (file_changed_cb), self);
  scan (self);
  return self;
}

const char *
pw_log_model_get_path (PwLogModel *self)
{
  return self->path;
}

/* Reads what the file has now (a view calls it instead of waiting for the
 * monitor, e.g. when the action ends). */
void
pw_log_model_refresh (PwLogModel *self)
{
  g_return_if_fail (PW_IS_LOG_MODEL (self));

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  scan (self);
}

guint
pw_log_model_get_n_phases (PwLogModel *self)
{
  return self->phases->len;
}

const char *
pw_log_model_get_phase_name (PwLogModel *self,
                             guint       phase)
{
  g_return_val_if_fail (phase < self->phases->len, NULL);
  return g_array_index (self->phases, Phase, phase).name;
}

const char *
pw_log_model_get_phase_state (PwLogModel *self,
                              guint       phase)
{
  g_return_val_if_fail (phase < self->phases->len, NULL);
  return g_array_index (self->phases, Phase, phase).state;
}

/* How long the phase took, or -1 while it runs. */
double
pw_log_model_get_phase_seconds (PwLogModel *self,
                                guint       phase)
{
  Phase *p;

  g_return_val_if_fail (phase < self->phases->len, -1);
  p = &g_array_index (self->phases, Phase, phase);
  if (p->start == NULL || p->end == NULL)
    return -1;
  return g_date_time_difference (p->end, p->start) / (double)G_TIME_SPAN_SECOND;
}

gboolean
pw_log_model_get_phase_folded (PwLogModel *self,
                               guint       phase)
{
  g_return_val_if_fail (phase < self->phases->len, FALSE);
  return g_array_index (self->phases, Phase, phase).folded;
}

void
pw_log_model_set_phase_folded (PwLogModel *self,
                               guint       phase,
                               gboolean    folded)
{
  g_return_if_fail (phase < self->phases->len);

  g_array_index (self->phases, Phase, phase).user_set = TRUE;
  set_folded (self, phase, folded);
}

/**
 * pw_log_model_find:
 * @from: the line to start at (itself included)
 *
 * Returns: the first line at or after (before, @backwards) @from that
 *   holds @needle, ignoring case, or -1
 */
int
pw_log_model_find (PwLogModel *self,
                   const char *needle,
                   guint       from,
                   gboolean    backwards)
{
  g_autofree char *folded_needle = NULL;
  guint n = self->n_lines;

  g_return_val_if_fail (PW_IS_LOG_MODEL (self), -1);

  if (needle == NULL || needle[0] == '\0' || n == 0)
    return -1;
  folded_needle = g_utf8_casefold (needle, -1);
  from = MIN (from, n - 1);

  for (guint i = 0; i < n; i++)
    {
      guint line = backwards ? (from + n - i) % n : (from + i) % n;
      const char *start;
      gsize length;
      g_autofree char *text = NULL;
      g_autofree char *folded = NULL;

      line_span (self, line, &start, &length);
      text = g_utf8_make_valid (start, length);
      folded = g_utf8_casefold (text, -1);
      if (strstr (folded, folded_needle) != NULL)
        return (int)line;
    }
  return -1;
}

/* The whole log as text, for Copy. */
char *
pw_log_model_dup_text (PwLogModel *self)
{
  g_return_val_if_fail (PW_IS_LOG_MODEL (self), NULL);

  return self->scanned > 0 ? g_utf8_make_valid (data_of (self), self->scanned) : g_strdup ("");
}

/**
 * pw_log_model_get_visible:
 *
 * Returns: (transfer none): the lines a view shows: folded phases show
 *   their header only
 */
GListModel *
pw_log_model_get_visible (PwLogModel *self)
{
  return G_LIST_MODEL (self->visible_model);
}

/* Where @line is in the visible list (its phase's header when folded). */
guint
pw_log_model_visible_position (PwLogModel *self,
                               guint       line)
{
  gint32 phase;

  g_return_val_if_fail (line < self->n_lines, 0);

  phase = info (self, line)->phase;
  if (phase >= 0 && g_array_index (self->phases, Phase, phase).folded)
    set_folded (self, (guint)phase, FALSE);
  return visible_position (self, line);
}

/* The line number shown at visible @position, or G_MAXUINT. */
guint
pw_log_model_visible_line (PwLogModel *self,
                           guint       position)
{
  g_return_val_if_fail (PW_IS_LOG_MODEL (self), G_MAXUINT);

  return position < self->n_visible ? line_at (self, position) : G_MAXUINT;
}
