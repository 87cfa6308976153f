/**
 * End to end in real Chromium against the real console server (embedded store, in process):
 * sign-in errors and lockout, posture with data, a live alert, triage, escalation to an
 * incident, language switch, and XSS payloads in event data rendered as inert text.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { hashPassword } from '@edusentry/console-server';
import { launchChromium } from './support/browser';
import { startConsole, type RunningConsole } from './support/console';
import { PASSWORD, XSS_UA, XSS_URL, alertDoc, heartbeat } from './support/seed';

jest.setTimeout(60_000);

const ARTIFACTS = join(__dirname, '..', 'test-artifacts');
let server: RunningConsole;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

async function shot(name: string) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function login(username: string, password = PASSWORD) {
  await page.goto(`${server.url}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('[data-testid=login-submit]');
}

/** True if either XSS payload ever executed in the page. */
function xssRan() {
  return page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss !== undefined);
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startConsole();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('console in Chromium', () => {
  it('answers a wrong password and a lockout alike (no enumeration), and the lock holds for the right one', async () => {
    const { state } = server.app.ctx;
    state.users.create({
      username: 'locktest',
      role: 'school_officer',
      orgId: 'east-no1',
      passwordHash: await hashPassword(PASSWORD),
    });
    await login('locktest', 'wrong-password-1');
    const error = page.getByTestId('login-error');
    await error.waitFor();
    const first = await error.textContent();
    expect(first).toContain('用户名或密码错误');
    await shot('01-login-error');
    for (let i = 0; i < 6; i++) {
      await page.fill('input[name=password]', `wrong-password-${i + 2}`);
      await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/auth/login')),
        page.click('[data-testid=login-submit]'),
      ]);
    }
    expect(state.users.byUsername('locktest')!.lockedUntilMs).toBeGreaterThan(Date.now());
    // Even the right password is refused while locked, with the very same words.
    await page.fill('input[name=password]', PASSWORD);
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/auth/login')),
      page.click('[data-testid=login-submit]'),
    ]);
    expect(res.status()).toBe(401);
    expect(await error.textContent()).toBe(first);
    expect(page.url()).toContain('/login');
    await shot('02-login-locked');
  });

  it('makes the owner of an administrator-set password change it before anything else', async () => {
    const { state } = server.app.ctx;
    state.users.create({
      username: 'firstlogin',
      role: 'school_officer',
      orgId: 'east-no1',
      passwordHash: await hashPassword(PASSWORD),
      mustChangePassword: true,
    });
    await login('firstlogin');
    const form = page.getByTestId('must-change');
    await form.waitFor();
    expect(await form.textContent()).toContain('请修改密码');
    await shot('03-must-change');
    // Nothing else opens until it is done.
    await page.goto(`${server.url}/alerts`);
    await page.waitForURL('**/login');
    await form.waitFor();
    await page.fill('input[name=new-password]', 'Owner-Chosen-Pass-9');
    await page.fill('input[name=repeat-password]', 'Owner-Chosen-Pass-9');
    await page.fill('input[name=current-password]', PASSWORD);
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/auth/password') && r.status() === 204),
      page.click('[data-testid=change-submit]'),
    ]);
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    expect(state.users.byUsername('firstlogin')!.mustChangePassword).toBe(false);
    await page.getByTestId('user-menu').click();
    await page.getByText('退出登录').click();
    await page.waitForURL('**/login');
  });

  it('signs in and shows the posture of the whole province', async () => {
    await login('monitor');
    await page.waitForURL('**/posture');
    const open = page.locator('[data-testid=kpi-open] [data-role=value]');
    await open.waitFor();
    expect(Number((await open.textContent())!.replace(/,/g, ''))).toBeGreaterThan(0);
    const ranking = page.getByTestId('risk-ranking');
    await ranking.getByText('东城第一中学').waitFor();
    await page.locator('canvas').first().waitFor();
    // A long title in a ranking is cut; its count stays on the title's line.
    const offLine = await page.$$eval(
      '.rank .line',
      (lines) =>
        lines.filter((l) => {
          const label = l.querySelector('.label')!.getBoundingClientRect();
          const count = l.querySelector('.count')!.getBoundingClientRect();
          return Math.abs(label.top - count.top) > 2 || count.height > label.height + 2;
        }).length,
    );
    expect(await page.locator('.rank .line').count()).toBeGreaterThan(0);
    expect(offLine).toBe(0);
    await page.waitForTimeout(800); // chart animation
    await shot('03-posture');
  });

  it('shows a new alert live and triages it', async () => {
    await page.click('a[href="/alerts"]');
    await page.getByTestId('alert-table').waitFor();
    await page.waitForSelector('[data-testid=live-status][data-connected=true]');
    const live = alertDoc(777, 'east-no1', Date.now(), {
      rule: {
        id: 'e2e-live',
        name: 'E2E Live Ransomware Beacon',
        level: 'critical',
        tactic: 'Impact',
        technique: 'T1486',
      },
      src: '192.0.2.77',
    });
    await server.pushAlert(live);
    const row = page.locator(`tr[data-alert-id="${live.event.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain('E2E Live Ransomware Beacon');
    // The tactic in Chinese, and the campus asset with the remote party.
    expect(await row.textContent()).toContain('影响');
    expect(await row.getByTestId('alert-asset').textContent()).toContain(`对端 192.0.2.77`);
    await shot('04-alert-live');

    await row.getByText('E2E Live Ransomware Beacon').click();
    const drawer = page.getByTestId('alert-drawer');
    await drawer.waitFor();
    await page.getByTestId('triage-acknowledge').click();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=drawer-status]')?.textContent?.includes('已确认'),
    );

    // A searchable select fed by GET /api/users/assignable?orgId=<the alert's school>.
    const [assignable] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/users/assignable?orgId=east-no1')),
      page.getByTestId('triage-assign').click(),
    ]);
    expect((await assignable.json()).items.map((u: { username: string }) => u.username)).toContain('officer');
    await page.getByTestId('triage-assignee').click();
    const options = page.locator('.n-base-select-option');
    await options.first().waitFor();
    const offered = await options.allTextContents();
    expect(offered.some((o) => o.includes('(monitor)'))).toBe(true);
    expect(offered.some((o) => o.includes('(sysadmin)') || o.includes('(auditadmin)'))).toBe(false);
    await page.keyboard.type('李安全');
    await expect(options.allTextContents()).resolves.toEqual([expect.stringContaining('(officer)')]);
    await shot('05a-assignee-select');
    await options.first().click();
    await page.getByTestId('triage-submit').click();
    await drawer.getByText('officer').first().waitFor();

    await drawer.getByText('处置记录').click();
    await page.getByTestId('note-input').locator('textarea').fill('已联系学校网管隔离主机 10.11.1.10');
    await page.getByTestId('note-submit').click();
    const history = page.getByTestId('history');
    await history.getByText('已联系学校网管隔离主机').waitFor();
    const text = await history.textContent();
    expect(text).toContain('确认');
    expect(text).toContain('指派');
    expect(text).toContain('monitor');
    await shot('05-alert-triaged');

    // The store has the new state too, not just the page.
    const stored = await server.store.get(live.event.id, 'alert');
    expect((stored as any).edu.alert).toMatchObject({ status: 'acknowledged', assignee: 'officer' });
  });

  it('escalates the alert to an incident and moves it along', async () => {
    await page.getByTestId('escalate').click();
    await page.getByTestId('escalate-modal').waitFor();
    await page.getByTestId('incident-title').locator('input').fill('东城一中疑似勒索软件事件');
    await page.getByTestId('escalate-submit').click();
    await page.waitForURL('**/incidents?open=*');
    const drawer = page.getByTestId('incident-drawer');
    await drawer.getByText('东城一中疑似勒索软件事件').first().waitFor();
    await page.getByTestId('incident-to-investigating').click();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=incident-status]')?.textContent?.includes('调查中'),
    );
    await page.getByTestId('incident-owner').click();
    await page.keyboard.type('officer');
    const ownerOption = page.locator('.n-base-select-option', { hasText: '(officer)' });
    await ownerOption.waitFor();
    const [patched] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes('/api/incidents/')),
      ownerOption.click(),
    ]);
    expect((await patched.json()).owner).toBe('officer');
    await page.getByTestId('timeline-input').locator('textarea').fill('已提取样本哈希并上报市教育局');
    await page.getByTestId('timeline-submit').click();
    await page.getByTestId('incident-timeline').getByText('已提取样本哈希').waitFor();
    await shot('06-incident');
  });

  it('renders XSS payloads from event data as text, in the list and in the detail', async () => {
    await page.goto(`${server.url}/alerts`);
    await page.getByTestId('alert-q').locator('input').fill('Cross-Site');
    await page.getByTestId('alert-q').locator('input').press('Enter');
    const row = page.locator(`tr[data-alert-id="${server.seed.xssAlert.event.id}"]`);
    await row.waitFor();
    const rowText = await row.getByTestId('alert-row-detail').textContent();
    expect(rowText).toContain(XSS_URL);
    expect(rowText).toContain(XSS_UA);

    await row.getByText('Cross-Site Scripting Attempt In URL').click();
    await page.getByTestId('alert-url').waitFor();
    expect(await page.getByTestId('alert-url').textContent()).toBe(XSS_URL);
    expect(await page.getByTestId('alert-ua').textContent()).toBe(XSS_UA);
    expect(await page.getByTestId('attributed-user').textContent()).toBe('stu4242');
    await page.getByTestId('alert-drawer').getByText('触发事件').click();
    const events = page.getByTestId('trigger-events');
    await events.locator('.n-collapse-item__header').first().click();
    await events.getByText(XSS_UA, { exact: true }).waitFor();

    await page.waitForTimeout(300);
    expect(await xssRan()).toBe(false);
    // The payload's elements never became DOM nodes.
    expect(await page.evaluate(() => document.querySelectorAll('img[src="x"]').length)).toBe(0);
    expect(await page.evaluate(() => Array.from(document.scripts).some((s) => s.textContent?.includes('__xss')))).toBe(
      false,
    );
    await shot('07-xss-inert');
  });

  it('searches stored events and shows collectors', async () => {
    await page.goto(`${server.url}/search`);
    await page.getByTestId('search-text').locator('input').fill('onerror');
    await page.getByTestId('search-run').click();
    const table = page.getByTestId('search-table');
    // The event and the alert it raised, nothing else.
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=search-table] tbody tr').length === 2);
    await table.getByText(XSS_UA, { exact: false }).first().waitFor();
    expect(await page.locator('.sidebar').textContent()).toContain('network.http1');
    expect(await page.locator('.sidebar').textContent()).toContain('event.dataset');
    expect(await xssRan()).toBe(false);
    // At 1440 px the first columns (time, dataset, the one-line summary) are fixed and in view.
    const firstRow = table.locator('tbody tr').first();
    expect(await firstRow.locator('td.n-data-table-td--fixed-left').count()).toBeGreaterThanOrEqual(3);
    const summary = await firstRow.locator('.summary').boundingBox();
    expect(summary!.x + summary!.width).toBeLessThanOrEqual(1440);
    expect((await firstRow.locator('.summary').textContent())?.trim()).not.toBe('-');
    await shot('10-search');

    await page.goto(`${server.url}/collectors`);
    const collectors = page.getByTestId('collectors-page');
    await collectors.getByText('collector-west-voc').waitFor();
    expect(await collectors.locator('tbody tr').count()).toBe(4);
    expect(await collectors.textContent()).toContain('离线');
    await page.waitForSelector('[data-testid=live-status][data-connected=true]');
    // The offline collector's heartbeat arrives over socket.io and the row comes back online.
    server.bus.emit('heartbeat', heartbeat('west-voc', Date.now(), 3));
    await collectors.getByText('4 / 4').waitFor();
    expect(await collectors.locator('tbody').textContent()).not.toContain('离线');
    await shot('11-collectors');
  });

  it('gives the administrators only their own pages', async () => {
    await page.getByTestId('user-menu').click();
    await page.getByText('退出登录').click();
    await page.waitForURL('**/login');

    await login('sysadmin');
    await page.waitForURL('**/collectors');
    const menu = await page.locator('.n-menu').textContent();
    expect(menu).toContain('用户');
    expect(menu).not.toContain('告警');
    await page.goto(`${server.url}/system/users`);
    await page.getByTestId('users-page').getByText('officer').first().waitFor();
    await page.goto(`${server.url}/alerts`);
    await page.waitForURL('**/403');
    await shot('12-sysadmin-403');

    await page.goto(`${server.url}/system/orgs`);
    await page.getByTestId('orgs-page').getByText('10.22.0.0/16').waitFor();
    await shot('13-orgs');

    await page.getByTestId('user-menu').click();
    await page.getByText('退出登录').click();
    await page.waitForURL('**/login');
    await login('auditadmin');
    await page.waitForURL('**/system/audit');
    const verify = page.getByTestId('audit-verify');
    await verify.waitFor();
    expect(await verify.textContent()).toContain('审计链完整');
    const audit = await page.getByTestId('audit-page').textContent();
    expect(audit).toContain('auth.login');
    expect(audit).toContain('monitor');
    await shot('14-audit');

    await page.getByTestId('user-menu').click();
    await page.getByText('退出登录').click();
    await page.waitForURL('**/login');
    await login('monitor');
    await page.waitForURL('**/posture');
  });

  it('switches to English and back, and to the dark wall display', async () => {
    await page.goto(`${server.url}/posture`);
    await page.getByTestId('kpi-open').waitFor();
    await page.getByTestId('lang-switch').click();
    await page.getByText('English', { exact: true }).click();
    await page.getByText('Threat posture').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en-US');
    expect(await page.locator('.n-menu').textContent()).toContain('Alerts');
    await page.waitForTimeout(1000); // charts redraw with the new labels
    await shot('08-posture-en');

    await page.reload();
    await page.getByTestId('kpi-open').getByText('Open alerts').waitFor(); // the choice survives a reload
    await page.getByTestId('theme-switch').click();
    await page.goto(`${server.url}/screen`);
    await page.getByTestId('screen-page').locator('canvas').first().waitFor();
    await page.waitForTimeout(800);
    await shot('09-wall-display');

    await page.goto(`${server.url}/alerts`);
    await page.getByTestId('lang-switch').click();
    await page.getByText('简体中文', { exact: true }).click();
    await page.getByText('告警列表').or(page.locator('.n-menu').getByText('告警')).first().waitFor();
    expect(await xssRan()).toBe(false);
    expect(pageErrors).toEqual([]);
  });

  it('sends a wall display back to sign-in when the session idles out', async () => {
    await page.goto(`${server.url}/screen`);
    await page.waitForSelector('[data-testid=screen-page] .dot.on');
    const monitor = server.app.ctx.state.users.byUsername('monitor')!;
    server.app.ctx.sessions.endUser(monitor.id, 'expired');
    await page.waitForURL('**/login**');
    await page.getByText('会话已超时，请重新登录').waitFor();
    await shot('15-session-expired');
  });
});
