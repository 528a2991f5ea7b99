// Start-up cost of the CLI bundle with the BPE rank tables split out into dist/tokenizers/
// (what esbuild.js does) versus inlined, side by side in one run. Each figure is the median
// time to require() the bundle in a fresh node process.
//   npx tsx bench/startup.bench.ts [--runs 7]
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

const root = path.resolve(__dirname, '..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const runs = Number(values.runs);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-startup-'));

const common: esbuild.BuildOptions = {
  entryPoints: [path.join(root, 'src/cli/main.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  logLevel: 'silent',
};
const split: esbuild.Plugin = {
  name: 'split',
  setup(b) {
    b.onResolve({ filter: /^gpt-tokenizer\/encoding\// }, (a) => ({ path: `./tokenizers/${a.path.split('/').pop()}.js`, external: true }));
  },
};

function requireMs(file: string): number {
  const out = execFileSync(process.execPath, ['-e', `const t=performance.now();require(${JSON.stringify(file)});console.log(performance.now()-t)`]);
  return Number(out.toString());
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  await esbuild.build({ ...common, outfile: path.join(dir, 'inline/cli.js') });
  await esbuild.build({ ...common, plugins: [split], outfile: path.join(dir, 'split/cli.js') });
  const inline = path.join(dir, 'inline/cli.js');
  const splitFile = path.join(dir, 'split/cli.js');
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    a.push(requireMs(inline));
    b.push(requireMs(splitFile));
  }
  const size = (f: string) => (fs.statSync(f).size / 1e6).toFixed(2);
  console.log(`CLI bundle start-up, median of ${runs} fresh processes, node ${process.version}`);
  console.log(`  tokenizers inlined: ${median(a).toFixed(0)} ms (${size(inline)} MB)`);
  console.log(`  tokenizers split:   ${median(b).toFixed(0)} ms (${size(splitFile)} MB)`);
  console.log(`  inlined / split = ${(median(a) / median(b)).toFixed(2)}×`);
  fs.rmSync(dir, { recursive: true, force: true });
}

void main();
