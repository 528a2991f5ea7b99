// The static prefix of a prompt template: the system prompt and everything before the first
// {{variable}}. It is what stays the same from one call to the next, so it is what a provider
// prompt cache can reuse. Anthropic needs a `cache_control` breakpoint at its end; OpenAI caches
// automatically (≥ 1,024 tokens) and needs nothing.
import type { PromptInput } from '../engine';
import { compileTemplate, isVariable } from '../prompt/template';
import type { ChatMessage } from '../types';

export interface StaticPrefix {
  /** The whole system prompt (if any) is static. False when a {{variable}} sits inside it. */
  systemStatic: boolean;
  /** Messages entirely inside the prefix (after the system prompt). */
  wholeMessages: number;
  /** The start of the next message that is still static ('' = none): the text before its first {{variable}}. */
  partialText: string;
  /** The first {{variable}}, or null when the template has none (the whole prompt is static). */
  firstVariable: string | null;
}

/** Finds the static prefix of a prompt file's text (`.prompt`, `.prompty`, Markdown, plain). */
export function findStaticPrefix(templateText: string): StaticPrefix {
  const t = compileTemplate(templateText);
  const inSystem = t.system?.find(isVariable);
  if (inSystem) return { systemStatic: false, wholeMessages: 0, partialText: '', firstVariable: inSystem.variable };
  for (let i = 0; i < t.messages.length; i++) {
    const parts = t.messages[i].parts;
    const at = parts.findIndex(isVariable);
    if (at >= 0) {
      const partialText = parts
        .slice(0, at)
        .map((p) => (isVariable(p) ? '' : p.text))
        .join('');
      return { systemStatic: true, wholeMessages: i, partialText, firstVariable: (parts[at] as { variable: string }).variable };
    }
  }
  return { systemStatic: true, wholeMessages: t.messages.length, partialText: '', firstVariable: null };
}

/** With no template at hand, the prompt as sent is taken as static as a whole. */
export function wholePromptStatic(prompt: PromptInput): StaticPrefix {
  return { systemStatic: true, wholeMessages: prompt.messages.length, partialText: '', firstVariable: null };
}

export type PrefixBreakpoint =
  | {
      ok: true;
      /** The prompt with one cache breakpoint at the end of the static prefix (a message may be split in two there). */
      prompt: PromptInput;
      /** The static prefix alone (system + messages up to the breakpoint), for counting its tokens. */
      prefix: PromptInput;
      /** A message was split at the first variable. */
      split: boolean;
    }
  | { ok: false; reason: string };

/** Places a `cache_control` breakpoint at the end of the static prefix of `prompt` (variables filled). */
export function withStaticPrefixBreakpoint(prompt: PromptInput, sp: StaticPrefix): PrefixBreakpoint {
  const variable = sp.firstVariable ? `{{${sp.firstVariable}}}` : '';
  if (!sp.systemStatic) {
    return { ok: false, reason: `the system prompt contains ${variable}: only whole blocks take a cache breakpoint, so there is no static prefix to cache` };
  }
  const messages: ChatMessage[] = prompt.messages.map((m) => ({ ...m, cacheBreakpoint: undefined }));
  if (sp.wholeMessages > messages.length) return { ok: false, reason: 'the prompt has fewer messages than its template' };
  let end = sp.wholeMessages; // messages[0..end) are in the prefix
  let split = false;
  const head = sp.partialText.trimEnd();
  if (head.trim() !== '' && end < messages.length) {
    const m = messages[end];
    if (!m.content.startsWith(head)) return { ok: false, reason: 'the prompt does not start like its template' };
    const tail = m.content.slice(head.length).trimStart();
    if (tail === '') {
      end += 1; // the variable was empty: the whole message is static
    } else {
      messages.splice(end, 1, { role: m.role, content: head }, { role: m.role, content: tail });
      end += 1;
      split = true;
    }
  }
  let system = prompt.system;
  let cacheSystem = false;
  if (end > 0) messages[end - 1].cacheBreakpoint = true;
  else if (system) cacheSystem = true;
  else return { ok: false, reason: `the prompt starts with ${variable || 'its variable part'}: there is no static prefix to cache` };
  const clean = (ms: ChatMessage[]) => ms.map((m) => (m.cacheBreakpoint ? m : { role: m.role, content: m.content }));
  system = system || undefined;
  return {
    ok: true,
    prompt: { ...prompt, system, cacheSystem: cacheSystem || undefined, messages: clean(messages) },
    prefix: { system, messages: clean(messages.slice(0, end)) },
    split,
  };
}
