import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { DeployTarget } from '../../src/deploy/deploy-target';
import { definePipeline, newStack } from '../pipelines/source-build-deploy-fixtures';
import { Finding, formatFindings, synthAndReport } from '../util';
import { arnOfResource, findResource, identityPoliciesOf, simulate, SimulationRequest } from '../util/iam';

/**
 * The requests a run of `DeployTarget.stackSet` / `stackSetInstances` makes, simulated offline
 * against the synthesized policies: the stack set's own operations allowed, other stack sets,
 * other roles and other accounts' roles denied.
 */
const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const STACK_SET_ROLE = 'Stack/Pipeline/Pipeline/Pilot/StackSet/CodePipelineActionRole';
const INSTANCES_ROLE = 'Stack/Pipeline/Pipeline/All/StackInstances/CodePipelineActionRole';
const ADMIN_ROLE = 'Stack/Pipeline/Pipeline/Pilot/StackSet/StackSetAdministrationRole';
const OWN = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stackset/baseline:1a2b3c4d-5e6f`;
const OTHER = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stackset/other:1a2b3c4d-5e6f`;

let assembly: CloudAssembly;
let findings: Finding[];

async function expectRequest(principal: string, request: SimulationRequest, allowed: boolean) {
  const outcome = await simulate(assembly, principal, request);
  if (outcome.allowed !== allowed) {
    throw new Error(`${principal} ${request.action} on ${request.resource}: expected ${allowed ? 'Allowed' : 'denied'}, got ${outcome.reason}`);
  }
}

beforeAll(() => {
  const { app, stack } = newStack();
  definePipeline(stack, {
    failureNotifications: false,
    stages: [
      { stageName: 'Pilot', targets: [DeployTarget.stackSet({ stackSetName: 'baseline', template: 'baseline.yaml', accounts: ['222222222222'], regions: [REGION] })] },
      { stageName: 'All', targets: [DeployTarget.stackSetInstances({ stackSetName: 'baseline', accounts: ['333333333333'], regions: [REGION, 'us-east-1'] })] },
    ],
  });
  ({ assembly, findings } = synthAndReport(app));
});

describe('DeployTarget.stackSet IAM, simulated', () => {
  test('the simulated app passes the harness (cdk-nag, CloudFormation engine, PipelineChecks, Control Tower, IAM audit)', () => {
    expect(formatFindings(findings)).toBe('');
  });

  test('the stack set action role creates and updates its own stack set and passes only the administration role', async () => {
    const admin = arnOfResource(assembly, ADMIN_ROLE);
    await expectRequest(STACK_SET_ROLE, { action: 'cloudformation:CreateStackSet', resource: '*' }, true);
    await expectRequest(STACK_SET_ROLE, { action: 'cloudformation:UpdateStackSet', resource: OWN }, true);
    await expectRequest(STACK_SET_ROLE, { action: 'cloudformation:CreateStackInstances', resource: OWN }, true);
    await expectRequest(STACK_SET_ROLE, { action: 'cloudformation:DescribeStackSetOperation', resource: OWN }, true);
    await expectRequest(STACK_SET_ROLE, { action: 'iam:PassRole', resource: admin }, true);
    await expectRequest(STACK_SET_ROLE, { action: 'cloudformation:UpdateStackSet', resource: OTHER }, false);
    await expectRequest(STACK_SET_ROLE, { action: 'cloudformation:CreateStackInstances', resource: OTHER }, false);
    await expectRequest(STACK_SET_ROLE, { action: 'cloudformation:DeleteStackSet', resource: OWN }, false);
    await expectRequest(STACK_SET_ROLE, { action: 'iam:PassRole', resource: `arn:aws:iam::${ACCOUNT}:role/admin` }, false);
  });

  test('the instances action role adds instances to its stack set only', async () => {
    await expectRequest(INSTANCES_ROLE, { action: 'cloudformation:CreateStackInstances', resource: OWN }, true);
    await expectRequest(INSTANCES_ROLE, { action: 'cloudformation:CreateStackInstances', resource: OTHER }, false);
    await expectRequest(INSTANCES_ROLE, { action: 'cloudformation:UpdateStackSet', resource: OTHER }, false);
    await expectRequest(INSTANCES_ROLE, { action: 'iam:PassRole', resource: arnOfResource(assembly, ADMIN_ROLE) }, false);
  });

  test('the administration role assumes the standard execution role in the target accounts, nothing else', async () => {
    // The execution role's trust policy in the target account (set up there, outside this app) trusts the administration role.
    const trust = (role: string) => ({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: arnOfResource(assembly, ADMIN_ROLE) }, Action: 'sts:AssumeRole', Resource: `arn:aws:iam::222222222222:role/${role}` }],
    });
    const execution = 'arn:aws:iam::222222222222:role/AWSCloudFormationStackSetExecutionRole';
    await expectRequest(ADMIN_ROLE, { action: 'sts:AssumeRole', resource: execution, resourceAccount: '222222222222', resourcePolicy: trust('AWSCloudFormationStackSetExecutionRole') }, true);
    const other = 'arn:aws:iam::222222222222:role/OrganizationAccountAccessRole';
    await expectRequest(ADMIN_ROLE, { action: 'sts:AssumeRole', resource: other, resourceAccount: '222222222222', resourcePolicy: trust('OrganizationAccountAccessRole') }, false);
    await expectRequest(ADMIN_ROLE, { action: 'cloudformation:UpdateStackSet', resource: OWN }, false);
    expect(findResource(assembly, ADMIN_ROLE).template).toBeDefined();
    expect(identityPoliciesOf(assembly, findResource(assembly, ADMIN_ROLE)).length).toBeGreaterThan(0);
  });
});
