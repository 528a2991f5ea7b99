import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { calcPrice } from '@pydantic/genai-prices';
import {
  GENAI_PRICES_DATA_DATE,
  GENAI_PRICES_VERSION,
  PriceBook,
  computeCost,
  minCacheableTokens,
  validatePriceOverride,
  type ModelPrice,
} from '../../src/core/pricing';
import { emptyUsage, type CostBreakdown, type Usage } from '../../src/core/types';

/** Prices as of the bundled data's date, so date-constrained prices are deterministic. */
const AT = new Date('2026-09-23T00:00:00Z');

function usage(u: Partial<Usage>): Usage {
  return { ...emptyUsage(), ...u };
}

function near(actual: number, expected: number, what = 'value'): void {
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: expected ${expected}, got ${actual}`);
}

type Buckets = Pick<CostBreakdown, 'total' | 'input' | 'cacheRead' | 'cacheWrite' | 'cacheWrite5m' | 'cacheWrite1h' | 'output'>;

function assertBuckets(cost: CostBreakdown | null, expected: Buckets): void {
  assert.ok(cost, 'expected a cost, got null');
  for (const k of Object.keys(expected) as (keyof Buckets)[]) near(cost[k], expected[k], k);
}

const book = new PriceBook({}, { timestamp: AT });

describe('pricing: the doc’s worked examples (§2, §4)', () => {
  it('OpenAI gpt-5.4-mini, override 0.75 / cached 0.075 / 4.5: prompt 1200, cached 1024, completion 70 (64 reasoning) → $0.0005238', () => {
    const b = new PriceBook({ 'openai:gpt-5.4-mini': { input: 0.75, cacheRead: 0.075, output: 4.5 } });
    const cost = b.cost('openai:gpt-5.4-mini', usage({ inputTokens: 1200, cacheReadTokens: 1024, outputTokens: 70, reasoningTokens: 64 }));
    // (1200−1024)×0.75 + 1024×0.075 + 70×4.50 = 132 + 76.8 + 315 µ$
    assertBuckets(cost, { total: 0.0005238, input: 0.000132, cacheRead: 0.0000768, cacheWrite: 0, cacheWrite5m: 0, cacheWrite1h: 0, output: 0.000315 });
    assert.equal(cost!.total, 0.0005238, 'rounded to print cleanly');
    assert.equal(cost!.provenance.source, 'override');
  });

  it('the same call from genai-prices’ own gpt-5.4-mini data (0.75 / 0.075 / 4.5) → $0.0005238', () => {
    const cost = book.cost('openai:gpt-5.4-mini', usage({ inputTokens: 1200, cacheReadTokens: 1024, outputTokens: 70, reasoningTokens: 64 }));
    assertBuckets(cost, { total: 0.0005238, input: 0.000132, cacheRead: 0.0000768, cacheWrite: 0, cacheWrite5m: 0, cacheWrite1h: 0, output: 0.000315 });
    assert.equal(cost!.provenance.source, 'genai-prices');
  });

  it('reasoning tokens are never added on top of output', () => {
    const a = book.cost('openai:gpt-5.4-mini', usage({ inputTokens: 1200, outputTokens: 70, reasoningTokens: 64 }))!;
    const b = book.cost('openai:gpt-5.4-mini', usage({ inputTokens: 1200, outputTokens: 70, reasoningTokens: 0 }))!;
    assert.equal(a.total, b.total);
  });

  const sonnetUsage = usage({ inputTokens: 12 + 2048, cacheWriteTokens: 2048, outputTokens: 6 });
  const sonnetExpected: Buckets = { total: 0.007806, input: 0.000036, cacheRead: 0, cacheWrite: 0.00768, cacheWrite5m: 0.00768, cacheWrite1h: 0, output: 0.00009 };

  it('Anthropic Sonnet 4.6, rates 3 / 3.75 / 0.30 / 15: 12 uncached + 2048 5m write + 6 out → $0.007806', () => {
    const b = new PriceBook({ 'anthropic:claude-sonnet-4-6': { input: 3, cacheWrite5m: 3.75, cacheRead: 0.3, output: 15 } });
    assertBuckets(b.cost('anthropic:claude-sonnet-4-6', sonnetUsage), sonnetExpected);
  });

  it('the same from genai-prices’ claude-sonnet-4-6 data → $0.007806', () => {
    assertBuckets(book.cost('anthropic:claude-sonnet-4-6', sonnetUsage), sonnetExpected);
  });

  it('Anthropic override without cache rates: 5m write = 1.25× input, 1h = 2×, read = 0.1×', () => {
    const b = new PriceBook({ 'anthropic:claude-sonnet-4-6': { input: 3, output: 15 } });
    assertBuckets(b.cost('anthropic:claude-sonnet-4-6', sonnetUsage), sonnetExpected);
    const c = b.cost('anthropic:claude-sonnet-4-6', usage({ inputTokens: 3000, cacheReadTokens: 1000, cacheWriteTokens: 2000, cacheWrite1hTokens: 2000 }))!;
    // 1000×0.3 + 2000×6 = 300 + 12000 µ$
    assertBuckets(c, { total: 0.0123, input: 0, cacheRead: 0.0003, cacheWrite: 0.012, cacheWrite5m: 0, cacheWrite1h: 0.012, output: 0 });
    assert.match(c.provenance.detail, /cache read = 0\.1× input · cache write 1h = 2× input$/);
  });
});

describe('pricing: genai-prices data, exact values', () => {
  it('gpt-4o-mini (0.15 / cached 0.075 / 0.6): 5000 in, 2048 cached, 300 out → $0.0007764', () => {
    const cost = book.cost('openai:gpt-4o-mini', usage({ inputTokens: 5000, cacheReadTokens: 2048, outputTokens: 300, reasoningTokens: 100 }));
    // 2952×0.15 + 2048×0.075 + 300×0.6 = 442.8 + 153.6 + 180 µ$
    assertBuckets(cost, { total: 0.0007764, input: 0.0004428, cacheRead: 0.0001536, cacheWrite: 0, cacheWrite5m: 0, cacheWrite1h: 0, output: 0.00018 });
  });

  it('gpt-4o-mini has no cache-write price: OpenAI writes bill as plain input (no surcharge)', () => {
    const cost = book.cost('openai:gpt-4o-mini', usage({ inputTokens: 2000, cacheWriteTokens: 1500 }))!;
    // 500×0.15 + 1500×0.15
    assertBuckets(cost, { total: 0.0003, input: 0.000075, cacheRead: 0, cacheWrite: 0.000225, cacheWrite5m: 0.000225, cacheWrite1h: 0, output: 0 });
  });

  it('gpt-5.6-sol prices cache writes (4 / write 5 / 20 since 2026-08-21): 10000 in, 8000 written, 100 out → $0.05', () => {
    const cost = book.cost('openai:gpt-5.6-sol', usage({ inputTokens: 10_000, cacheWriteTokens: 8000, outputTokens: 100 }));
    // 2000×4 + 8000×5 + 100×20 = 8000 + 40000 + 2000 µ$
    assertBuckets(cost, { total: 0.05, input: 0.008, cacheRead: 0, cacheWrite: 0.04, cacheWrite5m: 0.04, cacheWrite1h: 0, output: 0.002 });
  });

  const haikuUsage = usage({ inputTokens: 10 + 3000 + 4000, cacheWriteTokens: 3000, cacheWrite1hTokens: 1000, cacheReadTokens: 4000, outputTokens: 500 });
  const haikuExpected: Buckets = {
    // 10×1 + 2000×1.25 + 1000×2 + 4000×0.1 + 500×5 = 10 + 2500 + 2000 + 400 + 2500 µ$
    total: 0.00741,
    input: 0.00001,
    cacheRead: 0.0004,
    cacheWrite: 0.0045,
    cacheWrite5m: 0.0025,
    cacheWrite1h: 0.002,
    output: 0.0025,
  };

  it('claude-haiku-4-5 (1 / 5m 1.25 / 1h 2 / read 0.1 / 5): 5m and 1h writes, reads → $0.00741', () => {
    assertBuckets(book.cost('anthropic:claude-haiku-4-5', haikuUsage), haikuExpected);
  });

  it('a dated snapshot name resolves to its model (claude-haiku-4-5-20251001)', () => {
    assertBuckets(book.cost('anthropic:claude-haiku-4-5-20251001', haikuUsage), haikuExpected);
  });

  it('batch = half of every bucket', () => {
    const full = book.cost('anthropic:claude-haiku-4-5', haikuUsage)!;
    const half = book.cost('anthropic:claude-haiku-4-5', haikuUsage, { batch: true })!;
    assert.equal(half.batch, true);
    assert.equal(full.batch, false);
    for (const k of ['total', 'input', 'cacheRead', 'cacheWrite', 'cacheWrite5m', 'cacheWrite1h', 'output'] as const) {
      near(half[k], full[k] / 2, k);
    }
    near(half.total, 0.003705);
    assert.match(half.provenance.detail, /batch −50 %/);
  });

  it('claude-sonnet-4-5 base rates (3 / 15): 1000 in, 100 out → $0.0045', () => {
    assertBuckets(book.cost('anthropic:claude-sonnet-4-5', usage({ inputTokens: 1000, outputTokens: 100 })), {
      total: 0.0045, input: 0.003, cacheRead: 0, cacheWrite: 0, cacheWrite5m: 0, cacheWrite1h: 0, output: 0.0015,
    });
  });

  it('claude-sonnet-4-5 long-context tier (> 200K prompt: 6 / 5m 7.5 / read 0.6 / 22.5) bills the whole request', () => {
    const cost = book.cost(
      'anthropic:claude-sonnet-4-5',
      usage({ inputTokens: 250_000, cacheReadTokens: 50_000, cacheWriteTokens: 100_000, outputTokens: 1000 }),
    )!;
    // 100000×6 + 50000×0.6 + 100000×7.5 + 1000×22.5 = 600000 + 30000 + 750000 + 22500 µ$
    assertBuckets(cost, { total: 1.4025, input: 0.6, cacheRead: 0.03, cacheWrite: 0.75, cacheWrite5m: 0.75, cacheWrite1h: 0, output: 0.0225 });
    assert.match(cost.provenance.detail, /long-context rates \(prompt > 200,000 tokens\)/);
  });

  it('the tier starts strictly above its threshold (200,000 is base, 200,001 is long-context)', () => {
    near(book.cost('anthropic:claude-sonnet-4-5', usage({ inputTokens: 200_000 }))!.total, 0.6); // ×3
    near(book.cost('anthropic:claude-sonnet-4-5', usage({ inputTokens: 200_001 }))!.total, 1.200006); // ×6
  });

  it('gpt-5.4 long context: from 272,000 prompt tokens, 5 in / 22.5 out instead of 2.5 / 15', () => {
    near(book.cost('openai:gpt-5.4', usage({ inputTokens: 271_999, outputTokens: 1000 }))!.total, 0.6799975 + 0.015);
    const long = book.cost('openai:gpt-5.4', usage({ inputTokens: 272_000, outputTokens: 1000 }))!;
    assertBuckets(long, { total: 1.3825, input: 1.36, cacheRead: 0, cacheWrite: 0, cacheWrite5m: 0, cacheWrite1h: 0, output: 0.0225 });
  });

  it('agrees with genai-prices’ own calcPrice total wherever its data is complete', () => {
    const cases: [string, string, Usage][] = [
      ['openai', 'gpt-4o-mini', usage({ inputTokens: 5000, cacheReadTokens: 2048, outputTokens: 300 })],
      ['openai', 'gpt-4o', usage({ inputTokens: 123_456, cacheReadTokens: 100_000, outputTokens: 4321 })],
      ['openai', 'gpt-5.4', usage({ inputTokens: 300_000, cacheReadTokens: 200_000, outputTokens: 999 })],
      ['openai', 'gpt-5.6-sol', usage({ inputTokens: 280_000, cacheReadTokens: 10_000, cacheWriteTokens: 200_000, outputTokens: 77 })],
      ['anthropic', 'claude-haiku-4-5', haikuUsage],
      ['anthropic', 'claude-sonnet-4-5', usage({ inputTokens: 250_000, cacheReadTokens: 50_000, cacheWriteTokens: 100_000, cacheWrite1hTokens: 30_000, outputTokens: 1000 })],
      ['anthropic', 'claude-opus-4-7', usage({ inputTokens: 9000, cacheReadTokens: 3000, cacheWriteTokens: 5000, cacheWrite1hTokens: 1000, outputTokens: 800 })],
    ];
    for (const [provider, model, u] of cases) {
      const ours = book.cost(`${provider}:${model}`, u)!;
      const theirs = calcPrice(
        {
          input_tokens: u.inputTokens,
          cache_read_tokens: u.cacheReadTokens,
          cache_write_tokens: u.cacheWriteTokens,
          cache_write_1h_tokens: u.cacheWrite1hTokens,
          output_tokens: u.outputTokens,
        },
        model,
        { providerId: provider, timestamp: AT },
      )!;
      assert.ok(Math.abs(ours.total - theirs.total_price) < 1e-9, `${model}: ours ${ours.total}, genai-prices ${theirs.total_price}`);
    }
  });
});

describe('pricing: lookup, overrides, provenance', () => {
  it('unknown models have no price (null), never $0', () => {
    for (const id of ['openai:gpt-does-not-exist', 'anthropic:claude-nope-9', 'ollama:llama3.2', 'openrouter:openai/gpt-4o-mini']) {
      assert.equal(book.lookup(id), null, id);
      assert.equal(book.cost(id, usage({ inputTokens: 100, outputTokens: 10 })), null, id);
      assert.equal(book.contextWindow(id), null, id);
    }
  });

  it('a provider name is not a vendor: openai cannot price a Claude model', () => {
    assert.equal(book.lookup('openai:claude-haiku-4-5'), null);
  });

  it('OpenAI-compatible providers are priced by overrides only', () => {
    const b = new PriceBook({ 'ollama:llama3.2': { input: 0, output: 0, contextWindow: 131072, dataDate: '2026-11-01' } });
    const cost = b.cost('ollama:llama3.2', usage({ inputTokens: 1000, outputTokens: 100 }))!;
    assert.equal(cost.total, 0); // an explicit $0 the user chose
    assert.deepEqual(cost.provenance, { source: 'override', dataDate: '2026-11-01', detail: 'price override for ollama:llama3.2 (2026-11-01)' });
    assert.equal(b.contextWindow('ollama:llama3.2'), 131072);
  });

  it('an override beats the data; the data’s context window is kept when the override has none', () => {
    const b = new PriceBook({ 'openai:gpt-4o-mini': { input: 1, output: 2 } }, { timestamp: AT });
    const cost = b.cost('openai:gpt-4o-mini', usage({ inputTokens: 1_000_000, outputTokens: 1_000_000 }))!;
    assert.equal(cost.total, 3);
    assert.equal(cost.provenance.source, 'override');
    assert.equal(b.contextWindow('openai:gpt-4o-mini'), 128_000);
    // Other models still come from the data.
    assert.equal(b.cost('openai:gpt-4o', usage({ inputTokens: 1_000_000 }))!.total, 2.5);
  });

  it('provenance: genai-prices version, data date and model name', () => {
    const p = book.lookup('anthropic:claude-haiku-4-5')!;
    assert.deepEqual(p.provenance, {
      source: 'genai-prices',
      dataDate: '2026-09-23',
      detail: '@pydantic/genai-prices 0.1.8 (data of 2026-09-23) · Anthropic · Claude Haiku 4.5',
    });
    const c = book.cost('openai:gpt-4o-mini', usage({ inputTokens: 10 }))!;
    assert.equal(c.provenance.source, 'genai-prices');
    assert.equal(c.provenance.dataDate, GENAI_PRICES_DATA_DATE);
    assert.match(c.provenance.detail, /^@pydantic\/genai-prices 0\.1\.8 \(data of 2026-09-23\) · OpenAI · /);
  });

  it('GENAI_PRICES_VERSION matches the installed package (bump the data date with it)', () => {
    const pkg = path.join(path.dirname(require.resolve('@pydantic/genai-prices')), '..', 'package.json');
    assert.equal(JSON.parse(fs.readFileSync(pkg, 'utf8')).version, GENAI_PRICES_VERSION);
  });

  it('context windows from the data', () => {
    assert.equal(book.contextWindow('openai:gpt-4o-mini'), 128_000);
    assert.equal(book.contextWindow('anthropic:claude-haiku-4-5'), 200_000);
    assert.equal(book.contextWindow('anthropic:claude-sonnet-4-6'), 1_000_000);
    assert.equal(book.lookup('openai:gpt-5.4')!.contextWindow, 1_050_000);
  });

  it('tiers are exposed on the price (for display)', () => {
    const p = book.lookup('anthropic:claude-sonnet-4-5')!;
    assert.equal(p.input, 3);
    assert.deepEqual(p.tiers, [{ above: 200_000, input: 6, output: 22.5, cacheRead: 0.6, cacheWrite5m: 7.5, cacheWrite1h: 12 }]);
    assert.deepEqual(book.lookup('openai:gpt-4o-mini')!.tiers, []);
  });

  it('invalid overrides are reported and ignored', () => {
    const b = new PriceBook({
      'gpt-4o-mini': { input: 1, output: 1 },
      'openai:gpt-4o': { input: -1, output: 1 },
      'ollama:x': { input: 1 } as never,
      'ollama:y': { input: 1, output: 1, cacheRead: 'cheap' } as never,
    });
    assert.equal(b.problems.length, 4, b.problems.join('\n'));
    assert.equal(b.lookup('ollama:x'), null);
    assert.deepEqual(validatePriceOverride('ollama:z', { input: 0.1, output: 0.2, cacheWrite1h: 0.3, contextWindow: 8192 }), []);
    assert.equal(validatePriceOverride('ollama:z', { input: 0.1, output: 0.2, contextWindow: 1.5 }).length, 1);
  });

  it('knownModels lists overrides and current chat models of the given providers', () => {
    const b = new PriceBook({ 'ollama:llama3.2': { input: 0, output: 0 } });
    const ids = b.knownModels(['openai', 'anthropic']).map((m) => m.modelId);
    assert.ok(ids.includes('ollama:llama3.2'));
    assert.ok(ids.includes('openai:gpt-4o-mini'));
    assert.ok(ids.includes('anthropic:claude-haiku-4-5'));
    assert.ok(!ids.some((id) => /tts|embedding|whisper|\.ft-|-$/.test(id)), ids.join(' '));
    for (const id of ids) assert.ok(b.lookup(id), `${id} should have a price`);
  });

  it('computeCost on a hand-made price (usage inconsistencies are clamped, not negative)', () => {
    const price: ModelPrice = {
      modelId: 'x:y', vendor: 'other', input: 1, output: 2, cacheRead: null, cacheWrite5m: null, cacheWrite1h: null,
      tiers: [], contextWindow: null, provenance: { source: 'override', detail: 'test' },
    };
    const c = computeCost(usage({ inputTokens: 100, cacheReadTokens: 80, cacheWriteTokens: 50, outputTokens: 10 }), price);
    // uncached clamps at 0; reads and writes bill at input for a vendor without cache prices
    assertBuckets(c, { total: 0.00015, input: 0, cacheRead: 0.00008, cacheWrite: 0.00005, cacheWrite5m: 0.00005, cacheWrite1h: 0, output: 0.00002 });
  });
});

describe('pricing: minimum cacheable prompt', () => {
  const cases: [string, number | null][] = [
    ['anthropic:claude-opus-4-5', 4096],
    ['anthropic:claude-opus-4-5-20251101', 4096],
    ['anthropic:claude-opus-4-6', 4096],
    ['anthropic:claude-haiku-4-5', 4096],
    ['anthropic:claude-opus-4-7', 2048],
    ['anthropic:claude-3-5-haiku-20241022', 2048],
    ['anthropic:claude-3-5-haiku-latest', 2048],
    ['anthropic:claude-3-haiku-20240307', 2048],
    ['anthropic:claude-sonnet-4-20250514', 1024],
    ['anthropic:claude-sonnet-4-0', 1024],
    ['anthropic:claude-sonnet-4-5', 1024],
    ['anthropic:claude-sonnet-4.6', 1024],
    ['anthropic:claude-opus-4', 1024],
    ['anthropic:claude-opus-4-1', 1024],
    ['anthropic:claude-opus-4-8', 1024],
    ['anthropic:claude-sonnet-5', 1024],
    ['anthropic:claude-opus-5', 512],
    ['anthropic:claude-fable-5', 512],
    ['anthropic:claude-unknown-9', null],
    ['openai:gpt-4o-mini', 1024],
    ['openai:gpt-5.4-mini', 1024],
    ['ollama:llama3.2', null],
  ];
  for (const [id, expected] of cases) {
    it(`${id} → ${expected}`, () => assert.equal(minCacheableTokens(id), expected));
  }
});
