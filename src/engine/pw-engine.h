/* pw-engine.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <pw-core.h>

#define PW_ENGINE_INSIDE

#include "pw-engine-error.h"
#include "pw-process.h"
#include "pw-buildspec.h"
#include "pw-glob.h"
#include "pw-artifact-store.h"
#include "pw-log.h"
#include "pw-event-pattern.h"
#include "pw-local-profile.h"
#include "pw-local-check.h"
#include "pw-appspec.h"
#include "pw-action-job.h"
#include "pw-command.h"
#include "pw-provider.h"
#include "pw-git-watch.h"
#include "pw-executor.h"
#include "pw-execution.h"

#undef PW_ENGINE_INSIDE
