// The editor at scale (issue 16), measured inside the harness's real VS Code (code-server +
// headless Chromium, test/vscode/session.mjs) with the project's fake LLM server in this process:
// activation vs trivial extensions, our time per keystroke in 10 KB – 40 MB prompts, the answer
// cache with 10k entries, host RSS over 10 runs, streaming N models at R tok/s, and the fake
// server's chunking. Every figure in one run; `--sections` picks some.
//
//   flock /tmp/pp-bench.lock flock /tmp/pp-vscode.lock node --import tsx bench/editor.bench.mjs \
//     [--sections activation,keystrokes,cache,rss,streaming,fake-llm-chunking] [--sizes 10000,1000000] [--keystrokes 100]
//     [--baseline main] [--models 2,5] [--rates 200,2000,5000] [--repeats 1] [--json FILE]
//     [--vscode-settings '{"merge-conflict.decorators.enabled":false}']
//
// Needs `npm run build` first. `--baseline REF` also builds REF's extension (git archive into a
// temp dir, this worktree's node_modules) and runs the streaming section against both, side by
// side. The extension-host sections (bench/support/editor-host.ts, run as the tests entry) run on
// this worktree's build: activation, keystrokes and cache in one VS Code session, rss in another.
//
// The bench is a list of named SECTIONS; each gets `builds()` (the extension builds, made on first
// call), the fake server and the arguments, and prints its own table.
// Add a section by appending { name, describe, run } to SECTIONS.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { startSession, installSignalHandlers, closeAllSessions } from '../test/vscode/session.mjs';
import { createUi, waitUntil } from '../test/vscode/ui-walk.mjs';
import { paths } from '../test/vscode/paths.mjs';
import { startFakeLlm } from '../test/fake-llm/server.ts';
import { prng } from '../test/fake-llm/prng.ts';
import { capTokens, chunkText, chunkTextByPrefix } from '../test/fake-llm/textgen.ts';
import { countText } from '../test/fake-llm/tokens.ts';

const { values: args } = parseArgs({
  options: {
    sections: { type: 'string', default: '' },
    baseline: { type: 'string' },
    models: { type: 'string', default: '2,5' },
    rates: { type: 'string', default: '200,2000,5000' },
    repeats: { type: 'string', default: '1' },
    sizes: { type: 'string', default: '10000,100000,1000000,40000000' },
    // Keystrokes per prompt size (10 at most from 10 MB on).
    keystrokes: { type: 'string', default: '100' },
    json: { type: 'string' },
    // User settings (JSON) for the extension-host sessions, e.g. to turn another extension off.
    'vscode-settings': { type: 'string' },
  },
});

const MODELS = ['openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5', 'openai:gpt-4o', 'anthropic:claude-sonnet-4-5', 'openai:gpt-4.1-mini'];
const median = (xs) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] : NaN);
const pct = (xs, q) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)] : NaN);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (s) => console.error(`[bench] ${s}`);

// ---- Sections ------------------------------------------------------------------------------------

const SECTIONS = [
  {
    name: 'activation',
    describe: 'activate() through VS Code against trivial extensions in the same host; what activation loads',
    run: (ctx) => hostSection(ctx, 'activation', printActivation),
  },
  {
    name: 'keystrokes',
    describe: 'our time per keystroke (change listener, CodeLens, hover, status bar) in prompts of --sizes characters; host stalls; the exact count of a large one',
    run: (ctx) => hostSection(ctx, 'keystrokes', printKeystrokes),
  },
  {
    name: 'cache',
    describe: 'the answer cache with 10k entries: first write after a restart, eviction, hits, stats',
    run: (ctx) => hostSection(ctx, 'cache', printCache),
  },
  {
    name: 'rss',
    describe: 'extension host RSS over 10 runs of Profile Prompt on two models (a session of its own)',
    run: (ctx) => hostSection(ctx, 'rss', printRss),
  },
  {
    name: 'fake-llm-chunking',
    describe: "the fake server's stream chunking of a 20k-token answer: linear chunkText vs decoding every prefix (what it replaced)",
    run: chunkingSection,
  },
  {
    name: 'streaming',
    describe: 'N models streaming at R tok/s each: arrival rate per column vs the server, lag after the server ends, long frames, key round trip',
    run: streamingSection,
  },
];

// ---- Extension host sections ---------------------------------------------------------------------

/** Sections of bench/support/editor-host.ts that share one VS Code session; rss gets its own. */
const HOST_GROUPS = [['activation', 'keystrokes', 'cache'], ['rss']];
const TRIVIAL_EXTENSIONS = 9;
const hostResults = new Map();

/** A real trivial extension (one command, activated by it), as VS Code installs one. */
function trivialExtension(dir, i) {
  const command = `ppBenchTrivial${i}.hello`;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: `trivial-${i}`, publisher: 'pp-bench', version: '0.0.1', engines: { vscode: '^1.90.0' }, main: './extension.js', activationEvents: [`onCommand:${command}`], contributes: { commands: [{ command, title: `Trivial ${i}` }] } }),
  );
  fs.writeFileSync(path.join(dir, 'extension.js'), `const vscode = require('vscode');\nexports.activate = (context) => { context.subscriptions.push(vscode.commands.registerCommand('${command}', () => 'hello')); };\n`);
  return dir;
}

/** Runs the wanted sections of `name`'s group in one VS Code session (once), then prints `name`'s part. */
async function hostSection({ fake, wanted }, name, print) {
  const group = HOST_GROUPS.find((g) => g.includes(name)).filter((s) => wanted.includes(s));
  const key = group.join(',');
  if (!hostResults.has(key)) hostResults.set(key, runHost(fake, group));
  const r = await hostResults.get(key);
  if (r.error) log(`host sections ${key}: ${r.error}`);
  if (r.vscode) log(`VS Code ${r.vscode}`);
  if (r[name] !== undefined) print(r[name], r);
  return r[name];
}

async function runHost(fake, parts) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-editor-host-bench-'));
  const entry = path.join(dir, 'host.js');
  try {
    await esbuild.build({
      entryPoints: [path.join(paths.root, 'bench', 'support', 'editor-host.ts')],
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
    const out = path.join(dir, 'result.json');
    const trivial = Array.from({ length: TRIVIAL_EXTENSIONS }, (_, i) => trivialExtension(path.join(dir, `trivial-${i}`), i));
    const load = os.loadavg()[0];
    let resolveExit;
    const exited = new Promise((r) => (resolveExit = r));
    const session = await startSession({
      folder: workspace,
      extensionDevelopmentPath: paths.root,
      extensionTestsPath: entry,
      extensions: [paths.lmTestExtension, ...trivial],
      ...(args['vscode-settings'] ? { settings: JSON.parse(args['vscode-settings']) } : {}),
      onExit: resolveExit,
      env: {
        PP_BENCH_OUT: out,
        PP_BENCH_PARTS: parts.join(','),
        PP_BENCH_LOG: path.join(dir, 'progress.log'),
        PP_BENCH_ROOT: paths.root,
        PP_BENCH_SIZES: args.sizes,
        PP_BENCH_KEYSTROKES: args.keystrokes,
        OPENAI_BASE_URL: fake.openaiBaseURL,
        ANTHROPIC_BASE_URL: fake.anthropicBaseURL,
        OPENAI_API_KEY: 'sk-test-openai',
        ANTHROPIC_API_KEY: 'sk-ant-test',
      },
    });
    try {
      let timer;
      const code = await Promise.race([exited, new Promise((r) => (timer = setTimeout(() => r('a timeout (15 min)'), 900_000)))]);
      clearTimeout(timer);
      if (code !== 0) log(`host session (${parts}) ended with ${code}`);
    } finally {
      await session.close();
    }
    const r = fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, 'utf8')) : { error: 'no result' };
    return { ...r, load };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const ms = (x) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : `${x.toFixed(x < 10 ? 2 : 0)} ms`);

function printActivation(a, r) {
  console.log(`\n## activation (through VS Code's ext.activate(), in one host, once it was idle for 2 s (after ${ms(a.waitedForIdleMs)}); load ${r.load.toFixed(1)})\n`);
  console.log('| extension | activate() | ratio (target ≤ ×3) | require of the bundle alone |');
  console.log('|---|---:|---:|---:|');
  console.log(`| trivial, the host's first activations (warm-up, not counted: ${(a.warmUpMs ?? []).map((x) => x.toFixed(1)).join(', ')}) | | | |`);
  console.log(`| trivial (median of ${a.trivialAllMs.length}, ours in the middle: ${a.trivialAllMs.map((x) => x.toFixed(1)).join(', ')}) | ${ms(a.trivialMs)} | | ${ms(a.requireTrivialMs)} |`);
  console.log(`| Prompt Profiler (${(a.bundleBytes / 1024).toFixed(0)} KB dist/extension.js) | ${ms(a.oursMs)} | ${a.ratio === null ? '— (already active)' : `×${a.ratio.toFixed(1)}`} | ${ms(a.requireOursMs)} |`);
  console.log(`\nloaded by our activation: ${a.loadedByActivation.join(', ') || 'nothing new'}; vendor files: ${a.vendorsLoadedByActivation.join(', ') || 'none'}`);
}

function printKeystrokes(rows, r) {
  console.log(`\n## keystrokes (our time per keystroke, p50 / p95; load ${r.load.toFixed(1)})\n`);
  console.log('| prompt | keystrokes | listener | CodeLens | hover | status bar | total | host stall: open / typing | exact figure after the last keystroke | lens while typing → after |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  const pair = (c) => `${ms(c.p50)} / ${ms(c.p95)}`;
  for (const k of rows) {
    console.log(
      `| ${(k.bytes / 1000).toLocaleString('en-US')} KB | ${k.strokes} | ${pair(k.listener)} | ${pair(k.lens)} | ${pair(k.hover)} | ${pair(k.status)} | ${pair(k.total)} | ${ms(k.openStallMs)} / ${ms(k.maxEventLoopStallMs)} | ${k.exactComplete ? ms(k.exactAfterLastKeystrokeMs) : 'never'} | ${k.lensTitleWhileTyping} → ${k.lensTitleAfter} |`,
    );
  }
  console.log('\nlongest host stall while typing, by what was running when it ended:');
  for (const k of rows) console.log(`  ${(k.bytes / 1000).toLocaleString('en-US')} KB: ${Object.entries(k.stallByPhase ?? {}).map(([p, v]) => `${p} ${ms(v)}`).join(' · ')}`);
  console.log(`\nkeystrokes over ${rows[0]?.slow.over ?? 5} ms of our time, and the host's GC pauses while typing:`);
  for (const k of rows) {
    const g = k.gcWhileTyping;
    console.log(
      `  ${(k.bytes / 1000).toLocaleString('en-US')} KB: ${k.slow.count} of ${k.strokes} (${k.slow.withGc} overlapped a GC pause${k.slow.withGc ? `: ${k.slow.gcMs.filter((x) => x > 0).map(ms).join(', ')}` : ''}); GC ${g.pauses} pauses, ${ms(g.totalMs)} in all, longest ${ms(g.longestMs)}`,
    );
  }
}

function printCache(c) {
  console.log(`\n## answer cache, ${c.entries.toLocaleString('en-US')} entries on disk\n`);
  console.log(`first write after a restart: the caller waits ${ms(c.firstWrite.reportedAfterMs)}; the write + folder listing finish ${ms(c.firstWrite.backgroundMs)} later, in the background`);
  console.log(`over maxEntries (evicting 5,000): the caller waits ${ms(c.evict.reportedAfterMs)}; eviction done after ${ms(c.evict.backgroundMs)}`);
  console.log(`hit from disk (fresh instance) ${ms(c.diskHitMs)} · from memory ${ms(c.memoryHitMs)} · stats() ${ms(c.statsMs)} · stats({ rescan }) ${ms(c.rescanMs)}`);
}

function printRss(x) {
  console.log(`\n## host RSS over ${x.runs} runs (MB)\n`);
  console.log(`${x.rssMb.join(' → ')} · ${x.perRunMb.toFixed(1)} MB per run after the first · panel message log present: ${x.posted}`);
}

// ---- Fake server chunking ------------------------------------------------------------------------

async function chunkingSection() {
  const text = markdownAnswer(MAX_ANSWER_TOKENS, 1);
  const time = (f) => {
    const t = performance.now();
    const n = f().length;
    return { ms: performance.now() - t, n };
  };
  chunkText(text, 4, 'o200k_base'); // warm the tokenizer
  const now = time(() => chunkText(text, 4, 'o200k_base'));
  const before = time(() => chunkTextByPrefix(text, 4, 'o200k_base'));
  console.log(`\n## fake-llm-chunking (${MAX_ANSWER_TOKENS} tokens, 4 per chunk)\n`);
  console.log('| chunking | chunks | time |');
  console.log('|---|---:|---:|');
  console.log(`| every prefix decoded (before) | ${before.n} | ${before.ms.toFixed(0)} ms |`);
  console.log(`| linear chunkText (now) | ${now.n} | ${now.ms.toFixed(0)} ms |`);
  console.log(`| **before / now** | | **${(before.ms / now.ms).toFixed(0)}×** |`);
}

// ---- Streaming -----------------------------------------------------------------------------------

/** Seconds of streaming per scenario (answers of rate × this many tokens, at most 20k). */
const STREAM_SECONDS = 10;
const MAX_ANSWER_TOKENS = 20_000;
/** The first token waits this long, so the bench can focus the editor and start its probes. */
const TTFT_MS = 6000;

/** A deterministic Markdown answer of exactly `tokens` o200k tokens: headings, paragraphs, lists, code. */
function markdownAnswer(tokens, seed) {
  const rand = prng(seed);
  const words = 'the a model token cost latency cache stream answer budget fast careful clear measure compare every window context output input price request server value result test run quality score editor plan step detail example summary and of to in for on with'.split(' ');
  const sentence = () => {
    const n = 8 + Math.floor(rand() * 12);
    const w = Array.from({ length: n }, () => words[Math.floor(rand() * words.length)]);
    if (rand() < 0.3) w[2] = `**${w[2]}**`;
    if (rand() < 0.2) w[5] = `\`${w[5]}\``;
    return w.join(' ').replace(/^./, (c) => c.toUpperCase()) + '.';
  };
  const parts = [];
  let text = '';
  for (let section = 1; countText(text) < tokens + 50; section++) {
    parts.push(`## Part ${section}\n`);
    for (let p = 0; p < 3; p++) parts.push(Array.from({ length: 3 + Math.floor(rand() * 4) }, sentence).join(' ') + '\n');
    parts.push(Array.from({ length: 4 }, (_, i) => `${i + 1}. ${sentence()}`).join('\n') + '\n');
    if (section % 2) parts.push('```ts\n' + Array.from({ length: 6 }, (_, i) => `const v${i} = measure(${i}, "${words[i]}");`).join('\n') + '\n```\n');
    text = parts.join('\n');
  }
  return capTokens(text, tokens, 'o200k_base').text;
}

/** In the webview: per column, when its answer's DOM first and last changed. */
const WEBVIEW_PROBE = () => {
  window.__ppProbe?.observer.disconnect();
  window.__ppProbe?.longTasks.disconnect();
  const probe = (window.__ppProbe = { first: {}, last: {}, done: {}, lastBeforeDone: {}, tasks: [], installedAt: Date.now() });
  // The webview's own long tasks (> 50 ms): rendering work that holds the shared thread.
  probe.longTasks = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) probe.tasks.push([performance.timeOrigin + e.startTime, e.duration]);
  });
  probe.longTasks.observe({ type: 'longtask' });
  const root = document.querySelector('main.columns');
  probe.observer = new MutationObserver((records) => {
    const now = Date.now();
    for (const r of records) {
      if (r.type === 'attributes') {
        const i = r.target.getAttribute('data-index');
        if (r.target.getAttribute('data-status') === 'done') probe.done[i] ??= now;
        continue;
      }
      const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      const md = el?.closest('.markdown');
      if (!md) continue;
      const i = md.closest('section.column')?.getAttribute('data-index');
      probe.first[i] ??= now;
      probe.last[i] = now;
      if (probe.done[i] === undefined) probe.lastBeforeDone[i] = now;
    }
  });
  probe.observer.observe(root, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['data-status'] });
  return probe.installedAt;
};

/** In the workbench: every animation frame's start, and when the editor's lines last changed. */
const WORKBENCH_PROBE = () => {
  if (window.__ppBench) window.__ppBench.stop = true;
  const p = (window.__ppBench = { frames: [], waiter: null });
  /** Resolves with Date.now() at the editor's next change. */
  p.nextEdit = () => new Promise((resolve) => (p.waiter = resolve));
  const loop = (t) => {
    p.frames.push(performance.timeOrigin + t);
    if (!p.stop) requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  const lines = document.querySelector('.editor-group-container.active .monaco-editor[data-uri] .view-lines');
  new MutationObserver(() => {
    p.waiter?.(Date.now());
    p.waiter = null;
  }).observe(lines, { childList: true, subtree: true, characterData: true });
};

/** Opens a workspace file from the Explorer (Quick Open loses keys on a saturated workbench). */
async function openFile(ui, name) {
  await ui.page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first().click();
  await ui.page.locator(`.tabs-container .tab.active[aria-label^="${name}"]`).waitFor({ timeout: 30_000 });
  await ui.editor().waitFor({ state: 'visible', timeout: 30_000 });
}

async function webviewFrame(page) {
  const outer = await page.waitForSelector('iframe.webview.ready', { timeout: 60_000 });
  const f1 = await outer.contentFrame();
  const inner = await f1.waitForSelector('iframe#active-frame', { state: 'attached', timeout: 60_000 });
  return inner.contentFrame();
}

/** /proc/stat's CPU counters; with `since`, busy and steal as % of all cores since then (Linux only; undefined elsewhere). */
function machineCpu(since) {
  let fields;
  try {
    fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  } catch {
    return undefined;
  }
  // user nice system idle iowait irq softirq steal
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields;
  const now = { busy: user + nice + system + irq + softirq, idle: idle + iowait, steal };
  if (!since) return now;
  const total = now.busy - since.busy + (now.idle - since.idle) + (now.steal - since.steal);
  return { busyPct: ((now.busy - since.busy) / total) * 100, stealPct: ((now.steal - since.steal) / total) * 100 };
}

async function streamingScenario({ ui, page, fake, workspace, models, rate, screenshot }) {
  const tokens = Math.min(MAX_ANSWER_TOKENS, rate * STREAM_SECONDS);
  const ids = MODELS.slice(0, models);
  fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'promptProfiler.models': ids }));
  fake.reset();
  ids.forEach((id, k) => {
    const model = id.split(':')[1];
    fake.setProfile(model, { ttftMs: TTFT_MS, tokensPerSec: rate, chunkTokens: 4, output: markdownAnswer(tokens, 11 + k) });
  });
  await sleep(1500); // the settings file is watched
  await openFile(ui, 'prompt.md');
  await ui.selectAll();
  await ui.runCommand('Prompt Profiler: Profile Prompt (Bypass Cache)');
  const wv = await webviewFrame(page);
  await waitUntil(async () => (await wv.locator('section.column').count()) === models, 30_000, `${models} columns`);
  const probeAt = await wv.evaluate(WEBVIEW_PROBE);
  await openFile(ui, 'scratch.log');
  await ui.editor().locator('.view-lines').click();
  await page.keyboard.press('Control+End');
  await page.evaluate(WORKBENCH_PROBE);
  const cpuBefore = machineCpu();

  // Type while the answers stream; each key's round trip is key sent → the editor's lines changed.
  const keys = [];
  const gen = () => fake.requests.filter((r) => r.route === 'openai.chat' || r.route === 'anthropic.messages');
  const deadline = Date.now() + TTFT_MS + STREAM_SECONDS * 1000 * 4 + 30_000;
  while (Date.now() < deadline && !(gen().length === models && gen().every((r) => r.endedAt))) {
    await page.evaluate(() => void (window.__ppBench.pending = window.__ppBench.nextEdit()));
    const edited = page.evaluate(() => window.__ppBench.pending);
    const sent = Date.now();
    await page.keyboard.type(keys.length % 40 === 39 ? '\n' : 'x');
    const at = await Promise.race([edited, sleep(5000).then(() => 0)]);
    if (at) keys.push({ sent, ms: at - sent });
    if (screenshot && keys.length === 30) {
      await ui.screenshot(screenshot);
      await ui.screenshotPanel(`${screenshot}-panel`);
    }
    await sleep(100);
  }
  const cpu = machineCpu(cpuBefore);
  const reqs = gen();
  const serverFirst = Math.min(...reqs.map((r) => r.firstChunkAt));
  const serverLast = Math.max(...reqs.map((r) => r.lastChunkAt));
  // Wait until the panel shows every answer complete (or give up after 60 s: that is the lag).
  const doneBy = Date.now() + 60_000;
  await waitUntil(
    async () => Date.now() > doneBy || (await wv.locator('section.column[data-status="done"]').count()) === models,
    70_000,
    'every column done',
  );
  await sleep(1500); // the last draws after "done"
  const probe = await wv.evaluate(() => ({ ...window.__ppProbe, observer: undefined, longTasks: undefined }));
  const frames = await page.evaluate(() => {
    window.__ppBench.stop = true;
    return window.__ppBench.frames;
  });
  const texts = await wv.locator('section.column .markdown').evaluateAll((els) => els.map((e) => e.textContent.length));
  const cols = reqs.map((r) => {
    const i = ids.indexOf(`${r.vendor}:${r.model}`);
    const serverRate = (tokens / (r.lastChunkAt - r.firstChunkAt)) * 1000;
    const panelSpan = probe.last[i] - probe.first[i];
    return { i, serverRate, panelRate: (tokens / panelSpan) * 1000, lag: probe.last[i] - r.lastChunkAt, textLag: probe.lastBeforeDone[i] - r.lastChunkAt, doneLag: probe.done[i] - r.lastChunkAt };
  });
  const inWindow = (t) => t >= serverFirst && t <= serverLast;
  const deltas = [];
  for (let k = 1; k < frames.length; k++) if (inWindow(frames[k])) deltas.push(frames[k] - frames[k - 1]);
  const keyMs = keys.filter((k) => inWindow(k.sent)).map((k) => k.ms);
  // The same keys before the first token (the panel open, its columns waiting): the workbench's own round trip on this machine now.
  const keyBeforeMs = keys.filter((k) => k.sent < serverFirst).map((k) => k.ms);
  const tasks = probe.tasks.filter(([t]) => inWindow(t));
  const windowMs = serverLast - serverFirst;
  return {
    models,
    rate,
    tokens,
    probeBeforeText: Object.values(probe.first).every((t) => t > probeAt),
    chars: texts,
    serverRate: median(cols.map((c) => c.serverRate)),
    panelRate: median(cols.map((c) => c.panelRate)),
    panelRateMin: Math.min(...cols.map((c) => c.panelRate)),
    lagMax: Math.max(...cols.map((c) => c.lag)),
    lagMedian: median(cols.map((c) => c.lag)),
    textLagMax: Math.max(...cols.map((c) => c.textLag)),
    doneLagMax: Math.max(...cols.map((c) => c.doneLag)),
    keysTyped: keys.length,
    framesAll: frames.length,
    frames: deltas.length,
    longFramesPct: (deltas.filter((d) => d > 50).length / Math.max(1, deltas.length)) * 100,
    longestFrame: Math.max(0, ...deltas),
    framesPerSec: (deltas.length / windowMs) * 1000,
    webviewLongTaskPct: (tasks.reduce((n, [, d]) => n + d, 0) / windowMs) * 100,
    keys: keyMs.length,
    keyP50: median(keyMs),
    keyP95: pct(keyMs, 0.95),
    keyMax: Math.max(0, ...keyMs),
    /** The machine's CPU while typing and streaming: busy (all processes) and stolen by other tenants of the host, % of all cores. */
    cpuBusyPct: cpu?.busyPct,
    cpuStealPct: cpu?.stealPct,
    keysBefore: keyBeforeMs.length,
    keyBeforeP50: median(keyBeforeMs),
    keyBeforeP95: pct(keyBeforeMs, 0.95),
  };
}

/**
 * Every build gets its own VS Code, all open at once; the scenarios alternate between them, so
 * each figure is measured beside the other build's under the same load of the shared machine.
 */
async function streamingSection({ builds: getBuilds, fake }) {
  const builds = getBuilds();
  const rows = [];
  const counts = args.models.split(',').map(Number);
  const rates = args.rates.split(',').map(Number);
  const open = [];
  try {
    for (const build of builds) {
      const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-bench-ws-'));
      fs.mkdirSync(path.join(workspace, '.vscode'));
      fs.writeFileSync(path.join(workspace, 'prompt.md'), 'Explain the CAP theorem with examples, a list and some code.\n');
      fs.writeFileSync(path.join(workspace, 'scratch.log'), 'typing here while the answers stream\n');
      const session = await startSession({
        folder: workspace,
        extensionDevelopmentPath: build.dir,
        env: { OPENAI_BASE_URL: fake.openaiBaseURL, ANTHROPIC_BASE_URL: fake.anthropicBaseURL, OPENAI_API_KEY: 'sk-test-openai', ANTHROPIC_API_KEY: 'sk-ant-test' },
        settings: { 'promptProfiler.maxOutputTokens': 32_000, 'promptProfiler.history.enabled': false, 'promptProfiler.codeLens.enabled': false },
        viewport: { width: 1600, height: 900 },
      });
      const ui = createUi(session.page, { log, resultsDir: path.join(paths.results, 'bench') });
      open.push({ build, session, ui, workspace });
      await ui.waitForWorkbench();
      await ui.waitForExtensionsActivated();
    }
    for (const models of counts) {
      for (const rate of rates) {
        for (let rep = 0; rep < Number(args.repeats); rep++) {
          for (const { build, session, ui, workspace } of open) {
            log(`${build.name}: ${models} models × ${rate} tok/s (run ${rep + 1})`);
            const last = rate === rates[rates.length - 1] && models === counts[counts.length - 1] && rep === 0;
            const screenshot = last ? `streaming-${build.name.replace(/[^a-z0-9]+/gi, '-')}` : undefined;
            const load = os.loadavg()[0];
            let r;
            try {
              r = await streamingScenario({ ui, page: session.page, fake, workspace, models, rate, screenshot });
            } catch (e) {
              log(`FAILED: ${e?.message ?? e}`);
              await ui.screenshot(`FAILED-streaming-${models}x${rate}`).catch(() => {});
              continue;
            }
            rows.push({ build: build.name, load, ...r });
            if (!r.probeBeforeText) log('WARNING: the probes started after the first text: the panel rate is over part of the stream');
            log(JSON.stringify(rows[rows.length - 1]));
          }
        }
      }
    }
  } finally {
    for (const o of open) {
      await o.session.close();
      fs.rmSync(o.workspace, { recursive: true, force: true });
    }
  }
  printStreaming(rows);
  return rows;
}

function printStreaming(rows) {
  const f = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '—');
  console.log('\n## streaming (medians over columns; key round trip over the server\'s streaming window)\n');
  console.log('| build | models × tok/s | tokens/answer | server tok/s | panel tok/s (min) | panel/server | last text after the server\'s end, median / max | workbench frames/s, > 50 ms | longest frame | webview long tasks | key round trip p50 / p95 / max (n) | before the first token: p50 / p95 (n) | CPU busy / stolen | load |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const groups = new Map();
  for (const r of rows) {
    const k = `${r.build}|${r.models}|${r.rate}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  for (const rs of groups.values()) {
    const m = (key) => median(rs.map((r) => r[key]));
    const r = rs[0];
    console.log(
      `| ${r.build} | ${r.models} × ${r.rate} | ${r.tokens} | ${f(m('serverRate'))} | ${f(m('panelRate'))} (${f(m('panelRateMin'))}) | ${f((m('panelRate') / m('serverRate')) * 100)} % | ${f(m('lagMedian') / 1000, 2)} s / ${f(m('lagMax') / 1000, 2)} s | ${f(m('framesPerSec'))}, ${f(m('longFramesPct'), 0)} % | ${f(m('longestFrame'))} ms | ${f(m('webviewLongTaskPct'), 0)} % of the time | ${f(m('keyP50'))} / ${f(m('keyP95'))} / ${f(m('keyMax'))} ms (${m('keys')}) | ${f(m('keyBeforeP50'))} / ${f(m('keyBeforeP95'))} ms (${m('keysBefore')}) | ${f(m('cpuBusyPct'))} % / ${f(m('cpuStealPct'), 1)} % | ${f(m('load'), 1)} |`,
    );
  }
}

// ---- Builds --------------------------------------------------------------------------------------

/** This worktree's build, and with --baseline REF that ref's, built in a temp dir. */
function extensionBuilds() {
  if (!fs.existsSync(path.join(paths.root, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `npm run build` first');
  const builds = [{ name: 'this branch', dir: paths.root }];
  if (args.baseline) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-bench-baseline-'));
    log(`building ${args.baseline} in ${dir}`);
    const tar = execFileSync('git', ['-C', paths.root, 'archive', '--format=tar', args.baseline], { maxBuffer: 1 << 30 });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    fs.symlinkSync(path.join(paths.root, 'node_modules'), path.join(dir, 'node_modules'));
    execFileSync(process.execPath, ['esbuild.js'], { cwd: dir, stdio: 'ignore' });
    builds.unshift({ name: `before (${args.baseline})`, dir, temp: true });
  }
  return builds;
}

async function main() {
  installSignalHandlers();
  const wanted = args.sections ? args.sections.split(',') : SECTIONS.map((s) => s.name);
  const unknown = wanted.filter((w) => !SECTIONS.some((s) => s.name === w));
  if (unknown.length) throw new Error(`unknown section ${unknown.join(', ')}: one of ${SECTIONS.map((s) => s.name).join(', ')}`);
  const results = {};
  let builds;
  const getBuilds = () => (builds ??= extensionBuilds());
  const fake = await startFakeLlm();
  log(`fake LLM on ${fake.url}; ${os.cpus().length} cores, node ${process.version}, load ${os.loadavg()[0].toFixed(1)}`);
  try {
    for (const s of SECTIONS.filter((x) => wanted.includes(x.name))) {
      log(`section ${s.name}: ${s.describe}`);
      results[s.name] = await s.run({ builds: getBuilds, fake, args, wanted });
    }
    if (args.json) fs.writeFileSync(args.json, JSON.stringify(results, null, 2));
  } finally {
    await fake.close();
    await closeAllSessions();
    for (const b of builds ?? []) if (b.temp) fs.rmSync(b.dir, { recursive: true, force: true });
  }
}

await main();
// A session's leftovers (a socket, esbuild's service) must not keep the bench alive after its tables.
process.exit(process.exitCode ?? 0);
