/* pw-quick-fix.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-quick-fix"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pw-quick-fix.h"

/*
 * The one-click fixes findings offer (PwFix): each is an ordinary edit of
 * the text through the edit module, one undo step named after the fix.
 */

/**
 * pw_quick_fix_dup_label:
 *
 * Returns: (nullable): the fix's button label, or %NULL if there is none
 */
char *
pw_quick_fix_dup_label (PwDiagnostic *diagnostic)
{
  const PwFix *fix = pw_diagnostic_get_fix (diagnostic);

  return fix != NULL ? g_strdup (fix->label) : NULL;
}

static gboolean
fix_func (PwEditor  *editor,
          gpointer   user_data,
          GError   **error)
{
  const PwFix *fix = user_data;

  switch (fix->kind)
    {
    case PW_FIX_SET:
      return pw_editor_set (editor, fix->path, fix->value, error);

    case PW_FIX_REMOVE:
      return pw_editor_remove (editor, fix->path, error);

    case PW_FIX_RENAME_KEY:
      {
        const char *dot = strrchr (fix->path, '.');
        g_autofree char *parent = dot != NULL ? g_strndup (fix->path, dot - fix->path) : g_strdup ("");
        g_autofree char *target = parent[0] != '\0' ? g_strdup_printf ("%s.%s", parent, fix->new_key)
                                                    : g_strdup (fix->new_key);

        /* The value under its right name, then the misspelt key out. */
        return pw_editor_set (editor, target, fix->value, error) &&
               pw_editor_remove (editor, fix->path, error);
      }

    case PW_FIX_NONE:
    default:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("This finding has no fix"));
      return FALSE;
    }
}

gboolean
pw_quick_fix_apply (PwTextDocument  *document,
                    PwDiagnostic    *diagnostic,
                    GError         **error)
{
  const PwFix *fix;
  g_autoptr(PwDiagnostic) keep = NULL;

  g_return_val_if_fail (PW_IS_TEXT_DOCUMENT (document), FALSE);
  g_return_val_if_fail (PW_IS_DIAGNOSTIC (diagnostic), FALSE);

  fix = pw_diagnostic_get_fix (diagnostic);
  if (fix == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("This finding has no fix"));
      return FALSE;
    }

  /* The edit replaces the findings list, and with it this diagnostic. */
  keep = g_object_ref (diagnostic);
  return pw_text_document_edit (document, fix->label, fix_func, (gpointer)fix, error);
}
