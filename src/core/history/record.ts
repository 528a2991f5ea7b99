// One line of the call history: what a profiled call cost and how fast it was.
//
// Privacy: a record never holds an API key, a provider's error message (those can echo a
// masked key or the prompt) or the answer. The prompt is kept only as a sha256 hash, and its
// text only when the caller opts in (`includePrompt`), cut so that the record stays small.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../cache/key';
import type { RunResult } from '../run/runner';
import type { ChatMessage, ErrorKind, FinishReason } from '../types';
import { HISTORY_FORMAT_VERSION, MAX_RECORD_BYTES, type HistoryRecord } from './types';

const MAX_MODEL_CHARS = 200;
const MAX_LABEL_CHARS = 100;

/** The part of a prompt that is hashed (and, if allowed, kept as text). */
export interface HistoryPrompt {
  system?: string;
  messages: readonly ChatMessage[];
}

export interface RecordContext {
  /** When the call finished (ms since epoch); default now. */
  time?: number;
  prompt?: HistoryPrompt;
  /** Keep the prompt text in the record (default false: only its hash). */
  includePrompt?: boolean;
  runId?: string;
  source?: string;
}

/** sha256 hex of the prompt's canonical JSON (role, content, system; nothing else). */
export function promptHash(prompt: HistoryPrompt): string {
  const material = canonicalJson({
    system: prompt.system ?? null,
    messages: prompt.messages.map((m) => ({ role: m.role, content: m.content })),
  });
  return createHash('sha256').update(material, 'utf8').digest('hex');
}

/** The prompt as readable text: the system prompt, then `role: content` per message. */
export function promptText(prompt: HistoryPrompt): string {
  const parts: string[] = [];
  if (prompt.system) parts.push(`system: ${prompt.system}`);
  for (const m of prompt.messages) parts.push(`${m.role}: ${m.content}`);
  return parts.join('\n\n');
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
const clip = (s: string, max: number) => (s.length > max ? s.slice(0, max) : s);

/** The history record of one finished call. */
export function historyRecordFromResult(result: RunResult, context: RecordContext = {}): HistoryRecord {
  const u = result.usage;
  const c = result.cost;
  const record: HistoryRecord = {
    v: HISTORY_FORMAT_VERSION,
    time: new Date(context.time ?? Date.now()).toISOString(),
    model: clip(result.modelId, MAX_MODEL_CHARS),
    ok: result.ok,
    cacheHit: result.cacheHit,
    repeat: result.repeat,
    latencyMs: round3(result.latencyMs),
    ttftMs: result.ttftMs === null ? null : round3(result.ttftMs),
    queuedMs: round3(result.queuedMs),
    retryWaitMs: round3(result.retryWaitMs),
    attempts: result.attempts,
    ...(result.cacheReadMs === null ? {} : { cacheReadMs: round3(result.cacheReadMs) }),
    tokens: {
      input: u.inputTokens,
      output: u.outputTokens,
      cacheRead: u.cacheReadTokens,
      cacheWrite: u.cacheWriteTokens,
      cacheWrite1h: u.cacheWrite1hTokens,
      reasoning: u.reasoningTokens,
      estimated: u.estimated,
    },
    cost: c && {
      total: c.total,
      input: c.input,
      output: c.output,
      cacheRead: c.cacheRead,
      cacheWrite: c.cacheWrite,
      batch: c.batch,
    },
    errorKind: result.error?.kind ?? null,
    finishReason: result.finishReason,
    promptHash: context.prompt ? promptHash(context.prompt) : null,
  };
  if (context.runId !== undefined) record.runId = clip(context.runId, MAX_LABEL_CHARS);
  if (context.source !== undefined) record.source = clip(context.source, MAX_LABEL_CHARS);
  if (context.includePrompt && context.prompt) fitPrompt(record, promptText(context.prompt));
  return record;
}

/** Puts as much of `text` in the record as fits under MAX_RECORD_BYTES. */
function fitPrompt(record: HistoryRecord, text: string): void {
  record.prompt = text;
  if (serializedBytes(record) <= MAX_RECORD_BYTES) return;
  record.promptTruncated = true;
  // JSON escaping makes a character cost 1 to 6 bytes: binary search the longest prefix that fits.
  const cut = (keep: number) => {
    // never split a surrogate pair
    if (keep > 0 && /[\uD800-\uDBFF]/.test(text[keep - 1]!)) keep--;
    return text.slice(0, keep) + '…';
  };
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    record.prompt = cut(mid);
    if (serializedBytes(record) <= MAX_RECORD_BYTES) lo = mid;
    else hi = mid - 1;
  }
  record.prompt = cut(lo);
}

/** The line written for a record (JSON + newline). */
export function serializeRecord(record: HistoryRecord): string {
  return JSON.stringify(record) + '\n';
}

function serializedBytes(record: HistoryRecord): number {
  return Buffer.byteLength(serializeRecord(record), 'utf8');
}

const ERROR_KINDS: ReadonlySet<string> = new Set<ErrorKind>([
  'auth',
  'rate_limit',
  'server',
  'network',
  'cancelled',
  'stream_cut',
  'bad_request',
  'context_length',
  'config',
]);
const TOKEN_FIELDS = ['input', 'output', 'cacheRead', 'cacheWrite', 'cacheWrite1h', 'reasoning'] as const;
const COST_FIELDS = ['total', 'input', 'output', 'cacheRead', 'cacheWrite'] as const;
const WAIT_FIELDS = ['queuedMs', 'retryWaitMs', 'attempts', 'cacheReadMs'] as const;

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Why `value` is not a valid record, or undefined when it is. */
export function recordProblem(value: unknown): string | undefined {
  if (!isObj(value)) return 'not an object';
  if (value.v !== HISTORY_FORMAT_VERSION) return `unsupported version ${JSON.stringify(value.v)}`;
  if (typeof value.time !== 'string' || Number.isNaN(Date.parse(value.time))) return 'bad time';
  if (typeof value.model !== 'string' || !value.model) return 'bad model';
  if (typeof value.ok !== 'boolean') return 'bad ok';
  if (typeof value.cacheHit !== 'boolean') return 'bad cacheHit';
  if (!isNum(value.repeat)) return 'bad repeat';
  if (!isNum(value.latencyMs)) return 'bad latencyMs';
  if (!(value.ttftMs === null || isNum(value.ttftMs))) return 'bad ttftMs';
  for (const f of WAIT_FIELDS) if (value[f] !== undefined && !isNum(value[f])) return `bad ${f}`;
  if (!isObj(value.tokens)) return 'bad tokens';
  for (const f of TOKEN_FIELDS) if (!isNum(value.tokens[f])) return `bad tokens.${f}`;
  if (value.cost !== null) {
    if (!isObj(value.cost)) return 'bad cost';
    for (const f of COST_FIELDS) if (!isNum(value.cost[f])) return `bad cost.${f}`;
  }
  if (!(value.errorKind === null || (typeof value.errorKind === 'string' && ERROR_KINDS.has(value.errorKind)))) {
    return 'bad errorKind';
  }
  return undefined;
}

export type ParsedLine = { ok: true; record: HistoryRecord } | { ok: false; reason: string };

/** Parses one history line (without its newline). */
export function parseHistoryLine(line: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return { ok: false, reason: `bad JSON: ${(err as Error).message}` };
  }
  const problem = recordProblem(value);
  if (problem) return { ok: false, reason: problem };
  const r = value as HistoryRecord & Record<string, unknown>;
  // Normalise the optional fields so that older writers' records read the same.
  const t = r.tokens as unknown as Record<string, unknown>;
  return {
    ok: true,
    record: {
      ...r,
      tokens: { ...r.tokens, estimated: t.estimated === true },
      cost: r.cost && { ...r.cost, batch: (r.cost as unknown as Record<string, unknown>).batch === true },
      finishReason: (r.finishReason ?? null) as FinishReason | null,
      promptHash: typeof r.promptHash === 'string' ? r.promptHash : null,
    },
  };
}
