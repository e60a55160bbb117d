import * as cdk from 'aws-cdk-lib';
import { codeBlocksOf, docSection } from '../util/docs';
import { runExample } from '../util/examples';

/**
 * The documented recipes for the providers without a factory (Device Farm, AppConfig, Service Catalog,
 * Jenkins as a custom action), run as a user copies them: the block is complete with its imports,
 * `cdk-delivery-pipelines` is src/, and its `new App()` is the harness's App. The section lives in
 * docs/deploy-targets.md (found by its heading in README.md or docs/*.md).
 */
const HEADING = 'Recipes: Device Farm, AppConfig, Service Catalog, Jenkins (any custom action)';

function recipeBlock(): string {
  const [block] = codeBlocksOf(docSection(HEADING), ['ts']);
  if (!block) throw new Error(`the section '${HEADING}' has no ts block`);
  return block.code;
}

export function runRecipe(): cdk.App {
  const apps = runExample(recipeBlock());
  if (apps.length !== 1) throw new Error(`the recipe defined ${apps.length} apps, not 1`);
  return apps[0];
}
