import * as cdk from 'aws-cdk-lib';
import * as lib from '../../src';

/**
 * Issue 12's mistakes as plain JavaScript makes them (test/js/plain-js-mistakes.js, untyped
 * CommonJS run as is, not compiled): here against src/, and in the consumer check
 * (scripts/consumer-check.sh) against the packed package in a fresh app, with `node`.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const js = require('./plain-js-mistakes.js');

describe('plain JavaScript: the issue 12 mistakes end in our clear messages', () => {
  const mistakes: Array<{ mistake: string; run: () => void; expected: RegExp }> = js.mistakes(lib, cdk);

  test('there are the twenty-eight mistakes (issue 12\'s ten TypeErrors and an undeclared variable, issue 22\'s five misspelled or misplaced keys, '
    + 'a filter on CodeCommit, a token percentage, three ways to misuse a stack output, two on-failure conditions (RETRY with failureRules, a rule not in '
    + 'a list), a string webhook auth, an enum member\'s name for a review policy and issue 23\'s three: production as a string, pipelineNames as a '
    + 'string, a misspelt alarm key)', () => {
    expect(mistakes).toHaveLength(29);
  });

  test.each(mistakes.map((m) => [m.mistake, m] as const))('%s', (_name, m) => {
    let error: unknown;
    try {
      m.run();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(m.expected);
  });

  test('check() (what the consumer check runs) reports none', () => {
    expect(js.check(lib, cdk)).toEqual([]);
  });
});
