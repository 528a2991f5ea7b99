// Answer-cache key: a sha256 of a canonical JSON of everything that changes a model's answer.
// The input type deliberately has no API-key field, and the derivation copies only the fields
// it knows, so an API key smuggled in at runtime (via a cast or a spread) never reaches the key.

import { createHash } from 'node:crypto';
import type { ChatMessage, ChatRequest, ProviderConfig, ProviderType } from '../types';

/** Bumped whenever the key material or the stored entry format changes; old entries then miss. */
export const CACHE_FORMAT_VERSION = 1;

/** Everything that determines an answer. There is intentionally no `apiKey` here. */
export interface AnswerKeyParts {
  providerName: string;
  providerType: ProviderType;
  baseURL?: string;
  /** The vendor's model name (no `provider:` prefix). */
  model: string;
  system?: string;
  /** Changes the reported usage (cache writes/reads), which the entry stores. */
  cacheSystem?: boolean;
  /** Same; `undefined` is treated as the provider default `5m`. */
  cacheTtl?: '5m' | '1h';
  messages: readonly ChatMessage[];
  temperature?: number;
  maxOutputTokens?: number;
}

/** Builds the key parts from a provider config and a request, picking only answer-relevant fields. */
export function answerKeyParts(
  provider: Pick<ProviderConfig, 'name' | 'type' | 'baseURL'>,
  request: ChatRequest,
): AnswerKeyParts {
  return {
    providerName: provider.name,
    providerType: provider.type,
    baseURL: provider.baseURL,
    model: request.model,
    system: request.system,
    cacheSystem: request.cacheSystem,
    cacheTtl: request.cacheTtl,
    messages: request.messages,
    temperature: request.temperature,
    maxOutputTokens: request.maxOutputTokens,
  };
}

/** JSON with object keys sorted at every level; `undefined` properties are dropped. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    return s === undefined ? 'null' : s;
  }
  if (Array.isArray(value)) {
    return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  }
  const obj = value as Record<string, unknown>;
  const fields = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
  return `{${fields.join(',')}}`;
}

/**
 * The exact text that is hashed. Only whitelisted fields are copied (never `...parts`), and
 * optional fields are normalised so that "absent" has a single spelling.
 */
export function answerKeyMaterial(parts: AnswerKeyParts): string {
  const baseURL = parts.baseURL ? parts.baseURL.replace(/\/+$/, '') : null;
  return canonicalJson({
    v: CACHE_FORMAT_VERSION,
    providerName: parts.providerName,
    providerType: parts.providerType,
    baseURL,
    model: parts.model,
    system: parts.system ?? null,
    cacheSystem: parts.cacheSystem === true,
    cacheTtl: parts.cacheTtl ?? '5m',
    messages: parts.messages.map((m) => ({
      role: m.role,
      content: m.content,
      cacheBreakpoint: m.cacheBreakpoint === true,
    })),
    temperature: parts.temperature ?? null,
    maxOutputTokens: parts.maxOutputTokens ?? null,
  });
}

/** sha256 hex (64 lowercase chars) of {@link answerKeyMaterial}. */
export function answerCacheKey(parts: AnswerKeyParts): string {
  return createHash('sha256').update(answerKeyMaterial(parts), 'utf8').digest('hex');
}

const KEY_RE = /^[0-9a-f]{64}$/;

/** True for a well-formed cache key (also what keeps file paths safe). */
export function isCacheKey(key: unknown): key is string {
  return typeof key === 'string' && KEY_RE.test(key);
}
