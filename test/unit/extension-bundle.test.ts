// The extension host's split bundle as `npm run build` writes it (esbuild.js): dist/extension.js
// requires none of the files split off it, each of those loads after it (the modules they share
// with it read from it), and no source module is in two files. test/integration/activation.test.ts
// checks the same in VS Code, command by command.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const dist = path.resolve(__dirname, '../../dist');
const main = path.join(dist, 'extension.js');
const splitFiles = () => fs.readdirSync(dist).filter((f) => /^extension-.+\.js$/.test(f));

/** Runs `body` in a fresh node with a stand-in `vscode` module (nothing of it is called while loading). */
function inFreshNode(body: string): unknown {
  const script = `
    const Module = require('node:module');
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) { return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest); };
    require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: new Proxy({}, { get: () => function () {} }) };
    const dist = ${JSON.stringify(dist)};
    const ours = () => Object.keys(require.cache).filter((f) => f.startsWith(dist)).map((f) => require('node:path').relative(dist, f));
    ${body}`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
}

describe('the extension bundle (dist/, split by esbuild.js)', () => {
  before(function () {
    if (!fs.existsSync(main)) this.skip(); // npm test builds first; a bare mocha run may not have
  });

  it('dist/extension.js loads alone: it requires none of the files split off it', () => {
    assert.ok(splitFiles().length > 0, 'nothing was split off');
    const loaded = inFreshNode(`
      const exports = require(${JSON.stringify(main)});
      console.log(JSON.stringify({ loaded: ours(), exports: Object.keys(exports).sort() }));`);
    assert.deepEqual(loaded, { loaded: ['extension.js'], exports: ['__sharedChunks', 'activate', 'deactivate'] });
  });

  it('every file split off loads after it', () => {
    const failed = inFreshNode(`
      require(${JSON.stringify(main)});
      const failed = {};
      for (const f of ${JSON.stringify(splitFiles())}) {
        try { require(require('node:path').join(dist, f)); } catch (e) { failed[f] = e.message; }
      }
      console.log(JSON.stringify(failed));`);
    assert.deepEqual(failed, {});
  });

  it('no source module is in two of its files (one ProfilePanel.active, one price book)', function () {
    const maps = ['extension.js', ...splitFiles()].map((f) => path.join(dist, `${f}.map`));
    if (!maps.every((m) => fs.existsSync(m))) this.skip(); // a production build has no source maps
    const where = new Map<string, string[]>();
    for (const m of maps) {
      for (const source of (JSON.parse(fs.readFileSync(m, 'utf8')) as { sources: string[] }).sources) {
        if (!source.startsWith('../')) continue; // esbuild's runtime helpers, the split's own glue
        where.set(source, [...(where.get(source) ?? []), path.basename(m, '.map')]);
      }
    }
    assert.ok(where.has('../src/extension/extension.ts') && where.has('../src/extension/panel/profilePanel.ts'), 'the maps name the sources');
    assert.deepEqual([...where].filter(([, files]) => files.length > 1), []);
  });
});
