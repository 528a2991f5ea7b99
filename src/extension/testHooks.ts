// Hooks the integration tests inject through the extension's API (test/integration/index.ts does,
// before any test runs). Unset in production: the panels then keep and copy nothing.

/** Sees every message a panel (profile panel or dashboard) posts to its webview, as it is sent. */
export type PanelMessageObserver = (panel: object, message: unknown) => void;

export const testHooks: { panelMessages?: PanelMessageObserver } = {};
