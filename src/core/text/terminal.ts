// Text from models, prompts and repositories printed on a terminal: escape sequences (colours,
// cursor moves, OSC 8 hyperlinks, title changes) and other control characters are removed, so
// what a model writes cannot restyle, hide or rewrite our output. Newline and tab stay; a
// carriage return stays only before a newline (CSV's CRLF), never alone to overwrite a line.

// CSI (ESC [ … final), OSC (ESC ] … BEL or ST), other ESC sequences, C0/C1 controls and DEL,
// a lone CR, and the bidirectional overrides that reorder what is shown.
const TERMINAL_UNSAFE =
  /\x1b\[[0-?]*[ -/]*[@-~]?|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b[ -/]*[0-~]?|\x9b[0-?]*[ -/]*[@-~]?|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)|[\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  return text.replace(TERMINAL_UNSAFE, '');
}
