// prompt-profiler plan: JSON and text reports, --verify against the fake server, bad usage.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { getEncoding } from 'js-tiktoken';
import { startFakeLlm, type FakeLlm } from '../fake-llm/server';
import { fakeEnv, runCli } from './support/cli';

const o200k = getEncoding('o200k_base');
const enc = (s: string) => o200k.encode(s).length;
const S = Array(500).fill('You review distributed-systems designs with care.').join(' ');

describe('prompt-profiler plan (CLI)', function () {
  let fake: FakeLlm;
  let cwd: string;
  let env: NodeJS.ProcessEnv;

  const cli = (args: string[], stdin = '') => runCli(['plan', ...args], { cwd, env, stdin });

  before(async () => {
    fake = await startFakeLlm({ profiles: { '*': { output: 'Noted.' } } });
  });
  beforeEach(() => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-plan-cli-'));
    fs.writeFileSync(path.join(cwd, 'review.prompt'), `system:\n${S}\n\nuser:\nReview this design: {{design}}\n`);
    env = fakeEnv(fake);
  });
  afterEach(() => {
    fake.reset();
    fs.rmSync(cwd, { recursive: true, force: true });
  });
  after(() => fake.close());

  it('--json --verify: one plan per model, exact prefixes, the verification beside each', async () => {
    const { code, stdout } = await cli(['review.prompt', '--model', 'anthropic:claude-haiku-4-5', '--model', 'openai:gpt-4o-mini', '--json', '--verify']);
    assert.equal(code, 0);
    const { plans } = JSON.parse(stdout);
    assert.equal(plans.length, 2);
    const [a, o] = plans;
    assert.deepEqual(Object.keys(a), [
      'model',
      'vendor',
      'counting',
      'minCacheableTokens',
      'totalTokens',
      'stablePrefix',
      'variablePart',
      'automatic',
      'breakpoints',
      'prediction',
      'economics',
      'ttl',
      'findings',
      'verification',
    ]);
    const anthropicPrefix = 3 + 3 + enc(S) + 3 + enc('Review this design:');
    assert.equal(a.counting.method, 'Anthropic count_tokens');
    assert.equal(a.stablePrefix.tokens, anthropicPrefix);
    assert.equal(a.verification.readDifference, 0);
    assert.equal(a.verification.reported.repeatCall.cacheReadTokens, anthropicPrefix);
    const openaiPrefix = 4 + enc(S) + 3 + enc('Review this design:');
    assert.equal(o.stablePrefix.tokens, openaiPrefix);
    assert.equal(o.verification.reported.repeatCall.cacheReadTokens, 1024 + 128 * Math.floor((openaiPrefix - 1024) / 128));
    assert.equal(o.verification.readDifference, 0);
  });

  it('the text report: prefix, breakpoints, the TTL table, findings, the verification', async () => {
    fs.writeFileSync(path.join(cwd, 'dated.prompt'), `system:\nAs of 2025-06-01: ${S}\n\nuser:\n{{design}}\n`);
    const { code, stdout } = await cli(['dated.prompt', '--model', 'anthropic:claude-haiku-4-5', '--calls-per-hour', '6', '--verify']);
    assert.equal(code, 0);
    const system = 3 + 3 + enc(`As of 2025-06-01: ${S}`);
    assert.match(stdout, /^── anthropic:claude-haiku-4-5 ── \(counted by Anthropic count_tokens\)$/m);
    assert.match(stdout, new RegExp(`^Stable prefix   ${system.toLocaleString('en-US')} tokens: the system prompt$`, 'm'));
    assert.match(stdout, new RegExp(`^cache_control   1\\. the system prompt, ${system.toLocaleString('en-US')} tokens, ttl 1h: the end of the stable prefix, before \\{\\{design\\}\\}$`, 'm'));
    assert.match(stdout, /^5m\s+\$1\.00\s+\$1\.25\s+\$0\.1\s+1\.28 calls\s+2\s+\$[\d.]+\s+\$[\d.]+\s+−\$[\d.]+$/m);
    assert.match(stdout, /^1h\s+\$1\.00\s+\$2\.00\s+\$0\.1\s+2\.11 calls\s+3\s+/m);
    assert.match(stdout, /^Recommended: ttl 1h\. At 6 calls per hour \(one every 10 min\), a 1h TTL saves the most \(5m: costs more than no caching\)\.$/m);
    // Offsets of findings are local counts (for Claude the ×1.1 estimate): "about".
    assert.match(stdout, new RegExp(`^ {2}⚠ A date \\("2025-06-01"\\) at about token ${Math.ceil(1.1 * enc('As of '))} of the stable prefix`, 'm'));
    assert.match(stdout, new RegExp(`^Verify: Call 1 wrote ${system.toLocaleString('en-US')} tokens to the cache \\(predicted ${system.toLocaleString('en-US')}\\), call 2 read ${system.toLocaleString('en-US')} .*difference 0 tokens\\. The cache saved \\$[\\d.]+ on call 2\\.$`, 'm'));
  });

  it('bad usage exits 2 with a clear message', async () => {
    const cases: [string[], RegExp][] = [
      [[], /missing required argument 'file'/],
      [['nope.prompt'], /No such file: nope\.prompt/],
      [['review.prompt', '--ttl', '2h'], /--ttl is 5m or 1h \(got "2h"\)/],
      [['review.prompt', '--calls-per-hour', '0'], /--calls-per-hour takes a number above 0 \(got "0"\)/],
      [['review.prompt', '--model', 'haiku'], /Model id "haiku" must look like provider:model/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, message, args.join(' '));
    }
    assert.equal((await cli(['-', '--model', 'openai:gpt-4o-mini'], 'user:\nhello {{x}}\n')).code, 0, 'reads standard input');
  });
});
