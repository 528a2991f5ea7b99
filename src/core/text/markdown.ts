// Text from models, prompts and repositories inside Markdown we build (reports, hovers): data,
// never markup. Every ASCII punctuation character is backslash-escaped (CommonMark allows it for
// all of them), so no image, link, autolink, HTML tag, entity, emphasis or code span can form,
// and a bare `https://…` or `www.…` is split where linkify would look for it.

const MARKDOWN_PUNCTUATION = /[!-/:-@[-`{-~]/g;

/** `text` as literal Markdown text, on one line (line breaks become spaces). */
export function markdownText(text: string): string {
  return text.replace(/\s+/g, ' ').replace(MARKDOWN_PUNCTUATION, '\\$&');
}

/**
 * `text` shown as inline code: a code span no backtick run inside can close (one line). In a
 * table cell a pipe would still end the cell, so it is escaped there (GFM unescapes it).
 */
export function markdownCode(text: string, inTable = false): string {
  const s = inTable ? text.replace(/\s+/g, ' ').replace(/\|/g, '\\|') : text.replace(/\s+/g, ' ');
  const longest = Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  // A space on each side keeps a leading or trailing backtick apart from the fence.
  return /^`|`$/.test(s) ? `${fence} ${s} ${fence}` : `${fence}${s}${fence}`;
}

/** A Markdown table cell: literal text, trimmed to `max` characters. */
export function markdownCell(text: string | number | null | undefined, max = 200): string {
  if (text === null || text === undefined) return '';
  let s = String(text).replace(/\s+/g, ' ').trim();
  if (s.length > max) s = `${s.slice(0, max - 1)}…`;
  return markdownText(s);
}
