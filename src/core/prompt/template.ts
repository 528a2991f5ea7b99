// A prompt template with {{variables}}, compiled once and rendered per dataset row (batches) or
// inspected block by block (the prompt-cache planner).
//
// parsePrompt() fills {{variables}} from the front matter's sample values; a template must keep
// them open instead. So each {{name}} is first replaced by a private-use marker (valid in YAML,
// never typed by anyone), the text is parsed as usual (front matter, sections, parameters), and
// the markers are turned back into variable slots.
import type { PromptInput } from '../engine';
import { parsePrompt } from './index';
import type { Role } from '../types';

/** A piece of a template block: literal text, or a variable slot. */
export type TemplatePart = { text: string } | { variable: string };

export interface TemplateMessage {
  role: Role;
  parts: TemplatePart[];
}

export interface CompiledTemplate {
  /** The system prompt, or undefined when there is none. */
  system?: TemplatePart[];
  messages: TemplateMessage[];
  /** Variable names in order of first use (system first, then the messages). */
  variables: string[];
  /** Values from the front matter (`sample`, `variables`, `inputs` defaults): used when a row has none. */
  defaults: Record<string, string>;
  /** Model ids named in the front matter. */
  models: string[];
  temperature?: number;
  maxOutputTokens?: number;
}

export interface RenderResult {
  prompt: PromptInput;
  /** Variables with no value in the row nor a default. */
  missing: string[];
}

const VARIABLE = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g;
const OPEN = '\uE000';
const CLOSE = '\uE001';
const MARKER = new RegExp(`${OPEN}(\\d+)${CLOSE}`, 'g');

export function compileTemplate(text: string): CompiledTemplate {
  const names: string[] = [];
  const marked = text.replace(VARIABLE, (_whole, name: string) => `${OPEN}${names.push(name) - 1}${CLOSE}`);
  const parsed = parsePrompt(marked);
  const variables: string[] = [];
  const split = (s: string): TemplatePart[] => {
    const parts: TemplatePart[] = [];
    let last = 0;
    for (const m of s.matchAll(MARKER)) {
      if (m.index > last) parts.push({ text: s.slice(last, m.index) });
      const name = names[Number(m[1])];
      if (!variables.includes(name)) variables.push(name);
      parts.push({ variable: name });
      last = m.index + m[0].length;
    }
    if (last < s.length) parts.push({ text: s.slice(last) });
    return parts;
  };
  const system = parsed.system !== undefined ? split(parsed.system) : undefined;
  const messages = parsed.messages.map((m) => ({ role: m.role, parts: split(m.content) }));
  // Front-matter values never contain markers of their own except when they quote a variable.
  const defaults: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed.variables)) {
    defaults[k] = v.replace(MARKER, (_w, i: string) => `{{${names[Number(i)]}}}`);
  }
  return {
    system,
    messages,
    variables,
    defaults,
    models: parsed.models,
    ...(parsed.temperature !== undefined ? { temperature: parsed.temperature } : {}),
    ...(parsed.maxOutputTokens !== undefined ? { maxOutputTokens: parsed.maxOutputTokens } : {}),
  };
}

export function isVariable(p: TemplatePart): p is { variable: string } {
  return 'variable' in p;
}

/** A row value for `name`: the row's own key, else a dotted path into nested objects, else the default. */
export function lookupValue(values: Record<string, unknown>, name: string, defaults: Record<string, string> = {}): string | undefined {
  if (Object.prototype.hasOwnProperty.call(values, name)) return stringifyValue(values[name]);
  if (name.includes('.')) {
    let cur: unknown = values;
    for (const key of name.split('.')) {
      if (!cur || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, key)) {
        cur = undefined;
        break;
      }
      cur = (cur as Record<string, unknown>)[key];
    }
    if (cur !== undefined) return stringifyValue(cur);
  }
  return Object.prototype.hasOwnProperty.call(defaults, name) ? defaults[name] : undefined;
}

/** Strings as they are; numbers and booleans as written; null as ''; objects and arrays as JSON. */
export function stringifyValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

export function renderParts(parts: TemplatePart[], value: (name: string) => string): string {
  return parts.map((p) => (isVariable(p) ? value(p.variable) : p.text)).join('');
}

/** The template with one row's values. A variable with no value stays as `{{name}}` and is listed in `missing`. */
export function renderTemplate(t: CompiledTemplate, values: Record<string, unknown>): RenderResult {
  const missing: string[] = [];
  const value = (name: string): string => {
    const v = lookupValue(values, name, t.defaults);
    if (v !== undefined) return v;
    if (!missing.includes(name)) missing.push(name);
    return `{{${name}}}`;
  };
  const system = t.system ? renderParts(t.system, value) : undefined;
  return {
    prompt: {
      ...(system ? { system } : {}),
      messages: t.messages.map((m) => ({ role: m.role, content: renderParts(m.parts, value) })),
      ...(t.temperature !== undefined ? { temperature: t.temperature } : {}),
      ...(t.maxOutputTokens !== undefined ? { maxOutputTokens: t.maxOutputTokens } : {}),
    },
    missing,
  };
}
