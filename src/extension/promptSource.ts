// Where the prompt comes from: the selection, else the prompt block under the cursor, else the file.
import * as vscode from 'vscode';
import { findPromptBlocks, parsePrompt, type ParsedPrompt } from '../core/prompt';

export interface PromptSource {
  text: string;
  range: vscode.Range;
  parsed: ParsedPrompt;
}

export function promptFromEditor(editor: vscode.TextEditor): PromptSource | undefined {
  const doc = editor.document;
  if (!editor.selection.isEmpty) return fromRange(doc, editor.selection);
  const blocks = findPromptBlocks(doc.getText(), doc.fileName);
  const line = editor.selection.active.line;
  const block = blocks.find((b) => line >= b.startLine && line < b.endLine) ?? (blocks.length === 1 ? blocks[0] : undefined);
  if (!block) return undefined;
  return fromBlock(doc, block.startLine, block.endLine, block.text);
}

export function fromBlock(doc: vscode.TextDocument, startLine: number, endLine: number, text: string): PromptSource | undefined {
  if (!text.trim()) return undefined;
  const end = Math.min(endLine, doc.lineCount) - 1;
  const range = new vscode.Range(startLine, 0, end, doc.lineAt(end).text.length);
  return { text, range, parsed: parsePrompt(text) };
}

function fromRange(doc: vscode.TextDocument, range: vscode.Range): PromptSource | undefined {
  const text = doc.getText(range);
  if (!text.trim()) return undefined;
  return { text, range, parsed: parsePrompt(text) };
}
