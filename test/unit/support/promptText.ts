// Deterministic prompt texts for the chunked-count tests and benches: prose, code, JSON, chat
// sections, `{{variables}}`, and the line starts the chunking rule must get right (blank lines,
// indentation, '/', '{', punctuation at line ends, special-token strings).

import { prng } from '../../fake-llm/prng';

const WORDS = 'the a prompt model cost token cache answer stream latency price input output system user budget count'.split(' ');
const SPECIAL = [
  '',
  '   indented line',
  '/path/like/this and // a comment',
  '{ "json": [1, 2, 3] }',
  '{{topic}} starts this line',
  'ends with punctuation.',
  'ends with a colon:',
  '\ttab first',
  '<|endoftext|> as plain text',
  '-- dashes',
  'Ünïcödé ✅ 🚀 プロンプト',
  '123456789 numbers',
  "it's they're we'll",
];

/** About `bytes` UTF-16 characters of prompt-like lines. `sections` mixes in `system:` / `user:` headers. */
export function promptLines(bytes: number, seed: number, options: { sections?: boolean } = {}): string[] {
  const rnd = prng(seed);
  const lines: string[] = [];
  let size = 0;
  while (size < bytes) {
    const r = rnd();
    let line: string;
    if (options.sections && r < 0.02) line = ['system:', 'user:', 'assistant:', 'User:'][Math.floor(rnd() * 4)];
    else if (r < 0.3) line = SPECIAL[Math.floor(rnd() * SPECIAL.length)];
    else {
      const n = 3 + Math.floor(rnd() * 14);
      const w: string[] = [];
      for (let i = 0; i < n; i++) w.push(WORDS[Math.floor(rnd() * WORDS.length)]);
      line = w.join(rnd() < 0.2 ? ', ' : ' ') + (rnd() < 0.3 ? '.' : '');
      if (rnd() < 0.3) line = line[0].toUpperCase() + line.slice(1);
    }
    lines.push(line);
    size += line.length + 1;
  }
  return lines;
}
