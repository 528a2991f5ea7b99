// prompt-profiler run: the prompt against every model in parallel, with a live progress line
// on stderr and a table (or JSON) on stdout. With --dataset, a template over a dataset's rows
// (shared/datasetRun.ts).
import type { Command } from 'commander';
import { compileTemplate } from '../../core/batch';
import { collect, defineCommand, type CommandContext } from '../shared/command';
import { realtimeRows, runOverDataset } from '../shared/datasetRun';
import { addRunParetoOptions, rereadableStdin, runParetoConfig, RUN_PARETO_HELP, type RunParetoValues } from '../shared/decide';
import { chooseModels, loadCliConfig, makeEngine, positiveInt } from '../shared/engine';
import { readInputText, readPrompt } from '../shared/input';
import { UsageError, type CliIO } from '../shared/io';
import { runPrompt } from '../shared/promptRun';

interface RunOptions extends RunParetoValues {
  model?: string[];
  concurrency?: string;
  repeat?: string;
  cache?: boolean;
  json?: boolean;
  html?: string;
  dataset?: string;
  rows?: string;
  quiet?: boolean;
  config?: string;
  idleTimeout?: string;
}

export function registerRun(program: Command, ctx: CommandContext): void {
  addRunParetoOptions(
    defineCommand(program, 'run', 'run a prompt on every model in parallel: TTFT, latency, tok/s, tokens, exact cost, the answers')
      .argument('<file>', 'the prompt file (with --dataset, a {{variable}} template; - for standard input)')
      .option('--model <id>', "a model to run, provider:model (repeatable; default: the prompt file's, the config's, or two defaults)", collect)
      .option('--concurrency <n>', 'requests in flight at once (default: the config\'s, else 8)')
      .option('--repeat <n>', 'run every model N times, for latency percentiles')
      .option('--no-cache', 'ask the models again instead of reading the answer cache')
      .option('--json', 'print JSON')
      .option('--html <file>', 'also write a self-contained HTML report')
      .option('--dataset <file>', 'run the template over the rows of a .jsonl, .csv or .tsv file (each row one run)')
      .option('--rows <n>', 'with --dataset: the first N rows')
      .option('-q, --quiet', 'no progress on stderr')
      .option('--idle-timeout <s>', "cut a stream that sends nothing for S seconds (default: the config's idleTimeoutSeconds, else 120; 0 = never)"),
  )
    .addHelpText('after', `\n${RUN_PARETO_HELP}`)
    .action(async (file: string, opts: RunOptions) => ctx.exit(await runCommand(file, opts, ctx.io)));
}

export async function runCommand(file: string, values: RunOptions, io: CliIO): Promise<number> {
  const pareto = runParetoConfig(values, io);
  if (pareto) io = rereadableStdin(io);
  const config = loadCliConfig(io, values);
  const idle = seconds(values.idleTimeout, '--idle-timeout');
  if (idle !== undefined) config.idleTimeoutSeconds = idle;
  // What a prompt run and a dataset run take alike (the engine only once the arguments are checked).
  const common = () => ({
    concurrency: positiveInt(values.concurrency, '--concurrency') ?? config.concurrency ?? 8,
    json: !!values.json,
    quiet: !!values.quiet,
    html: values.html,
    pareto,
    config,
    engine: makeEngine(io, config, values.cache !== false),
  });
  if (values.dataset !== undefined) {
    const templateFile = file;
    if (values.repeat !== undefined) throw new UsageError('--repeat does not apply with --dataset: each row is one run.');
    if (pareto?.judge?.reference !== undefined) throw new UsageError('--reference does not apply with --dataset: each row has its own answer.');
    const templateText = await readInputText(templateFile, io, 'template');
    return runOverDataset(
      {
        templateFile,
        templateText,
        datasetFile: values.dataset,
        rows: realtimeRows(positiveInt(values.rows, '--rows')),
        models: chooseModels(values.model, compileTemplate(templateText).models, config),
        ...common(),
      },
      io,
    );
  }
  if (values.rows !== undefined) throw new UsageError('--rows needs --dataset.');
  const { prompt, models: fromPrompt, reference } = await readPrompt(file, io);
  // The prompt file's `reference:` answer, unless --reference gave one.
  if (pareto?.judge && pareto.judge.reference === undefined && reference !== undefined) pareto.judge = { ...pareto.judge, reference };
  const models = chooseModels(values.model, fromPrompt, config);
  const repeats = positiveInt(values.repeat, '--repeat') ?? 1;
  if (prompt.maxOutputTokens === undefined && config.maxOutputTokens) prompt.maxOutputTokens = config.maxOutputTokens;
  if (prompt.temperature === undefined && config.temperature !== undefined) prompt.temperature = config.temperature;

  return runPrompt({ file, prompt, models, repeats, ...common() }, io);
}

function seconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || value.trim() === '') throw new UsageError(`${flag} takes a number of seconds, 0 or more (got "${value}").`);
  return n;
}
