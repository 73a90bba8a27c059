/* pw-executor.h
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

G_BEGIN_DECLS

#define PW_TYPE_EXECUTOR (pw_executor_get_type ())

G_DECLARE_FINAL_TYPE (PwExecutor, pw_executor, PW, EXECUTOR, GObject)

/**
 * PwApprovalMode:
 * @PW_APPROVAL_WAIT: wait for a person (or another process) to decide
 * @PW_APPROVAL_AUTO_APPROVE: approve every manual approval at once
 * @PW_APPROVAL_AUTO_REJECT: reject every manual approval at once
 */
typedef enum
{
  PW_APPROVAL_WAIT,
  PW_APPROVAL_AUTO_APPROVE,
  PW_APPROVAL_AUTO_REJECT,
} PwApprovalMode;

PwExecutor *pw_executor_new              (PwPipeline      *pipeline,
                                          const char      *pipeline_path,
                                          const char      *state_dir,
                                          PwLocalProfile  *profile,
                                          GError         **error);
const char *pw_executor_get_state_dir    (PwExecutor      *self);
void        pw_executor_set_approval_mode (PwExecutor     *self,
                                          PwApprovalMode   mode);
void        pw_executor_set_working_tree (PwExecutor      *self,
                                          gboolean         working_tree);
/* Stops after this stage (the run goes up to and including it). */
gboolean    pw_executor_set_last_stage   (PwExecutor      *self,
                                          const char      *stage_name,
                                          GError         **error);
char       *pw_executor_start            (PwExecutor      *self,
                                          GHashTable      *variables,
                                          GHashTable      *source_revisions,
                                          const char      *trigger_type,
                                          const char      *trigger_detail,
                                          GError         **error);
/* Like pw_executor_start, with this execution's own approval mode and
 * last stage (NULL: the executor's). */
char       *pw_executor_start_full       (PwExecutor      *self,
                                          GHashTable      *variables,
                                          GHashTable      *source_revisions,
                                          const char      *trigger_type,
                                          const char      *trigger_detail,
                                          PwApprovalMode   approval_mode,
                                          const char      *last_stage,
                                          GError         **error);
const char *pw_executor_get_pipeline_hash (PwExecutor     *self);
char       *pw_executor_hash_pipeline    (PwPipeline      *pipeline);
/* Takes over a finished (Failed or Stopped) execution from its record, so
 * it can be retried by this process. */
gboolean    pw_executor_load_execution   (PwExecutor      *self,
                                          const char      *execution_id,
                                          GError         **error);
gboolean    pw_executor_stop             (PwExecutor      *self,
                                          const char      *execution_id,
                                          gboolean         abandon,
                                          const char      *reason,
                                          GError         **error);
gboolean    pw_executor_override_condition (PwExecutor    *self,
                                            const char    *execution_id,
                                            const char    *stage_name,
                                            const char    *condition_type,
                                            GError       **error);
char       *pw_executor_rollback         (PwExecutor      *self,
                                          const char      *stage_name,
                                          const char      *target_id,
                                          const char      *by,
                                          GError         **error);
gboolean    pw_executor_retry            (PwExecutor      *self,
                                          const char      *execution_id,
                                          const char      *stage_name,
                                          gboolean         all_actions,
                                          GError         **error);
gboolean    pw_executor_decide           (PwExecutor      *self,
                                          const char      *execution_id,
                                          const char      *stage_name,
                                          const char      *action_name,
                                          gboolean         approved,
                                          const char      *summary,
                                          const char      *by,
                                          GError         **error);
gboolean    pw_executor_set_transition   (PwExecutor      *self,
                                          const char      *stage_name,
                                          gboolean         enabled,
                                          const char      *reason,
                                          GError         **error);
GHashTable *pw_executor_dup_disabled_transitions (PwExecutor *self);
/* Serves approve/reject/stop/retry requests that other processes drop in
 * the state folder (see pw_state_send_request). */
gboolean    pw_executor_serve_requests   (PwExecutor      *self,
                                          GError         **error);
void        pw_executor_stop_serving     (PwExecutor      *self);
gboolean    pw_executor_is_busy          (PwExecutor      *self);
/* (transfer full) (nullable): the execution's record as stored */
JsonNode   *pw_executor_dup_execution    (PwExecutor      *self,
                                          const char      *execution_id);
const char *pw_executor_get_status       (PwExecutor      *self,
                                          const char      *execution_id);

/* Forks the builds' process keeper now, while the caller is small (see
 * pw-container.c); a GUI calls it first thing in main(). */
gboolean    pw_engine_prepare_keepers    (GError         **error);

/* The state folder, for other processes and the CLI's read-only commands. */
char       *pw_state_default_dir         (const char      *pipeline_path);
char       *pw_state_encode_name         (const char      *name);
gboolean    pw_state_is_execution_id     (const char      *text,
                                          gboolean         prefix);
char       *pw_state_decode_name         (const char      *encoded);
GPtrArray  *pw_state_list_executions     (const char      *state_dir,
                                          GError         **error);   /* JsonNode*, newest first */
GPtrArray  *pw_state_list_executions_full (const char     *state_dir,
                                           GPtrArray     **unreadable,
                                           GError        **error);
JsonNode   *pw_state_load_execution      (const char      *state_dir,
                                          const char      *execution_id,
                                          GError         **error);
char       *pw_state_execution_path      (const char      *state_dir,
                                          const char      *execution_id);
/* Whether a live process serves this state folder (a run or a watch). */
gboolean    pw_state_runner_alive        (const char      *state_dir);
gint64      pw_state_runner_pid          (const char      *state_dir);
/* Blocks until no process runs the state folder's executions. */
void        pw_state_wait_for_runner     (const char      *state_dir);
/* Recovers executions whose runner died (SIGKILL, power cut): marks them
 * Failed with the reason. Returns how many. */
guint       pw_state_recover             (const char      *state_dir);
GStrv       pw_state_list_old_work       (const char      *state_dir,
                                          guint            keep);
void        pw_state_prune_work          (const char * const *paths);
JsonObject *pw_state_load_transitions    (const char      *state_dir,
                                          const char      *pipeline_name);
gboolean    pw_state_save_transition     (const char      *state_dir,
                                          const char      *pipeline_name,
                                          const char      *stage,
                                          gboolean         enabled,
                                          const char      *reason,
                                          const char      *by,
                                          GError         **error);
/* Asks the process running @execution_id to do @op ("approve", "reject",
 * "stop", "abandon", "retry", "retry-all", "enable-transition" or
 * "disable-transition" of "stage", the reason in "summary") and waits (file monitor, no
 * polling) up to @timeout_ms for its answer. */
gboolean    pw_state_send_request        (const char      *state_dir,
                                          JsonObject      *request,
                                          guint            timeout_ms,
                                          GError         **error);
gboolean    pw_state_send_request_full   (const char      *state_dir,
                                          JsonObject      *request,
                                          guint            timeout_ms,
                                          JsonNode       **reply,
                                          GError         **error);
/* The same from a worker thread: the caller's main loop goes on. */
void        pw_state_send_request_async  (const char      *state_dir,
                                          JsonObject      *request,
                                          guint            timeout_ms,
                                          GCancellable    *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer         user_data);
JsonNode   *pw_state_send_request_finish (GAsyncResult    *result,
                                          GError         **error);

G_END_DECLS
