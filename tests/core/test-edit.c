/* test-edit.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The edit module: every edit kind on every syntax re-reads to the model
 * the same change makes, touches only the lines it must (compared line by
 * line, and byte for byte against the expected text for the key cases),
 * and the text outside its edits is unchanged. */

#include "config.h"

#include <string.h>

#include <pw-core.h>

#include "pw-core-private.h"

/* Fixtures: one pipeline, written five ways --------------------------------- */

static const char *yaml_fixture =
  "# Release pipeline for the shop.\n"
  "pipeline:\n"
  "  name: shop   # the pipeline's name\n"
  "  roleArn: arn:aws:iam::111122223333:role/shop\n"
  "  artifactStore:\n"
  "    type: S3\n"
  "    location: shop-artifacts\n"
  "  stages:\n"
  "    # Where the code comes from\n"
  "    - name: Source\n"
  "      actions:\n"
  "        - name: Checkout\n"
  "          actionTypeId:\n"
  "            category: Source\n"
  "            owner: AWS\n"
  "            provider: CodeCommit\n"
  "            version: \"1\"\n"
  "          configuration:\n"
  "            RepositoryName: shop\n"
  "            BranchName: main\n"
  "          outputArtifacts:\n"
  "            - name: Src\n"
  "\n"
  "    - name: Build\n"
  "      actions:\n"
  "        # Compiles the code\n"
  "        - name: Compile\n"
  "          actionTypeId: {category: Build, owner: AWS, provider: CodeBuild, version: \"1\"}\n"
  "          configuration:\n"
  "            ProjectName: shop-build  # the CodeBuild project\n"
  "            BuildType: release\n"
  "          inputArtifacts:\n"
  "            - name: Src\n"
  "          outputArtifacts:\n"
  "            - name: Bin\n"
  "        - name: Lint\n"
  "          actionTypeId:\n"
  "            category: Test\n"
  "            owner: AWS\n"
  "            provider: CodeBuild\n"
  "            version: \"1\"\n"
  "          runOrder: 2\n"
  "          configuration:\n"
  "            ProjectName: shop-lint\n"
  "          inputArtifacts:\n"
  "            - name: Src\n"
  "    - name: Deploy\n"
  "      actions:\n"
  "        - name: Publish\n"
  "          actionTypeId:\n"
  "            category: Deploy\n"
  "            owner: AWS\n"
  "            provider: S3\n"
  "            version: \"1\"\n"
  "          configuration:\n"
  "            BucketName: shop-site\n"
  "            Extract: \"true\"\n"
  "          inputArtifacts:\n"
  "            - name: Bin\n"
  "tags:\n"
  "  - key: team\n"
  "    value: shop\n";

static const char *flow_fixture =
  "pipeline:\n"
  "  name: shop\n"
  "  roleArn: arn:aws:iam::111122223333:role/shop\n"
  "  artifactStore: {type: S3, location: shop-artifacts}\n"
  "  stages:\n"
  "    - {name: Source, actions: [{name: Checkout, actionTypeId: {category: Source, owner: AWS, provider: CodeCommit, version: \"1\"}, configuration: {RepositoryName: shop, BranchName: main}, outputArtifacts: [{name: Src}]}]}\n"
  "    - name: Build\n"
  "      actions: [\n"
  "        {name: Compile, actionTypeId: {category: Build, owner: AWS, provider: CodeBuild, version: \"1\"},\n"
  "         configuration: {ProjectName: shop-build, BuildType: release}, inputArtifacts: [{name: Src}], outputArtifacts: [{name: Bin}]},\n"
  "        {name: Lint, actionTypeId: {category: Test, owner: AWS, provider: CodeBuild, version: \"1\"}, runOrder: 2,\n"
  "         configuration: {ProjectName: shop-lint}, inputArtifacts: [{name: Src}]}\n"
  "      ]\n"
  "    - {name: Deploy, actions: [{name: Publish, actionTypeId: {category: Deploy, owner: AWS, provider: S3, version: \"1\"}, configuration: {BucketName: shop-site, Extract: \"true\"}, inputArtifacts: [{name: Bin}]}]}\n"
  "tags: [{key: team, value: shop}]\n";

static const char *json_fixture =
  "{\n"
  "  \"pipeline\": {\n"
  "    \"name\": \"shop\",\n"
  "    \"roleArn\": \"arn:aws:iam::111122223333:role/shop\",\n"
  "    \"artifactStore\": {\n"
  "      \"type\": \"S3\",\n"
  "      \"location\": \"shop-artifacts\"\n"
  "    },\n"
  "    \"stages\": [\n"
  "      {\n"
  "        \"name\": \"Source\",\n"
  "        \"actions\": [\n"
  "          {\n"
  "            \"name\": \"Checkout\",\n"
  "            \"actionTypeId\": {\"category\": \"Source\", \"owner\": \"AWS\", \"provider\": \"CodeCommit\", \"version\": \"1\"},\n"
  "            \"configuration\": {\"RepositoryName\": \"shop\", \"BranchName\": \"main\"},\n"
  "            \"outputArtifacts\": [{\"name\": \"Src\"}]\n"
  "          }\n"
  "        ]\n"
  "      },\n"
  "      {\n"
  "        \"name\": \"Build\",\n"
  "        \"actions\": [\n"
  "          {\n"
  "            \"name\": \"Compile\",\n"
  "            \"actionTypeId\": {\"category\": \"Build\", \"owner\": \"AWS\", \"provider\": \"CodeBuild\", \"version\": \"1\"},\n"
  "            \"configuration\": {\n"
  "              \"ProjectName\": \"shop-build\",\n"
  "              \"BuildType\": \"release\"\n"
  "            },\n"
  "            \"inputArtifacts\": [{\"name\": \"Src\"}],\n"
  "            \"outputArtifacts\": [{\"name\": \"Bin\"}]\n"
  "          },\n"
  "          {\n"
  "            \"name\": \"Lint\",\n"
  "            \"actionTypeId\": {\"category\": \"Test\", \"owner\": \"AWS\", \"provider\": \"CodeBuild\", \"version\": \"1\"},\n"
  "            \"runOrder\": 2,\n"
  "            \"configuration\": {\"ProjectName\": \"shop-lint\"},\n"
  "            \"inputArtifacts\": [{\"name\": \"Src\"}]\n"
  "          }\n"
  "        ]\n"
  "      },\n"
  "      {\n"
  "        \"name\": \"Deploy\",\n"
  "        \"actions\": [\n"
  "          {\n"
  "            \"name\": \"Publish\",\n"
  "            \"actionTypeId\": {\"category\": \"Deploy\", \"owner\": \"AWS\", \"provider\": \"S3\", \"version\": \"1\"},\n"
  "            \"configuration\": {\"BucketName\": \"shop-site\", \"Extract\": \"true\"},\n"
  "            \"inputArtifacts\": [{\"name\": \"Bin\"}]\n"
  "          }\n"
  "        ]\n"
  "      }\n"
  "    ]\n"
  "  },\n"
  "  \"tags\": [{\"key\": \"team\", \"value\": \"shop\"}]\n"
  "}\n";

static const char *cfn_yaml_fixture =
  "AWSTemplateFormatVersion: \"2010-09-09\"\n"
  "Description: The shop's pipeline\n"
  "Parameters:\n"
  "  Repo:\n"
  "    Type: String\n"
  "    Default: shop\n"
  "Resources:\n"
  "  Bucket:\n"
  "    Type: AWS::S3::Bucket\n"
  "  Role:\n"
  "    Type: AWS::IAM::Role\n"
  "    Properties:\n"
  "      AssumeRolePolicyDocument:\n"
  "        Version: \"2012-10-17\"\n"
  "        Statement:\n"
  "          - Effect: Allow\n"
  "            Principal: {Service: codepipeline.amazonaws.com}\n"
  "            Action: sts:AssumeRole\n"
  "  Pipeline:\n"
  "    Type: AWS::CodePipeline::Pipeline\n"
  "    Properties:\n"
  "      Name: !Sub \"${AWS::StackName}-shop\"\n"
  "      RoleArn: !GetAtt Role.Arn\n"
  "      ArtifactStore:\n"
  "        Type: S3\n"
  "        Location: !Ref Bucket\n"
  "      Stages:\n"
  "        # Where the code comes from\n"
  "        - Name: Source\n"
  "          Actions:\n"
  "            - Name: Checkout\n"
  "              ActionTypeId:\n"
  "                Category: Source\n"
  "                Owner: AWS\n"
  "                Provider: CodeCommit\n"
  "                Version: \"1\"\n"
  "              Configuration:\n"
  "                RepositoryName: !Ref Repo\n"
  "                BranchName: main\n"
  "              OutputArtifacts:\n"
  "                - Name: Src\n"
  "        - Name: Build\n"
  "          Actions:\n"
  "            - Name: Compile\n"
  "              ActionTypeId:\n"
  "                Category: Build\n"
  "                Owner: AWS\n"
  "                Provider: CodeBuild\n"
  "                Version: \"1\"\n"
  "              Configuration:\n"
  "                ProjectName: shop-build\n"
  "                BuildType: release\n"
  "              InputArtifacts:\n"
  "                - Name: Src\n"
  "              OutputArtifacts:\n"
  "                - Name: Bin\n"
  "            - Name: Lint\n"
  "              ActionTypeId:\n"
  "                Category: Test\n"
  "                Owner: AWS\n"
  "                Provider: CodeBuild\n"
  "                Version: \"1\"\n"
  "              RunOrder: 2\n"
  "              Configuration:\n"
  "                ProjectName: shop-lint\n"
  "              InputArtifacts:\n"
  "                - Name: Src\n"
  "        - Name: Deploy\n"
  "          Actions:\n"
  "            - Name: Publish\n"
  "              ActionTypeId:\n"
  "                Category: Deploy\n"
  "                Owner: AWS\n"
  "                Provider: S3\n"
  "                Version: \"1\"\n"
  "              Configuration:\n"
  "                BucketName: !Ref Bucket\n"
  "                Extract: \"true\"\n"
  "              InputArtifacts:\n"
  "                - Name: Bin\n"
  "      DisableInboundStageTransitions:\n"
  "        - StageName: Deploy\n"
  "          Reason: Deploys wait for the release window\n"
  "      Tags:\n"
  "        - Key: team\n"
  "          Value: shop\n"
  "Outputs:\n"
  "  PipelineName:\n"
  "    Value: !Ref Pipeline\n";

static const char *cfn_json_fixture =
  "{\n"
  "  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n"
  "  \"Resources\": {\n"
  "    \"Bucket\": {\"Type\": \"AWS::S3::Bucket\"},\n"
  "    \"Pipeline\": {\n"
  "      \"Type\": \"AWS::CodePipeline::Pipeline\",\n"
  "      \"Properties\": {\n"
  "        \"Name\": {\"Fn::Sub\": \"${AWS::StackName}-shop\"},\n"
  "        \"RoleArn\": {\"Fn::GetAtt\": [\"Role\", \"Arn\"]},\n"
  "        \"ArtifactStores\": [\n"
  "          {\"Region\": \"us-east-1\", \"ArtifactStore\": {\"Type\": \"S3\", \"Location\": {\"Ref\": \"Bucket\"}}}\n"
  "        ],\n"
  "        \"Stages\": [\n"
  "          {\n"
  "            \"Name\": \"Source\",\n"
  "            \"Actions\": [\n"
  "              {\n"
  "                \"Name\": \"Checkout\",\n"
  "                \"ActionTypeId\": {\"Category\": \"Source\", \"Owner\": \"AWS\", \"Provider\": \"CodeCommit\", \"Version\": \"1\"},\n"
  "                \"Configuration\": {\"RepositoryName\": {\"Ref\": \"Repo\"}, \"BranchName\": \"main\"},\n"
  "                \"OutputArtifacts\": [{\"Name\": \"Src\"}]\n"
  "              }\n"
  "            ]\n"
  "          },\n"
  "          {\n"
  "            \"Name\": \"Build\",\n"
  "            \"Actions\": [\n"
  "              {\n"
  "                \"Name\": \"Compile\",\n"
  "                \"ActionTypeId\": {\"Category\": \"Build\", \"Owner\": \"AWS\", \"Provider\": \"CodeBuild\", \"Version\": \"1\"},\n"
  "                \"Configuration\": {\"ProjectName\": \"shop-build\", \"BuildType\": \"release\"},\n"
  "                \"InputArtifacts\": [{\"Name\": \"Src\"}],\n"
  "                \"OutputArtifacts\": [{\"Name\": \"Bin\"}]\n"
  "              },\n"
  "              {\n"
  "                \"Name\": \"Lint\",\n"
  "                \"ActionTypeId\": {\"Category\": \"Test\", \"Owner\": \"AWS\", \"Provider\": \"CodeBuild\", \"Version\": \"1\"},\n"
  "                \"RunOrder\": 2,\n"
  "                \"Configuration\": {\"ProjectName\": \"shop-lint\"},\n"
  "                \"InputArtifacts\": [{\"Name\": \"Src\"}]\n"
  "              }\n"
  "            ]\n"
  "          },\n"
  "          {\n"
  "            \"Name\": \"Deploy\",\n"
  "            \"Actions\": [\n"
  "              {\n"
  "                \"Name\": \"Publish\",\n"
  "                \"ActionTypeId\": {\"Category\": \"Deploy\", \"Owner\": \"AWS\", \"Provider\": \"S3\", \"Version\": \"1\"},\n"
  "                \"Configuration\": {\"BucketName\": {\"Ref\": \"Bucket\"}, \"Extract\": \"true\"},\n"
  "                \"InputArtifacts\": [{\"Name\": \"Bin\"}]\n"
  "              }\n"
  "            ]\n"
  "          }\n"
  "        ],\n"
  "        \"DisableInboundStageTransitions\": [{\"StageName\": \"Deploy\", \"Reason\": \"Release window\"}]\n"
  "      }\n"
  "    }\n"
  "  }\n"
  "}\n";

typedef enum
{
  FORMAT_YAML,
  FORMAT_FLOW,
  FORMAT_JSON,
  FORMAT_CFN_YAML,
  FORMAT_CFN_JSON,
  N_FORMATS
} Format;

static const struct
{
  const char **text;
  const char  *filename;
} fixtures[N_FORMATS] = {
  { &yaml_fixture, "pipeline.yml" },
  { &flow_fixture, "flow.yml" },
  { &json_fixture, "pipeline.json" },
  { &cfn_yaml_fixture, "template.yml" },
  { &cfn_json_fixture, "template.json" },
};

/* Helpers ----------------------------------------------------------------------- */

/* A canonical text of a tree, key order and types included. */
static void
dump_to (GString  *out,
         JsonNode *node)
{
  if (node == NULL)
    g_string_append (out, "(none)");
  else if (JSON_NODE_HOLDS_NULL (node))
    g_string_append (out, "null");
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;
      gboolean first = TRUE;

      g_string_append_c (out, '{');
      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &child))
        {
          if (!first)
            g_string_append_c (out, ',');
          first = FALSE;
          g_string_append_printf (out, "\"%s\":", name);
          dump_to (out, child);
        }
      g_string_append_c (out, '}');
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      g_string_append_c (out, '[');
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          dump_to (out, json_array_get_element (array, i));
        }
      g_string_append_c (out, ']');
    }
  else
    {
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          g_string_append_printf (out, "\"%s\"", json_node_get_string (node));
          break;
        case G_TYPE_INT64:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          break;
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          break;
        default:
          g_string_append_printf (out, "%g", json_node_get_double (node));
          break;
        }
    }
}

static char *
dump (JsonNode *node)
{
  GString *out = g_string_new (NULL);

  dump_to (out, node);
  return g_string_free (out, FALSE);
}

static JsonNode *
json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static PwDocument *
load (const char *text,
      const char *filename)
{
  g_autoptr(GError) error = NULL;
  PwDocument *document = pw_document_load_data (text, -1, filename, &error);

  g_assert_no_error (error);
  g_assert_nonnull (document);
  return document;
}

/* The model of a document, as one tree: the declaration, and the tags of
 * a pipeline file. */
static JsonNode *
model_of (PwDocument *document)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwPipeline) pipeline = pw_document_dup_pipeline (document, NULL, &error);
  JsonNode *declaration;
  JsonNode *tags;

  g_assert_no_error (error);
  declaration = pw_pipeline_to_declaration (pipeline);
  tags = pw_pipeline_get_document_extra (pipeline, "tags");
  if (tags != NULL && pw_pipeline_get_origin (pipeline) != PW_PIPELINE_ORIGIN_CFN)
    json_object_set_member (json_node_get_object (declaration), "tags", json_node_copy (tags));

  return declaration;
}

/* A test's own walk of a model path: `a.b[1].c`. Returns the container and
 * the last key (or index) of @path, creating mappings on the way when
 * @create. */
static JsonNode *
walk (JsonNode    *root,
      const char  *path,
      gboolean     create,
      char       **last_key,
      int         *last_index)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GPtrArray) segments = g_ptr_array_new_with_free_func (g_free);
  JsonNode *node = root;

  /* "a.b[1].c" → "a", "b", "[1]", "c" */
  parts = g_strsplit (path, ".", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *bracket = strchr (parts[i], '[');

      if (bracket == NULL)
        g_ptr_array_add (segments, g_strdup (parts[i]));
      else if (bracket != parts[i])
        g_ptr_array_add (segments, g_strndup (parts[i], bracket - parts[i]));
      for (; bracket != NULL; bracket = strchr (bracket + 1, '['))
        g_ptr_array_add (segments, g_strndup (bracket, strchr (bracket, ']') - bracket + 1));
    }

  for (guint i = 0; i < segments->len; i++)
    {
      const char *segment = g_ptr_array_index (segments, i);
      gboolean is_index = segment[0] == '[';
      int index = is_index ? atoi (segment + 1) : -1;

      if (i + 1 == segments->len)
        {
          *last_key = is_index ? NULL : g_strdup (segment);
          *last_index = index;
          return node;
        }

      if (is_index)
        node = json_array_get_element (json_node_get_array (node), index);
      else
        {
          JsonObject *object = json_node_get_object (node);

          if (!json_object_has_member (object, segment) && create)
            json_object_set_object_member (object, segment, json_object_new ());
          node = json_object_get_member (object, segment);
        }
      g_assert_nonnull (node);
    }

  g_assert_not_reached ();
}

static void
model_set (JsonNode   *root,
           const char *path,
           const char *value)
{
  g_autofree char *key = NULL;
  int index;
  JsonNode *parent = walk (root, path, TRUE, &key, &index);

  if (key != NULL)
    json_object_set_member (json_node_get_object (parent), key, json (value));
  else
    {
      JsonArray *array = json_node_get_array (parent);
      g_autoptr(JsonArray) copy = json_array_new ();

      for (guint i = 0; i < json_array_get_length (array); i++)
        json_array_add_element (copy, (int)i == index ? json (value)
                                                      : json_node_copy (json_array_get_element (array, i)));
      json_node_set_array (parent, copy);
    }
}

static JsonNode *
model_remove (JsonNode   *root,
              const char *path)
{
  g_autofree char *key = NULL;
  int index;
  JsonNode *parent = walk (root, path, FALSE, &key, &index);
  JsonNode *removed;

  if (key != NULL)
    {
      removed = json_node_copy (json_object_get_member (json_node_get_object (parent), key));
      json_object_remove_member (json_node_get_object (parent), key);
    }
  else
    {
      removed = json_node_copy (json_array_get_element (json_node_get_array (parent), index));
      json_array_remove_element (json_node_get_array (parent), index);
    }

  return removed;
}

/* Inserts @value (taken) into the list at @path, creating it when missing. */
static void
model_insert_node (JsonNode   *root,
                   const char *path,
                   int         at,
                   JsonNode   *value)
{
  g_autofree char *key = NULL;
  int index;
  JsonNode *parent = walk (root, path, TRUE, &key, &index);
  JsonNode *list;
  JsonArray *array;
  g_autoptr(JsonArray) copy = json_array_new ();
  guint n;

  g_assert_nonnull (key);
  if (!json_object_has_member (json_node_get_object (parent), key))
    json_object_set_array_member (json_node_get_object (parent), key, json_array_new ());
  list = json_object_get_member (json_node_get_object (parent), key);
  array = json_node_get_array (list);
  n = json_array_get_length (array);
  if (at < 0)
    at = (int)n;

  for (guint i = 0; i <= n; i++)
    {
      if ((int)i == at)
        json_array_add_element (copy, value);
      if (i < n)
        json_array_add_element (copy, json_node_copy (json_array_get_element (array, i)));
    }
  json_node_set_array (list, copy);
}

static void
model_insert (JsonNode   *root,
              const char *path,
              int         at,
              const char *value)
{
  model_insert_node (root, path, at, json (value));
}

static void
model_move (JsonNode   *root,
            const char *path,
            const char *to,
            int         at)
{
  model_insert_node (root, to, at, model_remove (root, path));
}

/* Lines deleted and inserted from @a to @b (a longest common subsequence
 * of lines). */
static void
line_diff (const char *a,
           const char *b,
           guint      *deleted,
           guint      *inserted)
{
  g_auto(GStrv) x = g_strsplit (a, "\n", -1);
  g_auto(GStrv) y = g_strsplit (b, "\n", -1);
  guint n = g_strv_length (x), m = g_strv_length (y);
  g_autofree guint *table = g_new0 (guint, (n + 1) * (m + 1));

  for (guint i = n; i-- > 0;)
    for (guint j = m; j-- > 0;)
      table[i * (m + 1) + j] = g_str_equal (x[i], y[j])
        ? table[(i + 1) * (m + 1) + j + 1] + 1
        : MAX (table[(i + 1) * (m + 1) + j], table[i * (m + 1) + j + 1]);

  *deleted = n - table[0];
  *inserted = m - table[0];
}

/* Applies the editor's steps to @original, one after the other, checking
 * that each step's edits are sorted and apart. */
static char *
replay (PwEditor   *editor,
        const char *original)
{
  char *text = g_strdup (original);

  for (guint s = 0; s < pw_editor_get_n_steps (editor); s++)
    {
      guint n;
      const PwTextEdit *edits = pw_editor_get_step (editor, s, &n);
      GString *out = g_string_new (NULL);
      gsize at = 0;

      g_assert_cmpuint (n, >, 0);
      for (guint i = 0; i < n; i++)
        {
          g_assert_cmpuint (edits[i].start, >=, at);
          g_assert_cmpuint (edits[i].end, >=, edits[i].start);
          g_assert_cmpuint (edits[i].end, <=, strlen (text));
          g_string_append_len (out, text + at, edits[i].start - at);
          g_string_append (out, edits[i].text);
          at = edits[i].end;
        }
      g_string_append (out, text + at);
      g_free (text);
      text = g_string_free (out, FALSE);
    }

  return text;
}

/* Every node of @a and @b (trees of the same shape) has the same
 * positions in its document: the editor's document, read again in part,
 * and the same text read whole. */
static void
check_positions (PwSourceMap *map_a,
                 JsonNode    *a,
                 PwSourceMap *map_b,
                 JsonNode    *b,
                 const char  *where)
{
  PwSourceSpan span_a, span_b;
  guint line_a = 0, column_a = 0, line_b = 0, column_b = 0;
  gsize key_a = 0, key_b = 0;
  gboolean has_a, has_b;

  has_a = pw_source_map_lookup_span (map_a, a, &span_a);
  has_b = pw_source_map_lookup_span (map_b, b, &span_b);
  if (has_a != has_b || (has_a && (span_a.start != span_b.start || span_a.end != span_b.end ||
                                   span_a.flags != span_b.flags)))
    g_error ("%s: span %" G_GSIZE_FORMAT "..%" G_GSIZE_FORMAT " read in part, %"
             G_GSIZE_FORMAT "..%" G_GSIZE_FORMAT " read whole", where,
             has_a ? span_a.start : 0, has_a ? span_a.end : 0, has_b ? span_b.start : 0,
             has_b ? span_b.end : 0);

  has_a = pw_source_map_lookup (map_a, a, &line_a, &column_a);
  has_b = pw_source_map_lookup (map_b, b, &line_b, &column_b);
  if (has_a != has_b || line_a != line_b || column_a != column_b)
    g_error ("%s: at %u:%u read in part, %u:%u read whole", where, line_a, column_a, line_b, column_b);

  has_a = pw_source_map_lookup_key (map_a, a, &line_a, &column_a);
  has_b = pw_source_map_lookup_key (map_b, b, &line_b, &column_b);
  if (has_a != has_b || line_a != line_b || column_a != column_b)
    g_error ("%s: key at %u:%u read in part, %u:%u read whole", where, line_a, column_a, line_b, column_b);
  has_a = pw_source_map_lookup_key_offset (map_a, a, &key_a);
  has_b = pw_source_map_lookup_key_offset (map_b, b, &key_b);
  if (has_a != has_b || key_a != key_b)
    g_error ("%s: key at byte %" G_GSIZE_FORMAT " read in part, %" G_GSIZE_FORMAT " read whole",
             where, key_a, key_b);

  if (JSON_NODE_HOLDS_OBJECT (a))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;

      json_object_iter_init_ordered (&iter, json_node_get_object (a));
      while (json_object_iter_next_ordered (&iter, &name, &child))
        {
          g_autofree char *inner = g_strdup_printf ("%s.%s", where, name);

          check_positions (map_a, child, map_b, json_object_get_member (json_node_get_object (b), name), inner);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (a))
    {
      for (guint i = 0; i < json_array_get_length (json_node_get_array (a)); i++)
        {
          g_autofree char *inner = g_strdup_printf ("%s[%u]", where, i);

          check_positions (map_a, json_array_get_element (json_node_get_array (a), i),
                           map_b, json_array_get_element (json_node_get_array (b), i), inner);
        }
    }
}

/* Checks an editor's result: its text is what its steps make of the
 * original, it reads back to @expected (the model the same change makes),
 * and the document it holds is that text's, positions and all. */
static void
check_result (PwEditor   *editor,
              const char *original,
              const char *filename,
              JsonNode   *expected)
{
  gsize length;
  const char *text = pw_editor_get_text (editor, &length);
  g_autofree char *replayed = replay (editor, original);
  g_autoptr(PwDocument) reread = load (text, filename);
  g_autoptr(JsonNode) model = model_of (reread);
  g_autoptr(JsonNode) held = model_of (pw_editor_get_document (editor));
  g_autofree char *got = dump (model);
  g_autofree char *want = dump (expected);
  g_autofree char *got_held = dump (held);

  g_assert_cmpuint (length, ==, strlen (text));
  g_assert_cmpstr (replayed, ==, text);
  g_assert_cmpstr (got, ==, want);
  g_assert_cmpstr (got_held, ==, want);
  check_positions (pw_document_get_source_map (pw_editor_get_document (editor)),
                   pw_document_get_root (pw_editor_get_document (editor)),
                   pw_document_get_source_map (reread), pw_document_get_root (reread), filename);
}

/* Every edit kind on every format ------------------------------------------------ */

typedef struct
{
  const char *name;
  gboolean  (*apply)  (PwEditor *editor, GError **error);
  void      (*expect) (JsonNode *model, gboolean cfn);
  /* Lines deleted and inserted, per format (yaml, flow, json, cfn-yaml,
   * cfn-json): how small the edit is. Each was checked by eye. */
  guint       lines[N_FORMATS][2];
} Case;

static gboolean
apply_set_scalar (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json ("\"Make\"");

  return pw_editor_set (editor, "stages[1].actions[0].name", value, error);
}

static void
expect_set_scalar (JsonNode *model, gboolean cfn)
{
  model_set (model, "stages[1].actions[0].name", "\"Make\"");
}

static gboolean
apply_set_quoted (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json ("\"2\"");

  return pw_editor_set (editor, "stages[1].actions[1].actionTypeId.version", value, error);
}

static void
expect_set_quoted (JsonNode *model, gboolean cfn)
{
  model_set (model, "stages[1].actions[1].actionTypeId.version", "\"2\"");
}

#define NEW_CONFIGURATION "{\"ProjectName\": \"shop-make\", \"BuildType\": \"release\", \"Cache\": \"on\"}"

static gboolean
apply_set_subtree (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json (NEW_CONFIGURATION);

  return pw_editor_set (editor, "stages[1].actions[0].configuration", value, error);
}

static void
expect_set_subtree (JsonNode *model, gboolean cfn)
{
  model_set (model, "stages[1].actions[0].configuration", NEW_CONFIGURATION);
}

static gboolean
apply_set_create (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json ("\"FAILED_ACTIONS\"");

  return pw_editor_set (editor, "stages[1].onFailure.retryConfiguration.retryMode", value, error);
}

static void
expect_set_create (JsonNode *model, gboolean cfn)
{
  model_set (model, "stages[1].onFailure.retryConfiguration.retryMode", "\"FAILED_ACTIONS\"");
}

static gboolean
apply_remove_member (PwEditor *editor, GError **error)
{
  return pw_editor_remove (editor, "stages[1].actions[0].configuration.BuildType", error);
}

static void
expect_remove_member (JsonNode *model, gboolean cfn)
{
  json_node_unref (model_remove (model, "stages[1].actions[0].configuration.BuildType"));
}

static gboolean
apply_remove_element (PwEditor *editor, GError **error)
{
  return pw_editor_remove (editor, "stages[1].actions[1]", error);
}

static void
expect_remove_element (JsonNode *model, gboolean cfn)
{
  json_node_unref (model_remove (model, "stages[1].actions[1]"));
}

static gboolean
apply_insert_element (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json ("{\"name\": \"Extra\"}");

  return pw_editor_insert (editor, "stages[1].actions[0].inputArtifacts", 0, value, error);
}

static void
expect_insert_element (JsonNode *model, gboolean cfn)
{
  model_insert (model, "stages[1].actions[0].inputArtifacts", 0, "{\"name\": \"Extra\"}");
}

static gboolean
apply_move_element (PwEditor *editor, GError **error)
{
  return pw_editor_move (editor, "stages[2].actions[0]", "stages[1].actions", 1, error);
}

static void
expect_move_element (JsonNode *model, gboolean cfn)
{
  model_move (model, "stages[2].actions[0]", "stages[1].actions", 1);
}

static gboolean
apply_move_action (PwEditor *editor, GError **error)
{
  return pw_editor_move_action (editor, 1, 0, 2, 0, 1, FALSE, error);
}

static void
expect_move_action (JsonNode *model, gboolean cfn)
{
  model_move (model, "stages[1].actions[0]", "stages[2].actions", 0);
}

static gboolean
apply_move_action_group (PwEditor *editor, GError **error)
{
  /* Lint (runOrder 2) first, in a group of its own before Compile's. */
  return pw_editor_move_action (editor, 1, 1, 1, 0, 1, TRUE, error);
}

static void
expect_move_action_group (JsonNode *model, gboolean cfn)
{
  model_set (model, "stages[1].actions[0].runOrder", "2");
  model_set (model, "stages[1].actions[1].runOrder", "1");
  model_move (model, "stages[1].actions[1]", "stages[1].actions", 0);
}

static gboolean
apply_move_action_within (PwEditor *editor, GError **error)
{
  return pw_editor_move_action (editor, 1, 1, 1, 0, 2, FALSE, error);
}

static void
expect_move_action_within (JsonNode *model, gboolean cfn)
{
  model_move (model, "stages[1].actions[1]", "stages[1].actions", 0);
}

#define NEW_ACTION \
  "{\"name\": \"Test\", \"actionTypeId\": {\"category\": \"Test\", \"owner\": \"AWS\", " \
  "\"provider\": \"CodeBuild\", \"version\": \"1\"}, \"runOrder\": 2, " \
  "\"configuration\": {\"ProjectName\": \"shop-test\"}, \"inputArtifacts\": [{\"name\": \"Bin\"}]}"

static gboolean
apply_add_action (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json (NEW_ACTION);

  return pw_editor_add_action (editor, 1, -1, value, TRUE, error);
}

static void
expect_add_action (JsonNode *model, gboolean cfn)
{
  model_set (model, "stages[1].actions[1].runOrder", "3");
  model_insert (model, "stages[1].actions", -1, NEW_ACTION);
}

#define NEW_STAGE \
  "{\"name\": \"Approve\", \"actions\": [{\"name\": \"Approve\", \"actionTypeId\": " \
  "{\"category\": \"Approval\", \"owner\": \"AWS\", \"provider\": \"Manual\", \"version\": \"1\"}}]}"

static gboolean
apply_add_stage (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json (NEW_STAGE);

  return pw_editor_add_stage (editor, 2, value, error);
}

static void
expect_add_stage (JsonNode *model, gboolean cfn)
{
  model_insert (model, "stages", 2, NEW_STAGE);
}

static gboolean
apply_move_stage (PwEditor *editor, GError **error)
{
  return pw_editor_move_stage (editor, 2, 1, error);
}

static void
expect_move_stage (JsonNode *model, gboolean cfn)
{
  model_move (model, "stages[2]", "stages", 1);
}

static gboolean
apply_rename_stage (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json ("\"Ship\"");

  return pw_editor_set (editor, "stages[2].name", value, error);
}

static void
expect_rename_stage (JsonNode *model, gboolean cfn)
{
  model_set (model, "stages[2].name", "\"Ship\"");
  /* In a template, the stage's disabled transition follows it. */
  if (cfn)
    model_set (model, "disableInboundStageTransitions[0].stageName", "\"Ship\"");
}

static const Case cases[] = {
  { "set-scalar", apply_set_scalar, expect_set_scalar,
    { { 1, 1 }, { 1, 1 }, { 1, 1 }, { 1, 1 }, { 1, 1 } } },
  { "set-quoted", apply_set_quoted, expect_set_quoted,
    { { 1, 1 }, { 1, 1 }, { 1, 1 }, { 1, 1 }, { 1, 1 } } },
  { "set-subtree", apply_set_subtree, expect_set_subtree,
    { { 1, 2 }, { 1, 1 }, { 2, 3 }, { 1, 2 }, { 1, 1 } } },
  { "set-create", apply_set_create, expect_set_create,
    { { 0, 3 }, { 0, 3 }, { 1, 4 }, { 0, 3 }, { 1, 4 } } },
  { "remove-member", apply_remove_member, expect_remove_member,
    { { 1, 0 }, { 1, 1 }, { 2, 1 }, { 1, 0 }, { 1, 1 } } },
  { "remove-element", apply_remove_element, expect_remove_element,
    { { 11, 0 }, { 3, 1 }, { 7, 0 }, { 11, 0 }, { 7, 0 } } },
  { "insert-element", apply_insert_element, expect_insert_element,
    { { 0, 1 }, { 1, 1 }, { 1, 1 }, { 0, 1 }, { 1, 1 } } },
  { "move-element", apply_move_element, expect_move_element,
    { { 12, 12 }, { 1, 2 }, { 8, 7 }, { 12, 12 }, { 8, 7 } } },
  { "move-action", apply_move_action, expect_move_action,
    { { 10, 10 }, { 3, 1 }, { 10, 10 }, { 12, 12 }, { 7, 7 } } },
  { "move-action-new-group", apply_move_action_group, expect_move_action_group,
    { { 10, 11 }, { 3, 2 }, { 8, 9 }, { 10, 11 }, { 8, 9 } } },
  { "move-action-within", apply_move_action_within, expect_move_action_within,
    { { 10, 10 }, { 3, 2 }, { 7, 7 }, { 10, 10 }, { 7, 7 } } },
  { "add-action", apply_add_action, expect_add_action,
    { { 1, 12 }, { 2, 3 }, { 1, 8 }, { 1, 12 }, { 1, 8 } } },
  { "add-stage", apply_add_stage, expect_add_stage,
    { { 0, 4 }, { 0, 2 }, { 0, 9 }, { 0, 8 }, { 0, 9 } } },
  { "move-stage", apply_move_stage, expect_move_stage,
    { { 13, 13 }, { 1, 1 }, { 11, 11 }, { 13, 13 }, { 11, 11 } } },
  { "rename-stage", apply_rename_stage, expect_rename_stage,
    { { 1, 1 }, { 1, 1 }, { 1, 1 }, { 2, 2 }, { 2, 2 } } },
};

static const char *format_names[N_FORMATS] = { "yaml", "flow", "json", "cfn-yaml", "cfn-json" };

static void
test_case (gconstpointer data)
{
  guint id = GPOINTER_TO_UINT (data);
  const Case *c = &cases[id / N_FORMATS];
  Format format = id % N_FORMATS;
  const char *original = *fixtures[format].text;
  const char *filename = fixtures[format].filename;
  gboolean cfn = format == FORMAT_CFN_YAML || format == FORMAT_CFN_JSON;
  g_autoptr(PwDocument) document = load (original, filename);
  g_autoptr(PwEditor) editor = NULL;
  g_autoptr(JsonNode) expected = model_of (document);
  g_autoptr(GError) error = NULL;
  guint deleted, inserted;

  editor = pw_editor_new (document, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (c->apply (editor, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pw_editor_get_n_steps (editor), ==, 1);

  c->expect (expected, cfn);
  check_result (editor, original, filename, expected);
  /* None of these edits is near the root: each was read again in part. */
  g_assert_cmpuint (_pw_editor_get_n_partial (editor), ==, 1);

  line_diff (original, pw_editor_get_text (editor, NULL), &deleted, &inserted);
  if (g_getenv ("PW_EDIT_SHOW") != NULL)
    g_printerr ("%s/%s: -%u +%u\n%s\n", c->name, format_names[format], deleted, inserted,
                pw_editor_get_text (editor, NULL));
  g_assert_cmpuint (deleted, ==, c->lines[format][0]);
  g_assert_cmpuint (inserted, ==, c->lines[format][1]);
}

/* Exact results: the text, byte for byte ------------------------------------------- */

typedef gboolean (*EditFunc) (PwEditor *editor, GError **error);

/* Runs @edit on @original and checks the text is @expected, byte for
 * byte, and that it reads back (the model check is the cases' job). */
static void
check_text (const char *original,
            const char *filename,
            EditFunc    edit,
            const char *expected)
{
  g_autoptr(PwDocument) document = load (original, filename);
  g_autoptr(GError) error = NULL;
  g_autoptr(PwEditor) editor = pw_editor_new (document, NULL, &error);
  g_autofree char *replayed = NULL;

  g_assert_no_error (error);
  g_assert_true (edit (editor, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (pw_editor_get_text (editor, NULL), ==, expected);
  replayed = replay (editor, original);
  g_assert_cmpstr (replayed, ==, expected);
  g_object_unref (load (expected, filename));
}

static const char *small_yaml =
  "# The pipeline\n"
  "pipeline:\n"
  "  name: shop   # its name\n"
  "  stages:\n"
  "    - name: Build\n"
  "      actions:\n"
  "        # Compiles the code\n"
  "        - name: Compile   # the compiler\n"
  "          actionTypeId: {category: Build, owner: AWS, provider: CodeBuild, version: \"1\"}\n"
  "          configuration:\n"
  "            ProjectName: build\n"
  "\n"
  "        # Checks the style\n"
  "        - name: Lint\n"
  "          actionTypeId: {category: Test, owner: AWS, provider: CodeBuild, version: \"1\"}\n"
  "          configuration:\n"
  "            ProjectName: lint\n"
  "    - name: Deploy\n"
  "      actions:\n"
  "      - name: Publish\n"
  "        actionTypeId: {category: Deploy, owner: AWS, provider: S3, version: \"1\"}\n"
  "        inputArtifacts: []\n";

static gboolean
rename_pipeline (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json ("\"store\"");

  return pw_editor_set (editor, "name", value, error);
}

static gboolean
remove_compile (PwEditor *editor, GError **error)
{
  return pw_editor_remove (editor, "stages[0].actions[0]", error);
}

static gboolean
move_lint_to_deploy (PwEditor *editor, GError **error)
{
  return pw_editor_move_action (editor, 0, 1, 1, -1, 1, FALSE, error);
}

static gboolean
remove_last_configuration_key (PwEditor *editor, GError **error)
{
  return pw_editor_remove (editor, "stages[0].actions[1].configuration.ProjectName", error);
}

static gboolean
insert_into_empty_list (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json ("{\"name\": \"Bin\"}");

  return pw_editor_insert (editor, "stages[1].actions[0].inputArtifacts", -1, value, error);
}

/* The comment on the line stays; the comment above an action goes with
 * it, and comes along, re-indented to the list's own indentation (this
 * stage writes its `- ` under `actions:`, not indented). */
static void
test_exact_yaml (void)
{
  g_autofree char *renamed = NULL;

  /* The edit is the name alone: the comment after it stays as it was. */
  renamed = g_strconcat ("# The pipeline\npipeline:\n  name: store   # its name\n",
                         strstr (small_yaml, "  stages:"), NULL);
  check_text (small_yaml, "p.yml", rename_pipeline, renamed);

  check_text (small_yaml, "p.yml", remove_compile,
              "# The pipeline\n"
              "pipeline:\n"
              "  name: shop   # its name\n"
              "  stages:\n"
              "    - name: Build\n"
              "      actions:\n"
              "\n"
              "        # Checks the style\n"
              "        - name: Lint\n"
              "          actionTypeId: {category: Test, owner: AWS, provider: CodeBuild, version: \"1\"}\n"
              "          configuration:\n"
              "            ProjectName: lint\n"
              "    - name: Deploy\n"
              "      actions:\n"
              "      - name: Publish\n"
              "        actionTypeId: {category: Deploy, owner: AWS, provider: S3, version: \"1\"}\n"
              "        inputArtifacts: []\n");

  check_text (small_yaml, "p.yml", move_lint_to_deploy,
              "# The pipeline\n"
              "pipeline:\n"
              "  name: shop   # its name\n"
              "  stages:\n"
              "    - name: Build\n"
              "      actions:\n"
              "        # Compiles the code\n"
              "        - name: Compile   # the compiler\n"
              "          actionTypeId: {category: Build, owner: AWS, provider: CodeBuild, version: \"1\"}\n"
              "          configuration:\n"
              "            ProjectName: build\n"
              "\n"
              "    - name: Deploy\n"
              "      actions:\n"
              "      - name: Publish\n"
              "        actionTypeId: {category: Deploy, owner: AWS, provider: S3, version: \"1\"}\n"
              "        inputArtifacts: []\n"
              "      # Checks the style\n"
              "      - name: Lint\n"
              "        actionTypeId: {category: Test, owner: AWS, provider: CodeBuild, version: \"1\"}\n"
              "        configuration:\n"
              "          ProjectName: lint\n");

  /* An emptied mapping stays, as `{}`: the key was not asked to go. */
  check_text (small_yaml, "p.yml", remove_last_configuration_key,
              "# The pipeline\n"
              "pipeline:\n"
              "  name: shop   # its name\n"
              "  stages:\n"
              "    - name: Build\n"
              "      actions:\n"
              "        # Compiles the code\n"
              "        - name: Compile   # the compiler\n"
              "          actionTypeId: {category: Build, owner: AWS, provider: CodeBuild, version: \"1\"}\n"
              "          configuration:\n"
              "            ProjectName: build\n"
              "\n"
              "        # Checks the style\n"
              "        - name: Lint\n"
              "          actionTypeId: {category: Test, owner: AWS, provider: CodeBuild, version: \"1\"}\n"
              "          configuration: {}\n"
              "    - name: Deploy\n"
              "      actions:\n"
              "      - name: Publish\n"
              "        actionTypeId: {category: Deploy, owner: AWS, provider: S3, version: \"1\"}\n"
              "        inputArtifacts: []\n");

  /* An empty `[]` in a block file becomes a block list. */
  check_text (small_yaml, "p.yml", insert_into_empty_list,
              "# The pipeline\n"
              "pipeline:\n"
              "  name: shop   # its name\n"
              "  stages:\n"
              "    - name: Build\n"
              "      actions:\n"
              "        # Compiles the code\n"
              "        - name: Compile   # the compiler\n"
              "          actionTypeId: {category: Build, owner: AWS, provider: CodeBuild, version: \"1\"}\n"
              "          configuration:\n"
              "            ProjectName: build\n"
              "\n"
              "        # Checks the style\n"
              "        - name: Lint\n"
              "          actionTypeId: {category: Test, owner: AWS, provider: CodeBuild, version: \"1\"}\n"
              "          configuration:\n"
              "            ProjectName: lint\n"
              "    - name: Deploy\n"
              "      actions:\n"
              "      - name: Publish\n"
              "        actionTypeId: {category: Deploy, owner: AWS, provider: S3, version: \"1\"}\n"
              "        inputArtifacts:\n"
              "        - name: Bin\n");
}

static gboolean
remove_last_json_member (PwEditor *editor, GError **error)
{
  return pw_editor_remove (editor, "stages[0].actions[0].outputArtifacts", error);
}

static gboolean
remove_first_json_element (PwEditor *editor, GError **error)
{
  return pw_editor_remove (editor, "stages[0]", error);
}

static gboolean
add_json_member (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json ("\"QUEUED\"");

  return pw_editor_set (editor, "executionMode", value, error);
}

/* JSON stays JSON: commas where they belong, the file's indentation. */
static void
test_exact_json (void)
{
  static const char *text =
    "{\n"
    "   \"pipeline\" : {\n"
    "      \"name\" : \"shop\",\n"
    "      \"stages\" : [\n"
    "         {\"name\" : \"Source\", \"actions\" : [{\"name\" : \"Checkout\", \"outputArtifacts\" : [{\"name\" : \"Src\"}]}]},\n"
    "         {\"name\" : \"Build\", \"actions\" : []}\n"
    "      ]\n"
    "   }\n"
    "}\n";

  check_text (text, "p.json", remove_last_json_member,
              "{\n"
              "   \"pipeline\" : {\n"
              "      \"name\" : \"shop\",\n"
              "      \"stages\" : [\n"
              "         {\"name\" : \"Source\", \"actions\" : [{\"name\" : \"Checkout\"}]},\n"
              "         {\"name\" : \"Build\", \"actions\" : []}\n"
              "      ]\n"
              "   }\n"
              "}\n");
  check_text (text, "p.json", remove_first_json_element,
              "{\n"
              "   \"pipeline\" : {\n"
              "      \"name\" : \"shop\",\n"
              "      \"stages\" : [\n"
              "         {\"name\" : \"Build\", \"actions\" : []}\n"
              "      ]\n"
              "   }\n"
              "}\n");
  check_text (text, "p.json", add_json_member,
              "{\n"
              "   \"pipeline\" : {\n"
              "      \"name\" : \"shop\",\n"
              "      \"stages\" : [\n"
              "         {\"name\" : \"Source\", \"actions\" : [{\"name\" : \"Checkout\", \"outputArtifacts\" : [{\"name\" : \"Src\"}]}]},\n"
              "         {\"name\" : \"Build\", \"actions\" : []}\n"
              "      ],\n"
              "      \"executionMode\" : \"QUEUED\"\n"
              "   }\n"
              "}\n");
}

/* A stage renamed in a template: its line and its disabled transition's. */
static void
test_exact_cfn_rename (void)
{
  g_autofree char *expected = NULL;
  g_autoptr(GString) want = g_string_new (cfn_yaml_fixture);

  g_string_replace (want, "        - Name: Deploy\n", "        - Name: Ship\n", 1);
  g_string_replace (want, "        - StageName: Deploy\n", "        - StageName: Ship\n", 1);
  expected = g_string_free (g_steal_pointer (&want), FALSE);
  check_text (cfn_yaml_fixture, "template.yml", apply_rename_stage, expected);
}

/* Scalars: quoted when YAML needs it, in the old value's style otherwise -- */

static void
check_scalar (const char *original,
              const char *filename,
              const char *path,
              const char *value,
              const char *expected_fragment)
{
  g_autoptr(PwDocument) document = load (original, filename);
  g_autoptr(GError) error = NULL;
  g_autoptr(PwEditor) editor = pw_editor_new (document, NULL, &error);
  g_autoptr(JsonNode) node = json (value);
  g_autoptr(JsonNode) expected = model_of (document);
  const char *text;

  g_assert_no_error (error);
  g_assert_true (pw_editor_set (editor, path, node, &error));
  g_assert_no_error (error);

  text = pw_editor_get_text (editor, NULL);
  if (strstr (text, expected_fragment) == NULL)
    g_error ("setting %s to %s: no '%s' in\n%s", path, value, expected_fragment, text);

  model_set (expected, path, value);
  check_result (editor, original, filename, expected);
}

static void
test_quoting (void)
{
  static const char *block =
    "pipeline:\n"
    "  name: shop\n"
    "  stages:\n"
    "    - name: Build\n"
    "      actions:\n"
    "        - name: Compile\n"
    "          configuration:\n"
    "            Plain: build\n"
    "            Double: \"1\"\n"
    "            Single: 'it''s'\n"
    "            Empty: \"\"\n"
    "            EmptySingle: ''\n"
    "            Text: |\n"
    "              line one\n"
    "              line two\n"
    "          runOrder: 1\n";
  static const char *flow =
    "pipeline:\n"
    "  name: shop\n"
    "  stages: [{name: Build, actions: [{name: Compile, configuration: {Plain: build}}]}]\n";

  /* A string that would read as something else is quoted. */
  check_scalar (block, "p.yml", "stages[0].actions[0].configuration.Plain", "\"true\"", "Plain: \"true\"\n");
  check_scalar (block, "p.yml", "stages[0].actions[0].configuration.Plain", "\"1\"", "Plain: \"1\"\n");
  check_scalar (block, "p.yml", "stages[0].actions[0].configuration.Plain", "\"yes\"", "Plain: \"yes\"\n");
  check_scalar (block, "p.yml", "stages[0].actions[0].configuration.Plain", "\"2024-01-01\"", "Plain: \"2024-01-01\"\n");
  check_scalar (block, "p.yml", "stages[0].actions[0].configuration.Plain", "\"a: b\"", "Plain: \"a: b\"\n");
  check_scalar (block, "p.yml", "stages[0].actions[0].configuration.Plain", "\"#{v.x}\"", "Plain: \"#{v.x}\"\n");
  check_scalar (block, "p.yml", "stages[0].actions[0].configuration.Plain", "\"\"", "Plain: \"\"\n");
  check_scalar (block, "p.yml", "stages[0].actions[0].configuration.Plain", "\"release/**\"", "Plain: release/**\n");
  /* One that needs none stays plain; a number is a number. */
  check_scalar (block, "p.yml", "stages[0].actions[0].configuration.Plain", "\"shop-build\"", "Plain: shop-build\n");
  check_scalar (block, "p.yml", "stages[0].actions[0].runOrder", "2", "runOrder: 2\n");
  /* The old value's quotes stay while they can hold the new one. */
  check_scalar (block, "p.yml", "stages[0].actions[0].configuration.Double", "\"2\"", "Double: \"2\"\n");
  check_scalar (block, "p.yml", "stages[0].actions[0].configuration.Double", "\"build\"", "Double: \"build\"\n");
  check_scalar (block, "p.yml", "stages[0].actions[0].configuration.Single", "\"don't\"", "Single: 'don''t'\n");
  /* An empty string's quotes were needed, not chosen: a value for it is
   * written as any new one. */
  check_scalar (block, "p.yml", "stages[0].actions[0].configuration.Empty", "\"shop-build\"", "Empty: shop-build\n");
  check_scalar (block, "p.yml", "stages[0].actions[0].configuration.EmptySingle", "\"shop\"", "EmptySingle: shop\n");
  check_scalar (block, "p.yml", "stages[0].actions[0].configuration.Empty", "\"1\"", "Empty: \"1\"\n");
  /* Text over several lines is a `|` block, as the old one was. */
  check_scalar (block, "p.yml", "stages[0].actions[0].configuration.Text", "\"one\\ntwo\\n\"",
                "Text: |\n              one\n              two\n          runOrder");
  check_scalar (block, "p.yml", "stages[0].actions[0].configuration.Plain", "\"one\\ntwo\"",
                "Plain: |-\n              one\n              two\n");
  check_scalar (block, "p.yml", "stages[0].actions[0].configuration.Text", "\"short\"",
                "Text: short\n          runOrder");
  /* In flow style, flow's own indicators need quotes too. */
  check_scalar (flow, "p.yml", "stages[0].actions[0].configuration.Plain", "\"a, b\"", "{Plain: \"a, b\"}");
  check_scalar (flow, "p.yml", "stages[0].actions[0].configuration.Plain", "\"[x]\"", "{Plain: \"[x]\"}");
  check_scalar (flow, "p.yml", "stages[0].actions[0].configuration.Plain", "\"one\\ntwo\"",
                "{Plain: \"one\\ntwo\"}");
  check_scalar (flow, "p.yml", "stages[0].actions[0].configuration.Plain", "\"tag\"", "{Plain: tag}");
  /* JSON escapes what it must. */
  check_scalar (json_fixture, "p.json", "name", "\"a \\\"b\\\" \\\\ c\\n\"", "\"name\": \"a \\\"b\\\" \\\\ c\\n\"");
}

/* Errors say what and why ----------------------------------------------------------- */

static void
check_error (const char *original,
             const char *filename,
             EditFunc    edit,
             int         code,
             const char *message)
{
  g_autoptr(PwDocument) document = load (original, filename);
  g_autoptr(GError) error = NULL;
  g_autoptr(PwEditor) editor = pw_editor_new (document, NULL, &error);

  g_assert_no_error (error);
  g_assert_false (edit (editor, &error));
  g_assert_error (error, PW_CORE_ERROR, code);
  if (strstr (error->message, message) == NULL)
    g_error ("expected '%s' in: %s", message, error->message);

  /* Nothing changed. */
  g_assert_cmpuint (pw_editor_get_n_steps (editor), ==, 0);
  g_assert_cmpstr (pw_editor_get_text (editor, NULL), ==, original);
}

static gboolean
set_missing_stage (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json ("\"x\"");

  return pw_editor_set (editor, "stages[7].name", value, error);
}

static gboolean
remove_missing_action (PwEditor *editor, GError **error)
{
  return pw_editor_remove (editor, "stages[1].actions[4]", error);
}

static gboolean
set_bad_path (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json ("\"x\"");

  return pw_editor_set (editor, "stages[1.name", value, error);
}

static gboolean
set_inside_scalar (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json ("\"x\"");

  return pw_editor_set (editor, "name.first", value, error);
}

static gboolean
remove_missing_key (PwEditor *editor, GError **error)
{
  return pw_editor_remove (editor, "stages[0].actions[0].configuration.Nope", error);
}

static gboolean
remove_pipeline (PwEditor *editor, GError **error)
{
  return pw_editor_remove (editor, "", error);
}

static gboolean
insert_out_of_range (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json ("{\"name\": \"X\"}");

  return pw_editor_insert (editor, "stages[1].actions", 5, value, error);
}

static gboolean
move_a_member (PwEditor *editor, GError **error)
{
  return pw_editor_move (editor, "stages[1].name", "stages", 0, error);
}

static gboolean
move_action_too_far (PwEditor *editor, GError **error)
{
  return pw_editor_move_action (editor, 1, 0, 2, 3, 1, FALSE, error);
}

static gboolean
move_action_bad_run_order (PwEditor *editor, GError **error)
{
  return pw_editor_move_action (editor, 1, 0, 2, 0, 0, FALSE, error);
}

static gboolean
insert_into_mapping (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json ("\"x\"");

  return pw_editor_insert (editor, "artifactStore", 0, value, error);
}

static gboolean
add_action_not_object (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json ("[1]");

  return pw_editor_add_action (editor, 0, -1, value, FALSE, error);
}

static void
test_errors (void)
{
  check_error (yaml_fixture, "p.yml", set_missing_stage, PW_CORE_ERROR_NOT_FOUND,
               "stages[7] does not exist: the pipeline has 3 stages");
  check_error (json_fixture, "p.json", remove_missing_action, PW_CORE_ERROR_NOT_FOUND,
               "stages[1].actions[4] does not exist: stage 'Build' has 2 actions");
  check_error (cfn_yaml_fixture, "t.yml", remove_missing_action, PW_CORE_ERROR_NOT_FOUND,
               "stages[1].actions[4] does not exist: stage 'Build' has 2 actions");
  check_error (yaml_fixture, "p.yml", set_bad_path, PW_CORE_ERROR_INVALID,
               "'stages[1.name' is not a model path");
  check_error (yaml_fixture, "p.yml", set_inside_scalar, PW_CORE_ERROR_INVALID,
               "name is a string, not a mapping, so it has no 'first'");
  check_error (yaml_fixture, "p.yml", remove_missing_key, PW_CORE_ERROR_NOT_FOUND,
               "stages[0].actions[0].configuration.Nope does not exist: "
               "stages[0].actions[0].configuration has no 'Nope'");
  check_error (yaml_fixture, "p.yml", remove_pipeline, PW_CORE_ERROR_INVALID,
               "not the pipeline itself");
  check_error (flow_fixture, "p.yml", insert_out_of_range, PW_CORE_ERROR_NOT_FOUND,
               "cannot insert at stages[1].actions[5]: stage 'Build' has 2 actions");
  check_error (yaml_fixture, "p.yml", move_a_member, PW_CORE_ERROR_INVALID,
               "stages[1].name is not a list item");
  check_error (yaml_fixture, "p.yml", move_action_too_far, PW_CORE_ERROR_NOT_FOUND,
               "cannot move to stages[2].actions[3]: it would have 1 item");
  check_error (yaml_fixture, "p.yml", move_action_bad_run_order, PW_CORE_ERROR_INVALID,
               "runOrder 0 is out of range");
  check_error (yaml_fixture, "p.yml", insert_into_mapping, PW_CORE_ERROR_INVALID,
               "artifactStore is a mapping, not a list");
  check_error (yaml_fixture, "p.yml", add_action_not_object, PW_CORE_ERROR_INVALID,
               "an action is a mapping");
}

static void
test_no_pipeline (void)
{
  g_autoptr(PwDocument) document = load ("pipeline: [1, 2]\n", "p.yml");
  g_autoptr(PwDocument) template = load ("Resources:\n  Bucket: {Type: AWS::S3::Bucket}\n", "t.yml");
  g_autoptr(PwDocument) pipeline = load (cfn_yaml_fixture, "t.yml");
  g_autoptr(GError) error = NULL;
  PwEditor *editor;

  editor = pw_editor_new (document, NULL, &error);
  g_assert_null (editor);
  g_assert_error (error, PW_CORE_ERROR, PW_CORE_ERROR_SHAPE);
  g_clear_error (&error);

  editor = pw_editor_new (template, NULL, &error);
  g_assert_null (editor);
  g_assert_error (error, PW_CORE_ERROR, PW_CORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  editor = pw_editor_new (pipeline, "Bucket", &error);
  g_assert_null (editor);
  g_assert_error (error, PW_CORE_ERROR, PW_CORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "its pipelines are: Pipeline"));
  g_clear_error (&error);

  editor = pw_editor_new (pipeline, "Pipeline", &error);
  g_assert_no_error (error);
  g_assert_finalize_object (editor);
}

/* CloudFormation intrinsics ------------------------------------------------------------ */

static const char *if_template =
  "Conditions:\n"
  "  WithTests: !Equals [!Ref Env, prod]\n"
  "Resources:\n"
  "  Pipeline:\n"
  "    Type: AWS::CodePipeline::Pipeline\n"
  "    Properties:\n"
  "      RoleArn: !GetAtt Role.Arn\n"
  "      ArtifactStore: {Type: S3, Location: !Ref Bucket}\n"
  "      Stages:\n"
  "        - Name: Source\n"
  "          Actions:\n"
  "            - Name: Checkout\n"
  "              ActionTypeId: {Category: Source, Owner: AWS, Provider: CodeCommit, Version: \"1\"}\n"
  "              Configuration: {RepositoryName: !Ref Repo, BranchName: main}\n"
  "        - !If\n"
  "          - WithTests\n"
  "          - Name: Test\n"
  "            Actions: []\n"
  "          - !Ref AWS::NoValue\n";

/* The whole stage list computed by an intrinsic. */
static const char *stages_if_template =
  "Conditions:\n"
  "  WithTests: !Equals [!Ref Env, prod]\n"
  "Resources:\n"
  "  Pipeline:\n"
  "    Type: AWS::CodePipeline::Pipeline\n"
  "    Properties:\n"
  "      RoleArn: !GetAtt Role.Arn\n"
  "      ArtifactStore: {Type: S3, Location: !Ref Bucket}\n"
  "      Stages: !If\n"
  "        - WithTests\n"
  "        - [{Name: Source, Actions: []}, {Name: Test, Actions: []}]\n"
  "        - [{Name: Source, Actions: []}]\n";

static gboolean
add_stage_into_if (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json ("{\"name\": \"Deploy\", \"actions\": []}");

  return pw_editor_add_stage (editor, -1, value, error);
}

static gboolean
insert_into_if (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json ("{\"name\": \"Deploy\", \"actions\": []}");

  return pw_editor_insert (editor, "stages", 0, value, error);
}

static gboolean
set_through_ref (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json ("\"x\"");

  return pw_editor_set (editor, "stages[0].actions[0].configuration.RepositoryName.Ref", value, error);
}

static gboolean
set_through_if (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json ("\"Tests\"");

  return pw_editor_set (editor, "stages[1].name", value, error);
}

static gboolean
replace_ref (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json ("\"shop\"");

  return pw_editor_set (editor, "stages[0].actions[0].configuration.RepositoryName", value, error);
}

static gboolean
set_ref (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json ("{\"Ref\": \"OtherRepo\"}");

  return pw_editor_set (editor, "stages[0].actions[0].configuration.RepositoryName", value, error);
}

static gboolean
replace_if_stage (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json ("{\"name\": \"Test\", \"actions\": []}");

  return pw_editor_set (editor, "stages[1]", value, error);
}

static void
test_intrinsics (void)
{
  g_autoptr(GString) expected = NULL;
  g_autofree char *want = NULL;

  check_error (if_template, "t.yml", set_through_ref, PW_CORE_ERROR_REFUSED,
               "stages[0].actions[0].configuration.RepositoryName is the CloudFormation "
               "intrinsic Ref (line 14)");
  check_error (if_template, "t.yml", set_through_if, PW_CORE_ERROR_REFUSED,
               "stages[1] is the CloudFormation intrinsic Fn::If (line 15)");
  /* Nothing is inserted into a list an intrinsic computes, and the reason
   * says so (not that a mapping is no list). */
  check_error (stages_if_template, "t.yml", add_stage_into_if, PW_CORE_ERROR_REFUSED,
               "stages is the CloudFormation intrinsic Fn::If (line 9)");
  check_error (stages_if_template, "t.yml", insert_into_if, PW_CORE_ERROR_REFUSED,
               "stages is the CloudFormation intrinsic Fn::If (line 9)");

  /* The intrinsic itself may be replaced, by a value or another intrinsic. */
  expected = g_string_new (if_template);
  g_string_replace (expected, "RepositoryName: !Ref Repo,", "RepositoryName: shop,", 1);
  want = g_string_free (g_steal_pointer (&expected), FALSE);
  check_text (if_template, "t.yml", replace_ref, want);
  g_free (want);

  expected = g_string_new (if_template);
  g_string_replace (expected, "RepositoryName: !Ref Repo,", "RepositoryName: !Ref OtherRepo,", 1);
  want = g_string_free (g_steal_pointer (&expected), FALSE);
  check_text (if_template, "t.yml", set_ref, want);
  g_free (want);

  expected = g_string_new (if_template);
  g_string_replace (expected,
                    "        - !If\n"
                    "          - WithTests\n"
                    "          - Name: Test\n"
                    "            Actions: []\n"
                    "          - !Ref AWS::NoValue\n",
                    "        - Name: Test\n"
                    "          Actions: []\n", 1);
  want = g_string_free (g_steal_pointer (&expected), FALSE);
  check_text (if_template, "t.yml", replace_if_stage, want);
}

/* Anchors, aliases and merge keys ----------------------------------------------------- */

static const char *anchors_yaml =
  "x-defaults:\n"
  "  build-type: &build-type\n"
  "    category: Build\n"
  "    owner: AWS\n"
  "    provider: CodeBuild\n"
  "    version: \"1\"\n"
  "  action: &action\n"
  "    actionTypeId: *build-type\n"
  "    runOrder: 1\n"
  "pipeline:\n"
  "  name: shop\n"
  "  roleArn: arn:aws:iam::111122223333:role/shop\n"
  "  artifactStore: {type: S3, location: shop-artifacts}\n"
  "  stages:\n"
  "    - name: Source\n"
  "      actions:\n"
  "        - name: Checkout\n"
  "          actionTypeId: {category: Source, owner: AWS, provider: CodeCommit, version: \"1\"}\n"
  "          configuration: &source-config\n"
  "            RepositoryName: shop\n"
  "            BranchName: main\n"
  "          outputArtifacts: [{name: Src}]\n"
  "    - name: Build\n"
  "      actions:\n"
  "        - <<: *action\n"
  "          name: Compile\n"
  "          configuration: {ProjectName: build}\n"
  "          inputArtifacts: [{name: Src}]\n"
  "        - name: Lint\n"
  "          actionTypeId: *build-type\n"
  "          configuration: *source-config\n";

static gboolean
set_through_alias (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json ("\"2\"");

  return pw_editor_set (editor, "stages[1].actions[1].actionTypeId.version", value, error);
}

static gboolean
set_through_merge (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json ("\"2\"");

  return pw_editor_set (editor, "stages[1].actions[0].actionTypeId.version", value, error);
}

static gboolean
remove_merged (PwEditor *editor, GError **error)
{
  return pw_editor_remove (editor, "stages[1].actions[0].runOrder", error);
}

static gboolean
remove_used_anchor (PwEditor *editor, GError **error)
{
  return pw_editor_remove (editor, "stages[0].actions[0].configuration", error);
}

static gboolean
move_anchor_after_alias (PwEditor *editor, GError **error)
{
  return pw_editor_move_stage (editor, 0, 1, error);
}

static gboolean
override_merged (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json ("2");

  return pw_editor_set (editor, "stages[1].actions[0].runOrder", value, error);
}

static gboolean
replace_alias (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json ("{\"category\": \"Test\", \"owner\": \"AWS\", \"provider\": \"CodeBuild\", \"version\": \"1\"}");

  return pw_editor_set (editor, "stages[1].actions[1].actionTypeId", value, error);
}

static gboolean
edit_anchored (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json ("\"dev\"");

  return pw_editor_set (editor, "stages[0].actions[0].configuration.BranchName", value, error);
}

static gboolean
move_merging_action (PwEditor *editor, GError **error)
{
  return pw_editor_move_action (editor, 1, 0, 0, -1, 1, FALSE, error);
}

static void
test_anchors (void)
{
  g_autoptr(GString) expected = NULL;
  g_autofree char *want = NULL;
  g_autoptr(PwDocument) document = NULL;
  g_autoptr(PwEditor) editor = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) model = NULL;
  g_autoptr(JsonNode) lint = NULL;

  /* Through an alias: refused, saying where the anchor is. */
  check_error (anchors_yaml, "p.yml", set_through_alias, PW_CORE_ERROR_REFUSED,
               "stages[1].actions[1].actionTypeId.version reaches this value through the alias "
               "*build-type (line 30), which shares the value anchored at line 2");
  /* Through a member a merge key brings in: refused too. */
  check_error (anchors_yaml, "p.yml", set_through_merge, PW_CORE_ERROR_REFUSED,
               "stages[1].actions[0].actionTypeId is not written in its mapping: the merge key "
               "'<<' at line 25 brings it in from line 8");
  check_error (anchors_yaml, "p.yml", remove_merged, PW_CORE_ERROR_REFUSED,
               "stages[1].actions[0].runOrder is not written in its mapping: the merge key "
               "'<<' at line 25 brings it in from line 9");
  /* An anchor an alias still needs stays where it is. */
  check_error (anchors_yaml, "p.yml", remove_used_anchor, PW_CORE_ERROR_REFUSED,
               "an alias would lose its anchor");
  check_error (anchors_yaml, "p.yml", move_anchor_after_alias, PW_CORE_ERROR_REFUSED,
               "an alias would lose its anchor");

  /* A merged member set here is overridden by an explicit key. */
  expected = g_string_new (anchors_yaml);
  g_string_replace (expected, "          inputArtifacts: [{name: Src}]\n        - name: Lint\n",
                    "          inputArtifacts: [{name: Src}]\n          runOrder: 2\n        - name: Lint\n", 1);
  want = g_string_free (g_steal_pointer (&expected), FALSE);
  check_text (anchors_yaml, "p.yml", override_merged, want);
  g_free (want);

  /* The alias itself may be replaced by a value of its own. */
  expected = g_string_new (anchors_yaml);
  g_string_replace (expected, "          actionTypeId: *build-type\n          configuration: *source-config\n",
                    "          actionTypeId:\n"
                    "            category: Test\n"
                    "            owner: AWS\n"
                    "            provider: CodeBuild\n"
                    "            version: \"1\"\n"
                    "          configuration: *source-config\n", 1);
  want = g_string_free (g_steal_pointer (&expected), FALSE);
  check_text (anchors_yaml, "p.yml", replace_alias, want);
  g_free (want);

  /* The anchored value itself may be edited: every alias follows, as the
   * file says. */
  expected = g_string_new (anchors_yaml);
  g_string_replace (expected, "            BranchName: main\n", "            BranchName: dev\n", 1);
  want = g_string_free (g_steal_pointer (&expected), FALSE);
  check_text (anchors_yaml, "p.yml", edit_anchored, want);
  g_free (want);

  document = load (anchors_yaml, "p.yml");
  editor = pw_editor_new (document, NULL, &error);
  g_assert_true (edit_anchored (editor, &error));
  g_assert_no_error (error);
  model = model_of (pw_editor_get_document (editor));
  lint = json_node_copy (json_array_get_element (json_node_get_array (json_object_get_member (
           json_array_get_object_element (json_node_get_array (json_object_get_member (
             json_node_get_object (model), "stages")), 1), "actions")), 1));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                     json_node_get_object (lint), "configuration"), "BranchName"), ==, "dev");

  /* An action with a merge key moves with it. */
  expected = g_string_new (anchors_yaml);
  g_string_replace (expected,
                    "          outputArtifacts: [{name: Src}]\n"
                    "    - name: Build\n"
                    "      actions:\n"
                    "        - <<: *action\n"
                    "          name: Compile\n"
                    "          configuration: {ProjectName: build}\n"
                    "          inputArtifacts: [{name: Src}]\n",
                    "          outputArtifacts: [{name: Src}]\n"
                    "        - <<: *action\n"
                    "          name: Compile\n"
                    "          configuration: {ProjectName: build}\n"
                    "          inputArtifacts: [{name: Src}]\n"
                    "    - name: Build\n"
                    "      actions:\n", 1);
  want = g_string_free (g_steal_pointer (&expected), FALSE);
  check_text (anchors_yaml, "p.yml", move_merging_action, want);
}

/* Other layouts: one-line JSON, CRLF with a byte-order mark, get-pipeline's
 * answer, a template of two pipelines ----------------------------------------- */

static gboolean
add_build_action (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json ("{\"name\": \"Build\", \"actionTypeId\": {\"category\": \"Build\", "
                                    "\"owner\": \"AWS\", \"provider\": \"CodeBuild\", \"version\": \"1\"}}");

  return pw_editor_add_action (editor, 1, -1, value, FALSE, error);
}

static gboolean
set_version (PwEditor *editor, GError **error)
{
  g_autoptr(JsonNode) value = json ("4");

  return pw_editor_set (editor, "version", value, error);
}

static void
test_layouts (void)
{
  g_autoptr(PwDocument) template = load ("Resources:\n"
                                         "  A:\n"
                                         "    Type: AWS::CodePipeline::Pipeline\n"
                                         "    Properties:\n"
                                         "      Name: a\n"
                                         "  B:\n"
                                         "    Type: AWS::CodePipeline::Pipeline\n", "t.yml");
  g_autoptr(PwEditor) editor = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) name = json ("\"b\"");

  /* One-line JSON stays one line, without blanks it does not have. */
  check_text ("{\"pipeline\":{\"name\":\"x\",\"stages\":[{\"name\":\"S\",\"actions\":[]},"
              "{\"name\":\"B\",\"actions\":[]}]}}", "p.json", add_build_action,
              "{\"pipeline\":{\"name\":\"x\",\"stages\":[{\"name\":\"S\",\"actions\":[]},"
              "{\"name\":\"B\",\"actions\":[{\"name\":\"Build\",\"actionTypeId\":{\"category\":\"Build\","
              "\"owner\":\"AWS\",\"provider\":\"CodeBuild\",\"version\":\"1\"}}]}]}}");

  /* CRLF line breaks for new lines too; the byte-order mark stays. */
  check_text ("\xef\xbb\xbfpipeline:\r\n  name: x\r\n  stages:\r\n    - name: S\r\n      actions: []\r\n"
              "    - name: B\r\n      actions: []\r\n", "p.yml", add_build_action,
              "\xef\xbb\xbfpipeline:\r\n  name: x\r\n  stages:\r\n    - name: S\r\n      actions: []\r\n"
              "    - name: B\r\n      actions:\r\n        - name: Build\r\n          actionTypeId:\r\n"
              "            category: Build\r\n            owner: AWS\r\n            provider: CodeBuild\r\n"
              "            version: \"1\"\r\n");

  /* get-pipeline's answer: `pipeline:` beside `metadata:`. */
  check_text ("pipeline:\n  name: got\n  version: 3\n  stages: []\nmetadata:\n  pipelineArn: arn\n",
              "got.yml", set_version,
              "pipeline:\n  name: got\n  version: 4\n  stages: []\nmetadata:\n  pipelineArn: arn\n");

  /* `key:` with nothing after it is null: set and insert fill it in. */
  {
    static const char *nulls =
      "pipeline:\n  name:\n  stages:\n    - name: S\n      actions:\n        - name: A\n"
      "          configuration:\n          inputArtifacts:\n          runOrder:\n";
    g_autoptr(PwDocument) document = load (nulls, "p.yml");
    g_autoptr(PwEditor) filler = pw_editor_new (document, NULL, &error);
    g_autoptr(JsonNode) value = json ("\"x\"");
    g_autoptr(JsonNode) artifact = json ("{\"name\": \"Src\"}");
    g_autoptr(JsonNode) order = json ("2");

    g_assert_true (pw_editor_set (filler, "name", value, &error) &&
                   pw_editor_set (filler, "stages[0].actions[0].configuration.K", value, &error) &&
                   pw_editor_insert (filler, "stages[0].actions[0].inputArtifacts", -1, artifact, &error) &&
                   pw_editor_set (filler, "stages[0].actions[0].runOrder", order, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (pw_editor_get_text (filler, NULL), ==,
                     "pipeline:\n  name: x\n  stages:\n    - name: S\n      actions:\n        - name: A\n"
                     "          configuration:\n            K: x\n          inputArtifacts:\n"
                     "            - name: Src\n          runOrder: 2\n");
  }

  /* A template's second pipeline, which has no Properties yet. */
  editor = pw_editor_new (template, "B", &error);
  g_assert_no_error (error);
  g_assert_true (pw_editor_set (editor, "name", name, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (pw_editor_get_text (editor, NULL), ==,
                   "Resources:\n"
                   "  A:\n"
                   "    Type: AWS::CodePipeline::Pipeline\n"
                   "    Properties:\n"
                   "      Name: a\n"
                   "  B:\n"
                   "    Type: AWS::CodePipeline::Pipeline\n"
                   "    Properties:\n"
                   "      Name: b\n");
}

/* Many steps: each read again in part, the positions kept exact ------------ */

static void
test_many_steps (void)
{
  for (guint f = 0; f < N_FORMATS; f++)
    {
      const char *original = *fixtures[f].text;
      const char *filename = fixtures[f].filename;
      g_autoptr(PwDocument) document = load (original, filename);
      g_autoptr(GError) error = NULL;
      g_autoptr(PwEditor) editor = pw_editor_new (document, NULL, &error);
      g_autoptr(JsonNode) expected = model_of (document);
      guint steps = 0;

      g_assert_no_error (error);
      for (guint i = 0; i < 150; i++)
        {
          g_autofree char *name = g_strdup_printf ("\"Make%u\"", i);
          g_autoptr(JsonNode) value = json (name);
          g_autoptr(JsonNode) model = NULL;
          g_autoptr(PwPipeline) pipeline = NULL;

          g_assert_true (pw_editor_set (editor, "stages[1].actions[0].name", value, &error));
          g_assert_true (pw_editor_move_action (editor, 1, 1, 2, -1, 1, FALSE, &error) &&
                         pw_editor_move_action (editor, 2, 1, 1, -1, 2, FALSE, &error));
          g_assert_no_error (error);
          steps += 3;
          if (i == 0)
            {
              model_set (expected, "stages[1].actions[1].runOrder", "2");
              model_move (expected, "stages[1].actions[1]", "stages[1].actions", -1);
            }
          model_set (expected, "stages[1].actions[0].name", name);

          /* As the app does after each edit: a model of the document (a
           * template's adds to its positions). */
          pipeline = pw_document_dup_pipeline (pw_editor_get_document (editor), NULL, &error);
          g_assert_no_error (error);
        }

      g_assert_cmpuint (pw_editor_get_n_steps (editor), ==, steps);
      g_assert_cmpuint (_pw_editor_get_n_partial (editor), ==, steps);
      check_result (editor, original, filename, expected);
    }
}

/* Random edits: whatever the edits did before, the next one is made or
 * refused for a reason, and the document read in part is the one read
 * whole, positions and all ---------------------------------------------------- */

static void
collect_paths (JsonNode  *node,
               GString   *path,
               GPtrArray *paths)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;

      if (pw_cfn_is_intrinsic (node) && path->len > 0)
        return;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &child))
        {
          gsize len = path->len;

          g_string_append_printf (path, "%s%s", len > 0 ? "." : "", name);
          g_ptr_array_add (paths, g_strdup (path->str));
          collect_paths (child, path, paths);
          g_string_truncate (path, len);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          gsize len = path->len;

          g_string_append_printf (path, "[%u]", i);
          g_ptr_array_add (paths, g_strdup (path->str));
          collect_paths (json_array_get_element (array, i), path, paths);
          g_string_truncate (path, len);
        }
    }
}

static JsonNode *
random_action (GRand *rand,
               guint  step)
{
  g_autofree char *text =
    g_strdup_printf ("{\"name\": \"R%u\", \"actionTypeId\": {\"category\": \"Build\", \"owner\": \"AWS\", "
                     "\"provider\": \"CodeBuild\", \"version\": \"1\"}, \"runOrder\": %d}",
                     step, g_rand_int_range (rand, 1, 4));

  return json (text);
}

static void
test_random (void)
{
  static const char *const strings[] = {
    "x", "1", "true", "a: b", "#c", "release/**", "", "two words", "caf\xc3\xa9", "multi\nline\n",
    "q\"uote", "it's", "-dash", "{brace}", "[x]", "~", "null", "0x10", "2024-01-01",
  };

  for (guint f = 0; f < N_FORMATS; f++)
    for (guint seed = 1; seed <= 4; seed++)
      {
        g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
        g_autoptr(PwDocument) document = load (*fixtures[f].text, fixtures[f].filename);
        g_autoptr(GError) error = NULL;
        g_autoptr(PwEditor) editor = pw_editor_new (document, NULL, &error);

        g_assert_no_error (error);
        for (guint step = 0; step < 60; step++)
          {
            g_autoptr(PwPipeline) pipeline = pw_document_dup_pipeline (pw_editor_get_document (editor), NULL, NULL);
            g_autoptr(JsonNode) model = NULL;
            g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
            g_autoptr(GString) path = g_string_new (NULL);
            g_autoptr(PwDocument) whole = NULL;
            g_autoptr(JsonNode) value = NULL;
            const char *target;
            guint n_stages;
            gsize length;
            const char *text;
            gboolean ok;

            if (pipeline == NULL || (n_stages = pw_pipeline_get_n_stages (pipeline)) == 0)
              break;
            model = pw_pipeline_to_declaration (pipeline);
            collect_paths (model, path, paths);
            if (paths->len == 0)
              break;
            target = g_ptr_array_index (paths, g_rand_int_range (rand, 0, paths->len));

            switch (g_rand_int_range (rand, 0, 7))
              {
              case 0:
              case 1:
                value = json_node_init_string (json_node_alloc (),
                                               strings[g_rand_int_range (rand, 0, G_N_ELEMENTS (strings))]);
                ok = pw_editor_set (editor, target, value, &error);
                break;
              case 2:
                ok = pw_editor_remove (editor, target, &error);
                break;
              case 3:
                {
                  guint stage = g_rand_int_range (rand, 0, n_stages);
                  guint n_actions = pw_stage_get_n_actions (pw_pipeline_get_stage (pipeline, stage));

                  ok = n_actions == 0 ||
                       pw_editor_move_action (editor, stage, g_rand_int_range (rand, 0, n_actions),
                                              g_rand_int_range (rand, 0, n_stages), -1,
                                              g_rand_int_range (rand, 1, 4), g_rand_boolean (rand), &error);
                }
                break;
              case 4:
                value = random_action (rand, step);
                ok = pw_editor_add_action (editor, g_rand_int_range (rand, 0, n_stages),
                                           g_rand_int_range (rand, -1, 2), value, g_rand_boolean (rand), &error);
                break;
              case 5:
                ok = pw_editor_move_stage (editor, g_rand_int_range (rand, 0, n_stages),
                                           g_rand_int_range (rand, 0, n_stages), &error);
                break;
              default:
                value = json ("{\"name\": \"Added\", \"actions\": []}");
                ok = pw_editor_add_stage (editor, g_rand_int_range (rand, -1, n_stages), value, &error);
                break;
              }

            /* Refused or not found, for a reason; never a bug. */
            if (!ok)
              {
                g_assert_false (g_error_matches (error, PW_CORE_ERROR, PW_CORE_ERROR_INVALID) &&
                                strstr (error->message, "bug") != NULL);
                g_assert_null (strstr (error->message, "would no longer read"));
                g_clear_error (&error);
              }

            text = pw_editor_get_text (editor, &length);
            whole = load (text, fixtures[f].filename);
            check_positions (pw_document_get_source_map (pw_editor_get_document (editor)),
                             pw_document_get_root (pw_editor_get_document (editor)),
                             pw_document_get_source_map (whole), pw_document_get_root (whole),
                             fixtures[f].filename);
          }
      }
}

/* Spans: every node of the example pipelines, from path to text and back -- */

static void
check_span (PwDocument *document,
            const char *path,
            gboolean    element,
            guint      *n_checked)
{
  GBytes *bytes = pw_source_map_get_text (pw_document_get_source_map (document));
  gsize length;
  const char *text = g_bytes_get_data (bytes, &length);
  gsize start = 0, end = 0, offset;
  g_autofree char *back = NULL;

  if (!pw_document_get_path_span (document, NULL, path, &start, &end))
    g_error ("no span for %s", path);
  g_assert_cmpuint (start, <=, end);
  g_assert_cmpuint (end, <=, length);

  /* An element of a block list begins at its '-'. */
  offset = start;
  if (element)
    {
      gsize i = start;

      while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\n' || text[i - 1] == '\r'))
        i--;
      if (i > 0 && text[i - 1] == '-')
        offset = i - 1;
    }

  back = pw_document_dup_path_at (document, NULL, offset);
  if (g_strcmp0 (back, path) != 0)
    g_error ("%s: offset %" G_GSIZE_FORMAT " (%.20s…) reads back as %s", path, offset,
             text + offset, back);
  (*n_checked)++;
}

static void
walk_spans (PwDocument *document,
            JsonNode   *node,
            GString    *path,
            guint      *n_checked)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;

      /* Paths do not go through an intrinsic (an Fn::If stands for its
       * value, which the stack decides). */
      if (pw_cfn_is_intrinsic (node) && path->len > 0)
        return;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &child))
        {
          gsize len = path->len;

          if (strchr (name, '.') != NULL || strchr (name, '[') != NULL)
            g_string_append_printf (path, "[\"%s\"]", name);
          else
            g_string_append_printf (path, "%s%s", len > 0 ? "." : "", name);
          check_span (document, path->str, FALSE, n_checked);
          walk_spans (document, child, path, n_checked);
          g_string_truncate (path, len);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          gsize len = path->len;

          g_string_append_printf (path, "[%u]", i);
          check_span (document, path->str, TRUE, n_checked);
          walk_spans (document, json_array_get_element (array, i), path, n_checked);
          g_string_truncate (path, len);
        }
    }
}

static void
check_spans_of (const char *text,
                const char *filename)
{
  g_autoptr(PwDocument) document = load (text, filename);
  g_autoptr(JsonNode) model = model_of (document);
  g_autoptr(GString) path = g_string_new (NULL);
  g_autofree char *outside = NULL;
  gsize start, end;
  guint n_checked = 0;

  walk_spans (document, model, path, &n_checked);
  g_assert_cmpuint (n_checked, >, 10);

  /* "" is the whole declaration; before it, there is no pipeline. */
  g_assert_true (pw_document_get_path_span (document, NULL, "", &start, &end));
  g_assert_cmpuint (end, >, start);
  if (start > 0)
    g_assert_null (pw_document_dup_path_at (document, NULL, 0));
  outside = pw_document_dup_path_at (document, NULL, start);
  g_assert_nonnull (outside);

  g_assert_false (pw_document_get_path_span (document, NULL, "stages[99]", &start, &end));
  g_assert_false (pw_document_get_path_span (document, NULL, "no such key", &start, &end));
}

static void
test_spans_fixtures (void)
{
  for (guint f = 0; f < N_FORMATS; f++)
    check_spans_of (*fixtures[f].text, fixtures[f].filename);
}

static void
test_spans_examples (void)
{
  static const char *const examples[] = { "pipeline.yml", "pipeline-v1.json", "template.yml" };
  g_autofree char *cdk = g_test_build_filename (G_TEST_DIST, "data", "cdk", NULL);
  g_autoptr(GDir) dir = g_dir_open (cdk, 0, NULL);
  const char *name;
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (examples); i++)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "examples", examples[i], NULL);
      g_autofree char *text = NULL;

      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      check_spans_of (text, path);
    }

  /* Templates the AWS CDK wrote. */
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (cdk, name, NULL);
      g_autofree char *text = NULL;
      g_autoptr(PwDocument) document = NULL;
      g_auto(GStrv) ids = NULL;

      if (!g_str_has_suffix (name, ".template.json"))
        continue;
      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      document = load (text, path);
      ids = pw_document_dup_pipeline_ids (document);
      if (ids[0] == NULL || ids[1] != NULL)
        continue;
      check_spans_of (text, path);
      n++;
    }
  g_assert_cmpuint (n, >, 10);
}

/* A span is where the views select a node. */
static void
test_spans_text (void)
{
  g_autoptr(PwDocument) document = load (yaml_fixture, "pipeline.yml");
  g_autofree char *at_comment = NULL;
  gsize start, end;

  g_assert_true (pw_document_get_path_span (document, NULL, "stages[1].actions[0].configuration.ProjectName",
                                            &start, &end));
  g_assert_cmpint (strncmp (yaml_fixture + start, "ProjectName: shop-build", end - start), ==, 0);
  g_assert_cmpuint (end - start, ==, strlen ("ProjectName: shop-build"));

  g_assert_true (pw_document_get_path_span (document, NULL, "stages[1].actions[0].actionTypeId",
                                            &start, &end));
  g_assert_cmpint (strncmp (yaml_fixture + start,
                            "actionTypeId: {category: Build, owner: AWS, provider: CodeBuild, version: \"1\"}",
                            end - start), ==, 0);

  /* On the comment above an action: the stage's actions, not the action. */
  at_comment = pw_document_dup_path_at (document, NULL, strstr (yaml_fixture, "# Compiles") - yaml_fixture);
  g_assert_cmpstr (at_comment, ==, "stages[1].actions");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (guint f = 0; f < N_FORMATS; f++)
      {
        g_autofree char *path = g_strdup_printf ("/core/edit/%s/%s", cases[i].name, format_names[f]);

        g_test_add_data_func (path, GUINT_TO_POINTER (i * N_FORMATS + f), test_case);
      }

  g_test_add_func ("/core/edit/exact/yaml", test_exact_yaml);
  g_test_add_func ("/core/edit/exact/json", test_exact_json);
  g_test_add_func ("/core/edit/exact/cfn-rename", test_exact_cfn_rename);
  g_test_add_func ("/core/edit/quoting", test_quoting);
  g_test_add_func ("/core/edit/errors", test_errors);
  g_test_add_func ("/core/edit/no-pipeline", test_no_pipeline);
  g_test_add_func ("/core/edit/intrinsics", test_intrinsics);
  g_test_add_func ("/core/edit/anchors", test_anchors);
  g_test_add_func ("/core/edit/layouts", test_layouts);
  g_test_add_func ("/core/edit/many-steps", test_many_steps);
  g_test_add_func ("/core/edit/random", test_random);
  g_test_add_func ("/core/edit/spans/fixtures", test_spans_fixtures);
  g_test_add_func ("/core/edit/spans/examples", test_spans_examples);
  g_test_add_func ("/core/edit/spans/text", test_spans_text);

  return g_test_run ();
}
