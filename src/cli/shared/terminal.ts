// Text from models, prompts and repositories is data: on a terminal it must not move the
// cursor, recolour the screen or plant hyperlinks. Control characters other than newline and
// tab (ESC and the C1 controls among them) are dropped before we print it.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

export function terminalText(s: string): string {
  return s.replace(CONTROL, '');
}
