// Shared helpers of the integration tests (not a *.test.ts file: bundled through the imports).
// Everything runs inside VS Code's extension host; the fake LLM server (test/fake-llm) is driven
// through its admin HTTP API at PROMPT_PROFILER_FAKE_LLM_URL. Expected values are computed here
// independently of the engine: js-tiktoken (not the engine's gpt-tokenizer), OpenAI's chat
// framing, the fake server's documented Claude count rule, and list prices per million tokens.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Tiktoken } from 'js-tiktoken/lite';
import o200kRanks from 'js-tiktoken/ranks/o200k_base';
import * as vscode from 'vscode';
import type { HistoryRecord } from '../../src/core/history';
import type { RunSummary } from '../../src/core/run';
import type { DashboardPanel } from '../../src/extension/dashboard/dashboardPanel';
import type { PromptProfilerApi } from '../../src/extension/extension';
import type { ProfilePanel } from '../../src/extension/panel/profilePanel';
import type { HostToDashboard } from '../../src/webview/dashboard/protocol';
import type { ColumnState, HostToWebview, PanelState } from '../../src/webview/protocol';
import { applyMessage } from '../../src/webview/state';
import type { ModelProfile, RecordedRequest, Scenario } from '../fake-llm/types';

export const EXTENSION_ID = 'prompt-profiler.prompt-profiler';
export const GPT = 'openai:gpt-4o-mini';
export const HAIKU = 'anthropic:claude-haiku-4-5';

function env(name: string): string {
  const v = process.env[name];
  assert.ok(v, `${name} is not set in the extension host: run the suite through test/vscode/run.mjs`);
  return v;
}

/** The test keys the runner passes to the extension host. */
export const keys = {
  get openai(): string {
    return env('OPENAI_API_KEY');
  },
  get anthropic(): string {
    return env('ANTHROPIC_API_KEY');
  },
};

export async function getApi(): Promise<PromptProfilerApi> {
  const ext = vscode.extensions.getExtension<PromptProfilerApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not installed`);
  const api = await ext.activate();
  assert.ok(api?.services, 'activate() did not return the test API');
  return api;
}

// ---- time ---------------------------------------------------------------------------------------

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls until `check` returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 15_000, everyMs = 50): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await sleep(everyMs);
  }
}

// ---- the fake LLM server ------------------------------------------------------------------------

async function admin<T>(method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${env('PROMPT_PROFILER_FAKE_LLM_URL')}${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.equal(res.status, 200, `fake LLM admin ${method} ${route}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

export const fake = {
  get url(): string {
    return env('PROMPT_PROFILER_FAKE_LLM_URL');
  },
  reset: () => admin('POST', '/__admin/reset'),
  /** Recorded API requests (credentials redacted by the server). */
  requests: () => admin<RecordedRequest[]>('GET', '/__admin/requests'),
  /** Generation requests only (not count_tokens). */
  generations: async () => (await fake.requests()).filter((r) => r.route === 'openai.chat' || r.route === 'anthropic.messages'),
  scenario: (s: Scenario | Scenario[]) => admin('POST', '/__admin/scenario', s),
  clearScenarios: () => admin('DELETE', '/__admin/scenario'),
  profiles: (p: Record<string, ModelProfile>) => admin('POST', '/__admin/profiles', p),
};

/** A second local HTTP server that records every request (headers included) and answers 400. */
export interface Recorder {
  url: string;
  requests: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}

export async function startRecorder(): Promise<Recorder> {
  const requests: Recorder['requests'] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      // 400: no SDK retries; OpenAI's error shape (Anthropic's SDK reads any JSON error body).
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'recorder: not a real API', type: 'invalid_request_error' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---- tokens and prices (independent of the engine) ---------------------------------------------

const o200k = new Tiktoken(o200kRanks);

/** o200k_base tokens of a text, special-token strings counted as plain text. */
export function enc(text: string): number {
  return text ? o200k.encode(text, [], []).length : 0;
}

export interface Msg {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** OpenAI's chat rule: Σ (3 + role + content) + 3 for the reply priming. */
export function openaiPromptTokens(messages: Msg[]): number {
  return 3 + messages.reduce((n, m) => n + 3 + enc(m.role) + enc(m.content), 0);
}

/** The fake server's documented Claude rule (test/fake-llm/README.md, "Token counts"). */
export function claudePromptTokens(system: string | undefined, messages: Msg[]): number {
  return 3 + (system ? 3 + enc(system) : 0) + messages.reduce((n, m) => n + 3 + enc(m.content), 0);
}

/** List prices, USD per million tokens (input, output). */
export const PRICE: Record<string, { input: number; output: number }> = {
  [GPT]: { input: 0.15, output: 0.6 },
  [HAIKU]: { input: 1, output: 5 },
};

/** USD of a call without prompt caching, in exact integer pico-dollars, then divided once. */
export function expectedCost(modelId: string, inputTokens: number, outputTokens: number): number {
  const p = PRICE[modelId];
  assert.ok(p, `no list price in the test for ${modelId}`);
  const pico = inputTokens * Math.round(p.input * 1e6) + outputTokens * Math.round(p.output * 1e6);
  return pico / 1e12;
}

// ---- settings -----------------------------------------------------------------------------------

const touched: { key: string; target: vscode.ConfigurationTarget }[] = [];

/** Writes a promptProfiler.* setting (remembered for `restoreSettings`). */
export async function setSetting(key: string, value: unknown, target = vscode.ConfigurationTarget.Global): Promise<void> {
  await vscode.workspace.getConfiguration('promptProfiler').update(key, value, target);
  if (!touched.some((t) => t.key === key && t.target === target)) touched.push({ key, target });
}

/** Sets promptProfiler.models (user settings) and waits until the extension has read it. */
export async function useModels(api: PromptProfilerApi, models: string[]): Promise<void> {
  await setSetting('models', models);
  await waitFor(`promptProfiler.models = ${models.join(', ')}`, () => JSON.stringify(api.services.config.value.models) === JSON.stringify(models), 5000);
}

/** Removes every setting written through `setSetting`. */
export async function restoreSettings(): Promise<void> {
  for (const { key, target } of touched.splice(0)) {
    await vscode.workspace.getConfiguration('promptProfiler').update(key, undefined, target);
  }
}

// ---- editors ------------------------------------------------------------------------------------

export function workspaceUri(...segments: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace is not open');
  return vscode.Uri.joinPath(folder.uri, ...segments);
}

export async function openFixture(name: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(workspaceUri(name));
  return vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false, preserveFocus: false });
}

/** Selects the whole first line that starts with `start`; returns the selected text. */
export function selectLine(editor: vscode.TextEditor, start: string): string {
  const doc = editor.document;
  const line = Array.from({ length: doc.lineCount }, (_, i) => i).find((i) => doc.lineAt(i).text.startsWith(start));
  assert.ok(line !== undefined, `no line starting with ${JSON.stringify(start)} in ${doc.fileName}`);
  const l = doc.lineAt(line);
  editor.selection = new vscode.Selection(l.range.start, l.range.end);
  return l.text;
}

// ---- runs and the panel -------------------------------------------------------------------------

export async function profile(bypassCache = false): Promise<RunSummary> {
  const summary = await vscode.commands.executeCommand<RunSummary | undefined>(
    bypassCache ? 'promptProfiler.profilePromptBypassCache' : 'promptProfiler.profilePrompt',
  );
  assert.ok(summary, 'Profile Prompt returned no RunSummary (nothing was run)');
  return summary;
}

/**
 * What each panel posted, as it was when sent (snapshots: the live state keeps changing), kept by
 * the observer test/integration/index.ts injects through the API (`observePanelMessages`).
 */
const postedByPanel = new WeakMap<object, unknown[]>();

/** The observer the suite injects: it logs a copy of every message, per panel. */
export function logPanelMessage(panel: object, message: unknown): void {
  let log = postedByPanel.get(panel);
  if (!log) postedByPanel.set(panel, (log = []));
  log.push(structuredClone(message));
}

/** Every message the panel posted while the observer was injected, in order (none for no panel). */
export function posted(panel: ProfilePanel | undefined): HostToWebview[];
export function posted(panel: DashboardPanel | undefined): HostToDashboard[];
export function posted(panel: object | undefined): unknown[] {
  return (panel && postedByPanel.get(panel)) || [];
}

/** Opens the panel (if needed) and waits for the webview's `ready` handshake. */
export async function readyPanel(api: PromptProfilerApi) {
  return waitFor('the profile panel to be open and ready', () => (api.panel()?.isReady ? api.panel() : undefined), 30_000);
}

/** What the webview holds after applying these messages in order (its own reducer). */
export function replay(messages: HostToWebview[]): PanelState | undefined {
  let state: PanelState | undefined;
  for (const m of structuredClone(messages)) {
    const applied = applyMessage(state, m);
    if (applied.kind !== 'ignored') state = applied.state;
  }
  return state;
}

/** The posted messages from index `from` on, replayed; the final state of the run. */
export function finalPanelState(api: PromptProfilerApi, from = 0): PanelState {
  const panel = api.panel();
  assert.ok(panel, 'no profile panel is open');
  const state = replay(posted(panel).slice(from));
  assert.ok(state, 'the panel posted no state');
  return state;
}

export function column(state: PanelState, modelId: string): ColumnState {
  const c = state.columns.find((col) => col.modelId === modelId);
  assert.ok(c, `no column for ${modelId} in ${state.columns.map((x) => x.modelId).join(', ')}`);
  return c;
}

// ---- files ----------------------------------------------------------------------------------------

/** Every file under `dir` (recursively); [] when it does not exist. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .map((f) => path.join(dir, f))
    .filter((f) => fs.statSync(f).isFile());
}

/** Every record of the history files under `dir`, parsed here line by line (not through HistoryLog). */
export function historyOnDisk(dir: string): HistoryRecord[] {
  return filesUnder(dir)
    .filter((f) => /calls-\d{4}-\d{2}(\.\d+)?\.jsonl$/.test(f))
    .flatMap((f) =>
      fs
        .readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as HistoryRecord),
    );
}

/** Replaces a `vscode.window` function for one test; fails loudly if the API object is not shared. */
export function stubWindow<K extends keyof typeof vscode.window>(name: K, impl: (typeof vscode.window)[K]): () => void {
  const w = vscode.window as unknown as Record<string, unknown>;
  const original = w[name];
  w[name] = impl;
  assert.equal(w[name], impl, `vscode.window.${String(name)} cannot be replaced in this VS Code`);
  return () => {
    w[name] = original;
  };
}

/** Records every warning message of one test, each answered as dismissed (undefined). */
export function recordWarnings(): { messages: string[]; restore: () => void } {
  const messages: string[] = [];
  const restore = stubWindow('showWarningMessage', (async (message: string) => {
    messages.push(message);
    return undefined;
  }) as typeof vscode.window.showWarningMessage);
  return { messages, restore };
}
