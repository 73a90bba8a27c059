/* test-buildspec.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pw-engine.h"

/* Parses @yaml and checks that it fails with a message holding a line
 * that starts with @expected (`buildspec.yml:LINE:COL: text`). */
static void
assert_error_line (const char *yaml,
                   const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwBuildspec) spec = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean found = FALSE;

  spec = pw_buildspec_parse (yaml, -1, "buildspec.yml", &error);
  g_assert_null (spec);
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);

  lines = g_strsplit (error->message, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    found |= g_str_has_prefix (lines[i], expected);

  if (!found)
    g_error ("Expected a line starting with\n  %s\nin\n%s", expected, error->message);
}

static PwBuildspec *
parse_ok (const char *yaml)
{
  g_autoptr(GError) error = NULL;
  PwBuildspec *spec;

  spec = pw_buildspec_parse (yaml, -1, "buildspec.yml", &error);
  g_assert_no_error (error);
  g_assert_nonnull (spec);

  return spec;
}

static void
test_reference (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "buildspecs",
                                                 "reference.yml", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PwBuildspec) spec = NULL;
  const PwBuildspecPhase *phase;
  const PwBuildspecArtifacts *artifacts;
  PwBuildspecReportGroup *group;
  PwBuildspecVariable *variable;

  spec = pw_buildspec_load (path, "buildspec.yml", &error);
  g_assert_no_error (error);

  g_assert_cmpstr (pw_buildspec_get_filename (spec), ==, "buildspec.yml");
  g_assert_cmpstr (pw_buildspec_get_version (spec), ==, "0.2");
  g_assert_null (pw_buildspec_get_shell (spec));

  g_assert_cmpuint (pw_buildspec_get_variables (spec)->len, ==, 1);
  variable = g_ptr_array_index (pw_buildspec_get_variables (spec), 0);
  g_assert_cmpstr (variable->name, ==, "GOFLAGS");
  g_assert_cmpstr (variable->value, ==, "-mod=readonly");
  g_assert_cmpint (variable->type, ==, PW_BUILDSPEC_VARIABLE_PLAINTEXT);
  g_assert_cmpuint (variable->line, ==, 5);
  g_assert_cmpuint (variable->column, ==, 5);
  g_assert_true (g_strv_equal (pw_buildspec_get_exported_variables (spec),
                               (const char * const[]) { "IMAGE_TAG", NULL }));

  phase = pw_buildspec_get_phase (spec, PW_BUILDSPEC_PHASE_INSTALL);
  g_assert_true (phase->present);
  g_assert_null (phase->commands);

  phase = pw_buildspec_get_phase (spec, PW_BUILDSPEC_PHASE_BUILD);
  g_assert_true (phase->present);
  g_assert_cmpuint (phase->line, ==, 15);
  g_assert_cmpuint (phase->column, ==, 3);
  g_assert_cmpint (phase->on_failure, ==, PW_BUILDSPEC_ON_FAILURE_DEFAULT);
  g_assert_true (g_strv_equal ((const char * const *)phase->commands,
                               (const char * const[]) { "make test", "make dist", NULL }));
  g_assert_cmpuint (g_strv_length (phase->finally), ==, 1);

  phase = pw_buildspec_get_phase (spec, PW_BUILDSPEC_PHASE_POST_BUILD);
  g_assert_cmpstr (phase->commands[0], ==, "[ \"$CODEBUILD_BUILD_SUCCEEDING\" = \"1\" ] || exit 1");

  artifacts = pw_buildspec_get_artifacts (spec);
  g_assert_nonnull (artifacts);
  g_assert_null (artifacts->identifier);
  g_assert_cmpstr (artifacts->files[0], ==, "**/*");
  g_assert_cmpstr (artifacts->base_directory, ==, "dist");
  g_assert_cmpstr (artifacts->exclude_paths[0], ==, "**/*.map");
  g_assert_false (artifacts->discard_paths);

  g_assert_cmpuint (pw_buildspec_get_secondary_artifacts (spec)->len, ==, 1);
  artifacts = pw_buildspec_find_secondary_artifacts (spec, "Docs");
  g_assert_nonnull (artifacts);
  g_assert_cmpstr (artifacts->identifier, ==, "Docs");
  g_assert_cmpstr (artifacts->base_directory, ==, "out/docs");
  g_assert_null (pw_buildspec_find_secondary_artifacts (spec, "Nope"));

  g_assert_cmpuint (pw_buildspec_get_reports (spec)->len, ==, 1);
  group = g_ptr_array_index (pw_buildspec_get_reports (spec), 0);
  g_assert_cmpstr (group->name, ==, "unit-tests");
  g_assert_cmpstr (group->file_format, ==, "JUNITXML");
  g_assert_cmpstr (group->base_directory, ==, "out/reports");

  g_assert_cmpstr (pw_buildspec_get_cache_paths (spec)[0], ==, ".gocache/**/*");

  /* runtime-versions has no local meaning, and says so. */
  g_assert_cmpuint (g_strv_length ((char **)pw_buildspec_get_warnings (spec)), ==, 1);
  g_assert_true (g_str_has_prefix (pw_buildspec_get_warnings (spec)[0],
                                   "buildspec.yml:10:5: warning: runtime-versions"));
}

static void
test_not_yaml (void)
{
  assert_error_line ("version: 0.2\nphases:\n  build:\n    commands:\n      - \"echo open\n",
                     "buildspec.yml:6:1: found unexpected end of stream");
  assert_error_line ("version: 0.2\nphases:\n\tbuild:\n", "buildspec.yml:3:1: found a tab");
  /* An unquoted command starting with '[' is a YAML list. */
  assert_error_line ("version: 0.2\nphases:\n  build:\n    commands:\n      - [ -f x ] || true\n",
                     "buildspec.yml:5:19: did not find expected");
  assert_error_line ("- echo hi\n", "buildspec.yml:1:1: a buildspec is a YAML mapping");
  assert_error_line ("just some text\n", "buildspec.yml:1:1: a buildspec is a YAML mapping");
  assert_error_line ("", "buildspec.yml:1:1: the buildspec is empty");
}

static void
test_version (void)
{
  g_autoptr(PwBuildspec) quoted = NULL;
  g_autoptr(PwBuildspec) old = NULL;

  assert_error_line ("version: 0.3\nphases: {build: {commands: [make]}}\n",
                     "buildspec.yml:1:10: unsupported buildspec version '0.3'; use `version: 0.2`");
  assert_error_line ("version: [0.2]\nphases: {build: {commands: [make]}}\n",
                     "buildspec.yml:1:10: `version` must be 0.2, not a list");
  assert_error_line ("phases: {build: {commands: [make]}}\n",
                     "buildspec.yml:1:1: `version` is missing; add `version: 0.2`");

  quoted = parse_ok ("version: '0.2'\nphases: {build: {commands: [make]}}\n");
  g_assert_cmpstr (pw_buildspec_get_version (quoted), ==, "0.2");

  /* 0.1 runs (each command in a fresh shell, as CodeBuild does), with a
   * warning that 0.2 is recommended. */
  old = parse_ok ("version: 0.1\nphases: {build: {commands: [make]}}\n");
  g_assert_cmpstr (pw_buildspec_get_version (old), ==, "0.1");
  g_assert_nonnull (pw_buildspec_get_warnings (old)[0]);
  g_assert_nonnull (strstr (pw_buildspec_get_warnings (old)[0], "version 0.2 is recommended"));

  /* A wrong version is the first thing said, before what else is wrong. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(PwBuildspec) spec = pw_buildspec_parse ("colour: blue\nversion: 0.0\nphases: {biuld: {}}\n",
                                                      -1, "buildspec.yml", &error);

    g_assert_null (spec);
    g_assert_true (g_str_has_prefix (error->message,
                                     "buildspec.yml:2:10: unsupported buildspec version '0.0'"));
    g_assert_null (strchr (error->message, '\n'));
  }
}

static void
test_unknown_keys (void)
{
  assert_error_line ("version: 0.2\nphase:\n  build: {commands: [make]}\n",
                     "buildspec.yml:2:1: unknown key 'phase' at the top level; did you mean "
                     "'phases'?");
  assert_error_line ("version: 0.2\nphases:\n  biuld:\n    commands: [make]\n",
                     "buildspec.yml:3:3: unknown phase 'biuld'; did you mean 'build'?");
  assert_error_line ("version: 0.2\nphases:\n  pre-build:\n    commands: [make]\n",
                     "buildspec.yml:3:3: unknown phase 'pre-build'; did you mean 'pre_build'?");
  assert_error_line ("version: 0.2\nphases:\n  deploy:\n    commands: [make]\n",
                     "buildspec.yml:3:3: unknown phase 'deploy'; phases are install, pre_build, "
                     "build and post_build");
  assert_error_line ("version: 0.2\nphases:\n  build:\n    command:\n      - make\n",
                     "buildspec.yml:4:5: unknown key 'command' in a phase; did you mean "
                     "'commands'?");
  assert_error_line ("version: 0.2\nenv:\n  variable: {A: b}\nphases: {build: {commands: [x]}}\n",
                     "buildspec.yml:3:3: unknown key 'variable' in env; did you mean 'variables'?");
  assert_error_line ("version: 0.2\nphases: {build: {commands: [x]}}\nartifacts:\n"
                     "  files: [a]\n  discard_paths: yes\n",
                     "buildspec.yml:5:3: unknown key 'discard_paths' in artifacts; did you mean "
                     "'discard-paths'?");
}

static void
test_commands (void)
{
  assert_error_line ("version: 0.2\nphases:\n  build:\n    commands: make test\n",
                     "buildspec.yml:4:15: `commands` of phase build must be a list, not a "
                     "string; put each command on its own line starting with '- ', e.g. "
                     "`- make test`");
  assert_error_line ("version: 0.2\nphases:\n  build:\n    commands:\n      - make\n      -\n",
                     "buildspec.yml:6:8: command 2 of `commands` in phase build is empty (null)");
  assert_error_line ("version: 0.2\nphases:\n  build:\n    commands:\n      - ~\n",
                     "buildspec.yml:5:9: command 1 of `commands` in phase build is empty (null)");
  assert_error_line ("version: 0.2\nphases:\n  build:\n    commands:\n      - echo a: b\n",
                     "buildspec.yml:5:9: command 1 of `commands` in phase build is a mapping, "
                     "not a string: YAML reads text with ': ' as a key and a value, so quote "
                     "the whole command, e.g. `- 'echo a: b'`");
  assert_error_line ("version: 0.2\nphases:\n  build:\n    commands:\n      - [a, b]\n",
                     "buildspec.yml:5:9: command 1 of `commands` in phase build is a list");
  assert_error_line ("version: 0.2\nphases:\n  build:\n    commands:\n",
                     "buildspec.yml:4:5: `commands` of phase build is empty");
  assert_error_line ("version: 0.2\nphases:\n  build:\n    commands: []\n",
                     "buildspec.yml:4:15: `commands` of phase build is an empty list");
  assert_error_line ("version: 0.2\nphases:\n  post_build:\n    finally: [echo]\n",
                     "buildspec.yml:3:3: phase post_build has no `commands`");
  assert_error_line ("version: 0.2\nphases:\n  pre_build:\n",
                     "buildspec.yml:3:3: phase pre_build is empty");
  assert_error_line ("version: 0.2\nphases:\n  build:\n    commands: [a]\n    finally: b\n",
                     "buildspec.yml:5:14: `finally` of phase build must be a list");
  assert_error_line ("version: 0.2\nphases:\n  build:\n    commands: ['*.sh']\n"
                     "    runtime-versions: {python: 3.12}\n",
                     "buildspec.yml:5:5: runtime-versions is only allowed in the install phase");
  assert_error_line ("version: 0.2\nphases: {}\n", "buildspec.yml:2:1: `phases` is empty");
}

/* CodeBuild reads every scalar as text, so `1.10` stays 1.10, not 1.1. */
static void
test_scalars_as_text (void)
{
  g_autoptr(PwBuildspec) spec = NULL;
  const PwBuildspecPhase *install;
  const PwBuildspecPhase *build;
  GPtrArray *variables;

  spec = parse_ok ("version: 0.2\n"
                   "env:\n"
                   "  variables:\n"
                   "    VERSION: 1.10\n"
                   "    FLAG: yes\n"
                   "    COUNT: 0x10\n"
                   "    EMPTY:\n"
                   "    QUOTED: \"a: b\"\n"
                   "phases:\n"
                   "  install:\n"
                   "  build:\n"
                   "    commands:\n"
                   "      - 1.10\n"
                   "      - true\n"
                   "      - '[ -f x ] || echo none'\n"
                   "      - |\n"
                   "        echo one\n"
                   "        echo two\n");

  variables = pw_buildspec_get_variables (spec);
  g_assert_cmpuint (variables->len, ==, 5);
  g_assert_cmpstr (((PwBuildspecVariable *)g_ptr_array_index (variables, 0))->value, ==, "1.10");
  g_assert_cmpstr (((PwBuildspecVariable *)g_ptr_array_index (variables, 1))->value, ==, "yes");
  g_assert_cmpstr (((PwBuildspecVariable *)g_ptr_array_index (variables, 2))->value, ==, "0x10");
  g_assert_cmpstr (((PwBuildspecVariable *)g_ptr_array_index (variables, 3))->value, ==, "");
  g_assert_cmpstr (((PwBuildspecVariable *)g_ptr_array_index (variables, 4))->value, ==, "a: b");

  install = pw_buildspec_get_phase (spec, PW_BUILDSPEC_PHASE_INSTALL);
  g_assert_true (install->present);
  g_assert_null (install->commands);

  build = pw_buildspec_get_phase (spec, PW_BUILDSPEC_PHASE_BUILD);
  g_assert_cmpuint (g_strv_length (build->commands), ==, 4);
  g_assert_cmpstr (build->commands[0], ==, "1.10");
  g_assert_cmpstr (build->commands[1], ==, "true");
  g_assert_cmpstr (build->commands[3], ==, "echo one\necho two\n");
}

static void
test_on_failure (void)
{
  g_autoptr(PwBuildspec) spec = NULL;

  assert_error_line ("version: 0.2\nphases:\n  build:\n    commands: [make]\n"
                     "    on-failure: abort\n",
                     "buildspec.yml:5:17: on-failure is written in capitals: ABORT or CONTINUE, "
                     "not 'abort'");
  assert_error_line ("version: 0.2\nphases:\n  build:\n    commands: [make]\n"
                     "    on-failure: RETRY\n",
                     "buildspec.yml:5:17: on-failure must be ABORT or CONTINUE, not 'RETRY'");

  spec = parse_ok ("version: 0.2\nphases:\n"
                   "  pre_build: {commands: [a], on-failure: CONTINUE}\n"
                   "  build: {commands: [b], on-failure: ABORT}\n");
  g_assert_cmpint (pw_buildspec_get_phase (spec, PW_BUILDSPEC_PHASE_PRE_BUILD)->on_failure, ==,
                   PW_BUILDSPEC_ON_FAILURE_CONTINUE);
  g_assert_cmpint (pw_buildspec_get_phase (spec, PW_BUILDSPEC_PHASE_BUILD)->on_failure, ==,
                   PW_BUILDSPEC_ON_FAILURE_ABORT);
}

static void
test_env (void)
{
  g_autoptr(PwBuildspec) spec = NULL;
  GPtrArray *variables;
  PwBuildspecVariable *variable;

  assert_error_line ("version: 0.2\nenv:\n  exported-variables:\n    - AWS_REGION\n"
                     "phases: {build: {commands: [x]}}\n",
                     "buildspec.yml:4:7: 'AWS_REGION' cannot be exported");
  assert_error_line ("version: 0.2\nenv:\n  exported-variables: TAG\n"
                     "phases: {build: {commands: [x]}}\n",
                     "buildspec.yml:3:23: env.exported-variables must be a list of names, not a "
                     "string; write `- TAG`");
  assert_error_line ("version: 0.2\nenv:\n  exported-variables: [MY-TAG]\n"
                     "phases: {build: {commands: [x]}}\n",
                     "buildspec.yml:3:24: entry 1 of env.exported-variables must be a variable "
                     "name");
  assert_error_line ("version: 0.2\nenv:\n  shell: zsh\nphases: {build: {commands: [x]}}\n",
                     "buildspec.yml:3:10: env.shell must be bash or /bin/sh on Linux, not 'zsh'");
  assert_error_line ("version: 0.2\nenv:\n  shell: powershell.exe\n"
                     "phases: {build: {commands: [x]}}\n",
                     "buildspec.yml:3:10: env.shell 'powershell.exe' is for Windows images");
  assert_error_line ("version: 0.2\nenv:\n  variables:\n    MY-VAR: x\n"
                     "phases: {build: {commands: [x]}}\n",
                     "buildspec.yml:4:5: 'MY-VAR' in env.variables is not a valid variable name");
  assert_error_line ("version: 0.2\nenv:\n  variables:\n    LIST: [a]\n"
                     "phases: {build: {commands: [x]}}\n",
                     "buildspec.yml:4:11: env.variables.LIST must be a string, not a list");
  assert_error_line ("version: 0.2\nenv:\n  secrets-manager:\n    PW:\n"
                     "phases: {build: {commands: [x]}}\n",
                     "buildspec.yml:4:8: env.secrets-manager.PW must be a string, not nothing");

  spec = parse_ok ("version: 0.2\n"
                   "env:\n"
                   "  shell: bash\n"
                   "  variables: {A: '1'}\n"
                   "  parameter-store: {TOKEN: /app/token}\n"
                   "  secrets-manager: {DB_PW: 'prod/db:password'}\n"
                   "  git-credential-helper: yes\n"
                   "phases: {build: {commands: [x]}}\n");
  g_assert_cmpstr (pw_buildspec_get_shell (spec), ==, "bash");
  variables = pw_buildspec_get_variables (spec);
  g_assert_cmpuint (variables->len, ==, 3);
  variable = g_ptr_array_index (variables, 1);
  g_assert_cmpstr (variable->name, ==, "TOKEN");
  g_assert_cmpstr (variable->value, ==, "/app/token");
  g_assert_cmpint (variable->type, ==, PW_BUILDSPEC_VARIABLE_PARAMETER_STORE);
  variable = g_ptr_array_index (variables, 2);
  g_assert_cmpstr (variable->value, ==, "prod/db:password");
  g_assert_cmpint (variable->type, ==, PW_BUILDSPEC_VARIABLE_SECRETS_MANAGER);
  g_assert_true (g_str_has_prefix (pw_buildspec_get_warnings (spec)[0],
                                   "buildspec.yml:7:3: warning: git-credential-helper"));
}

static void
test_artifacts (void)
{
  g_autoptr(PwBuildspec) spec = NULL;
  const PwBuildspecArtifacts *artifacts;

  assert_error_line ("version: 0.2\nphases: {build: {commands: [x]}}\n"
                     "artifacts:\n  base-directory: dist\n",
                     "buildspec.yml:3:1: `artifacts` needs `files`");
  assert_error_line ("version: 0.2\nphases: {build: {commands: [x]}}\n"
                     "artifacts:\n  secondary-artifacts:\n    Docs: {files: [a]}\n",
                     "buildspec.yml:3:1: `artifacts` needs `files` (required even when only "
                     "secondary-artifacts are used)");
  assert_error_line ("version: 0.2\nphases: {build: {commands: [x]}}\n"
                     "artifacts:\n  files: [a]\n  secondary-artifacts:\n"
                     "    Docs:\n      base-directory: docs\n",
                     "buildspec.yml:6:5: `artifacts.secondary-artifacts.Docs` needs `files`");
  /* One path may be a string, as in AWS's ECS tutorial
   * (`files: imagedefinitions.json`). */
  spec = parse_ok ("version: 0.2\nphases: {build: {commands: [x]}}\n"
                   "artifacts:\n  files: imagedefinitions.json\n"
                   "reports:\n  unit: {files: junit.xml}\n"
                   "cache: {paths: node_modules/**/*}\n");
  artifacts = pw_buildspec_get_artifacts (spec);
  g_assert_cmpstrv (artifacts->files, ((const char *[]) { "imagedefinitions.json", NULL }));
  g_clear_pointer (&spec, pw_buildspec_unref);

  /* Six report groups: over the project's quota, said as a warning. */
  spec = parse_ok ("version: 0.2\nphases: {build: {commands: [x]}}\n"
                   "reports:\n  a: {files: [a]}\n  b: {files: [b]}\n  c: {files: [c]}\n"
                   "  d: {files: [d]}\n  e: {files: [e]}\n  f: {files: [f]}\n");
  g_assert_cmpuint (g_strv_length ((char **)pw_buildspec_get_warnings (spec)), ==, 1);
  g_assert_cmpstr (pw_buildspec_get_warnings (spec)[0], ==,
                   "buildspec.yml:3:1: warning: `reports` names 6 report groups; a CodeBuild project "
                   "takes at most 5, so CodeBuild would fail this build");
  g_clear_pointer (&spec, pw_buildspec_unref);
  assert_error_line ("version: 0.2\nphases: {build: {commands: [x]}}\n"
                     "artifacts:\n  files: [a]\n  discard-paths: maybe\n",
                     "buildspec.yml:5:18: discard-paths must be yes or no, not a string");
  assert_error_line ("version: 0.2\nphases: {build: {commands: [x]}}\ncache: {}\n",
                     "buildspec.yml:3:1: `cache` needs `paths`");
  assert_error_line ("version: 0.2\nphases: {build: {commands: [x]}}\n"
                     "reports:\n  unit:\n    base-directory: out\n",
                     "buildspec.yml:4:3: report group 'unit' needs `files`");
  assert_error_line ("version: 0.2\nphases: {build: {commands: [x]}}\n"
                     "reports:\n  unit:\n    files: [a.xml]\n    file-format: XUNIT\n",
                     "buildspec.yml:6:18: unknown report file-format 'XUNIT'");

  spec = parse_ok ("version: 0.2\nphases: {build: {commands: [x]}}\n"
                   "artifacts:\n"
                   "  files: [a, 'b/**/*']\n"
                   "  name: build-$CODEBUILD_BUILD_NUMBER\n"
                   "  discard-paths: yes\n"
                   "  enable-symlinks: 'no'\n"
                   "  exclude-paths: '**/*.map'\n"
                   "  secondary-artifacts:\n"
                   "    One: {files: [one.txt]}\n"
                   "    Two: {files: [two.txt], base-directory: 'out*'}\n");
  artifacts = pw_buildspec_get_artifacts (spec);
  g_assert_true (artifacts->discard_paths);
  g_assert_false (artifacts->enable_symlinks);
  g_assert_cmpstr (artifacts->name, ==, "build-$CODEBUILD_BUILD_NUMBER");
  g_assert_cmpstr (artifacts->exclude_paths[0], ==, "**/*.map");
  g_assert_cmpuint (pw_buildspec_get_secondary_artifacts (spec)->len, ==, 2);
  artifacts = pw_buildspec_find_secondary_artifacts (spec, "Two");
  g_assert_cmpstr (artifacts->base_directory, ==, "out*");
  g_assert_cmpuint (artifacts->line, ==, 11);
  g_assert_cmpuint (artifacts->column, ==, 5);
}

/* Every problem of a file is reported at once, in file order. */
static void
test_mistakes_fixture (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "buildspecs",
                                                 "mistakes.yml", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PwBuildspec) spec = NULL;
  g_auto(GStrv) lines = NULL;
  static const char * const expected[] = {
    "buildspec.yml:6:7: 'AWS_REGION' cannot be exported",
    "buildspec.yml:8:3: unknown phase 'prebuild'; did you mean 'pre_build'?",
    "buildspec.yml:12:15: `commands` of phase build must be a list, not a string",
    "buildspec.yml:15:9: command 1 of `commands` in phase post_build is a mapping",
    "buildspec.yml:16:8: command 2 of `commands` in phase post_build is empty (null)",
    "buildspec.yml:17:17: on-failure must be ABORT or CONTINUE, not 'RETRY'",
    "buildspec.yml:18:1: `artifacts` needs `files`",
    NULL
  };

  spec = pw_buildspec_load (path, "buildspec.yml", &error);
  g_assert_null (spec);
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);

  lines = g_strsplit (error->message, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, g_strv_length ((char **)expected));
  for (guint i = 0; expected[i] != NULL; i++)
    {
      if (!g_str_has_prefix (lines[i], expected[i]))
        g_error ("Line %u: expected\n  %s…\ngot\n  %s", i, expected[i], lines[i]);
    }
}

static void
test_load_missing (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwBuildspec) spec = NULL;

  spec = pw_buildspec_load ("/nonexistent/buildspec.yml", "ci/buildspec.yml", &error);
  g_assert_null (spec);
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION);
  g_assert_true (g_str_has_prefix (error->message, "ci/buildspec.yml: cannot read the buildspec"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/buildspec/reference", test_reference);
  g_test_add_func ("/engine/buildspec/not-yaml", test_not_yaml);
  g_test_add_func ("/engine/buildspec/version", test_version);
  g_test_add_func ("/engine/buildspec/unknown-keys", test_unknown_keys);
  g_test_add_func ("/engine/buildspec/commands", test_commands);
  g_test_add_func ("/engine/buildspec/scalars-as-text", test_scalars_as_text);
  g_test_add_func ("/engine/buildspec/on-failure", test_on_failure);
  g_test_add_func ("/engine/buildspec/env", test_env);
  g_test_add_func ("/engine/buildspec/artifacts", test_artifacts);
  g_test_add_func ("/engine/buildspec/mistakes-fixture", test_mistakes_fixture);
  g_test_add_func ("/engine/buildspec/load-missing", test_load_missing);

  return g_test_run ();
}
