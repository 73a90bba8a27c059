/* pw-diagnostic.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-diagnostic"

#include "config.h"

#include "pw-core-private.h"

struct _PwDiagnostic
{
  GObject     parent_instance;

  char       *code;
  char       *message;
  char       *path;
  char       *file;
  guint       line;
  guint       column;
  PwSeverity  severity;
  PwFix       fix;
};

enum {
  PROP_0,
  PROP_CODE,
  PROP_SEVERITY,
  PROP_MESSAGE,
  PROP_PATH,
  PROP_FILE,
  PROP_LINE,
  PROP_COLUMN,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (PwDiagnostic, pw_diagnostic, G_TYPE_OBJECT)

static GParamSpec *properties [N_PROPS];

static void
pw_diagnostic_finalize (GObject *object)
{
  PwDiagnostic *self = (PwDiagnostic *)object;

  g_free (self->code);
  g_free (self->message);
  g_free (self->path);
  g_free (self->file);
  g_free ((char *)self->fix.label);
  g_free ((char *)self->fix.path);
  g_free ((char *)self->fix.new_key);
  g_clear_pointer (&self->fix.value, json_node_unref);

  G_OBJECT_CLASS (pw_diagnostic_parent_class)->finalize (object);
}

static void
pw_diagnostic_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  PwDiagnostic *self = PW_DIAGNOSTIC (object);

  switch (prop_id)
    {
    case PROP_CODE:
      g_value_set_string (value, self->code);
      break;

    case PROP_SEVERITY:
      g_value_set_int (value, self->severity);
      break;

    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;

    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    case PROP_FILE:
      g_value_set_string (value, self->file);
      break;

    case PROP_LINE:
      g_value_set_uint (value, self->line);
      break;

    case PROP_COLUMN:
      g_value_set_uint (value, self->column);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_diagnostic_class_init (PwDiagnosticClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pw_diagnostic_finalize;
  object_class->get_property = pw_diagnostic_get_property;

  properties [PROP_CODE] =
    g_param_spec_string ("code", NULL, NULL, NULL, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_SEVERITY] =
    g_param_spec_int ("severity", NULL, NULL, 0, PW_SEVERITY_NOTE, 0,
                      (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_MESSAGE] =
    g_param_spec_string ("message", NULL, NULL, NULL, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_FILE] =
    g_param_spec_string ("file", NULL, NULL, NULL, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_LINE] =
    g_param_spec_uint ("line", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_COLUMN] =
    g_param_spec_uint ("column", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pw_diagnostic_init (PwDiagnostic *self)
{
}

/**
 * pw_diagnostic_new:
 * @code: the rule's stable code, e.g. `P09`
 * @path: (nullable): the model path, e.g. `stages[1].actions[0].inputArtifacts[0]`
 * @message: what is wrong and how to fix it
 *
 * Returns: (transfer full): a new diagnostic without a file position
 */
PwDiagnostic *
pw_diagnostic_new (const char *code,
                   PwSeverity  severity,
                   const char *path,
                   const char *message)
{
  PwDiagnostic *self;

  g_return_val_if_fail (code != NULL, NULL);
  g_return_val_if_fail (message != NULL, NULL);

  self = g_object_new (PW_TYPE_DIAGNOSTIC, NULL);
  self->code = g_strdup (code);
  self->severity = severity;
  self->path = g_strdup (path != NULL ? path : "");
  self->message = g_strdup (message);

  return self;
}

const char *
pw_diagnostic_get_code (PwDiagnostic *self)
{
  g_return_val_if_fail (PW_IS_DIAGNOSTIC (self), NULL);
  return self->code;
}

PwSeverity
pw_diagnostic_get_severity (PwDiagnostic *self)
{
  g_return_val_if_fail (PW_IS_DIAGNOSTIC (self), PW_SEVERITY_ERROR);
  return self->severity;
}

const char *
pw_diagnostic_get_message (PwDiagnostic *self)
{
  g_return_val_if_fail (PW_IS_DIAGNOSTIC (self), NULL);
  return self->message;
}

const char *
pw_diagnostic_get_path (PwDiagnostic *self)
{
  g_return_val_if_fail (PW_IS_DIAGNOSTIC (self), NULL);
  return self->path;
}

/**
 * pw_diagnostic_get_file:
 *
 * Returns: (nullable): the file the finding is in
 */
const char *
pw_diagnostic_get_file (PwDiagnostic *self)
{
  g_return_val_if_fail (PW_IS_DIAGNOSTIC (self), NULL);
  return self->file;
}

guint
pw_diagnostic_get_line (PwDiagnostic *self)
{
  g_return_val_if_fail (PW_IS_DIAGNOSTIC (self), 0);
  return self->line;
}

guint
pw_diagnostic_get_column (PwDiagnostic *self)
{
  g_return_val_if_fail (PW_IS_DIAGNOSTIC (self), 0);
  return self->column;
}

void
pw_diagnostic_set_location (PwDiagnostic *self,
                            const char   *file,
                            guint         line,
                            guint         column)
{
  g_return_if_fail (PW_IS_DIAGNOSTIC (self));

  g_free (self->file);
  self->file = g_strdup (file);
  self->line = line;
  self->column = column;
}

const char *
pw_severity_to_string (PwSeverity severity)
{
  switch (severity)
    {
    case PW_SEVERITY_ERROR:
      return "error";
    case PW_SEVERITY_WARNING:
      return "warning";
    case PW_SEVERITY_NOTE:
    default:
      return "note";
    }
}

/**
 * pw_diagnostic_compare:
 *
 * Orders diagnostics by file, line, column, then code, for stable output.
 */
int
pw_diagnostic_compare (PwDiagnostic *a,
                       PwDiagnostic *b)
{
  int r;

  if ((r = g_strcmp0 (a->file, b->file)) != 0)
    return r;
  if (a->line != b->line)
    return a->line < b->line ? -1 : 1;
  if (a->column != b->column)
    return a->column < b->column ? -1 : 1;
  return g_strcmp0 (a->code, b->code);
}

/**
 * pw_diagnostic_get_fix:
 *
 * Returns: (nullable): the one fix the finding offers, or %NULL
 */
const PwFix *
pw_diagnostic_get_fix (PwDiagnostic *self)
{
  g_return_val_if_fail (PW_IS_DIAGNOSTIC (self), NULL);

  return self->fix.kind == PW_FIX_NONE ? NULL : &self->fix;
}

/**
 * pw_diagnostic_set_fix:
 * @value: (nullable): the value to set, or the renamed member's value
 * @new_key: (nullable): for %PW_FIX_RENAME_KEY
 */
void
pw_diagnostic_set_fix (PwDiagnostic *self,
                       PwFixKind     kind,
                       const char   *label,
                       const char   *path,
                       JsonNode     *value,
                       const char   *new_key)
{
  g_return_if_fail (PW_IS_DIAGNOSTIC (self));
  g_return_if_fail (kind == PW_FIX_NONE || (label != NULL && path != NULL));

  g_free ((char *)self->fix.label);
  g_free ((char *)self->fix.path);
  g_free ((char *)self->fix.new_key);
  g_clear_pointer (&self->fix.value, json_node_unref);

  self->fix.kind = kind;
  self->fix.label = g_strdup (label);
  self->fix.path = g_strdup (path);
  self->fix.value = value != NULL ? json_node_copy (value) : NULL;
  self->fix.new_key = g_strdup (new_key);
}
