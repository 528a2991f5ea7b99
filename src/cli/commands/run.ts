// prompt-profiler run: the prompt against every model in parallel, with a live progress line
// on stderr and a table (or JSON) on stdout.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { formatInt, formatMs, formatUsd } from '../../core/format';
import type { RunResult } from '../../core/run';
import type { CliIO } from '../main';
import { renderHtmlReport } from '../htmlReport';
import { renderTable } from '../table';
import { chooseModels, loadCliConfig, makeEngine, positiveInt, readPrompt } from './common';
import { recordRunHistory } from './report';
import { analyseForRun, paretoRunJson, renderParetoSection, rereadableStdin, runParetoConfig, RUN_PARETO_OPTIONS } from './pareto';

export async function runCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      model: { type: 'string', multiple: true },
      concurrency: { type: 'string' },
      repeat: { type: 'string' },
      'no-cache': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      html: { type: 'string' },
      ...RUN_PARETO_OPTIONS,
    },
  });
  const pareto = runParetoConfig(values, io);
  if (pareto) io = rereadableStdin(io);
  const config = loadCliConfig(io);
  const { prompt, models: fromPrompt, reference } = await readPrompt(positionals[0], io);
  // The prompt file's `reference:` answer, unless --reference gave one.
  if (pareto?.judge && pareto.judge.reference === undefined && reference !== undefined) pareto.judge = { ...pareto.judge, reference };
  const models = chooseModels(values.model, fromPrompt, config);
  const concurrency = positiveInt(values.concurrency, '--concurrency') ?? config.concurrency ?? 8;
  const repeats = positiveInt(values.repeat, '--repeat') ?? 1;
  if (prompt.maxOutputTokens === undefined && config.maxOutputTokens) prompt.maxOutputTokens = config.maxOutputTokens;
  if (prompt.temperature === undefined && config.temperature !== undefined) prompt.temperature = config.temperature;

  const engine = makeEngine(io, config, !values['no-cache']);
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

  await recordRunHistory(io, prompt, summary.results);

  const analysis = pareto ? await analyseForRun(engine, prompt, summary.results, models, positionals[0] ?? '-', io, pareto) : null;

  if (values.html) {
    const file = path.resolve(io.cwd, values.html);
    fs.writeFileSync(file, renderHtmlReport(summary.results, summary.wallMs));
    io.stderr(`Wrote ${values.html}\n`);
  }
  if (values.json) {
    io.stdout(JSON.stringify({ results: summary.results.map(toJson), wallMs: Math.round(summary.wallMs), ...(analysis ? paretoRunJson(analysis) : {}) }, null, 2) + '\n');
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

/** The CLI's JSON contract: other tools script against it. */
export function toJson(r: RunResult) {
  return {
    model: r.modelId,
    ok: r.ok,
    output: r.output,
    cacheHit: r.cacheHit,
    ttftMs: r.ttftMs === null ? null : Math.round(r.ttftMs),
    latencyMs: Math.round(r.latencyMs),
    outputTokensPerSec: r.outputTokensPerSec === null ? null : Math.round(r.outputTokensPerSec * 10) / 10,
    usage: {
      inputTokens: r.usage.inputTokens,
      outputTokens: r.usage.outputTokens,
      cacheReadTokens: r.usage.cacheReadTokens,
      cacheWriteTokens: r.usage.cacheWriteTokens,
    },
    cost: r.cost && {
      total: r.cost.total,
      input: r.cost.input,
      output: r.cost.output,
      cacheRead: r.cost.cacheRead,
      cacheWrite: r.cost.cacheWrite,
    },
    error: r.error && { kind: r.error.kind, message: r.error.message },
  };
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
