// Browser-level checks in a development window (the extension loaded, no test driver payload): what a user sees
// in the Problems panel, a hover, the status bar and the reachability view, with a screenshot of each.
import * as path from 'node:path';
import { GENERATED_WORKLOADS } from './generated-workspace.mjs';

const FIXTURE_FILE = 'policies.yaml';
const EXPECTED_PROBLEM = 'selector-matches-nothing';
const EXPECTED_NODES = 4;

/** Runs one named check; a failure is recorded (with a screenshot), not thrown, so later checks still run. */
async function check(results, page, shotsDir, title, body) {
  const started = Date.now();
  try {
    await body();
    results.push({ title, state: 'passed', durationMs: Date.now() - started });
  } catch (error) {
    const shot = path.join(shotsDir, `failed-${title.replace(/\W+/g, '-')}.png`);
    await page.screenshot({ path: shot }).catch(() => {});
    results.push({ title, state: 'failed', durationMs: Date.now() - started, error: `${String(error?.message ?? error).split('\n').slice(0, 6).join('\n')} (screenshot ${shot})` });
  }
}

async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 15_000 });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  try {
    await row.waitFor({ timeout: 15_000 });
  } catch (error) {
    await page.keyboard.press('Escape'); // leave no palette open over the next steps
    throw error;
  }
  await row.click();
}

/** The frame of our webview: VS Code nests the content in an iframe inside the webview's iframe. */
async function reachabilityFrame(page, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      try {
        if ((await frame.locator('#graph').count()) > 0) return frame;
      } catch {
        /* frame navigating */
      }
    }
    await page.waitForTimeout(250);
  }
  throw new Error('the reachability webview did not appear');
}

export async function runUiChecks({ browser, url, graphUrl, shotsDir, log }) {
  const results = [];
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on('pageerror', (e) => log(`  [workbench error] ${String(e).slice(0, 200)}`));
  try {
    await page.goto(url);
    await check(results, page, shotsDir, 'the workbench opens the fixture workspace', async () => {
      await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'shop' }).first().waitFor({ timeout: 60_000 });
    });

    await check(results, page, shotsDir, 'the status bar shows the analysis counts', async () => {
      const item = page.locator('.statusbar-item', { hasText: /\d+ polic(y|ies)\s*·\s*\d+ workloads?/ }).first();
      await item.waitFor({ timeout: 30_000 });
      const text = (await item.innerText()).replace(/\s+/g, ' ').trim();
      if (!/5 policies\s*·\s*4 workloads/.test(text)) throw new Error(`status bar shows "${text}", expected 5 policies and 4 workloads`);
    });

    await check(results, page, shotsDir, 'the Problems panel lists the diagnostic', async () => {
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ timeout: 15_000 });
      await input.fill(FIXTURE_FILE);
      await page.locator('.quick-input-list .monaco-list-row', { hasText: FIXTURE_FILE }).first().waitFor({ timeout: 15_000 });
      await page.keyboard.press('Enter');
      await page.waitForSelector(`.tab[aria-label*="${FIXTURE_FILE}"]`, { timeout: 30_000 });
      await runCommand(page, 'View: Focus Problems');
      const row = page.locator('.markers-panel .monaco-list-row', { hasText: EXPECTED_PROBLEM }).first();
      await row.waitFor({ timeout: 60_000 });
      // Scroll the editor to the policy the diagnostic is on, so the screenshot shows the squiggle too.
      await row.click();
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(shotsDir, 'problems.png') });
    });

    await check(results, page, shotsDir, 'hovering a podSelector shows the matched pods', async () => {
      const editor = page.locator('.editor-instance .monaco-editor').first();
      await editor.click();
      // Go to the line of `app: api` in api-from-web's podSelector (line 19) and hover the word.
      await page.keyboard.press('Control+G');
      await page.locator('.quick-input-widget input').fill(':19:9');
      await page.keyboard.press('Enter');
      await page.waitForTimeout(300);
      const cursor = await page.locator('.monaco-editor .cursor').first().boundingBox();
      if (!cursor) throw new Error('no cursor in the editor');
      // A real mouse hover (moving onto the word from elsewhere), else the keyboard's "show hover" (Ctrl+K Ctrl+I).
      await page.mouse.move(cursor.x + 200, cursor.y + 200);
      await page.mouse.move(cursor.x + 12, cursor.y + cursor.height / 2, { steps: 5 });
      const hover = page.locator('.monaco-hover-content', { hasText: 'shop/api' }).first();
      try {
        await hover.waitFor({ timeout: 8_000 });
      } catch {
        await page.keyboard.press('Control+K');
        await page.keyboard.press('Control+I');
        await hover.waitFor({ timeout: 10_000 });
      }
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(shotsDir, 'hover.png') });
      await page.mouse.move(5, 5);
      await page.keyboard.press('Escape');
    });

    await check(results, page, shotsDir, 'semantic tokens colour namespaces, labels and ports as the theme says', async () => {
      const editor = page.locator('.editor-instance .monaco-editor').first();
      await editor.click();
      await page.keyboard.press('Control+Home');
      // The colour of a word on a line of the editor, as rendered (Monaco wraps each token in a span).
      const colourOf = (lineText, word) =>
        page.evaluate(
          ([lineText, word]) => {
            for (const line of document.querySelectorAll('.editor-instance .monaco-editor .view-line')) {
              if (line.textContent.replace(/\u00a0/g, ' ').trim() !== lineText) continue;
              const span = [...line.querySelectorAll('span span')].find((s) => s.textContent === word);
              if (span) return getComputedStyle(span).color;
            }
            return undefined;
          },
          [lineText, word],
        );
      // `shop` in `namespace: shop` is a namespace token; `default-deny-ingress` in `name:` is a plain YAML string,
      // and `podSelector` a plain key. Without semantic tokens both values have the string colour.
      const deadline = Date.now() + 20_000;
      let seen;
      for (;;) {
        seen = { namespace: await colourOf('namespace: shop', 'shop'), string: await colourOf('name: default-deny-ingress', 'default-deny-ingress'), enumMember: await colourOf('- Ingress', 'Ingress') };
        if (seen.namespace && seen.string && seen.namespace !== seen.string && seen.enumMember !== seen.string) break;
        if (Date.now() > deadline) throw new Error(`semantic colours not applied: ${JSON.stringify(seen)}`);
        await page.waitForTimeout(250);
      }
      // The editor alone, for the extension's README.
      await page.locator('.editor-instance').first().screenshot({ path: path.join(shotsDir, 'semantic-highlighting.png') });
    });

    await check(results, page, shotsDir, 'the reachability view draws the graph and the matrix', async () => {
      await runCommand(page, 'NetworkPolicy: Show Reachability');
      const frame = await reachabilityFrame(page, 30_000);
      await frame.locator('#graph .node').nth(EXPECTED_NODES - 1).waitFor({ timeout: 30_000 });
      const nodes = await frame.locator('#graph .node').count();
      const edges = await frame.locator('#graph .edge').count();
      if (nodes !== EXPECTED_NODES || edges < 1) throw new Error(`graph has ${nodes} nodes and ${edges} edges`);
      // Hide the panel (Problems) so the view gets the whole height in the screenshot.
      await page.keyboard.press('Control+J');
      // And the side bar, so the graph gets the width.
      await page.keyboard.press('Control+B');
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(shotsDir, 'reachability.png') });
      await frame.locator('#tab-matrix').click();
      await frame.locator('#matrix table').waitFor({ timeout: 10_000 });
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(shotsDir, 'reachability-matrix.png') });
    });

    await check(results, page, shotsDir, 'clicking a workload in the graph selects it, double-clicking opens its YAML', async () => {
      const frame = await reachabilityFrame(page, 10_000);
      await frame.locator('#tab-graph').click();
      const node = frame.locator('#graph .node[data-id="shop/db"]');
      await node.click();
      await frame.locator('#graph .node.selected[data-id="shop/db"]').waitFor({ timeout: 5_000 });
      await frame.locator('#selection', { hasText: 'shop/db: 1 inbound' }).waitFor({ timeout: 5_000 });
      await node.dblclick();
      await page.locator('.tab.active', { hasText: 'workloads.yaml' }).first().waitFor({ timeout: 15_000 });
    });

    await check(results, page, shotsDir, 'explain traffic through its quick picks shows the verdict', async () => {
      const pick = async (text) => {
        const input = page.locator('.quick-input-widget input');
        await input.fill(text);
        const row = page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
        await row.waitFor({ timeout: 15_000 });
        await row.click();
      };
      await runCommand(page, 'NetworkPolicy: Explain Traffic');
      await pick('shop/web');
      await pick('shop/db');
      await pick('5432/TCP');
      const title = page.locator('.quick-input-widget .quick-input-title', { hasText: 'DENIED: shop/web → shop/db on 5432/TCP' });
      await title.waitFor({ timeout: 15_000 });
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Allow exactly this connection' }).first().waitFor({ timeout: 5_000 });
      await page.screenshot({ path: path.join(shotsDir, 'explain.png') });
      await page.keyboard.press('Escape');
    });

    // Last, in a window of its own on the generated workspace (44 workloads in 8 namespaces): the default (light)
    // theme, then the dark one.
    await check(results, page, shotsDir, 'the graph of 44 generated workloads in the light and the dark theme; a click keeps zoom and scroll', async () => {
      await page.goto(graphUrl);
      await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
      // The status bar item appears once the extension is active and the workspace indexed.
      await page.locator('.statusbar-item', { hasText: /44/ }).first().waitFor({ timeout: 60_000 });
      for (let attempt = 1; ; attempt++) {
        try {
          await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 } });
          await runCommand(page, 'NetworkPolicy: Show Reachability');
          break;
        } catch (error) {
          if (attempt === 3) throw error;
        }
      }
      const frame = await reachabilityFrame(page, 30_000);
      await frame.locator('#tab-graph').click();
      await frame.locator('#graph .node').nth(GENERATED_WORKLOADS.length - 1).waitFor({ state: 'attached', timeout: 90_000 });
      await runCommand(page, 'View: Close Primary Side Bar').catch(() => {});
      await page.waitForTimeout(1_000);
      await frame.locator('#fit').click();
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(shotsDir, 'reachability-graph-light.png') });

      // Zoomed in on one workload, a click selects it without moving the drawing.
      const target = frame.locator('#graph .node[data-id="gen-api/api-svc-0"]');
      const box = await target.boundingBox();
      if (!box) throw new Error('gen-api/api-svc-0 is not drawn');
      for (let i = 0; i < 3; i++) {
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        await page.mouse.wheel(0, -240);
        await page.waitForTimeout(100);
      }
      const before = await target.boundingBox();
      if (!before || before.width < 100) throw new Error(`zooming in did not enlarge the node: ${JSON.stringify(before)}`);
      await target.click();
      await frame.locator('#graph .node.selected[data-id="gen-api/api-svc-0"]').waitFor({ timeout: 5_000 });
      const after = await target.boundingBox();
      if (!after || Math.abs(after.x - before.x) > 1 || Math.abs(after.y - before.y) > 1) {
        throw new Error(`the click moved the drawing: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
      }
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(shotsDir, 'reachability-graph-selected.png') });
      // Keyboard: an arrow key moves the focus to the nearest workload in its direction.
      await target.focus();
      await target.press('ArrowDown');
      const focused = await frame.evaluate(() => document.activeElement?.getAttribute('data-id'));
      if (!focused || focused === 'gen-api/api-svc-0' || !focused.includes('/')) throw new Error(`ArrowDown focused ${focused}`);
      await frame.locator(`#graph .node[data-id="${focused}"]`).press(' ');
      await frame.locator(`#graph .node.selected[data-id="${focused}"]`).waitFor({ timeout: 5_000 });

      await runCommand(page, 'Preferences: Color Theme');
      const input = page.locator('.quick-input-widget input');
      await input.fill('Dark Modern');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Dark Modern' }).first().waitFor({ timeout: 10_000 });
      await page.keyboard.press('Enter');
      await page.waitForTimeout(1_000);
      await frame.locator('#graph-svg').press('Escape');
      await frame.locator('#fit').click();
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(shotsDir, 'reachability-graph-dark.png') });
    });
  } finally {
    await context.close().catch(() => {});
  }
  return results;
}
