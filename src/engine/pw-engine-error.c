/* pw-engine-error.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pw-engine.h"

G_DEFINE_QUARK (pw-engine-error, pw_engine_error)
