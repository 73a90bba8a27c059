/* bench-serve-load.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A load generator for an AWS JSON 1.1 endpoint (`pipewright-cli serve`,
 * or moto_server as the peer): N keep-alive HTTP/1.1 connections on
 * loopback, each sending one SigV4-signed request after the other as soon
 * as the answer is in. Prints one line of JSON: requests per second, the
 * latency percentiles, and the answers that were not 200.
 *
 *   bench-serve-load PORT OPERATION BODY CONNECTIONS REQUESTS [RATE]
 *
 * Without RATE the load is closed: each connection sends its next
 * request as soon as its answer is in, so the server is saturated and
 * the latency is its queue (by Little's law, CONNECTIONS / throughput).
 * With RATE the load is open, as wrk2 makes it: requests fall due at RATE
 * per second in all, each goes out on an idle connection, and its latency
 * counts from when it was due (a request that waits for a connection
 * waits in its latency too: no coordinated omission).
 *
 * The request is signed once (a signature stays valid for 15 minutes),
 * so the generator costs a write and a read per request: with epoll, one
 * thread keeps 200 connections busy. */

#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <glib.h>
#include <glib-unix.h>

#include "pw-sigv4.h"

typedef struct
{
  int      fd;
  gint64   sent_at;
  GString *in;
  gsize    sent;        /* bytes of the request written */
  guint    retries;     /* of the request in flight */
} Connection;

static char *
signed_request (guint       port,
                const char *operation,
                const char *body)
{
  g_autoptr(GHashTable) headers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *amz_date = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  g_autofree char *date = g_date_time_format (now, "%Y%m%d");
  g_autofree char *target = g_strdup_printf ("CodePipeline_20150709.%s", operation);
  g_autofree char *host = g_strdup_printf ("127.0.0.1:%u", port);
  g_autofree char *scope = g_strdup_printf ("%s/us-east-1/codepipeline/aws4_request", date);
  g_autofree char *canonical = NULL;
  g_autofree char *to_sign = NULL;
  g_autofree char *signature = NULL;
  static const char * const signed_headers[] = { "content-type", "host", "x-amz-date", "x-amz-target", NULL };
  PwSigv4Request request = { "POST", "/", NULL, headers, (const guint8 *)body, strlen (body) };

  g_hash_table_insert (headers, "content-type", g_strdup ("application/x-amz-json-1.1"));
  g_hash_table_insert (headers, "host", g_strdup (host));
  g_hash_table_insert (headers, "x-amz-date", g_strdup (amz_date));
  g_hash_table_insert (headers, "x-amz-target", g_strdup (target));
  canonical = pw_sigv4_canonical_request (&request, signed_headers);
  to_sign = pw_sigv4_string_to_sign (amz_date, scope, canonical);
  signature = pw_sigv4_signature ("pipewright", date, "us-east-1", "codepipeline", to_sign);

  return g_strdup_printf ("POST / HTTP/1.1\r\n"
                          "Host: %s\r\n"
                          "Content-Type: application/x-amz-json-1.1\r\n"
                          "X-Amz-Date: %s\r\n"
                          "X-Amz-Target: %s\r\n"
                          "Authorization: AWS4-HMAC-SHA256 Credential=local/%s, "
                          "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=%s\r\n"
                          "Content-Length: %zu\r\n"
                          "\r\n"
                          "%s",
                          host, amz_date, target, scope, signature, strlen (body), body);
}

/* The length of the whole answer in @in once it is all there, else 0;
 * its status in @status. */
static gsize
answer_length (GString *in,
               guint   *status)
{
  const char *end = g_strstr_len (in->str, in->len, "\r\n\r\n");
  const char *length;
  gsize head;

  if (end == NULL)
    return 0;
  head = end - in->str + 4;
  *status = (guint)g_ascii_strtoull (in->str + 9, NULL, 10);
  length = g_strstr_len (in->str, head, "\r\nContent-Length:");
  if (length == NULL)
    length = g_strstr_len (in->str, head, "\r\ncontent-length:");
  if (length == NULL)
    return head;
  {
    gsize body = (gsize)g_ascii_strtoull (length + 17, NULL, 10);

    return in->len >= head + body ? head + body : 0;
  }
}

/* A connection of its own for @c (again, when the server closed the
 * last one after its answer, as servers without keep-alive do). */
static gboolean
connect_one (Connection         *c,
             int                 epoll,
             struct sockaddr_in *addr)
{
  struct epoll_event ev = { EPOLLIN, { .ptr = c } };
  int one = 1;

  if (c->fd > 0)
    {
      epoll_ctl (epoll, EPOLL_CTL_DEL, c->fd, NULL);
      close (c->fd);
    }
  c->fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (connect (c->fd, (struct sockaddr *)addr, sizeof *addr) != 0)
    {
      g_printerr ("connect: %s\n", g_strerror (errno));
      return FALSE;
    }
  setsockopt (c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  g_unix_set_fd_nonblocking (c->fd, TRUE, NULL);
  g_string_truncate (c->in, 0);
  epoll_ctl (epoll, EPOLL_CTL_ADD, c->fd, &ev);
  return TRUE;
}

static gboolean
closes (GString *in,
        gsize    whole)
{
  const char *end = g_strstr_len (in->str, whole, "\r\n\r\n");
  g_autofree char *head = g_ascii_strdown (in->str, end != NULL ? end - in->str : (gssize)whole);

  return strstr (head, "\r\nconnection: close") != NULL || g_str_has_prefix (head, "http/1.0");
}

static int
compare_latency (gconstpointer a,
                 gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

  return x < y ? -1 : x > y;
}

static gboolean
send_request (Connection *c,
              const char *request,
              gsize       length)
{
  while (c->sent < length)
    {
      ssize_t n = send (c->fd, request + c->sent, length - c->sent, MSG_NOSIGNAL);

      if (n < 0 && errno == EAGAIN)
        return TRUE;
      if (n <= 0)
        return FALSE;
      c->sent += n;
    }
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *request = NULL;
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  struct sockaddr_in addr = { 0 };
  struct epoll_event events[256];
  Connection *connections;
  guint port, n_connections, total, started = 0, done = 0, failed = 0, reconnects;
  gint64 begin, elapsed;
  gsize length;
  int epoll;
  int timer = -1;
  double rate;
  GQueue idle = G_QUEUE_INIT;
  char buffer[65536];

  if (argc != 6 && argc != 7)
    {
      g_printerr ("usage: %s PORT OPERATION BODY CONNECTIONS REQUESTS [RATE]\n", argv[0]);
      return 2;
    }
  rate = argc == 7 ? g_ascii_strtod (argv[6], NULL) : 0;
  port = (guint)g_ascii_strtoull (argv[1], NULL, 10);
  n_connections = (guint)g_ascii_strtoull (argv[4], NULL, 10);
  total = (guint)g_ascii_strtoull (argv[5], NULL, 10);
  request = signed_request (port, argv[2], argv[3]);
  length = strlen (request);

  addr.sin_family = AF_INET;
  addr.sin_port = htons (port);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  epoll = epoll_create1 (EPOLL_CLOEXEC);
  connections = g_new0 (Connection, n_connections);
  for (guint i = 0; i < n_connections; i++)
    {
      connections[i].in = g_string_sized_new (4096);
      if (!connect_one (&connections[i], epoll, &addr))
        return 1;
    }
  reconnects = 0;

  begin = g_get_monotonic_time ();
  if (rate > 0)
    {
      /* Open: the timer says when the next request falls due. */
      struct epoll_event ev = { EPOLLIN, { .ptr = NULL } };

      timer = timerfd_create (CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
      epoll_ctl (epoll, EPOLL_CTL_ADD, timer, &ev);
      for (guint i = 0; i < n_connections; i++)
        g_queue_push_tail (&idle, &connections[i]);
    }
  else
    for (guint i = 0; i < n_connections && started < total; i++)
      {
        connections[i].sent_at = g_get_monotonic_time ();
        started++;
        if (!send_request (&connections[i], request, length))
          return 1;
      }
  while (done < total)
    {
      int n;

      if (rate > 0)
        {
          gint64 now = g_get_monotonic_time ();

          /* Every request due now goes out on an idle connection. */
          while (started < total && !g_queue_is_empty (&idle) &&
                 begin + (gint64)(started * 1e6 / rate) <= now)
            {
              Connection *c = g_queue_pop_head (&idle);

              c->sent = 0;
              c->sent_at = begin + (gint64)(started * 1e6 / rate);
              started++;
              if (!send_request (c, request, length))
                return 1;
            }
          if (started < total)
            {
              gint64 due = begin + (gint64)(started * 1e6 / rate);
              struct itimerspec when = { { 0, 0 }, { due / G_USEC_PER_SEC, (due % G_USEC_PER_SEC) * 1000 } };

              timerfd_settime (timer, TFD_TIMER_ABSTIME, &when, NULL);
            }
        }
      n = epoll_wait (epoll, events, G_N_ELEMENTS (events), 30000);

      if (n <= 0)
        {
          g_printerr ("no answer in 30 s (%u of %u done)\n", done, total);
          return 1;
        }
      for (int k = 0; k < n; k++)
        {
          Connection *c = events[k].data.ptr;
          guint status = 0;
          gboolean close_after;
          gsize whole;
          ssize_t got;

          if (c == NULL)
            {
              guint64 expirations;

              if (read (timer, &expirations, sizeof expirations) < 0)
                continue;
              continue;
            }

          if (c->sent < length && !send_request (c, request, length))
            return 1;
          while ((got = recv (c->fd, buffer, sizeof buffer, 0)) > 0)
            g_string_append_len (c->in, buffer, got);
          if ((whole = answer_length (c->in, &status)) == 0)
            {
              if (got == 0)
                {
                  /* A server that closes connections (moto's) may close
                   * one that was idle before the request reached it:
                   * the request goes again, its time still counting. */
                  if (c->in->len > 0 || ++c->retries > 3)
                    {
                      g_printerr ("the server closed a connection before it answered\n");
                      return 1;
                    }
                  reconnects++;
                  if (!connect_one (c, epoll, &addr))
                    return 1;
                  c->sent = 0;
                  if (!send_request (c, request, length))
                    return 1;
                }
              continue;
            }
          {
            gint64 latency = g_get_monotonic_time () - c->sent_at;

            g_array_append_val (latencies, latency);
          }
          failed += status != 200;
          if (status != 200 && failed == 1)
            g_printerr ("first refusal: %.*s\n", (int)MIN (c->in->len, 600), c->in->str);
          close_after = got == 0 || closes (c->in, whole);
          c->retries = 0;
          g_string_erase (c->in, 0, whole);
          done++;
          if (started < total && close_after)
            {
              reconnects++;
              if (!connect_one (c, epoll, &addr))
                return 1;
            }
          if (rate > 0)
            g_queue_push_tail (&idle, c);
          else if (started < total)
            {
              started++;
              c->sent = 0;
              c->sent_at = g_get_monotonic_time ();
              if (!send_request (c, request, length))
                return 1;
            }
        }
    }
  elapsed = g_get_monotonic_time () - begin;

  g_array_sort (latencies, compare_latency);
  g_print ("{\"operation\": \"%s\", \"connections\": %u, \"rate\": %.0f, \"requests\": %u, \"seconds\": %.3f, "
           "\"rps\": %.0f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f, \"failed\": %u, "
           "\"reconnects\": %u}\n",
           argv[2], n_connections, rate, total, elapsed / 1e6, total / (elapsed / 1e6),
           g_array_index (latencies, gint64, latencies->len / 2) / 1e3,
           g_array_index (latencies, gint64, MIN (latencies->len - 1, latencies->len * 99 / 100)) / 1e3,
           g_array_index (latencies, gint64, latencies->len - 1) / 1e3, failed, reconnects);
  for (guint i = 0; i < n_connections; i++)
    {
      close (connections[i].fd);
      g_string_free (connections[i].in, TRUE);
    }
  g_free (connections);
  g_queue_clear (&idle);
  if (timer >= 0)
    close (timer);
  close (epoll);
  return failed > 0 ? 1 : 0;
}
