// Text from models, prompts and repositories is data: escaped in Markdown, stripped of control
// characters on a terminal, guarded in CSV.
export { markdownCell, markdownCode, markdownText } from './markdown';
export { terminalSafe } from './terminal';
export { csvField } from './csv';
