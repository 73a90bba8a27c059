/* pw-element.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_CORE_INSIDE) && !defined (PW_CORE_COMPILATION)
# error "Only <pw-core.h> can be included directly."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pw-source-map.h"

G_BEGIN_DECLS

#define PW_TYPE_ELEMENT (pw_element_get_type ())

G_DECLARE_DERIVABLE_TYPE (PwElement, pw_element, PW, ELEMENT, GObject)

/**
 * PwElementClass:
 * @member_changed: class handler of #PwElement::member-changed
 *
 * The base of the model's tree nodes (pipeline, stage, action). Each keeps
 * its declaration as an ordered #JsonObject in the API's camelCase shape, so
 * unknown keys, key order and CloudFormation intrinsics survive a round trip
 * untouched; typed accessors in the subclasses read and write that object.
 * Child lists (stages, actions) are kept as child elements instead, and
 * their key stays in the object as a placeholder so its place is kept.
 *
 * An element is *opaque* when its declaration is not an object at all (an
 * `Fn::If` standing for a whole stage, say): then only the raw value is kept.
 */
struct _PwElementClass
{
  GObjectClass parent_class;

  void (*member_changed) (PwElement  *self,
                          const char *member);

  /*< private >*/
  gpointer padding[8];
};

JsonObject  *pw_element_get_object      (PwElement    *self);
JsonNode    *pw_element_get_raw         (PwElement    *self);
gboolean     pw_element_is_opaque       (PwElement    *self);
JsonNode    *pw_element_get_member      (PwElement    *self,
                                         const char   *member);
const char  *pw_element_get_string      (PwElement    *self,
                                         const char   *member);
void         pw_element_set_member      (PwElement    *self,
                                         const char   *member,
                                         JsonNode     *value);
void         pw_element_set_string      (PwElement    *self,
                                         const char   *member,
                                         const char   *value);
void         pw_element_remove_member   (PwElement    *self,
                                         const char   *member);
PwElement   *pw_element_get_parent      (PwElement    *self);
guint        pw_element_get_index       (PwElement    *self);
char        *pw_element_dup_path        (PwElement    *self);
PwSourceMap *pw_element_get_source_map  (PwElement    *self);
void         pw_element_set_source_map  (PwElement    *self,
                                         PwSourceMap  *map);
gboolean     pw_element_get_location    (PwElement    *self,
                                         const char   *member,
                                         guint        *line,
                                         guint        *column);
gboolean     pw_element_locate_node     (PwElement    *self,
                                         JsonNode     *node,
                                         gboolean      key,
                                         guint        *line,
                                         guint        *column);

/* Package-private: used by subclasses and loaders. */
void         _pw_element_set_declaration (PwElement   *self,
                                          JsonNode    *declaration);
void         _pw_element_set_parent      (PwElement   *self,
                                          PwElement   *parent,
                                          guint        index);
void         _pw_element_set_origin      (PwElement   *self,
                                          JsonNode    *origin);
JsonNode    *_pw_element_get_origin      (PwElement   *self);

G_END_DECLS
