/**
 * /api/sites against real monitor results: sites created through the API are checked by the real
 * SiteMonitor on a loopback server, their site.check events stored, and the list, wall, detail,
 * availability and accept-baseline answers read back (scoping is in matrix.test.ts).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EcsEvent } from '@edusentry/core';
import { defaultSitesConfig, SiteMonitor, SiteRegistry } from '@edusentry/sites';
import { harness, type Harness, type Session } from './helpers';

let h: Harness;
let web: Server;
let base: string;
let prov: Session;
const pages: Record<string, { status: number; body: string }> = {
  '/a': {
    status: 200,
    body: '<html><head><title>一中</title></head><body><p>欢迎</p><p>新闻一</p><p>新闻二</p></body></html>',
  },
  '/b': { status: 503, body: 'maintenance' },
  '/dark': {
    status: 200,
    body: '<html><body><p>三中</p><div style="position:absolute;left:-9999px"><a href="http://bet.example/">六合彩</a></div></body></html>',
  },
};

beforeAll(async () => {
  h = await harness();
  h.clock.now = Date.now();
  web = createServer((req, res) => {
    const p = pages[req.url ?? ''] ?? { status: 404, body: 'no' };
    res.writeHead(p.status, { 'content-type': 'text/html; charset=utf-8' });
    res.end(p.body);
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  prov = await h.login('province_monitor.p1');
});
afterAll(async () => {
  await new Promise((r) => web.close(r));
  await h.close();
});

async function runMonitor(): Promise<void> {
  const reg = SiteRegistry.open(h.dir);
  const monitor = new SiteMonitor({
    config: defaultSitesConfig({ retries: 0, timeoutMs: 2000, flapThreshold: 1 }),
    dataDir: h.dir,
    observer: { id: 'sitemon-test' },
  });
  const events: EcsEvent[] = [];
  for (const s of reg.list()) events.push(...(await monitor.runSite(s)).events);
  monitor.saveState();
  reg.close();
  await h.store.write(events);
}

test('create with validation, then list, wall, detail and availability from the monitor results; accept-baseline is audited', async () => {
  const create = (s: Session, payload: Record<string, unknown>) =>
    h.req(s, { method: 'POST', url: '/api/sites', payload });
  const bad = await create(prov, { orgId: 's1', name: 'x', url: 'ftp://x/' });
  expect(bad.statusCode).toBe(400);
  expect(bad.json().message).toMatch(/body\/url/);
  const badDns = await create(prov, { orgId: 's1', name: 'x', url: `${base}/a`, expectedDns: ['nope'] });
  expect(badDns.statusCode).toBe(400);
  expect(badDns.json().message).toMatch(/expectedDns/);
  const officer = await h.login('school_officer.s1');
  expect((await create(officer, { orgId: 's1', name: 'x', url: `${base}/a` })).statusCode).toBe(403);
  const ids: Record<string, string> = {};
  for (const [key, org, url] of [
    ['a', 's1', `${base}/a`],
    ['down', 's1', 'http://127.0.0.1:1/'],
    ['b', 's2', `${base}/b`],
    ['dark', 's3', `${base}/dark`],
  ]) {
    const r = await create(prov, { orgId: org, name: `site ${key}`, url });
    expect(r.statusCode).toBe(201);
    ids[key] = r.json().id;
  }
  expect((await create(prov, { orgId: 's2', name: 'again', url: `${base}/a` })).statusCode).toBe(409);
  await runMonitor();

  const list = (await h.req(prov, { method: 'GET', url: '/api/sites' })).json();
  expect(list.items.map((i: { name: string; status: { state: string } }) => [i.name, i.status.state])).toEqual([
    ['site down', 'down'],
    ['site b', 'critical'],
    ['site dark', 'critical'],
    ['site a', 'ok'],
  ]);
  expect((await h.req(prov, { method: 'GET', url: '/api/sites?kind=dark_link' })).json().items).toHaveLength(1);
  expect((await h.req(prov, { method: 'GET', url: '/api/sites?state=down' })).json().items[0].id).toBe(ids.down);
  // The school officer sees their school only.
  expect(
    (await h.req(officer, { method: 'GET', url: '/api/sites' })).json().items.map((i: { orgId: string }) => i.orgId),
  ).toEqual(['s1', 's1']);

  const wall = (await h.req(prov, { method: 'GET', url: '/api/sites/wall' })).json();
  const node = (id: string) => wall.items.find((n: { orgId: string }) => n.orgId === id);
  expect(node('p1').counts).toEqual({ down: 1, critical: 2, warning: 0, ok: 1, unknown: 0 });
  expect(node('c1')).toMatchObject({ worst: 'down', counts: { down: 1, critical: 1, ok: 1 } });
  expect(node('s3')).toMatchObject({ worst: 'critical', level: 'school' });
  expect(wall.items[0].worst).toBe('down');

  const dark = (await h.req(prov, { method: 'GET', url: `/api/sites/${ids.dark}` })).json();
  expect(dark.darkLinks).toEqual([
    expect.objectContaining({ href: 'http://bet.example/', techniques: ['offscreen'], keywords: ['六合彩'] }),
  ]);
  expect(dark.status.findings.find((f: { kind: string }) => f.kind === 'dark_link')).toMatchObject({
    kind: 'dark_link',
    id: expect.any(String),
    gbt20986: { category: '信息内容安全事件' },
  });

  // Defaced: the detail shows the baseline and the current page as text until accepted.
  pages['/a'] = {
    status: 200,
    body: '<html><head><title>Hacked by X</title></head><body><h1>Hacked by X</h1></body></html>',
  };
  h.clock.now = Date.now();
  await runMonitor();
  const a = (await h.req(prov, { method: 'GET', url: `/api/sites/${ids.a}` })).json();
  expect(a.status.findings.map((f: { kind: string }) => f.kind)).toContain('tampered');
  expect(a.pages[0]).toMatchObject({
    pendingAccept: true,
    baseline: { title: '一中' },
    current: { title: 'Hacked by X' },
  });
  const acc = await h.req(prov, { method: 'POST', url: `/api/sites/${ids.a}/baseline/accept` });
  expect(acc.json().accepted).toEqual([`${base}/a`]);
  const audited = h.app.ctx.state.audit.verify();
  expect(audited.ok).toBe(true);
  const auditor = await h.login('audit_admin.p1');
  const trail = (await h.req(auditor, { method: 'GET', url: '/api/audit?pageSize=200' })).json();
  expect(trail.items.map((r: { action: string }) => r.action)).toContain('sites.baseline.accept');

  const avail = (await h.req(prov, { method: 'GET', url: `/api/sites/${ids.a}/availability?days=7` })).json();
  expect(avail.items).toEqual([
    expect.objectContaining({ checks: 2, up: 2, uptimePct: 100, p95Ms: expect.any(Number) }),
  ]);
  expect(avail.latency).toHaveLength(2);
  const down = (await h.req(prov, { method: 'GET', url: `/api/sites/${ids.down}/availability` })).json();
  expect(down.items[0]).toMatchObject({ uptimePct: 0, p95Ms: null });

  const patched = await h.req(prov, {
    method: 'PATCH',
    url: `/api/sites/${ids.b}`,
    payload: { name: '二中主页', intervalSec: 600 },
  });
  expect(patched.json()).toMatchObject({ name: '二中主页', intervalSec: 600, url: `${base}/b` });
  expect((await h.req(prov, { method: 'DELETE', url: `/api/sites/${ids.b}` })).json()).toEqual({ ok: true });
  expect((await h.req(prov, { method: 'GET', url: `/api/sites/${ids.b}` })).statusCode).toBe(404);
}, 60_000);
