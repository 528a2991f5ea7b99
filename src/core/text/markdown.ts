// Text from models, prompts and repositories inside Markdown we build (reports, hovers): data,
// never markup. Escaped with backslashes (CommonMark allows one before any ASCII punctuation)
// wherever a construct could start: brackets (links, images), `<` (HTML, autolinks), backticks,
// `*`, `~`, a word-edge `_` (emphasis), pipes (table cells), entities, `$(` (theme icons), a `:`
// before `/` and a `.` before a letter (where linkify finds `https://…`, `www.…`, `evil.com`),
// and a line-start `#`, `+`, `-`, `=`, `>`. The rest (`o200k_base`, `openai:gpt-4o`, `$0.01`,
// `@scope/pkg`) reads the same in the raw text.

const MARKDOWN_SYNTAX = /[\\`*[\]<|~]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])|&(?=#?\w+;)|\$(?=\()|:(?=\/)|\.(?=\p{L})|^[#+\-=>]/gu;

/** `text` as literal Markdown text, on one line (line breaks become spaces). */
export function markdownText(text: string): string {
  return text.replace(/\s+/g, ' ').replace(MARKDOWN_SYNTAX, '\\$&');
}

/** A Markdown table cell: literal text, trimmed to `max` characters. */
export function markdownCell(text: string | number | null | undefined, max = 200): string {
  if (text === null || text === undefined) return '';
  let s = String(text).replace(/\s+/g, ' ').trim();
  if (s.length > max) s = `${s.slice(0, max - 1)}…`;
  return markdownText(s);
}

/**
 * `text` as inline code, one line: a code span no backtick run inside can close, so nothing in
 * it renders. In a table cell a pipe would still end the cell: it is escaped (GFM unescapes it).
 */
export function markdownCode(text: string, inTable = false): string {
  const s = inTable ? text.replace(/\s+/g, ' ').replace(/\|/g, '\\|') : text.replace(/\s+/g, ' ');
  const longest = Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  // Spaces keep a leading or trailing backtick apart from the fence (CommonMark strips one each side).
  return /^`|`$/.test(s) ? `${fence} ${s} ${fence}` : `${fence}${s}${fence}`;
}
