/* pw-app-util.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-app-util"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pw-app-util.h"

static gboolean
parse_index (const char **p,
             const char  *prefix,
             int         *out)
{
  gsize len = strlen (prefix);
  guint64 value;
  char *end;

  if (strncmp (*p, prefix, len) != 0 || (*p)[len] != '[')
    return FALSE;
  value = g_ascii_strtoull (*p + len + 1, &end, 10);
  if (end == *p + len + 1 || *end != ']' || value > G_MAXINT)
    return FALSE;
  *out = (int)value;
  *p = end + 1;
  return TRUE;
}

/**
 * pw_path_parse_element:
 *
 * Finds the element a model path belongs to: the action for
 * "stages[1].actions[0].configuration.X", the stage for "stages[1].name",
 * the pipeline for "artifactStore.location".
 */
gboolean
pw_path_parse_element (const char   *path,
                       PwElementRef *ref)
{
  const char *p = path;

  ref->stage = -1;
  ref->action = -1;

  if (path == NULL)
    return FALSE;

  if (!parse_index (&p, "stages", &ref->stage))
    return TRUE;
  if (*p != '.')
    return TRUE;
  p++;
  if (!parse_index (&p, "actions", &ref->action))
    return TRUE;
  return TRUE;
}

char *
pw_element_ref_to_path (const PwElementRef *ref)
{
  if (ref->stage < 0)
    return g_strdup ("");
  if (ref->action < 0)
    return g_strdup_printf ("stages[%d]", ref->stage);
  return g_strdup_printf ("stages[%d].actions[%d]", ref->stage, ref->action);
}

/**
 * pw_element_dup_label:
 *
 * Returns: the text to show for @member of @element (its name, say): the
 *   string, the short form of an intrinsic, or a placeholder when absent
 */
char *
pw_element_dup_label (PwElement  *element,
                      const char *member)
{
  JsonNode *node;

  if (pw_element_is_opaque (element))
    return pw_format_value (pw_element_get_raw (element));

  node = pw_element_get_member (element, member);
  if (node == NULL)
    return g_strdup (_("(unnamed)"));
  return pw_format_value (node);
}

const char *
pw_category_icon_name (const char *category)
{
  if (category == NULL)
    return "pw-conditional-symbolic";
  if (g_str_equal (category, "Source"))
    return "pw-category-source-symbolic";
  if (g_str_equal (category, "Build"))
    return "pw-category-build-symbolic";
  if (g_str_equal (category, "Test"))
    return "pw-category-test-symbolic";
  if (g_str_equal (category, "Deploy"))
    return "pw-category-deploy-symbolic";
  if (g_str_equal (category, "Approval"))
    return "pw-category-approval-symbolic";
  if (g_str_equal (category, "Invoke"))
    return "pw-category-invoke-symbolic";
  if (g_str_equal (category, "Compute"))
    return "pw-category-compute-symbolic";
  return "pw-category-build-symbolic";
}

const char *
pw_severity_icon_name (PwSeverity severity)
{
  switch (severity)
    {
    case PW_SEVERITY_ERROR:
      return "dialog-error-symbolic";

    case PW_SEVERITY_WARNING:
      return "dialog-warning-symbolic";

    case PW_SEVERITY_NOTE:
    default:
      return "dialog-information-symbolic";
    }
}

const char *
pw_severity_css_class (PwSeverity severity)
{
  switch (severity)
    {
    case PW_SEVERITY_ERROR:
      return "error";

    case PW_SEVERITY_WARNING:
      return "warning";

    case PW_SEVERITY_NOTE:
    default:
      return "accent";
    }
}

/* Replaces *field with a copy of value; TRUE when it changed (g_set_str()
 * is GLib 2.76, newer than Debian 12's 2.74). */
gboolean
pw_set_str (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

/* The named colour a run status is drawn in (the words say the status
 * too), or NULL for the text's own, dimmed: Stopped, Abandoned, … */
const char *
pw_run_status_color_name (const char *status)
{
  if (g_strcmp0 (status, "Succeeded") == 0)
    return "success_color";
  if (g_strcmp0 (status, "Failed") == 0)
    return "error_color";
  if (g_strcmp0 (status, "InProgress") == 0)
    return "accent_color";
  if (g_strcmp0 (status, "Waiting") == 0)
    return "warning_color";
  return NULL;
}

/* "0:07", "1:02:03": a time still running. */
char *
pw_format_elapsed (GTimeSpan span)
{
  gint64 seconds = MAX (span, 0) / G_TIME_SPAN_SECOND;

  if (seconds >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d", seconds / 3600,
                            (int)(seconds / 60 % 60), (int)(seconds % 60));
  return g_strdup_printf ("%d:%02d", (int)(seconds / 60), (int)(seconds % 60));
}

/* "0.4 s", "12 s", "3:05": how long something took. */
char *
pw_format_duration (GTimeSpan span)
{
  if (span < 10 * G_TIME_SPAN_SECOND)
    return g_strdup_printf (_("%.1f s"), MAX (span, 0) / (double)G_TIME_SPAN_SECOND);
  if (span < 60 * G_TIME_SPAN_SECOND)
    return g_strdup_printf (_("%d s"), (int)(span / G_TIME_SPAN_SECOND));
  return pw_format_elapsed (span);
}

/* A colour the style sheet names (error_color, accent_bg_color, …), for
 * what a widget draws itself; @fallback when the theme has none. */
void
pw_lookup_color (GtkWidget  *widget,
                 const char *name,
                 GdkRGBA    *color,
                 GdkRGBA     fallback)
{
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), name, color))
    *color = fallback;
}
