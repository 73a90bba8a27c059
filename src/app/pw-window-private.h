/* pw-window-private.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pw-code-view.h"
#include "pw-inspector.h"
#include "pw-problems-panel.h"
#include "pw-run-controller.h"
#include "pw-runs-panel.h"
#include "pw-window.h"
#include "widgets/pw-canvas.h"
#include "widgets/pw-palette.h"

G_BEGIN_DECLS

struct _PwWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwHeaderBar         *header_bar;
  AdwWindowTitle       *window_title;
  GtkWidget            *undo_box;
  GtkWidget            *undo_button;
  GtkWidget            *redo_button;
  GtkWidget            *save_button;
  GtkWidget            *run_button;
  GtkWidget            *toggles_box;
  GtkToggleButton      *panel_toggle;
  GtkToggleButton      *inspector_toggle;
  GtkInfoBar           *disk_bar;
  GtkLabel             *disk_label;
  GtkStack             *main_stack;
  AdwPreferencesGroup  *templates_group;
  AdwPreferencesGroup  *recent_group;
  GtkListBox           *recent_list;
  GtkPaned             *panel_paned;
  AdwFlap              *inspector_flap;
  AdwFlap              *palette_flap;
  PwPalette            *palette;
  PwInspector          *inspector;
  GtkOverlay           *canvas_overlay;
  GtkScrolledWindow    *canvas_scroller;
  PwCanvas             *canvas;
  GtkRevealer          *stale_revealer;
  GtkLabel             *stale_label;
  GtkButton            *zoom_button;
  GtkWidget            *panel_box;
  AdwViewStack         *panel_stack;
  AdwViewStackPage     *code_page;
  AdwViewStackPage     *problems_page;
  PwCodeView           *code_view;
  PwProblemsPanel      *problems_panel;
  PwRunsPanel          *runs_panel;
  GtkLabel             *cursor_label;
  GtkActionBar         *narrow_bar;
  GtkToggleButton      *narrow_palette_toggle;
  GtkToggleButton      *narrow_inspector_toggle;
  GtkRevealer          *run_revealer;
  GtkWidget            *zoom_box;
  GtkImage             *run_icon;
  GtkLabel             *run_label;
  GtkWidget            *run_retry_button;
  GtkWidget            *run_stop_button;
  GtkWidget            *approval_box;
  GtkLabel             *approval_label;
  GtkLinkButton        *approval_link;
  GtkEntry             *approval_entry;

  /* Owned references */
  PwTextDocument       *document;
  GFile                *loading_file;
  GSettings            *settings;
  GCancellable         *cancellable;
  GtkNativeDialog      *file_chooser;
  PwRunController      *runs;
  guint                 run_tick;         /* the run bar's elapsed time */
  char                 *notified_approval;  /* "execution/stage/action" told of */
  char                 *notified_end;       /* the execution whose end was told */

  guint                 folded_source;
  guint                 present_source;   /* showing the window once its file is read */
  gboolean              panel_visible;
  gboolean              closing;
  gboolean              syncing_selection;
  gboolean              opened_error_panel;
};

void     _pw_window_class_actions_init   (GtkWidgetClass  *widget_class);
void     _pw_window_actions_update       (PwWindow        *self);
void     _pw_window_sync_panel           (PwWindow        *self);
void     _pw_window_sync_run             (PwWindow        *self);
void     _pw_window_save                 (PwWindow        *self,
                                          gboolean         save_as,
                                          gboolean         close_after);
void     _pw_window_import_file          (PwWindow        *self,
                                          GFile           *file);
gboolean _pw_window_get_intrinsic_stages (PwWindow        *self,
                                          const char     **function,
                                          guint           *line,
                                          guint           *column);

G_END_DECLS
