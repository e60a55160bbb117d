import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { DeployTarget } from '../../src/deploy/deploy-target';
import { definePipeline, newStack } from '../pipelines/source-build-deploy-fixtures';
import { Finding, formatFindings, synthAndReport } from '../util';
import { arnOfResource, findResource, simulate, SimulationRequest } from '../util/iam';

/**
 * The requests a run of a SourceBuildDeployPipeline makes, simulated offline (iam-simulate) against
 * the policies it synthesizes: what each role must be able to do is allowed, the rest denied.
 */
const SECURE = { 'aws:SecureTransport': 'true' };
const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const PIPELINE_ROLE = 'Stack/Pipeline/Pipeline/Role';
const BUILD_ACTION_ROLE = 'Stack/Pipeline/Pipeline/Build/Build/CodePipelineActionRole';
const PREPARE_ROLE = 'Stack/Pipeline/Pipeline/Prod/app-Prepare/CodePipelineActionRole';
const EXECUTE_ROLE = 'Stack/Pipeline/Pipeline/Prod/app-Execute/CodePipelineActionRole';

let assembly: CloudAssembly;
let findings: Finding[];
const requests: string[] = [];

async function expectRequest(principal: string, request: SimulationRequest, allowed: boolean) {
  const outcome = await simulate(assembly, principal, request);
  requests.push(`${principal} ${request.action} ${request.resource} -> ${outcome.result}`);
  if (outcome.allowed !== allowed) {
    throw new Error(`${principal} ${request.action} on ${request.resource}: expected ${allowed ? 'Allowed' : 'denied'}, got ${outcome.reason}`);
  }
  return outcome;
}

beforeAll(() => {
  const { app, stack } = newStack();
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  key.addToResourcePolicy(new iam.PolicyStatement({
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  }));
  definePipeline(stack, {
    failureNotifications: false,
    encryptionKey: key,
    stages: [{ stageName: 'Prod', targets: [DeployTarget.cloudFormation({ stackName: 'app', templatePath: 'template.yaml', allowEmptyExecutionPolicy: true, changeSet: true })] }],
  });
  // Simulations read the policies whatever the validators say; the validators are judged in their own test.
  ({ assembly, findings } = synthAndReport(app));
});

afterAll(() => {
  // eslint-disable-next-line no-console
  if (process.env.CDP_IAM_REQUESTS) console.log(`${requests.length} simulated requests:\n${requests.join('\n')}`);
});

describe('SourceBuildDeployPipeline IAM, simulated', () => {
  test('the simulated app passes the harness (cdk-nag, CloudFormation engine, PipelineChecks, Control Tower, IAM audit)', () => {
    expect(formatFindings(findings)).toBe('');
  });

  test('the pipeline role reads and writes its artifact bucket over TLS and uses its key, nothing else', async () => {
    const bucket = arnOfResource(assembly, 'Stack/Pipeline/ArtifactBucket');
    const keyArn = arnOfResource(assembly, 'Stack/Key');
    await expectRequest(PIPELINE_ROLE, { action: 's3:PutObject', resource: `${bucket}/Pipeline/Source/abc.zip`, context: SECURE }, true);
    await expectRequest(PIPELINE_ROLE, { action: 's3:GetObject', resource: `${bucket}/Pipeline/Source/abc.zip`, context: SECURE }, true);
    await expectRequest(PIPELINE_ROLE, { action: 's3:GetObject', resource: `${bucket}/Pipeline/Source/abc.zip`, context: { 'aws:SecureTransport': 'false' } }, false);
    await expectRequest(PIPELINE_ROLE, { action: 's3:GetObject', resource: 'arn:aws:s3:::another-bucket/x.zip', context: SECURE }, false);
    await expectRequest(PIPELINE_ROLE, { action: 'kms:GenerateDataKey', resource: keyArn }, true);
    await expectRequest(PIPELINE_ROLE, { action: 'kms:Decrypt', resource: keyArn }, true);
    await expectRequest(PIPELINE_ROLE, { action: 'kms:Decrypt', resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-0000-0000-0000-000000000000`, resourcePolicy: false }, false);
  });

  test('the pipeline role assumes each action role of the pipeline and no other role', async () => {
    for (const role of [BUILD_ACTION_ROLE, PREPARE_ROLE, EXECUTE_ROLE, 'Stack/Pipeline/Pipeline/Source/Source/CodePipelineActionRole']) {
      await expectRequest(PIPELINE_ROLE, { action: 'sts:AssumeRole', resource: arnOfResource(assembly, role) }, true);
    }
    await expectRequest(PIPELINE_ROLE, { action: 'sts:AssumeRole', resource: `arn:aws:iam::${ACCOUNT}:role/some-other-role` }, false);
    await expectRequest(PIPELINE_ROLE, { action: 'sts:AssumeRole', resource: arnOfResource(assembly, 'Stack/Pipeline/BuildProject/Role') }, false);
  });

  test('only the build action role starts the build, and only of its project', async () => {
    const project = arnOfResource(assembly, 'Stack/Pipeline/BuildProject');
    await expectRequest(BUILD_ACTION_ROLE, { action: 'codebuild:StartBuild', resource: project }, true);
    await expectRequest(BUILD_ACTION_ROLE, { action: 'codebuild:BatchGetBuilds', resource: project }, true);
    await expectRequest(BUILD_ACTION_ROLE, { action: 'codebuild:StartBuild', resource: `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/another-project` }, false);
    await expectRequest(PIPELINE_ROLE, { action: 'codebuild:StartBuild', resource: project }, false);
    await expectRequest(PREPARE_ROLE, { action: 'codebuild:StartBuild', resource: project }, false);
  });

  test('the CloudFormation action roles change their own stack and pass its execution role, never another stack', async () => {
    const own = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/app/1a2b3c4d`;
    const other = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/app-other/1a2b3c4d`;
    const deploymentRoles = Object.values<any>(findResource(assembly, PREPARE_ROLE).template.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Role' && JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('cloudformation.amazonaws.com'));
    expect(deploymentRoles).toHaveLength(1);
    const executionRole = arnOfResource(assembly, 'Stack/Pipeline/Pipeline/Prod/app-Prepare/Role');
    const changeSet = { 'cloudformation:ChangeSetName': 'app-changes' };
    await expectRequest(PREPARE_ROLE, { action: 'cloudformation:CreateChangeSet', resource: own, context: changeSet }, true);
    await expectRequest(PREPARE_ROLE, { action: 'cloudformation:DescribeStacks', resource: own }, true);
    await expectRequest(PREPARE_ROLE, { action: 'iam:PassRole', resource: executionRole, context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } }, true);
    await expectRequest(EXECUTE_ROLE, { action: 'cloudformation:ExecuteChangeSet', resource: own, context: changeSet }, true);
    await expectRequest(PREPARE_ROLE, { action: 'cloudformation:CreateChangeSet', resource: other, context: changeSet }, false);
    await expectRequest(EXECUTE_ROLE, { action: 'cloudformation:ExecuteChangeSet', resource: other, context: changeSet }, false);
    await expectRequest(PREPARE_ROLE, { action: 'cloudformation:DeleteStack', resource: own }, false);
    await expectRequest(PREPARE_ROLE, { action: 'iam:PassRole', resource: `arn:aws:iam::${ACCOUNT}:role/admin` }, false);
    await expectRequest(EXECUTE_ROLE, { action: 'iam:PassRole', resource: executionRole }, false);
  });
});

describe('SourceBuildDeployPipeline IAM, a target in another account, simulated', () => {
  const TARGET = '222222222222';
  let crossAccount: CloudAssembly;
  let supportRoles: string[];

  beforeAll(() => {
    const { app, stack } = newStack();
    definePipeline(stack, {
      failureNotifications: false,
      stages: [{ stageName: 'Prod', targets: [DeployTarget.cloudFormation({ stackName: 'app', templatePath: 'template.yaml', allowEmptyExecutionPolicy: true, account: TARGET, changeSet: true })] }],
    });
    const result = synthAndReport(app);
    expect(formatFindings(result.findings)).toBe('');
    crossAccount = result.assembly;
    // The action and deployment roles aws-cdk-lib defines in the target account's support stack.
    supportRoles = Object.entries<any>(result.templates[`cross-account-support-stack-${TARGET}`].Resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Role').map(([id]) => id);
  });

  test('the roles in the target account decrypt the artifacts with the pipeline account\'s artifact key', async () => {
    expect(supportRoles.some((id) => /DeploymentRole/.test(id))).toBe(true);
    const key = arnOfResource(crossAccount, 'Stack/Pipeline/ArtifactKey');
    for (const role of supportRoles.filter((id) => /PrepareDeploymentRole|PrepareActionRole/.test(id))) {
      // aws:ResourceAccount is set by AWS on every request; the simulator needs it in the context.
      const context = { 'kms:ViaService': `s3.${REGION}.amazonaws.com`, 'aws:ResourceAccount': ACCOUNT };
      const outcome = await simulate(crossAccount, role, { action: 'kms:Decrypt', resource: key, context });
      expect(`${role}: ${outcome.reason}`).toMatch(/: Allowed/);
    }
  });

  test('aws-cdk-lib\'s kms:Decrypt on "*" holds only for keys of the pipeline account: a key of the target account or a third account is denied', async () => {
    for (const role of supportRoles) {
      for (const account of [TARGET, '333333333333']) {
        const key = `arn:aws:kms:${REGION}:${account}:key/00000000-0000-0000-0000-000000000000`;
        // A key policy that leaves the decision to the target account's IAM policies: its own default key policy,
        // or a third account sharing its key with the target account. Only the role's identity policy can deny.
        const resourcePolicy = {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TARGET}:root` }, Action: 'kms:*', Resource: '*' }],
        };
        const context = { 'aws:ResourceAccount': account };
        const outcome = await simulate(crossAccount, role, { action: 'kms:Decrypt', resource: key, resourcePolicy, resourceAccount: account, context });
        expect(`${role} on ${key}: ${outcome.reason}`).toMatch(/: (ExplicitlyDenied|ImplicitlyDenied)/);
      }
    }
  });
});
