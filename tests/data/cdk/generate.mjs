#!/usr/bin/env node
// Synthesizes a corpus of real AWS CDK CloudFormation templates that contain
// AWS::CodePipeline::Pipeline resources, for Pipewright's import and
// round-trip tests.  No cdk CLI is needed: the App is synthesized in-process.
//
// Usage (see README.md):
//   mkdir -p /tmp/cdkgen && cd /tmp/cdkgen
//   npm install aws-cdk-lib@2.276.0 constructs@10.8.1
//   node /path/to/pipewright/tests/data/cdk/generate.mjs
//
// Modules are resolved from the current working directory (where
// node_modules lives), so node_modules never has to exist inside the repo.
// Templates are written next to this script unless an output directory is
// given as the first argument.

import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(path.join(process.cwd(), 'generate-resolver.js'));
const cdk = require('aws-cdk-lib');
const cxapi = require('aws-cdk-lib/cx-api');
const codepipeline = require('aws-cdk-lib/aws-codepipeline');
const actions = require('aws-cdk-lib/aws-codepipeline-actions');
const codebuild = require('aws-cdk-lib/aws-codebuild');
const codecommit = require('aws-cdk-lib/aws-codecommit');
const codedeploy = require('aws-cdk-lib/aws-codedeploy');
const s3 = require('aws-cdk-lib/aws-s3');
const kms = require('aws-cdk-lib/aws-kms');
const iam = require('aws-cdk-lib/aws-iam');
const sns = require('aws-cdk-lib/aws-sns');
const ecr = require('aws-cdk-lib/aws-ecr');
const ecs = require('aws-cdk-lib/aws-ecs');
const ec2 = require('aws-cdk-lib/aws-ec2');
const lambda = require('aws-cdk-lib/aws-lambda');
const sfn = require('aws-cdk-lib/aws-stepfunctions');
const cloudwatch = require('aws-cdk-lib/aws-cloudwatch');
const elasticbeanstalk = require('aws-cdk-lib/aws-elasticbeanstalk');
const targets = require('aws-cdk-lib/aws-events-targets');
const pipelines = require('aws-cdk-lib/pipelines');

const EXPECTED_CDK_VERSION = '2.276.0';
const cdkVersion = require('aws-cdk-lib/package.json').version;
if (cdkVersion !== EXPECTED_CDK_VERSION) {
  console.warn(`warning: aws-cdk-lib ${cdkVersion} installed, corpus was generated with ${EXPECTED_CDK_VERSION}; output will differ`);
}

const scriptDir = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(process.argv[2] ?? scriptDir);

const ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '444455556666';
const REGION = 'us-east-1';
const env = { account: ACCOUNT, region: REGION };
const CONNECTION_ARN = `arn:aws:codeconnections:${REGION}:${ACCOUNT}:connection/0c2f5c6e-8a7b-4d1e-9f3a-1b2c3d4e5f60`;

// ---------------------------------------------------------------------------
// Small helpers shared by several stacks

function buildProject(scope, id, props = {}) {
  return new codebuild.PipelineProject(scope, id, {
    environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0 },
    buildSpec: codebuild.BuildSpec.fromObject({
      version: '0.2',
      phases: { build: { commands: props.commands ?? ['make', 'make check'] } },
      artifacts: props.artifacts ?? { files: ['**/*'] },
      ...(props.extra ?? {}),
    }),
    ...(props.projectProps ?? {}),
  });
}

function tinyFunction(scope, id, body = 'return {};') {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(`exports.handler = async (event) => { ${body} };`),
    timeout: cdk.Duration.seconds(30),
  });
}

function codeCommitSource(scope, output, props = {}) {
  const repo = new codecommit.Repository(scope, props.id ?? 'CodeCommitRepo', {
    repositoryName: props.repositoryName ?? 'pipewright-sample',
  });
  return new actions.CodeCommitSourceAction({
    actionName: 'Source',
    repository: repo,
    branch: props.branch ?? 'main',
    output,
    variablesNamespace: props.variablesNamespace,
    trigger: props.trigger,
    codeBuildCloneOutput: props.codeBuildCloneOutput,
  });
}

function connectionSource(output, props = {}) {
  return new actions.CodeStarConnectionsSourceAction({
    actionName: props.actionName ?? 'GitHub',
    connectionArn: CONNECTION_ARN,
    owner: props.owner ?? 'acme',
    repo: props.repo ?? 'web-app',
    branch: props.branch ?? 'main',
    output,
    codeBuildCloneOutput: props.codeBuildCloneOutput,
    triggerOnPush: props.triggerOnPush,
    variablesNamespace: props.variablesNamespace,
  });
}

// ---------------------------------------------------------------------------
// Scenarios.  Each entry: [stack id (= file name), description, builder]

const scenarios = [];
function scenario(name, description, build) {
  scenarios.push({ name, description, build });
}

scenario('codecommit-codebuild-codedeploy-server',
  'CodeCommit -> CodeBuild -> CodeDeploy EC2/on-prem deployment group, V1, KMS artifact key',
  (stack) => {
    const src = new codepipeline.Artifact('SourceArtifact');
    const built = new codepipeline.Artifact('BuildArtifact');
    const app = new codedeploy.ServerApplication(stack, 'App', { applicationName: 'web-server' });
    const group = new codedeploy.ServerDeploymentGroup(stack, 'Group', {
      application: app,
      deploymentGroupName: 'web-server-prod',
      deploymentConfig: codedeploy.ServerDeploymentConfig.HALF_AT_A_TIME,
      ec2InstanceTags: new codedeploy.InstanceTagSet({ Role: ['web'], Env: ['prod'] }),
      installAgent: true,
      autoRollback: { failedDeployment: true, stoppedDeployment: true },
    });
    new codepipeline.Pipeline(stack, 'Pipeline', {
      pipelineName: 'codecommit-codebuild-codedeploy',
      pipelineType: codepipeline.PipelineType.V1,
      crossAccountKeys: true,
      enableKeyRotation: true,
      stages: [
        { stageName: 'Source', actions: [codeCommitSource(stack, src, { trigger: actions.CodeCommitTrigger.EVENTS })] },
        { stageName: 'Build', actions: [new actions.CodeBuildAction({ actionName: 'Build', project: buildProject(stack, 'Build'), input: src, outputs: [built] })] },
        { stageName: 'Deploy', actions: [new actions.CodeDeployServerDeployAction({ actionName: 'Deploy', deploymentGroup: group, input: built })] },
      ],
    });
  });

scenario('github-connections-triggers-queued',
  'V2, CodeStar connection source, push (branches/filePaths, tags) + pull-request triggers, variables, QUEUED',
  (stack) => {
    const src = new codepipeline.Artifact('Source');
    const built = new codepipeline.Artifact('Build');
    const source = connectionSource(src, { variablesNamespace: 'SourceVariables', triggerOnPush: true });
    const deployEnv = new codepipeline.Variable({ variableName: 'DeployEnv', description: 'Target environment', defaultValue: 'staging' });
    const logLevel = new codepipeline.Variable({ variableName: 'LogLevel', defaultValue: 'info' });
    const pipeline = new codepipeline.Pipeline(stack, 'Pipeline', {
      pipelineName: 'github-triggers-queued',
      pipelineType: codepipeline.PipelineType.V2,
      executionMode: codepipeline.ExecutionMode.QUEUED,
      variables: [deployEnv, logLevel],
      triggers: [{
        providerType: codepipeline.ProviderType.CODE_STAR_SOURCE_CONNECTION,
        gitConfiguration: {
          sourceAction: source,
          pushFilter: [
            {
              branchesIncludes: ['main', 'release/*'],
              branchesExcludes: ['release/legacy-*'],
              filePathsIncludes: ['src/**', 'meson.build'],
              filePathsExcludes: ['docs/**', '**/*.md'],
            },
            { tagsIncludes: ['v*'], tagsExcludes: ['v*-rc*'] },
          ],
          pullRequestFilter: [{
            branchesIncludes: ['main'],
            filePathsIncludes: ['src/**'],
            events: [codepipeline.GitPullRequestEvent.OPEN, codepipeline.GitPullRequestEvent.UPDATED],
          }],
        },
      }],
      stages: [
        { stageName: 'Source', actions: [source] },
        {
          stageName: 'Build',
          actions: [new actions.CodeBuildAction({
            actionName: 'Build',
            project: buildProject(stack, 'BuildProject'),
            input: src,
            outputs: [built],
            environmentVariables: {
              DEPLOY_ENV: { value: deployEnv.reference() },
              LOG_LEVEL: { value: logLevel.reference() },
              COMMIT_ID: { value: source.variables.commitId },
              BRANCH: { value: source.variables.branchName },
              REPO: { value: source.variables.fullRepositoryName },
            },
          })],
        },
      ],
    });
    pipeline.addVariable(new codepipeline.Variable({ variableName: 'ReleaseLabel' }));
  });

scenario('github-connections-parallel',
  'V2 PARALLEL execution mode, full clone source (codeBuildCloneOutput), pull-request CLOSED trigger, triggerOnPush false',
  (stack) => {
    const src = new codepipeline.Artifact('Source');
    const source = connectionSource(src, { codeBuildCloneOutput: true, triggerOnPush: false, repo: 'infra', branch: 'develop' });
    const pipeline = new codepipeline.Pipeline(stack, 'Pipeline', {
      pipelineName: 'github-parallel',
      pipelineType: codepipeline.PipelineType.V2,
      executionMode: codepipeline.ExecutionMode.PARALLEL,
      variables: [new codepipeline.Variable({ variableName: 'PrNumber', defaultValue: '0', description: 'Pull request under test' })],
      stages: [
        { stageName: 'Source', actions: [source] },
        {
          stageName: 'Test',
          actions: [
            new actions.CodeBuildAction({ actionName: 'Unit', project: buildProject(stack, 'Unit', { commands: ['make test'] }), input: src, type: actions.CodeBuildActionType.TEST }),
            new actions.CodeBuildAction({ actionName: 'Lint', project: buildProject(stack, 'Lint', { commands: ['make lint'] }), input: src, type: actions.CodeBuildActionType.TEST }),
          ],
        },
      ],
    });
    pipeline.addTrigger({
      providerType: codepipeline.ProviderType.CODE_STAR_SOURCE_CONNECTION,
      gitConfiguration: {
        sourceAction: source,
        pullRequestFilter: [
          { branchesIncludes: ['develop', 'feature/**'], events: [codepipeline.GitPullRequestEvent.OPEN, codepipeline.GitPullRequestEvent.UPDATED, codepipeline.GitPullRequestEvent.CLOSED] },
          { branchesExcludes: ['dependabot/**'], filePathsExcludes: ['*.md'] },
        ],
      },
    });
  });

scenario('s3-source-s3-deploy',
  'S3 source (EventBridge trigger) -> S3 deploy extract=true (ACL, cache-control) and extract=false with objectKey, KMS key',
  (stack) => {
    const srcBucket = new s3.Bucket(stack, 'SourceBucket', { versioned: true, enforceSSL: true });
    const siteBucket = new s3.Bucket(stack, 'SiteBucket');
    const archiveBucket = s3.Bucket.fromBucketName(stack, 'ArchiveBucket', 'acme-release-archive');
    const key = kms.Key.fromKeyArn(stack, 'ArchiveKey', `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`);
    const src = new codepipeline.Artifact('Site');
    const source = new actions.S3SourceAction({
      actionName: 'S3Source', bucket: srcBucket, bucketKey: 'site/site.zip', output: src,
      trigger: actions.S3Trigger.EVENTS, variablesNamespace: 'S3Src',
    });
    new codepipeline.Pipeline(stack, 'Pipeline', {
      pipelineName: 's3-to-s3',
      pipelineType: codepipeline.PipelineType.V1,
      stages: [
        { stageName: 'Source', actions: [source] },
        {
          stageName: 'Deploy',
          actions: [
            new actions.S3DeployAction({
              actionName: 'Extract', bucket: siteBucket, input: src, extract: true,
              accessControl: s3.BucketAccessControl.PUBLIC_READ,
              cacheControl: [actions.CacheControl.setPublic(), actions.CacheControl.maxAge(cdk.Duration.hours(1))],
            }),
            new actions.S3DeployAction({
              actionName: 'Archive', bucket: archiveBucket, input: src, extract: false,
              objectKey: `releases/${source.variables.versionId}/site.zip`, encryptionKey: key,
            }),
          ],
        },
      ],
    });
  });

scenario('s3-poll-source-cross-region-buckets',
  'S3 polling source, explicit crossRegionReplicationBuckets (multiple ArtifactStores), CloudFormation deploy to eu-west-1',
  (stack) => {
    const srcBucket = s3.Bucket.fromBucketName(stack, 'SourceBucket', 'acme-pipeline-inputs');
    const euBucket = s3.Bucket.fromBucketAttributes(stack, 'EuReplication', {
      bucketName: 'acme-pipeline-replication-eu-west-1',
      region: 'eu-west-1',
      encryptionKey: kms.Key.fromKeyArn(stack, 'EuKey', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/abcd1234-a123-456a-a12b-a123b4cd56ef`),
    });
    const src = new codepipeline.Artifact('Templates');
    new codepipeline.Pipeline(stack, 'Pipeline', {
      pipelineName: 's3-poll-cross-region',
      crossRegionReplicationBuckets: { 'eu-west-1': euBucket },
      stages: [
        { stageName: 'Source', actions: [new actions.S3SourceAction({ actionName: 'S3', bucket: srcBucket, bucketKey: 'templates.zip', output: src, trigger: actions.S3Trigger.POLL })] },
        {
          stageName: 'DeployEU',
          actions: [new actions.CloudFormationCreateUpdateStackAction({
            actionName: 'DeployEU', region: 'eu-west-1', stackName: 'web-eu', adminPermissions: true,
            templatePath: src.atPath('web.yaml'),
          })],
        },
      ],
    });
  });

scenario('ecr-source-ecs-deploy',
  'ECR source -> CodeBuild (imagedefinitions) -> ECS standard deploy to a Fargate service, deploymentTimeout, ECR variables',
  (stack) => {
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
      privateSubnetRouteTableIds: ['rtb-0aaaaaaaaaaaaaaa1', 'rtb-0bbbbbbbbbbbbbbb2'],
    });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, clusterName: 'web' });
    const repo = new ecr.Repository(stack, 'Repo', { repositoryName: 'web' });
    const task = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 256, memoryLimitMiB: 512 });
    task.addContainer('web', { image: ecs.ContainerImage.fromEcrRepository(repo, 'latest'), portMappings: [{ containerPort: 8080 }] });
    const service = new ecs.FargateService(stack, 'Service', {
      cluster, taskDefinition: task, desiredCount: 2, minHealthyPercent: 100, circuitBreaker: { rollback: true },
    });
    const image = new codepipeline.Artifact('Image');
    const defs = new codepipeline.Artifact('ImageDefinitions');
    const source = new actions.EcrSourceAction({ actionName: 'ECR', repository: repo, imageTag: 'release', output: image });
    new codepipeline.Pipeline(stack, 'Pipeline', {
      pipelineName: 'ecr-to-ecs',
      stages: [
        { stageName: 'Source', actions: [source] },
        {
          stageName: 'Prepare',
          actions: [new actions.CodeBuildAction({
            actionName: 'ImageDefinitions',
            project: buildProject(stack, 'Defs', {
              commands: ['printf \'[{"name":"web","imageUri":"%s"}]\' "$IMAGE_URI" > imagedefinitions.json'],
              artifacts: { files: ['imagedefinitions.json'] },
            }),
            input: image,
            outputs: [defs],
            environmentVariables: {
              IMAGE_URI: { value: source.variables.imageUri },
              IMAGE_DIGEST: { value: source.variables.imageDigest },
            },
          })],
        },
        {
          stageName: 'Deploy',
          actions: [new actions.EcsDeployAction({
            actionName: 'DeployService', service, imageFile: defs.atPath('imagedefinitions.json'),
            deploymentTimeout: cdk.Duration.minutes(30),
          })],
        },
      ],
    });
  });

scenario('codedeploy-ecs-blue-green',
  'CodeCommit + ECR sources -> CodeDeployToECS blue/green (taskdef/appspec templates, image placeholder), imported ECS service deploy',
  (stack) => {
    const app = new codedeploy.EcsApplication(stack, 'EcsApp', { applicationName: 'web-bluegreen' });
    const group = codedeploy.EcsDeploymentGroup.fromEcsDeploymentGroupAttributes(stack, 'Group', {
      application: app, deploymentGroupName: 'web-bluegreen-prod',
    });
    const repo = ecr.Repository.fromRepositoryName(stack, 'Repo', 'web');
    const src = new codepipeline.Artifact('Config');
    const image = new codepipeline.Artifact('Image');
    const cluster = ecs.Cluster.fromClusterAttributes(stack, 'Cluster', {
      clusterName: 'canary',
      vpc: ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['us-east-1a'] }),
    });
    const canary = ecs.FargateService.fromFargateServiceAttributes(stack, 'Canary', { cluster, serviceName: 'web-canary' });
    new codepipeline.Pipeline(stack, 'Pipeline', {
      pipelineName: 'ecs-blue-green',
      stages: [
        {
          stageName: 'Source',
          actions: [
            codeCommitSource(stack, src, { repositoryName: 'web-deploy-config' }),
            new actions.EcrSourceAction({ actionName: 'Image', repository: repo, output: image }),
          ],
        },
        { stageName: 'Canary', actions: [new actions.EcsDeployAction({ actionName: 'Canary', service: canary, input: image })] },
        {
          stageName: 'BlueGreen',
          actions: [new actions.CodeDeployEcsDeployAction({
            actionName: 'BlueGreen',
            deploymentGroup: group,
            taskDefinitionTemplateFile: src.atPath('taskdef.json'),
            appSpecTemplateFile: src.atPath('appspec.yaml'),
            containerImageInputs: [{ input: image, taskDefinitionPlaceholder: 'IMAGE1_NAME' }],
          })],
        },
      ],
    });
  });

scenario('cloudformation-create-update-stack',
  'CloudFormation CREATE_UPDATE with parameterOverrides (Fn::GetArtifactAtt/GetParam), template configuration, capabilities, output artifact, replaceOnFailure',
  (stack) => {
    const src = new codepipeline.Artifact('Source');
    const built = new codepipeline.Artifact('Packaged');
    const stackOut = new codepipeline.Artifact('StackOutputs');
    const deployRole = iam.Role.fromRoleArn(stack, 'DeployRole', `arn:aws:iam::${ACCOUNT}:role/cfn-deploy`, { mutable: false });
    new codepipeline.Pipeline(stack, 'Pipeline', {
      pipelineName: 'cfn-create-update',
      stages: [
        { stageName: 'Source', actions: [codeCommitSource(stack, src, { repositoryName: 'serverless-api' })] },
        {
          stageName: 'Package',
          actions: [new actions.CodeBuildAction({
            actionName: 'SamPackage', input: src, outputs: [built],
            project: buildProject(stack, 'Package', {
              commands: ['sam package --s3-bucket "$BUCKET" --output-template-file packaged.yaml'],
              artifacts: { files: ['packaged.yaml', 'config/*.json'] },
            }),
          })],
        },
        {
          stageName: 'Deploy',
          actions: [
            new actions.CloudFormationCreateUpdateStackAction({
              actionName: 'Staging', runOrder: 1,
              stackName: 'serverless-api-staging',
              templatePath: built.atPath('packaged.yaml'),
              templateConfiguration: built.atPath('config/staging.json'),
              adminPermissions: false,
              deploymentRole: deployRole,
              cfnCapabilities: [cdk.CfnCapabilities.NAMED_IAM, cdk.CfnCapabilities.AUTO_EXPAND],
              parameterOverrides: {
                Stage: 'staging',
                ArtifactBucket: built.bucketName,
                ArtifactKey: built.objectKey,
                Version: built.getParam('config/version.json', 'version'),
              },
              outputFileName: 'outputs.json',
              output: stackOut,
              replaceOnFailure: true,
            }),
            new actions.CloudFormationCreateUpdateStackAction({
              actionName: 'Production', runOrder: 2,
              stackName: 'serverless-api-prod',
              templatePath: built.atPath('packaged.yaml'),
              adminPermissions: true,
              cfnCapabilities: [cdk.CfnCapabilities.ANONYMOUS_IAM],
              extraInputs: [stackOut],
              parameterOverrides: { Stage: 'prod' },
            }),
          ],
        },
      ],
    });
  });

scenario('cloudformation-change-sets',
  'CloudFormation CHANGE_SET_REPLACE -> manual approval -> CHANGE_SET_EXECUTE (variables), DELETE_ONLY teardown stage',
  (stack) => {
    const src = new codepipeline.Artifact('Source');
    new codepipeline.Pipeline(stack, 'Pipeline', {
      pipelineName: 'cfn-change-sets',
      stages: [
        { stageName: 'Source', actions: [connectionSource(src, { repo: 'platform-templates' })] },
        {
          stageName: 'Prod',
          actions: [
            new actions.CloudFormationCreateReplaceChangeSetAction({
              actionName: 'PrepareChanges', runOrder: 1, stackName: 'platform-prod', changeSetName: 'pipeline-changes',
              adminPermissions: true, templatePath: src.atPath('platform.yaml'), variablesNamespace: 'ChangeSet',
            }),
            new actions.ManualApprovalAction({ actionName: 'ApproveChanges', runOrder: 2, additionalInformation: 'Review the change set in the CloudFormation console' }),
            new actions.CloudFormationExecuteChangeSetAction({
              actionName: 'ExecuteChanges', runOrder: 3, stackName: 'platform-prod', changeSetName: 'pipeline-changes',
              outputFileName: 'out.json', output: new codepipeline.Artifact('ProdOutputs'),
            }),
          ],
        },
        {
          stageName: 'Teardown',
          transitionToEnabled: false,
          transitionDisabledReason: 'Only run teardown on demand',
          actions: [
            new actions.CloudFormationDeleteStackAction({ actionName: 'DeletePreview', stackName: 'platform-preview', adminPermissions: true }),
          ],
        },
      ],
    });
  });

scenario('cloudformation-stacksets',
  'CloudFormation StackSet + StackInstances actions (self-managed and service-managed/organizations), literal and artifact parameters',
  (stack) => {
    const src = new codepipeline.Artifact('Source');
    new codepipeline.Pipeline(stack, 'Pipeline', {
      pipelineName: 'cfn-stacksets',
      stages: [
        { stageName: 'Source', actions: [codeCommitSource(stack, src, { repositoryName: 'guardrails' })] },
        {
          stageName: 'SelfManaged',
          actions: [
            new actions.CloudFormationDeployStackSetAction({
              actionName: 'StackSet', runOrder: 1,
              stackSetName: 'guardrails',
              description: 'Baseline guardrails',
              template: actions.StackSetTemplate.fromArtifactPath(src.atPath('guardrails.yaml')),
              stackInstances: actions.StackInstances.inAccounts(['111111111111', '222222222222'], ['us-east-1', 'eu-west-1']),
              deploymentModel: actions.StackSetDeploymentModel.selfManaged({ executionRoleName: 'AWSCloudFormationStackSetExecutionRole' }),
              parameters: actions.StackSetParameters.fromLiteral({ Owner: 'platform', Retention: '30' }, ['KmsKeyArn']),
              failureTolerancePercentage: 10,
              maxAccountConcurrencyPercentage: 50,
              cfnCapabilities: [cdk.CfnCapabilities.NAMED_IAM],
            }),
            new actions.CloudFormationDeployStackInstancesAction({
              actionName: 'Instances', runOrder: 2,
              stackSetName: 'guardrails',
              stackInstances: actions.StackInstances.fromArtifactPath(src.atPath('accounts.json'), ['us-west-2']),
              parameterOverrides: actions.StackSetParameters.fromArtifactPath(src.atPath('params.json')),
            }),
          ],
        },
        {
          stageName: 'Organizations',
          actions: [new actions.CloudFormationDeployStackSetAction({
            actionName: 'OrgStackSet',
            stackSetName: 'org-guardrails',
            template: actions.StackSetTemplate.fromArtifactPath(src.atPath('org.yaml')),
            stackInstances: actions.StackInstances.inOrganizationalUnits(['ou-abcd-11111111'], ['us-east-1']),
            deploymentModel: actions.StackSetDeploymentModel.organizations({ autoDeployment: actions.StackSetOrganizationsAutoDeployment.ENABLED_WITH_STACK_RETENTION }),
            stackSetRegion: 'us-east-1',
          })],
        },
      ],
    });
  });

scenario('manual-approval-notifications',
  'Manual approvals with SNS topic, notify emails, externalEntityLink, additionalInformation, timeout; notification rule + event rule on pipeline',
  (stack) => {
    const src = new codepipeline.Artifact('Source');
    const topic = new sns.Topic(stack, 'ApprovalTopic', { displayName: 'Release approvals' });
    const approve = new actions.ManualApprovalAction({
      actionName: 'ReleaseManager',
      notificationTopic: topic,
      externalEntityLink: 'https://wiki.example.com/releases/#{codepipeline.PipelineExecutionId}',
      additionalInformation: 'Check the release notes, then approve.',
      timeout: cdk.Duration.hours(24),
    });
    const pipeline = new codepipeline.Pipeline(stack, 'Pipeline', {
      pipelineName: 'manual-approvals',
      restartExecutionOnUpdate: true,
      stages: [
        { stageName: 'Source', actions: [codeCommitSource(stack, src, { repositoryName: 'release-notes', trigger: actions.CodeCommitTrigger.POLL })] },
        {
          stageName: 'Approve',
          actions: [
            approve,
            new actions.ManualApprovalAction({ actionName: 'Security', notifyEmails: ['security@example.com', 'oncall@example.com'] }),
          ],
        },
        { stageName: 'Publish', actions: [new actions.CodeBuildAction({ actionName: 'Publish', input: src, project: buildProject(stack, 'Publish') })] },
      ],
    });
    approve.grantManualApproval(iam.Role.fromRoleName(stack, 'Approvers', 'release-approvers'));
    pipeline.notifyOnExecutionStateChange('Notify', topic);
    pipeline.onStateChange('OnFailed', {
      eventPattern: { detail: { state: ['FAILED'] } },
      target: new targets.SnsTopic(topic),
    });
  });

scenario('lambda-invoke-variables',
  'Lambda invoke with userParameters (JSON and string), namespaced output variables consumed via #{...} by later CodeBuild/Lambda actions',
  (stack) => {
    const src = new codepipeline.Artifact('Source');
    const fn = tinyFunction(stack, 'VersionFn');
    const notify = tinyFunction(stack, 'NotifyFn');
    const source = codeCommitSource(stack, src, { repositoryName: 'versioned-app', variablesNamespace: 'SourceVariables' });
    const compute = new actions.LambdaInvokeAction({
      actionName: 'ComputeVersion',
      lambda: fn,
      inputs: [src],
      outputs: [new codepipeline.Artifact('VersionInfo')],
      variablesNamespace: 'Version',
      userParameters: { commit: source.variables.commitId, branch: source.variables.branchName, bump: 'minor' },
    });
    new codepipeline.Pipeline(stack, 'Pipeline', {
      pipelineName: 'lambda-variables',
      stages: [
        { stageName: 'Source', actions: [source] },
        { stageName: 'Version', actions: [compute] },
        {
          stageName: 'Build',
          actions: [new actions.CodeBuildAction({
            actionName: 'Build', input: src, project: buildProject(stack, 'Build'),
            environmentVariables: {
              VERSION: { value: compute.variable('version') },
              CHANNEL: { value: compute.variable('channel') },
              EXECUTION_ID: { value: '#{codepipeline.PipelineExecutionId}' },
            },
          })],
        },
        {
          stageName: 'Notify',
          actions: [new actions.LambdaInvokeAction({
            actionName: 'Announce', lambda: notify,
            userParametersString: `released ${compute.variable('version')} from #{SourceVariables.CommitId}`,
          })],
        },
      ],
    });
  });

scenario('stepfunctions-invoke',
  'Step Functions invoke with literal input and file-path input, execution name prefix, output artifact',
  (stack) => {
    const src = new codepipeline.Artifact('Source');
    const sm = new sfn.StateMachine(stack, 'StateMachine', {
      stateMachineName: 'release-workflow',
      definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Start').next(new sfn.Succeed(stack, 'Done'))),
    });
    new codepipeline.Pipeline(stack, 'Pipeline', {
      pipelineName: 'stepfunctions',
      stages: [
        { stageName: 'Source', actions: [new actions.S3SourceAction({ actionName: 'Source', bucket: s3.Bucket.fromBucketName(stack, 'In', 'acme-workflow-input'), bucketKey: 'input.zip', output: src })] },
        {
          stageName: 'Invoke',
          actions: [
            new actions.StepFunctionInvokeAction({
              actionName: 'Literal', stateMachine: sm, executionNamePrefix: 'pipeline',
              stateMachineInput: actions.StateMachineInput.literal({ env: 'prod', dryRun: false, retries: 3 }),
              output: new codepipeline.Artifact('LiteralResult'),
            }),
            new actions.StepFunctionInvokeAction({
              actionName: 'FromFile', runOrder: 2, stateMachine: sm,
              stateMachineInput: actions.StateMachineInput.filePath(src.atPath('sfn-input.json')),
            }),
          ],
        },
      ],
    });
  });

scenario('codebuild-multi-input-output',
  'CodeBuild with extraInputs and multiple outputs, env vars (PLAINTEXT/PARAMETER_STORE/SECRETS_MANAGER) from source variables, batch build, test action',
  (stack) => {
    const app = new codepipeline.Artifact('App');
    const lib = new codepipeline.Artifact('Lib');
    const cfg = new codepipeline.Artifact('Config');
    const bin = new codepipeline.Artifact('Binaries');
    const docs = new codepipeline.Artifact('Docs');
    const reports = new codepipeline.Artifact('Reports');
    const appSource = codeCommitSource(stack, app, { repositoryName: 'app', variablesNamespace: 'AppSrc' });
    const libSource = connectionSource(lib, { actionName: 'Lib', repo: 'libfoo', variablesNamespace: 'LibSrc' });
    const cfgSource = new actions.S3SourceAction({ actionName: 'Config', bucket: s3.Bucket.fromBucketName(stack, 'Cfg', 'acme-build-config'), bucketKey: 'config.zip', output: cfg });
    const build = new actions.CodeBuildAction({
      actionName: 'Build',
      project: buildProject(stack, 'Build', {
        commands: ['cd "$CODEBUILD_SRC_DIR" && make', 'make docs'],
        artifacts: {
          'secondary-artifacts': {
            Binaries: { files: ['build/bin/*'] },
            Docs: { 'base-directory': 'build/docs', files: ['**/*'] },
          },
        },
      }),
      input: app,
      extraInputs: [lib, cfg],
      outputs: [bin, docs],
      variablesNamespace: 'BuildVars',
      environmentVariables: {
        APP_COMMIT: { value: appSource.variables.commitId },
        LIB_COMMIT: { value: libSource.variables.commitId },
        CONFIG_VERSION: { value: cfgSource.variables.versionId },
        SIGNING_KEY: { type: codebuild.BuildEnvironmentVariableType.PARAMETER_STORE, value: '/build/signing-key' },
        API_TOKEN: { type: codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER, value: 'build/api-token:token' },
      },
    });
    new codepipeline.Pipeline(stack, 'Pipeline', {
      pipelineName: 'codebuild-multi-io',
      stages: [
        { stageName: 'Source', actions: [appSource, libSource, cfgSource] },
        { stageName: 'Build', actions: [build] },
        {
          stageName: 'Test',
          actions: [
            new actions.CodeBuildAction({
              actionName: 'Integration', type: actions.CodeBuildActionType.TEST,
              project: buildProject(stack, 'Integration', { commands: ['make integration'], artifacts: { files: ['reports/**/*'] } }),
              input: bin, extraInputs: [cfg], outputs: [reports],
              environmentVariables: { BUILD_ID: { value: build.variable('BUILD_ID') } },
            }),
            new actions.CodeBuildAction({
              actionName: 'Matrix', type: actions.CodeBuildActionType.TEST, executeBatchBuild: true, combineBatchBuildArtifacts: true,
              project: buildProject(stack, 'Matrix', { extra: { batch: { 'build-list': [{ identifier: 'gcc' }, { identifier: 'clang' }] } } }),
              input: app, outputs: [new codepipeline.Artifact('MatrixOut')],
            }),
          ],
        },
      ],
    });
  });

scenario('cross-region-cross-account',
  'Cross-region CloudFormation deploys (us-west-2, eu-central-1) and a cross-account deploy; generates support stacks, replication ArtifactStores, KMS keys',
  (stack) => {
    const src = new codepipeline.Artifact('Source');
    new codepipeline.Pipeline(stack, 'Pipeline', {
      pipelineName: 'cross-region',
      crossAccountKeys: true,
      stages: [
        { stageName: 'Source', actions: [codeCommitSource(stack, src, { repositoryName: 'global-app' })] },
        {
          stageName: 'DeployRegions',
          actions: [
            new actions.CloudFormationCreateUpdateStackAction({ actionName: 'UsWest2', region: 'us-west-2', stackName: 'global-app', templatePath: src.atPath('app.yaml'), adminPermissions: true }),
            new actions.CloudFormationCreateUpdateStackAction({ actionName: 'EuCentral1', region: 'eu-central-1', stackName: 'global-app', templatePath: src.atPath('app.yaml'), adminPermissions: true }),
          ],
        },
        {
          stageName: 'DeployProdAccount',
          actions: [new actions.CloudFormationCreateUpdateStackAction({
            actionName: 'ProdAccount', account: OTHER_ACCOUNT, stackName: 'global-app', templatePath: src.atPath('app.yaml'), adminPermissions: true,
          })],
        },
      ],
    });
  });

scenario('disabled-transitions',
  'Stages with transitionToEnabled=false (DisableInboundStageTransitions), imported artifact bucket and pipeline role, V1',
  (stack) => {
    const src = new codepipeline.Artifact('Source');
    const built = new codepipeline.Artifact('Built');
    new codepipeline.Pipeline(stack, 'Pipeline', {
      pipelineName: 'disabled-transitions',
      pipelineType: codepipeline.PipelineType.V1,
      artifactBucket: s3.Bucket.fromBucketName(stack, 'Artifacts', 'acme-shared-artifacts'),
      role: iam.Role.fromRoleArn(stack, 'PipelineRole', `arn:aws:iam::${ACCOUNT}:role/shared-pipeline-role`, { mutable: false }),
      stages: [
        { stageName: 'Source', actions: [connectionSource(src, { repo: 'mobile-backend' })] },
        { stageName: 'Build', actions: [new actions.CodeBuildAction({ actionName: 'Build', input: src, outputs: [built], project: buildProject(stack, 'Build') })] },
        {
          stageName: 'Staging', transitionToEnabled: false, transitionDisabledReason: 'Staging is frozen during the migration',
          actions: [new actions.CloudFormationCreateUpdateStackAction({ actionName: 'Deploy', stackName: 'mobile-staging', templatePath: built.atPath('template.yaml'), adminPermissions: true })],
        },
        {
          stageName: 'Production', transitionToEnabled: false,
          actions: [new actions.CloudFormationCreateUpdateStackAction({ actionName: 'Deploy', stackName: 'mobile-prod', templatePath: built.atPath('template.yaml'), adminPermissions: true })],
        },
      ],
    });
  });

scenario('stage-conditions',
  'V2 stage conditions: beforeEntry (DeploymentWindow, VariableCheck), onSuccess (CloudWatchAlarm, Commands rule), onFailure ROLLBACK/RETRY with retryMode',
  (stack) => {
    const src = new codepipeline.Artifact('Source');
    const built = new codepipeline.Artifact('Built');
    const alarm = new cloudwatch.Alarm(stack, 'Errors', {
      alarmName: 'web-5xx',
      metric: new cloudwatch.Metric({ namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', statistic: 'Sum' }),
      threshold: 10, evaluationPeriods: 1,
    });
    const gate = tinyFunction(stack, 'GateFn');
    const release = new codepipeline.Variable({ variableName: 'ReleaseType', defaultValue: 'standard' });
    new codepipeline.Pipeline(stack, 'Pipeline', {
      pipelineName: 'stage-conditions',
      pipelineType: codepipeline.PipelineType.V2,
      variables: [release],
      stages: [
        { stageName: 'Source', actions: [connectionSource(src, { repo: 'web', variablesNamespace: 'SourceVariables' })] },
        {
          stageName: 'Build',
          actions: [new actions.CodeBuildAction({ actionName: 'Build', input: src, outputs: [built], project: buildProject(stack, 'Build') })],
          onFailure: { result: codepipeline.Result.RETRY, retryMode: codepipeline.RetryMode.FAILED_ACTIONS },
        },
        {
          stageName: 'Production',
          actions: [new actions.CloudFormationCreateUpdateStackAction({ actionName: 'Deploy', stackName: 'web-prod', templatePath: built.atPath('template.yaml'), adminPermissions: true })],
          beforeEntry: {
            conditions: [
              {
                result: codepipeline.Result.FAIL,
                rules: [new codepipeline.Rule({
                  name: 'BusinessHours', provider: 'DeploymentWindow', version: '1',
                  configuration: { Cron: '0 0 9-16 ? * MON-THU *', TimeZone: 'Europe/Berlin' },
                })],
              },
              {
                result: codepipeline.Result.SKIP,
                rules: [new codepipeline.Rule({
                  name: 'OnlyMain', provider: 'VariableCheck', version: '1',
                  configuration: { Variable: '#{SourceVariables.BranchName}', Value: 'main', Operator: 'EQ' },
                })],
              },
            ],
          },
          onSuccess: {
            conditions: [{
              result: codepipeline.Result.ROLLBACK,
              rules: [
                new codepipeline.Rule({ name: 'NoAlarms', provider: 'CloudWatchAlarm', version: '1', configuration: { AlarmName: alarm.alarmName, WaitTime: '5' } }),
                new codepipeline.Rule({ name: 'Smoke', provider: 'Commands', version: '1', commands: ['curl -sSf https://www.example.com/health'], inputArtifacts: ['Built'] }),
                new codepipeline.Rule({ name: 'Gate', provider: 'LambdaInvoke', version: '1', configuration: { FunctionName: gate.functionName } }),
              ],
            }],
          },
          onFailure: {
            result: codepipeline.Result.ROLLBACK,
            conditions: [{
              rules: [new codepipeline.Rule({ name: 'StillFailing', provider: 'CloudWatchAlarm', version: '1', configuration: { AlarmName: alarm.alarmName, AlarmStates: 'ALARM', WaitTime: '1' } })],
            }],
          },
        },
      ],
    });
  });

scenario('commands-action',
  'V2 Commands action with extraInputs, output artifact and outputVariables consumed by a later CodeBuild action',
  (stack) => {
    const src = new codepipeline.Artifact('Source');
    const tools = new codepipeline.Artifact('Tools');
    const out = new codepipeline.Artifact('CommandsOut');
    const cmds = new actions.CommandsAction({
      actionName: 'Compute',
      input: src,
      extraInputs: [tools],
      output: out,
      outputVariables: ['APP_VERSION', 'IMAGE_TAG'],
      commands: [
        'export APP_VERSION=$(cat VERSION)',
        'export IMAGE_TAG=$APP_VERSION-$(date +%s)',
        'mkdir -p dist && echo "$APP_VERSION" > dist/version.txt',
      ],
    });
    new codepipeline.Pipeline(stack, 'Pipeline', {
      pipelineName: 'commands-action',
      pipelineType: codepipeline.PipelineType.V2,
      stages: [
        {
          stageName: 'Source',
          actions: [
            connectionSource(src, { repo: 'service' }),
            new actions.S3SourceAction({ actionName: 'Tools', bucket: s3.Bucket.fromBucketName(stack, 'ToolsBucket', 'acme-tools'), bucketKey: 'tools.zip', output: tools }),
          ],
        },
        { stageName: 'Compute', actions: [cmds] },
        {
          stageName: 'Package',
          actions: [new actions.CodeBuildAction({
            actionName: 'Package', input: out, project: buildProject(stack, 'Package'),
            environmentVariables: { APP_VERSION: { value: cmds.variable('APP_VERSION') }, IMAGE_TAG: { value: cmds.variable('IMAGE_TAG') } },
          })],
        },
      ],
    });
  });

scenario('elastic-beanstalk',
  'CodeStar connection -> CodeBuild -> Elastic Beanstalk deploy (app and environment defined in the same stack)',
  (stack) => {
    const app = new elasticbeanstalk.CfnApplication(stack, 'EbApp', { applicationName: 'legacy-web' });
    const ebEnv = new elasticbeanstalk.CfnEnvironment(stack, 'EbEnv', {
      applicationName: 'legacy-web',
      environmentName: 'legacy-web-prod',
      solutionStackName: '64bit Amazon Linux 2023 v6.1.0 running Node.js 20',
    });
    ebEnv.addResourceDependency(app);
    const src = new codepipeline.Artifact('Source');
    const built = new codepipeline.Artifact('Bundle');
    new codepipeline.Pipeline(stack, 'Pipeline', {
      pipelineName: 'elastic-beanstalk',
      stages: [
        { stageName: 'Source', actions: [connectionSource(src, { repo: 'legacy-web' })] },
        { stageName: 'Build', actions: [new actions.CodeBuildAction({ actionName: 'Build', input: src, outputs: [built], project: buildProject(stack, 'Build') })] },
        { stageName: 'Deploy', actions: [new actions.ElasticBeanstalkDeployAction({ actionName: 'Deploy', input: built, applicationName: 'legacy-web', environmentName: ebEnv.ref })] },
      ],
    });
  });

scenario('many-stages-parallel',
  'Ten stages, parallel actions and runOrder sequencing within stages, one shared CodeBuild project, approval in the middle, usePipelineRoleForActions',
  (stack) => {
    const src = new codepipeline.Artifact('Source');
    const project = buildProject(stack, 'Shared', { commands: ['make "$TARGET"'] });
    const stages = [{ stageName: 'Source', actions: [codeCommitSource(stack, src, { repositoryName: 'monorepo' })] }];
    const plan = [
      ['Lint', [[1, 'Style'], [1, 'Types'], [1, 'License']]],
      ['Build', [[1, 'Linux'], [1, 'Windows'], [1, 'MacOS'], [2, 'Bundle']]],
      ['UnitTest', [[1, 'Core'], [1, 'Ui'], [1, 'Cli']]],
      ['Integration', [[1, 'Api'], [2, 'EndToEnd']]],
      ['Security', [[1, 'Sast'], [1, 'Deps'], [2, 'Report']]],
      ['Staging', [[1, 'Deploy'], [2, 'Smoke'], [3, 'Approve']]],
      ['Canary', [[1, 'Deploy'], [2, 'Bake']]],
      ['Production', [[1, 'UsEast'], [1, 'EuWest'], [1, 'ApSouth'], [2, 'Verify']]],
      ['Cleanup', [[1, 'Prune'], [1, 'Notify']]],
    ];
    for (const [stageName, acts] of plan) {
      stages.push({
        stageName,
        actions: acts.map(([runOrder, actionName]) => actionName === 'Approve'
          ? new actions.ManualApprovalAction({ actionName, runOrder })
          : new actions.CodeBuildAction({
            actionName, runOrder, input: src, project,
            environmentVariables: { TARGET: { value: `${stageName}-${actionName}`.toLowerCase() } },
          })),
      });
    }
    new codepipeline.Pipeline(stack, 'Pipeline', { pipelineName: 'many-stages', usePipelineRoleForActions: true, stages });
  });

scenario('github-oauth-webhook',
  'Legacy GitHub (OAuth token, ThirdParty owner) source with webhook (AWS::CodePipeline::Webhook), Secrets Manager dynamic reference',
  (stack) => {
    const src = new codepipeline.Artifact('Source');
    const built = new codepipeline.Artifact('Built');
    new codepipeline.Pipeline(stack, 'Pipeline', {
      pipelineName: 'github-oauth',
      pipelineType: codepipeline.PipelineType.V1,
      stages: [
        {
          stageName: 'Source',
          actions: [new actions.GitHubSourceAction({
            actionName: 'GitHub', owner: 'acme', repo: 'old-site', branch: 'master', output: src,
            oauthToken: cdk.SecretValue.secretsManager('github-token'),
            trigger: actions.GitHubTrigger.WEBHOOK, variablesNamespace: 'GH',
          })],
        },
        { stageName: 'Build', actions: [new actions.CodeBuildAction({ actionName: 'Build', input: src, outputs: [built], project: buildProject(stack, 'Build') })] },
        { stageName: 'Deploy', actions: [new actions.S3DeployAction({ actionName: 'Upload', bucket: new s3.Bucket(stack, 'Site'), input: built })] },
      ],
    });
  });

scenario('jenkins-custom-actions',
  'Jenkins build/test actions (AWS::CodePipeline::CustomActionType, ThirdParty/Custom owner) plus Service Catalog deploy',
  (stack) => {
    const src = new codepipeline.Artifact('Source');
    const built = new codepipeline.Artifact('JenkinsBuild');
    const jenkins = new actions.JenkinsProvider(stack, 'Jenkins', {
      providerName: 'AcmeJenkins', serverUrl: 'https://jenkins.example.com', version: '2',
    });
    new codepipeline.Pipeline(stack, 'Pipeline', {
      pipelineName: 'jenkins',
      stages: [
        { stageName: 'Source', actions: [codeCommitSource(stack, src, { repositoryName: 'catalog-products' })] },
        {
          stageName: 'Jenkins',
          actions: [
            new actions.JenkinsAction({ actionName: 'Build', jenkinsProvider: jenkins, projectName: 'products-build', type: actions.JenkinsActionType.BUILD, inputs: [src], outputs: [built] }),
            new actions.JenkinsAction({ actionName: 'Test', runOrder: 2, jenkinsProvider: jenkins, projectName: 'products-test', type: actions.JenkinsActionType.TEST, inputs: [built] }),
          ],
        },
        {
          stageName: 'Catalog',
          actions: [new actions.ServiceCatalogDeployActionBeta1({
            actionName: 'Publish', templatePath: built.atPath('product.yaml'),
            productVersionName: 'v1', productVersionDescription: 'Built by Jenkins', productId: 'prod-abcdefghijklm', productType: 'CLOUD_FORMATION_TEMPLATE',
          })],
        },
      ],
    });
  });

scenario('newer-actions',
  'EcrBuildAndPublish, Inspector source-code and ECR image scans, EC2 deploy, invoking another pipeline (PipelineInvokeAction) with variables',
  (stack) => {
    const src = new codepipeline.Artifact('Source');
    const repo = ecr.Repository.fromRepositoryName(stack, 'Repo', 'api');
    const publish = new actions.EcrBuildAndPublishAction({
      actionName: 'BuildImage', repositoryName: 'api', dockerfileDirectoryPath: 'docker', imageTags: ['latest', 'build'], input: src,
      registryType: actions.RegistryType.PRIVATE, variablesNamespace: 'Image',
    });
    const target = codepipeline.Pipeline.fromPipelineArn(stack, 'Downstream', `arn:aws:codepipeline:${REGION}:${ACCOUNT}:downstream-release`);
    new codepipeline.Pipeline(stack, 'Pipeline', {
      pipelineName: 'newer-actions',
      pipelineType: codepipeline.PipelineType.V2,
      stages: [
        { stageName: 'Source', actions: [connectionSource(src, { repo: 'api', variablesNamespace: 'SourceVariables' })] },
        {
          stageName: 'Scan',
          actions: [new actions.InspectorSourceCodeScanAction({ actionName: 'SourceScan', input: src, output: new codepipeline.Artifact('SourceScan'), criticalThreshold: 0, highThreshold: 5 })],
        },
        { stageName: 'Image', actions: [publish] },
        {
          stageName: 'ImageScan',
          actions: [new actions.InspectorEcrImageScanAction({ actionName: 'ImageScan', repository: repo, imageTag: 'latest', output: new codepipeline.Artifact('ImageScan'), criticalThreshold: 0 })],
        },
        {
          stageName: 'DeployEc2',
          actions: [new actions.Ec2DeployAction({
            actionName: 'Ec2', input: src, instanceType: actions.Ec2InstanceType.EC2, instanceTagKey: 'App', instanceTagValue: 'api',
            deploySpecifications: actions.Ec2DeploySpecifications.inline({ targetDirectory: '/opt/api', preScript: 'scripts/pre.sh', postScript: 'scripts/post.sh' }),
            maxBatch: actions.Ec2MaxInstances.targets(1), maxError: actions.Ec2MaxInstances.percentage(10),
          })],
        },
        {
          stageName: 'Downstream',
          actions: [new actions.PipelineInvokeAction({
            actionName: 'Release', targetPipeline: target,
            sourceRevisions: [{ actionName: 'Source', revisionType: actions.RevisionType.COMMIT_ID, revisionValue: '#{SourceVariables.CommitId}' }],
            variables: [{ name: 'ImageDigest', value: publish.variables.ecrImageDigestId }],
          })],
        },
      ],
    });
  });

// CDK Pipelines (self-mutating) application.
class ServiceStack extends cdk.Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    const fn = tinyFunction(this, 'Handler', 'return { statusCode: 200, body: "ok" };');
    const url = fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    this.urlOutput = new cdk.CfnOutput(this, 'Url', { value: url.url });
  }
}
class ServiceStage extends cdk.Stage {
  constructor(scope, id, props) {
    super(scope, id, props);
    this.service = new ServiceStack(this, 'Service');
  }
}

scenario('cdk-pipelines-self-mutating',
  'pipelines.CodePipeline: ShellStep synth from a connection, self-mutation (UpdatePipeline), stage deploy via change sets, wave, pre-approval, post ShellStep with CfnOutput env',
  (stack, app) => {
    const pipeline = new pipelines.CodePipeline(stack, 'Pipeline', {
      pipelineName: 'cdk-pipelines-app',
      synth: new pipelines.ShellStep('Synth', {
        input: pipelines.CodePipelineSource.connection('acme/cdk-app', 'main', { connectionArn: CONNECTION_ARN }),
        commands: ['npm ci', 'npm run build', 'npx cdk synth'],
      }),
      cliVersion: '2.1000.0',
    });
    const beta = new ServiceStage(app, 'Beta', { env });
    pipeline.addStage(beta, {
      post: [new pipelines.ShellStep('SmokeTest', {
        envFromCfnOutputs: { URL: beta.service.urlOutput },
        commands: ['curl -Ssf "$URL"'],
      })],
    });
    const wave = pipeline.addWave('Prod', { pre: [new pipelines.ManualApprovalStep('PromoteToProd', { comment: 'Ship it?' })] });
    wave.addStage(new ServiceStage(app, 'ProdA', { env }));
    wave.addStage(new ServiceStage(app, 'ProdB', { env }));
  });

// ---------------------------------------------------------------------------
// Synthesis

const tmpOut = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-cdk-'));
process.on('exit', () => fs.rmSync(tmpOut, { recursive: true, force: true }));
const app = new cdk.App({
  outdir: tmpOut,
  analyticsReporting: false,
  stackTraces: false,
  context: {
    ...cxapi.CURRENTLY_RECOMMENDED_FLAGS,
    'aws:cdk:enable-path-metadata': false,
    'aws:cdk:version-reporting': false,
    'aws:cdk:disable-stack-trace': true,
  },
});

for (const { name, description, build } of scenarios) {
  const stack = new cdk.Stack(app, name, { env, description: `Pipewright fixture: ${description}` });
  build(stack, app);
}

const assembly = app.synth();

fs.mkdirSync(outDir, { recursive: true });
for (const f of fs.readdirSync(outDir)) {
  if (f.endsWith('.template.json')) fs.rmSync(path.join(outDir, f));
}
const written = [];
for (const st of assembly.stacks) {
  const file = `${st.stackName}.template.json`;
  fs.writeFileSync(path.join(outDir, file), JSON.stringify(st.template, null, 2) + '\n');
  written.push(file);
}
for (const f of written.sort()) console.log(f);
console.log(`${written.length} templates written to ${outDir} (aws-cdk-lib ${cdkVersion})`);
