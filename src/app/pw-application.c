/* pw-application.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-application"

#include "config.h"

#include <glib/gi18n.h>

#include "pw-application.h"
#include "pw-preferences-window.h"
#include "pw-window.h"

#define MAX_RECENT 12

struct _PwApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  GtkStringList  *recent;
};

G_DEFINE_FINAL_TYPE (PwApplication, pw_application, ADW_TYPE_APPLICATION)

static void
load_recent (PwApplication *self)
{
  g_auto(GStrv) paths = g_settings_get_strv (self->settings, "recent-files");

  gtk_string_list_splice (self->recent, 0, g_list_model_get_n_items (G_LIST_MODEL (self->recent)),
                          (const char * const *)paths);
}

static void
style_variant_changed_cb (PwApplication *self,
                          const char    *key,
                          GSettings     *settings)
{
  g_autofree char *variant = g_settings_get_string (settings, "style-variant");
  AdwColorScheme scheme = ADW_COLOR_SCHEME_DEFAULT;

  if (g_str_equal (variant, "light"))
    scheme = ADW_COLOR_SCHEME_FORCE_LIGHT;
  else if (g_str_equal (variant, "dark"))
    scheme = ADW_COLOR_SCHEME_FORCE_DARK;

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), scheme);
}

static PwWindow *
reusable_window (PwApplication *self)
{
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (PW_IS_WINDOW (active) && pw_window_is_empty (PW_WINDOW (active)))
    return PW_WINDOW (active);
  return NULL;
}

static void
pw_application_activate (GApplication *app)
{
  PwApplication *self = PW_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (pw_application_new_window (self));

  gtk_window_present (window);
}

static void
pw_application_open (GApplication  *app,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  PwApplication *self = PW_APPLICATION (app);

  for (int i = 0; i < n_files; i++)
    pw_application_open_file (self, files[i], NULL);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  PwApplication *self = user_data;
  g_autoptr(GList) windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

  /* Each window asks about its unsaved work before it goes. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  PwApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  static const char *developers[] = { "The Pipewright Authors", NULL };
  AdwAboutWindow *about;

  about = ADW_ABOUT_WINDOW (adw_about_window_new ());
  adw_about_window_set_application_name (about, _("Pipewright"));
  adw_about_window_set_application_icon (about, APP_ID);
  adw_about_window_set_developer_name (about, _("The Pipewright Authors"));
  adw_about_window_set_version (about, PACKAGE_VERSION);
  adw_about_window_set_comments (about, _("Design AWS CodePipeline pipelines, check them against the "
                                          "rules the service enforces, export them for AWS and run "
                                          "them on your own machine."));
  adw_about_window_set_website (about, "https://github.com/pipewright/pipewright");
  adw_about_window_set_issue_url (about, "https://github.com/pipewright/pipewright/issues");
  adw_about_window_set_developers (about, developers);
  adw_about_window_set_copyright (about, "© 2026 The Pipewright Authors");
  adw_about_window_set_license_type (about, GTK_LICENSE_GPL_3_0);
  /* Translators: put your names here, one per line */
  adw_about_window_set_translator_credits (about, _("translator-credits"));
  gtk_window_set_transient_for (GTK_WINDOW (about), parent);
  gtk_window_set_modal (GTK_WINDOW (about), TRUE);
  gtk_window_present (GTK_WINDOW (about));
}

static void
help_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  PwApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  const char *page = param != NULL ? g_variant_get_string (param, NULL) : "";
  g_autofree char *uri = page[0] != '\0' ? g_strdup_printf ("help:pipewright/%s", page)
                                         : g_strdup ("help:pipewright");

  gtk_show_uri (parent, uri, GDK_CURRENT_TIME);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  PwApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWindow *prefs = pw_preferences_window_new (self->settings);

  gtk_window_set_transient_for (prefs, parent);
  gtk_window_present (prefs);
}

static void
new_window_action (GSimpleAction *action,
                   GVariant      *param,
                   gpointer       user_data)
{
  PwApplication *self = user_data;

  gtk_window_present (GTK_WINDOW (pw_application_new_window (self)));
}

/* The window whose run is @execution_id (a notification's target). */
static PwWindow *
window_of_execution (PwApplication *self,
                     const char    *execution_id)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    {
      PwRunController *runs = PW_IS_WINDOW (l->data) ? pw_window_get_runs (l->data) : NULL;
      PwExecutionList *list = runs != NULL ? pw_run_controller_get_executions (runs) : NULL;

      if (list != NULL && pw_execution_list_lookup (list, execution_id) != NULL)
        return l->data;
    }
  return NULL;
}

/* A notification clicked: the window of its run, in front. */
static void
show_run_action (GSimpleAction *action,
                 GVariant      *param,
                 gpointer       user_data)
{
  PwWindow *window = window_of_execution (user_data, g_variant_get_string (param, NULL));

  if (window != NULL)
    {
      PwRunController *runs = pw_window_get_runs (window);

      pw_run_controller_set_execution (runs, pw_execution_list_lookup (pw_run_controller_get_executions (runs),
                                                                       g_variant_get_string (param, NULL)));
      gtk_window_present (GTK_WINDOW (window));
    }
}

/* Approve or Reject on a notification: (execution, stage, action, approved). */
static void
decide_action (GSimpleAction *action,
               GVariant      *param,
               gpointer       user_data)
{
  const char *id, *stage, *name;
  gboolean approved;
  PwWindow *window;
  PwExecution *execution;
  PwActionExecution *approval;
  g_autoptr(GError) error = NULL;

  g_variant_get (param, "(&s&s&sb)", &id, &stage, &name, &approved);
  window = window_of_execution (user_data, id);
  if (window == NULL)
    return;
  execution = pw_execution_list_lookup (pw_run_controller_get_executions (pw_window_get_runs (window)), id);
  approval = pw_execution_lookup_action (execution, stage, name);
  if (approval == NULL || g_strcmp0 (pw_action_execution_get_status (approval), "InProgress") != 0)
    return;
  pw_run_controller_set_execution (pw_window_get_runs (window), execution);
  if (!pw_run_controller_decide (pw_window_get_runs (window), approval, approved, NULL, &error))
    pw_window_add_toast (window, error->message);
}

static const GActionEntry app_actions[] = {
  { "show-run", show_run_action, "s" },
  { "decide", decide_action, "(sssb)" },
  { "quit", quit_action },
  { "about", about_action },
  { "help", help_action },
  { "help-page", help_action, "s" },
  { "preferences", preferences_action },
  { "new-window", new_window_action },
};

static void
pw_application_startup (GApplication *app)
{
  PwApplication *self = PW_APPLICATION (app);
  static const struct {
    const char *action;
    const char *accels[3];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.help", { "F1", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "app.new-window", { "<Control><Shift>n", NULL } },
    { "win.new-from-template", { "<Control>n", NULL } },
    { "win.open", { "<Control>o", NULL } },
    { "win.save", { "<Control>s", NULL } },
    { "win.save-as", { "<Control><Shift>s", NULL } },
    { "win.export", { "<Control>e", NULL } },
    { "win.import", { "<Control>i", NULL } },
    { "win.close", { "<Control>w", NULL } },
    { "win.undo", { "<Control>z", NULL } },
    { "win.redo", { "<Control><Shift>z", "<Control>y", NULL } },
    { "win.run", { "F5", NULL } },
    { "win.run-with-options", { "<Shift>F5", NULL } },
    { "win.show-runs", { "<Control><Shift>r", NULL } },
    { "win.show-code", { "<Control>1", NULL } },
    { "win.show-problems", { "<Control>2", NULL } },
    { "win.toggle-panel", { "F9", NULL } },
    { "win.toggle-inspector", { "<Control>F9", NULL } },
    { "win.toggle-palette", { "<Shift>F9", NULL } },
    { "win.next-problem", { "<Control>period", NULL } },
    { "win.previous-problem", { "<Control><Shift>period", NULL } },
    { "win.fullscreen", { "F11", NULL } },
  };

  G_APPLICATION_CLASS (pw_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action, accels[i].accels);

  g_signal_connect_object (self->settings, "changed::style-variant",
                           G_CALLBACK (style_variant_changed_cb), self, G_CONNECT_SWAPPED);
  style_variant_changed_cb (self, "style-variant", self->settings);
}

static void
pw_application_dispose (GObject *object)
{
  PwApplication *self = (PwApplication *)object;

  g_clear_object (&self->settings);
  g_clear_object (&self->recent);

  G_OBJECT_CLASS (pw_application_parent_class)->dispose (object);
}

static void
pw_application_class_init (PwApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = pw_application_dispose;
  app_class->activate = pw_application_activate;
  app_class->open = pw_application_open;
  app_class->startup = pw_application_startup;
}

static void
pw_application_init (PwApplication *self)
{
  /* One schema, its id the base app id, also in Devel builds (STYLE §13). */
  self->settings = g_settings_new ("io.github.pipewright.Pipewright");
  self->recent = gtk_string_list_new (NULL);
  load_recent (self);
  g_signal_connect_object (self->settings, "changed::recent-files",
                           G_CALLBACK (load_recent), self, G_CONNECT_SWAPPED);
}

PwApplication *
pw_application_new (void)
{
  return g_object_new (PW_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/pipewright/Pipewright",
                       NULL);
}

GSettings *
pw_application_get_settings (PwApplication *self)
{
  g_return_val_if_fail (PW_IS_APPLICATION (self), NULL);

  return self->settings;
}

/**
 * pw_application_find_window:
 *
 * Returns: (transfer none) (nullable): the window that has @file open
 */
PwWindow *
pw_application_find_window (PwApplication *self,
                            GFile         *file)
{
  g_return_val_if_fail (PW_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    {
      GFile *open;

      if (!PW_IS_WINDOW (l->data))
        continue;
      open = pw_window_get_file (l->data);
      if (open != NULL && g_file_equal (open, file))
        return l->data;
    }

  return NULL;
}

PwWindow *
pw_application_new_window (PwApplication *self)
{
  g_return_val_if_fail (PW_IS_APPLICATION (self), NULL);

  return pw_window_new (self);
}

/**
 * pw_application_open_file:
 * @prefer: (nullable): a window to open it in, if that window is empty
 *
 * Presents the window that has @file open, or opens it: in @prefer or the
 * active window when it shows the start page, else in a new window.
 */
void
pw_application_open_file (PwApplication *self,
                          GFile         *file,
                          PwWindow      *prefer)
{
  PwWindow *window;

  g_return_if_fail (PW_IS_APPLICATION (self));
  g_return_if_fail (G_IS_FILE (file));

  window = pw_application_find_window (self, file);
  if (window != NULL)
    {
      gtk_window_present (GTK_WINDOW (window));
      return;
    }

  if (prefer != NULL && pw_window_is_empty (prefer))
    window = prefer;
  else
    window = reusable_window (self);
  if (window == NULL)
    window = pw_application_new_window (self);

  pw_window_load_file (window, file);
  pw_window_present_loaded (window);
}

/* The start page lists these; newest first. */
void
pw_application_add_recent (PwApplication *self,
                           GFile         *file)
{
  g_auto(GStrv) old = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) paths = NULL;
  g_autofree char *path = NULL;
  guint n = 1;

  g_return_if_fail (PW_IS_APPLICATION (self));
  g_return_if_fail (G_IS_FILE (file));

  path = g_file_get_path (file);
  if (path == NULL)
    return;

  old = g_settings_get_strv (self->settings, "recent-files");
  builder = g_strv_builder_new ();
  g_strv_builder_add (builder, path);
  for (guint i = 0; old[i] != NULL && n < MAX_RECENT; i++)
    if (!g_str_equal (old[i], path))
      {
        g_strv_builder_add (builder, old[i]);
        n++;
      }
  paths = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-files", (const char * const *)paths);
}

/**
 * pw_application_get_recent:
 *
 * Returns: (transfer none): the paths of recently opened files, a
 *   #GtkStringList, newest first
 */
GListModel *
pw_application_get_recent (PwApplication *self)
{
  g_return_val_if_fail (PW_IS_APPLICATION (self), NULL);

  return G_LIST_MODEL (self->recent);
}
