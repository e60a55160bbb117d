// docs/change-set-review.md shows what the code produces: its example blocks are the formatter's output for
// test/review/doc-example.ts, its lists are the classifier's, its variables the handler's.
import { docBlocks } from './doc-example';
import { SECURITY_PROPERTIES, SECURITY_TYPES, STATEFUL_TYPES } from '../../src/review/classify';
import { OUTPUT_VARIABLE_NAMES, REVIEW_POLICIES } from '../../src/review/format';
import { codeBlocksOf, docFiles, docSection } from '../util/docs';

const page = docFiles().filter((d) => d.file === 'docs/change-set-review.md');

test.each(Object.entries(docBlocks()))('the block under "%s" is the formatter\'s output for the example', (heading, generated) => {
  const section = heading === 'Output variables' ? "The review's output variables" : heading;
  const [block] = codeBlocksOf(docSection(section, page));
  expect(block.code.trimEnd()).toBe(generated.trimEnd());
});

test('the classification rules list every stateful and security-relevant type the classifier knows', () => {
  const rules = docSection('Classification rules', page).text;
  for (const type of [...STATEFUL_TYPES, ...SECURITY_TYPES, ...Object.keys(SECURITY_PROPERTIES)]) expect(rules).toContain(`\`${type}\``);
  for (const [type, props] of Object.entries(SECURITY_PROPERTIES)) expect(rules).toContain(`\`${type}\` (${props.join(', ')})`);
});

test('the variables table names exactly the output variables, and the policies table every policy', () => {
  const table = docSection("The review's output variables", page).text;
  const named = [...table.matchAll(/^\| ((?:`\w+`(?:, )?)+) \|/gm)].flatMap((m) => m[1].split(', ').map((x) => x.replace(/`/g, '')));
  expect(named.sort()).toEqual([...OUTPUT_VARIABLE_NAMES].sort());
  const policies = docSection('Review policies', page).text;
  expect([...policies.matchAll(/^\| `([a-z-]+)`/gm)].map((m) => m[1])).toEqual([...REVIEW_POLICIES]);
});

test('the page keeps the section the pipelines fill in', () => {
  expect(docSection('Turning it on', page).text).toMatch(/^## Turning it on\n\n\S.*\n?$/);
});
