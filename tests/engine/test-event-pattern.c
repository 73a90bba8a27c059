/* test-event-pattern.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <pw-engine.h>

/* An action's event, as the executor writes it. */
static const char *event_text =
  "{\"version\":\"0\",\"id\":\"e1\",\"detail-type\":\"CodePipeline Action Execution State Change\","
  "\"source\":\"aws.codepipeline\",\"account\":\"111122223333\",\"region\":\"us-east-1\","
  "\"resources\":[\"arn:aws:codepipeline:us-east-1:111122223333:shop\"],"
  "\"detail\":{\"pipeline\":\"shop\",\"stage\":\"Deploy\",\"action\":\"ToProd\",\"state\":\"FAILED\","
  "\"version\":3,\"type\":{\"category\":\"Deploy\",\"provider\":\"CodeDeploy\"}}}";

typedef struct
{
  const char *pattern;
  gboolean    matches;
} Case;

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}

static void
test_matching (void)
{
  static const Case cases[] = {
    { "{}", TRUE },
    { "{\"source\": [\"aws.codepipeline\"]}", TRUE },
    { "{\"source\": [\"aws.codebuild\"]}", FALSE },
    { "{\"source\": [\"aws.codebuild\", \"aws.codepipeline\"]}", TRUE },
    { "{\"detail\": {\"state\": [\"FAILED\", \"CANCELED\"]}}", TRUE },
    { "{\"detail\": {\"state\": [\"SUCCEEDED\"]}}", FALSE },
    { "{\"detail\": {\"type\": {\"category\": [\"Deploy\"]}}}", TRUE },
    { "{\"detail-type\": [{\"prefix\": \"CodePipeline Action\"}]}", TRUE },
    { "{\"detail-type\": [{\"prefix\": \"CodePipeline Stage\"}]}", FALSE },
    { "{\"detail-type\": [{\"suffix\": \"State Change\"}]}", TRUE },
    { "{\"detail\": {\"stage\": [{\"anything-but\": \"Source\"}]}}", TRUE },
    { "{\"detail\": {\"stage\": [{\"anything-but\": [\"Build\", \"Deploy\"]}]}}", FALSE },
    { "{\"detail\": {\"stage\": [{\"anything-but\": {\"prefix\": \"Dep\"}}]}}", FALSE },
    { "{\"detail\": {\"version\": [{\"numeric\": [\">\", 2, \"<=\", 3]}]}}", TRUE },
    { "{\"detail\": {\"version\": [{\"numeric\": [\">\", 3]}]}}", FALSE },
    { "{\"detail\": {\"version\": [3]}}", TRUE },
    { "{\"detail\": {\"version\": [\"3\"]}}", FALSE },
    { "{\"detail\": {\"action\": [{\"exists\": true}]}}", TRUE },
    { "{\"detail\": {\"rollback\": [{\"exists\": true}]}}", FALSE },
    { "{\"detail\": {\"rollback\": [{\"exists\": false}]}}", TRUE },
    { "{\"detail\": {\"action\": [{\"exists\": false}]}}", FALSE },
    /* A nested pattern under a field the event lacks. */
    { "{\"detail\": {\"missing\": {\"inner\": [\"x\"]}}}", FALSE },
    { "{\"detail\": {\"state\": [{\"equals-ignore-case\": \"failed\"}]}}", TRUE },
    { "{\"detail\": {\"pipeline\": [{\"wildcard\": \"s*p\"}]}}", TRUE },
    { "{\"detail\": {\"pipeline\": [{\"wildcard\": \"s*x\"}]}}", FALSE },
    /* A list in the event matches when one element does. */
    { "{\"resources\": [{\"suffix\": \":shop\"}]}", TRUE },
    { "{\"resources\": [\"arn:aws:codepipeline:us-east-1:111122223333:other\"]}", FALSE },
    { "{\"$or\": [{\"detail\": {\"state\": [\"SUCCEEDED\"]}}, {\"detail\": {\"stage\": [\"Deploy\"]}}]}", TRUE },
    { "{\"$or\": [{\"detail\": {\"state\": [\"SUCCEEDED\"]}}, {\"source\": [\"x\"]}]}", FALSE },
    /* Every field must match. */
    { "{\"source\": [\"aws.codepipeline\"], \"detail\": {\"state\": [\"STARTED\"]}}", FALSE },
  };
  g_autoptr(JsonNode) event = parse (event_text);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) pattern = parse (cases[i].pattern);
      g_autofree char *message = NULL;

      if (!pw_event_pattern_check (pattern, &message))
        g_error ("%s was refused: %s", cases[i].pattern, message);
      if (pw_event_pattern_matches (pattern, event) != cases[i].matches)
        g_error ("%s %s match the event", cases[i].pattern, cases[i].matches ? "should" : "should not");
    }
  g_assert_true (pw_event_pattern_matches (NULL, event));
}

/* `\*` in a wildcard is a star, only. */
static void
test_wildcard_escape (void)
{
  static const struct { const char *value; gboolean matches; } cases[] = {
    { "a*b", TRUE },
    { "a\\\\xb", FALSE },
    { "axb", FALSE },
    { "a*", FALSE },
  };
  g_autoptr(JsonNode) pattern = parse ("{\"k\": [{\"wildcard\": \"a\\\\*b\"}]}");

  g_assert_true (pw_event_pattern_check (pattern, NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"k\": \"%s\"}", cases[i].value);
      g_autoptr(JsonNode) event = parse (text);

      if (pw_event_pattern_matches (pattern, event) != cases[i].matches)
        g_error ("%s %s match a\\*b", text, cases[i].matches ? "should" : "should not");
    }
}

static void
test_refused (void)
{
  static const struct { const char *pattern; const char *message; } cases[] = {
    { "[\"x\"]", "the pattern must be an object, not a list" },
    { "{\"source\": \"aws.codepipeline\"}",
      "source must be a list of values (e.g. [\"aws.codepipeline\"]) or an object, not a string" },
    { "{\"detail\": {\"state\": []}}", "the list at detail.state is empty: it would match nothing" },
    { "{\"detail\": {\"state\": [{\"prefx\": \"F\"}]}}",
      "unknown filter \"prefx\" at detail.state; EventBridge has prefix, suffix, anything-but, numeric, "
      "exists, equals-ignore-case and wildcard" },
    { "{\"detail\": {\"version\": [{\"numeric\": [\">\"]}]}}",
      "\"numeric\" at detail.version takes one or two comparisons, e.g. [\">\", 0, \"<=\", 5]" },
    { "{\"detail\": {\"version\": [{\"numeric\": [\"!=\", 1]}]}}",
      "\"numeric\" at detail.version compares with <, <=, =, > or >=, not !=" },
    { "{\"a\": [{\"exists\": \"yes\"}]}", "\"exists\" at a takes true or false, not a string" },
    { "{\"a\": [{\"prefix\": \"x\", \"suffix\": \"y\"}]}",
      "a filter at a has exactly one key (prefix, suffix, anything-but, numeric, exists, equals-ignore-case, "
      "wildcard)" },
    { "{\"$or\": [{\"a\": [\"x\"]}]}", "\"$or\" at the top takes a list of at least two patterns" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) pattern = parse (cases[i].pattern);
      g_autofree char *message = NULL;

      g_assert_false (pw_event_pattern_check (pattern, &message));
      g_assert_cmpstr (message, ==, cases[i].message);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/event-pattern/matching", test_matching);
  g_test_add_func ("/engine/event-pattern/wildcard-escape", test_wildcard_escape);
  g_test_add_func ("/engine/event-pattern/refused", test_refused);

  return g_test_run ();
}
