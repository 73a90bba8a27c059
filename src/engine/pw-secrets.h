/* pw-secrets.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_ENGINE_INSIDE) && !defined (PW_ENGINE_COMPILATION)
# error "Only <pw-engine.h> can be included directly."
#endif

#include <json-glib/json-glib.h>

#include "pw-log.h"

G_BEGIN_DECLS

typedef struct _PwSecrets PwSecrets;

PwSecrets *_pw_secrets_new       (void);
PwSecrets *_pw_secrets_ref       (PwSecrets   *self);
void       _pw_secrets_unref     (PwSecrets   *self);
gboolean   _pw_secrets_add       (PwSecrets   *self,
                                  const char  *secret);
void       _pw_secrets_add_all   (PwSecrets   *self,
                                  PwSecrets   *from);
gboolean   _pw_secrets_is_empty  (PwSecrets   *self);
gboolean   _pw_secrets_found_in  (PwSecrets   *self,
                                  const char  *text);
gsize      _pw_secrets_mask_into (PwSecrets   *self,
                                  const char  *data,
                                  gsize        length,
                                  gboolean     final,
                                  GString     *out);
char      *_pw_secrets_mask      (PwSecrets   *self,
                                  const char  *text);
JsonNode  *_pw_secrets_mask_node (PwSecrets   *self,
                                  JsonNode    *node);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PwSecrets, _pw_secrets_unref)

void       _pw_log_share_secrets (PwLog       *self,
                                  PwSecrets   *secrets);
gboolean   _pw_log_reveals_secret (PwLog      *self,
                                   const char *text);

G_END_DECLS
