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

PwApiClient *
pw_api_client_new (const char  *profile,
                   const char  *region,
                   const char  *endpoint,
                   GError     **error)
{
  g_autoptr(PwApiClient) self = g_new0 (PwApiClient, 1);
  g_autofree char *name = first_of (profile, "AWS_PROFILE", NULL);

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
  if (self->region == NULL)
    {
      g_set_error (error, PW_API_CLIENT_ERROR, PW_API_CLIENT_ERROR_CONFIG,
                   "No AWS region: give --region, set AWS_REGION, or give profile '%s' a region in "
                   "~/.aws/config", name);
      return NULL;
    }

  self->endpoint = first_of (endpoint, "AWS_ENDPOINT_URL_CODEPIPELINE", "AWS_ENDPOINT_URL");
  if (self->endpoint == NULL)
    self->endpoint = profile_value (name, "endpoint_url");
  if (self->endpoint == NULL)
    self->endpoint = g_strdup_printf ("https://codepipeline.%s.amazonaws.com", self->region);

  self->session = soup_session_new_with_options ("user-agent", "pipewright/" PACKAGE_VERSION,
                                                 "timeout", 60, NULL);
  return g_steal_pointer (&self);
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
  g_clear_object (&self->session);
  g_free (self);
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

JsonNode *
pw_api_client_call (PwApiClient  *self,
                    const char   *operation,
                    JsonNode     *input,
                    char        **error_type,
                    GError      **error)
{
  g_autoptr(GHashTable) headers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *amz_date = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  g_autofree char *date = g_date_time_format (now, "%Y%m%d");
  g_autofree char *body = json_to_string (input, FALSE);
  g_autofree char *target = g_strdup_printf ("CodePipeline_20150709.%s", operation);
  g_autofree char *scope = g_strdup_printf ("%s/%s/codepipeline/aws4_request", date, self->region);
  g_autofree char *canonical = NULL;
  g_autofree char *to_sign = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *authorization = NULL;
  g_autofree char *host = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local = NULL;
  const char *signed_with_token[] = { "content-type", "host", "x-amz-date", "x-amz-security-token",
                                      "x-amz-target", NULL };
  const char *signed_plain[] = { "content-type", "host", "x-amz-date", "x-amz-target", NULL };
  const char * const *signed_headers = self->session_token != NULL ? signed_with_token : signed_plain;
  PwSigv4Request request = { "POST", "/", NULL, headers, (const guint8 *)body, strlen (body) };
  SoupMessageHeaders *out;
  guint status;

  if (error_type != NULL)
    *error_type = NULL;
  uri = g_uri_parse (self->endpoint, G_URI_FLAGS_NONE, &local);
  /* Every operation is POST / ("http://host:port" has no path yet). */
  if (uri != NULL && *g_uri_get_path (uri) == '\0')
    {
      g_autofree char *with_slash = g_strconcat (self->endpoint, "/", NULL);

      g_clear_pointer (&uri, g_uri_unref);
      uri = g_uri_parse (with_slash, G_URI_FLAGS_NONE, &local);
    }
  if (uri == NULL)
    {
      g_set_error (error, PW_API_CLIENT_ERROR, PW_API_CLIENT_ERROR_CONFIG, "The endpoint %s is not a URL: %s",
                   self->endpoint, local->message);
      return NULL;
    }
  host = g_uri_get_port (uri) > 0 ? g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri))
                                   : g_strdup (g_uri_get_host (uri));

  g_hash_table_insert (headers, "content-type", g_strdup ("application/x-amz-json-1.1"));
  g_hash_table_insert (headers, "host", g_strdup (host));
  g_hash_table_insert (headers, "x-amz-date", g_strdup (amz_date));
  g_hash_table_insert (headers, "x-amz-target", g_strdup (target));
  if (self->session_token != NULL)
    g_hash_table_insert (headers, "x-amz-security-token", g_strdup (self->session_token));
  canonical = pw_sigv4_canonical_request (&request, signed_headers);
  to_sign = pw_sigv4_string_to_sign (amz_date, scope, canonical);
  signature = pw_sigv4_signature (self->secret_key, date, self->region, "codepipeline", to_sign);
  {
    g_autofree char *list = g_strjoinv (";", (char **)signed_headers);

    authorization = g_strdup_printf ("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s",
                                     self->access_key, scope, list, signature);
  }

  msg = soup_message_new_from_uri ("POST", uri);
  out = soup_message_get_request_headers (msg);
  soup_message_headers_replace (out, "X-Amz-Date", amz_date);
  soup_message_headers_replace (out, "X-Amz-Target", target);
  soup_message_headers_replace (out, "Authorization", authorization);
  if (self->session_token != NULL)
    soup_message_headers_replace (out, "X-Amz-Security-Token", self->session_token);
  payload = g_bytes_new (body, strlen (body));
  soup_message_set_request_body_from_bytes (msg, "application/x-amz-json-1.1", payload);

  answer = soup_session_send_and_read (self->session, msg, NULL, &local);
  if (answer == NULL)
    {
      g_set_error (error, PW_API_CLIENT_ERROR, PW_API_CLIENT_ERROR_NETWORK, "Cannot reach %s: %s",
                   self->endpoint, local->message);
      return NULL;
    }
  status = soup_message_get_status (msg);
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
        type = soup_message_headers_get_one (soup_message_get_response_headers (msg), "x-amzn-ErrorType");
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
