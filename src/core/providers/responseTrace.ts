// A `fetch` for the SDKs that remembers what an error response said and where it came from.
// The OpenAI SDK keeps only `body.error` of a failed response, so a body shaped any other way
// (`{"detail":…}`, `{"message":…}`, plain text) would be lost before we could read it.

export interface ResponseTrace {
  /** The URL that answered (after redirects). */
  url: string;
  status: number;
  /** The body of an error response (status ≥ 400), as sent; '' for a success. */
  bodyText: string;
}

/** Keyed by the Response's `Headers` object, which both SDKs hand on to the errors they throw. */
const traces = new WeakMap<object, ResponseTrace>();

/** Enough of a body to show its message; a server that sends megabytes gets cut. */
const MAX_ERROR_BODY = 64 * 1024;

export function tracingFetch(base: typeof fetch = globalThis.fetch): typeof fetch {
  return async (input, init) => {
    const response = await base(input, init);
    const url = response.url || (typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const bodyText = response.status >= 400 ? (await response.clone().text().catch(() => '')).slice(0, MAX_ERROR_BODY) : '';
    traces.set(response.headers, { url, status: response.status, bodyText });
    return response;
  };
}

/** What the traced fetch saw of the response behind an SDK error (its `headers`). */
export function traceOf(headers: unknown): ResponseTrace | undefined {
  return headers && typeof headers === 'object' ? traces.get(headers) : undefined;
}
