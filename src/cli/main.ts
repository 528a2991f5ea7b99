// prompt-profiler: the command-line shell over the same engine as the extension.
// Exit codes: 0 all runs succeeded, 1 some run failed, 2 bad usage.
import { BATCH_USAGE, batchCommand } from './commands/batch';
import { estimateCommand } from './commands/estimate';
import { PARETO_USAGE, RUN_PARETO_HELP, RUN_PARETO_USAGE, paretoCommand } from './commands/pareto';
import { PLAN_USAGE, planCommand } from './commands/plan';
import { reportCommand } from './commands/report';
import { runCommand } from './commands/run';
import { UsageError } from './config';

export const USAGE = `Usage:
  prompt-profiler estimate <file|-> [--model ID]... [--max-output N] [--json]
  prompt-profiler run <file|-> [--model ID]... [--concurrency N] [--repeat N] [--no-cache] [--json] [--html FILE]
      ${RUN_PARETO_USAGE}
  prompt-profiler run <template|-> --dataset <rows.jsonl|.csv|.tsv> [--rows N] [--model ID]... [--concurrency N]
      [--no-cache] [--json] [--pareto …]   (each row one run: cost, latency, quality and cascades over varied inputs)
  ${PARETO_USAGE}
  ${[...BATCH_USAGE, ...PLAN_USAGE].join('\n  ')}
  prompt-profiler report [--since DATE] [--until DATE] [--json | --csv] [--history DIR]

Model ids are provider:model (openai:gpt-4o-mini, anthropic:claude-haiku-4-5, <name>:<model>
for a provider in prompt-profiler.json). Keys and endpoints: OPENAI_API_KEY, OPENAI_BASE_URL,
ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL, and prompt-profiler.json in the working directory.

${RUN_PARETO_HELP}`;

export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => Promise<string>;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'estimate':
        return await estimateCommand(rest, io);
      case 'run':
        return await runCommand(rest, io);
      case 'pareto':
        return await paretoCommand(rest, io);
      case 'batch':
        return await batchCommand(rest, io);
      case 'plan':
        return await planCommand(rest, io);
      case 'report':
        return await reportCommand(rest, io);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.stdout(USAGE + '\n');
        return command ? 0 : 2;
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`prompt-profiler: ${(e as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    io.stderr(`prompt-profiler: ${(e as Error).stack ?? e}\n`);
    return 1;
  }
}

if (require.main === module) {
  const controller = new AbortController();
  process.on('SIGINT', () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nCancelling… (Ctrl-C again to quit now)\n');
    controller.abort();
  });
  main(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    cwd: process.cwd(),
    env: process.env,
    signal: controller.signal,
  }).then((code) => {
    process.exitCode = code;
  });
}
