/**
 * The example of docs/change-set-review.md, "What the approver sees": a production wave in two accounts
 * whose change sets replace a table, widen an IAM policy to `*`, open a security group to 0.0.0.0/0 and
 * add a bucket and a function, with one stack unchanged. The doc shows the formatter's real output for it
 * (test/review/doc.test.ts compares them); regenerate with
 * `npx ts-node -P test/tsconfig.json test/review/doc-example.ts`.
 */
import { OTHER, SCENARIOS, TARGET, described } from './fixtures';
import { classify, ReviewSummary } from '../../src/review/classify';
import { formatMarkdown, formatSummary, formatText, outputVariables, ReviewContext } from '../../src/review/format';

export const DOC_CONTEXT: ReviewContext = {
  pipeline: 'shop',
  stage: 'Prod',
  executionId: '3c1f0e2a-7b7d-4f5e-9a51-0c6d1e2f3a4b',
  reportUrl: 'https://eu-west-1.console.aws.amazon.com/s3/object/shop-artifacts?region=eu-west-1&prefix=reviews%2F3c1f0e2a-7b7d-4f5e-9a51-0c6d1e2f3a4b%2FProd.md',
};

export function docSummary(): ReviewSummary {
  return classify([
    described([...SCENARIOS.statefulReplacement, ...SCENARIOS.iamStar], { account: TARGET, stackName: 'shop-orders', changeSetName: 'shop-review' }),
    described(SCENARIOS.openSecurityGroup, { account: TARGET, stackName: 'shop-network', changeSetName: 'shop-review' }),
    described(SCENARIOS.additions, { account: OTHER, region: 'us-east-1', stackName: 'shop-exports', changeSetName: 'shop-review' }),
    described([], {
      account: OTHER,
      region: 'us-east-1',
      stackName: 'shop-dns',
      changeSetName: 'shop-review',
      status: 'FAILED',
      statusReason: "The submitted information didn't contain changes. Submit different information to create a change set.",
    }),
  ]);
}

/** The doc's blocks, by the heading that precedes each. */
export function docBlocks(): Record<string, string> {
  const s = docSummary();
  const vars = outputVariables(s, 'on-risk', DOC_CONTEXT);
  return {
    'In the approval': formatSummary(s),
    'In the notification': formatText(s, DOC_CONTEXT),
    'In the report': formatMarkdown(s, DOC_CONTEXT),
    'Output variables': Object.entries(vars).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n'),
  };
}

if (require.main === module) {
  for (const [heading, text] of Object.entries(docBlocks())) process.stdout.write(`=== ${heading}\n${text}\n`);
}
