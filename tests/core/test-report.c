/* test-report.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <pw-core.h>

static const char demo_yaml[] =
  "pipeline:\n"
  "  name: demo\n"
  "  roleArn: arn:aws:iam::111122223333:role/demo\n"
  "  artifactStore: {type: S3, location: demo-artifacts}\n"
  "  stages:\n"
  "    - name: Source\n"
  "      actions:\n"
  "        - name: Checkout\n"
  "          actionTypeId: {category: Source, owner: AWS, provider: CodeCommit, version: \"1\"}\n"
  "          configuration: {RepositoryName: demo, BranchName: main}\n"
  "          outputArtifacts: [{name: Src}]\n"
  "    - name: Build\n"
  "      actions:\n"
  "        - name: Compile\n"
  "          actionTypeId: {category: Build, owner: AWS, provider: CodeBuild, version: \"1\"}\n"
  "          configuration: {ProjectName: demo}\n"
  "          inputArtifacts: [{name: Source}]\n";

/* Validates demo_yaml; its findings are two warnings and an error. */
static GPtrArray *
validate_demo (GPtrArray **maps)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwDocument) document = NULL;
  g_autoptr(PwPipeline) pipeline = NULL;

  document = pw_document_load_data (demo_yaml, -1, "demo.yml", &error);
  g_assert_no_error (error);
  pipeline = pw_document_dup_pipeline (document, NULL, &error);
  g_assert_no_error (error);

  *maps = g_ptr_array_new_with_free_func ((GDestroyNotify)pw_source_map_unref);
  g_ptr_array_add (*maps, pw_source_map_ref (pw_document_get_source_map (document)));

  return pw_pipeline_validate (pipeline);
}

static void
test_human (void)
{
  g_autoptr(GPtrArray) maps = NULL;
  g_autoptr(GPtrArray) found = validate_demo (&maps);
  g_autofree char *text = pw_report_format (found, maps, PW_REPORT_HUMAN, FALSE);
  static const char expected[] =
    "demo.yml:10:26: warning[P30]: PollForSourceChanges is not set, so 'Checkout' polls its "
    "source (the default is \"true\"); set PollForSourceChanges: \"false\" and start the "
    "pipeline from an EventBridge rule or a webhook instead\n"
    "  10 |           configuration: {RepositoryName: demo, BranchName: main}\n"
    "     |                          ^\n"
    "     = path: stages[0].actions[0].configuration\n"
    "\n"
    "demo.yml:11:36: warning[P31]: output artifact 'Src' of 'Checkout' is never used as an "
    "input artifact; consume it in a later action or remove it\n"
    "  11 |           outputArtifacts: [{name: Src}]\n"
    "     |                                    ^\n"
    "     = path: stages[0].actions[0].outputArtifacts[0].name\n"
    "\n"
    "demo.yml:17:35: error[P09]: input artifact 'Source' is not produced anywhere in the "
    "pipeline; it must be an output artifact of an action that runs earlier\n"
    "  17 |           inputArtifacts: [{name: Source}]\n"
    "     |                                   ^\n"
    "     = path: stages[1].actions[0].inputArtifacts[0].name\n"
    "\n"
    "1 error, 2 warnings\n";

  g_assert_cmpstr (text, ==, expected);
}

static void
test_human_color (void)
{
  g_autoptr(GPtrArray) maps = NULL;
  g_autoptr(GPtrArray) found = validate_demo (&maps);
  g_autofree char *plain = pw_report_format (found, maps, PW_REPORT_HUMAN, FALSE);
  g_autofree char *color = pw_report_format (found, maps, PW_REPORT_HUMAN, TRUE);

  g_assert_null (strchr (plain, '\033'));
  g_assert_nonnull (strstr (color, "\033[1;31merror[P09]\033[0m"));
  g_assert_nonnull (strstr (color, "\033[1;35mwarning[P30]\033[0m"));
  g_assert_nonnull (strstr (color, "\033[1mdemo.yml:17:35:\033[0m"));
}

/* Without a file, without a line, and with no map to quote from. */
static void
test_human_partial (void)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *text = NULL;
  PwDiagnostic *d;

  g_ptr_array_add (found, pw_diagnostic_new ("P02", PW_SEVERITY_ERROR, "",
                                             "the pipeline has no artifact store"));
  d = pw_diagnostic_new ("P35", PW_SEVERITY_NOTE, "roleArn", "value is an intrinsic");
  pw_diagnostic_set_location (d, "template.yml", 0, 0);
  g_ptr_array_add (found, d);
  d = pw_diagnostic_new ("P31", PW_SEVERITY_WARNING, "stages[0]", "unused");
  pw_diagnostic_set_location (d, "other.yml", 3, 7);
  g_ptr_array_add (found, d);

  text = pw_report_format (found, NULL, PW_REPORT_HUMAN, FALSE);
  g_assert_cmpstr (text, ==,
                   "error[P02]: the pipeline has no artifact store\n"
                   "\n"
                   "template.yml: note[P35]: value is an intrinsic\n"
                   "  = path: roleArn\n"
                   "\n"
                   "other.yml:3:7: warning[P31]: unused\n"
                   "  = path: stages[0]\n"
                   "\n"
                   "1 error, 1 warning, 1 note\n");
}

/* Columns count characters; a tab shows as spaces to the next multiple of
 * four, and a wide character takes two cells, so the caret stays put. */
static void
test_human_caret (void)
{
  static const char source[] = "a:\n\tname: \"日本 x\"\n";
  g_autoptr(GBytes) bytes = g_bytes_new_static (source, sizeof source - 1);
  g_autoptr(PwSourceMap) map = pw_source_map_new ("t.yml", bytes);
  g_autoptr(GPtrArray) maps = g_ptr_array_new ();
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *text = NULL;
  PwDiagnostic *d;

  /* Line 2 is TAB n a m e : SPACE " 日 本 SPACE x: the x is character 12
   * and is shown at cell 16 (4 for the tab, 7, then 2 + 2 + 1). */
  d = pw_diagnostic_new ("P27", PW_SEVERITY_ERROR, "a.name", "bad");
  pw_diagnostic_set_location (d, "t.yml", 2, 12);
  g_ptr_array_add (found, d);
  g_ptr_array_add (maps, map);

  text = pw_report_format (found, maps, PW_REPORT_HUMAN, FALSE);
  g_assert_cmpstr (text, ==,
                   "t.yml:2:12: error[P27]: bad\n"
                   "  2 |     name: \"日本 x\"\n"
                   "    |                 ^\n"
                   "    = path: a.name\n"
                   "\n"
                   "1 error\n");
}

/* A long line (a minified JSON file is one line) is quoted as the part
 * around the column, cut with `…`, and the caret still points at it;
 * in ASCII and in UTF-8. */
static void
test_human_long_line (void)
{
  g_autoptr(GString) source = g_string_new ("{");
  g_autoptr(GString) wide = g_string_new ("{");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) wide_bytes = NULL;
  g_autoptr(PwSourceMap) map = NULL;
  g_autoptr(PwSourceMap) wide_map = NULL;
  g_autoptr(GPtrArray) maps = g_ptr_array_new ();
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  PwDiagnostic *d;
  const char *caret;

  for (guint i = 0; i < 2000; i++)
    {
      g_string_append_printf (source, "\"k%04u\": %u, ", i, i);
      g_string_append_printf (wide, "\"é%04u\": %u, ", i, i);
    }
  g_string_append (source, "\"end\": 0}");
  g_string_append (wide, "\"end\": 0}");
  bytes = g_bytes_new (source->str, source->len);
  wide_bytes = g_bytes_new (wide->str, wide->len);
  map = pw_source_map_new ("min.json", bytes);
  wide_map = pw_source_map_new ("wide.json", wide_bytes);
  g_ptr_array_add (maps, map);
  g_ptr_array_add (maps, wide_map);

  /* Columns count characters from 1: the one after the quote. */
  d = pw_diagnostic_new ("P27", PW_SEVERITY_ERROR, "k1000", "bad");
  pw_diagnostic_set_location (d, "min.json", 1,
                              g_utf8_pointer_to_offset (source->str,
                                                        strstr (source->str, "\"k1000\"")) + 2);
  g_ptr_array_add (found, d);
  d = pw_diagnostic_new ("P27", PW_SEVERITY_ERROR, "é1000", "bad");
  pw_diagnostic_set_location (d, "wide.json", 1,
                              g_utf8_pointer_to_offset (wide->str,
                                                        strstr (wide->str, "\"é1000\"")) + 2);
  g_ptr_array_add (found, d);
  /* At the very start: cut at the end only. */
  d = pw_diagnostic_new ("P27", PW_SEVERITY_ERROR, "k0000", "bad");
  pw_diagnostic_set_location (d, "min.json", 1, 3);
  g_ptr_array_add (found, d);

  text = pw_report_format (found, maps, PW_REPORT_HUMAN, FALSE);
  lines = g_strsplit (text, "\n", -1);

  for (guint k = 0; k < 3; k++)
    {
      const char *quoted = lines[k * 5 + 1];
      const char *marker = lines[k * 5 + 2];
      const char *expected = k == 0 ? "k1000" : k == 1 ? "é1000" : "k0000";
      glong at;

      g_test_message ("%s\n%s", quoted, marker);
      g_assert_true (g_str_has_prefix (quoted, "  1 | "));
      g_assert_true (g_str_has_suffix (quoted, "…"));
      g_assert_cmpint (g_str_has_prefix (quoted, "  1 | …"), ==, k < 2);
      /* About the window's size, not the line's. */
      g_assert_cmpint (g_utf8_strlen (quoted, -1), <, 175);

      caret = strchr (marker, '^');
      g_assert_nonnull (caret);
      at = caret - marker;
      g_assert_true (g_str_has_prefix (g_utf8_offset_to_pointer (quoted, at), expected));
    }
}

static void
test_summary (void)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *none = pw_report_summary (found);
  g_autofree char *empty = pw_report_format (found, NULL, PW_REPORT_HUMAN, FALSE);
  g_autofree char *two = NULL;

  g_assert_cmpstr (none, ==, "no problems found");
  g_assert_cmpstr (empty, ==, "no problems found\n");

  g_ptr_array_add (found, pw_diagnostic_new ("P09", PW_SEVERITY_ERROR, "", "x"));
  g_ptr_array_add (found, pw_diagnostic_new ("P09", PW_SEVERITY_ERROR, "", "y"));
  two = pw_report_summary (found);
  g_assert_cmpstr (two, ==, "2 errors");
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_ref (json_parser_get_root (parser));
}

static void
test_json (void)
{
  g_autoptr(GPtrArray) maps = NULL;
  g_autoptr(GPtrArray) found = validate_demo (&maps);
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object, *summary, *first;
  JsonArray *list;
  PwDiagnostic *bare;

  bare = pw_diagnostic_new ("P02", PW_SEVERITY_NOTE, "", "no position");
  g_ptr_array_add (found, bare);

  text = pw_report_format (found, NULL, PW_REPORT_JSON, FALSE);
  g_assert_true (g_str_has_suffix (text, "}\n"));
  g_assert_nonnull (strstr (text, "\n  \"diagnostics\""));   /* pretty */

  root = parse (text);
  object = json_node_get_object (root);
  g_assert_cmpint (json_object_get_int_member (object, "version"), ==, 1);

  list = json_object_get_array_member (object, "diagnostics");
  g_assert_cmpuint (json_array_get_length (list), ==, 4);

  first = json_array_get_object_element (list, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "code"), ==, "P30");
  g_assert_cmpstr (json_object_get_string_member (first, "name"), ==, "polling-source");
  g_assert_cmpstr (json_object_get_string_member (first, "severity"), ==, "warning");
  g_assert_cmpstr (json_object_get_string_member (first, "path"), ==,
                   "stages[0].actions[0].configuration");
  g_assert_cmpstr (json_object_get_string_member (first, "file"), ==, "demo.yml");
  g_assert_cmpint (json_object_get_int_member (first, "line"), ==, 10);
  g_assert_cmpint (json_object_get_int_member (first, "column"), ==, 26);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (first, "message"),
                                   "PollForSourceChanges is not set"));

  /* Unknown positions are left out, not written as 0 or null. */
  {
    JsonObject *last = json_array_get_object_element (list, 3);

    g_assert_cmpstr (json_object_get_string_member (last, "code"), ==, "P02");
    g_assert_false (json_object_has_member (last, "file"));
    g_assert_false (json_object_has_member (last, "line"));
    g_assert_false (json_object_has_member (last, "column"));
    g_assert_cmpstr (json_object_get_string_member (last, "path"), ==, "");
  }

  summary = json_object_get_object_member (object, "summary");
  g_assert_cmpint (json_object_get_int_member (summary, "errors"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (summary, "warnings"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (summary, "notes"), ==, 1);
}

static gboolean
valid_level (const char *level)
{
  return g_strcmp0 (level, "error") == 0 || g_strcmp0 (level, "warning") == 0 ||
         g_strcmp0 (level, "note") == 0 || g_strcmp0 (level, "none") == 0;
}

/* The parts of SARIF 2.1.0 that code-scanning tools rely on. */
static void
check_sarif (const char *text,
             guint       n_results)
{
  g_autoptr(JsonNode) root = parse (text);
  JsonObject *log = json_node_get_object (root);
  JsonObject *run, *driver;
  JsonArray *runs, *rules, *results;
  const PwRuleInfo *table;
  guint n_rules;

  g_assert_true (g_str_has_suffix (text, "\n"));
  g_assert_cmpstr (json_object_get_string_member (log, "$schema"), ==,
                   "https://json.schemastore.org/sarif-2.1.0.json");
  g_assert_cmpstr (json_object_get_string_member (log, "version"), ==, "2.1.0");

  runs = json_object_get_array_member (log, "runs");
  g_assert_cmpuint (json_array_get_length (runs), ==, 1);
  run = json_array_get_object_element (runs, 0);

  driver = json_object_get_object_member (json_object_get_object_member (run, "tool"), "driver");
  g_assert_cmpstr (json_object_get_string_member (driver, "name"), ==, "pipewright-cli");
  g_assert_cmpstr (json_object_get_string_member (driver, "informationUri"), ==,
                   "https://github.com/pipewright/pipewright");
  g_assert_cmpstr (json_object_get_string_member (driver, "version"), ==, PACKAGE_VERSION);

  table = pw_rules_get_all (&n_rules);
  rules = json_object_get_array_member (driver, "rules");
  g_assert_cmpuint (json_array_get_length (rules), ==, n_rules);
  for (guint i = 0; i < n_rules; i++)
    {
      JsonObject *rule = json_array_get_object_element (rules, i);
      JsonObject *description = json_object_get_object_member (rule, "shortDescription");
      JsonObject *config = json_object_get_object_member (rule, "defaultConfiguration");

      g_assert_cmpstr (json_object_get_string_member (rule, "id"), ==, table[i].code);
      g_assert_cmpstr (json_object_get_string_member (rule, "name"), ==, table[i].name);
      g_assert_cmpstr (json_object_get_string_member (description, "text"), ==, table[i].summary);
      g_assert_true (valid_level (json_object_get_string_member (config, "level")));
    }

  results = json_object_get_array_member (run, "results");
  g_assert_cmpuint (json_array_get_length (results), ==, n_results);
  for (guint i = 0; i < n_results; i++)
    {
      JsonObject *result = json_array_get_object_element (results, i);
      const char *rule_id = json_object_get_string_member (result, "ruleId");
      gint64 index = json_object_get_int_member (result, "ruleIndex");
      JsonObject *message = json_object_get_object_member (result, "message");

      g_assert_cmpint (index, >=, 0);
      g_assert_cmpint (index, <, n_rules);
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rules, index),
                                                      "id"), ==, rule_id);
      g_assert_true (valid_level (json_object_get_string_member (result, "level")));
      g_assert_cmpstr (json_object_get_string_member (message, "text"), !=, "");

      if (json_object_has_member (result, "locations"))
        {
          JsonArray *locations = json_object_get_array_member (result, "locations");
          JsonObject *location = json_array_get_object_element (locations, 0);

          g_assert_cmpuint (json_array_get_length (locations), ==, 1);
          if (json_object_has_member (location, "physicalLocation"))
            {
              JsonObject *physical = json_object_get_object_member (location, "physicalLocation");
              JsonObject *artifact = json_object_get_object_member (physical, "artifactLocation");

              g_assert_cmpstr (json_object_get_string_member (artifact, "uri"), !=, "");
              if (json_object_has_member (physical, "region"))
                {
                  JsonObject *region = json_object_get_object_member (physical, "region");

                  g_assert_cmpint (json_object_get_int_member (region, "startLine"), >=, 1);
                  g_assert_cmpint (json_object_get_int_member (region, "startColumn"), >=, 1);
                }
            }
          if (json_object_has_member (location, "logicalLocations"))
            {
              JsonArray *logical = json_object_get_array_member (location, "logicalLocations");
              JsonObject *first = json_array_get_object_element (logical, 0);

              g_assert_cmpstr (json_object_get_string_member (first, "fullyQualifiedName"), !=, "");
            }
        }
    }
}

static void
test_sarif (void)
{
  g_autoptr(GPtrArray) maps = NULL;
  g_autoptr(GPtrArray) found = validate_demo (&maps);
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *result, *physical, *region;
  PwDiagnostic *d;

  /* One with an absolute path, one with nothing but a message. */
  d = pw_diagnostic_new ("P35", PW_SEVERITY_NOTE, "roleArn", "intrinsic");
  pw_diagnostic_set_location (d, "/srv/ci/my pipeline.yml", 4, 2);
  g_ptr_array_add (found, d);
  g_ptr_array_add (found, pw_diagnostic_new ("P02", PW_SEVERITY_ERROR, "", "no store"));

  text = pw_report_format (found, NULL, PW_REPORT_SARIF, FALSE);
  check_sarif (text, 5);

  root = parse (text);
  {
    JsonObject *run = json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (root), "runs"), 0);
    JsonArray *results = json_object_get_array_member (run, "results");

    g_assert_cmpstr (json_object_get_string_member (run, "columnKind"), ==, "unicodeCodePoints");

    /* The error of the demo: P09, rule index 8. */
    result = json_array_get_object_element (results, 2);
    g_assert_cmpstr (json_object_get_string_member (result, "ruleId"), ==, "P09");
    g_assert_cmpint (json_object_get_int_member (result, "ruleIndex"), ==, 8);
    g_assert_cmpstr (json_object_get_string_member (result, "level"), ==, "error");
    physical = json_object_get_object_member (
      json_array_get_object_element (json_object_get_array_member (result, "locations"), 0),
      "physicalLocation");
    g_assert_cmpstr (json_object_get_string_member (
                       json_object_get_object_member (physical, "artifactLocation"), "uri"),
                     ==, "demo.yml");
    region = json_object_get_object_member (physical, "region");
    g_assert_cmpint (json_object_get_int_member (region, "startLine"), ==, 17);
    g_assert_cmpint (json_object_get_int_member (region, "startColumn"), ==, 35);
    g_assert_cmpstr (json_object_get_string_member (
                       json_array_get_object_element (
                         json_object_get_array_member (
                           json_array_get_object_element (
                             json_object_get_array_member (result, "locations"), 0),
                           "logicalLocations"), 0),
                       "fullyQualifiedName"),
                     ==, "stages[1].actions[0].inputArtifacts[0].name");

    result = json_array_get_object_element (results, 3);
    physical = json_object_get_object_member (
      json_array_get_object_element (json_object_get_array_member (result, "locations"), 0),
      "physicalLocation");
    g_assert_cmpstr (json_object_get_string_member (
                       json_object_get_object_member (physical, "artifactLocation"), "uri"),
                     ==, "file:///srv/ci/my%20pipeline.yml");
    g_assert_cmpstr (json_object_get_string_member (result, "level"), ==, "note");

    result = json_array_get_object_element (results, 4);
    g_assert_false (json_object_has_member (result, "locations"));
  }
}

static void
test_sarif_empty (void)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *text = pw_report_format (found, NULL, PW_REPORT_SARIF, FALSE);

  check_sarif (text, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/report/human", test_human);
  g_test_add_func ("/report/human-color", test_human_color);
  g_test_add_func ("/report/human-partial", test_human_partial);
  g_test_add_func ("/report/human-caret", test_human_caret);
  g_test_add_func ("/report/human-long-line", test_human_long_line);
  g_test_add_func ("/report/summary", test_summary);
  g_test_add_func ("/report/json", test_json);
  g_test_add_func ("/report/sarif", test_sarif);
  g_test_add_func ("/report/sarif-empty", test_sarif_empty);

  return g_test_run ();
}
