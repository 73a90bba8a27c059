/* pw-cli.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-cli"

#include "config.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
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

gboolean
pw_cli_use_color (FILE *stream)
{
  const char *no_color = g_getenv ("NO_COLOR");

  return (no_color == NULL || no_color[0] == '\0') && isatty (fileno (stream));
}

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

void
pw_cli_print_error (const char *format,
                    ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (pw_cli_use_color (stderr))
    fprintf (stderr, "pipewright-cli: \033[1;31merror:\033[0m %s\n", message);
  else
    fprintf (stderr, "pipewright-cli: error: %s\n", message);
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

GOptionContext *
pw_cli_new_context (const char   *parameters,
                    const char   *summary,
                    GOptionEntry *entries)
{
  GOptionContext *context = g_option_context_new (parameters);

  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  return context;
}

gboolean
pw_cli_parse_args (GOptionContext *context,
                   int            *argc,
                   char         ***argv)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      pw_cli_print_error ("%s (see --help)", error->message);
      return FALSE;
    }

  return TRUE;
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

/* validate ----------------------------------------------------------------- */

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
      g_autoptr(PwDocument) document = load_document (argv[i], &error);
      g_auto(GStrv) ids = NULL;

      if (document == NULL)
        {
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

          found = pw_pipeline_validate (pipeline);
          for (guint d = 0; d < found->len; d++)
            g_ptr_array_add (diagnostics, g_object_ref (g_ptr_array_index (found, d)));

#ifdef PW_HAVE_ENGINE
          /* And what a local run would read beside it: its buildspecs. */
          {
            g_autoptr(PwLocalProfile) profile = pw_local_profile_load_beside (argv[i], NULL);
            g_autoptr(GPtrArray) local = profile != NULL
              ? pw_codebuild_check_pipeline (pipeline, argv[i], profile) : NULL;

            for (guint d = 0; local != NULL && d < local->len; d++)
              g_ptr_array_add (diagnostics, g_object_ref (g_ptr_array_index (local, d)));
          }
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

  for (guint i = 0; parameters != NULL && parameters[i] != NULL; i++)
    {
      const char *eq = strchr (parameters[i], '=');
      g_autofree char *name = NULL;

      if (eq == NULL || eq == parameters[i])
        {
          pw_cli_print_error (_("--parameter takes NAME=VALUE, not '%s'"), parameters[i]);
          return EXIT_USAGE;
        }
      name = g_strndup (parameters[i], eq - parameters[i]);
      pw_pipeline_set_cfn_parameter (pipeline, name, eq + 1);
    }

  /* Only errors and warnings matter here; notes about CloudFormation
   * values are what the conversion below reports as it fixes them. */
  found = pw_pipeline_validate (pipeline);
  for (guint i = 0; i < found->len; i++)
    {
      PwDiagnostic *d = g_ptr_array_index (found, i);

      if (pw_diagnostic_get_severity (d) == PW_SEVERITY_NOTE)
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

static int
cmd_fmt (int    argc,
         char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *output = NULL;
  gboolean check = FALSE;
  int status = EXIT_OK;
  GOptionEntry entries[] = {
    { "check", 'c', 0, G_OPTION_ARG_NONE, &check, N_("Change nothing; list the files that are not formatted and exit 1 if there are any"), NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write to FILE instead of rewriting the input ('-' for standard output)"), N_("FILE") },
    { NULL }
  };

  context = pw_cli_new_context (_("FILE…"),
                                _("Rewrites pipeline files and templates in canonical form: two-space "
                                  "indentation, keys in their original order, strings quoted only where "
                                  "YAML needs it. Formatting twice changes nothing. Files are replaced "
                                  "atomically, and only when their text changes."),
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

      if (check)
        {
          if (length != strlen (formatted) || memcmp (original, formatted, length) != 0)
            {
              printf ("%s\n", name);
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

/* main --------------------------------------------------------------------- */

static const Command commands[] = {
  { "validate", N_("Check pipelines against CodePipeline's rules"), cmd_validate },
  { "export", N_("Write a pipeline as a pipeline file or a CloudFormation template"), cmd_export },
  { "import", N_("Turn a CloudFormation pipeline into a pipeline file"), cmd_import },
  { "fmt", N_("Format pipeline files and templates canonically"), cmd_fmt },
  { "graph", N_("Draw stages, action groups and artifact flow as Graphviz DOT"), cmd_graph },
#ifdef PW_HAVE_ENGINE
  { "run", N_("Run a pipeline on this machine, as CodePipeline would"), pw_cli_run },
  { "status", N_("Show the latest executions and what they are doing"), pw_cli_status },
  { "history", N_("List past executions"), pw_cli_history },
  { "logs", N_("Show (or follow) an execution's action logs"), pw_cli_logs },
  { "approve", N_("Approve a waiting manual approval"), pw_cli_approve },
  { "reject", N_("Reject a waiting manual approval"), pw_cli_reject },
  { "stop", N_("Stop an execution (wait for its actions, or --abandon them)"), pw_cli_stop },
  { "retry", N_("Retry a failed or stopped stage of an execution"), pw_cli_retry },
  { "artifacts", N_("List or extract an execution's artifacts"), pw_cli_artifacts },
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
