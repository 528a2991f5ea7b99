// Builds every bundle: the extension host entry, the webview (browser), the CLI and the
// extension's integration tests. `--production` minifies, `--watch` rebuilds on change.
// esbuild does not type-check: `npm run typecheck` (tsc --noEmit) runs beside it.
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Prints errors as `✘ [ERROR] … file:line:col` so VS Code's problem matcher picks them up. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => {
      if (watch) console.log(`[watch] build started (${build.initialOptions.outfile ?? build.initialOptions.outdir})`);
    });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (watch) console.log(`[watch] build finished (${build.initialOptions.outfile ?? build.initialOptions.outdir})`);
    });
  },
};

/**
 * The BPE rank tables are 3.7 MB of the bundle: parsing them cost ~150 ms on every start of the
 * CLI and of the extension host, for a feature that loads them lazily anyway. So each encoding
 * is its own file under dist/tokenizers/, required only on the first count.
 */
const TOKENIZER_ENCODINGS = ['o200k_base', 'cl100k_base'];
const lazyTokenizers = {
  name: 'lazy-tokenizers',
  setup(build) {
    build.onResolve({ filter: /^gpt-tokenizer\/encoding\/[a-z0-9_]+$/ }, (args) => ({
      path: `./tokenizers/${args.path.split('/').pop()}.js`,
      external: true,
    }));
  },
};

/**
 * The heavy dependencies of the extension host (SDKs 1–1.2 MB each, Redis, the price data, YAML,
 * csv-parse, the glob matchers, the LRU maps) are files of their own under dist/vendor/, required on first use (src/core/lazy.ts):
 * activation compiles and evaluates none of them. The CLI keeps one bundle.
 */
const VENDORS = ['openai', '@anthropic-ai/sdk', 'redis', 'csv-parse', '@pydantic/genai-prices', 'yaml', 'picomatch', 'ignore', 'lru-cache'];
const vendorFile = (name) => `./vendor/${name.replace(/^@/, '').replace(/\//g, '-')}.js`;
const lazyVendors = {
  name: 'lazy-vendors',
  setup(build) {
    const filter = new RegExp(`^(${VENDORS.map((v) => v.replace(/[/.]/g, '\\$&')).join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: vendorFile(args.path), external: true }));
  },
};

/**
 * The extension host's bundle is split. Each module of ours that the code `import()`s (what sits
 * behind a command: the panel, Decide, batch, the planner, the dashboard) is a file of its own,
 * `dist/extension-<name>-<hash>.js`, loaded on first use; activation loads dist/extension.js
 * alone. esbuild splits only ESM output, into the entry, the `import()`ed files and chunks of the
 * code they share, and the extension stays CommonJS (vendor files and tokenizers required
 * synchronously, `require.cache`, `__dirname`). So the split is built in memory as ESM, then:
 * - dist/extension.js bundles the entry with every chunk it imports (one file to read and
 *   compile at activation, not twenty), and exports those chunks' modules as `__sharedChunks`;
 * - every other file becomes CommonJS on its own: its imports of the entry's chunks read
 *   `__sharedChunks` (so each module exists once: one `ProfilePanel.active`, one price book),
 *   its imports and `import()`s of the other files are `require()`s of them.
 * All files sit in dist/ itself, where the relative paths of the vendor files and the count
 * worker hold. The source maps are carried through both steps.
 */
const SPLIT_PREFIX = 'extension-';
const SHARED_CHUNKS = '__sharedChunks';
const VSCODE_API = 'vscode-api';
const commonJsSplit = {
  name: 'commonjs-split',
  setup(build) {
    build.onEnd(async (result) => {
      if (result.errors.length) return;
      try {
        await writeSplitAsCommonJs(build.initialOptions, result);
      } catch (e) {
        console.error(`✘ [ERROR] ${e.message}`);
        throw e;
      }
    });
  },
};

/** The second step of the split (above): the ESM files of `result` (in memory) as CommonJS files in `outdir`. */
async function writeSplitAsCommonJs({ outdir, entryPoints, minify, sourcemap, target }, result) {
  const dir = path.resolve(outdir);
  const code = new Map(result.outputFiles.map((f) => [f.path, f.text]));
  const outputs = Object.fromEntries(Object.entries(result.metafile.outputs).map(([k, v]) => [path.resolve(k), v]));
  const main = Object.keys(outputs).find((k) => outputs[k].entryPoint === entryPoints[0]);
  // The entry and the chunks it imports, directly or through each other: bundled into dist/extension.js.
  const merged = new Set();
  const walk = (file) => {
    if (merged.has(file)) return;
    merged.add(file);
    for (const i of outputs[file].imports) if (i.kind === 'import-statement' && !i.external) walk(path.resolve(i.path));
  };
  walk(main);
  const rest = [...code.keys()].filter((f) => f.endsWith('.js') && !merged.has(f));

  // Each ESM file from memory with its source map inline (esbuild reads it as the input's map), counted.
  const loads = new Map();
  const load = (file) => {
    loads.set(file, (loads.get(file) ?? 0) + 1);
    const map = code.get(`${file}.map`);
    const js = code.get(file);
    return map ? js.replace(/\/\/# sourceMappingURL=\S+\s*$/, `//# sourceMappingURL=data:application/json;base64,${Buffer.from(map).toString('base64')}\n`) : js;
  };
  // `entry`: the build of dist/extension.js, which bundles the merged files; the others read them from it.
  const fromMemory = (entry) => ({
    name: 'split-files',
    setup(b) {
      // Every module's `import * as vscode` goes through one module of the file: esbuild gives an
      // external CommonJS import a copy of its namespace (__toESM: a getter per property) in each
      // importing module, and the API object has hundreds of properties. 17 such copies were
      // 4–19 ms of dist/extension.js's evaluation in the extension host, most of activation.
      b.onResolve({ filter: /^vscode$/ }, (args) => (args.namespace === VSCODE_API ? { path: 'vscode', external: true } : { path: 'vscode', namespace: VSCODE_API }));
      b.onLoad({ filter: /.*/, namespace: VSCODE_API }, () => ({ contents: 'export * from "vscode";', loader: 'js' }));
      b.onResolve({ filter: /.*/ }, (args) => {
        // The shims' own require() of dist/extension.js is the real one, at run time.
        if (args.namespace === 'shared-chunk') return { path: args.path, external: true };
        const file = path.resolve(args.resolveDir || dir, args.path);
        if (args.kind === 'entry-point' || (entry && merged.has(file))) return { path: file };
        if (merged.has(file)) return { path: file, namespace: 'shared-chunk' };
        return { path: args.path, external: true };
      });
      b.onLoad({ filter: /.*/, namespace: 'file' }, (args) => ({ contents: load(args.path), loader: 'js', resolveDir: dir }));
      b.onLoad({ filter: /.*/, namespace: 'shared-chunk' }, (args) => ({
        contents: `module.exports = require('./${path.basename(main)}')${args.path === main ? '' : `.${SHARED_CHUNKS}[${JSON.stringify(path.basename(args.path))}]`};`,
        loader: 'js',
      }));
    },
  });
  const cjs = { bundle: true, format: 'cjs', platform: 'node', target, minify, sourcemap, sourcesContent: false, supported: { 'dynamic-import': false }, write: false, logLevel: 'silent' };
  const chunks = [...merged].filter((f) => f !== main);
  const [entry, others] = await Promise.all([
    esbuild.build({
      ...cjs,
      stdin: {
        contents: [
          `export * from './${path.basename(main)}';`,
          ...chunks.map((f, i) => `import * as chunk${i} from './${path.basename(f)}';`),
          `export const ${SHARED_CHUNKS} = { ${chunks.map((f, i) => `${JSON.stringify(path.basename(f))}: chunk${i}`).join(', ')} };`,
        ].join('\n'),
        resolveDir: dir,
        sourcefile: 'split-entry.js',
      },
      outfile: main,
      plugins: [fromMemory(true)],
    }),
    esbuild.build({ ...cjs, entryPoints: rest, outdir: dir, plugins: [fromMemory(false)] }),
  ]);
  // One copy of each module: every ESM file went into exactly one of the files written.
  const twice = [...loads].filter(([, n]) => n > 1).map(([f]) => path.basename(f));
  if (twice.length) throw new Error(`split build: ${twice.join(', ')} bundled more than once`);
  const files = [...entry.outputFiles, ...others.outputFiles];
  const written = new Set(files.map((f) => f.path));
  for (const f of fs.readdirSync(dir)) {
    if (f.startsWith(SPLIT_PREFIX) && !written.has(path.join(dir, f))) fs.rmSync(path.join(dir, f));
  }
  for (const f of files) fs.writeFileSync(f.path, f.contents);
}

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'silent',
  plugins: [problemMatcher, lazyTokenizers],
};

/** Browser code of the webviews: its own tsconfig (lib dom), no Node. */
const browser = {
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'silent',
  plugins: [problemMatcher],
  tsconfig: 'src/webview/tsconfig.json',
};

const entries = [
  {
    ...node,
    entryPoints: ['src/extension/extension.ts'],
    outdir: 'dist',
    chunkNames: `${SPLIT_PREFIX}[name]-[hash]`,
    splitting: true,
    format: 'esm',
    write: false,
    external: ['vscode'],
    metafile: true,
    plugins: [...node.plugins, lazyVendors, commonJsSplit],
  },
  // Counts large prompt documents off the extension host's thread (a worker_threads worker).
  { ...node, entryPoints: ['src/core/prompt/countWorker.ts'], outfile: 'dist/countWorker.js', plugins: [...node.plugins, lazyVendors] },
  ...VENDORS.map((name) => ({
    ...node,
    plugins: [problemMatcher],
    sourcemap: false,
    entryPoints: [require.resolve(name)],
    outfile: `dist/${vendorFile(name).slice(2)}`,
  })),
  {
    ...node,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
  },
  // The CLI's built-in demo endpoint (`prompt-profiler demo` without keys): the fake LLM server
  // the tests use, loaded only by that command.
  { ...node, entryPoints: ['test/fake-llm/server.ts'], outfile: 'dist/demo-llm.js' },
  ...TOKENIZER_ENCODINGS.map((name) => ({
    ...node,
    plugins: [problemMatcher],
    sourcemap: false,
    entryPoints: [`node_modules/gpt-tokenizer/esm/encoding/${name}.js`],
    outfile: `dist/tokenizers/${name}.js`,
  })),
  { ...browser, entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js' },
  // The monitoring dashboard: its own browser entry (Chart.js is bundled into it only).
  { ...browser, entryPoints: ['src/webview/dashboard/main.ts'], outfile: 'dist/dashboard.js' },
  // The chart of the CLI's HTML report, inlined into the page (no source map: it would be inlined too).
  { ...browser, sourcemap: false, entryPoints: ['src/webview/report/main.ts'], outfile: 'dist/report-chart.js' },
];

// Integration tests run inside VS Code's extension host: bundled like the extension.
// bootstrap.js is the `extensionTestsPath` entry (redirects output, then requires index.js);
// index.js holds mocha's setup and every test/integration/**/*.test.ts, which the virtual module
// `integration-tests:all` requires in name order (new files are picked up on the next build).
if (!production && fs.existsSync('test/integration/index.ts')) {
  const testsDir = path.resolve('test/integration');
  const integrationTests = {
    name: 'integration-tests',
    setup(build) {
      build.onResolve({ filter: /^integration-tests:all$/ }, () => ({ path: 'all', namespace: 'integration-tests' }));
      build.onLoad({ filter: /.*/, namespace: 'integration-tests' }, () => {
        const files = fs
          .readdirSync(testsDir, { recursive: true })
          .filter((f) => f.endsWith('.test.ts'))
          .sort();
        return {
          contents: files.map((f) => `require(${JSON.stringify('./' + f.split(path.sep).join('/'))});`).join('\n'),
          loader: 'js',
          resolveDir: testsDir,
          watchDirs: [testsDir],
        };
      });
    },
  };
  // The tests bundle the engine too, so its lazily loaded tokenizer tables sit beside them.
  for (const name of TOKENIZER_ENCODINGS) {
    entries.push({
      ...node,
      plugins: [problemMatcher],
      sourcemap: false,
      entryPoints: [`node_modules/gpt-tokenizer/esm/encoding/${name}.js`],
      outfile: `dist/test/integration/tokenizers/${name}.js`,
    });
  }
  for (const name of ['bootstrap', 'index']) {
    entries.push({
      ...node,
      entryPoints: [`test/integration/${name}.ts`],
      outfile: `dist/test/integration/${name}.js`,
      external: ['vscode', 'mocha', 'playwright-core'],
      plugins: [...node.plugins, integrationTests],
    });
  }
}

async function main() {
  const contexts = await Promise.all(entries.filter((e) => fs.existsSync(e.entryPoints[0])).map((e) => esbuild.context(e)));
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  const results = await Promise.allSettled(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  if (results.some((r) => r.status === 'rejected')) process.exit(1);
  if (fs.existsSync('dist/cli.js')) fs.chmodSync('dist/cli.js', 0o755);
  // Node reads the package.json nearest to each file it loads (for "type"): without this one
  // that is the 20 KB manifest, about 1 ms of the extension host's activation to parse.
  fs.writeFileSync('dist/package.json', '{ "type": "commonjs" }\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
