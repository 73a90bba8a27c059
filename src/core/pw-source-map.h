/* pw-source-map.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_CORE_INSIDE) && !defined (PW_CORE_COMPILATION)
# error "Only <pw-core.h> can be included directly."
#endif

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * PwSourceMap:
 *
 * Remembers where each #JsonNode of a parsed document came from: the line
 * and column (both 1-based, columns counted in characters) of the value, and
 * for members of an object, of the key. It keeps a reference on every node it
 * maps, so a node's address is never reused while the map lives, and it keeps
 * the text so diagnostics can quote the offending line.
 */
typedef struct _PwSourceMap PwSourceMap;

#define PW_TYPE_SOURCE_MAP (pw_source_map_get_type ())

GType        pw_source_map_get_type     (void) G_GNUC_CONST;
PwSourceMap *pw_source_map_new          (const char  *filename,
                                         GBytes      *text);
PwSourceMap *pw_source_map_ref          (PwSourceMap *self);
void         pw_source_map_unref        (PwSourceMap *self);
const char  *pw_source_map_get_filename (PwSourceMap *self);
GBytes      *pw_source_map_get_text     (PwSourceMap *self);
void         pw_source_map_add          (PwSourceMap *self,
                                         JsonNode    *node,
                                         guint        line,
                                         guint        column);
void         pw_source_map_add_key      (PwSourceMap *self,
                                         JsonNode    *value,
                                         guint        line,
                                         guint        column);
gboolean     pw_source_map_lookup       (PwSourceMap *self,
                                         JsonNode    *node,
                                         guint       *line,
                                         guint       *column);
gboolean     pw_source_map_lookup_key   (PwSourceMap *self,
                                         JsonNode    *value,
                                         guint       *line,
                                         guint       *column);
char        *pw_source_map_dup_line     (PwSourceMap *self,
                                         guint        line);
char        *pw_source_map_dup_line_window (PwSourceMap *self,
                                            guint        line,
                                            guint        column,
                                            guint        max_chars,
                                            guint       *window_column);
guint        pw_source_map_get_size     (PwSourceMap *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PwSourceMap, pw_source_map_unref)

G_END_DECLS
