/* pw-provider.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-provider"

#include "config.h"

#include <string.h>

#include "pw-engine.h"
#include "pw-engine-private.h"

G_DEFINE_INTERFACE (PwProvider, pw_provider, G_TYPE_OBJECT)

typedef PwProvider *(*ProviderNew) (void);

/* Built-in providers by (category, owner, provider); the rest is simulated. */
static const struct {
  const char  *category;
  const char  *owner;
  const char  *provider;
  ProviderNew  constructor;
} provider_table[] = {
  { "Source",   "AWS",        "CodeCommit",               pw_git_source_provider_new },
  { "Source",   "AWS",        "CodeStarSourceConnection", pw_git_source_provider_new },
  { "Source",   "ThirdParty", "GitHub",                   pw_git_source_provider_new },
  { "Source",   "AWS",        "S3",                       pw_s3_source_provider_new },
  { "Build",    "AWS",        "CodeBuild",                pw_codebuild_provider_new },
  { "Test",     "AWS",        "CodeBuild",                pw_codebuild_provider_new },
  { "Deploy",   "AWS",        "CodeDeploy",               pw_codedeploy_provider_new },
  { "Deploy",   "AWS",        "S3",                       pw_s3_deploy_provider_new },
  { "Approval", "AWS",        "Manual",                   pw_approval_provider_new },
  { "Invoke",   "AWS",        "Lambda",                   pw_lambda_provider_new },
  { "Compute",  "AWS",        "Commands",                 pw_commands_provider_new },
};

static void
pw_provider_default_init (PwProviderInterface *iface)
{
}

/**
 * pw_provider_run_async:
 * @self: a #PwProvider
 * @job: the action execution to run
 * @cancellable: (nullable): stops the action (Stop and abandon)
 * @callback: called once the action has finished
 * @user_data: data for @callback
 *
 * Runs @job. The provider reads the job's inputs and configuration, does
 * the work in its work folder, and sets the job's outputs, variables and
 * summary before @callback runs.
 */
void
pw_provider_run_async (PwProvider          *self,
                       PwActionJob         *job,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (PW_IS_PROVIDER (self));
  g_return_if_fail (PW_IS_ACTION_JOB (job));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  PW_PROVIDER_GET_IFACE (self)->run_async (self, job, cancellable, callback, user_data);
}

/**
 * pw_provider_run_finish:
 * @self: a #PwProvider
 * @result: the result given to the callback
 * @error: the action's failure, its message being the failure summary
 *
 * Returns: %TRUE when the action succeeded
 */
gboolean
pw_provider_run_finish (PwProvider    *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (PW_IS_PROVIDER (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);

  return PW_PROVIDER_GET_IFACE (self)->run_finish (self, result, error);
}

/**
 * pw_provider_for_action:
 * @action: the action to run
 * @profile: (nullable): the local profile
 *
 * Picks how @action runs locally. A `commands.<ActionName>` entry of the
 * profile wins over everything, so a user can replace any action (a
 * CloudFormation deploy, say) by a script; then the built-in providers;
 * an action type AWS has without a local meaning, and a custom one, is
 * simulated.
 *
 * Returns: (transfer full) (nullable): the provider, or %NULL for an AWS
 *   or third-party action type that does not exist (a misspelt one)
 */
PwProvider *
pw_provider_for_action (PwAction       *action,
                        PwLocalProfile *profile)
{
  const char *category;
  const char *owner;
  const char *provider;

  g_return_val_if_fail (PW_IS_ACTION (action), NULL);
  g_return_val_if_fail (!profile || PW_IS_LOCAL_PROFILE (profile), NULL);

  if (profile != NULL &&
      pw_action_get_name (action) != NULL &&
      pw_local_profile_get_entry (profile, "commands", pw_action_get_name (action)) != NULL)
    return pw_commands_provider_new ();

  category = pw_action_get_category (action);
  owner = pw_action_get_owner (action);
  provider = pw_action_get_provider (action);

  /* A type the profile gives to job workers waits for one. */
  if (profile != NULL && owner != NULL && provider != NULL)
    {
      g_autofree char *type = g_strdup_printf ("%s/%s", owner, provider);

      if (pw_local_profile_get_entry (profile, "workers", type) != NULL)
        return pw_worker_provider_new ();
    }

  if (category != NULL && owner != NULL && provider != NULL)
    {
      for (guint i = 0; i < G_N_ELEMENTS (provider_table); i++)
        {
          if (strcmp (provider_table[i].provider, provider) == 0 &&
              strcmp (provider_table[i].owner, owner) == 0 &&
              strcmp (provider_table[i].category, category) == 0)
            return provider_table[i].constructor ();
        }
    }

  /* Only an action type AWS has, whose work happens in the cloud, and a
   * custom action (its job worker is elsewhere) are simulated: an AWS or
   * third-party type nobody knows (a typo: CodeBuld) would pass as a
   * success that never ran. */
  if (category == NULL || owner == NULL || provider == NULL ||
      (strcmp (owner, "Custom") != 0 && pw_providers_lookup (category, owner, provider) == NULL))
    return NULL;

  return pw_simulated_provider_new ();
}

/* pipewright-net, which speaks HTTP for the engine (the engine itself
 * never links libsoup): $PIPEWRIGHT_NET, else the one beside the running
 * program (a build tree, or pipewright-cli's folder), else the installed
 * one. */
char *
_pw_engine_net_helper (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = self != NULL ? g_path_get_dirname (self) : NULL;
  const char *told = g_getenv ("PIPEWRIGHT_NET");

  if (told != NULL && *told != '\0')
    return g_strdup (told);
  if (dir != NULL)
    {
      char *beside = g_build_filename (dir, "pipewright-net", NULL);

      if (g_file_test (beside, G_FILE_TEST_IS_EXECUTABLE))
        return beside;
      g_free (beside);
    }
  return g_build_filename (LIBEXECDIR, "pipewright-net", NULL);
}
