// How a provider lets the runner stamp each HTTP attempt (see src/core/run/wire.ts): the SDK
// client's fetch reads the call's recorder from the request's fetchOptions, so one client serves
// every call and each attempt (the SDK's own retries included) is stamped as it is handed over.
import type { WireRecorder } from '../types';

const WIRE = Symbol('prompt-profiler.wire');

type WiredInit = RequestInit & { [WIRE]?: WireRecorder };

/** The fetch to give an SDK client: stamps the attempt, then sends it with the global fetch. */
export const wiredFetch: typeof fetch = (input, init) => {
  (init as WiredInit | undefined)?.[WIRE]?.attemptStarted();
  return fetch(input, init);
};

/**
 * Per-request SDK options that carry the call's recorder to `wiredFetch` (typed as an empty
 * object: each SDK has its own RequestInit type, and the symbol key is ours alone).
 */
export function wireOptions(wire: WireRecorder | undefined): { fetchOptions?: {} } {
  return wire ? { fetchOptions: { [WIRE]: wire } } : {};
}
