// `npm run try-extension`: the extension in a real VS Code in your browser, with no keys. Packages
// the .vsix, installs it into a fresh code-server (from the test set-up), starts the demo LLM
// server (simulated models) and opens a copy of the demo workspace. Open the printed URL, select
// the prompt in summarize.prompt and choose Profile Prompt. Ctrl-C stops everything.
//   --port N   listen on 127.0.0.1:N (default 8080)
//   --check    start, fetch the workbench page once, stop (CI proves the command works)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { paths } from './paths.mjs';
import { assertSetupDone, DEFAULT_SETTINGS } from './session.mjs';
import { packageVsix } from './vsix.mjs';

const argv = process.argv.slice(2);
const check = argv.includes('--check');
const portArg = argv.find((a) => a.startsWith('--port='))?.slice('--port='.length) ?? argv[argv.indexOf('--port') + 1];
const port = check ? 0 : Number(argv.includes('--port') || portArg ? portArg : 8080);

assertSetupDone();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-try-'));
const dirs = Object.fromEntries(['ud', 'ext', 'xdg-data', 'xdg-config', 'xdg-cache'].map((d) => [d, path.join(tmp, d)]));
for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
fs.mkdirSync(path.join(dirs.ud, 'User'));
fs.writeFileSync(path.join(dirs.ud, 'User', 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, 'promptProfiler.models': ['openai:gpt-4o-mini', 'openai:gpt-4.1-nano', 'anthropic:claude-haiku-4-5'] }, null, 2));
const workspace = path.join(tmp, 'demo-workspace');
fs.cpSync(paths.fixtureWorkspace, workspace, { recursive: true });

const { startFakeLlm } = await import(path.join(paths.root, 'test', 'fake-llm', 'server.ts'));
// Human-paced simulated models, like `prompt-profiler demo`.
const fake = await startFakeLlm({ profiles: { '*': { ttftMs: 400, tokensPerSec: 80, chunkTokens: 2 } } });
const env = {
  ...process.env,
  XDG_DATA_HOME: dirs['xdg-data'],
  XDG_CONFIG_HOME: dirs['xdg-config'],
  XDG_CACHE_HOME: dirs['xdg-cache'],
  EXTENSIONS_GALLERY: '{}',
  // The demo endpoint and throw-away keys, for this code-server only.
  OPENAI_BASE_URL: fake.openaiBaseURL,
  ANTHROPIC_BASE_URL: fake.anthropicBaseURL,
  OPENAI_API_KEY: 'sk-demo-not-a-key',
  ANTHROPIC_API_KEY: 'sk-ant-demo-not-a-key',
};
for (const k of Object.keys(env)) if (k.startsWith('VSCODE_') || k === 'PORT' || /^npm_/i.test(k)) delete env[k];

const { file } = packageVsix(tmp);
const base = [paths.codeServerEntry, '--user-data-dir', dirs.ud, '--extensions-dir', dirs.ext];
const installed = spawnSync(paths.node24, [...base, '--install-extension', file], { env, encoding: 'utf8', timeout: 120_000 });
if (installed.status !== 0) throw new Error(`installing the .vsix failed: ${installed.stderr || installed.stdout}`);

const server = spawn(
  paths.node24,
  [...base, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', workspace],
  { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
);
let stopped = false;
const stop = async (code = 0) => {
  if (stopped) return;
  stopped = true;
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {}
  await fake.close();
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(code);
};
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

const listening = await new Promise((resolve, reject) => {
  let out = '';
  const timer = setTimeout(() => reject(new Error(`code-server did not start:\n${out}`)), 60_000);
  const onData = (d) => {
    out += d;
    const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
    if (m) {
      clearTimeout(timer);
      resolve(m[1]);
    }
  };
  server.stdout.on('data', onData);
  server.stderr.on('data', onData);
  server.on('exit', (c) => reject(new Error(`code-server exited (${c}):\n${out}`)));
}).catch(async (e) => {
  console.error(`try-extension: ${e.message}`);
  await stop(1);
});

const url = `${listening}/?folder=${encodeURIComponent(workspace)}`;
if (check) {
  const res = await fetch(url);
  const page = await res.text();
  const ok = res.status === 200 && page.includes('workbench');
  console.log(`try-extension --check: ${url} answered ${res.status}${ok ? ', the workbench page' : ', not the workbench'}; the .vsix is installed: ${fs.readdirSync(dirs.ext).filter((d) => d.startsWith('prompt-profiler.')).join(', ')}`);
  await stop(ok ? 0 : 1);
} else {
  console.log(`\nPrompt Profiler in VS Code, with simulated models (no keys needed):\n\n  ${url}\n`);
  console.log('Open summarize.prompt, select the prompt and choose Profile Prompt (right-click). Ctrl-C stops.');
}
