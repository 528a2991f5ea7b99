// The call history of this workspace: every profiled call appended as one record (time, model,
// tokens, cost, latency, TTFT, cache hit, error kind; never a key, the prompt text only when
// `promptProfiler.history.includePrompts` allows) to the append-only JSONL files of
// src/core/history, in the workspace's storage (global storage when no folder is open).
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { PromptInput } from '../../core/engine';
import { HistoryLog, historyRecordFromResult, hitRateSince, measureHitRate, type HistoryRecord, type MeasuredHitRate } from '../../core/history';
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

export class HistoryService extends Disposable {
  readonly log: HistoryLog;
  /** The history folder. */
  readonly dir: vscode.Uri;
  private readonly emitter = this._register(new vscode.EventEmitter<number>());
  /** Fires with the number of records just appended. */
  readonly onDidAppend = this.emitter.event;
  private warned = false;

  constructor(
    context: vscode.ExtensionContext,
    private readonly config: ConfigService,
    private readonly output: Log,
  ) {
    super();
    this.dir = vscode.Uri.joinPath(context.storageUri ?? context.globalStorageUri, 'history');
    this.log = new HistoryLog({ dir: this.dir.fsPath });
  }

  get enabled(): boolean {
    return this.config.value.history.enabled;
  }

  /** The records of one run: calls that were sent (or answered from the cache), each stamped with its own finish time. */
  recordsOf(prompt: PromptInput, results: readonly RunResult[], times: RunTimes): HistoryRecord[] {
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

  /** The answer-cache hit rate of the recent calls (Decide's measured h). Undefined when the files cannot be read. */
  async measuredHitRate(): Promise<MeasuredHitRate | undefined> {
    try {
      const now = Date.now();
      const { records } = await this.log.read({ since: hitRateSince({ now }) });
      return measureHitRate(records, { now });
    } catch (e) {
      this.output.warn(`Could not read the call history in ${this.dir.fsPath}: ${(e as Error).message ?? e}`);
      return undefined;
    }
  }

  /** Appends a run's calls when the history is enabled. Never throws: a profile must not fail on it. */
  async recordRun(prompt: PromptInput, results: readonly RunResult[], times: RunTimes): Promise<number> {
    if (!this.enabled) return 0;
    try {
      const records = this.recordsOf(prompt, results, times);
      if (!records.length) return 0;
      await this.log.append(records);
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
