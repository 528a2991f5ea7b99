// Test-only chat models for the integration suite, registered through the real Language Model
// API (`vscode.lm.registerLanguageModelChatProvider` + the `languageModelChatProviders`
// contribution) as VS Code 1.139 defines it. Every model is deterministic:
//   pp-test/paced    streams PACED_ANSWER word by word: the first word after FIRST_DELAY_MS,
//                    each next one STEP_MS later
//   pp-test/slow     the same answer, one word every SLOW_STEP_MS (long enough to press Stop)
//   pp-test/refuses  throws LanguageModelError.NoPermissions
//   pp-test/blocked  throws LanguageModelError.Blocked
//   pp-test/quota    throws a plain Error about an exhausted quota
//   pp-test/judge    replies JUDGE_REPLY (a parseable judge score)
// Tokens, by a known rule: the number of whitespace-separated words of the text (a message's
// text parts joined by a space). `activate` returns what the tests inspect: every request seen
// (its messages, whether its token was cancelled).
const vscode = require('vscode');

const PACED_ANSWER = 'Paced answer: one two three four five six seven eight.';
const JUDGE_REPLY = 'Clear and correct. SCORE: 0.8';
const FIRST_DELAY_MS = 400;
const STEP_MS = 40;
const SLOW_STEP_MS = 500;
const REFUSAL = 'the test provider refuses this extension';
const BLOCKED = 'the test provider blocks this request';
const QUOTA = 'You have exceeded your monthly quota of chat requests';

function words(text) {
  return text.split(/\s+/).filter(Boolean).length;
}

function textOf(message) {
  if (typeof message === 'string') return message;
  return message.content
    .map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : typeof p?.value === 'string' ? p.value : ''))
    .join(' ');
}

const ROLE = { [vscode.LanguageModelChatMessageRole.User]: 'user', [vscode.LanguageModelChatMessageRole.Assistant]: 'assistant' };

const MODELS = ['paced', 'slow', 'refuses', 'blocked', 'quota', 'judge'].map((family) => ({
  id: `pp-test-${family}`,
  name: `PP Test ${family}`,
  family,
  version: '1',
  maxInputTokens: 100000,
  maxOutputTokens: 4000,
  capabilities: {},
}));

const sleep = (ms, token) =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    const sub = token.onCancellationRequested(done);
    function done() {
      clearTimeout(timer);
      sub.dispose();
      resolve();
    }
  });

function activate(context) {
  /** @type {{ family: string, messages: { role: string, text: string }[], cancelled: boolean, chunksSent: number }[]} */
  const requests = [];
  const provider = {
    provideLanguageModelChatInformation: async () => MODELS,
    async provideLanguageModelChatResponse(model, messages, _options, progress, token) {
      const request = {
        family: model.family,
        messages: messages.map((m) => ({ role: ROLE[m.role] ?? String(m.role), text: textOf(m) })),
        cancelled: false,
        chunksSent: 0,
      };
      requests.push(request);
      token.onCancellationRequested(() => (request.cancelled = true));
      if (model.family === 'refuses') throw vscode.LanguageModelError.NoPermissions(REFUSAL);
      if (model.family === 'blocked') throw vscode.LanguageModelError.Blocked(BLOCKED);
      if (model.family === 'quota') throw new Error(QUOTA);
      if (model.family === 'judge') {
        progress.report(new vscode.LanguageModelTextPart(JUDGE_REPLY));
        return;
      }
      const pieces = PACED_ANSWER.split(' ').map((w, i) => (i === 0 ? w : ` ${w}`));
      const step = model.family === 'slow' ? SLOW_STEP_MS : STEP_MS;
      await sleep(FIRST_DELAY_MS, token);
      for (let i = 0; i < pieces.length; i++) {
        if (token.isCancellationRequested) return;
        if (i > 0) await sleep(step, token);
        if (token.isCancellationRequested) return;
        progress.report(new vscode.LanguageModelTextPart(pieces[i]));
        request.chunksSent++;
      }
    },
    provideTokenCount: async (_model, text) => words(textOf(text)),
  };
  context.subscriptions.push(vscode.lm.registerLanguageModelChatProvider('pp-test', provider));
  return { requests, PACED_ANSWER, JUDGE_REPLY, FIRST_DELAY_MS, STEP_MS, REFUSAL, BLOCKED, QUOTA };
}

module.exports = { activate, deactivate() {} };
