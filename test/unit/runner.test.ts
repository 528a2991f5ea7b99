// The runner's scheduling, with scripted in-process providers (the SDK paths are covered
// against the fake server in providers.test.ts and cli.test.ts).
import assert from 'node:assert/strict';
import { runPrompt, type RunTarget } from '../../src/core/run';
import type { ChatRequest, Provider, ProviderConfig, StreamEvent } from '../../src/core/types';
import { emptyUsage } from '../../src/core/types';

class ScriptedProvider implements Provider {
  active = 0;
  peak = 0;
  calls = 0;
  constructor(
    readonly config: ProviderConfig,
    private readonly script: (call: number, signal?: AbortSignal) => AsyncIterable<StreamEvent>,
  ) {}
  async *stream(_req: ChatRequest, signal?: AbortSignal): AsyncIterable<StreamEvent> {
    const call = this.calls++;
    this.active++;
    this.peak = Math.max(this.peak, this.active);
    try {
      yield* this.script(call, signal);
    } finally {
      this.active--;
    }
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new Error('aborted'));
    });
  });

async function* answer(text: string, ms: number, signal?: AbortSignal): AsyncIterable<StreamEvent> {
  try {
    await sleep(ms, signal);
  } catch {
    yield { type: 'error', error: { kind: 'cancelled', message: 'Cancelled.' } };
    return;
  }
  yield { type: 'text', text };
  yield { type: 'usage', usage: { ...emptyUsage(), inputTokens: 10, outputTokens: 2 } };
  yield { type: 'finish', reason: 'stop' };
}

const request: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
const target = (provider: Provider, model = 'm'): RunTarget => ({ modelId: `${provider.config.name}:${model}`, provider, request });
const price = () => null;

describe('runner', () => {
  it('respects the global and the per-provider concurrency limits', async () => {
    const a = new ScriptedProvider({ name: 'a', type: 'openai' }, (_c, s) => answer('x', 5, s));
    const b = new ScriptedProvider({ name: 'b', type: 'openai' }, (_c, s) => answer('y', 5, s));
    const summary = await runPrompt([target(a), target(b)], {
      concurrency: 3,
      perProviderConcurrency: { a: 1 },
      repeats: 6,
      price,
    });
    assert.equal(summary.results.length, 12);
    assert.ok(summary.results.every((r) => r.ok));
    assert.equal(a.peak, 1);
    assert.ok(b.peak <= 3 && b.peak >= 2, `b peak ${b.peak}`);
    // Results come back in job order: repeat-major.
    assert.deepEqual(
      summary.results.slice(0, 4).map((r) => [r.modelId, r.repeat]),
      [['a:m', 0], ['b:m', 0], ['a:m', 1], ['b:m', 1]],
    );
  });

  it('measures TTFT and latency with the injected clock, and reports no price as null', async () => {
    let t = 0;
    const p = new ScriptedProvider({ name: 'p', type: 'openai' }, async function* () {
      t += 100;
      yield { type: 'text', text: 'ab' };
      t += 400;
      yield { type: 'text', text: 'c' };
      yield { type: 'usage', usage: { ...emptyUsage(), inputTokens: 7, outputTokens: 20 } };
      yield { type: 'finish', reason: 'stop' };
    });
    const { results } = await runPrompt([target(p)], { price, now: () => t });
    const r = results[0];
    assert.equal(r.output, 'abc');
    assert.equal(r.ttftMs, 100);
    assert.equal(r.latencyMs, 500);
    assert.equal(r.outputTokensPerSec, 50); // 20 tokens over the 400 ms after the first
    assert.equal(r.cost, null);
  });

  it('reports no tokens/s when the answer arrives too fast to measure a rate', async () => {
    let t = 0;
    const p = new ScriptedProvider({ name: 'p', type: 'openai' }, async function* () {
      t += 283;
      yield { type: 'text', text: 'the whole answer in one chunk' };
      t += 5;
      yield { type: 'usage', usage: { ...emptyUsage(), inputTokens: 7, outputTokens: 21 } };
      yield { type: 'finish', reason: 'stop' };
    });
    const { results } = await runPrompt([target(p)], { price, now: () => t });
    assert.deepEqual([results[0].ttftMs, results[0].latencyMs, results[0].outputTokensPerSec], [283, 288, null]);
  });

  it('keeps the partial answer when the stream fails', async () => {
    const p = new ScriptedProvider({ name: 'p', type: 'openai' }, async function* () {
      yield { type: 'text', text: 'half an ans' };
      yield { type: 'error', error: { kind: 'stream_cut', message: 'cut' } };
    });
    const { results } = await runPrompt([target(p)], { price });
    assert.equal(results[0].ok, false);
    assert.equal(results[0].output, 'half an ans');
    assert.deepEqual(results[0].error, { kind: 'stream_cut', message: 'cut' });
  });

  it('abort cancels running and queued requests', async () => {
    const p = new ScriptedProvider({ name: 'p', type: 'openai' }, (_c, s) => answer('x', 10_000, s));
    const ac = new AbortController();
    const run = runPrompt([target(p)], { concurrency: 1, repeats: 3, signal: ac.signal, price });
    setTimeout(() => ac.abort(), 20);
    const { results } = await run;
    assert.deepEqual(
      results.map((r) => r.error?.kind),
      ['cancelled', 'cancelled', 'cancelled'],
    );
    assert.equal(p.calls, 1, 'queued requests never started');
  });

  it('after a 429 it cools the provider down for retry-after and tries again', async () => {
    const starts: number[] = [];
    const p = new ScriptedProvider({ name: 'p', type: 'openai' }, async function* (call) {
      starts.push(Date.now());
      if (call === 0) {
        yield { type: 'error', error: { kind: 'rate_limit', message: '429', retryAfterMs: 40 } as never };
        return;
      }
      yield* answer('ok', 0);
    });
    const { results } = await runPrompt([target(p)], { price });
    assert.equal(results[0].ok, true);
    assert.equal(p.calls, 2);
    // A lower bound only: a slow machine waits longer, never shorter.
    assert.ok(starts[1] - starts[0] >= 35, `waited ${starts[1] - starts[0]} ms`);
  });
});
