import { Stack, Stage, StageSynthesisOptions } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { fail } from '../../private/errors';

const GUARDED = Symbol.for('cdk-delivery-pipelines.LateChangeGuard');

/**
 * After a pipeline has read a CDK stage (synthesized it and planned its stacks), a stack or
 * construct added to the stage is not deployed by that pipeline, and aws-cdk-lib stops the app's
 * synthesis with "Synthesis has been called multiple times and the construct tree was modified
 * after the first synthesis", which names neither the pipeline nor the fix. This makes the stage's
 * next `synth()` (the one the app runs for its nested assemblies, before aws-cdk-lib's own
 * comparison) fail with `readBy` (the pipeline and the target reading the stage), what was added
 * and what to do.
 *
 * `Stage` offers no hook between the app's synthesis and the nested stage's, so the guard wraps
 * `synth` on this one stage instance (the public method, called with the same options); the
 * stage's behaviour is otherwise unchanged. Constructs aws-cdk-lib adds while synthesizing (they
 * exist when the baseline is taken, right after the pipeline's synthesis) are not changes.
 */
export function guardLateChanges(stage: Stage, readBy: string): void {
  const holder = stage as unknown as { [GUARDED]?: boolean; synth(options?: StageSynthesisOptions): unknown };
  if (holder[GUARDED]) return;
  const baseline = new Set(constructsOf(stage).keys());
  const synth = stage.synth.bind(stage);
  Object.defineProperty(stage, 'synth', {
    configurable: true,
    writable: true,
    value: (options?: StageSynthesisOptions) => {
      const now = constructsOf(stage);
      const added = [...now.keys()].filter((p) => !baseline.has(p));
      // Only the topmost added constructs: a stack, not every construct in it.
      const tops = added.filter((p) => !added.some((q) => p !== q && p.startsWith(`${q}/`)));
      if (tops.length > 0) {
        const what = tops.every((p) => Stack.isStack(now.get(p))) ? 'stack' : 'construct';
        const plural = tops.length > 1;
        fail(readBy, `${what}${plural ? 's' : ''} ${tops.map((p) => `'${p}'`).join(', ')} ${plural ? 'were' : 'was'} added to CDK stage '${stage.stageName}' `
          + `after the pipeline read the stage, so the pipeline would not deploy ${plural ? 'them' : 'it'}; `
          + 'add every stack to the stage before defining the pipeline (e.g. in the Stage\'s constructor).');
      }
      return synth(options);
    },
  });
  Object.defineProperty(stage, GUARDED, { value: true });
}

/** The constructs in the stage by path, nested stages excluded (what aws-cdk-lib compares). */
function constructsOf(stage: Stage): Map<string, IConstruct> {
  const found = new Map<string, IConstruct>();
  const visit = (c: IConstruct) => {
    found.set(c.node.path, c);
    for (const child of c.node.children) if (!Stage.isStage(child)) visit(child);
  };
  visit(stage);
  return found;
}
