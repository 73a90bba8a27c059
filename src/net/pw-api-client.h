/* pw-api-client.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define PW_API_CLIENT_ERROR (pw_api_client_error_quark ())

typedef enum
{
  PW_API_CLIENT_ERROR_CONFIG,     /* no credentials, no region */
  PW_API_CLIENT_ERROR_NETWORK,    /* the endpoint cannot be reached */
  PW_API_CLIENT_ERROR_SERVICE,    /* the service refused: the message starts with its __type */
} PwApiClientError;

GQuark pw_api_client_error_quark (void);

typedef struct _PwApiClient PwApiClient;

/* Credentials, region and endpoint from the standard AWS chain: the
 * arguments (NULL: not given), then AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
 * / AWS_SESSION_TOKEN, AWS_REGION / AWS_DEFAULT_REGION,
 * AWS_ENDPOINT_URL_CODEPIPELINE / AWS_ENDPOINT_URL, then the profile
 * (@profile, AWS_PROFILE or "default") of ~/.aws/credentials and
 * ~/.aws/config (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE). */
PwApiClient *pw_api_client_new          (const char   *profile,
                                         const char   *region,
                                         const char   *endpoint,
                                         GError      **error);
PwApiClient *pw_api_client_new_for      (const char   *service,
                                         const char   *profile,
                                         const char   *region,
                                         const char   *endpoint,
                                         gboolean      local,
                                         GError      **error);
void         pw_api_client_free         (PwApiClient  *self);
void         pw_api_client_set_timeout  (PwApiClient  *self,
                                         guint         seconds);
const char  *pw_api_client_get_region   (PwApiClient  *self);
const char  *pw_api_client_get_endpoint (PwApiClient  *self);
/* Calls @operation with @input (an object), signed with SigV4. The
 * service's error type is the start of @error's message ("Type: text"),
 * and @error_type gets it. */
GBytes      *pw_api_client_send         (PwApiClient          *self,
                                         const char           *path,
                                         GHashTable           *headers,
                                         const char           *content_type,
                                         GBytes               *body,
                                         guint                *status,
                                         SoupMessageHeaders  **answer_headers,
                                         GError              **error);
JsonNode    *pw_api_client_call         (PwApiClient  *self,
                                         const char   *operation,
                                         JsonNode     *input,
                                         char        **error_type,
                                         GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PwApiClient, pw_api_client_free)

G_END_DECLS
