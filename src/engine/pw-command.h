/* pw-command.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_ENGINE_INSIDE) && !defined (PW_ENGINE_COMPILATION)
# error "Only <pw-engine.h> can be included directly."
#endif

#include <gio/gio.h>

#include "pw-log.h"

G_BEGIN_DECLS

/* Runs @argv (a GSubprocess in its own process group) in @cwd with exactly
 * the environment @envp, sending stdout and stderr, merged, line by line to
 * @log. Stdin is /dev/null unless @stdin_text is given. After
 * @timeout_seconds (0 = none) or on @cancellable, the whole group gets
 * SIGTERM, then SIGKILL 5 s later. Never blocks the main loop. */
void     pw_command_run_async  (const char * const  *argv,
                                const char          *cwd,
                                const char * const  *envp,
                                const char          *stdin_text,
                                PwLog               *log,
                                guint                timeout_seconds,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data);
/* Returns TRUE when the process ran to its end (whatever its exit status,
 * stored in @exit_status; a signal death gives 128+signal). FALSE with
 * PW_ENGINE_ERROR_TIMEOUT or PW_ENGINE_ERROR_CANCELLED (or a spawn error). */
gboolean pw_command_run_finish (GAsyncResult        *result,
                                int                 *exit_status,
                                GError             **error);
/* Like run_async, but also captures stdout alone into a string (stderr
 * still goes to the log); for Lambda-style JSON answers. */
void     pw_command_capture_async  (const char * const  *argv,
                                    const char          *cwd,
                                    const char * const  *envp,
                                    const char          *stdin_text,
                                    PwLog               *log,
                                    guint                timeout_seconds,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
gboolean pw_command_capture_finish (GAsyncResult        *result,
                                    int                 *exit_status,
                                    char               **stdout_text,
                                    GError             **error);

G_END_DECLS
