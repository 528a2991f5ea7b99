// Show Dashboard: a webview with a strict CSP that posts summarizeHistory over the history file
// (checked against the JSONL lines read here), draws its charts, follows the date range,
// refreshes when calls are recorded, and exports CSV/JSON through the host.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { summarizeHistory, summaryToCsv, type HistoryRecord } from '../../src/core/history';
import type { DashboardPanel } from '../../src/extension/dashboard/dashboardPanel';
import type { PromptProfilerApi } from '../../src/extension/extension';
import type { DashboardData } from '../../src/webview/dashboard/protocol';
import { GPT, HAIKU, fake, filesUnder, getApi, historyOnDisk, openFixture, posted, profile, restoreSettings, selectLine, stubWindow, useModels, waitFor } from './helpers';

function lastData(panel: DashboardPanel): DashboardData | undefined {
  for (let i = posted(panel).length - 1; i >= 0; i--) {
    const m = posted(panel)[i];
    if (m.type === 'data') return m.data;
  }
  return undefined;
}

describe('dashboard', function () {
  this.timeout(90_000);
  let api: PromptProfilerApi;
  let panel: DashboardPanel;
  let dir: string;
  let tmp: string;

  before(async () => {
    api = await getApi();
    await useModels(api, [GPT, HAIKU]);
    dir = api.services.history.dir.fsPath;
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-dashboard-'));
    // Calls of both models, one of them failed: something for every chart.
    const editor = await openFixture('notes.md');
    selectLine(editor, 'Translate');
    await fake.reset();
    await profile(true);
    await fake.scenario({ kind: 'http_error', status: 429, retryAfterMs: null, model: 'claude-*', times: 10 });
    await profile(true);
    await fake.reset();
    await profile(false);
    await profile(false); // answered from the answer cache
  });
  after(async () => {
    panel?.dispose();
    await restoreSettings();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('opens with a strict CSP, posts summarizeHistory of the history file and draws its charts', async () => {
    panel = (await vscode.commands.executeCommand<DashboardPanel>('promptProfiler.showDashboard', { range: { preset: 'all' } }))!;
    assert.ok(panel, 'Show Dashboard returned no panel');
    assert.equal(api.dashboard(), panel);
    const html = panel.panel.webview.html;
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    assert.ok(csp, 'no CSP meta tag');
    assert.match(csp, /default-src 'none'/);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce, `no script nonce in ${csp}`);
    // No other source than the webview's own resources (cspSource), the nonce and data: images.
    const allowed = new Set([...panel.panel.webview.cspSource.split(/\s+/), "'none'", `'nonce-${nonce}'`, 'data:']);
    for (const directive of csp.split(';').map((d) => d.trim()).filter(Boolean)) {
      const [name, ...sources] = directive.split(/\s+/);
      for (const source of sources) assert.ok(allowed.has(source), `${name} allows ${source}`);
    }
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    assert.equal(scripts.length, 1);
    assert.ok(scripts[0].includes(`nonce="${nonce}"`) && scripts[0].includes('dashboard.js'), scripts[0]);

    const data = await waitFor('the dashboard to post its data', () => (panel.isReady ? lastData(panel) : undefined), 30_000);
    const expected = summarizeHistory(historyOnDisk(dir), { timeZone: 'local' });
    assert.deepEqual(data.summary, expected);
    assert.equal(data.range.preset, 'all');
    assert.equal(data.historyEnabled, true);
    // The numbers behind the charts, spot-checked against the raw lines.
    const lines = historyOnDisk(dir);
    for (const model of [GPT, HAIKU]) {
      const m = data.summary.models.find((x) => x.model === model);
      assert.ok(m, `no row for ${model}`);
      assert.equal(m.calls, lines.filter((r) => r.model === model).length);
      assert.equal(m.cacheHits, lines.filter((r) => r.model === model && r.cacheHit).length);
      assert.ok(m.latencyMs.n > 0 && m.latencyMs.p50 !== null && m.latencyMs.p95 !== null && m.latencyMs.p99 !== null);
      // Waits are their own figures: every call records its queue time, apart from the latency.
      assert.equal(m.queuedMs.n, lines.filter((r) => r.model === model).length);
    }
    // A cache hit is a read, never a model latency.
    const hits = lines.filter((r) => r.cacheHit);
    assert.ok(hits.length >= 2 && hits.every((r) => r.latencyMs === 0 && r.ttftMs === null && r.attempts === 0 && typeof r.cacheReadMs === 'number'), JSON.stringify(hits));
    assert.ok(data.summary.errorsByKind.some((e) => e.kind === 'rate_limit' && e.count >= 1), JSON.stringify(data.summary.errorsByKind));
    assert.ok(data.summary.cacheHits >= 2);
    const rendered = await waitFor('the page to draw the data', () => (panel.rendered?.readAt === data.readAt ? panel.rendered : undefined), 30_000);
    assert.equal(rendered.calls, expected.calls);
    assert.equal(rendered.charts, 6, 'latency, TTFT, cost by day, cost by model, calls, errors');
  });

  it('follows the date range', async () => {
    await panel.onMessage({ type: 'setRange', range: { preset: 'custom', from: '2001-01-01', to: '2001-01-31' } });
    const past = lastData(panel)!;
    assert.equal(past.range.preset, 'custom');
    assert.equal(past.summary.calls, 0);
    assert.equal(past.summary.since, new Date(2001, 0, 1).toISOString());
    assert.equal(past.summary.until, new Date(2001, 1, 1).toISOString());
    await panel.onMessage({ type: 'setRange', range: { preset: 'today' } });
    const today = lastData(panel)!;
    const start = new Date();
    start.setHours(0, 0, 0, 0);
    assert.equal(today.summary.since, start.toISOString());
    assert.deepEqual(today.summary, summarizeHistory(historyOnDisk(dir), { since: today.summary.since!, until: today.summary.until!, timeZone: 'local' }));
  });

  it('refreshes when calls are recorded', async () => {
    const before = lastData(panel)!.summary.calls;
    const editor = await openFixture('notes.md');
    selectLine(editor, 'Translate');
    await fake.reset();
    await profile(true);
    const data = await waitFor('the dashboard to show the new calls', () => {
      const d = lastData(panel);
      return d && d.summary.calls === before + 2 ? d : undefined;
    });
    assert.deepEqual(data.summary, summarizeHistory(historyOnDisk(dir), { since: data.summary.since!, until: data.summary.until!, timeZone: 'local' }));
  });

  it('exports CSV through the save dialog, and JSON to a given file', async () => {
    await panel.setRange({ preset: 'all' });
    const target = vscode.Uri.file(path.join(tmp, 'models.csv'));
    let asked = 0;
    const restore = stubWindow('showSaveDialog', async () => {
      asked++;
      return target;
    });
    try {
      await panel.onMessage({ type: 'export', kind: 'csv-models' });
    } finally {
      restore();
    }
    assert.equal(asked, 1);
    const csv = fs.readFileSync(target.fsPath, 'utf8');
    assert.equal(csv, summaryToCsv(summarizeHistory(historyOnDisk(dir), { timeZone: 'local' }), 'models'));
    assert.match(csv, /^model,calls,ok,errors,cache_hits,/);
    assert.equal(csv.trim().split('\r\n').length, 1 + 2, 'a header and one line per model');
    assert.ok(posted(panel).some((m) => m.type === 'exported' && m.file === target.fsPath));

    const json = vscode.Uri.file(path.join(tmp, 'summary.json'));
    await panel.export('json', json);
    assert.deepEqual(JSON.parse(fs.readFileSync(json.fsPath, 'utf8')), summarizeHistory(historyOnDisk(dir), { timeZone: 'local' }));
  });

  it('Show Dashboard again reveals the same panel', async () => {
    const again = await vscode.commands.executeCommand<DashboardPanel>('promptProfiler.showDashboard');
    assert.equal(again, panel);
  });
});
