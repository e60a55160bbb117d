import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { Construct } from 'constructs';

/** Where a rule is being used: the stage whose condition holds it, in which pipeline. */
export interface GateRuleBindOptions {
  /** The pipeline whose stage condition holds the rule; rules grant what they need to its role. */
  readonly pipeline: codepipeline.Pipeline;

  /** Name of the stage whose condition holds the rule. */
  readonly stageName: string;
}

/** What a rule renders into its `RuleDeclaration`. */
export interface GateRuleConfig {
  /** The rule's configuration, exactly as the rule reference names the keys. */
  readonly configuration: { [key: string]: string };

  /**
   * The region the rule runs in.
   *
   * @default - the pipeline's region
   */
  readonly region?: string;

  /**
   * Shell commands of the rule (`Commands`; the `Commands` rule only).
   *
   * @default - none
   */
  readonly commands?: string[];

  /**
   * Names of the artifacts the rule reads (`InputArtifacts`).
   *
   * @default - none
   */
  readonly inputArtifacts?: string[];
}

/** Options every typed rule takes. */
export interface GateRuleOptions {
  /**
   * Name of the rule in the stage condition (`[A-Za-z0-9.@_-]{1,100}`, unique in the pipeline).
   *
   * @default - `<stage>.<Kind><n>`, e.g. `Prod.Alarm1`
   */
  readonly ruleName?: string;
}

/**
 * A typed CodePipeline stage-condition rule: one subclass per rule provider
 * (`CloudWatchAlarmRule`, `DeploymentWindowRule`, `LambdaInvokeRule`, `VariableCheckRule`, `CodeBuildRule`, `CommandsRule`).
 * A rule validates its configuration when constructed and, when bound, grants the pipeline role
 * exactly what the rule needs. Compose rules into a `GateCondition`, or give them to an `ApprovalGate`.
 *
 * To support another provider, extend this class and implement `bind`.
 */
export abstract class GateRule {
  /** The rule provider, e.g. `CloudWatchAlarm`. */
  public readonly provider: string;

  /** The rule type version. */
  public readonly version: string;

  /** The name chosen for the rule, if any. */
  public readonly ruleName?: string;

  /** Short word for default rule names (`Alarm` gives `Prod.Alarm1`). */
  public readonly kind: string;

  /**
   * Whether CodePipeline allows this rule in an entry condition whose result is SKIP
   * (only `LambdaInvoke` and `VariableCheck` are).
   */
  public readonly supportsSkip: boolean;

  /**
   * @param provider the rule provider, as in the CodePipeline rule reference
   * @param kind short word for default rule names
   * @param supportsSkip whether the rule may be used in an entry condition with result SKIP
   * @param options the name of the rule
   */
  protected constructor(provider: string, kind: string, supportsSkip: boolean, options: GateRuleOptions = {}) {
    this.provider = provider;
    this.version = '1';
    this.kind = kind;
    this.supportsSkip = supportsSkip;
    this.ruleName = options.ruleName;
  }

  /**
   * Render the rule's configuration and grant the pipeline role what the rule needs.
   * Called once per stage condition that uses the rule.
   */
  public abstract bind(scope: Construct, options: GateRuleBindOptions): GateRuleConfig;
}
