/* pw-engine-private.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pw-engine.h"
#include "pw-container.h"
#include "pw-fs.h"
#include "pw-secrets.h"

G_BEGIN_DECLS

gboolean  _pw_state_write_json      (const char  *path,
                                     JsonNode    *node,
                                     GError     **error);
gboolean  _pw_state_write_json_full (const char  *path,
                                     JsonNode    *node,
                                     gboolean     durable,
                                     GError     **error);
JsonNode *_pw_state_read_json       (const char  *path,
                                     GError     **error);
char     *_pw_state_execution_path  (const char  *state_dir,
                                     const char  *execution_id);
gboolean  _pw_state_pid_alive       (gint64       pid);
gboolean  _pw_state_replace_file    (const char  *path,
                                     const char  *text,
                                     gsize        length,
                                     GError     **error);
gboolean  _pw_state_mkdir_top       (const char  *path);
void      _pw_state_remove_tree     (const char  *path);
int       _pw_state_lock_runner     (const char  *state_dir,
                                     gboolean     wait);
gboolean  _pw_state_append_line     (int          fd,
                                     const char  *line,
                                     gsize        length,
                                     GError     **error);
gsize     _pw_state_trim_torn_tail  (int          fd);

/* Readers of a pipeline's content, entry points for tests/fuzz. */
JsonNode  *_pw_executor_dup_execution_since (PwExecutor  *self,
                                             const char  *execution_id,
                                             guint64      since,
                                             guint64     *serial);

char       *_pw_engine_net_helper       (void);
JsonObject *_pw_lambda_parse_answer     (const char  *text,
                                         char       **preamble,
                                         GError     **error);
char       *_pw_image_definitions_parse (const char  *text,
                                         gssize       length,
                                         const char  *file_name,
                                         const char  *input_name,
                                         GError     **error);
GPtrArray  *_pw_junit_failures_new      (void);
gboolean    _pw_junit_parse             (const char  *data,
                                         gsize        length,
                                         guint       *passed,
                                         guint       *failed,
                                         guint       *skipped,
                                         GPtrArray   *failures,
                                         GError     **error);
gboolean    _pw_junit_parse_timed       (const char  *data,
                                         gsize        length,
                                         guint       *passed,
                                         guint       *failed,
                                         guint       *skipped,
                                         double      *seconds,
                                         GPtrArray   *failures,
                                         GError     **error);

#define PW_SESSION_PREFIX "pipewright-session-"

const char *_pw_session_base_dir    (void);

G_END_DECLS
