// Provider `vscode`: the models VS Code already has (Copilot's, or any extension's) through its
// Language Model API, behind the core's Provider interface. Model ids are
// `vscode:<vendor>/<family>`. The API has no system role, so a system prompt goes first as a
// user message (the panel says so); it has no standard temperature or max-tokens fields, so those
// are not sent. Tokens come from `model.countTokens`, exact for that model.
import * as vscode from 'vscode';
import { VSCODE_PROVIDER } from '../../core/engine';
import { formatUsd } from '../../core/format';
import { estimateUsageLocally } from '../../core/providers/estimate';
import type { ChatRequest, ErrorKind, Provider, ProviderConfig, ProviderError, StreamEvent, TokenCount, Usage } from '../../core/types';
import { emptyUsage } from '../../core/types';
import { SUBSCRIPTION_PRICE_LABEL } from '../../webview/protocol';

export const VSCODE_COUNT_METHOD = 'VS Code countTokens';
export const SYSTEM_AS_USER_NOTE = 'The Language Model API has no system role: the system prompt was sent as the first user message.';

/** One model VS Code offers, as Select Models lists it. */
export interface VsCodeModelInfo {
  /** `vscode:<vendor>/<family>`. */
  id: string;
  name: string;
  vendor: string;
  family: string;
  maxInputTokens: number;
}

export function isVsCodeModel(modelId: string): boolean {
  return modelId.startsWith(`${VSCODE_PROVIDER}:`);
}

/** A cost for hovers, CodeLens, the status bar and pickers: a VS Code model without a price is on a subscription, never "$0". */
export function formatModelCost(modelId: string, usd: number | null | undefined): string {
  return usd == null && isVsCodeModel(modelId) ? SUBSCRIPTION_PRICE_LABEL : formatUsd(usd);
}

/** The error kinds after which picking another model is the way on. */
export const SELECT_MODELS_HELPS: readonly ErrorKind[] = ['auth', 'config'];

class LmProblem extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export function vscodeModelId(model: Pick<vscode.LanguageModelChat, 'vendor' | 'family'>): string {
  return `${VSCODE_PROVIDER}:${model.vendor}/${model.family}`;
}

/** Every model VS Code offers now, one per vendor/family. */
export async function listVsCodeModels(): Promise<VsCodeModelInfo[]> {
  const seen = new Map<string, VsCodeModelInfo>();
  for (const m of await vscode.lm.selectChatModels()) {
    const id = vscodeModelId(m);
    if (!seen.has(id)) seen.set(id, { id, name: m.name, vendor: m.vendor, family: m.family, maxInputTokens: m.maxInputTokens });
  }
  return [...seen.values()];
}

/** The request as Language Model API messages: the system prompt first, as a user message. */
export function toLmMessages(request: Pick<ChatRequest, 'system' | 'messages'>): vscode.LanguageModelChatMessage[] {
  const out: vscode.LanguageModelChatMessage[] = [];
  if (request.system) out.push(vscode.LanguageModelChatMessage.User(request.system));
  for (const m of request.messages) {
    out.push(m.role === 'assistant' ? vscode.LanguageModelChatMessage.Assistant(m.content) : vscode.LanguageModelChatMessage.User(m.content));
  }
  return out;
}

export class VsCodeLmProvider implements Provider {
  readonly config: ProviderConfig = { name: VSCODE_PROVIDER, type: 'vscode' };

  async *stream(request: ChatRequest, signal?: AbortSignal): AsyncIterable<StreamEvent> {
    // VS Code's cancellation, bridged from the run's AbortSignal (Stop, panel closed).
    const cts = new vscode.CancellationTokenSource();
    const cancel = () => cts.cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    if (signal?.aborted) cts.cancel();
    let model: vscode.LanguageModelChat | undefined;
    let started = false;
    let output = '';
    const messages = toLmMessages(request);
    try {
      model = await selectModel(request.model);
      const response = await model.sendRequest(
        messages,
        { justification: 'Prompt Profiler sends the prompt you profile to this model to measure its answer, speed and tokens.' },
        cts.token,
      );
      started = true;
      for await (const text of response.text) {
        if (signal?.aborted) break;
        if (text) {
          output += text;
          yield { type: 'text', text };
        }
      }
      if (signal?.aborted) throw new vscode.CancellationError();
      // The answer is complete here; counting its tokens is not the model's time.
      yield { type: 'finish', reason: 'stop' };
      yield { type: 'usage', usage: await countUsage(model, request, messages, output) };
    } catch (e) {
      // Only a partial answer shows the prompt was taken in; a refusal before any text used nothing we can count.
      if (output && model) yield { type: 'usage', usage: await countUsage(model, request, messages, output) };
      yield { type: 'error', error: toProviderError(e, request.model, started, signal) };
    } finally {
      signal?.removeEventListener('abort', cancel);
      cts.dispose();
    }
  }

  async countTokens(request: ChatRequest): Promise<TokenCount> {
    const model = await selectModel(request.model);
    return { tokens: await countMessages(model, toLmMessages(request)), estimated: false, method: VSCODE_COUNT_METHOD };
  }
}

/** `vendor/family` → the first model VS Code has for it, or a problem saying what there is. */
async function selectModel(vendorFamily: string): Promise<vscode.LanguageModelChat> {
  const slash = vendorFamily.indexOf('/');
  if (slash <= 0 || slash === vendorFamily.length - 1) {
    throw new LmProblem('config', `"vscode:${vendorFamily}" must look like vscode:<vendor>/<family> (for example vscode:copilot/gpt-4o).`);
  }
  const vendor = vendorFamily.slice(0, slash);
  const family = vendorFamily.slice(slash + 1);
  const [model] = await vscode.lm.selectChatModels({ vendor, family });
  if (model) return model;
  const all = await listVsCodeModels();
  if (!all.length) {
    throw new LmProblem(
      'config',
      'VS Code offers no language models: install and sign in to GitHub Copilot Chat (or another extension that provides models), then pick one with Select Models…',
    );
  }
  throw new LmProblem('config', `VS Code has no model ${vendor}/${family}. It offers ${all.map((m) => m.id).join(', ')}: pick one with Select Models…`);
}

async function countMessages(model: vscode.LanguageModelChat, messages: vscode.LanguageModelChatMessage[]): Promise<number> {
  const counts = await Promise.all(messages.map((m) => model.countTokens(m)));
  return counts.reduce((s, n) => s + n, 0);
}

/** Input and output tokens from `model.countTokens` (exact); a labelled local estimate if it fails. */
async function countUsage(
  model: vscode.LanguageModelChat,
  request: ChatRequest,
  messages: vscode.LanguageModelChatMessage[],
  output: string,
): Promise<Usage> {
  try {
    const [inputTokens, outputTokens] = await Promise.all([countMessages(model, messages), output ? model.countTokens(output) : 0]);
    return { ...emptyUsage(), inputTokens, outputTokens };
  } catch {
    return estimateUsageLocally(request, output);
  }
}

const QUOTA = /quota|rate.?limit|too many requests|exceeded/i;
const CONTEXT_LENGTH = /context[_ ]length|context window|too long|too many tokens|token limit/i;

function toProviderError(e: unknown, vendorFamily: string, started: boolean, signal?: AbortSignal): ProviderError {
  const make = (kind: ErrorKind, message: string): ProviderError => ({ kind, message });
  if (signal?.aborted || e instanceof vscode.CancellationError) return make('cancelled', 'Cancelled.');
  if (e instanceof LmProblem) return make(e.kind, e.message);
  const message = e instanceof Error ? e.message : String(e);
  const label = `vscode:${vendorFamily}`;
  const code = e instanceof vscode.LanguageModelError || (e as Error)?.name === 'LanguageModelError' ? (e as vscode.LanguageModelError).code : undefined;
  switch (code) {
    case vscode.LanguageModelError.NoPermissions.name:
      return make(
        'auth',
        `VS Code did not allow Prompt Profiler to use ${label}${message ? ` (${message})` : ''}. Allow it when VS Code asks, or pick another model with Select Models…`,
      );
    case vscode.LanguageModelError.Blocked.name:
      return make('rate_limit', `VS Code blocked the request to ${label} (a quota or rate limit, or too many requests)${message ? `: ${message}` : '.'}`);
    case vscode.LanguageModelError.NotFound.name:
      return make('config', `VS Code no longer has the model ${label}${message ? ` (${message})` : ''}: pick one with Select Models…`);
  }
  if (QUOTA.test(message)) return make('rate_limit', `${label}: quota or rate limit reached: ${message}`);
  if (CONTEXT_LENGTH.test(message)) return make('context_length', `${label}: the prompt does not fit the model's context window: ${message}`);
  return started ? make('stream_cut', `${label}: the answer broke off: ${message}`) : make('server', `${label}: ${message}`);
}
