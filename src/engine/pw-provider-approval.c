/* pw-provider-approval.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-provider-approval"

#include "config.h"

#include "pw-engine.h"

/* Manual approval: the action waits, holding its stage, until someone
 * approves or rejects it (pw_action_job_decide, from the CLI, the app or
 * another process through the state folder) or its timeout passes. */

#define DEFAULT_TIMEOUT (7 * 24 * 60 * 60)   /* the service's 7 days */

struct _PwApprovalProvider
{
  GObject parent_instance;
};

typedef struct
{
  PwActionJob *job;
  gulong       decided_id;
  gulong       cancelled_id;
  guint        timeout_id;
} Wait;

static void provider_iface_init (PwProviderInterface *iface);

G_DECLARE_FINAL_TYPE (PwApprovalProvider, pw_approval_provider, PW, APPROVAL_PROVIDER, GObject)
G_DEFINE_FINAL_TYPE_WITH_CODE (PwApprovalProvider, pw_approval_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PW_TYPE_PROVIDER, provider_iface_init))

static void
wait_free (gpointer data)
{
  Wait *wait = data;

  g_clear_signal_handler (&wait->decided_id, wait->job);
  g_clear_handle_id (&wait->timeout_id, g_source_remove);
  g_clear_object (&wait->job);
  g_free (wait);
}

static void
finish (GTask *task)
{
  Wait *wait = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  /* Disconnect now: the task may outlive this moment. */
  g_clear_signal_handler (&wait->decided_id, wait->job);
  g_clear_handle_id (&wait->timeout_id, g_source_remove);
  if (cancellable != NULL && wait->cancelled_id != 0)
    {
      g_cancellable_disconnect (cancellable, wait->cancelled_id);
      wait->cancelled_id = 0;
    }
}

static void
decided_cb (PwActionJob *job,
            gboolean     approved,
            const char  *summary,
            const char  *by,
            GTask       *task)
{
  PwLog *log = pw_action_job_get_log (job);
  g_autofree char *text = NULL;

  if (g_task_get_completed (task) || g_task_had_error (task))
    return;

  text = g_strdup_printf ("%s%s%s%s%s", approved ? "Approved" : "Rejected",
                          by != NULL ? " by " : "", by != NULL ? by : "",
                          summary != NULL && summary[0] ? ": " : "",
                          summary != NULL ? summary : "");
  if (log != NULL)
    pw_log_printf (log, "%s", text);
  pw_action_job_set_summary (job, text);

  g_object_ref (task);
  finish (task);
  if (approved)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_FAILED, "%s", text);
  g_object_unref (task);
}

static gboolean
timeout_cb (gpointer data)
{
  GTask *task = data;
  Wait *wait = g_task_get_task_data (task);
  const char *message = "Approval timed out: nobody approved or rejected it in time";

  wait->timeout_id = 0;
  if (pw_action_job_get_log (wait->job) != NULL)
    pw_log_printf (pw_action_job_get_log (wait->job), "%s", message);
  pw_action_job_set_summary (wait->job, message);

  g_object_ref (task);
  finish (task);
  g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_TIMEOUT, "%s", message);
  g_object_unref (task);

  return G_SOURCE_REMOVE;
}

static gboolean
cancelled_idle_cb (gpointer data)
{
  GTask *task = data;

  if (!g_task_get_completed (task))
    {
      finish (task);
      g_task_return_new_error (task, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CANCELLED,
                               "Approval abandoned");
    }

  return G_SOURCE_REMOVE;
}

static void
cancelled_cb (GCancellable *cancellable,
              GTask        *task)
{
  /* Never return from inside the cancellable's own emission. */
  g_idle_add_full (G_PRIORITY_DEFAULT, cancelled_idle_cb, g_object_ref (task), g_object_unref);
}

static void
pw_approval_provider_run_async (PwProvider          *provider,
                                PwActionJob         *job,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (provider, cancellable, callback, user_data);
  PwLog *log = pw_action_job_get_log (job);
  Wait *wait = g_new0 (Wait, 1);
  guint timeout = pw_action_job_get_timeout (job);
  const char *custom = pw_action_job_get_config (job, "CustomData");
  const char *link = pw_action_job_get_config (job, "ExternalEntityLink");
  const char *topic = pw_action_job_get_config (job, "NotificationArn");
  gboolean approved;

  g_task_set_source_tag (task, pw_approval_provider_run_async);
  wait->job = g_object_ref (job);
  g_task_set_task_data (task, wait, wait_free);

  if (timeout == 0)
    timeout = DEFAULT_TIMEOUT;

  if (log != NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autoptr(GDateTime) expires = g_date_time_add_seconds (now, timeout);
      g_autofree char *when = g_date_time_format_iso8601 (expires);

      pw_log_printf (log, "Waiting for approval (token %s); expires %s",
                     pw_action_job_get_approval_token (job), when);
      if (custom != NULL)
        pw_log_printf (log, "Comment: %s", custom);
      if (link != NULL)
        pw_log_printf (log, "Review: %s", link);
      if (topic != NULL)
        pw_log_printf (log, "Would notify SNS topic %s (simulated)", topic);
      pw_log_printf (log, "Approve with: pipewright-cli approve %s %s %s",
                     pw_action_job_get_execution_id (job), pw_action_job_get_stage_name (job),
                     pw_action_job_get_action_name (job));
    }

  /* Decided before we even started waiting (an --auto-approve run). */
  if (pw_action_job_is_decided (job, &approved))
    {
      decided_cb (job, approved, NULL, NULL, task);
      return;
    }

  wait->decided_id = g_signal_connect_object (job, "decided", G_CALLBACK (decided_cb), task, 0);
  wait->timeout_id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, timeout, timeout_cb,
                                                 g_object_ref (task), g_object_unref);
  if (cancellable != NULL)
    wait->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), task, NULL);

  /* The task is kept alive by the timeout source until it completes. */
}

static gboolean
pw_approval_provider_run_finish (PwProvider    *provider,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
provider_iface_init (PwProviderInterface *iface)
{
  iface->run_async = pw_approval_provider_run_async;
  iface->run_finish = pw_approval_provider_run_finish;
}

static void
pw_approval_provider_class_init (PwApprovalProviderClass *klass)
{
}

static void
pw_approval_provider_init (PwApprovalProvider *self)
{
}

PwProvider *
pw_approval_provider_new (void)
{
  return g_object_new (pw_approval_provider_get_type (), NULL);
}
