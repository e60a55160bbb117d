/**
 * One CodePipeline rule that `PipelineChecks` enforces.
 */
export interface PipelineRule {
  /** Rule id, e.g. `CDP-ARTIFACT-ORDER`. */
  readonly id: string;
  /** What the rule checks, in one line. */
  readonly description: string;
  /** How to fix a finding. */
  readonly fix: string;
}

/**
 * One finding of `PipelineChecks` on one pipeline.
 */
export interface PipelineFinding {
  /** Rule id, e.g. `CDP-ARTIFACT-ORDER`. */
  readonly ruleId: string;
  /** What is wrong, with the values found. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
  /**
   * Name of the stage the finding is about.
   *
   * @default - the finding is about the whole pipeline
   */
  readonly stageName?: string;
  /**
   * Name of the action the finding is about.
   *
   * @default - the finding is not about one action
   */
  readonly actionName?: string;
  /** Where in the resource, e.g. `Properties/Stages/1/Actions/0/InputArtifacts/0/Name`. */
  readonly location: string;
}

/**
 * The account and region of the stack that holds a pipeline, when known.
 */
export interface PipelineCheckEnvironment {
  /**
   * Account of the pipeline stack.
   *
   * @default - unknown: cross-account rules are skipped
   */
  readonly account?: string;
  /**
   * Region of the pipeline stack.
   *
   * @default - unknown: region rules report cross-region actions as unverifiable
   */
  readonly region?: string;
}
