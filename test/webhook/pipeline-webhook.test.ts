import { App, Size, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Duration } from 'aws-cdk-lib/core';
import { CrossRegionCfnPipeline, PipelineSource, PipelineWebhook, WebhookAuth } from '../../src';
import { buildSpec, definePipeline, env } from '../pipelines/source-build-deploy-fixtures';
import { createTestApp, defaultsSnapshotTest, synthValidated, SynthResult } from '../util';

const KEY_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const IMPORTED_ARN = 'arn:aws:codepipeline:eu-west-1:111111111111:imported-pipeline';

/** A customer secret with its own key: a fixture of the test app, not defined by this library. */
function customerSecret(stack: Stack): secretsmanager.Secret {
  const key = kms.Key.fromKeyArn(stack, 'SecretKey', KEY_ARN);
  const secret = new secretsmanager.Secret(stack, 'CallerSecret', { encryptionKey: key });
  Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: 'test fixture: the caller\'s own secret, rotated by its owner' });
  return secret;
}

function cfnPipeline(app: App): CrossRegionCfnPipeline {
  const stack = new Stack(app, 'Cfn', { env });
  return new CrossRegionCfnPipeline(stack, 'Deploy', {
    source: PipelineSource.codeCommit(codecommit.Repository.fromRepositoryName(stack, 'Repo', 'app'), { branch: 'main' }),
    buildStep: { buildSpec },
    stackName: 'app',
    waves: [{ waveName: 'Canary', targets: [{ region: 'eu-west-1' }] }],
    allowEmptyExecutionPolicy: true,
  });
}

describe('PipelineWebhook', () => {
  let result: SynthResult;
  let hmac: Template;
  let iamTemplate: Template;
  let imported: Template;

  beforeAll(() => {
    const app = createTestApp();
    // 1. The one-liner on a SourceBuildDeployPipeline (HMAC by default); a variable added after the webhook is read at synth too.
    const sbd = definePipeline(new Stack(app, 'Stack', { env }), { variables: [new codepipeline.Variable({ variableName: 'ImageTag', defaultValue: 'latest' })] });
    sbd.addWebhook();
    sbd.pipeline.addVariable(new codepipeline.Variable({ variableName: 'Environment', defaultValue: 'staging' }));
    // 2. SigV4 on a CrossRegionCfnPipeline, with a caller granted.
    const cfn = cfnPipeline(app);
    const webhook = cfn.addWebhook({ auth: WebhookAuth.iam(), reservedConcurrency: 5, maxBodySize: Size.kibibytes(4), logVariableValues: true });
    webhook.grantInvoke(new iam.Role(cfn, 'Caller', { assumedBy: new iam.AccountPrincipal('222222222222') }));
    // 3. An imported pipeline (variables given), a customer secret with its own key, a 2-minute window.
    const stack = new Stack(app, 'Imported', { env });
    const pipeline = codepipeline.Pipeline.fromPipelineArn(stack, 'Pipeline', IMPORTED_ARN);
    new PipelineWebhook(stack, 'Webhook', { pipeline, variables: ['ReleaseId'], auth: WebhookAuth.hmac({ secret: customerSecret(stack), maxAge: Duration.minutes(2) }) });
    result = synthValidated(app);
    hmac = Template.fromJSON(result.templates.Stack);
    iamTemplate = Template.fromJSON(result.templates.Cfn);
    imported = Template.fromJSON(result.templates.Imported);
  });

  defaultsSnapshotTest('snapshot of the webhook resources', () => {
    const resources = Object.fromEntries(Object.entries(hmac.toJSON().Resources).filter(([id]) => id.startsWith('PipelineWebhook')));
    expect(resources).toMatchSnapshot();
  });

  test('addWebhook defines a public function URL whose function checks HMAC signatures with a generated secret', () => {
    hmac.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE' });
    hmac.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true } });
    hmac.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 2,
      Environment: {
        Variables: Match.objectLike({
          PIPELINE_NAME: { Ref: Match.stringLikeRegexp('^Pipeline') },
          WEBHOOK_AUTH: 'HMAC',
          MAX_AGE_SECONDS: '300',
          MAX_BODY_BYTES: '16384',
          LOG_VARIABLE_VALUES: 'false',
          SECRET_ARN: { Ref: Match.stringLikeRegexp('^PipelineWebhookSecret') },
        }),
      },
    });
  });

  test('the function gets exactly the variables declared on the pipeline at synth, and its source actions', () => {
    const fn = Object.values(hmac.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { WEBHOOK_AUTH: 'HMAC' } } } }))[0] as any;
    expect(JSON.parse(fn.Properties.Environment.Variables.PIPELINE_VARIABLES)).toEqual(['ImageTag', 'Environment']);
    expect(JSON.parse(fn.Properties.Environment.Variables.SOURCE_ACTIONS)).toEqual(['Source']);
  });

  test('the public URL and its permissions are acknowledged on exactly those constructs, with the HMAC check as the reason', () => {
    const acks = result.acknowledged.filter((a) => a.constructPath.startsWith('Stack/Pipeline/Webhook'));
    expect(acks.filter((a) => /lambda_function_url_auth_check|lambda_function_public_access_prohibited_check/.test(a.rule)).map((a) => `${a.constructPath} ${a.rule}`).sort()).toEqual([
      'Stack/Pipeline/Webhook/Function/invoke-function cdk-validator-cfnguard::lambda_function_public_access_prohibited_check',
      'Stack/Pipeline/Webhook/Function/invoke-function-url cdk-validator-cfnguard::lambda_function_public_access_prohibited_check',
      'Stack/Pipeline/Webhook/Url cdk-validator-cfnguard::lambda_function_url_auth_check',
    ].map((s) => s.replace('cdk-validator-cfnguard::', '')));
    for (const a of acks) expect(a.reason).toMatch(/./);
    expect(acks.find((a) => a.constructPath.endsWith('/Url'))!.reason).toMatch(/HMAC-SHA256 signature of the body .* constant time/);
  });

  test('WebhookAuth.iam() defines an AWS_IAM URL, no secret, and grantInvoke lets the caller use the URL', () => {
    iamTemplate.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM' });
    iamTemplate.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(Object.keys(iamTemplate.findResources('AWS::Lambda::Permission', { Properties: { Principal: '*' } }))).toEqual([]);
    iamTemplate.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 5,
      Environment: { Variables: Match.objectLike({ WEBHOOK_AUTH: 'IAM', MAX_BODY_BYTES: '4096', LOG_VARIABLE_VALUES: 'true', PIPELINE_VARIABLES: '[]' }) },
    });
    const policies = JSON.stringify(iamTemplate.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^DeployCaller') }] } }));
    expect(policies).toMatch(/lambda:InvokeFunctionUrl/);
  });

  test('an imported pipeline: the variables given, no source actions; a customer key is used through Secrets Manager only', () => {
    const fn = Object.values(imported.findResources('AWS::Lambda::Function'))[0] as any;
    expect(fn.Properties.Environment.Variables).toMatchObject({ PIPELINE_NAME: 'imported-pipeline', PIPELINE_VARIABLES: '["ReleaseId"]', MAX_AGE_SECONDS: '120' });
    expect(fn.Properties.Environment.Variables.SOURCE_ACTIONS).toBeUndefined();
    imported.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: 'kms:Decrypt', Effect: 'Allow', Resource: KEY_ARN, Condition: { StringEquals: { 'kms:ViaService': Match.anyValue() } } },
        ]),
      },
    });
  });

  test('a generated secret has no customer key, so the role gets no kms permission', () => {
    expect(JSON.stringify(hmac.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^PipelineWebhookRole') }] } }))).not.toMatch(/kms:/);
  });
});

describe('PipelineWebhook input', () => {
  const stackWithPipeline = () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env });
    return { app, stack, pipeline: definePipeline(stack, { variables: [new codepipeline.Variable({ variableName: 'ImageTag' })] }) };
  };

  test('fails when an option key is unknown, with the closest known key', () => {
    const { pipeline } = stackWithPipeline();
    expect(() => pipeline.addWebhook({ reservedConcurency: 2 } as any)).toThrow(/SourceBuildDeployPipeline 'Pipeline': options has an unknown key 'reservedConcurency' \(did you mean 'reservedConcurrency'\?\)/);
  });

  test('fails when reservedConcurrency, maxBodySize or maxAge is out of range', () => {
    const { stack, pipeline } = stackWithPipeline();
    expect(() => pipeline.addWebhook({ reservedConcurrency: 0 })).toThrow(/reservedConcurrency is a number \(0\), not an integer from 1 to 100/);
    expect(() => new PipelineWebhook(stack, 'W', { pipeline: pipeline.pipeline, maxBodySize: Size.mebibytes(2) })).toThrow(/PipelineWebhook 'W': maxBodySize is 2097152 bytes; pass from 256 bytes to 1 MiB/);
    expect(() => WebhookAuth.hmac({ maxAge: Duration.seconds(10) })).toThrow(/WebhookAuth.hmac: maxAge is 10 seconds; pass from 30 seconds to 1 hour/);
    expect(() => WebhookAuth.hmac({ secret: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:x' as any })).toThrow(/WebhookAuth.hmac: options.secret is a string .* not a Secrets Manager secret/);
  });

  test('fails at synth when variables names one the pipeline does not declare, listing the declared ones', () => {
    const { app, stack, pipeline } = stackWithPipeline();
    new PipelineWebhook(stack, 'W', { pipeline: pipeline.pipeline, variables: ['ImageTag', 'Region'] });
    expect(() => app.synth()).toThrow(/PipelineWebhook 'W': variables lists 'Region', not declared by the pipeline \(declared: ImageTag\)/);
  });

  test('fails at synth when the pipeline declares no variables but variables are given', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env });
    definePipeline(stack).addWebhook({ variables: ['ImageTag'] });
    expect(() => app.synth()).toThrow(/variables lists 'ImageTag', not declared by the pipeline \(declared: none\); declare it on the pipeline/);
  });

  test('fails at synth when the variable names would not fit in the function\'s environment', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env });
    const pipeline = codepipeline.Pipeline.fromPipelineArn(stack, 'P', IMPORTED_ARN);
    new PipelineWebhook(stack, 'W', { pipeline, variables: Array.from({ length: 30 }, (_, i) => `v${i}`.padEnd(120, 'x')) });
    expect(() => app.synth()).toThrow(/PipelineWebhook 'W': the variable names take \d+ characters in the function's environment, which Lambda limits to 4 KB/);
  });

  test('fails when addWebhook is called twice, or grantInvoke is used on an HMAC webhook', () => {
    const { pipeline } = stackWithPipeline();
    const webhook = pipeline.addWebhook();
    expect(() => pipeline.addWebhook()).toThrow(/addWebhook\(\) was called twice/);
    expect(() => webhook.grantInvoke(new iam.AccountRootPrincipal())).toThrow(/grantInvoke\(\) is for a webhook with WebhookAuth.iam\(\)/);
  });

  test('fails when the pipeline is in another region than the webhook', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env });
    const pipeline = codepipeline.Pipeline.fromPipelineArn(stack, 'P', 'arn:aws:codepipeline:us-east-1:111111111111:far');
    expect(() => new PipelineWebhook(stack, 'W', { pipeline })).toThrow(/pipeline 'P' is in region 'us-east-1', the webhook in 'eu-west-1'/);
  });
});
