/* pw-palette.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <pw-core.h>

G_BEGIN_DECLS

/* What a palette item carries in a drag: a row of the core's provider
 * table, which is static, so the boxed copy is the same pointer. */
#define PW_TYPE_PROVIDER_INFO (pw_provider_info_get_type ())
GType pw_provider_info_get_type (void) G_GNUC_CONST;

#define PW_TYPE_PALETTE (pw_palette_get_type ())

G_DECLARE_FINAL_TYPE (PwPalette, pw_palette, PW, PALETTE, GtkWidget)

GtkWidget *pw_palette_new          (void);
void       pw_palette_focus_search (PwPalette *self);

G_END_DECLS
