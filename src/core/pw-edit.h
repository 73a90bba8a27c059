/* pw-edit.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_CORE_INSIDE) && !defined (PW_CORE_COMPILATION)
# error "Only <pw-core.h> can be included directly."
#endif

#include "pw-document.h"

G_BEGIN_DECLS

/**
 * PwTextEdit:
 * @start: byte offset of the first byte replaced
 * @end: byte offset just past the last byte replaced (@start for an insertion)
 * @text: what replaces them
 *
 * A replacement of bytes [@start, @end) of the text (as it was before the
 * step this edit belongs to) by @text.
 */
typedef struct
{
  gsize  start;
  gsize  end;
  char  *text;
} PwTextEdit;

#define PW_TYPE_EDITOR (pw_editor_get_type ())

G_DECLARE_FINAL_TYPE (PwEditor, pw_editor, PW, EDITOR, GObject)

PwEditor         *pw_editor_new             (PwDocument  *document,
                                             const char  *logical_id,
                                             GError     **error);
gboolean          pw_editor_set             (PwEditor    *self,
                                             const char  *path,
                                             JsonNode    *value,
                                             GError     **error);
gboolean          pw_editor_remove          (PwEditor    *self,
                                             const char  *path,
                                             GError     **error);
gboolean          pw_editor_insert          (PwEditor    *self,
                                             const char  *array_path,
                                             int          index,
                                             JsonNode    *value,
                                             GError     **error);
gboolean          pw_editor_move            (PwEditor    *self,
                                             const char  *path,
                                             const char  *to_array_path,
                                             int          index,
                                             GError     **error);
gboolean          pw_editor_move_action     (PwEditor    *self,
                                             guint        stage,
                                             guint        action,
                                             guint        to_stage,
                                             int          to_index,
                                             gint64       run_order,
                                             gboolean     new_group,
                                             GError     **error);
gboolean          pw_editor_add_action      (PwEditor    *self,
                                             guint        stage,
                                             int          index,
                                             JsonNode    *action,
                                             gboolean     new_group,
                                             GError     **error);
gboolean          pw_editor_add_stage       (PwEditor    *self,
                                             int          position,
                                             JsonNode    *stage,
                                             GError     **error);
gboolean          pw_editor_move_stage      (PwEditor    *self,
                                             guint        stage,
                                             guint        to_position,
                                             GError     **error);

const char       *pw_editor_get_text        (PwEditor    *self,
                                             gsize       *length);
guint             pw_editor_get_n_steps     (PwEditor    *self);
const PwTextEdit *pw_editor_get_step        (PwEditor    *self,
                                             guint        step,
                                             guint       *n_edits);
PwDocument       *pw_editor_get_document    (PwEditor    *self);

gboolean          pw_document_get_path_span (PwDocument  *self,
                                             const char  *logical_id,
                                             const char  *path,
                                             gsize       *start,
                                             gsize       *end);
char             *pw_document_dup_path_at   (PwDocument  *self,
                                             const char  *logical_id,
                                             gsize        offset);

G_END_DECLS
