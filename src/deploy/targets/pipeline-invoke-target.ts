import { Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import { Construct } from 'constructs';
import { fail } from '../../private/errors';
import { singleAction } from '../private/binder';
import { TargetKind } from '../private/target-kind';
import { requireV2Pipeline } from '../private/v2-only';

/** Options of `DeployTarget.pipelineInvoke`. */
export interface PipelineInvokeTargetOptions {
  /** The pipeline to start (not this one). */
  readonly pipeline: codepipeline.IPipeline;

  /**
   * Pipeline variables of the started execution, by name (values may be variables of this
   * pipeline, e.g. `'#{Build.IMAGE_TAG}'`).
   *
   * @default - none: the target pipeline's defaults
   */
  readonly variables?: { [name: string]: string };

  /**
   * Source revisions the started execution uses, per source action of the target pipeline.
   *
   * @default - the latest revision of each source
   */
  readonly sourceRevisions?: actions.SourceRevision[];

  /**
   * Name of the action.
   *
   * @default 'InvokePipeline'
   */
  readonly actionName?: string;
}

/** aws-cdk-lib's `PipelineInvokeAction` (codepipeline:StartPipelineExecution on the target only), refused on V1 and on itself. */
class CheckedPipelineInvokeAction extends actions.PipelineInvokeAction {
  constructor(private readonly where: string, private readonly target: codepipeline.IPipeline, props: actions.PipelineInvokeActionProps) {
    super(props);
  }

  protected bound(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    requireV2Pipeline(stage, this.where, 'the pipeline invoke action');
    if (stage.pipeline === this.target) {
      fail(this.where, 'pipeline is this pipeline itself, so every run would start the next one; name another pipeline.');
    }
    return super.bound(scope, stage, options);
  }
}

/** The actions of `DeployTarget.pipelineInvoke`. */
export function pipelineInvokeTarget(options: PipelineInvokeTargetOptions): TargetKind {
  return singleAction(options.actionName ?? 'InvokePipeline', (b) => {
    const variables = Object.entries(options.variables ?? {});
    for (const [name, value] of variables) {
      if (!/^[A-Za-z0-9@\-_]{1,128}$/.test(name)) {
        fail(b.where, `variables has the name '${name}'; pipeline variable names are 1-128 characters of A-Za-z0-9@-_.`);
      }
      if (!Token.isUnresolved(value) && (value.length < 1 || value.length > 1000)) {
        fail(b.where, `variables.${name} is ${value.length} characters; give a value of 1-1000 characters.`);
      }
    }
    const seen = new Set<string>();
    for (const r of options.sourceRevisions ?? []) {
      if (seen.has(r.actionName)) fail(b.where, `sourceRevisions names source action '${r.actionName}' twice; give one revision per source action.`);
      seen.add(r.actionName);
    }
    return new CheckedPipelineInvokeAction(b.where, options.pipeline, {
      actionName: b.name,
      runOrder: b.runOrder,
      targetPipeline: options.pipeline,
      variables: variables.length > 0 ? variables.map(([name, value]) => ({ name, value })) : undefined,
      sourceRevisions: options.sourceRevisions,
    });
  });
}
