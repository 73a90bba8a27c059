/* pw-action-card.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <pw-core.h>

#include "pw-pin.h"

G_BEGIN_DECLS

#define PW_TYPE_ACTION_CARD (pw_action_card_get_type ())

G_DECLARE_FINAL_TYPE (PwActionCard, pw_action_card, PW, ACTION_CARD, GtkWidget)

GtkWidget  *pw_action_card_new             (void);
PwAction   *pw_action_card_get_action      (PwActionCard *self);
void        pw_action_card_set_action      (PwActionCard *self,
                                            PwAction     *action);
void        pw_action_card_set_findings    (PwActionCard *self,
                                            guint         count,
                                            PwSeverity    worst);
void        pw_action_card_set_position    (PwActionCard *self,
                                            const char   *stage_name,
                                            guint         group,
                                            guint         n_groups,
                                            guint         index,
                                            guint         n_in_group);
gboolean    pw_action_card_has_namespace   (PwActionCard *self);
guint       pw_action_card_get_n_inputs    (PwActionCard *self);
guint       pw_action_card_get_n_outputs   (PwActionCard *self);
PwPin      *pw_action_card_get_input_pin   (PwActionCard *self,
                                            guint         index);
PwPin      *pw_action_card_get_output_pin  (PwActionCard *self,
                                            guint         index);
const char *pw_action_card_get_title       (PwActionCard *self);
void        pw_action_card_set_run         (PwActionCard *self,
                                            const char   *status,
                                            const char   *text,
                                            const char   *tooltip);
const char *pw_action_card_get_run_status  (PwActionCard *self);
const char *pw_action_card_get_run_text    (PwActionCard *self);
const char *pw_action_card_get_run_tooltip (PwActionCard *self);
double      pw_action_card_get_height      (PwActionCard *self);
GPtrArray  *pw_action_card_dup_artifacts   (PwAction     *action,
                                            const char   *member);
char       *pw_action_card_dup_title       (PwAction     *action);

G_END_DECLS
