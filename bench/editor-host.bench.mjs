// The extension-host half of issue 16, measured in the harness's real VS Code (code-server +
// headless Chromium): activation vs a trivial extension, our time per keystroke in 10 KB /
// 100 KB / 1 MB / 40 MB prompt files (change listener, CodeLens, hover, status bar), the answer
// cache with 10k entries, and the host's RSS over 10 runs. Prints the figures; --json for JSON.
//   npm run build && flock /tmp/pp-bench.lock node --import tsx bench/editor-host.bench.mjs [--sizes 10000,100000] [--parts 'keystrokes;rss'] [--json]
// Parts separated by ';' run in sessions of their own (default 'activation,keystrokes,cache;rss').
// (The streaming half lives in bench/editor.bench.mjs.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runTests } from '@vscode/test-electron';
import * as esbuild from 'esbuild';
import { paths } from '../test/vscode/paths.mjs';
import { assertSetupDone } from '../test/vscode/session.mjs';

const { values } = parseArgs({ options: { sizes: { type: 'string' }, parts: { type: 'string' }, json: { type: 'boolean', default: false } } });
assertSetupDone();
if (!fs.existsSync(path.join(paths.root, 'dist', 'extension.js'))) throw new Error('run `npm run build` first');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-editor-host-bench-'));
const entry = path.join(dir, 'host.js');
await esbuild.build({
  entryPoints: [path.join(paths.root, 'bench', 'editor-host', 'host.ts')],
  outfile: entry,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  logLevel: 'silent',
});
const workspace = path.join(dir, 'workspace');
fs.mkdirSync(workspace);
const { startFakeLlm } = await import(path.join(paths.root, 'test', 'fake-llm', 'server.ts'));
const fakeLlm = await startFakeLlm();
/** One VS Code session running the given parts of host.ts; its JSON result. */
async function session(parts) {
  const out = path.join(dir, `result-${parts.replace(/,/g, '-')}.json`);
  let code;
  try {
    code = await runTests({
      vscodeExecutablePath: paths.launcher,
      extensionDevelopmentPath: paths.root,
      extensionTestsPath: entry,
      launchArgs: [workspace],
      extensionTestsEnv: {
        PP_BENCH_OUT: out,
        PP_BENCH_PARTS: parts,
        PP_BENCH_LOG: path.join(dir, 'progress.log'),
        PP_BENCH_ROOT: paths.root,
        ...(values.sizes ? { PP_BENCH_SIZES: values.sizes } : {}),
        OPENAI_BASE_URL: fakeLlm.openaiBaseURL,
        ANTHROPIC_BASE_URL: fakeLlm.anthropicBaseURL,
        OPENAI_API_KEY: 'sk-test-openai',
        ANTHROPIC_API_KEY: 'sk-ant-test',
      },
      reuseMachineInstall: true,
    });
  } catch (e) {
    code = e?.code ?? 1;
  }
  return fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, 'utf8')) : { error: `no result (exit ${code})` };
}
const parts = values.parts ?? 'activation,keystrokes,cache;rss';
const results = [];
try {
  for (const p of parts.split(';')) results.push(await session(p));
} finally {
  await fakeLlm.close?.();
}
const errors = results.map((x) => x.error).filter(Boolean);
// Sessions' results merged: a section a session did not run (empty or absent) does not replace another's.
const r = Object.assign({}, ...results.map((x) => Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined && !(Array.isArray(v) && !v.length)))), {
  error: errors.length ? errors.join('\n') : undefined,
});
fs.rmSync(dir, { recursive: true, force: true });
if (values.json) {
  console.log(JSON.stringify(r, null, 2));
  process.exit(r.error ? 1 : 0);
}
const ms = (x) => (x === null || x === undefined ? '—' : `${x.toFixed(x < 10 ? 2 : 0)} ms`);
console.log(`VS Code ${r.vscode}`);
if (r.activation) {
  const a = r.activation;
  console.log(`\nactivation (require + activate, median of 7, interleaved):`);
  console.log(`  trivial extension ${ms(a.trivialMs)} · ours ${ms(a.oursMs)} (require ${ms(a.oursRequireMs)}) · ratio ×${a.ratio.toFixed(1)} (target ≤ ×3)`);
  console.log(`  through VS Code's ext.activate(): ${ms(a.viaVsCodeActivateMs)} · vendor files loaded by activation: ${a.vendorsLoadedByActivation.length ? a.vendorsLoadedByActivation.join(', ') : 'none'}`);
}
for (const k of r.keystrokes ?? []) {
  console.log(`\n${(k.bytes / 1000).toLocaleString('en-US')} KB prompt, ${k.strokes} keystrokes (our time, p50 / p95):`);
  console.log(`  listener ${ms(k.listener.p50)} / ${ms(k.listener.p95)} · CodeLens ${ms(k.lens.p50)} / ${ms(k.lens.p95)} · hover ${ms(k.hover.p50)} / ${ms(k.hover.p95)} · status bar ${ms(k.status.p50)} / ${ms(k.status.p95)}`);
  console.log(`  total ${ms(k.total.p50)} / ${ms(k.total.p95)} (target ≤ 5 ms at 1 MB) · longest host stall ${ms(k.maxEventLoopStallMs)} (target ≤ 50 ms at 40 MB)`);
  console.log(`  cold: CodeLens ${ms(k.cold.lensMs)}, hover ${ms(k.cold.hoverMs)}, status bar ${ms(k.cold.statusMs)}, exact figure after ${ms(k.cold.untilExactMs)} · while typing the lens reads "${k.lensTitleWhileTyping}" · exact again ${ms(k.exactAfterLastKeystrokeMs)} after the last keystroke`);
}
if (r.cache) {
  const c = r.cache;
  console.log(`\nanswer cache, ${c.entries.toLocaleString('en-US')} entries on disk:`);
  console.log(`  first write after a restart: the caller waits ${ms(c.firstWrite.reportedAfterMs)}; the write + folder listing finish ${ms(c.firstWrite.backgroundMs)} later, in the background`);
  console.log(`  over maxEntries (evicting 5,000): the caller waits ${ms(c.evict.reportedAfterMs)}; eviction done after ${ms(c.evict.backgroundMs)}`);
  console.log(`  hit from disk (fresh instance) ${ms(c.diskHitMs)} · from memory ${ms(c.memoryHitMs)} · stats() ${ms(c.statsMs)} · stats({ rescan }) ${ms(c.rescanMs)}`);
}
if (r.rss) console.log(`\nhost RSS over ${r.rss.runs} runs (MB): ${r.rss.rssMb.join(' → ')} · ${r.rss.perRunMb.toFixed(1)} MB per run · panel message log present: ${r.rss.posted}`);
if (r.error) {
  console.error(`\nerror: ${r.error}`);
  process.exit(1);
}
