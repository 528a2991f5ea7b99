// prompt-profiler report: the monitoring summary of the call history that `run` appends to
// (`.prompt-profiler/history` in the project's folder), as tables or JSON/CSV.
import * as path from 'node:path';
import type { Command } from 'commander';
import { formatInt, formatMs, formatUsd } from '../../core/format';
import { HistoryLog, summarizeHistory, summaryToCsv, summaryToJson, type HistorySummary, type Percentiles } from '../../core/history';
import { defineCommand, type CommandContext } from '../shared/command';
import { loadConfig } from '../shared/config';
import { DEFAULT_HISTORY_DIR } from '../shared/history';
import { UsageError, type CliIO } from '../shared/io';
import { renderTable } from '../shared/table';

interface ReportOptions {
  since?: string;
  until?: string;
  json?: boolean;
  csv?: boolean;
  history?: string;
  config?: string;
}

export function registerReport(program: Command, ctx: CommandContext): void {
  defineCommand(program, 'report', 'summarise the call history that run appends to: spend, cache hits, errors, latency and TTFT percentiles')
    .option('--since <date>', 'from this date (2025-06-01), date-time (2025-06-01T09:00Z) or span back from now (7d, 24h)')
    .option('--until <date>', 'up to this date, date-time or span')
    .option('--json', 'print JSON')
    .option('--csv', 'print CSV (per model)')
    .option('--history <dir>', `history folder (default ${DEFAULT_HISTORY_DIR} in the project's folder)`)
    .action(async (opts: ReportOptions) => ctx.exit(await reportCommand(opts, ctx.io)));
}

export async function reportCommand(values: ReportOptions, io: CliIO): Promise<number> {
  if (values.json && values.csv) throw new UsageError('Choose one of --json and --csv.');
  const now = Date.now();
  const since = values.since === undefined ? undefined : parseCliDate(values.since, '--since', now);
  const until = values.until === undefined ? undefined : parseCliDate(values.until, '--until', now);
  if (since !== undefined && until !== undefined && until <= since) throw new UsageError('--until must be after --since.');

  const dir = values.history !== undefined ? path.resolve(io.cwd, values.history) : path.resolve(loadConfig(io.cwd, { explicit: values.config, env: io.env }).root, DEFAULT_HISTORY_DIR);
  const log = new HistoryLog({ dir });
  const { records, problems } = await log.read({ since, until });
  for (const p of problems) {
    io.stderr(`warning: skipped line ${p.line} of ${path.relative(io.cwd, p.file) || p.file} (${p.reason})\n`);
  }
  const summary = summarizeHistory(records, { since, until, timeZone: 'local' });
  if (values.json) io.stdout(summaryToJson(summary));
  else if (values.csv) io.stdout(summaryToCsv(summary, 'models'));
  else io.stdout(renderReport(summary, path.relative(io.cwd, dir) || dir) + '\n');
  return 0;
}

/**
 * `2025-06-01` (local midnight), an ISO date-time (`2025-06-01T09:00`, `…Z`), or a span back
 * from now: `7d`, `24h`, `30m`.
 */
export function parseCliDate(value: string, flag: string, now: number): number {
  const span = /^(\d+)([dhm])$/.exec(value);
  if (span) {
    const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[span[2] as 'd' | 'h' | 'm'];
    return now - Number(span[1]) * unit;
  }
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (day) {
    const d = new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
    if (d.getMonth() === Number(day[2]) - 1 && d.getDate() === Number(day[3])) return d.getTime();
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms;
  }
  throw new UsageError(`${flag} takes a date (2025-06-01), a date-time (2025-06-01T09:00Z) or a span (7d, 24h); got "${value}".`);
}

const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
const pcts = (p: Percentiles) => (p.n ? `${formatMs(p.p50)} / ${formatMs(p.p95)} / ${formatMs(p.p99)}` : '—');

export function renderReport(s: HistorySummary, where: string): string {
  if (!s.calls) {
    const range = s.since || s.until ? ' in that range' : ' yet';
    return `No calls recorded${range} (history: ${where}).`;
  }
  const day = (iso: string) => {
    if (s.timeZone === 'UTC') return iso.slice(0, 10);
    const d = new Date(iso);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  };
  const out: string[] = [];
  out.push(`${formatInt(s.calls)} call${s.calls === 1 ? '' : 's'} from ${day(s.first!)} to ${day(s.last!)} (history: ${where})`);
  out.push(
    `Spent ${formatUsd(s.cost)}${s.unpricedCalls ? ` (+ ${s.unpricedCalls} unpriced)` : ''} · answer cache ${s.cacheHits} hit${s.cacheHits === 1 ? '' : 's'} (${pct(s.cacheHitRate)}), saved ${formatUsd(s.savedByCache)} · ${s.errors} error${s.errors === 1 ? '' : 's'}`,
  );
  out.push('');
  out.push(
    renderTable(
      ['model', 'calls', 'cache hits', 'errors', 'cost', 'latency p50/p95/p99', 'n', 'TTFT p50/p95/p99', 'n'],
      s.models.map((m) => [
        m.model,
        formatInt(m.calls),
        `${m.cacheHits} (${pct(m.cacheHitRate)})`,
        String(m.errors),
        formatUsd(m.cost) + (m.unpricedCalls ? ` +${m.unpricedCalls} unpriced` : ''),
        pcts(m.latencyMs),
        String(m.latencyMs.n),
        pcts(m.ttftMs),
        String(m.ttftMs.n),
      ]),
      [1, 2, 3, 4, 5, 6, 7, 8],
    ),
  );
  out.push('');
  out.push(
    renderTable(
      ['day', 'calls', 'cache hits', 'errors', 'cost'],
      s.days.map((d) => [d.day, formatInt(d.calls), String(d.cacheHits), String(d.errors), formatUsd(d.cost)]),
      [1, 2, 3, 4],
    ),
  );
  if (s.errorsByKind.length) {
    out.push('');
    out.push(renderTable(['error', 'count'], s.errorsByKind.map((e) => [e.kind, String(e.count)]), [1]));
  }
  return out.join('\n');
}
