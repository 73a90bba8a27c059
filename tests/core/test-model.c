/* test-model.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include <pw-core.h>

static const char *v2_yaml =
  "pipeline:\n"
  "  name: demo\n"
  "  roleArn: arn:aws:iam::111122223333:role/demo\n"
  "  pipelineType: V2\n"
  "  artifactStore: {type: S3, location: demo-bucket}\n"
  "  stages:\n"
  "    - name: Source\n"
  "      actions:\n"
  "        - name: Checkout\n"
  "          actionTypeId: {category: Source, owner: AWS, provider: CodeCommit, version: \"1\"}\n"
  "          configuration: {RepositoryName: demo, BranchName: main, PollForSourceChanges: \"false\"}\n"
  "          outputArtifacts: [{name: Src}]\n"
  "    - name: Build\n"
  "      actions:\n"
  "        - name: Compile\n"
  "          runOrder: 2\n"
  "          actionTypeId: {category: Build, owner: AWS, provider: CodeBuild, version: \"1\"}\n"
  "          configuration: {ProjectName: demo}\n"
  "          inputArtifacts: [{name: Src}]\n"
  "          colour: blue\n"
  "        - name: Lint\n"
  "          actionTypeId: {category: Test, owner: AWS, provider: CodeBuild, version: \"1\"}\n"
  "          configuration: {ProjectName: lint}\n"
  "          inputArtifacts: [{name: Src}]\n"
  "tags:\n"
  "  - {key: team, value: core}\n";

static PwPipeline *
load (const char *text,
      const char *name,
      const char *resource)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwDocument) document = pw_document_load_data (text, -1, name, &error);
  PwPipeline *pipeline;

  g_assert_no_error (error);
  pipeline = pw_document_dup_pipeline (document, resource, &error);
  g_assert_no_error (error);
  return pipeline;
}

static void
test_model_read (void)
{
  g_autoptr(PwPipeline) pipeline = load (v2_yaml, "demo.yml", NULL);
  PwStage *build;
  PwAction *compile;
  g_autoptr(GArray) orders = NULL;
  g_auto(GStrv) inputs = NULL;
  g_autofree char *path = NULL;
  guint line = 0, column = 0;

  g_assert_cmpstr (pw_pipeline_get_name (pipeline), ==, "demo");
  g_assert_true (pw_pipeline_is_v2 (pipeline));
  g_assert_cmpstr (pw_pipeline_get_execution_mode (pipeline), ==, "SUPERSEDED");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (pipeline)), ==, 2);
  g_assert_cmpuint (pw_pipeline_count_actions (pipeline), ==, 3);

  build = pw_pipeline_find_stage (pipeline, "Build");
  g_assert_nonnull (build);
  compile = pw_stage_find_action (build, "Compile");
  g_assert_cmpint (pw_action_get_run_order (compile), ==, 2);
  g_assert_cmpint (pw_action_get_run_order (pw_stage_find_action (build, "Lint")), ==, 1);
  g_assert_cmpstr (pw_action_get_provider (compile), ==, "CodeBuild");
  g_assert_cmpstr (pw_action_get_configuration_string (compile, "ProjectName"), ==, "demo");

  inputs = pw_action_dup_input_artifacts (compile);
  g_assert_cmpstrv (inputs, ((const char *[]) { "Src", NULL }));

  orders = pw_stage_dup_run_orders (build);
  g_assert_cmpuint (orders->len, ==, 2);
  g_assert_cmpint (g_array_index (orders, gint64, 0), ==, 1);
  g_assert_cmpint (g_array_index (orders, gint64, 1), ==, 2);

  path = pw_element_dup_path (PW_ELEMENT (compile));
  g_assert_cmpstr (path, ==, "stages[1].actions[0]");

  /* Positions point into the file. */
  g_assert_true (pw_element_get_location (PW_ELEMENT (compile), "runOrder", &line, &column));
  g_assert_cmpuint (line, ==, 16);
  g_assert_cmpuint (column, ==, 21);
  g_assert_true (pw_element_get_location (PW_ELEMENT (build), NULL, &line, &column));
  g_assert_cmpuint (line, ==, 13);
  g_assert_true (pw_element_locate_node (PW_ELEMENT (compile),
                                         pw_element_get_member (PW_ELEMENT (compile), "colour"),
                                         TRUE, &line, &column));
  g_assert_cmpuint (line, ==, 20);
  g_assert_cmpuint (column, ==, 11);
}

static void
notify_count_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *count)
{
  (*count)++;
}

static void
test_model_edit (void)
{
  g_autoptr(PwPipeline) pipeline = load (v2_yaml, "demo.yml", NULL);
  PwStage *build = pw_pipeline_get_stage (pipeline, 1);
  PwAction *compile = pw_stage_get_action (build, 0);
  g_autoptr(PwAction) test = pw_action_new ("Test");
  g_autoptr(JsonNode) api = NULL;
  g_autofree char *yaml = NULL;
  g_autoptr(GError) error = NULL;
  guint notifies = 0, changes = 0;

  g_signal_connect (compile, "notify::run-order", G_CALLBACK (notify_count_cb), &notifies);
  pw_action_set_run_order (compile, 3);
  g_assert_cmpuint (notifies, ==, 1);
  /* Setting the same value again notifies nothing. */
  pw_action_set_run_order (compile, 3);
  g_assert_cmpuint (notifies, ==, 1);

  g_signal_connect (build, "items-changed", G_CALLBACK (items_changed_cb), &changes);
  pw_action_set_type_id (test, "Test", "AWS", "CodeBuild", "1");
  pw_action_set_configuration_string (test, "ProjectName", "tests");
  pw_stage_insert_action (build, 1, test);
  g_assert_cmpuint (changes, ==, 1);
  g_assert_cmpuint (pw_element_get_index (PW_ELEMENT (pw_stage_get_action (build, 2))), ==, 2);
  g_assert_true (pw_element_get_parent (PW_ELEMENT (test)) == PW_ELEMENT (build));

  yaml = pw_pipeline_serialize (pipeline, PW_OUTPUT_YAML, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (yaml, "runOrder: 3\n"));
  g_assert_nonnull (strstr (yaml, "- name: Test\n"));
  /* Key order of the original is kept: runOrder stays before actionTypeId. */
  g_assert_true (strstr (yaml, "runOrder: 3") < strstr (yaml, "provider: CodeBuild"));
  /* Tags go back beside `pipeline:`. */
  g_assert_nonnull (strstr (yaml, "\ntags:\n"));

  pw_stage_remove_action (build, 1);
  g_assert_cmpuint (changes, ==, 2);
  g_assert_null (pw_element_get_parent (PW_ELEMENT (test)));
}

typedef struct
{
  guint n_changes;
  guint position;
  guint removed;
  guint added;
} Changes;

static void
record_changes_cb (GListModel *model,
                   guint       position,
                   guint       removed,
                   guint       added,
                   Changes    *changes)
{
  changes->n_changes++;
  changes->position = position;
  changes->removed = removed;
  changes->added = added;
}

/* A pipeline lists its stages and a stage its actions, through the same
 * GListModel: item types, items, and what an insertion or a removal says. */
static void
test_model_list_model (void)
{
  g_autoptr(PwPipeline) pipeline = load (v2_yaml, "demo.yml", NULL);
  GListModel *stages = G_LIST_MODEL (pipeline);
  PwStage *source = pw_pipeline_get_stage (pipeline, 0);
  PwStage *build = pw_pipeline_get_stage (pipeline, 1);
  GListModel *actions = G_LIST_MODEL (build);
  g_autoptr(PwStage) deploy = pw_stage_new ("Deploy");
  g_autoptr(GObject) item = NULL;
  Changes changes = { 0 };
  guint notifies = 0;

  g_assert_true (g_list_model_get_item_type (stages) == PW_TYPE_STAGE);
  g_assert_true (g_list_model_get_item_type (actions) == PW_TYPE_ACTION);
  g_assert_cmpuint (g_list_model_get_n_items (stages), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (actions), ==, 2);
  item = g_list_model_get_item (stages, 1);
  g_assert_true (item == G_OBJECT (build));
  g_assert_null (g_list_model_get_item (stages, 2));
  g_assert_null (g_list_model_get_item (actions, 2));
  g_assert_null (pw_pipeline_get_stage (pipeline, 2));
  g_assert_true (pw_pipeline_find_stage (pipeline, "Build") == build);
  g_assert_null (pw_pipeline_find_stage (pipeline, "Deploy"));

  g_signal_connect (pipeline, "items-changed", G_CALLBACK (record_changes_cb), &changes);
  g_signal_connect (pipeline, "notify::n-items", G_CALLBACK (notify_count_cb), &notifies);

  /* Past the end: appended. */
  pw_pipeline_insert_stage (pipeline, 7, deploy);
  g_assert_cmpuint (changes.n_changes, ==, 1);
  g_assert_cmpuint (changes.position, ==, 2);
  g_assert_cmpuint (changes.removed, ==, 0);
  g_assert_cmpuint (changes.added, ==, 1);
  g_assert_cmpuint (notifies, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (stages), ==, 3);
  g_assert_true (pw_element_get_parent (PW_ELEMENT (deploy)) == PW_ELEMENT (pipeline));
  g_assert_cmpuint (pw_element_get_index (PW_ELEMENT (deploy)), ==, 2);

  /* The stages after a removed one move up. */
  g_object_ref (source);
  pw_pipeline_remove_stage (pipeline, 0);
  g_assert_cmpuint (changes.n_changes, ==, 2);
  g_assert_cmpuint (changes.position, ==, 0);
  g_assert_cmpuint (changes.removed, ==, 1);
  g_assert_cmpuint (changes.added, ==, 0);
  g_assert_cmpuint (notifies, ==, 2);
  g_assert_null (pw_element_get_parent (PW_ELEMENT (source)));
  g_assert_true (pw_pipeline_get_stage (pipeline, 0) == build);
  g_assert_cmpuint (pw_element_get_index (PW_ELEMENT (build)), ==, 0);
  g_assert_cmpuint (pw_element_get_index (PW_ELEMENT (deploy)), ==, 1);
  g_assert_finalize_object (source);

  /* Disposing the pipeline lets its stages go. */
  g_object_ref (deploy);
  g_clear_object (&item);
  g_clear_object (&pipeline);
  g_assert_null (pw_element_get_parent (PW_ELEMENT (deploy)));
  g_object_unref (deploy);
}

static void
test_model_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwPipeline) first = load (v2_yaml, "a.yml", NULL);
  g_autofree char *yaml = pw_pipeline_serialize (first, PW_OUTPUT_YAML, NULL, &error);
  g_autoptr(PwPipeline) second = NULL;
  g_autofree char *yaml2 = NULL;
  g_autofree char *json = NULL;
  g_autoptr(PwPipeline) third = NULL;
  g_autofree char *yaml3 = NULL;

  g_assert_no_error (error);
  second = load (yaml, "b.yml", NULL);
  yaml2 = pw_pipeline_serialize (second, PW_OUTPUT_YAML, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (yaml, ==, yaml2);

  json = pw_pipeline_serialize (second, PW_OUTPUT_JSON, NULL, &error);
  third = load (json, "c.json", NULL);
  yaml3 = pw_pipeline_serialize (third, PW_OUTPUT_YAML, NULL, &error);
  g_assert_cmpstr (yaml, ==, yaml3);
}

static const char *template_yaml =
  "AWSTemplateFormatVersion: '2010-09-09'\n"
  "Conditions:\n"
  "  WithTests: !Equals [!Ref Env, prod]\n"
  "Parameters:\n"
  "  Env: {Type: String, Default: dev}\n"
  "Resources:\n"
  "  Bucket: {Type: 'AWS::S3::Bucket'}\n"
  "  Pipe:\n"
  "    Type: AWS::CodePipeline::Pipeline\n"
  "    Properties:\n"
  "      RoleArn: !GetAtt Role.Arn\n"
  "      ArtifactStores:\n"
  "        - Region: us-east-1\n"
  "          ArtifactStore: {Type: S3, Location: !Ref Bucket}\n"
  "        - Region: eu-west-1\n"
  "          ArtifactStore: {Type: S3, Location: other-bucket}\n"
  "      Stages:\n"
  "        - Name: Source\n"
  "          Actions:\n"
  "            - Name: Src\n"
  "              ActionTypeId: {Category: Source, Owner: AWS, Provider: S3, Version: 1}\n"
  "              Configuration: {S3Bucket: !Ref Bucket, S3ObjectKey: src.zip, PollForSourceChanges: false}\n"
  "              OutputArtifacts: [{Name: Out}]\n"
  "        - !If\n"
  "          - WithTests\n"
  "          - Name: Test\n"
  "            Actions: []\n"
  "          - !Ref AWS::NoValue\n"
  "      SomethingNew: {Keep: me}\n"
  "      Tags: [{Key: team, Value: core}]\n";

static void
test_cfn_import (void)
{
  g_autoptr(PwPipeline) pipeline = load (template_yaml, "t.yml", NULL);
  PwStage *conditional;
  JsonNode *stores;
  JsonNode *role;
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *pipeline_yaml = NULL;
  g_autofree char *cfn_json = NULL;
  g_autoptr(PwDocument) again = NULL;
  guint line = 0, column = 0;

  g_assert_cmpint (pw_pipeline_get_origin (pipeline), ==, PW_PIPELINE_ORIGIN_CFN);
  g_assert_cmpstr (pw_pipeline_get_cfn_logical_id (pipeline), ==, "Pipe");
  g_assert_cmpuint (pw_pipeline_get_n_stages (pipeline), ==, 2);

  /* The Fn::If stage is kept whole, as an opaque stage. */
  conditional = pw_pipeline_get_stage (pipeline, 1);
  g_assert_true (pw_element_is_opaque (PW_ELEMENT (conditional)));
  g_assert_true (pw_cfn_is_intrinsic (pw_element_get_raw (PW_ELEMENT (conditional))));

  /* The list of {Region, ArtifactStore} became the API's map. */
  stores = pw_element_get_member (PW_ELEMENT (pipeline), "artifactStores");
  g_assert_true (JSON_NODE_HOLDS_OBJECT (stores));
  g_assert_true (json_object_has_member (json_node_get_object (stores), "eu-west-1"));

  role = pw_element_get_member (PW_ELEMENT (pipeline), "roleArn");
  g_assert_true (pw_cfn_is_intrinsic (role));
  g_assert_true (pw_element_get_location (PW_ELEMENT (pipeline), "roleArn", &line, &column));
  g_assert_cmpuint (line, ==, 11);
  g_assert_cmpuint (column, ==, 16);

  /* As a pipeline file: types normalized, with a note for each change. */
  pipeline_yaml = pw_pipeline_serialize (pipeline, PW_OUTPUT_YAML, notes, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (pipeline_yaml, "version: \"1\""));
  g_assert_nonnull (strstr (pipeline_yaml, "PollForSourceChanges: \"false\""));
  g_assert_null (strstr (pipeline_yaml, "SomethingNew"));
  g_assert_cmpuint (notes->len, >=, 3);

  /* As CloudFormation again: the whole template, intrinsics and unknown
   * properties exactly as they were. */
  cfn_json = pw_pipeline_serialize (pipeline, PW_OUTPUT_CFN_JSON, NULL, &error);
  g_assert_no_error (error);
  again = pw_document_load_data (cfn_json, -1, "again.json", &error);
  g_assert_no_error (error);
  {
    g_autoptr(GError) e2 = NULL;
    g_autoptr(PwDocument) original = pw_document_load_data (template_yaml, -1, "t.yml", &e2);
    g_autofree char *a = pw_json_emit (pw_document_get_root (original));
    g_autofree char *b = pw_json_emit (pw_document_get_root (again));

    g_assert_no_error (e2);
    g_assert_cmpstr (a, ==, b);
  }
}

static void
test_cfn_choose_resource (void)
{
  const char *two =
    "Resources:\n"
    "  A: {Type: AWS::CodePipeline::Pipeline, Properties: {Name: a}}\n"
    "  Q: {Type: AWS::SQS::Queue}\n"
    "  B: {Type: AWS::CodePipeline::Pipeline, Properties: {Name: b}}\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(PwDocument) document = pw_document_load_data (two, -1, "two.yml", &error);
  g_auto(GStrv) ids = NULL;
  g_autoptr(PwPipeline) b = NULL;
  g_autoptr(PwPipeline) none = NULL;

  g_assert_no_error (error);
  ids = pw_document_dup_pipeline_ids (document);
  g_assert_cmpstrv (ids, ((const char *[]) { "A", "B", NULL }));

  none = pw_document_dup_pipeline (document, NULL, &error);
  g_assert_null (none);
  g_assert_error (error, PW_CORE_ERROR, PW_CORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "choose one with --resource"));
  g_clear_error (&error);

  none = pw_document_dup_pipeline (document, "Q", &error);
  g_assert_null (none);
  g_assert_nonnull (strstr (error->message, "not an AWS::CodePipeline::Pipeline"));
  g_clear_error (&error);

  b = pw_document_dup_pipeline (document, "B", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pw_pipeline_get_name (b), ==, "b");
}

static void
test_document_shapes (void)
{
  static const struct { const char *text; const char *file; const char *expect; } cases[] = {
    { "", "e.yml", "e.yml:1:1: the file is empty" },
    { "- a\n- b\n", "l.yml", "l.yml:1:1: expected a mapping" },
    { "name: x\nstages: []\n", "bare.yml", "without its 'pipeline:' key" },
    { "pipeline: [1]\n", "p.yml", "p.yml:1:11: 'pipeline' must be a mapping" },
    { "{\"colour\": 1}", "c.json", "c.json:1:1: expected a top-level 'pipeline' key" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PwDocument) document = pw_document_load_data (cases[i].text, -1, cases[i].file, &error);
      g_autoptr(PwPipeline) pipeline = NULL;

      if (document != NULL)
        pipeline = pw_document_dup_pipeline (document, NULL, &error);
      g_assert_null (pipeline);
      g_assert_nonnull (error);
      if (strstr (error->message, cases[i].expect) == NULL)
        g_error ("case %u: '%s' does not contain '%s'", i, error->message, cases[i].expect);
    }
}

static void
test_get_pipeline_output (void)
{
  const char *text =
    "{\"pipeline\": {\"name\": \"p\", \"roleArn\": \"arn:aws:iam::111122223333:role/r\",\n"
    " \"artifactStore\": {\"type\": \"S3\", \"location\": \"bucket\"}, \"stages\": [], \"version\": 3},\n"
    " \"metadata\": {\"pipelineArn\": \"arn:aws:codepipeline:us-east-1:111122223333:p\"}}\n";
  g_autoptr(PwPipeline) pipeline = load (text, "got.json", NULL);
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;

  g_assert_cmpint (pw_pipeline_get_origin (pipeline), ==, PW_PIPELINE_ORIGIN_GET_PIPELINE);
  json = pw_pipeline_serialize (pipeline, PW_OUTPUT_JSON, notes, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (json, "metadata"));
  g_assert_cmpuint (notes->len, ==, 1);
  g_assert_cmpstr (pw_diagnostic_get_path (g_ptr_array_index (notes, 0)), ==, "metadata");
}

static void
test_graph (void)
{
  g_autoptr(PwPipeline) pipeline = load (v2_yaml, "demo.yml", NULL);
  g_autofree char *dot = pw_pipeline_to_dot (pipeline);

  g_assert_true (g_str_has_prefix (dot, "digraph \"demo\" {\n"));
  g_assert_nonnull (strstr (dot, "s0_a0 -> s1_a0 [label=\"Src\"];"));
  g_assert_nonnull (strstr (dot, "s0_a0 -> s1_a1 [label=\"Src\"];"));
  g_assert_nonnull (strstr (dot, "label=\"runOrder 2\""));
}

static void
test_atomic_write (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("pw-test-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "out.yml", NULL);
  g_autofree char *missing = g_build_filename (dir, "no", "such", "dir.yml", NULL);
  g_autofree char *contents = NULL;

  g_assert_no_error (error);
  g_assert_true (pw_file_replace_contents (path, "one\n", 4, &error));
  g_assert_true (pw_file_replace_contents (path, "two\n", 4, &error));
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_cmpstr (contents, ==, "two\n");
  g_assert_false (pw_file_replace_contents (missing, "x", 1, &error));
  g_assert_nonnull (error);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/model/read", test_model_read);
  g_test_add_func ("/core/model/edit", test_model_edit);
  g_test_add_func ("/core/model/list-model", test_model_list_model);
  g_test_add_func ("/core/model/round-trip", test_model_round_trip);
  g_test_add_func ("/core/cfn/import", test_cfn_import);
  g_test_add_func ("/core/cfn/choose-resource", test_cfn_choose_resource);
  g_test_add_func ("/core/document/shapes", test_document_shapes);
  g_test_add_func ("/core/document/get-pipeline", test_get_pipeline_output);
  g_test_add_func ("/core/graph/dot", test_graph);
  g_test_add_func ("/core/file/atomic-write", test_atomic_write);

  return g_test_run ();
}
