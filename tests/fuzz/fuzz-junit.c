/* fuzz-junit.c
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

/* A JUnit XML report a build wrote: counted, or refused; a failed read
 * counts nothing. */
int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) failures = _pw_junit_failures_new ();
  g_autoptr(GError) error = NULL;
  guint passed = 0, failed = 0, skipped = 0;
  gboolean ok = _pw_junit_parse ((const char *)data, size, &passed, &failed, &skipped, failures,
                                 &error);

  FUZZ_CHECK (ok == (error == NULL), "the result and the error disagree");
  if (!ok)
    FUZZ_CHECK (passed == 0 && failed == 0 && skipped == 0 && failures->len == 0,
                "a refused report counted");
  else
    FUZZ_CHECK (failures->len == failed, "%u failures for %u failed", failures->len, failed);

  return 0;
}
