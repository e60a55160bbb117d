/**
 * EventBridge CodePipeline events as CodePipeline sends them (shapes from the CodePipeline user
 * guide, "Monitoring CodePipeline events"), for the notifier's tests.
 */
export const PIPELINE = 'my-app-pipeline';
export const EXECUTION_ID = '4f0c2b7e-8d21-4c6e-9a55-0d1c2e3f4a5b';
const base = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  source: 'aws.codepipeline',
  account: '111111111111',
  time: '2026-11-22T04:12:07Z',
  region: 'eu-west-1',
  resources: [`arn:aws:codepipeline:eu-west-1:111111111111:${PIPELINE}`],
};

export const pipelineFailed = {
  ...base,
  'detail-type': 'CodePipeline Pipeline Execution State Change',
  'detail': { 'pipeline': PIPELINE, 'execution-id': EXECUTION_ID, 'state': 'FAILED', 'version': 3, 'pipeline-execution-attempt': 1 },
};

export const stageFailed = {
  ...base,
  'detail-type': 'CodePipeline Stage Execution State Change',
  'detail': { 'pipeline': PIPELINE, 'execution-id': EXECUTION_ID, 'stage': 'Build', 'state': 'FAILED', 'version': 3 },
};

export const stageCanceled = {
  ...base,
  'detail-type': 'CodePipeline Stage Execution State Change',
  'detail': { 'pipeline': PIPELINE, 'execution-id': EXECUTION_ID, 'stage': 'Deploy', 'state': 'CANCELED', 'version': 3 },
};

export const actionFailed = {
  ...base,
  'detail-type': 'CodePipeline Action Execution State Change',
  'detail': {
    'pipeline': PIPELINE,
    'execution-id': EXECUTION_ID,
    'stage': 'Build',
    'action': 'Compile',
    'state': 'FAILED',
    'region': 'eu-west-1',
    'type': { owner: 'AWS', provider: 'CodeBuild', category: 'Build', version: '1' },
    'execution-result': {
      'external-execution-url': 'https://console.aws.amazon.com/codebuild/home?region=eu-west-1#/builds/my-app-build:0b7c/view/new',
      'external-execution-summary': 'Build terminated with state: FAILED',
      'external-execution-id': 'my-app-build:0b7c',
      'error-code': 'JobFailed',
    },
    'version': 3,
  },
};

export const actionFailedWithoutSummary = {
  ...base,
  'detail-type': 'CodePipeline Action Execution State Change',
  'detail': {
    'pipeline': PIPELINE,
    'execution-id': EXECUTION_ID,
    'stage': 'Deploy',
    'action': 'DeployStack',
    'state': 'FAILED',
    'region': 'eu-west-1',
    'type': { owner: 'AWS', provider: 'CloudFormation', category: 'Deploy', version: '1' },
    'version': 3,
  },
};

export const approvalNeeded = {
  ...base,
  'detail-type': 'CodePipeline Action Execution State Change',
  'detail': {
    'pipeline': PIPELINE,
    'execution-id': EXECUTION_ID,
    'stage': 'Prod',
    'action': 'Approve',
    'state': 'STARTED',
    'region': 'eu-west-1',
    'type': { owner: 'AWS', provider: 'Manual', category: 'Approval', version: '1' },
    'version': 3,
  },
};

/** GetPipelineExecution answer: a GitHub commit through a CodeStar connection. */
export const pipelineExecution = {
  pipelineName: PIPELINE,
  pipelineExecutionId: EXECUTION_ID,
  status: 'Failed' as const,
  artifactRevisions: [{
    name: 'Source',
    revisionId: '9c1f3e2a7b6d5c4e3f2a1b0c9d8e7f6a5b4c3d2e',
    revisionSummary: '{"ProviderType":"GitHub","CommitMessage":"Raise the build timeout\\n\\nThe integration tests need longer."}',
    revisionUrl: 'https://github.com/example/my-app/commit/9c1f3e2a7b6d5c4e3f2a1b0c9d8e7f6a5b4c3d2e',
  }],
  trigger: { triggerType: 'Webhook' as const, triggerDetail: 'arn:aws:codestar-connections:eu-west-1:111111111111:connection/abc' },
};

/** ListActionExecutions answer: the source succeeded, the build failed with error details. */
export const actionExecutions = [
  {
    pipelineExecutionId: EXECUTION_ID,
    stageName: 'Source',
    actionName: 'Checkout',
    status: 'Succeeded' as const,
    lastUpdateTime: new Date('2026-11-22T04:05:00Z'),
    input: { actionTypeId: { category: 'Source' as const, owner: 'AWS' as const, provider: 'CodeStarSourceConnection', version: '1' } },
  },
  {
    pipelineExecutionId: EXECUTION_ID,
    stageName: 'Build',
    actionName: 'Compile',
    status: 'Failed' as const,
    lastUpdateTime: new Date('2026-11-22T04:12:05Z'),
    input: { actionTypeId: { category: 'Build' as const, owner: 'AWS' as const, provider: 'CodeBuild', version: '1' } },
    output: {
      executionResult: {
        externalExecutionId: 'my-app-build:0b7c',
        externalExecutionSummary: 'Build terminated with state: FAILED',
        externalExecutionUrl: 'https://console.aws.amazon.com/codebuild/home?region=eu-west-1#/builds/my-app-build:0b7c/view/new',
        errorDetails: { code: 'JobFailed', message: 'Error while executing command: npm test. Reason: exit status 1' },
      },
    },
  },
  {
    pipelineExecutionId: EXECUTION_ID,
    stageName: 'Prod',
    actionName: 'Approve',
    status: 'InProgress' as const,
    lastUpdateTime: new Date('2026-11-22T04:12:06Z'),
    input: {
      actionTypeId: { category: 'Approval' as const, owner: 'AWS' as const, provider: 'Manual', version: '1' },
      configuration: { CustomData: 'Check the staging dashboard first.', ExternalEntityLink: 'https://dashboards.example.com/staging' },
    },
  },
];
