// Started by test/unit/setup-env.test.ts from inside `npm run`: starts an inner npm the way
// setup.mjs starts code-server's install (Node 24, innerNpmEnv) and prints what the inner
// npm's script sees. `--leak` passes the outer environment unchanged, to show the bug it fixes.
import { spawnSync } from 'node:child_process';
import { paths } from './paths.mjs';
import { findNpmCli, innerNpmEnv } from './npm-env.mjs';

const [innerDir, mode] = process.argv.slice(2);
const env = mode === '--leak' ? { ...process.env, PATH: `${paths.node24.replace(/\/node$/, '')}:${process.env.PATH}` } : innerNpmEnv(process.env, { node24: paths.node24 });
const r = spawnSync(paths.node24, [findNpmCli(), 'run', '--silent', 'show'], { cwd: innerDir, env, encoding: 'utf8' });
process.stdout.write(r.stdout);
process.stderr.write(r.stderr);
process.exitCode = r.status ?? 1;
