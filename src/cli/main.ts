// prompt-profiler: the command-line shell over the same engine as the extension.
// Exit codes: 0 all runs succeeded, 1 some run failed, 2 bad usage.
import { Command, CommanderError } from 'commander';
import { version } from '../../package.json';
import { registerBatch } from './commands/batch';
import { registerCheck } from './commands/check';
import { registerDemo } from './commands/demo';
import { registerEstimate } from './commands/estimate';
import { registerPareto } from './commands/pareto';
import { registerPlan } from './commands/plan';
import { registerReport } from './commands/report';
import { registerRun } from './commands/run';
import { terminalSafe } from '../core/text';
import { seeHelp, type CommandContext } from './shared/command';
import { UsageError, type CliIO } from './shared/io';

export type { CliIO } from './shared/io';

const ABOUT = `
Model ids are provider:model (openai:gpt-4o-mini, anthropic:claude-haiku-4-5, <name>:<model> for
a provider in prompt-profiler.json). Keys and endpoints: OPENAI_API_KEY, OPENAI_BASE_URL,
ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL, and prompt-profiler.json (--config FILE, else the nearest
one from the working directory upward; schema: schemas/prompt-profiler.schema.json), under your
own $XDG_CONFIG_HOME/prompt-profiler/config.json. A key goes only to its vendor's host or a base
URL you set: a project's own baseURL or apiKeyEnv needs --trust-config (only for a repository you
trust).
Exit codes: 0 success, 1 a run failed, 2 bad usage.`;

function buildProgram(ctx: CommandContext): Command {
  const program = new Command('prompt-profiler')
    .description("Profile a prompt's cost, latency and quality across LLMs, side by side.")
    .addHelpText('after', ABOUT)
    .version(version, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.stdout(s),
      writeErr: (s) => ctx.io.stderr(s),
      outputError: (s, write) => write(s.replace(/^error: /, 'prompt-profiler: ')),
    })
    .showHelpAfterError(seeHelp())
    .helpCommand('help [command]', 'show the help of a command');
  // Subcommands made with .command() inherit exitOverride and the output routing above.
  for (const register of [registerDemo, registerEstimate, registerRun, registerPareto, registerBatch, registerPlan, registerReport, registerCheck]) {
    register(program, ctx);
  }
  return program;
}

export async function main(argv: string[], rawIO: CliIO): Promise<number> {
  // Answers, error messages and model ids come from models and repositories: whatever we print,
  // no escape sequence of theirs reaches the terminal (we print none of our own).
  const io: CliIO = { ...rawIO, stdout: (s) => rawIO.stdout(terminalSafe(s)), stderr: (s) => rawIO.stderr(terminalSafe(s)) };
  let code = 0;
  const ctx: CommandContext = { io, exit: (c) => (code = c) };
  const program = buildProgram(ctx);
  let command: string | undefined;
  program.hook('preAction', (_program, action) => {
    command = action.name();
  });
  if (argv.length === 0) {
    io.stderr(program.helpInformation());
    return 2;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof UsageError) {
      io.stderr(`prompt-profiler: ${e.message}\n${seeHelp(command)}\n`);
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
  // `prompt-profiler … | head` closes our stdout early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
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
    tty: process.stderr.isTTY ? process.stderr : undefined,
  }).then((code) => {
    process.exitCode = code;
  });
}
