/**
 * A new alert reaching a person's screen, for `pnpm bench console`: the console's SPA in
 * Debian's Chromium (playwright-core, the launch flags of console/web's e2e tests), logged
 * in on the alert list; each alert is written to the store and announced on the bus, as the
 * analyzer does, and timed until its row is in the DOM. A MutationObserver in the page
 * stamps the row's arrival on the wall clock, so the browser's polling is not in the figure.
 */
import { performance } from 'node:perf_hooks';
import type { AlertEvent, EcsEvent, EventBus, EventStore } from '@edusentry/core';
import { chromium } from 'playwright-core';

/** The flags console/web/e2e/support/browser.ts launches Chromium with. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** In the page (a string: this package has no DOM types): stamps each alert row when it is added. */
const STAMP_ROWS = `(() => {
  const seen = (window.__seen = {});
  new MutationObserver((records) => {
    const at = performance.timeOrigin + performance.now();
    for (const r of records)
      for (const n of r.addedNodes) {
        if (!(n instanceof Element)) continue;
        const rows = n.matches('tr[data-alert-id]') ? [n] : [...n.querySelectorAll('tr[data-alert-id]')];
        for (const tr of rows) seen[tr.getAttribute('data-alert-id')] ??= at;
      }
  }).observe(document.body, { childList: true, subtree: true });
})()`;

const wallNow = () => performance.timeOrigin + performance.now();

export interface ScreenTimes {
  /** Store write started → row in the DOM. */
  written: number[];
  /** Bus announcement (after the write) → row in the DOM. */
  announced: number[];
}

export async function alertToScreen(o: {
  url: string;
  username: string;
  password: string;
  store: EventStore;
  bus: EventBus;
  alerts: AlertEvent[];
  /** Pause between alerts, so each is timed on a page at rest. */
  gapMs?: number;
}): Promise<ScreenTimes> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
  });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    await page.goto(`${o.url}/login`);
    await page.fill('input[name=username]', o.username);
    await page.fill('input[name=password]', o.password);
    await page.click('[data-testid=login-submit]');
    await page.waitForURL('**/posture', { timeout: 60_000 });
    await page.click('a[href="/alerts"]');
    await page.getByTestId('alert-table').waitFor({ timeout: 60_000 });
    await page.waitForSelector('[data-testid=live-status][data-connected=true]', { timeout: 60_000 });
    await page.evaluate(STAMP_ROWS);
    const times: ScreenTimes = { written: [], announced: [] };
    for (const a of o.alerts) {
      await page.waitForTimeout(o.gapMs ?? 200);
      const t0 = wallNow();
      await o.store.write([a as unknown as EcsEvent]);
      const t1 = wallNow();
      o.bus.emit('alert', a);
      const shown = (await (
        await page.waitForFunction(
          (id: string) => (globalThis as unknown as { __seen: Record<string, number> }).__seen[id],
          a.event.id,
          { timeout: 30_000 },
        )
      ).jsonValue()) as number;
      times.written.push(shown - t0);
      times.announced.push(shown - t1);
    }
    return times;
  } finally {
    await browser.close();
  }
}
