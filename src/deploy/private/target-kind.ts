import { Construct } from 'constructs';
import type { DeployTargetBindOptions, DeployTargetBinding } from '../deploy-target';

/**
 * What each built-in target (`targets/<kind>-target.ts`) implements; `DeployTarget`'s factories
 * wrap one. (The targets do not extend `DeployTarget` themselves: its factories import them, and a
 * subclass importing its base back would be an import cycle.)
 */
export interface TargetKind {
  readonly account?: string;
  bind(scope: Construct, options: DeployTargetBindOptions): DeployTargetBinding;
  afterActionsAdded?(): void;
}
