/* pw-providers.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-providers"

#include "config.h"

#include <string.h>

#include "pw-core-private.h"

/* The provider table, from reference/action-providers.md. One row per
 * (category, owner, provider); a provider valid in two categories (CodeBuild
 * in Build and Test) has two rows. */
static const PwProviderInfo providers[] = {
  /* Source */
  { "Source", "AWS", "CodeCommit", "1", 0, 0, 1, 1,
    { "RepositoryName", "BranchName" },
    { "PollForSourceChanges", "OutputArtifactFormat" },
    { "CommitId", "CommitMessage", "RepositoryName", "BranchName", "AuthorDate", "CommitterDate" },
    FALSE, FALSE, "CodeCommit repository" },
  { "Source", "AWS", "CodeStarSourceConnection", "1", 0, 0, 1, 1,
    { "ConnectionArn", "FullRepositoryId", "BranchName" },
    { "OutputArtifactFormat", "DetectChanges" },
    { "AuthorDate", "BranchName", "CommitId", "CommitMessage", "ConnectionArn", "FullRepositoryName" },
    FALSE, FALSE, "GitHub, GitLab or Bitbucket through a connection" },
  { "Source", "AWS", "S3", "1", 0, 0, 1, 1,
    { "S3Bucket", "S3ObjectKey" },
    { "PollForSourceChanges", "AllowOverrideForS3ObjectKey" },
    { "ETag", "VersionId" },
    FALSE, FALSE, "S3 object" },
  { "Source", "AWS", "ECR", "1", 0, 0, 1, 1,
    { "RepositoryName" },
    { "ImageTag" },
    { "RegistryId", "RepositoryName", "ImageTag", "ImageDigest", "ImageURI" },
    FALSE, FALSE, "ECR image" },
  { "Source", "ThirdParty", "GitHub", "1", 0, 0, 1, 1,
    { "Owner", "Repo", "Branch", "OAuthToken" },
    { "PollForSourceChanges" },
    { "CommitId", "CommitMessage", "CommitUrl", "RepositoryName", "BranchName", "AuthorDate",
      "CommitterDate" },
    FALSE, FALSE, "GitHub (version 1, OAuth; legacy)" },

  /* Build and Test */
  { "Build", "AWS", "CodeBuild", "1", 1, 5, 0, 5,
    { "ProjectName" },
    { "PrimarySource", "EnvironmentVariables", "BatchEnabled", "CombineArtifacts" },
    { NULL },
    TRUE, FALSE, "CodeBuild project" },
  { "Test", "AWS", "CodeBuild", "1", 1, 5, 0, 5,
    { "ProjectName" },
    { "PrimarySource", "EnvironmentVariables", "BatchEnabled", "CombineArtifacts" },
    { NULL },
    TRUE, FALSE, "CodeBuild project" },
  { "Build", "AWS", "ECRBuildAndPublish", "1", 0, 1, 0, 0,
    { "ECRRepositoryName" },
    { "DockerFilePath", "ImageTags", "RegistryType" },
    { "ECRImageDigestId", "ECRRepository" },
    FALSE, FALSE, "Build and push a Docker image to ECR" },
  { "Test", "AWS", "DeviceFarm", "1", 1, 1, 0, 0,
    { "AppType", "ProjectId", "App", "DevicePoolArn", "TestType" },
    { "AppiumVersion", "Test", "RadioBluetoothEnabled", "RadioWifiEnabled", "RadioNfcEnabled",
      "RadioGpsEnabled", "RecordAppPerformanceData", "RecordVideo", "FuzzEventCount",
      "FuzzEventThrottle", "FuzzRandomizerSeed", "CustomHostMachineArtifacts",
      "CustomDeviceArtifacts", "UnmeteredDevicesOnly", "JobTimeoutMinutes", "Latitude",
      "Longitude" },
    { NULL },
    FALSE, FALSE, "Device Farm test run" },

  /* Deploy */
  { "Deploy", "AWS", "CodeDeploy", "1", 1, 1, 0, 0,
    { "ApplicationName", "DeploymentGroupName" },
    { NULL },
    { NULL },
    FALSE, FALSE, "CodeDeploy deployment (EC2/on-premises, Lambda)" },
  { "Deploy", "AWS", "CloudFormation", "1", 0, 10, 0, 1,
    { "ActionMode", "StackName" },
    { "TemplatePath", "RoleArn", "ChangeSetName", "Capabilities", "OutputFileName",
      "ParameterOverrides", "TemplateConfiguration" },
    { NULL },
    TRUE, FALSE, "CloudFormation stack or change set" },
  { "Deploy", "AWS", "CloudFormationStackSet", "1", 1, 3, 0, 0,
    { "StackSetName", "TemplatePath" },
    { "Description", "Parameters", "Capabilities", "PermissionModel", "AdministrationRoleArn",
      "ExecutionRoleName", "OrganizationsAutoDeployment", "DeploymentTargets", "Regions",
      "FailureTolerancePercentage", "MaxConcurrentPercentage" },
    { "StackSetId", "OperationId" },
    FALSE, FALSE, "CloudFormation StackSet" },
  { "Deploy", "AWS", "CloudFormationStackInstances", "1", 0, 2, 0, 0,
    { "StackSetName", "Regions" },
    { "DeploymentTargets", "ParameterOverrides", "FailureTolerancePercentage",
      "MaxConcurrentPercentage" },
    { "StackSetId", "OperationId" },
    FALSE, FALSE, "CloudFormation StackSet instances" },
  /* Newer providers (CodePipeline user guide; the CDK writes them):
   * action-reference-EC2Deploy, action-reference-EKS. */
  { "Deploy", "AWS", "EC2", "1", 1, 1, 0, 0,
    { "InstanceTagKey", "InstanceType" },
    { "InstanceTagValue", "TargetDirectory", "DeploySpec", "MaxBatch", "MaxError",
      "TargetGroupNameList", "PreScript", "PostScript" },
    { NULL },
    FALSE, TRUE, "Deploy to EC2 instances or SSM-managed nodes (V2 pipelines)" },
  { "Deploy", "AWS", "EKS", "1", 1, 1, 0, 0,
    { "ClusterName" },
    { "HelmChartLocation", "HelmReleaseName", "HelmValuesFiles", "ManifestFiles", "Namespace",
      "SubnetIds", "SecurityGroupIds" },
    { NULL },
    FALSE, TRUE, "Deploy to an EKS cluster with Helm or manifests (V2 pipelines)" },
  { "Deploy", "AWS", "ECS", "1", 1, 1, 0, 0,
    { "ClusterName", "ServiceName" },
    { "FileName", "DeploymentTimeout" },
    { NULL },
    FALSE, FALSE, "ECS rolling deployment" },
  { "Deploy", "AWS", "CodeDeployToECS", "1", 1, 5, 0, 0,
    { "ApplicationName", "DeploymentGroupName", "TaskDefinitionTemplateArtifact",
      "AppSpecTemplateArtifact" },
    { "TaskDefinitionTemplatePath", "AppSpecTemplatePath", "Image1ArtifactName",
      "Image1ContainerName", "Image2ArtifactName", "Image2ContainerName", "Image3ArtifactName",
      "Image3ContainerName", "Image4ArtifactName", "Image4ContainerName" },
    { NULL },
    FALSE, FALSE, "ECS blue/green deployment through CodeDeploy" },
  { "Deploy", "AWS", "ElasticBeanstalk", "1", 1, 1, 0, 0,
    { "ApplicationName", "EnvironmentName" },
    { NULL },
    { NULL },
    FALSE, FALSE, "Elastic Beanstalk environment" },
  { "Deploy", "AWS", "S3", "1", 1, 1, 0, 0,
    { "BucketName", "Extract" },
    { "ObjectKey", "KMSEncryptionKeyARN", "CannedACL", "CacheControl" },
    { NULL },
    FALSE, FALSE, "S3 bucket" },
  { "Deploy", "AWS", "ServiceCatalog", "1", 1, 1, 0, 0,
    { "ProductId" },
    { "TemplateFilePath", "ProductVersionName", "ProductType", "ConfigurationFilePath",
      "ProductVersionDescription" },
    { NULL },
    FALSE, FALSE, "Service Catalog product" },
  { "Deploy", "AWS", "AppConfig", "1", 1, 1, 0, 0,
    { "Application", "Environment", "ConfigurationProfile", "InputArtifactConfigurationPath" },
    { "DeploymentStrategy" },
    { NULL },
    FALSE, FALSE, "AppConfig configuration" },
  { "Deploy", "AWS", "OpsWorks", "1", 1, 1, 0, 0,
    { "Stack", "App" },
    { "Layer" },
    { NULL },
    FALSE, FALSE, "OpsWorks stack (legacy)" },
  { "Deploy", "ThirdParty", "AlexaSkillsKit", "1", 0, 2, 0, 0,
    { "ClientId", "ClientSecret", "RefreshToken", "SkillId" },
    { NULL },
    { NULL },
    FALSE, FALSE, "Alexa skill (legacy)" },

  /* Approval */
  { "Approval", "AWS", "Manual", "1", 0, 0, 0, 0,
    { NULL },
    { "NotificationArn", "ExternalEntityLink", "CustomData" },
    { NULL },
    FALSE, FALSE, "Manual approval" },

  /* Invoke */
  { "Invoke", "AWS", "Lambda", "1", 0, 5, 0, 5,
    { "FunctionName" },
    { "UserParameters" },
    { NULL },
    TRUE, FALSE, "Lambda function" },
  { "Invoke", "AWS", "StepFunctions", "1", 0, 1, 0, 1,
    { "StateMachineArn" },
    { "ExecutionNamePrefix", "InputType", "Input" },
    { "StateMachineArn", "ExecutionArn" },
    FALSE, FALSE, "Step Functions state machine" },
  /* action-reference-PipelineInvoke: starts another pipeline. */
  { "Invoke", "AWS", "CodePipeline", "1", 0, 0, 0, 0,
    { "PipelineName" },
    { "SourceRevisions", "Variables" },
    { NULL },
    FALSE, TRUE, "Start another pipeline (V2 pipelines)" },
  { "Invoke", "AWS", "InspectorScan", "1", 0, 1, 1, 1,
    { "InspectorRunMode" },
    { "ECRRepositoryName", "ImageTag", "SourcePath", "CriticalThreshold", "HighThreshold",
      "MediumThreshold", "LowThreshold" },
    { NULL },
    TRUE, FALSE, "Amazon Inspector scan" },

  /* Compute */
  { "Compute", "AWS", "Commands", "1", 1, 10, 0, 1,
    { NULL },
    { NULL },
    { NULL },
    TRUE, TRUE, "Shell commands (V2 pipelines)" },
};

/**
 * pw_providers_lookup:
 *
 * Returns: (nullable): the row for this action type, %NULL when the
 *   provider is not known in that category
 */
const PwProviderInfo *
pw_providers_lookup (const char *category,
                     const char *owner,
                     const char *provider)
{
  if (category == NULL || owner == NULL || provider == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (providers); i++)
    {
      if (strcmp (providers[i].provider, provider) == 0 &&
          strcmp (providers[i].category, category) == 0 &&
          strcmp (providers[i].owner, owner) == 0)
        return &providers[i];
    }

  return NULL;
}

/**
 * pw_providers_lookup_any:
 *
 * Returns: (nullable): the first row for this owner and provider in any
 *   category, to tell "wrong category" from "unknown provider"
 */
const PwProviderInfo *
pw_providers_lookup_any (const char *owner,
                         const char *provider)
{
  if (owner == NULL || provider == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (providers); i++)
    {
      if (strcmp (providers[i].provider, provider) == 0 &&
          strcmp (providers[i].owner, owner) == 0)
        return &providers[i];
    }

  return NULL;
}

const PwProviderInfo *
pw_providers_get_all (guint *n_providers)
{
  if (n_providers != NULL)
    *n_providers = G_N_ELEMENTS (providers);

  return providers;
}

gboolean
pw_provider_has_key (const PwProviderInfo *info,
                     const char           *key)
{
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (info->required) && info->required[i] != NULL; i++)
    if (strcmp (info->required[i], key) == 0)
      return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (info->optional) && info->optional[i] != NULL; i++)
    if (strcmp (info->optional[i], key) == 0)
      return TRUE;

  return FALSE;
}

gboolean
pw_provider_has_variable (const PwProviderInfo *info,
                          const char           *name)
{
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (info->open_variables)
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (info->variables) && info->variables[i] != NULL; i++)
    if (strcmp (info->variables[i], name) == 0)
      return TRUE;

  return FALSE;
}
