// The call history: every profiled call of the extension is appended as one JSONL record in the
// workspace's storage, stamped with its own finish time; never a key, the prompt text only when
// promptProfiler.history.includePrompts allows it; nothing when promptProfiler.history.enabled is off.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HistoryRecord } from '../../src/core/history';
import type { PromptProfilerApi } from '../../src/extension/extension';
import { GPT, HAIKU, fake, filesUnder, getApi, keys, openFixture, profile, restoreSettings, selectLine, setSetting, useModels, waitFor } from './helpers';

/** Every record line of the history files, parsed (independently of HistoryLog). */
function historyLines(dir: string): HistoryRecord[] {
  return filesUnder(dir)
    .filter((f) => /calls-\d{4}-\d{2}(\.\d+)?\.jsonl$/.test(f))
    .sort()
    .flatMap((f) =>
      fs
        .readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as HistoryRecord),
    );
}

function historyText(dir: string): string {
  return filesUnder(dir)
    .map((f) => fs.readFileSync(f, 'utf8'))
    .join('');
}

const TRANSLATE = 'Translate "Good morning, how did you sleep?" into French, Spanish and German.';

describe('call history', function () {
  // Another suite may have allowed prompts at rest: this one starts from the default.
  before(async () => {
    await setSetting('history.includePrompts', false);
  });
  this.timeout(90_000);
  let api: PromptProfilerApi;
  let dir: string;

  before(async () => {
    api = await getApi();
    await useModels(api, [GPT, HAIKU]);
    dir = api.services.history.dir.fsPath;
  });
  after(restoreSettings);

  async function profileTranslate(bypassCache: boolean) {
    const editor = await openFixture('notes.md');
    selectLine(editor, 'Translate');
    await fake.reset();
    const t0 = Date.now();
    const summary = await profile(bypassCache);
    return { summary, t0, t1: Date.now() };
  }

  it('lives in the workspace storage (context.storageUri)', () => {
    const storage = api.services.context.storageUri;
    assert.ok(storage, 'a folder is open: storageUri must be defined');
    assert.equal(dir, path.join(storage.fsPath, 'history'));
  });

  it('appends one record per call after a profile: exact tokens and costs, no key, no prompt text', async () => {
    const before = historyLines(dir).length;
    const { summary, t0, t1 } = await profileTranslate(true);
    const lines = historyLines(dir);
    assert.equal(lines.length, before + 2, 'two calls, two new lines');
    const added = lines.slice(before);
    const runIds = new Set(added.map((r) => r.runId));
    assert.equal(runIds.size, 1, 'the calls of one run share a run id');
    const hash = createHash('sha256')
      .update(JSON.stringify({ messages: [{ content: TRANSLATE, role: 'user' }], system: null }))
      .digest('hex');
    for (const result of summary.results) {
      const r = added.find((x) => x.model === result.modelId);
      assert.ok(r, `no record for ${result.modelId}`);
      assert.equal(r.v, 1);
      assert.equal(r.ok, true);
      assert.equal(r.cacheHit, false);
      assert.equal(r.source, 'extension');
      assert.deepEqual(r.tokens, {
        input: result.usage.inputTokens,
        output: result.usage.outputTokens,
        cacheRead: result.usage.cacheReadTokens,
        cacheWrite: result.usage.cacheWriteTokens,
        cacheWrite1h: result.usage.cacheWrite1hTokens,
        reasoning: result.usage.reasoningTokens,
        estimated: result.usage.estimated,
      });
      assert.equal(r.cost?.total, result.cost?.total);
      assert.equal(r.latencyMs, Math.round(result.latencyMs * 1000) / 1000);
      assert.equal(r.errorKind, null);
      assert.equal(r.promptHash, hash);
      assert.equal(r.prompt, undefined, 'the prompt text is kept only when includePrompts is on');
      const t = Date.parse(r.time);
      assert.ok(t >= t0 && t <= t1, `record time ${r.time} outside the run`);
    }
    const text = historyText(dir);
    assert.ok(!text.includes(keys.openai) && !text.includes(keys.anthropic), 'an API key is in the history');
    // Only this run's records: another suite may have kept prompts at rest with includePrompts on.
    assert.equal(JSON.stringify(added).includes('Good morning'), false, 'the prompt text is in the history');
  });

  it('records answer-cache hits as such', async () => {
    await profileTranslate(true); // fills the answer cache
    const before = historyLines(dir).length;
    const { summary } = await profileTranslate(false);
    assert.deepEqual(
      summary.results.map((r) => r.cacheHit),
      [true, true],
    );
    assert.equal((await fake.generations()).length, 0);
    const added = historyLines(dir).slice(before);
    assert.deepEqual(added.map((r) => [r.model, r.cacheHit, r.ok]).sort(), [
      [HAIKU, true, true],
      [GPT, true, true],
    ].sort());
  });

  it('records failed calls with their error kind, never the provider message', async () => {
    const before = historyLines(dir).length;
    await fake.reset();
    await fake.scenario({ kind: 'http_error', status: 400, model: 'gpt-4o-mini', message: 'secret-looking provider message' });
    const editor = await openFixture('notes.md');
    selectLine(editor, 'Translate');
    const summary = await profile(true);
    assert.equal(summary.results.find((r) => r.modelId === GPT)?.ok, false);
    const added = historyLines(dir).slice(before);
    assert.equal(added.length, 2);
    const failed = added.find((r) => r.model === GPT)!;
    assert.equal(failed.ok, false);
    assert.equal(failed.errorKind, 'bad_request');
    assert.ok(!historyText(dir).includes('secret-looking provider message'));
  });

  it('keeps the prompt text only when promptProfiler.history.includePrompts is on', async () => {
    await setSetting('history.includePrompts', true);
    await waitFor('includePrompts', () => api.services.config.value.history.includePrompts);
    const before = historyLines(dir).length;
    await profileTranslate(true);
    const added = historyLines(dir).slice(before);
    assert.equal(added.length, 2);
    for (const r of added) assert.equal(r.prompt, `user: ${TRANSLATE}`);
    await setSetting('history.includePrompts', false);
    await waitFor('includePrompts off', () => !api.services.config.value.history.includePrompts);
  });

  it('records nothing while promptProfiler.history.enabled is off', async () => {
    await setSetting('history.enabled', false);
    await waitFor('history disabled', () => !api.services.config.value.history.enabled);
    const before = historyLines(dir).length;
    await profileTranslate(true);
    assert.equal(historyLines(dir).length, before);
    await setSetting('history.enabled', true);
    await waitFor('history enabled', () => api.services.config.value.history.enabled);
  });
});
