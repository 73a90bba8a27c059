/* pw-core.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#define PW_CORE_INSIDE

#include "pw-core-error.h"
#include "pw-source-map.h"
#include "pw-yaml.h"
#include "pw-json.h"
#include "pw-suggest.h"
#include "pw-providers.h"
#include "pw-element.h"
#include "pw-action.h"
#include "pw-stage.h"
#include "pw-pipeline.h"
#include "pw-diagnostic.h"
#include "pw-document.h"
#include "pw-edit.h"
#include "pw-cfn.h"
#include "pw-validator.h"
#include "pw-report.h"
#include "pw-graph.h"
#include "pw-file-util.h"

#undef PW_CORE_INSIDE
