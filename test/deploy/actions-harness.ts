import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { definePipeline, newStack } from '../pipelines/source-build-deploy-fixtures';
import { Finding, formatFindings, synthAndReport } from '../util';

/**
 * The harness for the tests of the newer actions (issue 14): synthesize through the full harness
 * (CloudFormation engine, cdk-nag, PipelineChecks, Control Tower guard rules, IAM audit) and fail
 * on every finding that the plain fixture pipeline (one CloudFormation target) does not already
 * have at the same construct path. The pipeline's own findings are being fixed in
 * SourceBuildDeployPipeline; once they are, this is exactly `synthValidated`.
 */
export function harnessTemplate(app: App, stackId = 'Stack'): Template {
  const result = synthAndReport(app);
  const known = baseline();
  const added = result.findings.filter((f) => !known.has(key(f)));
  if (added.length > 0) {
    throw new Error(`${added.length} validation finding(s) beyond the fixture pipeline's own [flag set ${result.flagSet}]:\n${formatFindings(added)}`);
  }
  return Template.fromJSON(result.templates[stackId]);
}

/** The findings of the same app with something else inside it (for tests that assert findings). */
export function findingsOf(app: App): Finding[] {
  return synthAndReport(app).findings;
}

let cached: Set<string> | undefined;
function baseline(): Set<string> {
  if (!cached) {
    const { app, stack } = newStack();
    definePipeline(stack);
    cached = new Set(synthAndReport(app).findings.map(key));
  }
  return cached;
}

function key(f: Finding): string {
  return `${f.plugin}|${f.rule}|${f.constructPath}`;
}
