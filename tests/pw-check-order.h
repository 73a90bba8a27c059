/* pw-check-order.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* What tests of runs check of statuses seen over time (by the execution
 * objects, or on the cards frame by frame): lines "OBJECT:STATUS". */

#pragma once

#include <string.h>

#include <glib.h>

/* Each object's statuses in @seen are a subsequence of its statuses in
 * @expected (never back, never out of order), and each object ends where
 * it ends there. A status held for less than an update may be missing. */
static inline void
pw_check_in_order (const char *seen,
                   const char *expected)
{
  g_auto(GStrv) lines = g_strsplit (seen, "\n", -1);
  g_auto(GStrv) want = g_strsplit (expected, "\n", -1);
  g_autoptr(GHashTable) next = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) last = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *object = g_strndup (lines[i], strrchr (lines[i], ':') - lines[i]);
      guint from = GPOINTER_TO_UINT (g_hash_table_lookup (next, object));
      guint j;

      for (j = from; want[j] != NULL && !g_str_equal (want[j], lines[i]); j++)
        ;
      if (want[j] == NULL)
        g_error ("%s seen out of order:\n%s", lines[i], seen);
      g_hash_table_insert (last, g_strdup (object), g_strdup (lines[i]));
      g_hash_table_insert (next, g_steal_pointer (&object), GUINT_TO_POINTER (j + 1));
    }

  /* Each object's last status is its final one. */
  for (guint j = 0; want[j] != NULL; j++)
    {
      g_autofree char *object = g_strndup (want[j], strrchr (want[j], ':') - want[j]);
      gboolean final = TRUE;

      for (guint k = j + 1; want[k] != NULL && final; k++)
        if (g_str_has_prefix (want[k], object) && want[k][strlen (object)] == ':')
          final = FALSE;
      if (final)
        g_assert_cmpstr (g_hash_table_lookup (last, object), ==, want[j]);
    }
}
