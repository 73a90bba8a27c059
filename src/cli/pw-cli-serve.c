/* pw-cli-serve.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* pipewright-cli serve: the CodePipeline API on a local port, for the AWS
 * CLI and SDKs pointed at it with --endpoint-url. */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "pw-api-server.h"
#include "pw-cli-private.h"

/* The pipewright-cli whose `run` starts what is started here: the one
 * that started us, else the one beside us, else the installed one. */
static char *
pw_cli_serve_runner (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = self != NULL ? g_path_get_dirname (self) : NULL;
  g_autofree char *beside = dir != NULL ? g_build_filename (dir, "pipewright-cli", NULL) : NULL;
  const char *told = g_getenv ("PIPEWRIGHT_SERVE_RUNNER");

  if (told != NULL && g_file_test (told, G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup (told);
  if (beside != NULL && g_file_test (beside, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&beside);
  return g_build_filename (BINDIR, "pipewright-cli", NULL);
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/* The repository that holds the current folder, or the folder itself. */
static char *
default_workspace (void)
{
  g_autofree char *cwd = g_get_current_dir ();
  char *at = g_strdup (cwd);

  for (;;)
    {
      g_autofree char *git = g_build_filename (at, ".git", NULL);
      char *parent;

      if (g_file_test (git, G_FILE_TEST_EXISTS))
        return at;
      parent = g_path_get_dirname (at);
      if (g_str_equal (parent, at))
        {
          g_free (parent);
          g_free (at);
          return g_steal_pointer (&cwd);
        }
      g_free (at);
      at = parent;
    }
}

/* Each client holds a file descriptor while it is connected: a server
 * takes as many as the system lets it (the soft limit is often 1024, the
 * hard one far more). */
static void
raise_file_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

int
pw_cli_serve (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PwApiServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *workspace = NULL;
  g_autofree char *region = NULL;
  g_autofree char *address = NULL;
  g_autofree char *webhook_secret = NULL;
  gboolean no_auth = FALSE;
  guint64 port = 7171;
  const char *colon;
  guint sigint, sigterm;
  GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen, N_("Address and port to listen on (default 127.0.0.1:7171; port 0 picks a free one)"), N_("ADDRESS:PORT") },
    { "workspace", 'w', 0, G_OPTION_ARG_FILENAME, &workspace, N_("The folder whose pipeline files are served (default: the repository of the current folder)"), N_("DIR") },
    { "region", 0, 0, G_OPTION_ARG_STRING, &region, N_("The region requests are signed for (default us-east-1)"), N_("REGION") },
    { "no-auth", 0, 0, G_OPTION_ARG_NONE, &no_auth, N_("Do not check request signatures"), NULL },
    { "webhook-secret", 0, 0, G_OPTION_ARG_STRING, &webhook_secret, N_("Take GitHub push webhooks at /webhooks/github, signed with this secret (or $PIPEWRIGHT_WEBHOOK_SECRET)"), N_("SECRET") },
    { NULL }
  };

  context = pw_cli_new_context (NULL,
                                _("Serves the CodePipeline API for the pipeline files of a folder (each "
                                  "file that is a CreatePipeline request is a pipeline, by its name), with "
                                  "their executions as `run` records them, so the AWS CLI and the SDKs "
                                  "can drive it with --endpoint-url.\n\n"
                                  "Requests are signed with SigV4 as for AWS: any access key id, with the "
                                  "secret access key 'pipewright', for the service region (us-east-1 "
                                  "unless --region). For example:\n"
                                  "  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=pipewright "
                                  "AWS_DEFAULT_REGION=us-east-1 \\\n"
                                  "    aws codepipeline list-pipelines --endpoint-url http://127.0.0.1:7171\n\n"
                                  "Every request is checked against AWS's own service model first "
                                  "(ValidationException in the service's words). Served: ListPipelines, "
                                  "GetPipeline (with earlier versions), CreatePipeline and UpdatePipeline "
                                  "(validated, then written atomically; CreatePipeline makes DIR/NAME/"
                                  "pipeline.yml), DeletePipeline, GetPipelineState, "
                                  "StartPipelineExecution (a `run` of the file, as the CLI would start it), "
                                  "StopPipelineExecution, RetryStageExecution, PutApprovalResult, "
                                  "EnableStageTransition, DisableStageTransition, ListPipelineExecutions, "
                                  "GetPipelineExecution, ListActionExecutions, TagResource, UntagResource, "
                                  "ListTagsForResource, and for job workers PollForJobs, AcknowledgeJob, "
                                  "GetJobDetails, PutJobSuccessResult, PutJobFailureResult (and their "
                                  "ThirdParty twins) on the action types the local profile lists under "
                                  "workers:. A file changed by anyone else is the pipeline's "
                                  "next version. "
                                  "Runs until interrupted (Ctrl+C) or terminated."),
                                entries);
  if (!pw_cli_parse_args (context, &argc, &argv))
    return EXIT_USAGE;
  if (argc > 1)
    {
      pw_cli_print_error (_("serve takes no arguments (see --help)"));
      return EXIT_USAGE;
    }

  if (listen != NULL && (colon = strrchr (listen, ':')) != NULL)
    {
      char *end = NULL;

      address = g_strndup (listen, colon - listen);
      port = g_ascii_strtoull (colon + 1, &end, 10);
      if (end == colon + 1 || *end != '\0' || port > 65535)
        {
          pw_cli_print_error (_("--listen takes ADDRESS:PORT, not '%s'"), listen);
          return EXIT_USAGE;
        }
    }
  else if (listen != NULL)
    address = g_strdup (listen);
  else
    address = g_strdup ("127.0.0.1");
  if (workspace == NULL)
    workspace = default_workspace ();
  if (!g_file_test (workspace, G_FILE_TEST_IS_DIR))
    {
      pw_cli_print_error (_("%s is not a folder"), workspace);
      return EXIT_USAGE;
    }

  raise_file_limit ();
  server = pw_api_server_new (workspace, region, !no_auth);
  if (webhook_secret == NULL && g_getenv ("PIPEWRIGHT_WEBHOOK_SECRET") != NULL)
    webhook_secret = g_strdup (g_getenv ("PIPEWRIGHT_WEBHOOK_SECRET"));
  pw_api_server_set_webhook_secret (server, webhook_secret);
  {
    g_autofree char *runner = pw_cli_serve_runner ();

    pw_api_server_set_runner (server, runner);
  }
  if (!pw_api_server_listen (server, address, (guint)port, &error))
    {
      pw_cli_print_error (_("cannot listen on %s:%u: %s"), address, (guint)port, error->message);
      return EXIT_USAGE;
    }

  {
    g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (address);

    if (inet != NULL && !g_inet_address_get_is_loopback (inet))
      fprintf (stderr, _("WARNING: listening on %s, not on this machine's loopback: anyone who can reach it "
                         "can read these pipelines%s\n"), address,
               no_auth ? _(" and nothing checks who asks (--no-auth)") : "");
    else if (no_auth)
      fprintf (stderr, "%s\n", _("Note: request signatures are not checked (--no-auth)"));
  }
  printf (g_dngettext (GETTEXT_PACKAGE, "Serving %u pipeline of %s\n", "Serving %u pipelines of %s\n",
                       pw_api_server_get_n_pipelines (server)),
          pw_api_server_get_n_pipelines (server), workspace);
  printf ("--endpoint-url http://%s%s%s:%u\n", strchr (address, ':') != NULL ? "[" : "", address,
          strchr (address, ':') != NULL ? "]" : "", pw_api_server_get_port (server));
  if (webhook_secret != NULL)
    printf ("GitHub webhooks: http://%s%s%s:%u/webhooks/github\n", strchr (address, ':') != NULL ? "[" : "",
            address, strchr (address, ':') != NULL ? "]" : "", pw_api_server_get_port (server));
  {
    g_autofree char *base = g_strdup_printf ("http://%s%s%s:%u", strchr (address, ':') != NULL ? "[" : "", address,
                                             strchr (address, ':') != NULL ? "]" : "",
                                             pw_api_server_get_port (server));
    g_auto(GStrv) hooks = pw_api_server_dup_webhooks (server, base);

    for (guint i = 0; hooks[i] != NULL; i++)
      printf ("%s\n", hooks[i]);
  }
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  sigint = g_unix_signal_add (SIGINT, quit_cb, loop);
  sigterm = g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  return EXIT_OK;
}
