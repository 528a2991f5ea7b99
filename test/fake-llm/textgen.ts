// Deterministic reply text: a seeded PRNG over a small vocabulary.
import { prng } from './prng';
import { decodeTokens, encodeText, tokenByteLengths, type EncodingName } from './tokens';

/** FNV-1a 32-bit hash of a string. */
export function hashString(s: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const WORDS = (
  'the a profile prompt token model cost latency cache stream reply answer system user budget ' +
  'fast slow careful simple clear precise measure compare every each small large window context ' +
  'output input price request response server client minute second value result test run check ' +
  'quality score editor note plan step detail example summary review useful honest stable with ' +
  'and of to in for on by from about over under between after before while because so then'
).split(' ');

function words(rand: () => number, count: number): string {
  const out: string[] = [];
  let sentence = 0;
  let sentenceLen = 6 + Math.floor(rand() * 9);
  for (let i = 0; i < count; i++) {
    let w = WORDS[Math.floor(rand() * WORDS.length)];
    if (sentence === 0) w = w[0].toUpperCase() + w.slice(1);
    sentence++;
    if (sentence >= sentenceLen) {
      w += '.';
      sentence = 0;
      sentenceLen = 6 + Math.floor(rand() * 9);
    }
    out.push(w);
  }
  return out.join(' ');
}

/**
 * Deterministic text for `key` (a hash of the request). With `tokens`, the text is exactly that
 * many tokens long in `encoding` (cut at a token boundary); otherwise 16..48 tokens (seeded).
 */
export function generateText(key: number, tokens: number | undefined, encoding: EncodingName): string {
  const rand = prng(key);
  const target = tokens ?? 16 + Math.floor(rand() * 33);
  if (target <= 0) return '';
  let n = Math.max(4, Math.ceil(target * 0.9));
  for (;;) {
    const text = words(prng(key ^ 0x9e3779b9), n);
    const toks = encodeText(text, encoding);
    if (toks.length >= target) {
      return decodeTokens(toks.slice(0, target), encoding);
    }
    n = Math.ceil(n * 1.5) + 4;
  }
}

/**
 * Cuts `text` to at most `maxTokens` tokens. Returns the (possibly shorter) text and whether
 * it was cut.
 */
export function capTokens(text: string, maxTokens: number | undefined, encoding: EncodingName): { text: string; capped: boolean } {
  if (maxTokens === undefined) return { text, capped: false };
  const toks = encodeText(text, encoding);
  if (toks.length <= maxTokens) return { text, capped: false };
  return { text: decodeTokens(toks.slice(0, Math.max(0, maxTokens)), encoding), capped: true };
}

/**
 * Splits `text` into stream chunks of about `chunkTokens` tokens each, never inside a UTF-8
 * sequence: a cut after every `chunkTokens` tokens whose bytes end on a character boundary, else
 * at the next token that does. The chunks concatenate back to `text` exactly.
 *
 * Linear in the text (token byte lengths walked beside the characters' UTF-8 offsets), so a
 * 20k-token answer costs one pass, not a decode of every prefix.
 */
export function chunkText(text: string, chunkTokens: number, encoding: EncodingName): { text: string; tokens: number }[] {
  if (!text) return [];
  const toks = encodeText(text, encoding);
  const lengths = tokenByteLengths(toks, encoding);
  const step = Math.max(1, Math.floor(chunkTokens));
  const chunks: { text: string; tokens: number }[] = [];
  let emitted = 0; // UTF-16 offset of the last cut
  let emittedTokens = 0;
  let tokenBytes = 0; // UTF-8 offset after toks[0..i)
  let charIndex = 0; // UTF-16 offset of the first character not before tokenBytes
  let charBytes = 0; // its UTF-8 offset
  for (let i = 0; i < toks.length - 1; i++) {
    tokenBytes += lengths[i];
    while (charBytes < tokenBytes) {
      const cp = text.codePointAt(charIndex)!;
      charBytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      charIndex += cp >= 0x10000 ? 2 : 1;
    }
    if (i + 1 - emittedTokens < step || charBytes !== tokenBytes) continue;
    chunks.push({ text: text.slice(emitted, charIndex), tokens: i + 1 - emittedTokens });
    emitted = charIndex;
    emittedTokens = i + 1;
  }
  if (emitted < text.length) chunks.push({ text: text.slice(emitted), tokens: toks.length - emittedTokens });
  return chunks;
}

/**
 * What chunkText did before: every `chunkTokens`-th cut decodes the whole prefix (quadratic).
 * Kept as the reference the tests compare chunkText with on text of whole-byte tokens, and for
 * the bench's before/after figure.
 */
export function chunkTextByPrefix(text: string, chunkTokens: number, encoding: EncodingName): { text: string; tokens: number }[] {
  if (!text) return [];
  const toks = encodeText(text, encoding);
  const step = Math.max(1, Math.floor(chunkTokens));
  const chunks: { text: string; tokens: number }[] = [];
  let emitted = 0;
  let emittedTokens = 0;
  for (let i = step; i < toks.length; i += step) {
    const prefix = decodeTokens(toks.slice(0, i), encoding);
    if (prefix.endsWith('\uFFFD') || prefix.length <= emitted || !text.startsWith(prefix)) continue;
    chunks.push({ text: prefix.slice(emitted), tokens: i - emittedTokens });
    emitted = prefix.length;
    emittedTokens = i;
  }
  if (emitted < text.length) chunks.push({ text: text.slice(emitted), tokens: toks.length - emittedTokens });
  return chunks;
}
