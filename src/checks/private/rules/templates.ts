/**
 * Template rules: the stack that holds a pipeline stays within CloudFormation's template limits.
 * A stack check, not a pipeline one: only the validation plugin (which reads the template files) runs it.
 */
import { MAX_TEMPLATE_BYTES, MAX_TEMPLATE_RESOURCES } from '../../../private/quotas';
import { Emit, RuleFamily } from '../pipeline-model';
import { TemplateFile } from '../template-reader';

export const TEMPLATE_RULES: RuleFamily = {
  rules: [
    {
      id: 'CDP-TEMPLATE-LIMITS',
      description: 'The stack holding a pipeline stays within 1 MB of template and 500 resources.',
      fix: 'Move resources into another stack (support stacks, nested stacks), or split the pipeline.',
    },
  ],
  // The pipeline's Properties say nothing about its stack: see checkTemplateLimits.
  check: () => undefined,
};

/** Check the size and resource count of a synthesized template that holds a pipeline. */
export function checkTemplateLimits(template: TemplateFile, emit: Emit): void {
  const count = Object.keys(template.resources).length;
  if (template.bytes > MAX_TEMPLATE_BYTES) {
    emit('CDP-TEMPLATE-LIMITS', `the stack template is ${template.bytes} bytes; CloudFormation takes at most ${MAX_TEMPLATE_BYTES}`, '');
  }
  if (count > MAX_TEMPLATE_RESOURCES) {
    emit('CDP-TEMPLATE-LIMITS', `the stack has ${count} resources; CloudFormation takes at most ${MAX_TEMPLATE_RESOURCES}`, '');
  }
}
