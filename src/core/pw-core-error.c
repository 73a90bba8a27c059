/* pw-core-error.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pw-core-error.h"

G_DEFINE_QUARK (pw-core-error, pw_core_error)
