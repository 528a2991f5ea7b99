// The extension is installed, activates, and registers every command its manifest contributes.
// The manifest is read at run time, so this suite grows with package.json.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

interface Manifest {
  name: string;
  publisher: string;
  contributes?: { commands?: { command: string; title: string }[] };
}

// Bundled to dist/test/integration/index.js: the repository root is three levels up.
const root = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;
const extensionId = `${manifest.publisher}.${manifest.name}`;
const contributed = manifest.contributes?.commands ?? [];

describe('activation', () => {
  let extension: vscode.Extension<unknown> | undefined;
  let registered: Set<string>;

  before(async () => {
    extension = vscode.extensions.getExtension(extensionId);
    if (extension) await extension.activate();
    registered = new Set(await vscode.commands.getCommands(true));
  });

  it(`the extension ${extensionId} is installed from this repository`, () => {
    assert.ok(extension, `${extensionId} not found among ${vscode.extensions.all.length} extensions`);
    assert.equal(path.resolve(extension.extensionPath), root);
  });

  it('activates', () => {
    assert.ok(extension?.isActive, `${extensionId} is not active after activate()`);
  });

  it('activation loads no SDK, Redis or csv-parse: each is a file of its own under dist/vendor/, required on first use', () => {
    const loaded = Object.keys(require.cache);
    assert.ok(loaded.includes(path.join(root, 'dist', 'extension.js')), 'the host loaded dist/extension.js (so require.cache is the place to look)');
    for (const name of ['openai', 'anthropic-ai-sdk', 'redis', 'csv-parse']) {
      const file = path.join(root, 'dist', 'vendor', `${name}.js`);
      assert.ok(fs.existsSync(file), `${file} was built`);
      assert.ok(!loaded.includes(file), `${name} was loaded by activation`);
    }
  });

  if (contributed.length === 0) it('registers the commands of package.json (none contributed yet)');
  for (const { command, title } of contributed) {
    it(`registers ${command} (${title})`, () => {
      assert.ok(registered.has(command), `${command} is contributed in package.json but not registered by activate()`);
    });
  }
});
