/* pw-report.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_CORE_INSIDE) && !defined (PW_CORE_COMPILATION)
# error "Only <pw-core.h> can be included directly."
#endif

#include "pw-diagnostic.h"

G_BEGIN_DECLS

typedef enum
{
  PW_REPORT_HUMAN,
  PW_REPORT_JSON,
  PW_REPORT_SARIF,
} PwReportFormat;

char *pw_report_format  (GPtrArray      *diagnostics,
                         GPtrArray      *source_maps,
                         PwReportFormat  format,
                         gboolean        color);
char *pw_report_summary (GPtrArray      *diagnostics);

G_END_DECLS
