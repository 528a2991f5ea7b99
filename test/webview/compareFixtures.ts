// Runs of 2, 5 and 12 models for the comparison table's tests: known figures per model, with a
// failure, a model without a price, a truncated answer and an answer-cache hit among them.

import type { FinishReason } from '../../src/core/types';
import type { ColumnState, PanelState } from '../../src/webview/protocol';
import { newColumn } from '../../src/webview/state';

export interface ModelRun {
  modelId: string;
  status: 'done' | 'error';
  ttftMs: number | null;
  latencyMs: number;
  rate: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  /** USD per call; null = no price. */
  cost: number | null;
  finish: FinishReason | null;
  cacheHit?: boolean;
  error?: { kind: string; message: string };
  output: string;
}

const A = 'The quick brown fox jumps over the lazy dog.';
const B = 'The quick red fox leaps over the lazy cat.';

/** In run order. The first five are the 5-model run, the first two the 2-model run. */
export const MODEL_RUNS: ModelRun[] = [
  { modelId: 'openai:gpt-4o-mini', status: 'done', ttftMs: 412, latencyMs: 2340, rate: 87.4, inputTokens: 1234, outputTokens: 567, cost: 0.0005238, finish: 'stop', output: A },
  { modelId: '@team:llama_3', status: 'done', ttftMs: 350, latencyMs: 1980, rate: 120.5, inputTokens: 1240, outputTokens: 610, cost: 0.00329, finish: 'stop', output: B },
  { modelId: 'openai:gpt-4o', status: 'done', ttftMs: 520, latencyMs: 3100, rate: 64.2, inputTokens: 1234, outputTokens: 702, cost: 0.01012, finish: 'stop', output: 'GPT-4o says: pick two of three.' },
  { modelId: 'ollama:llama3.2', status: 'done', ttftMs: 90, latencyMs: 4200, rate: 31, inputTokens: 1250, outputTokens: 480, cost: null, finish: 'stop', output: 'Llama: consistency or availability.' },
  {
    modelId: 'openai:gpt-4.1-nano',
    status: 'error',
    ttftMs: 300,
    latencyMs: 830,
    rate: null,
    inputTokens: null,
    outputTokens: null,
    cost: null,
    finish: null,
    error: { kind: 'rate_limit', message: '429 Too Many Requests: retry after 20 s' },
    output: 'The CAP theorem, stated by',
  },
  { modelId: 'anthropic:claude-sonnet-4-5', status: 'done', ttftMs: 610, latencyMs: 5200, rate: 55.8, inputTokens: 1240, outputTokens: 1024, cost: 0.01908, finish: 'length', output: 'Sonnet: a long answer cut at the limit' },
  { modelId: 'openai:gpt-4.1-mini', status: 'done', ttftMs: 9, latencyMs: 15, rate: 1820, inputTokens: 1234, outputTokens: 390, cost: 0.0011176, finish: 'stop', cacheHit: true, output: 'From the cache.' },
  { modelId: 'openai:gpt-4.1', status: 'done', ttftMs: 280, latencyMs: 1750, rate: 98.1, inputTokens: 1234, outputTokens: 455, cost: 0.006108, finish: 'stop', output: 'GPT-4.1 answer.' },
  { modelId: 'anthropic:claude-haiku-4-5', status: 'done', ttftMs: 330, latencyMs: 1620, rate: 133.7, inputTokens: 1240, outputTokens: 512, cost: 0.0038, finish: 'stop', output: 'Haiku answer.' },
  { modelId: 'openrouter:mistral-small', status: 'done', ttftMs: 240, latencyMs: 1410, rate: 150.2, inputTokens: 1260, outputTokens: 430, cost: 0.000255, finish: 'stop', output: 'Mistral answer.' },
  { modelId: 'openrouter:deepseek-chat', status: 'done', ttftMs: 700, latencyMs: 6100, rate: 42.9, inputTokens: 1255, outputTokens: 800, cost: 0.000977, finish: 'stop', output: 'DeepSeek answer.' },
  { modelId: 'ollama:qwen2.5', status: 'done', ttftMs: 120, latencyMs: 2900, rate: 48.4, inputTokens: 1262, outputTokens: 520, cost: null, finish: 'stop', output: 'Qwen answer.' },
];

export const DIFF_A = A;
export const DIFF_B = B;

function costView(total: number) {
  return { total, input: total * 0.3, cacheRead: 0, cacheWrite: 0, output: total * 0.7, batch: false, provenance: 'test prices' };
}

export function runColumn(index: number, m: ModelRun, repeat = 0): ColumnState {
  return {
    ...newColumn(index, m.modelId, repeat),
    status: m.status,
    output: m.output,
    cacheHit: m.cacheHit ?? false,
    elapsedMs: m.latencyMs,
    ttftMs: m.ttftMs,
    latencyMs: m.latencyMs,
    outputTokensPerSec: m.rate,
    inputTokens: m.inputTokens,
    outputTokens: m.outputTokens,
    cacheReadTokens: m.inputTokens === null ? null : 0,
    cacheWriteTokens: m.inputTokens === null ? null : 0,
    cost: m.cost === null ? null : costView(m.cost),
    error: m.error ?? null,
    finishReason: m.finish,
  };
}

/** A finished run of the first `n` models. */
export function compareState(n: number, runId = 100 + n): PanelState {
  const runs = MODEL_RUNS.slice(0, n);
  return {
    runId,
    promptPreview: 'Explain the CAP theorem in two short paragraphs.',
    running: false,
    columns: runs.map((m, i) => runColumn(i, m)),
    summary: { cheapest: null, fastest: null, totalSpent: null, wallMs: 6200 },
  };
}
