// Timings you can trust: a call's TTFT and latency are the wire's, its waits are their own
// figures, and a long run leaves no listener behind. Structure, not thresholds: each assertion
// would fail by construction if our own work (a slow tokenizer, a retry wait, a queue) were
// inside the measured interval.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Readable } from 'node:stream';
import { BatchService, readDataset } from '../../src/core/batch';
import { AnswerCache, MemoryStore } from '../../src/core/cache';
import { MAX_REALTIME_ROWS, ProfilerEngine, type PromptInput } from '../../src/core/engine';
import { PriceBook } from '../../src/core/pricing';
import { createProvider } from '../../src/core/providers';
import { estimateUsageLocally } from '../../src/core/providers/estimate';
import { loadTokenizer } from '../../src/core/tokens';
import type { ProviderConfig } from '../../src/core/types';
import { startFakeLlm, type FakeLlm } from '../fake-llm/server';
import { fakeProviders, fakeResolver } from './support/fakeProviders';

const prompt: PromptInput = { messages: [{ role: 'user', content: 'Say something short.' }], maxOutputTokens: 50 };

/** Collects the process warnings of one named kind while `body` runs. */
async function warningsDuring(name: string, body: () => Promise<void>): Promise<Error[]> {
  const seen: Error[] = [];
  const onWarning = (w: Error) => {
    if (w.name === name) seen.push(w);
  };
  process.on('warning', onWarning);
  try {
    await body();
    // Warnings are emitted on the next tick.
    await sleep(10);
  } finally {
    process.off('warning', onWarning);
  }
  return seen;
}

describe('timings: the wire, nothing of ours', function () {
  this.timeout(60_000);
  let fake: FakeLlm;

  before(async () => {
    fake = await startFakeLlm({ profiles: { '*': { ttftMs: 0, tokensPerSec: 0, output: 'A short answer.' } } });
  });
  afterEach(() => fake.reset());
  after(() => fake.close());

  it('a tokenizer that takes 2 s to load, a server that answers at once: TTFT and latency stay far below the load', async () => {
    const LOAD_MS = 2000;
    let loads = 0;
    let estimates = 0;
    fake.setProfile('gpt-4o-mini', { ttftMs: 0, tokensPerSec: 0, output: 'A short answer.', sendUsage: false });
    const engine = new ProfilerEngine({
      resolveProvider: fakeResolver(fake),
      loadTokenizer: async (model, provider) => {
        loads++;
        await sleep(LOAD_MS);
        return loadTokenizer(model, provider);
      },
      // The server sends no usage: the answer is counted locally, by a counter just as slow.
      createProvider: (config: ProviderConfig) =>
        createProvider(config, async (request, output) => {
          estimates++;
          await sleep(LOAD_MS);
          return estimateUsageLocally(request, output);
        }),
    });
    const started = performance.now();
    const { results } = await engine.run(prompt, ['openai:gpt-4o-mini']);
    const elapsed = performance.now() - started;
    const r = results[0]!;
    assert.equal(r.ok, true, r.error?.message);
    assert.equal(r.usage.estimated, true);
    assert.ok(loads >= 1 && estimates === 1, `loads ${loads}, estimates ${estimates}`);
    // The run did wait for both (it cannot be shorter than a load and a count)…
    assert.ok(elapsed >= 2 * LOAD_MS, `elapsed ${elapsed}`);
    // …but neither is inside the call's measured interval.
    assert.ok(r.ttftMs !== null && r.ttftMs < LOAD_MS / 2, `ttft ${r.ttftMs}`);
    assert.ok(r.latencyMs < LOAD_MS / 2, `latency ${r.latencyMs}`);
    assert.equal(r.attempts, 1);
    assert.equal(r.retryWaitMs, 0);
  });

  it('a listener that takes 300 ms over every streamed chunk: TTFT and latency are still the bytes\' arrival (stamped in the HTTP client)', async () => {
    const BLOCK_MS = 300;
    // All chunks leave the server at once; each one we hand on costs the caller BLOCK_MS of CPU.
    fake.setProfile('gpt-4o-mini', { ttftMs: 0, tokensPerSec: 0, output: 'A short answer in several chunks.', chunkTokens: 1 });
    const engine = new ProfilerEngine({ resolveProvider: fakeResolver(fake) });
    let texts = 0;
    const started = performance.now();
    const { results } = await engine.run(prompt, ['openai:gpt-4o-mini'], {
      onProgress: (event) => {
        if (event.type !== 'text') return;
        texts++;
        const until = performance.now() + BLOCK_MS;
        while (performance.now() < until); // busy: the event loop can do nothing else meanwhile
      },
    });
    const elapsed = performance.now() - started;
    const r = results[0]!;
    assert.equal(r.ok, true, r.error?.message);
    assert.ok(texts >= 3, `texts ${texts}`);
    assert.ok(elapsed >= texts * BLOCK_MS, `elapsed ${elapsed}`);
    // Without the client's own stamps the latency would hold every listener's 300 ms.
    assert.ok(r.ttftMs !== null && r.ttftMs < BLOCK_MS, `ttft ${r.ttftMs}`);
    assert.ok(r.latencyMs < BLOCK_MS, `latency ${r.latencyMs}`);
  });

  it("an HTTP client start-up of 2 s (the process's first request): the run waits for it before sending, the call's times do not hold it", async () => {
    const WARM_MS = 2000;
    let warmed = false;
    const engine = new ProfilerEngine({
      resolveProvider: fakeResolver(fake),
      warmUp: async () => {
        await sleep(WARM_MS);
        warmed = true;
      },
    });
    const started = performance.now();
    const { results } = await engine.run(prompt, ['openai:gpt-4o-mini']);
    const elapsed = performance.now() - started;
    const r = results[0]!;
    assert.equal(r.ok, true, r.error?.message);
    assert.equal(warmed, true);
    assert.equal(fake.requests.filter((q) => q.path.endsWith('/chat/completions')).length, 1);
    assert.ok(elapsed >= WARM_MS, `elapsed ${elapsed}`);
    assert.ok(r.ttftMs !== null && r.ttftMs < WARM_MS / 2, `ttft ${r.ttftMs}`);
    assert.ok(r.latencyMs < WARM_MS / 2, `latency ${r.latencyMs}`);
  });

  it('the default warm-up loads the HTTP client in a fresh process with one loopback request, once', () => {
    // A fresh process: this one has long loaded undici. moduleLoadList names Node's internal modules as they load.
    const script = `
      const { warmHttpClient } = require(${JSON.stringify(require.resolve('../../src/core/providers/wire'))});
      const undici = () => process.moduleLoadList.some((m) => m.includes('internal/deps/undici/undici'));
      const before = undici();
      const first = warmHttpClient();
      first.then(() => console.log(JSON.stringify({ before, after: undici(), same: warmHttpClient() === first })));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), { before: false, after: true, same: true });
  });

  it("a 429 then success (the SDK's retry after retry-after-ms): the wait is reported apart from the latency, with 2 attempts", async () => {
    const RETRY_AFTER_MS = 400;
    fake.setScenario({ kind: 'http_error', status: 429, retryAfterMs: RETRY_AFTER_MS });
    const engine = new ProfilerEngine({ resolveProvider: fakeResolver(fake) });
    const r = (await engine.run(prompt, ['openai:gpt-4o-mini'])).results[0]!;
    assert.equal(r.ok, true, r.error?.message);
    const chats = fake.requests.filter((q) => q.route === 'openai.chat');
    assert.deepEqual(chats.map((q) => [q.status, q.retryCount]), [[429, 0], [200, 1]]);
    assert.equal(r.attempts, 2);
    // The wait covers the server's retry-after; the latency is the answering attempt's alone.
    assert.ok(r.retryWaitMs >= RETRY_AFTER_MS, `retry wait ${r.retryWaitMs}`);
    assert.ok(r.latencyMs < r.retryWaitMs, `latency ${r.latencyMs} vs wait ${r.retryWaitMs}`);
    assert.ok(r.ttftMs !== null && r.ttftMs <= r.latencyMs);
    assert.ok(r.queuedMs < RETRY_AFTER_MS, `queued ${r.queuedMs}`);
  });

  it("a 429 that outlives the SDK's retries: the runner's cool-down counts as a retry wait, every attempt is counted", async () => {
    const RETRY_AFTER_MS = 300;
    fake.setScenario({ kind: 'http_error', status: 429, retryAfterMs: RETRY_AFTER_MS });
    const noSdkRetries = (name: string) => {
      const config = fakeProviders(fake)[name];
      return config ? { ok: true as const, config: { ...config, maxRetries: 0 } } : fakeResolver(fake)(name);
    };
    const engine = new ProfilerEngine({ resolveProvider: noSdkRetries });
    const r = (await engine.run(prompt, ['openai:gpt-4o-mini'])).results[0]!;
    assert.equal(r.ok, true, r.error?.message);
    assert.deepEqual(fake.requests.filter((q) => q.route === 'openai.chat').map((q) => q.status), [429, 200]);
    assert.equal(r.attempts, 2);
    assert.ok(r.retryWaitMs >= RETRY_AFTER_MS, `retry wait ${r.retryWaitMs}`);
    assert.ok(r.latencyMs < r.retryWaitMs, `latency ${r.latencyMs} vs wait ${r.retryWaitMs}`);
  });

  it('a call that waits for a slot reports the wait as queued, not as latency', async () => {
    fake.setProfile('gpt-4o-mini', { ttftMs: 150, tokensPerSec: 0, output: 'A short answer.' });
    const engine = new ProfilerEngine({ resolveProvider: fakeResolver(fake) });
    const { results } = await engine.run(prompt, ['openai:gpt-4o-mini'], { repeats: 2, concurrency: 1, bypassCache: true });
    const [first, second] = results;
    assert.ok(first!.ok && second!.ok);
    // The second waited for the whole first call, at least its latency, and its own latency holds none of it.
    assert.ok(second!.queuedMs >= first!.latencyMs, `queued ${second!.queuedMs} vs first ${first!.latencyMs}`);
    assert.ok(second!.latencyMs < second!.queuedMs + first!.latencyMs, `latency ${second!.latencyMs}, queued ${second!.queuedMs}, first ${first!.latencyMs}`);
    assert.ok(second!.ttftMs! >= 150 && second!.ttftMs! < second!.queuedMs + 150, `ttft ${second!.ttftMs}`);
  });

  it('a cache hit reports its read time as such: no model TTFT or latency, nothing sent', async () => {
    const cache = new AnswerCache(new MemoryStore());
    const engine = new ProfilerEngine({ resolveProvider: fakeResolver(fake), cache });
    const fresh = (await engine.run(prompt, ['openai:gpt-4o-mini'])).results[0]!;
    const hit = (await engine.run(prompt, ['openai:gpt-4o-mini'])).results[0]!;
    assert.equal(fake.requests.filter((q) => q.route === 'openai.chat').length, 1);
    assert.equal(fresh.cacheHit, false);
    assert.equal(fresh.cacheReadMs, null);
    assert.equal(hit.cacheHit, true);
    assert.equal(hit.output, fresh.output);
    assert.equal(hit.ttftMs, null);
    assert.equal(hit.latencyMs, 0);
    assert.equal(hit.attempts, 0);
    assert.ok(hit.cacheReadMs !== null && hit.cacheReadMs >= 0);
    assert.deepEqual(hit.original && [hit.original.ttftMs, hit.original.latencyMs], [fresh.ttftMs, fresh.latencyMs]);
  });

  it('1,000 requests under one signal at concurrency 100: no MaxListenersExceededWarning', async () => {
    const engine = new ProfilerEngine({ resolveProvider: fakeResolver(fake) });
    const controller = new AbortController();
    const prompts = Array.from({ length: 1000 }, (_, i): PromptInput => ({ messages: [{ role: 'user', content: `Row ${i}` }] }));
    let summary: Awaited<ReturnType<ProfilerEngine['runRows']>> | undefined;
    const warnings = await warningsDuring('MaxListenersExceededWarning', async () => {
      summary = await engine.runRows(prompts, ['openai:gpt-4o-mini'], { concurrency: 100, signal: controller.signal, bypassCache: true });
    });
    assert.deepEqual(warnings.map((w) => w.message), []);
    assert.equal(summary!.results.length, 1000);
    assert.equal(summary!.results.filter((r) => r.ok).length, 1000);
    assert.deepEqual(summary!.results.slice(0, 3).map((r) => r.repeat), [0, 1, 2]);
    assert.equal(fake.requests.filter((q) => q.route === 'openai.chat').length, 1000);
  });

  it('a batch polled many times under one signal: no MaxListenersExceededWarning', async () => {
    const service = new BatchService({ resolveProvider: fakeResolver(fake), prices: new PriceBook() });
    const template = '---\nmax_tokens: 20\n---\nSay {{word}}.\n';
    const dataset = readDataset(Readable.from([JSON.stringify({ word: 'hi' }) + '\n']), 'jsonl');
    const job = await service.submit({ template, dataset, modelId: 'openai:gpt-4o-mini' });
    const controller = new AbortController();
    let polls = 0;
    const warnings = await warningsDuring('MaxListenersExceededWarning', async () => {
      const progress = await job.wait({
        pollIntervalMs: 0,
        signal: controller.signal,
        onProgress: () => {
          if (++polls === 30) fake.advanceBatches({ complete: true });
        },
      });
      assert.equal(progress.ended, true);
    });
    assert.ok(polls > 30, `polls ${polls}`);
    assert.deepEqual(warnings.map((w) => w.message), []);
  });

  it(`more than ${MAX_REALTIME_ROWS} rows are refused by the engine, before anything is sent`, async () => {
    const engine = new ProfilerEngine({ resolveProvider: fakeResolver(fake) });
    const prompts = Array.from({ length: MAX_REALTIME_ROWS + 1 }, () => prompt);
    await assert.rejects(engine.runRows(prompts, ['openai:gpt-4o-mini']), /1,001 rows is over the real-time limit of 1,000/);
    assert.equal(fake.requests.length, 0);
  });
});
