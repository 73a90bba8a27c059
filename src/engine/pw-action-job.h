/* pw-action-job.h
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

#include "pw-local-profile.h"
#include "pw-log.h"

G_BEGIN_DECLS

/**
 * PwJobArtifact:
 * @name: the artifact name
 * @zip_path: the zip in the artifact store
 * @revision: (nullable): the source revision it carries (commit id, …)
 */
typedef struct
{
  char *name;
  char *zip_path;
  char *revision;
} PwJobArtifact;

#define PW_TYPE_ACTION_JOB (pw_action_job_get_type ())

G_DECLARE_FINAL_TYPE (PwActionJob, pw_action_job, PW, ACTION_JOB, GObject)

/**
 * PwActionJob:
 *
 * Everything one action execution needs, handed to its provider, and what
 * the provider hands back. The executor makes it; a provider reads the
 * inputs, does the work in @work_dir, and sets the outputs. Configuration
 * values arrive with `#{…}` variables already resolved.
 */
PwActionJob    *pw_action_job_new                   (void);

/* Inputs (set by the executor) */
PwAction       *pw_action_job_get_action            (PwActionJob *self);
void            pw_action_job_set_action            (PwActionJob *self, PwAction *action);
const char     *pw_action_job_get_pipeline_name     (PwActionJob *self);
void            pw_action_job_set_pipeline_name     (PwActionJob *self, const char *name);
const char     *pw_action_job_get_stage_name        (PwActionJob *self);
void            pw_action_job_set_stage_name        (PwActionJob *self, const char *name);
const char     *pw_action_job_get_action_name       (PwActionJob *self);
const char     *pw_action_job_get_execution_id      (PwActionJob *self);
void            pw_action_job_set_execution_id      (PwActionJob *self, const char *id);
const char     *pw_action_job_get_action_execution_id (PwActionJob *self);
void            pw_action_job_set_action_execution_id (PwActionJob *self, const char *id);
/* The action's configuration with variables resolved (string values). */
JsonObject     *pw_action_job_get_configuration     (PwActionJob *self);
void            pw_action_job_set_configuration     (PwActionJob *self, JsonObject *configuration);
const char     *pw_action_job_get_config            (PwActionJob *self, const char *key);
/* A fresh, empty folder that belongs to this action execution. */
const char     *pw_action_job_get_work_dir          (PwActionJob *self);
void            pw_action_job_set_work_dir          (PwActionJob *self, const char *dir);
/* Where output zips go: providers write `<output_dir>/<ArtifactName>.zip`. */
const char     *pw_action_job_get_output_dir        (PwActionJob *self);
void            pw_action_job_set_output_dir        (PwActionJob *self, const char *dir);
/* Per-provider persistent folder (e.g. CodeBuild cache.paths between runs). */
const char     *pw_action_job_get_cache_dir         (PwActionJob *self);
void            pw_action_job_set_cache_dir         (PwActionJob *self, const char *dir);
/* The folder of the pipeline file: the default git repository and the base
 * for relative paths. */
const char     *pw_action_job_get_pipeline_dir      (PwActionJob *self);
void            pw_action_job_set_pipeline_dir      (PwActionJob *self, const char *dir);
GPtrArray      *pw_action_job_get_inputs            (PwActionJob *self); /* PwJobArtifact */
void            pw_action_job_add_input             (PwActionJob *self, const char *name,
                                                     const char *zip_path, const char *revision);
const PwJobArtifact *pw_action_job_find_input       (PwActionJob *self, const char *name);
/* The names of the output artifacts the action declares, in order. */
GStrv           pw_action_job_dup_output_names      (PwActionJob *self);
PwLog          *pw_action_job_get_log               (PwActionJob *self);
void            pw_action_job_set_log               (PwActionJob *self, PwLog *log);
PwLocalProfile *pw_action_job_get_profile           (PwActionJob *self);
void            pw_action_job_set_profile           (PwActionJob *self, PwLocalProfile *profile);
/* The environment to start from (the user's, plus the profile's). */
GStrv           pw_action_job_dup_environment       (PwActionJob *self);
void            pw_action_job_set_environment       (PwActionJob *self, const char * const *envp);
const char     *pw_action_job_get_region            (PwActionJob *self);
void            pw_action_job_set_region            (PwActionJob *self, const char *region);
const char     *pw_action_job_get_account           (PwActionJob *self);
void            pw_action_job_set_account           (PwActionJob *self, const char *account);
/* Seconds; 0 means the provider's default. */
guint           pw_action_job_get_timeout           (PwActionJob *self);
void            pw_action_job_set_timeout           (PwActionJob *self, guint seconds);
/* For source actions: a revision to use instead of the branch head. */
const char     *pw_action_job_get_source_revision   (PwActionJob *self);
void            pw_action_job_set_source_revision   (PwActionJob *self, const char *revision);

/* Outputs (set by the provider) */
void            pw_action_job_set_output_variable   (PwActionJob *self, const char *name,
                                                     const char *value);
GHashTable     *pw_action_job_get_output_variables  (PwActionJob *self); /* char* → char* */
/* Registers `<output_dir>/<name>.zip` (already written) as output @name. */
void            pw_action_job_add_output            (PwActionJob *self, const char *name,
                                                     const char *zip_path, const char *revision);
GPtrArray      *pw_action_job_get_outputs           (PwActionJob *self); /* PwJobArtifact */
void            pw_action_job_set_summary           (PwActionJob *self, const char *summary);
const char     *pw_action_job_get_summary           (PwActionJob *self);
void            pw_action_job_set_external_id       (PwActionJob *self, const char *id);
const char     *pw_action_job_get_external_id       (PwActionJob *self);
/* Cloud-only providers with no local meaning say so. */
void            pw_action_job_set_simulated         (PwActionJob *self, gboolean simulated);
void            pw_action_job_set_working_tree      (PwActionJob *self, gboolean working_tree);
gboolean        pw_action_job_get_working_tree      (PwActionJob *self);
gboolean        pw_action_job_get_simulated         (PwActionJob *self);
/* Test reports (CodeBuild `reports`): {"groups": [{"name", "passed",
 * "failed", "skipped", "seconds", "failures": [{"name", "message"}]}]} */
void            pw_action_job_set_report            (PwActionJob *self, JsonNode *report);
JsonNode       *pw_action_job_get_report            (PwActionJob *self);

/* Manual approvals: the executor decides, the provider waits for the
 * `decided` signal (gboolean approved, const char *summary, const char *by). */
const char     *pw_action_job_get_approval_token    (PwActionJob *self);
void            pw_action_job_set_approval_token    (PwActionJob *self, const char *token);
void            pw_action_job_decide                (PwActionJob *self, gboolean approved,
                                                     const char *summary, const char *by);
gboolean        pw_action_job_is_decided            (PwActionJob *self, gboolean *approved);

/* The state folder of the run (jobs for workers are kept there). */
const char  *pw_action_job_get_state_dir     (PwActionJob *self);
void         pw_action_job_set_state_dir     (PwActionJob *self,
                                              const char  *dir);
char        *pw_action_job_dup_output_path (PwActionJob *self,
                                            const char  *name);
JsonNode    *pw_action_job_build_data      (PwActionJob *self,
                                            const char  *continuation_token);

G_END_DECLS
