/* pw-text-document.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtksourceview/gtksource.h>
#include <pw-core.h>

#include "pw-history.h"
#include "pw-types.h"

G_BEGIN_DECLS

#define PW_TYPE_TEXT_DOCUMENT (pw_text_document_get_type ())

G_DECLARE_FINAL_TYPE (PwTextDocument, pw_text_document, PW, TEXT_DOCUMENT, GObject)

/* One edit of the text, done by the edit module; see pw_text_document_edit(). */
typedef gboolean (*PwEditFunc) (PwEditor  *editor,
                                gpointer   user_data,
                                GError   **error);

PwTextDocument  *pw_text_document_new                (void);
GtkSourceBuffer *pw_text_document_get_buffer         (PwTextDocument       *self);
PwHistory       *pw_text_document_get_history        (PwTextDocument       *self);
GFile           *pw_text_document_get_file           (PwTextDocument       *self);
char            *pw_text_document_dup_title          (PwTextDocument       *self);
gboolean         pw_text_document_get_modified       (PwTextDocument       *self);
gboolean         pw_text_document_get_externally_modified (PwTextDocument *self);
gboolean         pw_text_document_get_busy           (PwTextDocument       *self);
PwSyntax         pw_text_document_get_syntax         (PwTextDocument       *self);
const char      *pw_text_document_get_logical_id     (PwTextDocument       *self);
void             pw_text_document_set_logical_id     (PwTextDocument       *self,
                                                      const char           *logical_id);
PwDocument      *pw_text_document_get_document      (PwTextDocument       *self);
PwPipeline      *pw_text_document_get_pipeline       (PwTextDocument       *self);
GListModel      *pw_text_document_get_diagnostics    (PwTextDocument       *self);
const GError    *pw_text_document_get_error          (PwTextDocument       *self);
gboolean         pw_text_document_get_error_location (PwTextDocument       *self,
                                                      guint                *line,
                                                      guint                *column);
gboolean         pw_text_document_is_current         (PwTextDocument       *self);
guint64          pw_text_document_get_generation     (PwTextDocument       *self);
char            *pw_text_document_dup_text           (PwTextDocument       *self,
                                                      gsize                *length);

void             pw_text_document_set_text           (PwTextDocument       *self,
                                                      const char           *text,
                                                      const char           *display_name,
                                                      PwSyntax              syntax);
void             pw_text_document_load_async         (PwTextDocument       *self,
                                                      GFile                *file,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean         pw_text_document_load_finish        (PwTextDocument       *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
void             pw_text_document_reload_async       (PwTextDocument       *self,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean         pw_text_document_reload_finish      (PwTextDocument       *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
void             pw_text_document_save_async         (PwTextDocument       *self,
                                                      GFile                *file,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean         pw_text_document_save_finish        (PwTextDocument       *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
void             pw_text_document_keep_mine          (PwTextDocument       *self);
void             pw_text_document_reparse_now        (PwTextDocument       *self);
void             pw_text_document_validate_now       (PwTextDocument       *self);
gboolean         pw_text_document_apply_editor       (PwTextDocument       *self,
                                                      PwEditor             *editor,
                                                      const char           *label);
gboolean         pw_text_document_edit               (PwTextDocument       *self,
                                                      const char           *label,
                                                      PwEditFunc            func,
                                                      gpointer              user_data,
                                                      GError              **error);
gboolean         pw_text_document_edit_set           (PwTextDocument       *self,
                                                      const char           *label,
                                                      const char           *path,
                                                      JsonNode             *value,
                                                      GError              **error);
gboolean         pw_text_document_edit_set_string    (PwTextDocument       *self,
                                                      const char           *label,
                                                      const char           *path,
                                                      const char           *value,
                                                      GError              **error);
gboolean         pw_text_document_edit_remove        (PwTextDocument       *self,
                                                      const char           *label,
                                                      const char           *path,
                                                      GError              **error);
gboolean         pw_text_document_byte_to_iter       (PwTextDocument       *self,
                                                      gsize                 offset,
                                                      GtkTextIter          *iter);
gsize            pw_text_document_iter_to_byte       (PwTextDocument       *self,
                                                      const GtkTextIter    *iter);

G_END_DECLS
