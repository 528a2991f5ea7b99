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

      it('a count after every keystroke, Enter and deleted line of a prompt with sections is exact (an edit carries the total over)', function () {
        this.timeout(30_000);
        const rnd = prng(enc === 'o200k_base' ? 21 : 22);
        let lines = ['---', 'system: From the front matter.', 'sample:', '  topic: tokens', '---', ...promptLines(8_000, 5, { sections: true })];
        const chunked = new ChunkedPrompt(lines);
        chunked.chatTokens(real);
        for (let step = 0; step < 300; step++) {
          const at = 5 + Math.floor(rnd() * (lines.length - 5));
          const r = rnd();
          const line = lines[at];
          const col = Math.floor(rnd() * (line.length + 1));
          let deleteCount = 1;
          let insert: string[];
          if (r < 0.7) insert = [line.slice(0, col) + ['a', ' ', '/', '{', '.', '\t', '{{topic}}', 'user:', ''][Math.floor(rnd() * 9)] + line.slice(col)];
          else if (r < 0.85) insert = [line.slice(0, col), line.slice(col)];
          else {
            deleteCount = Math.min(1 + Math.floor(rnd() * 2), lines.length - at);
            insert = [];
          }
          lines = [...lines.slice(0, at), ...insert, ...lines.slice(at + deleteCount)];
          chunked.edit(at, deleteCount, insert);
          // Now and then two or three edits before a count (typing faster than the lens asks).
          if (rnd() < 0.3) continue;
          assert.equal(chunked.chatTokens(real).tokens, expectedChatTokens(enc, lines.join('\n')), `tokens after edit ${step}`);
        }
      });

      it('typing inside one of two system sections (counted as one text) is exact, whatever its chunks counted before', () => {
        const prose = (n: number, w: string) => Array.from({ length: n }, (_, i) => `${w} line ${i} of the section.`);
        // Counted first as a user message: the chunks keep those counts once a header makes them a system message.
        let lines = ['system:', ...prose(4, 'First'), 'user:', ...prose(12, 'Later'), 'user:', 'Q?', 'system:', 'Last.'];
        const chunked = new ChunkedPrompt(lines);
        chunked.chatTokens(real);
        const edit = (at: number, deleteCount: number, insert: string[]) => {
          lines = [...lines.slice(0, at), ...insert, ...lines.slice(at + deleteCount)];
          chunked.edit(at, deleteCount, insert);
          assert.equal(chunked.chatTokens(real).tokens, expectedChatTokens(enc, lines.join('\n')), lines.join('|'));
        };
        edit(6, 0, ['system:']);
        edit(12, 1, [lines[12] + ' typed']);
      });

      it('typing next to a header added since the last count is exact (the chunks beside it start or end a message now)', () => {
        const prose = (n: number) => Array.from({ length: n }, (_, i) => `Prose line ${i} here.`);
        for (let offset = -3; offset <= 3; offset++) {
          let lines = ['user:', ...prose(20)];
          const chunked = new ChunkedPrompt(lines);
          chunked.chatTokens(real);
          const edit = (at: number, deleteCount: number, insert: string[]) => {
            lines = [...lines.slice(0, at), ...insert, ...lines.slice(at + deleteCount)];
            chunked.edit(at, deleteCount, insert);
            assert.equal(chunked.chatTokens(real).tokens, expectedChatTokens(enc, lines.join('\n')), `offset ${offset}: ${lines.join('|')}`);
          };
          edit(10, 0, ['assistant:']);
          const at = 10 + offset + (offset >= 0 ? 1 : 0);
          edit(at, 1, [lines[at] + ' typed']);
          edit(at, 1, [lines[at] + '   ']); // trailing spaces: a message's last chunk is counted trimmed
          edit(at, 1, [lines[at] + '\t?']);
        }
        // The document's last line, once followed by others.
        let lines = prose(20);
        const chunked = new ChunkedPrompt(lines);
        chunked.chatTokens(real);
        lines = lines.slice(0, 17);
        chunked.edit(17, 3, []);
        assert.equal(chunked.chatTokens(real).tokens, expectedChatTokens(enc, lines.join('\n')));
        for (const typed of ['   ', ' x', '\t']) {
          lines = [...lines.slice(0, 16), lines[16] + typed];
          chunked.edit(16, 1, [lines[16]]);
          assert.equal(chunked.chatTokens(real).tokens, expectedChatTokens(enc, lines.join('\n')), JSON.stringify(lines[16]));
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

    it("a keystroke's count reads the counts of the chunks it changed, not of every chunk", () => {
      const chunked = new ChunkedPrompt(lines);
      chunked.chatTokens(real);
      const at = lines.findIndex((l, i) => i > lines.length / 2 && /^[a-z]{3,} [a-z]/.test(l));
      const typed = lines[at].slice(0, 2) + 'x' + lines[at].slice(2);
      const edited = [...lines.slice(0, at), typed, ...lines.slice(at + 1)];
      /** Map reads during `f`: a walk over the chunks reads each one's cached count. */
      const mapReads = <T>(f: () => T): { value: T; reads: number } => {
        const get = Map.prototype.get;
        let reads = 0;
        Map.prototype.get = function (this: Map<unknown, unknown>, k: unknown) {
          reads++;
          return get.call(this, k);
        };
        try {
          return { value: f(), reads };
        } finally {
          Map.prototype.get = get;
        }
      };
      chunked.edit(at, 1, [typed]);
      const keystroke = mapReads(() => chunked.chatTokens(real).tokens);
      assert.equal(keystroke.value, expectedChatTokens('o200k_base', edited.join('\n')));
      assert.ok(keystroke.reads < 20, `${keystroke.reads} map reads for ${chunked.chunkCount} chunks`);
      // The same document counted from scratch walks every chunk (what the figure above is not).
      const walk = mapReads(() => new ChunkedPrompt(edited).chatTokens({ name: 'o200k_base', count: () => 1 }));
      assert.ok(walk.reads >= chunked.chunkCount, `a full count reads ${walk.reads}`);
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
