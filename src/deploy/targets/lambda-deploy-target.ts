import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { fail } from '../../private/errors';
import * as v from '../../private/validate';
import { escapeRegExp } from '../../private/wildcard-allowances';
import { singleAction } from '../private/binder';
import { TargetKind } from '../private/target-kind';
import { requireV2Pipeline } from '../private/v2-only';

/** The longest a Lambda deploy action's traffic shift may wait in total (CodePipeline: 2 days). */
const MAX_WAIT_MINUTES = 2 * 24 * 60;

/**
 * How CodePipeline's Lambda deploy action shifts the alias to the new version
 * (the action's `DeployStrategy`).
 */
export class DeployStrategy {
  /** All traffic at once (CodePipeline's default). */
  public static allAtOnce(): DeployStrategy {
    return new DeployStrategy('AllAtOnce');
  }

  /**
   * `percent` of the traffic first, the rest after `interval`: renders `Canary<P>Percent<M>Minutes`.
   *
   * @param percent 1-99, an integer
   * @param interval whole minutes, at most 2 days
   */
  public static canary(percent: number, interval: Duration): DeployStrategy {
    const p = checkPercent('canary', percent);
    const m = checkMinutes('canary', interval, 1);
    return new DeployStrategy(`Canary${p}Percent${m}Minutes`);
  }

  /**
   * `percent` more of the traffic every `interval` until all of it: renders
   * `Linear<P>PercentEvery<M>Minute(s)`.
   *
   * @param percent 1-99, an integer
   * @param interval whole minutes; all steps together at most 2 days
   */
  public static linear(percent: number, interval: Duration): DeployStrategy {
    const p = checkPercent('linear', percent);
    const steps = Math.ceil(100 / p) - 1;
    const m = checkMinutes('linear', interval, steps);
    return new DeployStrategy(`Linear${p}PercentEvery${m}${m === 1 ? 'Minute' : 'Minutes'}`);
  }

  /** The value of the action's `DeployStrategy`. */
  public readonly value: string;

  private constructor(value: string) {
    this.value = value;
  }
}

function checkPercent(kind: string, percent: number): number {
  v.checkArg(`DeployStrategy.${kind}`, 'percent', percent, v.required(v.literal(v.num('an integer from 1 to 99'))));
  if (!Number.isInteger(percent) || percent < 1 || percent > 99) {
    fail(`DeployStrategy.${kind}`, `percent is ${percent}; pass an integer from 1 to 99.`);
  }
  return percent;
}

function checkMinutes(kind: string, interval: Duration, steps: number): number {
  v.checkArg(`DeployStrategy.${kind}`, 'interval', interval, v.required(v.duration('whole minutes, e.g. Duration.minutes(5)')));
  if (interval.isUnresolved()) fail(`DeployStrategy.${kind}`, 'interval is a token; pass a literal Duration in whole minutes.');
  const minutes = interval.toMinutes({ integral: false });
  if (!Number.isInteger(minutes) || minutes < 1) {
    fail(`DeployStrategy.${kind}`, `interval is ${interval.toHumanString()}; pass whole minutes, at least 1 (Duration.minutes(n)).`);
  }
  if (minutes * steps > MAX_WAIT_MINUTES) {
    fail(`DeployStrategy.${kind}`, `interval ${minutes} minutes makes the traffic shift wait ${minutes * steps} minutes in total; `
      + `CodePipeline allows at most 2 days (${MAX_WAIT_MINUTES} minutes): shorten the interval or raise the percentage.`);
  }
  return minutes;
}

/** Options of `DeployTarget.lambdaDeploy`. */
export interface LambdaDeployTargetOptions {
  /** The function to deploy; it must already have a published version. */
  readonly function: lambda.IFunction;

  /**
   * Name of the alias to move to the new version. It must exist and point at one version when
   * the run starts (the version CodePipeline rolls back to).
   *
   * @default - no alias: the artifact is deployed to `$LATEST` and a version is published
   * (then `deployStrategy` and `targetVersion` cannot be given)
   */
  readonly aliasName?: string;

  /**
   * An already published version to move the alias to (the action's `PublishedTargetVersion`;
   * may be a variable such as `#{variables.version}`). Needs `aliasName`.
   *
   * @default - the version the action publishes from the input artifact
   */
  readonly targetVersion?: string;

  /**
   * How traffic shifts to the new version. Needs `aliasName`.
   *
   * @default DeployStrategy.allAtOnce() (CodePipeline's default, not rendered)
   */
  readonly deployStrategy?: DeployStrategy;

  /**
   * Alarms that fail the action (and roll the alias back) when one goes to ALARM (at most 10).
   *
   * @default - none
   */
  readonly alarms?: cloudwatch.IAlarm[];

  /**
   * The artifact holding the code: `'ArtifactName'`.
   *
   * @default - the default input; with `targetVersion` and no `input`, still the default input
   */
  readonly input?: string;

  /**
   * Name of the action.
   *
   * @default 'DeployLambda'
   */
  readonly actionName?: string;
}

interface LambdaDeployActionProps {
  readonly actionName: string;
  readonly runOrder: number;
  readonly where: string;
  readonly options: LambdaDeployTargetOptions;
  readonly input: codepipeline.Artifact;
}

/**
 * CodePipeline's Lambda deploy action (Deploy/AWS/Lambda, V2 only); aws-cdk-lib has no L2.
 * Its role may update, publish and alias this one function, and describe the given alarms.
 */
class LambdaDeployAction extends codepipeline.Action {
  protected readonly providedActionProperties: codepipeline.ActionProperties;

  constructor(private readonly props: LambdaDeployActionProps) {
    super();
    this.providedActionProperties = {
      actionName: props.actionName,
      runOrder: props.runOrder,
      category: codepipeline.ActionCategory.DEPLOY,
      provider: 'Lambda',
      artifactBounds: { minInputs: 0, maxInputs: 1, minOutputs: 0, maxOutputs: 0 },
      inputs: [props.input],
      resource: props.options.function,
    };
  }

  protected bound(_scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    requireV2Pipeline(stage, this.props.where, 'the Lambda deploy action');
    const o = this.props.options;
    const fn = o.function;
    options.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: [
        'lambda:GetFunction', 'lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionCode', 'lambda:PublishVersion',
        'lambda:ListVersionsByFunction', 'lambda:GetAlias', 'lambda:UpdateAlias', 'lambda:GetProvisionedConcurrencyConfig',
      ],
      resources: [fn.functionArn, `${fn.functionArn}:*`],
    }));
    const alarms = o.alarms ?? [];
    if (alarms.length > 0) {
      options.role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['cloudwatch:DescribeAlarms'],
        resources: alarms.map((a) => a.alarmArn),
      }));
    }
    options.bucket.grantRead(options.role);
    return {
      configuration: {
        FunctionName: fn.functionName,
        FunctionAlias: o.aliasName,
        PublishedTargetVersion: o.targetVersion,
        DeployStrategy: o.deployStrategy?.value,
        Alarms: alarms.length > 0 ? alarms.map((a) => a.alarmName).join(',') : undefined,
      },
    };
  }
}

/** The actions of `DeployTarget.lambdaDeploy`. */
export function lambdaDeployTarget(options: LambdaDeployTargetOptions): TargetKind {
  return singleAction(options.actionName ?? 'DeployLambda', (b) => {
    if (options.aliasName === undefined) {
      if (options.deployStrategy) fail(b.where, `deployStrategy '${options.deployStrategy.value}' needs aliasName; name the alias to shift, or drop deployStrategy.`);
      if (options.targetVersion !== undefined) fail(b.where, `targetVersion '${options.targetVersion}' needs aliasName; name the alias to move, or drop targetVersion.`);
    } else if (!Token.isUnresolved(options.aliasName) && !/^(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}$/.test(options.aliasName)) {
      fail(b.where, `aliasName '${options.aliasName}' is not a Lambda alias name; use 1-128 characters of a-zA-Z0-9-_, not only digits.`);
    }
    if (options.targetVersion !== undefined && !Token.isUnresolved(options.targetVersion)
      && !/^([0-9]+|#\{[^}]+\})$/.test(options.targetVersion)) {
      fail(b.where, `targetVersion '${options.targetVersion}' is not a published version number; pass digits (e.g. '12') or a variable '#{namespace.name}'.`);
    }
    const alarms = options.alarms ?? [];
    if (alarms.length > 10) fail(b.where, `alarms has ${alarms.length} alarms; the Lambda deploy action monitors at most 10: combine them with a CompositeAlarm.`);
    const action = new LambdaDeployAction({
      actionName: b.name,
      runOrder: b.runOrder,
      where: b.where,
      options,
      input: b.artifact(options.input, 'input'),
    });
    const fnArn = options.function.functionArn;
    b.allow([{
      resourcePattern: (flatten) => new RegExp(`^${escapeRegExp(flatten(fnArn))}:\\*$`),
      onlyActions: [
        'lambda:GetFunction', 'lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionCode', 'lambda:PublishVersion',
        'lambda:ListVersionsByFunction', 'lambda:GetAlias', 'lambda:UpdateAlias', 'lambda:GetProvisionedConcurrencyConfig',
      ],
      reason: 'Versions and aliases of this one function (function:<name>:*): the Lambda deploy action publishes a version whose number is not known at synth, '
        + 'reads the provisioned concurrency of the alias and its versions, and moves the alias to the new version.',
    }]);
    return action;
  });
}
