/* bench-core.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Times the core on generated workloads (../shared/bench/gen-pipeline.py):
 *   max     the largest pipeline the service allows: 50 stages, ~500 actions
 *   stress  --workload validate: 50 stages, 2,451 actions (5x the quota)
 * For each: load (parse + positions), model, validate, export to every
 * format, and the whole `pipewright-cli validate` process with its peak
 * memory. Prints one figure a line, `name: value unit`, like the peers'
 * scripts in ../shared/bench, so the numbers sit side by side. */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <pw-core.h>

#define RUNS 41

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y ? 1 : 0;
}

static double
median (GArray *samples)
{
  g_array_sort (samples, compare_double);
  return g_array_index (samples, double, samples->len / 2);
}

static void
figure (const char *workload,
        const char *name,
        GArray     *samples,
        const char *unit,
        double      scale)
{
  double lo, hi, m = median (samples);

  lo = g_array_index (samples, double, 0);
  hi = g_array_index (samples, double, samples->len - 1);
  printf ("core.%s.%s_median: %.3f %s (min %.3f, max %.3f)\n",
          workload, name, m * scale, unit, lo * scale, hi * scale);
}

static char *
generate (const char *shared,
          const char *dir,
          const char *name,
          const char *const *args)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autofree char *gen = g_build_filename (shared, "bench", "gen-pipeline.py", NULL);
  g_autofree char *out = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  int status;

  g_strv_builder_add_many (b, "python3", gen, out, NULL);
  g_strv_builder_addv (b, (const char **)args);
  argv = g_strv_builder_end (b);

  if (!g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_error ("gen-pipeline.py failed: %s", error->message);

  return g_build_filename (out, "pipeline.json", NULL);
}

static void
bench_process (const char *workload,
               const char *cli,
               const char *file)
{
  g_autoptr(GArray) wall = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) rss = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < 21; i++)
    {
      gint64 start = g_get_monotonic_time ();
      struct rusage usage;
      int status;
      pid_t pid = fork ();
      double t, r;

      if (pid == 0)
        {
          int devnull = open ("/dev/null", O_WRONLY);

          dup2 (devnull, STDOUT_FILENO);
          dup2 (devnull, STDERR_FILENO);
          execl (cli, cli, "validate", "--quiet", file, NULL);
          _exit (127);
        }
      wait4 (pid, &status, 0, &usage);
      t = (g_get_monotonic_time () - start) / 1000.0;
      r = usage.ru_maxrss / 1024.0;
      if (!WIFEXITED (status) || WEXITSTATUS (status) > 1)
        g_error ("pipewright-cli validate failed on %s", file);
      if (i == 0)
        continue; /* warm-up */
      g_array_append_val (wall, t);
      g_array_append_val (rss, r);
    }

  figure (workload, "cli_validate_process_wall", wall, "ms", 1.0);
  figure (workload, "cli_validate_process_peak_rss", rss, "MiB", 1.0);
}

static void
bench_workload (const char *workload,
                const char *file,
                const char *cli)
{
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) load = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) model = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) validate = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *exports[4] = { NULL };
  static const char *format_names[] = { "export_yaml", "export_json", "export_cfn_json", "export_cfn_yaml" };
  g_autoptr(PwDocument) document = NULL;
  g_autoptr(PwPipeline) pipeline = NULL;
  guint errors = 0;

  if (!g_file_get_contents (file, &contents, &length, &error))
    g_error ("%s", error->message);

  for (guint f = 0; f < 4; f++)
    exports[f] = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < RUNS; i++)
    {
      gint64 t0, t1, t2, t3;
      double d;
      g_autoptr(GPtrArray) found = NULL;

      g_clear_object (&pipeline);
      g_clear_object (&document);

      t0 = g_get_monotonic_time ();
      document = pw_document_load_data (contents, length, file, &error);
      t1 = g_get_monotonic_time ();
      if (document == NULL)
        g_error ("%s", error->message);
      pipeline = pw_document_dup_pipeline (document, NULL, &error);
      t2 = g_get_monotonic_time ();
      found = pw_pipeline_validate (pipeline);
      t3 = g_get_monotonic_time ();

      d = (t1 - t0) / 1000.0; g_array_append_val (load, d);
      d = (t2 - t1) / 1000.0; g_array_append_val (model, d);
      d = (t3 - t2) / 1000.0; g_array_append_val (validate, d);

      errors = 0;
      for (guint k = 0; k < found->len; k++)
        if (pw_diagnostic_get_severity (g_ptr_array_index (found, k)) == PW_SEVERITY_ERROR)
          errors++;

      if (i % 4 == 0)
        {
          for (guint f = 0; f < 4; f++)
            {
              gint64 s = g_get_monotonic_time ();
              g_autofree char *text = pw_pipeline_serialize (pipeline, (PwOutputFormat)f, NULL, &error);

              if (text == NULL)
                g_error ("%s", error->message);
              d = (g_get_monotonic_time () - s) / 1000.0;
              g_array_append_val (exports[f], d);
            }
        }
    }

  /* Validation again and again on the same resident model, as the app
   * does on every edit, and as the peers' figure for botocore is taken
   * (validate_parameters in a loop on a loaded request). */
  {
    g_autoptr(GArray) warm = g_array_new (FALSE, FALSE, sizeof (double));

    for (guint i = 0; i < 201; i++)
      {
        gint64 s = g_get_monotonic_time ();
        g_autoptr(GPtrArray) found = pw_pipeline_validate (pipeline);
        double d = (g_get_monotonic_time () - s) / 1000.0;

        g_array_append_val (warm, d);
      }
    figure (workload, "validate_warm", warm, "ms", 1.0);
  }

  printf ("core.%s.actions: %u actions\n", workload, pw_pipeline_count_actions (pipeline));
  printf ("core.%s.file_size: %" G_GSIZE_FORMAT " B\n", workload, length);
  printf ("core.%s.validation_errors: %u\n", workload, errors);
  figure (workload, "load", load, "ms", 1.0);
  figure (workload, "model", model, "ms", 1.0);
  figure (workload, "validate", validate, "ms", 1.0);
  for (guint f = 0; f < 4; f++)
    figure (workload, format_names[f], exports[f], "ms", 1.0);

  for (guint f = 0; f < 4; f++)
    g_array_unref (exports[f]);

  if (cli != NULL)
    bench_process (workload, cli, file);
}

int
main (int    argc,
      char **argv)
{
  const char *shared = g_getenv ("PW_SHARED_DIR");
  const char *cli = g_getenv ("PIPEWRIGHT_CLI");
  g_autofree char *dir = NULL;
  g_autofree char *max = NULL;
  g_autofree char *stress = NULL;
  g_autoptr(GError) error = NULL;
  static const char *max_args[] = { "--workload", "validate", "--stages", "50", "--actions", "10",
                                    "--group", "5", NULL };
  static const char *stress_args[] = { "--workload", "validate", NULL };

  if (shared == NULL)
    g_error ("PW_SHARED_DIR is not set");

  dir = g_dir_make_tmp ("pipewright-bench-XXXXXX", &error);
  if (dir == NULL)
    g_error ("%s", error->message);

  max = generate (shared, dir, "max", max_args);
  stress = generate (shared, dir, "stress", stress_args);

  bench_workload ("max", max, cli);
  bench_workload ("stress", stress, cli);

  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
    if (system (cmd) != 0)
      g_warning ("could not remove %s", dir);
  }

  return 0;
}
