// The `extensionTestsPath` entry. In the real-VS-Code harness (test/vscode/) the extension host's
// console and stdout only reach the workbench log, mixed with VS Code's own messages, so when
// PROMPT_PROFILER_TEST_OUTPUT names a file, everything the tests print goes there instead and
// the launcher streams it to the terminal.
//
// VS Code locks `console.log` & co. and `process.stdout.write` (non-configurable getters that
// forward to the workbench), so rather than patching them we replace the global `console` and
// the `process.stdout`/`process.stderr` getters. This must happen before mocha loads (its
// reporters keep a reference to console.log), hence the runtime require of ./index.js, which
// esbuild bundles separately.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Console } from 'node:console';
import { Writable } from 'node:stream';

function redirectOutput(file: string): void {
  const fd = fs.openSync(file, 'a');
  const sink = () =>
    Object.assign(
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          fs.writeSync(fd, chunk);
          callback();
        },
      }),
      { isTTY: false, columns: 120 },
    );
  const stdout = sink();
  const stderr = sink();
  Object.defineProperty(process, 'stdout', { configurable: true, enumerable: true, get: () => stdout });
  Object.defineProperty(process, 'stderr', { configurable: true, enumerable: true, get: () => stderr });
  globalThis.console = new Console({ stdout, stderr, colorMode: false });
}

export async function run(): Promise<void> {
  const file = process.env.PROMPT_PROFILER_TEST_OUTPUT;
  if (file) redirectOutput(file);
  const entry = path.join(__dirname, 'index.js');
  const { run: runTests } = require(entry) as typeof import('./index');
  await runTests();
}
