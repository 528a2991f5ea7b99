// A word-level diff of two answers (jsdiff's diffWords), drawn as <del>/<ins> runs: struck
// through and underlined as well as tinted with the theme's diff colours, so it does not rely on
// colour, and screen readers announce deletions and insertions.

import { diffWords, type ChangeObject } from 'diff';
import { h } from '../dom';

export interface WordDiff {
  parts: ChangeObject<string>[];
  /** Words (whitespace-separated runs) only in A, only in B. */
  deleted: number;
  inserted: number;
}

function words(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

export function wordDiff(a: string, b: string): WordDiff {
  const parts = diffWords(a, b);
  let deleted = 0;
  let inserted = 0;
  for (const p of parts) {
    if (p.removed) deleted += words(p.value);
    else if (p.added) inserted += words(p.value);
  }
  return { parts, deleted, inserted };
}

/** The diff as text nodes inside <del>/<ins> (never HTML: answers are data). */
export function renderDiff(d: WordDiff): HTMLElement {
  const out = h('div', { class: 'diff-text' });
  for (const p of d.parts) {
    if (p.removed) out.append(h('del', { class: 'diff-del', text: p.value, attrs: { title: 'only in A' } }));
    else if (p.added) out.append(h('ins', { class: 'diff-ins', text: p.value, attrs: { title: 'only in B' } }));
    else out.append(document.createTextNode(p.value));
  }
  return out;
}
