// Batch runs end to end: real SDKs → the fake server's OpenAI and Anthropic batch APIs (state
// advanced by the test) → per-row answers matched on custom_id → exact batch and real-time costs.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { getEncoding } from 'js-tiktoken';
import {
  ANTHROPIC_BATCH_LIMITS,
  BatchError,
  BatchService,
  OPENAI_BATCH_LIMITS,
  compileTemplate,
  createVendorApi,
  exportResults,
  readDataset,
  renderTemplate,
  type BatchLimits,
  type BatchProgress,
  type BatchRowResult,
  type BatchVendor,
  type DatasetRow,
} from '../../src/core/batch';
import { PriceBook } from '../../src/core/pricing';
import { startFakeLlm, type FakeLlm } from '../fake-llm/server';
import { fakeProviders, fakeResolver } from './support/fakeProviders';

const o200k = getEncoding('o200k_base');
const enc = (s: string) => o200k.encode(s).length;
const close = (actual: number, expected: number, what = '') => assert.ok(Math.abs(actual - expected) < 1e-12, `${what} ${actual} ≠ ${expected}`);

const SYSTEM = 'You are a terse arithmetic tutor.';
const TEMPLATE = `---\nsystem: ${SYSTEM}\nmax_tokens: 60\n---\nAnswer in one line: {{question}}\n`;
const userText = (q: string) => `Answer in one line: ${q}`;
/** The fake echoes the question: every row has its own answer, so a mismatched custom_id shows. */
const answerFor = (user: string) => `Echo → ${user.slice('Answer in one line: '.length)}`;
const question = (i: number) => `What is ${i} + ${i}?`;

// Per-MTok prices of the bundled genai-prices data (checked in pricing.test.ts).
const PRICES = {
  'openai:gpt-4o-mini': { input: 0.15, output: 0.6 },
  'anthropic:claude-haiku-4-5': { input: 1, output: 5 },
};
/** Prompt tokens as each vendor counts them (the fake implements the documented rules). */
const promptTokens = {
  openai: (user: string) => 3 + 1 + enc(SYSTEM) + 3 + 1 + enc(user) + 3,
  anthropic: (user: string) => 3 + 3 + enc(SYSTEM) + 3 + enc(user),
};

function jsonl(rows: unknown[]): AsyncIterable<DatasetRow> {
  return readDataset(Readable.from(rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r)) + '\n')), 'jsonl');
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('batch runs (real SDKs against the fake batch APIs)', function () {
  let fake: FakeLlm;
  let dir: string;
  const providers = () => fakeProviders(fake);
  const service = (limits?: Partial<Record<BatchVendor, Partial<BatchLimits>>>) =>
    new BatchService({
      resolveProvider: fakeResolver(fake),
      prices: new PriceBook(),
      limits,
    });
  const routes = (name: string) => fake.requests.filter((r) => r.route === name);

  before(async () => {
    fake = await startFakeLlm({ profiles: { '*': { output: ({ lastUserText }) => answerFor(lastUserText) } } });
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-batch-'));
  });
  afterEach(() => {
    fake.reset();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  after(() => fake.close());

  /** Checks every row of a fully successful run and the totals against an independent computation. */
  function checkCosts(rows: BatchRowResult[], modelId: keyof typeof PRICES, vendor: BatchVendor, n: number) {
    const price = PRICES[modelId];
    let batch = 0;
    let realtime = 0;
    assert.equal(rows.length, n);
    rows.forEach((r, k) => {
      const i = k + 1;
      assert.equal(r.customId, `row-${i}`);
      assert.equal(r.row, i);
      assert.equal(r.ok, true, r.error?.message);
      const user = userText(question(i));
      assert.equal(r.output, answerFor(user));
      const input = promptTokens[vendor](user);
      const output = enc(answerFor(user));
      assert.equal(r.usage!.inputTokens, input);
      assert.equal(r.usage!.outputTokens, output);
      const full = (input * price.input + output * price.output) / 1e6;
      close(r.realtimeCost!.total, full, r.customId);
      close(r.cost!.total, full / 2, r.customId);
      close(r.cost!.input, (input * price.input) / 1e6 / 2);
      close(r.cost!.output, (output * price.output) / 1e6 / 2);
      for (const b of ['input', 'output', 'cacheRead', 'cacheWrite5m', 'cacheWrite1h'] as const) close(r.cost![b], r.realtimeCost![b] / 2, b);
      assert.equal(r.cost!.batch, true);
      assert.equal(r.realtimeCost!.batch, false);
      batch += full / 2;
      realtime += full;
    });
    return { batch, realtime };
  }

  it('OpenAI: 1,000 rows from a JSONL file → one upload, one batch, answers matched on custom_id, exact half-price costs', async () => {
    const file = path.join(dir, 'questions.jsonl');
    fs.writeFileSync(file, Array.from({ length: 1000 }, (_, k) => JSON.stringify({ question: question(k + 1) })).join('\n') + '\n');
    const states: string[] = [];
    const job = await service().submit(
      { template: TEMPLATE, dataset: readDataset(fs.createReadStream(file), 'jsonl'), modelId: 'openai:gpt-4o-mini' },
      { onState: (s) => states.push(JSON.stringify(s)) },
    );
    assert.equal(routes('openai.files.create').length, 1);
    const create = routes('openai.batches.create')[0];
    assert.equal(create.body.endpoint, '/v1/chat/completions');
    assert.equal(create.body.completion_window, '24h');
    const upload = routes('openai.files.create')[0];
    assert.equal(upload.body.purpose, 'batch');
    assert.match(job.batchId, /^batch_fake\d+$/);
    assert.ok(states.length >= 1);

    const seen: string[] = [];
    const progress = await job.wait({
      pollIntervalMs: 0,
      onProgress: (p) => {
        seen.push(`${p.parts[0].status} ${p.succeeded}/${p.total}`);
        fake.advanceBatches(); // one vendor step per poll
      },
    });
    assert.deepEqual(seen, ['validating 0/1000', 'in_progress 0/1000', 'finalizing 1000/1000', 'completed 1000/1000']);
    assert.equal(progress.ended, true);
    assert.equal(progress.processing, 0);

    const report = await job.report();
    const { batch, realtime } = checkCosts(report.rows, 'openai:gpt-4o-mini', 'openai', 1000);
    assert.equal(report.succeeded, 1000);
    assert.equal(report.failed, 0);
    assert.equal(report.batchId, job.batchId);
    close(report.totalCost!, batch, 'total');
    close(report.realtimeCost!, realtime, 'realtime');
    close(report.totalCost!, report.realtimeCost! / 2, 'half');
    // The uploaded JSONL: one line per row, max_completion_tokens from the template.
    const line = JSON.parse(fs.readFileSync(file, 'utf8').split('\n')[0]);
    assert.equal(line.question, 'What is 1 + 1?');
    const contents = routes('openai.files.content');
    assert.equal(contents.length, 1, 'only an output file: no error file when nothing failed');
    // Once the batch ended, the uploaded input (every prompt) was deleted at the vendor.
    const inputFileId = job.state.parts[0].inputFileId!;
    assert.deepEqual(
      routes('openai.files.delete').map((r) => [r.path, r.status]),
      [[`/v1/files/${inputFileId}`, 200]],
    );
    assert.equal(job.state.parts[0].inputFileDeleted, true);
    assert.equal(JSON.parse(states[states.length - 1]).parts[0].inputFileDeleted, true, 'the saved state knows it');
    const left = (await (await fetch(`${fake.openaiBaseURL}/files`, { headers: { authorization: 'Bearer sk-test' } })).json()) as { data: { id: string; purpose: string }[] };
    assert.deepEqual(left.data.map((f) => f.purpose), ['batch_output'], 'only the output file is left');
  });

  it('OpenAI: an upload whose batch cannot be created is deleted again', async () => {
    fake.setScenario({ kind: 'http_error', status: 400, message: 'Enqueued token limit reached.', path: '/v1/batches' });
    const err: BatchError = await service()
      .submit({ template: TEMPLATE, dataset: jsonl([{ question: question(1) }]), modelId: 'openai:gpt-4o-mini' })
      .then(
        () => assert.fail('should fail'),
        (e) => e,
      );
    assert.equal(err.kind, 'bad_request');
    const uploaded = routes('openai.files.create')[0];
    assert.equal(uploaded.status, 200);
    assert.equal(routes('openai.files.delete').length, 1);
    const left = (await (await fetch(`${fake.openaiBaseURL}/files`, { headers: { authorization: 'Bearer sk-test' } })).json()) as { data: unknown[] };
    assert.deepEqual(left.data, []);
  });

  it('Anthropic: 1,000 rows from a CSV file → one message batch, results streamed from results_url, exact half-price costs', async () => {
    const file = path.join(dir, 'questions.csv');
    fs.writeFileSync(file, 'question,unused\n' + Array.from({ length: 1000 }, (_, k) => `"${question(k + 1)}",x`).join('\n') + '\n');
    const job = await service().submit({ template: TEMPLATE, dataset: readDataset(fs.createReadStream(file), 'csv'), modelId: 'anthropic:claude-haiku-4-5' });
    const create = routes('anthropic.batches.create')[0];
    assert.equal(create.body.requests.length, 1000);
    assert.deepEqual(create.body.requests[0], {
      custom_id: 'row-1',
      params: { model: 'claude-haiku-4-5', max_tokens: 60, system: [{ type: 'text', text: SYSTEM }], messages: [{ role: 'user', content: userText(question(1)) }] },
    });
    assert.equal((await job.poll()).status, 'in_progress');
    fake.advanceBatches();
    const progress = await job.wait({ pollIntervalMs: 0 });
    assert.deepEqual([progress.succeeded, progress.failed, progress.processing, progress.ended], [1000, 0, 0, true]);
    const report = await job.report();
    const { batch, realtime } = checkCosts(report.rows, 'anthropic:claude-haiku-4-5', 'anthropic', 1000);
    close(report.totalCost!, batch, 'total');
    close(report.realtimeCost!, realtime, 'realtime');
    assert.equal(routes('anthropic.batches.results').length, 1);
  });

  it('resumes after a simulated reload: the persisted state JSON alone continues polling and reads the results', async () => {
    let saved = '';
    const rows = Array.from({ length: 30 }, (_, k) => ({ question: question(k + 1) }));
    const first = await service().submit({ template: TEMPLATE, dataset: jsonl(rows), modelId: 'openai:gpt-4o-mini' }, { onState: (s) => (saved = JSON.stringify(s)) });
    fake.advanceBatches(); // validating → in_progress
    await first.poll();
    const persisted = JSON.parse(saved);
    assert.equal(persisted.kind, 'prompt-profiler.batch');
    assert.equal(persisted.parts[0].status, 'in_progress');
    assert.doesNotMatch(saved, /sk-test|127\.0\.0\.1/, 'no key nor base URL in the state');

    // "Reload": a new service and a job built from the saved JSON only.
    const job = await service().resume(saved);
    assert.equal(job.batchId, first.batchId);
    assert.equal(job.progress().status, 'in_progress');
    fake.advanceBatches({ complete: true });
    const progress = await job.wait({ pollIntervalMs: 0 });
    assert.equal(progress.succeeded, 30);
    checkCosts((await job.report()).rows, 'openai:gpt-4o-mini', 'openai', 30);
    assert.equal(routes('openai.batches.create').length, 1, 'nothing submitted twice');

    await assert.rejects(service().resume('{"kind":"something else"}'), (e: BatchError) => e instanceof BatchError && /Not a prompt-profiler batch state/.test(e.message));
  });

  it('resuming a state saved mid-submission keeps the parts already submitted and says the rest was not sent', async () => {
    const saved: string[] = [];
    const rows = Array.from({ length: 6 }, (_, k) => ({ question: question(k + 1) }));
    await service({ openai: { maxRequests: 4 } }).submit({ template: TEMPLATE, dataset: jsonl(rows), modelId: 'openai:gpt-4o-mini' }, { onState: (s) => saved.push(JSON.stringify(s)) });
    const midway = JSON.parse(saved[0]);
    assert.deepEqual([midway.submitted, midway.parts.length, midway.rows], [false, 1, 5]);
    const job = await service().resume(saved[0]);
    assert.equal(job.state.interrupted, true);
    fake.advanceBatches({ complete: true });
    await job.wait({ pollIntervalMs: 0 });
    const report = await job.report();
    assert.deepEqual(report.rows.map((r) => r.customId), ['row-1', 'row-2', 'row-3', 'row-4']);
    assert.equal(report.batchId, job.state.parts[0].id);
  });

  for (const [vendor, modelId, cancelRoute] of [
    ['anthropic', 'anthropic:claude-haiku-4-5', 'anthropic.batches.cancel'],
    ['openai', 'openai:gpt-4o-mini', 'openai.batches.cancel'],
  ] as const) {
    it(`${vendor}: cancel cancels the batch at the vendor; every row comes back canceled with a reason`, async () => {
      const rows = Array.from({ length: 5 }, (_, k) => ({ question: question(k + 1) }));
      const job = await service().submit({ template: TEMPLATE, dataset: jsonl(rows), modelId });
      const progress = await job.cancel();
      assert.equal(progress.status, 'cancelling');
      const cancels = routes(cancelRoute);
      assert.equal(cancels.length, 1);
      assert.equal(cancels[0].path.split('/').at(-2), job.batchId);
      assert.equal(job.state.cancelRequested, true);
      fake.advanceBatches();
      const done = await job.wait({ pollIntervalMs: 0 });
      assert.equal(done.ended, true);
      const report = await job.report();
      assert.equal(report.succeeded, 0);
      assert.deepEqual(report.failures, { canceled: 5 });
      for (const r of report.rows) {
        assert.equal(r.error!.kind, 'canceled');
        assert.match(r.error!.message, /cancel/i);
        assert.equal(r.cost!.total, 0, 'not billed');
      }
      assert.equal(report.totalCost, 0);
    });
  }

  it('waiting can be aborted without cancelling the batch (the caller decides)', async () => {
    const job = await service().submit({ template: TEMPLATE, dataset: jsonl([{ question: 'q' }]), modelId: 'openai:gpt-4o-mini' });
    const controller = new AbortController();
    const wait = job.wait({ pollIntervalMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 5);
    await assert.rejects(wait, { name: 'AbortError' });
    assert.equal(routes('openai.batches.cancel').length, 0);
  });

  it('splits under the request limit (small limits for the test): 10 rows, at most 4 per batch → 4 + 4 + 2', async () => {
    assert.deepEqual(OPENAI_BATCH_LIMITS, { maxRequests: 50_000, maxBytes: 200_000_000 });
    assert.deepEqual(ANTHROPIC_BATCH_LIMITS, { maxRequests: 100_000, maxBytes: 256_000_000 });
    const rows = Array.from({ length: 10 }, (_, k) => ({ question: question(k + 1) }));
    const job = await service({ openai: { maxRequests: 4 } }).submit({ template: TEMPLATE, dataset: jsonl(rows), modelId: 'openai:gpt-4o-mini' });
    const parts = job.state.parts;
    assert.deepEqual(
      parts.map((p) => [p.firstRow, p.lastRow, p.requests]),
      [
        [1, 4, 4],
        [5, 8, 4],
        [9, 10, 2],
      ],
    );
    assert.equal(routes('openai.files.create').length, 3);
    assert.equal(routes('openai.batches.create').length, 3);
    assert.equal(job.batchId.split(',').length, 3);
    fake.advanceBatches({ complete: true });
    assert.equal((await job.wait({ pollIntervalMs: 0 })).succeeded, 10);
    checkCosts((await job.report()).rows, 'openai:gpt-4o-mini', 'openai', 10);
  });

  it('splits under the byte limit, and rejects a row too large for any batch', async () => {
    const modelId = 'anthropic:claude-haiku-4-5';
    // Same-length questions → same-size requests.
    const rows = Array.from({ length: 7 }, (_, k) => ({ question: `Question ${String(k + 1).padStart(3, '0')}?` }));
    const api = createVendorApi(providers().anthropic);
    const t = compileTemplate(TEMPLATE);
    const size = api.encode('row-1', { model: 'claude-haiku-4-5', ...renderTemplate(t, rows[0]).prompt, maxOutputTokens: 60 }).bytes;
    const envelope = api.envelopeBytes;
    assert.equal(envelope, '{"requests":[]}'.length);
    const maxBytes = envelope + 3 * size; // three requests fit, a fourth does not
    rows.splice(3, 0, { question: 'x'.repeat(3 * size) }); // row 4: alone bigger than a batch
    const job = await service({ anthropic: { maxBytes } }).submit({ template: TEMPLATE, dataset: jsonl(rows), modelId });
    const s = job.state;
    assert.deepEqual(
      s.parts.map((p) => [p.firstRow, p.lastRow, p.requests]),
      [
        [1, 3, 3],
        [5, 7, 3],
        [8, 8, 1],
      ],
    );
    for (const p of s.parts) assert.equal(p.bytes, envelope + p.requests * size);
    for (const body of routes('anthropic.batches.create').map((r) => r.body)) {
      assert.ok(Buffer.byteLength(JSON.stringify(body)) <= maxBytes);
    }
    assert.equal(s.rejected.length, 1);
    assert.equal(s.rejected[0].row, 4);
    assert.match(s.rejected[0].message, new RegExp(`^the request is [\\d,]+ bytes; a Anthropic batch holds at most ${maxBytes.toLocaleString('en-US')}$`));
    fake.advanceBatches({ complete: true });
    await job.wait({ pollIntervalMs: 0 });
    const report = await job.report();
    assert.deepEqual(report.rows.map((r) => [r.row, r.ok]), [1, 2, 3, 4, 5, 6, 7, 8].map((i) => [i, i !== 4]));
    assert.equal(report.rows[3].error!.kind, 'invalid_row');
  });

  it('failed rows are listed with their reasons: vendor errors, unreadable rows, missing variables (OpenAI)', async () => {
    const rows: unknown[] = [
      { question: question(1) },
      { question: 'FAKE_BATCH_ERROR please' },
      '{"question": "unterminated',
      { other: 'no question here' },
      ['not', 'an', 'object'],
      { question: { nested: true } },
    ];
    const job = await service().submit({ template: TEMPLATE, dataset: jsonl(rows), modelId: 'openai:gpt-4o-mini' });
    assert.equal(job.state.parts[0].requests, 3);
    fake.advanceBatches({ complete: true });
    const progress = await job.wait({ pollIntervalMs: 0 });
    assert.deepEqual([progress.total, progress.succeeded, progress.failed, progress.rejected], [6, 2, 4, 3]);
    const report = await job.report();
    const byRow = new Map(report.rows.map((r) => [r.row, r]));
    assert.equal(byRow.get(1)!.ok, true);
    assert.deepEqual(byRow.get(2)!.error, {
      kind: 'request_error',
      message: 'Injected failure: the prompt contains FAKE_BATCH_ERROR.',
      code: 'invalid_value',
      status: 400,
    });
    assert.equal(byRow.get(2)!.cost!.total, 0);
    assert.equal(byRow.get(3)!.error!.kind, 'invalid_row');
    assert.match(byRow.get(3)!.error!.message, /^not valid JSON \(/);
    assert.deepEqual(byRow.get(4)!.error, { kind: 'invalid_row', message: 'no value for {{question}}' });
    assert.deepEqual(byRow.get(5)!.error, { kind: 'invalid_row', message: 'not a JSON object' });
    assert.equal(byRow.get(6)!.ok, true, 'an object value is sent as JSON');
    assert.equal(byRow.get(6)!.output, answerFor(userText('{"nested":true}')));
    assert.deepEqual(report.failures, { request_error: 1, invalid_row: 3 });
    assert.equal(routes('openai.files.content').length, 2, 'output and error files');
  });

  it('Anthropic: an errored request keeps its vendor error type and message', async () => {
    const job = await service().submit({
      template: TEMPLATE,
      dataset: jsonl([{ question: 'ok' }, { question: 'FAKE_BATCH_ERROR' }]),
      modelId: 'anthropic:claude-haiku-4-5',
    });
    fake.advanceBatches();
    await job.wait({ pollIntervalMs: 0 });
    const report = await job.report();
    assert.equal(report.rows[0].ok, true);
    assert.deepEqual(report.rows[1].error, {
      kind: 'request_error',
      message: 'Injected failure: the prompt contains FAKE_BATCH_ERROR.',
      code: 'invalid_request_error',
    });
  });

  for (const [vendor, modelId] of [
    ['openai', 'openai:gpt-4o-mini'],
    ['anthropic', 'anthropic:claude-haiku-4-5'],
  ] as const) {
    it(`${vendor}: expired rows come back with the reason, unbilled`, async () => {
      const job = await service().submit({ template: TEMPLATE, dataset: jsonl([{ question: 'a' }, { question: 'b' }]), modelId });
      fake.advanceBatches({ expire: true });
      const progress = await job.wait({ pollIntervalMs: 0 });
      assert.equal(progress.ended, true);
      assert.equal(progress.succeeded, 0);
      const report = await job.report();
      assert.deepEqual(report.failures, { expired: 2 });
      for (const r of report.rows) {
        assert.equal(r.error!.kind, 'expired');
        assert.match(r.error!.message, vendor === 'openai' ? /^This request could not be executed before the completion window expired\.$/ : /expired \(24 hours\)/);
      }
      assert.deepEqual([report.totalCost, report.realtimeCost], [0, 0]);
    });
  }

  it('results before the batch ended are refused; a missing key fails before anything is sent', async () => {
    const job = await service().submit({ template: TEMPLATE, dataset: jsonl([{ question: 'a' }]), modelId: 'openai:gpt-4o-mini' });
    await assert.rejects(collect(job.results()), /has not ended yet \(batch_fake\d+: submitted\)/);
    const noKey = new BatchService({
      resolveProvider: () => ({ ok: false, error: { kind: 'auth', message: 'No API key for openai: set OPENAI_API_KEY.' } }),
      prices: new PriceBook(),
    });
    const before = fake.requests.length;
    await assert.rejects(noKey.submit({ template: TEMPLATE, dataset: jsonl([{ question: 'a' }]), modelId: 'openai:gpt-4o-mini' }), {
      kind: 'auth',
      message: 'No API key for openai: set OPENAI_API_KEY.',
    });
    assert.equal(fake.requests.length, before);
  });

  it('a part that cannot be submitted cancels the parts already submitted, and says so', async () => {
    const rows = Array.from({ length: 4 }, (_, k) => ({ question: question(k + 1) }));
    // The second batch creation is refused (400: not retried by the SDK).
    let creates = 0;
    const svc = new BatchService({
      resolveProvider: (name) => ({ ok: true, config: providers()[name] }),
      prices: new PriceBook(),
      limits: { anthropic: { maxRequests: 2 } },
      createVendorApi: (config) => {
        const api = createVendorApi(config);
        return {
          vendor: api.vendor,
          envelopeBytes: api.envelopeBytes,
          encode: (id, req) => api.encode(id, req),
          create: (items, bytes, meta, signal) => {
            if (++creates === 2) fake.setScenario({ kind: 'http_error', status: 400, message: 'Quota exceeded for batch requests.', path: '/v1/messages/batches' });
            return api.create(items, bytes, meta, signal);
          },
          refresh: (p, s) => api.refresh(p, s),
          cancel: (p, s) => api.cancel(p, s),
          results: (p, s) => api.results(p, s),
        };
      },
    });
    const err: BatchError = await svc.submit({ template: TEMPLATE, dataset: jsonl(rows), modelId: 'anthropic:claude-haiku-4-5' }).then(
      () => assert.fail('should fail'),
      (e) => e,
    );
    assert.ok(err instanceof BatchError);
    assert.equal(err.kind, 'bad_request');
    assert.equal(
      err.message,
      `Submitting batch 2 failed: Anthropic: request rejected (400): Quota exceeded for batch requests; the batch already submitted was cancelled.`,
    );
    assert.equal(err.state!.parts.length, 1);
    assert.equal(routes('anthropic.batches.cancel').length, 1);
  });

  it('exports the results to JSONL and CSV (quoted fields)', async () => {
    const job = await service().submit({
      template: TEMPLATE,
      dataset: jsonl([{ question: 'Say "hi", then stop' }, { other: 1 }]),
      modelId: 'openai:gpt-4o-mini',
    });
    fake.advanceBatches({ complete: true });
    await job.wait({ pollIntervalMs: 0 });
    const rows = (await job.report()).rows;
    let csv = '';
    assert.equal(await exportResults(rows, 'csv', (c) => void (csv += c)), 2);
    const lines = csv.split('\r\n');
    assert.equal(lines[0], 'custom_id,row,ok,output,finish_reason,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,cost_usd,realtime_cost_usd,error_kind,error_message');
    const r = rows[0];
    assert.equal(
      lines[1],
      `row-1,1,true,"Echo → Say ""hi"", then stop",stop,${r.usage!.inputTokens},${r.usage!.outputTokens},0,0,${r.cost!.total},${r.realtimeCost!.total},,`,
    );
    assert.equal(lines[2], 'row-2,2,false,,,,,,,0,0,invalid_row,no value for {{question}}');
    let jsonlOut = '';
    await exportResults(rows, 'jsonl', (c) => void (jsonlOut += c));
    const parsed = jsonlOut.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(Object.keys(parsed[0]), ['customId', 'row', 'ok', 'output', 'finishReason', 'usage', 'cost', 'realtimeCost', 'error']);
    assert.equal(parsed[1].error.kind, 'invalid_row');
  });

  it('progress counts come from the vendor, plus rows never sent', async () => {
    const seen: BatchProgress[] = [];
    const job = await service().submit({ template: TEMPLATE, dataset: jsonl([{ question: 'a' }, { nope: 1 }]), modelId: 'anthropic:claude-haiku-4-5' });
    seen.push(job.progress());
    fake.advanceBatches();
    seen.push(await job.poll());
    assert.deepEqual(
      seen.map((p) => [p.status, p.total, p.succeeded, p.failed, p.processing, p.rejected]),
      [
        ['in_progress', 2, 0, 1, 1, 1],
        ['ended', 2, 1, 1, 0, 1],
      ],
    );
  });
});

describe('batch templates and datasets', () => {
  it('a template keeps {{variables}} open; front-matter samples are only defaults', () => {
    const t = compileTemplate('---\nsystem: You help {{team}}.\nsample:\n  team: sales\n  q: hello\nmax_tokens: 20\n---\nuser:\nQ: {{q}} ({{ meta.lang }})\n');
    assert.deepEqual(t.variables, ['team', 'q', 'meta.lang']);
    assert.equal(t.maxOutputTokens, 20);
    const a = renderTemplate(t, { q: 'why?', meta: { lang: 'en' } });
    assert.deepEqual(a.missing, []);
    assert.equal(a.prompt.system, 'You help sales.');
    assert.deepEqual(a.prompt.messages, [{ role: 'user', content: 'Q: why? (en)' }]);
    const b = renderTemplate(t, { team: 'ops', 'meta.lang': 'fr', q: 3 });
    assert.equal(b.prompt.system, 'You help ops.');
    assert.equal(b.prompt.messages[0].content, 'Q: 3 (fr)');
    assert.deepEqual(renderTemplate(t, {}).missing, ['meta.lang']);
  });

  it('CSV: quoted fields, a BOM, CRLF, and a malformed row kept in place with its reason', async () => {
    const text = '\uFEFFid,question\r\n1,"Hello, ""world"""\r\n2,"multi\nline"\r\n3,too,many\r\n\r\n4,last\r\n';
    const rows = await collect(readDataset(Readable.from([text]), 'csv'));
    assert.deepEqual(rows.slice(0, 2), [
      { row: 1, values: { id: '1', question: 'Hello, "world"' } },
      { row: 2, values: { id: '2', question: 'multi\nline' } },
    ]);
    assert.equal(rows[2].row, 3);
    assert.equal((rows[2] as { error: string }).error, 'Invalid Record Length: columns length is 2, got 3 on line 5');
    assert.deepEqual(rows[3], { row: 4, values: { id: '4', question: 'last' } });
    const tsv = await collect(readDataset(Readable.from(['a\tb\n1\t2\n']), 'tsv'));
    assert.deepEqual(tsv, [{ row: 1, values: { a: '1', b: '2' } }]);
  });

  it('JSONL: blank lines are not rows; a web ReadableStream works too', async () => {
    const web = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('{"a":1}\n\n  \n{"a":'));
        c.enqueue(new TextEncoder().encode('2}\n'));
        c.close();
      },
    });
    assert.deepEqual(await collect(readDataset(web, 'jsonl')), [
      { row: 1, values: { a: 1 } },
      { row: 2, values: { a: 2 } },
    ]);
  });
});
