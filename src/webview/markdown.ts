// Safe markdown: markdown-it with raw HTML off (it is escaped as text), then DOMPurify.

import DOMPurify from 'dompurify';
import MarkdownIt from 'markdown-it';

export const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: false });

// Table alignment comes out as `style="text-align:…"`, which the CSP blocks: use a class instead.
md.core.ruler.push('align_classes', (state) => {
  for (const tok of state.tokens) {
    if (tok.type !== 'inline' && tok.attrs) {
      const style = tok.attrGet('style');
      const m = style ? /^text-align:(left|right|center)$/.exec(String(style)) : null;
      if (m) {
        tok.attrs = tok.attrs.filter(([name]) => name !== 'style');
        tok.attrJoin('class', `align-${m[1]}`);
      }
    }
  }
});

const PURIFY = {
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed'],
  FORBID_ATTR: ['style'],
};

/** Markdown → sanitized HTML string, ready for `innerHTML`. */
export function renderMarkdown(text: string): string {
  return sanitizeHtml(md.render(text));
}

/** markdown-it's HTML → sanitized HTML string. */
export function sanitizeHtml(html: string): string {
  return DOMPurify.sanitize(html, PURIFY);
}
