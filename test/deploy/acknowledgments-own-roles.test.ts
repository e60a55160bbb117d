import { Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ArtifactStores } from '../../src/artifacts/artifact-stores';
import { grantStoreAccess } from '../../src/artifacts/store-access';
import { DeployTarget } from '../../src/deploy';
import { definePipeline, env } from '../pipelines/source-build-deploy-fixtures';
import { createTestApp, exemptFixtureFromControlTower, formatFindings, synthAndReport } from '../util';

/**
 * The harness findings of the app. `importsUnresolved`: leave out the IAM audit's IAM-NO-RESOURCE on an
 * `Fn::ImportValue`, which its offline resolver renders as `import-<export>` rather than the other stack's ARN
 * (a limit of the simulation, not of the policy: cdk-nag, cfn-lint and Control Tower still judge everything).
 */
function findings(app: ReturnType<typeof createTestApp>, importsUnresolved = false) {
  const result = synthAndReport(app);
  const kept = result.findings.filter((f) => !(importsUnresolved && f.plugin === 'IamAudit' && f.rule === 'IAM-NO-RESOURCE' && /names import-/.test(f.description)));
  return { result, text: formatFindings(kept) };
}

describe('cdk-nag: what this library grants a role the user owns is acknowledged where the policy is', () => {
  test('the artifact read granted to a user\'s own actionRole is acknowledged on that role, like its stack-ARN wildcards', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Stack', { env });
    // The user's role, in the pipeline's stack but outside the pipeline's subtree (a role of their own, mutable).
    const actionRole = new iam.Role(stack, 'MyDeployer', { assumedBy: new iam.AccountRootPrincipal() });
    definePipeline(stack, {
      stages: [{ stageName: 'Prod', targets: [DeployTarget.cloudFormation({ stackName: 'app', templatePath: 'template.yaml', changeSet: true, actionRole, allowEmptyExecutionPolicy: true })] }],
    });
    const { result, text } = findings(app);
    expect(text).toBe('');
    // What is acknowledged is the artifact grant on this role's policy, with the reason.
    const onRole = result.acknowledged.filter((a) => a.constructPath.startsWith('Stack/MyDeployer'));
    expect(onRole.map((a) => a.rule)).toEqual(expect.arrayContaining([expect.stringMatching(/^AwsSolutions-IAM5\[Action::s3:GetObject\*\]$/)]));
    // ...and the role really reads the artifact bucket.
    const policies = Template.fromJSON(result.templates.Stack).findResources('AWS::IAM::Policy');
    const mine = Object.entries<any>(policies).filter(([id]) => id.startsWith('MyDeployer')).flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    expect(mine.some((s) => [s.Action].flat().includes('s3:GetObject*'))).toBe(true);
  });

  test('store grants for a bucket of another stack are acknowledged in the stack holding the policy', () => {
    const app = createTestApp();
    const bucketStack = new Stack(app, 'Buckets', { env });
    const bucket = new s3.Bucket(bucketStack, 'Mine', { enforceSSL: true, versioned: true });
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'test fixture: a bucket the user passes in' });
    exemptFixtureFromControlTower(bucketStack, 'a bucket the user passes in is theirs to configure (ArtifactStores uses it as it is)');
    const stack = new Stack(app, 'Home', { env });
    const stores = new ArtifactStores(stack, 'Stores', { buckets: { 'eu-west-1': bucket } });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    grantStoreAccess(stores, stores.forRegion('eu-west-1'), role, true);
    const { result, text } = findings(app, true);
    expect(text).toBe('');
    const statements = Object.values<any>(Template.fromJSON(result.templates.Home).findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    // The policy reads the other stack's bucket through an import; the acknowledgment is on the policy in 'Home'.
    expect(JSON.stringify(statements)).toMatch(/Fn::ImportValue|Fn::GetStackOutput/);
    expect(result.acknowledged.filter((a) => a.constructPath.startsWith('Home/Role') && /Resource::.*\/\*\]$/.test(a.rule))).not.toEqual([]);
  });
});
