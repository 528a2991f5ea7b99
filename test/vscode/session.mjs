// One real VS Code session: code-server on 127.0.0.1 (fresh temp dirs) + headless Debian Chromium
// driven by playwright-core, with the workbench opened on a folder and, optionally, a development
// extension and a tests entry (the smoke-test driver payload). Used by the launcher (mocha suite in
// the extension host) and the UI walk. `close()` leaves no process or temp dir behind; it runs on
// every path, including timeouts and SIGINT/SIGTERM/SIGHUP (see `installSignalHandlers`).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { paths } from './paths.mjs';

const TMP_PREFIX = 'pp-vscode-';
/** Env var naming the file the extension host's test bootstrap writes its output to. */
export const TEST_OUTPUT_ENV = 'PROMPT_PROFILER_TEST_OUTPUT';
const verbose = !!process.env.PP_VSCODE_VERBOSE;

/** Chromium flags (root needs --no-sandbox; the rest keep it offline and quiet). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/**
 * User settings of every session: a quiet, predictable workbench (no welcome page, no chat side
 * bar, no tips or recommendations). `startSession({ settings })` adds to them.
 */
export const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  // The built-in Git extension is on: the workspace's git-repo/ folder is a repository (found by
  // the extension's scan of sub-folders) and the cost CodeLens, hover and Show Cost Changes
  // compare its prompts with HEAD through the Git API. Nothing fetched, no repository above.
  'git.enabled': true,
  'git.autofetch': false,
  'git.openRepositoryInParentFolders': 'never',
  'git.showProgress': false,
};

/** Sessions started by this process and not closed yet. */
const live = new Set();

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function loadPlaywright() {
  const require = createRequire(path.join(paths.root, 'package.json'));
  return require('playwright-core');
}

export function assertSetupDone() {
  if (!fs.existsSync(paths.marker) || !fs.existsSync(paths.codeServerEntry) || !fs.existsSync(paths.node24)) {
    throw new Error(`code-server is not set up in ${paths.cache}: run \`node test/vscode/setup.mjs\` first`);
  }
  if (!fs.existsSync(paths.chromium)) throw new Error(`${paths.chromium} is missing: apt-get install chromium (or run test/vscode/setup.mjs as root)`);
}

/** Processes whose environment mentions `marker` (a unique temp path): everything a session started. */
function pidsMentioning(marker) {
  const pids = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const environ = fs.readFileSync(`/proc/${name}/environ`, 'latin1');
      if (environ.includes(marker)) pids.push(Number(name));
    } catch {
      // process gone or not ours
    }
  }
  return pids;
}

function killPids(pids, signal) {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Removes temp dirs of earlier sessions whose launcher died without cleaning up (e.g. SIGKILL). */
export function sweepStaleSessions() {
  const base = os.tmpdir();
  let entries = [];
  try {
    entries = fs.readdirSync(base).filter((n) => n.startsWith(TMP_PREFIX));
  } catch {
    return;
  }
  for (const name of entries) {
    const dir = path.join(base, name);
    let owner = NaN;
    try {
      owner = Number(fs.readFileSync(path.join(dir, 'owner.pid'), 'utf8'));
    } catch {
      // no pid file: only sweep it if it is old
      try {
        if (Date.now() - fs.statSync(dir).mtimeMs < 10 * 60_000) continue;
      } catch {
        continue;
      }
    }
    if (Number.isFinite(owner) && alive(owner)) continue;
    killPids(pidsMentioning(dir + path.sep), 'SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
    console.error(`[vscode] removed stale session dir ${dir}`);
  }
}

/**
 * Starts code-server and Chromium and opens the workbench.
 * @param {object} o
 * @param {string} [o.folder] workspace folder to open
 * @param {string} [o.extensionDevelopmentPath]
 * @param {string} [o.extensionTestsPath]
 * @param {Record<string,string|undefined>} [o.env] extra env for code-server (reaches the extension host)
 * @param {(code:number)=>void} [o.onExit] called when the workbench reports the tests' exit code
 * @param {Record<string,unknown>} [o.settings] user settings on top of DEFAULT_SETTINGS
 * @param {{width:number,height:number}} [o.viewport]
 * @param {string} [o.installVsix] a packaged extension to install into the fresh extensions dir first
 * @param {string[]} [o.extensions] extension folders to install (linked) into the fresh extensions dir
 * @param {boolean} [o.workspaceTrust] keep Workspace Trust on (default off): with
 *   `security.workspace.trust.startupPrompt: "never"` in `o.settings` the folder opens in Restricted Mode
 */
export async function startSession(o = {}) {
  assertSetupDone();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), TMP_PREFIX));
  fs.writeFileSync(path.join(tmp, 'owner.pid'), String(process.pid));
  const dirs = {};
  for (const d of ['ud', 'ext', 'tmp', 'xdg-data', 'xdg-config', 'xdg-cache', 'home']) {
    dirs[d] = path.join(tmp, d);
    fs.mkdirSync(dirs[d]);
  }
  fs.mkdirSync(path.join(dirs.ud, 'User'));
  fs.writeFileSync(path.join(dirs.ud, 'User', 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...o.settings }, null, 2));
  const configFile = path.join(tmp, 'config.yaml');
  fs.writeFileSync(configFile, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
  const serverLog = path.join(tmp, 'code-server.log');
  // The tests entry (test/integration/bootstrap.ts) writes console/stdout/stderr here.
  const testOutput = path.join(tmp, 'test-output.log');
  fs.writeFileSync(testOutput, '');
  const browserLog = path.join(tmp, 'browser.log');

  const session = {
    tmp,
    dirs,
    port: 0,
    server: undefined,
    browser: undefined,
    context: undefined,
    page: undefined,
    closed: false,
    serverLog,
    browserLog,
    testOutput,
    /** Last lines of code-server's and the browser console's logs (for failure reports). */
    logTail(lines = 40) {
      const tail = (f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').slice(-lines).join('\n') : '');
      return `--- code-server log (tail) ---\n${tail(serverLog)}\n--- browser console (tail) ---\n${tail(browserLog)}`;
    },
    closing: undefined,
    /** Idempotent; concurrent callers all wait for the same cleanup. */
    close: () => (session.closing ??= closeSession(session)),
  };

  live.add(session);
  const checkOpen = () => {
    if (session.closed) throw new Error('session closed while starting');
  };
  try {
    // ---- code-server ---------------------------------------------------------------------------
    const env = { ...process.env, ...o.env };
    for (const k of Object.keys(env)) {
      // A VS Code terminal's variables would make code-server act as a CLI for that VS Code;
      // PORT would override --bind-addr.
      if (k.startsWith('VSCODE_') || k === 'ELECTRON_RUN_AS_NODE' || k === 'PORT' || env[k] === undefined) delete env[k];
    }
    Object.assign(env, {
      TMPDIR: dirs.tmp,
      XDG_DATA_HOME: dirs['xdg-data'],
      XDG_CONFIG_HOME: dirs['xdg-config'],
      XDG_CACHE_HOME: dirs['xdg-cache'],
      EXTENSIONS_GALLERY: '{}',
      PP_VSCODE_SESSION: tmp,
      [TEST_OUTPUT_ENV]: testOutput,
    });
    const args = [
      paths.codeServerEntry,
      '--auth', 'none',
      '--bind-addr', '127.0.0.1:0',
      '--disable-telemetry',
      '--disable-update-check',
      ...(o.workspaceTrust ? [] : ['--disable-workspace-trust']),
      '--disable-getting-started-override',
      '--user-data-dir', dirs.ud,
      '--extensions-dir', dirs.ext,
      '--config', configFile,
      '--vscode-option', 'enable-smoke-test-driver',
    ];
    if (o.installVsix) {
      // As a user installs it: `code-server --install-extension file.vsix` (offline, no gallery).
      const r = spawnSync(
        paths.node24,
        [paths.codeServerEntry, '--user-data-dir', dirs.ud, '--extensions-dir', dirs.ext, '--install-extension', o.installVsix],
        { env, encoding: 'utf8', timeout: 120_000 },
      );
      if (r.status !== 0) throw new Error(`installing ${o.installVsix} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}`);
      if (verbose) process.stderr.write(`[code-server] ${r.stdout}`);
    }
    for (const dir of o.extensions ?? []) {
      // Only one extensionDevelopmentPath is honoured: others go into the extensions dir, under
      // the `publisher.name-version` folder name VS Code gives an installed extension.
      const { publisher, name, version } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      fs.symlinkSync(path.resolve(dir), path.join(dirs.ext, `${publisher}.${name}-${version}`), 'dir');
    }
    const t0 = performance.now();
    checkOpen();
    const server = spawn(paths.node24, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    session.server = server;
    const logStream = fs.createWriteStream(serverLog).on('error', () => {}); // dir may be gone on close
    session.port = await new Promise((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error('code-server did not start listening within 60 s')), 60_000);
      const onData = (d) => {
        logStream.write(d);
        if (verbose) process.stderr.write(`[code-server] ${d}`);
        buf += d.toString();
        const m = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(buf);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      server.stdout.on('data', onData);
      server.stderr.on('data', onData);
      server.on('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`code-server exited early (${code ?? signal})`));
      });
    });
    server.removeAllListeners('exit');
    server.on('exit', (code, signal) => {
      if (!session.closed) console.error(`[vscode] code-server exited unexpectedly (${code ?? signal})`);
    });
    if (verbose) console.error(`[vscode] code-server listening on 127.0.0.1:${session.port} after ${Math.round(performance.now() - t0)} ms`);

    // ---- Chromium ------------------------------------------------------------------------------
    const { chromium } = loadPlaywright();
    // Playwright puts the browser profile under os.tmpdir(): keep it inside the session dir.
    const prevTmp = process.env.TMPDIR;
    process.env.TMPDIR = dirs.tmp;
    try {
      session.browser = await chromium.launch({
        executablePath: paths.chromium,
        headless: true,
        args: CHROMIUM_ARGS,
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
        timeout: 60_000,
        env: {
          ...process.env,
          HOME: dirs.home,
          TMPDIR: dirs.tmp,
          XDG_CONFIG_HOME: dirs['xdg-config'],
          XDG_CACHE_HOME: dirs['xdg-cache'],
          XDG_DATA_HOME: dirs['xdg-data'],
          PP_VSCODE_SESSION: tmp,
        },
      });
    } finally {
      if (prevTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = prevTmp;
    }
    if (session.closed) {
      await session.browser.close().catch(() => {});
      checkOpen();
    }
    session.context = await session.browser.newContext({ viewport: o.viewport ?? { width: 1400, height: 900 } });
    const page = await session.context.newPage();
    session.page = page;
    const consoleLog = fs.createWriteStream(browserLog).on('error', () => {});
    page.on('console', (m) => {
      const line = `[${m.type()}] ${m.text()}\n`;
      consoleLog.write(line);
      if (verbose) process.stderr.write(`[browser] ${line}`);
    });
    page.on('pageerror', (e) => consoleLog.write(`[pageerror] ${e.stack ?? e}\n`));
    await page.exposeFunction('codeAutomationLog', (...a) => consoleLog.write(`[automation] ${a.join(' ')}\n`));
    await page.exposeFunction('codeAutomationExit', (code) => o.onExit?.(Number(code)));

    await page.goto(workbenchUrl(session.port, o), { waitUntil: 'domcontentloaded', timeout: 60_000 });
    return session;
  } catch (e) {
    if (!session.closed && fs.existsSync(serverLog)) console.error(session.logTail());
    await session.close();
    throw e;
  }
}

/** `http://127.0.0.1:PORT/?folder=…&payload=[[extensionDevelopmentPath,…],[extensionTestsPath,…]]` */
export function workbenchUrl(port, { folder, extensionDevelopmentPath, extensionTestsPath } = {}) {
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${path.resolve(p)}`;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  const q = new URLSearchParams();
  if (folder) q.set('folder', path.resolve(folder));
  if (payload.length) q.set('payload', JSON.stringify(payload));
  return `http://127.0.0.1:${port}/?${q}`;
}

async function withTimeout(promise, ms) {
  let timer;
  try {
    return await Promise.race([promise, new Promise((r) => (timer = setTimeout(r, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

async function closeSession(s) {
  s.closed = true;
  // Browser first (graceful, bounded), then code-server's whole process group.
  if (s.browser) await withTimeout(s.browser.close().catch(() => {}), 5_000);
  const server = s.server;
  if (server?.pid && server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {
      // group gone
    }
    await withTimeout(exited, 3_000);
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {
      // group gone
    }
  }
  // Anything else started by this session (it all carries PP_VSCODE_SESSION=<tmp> in its env).
  for (let i = 0; i < 20; i++) {
    const left = pidsMentioning(`PP_VSCODE_SESSION=${s.tmp}\0`);
    if (left.length === 0) break;
    killPids(left, 'SIGKILL');
    await sleep(100);
  }
  for (let i = 0; i < 10; i++) {
    try {
      fs.rmSync(s.tmp, { recursive: true, force: true });
      break;
    } catch {
      await sleep(200);
    }
  }
  live.delete(s);
}

/** Closes every session this process started and has not closed yet. */
export async function closeAllSessions() {
  await Promise.allSettled([...live].map((s) => s.close()));
}

let stopping = false;

/**
 * Once we are shutting down, Playwright calls that were in flight fail (even outside any
 * promise chain we hold); those errors are expected and must not crash the cleanup.
 */
export function swallowErrorsWhileStopping() {
  process.on('uncaughtException', () => {});
  process.on('unhandledRejection', () => {});
}
/** True once a signal handler installed below is shutting the process down. */
export const isStopping = () => stopping;

/** Closes every live session on SIGINT/SIGTERM/SIGHUP, then exits 130/143/129. */
export function installSignalHandlers() {
  const codes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  for (const sig of Object.keys(codes)) {
    process.on(sig, async () => {
      if (stopping) return;
      stopping = true;
      swallowErrorsWhileStopping();
      console.error(`[vscode] ${sig}: closing VS Code and cleaning up`);
      await closeAllSessions();
      process.exit(codes[sig]);
    });
  }
}
