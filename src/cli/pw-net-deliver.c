/* pw-net-deliver.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* `pipewright-net deliver-events`: the executor's messenger to the event
 * targets of the local profile (`targets:`). It follows events.jsonl from
 * where the executor stood when it started it, and POSTs each event to
 * every target whose EventBridge pattern matches, as EventBridge hands an
 * event to an HTTP target: the event itself as the JSON body. A failed
 * delivery (no connection, a timeout, 429 or a 5xx answer) is retried
 * with exponential backoff, as many times as the target allows; each
 * failure is written to the execution's log folder
 * (logs/<execution-id>/event-targets.log), which `pipewright-cli logs`
 * shows. Deliveries run side by side, never in the executor's process:
 * a target that is slow or gone never slows or fails a run.
 *
 * It ends when its stdin closes (the executor has ended) and every
 * delivery is done or given up. */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <libsoup/soup.h>
#include <pw-engine.h>

#include "pw-cli-private.h"

#define DEFAULT_RETRIES 3
#define FIRST_BACKOFF_SECONDS 1
#define MAX_BACKOFF_SECONDS 60
#define REQUEST_TIMEOUT_SECONDS 10

typedef struct
{
  char       *name;
  char       *url;
  JsonNode   *pattern;
  JsonObject *headers;
  guint       retries;
} Target;

typedef struct
{
  GMainLoop    *loop;
  SoupSession  *session;
  GPtrArray    *targets;
  char         *events;
  char         *logs;
  goffset       offset;
  GString      *partial;
  GFileMonitor *monitor;
  GInputStream *stdin_stream;
  guint8        byte;
  guint         pending;
  gboolean      closing;
} Deliverer;

typedef struct
{
  Deliverer *deliverer;
  Target    *target;
  GBytes    *body;
  char      *execution_id;
  char      *what;
  guint      attempt;
} Delivery;

static void send_delivery (Delivery *delivery);

static void
target_free (Target *target)
{
  g_free (target->name);
  g_free (target->url);
  g_clear_pointer (&target->pattern, json_node_unref);
  g_clear_pointer (&target->headers, json_object_unref);
  g_free (target);
}

static void
delivery_free (Delivery *delivery)
{
  g_bytes_unref (delivery->body);
  g_free (delivery->execution_id);
  g_free (delivery->what);
  g_free (delivery);
}

static void
maybe_quit (Deliverer *d)
{
  if (d->closing && d->pending == 0)
    g_main_loop_quit (d->loop);
}

/* One line in the execution's event-targets.log, written whole. */
static void
log_failure (Delivery   *delivery,
             const char *format,
             ...) G_GNUC_PRINTF (2, 3);

static void
log_failure (Delivery   *delivery,
             const char *format,
             ...)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *seconds = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
  g_autofree char *stamp = g_strdup_printf ("%s.%03dZ", seconds, g_date_time_get_microsecond (now) / 1000);
  g_autofree char *message = NULL;
  g_autofree char *line = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  va_list args;
  int fd;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  line = g_strdup_printf ("%s Event target '%s' (%s), %s: %s\n", stamp, delivery->target->name,
                          delivery->target->url, delivery->what, message);

  /* The id names a folder: only an execution id (no `/`, no `..`) does. */
  dir = g_build_filename (delivery->deliverer->logs,
                          pw_state_is_execution_id (delivery->execution_id, FALSE) ? delivery->execution_id
                                                                                    : "no-execution", NULL);
  path = g_build_filename (dir, "event-targets.log", NULL);
  g_mkdir_with_parents (dir, 0755);
  fd = g_open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd >= 0)
    {
      if (write (fd, line, strlen (line)) < 0)
        g_printerr ("%s", line);
      close (fd);
    }
}

static gboolean
retry_cb (gpointer data)
{
  send_delivery (data);
  return G_SOURCE_REMOVE;
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Delivery *delivery = data;
  Deliverer *d = delivery->deliverer;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) answer = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_autofree char *reason = NULL;
  guint status = answer != NULL ? soup_message_get_status (msg) : 0;
  gboolean retriable;

  if (answer != NULL && status >= 200 && status < 300)
    {
      if (delivery->attempt > 1)
        log_failure (delivery, "delivered at attempt %u", delivery->attempt);
      delivery_free (delivery);
      d->pending--;
      maybe_quit (d);
      return;
    }

  if (answer == NULL)
    {
      reason = g_strdup (error->message);
      retriable = TRUE;
    }
  else
    {
      reason = g_strdup_printf ("it answered %u %s", status, soup_message_get_reason_phrase (msg));
      /* As EventBridge: throttling and server errors are worth another
       * try; the target's other refusals are not. */
      retriable = status == 429 || status >= 500;
    }

  if (retriable && delivery->attempt <= delivery->target->retries)
    {
      guint wait = MIN ((guint)FIRST_BACKOFF_SECONDS << MIN (delivery->attempt - 1, 16u), MAX_BACKOFF_SECONDS);

      log_failure (delivery, "not delivered (attempt %u of %u): %s; trying again in %u s", delivery->attempt,
                   delivery->target->retries + 1, reason, wait);
      delivery->attempt++;
      g_timeout_add_seconds (wait, retry_cb, delivery);
      return;
    }

  log_failure (delivery, "not delivered: %s; given up after %u attempt%s", reason, delivery->attempt,
               delivery->attempt == 1 ? "" : "s");
  delivery_free (delivery);
  d->pending--;
  maybe_quit (d);
}

static void
send_delivery (Delivery *delivery)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", delivery->target->url);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  if (delivery->target->headers != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init (&iter, delivery->target->headers);
      while (json_object_iter_next (&iter, &name, &value))
        soup_message_headers_replace (headers, name, json_node_get_string (value));
    }
  soup_message_set_request_body_from_bytes (msg, "application/json", delivery->body);
  soup_session_send_and_read_async (delivery->deliverer->session, msg, G_PRIORITY_DEFAULT, NULL, sent_cb,
                                    delivery);
}

static void
handle_line (Deliverer  *d,
             const char *line,
             gsize       length)
{
  g_autoptr(JsonNode) event = pw_json_parse (line, (gssize)length, NULL, NULL);
  JsonObject *o;
  JsonObject *detail;

  if (event == NULL || !JSON_NODE_HOLDS_OBJECT (event))
    return;
  o = json_node_get_object (event);
  detail = json_object_has_member (o, "detail") && JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, "detail"))
    ? json_object_get_object_member (o, "detail") : NULL;

  for (guint i = 0; i < d->targets->len; i++)
    {
      Target *target = g_ptr_array_index (d->targets, i);
      Delivery *delivery;

      if (!pw_event_pattern_matches (target->pattern, event))
        continue;
      delivery = g_new0 (Delivery, 1);
      delivery->deliverer = d;
      delivery->target = target;
      delivery->body = g_bytes_new (line, length);
      delivery->attempt = 1;
      delivery->execution_id = detail != NULL
        ? g_strdup (json_object_get_string_member_with_default (detail, "execution-id", NULL)) : NULL;
      delivery->what = g_strdup_printf ("%s %s",
                                        json_object_get_string_member_with_default (o, "detail-type", "event"),
                                        detail != NULL
                                          ? json_object_get_string_member_with_default (detail, "state", "")
                                          : "");
      g_strstrip (delivery->what);
      d->pending++;
      send_delivery (delivery);
    }
}

/* What was appended since we last read: whole lines only (a line being
 * written waits for its end). */
static void
read_new_events (Deliverer *d)
{
  g_autoptr(GFile) file = g_file_new_for_path (d->events);
  g_autoptr(GFileInputStream) stream = g_file_read (file, NULL, NULL);
  char buffer[16384];
  gssize n;

  if (stream == NULL || !g_seekable_seek (G_SEEKABLE (stream), d->offset, G_SEEK_SET, NULL, NULL))
    return;
  while ((n = g_input_stream_read (G_INPUT_STREAM (stream), buffer, sizeof buffer, NULL, NULL)) > 0)
    {
      const char *start;
      const char *newline;

      d->offset += n;
      g_string_append_len (d->partial, buffer, n);
      start = d->partial->str;
      while ((newline = memchr (start, '\n', d->partial->len - (start - d->partial->str))) != NULL)
        {
          handle_line (d, start, newline - start);
          start = newline + 1;
        }
      g_string_erase (d->partial, 0, start - d->partial->str);
    }
}

static void
events_changed_cb (GFileMonitor      *monitor,
                   GFile             *file,
                   GFile             *other,
                   GFileMonitorEvent  event,
                   Deliverer         *d)
{
  if (!d->closing)
    read_new_events (d);
}

static void
stdin_read_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  Deliverer *d = data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n > 0)
    {
      g_input_stream_read_async (d->stdin_stream, &d->byte, 1, G_PRIORITY_DEFAULT, NULL, stdin_read_cb, d);
      return;
    }
  /* The executor has ended: what it wrote last, then the end. What a
   * later runner writes is its own deliverer's. */
  d->closing = TRUE;
  read_new_events (d);
  if (d->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (d->monitor, d);
      g_file_monitor_cancel (d->monitor);
    }
  maybe_quit (d);
}

static gboolean
terminate_cb (gpointer data)
{
  g_main_loop_quit (((Deliverer *)data)->loop);
  return G_SOURCE_REMOVE;
}

int
pw_net_deliver_events (int    argc,
                       char **argv)
{
  g_autofree char *profile_path = NULL;
  g_autofree char *events = NULL;
  g_autofree char *logs = NULL;
  gint64 from = 0;
  GOptionEntry entries[] = {
    { "profile", 0, 0, G_OPTION_ARG_FILENAME, &profile_path, N_("The local profile naming the targets"), "FILE" },
    { "events", 0, 0, G_OPTION_ARG_FILENAME, &events, N_("The events.jsonl to follow"), "FILE" },
    { "from", 0, 0, G_OPTION_ARG_INT64, &from, N_("Where in it to start"), "OFFSET" },
    { "logs", 0, 0, G_OPTION_ARG_FILENAME, &logs, N_("The state folder's logs folder"), "DIR" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PwLocalProfile) profile = NULL;
  g_auto(GStrv) names = NULL;
  g_autoptr(GFile) file = NULL;
  Deliverer d = { 0 };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!pw_cli_parse_args (context, &argc, &argv))
    return EXIT_USAGE;
  if (profile_path == NULL || events == NULL || logs == NULL)
    {
      pw_cli_print_error ("deliver-events needs --profile, --events and --logs");
      return EXIT_USAGE;
    }
  if ((profile = pw_local_profile_load (profile_path, &error)) == NULL)
    {
      pw_cli_print_error ("%s", error->message);
      return EXIT_USAGE;
    }

  /* An interrupt of the terminal's run is not ours: what the run did
   * still goes out. */
  signal (SIGINT, SIG_IGN);

  d.targets = g_ptr_array_new_with_free_func ((GDestroyNotify)target_free);
  names = pw_local_profile_dup_names (profile, "targets");
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      JsonObject *entry = pw_local_profile_get_entry (profile, "targets", names[i]);
      Target *target = g_new0 (Target, 1);

      target->name = g_strdup (names[i]);
      target->url = g_strdup (json_object_get_string_member (entry, "url"));
      if (json_object_has_member (entry, "pattern"))
        target->pattern = json_object_dup_member (entry, "pattern");
      if (json_object_has_member (entry, "headers"))
        target->headers = json_object_ref (json_object_get_object_member (entry, "headers"));
      target->retries = (guint)json_object_get_int_member_with_default (entry, "retries", DEFAULT_RETRIES);
      g_ptr_array_add (d.targets, target);
    }

  d.loop = g_main_loop_new (NULL, FALSE);
  d.session = soup_session_new_with_options ("user-agent", "pipewright/" PACKAGE_VERSION,
                                             "timeout", REQUEST_TIMEOUT_SECONDS,
                                             "max-conns-per-host", 4, NULL);
  d.events = g_steal_pointer (&events);
  d.logs = g_steal_pointer (&logs);
  d.offset = from;
  d.partial = g_string_new (NULL);

  file = g_file_new_for_path (d.events);
  d.monitor = g_file_monitor_file (file, G_FILE_MONITOR_NONE, NULL, NULL);
  if (d.monitor != NULL)
    g_signal_connect (d.monitor, "changed", G_CALLBACK (events_changed_cb), &d);
  d.stdin_stream = g_unix_input_stream_new (0, FALSE);
  g_input_stream_read_async (d.stdin_stream, &d.byte, 1, G_PRIORITY_DEFAULT, NULL, stdin_read_cb, &d);
  g_unix_signal_add (SIGTERM, terminate_cb, &d);

  read_new_events (&d);
  g_main_loop_run (d.loop);

  if (d.monitor != NULL)
    g_signal_handlers_disconnect_by_data (d.monitor, &d);
  g_clear_object (&d.monitor);
  g_clear_object (&d.stdin_stream);
  g_clear_object (&d.session);
  g_clear_pointer (&d.loop, g_main_loop_unref);
  g_string_free (d.partial, TRUE);
  g_ptr_array_unref (d.targets);
  g_free (d.events);
  g_free (d.logs);
  return 0;
}
