/** CloudFormation JSON builders for `AWS::CodePipeline::Pipeline` properties (PascalCase, as synthesized). */

export const ACCOUNT = '111111111111';
export const OTHER_ACCOUNT = '222222222222';
export const REGION = 'eu-west-1';
export const ENV = { account: ACCOUNT, region: REGION };

export type Json = { [key: string]: any };

export function action(name: string, category: string, provider: string, inputs: string[] = [], outputs: string[] = [], extra: Json = {}): Json {
  const ret: Json = { Name: name, ActionTypeId: { Category: category, Owner: 'AWS', Provider: provider, Version: '1' } };
  if (inputs.length) ret.InputArtifacts = inputs.map((n) => ({ Name: n }));
  if (outputs.length) ret.OutputArtifacts = outputs.map((n) => ({ Name: n }));
  return { ...ret, ...extra };
}

export function source(name = 'Source', output = 'SourceOut', extra: Json = {}): Json {
  return action(name, 'Source', 'S3', [], [output], { Configuration: { S3Bucket: 'source-bucket', S3ObjectKey: 'source.zip' }, ...extra });
}

export function connectionSource(name = 'Source', output = 'SourceOut'): Json {
  return action(name, 'Source', 'CodeStarSourceConnection', [], [output], {
    Configuration: { ConnectionArn: `arn:aws:codeconnections:${REGION}:${ACCOUNT}:connection/abc`, FullRepositoryId: 'org/repo', BranchName: 'main' },
  });
}

export function build(name = 'Build', input = 'SourceOut', output: string | null = 'BuildOut', extra: Json = {}): Json {
  return action(name, 'Build', 'CodeBuild', [input], output ? [output] : [], { Configuration: { ProjectName: 'project' }, ...extra });
}

export function deploy(name = 'Deploy', input = 'BuildOut', extra: Json = {}): Json {
  return action(name, 'Deploy', 'S3', [input], [], { Configuration: { BucketName: 'deploy-bucket', Extract: 'true' }, ...extra });
}

export function approval(name = 'Approve', extra: Json = {}): Json {
  return action(name, 'Approval', 'Manual', [], [], extra);
}

export function stage(name: string, ...actions: Json[]): Json {
  return { Name: name, Actions: actions };
}

export function pipeline(stages: Json[], extra: Json = {}): Json {
  return { RoleArn: `arn:aws:iam::${ACCOUNT}:role/pipeline`, ArtifactStore: { Type: 'S3', Location: 'artifact-bucket' }, Stages: stages, ...extra };
}

/** A valid pipeline: S3 source -> CodeBuild -> S3 deploy. */
export function validPipeline(extra: Json = {}): Json {
  return pipeline([stage('Source', source()), stage('Build', build()), stage('Deploy', deploy())], extra);
}

export function store(location: string, encrypted = false): Json {
  return encrypted ? { Type: 'S3', Location: location, EncryptionKey: { Type: 'KMS', Id: `arn:aws:kms:${REGION}:${ACCOUNT}:key/k` } } : { Type: 'S3', Location: location };
}

export function stores(regions: string[], encrypted = false): Json[] {
  return regions.map((r) => ({ Region: r, ArtifactStore: store(`artifacts-${r}`, encrypted) }));
}

export function rulesOf(n: number): Json[] {
  return Array.from({ length: n }, (_, i) => ({
    Name: `Alarm${i}`,
    RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'CloudWatchAlarm', Version: '1' },
    Configuration: { AlarmName: `alarm-${i}` },
  }));
}
