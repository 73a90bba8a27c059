/* pw-quick-fix.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pw-text-document.h"

G_BEGIN_DECLS

char     *pw_quick_fix_dup_label (PwDiagnostic    *diagnostic);
gboolean  pw_quick_fix_apply     (PwTextDocument  *document,
                                  PwDiagnostic    *diagnostic,
                                  GError         **error);

G_END_DECLS
