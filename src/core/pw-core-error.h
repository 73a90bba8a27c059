/* pw-core-error.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_CORE_INSIDE) && !defined (PW_CORE_COMPILATION)
# error "Only <pw-core.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

#define PW_CORE_ERROR (pw_core_error_quark ())

/**
 * PwCoreError:
 * @PW_CORE_ERROR_SYNTAX: the text is not well-formed YAML or JSON
 * @PW_CORE_ERROR_LIMIT: the input exceeds a safety limit (size, nesting, aliases)
 * @PW_CORE_ERROR_SHAPE: the document is well-formed but not a pipeline or template
 * @PW_CORE_ERROR_NOT_FOUND: a requested element (e.g. a logical id) does not exist
 * @PW_CORE_ERROR_ENCODING: the input is not valid UTF-8 text
 * @PW_CORE_ERROR_INVALID: a path or value given to the edit module is not
 *   well-formed, or does not fit where it goes
 * @PW_CORE_ERROR_REFUSED: the edit module cannot make an edit without
 *   changing what other parts of the file mean (an alias, a merge key, a
 *   CloudFormation intrinsic on the way); the message says what to do instead
 *
 * Errors of the core library. Messages start with `file:line:column: ` when
 * the position is known.
 */
typedef enum
{
  PW_CORE_ERROR_SYNTAX,
  PW_CORE_ERROR_LIMIT,
  PW_CORE_ERROR_SHAPE,
  PW_CORE_ERROR_NOT_FOUND,
  PW_CORE_ERROR_ENCODING,
  PW_CORE_ERROR_INVALID,
  PW_CORE_ERROR_REFUSED,
} PwCoreError;

GQuark pw_core_error_quark (void);

G_END_DECLS
