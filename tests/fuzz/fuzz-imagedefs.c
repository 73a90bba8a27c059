/* fuzz-imagedefs.c
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

/* An ECS deploy's imagedefinitions.json from a build: a list of images,
 * or an error naming the file. */
int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *images = _pw_image_definitions_parse ((const char *)data, size,
                                                         "imagedefinitions.json", "Build",
                                                         &error);

  FUZZ_CHECK ((images != NULL) != (error != NULL), "an answer and an error, or neither");
  if (error != NULL)
    FUZZ_CHECK (g_str_has_prefix (error->message, "imagedefinitions.json in Build"), "%s",
                error->message);

  return 0;
}
