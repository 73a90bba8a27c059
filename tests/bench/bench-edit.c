/* bench-edit.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Times one edit on the stress pipeline (../shared/bench/gen-pipeline.py
 * --workload validate: 50 stages, 2,451 actions), as the app makes it:
 *   step      pw_editor_*: the text edits, applying them, reading the
 *             text again and checking it reads as it should
 *   model     pw_document_dup_pipeline() on the new document
 *   validate  pw_pipeline_validate() on that model
 *   total     the three: what stands between a drop on the canvas and the
 *             views showing its result (less the app's own relayout)
 * for a rename, a move of an action between stages and a new action, in the
 * JSON the generator writes and in YAML (block style, `- ` indented, with
 * comments, as people write it). Prints `name: value unit` lines like
 * bench-core. */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <pw-core.h>

#define RUNS 31

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y ? 1 : 0;
}

static void
figure (const char *workload,
        const char *edit,
        const char *name,
        GArray     *samples)
{
  g_array_sort (samples, compare_double);
  printf ("edit.%s.%s.%s_median: %.3f ms (min %.3f, max %.3f)\n", workload, edit, name,
          g_array_index (samples, double, samples->len / 2),
          g_array_index (samples, double, 0),
          g_array_index (samples, double, samples->len - 1));
}

static char *
generate (const char *shared,
          const char *dir)
{
  g_autofree char *gen = g_build_filename (shared, "bench", "gen-pipeline.py", NULL);
  g_autofree char *out = g_build_filename (dir, "stress", NULL);
  const char *argv[] = { "python3", gen, out, "--workload", "validate", NULL };
  g_autoptr(GError) error = NULL;
  int status;

  if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_error ("gen-pipeline.py failed: %s", error->message);

  return g_build_filename (out, "pipeline.json", NULL);
}

/* The pipeline as people write YAML: `- ` under its key, a comment above
 * each stage. */
static char *
to_yaml (const char *json,
         gsize       length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwDocument) document = pw_document_load_data (json, length, "pipeline.json", &error);
  g_autoptr(PwPipeline) pipeline = NULL;
  g_autofree char *flat = NULL;
  g_auto(GStrv) lines = NULL;
  GString *out = g_string_new ("# The stress pipeline: 50 stages of 50 actions\n");
  g_autoptr(GArray) dashes = g_array_new (FALSE, FALSE, sizeof (guint));

  if (document == NULL || (pipeline = pw_document_dup_pipeline (document, NULL, &error)) == NULL ||
      (flat = pw_pipeline_serialize (pipeline, PW_OUTPUT_YAML, NULL, &error)) == NULL)
    g_error ("%s", error->message);

  /* pw_yaml_emit() writes lists at their key's column; indent them, and
   * what they hold, by two. */
  lines = g_strsplit (flat, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      guint col = strspn (line, " ");
      guint shift;

      if (line[0] == '\0')
        continue;
      while (dashes->len > 0 && (col < g_array_index (dashes, guint, dashes->len - 1) ||
                                 (col == g_array_index (dashes, guint, dashes->len - 1) && line[col] != '-')))
        g_array_set_size (dashes, dashes->len - 1);
      if (line[col] == '-' && (dashes->len == 0 || g_array_index (dashes, guint, dashes->len - 1) != col))
        g_array_append_val (dashes, col);
      shift = 2 * dashes->len;
      if (g_str_has_prefix (line + col, "- name: ") && col == 2 && strstr (lines[i + 1], "actions:") != NULL)
        g_string_append_printf (out, "%*s# Stage %s\n", col + shift, "", line + col + 8);
      g_string_append_printf (out, "%*s%s\n", shift, "", line);
    }

  return g_string_free (out, FALSE);
}

typedef gboolean (*Edit) (PwEditor *editor,
                          guint     run,
                          GError  **error);

static gboolean
edit_rename (PwEditor *editor,
             guint     run,
             GError  **error)
{
  g_autoptr(JsonNode) value = json_node_init_string (json_node_alloc (), run % 2 ? "renamed" : "again");

  return pw_editor_set (editor, "stages[25].actions[25].name", value, error);
}

static gboolean
edit_move (PwEditor *editor,
           guint     run,
           GError  **error)
{
  /* Back and forth between two stages. */
  if (run % 2 == 0)
    return pw_editor_move_action (editor, 25, 49, 26, -1, 10, FALSE, error);
  return pw_editor_move_action (editor, 26, 50, 25, -1, 10, FALSE, error);
}

static gboolean
edit_add (PwEditor *editor,
          guint     run,
          GError  **error)
{
  g_autofree char *name = g_strdup_printf ("added-%u", run);
  g_autoptr(JsonNode) action = json_node_init_object (json_node_alloc (), json_object_new ());
  JsonObject *object = json_node_get_object (action);
  JsonObject *type = json_object_new ();

  json_object_unref (object);
  json_object_set_string_member (object, "name", name);
  json_object_set_string_member (type, "category", "Test");
  json_object_set_string_member (type, "owner", "AWS");
  json_object_set_string_member (type, "provider", "CodeBuild");
  json_object_set_string_member (type, "version", "1");
  json_object_set_object_member (object, "actionTypeId", type);
  json_object_set_int_member (object, "runOrder", 11);

  return pw_editor_add_action (editor, 40, -1, action, FALSE, error);
}

static void
bench (const char *workload,
       const char *text,
       gsize       length,
       const char *filename)
{
  static const struct { const char *name; Edit edit; } edits[] = {
    { "rename", edit_rename },
    { "move_action", edit_move },
    { "add_action", edit_add },
  };
  g_autoptr(GError) error = NULL;

  for (guint e = 0; e < G_N_ELEMENTS (edits); e++)
    {
      g_autoptr(PwDocument) document = pw_document_load_data (text, length, filename, &error);
      g_autoptr(PwEditor) editor = NULL;
      g_autoptr(GArray) step = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) model = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) validate = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) total = g_array_new (FALSE, FALSE, sizeof (double));
      gint64 start;
      double d;

      if (document == NULL)
        g_error ("%s", error->message);

      start = g_get_monotonic_time ();
      editor = pw_editor_new (document, NULL, &error);
      if (editor == NULL)
        g_error ("%s", error->message);
      if (e == 0)
        printf ("edit.%s.editor_new: %.3f ms\n", workload, (g_get_monotonic_time () - start) / 1000.0);

      for (guint run = 0; run < RUNS + 1; run++)
        {
          g_autoptr(PwPipeline) pipeline = NULL;
          g_autoptr(GPtrArray) found = NULL;
          gint64 t0, t1, t2, t3;

          t0 = g_get_monotonic_time ();
          if (!edits[e].edit (editor, run, &error))
            g_error ("%s: %s", edits[e].name, error->message);
          t1 = g_get_monotonic_time ();
          pipeline = pw_document_dup_pipeline (pw_editor_get_document (editor), NULL, &error);
          if (pipeline == NULL)
            g_error ("%s", error->message);
          t2 = g_get_monotonic_time ();
          found = pw_pipeline_validate (pipeline);
          t3 = g_get_monotonic_time ();

          if (run == 0)
            continue;   /* warm-up */
          d = (t1 - t0) / 1000.0; g_array_append_val (step, d);
          d = (t2 - t1) / 1000.0; g_array_append_val (model, d);
          d = (t3 - t2) / 1000.0; g_array_append_val (validate, d);
          d = (t3 - t0) / 1000.0; g_array_append_val (total, d);
        }

      figure (workload, edits[e].name, "step", step);
      figure (workload, edits[e].name, "model", model);
      figure (workload, edits[e].name, "validate", validate);
      figure (workload, edits[e].name, "total", total);
    }
}

int
main (int    argc,
      char **argv)
{
  const char *shared = g_getenv ("PW_SHARED_DIR");
  g_autofree char *dir = NULL;
  g_autofree char *json_path = NULL;
  g_autofree char *json = NULL;
  g_autofree char *yaml = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  if (shared == NULL)
    g_error ("PW_SHARED_DIR is not set");

  dir = g_dir_make_tmp ("pipewright-bench-edit-XXXXXX", &error);
  if (dir == NULL)
    g_error ("%s", error->message);

  json_path = generate (shared, dir);
  if (!g_file_get_contents (json_path, &json, &length, &error))
    g_error ("%s", error->message);
  yaml = to_yaml (json, length);

  printf ("edit.stress.json_size: %" G_GSIZE_FORMAT " B\n", length);
  printf ("edit.stress.yaml_size: %" G_GSIZE_FORMAT " B\n", strlen (yaml));

  bench ("stress_yaml", yaml, strlen (yaml), "pipeline.yml");
  bench ("stress_json", json, length, "pipeline.json");

  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);

    if (system (cmd) != 0)
      g_warning ("could not remove %s", dir);
  }

  return 0;
}
