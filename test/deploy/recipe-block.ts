import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import * as ts from 'typescript';
import * as lib from '../../src';
import { createTestApp } from '../util';

/**
 * The README recipes for the providers without a factory (Device Farm, AppConfig, Service Catalog,
 * Jenkins as a custom action), run as a user copies them: the block is complete with its imports,
 * `cdk-delivery-pipelines` is src/, and its `new App()` is the harness's App.
 */
const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf-8');
const HEADING = '#### Recipes: Device Farm, AppConfig, Service Catalog, Jenkins (any custom action)';

function recipeBlock(): string {
  const start = README.indexOf(`\n${HEADING}\n`);
  if (start < 0) throw new Error(`README has no section '${HEADING}'`);
  const block = /```ts\n([\s\S]*?)```/.exec(README.slice(start));
  if (!block) throw new Error('the recipes section has no ts block');
  return block[1];
}

export function runRecipe(): cdk.App {
  const apps: cdk.App[] = [];
  function App(props?: cdk.AppProps) {
    const app = createTestApp({ ...props, context: { ...props?.context } });
    apps.push(app);
    return app;
  }
  const cdkWithTestApp = new Proxy(cdk, { get: (target, key) => (key === 'App' ? App : (target as any)[key]) });
  const modules: Record<string, unknown> = { 'aws-cdk-lib': cdkWithTestApp, 'cdk-delivery-pipelines': lib };
  const js = ts.transpileModule(recipeBlock(), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const requireFor = (id: string) => modules[id] ?? require(id);
  new Function('require', 'exports', 'module', js)(requireFor, {}, { exports: {} });
  if (apps.length !== 1) throw new Error(`the recipe defined ${apps.length} apps, not 1`);
  return apps[0];
}

