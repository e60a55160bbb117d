// Entry point of the `cdk-delivery-pipelines` command (package.json `bin`), bundled by esbuild
// into assets/cli/main/index.js at build time. Not part of the library's (jsii) API.
import { runCli } from './cli';

void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
