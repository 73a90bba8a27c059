/* fuzz-lambda.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>

#include "pw-engine-private.h"

#include "fuzz-common.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* What a Lambda (a local executable) prints on stdout: an answer, or
 * none, never a crash of the runner (which runs every execution). */
int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *)data, size);
  g_autofree char *preamble = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = _pw_lambda_parse_answer (text, &preamble, &error);

  FUZZ_CHECK (answer == NULL || error == NULL, "an answer and an error: %s", error->message);

  return 0;
}
