/* pw-engine-error.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_ENGINE_INSIDE) && !defined (PW_ENGINE_COMPILATION)
# error "Only <pw-engine.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

#define PW_ENGINE_ERROR (pw_engine_error_quark ())

/**
 * PwEngineError:
 * @PW_ENGINE_ERROR_FAILED: the action failed (its log says why)
 * @PW_ENGINE_ERROR_CONFIGURATION: the action's configuration, buildspec,
 *   appspec or local profile is wrong (CodePipeline's `ConfigurationError`)
 * @PW_ENGINE_ERROR_ARTIFACT: an artifact is missing or unreadable
 * @PW_ENGINE_ERROR_TIMEOUT: the action ran past its timeout
 * @PW_ENGINE_ERROR_CANCELLED: stopped or abandoned
 * @PW_ENGINE_ERROR_STATE: the request does not fit the execution's state
 *   (retrying a running stage, approving twice, …)
 * @PW_ENGINE_ERROR_NOT_FOUND: no such execution, stage or action
 * @PW_ENGINE_ERROR_OUTPUT_LIMIT: the action wrote more output than its
 *   limit (a runaway build) and was stopped
 * @PW_ENGINE_ERROR_BUSY: another process runs this pipeline's state folder
 * @PW_ENGINE_ERROR_OUTDATED: an execution of an older version of the
 *   pipeline cannot be used (a rollback target)
 * @PW_ENGINE_ERROR_LIMIT: as many executions as the profile allows run
 *   or wait already
 * @PW_ENGINE_ERROR_RUNNER_LEFT: the process running the state folder ended
 *   without taking the request: no other process runs it now, and the
 *   sender may run it itself
 */
typedef enum
{
  PW_ENGINE_ERROR_FAILED,
  PW_ENGINE_ERROR_CONFIGURATION,
  PW_ENGINE_ERROR_ARTIFACT,
  PW_ENGINE_ERROR_TIMEOUT,
  PW_ENGINE_ERROR_CANCELLED,
  PW_ENGINE_ERROR_STATE,
  PW_ENGINE_ERROR_NOT_FOUND,
  PW_ENGINE_ERROR_OUTPUT_LIMIT,
  PW_ENGINE_ERROR_BUSY,
  PW_ENGINE_ERROR_RUNNER_LEFT,
  PW_ENGINE_ERROR_OUTDATED,
  PW_ENGINE_ERROR_LIMIT,
} PwEngineError;

GQuark pw_engine_error_quark (void);

G_END_DECLS
