// The environment for an npm started from inside another npm (setup.mjs under `npm test`).
// The outer npm exports its whole config as npm_config_* / npm_* variables; an inner npm reads
// them as its own, so the outer Node 20 user agent reaches code-server's postinstall, which then
// refuses ("code-server currently requires node v24"). The inner npm gets none of them.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A copy of `env` without the outer npm's variables; with `node24`, Node 24 first on PATH and
 * the settings code-server's install needs (all install scripts allowed, Node 24's headers).
 * @param {NodeJS.ProcessEnv} env
 * @param {{ node24?: string, nodedir?: string }} [o]
 */
export function innerNpmEnv(env, o = {}) {
  const clean = Object.fromEntries(Object.entries(env).filter(([k]) => !/^npm_/i.test(k)));
  if (!o.node24) return clean;
  return {
    ...clean,
    PATH: `${path.dirname(o.node24)}:${clean.PATH ?? ''}`,
    // code-server's postinstall runs a nested `npm install` in lib/vscode that must compile
    // native modules too, hence the variable besides the flag.
    npm_config_dangerously_allow_all_scripts: 'true',
    ...(o.nodedir ? { npm_config_nodedir: o.nodedir } : {}),
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
}

/** npm's own entry script, to run it under another Node. */
export function findNpmCli() {
  const r = spawnSync('sh', ['-c', 'readlink -f "$(command -v npm)"'], { encoding: 'utf8' });
  const candidates = [
    r.stdout?.trim(),
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
  ];
  const found = candidates.find((c) => c && c.endsWith('.js') && fs.existsSync(c));
  if (!found) throw new Error(`cannot find npm-cli.js (tried ${candidates.join(', ')})`);
  return found;
}
