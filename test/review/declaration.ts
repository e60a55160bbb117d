/**
 * A synthesized pipeline's declaration in GetPipeline's shape (camelCase), from its template: what the
 * review handler reads of a deployed pipeline. Intrinsics are rendered simply: `Ref AWS::Partition` is
 * `aws`, `Ref AWS::AccountId` / `AWS::Region` the given home, other references `ref-<id>`; `Fn::Join`
 * joined. Enough for the action fields the review reads (configuration, region, roleArn).
 */
import type { ChangeSetRef } from '../../src/review/classify';
import { changeSetsOfStages } from '../../src/review/discover';

export interface Home {
  readonly account: string;
  readonly region: string;
}

export function render(v: any, home: Home): any {
  if (Array.isArray(v)) return v.map((x) => render(x, home));
  if (v && typeof v === 'object') {
    if ('Ref' in v) return v.Ref === 'AWS::Partition' ? 'aws' : v.Ref === 'AWS::AccountId' ? home.account : v.Ref === 'AWS::Region' ? home.region : v.Ref === 'AWS::URLSuffix' ? 'amazonaws.com' : `ref-${v.Ref}`;
    if ('Fn::GetAtt' in v) return `ref-${[].concat(v['Fn::GetAtt']).join('.')}`;
    if ('Fn::Join' in v) return (render(v['Fn::Join'][1], home) as any[]).join(v['Fn::Join'][0]);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, render(x, home)]));
  }
  return v;
}

/** The GetPipeline `pipeline` of the (only) AWS::CodePipeline::Pipeline of `template`. */
export function declarationOf(template: any, name: string, home: Home): any {
  const pipeline = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');
  const props = render(pipeline.Properties, home);
  return {
    name,
    roleArn: props.RoleArn,
    stages: props.Stages.map((s: any) => ({
      name: s.Name,
      actions: s.Actions.map((a: any) => ({
        name: a.Name,
        actionTypeId: {
          category: a.ActionTypeId.Category, owner: a.ActionTypeId.Owner, provider: a.ActionTypeId.Provider, version: a.ActionTypeId.Version,
        },
        runOrder: a.RunOrder,
        configuration: a.Configuration,
        region: a.Region,
        roleArn: a.RoleArn,
        namespace: a.Namespace,
      })),
    })),
  };
}

/** The change sets the review handler finds for the review action `review` (its UserParameters) of the pipeline in `template`. */
export function changeSetsFound(template: any, review: any, home: Home): ChangeSetRef[] {
  const params = JSON.parse(render(review.Configuration.UserParameters, home));
  return changeSetsOfStages(declarationOf(template, 'pipe', home), params.changeSetStages, { ...home, partition: 'aws', reviewRoleName: params.reviewRoleName });
}
