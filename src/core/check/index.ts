export * from './types';
export { DEFAULT_PROMPT_GLOBS, discoverPromptFiles, promptsOfFile, globMatcher } from './discover';
export { checkTree, figuresOfFile, mostSpecific, monthly, trafficOf, DAYS_PER_MONTH, type Estimator } from './figures';
export { comparePrompts, comparePrompt } from './compare';
export { checkBudgets, budgetsFor, changeKey } from './budgets';
export { compareAndCheck, runCheck, type CheckOptions } from './check';
export { changeLine, monthlyText, signedInt, signedPercent, signedUsd } from './format';
export { checkRows, renderJUnit, renderMarkdown, type CheckRow } from './report';
export { measurePrompt, type MeasureOptions } from './measure';
