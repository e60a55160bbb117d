import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { GateRule, GateRuleBindOptions, GateRuleConfig, GateRuleOptions } from './gate-rule';
import { fail } from '../../private/errors';
import * as v from '../../private/validate';

/** Properties of a `CodeBuildRule`. */
export interface CodeBuildRuleProps extends GateRuleOptions {
  /** The project whose build decides the condition (it passes when the build succeeds). */
  readonly project: codebuild.IProject;

  /**
   * Environment variables of the build (`EnvironmentVariables`, plain text; values may hold
   * pipeline variables).
   *
   * @default - none
   */
  readonly environmentVariables?: { [name: string]: string };
}

/**
 * The `CodeBuild` rule: runs a build of the project and passes when it succeeds (e.g. a smoke
 * test after deployment, in an on-success condition). Grants the pipeline role
 * `codebuild:StartBuild` and `codebuild:BatchGetBuilds` on this project only.
 */
export class CodeBuildRule extends GateRule {
  /** The project built. */
  public readonly project: codebuild.IProject;

  private readonly environmentVariables?: { [name: string]: string };

  constructor(props: CodeBuildRuleProps) {
    super('CodeBuild', 'Build', false, v.checked('CodeBuildRule', props, { project: v.required(v.cdk.project), environmentVariables: v.mapOf(v.str()), ruleName: v.str() }));
    for (const name of Object.keys(props.environmentVariables ?? {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || name.startsWith('CODEBUILD_')) {
        fail('CodeBuildRule', `environment variable name '${name}' is not usable; use letters, digits and _, not starting with a digit or CODEBUILD_.`);
      }
    }
    this.project = props.project;
    this.environmentVariables = props.environmentVariables;
  }

  public bind(_scope: Construct, options: GateRuleBindOptions): GateRuleConfig {
    v.checkProps('CodeBuildRule.bind', options, v.GATE_RULE_BIND_SPEC, 'options');
    iam.Grant.addToPrincipal({
      grantee: options.pipeline.role,
      actions: ['codebuild:StartBuild', 'codebuild:BatchGetBuilds'],
      resourceArns: [this.project.projectArn],
    });
    const configuration: { [key: string]: string } = { ProjectName: this.project.projectName };
    const vars = Object.entries(this.environmentVariables ?? {});
    if (vars.length > 0) {
      configuration.EnvironmentVariables = JSON.stringify(vars.map(([name, value]) => ({ name, value, type: 'PLAINTEXT' })));
    }
    return { configuration };
  }
}
