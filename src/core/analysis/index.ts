// Decide: which model × caching option to ship for a prompt. Pareto frontier over (cost per 1k
// calls ↓, p95 latency ↓, quality ↑), a recommendation under the user's limits, quality with its
// source (judge / rating / prior), options derived from a live run, routing.
// No `vscode` here. pareto.ts, stats.ts, decide.ts, options.ts (types + pure functions) and
// routing.ts are also safe for the webview bundle; judge.ts, promptCache.ts and analyseRun.ts
// drive the engine. Method choices: docs/DECISIONS-analysis.md.
//
//   const analysis = await analyseRun({ engine, prompt, results, templateText, judge: { model: 'openai:gpt-4o' },
//                                       requirements: { maxLatencyS: 2, maxCostPer1k: 5, minQuality: 0.8 } });
//   analysis.options; analysis.decision.frontier; analysis.decision.selected; analysis.decision.reason;
//   decide(analysis.options, { maxCostPer1k: 1 });   // recompute when a limit changes
export * from './stats';
export * from './pareto';
export * from './quality';
export * from './options';
export * from './decide';
export * from './routing';
export * from './prefix';
export * from './judge';
export * from './promptCache';
export * from './analyseRun';
