// Plan Prompt Caching: the plan for the prompt (stable prefix, variable part, minimum, TTL,
// economics) as a read-only Markdown report, and Verify: two real calls through the fake
// server's prompt-cache simulation, the reported cache reads beside the predicted ones.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { PromptProfilerApi } from '../../src/extension/extension';
import type { PlanOutcome } from '../../src/extension/planner/planPromptCache';
import { GPT, HAIKU, fake, getApi, openFixture, restoreSettings, useModels, workspaceUri } from './helpers';

// A long static system prompt (well over OpenAI's 1,024-token minimum), then the variable question.
const RULES = Array.from(
  { length: 60 },
  (_, i) => `Rule ${i + 1}: when a customer asks about the ${['billing', 'shipping', 'returns', 'warranty', 'accounts'][i % 5]} policy, answer politely, cite the relevant section, and never invent facts that are not in the handbook.`,
).join('\n');
const PROMPT = `system:\nYou are the support assistant of a small online shop.\n${RULES}\n\nuser:\nCustomer question: {{question}}\n`;

describe('prompt-cache planner', function () {
  this.timeout(90_000);
  let api: PromptProfilerApi;

  before(async () => {
    api = await getApi();
    await useModels(api, [GPT, HAIKU]);
    fs.writeFileSync(workspaceUri('cache-plan.prompt').fsPath, PROMPT);
  });
  after(async () => {
    await restoreSettings();
    fs.rmSync(workspaceUri('cache-plan.prompt').fsPath, { force: true });
  });

  it('plans the open prompt for the first configured model and shows the report', async () => {
    await openFixture('cache-plan.prompt');
    const outcome = await vscode.commands.executeCommand<PlanOutcome>('promptProfiler.planPromptCache');
    assert.ok(outcome, 'Plan Prompt Caching returned nothing');
    const plan = outcome.plan;
    assert.equal(plan.modelId, GPT);
    assert.equal(plan.vendor, 'openai');
    assert.equal(plan.automatic, true);
    assert.equal(plan.minCacheableTokens, 1024);
    assert.ok(plan.stablePrefix.cacheable && plan.stablePrefix.tokens > 1024, `prefix ${plan.stablePrefix.tokens}`);
    assert.deepEqual(plan.variablePart.variables, ['question']);
    assert.ok(plan.economics, 'no economics');
    const doc = api.reports.get(outcome.document)!;
    assert.match(doc, /^# Prompt cache plan: openai:gpt-4o-mini/);
    for (const part of ['Stable prefix', 'Variable part', 'Minimum cacheable length', '1,024 tokens', 'Break-even', 'Saving /hour', '{{question}}']) {
      assert.ok(doc.includes(part), `the report lacks "${part}"`);
    }
  });

  it('Verify: two real calls, the reported cache reads equal the predicted ones', async () => {
    await fake.reset();
    const outcome = (await vscode.commands.executeCommand<PlanOutcome>('promptProfiler.planPromptCache', { file: 'cache-plan.prompt', model: GPT, verify: true, show: false }))!;
    const v = outcome.verification;
    assert.ok(v, 'no verification');
    assert.equal(v.ok, true, v.summary);
    const gens = await fake.generations();
    assert.equal(gens.length, 2, 'Verify makes exactly two calls');
    const predicted = outcome.plan.prediction.repeatCall.cacheReadTokens;
    assert.ok(predicted >= 1024 && predicted % 128 === 0, `predicted ${predicted}`);
    assert.equal(v.reported.firstCall.cacheReadTokens, 0);
    assert.equal(v.reported.repeatCall.cacheReadTokens, predicted);
    assert.equal(v.readDifference, 0);
    const usage = gens[1].usage as { prompt_tokens_details?: { cached_tokens?: number } };
    assert.equal(usage.prompt_tokens_details?.cached_tokens, predicted, 'what the server reported');
    const doc = api.reports.get(outcome.document)!;
    assert.ok(doc.includes('## Verify: predicted vs reported'), doc);
    assert.ok(doc.includes(`| Call 2: cache read | ${predicted.toLocaleString('en-US')} | ${predicted.toLocaleString('en-US')} | 0 |`), doc);
  });

  it('plans for Anthropic with cache_control breakpoints and both TTLs', async () => {
    const outcome = (await vscode.commands.executeCommand<PlanOutcome>('promptProfiler.planPromptCache', { file: 'cache-plan.prompt', model: 'anthropic:claude-sonnet-4-5', show: false }))!;
    const plan = outcome.plan;
    assert.equal(plan.vendor, 'anthropic');
    assert.equal(plan.automatic, false);
    assert.ok(plan.breakpoints.length >= 1 && plan.breakpoints.length <= 4, JSON.stringify(plan.breakpoints));
    assert.deepEqual(
      plan.economics?.options.map((o) => o.ttl),
      ['5m', '1h'],
    );
    const doc = api.reports.get(outcome.document)!;
    assert.ok(doc.includes('## Where to put `cache_control`'), doc);
  });
});
