/* test-provider-docs.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <pw-core.h>

#include "pw-provider-docs.h"

/* The action-level fields the inspector documents (provider NULL). */
static const char * const action_fields[] = {
  "timeoutInMinutes", "commands", "outputVariables", "namespace", "region", "roleArn",
  "runOrder", NULL
};

/* A description is short, one or two sentences, and reads as a sentence. */
static void
check_doc (const char *what,
           const char *doc)
{
  gsize len;

  if (doc == NULL || *doc == '\0')
    g_error ("%s has no documentation", what);

  len = strlen (doc);
  if (len > 220)
    g_error ("the documentation of %s is %" G_GSIZE_FORMAT " bytes long", what, len);
  if (!g_ascii_isupper (doc[0]) && doc[0] != '"')
    g_error ("the documentation of %s does not start with a capital: %s", what, doc);
  if (doc[len - 1] != '.')
    g_error ("the documentation of %s does not end with a full stop: %s", what, doc);
}

/* Choices are a non-empty set without duplicates, and an example, when a
 * closed set exists, is one of its values. */
static void
check_choices (const char *what,
               const char *category,
               const char *provider,
               const char *key)
{
  const char * const *choices = pw_provider_key_choices (category, provider, key);
  const char *example = pw_provider_key_example (category, provider, key);

  if (example != NULL)
    g_assert_cmpstr (example, !=, "");

  if (choices == NULL)
    return;

  if (choices[0] == NULL)
    g_error ("%s has an empty set of choices", what);

  for (guint i = 0; choices[i] != NULL; i++)
    {
      g_assert_cmpstr (choices[i], !=, "");
      for (guint j = 0; j < i; j++)
        g_assert_cmpstr (choices[i], !=, choices[j]);
    }

  if (example != NULL && !g_strv_contains (choices, example))
    g_error ("the example of %s, '%s', is not one of its choices", what, example);
}

static void
check_keys (const PwProviderInfo *info,
            const char * const   *keys,
            gsize                 n_keys)
{
  for (gsize k = 0; k < n_keys && keys[k] != NULL; k++)
    {
      g_autofree char *what = g_strdup_printf ("%s/%s/%s", info->category, info->provider,
                                               keys[k]);

      check_doc (what, pw_provider_key_doc (info->category, info->provider, keys[k]));
      check_choices (what, info->category, info->provider, keys[k]);
    }
}

static void
test_every_provider_key (void)
{
  guint n_providers = 0;
  const PwProviderInfo *providers = pw_providers_get_all (&n_providers);

  g_assert_cmpuint (n_providers, >, 20);

  for (guint i = 0; i < n_providers; i++)
    {
      const PwProviderInfo *info = &providers[i];
      g_autofree char *what = g_strdup_printf ("%s/%s", info->category, info->provider);

      check_doc (what, pw_provider_doc (info->category, info->provider));
      check_keys (info, info->required, G_N_ELEMENTS (info->required));
      check_keys (info, info->optional, G_N_ELEMENTS (info->optional));
    }
}

static void
test_action_fields (void)
{
  for (guint i = 0; action_fields[i] != NULL; i++)
    {
      check_doc (action_fields[i], pw_provider_key_doc (NULL, NULL, action_fields[i]));
      /* The category does not matter for action-level fields. */
      g_assert_cmpstr (pw_provider_key_doc ("Deploy", NULL, action_fields[i]), ==,
                       pw_provider_key_doc (NULL, NULL, action_fields[i]));
      g_assert_null (pw_provider_key_choices (NULL, NULL, action_fields[i]));
    }

  /* A provider key is not an action-level field. */
  g_assert_null (pw_provider_key_doc (NULL, NULL, "ProjectName"));
}

static void
test_category_disambiguates (void)
{
  const char *source = pw_provider_doc ("Source", "S3");
  const char *deploy = pw_provider_doc ("Deploy", "S3");

  g_assert_nonnull (source);
  g_assert_nonnull (deploy);
  g_assert_cmpstr (source, !=, deploy);

  g_assert_nonnull (pw_provider_key_doc ("Source", "S3", "S3Bucket"));
  g_assert_null (pw_provider_key_doc ("Deploy", "S3", "S3Bucket"));
  g_assert_nonnull (pw_provider_key_doc ("Deploy", "S3", "BucketName"));
  g_assert_null (pw_provider_key_doc ("Source", "S3", "BucketName"));
  g_assert_cmpstr (pw_provider_key_doc ("Source", "S3", "PollForSourceChanges"), !=,
                   pw_provider_key_doc ("Source", "CodeCommit", "PollForSourceChanges"));

  /* Without a category, the first provider of that name answers. */
  g_assert_nonnull (pw_provider_key_doc (NULL, "S3", "BucketName"));
  g_assert_nonnull (pw_provider_key_doc (NULL, "S3", "S3Bucket"));

  /* CodeBuild is the same in Build and Test. */
  g_assert_cmpstr (pw_provider_key_doc ("Build", "CodeBuild", "ProjectName"), ==,
                   pw_provider_key_doc ("Test", "CodeBuild", "ProjectName"));
}

static void
test_choices (void)
{
  const char * const *modes = pw_provider_key_choices ("Deploy", "CloudFormation", "ActionMode");
  const char * const *formats;
  const char * const *poll;

  g_assert_nonnull (modes);
  g_assert_cmpuint (g_strv_length ((char **)modes), ==, 5);
  g_assert_true (g_strv_contains (modes, "CREATE_UPDATE"));
  g_assert_true (g_strv_contains (modes, "REPLACE_ON_FAILURE"));
  g_assert_true (g_strv_contains (modes, "DELETE_ONLY"));
  g_assert_true (g_strv_contains (modes, "CHANGE_SET_REPLACE"));
  g_assert_true (g_strv_contains (modes, "CHANGE_SET_EXECUTE"));

  formats = pw_provider_key_choices ("Source", "CodeCommit", "OutputArtifactFormat");
  g_assert_nonnull (formats);
  g_assert_cmpstr (formats[0], ==, "CODE_ZIP");
  g_assert_cmpstr (formats[1], ==, "CODEBUILD_CLONE_REF");
  g_assert_null (formats[2]);

  poll = pw_provider_key_choices ("Source", "CodeCommit", "PollForSourceChanges");
  g_assert_nonnull (poll);
  g_assert_cmpstr (poll[0], ==, "true");
  g_assert_cmpstr (poll[1], ==, "false");
  g_assert_null (poll[2]);

  g_assert_nonnull (pw_provider_key_choices ("Deploy", "S3", "Extract"));
  g_assert_nonnull (pw_provider_key_choices ("Build", "CodeBuild", "BatchEnabled"));
  g_assert_nonnull (pw_provider_key_choices ("Invoke", "StepFunctions", "InputType"));

  /* Free text has no choices. */
  g_assert_null (pw_provider_key_choices ("Build", "CodeBuild", "ProjectName"));
  g_assert_null (pw_provider_key_choices ("Deploy", "CloudFormation", "Capabilities"));
}

static void
test_examples (void)
{
  g_assert_cmpstr (pw_provider_key_example ("Build", "CodeBuild", "ProjectName"), ==,
                   "my-build-project");
  g_assert_true (strstr (pw_provider_key_example ("Deploy", "CloudFormation", "TemplatePath"),
                         "::") != NULL);
  g_assert_null (pw_provider_key_example ("Deploy", "CloudFormation", "ActionMode"));
}

static void
test_unknown (void)
{
  g_assert_null (pw_provider_doc ("Build", "Jenkins"));
  g_assert_null (pw_provider_doc ("Source", "CodeBuild"));
  g_assert_null (pw_provider_key_doc ("Build", "CodeBuild", "NoSuchKey"));
  g_assert_null (pw_provider_key_doc ("Build", "NoSuchProvider", "ProjectName"));
  g_assert_null (pw_provider_key_example ("Build", "CodeBuild", "NoSuchKey"));
  g_assert_null (pw_provider_key_choices ("Build", "CodeBuild", "NoSuchKey"));
  g_assert_null (pw_provider_key_doc (NULL, NULL, "noSuchField"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app/provider-docs/every-provider-key", test_every_provider_key);
  g_test_add_func ("/app/provider-docs/action-fields", test_action_fields);
  g_test_add_func ("/app/provider-docs/category", test_category_disambiguates);
  g_test_add_func ("/app/provider-docs/choices", test_choices);
  g_test_add_func ("/app/provider-docs/examples", test_examples);
  g_test_add_func ("/app/provider-docs/unknown", test_unknown);

  return g_test_run ();
}
