export * from './types';
export { DEFAULT_PROMPT_GLOBS, discoverPromptFiles, promptsOfFile, globMatcher } from './discover';
export { checkTree, figuresOfFile, mostSpecific, monthly, trafficOf, DAYS_PER_MONTH, type Estimator } from './figures';
export { comparePrompts, comparePrompt } from './compare';
export { checkBudgets, budgetsFor, changeKey } from './budgets';
export { compareAndCheck, runCheck, type CheckOptions } from './check';
export { changeLine, monthlyText, signedInt, signedPercent, signedUsd } from './format';
export { checkRows, renderJUnit, renderMarkdown, type CheckRow } from './report';
// measure (real calls, judged: `check --run`) is imported from './measure' itself: the editor's cost
// checks use this index, and measure would bring the runner and the analysis with it.
