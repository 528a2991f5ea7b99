// Runs the prompt-profiler CLI in-process through its entry point, capturing what it prints.
// (Not a *.test.ts file: mocha's spec does not pick it up.)
import { main, type CliIO } from '../../../src/cli/main';
import type { FakeLlm } from '../../fake-llm/server';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  args: string[],
  o: { cwd: string; env: NodeJS.ProcessEnv; stdin?: string; signal?: AbortSignal },
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    readStdin: async () => o.stdin ?? '',
    cwd: o.cwd,
    env: o.env,
    signal: o.signal ?? new AbortController().signal,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** The SDKs' variables pointing at the fake server, with test keys. */
export function fakeEnv(fake: FakeLlm): NodeJS.ProcessEnv {
  return {
    OPENAI_API_KEY: 'sk-test-openai',
    OPENAI_BASE_URL: fake.openaiBaseURL,
    ANTHROPIC_API_KEY: 'sk-ant-test',
    ANTHROPIC_BASE_URL: fake.anthropicBaseURL,
  };
}
