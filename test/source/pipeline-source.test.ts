import { Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { PipelineSource } from '../../src/source/pipeline-source';
import { SourceTrigger } from '../../src/source/source-options';
import { codeCommitSource, definePipeline, newStack, stage, validatedTemplate } from '../pipelines/source-build-deploy-fixtures';
import { exemptFixtureFromControlTower } from '../util';

const CONNECTION = 'arn:aws:codestar-connections:eu-west-1:111111111111:connection/0a1b2c3d-1111-2222-3333-444455556666';

function sourceAction(template: Template): any {
  return stage(template, 'Source').Actions[0];
}

/** Synthesize a validated pipeline around one source (no failure notifications: the source is under test). */
function synthWith(make: (stack: Stack) => PipelineSource): Template {
  const { app, stack } = newStack();
  definePipeline(stack, { source: make(stack), failureNotifications: false });
  return validatedTemplate(app).template;
}

function buildRolePolicies(template: Template): any[] {
  const [projectId] = Object.keys(template.findResources('AWS::CodeBuild::Project'));
  const roleRef = template.toJSON().Resources[projectId].Properties.ServiceRole['Fn::GetAtt'][0];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: any) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleRef }]))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

describe('PipelineSource.codeCommit', () => {
  test('snapshot: branch main, change detection by an EventBridge rule, no polling', () => {
    const template = synthWith((stack) => codeCommitSource(stack));
    const action = sourceAction(template);
    expect(action.ActionTypeId).toEqual({ Category: 'Source', Owner: 'AWS', Provider: 'CodeCommit', Version: '1' });
    expect(action.Configuration).toMatchObject({ BranchName: 'main', PollForSourceChanges: false });
    expect(action.OutputArtifacts).toEqual([{ Name: 'Source' }]);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.codecommit'], detail: { referenceName: ['main'], event: ['referenceCreated', 'referenceUpdated'] } }),
    });
    expect(template.toJSON()).toMatchSnapshot();
  });

  test('polls when trigger is POLL, and defines no rule', () => {
    const template = synthWith((stack) => codeCommitSource(stack, { trigger: SourceTrigger.POLL, branch: 'release/1.2' }));
    expect(sourceAction(template).Configuration).toMatchObject({ BranchName: 'release/1.2', PollForSourceChanges: true });
    template.resourceCountIs('AWS::Events::Rule', 0);
  });

  test('neither polls nor listens when trigger is NONE', () => {
    const template = synthWith((stack) => codeCommitSource(stack, { trigger: SourceTrigger.NONE, actionName: 'Checkout', variablesNamespace: 'SourceVariables' }));
    const action = sourceAction(template);
    expect(action.Configuration.PollForSourceChanges).toBe(false);
    expect(action.Name).toBe('Checkout');
    expect(action.Namespace).toBe('SourceVariables');
    template.resourceCountIs('AWS::Events::Rule', 0);
  });

  test('fullClone outputs a git clone and grants the build role codecommit:GitPull on exactly that repository', () => {
    const template = synthWith((stack) => codeCommitSource(stack, { fullClone: true }));
    expect(sourceAction(template).Configuration.OutputArtifactFormat).toBe('CODEBUILD_CLONE_REF');
    const pulls = buildRolePolicies(template).filter((s) => s.Action === 'codecommit:GitPull');
    expect(pulls.length).toBeGreaterThan(0);
    expect(pulls.every((s) => JSON.stringify(s.Resource).match(/"Fn::GetAtt":\["Repo[0-9A-F]+","Arn"\]/))).toBe(true);
  });

  test('grantFullClone grants nothing when the source is not a full clone', () => {
    const { stack } = newStack();
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    const grant = codeCommitSource(stack).grantFullClone(role);
    expect(grant.success).toBe(false);
    expect(role.node.tryFindChild('DefaultPolicy')).toBeUndefined();
  });

  test('grantFullClone grants GitPull on the repository to any principal', () => {
    const { stack } = newStack();
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    const grant = codeCommitSource(stack, { fullClone: true }).grantFullClone(role);
    expect(grant.success).toBe(true);
    const doc = stack.resolve((role.node.findChild('DefaultPolicy') as iam.Policy).document.toJSON());
    expect(doc.Statement).toEqual([{ Action: 'codecommit:GitPull', Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Repo/), 'Arn'] } }]);
  });

  test.each(['feature branch', 'a..b', '-x', 'x/', 'x.lock', 'a~1', ''])('fails when the branch %p is not a valid git branch name', (branch) => {
    const { stack } = newStack();
    const repo = new codecommit.Repository(stack, 'Repo', { repositoryName: 'app' });
    expect(() => PipelineSource.codeCommit(repo, { branch })).toThrow(/is not a valid git branch name; use a name like 'main'/);
  });
});

describe('PipelineSource.connection', () => {
  test('snapshot: GitHub through a connection, push trigger on, zip output', () => {
    const template = synthWith(() => PipelineSource.connection('my-org/my-app', { connectionArn: CONNECTION }));
    const action = sourceAction(template);
    expect(action.ActionTypeId.Provider).toBe('CodeStarSourceConnection');
    expect(action.Configuration).toEqual({ ConnectionArn: CONNECTION, FullRepositoryId: 'my-org/my-app', BranchName: 'main', DetectChanges: true });
    expect(template.toJSON()).toMatchSnapshot();
  });

  test('triggerOnPush false turns change detection off', () => {
    const template = synthWith(() => PipelineSource.connection('my-org/my-app', { connectionArn: CONNECTION, triggerOnPush: false, branch: 'develop' }));
    expect(sourceAction(template).Configuration).toMatchObject({ DetectChanges: false, BranchName: 'develop' });
  });

  test('fullClone grants codestar-connections:UseConnection on exactly that connection to the build role', () => {
    const template = synthWith(() => PipelineSource.connection('my-org/my-app', { connectionArn: CONNECTION, fullClone: true }));
    expect(sourceAction(template).Configuration.OutputArtifactFormat).toBe('CODEBUILD_CLONE_REF');
    const uses = buildRolePolicies(template).filter((s) => s.Action === 'codestar-connections:UseConnection');
    expect(uses.length).toBeGreaterThan(0);
    expect(uses.every((s) => s.Resource === CONNECTION)).toBe(true);
  });

  test('push and pull-request filters become a V2 pipeline trigger', () => {
    const template = synthWith(() => PipelineSource.connection('my-org/my-app', {
      connectionArn: CONNECTION,
      pushFilter: [{ branchesIncludes: ['main', 'release/*'], filePathsExcludes: ['docs/**'] }, { tagsIncludes: ['v*'] }],
      pullRequestFilter: [{ branchesIncludes: ['main'], events: [codepipeline.GitPullRequestEvent.OPEN, codepipeline.GitPullRequestEvent.UPDATED] }],
    }));
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      PipelineType: 'V2',
      Triggers: [{
        ProviderType: 'CodeStarSourceConnection',
        GitConfiguration: {
          SourceActionName: 'Source',
          Push: [
            { Branches: { Includes: ['main', 'release/*'] }, FilePaths: { Excludes: ['docs/**'] } },
            { Tags: { Includes: ['v*'] } },
          ],
          PullRequest: [{ Branches: { Includes: ['main'] }, Events: ['OPEN', 'UPDATED'] }],
        },
      }],
    });
  });

  test.each(['my-app', 'a/b/c', 'org/', '/repo', 'my org/app'])('fails when the repository %p is not owner/repo', (repo) => {
    expect(() => PipelineSource.connection(repo, { connectionArn: CONNECTION })).toThrow(/is not 'owner\/repo'; pass the owner/);
  });

  test('fails when the connection ARN is not a connection ARN', () => {
    expect(() => PipelineSource.connection('o/r', { connectionArn: 'arn:aws:iam::111111111111:role/x' })).toThrow(/connectionArn 'arn:aws:iam::111111111111:role\/x' is not a connection ARN/);
  });

  test('a codeconnections ARN is granted codeconnections:UseConnection (the prefix that matches it), to the action role and a full-clone build', () => {
    const arn = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/abc-123';
    const template = synthWith(() => PipelineSource.connection('my-org/my-app', { connectionArn: arn, fullClone: true }));
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const uses = statements.filter((st: any) => JSON.stringify(st.Action).includes('UseConnection'));
    expect(uses.map((st: any) => [st.Action, st.Resource])).toEqual([['codeconnections:UseConnection', arn], ['codeconnections:UseConnection', arn]]);
    expect(buildRolePolicies(template).some((st) => st.Action === 'codeconnections:UseConnection')).toBe(true);
  });

  test('accepts a CodeConnections ARN', () => {
    expect(() => PipelineSource.connection('o/r', { connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/abc-123' })).not.toThrow();
  });

  test('fails when there are more than 3 push filters', () => {
    const f = { tagsIncludes: ['v*'] };
    expect(() => PipelineSource.connection('o/r', { connectionArn: CONNECTION, pushFilter: [f, f, f, f] })).toThrow(/pushFilter has 4 filters; CodePipeline allows at most 3/);
  });

  test('fails when a filter list has more than 8 patterns', () => {
    const many = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
    expect(() => PipelineSource.connection('o/r', { connectionArn: CONNECTION, pushFilter: [{ branchesIncludes: many }] }))
      .toThrow(/pushFilter.branchesIncludes has 9 patterns; CodePipeline allows at most 8/);
  });

  test('fails when the branch is invalid', () => {
    expect(() => PipelineSource.connection('o/r', { connectionArn: CONNECTION, branch: 'bad branch' })).toThrow(/branch 'bad branch' is not a valid git branch name/);
  });
});

describe('PipelineSource.s3', () => {
  function sourceBucket(scope: Construct, props: s3.BucketProps = {}): s3.Bucket {
    const logs = new s3.Bucket(scope, 'SourceLogs', { enforceSSL: true });
    const bucket = new s3.Bucket(scope, 'SourceBucket', { versioned: true, enforceSSL: true, serverAccessLogsBucket: logs, ...props });
    exemptFixtureFromControlTower(logs, 'log bucket of the caller\'s source bucket');
    exemptFixtureFromControlTower(bucket, 'the caller\'s source bucket; its Control Tower posture is the caller\'s');
    return bucket;
  }

  test('snapshot: a versioned bucket, change detection by EventBridge (CloudTrail) events', () => {
    const { app, stack } = newStack();
    const bucket = sourceBucket(stack);
    // The source bucket's own log bucket is test scaffolding, not the construct under test.
    const logs = stack.node.findChild('SourceLogs');
    Validations.of(logs).acknowledge({ id: 'AwsSolutions-S1', reason: 'test fixture: log bucket of the source bucket' });
    definePipeline(stack, { source: PipelineSource.s3(bucket, 'source/app.zip'), failureNotifications: false });
    const template = validatedTemplate(app).template;
    const action = sourceAction(template);
    expect(action.ActionTypeId.Provider).toBe('S3');
    expect(action.Configuration).toMatchObject({ S3ObjectKey: 'source/app.zip', PollForSourceChanges: false });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ 'source': ['aws.s3'], 'detail-type': ['AWS API Call via CloudTrail'] }),
    });
    expect(template.toJSON()).toMatchSnapshot();
  });

  test('polls when trigger is POLL (imported bucket)', () => {
    const template = synthWith((stack) => PipelineSource.s3(s3.Bucket.fromBucketName(stack, 'Imported', 'my-source-bucket'), 'app.zip', { trigger: SourceTrigger.POLL }));
    expect(sourceAction(template).Configuration).toMatchObject({ S3Bucket: 'my-source-bucket', PollForSourceChanges: true });
    template.resourceCountIs('AWS::Events::Rule', 0);
  });

  test('fails when the bucket we can see is not versioned', () => {
    const { stack } = newStack();
    const bucket = new s3.Bucket(stack, 'Unversioned', { enforceSSL: true });
    expect(() => definePipeline(stack, { source: PipelineSource.s3(bucket, 'app.zip') }))
      .toThrow(/SourceBuildDeployPipeline 'Pipeline': S3 source bucket 'Stack\/Unversioned' is not versioned; .* Define it with `versioned: true`/);
  });

  test('fails when versioning was suspended through the L1 bucket', () => {
    const { stack } = newStack();
    const bucket = new s3.Bucket(stack, 'Suspended', { versioned: true });
    (bucket.node.defaultChild as s3.CfnBucket).versioningConfiguration = { status: 'Suspended' };
    expect(() => definePipeline(stack, { source: PipelineSource.s3(bucket, 'app.zip') })).toThrow(/is not versioned/);
  });

  test.each(['', '/app.zip', 'dir/'])('fails when the object key %p is not an object key', (key) => {
    const { stack } = newStack();
    expect(() => PipelineSource.s3(s3.Bucket.fromBucketName(stack, 'B', 'my-bucket'), key)).toThrow(/is not an object key/);
  });
});

describe('PipelineSource.ecr', () => {
  test('snapshot: image tag latest by default', () => {
    const template = synthWith((stack) => PipelineSource.ecr(ecr.Repository.fromRepositoryName(stack, 'Images', 'web')));
    const action = sourceAction(template);
    expect(action.ActionTypeId.Provider).toBe('ECR');
    expect(action.Configuration).toEqual({ RepositoryName: 'web', ImageTag: 'latest' });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.ecr'], detail: Match.objectLike({ 'image-tag': ['latest'] }) }),
    });
    expect(template.toJSON()).toMatchSnapshot();
  });

  test('watches the given image tag', () => {
    const template = synthWith((stack) => PipelineSource.ecr(ecr.Repository.fromRepositoryName(stack, 'Images', 'web'), { imageTag: 'release-1.0' }));
    expect(sourceAction(template).Configuration.ImageTag).toBe('release-1.0');
  });

  test('fails when the image tag is invalid', () => {
    const { stack } = newStack();
    expect(() => PipelineSource.ecr(ecr.Repository.fromRepositoryName(stack, 'Images', 'web'), { imageTag: 'bad tag' })).toThrow(/imageTag 'bad tag' is not a valid image tag/);
  });
});

describe('PipelineSource.bind on its own (for other pipeline constructs)', () => {
  test('binds to any scope, names the artifact, and gives the full-clone statement', () => {
    const { stack } = newStack();
    const binding = codeCommitSource(stack, { fullClone: true }).bind(stack, { artifactName: 'Checkout' });
    expect(binding.output.artifactName).toBe('Checkout');
    expect(binding.action.actionProperties.category).toBe(codepipeline.ActionCategory.SOURCE);
    expect(binding.fullClonePolicy?.toStatementJson().Action).toBe('codecommit:GitPull');
    expect(binding.triggers ?? []).toEqual([]);
  });

  test('fails when the artifact name is invalid', () => {
    const { stack } = newStack();
    expect(() => codeCommitSource(stack).bind(stack, { artifactName: 'bad.name' })).toThrow(/source artifact name 'bad.name' is invalid/);
  });
});

describe('trigger filters given to a source that cannot have them (issue 22)', () => {
  const pushFilter = [{ branchesIncludes: ['main'], filePathsIncludes: ['src/**'] }];
  const pullRequestFilter = [{ branchesIncludes: ['main'] }];
  test('fails when CodeCommit gets pushFilter or pullRequestFilter, saying to use branch or an EventBridge rule', () => {
    const stack = new Stack();
    const repo = codecommit.Repository.fromRepositoryName(stack, 'Repo', 'app');
    expect(() => PipelineSource.codeCommit(repo, { pushFilter } as any))
      .toThrow(/^PipelineSource\.codeCommit: options\.pushFilter is an option of PipelineSource\.connection only: .*would be ignored here; CodeCommit's pushes start the pipeline for `branch` only .*SourceTrigger\.NONE .*EventBridge rule/);
    expect(() => PipelineSource.codeCommit(repo, { branch: 'main', pullRequestFilter } as any)).toThrow(/^PipelineSource\.codeCommit: options\.pullRequestFilter is an option of PipelineSource\.connection only/);
    expect(() => PipelineSource.codeCommit(repo, { triggerOnPush: false } as any)).toThrow(/^PipelineSource\.codeCommit: options\.triggerOnPush is an option of PipelineSource\.connection only; use trigger: SourceTrigger\.EVENTS/);
  });
  test('fails when S3 gets a filter, saying the bucketKey decides', () => {
    const stack = new Stack();
    const bucket = s3.Bucket.fromBucketName(stack, 'B', 'sources');
    expect(() => PipelineSource.s3(bucket, 'app.zip', { pushFilter } as any)).toThrow(/^PipelineSource\.s3: options\.pushFilter is an option of PipelineSource\.connection only: .*new version of `bucketKey` only/);
  });
  test('fails when ECR gets a filter, saying the imageTag decides', () => {
    const stack = new Stack();
    const repo = ecr.Repository.fromRepositoryName(stack, 'E', 'app');
    expect(() => PipelineSource.ecr(repo, { pullRequestFilter } as any)).toThrow(/^PipelineSource\.ecr: options\.pullRequestFilter is an option of PipelineSource\.connection only: .*push of `imageTag` only/);
  });
  test('the same filters on a connection source are its V2 trigger', () => {
    const source = PipelineSource.connection('my-org/app', { connectionArn: CONNECTION, pushFilter, pullRequestFilter });
    const binding = source.bind(new Stack(), {});
    expect(binding.triggers).toHaveLength(1);
    expect(binding.triggers![0].gitConfiguration).toMatchObject({ pushFilter, pullRequestFilter });
  });
});
