/* pw-application.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pw-types.h"

G_BEGIN_DECLS

#define PW_TYPE_APPLICATION (pw_application_get_type ())

G_DECLARE_FINAL_TYPE (PwApplication, pw_application, PW, APPLICATION, AdwApplication)

PwApplication *pw_application_new            (void);
GSettings     *pw_application_get_settings   (PwApplication *self);
PwWindow      *pw_application_find_window    (PwApplication *self,
                                              GFile         *file);
PwWindow      *pw_application_new_window     (PwApplication *self);
void           pw_application_open_file      (PwApplication *self,
                                              GFile         *file,
                                              PwWindow      *prefer);
void           pw_application_add_recent     (PwApplication *self,
                                              GFile         *file);
GListModel    *pw_application_get_recent     (PwApplication *self);

G_END_DECLS
