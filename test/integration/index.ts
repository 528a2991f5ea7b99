// Mocha entry for the integration tests, run inside VS Code's extension host (see bootstrap.ts and
// test/vscode/). Every `*.test.ts` under test/integration is compiled into this bundle: esbuild.js
// resolves the virtual module `integration-tests:all` to one require() per file, in name order.
import * as fs from 'node:fs';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import type { PromptProfilerApi } from '../../src/extension/extension';
import { logPanelMessage } from './helpers';

export interface IntegrationResult {
  vscodeVersion: string;
  uiKind: 'web' | 'desktop';
  appHost: string;
  remoteName: string | undefined;
  passes: number;
  failures: number;
  pending: number;
  tests: number;
}

export async function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    color: false,
    forbidOnly: true,
    timeout: Number(process.env.PROMPT_PROFILER_TEST_TIMEOUT_MS) || 20_000,
    grep: process.env.PROMPT_PROFILER_TEST_GREP || undefined,
  });

  // Define describe/it/… for the test modules, then evaluate them (each registers its suites).
  mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_PRE_REQUIRE, globalThis, 'integration-tests', mocha);
  require('integration-tests:all');
  mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_REQUIRE, {}, 'integration-tests', mocha);
  mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_POST_REQUIRE, globalThis, 'integration-tests', mocha);

  // The panels' message log is a hook injected for this suite (testHooks.test.ts takes it out and back).
  const api = await vscode.extensions.getExtension<PromptProfilerApi>('prompt-profiler.prompt-profiler')?.activate();
  api?.observePanelMessages(logPanelMessage);

  console.log(`VS Code ${vscode.version} (${vscode.env.appHost}, ${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'} UI)`);
  const stats = await new Promise<Mocha.Stats>((resolve, reject) => {
    try {
      const runner = mocha.run(() => resolve(runner.stats ?? ({} as Mocha.Stats)));
    } catch (e) {
      reject(e);
    }
  });

  const result: IntegrationResult = {
    vscodeVersion: vscode.version,
    uiKind: vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop',
    appHost: vscode.env.appHost,
    remoteName: vscode.env.remoteName,
    passes: stats.passes ?? 0,
    failures: stats.failures ?? 0,
    pending: stats.pending ?? 0,
    tests: stats.tests ?? 0,
  };
  if (process.env.PROMPT_PROFILER_TEST_RESULT) {
    fs.writeFileSync(process.env.PROMPT_PROFILER_TEST_RESULT, JSON.stringify(result, null, 2));
  }
  if (result.failures > 0) throw new Error(`${result.failures} integration test(s) failed`);
  if (result.passes === 0) throw new Error('no integration test ran');
}
