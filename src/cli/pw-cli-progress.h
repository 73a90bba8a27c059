/* pw-cli-progress.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <pw-engine.h>

#include "pw-cli-private.h"

G_BEGIN_DECLS

typedef struct _PwCliProgress PwCliProgress;

PwCliProgress *pw_cli_progress_new    (PwExecutionList *list,
                                       gboolean         follow_all,
                                       const char      *skip_prefix,
                                       gboolean         color,
                                       gboolean         auto_decide);
void           pw_cli_progress_follow (PwCliProgress   *self,
                                       const char      *execution_id);
void           pw_cli_progress_free   (PwCliProgress   *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PwCliProgress, pw_cli_progress_free)

G_END_DECLS
