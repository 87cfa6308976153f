/** Dev aid: `tsx e2e/support/shoot.ts <base-url> <user> <path> [path...]` → test-artifacts/shot-*.png. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from './browser';
import { PASSWORD } from './seed';

async function main() {
  const [base, user, ...paths] = process.argv.slice(2);
  const out = join(__dirname, '..', '..', 'test-artifacts');
  mkdirSync(out, { recursive: true });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('console', (m) => m.type() === 'error' && process.stderr.write(`console: ${m.text()}\n`));
  page.on('pageerror', (e) => process.stderr.write(`pageerror: ${e.message}\n`));
  await page.goto(`${base}/login`);
  await page.screenshot({ path: join(out, 'shot-login.png') });
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('[data-testid=login-submit]');
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  for (const p of paths) {
    const [path, theme] = p.split('@');
    if (theme) await page.evaluate((t) => localStorage.setItem('edusentry.theme', t), theme);
    await page.goto(`${base}${path}`);
    await page.waitForTimeout(2500);
    const name = `shot-${path.replace(/[^a-z0-9]+/gi, '_')}${theme ? '-' + theme : ''}.png`;
    await page.screenshot({ path: join(out, name), fullPage: true });
    process.stdout.write(`${name}\n`);
  }
  await browser.close();
}

main().catch((e) => {
  process.stderr.write(`${e}\n`);
  process.exit(1);
});
