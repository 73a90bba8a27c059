/* pw-run-controller.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <pw-engine.h>

#include "pw-text-document.h"

G_BEGIN_DECLS

/**
 * PwRunOptions:
 * @variables: name → value, for a V2 pipeline's variables
 * @revisions: source action name → the revision to run (a commit, an
 *   object version)
 * @last_stage: (nullable): the run stops after this stage
 * @profile: (nullable): the local profile; %NULL: the one beside the file
 *
 * What `pipewright-cli run` takes, for Run with Options; the last used are
 * remembered per pipeline file.
 */
typedef struct
{
  GHashTable *variables;
  GHashTable *revisions;
  char       *last_stage;
  char       *profile;
  gboolean    ask;          /* Run (F5) opens Run with Options first */
} PwRunOptions;

PwRunOptions *pw_run_options_new  (void);
void          pw_run_options_free (PwRunOptions *options);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PwRunOptions, pw_run_options_free)

#define PW_TYPE_RUN_CONTROLLER (pw_run_controller_get_type ())

G_DECLARE_FINAL_TYPE (PwRunController, pw_run_controller, PW, RUN_CONTROLLER, GObject)

PwRunController   *pw_run_controller_new            (PwTextDocument   *document);
PwExecutionList   *pw_run_controller_get_executions (PwRunController  *self);
PwExecution       *pw_run_controller_get_execution  (PwRunController  *self);
void               pw_run_controller_set_execution  (PwRunController  *self,
                                                     PwExecution      *execution);
gboolean           pw_run_controller_get_running    (PwRunController  *self);
PwActionExecution *pw_run_controller_get_approval   (PwRunController  *self);
char              *pw_run_controller_dup_blocker    (PwRunController  *self);
PwTextDocument    *pw_run_controller_get_document   (PwRunController  *self);
gboolean           pw_run_controller_started_here   (PwRunController  *self,
                                                     PwExecution      *execution);
gboolean           pw_run_controller_start          (PwRunController  *self,
                                                     GError          **error);
gboolean           pw_run_controller_start_with     (PwRunController  *self,
                                                     const PwRunOptions *options,
                                                     GError          **error);
PwRunOptions      *pw_run_controller_dup_options    (PwRunController  *self);
gboolean           pw_run_controller_stop           (PwRunController  *self,
                                                     gboolean          abandon,
                                                     GError          **error);
gboolean           pw_run_controller_decide         (PwRunController  *self,
                                                     PwActionExecution *action,
                                                     gboolean          approved,
                                                     const char       *summary,
                                                     GError          **error);
gboolean           pw_run_controller_retry          (PwRunController  *self,
                                                     const char       *stage_name,
                                                     gboolean          all_actions,
                                                     GError          **error);

gboolean           pw_run_controller_set_transition (PwRunController  *self,
                                                     const char       *stage_name,
                                                     gboolean          enabled,
                                                     const char       *reason,
                                                     GError          **error);
GHashTable        *pw_run_controller_dup_disabled_transitions (PwRunController *self);
GHashTable        *pw_run_controller_dup_waiting    (PwRunController  *self);

G_END_DECLS
