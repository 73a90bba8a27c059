/* pw-pin.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum
{
  PW_PIN_INPUT,
  PW_PIN_OUTPUT,
} PwPinDirection;

/**
 * PwPinState:
 * @PW_PIN_CONNECTED: produced earlier (input) or consumed later (output)
 * @PW_PIN_DANGLING: an input nothing produces earlier
 * @PW_PIN_UNUSED: an output nothing consumes
 */
typedef enum
{
  PW_PIN_CONNECTED,
  PW_PIN_DANGLING,
  PW_PIN_UNUSED,
} PwPinState;

#define PW_TYPE_PIN (pw_pin_get_type ())

G_DECLARE_FINAL_TYPE (PwPin, pw_pin, PW, PIN, GtkWidget)

GtkWidget      *pw_pin_new           (PwPinDirection  direction);
PwPinDirection  pw_pin_get_direction (PwPin          *self);
const char     *pw_pin_get_artifact  (PwPin          *self);
void            pw_pin_set_artifact  (PwPin          *self,
                                      const char     *artifact);
PwPinState      pw_pin_get_state     (PwPin          *self);
void            pw_pin_set_state     (PwPin          *self,
                                      PwPinState      state);
void            pw_pin_set_description (PwPin        *self,
                                        const char   *description);
const char     *pw_pin_get_description (PwPin        *self);

G_END_DECLS
