// Run as Batch…: a template × a dataset through the fake server's Batch APIs (their state is
// advanced by the test through the admin API), from the command to the results report and the
// export, with exact costs (batch = half of real time, both computed here from the tokens);
// failed and expired rows with their reasons; resume after a reload from workspace state; Cancel.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import * as vscode from 'vscode';
import { compileTemplate, type BatchReport, type BatchState } from '../../src/core/batch';
import { BatchManager, type BatchOutcome } from '../../src/extension/batch/batchManager';
import { BATCH_STATE_PREFIX } from '../../src/extension/constants';
import type { PromptProfilerApi } from '../../src/extension/extension';
import { Services } from '../../src/extension/services';
import { GPT, HAIKU, claudePromptTokens, enc, expectedCost, fake, getApi, keys, openaiPromptTokens, restoreSettings, setSetting, sleep, waitFor, workspaceUri } from './helpers';

const SYSTEM = 'You translate short phrases, one line only.';
const TEMPLATE = `---\nsystem: ${SYSTEM}\nmax_tokens: 60\n---\nTranslate into {{language}}: {{text}}\n`;
const LANGUAGES = ['French', 'Spanish', 'German', 'Italian'];
const row = (i: number) => ({ language: LANGUAGES[i % LANGUAGES.length], text: `Phrase number ${i}: the weather is nice today.` });
const userText = (i: number) => `Translate into ${row(i).language}: ${row(i).text}`;
const N = 20;

/** Moves the fake's batches on (their state never changes with time) until `task` settles. */
async function advanceUntil<T>(task: Thenable<T>, step: { complete?: boolean; expire?: boolean; steps?: number } = { complete: true }): Promise<T> {
  let settled = false;
  const done = Promise.resolve(task).finally(() => (settled = true));
  done.catch(() => undefined);
  const end = Date.now() + 120_000;
  while (!settled) {
    assert.ok(Date.now() < end, 'the batch did not end');
    const res = await fetch(`${fake.url}/__admin/batches/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(step) });
    assert.equal(res.status, 200, await res.text());
    await Promise.race([done, sleep(100)]);
  }
  return done;
}

const close = (actual: number | null | undefined, expected: number, what: string) =>
  assert.ok(actual !== null && actual !== undefined && Math.abs(actual - expected) < 1e-12, `${what}: ${actual} ≠ ${expected}`);

/** Checks every row against the fake's token rules and the list prices; returns the real-time total. */
function checkRows(report: BatchReport, modelId: string, n: number): number {
  assert.equal(report.rows.length, n);
  let realtime = 0;
  report.rows.forEach((r, k) => {
    const i = k + 1;
    assert.equal(r.customId, `row-${i}`);
    assert.equal(r.ok, true, r.error?.message);
    const input =
      modelId === GPT
        ? openaiPromptTokens([
            { role: 'system', content: SYSTEM },
            { role: 'user', content: userText(i) },
          ])
        : claudePromptTokens(SYSTEM, [{ role: 'user', content: userText(i) }]);
    const output = enc(r.output);
    assert.equal(r.usage?.inputTokens, input, `${r.customId} input tokens`);
    assert.equal(r.usage?.outputTokens, output, `${r.customId} output tokens`);
    const full = expectedCost(modelId, input, output);
    close(r.realtimeCost?.total, full, `${r.customId} real-time cost`);
    close(r.cost?.total, full / 2, `${r.customId} batch cost`);
    assert.equal(r.cost?.batch, true);
    realtime += full;
  });
  return realtime;
}

describe('batch runs', function () {
  this.timeout(180_000);
  let api: PromptProfilerApi;
  let tmp: string;
  const templateFile = 'batch-tests/translate.prompt';
  const datasetFile = 'batch-tests/rows.jsonl';

  const savedKeys = () => api.services.context.workspaceState.keys().filter((k) => k.startsWith(BATCH_STATE_PREFIX));

  before(async () => {
    api = await getApi();
    await setSetting('batch.pollIntervalSeconds', 0.05);
    await waitFor('the poll interval', () => api.services.config.value.batchPollIntervalMs === 50);
    const dir = workspaceUri('batch-tests').fsPath;
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'translate.prompt'), TEMPLATE);
    fs.writeFileSync(path.join(dir, 'rows.jsonl'), Array.from({ length: N }, (_, k) => JSON.stringify(row(k + 1))).join('\n') + '\n');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-batch-'));
  });
  beforeEach(() => fake.reset());
  after(async () => {
    await restoreSettings();
    fs.rmSync(workspaceUri('batch-tests').fsPath, { recursive: true, force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it(`runs ${N} rows from the command to the results report and the export, at exactly half the real-time cost`, async () => {
    const exportTo = path.join(tmp, 'results.csv');
    const outcome = await advanceUntil(
      vscode.commands.executeCommand<BatchOutcome>('promptProfiler.runAsBatch', { template: templateFile, dataset: datasetFile, model: GPT, exportTo, showResults: true }),
    );
    assert.ok(outcome, 'Run as Batch returned nothing');
    assert.equal(outcome.status, 'ended', outcome.error);
    const report = outcome.report!;
    assert.match(report.batchId, /^batch_/);
    assert.equal(report.succeeded, N);
    assert.equal(report.failed, 0);
    const realtime = checkRows(report, GPT, N);
    close(report.realtimeCost, realtime, 'real-time total');
    close(report.totalCost, realtime / 2, 'batch total');
    close(report.totalCost! * 2, report.realtimeCost!, 'batch = half of real time');

    // One OpenAI batch, submitted through the files API: the requests went to the Batch API only.
    const requests = await fake.requests();
    assert.equal(requests.filter((r) => r.route === 'openai.batches.create').length, 1);
    assert.equal(requests.filter((r) => r.route === 'openai.files.create').length, 1);
    assert.equal(requests.filter((r) => r.route === 'openai.chat').length, 0);

    // The results report and the export.
    const doc = api.reports.get(outcome.document!);
    assert.ok(doc, 'no results report');
    assert.match(doc, /^# Batch results: openai:gpt-4o-mini/);
    assert.ok(doc.includes(`${N}: ${N} succeeded, 0 failed`), doc.slice(0, 800));
    assert.ok(doc.includes('Same rows in real time'));
    assert.equal(outcome.exported?.fsPath, exportTo);
    const csv = parseCsv(fs.readFileSync(exportTo, 'utf8'), { columns: true }) as Record<string, string>[];
    assert.equal(csv.length, N);
    csv.forEach((line, k) => {
      const r = report.rows[k];
      assert.equal(line.custom_id, r.customId);
      assert.equal(line.output, r.output);
      assert.equal(Number(line.cost_usd), r.cost!.total);
      assert.equal(Number(line.realtime_cost_usd), r.realtimeCost!.total);
    });
    assert.deepEqual(savedKeys(), [], 'the finished batch is no longer in workspace state');
  });

  it('lists failed and expired rows with their reasons', async () => {
    const rows = [JSON.stringify(row(1)), '{ not json', JSON.stringify({ text: 'no language here' }), JSON.stringify(row(4)), JSON.stringify(row(5))];
    fs.writeFileSync(workspaceUri('batch-tests', 'mixed.jsonl').fsPath, rows.join('\n') + '\n');
    const exportTo = path.join(tmp, 'mixed.jsonl');
    const outcome = await advanceUntil(
      vscode.commands.executeCommand<BatchOutcome>('promptProfiler.runAsBatch', { template: templateFile, dataset: 'batch-tests/mixed.jsonl', model: HAIKU, exportTo, showResults: false }),
      { expire: true },
    );
    assert.equal(outcome.status, 'ended', outcome.error);
    const report = outcome.report!;
    assert.match(report.batchId, /^msgbatch_/);
    assert.deepEqual(
      report.rows.map((r) => [r.row, r.ok, r.error?.kind]),
      [
        [1, false, 'expired'],
        [2, false, 'invalid_row'],
        [3, false, 'invalid_row'],
        [4, false, 'expired'],
        [5, false, 'expired'],
      ],
    );
    assert.deepEqual(report.failures, { expired: 3, invalid_row: 2 });
    assert.equal(report.totalCost, 0, 'nothing ran: nothing is billed');
    const doc = api.reports.get(outcome.document!)!;
    assert.ok(doc.includes('## Failed rows (5)'), doc);
    assert.match(doc, /\| 3 \| invalid_row \| no value for \{\{language\}\} \|/);
    assert.match(doc, /\| 2 \| invalid_row \| not valid JSON/);
    assert.match(doc, /\| 1 \| expired \| /);
    const exported = fs
      .readFileSync(exportTo, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { customId: string; error: { kind: string; message: string } | null });
    assert.deepEqual(
      exported.map((e) => [e.customId, e.error?.kind]),
      report.rows.map((r) => [r.customId, r.error?.kind]),
    );
    assert.ok(exported.every((e) => e.error && e.error.message.length > 0));
  });

  it('resumes polling after a reload: a fresh batch service finishes the batch from workspace state', async () => {
    const ws = api.services.context.workspaceState;
    // A window that submits, then closes (or reloads) before the batch ends.
    const before = new Services(api.services.context, api.services.log);
    const first = new BatchManager(before, api.reports);
    const job = await first.submit({
      template: compileTemplate(TEMPLATE),
      dataset: workspaceUri(datasetFile),
      modelId: GPT,
      labels: { template: 'translate.prompt', dataset: 'rows.jsonl' },
    });
    first.dispose();
    before.dispose();
    const saved = ws.get<BatchState>(BATCH_STATE_PREFIX + job.id);
    assert.ok(saved, 'the batch state is not in workspace state');
    assert.equal(saved.parts.length, 1);
    assert.equal(saved.parts[0].id, job.batchId);
    assert.equal(saved.submitted, true);
    const text = JSON.stringify(saved);
    assert.ok(!text.includes(keys.openai) && !text.includes(fake.url), 'the saved state holds a key or a base URL');
    assert.equal((await fake.requests()).filter((r) => r.route === 'openai.batches.cancel').length, 0, 'closing the window cancelled the batch');

    // After the reload: new services and a new manager over the same workspace state.
    const after = new Services(api.services.context, api.services.log);
    const second = new BatchManager(after, api.reports);
    try {
      const outcomes = await advanceUntil(second.resumePending({ showResults: false }));
      const outcome = outcomes.find((o) => o.jobId === job.id);
      assert.ok(outcome, `the batch ${job.id} was not resumed (${JSON.stringify(outcomes.map((o) => o.jobId))})`);
      assert.equal(outcome.status, 'ended', outcome.error);
      assert.equal(outcome.batchId, job.batchId);
      const realtime = checkRows(outcome.report!, GPT, N);
      close(outcome.report!.totalCost, realtime / 2, 'batch total');
      assert.equal(ws.get(BATCH_STATE_PREFIX + job.id), undefined, 'the finished batch is still saved');
      // Polling the same batch: no second submission.
      assert.equal((await fake.requests()).filter((r) => r.route === 'openai.batches.create').length, 1);
    } finally {
      second.dispose();
      after.dispose();
    }
  });

  it('Cancel cancels the batch at the provider', async () => {
    const run = vscode.commands.executeCommand<BatchOutcome>('promptProfiler.runAsBatch', { template: templateFile, dataset: datasetFile, model: HAIKU, showResults: false });
    const batches = await api.batches();
    const jobId = await waitFor('the batch to be submitted and followed', () => batches.active[0], 60_000);
    assert.ok(savedKeys().includes(BATCH_STATE_PREFIX + jobId));
    assert.equal(batches.cancel(jobId), true);
    const cancels = await waitFor('the cancel request', async () => {
      const c = (await fake.requests()).filter((r) => r.route === 'anthropic.batches.cancel');
      return c.length ? c : undefined;
    });
    const outcome = await advanceUntil(run);
    assert.equal(outcome.status, 'cancelled', outcome.error);
    assert.equal(cancels.length, 1);
    assert.ok(cancels[0].path.includes(outcome.batchId), `${cancels[0].path} does not cancel ${outcome.batchId}`);
    const report = outcome.report!;
    assert.equal(report.rows.length, N);
    assert.deepEqual(report.failures, { canceled: N });
    assert.ok(report.rows.every((r) => !r.ok && r.error?.kind === 'canceled'));
    assert.equal(report.totalCost, 0);
    assert.deepEqual(savedKeys(), []);
  });
});
