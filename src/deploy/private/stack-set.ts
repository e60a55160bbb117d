import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { fail } from '../../private/errors';

/**
 * A stack set's template path inside one artifact (the build output, or the source when there is
 * no build): relative, without `..`, placeholders or an artifact prefix, since a stack set has one
 * template and CodePipeline resolves the path inside the artifact's zip. Tokens are not checked.
 */
export function checkStackSetTemplatePath(scope: IConstruct | string, option: string, path: string, artifact: string): void {
  if (Token.isUnresolved(path)) return;
  const example = "e.g. 'templates/baseline.yaml'";
  if (path.trim() === '') {
    fail(scope, `${option} is empty; pass the template's path in the ${artifact}, ${example}.`);
  }
  if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path)) {
    fail(scope, `${option} '${path}' is absolute, but the template is read from inside the ${artifact}; pass a path relative to the artifact's root, ${example}.`);
  }
  if (path.split(/[\\/]/).includes('..')) {
    fail(scope, `${option} '${path}' leaves the ${artifact} ('..'); pass a path inside it, relative to its root, ${example}.`);
  }
  if (path.includes('::')) {
    fail(scope, `${option} '${path}' names an artifact ('::'), but a stack set's template is read from the ${artifact}; pass only the path, ${example}.`);
  }
  if (/\{[^}]*\}/.test(path)) {
    fail(scope, `${option} '${path}' has placeholders but a stack set deploys one template everywhere; pass a path without placeholders, ${example}.`);
  }
}
