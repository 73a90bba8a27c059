/* fuzz-event-pattern.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "pw-engine.h"

#include "fuzz-common.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* An event pattern from a local profile and an event, split at the first
 * NUL: the pattern is checked, and a pattern the check takes is matched
 * against the event, never a crash (the profile is the user's, the
 * events are the runs'). */
int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const uint8_t *split = memchr (data, '\0', size);
  gsize pattern_size = split != NULL ? (gsize)(split - data) : size;
  g_autoptr(JsonNode) pattern = pw_json_parse ((const char *)data, (gssize)pattern_size, NULL, NULL);
  g_autoptr(JsonNode) event = split != NULL ? pw_json_parse ((const char *)split + 1, (gssize)(size - pattern_size - 1),
                                                             NULL, NULL)
                                            : NULL;
  g_autofree char *message = NULL;

  if (pattern == NULL)
    return 0;
  if (!pw_event_pattern_check (pattern, &message))
    {
      FUZZ_CHECK (message != NULL, "a refused pattern without a reason");
      return 0;
    }
  if (event != NULL)
    (void)pw_event_pattern_matches (pattern, event);
  return 0;
}
