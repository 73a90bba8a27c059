/* pw-graph.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-graph"

#include "config.h"

#include "pw-core-private.h"

static void
append_quoted (GString    *out,
               const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text != NULL ? text : ""; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      if (*p == '\n')
        g_string_append (out, "\\n");
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static const char *
or_unknown (const char *s)
{
  return s != NULL ? s : "?";
}

/**
 * pw_pipeline_to_dot:
 *
 * Draws the pipeline as a Graphviz digraph, left to right: one cluster per
 * stage, one nested cluster per action group (runOrder), one node per
 * action, and one edge per artifact from its producer to each consumer.
 *
 * Returns: (transfer full): the DOT text
 */
char *
pw_pipeline_to_dot (PwPipeline *pipeline)
{
  GString *out = g_string_new (NULL);
  g_autoptr(GHashTable) producers = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *previous_anchor = NULL;
  guint n_stages;

  g_return_val_if_fail (PW_IS_PIPELINE (pipeline), NULL);

  g_string_append (out, "digraph ");
  append_quoted (out, pw_pipeline_get_name (pipeline) != NULL ? pw_pipeline_get_name (pipeline)
                                                             : "pipeline");
  g_string_append (out, " {\n"
                        "  rankdir=LR;\n"
                        "  compound=true;\n"
                        "  node [shape=box, style=\"rounded,filled\", fillcolor=white, fontname=\"Cantarell,sans-serif\"];\n"
                        "  edge [fontname=\"Cantarell,sans-serif\", fontsize=10];\n");

  n_stages = pw_pipeline_get_n_stages (pipeline);
  for (guint s = 0; s < n_stages; s++)
    {
      PwStage *stage = pw_pipeline_get_stage (pipeline, s);
      g_autoptr(GArray) orders = pw_stage_dup_run_orders (stage);

      g_string_append_printf (out, "  subgraph cluster_s%u {\n    label=", s);
      append_quoted (out, pw_stage_get_name (stage) != NULL ? pw_stage_get_name (stage) : "(opaque stage)");
      g_string_append (out, ";\n    style=\"rounded\";\n");

      if (pw_element_is_opaque (PW_ELEMENT (stage)))
        {
          g_string_append_printf (out, "    s%u_opaque [label=\"(conditional)\", style=dashed];\n", s);
          if (previous_anchor != NULL)
            g_string_append_printf (out, "    %s -> s%u_opaque [style=invis];\n", previous_anchor, s);
          g_free (previous_anchor);
          previous_anchor = g_strdup_printf ("s%u_opaque", s);
        }

      for (guint g = 0; g < orders->len; g++)
        {
          gint64 order = g_array_index (orders, gint64, g);
          g_autofree char *anchor = NULL;

          g_string_append_printf (out, "    subgraph cluster_s%u_g%u {\n      label=\"runOrder %"
                                  G_GINT64_FORMAT "\";\n      style=dashed;\n", s, g, order);

          for (guint a = 0; a < pw_stage_get_n_actions (stage); a++)
            {
              PwAction *action = pw_stage_get_action (stage, a);
              g_autofree char *label = NULL;

              if (pw_action_get_run_order (action) != order)
                continue;

              if (pw_element_is_opaque (PW_ELEMENT (action)))
                label = g_strdup ("(conditional action)");
              else
                label = g_strdup_printf ("%s\n%s/%s/%s", or_unknown (pw_action_get_name (action)),
                                         or_unknown (pw_action_get_category (action)),
                                         or_unknown (pw_action_get_owner (action)),
                                         or_unknown (pw_action_get_provider (action)));

              g_string_append_printf (out, "      s%u_a%u [label=", s, a);
              append_quoted (out, label);
              g_string_append (out, "];\n");

              if (anchor == NULL)
                anchor = g_strdup_printf ("s%u_a%u", s, a);
            }

          g_string_append (out, "    }\n");

          /* Keep the groups and stages in order even where no artifact
           * joins them. */
          if (anchor != NULL)
            {
              if (previous_anchor != NULL)
                g_string_append_printf (out, "    %s -> %s [style=invis];\n", previous_anchor, anchor);
              g_free (previous_anchor);
              previous_anchor = g_steal_pointer (&anchor);
            }
        }

      g_string_append (out, "  }\n");
    }

  /* Artifact edges: the producer that runs last before a consumer wins,
   * which with unique names (rule P08) is the only one. */
  for (guint s = 0; s < n_stages; s++)
    {
      PwStage *stage = pw_pipeline_get_stage (pipeline, s);

      for (guint a = 0; a < pw_stage_get_n_actions (stage); a++)
        {
          PwAction *action = pw_stage_get_action (stage, a);

          for (guint i = 0; i < pw_action_get_n_output_artifacts (action); i++)
            {
              const char *name = pw_action_get_output_artifact (action, i);

              if (name != NULL)
                g_hash_table_insert (producers, (gpointer)name,
                                     GUINT_TO_POINTER ((s << 16) | a));
            }
        }
    }

  for (guint s = 0; s < n_stages; s++)
    {
      PwStage *stage = pw_pipeline_get_stage (pipeline, s);

      for (guint a = 0; a < pw_stage_get_n_actions (stage); a++)
        {
          PwAction *action = pw_stage_get_action (stage, a);

          for (guint i = 0; i < pw_action_get_n_input_artifacts (action); i++)
            {
              const char *name = pw_action_get_input_artifact (action, i);
              gpointer value;

              if (name == NULL || !g_hash_table_lookup_extended (producers, name, NULL, &value))
                continue;

              g_string_append_printf (out, "  s%u_a%u -> s%u_a%u [label=",
                                      GPOINTER_TO_UINT (value) >> 16,
                                      GPOINTER_TO_UINT (value) & 0xffff, s, a);
              append_quoted (out, name);
              g_string_append (out, "];\n");
            }
        }
    }

  g_string_append (out, "}\n");

  return g_string_free (out, FALSE);
}
