// prompt-profiler run: the prompt against every model in parallel, with a live progress line
// on stderr and a table (or JSON) on stdout. With --dataset, a template over a dataset's rows
// (shared/datasetRun.ts).
import * as path from 'node:path';
import type { Command } from 'commander';
import { compileTemplate } from '../../core/batch';
import { writePrivateFileSync, writeRootFor } from '../../core/files';
import { formatInt, formatMs, formatUsd } from '../../core/format';
import type { RunResult } from '../../core/run';
import { collect, defineCommand, type CommandContext } from '../shared/command';
import { runOverDataset } from '../shared/datasetRun';
import {
  addRunParetoOptions,
  analyseForRun,
  paretoRunJson,
  renderParetoSection,
  rereadableStdin,
  runParetoConfig,
  RUN_PARETO_HELP,
  type RunParetoValues,
} from '../shared/decide';
import { chooseModels, loadCliConfig, makeEngine, positiveInt } from '../shared/engine';
import { recordRunHistory } from '../shared/history';
import { renderHtmlReport } from '../shared/htmlReport';
import { readInputText, readPrompt } from '../shared/input';
import { UsageError, type CliIO } from '../shared/io';
import { runResultJson } from '../shared/resultJson';
import { renderTable } from '../shared/table';

interface RunOptions extends RunParetoValues {
  model?: string[];
  concurrency?: string;
  repeat?: string;
  cache?: boolean;
  json?: boolean;
  html?: string;
  dataset?: string;
  rows?: string;
  config?: string;
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
      .option('--rows <n>', 'with --dataset: the first N rows'),
  )
    .addHelpText('after', `\n${RUN_PARETO_HELP}`)
    .action(async (file: string, opts: RunOptions) => ctx.exit(await runCommand(file, opts, ctx.io)));
}

export async function runCommand(file: string, values: RunOptions, io: CliIO): Promise<number> {
  const pareto = runParetoConfig(values, io);
  if (pareto) io = rereadableStdin(io);
  const config = loadCliConfig(io, values);
  if (values.dataset !== undefined) {
    const templateFile = file;
    if (values.repeat !== undefined) throw new UsageError('--repeat does not apply with --dataset: each row is one run.');
    if (values.html !== undefined) throw new UsageError('--html does not apply with --dataset.');
    if (pareto?.judge?.reference !== undefined) throw new UsageError('--reference does not apply with --dataset: each row has its own answer.');
    const templateText = await readInputText(templateFile, io, 'template');
    return runOverDataset(
      {
        templateFile,
        templateText,
        datasetFile: values.dataset,
        rows: positiveInt(values.rows, '--rows'),
        models: chooseModels(values.model, compileTemplate(templateText).models, config),
        concurrency: positiveInt(values.concurrency, '--concurrency') ?? config.concurrency ?? 8,
        json: !!values.json,
        pareto,
        config,
        engine: makeEngine(io, config, values.cache !== false),
      },
      io,
    );
  }
  if (values.rows !== undefined) throw new UsageError('--rows needs --dataset.');
  const { prompt, models: fromPrompt, reference } = await readPrompt(file, io);
  // The prompt file's `reference:` answer, unless --reference gave one.
  if (pareto?.judge && pareto.judge.reference === undefined && reference !== undefined) pareto.judge = { ...pareto.judge, reference };
  const models = chooseModels(values.model, fromPrompt, config);
  const concurrency = positiveInt(values.concurrency, '--concurrency') ?? config.concurrency ?? 8;
  const repeats = positiveInt(values.repeat, '--repeat') ?? 1;
  if (prompt.maxOutputTokens === undefined && config.maxOutputTokens) prompt.maxOutputTokens = config.maxOutputTokens;
  if (prompt.temperature === undefined && config.temperature !== undefined) prompt.temperature = config.temperature;

  const engine = makeEngine(io, config, values.cache !== false);
  const total = models.length * repeats;
  let done = 0;
  const summary = await engine.run(prompt, models, {
    concurrency,
    repeats,
    signal: io.signal,
    onProgress: (e) => {
      if (e.type !== 'finished') return;
      done++;
      const r = e.result;
      const what = r.ok ? (r.cacheHit ? 'cache hit' : `${formatMs(r.latencyMs)}`) : `${r.error?.kind}: ${r.error?.message}`;
      io.stderr(`[${done}/${total}] ${r.modelId}${repeats > 1 ? ` #${r.repeat + 1}` : ''} ${r.ok ? '✓' : '✗'} ${what}\n`);
    },
  });

  await recordRunHistory(io, prompt, summary.results, config.root);

  const analysis = pareto ? await analyseForRun(engine, prompt, summary.results, models, file, io, pareto) : null;

  if (values.html) {
    const html = path.resolve(io.cwd, values.html);
    writePrivateFileSync(html, renderHtmlReport(summary.results, summary.wallMs), writeRootFor(html, config.root));
    io.stderr(`Wrote ${values.html}\n`);
  }
  if (values.json) {
    io.stdout(JSON.stringify({ results: summary.results.map(runResultJson), wallMs: Math.round(summary.wallMs), ...(analysis ? paretoRunJson(analysis) : {}) }, null, 2) + '\n');
  } else {
    io.stdout(renderResultsTable(summary.results) + '\n');
    for (const r of summary.results.filter((x) => x.ok)) {
      io.stdout(`\n── ${r.modelId}${repeats > 1 ? ` #${r.repeat + 1}` : ''} ──\n${r.output}\n`);
    }
    io.stdout(`\nWall time ${formatMs(summary.wallMs)} for ${total} request${total === 1 ? '' : 's'}.\n`);
    if (analysis) io.stdout(`\n${renderParetoSection(analysis)}\n`);
  }
  return summary.results.every((r) => r.ok) ? 0 : 1;
}

export function renderResultsTable(results: RunResult[]): string {
  return renderTable(
    ['model', 'TTFT', 'latency', 'tok/s', 'tokens in/out', 'cost', 'cache', 'error'],
    results.map((r) => [
      r.modelId + (r.repeat > 0 ? ` #${r.repeat + 1}` : ''),
      formatMs(r.ttftMs),
      formatMs(r.latencyMs),
      r.outputTokensPerSec === null ? '—' : r.outputTokensPerSec.toFixed(1),
      `${r.usage.estimated ? '≈ ' : ''}${formatInt(r.usage.inputTokens)}/${formatInt(r.usage.outputTokens)}`,
      r.ok || r.output ? formatUsd(r.cost?.total) : '—',
      r.cacheHit ? 'hit' : '',
      r.error ? `${r.error.kind}: ${r.error.message}${r.output ? ' (partial answer kept)' : ''}` : '',
    ]),
    [1, 2, 3, 4, 5],
  );
}
