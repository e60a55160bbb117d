import { Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { PipelineWebhook, WebhookAuth } from '../../src';
import { definePipeline, env, newStack } from '../pipelines/source-build-deploy-fixtures';
import { synthValidated } from '../util';
import { arnOfResource, simulate, SimulationRequest } from '../util/iam';

/**
 * The calls of the pipeline webhook (the Lambda function behind the function URL), simulated
 * offline against the synthesized policies: it starts its one pipeline, reads its one secret
 * (decrypting with the secret's customer key only through Secrets Manager) and writes its own log
 * group; everything else (another pipeline, stopping or changing this one, approving, another
 * secret, writing the secret, the key directly) is denied. With `WebhookAuth.iam()`, a granted
 * caller may invoke the URL of that function only.
 */
describe('IAM simulation: PipelineWebhook', () => {
  const ROLE = 'Stack/Pipeline/Webhook/Role';
  const CUSTOM_ROLE = 'Custom/Webhook/Role';
  const KEY_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const CUSTOM_SECRET = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:webhook-key-AbCdEf';
  /** The imported key's policy: KMS's default, which lets the account's IAM policies decide. */
  const KEY_POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'kms:*', Resource: '*' }] };
  const OTHER_PIPELINE = 'arn:aws:codepipeline:eu-west-1:111111111111:another-pipeline';
  let assembly: CloudAssembly;
  let pipelineArn: string;
  let secretArn: string;
  let logGroupArn: string;
  let functionArn: string;

  beforeAll(() => {
    const { app, stack } = newStack();
    definePipeline(stack, { variables: [new codepipeline.Variable({ variableName: 'ImageTag' })] }).addWebhook();
    // A customer secret with its own key, on an imported pipeline.
    const custom = new Stack(app, 'Custom', { env });
    const secret = secretsmanager.Secret.fromSecretAttributes(custom, 'Secret', {
      secretCompleteArn: CUSTOM_SECRET, encryptionKey: kms.Key.fromKeyArn(custom, 'Key', KEY_ARN),
    });
    new PipelineWebhook(custom, 'Webhook', {
      pipeline: codepipeline.Pipeline.fromPipelineArn(custom, 'Pipeline', 'arn:aws:codepipeline:eu-west-1:111111111111:custom'),
      auth: WebhookAuth.hmac({ secret }),
    });
    // SigV4 callers.
    const signed = new Stack(app, 'Signed', { env });
    const webhook = new PipelineWebhook(signed, 'Webhook', {
      pipeline: codepipeline.Pipeline.fromPipelineArn(signed, 'Pipeline', 'arn:aws:codepipeline:eu-west-1:111111111111:signed'),
      auth: WebhookAuth.iam(),
    });
    webhook.grantInvoke(new iam.Role(signed, 'Caller', { assumedBy: new iam.AccountRootPrincipal() }));
    assembly = synthValidated(app).assembly;
    pipelineArn = arnOfResource(assembly, 'Stack/Pipeline/Pipeline');
    secretArn = arnOfResource(assembly, 'Stack/Pipeline/Webhook/Secret');
    logGroupArn = arnOfResource(assembly, 'Stack/Pipeline/Webhook/Logs');
    functionArn = arnOfResource(assembly, 'Signed/Webhook/Function');
  });

  const expectRequest = async (principal: string, request: SimulationRequest, allowed: boolean) => {
    const outcome = await simulate(assembly, principal, request);
    expect(`${request.action} ${request.resource}: ${outcome.reason}`).toMatch(allowed ? /: Allowed/ : /: (ExplicitlyDenied|ImplicitlyDenied)/);
  };

  test('starts its pipeline, and no other; cannot stop, change, read or approve it', async () => {
    await expectRequest(ROLE, { action: 'codepipeline:StartPipelineExecution', resource: pipelineArn }, true);
    await expectRequest(ROLE, { action: 'codepipeline:StartPipelineExecution', resource: OTHER_PIPELINE }, false);
    for (const action of ['codepipeline:StopPipelineExecution', 'codepipeline:UpdatePipeline', 'codepipeline:GetPipeline', 'codepipeline:DeletePipeline']) {
      await expectRequest(ROLE, { action, resource: pipelineArn }, false);
    }
    await expectRequest(ROLE, { action: 'codepipeline:PutApprovalResult', resource: `${pipelineArn}/Prod/Approve` }, false);
  });

  test('reads its own secret\'s value, and nothing else of Secrets Manager; no KMS permission for the AWS managed key', async () => {
    await expectRequest(ROLE, { action: 'secretsmanager:GetSecretValue', resource: secretArn }, true);
    await expectRequest(ROLE, { action: 'secretsmanager:GetSecretValue', resource: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-password-AbCdEf' }, false);
    for (const action of ['secretsmanager:PutSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:DeleteSecret']) {
      await expectRequest(ROLE, { action, resource: secretArn }, false);
    }
    await expectRequest(ROLE, { action: 'kms:Decrypt', resource: KEY_ARN, context: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' }, resourcePolicy: KEY_POLICY }, false);
  });

  test('with a customer secret: reads it and decrypts with its key only through Secrets Manager', async () => {
    await expectRequest(CUSTOM_ROLE, { action: 'secretsmanager:GetSecretValue', resource: CUSTOM_SECRET }, true);
    await expectRequest(CUSTOM_ROLE, { action: 'kms:Decrypt', resource: KEY_ARN, context: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' }, resourcePolicy: KEY_POLICY }, true);
    await expectRequest(CUSTOM_ROLE, { action: 'kms:Decrypt', resource: KEY_ARN, context: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' }, resourcePolicy: KEY_POLICY }, false);
    await expectRequest(CUSTOM_ROLE, { action: 'kms:Decrypt', resource: KEY_ARN, resourcePolicy: KEY_POLICY }, false);
    await expectRequest(CUSTOM_ROLE, { action: 'kms:Encrypt', resource: KEY_ARN, context: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' }, resourcePolicy: KEY_POLICY }, false);
    await expectRequest(CUSTOM_ROLE, { action: 'kms:Decrypt', resource: 'arn:aws:kms:eu-west-1:111111111111:key/another', context: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' }, resourcePolicy: KEY_POLICY }, false);
  });

  test('writes its own log group and no other', async () => {
    const group = logGroupArn.replace(/:\*$/, '');
    for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents']) {
      await expectRequest(ROLE, { action, resource: `${group}:log-stream:2026/12/07/[$LATEST]0123456789abcdef` }, true);
      await expectRequest(ROLE, { action, resource: 'arn:aws:logs:eu-west-1:111111111111:log-group:/aws/lambda/another:log-stream:x' }, false);
    }
  });

  test('WebhookAuth.iam(): a granted caller may invoke that function\'s URL, not another function', async () => {
    const context = { 'lambda:FunctionUrlAuthType': 'AWS_IAM' };
    await expectRequest('Signed/Caller', { action: 'lambda:InvokeFunctionUrl', resource: functionArn, context }, true);
    await expectRequest('Signed/Caller', { action: 'lambda:InvokeFunctionUrl', resource: 'arn:aws:lambda:eu-west-1:111111111111:function:another', context }, false);
    await expectRequest('Signed/Caller', { action: 'lambda:UpdateFunctionCode', resource: functionArn }, false);
  });
});
