import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * Node.js major version the Lambda bundles of this library target (esbuild `--target=node22`, set by
 * `lambdaOptions.runtime` in `.projenrc.ts`; `test/notifications/lambda-runtime.test.ts` holds the two equal).
 * The newest Node.js runtime that the peer-minimum aws-cdk-lib (2.201.0) knows is `nodejs22.x`, so the bundles
 * must run there; every newer Node.js runs them too (Node.js keeps what esbuild emits for node22, the handlers
 * are async functions, which every Lambda Node.js runtime supports, and each bundle carries its own AWS SDK).
 */
export const BUNDLE_NODE_MAJOR = 22;

/** `nodejs<major>.x`: the Lambda Node.js runtimes that track a Node.js major release line. */
const NODE_RUNTIME_NAME = /^nodejs(\d+)\.x$/;

/**
 * The Node.js runtime for a Lambda function of this library: the newest Node.js runtime that the app's
 * aws-cdk-lib knows (`lambda.Runtime.ALL`, which holds every static `NODEJS_*` member and every runtime
 * the app defined with `new lambda.Runtime(...)`) among those our bundles support (`nodejs<N>.x` with
 * N >= `minimumMajor`). Chosen at synth, so an app on a newer aws-cdk-lib gets the newer runtime
 * without a release of this library.
 *
 * This is the runtime cdk-nag's `AwsSolutions-L1` expects: that rule takes the newest entry of
 * `Runtime.ALL` whose name starts with `nodejs` (numeric order of the version part) and reports any
 * other. Both read the same list, so they agree whenever the newest entry is a `nodejs<N>.x` line.
 *
 * @param runtimes the runtimes to choose from @default lambda.Runtime.ALL
 * @param minimumMajor the oldest Node.js major the bundle runs on @default BUNDLE_NODE_MAJOR
 */
export function latestNodeRuntime(
  runtimes: readonly lambda.Runtime[] = lambda.Runtime.ALL,
  minimumMajor: number = BUNDLE_NODE_MAJOR,
): lambda.Runtime {
  let best: { runtime: lambda.Runtime; major: number } | undefined;
  for (const runtime of runtimes) {
    if (runtime.family !== lambda.RuntimeFamily.NODEJS) continue;
    const match = NODE_RUNTIME_NAME.exec(runtime.name);
    if (!match) continue;
    const major = Number(match[1]);
    if (major < minimumMajor) continue;
    // Among equal names prefer the fixed member (NODEJS_24_X) over a variable one (NODEJS_LATEST): same template value.
    if (!best || major > best.major || (major === best.major && best.runtime.isVariable && !runtime.isVariable)) {
      best = { runtime, major };
    }
  }
  if (!best) {
    // Unreachable on the peer minimum and later (they know nodejs22.x); said plainly should a copy of aws-cdk-lib lack it.
    throw new Error(`cdk-delivery-pipelines: the aws-cdk-lib of this app knows no Lambda Node.js runtime nodejs${minimumMajor}.x or newer ` +
      `(known: ${runtimes.filter((r) => r.family === lambda.RuntimeFamily.NODEJS).map((r) => r.name).join(', ') || 'none'}); ` +
      'the library\'s Lambda bundles need one: install aws-cdk-lib 2.201.0 or later.');
  }
  return best.runtime;
}
