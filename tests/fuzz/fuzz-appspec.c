/* fuzz-appspec.c
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

/* A CodeDeploy appspec from a revision: read, or refused with a message
 * that starts with its name; no destination may climb with `..`. */
int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwAppspec) spec = pw_appspec_parse ("/nonexistent-bundle", "appspec.yml",
                                                (const char *)data, size, &error);

  if (spec == NULL)
    {
      FUZZ_CHECK (error != NULL && g_str_has_prefix (error->message, "appspec.yml"),
                  "%s", error != NULL ? error->message : "(no error)");
      return 0;
    }

  for (guint i = 0; i < spec->files->len; i++)
    {
      PwAppspecFile *file = g_ptr_array_index (spec->files, i);

      FUZZ_CHECK (file->destination[0] == '/', "destination %s is not absolute",
                  file->destination);
      FUZZ_CHECK (strstr (file->destination, "/../") == NULL &&
                  !g_str_has_suffix (file->destination, "/.."),
                  "destination %s climbs", file->destination);
      FUZZ_CHECK (strstr (file->source, "..") == NULL || !g_str_has_prefix (file->source, ".."),
                  "source %s climbs", file->source);
    }

  return 0;
}
