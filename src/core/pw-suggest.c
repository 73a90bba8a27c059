/* pw-suggest.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pw-suggest.h"

/* Case-insensitive, and blind to '-' versus '_', so `pre-build` and
 * `PreBuild` both find `pre_build`. */
static char *
normalize_key (const char *key)
{
  GString *out = g_string_new (NULL);

  for (const char *p = key; *p != '\0'; p++)
    {
      if (*p != '-' && *p != '_')
        g_string_append_c (out, g_ascii_tolower (*p));
    }

  return g_string_free (out, FALSE);
}

/* Optimal string alignment distance: a swap of two neighbours counts as
 * one edit, which is the commonest typo (`biuld`). */
static guint
edit_distance (const char *a,
               const char *b)
{
  gsize la = strlen (a);
  gsize lb = strlen (b);
  g_autofree guint *d = NULL;
  guint result;

  if (la > 64 || lb > 64)
    return G_MAXUINT;

#define D(i, j) d[(i) * (lb + 1) + (j)]
  d = g_new (guint, (la + 1) * (lb + 1));
  for (gsize i = 0; i <= la; i++)
    D (i, 0) = i;
  for (gsize j = 0; j <= lb; j++)
    D (0, j) = j;

  for (gsize i = 1; i <= la; i++)
    {
      for (gsize j = 1; j <= lb; j++)
        {
          guint best = D (i - 1, j - 1) + (a[i - 1] == b[j - 1] ? 0 : 1);

          best = MIN (best, D (i - 1, j) + 1);
          best = MIN (best, D (i, j - 1) + 1);
          if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
            best = MIN (best, D (i - 2, j - 2) + 1);
          D (i, j) = best;
        }
    }

  result = D (la, lb);
#undef D

  return result;
}

/**
 * pw_suggest_word:
 * @word: what was written
 * @choices: (array zero-terminated=1): what could have been meant
 *
 * The "did you mean" of a typo: the choice within one edit of @word (two
 * for words of six letters or more), comparing without case and without
 * '-' or '_', a swap of neighbours counting as one edit.
 *
 * Returns: (nullable): the closest choice, or %NULL when none is close
 */
const char *
pw_suggest_word (const char         *word,
                 const char * const *choices)
{
  g_autofree char *wanted = normalize_key (word);
  const char *best = NULL;
  guint best_distance = 3;

  for (guint i = 0; choices[i] != NULL; i++)
    {
      g_autofree char *choice = normalize_key (choices[i]);
      guint distance = edit_distance (wanted, choice);

      if (distance < best_distance && distance <= (strlen (choice) >= 6 ? 2 : 1))
        {
          best = choices[i];
          best_distance = distance;
        }
    }

  return best;
}
