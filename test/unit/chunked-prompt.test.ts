// ChunkedPrompt: the per-chunk token counts sum to exactly what the whole text counts (checked
// against js-tiktoken over parsePrompt of the text), through random edits; and an edit re-encodes
// only the chunk it touched (encoder calls counted through an injected encoding).
import assert from 'node:assert/strict';
import { Tiktoken } from 'js-tiktoken/lite';
import cl100kRanks from 'js-tiktoken/ranks/cl100k_base';
import o200kRanks from 'js-tiktoken/ranks/o200k_base';
import { ChunkedPrompt, type CountingEncoding } from '../../src/core/prompt/chunked';
import { parsePrompt } from '../../src/core/prompt';
import { loadEncoding, type EncodingName } from '../../src/core/tokens';
import { prng } from '../fake-llm/prng';
import { promptLines } from './support/promptText';

const reference: Record<EncodingName, Tiktoken> = { o200k_base: new Tiktoken(o200kRanks), cl100k_base: new Tiktoken(cl100kRanks) };
const refCount = (enc: EncodingName, s: string) => reference[enc].encode(s, [], []).length;

/** The reference: parse the whole text, count every message with OpenAI's chat framing. */
function expectedChatTokens(enc: EncodingName, text: string): number {
  const p = parsePrompt(text);
  const messages = [...(p.system ? [{ role: 'system', content: p.system }] : []), ...p.messages];
  return 3 + messages.reduce((n, m) => n + 3 + refCount(enc, m.role) + refCount(enc, m.content), 0);
}

/** An encoding that counts its calls and the characters it was given. */
function counting(name: EncodingName, count: (s: string) => number) {
  const stats = { calls: 0, chars: 0 };
  const encoding: CountingEncoding = {
    name,
    count: (s) => {
      stats.calls++;
      stats.chars += s.length;
      return count(s);
    },
  };
  return { encoding, stats };
}

const TEXTS: Record<string, string> = {
  plain: 'Summarize the text below in three bullet points.\n\nThe text:\nPrompt caching cuts cost.',
  sections: 'system:\nYou are terse.\n\nuser:\n  Hello there.\n/ slash line\n{ "a": 1 }\nassistant:\nHi.\nuser:\n\n\nAgain?\n\n',
  frontMatter: '---\nmodel: openai:gpt-4o-mini\nsystem: Be brief.\nsample:\n  topic: caching\n  lead: "  spaced"\n---\n{{lead}} Explain {{topic}}.\n{{topic}} again\nand {{ missing }} stays.\n',
  twoSystems: '---\nsystem: From the front matter.\n---\nsystem:\nFrom a section.\nuser:\nQ?\nsystem:\n/again',
  splitVariable: '---\nsample:\n  x: filled\n---\nA {{\nx }} across lines\nand {{ x\n}} too.',
  blankOnly: '\n\n   \n',
  frontMatterOnly: '---\nmodel: openai:gpt-4o\n---',
  openFrontMatter: '---\nnot closed\nuser:\nstill body',
  dotprompt: '{{role "system"}}\nSystem here.\n{{role "user"}}\nUser here.',
  punctuation: 'Line one.\nLine two!\n\n\n...\nLine three?\n)\n\tTabbed.\n<|endoftext|>\n',
};

describe('ChunkedPrompt', () => {
  for (const enc of ['o200k_base', 'cl100k_base'] as const) {
    describe(enc, () => {
      let real: CountingEncoding;
      before(async () => {
        real = await loadEncoding(enc);
      });

      for (const [name, text] of Object.entries(TEXTS)) {
        for (const eol of ['\n', '\r\n'] as const) {
          it(`${name} (${eol === '\n' ? 'LF' : 'CRLF'}) counts what the whole text counts`, () => {
            const doc = text.split('\n').join(eol);
            const chunked = new ChunkedPrompt(doc.split(eol), eol);
            assert.equal(chunked.text(), doc);
            assert.equal(chunked.chatTokens(real).tokens, expectedChatTokens(enc, doc));
          });
        }
      }

      it('stays exact through 300 random edits (typing, deleting lines, pasting sections, editing the front matter)', () => {
        const rnd = prng(enc === 'o200k_base' ? 7 : 8);
        let lines = ['---', 'sample:', '  topic: tokens', '---', ...promptLines(6_000, 3, { sections: true })];
        const chunked = new ChunkedPrompt(lines);
        const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
        for (let step = 0; step < 300; step++) {
          const r = rnd();
          const at = Math.floor(rnd() * (lines.length + 1));
          let deleteCount = 0;
          let insert: string[];
          if (r < 0.5 && at < lines.length) {
            // A keystroke: one character typed into a line.
            const line = lines[at];
            const col = Math.floor(rnd() * (line.length + 1));
            deleteCount = 1;
            insert = [line.slice(0, col) + pick(['a', ' ', '/', '{', '.', '\t', 'Z', '}', '{{topic}}']) + line.slice(col)];
          } else if (r < 0.65 && at < lines.length) {
            deleteCount = 1 + Math.floor(rnd() * 3);
            insert = [];
          } else if (r < 0.8 && at < lines.length) {
            // Enter in the middle of a line.
            const line = lines[at];
            const col = Math.floor(rnd() * (line.length + 1));
            deleteCount = 1;
            insert = [line.slice(0, col), line.slice(col)];
          } else if (r < 0.95) {
            insert = promptLines(200, step, { sections: true });
          } else {
            // The front matter: a new variable value, or its closing line removed and back.
            deleteCount = at < 4 ? 1 : 0;
            insert = at < 4 ? [pick(['  topic: other', '---', 'sample:', 'x'])] : ['---'];
          }
          deleteCount = Math.min(deleteCount, lines.length - at);
          lines = [...lines.slice(0, at), ...insert, ...lines.slice(at + deleteCount)];
          chunked.edit(at, deleteCount, insert);
          if (step % 10 === 9) {
            assert.equal(chunked.text(), lines.join('\n'), `text after edit ${step}`);
            let expected: number | Error;
            try {
              expected = expectedChatTokens(enc, lines.join('\n'));
            } catch (e) {
              expected = e as Error; // front matter that is not YAML: both ways say so
            }
            if (expected instanceof Error) assert.throws(() => chunked.chatTokens(real), { message: expected.message });
            else assert.equal(chunked.chatTokens(real).tokens, expected, `tokens after edit ${step}`);
          }
        }
      });
    });
  }

  describe('an edit in a 1 MB prompt', function () {
    this.timeout(60_000);
    let real: CountingEncoding;
    let lines: string[];
    before(async () => {
      real = await loadEncoding('o200k_base');
      lines = ['---', 'model: openai:gpt-4o-mini', '---', ...promptLines(1_000_000, 11)];
    });

    it('re-encodes only the chunk it changed, and the total stays exact', () => {
      const { encoding, stats } = counting('o200k_base', (s) => real.count(s));
      const chunked = new ChunkedPrompt(lines);
      const cold = chunked.chatTokens(encoding);
      assert.ok(cold.complete);
      assert.ok(stats.calls > 1000, `the cold count encodes every chunk (${stats.calls} calls)`);
      const callsAfterCold = stats.calls;
      assert.equal(chunked.chatTokens(encoding).tokens, cold.tokens);
      assert.equal(stats.calls, callsAfterCold, 'a second count of the same revision encodes nothing');

      // A keystroke in the middle of a prose line.
      const at = lines.findIndex((l, i) => i > lines.length / 2 && /^[a-z]{3,} [a-z]/.test(l));
      const typed = lines[at].slice(0, 2) + 'x' + lines[at].slice(2);
      chunked.edit(at, 1, [typed]);
      stats.calls = 0;
      stats.chars = 0;
      const after = chunked.chatTokens(encoding);
      assert.equal(stats.calls, 1, 'one chunk re-encoded');
      assert.ok(stats.chars <= typed.length + 1, `only that chunk's text was encoded (${stats.chars} chars)`);

      const edited = [...lines.slice(0, at), typed, ...lines.slice(at + 1)].join('\n');
      assert.equal(after.tokens, expectedChatTokens('o200k_base', edited));
    });

    it('every model on one encoding shares one pass, and a budget gives an approximate figure that completes later', () => {
      const { encoding, stats } = counting('o200k_base', (s) => real.count(s));
      const chunked = new ChunkedPrompt(lines);
      const partial = chunked.chatTokens(encoding, { budgetMs: 5 });
      assert.equal(partial.complete, false);
      const encodedSoFar = stats.calls;
      assert.ok(encodedSoFar < chunked.chunkCount, 'the budget stopped the pass');
      let result = partial;
      while (!result.complete) result = chunked.chatTokens(encoding, { budgetMs: 5 });
      const exact = new ChunkedPrompt(lines).chatTokens(real).tokens;
      assert.equal(result.tokens, exact);
      assert.ok(Math.abs(partial.tokens - exact) / exact < 0.5, `the approximation (${partial.tokens}) is in the right range of ${exact}`);
      const calls = stats.calls;
      chunked.chatTokens(encoding);
      assert.equal(stats.calls, calls, 'a second model on o200k_base reuses the pass');
    });

    it('every call with a budget encodes at least one new chunk, however long the walk over the counted ones takes', () => {
      // A spent budget (0 ms): a count that checked the clock before its first chunk made no
      // progress once walking the counted chunks outlasted the budget (a 40 MB document never completed).
      const { encoding, stats } = counting('o200k_base', (s) => real.count(s));
      const chunked = new ChunkedPrompt(lines.slice(0, 200));
      let calls = 0;
      let result;
      do {
        const before = stats.calls;
        result = chunked.chatTokens(encoding, { budgetMs: 0 });
        calls++;
        assert.ok(stats.calls > before, `call ${calls} encoded a chunk`);
      } while (!result.complete);
      assert.ok(calls > 1 && calls <= chunked.chunkCount, `${calls} calls for ${chunked.chunkCount} chunks`);
      assert.equal(result.tokens, new ChunkedPrompt(lines.slice(0, 200)).chatTokens(real).tokens);
    });
  });
});
