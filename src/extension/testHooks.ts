// Switches the integration tests turn on through the extension's API (test/integration/index.ts
// does, before any test runs). Off in production: no message log is kept, nothing is cloned.
export const testHooks = {
  /** Panels created from now on keep a snapshot of every message they post, in `posted`. */
  recordPosted: false,
};
