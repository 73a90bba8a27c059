/* pw-cli-push.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* pipewright-cli push and pull: a pipeline file to an AWS account
 * (CreatePipeline or UpdatePipeline, once the validator has found nothing
 * AWS would refuse), and an account's pipeline to a pipeline file
 * (GetPipeline, its metadata left out), with credentials, region and
 * endpoint from the standard AWS chain. */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <pw-core.h>

#include "pw-api-client.h"
#include "pw-cli-private.h"

static PwApiClient *
client_for (const char *profile,
            const char *region,
            const char *endpoint)
{
  g_autoptr(GError) error = NULL;
  PwApiClient *client = pw_api_client_new (profile, region, endpoint, &error);

  if (client == NULL)
    pw_cli_print_error ("%s", error->message);
  return client;
}

int
pw_cli_push (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(PwDocument) document = NULL;
  g_autoptr(PwPipeline) pipeline = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) maps = g_ptr_array_new_with_free_func ((GDestroyNotify)pw_source_map_unref);
  g_autoptr(PwApiClient) client = NULL;
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autofree char *text = NULL;
  g_autofree char *type = NULL;
  g_autofree char *region = NULL;
  g_autofree char *profile = NULL;
  g_autofree char *endpoint = NULL;
  gboolean create = FALSE, update = FALSE;
  const char *name, *operation;
  JsonObject *declaration;
  guint errors = 0;
  GOptionEntry entries[] = {
    { "create", 0, 0, G_OPTION_ARG_NONE, &create, N_("Create the pipeline (it must not exist)"), NULL },
    { "update", 0, 0, G_OPTION_ARG_NONE, &update, N_("Update the pipeline (it must exist)"), NULL },
    { "region", 0, 0, G_OPTION_ARG_STRING, &region, N_("The AWS region (default: AWS_REGION, the profile's)"), N_("REGION") },
    { "profile", 0, 0, G_OPTION_ARG_STRING, &profile, N_("The profile of ~/.aws/credentials and ~/.aws/config"), N_("NAME") },
    { "endpoint-url", 0, 0, G_OPTION_ARG_STRING, &endpoint, N_("Another endpoint (a local one: moto, pipewright-cli serve)"), N_("URL") },
    { NULL }
  };

  context = pw_cli_new_context (_("PIPELINE"),
                                _("Creates or updates the pipeline in an AWS account: CreatePipeline when it "
                                  "does not exist there yet, UpdatePipeline when it does (or as --create / "
                                  "--update say). The validator runs first: a pipeline AWS would refuse is "
                                  "not sent. Credentials, region and endpoint come from the standard AWS "
                                  "chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, "
                                  "AWS_PROFILE, ~/.aws/credentials and ~/.aws/config, AWS_REGION, "
                                  "AWS_ENDPOINT_URL)."),
                                entries);
  if (!pw_cli_parse_args (context, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2 || (create && update))
    {
      pw_cli_print_error (_("push takes one pipeline file, and --create or --update, not both (see --help)"));
      return EXIT_USAGE;
    }

  file = g_file_new_for_commandline_arg (argv[1]);
  document = pw_document_load_file (file, NULL, &error);
  if (document == NULL || (pipeline = pw_document_dup_pipeline (document, NULL, &error)) == NULL)
    {
      pw_cli_print_error ("%s", error->message);
      return EXIT_USAGE;
    }

  /* What AWS would refuse is not sent. */
  found = pw_pipeline_validate (pipeline);
  for (guint i = 0; i < found->len; i++)
    {
      PwDiagnostic *d = g_ptr_array_index (found, i);

      if (pw_diagnostic_get_severity (d) != PW_SEVERITY_ERROR)
        continue;
      errors++;
      g_ptr_array_add (problems, g_object_ref (d));
    }
  if (errors > 0)
    {
      g_autofree char *report = NULL;

      g_ptr_array_add (maps, pw_source_map_ref (pw_document_get_source_map (document)));
      report = pw_report_format (problems, maps, PW_REPORT_HUMAN, pw_cli_use_color (stderr));
      fputs (report, stderr);
      pw_cli_print_error (_("not sent: AWS would refuse this pipeline; fix what is above first"));
      return EXIT_FINDINGS;
    }

  text = pw_pipeline_serialize (pipeline, PW_OUTPUT_JSON, NULL, &error);
  if (text == NULL || (request = json_from_string (text, &error)) == NULL || !JSON_NODE_HOLDS_OBJECT (request))
    {
      pw_cli_print_error ("%s", error != NULL ? error->message : "the pipeline cannot be written as JSON");
      return EXIT_USAGE;
    }
  declaration = json_object_get_object_member (json_node_get_object (request), "pipeline");
  json_object_remove_member (declaration, "version");
  name = json_object_get_string_member_with_default (declaration, "name", "");

  if ((client = client_for (profile, region, endpoint)) == NULL)
    return EXIT_USAGE;

  if (!create && !update)
    {
      g_autoptr(JsonObject) get = json_object_new ();
      g_autoptr(JsonNode) input = NULL;
      g_autoptr(JsonNode) got = NULL;
      g_autofree char *get_type = NULL;

      json_object_set_string_member (get, "name", name);
      input = json_node_init_object (json_node_alloc (), get);
      got = pw_api_client_call (client, "GetPipeline", input, &get_type, &error);
      if (got == NULL && g_strcmp0 (get_type, "PipelineNotFoundException") != 0)
        {
          pw_cli_print_error ("%s", error->message);
          return EXIT_FINDINGS;
        }
      g_clear_error (&error);
      create = got == NULL;
    }
  operation = create ? "CreatePipeline" : "UpdatePipeline";
  /* Tags are CreatePipeline's alone. */
  if (!create)
    json_object_remove_member (json_node_get_object (request), "tags");

  answer = pw_api_client_call (client, operation, request, &type, &error);
  if (answer == NULL)
    {
      pw_cli_print_error (_("%s refused %s: %s"), pw_api_client_get_endpoint (client), operation, error->message);
      return EXIT_FINDINGS;
    }
  {
    JsonObject *o = json_node_get_object (answer);
    JsonObject *pipe = json_object_has_member (o, "pipeline") ? json_object_get_object_member (o, "pipeline") : NULL;

    printf (create ? _("Created pipeline %s (version %" G_GINT64_FORMAT ") in %s\n")
                   : _("Updated pipeline %s: now version %" G_GINT64_FORMAT " in %s\n"),
            name, pipe != NULL ? json_object_get_int_member_with_default (pipe, "version", 1) : 1,
            pw_api_client_get_region (client));
  }
  return EXIT_OK;
}

int
pw_cli_pull (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PwApiClient) client = NULL;
  g_autoptr(JsonObject) get = json_object_new ();
  g_autoptr(JsonNode) input = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(PwDocument) document = NULL;
  g_autoptr(PwPipeline) pipeline = NULL;
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *response = NULL;
  g_autofree char *text = NULL;
  g_autofree char *region = NULL;
  g_autofree char *profile = NULL;
  g_autofree char *endpoint = NULL;
  g_autofree char *output = NULL;
  g_autofree char *format_name = NULL;
  gint version = 0;
  PwOutputFormat format = PW_OUTPUT_YAML;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write to FILE (default: standard output)"), N_("FILE") },
    { "to", 't', 0, G_OPTION_ARG_STRING, &format_name, N_("yaml (default) or json"), N_("FORMAT") },
    { "pipeline-version", 0, 0, G_OPTION_ARG_INT, &version, N_("An earlier version of the pipeline"), N_("N") },
    { "region", 0, 0, G_OPTION_ARG_STRING, &region, N_("The AWS region (default: AWS_REGION, the profile's)"), N_("REGION") },
    { "profile", 0, 0, G_OPTION_ARG_STRING, &profile, N_("The profile of ~/.aws/credentials and ~/.aws/config"), N_("NAME") },
    { "endpoint-url", 0, 0, G_OPTION_ARG_STRING, &endpoint, N_("Another endpoint (a local one: moto, pipewright-cli serve)"), N_("URL") },
    { NULL }
  };

  context = pw_cli_new_context (_("NAME"),
                                _("Writes an account's pipeline as a pipeline file: GetPipeline's declaration "
                                  "without the metadata and version the service adds, as create-pipeline "
                                  "--cli-input-yaml takes it. Secrets the service masks (****) are "
                                  "said: they must be filled in before the file is pushed back."),
                                entries);
  if (!pw_cli_parse_args (context, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2)
    {
      pw_cli_print_error (_("pull takes the name of one pipeline (see --help)"));
      return EXIT_USAGE;
    }
  if (format_name != NULL && !g_str_equal (format_name, "yaml") && !g_str_equal (format_name, "json"))
    {
      pw_cli_print_error (_("--to takes yaml or json, not '%s'"), format_name);
      return EXIT_USAGE;
    }
  if (g_strcmp0 (format_name, "json") == 0)
    format = PW_OUTPUT_JSON;
  if ((client = client_for (profile, region, endpoint)) == NULL)
    return EXIT_USAGE;

  json_object_set_string_member (get, "name", argv[1]);
  if (version > 0)
    json_object_set_int_member (get, "version", version);
  input = json_node_init_object (json_node_alloc (), get);
  answer = pw_api_client_call (client, "GetPipeline", input, NULL, &error);
  if (answer == NULL)
    {
      pw_cli_print_error ("%s", error->message);
      return EXIT_FINDINGS;
    }

  /* The answer is a get-pipeline response: the reader knows it, and what
   * it holds that is not a pipeline file's (masked secrets among them). */
  /* The version is the service's count, not part of the file. */
  if (json_object_has_member (json_node_get_object (answer), "pipeline"))
    json_object_remove_member (json_object_get_object_member (json_node_get_object (answer), "pipeline"),
                               "version");
  response = json_to_string (answer, TRUE);
  document = pw_document_load_data (response, -1, "get-pipeline", &error);
  if (document == NULL || (pipeline = pw_document_dup_pipeline (document, NULL, &error)) == NULL ||
      (text = pw_pipeline_serialize (pipeline, format, notes, &error)) == NULL)
    {
      pw_cli_print_error ("%s", error->message);
      return EXIT_FINDINGS;
    }
  for (guint i = 0; i < notes->len; i++)
    {
      PwDiagnostic *d = g_ptr_array_index (notes, i);

      fprintf (stderr, "%s: %s\n", pw_severity_to_string (pw_diagnostic_get_severity (d)),
               pw_diagnostic_get_message (d));
    }

  if (output == NULL || g_str_equal (output, "-"))
    fputs (text, stdout);
  else if (!pw_file_replace_contents (output, text, strlen (text), &error))
    {
      pw_cli_print_error ("%s", error->message);
      return EXIT_USAGE;
    }
  return EXIT_OK;
}
