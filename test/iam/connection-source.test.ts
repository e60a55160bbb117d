import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { PipelineSource } from '../../src/source/pipeline-source';
import { definePipeline, newStack } from '../pipelines/source-build-deploy-fixtures';
import { synthValidated } from '../util';
import { simulate } from '../util/iam';

/**
 * A connection source (GitHub, Bitbucket, GitLab) on a `codeconnections` ARN, what the console
 * creates since 2024, simulated offline: the source action role and, with a full clone, the build
 * project role may use exactly that connection, and no other.
 */
describe('IAM simulation: PipelineSource.connection on a codeconnections ARN', () => {
  const CONNECTION = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0f1e2d3c-aaaa-bbbb-cccc-123456789012';
  const OTHER = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/99999999-aaaa-bbbb-cccc-123456789012';
  const SOURCE_ROLE = 'Stack/Pipeline/Pipeline/Source/Source/CodePipelineActionRole';
  const BUILD_ROLE = 'Stack/Pipeline/BuildProject/Role';
  let assembly: CloudAssembly;

  beforeAll(() => {
    const { app, stack } = newStack();
    definePipeline(stack, { failureNotifications: false, source: PipelineSource.connection('my-org/my-app', { connectionArn: CONNECTION, fullClone: true }) });
    assembly = synthValidated(app).assembly;
  });

  test.each([['the source action role', SOURCE_ROLE], ['the full-clone build role', BUILD_ROLE]])('%s uses the connection, and no other', async (_name, role) => {
    const use = await simulate(assembly, role, { action: 'codeconnections:UseConnection', resource: CONNECTION });
    expect(use.reason).toMatch(/^Allowed/);
    const other = await simulate(assembly, role, { action: 'codeconnections:UseConnection', resource: OTHER });
    expect(other.reason).toMatch(/^(ExplicitlyDenied|ImplicitlyDenied)/);
    const manage = await simulate(assembly, role, { action: 'codeconnections:DeleteConnection', resource: CONNECTION });
    expect(manage.reason).toMatch(/^(ExplicitlyDenied|ImplicitlyDenied)/);
  });

  test('the pipeline role itself does not use the connection (only the source action role does)', async () => {
    const outcome = await simulate(assembly, 'Stack/Pipeline/Pipeline/Role', { action: 'codeconnections:UseConnection', resource: CONNECTION });
    expect(outcome.reason).toMatch(/^(ExplicitlyDenied|ImplicitlyDenied)/);
  });
});
