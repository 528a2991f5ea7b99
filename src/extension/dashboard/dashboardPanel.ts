// The host side of the monitoring dashboard: reads the call history for a date range, posts the
// summary (summarizeHistory: percentiles per model, answer-cache hit rate, cost by model and by
// day, errors by kind) to the webview (src/webview/dashboard), refreshes when calls are recorded,
// and exports CSV/JSON through a save dialog. Strict CSP with a nonce, a ready handshake.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { recordsToCsv, summarizeHistory, summaryToCsv, summaryToJson, type HistoryRecord } from '../../core/history';
import { DEFAULT_RANGE, type DashboardData, type DashboardRange, type DashboardToHost, type ExportKind, type HostToDashboard } from '../../webview/dashboard/protocol';
import { localDay, resolveRange, sanitizeRange } from '../../webview/dashboard/range';
import { DASHBOARD_VIEW_TYPE } from '../constants';
import { Disposable } from '../lifecycle';
import { testHooks } from '../testHooks';
import type { Services } from '../services';
import { webviewHtml, webviewPanelOptions } from '../webviewHost';

/** New calls refresh the dashboard after this quiet time (a run records its calls together). */
const REFRESH_DEBOUNCE_MS = 300;

const EXPORTS: Record<ExportKind, { label: string; ext: 'csv' | 'json'; suffix: string }> = {
  'csv-models': { label: 'CSV', ext: 'csv', suffix: 'models' },
  'csv-days': { label: 'CSV', ext: 'csv', suffix: 'days' },
  'csv-errors': { label: 'CSV', ext: 'csv', suffix: 'errors' },
  'csv-calls': { label: 'CSV', ext: 'csv', suffix: 'calls' },
  json: { label: 'JSON', ext: 'json', suffix: 'summary' },
};

export class DashboardPanel extends Disposable {
  private static current: DashboardPanel | undefined;

  static show(services: Services, range?: DashboardRange): DashboardPanel {
    if (DashboardPanel.current) {
      const d = DashboardPanel.current;
      d.panel.reveal(undefined, false);
      if (range) void d.setRange(range);
      return d;
    }
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, 'Prompt Profiler Dashboard', vscode.ViewColumn.Active, webviewPanelOptions(services.extensionUri));
    return (DashboardPanel.current = new DashboardPanel(panel, services, range));
  }

  static revive(panel: vscode.WebviewPanel, services: Services): DashboardPanel {
    DashboardPanel.current?.dispose();
    panel.webview.options = webviewPanelOptions(services.extensionUri);
    return (DashboardPanel.current = new DashboardPanel(panel, services));
  }

  static get active(): DashboardPanel | undefined {
    return DashboardPanel.current;
  }

  private range: DashboardRange;
  private ready = false;
  private closed = false;
  private refreshTimer: NodeJS.Timeout | undefined;
  /** Refreshes run one after the other; the last one posted wins. */
  private refreshing: Promise<DashboardData | undefined> = Promise.resolve(undefined);
  /** The data last posted. */
  data: DashboardData | undefined;
  /** What the page last reported drawing. */
  rendered: { readAt: string; calls: number; charts: number } | undefined;

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly services: Services,
    range?: DashboardRange,
  ) {
    super();
    this.range = range ?? DEFAULT_RANGE;
    panel.iconPath = vscode.Uri.joinPath(services.extensionUri, 'media', 'icon.png');
    panel.webview.html = this.html();
    this._register(panel.webview.onDidReceiveMessage((m: DashboardToHost) => this.onMessage(m)));
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(services.history.onDidAppend(() => this.scheduleRefresh()));
    this._register(
      services.config.onDidChange(() => {
        if (this.data && this.data.historyEnabled !== services.config.value.history.enabled) this.scheduleRefresh();
      }),
    );
  }

  /** The webview has loaded and said `ready`. */
  get isReady(): boolean {
    return this.ready && !this.closed;
  }

  get currentRange(): DashboardRange {
    return this.range;
  }

  override dispose(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.refreshTimer);
    if (DashboardPanel.current === this) DashboardPanel.current = undefined;
    super.dispose();
    this.panel.dispose();
  }

  async setRange(range: DashboardRange): Promise<DashboardData | undefined> {
    this.range = sanitizeRange(range, this.range);
    return this.refresh();
  }

  /** Reads the history for the current range and posts the summary (once the page is ready). */
  refresh(): Promise<DashboardData | undefined> {
    const next = this.refreshing.then(() => this.load());
    this.refreshing = next.catch(() => undefined);
    return next;
  }

  private async load(): Promise<DashboardData | undefined> {
    if (this.closed) return undefined;
    const range = this.range;
    try {
      const { records, problems, since, until } = await this.read(range);
      const data: DashboardData = {
        summary: summarizeHistory(records, { since, until, timeZone: 'local' }),
        range,
        skippedLines: problems,
        historyEnabled: this.services.config.value.history.enabled,
        readAt: new Date().toISOString(),
      };
      this.data = data;
      this.post({ type: 'data', data });
      return data;
    } catch (e) {
      const message = `Could not read the call history in ${this.services.history.dir.fsPath}: ${(e as Error).message}`;
      this.services.log.warn(message);
      this.post({ type: 'error', message });
      return undefined;
    }
  }

  private async read(range: DashboardRange): Promise<{ records: HistoryRecord[]; problems: number; since?: number; until?: number }> {
    const { since, until } = resolveRange(range);
    const { records, problems } = await (await this.services.history.log()).read({ since, until });
    for (const p of problems.slice(0, 5)) this.services.log.warn(`History: skipped ${path.basename(p.file)} line ${p.line}: ${p.reason}`);
    return { records, problems: problems.length, since, until };
  }

  /** Exports the summary of the current range (or every call in it) to a file; asks where unless `target` is given. */
  async export(kind: ExportKind, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const spec = EXPORTS[kind];
    if (!spec) return undefined;
    if (!target) {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const name = `prompt-profiler-${spec.suffix}-${localDay(Date.now())}.${spec.ext}`;
      target = await vscode.window.showSaveDialog({
        title: `Export the dashboard (${spec.suffix}, ${spec.label})`,
        saveLabel: 'Export',
        defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
        filters: spec.ext === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
      });
      if (!target) return undefined;
    }
    const { records, since, until } = await this.read(this.range);
    const summary = summarizeHistory(records, { since, until, timeZone: 'local' });
    let text: string;
    switch (kind) {
      case 'csv-models':
        text = summaryToCsv(summary, 'models');
        break;
      case 'csv-days':
        text = summaryToCsv(summary, 'days');
        break;
      case 'csv-errors':
        text = summaryToCsv(summary, 'errors');
        break;
      case 'csv-calls':
        text = recordsToCsv(records);
        break;
      case 'json':
        text = summaryToJson(summary);
        break;
    }
    await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
    this.services.log.info(`Exported the dashboard (${spec.suffix}) to ${target.fsPath}`);
    this.post({ type: 'exported', file: target.fsPath });
    return target;
  }

  /** A message from the webview (public so the integration tests can act as the webview). */
  async onMessage(m: DashboardToHost): Promise<void> {
    if (this.closed) return;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        if (m.range) this.range = sanitizeRange(m.range, this.range);
        await this.refresh();
        break;
      case 'setRange':
        await this.setRange(m.range);
        break;
      case 'refresh':
        await this.refresh();
        break;
      case 'export':
        try {
          await this.export(m.kind);
        } catch (e) {
          const message = `Export failed: ${(e as Error).message}`;
          this.services.log.warn(message);
          this.post({ type: 'error', message });
        }
        break;
      case 'rendered':
        this.rendered = { readAt: m.readAt, calls: m.calls, charts: m.charts };
        break;
      case 'pageError':
        this.services.log.error(`Dashboard page: ${m.message}`);
        break;
      case 'openSettings':
        await vscode.commands.executeCommand('workbench.action.openSettings', 'promptProfiler.history');
        break;
    }
  }

  private scheduleRefresh(): void {
    if (this.closed || !this.ready) return;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refresh(), REFRESH_DEBOUNCE_MS);
  }

  /** Messages go only after `ready` (the page asks for data when it has loaded). */
  private post(message: HostToDashboard): void {
    if (this.closed || !this.ready) return;
    testHooks.panelMessages?.(this, message);
    void this.panel.webview.postMessage(message);
  }

  private html(): string {
    return webviewHtml(this.panel.webview, this.services.extensionUri, 'dashboard.js', 'dashboard.css');
  }

}

