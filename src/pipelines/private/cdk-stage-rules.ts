import { Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { CdkStageDeployment } from '../../cdk/stage-deployment';
import { fail } from '../../private/errors';

/**
 * The rules both pipelines hold CDK stages to, in the order they meet them: a CDK stage is
 * deployed once (a copy-paste of the same stage would leave an environment without its own), and
 * no two CDK stages deploy a stack of the same name to the same environment (the second would
 * overwrite the first). CrossRegionCfnPipeline places stages in waves, SourceBuildDeployPipeline
 * in deploy stages: `where` says which, e.g. "wave 'prod'" or "stage 'Prod'".
 */
export class CdkStageRules {
  private readonly stages = new Map<Stage, string>();
  private readonly stacks = new Map<string, string>();

  /** @param scope how errors name the pipeline */
  constructor(private readonly scope: IConstruct | string) {}

  /** A CDK stage placed at `where`: fails when it was placed before. */
  public addStage(stage: Stage, where: string): void {
    const other = this.stages.get(stage);
    if (other !== undefined) {
      fail(this.scope, `CDK stage '${stage.stageName}' is in ${other}${other === where ? ' twice' : ` and in ${where}`}; ` +
        'deploy each stage once: define one Stage per environment (new MyStage(app, \'Eu\', { env })).');
    }
    this.stages.set(stage, where);
  }

  /** The stacks of a described CDK stage: fails when another CDK stage deploys a stack of the same name to the same environment. */
  public addStacks(deployment: CdkStageDeployment): void {
    for (const stack of deployment.stacks) {
      const key = `${stack.account}/${stack.region}/${stack.stackName}`;
      const by = this.stacks.get(key);
      if (by !== undefined) {
        fail(this.scope, `stack '${stack.stackName}' in aws://${stack.account}/${stack.region} is deployed by CDK stages '${by}' and '${deployment.stageName}'; ` +
          'give the stacks distinct names (stackName) or the stages distinct environments.');
      }
      this.stacks.set(key, deployment.stageName);
    }
  }
}
