/* pw-canvas-metrics.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The canvas lays out in "model space" (pixels at zoom 1) with fixed
 * metrics, so a card's size and its pins' positions follow from counts
 * alone: the layout never measures text, and 2,500 cards lay out in a few
 * hundred microseconds.
 */

#define PW_CARD_WIDTH          224.0
#define PW_CARD_PAD              8.0
#define PW_CARD_TITLE_HEIGHT    22.0
#define PW_CARD_LINE_HEIGHT     18.0
#define PW_PIN_HEIGHT           22.0
#define PW_PIN_RADIUS            4.5

#define PW_STAGE_HEADER_HEIGHT  52.0
#define PW_STAGE_PAD            14.0
#define PW_STAGE_GAP            72.0
#define PW_STAGE_MIN_WIDTH     (PW_CARD_WIDTH + 2 * PW_STAGE_PAD)
#define PW_GROUP_LABEL_HEIGHT   22.0
#define PW_GROUP_GAP            40.0
#define PW_CARD_GAP             14.0
#define PW_EMPTY_STAGE_HEIGHT   96.0
#define PW_CANVAS_MARGIN        32.0
#define PW_GRID_CELL            24.0

static inline double
pw_card_height (guint    n_inputs,
                guint    n_outputs,
                gboolean has_namespace)
{
  guint rows = MAX (n_inputs, n_outputs);

  return PW_CARD_PAD + PW_CARD_TITLE_HEIGHT + PW_CARD_LINE_HEIGHT +
         (has_namespace ? PW_CARD_LINE_HEIGHT : 0) +
         (rows > 0 ? 4.0 + rows * PW_PIN_HEIGHT : 0) + PW_CARD_PAD;
}

/* The y of the first pin row's top, in card coordinates. */
static inline double
pw_card_pins_top (gboolean has_namespace)
{
  return PW_CARD_PAD + PW_CARD_TITLE_HEIGHT + PW_CARD_LINE_HEIGHT +
         (has_namespace ? PW_CARD_LINE_HEIGHT : 0) + 4.0;
}

G_END_DECLS
