/* pw-execution.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_ENGINE_INSIDE) && !defined (PW_ENGINE_COMPILATION)
# error "Only <pw-engine.h> can be included directly."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pw-executor.h"

G_BEGIN_DECLS

/**
 * PwActionExecution:
 *
 * One attempt of one action in an execution, as its record says: status
 * (named as the service names it), summary, times, log, approval token,
 * output variables and artifacts. Properties notify only when they change,
 * so a UI binds to them.
 */
#define PW_TYPE_ACTION_EXECUTION (pw_action_execution_get_type ())
G_DECLARE_FINAL_TYPE (PwActionExecution, pw_action_execution, PW, ACTION_EXECUTION, GObject)

const char *pw_action_execution_get_id            (PwActionExecution *self);
const char *pw_action_execution_get_stage_name    (PwActionExecution *self);
const char *pw_action_execution_get_action_name   (PwActionExecution *self);
guint       pw_action_execution_get_attempt       (PwActionExecution *self);
guint       pw_action_execution_get_run_order     (PwActionExecution *self);
const char *pw_action_execution_get_category      (PwActionExecution *self);
const char *pw_action_execution_get_provider      (PwActionExecution *self);
const char *pw_action_execution_get_status        (PwActionExecution *self);
const char *pw_action_execution_get_summary       (PwActionExecution *self);
const char *pw_action_execution_get_error_code    (PwActionExecution *self);
gboolean    pw_action_execution_get_simulated     (PwActionExecution *self);
GDateTime  *pw_action_execution_get_start_time    (PwActionExecution *self);
GDateTime  *pw_action_execution_get_update_time   (PwActionExecution *self);
const char *pw_action_execution_get_log_path      (PwActionExecution *self);
const char *pw_action_execution_get_external_id   (PwActionExecution *self);
const char *pw_action_execution_get_token         (PwActionExecution *self);
JsonObject *pw_action_execution_get_configuration (PwActionExecution *self);
JsonObject *pw_action_execution_get_variables     (PwActionExecution *self);
JsonArray  *pw_action_execution_get_artifacts     (PwActionExecution *self);
JsonNode   *pw_action_execution_get_report        (PwActionExecution *self);

/**
 * PwStageExecution:
 *
 * A stage of an execution: its status, attempt, times, and the latest
 * attempt of each of its actions that has started, as a #GListModel of
 * #PwActionExecution in the order they started.
 */
#define PW_TYPE_STAGE_EXECUTION (pw_stage_execution_get_type ())
G_DECLARE_FINAL_TYPE (PwStageExecution, pw_stage_execution, PW, STAGE_EXECUTION, GObject)

const char *pw_stage_execution_get_name        (PwStageExecution *self);
const char *pw_stage_execution_get_status      (PwStageExecution *self);
guint       pw_stage_execution_get_attempt     (PwStageExecution *self);
GDateTime  *pw_stage_execution_get_start_time  (PwStageExecution *self);
GDateTime  *pw_stage_execution_get_end_time    (PwStageExecution *self);
GListModel *pw_stage_execution_get_actions     (PwStageExecution *self);
PwActionExecution *pw_stage_execution_lookup_action (PwStageExecution *self,
                                                     const char       *action_name);

/**
 * PwExecution:
 *
 * A pipeline execution, live or past, built from the record the executor
 * writes (`.pipewright/executions/ID/execution.json`): the same truth for
 * the process that runs it, the app and `pipewright-cli`. Its stages are a
 * #GListModel of #PwStageExecution; every action attempt is in
 * #PwExecution:actions.
 */
#define PW_TYPE_EXECUTION (pw_execution_get_type ())
G_DECLARE_FINAL_TYPE (PwExecution, pw_execution, PW, EXECUTION, GObject)

PwExecution *pw_execution_new_from_record (JsonNode    *record);
gboolean     pw_execution_update          (PwExecution *self,
                                           JsonNode    *record);
const char  *pw_execution_get_id              (PwExecution *self);
const char  *pw_execution_get_pipeline_name   (PwExecution *self);
const char  *pw_execution_get_status          (PwExecution *self);
const char  *pw_execution_get_summary         (PwExecution *self);
const char  *pw_execution_get_trigger_type    (PwExecution *self);
const char  *pw_execution_get_trigger_detail  (PwExecution *self);
const char  *pw_execution_get_execution_mode  (PwExecution *self);
const char  *pw_execution_get_execution_type  (PwExecution *self);
GDateTime   *pw_execution_get_start_time      (PwExecution *self);
GDateTime   *pw_execution_get_update_time     (PwExecution *self);
gboolean     pw_execution_is_finished         (PwExecution *self);
char        *pw_execution_dup_revisions       (PwExecution *self);
GListModel  *pw_execution_get_stages          (PwExecution *self);
GListModel  *pw_execution_get_actions         (PwExecution *self);
JsonArray   *pw_execution_get_variables       (PwExecution *self);
PwStageExecution  *pw_execution_lookup_stage  (PwExecution *self,
                                               const char  *stage_name);
PwActionExecution *pw_execution_lookup_action (PwExecution *self,
                                               const char  *stage_name,
                                               const char  *action_name);

gboolean     pw_execution_status_is_final     (const char  *status);

/**
 * PwExecutionList:
 *
 * The executions of one state folder, newest first, kept live: from the
 * executor's events when this process runs them (pw_execution_list_set_executor()),
 * and from the folder (file monitors on the records) when another process
 * does, so a window follows a `pipewright-cli run` too.
 */
#define PW_TYPE_EXECUTION_LIST (pw_execution_list_get_type ())
G_DECLARE_FINAL_TYPE (PwExecutionList, pw_execution_list, PW, EXECUTION_LIST, GObject)

PwExecutionList *pw_execution_list_new          (const char      *state_dir,
                                                 GError         **error);
PwExecutionList *pw_execution_list_new_live     (const char      *state_dir,
                                                 GError         **error);
const char      *pw_execution_list_get_state_dir (PwExecutionList *self);
void             pw_execution_list_set_executor (PwExecutionList *self,
                                                 PwExecutor      *executor);
PwExecution     *pw_execution_list_lookup       (PwExecutionList *self,
                                                 const char      *execution_id);
void             pw_execution_list_reload       (PwExecutionList *self);
void             pw_execution_list_flush        (PwExecutionList *self);
void             pw_execution_list_load         (PwExecutionList *self,
                                                 const char      *execution_id);

G_END_DECLS
