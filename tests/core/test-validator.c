/* test-validator.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The fixtures in tests/data/rules/ describe themselves, so a fixture and
 * what it must produce never drift apart:
 *
 *   # expect: CODE SEVERITY LINE:COLUMN PATH     (one line per finding, in
 *                                                 report order; PATH "-" is
 *                                                 the pipeline itself)
 *   # expect-message: CODE some words of the message
 *   # covers: CODE CODE …                        (a passing fixture for
 *                                                 these rules: no error or
 *                                                 warning of theirs)
 *
 * The expectations sit at the end of each file, so writing them does not
 * move the positions they name. */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include <pw-core.h>

typedef struct
{
  GPtrArray *expected;    /* "CODE SEVERITY LINE:COLUMN PATH" */
  GPtrArray *messages;    /* "CODE words…" */
  GPtrArray *covers;      /* "CODE" */
} Fixture;

static void
fixture_free (Fixture *fixture)
{
  g_ptr_array_unref (fixture->expected);
  g_ptr_array_unref (fixture->messages);
  g_ptr_array_unref (fixture->covers);
  g_free (fixture);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fixture, fixture_free)

static char *
rules_dir (void)
{
  return g_test_build_filename (G_TEST_DIST, "data", "rules", NULL);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char **)a, *(char **)b);
}

static GPtrArray *
list_fixtures (void)
{
  g_autofree char *dir_path = rules_dir ();
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".yml") || g_str_has_suffix (name, ".json"))
      g_ptr_array_add (names, g_strdup (name));

  g_ptr_array_sort (names, compare_names);
  return names;
}

static char *
read_fixture (const char *name,
              gsize      *length)
{
  g_autofree char *dir = rules_dir ();
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, length, &error);
  g_assert_no_error (error);
  return contents;
}

static Fixture *
parse_fixture (const char *contents)
{
  Fixture *fixture = g_new0 (Fixture, 1);
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);

  fixture->expected = g_ptr_array_new_with_free_func (g_free);
  fixture->messages = g_ptr_array_new_with_free_func (g_free);
  fixture->covers = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (g_str_has_prefix (line, "# expect: "))
        g_ptr_array_add (fixture->expected, g_strstrip (g_strdup (line + strlen ("# expect: "))));
      else if (g_str_has_prefix (line, "# expect-message: "))
        g_ptr_array_add (fixture->messages,
                         g_strstrip (g_strdup (line + strlen ("# expect-message: "))));
      else if (g_str_has_prefix (line, "# covers: "))
        {
          g_auto(GStrv) codes = g_strsplit (line + strlen ("# covers: "), " ", -1);

          for (guint j = 0; codes[j] != NULL; j++)
            if (codes[j][0] != '\0')
              g_ptr_array_add (fixture->covers, g_strdup (codes[j]));
        }
    }

  return fixture;
}

/* Loads a fixture the way the CLI and the app do. */
static PwPipeline *
load_pipeline (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwDocument) document = NULL;
  g_autofree char *contents = NULL;
  PwPipeline *pipeline;
  gsize length;

  contents = read_fixture (name, &length);
  document = pw_document_load_data (contents, length, name, &error);
  g_assert_no_error (error);
  pipeline = pw_document_dup_pipeline (document, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (pipeline);

  return pipeline;
}

static char *
describe (PwDiagnostic *d)
{
  const char *path = pw_diagnostic_get_path (d);

  return g_strdup_printf ("%s %s %u:%u %s", pw_diagnostic_get_code (d),
                          pw_severity_to_string (pw_diagnostic_get_severity (d)),
                          pw_diagnostic_get_line (d), pw_diagnostic_get_column (d),
                          path[0] != '\0' ? path : "-");
}

static void
test_fixture (gconstpointer data)
{
  const char *name = data;
  g_autofree char *contents = NULL;
  g_autoptr(Fixture) fixture = NULL;
  g_autoptr(PwPipeline) pipeline = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) actual = NULL;
  gsize length;

  contents = read_fixture (name, &length);
  fixture = parse_fixture (contents);
  pipeline = load_pipeline (name);
  found = pw_pipeline_validate (pipeline);

  for (guint i = 0; i < found->len; i++)
    {
      PwDiagnostic *d = g_ptr_array_index (found, i);
      g_autofree char *line = describe (d);

      g_strv_builder_add (builder, line);

      /* Every finding of a file-based model points into that file. */
      g_assert_cmpstr (pw_diagnostic_get_file (d), ==, name);
      g_assert_cmpuint (pw_diagnostic_get_line (d), >, 0);
      g_assert_cmpuint (pw_diagnostic_get_column (d), >, 0);
      g_assert_cmpstr (pw_diagnostic_get_message (d), !=, "");
    }
  actual = g_strv_builder_end (builder);

  g_ptr_array_add (fixture->expected, NULL);
  g_assert_cmpstrv (actual, (const char * const *)fixture->expected->pdata);

  for (guint i = 0; i < fixture->messages->len; i++)
    {
      const char *spec = g_ptr_array_index (fixture->messages, i);
      g_autofree char *code = g_strndup (spec, 3);
      const char *words = spec + 4;
      gboolean seen = FALSE;

      for (guint j = 0; j < found->len && !seen; j++)
        {
          PwDiagnostic *d = g_ptr_array_index (found, j);

          seen = g_str_equal (pw_diagnostic_get_code (d), code) &&
                 strstr (pw_diagnostic_get_message (d), words) != NULL;
        }

      if (!seen)
        g_error ("%s: no %s finding says \"%s\"", name, code, words);
    }
}

/* Every rule has a fixture that passes it and one that breaks it. */
static void
test_coverage (void)
{
  g_autoptr(GPtrArray) names = list_fixtures ();
  g_autoptr(GHashTable) covered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) broken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const PwRuleInfo *rules;
  guint n_rules;

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *contents = NULL;
      g_autoptr(Fixture) fixture = NULL;
      gsize length;

      contents = read_fixture (name, &length);
      fixture = parse_fixture (contents);

      for (guint j = 0; j < fixture->covers->len; j++)
        {
          const char *code = g_ptr_array_index (fixture->covers, j);

          g_assert_nonnull (pw_rules_lookup (code));
          g_hash_table_add (covered, g_strdup (code));

          /* A passing fixture has no error or warning of the rules it covers. */
          for (guint k = 0; k < fixture->expected->len; k++)
            {
              const char *line = g_ptr_array_index (fixture->expected, k);

              if (g_str_has_prefix (line, code) && !strstr (line, " note "))
                g_error ("%s covers %s but expects %s", name, code, line);
            }
        }

      for (guint j = 0; j < fixture->expected->len; j++)
        {
          const char *line = g_ptr_array_index (fixture->expected, j);

          if (!strstr (line, " note "))
            g_hash_table_add (broken, g_strndup (line, 3));
        }
    }

  rules = pw_rules_get_all (&n_rules);
  for (guint i = 0; i < n_rules; i++)
    {
      /* L codes are the local run's checks, tested with the engine. */
      if (rules[i].code[0] == 'L')
        continue;
      if (!g_hash_table_contains (covered, rules[i].code))
        g_error ("no passing fixture covers %s", rules[i].code);
      if (!g_hash_table_contains (broken, rules[i].code))
        g_error ("no failing fixture breaks %s", rules[i].code);
    }
}

static void
test_rule_table (void)
{
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  const PwRuleInfo *rules;
  guint n_rules;

  rules = pw_rules_get_all (&n_rules);
  /* P01…P42, the service's rules; L01…L07, what a local run reads. */
  g_assert_cmpuint (n_rules, ==, 42 + 7);

  for (guint i = 0; i < n_rules; i++)
    {
      g_autofree char *code = i < 42 ? g_strdup_printf ("P%02u", i + 1) : g_strdup_printf ("L%02u", i - 42 + 1);

      g_assert_cmpstr (rules[i].code, ==, code);
      g_assert_true (pw_rules_lookup (code) == &rules[i]);

      /* kebab-case, unique */
      g_assert_true (g_ascii_islower (rules[i].name[0]));
      for (const char *p = rules[i].name; *p != '\0'; p++)
        g_assert_true (g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '-');
      g_assert_false (g_hash_table_contains (names, rules[i].name));
      g_hash_table_add (names, (gpointer)rules[i].name);

      g_assert_true (g_str_has_suffix (rules[i].summary, "."));
      g_assert_cmpint (rules[i].severity, <=, PW_SEVERITY_NOTE);
    }

  g_assert_null (pw_rules_lookup ("P00"));
  g_assert_null (pw_rules_lookup ("P43"));
  g_assert_null (pw_rules_lookup ("X01"));
  g_assert_null (pw_rules_lookup (""));
}

static guint
count_severity (GPtrArray  *found,
                PwSeverity  severity)
{
  guint n = 0;

  for (guint i = 0; i < found->len; i++)
    if (pw_diagnostic_get_severity (g_ptr_array_index (found, i)) == severity)
      n++;

  return n;
}

/* The examples of codepipeline-model.md §8 (the API form extended by the
 * template's Deploy stage, so the approval gates something and every
 * artifact is used) are clean. */
static void
test_examples (void)
{
  static const char *const examples[] = { "v1-example.yml", "v2-example.yml", "cfn-example.json" };

  for (guint i = 0; i < G_N_ELEMENTS (examples); i++)
    {
      g_autoptr(PwPipeline) pipeline = load_pipeline (examples[i]);
      g_autoptr(GPtrArray) found = pw_pipeline_validate (pipeline);

      g_test_message ("%s: %u findings", examples[i], found->len);
      g_assert_cmpuint (count_severity (found, PW_SEVERITY_ERROR), ==, 0);
      g_assert_cmpuint (count_severity (found, PW_SEVERITY_WARNING), ==, 0);
    }
}

/* The stress workload of ../shared/bench (its generator is copied into
 * tests/bench, so a clone without ../shared runs this too): 50 stages,
 * 2,451 actions. Five times the action quota (a warning), and otherwise
 * valid. */
static void
test_generated_stress (void)
{
  g_autofree char *script = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(PwDocument) document = NULL;
  g_autoptr(PwPipeline) pipeline = NULL;
  g_autoptr(GPtrArray) found = NULL;
  guint quota = 0, unused = 0;

  script = g_test_build_filename (G_TEST_DIST, "bench", "gen-pipeline.py", NULL);
  g_assert_true (g_file_test (script, G_FILE_TEST_EXISTS));

  tmp = g_dir_make_tmp ("pw-validator-XXXXXX", &error);
  g_assert_no_error (error);

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                              "python3", script, tmp, "--workload", "validate", NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);

  json = g_build_filename (tmp, "pipeline.json", NULL);
  file = g_file_new_for_path (json);
  document = pw_document_load_file (file, NULL, &error);
  g_assert_no_error (error);
  pipeline = pw_document_dup_pipeline (document, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pw_pipeline_count_actions (pipeline), ==, 2451);

  found = pw_pipeline_validate (pipeline);
  for (guint i = 0; i < found->len; i++)
    {
      PwDiagnostic *d = g_ptr_array_index (found, i);

      if (pw_diagnostic_get_severity (d) == PW_SEVERITY_ERROR)
        g_error ("unexpected error: %s", pw_diagnostic_get_message (d));
      if (g_str_equal (pw_diagnostic_get_code (d), "P24"))
        quota++;
      else if (g_str_equal (pw_diagnostic_get_code (d), "P31"))
        unused++;
    }

  g_assert_cmpuint (quota, ==, 1);
  /* The last action group's artifacts are used by nobody. */
  g_assert_cmpuint (unused, ==, 5);

  g_unlink (json);
  {
    g_autoptr(GDir) dir = g_dir_open (tmp, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (tmp, name, NULL);

        if (g_file_test (path, G_FILE_TEST_IS_DIR))
          {
            g_autoptr(GDir) sub = g_dir_open (path, 0, NULL);
            const char *child;

            while (sub != NULL && (child = g_dir_read_name (sub)) != NULL)
              {
                g_autofree char *child_path = g_build_filename (path, child, NULL);

                g_unlink (child_path);
              }
          }
        g_remove (path);
      }
  }
  g_rmdir (tmp);
}

static PwAction *
new_action (const char *name,
            const char *category,
            const char *provider,
            gint64      run_order)
{
  PwAction *action = pw_action_new (name);

  pw_action_set_type_id (action, category, "AWS", provider, "1");
  pw_action_set_run_order (action, run_order);
  return action;
}

static void
add_artifact (PwAction   *action,
              const char *member,
              const char *name)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  node = json_builder_get_root (builder);
  pw_element_set_member (PW_ELEMENT (action), member, node);
}

/* A model built in memory has no positions, and its findings none either;
 * also the one rule too big for a fixture: 51 parallel actions. */
static void
test_in_memory (void)
{
  g_autoptr(PwPipeline) pipeline = pw_pipeline_new ("demo");
  g_autoptr(PwStage) source = pw_stage_new ("Source");
  g_autoptr(PwStage) build = pw_stage_new ("Build");
  g_autoptr(PwAction) checkout = new_action ("Checkout", "Source", "S3", 1);
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GHashTable) codes = g_hash_table_new (g_str_hash, g_str_equal);

  pw_element_set_string (PW_ELEMENT (pipeline), "roleArn",
                         "arn:aws:iam::111122223333:role/demo");
  pw_action_set_configuration_string (checkout, "S3Bucket", "demo");
  pw_action_set_configuration_string (checkout, "S3ObjectKey", "app.zip");
  pw_action_set_configuration_string (checkout, "PollForSourceChanges", "false");
  add_artifact (checkout, "outputArtifacts", "Src");
  pw_stage_insert_action (source, 0, checkout);
  pw_pipeline_insert_stage (pipeline, 0, source);

  for (guint i = 0; i < 51; i++)
    {
      g_autofree char *name = g_strdup_printf ("a%02u", i);
      g_autoptr(PwAction) action = new_action (name, "Build", "CodeBuild", 1);

      pw_action_set_configuration_string (action, "ProjectName", "pr");
      add_artifact (action, "inputArtifacts", "Src");
      pw_stage_insert_action (build, i, action);
    }
  pw_pipeline_insert_stage (pipeline, 1, build);

  found = pw_pipeline_validate (pipeline);
  for (guint i = 0; i < found->len; i++)
    {
      PwDiagnostic *d = g_ptr_array_index (found, i);

      g_assert_null (pw_diagnostic_get_file (d));
      g_assert_cmpuint (pw_diagnostic_get_line (d), ==, 0);
      g_hash_table_add (codes, (gpointer)pw_diagnostic_get_code (d));
      g_test_message ("%s %s %s", pw_diagnostic_get_code (d), pw_diagnostic_get_path (d),
                      pw_diagnostic_get_message (d));
    }

  /* No artifact store (P02); 51 actions in the stage and in one group (P05 twice). */
  g_assert_cmpuint (g_hash_table_size (codes), ==, 2);
  g_assert_true (g_hash_table_contains (codes, "P02"));
  g_assert_true (g_hash_table_contains (codes, "P05"));
  g_assert_cmpuint (found->len, ==, 3);
}

/* Every value of the declaration replaced by every kind of JSON value:
 * the validator must never assume a type, so nothing may crash or warn. */
static const char *const odd_values[] = {
  "null", "7", "-1", "1.5", "true", "\"\"", "\"x\"", "[]", "[1, {}]", "{}",
  "{\"Ref\": \"X\"}", "{\"Fn::GetAtt\": [\"A\", \"B\"]}", "{\"x\": {\"y\": []}}",
};

static void
collect_positions (JsonNode  *node,
                   GPtrArray *pointers,
                   const char *prefix)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &member))
        {
          char *pointer = g_strdup_printf ("%s/%s", prefix, name);

          g_ptr_array_add (pointers, pointer);
          collect_positions (member, pointers, pointer);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          char *pointer = g_strdup_printf ("%s/%u", prefix, i);

          g_ptr_array_add (pointers, pointer);
          collect_positions (json_array_get_element (array, i), pointers, pointer);
        }
    }
}

/* Replaces the node at @pointer (a "/a/0/b" path) with @value. */
static void
replace_at (JsonNode   *root,
            const char *pointer,
            JsonNode   *value)
{
  g_auto(GStrv) steps = g_strsplit (pointer + 1, "/", -1);
  JsonNode *node = root;
  guint n = g_strv_length (steps);

  for (guint i = 0; i < n; i++)
    {
      gboolean last = i + 1 == n;

      if (JSON_NODE_HOLDS_OBJECT (node))
        {
          if (last)
            json_object_set_member (json_node_get_object (node), steps[i], json_node_ref (value));
          else
            node = json_object_get_member (json_node_get_object (node), steps[i]);
        }
      else
        {
          JsonArray *array = json_node_get_array (node);
          guint index = atoi (steps[i]);

          if (last)
            {
              /* JsonArray cannot replace in place: rebuild it. */
              JsonArray *copy = json_array_new ();

              for (guint j = 0; j < json_array_get_length (array); j++)
                {
                  JsonNode *element = j == index ? value : json_array_get_element (array, j);

                  json_array_add_element (copy, json_node_ref (element));
                }
              json_node_take_array (node, copy);
            }
          else
            node = json_array_get_element (array, index);
        }
    }
}

static void
test_any_type (void)
{
  static const char *const sources[] = { "v2-example.yml", "P36-pass.yml", "P19-pass.yml",
                                         "P17-pass.yml", "P02-pass.yml" };
  guint runs = 0;

  for (guint s = 0; s < G_N_ELEMENTS (sources); s++)
    {
      g_autoptr(PwPipeline) original = load_pipeline (sources[s]);
      g_autoptr(JsonNode) declaration = pw_pipeline_to_declaration (original);
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(GPtrArray) pointers = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *text = NULL;

      json_generator_set_root (generator, declaration);
      text = json_generator_to_data (generator, NULL);
      collect_positions (declaration, pointers, "");

      for (guint p = 0; p < pointers->len; p++)
        for (guint v = 0; v < G_N_ELEMENTS (odd_values); v++)
          for (guint origin = 0; origin < 2; origin++)
            {
              g_autoptr(JsonParser) parser = json_parser_new ();
              g_autoptr(JsonParser) value_parser = json_parser_new ();
              g_autoptr(PwPipeline) pipeline = NULL;
              g_autoptr(GPtrArray) found = NULL;
              JsonNode *root;

              g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
              g_assert_true (json_parser_load_from_data (value_parser, odd_values[v], -1, NULL));
              root = json_parser_get_root (parser);
              replace_at (root, g_ptr_array_index (pointers, p),
                          json_parser_get_root (value_parser));

              pipeline = pw_pipeline_new_from_declaration (root);
              pw_pipeline_set_origin (pipeline, origin == 0 ? PW_PIPELINE_ORIGIN_PIPELINE_FILE
                                                            : PW_PIPELINE_ORIGIN_CFN);
              found = pw_pipeline_validate (pipeline);

              for (guint i = 0; i < found->len; i++)
                {
                  PwDiagnostic *d = g_ptr_array_index (found, i);

                  g_assert_nonnull (pw_rules_lookup (pw_diagnostic_get_code (d)));
                  g_assert_true (g_utf8_validate (pw_diagnostic_get_message (d), -1, NULL));
                }
              runs++;
            }
    }

  g_test_message ("%u validations", runs);
}

/* Replacing the whole declaration, or a whole stage or action, by an odd
 * value exercises the opaque paths. */
static void
test_opaque_everything (void)
{
  for (guint v = 0; v < G_N_ELEMENTS (odd_values); v++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(PwPipeline) pipeline = NULL;
      g_autoptr(GPtrArray) found = NULL;

      g_assert_true (json_parser_load_from_data (parser, odd_values[v], -1, NULL));
      pipeline = pw_pipeline_new_from_declaration (json_parser_get_root (parser));
      found = pw_pipeline_validate (pipeline);
      g_assert_cmpuint (found->len, >, 0);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) names = NULL;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/validator/rule-table", test_rule_table);
  g_test_add_func ("/validator/coverage", test_coverage);
  g_test_add_func ("/validator/examples", test_examples);
  g_test_add_func ("/validator/in-memory", test_in_memory);
  g_test_add_func ("/validator/any-type", test_any_type);
  g_test_add_func ("/validator/opaque-everything", test_opaque_everything);
  g_test_add_func ("/validator/generated-stress", test_generated_stress);

  names = list_fixtures ();
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *test_path = g_strdup_printf ("/validator/fixture/%s", name);

      g_test_add_data_func (test_path, name, test_fixture);
    }

  return g_test_run ();
}
