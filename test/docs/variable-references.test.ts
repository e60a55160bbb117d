import { codeBlocksOf, docFiles } from '../util/docs';

/**
 * Every `#{namespace.variable}` in a code block of README.md or docs/*.md names something the example declares
 * (issue 12: the README's own build example once read a namespace nothing declared):
 * - `variablesNamespace: 'X'` in the block declares `X`;
 * - this library's defaults: a `PipelineSource.*` in the block declares `SourceVariables`, a
 *   `buildStep` (or `BuildStep.cdkSynth`) declares `BuildVariables`;
 * - `#{variables.x}` needs `variableName: 'x'` in the block;
 * - `#{codepipeline.PipelineExecutionId}` and `#{codepipeline.PipelineExecutionStartTime}` are built in.
 */
const BLOCKS = docFiles().flatMap((d) => codeBlocksOf(d, ['ts', 'typescript', 'js', 'javascript']));
const REFERENCE = /#\{([A-Za-z0-9@_-]+)\.([A-Za-z0-9@_-]+)\}/g;
const EXECUTION_VARIABLES = ['PipelineExecutionId', 'PipelineExecutionStartTime'];

/** The problem with one reference in a block, or undefined. */
function undeclared(code: string, namespace: string, variable: string): string | undefined {
  if (namespace === 'codepipeline') {
    return EXECUTION_VARIABLES.includes(variable) ? undefined : `codepipeline.${variable} is not a built-in variable (${EXECUTION_VARIABLES.join(', ')})`;
  }
  if (namespace === 'variables') {
    return new RegExp(`variableName: '${variable}'`).test(code) ? undefined : `pipeline variable '${variable}' is not declared (variableName: '${variable}')`;
  }
  const declared = new Set([...code.matchAll(/variablesNamespace: '([^']+)'/g)].map((m) => m[1]));
  if (/PipelineSource\.\w+\(/.test(code)) declared.add('SourceVariables');
  if (/\bbuildStep\b|BuildStep\.cdkSynth\(/.test(code)) declared.add('BuildVariables');
  return declared.has(namespace) ? undefined : `namespace '${namespace}' is declared by nothing in the example (declared: ${[...declared].join(', ') || 'none'})`;
}

describe('README and docs/*.md variable references', () => {
  const references = BLOCKS.flatMap((b) => [...b.code.matchAll(REFERENCE)].map((m) => ({ ...b, namespace: m[1], variable: m[2] })));

  test('the code blocks reference variables (this test reads them)', () => {
    expect(references.map((r) => `${r.namespace}.${r.variable}`)).toEqual(expect.arrayContaining(['variables.releaseTag', 'codepipeline.PipelineExecutionId']));
  });

  test('every reference names a namespace or variable its example declares, or a built-in', () => {
    const problems = references
      .map((r) => ({ r, problem: undeclared(r.code, r.namespace, r.variable) }))
      .filter((x) => x.problem)
      .map(({ r, problem }) => `${r.file}:${r.line} #{${r.namespace}.${r.variable}}: ${problem}`);
    expect(problems).toEqual([]);
  });

  test('the check itself fails what it should', () => {
    expect(undeclared("buildStep: { environmentVariables: { C: { value: '#{Src.CommitId}' } } }", 'Src', 'CommitId')).toMatch(/namespace 'Src' is declared by nothing/);
    expect(undeclared('{}', 'variables', 'releaseTag')).toMatch(/pipeline variable 'releaseTag' is not declared/);
    expect(undeclared('{}', 'codepipeline', 'PipelineName')).toMatch(/not a built-in/);
    expect(undeclared("PipelineSource.s3(bucket, 'k', { variablesNamespace: 'Src' })", 'Src', 'VersionId')).toBeUndefined();
  });
});
