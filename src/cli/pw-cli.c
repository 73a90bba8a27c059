/* pw-cli.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-cli"

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gio/gunixinputstream.h>

#include <pw-core.h>
#ifdef PW_HAVE_ENGINE
# include <pw-engine.h>
#endif

#include "pw-cli-private.h"

/* Freeing a large document's nodes one by one costs more than the whole
 * validation (6 ms of json-glib frees for 2,451 actions), and the kernel
 * takes the memory back at exit anyway. So a plain build keeps them until
 * exit; a sanitizer build frees everything, so leak checking stays exact. */
#if defined(__SANITIZE_ADDRESS__)
# define FREE_AT_EXIT 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define FREE_AT_EXIT 1
# endif
#endif
#ifndef FREE_AT_EXIT
# define FREE_AT_EXIT 0
#endif

static GPtrArray *keep_until_exit;

static void
keep (gpointer object)
{
  if (FREE_AT_EXIT)
    {
      g_object_unref (object);
      return;
    }

  if (keep_until_exit == NULL)
    keep_until_exit = g_ptr_array_new ();
  g_ptr_array_add (keep_until_exit, object);
}

typedef struct
{
  const char *name;
  const char *summary;
  int       (*run) (int argc, char **argv);
} Command;


/* Control characters from a pipeline's content (a build's ANSI escapes,
 * a file name holding ESC) would drive the terminal: each one, and every
 * byte that is not UTF-8, is shown as \xNN instead. Newlines and tabs
 * stay. */
char *
pw_cli_escape (const char *text,
               gssize      length)
{
  const char *p = text;
  const char *end;
  GString *out;

  if (length < 0)
    length = strlen (text);
  end = text + length;
  out = g_string_sized_new (length);

  while (p < end)
    {
      const char *next = p;
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar)-1 || c == (gunichar)-2)
        {
          g_string_append_printf (out, "\\x%02x", (guchar)*p);
          p++;
          continue;
        }

      next = g_utf8_next_char (p);
      if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f || (c >= 0x80 && c < 0xa0))
        {
          if (c < 0x100)
            g_string_append_printf (out, "\\x%02x", c);
          else
            g_string_append_printf (out, "\\u%04x", c);
        }
      else
        g_string_append_len (out, p, next - p);
      p = next;
    }

  return g_string_free (out, FALSE);
}

/* An engine log line as a person reads it in a terminal: CodeBuild's lines
 * with one timestamp (theirs, as CodeBuild prints them, not ours before
 * it), paths under the current folder relative to it, and control
 * characters escaped. */
char *
pw_cli_log_line (const char *line,
                 gssize      length)
{
  static char *cwd_slash;
  g_autofree char *text = NULL;
  GString *out;

  if (length < 0)
    length = strlen (line);
  /* "2026-12-07T10:15:42.344Z [Container] 2026/12/07 10:15:42.344 …" */
  if (length > 25 && line[4] == '-' && line[10] == 'T' && line[23] == 'Z' && line[24] == ' ' &&
      length - 25 >= 12 && memcmp (line + 25, "[Container] ", 12) == 0)
    {
      line += 25;
      length -= 25;
    }

  if (cwd_slash == NULL)
    {
      g_autofree char *cwd = g_get_current_dir ();

      cwd_slash = g_str_equal (cwd, "/") ? g_strdup ("") : g_strconcat (cwd, "/", NULL);
    }
  text = pw_cli_escape (line, length);
  if (*cwd_slash == '\0' || strstr (text, cwd_slash) == NULL)
    return g_steal_pointer (&text);

  out = g_string_new (NULL);
  for (const char *p = text, *at; *p != '\0'; p = at + strlen (cwd_slash))
    {
      if ((at = strstr (p, cwd_slash)) == NULL)
        {
          g_string_append (out, p);
          break;
        }
      g_string_append_len (out, p, at - p);
    }
  return g_string_free (out, FALSE);
}

/* The first line of a message of several, saying how many more follow:
 * a status line says a problem once, the log below says them all. */
char *
pw_cli_first_line (const char *text)
{
  const char *nl;
  guint more = 0;

  if (text == NULL)
    return NULL;
  if ((nl = strchr (text, '\n')) == NULL)
    return g_strdup (text);
  for (const char *p = nl; p != NULL; p = strchr (p + 1, '\n'))
    if (p[1] != '\0')
      more++;
  if (more == 0)
    return g_strndup (text, nl - text);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%.*s (and %u more)", "%.*s (and %u more)", more),
                          (int)(nl - text), text, more);
}


/* Reads FILE, or standard input for "-". */
static char *
read_input (const char  *path,
            gsize       *length,
            GError     **error)
{
  if (g_strcmp0 (path, "-") == 0)
    {
      g_autoptr(GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
      g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

      if (g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, error) < 0)
        return NULL;

      *length = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out));
      /* NUL-terminate for callers that print it. */
      if (!g_output_stream_write_all (out, "", 1, NULL, NULL, NULL))
        {}
      return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
    }

  {
    char *contents = NULL;

    if (!g_file_get_contents (path, &contents, length, error))
      return NULL;
    return contents;
  }
}

static PwDocument *
load_document (const char  *path,
               GError     **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  contents = read_input (path, &length, error);
  if (contents == NULL)
    return NULL;

  return pw_document_load_data (contents, length,
                                g_strcmp0 (path, "-") == 0 ? "<stdin>" : path, error);
}

/* Writes TEXT to OUTPUT ("-" or NULL = standard output) without ever
 * leaving a half-written file behind. */
static gboolean
write_output (const char  *output,
              const char  *text,
              GError     **error)
{
  if (output == NULL || g_strcmp0 (output, "-") == 0)
    {
      gsize len = strlen (text);

      if (fwrite (text, 1, len, stdout) != len || fflush (stdout) != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", _("could not write to standard output"));
          return FALSE;
        }
      return TRUE;
    }

  return pw_file_replace_contents (output, text, strlen (text), error);
}

static void
print_notes (GPtrArray *notes)
{
  for (guint i = 0; i < notes->len; i++)
    {
      PwDiagnostic *note = g_ptr_array_index (notes, i);
      const char *path = pw_diagnostic_get_path (note);

      if (pw_cli_use_color (stderr))
        fprintf (stderr, "\033[1;36mnote:\033[0m %s%s%s%s\n", pw_diagnostic_get_message (note),
                 path[0] ? " [" : "", path, path[0] ? "]" : "");
      else
        fprintf (stderr, "note: %s%s%s%s\n", pw_diagnostic_get_message (note),
                 path[0] ? " [" : "", path, path[0] ? "]" : "");
    }
}



/* Splits "file:line:col: message" from the core's errors into a
 * diagnostic, so machine-readable output carries syntax errors too. */
static PwDiagnostic *
diagnostic_from_error (const char *path,
                       GError     *error)
{
  g_autofree char *prefix = g_strdup_printf ("%s:", g_strcmp0 (path, "-") == 0 ? "<stdin>" : path);
  const char *message = error->message;
  guint line = 0, column = 0;
  PwDiagnostic *diagnostic;

  if (g_str_has_prefix (message, prefix))
    {
      const char *p = message + strlen (prefix);
      char *end;

      line = (guint)g_ascii_strtoull (p, &end, 10);
      if (end != p && *end == ':')
        {
          p = end + 1;
          column = (guint)g_ascii_strtoull (p, &end, 10);
          if (end != p && *end == ':')
            message = end + 1;
          else
            line = column = 0;
        }
      else
        {
          line = 0;
          message = message + strlen (prefix);
        }
      while (*message == ' ')
        message++;
    }

  diagnostic = pw_diagnostic_new ("P00", PW_SEVERITY_ERROR, "", message);
  pw_diagnostic_set_location (diagnostic, g_strcmp0 (path, "-") == 0 ? "<stdin>" : path, line, column);
  return diagnostic;
}

/* A CodeBuild action's test report (its record's "report") in one line:
 * "unit: 3 passed, 1 failed: test.quantity multiplies (Expected 14 !== 40)",
 * a group after another; NULL when it has none. */
char *
pw_cli_report_line (JsonNode *report)
{
  JsonArray *groups;
  GString *out;

  if (report == NULL || !JSON_NODE_HOLDS_OBJECT (report) ||
      (groups = json_object_get_array_member (json_node_get_object (report), "groups")) == NULL ||
      json_array_get_length (groups) == 0)
    return NULL;

  out = g_string_new (NULL);
  for (guint g = 0; g < json_array_get_length (groups); g++)
    {
      JsonObject *group = json_array_get_object_element (groups, g);
      JsonArray *failures = json_object_get_array_member (group, "failures");
      gint64 failed = json_object_get_int_member_with_default (group, "failed", 0);
      gint64 skipped = json_object_get_int_member_with_default (group, "skipped", 0);

      if (g > 0)
        g_string_append (out, "; ");
      g_string_append_printf (out, "%s: %" G_GINT64_FORMAT " passed, %" G_GINT64_FORMAT " failed",
                              json_object_get_string_member_with_default (group, "name", "?"),
                              json_object_get_int_member_with_default (group, "passed", 0), failed);
      if (skipped > 0)
        g_string_append_printf (out, ", %" G_GINT64_FORMAT " skipped", skipped);
      if (failures != NULL && json_array_get_length (failures) > 0)
        {
          JsonObject *first = json_array_get_object_element (failures, 0);
          const char *message = json_object_get_string_member_with_default (first, "message", "");
          const char *nl = strchr (message, '\n');

          g_string_append_printf (out, ": %s", json_object_get_string_member_with_default (first, "name", "?"));
          if (*message != '\0')
            g_string_append_printf (out, " (%.*s)", nl != NULL ? (int)(nl - message) : (int)strlen (message),
                                    message);
          if (failed > 1)
            g_string_append_printf (out, " and %" G_GINT64_FORMAT " more", failed - 1);
        }
    }
  return g_string_free (out, FALSE);
}

/* Each failing test case of @report and its whole message, indented by
 * @indent, to @stream (escaped: messages are what the tests wrote). */
void
pw_cli_print_report_failures (FILE       *stream,
                              JsonNode   *report,
                              const char *indent,
                              guint       max)
{
  JsonArray *groups;
  guint shown = 0;

  if (report == NULL || !JSON_NODE_HOLDS_OBJECT (report) ||
      (groups = json_object_get_array_member (json_node_get_object (report), "groups")) == NULL)
    return;
  for (guint g = 0; g < json_array_get_length (groups); g++)
    {
      JsonObject *group = json_array_get_object_element (groups, g);
      JsonArray *failures = json_object_get_array_member (group, "failures");

      for (guint f = 0; failures != NULL && f < json_array_get_length (failures); f++)
        {
          JsonObject *failure = json_array_get_object_element (failures, f);
          g_autofree char *name = pw_cli_escape (json_object_get_string_member_with_default (failure, "name", "?"), -1);
          g_auto(GStrv) lines = g_strsplit (json_object_get_string_member_with_default (failure, "message", ""),
                                            "\n", -1);

          if (max > 0 && shown == max)
            {
              fprintf (stream, "%s(and more: pipewright-cli reports)\n", indent);
              return;
            }
          fprintf (stream, "%sFAILED %s\n", indent, name);
          for (guint l = 0; lines[l] != NULL; l++)
            {
              g_autofree char *line = pw_cli_escape (lines[l], -1);

              if (*line != '\0')
                fprintf (stream, "%s    %s\n", indent, line);
              else if (lines[l + 1] != NULL)
                fputc ('\n', stream);
            }
          shown++;
        }
    }
}

/* A file that cannot be read as a pipeline, said as validate says it: its
 * line and a caret under the place. */
void
pw_cli_print_load_error (const char *path,
                         const char *contents,
                         gsize       length,
                         GError     *error)
{
  g_autoptr(GPtrArray) diagnostics = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) maps = g_ptr_array_new_with_free_func ((GDestroyNotify)pw_source_map_unref);
  g_autofree char *report = NULL;

  if (contents != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (contents, length);

      g_ptr_array_add (maps, pw_source_map_new (g_strcmp0 (path, "-") == 0 ? "<stdin>" : path, bytes));
    }
  g_ptr_array_add (diagnostics, diagnostic_from_error (path, error));
  report = pw_report_format (diagnostics, maps, PW_REPORT_HUMAN, pw_cli_use_color (stderr));
  fputs (report, stderr);
}

/* --parameter NAME=VALUE, given to the template's pipeline; FALSE (said)
 * for one that is no NAME=VALUE. */
static gboolean
apply_parameters (PwPipeline *pipeline,
                  char      **parameters)
{
  for (guint i = 0; parameters != NULL && parameters[i] != NULL; i++)
    {
      const char *eq = strchr (parameters[i], '=');
      g_autofree char *name = NULL;

      if (eq == NULL || eq == parameters[i])
        {
          pw_cli_print_error (_("--parameter takes NAME=VALUE, not '%s'"), parameters[i]);
          return FALSE;
        }
      name = g_strndup (parameters[i], eq - parameters[i]);
      pw_pipeline_set_cfn_parameter (pipeline, name, eq + 1);
    }
  return TRUE;
}

/* validate ----------------------------------------------------------------- */

#ifdef PW_HAVE_ENGINE
/* The local checks of @path's pipeline: its profile (an explicit one, or
 * pipewright.local.yml beside it) must load, and the files a run reads
 * are checked as the run checks them. */
static void
check_local (const char *path,
             PwPipeline *pipeline,
             const char *profile_path,
             GPtrArray  *diagnostics,
             GPtrArray  *maps)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwLocalProfile) profile = NULL;
  g_autofree char *beside = NULL;
  g_autoptr(GPtrArray) local = NULL;
  gboolean have_profile;

  if (profile_path == NULL)
    {
      g_autofree char *dir = g_path_get_dirname (path);

      beside = g_build_filename (dir, "pipewright.local.yml", NULL);
      profile_path = beside;
    }
  have_profile = g_file_test (profile_path, G_FILE_TEST_EXISTS);
  if (have_profile)
    profile = pw_local_profile_load (profile_path, &error);
  if (have_profile && profile == NULL)
    {
      PwDiagnostic *d = diagnostic_from_error (profile_path, error);
      PwDiagnostic *local_d = pw_diagnostic_new ("L07", PW_SEVERITY_ERROR, "", pw_diagnostic_get_message (d));
      g_autofree char *contents = NULL;
      gsize length;

      /* Its line and a caret, as for the pipeline's findings. */
      if (g_file_get_contents (profile_path, &contents, &length, NULL))
        {
          g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&contents), length);

          g_ptr_array_add (maps, pw_source_map_new (profile_path, bytes));
        }
      if (pw_diagnostic_get_file (d) != NULL)
        pw_diagnostic_set_location (local_d, pw_diagnostic_get_file (d), pw_diagnostic_get_line (d),
                                    pw_diagnostic_get_column (d));
      g_object_unref (d);
      g_ptr_array_add (diagnostics, local_d);
      return;
    }

  local = pw_local_check_pipeline (pipeline, path, profile, maps);
  for (guint d = 0; d < local->len; d++)
    g_ptr_array_add (diagnostics, g_object_ref (g_ptr_array_index (local, d)));
}
#endif

static int
cmd_validate (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GPtrArray) diagnostics = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) maps = g_ptr_array_new_with_free_func ((GDestroyNotify)pw_source_map_unref);
  g_autofree char *format = NULL;
  g_autofree char *resource = NULL;
  g_autofree char *report = NULL;
  g_autofree char *profile_path = NULL;
  g_auto(GStrv) parameters = NULL;
  gboolean warnings_ok = FALSE;
  gboolean quiet = FALSE;
  gboolean unreadable = FALSE;
  PwReportFormat report_format = PW_REPORT_HUMAN;
  guint errors = 0, warnings = 0, notes = 0;
  GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, N_("Output format: human (default), json or sarif"), N_("FORMAT") },
    { "resource", 'r', 0, G_OPTION_ARG_STRING, &resource, N_("Only this pipeline of a CloudFormation template (logical id)"), N_("ID") },
    { "warnings-ok", 0, 0, G_OPTION_ARG_NONE, &warnings_ok, N_("Exit 0 when there are warnings but no errors"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Leave out notes"), NULL },
    { "parameter", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &parameters,
      N_("A template parameter's value, deciding its conditions (Fn::If actions are then checked as "
         "the branch they choose)"), N_("NAME=VALUE") },
#ifdef PW_HAVE_ENGINE
    { "profile", 0, 0, G_OPTION_ARG_FILENAME, &profile_path,
      N_("The local profile runs use (default: pipewright.local.yml beside the file)"), N_("FILE") },
#endif
    { NULL }
  };

  context = pw_cli_new_context (_("FILE…"),
                                _("Checks pipeline files and CloudFormation templates against the rules "
                                  "AWS CodePipeline enforces.\n\n"
                                  "FILE is a CreatePipeline request (YAML or JSON, as taken by "
                                  "'aws codepipeline create-pipeline --cli-input-yaml'), a get-pipeline "
                                  "response, or a CloudFormation template; '-' reads standard input.\n\n"
                                  "Exit status: 0 no findings, 1 errors or warnings, 2 bad usage or "
                                  "unreadable input."),
                                entries);
  if (!pw_cli_parse_args (context, &argc, &argv))
    return EXIT_USAGE;

  if (format != NULL)
    {
      if (g_str_equal (format, "human"))
        report_format = PW_REPORT_HUMAN;
      else if (g_str_equal (format, "json"))
        report_format = PW_REPORT_JSON;
      else if (g_str_equal (format, "sarif"))
        report_format = PW_REPORT_SARIF;
      else
        {
          pw_cli_print_error (_("unknown format '%s'; use human, json or sarif"), format);
          return EXIT_USAGE;
        }
    }

  if (argc < 2)
    {
      pw_cli_print_error (_("no file given (see --help)"));
      return EXIT_USAGE;
    }

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PwDocument) document = NULL;
      g_autofree char *contents = NULL;
      gsize length = 0;
      g_auto(GStrv) ids = NULL;
      const char *name = g_strcmp0 (argv[i], "-") == 0 ? "<stdin>" : argv[i];

      if ((contents = read_input (argv[i], &length, &error)) != NULL)
        document = pw_document_load_data (contents, length, name, &error);
      if (document == NULL)
        {
          /* A file that is no YAML shows its line and a caret too. */
          if (contents != NULL)
            {
              g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&contents), length);

              g_ptr_array_add (maps, pw_source_map_new (name, bytes));
            }
          g_ptr_array_add (diagnostics, diagnostic_from_error (argv[i], error));
          unreadable = TRUE;
          continue;
        }

      g_ptr_array_add (maps, pw_source_map_ref (pw_document_get_source_map (document)));

      if (resource != NULL || pw_document_get_kind (document) != PW_DOCUMENT_CFN_TEMPLATE)
        {
          ids = g_new0 (char *, 2);
          ids[0] = g_strdup (resource);
        }
      else
        {
          ids = pw_document_dup_pipeline_ids (document);
          if (ids[0] == NULL)
            {
              g_clear_error (&error);
              g_set_error (&error, PW_CORE_ERROR, PW_CORE_ERROR_NOT_FOUND,
                           "%s: %s", argv[i], _("the template has no AWS::CodePipeline::Pipeline resource"));
              g_ptr_array_add (diagnostics, diagnostic_from_error (argv[i], error));
              unreadable = TRUE;
              continue;
            }
        }

      for (guint k = 0; k == 0 || ids[k] != NULL; k++)
        {
          g_autoptr(PwPipeline) pipeline = pw_document_dup_pipeline (document, ids[k], &error);
          g_autoptr(GPtrArray) found = NULL;

          if (pipeline == NULL)
            {
              g_ptr_array_add (diagnostics, diagnostic_from_error (argv[i], error));
              g_clear_error (&error);
              unreadable = TRUE;
              break;
            }

          if (!apply_parameters (pipeline, parameters))
            return EXIT_USAGE;
          found = pw_pipeline_validate (pipeline);
          for (guint d = 0; d < found->len; d++)
            {
              PwDiagnostic *one = g_ptr_array_index (found, d);

              /* Several pipelines in one template: each finding says whose. */
              if (ids[k] != NULL && (k > 0 || ids[k + 1] != NULL))
                {
                  g_autofree char *message = g_strdup_printf ("%s: %s", ids[k], pw_diagnostic_get_message (one));
                  PwDiagnostic *named = pw_diagnostic_new (pw_diagnostic_get_code (one),
                                                           pw_diagnostic_get_severity (one),
                                                           pw_diagnostic_get_path (one), message);

                  if (pw_diagnostic_get_file (one) != NULL)
                    pw_diagnostic_set_location (named, pw_diagnostic_get_file (one), pw_diagnostic_get_line (one),
                                                pw_diagnostic_get_column (one));
                  g_ptr_array_add (diagnostics, named);
                }
              else
                g_ptr_array_add (diagnostics, g_object_ref (one));
            }

#ifdef PW_HAVE_ENGINE
          /* And what a local run would read beside it: the profile, the
           * buildspecs, the appspecs (not for standard input, which has no
           * folder). */
          if (!g_str_equal (argv[i], "-"))
            check_local (argv[i], pipeline, profile_path, diagnostics, maps);
#endif

          keep (g_steal_pointer (&pipeline));

          if (ids[k] == NULL)
            break;
        }

      keep (g_steal_pointer (&document));
    }

  if (quiet)
    {
      for (guint i = diagnostics->len; i > 0; i--)
        if (pw_diagnostic_get_severity (g_ptr_array_index (diagnostics, i - 1)) == PW_SEVERITY_NOTE)
          g_ptr_array_remove_index (diagnostics, i - 1);
    }

  for (guint i = 0; i < diagnostics->len; i++)
    {
      switch (pw_diagnostic_get_severity (g_ptr_array_index (diagnostics, i)))
        {
        case PW_SEVERITY_ERROR:
          errors++;
          break;
        case PW_SEVERITY_WARNING:
          warnings++;
          break;
        case PW_SEVERITY_NOTE:
        default:
          notes++;
          break;
        }
    }

  report = pw_report_format (diagnostics, maps, report_format,
                             report_format == PW_REPORT_HUMAN && pw_cli_use_color (stderr));

  if (report_format == PW_REPORT_HUMAN)
    {
      if (diagnostics->len > 0)
        fputs (report, stderr);
    }
  else
    fputs (report, stdout);

  if (unreadable)
    return EXIT_USAGE;
  if (errors > 0 || (warnings > 0 && !warnings_ok))
    return EXIT_FINDINGS;
  return EXIT_OK;
}

/* export / import ---------------------------------------------------------- */

static int
convert (const char     *input,
         const char     *resource,
         char          **parameters,
         PwOutputFormat  format,
         const char     *output,
         gboolean        force)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwDocument) document = NULL;
  g_autoptr(PwPipeline) pipeline = NULL;
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) maps = g_ptr_array_new_with_free_func ((GDestroyNotify)pw_source_map_unref);
  g_autofree char *text = NULL;
  guint errors = 0;

  document = load_document (input, &error);
  if (document == NULL)
    {
      pw_cli_print_error ("%s", error->message);
      return EXIT_USAGE;
    }

  pipeline = pw_document_dup_pipeline (document, resource, &error);
  if (pipeline == NULL)
    {
      pw_cli_print_error ("%s", error->message);
      return EXIT_USAGE;
    }

  if (!apply_parameters (pipeline, parameters))
    return EXIT_USAGE;

  /* Only errors and warnings matter here; notes about CloudFormation
   * values are what the conversion below reports as it fixes them. */
  found = pw_pipeline_validate (pipeline);
  for (guint i = 0; i < found->len; i++)
    {
      PwDiagnostic *d = g_ptr_array_index (found, i);

      if (pw_diagnostic_get_severity (d) == PW_SEVERITY_NOTE)
        continue;
      /* An intrinsic in a pipeline file is what the API cannot take, and
       * what CloudFormation resolves: the template made below gives it a
       * parameter to refer to. */
      if ((format == PW_OUTPUT_CFN_JSON || format == PW_OUTPUT_CFN_YAML) &&
          g_str_equal (pw_diagnostic_get_code (d), "P35"))
        continue;
      if (pw_diagnostic_get_severity (d) == PW_SEVERITY_ERROR)
        errors++;
      g_ptr_array_add (problems, g_object_ref (d));
    }

  if (problems->len > 0)
    {
      g_autofree char *report = NULL;

      g_ptr_array_add (maps, pw_source_map_ref (pw_document_get_source_map (document)));
      report = pw_report_format (problems, maps, PW_REPORT_HUMAN, pw_cli_use_color (stderr));
      fputs (report, stderr);
    }

  if (errors > 0 && !force)
    {
      pw_cli_print_error (_("not written: the pipeline has errors that AWS would reject; fix them, or "
                     "use --force to write it anyway"));
      return EXIT_FINDINGS;
    }

  text = pw_pipeline_serialize (pipeline, format, notes, &error);
  if (text == NULL)
    {
      pw_cli_print_error ("%s", error->message);
      return EXIT_FINDINGS;
    }

  print_notes (notes);

  if (!write_output (output, text, &error))
    {
      pw_cli_print_error ("%s", error->message);
      return EXIT_USAGE;
    }

  /* A pipeline file converted from CloudFormation may still hold values
   * only CloudFormation can resolve (!Ref, !GetAtt): check what was
   * written as the AWS CLI would see it, and say what is left to do. */
  if ((format == PW_OUTPUT_YAML || format == PW_OUTPUT_JSON) &&
      pw_pipeline_get_origin (pipeline) != PW_PIPELINE_ORIGIN_PIPELINE_FILE)
    {
      g_autoptr(PwDocument) written = NULL;
      g_autoptr(PwPipeline) check = NULL;
      g_autoptr(GPtrArray) left = NULL;
      g_autoptr(GPtrArray) shown = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(GPtrArray) written_maps = g_ptr_array_new_with_free_func ((GDestroyNotify)pw_source_map_unref);
      const char *name = (output != NULL && g_strcmp0 (output, "-") != 0) ? output : "<stdout>";

      written = pw_document_load_data (text, -1, name, NULL);
      if (written != NULL)
        check = pw_document_dup_pipeline (written, NULL, NULL);
      if (check != NULL)
        {
          left = pw_pipeline_validate (check);
          for (guint i = 0; i < left->len; i++)
            {
              PwDiagnostic *d = g_ptr_array_index (left, i);

              if (pw_diagnostic_get_severity (d) != PW_SEVERITY_ERROR)
                continue;
              errors++;
              g_ptr_array_add (shown, g_object_ref (d));
            }
          if (shown->len > 0)
            {
              g_autofree char *report = NULL;

              g_ptr_array_add (written_maps, pw_source_map_ref (pw_document_get_source_map (written)));
              report = pw_report_format (shown, written_maps, PW_REPORT_HUMAN, pw_cli_use_color (stderr));
              fprintf (stderr, "%s\n", _("The pipeline file was written, but the AWS CLI will reject it until these are fixed:"));
              fputs (report, stderr);
            }
        }
    }

  return errors > 0 ? EXIT_FINDINGS : EXIT_OK;
}

static int
cmd_export (int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *to = NULL;
  g_autofree char *output = NULL;
  g_autofree char *resource = NULL;
  g_auto(GStrv) parameters = NULL;
  gboolean force = FALSE;
  PwOutputFormat format;
  GOptionEntry entries[] = {
    { "parameter", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &parameters, N_("Give a template parameter a value (also AWS::Region, AWS::AccountId, AWS::StackName), used to resolve !Ref and !Sub when writing a pipeline file"), N_("NAME=VALUE") },
    { "to", 't', 0, G_OPTION_ARG_STRING, &to, N_("yaml, json (pipeline file), cfn-json or cfn-yaml (CloudFormation template)"), N_("FORMAT") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write to FILE (atomically) instead of standard output"), N_("FILE") },
    { "resource", 'r', 0, G_OPTION_ARG_STRING, &resource, N_("Which pipeline of a CloudFormation template (logical id)"), N_("ID") },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, N_("Write even when validation finds errors"), NULL },
    { NULL }
  };

  context = pw_cli_new_context (_("FILE"),
                                _("Writes a pipeline as a pipeline file that 'aws codepipeline "
                                  "create-pipeline --cli-input-yaml/--cli-input-json' accepts unchanged, "
                                  "or as a complete CloudFormation template.\n\n"
                                  "A pipeline imported from a template keeps that whole template, with "
                                  "every intrinsic and unknown property as it was."),
                                entries);
  if (!pw_cli_parse_args (context, &argc, &argv))
    return EXIT_USAGE;

  if (to == NULL)
    {
      pw_cli_print_error (_("say which format with --to yaml|json|cfn-json|cfn-yaml"));
      return EXIT_USAGE;
    }
  if (!pw_output_format_from_string (to, &format))
    {
      pw_cli_print_error (_("unknown format '%s'; use yaml, json, cfn-json or cfn-yaml"), to);
      return EXIT_USAGE;
    }
  if (argc != 2)
    {
      pw_cli_print_error (_("give exactly one input file (see --help)"));
      return EXIT_USAGE;
    }

  return convert (argv[1], resource, parameters, format, output, force);
}

static int
cmd_import (int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *to = NULL;
  g_autofree char *output = NULL;
  g_autofree char *resource = NULL;
  g_auto(GStrv) parameters = NULL;
  gboolean force = FALSE;
  PwOutputFormat format = PW_OUTPUT_YAML;
  GOptionEntry entries[] = {
    { "parameter", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &parameters, N_("Give a template parameter a value (also AWS::Region, AWS::AccountId, AWS::StackName); !Ref and !Sub of parameters resolve to it, or to the parameter's Default"), N_("NAME=VALUE") },
    { "resource", 'r', 0, G_OPTION_ARG_STRING, &resource, N_("Which AWS::CodePipeline::Pipeline resource (logical id); needed when the template has several"), N_("ID") },
    { "to", 't', 0, G_OPTION_ARG_STRING, &to, N_("yaml (default) or json"), N_("FORMAT") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write to FILE (atomically) instead of standard output"), N_("FILE") },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, N_("Write even when validation finds errors"), NULL },
    { NULL }
  };

  context = pw_cli_new_context (_("TEMPLATE"),
                                _("Turns a pipeline of a CloudFormation (or SAM) template, JSON or YAML, "
                                  "into a pipeline file. Values CloudFormation accepts but the API types "
                                  "differently (Version: 1, RunOrder: '1', PollForSourceChanges: false) "
                                  "are converted, and each conversion is reported."),
                                entries);
  if (!pw_cli_parse_args (context, &argc, &argv))
    return EXIT_USAGE;

  if (to != NULL && (!pw_output_format_from_string (to, &format) ||
                     (format != PW_OUTPUT_YAML && format != PW_OUTPUT_JSON)))
    {
      pw_cli_print_error (_("unknown format '%s'; use yaml or json"), to);
      return EXIT_USAGE;
    }
  if (argc != 2)
    {
      pw_cli_print_error (_("give exactly one template (see --help)"));
      return EXIT_USAGE;
    }

  return convert (argv[1], resource, parameters, format, output, force);
}

/* fmt ---------------------------------------------------------------------- */

static char *
format_document (PwDocument  *document,
                 GError     **error)
{
  JsonNode *root = pw_document_get_root (document);

  if (pw_document_get_syntax (document) == PW_SYNTAX_JSON)
    return pw_json_emit (root);

  return pw_yaml_emit (root,
                       pw_document_get_kind (document) == PW_DOCUMENT_CFN_TEMPLATE
                         ? PW_YAML_EMIT_CFN_SHORT_TAGS : PW_YAML_EMIT_NONE,
                       error);
}

/* What --check shows: a unified diff of @name as it is and formatted,
 * through diff(1) (Debian's diffutils is always there). */
static void
print_diff (const char *name,
            const char *original,
            gsize       length,
            const char *formatted)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("pw-fmt-XXXXXX", &error);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *label_a = g_strdup_printf ("a/%s", name);
  g_autofree char *label_b = g_strdup_printf ("b/%s", name);
  g_autofree char *out = NULL;
  g_autoptr(GSubprocess) diff = NULL;

  if (dir != NULL)
    {
      a = g_build_filename (dir, "a", NULL);
      b = g_build_filename (dir, "b", NULL);
      if (g_file_set_contents (a, original, length, &error) &&
          g_file_set_contents (b, formatted, -1, &error))
        diff = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "diff", "-u",
                                 "--label", label_a, "--label", label_b, a, b, NULL);
      if (diff != NULL)
        g_subprocess_communicate_utf8 (diff, NULL, NULL, &out, NULL, &error);
      if (a != NULL)
        g_unlink (a);
      if (b != NULL)
        g_unlink (b);
      g_rmdir (dir);
    }
  if (out != NULL)
    fputs (out, stdout);
  else
    printf ("%s\n", name);
}

static int
cmd_fmt (int    argc,
         char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *output = NULL;
  gboolean check = FALSE;
  int status = EXIT_OK;
  GOptionEntry entries[] = {
    { "check", 'c', 0, G_OPTION_ARG_NONE, &check, N_("Change nothing; show what formatting would change, as a unified diff, and exit 1 if it would change anything"), NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write to FILE instead of rewriting the input ('-' for standard output)"), N_("FILE") },
    { NULL }
  };

  context = pw_cli_new_context (_("FILE…"),
                                _("Rewrites pipeline files and templates in canonical form: two-space "
                                  "indentation, keys in their original order, strings quoted only where "
                                  "YAML needs it. Formatting twice changes nothing. Files are replaced "
                                  "atomically, and only when their text changes; a YAML file with "
                                  "comments is left as it is (formatting would lose them)."),
                                entries);
  if (!pw_cli_parse_args (context, &argc, &argv))
    return EXIT_USAGE;

  if (argc < 2)
    {
      pw_cli_print_error (_("no file given (see --help)"));
      return EXIT_USAGE;
    }
  if (output != NULL && argc != 2)
    {
      pw_cli_print_error (_("--output takes a single input file"));
      return EXIT_USAGE;
    }

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *original = NULL;
      g_autofree char *formatted = NULL;
      g_autoptr(PwDocument) document = NULL;
      gsize length = 0;
      const char *name = g_strcmp0 (argv[i], "-") == 0 ? "<stdin>" : argv[i];

      original = read_input (argv[i], &length, &error);
      if (original != NULL)
        document = pw_document_load_data (original, length, name, &error);
      if (document != NULL)
        formatted = format_document (document, &error);
      if (formatted == NULL)
        {
          pw_cli_print_error ("%s", error->message);
          status = EXIT_USAGE;
          continue;
        }

      /* Formatting re-emits the YAML, which would lose its comments: a
       * commented file is left as the user wrote it, and said to be. */
      {
        guint comment_line = 0;

        if (pw_document_get_syntax (document) != PW_SYNTAX_JSON &&
            (length != strlen (formatted) || memcmp (original, formatted, length) != 0) &&
            pw_yaml_find_comment (original, length, &comment_line))
          {
            fprintf (stderr, _("%s:%u: has comments, which formatting would lose; the file was "
                               "left as it is (format it without its comments, or keep it as "
                               "you wrote it)\n"), name, comment_line);
            if (status == EXIT_OK)
              status = EXIT_FINDINGS;
            continue;
          }
      }

      if (check)
        {
          if (length != strlen (formatted) || memcmp (original, formatted, length) != 0)
            {
              print_diff (name, original, length, formatted);
              if (status == EXIT_OK)
                status = EXIT_FINDINGS;
            }
          continue;
        }

      if (output != NULL || g_strcmp0 (argv[i], "-") == 0)
        {
          if (!write_output (output, formatted, &error))
            {
              pw_cli_print_error ("%s", error->message);
              status = EXIT_USAGE;
            }
          continue;
        }

      if (length == strlen (formatted) && memcmp (original, formatted, length) == 0)
        continue;

      if (!pw_file_replace_contents (argv[i], formatted, strlen (formatted), &error))
        {
          pw_cli_print_error ("%s", error->message);
          status = EXIT_USAGE;
        }
    }

  return status;
}

/* graph -------------------------------------------------------------------- */

static int
cmd_graph (int    argc,
           char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PwDocument) document = NULL;
  g_autoptr(PwPipeline) pipeline = NULL;
  g_autofree char *format = NULL;
  g_autofree char *output = NULL;
  g_autofree char *resource = NULL;
  g_autofree char *dot = NULL;
  GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, N_("Graph format: dot (default)"), N_("FORMAT") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write to FILE instead of standard output"), N_("FILE") },
    { "resource", 'r', 0, G_OPTION_ARG_STRING, &resource, N_("Which pipeline of a CloudFormation template (logical id)"), N_("ID") },
    { NULL }
  };

  context = pw_cli_new_context (_("FILE"),
                                _("Draws the pipeline as a Graphviz digraph: stages left to right, their "
                                  "runOrder groups inside, and an edge for every artifact from the "
                                  "action that produces it to each action that reads it.\n\n"
                                  "Example: pipewright-cli graph pipeline.yml | dot -Tsvg > pipeline.svg"),
                                entries);
  if (!pw_cli_parse_args (context, &argc, &argv))
    return EXIT_USAGE;

  if (format != NULL && !g_str_equal (format, "dot"))
    {
      pw_cli_print_error (_("unknown graph format '%s'; only dot is supported"), format);
      return EXIT_USAGE;
    }
  if (argc != 2)
    {
      pw_cli_print_error (_("give exactly one input file (see --help)"));
      return EXIT_USAGE;
    }

  document = load_document (argv[1], &error);
  if (document != NULL)
    pipeline = pw_document_dup_pipeline (document, resource, &error);
  if (pipeline == NULL)
    {
      pw_cli_print_error ("%s", error->message);
      return EXIT_USAGE;
    }

  dot = pw_pipeline_to_dot (pipeline);
  if (!write_output (output, dot, &error))
    {
      pw_cli_print_error ("%s", error->message);
      return EXIT_USAGE;
    }

  return EXIT_OK;
}

/* edit --------------------------------------------------------------------- */

typedef enum
{
  EDIT_SET,
  EDIT_REMOVE,
  EDIT_INSERT,
  EDIT_MOVE_ACTION,
  EDIT_ADD_ACTION,
  EDIT_ADD_STAGE,
  EDIT_MOVE_STAGE,
} EditKind;

typedef struct
{
  EditKind   kind;
  char      *option;       /* as written, for messages */
  char      *a;
  char      *b;
  /* --add-action */
  char      *type;
  char      *run_order;
  GPtrArray *config;
  GPtrArray *inputs;
  GPtrArray *outputs;
  /* --add-stage, --move-stage */
  char      *before;
} EditOp;

static void
edit_op_free (gpointer data)
{
  EditOp *op = data;

  g_free (op->option);
  g_free (op->a);
  g_free (op->b);
  g_free (op->type);
  g_free (op->run_order);
  g_clear_pointer (&op->config, g_ptr_array_unref);
  g_clear_pointer (&op->inputs, g_ptr_array_unref);
  g_clear_pointer (&op->outputs, g_ptr_array_unref);
  g_free (op->before);
  g_free (op);
}

static void
print_edit_help (void)
{
  printf ("%s\n", _("Usage:\n"
                    "  pipewright-cli edit [OPTION…] FILE OPERATION…"));
  printf ("\n%s\n", _("Edits a pipeline file or a CloudFormation template the way a person would: only "
                      "the lines the operations touch change, and comments, key order, quoting, "
                      "anchors and every other resource of a template stay as they were. The "
                      "operations apply in the order given; the result is validated, and written "
                      "even when it has findings."));
  printf ("\n%s\n", _("Operations:"));
  printf ("  %-44s %s\n", "--set PATH=VALUE",
          _("Set a value (created with its parents if missing)"));
  printf ("  %-44s %s\n", "--remove PATH", _("Remove a member or a list item"));
  printf ("  %-44s %s\n", "--insert LIST-PATH=VALUE", _("Append an item to a list"));
  printf ("  %-44s %s\n", "--move-action STAGE/ACTION TO-STAGE[:RUNORDER]",
          _("Move an action to the end of a stage"));
  printf ("  %-44s %s\n", "--add-action STAGE NAME --type C/O/P/V",
          _("Add an action (category/owner/provider/version)"));
  printf ("  %-44s %s\n", "    [--run-order N] [--config KEY=VALUE]…", "");
  printf ("  %-44s %s\n", "    [--input-artifact NAME]… [--output-artifact NAME]…", "");
  printf ("  %-44s %s\n", "--add-stage NAME [--before STAGE]", _("Add an empty stage (add actions next)"));
  printf ("  %-44s %s\n", "--move-stage STAGE [--before STAGE]", _("Move a stage (to the end without --before)"));
  printf ("\n%s\n", _("Options:"));
  printf ("  %-44s %s\n", "-i, --in-place", _("Rewrite FILE (atomically)"));
  printf ("  %-44s %s\n", "-o, --output FILE", _("Write to FILE (atomically) instead of standard output"));
  printf ("  %-44s %s\n", "-r, --resource ID", _("Which pipeline of a CloudFormation template (logical id)"));
  printf ("  %-44s %s\n", "--warnings-ok", _("Exit 0 when there are warnings but no errors"));
  printf ("  %-44s %s\n", "-q, --quiet", _("Leave out notes"));
  printf ("\n%s\n", _("PATH is a model path as in the diagnostics, with the API's camelCase keys even "
                      "in templates: stages[1].actions[0].configuration.ProjectName. A stage or action "
                      "is renamed with --set of its name. STAGE and ACTION are names (or indices).\n\n"
                      "VALUE is typed as the model types it: configuration values, names and other "
                      "text fields are strings as written, runOrder and timeoutInMinutes whole numbers; "
                      "anything else is read as a YAML flow value ([a, b], {k: v}, \"quoted\"). In a "
                      "template a value starting with '!' is a short-form intrinsic (!Ref Bucket). "
                      "Items of inputArtifacts and outputArtifacts may be given by name alone.\n\n"
                      "Exit status: 0 no findings, 1 errors or warnings in the result, 2 bad usage, "
                      "unreadable input, or an edit that could not be made (then nothing is written)."));
}

/* Keys whose values the model types as strings, and as whole numbers. */
static const char *const string_keys[] = {
  "name", "roleArn", "pipelineType", "executionMode", "category", "owner", "provider",
  "version", "namespace", "region", "location", "type", "id", "defaultValue", "description",
  "result", "retryMode", "stageName", "reason", "key", "value", "sourceActionName",
  "providerType", NULL
};
static const char *const integer_keys[] = { "runOrder", "timeoutInMinutes", NULL };

/* The last key of a model path, and the one before it. */
static void
path_keys (const char  *path,
           char       **last,
           char       **parent)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  guint n = g_strv_length (parts);

  *last = n > 0 ? g_strdup (parts[n - 1]) : g_strdup ("");
  *parent = n > 1 ? g_strdup (parts[n - 2]) : NULL;
  if (*parent != NULL && strchr (*parent, '[') != NULL)
    *strchr (*parent, '[') = '\0';
}

static JsonNode *
parse_yaml_value (const char  *text,
                  gboolean     cfn,
                  GError     **error)
{
  return pw_yaml_parse (text, -1, NULL, cfn ? PW_YAML_PARSE_CFN_TAGS : PW_YAML_PARSE_NONE, error);
}

/* VALUE of --set PATH=VALUE, typed as the model types PATH. */
static JsonNode *
typed_value (const char  *path,
             const char  *text,
             gboolean     cfn,
             GError     **error)
{
  g_autofree char *last = NULL;
  g_autofree char *parent = NULL;

  path_keys (path, &last, &parent);

  /* A short-form intrinsic, in a template, whatever the type. */
  if (cfn && text[0] == '!')
    return parse_yaml_value (text, TRUE, error);

  if (strchr (last, '[') == NULL &&
      (g_strcmp0 (parent, "configuration") == 0 ||
       (g_strv_contains (string_keys, last) && !(parent == NULL && g_str_equal (last, "version")))))
    {
      JsonNode *node = json_node_alloc ();

      return json_node_init_string (node, text);
    }

  if (strchr (last, '[') == NULL &&
      (g_strv_contains (integer_keys, last) || (parent == NULL && g_str_equal (last, "version"))))
    {
      char *end = NULL;
      gint64 number = g_ascii_strtoll (text, &end, 10);

      if (text[0] == '\0' || end == NULL || *end != '\0')
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("%s takes a whole number, not '%s'"), last, text);
          return NULL;
        }
      return json_node_init_int (json_node_alloc (), number);
    }

  return parse_yaml_value (text, cfn, error);
}

static gboolean
split_assignment (const EditOp  *op,
                  const char    *text,
                  char         **path,
                  char         **value,
                  GError       **error)
{
  const char *eq = strchr (text, '=');

  if (eq == NULL || eq == text)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%s takes PATH=VALUE, not '%s'"), op->option, text);
      return FALSE;
    }

  *path = g_strndup (text, eq - text);
  *value = g_strdup (eq + 1);
  return TRUE;
}

typedef const char *(*NameAt) (gpointer container,
                                guint    index);

static const char *
stage_name_at (gpointer pipeline,
               guint    index)
{
  return pw_stage_get_name (pw_pipeline_get_stage (pipeline, index));
}

static const char *
action_name_at (gpointer stage,
                guint    index)
{
  return pw_action_get_name (pw_stage_get_action (stage, index));
}

/* The item of @container called @name, or numbered @name; else FALSE and
 * the names there are, for the message. */
static gboolean
find_named (gpointer    container,
            guint       n,
            NameAt      name_at,
            const char *name,
            guint      *index,
            GString    *names)
{
  for (guint i = 0; i < n; i++)
    {
      const char *item = name_at (container, i);

      if (g_strcmp0 (item, name) == 0)
        {
          *index = i;
          return TRUE;
        }
      if (item != NULL)
        g_string_append_printf (names, "%s%s", names->len > 0 ? ", " : "", item);
    }

  if (name[0] != '\0' && strspn (name, "0123456789") == strlen (name) && (guint)atoi (name) < n)
    {
      *index = (guint)atoi (name);
      return TRUE;
    }

  if (names->len == 0)
    g_string_append (names, _("none"));
  return FALSE;
}

/* A stage by name (or index), in the document as it is now. */
static gboolean
find_stage (PwEditor    *editor,
            const char  *resource,
            const char  *name,
            guint       *index,
            GError     **error)
{
  g_autoptr(PwPipeline) pipeline = pw_document_dup_pipeline (pw_editor_get_document (editor), resource, error);
  g_autoptr(GString) names = g_string_new (NULL);

  if (pipeline == NULL)
    return FALSE;

  if (find_named (pipeline, pw_pipeline_get_n_stages (pipeline), stage_name_at, name, index, names))
    return TRUE;

  g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_NOT_FOUND,
               _("there is no stage '%s'; the stages are: %s"), name, names->str);
  return FALSE;
}

static gboolean
find_action (PwEditor    *editor,
             const char  *resource,
             guint        stage_index,
             const char  *name,
             guint       *index,
             GError     **error)
{
  g_autoptr(PwPipeline) pipeline = pw_document_dup_pipeline (pw_editor_get_document (editor), resource, error);
  g_autoptr(GString) names = g_string_new (NULL);
  PwStage *stage;

  if (pipeline == NULL)
    return FALSE;

  stage = pw_pipeline_get_stage (pipeline, stage_index);
  if (find_named (stage, pw_stage_get_n_actions (stage), action_name_at, name, index, names))
    return TRUE;

  g_set_error (error, PW_CORE_ERROR, PW_CORE_ERROR_NOT_FOUND,
               _("stage '%s' has no action '%s'; its actions are: %s"),
               pw_stage_get_name (stage) != NULL ? pw_stage_get_name (stage) : "?", name, names->str);
  return FALSE;
}

static JsonNode *
artifact_list (GPtrArray *names)
{
  JsonArray *array = json_array_new ();
  JsonNode *node;

  for (guint i = 0; i < names->len; i++)
    {
      JsonObject *artifact = json_object_new ();

      json_object_set_string_member (artifact, "name", g_ptr_array_index (names, i));
      json_array_add_object_element (array, artifact);
    }

  node = json_node_init_array (json_node_alloc (), array);
  json_array_unref (array);
  return node;
}

static gboolean
apply_edit (PwEditor     *editor,
            const char   *resource,
            gboolean      cfn,
            const EditOp *op,
            GError      **error)
{
  switch (op->kind)
    {
    case EDIT_SET:
    case EDIT_INSERT:
      {
        g_autofree char *path = NULL;
        g_autofree char *text = NULL;
        g_autoptr(JsonNode) value = NULL;

        if (!split_assignment (op, op->a, &path, &text, error))
          return FALSE;

        if (op->kind == EDIT_SET)
          {
            value = typed_value (path, text, cfn, error);
            return value != NULL && pw_editor_set (editor, path, value, error);
          }

        /* An artifact may be given by its name alone. */
        if ((g_str_has_suffix (path, "inputArtifacts") || g_str_has_suffix (path, "outputArtifacts")) &&
            text[0] != '{')
          {
            JsonObject *artifact = json_object_new ();

            json_object_set_string_member (artifact, "name", text);
            value = json_node_init_object (json_node_alloc (), artifact);
            json_object_unref (artifact);
          }
        else if ((value = parse_yaml_value (text, cfn, error)) == NULL)
          return FALSE;

        return pw_editor_insert (editor, path, -1, value, error);
      }

    case EDIT_REMOVE:
      return pw_editor_remove (editor, op->a, error);

    case EDIT_MOVE_ACTION:
      {
        g_autofree char *stage_name = NULL;
        g_autofree char *target = g_strdup (op->b);
        const char *slash = strrchr (op->a, '/');
        char *colon = strrchr (target, ':');
        guint stage, action, to_stage;
        gint64 run_order = 1;

        if (slash == NULL || slash == op->a || slash[1] == '\0')
          {
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         _("--move-action takes STAGE/ACTION, not '%s'"), op->a);
            return FALSE;
          }
        stage_name = g_strndup (op->a, slash - op->a);
        if (colon != NULL)
          *colon = '\0';

        if (!find_stage (editor, resource, stage_name, &stage, error) ||
            !find_action (editor, resource, stage, slash + 1, &action, error) ||
            !find_stage (editor, resource, target, &to_stage, error))
          return FALSE;

        if (colon != NULL)
          {
            char *end = NULL;

            run_order = g_ascii_strtoll (colon + 1, &end, 10);
            if (colon[1] == '\0' || end == NULL || *end != '\0')
              {
                g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                             _("the runOrder after ':' must be a whole number, not '%s'"), colon + 1);
                return FALSE;
              }
          }
        else
          {
            /* The action keeps its group number. */
            g_autoptr(PwPipeline) pipeline = pw_document_dup_pipeline (pw_editor_get_document (editor),
                                                                       resource, error);

            if (pipeline == NULL)
              return FALSE;
            run_order = pw_action_get_run_order (pw_stage_get_action (pw_pipeline_get_stage (pipeline, stage),
                                                                     action));
            if (run_order < 1)
              run_order = 1;
          }

        return pw_editor_move_action (editor, stage, action, to_stage, -1, run_order, FALSE, error);
      }

    case EDIT_ADD_ACTION:
      {
        g_auto(GStrv) type = NULL;
        g_autoptr(JsonNode) action = NULL;
        JsonObject *object;
        JsonObject *type_id;
        guint stage;

        if (op->type == NULL)
          {
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         _("--add-action %s %s needs --type CATEGORY/OWNER/PROVIDER/VERSION"),
                         op->a, op->b);
            return FALSE;
          }
        type = g_strsplit (op->type, "/", -1);
        if (g_strv_length (type) != 4)
          {
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         _("--type takes CATEGORY/OWNER/PROVIDER/VERSION, e.g. Build/AWS/CodeBuild/1, not '%s'"),
                         op->type);
            return FALSE;
          }
        if (!find_stage (editor, resource, op->a, &stage, error))
          return FALSE;

        action = json_node_init_object (json_node_alloc (), json_object_new ());
        json_object_unref (json_node_get_object (action));
        object = json_node_get_object (action);
        json_object_set_string_member (object, "name", op->b);
        type_id = json_object_new ();
        json_object_set_string_member (type_id, "category", type[0]);
        json_object_set_string_member (type_id, "owner", type[1]);
        json_object_set_string_member (type_id, "provider", type[2]);
        json_object_set_string_member (type_id, "version", type[3]);
        json_object_set_object_member (object, "actionTypeId", type_id);

        if (op->run_order != NULL)
          {
            g_autoptr(JsonNode) run_order = typed_value ("runOrder", op->run_order, FALSE, error);

            if (run_order == NULL)
              return FALSE;
            json_object_set_member (object, "runOrder", g_steal_pointer (&run_order));
          }
        if (op->config != NULL)
          {
            JsonObject *configuration = json_object_new ();

            for (guint i = 0; i < op->config->len; i++)
              {
                const char *assignment = g_ptr_array_index (op->config, i);
                const char *eq = strchr (assignment, '=');
                g_autofree char *key = NULL;

                if (eq == NULL || eq == assignment)
                  {
                    json_object_unref (configuration);
                    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                                 _("--config takes KEY=VALUE, not '%s'"), assignment);
                    return FALSE;
                  }
                key = g_strndup (assignment, eq - assignment);
                if (cfn && eq[1] == '!')
                  {
                    JsonNode *intrinsic = parse_yaml_value (eq + 1, TRUE, error);

                    if (intrinsic == NULL)
                      {
                        json_object_unref (configuration);
                        return FALSE;
                      }
                    json_object_set_member (configuration, key, intrinsic);
                  }
                else
                  json_object_set_string_member (configuration, key, eq + 1);
              }
            json_object_set_object_member (object, "configuration", configuration);
          }
        if (op->inputs != NULL)
          json_object_set_member (object, "inputArtifacts", artifact_list (op->inputs));
        if (op->outputs != NULL)
          json_object_set_member (object, "outputArtifacts", artifact_list (op->outputs));

        return pw_editor_add_action (editor, stage, -1, action, FALSE, error);
      }

    case EDIT_ADD_STAGE:
      {
        g_autoptr(JsonNode) stage = json_node_init_object (json_node_alloc (), json_object_new ());
        int position = -1;

        json_object_unref (json_node_get_object (stage));
        json_object_set_string_member (json_node_get_object (stage), "name", op->a);
        json_object_set_array_member (json_node_get_object (stage), "actions", json_array_new ());

        if (op->before != NULL)
          {
            guint before;

            if (!find_stage (editor, resource, op->before, &before, error))
              return FALSE;
            position = (int)before;
          }

        return pw_editor_add_stage (editor, position, stage, error);
      }

    case EDIT_MOVE_STAGE:
    default:
      {
        g_autoptr(PwPipeline) pipeline = NULL;
        guint stage, to;

        if (!find_stage (editor, resource, op->a, &stage, error))
          return FALSE;
        if (op->before != NULL)
          {
            if (!find_stage (editor, resource, op->before, &to, error))
              return FALSE;
            /* Its place once the stage has left its own. */
            if (to > stage)
              to--;
          }
        else
          {
            pipeline = pw_document_dup_pipeline (pw_editor_get_document (editor), resource, error);
            if (pipeline == NULL)
              return FALSE;
            to = pw_pipeline_get_n_stages (pipeline) - 1;
          }

        return pw_editor_move_stage (editor, stage, to, error);
      }
    }
}

/* The value of an option: `--opt=value` or the next argument. */
static const char *
option_value (int          argc,
              char       **argv,
              int         *i,
              const char  *name,
              GError     **error)
{
  const char *arg = argv[*i];
  gsize len = strlen (name);

  if (strncmp (arg, name, len) == 0 && arg[len] == '=')
    return arg + len + 1;

  if (*i + 1 >= argc)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("missing argument for %s"), name);
      return NULL;
    }

  return argv[++*i];
}

static gboolean
is_option (const char *arg,
           const char *name)
{
  gsize len = strlen (name);

  return strncmp (arg, name, len) == 0 && (arg[len] == '\0' || arg[len] == '=');
}

/* g_set_str() is GLib 2.76. */
static void
replace_string (char       **string,
                const char  *value)
{
  g_free (*string);
  *string = g_strdup (value);
}

static EditOp *
last_op (GPtrArray *ops,
         EditKind   kind)
{
  if (ops->len > 0 && ((EditOp *)g_ptr_array_index (ops, ops->len - 1))->kind == kind)
    return g_ptr_array_index (ops, ops->len - 1);

  return NULL;
}

static int
cmd_edit (int    argc,
          char **argv)
{
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func (edit_op_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(PwDocument) document = NULL;
  g_autoptr(PwEditor) editor = NULL;
  g_autoptr(PwPipeline) pipeline = NULL;
  g_autoptr(GPtrArray) diagnostics = NULL;
  g_autoptr(GPtrArray) maps = g_ptr_array_new_with_free_func ((GDestroyNotify)pw_source_map_unref);
  g_autofree char *contents = NULL;
  const char *file = NULL;
  const char *output = NULL;
  const char *resource = NULL;
  gboolean in_place = FALSE;
  gboolean warnings_ok = FALSE;
  gboolean quiet = FALSE;
  gboolean cfn;
  guint errors = 0, warnings = 0;
  gsize length = 0;

  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];
      const char *value = NULL;
      EditOp *op = NULL;

      if (g_str_equal (arg, "-h") || g_str_equal (arg, "--help"))
        {
          print_edit_help ();
          return EXIT_OK;
        }
      else if (g_str_equal (arg, "-i") || g_str_equal (arg, "--in-place"))
        in_place = TRUE;
      else if (g_str_equal (arg, "-q") || g_str_equal (arg, "--quiet"))
        quiet = TRUE;
      else if (g_str_equal (arg, "--warnings-ok"))
        warnings_ok = TRUE;
      else if (g_str_equal (arg, "-o") || is_option (arg, "--output"))
        output = option_value (argc, argv, &i, "--output", &error);
      else if (g_str_equal (arg, "-r") || is_option (arg, "--resource"))
        resource = option_value (argc, argv, &i, "--resource", &error);
      else if (is_option (arg, "--set") || is_option (arg, "--remove") || is_option (arg, "--insert") ||
               is_option (arg, "--add-stage") || is_option (arg, "--move-stage"))
        {
          const char *name = is_option (arg, "--set") ? "--set"
                           : is_option (arg, "--remove") ? "--remove"
                           : is_option (arg, "--insert") ? "--insert"
                           : is_option (arg, "--add-stage") ? "--add-stage" : "--move-stage";

          if ((value = option_value (argc, argv, &i, name, &error)) != NULL)
            {
              op = g_new0 (EditOp, 1);
              op->kind = g_str_equal (name, "--set") ? EDIT_SET
                       : g_str_equal (name, "--remove") ? EDIT_REMOVE
                       : g_str_equal (name, "--insert") ? EDIT_INSERT
                       : g_str_equal (name, "--add-stage") ? EDIT_ADD_STAGE : EDIT_MOVE_STAGE;
              op->option = g_strdup (name);
              op->a = g_strdup (value);
            }
        }
      else if (g_str_equal (arg, "--move-action") || g_str_equal (arg, "--add-action"))
        {
          if (i + 2 >= argc)
            {
              pw_cli_print_error (_("%s takes two arguments (see --help)"), arg);
              return EXIT_USAGE;
            }
          op = g_new0 (EditOp, 1);
          op->kind = g_str_equal (arg, "--move-action") ? EDIT_MOVE_ACTION : EDIT_ADD_ACTION;
          op->option = g_strdup (arg);
          op->a = g_strdup (argv[++i]);
          op->b = g_strdup (argv[++i]);
        }
      else if (is_option (arg, "--type") || is_option (arg, "--run-order") ||
               is_option (arg, "--config") || is_option (arg, "--input-artifact") ||
               is_option (arg, "--output-artifact"))
        {
          const char *name = is_option (arg, "--type") ? "--type"
                           : is_option (arg, "--run-order") ? "--run-order"
                           : is_option (arg, "--config") ? "--config"
                           : is_option (arg, "--input-artifact") ? "--input-artifact" : "--output-artifact";
          EditOp *action = last_op (ops, EDIT_ADD_ACTION);

          if (action == NULL)
            {
              pw_cli_print_error (_("%s goes right after the --add-action it belongs to"), name);
              return EXIT_USAGE;
            }
          if ((value = option_value (argc, argv, &i, name, &error)) == NULL)
            ;
          else if (g_str_equal (name, "--type"))
            replace_string (&action->type, value);
          else if (g_str_equal (name, "--run-order"))
            replace_string (&action->run_order, value);
          else
            {
              GPtrArray **list = g_str_equal (name, "--config") ? &action->config
                               : g_str_equal (name, "--input-artifact") ? &action->inputs : &action->outputs;

              if (*list == NULL)
                *list = g_ptr_array_new_with_free_func (g_free);
              g_ptr_array_add (*list, g_strdup (value));
            }
        }
      else if (is_option (arg, "--before"))
        {
          EditOp *stage = last_op (ops, EDIT_ADD_STAGE);

          if (stage == NULL)
            stage = last_op (ops, EDIT_MOVE_STAGE);
          if (stage == NULL)
            {
              pw_cli_print_error (_("--before goes right after the --add-stage or --move-stage it belongs to"));
              return EXIT_USAGE;
            }
          if ((value = option_value (argc, argv, &i, "--before", &error)) != NULL)
            replace_string (&stage->before, value);
        }
      else if (arg[0] == '-' && arg[1] != '\0')
        {
          pw_cli_print_error (_("unknown option %s (see --help)"), arg);
          return EXIT_USAGE;
        }
      else if (file == NULL)
        file = arg;
      else
        {
          pw_cli_print_error (_("give exactly one file; '%s' is a second one (see --help)"), arg);
          return EXIT_USAGE;
        }

      if (error != NULL)
        {
          pw_cli_print_error ("%s (see --help)", error->message);
          return EXIT_USAGE;
        }
      if (op != NULL)
        g_ptr_array_add (ops, op);
    }

  if (file == NULL)
    {
      pw_cli_print_error (_("no file given (see --help)"));
      return EXIT_USAGE;
    }
  if (in_place && output != NULL)
    {
      pw_cli_print_error (_("--in-place and --output do not go together"));
      return EXIT_USAGE;
    }
  if (in_place && g_str_equal (file, "-"))
    {
      pw_cli_print_error (_("standard input cannot be edited in place; use --output"));
      return EXIT_USAGE;
    }

  contents = read_input (file, &length, &error);
  if (contents != NULL)
    document = pw_document_load_data (contents, length, g_str_equal (file, "-") ? "<stdin>" : file, &error);
  if (document != NULL && resource == NULL)
    {
      g_auto(GStrv) ids = pw_document_dup_pipeline_ids (document);

      /* Editing one of several pipelines is a choice to make, not to guess. */
      if (ids[0] != NULL && ids[1] != NULL)
        {
          g_autofree char *list = g_strjoinv (", ", ids);

          pw_cli_print_error (_("%s: the template has %u pipelines (%s); choose one with --resource"),
                              file, g_strv_length (ids), list);
          return EXIT_USAGE;
        }
    }
  if (document != NULL)
    editor = pw_editor_new (document, resource, &error);
  if (editor == NULL)
    {
      pw_cli_print_error ("%s", error->message);
      return EXIT_USAGE;
    }

  cfn = pw_document_get_kind (document) == PW_DOCUMENT_CFN_TEMPLATE;
  for (guint i = 0; i < ops->len; i++)
    {
      const EditOp *op = g_ptr_array_index (ops, i);

      if (!apply_edit (editor, resource, cfn, op, &error))
        {
          pw_cli_print_error ("%s %s%s%s: %s", op->option, op->a, op->b != NULL ? " " : "",
                              op->b != NULL ? op->b : "", error->message);
          return EXIT_USAGE;
        }
    }

  {
    const char *text = pw_editor_get_text (editor, &length);

    if (in_place)
      {
        if (pw_editor_get_n_steps (editor) > 0 &&
            !pw_file_replace_contents (file, text, length, &error))
          {
            pw_cli_print_error ("%s", error->message);
            return EXIT_USAGE;
          }
      }
    else if (!write_output (output, text, &error))
      {
        pw_cli_print_error ("%s", error->message);
        return EXIT_USAGE;
      }
  }

  /* The result, checked as validate checks it, with positions in the file
   * written. */
  {
    const char *text = pw_editor_get_text (editor, &length);
    const char *name = in_place ? file
                     : (output != NULL && !g_str_equal (output, "-")) ? output : "<stdout>";

    g_clear_object (&document);
    document = pw_document_load_data (text, length, name, &error);
    if (document != NULL)
      pipeline = pw_document_dup_pipeline (document, resource, &error);
    if (pipeline == NULL)
      {
        pw_cli_print_error ("%s", error->message);
        return EXIT_USAGE;
      }
  }
  diagnostics = pw_pipeline_validate (pipeline);
  if (quiet)
    {
      for (guint i = diagnostics->len; i > 0; i--)
        if (pw_diagnostic_get_severity (g_ptr_array_index (diagnostics, i - 1)) == PW_SEVERITY_NOTE)
          g_ptr_array_remove_index (diagnostics, i - 1);
    }
  for (guint i = 0; i < diagnostics->len; i++)
    {
      PwSeverity severity = pw_diagnostic_get_severity (g_ptr_array_index (diagnostics, i));

      if (severity == PW_SEVERITY_ERROR)
        errors++;
      else if (severity == PW_SEVERITY_WARNING)
        warnings++;
    }
  if (diagnostics->len > 0)
    {
      g_autofree char *report = NULL;

      g_ptr_array_add (maps, pw_source_map_ref (pw_document_get_source_map (document)));
      report = pw_report_format (diagnostics, maps, PW_REPORT_HUMAN, pw_cli_use_color (stderr));
      fputs (report, stderr);
    }

  if (errors > 0 || (warnings > 0 && !warnings_ok))
    return EXIT_FINDINGS;
  return EXIT_OK;
}

#ifdef PW_HAVE_ENGINE
/* `serve`, `push` and `pull` are pipewright-net's (see pw-net-main.c): the
 * one beside us (a build tree), else the installed one. It learns which
 * pipewright-cli runs what it starts. */
static int
net_exec (int    argc,
          char **argv)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = self != NULL ? g_path_get_dirname (self) : NULL;
  g_autofree char *helper = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *told = g_getenv ("PIPEWRIGHT_NET");

  if (told != NULL)
    helper = g_strdup (told);
  else if (dir != NULL && (helper = g_build_filename (dir, "pipewright-net", NULL)) != NULL &&
           !g_file_test (helper, G_FILE_TEST_IS_EXECUTABLE))
    g_clear_pointer (&helper, g_free);
  if (helper == NULL)
    helper = g_build_filename (LIBEXECDIR, "pipewright-net", NULL);
  if (self != NULL)
    g_setenv ("PIPEWRIGHT_SERVE_RUNNER", self, TRUE);

  g_ptr_array_add (args, helper);
  for (int i = 0; i < argc; i++)
    g_ptr_array_add (args, argv[i]);
  g_ptr_array_add (args, NULL);
  execv (helper, (char **)args->pdata);
  pw_cli_print_error (_("cannot run %s: %s"), helper, g_strerror (errno));
  return EXIT_USAGE;
}
#endif

/* A pipeline of thousands of actions is a few hundred thousand small
 * allocations (json-glib's nodes, objects and member names): 4,400 page
 * faults for the 2,451-action stress pipeline, a quarter of the process's
 * time on a VM. The heap grows 32 MiB at a time, and that first stretch is
 * backed by transparent huge pages where the kernel has them (as
 * GLIBC_TUNABLES=glibc.malloc.hugetlb=1 would): `validate` of that
 * pipeline goes from 92 to 44 ms here, for 2 MB more memory. */
static void
prefer_huge_pages (void)
{
#if defined (__GLIBC__) && defined (M_TOP_PAD) && defined (MADV_HUGEPAGE)
  const gsize pad = 32 * 1024 * 1024;
  const gsize huge = 2 * 1024 * 1024;
  void *blocks[64];
  guintptr start, end;
  guint n = 0;

  mallopt (M_TOP_PAD, (int)pad);
  /* Blocks below the mmap threshold until the heap grows (by the pad). */
  start = end = (guintptr)sbrk (0);
  while (end == start && n < G_N_ELEMENTS (blocks))
    {
      blocks[n++] = malloc (64 * 1024);
      end = (guintptr)sbrk (0);
    }
  while (n > 0)
    free (blocks[--n]);
  start = (start + huge - 1) & ~(guintptr)(huge - 1);
  if (end > start + huge)
    madvise ((void *)start, (end - start) & ~(guintptr)(huge - 1), MADV_HUGEPAGE);
#endif
}

/* main --------------------------------------------------------------------- */

static const Command commands[] = {
  { "validate", N_("Check pipelines against CodePipeline's rules"), cmd_validate },
  { "export", N_("Write a pipeline as a pipeline file or a CloudFormation template"), cmd_export },
  { "import", N_("Turn a CloudFormation pipeline into a pipeline file"), cmd_import },
  { "fmt", N_("Format pipeline files and templates canonically"), cmd_fmt },
  { "graph", N_("Draw stages, action groups and artifact flow as Graphviz DOT"), cmd_graph },
  { "edit", N_("Change a pipeline file or template, touching only the lines it must"), cmd_edit },
#ifdef PW_HAVE_ENGINE
  { "run", N_("Run a pipeline on this machine, as CodePipeline would"), pw_cli_run },
  { "status", N_("Show the latest executions and what they are doing"), pw_cli_status },
  { "history", N_("List past executions"), pw_cli_history },
  { "logs", N_("Show (or follow) an execution's action logs"), pw_cli_logs },
  { "approve", N_("Approve a waiting manual approval"), pw_cli_approve },
  { "reject", N_("Reject a waiting manual approval"), pw_cli_reject },
  { "stop", N_("Stop an execution (wait for its actions, or --abandon them)"), pw_cli_stop },
  { "retry", N_("Retry a failed or stopped stage of an execution"), pw_cli_retry },
  { "rollback", N_("Roll a stage back to what an earlier execution deployed"), pw_cli_rollback },
  { "artifacts", N_("List or extract an execution's artifacts"), pw_cli_artifacts },
  { "reports", N_("Show an execution's test reports and failing tests"), pw_cli_reports },
  { "serve", N_("Serve the CodePipeline API locally, for the AWS CLI and SDKs"), net_exec },
  { "push", N_("Create or update the pipeline in an AWS account"), net_exec },
  { "pull", N_("Write an AWS account's pipeline as a pipeline file"), net_exec },
  { "watch", N_("Start an execution for every new commit on the source branch"), pw_cli_watch },
#endif
};

static void
print_usage (FILE *stream)
{
  fprintf (stream, "%s\n\n", _("Usage: pipewright-cli COMMAND [OPTION…] FILE…"));
  fprintf (stream, "%s\n\n", _("Design, check and convert AWS CodePipeline pipelines."));
  fprintf (stream, "%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stream, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (stream, "\n%s\n", _("Run 'pipewright-cli COMMAND --help' for a command's options."));
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* A closed pipe (| head) must end us quietly, not kill us mid-write. */
  signal (SIGPIPE, SIG_IGN);
  prefer_huge_pages ();

#ifdef PW_HAVE_ENGINE
  /* Before any thread starts: it sets the environment. */
  pw_engine_init ();
#endif

  if (argc < 2)
    {
      print_usage (stderr);
      return EXIT_USAGE;
    }

  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help"))
    {
      print_usage (stdout);
      return EXIT_OK;
    }

  if (g_str_equal (argv[1], "--version"))
    {
      printf ("pipewright-cli %s\n", PACKAGE_VERSION);
      return EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_equal (argv[1], commands[i].name))
        {
          g_autofree char *prgname = g_strdup_printf ("pipewright-cli %s", commands[i].name);

          g_set_prgname (prgname);
          return commands[i].run (argc - 1, argv + 1);
        }
    }

  pw_cli_print_error (_("unknown command '%s'"), argv[1]);
  print_usage (stderr);
  return EXIT_USAGE;
}
