/* pw-sigv4.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* AWS Signature Version 4, as a server verifies it (reference:
 * api-json-protocol.md §6): the canonical request, the string to sign, the
 * chained signing key, and the checks of the Authorization header, each
 * answered with the service's own error. GHmac and GChecksum do the
 * hashing. */

#define G_LOG_DOMAIN "pw-sigv4"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "pw-sigv4.h"

static char *
hex_sha256 (const guint8 *data,
            gsize         length)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data != NULL ? data : (const guint8 *)"", length);
}

/* RFC 3986: unreserved characters kept, the rest %XX upper-case. */
static void
append_encoded (GString    *out,
                const char *text,
                gssize      length,
                gboolean    keep_slash)
{
  if (length < 0)
    length = strlen (text);
  for (gssize i = 0; i < length; i++)
    {
      guchar c = (guchar)text[i];

      if (g_ascii_isalnum (c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/'))
        g_string_append_c (out, (char)c);
      else
        g_string_append_printf (out, "%%%02X", c);
    }
}

static int
compare_pairs (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *)a, *(const char * const *)b);
}

/* name=value pairs sorted by their encoded name (then value). */
static char *
canonical_query (const char *query)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GPtrArray) encoded = g_ptr_array_new_with_free_func (g_free);
  GString *out = g_string_new (NULL);

  if (query == NULL || *query == '\0')
    return g_string_free (out, FALSE);
  parts = g_strsplit (query, "&", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *eq = strchr (parts[i], '=');
      g_autofree char *name = g_uri_unescape_segment (parts[i], eq, NULL);
      g_autofree char *value = eq != NULL ? g_uri_unescape_string (eq + 1, NULL) : g_strdup ("");
      GString *pair = g_string_new (NULL);

      if (*parts[i] == '\0')
        {
          g_string_free (pair, TRUE);
          continue;
        }
      append_encoded (pair, name != NULL ? name : "", -1, FALSE);
      g_string_append_c (pair, '=');
      append_encoded (pair, value != NULL ? value : "", -1, FALSE);
      g_ptr_array_add (encoded, g_string_free (pair, FALSE));
    }
  g_ptr_array_sort (encoded, compare_pairs);
  for (guint i = 0; i < encoded->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, '&');
      g_string_append (out, g_ptr_array_index (encoded, i));
    }
  return g_string_free (out, FALSE);
}

/* A header value trimmed, its inner runs of spaces made one. */
static void
append_header_value (GString    *out,
                     const char *value)
{
  gboolean space = FALSE;

  while (*value == ' ' || *value == '\t')
    value++;
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == ' ' || *p == '\t')
        space = TRUE;
      else
        {
          if (space)
            g_string_append_c (out, ' ');
          space = FALSE;
          g_string_append_c (out, *p);
        }
    }
}

/**
 * pw_sigv4_canonical_request:
 * @signed_headers: the lower-case names, sorted
 *
 * Returns: (transfer full): the canonical request of SigV4's step 1
 */
char *
pw_sigv4_canonical_request (const PwSigv4Request *request,
                            const char * const   *signed_headers)
{
  GString *out = g_string_new (NULL);
  g_autofree char *query = canonical_query (request->query);
  g_autofree char *payload = hex_sha256 (request->body, request->body_length);

  g_string_append (out, request->method);
  g_string_append_c (out, '\n');
  append_encoded (out, request->path != NULL && *request->path != '\0' ? request->path : "/", -1, TRUE);
  g_string_append_c (out, '\n');
  g_string_append (out, query);
  g_string_append_c (out, '\n');
  for (guint i = 0; signed_headers[i] != NULL; i++)
    {
      const char *value = g_hash_table_lookup (request->headers, signed_headers[i]);

      g_string_append_printf (out, "%s:", signed_headers[i]);
      append_header_value (out, value != NULL ? value : "");
      g_string_append_c (out, '\n');
    }
  g_string_append_c (out, '\n');
  for (guint i = 0; signed_headers[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, ';');
      g_string_append (out, signed_headers[i]);
    }
  g_string_append_c (out, '\n');
  g_string_append (out, payload);
  return g_string_free (out, FALSE);
}

char *
pw_sigv4_string_to_sign (const char *amz_date,
                         const char *scope,
                         const char *canonical_request)
{
  g_autofree char *hash = hex_sha256 ((const guint8 *)canonical_request, strlen (canonical_request));

  return g_strdup_printf ("AWS4-HMAC-SHA256\n%s\n%s\n%s", amz_date, scope, hash);
}

/* HMAC-SHA256 of @data with @key, as raw bytes into @out (32). */
static void
hmac (const guint8 *key,
      gsize         key_length,
      const char   *data,
      guint8       *out)
{
  g_autoptr(GHmac) h = g_hmac_new (G_CHECKSUM_SHA256, key, key_length);
  gsize length = 32;

  g_hmac_update (h, (const guchar *)data, -1);
  g_hmac_get_digest (h, out, &length);
}

/**
 * pw_sigv4_signature:
 *
 * Returns: (transfer full): the lower-case hex signature of SigV4's step 4
 */
/* Signing keys depend on the secret, the day, the region and the service
 * only: as the SDKs do, each is derived once (four HMACs) and kept. The
 * cache is small and shared by threads. */
#define SIGNING_KEYS_MAX 64

static GMutex signing_keys_lock;
static GHashTable *signing_keys;   /* "secret\ndate\nregion\nservice" → guint8[32] */

static void
signing_key (const char *secret,
             const char *date,
             const char *region,
             const char *service,
             guint8     *k_signing)
{
  g_autofree char *id = g_strjoin ("\n", secret, date, region, service, NULL);
  g_autofree char *first = NULL;
  guint8 k_date[32], k_region[32], k_service[32];
  guint8 *known;

  g_mutex_lock (&signing_keys_lock);
  if (signing_keys != NULL && (known = g_hash_table_lookup (signing_keys, id)) != NULL)
    {
      memcpy (k_signing, known, 32);
      g_mutex_unlock (&signing_keys_lock);
      return;
    }
  g_mutex_unlock (&signing_keys_lock);

  first = g_strconcat ("AWS4", secret, NULL);
  hmac ((const guint8 *)first, strlen (first), date, k_date);
  hmac (k_date, 32, region, k_region);
  hmac (k_region, 32, service, k_service);
  hmac (k_service, 32, "aws4_request", k_signing);
  memset (first, 0, strlen (first));

  g_mutex_lock (&signing_keys_lock);
  if (signing_keys == NULL || g_hash_table_size (signing_keys) >= SIGNING_KEYS_MAX)
    {
      g_clear_pointer (&signing_keys, g_hash_table_unref);
      signing_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    }
  g_hash_table_insert (signing_keys, g_steal_pointer (&id), g_memdup2 (k_signing, 32));
  g_mutex_unlock (&signing_keys_lock);
}

char *
pw_sigv4_signature (const char *secret,
                    const char *date,
                    const char *region,
                    const char *service,
                    const char *string_to_sign)
{
  guint8 k_signing[32];
  g_autoptr(GHmac) h = NULL;

  signing_key (secret, date, region, service, k_signing);
  h = g_hmac_new (G_CHECKSUM_SHA256, k_signing, 32);
  g_hmac_update (h, (const guchar *)string_to_sign, -1);
  return g_strdup (g_hmac_get_string (h));
}

/* The value of `Name=` in the Authorization header's list, or NULL. */
static char *
auth_field (const char *header,
            const char *name)
{
  const char *p = strstr (header, name);
  const char *end;

  if (p == NULL || (p != header && p[-1] != ' ' && p[-1] != ','))
    return NULL;
  p += strlen (name);
  end = strchr (p, ',');
  return g_strstrip (g_strndup (p, end != NULL ? (gsize)(end - p) : strlen (p)));
}

static gboolean
equal_in_constant_time (const char *a,
                        const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  guchar diff = la != lb;

  for (gsize i = 0; i < MIN (la, lb); i++)
    diff |= (guchar)(a[i] ^ b[i]);
  return diff == 0;
}

static gint64
parse_amz_date (const char *text)
{
  int y, mo, d, h, mi, s;
  g_autoptr(GDateTime) when = NULL;

  if (text == NULL || strlen (text) != 16 || text[8] != 'T' || text[15] != 'Z' ||
      sscanf (text, "%4d%2d%2dT%2d%2d%2dZ", &y, &mo, &d, &h, &mi, &s) != 6)
    return -1;
  when = g_date_time_new_utc (y, mo, d, h, mi, s);
  return when != NULL ? g_date_time_to_unix (when) : -1;
}

/**
 * pw_sigv4_verify:
 * @message: (out): what the service says, for the error's message
 *
 * Checks a request's SigV4 Authorization as the service does: present and
 * whole, for this service and region, within 15 minutes of @now_unix, with
 * `host` and every `x-amz-*` header signed, and the signature right
 * (compared in constant time).
 */
PwSigv4Result
pw_sigv4_verify (const PwSigv4Request *request,
                 const char           *region,
                 const char           *service,
                 gint64                now_unix,
                 const char *        (*secret_for) (const char *access_key,
                                                    gpointer    data),
                 gpointer              data,
                 char                **message)
{
  const char *header = g_hash_table_lookup (request->headers, "authorization");
  const char *amz_date = g_hash_table_lookup (request->headers, "x-amz-date");
  g_autofree char *credential = NULL;
  g_autofree char *signed_list = NULL;
  g_autofree char *signature = NULL;
  g_auto(GStrv) scope = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree char *scope_text = NULL;
  g_autofree char *canonical = NULL;
  g_autofree char *to_sign = NULL;
  g_autofree char *expected = NULL;
  const char *secret;
  gint64 when;
  gboolean has_host = FALSE;

  *message = NULL;
  if (header == NULL)
    {
      *message = g_strdup ("Missing Authentication Token");
      return PW_SIGV4_MISSING;
    }
  if (!g_str_has_prefix (header, "AWS4-HMAC-SHA256 "))
    {
      *message = g_strdup ("Only AWS4-HMAC-SHA256 (Signature Version 4) is accepted");
      return PW_SIGV4_INCOMPLETE;
    }
  credential = auth_field (header + 17, "Credential=");
  signed_list = auth_field (header + 17, "SignedHeaders=");
  signature = auth_field (header + 17, "Signature=");
  if (credential == NULL || signed_list == NULL || signature == NULL || amz_date == NULL)
    {
      *message = g_strdup ("Authorization header requires 'Credential', 'Signature' and "
                           "'SignedHeaders' parameters, and the request an X-Amz-Date header");
      return PW_SIGV4_INCOMPLETE;
    }

  scope = g_strsplit (credential, "/", -1);
  if (g_strv_length (scope) != 5 || !g_str_equal (scope[4], "aws4_request"))
    {
      *message = g_strdup_printf ("Credential should be scoped to a valid region, not '%s'", credential);
      return PW_SIGV4_INCOMPLETE;
    }
  if (!g_str_equal (scope[3], service))
    {
      *message = g_strdup_printf ("Credential should be scoped to correct service: '%s'", service);
      return PW_SIGV4_WRONG_SCOPE;
    }
  if (region != NULL && !g_str_equal (scope[2], region))
    {
      *message = g_strdup_printf ("Credential should be scoped to a valid region, not '%s'", scope[2]);
      return PW_SIGV4_WRONG_SCOPE;
    }
  if (!g_str_has_prefix (amz_date, scope[1]) || strlen (scope[1]) != 8)
    {
      *message = g_strdup_printf ("Date in Credential scope does not match YYYYMMDD from ISO-8601 version "
                                  "of date from HTTP: '%s' != '%.8s'", scope[1], amz_date);
      return PW_SIGV4_WRONG_SCOPE;
    }
  when = parse_amz_date (amz_date);
  if (when < 0 || ABS (now_unix - when) > 15 * 60)
    {
      *message = g_strdup_printf ("Signature expired: %s is now earlier or later than the 15 minutes "
                                  "around the server's time", amz_date);
      return PW_SIGV4_EXPIRED;
    }

  names = g_strsplit (signed_list, ";", -1);
  for (guint i = 0; names[i] != NULL; i++)
    has_host |= g_str_equal (names[i], "host");
  if (!has_host)
    {
      *message = g_strdup ("'Host' must be a signed header");
      return PW_SIGV4_INCOMPLETE;
    }
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, request->headers);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      if (g_str_has_prefix (key, "x-amz-") && !g_strv_contains ((const char * const *)names, key))
        {
          *message = g_strdup_printf ("'%s' is sent but not signed; every x-amz-* header must be", (char *)key);
          return PW_SIGV4_INCOMPLETE;
        }
  }

  secret = secret_for (scope[0], data);
  if (secret == NULL)
    {
      *message = g_strdup ("The security token included in the request is invalid.");
      return PW_SIGV4_UNKNOWN_KEY;
    }

  scope_text = g_strdup_printf ("%s/%s/%s/aws4_request", scope[1], scope[2], scope[3]);
  canonical = pw_sigv4_canonical_request (request, (const char * const *)names);
  to_sign = pw_sigv4_string_to_sign (amz_date, scope_text, canonical);
  expected = pw_sigv4_signature (secret, scope[1], scope[2], scope[3], to_sign);
  if (!equal_in_constant_time (expected, signature))
    {
      *message = g_strdup ("The request signature we calculated does not match the signature you "
                           "provided. Check your AWS Secret Access Key and signing method. Consult the "
                           "service documentation for details.");
      return PW_SIGV4_MISMATCH;
    }
  return PW_SIGV4_OK;
}
