/* pw-api-private.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>
#include <pw-core.h>
#include <pw-engine.h>

#include "pw-api-server.h"

G_BEGIN_DECLS

#define PW_API_ACCOUNT "111122223333"
#define PW_API_MAX_TAGS 50

/* A pipeline the endpoint serves: its file, and what the service keeps
 * beside it (version, times, tags) in the state folder's `api/`. */
typedef struct
{
  char       *name;
  char       *path;
  char       *meta_path;      /* <state>/api/<name>.json */
  PwPipeline *pipeline;
  gint64      version;
  double      created;
  double      updated;
  JsonNode   *tags;           /* array of {key, value} */
  char       *digest;         /* of the file the version is */
  gint64      mtime;          /* the file as last read */
  goffset     size;
  gboolean    made_here;      /* its folder came from CreatePipeline */
  guint64     serial;         /* new for every entry read */
  /* GetPipeline's answer, written once for its version and update. */
  GBytes     *get_answer;
  gint64      get_answer_version;
  double      get_answer_updated;
} PwApiEntry;

/* An AWS::CodePipeline::Webhook of a CloudFormation template in the
 * workspace, resolved as far as the template allows. */
typedef struct
{
  char      *name;
  char      *path;            /* the template */
  char      *authentication;  /* GITHUB_HMAC, IP or UNAUTHENTICATED */
  char      *secret;          /* GITHUB_HMAC's SecretToken */
  char      *ip_range;        /* IP's AllowedIPRange */
  JsonArray *filters;         /* [{JsonPath, MatchEquals}] */
  char      *pipeline;
  char      *action;
  char      *problem;         /* why it cannot be served, or NULL */
} PwApiWebhook;

struct _PwApiServer
{
  GObject     parent_instance;

  char       *workspace;
  char       *region;
  gboolean    verify;
  SoupServer *server;
  GPtrArray  *entries;      /* PwApiEntry, in name order */
  GHashTable *not_pipelines; /* path → "mtime:size" of files that are none */
  GHashTable *monitors;     /* folder → GFileMonitor, for each folder scanned */
  gboolean    dirty;        /* a folder changed since the last scan */
  guint       port;
  char       *runner;       /* the pipewright-cli that runs what is started */
  char       *webhook_secret; /* GitHub webhooks' HMAC secret, or NULL: refused */
  GHashTable *tokens;       /* clientRequestToken → execution id */
  GPtrArray  *children;     /* GSubprocess: the runs started here */
  GPtrArray  *webhooks;     /* PwApiWebhook, of the workspace's templates */
  GHashTable *idle;         /* GSocket → GSource: keep-alive connections between requests */
  GHashTable *sockets;      /* "address:port" of a client → its GSocket */
  GSocket    *listener;
  GSource    *accepting;    /* on the listening socket */
  guint       accept_pause; /* accepting rests (out of file descriptors) */
  /* ListPipelines' last answer, and what it was the answer to. */
  char       *list_answer_key;
  GBytes     *list_answer;
};

typedef struct
{
  guint     status;
  JsonNode *body;
  GBytes   *text;      /* the body already written, instead of @body */
} PwApiAnswer;

PwApiAnswer  pw_api_error           (guint         status,
                                     const char   *type,
                                     const char   *message);
PwApiAnswer  pw_api_ok              (JsonNode     *body);
PwApiAnswer  pw_api_empty           (void);
double       pw_api_epoch_of        (const char   *iso);
char        *pw_api_execution_of_event (const char *line);
const char  *pw_api_member_string   (JsonObject   *o,
                                     const char   *name);
gboolean     pw_api_require_name    (JsonObject   *input,
                                     const char   *member,
                                     const char  **value,
                                     PwApiAnswer  *answer);
PwApiAnswer  pw_api_not_found       (const char   *name);
gboolean     pw_api_page_of         (JsonObject   *input,
                                     guint         max_default,
                                     guint         max_allowed,
                                     guint        *from,
                                     guint        *count,
                                     PwApiAnswer  *answer);
void         pw_api_add_next_token  (JsonBuilder  *b,
                                     guint         next,
                                     guint         total);
void         pw_api_add_time        (JsonBuilder  *b,
                                     JsonObject   *record,
                                     const char   *from,
                                     const char   *to);
void         pw_api_add_string      (JsonBuilder  *b,
                                     JsonObject   *record,
                                     const char   *from,
                                     const char   *to);

/* pw-api-catalog.c: the pipelines, their versions and tags. */
void         pw_api_entry_free      (gpointer      data);
void         pw_api_catalog_scan    (PwApiServer  *self);
PwApiEntry  *pw_api_lookup          (PwApiServer  *self,
                                     const char   *name);
PwApiAnswer  pw_api_list_pipelines  (PwApiServer  *self,
                                     JsonObject   *input);
PwApiAnswer  pw_api_get_pipeline    (PwApiServer  *self,
                                     JsonObject   *input);
PwApiAnswer  pw_api_create_pipeline (PwApiServer  *self,
                                     JsonObject   *input);
PwApiAnswer  pw_api_update_pipeline (PwApiServer  *self,
                                     JsonObject   *input);
PwApiAnswer  pw_api_delete_pipeline (PwApiServer  *self,
                                     JsonObject   *input);
PwApiAnswer  pw_api_tag_resource    (PwApiServer  *self,
                                     JsonObject   *input);
PwApiAnswer  pw_api_untag_resource  (PwApiServer  *self,
                                     JsonObject   *input);
PwApiAnswer  pw_api_list_tags       (PwApiServer  *self,
                                     JsonObject   *input);

/* pw-api-jobs.c: job workers. */
PwApiAnswer  pw_api_poll_for_jobs   (PwApiServer  *self,
                                     JsonObject   *input);
PwApiAnswer  pw_api_poll_for_third_party_jobs (PwApiServer *self,
                                               JsonObject  *input);
PwApiAnswer  pw_api_acknowledge_job (PwApiServer  *self,
                                     JsonObject   *input);
PwApiAnswer  pw_api_get_job_details (PwApiServer  *self,
                                     JsonObject   *input);
PwApiAnswer  pw_api_get_third_party_job_details (PwApiServer *self,
                                                 JsonObject  *input);
PwApiAnswer  pw_api_put_job_success (PwApiServer  *self,
                                     JsonObject   *input);
PwApiAnswer  pw_api_put_job_failure (PwApiServer  *self,
                                     JsonObject   *input);

/* pw-api-webhooks.c */
void         pw_api_handle_webhook  (PwApiServer       *self,
                                     SoupServerMessage *msg);
void         pw_api_handle_webhook_v1 (PwApiServer       *self,
                                       SoupServerMessage *msg,
                                       const char        *name);
void         pw_api_webhook_free    (gpointer           data);
void         pw_api_webhooks_forget (PwApiServer       *self,
                                     const char        *path);
void         pw_api_webhooks_read   (PwApiServer       *self,
                                     const char        *path,
                                     PwDocument        *document);

G_END_DECLS
