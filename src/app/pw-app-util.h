/* pw-app-util.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <pw-core.h>

G_BEGIN_DECLS

/* A model path that names an element: "" is the pipeline, "stages[2]" a
 * stage, "stages[2].actions[1]" an action; anything below them belongs to
 * that element. */
typedef struct
{
  int stage;     /* -1: the pipeline itself */
  int action;    /* -1: the stage itself */
} PwElementRef;

gboolean    pw_path_parse_element   (const char   *path,
                                     PwElementRef *ref);
char       *pw_element_ref_to_path  (const PwElementRef *ref);
char       *pw_element_dup_label    (PwElement    *element,
                                     const char   *member);
const char *pw_category_icon_name   (const char   *category);
const char *pw_severity_icon_name   (PwSeverity    severity);
const char *pw_severity_css_class   (PwSeverity    severity);
gboolean    pw_set_str              (char        **field,
                                     const char   *value);
const char *pw_run_status_color_name (const char  *status);
char       *pw_format_elapsed       (GTimeSpan     span);
char       *pw_format_duration      (GTimeSpan     span);
void        pw_lookup_color         (GtkWidget    *widget,
                                     const char   *name,
                                     GdkRGBA      *color,
                                     GdkRGBA       fallback);

G_END_DECLS
