/* pw-container.h
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

typedef struct _PwContainer PwContainer;

/* Called on the main context the container was made on, with the
 * waitpid() status of a process _pw_container_spawn() started. */
typedef void (*PwContainerExitFunc) (int      wait_status,
                                     gpointer user_data);

PwContainer *_pw_container_new             (GError               **error);
PwContainer *_pw_container_ref             (PwContainer           *self);
void         _pw_container_unref           (PwContainer           *self);
void         _pw_container_remove_on_close (PwContainer           *self,
                                            const char            *path);
gboolean     _pw_container_spawn           (PwContainer           *self,
                                            const char            *program,
                                            const char * const    *argv,
                                            const char            *cwd,
                                            const char * const    *envp,
                                            int                    stdin_fd,
                                            int                    out_fd,
                                            int                    err_fd,
                                            PwContainerExitFunc    exited,
                                            gpointer               user_data,
                                            guint                 *id,
                                            GError               **error);
void         _pw_container_signal          (PwContainer           *self,
                                            guint                  id,
                                            int                    signum);
void         _pw_container_close_async     (PwContainer           *self,
                                            GAsyncReadyCallback    callback,
                                            gpointer               user_data);
guint        _pw_container_close_finish    (PwContainer           *self,
                                            GAsyncResult          *result);
const char  *_pw_container_get_kind        (void);
gboolean     _pw_set_spawn_error           (GError               **error,
                                            int                    saved_errno,
                                            const char            *program,
                                            const char            *cwd);

void         _pw_command_capture_plain_async (const char * const  *argv,
                                              const char          *cwd,
                                              const char * const  *envp,
                                              const char          *stdin_text,
                                              PwLog               *log,
                                              guint                timeout_seconds,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
void         _pw_command_run_in_async      (PwContainer           *container,
                                            const char * const    *argv,
                                            const char            *cwd,
                                            const char * const    *envp,
                                            const char            *stdin_text,
                                            PwLog                 *log,
                                            guint                  timeout_seconds,
                                            GCancellable          *cancellable,
                                            GAsyncReadyCallback    callback,
                                            gpointer               user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PwContainer, _pw_container_unref)

G_END_DECLS
