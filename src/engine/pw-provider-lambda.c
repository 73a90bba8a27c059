/* pw-provider-lambda.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-provider-lambda"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pw-engine-private.h"

/* An invoke action waits for the function's answer up to this long when
 * the job gives no timeout of its own. */
#define LAMBDA_TIMEOUT_SECONDS 3600

/* Each continuation is another invocation; this bounds a function that
 * keeps answering with a token, which in AWS ends at the 24 h limit. */
#define LAMBDA_MAX_INVOCATIONS 100

/* PutJobSuccessResult rejects larger variable maps with
 * OutputVariablesSizeExceededException. */
#define LAMBDA_MAX_VARIABLES_BYTES 122880

/* The bucket the local artifact "locations" claim to be in. */

#define PW_TYPE_LAMBDA_PROVIDER (pw_lambda_provider_get_type ())

G_DECLARE_FINAL_TYPE (PwLambdaProvider, pw_lambda_provider, PW, LAMBDA_PROVIDER, GObject)

struct _PwLambdaProvider
{
  GObject parent_instance;
};

typedef struct
{
  /* Owned references */
  PwActionJob *job;
  PwLog       *log;
  char       **argv;
  char       **env;
  char        *cwd;
  char        *function_name;
  char        *continuation_token;

  gint64       deadline;     /* monotonic µs */
  guint        invocations;
} LambdaRun;

static void pw_lambda_provider_iface_init (PwProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PwLambdaProvider, pw_lambda_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PW_TYPE_PROVIDER,
                                                      pw_lambda_provider_iface_init))

static void invoke (GTask *task);

static void
lambda_run_free (LambdaRun *run)
{
  g_clear_object (&run->job);
  g_clear_object (&run->log);
  g_clear_pointer (&run->argv, g_strfreev);
  g_clear_pointer (&run->env, g_strfreev);
  g_free (run->cwd);
  g_free (run->function_name);
  g_free (run->continuation_token);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LambdaRun, lambda_run_free)

static void
log_line (LambdaRun  *run,
          const char *format,
          ...) G_GNUC_PRINTF (2, 3);

static void
log_line (LambdaRun  *run,
          const char *format,
          ...)
{
  g_autofree char *text = NULL;
  va_list args;

  if (run->log == NULL)
    return;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  pw_log_write (run->log, text, -1);
  pw_log_write (run->log, "\n", 1);
}

static void
task_fail (GTask      *task,
           int         code,
           const char *format,
           ...) G_GNUC_PRINTF (3, 4);

static void
task_fail (GTask      *task,
           int         code,
           const char *format,
           ...)
{
  LambdaRun *run = g_task_get_task_data (task);
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  log_line (run, "%s", message);
  g_task_return_new_error (task, PW_ENGINE_ERROR, code, "%s", message);
  g_object_unref (task);
}

/* The `CodePipeline.job` event, shaped as reference/action-providers.md
 * §2.6 shows it. */
static char *
build_event (LambdaRun *run)
{
  PwActionJob *job = run->job;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  const char *account = pw_action_job_get_account (job);
  const char *id = pw_action_job_get_action_execution_id (job);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "CodePipeline.job");
  json_builder_begin_object (b);

  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id != NULL ? id : "00000000-0000-0000-0000-000000000000");
  json_builder_set_member_name (b, "accountId");
  json_builder_add_string_value (b, account != NULL ? account : "000000000000");

  json_builder_set_member_name (b, "data");
  json_builder_add_value (b, pw_action_job_build_data (job, run->continuation_token));
  json_builder_end_object (b);   /* CodePipeline.job */
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

/* The object @text holds, read with the bounded reader. A document past
 * the reader's limits (nesting, size) sets @error; any other text that is
 * not an object is just not an answer. */
static JsonObject *
read_object (const char  *text,
             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) root = pw_json_parse (text, -1, NULL, &local_error);

  if (root == NULL)
    {
      if (g_error_matches (local_error, PW_CORE_ERROR, PW_CORE_ERROR_LIMIT) &&
          error != NULL && *error == NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (!JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  return json_object_ref (json_node_get_object (root));
}

/* The answer is the whole of stdout, or else its last non-empty line, so a
 * handler that prints progress to stdout before its result still works;
 * that progress is handed back in @preamble for the log. The function's
 * output is read with the bounded reader: an answer nested past its
 * limit is an error (@error), not a crash of the runner. */
JsonObject *
_pw_lambda_parse_answer (const char  *text,
                         char       **preamble,
                         GError     **error)
{
  g_auto(GStrv) lines = NULL;
  JsonObject *answer;

  *preamble = NULL;

  if (text == NULL)
    return NULL;

  if ((answer = read_object (text, error)) != NULL)
    return answer;

  lines = g_strsplit (text, "\n", -1);
  for (guint i = g_strv_length (lines); i > 0; i--)
    {
      const char *line = g_strstrip (lines[i - 1]);

      if (line[0] == '\0')
        continue;

      if ((answer = read_object (line, error)) != NULL)
        {
          /* Cut the answer and the blank lines after it off the list. */
          for (guint j = i - 1; lines[j] != NULL; j++)
            g_clear_pointer (&lines[j], g_free);
          *preamble = g_strjoinv ("\n", lines);
          g_clear_error (error);
          return answer;
        }

      break;
    }

  return NULL;
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;

  node = json_object_get_member (object, name);
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static int
failure_code (const char *type)
{
  if (g_strcmp0 (type, "ConfigurationError") == 0 ||
      g_strcmp0 (type, "PermissionError") == 0)
    return PW_ENGINE_ERROR_CONFIGURATION;

  if (g_strcmp0 (type, "RevisionOutOfSync") == 0 ||
      g_strcmp0 (type, "RevisionUnavailable") == 0)
    return PW_ENGINE_ERROR_ARTIFACT;

  return PW_ENGINE_ERROR_FAILED;
}

static void
handle_success (GTask      *task,
                JsonObject *answer)
{
  LambdaRun *run = g_task_get_task_data (task);
  PwActionJob *job = run->job;
  JsonNode *variables = json_object_get_member (answer, "outputVariables");
  JsonObject *details = NULL;
  g_auto(GStrv) outputs = NULL;
  const char *token = member_string (answer, "continuationToken");
  const char *summary;
  const char *external_id;
  gsize size = 0;

  if (json_object_has_member (answer, "executionDetails") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (answer, "executionDetails")))
    details = json_object_get_object_member (answer, "executionDetails");

  if (variables != NULL && !JSON_NODE_HOLDS_NULL (variables) && !JSON_NODE_HOLDS_OBJECT (variables))
    {
      task_fail (task, PW_ENGINE_ERROR_FAILED,
                 _("Lambda function '%s' answered with outputVariables that are not an object "
                   "of strings"),
                 run->function_name);
      return;
    }

  if (token != NULL && token[0] != '\0')
    {
      /* PutJobSuccessResult refuses variables together with a token. */
      if (variables != NULL && JSON_NODE_HOLDS_OBJECT (variables) &&
          json_object_get_size (json_node_get_object (variables)) > 0)
        {
          task_fail (task, PW_ENGINE_ERROR_FAILED,
                     _("Lambda function '%s' answered with both a continuationToken and "
                       "outputVariables; outputVariables can be included only when there is no "
                       "continuation token"),
                     run->function_name);
          return;
        }

      if (run->invocations >= LAMBDA_MAX_INVOCATIONS)
        {
          task_fail (task, PW_ENGINE_ERROR_FAILED,
                     _("Lambda function '%s' still answered with a continuationToken after %u "
                       "invocations; giving up"),
                     run->function_name, run->invocations);
          return;
        }

      g_free (run->continuation_token);
      run->continuation_token = g_strdup (token);
      log_line (run, "The function answered with a continuation token; invoking it again");
      invoke (task);
      return;
    }

  if (variables != NULL && JSON_NODE_HOLDS_OBJECT (variables))
    {
      JsonObject *object = json_node_get_object (variables);
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init (&iter, object);
      while (json_object_iter_next (&iter, &name, &value))
        {
          if (json_node_get_value_type (value) != G_TYPE_STRING)
            {
              task_fail (task, PW_ENGINE_ERROR_FAILED,
                         _("Lambda function '%s': output variable '%s' is not a string"),
                         run->function_name, name);
              return;
            }
          size += strlen (name) + strlen (json_node_get_string (value));
        }

      if (size > LAMBDA_MAX_VARIABLES_BYTES)
        {
          task_fail (task, PW_ENGINE_ERROR_FAILED,
                     _("OutputVariablesSizeExceededException: the output variables of Lambda "
                       "function '%s' take %" G_GSIZE_FORMAT " bytes, over the limit of %u "
                       "bytes for all of an action's output variables"),
                     run->function_name, size, LAMBDA_MAX_VARIABLES_BYTES);
          return;
        }
    }

  /* Check the output artifacts before setting anything, so a failed
   * action leaves no half-set outputs. */
  outputs = pw_action_job_dup_output_names (job);
  for (guint i = 0; outputs != NULL && outputs[i] != NULL; i++)
    {
      g_autofree char *path = pw_action_job_dup_output_path (job, outputs[i]);

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          task_fail (task, PW_ENGINE_ERROR_ARTIFACT,
                     _("Lambda function '%s' succeeded but did not write output artifact %s "
                       "to %s (its outputArtifacts[].localPath)"),
                     run->function_name, outputs[i], path);
          return;
        }
    }

  for (guint i = 0; outputs != NULL && outputs[i] != NULL; i++)
    {
      g_autofree char *path = pw_action_job_dup_output_path (job, outputs[i]);

      pw_action_job_add_output (job, outputs[i], path, NULL);
    }

  if (variables != NULL && JSON_NODE_HOLDS_OBJECT (variables))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init (&iter, json_node_get_object (variables));
      while (json_object_iter_next (&iter, &name, &value))
        pw_action_job_set_output_variable (job, name, json_node_get_string (value));
    }

  summary = member_string (details, "summary");
  if (summary == NULL)
    summary = member_string (answer, "summary");
  if (summary == NULL)
    summary = member_string (answer, "message");

  external_id = member_string (details, "externalExecutionId");
  if (external_id == NULL)
    external_id = member_string (answer, "externalExecutionId");

  if (summary != NULL && summary[0] != '\0')
    pw_action_job_set_summary (job, summary);
  else
    {
      g_autofree char *text = g_strdup_printf (_("Lambda function '%s' succeeded"),
                                               run->function_name);

      pw_action_job_set_summary (job, text);
    }

  if (external_id != NULL)
    pw_action_job_set_external_id (job, external_id);

  log_line (run, "Lambda function '%s' succeeded after %u invocation(s)",
            run->function_name, run->invocations);

  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
invoke_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  LambdaRun *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) answer_error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *preamble = NULL;
  const char *status_text;
  int status = 0;

  if (!pw_command_capture_finish (result, &status, &out, &error))
    {
      if (error->domain == PW_ENGINE_ERROR)
        {
          log_line (run, "%s", error->message);
          g_task_return_error (task, g_steal_pointer (&error));
          g_object_unref (task);
        }
      else
        task_fail (task, PW_ENGINE_ERROR_CONFIGURATION,
                   _("Could not run the local command of Lambda function '%s' (%s): %s"),
                   run->function_name, run->argv[0], error->message);
      return;
    }

  answer = _pw_lambda_parse_answer (out, &preamble, &answer_error);

  if (preamble != NULL && g_strstrip (preamble)[0] != '\0' && run->log != NULL)
    {
      pw_log_write (run->log, preamble, -1);
      pw_log_write (run->log, "\n", 1);
    }

  if (answer == NULL)
    {
      g_autofree char *tail = run->log != NULL ? pw_log_dup_tail (run->log, 5) : NULL;

      if (tail != NULL)
        g_strstrip (tail);

      if (answer_error != NULL)
        task_fail (task, PW_ENGINE_ERROR_FAILED,
                   _("Lambda function '%s' printed a job result that cannot be read: %s"),
                   run->function_name, answer_error->message);
      else if (status != 0)
        task_fail (task, PW_ENGINE_ERROR_FAILED,
                   _("Lambda function '%s' exited with status %d without a job result: %s"),
                   run->function_name, status,
                   tail != NULL && tail[0] != '\0' ? tail : _("(no output)"));
      else
        task_fail (task, PW_ENGINE_ERROR_FAILED,
                   _("Lambda function '%s' printed no job result on stdout; it must print one "
                     "JSON object such as {\"status\": \"Succeeded\", \"outputVariables\": {}} "
                     "(in AWS the action would time out)"),
                   run->function_name);
      return;
    }

  status_text = member_string (answer, "status");

  if (status_text != NULL && g_ascii_strcasecmp (status_text, "Succeeded") == 0)
    {
      if (status != 0)
        log_line (run, "The function exited with status %d after reporting success", status);
      handle_success (task, answer);
    }
  else if (status_text != NULL && g_ascii_strcasecmp (status_text, "Failed") == 0)
    {
      const char *type = member_string (answer, "failureType");
      const char *message = member_string (answer, "message");

      if (type == NULL)
        type = "JobFailed";

      if (message != NULL && message[0] != '\0')
        task_fail (task, failure_code (type), "%s", message);
      else
        task_fail (task, failure_code (type), _("Lambda function '%s' reported failure (%s)"),
                   run->function_name, type);
    }
  else
    task_fail (task, PW_ENGINE_ERROR_FAILED,
               _("Lambda function '%s' answered without a valid status; \"status\" must be "
                 "\"Succeeded\" or \"Failed\""),
               run->function_name);
}

static void
invoke (GTask *task)
{
  LambdaRun *run = g_task_get_task_data (task);
  g_autofree char *event = NULL;
  gint64 remaining;

  remaining = (run->deadline - g_get_monotonic_time ()) / G_USEC_PER_SEC;
  if (remaining < 1)
    {
      task_fail (task, PW_ENGINE_ERROR_TIMEOUT,
                 _("Lambda function '%s' did not finish within the action's timeout"),
                 run->function_name);
      return;
    }

  run->invocations++;
  event = build_event (run);

  log_line (run, "Invoking Lambda function '%s' (%s), invocation %u",
            run->function_name, run->argv[0], run->invocations);

  pw_command_capture_async ((const char * const *)run->argv,
                            run->cwd,
                            (const char * const *)run->env,
                            event,
                            run->log,
                            (guint)MIN (remaining, G_MAXUINT),
                            g_task_get_cancellable (task),
                            invoke_cb,
                            task);
}

static void
pw_lambda_provider_run_async (PwProvider          *provider,
                              PwActionJob         *job,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(LambdaRun) run = g_new0 (LambdaRun, 1);
  g_autoptr(GError) error = NULL;
  PwLocalProfile *profile = pw_action_job_get_profile (job);
  const char *function_name = pw_action_job_get_config (job, "FunctionName");
  const char *command = NULL;
  const char *endpoint = NULL;
  const char *base_dir = NULL;
  const char *id = pw_action_job_get_action_execution_id (job);
  const char *region = pw_action_job_get_region (job);
  guint timeout;

  task = g_task_new (provider, cancellable, callback, user_data);
  g_task_set_source_tag (task, pw_lambda_provider_run_async);

  run->job = g_object_ref (job);
  if (pw_action_job_get_log (job) != NULL)
    run->log = g_object_ref (pw_action_job_get_log (job));

  if (function_name == NULL || function_name[0] == '\0')
    {
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                               _("Lambda invoke action '%s' has no FunctionName"),
                               pw_action_job_get_action_name (job));
      return;
    }

  run->function_name = g_strdup (function_name);

  if (profile != NULL)
    {
      command = pw_local_profile_get_string (profile, "lambda", function_name, "run");
      endpoint = pw_local_profile_get_string (profile, "lambda", function_name, "endpoint");
      base_dir = pw_local_profile_get_base_dir (profile);
    }

  if (endpoint != NULL)
    {
      /* Served over the Lambda Invoke API (sam local start-lambda, or
       * any endpoint that speaks it): pipewright-net invokes it with the
       * same event on stdin, and prints the job's result as a local
       * command would. */
      const char *state_dir = pw_action_job_get_state_dir (job);
      const char *invoked = pw_local_profile_get_string (profile, "lambda", function_name, "function");
      g_autofree char *jobs = state_dir != NULL ? g_build_filename (state_dir, "jobs", NULL) : NULL;
      g_autofree char *helper = _pw_engine_net_helper ();
      GStrvBuilder *argv = g_strv_builder_new ();

      g_strv_builder_add (argv, helper);
      g_strv_builder_add_many (argv, "lambda-invoke", "--endpoint", endpoint, "--function",
                               invoked != NULL ? invoked : function_name, NULL);
      if (region != NULL)
        g_strv_builder_add_many (argv, "--region", region, NULL);
      if (jobs != NULL)
        g_strv_builder_add_many (argv, "--job-dir", jobs, NULL);
      run->argv = g_strv_builder_end (argv);
      g_strv_builder_unref (argv);
      log_line (run, "Lambda function '%s' is served at %s", invoked != NULL ? invoked : function_name,
                endpoint);
    }
  else if (command == NULL || command[0] == '\0')
    {
      g_autofree char *message =
        g_strdup_printf (_("Lambda function '%s' has no local command; map it in "
                           "pipewright.local.yml beside the pipeline file:\n"
                           "lambda:\n"
                           "  %s: {run: ./path/to/handler}\n"
                           "The command reads the CodePipeline.job event as JSON on stdin and "
                           "prints its result, e.g. {\"status\": \"Succeeded\", "
                           "\"outputVariables\": {}}, as JSON on stdout"),
                         function_name, function_name);

      log_line (run, "%s", message);
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                               "%s", message);
      return;
    }
  else if (!g_shell_parse_argv (command, NULL, &run->argv, &error))
    {
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                               _("The local command of Lambda function '%s' (%s) cannot be "
                                 "parsed: %s"),
                               function_name, command, error->message);
      return;
    }

  /* A program named by a path is relative to the profile's folder; a bare
   * name (python3) is looked up in PATH as usual. */
  if (strchr (run->argv[0], '/') != NULL && !g_path_is_absolute (run->argv[0]))
    {
      char *resolved = pw_local_profile_resolve_path (profile, run->argv[0]);

      g_free (run->argv[0]);
      run->argv[0] = resolved;
    }

  /* The profile's folder is the working directory so that arguments such
   * as `python3 lambdas/smoke.py` mean the same as the program path. */
  if (base_dir != NULL)
    run->cwd = g_strdup (base_dir);
  else if (pw_action_job_get_pipeline_dir (job) != NULL)
    run->cwd = g_strdup (pw_action_job_get_pipeline_dir (job));
  else
    run->cwd = g_strdup (pw_action_job_get_work_dir (job));

  run->env = pw_action_job_dup_environment (job);
  if (run->env == NULL)
    run->env = g_get_environ ();
  run->env = g_environ_setenv (run->env, "PIPEWRIGHT_JOB_ID", id != NULL ? id : "", TRUE);
  run->env = g_environ_setenv (run->env, "AWS_LAMBDA_FUNCTION_NAME", function_name, TRUE);
  if (pw_action_job_get_work_dir (job) != NULL)
    run->env = g_environ_setenv (run->env, "PIPEWRIGHT_WORK_DIR",
                                 pw_action_job_get_work_dir (job), TRUE);
  if (region != NULL)
    run->env = g_environ_setenv (run->env, "AWS_REGION", region, FALSE);

  timeout = pw_action_job_get_timeout (job);
  if (timeout == 0)
    timeout = LAMBDA_TIMEOUT_SECONDS;
  run->deadline = g_get_monotonic_time () + (gint64)timeout * G_USEC_PER_SEC;

  g_task_set_task_data (task, g_steal_pointer (&run), (GDestroyNotify)lambda_run_free);
  invoke (g_steal_pointer (&task));
}

static gboolean
pw_lambda_provider_run_finish (PwProvider    *provider,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
pw_lambda_provider_iface_init (PwProviderInterface *iface)
{
  iface->run_async = pw_lambda_provider_run_async;
  iface->run_finish = pw_lambda_provider_run_finish;
}

static void
pw_lambda_provider_class_init (PwLambdaProviderClass *klass)
{
}

static void
pw_lambda_provider_init (PwLambdaProvider *self)
{
}

/**
 * pw_lambda_provider_new:
 *
 * The provider of Invoke/AWS/Lambda. It runs the profile's
 * `lambda.<FunctionName>.run` command with the `CodePipeline.job` event on
 * stdin (plus `PIPEWRIGHT_JOB_ID` in its environment) and reads a JSON job
 * result from its stdout:
 *
 * |[
 * {"status": "Succeeded", "outputVariables": {"Url": "…"}, "message": "…",
 *  "continuationToken": "…"}
 * {"status": "Failed", "failureType": "JobFailed", "message": "…"}
 * ]|
 *
 * Each artifact in the event carries `localPath` besides the AWS
 * `location`: the input zip to read, or the `<Name>.zip` an output must be
 * written to. `location.s3Location.objectKey` holds the same path, in the
 * bucket `pipewright-local`. A continuation token invokes the command
 * again with `data.continuationToken` set.
 *
 * Returns: (transfer full): a new provider
 */
PwProvider *
pw_lambda_provider_new (void)
{
  return g_object_new (PW_TYPE_LAMBDA_PROVIDER, NULL);
}
