/* pw-core-private.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pw-core.h"

G_BEGIN_DECLS

JsonNode   *_pw_json_deep_copy        (JsonNode    *node);
gboolean    _pw_json_equal            (JsonNode    *a,
                                       JsonNode    *b);
const char *_pw_json_type_name        (JsonNode    *node);
char       *_pw_json_scalar_to_string (JsonNode    *node);
JsonNode   *_pw_json_new_string       (const char  *value);
JsonNode   *_pw_json_new_int          (gint64       value);

G_END_DECLS

G_BEGIN_DECLS
/* The child elements of a pipeline (its stages) or of a stage (its
 * actions), and the GListModel over them (pw-element-list.c). */
typedef struct
{
  /* Owned references */
  GPtrArray  *items;

  /* Borrowed references */
  PwElement  *owner;
  GParamSpec *n_items;     /* the owner's "n-items" */

  GType       item_type;
} PwElementList;

typedef PwElement *(*PwElementNewFunc) (JsonNode *declaration);

void           _pw_element_list_init       (PwElementList       *list,
                                            PwElement           *owner,
                                            GType                item_type,
                                            GParamSpec          *n_items);
void           _pw_element_list_dispose    (PwElementList       *list);
void           _pw_element_list_finalize   (PwElementList       *list);
void           _pw_element_list_attach     (PwElementList       *list,
                                            const char          *member,
                                            PwElementNewFunc     item_new);
PwElement     *_pw_element_list_find       (PwElementList       *list,
                                            const char          *name);
void           _pw_element_list_insert     (PwElementList       *list,
                                            guint                position,
                                            PwElement           *item);
void           _pw_element_list_remove     (PwElementList       *list,
                                            guint                position);
void           _pw_element_list_model_init (GListModelInterface *iface);
void           _pw_element_set_children    (PwElement           *self,
                                            PwElementList       *list);
PwElementList *_pw_element_get_children    (PwElement           *self);

/* The child at @position, or %NULL: on every walk over the model, so
 * inline. */
static inline gpointer
_pw_element_list_get (PwElementList *list,
                      guint          position)
{
  return position < list->items->len ? g_ptr_array_index (list->items, position) : NULL;
}
G_END_DECLS

G_BEGIN_DECLS
PwPipeline *_pw_cfn_pipeline_new_located (JsonNode     *template_root,
                                          const char   *logical_id,
                                          PwSourceMap  *map,
                                          GError      **error);
JsonObject *_pw_pipeline_get_document_extras (PwPipeline *self);
int         _pw_cfn_condition_truth (PwPipeline *pipeline,
                                     const char *name);
G_END_DECLS

G_BEGIN_DECLS
PwSourceMap *_pw_source_map_new_derived    (PwSourceMap  *from,
                                            const char   *filename,
                                            GBytes       *text);
void         _pw_source_map_shift          (PwSourceMap  *self,
                                            gsize         old_end,
                                            gssize        delta,
                                            guint         old_end_line,
                                            gint          line_delta,
                                            gint          column_delta);
guint        _pw_source_map_get_index_size (PwSourceMap  *self);
guint        _pw_source_map_get_n_records  (PwSourceMap  *self);
void         _pw_source_map_seal           (PwSourceMap  *self);
void         _pw_source_map_compact        (PwSourceMap  *self,
                                            JsonNode     *root);
guint        _pw_source_map_record         (PwSourceMap  *self,
                                            JsonNode     *node,
                                            guint         line,
                                            guint         column,
                                            gsize         start,
                                            gsize         end,
                                            guint         flags,
                                            gsize         link);
void         _pw_source_map_set_key        (PwSourceMap  *self,
                                            guint         index,
                                            guint         line,
                                            guint         column,
                                            gsize         start);
G_END_DECLS

G_BEGIN_DECLS
JsonNode    *_pw_yaml_parse_at        (const char        *data,
                                       gssize             length,
                                       PwSourceMap       *map,
                                       PwYamlParseFlags   flags,
                                       gsize              offset,
                                       guint              line,
                                       guint             *n_anchors,
                                       GError           **error);
JsonNode    *_pw_json_parse_at        (const char        *data,
                                       gssize             length,
                                       PwSourceMap       *map,
                                       gsize              offset,
                                       guint              line,
                                       GError           **error);
PwDocument  *_pw_document_new_parsed  (JsonNode          *root,
                                       PwSourceMap       *map,
                                       PwSyntax           syntax,
                                       PwDocumentKind     kind,
                                       gboolean           has_anchors);
gboolean     _pw_document_has_anchors (PwDocument        *self);
guint        _pw_editor_get_n_partial (PwEditor          *self);
gboolean     _pw_yaml_plain_allowed   (const char  *value,
                                       gboolean     flow);
const char  *_pw_yaml_cfn_short_tag   (JsonNode    *node,
                                       JsonNode   **inner);
gboolean     _pw_yaml_is_getatt_pair  (JsonNode    *node);
void         _pw_yaml_format_double   (double       value,
                                       char        *buffer,
                                       gsize        size);
char        *_pw_cfn_key_from_api     (const char  *key);
const char  *_pw_cfn_key_to_api       (const char  *key);
JsonNode    *_pw_cfn_node_to_api      (JsonNode    *node);
JsonNode    *_pw_cfn_dup_kept_properties (PwPipeline *pipeline);
JsonNode    *_pw_cfn_value_from_api   (JsonNode    *value,
                                       gboolean     store_first);
G_END_DECLS

G_BEGIN_DECLS
JsonNode   *_pw_json_new_object       (void);
JsonNode   *_pw_json_new_array        (void);
G_END_DECLS
