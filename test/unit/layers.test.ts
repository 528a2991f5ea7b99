// The engine must stay free of VS Code: the CLI and the tests drive it without an editor.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sources(full) : /\.(ts|js|mjs|cjs)$/.test(e.name) ? [full] : [];
  });
}

const VSCODE_IMPORT = /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"]vscode['"]/;

describe('layers', () => {
  it('no file under src/core imports vscode', () => {
    const files = sources(path.join(root, 'src/core'));
    assert.ok(files.length > 20, `found only ${files.length} files`);
    const offenders = files.filter((f) => VSCODE_IMPORT.test(fs.readFileSync(f, 'utf8')));
    assert.deepEqual(offenders.map((f) => path.relative(root, f)), []);
  });

  it('the check recognises every import form', () => {
    for (const s of [`import * as vscode from 'vscode';`, `import type { X } from "vscode"`, `const v = require('vscode')`, `await import('vscode')`, `import 'vscode';`]) {
      assert.match(s, VSCODE_IMPORT, s);
    }
    assert.doesNotMatch(`import { x } from './vscode-like'`, VSCODE_IMPORT);
  });

  it('the webview code imports nothing from the extension host or Node', () => {
    const files = sources(path.join(root, 'src/webview'));
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8');
      assert.doesNotMatch(text, /from ['"](\.\.\/extension|vscode|node:)/, path.relative(root, f));
    }
  });

  it('CLI commands import neither each other nor main.ts: what they share lives in src/cli/shared', () => {
    const dir = path.join(root, 'src/cli/commands');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.ts'));
    assert.ok(files.length >= 6, files.join(' '));
    for (const f of files) {
      const imports = [...fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]);
      const offenders = imports.filter((i) => /^\.\/|^\.\.\/main$/.test(i));
      assert.deepEqual(offenders, [], f);
    }
  });
});
