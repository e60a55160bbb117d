import { CfnCapabilities } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DeployTarget } from '../../src/deploy';
import { StackSetTargetOptions } from '../../src/deploy/targets/stack-set-target';
import { codeCommitSource, definePipeline, newStack, stage, stagesOf, validatedTemplate } from '../pipelines/source-build-deploy-fixtures';
import { acknowledgmentsIn } from '../util';

// DeployTarget.stackSet and DeployTarget.stackSetInstances in SourceBuildDeployPipeline (#22 §4).
const BASE: StackSetTargetOptions = { stackSetName: 'baseline', template: 'baseline.yaml', accounts: ['222222222222'], regions: ['eu-west-1'] };

describe('DeployTarget.stackSet', () => {
  let template: Template;
  let made: ReturnType<typeof newStack>;

  beforeAll(() => {
    made = newStack();
    definePipeline(made.stack, {
      stages: [
        {
          stageName: 'Pilot',
          targets: [DeployTarget.stackSet({
            ...BASE, parameters: { Env: 'prod' }, capabilities: [CfnCapabilities.NAMED_IAM], description: 'Baseline', failureTolerancePercentage: 10, maxAccountConcurrencyPercentage: 25,
          })],
        },
        { stageName: 'All', targets: [DeployTarget.stackSetInstances({ stackSetName: 'baseline', accounts: ['333333333333', '444444444444'], regions: ['eu-west-1', 'us-east-1'] })] },
      ],
    });
    template = validatedTemplate(made.app).template;
  });

  test('the CloudFormationStackSet action: the template in the build output, accounts, regions, self-managed', () => {
    const [action] = stage(template, 'Pilot').Actions;
    expect(action.Name).toBe('StackSet');
    expect(action.ActionTypeId).toEqual({ Category: 'Deploy', Owner: 'AWS', Provider: 'CloudFormationStackSet', Version: '1' });
    expect(action.Configuration).toMatchObject({
      StackSetName: 'baseline',
      TemplatePath: 'BuildOutput::baseline.yaml',
      DeploymentTargets: '222222222222',
      Regions: 'eu-west-1',
      PermissionModel: 'SELF_MANAGED',
      Capabilities: 'CAPABILITY_NAMED_IAM',
      Description: 'Baseline',
      FailureTolerancePercentage: 10,
      MaxConcurrentPercentage: 25,
    });
    expect(JSON.stringify(action.Configuration.Parameters)).toMatch(/Env.*prod/);
    expect(action.Configuration.AdministrationRoleArn).toBeDefined();
  });

  test('the CloudFormationStackInstances action of a later stage', () => {
    const [action] = stage(template, 'All').Actions;
    expect(action.Name).toBe('StackInstances');
    expect(action.ActionTypeId.Provider).toBe('CloudFormationStackInstances');
    expect(action.Configuration).toMatchObject({ StackSetName: 'baseline', DeploymentTargets: '333333333333,444444444444', Regions: 'eu-west-1,us-east-1' });
  });

  test('the self-managed administration role: its iam::* wildcard acknowledged on that role only, with the reason', () => {
    const admin = made.stack.node.findAll().find((c) => c.node.id === 'StackSetAdministrationRole' && c instanceof iam.Role)!;
    expect(admin.node.path).toContain('/Pilot/StackSet/');
    const acks = acknowledgmentsIn(admin);
    expect(acks.map((a) => a.rule)).toContain('AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/AWSCloudFormationStackSetExecutionRole]');
    expect(acks.find((a) => a.rule.includes('StackSetExecutionRole'))!.reason).toMatch(/only succeeds in accounts whose execution role trusts it/);
  });
});

describe('DeployTarget.stackSet: service-managed, from the source', () => {
  test('without a build the template is read from the source artifact; organizational units', () => {
    const { app, stack } = newStack();
    definePipeline(stack, {
      source: codeCommitSource(stack),
      buildStep: undefined,
      stages: [{
        stageName: 'Org',
        targets: [DeployTarget.stackSet({
          stackSetName: 'org-baseline',
          template: 'cfn/baseline.yaml',
          organizationalUnits: ['ou-ab12-cdefgh34'],
          regions: ['eu-west-1'],
          deploymentModel: cpactions.StackSetDeploymentModel.organizations({ autoDeployment: cpactions.StackSetOrganizationsAutoDeployment.ENABLED }),
        })],
      }],
    });
    const { template } = validatedTemplate(app);
    expect(stagesOf(template).map((s) => s.Name)).toEqual(['Source', 'Org']);
    const [action] = stage(template, 'Org').Actions;
    expect(action.Configuration).toMatchObject({
      TemplatePath: 'Source::cfn/baseline.yaml', PermissionModel: 'SERVICE_MANAGED', DeploymentTargets: 'ou-ab12-cdefgh34', Regions: 'eu-west-1', OrganizationsAutoDeployment: 'Enabled',
    });
    expect(stack.node.findAll().some((c) => c.node.id === 'StackSetAdministrationRole')).toBe(false);
  });
});

describe('DeployTarget.stackSet validation', () => {
  const orgs = cpactions.StackSetDeploymentModel.organizations();
  test.each<[string, Partial<StackSetTargetOptions>, RegExp]>([
    ['a bad name', { stackSetName: '1-baseline' }, /DeployTarget.stackSet: stackSetName '1-baseline' is not a stack set name CloudFormation accepts; use 1-128 characters/],
    ['no regions', { regions: [] }, /DeployTarget.stackSet: regions is empty; pass at least one region/],
    ['a bad region', { regions: ['europe'] }, /regions has 'europe', which is not a region name; pass a region like 'eu-west-1'/],
    ['neither accounts nor OUs', { accounts: undefined }, /options have neither accounts nor organizationalUnits; pass the accounts/],
    ['both', { organizationalUnits: ['ou-ab12-cdefgh34'], deploymentModel: orgs }, /options have both accounts and organizationalUnits; pass one/],
    ['a bad account', { accounts: ['2222'] }, /accounts has '2222', which is not a 12-digit account id/],
    ['no accounts', { accounts: [] }, /accounts is empty/],
    ['accounts, service-managed', { deploymentModel: orgs }, /options have accounts, but the deployment model is StackSetDeploymentModel.organizations\(\).*pass organizationalUnits instead/],
    ['OUs, self-managed', { accounts: undefined, organizationalUnits: ['ou-ab12-cdefgh34'] }, /options have organizationalUnits, but the stack set is self-managed.*pass deploymentModel: StackSetDeploymentModel.organizations\(\)/],
    ['a bad OU', { accounts: undefined, organizationalUnits: ['sales'], deploymentModel: orgs }, /organizationalUnits has 'sales', which is not an OU or root id/],
    ['a bad percentage', { failureTolerancePercentage: 120 }, /DeployTarget.stackSet: failureTolerancePercentage 120 is not a whole percentage; pass 0-100/],
    ['an unknown key', { regionz: ['eu-west-1'] } as any, /DeployTarget.stackSet.*regionz/],
  ])('%s fails at the factory, naming the value and the fix', (_name, overrides, message) => {
    expect(() => DeployTarget.stackSet({ ...BASE, ...overrides })).toThrow(message);
  });

  test.each([
    ['/abs/baseline.yaml', /template '\/abs\/baseline.yaml' is absolute, but the template is read from inside the default input/],
    ['../baseline.yaml', /template '\.\.\/baseline.yaml' leaves the default input/],
    ['BuildOutput::../x.yaml', /template '\.\.\/x.yaml' leaves the artifact 'BuildOutput'/],
    ['baseline-{region}.yaml', /has placeholders but a stack set deploys one template everywhere/],
    ['Missing::baseline.yaml', /template 'Missing' is an artifact nobody produces before this stage/],
  ])('template %j fails at synth naming the pipeline, stage and action', (templatePath, message) => {
    const define = () => definePipeline(newStack().stack, { stages: [{ stageName: 'Pilot', targets: [DeployTarget.stackSet({ ...BASE, template: templatePath })] }] });
    expect(define).toThrow(message);
    expect(define).toThrow(/SourceBuildDeployPipeline 'Pipeline': stage 'Pilot', action 'StackSet'/);
  });

  test('stackSetInstances: the same instance checks', () => {
    expect(() => DeployTarget.stackSetInstances({ stackSetName: 'baseline', regions: ['eu-west-1'] }))
      .toThrow(/DeployTarget.stackSetInstances: options have neither accounts nor organizationalUnits/);
    expect(() => DeployTarget.stackSetInstances({ stackSetName: 'baseline', regions: ['eu-west-1'], accounts: ['222222222222'], template: 'x.yaml' } as any))
      .toThrow(/DeployTarget.stackSetInstances.*template/);
  });
});
