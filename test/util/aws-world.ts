/**
 * Worlds for the local AWS endpoint: pipelines with declarations, state and executions in the
 * shapes CodePipeline documents (GetPipeline, GetPipelineState, ListPipelineExecutions).
 */
import { FakeAccount, FakePipeline, FakeRegion, FakeWorld, OptInStatus } from './aws-endpoint';

export const ACCOUNT = '111111111111';
export const NOW = new Date();

const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);

/** Commit of a GitHub source through a CodeStar connection: the summary is JSON. */
export function commit(id: string, message: string, action = 'Source') {
  return {
    actionName: action,
    revisionId: id,
    revisionSummary: JSON.stringify({ ProviderType: 'GitHub', CommitMessage: message }),
    revisionUrl: `https://github.com/acme/app/commit/${id}`,
  };
}

export interface PipelineShape {
  /** Status of the newest execution. @default 'Succeeded' */
  readonly last?: 'Succeeded' | 'Failed' | 'InProgress';
  /** The Prod stage waits at its approval (needs last = InProgress). */
  readonly pendingApproval?: boolean;
  /** Minutes ago of the last success. @default 90 */
  readonly successMinutesAgo?: number;
  readonly variables?: { name: string; defaultValue?: string }[];
}

/** Source -> Build -> Prod (Approve, Deploy): two executions, the older succeeded. */
export function pipeline(name: string, shape: PipelineShape = {}): FakePipeline {
  const last = shape.last ?? 'Succeeded';
  const newer = { pipelineExecutionId: `${name}-e2`, status: last, startTime: minutesAgo(20), lastUpdateTime: minutesAgo(5), trigger: { triggerType: 'Webhook' }, sourceRevisions: [commit('9f8e7d6c5b4a39281706f5e4d3c2b1a098765432', 'Fix checkout rounding')] };
  const older = { pipelineExecutionId: `${name}-e1`, status: 'Succeeded', startTime: minutesAgo((shape.successMinutesAgo ?? 90) + 15), lastUpdateTime: minutesAgo(shape.successMinutesAgo ?? 90), trigger: { triggerType: 'Webhook' }, sourceRevisions: [commit('1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d', 'Add order history page')] };
  const ran = (exec: any, status: string, actions: [string, string, any?][]) => ({
    latestExecution: { pipelineExecutionId: exec.pipelineExecutionId, status },
    actionStates: actions.map(([actionName, s, extra]) => ({
      actionName, latestExecution: { status: s, lastStatusChange: minutesAgo(6), ...extra },
    })),
  });
  const prodOnOlder = last !== 'Succeeded' || shape.pendingApproval;
  const stageStates = [
    { stageName: 'Source', ...ran(newer, 'Succeeded', [['Source', 'Succeeded']]) },
    { stageName: 'Build', ...ran(newer, last === 'Failed' ? 'Failed' : 'Succeeded', [['Build', last === 'Failed' ? 'Failed' : 'Succeeded']]) },
    shape.pendingApproval
      ? { stageName: 'Prod', ...ran(newer, 'InProgress', [['Approve', 'InProgress', { token: `token-${name}`, summary: undefined }], ['Deploy', 'Succeeded']]) }
      : { stageName: 'Prod', ...ran(prodOnOlder ? older : newer, 'Succeeded', [['Approve', 'Succeeded'], ['Deploy', 'Succeeded']]) },
  ];
  return {
    name,
    declaration: {
      name,
      roleArn: `arn:aws:iam::${ACCOUNT}:role/${name}-PipelineRole`,
      pipelineType: 'V2',
      version: 1,
      artifactStore: { type: 'S3', location: `${name}-artifacts` },
      variables: shape.variables ?? [{ name: 'ReleaseLabel', defaultValue: 'none' }, { name: 'TargetEnv', defaultValue: 'prod' }],
      stages: [
        { name: 'Source', actions: [{ name: 'Source', actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' }, configuration: { FullRepositoryId: 'acme/app', BranchName: 'main' } }] },
        { name: 'Build', actions: [{ name: 'Build', actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' }, configuration: { ProjectName: `${name}-build` } }] },
        {
          name: 'Prod',
          actions: [
            { name: 'Approve', actionTypeId: { category: 'Approval', owner: 'AWS', provider: 'Manual', version: '1' }, configuration: { CustomData: 'Release to prod: check the canary dashboard', ExternalEntityLink: 'https://example.com/release-notes' }, runOrder: 1 },
            { name: 'Deploy', actionTypeId: { category: 'Deploy', owner: 'AWS', provider: 'CloudFormation', version: '1' }, roleArn: `arn:aws:iam::${ACCOUNT}:role/${name}-DeployRole`, configuration: { StackName: 'app-prod', ActionMode: 'CREATE_UPDATE' }, runOrder: 2 },
          ],
        },
      ],
    },
    stageStates,
    executions: [newer, older],
  };
}

export interface WorldShape {
  readonly regions: number;
  readonly pipelinesPerRegion: number;
  /** Regions (by name) whose CodePipeline calls answer AccessDenied. */
  readonly accessDenied?: string[];
  /** Extra regions that are not enabled (not-opted-in). */
  readonly disabled?: string[];
  readonly account?: string;
}

/** Real region names first, then made-up ones of the same form. */
export const REGION_NAMES = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3',
  'eu-central-1', 'eu-north-1', 'eu-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1',
  'ap-southeast-2', 'ap-south-1', 'sa-east-1', 'me-central-1', 'il-central-1', 'af-south-1', 'ap-east-1',
];

export function world(shape: WorldShape): FakeWorld {
  const account = shape.account ?? ACCOUNT;
  const regions: FakeRegion[] = REGION_NAMES.slice(0, shape.regions).map((name) => ({
    name,
    accessDenied: shape.accessDenied?.includes(name),
    pipelines: Array.from({ length: shape.pipelinesPerRegion }, (_, i) => pipeline(`app-${String(i + 1).padStart(2, '0')}`, {
      last: i % 10 === 3 ? 'Failed' : i % 10 === 5 ? 'InProgress' : 'Succeeded',
      pendingApproval: i % 10 === 5,
    })),
  }));
  for (const name of shape.disabled ?? []) regions.push({ name, optIn: 'not-opted-in' as OptInStatus, pipelines: [] });
  const accounts: FakeAccount[] = [{ id: account, regions }];
  return { accounts };
}
