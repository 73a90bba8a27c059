/* pw-provider-docs.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-provider-docs"

#include "config.h"

#include <string.h>

#include <glib.h>
#include <glib/gi18n.h>

#include "pw-provider-docs.h"

/* What the inspector and the palette say about each provider and each of its
 * configuration keys. The text comes from reference/action-providers.md (and
 * codepipeline-model.md for the action-level fields); the rows cover exactly
 * the providers and keys of the core's table in src/core/pw-providers.c, which
 * test-provider-docs checks. Examples and choices are literal configuration
 * values, so they are not translated. */

typedef struct
{
  const char         *category;  /* categories separated by '|'; NULL for action fields */
  const char         *provider;  /* NULL: an action-level field */
  const char         *key;       /* NULL: the provider itself */
  const char         *doc;
  const char         *example;
  const char * const *choices;
} KeyDoc;

static const char * const booleans[] = { "true", "false", NULL };
static const char * const artifact_formats[] = { "CODE_ZIP", "CODEBUILD_CLONE_REF", NULL };
static const char * const action_modes[] = {
  "CREATE_UPDATE", "REPLACE_ON_FAILURE", "DELETE_ONLY", "CHANGE_SET_REPLACE",
  "CHANGE_SET_EXECUTE", NULL
};
static const char * const app_types[] = { "iOS", "Android", "Web", NULL };
static const char * const permission_models[] = { "SELF_MANAGED", "SERVICE_MANAGED", NULL };
static const char * const auto_deployments[] = {
  "Enabled", "Disabled", "EnabledWithStackRetention", NULL
};
static const char * const product_types[] = { "CLOUD_FORMATION_TEMPLATE", NULL };
static const char * const ec2_instance_types[] = { "EC2", "SSM_MANAGED_NODE", NULL };
static const char * const input_types[] = { "Literal", "FilePath", NULL };

#define ROLE_EXAMPLE "arn:aws:iam::111122223333:role/"
#define KMS_EXAMPLE "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

static const KeyDoc docs[] = {
  /* Action-level fields */
  { NULL, NULL, "runOrder",
    N_("Position of the action in its stage, from 1 to 999 (default 1). Actions with the same "
       "runOrder run in parallel."),
    "1", NULL },
  { NULL, NULL, "namespace",
    N_("Name under which later actions read this action's variables, as #{Namespace.Key}. "
       "Unique in the pipeline; letters, digits, @, - and _ only; not codepipeline or "
       "variables."),
    "SourceVariables", NULL },
  { NULL, NULL, "region",
    N_("Region of a cross-region action; artifactStores then needs a store in that Region. "
       "Not allowed on Source, ThirdParty or Custom actions."),
    "us-west-2", NULL },
  { NULL, NULL, "roleArn",
    N_("ARN of a role the action assumes through the pipeline role. AWS-owned actions only."),
    ROLE_EXAMPLE "my-pipeline-action", NULL },
  { NULL, NULL, "timeoutInMinutes",
    N_("Minutes a manual approval waits before it fails, from 5 to 86400 (default 7 days). "
       "Manual approval actions only."),
    "60", NULL },
  { NULL, NULL, "commands",
    N_("Shell commands a Commands action runs: 1 to 50 single-line commands of at most 1000 "
       "characters each (V2 pipelines)."),
    "npm ci", NULL },
  { NULL, NULL, "outputVariables",
    N_("Environment variables, at most 15, that a Commands action exports as its output "
       "variables (V2 pipelines)."),
    "IMAGE_TAG", NULL },
  { NULL, NULL, "environmentVariables",
    N_("Environment variables of a Commands action: at most 10 of name, value and type "
       "(PLAINTEXT or SECRETS_MANAGER)."),
    NULL, NULL },

  /* Source: CodeCommit */
  { "Source", "CodeCommit", NULL,
    N_("Starts the pipeline from a branch of a CodeCommit repository and outputs its files."),
    NULL, NULL },
  { "Source", "CodeCommit", "RepositoryName",
    N_("Name of the CodeCommit repository to check out."),
    "my-repository", NULL },
  { "Source", "CodeCommit", "BranchName",
    N_("Branch whose commits start the pipeline and are checked out."),
    "main", NULL },
  { "Source", "CodeCommit", "PollForSourceChanges",
    N_("Whether CodePipeline polls the repository for changes; \"true\" when omitted. Set "
       "\"false\" when an EventBridge rule starts the pipeline, or executions start twice."),
    NULL, booleans },
  { "Source", "CodeCommit", "OutputArtifactFormat",
    N_("CODE_ZIP (the default) outputs a ZIP of the files; CODEBUILD_CLONE_REF outputs a "
       "reference that only a later CodeBuild action can use to git clone."),
    NULL, artifact_formats },

  /* Source: CodeStarSourceConnection */
  { "Source", "CodeStarSourceConnection", NULL,
    N_("Starts the pipeline from a GitHub, GitHub Enterprise Server, Bitbucket or GitLab "
       "repository through a connection."),
    NULL, NULL },
  { "Source", "CodeStarSourceConnection", "ConnectionArn",
    N_("ARN of the connection that gives access to the repository."),
    "arn:aws:codestar-connections:us-east-1:111122223333:connection/"
    "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0", NULL },
  { "Source", "CodeStarSourceConnection", "FullRepositoryId",
    N_("The repository, as owner/repository."),
    "my-org/my-repo", NULL },
  { "Source", "CodeStarSourceConnection", "BranchName",
    N_("Branch that is checked out. Its commits start the pipeline unless a trigger is "
       "declared; manual starts always use it."),
    "main", NULL },
  { "Source", "CodeStarSourceConnection", "OutputArtifactFormat",
    N_("CODE_ZIP outputs a ZIP of the files; CODEBUILD_CLONE_REF outputs a reference that only "
       "a later CodeBuild action can use to git clone."),
    NULL, artifact_formats },
  { "Source", "CodeStarSourceConnection", "DetectChanges",
    N_("Whether commits to the branch start the pipeline automatically; \"true\" when "
       "omitted."),
    NULL, booleans },

  /* Source: S3 */
  { "Source", "S3", NULL,
    N_("Starts the pipeline from an object in an S3 bucket; the revision is the object's "
       "version ID."),
    NULL, NULL },
  { "Source", "S3", "S3Bucket",
    N_("Name of the bucket that holds the source object."),
    "my-source-bucket", NULL },
  { "Source", "S3", "S3ObjectKey",
    N_("Key of the source object in the bucket."),
    "app/source.zip", NULL },
  { "Source", "S3", "PollForSourceChanges",
    N_("Whether CodePipeline polls the object for changes; \"true\" when omitted. Set "
       "\"false\" when an EventBridge rule starts the pipeline, or executions start twice."),
    NULL, booleans },
  { "Source", "S3", "AllowOverrideForS3ObjectKey",
    N_("Lets a start-time source revision override of type S3_OBJECT_KEY replace "
       "S3ObjectKey. A newer key whose details are unverified."),
    NULL, NULL },

  /* Source: ECR */
  { "Source", "ECR", NULL,
    N_("Starts the pipeline from an image pushed to an ECR repository and outputs its "
       "imageDetail.json."),
    NULL, NULL },
  { "Source", "ECR", "RepositoryName",
    N_("Name of the ECR repository to watch."),
    "my-app", NULL },
  { "Source", "ECR", "ImageTag",
    N_("Tag of the image to watch; \"latest\" when omitted."),
    "latest", NULL },

  /* Source: GitHub version 1 */
  { "Source", "GitHub", NULL,
    N_("Starts the pipeline from a GitHub branch through an OAuth token. Legacy (version 1): "
       "prefer CodeStarSourceConnection."),
    NULL, NULL },
  { "Source", "GitHub", "Owner",
    N_("GitHub user or organization that owns the repository."),
    "my-org", NULL },
  { "Source", "GitHub", "Repo",
    N_("Name of the repository, without its owner."),
    "my-repo", NULL },
  { "Source", "GitHub", "Branch",
    N_("Branch whose commits start the pipeline and are checked out."),
    "main", NULL },
  { "Source", "GitHub", "OAuthToken",
    N_("GitHub OAuth token with access to the repository; get-pipeline returns it masked as "
       "****."),
    NULL, NULL },
  { "Source", "GitHub", "PollForSourceChanges",
    N_("Whether CodePipeline polls the repository for changes; \"true\" when omitted. Set "
       "\"false\" when a webhook starts the pipeline, or executions start twice."),
    NULL, booleans },

  /* Build and Test: CodeBuild */
  { "Build|Test", "CodeBuild", NULL,
    N_("Runs the buildspec of a CodeBuild project on the input artifacts; the outputs come "
       "from the buildspec's artifacts."),
    NULL, NULL },
  { "Build|Test", "CodeBuild", "ProjectName",
    N_("Name of the CodeBuild project to run."),
    "my-build-project", NULL },
  { "Build|Test", "CodeBuild", "PrimarySource",
    N_("Input artifact the buildspec runs in; required with more than one input. The other "
       "inputs are in CODEBUILD_SRC_DIR_<ArtifactName>."),
    "SourceOutput", NULL },
  { "Build|Test", "CodeBuild", "EnvironmentVariables",
    N_("JSON array string of {\"name\", \"value\", \"type\"}, type PLAINTEXT (default), "
       "PARAMETER_STORE or SECRETS_MANAGER; at most 1000 characters. Overrides project and "
       "buildspec variables."),
    "[{\"name\":\"STAGE\",\"value\":\"prod\",\"type\":\"PLAINTEXT\"}]", NULL },
  { "Build|Test", "CodeBuild", "BatchEnabled",
    N_("\"true\" runs the project as a batch build; \"false\" runs a single build."),
    NULL, booleans },
  { "Build|Test", "CodeBuild", "CombineArtifacts",
    N_("Combines the artifacts of a batch build into one output artifact; needs BatchEnabled "
       "\"true\"."),
    NULL, NULL },

  /* Build: ECRBuildAndPublish (not detailed by the reference) */
  { "Build", "ECRBuildAndPublish", NULL,
    N_("Builds a Docker image from the input artifact and pushes it to an ECR repository."),
    NULL, NULL },
  { "Build", "ECRBuildAndPublish", "ECRRepositoryName",
    N_("Name of the ECR repository the image is pushed to."),
    "my-app", NULL },
  { "Build", "ECRBuildAndPublish", "DockerFilePath",
    N_("Location of the Dockerfile in the input artifact."),
    NULL, NULL },
  { "Build", "ECRBuildAndPublish", "ImageTags",
    N_("Tags given to the pushed image."),
    NULL, NULL },
  { "Build", "ECRBuildAndPublish", "RegistryType",
    N_("Whether the ECR repository is a private or a public registry."),
    NULL, NULL },

  /* Test: DeviceFarm */
  { "Test", "DeviceFarm", NULL,
    N_("Tests an app on the devices of an AWS Device Farm device pool."),
    NULL, NULL },
  { "Test", "DeviceFarm", "AppType",
    N_("Platform of the app: iOS, Android or Web."),
    NULL, app_types },
  { "Test", "DeviceFarm", "ProjectId",
    N_("ID of the Device Farm project that runs the tests."),
    NULL, NULL },
  { "Test", "DeviceFarm", "App",
    N_("Name and path of the app file in the input artifact."),
    "app-release.apk", NULL },
  { "Test", "DeviceFarm", "DevicePoolArn",
    N_("ARN of the Device Farm device pool the tests run on."),
    NULL, NULL },
  { "Test", "DeviceFarm", "TestType",
    N_("Kind of test to run, as Device Farm names it."),
    NULL, NULL },
  { "Test", "DeviceFarm", "AppiumVersion",
    N_("Appium version for Appium tests. AWS lists it as required but ignores it."),
    NULL, NULL },
  { "Test", "DeviceFarm", "Test",
    N_("Name and path of the test package in the input artifact."),
    NULL, NULL },
  { "Test", "DeviceFarm", "RadioBluetoothEnabled",
    N_("Whether Bluetooth is on during the tests."),
    NULL, NULL },
  { "Test", "DeviceFarm", "RadioWifiEnabled",
    N_("Whether Wi-Fi is on during the tests."),
    NULL, NULL },
  { "Test", "DeviceFarm", "RadioNfcEnabled",
    N_("Whether NFC is on during the tests."),
    NULL, NULL },
  { "Test", "DeviceFarm", "RadioGpsEnabled",
    N_("Whether GPS is on during the tests."),
    NULL, NULL },
  { "Test", "DeviceFarm", "RecordAppPerformanceData",
    N_("Whether app performance data is recorded during the tests."),
    NULL, NULL },
  { "Test", "DeviceFarm", "RecordVideo",
    N_("Whether a video of the tests is recorded."),
    NULL, NULL },
  { "Test", "DeviceFarm", "FuzzEventCount",
    N_("Number of user interface events the built-in fuzz test sends, from 1 to 10000."),
    "6000", NULL },
  { "Test", "DeviceFarm", "FuzzEventThrottle",
    N_("Milliseconds the built-in fuzz test waits between events, from 1 to 1000."),
    "50", NULL },
  { "Test", "DeviceFarm", "FuzzRandomizerSeed",
    N_("Seed of the built-in fuzz test's random events, to repeat a run."),
    "1234", NULL },
  { "Test", "DeviceFarm", "CustomHostMachineArtifacts",
    N_("Location on the test host where custom artifacts are saved."),
    NULL, NULL },
  { "Test", "DeviceFarm", "CustomDeviceArtifacts",
    N_("Location on the device where custom artifacts are saved."),
    NULL, NULL },
  { "Test", "DeviceFarm", "UnmeteredDevicesOnly",
    N_("Whether only unmetered devices run the tests."),
    NULL, NULL },
  { "Test", "DeviceFarm", "JobTimeoutMinutes",
    N_("Minutes the test run may take on each device."),
    "60", NULL },
  { "Test", "DeviceFarm", "Latitude",
    N_("Latitude the devices report during the tests."),
    "47.6204", NULL },
  { "Test", "DeviceFarm", "Longitude",
    N_("Longitude the devices report during the tests."),
    "-122.3491", NULL },

  /* Deploy: CodeDeploy */
  { "Deploy", "CodeDeploy", NULL,
    N_("Deploys the input artifact with CodeDeploy to EC2 or on-premises instances, or to "
       "Lambda."),
    NULL, NULL },
  { "Deploy", "CodeDeploy", "ApplicationName",
    N_("Name of the CodeDeploy application."),
    "my-application", NULL },
  { "Deploy", "CodeDeploy", "DeploymentGroupName",
    N_("Name of the application's deployment group to deploy to."),
    "production", NULL },

  /* Deploy: CloudFormation */
  { "Deploy", "CloudFormation", NULL,
    N_("Creates, updates or deletes a CloudFormation stack, or creates or executes a change "
       "set."),
    NULL, NULL },
  { "Deploy", "CloudFormation", "ActionMode",
    N_("What the action does: CREATE_UPDATE, REPLACE_ON_FAILURE (also recreates a failed "
       "stack), DELETE_ONLY, CHANGE_SET_REPLACE or CHANGE_SET_EXECUTE."),
    NULL, action_modes },
  { "Deploy", "CloudFormation", "StackName",
    N_("Name of the stack."),
    "my-stack", NULL },
  { "Deploy", "CloudFormation", "TemplatePath",
    N_("The template, as ArtifactName::path with one of the action's input artifacts. Needed "
       "by CREATE_UPDATE, REPLACE_ON_FAILURE and CHANGE_SET_REPLACE."),
    "BuildOutput::template.yml", NULL },
  { "Deploy", "CloudFormation", "RoleArn",
    N_("ARN of the role CloudFormation uses to change the stack. Needed by every mode but "
       "CHANGE_SET_EXECUTE."),
    ROLE_EXAMPLE "my-cloudformation-role", NULL },
  { "Deploy", "CloudFormation", "ChangeSetName",
    N_("Name of the change set. Needed by CHANGE_SET_REPLACE and CHANGE_SET_EXECUTE."),
    "my-stack-changes", NULL },
  { "Deploy", "CloudFormation", "Capabilities",
    N_("Comma-separated, without spaces: CAPABILITY_IAM, CAPABILITY_NAMED_IAM, "
       "CAPABILITY_AUTO_EXPAND. Needed when the template creates IAM resources or uses "
       "macros."),
    "CAPABILITY_IAM,CAPABILITY_AUTO_EXPAND", NULL },
  { "Deploy", "CloudFormation", "OutputFileName",
    N_("JSON file of the stack outputs written to the output artifact; without it the action "
       "has no output artifact."),
    "outputs.json", NULL },
  { "Deploy", "CloudFormation", "ParameterOverrides",
    N_("JSON object string of template parameter values, at most 1 KB; may use Fn::GetParam "
       "and Fn::GetArtifactAtt. Every name must exist in the template."),
    "{\"Environment\":\"prod\"}", NULL },
  { "Deploy", "CloudFormation", "TemplateConfiguration",
    N_("A template configuration file, as ArtifactName::path with one of the action's input "
       "artifacts."),
    "BuildOutput::prod-configuration.json", NULL },

  /* Deploy: CloudFormationStackSet */
  { "Deploy", "CloudFormationStackSet", NULL,
    N_("Creates or updates a CloudFormation StackSet from a template in an input artifact."),
    NULL, NULL },
  { "Deploy", "CloudFormationStackSet", "StackSetName",
    N_("Name of the StackSet."),
    "my-stack-set", NULL },
  { "Deploy", "CloudFormationStackSet", "TemplatePath",
    N_("The template, as ArtifactName::path with one of the action's input artifacts; at most "
       "460,800 bytes."),
    "BuildOutput::stack-set.yml", NULL },
  { "Deploy", "CloudFormationStackSet", "Description",
    N_("Description of the StackSet."),
    NULL, NULL },
  { "Deploy", "CloudFormationStackSet", "Parameters",
    N_("Parameter values of the StackSet's template."),
    NULL, NULL },
  { "Deploy", "CloudFormationStackSet", "Capabilities",
    N_("Comma-separated, without spaces: CAPABILITY_IAM, CAPABILITY_NAMED_IAM, "
       "CAPABILITY_AUTO_EXPAND. Needed when the template creates IAM resources or uses "
       "macros."),
    "CAPABILITY_NAMED_IAM", NULL },
  { "Deploy", "CloudFormationStackSet", "PermissionModel",
    N_("How the StackSet gets its permissions: SELF_MANAGED (the default) or "
       "SERVICE_MANAGED."),
    NULL, permission_models },
  { "Deploy", "CloudFormationStackSet", "AdministrationRoleArn",
    N_("ARN of the role that administers the StackSet."),
    ROLE_EXAMPLE "AWSCloudFormationStackSetAdministrationRole", NULL },
  { "Deploy", "CloudFormationStackSet", "ExecutionRoleName",
    N_("Name of the role the StackSet uses in each target account."),
    "AWSCloudFormationStackSetExecutionRole", NULL },
  { "Deploy", "CloudFormationStackSet", "OrganizationsAutoDeployment",
    N_("Automatic deployment to accounts added to the organization: Enabled, Disabled or "
       "EnabledWithStackRetention."),
    NULL, auto_deployments },
  { "Deploy", "CloudFormationStackSet", "DeploymentTargets",
    N_("Accounts or organizational units that get stack instances; needs Regions."),
    "111122223333,444455556666", NULL },
  { "Deploy", "CloudFormationStackSet", "Regions",
    N_("Comma-separated Regions that get stack instances; required with DeploymentTargets."),
    "us-east-1,eu-west-1", NULL },
  { "Deploy", "CloudFormationStackSet", "FailureTolerancePercentage",
    N_("Percentage of stack operations that may fail before the operation stops."),
    "10", NULL },
  { "Deploy", "CloudFormationStackSet", "MaxConcurrentPercentage",
    N_("Percentage of stack operations run at the same time."),
    "25", NULL },

  /* Deploy: CloudFormationStackInstances */
  { "Deploy", "CloudFormationStackInstances", NULL,
    N_("Creates or updates the stack instances of an existing CloudFormation StackSet."),
    NULL, NULL },
  { "Deploy", "CloudFormationStackInstances", "StackSetName",
    N_("Name of the StackSet whose instances are deployed."),
    "my-stack-set", NULL },
  { "Deploy", "CloudFormationStackInstances", "Regions",
    N_("Comma-separated Regions that get stack instances."),
    "us-east-1,eu-west-1", NULL },
  { "Deploy", "CloudFormationStackInstances", "DeploymentTargets",
    N_("Accounts or organizational units that get stack instances."),
    "111122223333,444455556666", NULL },
  { "Deploy", "CloudFormationStackInstances", "ParameterOverrides",
    N_("Parameter values for these stack instances, overriding the StackSet's."),
    NULL, NULL },
  { "Deploy", "CloudFormationStackInstances", "FailureTolerancePercentage",
    N_("Percentage of stack operations that may fail before the operation stops."),
    "10", NULL },
  { "Deploy", "CloudFormationStackInstances", "MaxConcurrentPercentage",
    N_("Percentage of stack operations run at the same time."),
    "25", NULL },

  /* Deploy: ECS */
  { "Deploy", "ECS", NULL,
    N_("Deploys new container images to an ECS service with a rolling update."),
    NULL, NULL },
  { "Deploy", "ECS", "ClusterName",
    N_("Name of the ECS cluster."),
    "my-cluster", NULL },
  { "Deploy", "ECS", "ServiceName",
    N_("Name of the ECS service to update."),
    "my-service", NULL },
  { "Deploy", "ECS", "FileName",
    N_("Image definitions file in the input artifact, a JSON array of {\"name\", "
       "\"imageUri\"} of at most 100 KB; imagedefinitions.json when omitted."),
    "imagedefinitions.json", NULL },
  { "Deploy", "ECS", "DeploymentTimeout",
    N_("Minutes the deployment may take, at most 60."),
    "15", NULL },

  /* Deploy: CodeDeployToECS */
  { "Deploy", "CodeDeployToECS", NULL,
    N_("Deploys to an ECS service with a blue/green deployment through CodeDeploy."),
    NULL, NULL },
  { "Deploy", "CodeDeployToECS", "ApplicationName",
    N_("Name of the CodeDeploy application."),
    "my-application", NULL },
  { "Deploy", "CodeDeployToECS", "DeploymentGroupName",
    N_("Name of the application's deployment group to deploy to."),
    "production", NULL },
  { "Deploy", "CodeDeployToECS", "TaskDefinitionTemplateArtifact",
    N_("Input artifact holding the task definition template."),
    "SourceOutput", NULL },
  { "Deploy", "CodeDeployToECS", "AppSpecTemplateArtifact",
    N_("Input artifact holding the AppSpec file."),
    "SourceOutput", NULL },
  { "Deploy", "CodeDeployToECS", "TaskDefinitionTemplatePath",
    N_("Path of the task definition template in its artifact; taskdef.json when omitted. "
       "Its <IMAGE1_NAME>…<IMAGE4_NAME> placeholders receive the images."),
    "taskdef.json", NULL },
  { "Deploy", "CodeDeployToECS", "AppSpecTemplatePath",
    N_("Path of the AppSpec file in its artifact; appspec.yaml when omitted. Its "
       "TaskDefinition value is the <TASK_DEFINITION> placeholder."),
    "appspec.yaml", NULL },
  { "Deploy", "CodeDeployToECS", "Image1ArtifactName",
    N_("Input artifact whose imageDetail.json gives the first image."),
    "ImageOutput", NULL },
  { "Deploy", "CodeDeployToECS", "Image1ContainerName",
    N_("Placeholder of the first image in the task definition template."),
    "IMAGE1_NAME", NULL },
  { "Deploy", "CodeDeployToECS", "Image2ArtifactName",
    N_("Input artifact whose imageDetail.json gives the second image."),
    NULL, NULL },
  { "Deploy", "CodeDeployToECS", "Image2ContainerName",
    N_("Placeholder of the second image in the task definition template."),
    "IMAGE2_NAME", NULL },
  { "Deploy", "CodeDeployToECS", "Image3ArtifactName",
    N_("Input artifact whose imageDetail.json gives the third image."),
    NULL, NULL },
  { "Deploy", "CodeDeployToECS", "Image3ContainerName",
    N_("Placeholder of the third image in the task definition template."),
    "IMAGE3_NAME", NULL },
  { "Deploy", "CodeDeployToECS", "Image4ArtifactName",
    N_("Input artifact whose imageDetail.json gives the fourth image."),
    NULL, NULL },
  { "Deploy", "CodeDeployToECS", "Image4ContainerName",
    N_("Placeholder of the fourth image in the task definition template."),
    "IMAGE4_NAME", NULL },

  /* Deploy: ElasticBeanstalk */
  { "Deploy", "ElasticBeanstalk", NULL,
    N_("Deploys the input artifact to an Elastic Beanstalk environment."),
    NULL, NULL },
  { "Deploy", "ElasticBeanstalk", "ApplicationName",
    N_("Name of the Elastic Beanstalk application."),
    "my-application", NULL },
  { "Deploy", "ElasticBeanstalk", "EnvironmentName",
    N_("Name of the environment to deploy to."),
    "my-application-prod", NULL },

  /* Deploy: S3 */
  { "Deploy", "S3", NULL,
    N_("Copies the input artifact to an S3 bucket, as its files or as one ZIP object."),
    NULL, NULL },
  { "Deploy", "S3", "BucketName",
    N_("Name of the bucket to deploy to."),
    "my-website-bucket", NULL },
  { "Deploy", "S3", "Extract",
    N_("\"true\" extracts the artifact's files into the bucket; \"false\" uploads the ZIP as "
       "ObjectKey."),
    NULL, booleans },
  { "Deploy", "S3", "ObjectKey",
    N_("Key of the uploaded ZIP object; required when Extract is \"false\"."),
    "releases/app.zip", NULL },
  { "Deploy", "S3", "KMSEncryptionKeyARN",
    N_("ARN of the KMS key that encrypts the deployed objects."),
    KMS_EXAMPLE, NULL },
  { "Deploy", "S3", "CannedACL",
    N_("Canned ACL given to the deployed objects."),
    "public-read", NULL },
  { "Deploy", "S3", "CacheControl",
    N_("Cache-Control header of the deployed objects."),
    "public, max-age=3600", NULL },

  /* Deploy: ServiceCatalog */
  { "Deploy", "ServiceCatalog", NULL,
    N_("Publishes a new version of a Service Catalog product from the input artifact."),
    NULL, NULL },
  { "Deploy", "ServiceCatalog", "ProductId",
    N_("ID of the Service Catalog product."),
    NULL, NULL },
  { "Deploy", "ServiceCatalog", "TemplateFilePath",
    N_("Path of the product template in the input artifact; goes with ProductVersionName and "
       "ProductType, unless ConfigurationFilePath is used."),
    "template.yml", NULL },
  { "Deploy", "ServiceCatalog", "ProductVersionName",
    N_("Name of the new product version; goes with TemplateFilePath."),
    "v1.2.0", NULL },
  { "Deploy", "ServiceCatalog", "ProductType",
    N_("Type of the product, CLOUD_FORMATION_TEMPLATE; goes with TemplateFilePath."),
    NULL, product_types },
  { "Deploy", "ServiceCatalog", "ConfigurationFilePath",
    N_("Path of a configuration file in the input artifact, instead of TemplateFilePath, "
       "ProductVersionName and ProductType."),
    "product-configuration.json", NULL },
  { "Deploy", "ServiceCatalog", "ProductVersionDescription",
    N_("Description of the new product version."),
    NULL, NULL },

  /* Deploy: AppConfig */
  { "Deploy", "AppConfig", NULL,
    N_("Deploys a configuration from the input artifact with AWS AppConfig."),
    NULL, NULL },
  { "Deploy", "AppConfig", "Application",
    N_("The AppConfig application."),
    NULL, NULL },
  { "Deploy", "AppConfig", "Environment",
    N_("The AppConfig environment to deploy to."),
    NULL, NULL },
  { "Deploy", "AppConfig", "ConfigurationProfile",
    N_("The configuration profile to deploy."),
    NULL, NULL },
  { "Deploy", "AppConfig", "InputArtifactConfigurationPath",
    N_("Path of the configuration file in the input artifact."),
    "config/settings.json", NULL },
  { "Deploy", "AppConfig", "DeploymentStrategy",
    N_("The AppConfig deployment strategy to use."),
    NULL, NULL },

  /* Deploy: OpsWorks (legacy, keys unverified) */
  { "Deploy", "OpsWorks", NULL,
    N_("Deploys the input artifact to an OpsWorks stack (legacy)."),
    NULL, NULL },
  { "Deploy", "OpsWorks", "Stack",
    N_("The OpsWorks stack to deploy to."),
    NULL, NULL },
  { "Deploy", "OpsWorks", "App",
    N_("The OpsWorks app to deploy."),
    NULL, NULL },
  { "Deploy", "OpsWorks", "Layer",
    N_("The layer of the stack to deploy to."),
    NULL, NULL },

  /* Deploy: AlexaSkillsKit (legacy) */
  { "Deploy", "AlexaSkillsKit", NULL,
    N_("Deploys an Alexa skill from the input artifacts (legacy)."),
    NULL, NULL },
  { "Deploy", "AlexaSkillsKit", "ClientId",
    N_("Client ID used to deploy the skill."),
    NULL, NULL },
  { "Deploy", "AlexaSkillsKit", "ClientSecret",
    N_("Client secret that goes with ClientId."),
    NULL, NULL },
  { "Deploy", "AlexaSkillsKit", "RefreshToken",
    N_("Refresh token that authorizes deploying the skill."),
    NULL, NULL },
  { "Deploy", "AlexaSkillsKit", "SkillId",
    N_("ID of the Alexa skill to deploy."),
    NULL, NULL },

  /* Approval: Manual */
  { "Approval", "Manual", NULL,
    N_("Pauses the stage until someone approves or rejects, or until it times out (after 7 "
       "days unless timeoutInMinutes says otherwise)."),
    NULL, NULL },
  { "Approval", "Manual", "NotificationArn",
    N_("ARN of an SNS topic, in the pipeline's Region, told when an approval is waiting."),
    "arn:aws:sns:us-east-1:111122223333:pipeline-approvals", NULL },
  { "Approval", "Manual", "ExternalEntityLink",
    N_("URL for the reviewer to look at; may use variables."),
    "https://staging.example.com", NULL },
  { "Approval", "Manual", "CustomData",
    N_("Comment shown to the reviewer; may use variables such as "
       "#{SourceVariables.CommitId}."),
    "Release #{SourceVariables.CommitId}?", NULL },

  /* Invoke: Lambda */
  { "Invoke", "Lambda", NULL,
    N_("Invokes a Lambda function, which reports its result with PutJobSuccessResult or "
       "PutJobFailureResult."),
    NULL, NULL },
  { "Invoke", "Lambda", "FunctionName",
    N_("Name of the Lambda function to invoke."),
    "my-function", NULL },
  { "Invoke", "Lambda", "UserParameters",
    N_("Free text passed to the function in the job's action configuration."),
    "https://staging.example.com/health", NULL },

  /* Invoke: StepFunctions */
  { "Invoke", "StepFunctions", NULL,
    N_("Starts an execution of a Step Functions state machine."),
    NULL, NULL },
  { "Invoke", "StepFunctions", "StateMachineArn",
    N_("ARN of the state machine."),
    "arn:aws:states:us-east-1:111122223333:stateMachine:my-state-machine", NULL },
  { "Invoke", "StepFunctions", "ExecutionNamePrefix",
    N_("Prefix of the execution name, which becomes prefix-actionExecutionId; without it the "
       "name is the action execution ID."),
    "release", NULL },
  { "Invoke", "StepFunctions", "InputType",
    N_("Literal (the default): Input is the execution input. FilePath: Input names a file in "
       "the input artifact."),
    NULL, input_types },
  { "Invoke", "StepFunctions", "Input",
    N_("The execution input, or with InputType FilePath (where it is required) the path of "
       "a file in the input artifact."),
    "{\"environment\":\"prod\"}", NULL },

  /* Invoke: InspectorScan (not detailed by the reference) */
  { "Invoke", "InspectorScan", NULL,
    N_("Scans source code or an ECR image for vulnerabilities with Amazon Inspector."),
    NULL, NULL },
  { "Invoke", "InspectorScan", "InspectorRunMode",
    N_("What to scan: the source code in the input artifact or an ECR image."),
    NULL, NULL },
  { "Invoke", "InspectorScan", "ECRRepositoryName",
    N_("Name of the ECR repository of the image to scan."),
    "my-app", NULL },
  { "Invoke", "InspectorScan", "ImageTag",
    N_("Tag of the image to scan."),
    "latest", NULL },
  { "Invoke", "InspectorScan", "SourcePath",
    N_("Path of the source code to scan in the input artifact."),
    NULL, NULL },
  { "Invoke", "InspectorScan", "CriticalThreshold",
    N_("Number of critical vulnerabilities the scan tolerates before the action fails."),
    NULL, NULL },
  { "Invoke", "InspectorScan", "HighThreshold",
    N_("Number of high-severity vulnerabilities the scan tolerates before the action fails."),
    NULL, NULL },
  { "Invoke", "InspectorScan", "MediumThreshold",
    N_("Number of medium-severity vulnerabilities the scan tolerates before the action "
       "fails."),
    NULL, NULL },
  { "Invoke", "InspectorScan", "LowThreshold",
    N_("Number of low-severity vulnerabilities the scan tolerates before the action fails."),
    NULL, NULL },

  /* Deploy: EC2, EKS; Invoke: CodePipeline (the user guide's action
   * references; V2 pipelines only) */
  { "Deploy", "EC2", NULL,
    N_("Deploys the input artifact to Linux EC2 instances or SSM-managed nodes chosen by a "
       "tag, running scripts before and after (V2 pipelines only)."),
    NULL, NULL },
  { "Deploy", "EC2", "InstanceTagKey",
    N_("Tag key of the instances to deploy to, such as Name."),
    "Name", NULL },
  { "Deploy", "EC2", "InstanceTagValue",
    N_("Tag value of the instances; every instance with the tag key when omitted."),
    "my-instances", NULL },
  { "Deploy", "EC2", "InstanceType",
    N_("EC2 for instances, SSM_MANAGED_NODE for SSM-managed nodes; each runs the SSM agent."),
    NULL, ec2_instance_types },
  { "Deploy", "EC2", "TargetDirectory",
    N_("Folder on the instances the artifact is copied to (with scripts; or use DeploySpec)."),
    "/home/ec2-user/deploy", NULL },
  { "Deploy", "EC2", "DeploySpec",
    N_("Path of a deploy spec file in the input artifact, instead of TargetDirectory and scripts."),
    "deployspec.yaml", NULL },
  { "Deploy", "EC2", "MaxBatch",
    N_("How many instances (a number or a percentage) deploy at once."),
    "50%", NULL },
  { "Deploy", "EC2", "MaxError",
    N_("How many instances (a number or a percentage) may fail before the deployment stops."),
    "10%", NULL },
  { "Deploy", "EC2", "TargetGroupNameList",
    N_("Load balancer target groups the instances leave during their deployment, comma-separated."),
    "my-targets", NULL },
  { "Deploy", "EC2", "PreScript",
    N_("Script in the input artifact run before the files are copied."),
    "scripts/pre-deploy.sh", NULL },
  { "Deploy", "EC2", "PostScript",
    N_("Script in the input artifact run after the files are copied."),
    "scripts/post-deploy.sh", NULL },
  { "Deploy", "EKS", NULL,
    N_("Deploys to an Amazon EKS cluster with a Helm chart or Kubernetes manifests (V2 "
       "pipelines only)."),
    NULL, NULL },
  { "Deploy", "EKS", "ClusterName",
    N_("Name of the EKS cluster."),
    "my-cluster", NULL },
  { "Deploy", "EKS", "HelmChartLocation",
    N_("Path of the Helm chart in the input artifact."),
    "charts/app", NULL },
  { "Deploy", "EKS", "HelmReleaseName",
    N_("Name of the Helm release."),
    "my-app", NULL },
  { "Deploy", "EKS", "HelmValuesFiles",
    N_("Helm values files in the input artifact, comma-separated."),
    "values.yaml", NULL },
  { "Deploy", "EKS", "ManifestFiles",
    N_("Kubernetes manifest files in the input artifact, comma-separated (instead of Helm)."),
    "k8s/deployment.yaml", NULL },
  { "Deploy", "EKS", "Namespace",
    N_("Kubernetes namespace to deploy into."),
    "default", NULL },
  { "Deploy", "EKS", "SubnetIds",
    N_("Subnets for a private cluster's endpoint, comma-separated."),
    NULL, NULL },
  { "Deploy", "EKS", "SecurityGroupIds",
    N_("Security groups for a private cluster's endpoint, comma-separated."),
    NULL, NULL },
  { "Invoke", "CodePipeline", NULL,
    N_("Starts an execution of another pipeline, passing it variables and source revisions "
       "(V2 pipelines only)."),
    NULL, NULL },
  { "Invoke", "CodePipeline", "PipelineName",
    N_("Name of the pipeline to start."),
    "downstream-release", NULL },
  { "Invoke", "CodePipeline", "SourceRevisions",
    N_("JSON array of source revision overrides for the started execution: actionName, "
       "revisionType, revisionValue."),
    "[{\"actionName\":\"Source\",\"revisionType\":\"COMMIT_ID\",\"revisionValue\":\"#{SourceVariables.CommitId}\"}]",
    NULL },
  { "Invoke", "CodePipeline", "Variables",
    N_("JSON array of the started execution's pipeline variables: name and value."),
    "[{\"name\":\"Version\",\"value\":\"#{BuildVariables.VERSION}\"}]", NULL },

  /* Compute: Commands (its settings are action-level fields) */
  { "Compute", "Commands", NULL,
    N_("Runs shell commands on the input artifacts (V2 pipelines only); the commands are the "
       "action's commands field."),
    NULL, NULL },
};

static gboolean
category_matches (const char *categories,
                  const char *category)
{
  gsize len = strlen (category);
  const char *p = categories;

  while (p != NULL)
    {
      if (strncmp (p, category, len) == 0 && (p[len] == '|' || p[len] == '\0'))
        return TRUE;

      p = strchr (p, '|');
      if (p != NULL)
        p++;
    }

  return FALSE;
}

/* The row for (@category, @provider, @key); a NULL @category matches the
 * provider in any category, a NULL @provider means an action-level field and
 * a NULL @key the provider itself. */
static const KeyDoc *
lookup (const char *category,
        const char *provider,
        const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (docs); i++)
    {
      const KeyDoc *d = &docs[i];

      if (g_strcmp0 (d->key, key) != 0 || g_strcmp0 (d->provider, provider) != 0)
        continue;

      if (provider != NULL && category != NULL && !category_matches (d->category, category))
        continue;

      return d;
    }

  return NULL;
}

/**
 * pw_provider_key_doc:
 * @category: (nullable): the action category, to tell S3 Source from S3 Deploy
 * @provider: (nullable): the provider, or %NULL for an action-level field
 *   (`runOrder`, `namespace`, …)
 * @key: the configuration key or action field
 *
 * Returns: (nullable): a short translated description of @key, %NULL if unknown
 */
const char *
pw_provider_key_doc (const char *category,
                     const char *provider,
                     const char *key)
{
  const KeyDoc *d;

  g_return_val_if_fail (key != NULL, NULL);

  d = lookup (category, provider, key);

  return d != NULL ? g_dgettext (GETTEXT_PACKAGE, d->doc) : NULL;
}

/**
 * pw_provider_key_example:
 *
 * Returns: (nullable): an example value of @key for a placeholder, or %NULL
 */
const char *
pw_provider_key_example (const char *category,
                         const char *provider,
                         const char *key)
{
  const KeyDoc *d;

  g_return_val_if_fail (key != NULL, NULL);

  d = lookup (category, provider, key);

  return d != NULL ? d->example : NULL;
}

/**
 * pw_provider_key_choices:
 *
 * Returns: (nullable) (array zero-terminated=1): the closed set of values
 *   @key takes, or %NULL when its value is free text
 */
const char * const *
pw_provider_key_choices (const char *category,
                         const char *provider,
                         const char *key)
{
  const KeyDoc *d;

  g_return_val_if_fail (key != NULL, NULL);

  d = lookup (category, provider, key);

  return d != NULL ? d->choices : NULL;
}

/**
 * pw_provider_doc:
 *
 * Returns: (nullable): one translated sentence describing @provider, %NULL
 *   if unknown
 */
const char *
pw_provider_doc (const char *category,
                 const char *provider)
{
  const KeyDoc *d;

  g_return_val_if_fail (provider != NULL, NULL);

  d = lookup (category, provider, NULL);

  return d != NULL ? g_dgettext (GETTEXT_PACKAGE, d->doc) : NULL;
}
