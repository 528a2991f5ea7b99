// The fake server's stream chunking (test/fake-llm/textgen.ts chunkText): linear in the answer,
// and the same chunks as the prefix-decoding definition it replaced.
import assert from 'node:assert/strict';
import { chunkText, generateText } from '../fake-llm/textgen';
import { decodeTokens, encodeText, type EncodingName } from '../fake-llm/tokens';

/** The definition: cut after every `step` tokens where the decoded prefix is a clean prefix of the text. */
function chunkByPrefix(text: string, chunkTokens: number, encoding: EncodingName): { text: string; tokens: number }[] {
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

/** Offsets of each chunk's tokens in the whole token list. */
function tokenSlices(chunks: { tokens: number }[], toks: number[]): number[][] {
  let at = 0;
  return chunks.map((c) => toks.slice(at, (at += c.tokens)));
}

describe('fake LLM chunkText', () => {
  const ascii: [string, string][] = [
    ['generated prose', generateText(42, 600, 'o200k_base')],
    ['code and newlines', 'function f(x) {\n\treturn x < 2 ? 1 : f(x - 1) * x;\n}\n\n```ts\nconst a = [1, 2, 3];\n```\n'.repeat(8)],
  ];
  const multibyte = '👩‍👩‍👧‍👦 家族 🧑🏽‍🚀 数据库 ✨ café naïve — 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 '.repeat(12);
  for (const enc of ['o200k_base', 'cl100k_base'] as const) {
    for (const step of [1, 3, 4, 7]) {
      for (const [name, text] of ascii) {
        it(`${name}, ${enc}, ${step} tokens per chunk: the prefix-decoding definition's chunks`, () => {
          assert.deepEqual(chunkText(text, step, enc), chunkByPrefix(text, step, enc));
        });
      }
      it(`emoji and CJK, ${enc}, ${step} tokens per chunk: every cut on a character boundary, each chunk its tokens' text`, () => {
        const toks = encodeText(multibyte, enc);
        const chunks = chunkText(multibyte, step, enc);
        assert.equal(chunks.map((c) => c.text).join(''), multibyte);
        assert.equal(chunks.reduce((n, c) => n + c.tokens, 0), toks.length);
        // A chunk cut inside a character would decode to U+FFFD (or lose bytes) on its own.
        const slices = tokenSlices(chunks, toks);
        chunks.forEach((c, i) => assert.equal(decodeTokens(slices[i], enc), c.text, `chunk ${i}`));
        assert.ok(chunks.slice(0, -1).every((c) => c.tokens >= step));
        assert.ok(chunks.length > toks.length / (step * 4), `${chunks.length} chunks of ${toks.length} tokens`);
      });
    }
  }

  it('chunks a 20k-token answer into exact 4-token pieces', () => {
    const text = generateText(7, 20_000, 'o200k_base');
    const chunks = chunkText(text, 4, 'o200k_base');
    assert.equal(chunks.map((c) => c.text).join(''), text);
    assert.equal(chunks.length, 5000);
    assert.ok(chunks.every((c) => c.tokens === 4));
  });
});
