import * as fs from 'fs';
import { parseArgs } from 'util';
import { readAssembly } from './assembly';
import { AWS_COMMANDS, AWS_USAGE, runAwsCommand, runDoraCommand } from './aws/commands';
import { toDot, toMermaid } from './diagram';
import { pipelinesIn } from './model';
import { DEFAULT_USAGE, formatReport, report } from './report';
import { renderSvg } from './svg';

export const USAGE = `Usage:
  cdk-delivery-pipelines diagram [cdk.out] [--format mermaid|svg|dot] [--pipeline NAME] [--out FILE]
  cdk-delivery-pipelines report  [cdk.out] [--json] [--runs-per-month N] [--minutes-per-action M] [--out FILE]

Reads a synthesized cloud assembly (default ./cdk.out, nested stage assemblies included) and
draws or prices every AWS::CodePipeline::Pipeline in it. Calls no AWS API.

diagram   stages left to right, actions top to bottom in runOrder lanes with region and account,
          CodeBuild projects, manual approvals (timeout, topic, e-mails, approvers), stage conditions
          (beforeEntry / onSuccess / onFailure), notification rules and alarms (topic, e-mails).
          --format mermaid (default; renders on GitHub), svg (standalone, DejaVu Sans; see
          docs/diagrams.md), dot (Graphviz source).
report    footprint per pipeline (stacks, support stacks, resources, roles, KMS keys) and an
          estimated monthly fixed cost; --runs-per-month (default ${DEFAULT_USAGE.runsPerMonth}),
          --minutes-per-action (default ${DEFAULT_USAGE.minutesPerAction}); --json for machines.
`;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Stops `status --watch` and `start --wait` (Ctrl-C in the terminal). */
  readonly signal?: AbortSignal;
}

const PROCESS_IO: CliIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

/** Run the command line; resolves to the exit code. Errors are printed, never thrown. */
export async function runCli(argv: string[], io: CliIo = PROCESS_IO): Promise<number> {
  try {
    if (argv[0] === 'report' && argv.includes('--dora') && !argv.includes('--help') && !argv.includes('-h')) {
      return await runDoraCommand(argv.slice(1), io);
    }
    if (AWS_COMMANDS.includes(argv[0]) && !argv.includes('--help') && !argv.includes('-h')) {
      return await runAwsCommand(argv[0], argv.slice(1), io);
    }
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'format': { type: 'string' },
        'pipeline': { type: 'string' },
        'out': { type: 'string' },
        'json': { type: 'boolean' },
        'runs-per-month': { type: 'string' },
        'minutes-per-action': { type: 'string' },
        'help': { type: 'boolean', short: 'h' },
      },
    });
    const [command, dir = 'cdk.out', ...extra] = positionals;
    if (values.help || !command) {
      io.stdout(USAGE + AWS_USAGE);
      return values.help ? 0 : 1;
    }
    if (extra.length) throw new Error(`unexpected argument '${extra[0]}'; pass one cloud assembly directory.`);
    const write = (text: string) => (values.out ? fs.writeFileSync(values.out, text) : io.stdout(text));
    const assembly = readAssembly(dir);
    if (command === 'diagram') {
      let pipelines = pipelinesIn(assembly);
      if (values.pipeline) {
        pipelines = pipelines.filter((p) => p.name === values.pipeline || p.id === values.pipeline || p.logicalId === values.pipeline);
        if (!pipelines.length) throw new Error(`--pipeline '${values.pipeline}' matches no pipeline in '${dir}'; use a pipeline name, logical id or '<stack>/<logical id>'.`);
      }
      if (!pipelines.length) throw new Error(`no AWS::CodePipeline::Pipeline in '${dir}'.`);
      const format = values.format ?? 'mermaid';
      if (format === 'mermaid') write(toMermaid(pipelines));
      else if (format === 'dot') write(toDot(pipelines));
      else if (format === 'svg') write(renderSvg(pipelines));
      else throw new Error(`--format '${format}' is not supported; use mermaid, svg or dot.`);
      return 0;
    }
    if (command === 'report') {
      const usage = {
        runsPerMonth: numberOption(values['runs-per-month'], '--runs-per-month', DEFAULT_USAGE.runsPerMonth),
        minutesPerAction: numberOption(values['minutes-per-action'], '--minutes-per-action', DEFAULT_USAGE.minutesPerAction),
      };
      const r = report(assembly, usage);
      write(values.json ? JSON.stringify(r, undefined, 2) + '\n' : formatReport(r));
      return 0;
    }
    throw new Error(`unknown command '${command}'; use diagram, report, ${AWS_COMMANDS.join(', ')} (--help for usage).`);
  } catch (e: any) {
    io.stderr(`cdk-delivery-pipelines: ${String(e?.message ?? e).replace(/^cdk-delivery-pipelines: /, '')}\n`);
    return 1;
  }
}

function numberOption(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} '${raw}' is not a number of 0 or more; pass e.g. ${name} ${fallback}.`);
  return n;
}
