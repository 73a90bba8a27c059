/* pw-action-job.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-action-job"

#include "config.h"

#include "pw-engine.h"

struct _PwActionJob
{
  GObject         parent_instance;

  /* Owned references */
  PwAction       *action;
  PwLog          *log;
  PwLocalProfile *profile;
  JsonObject     *configuration;
  GPtrArray      *inputs;
  GPtrArray      *outputs;
  GHashTable     *output_variables;
  JsonNode       *report;
  GStrv           environment;

  char           *pipeline_name;
  char           *stage_name;
  char           *execution_id;
  char           *action_execution_id;
  char           *work_dir;
  char           *output_dir;
  char           *cache_dir;
  char           *pipeline_dir;
  char           *region;
  char           *account;
  char           *source_revision;
  char           *summary;
  char           *external_id;
  char           *approval_token;
  char           *state_dir;

  guint           timeout;
  guint           simulated : 1;
  guint           working_tree : 1;
  guint           decided : 1;
  guint           approved : 1;
};

enum {
  DECIDED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (PwActionJob, pw_action_job, G_TYPE_OBJECT)

static guint signals [N_SIGNALS];

static void
job_artifact_free (gpointer data)
{
  PwJobArtifact *artifact = data;

  g_free (artifact->name);
  g_free (artifact->zip_path);
  g_free (artifact->revision);
  g_free (artifact);
}

static void
pw_action_job_dispose (GObject *object)
{
  PwActionJob *self = (PwActionJob *)object;

  g_clear_object (&self->action);
  g_clear_object (&self->log);
  g_clear_object (&self->profile);

  G_OBJECT_CLASS (pw_action_job_parent_class)->dispose (object);
}

static void
pw_action_job_finalize (GObject *object)
{
  PwActionJob *self = (PwActionJob *)object;

  g_clear_pointer (&self->configuration, json_object_unref);
  g_clear_pointer (&self->inputs, g_ptr_array_unref);
  g_clear_pointer (&self->outputs, g_ptr_array_unref);
  g_clear_pointer (&self->output_variables, g_hash_table_unref);
  g_clear_pointer (&self->report, json_node_unref);
  g_clear_pointer (&self->environment, g_strfreev);
  g_free (self->pipeline_name);
  g_free (self->stage_name);
  g_free (self->execution_id);
  g_free (self->action_execution_id);
  g_free (self->work_dir);
  g_free (self->output_dir);
  g_free (self->cache_dir);
  g_free (self->pipeline_dir);
  g_free (self->region);
  g_free (self->account);
  g_free (self->source_revision);
  g_free (self->summary);
  g_free (self->external_id);
  g_free (self->approval_token);
  g_free (self->state_dir);

  G_OBJECT_CLASS (pw_action_job_parent_class)->finalize (object);
}

static void
pw_action_job_class_init (PwActionJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pw_action_job_dispose;
  object_class->finalize = pw_action_job_finalize;

  /**
   * PwActionJob::decided:
   * @approved: whether the approval was granted
   * @summary: (nullable): the approver's comment
   * @by: (nullable): who decided
   *
   * A manual approval was answered.
   */
  signals [DECIDED] =
    g_signal_new ("decided",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_BOOLEAN, G_TYPE_STRING, G_TYPE_STRING);
}

static void
pw_action_job_init (PwActionJob *self)
{
  self->configuration = json_object_new ();
  self->inputs = g_ptr_array_new_with_free_func (job_artifact_free);
  self->outputs = g_ptr_array_new_with_free_func (job_artifact_free);
  self->output_variables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->environment = pw_engine_get_environ ();
}

PwActionJob *
pw_action_job_new (void)
{
  return g_object_new (PW_TYPE_ACTION_JOB, NULL);
}

#define STRING_ACCESSORS(field)                                               \
  const char *                                                                \
  pw_action_job_get_##field (PwActionJob *self)                               \
  {                                                                           \
    g_return_val_if_fail (PW_IS_ACTION_JOB (self), NULL);                     \
    return self->field;                                                       \
  }                                                                           \
  void                                                                        \
  pw_action_job_set_##field (PwActionJob *self,                               \
                             const char  *value)                              \
  {                                                                           \
    g_return_if_fail (PW_IS_ACTION_JOB (self));                               \
    g_free (self->field);                                                     \
    self->field = g_strdup (value);                                           \
  }

STRING_ACCESSORS (pipeline_name)
STRING_ACCESSORS (stage_name)
STRING_ACCESSORS (execution_id)
STRING_ACCESSORS (action_execution_id)
STRING_ACCESSORS (work_dir)
STRING_ACCESSORS (output_dir)
STRING_ACCESSORS (cache_dir)
STRING_ACCESSORS (pipeline_dir)
STRING_ACCESSORS (region)
STRING_ACCESSORS (account)
STRING_ACCESSORS (source_revision)
STRING_ACCESSORS (summary)
STRING_ACCESSORS (external_id)
STRING_ACCESSORS (approval_token)
STRING_ACCESSORS (state_dir)

/**
 * pw_action_job_get_action:
 *
 * Returns: (transfer none) (nullable): the action being run
 */
PwAction *
pw_action_job_get_action (PwActionJob *self)
{
  g_return_val_if_fail (PW_IS_ACTION_JOB (self), NULL);
  return self->action;
}

void
pw_action_job_set_action (PwActionJob *self,
                          PwAction    *action)
{
  g_return_if_fail (PW_IS_ACTION_JOB (self));
  g_set_object (&self->action, action);
}

const char *
pw_action_job_get_action_name (PwActionJob *self)
{
  g_return_val_if_fail (PW_IS_ACTION_JOB (self), NULL);
  return self->action != NULL ? pw_action_get_name (self->action) : NULL;
}

/**
 * pw_action_job_get_configuration:
 *
 * Returns: (transfer none): the resolved configuration
 */
JsonObject *
pw_action_job_get_configuration (PwActionJob *self)
{
  g_return_val_if_fail (PW_IS_ACTION_JOB (self), NULL);
  return self->configuration;
}

void
pw_action_job_set_configuration (PwActionJob *self,
                                 JsonObject  *configuration)
{
  g_return_if_fail (PW_IS_ACTION_JOB (self));
  g_return_if_fail (configuration != NULL);

  json_object_ref (configuration);
  json_object_unref (self->configuration);
  self->configuration = configuration;
}

/**
 * pw_action_job_get_config:
 *
 * Returns: (nullable): a configuration value, when it is a string
 */
const char *
pw_action_job_get_config (PwActionJob *self,
                          const char  *key)
{
  JsonNode *node;

  g_return_val_if_fail (PW_IS_ACTION_JOB (self), NULL);

  node = json_object_get_member (self->configuration, key);
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/**
 * pw_action_job_get_inputs:
 *
 * Returns: (transfer none) (element-type PwJobArtifact): the inputs
 */
GPtrArray *
pw_action_job_get_inputs (PwActionJob *self)
{
  g_return_val_if_fail (PW_IS_ACTION_JOB (self), NULL);
  return self->inputs;
}

static PwJobArtifact *
job_artifact_new (const char *name,
                  const char *zip_path,
                  const char *revision)
{
  PwJobArtifact *artifact = g_new0 (PwJobArtifact, 1);

  artifact->name = g_strdup (name);
  artifact->zip_path = g_strdup (zip_path);
  artifact->revision = g_strdup (revision);
  return artifact;
}

void
pw_action_job_add_input (PwActionJob *self,
                         const char  *name,
                         const char  *zip_path,
                         const char  *revision)
{
  g_return_if_fail (PW_IS_ACTION_JOB (self));
  g_ptr_array_add (self->inputs, job_artifact_new (name, zip_path, revision));
}

/**
 * pw_action_job_find_input:
 *
 * Returns: (nullable): the input artifact named @name
 */
const PwJobArtifact *
pw_action_job_find_input (PwActionJob *self,
                          const char  *name)
{
  g_return_val_if_fail (PW_IS_ACTION_JOB (self), NULL);

  for (guint i = 0; i < self->inputs->len; i++)
    {
      PwJobArtifact *artifact = g_ptr_array_index (self->inputs, i);

      if (g_strcmp0 (artifact->name, name) == 0)
        return artifact;
    }

  return NULL;
}

/**
 * pw_action_job_dup_output_names:
 *
 * Returns: (transfer full): the names of the declared output artifacts
 */
GStrv
pw_action_job_dup_output_names (PwActionJob *self)
{
  g_return_val_if_fail (PW_IS_ACTION_JOB (self), NULL);

  if (self->action == NULL)
    return g_new0 (char *, 1);

  return pw_action_dup_output_artifacts (self->action);
}

/**
 * pw_action_job_get_log:
 *
 * Returns: (transfer none) (nullable): the action's log
 */
PwLog *
pw_action_job_get_log (PwActionJob *self)
{
  g_return_val_if_fail (PW_IS_ACTION_JOB (self), NULL);
  return self->log;
}

void
pw_action_job_set_log (PwActionJob *self,
                       PwLog       *log)
{
  g_return_if_fail (PW_IS_ACTION_JOB (self));
  g_set_object (&self->log, log);
}

/**
 * pw_action_job_get_profile:
 *
 * Returns: (transfer none) (nullable): the local profile
 */
PwLocalProfile *
pw_action_job_get_profile (PwActionJob *self)
{
  g_return_val_if_fail (PW_IS_ACTION_JOB (self), NULL);
  return self->profile;
}

void
pw_action_job_set_profile (PwActionJob    *self,
                           PwLocalProfile *profile)
{
  g_return_if_fail (PW_IS_ACTION_JOB (self));
  g_set_object (&self->profile, profile);
}

/**
 * pw_action_job_dup_environment:
 *
 * Returns: (transfer full): the environment to start from
 */
GStrv
pw_action_job_dup_environment (PwActionJob *self)
{
  g_return_val_if_fail (PW_IS_ACTION_JOB (self), NULL);
  return g_strdupv (self->environment);
}

void
pw_action_job_set_environment (PwActionJob        *self,
                               const char * const *envp)
{
  g_return_if_fail (PW_IS_ACTION_JOB (self));

  g_strfreev (self->environment);
  self->environment = g_strdupv ((char **)envp);
}

guint
pw_action_job_get_timeout (PwActionJob *self)
{
  g_return_val_if_fail (PW_IS_ACTION_JOB (self), 0);
  return self->timeout;
}

void
pw_action_job_set_timeout (PwActionJob *self,
                           guint        seconds)
{
  g_return_if_fail (PW_IS_ACTION_JOB (self));
  self->timeout = seconds;
}

void
pw_action_job_set_output_variable (PwActionJob *self,
                                   const char  *name,
                                   const char  *value)
{
  g_return_if_fail (PW_IS_ACTION_JOB (self));
  g_return_if_fail (name != NULL);

  g_hash_table_insert (self->output_variables, g_strdup (name), g_strdup (value != NULL ? value : ""));
}

/**
 * pw_action_job_get_output_variables:
 *
 * Returns: (transfer none): name → value
 */
GHashTable *
pw_action_job_get_output_variables (PwActionJob *self)
{
  g_return_val_if_fail (PW_IS_ACTION_JOB (self), NULL);
  return self->output_variables;
}

void
pw_action_job_add_output (PwActionJob *self,
                          const char  *name,
                          const char  *zip_path,
                          const char  *revision)
{
  g_return_if_fail (PW_IS_ACTION_JOB (self));
  g_ptr_array_add (self->outputs, job_artifact_new (name, zip_path, revision));
}

/**
 * pw_action_job_get_outputs:
 *
 * Returns: (transfer none) (element-type PwJobArtifact): the outputs
 */
GPtrArray *
pw_action_job_get_outputs (PwActionJob *self)
{
  g_return_val_if_fail (PW_IS_ACTION_JOB (self), NULL);
  return self->outputs;
}

void
pw_action_job_set_simulated (PwActionJob *self,
                             gboolean     simulated)
{
  g_return_if_fail (PW_IS_ACTION_JOB (self));
  self->simulated = !!simulated;
}

gboolean
pw_action_job_get_simulated (PwActionJob *self)
{
  g_return_val_if_fail (PW_IS_ACTION_JOB (self), FALSE);
  return self->simulated;
}

/**
 * pw_action_job_set_working_tree:
 *
 * A git source reads the working tree (tracked and untracked files, not
 * the ignored ones) instead of the branch's commit.
 */
void
pw_action_job_set_working_tree (PwActionJob *self,
                                gboolean     working_tree)
{
  g_return_if_fail (PW_IS_ACTION_JOB (self));
  self->working_tree = !!working_tree;
}

gboolean
pw_action_job_get_working_tree (PwActionJob *self)
{
  g_return_val_if_fail (PW_IS_ACTION_JOB (self), FALSE);
  return self->working_tree;
}

void
pw_action_job_set_report (PwActionJob *self,
                          JsonNode    *report)
{
  g_return_if_fail (PW_IS_ACTION_JOB (self));

  if (report != NULL)
    json_node_ref (report);
  g_clear_pointer (&self->report, json_node_unref);
  self->report = report;
}

/**
 * pw_action_job_get_report:
 *
 * Returns: (transfer none) (nullable): the test report summary
 */
JsonNode *
pw_action_job_get_report (PwActionJob *self)
{
  g_return_val_if_fail (PW_IS_ACTION_JOB (self), NULL);
  return self->report;
}

void
pw_action_job_decide (PwActionJob *self,
                      gboolean     approved,
                      const char  *summary,
                      const char  *by)
{
  g_return_if_fail (PW_IS_ACTION_JOB (self));

  if (self->decided)
    return;

  self->decided = TRUE;
  self->approved = !!approved;
  g_signal_emit (self, signals [DECIDED], 0, approved, summary, by);
}

gboolean
pw_action_job_is_decided (PwActionJob *self,
                          gboolean    *approved)
{
  g_return_val_if_fail (PW_IS_ACTION_JOB (self), FALSE);

  if (approved != NULL)
    *approved = self->approved;
  return self->decided;
}

/* What runs an action elsewhere is given ----------------------------------- */

/**
 * pw_action_job_dup_output_path:
 *
 * Where the action writes output artifact @name: a zip in its output
 * folder.
 */
char *
pw_action_job_dup_output_path (PwActionJob *self,
                               const char  *name)
{
  g_autofree char *file_name = g_strdup_printf ("%s.zip", name);

  return g_build_filename (pw_action_job_get_output_dir (self), file_name, NULL);
}

static void
add_artifact (JsonBuilder *b,
              const char  *name,
              const char  *path,
              const char  *revision)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, name);
  json_builder_set_member_name (b, "revision");
  if (revision != NULL)
    json_builder_add_string_value (b, revision);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "location");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "S3");
  json_builder_set_member_name (b, "s3Location");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "bucketName");
  json_builder_add_string_value (b, "pipewright-local");
  json_builder_set_member_name (b, "objectKey");
  json_builder_add_string_value (b, path);
  json_builder_end_object (b);
  json_builder_end_object (b);
  /* Not in the AWS event: the local file itself, so a handler can open it
   * without an S3 client. objectKey carries the same path for handlers
   * that only know the AWS shape. */
  json_builder_set_member_name (b, "localPath");
  json_builder_add_string_value (b, path);
  json_builder_end_object (b);
}

/**
 * pw_action_job_build_data:
 * @continuation_token: (nullable): the token of the run before, if any
 *
 * The job's `data` as CodePipeline gives it to whatever runs an action (a
 * Lambda's `CodePipeline.job` event, a job worker's GetJobDetails):
 * actionConfiguration, input and output artifacts (S3 locations whose
 * object keys are the local zips, and `localPath` beside them),
 * credentials that look real and work nowhere, the continuation token.
 *
 * Returns: (transfer full): the object
 */
JsonNode *
pw_action_job_build_data (PwActionJob *self,
                          const char  *continuation_token)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_auto(GStrv) outputs = pw_action_job_dup_output_names (self);
  GPtrArray *inputs = pw_action_job_get_inputs (self);
  JsonObject *config = pw_action_job_get_configuration (self);

  json_builder_begin_object (b);

  json_builder_set_member_name (b, "actionConfiguration");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "configuration");
  json_builder_begin_object (b);
  if (config != NULL)
    {
      JsonObjectIter iter;
      const char *key;
      JsonNode *value;

      json_object_iter_init_ordered (&iter, config);
      while (json_object_iter_next_ordered (&iter, &key, &value))
        {
          /* Keys with two underscores are the executor's own notes. */
          if (g_str_has_prefix (key, "__"))
            continue;
          json_builder_set_member_name (b, key);
          json_builder_add_value (b, json_node_copy (value));
        }
    }
  json_builder_end_object (b);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "inputArtifacts");
  json_builder_begin_array (b);
  for (guint i = 0; inputs != NULL && i < inputs->len; i++)
    {
      const PwJobArtifact *artifact = g_ptr_array_index (inputs, i);

      add_artifact (b, artifact->name, artifact->zip_path, artifact->revision);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "outputArtifacts");
  json_builder_begin_array (b);
  for (guint i = 0; outputs != NULL && outputs[i] != NULL; i++)
    {
      g_autofree char *path = pw_action_job_dup_output_path (self, outputs[i]);

      add_artifact (b, outputs[i], path, NULL);
    }
  json_builder_end_array (b);

  /* Handlers often build an S3 client from these; they must look real
   * enough to parse and must never work anywhere. */
  json_builder_set_member_name (b, "artifactCredentials");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "accessKeyId");
  json_builder_add_string_value (b, "ASIAPIPEWRIGHTLOCAL0");
  json_builder_set_member_name (b, "secretAccessKey");
  json_builder_add_string_value (b, "pipewright-local-executor-has-no-credentials");
  json_builder_set_member_name (b, "sessionToken");
  json_builder_add_string_value (b, "pipewright-local");
  json_builder_end_object (b);

  if (continuation_token != NULL)
    {
      json_builder_set_member_name (b, "continuationToken");
      json_builder_add_string_value (b, continuation_token);
    }

  json_builder_end_object (b);
  return json_builder_get_root (b);
}
