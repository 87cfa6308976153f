/**
 * 规则与策略 in real Chromium against the real console server, with a real analyzer service
 * running on the same store and rule policy folder (the shipped rules): the security
 * administrator sees the rules the analyzer runs, switches one off and the running analyzer
 * applies it, sees an upload refused with its line, uploads a rule that then runs, and adds an
 * exception; nobody else gets the page.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createLogger } from '@edusentry/core';
import { AnalyzerService, analyzerConfigSchema, policyDirOf, readPolicy } from '@edusentry/analyzer';
import { hashPassword } from '@edusentry/console-server';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startConsole, type RunningConsole } from './support/console';
import { PASSWORD } from './support/seed';

jest.setTimeout(90_000);

const ARTIFACTS = join(__dirname, '..', 'test-artifacts');
const UPLOAD_ID = '77777777-0000-4000-8000-0000000000e2';
const UPLOAD = `title: 校园网页木马访问
id: ${UPLOAD_ID}
logsource: { category: webserver }
detection:
  sel: { cs-uri-stem|endswith: /cmd.jsp }
  condition: sel
level: critical
`;

let server: RunningConsole;
let analyzer: AnalyzerService;
let browser: Browser;
let page: Page;
let policyDir: string;
const pageErrors: string[] = [];

async function login(username: string) {
  await page.goto(`${server.url}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('[data-testid=login-submit]');
}

async function until(what: string, ok: () => boolean): Promise<void> {
  const end = Date.now() + 15_000;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startConsole();
  const dataDir = dirname(server.app.ctx.state.path);
  policyDir = policyDirOf(dataDir);
  analyzer = new AnalyzerService({
    store: server.store,
    config: analyzerConfigSchema.parse({ watchRules: false, pollMs: 50 }),
    dataDir,
    log: createLogger('analyzer', 'warn'),
  });
  analyzer.start();
  server.app.ctx.state.users.create({
    username: 'secadmin',
    role: 'sec_admin',
    orgId: 'prov',
    passwordHash: await hashPassword(PASSWORD),
  });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  await analyzer?.stop();
  await server?.close();
});

describe('rules and policies in Chromium', () => {
  it('lists the rules the running analyzer runs and switches one off', async () => {
    await login('secadmin');
    await page.waitForURL((u) => !u.pathname.endsWith('/login'));
    await page.goto(`${server.url}/rules`);
    const status = page.getByTestId('rules-analyzer');
    await status.waitFor();
    expect(await status.textContent()).toContain('分析器已应用策略版本 0');
    const first = analyzer.ruleSet.rules[0].rule.meta;
    await page.getByPlaceholder('规则名称 / ID').fill(first.id!);
    await page.getByTestId('rules-page').getByText(first.title).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'rules-01-list.png'), fullPage: true });

    await page.getByTestId(`rule-switch-${first.id}`).click();
    await until('the analyzer to apply version 1', () => analyzer.stats.policyVersion === 1);
    expect(readPolicy(policyDir).rules[first.id!]).toEqual({ enabled: false });
    await page.getByRole('button', { name: '刷新' }).click();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=rules-analyzer]')?.textContent?.includes('分析器已应用策略版本 1'),
    );
    expect(await page.getByTestId('rules-page').textContent()).toContain('已停用');
  });

  it('refuses a broken upload with the line and reason, then loads a good one', async () => {
    await page.getByPlaceholder('规则名称 / ID').fill('');
    await page.getByTestId('rules-upload').click();
    await page
      .getByTestId('upload-content')
      .locator('textarea')
      .fill(UPLOAD.replace('condition: sel', 'condition: sel and nope'));
    await page.getByTestId('upload-save').click();
    const problems = page.getByTestId('upload-problems');
    await problems.waitFor();
    expect(await problems.textContent()).toMatch(/第 6 行.*nope/);
    await page.screenshot({ path: join(ARTIFACTS, 'rules-02-upload-refused.png'), fullPage: true });

    await page.getByTestId('upload-content').locator('textarea').fill(UPLOAD);
    await page.getByTestId('upload-save').click();
    await until('the analyzer to load the upload', () =>
      analyzer.ruleSet.rules.some((r) => r.rule.meta.id === UPLOAD_ID),
    );
    await page.getByRole('button', { name: '刷新' }).click();
    await page.getByPlaceholder('规则名称 / ID').fill(UPLOAD_ID);
    await page.getByTestId('rules-page').getByText('校园网页木马访问').first().waitFor();
    expect(await page.getByTestId('rules-page').textContent()).toContain('运行中');
  });

  it('adds an exception with a reason', async () => {
    await page.getByRole('button', { name: '添加例外' }).first().click();
    await page.getByTestId('exception-source').locator('input').fill('10.22.0.0/16');
    await page.getByTestId('exception-reason').locator('textarea').fill('已报备的漏洞扫描');
    await page.getByTestId('exception-save').click();
    await until('the exception in the policy', () => readPolicy(policyDir).exceptions.length === 1);
    expect(readPolicy(policyDir).exceptions[0]).toMatchObject({
      ruleId: UPLOAD_ID,
      source: '10.22.0.0/16',
      reason: '已报备的漏洞扫描',
      createdBy: 'secadmin',
    });
    await page.locator('.n-tabs-tab', { hasText: '例外' }).click();
    await page.getByText('已报备的漏洞扫描').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'rules-03-exceptions.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('is not in the menu of anyone else', async () => {
    await page.getByTestId('user-menu').click();
    await page.getByText('退出登录').click();
    await page.waitForURL('**/login');
    await login('monitor');
    await page.waitForURL('**/posture');
    expect(await page.locator('.n-menu').textContent()).not.toContain('规则与策略');
    await page.goto(`${server.url}/rules`);
    await page.waitForURL('**/403');
  });
});
