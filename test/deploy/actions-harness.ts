import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DeployTarget } from '../../src/deploy/deploy-target';
import { definePipeline, newStack } from '../pipelines/source-build-deploy-fixtures';
import { Finding, formatFindings, synthAndReport } from '../util';

/**
 * The harness for the tests of the newer actions (issue 14): synthesize through the full harness
 * (CloudFormation engine, cdk-nag, PipelineChecks, Control Tower guard rules, IAM audit) and fail
 * on every finding that the plain fixture pipeline (one CloudFormation target) does not already
 * have at the same construct path. The pipeline's own findings are being fixed in
 * SourceBuildDeployPipeline; once they are, this is exactly `synthValidated`.
 */
export function harnessTemplate(app: App, options: HarnessOptions = {}): Template {
  const result = synthAndReport(app);
  const known = baseline(options.crossAccount ?? false);
  const added = result.findings.filter((f) => !known.has(key(f)));
  if (added.length > 0) {
    throw new Error(`${added.length} validation finding(s) beyond the fixture pipeline's own [flag set ${result.flagSet}]:\n${formatFindings(added)}`);
  }
  return Template.fromJSON(result.templates[options.stackId ?? 'Stack']);
}

export interface HarnessOptions {
  /** @default 'Stack' */
  readonly stackId?: string;
  /**
   * Compare with the fixture pipeline deploying to another account (its artifact key is then
   * customer-managed, and its findings are the pipeline's).
   *
   * @default false
   */
  readonly crossAccount?: boolean;
}

/** The findings of the same app with something else inside it (for tests that assert findings). */
export function findingsOf(app: App): Finding[] {
  return synthAndReport(app).findings;
}

const cached = new Map<boolean, Set<string>>();
function baseline(crossAccount: boolean): Set<string> {
  if (!cached.has(crossAccount)) {
    const { app, stack } = newStack();
    definePipeline(stack, crossAccount
      ? { stages: [{ stageName: 'Prod', targets: [DeployTarget.cloudFormation({ stackName: 'app', templatePath: 'template.yaml', allowEmptyExecutionPolicy: true, account: '222222222222' })] }] }
      : {});
    cached.set(crossAccount, new Set(synthAndReport(app).findings.map(key)));
  }
  return cached.get(crossAccount)!;
}

function key(f: Finding): string {
  return `${f.plugin}|${f.rule}|${f.constructPath}`;
}
