// BPE encodings, loaded lazily. The rank tables are large (o200k_base ≈ 2.4 MB of JS), so nothing
// pays for them until a count is first needed; after `await loadEncoding(name)` every count is
// synchronous (hover, status bar).
//
// Library: gpt-tokenizer, chosen by measurement (bench/tokenizer.bench.ts, docs/BENCHMARKS.md
// "## Tokenizer"): on the same ~0.94 MB text it starts ~3.5× sooner and counts 3–6× faster than
// js-tiktoken, with identical token counts. js-tiktoken stays the independent reference in tests.

export type EncodingName = 'o200k_base' | 'cl100k_base';

export const ENCODING_NAMES: readonly EncodingName[] = ['o200k_base', 'cl100k_base'];

/** A loaded encoding. Special-token strings such as `<|endoftext|>` count as plain text. */
export interface Encoding {
  readonly name: EncodingName;
  /** Number of tokens of `text` (fast path: no token array is built). */
  count(text: string): number;
  encode(text: string): number[];
}

/** Thrown by the synchronous API when the encoding has not been loaded yet. */
export class TokenizerNotLoadedError extends Error {
  constructor(readonly encoding: EncodingName) {
    super(`Tokenizer ${encoding} is not loaded yet: await loadEncoding('${encoding}') (or loadTokenizer(model)) first.`);
    this.name = 'TokenizerNotLoadedError';
  }
}

interface GptTokenizerModule {
  countTokens(text: string, options?: { disallowedSpecial?: Set<string> }): number;
  encode(text: string, options?: { disallowedSpecial?: Set<string> }): number[];
}

/** Nothing is disallowed and nothing is special: user text is plain text. */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

const loaded = new Map<EncodingName, Encoding>();
const loading = new Map<EncodingName, Promise<Encoding>>();

async function importModule(name: EncodingName): Promise<GptTokenizerModule> {
  // Literal specifiers so bundlers can see (and lazily wrap) each module.
  switch (name) {
    case 'o200k_base':
      return (await import('gpt-tokenizer/encoding/o200k_base')) as GptTokenizerModule;
    case 'cl100k_base':
      return (await import('gpt-tokenizer/encoding/cl100k_base')) as GptTokenizerModule;
  }
}

function wrap(name: EncodingName, mod: GptTokenizerModule): Encoding {
  // The named exports are bound methods of the module's GptEncoding instance.
  const countTokens = mod.countTokens;
  const encode = mod.encode;
  return {
    name,
    count: (text) => (text ? countTokens(text, PLAIN_TEXT) : 0),
    encode: (text) => (text ? encode(text, PLAIN_TEXT) : []),
  };
}

/** Loads an encoding once (concurrent callers share the same load). */
export function loadEncoding(name: EncodingName): Promise<Encoding> {
  const ready = loaded.get(name);
  if (ready) return Promise.resolve(ready);
  let p = loading.get(name);
  if (!p) {
    p = importModule(name).then(
      (mod) => {
        const enc = wrap(name, mod);
        loaded.set(name, enc);
        loading.delete(name);
        return enc;
      },
      (err: unknown) => {
        loading.delete(name);
        throw err;
      },
    );
    loading.set(name, p);
  }
  return p;
}

/** The encoding if it is already loaded, else undefined (never triggers a load). */
export function loadedEncoding(name: EncodingName): Encoding | undefined {
  return loaded.get(name);
}

export function isEncodingLoaded(name: EncodingName): boolean {
  return loaded.has(name);
}

/** The encoding, synchronously; throws TokenizerNotLoadedError if it is not loaded yet. */
export function requireEncoding(name: EncodingName): Encoding {
  const enc = loaded.get(name);
  if (!enc) throw new TokenizerNotLoadedError(name);
  return enc;
}
