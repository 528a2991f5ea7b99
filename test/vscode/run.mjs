// Runs the extension's integration suite in a real VS Code, then the UI walk and the Restricted
// Mode walk (Workspace Trust on, an untrusted folder), then the VSIX acceptance, all with the
// project's fake LLM server (test/fake-llm/server.ts) running on 127.0.0.1: the extension host
// gets its URLs and the test keys through the environment. Run as `node --import tsx
// test/vscode/run.mjs` (what `npm run test:vscode` does) so the TypeScript server can be
// imported; not with the tsx CLI, which relays Ctrl-C a second time and makes
// @vscode/test-electron SIGKILL the launcher before it has cleaned up.
//
// @vscode/test-electron's runTests() spawns test/vscode/code (the launcher) as if it were VS Code:
// nothing is downloaded (vscodeExecutablePath is given; runTests installs no extensions).
//
// Flags: --suite-only | --ui-only | --vsix-only, --grep=<mocha grep>. Env: PP_VSCODE_TIMEOUT, PP_VSCODE_VERBOSE.
// --desktop[=VERSION]: where VS Code desktop CAN be downloaded, run the suite in it instead
// (test-electron's normal path: it downloads VERSION, default 'stable'); the UI walk is skipped.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { paths } from './paths.mjs';
import { assertSetupDone, closeAllSessions, swallowErrorsWhileStopping, sweepStaleSessions } from './session.mjs';
import { runCompareWalk } from './compare-walk.mjs';
import { runRestrictedModeWalk } from './restricted.mjs';
import { runUiWalk } from './ui-walk.mjs';
import { runVsixAcceptance } from './vsix.mjs';

const argv = process.argv.slice(2);
const suiteOnly = argv.includes('--suite-only') || argv.some((a) => a.startsWith('--desktop'));
const vsixOnly = argv.includes('--vsix-only');
/** Only the comparison table's walk (test/vscode/compare-walk.mjs). */
const compareOnly = argv.includes('--compare-only');
const uiOnly = argv.includes('--ui-only') || vsixOnly || compareOnly;
const grep = argv.find((a) => a.startsWith('--grep='))?.slice('--grep='.length);
const desktopFlag = argv.find((a) => a === '--desktop' || a.startsWith('--desktop='));
const desktopVersion = desktopFlag ? desktopFlag.split('=')[1] || 'stable' : undefined;

const FAKE_LLM = path.join(paths.root, 'test', 'fake-llm', 'server.ts');
const t0 = performance.now();
const secs = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

// ---- Per-run temp dir (workspace copy, result file), cleaned up on every path ------------------
sweepStaleSessions();
const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-vscode-run-'));
fs.writeFileSync(path.join(runDir, 'owner.pid'), String(process.pid));
let fakeLlm;
let cleanedUp = false;
async function cleanup() {
  if (cleanedUp) return;
  cleanedUp = true;
  await fakeLlm?.close().catch(() => {});
  fs.rmSync(runDir, { recursive: true, force: true });
  sweepStaleSessions(); // dirs of a launcher that was killed (e.g. a second Ctrl-C)
}

/** Every process whose environment carries our run dir: the launcher and what it started. */
function ourProcesses() {
  const out = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${name}/environ`, 'latin1').includes(runDir)) {
        const ppid = Number(/^PPid:\s*(\d+)/m.exec(fs.readFileSync(`/proc/${name}/status`, 'utf8'))?.[1]);
        out.push({ pid: Number(name), ppid });
      }
    } catch {
      // gone
    }
  }
  return out;
}

let interrupted = false;
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(sig, async () => {
    if (interrupted) return;
    interrupted = true;
    swallowErrorsWhileStopping();
    console.error(`[vscode] ${sig}: stopping`);
    // Let the launcher (our direct child) clean up its VS Code, then make sure nothing is left.
    for (const p of ourProcesses().filter((p) => p.ppid === process.pid)) {
      try {
        process.kill(p.pid, 'SIGTERM');
      } catch {
        // gone
      }
    }
    await closeAllSessions(); // the UI walk's, if it is running
    for (let i = 0; i < 100 && ourProcesses().some((p) => p.ppid === process.pid); i++) await new Promise((r) => setTimeout(r, 100));
    for (const p of ourProcesses()) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await cleanup();
    process.exit(code);
  });
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (e) {
  console.error(`[vscode] ${e?.stack ?? e}`);
  exitCode = 1;
}
if (interrupted) await new Promise(() => {}); // the signal handler cleans up and exits
await cleanup();
process.exit(exitCode);

async function main() {
  if (!desktopVersion) assertSetupDone();
  const testsEntry = paths.integrationEntry;
  if (!uiOnly && !fs.existsSync(testsEntry)) throw new Error(`${path.relative(paths.root, testsEntry)} is missing: run \`npm run build\` first`);
  if (!fs.existsSync(path.join(paths.root, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `npm run build` first');

  // A fresh copy of the fixture workspace, so runs never modify test/fixtures.
  const workspace = path.join(runDir, 'workspace');
  fs.cpSync(paths.fixtureWorkspace, workspace, { recursive: true });
  // git-repo/ is a git repository with its fixtures committed (the editor compares its prompts
  // with HEAD through the Git extension); the rest of the workspace is in none, so the files
  // other suites write are not "new vs HEAD" and git never looks at them.
  for (const args of [['init', '-q', '-b', 'main'], ['add', '-A'], ['-c', 'user.name=Prompt Profiler tests', '-c', 'user.email=tests@localhost', 'commit', '-q', '-m', 'fixtures']]) {
    execFileSync('git', args, { cwd: path.join(workspace, 'git-repo'), stdio: 'ignore' });
  }

  if (!fs.existsSync(FAKE_LLM)) {
    throw new Error(`${path.relative(paths.root, FAKE_LLM)} is missing: the integration tests need the project's fake LLM server (startFakeLlm())`);
  }
  const { startFakeLlm } = await import(FAKE_LLM);
  fakeLlm = await startFakeLlm();
  console.log(`[vscode] fake LLM server on ${fakeLlm.url}`);

  const resultFile = path.join(runDir, 'integration-result.json');
  const env = {
    OPENAI_BASE_URL: fakeLlm.openaiBaseURL,
    ANTHROPIC_BASE_URL: fakeLlm.anthropicBaseURL,
    OPENAI_API_KEY: 'sk-test-openai',
    ANTHROPIC_API_KEY: 'sk-ant-test',
    PROMPT_PROFILER_FAKE_LLM_URL: fakeLlm.url,
    PROMPT_PROFILER_TEST_RESULT: resultFile,
    ...(grep ? { PROMPT_PROFILER_TEST_GREP: grep } : {}),
  };

  let passed = 0;
  let failed = 0;

  if (!uiOnly) {
    console.log('[vscode] integration suite');
    let code;
    try {
      code = await runTests({
        ...(desktopVersion ? { version: desktopVersion } : { vscodeExecutablePath: paths.launcher }),
        // VS Code desktop takes several development paths; the launcher installs the test models itself.
        extensionDevelopmentPath: desktopVersion ? [paths.root, paths.lmTestExtension] : paths.root,
        extensionTestsPath: testsEntry,
        // No other extensions: the launcher gives code-server a fresh, empty --extensions-dir.
        launchArgs: [workspace],
        extensionTestsEnv: env,
        // The launcher makes fresh profile dirs per run: no --user-data-dir/--extensions-dir.
        reuseMachineInstall: true,
      });
    } catch (e) {
      code = e?.code ?? 1;
    }
    if (interrupted) return 130;
    let result;
    try {
      result = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
    } catch {
      // the suite never got to the end (crash, timeout)
    }
    if (result) {
      passed += result.passes;
      failed += result.failures;
      console.log(`[vscode] integration suite ran in VS Code ${result.vscodeVersion} (${result.appHost}, ${result.uiKind} UI): ${result.passes} passing, ${result.failures} failing, ${result.pending} pending`);
    } else {
      console.log('[vscode] integration suite: no result (see the output above)');
    }
    if (code !== 0 && (!result || result.failures === 0)) failed += 1; // the run itself failed
  }

  if (compareOnly) {
    const compare = await runCompareWalk({ folder: workspace, env, log: (s) => console.log(`[compare] ${s}`) });
    console.log(`vscode: ${compare.passed} passed, ${compare.failed} failed`);
    return compare.failed === 0 && compare.passed > 0 ? 0 : 1;
  }

  if (!suiteOnly && !vsixOnly) {
    if (interrupted) return 130;
    const walk = await runUiWalk({
      folder: workspace,
      env,
      log: (s) => console.log(`[ui-walk] ${s}`),
    });
    if (interrupted) return 130;
    passed += walk.passed;
    failed += walk.failed;
    const compare = await runCompareWalk({ folder: workspace, env, log: (s) => console.log(`[compare] ${s}`) });
    if (interrupted) return 130;
    passed += compare.passed;
    failed += compare.failed;
    const restricted = await runRestrictedModeWalk({ folder: workspace, env, ours: fakeLlm, workDir: runDir, log: (s) => console.log(`[restricted] ${s}`) });
    if (interrupted) return 130;
    passed += restricted.passed;
    failed += restricted.failed;
  }

  if (!suiteOnly) {
    // Last: it rebuilds dist/ for production to package the .vsix.
    const vsix = await runVsixAcceptance({ folder: workspace, env, workDir: runDir, log: (s) => console.log(`[vsix] ${s}`) });
    if (interrupted) return 130;
    passed += vsix.passed;
    failed += vsix.failed;
  }

  console.log(`[vscode] done in ${secs()}`);
  console.log(`vscode: ${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}
