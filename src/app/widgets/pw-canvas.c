/* pw-canvas.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-canvas"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "pw-action-card.h"
#include "pw-app-util.h"
#include "pw-canvas.h"
#include "pw-canvas-metrics.h"
#include "pw-palette.h"
#include "pw-pin.h"
#include "pw-stage-header.h"

/*
 * The pipeline, read left to right (DESIGN.md §6): stages are columns, the
 * action groups of a stage (runOrder) are sub-columns in order, the
 * parallel actions of a group stack vertically, and artifacts are curves
 * from the output pin that produces them to every input pin that consumes
 * them.
 *
 * Stage headers and action cards are child widgets (focus, CSS, tooltips
 * and accessibility come with them); the columns, the transitions, the
 * connectors and the drop indicator are drawn. Layout happens in model
 * space with fixed metrics; the zoom is a scale transform on each child and
 * scrolling an offset, so panning and zooming never re-record a card.
 * snapshot() draws only what is visible, the connectors into a cairo node
 * the size of the view (GskPath is GTK 4.14).
 *
 * Moves inside the canvas use a drag gesture: the drag itself changes only
 * view state and the drop is one edit of the text, through the edit module
 * (STYLE.md §9, §11). Providers come from the palette with real DnD.
 */

typedef struct
{
  char       *name;
  char       *description;
  PwPinState  state;
} PinInfo;

typedef struct
{
  GtkWidget *card;        /* a child while the action is on (or near) screen, else NULL */
  PwAction  *action;      /* borrowed from the pipeline */
  char      *title;
  GArray    *inputs;      /* of PinInfo */
  GArray    *outputs;     /* of PinInfo */
  guint      stage;
  guint      index;       /* in the stage's actions array */
  guint      group;
  guint      in_group;
  gint64     run_order;
  double     x;
  double     y;
  double     h;
  gboolean   has_namespace;
  gboolean   selected;
  guint      n_findings;
  PwSeverity worst;
  double     opacity;
} Node;

typedef struct
{
  gint64 run_order;
  double x;
  guint  first;           /* index into nodes */
  guint  n;
} Group;

typedef struct
{
  GtkWidget *header;      /* a child */
  PwStage   *stage;       /* borrowed */
  double     x;
  double     w;
  GArray    *groups;      /* of Group */
  GArray    *node_of;     /* action index → node index */
  guint      first_node;
  guint      n_nodes;
  gboolean   opaque;
  gboolean   has_sources;
  char      *disabled_reason;
  gboolean   disabled;
} Column;

typedef struct
{
  guint       from;
  guint       from_pin;
  guint       to;
  guint       to_pin;
  const char *artifact;   /* owned by the pin */
} Connector;

typedef struct
{
  PwDropKind kind;
  guint      stage;
  guint      group;
  guint      position;
  gboolean   allowed;
  char      *reason;
} DropTarget;

typedef enum
{
  DRAG_NONE,
  DRAG_PENDING,
  DRAG_ACTION,
  DRAG_STAGE,
  DRAG_PAN,
} DragMode;

struct _PwCanvas
{
  GtkWidget       parent_instance;

  PwExecution    *execution;   /* shown on the cards, live or past */
  GHashTable     *transitions; /* stage → reason, disabled now by the executor; NULL: the design's */
  GHashTable     *waiting;     /* stage → how many executions wait to enter it */
  guint           run_tick;    /* elapsed times of running actions, each second */
  guint           run_throttle;/* at most ten card updates a second */
  gboolean        run_dirty;   /* the execution changed during the last tenth */
  PwTextDocument *document;
  PwPipeline     *pipeline;
  GtkAdjustment  *hadjustment;
  GtkAdjustment  *vadjustment;
  guint           hscroll_policy : 1;
  guint           vscroll_policy : 1;

  GArray         *nodes;       /* of Node, in layout order */
  GArray         *columns;     /* of Column */
  GArray         *connectors;  /* of Connector */
  GPtrArray      *headers;     /* the stage headers, in stage order */
  GHashTable     *card_keys;   /* "stage\x1faction" → card, for the cards in use */
  GPtrArray      *spare_cards; /* cards not in use, unseen */
  GHashTable     *spare_by_key;/* during a rebuild: key → spare card that showed it */
  GHashTable     *header_keys; /* stage name → header */
  GHashTable     *producers;   /* artifact → node index + 1 (the last producer) */

  double          content_width;
  double          content_height;
  double          zoom;
  gboolean        show_grid;

  char           *selection;
  char           *highlight;   /* the artifact whose flow is shown */
  char           *hover_artifact;
  gboolean        selecting;

  /* Dragging */
  DragMode        drag_mode;
  int             drag_node;
  int             drag_column;
  double          drag_start_x;
  double          drag_start_y;
  double          drag_x;      /* pointer, widget coordinates */
  double          drag_y;
  double          drag_offset_x;   /* pointer inside the dragged item, model space */
  double          drag_offset_y;
  double          pan_h;
  double          pan_v;
  DropTarget      drop;
  const PwProviderInfo *palette_provider;
  guint           autoscroll_id;
  gboolean        space_held;
  gboolean        allocating;
  guint           visible_source;
  int             last_width;
  int             last_height;

  /* Zoom anchored at a point: model point that must stay under view point */
  double          zoom_begin;
  double          last_pointer_x;
  double          last_pointer_y;

  GtkGesture     *drag_gesture;
  GtkWidget      *menu;
  /* The connectors drawn last, and what they were drawn from. */
  GskRenderNode *connector_node;
  GArray        *connector_key;
  /* The grid, likewise. */
  GskRenderNode *grid_node;
  double         grid_key[9];
};

enum {
  PROP_0,
  PROP_DOCUMENT,
  PROP_SELECTION,
  PROP_ZOOM,
  PROP_HIGHLIGHTED_ARTIFACT,
  PROP_SHOW_GRID,
  N_PROPS,

  /* GtkScrollable */
  PROP_HADJUSTMENT = N_PROPS,
  PROP_VADJUSTMENT,
  PROP_HSCROLL_POLICY,
  PROP_VSCROLL_POLICY,
};

enum {
  ACTIVATE_SELECTION,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE_WITH_CODE (PwCanvas, pw_canvas, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_SCROLLABLE, NULL))

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

#define ZOOM_MIN 0.2
#define ZOOM_MAX 2.5
#define AUTOSCROLL_EDGE 48.0

static void update_highlight     (PwCanvas *self);
static void sync_selected_states (PwCanvas *self);
static void update_actions     (PwCanvas *self);
static void drop_target_clear  (DropTarget *target);

/* Helpers ---------------------------------------------------------------- */

static void
column_clear (gpointer data)
{
  Column *column = data;

  g_clear_pointer (&column->groups, g_array_unref);
  g_clear_pointer (&column->node_of, g_array_unref);
  g_clear_pointer (&column->disabled_reason, g_free);
}

static void
pin_info_clear (gpointer data)
{
  PinInfo *pin = data;

  g_free (pin->name);
  g_free (pin->description);
}

static void
node_clear (gpointer data)
{
  Node *node = data;

  g_clear_pointer (&node->title, g_free);
  g_clear_pointer (&node->inputs, g_array_unref);
  g_clear_pointer (&node->outputs, g_array_unref);
}

static GArray *
pins_of (PwAction   *action,
         const char *member)
{
  g_autoptr(GPtrArray) names = pw_action_card_dup_artifacts (action, member);
  GArray *pins = g_array_sized_new (FALSE, TRUE, sizeof (PinInfo), names->len);

  g_array_set_clear_func (pins, pin_info_clear);
  for (guint i = 0; i < names->len; i++)
    {
      PinInfo pin = { g_strdup (g_ptr_array_index (names, i)), NULL, PW_PIN_CONNECTED };
      g_array_append_val (pins, pin);
    }
  return pins;
}

static inline Node *
node_at (PwCanvas *self,
         guint     i)
{
  return &g_array_index (self->nodes, Node, i);
}

static inline Column *
column_at (PwCanvas *self,
           guint     i)
{
  return &g_array_index (self->columns, Column, i);
}

static double
h_offset (PwCanvas *self)
{
  return self->hadjustment != NULL ? gtk_adjustment_get_value (self->hadjustment) : 0;
}

static double
v_offset (PwCanvas *self)
{
  return self->vadjustment != NULL ? gtk_adjustment_get_value (self->vadjustment) : 0;
}

/* model space → widget coordinates */
static inline double
to_view_x (PwCanvas *self,
           double    x)
{
  return x * self->zoom - h_offset (self);
}

static inline double
to_view_y (PwCanvas *self,
           double    y)
{
  return y * self->zoom - v_offset (self);
}

static inline double
to_model_x (PwCanvas *self,
            double    x)
{
  return (x + h_offset (self)) / self->zoom;
}

static inline double
to_model_y (PwCanvas *self,
            double    y)
{
  return (y + v_offset (self)) / self->zoom;
}

static double
column_height (PwCanvas *self)
{
  return MAX (self->content_height - 2 * PW_CANVAS_MARGIN, PW_STAGE_HEADER_HEIGHT + PW_EMPTY_STAGE_HEIGHT);
}

static int
node_for (PwCanvas *self,
          guint     stage,
          guint     action)
{
  Column *column;

  if (stage >= self->columns->len)
    return -1;
  column = column_at (self, stage);
  if (column->node_of == NULL || action >= column->node_of->len)
    return -1;
  return (int)g_array_index (column->node_of, guint, action);
}

static const char *
action_category (PwAction *action)
{
  if (action == NULL || pw_element_is_opaque (PW_ELEMENT (action)))
    return NULL;
  return pw_action_get_category (action);
}

static gboolean
is_source (PwAction *action)
{
  return g_strcmp0 (action_category (action), "Source") == 0;
}

/* Rebuilding from the model ------------------------------------------------ */

/* After an edit every action is a new object: cards are matched to them by
 * name, so a card keeps showing the same action (and nothing of it is laid
 * out, drawn or described again) when others move around it. */
static char *
card_key (PwStage  *stage,
          PwAction *action,
          guint     s,
          guint     a)
{
  const char *stage_name = pw_element_is_opaque (PW_ELEMENT (stage)) ? NULL : pw_stage_get_name (stage);
  const char *action_name = pw_element_is_opaque (PW_ELEMENT (action)) ? NULL : pw_action_get_name (action);

  if (stage_name == NULL || action_name == NULL)
    return g_strdup_printf ("#%u.%u", s, a);
  return g_strdup_printf ("%s\x1f%s", stage_name, action_name);
}

static void
unparent_all (GPtrArray *widgets)
{
  for (guint i = 0; i < widgets->len; i++)
    gtk_widget_unparent (g_ptr_array_index (widgets, i));
  g_ptr_array_set_size (widgets, 0);
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *)a;
  gint64 y = *(const gint64 *)b;

  return x < y ? -1 : x > y;
}

static gint64
run_order_of (PwAction *action)
{
  if (action == NULL || pw_element_is_opaque (PW_ELEMENT (action)))
    return 1;
  return pw_action_get_run_order (action);
}

/* Which transitions the template disables (CloudFormation's
 * DisableInboundStageTransitions; the API has them as state, not in the
 * declaration). */
static void
read_disabled_transitions (PwCanvas *self)
{
  JsonNode *node;
  JsonArray *array;

  if (self->pipeline == NULL)
    return;

  /* While an executor runs the pipeline, its transitions are the truth. */
  if (self->transitions != NULL)
    {
      for (guint s = 0; s < self->columns->len; s++)
        {
          Column *column = column_at (self, s);
          const char *reason = column->stage != NULL && !column->opaque
            ? g_hash_table_lookup (self->transitions, pw_stage_get_name (column->stage)) : NULL;

          column->disabled = reason != NULL;
          g_free (column->disabled_reason);
          column->disabled_reason = reason != NULL && reason[0] != '\0' ? g_strdup (reason) : NULL;
        }
      return;
    }

  node = pw_element_get_member (PW_ELEMENT (self->pipeline), "disableInboundStageTransitions");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return;

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      JsonObject *object;
      const char *stage_name, *reason;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        continue;
      object = json_node_get_object (item);
      stage_name = json_object_has_member (object, "stageName") &&
                   JSON_NODE_HOLDS_VALUE (json_object_get_member (object, "stageName"))
                   ? json_object_get_string_member (object, "stageName") : NULL;
      reason = json_object_has_member (object, "reason") &&
               JSON_NODE_HOLDS_VALUE (json_object_get_member (object, "reason"))
               ? json_object_get_string_member (object, "reason") : NULL;
      if (stage_name == NULL)
        continue;

      for (guint s = 0; s < self->columns->len; s++)
        {
          Column *column = column_at (self, s);

          if (column->stage != NULL && !column->opaque &&
              g_strcmp0 (pw_stage_get_name (column->stage), stage_name) == 0)
            {
              column->disabled = TRUE;
              g_free (column->disabled_reason);
              column->disabled_reason = g_strdup (reason);
            }
        }
    }
}

static void
count_findings (PwCanvas *self)
{
  GListModel *diagnostics;
  g_autofree guint *stage_counts = NULL;
  g_autofree PwSeverity *stage_worst = NULL;
  guint n;

  stage_counts = g_new0 (guint, MAX (self->columns->len, 1));
  stage_worst = g_new0 (PwSeverity, MAX (self->columns->len, 1));
  for (guint i = 0; i < self->nodes->len; i++)
    {
      node_at (self, i)->n_findings = 0;
      node_at (self, i)->worst = PW_SEVERITY_NOTE;
    }
  for (guint i = 0; i < self->columns->len; i++)
    stage_worst[i] = PW_SEVERITY_NOTE;

  diagnostics = self->document != NULL ? pw_text_document_get_diagnostics (self->document) : NULL;
  n = diagnostics != NULL ? g_list_model_get_n_items (diagnostics) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PwDiagnostic) diagnostic = g_list_model_get_item (diagnostics, i);
      PwSeverity severity = pw_diagnostic_get_severity (diagnostic);
      PwElementRef ref;
      int index;

      if (!pw_path_parse_element (pw_diagnostic_get_path (diagnostic), &ref) || ref.stage < 0)
        continue;

      if (ref.action >= 0 && (index = node_for (self, ref.stage, ref.action)) >= 0)
        {
          Node *node = node_at (self, index);
          node->n_findings++;
          node->worst = MIN (node->worst, severity);
        }
      else if (ref.action < 0 && (guint)ref.stage < self->columns->len)
        {
          stage_counts[ref.stage]++;
          stage_worst[ref.stage] = MIN (stage_worst[ref.stage], severity);
        }
    }

  for (guint i = 0; i < self->columns->len; i++)
    pw_stage_header_set_findings (PW_STAGE_HEADER (column_at (self, i)->header), stage_counts[i], stage_worst[i]);
}

static const char *
stage_title_of (PwCanvas *self,
                guint     stage)
{
  return pw_stage_header_get_title (PW_STAGE_HEADER (column_at (self, stage)->header));
}

/* Which output feeds which input. An input reads the artifact of the same
 * name produced strictly earlier (an earlier stage, or a lower runOrder in
 * the same stage); anything else is drawn as dangling, and an output that
 * no later action reads as unused. This works on the model alone: most
 * actions have no card (only those on screen do). */
static void
connect_artifacts (PwCanvas *self)
{
  g_autoptr(GHashTable) produced = g_hash_table_new (g_str_hash, g_str_equal);  /* name → GArray of packed */
  g_autoptr(GPtrArray) lists = g_ptr_array_new_with_free_func ((GDestroyNotify)g_array_unref);
  g_autoptr(GHashTable) readers = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify)g_ptr_array_unref);

  g_array_set_size (self->connectors, 0);
  g_hash_table_remove_all (self->producers);

  for (guint i = 0; i < self->nodes->len; i++)
    {
      Node *node = node_at (self, i);

      for (guint p = 0; p < node->outputs->len; p++)
        {
          PinInfo *pin = &g_array_index (node->outputs, PinInfo, p);
          GArray *list = g_hash_table_lookup (produced, pin->name);
          guint packed = (i << 8) | MIN (p, 255);

          if (list == NULL)
            {
              list = g_array_new (FALSE, FALSE, sizeof (guint));
              g_ptr_array_add (lists, list);
              g_hash_table_insert (produced, pin->name, list);
            }
          g_array_append_val (list, packed);
          g_hash_table_insert (self->producers, pin->name, GUINT_TO_POINTER (i + 1));
          pin->state = PW_PIN_UNUSED;
        }
    }

  for (guint i = 0; i < self->nodes->len; i++)
    {
      Node *node = node_at (self, i);

      for (guint p = 0; p < node->inputs->len; p++)
        {
          PinInfo *pin = &g_array_index (node->inputs, PinInfo, p);
          GArray *list = g_hash_table_lookup (produced, pin->name);
          int best = -1;
          guint best_pin = 0;

          /* The latest producer that runs strictly earlier. */
          for (guint k = 0; list != NULL && k < list->len; k++)
            {
              guint packed = g_array_index (list, guint, k);
              guint from = packed >> 8;
              Node *producer = node_at (self, from);

              if (producer->stage < node->stage ||
                  (producer->stage == node->stage && producer->group < node->group))
                {
                  best = (int)from;
                  best_pin = packed & 0xff;
                }
            }

          g_free (pin->description);
          if (best >= 0)
            {
              Connector connector = { (guint)best, best_pin, i, p, pin->name };
              Node *producer = node_at (self, best);
              gpointer key = GUINT_TO_POINTER (((guint)best << 8) | best_pin);
              GPtrArray *names = g_hash_table_lookup (readers, key);

              g_array_append_val (self->connectors, connector);
              g_array_index (producer->outputs, PinInfo, best_pin).state = PW_PIN_CONNECTED;
              if (names == NULL)
                g_hash_table_insert (readers, key, (names = g_ptr_array_new ()));
              g_ptr_array_add (names, node->title);

              pin->state = PW_PIN_CONNECTED;
              /* Translators: a pin's tooltip: "Src, produced by Checkout in stage Source" */
              pin->description = g_strdup_printf (_("%s, produced by %s in stage %s"), pin->name, producer->title,
                                                  stage_title_of (self, producer->stage));
            }
          else
            {
              pin->state = PW_PIN_DANGLING;
              /* Translators: a pin's tooltip */
              pin->description = g_strdup_printf (_("%s: no action before this one produces it"), pin->name);
            }
        }
    }

  /* Each output's readers. */
  for (guint i = 0; i < self->nodes->len; i++)
    {
      Node *node = node_at (self, i);

      for (guint p = 0; p < node->outputs->len; p++)
        {
          PinInfo *pin = &g_array_index (node->outputs, PinInfo, p);
          GPtrArray *names = g_hash_table_lookup (readers, GUINT_TO_POINTER ((i << 8) | MIN (p, 255)));
          g_autoptr(GString) tip = g_string_new (pin->name);

          /* Name a few readers; a tooltip listing hundreds helps no one. */
          for (guint r = 0; names != NULL && r < names->len && r < 8; r++)
            {
              g_string_append (tip, r == 0 ? _(", read by ") : ", ");
              g_string_append (tip, g_ptr_array_index (names, r));
            }
          if (names != NULL && names->len > 8)
            g_string_append_printf (tip, g_dngettext (GETTEXT_PACKAGE, " and %u more", " and %u more",
                                                      names->len - 8), names->len - 8);
          if (names == NULL)
            g_string_append (tip, _(": no later action reads it"));
          g_free (pin->description);
          pin->description = g_string_free (g_steal_pointer (&tip), FALSE);
        }
    }
}

static void
layout (PwCanvas *self)
{
  double x = PW_CANVAS_MARGIN;
  double height = PW_STAGE_HEADER_HEIGHT + PW_EMPTY_STAGE_HEIGHT;

  for (guint s = 0; s < self->columns->len; s++)
    {
      Column *column = column_at (self, s);
      double gx = x + PW_STAGE_PAD;
      double width;

      column->x = x;
      for (guint g = 0; g < column->groups->len; g++)
        {
          Group *group = &g_array_index (column->groups, Group, g);
          double y = PW_CANVAS_MARGIN + PW_STAGE_HEADER_HEIGHT + PW_GROUP_LABEL_HEIGHT;

          group->x = gx;
          for (guint k = 0; k < group->n; k++)
            {
              Node *node = node_at (self, group->first + k);

              node->x = gx;
              node->y = y;
              node->h = pw_card_height (node->inputs->len, node->outputs->len, node->has_namespace);
              y += node->h + PW_CARD_GAP;
            }
          height = MAX (height, y - PW_CANVAS_MARGIN);
          gx += PW_CARD_WIDTH + PW_GROUP_GAP;
        }

      width = column->groups->len > 0
            ? column->groups->len * PW_CARD_WIDTH + (column->groups->len - 1) * PW_GROUP_GAP + 2 * PW_STAGE_PAD
            : PW_STAGE_MIN_WIDTH;
      column->w = MAX (width, PW_STAGE_MIN_WIDTH);
      x += column->w + PW_STAGE_GAP;
    }

  /* Room at the end for the new-stage zone. */
  self->content_width = x + PW_STAGE_MIN_WIDTH * 0.6 + PW_CANVAS_MARGIN;
  self->content_height = height + PW_CARD_GAP + 2 * PW_CANVAS_MARGIN;
}

/* Cards ---------------------------------------------------------------------- */

static void
set_selected_state (GtkWidget *widget,
                    gboolean   selected)
{
  if (selected)
    gtk_widget_set_state_flags (widget, GTK_STATE_FLAG_SELECTED, FALSE);
  else
    gtk_widget_unset_state_flags (widget, GTK_STATE_FLAG_SELECTED);
}

static void sync_stage_run (PwCanvas *self, guint index);

/* How many executions wait to enter stage @index. */
static guint
waiting_at (PwCanvas *self,
            guint     index)
{
  Column *column;

  if (self->waiting == NULL || self->columns == NULL || index >= self->columns->len)
    return 0;
  column = column_at (self, index);
  if (column->stage == NULL || pw_stage_get_name (column->stage) == NULL)
    return 0;
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->waiting, pw_stage_get_name (column->stage)));
}

static PwActionExecution *
node_execution (PwCanvas *self,
                Node     *node)
{
  PwStage *stage;
  const char *stage_name, *name;

  if (self->execution == NULL || node->action == NULL || self->pipeline == NULL)
    return NULL;
  stage = pw_pipeline_get_stage (self->pipeline, node->stage);
  stage_name = stage != NULL ? pw_stage_get_name (stage) : NULL;
  name = pw_action_get_name (node->action);
  if (stage_name == NULL || name == NULL)
    return NULL;
  return pw_execution_lookup_action (self->execution, stage_name, name);
}

/* What the card says of its action in the execution shown. */
static void
sync_run (PwCanvas *self,
          Node     *node)
{
  PwActionCard *card = PW_ACTION_CARD (node->card);
  PwActionExecution *run = node_execution (self, node);
  g_autofree char *text = NULL;
  g_autofree char *time = NULL;
  const char *status, *summary;
  GDateTime *start, *update;

  if (self->execution == NULL)
    {
      pw_action_card_set_run (card, NULL, NULL, NULL);
      return;
    }
  if (run == NULL)
    {
      /* A finished execution that never reached it; a live one has yet to. */
      if (pw_execution_is_finished (self->execution))
        pw_action_card_set_run (card, "NotRun", _("Did not run"), NULL);
      else
        pw_action_card_set_run (card, NULL, NULL, NULL);
      return;
    }

  status = pw_action_execution_get_status (run);
  summary = pw_action_execution_get_summary (run);
  start = pw_action_execution_get_start_time (run);
  update = pw_action_execution_get_update_time (run);

  if (g_strcmp0 (status, "InProgress") == 0)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      time = start != NULL ? pw_format_elapsed (g_date_time_difference (now, start)) : g_strdup ("");
      if (g_strcmp0 (pw_action_execution_get_category (run), "Approval") == 0 &&
          pw_action_execution_get_token (run) != NULL)
        {
          /* Translators: an approval on the canvas: "Waiting for approval · 0:12" */
          text = g_strdup_printf (_("Waiting for approval · %s"), time);
          pw_action_card_set_run (card, "Waiting", text, summary);
          return;
        }
      /* Translators: a running action: "In progress · 0:07" */
      text = g_strdup_printf (_("In progress · %s"), time);
      pw_action_card_set_run (card, status, text, summary);
      return;
    }

  time = start != NULL && update != NULL ? pw_format_duration (g_date_time_difference (update, start)) : NULL;
  {
    const char *word = g_strcmp0 (status, "Succeeded") == 0 ? _("Succeeded")
                     : g_strcmp0 (status, "Failed") == 0 ? _("Failed")
                     : g_strcmp0 (status, "Stopped") == 0 ? _("Stopped")
                     : g_strcmp0 (status, "Abandoned") == 0 ? _("Abandoned")
                     : g_strcmp0 (status, "Superseded") == 0 ? _("Superseded")
                     : status;
    g_autoptr(GString) line = g_string_new (word);

    if (time != NULL)
      g_string_append_printf (line, " · %s", time);
    if (pw_action_execution_get_simulated (run))
      g_string_append_printf (line, " · %s", _("simulated"));
    /* Failing tests do not fail a build (as in CodeBuild): say so here. */
    {
      JsonNode *report = pw_action_execution_get_report (run);
      JsonArray *groups = report != NULL && JSON_NODE_HOLDS_OBJECT (report)
        ? json_object_get_array_member (json_node_get_object (report), "groups") : NULL;
      gint64 failed = 0;

      for (guint g = 0; groups != NULL && g < json_array_get_length (groups); g++)
        failed += json_object_get_int_member_with_default (json_array_get_object_element (groups, g), "failed", 0);
      if (failed > 0)
        g_string_append_printf (line, g_dngettext (GETTEXT_PACKAGE, " · %u test failed", " · %u tests failed",
                                                   (gulong)failed), (guint)failed);
    }
    if (g_strcmp0 (status, "Failed") == 0 && summary != NULL)
      g_string_append_printf (line, ": %s", summary);
    pw_action_card_set_run (card, status, line->str, summary);
  }
}

/* Brings a node's card up to date with the node: the action, its findings,
 * its place, its pins' states, selection and highlight. Each call changes
 * only what differs. */
static void
sync_card (PwCanvas *self,
           Node     *node)
{
  PwActionCard *card = PW_ACTION_CARD (node->card);
  Column *column = column_at (self, node->stage);

  pw_action_card_set_action (card, node->action);
  pw_action_card_set_findings (card, node->n_findings, node->worst);
  pw_action_card_set_position (card, stage_title_of (self, node->stage), node->group, column->groups->len,
                               node->in_group, g_array_index (column->groups, Group, node->group).n);

  for (guint p = 0; p < node->inputs->len && p < pw_action_card_get_n_inputs (card); p++)
    {
      PinInfo *pin = &g_array_index (node->inputs, PinInfo, p);
      pw_pin_set_state (pw_action_card_get_input_pin (card, p), pin->state);
      pw_pin_set_description (pw_action_card_get_input_pin (card, p), pin->description);
    }
  for (guint p = 0; p < node->outputs->len && p < pw_action_card_get_n_outputs (card); p++)
    {
      PinInfo *pin = &g_array_index (node->outputs, PinInfo, p);
      pw_pin_set_state (pw_action_card_get_output_pin (card, p), pin->state);
      pw_pin_set_description (pw_action_card_get_output_pin (card, p), pin->description);
    }

  sync_run (self, node);
  set_selected_state (node->card, node->selected);
  if (gtk_widget_get_opacity (node->card) != node->opacity)
    gtk_widget_set_opacity (node->card, node->opacity);
}

static gboolean
value_is (gpointer key,
          gpointer value,
          gpointer user_data)
{
  return value == user_data;
}

/* Gives a node a card: the one that showed the same action last time if
 * there is one (so nothing of it is done again), else a spare one. */
static void
materialize (PwCanvas *self,
             guint     index)
{
  Node *node = node_at (self, index);
  g_autofree char *key = NULL;
  GtkWidget *card;

  if (node->card != NULL)
    return;

  key = card_key (pw_pipeline_get_stage (self->pipeline, node->stage), node->action, node->stage, node->index);
  card = g_hash_table_lookup (self->spare_by_key, key);
  if (card != NULL)
    {
      g_hash_table_remove (self->spare_by_key, key);
      g_ptr_array_remove_fast (self->spare_cards, card);
    }
  else if (self->spare_cards->len > 0)
    {
      card = g_ptr_array_steal_index_fast (self->spare_cards, self->spare_cards->len - 1);
      /* Its old key no longer leads to it. */
      g_hash_table_foreach_remove (self->spare_by_key, value_is, card);
    }
  else
    {
      card = pw_action_card_new ();
      gtk_widget_set_parent (card, GTK_WIDGET (self));
    }

  gtk_widget_set_child_visible (card, TRUE);
  node->card = card;
  /* Two actions of one name (a file being edited): a key each. */
  for (guint n = 2; g_hash_table_contains (self->card_keys, key); n++)
    {
      char *other = g_strdup_printf ("%s#%u", key, n);
      g_free (key);
      key = other;
    }
  g_hash_table_insert (self->card_keys, g_steal_pointer (&key), card);
  sync_card (self, node);
}

/* Takes a node's card back (it left the screen): kept as a spare, unseen,
 * for the next action to come into view. */
static void
release (PwCanvas *self,
         guint     index)
{
  Node *node = node_at (self, index);

  if (node->card == NULL)
    return;

  if (gtk_widget_has_focus (node->card) || gtk_widget_get_focus_child (node->card) != NULL)
    return;

  g_hash_table_foreach_remove (self->card_keys, value_is, node->card);
  gtk_widget_set_child_visible (node->card, FALSE);
  g_ptr_array_add (self->spare_cards, node->card);
  node->card = NULL;
}

/* The model rectangle the view shows, with a margin of half a view around
 * it so that a short scroll finds its cards ready. */
static void
visible_rect (PwCanvas *self,
              double   *x1,
              double   *y1,
              double   *x2,
              double   *y2)
{
  double width = gtk_widget_get_width (GTK_WIDGET (self));
  double height = gtk_widget_get_height (GTK_WIDGET (self));

  /* Before the first allocation: what a window would likely show. */
  if (width <= 0 || height <= 0)
    {
      width = 2000;
      height = 1400;
    }

  *x1 = to_model_x (self, -width / 2);
  *x2 = to_model_x (self, width * 1.5);
  *y1 = to_model_y (self, -height / 2);
  *y2 = to_model_y (self, height * 1.5);
}

/* Cards exist for the actions in and near the view only, so a pipeline of
 * 2,500 actions costs the widgets of the few dozen on screen. Called when
 * the view moves or the model changes, never during an allocation (a new
 * child then would leave the window half laid out). */
static void
update_visible (PwCanvas *self)
{
  double x1, y1, x2, y2;
  gboolean added = FALSE;

  if (self->allocating)
    return;

  visible_rect (self, &x1, &y1, &x2, &y2);
  for (guint i = 0; i < self->nodes->len; i++)
    {
      Node *node = node_at (self, i);
      gboolean near = node->x + PW_CARD_WIDTH >= x1 && node->x <= x2 && node->y + node->h >= y1 && node->y <= y2;

      if (near && node->card == NULL)
        {
          materialize (self, i);
          added = TRUE;
        }
      else if (!near && node->card != NULL && (int)i != self->drag_node)
        release (self, i);
    }

  if (added)
    gtk_widget_queue_allocate (GTK_WIDGET (self));
}

static GtkWidget *
take_header (PwCanvas   *self,
             GHashTable *previous,
             char       *key,
             GPtrArray  *spare)
{
  GtkWidget *widget = NULL;
  gpointer old_key = NULL;
  guint n = 2;

  while (g_hash_table_contains (self->header_keys, key))
    {
      char *other = g_strdup_printf ("%s#%u", key, n++);
      g_free (key);
      key = other;
    }

  if (g_hash_table_steal_extended (previous, key, &old_key, (gpointer *)&widget))
    g_free (old_key);
  else if (spare->len > 0)
    widget = g_ptr_array_steal_index (spare, spare->len - 1);
  else
    {
      widget = pw_stage_header_new ();
      gtk_widget_set_parent (widget, GTK_WIDGET (self));
    }

  g_hash_table_insert (self->header_keys, key, widget);
  return widget;
}

static void
rebuild (PwCanvas *self)
{
  PwPipeline *pipeline = self->document != NULL ? pw_text_document_get_pipeline (self->document) : NULL;
  guint n_stages = pipeline != NULL ? pw_pipeline_get_n_stages (pipeline) : 0;
  guint n_nodes = 0;
  g_autoptr(GHashTable) old_headers = self->header_keys;
  g_autoptr(GPtrArray) spare_headers = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key, widget;

  /* Every card becomes spare, remembered by the action it showed: the
   * actions still in view take theirs back below. */
  g_hash_table_iter_init (&iter, self->card_keys);
  while (g_hash_table_iter_next (&iter, &key, &widget))
    {
      g_hash_table_iter_steal (&iter);
      g_hash_table_insert (self->spare_by_key, key, widget);
      g_ptr_array_add (self->spare_cards, widget);
    }
  self->header_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_ptr_array_set_size (self->headers, 0);

  g_set_object (&self->pipeline, pipeline);
  g_array_set_size (self->nodes, 0);
  g_array_set_size (self->columns, 0);

  for (guint s = 0; s < n_stages; s++)
    {
      PwStage *stage = pw_pipeline_get_stage (pipeline, s);
      Column column = { 0 };
      g_autoptr(GArray) orders = NULL;
      guint n_actions;

      column.stage = stage;
      column.opaque = pw_element_is_opaque (PW_ELEMENT (stage));
      column.groups = g_array_new (FALSE, TRUE, sizeof (Group));
      column.first_node = n_nodes;
      n_actions = column.opaque ? 0 : pw_stage_get_n_actions (stage);
      column.node_of = g_array_sized_new (FALSE, TRUE, sizeof (guint), n_actions);
      g_array_set_size (column.node_of, n_actions);

      /* The distinct runOrders, ascending: the groups. */
      orders = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_actions);
      for (guint a = 0; a < n_actions; a++)
        {
          gint64 order = run_order_of (pw_stage_get_action (stage, a));
          g_array_append_val (orders, order);
        }
      g_array_sort (orders, compare_gint64);

      for (guint k = 0; k < orders->len; k++)
        {
          gint64 order = g_array_index (orders, gint64, k);
          Group group = { order, 0, n_nodes, 0 };

          if (k > 0 && order == g_array_index (orders, gint64, k - 1))
            continue;

          /* The group's actions in file order. */
          for (guint a = 0; a < n_actions; a++)
            {
              PwAction *action = pw_stage_get_action (stage, a);
              Node node = { 0 };

              if (run_order_of (action) != order)
                continue;

              node.action = action;
              node.title = pw_action_card_dup_title (action);
              node.inputs = pins_of (action, "inputArtifacts");
              node.outputs = pins_of (action, "outputArtifacts");
              node.has_namespace = !pw_element_is_opaque (PW_ELEMENT (action)) &&
                                   pw_element_get_member (PW_ELEMENT (action), "namespace") != NULL;
              node.stage = s;
              node.index = a;
              node.group = column.groups->len;
              node.in_group = group.n++;
              node.run_order = order;
              node.opacity = 1.0;
              g_array_index (column.node_of, guint, a) = n_nodes;
              g_array_append_val (self->nodes, node);
              n_nodes++;
              column.has_sources |= is_source (action);
            }
          g_array_append_val (column.groups, group);
        }

      column.n_nodes = n_nodes - column.first_node;
      column.header = take_header (self, old_headers,
                                   column.opaque || pw_stage_get_name (stage) == NULL
                                   ? g_strdup_printf ("#%u", s) : g_strdup (pw_stage_get_name (stage)),
                                   spare_headers);
      g_ptr_array_add (self->headers, column.header);
      g_array_append_val (self->columns, column);
    }

  /* Headers no stage took are gone. */
  g_hash_table_iter_init (&iter, old_headers);
  while (g_hash_table_iter_next (&iter, NULL, &widget))
    g_ptr_array_add (spare_headers, widget);
  unparent_all (spare_headers);

  for (guint s = 0; s < self->columns->len; s++)
    {
      Column *column = column_at (self, s);

      pw_stage_header_set_stage (PW_STAGE_HEADER (column->header), column->stage, s, n_stages,
                                 column->groups->len);
      sync_stage_run (self, s);
    }

  read_disabled_transitions (self);
  connect_artifacts (self);
  count_findings (self);
  layout (self);
  update_highlight (self);
  sync_selected_states (self);
  update_visible (self);

  /* Spare cards nobody took: keep a few for scrolling, drop the rest. */
  g_hash_table_remove_all (self->spare_by_key);
  while (self->spare_cards->len > 64)
    {
      GtkWidget *card = g_ptr_array_steal_index_fast (self->spare_cards, self->spare_cards->len - 1);
      gtk_widget_unparent (card);
    }
  for (guint i = 0; i < self->spare_cards->len; i++)
    gtk_widget_set_child_visible (g_ptr_array_index (self->spare_cards, i), FALSE);

  update_actions (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

static void
document_changed_cb (PwCanvas       *self,
                     PwTextDocument *document)
{
  g_autofree char *selection = g_strdup (self->selection);
  PwElementRef ref;

  rebuild (self);

  /* Keep the selection if the element is still there. */
  if (selection != NULL && !g_str_has_prefix (selection, "artifact:") &&
      pw_path_parse_element (selection, &ref))
    {
      if (ref.stage >= 0 && (guint)ref.stage >= self->columns->len)
        pw_canvas_set_selection (self, NULL);
      else if (ref.action >= 0 && node_for (self, ref.stage, ref.action) < 0)
        {
          g_autofree char *stage = g_strdup_printf ("stages[%d]", ref.stage);
          pw_canvas_set_selection (self, stage);
        }
    }
  else if (selection != NULL && g_str_has_prefix (selection, "artifact:") &&
           !g_hash_table_contains (self->producers, selection + strlen ("artifact:")))
    pw_canvas_set_selection (self, NULL);
}

/* Selection and highlight -------------------------------------------------- */

static void
sync_selected_states (PwCanvas *self)
{
  PwElementRef ref = { -1, -1 };
  gboolean element = self->selection != NULL && !g_str_has_prefix (self->selection, "artifact:") &&
                     pw_path_parse_element (self->selection, &ref);

  for (guint i = 0; i < self->nodes->len; i++)
    {
      Node *node = node_at (self, i);

      node->selected = element && ref.action >= 0 && (guint)ref.stage == node->stage &&
                       (guint)ref.action == node->index;
      if (node->card != NULL)
        set_selected_state (node->card, node->selected);
    }
  for (guint s = 0; s < self->columns->len; s++)
    set_selected_state (column_at (self, s)->header, element && ref.action < 0 && (guint)ref.stage == s);
}

/* The flow of one artifact: its producer, its consumers and the curves
 * between them stay; the rest fades. Opacity, not a CSS class, so hovering
 * a pin on a big canvas restyles nothing. */
static void
update_highlight (PwCanvas *self)
{
  const char *artifact = self->hover_artifact != NULL ? self->hover_artifact : self->highlight;

  for (guint i = 0; i < self->nodes->len; i++)
    {
      Node *node = node_at (self, i);
      gboolean involved = artifact == NULL;

      for (guint p = 0; !involved && p < node->outputs->len; p++)
        involved = g_str_equal (g_array_index (node->outputs, PinInfo, p).name, artifact);
      for (guint p = 0; !involved && p < node->inputs->len; p++)
        involved = g_str_equal (g_array_index (node->inputs, PinInfo, p).name, artifact);

      node->opacity = involved ? 1.0 : 0.3;
      if (node->card != NULL && gtk_widget_get_opacity (node->card) != node->opacity)
        gtk_widget_set_opacity (node->card, node->opacity);
    }

  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static GtkWidget *
widget_for_selection (PwCanvas *self)
{
  PwElementRef ref;
  int node;

  if (self->selection == NULL || g_str_has_prefix (self->selection, "artifact:") ||
      !pw_path_parse_element (self->selection, &ref) || ref.stage < 0)
    return NULL;

  if (ref.action < 0)
    return (guint)ref.stage < self->columns->len ? column_at (self, ref.stage)->header : NULL;

  node = node_for (self, ref.stage, ref.action);
  if (node < 0)
    return NULL;
  materialize (self, node);
  return node_at (self, node)->card;
}

static void
scroll_to_rect (PwCanvas *self,
                double    x,
                double    y,
                double    w,
                double    h)
{
  double vx = x * self->zoom, vy = y * self->zoom;
  double vw = w * self->zoom, vh = h * self->zoom;
  double hv = h_offset (self), vv = v_offset (self);
  double width = gtk_widget_get_width (GTK_WIDGET (self));
  double height = gtk_widget_get_height (GTK_WIDGET (self));

  if (self->hadjustment == NULL || width <= 0)
    return;

  if (vx < hv + 16)
    gtk_adjustment_set_value (self->hadjustment, vx - 16);
  else if (vx + vw > hv + width - 16)
    gtk_adjustment_set_value (self->hadjustment, MIN (vx - 16, vx + vw - width + 16));

  if (vy < vv + 16)
    gtk_adjustment_set_value (self->vadjustment, vy - 16);
  else if (vy + vh > vv + height - 16)
    gtk_adjustment_set_value (self->vadjustment, MIN (vy - 16, vy + vh - height + 16));
}

/* Brings the selected card or stage into view and gives it focus. */
void
pw_canvas_reveal_selection (PwCanvas *self)
{
  PwElementRef ref;
  GtkWidget *widget;
  int node;

  g_return_if_fail (PW_IS_CANVAS (self));

  widget = widget_for_selection (self);
  if (widget == NULL || !pw_path_parse_element (self->selection, &ref))
    return;

  if (ref.action >= 0 && (node = node_for (self, ref.stage, ref.action)) >= 0)
    scroll_to_rect (self, node_at (self, node)->x, node_at (self, node)->y, PW_CARD_WIDTH, node_at (self, node)->h);
  else
    scroll_to_rect (self, column_at (self, ref.stage)->x, PW_CANVAS_MARGIN,
                    MIN (column_at (self, ref.stage)->w, 400), PW_STAGE_HEADER_HEIGHT);

  self->selecting = TRUE;
  gtk_widget_grab_focus (widget);
  self->selecting = FALSE;
}

/* Actions (the keyboard's way to do what the pointer does) ----------------- */

static gboolean
selected_node (PwCanvas *self,
               Node    **out)
{
  PwElementRef ref;
  int node;

  if (self->selection == NULL || g_str_has_prefix (self->selection, "artifact:") ||
      !pw_path_parse_element (self->selection, &ref) || ref.action < 0)
    return FALSE;

  node = node_for (self, ref.stage, ref.action);
  if (node < 0)
    return FALSE;
  *out = node_at (self, node);
  return TRUE;
}

static int
selected_stage (PwCanvas *self)
{
  PwElementRef ref;

  if (self->selection == NULL || g_str_has_prefix (self->selection, "artifact:") ||
      !pw_path_parse_element (self->selection, &ref) || ref.stage < 0 || ref.action >= 0 ||
      (guint)ref.stage >= self->columns->len)
    return -1;
  return ref.stage;
}

static void
update_actions (PwCanvas *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  Node *node = NULL;
  gboolean has_node = selected_node (self, &node);
  int stage = selected_stage (self);
  gboolean editable = self->document != NULL && pw_text_document_get_pipeline (self->document) != NULL;

  gtk_widget_action_set_enabled (widget, "canvas.move-left", editable && (has_node || stage > 0));
  gtk_widget_action_set_enabled (widget, "canvas.move-right",
                                 editable && (has_node || (stage >= 0 && (guint)stage + 1 < self->columns->len)));
  gtk_widget_action_set_enabled (widget, "canvas.move-up", editable && has_node && node->in_group > 0);
  gtk_widget_action_set_enabled (widget, "canvas.move-down", editable && has_node &&
                                 node->in_group + 1 < g_array_index (column_at (self, node->stage)->groups,
                                                                     Group, node->group).n);
  gtk_widget_action_set_enabled (widget, "canvas.new-group-before", editable && has_node);
  gtk_widget_action_set_enabled (widget, "canvas.new-group-after", editable && has_node);
  gtk_widget_action_set_enabled (widget, "canvas.delete", editable && (has_node || stage >= 0));
  gtk_widget_action_set_enabled (widget, "canvas.duplicate", editable && has_node &&
                                 !pw_element_is_opaque (PW_ELEMENT (node->action)));
  gtk_widget_action_set_enabled (widget, "canvas.add-stage", editable);
}

/* Planning a drop as an edit ------------------------------------------------ */

/* The index in @column's actions array once @moving (a node index, or -1)
 * has been taken out of it, of the action at @index. */
static int
index_after_removal (PwCanvas *self,
                     guint     stage,
                     guint     index,
                     int       moving)
{
  if (moving >= 0 && node_at (self, moving)->stage == stage && node_at (self, moving)->index < index)
    return (int)index - 1;
  return (int)index;
}

typedef struct
{
  guint    stage;
  int      to_index;
  gint64   run_order;
  gboolean new_group;
  gboolean no_op;
} ActionPlan;

static gboolean
plan_action_drop (PwCanvas         *self,
                  const DropTarget *target,
                  int               moving,
                  ActionPlan       *plan)
{
  Column *column;
  Node *mover = moving >= 0 ? node_at (self, moving) : NULL;

  memset (plan, 0, sizeof *plan);
  plan->stage = target->stage;
  if (target->stage >= self->columns->len)
    return FALSE;
  column = column_at (self, target->stage);

  if (target->kind == PW_DROP_GROUP)
    {
      Group *group = &g_array_index (column->groups, Group, target->group);
      g_autoptr(GArray) members = g_array_new (FALSE, FALSE, sizeof (guint));

      for (guint k = 0; k < group->n; k++)
        {
          guint n = group->first + k;
          if ((int)n != moving)
            g_array_append_val (members, n);
        }

      plan->run_order = group->run_order;
      if (target->position < members->len)
        {
          Node *anchor = node_at (self, g_array_index (members, guint, target->position));
          plan->to_index = index_after_removal (self, target->stage, anchor->index, moving);
        }
      else if (members->len > 0)
        {
          Node *last = node_at (self, g_array_index (members, guint, members->len - 1));
          plan->to_index = index_after_removal (self, target->stage, last->index, moving) + 1;
        }
      else
        plan->to_index = mover != NULL ? (int)mover->index : -1;

      if (mover != NULL && mover->stage == target->stage && mover->group == target->group)
        plan->no_op = MIN (target->position, members->len) == mover->in_group;
      return TRUE;
    }

  if (target->kind == PW_DROP_GAP)
    {
      Group *prev = target->group > 0 ? &g_array_index (column->groups, Group, target->group - 1) : NULL;
      Group *next = target->group < column->groups->len ? &g_array_index (column->groups, Group, target->group) : NULL;
      gint64 candidate = prev != NULL ? prev->run_order + 1 : 1;

      if (mover != NULL && mover->stage == target->stage &&
          g_array_index (column->groups, Group, mover->group).n == 1 &&
          (target->group == mover->group || target->group == mover->group + 1))
        {
          plan->no_op = TRUE;
          return TRUE;
        }

      if (next != NULL && candidate >= next->run_order)
        plan->new_group = TRUE;
      if (next != NULL && !plan->new_group && prev == NULL && next->run_order > 1)
        candidate = 1;
      plan->run_order = candidate;

      plan->to_index = -1;
      if (prev != NULL)
        {
          guint last = 0;
          gboolean found = FALSE;

          for (guint k = 0; k < prev->n; k++)
            {
              Node *n = node_at (self, prev->first + k);
              if ((int)(prev->first + k) != moving && (!found || n->index > last))
                {
                  last = n->index;
                  found = TRUE;
                }
            }
          if (found)
            plan->to_index = index_after_removal (self, target->stage, last, moving) + 1;
        }
      else if (next != NULL)
        {
          guint first = G_MAXUINT;

          for (guint k = 0; k < next->n; k++)
            {
              Node *n = node_at (self, next->first + k);
              if ((int)(next->first + k) != moving)
                first = MIN (first, n->index);
            }
          if (first != G_MAXUINT)
            plan->to_index = index_after_removal (self, target->stage, first, moving);
        }
      return TRUE;
    }

  return FALSE;
}

static char *
unique_action_name (PwCanvas   *self,
                    const char *base)
{
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < self->nodes->len; i++)
    {
      PwAction *action = node_at (self, i)->action;
      if (!pw_element_is_opaque (PW_ELEMENT (action)) && pw_action_get_name (action) != NULL)
        g_hash_table_add (names, (gpointer)pw_action_get_name (action));
    }

  if (!g_hash_table_contains (names, base))
    return g_strdup (base);
  for (guint n = 2; ; n++)
    {
      g_autofree char *candidate = g_strdup_printf ("%s%u", base, n);
      if (!g_hash_table_contains (names, candidate))
        return g_steal_pointer (&candidate);
    }
}

static char *
unique_stage_name (PwCanvas   *self,
                   const char *base)
{
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint s = 0; s < self->columns->len; s++)
    {
      Column *column = column_at (self, s);
      if (!column->opaque && pw_stage_get_name (column->stage) != NULL)
        g_hash_table_add (names, (gpointer)pw_stage_get_name (column->stage));
    }

  if (!g_hash_table_contains (names, base))
    return g_strdup (base);
  for (guint n = 2; ; n++)
    {
      g_autofree char *candidate = g_strdup_printf ("%s%u", base, n);
      if (!g_hash_table_contains (names, candidate))
        return g_steal_pointer (&candidate);
    }
}

static gboolean
artifact_exists (PwCanvas   *self,
                 const char *name)
{
  return g_hash_table_contains (self->producers, name);
}

/* The artifact produced last before a new action at (stage, run_order):
 * what a build or deploy dropped there most likely wants as its input. */
static const char *
latest_artifact_before (PwCanvas *self,
                        guint     stage,
                        gint64    run_order,
                        gboolean  new_stage)
{
  const char *found = NULL;

  for (guint i = 0; i < self->nodes->len; i++)
    {
      Node *node = node_at (self, i);
      gboolean earlier = new_stage ? node->stage < stage
                                   : node->stage < stage || (node->stage == stage && node->run_order < run_order);

      if (earlier && node->outputs->len > 0)
        found = g_array_index (node->outputs, PinInfo, 0).name;
    }

  return found;
}

static JsonNode *
new_action_node (PwCanvas             *self,
                 const PwProviderInfo *info,
                 guint                 stage,
                 gint64                run_order,
                 gboolean              new_stage)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *name = unique_action_name (self, info->provider);
  const char *input = NULL;

  if (info->min_inputs > 0)
    input = latest_artifact_before (self, stage, run_order, new_stage);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "actionTypeId");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "category");
  json_builder_add_string_value (builder, info->category);
  json_builder_set_member_name (builder, "owner");
  json_builder_add_string_value (builder, info->owner);
  json_builder_set_member_name (builder, "provider");
  json_builder_add_string_value (builder, info->provider);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, info->version != NULL ? info->version : "1");
  json_builder_end_object (builder);
  if (run_order != 1)
    {
      json_builder_set_member_name (builder, "runOrder");
      json_builder_add_int_value (builder, run_order);
    }
  if (input != NULL)
    {
      json_builder_set_member_name (builder, "inputArtifacts");
      json_builder_begin_array (builder);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, input);
      json_builder_end_object (builder);
      json_builder_end_array (builder);
    }
  if (info->min_outputs > 0)
    {
      g_autofree char *base = g_strdup_printf ("%sOutput", name);
      g_autofree char *output = g_strdup (base);

      for (guint n = 2; artifact_exists (self, output); n++)
        {
          g_free (output);
          output = g_strdup_printf ("%s%u", base, n);
        }
      json_builder_set_member_name (builder, "outputArtifacts");
      json_builder_begin_array (builder);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, output);
      json_builder_end_object (builder);
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* Edits --------------------------------------------------------------------- */

typedef struct
{
  guint      stage;
  guint      action;
  ActionPlan plan;
} MoveActionData;

static gboolean
move_action_func (PwEditor  *editor,
                  gpointer   user_data,
                  GError   **error)
{
  MoveActionData *data = user_data;

  return pw_editor_move_action (editor, data->stage, data->action, data->plan.stage, data->plan.to_index,
                                data->plan.run_order, data->plan.new_group, error);
}

typedef struct
{
  guint     stage;
  int       index;
  JsonNode *node;
  gboolean  new_group;
  int       position;
} AddData;

static gboolean
add_action_func (PwEditor  *editor,
                 gpointer   user_data,
                 GError   **error)
{
  AddData *data = user_data;

  return pw_editor_add_action (editor, data->stage, data->index, data->node, data->new_group, error);
}

static gboolean
add_stage_func (PwEditor  *editor,
                gpointer   user_data,
                GError   **error)
{
  AddData *data = user_data;

  return pw_editor_add_stage (editor, data->position, data->node, error);
}

typedef struct
{
  guint stage;
  guint to;
} MoveStageData;

static gboolean
move_stage_func (PwEditor  *editor,
                 gpointer   user_data,
                 GError   **error)
{
  MoveStageData *data = user_data;

  return pw_editor_move_stage (editor, data->stage, data->to, error);
}

static const char *
stage_title (PwCanvas *self,
             guint     stage)
{
  if (stage >= self->columns->len)
    return "";
  return pw_stage_header_get_title (PW_STAGE_HEADER (column_at (self, stage)->header));
}

/* Moves a node as planned; the selection follows the action. */
static void
commit_action_move (PwCanvas         *self,
                    guint             moving,
                    const ActionPlan *plan)
{
  Node *node = node_at (self, moving);
  MoveActionData data = { node->stage, node->index, *plan };
  g_autofree char *label = NULL;
  g_autofree char *name = g_strdup (node->title);
  PwStage *target_stage;
  guint new_index = 0;

  if (plan->no_op)
    return;

  if (plan->stage == node->stage)
    /* Translators: an undo step: "Move action Build" */
    label = g_strdup_printf (_("Move action %s"), name);
  else
    /* Translators: an undo step: "Move action Build to stage Test" */
    label = g_strdup_printf (_("Move action %s to stage %s"), name, stage_title (self, plan->stage));

  if (!pw_text_document_edit (self->document, label, move_action_func, &data, NULL))
    return;

  /* Find the moved action again by its place in the new model. */
  target_stage = self->pipeline != NULL && plan->stage < pw_pipeline_get_n_stages (self->pipeline)
               ? pw_pipeline_get_stage (self->pipeline, plan->stage) : NULL;
  if (target_stage != NULL)
    {
      guint n = pw_stage_get_n_actions (target_stage);
      new_index = plan->to_index >= 0 && (guint)plan->to_index < n ? (guint)plan->to_index : n - 1;
    }
  {
    g_autofree char *path = g_strdup_printf ("stages[%u].actions[%u]", plan->stage, new_index);
    pw_canvas_set_selection (self, path);
    pw_canvas_reveal_selection (self);
  }
}

static void
commit_stage_move (PwCanvas *self,
                   guint     stage,
                   guint     position)
{
  MoveStageData data = { stage, position > stage ? position - 1 : position };
  g_autofree char *label = NULL;
  g_autofree char *path = NULL;

  if (data.to == stage)
    return;

  /* Translators: an undo step: "Move stage Test" */
  label = g_strdup_printf (_("Move stage %s"), stage_title (self, stage));
  if (!pw_text_document_edit (self->document, label, move_stage_func, &data, NULL))
    return;

  path = g_strdup_printf ("stages[%u]", data.to);
  pw_canvas_set_selection (self, path);
  pw_canvas_reveal_selection (self);
}

static gboolean
commit_provider_drop (PwCanvas             *self,
                      const PwProviderInfo *info,
                      const DropTarget     *target)
{
  g_autoptr(JsonNode) action = NULL;
  g_autofree char *label = NULL;
  g_autofree char *path = NULL;
  AddData data = { 0 };

  if (target->kind == PW_DROP_NEW_STAGE)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autofree char *name = unique_stage_name (self, info->category);

      action = new_action_node (self, info, target->stage, 1, TRUE);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, name);
      json_builder_set_member_name (builder, "actions");
      json_builder_begin_array (builder);
      json_builder_add_value (builder, json_node_ref (action));
      json_builder_end_array (builder);
      json_builder_end_object (builder);

      data.node = json_builder_get_root (builder);
      data.position = (int)target->stage;
      /* Translators: an undo step: "Add stage Deploy" */
      label = g_strdup_printf (_("Add stage %s"), name);
      if (pw_text_document_edit (self->document, label, add_stage_func, &data, NULL))
        path = g_strdup_printf ("stages[%u].actions[0]", target->stage);
      json_node_unref (data.node);
    }
  else
    {
      ActionPlan plan;

      if (!plan_action_drop (self, target, -1, &plan))
        return FALSE;

      action = new_action_node (self, info, plan.stage, plan.run_order, FALSE);
      data.stage = plan.stage;
      data.index = plan.to_index;
      data.node = action;
      data.new_group = plan.new_group;
      /* Translators: an undo step: "Add action CodeBuild to stage Build" */
      label = g_strdup_printf (_("Add action %s to stage %s"),
                               json_object_get_string_member (json_node_get_object (action), "name"),
                               stage_title (self, plan.stage));
      if (pw_text_document_edit (self->document, label, add_action_func, &data, NULL))
        {
          PwStage *stage = pw_pipeline_get_stage (self->pipeline, plan.stage);
          guint n = pw_stage_get_n_actions (stage);
          guint index = plan.to_index >= 0 && (guint)plan.to_index < n ? (guint)plan.to_index : n - 1;

          path = g_strdup_printf ("stages[%u].actions[%u]", plan.stage, index);
        }
    }

  if (path == NULL)
    return FALSE;
  pw_canvas_set_selection (self, path);
  pw_canvas_reveal_selection (self);
  return TRUE;
}

/* Where a drop would land ---------------------------------------------------- */

static void
drop_target_clear (DropTarget *target)
{
  g_clear_pointer (&target->reason, g_free);
  target->kind = PW_DROP_NONE;
  target->allowed = FALSE;
}

/* The service's rules for where an action may go (codepipeline-model.md):
 * source actions only in the first stage, and the first stage only source
 * actions; at most 50 actions in a stage. */
static void
check_action_target (PwCanvas   *self,
                     DropTarget *target,
                     const char *category,
                     int         moving)
{
  gboolean source = g_strcmp0 (category, "Source") == 0;
  Column *column = target->stage < self->columns->len ? column_at (self, target->stage) : NULL;
  gboolean first_has_sources = self->columns->len > 0 && column_at (self, 0)->has_sources;

  target->allowed = TRUE;
  g_clear_pointer (&target->reason, g_free);

  if (target->kind == PW_DROP_NEW_STAGE)
    {
      if (source && !(target->stage == 0 && !first_has_sources))
        target->reason = g_strdup (_("Source actions go in the first stage, with the other sources"));
      else if (!source && target->stage == 0 && first_has_sources)
        target->reason = g_strdup (_("The first stage holds the source actions: no stage can come before it"));
    }
  else if (column != NULL)
    {
      if (column->opaque)
        target->reason = g_strdup (_("This stage is chosen by an intrinsic function; edit it in the code view"));
      else if (source && target->stage != 0)
        target->reason = g_strdup (_("Source actions can only be in the first stage"));
      else if (!source && target->stage == 0 && (column->has_sources || self->columns->len > 1))
        target->reason = g_strdup (_("The first stage can only hold source actions"));
      else if (column->n_nodes >= 50 && (moving < 0 || node_at (self, moving)->stage != target->stage))
        target->reason = g_strdup (_("A stage can hold at most 50 actions"));
    }

  target->allowed = target->reason == NULL;
}

static void
check_stage_target (PwCanvas   *self,
                    DropTarget *target,
                    guint       moving)
{
  gboolean first_has_sources = self->columns->len > 0 && column_at (self, 0)->has_sources;

  g_clear_pointer (&target->reason, g_free);
  if (first_has_sources && moving == 0 && target->stage > 1)
    target->reason = g_strdup (_("The stage with the source actions must stay first"));
  else if (first_has_sources && moving != 0 && target->stage == 0)
    target->reason = g_strdup (_("The stage with the source actions must stay first"));
  target->allowed = target->reason == NULL;
}

/* The drop target for an action (or a provider) under model point (x, y). */
static void
find_action_target (PwCanvas   *self,
                    double      x,
                    double      y,
                    gboolean    allow_new_stage,
                    DropTarget *target)
{
  drop_target_clear (target);

  for (guint s = 0; s < self->columns->len; s++)
    {
      Column *column = column_at (self, s);
      double left = column->x, right = column->x + column->w;

      if (allow_new_stage && x < left && x >= left - PW_STAGE_GAP)
        {
          /* Between two stages: a new stage there. */
          target->kind = PW_DROP_NEW_STAGE;
          target->stage = s;
          return;
        }

      if (x < left || x >= right)
        continue;

      target->stage = s;
      if (column->groups->len == 0)
        {
          target->kind = PW_DROP_GAP;
          target->group = 0;
          return;
        }

      for (guint g = 0; g < column->groups->len; g++)
        {
          Group *group = &g_array_index (column->groups, Group, g);
          double gl = group->x, gr = group->x + PW_CARD_WIDTH;
          double inner = PW_CARD_WIDTH * 0.18;

          if (x < gl + inner)
            {
              /* The left edge of a group or the gap before it. */
              target->kind = PW_DROP_GAP;
              target->group = g;
              return;
            }
          if (x < gr - inner || (g + 1 == column->groups->len && x < gr))
            {
              if (x >= gr - inner && g + 1 == column->groups->len && x >= gr - inner)
                break;
              target->kind = PW_DROP_GROUP;
              target->group = g;
              target->position = group->n;
              for (guint k = 0; k < group->n; k++)
                {
                  Node *node = node_at (self, group->first + k);
                  if (y < node->y + node->h / 2)
                    {
                      target->position = k;
                      break;
                    }
                }
              return;
            }
          if (x < gr + PW_GROUP_GAP / 2 && g + 1 < column->groups->len)
            {
              target->kind = PW_DROP_GAP;
              target->group = g + 1;
              return;
            }
        }

      /* Past the last group. */
      target->kind = PW_DROP_GAP;
      target->group = column->groups->len;
      return;
    }

  if (allow_new_stage && self->columns->len > 0 &&
      x >= column_at (self, self->columns->len - 1)->x + column_at (self, self->columns->len - 1)->w)
    {
      target->kind = PW_DROP_NEW_STAGE;
      target->stage = self->columns->len;
    }
  else if (allow_new_stage && self->columns->len == 0)
    {
      target->kind = PW_DROP_NEW_STAGE;
      target->stage = 0;
    }
}

static void
find_stage_target (PwCanvas   *self,
                   double      x,
                   DropTarget *target)
{
  drop_target_clear (target);
  target->kind = PW_DROP_STAGE;
  target->stage = self->columns->len;

  for (guint s = 0; s < self->columns->len; s++)
    {
      Column *column = column_at (self, s);

      if (x < column->x + column->w / 2)
        {
          target->stage = s;
          break;
        }
    }
}

/* Drawing ------------------------------------------------------------------- */

static void
pin_point (PwCanvas *self,
           guint     node_index,
           gboolean  output,
           guint     pin,
           double   *x,
           double   *y)
{
  Node *node = node_at (self, node_index);

  *x = node->x + (output ? PW_CARD_WIDTH : 0);
  *y = node->y + pw_card_pins_top (node->has_namespace) + (pin + 0.5) * PW_PIN_HEIGHT;
}

/* Whether the execution shown made the version of @connector's artifact
 * its producer outputs. */
static gboolean
connector_produced (PwCanvas  *self,
                    Connector *connector)
{
  PwActionExecution *run;
  JsonArray *outputs;

  if (self->execution == NULL)
    return FALSE;
  run = node_execution (self, node_at (self, connector->from));
  outputs = run != NULL ? pw_action_execution_get_artifacts (run) : NULL;
  for (guint o = 0; outputs != NULL && o < json_array_get_length (outputs); o++)
    if (g_strcmp0 (json_object_get_string_member_with_default (json_array_get_object_element (outputs, o), "name", NULL),
                   connector->artifact) == 0)
      return TRUE;
  return FALSE;
}

static void
draw_connectors (PwCanvas        *self,
                 GtkSnapshot     *snapshot,
                 const GdkRGBA   *fg,
                 const GdkRGBA   *accent,
                 double           width,
                 double           height)
{
  const char *artifact = self->hover_artifact != NULL ? self->hover_artifact : self->highlight;
  double left = to_model_x (self, 0), right = to_model_x (self, width);
  double top = to_model_y (self, 0), bottom = to_model_y (self, height);
  g_autoptr(GtkSnapshot) recorder = NULL;
  g_autoptr(GArray) key = NULL;
  GdkRGBA produced_color;
  cairo_t *cr;

  if (self->connectors->len == 0)
    return;

  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (GTK_WIDGET (self)), "success_color",
                                       &produced_color))
    produced_color = *accent;

  /* What the curves look like, as numbers: when they are what the last
   * frame drew, its node is drawn again. GTK then sees the same node and
   * repaints only what changed around it (a card's status in a run), not
   * the whole canvas a new cairo node would cover. */
  key = g_array_sized_new (FALSE, FALSE, sizeof (double), 16 + self->connectors->len * 6);
  {
    double head[] = { width, height, h_offset (self), v_offset (self), self->zoom,
                      fg->red, fg->green, fg->blue, fg->alpha, accent->red, accent->green, accent->blue,
                      produced_color.red, produced_color.green, produced_color.blue, artifact != NULL };

    g_array_append_vals (key, head, G_N_ELEMENTS (head));
  }
  for (guint c = 0; c < self->connectors->len; c++)
    {
      Connector *connector = &g_array_index (self->connectors, Connector, c);
      double item[6] = { 0 };

      pin_point (self, connector->from, TRUE, connector->from_pin, &item[0], &item[1]);
      pin_point (self, connector->to, FALSE, connector->to_pin, &item[2], &item[3]);
      item[4] = artifact != NULL && g_strcmp0 (connector->artifact, artifact) == 0;
      item[5] = artifact == NULL && connector_produced (self, connector);
      g_array_append_vals (key, item, G_N_ELEMENTS (item));
    }
  if (self->connector_node != NULL && self->connector_key != NULL &&
      self->connector_key->len == key->len &&
      memcmp (self->connector_key->data, key->data, key->len * sizeof (double)) == 0)
    {
      gtk_snapshot_append_node (snapshot, self->connector_node);
      return;
    }

  recorder = gtk_snapshot_new ();
  cr = gtk_snapshot_append_cairo (recorder, &GRAPHENE_RECT_INIT (0, 0, (float)width, (float)height));
  cairo_translate (cr, -h_offset (self), -v_offset (self));
  cairo_scale (cr, self->zoom, self->zoom);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);

  /* Two passes: the faded curves, then the highlighted flow on top. */
  for (int pass = 0; pass < 2; pass++)
    {
      for (guint c = 0; c < self->connectors->len; c++)
        {
          const double *item = &g_array_index (key, double, 16 + c * 6);
          gboolean lit = item[4] != 0;
          gboolean produced = item[5] != 0;
          double x1 = item[0], y1 = item[1], x2 = item[2], y2 = item[3], dx;

          if ((pass == 1) != lit)
            continue;

          /* Only what crosses the view. */
          if (MAX (x1, x2) < left || MIN (x1, x2) > right || MAX (y1, y2) < top - 200 || MIN (y1, y2) > bottom + 200)
            continue;

          dx = MAX (40, fabs (x2 - x1) / 2);
          cairo_move_to (cr, x1, y1);
          cairo_curve_to (cr, x1 + dx, y1, x2 - dx, y2, x2, y2);

          /* In a run, an artifact whose version exists flows, lit. */
          if (lit)
            {
              gdk_cairo_set_source_rgba (cr, accent);
              cairo_set_line_width (cr, 3.0);
            }
          else if (produced)
            {
              gdk_cairo_set_source_rgba (cr, &produced_color);
              cairo_set_line_width (cr, 2.4);
            }
          else
            {
              GdkRGBA color = *fg;
              color.alpha = artifact != NULL ? 0.12 : 0.45;
              gdk_cairo_set_source_rgba (cr, &color);
              cairo_set_line_width (cr, 1.6);
            }
          cairo_stroke (cr);
        }
    }

  cairo_destroy (cr);
  g_clear_pointer (&self->connector_node, gsk_render_node_unref);
  g_clear_pointer (&self->connector_key, g_array_unref);
  self->connector_node = gtk_snapshot_free_to_node (g_steal_pointer (&recorder));
  self->connector_key = g_steal_pointer (&key);
  if (self->connector_node != NULL)
    gtk_snapshot_append_node (snapshot, self->connector_node);
}

static void
append_text (GtkWidget     *widget,
             GtkSnapshot   *snapshot,
             const char    *text,
             double         x,
             double         y,
             double         scale,
             const GdkRGBA *color,
             gboolean       center)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);
  PangoAttrList *attrs = pango_attr_list_new ();
  int tw, th;

  pango_attr_list_insert (attrs, pango_attr_scale_new (scale));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
  pango_layout_get_pixel_size (layout, &tw, &th);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((float)(center ? x - tw / 2.0 : x), (float)(y - th / 2.0)));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
  g_object_unref (layout);
}

static void
fill_rounded (GtkSnapshot   *snapshot,
              double         x,
              double         y,
              double         w,
              double         h,
              double         radius,
              const GdkRGBA *color)
{
  GskRoundedRect rect;

  gsk_rounded_rect_init_from_rect (&rect, &GRAPHENE_RECT_INIT ((float)x, (float)y, (float)w, (float)h), (float)radius);
  gtk_snapshot_push_rounded_clip (snapshot, &rect);
  gtk_snapshot_append_color (snapshot, color, &rect.bounds);
  gtk_snapshot_pop (snapshot);
}

static void
draw_drop_indicator (PwCanvas      *self,
                     GtkSnapshot   *snapshot,
                     const GdkRGBA *accent,
                     const GdkRGBA *error)
{
  const DropTarget *target = &self->drop;
  const GdkRGBA *color = target->allowed ? accent : error;
  double z = self->zoom;
  double col_top = PW_CANVAS_MARGIN, col_h = column_height (self);
  double x = 0, y = 0, w = 0, h = 0;

  if (target->kind == PW_DROP_NONE)
    return;

  if (target->kind == PW_DROP_GROUP && target->stage < self->columns->len)
    {
      Column *column = column_at (self, target->stage);
      Group *group = &g_array_index (column->groups, Group, target->group);
      double line_y;

      if (target->position < group->n)
        line_y = node_at (self, group->first + target->position)->y - PW_CARD_GAP / 2;
      else if (group->n > 0)
        {
          Node *last = node_at (self, group->first + group->n - 1);
          line_y = last->y + last->h + PW_CARD_GAP / 2;
        }
      else
        line_y = col_top + PW_STAGE_HEADER_HEIGHT + PW_GROUP_LABEL_HEIGHT;
      x = group->x;
      y = line_y - 2;
      w = PW_CARD_WIDTH;
      h = 4;
    }
  else if (target->kind == PW_DROP_GAP && target->stage < self->columns->len)
    {
      Column *column = column_at (self, target->stage);

      if (column->groups->len == 0)
        x = column->x + column->w / 2 - 2;
      else if (target->group == 0)
        x = g_array_index (column->groups, Group, 0).x - PW_STAGE_PAD / 2 - 2;
      else
        x = g_array_index (column->groups, Group, target->group - 1).x + PW_CARD_WIDTH +
            (target->group < column->groups->len ? PW_GROUP_GAP / 2 : PW_STAGE_PAD / 2) - 2;
      y = col_top + PW_STAGE_HEADER_HEIGHT;
      w = 4;
      h = col_h - PW_STAGE_HEADER_HEIGHT;
    }
  else if (target->kind == PW_DROP_NEW_STAGE || target->kind == PW_DROP_STAGE)
    {
      if (target->stage < self->columns->len)
        x = column_at (self, target->stage)->x - PW_STAGE_GAP / 2 - 3;
      else if (self->columns->len > 0)
        x = column_at (self, self->columns->len - 1)->x + column_at (self, self->columns->len - 1)->w +
            PW_STAGE_GAP / 2 - 3;
      else
        x = PW_CANVAS_MARGIN;
      y = col_top;
      w = 6;
      h = col_h;
    }

  fill_rounded (snapshot, x * z - h_offset (self), y * z - v_offset (self), MAX (w * z, 3), MAX (h * z, 3), 2,
                color);

  if (target->kind == PW_DROP_NEW_STAGE && target->allowed)
    append_text (GTK_WIDGET (self), snapshot, _("New stage"), (x + w / 2) * z - h_offset (self),
                 (y + 12) * z - v_offset (self), 0.9, color, TRUE);
}

static void
draw_refusal (PwCanvas      *self,
              GtkSnapshot   *snapshot,
              const GdkRGBA *error)
{
  PangoLayout *layout;
  int tw, th;
  double x, y;
  GdkRGBA white = { 1, 1, 1, 1 };

  if (self->drop.kind == PW_DROP_NONE || self->drop.allowed || self->drop.reason == NULL)
    return;

  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), self->drop.reason);
  pango_layout_set_width (layout, 320 * PANGO_SCALE);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_get_pixel_size (layout, &tw, &th);
  x = MIN (self->drag_x + 16, gtk_widget_get_width (GTK_WIDGET (self)) - tw - 20);
  y = self->drag_y + 24;
  fill_rounded (snapshot, x - 8, y - 6, tw + 16, th + 12, 6, error);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((float)x, (float)y));
  gtk_snapshot_append_layout (snapshot, layout, &white);
  gtk_snapshot_restore (snapshot);
  g_object_unref (layout);
}

static void
pw_canvas_snapshot (GtkWidget   *widget,
                    GtkSnapshot *snapshot)
{
  PwCanvas *self = (PwCanvas *)widget;
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  double z = self->zoom;
  double col_top = PW_CANVAS_MARGIN, col_h = column_height (self);
  GdkRGBA fg, column_bg, accent, error, dim;
  int dragged_card = self->drag_mode == DRAG_ACTION ? self->drag_node : -1;
  int dragged_header = self->drag_mode == DRAG_STAGE ? self->drag_column : -1;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  pw_lookup_color (widget, "accent_bg_color", &accent, (GdkRGBA) { 0.21, 0.52, 0.89, 1 });
  pw_lookup_color (widget, "error_color", &error, (GdkRGBA) { 0.75, 0.11, 0.16, 1 });
  column_bg = fg;
  column_bg.alpha = 0.045;
  dim = fg;
  dim.alpha = 0.55;

  /* The grid: one dot per cell, a single repeated node however large the
   * view. */
  if (self->show_grid && z >= 0.3)
    {
      double cell = PW_GRID_CELL * z;
      double ox = -fmod (h_offset (self), cell), oy = -fmod (v_offset (self), cell);
      double key[] = { width, height, ox, oy, cell, fg.red, fg.green, fg.blue, fg.alpha };

      /* The same node as the last frame when nothing moved: GTK cannot
       * compare two repeat nodes, and would repaint the whole view. */
      if (self->grid_node == NULL || memcmp (key, self->grid_key, sizeof key) != 0)
        {
          g_autoptr(GtkSnapshot) recorder = gtk_snapshot_new ();
          GdkRGBA dot = fg;

          dot.alpha = 0.22;
          gtk_snapshot_push_repeat (recorder, &GRAPHENE_RECT_INIT (0, 0, (float)width, (float)height),
                                    &GRAPHENE_RECT_INIT ((float)ox, (float)oy, (float)cell, (float)cell));
          gtk_snapshot_append_color (recorder, &dot, &GRAPHENE_RECT_INIT ((float)ox, (float)oy, 2.f, 2.f));
          gtk_snapshot_pop (recorder);
          g_clear_pointer (&self->grid_node, gsk_render_node_unref);
          self->grid_node = gtk_snapshot_free_to_node (g_steal_pointer (&recorder));
          memcpy (self->grid_key, key, sizeof key);
        }
      if (self->grid_node != NULL)
        gtk_snapshot_append_node (snapshot, self->grid_node);
    }

  /* The stage columns, the group numbers and the transitions. */
  for (guint s = 0; s < self->columns->len; s++)
    {
      Column *column = column_at (self, s);
      double vx = column->x * z - h_offset (self);
      double vw = column->w * z;

      if (vx > width || vx + vw + PW_STAGE_GAP * z < 0)
        continue;

      fill_rounded (snapshot, vx, col_top * z - v_offset (self), vw, col_h * z, 12 * z, &column_bg);

      if (z >= 0.45)
        for (guint g = 0; g < column->groups->len; g++)
          {
            Group *group = &g_array_index (column->groups, Group, g);
            g_autofree char *label = NULL;

            if (column->groups->len < 2 && group->run_order == 1)
              break;
            /* Translators: above a group of parallel actions: its runOrder */
            label = g_strdup_printf (_("runOrder %" G_GINT64_FORMAT), group->run_order);
            append_text (widget, snapshot, label, (group->x + PW_CARD_WIDTH / 2) * z - h_offset (self),
                         (col_top + PW_STAGE_HEADER_HEIGHT + PW_GROUP_LABEL_HEIGHT / 2 - 2) * z - v_offset (self),
                         0.8 * z, &dim, TRUE);
          }

      if (column->groups->len == 0 && !column->opaque && z >= 0.45)
        append_text (widget, snapshot, _("Drop an action here"), (column->x + column->w / 2) * z - h_offset (self),
                     (col_top + PW_STAGE_HEADER_HEIGHT + PW_EMPTY_STAGE_HEIGHT / 2) * z - v_offset (self),
                     0.9 * z, &dim, TRUE);

      if (s > 0)
        {
          /* The inbound transition: an arrow, or a broken red one when
           * the template disables it. */
          double ax = (column->x - PW_STAGE_GAP + 10) * z - h_offset (self);
          double bx = (column->x - 10) * z - h_offset (self);
          double ay = (col_top + PW_STAGE_HEADER_HEIGHT / 2) * z - v_offset (self);
          const GdkRGBA *color = column->disabled ? &error : &dim;

          if (column->disabled)
            {
              fill_rounded (snapshot, ax, ay - 1.5 * z, (bx - ax) * 0.4, 3 * z, 1, color);
              fill_rounded (snapshot, ax + (bx - ax) * 0.6, ay - 1.5 * z, (bx - ax) * 0.4, 3 * z, 1, color);
              append_text (widget, snapshot, "⊘", (ax + bx) / 2, ay, 1.1 * z, color, TRUE);
            }
          else
            {
              fill_rounded (snapshot, ax, ay - 1 * z, bx - ax - 6 * z, 2 * z, 1, color);
              append_text (widget, snapshot, "▶", bx - 5 * z, ay, 0.8 * z, color, TRUE);
            }

          /* Executions waiting at it (its stage busy in QUEUED mode, or
           * the transition disabled). */
          {
            guint n = waiting_at (self, s);

            if (n > 0)
              {
                g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u waiting", "%u waiting", n), n);

                append_text (widget, snapshot, text, (ax + bx) / 2, ay + 16 * z, 0.8 * z, &accent, TRUE);
              }
          }
        }
    }

  draw_connectors (self, snapshot, &fg, &accent, width, height);

  /* Children, culled to the view; a dragged item last, on top. */
  for (guint s = 0; s < self->columns->len; s++)
    {
      Column *column = column_at (self, s);
      double vx = column->x * z - h_offset (self);

      if ((int)s == dragged_header || vx > width || vx + column->w * z < 0)
        continue;
      gtk_widget_snapshot_child (widget, column->header, snapshot);
    }

  for (guint i = 0; i < self->nodes->len; i++)
    {
      Node *node = node_at (self, i);
      double vx = node->x * z - h_offset (self), vy = node->y * z - v_offset (self);

      if (node->card == NULL || (int)i == dragged_card || vx > width || vy > height ||
          vx + PW_CARD_WIDTH * z < 0 || vy + node->h * z < 0)
        continue;
      gtk_widget_snapshot_child (widget, node->card, snapshot);
    }

  draw_drop_indicator (self, snapshot, &accent, &error);

  if (dragged_card >= 0 && node_at (self, dragged_card)->card != NULL)
    {
      gtk_snapshot_push_opacity (snapshot, 0.85);
      gtk_widget_snapshot_child (widget, node_at (self, dragged_card)->card, snapshot);
      gtk_snapshot_pop (snapshot);
    }
  if (dragged_header >= 0)
    {
      gtk_snapshot_push_opacity (snapshot, 0.85);
      gtk_widget_snapshot_child (widget, column_at (self, dragged_header)->header, snapshot);
      gtk_snapshot_pop (snapshot);
    }

  draw_refusal (self, snapshot, &error);
}

/* Size and scrolling ---------------------------------------------------------- */

static void
pw_canvas_measure (GtkWidget      *widget,
                   GtkOrientation  orientation,
                   int             for_size,
                   int            *minimum,
                   int            *natural,
                   int            *minimum_baseline,
                   int            *natural_baseline)
{
  PwCanvas *self = (PwCanvas *)widget;

  /* The scrolled window decides on its scrollbars from this (its policy is
   * the minimum size): it must say what configure_adjustments() will, or
   * the scrollbars change their mind in the middle of an allocation. */
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural = (int)ceil (self->content_width * self->zoom);
  else
    *minimum = *natural = (int)ceil (self->content_height * self->zoom);
}

static void
configure_adjustments (PwCanvas *self,
                       int       width,
                       int       height)
{
  double cw = ceil (self->content_width * self->zoom);
  double ch = ceil (self->content_height * self->zoom);

  if (self->hadjustment != NULL)
    gtk_adjustment_configure (self->hadjustment,
                              CLAMP (gtk_adjustment_get_value (self->hadjustment), 0, MAX (0, cw - width)),
                              0, MAX (cw, width), width * 0.05, width * 0.9, width);
  if (self->vadjustment != NULL)
    gtk_adjustment_configure (self->vadjustment,
                              CLAMP (gtk_adjustment_get_value (self->vadjustment), 0, MAX (0, ch - height)),
                              0, MAX (ch, height), height * 0.05, height * 0.9, height);
}

static void
allocate_child (PwCanvas  *self,
                GtkWidget *child,
                double     x,
                double     y,
                double     w,
                double     h)
{
  GskTransform *transform = NULL;

  /* Positions snap to whole pixels at zoom 1, so text stays sharp. */
  transform = gsk_transform_translate (transform,
                                       &GRAPHENE_POINT_INIT ((float)round (to_view_x (self, x)),
                                                             (float)round (to_view_y (self, y))));
  if (self->zoom != 1.0)
    transform = gsk_transform_scale (transform, (float)self->zoom, (float)self->zoom);
  gtk_widget_allocate (child, (int)w, (int)h, -1, transform);
}

static gboolean
visible_idle_cb (gpointer data)
{
  PwCanvas *self = data;

  self->visible_source = 0;
  update_visible (self);
  return G_SOURCE_REMOVE;
}

static void
pw_canvas_size_allocate (GtkWidget *widget,
                         int        width,
                         int        height,
                         int        baseline)
{
  PwCanvas *self = (PwCanvas *)widget;

  /* A new size shows other actions: their cards are made after this
   * allocation, never inside it. */
  if ((width != self->last_width || height != self->last_height) && self->visible_source == 0)
    self->visible_source = g_idle_add_full (G_PRIORITY_HIGH_IDLE, visible_idle_cb, self, NULL);
  self->last_width = width;
  self->last_height = height;

  self->allocating = TRUE;
  g_object_freeze_notify (G_OBJECT (self->hadjustment));
  g_object_freeze_notify (G_OBJECT (self->vadjustment));
  configure_adjustments (self, width, height);
  self->allocating = FALSE;

  for (guint s = 0; s < self->columns->len; s++)
    {
      Column *column = column_at (self, s);
      double x = column->x + 4, y = PW_CANVAS_MARGIN + 4;
      int min_h, nat_h;

      if (self->drag_mode == DRAG_STAGE && (int)s == self->drag_column)
        {
          x = to_model_x (self, self->drag_x) - self->drag_offset_x;
          y = to_model_y (self, self->drag_y) - self->drag_offset_y;
        }
      gtk_widget_measure (column->header, GTK_ORIENTATION_VERTICAL, -1, &min_h, &nat_h, NULL, NULL);
      allocate_child (self, column->header, x, y, column->w - 8, nat_h);
    }

  for (guint i = 0; i < self->nodes->len; i++)
    {
      Node *node = node_at (self, i);
      double x = node->x, y = node->y;
      int min_h, nat_h;

      if (node->card == NULL)
        continue;
      if (self->drag_mode == DRAG_ACTION && (int)i == self->drag_node)
        {
          x = to_model_x (self, self->drag_x) - self->drag_offset_x;
          y = to_model_y (self, self->drag_y) - self->drag_offset_y;
        }
      gtk_widget_measure (node->card, GTK_ORIENTATION_VERTICAL, -1, &min_h, &nat_h, NULL, NULL);
      allocate_child (self, node->card, x, y, PW_CARD_WIDTH, nat_h);
    }

  g_object_thaw_notify (G_OBJECT (self->hadjustment));
  g_object_thaw_notify (G_OBJECT (self->vadjustment));
}

static void
adjustment_value_changed_cb (PwCanvas      *self,
                             GtkAdjustment *adjustment)
{
  /* A value clamped while we configure the adjustments in size_allocate
   * is already what the children are being placed with; queueing another
   * allocation from inside this one would leave the window half laid out. */
  if (!self->allocating)
    {
      update_visible (self);
      gtk_widget_queue_allocate (GTK_WIDGET (self));
    }
}

static void
set_adjustment (PwCanvas       *self,
                GtkAdjustment **field,
                GtkAdjustment  *adjustment)
{
  if (*field == adjustment && adjustment != NULL)
    return;

  if (*field != NULL)
    g_signal_handlers_disconnect_by_func (*field, adjustment_value_changed_cb, self);

  if (adjustment == NULL)
    adjustment = gtk_adjustment_new (0, 0, 0, 0, 0, 0);

  g_set_object (field, adjustment);
  g_signal_connect_object (adjustment, "value-changed", G_CALLBACK (adjustment_value_changed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

/* Zoom around a point of the view, which keeps what is under it. */
static void
zoom_at (PwCanvas *self,
         double    zoom,
         double    vx,
         double    vy)
{
  double mx, my;
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  zoom = CLAMP (zoom, ZOOM_MIN, ZOOM_MAX);
  if (fabs (zoom - self->zoom) < 1e-4)
    return;

  mx = to_model_x (self, vx);
  my = to_model_y (self, vy);
  self->zoom = zoom;

  configure_adjustments (self, width, height);
  if (self->hadjustment != NULL)
    gtk_adjustment_set_value (self->hadjustment, mx * zoom - vx);
  if (self->vadjustment != NULL)
    gtk_adjustment_set_value (self->vadjustment, my * zoom - vy);

  update_visible (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_ZOOM]);
}

/* Input --------------------------------------------------------------------- */

static GtkWidget *
child_at (PwCanvas *self,
          double    x,
          double    y,
          PwPin   **pin)
{
  GtkWidget *picked = gtk_widget_pick (GTK_WIDGET (self), x, y, GTK_PICK_DEFAULT);

  if (pin != NULL)
    *pin = NULL;

  for (GtkWidget *w = picked; w != NULL && w != GTK_WIDGET (self); w = gtk_widget_get_parent (w))
    {
      if (pin != NULL && PW_IS_PIN (w))
        *pin = PW_PIN (w);
      if (gtk_widget_get_parent (w) == GTK_WIDGET (self))
        return w;
    }
  return NULL;
}

static int
node_of_card (PwCanvas  *self,
              GtkWidget *card)
{
  for (guint i = 0; i < self->nodes->len; i++)
    if (node_at (self, i)->card == card)
      return (int)i;
  return -1;
}

static int
column_of_header (PwCanvas  *self,
                  GtkWidget *header)
{
  for (guint s = 0; s < self->columns->len; s++)
    if (column_at (self, s)->header == header)
      return (int)s;
  return -1;
}

static void
select_child (PwCanvas  *self,
              GtkWidget *child,
              PwPin     *pin)
{
  g_autofree char *path = NULL;
  int index;

  if (pin != NULL)
    path = g_strdup_printf ("artifact:%s", pw_pin_get_artifact (pin));
  else if (child != NULL && (index = node_of_card (self, child)) >= 0)
    path = g_strdup_printf ("stages[%u].actions[%u]", node_at (self, index)->stage, node_at (self, index)->index);
  else if (child != NULL && (index = column_of_header (self, child)) >= 0)
    path = g_strdup_printf ("stages[%d]", index);
  else
    path = g_strdup ("");

  pw_canvas_set_selection (self, path);
}

static void
show_context_menu (PwCanvas *self,
                   double    x,
                   double    y)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) moves = g_menu_new ();
  g_autoptr(GMenu) edits = g_menu_new ();
  g_autoptr(GMenu) view = g_menu_new ();
  g_autoptr(GMenu) run = g_menu_new ();
  Node *node;
  int stage = selected_stage (self);

  if (selected_node (self, &node))
    {
      g_menu_append (moves, _("Move _Left"), "canvas.move-left");
      g_menu_append (moves, _("Move _Right"), "canvas.move-right");
      g_menu_append (moves, _("Move _Up"), "canvas.move-up");
      g_menu_append (moves, _("Move _Down"), "canvas.move-down");
      g_menu_append (moves, _("Into a New Group _Before"), "canvas.new-group-before");
      g_menu_append (moves, _("Into a New Group _After"), "canvas.new-group-after");
      g_menu_append (edits, _("D_uplicate"), "canvas.duplicate");
      g_menu_append (edits, _("_Delete Action"), "canvas.delete");
    }
  else if (stage >= 0)
    {
      g_menu_append (moves, _("Move Stage _Left"), "canvas.move-left");
      g_menu_append (moves, _("Move Stage _Right"), "canvas.move-right");
      g_menu_append (edits, _("_Add Stage After"), "canvas.add-stage");
      g_menu_append (edits, _("_Delete Stage"), "canvas.delete");
      /* The window's: runs go through the executor (not the file). */
      if (stage > 0)
        {
          g_autoptr(GMenuItem) item = NULL;

          item = g_menu_item_new (column_at (self, (guint)stage)->disabled ? _("_Enable Transition Into Stage")
                                                                          : _("D_isable Transition Into Stage"),
                                  NULL);
          g_menu_item_set_action_and_target (item, "win.toggle-transition", "u", (guint32)stage);
          g_menu_append_item (run, item);
        }
    }
  else
    g_menu_append (edits, _("_Add Stage"), "canvas.add-stage");

  g_menu_append (view, _("Zoom to _Fit"), "canvas.zoom-fit");
  g_menu_append (view, _("_Original Size"), "canvas.zoom-reset");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (moves));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (edits));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (run));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (view));

  if (self->menu == NULL)
    {
      self->menu = gtk_popover_menu_new_from_model (NULL);
      gtk_widget_set_parent (self->menu, GTK_WIDGET (self));
      gtk_popover_set_has_arrow (GTK_POPOVER (self->menu), FALSE);
      gtk_widget_set_halign (self->menu, GTK_ALIGN_START);
    }
  gtk_popover_menu_set_menu_model (GTK_POPOVER_MENU (self->menu), G_MENU_MODEL (menu));
  gtk_popover_set_pointing_to (GTK_POPOVER (self->menu), &(GdkRectangle) { (int)x, (int)y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->menu));
}

static void
click_pressed_cb (PwCanvas   *self,
                  int         n_press,
                  double      x,
                  double      y,
                  GtkGesture *gesture)
{
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));
  PwPin *pin = NULL;
  GtkWidget *child = child_at (self, x, y, &pin);

  if (button == GDK_BUTTON_SECONDARY)
    {
      select_child (self, child, NULL);
      if (child != NULL)
        gtk_widget_grab_focus (child);
      show_context_menu (self, x, y);
      gtk_gesture_set_state (gesture, GTK_EVENT_SEQUENCE_CLAIMED);
      return;
    }

  if (button != GDK_BUTTON_PRIMARY)
    return;

  select_child (self, child, pin);
  self->selecting = TRUE;
  if (pin != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (pin));
  else if (child != NULL)
    gtk_widget_grab_focus (child);
  else
    gtk_widget_grab_focus (GTK_WIDGET (self));
  self->selecting = FALSE;

  if (n_press == 2 && child != NULL)
    g_signal_emit (self, signals [ACTIVATE_SELECTION], 0);
}

static gboolean
autoscroll_tick_cb (GtkWidget     *widget,
                    GdkFrameClock *clock,
                    gpointer       user_data)
{
  PwCanvas *self = PW_CANVAS (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  double dx = 0, dy = 0;

  if (self->drag_mode != DRAG_ACTION && self->drag_mode != DRAG_STAGE && self->palette_provider == NULL)
    {
      self->autoscroll_id = 0;
      return G_SOURCE_REMOVE;
    }

  if (self->drag_x < AUTOSCROLL_EDGE)
    dx = -(AUTOSCROLL_EDGE - self->drag_x) / 3;
  else if (self->drag_x > width - AUTOSCROLL_EDGE)
    dx = (self->drag_x - (width - AUTOSCROLL_EDGE)) / 3;
  if (self->drag_y < AUTOSCROLL_EDGE)
    dy = -(AUTOSCROLL_EDGE - self->drag_y) / 3;
  else if (self->drag_y > height - AUTOSCROLL_EDGE)
    dy = (self->drag_y - (height - AUTOSCROLL_EDGE)) / 3;

  if (dx != 0)
    gtk_adjustment_set_value (self->hadjustment, h_offset (self) + dx);
  if (dy != 0)
    gtk_adjustment_set_value (self->vadjustment, v_offset (self) + dy);

  return G_SOURCE_CONTINUE;
}

static void
ensure_autoscroll (PwCanvas *self)
{
  if (self->autoscroll_id == 0)
    self->autoscroll_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), autoscroll_tick_cb, NULL, NULL);
}

static void
update_drop_for_drag (PwCanvas *self)
{
  double mx = to_model_x (self, self->drag_x);
  double my = to_model_y (self, self->drag_y);

  if (self->drag_mode == DRAG_ACTION)
    {
      Node *node = node_at (self, self->drag_node);

      find_action_target (self, mx, my, FALSE, &self->drop);
      if (self->drop.kind != PW_DROP_NONE)
        check_action_target (self, &self->drop, action_category (node->action), self->drag_node);
    }
  else if (self->drag_mode == DRAG_STAGE)
    {
      find_stage_target (self, mx, &self->drop);
      check_stage_target (self, &self->drop, (guint)self->drag_column);
    }
}

static void
drag_begin_cb (PwCanvas       *self,
               double          x,
               double          y,
               GtkGestureDrag *gesture)
{
  PwPin *pin = NULL;
  GtkWidget *child;
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));

  self->drag_start_x = self->drag_x = x;
  self->drag_start_y = self->drag_y = y;
  self->drag_node = -1;
  self->drag_column = -1;

  /* Middle button, or space held: pan wherever the press is. */
  if (button == GDK_BUTTON_MIDDLE || self->space_held)
    {
      self->drag_mode = DRAG_PAN;
      self->pan_h = h_offset (self);
      self->pan_v = v_offset (self);
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
      return;
    }

  if (button != GDK_BUTTON_PRIMARY)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }

  child = child_at (self, x, y, &pin);
  if (pin != NULL)
    {
      /* Pins are clicked, not dragged. */
      self->drag_mode = DRAG_NONE;
      return;
    }

  self->drag_mode = DRAG_PENDING;
  if (child != NULL)
    {
      self->drag_node = node_of_card (self, child);
      self->drag_column = self->drag_node < 0 ? column_of_header (self, child) : -1;
    }
  self->pan_h = h_offset (self);
  self->pan_v = v_offset (self);
}

static void
drag_update_cb (PwCanvas       *self,
                double          dx,
                double          dy,
                GtkGestureDrag *gesture)
{
  int threshold = 8;

  self->drag_x = self->drag_start_x + dx;
  self->drag_y = self->drag_start_y + dy;

  if (self->drag_mode == DRAG_PAN)
    {
      gtk_adjustment_set_value (self->hadjustment, self->pan_h - dx);
      gtk_adjustment_set_value (self->vadjustment, self->pan_v - dy);
      return;
    }

  if (self->drag_mode == DRAG_PENDING)
    {
      g_object_get (gtk_widget_get_settings (GTK_WIDGET (self)), "gtk-dnd-drag-threshold", &threshold, NULL);
      if (dx * dx + dy * dy < threshold * threshold)
        return;

      /* Past the threshold: this press is a drag, not a click. */
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
      if (self->drag_node >= 0 && pw_text_document_get_pipeline (self->document) != NULL)
        {
          Node *node = node_at (self, self->drag_node);
          self->drag_mode = DRAG_ACTION;
          self->drag_offset_x = to_model_x (self, self->drag_start_x) - node->x;
          self->drag_offset_y = to_model_y (self, self->drag_start_y) - node->y;
        }
      else if (self->drag_column >= 0 && pw_text_document_get_pipeline (self->document) != NULL)
        {
          Column *column = column_at (self, self->drag_column);
          self->drag_mode = DRAG_STAGE;
          self->drag_offset_x = to_model_x (self, self->drag_start_x) - column->x;
          self->drag_offset_y = to_model_y (self, self->drag_start_y) - PW_CANVAS_MARGIN;
        }
      else
        {
          /* On the background: pan, as maps do. */
          self->drag_mode = DRAG_PAN;
          gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
          return;
        }
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
      ensure_autoscroll (self);
    }

  update_drop_for_drag (self);
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

static void
end_drag (PwCanvas *self)
{
  self->drag_mode = DRAG_NONE;
  drop_target_clear (&self->drop);
  gtk_widget_set_cursor (GTK_WIDGET (self), NULL);
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

static void
drag_end_cb (PwCanvas       *self,
             double          dx,
             double          dy,
             GtkGestureDrag *gesture)
{
  DragMode mode;
  DropTarget target;
  int node, column;

  /* Where the button was released, not where the last motion was. */
  if (self->drag_mode == DRAG_ACTION || self->drag_mode == DRAG_STAGE)
    {
      self->drag_x = self->drag_start_x + dx;
      self->drag_y = self->drag_start_y + dy;
      update_drop_for_drag (self);
    }
  mode = self->drag_mode;
  target = self->drop;
  node = self->drag_node;
  column = self->drag_column;

  self->drop.reason = NULL;
  end_drag (self);

  if (mode == DRAG_ACTION && target.kind != PW_DROP_NONE)
    {
      ActionPlan plan;

      if (!target.allowed)
        g_signal_emit_by_name (self->document, "edit-failed", target.reason);
      else if (plan_action_drop (self, &target, node, &plan))
        commit_action_move (self, (guint)node, &plan);
    }
  else if (mode == DRAG_STAGE && target.kind == PW_DROP_STAGE)
    {
      if (!target.allowed)
        g_signal_emit_by_name (self->document, "edit-failed", target.reason);
      else
        commit_stage_move (self, (guint)column, target.stage);
    }

  g_free (target.reason);
}

static void
drag_cancel_cb (PwCanvas         *self,
                GdkEventSequence *sequence,
                GtkGesture       *gesture)
{
  if (self->drag_mode != DRAG_PENDING)
    end_drag (self);
}

static gboolean
scroll_cb (PwCanvas                 *self,
           double                    dx,
           double                    dy,
           GtkEventControllerScroll *controller)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));

  if ((state & GDK_CONTROL_MASK) == 0)
    return GDK_EVENT_PROPAGATE;

  /* Exponential, so each step feels the same at any zoom (papers does so). */
  if (gtk_event_controller_scroll_get_unit (controller) == GDK_SCROLL_UNIT_SURFACE)
    zoom_at (self, self->zoom * exp (-dy / 200.0), self->last_pointer_x, self->last_pointer_y);
  else
    zoom_at (self, self->zoom * pow (1.15, -dy), self->last_pointer_x, self->last_pointer_y);

  return GDK_EVENT_STOP;
}

static void
zoom_begin_cb (PwCanvas         *self,
               GdkEventSequence *sequence,
               GtkGesture       *gesture)
{
  self->zoom_begin = self->zoom;
}

static void
zoom_scale_changed_cb (PwCanvas       *self,
                       double          scale,
                       GtkGestureZoom *gesture)
{
  double cx, cy;

  if (!gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &cx, &cy))
    {
      cx = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
      cy = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
    }
  zoom_at (self, self->zoom_begin * scale, cx, cy);
}

static void
motion_cb (PwCanvas                 *self,
           double                    x,
           double                    y,
           GtkEventControllerMotion *controller)
{
  PwPin *pin = NULL;
  const char *artifact;

  self->last_pointer_x = x;
  self->last_pointer_y = y;

  if (self->drag_mode == DRAG_ACTION || self->drag_mode == DRAG_STAGE)
    return;

  child_at (self, x, y, &pin);
  artifact = pin != NULL ? pw_pin_get_artifact (pin) : NULL;
  if (g_strcmp0 (artifact, self->hover_artifact) != 0)
    {
      g_free (self->hover_artifact);
      self->hover_artifact = g_strdup (artifact);
      update_highlight (self);
    }
}

static void
leave_cb (PwCanvas                 *self,
          GtkEventControllerMotion *controller)
{
  if (self->hover_artifact != NULL)
    {
      g_clear_pointer (&self->hover_artifact, g_free);
      update_highlight (self);
    }
}

static gboolean
key_pressed_cb (PwCanvas              *self,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                GtkEventControllerKey *controller)
{
  if (keyval == GDK_KEY_space && (state & GDK_MODIFIER_MASK) == 0 && self->drag_mode == DRAG_NONE)
    {
      self->space_held = TRUE;
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grab");
      return GDK_EVENT_STOP;
    }

  if (keyval == GDK_KEY_Escape && (self->drag_mode == DRAG_ACTION || self->drag_mode == DRAG_STAGE))
    {
      gtk_event_controller_reset (GTK_EVENT_CONTROLLER (self->drag_gesture));
      end_drag (self);
      return GDK_EVENT_STOP;
    }

  return GDK_EVENT_PROPAGATE;
}

static void
key_released_cb (PwCanvas              *self,
                 guint                  keyval,
                 guint                  keycode,
                 GdkModifierType        state,
                 GtkEventControllerKey *controller)
{
  if (keyval == GDK_KEY_space && self->space_held)
    {
      self->space_held = FALSE;
      if (self->drag_mode != DRAG_PAN)
        gtk_widget_set_cursor (GTK_WIDGET (self), NULL);
    }
}

/* Dropping a provider from the palette ----------------------------------------- */

static GdkDragAction
drop_motion_cb (PwCanvas      *self,
                double         x,
                double         y,
                GtkDropTarget *drop_target)
{
  const GValue *value = gtk_drop_target_get_value (drop_target);
  const PwProviderInfo *info = value != NULL && G_VALUE_HOLDS (value, PW_TYPE_PROVIDER_INFO)
                             ? g_value_get_boxed (value) : NULL;

  self->drag_x = x;
  self->drag_y = y;
  self->palette_provider = info;
  ensure_autoscroll (self);

  if (pw_text_document_get_pipeline (self->document) == NULL)
    {
      drop_target_clear (&self->drop);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return 0;
    }

  find_action_target (self, to_model_x (self, x), to_model_y (self, y), TRUE, &self->drop);
  if (self->drop.kind != PW_DROP_NONE)
    check_action_target (self, &self->drop, info != NULL ? info->category : NULL, -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));

  return self->drop.kind != PW_DROP_NONE && self->drop.allowed ? GDK_ACTION_COPY : 0;
}

static void
drop_leave_cb (PwCanvas      *self,
               GtkDropTarget *drop_target)
{
  self->palette_provider = NULL;
  drop_target_clear (&self->drop);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
drop_cb (PwCanvas      *self,
         const GValue  *value,
         double         x,
         double         y,
         GtkDropTarget *drop_target)
{
  const PwProviderInfo *info;
  DropTarget target = { 0 };
  gboolean done = FALSE;

  self->palette_provider = NULL;
  drop_target_clear (&self->drop);
  gtk_widget_queue_draw (GTK_WIDGET (self));

  if (!G_VALUE_HOLDS (value, PW_TYPE_PROVIDER_INFO) || (info = g_value_get_boxed (value)) == NULL)
    return FALSE;
  if (pw_text_document_get_pipeline (self->document) == NULL)
    return FALSE;

  find_action_target (self, to_model_x (self, x), to_model_y (self, y), TRUE, &target);
  if (target.kind != PW_DROP_NONE)
    check_action_target (self, &target, info->category, -1);

  if (target.kind == PW_DROP_NONE)
    ;
  else if (!target.allowed)
    g_signal_emit_by_name (self->document, "edit-failed", target.reason);
  else
    done = commit_provider_drop (self, info, &target);

  drop_target_clear (&target);
  return done;
}

/* Keyboard actions ------------------------------------------------------------ */

static void
select_node (PwCanvas *self,
             guint     index)
{
  Node *node = node_at (self, index);
  g_autofree char *path = g_strdup_printf ("stages[%u].actions[%u]", node->stage, node->index);

  pw_canvas_set_selection (self, path);
  pw_canvas_reveal_selection (self);
}

static void
select_column (PwCanvas *self,
               guint     stage)
{
  g_autofree char *path = g_strdup_printf ("stages[%u]", stage);

  pw_canvas_set_selection (self, path);
  pw_canvas_reveal_selection (self);
}

/* The node of @column's group @g nearest to @y. */
static int
nearest_in_group (PwCanvas *self,
                  Column   *column,
                  guint     g,
                  double    y)
{
  Group *group = &g_array_index (column->groups, Group, g);
  int best = -1;
  double best_d = G_MAXDOUBLE;

  for (guint k = 0; k < group->n; k++)
    {
      Node *node = node_at (self, group->first + k);
      double d = fabs (node->y - y);
      if (d < best_d)
        {
          best_d = d;
          best = (int)(group->first + k);
        }
    }
  return best;
}

static void
select_step (PwCanvas *self,
             int       dx,
             int       dy)
{
  Node *node = NULL;
  int stage = selected_stage (self);

  if (self->columns->len == 0)
    return;

  if (selected_node (self, &node))
    {
      Column *column = column_at (self, node->stage);
      Group *group = &g_array_index (column->groups, Group, node->group);

      if (dy < 0)
        {
          if (node->in_group > 0)
            select_node (self, group->first + node->in_group - 1);
          else
            select_column (self, node->stage);
        }
      else if (dy > 0)
        {
          if (node->in_group + 1 < group->n)
            select_node (self, group->first + node->in_group + 1);
        }
      else if (dx < 0)
        {
          if (node->group > 0)
            select_node (self, nearest_in_group (self, column, node->group - 1, node->y));
          else
            {
              for (int s = (int)node->stage - 1; s >= 0; s--)
                {
                  Column *prev = column_at (self, s);
                  if (prev->groups->len > 0)
                    {
                      select_node (self, nearest_in_group (self, prev, prev->groups->len - 1, node->y));
                      return;
                    }
                }
            }
        }
      else if (dx > 0)
        {
          if (node->group + 1 < column->groups->len)
            select_node (self, nearest_in_group (self, column, node->group + 1, node->y));
          else
            {
              for (guint s = node->stage + 1; s < self->columns->len; s++)
                {
                  Column *next = column_at (self, s);
                  if (next->groups->len > 0)
                    {
                      select_node (self, nearest_in_group (self, next, 0, node->y));
                      return;
                    }
                }
            }
        }
      return;
    }

  if (stage < 0)
    {
      select_column (self, 0);
      return;
    }

  if (dx < 0 && stage > 0)
    select_column (self, stage - 1);
  else if (dx > 0 && (guint)stage + 1 < self->columns->len)
    select_column (self, stage + 1);
  else if (dy > 0 && column_at (self, stage)->n_nodes > 0)
    select_node (self, column_at (self, stage)->first_node);
}

static void
select_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  PwCanvas *self = PW_CANVAS (widget);
  int dx = 0, dy = 0;

  g_variant_get (param, "(ii)", &dx, &dy);
  select_step (self, dx, dy);
}

/* Keyboard twins of the drags: each computes the drop the pointer would
 * make and commits it the same way. */
static void
move_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  PwCanvas *self = PW_CANVAS (widget);
  Node *node = NULL;
  int stage = selected_stage (self);
  DropTarget target = { 0 };
  ActionPlan plan;

  if (selected_node (self, &node))
    {
      Column *column = column_at (self, node->stage);
      guint index = (guint)(node - node_at (self, 0));

      target.stage = node->stage;
      if (g_str_equal (action_name, "canvas.move-up") || g_str_equal (action_name, "canvas.move-down"))
        {
          gboolean up = g_str_equal (action_name, "canvas.move-up");

          if ((up && node->in_group == 0) ||
              (!up && node->in_group + 1 >= g_array_index (column->groups, Group, node->group).n))
            return;
          target.kind = PW_DROP_GROUP;
          target.group = node->group;
          target.position = up ? node->in_group - 1 : node->in_group + 1;
        }
      else if (g_str_equal (action_name, "canvas.new-group-before") ||
               g_str_equal (action_name, "canvas.new-group-after"))
        {
          target.kind = PW_DROP_GAP;
          target.group = g_str_equal (action_name, "canvas.new-group-before") ? node->group : node->group + 1;
        }
      else
        {
          gboolean left = g_str_equal (action_name, "canvas.move-left");

          target.kind = PW_DROP_GROUP;
          if (left && node->group > 0)
            target.group = node->group - 1;
          else if (!left && node->group + 1 < column->groups->len)
            target.group = node->group + 1;
          else
            {
              /* Across the stage boundary: the last group of the stage
               * before, or the first of the stage after. */
              int s = (int)node->stage + (left ? -1 : 1);

              if (s < 0 || (guint)s >= self->columns->len)
                return;
              target.stage = (guint)s;
              if (column_at (self, s)->groups->len == 0)
                {
                  target.kind = PW_DROP_GAP;
                  target.group = 0;
                }
              else
                target.group = left ? column_at (self, s)->groups->len - 1 : 0;
            }
          if (target.kind == PW_DROP_GROUP)
            target.position = MIN (node->in_group,
                                   g_array_index (column_at (self, target.stage)->groups, Group, target.group).n);
        }

      check_action_target (self, &target, action_category (node->action), (int)index);
      if (!target.allowed)
        g_signal_emit_by_name (self->document, "edit-failed", target.reason);
      else if (plan_action_drop (self, &target, (int)index, &plan))
        commit_action_move (self, index, &plan);
      drop_target_clear (&target);
      return;
    }

  if (stage >= 0)
    {
      target.kind = PW_DROP_STAGE;
      if (g_str_equal (action_name, "canvas.move-left") && stage > 0)
        target.stage = (guint)stage - 1;
      else if (g_str_equal (action_name, "canvas.move-right") && (guint)stage + 1 < self->columns->len)
        target.stage = (guint)stage + 2;
      else
        return;

      check_stage_target (self, &target, (guint)stage);
      if (!target.allowed)
        g_signal_emit_by_name (self->document, "edit-failed", target.reason);
      else
        commit_stage_move (self, (guint)stage, target.stage);
      drop_target_clear (&target);
    }
}

static gboolean
remove_func (PwEditor  *editor,
             gpointer   user_data,
             GError   **error)
{
  return pw_editor_remove (editor, user_data, error);
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  PwCanvas *self = PW_CANVAS (widget);
  Node *node = NULL;
  int stage = selected_stage (self);
  g_autofree char *path = NULL;
  g_autofree char *label = NULL;
  g_autofree char *next = NULL;

  if (selected_node (self, &node))
    {
      path = g_strdup_printf ("stages[%u].actions[%u]", node->stage, node->index);
      /* Translators: an undo step: "Delete action Build" */
      label = g_strdup_printf (_("Delete action %s"), node->title);
      next = g_strdup_printf ("stages[%u]", node->stage);
    }
  else if (stage >= 0)
    {
      path = g_strdup_printf ("stages[%d]", stage);
      /* Translators: an undo step: "Delete stage Build" */
      label = g_strdup_printf (_("Delete stage %s"), stage_title (self, stage));
      next = stage > 0 ? g_strdup_printf ("stages[%d]", stage - 1) : g_strdup ("");
    }
  else
    return;

  if (pw_text_document_edit (self->document, label, remove_func, path, NULL))
    {
      pw_canvas_set_selection (self, next);
      pw_canvas_reveal_selection (self);
    }
}

static void
duplicate_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  PwCanvas *self = PW_CANVAS (widget);
  Node *node = NULL;
  g_autoptr(JsonNode) copy = NULL;
  g_autofree char *name = NULL;
  g_autofree char *label = NULL;
  g_autofree char *path = NULL;
  JsonObject *object;
  JsonNode *outputs;
  AddData data = { 0 };

  if (!selected_node (self, &node) || pw_element_is_opaque (PW_ELEMENT (node->action)))
    return;

  /* The copy runs beside the original, with its own name and outputs (an
   * artifact has one producer). Only top-level members are replaced, so a
   * shallow copy of the declaration is enough. */
  if (pw_element_get_raw (PW_ELEMENT (node->action)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (pw_element_get_raw (PW_ELEMENT (node->action))))
    return;
  {
    JsonObject *source = json_node_get_object (pw_element_get_raw (PW_ELEMENT (node->action)));
    JsonObject *target = json_object_new ();
    JsonObjectIter iter;
    const char *key;
    JsonNode *value;

    json_object_iter_init_ordered (&iter, source);
    while (json_object_iter_next_ordered (&iter, &key, &value))
      json_object_set_member (target, key, json_node_copy (value));
    copy = json_node_new (JSON_NODE_OBJECT);
    json_node_take_object (copy, target);
  }

  object = json_node_get_object (copy);
  name = unique_action_name (self, pw_action_get_name (node->action) != NULL ? pw_action_get_name (node->action)
                                                                             : "Action");
  json_object_set_string_member (object, "name", name);
  outputs = json_object_get_member (object, "outputArtifacts");
  if (outputs != NULL && JSON_NODE_HOLDS_ARRAY (outputs))
    {
      JsonArray *array = json_array_new ();

      for (guint i = 0; i < json_array_get_length (json_node_get_array (outputs)); i++)
        {
          JsonNode *item = json_array_get_element (json_node_get_array (outputs), i);
          JsonObject *artifact = json_object_new ();
          g_autofree char *base = NULL;
          g_autofree char *fresh = NULL;

          base = JSON_NODE_HOLDS_OBJECT (item) && json_object_has_member (json_node_get_object (item), "name") &&
                 JSON_NODE_HOLDS_VALUE (json_object_get_member (json_node_get_object (item), "name"))
               ? g_strdup (json_object_get_string_member (json_node_get_object (item), "name"))
               : g_strdup ("Artifact");
          fresh = g_strdup_printf ("%s2", base);
          for (guint n = 3; artifact_exists (self, fresh); n++)
            {
              g_free (fresh);
              fresh = g_strdup_printf ("%s%u", base, n);
            }
          json_object_set_string_member (artifact, "name", fresh);
          json_array_add_object_element (array, artifact);
        }
      json_object_set_array_member (object, "outputArtifacts", array);
    }

  data.stage = node->stage;
  data.index = (int)node->index + 1;
  data.node = copy;
  /* Translators: an undo step: "Duplicate action Build" */
  label = g_strdup_printf (_("Duplicate action %s"), node->title);
  {
    guint stage = node->stage;
    int index = data.index;

    if (pw_text_document_edit (self->document, label, add_action_func, &data, NULL))
      {
        path = g_strdup_printf ("stages[%u].actions[%d]", stage, index);
        pw_canvas_set_selection (self, path);
        pw_canvas_reveal_selection (self);
      }
  }
}

static void
add_stage_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  PwCanvas *self = PW_CANVAS (widget);
  int stage = selected_stage (self);
  Node *node;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *name = unique_stage_name (self, _("Stage"));
  g_autofree char *label = NULL;
  g_autofree char *path = NULL;
  AddData data = { 0 };

  if (selected_node (self, &node))
    stage = (int)node->stage;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "actions");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  data.node = json_builder_get_root (builder);
  data.position = stage >= 0 ? stage + 1 : -1;

  /* Translators: an undo step */
  label = g_strdup_printf (_("Add stage %s"), name);
  if (pw_text_document_edit (self->document, label, add_stage_func, &data, NULL))
    {
      path = g_strdup_printf ("stages[%u]", data.position >= 0 ? (guint)data.position : self->columns->len - 1);
      pw_canvas_set_selection (self, path);
      pw_canvas_reveal_selection (self);
    }
  json_node_unref (data.node);
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  PwCanvas *self = PW_CANVAS (widget);
  double cx = gtk_widget_get_width (widget) / 2.0;
  double cy = gtk_widget_get_height (widget) / 2.0;

  if (g_str_equal (action_name, "canvas.zoom-in"))
    zoom_at (self, self->zoom * 1.25, cx, cy);
  else if (g_str_equal (action_name, "canvas.zoom-out"))
    zoom_at (self, self->zoom / 1.25, cx, cy);
  else if (g_str_equal (action_name, "canvas.zoom-reset"))
    zoom_at (self, 1.0, cx, cy);
  else if (g_str_equal (action_name, "canvas.zoom-fit"))
    pw_canvas_zoom_to_fit (self);
}

static void
activate_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  g_signal_emit (widget, signals [ACTIVATE_SELECTION], 0);
}

static void
menu_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  PwCanvas *self = PW_CANVAS (widget);
  GtkWidget *child = widget_for_selection (self);
  graphene_point_t point = GRAPHENE_POINT_INIT (20, 20);

  if (child != NULL && !gtk_widget_compute_point (child, widget, &GRAPHENE_POINT_INIT (20, 20), &point))
    point = GRAPHENE_POINT_INIT (20, 20);
  show_context_menu (self, point.x, point.y);
}

/* Focus: Tab walks the canvas in reading order (each stage's header, then
 * its cards group by group), not by geometry. */
/* Slots in reading order: each stage's header (-1 - stage), then its
 * actions (node indices, which are in the same order). */
static int
slot_of_widget (PwCanvas  *self,
                GtkWidget *widget,
                int       *slot)
{
  int index = 0;

  for (guint s = 0; s < self->columns->len; s++)
    {
      Column *column = column_at (self, s);

      if (column->header == widget)
        {
          *slot = index;
          return TRUE;
        }
      index++;
      for (guint k = 0; k < column->n_nodes; k++, index++)
        if (node_at (self, column->first_node + k)->card == widget && widget != NULL)
          {
            *slot = index;
            return TRUE;
          }
    }
  return FALSE;
}

static GtkWidget *
widget_of_slot (PwCanvas *self,
                int       slot)
{
  int index = 0;

  for (guint s = 0; s < self->columns->len; s++)
    {
      Column *column = column_at (self, s);

      if (index == slot)
        return column->header;
      index++;
      if (slot < index + (int)column->n_nodes)
        {
          /* Focus can go to any action: its card is made when needed. */
          guint node = column->first_node + (slot - index);
          materialize (self, node);
          return node_at (self, node)->card;
        }
      index += column->n_nodes;
    }
  return NULL;
}

/* Focus: Tab walks the canvas in reading order (each stage's header, then
 * its cards group by group), not by geometry. */
static gboolean
pw_canvas_focus (GtkWidget        *widget,
                 GtkDirectionType  direction)
{
  PwCanvas *self = PW_CANVAS (widget);
  GtkWidget *focus = gtk_widget_get_focus_child (widget);
  int n_slots = (int)(self->columns->len + self->nodes->len);
  int current = -1;
  int step = direction == GTK_DIR_TAB_FORWARD ? 1 : -1;

  if (direction != GTK_DIR_TAB_FORWARD && direction != GTK_DIR_TAB_BACKWARD)
    return GTK_WIDGET_CLASS (pw_canvas_parent_class)->focus (widget, direction);

  if (focus != NULL)
    {
      /* Inside a card, its pins come first. */
      if (gtk_widget_child_focus (focus, direction))
        return TRUE;
      if (!slot_of_widget (self, focus, &current))
        current = -1;
    }
  else if (direction == GTK_DIR_TAB_FORWARD && !gtk_widget_has_focus (widget))
    {
      if (gtk_widget_grab_focus (widget))
        return TRUE;
    }
  else if (direction == GTK_DIR_TAB_BACKWARD)
    return FALSE;

  for (int slot = current + step; slot >= 0 && slot < n_slots; slot += step)
    {
      GtkWidget *next = widget_of_slot (self, slot);

      if (next != NULL && gtk_widget_grab_focus (next))
        {
          select_child (self, next, NULL);
          pw_canvas_reveal_selection (self);
          return TRUE;
        }
    }

  return FALSE;
}

static void
pw_canvas_set_focus_child (GtkWidget *widget,
                           GtkWidget *child)
{
  PwCanvas *self = PW_CANVAS (widget);

  GTK_WIDGET_CLASS (pw_canvas_parent_class)->set_focus_child (widget, child);

  /* Focus arriving on a card or a stage selects it, as in a list. */
  if (child != NULL && !self->selecting && child != self->menu)
    {
      GtkWidget *inner = gtk_widget_get_focus_child (child);
      select_child (self, child, PW_IS_PIN (inner) ? PW_PIN (inner) : NULL);
    }
}

static gboolean
query_tooltip_cb (PwCanvas   *self,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip,
                  GtkWidget  *widget)
{
  double mx = to_model_x (self, x), my = to_model_y (self, y);

  if (keyboard)
    return FALSE;

  /* A pin: its artifact and the other end, worked out when asked. */
  {
    PwPin *pin = NULL;

    child_at (self, x, y, &pin);
    if (pin != NULL && pw_pin_get_description (pin) != NULL)
      {
        gtk_tooltip_set_text (tooltip, pw_pin_get_description (pin));
        return TRUE;
      }
  }

  /* The transition arrows between the stages. */
  for (guint s = 1; s < self->columns->len; s++)
    {
      Column *column = column_at (self, s);
      double ay = PW_CANVAS_MARGIN + PW_STAGE_HEADER_HEIGHT / 2;

      if (mx >= column->x - PW_STAGE_GAP && mx < column->x && fabs (my - ay) < 14)
        {
          g_autofree char *text = NULL;

          if (column->disabled)
            /* Translators: tooltip of a disabled transition; %s: the reason or a placeholder */
            text = g_strdup_printf (_("The transition into %s is disabled: %s"),
                                    stage_title (self, s),
                                    column->disabled_reason != NULL ? column->disabled_reason : _("no reason given"));
          else
            /* Translators: tooltip of a transition */
            text = g_strdup_printf (_("Transition into %s"), stage_title (self, s));
          if (waiting_at (self, s) > 0)
            {
              g_autofree char *more = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                    "%s; %u execution waits to enter",
                                                                    "%s; %u executions wait to enter",
                                                                    waiting_at (self, s)),
                                                       text, waiting_at (self, s));
              g_free (text);
              text = g_steal_pointer (&more);
            }
          gtk_tooltip_set_text (tooltip, text);
          return TRUE;
        }
    }

  return FALSE;
}

/* GObject --------------------------------------------------------------------- */

static void
pw_canvas_dispose (GObject *object)
{
  PwCanvas *self = (PwCanvas *)object;

  if (self->autoscroll_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->autoscroll_id);
      self->autoscroll_id = 0;
    }
  g_clear_handle_id (&self->visible_source, g_source_remove);
  pw_canvas_set_execution (self, NULL);
  g_clear_pointer (&self->transitions, g_hash_table_unref);
  g_clear_pointer (&self->waiting, g_hash_table_unref);
  g_clear_pointer (&self->menu, gtk_widget_unparent);
  if (self->card_keys != NULL)
    {
      GHashTableIter iter;
      gpointer card;

      g_hash_table_iter_init (&iter, self->card_keys);
      while (g_hash_table_iter_next (&iter, NULL, &card))
        gtk_widget_unparent (card);
      g_hash_table_remove_all (self->card_keys);
    }
  if (self->spare_cards != NULL)
    unparent_all (self->spare_cards);
  if (self->spare_by_key != NULL)
    g_hash_table_remove_all (self->spare_by_key);
  if (self->headers != NULL)
    unparent_all (self->headers);
  g_clear_pointer (&self->card_keys, g_hash_table_unref);
  g_clear_pointer (&self->header_keys, g_hash_table_unref);
  if (self->nodes != NULL)
    g_array_set_size (self->nodes, 0);
  if (self->columns != NULL)
    g_array_set_size (self->columns, 0);
  if (self->connectors != NULL)
    g_array_set_size (self->connectors, 0);
  if (self->producers != NULL)
    g_hash_table_remove_all (self->producers);
  if (self->hadjustment != NULL)
    g_signal_handlers_disconnect_by_func (self->hadjustment, adjustment_value_changed_cb, self);
  if (self->vadjustment != NULL)
    g_signal_handlers_disconnect_by_func (self->vadjustment, adjustment_value_changed_cb, self);
  g_clear_object (&self->hadjustment);
  g_clear_object (&self->vadjustment);
  g_clear_object (&self->document);
  g_clear_object (&self->pipeline);

  G_OBJECT_CLASS (pw_canvas_parent_class)->dispose (object);
}

static void
pw_canvas_finalize (GObject *object)
{
  PwCanvas *self = (PwCanvas *)object;

  g_clear_pointer (&self->nodes, g_array_unref);
  g_clear_pointer (&self->columns, g_array_unref);
  g_clear_pointer (&self->connectors, g_array_unref);
  g_clear_pointer (&self->connector_node, gsk_render_node_unref);
  g_clear_pointer (&self->connector_key, g_array_unref);
  g_clear_pointer (&self->grid_node, gsk_render_node_unref);
  g_clear_pointer (&self->spare_cards, g_ptr_array_unref);
  g_clear_pointer (&self->spare_by_key, g_hash_table_unref);
  g_clear_pointer (&self->headers, g_ptr_array_unref);
  g_clear_pointer (&self->producers, g_hash_table_unref);
  g_free (self->selection);
  g_free (self->highlight);
  g_free (self->hover_artifact);
  drop_target_clear (&self->drop);

  G_OBJECT_CLASS (pw_canvas_parent_class)->finalize (object);
}

static void
pw_canvas_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  PwCanvas *self = PW_CANVAS (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      g_value_set_object (value, self->document);
      break;

    case PROP_SELECTION:
      g_value_set_string (value, self->selection);
      break;

    case PROP_ZOOM:
      g_value_set_double (value, self->zoom);
      break;

    case PROP_HIGHLIGHTED_ARTIFACT:
      g_value_set_string (value, self->highlight);
      break;

    case PROP_SHOW_GRID:
      g_value_set_boolean (value, self->show_grid);
      break;

    case PROP_HADJUSTMENT:
      g_value_set_object (value, self->hadjustment);
      break;

    case PROP_VADJUSTMENT:
      g_value_set_object (value, self->vadjustment);
      break;

    case PROP_HSCROLL_POLICY:
      g_value_set_enum (value, self->hscroll_policy);
      break;

    case PROP_VSCROLL_POLICY:
      g_value_set_enum (value, self->vscroll_policy);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_canvas_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  PwCanvas *self = PW_CANVAS (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      pw_canvas_set_document (self, g_value_get_object (value));
      break;

    case PROP_SELECTION:
      pw_canvas_set_selection (self, g_value_get_string (value));
      break;

    case PROP_ZOOM:
      pw_canvas_set_zoom (self, g_value_get_double (value));
      break;

    case PROP_HIGHLIGHTED_ARTIFACT:
      pw_canvas_set_highlighted_artifact (self, g_value_get_string (value));
      break;

    case PROP_SHOW_GRID:
      if (self->show_grid != g_value_get_boolean (value))
        {
          self->show_grid = g_value_get_boolean (value);
          gtk_widget_queue_draw (GTK_WIDGET (self));
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_HADJUSTMENT:
      set_adjustment (self, &self->hadjustment, g_value_get_object (value));
      break;

    case PROP_VADJUSTMENT:
      set_adjustment (self, &self->vadjustment, g_value_get_object (value));
      break;

    case PROP_HSCROLL_POLICY:
      self->hscroll_policy = g_value_get_enum (value);
      gtk_widget_queue_resize (GTK_WIDGET (self));
      break;

    case PROP_VSCROLL_POLICY:
      self->vscroll_policy = g_value_get_enum (value);
      gtk_widget_queue_resize (GTK_WIDGET (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_canvas_class_init (PwCanvasClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pw_canvas_dispose;
  object_class->finalize = pw_canvas_finalize;
  object_class->get_property = pw_canvas_get_property;
  object_class->set_property = pw_canvas_set_property;

  widget_class->measure = pw_canvas_measure;
  widget_class->size_allocate = pw_canvas_size_allocate;
  widget_class->snapshot = pw_canvas_snapshot;
  widget_class->focus = pw_canvas_focus;
  widget_class->set_focus_child = pw_canvas_set_focus_child;

  properties [PROP_DOCUMENT] =
    g_param_spec_object ("document", NULL, NULL, PW_TYPE_TEXT_DOCUMENT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_SELECTION] =
    g_param_spec_string ("selection", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, ZOOM_MIN, ZOOM_MAX, 1.0,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_HIGHLIGHTED_ARTIFACT] =
    g_param_spec_string ("highlighted-artifact", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* A dotted background, to line things up by eye (a preference). */
  properties [PROP_SHOW_GRID] =
    g_param_spec_boolean ("show-grid", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_object_class_override_property (object_class, PROP_HADJUSTMENT, "hadjustment");
  g_object_class_override_property (object_class, PROP_VADJUSTMENT, "vadjustment");
  g_object_class_override_property (object_class, PROP_HSCROLL_POLICY, "hscroll-policy");
  g_object_class_override_property (object_class, PROP_VSCROLL_POLICY, "vscroll-policy");

  /**
   * PwCanvas::activate-selection:
   *
   * The user asked to edit the selection (double click, Enter): the window
   * shows the inspector.
   */
  signals [ACTIVATE_SELECTION] =
    g_signal_new ("activate-selection",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "canvas.select", "(ii)", select_action);
  gtk_widget_class_install_action (widget_class, "canvas.move-left", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "canvas.move-right", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "canvas.move-up", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "canvas.move-down", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "canvas.new-group-before", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "canvas.new-group-after", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "canvas.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "canvas.duplicate", NULL, duplicate_action);
  gtk_widget_class_install_action (widget_class, "canvas.add-stage", NULL, add_stage_action);
  gtk_widget_class_install_action (widget_class, "canvas.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "canvas.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "canvas.zoom-reset", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "canvas.zoom-fit", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "canvas.activate", NULL, activate_action);
  gtk_widget_class_install_action (widget_class, "canvas.menu", NULL, menu_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "canvas.select", "(ii)", -1, 0);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "canvas.select", "(ii)", 1, 0);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, 0, "canvas.select", "(ii)", 0, -1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, 0, "canvas.select", "(ii)", 0, 1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_SHIFT_MASK, "canvas.move-left", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_SHIFT_MASK, "canvas.move-right", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_SHIFT_MASK, "canvas.move-up", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, GDK_SHIFT_MASK, "canvas.move-down", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_SHIFT_MASK | GDK_CONTROL_MASK,
                                       "canvas.new-group-before", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_SHIFT_MASK | GDK_CONTROL_MASK,
                                       "canvas.new-group-after", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "canvas.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0, "canvas.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK, "canvas.duplicate", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "canvas.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "canvas.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, GDK_CONTROL_MASK, "canvas.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "canvas.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, "canvas.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "canvas.zoom-reset", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_exclam, GDK_SHIFT_MASK, "canvas.zoom-fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_SHIFT_MASK, "canvas.zoom-fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, 0, "canvas.activate", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, 0, "canvas.activate", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "canvas.menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "canvas.menu", NULL);

  gtk_widget_class_set_css_name (widget_class, "pipelinecanvas");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

}

static void
pw_canvas_init (PwCanvas *self)
{
  GtkEventController *controller;
  GtkGesture *gesture;
  GtkDropTarget *drop;
  GType types[] = { PW_TYPE_PROVIDER_INFO };

  self->zoom = 1.0;
  self->nodes = g_array_new (FALSE, TRUE, sizeof (Node));
  g_array_set_clear_func (self->nodes, node_clear);
  self->columns = g_array_new (FALSE, TRUE, sizeof (Column));
  g_array_set_clear_func (self->columns, column_clear);
  self->connectors = g_array_new (FALSE, TRUE, sizeof (Connector));
  self->spare_cards = g_ptr_array_new ();
  self->spare_by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->card_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->header_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->headers = g_ptr_array_new ();
  self->producers = g_hash_table_new (g_str_hash, g_str_equal);
  self->drag_node = -1;
  self->drag_column = -1;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (query_tooltip_cb), self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Pipeline canvas"),
                                  -1);

  set_adjustment (self, &self->hadjustment, NULL);
  set_adjustment (self, &self->vadjustment, NULL);

  gesture = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), 0);
  g_signal_connect_object (gesture, "pressed", G_CALLBACK (click_pressed_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), 0);
  g_signal_connect_object (gesture, "drag-begin", G_CALLBACK (drag_begin_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gesture, "drag-update", G_CALLBACK (drag_update_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gesture, "drag-end", G_CALLBACK (drag_end_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gesture, "cancel", G_CALLBACK (drag_cancel_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));
  self->drag_gesture = gesture;

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect_object (gesture, "begin", G_CALLBACK (zoom_begin_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gesture, "scale-changed", G_CALLBACK (zoom_scale_changed_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect_object (controller, "scroll", G_CALLBACK (scroll_cb), self, G_CONNECT_SWAPPED);
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect_object (controller, "motion", G_CALLBACK (motion_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (controller, "leave", G_CALLBACK (leave_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_key_new ();
  g_signal_connect_object (controller, "key-pressed", G_CALLBACK (key_pressed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (controller, "key-released", G_CALLBACK (key_released_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (drop, types, G_N_ELEMENTS (types));
  gtk_drop_target_set_preload (drop, TRUE);
  g_signal_connect_object (drop, "motion", G_CALLBACK (drop_motion_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (drop, "leave", G_CALLBACK (drop_leave_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (drop, "drop", G_CALLBACK (drop_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  update_actions (self);
}

GtkWidget *
pw_canvas_new (void)
{
  return g_object_new (PW_TYPE_CANVAS, NULL);
}

/**
 * pw_canvas_get_document:
 *
 * Returns: (transfer none) (nullable):
 */
PwTextDocument *
pw_canvas_get_document (PwCanvas *self)
{
  g_return_val_if_fail (PW_IS_CANVAS (self), NULL);

  return self->document;
}

void
pw_canvas_set_document (PwCanvas       *self,
                        PwTextDocument *document)
{
  g_return_if_fail (PW_IS_CANVAS (self));
  g_return_if_fail (!document || PW_IS_TEXT_DOCUMENT (document));

  if (self->document == document)
    return;

  if (self->document != NULL)
    g_signal_handlers_disconnect_by_func (self->document, document_changed_cb, self);

  g_set_object (&self->document, document);

  if (document != NULL)
    g_signal_connect_object (document, "changed", G_CALLBACK (document_changed_cb), self, G_CONNECT_SWAPPED);

  g_clear_pointer (&self->selection, g_free);
  rebuild (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_DOCUMENT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SELECTION]);
}

/**
 * pw_canvas_get_selection:
 *
 * Returns: (nullable): the selected element's model path ("" for the
 *   pipeline, "stages[1]", "stages[1].actions[0]") or "artifact:NAME"
 */
const char *
pw_canvas_get_selection (PwCanvas *self)
{
  g_return_val_if_fail (PW_IS_CANVAS (self), NULL);

  return self->selection;
}

/**
 * pw_canvas_set_selection:
 * @path: (nullable): a model path; anything below an element selects the
 *   element ("stages[1].actions[0].configuration" selects the action)
 */
void
pw_canvas_set_selection (PwCanvas   *self,
                         const char *path)
{
  g_autofree char *normalized = NULL;
  PwElementRef ref;

  g_return_if_fail (PW_IS_CANVAS (self));

  if (path != NULL && g_str_has_prefix (path, "artifact:"))
    normalized = g_strdup (path);
  else if (path != NULL && pw_path_parse_element (path, &ref))
    normalized = pw_element_ref_to_path (&ref);

  if (g_strcmp0 (normalized, self->selection) == 0)
    return;

  g_free (self->selection);
  self->selection = g_steal_pointer (&normalized);

  g_free (self->highlight);
  self->highlight = self->selection != NULL && g_str_has_prefix (self->selection, "artifact:")
                  ? g_strdup (self->selection + strlen ("artifact:")) : NULL;

  sync_selected_states (self);
  update_highlight (self);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SELECTION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_HIGHLIGHTED_ARTIFACT]);
}

double
pw_canvas_get_zoom (PwCanvas *self)
{
  g_return_val_if_fail (PW_IS_CANVAS (self), 1.0);

  return self->zoom;
}

void
pw_canvas_set_zoom (PwCanvas *self,
                    double    zoom)
{
  g_return_if_fail (PW_IS_CANVAS (self));

  zoom_at (self, zoom, gtk_widget_get_width (GTK_WIDGET (self)) / 2.0,
           gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
}

void
pw_canvas_zoom_to_fit (PwCanvas *self)
{
  double width, height, zoom;

  g_return_if_fail (PW_IS_CANVAS (self));

  width = gtk_widget_get_width (GTK_WIDGET (self));
  height = gtk_widget_get_height (GTK_WIDGET (self));
  if (width <= 0 || height <= 0 || self->content_width <= 0)
    return;

  zoom = MIN (width / self->content_width, height / self->content_height);
  zoom = CLAMP (zoom, ZOOM_MIN, 1.0);
  self->zoom = zoom;
  configure_adjustments (self, (int)width, (int)height);
  gtk_adjustment_set_value (self->hadjustment, 0);
  gtk_adjustment_set_value (self->vadjustment, 0);
  update_visible (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_ZOOM]);
}

const char *
pw_canvas_get_highlighted_artifact (PwCanvas *self)
{
  g_return_val_if_fail (PW_IS_CANVAS (self), NULL);

  return self->highlight;
}

void
pw_canvas_set_highlighted_artifact (PwCanvas   *self,
                                    const char *artifact)
{
  g_autofree char *path = NULL;

  g_return_if_fail (PW_IS_CANVAS (self));

  path = artifact != NULL ? g_strdup_printf ("artifact:%s", artifact) : NULL;
  pw_canvas_set_selection (self, path);
}

/**
 * pw_canvas_get_action_card:
 *
 * Returns: (transfer none) (nullable): the card of an action
 */
GtkWidget *
pw_canvas_get_action_card (PwCanvas *self,
                           guint     stage,
                           guint     action)
{
  int node;

  g_return_val_if_fail (PW_IS_CANVAS (self), NULL);

  node = node_for (self, stage, action);
  if (node < 0)
    return NULL;
  materialize (self, node);
  return node_at (self, node)->card;
}

/**
 * pw_canvas_get_stage_header:
 *
 * Returns: (transfer none) (nullable):
 */
GtkWidget *
pw_canvas_get_stage_header (PwCanvas *self,
                            guint     stage)
{
  g_return_val_if_fail (PW_IS_CANVAS (self), NULL);

  return stage < self->columns->len ? column_at (self, stage)->header : NULL;
}

guint
pw_canvas_get_n_cards (PwCanvas *self)
{
  g_return_val_if_fail (PW_IS_CANVAS (self), 0);

  return self->nodes->len;
}

/* The cards that exist as widgets: those in and near the view. */
guint
pw_canvas_get_n_shown_cards (PwCanvas *self)
{
  guint n = 0;

  g_return_val_if_fail (PW_IS_CANVAS (self), 0);

  for (guint i = 0; i < self->nodes->len; i++)
    n += node_at (self, i)->card != NULL;
  return n;
}

/**
 * pw_canvas_get_drop_point:
 * @slot: for %PW_DROP_GROUP the group (the point is below its last card),
 *   for %PW_DROP_GAP the gap (0 is before the first group), for
 *   %PW_DROP_NEW_STAGE and %PW_DROP_STAGE the position among the stages
 *
 * Returns: whether there is such a place; @x, @y in widget coordinates
 */
gboolean
pw_canvas_get_drop_point (PwCanvas   *self,
                          PwDropKind  kind,
                          guint       stage,
                          guint       slot,
                          double     *x,
                          double     *y)
{
  double mx, my = PW_CANVAS_MARGIN + PW_STAGE_HEADER_HEIGHT + PW_GROUP_LABEL_HEIGHT + 20;
  Column *column = stage < self->columns->len ? column_at (self, stage) : NULL;

  g_return_val_if_fail (PW_IS_CANVAS (self), FALSE);

  switch (kind)
    {
    case PW_DROP_GROUP:
      if (column == NULL || slot >= column->groups->len)
        return FALSE;
      {
        Group *group = &g_array_index (column->groups, Group, slot);
        Node *last = node_at (self, group->first + group->n - 1);
        mx = group->x + PW_CARD_WIDTH / 2;
        my = last->y + last->h + PW_CARD_GAP / 2 + 4;
      }
      break;

    case PW_DROP_GAP:
      if (column == NULL || slot > column->groups->len)
        return FALSE;
      if (column->groups->len == 0)
        mx = column->x + column->w / 2;
      else if (slot == 0)
        mx = g_array_index (column->groups, Group, 0).x + 4;
      else if (slot == column->groups->len)
        mx = g_array_index (column->groups, Group, slot - 1).x + PW_CARD_WIDTH + PW_STAGE_PAD / 2;
      else
        mx = g_array_index (column->groups, Group, slot - 1).x + PW_CARD_WIDTH + PW_GROUP_GAP / 4;
      break;

    case PW_DROP_NEW_STAGE:
    case PW_DROP_STAGE:
      if (stage > self->columns->len)
        return FALSE;
      if (kind == PW_DROP_STAGE)
        mx = stage < self->columns->len ? column_at (self, stage)->x + 10
                                        : column_at (self, self->columns->len - 1)->x +
                                          column_at (self, self->columns->len - 1)->w + 10;
      else if (stage < self->columns->len)
        mx = column_at (self, stage)->x - PW_STAGE_GAP / 2;
      else
        mx = (self->columns->len > 0 ? column_at (self, self->columns->len - 1)->x +
                                       column_at (self, self->columns->len - 1)->w : 0) + PW_STAGE_GAP / 2 + 10;
      break;

    case PW_DROP_NONE:
    default:
      return FALSE;
    }

  *x = to_view_x (self, mx);
  *y = to_view_y (self, my);
  return TRUE;
}

/* Lays out again from the current model, for benchmarks. */
void
pw_canvas_relayout (PwCanvas *self)
{
  g_return_if_fail (PW_IS_CANVAS (self));

  rebuild (self);
}

/**
 * pw_canvas_add_provider:
 *
 * The keyboard's way to drop a provider from the palette: into a new group
 * at the end of the selected stage (or of the stage of the selected
 * action), or where the service allows the nearest such drop (a source into
 * the first stage, anything else into a later stage or a new last stage).
 *
 * Returns: whether an action was added
 */
gboolean
pw_canvas_add_provider (PwCanvas             *self,
                        const PwProviderInfo *info)
{
  DropTarget target = { 0 };
  Node *node = NULL;
  int stage;
  gboolean done = FALSE;

  g_return_val_if_fail (PW_IS_CANVAS (self), FALSE);
  g_return_val_if_fail (info != NULL, FALSE);

  if (self->document == NULL || pw_text_document_get_pipeline (self->document) == NULL)
    return FALSE;

  stage = selected_stage (self);
  if (selected_node (self, &node))
    stage = (int)node->stage;
  if (g_strcmp0 (info->category, "Source") == 0)
    stage = 0;
  else if (stage < 0)
    stage = (int)self->columns->len - 1;

  for (guint s = (guint)MAX (stage, 0); s <= self->columns->len; s++)
    {
      if (s < self->columns->len)
        {
          target.kind = PW_DROP_GAP;
          target.stage = s;
          target.group = column_at (self, s)->groups->len;
        }
      else
        {
          target.kind = PW_DROP_NEW_STAGE;
          target.stage = s;
        }
      check_action_target (self, &target, info->category, -1);
      if (target.allowed)
        {
          done = commit_provider_drop (self, info, &target);
          break;
        }
      if (g_strcmp0 (info->category, "Source") == 0)
        break;
    }

  if (!done && target.reason != NULL)
    g_signal_emit_by_name (self->document, "edit-failed", target.reason);
  drop_target_clear (&target);
  return done;
}

/* Runs on the canvas --------------------------------------------------------- */

/* A stage header: the stage's status and how long it took or has run. */
static void
sync_stage_run (PwCanvas *self,
                guint     index)
{
  Column *column = column_at (self, index);
  PwStage *stage = column->stage;
  PwStageExecution *run = NULL;
  g_autofree char *text = NULL;
  const char *status;
  GDateTime *start, *end;

  if (column->header == NULL)
    return;
  if (self->execution != NULL && stage != NULL && pw_stage_get_name (stage) != NULL)
    run = pw_execution_lookup_stage (self->execution, pw_stage_get_name (stage));
  status = run != NULL ? pw_stage_execution_get_status (run) : NULL;
  if (status == NULL || g_str_equal (status, "NotStarted"))
    {
      pw_stage_header_set_run (PW_STAGE_HEADER (column->header), NULL, NULL);
      return;
    }

  start = pw_stage_execution_get_start_time (run);
  end = pw_stage_execution_get_end_time (run);
  if (g_str_equal (status, "InProgress"))
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autofree char *time = start != NULL ? pw_format_elapsed (g_date_time_difference (now, start)) : g_strdup ("");

      text = g_strdup_printf (_("In progress · %s"), time);
    }
  else
    {
      g_autofree char *time = start != NULL && end != NULL ? pw_format_duration (g_date_time_difference (end, start)) : NULL;
      const char *word = g_str_equal (status, "Succeeded") ? _("Succeeded")
                       : g_str_equal (status, "Failed") ? _("Failed")
                       : g_str_equal (status, "Stopped") ? _("Stopped") : status;

      text = time != NULL ? g_strdup_printf ("%s · %s", word, time) : g_strdup (word);
    }
  pw_stage_header_set_run (PW_STAGE_HEADER (column->header), status, text);
}

static void
sync_runs (PwCanvas *self)
{
  /* The connectors: an artifact version made lights its flow. */
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (self->columns != NULL)
    for (guint s = 0; s < self->columns->len; s++)
      sync_stage_run (self, s);
  if (self->nodes == NULL)
    return;
  for (guint i = 0; i < self->nodes->len; i++)
    {
      Node *node = node_at (self, i);

      if (node->card != NULL)
        sync_run (self, node);
    }
}

static gboolean
run_tick_cb (gpointer data)
{
  PwCanvas *self = data;

  sync_runs (self);
  return G_SOURCE_CONTINUE;
}

static gboolean
run_throttle_cb (gpointer data)
{
  PwCanvas *self = data;

  if (!self->run_dirty)
    {
      self->run_throttle = 0;
      return G_SOURCE_REMOVE;
    }
  self->run_dirty = FALSE;
  sync_runs (self);
  return G_SOURCE_CONTINUE;
}

static void
execution_changed_cb (PwExecution *execution,
                      PwCanvas    *self)
{
  gboolean running = !pw_execution_is_finished (execution);

  /* A change shows at once; more in the next tenth of a second show
   * together at its end: a run of a hundred parallel actions changes its
   * execution hundreds of times, and each redraw takes from the builds. */
  if (self->run_throttle != 0 && running)
    {
      self->run_dirty = TRUE;
      return;
    }
  g_clear_handle_id (&self->run_throttle, g_source_remove);
  self->run_dirty = FALSE;
  if (running)
    self->run_throttle = g_timeout_add (100, run_throttle_cb, self);
  sync_runs (self);
  if (running && self->run_tick == 0)
    self->run_tick = g_timeout_add_seconds (1, run_tick_cb, self);
  else if (!running)
    g_clear_handle_id (&self->run_tick, g_source_remove);
}

/**
 * pw_canvas_set_execution:
 * @execution: (nullable): the execution whose statuses the cards show
 *
 * Each card shows its action's latest attempt in @execution, live while it
 * runs; %NULL shows the design alone.
 */
void
pw_canvas_set_execution (PwCanvas    *self,
                         PwExecution *execution)
{
  g_return_if_fail (PW_IS_CANVAS (self));

  if (self->execution == execution)
    return;
  if (self->execution != NULL)
    g_signal_handlers_disconnect_by_func (self->execution, execution_changed_cb, self);
  g_clear_handle_id (&self->run_tick, g_source_remove);
  g_clear_handle_id (&self->run_throttle, g_source_remove);
  g_set_object (&self->execution, execution);
  if (execution != NULL)
    {
      g_signal_connect (execution, "changed", G_CALLBACK (execution_changed_cb), self);
      execution_changed_cb (execution, self);
    }
  else
    sync_runs (self);
}

PwExecution *
pw_canvas_get_execution (PwCanvas *self)
{
  g_return_val_if_fail (PW_IS_CANVAS (self), NULL);

  return self->execution;
}

/* How many connectors carry an artifact version of the execution shown
 * (drawn lit), for tests. */
guint
pw_canvas_get_n_produced_connectors (PwCanvas *self)
{
  guint n = 0;

  g_return_val_if_fail (PW_IS_CANVAS (self), 0);

  for (guint c = 0; self->connectors != NULL && c < self->connectors->len; c++)
    n += connector_produced (self, &g_array_index (self->connectors, Connector, c));
  return n;
}

/**
 * pw_canvas_set_disabled_transitions:
 * @transitions: (nullable): stage name → reason of the inbound transitions
 *   the executor has disabled now, or %NULL for the pipeline's own
 *   (CloudFormation's DisableInboundStageTransitions)
 */
void
pw_canvas_set_disabled_transitions (PwCanvas   *self,
                                    GHashTable *transitions)
{
  g_return_if_fail (PW_IS_CANVAS (self));

  g_clear_pointer (&self->transitions, g_hash_table_unref);
  if (transitions != NULL)
    self->transitions = g_hash_table_ref (transitions);
  if (self->columns == NULL)
    return;
  for (guint s = 0; s < self->columns->len; s++)
    {
      Column *column = column_at (self, s);

      column->disabled = FALSE;
      g_clear_pointer (&column->disabled_reason, g_free);
    }
  read_disabled_transitions (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Whether the transition into @stage is disabled as the canvas shows it. */
gboolean
pw_canvas_get_transition_disabled (PwCanvas   *self,
                                   guint       stage,
                                   const char **reason)
{
  g_return_val_if_fail (PW_IS_CANVAS (self), FALSE);

  if (self->columns == NULL || stage >= self->columns->len)
    return FALSE;
  if (reason != NULL)
    *reason = column_at (self, stage)->disabled_reason;
  return column_at (self, stage)->disabled;
}

/**
 * pw_canvas_set_waiting:
 * @waiting: (nullable): stage name → how many executions wait to enter it
 */
void
pw_canvas_set_waiting (PwCanvas   *self,
                       GHashTable *waiting)
{
  g_return_if_fail (PW_IS_CANVAS (self));

  g_clear_pointer (&self->waiting, g_hash_table_unref);
  if (waiting != NULL)
    self->waiting = g_hash_table_ref (waiting);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
pw_canvas_get_waiting (PwCanvas *self,
                       guint     stage)
{
  g_return_val_if_fail (PW_IS_CANVAS (self), 0);

  return waiting_at (self, stage);
}
