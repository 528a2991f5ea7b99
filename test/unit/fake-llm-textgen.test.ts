// The fake server's stream chunking (test/fake-llm/textgen.ts chunkText): linear in the answer,
// and the same chunks as the prefix decoding it replaced wherever that cut on whole characters.
import assert from 'node:assert/strict';
import { chunkText, chunkTextByPrefix, generateText } from '../fake-llm/textgen';
import { decodeTokens, encodeText } from '../fake-llm/tokens';

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
          assert.deepEqual(chunkText(text, step, enc), chunkTextByPrefix(text, step, enc));
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
