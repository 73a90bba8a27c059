/* pw-log.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-log"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pw-engine-private.h"

/* A line longer than this is split: a program printing a gigabyte without
 * a newline must not take a gigabyte of memory, nor one write(2). */
#define MAX_LINE_BYTES     (64 * 1024)
/* What pw_log_dup_tail can give back. */
#define RECENT_MAX_LINES   1000
#define RECENT_MAX_BYTES   (1024 * 1024)
#define DEFAULT_LIMIT      ((guint64)64 * 1024 * 1024)
/* "2026-11-22T10:15:30.123Z " */
#define STAMP_LENGTH       25

struct _PwLog
{
  GObject     parent_instance;

  char       *path;
  int         fd;
  gboolean    closed;
  gboolean    write_failed;

  /* A `line` handler may write too: its text waits in @deferred until
   * the write being handled is done, so lines never interleave. */
  gboolean    busy;
  gboolean    close_deferred;
  GByteArray *deferred;

  /* Secrets, longest first, and which bytes can start one. */
  /* Its own, or its execution's (shared by all its actions' logs). */
  PwSecrets  *secrets;

  /* Input held back because a secret may begin in it and continue in
   * the next write; masked text of the line being assembled. */
  GByteArray *pending;
  GString    *line;
  /* Reused to build each record (timestamp, text, newline). */
  GString    *record;

  /* Records wait here until the end of the pw_log_write that made them:
   * one write(2) per chunk of output rather than one per line. */
  GString    *out;

  /* Size limit. The file holds everything until the log passes its limit;
   * then the file is cut back to its first half and the last half lives
   * in the ring @tail (whole records) until pw_log_close writes it after
   * a note. */
  guint64     limit;
  guint64     base_offset;
  guint64     written;
  guint64     head_end;
  gboolean    over_limit;
  char       *tail;
  gsize       tail_size;
  gsize       tail_start;
  gsize       tail_bytes;
  guint64     dropped_bytes;
  guint64     dropped_lines;

  /* Everything that came in, and the most that may: past it the log says
   * so once and pw_log_is_over_output_limit() turns TRUE. */
  guint64     received;
  guint64     output_limit;
  gboolean    over_output_limit;

  /* The last lines, for pw_log_dup_tail: a ring of strings reused from
   * line to line. */
  GString    *recent[RECENT_MAX_LINES];
  guint       recent_start;
  guint       recent_count;
  gsize       recent_bytes;

  gint64      stamp_second;
  char        stamp[STAMP_LENGTH + 1];
};

enum {
  LINE,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (PwLog, pw_log, G_TYPE_OBJECT)

static guint signals [N_SIGNALS];

static gboolean
write_all (int         fd,
           const char *data,
           gsize       length)
{
  while (length > 0)
    {
      gssize n = write (fd, data, length);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return FALSE;
        }
      data += n;
      length -= n;
    }

  return TRUE;
}

/* O_APPEND and one write(2) for what a pw_log_write call made: whatever
 * a call wrote is in the file even if we are SIGKILLed right after. */
static void
flush (PwLog *self)
{
  if (self->out->len == 0)
    return;

  if (self->fd >= 0 && !self->write_failed && !write_all (self->fd, self->out->str, self->out->len))
    {
      int saved_errno = errno;

      /* A full disk should not also flood the journal: say it once. */
      self->write_failed = TRUE;
      g_warning ("Cannot write to log '%s': %s", self->path, g_strerror (saved_errno));
    }

  g_string_truncate (self->out, 0);
}

static void
write_direct (PwLog      *self,
              const char *data,
              gsize       length)
{
  g_assert (self->out->len == 0);

  if (self->fd < 0 || self->write_failed || length == 0)
    return;

  if (!write_all (self->fd, data, length))
    {
      int saved_errno = errno;

      self->write_failed = TRUE;
      g_warning ("Cannot write to log '%s': %s", self->path, g_strerror (saved_errno));
      return;
    }
  self->written += length;
}

static void
write_record (PwLog      *self,
              const char *data,
              gsize       length)
{
  if (self->fd < 0 || self->write_failed)
    return;

  g_string_append_len (self->out, data, length);
  self->written += length;

  if (self->out->len >= 64 * 1024)
    flush (self);
}

static const char *
timestamp (PwLog *self)
{
  gint64 now = g_get_real_time ();
  gint64 second = now / G_USEC_PER_SEC;
  int millis = (int)((now % G_USEC_PER_SEC) / 1000);

  if (second != self->stamp_second)
    {
      time_t t = (time_t)second;
      struct tm tm;

      gmtime_r (&t, &tm);
      strftime (self->stamp, sizeof self->stamp, "%Y-%m-%dT%H:%M:%S.", &tm);
      self->stamp_second = second;
    }

  /* Only the milliseconds change within a second. */
  self->stamp[20] = '0' + millis / 100;
  self->stamp[21] = '0' + millis / 10 % 10;
  self->stamp[22] = '0' + millis % 10;
  self->stamp[23] = 'Z';
  self->stamp[24] = ' ';
  self->stamp[25] = '\0';

  return self->stamp;
}

/* Drops the oldest record of the tail ring (records end in a newline). */
static void
tail_drop_oldest (PwLog *self)
{
  gsize first = MIN (self->tail_bytes, self->tail_size - self->tail_start);
  const char *nl = memchr (self->tail + self->tail_start, '\n', first);
  gsize length;

  if (nl != NULL)
    length = nl - (self->tail + self->tail_start) + 1;
  else
    {
      /* The record wraps around the end of the ring. */
      nl = memchr (self->tail, '\n', self->tail_bytes - first);
      length = nl != NULL ? first + (nl - self->tail) + 1 : self->tail_bytes;
    }

  self->tail_start = (self->tail_start + length) % self->tail_size;
  self->tail_bytes -= length;
  self->dropped_bytes += length;
  self->dropped_lines++;
}

/* Appends one record to the tail ring, dropping the oldest ones to stay
 * within half the limit. */
static void
tail_push (PwLog      *self,
           const char *data,
           gsize       length)
{
  gsize budget = MAX (self->limit / 2, 1);
  gsize end, first;

  if (self->tail == NULL)
    {
      /* Records are at most a line of MAX_LINE_BYTES and its stamp. */
      self->tail_size = budget + MAX_LINE_BYTES + STAMP_LENGTH + 2;
      self->tail = g_malloc (self->tail_size);
    }

  /* A record larger than the whole budget is dropped at once. */
  if (length > budget)
    {
      self->dropped_bytes += length;
      self->dropped_lines++;
      return;
    }

  while (self->tail_bytes > 0 && self->tail_bytes + length > budget)
    tail_drop_oldest (self);

  end = (self->tail_start + self->tail_bytes) % self->tail_size;
  first = MIN (length, self->tail_size - end);
  memcpy (self->tail + end, data, first);
  memcpy (self->tail, data + first, length - first);
  self->tail_bytes += length;
}

static void
write_note (PwLog      *self,
            const char *text)
{
  g_autofree char *note = g_strdup_printf ("%s[pipewright] %s\n", timestamp (self), text);

  write_record (self, note, strlen (note));
}

/* The log just passed its limit: keep the head in the file, move what
 * was written after it into the in-memory tail, and say so in the file at
 * once, so even a killed run's log explains why it stops. */
static void
start_dropping (PwLog *self)
{
  g_autofree char *limit_text = g_format_size_full (self->limit, G_FORMAT_SIZE_IEC_UNITS);
  g_autofree char *note = NULL;

  self->over_limit = TRUE;
  flush (self);

  if (self->fd >= 0 && !self->write_failed && self->written > self->head_end)
    {
      gsize length = self->written - self->head_end;
      g_autofree char *after = g_malloc (length);
      gssize n = pread (self->fd, after, length, self->base_offset + self->head_end);

      /* Everything after the head is whole records, one line each. */
      if (n == (gssize)length &&
          ftruncate (self->fd, self->base_offset + self->head_end) == 0)
        {
          for (const char *p = after, *end = after + length; p < end;)
            {
              const char *nl = memchr (p, '\n', end - p);
              const char *stop = nl != NULL ? nl + 1 : end;

              tail_push (self, p, stop - p);
              p = stop;
            }
          self->written = self->head_end;
        }
    }

  note = g_strdup_printf ("Log passed its limit of %s; its last part follows when it ends",
                          limit_text);
  write_note (self, note);
}

static GString *
recent_at (PwLog *self,
           guint  i)
{
  return self->recent[(self->recent_start + i) % RECENT_MAX_LINES];
}

static void
remember (PwLog      *self,
          const char *text,
          gsize       length)
{
  guint slot;

  if (self->recent_count == RECENT_MAX_LINES)
    {
      self->recent_bytes -= recent_at (self, 0)->len;
      self->recent_start = (self->recent_start + 1) % RECENT_MAX_LINES;
      self->recent_count--;
    }

  slot = (self->recent_start + self->recent_count) % RECENT_MAX_LINES;
  if (self->recent[slot] == NULL)
    self->recent[slot] = g_string_sized_new (length + 1);
  g_string_truncate (self->recent[slot], 0);
  g_string_append_len (self->recent[slot], text, length);
  self->recent_count++;
  self->recent_bytes += length;

  while (self->recent_count > 1 && self->recent_bytes > RECENT_MAX_BYTES)
    {
      self->recent_bytes -= recent_at (self, 0)->len;
      self->recent_start = (self->recent_start + 1) % RECENT_MAX_LINES;
      self->recent_count--;
    }
}

/* One complete, masked line: to the file (or the tail), then listeners. */
static void
emit_line (PwLog      *self,
           const char *text,
           gsize       length,
           gboolean    notify)
{
  g_autofree char *valid = NULL;

  if (length > 0 && text[length - 1] == '\r')
    length--;

  /* Listeners get a `const char *`, usually shown in a UI: binary output
   * and NUL bytes become U+FFFD. */
  if (!g_utf8_validate_len (text, length, NULL))
    {
      valid = g_utf8_make_valid (text, length);
      text = valid;
      length = strlen (valid);
    }

  g_string_truncate (self->record, 0);
  g_string_append_len (self->record, timestamp (self), STAMP_LENGTH);
  g_string_append_len (self->record, text, length);
  g_string_append_c (self->record, '\n');

  if (!self->over_limit && self->limit > 0 &&
      self->written + self->record->len > self->limit)
    start_dropping (self);

  if (self->over_limit)
    tail_push (self, self->record->str, self->record->len);
  else
    {
      write_record (self, self->record->str, self->record->len);
      /* The head is whole lines within the first half of the limit. */
      if (self->written <= self->limit / 2)
        self->head_end = self->written;
    }

  /* record->str holds the text right after the timestamp. */
  self->record->str[self->record->len - 1] = '\0';
  remember (self, self->record->str + STAMP_LENGTH, self->record->len - 1 - STAMP_LENGTH);

  if (notify)
    g_signal_emit (self, signals [LINE], 0, self->record->str + STAMP_LENGTH);
}

/* Cuts an over-long line at MAX_LINE_BYTES, but not inside a UTF-8
 * character. */
static void
emit_split (PwLog    *self,
            gboolean  notify)
{
  gsize cut = MAX_LINE_BYTES;

  for (gsize back = 1; back <= 3 && back < cut; back++)
    {
      guchar c = self->line->str[cut - back];

      if ((c & 0xC0) == 0xC0)
        {
          gsize need = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;

          if (back < need)
            cut -= back;
          break;
        }
      if ((c & 0x80) == 0)
        break;
    }

  emit_line (self, self->line->str, cut, notify);
  g_string_erase (self->line, 0, cut);
}

/* Masked bytes come in; complete lines go out. */
static void
assemble (PwLog      *self,
          const char *data,
          gsize       length,
          gboolean    notify)
{
  while (length > 0)
    {
      const char *nl = memchr (data, '\n', length);
      gsize segment = nl != NULL ? (gsize)(nl - data) : length;

      while (self->line->len + segment > MAX_LINE_BYTES)
        {
          gsize take = MAX_LINE_BYTES - self->line->len;

          g_string_append_len (self->line, data, take);
          data += take;
          length -= take;
          segment -= take;
          emit_split (self, notify);
        }

      g_string_append_len (self->line, data, segment);
      data += segment;
      length -= segment;

      if (nl != NULL)
        {
          emit_line (self, self->line->str, self->line->len, notify);
          g_string_truncate (self->line, 0);
          data++;
          length--;
        }
    }
}

static gsize
mask_into (PwLog      *self,
           const char *data,
           gsize       length,
           gboolean    final,
           GString    *out)
{
  return _pw_secrets_mask_into (self->secrets, data, length, final, out);
}

static void
feed (PwLog      *self,
      const char *data,
      gsize       length,
      gboolean    final,
      gboolean    notify)
{
  g_autoptr(GString) masked = NULL;
  gsize consumed;

  if (self->pending->len == 0 && _pw_secrets_is_empty (self->secrets))
    {
      assemble (self, data, length, notify);
      return;
    }

  g_byte_array_append (self->pending, (const guint8 *)data, length);
  masked = g_string_sized_new (self->pending->len);
  consumed = mask_into (self, (const char *)self->pending->data, self->pending->len,
                        final, masked);
  g_byte_array_remove_range (self->pending, 0, consumed);
  assemble (self, masked->str, masked->len, notify);
}

static void
finish (PwLog    *self,
        gboolean  notify)
{
  if (self->closed)
    return;

  /* What is held back for a secret, the partial last line, and whatever
   * `line` handlers write meanwhile. */
  self->busy = TRUE;
  do
    {
      g_autoptr(GByteArray) more = g_steal_pointer (&self->deferred);

      self->deferred = g_byte_array_new ();
      feed (self, (const char *)more->data, more->len, TRUE, notify);
      if (self->line->len > 0)
        {
          emit_line (self, self->line->str, self->line->len, notify);
          g_string_truncate (self->line, 0);
        }
    }
  while (self->deferred->len > 0);
  self->busy = FALSE;

  if (self->over_limit)
    {
      g_autofree char *dropped = g_format_size_full (self->dropped_bytes,
                                                     G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *note = NULL;
      gsize first = MIN (self->tail_bytes, self->tail_size - self->tail_start);

      note = g_strdup_printf ("Dropped %" G_GUINT64_FORMAT " bytes (%s, %" G_GUINT64_FORMAT
                              " lines) here to keep the log under its limit",
                              self->dropped_bytes, dropped, self->dropped_lines);
      write_note (self, note);
      /* Straight from the ring to the file, not copied through @out. */
      flush (self);
      write_direct (self, self->tail + self->tail_start, first);
      write_direct (self, self->tail, self->tail_bytes - first);
      self->tail_start = 0;
      self->tail_bytes = 0;
    }

  flush (self);
  if (self->fd >= 0)
    {
      g_close (self->fd, NULL);
      self->fd = -1;
    }

  self->closed = TRUE;
}

static void
pw_log_finalize (GObject *object)
{
  PwLog *self = (PwLog *)object;

  /* Nobody can listen any more, but the file still gets every line. */
  finish (self, FALSE);

  g_clear_pointer (&self->tail, g_free);
  for (guint i = 0; i < RECENT_MAX_LINES; i++)
    if (self->recent[i] != NULL)
      g_string_free (self->recent[i], TRUE);
  g_string_free (self->out, TRUE);
  g_clear_pointer (&self->secrets, _pw_secrets_unref);
  g_clear_pointer (&self->pending, g_byte_array_unref);
  g_clear_pointer (&self->deferred, g_byte_array_unref);
  g_string_free (self->line, TRUE);
  g_string_free (self->record, TRUE);
  g_free (self->path);

  G_OBJECT_CLASS (pw_log_parent_class)->finalize (object);
}

static void
pw_log_class_init (PwLogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pw_log_finalize;

  /**
   * PwLog::line:
   * @self: the log
   * @text: the line, masked, without timestamp or newline
   *
   * Emitted for every line, also those the size limit keeps out of the
   * file.
   */
  signals [LINE] =
    g_signal_new ("line",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
pw_log_init (PwLog *self)
{
  self->fd = -1;
  self->limit = DEFAULT_LIMIT;
  self->secrets = _pw_secrets_new ();
  self->pending = g_byte_array_new ();
  self->deferred = g_byte_array_new ();
  self->line = g_string_new (NULL);
  self->record = g_string_new (NULL);
  self->stamp_second = -1;
  self->out = g_string_sized_new (64 * 1024 + MAX_LINE_BYTES);
}

/**
 * pw_log_new:
 * @path: the log file; appended to when it exists
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): a log writing to @path
 */
PwLog *
pw_log_new (const char  *path,
            GError     **error)
{
  g_autoptr(PwLog) self = NULL;
  struct stat st;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (PW_TYPE_LOG, NULL);
  self->path = g_strdup (path);
  self->fd = g_open (path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
  if (self->fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot open log '%s': %s", path, g_strerror (saved_errno));
      return NULL;
    }

  /* The limit counts what this log writes, not what an earlier attempt
   * left in the same file. */
  if (fstat (self->fd, &st) == 0)
    self->base_offset = st.st_size;

  return g_steal_pointer (&self);
}

const char *
pw_log_get_path (PwLog *self)
{
  g_return_val_if_fail (PW_IS_LOG (self), NULL);

  return self->path;
}

/**
 * pw_log_add_secret:
 * @self: a #PwLog
 * @secret: a value that must never reach the file or a listener
 *
 * Text written from now on shows `***` instead of @secret, also when it
 * spans several writes or lines. Empty secrets are ignored.
 */
void
pw_log_add_secret (PwLog      *self,
                   const char *secret)
{
  g_return_if_fail (PW_IS_LOG (self));

  _pw_secrets_add (self->secrets, secret);
}

/**
 * pw_log_set_limit:
 * @self: a #PwLog
 * @max_bytes: the largest the file may grow (about), or 0 for no limit
 */
void
pw_log_set_limit (PwLog   *self,
                  guint64  max_bytes)
{
  g_return_if_fail (PW_IS_LOG (self));
  g_return_if_fail (!self->over_limit);

  self->limit = max_bytes;
}

/**
 * pw_log_set_output_limit:
 * @self: a #PwLog
 * @max_bytes: the most output the action may write, or 0 for no limit
 *
 * Past @max_bytes written (before masking and timestamps), the log notes
 * it once and pw_log_is_over_output_limit() turns %TRUE; whoever writes
 * the output (pw_command_run_async) then stops its process.
 */
void
pw_log_set_output_limit (PwLog   *self,
                         guint64  max_bytes)
{
  g_return_if_fail (PW_IS_LOG (self));

  self->output_limit = max_bytes;
}

guint64
pw_log_get_output_limit (PwLog *self)
{
  g_return_val_if_fail (PW_IS_LOG (self), 0);

  return self->output_limit;
}

gboolean
pw_log_is_over_output_limit (PwLog *self)
{
  g_return_val_if_fail (PW_IS_LOG (self), FALSE);

  return self->over_output_limit;
}

/**
 * pw_log_write:
 * @self: a #PwLog
 * @text: bytes to append
 * @length: the length of @text, or -1 when it is NUL-terminated
 *
 * Appends @text. Each complete line goes to the file with its timestamp
 * at once; a partial last line waits for its newline or pw_log_close.
 * Nothing is written after pw_log_close.
 */
void
pw_log_write (PwLog      *self,
              const char *text,
              gssize      length)
{
  gboolean notify;

  g_return_if_fail (PW_IS_LOG (self));
  g_return_if_fail (text != NULL || length == 0);

  if (self->closed)
    {
      g_debug ("Write to closed log '%s' ignored", self->path);
      return;
    }

  if (length < 0)
    length = strlen (text);

  if (self->busy)
    {
      g_byte_array_append (self->deferred, (const guint8 *)text, length);
      return;
    }

  /* Listeners are asked for once a call, not once a line: a build can
   * write millions of lines. */
  notify = g_signal_has_handler_pending (self, signals [LINE], 0, TRUE);

  self->busy = TRUE;
  feed (self, text, length, FALSE, notify);
  while (self->deferred->len > 0)
    {
      g_autoptr(GByteArray) more = g_steal_pointer (&self->deferred);

      self->deferred = g_byte_array_new ();
      feed (self, (const char *)more->data, more->len, FALSE, notify);
    }

  self->received += length;
  if (self->output_limit > 0 && self->received > self->output_limit && !self->over_output_limit)
    {
      g_autofree char *limit_text = g_format_size_full (self->output_limit,
                                                        G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *note = g_strdup_printf ("Output passed its limit of %s; stopping",
                                               limit_text);

      self->over_output_limit = TRUE;
      if (self->line->len > 0)
        {
          emit_line (self, self->line->str, self->line->len, notify);
          g_string_truncate (self->line, 0);
        }
      write_note (self, note);
    }

  flush (self);
  self->busy = FALSE;

  if (self->close_deferred)
    finish (self, TRUE);
}

/**
 * pw_log_printf:
 * @self: a #PwLog
 * @format: a printf() format
 *
 * Writes one line; the newline is added unless the text ends with one.
 */
void
pw_log_printf (PwLog      *self,
               const char *format,
               ...)
{
  g_autofree char *text = NULL;
  va_list args;
  gsize length;

  g_return_if_fail (PW_IS_LOG (self));
  g_return_if_fail (format != NULL);

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  length = strlen (text);
  pw_log_write (self, text, length);
  if (length == 0 || text[length - 1] != '\n')
    pw_log_write (self, "\n", 1);
}

/**
 * _pw_log_share_secrets:
 * @self: a #PwLog
 * @secrets: a set of secrets, such as its execution's
 *
 * From now on @self masks what is in @secrets, including what is added
 * to it later, and what is added to @self goes into @secrets.
 */
void
_pw_log_share_secrets (PwLog     *self,
                       PwSecrets *secrets)
{
  g_return_if_fail (PW_IS_LOG (self));

  _pw_secrets_add_all (secrets, self->secrets);
  _pw_secrets_unref (self->secrets);
  self->secrets = _pw_secrets_ref (secrets);
}

/* Whether @text holds a secret of the log's. */
gboolean
_pw_log_reveals_secret (PwLog      *self,
                        const char *text)
{
  g_return_val_if_fail (PW_IS_LOG (self), FALSE);

  return _pw_secrets_found_in (self->secrets, text);
}

/**
 * pw_log_mask:
 * @self: a #PwLog
 * @text: any text
 *
 * Returns: (transfer full): @text with every registered secret replaced
 *   by `***`
 */
char *
pw_log_mask (PwLog      *self,
             const char *text)
{
  GString *out;
  gsize length;

  g_return_val_if_fail (PW_IS_LOG (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  length = strlen (text);
  out = g_string_sized_new (length);
  mask_into (self, text, length, TRUE, out);

  return g_string_free (out, FALSE);
}

/**
 * pw_log_dup_tail:
 * @self: a #PwLog
 * @n_lines: how many lines
 *
 * The last complete lines, masked, without timestamps, joined by `\n`
 * (no final newline). At most the last 1,000 lines or 1 MiB are kept.
 *
 * Returns: (transfer full): the lines, or an empty string
 */
char *
pw_log_dup_tail (PwLog *self,
                 guint  n_lines)
{
  GString *out;
  guint n;

  g_return_val_if_fail (PW_IS_LOG (self), NULL);

  out = g_string_new (NULL);
  n = MIN (n_lines, self->recent_count);

  for (guint i = self->recent_count - n; i < self->recent_count; i++)
    {
      g_string_append_len (out, recent_at (self, i)->str, recent_at (self, i)->len);
      if (i + 1 < self->recent_count)
        g_string_append_c (out, '\n');
    }

  return g_string_free (out, FALSE);
}

/**
 * pw_log_close:
 * @self: a #PwLog
 *
 * Writes the partial last line, the kept tail of an over-long log, and
 * closes the file. Further writes are ignored.
 */
void
pw_log_close (PwLog *self)
{
  g_return_if_fail (PW_IS_LOG (self));

  if (self->busy)
    self->close_deferred = TRUE;
  else
    finish (self, TRUE);
}
