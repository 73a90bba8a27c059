/* pw-document.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_CORE_INSIDE) && !defined (PW_CORE_COMPILATION)
# error "Only <pw-core.h> can be included directly."
#endif

#include "pw-diagnostic.h"
#include "pw-pipeline.h"
#include "pw-source-map.h"

G_BEGIN_DECLS

typedef enum
{
  PW_SYNTAX_YAML,
  PW_SYNTAX_JSON,
} PwSyntax;

/**
 * PwDocumentKind:
 * @PW_DOCUMENT_PIPELINE: a `CreatePipeline` request
 * @PW_DOCUMENT_GET_PIPELINE: a `get-pipeline` response
 * @PW_DOCUMENT_CFN_TEMPLATE: a CloudFormation (or SAM) template
 */
typedef enum
{
  PW_DOCUMENT_PIPELINE,
  PW_DOCUMENT_GET_PIPELINE,
  PW_DOCUMENT_CFN_TEMPLATE,
} PwDocumentKind;

typedef enum
{
  PW_OUTPUT_YAML,
  PW_OUTPUT_JSON,
  PW_OUTPUT_CFN_JSON,
  PW_OUTPUT_CFN_YAML,
} PwOutputFormat;

#define PW_TYPE_DOCUMENT (pw_document_get_type ())

G_DECLARE_FINAL_TYPE (PwDocument, pw_document, PW, DOCUMENT, GObject)

PwDocument     *pw_document_load_data        (const char     *data,
                                              gssize          length,
                                              const char     *filename,
                                              GError        **error);
PwDocument     *pw_document_load_file        (GFile          *file,
                                              GCancellable   *cancellable,
                                              GError        **error);
JsonNode       *pw_document_get_root         (PwDocument     *self);
PwSyntax        pw_document_get_syntax       (PwDocument     *self);
PwDocumentKind  pw_document_get_kind         (PwDocument     *self);
PwSourceMap    *pw_document_get_source_map   (PwDocument     *self);
GStrv           pw_document_dup_pipeline_ids (PwDocument     *self);
PwPipeline     *pw_document_dup_pipeline     (PwDocument     *self,
                                              const char     *logical_id,
                                              GError        **error);

gboolean        pw_output_format_from_string (const char     *name,
                                              PwOutputFormat *format);
char           *pw_pipeline_serialize        (PwPipeline     *pipeline,
                                              PwOutputFormat  format,
                                              GPtrArray      *notes,
                                              GError        **error);
JsonNode       *pw_pipeline_to_api           (PwPipeline     *pipeline,
                                              gboolean        normalize,
                                              GPtrArray      *notes);

G_END_DECLS
