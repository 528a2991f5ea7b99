// Tokenizer benchmark: js-tiktoken vs gpt-tokenizer, side by side, in one run.
//
//   npx tsx bench/tokenizer.bench.ts            # ~0.94 MB generated text, o200k_base and cl100k_base
//   npx tsx bench/tokenizer.bench.ts --runs 5   # more fresh processes per library (median is reported)
//   npx tsx bench/tokenizer.bench.ts --file some.txt   # bench on a file of your own instead
//
// What is measured, per library and encoding, each time in a FRESH node process (no module cache,
// no warm merge cache, no JIT state shared with the other library):
//   - cold start: from just before `require()` of the library + its encoding to the end of the
//     first encode of a short string (what the first hover / status-bar count pays);
//   - first pass: one count over the whole text right after that (merge caches still cold);
//   - warm passes: three more counts over the same text; the median is reported.
// The text is generated deterministically (seeded PRNG, Zipf-like word choice, prose + code +
// JSON + non-Latin scripts + emoji), so the run is reproducible offline; its sha256 is printed.
// Both libraries must report the same token count on the text, else the bench exits non-zero.
// Special-token strings (`<|endoftext|>`) are counted as plain text by both, as the engine does.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { prng } from '../test/fake-llm/prng';

type Lib = 'js-tiktoken' | 'gpt-tokenizer';
type EncodingName = 'o200k_base' | 'cl100k_base';

interface ChildResult {
  coldStartMs: number;
  firstPassMs: number;
  warmPassMs: number[];
  tokens: number;
}

const TARGET_BYTES = 940_000;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

// ------------------------------------------------------------------------------------------
// Deterministic text
// ------------------------------------------------------------------------------------------

const WORDS = (
  'the of and to in a is that for it as was with be by on not he this are or his from at which but have an they ' +
  'you were her all she there would their we him been has when who will no more if out so said what up its about ' +
  'into than them can only other new some could time these two may then do first any my now such like our over ' +
  'man me even most made after also did many before must through back years where much your way well down should ' +
  'because each just those people how too little state good very make world still own see men work long get here ' +
  'between both life being under never day same another know while last might us great old year off come since ' +
  'against go came right used take three prompt model token cost latency cache request response provider stream ' +
  'profiler benchmark throughput encoding tokenizer context window output input budget estimate vendor pricing ' +
  'engineer deployment configuration extension editor workspace document paragraph sentence analysis evaluation ' +
  'quality summary question answer reasoning temperature completion message assistant system user function value ' +
  'internationalization misunderstanding counterproductive uncharacteristically electroencephalography'
).split(' ');

const IDENTS = (
  'request response model usage tokens cache price cost config provider client stream event error result count ' +
  'index value items options handler buffer offset length total input output message content role system user'
).split(' ');

const UNICODE_LINES = [
  'Le coût d’un prompt dépend du modèle, de la taille du contexte et du cache — voilà pourquoi on mesure.',
  'Die Kosten hängen vom Modell ab; größere Kontexte bedeuten höhere Rechnungen für Übersetzungen.',
  'プロンプトのコストはモデルとコンテキストの長さによって異なります。キャッシュを使うと安くなります。',
  '提示词的成本取决于模型、上下文长度以及缓存命中率，因此我们需要测量每个请求。',
  'Стоимость запроса зависит от модели и длины контекста; кэш снижает расходы.',
  'تعتمد تكلفة الطلب على النموذج وطول السياق، والتخزين المؤقت يقلل التكاليف.',
  '비용은 모델과 컨텍스트 길이에 따라 달라집니다. 캐시를 사용하면 비용이 줄어듭니다.',
  'Emoji check: 🚀 ship it, 🧪 test it, 💸 count it, 👩🏽‍💻 code it, 🇫🇷🇯🇵 flags, ✅ done.',
  'Math: ∑ᵢ xᵢ² ≤ ∞, α β γ δ ε, ≈ ≠ ≥ ≤ → ⇒ ∀ ∃ ∈ ∉, ½ ¼ ¾, “quotes” ‘single’ … and <|endoftext|> as text.',
];

export function generateText(targetBytes = TARGET_BYTES, seed = 20260917): string {
  const rnd = prng(seed);
  const zipf = (n: number) => Math.min(n - 1, Math.floor(n * Math.pow(rnd(), 2.2)));
  const word = () => WORDS[zipf(WORDS.length)]!;
  const ident = () => {
    const a = IDENTS[Math.floor(rnd() * IDENTS.length)]!;
    const b = IDENTS[Math.floor(rnd() * IDENTS.length)]!;
    return a + b[0]!.toUpperCase() + b.slice(1) + (rnd() < 0.2 ? String(Math.floor(rnd() * 100)) : '');
  };
  const parts: string[] = [];
  let bytes = 0;
  const push = (s: string) => {
    parts.push(s);
    bytes += Buffer.byteLength(s, 'utf8');
  };
  while (bytes < targetBytes) {
    const kind = rnd();
    if (kind < 0.55) {
      // A prose paragraph.
      const sentences = 2 + Math.floor(rnd() * 5);
      const out: string[] = [];
      for (let s = 0; s < sentences; s++) {
        const n = 6 + Math.floor(rnd() * 18);
        const w: string[] = [];
        for (let i = 0; i < n; i++) w.push(rnd() < 0.03 ? String(Math.floor(rnd() * 100_000)) : word());
        w[0] = w[0]![0]!.toUpperCase() + w[0]!.slice(1);
        out.push(w.join(rnd() < 0.1 ? ', ' : ' ') + (rnd() < 0.1 ? '?' : '.'));
      }
      push(out.join(' ') + '\n\n');
    } else if (kind < 0.85) {
      // A TypeScript-like function.
      const fn = ident();
      const lines = [`export function ${fn}(${ident()}: number, ${ident()}?: string): Promise<${ident()}> {`];
      const body = 2 + Math.floor(rnd() * 8);
      for (let i = 0; i < body; i++) {
        const r = rnd();
        if (r < 0.4) lines.push(`  const ${ident()} = ${ident()}.${ident()}(${Math.floor(rnd() * 1000)}, '${word()}');`);
        else if (r < 0.7) lines.push(`  if (${ident()} >= ${ident()}.length) return ${ident()} ?? null;`);
        else lines.push(`  // ${word()} ${word()} ${word()} ${word()}`);
      }
      lines.push('}');
      push(lines.join('\n') + '\n\n');
    } else if (kind < 0.95) {
      // A JSON fragment.
      const obj: Record<string, unknown> = {};
      const keys = 2 + Math.floor(rnd() * 6);
      for (let i = 0; i < keys; i++) obj[ident()] = rnd() < 0.5 ? Math.round(rnd() * 1e6) / 100 : `${word()} ${word()}`;
      push(JSON.stringify(obj, null, 2) + '\n');
    } else {
      push(UNICODE_LINES[Math.floor(rnd() * UNICODE_LINES.length)]! + '\n');
    }
  }
  // Trim to the exact byte budget on a character boundary.
  let text = parts.join('');
  while (Buffer.byteLength(text, 'utf8') > targetBytes) text = text.slice(0, -1);
  return text;
}

// ------------------------------------------------------------------------------------------
// Child process (plain CommonJS, no tsx) that loads ONE library and measures it
// ------------------------------------------------------------------------------------------

function childSource(lib: Lib, encoding: EncodingName, textFile: string): string {
  const load =
    lib === 'js-tiktoken'
      ? `const { Tiktoken } = require(${JSON.stringify(require.resolve('js-tiktoken/lite'))});
         const ranks = require(${JSON.stringify(require.resolve(`js-tiktoken/ranks/${encoding}`))});
         const enc = new Tiktoken(ranks.default ?? ranks);
         const count = (t) => enc.encode(t, [], []).length;`
      : `const api = require(${JSON.stringify(require.resolve(`gpt-tokenizer/encoding/${encoding}`))});
         const opts = { disallowedSpecial: new Set() };
         const count = (t) => api.countTokens(t, opts);`;
  return `
    const { performance } = require('node:perf_hooks');
    const fs = require('node:fs');
    const t0 = performance.now();
    ${load}
    count('hello world');
    const coldStartMs = performance.now() - t0;
    const text = fs.readFileSync(${JSON.stringify(textFile)}, 'utf8');
    let t = performance.now();
    const tokens = count(text);
    const firstPassMs = performance.now() - t;
    const warmPassMs = [];
    for (let i = 0; i < 3; i++) {
      t = performance.now();
      if (count(text) !== tokens) throw new Error('non-deterministic count');
      warmPassMs.push(performance.now() - t);
    }
    process.stdout.write(JSON.stringify({ coldStartMs, firstPassMs, warmPassMs, tokens }));
  `;
}

function runChild(lib: Lib, encoding: EncodingName, textFile: string): ChildResult {
  const r = spawnSync(process.execPath, ['-e', childSource(lib, encoding, textFile)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`${lib} ${encoding} child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ChildResult;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

// ------------------------------------------------------------------------------------------

function main(): void {
  const runs = Number(arg('--runs') ?? 3);
  const file = arg('--file');
  const text = file ? fs.readFileSync(file, 'utf8') : generateText();
  const bytes = Buffer.byteLength(text, 'utf8');
  const sha = createHash('sha256').update(text).digest('hex');
  const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tokbench-')), 'text.txt');
  fs.writeFileSync(tmp, text);

  const version = (p: string) =>
    (JSON.parse(fs.readFileSync(require.resolve(`${p}/package.json`, { paths: [process.cwd()] }), 'utf8')) as { version: string })
      .version;
  let jsTiktokenVersion = '?';
  try {
    jsTiktokenVersion = JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve('js-tiktoken')), '..', 'package.json'), 'utf8')).version;
  } catch {
    /* informational only */
  }
  console.log('Tokenizer benchmark: js-tiktoken vs gpt-tokenizer');
  console.log(
    `node ${process.version} · ${os.cpus()[0]?.model ?? '?'} ×${os.cpus().length} · js-tiktoken ${jsTiktokenVersion} · gpt-tokenizer ${version('gpt-tokenizer')}`,
  );
  console.log(`text: ${file ?? 'generated'} · ${bytes.toLocaleString('en-US')} bytes · ${text.length.toLocaleString('en-US')} chars · sha256 ${sha.slice(0, 16)}…`);
  console.log(`${runs} fresh process(es) per library and encoding; medians reported\n`);

  let mismatch = false;
  for (const encoding of ['o200k_base', 'cl100k_base'] as const) {
    const results: Record<Lib, ChildResult[]> = { 'js-tiktoken': [], 'gpt-tokenizer': [] };
    for (let i = 0; i < runs; i++) {
      // Alternate so neither library always runs on a "cooler" machine.
      for (const lib of (i % 2 ? ['gpt-tokenizer', 'js-tiktoken'] : ['js-tiktoken', 'gpt-tokenizer']) as Lib[]) {
        results[lib].push(runChild(lib, encoding, tmp));
      }
    }
    const summary = (lib: Lib) => {
      const rs = results[lib];
      const tokens = rs[0]!.tokens;
      const cold = median(rs.map((r) => r.coldStartMs));
      const first = median(rs.map((r) => r.firstPassMs));
      const warm = median(rs.flatMap((r) => r.warmPassMs));
      return { tokens, cold, first, warm, firstMtok: tokens / first / 1e3, warmMtok: tokens / warm / 1e3 };
    };
    const a = summary('js-tiktoken');
    const b = summary('gpt-tokenizer');
    const same = a.tokens === b.tokens && results['js-tiktoken'].concat(results['gpt-tokenizer']).every((r) => r.tokens === a.tokens);
    if (!same) mismatch = true;
    const row = (name: string, s: typeof a) =>
      `  ${name.padEnd(14)} ${s.cold.toFixed(0).padStart(7)} ms ${s.firstMtok.toFixed(3).padStart(10)} ${s.warmMtok.toFixed(3).padStart(10)}   ${s.tokens.toLocaleString('en-US')}`;
    console.log(`${encoding}`);
    console.log(`  ${'library'.padEnd(14)} ${'cold start'.padStart(10)} ${'1st Mtok/s'.padStart(10)} ${'warm Mtok/s'.padStart(10)}   tokens`);
    console.log(row('js-tiktoken', a));
    console.log(row('gpt-tokenizer', b));
    console.log(
      `  ratio gpt-tokenizer/js-tiktoken: cold start ×${(b.cold / a.cold).toFixed(2)} (faster ×${(a.cold / b.cold).toFixed(1)}), ` +
        `first-pass throughput ×${(b.firstMtok / a.firstMtok).toFixed(1)}, warm throughput ×${(b.warmMtok / a.warmMtok).toFixed(1)}`,
    );
    console.log(`  identical token counts: ${same ? 'yes' : 'NO'}\n`);
  }
  fs.rmSync(path.dirname(tmp), { recursive: true, force: true });
  if (mismatch) {
    console.error('Token counts differ between the libraries.');
    process.exitCode = 1;
  }
}

main();
