/* pw-diagnostic.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_CORE_INSIDE) && !defined (PW_CORE_COMPILATION)
# error "Only <pw-core.h> can be included directly."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * PwSeverity:
 * @PW_SEVERITY_ERROR: AWS would reject the pipeline (or it cannot run)
 * @PW_SEVERITY_WARNING: accepted, but most likely not what was meant
 * @PW_SEVERITY_NOTE: information, e.g. a value that could not be checked
 */
typedef enum
{
  PW_SEVERITY_ERROR,
  PW_SEVERITY_WARNING,
  PW_SEVERITY_NOTE,
} PwSeverity;

/**
 * PwFixKind:
 * @PW_FIX_NONE: the finding has no unambiguous fix
 * @PW_FIX_SET: set the value at @path to @value
 * @PW_FIX_RENAME_KEY: rename the member at @path to @new_key (its value,
 *   @value, stays)
 * @PW_FIX_REMOVE: remove the member or element at @path
 */
typedef enum
{
  PW_FIX_NONE,
  PW_FIX_SET,
  PW_FIX_RENAME_KEY,
  PW_FIX_REMOVE,
} PwFixKind;

/**
 * PwFix:
 * @label: what a button offering it says ("Use 'CodeBuild'")
 * @path: a model path, in the syntax of diagnostics
 *
 * A fix a finding offers when there is exactly one right answer: a "did
 * you mean" provider or key, a missing required key, a wrong scalar type.
 */
typedef struct
{
  PwFixKind   kind;
  const char *label;
  const char *path;
  JsonNode   *value;
  const char *new_key;
} PwFix;

#define PW_TYPE_DIAGNOSTIC (pw_diagnostic_get_type ())

G_DECLARE_FINAL_TYPE (PwDiagnostic, pw_diagnostic, PW, DIAGNOSTIC, GObject)

PwDiagnostic *pw_diagnostic_new          (const char   *code,
                                          PwSeverity    severity,
                                          const char   *path,
                                          const char   *message);
const char   *pw_diagnostic_get_code     (PwDiagnostic *self);
PwSeverity    pw_diagnostic_get_severity (PwDiagnostic *self);
const char   *pw_diagnostic_get_message  (PwDiagnostic *self);
const char   *pw_diagnostic_get_path     (PwDiagnostic *self);
const char   *pw_diagnostic_get_file     (PwDiagnostic *self);
guint         pw_diagnostic_get_line     (PwDiagnostic *self);
guint         pw_diagnostic_get_column   (PwDiagnostic *self);
void          pw_diagnostic_set_location (PwDiagnostic *self,
                                          const char   *file,
                                          guint         line,
                                          guint         column);
const PwFix  *pw_diagnostic_get_fix      (PwDiagnostic *self);
void          pw_diagnostic_set_fix      (PwDiagnostic *self,
                                          PwFixKind     kind,
                                          const char   *label,
                                          const char   *path,
                                          JsonNode     *value,
                                          const char   *new_key);
const char   *pw_severity_to_string      (PwSeverity    severity);
int           pw_diagnostic_compare      (PwDiagnostic *a,
                                          PwDiagnostic *b);

G_END_DECLS
