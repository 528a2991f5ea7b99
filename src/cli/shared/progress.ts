// Live progress on stderr while calls run. On a terminal: one live line per model while it
// streams (tokens so far, tok/s, elapsed) and, for repeats and datasets, an overall bar with
// done/total, spend so far and ETA (cli-progress). Elsewhere (CI logs, pipes): plain lines, one per
// finished call, or for repeats and datasets at most one every 500 ms. --quiet: nothing. Never
// inside a call's measured interval: the runner reports events after it has stamped its clocks.
import { MultiBar, type SingleBar } from 'cli-progress';
import { firstLine, formatMs, formatUsd } from '../../core/format';
import type { RunProgress, RunResult } from '../../core/run';
import type { CliIO } from './io';
import { terminalSafe } from '../../core/text';

export interface ProgressOptions {
  /** Calls in all. */
  total: number;
  quiet?: boolean;
  /** An overall bar (done/total, spend, ETA): for repeats and datasets. */
  bar?: boolean;
  /** How a finished call is named in plain lines, e.g. "row 3 openai:gpt-4o-mini". */
  label?: (result: RunResult) => string;
}

export interface Progress {
  /** A handler for one engine.run's events (indexes are per run: a dataset has one run a row). */
  forRun(): (event: RunProgress) => void;
  stop(): void;
}

/** Spend of fresh calls so far; cache hits cost nothing. */
const spent = (r: RunResult) => (r.cacheHit ? 0 : r.cost?.total ?? 0);

export function createProgress(io: CliIO, o: ProgressOptions): Progress {
  if (o.quiet) return { forRun: () => () => {}, stop: () => {} };
  if (!io.tty) return plainProgress(io, o);
  return liveProgress(io.tty, o);
}

/**
 * With an overall bar (repeats, datasets): a plain line at most every PLAIN_EVERY_MS, failures and
 * the last call at once. A write to a pipe blocks: one per call was the CLI's largest own cost at
 * C = 100 (docs/BENCHMARKS.md), CPU that the streams still in flight then wait for.
 */
export const PLAIN_EVERY_MS = 500;

export function plainProgress(io: CliIO, o: ProgressOptions, now: () => number = () => performance.now()): Progress {
  let done = 0;
  let lastLineAt = -Infinity;
  return {
    forRun: () => (e) => {
      if (e.type !== 'finished') return;
      const r = e.result;
      done++;
      if (o.bar && r.ok && done < o.total && now() - lastLineAt < PLAIN_EVERY_MS) return;
      lastLineAt = now();
      const what = r.ok ? (r.cacheHit ? 'cache hit' : formatMs(r.latencyMs)) : `${r.error?.kind}: ${r.error?.message}`;
      // A one-line message stays whole (a refusal names its remedy at the end).
      io.stderr(`[${done}/${o.total}] ${o.label?.(r) ?? r.modelId} ${r.ok ? '✓' : '✗'} ${r.ok ? what : firstLine(what, 1000)}\n`);
    },
    stop() {},
  };
}

interface ModelLine {
  bar: SingleBar;
  inFlight: number;
  chars: number;
  startedAt: number;
  finished: number;
}

function liveProgress(stream: NodeJS.WriteStream, o: ProgressOptions): Progress {
  const multi = new MultiBar({
    stream,
    hideCursor: true,
    clearOnComplete: true,
    autopadding: true,
    fps: 10,
    etaBuffer: 50,
    format: (options, params, payload: { line?: string }) => payload.line ?? '',
  });
  const overall =
    o.bar && o.total > 1
      ? multi.create(o.total, 0, { spent: 0 }, {
          format: ' {bar} {value}/{total} calls · spent {spent} · ETA {eta_formatted}',
          barsize: 24,
        })
      : undefined;
  let totalSpent = 0;
  let done = 0;
  const models = new Map<string, ModelLine>();
  const render = (id: string, m: ModelLine) => {
    const secs = (performance.now() - m.startedAt) / 1000;
    // ≈ 4 characters a token: a live hint only; the table has the real counts.
    const tokens = Math.round(m.chars / 4);
    const rate = secs > 0 && tokens ? `${(tokens / secs).toFixed(0)} tok/s` : '';
    const state = m.inFlight ? `streaming${m.inFlight > 1 ? ` ×${m.inFlight}` : ''}` : 'done';
    m.bar.update({ line: terminalSafe(`  ${id.padEnd(32)} ${state.padEnd(13)} ≈${String(tokens).padStart(6)} tok  ${rate.padStart(10)}  ${secs.toFixed(1)} s${m.finished ? `  ${m.finished} finished` : ''}`) });
  };
  const timer = setInterval(() => models.forEach((m, id) => m.inFlight && render(id, m)), 200);
  timer.unref();
  const handle = (byIndex: Map<number, string>, e: RunProgress) => {
    if (e.type === 'started') {
      byIndex.set(e.index, e.modelId);
      let m = models.get(e.modelId);
      if (!m) {
        m = { bar: multi.create(1, 0, { line: '' }), inFlight: 0, chars: 0, startedAt: performance.now(), finished: 0 };
        models.set(e.modelId, m);
      }
      if (m.inFlight === 0) {
        m.chars = 0;
        m.startedAt = performance.now();
      }
      m.inFlight++;
      render(e.modelId, m);
    } else if (e.type === 'text') {
      const id = byIndex.get(e.index);
      const m = id && models.get(id);
      if (m) m.chars += e.text.length;
    } else {
      const m = models.get(e.result.modelId);
      if (m) {
        m.inFlight = Math.max(0, m.inFlight - 1);
        m.finished++;
        render(e.result.modelId, m);
      }
      totalSpent += spent(e.result);
      overall?.update(++done, { spent: formatUsd(totalSpent) });
    }
  };
  return {
    forRun: () => {
      const byIndex = new Map<number, string>();
      return (e) => handle(byIndex, e);
    },
    stop() {
      clearInterval(timer);
      multi.stop();
    },
  };
}
