// The call history of this workspace: every profiled call appended as one record (time, model,
// tokens, cost, latency, TTFT, cache hit, error kind; never a key, the prompt text only when
// `promptProfiler.history.includePrompts` allows) to the append-only JSONL files of
// src/core/history, in the workspace's storage (global storage when no folder is open).
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PromptInput } from '../../core/engine';
import { hitRateSince, measureHitRate, type MeasuredHitRate } from '../../core/history/hitRate';
import type { HistoryLog } from '../../core/history/log';
import type { HistoryRecord } from '../../core/history/types';
import type { RunResult } from '../../core/run';
import type { ConfigService } from '../config';
import { Disposable } from '../lifecycle';
import type { Log } from '../log';

/** When each call of a run finished and which ones were really started, by the runner's job index. */
export interface RunTimes {
  /** ms since epoch of the runner's `finished` event, per job index. */
  finishedAt: Map<number, number>;
  /** Job indexes that got a `started` event (a call cancelled before it started sent nothing). */
  started: Set<number>;
}

// The files' code loads with the first read or write: activation only builds this service.
const historyFiles = () => Promise.all([import('../../core/history/log'), import('../../core/history/record')]);

export class HistoryService extends Disposable {
  private logInstance: Promise<HistoryLog> | undefined;
  /** The history folder. */
  readonly dir: vscode.Uri;
  private readonly emitter = this._register(new vscode.EventEmitter<number>());
  /** Fires with the number of records just appended. */
  readonly onDidAppend = this.emitter.event;
  private warned = false;
  /** Time and cache hit of the calls since the hit-rate window's start, oldest first (undefined: not read). */
  private recent: RecentCall[] | undefined;
  /** `filesState()` when `recent` matched the files. */
  private knownFiles = '';
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    context: vscode.ExtensionContext,
    private readonly config: ConfigService,
    private readonly output: Log,
  ) {
    super();
    this.dir = vscode.Uri.joinPath(context.storageUri ?? context.globalStorageUri, 'history');
  }

  /** The history's files. */
  log(): Promise<HistoryLog> {
    return (this.logInstance ??= historyFiles().then(([{ HistoryLog }]) => new HistoryLog({ dir: this.dir.fsPath })));
  }

  get enabled(): boolean {
    return this.config.value.history.enabled;
  }

  /** The records of one run: calls that were sent (or answered from the cache), each stamped with its own finish time. */
  async recordsOf(prompt: PromptInput, results: readonly RunResult[], times: RunTimes): Promise<HistoryRecord[]> {
    const [, { historyRecordFromResult }] = await historyFiles();
    const runId = randomUUID();
    const includePrompt = this.config.value.history.includePrompts;
    const records: HistoryRecord[] = [];
    results.forEach((result, index) => {
      if (!times.started.has(index)) return;
      records.push(
        historyRecordFromResult(result, {
          time: times.finishedAt.get(index) ?? Date.now(),
          prompt: { system: prompt.system, messages: prompt.messages },
          includePrompt,
          runId,
          source: 'extension',
        }),
      );
    });
    return records;
  }

  /**
   * The answer-cache hit rate of the recent calls (Decide's measured h), from memory: undefined
   * until `refreshRecent` has read the files (or when they could not be read).
   */
  measuredHitRate(): MeasuredHitRate | undefined {
    if (!this.recent) return undefined;
    const now = Date.now();
    const since = hitRateSince({ now }).toISOString();
    // ISO 8601 UTC times compare as strings.
    if (this.recent.length && this.recent[0].time < since) this.recent = this.recent.filter((r) => r.time >= since);
    return measureHitRate(this.recent, { now });
  }

  /**
   * Keeps the time and cache hit of the recent calls in memory: read from the files the first
   * time, and again only when another process (a second window, the extension host of another
   * VS Code) changed them since; this window's own appends are added as they are written. A
   * run's analysis thus needs no file read. True when the calls were (re)read.
   */
  refreshRecent(): Promise<boolean> {
    return this.inTurn(async () => {
      try {
        // The files' state before the read: a write during the read shows as a change next time.
        const files = await this.filesState();
        if (this.recent && files === this.knownFiles) return false;
        const { records } = await (await this.log()).read({ since: hitRateSince() });
        this.recent = records.map(recentCall);
        this.knownFiles = files;
        return true;
      } catch (e) {
        this.output.warn(`Could not read the call history in ${this.dir.fsPath}: ${(e as Error).message ?? e}`);
        return false;
      }
    });
  }

  /** The history files' names and sizes: appends only ever grow them or add files. */
  private async filesState(): Promise<string> {
    const sizes = await Promise.all(
      (await (await this.log()).files()).map(async (f) => `${path.basename(f)}:${await fs.stat(f).then((s) => s.size, () => -1)}`),
    );
    return sizes.join('|');
  }

  /**
   * Runs the reads and appends of this window one after the other: an append is then either in
   * the files before `refreshRecent` reads them, or counted in memory after, never lost or doubled.
   */
  private inTurn<T>(op: () => Promise<T>): Promise<T> {
    const result = this.turn.then(op);
    this.turn = result.catch(() => undefined);
    return result;
  }

  /** Appends a run's calls when the history is enabled. Never throws: a profile must not fail on it. */
  async recordRun(prompt: PromptInput, results: readonly RunResult[], times: RunTimes): Promise<number> {
    if (!this.enabled) return 0;
    return this.append(await this.recordsOf(prompt, results, times));
  }

  /** Appends records to the history. Never throws; the number written. */
  private async append(records: readonly HistoryRecord[]): Promise<number> {
    try {
      if (!records.length) return 0;
      await this.inTurn(async () => {
        // Known files before the write: ours after it. Otherwise another process wrote meanwhile, and the next refresh reads it.
        const known = !!this.recent && (await this.filesState()) === this.knownFiles;
        await (await this.log()).append(records);
        if (!this.recent) return;
        this.recent.push(...records.map(recentCall));
        if (known) this.knownFiles = await this.filesState();
      });
      this.emitter.fire(records.length);
      return records.length;
    } catch (e) {
      const message = `Could not write the call history in ${this.dir.fsPath}: ${(e as Error).message ?? e}`;
      this.output.warn(message);
      if (!this.warned) {
        this.warned = true;
        void vscode.window.showWarningMessage(`Prompt Profiler: ${message}`);
      }
      return 0;
    }
  }
}

type RecentCall = Pick<HistoryRecord, 'time' | 'cacheHit'>;

const recentCall = (r: HistoryRecord): RecentCall => ({ time: r.time, cacheHit: r.cacheHit });
