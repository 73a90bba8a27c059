/* test-json.c
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

      g_string_append_c (out, '{');
      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &child))
        {
          g_string_append_printf (out, "%s\"%s\":", first ? "" : ",", name);
          first = FALSE;
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

static void
assert_parses_to (const char *text,
                  const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *got = NULL;

  node = pw_json_parse (text, -1, NULL, &error);
  if (error != NULL)
    g_error ("JSON %.200s\n  failed: %s", text, error->message);
  got = dump (node);
  if (g_strcmp0 (got, expected) != 0)
    g_error ("JSON %.200s\n  parsed to %s\n  expected  %s", text, got, expected);
}

static void
assert_error (const char  *text,
              gssize       length,
              PwCoreError  code,
              const char  *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = pw_json_parse (text, length, NULL, &error);
  g_assert_null (node);
  g_assert_nonnull (error);
  if (error->domain != PW_CORE_ERROR || error->code != (int)code || g_strcmp0 (error->message, message) != 0)
    g_error ("JSON %.200s\n  failed with [%d] %s\n  expected   [%d] %s",
             text, error->code, error->message, code, message);
}

static void
test_values (void)
{
  assert_parses_to ("[1, -0, 0, 1.0, -1.5, 1e2, 1E-2, 2.5e+3]", "[1,0,0,1.0,-1.5,100.0,0.01,2500.0]");
  assert_parses_to ("[9223372036854775807, -9223372036854775808]", "[9223372036854775807,-9223372036854775808]");
  /* json-glib wraps these around to negative numbers; we keep them. */
  assert_parses_to ("[9223372036854775808, 99999999999999999999, -99999999999999999999]",
                    "[9.223372036854776e+18,1e+20,-1e+20]");
  assert_parses_to ("[1e400, 0.1]", "[inf,0.1]");
  assert_parses_to ("[999999999999999999, -999999999999999999, 1000000000000000000,"
                    " -1000000000000000000, -0, -0.0, 0e0, 1e-0]",
                    "[999999999999999999,-999999999999999999,1000000000000000000,"
                    "-1000000000000000000,0,-0.0,0.0,1.0]");
  assert_parses_to ("[\"caf\\u00e9 \\ud83d\\ude00\\n\\t\\\"\\\\\\/\\b\\f\\r\"]",
                    "[\"caf\xc3\xa9 \xf0\x9f\x98\x80\\u000a\\u0009\\\"\\\\/\\u0008\\u000c\\u000d\"]");
  assert_parses_to ("[\"caf\xc3\xa9 \xf0\x9f\x98\x80\"]", "[\"caf\xc3\xa9 \xf0\x9f\x98\x80\"]");
  assert_parses_to ("{\"a\": true, \"b\": false, \"c\": null, \"d\": {}, \"e\": []}",
                    "{\"a\":true,\"b\":false,\"c\":null,\"d\":{},\"e\":[]}");
  assert_parses_to ("{\"z\": 1, \"a\": 2, \"m\": 3}", "{\"z\":1,\"a\":2,\"m\":3}");
  assert_parses_to ("\"root\"", "\"root\"");
  assert_parses_to (" \r\n\t42 \n", "42");
  assert_parses_to ("\xef\xbb\xbf{\"a\": 1}", "{\"a\":1}");
  assert_parses_to ("{\"\": \"\"}", "{\"\":\"\"}");
}

static void
test_positions (void)
{
  const char *text =
    "\xef\xbb\xbf{\n"
    "  \"name\": \"pipeline\",\n"
    "  \"caf\xc3\xa9\": [1, 2],\n"
    "  \"\xf0\x9f\x98\x80\": {\"a\": null},\n"
    "  \"s\": \"caf\xc3\xa9\", \"t\": true\n"
    "}\n";
  const char *minified = "{\"a\":[1,{\"b\":\"c\"}],\"d\":true}";
  g_autoptr(GBytes) bytes = g_bytes_new_static (text, strlen (text));
  g_autoptr(PwSourceMap) map = pw_source_map_new ("p.json", bytes);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  JsonArray *array;
  guint line, column;

#define ASSERT_AT(node, l, c) G_STMT_START { \
    g_assert_true (pw_source_map_lookup (map, (node), &line, &column)); \
    g_assert_cmpuint (line, ==, (l)); g_assert_cmpuint (column, ==, (c)); } G_STMT_END
#define ASSERT_KEY_AT(node, l, c) G_STMT_START { \
    g_assert_true (pw_source_map_lookup_key (map, (node), &line, &column)); \
    g_assert_cmpuint (line, ==, (l)); g_assert_cmpuint (column, ==, (c)); } G_STMT_END

  root = pw_json_parse (text, -1, map, &error);
  g_assert_no_error (error);
  object = json_node_get_object (root);

  ASSERT_AT (root, 1, 1);
  g_assert_false (pw_source_map_lookup_key (map, root, NULL, NULL));
  ASSERT_AT (json_object_get_member (object, "name"), 2, 11);
  ASSERT_KEY_AT (json_object_get_member (object, "name"), 2, 3);
  /* Columns count characters, not bytes. */
  ASSERT_AT (json_object_get_member (object, "caf\xc3\xa9"), 3, 11);
  ASSERT_KEY_AT (json_object_get_member (object, "caf\xc3\xa9"), 3, 3);
  array = json_object_get_array_member (object, "caf\xc3\xa9");
  ASSERT_AT (json_array_get_element (array, 0), 3, 12);
  ASSERT_AT (json_array_get_element (array, 1), 3, 15);
  ASSERT_AT (json_object_get_member (object, "\xf0\x9f\x98\x80"), 4, 8);
  ASSERT_AT (json_object_get_member (json_object_get_object_member (object, "\xf0\x9f\x98\x80"), "a"), 4, 14);
  ASSERT_KEY_AT (json_object_get_member (json_object_get_object_member (object, "\xf0\x9f\x98\x80"), "a"), 4, 9);
  ASSERT_AT (json_object_get_member (object, "t"), 5, 21);
  ASSERT_KEY_AT (json_object_get_member (object, "t"), 5, 16);
  g_assert_cmpuint (pw_source_map_get_size (map), ==, 9);

  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&map, pw_source_map_unref);
  map = pw_source_map_new ("min.json", NULL);
  root = pw_json_parse (minified, -1, map, &error);
  g_assert_no_error (error);
  object = json_node_get_object (root);
  array = json_object_get_array_member (object, "a");
  ASSERT_AT (json_object_get_member (object, "a"), 1, 6);
  ASSERT_AT (json_array_get_element (array, 1), 1, 9);
  ASSERT_AT (json_object_get_member (json_array_get_object_element (array, 1), "b"), 1, 14);
  ASSERT_KEY_AT (json_object_get_member (json_array_get_object_element (array, 1), "b"), 1, 10);
  ASSERT_AT (json_object_get_member (object, "d"), 1, 24);
  ASSERT_KEY_AT (json_object_get_member (object, "d"), 1, 20);

  /* Several multibyte characters before a token on one line. */
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&map, pw_source_map_unref);
  map = pw_source_map_new ("utf8.json", NULL);
  root = pw_json_parse ("{\"\xf0\x9f\x98\x80\xc3\xa9\": \"\xc3\xa9\", \"b\": [1, \"\xe4\xb8\xad\", {\"c\": 2}]}",
                        -1, map, &error);
  g_assert_no_error (error);
  object = json_node_get_object (root);
  array = json_object_get_array_member (object, "b");
  ASSERT_AT (json_object_get_member (object, "\xf0\x9f\x98\x80\xc3\xa9"), 1, 8);
  ASSERT_KEY_AT (json_object_get_member (object, "\xf0\x9f\x98\x80\xc3\xa9"), 1, 2);
  ASSERT_AT (json_object_get_member (object, "b"), 1, 18);
  ASSERT_KEY_AT (json_object_get_member (object, "b"), 1, 13);
  ASSERT_AT (json_array_get_element (array, 1), 1, 22);
  ASSERT_AT (json_array_get_element (array, 2), 1, 27);
  ASSERT_AT (json_object_get_member (json_array_get_object_element (array, 2), "c"), 1, 33);
  ASSERT_KEY_AT (json_object_get_member (json_array_get_object_element (array, 2), "c"), 1, 28);

#undef ASSERT_AT
#undef ASSERT_KEY_AT
}

static void
test_duplicate_key (void)
{
  assert_error ("{\n  \"x\": 1,\n  \"y\": {\"x\": 2},\n  \"x\": 3\n}\n", -1, PW_CORE_ERROR_SYNTAX,
                "<input>:4:3: duplicate key 'x' (first defined on line 2)");
  assert_error ("[{\"a\": 1, \"b\": 2, \"a\": 3}]", -1, PW_CORE_ERROR_SYNTAX,
                "<input>:1:19: duplicate key 'a' (first defined on line 1)");
  /* Escapes are compared decoded. */
  assert_error ("{\"\\u0061\": 1, \"a\": 2}", -1, PW_CORE_ERROR_SYNTAX,
                "<input>:1:15: duplicate key 'a' (first defined on line 1)");
  assert_error ("{\"\xc3\xa9\xc3\xa9\": \"x\", \"\\u00e9\\u00e9\": 1}", -1, PW_CORE_ERROR_SYNTAX,
                "<input>:1:13: duplicate key '\xc3\xa9\xc3\xa9' (first defined on line 1)");
  /* The line of the first definition, with a nested object in between. */
  assert_error ("{\n  \"x\": 1,\n  \"y\": {\n    \"p\": 1,\n    \"q\": {\"p\": 0},\n    \"p\": 3\n  }\n}\n", -1,
                PW_CORE_ERROR_SYNTAX, "<input>:6:5: duplicate key 'p' (first defined on line 4)");
  /* Found as soon as the key is read. */
  assert_error ("{\"a\":1, \"a\" 2}", -1, PW_CORE_ERROR_SYNTAX,
                "<input>:1:9: duplicate key 'a' (first defined on line 1)");
  /* json-glib would take minutes over this (it looks up the earlier member
   * of a duplicate in a list); we stop at the first duplicate. */
  {
    g_autoptr(GString) json = g_string_new ("{");
    gint64 start;

    for (guint i = 0; i < 40000; i++)
      g_string_append_printf (json, "\"k%u\": 1, ", i);
    for (guint i = 0; i < 40000; i++)
      g_string_append (json, "\"k39999\": 1, ");
    g_string_append (json, "\"end\": 0}");
    start = g_get_monotonic_time ();
    assert_error (json->str, json->len, PW_CORE_ERROR_SYNTAX,
                  "<input>:1:508892: duplicate key 'k39999' (first defined on line 1)");
    g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  }

  /* Keys of sibling objects do not clash. */
  assert_parses_to ("[{\"a\": 1}, {\"a\": 2}, {\"b\": {\"a\": 3}}]",
                    "[{\"a\":1},{\"a\":2},{\"b\":{\"a\":3}}]");
}

static void
test_depth_bomb (void)
{
  g_autofree char *bomb = g_strnfill (1000000, '[');
  g_autoptr(GString) ok = g_string_new (NULL);
  g_autoptr(GString) objects = g_string_new (NULL);
  gint64 start = g_get_monotonic_time ();

  assert_error (bomb, -1, PW_CORE_ERROR_LIMIT,
                "<input>:1:257: the document is nested more than 256 levels deep");
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);

  for (guint i = 0; i < 256; i++)
    g_string_append_c (ok, '[');
  for (guint i = 0; i < 256; i++)
    g_string_append_c (ok, ']');
  assert_error (ok->str + 1, ok->len - 1, PW_CORE_ERROR_SYNTAX,
                "<input>:1:511: unexpected ']' after the end of the document; a JSON file holds a single value");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = pw_json_parse (ok->str, ok->len, NULL, &error);

    /* 256 levels are fine. */
    g_assert_no_error (error);
    g_assert_nonnull (node);
  }

  for (guint i = 0; i < 300; i++)
    g_string_append (objects, "{\"a\":\n");
  assert_error (objects->str, -1, PW_CORE_ERROR_LIMIT,
                "<input>:257:1: the document is nested more than 256 levels deep");
}

static void
test_invalid_utf8 (void)
{
  assert_error ("{\"a\": \"caf\xc3\xa9\xff\"}", -1, PW_CORE_ERROR_ENCODING,
                "<input>:1:12: the file is not UTF-8 text (invalid byte 0xFF)");
  assert_error ("[\n\"\xc3\"]", -1, PW_CORE_ERROR_ENCODING,
                "<input>:2:2: the file is not UTF-8 text (invalid byte 0xC3)");
  assert_error ("\xff\xfe[\0]\0", 6, PW_CORE_ERROR_ENCODING,
                "<input>:1:1: the file is not UTF-8 text (invalid byte 0xFF)");
  assert_error ("[1,\0 2]", 7, PW_CORE_ERROR_ENCODING,
                "<input>:1:4: the file contains a NUL byte (is it a binary file?)");
  assert_error ("[\"ok\", \"a\0b\"]", 13, PW_CORE_ERROR_ENCODING,
                "<input>:1:10: the file contains a NUL byte (is it a binary file?)");
  assert_error ("{\"\xc3\xa9\xff\": 1}", -1, PW_CORE_ERROR_ENCODING,
                "<input>:1:4: the file is not UTF-8 text (invalid byte 0xFF)");
  assert_error ("[\"\xc3\xa9\", \"\xf0\x9f\x98\"]", -1, PW_CORE_ERROR_ENCODING,
                "<input>:1:8: the file is not UTF-8 text (invalid byte 0xF0)");
  /* Even after a syntax error. */
  assert_error ("[1,, \"\xff\"]", -1, PW_CORE_ERROR_ENCODING,
                "<input>:1:7: the file is not UTF-8 text (invalid byte 0xFF)");
  assert_error ("{\"a\": 1}} \"\xc3\"", -1, PW_CORE_ERROR_ENCODING,
                "<input>:1:12: the file is not UTF-8 text (invalid byte 0xC3)");
}

static void
test_errors (void)
{
  static const struct { const char *json; const char *message; } cases[] = {
    { "", "<input>:1:1: the document is empty" },
    { " \n ", "<input>:2:2: the document is empty" },
    /* What json-glib 1.6 itself would accept. */
    { "/* c */ [1]", "<input>:1:1: comments are not allowed in JSON" },
    { "[1] // c", "<input>:1:5: comments are not allowed in JSON" },
    { "[1,\n # c\n 2]", "<input>:2:2: comments are not allowed in JSON" },
    { "{'a': 1}", "<input>:1:2: JSON strings use double quotes, not single quotes" },
    { "['a']", "<input>:1:2: JSON strings use double quotes, not single quotes" },
    { "var x = [1]", "<input>:1:1: a JSON file holds a value, not a JavaScript statement" },
    { "[0x1F]", "<input>:1:2: hexadecimal numbers are not allowed in JSON" },
    { "[.5]", "<input>:1:2: numbers need a digit before the '.'" },
    { "[1.]", "<input>:1:3: a digit must follow the '.' of a number" },
    { "[01]", "<input>:1:2: numbers cannot have leading zeros" },
    { "[- 1]", "<input>:1:2: '-' must be followed by a digit" },
    { "[+1]", "<input>:1:2: numbers cannot start with '+'" },
    { "[1e]", "<input>:1:3: the exponent of a number needs digits" },
    { "[\"\\x41\"]", "<input>:1:3: invalid escape '\\' followed by 'x'; write a backslash as '\\\\'" },
    { "[\"a\tb\"]", "<input>:1:4: control character U+0009 must be escaped in a JSON string (\\t)" },
    { "[\"a\x01\"]", "<input>:1:4: control character U+0001 must be escaped in a JSON string (\\u00XX)" },
    { "[\"abc\n\"]", "<input>:1:6: the string is not closed at the end of the line; close it with "
                     "'\"', or write a line break inside a string as \\n" },
    { "[1] [2]", "<input>:1:5: unexpected '[' after the end of the document; a JSON file holds a single value" },
    { "{\"a\": 1}}", "<input>:1:9: unexpected '}' after the end of the document; a JSON file holds a single value" },
    /* The usual mistakes. */
    { "[1, 2,]", "<input>:1:6: trailing comma before ']'; JSON does not allow one" },
    { "{\"a\": 1,\n}", "<input>:1:8: trailing comma before '}'; JSON does not allow one" },
    { "{\n  \"a\": 1\n  \"b\": 2\n}", "<input>:3:3: expected ',' or '}' before this value; is a ',' "
                                    "missing at the end of line 2?" },
    { "[1 2]", "<input>:1:4: expected ',' or ']' before this value; is a ',' missing?" },
    { "{a: 1}", "<input>:1:2: object keys must be strings in double quotes" },
    { "{\"a\" 1}", "<input>:1:6: expected ':' after the key, found '1'" },
    { "{\"a\":}", "<input>:1:6: expected a value, found '}'" },
    { "[,1]", "<input>:1:2: expected a value, found ','" },
    { "[1,,2]", "<input>:1:4: expected a value, found ','" },
    { "[1}", "<input>:1:3: expected ',' or ']', found '}'; the array opened on line 1, column 1 is not closed" },
    { "{\"a\": [1, 2}", "<input>:1:12: expected ',' or ']', found '}'; the array opened on line 1, column 7 is not closed" },
    { "[True]", "<input>:1:2: unexpected 'True'; JSON's literals are lowercase: true, false and null" },
    { "[None]", "<input>:1:2: unexpected 'None'; JSON's literals are lowercase: true, false and null" },
    { "[NaN]", "<input>:1:2: NaN and Infinity are not valid JSON numbers" },
    { "[-Infinity]", "<input>:1:2: NaN and Infinity are not valid JSON numbers" },
    { "[nul]", "<input>:1:2: unexpected word 'nul'; strings must be in double quotes" },
    { "[hello]", "<input>:1:2: unexpected word 'hello'; strings must be in double quotes" },
    { "[\"abc", "<input>:1:2: this string is not closed (a '\"' is missing)" },
    { "{\"a\": [1,\n 2", "<input>:2:3: unexpected end of the file; the array opened on line 1, column 7 is not closed" },
    { "{\"a\"", "<input>:1:5: unexpected end of the file; the object opened on line 1, column 1 is not closed" },
    { "{", "<input>:1:2: unexpected end of the file; the object opened on line 1, column 1 is not closed" },
    { "[\"\\u00\"]", "<input>:1:3: invalid escape: '\\u' needs four hexadecimal digits" },
    { "[\"\\u0000\"]", "<input>:1:3: '\\u0000' (NUL) is not supported in strings" },
    { "[\"\\ud83d\"]", "<input>:1:3: invalid escape: a high surrogate ('\\uD83D') must be followed by a low one" },
    { "[\"\\ude00\"]", "<input>:1:3: invalid escape: a low surrogate ('\\uDE00') without a high one" },
    { "[\x7f]", "<input>:1:2: expected a value, found control character U+007F" },
    { "[caf\xc3\xa9]", "<input>:1:2: unexpected word 'caf'; strings must be in double quotes" },
    { "[\xc3\xa9]", "<input>:1:2: expected a value, found '\xc3\xa9'" },
    { "\xc3\xa9\xc3\xa9 [", "<input>:1:1: expected a value, found '\xc3\xa9'" },
    { "[1, \xc3\xa9]", "<input>:1:5: expected a value, found '\xc3\xa9'" },
    /* Columns count characters, also where a message points back into a string. */
    { "[\"\xc3\xa9\", \"\xc3\xa9\xc3\xa9", "<input>:1:7: this string is not closed (a '\"' is missing)" },
    { "[\"\xc3\xa9\xc3\xa9\t\"]", "<input>:1:5: control character U+0009 must be escaped in a JSON string (\\t)" },
    { "[\"a\xc3\xa9\\q\"]", "<input>:1:5: invalid escape '\\' followed by 'q'; write a backslash as '\\\\'" },
    { "[\"\xe2\x82\xac\xe2\x82\xac\", tru]", "<input>:1:8: unexpected word 'tru'; strings must be in double quotes" },
    { "[\"\xc3\xa9\" 1]", "<input>:1:6: expected ',' or ']' before this value; is a ',' missing?" },
    { "\"\xc3\xa9\xc3\xa9\"  \xc3\xa9", "<input>:1:7: unexpected '\xc3\xa9' after the end of the document; a JSON file holds a single value" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_error (cases[i].json, -1, PW_CORE_ERROR_SYNTAX, cases[i].message);
}

static void
test_filename (void)
{
  g_autoptr(PwSourceMap) map = pw_source_map_new ("pipeline.json", NULL);
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  node = pw_json_parse ("{\n  \"a\": 1,\n}", -1, map, &error);
  g_assert_null (node);
  g_assert_error (error, PW_CORE_ERROR, PW_CORE_ERROR_SYNTAX);
  g_assert_cmpstr (error->message, ==, "pipeline.json:2:9: trailing comma before '}'; JSON does not allow one");
}

static void
test_size_limit (void)
{
  gsize size = 64 * 1024 * 1024 + 1;
  g_autofree char *big = g_malloc (size);

  memset (big, ' ', size);
  assert_error (big, size, PW_CORE_ERROR_LIMIT,
                "<input>:1:1: the file is 67108865 bytes long, more than the limit of 64 MiB");
}

static void
test_garbage (void)
{
  static const char alphabet[] = "{}[],:\"\\ \n0123456789-+.eEtrufalsn/*'x";
  GRand *rand = g_rand_new_with_seed (20260101);

  for (guint i = 0; i < 300; i++)
    {
      guint length = g_rand_int_range (rand, 1, 2048);
      g_autofree char *bytes = g_malloc (length);
      g_autoptr(GError) error = NULL;
      JsonNode *node;

      for (guint j = 0; j < length; j++)
        bytes[j] = (char)g_rand_int_range (rand, 0, 256);
      node = pw_json_parse (bytes, length, NULL, &error);
      g_assert_null (node);
      g_assert_nonnull (error);
      g_assert_true (g_str_has_prefix (error->message, "<input>:"));
    }

  for (guint i = 0; i < 3000; i++)
    {
      guint length = g_rand_int_range (rand, 0, 64);
      g_autofree char *text = g_malloc (length + 1);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;

      for (guint j = 0; j < length; j++)
        text[j] = alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)];
      text[length] = '\0';
      node = pw_json_parse (text, length, NULL, &error);
      g_assert_true ((node == NULL) != (error == NULL));
      if (error != NULL)
        g_assert_true (g_str_has_prefix (error->message, "<input>:"));
    }

  g_rand_free (rand);
}

static void
test_large (void)
{
  g_autoptr(GString) json = g_string_new ("{\"pipelines\": [\n");
  g_autoptr(PwSourceMap) map = pw_source_map_new ("big.json", NULL);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *items;
  guint n = 0;

  while (json->len < 10 * 1000 * 1000)
    {
      g_string_append_printf (json,
                              "%s  {\"name\": \"item-%06u\", \"index\": %u, \"enabled\": true,"
                              " \"tags\": [\"a\", \"b c\"], \"command\": \"aws s3 cp"
                              " s3://artifact-bucket-%u/build/output.zip ./output.zip && unzip -o"
                              " output.zip -d ./site && aws cloudformation deploy --template-file"
                              " ./site/template.yaml --stack-name stack-%u --capabilities"
                              " CAPABILITY_IAM CAPABILITY_NAMED_IAM --parameter-overrides"
                              " Environment=production Version=%u --role-arn"
                              " arn:aws:iam::123456789012:role/deploy-role-%u --tags"
                              " Project=pipewright Owner=platform-team CostCenter=12345"
                              " Service=build Stage=production Repository=example/monorepo"
                              " --notification-arns arn:aws:sns:eu-west-1:123456789012:deploys"
                              " --s3-bucket artifact-bucket-%u --s3-prefix cloudformation/stack"
                              " --no-fail-on-empty-changeset && echo \\\"deployed stack-%u at"
                              " $(date -u +%%Y-%%m-%%dT%%H:%%M:%%SZ)\\\" | tee -a deploy.log &&"
                              " aws cloudformation describe-stacks --stack-name stack-%u"
                              " --query 'Stacks[0].Outputs' --output table > outputs.txt\"}",
                              n > 0 ? ",\n" : "", n, n, n, n, n, n, n, n, n);
      n++;
    }
  g_string_append (json, "\n]}\n");

  root = pw_json_parse (json->str, json->len, map, &error);
  g_assert_no_error (error);
  items = json_object_get_array_member (json_node_get_object (root), "pipelines");
  g_assert_cmpuint (json_array_get_length (items), ==, n);
  /* root, list, and per item: object, 4 scalars, a list of 2 */
  g_assert_cmpuint (pw_source_map_get_size (map), ==, 2 + n * 8);
}

static void
test_emit (void)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  JsonArray *array = json_array_new ();
  g_autofree char *text = NULL;

  json_node_take_object (root, object);
  json_object_set_string_member (object, "z", "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\" \\ / \t\n\x01");
  json_object_set_int_member (object, "a", -42);
  json_array_add_double_element (array, 0.1);
  json_array_add_double_element (array, 1.0);
  json_array_add_double_element (array, 1e20);
  json_array_add_double_element (array, -2.5e-7);
  json_array_add_double_element (array, INFINITY);
  json_array_add_double_element (array, NAN);
  json_array_add_boolean_element (array, FALSE);
  json_array_add_null_element (array);
  json_array_add_object_element (array, json_object_new ());
  json_array_add_array_element (array, json_array_new ());
  json_object_set_array_member (object, "list", array);
  json_object_set_object_member (object, "empty", json_object_new ());

  text = pw_json_emit (root);
  g_assert_cmpstr (text, ==,
                   "{\n"
                   "  \"z\": \"caf\xc3\xa9 \xf0\x9f\x98\x80 \\\"q\\\" \\\\ / \\t\\n\\u0001\",\n"
                   "  \"a\": -42,\n"
                   "  \"list\": [\n"
                   "    0.1,\n"
                   "    1.0,\n"
                   "    1e+20,\n"
                   "    -2.5e-07,\n"
                   "    null,\n"
                   "    null,\n"
                   "    false,\n"
                   "    null,\n"
                   "    {},\n"
                   "    []\n"
                   "  ],\n"
                   "  \"empty\": {}\n"
                   "}\n");
  g_clear_pointer (&text, g_free);

  text = pw_json_emit (NULL);
  g_assert_cmpstr (text, ==, "null\n");
}

static void
test_roundtrip (void)
{
  static const char * const documents[] = {
    "{\"name\": \"p\", \"list\": [1, 2.5, -0.0, 1e+20, 0.1, 9223372036854775807, -9223372036854775808],"
    " \"nested\": {\"a\": {\"b\": [[], {}, [{}]]}}, \"t\": true, \"f\": false, \"n\": null,"
    " \"s\": [\"\", \" \", \"caf\xc3\xa9\", \"\xf0\x9f\x98\x80\", \"a\\nb\", \"\\u0001\\u001f\", \"\\\"\\\\\","
    " \"\\u2028\"], \"z\": 1, \"a\": 2, \"1\": 3}",
    "[]", "{}", "\"s\"", "0", "-1.5", "null", "true",
  };

  for (guint i = 0; i < G_N_ELEMENTS (documents); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) tree = pw_json_parse (documents[i], -1, NULL, &error);
      g_autoptr(JsonNode) back = NULL;
      g_autofree char *text = NULL;
      g_autofree char *want = NULL;
      g_autofree char *got = NULL;

      g_assert_no_error (error);
      text = pw_json_emit (tree);
      back = pw_json_parse (text, -1, NULL, &error);
      g_assert_no_error (error);
      want = dump (tree);
      got = dump (back);
      g_assert_cmpstr (want, ==, got);
    }
}

/* Nodes know their parents, as with json-glib's own parser. */
static void
test_parents (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = pw_json_parse ("{\"a\": [1, {\"b\": \"x\"}], \"c\": null}", -1, NULL, &error);
  JsonObject *object;
  JsonNode *a, *element;

  g_assert_no_error (error);
  g_assert_null (json_node_get_parent (root));
  object = json_node_get_object (root);
  a = json_object_get_member (object, "a");
  g_assert_true (json_node_get_parent (a) == root);
  g_assert_true (json_node_get_parent (json_object_get_member (object, "c")) == root);
  g_assert_true (json_node_get_parent (json_array_get_element (json_node_get_array (a), 0)) == a);
  element = json_array_get_element (json_node_get_array (a), 1);
  g_assert_true (json_node_get_parent (element) == a);
  g_assert_true (json_node_get_parent (json_object_get_member (json_node_get_object (element), "b")) == element);
}

/* Inputs that once broke the reader, from development and fuzzing. */
static void
test_regressions (void)
{
  /* json-glib 1.6 wraps integers past 64 bits around to negative ones. */
  assert_parses_to ("{\"n\": 18446744073709551617}", "{\"n\":1.8446744073709552e+19}");

  /* json-glib 1.6 takes these, which are not JSON. */
  assert_error ("[1] [2]", -1, PW_CORE_ERROR_SYNTAX,
                "<input>:1:5: unexpected '[' after the end of the document; a JSON file holds a single value");
  assert_error ("[\"\\q\"]", -1, PW_CORE_ERROR_SYNTAX,
                "<input>:1:3: invalid escape '\\' followed by 'q'; write a backslash as '\\\\'");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/json/values", test_values);
  g_test_add_func ("/core/json/positions", test_positions);
  g_test_add_func ("/core/json/duplicate-key", test_duplicate_key);
  g_test_add_func ("/core/json/depth-bomb", test_depth_bomb);
  g_test_add_func ("/core/json/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/core/json/errors", test_errors);
  g_test_add_func ("/core/json/filename", test_filename);
  g_test_add_func ("/core/json/size-limit", test_size_limit);
  g_test_add_func ("/core/json/garbage", test_garbage);
  g_test_add_func ("/core/json/large", test_large);
  g_test_add_func ("/core/json/emit", test_emit);
  g_test_add_func ("/core/json/roundtrip", test_roundtrip);
  g_test_add_func ("/core/json/parents", test_parents);
  g_test_add_func ("/core/json/regressions", test_regressions);

  return g_test_run ();
}
