/* pw-provider.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_ENGINE_INSIDE) && !defined (PW_ENGINE_COMPILATION)
# error "Only <pw-engine.h> can be included directly."
#endif

#include "pw-action-job.h"

G_BEGIN_DECLS

#define PW_TYPE_PROVIDER (pw_provider_get_type ())

G_DECLARE_INTERFACE (PwProvider, pw_provider, PW, PROVIDER, GObject)

/**
 * PwProviderInterface:
 * @run_async: run the job; never block the main loop
 * @run_finish: %TRUE when the action succeeded; %FALSE with an error whose
 *   message is the action's failure summary (PW_ENGINE_ERROR_FAILED,
 *   _CONFIGURATION, _ARTIFACT, _TIMEOUT or _CANCELLED)
 *
 * How one kind of action runs locally. One object per provider kind.
 */
struct _PwProviderInterface
{
  GTypeInterface parent_iface;

  void     (*run_async)  (PwProvider          *self,
                          PwActionJob         *job,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data);
  gboolean (*run_finish) (PwProvider          *self,
                          GAsyncResult        *result,
                          GError             **error);
};

void        pw_provider_run_async  (PwProvider          *self,
                                    PwActionJob         *job,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
gboolean    pw_provider_run_finish (PwProvider          *self,
                                    GAsyncResult        *result,
                                    GError             **error);

/* The provider that runs @action locally: a `commands` entry of the profile
 * wins; then the provider table below; anything else is simulated.
 * (transfer full) */
PwProvider *pw_provider_for_action (PwAction            *action,
                                    PwLocalProfile      *profile);

/* Constructors of the built-in providers (each in its own file). */
PwProvider *pw_git_source_provider_new   (void);  /* CodeCommit, CodeStarSourceConnection, GitHub */
PwProvider *pw_s3_source_provider_new    (void);
PwProvider *pw_codebuild_provider_new    (void);  /* Build/Test CodeBuild */

PwProvider *pw_codedeploy_provider_new   (void);
PwProvider *pw_s3_deploy_provider_new    (void);
PwProvider *pw_approval_provider_new     (void);
PwProvider *pw_lambda_provider_new       (void);
PwProvider *pw_commands_provider_new     (void);  /* Compute/Commands, and profile `commands` overrides */
PwProvider *pw_simulated_provider_new    (void);
PwProvider *pw_worker_provider_new       (void);  /* types the profile's `workers` lists */

G_END_DECLS
