#!/usr/bin/env node
// A stand-in "VS Code executable" for @vscode/test-electron's runTests({ vscodeExecutablePath }).
// It accepts desktop-style arguments (`--extensionDevelopmentPath=… --extensionTestsPath=…
// <workspace> …`), runs the tests in a real VS Code (code-server + headless Chromium, see
// session.mjs), streams the extension host's test output to stdout and exits with the tests'
// exit code. Desktop-only flags (--no-sandbox, --user-data-dir, …) are ignored: every run gets
// fresh temp dirs.
//
// Env: PP_VSCODE_TIMEOUT   whole-run limit in seconds (default 600)
//      PP_VSCODE_VERBOSE   also stream code-server's output and the browser console
import fs from 'node:fs';
import { paths } from './paths.mjs';
import { startSession, installSignalHandlers, isStopping, sweepStaleSessions } from './session.mjs';

function parseArgs(argv) {
  const o = { extensionDevelopmentPath: undefined, extensionTestsPath: undefined, folder: undefined, ignored: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--(extensionDevelopmentPath|extensionTestsPath)(?:=(.*))?$/.exec(a);
    if (m) o[m[1]] = m[2] ?? argv[++i];
    else if (!a.startsWith('-') && o.folder === undefined) o.folder = a;
    else o.ignored.push(a);
  }
  return o;
}

const args = parseArgs(process.argv.slice(2));
if (!args.extensionTestsPath) {
  console.error('[vscode] usage: code --extensionDevelopmentPath=<dir> --extensionTestsPath=<entry.js> [workspace]');
  process.exit(2);
}
if (!fs.existsSync(args.extensionTestsPath)) {
  console.error(`[vscode] tests entry not found: ${args.extensionTestsPath} (did the build run?)`);
  process.exit(2);
}
const timeoutSec = Number(process.env.PP_VSCODE_TIMEOUT || 600);

let session;
installSignalHandlers();
sweepStaleSessions();

let resolveExit;
const exitCode = new Promise((r) => (resolveExit = r));
const started = performance.now();
let code = 1;
let tail;
try {
  try {
    session = await startSession({
      folder: args.folder,
      extensionDevelopmentPath: args.extensionDevelopmentPath,
      extensionTestsPath: args.extensionTestsPath,
      extensions: [paths.lmTestExtension],
      onExit: (c) => resolveExit({ code: c }),
    });
    tail = tailFile(session.testOutput);
    const timeout = new Promise((r) => setTimeout(() => r({ timedOut: true }), timeoutSec * 1000).unref());
    const serverExit = new Promise((r) => session.server.once('exit', (c, s) => r({ serverDied: c ?? s })));
    const result = await Promise.race([exitCode, timeout, serverExit]);
    await tail.stop();
    if (isStopping()) await new Promise(() => {}); // the signal handler cleans up and exits
    if (result.timedOut) {
      console.error(`[vscode] TIMEOUT: the tests did not finish within ${timeoutSec} s`);
      console.error(session.logTail());
      code = 124;
    } else if (result.serverDied !== undefined) {
      console.error(`[vscode] code-server died (${result.serverDied}) before the tests finished`);
      console.error(session.logTail());
      code = 1;
    } else {
      code = result.code;
      if (code !== 0 && process.env.PP_VSCODE_VERBOSE) console.error(session.logTail());
    }
    console.error(`[vscode] tests exited with code ${code} after ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await tail?.stop();
    await session?.close();
  }
} catch (e) {
  if (isStopping()) await new Promise(() => {});
  console.error(`[vscode] ${e?.stack ?? e}`);
  code = 1;
}
process.exit(code);

/** Copies what is appended to `file` to our stdout until stopped. */
function tailFile(file) {
  let pos = 0;
  let stopped = false;
  const pump = () => {
    let fd;
    try {
      fd = fs.openSync(file, 'r');
      const size = fs.fstatSync(fd).size;
      if (size > pos) {
        const buf = Buffer.alloc(size - pos);
        fs.readSync(fd, buf, 0, buf.length, pos);
        pos = size;
        process.stdout.write(buf);
      }
    } catch {
      // file not there yet
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  };
  const timer = setInterval(pump, 100);
  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      pump();
    },
  };
}
