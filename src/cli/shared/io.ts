// What every CLI command is given: its streams, working directory, environment and Ctrl-C.
export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => Promise<string>;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /** stderr when it is a terminal (live progress lines); absent in tests, pipes and CI logs. */
  tty?: NodeJS.WriteStream;
}

/** Bad usage: printed as one line plus a pointer to the command's --help; exit code 2. */
export class UsageError extends Error {}

/** "1 call", "2 calls". */
export const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
