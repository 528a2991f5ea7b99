// Reading a prompt, template or data file named on the command line (`-` = standard input).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PromptInput } from '../../core/engine';
import { parsePrompt } from '../../core/prompt';
import { UsageError, type CliIO } from './io';

/** A NUL byte, or invalid UTF-8, in the first 8 KiB: not a text file. */
function looksBinary(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) return true;
  // Invalid UTF-8 decodes to U+FFFD; a truncated final character at the cut is not a sign.
  return new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(0, Math.max(0, head.length - 4))).includes('\uFFFD');
}

/** The text of a file argument; a missing, empty, folder or binary one is a usage error. */
export async function readInputText(file: string, io: CliIO, what: 'prompt' | 'template' | 'file'): Promise<string> {
  let text: string;
  if (file === '-') text = await io.readStdin();
  else {
    const full = path.resolve(io.cwd, file);
    if (!fs.existsSync(full)) throw new UsageError(`No such file: ${file}`);
    if (fs.statSync(full).isDirectory()) throw new UsageError(`${file} is a folder: name the ${what} file inside it.`);
    const bytes = fs.readFileSync(full);
    if (looksBinary(bytes)) throw new UsageError(`${file} is not a text file (binary content): nothing was sent.`);
    text = bytes.toString('utf8');
  }
  if (!text.trim()) throw new UsageError(`The ${what} in ${file === '-' ? 'standard input' : file} is empty.`);
  return text;
}

export async function readPrompt(file: string | undefined, io: CliIO): Promise<{ prompt: PromptInput; models: string[]; reference?: string }> {
  if (!file) throw new UsageError('Missing the prompt file (use - for standard input).');
  const parsed = parsePrompt(await readInputText(file, io, 'prompt'));
  return {
    prompt: {
      system: parsed.system,
      messages: parsed.messages,
      temperature: parsed.temperature,
      maxOutputTokens: parsed.maxOutputTokens,
    },
    models: parsed.models,
    reference: parsed.reference,
  };
}
