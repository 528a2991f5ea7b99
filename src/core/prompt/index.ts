// Turns a prompt file into a ChatRequest: plain text and Markdown, `.prompt` / `.prompty` files
// with YAML front matter (model, system, parameters, sample variables, a reference answer for the
// judge), `{{variables}}`, and
// chat-style `system:` / `user:` / `assistant:` sections.
import { yaml } from '../lazy';
import type { ChatMessage, Role } from '../types';

export interface ParsedPrompt {
  system?: string;
  messages: ChatMessage[];
  /** Model ids named in the front matter (`provider:model`), if any. */
  models: string[];
  temperature?: number;
  maxOutputTokens?: number;
  /** Values for `{{variables}}` from the front matter (`sample`, `variables`, `inputs`). */
  variables: Record<string, string>;
  /** Variables used in the text that have no value: they stay as `{{name}}`. */
  unresolved: string[];
  /** A reference answer for the LLM judge (front matter `reference:`), if any. */
  reference?: string;
  /** Expected traffic (front matter `calls_per_day:`), for monthly projections. */
  callsPerDay?: number;
  /** Output tokens a typical call returns (front matter `expected_output_tokens:`), for cost per call. */
  expectedOutputTokens?: number;
}

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;
/** The line that closes a front matter opened by a first line `---` (from the third line on, as FRONT_MATTER reads it). */
export const CLOSING_FRONT_MATTER = /^---[ \t]*$/;
const SECTION = /^(system|user|assistant)\s*:\s*$/i;
const DOTPROMPT_ROLE = /^\{\{\s*role\s+"(system|user|model|assistant)"\s*\}\}\s*$/i;
const VARIABLE = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g;

/** What a prompt file's front matter says, read from its YAML text (the part between the `---` lines). */
export interface PromptMeta {
  /** `system:` of the front matter, trimmed; undefined when absent or empty. */
  system?: string;
  models: string[];
  temperature?: number;
  maxOutputTokens?: number;
  variables: Record<string, string>;
  reference?: string;
  /** `description:` (VS Code prompt files and Prompty carry one). */
  description?: string;
}

export function parseFrontMatter(yamlText: string | undefined): PromptMeta {
  let meta: Record<string, unknown> = {};
  if (yamlText !== undefined) {
    const parsed = yaml().parse(yamlText) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) meta = parsed as Record<string, unknown>;
  }
  const system = typeof meta.system === 'string' ? meta.system.trim() : '';
  return {
    ...(system ? { system } : {}),
    models: readModels(meta),
    ...readParameters(meta),
    variables: readVariables(meta),
    ...(typeof meta.reference === 'string' && meta.reference.trim() ? { reference: meta.reference.trim() } : {}),
    ...(typeof meta.description === 'string' && meta.description.trim() ? { description: meta.description.trim() } : {}),
  };
}

/** `{{name}}` replaced by its value; names without one stay (and are added to `unresolved`). */
export function fillVariables(s: string, variables: Record<string, string>, unresolved?: Set<string>): string {
  if (!s.includes('{{')) return s;
  return s.replace(VARIABLE, (whole, name: string) => {
    if (Object.hasOwn(variables, name)) return variables[name];
    unresolved?.add(name);
    return whole;
  });
}

/** Does this line open a chat section (`system:` / `user:` / `assistant:`, or dotprompt's `{{role "…"}}`)? */
export function sectionRoleOf(line: string): Role | undefined {
  const m = SECTION.exec(line) ?? DOTPROMPT_ROLE.exec(line);
  if (!m) return undefined;
  const role = m[1].toLowerCase();
  return role === 'model' ? 'assistant' : (role as Role);
}

export function parsePrompt(text: string): ParsedPrompt {
  let body = text;
  let meta: Record<string, unknown> = {};
  const fm = FRONT_MATTER.exec(text);
  if (fm) {
    const parsed = yaml().parse(fm[1]) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) meta = parsed as Record<string, unknown>;
    body = text.slice(fm[0].length);
  }
  const variables = readVariables(meta);
  const params = readParameters(meta);
  const models = readModels(meta);

  const sections = splitSections(body);
  let system = typeof meta.system === 'string' ? meta.system.trim() : undefined;
  const messages: ChatMessage[] = [];
  for (const s of sections) {
    if (s.role === 'system') system = system ? `${system}\n\n${s.content}` : s.content;
    else if (s.content) messages.push({ role: s.role, content: s.content });
  }
  const unresolved = new Set<string>();
  const fill = (s: string) => fillVariables(s, variables, unresolved);
  return {
    system: system ? fill(system) : undefined,
    messages: messages.map((m) => ({ ...m, content: fill(m.content) })),
    models,
    ...params,
    variables,
    unresolved: [...unresolved],
    ...(typeof meta.reference === 'string' && meta.reference.trim() ? { reference: meta.reference.trim() } : {}),
    ...nonNegative('callsPerDay', meta.calls_per_day ?? meta.callsPerDay),
    ...nonNegative('expectedOutputTokens', meta.expected_output_tokens ?? meta.expectedOutputTokens),
  };
}

function nonNegative<K extends string>(key: K, value: unknown): Partial<Record<K, number>> {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? ({ [key]: value } as Record<K, number>) : {};
}

function splitSections(body: string): { role: Role; content: string }[] {
  const lines = body.split(/\r?\n/);
  const hasSections = lines.some((l) => SECTION.test(l) || DOTPROMPT_ROLE.test(l));
  if (!hasSections) return [{ role: 'user', content: body.trim() }];
  const out: { role: Role; lines: string[] }[] = [];
  let current: { role: Role; lines: string[] } = { role: 'user', lines: [] };
  for (const line of lines) {
    const m = SECTION.exec(line) ?? DOTPROMPT_ROLE.exec(line);
    if (m) {
      out.push(current);
      const role = m[1].toLowerCase();
      current = { role: role === 'model' ? 'assistant' : (role as Role), lines: [] };
    } else {
      current.lines.push(line);
    }
  }
  out.push(current);
  return out.map((s) => ({ role: s.role, content: s.lines.join('\n').trim() })).filter((s) => s.content !== '');
}

function readVariables(meta: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ['sample', 'variables', 'inputs']) {
    const v = meta[key];
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [name, value] of Object.entries(v)) {
        // Prompty/dotprompt input schemas give objects ({type, default}); take a default when there.
        const val = value && typeof value === 'object' ? (value as { default?: unknown }).default : value;
        if (val !== undefined && val !== null) out[name] = typeof val === 'string' ? val : JSON.stringify(val);
      }
    }
  }
  return out;
}

function readParameters(meta: Record<string, unknown>): { temperature?: number; maxOutputTokens?: number } {
  const model = meta.model && typeof meta.model === 'object' ? (meta.model as Record<string, unknown>) : {};
  const sources = [meta, meta.parameters, meta.config, model.parameters].filter(
    (s): s is Record<string, unknown> => !!s && typeof s === 'object',
  );
  const pick = (...names: string[]) => {
    for (const s of sources) for (const n of names) if (typeof s[n] === 'number') return s[n] as number;
    return undefined;
  };
  const temperature = pick('temperature');
  const maxOutputTokens = pick('max_tokens', 'maxTokens', 'max_output_tokens', 'maxOutputTokens', 'max_completion_tokens');
  return {
    ...(temperature !== undefined ? { temperature } : {}),
    ...(maxOutputTokens !== undefined ? { maxOutputTokens } : {}),
  };
}

function readModels(meta: Record<string, unknown>): string[] {
  const m = meta.model ?? meta.models;
  const list = Array.isArray(m) ? m : m !== undefined ? [m] : [];
  return list
    .map((x) => (typeof x === 'string' ? x : x && typeof x === 'object' ? ((x as { id?: unknown; name?: unknown }).id ?? (x as { name?: unknown }).name) : undefined))
    .map((x) => (typeof x === 'string' && !x.includes(':') ? modelIdFromName(x) : x))
    .filter((x): x is string => typeof x === 'string' && x.includes(':'));
}

/**
 * A model as VS Code prompt files name it (`model: GPT-4o`, `Claude Sonnet 4.5 (copilot)`) as
 * our `provider:model` id, for the OpenAI and Anthropic families; other names are not guessed.
 */
export function modelIdFromName(name: string): string | undefined {
  const n = name
    .toLowerCase()
    .replace(/\([^)]*\)/g, '')
    .trim()
    .replace(/\s+/g, '-');
  if (/^(gpt-|chatgpt-|o[134](-|$))/.test(n)) return `openai:${n}`;
  if (/^claude-/.test(n)) return `anthropic:${n.replace(/\./g, '-')}`;
  return undefined;
}

/** A prompt inside a document, by line range (0-based, end exclusive). */
export interface PromptBlock {
  startLine: number;
  endLine: number;
  text: string;
}

/**
 * The prompts in a document: a prompt file (`.prompt`, `.prompty`, plain text) is one prompt;
 * a Markdown document holds one per fenced block tagged `prompt` (```prompt), or, with none,
 * the whole document is the prompt (unless `fencedOnly`: for documents that are not prompt
 * files, where a hover or CodeLens on every README would be noise).
 */
export function findPromptBlocks(text: string, fileName: string, options: { fencedOnly?: boolean } = {}): PromptBlock[] {
  const lines = text.split(/\r?\n/);
  if (/\.(md|markdown)$/i.test(fileName) && !/\.prompt\.md$/i.test(fileName)) {
    const blocks: PromptBlock[] = [];
    let open = -1;
    lines.forEach((line, i) => {
      if (open < 0 && /^\s*(```|~~~)\s*prompt\b/i.test(line)) open = i;
      else if (open >= 0 && /^\s*(```|~~~)\s*$/.test(line)) {
        blocks.push({ startLine: open, endLine: i + 1, text: lines.slice(open + 1, i).join('\n') });
        open = -1;
      }
    });
    if (blocks.length) return blocks;
  }
  if (options.fencedOnly || text.trim() === '') return [];
  return [{ startLine: 0, endLine: lines.length, text }];
}
