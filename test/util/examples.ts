import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import * as ts from 'typescript';
import { REPO_ROOT } from './docs';
import { createTestApp, TestAppOptions } from './harness';
import * as lib from '../../src';

/**
 * Run a TypeScript block as a module, the way a user's app runs it: `cdk-delivery-pipelines` is this
 * repository's src/, every other import is resolved normally (aws-cdk-lib/aws-*, constructs, cdk-nag),
 * and `new App(props)` returns the test harness's App (validators registered) with the block's props.
 * Returns the apps the block defined.
 */
export function runExample(source: string, options: TestAppOptions = {}): cdk.App[] {
  const apps: cdk.App[] = [];
  function App(props?: cdk.AppProps) {
    const app = createTestApp({ ...options, ...props, context: { ...props?.context } });
    apps.push(app);
    return app;
  }
  const cdkWithTestApp = new Proxy(cdk, { get: (target, key) => (key === 'App' ? App : (target as any)[key]) });
  const modules: Record<string, unknown> = { 'aws-cdk-lib': cdkWithTestApp, 'cdk-delivery-pipelines': lib };
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const requireFor = (id: string) => modules[id] ?? require(id);
  new Function('require', 'exports', 'module', js)(requireFor, {}, { exports: {} });
  return apps;
}

/**
 * Type-check TypeScript sources as a user's app would compile them (strict), with
 * `cdk-delivery-pipelines` resolved to this repository's src/. Returns one message per error,
 * `<name>:<line>: <message>` with the line of the source as given.
 */
export function typeCheckExamples(sources: Record<string, string>): string[] {
  const dir = path.join(REPO_ROOT, 'test', 'docs', '.examples');
  const files = Object.fromEntries(Object.entries(sources).map(([name, code], i) => [path.join(dir, `example${i}.ts`), { name, code }]));
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    types: [],
    baseUrl: REPO_ROOT,
    paths: { 'cdk-delivery-pipelines': ['src/index.ts'] },
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile;
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const virtual = files[path.resolve(fileName)];
    if (virtual) return ts.createSourceFile(fileName, virtual.code, languageVersion, true);
    return getSourceFile.call(host, fileName, languageVersion, ...rest);
  };
  const fileExists = host.fileExists;
  host.fileExists = (fileName) => path.resolve(fileName) in files || fileExists.call(host, fileName);
  const program = ts.createProgram(Object.keys(files), options, host);
  // Diagnostics of the examples only (checking them resolves the types they use, not all of src/).
  return program.getSourceFiles().filter((sf) => path.resolve(sf.fileName) in files)
    .flatMap((sf) => [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)])
    .map((d) => {
      const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
      return `${files[path.resolve(d.file!.fileName)].name}:${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
}
