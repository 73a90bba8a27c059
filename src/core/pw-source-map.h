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
 * for members of an object, of the key. The readers also record the byte
 * span of each value in the text (see #PwSourceSpan), which is what the
 * edit module computes its text edits from. It keeps a reference on every
 * node it maps, so a node's address is never reused while the map lives, and
 * it keeps the text so diagnostics can quote the offending line.
 */
typedef struct _PwSourceMap PwSourceMap;

/**
 * PwSourceSpanFlags:
 * @PW_SOURCE_SPAN_NONE: the node is written where its span says
 * @PW_SOURCE_SPAN_ALIAS: the node is the copy that a YAML alias (`*name`)
 *   stands for; the span is the alias itself, and #PwSourceSpan.link is the
 *   start of the anchored node (`&name …`). Its descendants are located in
 *   the anchored text.
 * @PW_SOURCE_SPAN_MERGED: the member was copied into its mapping by a YAML
 *   merge key (`<<`); the span is the value it was copied from, and
 *   #PwSourceSpan.link is the start of the `<<` key.
 */
typedef enum
{
  PW_SOURCE_SPAN_NONE   = 0,
  PW_SOURCE_SPAN_ALIAS  = 1 << 0,
  PW_SOURCE_SPAN_MERGED = 1 << 1,
} PwSourceSpanFlags;

/**
 * PwSourceSpan:
 * @start: byte offset in the text of the value's first byte (its anchor or
 *   tag, if it has one)
 * @end: byte offset just past the value. A block collection ends where its
 *   last value does; a block scalar (`|`, `>`) ends after its line breaks.
 * @flags: #PwSourceSpanFlags
 * @link: see #PwSourceSpanFlags; 0 otherwise
 *
 * Where a value is in the text, in bytes from the start of the text (a
 * byte-order mark included).
 */
typedef struct
{
  gsize             start;
  gsize             end;
  PwSourceSpanFlags flags;
  gsize             link;
} PwSourceSpan;

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
void         pw_source_map_add_span     (PwSourceMap        *self,
                                         JsonNode           *node,
                                         guint               line,
                                         guint               column,
                                         const PwSourceSpan *span);
void         pw_source_map_add_key_span (PwSourceMap        *self,
                                         JsonNode           *value,
                                         guint               line,
                                         guint               column,
                                         gsize               start);
gboolean     pw_source_map_lookup_span  (PwSourceMap        *self,
                                         JsonNode           *node,
                                         PwSourceSpan       *span);
gboolean     pw_source_map_lookup_key_offset (PwSourceMap   *self,
                                              JsonNode      *value,
                                              gsize         *start);
void         pw_source_map_copy_position (PwSourceMap       *self,
                                          JsonNode          *from,
                                          JsonNode          *to);
void         pw_source_map_copy_key_position (PwSourceMap   *self,
                                              JsonNode      *from,
                                              JsonNode      *to);
gboolean     pw_source_map_offset_to_position (PwSourceMap  *self,
                                               gsize         offset,
                                               guint        *line,
                                               guint        *column);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PwSourceMap, pw_source_map_unref)

G_END_DECLS
