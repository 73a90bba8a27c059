/* pw-buildspec.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_ENGINE_INSIDE) && !defined (PW_ENGINE_COMPILATION)
# error "Only <pw-engine.h> can be included directly."
#endif

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * PwBuildspecPhaseId:
 *
 * The four phases a buildspec may define, in the order they run.
 */
typedef enum
{
  PW_BUILDSPEC_PHASE_INSTALL,
  PW_BUILDSPEC_PHASE_PRE_BUILD,
  PW_BUILDSPEC_PHASE_BUILD,
  PW_BUILDSPEC_PHASE_POST_BUILD,
  PW_BUILDSPEC_N_PHASES
} PwBuildspecPhaseId;

/**
 * PwBuildspecOnFailure:
 * @PW_BUILDSPEC_ON_FAILURE_DEFAULT: no `on-failure`: CodeBuild's standard
 *   transitions (a failed INSTALL or PRE_BUILD ends the build, a failed
 *   BUILD still runs POST_BUILD)
 * @PW_BUILDSPEC_ON_FAILURE_ABORT: `on-failure: ABORT`, the build ends
 * @PW_BUILDSPEC_ON_FAILURE_CONTINUE: `on-failure: CONTINUE`, the next
 *   phase runs anyway
 */
typedef enum
{
  PW_BUILDSPEC_ON_FAILURE_DEFAULT,
  PW_BUILDSPEC_ON_FAILURE_ABORT,
  PW_BUILDSPEC_ON_FAILURE_CONTINUE,
} PwBuildspecOnFailure;

/**
 * PwBuildspecVariableType:
 *
 * Where an `env` variable's value comes from.
 */
typedef enum
{
  PW_BUILDSPEC_VARIABLE_PLAINTEXT,
  PW_BUILDSPEC_VARIABLE_PARAMETER_STORE,
  PW_BUILDSPEC_VARIABLE_SECRETS_MANAGER,
} PwBuildspecVariableType;

/**
 * PwBuildspecVariable:
 * @name: the variable name
 * @value: the value (plain text), the parameter name (parameter-store) or
 *   the `secret-id:json-key:version-stage:version-id` reference
 *   (secrets-manager)
 * @type: which of the three `env` maps it came from
 * @line: 1-based line of its key in the buildspec
 * @column: 1-based column of its key
 */
typedef struct
{
  char                    *name;
  char                    *value;
  PwBuildspecVariableType  type;
  guint                    line;
  guint                    column;
} PwBuildspecVariable;

/**
 * PwBuildspecPhase:
 * @present: whether the buildspec defines the phase at all
 * @on_failure: the phase's `on-failure`
 * @commands: (nullable): its `commands`
 * @finally: (nullable): its `finally` commands
 * @run_as: (nullable): its `run-as` user (not honoured locally)
 * @line: 1-based line of the phase's key (0 when absent)
 * @column: 1-based column of the phase's key
 */
typedef struct
{
  gboolean              present;
  PwBuildspecOnFailure  on_failure;
  GStrv                 commands;
  GStrv                 finally;
  char                 *run_as;
  guint                 line;
  guint                 column;
} PwBuildspecPhase;

/**
 * PwBuildspecArtifacts:
 * @identifier: (nullable): %NULL for the top-level `artifacts`, else the
 *   `secondary-artifacts` identifier
 * @files: the `files` globs (never empty)
 * @name: (nullable): `name`, recorded but not used for the zip's name
 * @base_directory: (nullable): `base-directory`, a path or a glob
 * @exclude_paths: (nullable): `exclude-paths` globs
 * @discard_paths: `discard-paths: yes`
 * @enable_symlinks: `enable-symlinks: yes`
 * @s3_prefix: (nullable): `s3-prefix` (no local meaning)
 * @line: 1-based line of the section's key
 * @column: 1-based column of the section's key
 */
typedef struct
{
  char     *identifier;
  GStrv     files;
  char     *name;
  char     *base_directory;
  GStrv     exclude_paths;
  gboolean  discard_paths;
  gboolean  enable_symlinks;
  char     *s3_prefix;
  guint     line;
  guint     column;
} PwBuildspecArtifacts;

/**
 * PwBuildspecReportGroup:
 * @name: the report group name (or ARN) as written
 * @files: the `files` globs
 * @base_directory: (nullable): `base-directory`
 * @discard_paths: `discard-paths: yes`
 * @file_format: `file-format`, `JUNITXML` when not given
 * @line: 1-based line of the group's key
 * @column: 1-based column of the group's key
 */
typedef struct
{
  char     *name;
  GStrv     files;
  char     *base_directory;
  gboolean  discard_paths;
  char     *file_format;
  guint     line;
  guint     column;
} PwBuildspecReportGroup;

#define PW_TYPE_BUILDSPEC (pw_buildspec_get_type ())

/**
 * PwBuildspec:
 *
 * A parsed and validated CodeBuild buildspec (versions 0.2 and 0.1). Every
 * problem the parser finds is a PW_ENGINE_ERROR_CONFIGURATION whose message
 * has one line per problem, `file:line:column: what is wrong; how to fix
 * it`. Keys with no local meaning (`run-as`, `runtime-versions`, `proxy`,
 * `batch`, …) are accepted and listed by pw_buildspec_get_warnings().
 *
 * CodeBuild reads every scalar as text, so a command or variable that YAML
 * types as a number or boolean is taken as written (`1.10`, `yes`), not
 * as the number (1.1) or `true`. A null command, a command that YAML reads
 * as a mapping (an unquoted `: `) or a list, and `commands` given as one
 * string are errors.
 */
typedef struct _PwBuildspec PwBuildspec;

GType                       pw_buildspec_get_type                 (void) G_GNUC_CONST;
PwBuildspec                *pw_buildspec_parse                    (const char         *data,
                                                                   gssize              length,
                                                                   const char         *filename,
                                                                   GError            **error);
PwBuildspec                *pw_buildspec_load                     (const char         *path,
                                                                   const char         *display_name,
                                                                   GError            **error);
PwBuildspec                *pw_buildspec_ref                      (PwBuildspec        *self);
void                        pw_buildspec_unref                    (PwBuildspec        *self);
const char                 *pw_buildspec_get_filename             (PwBuildspec        *self);
const char                 *pw_buildspec_get_version              (PwBuildspec        *self);
const char                 *pw_buildspec_get_shell                (PwBuildspec        *self);
GPtrArray                  *pw_buildspec_get_variables            (PwBuildspec        *self);
const char * const         *pw_buildspec_get_exported_variables   (PwBuildspec        *self);
const PwBuildspecPhase     *pw_buildspec_get_phase                (PwBuildspec        *self,
                                                                   PwBuildspecPhaseId  phase);
const PwBuildspecArtifacts *pw_buildspec_get_artifacts            (PwBuildspec        *self);
GPtrArray                  *pw_buildspec_get_secondary_artifacts  (PwBuildspec        *self);
const PwBuildspecArtifacts *pw_buildspec_find_secondary_artifacts (PwBuildspec        *self,
                                                                   const char         *identifier);
GPtrArray                  *pw_buildspec_get_reports              (PwBuildspec        *self);
const char * const         *pw_buildspec_get_cache_paths          (PwBuildspec        *self);
const char * const         *pw_buildspec_get_warnings             (PwBuildspec        *self);

const char                 *pw_buildspec_phase_get_key            (PwBuildspecPhaseId  phase);
const char                 *pw_buildspec_phase_get_label          (PwBuildspecPhaseId  phase);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PwBuildspec, pw_buildspec_unref)

G_END_DECLS
