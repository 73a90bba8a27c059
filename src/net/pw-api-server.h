/* pw-api-server.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The secret key every access key id signs with when the server has no
 * other (documented in `pipewright-cli serve --help`). */
#define PW_API_LOCAL_SECRET "pipewright"

#define PW_TYPE_API_SERVER (pw_api_server_get_type ())
G_DECLARE_FINAL_TYPE (PwApiServer, pw_api_server, PW, API_SERVER, GObject)

PwApiServer *pw_api_server_new        (const char   *workspace,
                                       const char   *region,
                                       gboolean      verify_signatures);
guint        pw_api_server_get_n_pipelines (PwApiServer *self);
void         pw_api_server_set_runner (PwApiServer  *self,
                                       const char   *cli);
void         pw_api_server_set_webhook_secret (PwApiServer *self,
                                               const char  *secret);
gboolean     pw_api_server_listen     (PwApiServer  *self,
                                       const char   *address,
                                       guint         port,
                                       GError      **error);
guint        pw_api_server_get_port   (PwApiServer  *self);
GStrv        pw_api_server_dup_webhooks (PwApiServer *self,
                                         const char  *base_url);

G_END_DECLS
