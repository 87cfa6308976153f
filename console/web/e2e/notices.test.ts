/**
 * 通报—整改—复核 in real Chromium against the real console server, two accounts in two
 * browser contexts: the provincial monitor issues a notice from an alert to a school,
 * the school officer sees the bell, acknowledges, attaches a file and submits; the
 * monitor returns it once, then accepts it; the statistics on the posture page count it;
 * a second school's officer sees none of it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { hashPassword } from '@edusentry/console-server';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startConsole, type RunningConsole } from './support/console';
import { PASSWORD } from './support/seed';

jest.setTimeout(120_000);

const ARTIFACTS = join(__dirname, '..', 'test-artifacts');
let server: RunningConsole;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
let noticeId = '';

async function signIn(username: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${username}: ${e.message}`));
  await page.goto(`${server.url}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('[data-testid=login-submit]');
  await page.waitForURL((u) => !u.pathname.endsWith('/login'));
  return page;
}

async function openNotice(page: Page) {
  await page.goto(`${server.url}/notices?open=${noticeId}`);
  await page.getByTestId('notice-drawer').waitFor();
}

async function statusIs(page: Page, want: string) {
  await page.waitForFunction(
    (s) => document.querySelector('[data-testid=notice-status]')?.getAttribute('data-status') === s,
    want,
  );
}

let monitor: Page;
let officer: Page;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startConsole();
  server.app.ctx.state.users.create({
    username: 'officer2',
    displayName: '周安全',
    role: 'school_officer',
    orgId: 'east-exp',
    passwordHash: await hashPassword(PASSWORD),
  });
  browser = await launchChromium();
  monitor = await signIn('monitor');
  officer = await signIn('officer');
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
});

describe('notices in Chromium', () => {
  it('the monitor issues a notice from an alert of a school', async () => {
    const alert = server.seed.alerts.find((a) => a.organization?.id === 'east-no1')!;
    await monitor.goto(`${server.url}/alerts?open=${alert.event.id}`);
    await monitor.getByTestId('issue-notice').click();
    await monitor.waitForURL('**/notices?create=alert*');
    const form = monitor.getByTestId('notice-create');
    await form.waitFor();
    // Pre-filled from the alert: the school and the rule's name.
    expect(await form.textContent()).toContain('东城第一中学');
    expect(await monitor.getByTestId('notice-title').locator('input').inputValue()).toBe(alert.rule!.name);
    await monitor.getByTestId('notice-actions').locator('textarea').fill('封禁来源地址，修复漏洞并提交截图');
    await monitor.getByTestId('notice-create-submit').click();
    await monitor.getByTestId('notice-drawer').waitFor();
    await statusIs(monitor, 'issued');
    noticeId = new URL(monitor.url()).searchParams.get('open')!;
    expect(noticeId).toBeTruthy();
    const n = server.app.notices.notices.get(noticeId)!;
    expect(n).toMatchObject({
      orgId: 'east-no1',
      issuerOrgId: 'prov',
      source: { kind: 'alert', ids: [alert.event.id] },
    });
    expect(await monitor.getByTestId('notice-drawer').textContent()).toContain(n.number);
    await monitor.screenshot({ path: join(ARTIFACTS, 'notices-01-issued.png'), fullPage: true });
  });

  it('the officer sees the bell, acknowledges, attaches a screenshot and submits', async () => {
    await officer.goto(`${server.url}/posture`);
    await officer.getByTestId('bell').click();
    await officer.getByTestId('bell-item').first().waitFor();
    expect(await officer.getByTestId('bell-item').first().textContent()).toContain('新通报');
    await officer.getByTestId('bell-item').first().click();
    await officer.waitForURL(`**/notices?open=${noticeId}`);
    await officer.getByTestId('notice-drawer').waitFor();
    await statusIs(officer, 'issued');
    await officer.getByTestId('notice-ack').click();
    await statusIs(officer, 'acknowledged');

    const png = join(tmpdir(), `edu-shot-${process.pid}.png`);
    writeFileSync(
      png,
      Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64)]),
    );
    await officer.getByTestId('notice-file').setInputFiles(png);
    await officer
      .getByTestId('notice-drawer')
      .getByRole('link', { name: `edu-shot-${process.pid}.png` })
      .waitFor();
    await officer.getByTestId('notice-report-input').locator('textarea').fill('已封禁来源地址');
    await officer.getByTestId('notice-submit').click();
    await statusIs(officer, 'submitted');
    const n = server.app.notices.notices.get(noticeId, true)!;
    expect(n.report).toBe('已封禁来源地址');
    // The uploaded file went with the report, stored as the PNG it is.
    expect(n.attachments!.map((a) => a.type)).toEqual(['image/png']);
    expect(n.timeline!.find((e) => e.action === 'submit')!.attachmentIds).toEqual([n.attachments![0].id]);
  });

  it('the monitor returns it once; the officer resubmits; the monitor accepts', async () => {
    await openNotice(monitor);
    await statusIs(monitor, 'submitted');
    await monitor.getByTestId('notice-comment').locator('textarea').fill('截图未体现修复结果');
    await monitor.getByTestId('notice-return').click();
    await statusIs(monitor, 'returned');

    await openNotice(officer);
    await statusIs(officer, 'returned');
    expect(await officer.getByTestId('notice-submit-form').textContent()).toContain('整改被退回');
    await officer.getByTestId('notice-report-input').locator('textarea').fill('已修复并复测，附复测结果');
    await officer.getByTestId('notice-submit').click();
    await statusIs(officer, 'submitted');

    await openNotice(monitor);
    await statusIs(monitor, 'submitted');
    await monitor.getByTestId('notice-comment').locator('textarea').fill('复核通过');
    await monitor.getByTestId('notice-accept').click();
    await statusIs(monitor, 'closed');
    const timeline = await monitor.getByTestId('notice-timeline').textContent();
    for (const step of ['下发', '签收', '提交整改', '退回', '复核通过']) expect(timeline).toContain(step);
    expect(server.app.notices.notices.get(noticeId)).toMatchObject({ status: 'closed', returns: 1 });
    await monitor.screenshot({ path: join(ARTIFACTS, 'notices-02-closed.png'), fullPage: true });
  });

  it('the statistics on the posture page count the closed notice', async () => {
    await monitor.goto(`${server.url}/posture`);
    const stats = monitor.getByTestId('notice-stats');
    await stats.getByText('东城市').waitFor();
    const row = stats.locator('tr', { hasText: '东城市' });
    expect(await row.textContent()).toContain('100%');
  });

  it("a second school's officer sees none of it", async () => {
    const other = await signIn('officer2');
    await other.goto(`${server.url}/notices`);
    await other.getByTestId('notices-page').waitFor();
    await other.getByText('暂无通报').waitFor();
    expect(await other.getByTestId('notice-table').textContent()).not.toContain('封禁');
    const res = await other.request.get(`${server.url}/api/notices/${noticeId}`);
    expect(res.status()).toBe(404);
    const bell = await other.request.get(`${server.url}/api/notifications`);
    expect((await bell.json()).items).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
