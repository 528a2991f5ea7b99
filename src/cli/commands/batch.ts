// prompt-profiler batch: a template × a dataset through the vendor's Batch API (half price),
// progress counts on stderr, per-row answers and costs (batch vs real time) on stdout.
// The job's state is saved under .prompt-profiler/batches/ so that `--resume FILE` picks up a
// batch after the terminal was closed. Ctrl-C cancels the batch at the vendor.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import {
  BatchError,
  BatchService,
  datasetFormatOf,
  exportFormatOf,
  exportResults,
  readDataset,
  type BatchJob,
  type BatchProgress,
  type BatchReport,
  type BatchState,
} from '../../core/batch';
import { openPrivateFileSync, writePrivateFileSync, writeRootFor } from '../../core/files';
import { compileTemplate } from '../../core/prompt/template';
import { formatInt, formatUsd } from '../../core/format';
import { PriceBook } from '../../core/pricing';
import { parseModelId } from '../../core/types';
import { defineCommand, type CommandContext } from '../shared/command';
import type { CliConfig } from '../shared/config';
import { cliResolver, loadCliConfig, positiveInt } from '../shared/engine';
import { readInputText } from '../shared/input';
import { plural, UsageError, type CliIO } from '../shared/io';
import { renderTable } from '../shared/table';

export const BATCH_STATE_DIR = path.join('.prompt-profiler', 'batches');
/** The CLI polls more often than the core default: someone is watching the terminal. */
export const CLI_POLL_INTERVAL_S = 15;

interface BatchOptions {
  model?: string;
  json?: boolean;
  out?: string;
  maxOutput?: string;
  pollInterval?: string;
  state?: string;
  resume?: string;
  config?: string;
}

export function registerBatch(program: Command, ctx: CommandContext): void {
  defineCommand(program, 'batch', "send a {{variable}} template over a dataset through the vendor's Batch API, at half price")
    .argument('[template]', 'the template file (- for standard input)')
    .argument('[dataset]', 'the rows: a .jsonl, .ndjson, .csv or .tsv file')
    .option('--model <id>', 'the model, provider:model (openai: or anthropic:)')
    .option('--json', 'print JSON')
    .option('--out <file>', 'write every row\'s answer to a .jsonl or .csv file')
    .option('--max-output <n>', 'output cap per row')
    .option('--poll-interval <s>', `seconds between status checks (default ${CLI_POLL_INTERVAL_S})`)
    .option('--state <file>', `where to save the batch's state (default ${BATCH_STATE_DIR}/<id>.json)`)
    .option('--resume <state-file>', 'continue a batch from its state file')
    .action(async (template: string | undefined, dataset: string | undefined, opts: BatchOptions, cmd: Command) =>
      ctx.exit(await batchCommand(cmd.args, opts, ctx.io)),
    );
}

export async function batchCommand(positionals: string[], values: BatchOptions, io: CliIO): Promise<number> {
  const config = loadCliConfig(io, values);
  const pollIntervalMs = seconds(values.pollInterval, '--poll-interval') ?? CLI_POLL_INTERVAL_S * 1000;
  const out = values.out;
  if (out !== undefined && !exportFormatOf(out)) throw new UsageError(`--out must name a .jsonl or .csv file (got "${out}").`);
  const service = new BatchService({
    resolveProvider: cliResolver(io, config),
    prices: new PriceBook(config.prices),
  });

  let statePath: string;
  let job: BatchJob;
  const save = (state: BatchState) => writeState(statePath, state, config.root);
  try {
    if (values.resume !== undefined) {
      if (positionals.length) throw new UsageError('--resume takes the state file only (no template or dataset).');
      if (values.model !== undefined || values.state !== undefined || values.maxOutput !== undefined) {
        throw new UsageError('--resume continues a batch as it was submitted: --model, --max-output and --state do not apply.');
      }
      statePath = path.resolve(io.cwd, values.resume);
      if (!fs.existsSync(statePath)) throw new UsageError(`No such file: ${values.resume}`);
      job = await service.resume(fs.readFileSync(statePath, 'utf8'), { onState: save });
      io.stderr(`Resuming ${job.batchId || job.id} (${job.modelId}).\n`);
      const st = job.state;
      if (st.interrupted) io.stderr(`Warning: the submission was interrupted after row ${formatInt(st.rows)}: later rows were never sent.\n`);
    } else {
      const [templateFile, datasetFile, ...extra] = positionals;
      if (!templateFile) throw new UsageError('Missing the template file (use - for standard input).');
      if (!datasetFile) throw new UsageError('Missing the dataset file (.jsonl, .csv or .tsv).');
      if (extra.length) throw new UsageError(`Unexpected argument "${extra[0]}".`);
      const templateText = await readInputText(templateFile, io, 'template');
      const format = datasetFormatOf(datasetFile);
      if (!format) throw new UsageError(`The dataset must be a .jsonl, .ndjson, .csv or .tsv file (got "${datasetFile}").`);
      const datasetPath = path.resolve(io.cwd, datasetFile);
      if (!fs.existsSync(datasetPath)) throw new UsageError(`No such file: ${datasetFile}`);
      const template = compileTemplate(templateText);
      const modelId = chooseModel(values.model, template.models, config);
      const maxOutputTokens = positiveInt(values.maxOutput, '--max-output') ?? template.maxOutputTokens ?? config.maxOutputTokens;
      let requests = 0;
      statePath = '';
      job = await service.submit(
        {
          template,
          // Opened on the first read only: a submit that fails earlier leaves no file handle behind.
          dataset: (async function* () {
            yield* readDataset(fs.createReadStream(datasetPath), format);
          })(),
          modelId,
          maxOutputTokens,
          temperature: template.temperature ?? config.temperature,
          labels: { template: templateFile, dataset: datasetFile },
        },
        {
          signal: io.signal,
          onState: (state) => {
            statePath ||= path.resolve(io.cwd, values.state ?? path.join(BATCH_STATE_DIR, `${state.jobId}.json`));
            save(state);
          },
          onSubmitProgress: (e) => {
            requests = e.requests;
          },
        },
      );
      const s = job.state;
      if (s.rows === 0) throw new UsageError(`The dataset ${datasetFile} has no rows.`);
      io.stderr(
        `Submitted ${formatInt(requests)} request${requests === 1 ? '' : 's'} for ${modelId} in ${s.parts.length} batch${s.parts.length === 1 ? '' : 'es'} (${job.batchId || 'none'})` +
          `${s.rejected.length ? `; ${formatInt(s.rejected.length)} row${s.rejected.length === 1 ? '' : 's'} not sent` : ''}.\n`,
      );
      if (statePath) io.stderr(`State saved to ${path.relative(io.cwd, statePath) || statePath}: prompt-profiler batch --resume <that file> continues after an interruption.\n`);
    }

    await waitReporting(job, io, pollIntervalMs);
    const report = await job.report();
    if (out) {
      const file = path.resolve(io.cwd, out);
      const stream = fs.createWriteStream(file, { fd: openPrivateFileSync(file, 'truncate', writeRootFor(file, config.root)) });
      await exportResults(report.rows, exportFormatOf(out)!, (chunk) => {
        if (!stream.write(chunk)) return new Promise<void>((resolve) => stream.once('drain', () => resolve()));
      });
      await new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
      io.stderr(`Wrote ${plural(report.rows.length, 'row')} to ${out}\n`);
    }
    if (values.json) io.stdout(JSON.stringify(toJson(report), null, 2) + '\n');
    else io.stdout(renderReport(report, out) + '\n');
    return report.failed > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof BatchError) {
      io.stderr(`prompt-profiler: ${e.kind}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

/** Polls until the batch ends; Ctrl-C cancels it at the vendor, then keeps polling until it has. */
async function waitReporting(job: BatchJob, io: CliIO, pollIntervalMs: number): Promise<void> {
  let last = '';
  const onProgress = (p: BatchProgress) => {
    const line = progressLine(p);
    if (line !== last) io.stderr(line + '\n');
    last = line;
  };
  try {
    await job.wait({ pollIntervalMs, signal: io.signal, onProgress });
  } catch (e) {
    if (!io.signal.aborted) throw e;
    io.stderr(`Cancelling ${job.batchId} at the provider… (rows already done are kept; Ctrl-C again to quit without waiting)\n`);
    await job.cancel();
    await job.wait({ pollIntervalMs, onProgress });
  }
}

export function progressLine(p: BatchProgress): string {
  const done = p.total - p.processing;
  const parts = [`${formatInt(p.succeeded)} ok`, `${formatInt(p.failed)} failed`];
  if (p.canceled) parts.push(`${formatInt(p.canceled)} canceled`);
  if (p.expired) parts.push(`${formatInt(p.expired)} expired`);
  const statuses = [...new Set(p.parts.map((x) => x.status))].join(', ') || p.status;
  return `[batch] ${formatInt(done)}/${formatInt(p.total)} done · ${parts.join(' · ')} · ${statuses}`;
}

/** The CLI's JSON contract: other tools script against it. */
export function toJson(report: BatchReport) {
  return {
    batchId: report.batchId,
    model: report.modelId,
    succeeded: report.succeeded,
    failed: report.failed,
    rows: report.rows.map((r) => ({
      customId: r.customId,
      ok: r.ok,
      output: r.output,
      cost: r.cost?.total ?? null,
      error: r.error && { kind: r.error.kind, message: r.error.message },
    })),
    totalCost: report.totalCost,
    realtimeCost: report.realtimeCost,
  };
}

const SHOWN_FAILURES = 20;
const SHOWN_ANSWERS = 5;

function oneLine(s: string, max = 80): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

export function renderReport(report: BatchReport, out?: string): string {
  const lines: string[] = [];
  const n = report.rows.length;
  lines.push(
    `${report.batchId || 'No batch'} · ${report.modelId} · ${formatInt(n)} row${n === 1 ? '' : 's'}: ${formatInt(report.succeeded)} succeeded, ${formatInt(report.failed)} failed`,
  );
  const saved = report.totalCost !== null && report.realtimeCost !== null ? report.realtimeCost - report.totalCost : null;
  lines.push(
    `Cost at batch prices ${formatUsd(report.totalCost)} · in real time ${formatUsd(report.realtimeCost)}${saved !== null ? ` · saved ${formatUsd(saved)}` : ''}`,
  );
  const failed = report.rows.filter((r) => !r.ok);
  if (failed.length) {
    lines.push('', 'Failed rows:');
    lines.push(
      renderTable(
        ['row', 'reason', 'message'],
        failed.slice(0, SHOWN_FAILURES).map((r) => [r.customId, r.error?.kind ?? '', oneLine(r.error?.message ?? '', 100)]),
      ),
    );
    if (failed.length > SHOWN_FAILURES) lines.push(`… and ${formatInt(failed.length - SHOWN_FAILURES)} more.`);
  }
  const ok = report.rows.filter((r) => r.ok);
  if (ok.length) {
    lines.push('', out ? `Answers written to ${out}. The first ones:` : 'The first answers (--out FILE.csv|.jsonl or --json for all):');
    lines.push(
      renderTable(
        ['row', 'cost', 'answer'],
        ok.slice(0, SHOWN_ANSWERS).map((r) => [r.customId, formatUsd(r.cost?.total), oneLine(r.output)]),
        [1],
      ),
    );
  }
  return lines.join('\n');
}

/** --model, else the template's single front-matter model, else the config file's single model. */
function chooseModel(flag: string | undefined, fromTemplate: string[], config: CliConfig): string {
  const candidates = flag ? [flag] : fromTemplate.length ? fromTemplate : config.models;
  if (candidates.length !== 1) throw new UsageError('batch runs one model: give it with --model ID (e.g. openai:gpt-4o-mini).');
  try {
    parseModelId(candidates[0]);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return candidates[0];
}

function seconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag} takes a number of seconds (got "${value}").`);
  return Math.round(n * 1000);
}

/** Written atomically (temp file + rename): a crash never leaves half a state. Never through a link (0600). */
function writeState(file: string, state: BatchState, projectRoot: string): void {
  if (!file) return;
  const tmp = `${file}.${process.pid}.tmp`;
  writePrivateFileSync(tmp, JSON.stringify(state, null, 2) + '\n', writeRootFor(file, projectRoot));
  fs.renameSync(tmp, file);
}
