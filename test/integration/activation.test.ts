// The extension is installed, activates, and registers every command its manifest contributes.
// The manifest is read at run time, so this suite grows with package.json. Activation loads the
// main bundle only: the SDKs and the code behind the commands are files of their own, loaded on
// first use (esbuild.js). This file runs first (name order), before any test used a command.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PromptProfilerApi } from '../../src/extension/extension';
import { recordWarnings } from './helpers';

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
  let extension: vscode.Extension<PromptProfilerApi> | undefined;
  let registered: Set<string>;
  const dist = path.join(root, 'dist');
  const loaded = () => Object.keys(require.cache);
  const loadedSplitFiles = () => loaded().filter((f) => path.dirname(f) === dist && path.basename(f).startsWith('extension-'));

  before(async () => {
    extension = vscode.extensions.getExtension<PromptProfilerApi>(extensionId);
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

  it('activation loads no SDK, Redis, csv-parse or lru-cache: each is a file of its own under dist/vendor/, required on first use', () => {
    const loaded = Object.keys(require.cache);
    assert.ok(loaded.includes(path.join(root, 'dist', 'extension.js')), 'the host loaded dist/extension.js (so require.cache is the place to look)');
    for (const name of ['openai', 'anthropic-ai-sdk', 'redis', 'csv-parse', 'lru-cache']) {
      const file = path.join(root, 'dist', 'vendor', `${name}.js`);
      assert.ok(fs.existsSync(file), `${file} was built`);
      assert.ok(!loaded.includes(file), `${name} was loaded by activation`);
    }
  });

  it('dist/extension.js takes the vscode API once (one copy of its namespace, not one per module: esbuild.js)', () => {
    const bundle = fs.readFileSync(path.join(dist, 'extension.js'), 'utf8');
    assert.equal(bundle.match(/require\("vscode"\)/g)?.length, 1);
  });

  it('dist/ has a package.json of its own, so Node does not parse the 20 KB manifest to learn each file\'s module type', () => {
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dist, 'package.json'), 'utf8')), { type: 'commonjs' });
  });

  it('activation loads dist/extension.js alone: none of the files esbuild split off (the commands\' code, shared chunks)', () => {
    assert.ok(fs.readdirSync(dist).some((f) => /^extension-.+\.js$/.test(f)), 'the build split nothing off dist/extension.js');
    assert.deepEqual(loadedSplitFiles().map((f) => path.basename(f)), []);
  });

  // Each command's own files (esbuild names a file import()ed on first use after its module) and
  // a call that loads them without an editor open: the command says what it needs and stops.
  const features = [
    { command: 'promptProfiler.profilePrompt', modules: ['profilePrompt', 'profilePanel'] },
    { command: 'promptProfiler.runAsBatch', modules: ['runAsBatch', 'batchManager'] },
    { command: 'promptProfiler.planPromptCache', modules: ['planPromptCache'] },
    { command: 'promptProfiler.showDashboard', modules: ['showDashboard', 'dashboardPanel'] },
  ];
  const fileOf = (module: string) => {
    const files = fs.readdirSync(dist).filter((f) => new RegExp(`^extension-${module}-[A-Z0-9]+\\.js$`).test(f));
    assert.equal(files.length, 1, `dist/extension-${module}-*.js: ${files.join(', ') || 'none'}`);
    return path.join(dist, files[0]);
  };

  it('each command loads its own files on its first use, and no other command\'s', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const { messages: warnings, restore } = recordWarnings();
    try {
      for (const [i, { command, modules }] of features.entries()) {
        for (const later of features.slice(i)) {
          for (const m of later.modules) assert.ok(!loaded().includes(fileOf(m)), `${m} was loaded before ${later.command} was used`);
        }
        const before = warnings.length;
        await vscode.commands.executeCommand(command);
        for (const m of modules) assert.ok(loaded().includes(fileOf(m)), `${command} did not load ${m}`);
        if (command !== 'promptProfiler.showDashboard') assert.equal(warnings.length, before + 1, `${command} without an editor: ${JSON.stringify(warnings.slice(before))}`);
      }
      // The dashboard's module is the one the extension's API reads (one copy of DashboardPanel.active).
      const dashboard = extension!.exports.dashboard();
      assert.ok(dashboard, 'Show Dashboard opened no dashboard the API sees');
      dashboard.dispose();
      assert.equal(extension!.exports.dashboard(), undefined);
    } finally {
      restore();
    }
  });

  if (contributed.length === 0) it('registers the commands of package.json (none contributed yet)');
  for (const { command, title } of contributed) {
    it(`registers ${command} (${title})`, () => {
      assert.ok(registered.has(command), `${command} is contributed in package.json but not registered by activate()`);
    });
  }
});
