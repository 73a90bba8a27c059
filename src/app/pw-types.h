/* pw-types.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PwApplication   PwApplication;
typedef struct _PwWindow        PwWindow;
typedef struct _PwTextDocument  PwTextDocument;
typedef struct _PwHistory       PwHistory;
typedef struct _PwCanvas        PwCanvas;
typedef struct _PwInspector     PwInspector;
typedef struct _PwCodeView      PwCodeView;
typedef struct _PwProblemsPanel PwProblemsPanel;
typedef struct _PwPalette       PwPalette;

/**
 * PwPanelPosition:
 * @PW_PANEL_POSITION_BOTTOM: the Code and Problems panels sit below the canvas
 * @PW_PANEL_POSITION_SIDE: they sit beside it
 */
typedef enum
{
  PW_PANEL_POSITION_BOTTOM,
  PW_PANEL_POSITION_SIDE,
} PwPanelPosition;

G_END_DECLS
