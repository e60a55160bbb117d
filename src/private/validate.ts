// The one vocabulary of input kinds every public entry point checks its input with (see the comment below). Over
// 400 lines because it is a table of small kinds plus `checkProps`; split, a new kind would have two homes.
import { Duration, Stack, Stage, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { fail, where } from './errors';
import { CODEPIPELINE_NAME } from './names';

/**
 * Input validation at the construct boundary, for JavaScript/Python users and `as any`: every
 * public constructor, factory and bind method describes the shape of what it takes with the
 * kinds below and calls `checkProps` (or `checkArg`) first, so bad input ends in
 * `<Construct> '<id>': <prop> is <value>, not <kind>; pass <fix>.`, never in a TypeError.
 *
 * A kind checks one value that is present; `required(kind)` also rejects `undefined`.
 * Composite kinds (`arrayOf`, `mapOf`, `struct`) check their members with a path
 * (`stages[0].targets`). Tokens pass: a token string is a string, a token number a number.
 */
export interface Kind {
  /** What the value should be, for messages: 'an array', 'a Duration'. */
  readonly expected: string;
  /** How to give it, for messages: 'e.g. Duration.minutes(30)'. */
  readonly hint: string;
  /** Whether `undefined` is rejected. */
  readonly required?: boolean;
  /** Whether a token is rejected (a value our code or aws-cdk-lib reads at synth: a runOrder, a percentage in a name). */
  readonly literal?: boolean;
  /** A problem with a present value (`<path> is ...; <fix>.`), or undefined when it is fine. */
  check(value: unknown, path: string): string | undefined;
}

/** Describe any JavaScript value briefly, for messages: `a number (30)`, `an instance of Repository`. */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string': return Token.isUnresolved(value) ? 'a string token (a value known at synth or deploy time, e.g. a variable reference)'
      : `a string ('${value.length > 40 ? value.slice(0, 40) + '...' : value}')`;
    case 'number': return `a number (${value})`;
    case 'boolean': return `a boolean (${value})`;
    case 'bigint': return `a bigint (${value})`;
    case 'symbol': return 'a symbol';
    case 'function': return `a function${(value as Function).name ? ` (${(value as Function).name})` : ''}`;
  }
  if (Array.isArray(value)) return `an array of ${value.length}`;
  const proto = Object.getPrototypeOf(value);
  if (proto === null || proto === Object.prototype) {
    const keys = Object.keys(value as object);
    return keys.length === 0 ? 'an empty object' : `an object with ${keys.slice(0, 4).join(', ')}${keys.length > 4 ? ', ...' : ''}`;
  }
  const name = proto?.constructor?.name;
  return name ? `an instance of ${name}` : 'an object';
}

function simple(expected: string, hint: string, accepts: (value: unknown) => boolean): Kind {
  return {
    expected,
    hint,
    check: (value, path) => accepts(value) ? undefined : `${path} is ${describe(value)}, not ${expected}; pass ${hint}.`,
  };
}

/** `kind`, and `undefined` is an error (`<path> is missing; pass <hint>.`). */
export function required(kind: Kind): Kind {
  return { ...kind, check: kind.check, required: true };
}

/**
 * `kind`, and a token is an error: for numbers this library reads at synth (a runOrder it adds
 * to, a percentage it puts in a deployment configuration name, a threshold it checks), where a
 * CloudFormation parameter's `valueAsNumber` would be read as its encoding, a huge negative number.
 */
export function literal(kind: Kind): Kind {
  return { ...kind, literal: true };
}

/** Anything (values handed through untouched, e.g. CloudFormation parameter overrides). */
export const anything: Kind = simple('anything', 'any value', () => true);

/** A string (or a string token). */
export function str(hint = 'a string'): Kind {
  return simple('a string', hint, (v) => typeof v === 'string');
}

/** A number that is not NaN (or a number token). */
export function num(hint = 'a number'): Kind {
  return simple('a number', hint, (v) => typeof v === 'number' && !Number.isNaN(v));
}

/** An integer from `min` to `max` (a number token too, unless wrapped in `literal`): `int(1, 999, 'a runOrder, e.g. 2')`. */
export function int(min: number, max: number, hint = `an integer from ${min} to ${max}`): Kind {
  return simple(`an integer from ${min} to ${max}`, hint, (v) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max);
}

/** A construct id: a non-empty string (the `id` of `onApproved(id)` and the like). */
export const constructId: Kind = simple('a non-empty string', "a construct id, e.g. 'OnApproved'", (v) => typeof v === 'string' && v.length > 0);

/** A string matching `pattern` (or a string token): `matching('a variables namespace', /^[A-Za-z0-9@_-]{1,100}$/, "e.g. 'Build'")`. */
export function matching(expected: string, pattern: RegExp, hint: string): Kind {
  return simple(expected, hint, (v) => typeof v === 'string' && pattern.test(v));
}

/** A variables namespace of an action (CodePipeline's pattern). */
export const namespace: Kind = matching('a variables namespace (1-100 of A-Za-z0-9@_-)', /^[A-Za-z0-9@_-]{1,100}$/, "a namespace, e.g. 'BuildVariables'");

/**
 * An artifact name CodePipeline accepts but aws-cdk-lib cannot hold: its pipeline validation keys
 * artifacts by name in a plain object, where 'constructor' or 'valueOf' is already there (a TypeError at synth).
 */
export function checkArtifactName(scope: IConstruct | string, name: string, what: string): void {
  if (typeof name === 'string' && name in Object.prototype) {
    fail(scope, `${what} '${name}' is reserved (a member of every JavaScript object, which aws-cdk-lib keys artifacts in); choose another name.`);
  }
}

/** A pipeline name (CodePipeline's pattern). */
export const pipelineName: Kind = matching('a pipeline name (1-100 of A-Za-z0-9.@_-)', CODEPIPELINE_NAME, "a name, e.g. 'app-release'");

/** true or false. */
export const bool: Kind = simple('a boolean', 'true or false', (v) => typeof v === 'boolean');

/** An aws-cdk-lib `Duration`. */
export function duration(hint = 'e.g. Duration.minutes(30)'): Kind {
  return simple('a Duration', hint, (v) => v instanceof Duration);
}

/** A `Duration` of whole days, at least one (S3 lifecycle expiry counts days). */
export function wholeDays(hint = 'e.g. Duration.days(30)'): Kind {
  return {
    expected: 'a Duration of whole days',
    hint,
    check: (value, path) => {
      if (!(value instanceof Duration)) return `${path} is ${describe(value)}, not a Duration; pass ${hint}.`;
      if (value.isUnresolved()) return undefined;
      const days = value.toDays({ integral: false });
      return Number.isInteger(days) && days >= 1 ? undefined : `${path} is ${value.toHumanString()}, not a whole number of days (at least 1); pass ${hint}.`;
    },
  };
}

/**
 * Plain data (CloudFormation parameter overrides, Lambda user parameters): strings, numbers,
 * booleans, null, and plain arrays and objects of them, or tokens; not a construct or other class instance.
 */
export const plainData: Kind = simple('plain data (strings, numbers, booleans, lists and objects of them)', "a value, e.g. 'prod' or { key: 'value' }", isPlainData);

function isPlainData(value: unknown, depth = 0): boolean {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return true;
  if (typeof value !== 'object' || depth > 20) return false;
  if (Token.isUnresolved(value)) return true;
  if (Array.isArray(value)) return value.every((x) => isPlainData(x, depth + 1));
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && Object.values(value as object).every((x) => isPlainData(x, depth + 1));
}

/** An instance of `type` (an enum-like class, a value class): `instance(PipelineSource, 'PipelineSource.codeCommit(repo)')`. */
export function instance(type: Function, hint: string): Kind {
  return simple(`a ${type.name}`, hint, (v) => v instanceof type);
}

/** One of an enum's values: `oneOf('a SourceTrigger', Object.values(SourceTrigger), 'SourceTrigger.EVENTS')`. */
export function oneOf(expected: string, values: readonly unknown[], hint: string): Kind {
  return simple(expected, hint, (v) => values.includes(v));
}

/**
 * An object implementing an interface (`s3.IBucket`, `IStageGate`), recognised by members it must
 * have: `implementing('an s3.IBucket', 'a bucket, e.g. new s3.Bucket(...)', 'bucketArn')`.
 */
export function implementing(expected: string, hint: string, ...members: string[]): Kind {
  return simple(expected, hint, (v) => typeof v === 'object' && v !== null && members.every((m) => (v as any)[m] !== undefined));
}

/** A construct (the `scope` of a constructor). */
export const construct: Kind = simple('a construct', 'a construct, e.g. the Stack', (v) => Construct.isConstruct(v));

/** An array whose elements are `element` (`undefined` elements are errors). */
export function arrayOf(element: Kind, hint = `a list, e.g. [${element.hint.replace(/^(e\.g\.|a |an )/, '').trim()}]`): Kind {
  return {
    expected: 'an array',
    hint,
    check: (value, path) => {
      if (!Array.isArray(value)) return `${path} is ${describe(value)}, not an array; pass ${hint}.`;
      for (let i = 0; i < value.length; i++) {
        const problem = checkValue(required(element), value[i], `${path}[${i}]`);
        if (problem) return problem;
      }
      return undefined;
    },
  };
}

/** A map `{ [name: string]: element }`. */
export function mapOf(element: Kind, hint = 'an object mapping names to values'): Kind {
  return {
    expected: 'an object',
    hint,
    check: (value, path) => {
      if (!isPlainObject(value)) return `${path} is ${describe(value)}, not an object; pass ${hint}.`;
      for (const [key, member] of Object.entries(value as object)) {
        const problem = checkValue(element, member, `${path}.${key}`);
        if (problem) return problem;
      }
      return undefined;
    },
  };
}

/**
 * A props/options struct: a plain object whose members have the given kinds, and no other keys
 * (a misspelled key would otherwise drop what it meant to set without a word).
 */
export function struct(spec: { [prop: string]: Kind }, hint = `an object with ${Object.keys(spec).join(', ')}`): Kind {
  return {
    expected: 'an object',
    hint,
    check: (value, path) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return `${path} is ${describe(value)}, not an object; pass ${hint}.`;
      }
      const unknown = unknownKeys(value, spec, path || 'the object');
      if (unknown) return unknown;
      for (const prop of Object.keys(spec)) {
        const problem = checkValue(spec[prop], (value as any)[prop], path ? `${path}.${prop}` : prop);
        if (problem) return problem;
      }
      return undefined;
    },
  };
}

/** Any plain object whose keys are not ours to check (an EventBridge event pattern, CloudFormation resource properties). */
export function object(hint: string): Kind {
  return simple('an object', hint, (v) => typeof v === 'object' && v !== null && !Array.isArray(v));
}

/**
 * The keys of a plain object that `spec` does not list, as a message naming each with the
 * closest known key (`did you mean 'rollbackOnAlarms'?`) and the valid keys; undefined when
 * there are none. Only own enumerable string keys of plain objects count (`Object.keys`), and a
 * key is known only when it is the spec's own: 'constructor', 'toString' or '__proto__' is not.
 * Objects of a class are left alone (their members are read by name, like any props object).
 */
export function unknownKeys(value: object, spec: { [prop: string]: Kind }, path: string): string | undefined {
  if (!isPlainObject(value)) return undefined;
  const known = Object.keys(spec);
  const unknown = Object.keys(value).filter((key) => !Object.prototype.hasOwnProperty.call(spec, key));
  if (unknown.length === 0) return undefined;
  const named = unknown.slice(0, 5).map((key) => {
    const near = closest(key, known);
    return `${showKey(key)}${near ? ` (did you mean '${near}'?)` : ''}`;
  });
  const more = unknown.length > 5 ? ` and ${unknown.length - 5} more` : '';
  const valid = known.length === 0 ? 'it takes no keys' : `the valid keys are ${known.join(', ')}`;
  return `${path} has ${unknown.length === 1 ? 'an unknown key' : 'unknown keys'} ${named.join(', ')}${more}; ${valid} (a misspelled key would be ignored, so it is an error).`;
}

function showKey(key: string): string {
  const shown = key.length > 40 ? `${key.slice(0, 40)}...` : key;
  return `'${shown.replace(/[\u0000-\u001f]/g, '?')}'`;
}

/**
 * The known key closest to `key` by edit distance (Damerau-Levenshtein, optimal string
 * alignment, case-insensitive): when at most 2 edits or a third of the key apart, or one is a
 * prefix of the other (`build` for `buildStep`); undefined when none is that close.
 */
export function closest(key: string, known: readonly string[]): string | undefined {
  const k = key.toLowerCase();
  let best: { name: string; score: number } | undefined;
  for (const name of known) {
    const n = name.toLowerCase();
    const d = editDistance(k, n);
    const prefix = k.length >= 3 && (n.startsWith(k) || k.startsWith(n));
    const close = d <= 2 || d <= Math.floor(Math.max(k.length, n.length) / 3);
    if (!close && !prefix) continue;
    const score = close ? d : 100 + Math.abs(n.length - k.length);
    if (!best || score < best.score) best = { name, score };
  }
  return best?.name;
}

/** Edit distance counting an adjacent transposition as one edit (`emial` -> `email` is 1). */
export function editDistance(a: string, b: string): number {
  if (a.length > 100 || b.length > 100) return Math.max(a.length, b.length);
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push([i, ...new Array(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

function isPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function checkValue(kind: Kind, value: unknown, path: string): string | undefined {
  if (value === undefined) {
    return kind.required ? `${path} is missing; pass ${kind.hint}.` : undefined;
  }
  if (Token.isUnresolved(value) && typeof value !== 'object') {
    // A string token is never an object (e.g. target.output('Url') given where { value } goes).
    if (typeof value === 'string' && kind.expected === 'an object') return kind.check(value, path);
    if (!kind.literal) return undefined;
    return `${path} is a token (a CloudFormation parameter or another value known only at deploy time), not a literal; `
      + `it is read at synth, so pass a literal ${kind.hint.replace(/^(e\.g\.|a |an )\s*/, '')} in the app (choose it per stage in code, not per deployment with a parameter).`;
  }
  return kind.check(value, path);
}

/**
 * Check a constructor's or factory's props against `spec` (first thing it does): a key the spec
 * does not list is an error (with the closest known key), then each prop is checked. `props`
 * missing or not an object is an error too, unless every prop is optional (then `undefined` is `{}`).
 */
export function checkProps(scope: IConstruct | string, props: unknown, spec: { [prop: string]: Kind }, name = 'props'): void {
  const needed = Object.entries(spec).filter(([, kind]) => kind.required).map(([prop]) => prop);
  if (props === undefined || props === null) {
    if (needed.length === 0 && props === undefined) return;
    fail(scope, `${name} ${props === null ? 'is null' : 'is missing'}; pass an object with at least ${needed.join(', ')}.`);
  }
  if (typeof props !== 'object' || Array.isArray(props)) {
    fail(scope, `${name} is ${describe(props)}, not an object; pass an object with ${needed.length > 0 ? `at least ${needed.join(', ')}` : `any of ${Object.keys(spec).join(', ')}`}.`);
  }
  const unknown = unknownKeys(props as object, spec, name);
  if (unknown) fail(scope, unknown);
  for (const prop of Object.keys(spec)) {
    const problem = checkValue(spec[prop], (props as any)[prop], name === 'props' ? prop : `${name}.${prop}`);
    if (problem) fail(scope, problem);
  }
}

/** Check one positional argument (`repository` of `PipelineSource.codeCommit(repository)`). */
export function checkArg(scope: IConstruct | string, name: string, value: unknown, kind: Kind): void {
  const problem = checkValue(kind, value, name);
  if (problem) fail(scope, problem);
}

/**
 * The `(scope, id)` of a construct constructor: `scope` a construct, `id` a non-empty string.
 * Called before `super(scope, id)` would fail with constructs' own message.
 */
export function checkScope(type: string, scope: unknown, id: unknown): void {
  const me = `${type} '${typeof id === 'string' ? id : String(id)}'`;
  if (!Construct.isConstruct(scope)) fail(me, `scope is ${describe(scope)}, not a construct; pass the Stack (or a construct in it) as the first argument.`);
  if (typeof id !== 'string' || id.length === 0) fail(me, `id is ${describe(id)}, not a non-empty string; pass a construct id, e.g. 'Pipeline'.`);
}

/**
 * Actions in a region other than the pipeline's need a stack with a concrete region (aws-cdk-lib
 * defines a replication bucket stack per region): say so naming the action and the fix.
 */
export function checkCrossRegionEnv(scope: IConstruct, stageName: string, actionRegions: { actionName: string; region?: string }[]): void {
  const stack = Stack.of(scope);
  if (!Token.isUnresolved(stack.region)) return;
  const other = actionRegions.find((a) => a.region !== undefined && !Token.isUnresolved(a.region));
  if (other) {
    fail(scope, `stage '${stageName}', action '${other.actionName}' deploys to region '${other.region}' but stack '${stack.stackName}' has no region; `
      + `cross-region actions need a concrete pipeline region: give the stack an env, e.g. new Stack(app, '${stack.node.id}', { env: { account: '123456789012', region: 'us-east-1' } }).`);
  }
}

export { where };

/** aws-cdk-lib interfaces, recognised by a member each must have (no import of their modules here). */
export const cdk = {
  bucket: implementing('an s3.IBucket', 'a bucket, e.g. new s3.Bucket(this, \'Bucket\', { versioned: true }) or s3.Bucket.fromBucketName(...)', 'bucketArn', 'bucketName'),
  key: implementing('a kms.IKey', 'a key, e.g. new kms.Key(this, \'Key\', { enableKeyRotation: true })', 'keyArn'),
  role: implementing('an iam.IRole', 'a role, e.g. iam.Role.fromRoleArn(...)', 'roleArn', 'grantPrincipal'),
  topic: implementing('an sns.ITopic', 'a topic, e.g. new sns.Topic(this, \'Topic\')', 'topicArn'),
  codeCommitRepository: implementing('a codecommit.IRepository', 'a repository, e.g. codecommit.Repository.fromRepositoryName(this, \'Repo\', \'my-app\')', 'repositoryArn', 'repositoryCloneUrlHttp'),
  ecrRepository: implementing('an ecr.IRepository', 'a repository, e.g. ecr.Repository.fromRepositoryName(this, \'Repo\', \'my-app\')', 'repositoryArn', 'repositoryUri'),
  project: implementing('a codebuild.IProject', 'a project, e.g. new codebuild.PipelineProject(...)', 'projectArn'),
  buildImage: implementing('a codebuild.IBuildImage', 'an image, e.g. codebuild.LinuxBuildImage.STANDARD_7_0', 'imageId'),
  buildSpec: implementing('a codebuild.BuildSpec', 'e.g. codebuild.BuildSpec.fromObject({ ... })', 'toBuildSpec'),
  policyStatement: implementing('an iam.PolicyStatement', 'e.g. new iam.PolicyStatement({ actions: [...], resources: [...] })', 'toStatementJson'),
  policyDocument: implementing('an iam.PolicyDocument', 'e.g. new iam.PolicyDocument({ statements: [...] })', 'addStatements'),
  managedPolicy: implementing('an iam.IManagedPolicy', 'e.g. iam.ManagedPolicy.fromAwsManagedPolicyName(...)', 'managedPolicyArn'),
  action: implementing('a codepipeline.IAction', 'an action, e.g. new actions.ManualApprovalAction({ ... })', 'actionProperties', 'bind'),
  pipeline: implementing('a codepipeline.IPipeline', 'the pipeline, e.g. myPipeline.pipeline', 'pipelineArn', 'pipelineName'),
  variable: implementing('a codepipeline.Variable', 'e.g. new codepipeline.Variable({ variableName: \'tag\' })', 'variableName'),
  alarm: implementing('a cloudwatch.IAlarm', 'an alarm, e.g. new cloudwatch.Alarm(...)', 'alarmArn'),
  function: implementing('a lambda.IFunction', 'a function, e.g. lambda.Function.fromFunctionArn(...)', 'functionArn'),
  stateMachine: implementing('an sfn.IStateMachine', 'a state machine, e.g. sfn.StateMachine.fromStateMachineArn(...)', 'stateMachineArn'),
  ecsService: implementing('an ecs.IBaseService', 'a service, e.g. ecs.FargateService.fromFargateServiceAttributes(...)', 'serviceArn'),
  deploymentGroup: implementing('a codedeploy deployment group', 'a deployment group, e.g. codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(...)', 'deploymentGroupArn'),
  grantable: implementing('an iam.IGrantable', 'a role or user, e.g. iam.Role.fromRoleArn(...)', 'grantPrincipal'),
  artifact: instance(codepipeline.Artifact, "an artifact, e.g. new codepipeline.Artifact('CloudAssembly')"),
  l2Pipeline: implementing('a codepipeline.Pipeline', 'the pipeline, e.g. new codepipeline.Pipeline(this, \'Pipeline\', { ... })', 'pipelineArn', 'addStage'),
  stage: simple('a Stage', 'a CDK stage, e.g. new MyStage(app, \'Prod\', { env })', (x) => Stage.isStage(x)),
  stack: simple('a Stack', 'a stack, e.g. Stack.of(this)', (x) => Stack.isStack(x)),
  cluster: implementing('an eks.ICluster', 'a cluster, e.g. eks.Cluster.fromClusterAttributes(...)', 'clusterName', 'clusterArn'),
  securityGroup: implementing('an ec2.ISecurityGroup', 'e.g. ec2.SecurityGroup.fromSecurityGroupId(...)', 'securityGroupId'),
  subnet: implementing('an ec2.ISubnet', 'e.g. ec2.Subnet.fromSubnetId(...)', 'subnetId'),
  targetGroup: implementing('an elbv2.ITargetGroup', 'e.g. elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(...)', 'targetGroupArn'),
  stageGate: implementing('an IStageGate', 'a gate, e.g. new ApprovalGate(this, \'Approve\', { ... })', 'bindToStage'),
};

/** A list of strings. */
export const strings: Kind = arrayOf(str(), "a list of strings, e.g. ['a', 'b']");

/** An action's runOrder (a literal: the pipelines add to it and order actions by it at synth). */
export const runOrder: Kind = literal(int(1, 999, 'a runOrder from 1 to 999, e.g. 2'));

/** `BuildOptions` (the build step, and the base of a test). */
export const BUILD_OPTIONS_SPEC: { [prop: string]: Kind } = {
  actionName: str(),
  project: cdk.project,
  buildSpec: cdk.buildSpec,
  buildImage: cdk.buildImage,
  computeType: oneOf('a codebuild.ComputeType', Object.values(codebuild.ComputeType), 'e.g. codebuild.ComputeType.SMALL'),
  privileged: bool,
  timeout: duration('e.g. Duration.minutes(30)'),
  rolePolicy: arrayOf(cdk.policyStatement),
  environmentVariables: mapOf(struct({ value: required(anything) }, "e.g. { value: source.variable('CommitId') }"), "an object mapping names to { value }, e.g. { COMMIT: { value: source.variable('CommitId') } }"),
  variablesNamespace: str(),
  outputs: strings,
};
export const buildOptions: Kind = struct(BUILD_OPTIONS_SPEC, "build options, e.g. { buildSpec: codebuild.BuildSpec.fromSourceFilename('buildspec.yml') }");

/** The options of a gate rule's `bind` (`GateRuleBindOptions`). */
export const GATE_RULE_BIND_SPEC: { [prop: string]: Kind } = {
  pipeline: required(cdk.l2Pipeline), stageName: required(str("a stage name, e.g. 'Prod'")),
};

/** The options of a gate condition's `bind` (`GateConditionBindOptions`). */
export const GATE_BIND_SPEC: { [prop: string]: Kind } = { ...GATE_RULE_BIND_SPEC, ruleNamePrefix: str() };

/** `TestOptions`. */
export const testOptions: Kind = struct({
  ...BUILD_OPTIONS_SPEC,
  name: required(str("a test name, e.g. 'Integration'")),
  input: str(),
  extraInputs: strings,
}, "test options, e.g. { name: 'Unit', buildSpec: ... }");

/** `FailureNotificationsOptions`. */
export const FAILURE_NOTIFICATIONS_SPEC: { [prop: string]: Kind } = {
  topic: cdk.topic,
  emails: strings,
  slackChannels: arrayOf(implementing('a chatbot.SlackChannelConfiguration', 'e.g. new chatbot.SlackChannelConfiguration(...)', 'slackChannelConfigurationArn')),
  teamsChannels: arrayOf(implementing('a chatbot.CfnMicrosoftTeamsChannelConfiguration', 'e.g. new chatbot.CfnMicrosoftTeamsChannelConfiguration(...)', 'attrArn')),
  function: cdk.function,
  enrich: bool,
  notifyOnApproval: bool,
  deadLetterQueue: implementing('an sqs.IQueue', 'a queue, e.g. new sqs.Queue(...)', 'queueArn'),
  logRetention: oneOf('a logs.RetentionDays', Object.values(logs.RetentionDays).filter((d) => typeof d === 'number'), 'e.g. logs.RetentionDays.ONE_MONTH'),
  deliveryMetrics: bool,
};
export const failureNotificationsOptions: Kind = struct(FAILURE_NOTIFICATIONS_SPEC, 'notification options, e.g. { emails: [...] }');

/** `checkProps`, then the props (for a constructor that hands them to `super(...)`). */
export function checked<T>(scope: IConstruct | string, props: T, spec: { [prop: string]: Kind }, name = 'props'): T {
  checkProps(scope, props, spec, name);
  return props;
}
