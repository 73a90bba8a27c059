/* pw-history.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-history"

#include "config.h"

#include <glib/gi18n.h>

#include "pw-history.h"

/*
 * The one undo history of a document (DESIGN.md §6): every change of the
 * text, whether typed in the code view or made by the canvas or the
 * inspector through the edit module, is recorded here as text changes. A
 * step is what one user action changed; the canvas and the inspector give
 * theirs a label ("Move action Build to stage Test"), typing gets "Typing"
 * and consecutive keystrokes merge as GtkTextHistory merges them. GTK's own
 * text history is switched off: it cannot carry labels, and one history
 * for three views must live outside the text view anyway.
 */

typedef struct
{
  int    offset;       /* in characters */
  char  *deleted;      /* NULL if nothing was deleted */
  char  *inserted;     /* NULL if nothing was inserted */
} Change;

typedef struct
{
  char    *label;      /* NULL: typing */
  GArray  *changes;    /* of Change */
  gint64   time;
  gboolean sealed;     /* no more merging into this step */
} Step;

struct _PwHistory
{
  GObject        parent_instance;

  GtkTextBuffer *buffer;    /* borrowed: the buffer owns us through its document */
  GPtrArray     *undo;      /* of Step, oldest first */
  GPtrArray     *redo;      /* of Step, next to redo last */
  Step          *open;
  char          *next_label;
  int            depth;
  int            saved;     /* undo->len when saved; -1 when unreachable */
  guint          paused;
  gboolean       labelled;
};

enum {
  PROP_0,
  PROP_CAN_UNDO,
  PROP_CAN_REDO,
  PROP_UNDO_LABEL,
  PROP_REDO_LABEL,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (PwHistory, pw_history, G_TYPE_OBJECT)

static GParamSpec *properties [N_PROPS];

#define MERGE_USEC (G_USEC_PER_SEC * 3 / 2)

static void
change_clear (gpointer data)
{
  Change *change = data;

  g_free (change->deleted);
  g_free (change->inserted);
}

static void
step_free (gpointer data)
{
  Step *step = data;

  g_free (step->label);
  g_array_unref (step->changes);
  g_free (step);
}

static Step *
step_new (const char *label)
{
  Step *step = g_new0 (Step, 1);

  step->label = g_strdup (label);
  step->changes = g_array_new (FALSE, TRUE, sizeof (Change));
  g_array_set_clear_func (step->changes, change_clear);
  step->time = g_get_monotonic_time ();
  step->sealed = label != NULL;

  return step;
}

static void
notify_all (PwHistory *self)
{
  for (guint i = 1; i < N_PROPS; i++)
    g_object_notify_by_pspec (G_OBJECT (self), properties [i]);
}

static void
sync_modified (PwHistory *self)
{
  gboolean modified = self->saved != (int)self->undo->len;

  if (gtk_text_buffer_get_modified (self->buffer) != modified)
    gtk_text_buffer_set_modified (self->buffer, modified);
}

/* Typing merges: one more character right after the last one, or one more
 * backspace right before it, within a moment and on the same line. */
static gboolean
can_merge (Step *previous,
           Step *step)
{
  const Change *a, *b;

  if (previous->sealed || step->label != NULL || previous->label != NULL)
    return FALSE;
  if (previous->changes->len != 1 || step->changes->len != 1)
    return FALSE;
  if (step->time - previous->time > MERGE_USEC)
    return FALSE;

  a = &g_array_index (previous->changes, Change, 0);
  b = &g_array_index (step->changes, Change, 0);

  if (a->deleted == NULL && b->deleted == NULL && a->inserted != NULL && b->inserted != NULL)
    return strchr (b->inserted, '\n') == NULL && strchr (a->inserted, '\n') == NULL &&
           b->offset == a->offset + (int)g_utf8_strlen (a->inserted, -1);

  if (a->inserted == NULL && b->inserted == NULL && a->deleted != NULL && b->deleted != NULL)
    return strchr (b->deleted, '\n') == NULL &&
           (b->offset + (int)g_utf8_strlen (b->deleted, -1) == a->offset ||
            b->offset == a->offset);

  return FALSE;
}

static void
merge_into (Step *previous,
            Step *step)
{
  Change *a = &g_array_index (previous->changes, Change, 0);
  Change *b = &g_array_index (step->changes, Change, 0);
  char *joined;

  if (a->inserted != NULL)
    {
      joined = g_strconcat (a->inserted, b->inserted, NULL);
      g_free (a->inserted);
      a->inserted = joined;
    }
  else if (b->offset == a->offset)
    {
      /* forward delete: the new text was after the old */
      joined = g_strconcat (a->deleted, b->deleted, NULL);
      g_free (a->deleted);
      a->deleted = joined;
    }
  else
    {
      joined = g_strconcat (b->deleted, a->deleted, NULL);
      g_free (a->deleted);
      a->deleted = joined;
      a->offset = b->offset;
    }

  previous->time = step->time;
  step_free (step);
}

static void
close_step (PwHistory *self)
{
  Step *step = g_steal_pointer (&self->open);
  Step *previous;

  if (step == NULL)
    return;

  if (step->changes->len == 0)
    {
      step_free (step);
      return;
    }

  g_ptr_array_set_size (self->redo, 0);

  previous = self->undo->len > 0 ? g_ptr_array_index (self->undo, self->undo->len - 1) : NULL;
  if (previous != NULL && self->saved != (int)self->undo->len && can_merge (previous, step))
    merge_into (previous, step);
  else
    {
      if (self->saved > (int)self->undo->len)
        self->saved = -1;
      g_ptr_array_add (self->undo, step);
    }

  sync_modified (self);
  notify_all (self);
}

static Step *
ensure_open (PwHistory *self)
{
  if (self->open == NULL)
    self->open = step_new (self->labelled ? self->next_label : NULL);
  return self->open;
}

static void
record (PwHistory  *self,
        int         offset,
        const char *deleted,
        const char *inserted)
{
  gboolean implicit = self->depth == 0 && !self->labelled;
  Change change = { offset, g_strdup (deleted), g_strdup (inserted) };

  g_array_append_val (ensure_open (self)->changes, change);

  /* A change made outside any user action is a step of its own. */
  if (implicit)
    close_step (self);
}

static void
insert_text_cb (PwHistory     *self,
                GtkTextIter   *location,
                const char    *text,
                int            length,
                GtkTextBuffer *buffer)
{
  g_autofree char *copy = NULL;

  if (self->paused > 0 || length == 0)
    return;

  copy = g_strndup (text, length);
  record (self, gtk_text_iter_get_offset (location), NULL, copy);
}

static void
delete_range_cb (PwHistory     *self,
                 GtkTextIter   *start,
                 GtkTextIter   *end,
                 GtkTextBuffer *buffer)
{
  g_autofree char *text = NULL;

  if (self->paused > 0 || gtk_text_iter_equal (start, end))
    return;

  text = gtk_text_buffer_get_slice (buffer, start, end, TRUE);
  record (self, gtk_text_iter_get_offset (start), text, NULL);
}

static void
begin_user_action_cb (PwHistory     *self,
                      GtkTextBuffer *buffer)
{
  if (self->paused > 0)
    return;
  self->depth++;
}

static void
end_user_action_cb (PwHistory     *self,
                    GtkTextBuffer *buffer)
{
  if (self->paused > 0 || self->depth == 0)
    return;
  if (--self->depth == 0 && !self->labelled)
    close_step (self);
}

static void
pw_history_finalize (GObject *object)
{
  PwHistory *self = (PwHistory *)object;

  g_clear_pointer (&self->undo, g_ptr_array_unref);
  g_clear_pointer (&self->redo, g_ptr_array_unref);
  g_clear_pointer (&self->open, step_free);
  g_clear_pointer (&self->next_label, g_free);

  G_OBJECT_CLASS (pw_history_parent_class)->finalize (object);
}

static void
pw_history_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  PwHistory *self = PW_HISTORY (object);

  switch (prop_id)
    {
    case PROP_CAN_UNDO:
      g_value_set_boolean (value, pw_history_get_can_undo (self));
      break;

    case PROP_CAN_REDO:
      g_value_set_boolean (value, pw_history_get_can_redo (self));
      break;

    case PROP_UNDO_LABEL:
      g_value_set_string (value, pw_history_get_undo_label (self));
      break;

    case PROP_REDO_LABEL:
      g_value_set_string (value, pw_history_get_redo_label (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_history_class_init (PwHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pw_history_finalize;
  object_class->get_property = pw_history_get_property;

  properties [PROP_CAN_UNDO] =
    g_param_spec_boolean ("can-undo", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_CAN_REDO] =
    g_param_spec_boolean ("can-redo", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_UNDO_LABEL] =
    g_param_spec_string ("undo-label", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_REDO_LABEL] =
    g_param_spec_string ("redo-label", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pw_history_init (PwHistory *self)
{
  self->undo = g_ptr_array_new_with_free_func (step_free);
  self->redo = g_ptr_array_new_with_free_func (step_free);
}

/**
 * pw_history_new:
 * @buffer: the buffer to record; its own undo is switched off
 *
 * Returns: (transfer full): a history that follows @buffer as long as the
 *   buffer lives
 */
PwHistory *
pw_history_new (GtkTextBuffer *buffer)
{
  PwHistory *self;

  g_return_val_if_fail (GTK_IS_TEXT_BUFFER (buffer), NULL);

  self = g_object_new (PW_TYPE_HISTORY, NULL);
  self->buffer = buffer;
  gtk_text_buffer_set_enable_undo (buffer, FALSE);

  g_signal_connect_object (buffer, "insert-text", G_CALLBACK (insert_text_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (buffer, "delete-range", G_CALLBACK (delete_range_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (buffer, "begin-user-action", G_CALLBACK (begin_user_action_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (buffer, "end-user-action", G_CALLBACK (end_user_action_cb), self, G_CONNECT_SWAPPED);

  return self;
}

/**
 * pw_history_begin_labelled:
 * @label: what the user will read after "Undo"
 *
 * Everything that changes the buffer until pw_history_end_labelled() is one
 * step named @label, however many user actions it takes.
 */
void
pw_history_begin_labelled (PwHistory  *self,
                           const char *label)
{
  g_return_if_fail (PW_IS_HISTORY (self));
  g_return_if_fail (label != NULL);
  g_return_if_fail (!self->labelled);

  close_step (self);
  g_free (self->next_label);
  self->next_label = g_strdup (label);
  self->labelled = TRUE;
}

void
pw_history_end_labelled (PwHistory *self)
{
  g_return_if_fail (PW_IS_HISTORY (self));
  g_return_if_fail (self->labelled);

  self->labelled = FALSE;
  close_step (self);
  g_clear_pointer (&self->next_label, g_free);
}

gboolean
pw_history_get_can_undo (PwHistory *self)
{
  g_return_val_if_fail (PW_IS_HISTORY (self), FALSE);

  return self->undo->len > 0;
}

gboolean
pw_history_get_can_redo (PwHistory *self)
{
  g_return_val_if_fail (PW_IS_HISTORY (self), FALSE);

  return self->redo->len > 0;
}

static const char *
step_label (Step *step)
{
  /* Translators: the name of an undo step made by typing in the code view */
  return step->label != NULL ? step->label : _("Typing");
}

const char *
pw_history_get_undo_label (PwHistory *self)
{
  g_return_val_if_fail (PW_IS_HISTORY (self), NULL);

  if (self->undo->len == 0)
    return NULL;
  return step_label (g_ptr_array_index (self->undo, self->undo->len - 1));
}

const char *
pw_history_get_redo_label (PwHistory *self)
{
  g_return_val_if_fail (PW_IS_HISTORY (self), NULL);

  if (self->redo->len == 0)
    return NULL;
  return step_label (g_ptr_array_index (self->redo, self->redo->len - 1));
}

static void
apply_change (GtkTextBuffer *buffer,
              int            offset,
              const char    *remove,
              const char    *insert,
              GtkTextIter   *cursor)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_iter_at_offset (buffer, &start, offset);
  if (remove != NULL)
    {
      gtk_text_buffer_get_iter_at_offset (buffer, &end, offset + (int)g_utf8_strlen (remove, -1));
      gtk_text_buffer_delete (buffer, &start, &end);
    }
  if (insert != NULL)
    gtk_text_buffer_insert (buffer, &start, insert, -1);
  *cursor = start;
}

static void
replay (PwHistory *self,
        Step      *step,
        gboolean   backwards)
{
  GtkTextIter cursor;

  self->paused++;
  gtk_text_buffer_begin_user_action (self->buffer);
  if (backwards)
    {
      for (guint i = step->changes->len; i > 0; i--)
        {
          Change *change = &g_array_index (step->changes, Change, i - 1);
          apply_change (self->buffer, change->offset, change->inserted, change->deleted, &cursor);
        }
    }
  else
    {
      for (guint i = 0; i < step->changes->len; i++)
        {
          Change *change = &g_array_index (step->changes, Change, i);
          apply_change (self->buffer, change->offset, change->deleted, change->inserted, &cursor);
        }
    }
  gtk_text_buffer_end_user_action (self->buffer);
  self->paused--;

  gtk_text_buffer_place_cursor (self->buffer, &cursor);
}

gboolean
pw_history_undo (PwHistory *self)
{
  Step *step;

  g_return_val_if_fail (PW_IS_HISTORY (self), FALSE);

  close_step (self);
  if (self->undo->len == 0)
    return FALSE;

  step = g_ptr_array_steal_index (self->undo, self->undo->len - 1);
  step->sealed = TRUE;
  replay (self, step, TRUE);
  g_ptr_array_add (self->redo, step);

  sync_modified (self);
  notify_all (self);

  return TRUE;
}

gboolean
pw_history_redo (PwHistory *self)
{
  Step *step;

  g_return_val_if_fail (PW_IS_HISTORY (self), FALSE);

  close_step (self);
  if (self->redo->len == 0)
    return FALSE;

  step = g_ptr_array_steal_index (self->redo, self->redo->len - 1);
  replay (self, step, FALSE);
  g_ptr_array_add (self->undo, step);

  sync_modified (self);
  notify_all (self);

  return TRUE;
}

/* After a save (or a load), the current state is the unmodified one: undo
 * from here makes the document modified, redo back makes it clean again. */
void
pw_history_mark_saved (PwHistory *self)
{
  g_return_if_fail (PW_IS_HISTORY (self));

  close_step (self);
  if (self->undo->len > 0)
    ((Step *)g_ptr_array_index (self->undo, self->undo->len - 1))->sealed = TRUE;
  self->saved = self->undo->len;
  sync_modified (self);
}

void
pw_history_clear (PwHistory *self)
{
  g_return_if_fail (PW_IS_HISTORY (self));

  g_clear_pointer (&self->open, step_free);
  g_ptr_array_set_size (self->undo, 0);
  g_ptr_array_set_size (self->redo, 0);
  self->saved = 0;
  sync_modified (self);
  notify_all (self);
}

/* Ends typing's merging, e.g. when the cursor jumps elsewhere. */
void
pw_history_break_group (PwHistory *self)
{
  g_return_if_fail (PW_IS_HISTORY (self));

  if (self->undo->len > 0)
    ((Step *)g_ptr_array_index (self->undo, self->undo->len - 1))->sealed = TRUE;
}

/* Changes made while paused are not recorded: loading and reloading a file. */
void
pw_history_pause (PwHistory *self)
{
  g_return_if_fail (PW_IS_HISTORY (self));

  self->paused++;
}

void
pw_history_resume (PwHistory *self)
{
  g_return_if_fail (PW_IS_HISTORY (self));
  g_return_if_fail (self->paused > 0);

  self->paused--;
}
