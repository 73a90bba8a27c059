/* pw-pipeline.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_CORE_INSIDE) && !defined (PW_CORE_COMPILATION)
# error "Only <pw-core.h> can be included directly."
#endif

#include "pw-element.h"
#include "pw-stage.h"

G_BEGIN_DECLS

/**
 * PwCfnParameterKind:
 * @PW_CFN_PARAMETER_UNDECLARED: the template declares no such parameter
 * @PW_CFN_PARAMETER_PLAIN: a parameter whose `Default` is its value
 * @PW_CFN_PARAMETER_NO_ECHO: `NoEcho: true`: its value is never shown
 * @PW_CFN_PARAMETER_SSM: an `AWS::SSM::Parameter::Value<…>` type, whose
 *   `Default` names the SSM parameter CloudFormation reads
 */
typedef enum
{
  PW_CFN_PARAMETER_UNDECLARED,
  PW_CFN_PARAMETER_PLAIN,
  PW_CFN_PARAMETER_NO_ECHO,
  PW_CFN_PARAMETER_SSM,
} PwCfnParameterKind;


#define PW_TYPE_PIPELINE (pw_pipeline_get_type ())

G_DECLARE_FINAL_TYPE (PwPipeline, pw_pipeline, PW, PIPELINE, PwElement)

/**
 * PwPipelineOrigin:
 * @PW_PIPELINE_ORIGIN_NEW: made in memory
 * @PW_PIPELINE_ORIGIN_PIPELINE_FILE: a `CreatePipeline` request (`pipeline:` + `tags:`)
 * @PW_PIPELINE_ORIGIN_GET_PIPELINE: a `get-pipeline` response (`pipeline:` + `metadata:`)
 * @PW_PIPELINE_ORIGIN_CFN: an `AWS::CodePipeline::Pipeline` resource of a template
 */
typedef enum
{
  PW_PIPELINE_ORIGIN_NEW,
  PW_PIPELINE_ORIGIN_PIPELINE_FILE,
  PW_PIPELINE_ORIGIN_GET_PIPELINE,
  PW_PIPELINE_ORIGIN_CFN,
} PwPipelineOrigin;

PwPipeline       *pw_pipeline_new                  (const char  *name);
PwPipeline       *pw_pipeline_new_from_declaration (JsonNode    *declaration);
const char       *pw_pipeline_get_name             (PwPipeline  *self);
void              pw_pipeline_set_name             (PwPipeline  *self,
                                                    const char  *name);
const char       *pw_pipeline_get_pipeline_type    (PwPipeline  *self);
gboolean          pw_pipeline_is_v2                (PwPipeline  *self);
const char       *pw_pipeline_get_execution_mode   (PwPipeline  *self);
guint             pw_pipeline_get_n_stages         (PwPipeline  *self);
PwStage          *pw_pipeline_get_stage            (PwPipeline  *self,
                                                    guint        index);
PwStage          *pw_pipeline_find_stage           (PwPipeline  *self,
                                                    const char  *name);
void              pw_pipeline_insert_stage         (PwPipeline  *self,
                                                    guint        position,
                                                    PwStage     *stage);
void              pw_pipeline_remove_stage         (PwPipeline  *self,
                                                    guint        position);
guint             pw_pipeline_count_actions        (PwPipeline  *self);
PwPipelineOrigin  pw_pipeline_get_origin           (PwPipeline  *self);
void              pw_pipeline_set_origin           (PwPipeline  *self,
                                                    PwPipelineOrigin origin);
JsonNode         *pw_pipeline_get_document_extra   (PwPipeline  *self,
                                                    const char  *key);
void              pw_pipeline_set_document_extra   (PwPipeline  *self,
                                                    const char  *key,
                                                    JsonNode    *value);
JsonNode         *pw_pipeline_get_cfn_template     (PwPipeline  *self);
const char       *pw_pipeline_get_cfn_logical_id   (PwPipeline  *self);
void              pw_pipeline_set_cfn_context      (PwPipeline  *self,
                                                    JsonNode    *template_root,
                                                    const char  *logical_id);
void              pw_pipeline_set_cfn_parameter    (PwPipeline  *self,
                                                    const char  *name,
                                                    const char  *value);
const char       *pw_pipeline_get_cfn_parameter    (PwPipeline  *self,
                                                    const char  *name);
PwCfnParameterKind pw_pipeline_get_cfn_parameter_kind (PwPipeline  *self,
                                                      const char  *name);
JsonNode         *pw_pipeline_to_declaration       (PwPipeline  *self);
PwPipeline       *pw_pipeline_copy                 (PwPipeline  *self);

G_END_DECLS
