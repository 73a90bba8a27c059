/* pw-local-profile.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_ENGINE_INSIDE) && !defined (PW_ENGINE_COMPILATION)
# error "Only <pw-engine.h> can be included directly."
#endif

#include <pw-core.h>

G_BEGIN_DECLS

#define PW_TYPE_LOCAL_PROFILE (pw_local_profile_get_type ())

G_DECLARE_FINAL_TYPE (PwLocalProfile, pw_local_profile, PW, LOCAL_PROFILE, GObject)

/**
 * PwLocalProfile:
 *
 * `pipewright.local.yml`, beside the pipeline file: how AWS things map to
 * local ones. All keys are optional; an unknown key is an error with its
 * position. Shape:
 *
 * |[
 * sources:                      # per source action name
 *   Checkout: {repository: ../app, branch: main}     # git-based sources
 *   Upload:   {path: ./drop/app.zip}                  # S3 source: folder or zip
 * codebuild:                    # per CodeBuild ProjectName
 *   my-build: {buildspec: ci/buildspec.yml, environment: {FOO: bar}, image: aws/codebuild/standard:7.0}
 * commands:                     # per action name: run this instead of simulating
 *   DeployStack: {run: "./scripts/deploy.sh", shell: bash}
 * lambda:                       # per FunctionName: the local executable
 *   smoke-test: {run: ./tests/smoke.py}
 * codedeploy:                   # per ApplicationName/DeploymentGroupName
 *   my-app/prod: {instances: 3, root: .pipewright/instances, config: CodeDeployDefault.OneAtATime}
 *   checks: {endpoint: http://127.0.0.1:3001}         # or served (sam local start-lambda)
 * workers:                      # action types a job worker runs (PollForJobs
 *   Custom/MyBuilder: {}        #   on pipewright-cli serve), by Owner/Provider
 * targets:                      # HTTP targets of events, by EventBridge pattern
 *   chat: {url: http://127.0.0.1:9000/hook, pattern: {detail: {state: [FAILED]}},
 *          headers: {Authorization: Bearer x}, retries: 5}
 * s3:                           # bucket → local folder
 *   my-site-bucket: ./public
 * secrets:                      # secrets-manager ids and parameter-store names
 *   prod/db: {password: s3cr3t}        # a JSON secret (json-key selects)
 *   /app/token: abc123                 # a plain value
 * environment: {AWS_REGION: us-east-1}  # for every action
 * account: "111122223333"
 * region: us-east-1
 * ]|
 */
PwLocalProfile *pw_local_profile_new        (void);
PwLocalProfile *pw_local_profile_load       (const char     *path,
                                             GError        **error);
/* Loads `pipewright.local.yml` beside @pipeline_path when it exists;
 * otherwise the defaults. */
PwLocalProfile *pw_local_profile_load_beside (const char    *pipeline_path,
                                              GError       **error);
const char     *pw_local_profile_get_base_dir (PwLocalProfile *self);
const char     *pw_local_profile_get_path     (PwLocalProfile *self);
/* The section's entry for @name (e.g. section "codebuild", name the
 * ProjectName), or NULL. */
JsonObject     *pw_local_profile_get_entry  (PwLocalProfile *self,
                                             const char     *section,
                                             const char     *name);
GStrv           pw_local_profile_dup_names  (PwLocalProfile *self,
                                             const char     *section);
const char     *pw_local_profile_get_string (PwLocalProfile *self,
                                             const char     *section,
                                             const char     *name,
                                             const char     *key);
/* A secret: @id as in buildspec secrets-manager (`id:json-key:stage:version`,
 * only id and json-key are used) or a parameter-store name; falls back to
 * the environment variable PIPEWRIGHT_SECRET_<id with non-alnum as _>. */
char           *pw_local_profile_lookup_secret (PwLocalProfile *self,
                                                const char     *id,
                                                GError        **error);
/* Resolves a path from the profile relative to the profile's folder. */
char           *pw_local_profile_resolve_path  (PwLocalProfile *self,
                                                const char     *path);
const char     *pw_local_profile_get_account (PwLocalProfile *self);
const char     *pw_local_profile_get_region  (PwLocalProfile *self);
JsonObject     *pw_local_profile_get_environment (PwLocalProfile *self);

guint64         pw_local_profile_get_log_size    (PwLocalProfile *self);
guint64         pw_local_profile_get_output_size (PwLocalProfile *self);
guint           pw_local_profile_get_concurrent_executions (PwLocalProfile *self);

G_END_DECLS
