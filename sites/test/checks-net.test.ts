/** http, tls and dns checks against the loopback fixture web and resolvers: each finding kind, positive and negative. */
import { createServer as createHttps, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { html, redirect } from './helpers/site-server';
import { kinds, startWorld, type World } from './helpers/world';

let w: World;
const PAGE = '<html><head><title>Normal school</title></head><body><p>Welcome</p></body></html>';

beforeAll(async () => {
  w = await startWorld();
  for (const h of [
    'normal.test',
    'good.test',
    'expired.test',
    'wrongname.test',
    'selfsigned.test',
    'hijack.test',
    'flaky.test',
    'expect.test',
  ])
    w.web.route(h, '/', html(PAGE));
  w.web.route('err.test', '/', html('<p>maintenance</p>', 503));
  w.web.route('slow.test', '/', (_q, res) => void setTimeout(() => html(PAGE)(_q, res), 600));
  w.web.route('loop.test', '/a', redirect('/b'));
  w.web.route('loop.test', '/b', redirect('/a'));
  w.web.route('offsite.test', '/', redirect('http://casino-lucky.example/'));
}, 60_000);
afterAll(() => w.close());

async function closedPort(): Promise<number> {
  const s = require('node:net').createServer() as import('node:net').Server;
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

test('a normal site has no findings and goes through the configured resolvers only', async () => {
  const m = w.monitor();
  const r = await m.runSite(w.site('n', w.http('normal.test')));
  expect(r.findings).toEqual([]);
  expect(r.up).toBe(true);
  const http = r.events.find((e) => e.event.action === 'http')!;
  expect(http).toMatchObject({
    event: { dataset: 'site.check', module: 'sitemon', outcome: 'success' },
    url: { domain: 'normal.test' },
    http: { response: { status_code: 200 } },
    organization: { id: 'school-1' },
    edu: { site: { id: 'n', up: true, findings: [] } },
  });
  expect(http.event.duration).toBeGreaterThan(0);
  // Every vantage point was asked, and the HTTP connection's lookup went to the first one.
  for (const r of w.resolvers) expect(r.queries).toContain('normal.test');
  expect(w.web.requests).toContain('normal.test/');
});

test('down after its retries, http_error on 5xx and on a redirect loop, slow, redirect_offsite (not followed)', async () => {
  const m = w.monitor();
  const port = await closedPort();
  const down = await m.runSite(w.site('d', `http://down.test:${port}/`));
  expect(kinds(down.findings)).toEqual(['down']);
  expect(down.up).toBe(false);
  const ev = down.events.find((e) => e.event.action === 'http')!;
  expect(ev.edu).toMatchObject({ site: { up: false, state: 'down', tries: 2, state_change: 'down' } });
  expect(kinds((await m.runSite(w.site('e', w.http('err.test')))).findings)).toEqual(['http_error']);
  const loop = await m.runSite(w.site('l', w.http('loop.test', '/a')));
  expect(kinds(loop.findings)).toEqual(['http_error']);
  expect(loop.findings[0].detail).toMatch(/redirects/);
  expect(kinds((await w.monitor({ slowMs: 300 }).runSite(w.site('s', w.http('slow.test')))).findings)).toEqual([
    'slow',
  ]);
  const off = await m.runSite(w.site('o', w.http('offsite.test')));
  expect(kinds(off.findings)).toEqual(['redirect_offsite']);
  expect(w.web.requests.some((r) => r.startsWith('casino-lucky'))).toBe(false);
});

test('flapping is suppressed: one failed result does not take an up site down', async () => {
  const port = await closedPort();
  const m = w.monitor({ flapThreshold: 2 });
  const s = w.site('f', w.http('normal.test'));
  expect((await m.runSite(s)).events[0].edu).toMatchObject({ site: { state: 'up' } });
  const bad = { ...s, url: `http://normal.test:${port}/` };
  const first = await m.runSite(bad);
  expect(kinds(first.findings)).toContain('down');
  expect(first.events[0].edu).toMatchObject({ site: { state: 'up' } });
  expect((first.events[0].edu as { site: { state_change?: string } }).site.state_change).toBeUndefined();
  const second = await m.runSite(bad);
  expect(second.events[0].edu).toMatchObject({ site: { state: 'down', state_change: 'down' } });
  const back = await m.runSite(s);
  expect(back.events[0].edu).toMatchObject({ site: { state: 'down' } });
  const back2 = await m.runSite(s);
  expect(back2.events[0].edu).toMatchObject({ site: { state: 'up', state_change: 'recovered' } });
});

test('certificates: trusted (extra CA), expired, wrong name, self-signed; expiring with the clock moved', async () => {
  const m = w.monitor();
  const tlsKinds = async (host: string, mon = m) => kinds((await mon.runSite(w.site(host, w.https(host)))).findings);
  expect(await tlsKinds('good.test')).toEqual([]);
  expect(await tlsKinds('expired.test')).toEqual(['cert_expired']);
  expect(await tlsKinds('wrongname.test')).toEqual(['cert_name_mismatch']);
  expect(await tlsKinds('selfsigned.test')).toEqual(['cert_untrusted']);
  const later = w.monitor({}, { now: () => new Date(Date.now() + 20 * 86_400_000) });
  expect(await tlsKinds('good.test', later)).toEqual(['cert_expiring']);
  const ev = (await m.runSite(w.site('g', w.https('good.test')))).events.find((e) => e.event.action === 'tls')!;
  expect((ev.tls as { server: { x509: { not_after: string } } }).server.x509.not_after).toMatch(/^\d{4}-/);
  // Without the test CA the good certificate is untrusted.
  expect(await tlsKinds('good.test', w.monitor({ extraCAs: [] }))).toEqual(['cert_untrusted']);
});

test('tls_weak: a server that speaks only TLS 1.1', async () => {
  let server: Server | undefined;
  try {
    server = createHttps(
      {
        key: w.certs.good.key,
        cert: w.certs.good.cert,
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.1',
        ciphers: 'DEFAULT:@SECLEVEL=0',
      },
      (_q, res) => res.end(PAGE),
    );
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    const r = await w.monitor().runSite(w.site('w', `https://good.test:${port}/`));
    expect(kinds(r.findings)).toEqual(['tls_weak']);
    expect(r.findings[0].detail).toMatch(/TLSv1\.1/);
  } finally {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  }
});

test('dns: the lying vantage point is named, a failing one is dns_failure, expected answers are checked', async () => {
  const m = w.monitor();
  const [honest, failing, liar] = w.resolvers.map((r) => `resolver:${r.spec}`);
  const hij = await m.runSite(w.site('h', w.http('hijack.test')));
  expect(kinds(hij.findings)).toEqual(['dns_mismatch']);
  expect(hij.findings[0].data).toMatchObject({ vantage: liar, answers: ['127.0.0.9'] });
  expect(hij.findings[0].detail).toContain(liar);
  const dnsEvents = hij.events.filter((e) => e.event.action === 'dns');
  expect(dnsEvents.map((e) => (e.observer as { name: string }).name)).toEqual([honest, failing, liar]);
  const flaky = await m.runSite(w.site('fl', w.http('flaky.test')));
  expect(kinds(flaky.findings)).toEqual(['dns_failure']);
  expect(flaky.findings[0].data).toMatchObject({ vantage: failing });
  expect(flaky.up).toBe(true);
  const exp = await m.runSite(w.site('x', w.http('expect.test'), { expectedDns: ['10.0.0.0/8'] }));
  expect(kinds(exp.findings)).toEqual(['dns_mismatch']);
  expect(exp.findings).toHaveLength(3);
  const ok = await m.runSite(w.site('x2', w.http('expect.test'), { expectedDns: ['127.0.0.0/8'] }));
  expect(ok.findings).toEqual([]);
});
