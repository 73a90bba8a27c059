/* pw-report.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-report"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pw-core-private.h"

#define SARIF_SCHEMA     "https://json.schemastore.org/sarif-2.1.0.json"
#define INFORMATION_URI  "https://github.com/pipewright/pipewright"

/* Tabs in a quoted line are shown as spaces up to the next multiple of
 * this, and the caret is placed with the same rule so it stays under the
 * column the diagnostic names. */
#define TAB_WIDTH 4
/* A quoted line longer than this (a minified JSON file is one line) is
 * shown as the part around the column. */
#define QUOTE_MAX_CHARS 160

#define ANSI_RESET   "\033[0m"
#define ANSI_BOLD    "\033[1m"
#define ANSI_GUTTER  "\033[1;34m"

static const char *
severity_color (PwSeverity severity)
{
  switch (severity)
    {
    case PW_SEVERITY_ERROR:
      return "\033[1;31m";
    case PW_SEVERITY_WARNING:
      return "\033[1;35m";
    case PW_SEVERITY_NOTE:
    default:
      return "\033[1;36m";
    }
}

static void
count (GPtrArray *diagnostics,
       guint     *errors,
       guint     *warnings,
       guint     *notes)
{
  *errors = *warnings = *notes = 0;

  for (guint i = 0; diagnostics != NULL && i < diagnostics->len; i++)
    {
      switch (pw_diagnostic_get_severity (g_ptr_array_index (diagnostics, i)))
        {
        case PW_SEVERITY_ERROR:
          (*errors)++;
          break;

        case PW_SEVERITY_WARNING:
          (*warnings)++;
          break;

        case PW_SEVERITY_NOTE:
        default:
          (*notes)++;
          break;
        }
    }
}

static PwSourceMap *
find_map (GPtrArray  *source_maps,
          const char *file)
{
  if (source_maps == NULL || file == NULL)
    return NULL;

  for (guint i = 0; i < source_maps->len; i++)
    {
      PwSourceMap *map = g_ptr_array_index (source_maps, i);

      if (map != NULL && g_strcmp0 (pw_source_map_get_filename (map), file) == 0)
        return map;
    }

  return NULL;
}

static guint
char_width (gunichar c)
{
  if (g_unichar_iszerowidth (c))
    return 0;
  if (g_unichar_iswide (c))
    return 2;
  return 1;
}

/* Appends @line with tabs expanded and control characters shown as
 * spaces, and returns the display offset of character @column (1-based). */
static guint
append_expanded (GString    *out,
                 const char *line,
                 guint       column)
{
  guint width = 0;
  guint caret = 0;
  guint n = 1;

  for (const char *p = line; *p != '\0'; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (n == column)
        caret = width;

      if (c == '\t')
        {
          guint spaces = TAB_WIDTH - width % TAB_WIDTH;

          for (guint i = 0; i < spaces; i++)
            g_string_append_c (out, ' ');
          width += spaces;
        }
      else if (c < 0x20 || c == 0x7f)
        {
          g_string_append_c (out, ' ');
          width++;
        }
      else
        {
          g_string_append_unichar (out, c);
          width += char_width (c);
        }
    }

  /* A column just past the end (a missing value) points after the text. */
  if (column >= n)
    caret = width + (column - n);

  return caret;
}

static void
format_human_one (GString      *out,
                  PwDiagnostic *d,
                  GPtrArray    *source_maps,
                  gboolean      color)
{
  PwSeverity severity = pw_diagnostic_get_severity (d);
  const char *file = pw_diagnostic_get_file (d);
  const char *path = pw_diagnostic_get_path (d);
  guint line = pw_diagnostic_get_line (d);
  guint column = pw_diagnostic_get_column (d);
  const char *sev_color = color ? severity_color (severity) : "";
  const char *reset = color ? ANSI_RESET : "";
  const char *gutter = color ? ANSI_GUTTER : "";
  PwSourceMap *map;
  g_autofree char *source = NULL;
  guint digits = 0;

  if (file != NULL)
    {
      g_string_append (out, color ? ANSI_BOLD : "");
      if (line > 0)
        g_string_append_printf (out, "%s:%u:%u:", file, line, MAX (column, 1));
      else
        g_string_append_printf (out, "%s:", file);
      g_string_append_printf (out, "%s ", reset);
    }

  g_string_append_printf (out, "%s%s[%s]%s: %s\n",
                          sev_color, pw_severity_to_string (severity),
                          pw_diagnostic_get_code (d), reset,
                          pw_diagnostic_get_message (d));

  if (line > 0 && (map = find_map (source_maps, file)) != NULL)
    source = pw_source_map_dup_line_window (map, line, MAX (column, 1), QUOTE_MAX_CHARS, &column);

  if (source != NULL)
    {
      g_autofree char *number = g_strdup_printf ("%u", line);
      guint caret;

      digits = strlen (number);
      g_string_append_printf (out, "%s  %s |%s ", gutter, number, reset);
      caret = append_expanded (out, source, MAX (column, 1));
      /* No trailing blanks on the quoted line: editors and tests trim them. */
      while (out->len > 0 && out->str[out->len - 1] == ' ')
        g_string_truncate (out, out->len - 1);
      g_string_append_c (out, '\n');

      g_string_append_printf (out, "%s  %*s |%s ", gutter, (int)digits, "", reset);
      for (guint i = 0; i < caret; i++)
        g_string_append_c (out, ' ');
      g_string_append_printf (out, "%s^%s\n", sev_color, reset);
    }

  if (path != NULL && path[0] != '\0')
    {
      if (source != NULL)
        g_string_append_printf (out, "%s  %*s =%s path: %s\n", gutter, (int)digits, "", reset,
                                path);
      else
        g_string_append_printf (out, "%s  =%s path: %s\n", gutter, reset, path);
    }
}

/**
 * pw_report_summary:
 * @diagnostics: (element-type PwDiagnostic) (nullable): the findings
 *
 * Returns: (transfer full): e.g. "2 errors, 1 warning", or "no problems
 *   found"; no trailing newline
 */
char *
pw_report_summary (GPtrArray *diagnostics)
{
  GString *s = g_string_new (NULL);
  guint errors, warnings, notes;

  count (diagnostics, &errors, &warnings, &notes);

  if (errors > 0)
    g_string_append_printf (s, ngettext ("%u error", "%u errors", errors), errors);
  if (warnings > 0)
    {
      if (s->len > 0)
        g_string_append (s, ", ");
      g_string_append_printf (s, ngettext ("%u warning", "%u warnings", warnings), warnings);
    }
  if (notes > 0)
    {
      if (s->len > 0)
        g_string_append (s, ", ");
      g_string_append_printf (s, ngettext ("%u note", "%u notes", notes), notes);
    }
  if (s->len == 0)
    g_string_append (s, _("no problems found"));

  return g_string_free (s, FALSE);
}

static char *
format_human (GPtrArray *diagnostics,
              GPtrArray *source_maps,
              gboolean   color)
{
  GString *out = g_string_new (NULL);
  g_autofree char *summary = pw_report_summary (diagnostics);

  for (guint i = 0; diagnostics != NULL && i < diagnostics->len; i++)
    {
      format_human_one (out, g_ptr_array_index (diagnostics, i), source_maps, color);
      g_string_append_c (out, '\n');
    }

  g_string_append_printf (out, "%s\n", summary);

  return g_string_free (out, FALSE);
}

static char *
generate (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  text = json_generator_to_data (generator, NULL);

  return g_strconcat (text, "\n", NULL);
}

static char *
format_json (GPtrArray *diagnostics)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  guint errors, warnings, notes;

  count (diagnostics, &errors, &warnings, &notes);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);

  json_builder_set_member_name (builder, "diagnostics");
  json_builder_begin_array (builder);
  for (guint i = 0; diagnostics != NULL && i < diagnostics->len; i++)
    {
      PwDiagnostic *d = g_ptr_array_index (diagnostics, i);
      const PwRuleInfo *rule = pw_rules_lookup (pw_diagnostic_get_code (d));

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "code");
      json_builder_add_string_value (builder, pw_diagnostic_get_code (d));
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, rule != NULL ? rule->name : "");
      json_builder_set_member_name (builder, "severity");
      json_builder_add_string_value (builder,
                                     pw_severity_to_string (pw_diagnostic_get_severity (d)));
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, pw_diagnostic_get_message (d));
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, pw_diagnostic_get_path (d));
      if (pw_diagnostic_get_file (d) != NULL)
        {
          json_builder_set_member_name (builder, "file");
          json_builder_add_string_value (builder, pw_diagnostic_get_file (d));
        }
      if (pw_diagnostic_get_line (d) > 0)
        {
          json_builder_set_member_name (builder, "line");
          json_builder_add_int_value (builder, pw_diagnostic_get_line (d));
          json_builder_set_member_name (builder, "column");
          json_builder_add_int_value (builder, MAX (pw_diagnostic_get_column (d), 1));
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "summary");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "errors");
  json_builder_add_int_value (builder, errors);
  json_builder_set_member_name (builder, "warnings");
  json_builder_add_int_value (builder, warnings);
  json_builder_set_member_name (builder, "notes");
  json_builder_add_int_value (builder, notes);
  json_builder_end_object (builder);

  json_builder_end_object (builder);

  return generate (builder);
}

/* SARIF wants a URI reference: a relative path stays relative (code
 * scanning resolves it against the checkout), an absolute one becomes a
 * file:// URI. */
static char *
file_to_uri (const char *file)
{
  if (g_path_is_absolute (file))
    {
      char *uri = g_filename_to_uri (file, NULL, NULL);

      if (uri != NULL)
        return uri;
    }

  return g_uri_escape_string (file, "/", TRUE);
}

static char *
format_sarif (GPtrArray *diagnostics)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  const PwRuleInfo *rules;
  guint n_rules;

  rules = pw_rules_get_all (&n_rules);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "$schema");
  json_builder_add_string_value (builder, SARIF_SCHEMA);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, "2.1.0");

  json_builder_set_member_name (builder, "runs");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "tool");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "driver");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, "pipewright-cli");
  json_builder_set_member_name (builder, "informationUri");
  json_builder_add_string_value (builder, INFORMATION_URI);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_set_member_name (builder, "rules");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_rules; i++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, rules[i].code);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, rules[i].name);
      json_builder_set_member_name (builder, "shortDescription");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "text");
      json_builder_add_string_value (builder, rules[i].summary);
      json_builder_end_object (builder);
      json_builder_set_member_name (builder, "defaultConfiguration");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "level");
      json_builder_add_string_value (builder, pw_severity_to_string (rules[i].severity));
      json_builder_end_object (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);   /* driver */
  json_builder_end_object (builder);   /* tool */

  /* Our columns count characters, not UTF-16 units. */
  json_builder_set_member_name (builder, "columnKind");
  json_builder_add_string_value (builder, "unicodeCodePoints");

  json_builder_set_member_name (builder, "results");
  json_builder_begin_array (builder);
  for (guint i = 0; diagnostics != NULL && i < diagnostics->len; i++)
    {
      PwDiagnostic *d = g_ptr_array_index (diagnostics, i);
      const char *code = pw_diagnostic_get_code (d);
      const PwRuleInfo *rule = pw_rules_lookup (code);
      const char *file = pw_diagnostic_get_file (d);
      const char *path = pw_diagnostic_get_path (d);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "ruleId");
      json_builder_add_string_value (builder, code);
      if (rule != NULL)
        {
          json_builder_set_member_name (builder, "ruleIndex");
          json_builder_add_int_value (builder, rule - rules);
        }
      json_builder_set_member_name (builder, "level");
      json_builder_add_string_value (builder,
                                     pw_severity_to_string (pw_diagnostic_get_severity (d)));
      json_builder_set_member_name (builder, "message");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "text");
      json_builder_add_string_value (builder, pw_diagnostic_get_message (d));
      json_builder_end_object (builder);

      if (file != NULL || (path != NULL && path[0] != '\0'))
        {
          json_builder_set_member_name (builder, "locations");
          json_builder_begin_array (builder);
          json_builder_begin_object (builder);

          if (file != NULL)
            {
              g_autofree char *uri = file_to_uri (file);

              json_builder_set_member_name (builder, "physicalLocation");
              json_builder_begin_object (builder);
              json_builder_set_member_name (builder, "artifactLocation");
              json_builder_begin_object (builder);
              json_builder_set_member_name (builder, "uri");
              json_builder_add_string_value (builder, uri);
              json_builder_end_object (builder);
              if (pw_diagnostic_get_line (d) > 0)
                {
                  json_builder_set_member_name (builder, "region");
                  json_builder_begin_object (builder);
                  json_builder_set_member_name (builder, "startLine");
                  json_builder_add_int_value (builder, pw_diagnostic_get_line (d));
                  json_builder_set_member_name (builder, "startColumn");
                  json_builder_add_int_value (builder, MAX (pw_diagnostic_get_column (d), 1));
                  json_builder_end_object (builder);
                }
              json_builder_end_object (builder);
            }

          if (path != NULL && path[0] != '\0')
            {
              json_builder_set_member_name (builder, "logicalLocations");
              json_builder_begin_array (builder);
              json_builder_begin_object (builder);
              json_builder_set_member_name (builder, "fullyQualifiedName");
              json_builder_add_string_value (builder, path);
              json_builder_end_object (builder);
              json_builder_end_array (builder);
            }

          json_builder_end_object (builder);
          json_builder_end_array (builder);
        }

      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);   /* results */

  json_builder_end_object (builder);  /* run */
  json_builder_end_array (builder);   /* runs */
  json_builder_end_object (builder);

  return generate (builder);
}

/**
 * pw_report_format:
 * @diagnostics: (element-type PwDiagnostic): the findings, in the order to
 *   show them
 * @source_maps: (element-type PwSourceMap) (nullable): maps of the files
 *   the findings point into, to quote their lines (human format only)
 * @format: the output format
 * @color: whether to use ANSI colours (human format only)
 *
 * Formats findings the way a compiler would (%PW_REPORT_HUMAN, ending with
 * the pw_report_summary() line), as Pipewright's own JSON, or as SARIF
 * 2.1.0 for code-scanning tools.
 *
 * Returns: (transfer full): the text, ending with a newline
 */
char *
pw_report_format (GPtrArray      *diagnostics,
                  GPtrArray      *source_maps,
                  PwReportFormat  format,
                  gboolean        color)
{
  switch (format)
    {
    case PW_REPORT_JSON:
      return format_json (diagnostics);

    case PW_REPORT_SARIF:
      return format_sarif (diagnostics);

    case PW_REPORT_HUMAN:
    default:
      return format_human (diagnostics, source_maps, color);
    }
}
