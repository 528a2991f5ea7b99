// Batch runs in the editor: submit a template × a dataset through the vendor's Batch API (the
// same provider resolution as profiling: keys from SecretStorage or the environment, the base-URL
// trust rules), follow it in a cancellable progress notification with counts, keep its state in
// workspace state so that a window reload or restart resumes polling, then show the results and
// export them. Cancel (the notification's button) cancels the batch at the vendor.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as vscode from 'vscode';
import {
  BatchError,
  BatchService,
  datasetFormatOf,
  exportFormatOf,
  exportResults,
  parseBatchState,
  readDataset,
  type BatchJob,
  type BatchReport,
  type BatchState,
  type CompiledTemplate,
} from '../../core/batch';
import { formatInt } from '../../core/format';
import { BATCH_STATE_PREFIX } from '../constants';
import { Disposable } from '../lifecycle';
import type { ReportDocuments } from '../planner/reportDocuments';
import type { Services } from '../services';
import { percentDone, progressMessage, renderBatchReport, summaryLine } from './batchReport';

/** Failed rows written to the log (all of them are in the results report and the export). */
const LOGGED_FAILURES = 50;

export interface BatchSubmission {
  template: CompiledTemplate;
  /** Where the rows come from. */
  dataset: vscode.Uri;
  modelId: string;
  labels: { template: string; dataset: string };
}

export interface FollowOptions {
  /** Open the results report when the batch ends (default true for a batch started now). */
  showResults?: boolean;
  /** Export the results there (`.jsonl` or `.csv`) without asking. */
  exportTo?: vscode.Uri;
}

export interface BatchOutcome {
  jobId: string;
  /** Vendor batch id(s), comma-separated. */
  batchId: string;
  modelId: string;
  /**
   * `ended`: results read (some rows may have failed). `cancelled`: cancelled at the vendor, the
   * rows that ran are in the report. `detached`: the window is closing; polling resumes on the
   * next start. `failed`: could not submit or poll (the state is kept when there is a batch to resume).
   */
  status: 'ended' | 'cancelled' | 'detached' | 'failed';
  report?: BatchReport;
  /** The results report (a read-only Markdown document). */
  document?: vscode.Uri;
  exported?: vscode.Uri;
  error?: string;
}

interface Running {
  job?: BatchJob;
  controller: AbortController;
  cancelRequested: boolean;
}

export class BatchManager extends Disposable {
  private readonly running = new Map<string, Running>();
  /** Submissions in progress (no job id yet), so that dispose() stops them too. */
  private readonly submitting = new Set<Running>();
  private stopped = false;

  constructor(
    private readonly services: Services,
    private readonly reports: ReportDocuments,
  ) {
    super();
  }

  override dispose(): void {
    if (this.stopped) return;
    // Stop polling, never cancel: the batches keep running at the vendor and resume next time.
    this.stopped = true;
    for (const r of [...this.running.values(), ...this.submitting]) r.controller.abort();
    super.dispose();
  }

  /** A batch service over the extension's provider resolution and price book. */
  service(interactive: boolean): BatchService {
    return new BatchService({
      resolveProvider: async (name) => (await this.services.endpoints()).resolve(name, { interactive }),
      prices: this.services.engine.prices,
    });
  }

  /** The states kept in workspace state: batches that have not been read to the end. */
  savedStates(): BatchState[] {
    const ws = this.services.context.workspaceState;
    const out: BatchState[] = [];
    for (const key of ws.keys()) {
      if (!key.startsWith(BATCH_STATE_PREFIX)) continue;
      try {
        out.push(parseBatchState(ws.get<BatchState>(key)!));
      } catch (e) {
        this.services.log.warn(`Dropped an unreadable batch state ${key}: ${(e as Error).message}`);
        void ws.update(key, undefined);
      }
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Job ids being followed right now. */
  get active(): string[] {
    return [...this.running.keys()];
  }

  /** What the notification's Cancel does: cancels the batch at the vendor, then waits for it to end. */
  cancel(jobId: string): boolean {
    const r = this.running.get(jobId);
    if (!r) return false;
    if (r.cancelRequested) return true;
    r.cancelRequested = true;
    r.controller.abort();
    return true;
  }

  /** Submits a batch and follows it to the end (the Run as Batch… command). */
  async submitAndFollow(input: BatchSubmission, options: FollowOptions = {}): Promise<BatchOutcome> {
    return this.withNotification(`Prompt Profiler: batch on ${input.modelId}`, async (run, progress) => {
      progress.report({ message: 'Submitting…' });
      let job: BatchJob;
      try {
        job = await this.submit(input, run, (requests) => progress.report({ message: `Submitting: ${formatInt(requests)} requests read…` }));
      } catch (e) {
        const state = e instanceof BatchError ? e.state : undefined;
        if (state) await this.forget(state.jobId);
        const cancelled = run.cancelRequested || (e instanceof BatchError && e.kind === 'cancelled');
        const message = (e as Error).message;
        this.services.log.warn(`Batch on ${input.modelId} not submitted: ${message}`);
        if (!this.stopped) {
          if (cancelled) void vscode.window.showInformationMessage(`Prompt Profiler: batch cancelled. ${message}`);
          else void vscode.window.showErrorMessage(`Prompt Profiler: the batch could not be submitted. ${message}`);
        }
        return { jobId: state?.jobId ?? '', batchId: state?.parts.map((p) => p.id).join(',') ?? '', modelId: input.modelId, status: cancelled ? 'cancelled' : 'failed', error: message };
      }
      return this.follow(job, run, progress, { showResults: true, ...options });
    });
  }

  /**
   * Submits a batch and returns once every part is submitted and its state saved (what a
   * window that closes right after submitting leaves behind). `run` gives the abort signal.
   */
  async submit(input: BatchSubmission, run: { controller: AbortController } = { controller: new AbortController() }, onRequests?: (n: number) => void): Promise<BatchJob> {
    const { template, dataset, modelId, labels } = input;
    const config = this.services.config.value;
    const format = datasetFormatOf(dataset.path);
    if (!format) throw new BatchError('config', `The dataset must be a .jsonl, .ndjson, .csv or .tsv file (got ${path.basename(dataset.path)}).`);
    this.services.log.info(`Batch: submitting ${labels.template} × ${labels.dataset} to ${modelId}`);
    const job = await this.service(true).submit(
      {
        template,
        dataset: readDataset(await openDataset(dataset), format),
        modelId,
        maxOutputTokens: template.maxOutputTokens ?? config.maxOutputTokens,
        temperature: template.temperature ?? config.temperature,
        labels,
      },
      {
        signal: run.controller.signal,
        onState: (s) => this.save(s),
        onSubmitProgress: (e) => onRequests?.(e.requests),
      },
    );
    const s = job.state;
    this.services.log.info(
      `Batch ${job.id}: ${formatInt(s.rows)} rows, ${formatInt(s.parts.reduce((n, p) => n + p.requests, 0))} requests in ${s.parts.length} vendor batch${s.parts.length === 1 ? '' : 'es'} (${job.batchId || 'none'})` +
        (s.rejected.length ? `, ${formatInt(s.rejected.length)} rows not sent` : ''),
    );
    return job;
  }

  /**
   * Resumes polling of every saved batch that is not followed yet (on activation: after a reload
   * or a restart). Providers are resolved quietly: no key prompt pops up at startup.
   */
  async resumePending(options: FollowOptions = {}): Promise<BatchOutcome[]> {
    const states = this.savedStates().filter((s) => !this.running.has(s.jobId));
    return Promise.all(
      states.map(async (saved): Promise<BatchOutcome> => {
        const base = { jobId: saved.jobId, batchId: saved.parts.map((p) => p.id).join(','), modelId: saved.modelId };
        let job: BatchJob;
        try {
          job = await this.service(false).resume(saved, { onState: (s) => this.save(s) });
        } catch (e) {
          const message = (e as Error).message;
          this.services.log.warn(`Batch ${saved.jobId} (${base.batchId}) could not be resumed: ${message}`);
          void vscode.window.showWarningMessage(`Prompt Profiler: a batch on ${saved.modelId} could not be resumed: ${message}`);
          return { ...base, status: 'failed', error: message };
        }
        this.services.log.info(`Batch ${job.id}: resuming ${job.batchId} (${job.modelId})`);
        if (job.state.interrupted) this.services.log.warn(`Batch ${job.id}: the submission was interrupted after row ${formatInt(job.state.rows)}; later rows were never sent.`);
        return this.withNotification(`Prompt Profiler: batch on ${job.modelId} (resumed)`, (run, progress) =>
          this.follow(job, run, progress, { showResults: false, ...options }),
        );
      }),
    );
  }

  private async withNotification(
    title: string,
    task: (run: Running, progress: vscode.Progress<{ message?: string; increment?: number }>) => Promise<BatchOutcome>,
  ): Promise<BatchOutcome> {
    const run: Running = { controller: new AbortController(), cancelRequested: false };
    this.submitting.add(run);
    try {
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
        token.onCancellationRequested(() => {
          if (run.cancelRequested) return;
          run.cancelRequested = true;
          run.controller.abort();
        });
        return task(run, progress);
      });
    } finally {
      this.submitting.delete(run);
      for (const [id, r] of this.running) if (r === run) this.running.delete(id);
    }
  }

  /** Polls until the batch ends (cancelling it at the vendor when asked), then reads and shows the results. */
  private async follow(
    job: BatchJob,
    run: Running,
    progress: vscode.Progress<{ message?: string; increment?: number }>,
    options: FollowOptions,
  ): Promise<BatchOutcome> {
    const base = { jobId: job.id, batchId: job.batchId, modelId: job.modelId };
    run.job = job;
    this.running.set(job.id, run);
    let shown = 0;
    const onProgress = (p: Parameters<typeof progressMessage>[0]) => {
      const pct = percentDone(p);
      progress.report({ message: progressMessage(p), increment: Math.max(0, pct - shown) });
      shown = Math.max(shown, pct);
    };
    onProgress(job.progress());
    let cancelSent = false;
    try {
      for (;;) {
        if (run.cancelRequested && !cancelSent) {
          cancelSent = true;
          progress.report({ message: 'Cancelling at the provider… (rows already done are kept)' });
          this.services.log.info(`Batch ${job.id}: cancelling ${job.batchId} at the provider`);
          run.controller = new AbortController();
          await job.cancel();
        }
        try {
          await job.wait({ pollIntervalMs: this.services.config.value.batchPollIntervalMs, signal: run.controller.signal, onProgress });
          break;
        } catch (e) {
          if (this.stopped) return { ...base, status: 'detached' };
          if (run.controller.signal.aborted && run.cancelRequested && !cancelSent) continue;
          throw e;
        }
      }
      progress.report({ message: 'Reading the results…' });
      const report = await job.report();
      await this.forget(job.id);
      return await this.finish(job, report, cancelSent, options);
    } catch (e) {
      if (this.stopped) return { ...base, status: 'detached' };
      const message = (e as Error).message;
      this.services.log.error(`Batch ${job.id} (${job.batchId}): ${message}`);
      const retry = 'Retry';
      void vscode.window.showErrorMessage(`Prompt Profiler: batch ${job.batchId}: ${message} It is kept and resumes on the next start.`, retry).then((choice) => {
        if (choice === retry) void this.resumePending(options);
      });
      return { ...base, status: 'failed', error: message };
    }
  }

  private async finish(job: BatchJob, report: BatchReport, cancelled: boolean, options: FollowOptions): Promise<BatchOutcome> {
    const state = job.state;
    const log = this.services.log;
    log.info(`Batch ${job.id} (${report.batchId}) ${cancelled ? 'cancelled' : 'ended'}: ${summaryLine(report)}`);
    const failed = report.rows.filter((r) => !r.ok);
    for (const r of failed.slice(0, LOGGED_FAILURES)) log.warn(`Batch ${job.id} row ${r.row}: ${r.error?.kind}: ${r.error?.message}`);
    if (failed.length > LOGGED_FAILURES) log.warn(`Batch ${job.id}: … and ${formatInt(failed.length - LOGGED_FAILURES)} more failed rows (see the results).`);

    const document = this.reports.create(`batch-${job.id}`, renderBatchReport(report, state));
    const outcome: BatchOutcome = { jobId: job.id, batchId: report.batchId, modelId: report.modelId, status: cancelled ? 'cancelled' : 'ended', report, document };
    if (options.showResults) await this.reports.show(document);
    if (options.exportTo) {
      outcome.exported = await this.exportReport(report, options.exportTo);
    } else {
      const exportItem = 'Export…';
      const showItem = 'Show Results';
      const items = options.showResults ? [exportItem] : [showItem, exportItem];
      void vscode.window
        .showInformationMessage(`Prompt Profiler: batch ${cancelled ? 'cancelled' : 'done'} on ${report.modelId}: ${summaryLine(report)}.`, ...items)
        .then(async (choice) => {
          if (choice === showItem) await this.reports.show(document);
          if (choice === exportItem) await this.exportReport(report);
        });
    }
    return outcome;
  }

  /** Writes every row to a `.jsonl` or `.csv` file (asks where when no target is given). */
  async exportReport(report: BatchReport, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    if (!target) {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const name = `batch-${report.modelId.replace(/[^\w.-]+/g, '-')}-${new Date().toISOString().slice(0, 10)}.jsonl`;
      target = await vscode.window.showSaveDialog({
        title: 'Export the batch results',
        saveLabel: 'Export',
        defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
        filters: { 'JSON Lines': ['jsonl'], CSV: ['csv'] },
      });
      if (!target) return undefined;
    }
    const format = exportFormatOf(target.path);
    if (!format) {
      void vscode.window.showErrorMessage(`Prompt Profiler: export to a .jsonl or .csv file (got ${path.basename(target.path)}).`);
      return undefined;
    }
    const chunks: string[] = [];
    const n = await exportResults(report.rows, format, (chunk) => void chunks.push(chunk));
    await vscode.workspace.fs.writeFile(target, Buffer.from(chunks.join(''), 'utf8'));
    this.services.log.info(`Exported ${formatInt(n)} batch rows to ${target.fsPath}`);
    return target;
  }

  private save(state: BatchState): void {
    if (state.parts.length === 0 && !state.submitted) return; // nothing at the vendor yet
    void this.services.context.workspaceState.update(BATCH_STATE_PREFIX + state.jobId, state);
  }

  private async forget(jobId: string): Promise<void> {
    await this.services.context.workspaceState.update(BATCH_STATE_PREFIX + jobId, undefined);
  }
}

/** The dataset as a stream: read from disk for local files, through VS Code's file system otherwise. */
async function openDataset(uri: vscode.Uri): Promise<NodeJS.ReadableStream> {
  if (uri.scheme === 'file') {
    await fs.promises.access(uri.fsPath, fs.constants.R_OK);
    return fs.createReadStream(uri.fsPath);
  }
  return Readable.from([Buffer.from(await vscode.workspace.fs.readFile(uri))]);
}
