/**
 * Find the change sets a review covers in the pipeline itself: GetJobDetails (the job's pipeline, by name
 * and ARN, and the account), then GetPipeline (its declaration), then every CloudFormation action in
 * CHANGE_SET_REPLACE mode of the given stages. The stack and change set come from the action's
 * configuration; the region from the action's `region` (else the pipeline's); the account from the
 * action's `roleArn` (else its configuration's `RoleArn`, else the pipeline's). A change set in another
 * account is described through the review role `reviewRoleName` of that account.
 */
// eslint-disable-next-line import/no-extraneous-dependencies
import { CodePipelineClient, GetJobDetailsCommand, GetPipelineCommand, type PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import type { ChangeSetRef } from './classify';

/** What the review learned of its pipeline and the change sets to describe. */
export interface DiscoveredChangeSets {
  readonly pipelineName: string;
  /** The pipeline execution the job belongs to. */
  readonly executionId?: string;
  readonly changeSets: ChangeSetRef[];
}

/** The account of an IAM role ARN (`arn:<partition>:iam::<account>:role/...`), if it is one. */
function accountOf(roleArn: string | undefined): string | undefined {
  return /^arn:[a-z-]+:iam::(\d{12}):role\//.exec(roleArn ?? '')?.[1];
}

export async function discoverChangeSets(codepipeline: CodePipelineClient, jobId: string, stages: readonly string[],
  reviewRoleName: string | undefined): Promise<DiscoveredChangeSets> {
  const details = (await codepipeline.send(new GetJobDetailsCommand({ jobId }))).jobDetails;
  const context = details?.data?.pipelineContext;
  const pipelineName = context?.pipelineName;
  if (!pipelineName) throw new Error(`GetJobDetails of job ${jobId} names no pipeline (pipelineContext.pipelineName)`);
  // arn:<partition>:codepipeline:<region>:<account>:<name>
  const arn = context?.pipelineArn?.split(':') ?? [];
  const partition = arn[1] || 'aws';
  const account = details?.accountId ?? arn[4];
  const region = arn[3] || await codepipeline.config.region();
  if (!account) throw new Error(`GetJobDetails of job ${jobId} names no account`);
  const pipeline = (await codepipeline.send(new GetPipelineCommand({ name: pipelineName }))).pipeline;
  const declaration = pipeline ?? { name: pipelineName, roleArn: undefined, stages: [] };
  return {
    pipelineName,
    executionId: context?.pipelineExecutionId,
    changeSets: changeSetsOfStages(declaration, stages, { account, region, partition, reviewRoleName }),
  };
}

/** Where the pipeline runs, for the actions that do not say. */
export interface PipelineHome {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  /** The review role's name in the other accounts. */
  readonly reviewRoleName?: string;
}

/** The change sets the CloudFormation CHANGE_SET_REPLACE actions of `stages` create. */
export function changeSetsOfStages(pipeline: PipelineDeclaration, stages: readonly string[], home: PipelineHome): ChangeSetRef[] {
  const { account, region, partition, reviewRoleName } = home;
  const pipelineName = pipeline.name;
  const changeSets: ChangeSetRef[] = [];
  for (const stageName of stages) {
    const stage = pipeline.stages?.find((s) => s.name === stageName);
    if (!stage) {
      throw new Error(`pipeline ${pipelineName} has no stage '${stageName}' (stages: ${(pipeline.stages ?? []).map((s) => s.name).join(', ')}); `
        + 'the review action\'s changeSetStages must name the stages holding the change-set actions');
    }
    for (const action of stage.actions ?? []) {
      const type = action.actionTypeId;
      const config = action.configuration ?? {};
      if (type?.category !== 'Deploy' || type.owner !== 'AWS' || type.provider !== 'CloudFormation' || config.ActionMode !== 'CHANGE_SET_REPLACE') continue;
      if (!config.StackName || !config.ChangeSetName) {
        throw new Error(`action '${action.name}' of stage '${stageName}' creates a change set without StackName and ChangeSetName in its configuration`);
      }
      const actionAccount = accountOf(action.roleArn) ?? accountOf(config.RoleArn) ?? account;
      let roleArn: string | undefined;
      if (actionAccount !== account) {
        if (!reviewRoleName) {
          throw new Error(`action '${action.name}' of stage '${stageName}' creates a change set in account ${actionAccount}, `
            + 'and the review action names no reviewRoleName to describe it there');
        }
        roleArn = `arn:${partition}:iam::${actionAccount}:role/${reviewRoleName}`;
      }
      changeSets.push({
        account: actionAccount, region: action.region ?? region, stackName: config.StackName, changeSetName: config.ChangeSetName, roleArn,
      });
    }
  }
  if (changeSets.length === 0) {
    throw new Error(`stage(s) ${stages.join(', ')} of pipeline ${pipelineName} hold no CloudFormation action creating a change set (ActionMode CHANGE_SET_REPLACE)`);
  }
  return changeSets;
}
