// How a command joins the program: its name, description, --config, and the one-line usage
// error that points at its own --help.
import type { Command } from 'commander';
import type { CliIO } from './io';

export interface CommandContext {
  io: CliIO;
  /** The command's exit code: 0 success, 1 a run failed (or a gate), 2 bad usage. */
  exit(code: number): void;
}

/** The flags every command has for its config. */
export interface ConfigFlags {
  config?: string;
  trustConfig?: boolean;
}

/** For repeatable flags (`--model A --model B`). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export const seeHelp = (name?: string) => `(see \`prompt-profiler ${name ? `${name} ` : ''}--help\`)`;

export function defineCommand(program: Command, name: string, description: string): Command {
  return program
    .command(name)
    .description(description)
    .option('--config <file>', 'read this prompt-profiler.json (default: the nearest one from the working directory upward)')
    .option(
      '--trust-config',
      "let the project's prompt-profiler.json send your keys to its own base URLs and name key variables (only for a repository you trust; PROMPT_PROFILER_TRUST_CONFIG=1 does the same)",
    )
    .showHelpAfterError(seeHelp(name));
}
