// prompt-profiler run <template> --dataset FILE: the template over the rows of a dataset on every
// model, in real time. Cost, latency and quality (and a cascade's pass rate) are then measured
// over varied inputs instead of repeats of one prompt. Each row is one "run" (its results carry
// the row as `repeat`), so the Decide analysis needs nothing new; the judge grades each answer
// against its own row's prompt.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatSeconds, measureModel } from '../../core/analysis';
import { writePrivateFileSync, writeRootFor } from '../../core/files';
import { compileTemplate, datasetFormatOf, readDataset, renderTemplate } from '../../core/batch';
import { MAX_REALTIME_ROWS, type ProfilerEngine, type PromptInput } from '../../core/engine';
import { formatInt, formatMs, formatUsd } from '../../core/format';
import type { RunProgress, RunResult } from '../../core/run';
import type { CliConfig } from './config';
import { analyseForRun, paretoRunJson, renderParetoSection, REPORT_ONLY_ANALYSIS, type RunParetoConfig } from './decide';
import { recordRunHistory } from './history';
import { renderHtmlReport } from './htmlReport';
import { plural, UsageError, type CliIO } from './io';
import { createProgress } from './progress';
import { renderTotals } from './results';
import { runResultJson } from './resultJson';
import { renderTable } from './table';

/** Real-time calls are rows × models: a larger set belongs in `prompt-profiler batch` (half price). */
export const MAX_DATASET_ROWS = MAX_REALTIME_ROWS;

/** `--rows N` as given, refused above the real-time cap. */
export function realtimeRows(rows: number | undefined): number | undefined {
  if (rows !== undefined && rows > MAX_DATASET_ROWS) {
    throw new UsageError(`--rows ${formatInt(rows)} is over the real-time limit of ${formatInt(MAX_DATASET_ROWS)} rows: send the dataset at half price with \`prompt-profiler batch\`.`);
  }
  return rows;
}

export interface DatasetRunInput {
  templateFile: string;
  templateText: string;
  datasetFile: string;
  /** Use the first N rows (default: all, at most MAX_DATASET_ROWS). */
  rows?: number;
  models: string[];
  concurrency: number;
  json: boolean;
  quiet: boolean;
  html?: string;
  pareto: RunParetoConfig | null;
  config: CliConfig;
  engine: ProfilerEngine;
}

export async function runOverDataset(input: DatasetRunInput, io: CliIO): Promise<number> {
  const prompts = await readRowPrompts(input, io);
  const { engine, models } = input;
  const calls = prompts.length * models.length;
  if (!input.quiet) io.stderr(`${plural(prompts.length, 'row')} × ${plural(models.length, 'model')}: ${plural(calls, 'call')}\n`);
  const progress = createProgress(io, { total: calls, quiet: input.quiet, bar: true, label: (r) => `row ${r.repeat + 1} ${r.modelId}` });

  // Every row × model call under the one concurrency limit (queue waits are then measured as such).
  const report = progress.forRun();
  const summary = await engine.runRows(prompts, models, {
    concurrency: input.concurrency,
    signal: io.signal,
    // Plain lines name the row: the runner numbers its calls, not rows.
    onProgress: (e: RunProgress) => report(e.type === 'finished' ? { ...e, result: { ...e.result, repeat: Math.floor(e.index / models.length) } } : e),
  });
  progress.stop();
  const { wallMs } = summary;
  // A call stopped before it was sent is no result.
  const results = summary.results.filter((r) => !(r.error?.kind === 'cancelled' && r.attempts === 0));
  // One history run per row, as each row is its own prompt.
  const byRow = prompts.map((): RunResult[] => []);
  for (const r of results) byRow[r.repeat]!.push({ ...r, repeat: 0 });
  for (const [row, mine] of byRow.entries()) if (mine.length) await recordRunHistory(io, prompts[row]!, mine, input.config.root);

  const decide = input.pareto ?? (input.html ? REPORT_ONLY_ANALYSIS : null);
  const analysis = decide
    ? await analyseForRun(engine, prompts[0], results, models, input.templateFile, io, decide, {
        templateText: input.templateText,
        taskOf: (r) => prompts[r.repeat],
      })
    : null;

  if (input.html) {
    const html = path.resolve(io.cwd, input.html);
    writePrivateFileSync(
      html,
      renderHtmlReport({
        title: input.templateFile,
        prompt: input.templateText,
        results,
        wallMs,
        analysis,
        dataset: { file: input.datasetFile, rows: prompts.length, models },
      }),
      writeRootFor(html, input.config.root),
    );
    io.stderr(`Wrote ${input.html}\n`);
  }
  if (input.json) {
    io.stdout(
      JSON.stringify(
        {
          rows: prompts.length,
          results: results.map((r) => ({ row: r.repeat + 1, ...runResultJson(r) })),
          wallMs: Math.round(wallMs),
          ...(analysis && input.pareto ? paretoRunJson(analysis, input.pareto) : {}),
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    io.stdout(renderDatasetSummary(results, models) + '\n');
    io.stdout(`\n${renderTotals(results, wallMs)}${results.length < calls ? ` (${formatInt(calls - results.length)} not sent: stopped)` : ''} over ${plural(prompts.length, 'row')}\n`);
    if (analysis && input.pareto) io.stdout(`\n${renderParetoSection(analysis, input.pareto)}\n`);
  }
  await engine.cache?.flush();
  return results.length === calls && results.every((r) => r.ok) ? 0 : 1;
}

/** The dataset's rows rendered through the template; a bad row is a usage error, before anything is sent. */
async function readRowPrompts(input: DatasetRunInput, io: CliIO): Promise<PromptInput[]> {
  const format = datasetFormatOf(input.datasetFile);
  if (!format) throw new UsageError(`--dataset must be a .jsonl, .ndjson, .csv or .tsv file (got "${input.datasetFile}").`);
  const file = path.resolve(io.cwd, input.datasetFile);
  if (!fs.existsSync(file)) throw new UsageError(`No such file: ${input.datasetFile}`);
  const template = compileTemplate(input.templateText);
  const limit = input.rows ?? MAX_DATASET_ROWS;
  const prompts: PromptInput[] = [];
  const stream = fs.createReadStream(file);
  try {
    for await (const row of readDataset(stream, format)) {
      if (prompts.length === limit) {
        if (input.rows === undefined) {
          throw new UsageError(`The dataset has more than ${formatInt(MAX_DATASET_ROWS)} rows: profile a sample with --rows N, or send it all at half price with \`prompt-profiler batch\`.`);
        }
        break;
      }
      if ('error' in row) throw new UsageError(`${input.datasetFile}, row ${row.row}: ${row.error}`);
      const rendered = renderTemplate(template, row.values);
      if (rendered.missing.length) throw new UsageError(`${input.datasetFile}, row ${row.row}: no value for ${rendered.missing.map((v) => `{{${v}}}`).join(', ')}.`);
      prompts.push({
        ...rendered.prompt,
        temperature: rendered.prompt.temperature ?? input.config.temperature,
        maxOutputTokens: rendered.prompt.maxOutputTokens ?? input.config.maxOutputTokens,
      });
    }
  } finally {
    stream.destroy();
  }
  if (!prompts.length) throw new UsageError(`${input.datasetFile} has no rows.`);
  return prompts;
}

/** One line per model: calls, failures, mean cost per call, latency percentiles over the rows. */
export function renderDatasetSummary(results: readonly RunResult[], models: readonly string[]): string {
  return renderTable(
    ['model', 'calls', 'failed', 'cost/call', 'p50', 'p95', 'spent'],
    models.map((id) => {
      const m = measureModel(id, results);
      // Spent: fresh calls only; a call with tokens but no price makes it "no price" (never $0).
      const fresh = results.filter((r) => r.modelId === id && !r.cacheHit);
      const unpriced = fresh.some((r) => !r.cost && r.usage.inputTokens + r.usage.outputTokens > 0);
      const spent = unpriced ? null : fresh.reduce((s, r) => s + (r.cost?.total ?? 0), 0);
      return [
        id,
        formatInt(m.runs),
        formatInt(m.failed),
        formatUsd(m.costPerCall),
        m.latency ? `${formatSeconds(m.latency.p50)} (n=${m.latency.n})` : '—',
        m.latency ? formatSeconds(m.latency.p95) : '—',
        formatUsd(spent),
      ];
    }),
    [1, 2, 3, 4, 5, 6],
  );
}
