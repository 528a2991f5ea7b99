// Panel states shared by the webview tests.

import { decide } from '../../src/core/analysis/decide';
import { newColumn } from '../../src/webview/state';
import type { AnalysisView, ColumnState, DecisionOption, ModelView, PanelState, Requirements } from '../../src/webview/protocol';

export function column(index: number, over: Partial<ColumnState>): ColumnState {
  return { ...newColumn(index, 'openai:gpt-4o-mini', 0), ...over };
}

export const OPENAI_COST = {
  total: 0.0005238,
  input: 0.0001238,
  cacheRead: 0,
  cacheWrite: 0,
  output: 0.0004,
  batch: false,
  provenance: '@pydantic/genai-prices 0.1.8 (data 2026-10-30) · OpenAI · GPT-4o mini',
};

/** The start of a 3-model run: everything queued. */
export function startState(runId = 7): PanelState {
  return {
    runId,
    promptPreview: 'Explain the CAP theorem in two short paragraphs.',
    running: true,
    columns: [
      column(0, { modelId: 'openai:gpt-4o-mini', provider: 'openai', model: 'gpt-4o-mini' }),
      column(1, { modelId: 'ollama:llama3.2', provider: 'ollama', model: 'llama3.2' }),
      column(2, { modelId: 'anthropic:claude-haiku-4-5', provider: 'anthropic', model: 'claude-haiku-4-5' }),
    ],
    summary: { cheapest: null, fastest: null, totalSpent: 0, wallMs: null },
  };
}

const LONG_ANSWER = `## Consistency vs availability

The **CAP theorem** says a distributed store facing a network *partition* must choose between
consistency and availability.

| Property | Meaning | Keeps working in a partition |
| :-- | :-: | --: |
| C | every read sees the latest write | no |
| A | every request gets an answer | yes |

\`\`\`ts
const quorum = Math.floor(n / 2) + 1;
\`\`\`

- CP systems refuse requests they cannot make consistent.
- AP systems answer, and reconcile later.
`;

/** A 4-column state for the screenshots: done, cache hit without price, error with partial output, streaming. */
export function screenshotState(): PanelState {
  return {
    runId: 8,
    promptPreview: 'Explain the CAP theorem in two short paragraphs.',
    running: true,
    columns: [
      column(0, {
        status: 'done',
        output: LONG_ANSWER,
        elapsedMs: 2340,
        latencyMs: 2340,
        ttftMs: 412,
        outputTokensPerSec: 87.4,
        inputTokens: 1234,
        outputTokens: 567,
        cacheReadTokens: 1024,
        cacheWriteTokens: 0,
        cost: OPENAI_COST,
      }),
      column(1, {
        modelId: 'ollama:llama3.2',
        provider: 'ollama',
        model: 'llama3.2',
        status: 'done',
        cacheHit: true,
        usageEstimated: true,
        output: 'Under a **partition**, pick two of three: consistency, availability, partition tolerance.',
        elapsedMs: 15,
        latencyMs: 15,
        ttftMs: 9,
        outputTokensPerSec: 1820,
        inputTokens: 1240,
        outputTokens: 31,
      }),
      column(2, {
        modelId: 'anthropic:claude-haiku-4-5',
        provider: 'anthropic',
        model: 'claude-haiku-4-5',
        status: 'error',
        output: 'The CAP theorem, stated by Eric Brewer, concerns',
        elapsedMs: 830,
        ttftMs: 350,
        error: { kind: 'rate_limit', message: '429 Too Many Requests: retry after 20 s' },
      }),
      column(3, {
        modelId: 'openai:gpt-4o-mini',
        repeat: 1,
        status: 'streaming',
        output: 'Partitions are unavoidable in practice, so the real choice is between',
        elapsedMs: 1200,
        ttftMs: 380,
        outputTokensPerSec: 64.2,
        inputTokens: 1234,
        outputTokens: 14,
      }),
    ],
    summary: {
      cheapest: { modelId: 'openai:gpt-4o-mini', total: 0.0005238 },
      fastest: { modelId: 'ollama:llama3.2', latencyMs: 15 },
      totalSpent: null,
      wallMs: null,
    },
  };
}

/** CSS variables VS Code sets on <html>, close to Dark Modern, Light Modern and Dark High Contrast. */
export const THEMES: Record<'dark' | 'light' | 'hc', { bodyClass: string; vars: Record<string, string> }> = {
  dark: {
    bodyClass: 'vscode-dark',
    vars: {
      'editor-background': '#1f1f1f',
      foreground: '#cccccc',
      descriptionForeground: '#9d9d9d',
      'panel-border': '#2b2b2b',
      'sideBar-background': '#181818',
      'button-background': '#0078d4',
      'button-foreground': '#ffffff',
      'button-hoverBackground': '#026ec1',
      'button-border': '#ffffff12',
      'button-secondaryBackground': '#313131',
      'button-secondaryForeground': '#cccccc',
      'badge-background': '#616161',
      'badge-foreground': '#f8f8f8',
      errorForeground: '#f85149',
      focusBorder: '#0078d4',
      'textLink-foreground': '#4daafc',
      'textCodeBlock-background': '#2b2b2b',
      'inputValidation-errorBackground': '#5a1d1d',
      'inputValidation-errorBorder': '#be1100',
      'editorWarning-foreground': '#cca700',
      'charts-blue': '#3794ff',
      'charts-green': '#89d185',
    },
  },
  light: {
    bodyClass: 'vscode-light',
    vars: {
      'editor-background': '#ffffff',
      foreground: '#3b3b3b',
      descriptionForeground: '#717171',
      'panel-border': '#e5e5e5',
      'sideBar-background': '#f8f8f8',
      'button-background': '#005fb8',
      'button-foreground': '#ffffff',
      'button-hoverBackground': '#0258a8',
      'button-border': '#0000001a',
      'button-secondaryBackground': '#e5e5e5',
      'button-secondaryForeground': '#3b3b3b',
      'badge-background': '#cccccc',
      'badge-foreground': '#3b3b3b',
      errorForeground: '#f85149',
      focusBorder: '#005fb8',
      'textLink-foreground': '#005fb8',
      'textCodeBlock-background': '#f3f3f3',
      'inputValidation-errorBackground': '#f2dede',
      'inputValidation-errorBorder': '#be1100',
      'editorWarning-foreground': '#bf8803',
      'charts-blue': '#1a85ff',
      'charts-green': '#388a34',
    },
  },
  hc: {
    bodyClass: 'vscode-high-contrast',
    vars: {
      'editor-background': '#000000',
      foreground: '#ffffff',
      descriptionForeground: '#ffffff',
      contrastBorder: '#6fc3df',
      'panel-border': '#6fc3df',
      'button-background': '#000000',
      'button-foreground': '#ffffff',
      'button-border': '#6fc3df',
      'button-secondaryBackground': '#000000',
      'button-secondaryForeground': '#ffffff',
      'badge-background': '#000000',
      'badge-foreground': '#ffffff',
      errorForeground: '#f48771',
      focusBorder: '#f38518',
      'textLink-foreground': '#21a6ff',
      'textCodeBlock-background': '#000000',
      'inputValidation-errorBackground': '#000000',
      'inputValidation-errorBorder': '#f48771',
      'editorWarning-foreground': '#ffd370',
      'charts-blue': '#3794ff',
      'charts-green': '#89d185',
    },
  },
};

// ---- Decide ------------------------------------------------------------------------------------

/** The seed's six options (issue 5), as the host would post them: p95 s, USD per 1k, quality. */
const SEED: [id: string, name: string, kind: DecisionOption['kind'], p95: number, cost: number, quality: number, model: string][] = [
  ['openai:gpt-4', 'GPT-4 no caching', 'as-is', 2.5, 10.0, 0.92, 'openai:gpt-4'],
  ['openai:gpt-3.5-turbo', 'GPT-3.5 no caching', 'as-is', 0.8, 2.0, 0.78, 'openai:gpt-3.5-turbo'],
  ['openai:gpt-3.5-turbo|answer-cache', 'GPT-3.5 + caching', 'answer-cache', 0.6, 1.2, 0.78, 'openai:gpt-3.5-turbo'],
  ['openai:gpt-3.5-turbo|prompt-cache', 'GPT-3.5 + caching + prompt eng', 'prompt-cache', 0.7, 1.3, 0.85, 'openai:gpt-3.5-turbo'],
  ['openai:gpt-4|answer-cache', 'GPT-4 + caching', 'answer-cache', 2.0, 6.0, 0.92, 'openai:gpt-4'],
  ['openai:gpt-4-turbo|answer-cache', 'GPT-4-turbo + caching', 'answer-cache', 1.2, 4.0, 0.9, 'openai:gpt-4-turbo'],
];

export const SEED_LIMITS: Requirements = { maxLatencyS: 1.0, maxCostPer1k: 5.0, minQuality: 0.85 };

export function seedOptions(): DecisionOption[] {
  const options: DecisionOption[] = SEED.map(([id, name, kind, p95, cost, quality, model]) => ({
    id,
    name,
    kind,
    models: [model],
    available: true,
    costPer1k: cost,
    latency: { p50: +(p95 * 0.8).toFixed(2), p95, p99: p95, n: 3, source: kind === 'answer-cache' ? 'mixture' : 'measured', detail: '3 runs' },
    quality: { value: quality, source: 'judge', n: 3, detail: 'judge openai:gpt-4o (3 answers)' },
    notes: [],
  }));
  options.push({
    id: 'openai:gpt-4|batch',
    name: 'openai:gpt-4 via Batch API',
    kind: 'batch',
    models: ['openai:gpt-4'],
    available: false,
    reason: 'no known Batch API price for this provider',
    costPer1k: null,
    latency: null,
    quality: null,
    notes: [],
  });
  return options;
}

function modelView(modelId: string, costPer1k: number, q: number, rating: number | null = null): ModelView {
  return {
    modelId,
    runs: 3,
    ok: 3,
    failed: 0,
    answerCacheHits: 0,
    latency: { p50: 1, p95: 1.2, p99: 1.2, n: 3 },
    ttft: { p50: 0.3, p95: 0.4, p99: 0.4, n: 3 },
    waits: { queuedP95Ms: 850, retried: 1, retryWaitP95Ms: 2000 },
    costPer1k,
    quality: { value: q, source: 'judge', n: 3, detail: 'judge openai:gpt-4o (3 answers)' },
    judge: { value: q, n: 3 },
    rating,
    promptCache: null,
  };
}

export function seedAnalysis(runId: number, requirements: Requirements = SEED_LIMITS): AnalysisView {
  const options = seedOptions();
  return {
    runId,
    status: 'ready',
    message: null,
    options,
    decision: decide(options, requirements),
    requirements,
    models: [modelView('openai:gpt-4', 10, 0.92), modelView('openai:gpt-3.5-turbo', 2, 0.78), modelView('openai:gpt-4-turbo', 4.4, 0.9)],
    judge: { model: 'openai:gpt-4o', customRubric: false, withReference: false, scored: 9, unscored: 0, costUsd: 0.0123, costPerJudgementUsd: 0.00137, firstError: null },
    reference: null,
    assumptions: { answerCacheHitRate: 0.3, hitRateSource: 'setting', hitRateDetail: 'from settings', batchCompletionS: 86400, callsPerCacheWindow: 10, cascadeThreshold: 0.7, judgeModel: 'openai:gpt-4o' },
    promptCache: { state: 'idle', calls: 6 },
    routing: {
      routes: [
        { task: 'classification', tier: 'cheap', modelId: 'openai:gpt-4o-mini', fromSettings: false },
        { task: 'reasoning', tier: null, modelId: 'openai:gpt-4', fromSettings: true },
      ],
      problems: [],
    },
  };
}

/** A long answer with every kind of block a model writes, for the incremental-rendering tests. */
export const STRUCTURED_ANSWER = `## Trade-offs

The **CAP theorem** says a distributed store facing a *partition* must choose.
A second line of the same paragraph, with \`inline code\` and a [link](https://example.com).

1. Consistency: every read sees the latest write.
2. Availability: every request gets an answer.
3. Partition tolerance: the system survives lost messages.

- one bullet
- another bullet

\`\`\`ts
const quorum = Math.floor(n / 2) + 1;
if (acks < quorum) throw new Error('not committed');
\`\`\`

> A quoted remark
> over two lines.

| system | choice |
|---|:-:|
| Spanner | CP |
| Dynamo | AP |

Last paragraph before the next round.

`;
