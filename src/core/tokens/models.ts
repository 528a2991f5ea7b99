// Which tokenizer counts which model, and whether the count is exact or a labelled estimate.
import type { EncodingName } from './encodings';

/**
 * How a model's tokens are counted locally.
 * - `exact`: the model's own public tokenizer (OpenAI families);
 * - otherwise an estimate: `ceil(count × factor)` with `encoding`, labelled by `method`.
 */
export interface TokenizerSpec {
  encoding: EncodingName;
  exact: boolean;
  /** Multiplier applied to the local count (1 for exact counts). */
  factor: number;
  /** Shown beside the count, e.g. `o200k_base` or `≈ estimate (o200k_base ×1.1)`. */
  method: string;
}

/**
 * Claude's tokenizer is not public. Estimator: the o200k_base count (OpenAI chat framing
 * included) × 1.1, rounded up. Claude tokenizers produce somewhat more tokens than o200k_base on
 * English and code, so this errs slightly high (a budget should not be under-estimated).
 * The exact figure comes from Anthropic's `count_tokens` when a key is available (TokenCounter).
 */
export const ANTHROPIC_ESTIMATE_FACTOR = 1.1;

/** The encoding assumed for model names we do not recognise (the most recent OpenAI one). */
export const DEFAULT_ENCODING: EncodingName = 'o200k_base';

const O200K = [
  /^gpt-4o/, // gpt-4o, gpt-4o-mini, gpt-4o-2024-…, audio/realtime/search variants
  /^chatgpt-4o/,
  /^gpt-4\.1/,
  /^gpt-4\.5/,
  /^gpt-5/, // gpt-5, gpt-5-mini, gpt-5.4-mini, gpt-5.6-sol, …
  /^o[134](-|$)/, // o1, o1-mini, o3, o3-pro, o4-mini, …
  /^codex-mini/,
];

const CL100K = [
  /^gpt-4(-|$)/, // gpt-4, gpt-4-0613, gpt-4-32k, gpt-4-turbo, gpt-4-1106-preview (not gpt-4o / gpt-4.1)
  /^gpt-3\.5/,
  /^gpt-35/, // Azure spelling
  /^text-embedding-(ada-002|3-)/,
];

/** Lower-cases and drops decorations that do not change the tokenizer (`ft:`, `openai/`). */
export function normaliseModelName(model: string): string {
  let m = model.trim().toLowerCase();
  m = m.replace(/^openai\//, '');
  m = m.replace(/^ft:/, '');
  return m;
}

/** The OpenAI encoding of a known OpenAI model name, or undefined when the name is not one. */
export function openaiEncodingOf(model: string): EncodingName | undefined {
  const m = normaliseModelName(model);
  if (O200K.some((re) => re.test(m))) return 'o200k_base';
  if (CL100K.some((re) => re.test(m))) return 'cl100k_base';
  return undefined;
}

export function isAnthropicModel(model: string, provider?: string): boolean {
  if (provider !== undefined && provider.toLowerCase() === 'anthropic') return true;
  return /^(anthropic\/)?claude/.test(model.trim().toLowerCase());
}

/** The encoding a model is counted with (exactly or as the basis of an estimate). */
export function encodingNameFor(model: string): EncodingName {
  return openaiEncodingOf(model) ?? DEFAULT_ENCODING;
}

/**
 * How to count `model` locally. `provider` (the `provider` part of a model id) only matters for
 * `anthropic` and `vscode`, whose models are always estimated locally whatever their name.
 */
export function tokenizerSpecFor(model: string, provider?: string): TokenizerSpec {
  if (isAnthropicModel(model, provider)) {
    return {
      encoding: DEFAULT_ENCODING,
      exact: false,
      factor: ANTHROPIC_ESTIMATE_FACTOR,
      method: `≈ estimate (${DEFAULT_ENCODING} ×${ANTHROPIC_ESTIMATE_FACTOR})`,
    };
  }
  // VS Code's models (`vscode:copilot/gpt-4o`) are counted by the editor (`model.countTokens`);
  // locally only estimated, whatever the family's name suggests.
  if (provider?.toLowerCase() === 'vscode') {
    return { encoding: DEFAULT_ENCODING, exact: false, factor: 1, method: `≈ estimate (${DEFAULT_ENCODING}; exact from VS Code countTokens)` };
  }
  const encoding = openaiEncodingOf(model);
  if (encoding) return { encoding, exact: true, factor: 1, method: encoding };
  return {
    encoding: DEFAULT_ENCODING,
    exact: false,
    factor: 1,
    method: `≈ estimate (${DEFAULT_ENCODING}, tokenizer of this model unknown)`,
  };
}
