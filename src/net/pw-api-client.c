/* pw-api-client.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A CodePipeline client (AWS JSON 1.1 over libsoup 3, SigV4-signed) for
 * `pipewright-cli push` and `pull`, configured as the AWS CLI and the
 * SDKs are: arguments, environment, then the shared config files. */

#define G_LOG_DOMAIN "pw-api"

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "pw-api-client.h"
#include "pw-sigv4.h"

struct _PwApiClient
{
  char        *access_key;
  char        *secret_key;
  char        *session_token;
  char        *region;
  char        *endpoint;
  char        *service;
  SoupSession *session;
};

G_DEFINE_QUARK (pw-api-client-error-quark, pw_api_client_error)

static char *
config_path (const char *variable,
             const char *file)
{
  const char *told = g_getenv (variable);

  if (told != NULL && *told != '\0')
    return g_strdup (told);
  return g_build_filename (g_get_home_dir (), ".aws", file, NULL);
}

/* @key of @section in the INI file @path, or NULL. */
static char *
ini_value (const char *path,
           const char *section,
           const char *key)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *value = NULL;

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL))
    return NULL;
  value = g_key_file_get_string (file, section, key, NULL);
  if (value == NULL)
    return NULL;
  g_strstrip (value);
  return *value != '\0' ? g_steal_pointer (&value) : NULL;
}

/* A value of the profile: the credentials file names sections by the
 * profile, the config file "profile NAME" (and "default"). */
static char *
profile_value (const char *profile,
               const char *key)
{
  g_autofree char *credentials = config_path ("AWS_SHARED_CREDENTIALS_FILE", "credentials");
  g_autofree char *config = config_path ("AWS_CONFIG_FILE", "config");
  g_autofree char *section = g_str_equal (profile, "default") ? g_strdup ("default")
                                                               : g_strdup_printf ("profile %s", profile);
  char *value = ini_value (credentials, profile, key);

  if (value == NULL)
    value = ini_value (config, section, key);
  return value;
}

static char *
first_of (const char *given,
          const char *variable,
          const char *other_variable)
{
  const char *value = given;

  if (value == NULL || *value == '\0')
    value = variable != NULL ? g_getenv (variable) : NULL;
  if ((value == NULL || *value == '\0') && other_variable != NULL)
    value = g_getenv (other_variable);
  return value != NULL && *value != '\0' ? g_strdup (value) : NULL;
}

static gboolean
is_loopback (const char *endpoint)
{
  g_autoptr(GUri) uri = endpoint != NULL ? g_uri_parse (endpoint, G_URI_FLAGS_NONE, NULL) : NULL;
  const char *host = uri != NULL ? g_uri_get_host (uri) : NULL;

  return host != NULL && (g_str_equal (host, "localhost") || g_str_has_prefix (host, "127.") ||
                          g_str_equal (host, "::1") || g_str_equal (host, "[::1]"));
}

/**
 * pw_api_client_new_for:
 * @service: the SigV4 signing name and endpoint prefix ("codepipeline",
 *   "lambda")
 *
 * @local: whether an endpoint on loopback may do without credentials
 *
 * As pw_api_client_new(), for @service: its endpoint comes from
 * `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`. With @local, an
 * endpoint on loopback (a local emulator such as `sam local
 * start-lambda`) needs no credentials or region: without them, requests
 * to it are signed with the local key `serve` accepts, for us-east-1.
 */
PwApiClient *
pw_api_client_new_for (const char  *service,
                       const char  *profile,
                       const char  *region,
                       const char  *endpoint,
                       gboolean     local,
                       GError     **error)
{
  g_autoptr(PwApiClient) self = g_new0 (PwApiClient, 1);
  g_autofree char *name = first_of (profile, "AWS_PROFILE", NULL);
  g_autofree char *variable = g_ascii_strup (service, -1);
  g_autofree char *endpoint_variable = g_strconcat ("AWS_ENDPOINT_URL_", variable, NULL);

  self->service = g_strdup (service);
  if (name == NULL)
    name = g_strdup ("default");
  /* Keys from the environment only as a pair, as the SDKs take them. */
  if (profile == NULL && g_getenv ("AWS_ACCESS_KEY_ID") != NULL && g_getenv ("AWS_SECRET_ACCESS_KEY") != NULL)
    {
      self->access_key = g_strdup (g_getenv ("AWS_ACCESS_KEY_ID"));
      self->secret_key = g_strdup (g_getenv ("AWS_SECRET_ACCESS_KEY"));
      self->session_token = first_of (NULL, "AWS_SESSION_TOKEN", NULL);
    }
  else
    {
      self->access_key = profile_value (name, "aws_access_key_id");
      self->secret_key = profile_value (name, "aws_secret_access_key");
      self->session_token = profile_value (name, "aws_session_token");
    }

  self->endpoint = first_of (endpoint, endpoint_variable, "AWS_ENDPOINT_URL");
  if (self->endpoint == NULL)
    self->endpoint = profile_value (name, "endpoint_url");

  if (local && (self->access_key == NULL || self->secret_key == NULL) && is_loopback (self->endpoint))
    {
      g_free (self->access_key);
      g_free (self->secret_key);
      self->access_key = g_strdup ("pipewright-local");
      self->secret_key = g_strdup ("pipewright");
    }
  if (self->access_key == NULL || self->secret_key == NULL)
    {
      g_set_error (error, PW_API_CLIENT_ERROR, PW_API_CLIENT_ERROR_CONFIG,
                   "No AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give profile "
                   "'%s' aws_access_key_id and aws_secret_access_key in ~/.aws/credentials", name);
      return NULL;
    }

  self->region = first_of (region, "AWS_REGION", "AWS_DEFAULT_REGION");
  if (self->region == NULL)
    self->region = profile_value (name, "region");
  if (local && self->region == NULL && is_loopback (self->endpoint))
    self->region = g_strdup ("us-east-1");
  if (self->region == NULL)
    {
      g_set_error (error, PW_API_CLIENT_ERROR, PW_API_CLIENT_ERROR_CONFIG,
                   "No AWS region: give --region, set AWS_REGION, or give profile '%s' a region in "
                   "~/.aws/config", name);
      return NULL;
    }

  if (self->endpoint == NULL)
    self->endpoint = g_strdup_printf ("https://%s.%s.amazonaws.com", service, self->region);

  self->session = soup_session_new_with_options ("user-agent", "pipewright/" PACKAGE_VERSION,
                                                 "timeout", 60, NULL);
  return g_steal_pointer (&self);
}

PwApiClient *
pw_api_client_new (const char  *profile,
                   const char  *region,
                   const char  *endpoint,
                   GError     **error)
{
  return pw_api_client_new_for ("codepipeline", profile, region, endpoint, FALSE, error);
}

void
pw_api_client_free (PwApiClient *self)
{
  if (self == NULL)
    return;
  g_free (self->access_key);
  g_free (self->secret_key);
  g_free (self->session_token);
  g_free (self->region);
  g_free (self->endpoint);
  g_free (self->service);
  g_clear_object (&self->session);
  g_free (self);
}

/* Seconds an answer may take (60 unless set); 0: as long as it takes. */
void
pw_api_client_set_timeout (PwApiClient *self,
                           guint        seconds)
{
  soup_session_set_timeout (self->session, seconds);
}

const char *
pw_api_client_get_region (PwApiClient *self)
{
  return self->region;
}

const char *
pw_api_client_get_endpoint (PwApiClient *self)
{
  return self->endpoint;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *)a, *(const char * const *)b);
}

/**
 * pw_api_client_send:
 * @path: the request's path, already percent-encoded ("/" for JSON 1.1)
 * @headers: (nullable): more headers to send and sign, lower-case name →
 *   value
 * @status: (out): the answer's HTTP status
 * @answer_headers: (out) (optional) (transfer full): the answer's headers
 *
 * Sends a POST of @body to the client's endpoint, signed with SigV4 for
 * its service.
 *
 * Returns: (transfer full): the answer's body, or %NULL when the endpoint
 *   cannot be reached (%PW_API_CLIENT_ERROR_NETWORK)
 */
GBytes *
pw_api_client_send (PwApiClient          *self,
                    const char           *path,
                    GHashTable           *headers,
                    const char           *content_type,
                    GBytes               *body,
                    guint                *status,
                    SoupMessageHeaders  **answer_headers,
                    GError              **error)
{
  g_autoptr(GHashTable) sign = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *amz_date = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  g_autofree char *date = g_date_time_format (now, "%Y%m%d");
  g_autofree char *scope = g_strdup_printf ("%s/%s/%s/aws4_request", date, self->region, self->service);
  g_autofree char *canonical = NULL;
  g_autofree char *to_sign = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *authorization = NULL;
  g_autofree char *host = NULL;
  g_autofree char *url = NULL;
  g_autofree char *base = g_strdup (self->endpoint);
  g_autoptr(GUri) uri = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GError) local = NULL;
  PwSigv4Request request = { "POST", path, NULL, sign, g_bytes_get_data (body, NULL), g_bytes_get_size (body) };
  SoupMessageHeaders *out;
  GHashTableIter iter;
  gpointer key, value;
  GBytes *answer;

  /* "http://host:port" and "http://host:port/" are the same endpoint. */
  if (g_str_has_suffix (base, "/"))
    base[strlen (base) - 1] = '\0';
  url = g_strconcat (base, path, NULL);
  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, &local);
  if (uri == NULL)
    {
      g_set_error (error, PW_API_CLIENT_ERROR, PW_API_CLIENT_ERROR_CONFIG, "The endpoint %s is not a URL: %s",
                   self->endpoint, local->message);
      return NULL;
    }
  host = g_uri_get_port (uri) > 0 ? g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri))
                                   : g_strdup (g_uri_get_host (uri));
  request.path = g_uri_get_path (uri);

  g_hash_table_insert (sign, g_strdup ("content-type"), g_strdup (content_type));
  g_hash_table_insert (sign, g_strdup ("host"), g_strdup (host));
  g_hash_table_insert (sign, g_strdup ("x-amz-date"), g_strdup (amz_date));
  if (self->session_token != NULL)
    g_hash_table_insert (sign, g_strdup ("x-amz-security-token"), g_strdup (self->session_token));
  if (headers != NULL)
    {
      g_hash_table_iter_init (&iter, headers);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (sign, g_ascii_strdown (key, -1), g_strdup (value));
    }
  g_hash_table_iter_init (&iter, sign);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (names, key);
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);

  canonical = pw_sigv4_canonical_request (&request, (const char * const *)names->pdata);
  to_sign = pw_sigv4_string_to_sign (amz_date, scope, canonical);
  signature = pw_sigv4_signature (self->secret_key, date, self->region, self->service, to_sign);
  {
    g_autofree char *list = g_strjoinv (";", (char **)names->pdata);

    authorization = g_strdup_printf ("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s",
                                     self->access_key, scope, list, signature);
  }

  msg = soup_message_new_from_uri ("POST", uri);
  out = soup_message_get_request_headers (msg);
  g_hash_table_iter_init (&iter, sign);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_str_equal (key, "host") && !g_str_equal (key, "content-type"))
      soup_message_headers_replace (out, key, value);
  soup_message_headers_replace (out, "Authorization", authorization);
  soup_message_set_request_body_from_bytes (msg, content_type, body);

  answer = soup_session_send_and_read (self->session, msg, NULL, &local);
  if (answer == NULL)
    {
      g_set_error (error, PW_API_CLIENT_ERROR, PW_API_CLIENT_ERROR_NETWORK, "Cannot reach %s: %s",
                   self->endpoint, local->message);
      return NULL;
    }
  *status = soup_message_get_status (msg);
  if (answer_headers != NULL)
    *answer_headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  return answer;
}

JsonNode *
pw_api_client_call (PwApiClient  *self,
                    const char   *operation,
                    JsonNode     *input,
                    char        **error_type,
                    GError      **error)
{
  g_autoptr(GHashTable) headers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autofree char *body = json_to_string (input, FALSE);
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(SoupMessageHeaders) answer_headers = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  guint status = 0;

  if (error_type != NULL)
    *error_type = NULL;
  g_hash_table_insert (headers, "x-amz-target", g_strdup_printf ("CodePipeline_20150709.%s", operation));
  {
    gsize length = strlen (body);

    payload = g_bytes_new_take (g_steal_pointer (&body), length);
  }
  answer = pw_api_client_send (self, "/", headers, "application/x-amz-json-1.1", payload, &status,
                               &answer_headers, error);
  if (answer == NULL)
    return NULL;
  if (!json_parser_load_from_data (parser, g_bytes_get_size (answer) > 0 ? g_bytes_get_data (answer, NULL) : "{}",
                                   g_bytes_get_size (answer) > 0 ? (gssize)g_bytes_get_size (answer) : 2, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, PW_API_CLIENT_ERROR, PW_API_CLIENT_ERROR_NETWORK,
                   "%s answered %u with something that is not JSON", self->endpoint, status);
      return NULL;
    }
  if (status != 200)
    {
      JsonObject *o = json_node_get_object (json_parser_get_root (parser));
      const char *type = json_object_get_string_member_with_default (o, "__type", NULL);
      const char *message = json_object_get_string_member_with_default (
        o, "message", json_object_get_string_member_with_default (o, "Message", ""));
      g_autofree char *bare = NULL;

      if (type == NULL)
        type = soup_message_headers_get_one (answer_headers, "x-amzn-ErrorType");
      /* As botocore reads it: after any '#', before any ':'. */
      bare = g_strdup (type != NULL ? (strchr (type, '#') != NULL ? strchr (type, '#') + 1 : type) : "HTTPError");
      if (strchr (bare, ':') != NULL)
        *strchr (bare, ':') = '\0';
      g_set_error (error, PW_API_CLIENT_ERROR, PW_API_CLIENT_ERROR_SERVICE, "%s: %s", bare, message);
      if (error_type != NULL)
        *error_type = g_steal_pointer (&bare);
      return NULL;
    }
  return json_parser_steal_root (parser);
}
