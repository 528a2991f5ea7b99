// Builds every bundle: the extension host entry, the webview (browser), the CLI and the
// extension's integration tests. `--production` minifies, `--watch` rebuilds on change.
// esbuild does not type-check: `npm run typecheck` (tsc --noEmit) runs beside it.
const esbuild = require('esbuild');
const fs = require('node:fs');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Prints errors as `✘ [ERROR] … file:line:col` so VS Code's problem matcher picks them up. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => {
      if (watch) console.log(`[watch] build started (${build.initialOptions.outfile})`);
    });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (watch) console.log(`[watch] build finished (${build.initialOptions.outfile})`);
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
 * csv-parse, the glob matchers) are files of their own under dist/vendor/, required on first use (src/core/lazy.ts):
 * activation compiles and evaluates none of them. The CLI keeps one bundle.
 */
const VENDORS = ['openai', '@anthropic-ai/sdk', 'redis', 'csv-parse', '@pydantic/genai-prices', 'yaml', 'picomatch', 'ignore'];
const vendorFile = (name) => `./vendor/${name.replace(/^@/, '').replace(/\//g, '-')}.js`;
const lazyVendors = {
  name: 'lazy-vendors',
  setup(build) {
    const filter = new RegExp(`^(${VENDORS.map((v) => v.replace(/[/.]/g, '\\$&')).join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: vendorFile(args.path), external: true }));
  },
};

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
  { ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'], plugins: [...node.plugins, lazyVendors] },
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
  const path = require('node:path');
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
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
