/* test-yaml.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "pw-core-error.h"
#include "pw-json.h"
#include "pw-yaml.h"

/* A compact, canonical text for a tree that shows types: integers never
 * have a '.', doubles always have one (or an exponent, inf, nan). */
static void
dump_to (GString  *out,
         JsonNode *node)
{
  if (JSON_NODE_HOLDS_NULL (node))
    g_string_append (out, "null");
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;
      gboolean first = TRUE;
      JsonNode *key = json_node_new (JSON_NODE_VALUE);

      g_string_append_c (out, '{');
      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &child))
        {
          if (!first)
            g_string_append_c (out, ',');
          first = FALSE;
          json_node_set_string (key, name);
          dump_to (out, key);
          g_string_append_c (out, ':');
          dump_to (out, child);
        }
      g_string_append_c (out, '}');
      json_node_unref (key);
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
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          break;

        case G_TYPE_INT64:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          break;

        case G_TYPE_DOUBLE:
          {
            double d = json_node_get_double (node);
            char buffer[G_ASCII_DTOSTR_BUF_SIZE];

            if (isnan (d))
              g_string_append (out, "nan");
            else if (isinf (d))
              g_string_append (out, d > 0 ? "inf" : "-inf");
            else
              {
                g_ascii_formatd (buffer, sizeof buffer, "%.17g", d);
                for (int prec = 15; prec <= 17; prec++)
                  {
                    char fmt[8];

                    g_snprintf (fmt, sizeof fmt, "%%.%dg", prec);
                    g_ascii_formatd (buffer, sizeof buffer, fmt, d);
                    if (g_ascii_strtod (buffer, NULL) == d)
                      break;
                  }
                g_string_append (out, buffer);
                if (strpbrk (buffer, ".e") == NULL)
                  g_string_append (out, ".0");
              }
            break;
          }

        case G_TYPE_STRING:
          {
            const char *s = json_node_get_string (node);

            g_string_append_c (out, '"');
            for (; *s != '\0'; s++)
              {
                if (*s == '"' || *s == '\\')
                  g_string_append_printf (out, "\\%c", *s);
                else if (*s == '\n')
                  g_string_append (out, "\\n");
                else if ((guchar)*s < 0x20)
                  g_string_append_printf (out, "\\u%04x", (guchar)*s);
                else
                  g_string_append_c (out, *s);
              }
            g_string_append_c (out, '"');
            break;
          }

        default:
          g_assert_not_reached ();
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
parse_ok (const char       *text,
          PwYamlParseFlags  flags)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  node = pw_yaml_parse (text, -1, NULL, flags, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);

  return node;
}

static void
assert_parses_to (const char       *text,
                  PwYamlParseFlags  flags,
                  const char       *expected)
{
  g_autoptr(JsonNode) node = parse_ok (text, flags);
  g_autofree char *got = dump (node);

  if (g_strcmp0 (got, expected) != 0)
    g_error ("YAML %.200s\n  parsed to %s\n  expected  %s", text, got, expected);
}

static void
assert_error (const char       *text,
              gssize            length,
              PwYamlParseFlags  flags,
              PwCoreError       code,
              const char       *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = pw_yaml_parse (text, length, NULL, flags, &error);
  g_assert_null (node);
  g_assert_nonnull (error);
  if (error->domain != PW_CORE_ERROR || error->code != (int)code || g_strcmp0 (error->message, message) != 0)
    g_error ("YAML %.200s\n  failed with [%d] %s\n  expected   [%d] %s",
             text, error->code, error->message, code, message);
}

static void
test_scalars (void)
{
  static const struct { const char *yaml; const char *json; } cases[] = {
    /* null */
    { "~", "null" }, { "null", "null" }, { "Null", "null" }, { "NULL", "null" },
    { "", "null" }, { "nULL", "\"nULL\"" }, { "a:", "{\"a\":null}" },
    /* booleans, YAML 1.1 as PyYAML: no y/n */
    { "[yes, Yes, YES, no, No, NO]", "[true,true,true,false,false,false]" },
    { "[true, True, TRUE, false, False, FALSE]", "[true,true,true,false,false,false]" },
    { "[on, On, ON, off, Off, OFF]", "[true,true,true,false,false,false]" },
    { "[y, n, yES, tRUE]", "[\"y\",\"n\",\"yES\",\"tRUE\"]" },
    /* integers */
    { "[0, -0, +12, -12, 1_000]", "[0,0,12,-12,1000]" },
    { "[0755, 0x1F, 0xff, 0b101, -0b11, 0_7]", "[493,31,255,5,-3,7]" },
    { "[1:30, -1:30:00, 190:20:30]", "[90,-5400,685230]" },
    { "[09, 0o17, 0x, 0x_, 0b2, 1:60]", "[\"09\",\"0o17\",\"0x\",\"0x_\",\"0b2\",\"1:60\"]" },
    { "[9223372036854775807, -9223372036854775808]", "[9223372036854775807,-9223372036854775808]" },
    /* past 64 bits: a double, as JSON readers do */
    { "[9223372036854775808, 99999999999999999999]", "[9.223372036854776e+18,1e+20]" },
    /* floats: a '.' is needed, and an exponent needs a sign */
    { "[1.5, -1.5, 1., .5, 1_0.5, 1.0e+3, 1.5E-2]", "[1.5,-1.5,1.0,0.5,10.5,1000.0,0.015]" },
    { "[1e3, 1.0e3, -.5, +.5, 1.2.3]", "[\"1e3\",\"1.0e3\",\"-.5\",\"+.5\",\"1.2.3\"]" },
    { "[.inf, -.inf, +.Inf, .INF, .nan, .NaN]", "[inf,-inf,inf,inf,nan,nan]" },
    { "[1:30.5, -0.0]", "[90.5,-0.0]" },
    /* strings */
    { "[2024-01-01, 2024-01-01T10:00:00Z, 1.2.3, abc, a b]",
      "[\"2024-01-01\",\"2024-01-01T10:00:00Z\",\"1.2.3\",\"abc\",\"a b\"]" },
    { "['1', \"true\", 'null', \"\", '']", "[\"1\",\"true\",\"null\",\"\",\"\"]" },
    { "a: |\n  x\n  y\nb: >\n  x\n  y\nc: |-\n  z\n", "{\"a\":\"x\\ny\\n\",\"b\":\"x y\\n\",\"c\":\"z\"}" },
    { "[<<, =, a:b, -x, x#y]", "[\"<<\",\"=\",\"a:b\",\"-x\",\"x#y\"]" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_parses_to (cases[i].yaml, PW_YAML_PARSE_NONE, cases[i].json);
}

static void
test_explicit_tags (void)
{
  assert_parses_to ("[!!str 123, !!str true, !!int '42', !!int 0x10, !!float 1, !!float '1.5']",
                    PW_YAML_PARSE_NONE, "[\"123\",\"true\",42,16,1.0,1.5]");
  assert_parses_to ("[!!bool yes, !!bool 'OFF', !!null x, !!binary aGk=, !!timestamp 2024-01-01]",
                    PW_YAML_PARSE_NONE, "[true,false,null,\"aGk=\",\"2024-01-01\"]");
  assert_parses_to ("a: !!map {b: 1}\nc: !!seq [1]\nd: ! 12\n", PW_YAML_PARSE_NONE,
                    "{\"a\":{\"b\":1},\"c\":[1],\"d\":\"12\"}");
  assert_parses_to ("!<tag:yaml.org,2002:str> 5", PW_YAML_PARSE_NONE, "\"5\"");

  assert_error ("a: !!int abc\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:1:4: 'abc' is not a valid '!!int' value");
  assert_error ("a: !!bool maybe\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:1:4: 'maybe' is not a valid '!!bool' value");
  assert_error ("a: !!float x1\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:1:4: 'x1' is not a valid '!!float' value");
  assert_error ("a: !!map x\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:1:4: the tag '!!map' cannot be used on a scalar");
  assert_error ("a: !!str [1]\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:1:4: the tag '!!str' cannot be used on a list");
  assert_error ("a: !!set {b}\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:1:4: the tag '!!set' cannot be used on a mapping");
  assert_error ("a: !!python/name:os.system x\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:1:4: unsupported YAML tag '!!python/name:os.system'");
}

static void
test_text (void)
{
  /* A byte-order mark, directives, comments, and text beyond the BMP. */
  assert_parses_to ("\xef\xbb\xbf" "a: 1\n", 0, "{\"a\":1}");
  assert_parses_to ("%YAML 1.1\n---\na: 1\n", 0, "{\"a\":1}");
  assert_parses_to ("%YAML 1.2\n--- # the doc\na: 1 # one\n# end\n", 0, "{\"a\":1}");
  assert_parses_to ("name: \"caf\xc3\xa9 \xf0\x9f\x98\x80\"\n\xe6\x97\xa5\xe6\x9c\xac: \xf0\x9f\x9a\x80\n", 0,
                    "{\"name\":\"caf\xc3\xa9 \xf0\x9f\x98\x80\",\"\xe6\x97\xa5\xe6\x9c\xac\":\"\xf0\x9f\x9a\x80\"}");
  assert_parses_to ("a: \"\\U0001F600\\u00e9\\t\"\n", 0, "{\"a\":\"\xf0\x9f\x98\x80\xc3\xa9\\u0009\"}");
  assert_parses_to ("a: 1\r\nb: 2\r\n", 0, "{\"a\":1,\"b\":2}");
  assert_parses_to ("a: 1\n...\n", 0, "{\"a\":1}");
}

static void
test_documents (void)
{
  assert_parses_to ("", 0, "null");
  assert_parses_to ("# only a comment\n\n", 0, "null");
  assert_parses_to ("---\n", 0, "null");
  assert_parses_to ("--- 5\n", 0, "5");

  assert_error ("a: 1\n---\nb: 2\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:2:1: only one YAML document is allowed");
  assert_error ("---\na: 1\n...\n---\nb: 2\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:4:1: only one YAML document is allowed");
}

static void
test_anchors_merge (void)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  JsonObject *first, *second;

  assert_parses_to ("a: &x [1, {b: 2}]\nc: *x\n", 0, "{\"a\":[1,{\"b\":2}],\"c\":[1,{\"b\":2}]}");
  assert_parses_to ("- &s hello\n- *s\n- &n 12\n- *n\n", 0, "[\"hello\",\"hello\",12,12]");

  /* An alias is a copy all the way down: editing one leaves the other. */
  root = parse_ok ("a: &x {b: {c: 1}}\nd: *x\n", 0);
  object = json_node_get_object (root);
  first = json_object_get_object_member (json_object_get_object_member (object, "a"), "b");
  second = json_object_get_object_member (json_object_get_object_member (object, "d"), "b");
  g_assert_true (first != second);
  json_object_set_int_member (second, "c", 2);
  g_assert_cmpint (json_object_get_int_member (first, "c"), ==, 1);

  /* Scalars too: json_node_copy() would share the value. */
  g_clear_pointer (&root, json_node_unref);
  root = parse_ok ("a: &s text\nb: *s\nc: &n 1\nd: *n\n", 0);
  object = json_node_get_object (root);
  json_node_set_string (json_object_get_member (object, "b"), "changed");
  json_node_set_int (json_object_get_member (object, "d"), 2);
  g_assert_cmpstr (json_object_get_string_member (object, "a"), ==, "text");
  g_assert_cmpint (json_object_get_int_member (object, "c"), ==, 1);

  /* Merge keys: explicit keys win wherever they are, earlier sources win
   * over later ones, merged members go where '<<' is. */
  assert_parses_to ("base: &b {x: 1, y: 2}\n"
                    "d:\n  <<: *b\n  y: 3\n  z: 4\n", 0,
                    "{\"base\":{\"x\":1,\"y\":2},\"d\":{\"x\":1,\"y\":3,\"z\":4}}");
  assert_parses_to ("a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2, w: 2}\n"
                    "c:\n  k: 0\n  <<: [*a, *b]\n  w: 3\n", 0,
                    "{\"a\":{\"x\":1,\"y\":1},\"b\":{\"y\":2,\"z\":2,\"w\":2},"
                    "\"c\":{\"k\":0,\"x\":1,\"y\":1,\"z\":2,\"w\":3}}");
  assert_parses_to ("c:\n  <<: {x: 1}\n  y: 2\n", 0, "{\"c\":{\"x\":1,\"y\":2}}");
  assert_parses_to ("a: &a {x: 1}\nc:\n  <<: [*a, {x: 2, y: 2}]\n", 0,
                    "{\"a\":{\"x\":1},\"c\":{\"x\":1,\"y\":2}}");
  /* A quoted "<<" is an ordinary key. */
  assert_parses_to ("\"<<\": 1\n", 0, "{\"<<\":1}");
  /* A merged mapping is itself copied. */
  g_clear_pointer (&root, json_node_unref);
  root = parse_ok ("a: &a {x: {v: 1}}\nc:\n  <<: *a\n", 0);
  object = json_node_get_object (root);
  g_assert_true (json_object_get_object_member (json_object_get_object_member (object, "a"), "x") !=
                 json_object_get_object_member (json_object_get_object_member (object, "c"), "x"));

  assert_error ("a: *nope\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:1:4: undefined alias '*nope' (no anchor '&nope' before this point)");
  assert_error ("a: &a [1, *a]\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:1:11: alias '*a' refers to a node that contains it");
  assert_error ("a:\n  <<: 5\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:2:7: the value of a merge key ('<<') must be a mapping, an alias of one, "
                "or a list of those");
  assert_error ("a:\n  <<: [{x: 1}, [2]]\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:2:16: a list of merge sources ('<<') may only contain mappings");
  assert_error ("s: &s 1\na:\n  <<: *s\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:3:7: the value of a merge key ('<<') must be a mapping, an alias of one, "
                "or a list of those");
  assert_error ("a:\n  <<: {x: 1}\n  <<: {y: 1}\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:3:3: duplicate merge key '<<'; list several sources as '<<: [*a, *b]'");
}

static void
test_billion_laughs (void)
{
  g_autoptr(GString) yaml = g_string_new ("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\","
                                          "\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
  gint64 start = g_get_monotonic_time ();

  for (char c = 'b'; c <= 'i'; c++)
    {
      g_string_append_printf (yaml, "%c: &%c [", c, c);
      for (guint i = 0; i < 10; i++)
        g_string_append_printf (yaml, "%s*%c", i > 0 ? "," : "", c - 1);
      g_string_append (yaml, "]\n");
    }

  /* e's 8th alias of d (11111 nodes each) passes 100000 nodes. */
  assert_error (yaml->str, -1, 0, PW_CORE_ERROR_LIMIT,
                "<input>:5:29: too many alias expansions (the document expands to more than "
                "100000 nodes; is it a 'billion laughs' document?)");
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
}

static void
test_aliases_within_budget (void)
{
  g_autoptr(GString) yaml = g_string_new ("a: &a [");
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  /* 120 copies of a 1001-node list come before most of the text: the count
   * of events so far is too small to allow them, the whole document's is
   * not. */
  for (guint i = 0; i < 1000; i++)
    g_string_append_printf (yaml, "%s%u", i > 0 ? "," : "", i);
  g_string_append (yaml, "]\nb: [");
  for (guint i = 0; i < 120; i++)
    g_string_append_printf (yaml, "%s*a", i > 0 ? "," : "");
  g_string_append (yaml, "]\nc: [");
  for (guint i = 0; i < 20000; i++)
    g_string_append_printf (yaml, "%s%u", i > 0 ? "," : "", i);
  g_string_append (yaml, "]\n");

  root = pw_yaml_parse (yaml->str, yaml->len, NULL, 0, &error);
  g_assert_no_error (error);
  object = json_node_get_object (root);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "b")), ==, 120);
}

static void
test_depth (void)
{
  g_autoptr(GString) ok = g_string_new (NULL);
  g_autoptr(GString) block = g_string_new (NULL);
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autofree char *bomb = NULL;
  g_autoptr(JsonNode) root = NULL;
  gint64 start;

  g_string_append (ok, "a: ");
  for (guint i = 0; i < 255; i++)
    g_string_append_c (ok, '[');
  for (guint i = 0; i < 255; i++)
    g_string_append_c (ok, ']');
  root = parse_ok (ok->str, 0);

  g_string_insert_c (ok, 3, '[');
  g_string_append_c (ok, ']');
  assert_error (ok->str, -1, 0, PW_CORE_ERROR_LIMIT,
                "<input>:1:259: the document is nested more than 256 levels deep");

  for (guint i = 0; i < 300; i++)
    {
      for (guint j = 0; j < i; j++)
        g_string_append_c (block, ' ');
      g_string_append (block, "k:\n");
    }
  assert_error (block->str, -1, 0, PW_CORE_ERROR_LIMIT,
                "<input>:257:257: the document is nested more than 256 levels deep");

  /* An alias counts with the depth of what it copies. */
  g_string_assign (deep, "a: &a ");
  for (guint i = 0; i < 200; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 200; i++)
    g_string_append_c (deep, ']');
  g_string_append (deep, "\nb: ");
  for (guint i = 0; i < 80; i++)
    g_string_append_c (deep, '[');
  g_string_append (deep, "*a");
  for (guint i = 0; i < 80; i++)
    g_string_append_c (deep, ']');
  assert_error (deep->str, -1, 0, PW_CORE_ERROR_LIMIT,
                "<input>:2:84: this alias nests the document more than 256 levels deep");

  /* So do CloudFormation tags, which add an object around their value. */
  g_string_assign (deep, "a: ");
  for (guint i = 0; i < 255; i++)
    g_string_append_c (deep, '[');
  g_string_append (deep, "!Ref x");
  for (guint i = 0; i < 255; i++)
    g_string_append_c (deep, ']');
  assert_error (deep->str, -1, PW_YAML_PARSE_CFN_TAGS, PW_CORE_ERROR_LIMIT,
                "<input>:1:259: the document is nested more than 256 levels deep");

  /* A million '[' fail fast, in bounded memory. */
  bomb = g_strnfill (1000000, '[');
  start = g_get_monotonic_time ();
  assert_error (bomb, -1, 0, PW_CORE_ERROR_LIMIT,
                "<input>:1:257: the document is nested more than 256 levels deep");
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
}

static void
test_size_limit (void)
{
  gsize size = 64 * 1024 * 1024 + 1;
  g_autofree char *big = g_malloc (size);

  memset (big, ' ', size);
  assert_error (big, size, 0, PW_CORE_ERROR_LIMIT,
                "<input>:1:1: the file is 67108865 bytes long, more than the limit of 64 MiB");
}

static void
test_keys (void)
{
  /* Keys are the scalar's text, whatever it would resolve to. */
  assert_parses_to ("on: 1\n1: 2\nnull: 3\n~: 4\n0x10: 5\n'': 6\n", 0,
                    "{\"on\":1,\"1\":2,\"null\":3,\"~\":4,\"0x10\":5,\"\":6}");
  assert_parses_to ("? long key\n: v\n", 0, "{\"long key\":\"v\"}");
  assert_parses_to ("&k key: 1\nother: *k\n", 0, "{\"key\":1,\"other\":\"key\"}");
  assert_parses_to ("a: &v 12\n*v : x\n", 0, "{\"a\":12,\"12\":\"x\"}");
  assert_parses_to ("!!str 1: x\n", 0, "{\"1\":\"x\"}");

  assert_error ("? [a]\n: b\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:1:3: mapping keys must be plain strings, not lists or mappings");
  assert_error ("{[a]: b}\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:1:2: mapping keys must be plain strings, not lists or mappings");
  assert_error ("a: &l [1]\n*l : x\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:2:1: mapping keys must be plain strings, not lists or mappings");
  assert_error ("x: 0\nname: a\nother:\n  name: b\nname: c\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:5:1: duplicate key 'name' (first defined on line 2)");
  assert_error ("a:\n  - {k: 1, k: 2}\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:2:12: duplicate key 'k' (first defined on line 2)");
  assert_error ("on: 1\n'on': 2\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:2:1: duplicate key 'on' (first defined on line 1)");
  assert_error ("!Ref a: 1\n", -1, PW_YAML_PARSE_CFN_TAGS, PW_CORE_ERROR_SYNTAX,
                "<input>:1:1: mapping keys must be plain strings, not CloudFormation functions");
}

static void
test_cfn_tags (void)
{
  g_autoptr(PwSourceMap) map = pw_source_map_new ("template.yaml", NULL);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *node;
  guint line, column;

  assert_parses_to ("a: !Ref Bucket\nb: !Condition IsProd\n", PW_YAML_PARSE_CFN_TAGS,
                    "{\"a\":{\"Ref\":\"Bucket\"},\"b\":{\"Condition\":\"IsProd\"}}");
  assert_parses_to ("a: !GetAtt Bucket.Arn\nb: !GetAtt Res.Out.Value\nc: !GetAtt [Bucket, Arn]\n"
                    "d: !GetAtt Bucket\n", PW_YAML_PARSE_CFN_TAGS,
                    "{\"a\":{\"Fn::GetAtt\":[\"Bucket\",\"Arn\"]},\"b\":{\"Fn::GetAtt\":[\"Res\",\"Out.Value\"]},"
                    "\"c\":{\"Fn::GetAtt\":[\"Bucket\",\"Arn\"]},\"d\":{\"Fn::GetAtt\":[\"Bucket\"]}}");
  assert_parses_to ("a: !Sub 'arn:${AWS::Partition}:s3:::${B}'\n"
                    "b: !Sub\n  - '${X}-1'\n  - X: !Ref Y\n", PW_YAML_PARSE_CFN_TAGS,
                    "{\"a\":{\"Fn::Sub\":\"arn:${AWS::Partition}:s3:::${B}\"},"
                    "\"b\":{\"Fn::Sub\":[\"${X}-1\",{\"X\":{\"Ref\":\"Y\"}}]}}");
  /* Tagged scalars are strings; untagged ones inside a tagged list resolve. */
  assert_parses_to ("a: !Select [0, !GetAZs '']\nb: !Ref 123\nc: !GetAZs\nd: !Equals [true, !Ref P]\n",
                    PW_YAML_PARSE_CFN_TAGS,
                    "{\"a\":{\"Fn::Select\":[0,{\"Fn::GetAZs\":\"\"}]},\"b\":{\"Ref\":\"123\"},"
                    "\"c\":{\"Fn::GetAZs\":\"\"},\"d\":{\"Fn::Equals\":[true,{\"Ref\":\"P\"}]}}");
  assert_parses_to ("a: !If [Prod, !Ref A, !Ref AWS::NoValue]\n"
                    "b: !Join ['', [a, !Ref B]]\n"
                    "c: !Base64 {Fn::Sub: x}\n"
                    "d: !Not [!Equals [a, b]]\n"
                    "e: !And [!Condition A, !Or [!Condition B, !Condition C]]\n"
                    "f: !FindInMap [M, !Ref R, K]\n"
                    "g: !Split [',', !ImportValue Out]\n"
                    "h: !Cidr [!Ref Block, 6, 5]\n"
                    "i: !Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}\n"
                    "j: !Length [1, 2]\n"
                    "k: !ToJsonString {a: 1}\n", PW_YAML_PARSE_CFN_TAGS,
                    "{\"a\":{\"Fn::If\":[\"Prod\",{\"Ref\":\"A\"},{\"Ref\":\"AWS::NoValue\"}]},"
                    "\"b\":{\"Fn::Join\":[\"\",[\"a\",{\"Ref\":\"B\"}]]},"
                    "\"c\":{\"Fn::Base64\":{\"Fn::Sub\":\"x\"}},"
                    "\"d\":{\"Fn::Not\":[{\"Fn::Equals\":[\"a\",\"b\"]}]},"
                    "\"e\":{\"Fn::And\":[{\"Condition\":\"A\"},{\"Fn::Or\":[{\"Condition\":\"B\"},{\"Condition\":\"C\"}]}]},"
                    "\"f\":{\"Fn::FindInMap\":[\"M\",{\"Ref\":\"R\"},\"K\"]},"
                    "\"g\":{\"Fn::Split\":[\",\",{\"Fn::ImportValue\":\"Out\"}]},"
                    "\"h\":{\"Fn::Cidr\":[{\"Ref\":\"Block\"},6,5]},"
                    "\"i\":{\"Fn::Transform\":{\"Name\":\"AWS::Include\",\"Parameters\":{\"Location\":\"s3://b/k\"}}},"
                    "\"j\":{\"Fn::Length\":[1,2]},"
                    "\"k\":{\"Fn::ToJsonString\":{\"a\":1}}}");
  assert_parses_to ("a: &r !Ref X\nb: *r\n", PW_YAML_PARSE_CFN_TAGS,
                    "{\"a\":{\"Ref\":\"X\"},\"b\":{\"Ref\":\"X\"}}");

  /* The intrinsic object sits where its tag is. */
  root = pw_yaml_parse ("Outputs:\n  Arn:\n    Value: !GetAtt Bucket.Arn\n    Name: !Sub\n      - x\n",
                        -1, map, PW_YAML_PARSE_CFN_TAGS, &error);
  g_assert_no_error (error);
  node = json_object_get_member (json_object_get_object_member (json_object_get_object_member (
           json_node_get_object (root), "Outputs"), "Arn"), "Value");
  g_assert_true (pw_source_map_lookup (map, node, &line, &column));
  g_assert_cmpuint (line, ==, 3);
  g_assert_cmpuint (column, ==, 12);
  g_assert_true (pw_source_map_lookup_key (map, node, &line, &column));
  g_assert_cmpuint (line, ==, 3);
  g_assert_cmpuint (column, ==, 5);
  node = json_object_get_member (json_object_get_object_member (json_object_get_object_member (
           json_node_get_object (root), "Outputs"), "Arn"), "Name");
  g_assert_true (pw_source_map_lookup (map, node, &line, &column));
  g_assert_cmpuint (line, ==, 4);
  g_assert_cmpuint (column, ==, 11);

  assert_error ("a: !Ref x\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:1:4: unexpected tag '!Ref'; YAML tags such as '!Ref' are "
                "CloudFormation syntax and are not allowed here");
  assert_error ("a:\n  - !GetAtt [a, b]\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:2:5: unexpected tag '!GetAtt'; YAML tags such as '!Ref' are "
                "CloudFormation syntax and are not allowed here");
  assert_error ("a: !Foo x\n", -1, PW_YAML_PARSE_CFN_TAGS, PW_CORE_ERROR_SYNTAX,
                "<input>:1:4: unknown tag '!Foo'; CloudFormation's short forms are !Ref, "
                "!Condition, !GetAtt, !Sub, !Join and the other Fn:: function names");
  assert_error ("a: !ref x\n", -1, PW_YAML_PARSE_CFN_TAGS, PW_CORE_ERROR_SYNTAX,
                "<input>:1:4: unknown tag '!ref'; CloudFormation's short forms are !Ref, "
                "!Condition, !GetAtt, !Sub, !Join and the other Fn:: function names");
  assert_error ("a:\n  <<: !Ref x\n", -1, PW_YAML_PARSE_CFN_TAGS, PW_CORE_ERROR_SYNTAX,
                "<input>:2:7: the value of a merge key ('<<') must be a mapping, an alias of one, "
                "or a list of those");
}

static void
test_positions (void)
{
  const char *text =
    "\xef\xbb\xbf# comment\n"
    "name: pipeline\n"
    "stages:\n"
    "  - name: Source\n"
    "    actions: []\n"
    "  - caf\xc3\xa9: \"x\"\n"
    "    \xf0\x9f\x98\x80\xf0\x9f\x98\x80: 1\n"
    "list: [a, {b: c}]\n";
  g_autoptr(GBytes) bytes = g_bytes_new_static (text, strlen (text));
  g_autoptr(PwSourceMap) map = pw_source_map_new ("p.yaml", bytes);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  JsonArray *stages, *list;
  JsonObject *second;
  guint line, column;

#define ASSERT_AT(node, l, c) G_STMT_START { \
    g_assert_true (pw_source_map_lookup (map, (node), &line, &column)); \
    g_assert_cmpuint (line, ==, (l)); g_assert_cmpuint (column, ==, (c)); } G_STMT_END
#define ASSERT_KEY_AT(node, l, c) G_STMT_START { \
    g_assert_true (pw_source_map_lookup_key (map, (node), &line, &column)); \
    g_assert_cmpuint (line, ==, (l)); g_assert_cmpuint (column, ==, (c)); } G_STMT_END

  root = pw_yaml_parse (text, -1, map, 0, &error);
  g_assert_no_error (error);
  object = json_node_get_object (root);

  ASSERT_AT (root, 2, 1);
  ASSERT_AT (json_object_get_member (object, "name"), 2, 7);
  ASSERT_KEY_AT (json_object_get_member (object, "name"), 2, 1);
  ASSERT_AT (json_object_get_member (object, "stages"), 4, 3);
  ASSERT_KEY_AT (json_object_get_member (object, "stages"), 3, 1);

  stages = json_object_get_array_member (object, "stages");
  ASSERT_AT (json_array_get_element (stages, 0), 4, 5);
  ASSERT_AT (json_object_get_member (json_array_get_object_element (stages, 0), "name"), 4, 11);
  ASSERT_KEY_AT (json_object_get_member (json_array_get_object_element (stages, 0), "name"), 4, 5);
  ASSERT_AT (json_object_get_member (json_array_get_object_element (stages, 0), "actions"), 5, 14);

  /* Columns count characters, not bytes. */
  second = json_array_get_object_element (stages, 1);
  ASSERT_AT (json_object_get_member (second, "caf\xc3\xa9"), 6, 11);
  ASSERT_KEY_AT (json_object_get_member (second, "caf\xc3\xa9"), 6, 5);
  ASSERT_AT (json_object_get_member (second, "\xf0\x9f\x98\x80\xf0\x9f\x98\x80"), 7, 9);

  list = json_object_get_array_member (object, "list");
  ASSERT_AT (json_object_get_member (object, "list"), 8, 7);
  ASSERT_AT (json_array_get_element (list, 1), 8, 11);
  ASSERT_AT (json_object_get_member (json_array_get_object_element (list, 1), "b"), 8, 15);
  ASSERT_KEY_AT (json_object_get_member (json_array_get_object_element (list, 1), "b"), 8, 12);

  /* An alias's copy sits at the alias; its insides where they were written. */
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&map, pw_source_map_unref);
  map = pw_source_map_new ("p.yaml", NULL);
  root = pw_yaml_parse ("a: &x\n  k: v\nb: *x\n", -1, map, 0, &error);
  g_assert_no_error (error);
  object = json_node_get_object (root);
  ASSERT_AT (json_object_get_member (object, "b"), 3, 4);
  ASSERT_KEY_AT (json_object_get_member (object, "b"), 3, 1);
  ASSERT_AT (json_object_get_member (json_object_get_object_member (object, "b"), "k"), 2, 6);
  ASSERT_KEY_AT (json_object_get_member (json_object_get_object_member (object, "b"), "k"), 2, 3);

  /* The empty document's null is at 1:1. */
  g_clear_pointer (&root, json_node_unref);
  root = pw_yaml_parse ("", 0, map, 0, &error);
  g_assert_no_error (error);
  ASSERT_AT (root, 1, 1);

#undef ASSERT_AT
#undef ASSERT_KEY_AT
}

static void
test_errors_tab (void)
{
  assert_error ("a:\n\tb: 1\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:2:1: found a tab character; tabs cannot indent YAML; use spaces");
  assert_error ("key: value\n\tother: 1\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:2:1: found a tab character that violates indentation; "
                "tabs cannot indent YAML; use spaces");
}

static void
test_errors_syntax (void)
{
  assert_error ("a: 1\n b: 2\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:2:3: mapping values are not allowed in this context; check the indentation "
                "of this line and that there is a space after each ':'; a value that contains ': ' "
                "must be put in quotes");
  assert_error ("command: echo a: b\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:1:16: mapping values are not allowed in this context; check the indentation "
                "of this line and that there is a space after each ':'; a value that contains ': ' "
                "must be put in quotes");
  assert_error ("a:\n  - 1\n - 2\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:3:2: did not find expected key (while parsing a block mapping that starts "
                "on line 1, column 1); check the indentation of this line");
  assert_error ("a: 1\nb\nc: 2\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:2:1: could not find the ':' after this key; a key must be followed by ':' "
                "and a space; check the indentation, or put the text in quotes if it is not a key");
  assert_error ("a: \"abc\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:2:1: found unexpected end of stream (while scanning a quoted scalar that "
                "starts on line 1, column 4); a quoted string is not closed");
  assert_error ("a: [1, 2\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:2:1: did not find expected ',' or ']' (while parsing a flow sequence that "
                "starts on line 1, column 4)");
  assert_error ("a: \"C:\\dir\"\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:1:7: found unknown escape character (while parsing a quoted scalar that "
                "starts on line 1, column 4); in double quotes a backslash starts an escape; "
                "write '\\\\' or use single quotes");
  assert_error ("%YAML 2.0\n---\na: 1\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:1:1: found incompatible YAML document; only YAML 1.1 and 1.2 are supported");
  assert_error ("a: @x\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:1:4: found character '@' that cannot start any token (while scanning for "
                "the next token that starts on line 1, column 4); put the value in quotes");
  assert_error ("a: \"\\0\"\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:1:4: strings cannot contain NUL characters ('\\0')");
}

/* Comments, and what only looks like one. */
static void
test_find_comment (void)
{
  guint line = 0;

  g_assert_true (pw_yaml_find_comment ("# top\na: 1\n", -1, &line));
  g_assert_cmpuint (line, ==, 1);
  g_assert_true (pw_yaml_find_comment ("a: 1\nb: [1, 2]  # trailing\n", -1, &line));
  g_assert_cmpuint (line, ==, 2);
  g_assert_true (pw_yaml_find_comment ("a:\n  # inside a mapping\n  b: 1\n", -1, &line));
  g_assert_cmpuint (line, ==, 2);
  g_assert_true (pw_yaml_find_comment ("a: \"é\" # after UTF-8\r\nb: 1\r\n", -1, &line));
  g_assert_cmpuint (line, ==, 1);
  g_assert_false (pw_yaml_find_comment ("a: \"x # y\"\nb: 'p # q'\nc: a#b\n", -1, NULL));
  g_assert_false (pw_yaml_find_comment ("run: |\n  # shell comment\n  make\nnext: 1\n", -1, NULL));
  g_assert_false (pw_yaml_find_comment ("{\"a\": \"#\"}", -1, NULL));
}

/* A Jinja or cookiecutter template is not YAML yet: the error says so,
 * where its first block is, and gives no advice meant for YAML. */
static void
test_errors_template (void)
{
  assert_error ("pipeline:\n{% if v2 %}\n  pipelineType: V2\n{% endif %}\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:2:1: '{%' starts a Jinja or cookiecutter template block: this is a template, "
                "not YAML yet (read as YAML, line 2 fails: found character '%' that cannot start any "
                "token); render the template first and check what it renders");
  assert_error ("pipeline:\n  name: {{ cookiecutter.name }}\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:2:9: '{{' starts a Jinja or cookiecutter template block: this is a template, "
                "not YAML yet (read as YAML, line 2 fails: mapping keys must be plain strings, not lists "
                "or mappings); render the template first and check what it renders");
  /* A string that holds braces is not to blame for an error elsewhere, nor
   * is CloudFormation's dynamic reference. */
  assert_error ("a: \"{{ fine }}\"\nb: [\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:3:1: did not find expected node content (while parsing a flow node that "
                "starts on line 3, column 1); a value is missing here");
  assert_error ("k: x {{resolve:ssm:p}}: y\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:1:23: mapping values are not allowed in this context; check the indentation "
                "of this line and that there is a space after each ':'; a value that contains ': ' "
                "must be put in quotes");
}

static void
test_errors_encoding (void)
{
  g_autoptr(PwSourceMap) map = pw_source_map_new ("pipeline.yaml", NULL);
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  assert_error ("a: 1\nb: caf\xc3\xa9\xff\n", -1, 0, PW_CORE_ERROR_ENCODING,
                "<input>:2:8: the file is not UTF-8 text (invalid byte 0xFF)");
  assert_error ("\xff\xfe" "a\0:\0", 6, 0, PW_CORE_ERROR_ENCODING,
                "<input>:1:1: the file is not UTF-8 text (invalid byte 0xFF)");
  assert_error ("a: 1\nb: x\0y\n", 11, 0, PW_CORE_ERROR_ENCODING,
                "<input>:2:5: the file contains a NUL byte (is it a binary file?)");
  assert_error ("a: \x07\n", -1, 0, PW_CORE_ERROR_ENCODING,
                "<input>:1:4: control character U+0007 is not allowed in YAML (is it a binary "
                "file?); write it as an escape in a double-quoted string");
  assert_error ("a: \xc2\x80\n", -1, 0, PW_CORE_ERROR_ENCODING,
                "<input>:1:4: control character U+0080 is not allowed in YAML (is it a binary "
                "file?); write it as an escape in a double-quoted string");
  assert_error ("a: 1\n\xef\xbb\xbf" "b: 2\n", -1, 0, PW_CORE_ERROR_SYNTAX,
                "<input>:2:1: a byte-order mark (U+FEFF) is only allowed at the start of the file");

  /* The file name of the map starts every message. */
  node = pw_yaml_parse ("a: [\n", -1, map, 0, &error);
  g_assert_null (node);
  g_assert_error (error, PW_CORE_ERROR, PW_CORE_ERROR_SYNTAX);
  g_assert_true (g_str_has_prefix (error->message, "pipeline.yaml:2:1: "));
}

static void
test_garbage (void)
{
  static const char alphabet[] = "-:[]{},&*!|>'\"%@`?#. \n\t\nab01~<=\\";
  GRand *rand = g_rand_new_with_seed (20260101);

  for (guint i = 0; i < 300; i++)
    {
      guint length = g_rand_int_range (rand, 1, 2048);
      g_autofree char *bytes = g_malloc (length);
      g_autoptr(GError) error = NULL;
      JsonNode *node;

      for (guint j = 0; j < length; j++)
        bytes[j] = (char)g_rand_int_range (rand, 0, 256);
      node = pw_yaml_parse (bytes, length, NULL, PW_YAML_PARSE_CFN_TAGS, &error);
      g_assert_null (node);
      g_assert_nonnull (error);
      g_assert_true (g_str_has_prefix (error->message, "<input>:"));
    }

  /* YAML punctuation soup reaches deeper into the parser. */
  for (guint i = 0; i < 2000; i++)
    {
      guint length = g_rand_int_range (rand, 0, 200);
      g_autofree char *text = g_malloc (length + 1);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;

      for (guint j = 0; j < length; j++)
        text[j] = alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)];
      text[length] = '\0';
      node = pw_yaml_parse (text, length, NULL, i % 2 ? PW_YAML_PARSE_CFN_TAGS : 0, &error);
      g_assert_true ((node == NULL) != (error == NULL));
      if (error != NULL)
        g_assert_true (g_str_has_prefix (error->message, "<input>:"));
    }

  g_rand_free (rand);
}

static void
test_large (void)
{
  g_autoptr(GString) yaml = g_string_new ("pipelines:\n");
  g_autoptr(PwSourceMap) map = pw_source_map_new ("big.yaml", NULL);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *items;
  guint n = 0;

  while (yaml->len < 10 * 1000 * 1000)
    {
      /* Real pipeline files are mostly long strings: scripts, ARNs. */
      g_string_append_printf (yaml,
                              "- name: item-%06u\n"
                              "  index: %u\n"
                              "  enabled: true\n"
                              "  tags: [a, \"b c\"]\n"
                              "  command: >-\n"
                              "    aws s3 cp s3://artifact-bucket-%u/build/output.zip ./output.zip &&\n"
                              "    unzip -o output.zip -d ./site && aws cloudformation deploy\n"
                              "    --template-file ./site/template.yaml --stack-name stack-%u\n"
                              "    --capabilities CAPABILITY_IAM CAPABILITY_NAMED_IAM\n"
                              "    --parameter-overrides Environment=production Version=%u\n"
                              "    --role-arn arn:aws:iam::123456789012:role/deploy-role-%u\n"
                              "    --tags Project=pipewright Owner=platform-team CostCenter=12345\n"
                              "    Service=build Stage=production Repository=example/monorepo\n"
                              "    --notification-arns arn:aws:sns:eu-west-1:123456789012:deploys\n"
                              "    --s3-bucket artifact-bucket-%u --s3-prefix cloudformation/stack\n"
                              "    --no-fail-on-empty-changeset && echo \"deployed stack-%u at\n"
                              "    $(date -u +%%Y-%%m-%%dT%%H:%%M:%%SZ)\" | tee -a deploy.log &&\n"
                              "    aws cloudformation describe-stacks --stack-name stack-%u\n"
                              "    --query 'Stacks[0].Outputs' --output table > outputs.txt\n",
                              n, n, n, n, n, n, n, n, n);
      n++;
    }

  root = pw_yaml_parse (yaml->str, yaml->len, map, 0, &error);
  g_assert_no_error (error);
  items = json_object_get_array_member (json_node_get_object (root), "pipelines");
  g_assert_cmpuint (json_array_get_length (items), ==, n);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (items, n - 1), "index"), ==, n - 1);
  /* root, list, and per item: mapping, 4 scalars, a list of 2 */
  g_assert_cmpuint (pw_source_map_get_size (map), ==, 2 + n * 8);
}

static void
assert_emits (JsonNode        *node,
              PwYamlEmitFlags  flags,
              const char      *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = pw_yaml_emit (node, flags, &error);

  g_assert_no_error (error);
  if (g_strcmp0 (text, expected) != 0)
    g_error ("emitted:\n%s\nexpected:\n%s", text, expected);
}

static JsonNode *
from_json (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = pw_json_parse (json, -1, NULL, &error);

  g_assert_no_error (error);
  return node;
}

static void
test_emit (void)
{
  g_autoptr(JsonNode) tree = from_json ("{\"name\": \"p\", \"count\": 1, \"ratio\": 1.5, \"whole\": 2.0,"
                                        " \"on\": true, \"none\": null, \"quoted\": \"1\", \"e\": {},"
                                        " \"l\": [], \"list\": [\"a\", {\"k\": \"v\", \"k2\": [1]}],"
                                        " \"multi\": \"a\\nb\\n\", \"strip\": \"a\\nb\","
                                        " \"long\": \"" "aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa "
                                        "aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa\","
                                        " \"caf\xc3\xa9\": \"\xe6\x97\xa5\xe6\x9c\xac\", \"big\": 1e300}");
  g_autoptr(JsonNode) scalar = from_json ("\"text\"");

  assert_emits (tree, 0,
                "name: p\n"
                "count: 1\n"
                "ratio: 1.5\n"
                "whole: 2.0\n"
                "\"on\": true\n"
                "none: null\n"
                "quoted: \"1\"\n"
                "e: {}\n"
                "l: []\n"
                "list:\n"
                "- a\n"
                "- k: v\n"
                "  k2:\n"
                "  - 1\n"
                "multi: |\n"
                "  a\n"
                "  b\n"
                "strip: |-\n"
                "  a\n"
                "  b\n"
                "long: aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa "
                "aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa\n"
                "caf\xc3\xa9: \xe6\x97\xa5\xe6\x9c\xac\n"
                "big: 1.0e+300\n");
  assert_emits (scalar, 0, "text\n");
  assert_emits (NULL, 0, "null\n");
}

static void
assert_roundtrip (JsonNode        *tree,
                  PwYamlEmitFlags  emit_flags)
{
  PwYamlParseFlags parse_flags = emit_flags != 0 ? PW_YAML_PARSE_CFN_TAGS : 0;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *again = NULL;
  g_autoptr(JsonNode) back = NULL;
  g_autofree char *want = NULL;
  g_autofree char *got = NULL;

  text = pw_yaml_emit (tree, emit_flags, &error);
  g_assert_no_error (error);
  back = pw_yaml_parse (text, -1, NULL, parse_flags, &error);
  if (error != NULL)
    g_error ("cannot read back\n%s\n: %s", text, error->message);

  want = dump (tree);
  got = dump (back);
  if (g_strcmp0 (want, got) != 0)
    g_error ("round trip changed the tree\n  tree %s\n  yaml\n%s\n  read %s", want, text, got);

  again = pw_yaml_emit (back, emit_flags, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, again);
}

static const char * const tricky_strings[] = {
  "1", "1.0", "-1", "+1", "0x1F", "0o17", "0755", "0b11", "1e3", "1E3", "1.0e3", "1.0e+3", ".5", "-.5",
  "+.5", "1:30", "12:30:00", "1_000", "1.", "09", ".inf", "-.Inf", ".nan", "NaN", "inf",
  "true", "false", "True", "yes", "no", "on", "off", "On", "OFF", "y", "n", "Y", "N",
  "null", "Null", "NULL", "~", "", " ", "  lead", "trail ", " both ",
  "a: b", "a:b", "key:", ":", ": x", ":x", "- x", "-x", "-", "--", "---", "--- x", "...", "...x",
  "#x", "x #y", "x#y", "!tag", "!", "&anchor", "*alias", "|", "|x", ">", "'", "''", "\"", "%x", "@x", "`x",
  "[a]", "{a}", "a,b", "a, b", "[", "}", "?x", "? x", "?", "<<", "=", "==",
  "2024-01-01", "2024-1-1", "2024-01-01T10:00:00Z", "2024-01-01 10:00:00 +01:00", "1.2.3",
  "caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", "\xf0\x9f\x98\x80", "a\xf0\x9f\x98\x80 b",
  "a\tb", "\ta", "a\t", "line1\nline2", "line1\nline2\n", "line1\nline2\n\n", "\nleading",
  "\n", "\n\n", "trailing \nx", "x\n y", "x\n\n y", "  x\ny", "a\r\nb", "a\rb", "\\", "C:\\path\\to",
  "a\xc2\x85" "b", "a\xe2\x80\xa8" "b", "\xc2\xa0nbsp", "\xef\xbb\xbf" "bom", "del\x7f", "bell\x07",
  "echo \"hello\" && exit 1", "${AWS::Region}", "arn:aws:s3:::bucket/*", "s3://bucket/key",
  "https://example.com/a?b=c#d", "a: b\nc: d\n", "- a\n- b\n", "# not a comment\n",
  "x" "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
  "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz long",
};

static JsonNode *
string_value (const char *s)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, s);
  return node;
}

static void
test_roundtrip (void)
{
  static const double doubles[] = {
    0.0, -0.0, 0.1, 1.0, -2.5, 1e20, 1e-7, 3.141592653589793, 1.7976931348623157e308,
    5e-324, 123456789012.5, 1e15, 1e16, 9007199254740993.0,
  };
  static const gint64 ints[] = { 0, -1, 1, 493, G_MAXINT64, G_MININT64, 1234567890123 };
  static const char * const json_trees[] = {
    "{}", "[]", "[[]]", "[{}]", "[[[1]], {\"a\": [{}]}]",
    "{\"a\": {\"b\": [1, {\"c\": null}], \"d\": []}, \"e\": [[\"x\", \"y\"], {}]}",
    "[null, true, false, 0, -0.0, \"\"]",
    "{\"k\": [{\"a\": 1, \"b\": [2, 3]}, {\"c\": {\"d\": {\"e\": \"f\"}}}]}",
  };
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  JsonArray *strings = json_array_new ();
  JsonObject *keys = json_object_new ();
  JsonArray *numbers = json_array_new ();

  json_node_take_object (root, object);

  for (guint i = 0; i < G_N_ELEMENTS (tricky_strings); i++)
    {
      g_autoptr(JsonNode) single = string_value (tricky_strings[i]);
      g_autoptr(JsonNode) in_object = json_node_new (JSON_NODE_OBJECT);
      JsonObject *holder = json_object_new ();

      /* Alone, as the root, as a key and in a list. */
      assert_roundtrip (single, 0);
      json_object_set_string_member (holder, tricky_strings[i], tricky_strings[i]);
      json_node_take_object (in_object, holder);
      assert_roundtrip (in_object, 0);

      json_array_add_string_element (strings, tricky_strings[i]);
      json_object_set_int_member (keys, tricky_strings[i], i);
    }

  for (guint i = 0; i < G_N_ELEMENTS (doubles); i++)
    {
      json_array_add_double_element (numbers, doubles[i]);
      json_array_add_double_element (numbers, -doubles[i]);
    }
  json_array_add_double_element (numbers, INFINITY);
  json_array_add_double_element (numbers, -INFINITY);
  json_array_add_double_element (numbers, NAN);
  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    json_array_add_int_element (numbers, ints[i]);
  json_array_add_boolean_element (numbers, TRUE);
  json_array_add_null_element (numbers);

  json_object_set_array_member (object, "strings", strings);
  json_object_set_object_member (object, "keys", keys);
  json_object_set_array_member (object, "numbers", numbers);
  json_object_set_object_member (object, "zzz-empty", json_object_new ());
  json_object_set_object_member (object, "aaa-after", json_object_new ());

  assert_roundtrip (root, 0);
  assert_roundtrip (root, PW_YAML_EMIT_CFN_SHORT_TAGS);

  for (guint i = 0; i < G_N_ELEMENTS (json_trees); i++)
    {
      g_autoptr(JsonNode) tree = from_json (json_trees[i]);

      assert_roundtrip (tree, 0);
    }
}

static void
test_emit_cfn (void)
{
  static const char * const intrinsics[] = {
    "{\"Ref\": \"Bucket\"}",
    "{\"Ref\": \"123\"}",
    "{\"Ref\": 1}",
    "{\"Ref\": null}",
    "{\"Ref\": \"\"}",
    "{\"Ref\": \"a: b\"}",
    "{\"Ref\": \"multi\\nline\\n\"}",
    "{\"Condition\": \"IsProd\"}",
    "{\"Fn::GetAtt\": [\"Bucket\", \"Arn\"]}",
    "{\"Fn::GetAtt\": [\"Res\", \"Outputs.Value\"]}",
    "{\"Fn::GetAtt\": [\"Res.x\", \"Arn\"]}",
    "{\"Fn::GetAtt\": [\"\", \"Arn\"]}",
    "{\"Fn::GetAtt\": [\"Only\"]}",
    "{\"Fn::GetAtt\": \"Bucket.Arn\"}",
    "{\"Fn::GetAtt\": [\"Bucket\", {\"Ref\": \"Attr\"}]}",
    "{\"Fn::Sub\": \"arn:${AWS::Partition}:s3:::${B}/*\"}",
    "{\"Fn::Sub\": [\"${X}\", {\"X\": {\"Ref\": \"Y\"}}]}",
    "{\"Fn::Join\": [\"\", [\"a\", {\"Ref\": \"B\"}]]}",
    "{\"Fn::If\": [\"C\", {\"Ref\": \"A\"}, {\"Ref\": \"AWS::NoValue\"}]}",
    "{\"Fn::Base64\": {\"Fn::Sub\": \"x\"}}",
    "{\"Fn::Base64\": {\"a\": 1}}",
    "{\"Fn::Select\": [0, {\"Fn::GetAZs\": \"\"}]}",
    "{\"Fn::Transform\": {\"Name\": \"AWS::Include\", \"Parameters\": {}}}",
    "{\"Fn::Equals\": [true, \"true\"]}",
    "{\"Ref\": \"x\", \"Other\": 1}",
    "{\"Fn::Unknown\": \"x\"}",
    "{\"Fn::Sub\": []}",
    "{\"Fn::Sub\": {}}",
  };
  g_autoptr(JsonNode) tree = from_json ("{\"Value\": {\"Fn::GetAtt\": [\"Bucket\", \"Arn\"]},"
                                        " \"Name\": {\"Fn::Sub\": \"${AWS::StackName}-x\"},"
                                        " \"Join\": {\"Fn::Join\": [\",\", [\"a\", {\"Ref\": \"B\"}]]},"
                                        " \"Zones\": {\"Fn::GetAZs\": \"\"},"
                                        " \"Nested\": {\"Fn::Base64\": {\"Fn::Sub\": \"x\"}},"
                                        " \"Pair\": {\"Fn::GetAtt\": [\"A.B\", \"C\"]},"
                                        " \"Number\": {\"Ref\": 5}}");

  assert_emits (tree, PW_YAML_EMIT_CFN_SHORT_TAGS,
                "Value: !GetAtt Bucket.Arn\n"
                "Name: !Sub ${AWS::StackName}-x\n"
                "Join: !Join\n"
                "- \",\"\n"
                "- - a\n"
                "  - !Ref B\n"
                "Zones: !GetAZs \"\"\n"
                "Nested:\n"
                "  Fn::Base64: !Sub x\n"
                "Pair: !GetAtt\n"
                "- A.B\n"
                "- C\n"
                "Number:\n"
                "  Ref: 5\n");
  assert_emits (tree, 0,
                "Value:\n"
                "  Fn::GetAtt:\n"
                "  - Bucket\n"
                "  - Arn\n"
                "Name:\n"
                "  Fn::Sub: ${AWS::StackName}-x\n"
                "Join:\n"
                "  Fn::Join:\n"
                "  - \",\"\n"
                "  - - a\n"
                "    - Ref: B\n"
                "Zones:\n"
                "  Fn::GetAZs: \"\"\n"
                "Nested:\n"
                "  Fn::Base64:\n"
                "    Fn::Sub: x\n"
                "Pair:\n"
                "  Fn::GetAtt:\n"
                "  - A.B\n"
                "  - C\n"
                "Number:\n"
                "  Ref: 5\n");

  for (guint i = 0; i < G_N_ELEMENTS (intrinsics); i++)
    {
      g_autoptr(JsonNode) one = from_json (intrinsics[i]);

      assert_roundtrip (one, PW_YAML_EMIT_CFN_SHORT_TAGS);
      assert_roundtrip (one, 0);
    }
}

static void
test_emit_invalid (void)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  json_node_set_string (node, "bad \xff utf-8");
  text = pw_yaml_emit (node, 0, &error);
  g_assert_null (text);
  g_assert_error (error, PW_CORE_ERROR, PW_CORE_ERROR_ENCODING);
}

/* Inputs that once broke the reader, from development and fuzzing. */
static void
test_regressions (void)
{
  g_autoptr(PwSourceMap) map = pw_source_map_new ("r.yaml", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  guint line, column;

  /* A tagged value, and an alias of one, were each put in the source map
   * twice, and PwSourceMap dropped a reference it never took. */
  root = pw_yaml_parse ("a: !Ref x\nb: &c !GetAtt a.b\nd: *c\ne: &m {k: !Sub s}\nf: *m\n",
                        -1, map, PW_YAML_PARSE_CFN_TAGS, &error);
  g_assert_no_error (error);
  g_assert_true (pw_source_map_lookup (map, json_object_get_member (json_node_get_object (root), "d"),
                                       &line, &column));
  g_assert_cmpuint (line, ==, 3);
  g_assert_cmpuint (column, ==, 4);
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&map, pw_source_map_unref);

  /* Merging a mapping with nested values counted its nodes through
   * json_object_iter_next_ordered() with a NULL name, which json-glib 1.6
   * writes through. */
  assert_parses_to ("a: &a {x: {y: [1, {z: 2}]}}\nb:\n  <<: *a\n", 0,
                    "{\"a\":{\"x\":{\"y\":[1,{\"z\":2}]}},\"b\":{\"x\":{\"y\":[1,{\"z\":2}]}}}");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/yaml/scalars", test_scalars);
  g_test_add_func ("/core/yaml/explicit-tags", test_explicit_tags);
  g_test_add_func ("/core/yaml/text", test_text);
  g_test_add_func ("/core/yaml/documents", test_documents);
  g_test_add_func ("/core/yaml/anchors-merge", test_anchors_merge);
  g_test_add_func ("/core/yaml/billion-laughs", test_billion_laughs);
  g_test_add_func ("/core/yaml/aliases-within-budget", test_aliases_within_budget);
  g_test_add_func ("/core/yaml/depth", test_depth);
  g_test_add_func ("/core/yaml/size-limit", test_size_limit);
  g_test_add_func ("/core/yaml/keys", test_keys);
  g_test_add_func ("/core/yaml/cfn-tags", test_cfn_tags);
  g_test_add_func ("/core/yaml/positions", test_positions);
  g_test_add_func ("/core/yaml/errors/tab", test_errors_tab);
  g_test_add_func ("/core/yaml/errors/syntax", test_errors_syntax);
  g_test_add_func ("/core/yaml/errors/template", test_errors_template);
  g_test_add_func ("/core/yaml/find-comment", test_find_comment);
  g_test_add_func ("/core/yaml/errors/encoding", test_errors_encoding);
  g_test_add_func ("/core/yaml/garbage", test_garbage);
  g_test_add_func ("/core/yaml/large", test_large);
  g_test_add_func ("/core/yaml/emit", test_emit);
  g_test_add_func ("/core/yaml/emit-cfn", test_emit_cfn);
  g_test_add_func ("/core/yaml/emit-invalid", test_emit_invalid);
  g_test_add_func ("/core/yaml/roundtrip", test_roundtrip);
  g_test_add_func ("/core/yaml/regressions", test_regressions);

  return g_test_run ();
}
