// Local token counts: exact for OpenAI models, labelled estimates for the rest.
import type { ChatRequest, Role, TokenCount } from '../types';
import { loadEncoding, loadedEncoding, requireEncoding, type Encoding } from './encodings';
import { tokenizerSpecFor, type TokenizerSpec } from './models';

/** OpenAI chat framing: `<|im_start|>{role}<|im_sep|>{content}<|im_end|>` = 3 + role + content. */
export const OPENAI_TOKENS_PER_MESSAGE = 3;
/** A message with a `name` costs 1 more token plus the name's own tokens. */
export const OPENAI_TOKENS_PER_NAME = 1;
/** Every reply is primed with `<|im_start|>assistant<|im_sep|>`. */
export const OPENAI_REPLY_PRIMING = 3;

export interface FramedMessage {
  role: Role | string;
  content: string;
  name?: string;
}

/**
 * Prompt tokens of a chat, OpenAI's rule: Σ (3 + role + content [+ 1 + name]) + 3.
 * An empty message list still costs the 3 priming tokens.
 */
export function chatTokens(encoding: Encoding, messages: readonly FramedMessage[]): number {
  let n = OPENAI_REPLY_PRIMING;
  for (const m of messages) {
    n += OPENAI_TOKENS_PER_MESSAGE + encoding.count(m.role) + encoding.count(m.content);
    if (m.name) n += OPENAI_TOKENS_PER_NAME + encoding.count(m.name);
  }
  return n;
}

/**
 * At least `countChat`, computed without encoding anything: every tokenizer here is byte-level BPE,
 * so a text has no more tokens than UTF-8 bytes. Lets a check skip counting a prompt that cannot
 * be too long.
 */
export function chatTokensAtMost(request: Pick<ChatRequest, 'system' | 'messages'>, factor = 1): number {
  let n = OPENAI_REPLY_PRIMING;
  for (const m of framedMessages(request)) {
    n += OPENAI_TOKENS_PER_MESSAGE + Buffer.byteLength(m.role) + Buffer.byteLength(m.content);
    if (m.name) n += OPENAI_TOKENS_PER_NAME + Buffer.byteLength(m.name);
  }
  return Math.ceil(n * factor);
}

/** The request as the message list a provider sends: `system` (when non-empty) leads. */
export function framedMessages(request: Pick<ChatRequest, 'system' | 'messages'>): FramedMessage[] {
  const out: FramedMessage[] = [];
  if (request.system) out.push({ role: 'system', content: request.system });
  for (const m of request.messages) out.push({ role: m.role, content: m.content });
  return out;
}

/** A model's local tokenizer, ready for synchronous counts. */
export class ModelTokenizer {
  constructor(
    readonly spec: TokenizerSpec,
    readonly encoding: Encoding,
  ) {}

  get exact(): boolean {
    return this.spec.exact;
  }

  private result(raw: number): TokenCount {
    const tokens = this.spec.factor === 1 ? raw : Math.ceil(raw * this.spec.factor);
    return { tokens, estimated: !this.spec.exact, method: this.spec.method };
  }

  /** Tokens of a bare text (no chat framing). */
  countText(text: string): TokenCount {
    return this.result(this.encoding.count(text));
  }

  /** Prompt tokens of a request, chat framing and reply priming included. */
  countChat(request: Pick<ChatRequest, 'system' | 'messages'>): TokenCount {
    return this.result(chatTokens(this.encoding, framedMessages(request)));
  }
}

/** Loads (once) what `model` is counted with. `provider` matters only for `anthropic`. */
export async function loadTokenizer(model: string, provider?: string): Promise<ModelTokenizer> {
  const spec = tokenizerSpecFor(model, provider);
  return new ModelTokenizer(spec, await loadEncoding(spec.encoding));
}

/** The model's tokenizer, synchronously; throws TokenizerNotLoadedError if not loaded yet. */
export function tokenizerFor(model: string, provider?: string): ModelTokenizer {
  const spec = tokenizerSpecFor(model, provider);
  return new ModelTokenizer(spec, requireEncoding(spec.encoding));
}

/** The model's tokenizer if its encoding is loaded, else undefined (never throws, never loads). */
export function tokenizerIfLoaded(model: string, provider?: string): ModelTokenizer | undefined {
  const spec = tokenizerSpecFor(model, provider);
  const enc = loadedEncoding(spec.encoding);
  return enc ? new ModelTokenizer(spec, enc) : undefined;
}

/** The encoding `model` is counted with, synchronously (throws if not loaded): `encodingFor(m).count(text)`. */
export function encodingFor(model: string): Encoding {
  return requireEncoding(tokenizerSpecFor(model).encoding);
}

/** Tokens of a text for `model` (vendor model name, no `provider:` prefix). */
export async function countTextTokens(text: string, model: string): Promise<TokenCount> {
  return (await loadTokenizer(model)).countText(text);
}

/** Prompt tokens of a request for `model`, framing included. */
export async function countChatTokens(request: ChatRequest, model: string): Promise<TokenCount> {
  return (await loadTokenizer(model)).countChat(request);
}

/** Synchronous countTextTokens; throws TokenizerNotLoadedError until `loadTokenizer(model)` resolved. */
export function countTextTokensSync(text: string, model: string): TokenCount {
  return tokenizerFor(model).countText(text);
}

/** Synchronous countChatTokens; throws TokenizerNotLoadedError until `loadTokenizer(model)` resolved. */
export function countChatTokensSync(request: ChatRequest, model: string): TokenCount {
  return tokenizerFor(model).countChat(request);
}
