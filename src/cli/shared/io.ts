// What every CLI command is given: its streams, working directory, environment and Ctrl-C.
export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => Promise<string>;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /** Whether stderr is a terminal (live progress lines); false in tests and CI logs. */
  stderrIsTTY?: boolean;
}

/** Bad usage: printed as one line plus a pointer to the command's --help; exit code 2. */
export class UsageError extends Error {}

/** "1 call", "2 calls". */
export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
