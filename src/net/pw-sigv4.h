/* pw-sigv4.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A request as SigV4 sees it. Header names in any case; values as sent. */
typedef struct
{
  const char         *method;
  const char         *path;
  const char         *query;      /* nullable: none */
  GHashTable         *headers;    /* lower-case name → value */
  const guint8       *body;
  gsize               body_length;
} PwSigv4Request;

typedef enum
{
  PW_SIGV4_OK,
  PW_SIGV4_MISSING,        /* MissingAuthenticationTokenException */
  PW_SIGV4_INCOMPLETE,     /* IncompleteSignatureException */
  PW_SIGV4_WRONG_SCOPE,    /* InvalidSignatureException: another service or region */
  PW_SIGV4_EXPIRED,        /* InvalidSignatureException: outside the 15 minutes */
  PW_SIGV4_MISMATCH,       /* InvalidSignatureException: the signature differs */
  PW_SIGV4_UNKNOWN_KEY,    /* UnrecognizedClientException */
} PwSigv4Result;

char          *pw_sigv4_canonical_request (const PwSigv4Request *request,
                                           const char * const   *signed_headers);
char          *pw_sigv4_string_to_sign    (const char           *amz_date,
                                           const char           *scope,
                                           const char           *canonical_request);
char          *pw_sigv4_signature         (const char           *secret,
                                           const char           *date,
                                           const char           *region,
                                           const char           *service,
                                           const char           *string_to_sign);
/* @secret_for: the secret key of an access key id, or NULL when unknown. */
PwSigv4Result  pw_sigv4_verify            (const PwSigv4Request *request,
                                           const char           *region,
                                           const char           *service,
                                           gint64                now_unix,
                                           const char *        (*secret_for) (const char *access_key,
                                                                              gpointer    data),
                                           gpointer              data,
                                           char                **message);

G_END_DECLS
