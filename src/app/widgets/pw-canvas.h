/* pw-canvas.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <pw-core.h>
#include <pw-engine.h>

#include "pw-text-document.h"
#include "pw-types.h"

G_BEGIN_DECLS

#define PW_TYPE_CANVAS (pw_canvas_get_type ())

G_DECLARE_FINAL_TYPE (PwCanvas, pw_canvas, PW, CANVAS, GtkWidget)

/**
 * PwDropKind:
 * @PW_DROP_NONE: nowhere to drop
 * @PW_DROP_GROUP: into an existing group (runOrder), at a position
 * @PW_DROP_GAP: into a new group between two groups (or before the first /
 *   after the last)
 * @PW_DROP_NEW_STAGE: into a new stage at a position
 * @PW_DROP_STAGE: a stage, to a position
 */
typedef enum
{
  PW_DROP_NONE,
  PW_DROP_GROUP,
  PW_DROP_GAP,
  PW_DROP_NEW_STAGE,
  PW_DROP_STAGE,
} PwDropKind;

GtkWidget      *pw_canvas_new                (void);
PwTextDocument *pw_canvas_get_document       (PwCanvas       *self);
void            pw_canvas_set_document       (PwCanvas       *self,
                                              PwTextDocument *document);
const char     *pw_canvas_get_selection      (PwCanvas       *self);
void            pw_canvas_set_selection      (PwCanvas       *self,
                                              const char     *path);
void            pw_canvas_reveal_selection   (PwCanvas       *self);
double          pw_canvas_get_zoom           (PwCanvas       *self);
void            pw_canvas_set_zoom           (PwCanvas       *self,
                                              double          zoom);
void            pw_canvas_zoom_to_fit        (PwCanvas       *self);
const char     *pw_canvas_get_highlighted_artifact (PwCanvas *self);
void            pw_canvas_set_highlighted_artifact (PwCanvas *self,
                                                    const char *artifact);

/* For tests and the window: where things are, in the canvas's own
 * coordinates (after zoom and scrolling), and what a drop there would do. */
GtkWidget      *pw_canvas_get_action_card    (PwCanvas       *self,
                                              guint           stage,
                                              guint           action);
GtkWidget      *pw_canvas_get_stage_header   (PwCanvas       *self,
                                              guint           stage);
guint           pw_canvas_get_n_cards        (PwCanvas       *self);
guint           pw_canvas_get_n_shown_cards  (PwCanvas       *self);
gboolean        pw_canvas_get_drop_point     (PwCanvas       *self,
                                              PwDropKind      kind,
                                              guint           stage,
                                              guint           slot,
                                              double         *x,
                                              double         *y);
void            pw_canvas_relayout           (PwCanvas       *self);
gboolean        pw_canvas_add_provider       (PwCanvas       *self,
                                              const PwProviderInfo *info);
void            pw_canvas_set_execution      (PwCanvas       *self,
                                              PwExecution    *execution);
PwExecution    *pw_canvas_get_execution      (PwCanvas       *self);
guint           pw_canvas_get_n_produced_connectors (PwCanvas *self);
void            pw_canvas_set_waiting        (PwCanvas       *self,
                                              GHashTable     *waiting);
guint           pw_canvas_get_waiting        (PwCanvas       *self,
                                              guint           stage);
void            pw_canvas_set_disabled_transitions (PwCanvas  *self,
                                                    GHashTable *transitions);
gboolean        pw_canvas_get_transition_disabled (PwCanvas    *self,
                                                   guint        stage,
                                                   const char **reason);

G_END_DECLS
