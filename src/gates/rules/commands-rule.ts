import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { GateRule, GateRuleBindOptions, GateRuleConfig, GateRuleOptions } from './gate-rule';
import { fail } from '../../private/errors';
import { ARTIFACT_NAME } from '../../private/names';
import * as v from '../../private/validate';
import { acknowledgeWildcards } from '../../private/wildcard-allowances';

/** Properties of a `CommandsRule`. */
export interface CommandsRuleProps extends GateRuleOptions {
  /** Shell commands, one per entry (1-50, each 1-1000 characters, single-line only); the rule passes when all succeed. */
  readonly commands: string[];

  /**
   * Names of the pipeline artifacts the commands read (e.g. `'Source'`, `'BuildOutput'`); the first is
   * the working directory.
   *
   * @default - none
   */
  readonly inputs?: string[];
}

/**
 * The `Commands` rule: runs shell commands on CodePipeline-managed compute (CodeBuild, with no
 * project) and passes when they succeed, e.g. a smoke test in an on-success condition with
 * result FAIL. CodePipeline runs it as the pipeline role: the role is granted writing and reading
 * the pipeline's own log group `/aws/codepipeline/<pipeline>` (as for the Commands action) and
 * nothing else; the artifacts it reads are the pipeline's, which the role already reads.
 */
export class CommandsRule extends GateRule {
  /** The commands. */
  public readonly commands: string[];

  /** The artifacts the commands read. */
  public readonly inputs: string[];

  constructor(props: CommandsRuleProps) {
    super('Commands', 'Commands', false, v.checked('CommandsRule', props, {
      commands: v.required(v.arrayOf(v.str(), "a list of commands, e.g. ['curl -fsS https://example.com/health']")),
      inputs: v.strings,
      ruleName: v.str(),
    }));
    const { commands } = props;
    if (commands.length < 1 || commands.length > 50) {
      fail('CommandsRule', `commands has ${commands.length} commands; the Commands rule takes 1 to 50 (put longer scripts in a file of an input and run it).`);
    }
    commands.forEach((c, i) => {
      if (Token.isUnresolved(c)) return;
      if (c.trim() === '') fail('CommandsRule', `commands[${i}] is empty; remove it or give a command.`);
      if (c.length > 1000) fail('CommandsRule', `commands[${i}] is ${c.length} characters; each command has at most 1000 (put it in a script file of an input).`);
      if (/[\r\n]/.test(c)) fail('CommandsRule', `commands[${i}] spans several lines; the Commands rule takes single-line commands only: split it, or put it in a script file.`);
    });
    for (const name of props.inputs ?? []) {
      if (!Token.isUnresolved(name) && !ARTIFACT_NAME.test(name)) {
        fail('CommandsRule', `inputs has '${name}', which is not an artifact name; use 1-100 characters of A-Za-z0-9_-, e.g. 'BuildOutput'.`);
      }
    }
    this.commands = [...commands];
    this.inputs = [...props.inputs ?? []];
  }

  public bind(_scope: Construct, options: GateRuleBindOptions): GateRuleConfig {
    v.checkProps('CommandsRule.bind', options, v.GATE_RULE_BIND_SPEC, 'options');
    logsPolicy(options.pipeline);
    return {
      configuration: {},
      commands: this.commands,
      inputArtifacts: this.inputs.length > 0 ? this.inputs : undefined,
    };
  }
}

/**
 * The pipeline role's access to its own log group, in a policy of its own under the pipeline (one per
 * pipeline, whatever the number of Commands rules). Not in the role's DefaultPolicy: the log group is
 * named after the pipeline, and the pipeline resource waits for that policy (a circular dependency).
 */
function logsPolicy(pipeline: codepipeline.Pipeline): iam.Policy {
  const id = 'CommandsRuleLogs';
  const found = pipeline.node.tryFindChild(id);
  if (found instanceof iam.Policy) return found;
  const logGroupArn = Stack.of(pipeline).formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: `/aws/codepipeline/${pipeline.pipelineName}`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  const policy = new iam.Policy(pipeline, id, {
    statements: [
      new iam.PolicyStatement({ actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroupArn, `${logGroupArn}:*`] }),
    ],
  });
  pipeline.role.attachInlinePolicy(policy);
  acknowledgeWildcards(policy, [{
    resource: `${logGroupArn}:*`,
    onlyActions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
    reason: 'Log streams of the pipeline\'s own log group /aws/codepipeline/<pipeline> (log-group:<name>:*): the Commands rule runs on '
      + 'CodePipeline-managed compute as the pipeline role and names a stream per run.',
  }]);
  return policy;
}
