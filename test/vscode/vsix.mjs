// The final acceptance test of the packaged extension: `npm run package` builds the .vsix, a fresh
// code-server installs it with `--install-extension` (as a user would install it, no development
// path), and a prompt is profiled from the command palette against the fake LLM server: every
// column finishes, and each cost equals tokens × list price from the server's recorded usage.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { formatUsd } from '../../src/core/format.ts';
import { paths } from './paths.mjs';
import { startSession } from './session.mjs';
import { createUi, usageOf, waitUntil } from './ui-walk.mjs';

const PRICES = {
  'openai:gpt-4o-mini': { input: 0.15, output: 0.6 },
  'anthropic:claude-haiku-4-5': { input: 1, output: 5 },
};

/** Packages the extension; returns the .vsix path and its size in bytes. */
export function packageVsix(outDir, log = console.log) {
  const out = path.join(outDir, 'prompt-profiler.vsix');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['run', '--silent', 'package', '--', '-o', out], { cwd: paths.root, stdio: ['ignore', 'ignore', 'inherit'] });
  const bytes = fs.statSync(out).size;
  log(`  packaged ${path.basename(out)}: ${(bytes / 1024 / 1024).toFixed(2)} MB`);
  return { file: out, bytes };
}

export async function runVsixAcceptance({ folder, env = {}, workDir, log = console.log } = {}) {
  log('VSIX acceptance');
  let session;
  const t0 = performance.now();
  try {
    const { file } = packageVsix(workDir, log);
    session = await startSession({ folder, env, installVsix: file });
    const ui = createUi(session.page, { log, fakeUrl: env.PROMPT_PROFILER_FAKE_LLM_URL });
    try {
      await ui.step('the installed extension profiles a prompt from the command palette', async () => {
        await ui.waitForWorkbench();
        await ui.fake.post('/__admin/reset');
        await ui.openFile('summarize.prompt');
        await ui.selectAll();
        await ui.runCommand('Prompt Profiler: Profile Prompt');
        await waitUntil(async () => {
          const cols = await ui.readColumns().catch(() => []);
          return cols.length === 2 && cols.every((c) => c.status === 'done');
        }, 120_000, 'both columns done');
        const cols = await ui.readColumns();
        const requests = (await ui.fake.get('/__admin/requests')).filter((r) => r.route === 'openai.chat' || r.route === 'anthropic.messages');
        for (const [i, modelId] of Object.keys(PRICES).entries()) {
          const rec = requests.find((r) => `${r.vendor}:${r.model}` === modelId);
          assert(rec, `${modelId}: the server recorded its request`);
          const u = usageOf(rec);
          assert.equal(cols[i].cost, formatUsd((u.input * PRICES[modelId].input + u.output * PRICES[modelId].output) / 1e6), `${modelId}: cost`);
          ui.note(`${modelId}: ${u.input} in, ${u.output} out → ${cols[i].cost}`);
        }
        // It really is the installed copy, not this checkout.
        const installed = fs.readdirSync(session.dirs.ext).filter((d) => d.startsWith('prompt-profiler.prompt-profiler-'));
        assert.equal(installed.length, 1, `installed: ${fs.readdirSync(session.dirs.ext)}`);
        // Every script of the build the extension host or a webview loads is in the package; the CLI's are not.
        const cliOnly = new Set(['cli.js', 'demo-llm.js', 'report-chart.js']);
        const built = fs.readdirSync(path.join(paths.root, 'dist')).filter((f) => f.endsWith('.js') && !cliOnly.has(f));
        const shipped = new Set(fs.readdirSync(path.join(session.dirs.ext, installed[0], 'dist')));
        assert.deepEqual(built.filter((f) => !shipped.has(f)), [], 'built but not in the .vsix');
        await ui.screenshot('20-vsix-installed-profile');
      });
      return { passed: 1, failed: 0 };
    } catch {
      if (!session.closed) log(session.logTail(20));
      return { passed: 0, failed: 1 };
    }
  } catch (e) {
    log(`VSIX acceptance could not start: ${e?.stack ?? e}`);
    return { passed: 0, failed: 1 };
  } finally {
    await session?.close();
    log(`VSIX acceptance done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
}
