// The call history on disk: append-only JSONL files in one folder, one line per call.
//
// Layout and rotation: one file per calendar month (UTC, from the record's time),
// `calls-YYYY-MM.jsonl`; a month past `maxFileBytes` (default 8 MiB, ~25,000 calls) continues
// in `calls-YYYY-MM.2.jsonl`, `.3`, … Files are only ever created and appended to, never
// renamed or rewritten, so rotation needs no coordination between processes. Old months are
// deleted only by `prune()` (or `retainMonths`, checked when a process first writes to a month).
//
// Two writers (two VS Code windows, the CLI beside the extension): each record is ONE write()
// on a descriptor opened with O_APPEND, and a record is at most MAX_RECORD_BYTES (4 KiB), so
// the kernel places each line whole at the end of the file; lines never interleave. Two
// writers racing past the size limit both move on to the same next part: harmless.
//
// Crashes: a process killed mid-write can leave a torn last line. The next append sees that
// the file does not end with a newline and starts its record on a new line, so only the torn
// fragment is lost; readers skip unparsable lines and report them (file, line, reason), never
// failing on them.
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { openPrivateFile } from '../files/safeFiles';
import { toMs, type DateLike } from './dates';
import { parseHistoryLine, recordProblem, serializeRecord } from './record';
import { MAX_RECORD_BYTES, type HistoryRecord } from './types';

export interface HistoryLogOptions {
  /** The history folder (extension: workspace storage; CLI: `.prompt-profiler/history`). Created on the first append. */
  dir: string;
  /** No folder between this one and `dir` may be a link (default: `dir` itself). */
  root?: string;
  /** A month's file is continued in a new part once it reaches this size (default 8 MiB). */
  maxFileBytes?: number;
  /** Keep this many months (the current one included); 0 = keep everything (default). */
  retainMonths?: number;
}

/** A line that was skipped while reading. */
export interface HistoryProblem {
  file: string;
  /** 1-based line number. */
  line: number;
  reason: string;
}

export interface HistoryReadResult {
  /** Sorted by time (stable: equal times keep file order). */
  records: HistoryRecord[];
  problems: HistoryProblem[];
}

export interface HistoryRange {
  /** Inclusive. */
  since?: DateLike;
  /** Exclusive. */
  until?: DateLike;
}

export const DEFAULT_MAX_FILE_BYTES = 8 * 1024 * 1024;
const FILE_RE = /^calls-(\d{4})-(\d{2})(?:\.(\d+))?\.jsonl$/;
const NEWLINE = 0x0a;

interface HistoryFile {
  name: string;
  month: string; // YYYY-MM
  part: number; // 1 for the unnumbered first file
}

function parseFileName(name: string): HistoryFile | undefined {
  const m = FILE_RE.exec(name);
  if (!m) return undefined;
  const part = m[3] === undefined ? 1 : Number(m[3]);
  if (part < 2 && m[3] !== undefined) return undefined; // `.1` / `.0` are not ours
  return { name, month: `${m[1]}-${m[2]}`, part };
}

export function historyFileName(month: string, part: number): string {
  return part <= 1 ? `calls-${month}.jsonl` : `calls-${month}.${part}.jsonl`;
}

function monthOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

export class HistoryLog {
  readonly dir: string;
  private readonly root: string;
  private readonly maxFileBytes: number;
  private readonly retainMonths: number;
  /** month → the part this process last appended to. */
  private readonly parts = new Map<string, number>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: HistoryLogOptions) {
    this.dir = path.resolve(options.dir);
    this.root = path.resolve(options.root ?? options.dir);
    this.maxFileBytes = Math.max(MAX_RECORD_BYTES, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
    this.retainMonths = Math.max(0, Math.floor(options.retainMonths ?? 0));
  }

  /**
   * Appends records, each in one O_APPEND write. Throws a TypeError for an invalid record (a
   * bug) and the file system's error when the folder cannot be written; callers that must not
   * fail (a profile run) catch and report it.
   */
  async append(records: HistoryRecord | readonly HistoryRecord[]): Promise<void> {
    const list = Array.isArray(records) ? (records as readonly HistoryRecord[]) : [records as HistoryRecord];
    const lines = list.map((record) => {
      const problem = recordProblem(record);
      if (problem) throw new TypeError(`Invalid history record: ${problem}`);
      const line = Buffer.from(serializeRecord(record), 'utf8');
      if (line.length > MAX_RECORD_BYTES) {
        throw new RangeError(`History record is ${line.length} bytes; at most ${MAX_RECORD_BYTES} are written at once.`);
      }
      return { month: monthOf(Date.parse(record.time)), line };
    });
    await this.serialized(async () => {
      for (const { month, line } of lines) await this.appendLine(month, line);
    });
  }

  /** Every record in the range, with the lines that had to be skipped. */
  async read(range: HistoryRange = {}): Promise<HistoryReadResult> {
    const since = range.since === undefined ? undefined : toMs(range.since);
    const until = range.until === undefined ? undefined : toMs(range.until);
    const firstMonth = since === undefined ? undefined : monthOf(since);
    const lastMonth = until === undefined ? undefined : monthOf(until - 1);
    const records: HistoryRecord[] = [];
    const problems: HistoryProblem[] = [];
    for (const file of await this.listFiles()) {
      if (firstMonth !== undefined && file.month < firstMonth) continue;
      if (lastMonth !== undefined && file.month > lastMonth) continue;
      await this.readFile(path.join(this.dir, file.name), (record) => {
        const t = Date.parse(record.time);
        if ((since === undefined || t >= since) && (until === undefined || t < until)) records.push(record);
      }, problems);
    }
    const order = records.map((r, i) => ({ r, i, t: Date.parse(r.time) }));
    order.sort((a, b) => a.t - b.t || a.i - b.i);
    return { records: order.map((o) => o.r), problems };
  }

  /** The history files, oldest first (absolute paths). */
  async files(): Promise<string[]> {
    return (await this.listFiles()).map((f) => path.join(this.dir, f.name));
  }

  /** Deletes the files of months before `month` (YYYY-MM, or the month of a date). Returns how many. */
  async prune(before: DateLike): Promise<number> {
    const cutoff = typeof before === 'string' && /^\d{4}-\d{2}$/.test(before) ? before : monthOf(toMs(before));
    let removed = 0;
    for (const file of await this.listFiles()) {
      if (file.month >= cutoff) continue;
      try {
        await fs.unlink(path.join(this.dir, file.name));
        removed++;
      } catch (err) {
        if (errCode(err) !== 'ENOENT') throw err;
      }
    }
    return removed;
  }

  /** Deletes every history file (other files in the folder are left alone). */
  async clear(): Promise<void> {
    await this.serialized(async () => {
      for (const file of await this.listFiles()) await fs.unlink(path.join(this.dir, file.name)).catch(() => undefined);
      this.parts.clear();
    });
  }

  private async appendLine(month: string, line: Buffer): Promise<void> {
    let part = this.parts.get(month);
    if (part === undefined) {
      part = 1;
      for (const f of await this.listFiles()) if (f.month === month && f.part > part) part = f.part;
      if (this.retainMonths > 0) await this.prune(shiftMonth(month, -(this.retainMonths - 1)));
    }
    for (let attempt = 0; ; attempt++) {
      const file = path.join(this.dir, historyFileName(month, part));
      let handle: fs.FileHandle;
      try {
        // O_APPEND | O_CREAT | O_RDWR | O_NOFOLLOW, 0600, through folders that are not links.
        handle = await openPrivateFile(file, 'append', this.root);
      } catch (err) {
        if (errCode(err) === 'ENOENT' && attempt < 3) continue;
        throw err;
      }
      try {
        const { size } = await handle.stat();
        if (size >= this.maxFileBytes) {
          part++;
          continue;
        }
        let data = line;
        if (size > 0) {
          // A torn last line (a writer crashed mid-line): start on a fresh line.
          const last = Buffer.alloc(1);
          await handle.read(last, 0, 1, size - 1);
          if (last[0] !== NEWLINE) data = Buffer.concat([Buffer.from([NEWLINE]), line]);
        }
        let written = (await handle.write(data)).bytesWritten;
        // A short write only happens when the disk is full or on an exotic file system.
        while (written < data.length) written += (await handle.write(data, written)).bytesWritten;
      } finally {
        await handle.close();
      }
      this.parts.set(month, part);
      return;
    }
  }

  private async readFile(file: string, onRecord: (r: HistoryRecord) => void, problems: HistoryProblem[]): Promise<void> {
    let stream;
    try {
      await fs.access(file);
      stream = createReadStream(file, { encoding: 'utf8' });
    } catch (err) {
      if (errCode(err) === 'ENOENT') return; // pruned meanwhile
      throw err;
    }
    const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
    let n = 0;
    let pending: { n: number; text: string } | undefined;
    const handle = (item: { n: number; text: string }, last: boolean) => {
      if (!item.text.trim()) return;
      const parsed = parseHistoryLine(item.text);
      if (parsed.ok) onRecord(parsed.record);
      else problems.push({ file, line: item.n, reason: last ? `torn last line (${parsed.reason})` : parsed.reason });
    };
    try {
      for await (const text of lines) {
        n++;
        if (pending) handle(pending, false);
        pending = { n, text };
      }
    } catch (err) {
      if (errCode(err) === 'ENOENT') return;
      throw err;
    }
    if (pending) handle(pending, true);
  }

  private async listFiles(): Promise<HistoryFile[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (err) {
      const code = errCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      throw err;
    }
    return names
      .map(parseFileName)
      .filter((f): f is HistoryFile => f !== undefined)
      .sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : a.part - b.part));
  }

  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** `YYYY-MM` moved by `delta` months. */
export function shiftMonth(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const total = y * 12 + (m - 1) + delta;
  return `${String(Math.floor(total / 12)).padStart(4, '0')}-${String((total % 12) + 1).padStart(2, '0')}`;
}
