/* pw-provider-simulated.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-provider-simulated"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "pw-engine-private.h"

/* How many entries of an input zip the log names before "…". */
#define LIST_PREVIEW 5

#define PW_TYPE_SIMULATED_PROVIDER (pw_simulated_provider_get_type ())

G_DECLARE_FINAL_TYPE (PwSimulatedProvider, pw_simulated_provider, PW, SIMULATED_PROVIDER, GObject)

struct _PwSimulatedProvider
{
  GObject parent_instance;
};

typedef struct
{
  char      *name;
  char      *zip_path;
  char      *revision;
  GPtrArray *entries;    /* entry names, read on first use */
  char      *dir;        /* extracted into, on first use */
} Input;

typedef struct
{
  char *name;
  char *zip_path;
  char *revision;
} Output;

typedef struct
{
  /* Owned references */
  PwActionJob *job;
  PwLog       *log;
  JsonObject  *config;
  GPtrArray   *inputs;           /* Input */
  GPtrArray   *outputs;          /* Output, results */
  GPtrArray   *notes;            /* lines for the log, from the worker */
  GHashTable  *variables;        /* results */

  char        *category;
  char        *owner;
  char        *provider;
  char        *version;
  char        *action_name;
  char       **output_names;
  char        *output_dir;
  char        *work_dir;
  char        *region;
  char        *account;
  char        *action_execution_id;
  char        *source_revision;
  char        *summary;
  char        *external_id;
} Sim;

static void pw_simulated_provider_iface_init (PwProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PwSimulatedProvider, pw_simulated_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PW_TYPE_PROVIDER,
                                                      pw_simulated_provider_iface_init))

static void
input_free (gpointer data)
{
  Input *input = data;

  g_free (input->name);
  g_free (input->zip_path);
  g_free (input->revision);
  g_clear_pointer (&input->entries, g_ptr_array_unref);
  g_free (input->dir);
  g_free (input);
}

static void
output_free (gpointer data)
{
  Output *output = data;

  g_free (output->name);
  g_free (output->zip_path);
  g_free (output->revision);
  g_free (output);
}

static void
sim_free (Sim *sim)
{
  g_clear_object (&sim->job);
  g_clear_object (&sim->log);
  g_clear_pointer (&sim->config, json_object_unref);
  g_clear_pointer (&sim->inputs, g_ptr_array_unref);
  g_clear_pointer (&sim->outputs, g_ptr_array_unref);
  g_clear_pointer (&sim->notes, g_ptr_array_unref);
  g_clear_pointer (&sim->variables, g_hash_table_unref);
  g_clear_pointer (&sim->output_names, g_strfreev);
  g_free (sim->category);
  g_free (sim->owner);
  g_free (sim->provider);
  g_free (sim->version);
  g_free (sim->action_name);
  g_free (sim->output_dir);
  g_free (sim->work_dir);
  g_free (sim->region);
  g_free (sim->account);
  g_free (sim->action_execution_id);
  g_free (sim->source_revision);
  g_free (sim->summary);
  g_free (sim->external_id);
  g_free (sim);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Sim, sim_free)

static void
note (Sim        *sim,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

/* Worker threads must not write the log (its `line` signal reaches the
 * UI), so they collect lines that the main thread writes afterwards. */
static void
note (Sim        *sim,
      const char *format,
      ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (sim->notes, g_strdup_vprintf (format, args));
  va_end (args);
}

/* The first "Would …" line is what the action did, in one sentence. */
static void
would (Sim        *sim,
       const char *format,
       ...) G_GNUC_PRINTF (2, 3);

static void
would (Sim        *sim,
       const char *format,
       ...)
{
  va_list args;
  char *text;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  if (sim->summary == NULL)
    sim->summary = g_strdup_printf ("Simulated: %s", text);

  g_ptr_array_add (sim->notes, text);
}

static const char *
config (Sim        *sim,
        const char *key)
{
  JsonNode *node = json_object_get_member (sim->config, key);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static const char *
config_or (Sim        *sim,
           const char *key,
           const char *fallback)
{
  const char *value = config (sim, key);

  return value != NULL && value[0] != '\0' ? value : fallback;
}

static const char *
region (Sim *sim)
{
  return sim->region != NULL ? sim->region : "us-east-1";
}

static const char *
account (Sim *sim)
{
  return sim->account != NULL ? sim->account : "000000000000";
}

static Input *
find_input (Sim        *sim,
            const char *name)
{
  for (guint i = 0; i < sim->inputs->len; i++)
    {
      Input *input = g_ptr_array_index (sim->inputs, i);

      if (g_strcmp0 (input->name, name) == 0)
        return input;
    }

  return NULL;
}

static Input *
first_input (Sim *sim)
{
  return sim->inputs->len > 0 ? g_ptr_array_index (sim->inputs, 0) : NULL;
}

static GPtrArray *
input_entries (Input   *input,
               GError **error)
{
  if (input->entries == NULL)
    {
      if (input->zip_path == NULL)
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                       _("Input artifact %s has no zip"), input->name);
          return NULL;
        }

      input->entries = pw_artifact_list (input->zip_path, error);
      if (input->entries == NULL)
        {
          g_prefix_error (error, _("Input artifact %s: "), input->name);
          return NULL;
        }
    }

  return input->entries;
}

static gboolean
input_has_file (Input      *input,
                const char *path,
                GError    **error)
{
  GPtrArray *entries = input_entries (input, error);

  if (entries == NULL)
    return FALSE;

  while (g_str_has_prefix (path, "./"))
    path += 2;

  for (guint i = 0; i < entries->len; i++)
    {
      const char *entry = g_ptr_array_index (entries, i);

      while (g_str_has_prefix (entry, "./"))
        entry += 2;

      if (strcmp (entry, path) == 0)
        return TRUE;
    }

  return FALSE;
}

static char *
describe_entries (Input *input)
{
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, "%u entr%s", input->entries->len,
                          input->entries->len == 1 ? "y" : "ies");

  for (guint i = 0; i < input->entries->len && i < LIST_PREVIEW; i++)
    g_string_append_printf (text, "%s%s", i == 0 ? ": " : ", ",
                            (const char *)g_ptr_array_index (input->entries, i));

  if (input->entries->len > LIST_PREVIEW)
    g_string_append (text, ", …");

  return g_string_free (text, FALSE);
}

/* Checks that @path is in @input, as the real action fails when it is
 * missing, and names what the artifact does hold. */
static gboolean
require_file (Sim        *sim,
              Input      *input,
              const char *path,
              const char *what,
              GError    **error)
{
  g_autofree char *listing = NULL;

  if (!input_has_file (input, path, error))
    {
      if (error != NULL && *error != NULL)
        return FALSE;

      listing = describe_entries (input);
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                   _("%s: artifact %s holds no file '%s' (it has %s)"),
                   what, input->name, path, listing);
      return FALSE;
    }

  return TRUE;
}

/* `ArtifactName::path/in/zip`, as TemplatePath and friends are written. */
static Input *
require_artifact_path (Sim         *sim,
                       const char  *key,
                       const char **path_out,
                       GError     **error)
{
  const char *value = config (sim, key);
  const char *sep;
  g_autofree char *name = NULL;
  Input *input;

  if (value == NULL || (sep = strstr (value, "::")) == NULL)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   _("%s must be written ArtifactName::path (it is '%s')"),
                   key, value != NULL ? value : "");
      return NULL;
    }

  name = g_strndup (value, sep - value);
  input = find_input (sim, name);
  if (input == NULL)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   _("%s names artifact %s, which is not an input of the action"), key, name);
      return NULL;
    }

  if (!require_file (sim, input, sep + 2, key, error))
    return NULL;

  *path_out = sep + 2;
  return input;
}

static char *
read_input_file (Sim        *sim,
                 Input      *input,
                 const char *path,
                 GError    **error)
{
  g_autofree char *file = NULL;
  g_autofree char *canonical = NULL;
  g_autofree char *root = NULL;
  char *contents = NULL;

  if (input->dir == NULL)
    {
      g_autofree char *dir_name = g_strdup_printf ("in_%s", input->name);
      g_autofree char *dir = g_build_filename (sim->work_dir, dir_name, NULL);

      if (!pw_artifact_extract (input->zip_path, dir, NULL, error))
        return NULL;

      input->dir = g_steal_pointer (&dir);
    }

  file = g_build_filename (input->dir, path, NULL);
  canonical = g_canonicalize_filename (file, NULL);
  root = g_canonicalize_filename (input->dir, NULL);

  /* A `..` in a configured path must not read outside the artifact. */
  if (!g_str_has_prefix (canonical, root) || canonical[strlen (root)] != '/')
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   _("'%s' points outside artifact %s"), path, input->name);
      return NULL;
    }

  /* What an earlier action wrote: a file, of a size a reader can take. */
  if (!_pw_fs_read_file (canonical, 64 * 1024 * 1024, &contents, NULL, error))
    return NULL;

  return contents;
}

static gboolean
write_output (Sim         *sim,
              const char  *name,
              const char  *file_name,
              const char  *contents,
              const char  *revision,
              GError     **error)
{
  g_autofree char *dir_name = g_strdup_printf ("out_%s", name);
  g_autofree char *dir = g_build_filename (sim->work_dir, dir_name, NULL);
  g_autofree char *file = g_build_filename (dir, file_name, NULL);
  g_autofree char *parent = g_path_get_dirname (file);
  g_autofree char *zip_name = g_strdup_printf ("%s.zip", name);
  Output *output;

  if (g_mkdir_with_parents (parent, 0755) != 0)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_ARTIFACT,
                   _("Could not create %s"), parent);
      return FALSE;
    }

  if (!g_file_set_contents (file, contents, -1, error))
    return FALSE;

  output = g_new0 (Output, 1);
  output->name = g_strdup (name);
  output->zip_path = g_build_filename (sim->output_dir, zip_name, NULL);
  output->revision = g_strdup (revision);

  if (!pw_artifact_zip_dir (output->zip_path, dir, NULL, error))
    {
      output_free (output);
      return FALSE;
    }

  note (sim, "Wrote output artifact %s with %s so downstream actions have an input",
        name, file_name);
  g_ptr_array_add (sim->outputs, output);

  return TRUE;
}

static char *
to_json (JsonNode *node,
         gboolean  pretty)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_pretty (generator, pretty);
  json_generator_set_root (generator, node);

  return json_generator_to_data (generator, NULL);
}

/* Deterministic stand-ins for ids AWS would make up, so two runs of the
 * same action compare equal. */
static char *
fake_hex (const char *seed,
          gsize       length)
{
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, seed, -1);

  return g_strndup (sum, MIN (length, strlen (sum)));
}

static void
set_var (Sim        *sim,
         const char *name,
         const char *value)
{
  g_hash_table_replace (sim->variables, g_strdup (name), g_strdup (value != NULL ? value : ""));
}

/* CloudFormation ---------------------------------------------------------- */

static gboolean
contains_word (const char *list,
               const char *word)
{
  g_auto(GStrv) items = g_strsplit (list != NULL ? list : "", ",", -1);

  for (guint i = 0; items[i] != NULL; i++)
    if (strcmp (g_strstrip (items[i]), word) == 0)
      return TRUE;

  return FALSE;
}

static gboolean
check_capabilities (Sim         *sim,
                    JsonObject  *template,
                    GError     **error)
{
  const char *capabilities = config (sim, "Capabilities");
  JsonNode *resources = json_object_get_member (template, "Resources");
  gboolean iam = FALSE;
  gboolean named_iam = FALSE;

  if (resources != NULL && JSON_NODE_HOLDS_OBJECT (resources))
    {
      JsonObjectIter iter;
      const char *id;
      JsonNode *resource;

      json_object_iter_init (&iter, json_node_get_object (resources));
      while (json_object_iter_next (&iter, &id, &resource))
        {
          JsonObject *object;
          JsonObject *properties;
          const char *type;

          if (!JSON_NODE_HOLDS_OBJECT (resource))
            continue;

          object = json_node_get_object (resource);
          type = json_object_get_string_member_with_default (object, "Type", "");
          if (!g_str_has_prefix (type, "AWS::IAM::"))
            continue;

          iam = TRUE;
          properties = json_object_has_member (object, "Properties") &&
                       JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "Properties"))
                       ? json_object_get_object_member (object, "Properties") : NULL;
          if (properties != NULL &&
              (json_object_has_member (properties, "RoleName") ||
               json_object_has_member (properties, "UserName") ||
               json_object_has_member (properties, "GroupName") ||
               json_object_has_member (properties, "ManagedPolicyName") ||
               json_object_has_member (properties, "InstanceProfileName")))
            named_iam = TRUE;
        }
    }

  if (named_iam && !contains_word (capabilities, "CAPABILITY_NAMED_IAM"))
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   _("InsufficientCapabilities: Requires capabilities : [CAPABILITY_NAMED_IAM] "
                     "(the template names IAM resources; add it to Capabilities)"));
      return FALSE;
    }

  if (iam && !contains_word (capabilities, "CAPABILITY_IAM") &&
      !contains_word (capabilities, "CAPABILITY_NAMED_IAM"))
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   _("InsufficientCapabilities: Requires capabilities : [CAPABILITY_IAM] "
                     "(the template creates IAM resources; add it to Capabilities)"));
      return FALSE;
    }

  if (json_object_has_member (template, "Transform") &&
      !contains_word (capabilities, "CAPABILITY_AUTO_EXPAND"))
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   _("InsufficientCapabilities: Requires capabilities : [CAPABILITY_AUTO_EXPAND] "
                     "(the template uses a Transform; add it to Capabilities)"));
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_parameter_overrides (Sim         *sim,
                           JsonObject  *template,
                           GError     **error)
{
  const char *text = config (sim, "ParameterOverrides");
  g_autoptr(JsonNode) overrides = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) unknown = g_ptr_array_new ();
  JsonNode *parameters = json_object_get_member (template, "Parameters");
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  if (text == NULL || text[0] == '\0')
    return TRUE;

  overrides = pw_json_parse (text, -1, NULL, &local_error);
  if (overrides == NULL || !JSON_NODE_HOLDS_OBJECT (overrides))
    {
      if (g_error_matches (local_error, PW_CORE_ERROR, PW_CORE_ERROR_LIMIT))
        g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                     _("ParameterOverrides cannot be read: %s"), local_error->message);
      else
        g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                     _("ParameterOverrides is not a JSON object: %s"), text);
      return FALSE;
    }

  json_object_iter_init (&iter, json_node_get_object (overrides));
  while (json_object_iter_next (&iter, &name, &value))
    if (parameters == NULL || !JSON_NODE_HOLDS_OBJECT (parameters) ||
        !json_object_has_member (json_node_get_object (parameters), name))
      g_ptr_array_add (unknown, (gpointer)name);

  if (unknown->len > 0)
    {
      g_autofree char *list = NULL;

      g_ptr_array_add (unknown, NULL);
      list = g_strjoinv (", ", (char **)unknown->pdata);
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   _("Parameters: [%s] do not exist in the template"), list);
      return FALSE;
    }

  return TRUE;
}

/* Stack outputs cannot be known without AWS; a literal Value is kept, and
 * anything computed becomes `simulated-<Key>`, so `#{Deploy.Key}` in later
 * actions still resolves. */
static void
collect_stack_outputs (Sim        *sim,
                       JsonObject *template,
                       JsonObject *outputs)
{
  JsonNode *declared = json_object_get_member (template, "Outputs");
  JsonObjectIter iter;
  const char *key;
  JsonNode *output;

  if (declared == NULL || !JSON_NODE_HOLDS_OBJECT (declared))
    return;

  json_object_iter_init_ordered (&iter, json_node_get_object (declared));
  while (json_object_iter_next_ordered (&iter, &key, &output))
    {
      JsonNode *value = JSON_NODE_HOLDS_OBJECT (output)
        ? json_object_get_member (json_node_get_object (output), "Value") : NULL;
      g_autofree char *text = NULL;

      if (value != NULL && json_node_get_value_type (value) == G_TYPE_STRING)
        text = g_strdup (json_node_get_string (value));
      else
        text = g_strdup_printf ("simulated-%s", key);

      json_object_set_string_member (outputs, key, text);
      set_var (sim, key, text);
    }
}

static JsonNode *
parse_template (Sim         *sim,
                Input       *input,
                const char  *path,
                GError     **error)
{
  g_autofree char *text = read_input_file (sim, input, path, error);
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (text == NULL)
    return NULL;

  root = pw_yaml_parse (text, -1, NULL, PW_YAML_PARSE_CFN_TAGS, &local_error);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   _("Template format error: %s::%s is not a valid template%s%s"),
                   input->name, path,
                   local_error != NULL ? ": " : "",
                   local_error != NULL ? local_error->message : "");
      g_clear_pointer (&root, json_node_unref);
      return NULL;
    }

  return root;
}

static gboolean
simulate_cloudformation (Sim     *sim,
                         GError **error)
{
  const char *mode = config_or (sim, "ActionMode", "");
  const char *stack = config_or (sim, "StackName", "?");
  const char *change_set = config_or (sim, "ChangeSetName", "?");
  const char *capabilities = config (sim, "Capabilities");
  const char *overrides = config (sim, "ParameterOverrides");
  const char *role = config (sim, "RoleArn");
  const char *output_file = config (sim, "OutputFileName");
  const char *template_spec = config (sim, "TemplatePath");
  g_autoptr(JsonNode) template = NULL;
  g_autoptr(JsonObject) outputs = json_object_new ();
  g_autoptr(JsonNode) outputs_node = NULL;
  g_autofree char *with = NULL;
  gboolean needs_template;

  needs_template = g_str_equal (mode, "CREATE_UPDATE") ||
                   g_str_equal (mode, "REPLACE_ON_FAILURE") ||
                   g_str_equal (mode, "CHANGE_SET_REPLACE");

  if (!needs_template && !g_str_equal (mode, "CHANGE_SET_EXECUTE") &&
      !g_str_equal (mode, "DELETE_ONLY"))
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   _("ActionMode '%s' is not one of CREATE_UPDATE, REPLACE_ON_FAILURE, "
                     "DELETE_ONLY, CHANGE_SET_REPLACE, CHANGE_SET_EXECUTE"),
                   mode);
      return FALSE;
    }

  if (needs_template)
    {
      const char *path;
      Input *input = require_artifact_path (sim, "TemplatePath", &path, error);

      if (input == NULL)
        return FALSE;

      template = parse_template (sim, input, path, error);
      if (template == NULL)
        return FALSE;

      if (!check_capabilities (sim, json_node_get_object (template), error) ||
          !check_parameter_overrides (sim, json_node_get_object (template), error))
        return FALSE;

      if (config (sim, "TemplateConfiguration") != NULL)
        {
          const char *configuration_path;

          if (require_artifact_path (sim, "TemplateConfiguration", &configuration_path,
                                     error) == NULL)
            return FALSE;
        }
    }

  with = g_strdup_printf ("%s%s%s%s",
                          capabilities != NULL ? " with capabilities " : " without capabilities",
                          capabilities != NULL ? capabilities : "",
                          overrides != NULL ? ", parameter overrides " : "",
                          overrides != NULL ? overrides : "");

  if (g_str_equal (mode, "CREATE_UPDATE") || g_str_equal (mode, "REPLACE_ON_FAILURE"))
    would (sim, "Would %s stack '%s' from %s%s", mode, stack, template_spec, with);
  else if (g_str_equal (mode, "CHANGE_SET_REPLACE"))
    would (sim, "Would create change set '%s' for stack '%s' from %s%s, without executing it",
           change_set, stack, template_spec, with);
  else if (g_str_equal (mode, "CHANGE_SET_EXECUTE"))
    would (sim, "Would execute change set '%s' on stack '%s'", change_set, stack);
  else
    would (sim, "Would delete stack '%s' (nothing to do if it does not exist)", stack);

  if (role != NULL)
    note (sim, "CloudFormation would act as role %s", role);

  if (template != NULL && !g_str_equal (mode, "CHANGE_SET_REPLACE"))
    collect_stack_outputs (sim, json_node_get_object (template), outputs);

  if (json_object_get_size (outputs) > 0)
    note (sim, "Stack outputs become the action's variables, with stand-in values: %u",
          json_object_get_size (outputs));

  /* The output file holds the stack outputs as a JSON object, as the real
   * action writes it; with no known outputs that is `{}`. */
  if (output_file != NULL && sim->output_names[0] != NULL)
    {
      g_autofree char *json = NULL;

      outputs_node = json_node_new (JSON_NODE_OBJECT);
      json_node_set_object (outputs_node, outputs);
      json = to_json (outputs_node, TRUE);

      if (!write_output (sim, sim->output_names[0], output_file, json, NULL, error))
        return FALSE;
    }

  sim->external_id = g_strdup_printf ("arn:aws:cloudformation:%s:%s:stack/%s/simulated",
                                      region (sim), account (sim), stack);

  return TRUE;
}

static void
set_stackset_variables (Sim        *sim,
                        const char *name)
{
  g_autofree char *seed = g_strdup_printf ("stackset:%s", name);
  g_autofree char *hex = fake_hex (seed, 32);
  g_autofree char *id = g_strdup_printf ("%s:%.8s-%.4s-%.4s-%.4s-%.12s", name,
                                         hex, hex + 8, hex + 12, hex + 16, hex + 20);

  set_var (sim, "StackSetId", id);
  set_var (sim, "OperationId", sim->action_execution_id);
}

static gboolean
simulate_stackset (Sim     *sim,
                   GError **error)
{
  const char *name = config_or (sim, "StackSetName", "?");
  const char *path;
  const char *targets = config (sim, "DeploymentTargets");
  const char *regions = config (sim, "Regions");

  if (require_artifact_path (sim, "TemplatePath", &path, error) == NULL)
    return FALSE;

  would (sim, "Would create or update StackSet '%s' from %s (permission model %s)%s%s%s%s",
         name, config (sim, "TemplatePath"), config_or (sim, "PermissionModel", "SELF_MANAGED"),
         targets != NULL ? " and deploy it to " : "", targets != NULL ? targets : "",
         regions != NULL ? " in regions " : "", regions != NULL ? regions : "");
  set_stackset_variables (sim, name);

  return TRUE;
}

static gboolean
simulate_stack_instances (Sim     *sim,
                          GError **error)
{
  const char *name = config_or (sim, "StackSetName", "?");
  const char *targets = config (sim, "DeploymentTargets");

  would (sim, "Would create or update the instances of StackSet '%s' in regions %s%s%s",
         name, config_or (sim, "Regions", "?"),
         targets != NULL ? " for " : "", targets != NULL ? targets : "");
  set_stackset_variables (sim, name);

  return TRUE;
}

/* ECS --------------------------------------------------------------------- */

/**
 * _pw_image_definitions_parse:
 * @text: an ECS deploy's imagedefinitions.json, from an input artifact
 * @length: its length, or -1
 * @file_name: its name, for messages
 * @input_name: the artifact it came from, for messages
 * @error: return location for an error
 *
 * Reads `[{"name": ..., "imageUri": ...}, ...]` with the bounded reader.
 *
 * Returns: (transfer full) (nullable): "web → repo/web:1.2, ...", or
 *   %NULL with @error
 */
char *
_pw_image_definitions_parse (const char  *text,
                             gssize       length,
                             const char  *file_name,
                             const char  *input_name,
                             GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GString) images = g_string_new (NULL);

  root = pw_json_parse (text, length, NULL, &local_error);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      if (g_error_matches (local_error, PW_CORE_ERROR, PW_CORE_ERROR_LIMIT))
        g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                     _("%s in %s cannot be read: %s"), file_name, input_name,
                     local_error->message);
      else
        g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                     _("%s in %s is not a JSON array of {\"name\", \"imageUri\"}"),
                     file_name, input_name);
      return NULL;
    }

  for (guint i = 0; i < json_array_get_length (json_node_get_array (root)); i++)
    {
      JsonNode *item = json_array_get_element (json_node_get_array (root), i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (item) ? json_node_get_object (item) : NULL;
      const char *container = object != NULL
        ? json_object_get_string_member_with_default (object, "name", NULL) : NULL;
      const char *uri = object != NULL
        ? json_object_get_string_member_with_default (object, "imageUri", NULL) : NULL;

      if (container == NULL || uri == NULL)
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                       _("%s in %s: entry %u lacks \"name\" or \"imageUri\""),
                       file_name, input_name, i + 1);
          return NULL;
        }

      g_string_append_printf (images, "%s%s → %s", i == 0 ? "" : ", ", container, uri);
    }

  return g_string_free (g_steal_pointer (&images), FALSE);
}

static gboolean
simulate_ecs (Sim     *sim,
              GError **error)
{
  Input *input = first_input (sim);
  const char *file_name = config_or (sim, "FileName", "imagedefinitions.json");
  g_autofree char *text = NULL;
  g_autofree char *images = NULL;

  if (input == NULL)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                   _("An ECS deploy action needs one input artifact holding %s"), file_name);
      return FALSE;
    }

  if (!require_file (sim, input, file_name, "FileName", error))
    return FALSE;

  text = read_input_file (sim, input, file_name, error);
  if (text == NULL)
    return FALSE;

  images = _pw_image_definitions_parse (text, -1, file_name, input->name, error);
  if (images == NULL)
    return FALSE;

  would (sim, "Would deploy %s from %s to service %s in cluster %s (%s)",
         file_name, input->name, config_or (sim, "ServiceName", "?"),
         config_or (sim, "ClusterName", "?"),
         images[0] != '\0' ? images : "no containers");

  return TRUE;
}

static gboolean
simulate_ecs_blue_green (Sim     *sim,
                         GError **error)
{
  const char *taskdef_artifact = config_or (sim, "TaskDefinitionTemplateArtifact", "?");
  const char *appspec_artifact = config_or (sim, "AppSpecTemplateArtifact", "?");
  const char *taskdef = config_or (sim, "TaskDefinitionTemplatePath", "taskdef.json");
  const char *appspec = config_or (sim, "AppSpecTemplatePath", "appspec.yaml");
  struct {
    const char *artifact;
    const char *path;
    const char *key;
  } files[] = {
    { taskdef_artifact, taskdef, "TaskDefinitionTemplatePath" },
    { appspec_artifact, appspec, "AppSpecTemplatePath" },
  };
  g_autoptr(GString) images = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      Input *input = find_input (sim, files[i].artifact);

      if (input == NULL)
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                       _("%s names artifact %s, which is not an input of the action"),
                       i == 0 ? "TaskDefinitionTemplateArtifact" : "AppSpecTemplateArtifact",
                       files[i].artifact);
          return FALSE;
        }

      if (!require_file (sim, input, files[i].path, files[i].key, error))
        return FALSE;
    }

  for (guint n = 1; n <= 4; n++)
    {
      g_autofree char *artifact_key = g_strdup_printf ("Image%uArtifactName", n);
      g_autofree char *container_key = g_strdup_printf ("Image%uContainerName", n);
      const char *artifact = config (sim, artifact_key);
      Input *input;

      if (artifact == NULL)
        continue;

      input = find_input (sim, artifact);
      if (input == NULL)
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                       _("%s names artifact %s, which is not an input of the action"),
                       artifact_key, artifact);
          return FALSE;
        }

      if (!require_file (sim, input, "imageDetail.json", artifact_key, error))
        return FALSE;

      g_string_append_printf (images, ", <%s> ← %s::imageDetail.json",
                              config_or (sim, container_key, "IMAGE_NAME"), artifact);
    }

  would (sim, "Would start a blue/green ECS deployment with CodeDeploy application '%s', "
         "deployment group '%s', task definition %s::%s and AppSpec %s::%s%s",
         config_or (sim, "ApplicationName", "?"), config_or (sim, "DeploymentGroupName", "?"),
         taskdef_artifact, taskdef, appspec_artifact, appspec, images->str);

  return TRUE;
}

/* Other deploy targets ---------------------------------------------------- */

static gboolean
simulate_beanstalk (Sim     *sim,
                    GError **error)
{
  Input *input = first_input (sim);
  GPtrArray *entries = input != NULL ? input_entries (input, error) : NULL;

  if (input != NULL && entries == NULL)
    return FALSE;

  would (sim, "Would upload %s (%u entries) as a new version of Elastic Beanstalk application "
         "'%s' and deploy it to environment '%s'",
         input != NULL ? input->name : "?", entries != NULL ? entries->len : 0,
         config_or (sim, "ApplicationName", "?"), config_or (sim, "EnvironmentName", "?"));

  return TRUE;
}

static gboolean
simulate_service_catalog (Sim     *sim,
                          GError **error)
{
  Input *input = first_input (sim);
  const char *configuration = config (sim, "ConfigurationFilePath");
  const char *template = config (sim, "TemplateFilePath");
  const char *path = configuration != NULL ? configuration : template;

  if (input != NULL && path != NULL &&
      !require_file (sim, input, path,
                     configuration != NULL ? "ConfigurationFilePath" : "TemplateFilePath", error))
    return FALSE;

  would (sim, "Would create version '%s' of Service Catalog product %s from %s::%s",
         config_or (sim, "ProductVersionName", configuration != NULL ? "(from the file)" : "?"),
         config_or (sim, "ProductId", "?"), input != NULL ? input->name : "?",
         path != NULL ? path : "?");

  return TRUE;
}

static gboolean
simulate_appconfig (Sim     *sim,
                    GError **error)
{
  Input *input = first_input (sim);
  const char *path = config (sim, "InputArtifactConfigurationPath");

  if (input != NULL && path != NULL &&
      !require_file (sim, input, path, "InputArtifactConfigurationPath", error))
    return FALSE;

  would (sim, "Would deploy %s::%s as a new version of configuration profile %s of AppConfig "
         "application %s to environment %s with deployment strategy %s",
         input != NULL ? input->name : "?", path != NULL ? path : "?",
         config_or (sim, "ConfigurationProfile", "?"), config_or (sim, "Application", "?"),
         config_or (sim, "Environment", "?"), config_or (sim, "DeploymentStrategy", "(default)"));

  return TRUE;
}

static gboolean
simulate_device_farm (Sim     *sim,
                      GError **error)
{
  Input *input = first_input (sim);
  const char *app = config (sim, "App");

  /* App may be a glob in AWS; only a plain path can be checked here. */
  if (input != NULL && app != NULL && strpbrk (app, "*?[{") == NULL &&
      !require_file (sim, input, app, "App", error))
    return FALSE;

  would (sim, "Would run %s tests of %s %s::%s on device pool %s in Device Farm project %s",
         config_or (sim, "TestType", "?"), config_or (sim, "AppType", "?"),
         input != NULL ? input->name : "?", app != NULL ? app : "?",
         config_or (sim, "DevicePoolArn", "?"), config_or (sim, "ProjectId", "?"));

  return TRUE;
}

/* Sources and invokes ----------------------------------------------------- */

static gboolean
simulate_ecr_source (Sim     *sim,
                     GError **error)
{
  const char *repository = config_or (sim, "RepositoryName", "?");
  const char *tag = config_or (sim, "ImageTag", "latest");
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *registry = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *json = NULL;
  g_autofree char *pushed = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  if (sim->source_revision != NULL && g_str_has_prefix (sim->source_revision, "sha256:"))
    digest = g_strdup (sim->source_revision);
  else
    {
      g_autofree char *seed = g_strdup_printf ("%s:%s", repository, tag);
      g_autofree char *hex = fake_hex (seed, 64);

      digest = g_strdup_printf ("sha256:%s", hex);
    }

  registry = g_strdup_printf ("%s.dkr.ecr.%s.amazonaws.com", account (sim), region (sim));
  uri = g_strdup_printf ("%s/%s@%s", registry, repository, digest);
  pushed = g_date_time_format_iso8601 (now);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ImageSizeInBytes");
  json_builder_add_string_value (b, "0");
  json_builder_set_member_name (b, "ImageDigest");
  json_builder_add_string_value (b, digest);
  json_builder_set_member_name (b, "Version");
  json_builder_add_string_value (b, "1.0");
  json_builder_set_member_name (b, "ImagePushedAt");
  json_builder_add_string_value (b, pushed);
  json_builder_set_member_name (b, "RegistryId");
  json_builder_add_string_value (b, account (sim));
  json_builder_set_member_name (b, "RepositoryName");
  json_builder_add_string_value (b, repository);
  json_builder_set_member_name (b, "ImageURI");
  json_builder_add_string_value (b, uri);
  json_builder_set_member_name (b, "ImageTags");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, tag);
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json = to_json (root, TRUE);

  would (sim, "Would read image %s:%s from ECR repository %s (a stand-in digest %s)",
         repository, tag, repository, digest);

  if (sim->output_names[0] != NULL &&
      !write_output (sim, sim->output_names[0], "imageDetail.json", json, digest, error))
    return FALSE;

  set_var (sim, "RegistryId", account (sim));
  set_var (sim, "RepositoryName", repository);
  set_var (sim, "ImageTag", tag);
  set_var (sim, "ImageDigest", digest);
  set_var (sim, "ImageURI", uri);
  sim->external_id = g_strdup (digest);

  return TRUE;
}

static gboolean
simulate_step_functions (Sim     *sim,
                         GError **error)
{
  const char *arn = config_or (sim, "StateMachineArn", "?");
  const char *prefix = config (sim, "ExecutionNamePrefix");
  const char *input_type = config_or (sim, "InputType", "Literal");
  const char *input_value = config_or (sim, "Input", "{}");
  const char *machine = strstr (arn, ":stateMachine:");
  g_autofree char *name = NULL;
  g_autofree char *execution_arn = NULL;
  g_autofree char *described_input = NULL;

  name = prefix != NULL ? g_strdup_printf ("%s-%s", prefix, sim->action_execution_id)
                        : g_strdup (sim->action_execution_id);
  machine = machine != NULL ? machine + strlen (":stateMachine:") : "state-machine";
  execution_arn = g_strdup_printf ("arn:aws:states:%s:%s:execution:%s:%s",
                                   region (sim), account (sim), machine, name);

  if (g_str_equal (input_type, "FilePath"))
    {
      Input *input = first_input (sim);

      if (input == NULL)
        {
          g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CONFIGURATION,
                       _("InputType FilePath needs an input artifact holding %s"), input_value);
          return FALSE;
        }

      if (!require_file (sim, input, input_value, "Input", error))
        return FALSE;

      described_input = g_strdup_printf ("the contents of %s::%s", input->name, input_value);
    }
  else
    described_input = g_strdup (input_value);

  would (sim, "Would start execution '%s' of state machine %s with input %s",
         name, arn, described_input);

  set_var (sim, "StateMachineArn", arn);
  set_var (sim, "ExecutionArn", execution_arn);
  sim->external_id = g_strdup (execution_arn);

  /* The real output is the state machine's output JSON; none is known. */
  if (sim->output_names[0] != NULL &&
      !write_output (sim, sim->output_names[0], "output.json", "{}\n", NULL, error))
    return FALSE;

  return TRUE;
}

static gboolean
simulate_ecr_build (Sim     *sim,
                    GError **error)
{
  const char *repository = config_or (sim, "ECRRepositoryName", "?");
  Input *input = first_input (sim);
  g_autofree char *hex = fake_hex (repository, 64);
  g_autofree char *digest = g_strdup_printf ("sha256:%s", hex);

  would (sim, "Would build the image from %s (Dockerfile in %s) and push it to ECR repository "
         "%s with tags %s",
         input != NULL ? input->name : "no input", config_or (sim, "DockerFilePath", "."),
         repository, config_or (sim, "ImageTags", "latest"));

  set_var (sim, "ECRImageDigestId", digest);
  set_var (sim, "ECRRepository", repository);

  return TRUE;
}

/* Anything else ------------------------------------------------------------ */

static char *
describe_configuration (Sim *sim)
{
  g_autoptr(JsonObject) visible = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  json_object_iter_init_ordered (&iter, sim->config);
  while (json_object_iter_next_ordered (&iter, &key, &value))
    if (!g_str_has_prefix (key, "__"))
      json_object_set_member (visible, key, json_node_copy (value));

  json_node_set_object (node, visible);

  return to_json (node, FALSE);
}

static gboolean
simulate_generic (Sim     *sim,
                  GError **error)
{
  g_autofree char *configuration = describe_configuration (sim);

  if (g_strcmp0 (sim->owner, "Custom") == 0)
    would (sim, "Would hand a job to the job worker of custom action type %s/%s/%s/%s (for "
           "example a Jenkins project) and wait for its result; configuration %s",
           sim->category, sim->owner, sim->provider, sim->version, configuration);
  else if (g_strcmp0 (sim->provider, "OpsWorks") == 0)
    would (sim, "Would deploy OpsWorks app %s to stack %s%s%s",
           config_or (sim, "App", "?"), config_or (sim, "Stack", "?"),
           config (sim, "Layer") != NULL ? ", layer " : "", config_or (sim, "Layer", ""));
  else if (g_strcmp0 (sim->provider, "AlexaSkillsKit") == 0)
    would (sim, "Would deploy Alexa skill %s from %s",
           config_or (sim, "SkillId", "?"),
           first_input (sim) != NULL ? first_input (sim)->name : "no input");
  else if (g_strcmp0 (sim->provider, "InspectorScan") == 0)
    would (sim, "Would run an Amazon Inspector %s scan of %s",
           config_or (sim, "InspectorRunMode", "?"),
           config (sim, "ECRRepositoryName") != NULL
             ? config (sim, "ECRRepositoryName")
             : (first_input (sim) != NULL ? first_input (sim)->name : "no input"));
  else
    would (sim, "Would run %s/%s/%s action '%s' in AWS with configuration %s",
           sim->category, sim->owner, sim->provider, sim->action_name, configuration);

  return TRUE;
}

static gboolean
simulate (Sim     *sim,
          GError **error)
{
  static const struct {
    const char *provider;
    gboolean (*simulate) (Sim *sim, GError **error);
  } table[] = {
    { "CloudFormation", simulate_cloudformation },
    { "CloudFormationStackSet", simulate_stackset },
    { "CloudFormationStackInstances", simulate_stack_instances },
    { "ECS", simulate_ecs },
    { "CodeDeployToECS", simulate_ecs_blue_green },
    { "ElasticBeanstalk", simulate_beanstalk },
    { "ServiceCatalog", simulate_service_catalog },
    { "AppConfig", simulate_appconfig },
    { "DeviceFarm", simulate_device_farm },
    { "ECR", simulate_ecr_source },
    { "StepFunctions", simulate_step_functions },
    { "ECRBuildAndPublish", simulate_ecr_build },
  };

  if (g_strcmp0 (sim->owner, "AWS") == 0)
    {
      for (guint i = 0; i < G_N_ELEMENTS (table); i++)
        if (g_strcmp0 (sim->provider, table[i].provider) == 0)
          return table[i].simulate (sim, error);
    }

  return simulate_generic (sim, error);
}

static void
simulate_worker (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  Sim *sim = task_data;
  GError *error = NULL;

  for (guint i = 0; i < sim->inputs->len; i++)
    {
      Input *input = g_ptr_array_index (sim->inputs, i);
      g_autofree char *listing = NULL;

      if (input_entries (input, &error) == NULL)
        {
          g_task_return_error (task, error);
          return;
        }

      listing = describe_entries (input);
      note (sim, "Input artifact %s: %s", input->name, listing);
    }

  if (!simulate (sim, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  /* Every declared output gets a zip, so downstream actions can run; ones
   * the provider did not write hold a note saying what made them. */
  for (guint i = 0; sim->output_names[i] != NULL; i++)
    {
      gboolean written = FALSE;
      g_autoptr(JsonBuilder) b = NULL;
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *json = NULL;

      for (guint j = 0; j < sim->outputs->len; j++)
        if (g_strcmp0 (((Output *)g_ptr_array_index (sim->outputs, j))->name,
                       sim->output_names[i]) == 0)
          written = TRUE;

      if (written)
        continue;

      b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "simulated");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_set_member_name (b, "action");
      json_builder_add_string_value (b, sim->action_name);
      json_builder_set_member_name (b, "actionTypeId");
      json_builder_add_string_value (b, sim->provider);
      json_builder_set_member_name (b, "actionExecutionId");
      json_builder_add_string_value (b, sim->action_execution_id);
      json_builder_set_member_name (b, "summary");
      json_builder_add_string_value (b, sim->summary);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      json = to_json (root, TRUE);

      if (!write_output (sim, sim->output_names[i], "pipewright-simulated.json", json, NULL,
                         &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }

  g_task_return_boolean (task, TRUE);
}

static void
simulate_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  Sim *sim = g_task_get_task_data (task);
  GError *error = NULL;
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; sim->log != NULL && i < sim->notes->len; i++)
    {
      pw_log_write (sim->log, g_ptr_array_index (sim->notes, i), -1);
      pw_log_write (sim->log, "\n", 1);
    }

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (sim->log != NULL)
        {
          pw_log_write (sim->log, error->message, -1);
          pw_log_write (sim->log, "\n", 1);
        }

      if (error->domain != PW_ENGINE_ERROR)
        {
          GError *wrapped = g_error_new (PW_ENGINE_ERROR,
                                         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                                           ? PW_ENGINE_ERROR_CANCELLED : PW_ENGINE_ERROR_FAILED,
                                         "%s", error->message);

          g_error_free (error);
          error = wrapped;
        }

      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  for (guint i = 0; i < sim->outputs->len; i++)
    {
      Output *output = g_ptr_array_index (sim->outputs, i);

      pw_action_job_add_output (sim->job, output->name, output->zip_path, output->revision);
    }

  g_hash_table_iter_init (&iter, sim->variables);
  while (g_hash_table_iter_next (&iter, &key, &value))
    pw_action_job_set_output_variable (sim->job, key, value);

  pw_action_job_set_simulated (sim->job, TRUE);
  pw_action_job_set_summary (sim->job, sim->summary);
  if (sim->external_id != NULL)
    pw_action_job_set_external_id (sim->job, sim->external_id);

  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
pw_simulated_provider_run_async (PwProvider          *provider,
                                 PwActionJob         *job,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  /* Values AWS hides in its own console; keep them out of the log too. */
  static const char * const secret_keys[] = { "OAuthToken", "ClientSecret", "RefreshToken", NULL };
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) worker = NULL;
  g_autoptr(Sim) sim = g_new0 (Sim, 1);
  PwAction *action = pw_action_job_get_action (job);
  JsonObject *configuration = pw_action_job_get_configuration (job);
  GPtrArray *inputs = pw_action_job_get_inputs (job);

  task = g_task_new (provider, cancellable, callback, user_data);
  g_task_set_source_tag (task, pw_simulated_provider_run_async);

  /* The worker thread only sees copies, never the job itself. */
  sim->job = g_object_ref (job);
  if (pw_action_job_get_log (job) != NULL)
    sim->log = g_object_ref (pw_action_job_get_log (job));
  sim->config = json_object_new ();
  sim->inputs = g_ptr_array_new_with_free_func (input_free);
  sim->outputs = g_ptr_array_new_with_free_func (output_free);
  sim->notes = g_ptr_array_new_with_free_func (g_free);
  sim->variables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sim->category = g_strdup (action != NULL ? pw_action_get_category (action) : NULL);
  sim->owner = g_strdup (action != NULL ? pw_action_get_owner (action) : NULL);
  sim->provider = g_strdup (action != NULL ? pw_action_get_provider (action) : NULL);
  sim->version = g_strdup (action != NULL ? pw_action_get_version (action) : NULL);
  sim->action_name = g_strdup (pw_action_job_get_action_name (job));
  sim->output_names = pw_action_job_dup_output_names (job);
  if (sim->output_names == NULL)
    sim->output_names = g_new0 (char *, 1);
  sim->output_dir = g_strdup (pw_action_job_get_output_dir (job));
  sim->work_dir = g_strdup (pw_action_job_get_work_dir (job));
  sim->region = g_strdup (pw_action_job_get_region (job));
  sim->account = g_strdup (pw_action_job_get_account (job));
  sim->action_execution_id = g_strdup (pw_action_job_get_action_execution_id (job) != NULL
                                       ? pw_action_job_get_action_execution_id (job)
                                       : "00000000-0000-0000-0000-000000000000");
  sim->source_revision = g_strdup (pw_action_job_get_source_revision (job));

  if (configuration != NULL)
    {
      JsonObjectIter iter;
      const char *key;
      JsonNode *value;

      json_object_iter_init_ordered (&iter, configuration);
      while (json_object_iter_next_ordered (&iter, &key, &value))
        json_object_set_member (sim->config, key, json_node_copy (value));
    }

  for (guint i = 0; secret_keys[i] != NULL && sim->log != NULL; i++)
    {
      const char *secret = pw_action_job_get_config (job, secret_keys[i]);

      if (secret != NULL && secret[0] != '\0' && g_strcmp0 (secret, "****") != 0)
        pw_log_add_secret (sim->log, secret);
    }

  for (guint i = 0; inputs != NULL && i < inputs->len; i++)
    {
      const PwJobArtifact *artifact = g_ptr_array_index (inputs, i);
      Input *input = g_new0 (Input, 1);

      input->name = g_strdup (artifact->name);
      input->zip_path = g_strdup (artifact->zip_path);
      input->revision = g_strdup (artifact->revision);
      g_ptr_array_add (sim->inputs, input);
    }

  if (sim->work_dir == NULL || (sim->output_names[0] != NULL && sim->output_dir == NULL))
    {
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED,
                               _("The job of action '%s' has no work or output folder"),
                               sim->action_name);
      return;
    }

  g_task_set_task_data (task, g_steal_pointer (&sim), (GDestroyNotify)sim_free);

  worker = g_task_new (NULL, cancellable, simulate_cb, g_object_ref (task));
  g_task_set_source_tag (worker, simulate_worker);
  g_task_set_task_data (worker, g_task_get_task_data (task), NULL);
  g_task_run_in_thread (worker, simulate_worker);
}

static gboolean
pw_simulated_provider_run_finish (PwProvider    *provider,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
pw_simulated_provider_iface_init (PwProviderInterface *iface)
{
  iface->run_async = pw_simulated_provider_run_async;
  iface->run_finish = pw_simulated_provider_run_finish;
}

static void
pw_simulated_provider_class_init (PwSimulatedProviderClass *klass)
{
}

static void
pw_simulated_provider_init (PwSimulatedProvider *self)
{
}

/**
 * pw_simulated_provider_new:
 *
 * The provider of actions with no local meaning (CloudFormation, ECS,
 * Elastic Beanstalk, Step Functions, …). It changes nothing anywhere: it
 * checks what AWS would check with the files at hand (a TemplatePath that
 * names a file missing from its artifact fails as it would in AWS; so do
 * missing IAM capabilities and unknown parameter overrides), logs what
 * would have happened in AWS, marks the job simulated and gives a summary
 * starting with "Simulated: ".
 *
 * Declared output artifacts get small zips so downstream actions have an
 * input: CloudFormation's holds OutputFileName with the stack outputs as a
 * JSON object (literal `Value`s kept, computed ones `simulated-<Key>`; `{}`
 * when the template has none), which also become the action's variables;
 * an ECR source's holds `imageDetail.json` with a stand-in digest derived
 * from repository and tag; Step Functions' holds `output.json` (`{}`); any
 * other holds `pipewright-simulated.json`, a note naming the action.
 *
 * Returns: (transfer full): a new provider
 */
PwProvider *
pw_simulated_provider_new (void)
{
  return g_object_new (PW_TYPE_SIMULATED_PROVIDER, NULL);
}
