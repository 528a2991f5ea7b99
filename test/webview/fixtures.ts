// Panel states shared by the webview tests.

import type { ColumnState, PanelState } from '../../src/webview/protocol';

export function column(index: number, over: Partial<ColumnState>): ColumnState {
  return {
    index,
    modelId: 'openai:gpt-4o-mini',
    provider: 'openai',
    model: 'gpt-4o-mini',
    repeat: 0,
    status: 'queued',
    output: '',
    cacheHit: false,
    elapsedMs: 0,
    ttftMs: null,
    latencyMs: null,
    outputTokensPerSec: null,
    inputTokens: null,
    outputTokens: null,
    cacheReadTokens: null,
    cacheWriteTokens: null,
    usageEstimated: false,
    cost: null,
    error: null,
    ...over,
  };
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
