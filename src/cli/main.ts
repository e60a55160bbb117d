// Entry point of the `cdk-delivery-pipelines` command (package.json `bin`), bundled by esbuild
// into assets/cli/main/index.js at build time. Not part of the library's (jsii) API.
import { runCli } from './cli';

// Ctrl-C stops `status --watch` and `start --wait` between refreshes; a second one exits at once.
const interrupted = new AbortController();
process.on('SIGINT', () => {
  if (interrupted.signal.aborted) process.exit(130);
  interrupted.abort();
});

void runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  signal: interrupted.signal,
}).then((code) => {
  process.exitCode = code;
  process.removeAllListeners('SIGINT');
});
