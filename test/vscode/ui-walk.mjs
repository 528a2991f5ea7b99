// UI walk: drives the real workbench (code-server + headless Chromium) the way a user would, with
// the extension under development loaded, and leaves PNG screenshots in test-results/.
// Run by test/vscode/run.mjs after the integration suite (same `npm run test:vscode`), with the
// same env (fake LLM URLs and test keys). Add steps to `walk()`; the helpers below hide the
// workbench's selectors.
import fs from 'node:fs';
import path from 'node:path';
import { startSession, workbenchUrl } from './session.mjs';
import { paths } from './paths.mjs';

const STEP_TIMEOUT = 30_000;

/** The user-level steps. Each `step` is timed, reported, and screenshotted on failure. */
async function walk(ui) {
  await ui.step('workbench opens on the fixture folder', async () => {
    await ui.waitForWorkbench();
    await ui.waitForExtensionsActivated();
  });
  await ui.step('Quick Open opens summarize.prompt', async () => {
    await ui.openFile('summarize.prompt');
    await ui.screenshot('01-summarize-prompt-open');
  });
  // Next (lead): ui.selectAll(); ui.rightClickEditor(); ui.clickContextMenu('Profile Prompt');
  // then read the results from ui.webviewFrame() and hover over the prompt.
}

/** Helpers over one Playwright page showing the workbench. */
export function createUi(page, { resultsDir = paths.results, log = console.log } = {}) {
  fs.mkdirSync(resultsDir, { recursive: true });
  const ui = {
    page,
    steps: [],
    /** Runs one named step; on failure takes a `FAILED-…` screenshot and rethrows. */
    async step(name, fn) {
      const t0 = performance.now();
      try {
        await fn();
        const ms = Math.round(performance.now() - t0);
        ui.steps.push({ name, ok: true, ms });
        log(`  ✔ ${name} (${ms} ms)`);
      } catch (e) {
        ui.steps.push({ name, ok: false, error: String(e) });
        log(`  ✘ ${name}: ${e?.message ?? e}`);
        await ui.screenshot(`FAILED-${name.replace(/[^a-z0-9]+/gi, '-')}`).catch(() => {});
        throw e;
      }
    },
    /** Waits until the workbench is restored and the explorer shows the folder. */
    async waitForWorkbench() {
      await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
      // The smoke-test driver (enabled by the launcher) knows when the workbench is restored.
      await page.waitForFunction(() => typeof window.driver?.whenWorkbenchRestored === 'function', null, { timeout: 60_000 });
      await page.evaluate(() => window.driver.whenWorkbenchRestored());
      await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
    },
    /** Opens a workspace file by name through Quick Open (Ctrl+P) and waits for its editor. */
    async openFile(name) {
      await ui.focusWorkbench();
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
      await input.fill(name);
      // Wait for the file to be the first result, then open it.
      await page
        .locator('.quick-input-widget .monaco-list-row', { hasText: name })
        .first()
        .waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
      await page.keyboard.press('Enter');
      await page.locator(`.tabs-container .tab.active[aria-label^="${name}"]`).waitFor({ timeout: STEP_TIMEOUT });
      await ui.editor().waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
    },
    /** The active text editor's Monaco element. */
    editor() {
      return page.locator('.editor-group-container.active .monaco-editor[data-uri]').first();
    },
    /** Waits until the status bar no longer shows "Activating Extensions…". */
    async waitForExtensionsActivated() {
      await page
        .locator('.statusbar-item', { hasText: 'Activating Extensions' })
        .waitFor({ state: 'detached', timeout: 60_000 })
        .catch(() => {});
    },
    /** Writes the page's DOM to test-results/<name>.html (to find selectors). */
    async dumpDom(name) {
      const file = path.join(resultsDir, `${name}.html`);
      fs.writeFileSync(file, await page.content());
      log(`    DOM: ${path.relative(process.cwd(), file)}`);
      return file;
    },
    /** Puts keyboard focus in the workbench (not the browser chrome). */
    async focusWorkbench() {
      await page.locator('.monaco-workbench').focus().catch(() => {});
    },
    /** Selects the whole content of the active editor. */
    async selectAll() {
      await ui.editor().locator('.view-lines').click();
      await page.keyboard.press('Control+A');
    },
    /** Opens the editor's context menu. */
    async rightClickEditor() {
      await ui.editor().locator('.view-lines').click({ button: 'right' });
      await page.locator('.context-view .monaco-menu').waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
    },
    /** Clicks the context-menu entry whose label is `label`. */
    async clickContextMenu(label) {
      const item = page.locator('.context-view .monaco-menu .action-item a.action-menu-item', { hasText: label }).first();
      await item.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
      await item.click();
    },
    /** Runs a command through the command palette (F1), by its title. */
    async runCommand(title) {
      await ui.focusWorkbench();
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
      await input.fill(`>${title}`);
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor({ timeout: STEP_TIMEOUT });
      await page.keyboard.press('Enter');
    },
    /**
     * The content of a webview (outer `iframe.webview`, inner `iframe#active-frame`), as a
     * Playwright FrameLocator; `index` picks one when several webviews are in the DOM.
     */
    webviewFrame({ index = 0 } = {}) {
      return page.frameLocator('iframe.webview.ready').nth(index).frameLocator('iframe#active-frame');
    },
    /** Hovers the mouse over the first occurrence of `text` in the active editor. */
    async hoverText(text) {
      await ui.editor().locator('.view-line span', { hasText: text }).first().hover();
      const hover = page.locator('.monaco-hover:not(.hidden) .monaco-hover-content');
      await hover.first().waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
      return hover.first();
    },
    /** Saves a PNG of the page to test-results/<name>.png and returns its path. */
    async screenshot(name) {
      const file = path.join(resultsDir, `${name}.png`);
      await page.screenshot({ path: file });
      log(`    screenshot: ${path.relative(process.cwd(), file)}`);
      return file;
    },
  };
  return ui;
}

/**
 * Opens the workbench on `folder` with this repository as the development extension and runs the
 * walk. Returns { passed, failed, steps }; never throws for a failing step.
 */
export async function runUiWalk({ folder, env = {}, log = console.log } = {}) {
  let session;
  const t0 = performance.now();
  log('UI walk');
  try {
    session = await startSession({ folder, extensionDevelopmentPath: paths.root, env });
    const ui = createUi(session.page, { log });
    let ok = true;
    try {
      await walk(ui);
    } catch {
      ok = false;
      if (!session.closed) log(session.logTail(20));
    }
    const passed = ui.steps.filter((s) => s.ok).length;
    const failed = ui.steps.length - passed;
    log(`UI walk: ${passed} steps passed, ${failed} failed (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    return { passed, failed: ok ? failed : Math.max(failed, 1), steps: ui.steps };
  } catch (e) {
    log(`UI walk could not start: ${e?.stack ?? e}`);
    return { passed: 0, failed: 1, steps: [] };
  } finally {
    await session?.close();
  }
}

export { workbenchUrl };
