/** Hostile pages end as results, never a hang or a crash: gzip bomb, slow drip, 50 MB page, deep nesting, bad gzip. */
import { gzipSync } from 'node:zlib';
import { startWorld, type World } from './helpers/world';

let w: World;
beforeAll(async () => {
  w = await startWorld();
  // 64 MB of zeros compress to ~64 KB: the cap must stop the inflation, not the wire.
  const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
  w.web.route('hostile.test', '/bomb', (_q, res) => {
    res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
    res.end(bomb);
  });
  w.web.route('hostile.test', '/drip', (_q, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    const t = setInterval(() => res.write('<p>.'), 50);
    res.on('close', () => clearInterval(t));
  });
  w.web.route('hostile.test', '/huge', (_q, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    let sent = 0;
    const pump = () => {
      while (sent < 50 && res.write(chunk)) sent++;
      if (sent >= 50) res.end();
    };
    res.on('drain', () => (sent++, pump()));
    pump();
  });
  w.web.route('hostile.test', '/deep', (_q, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html><body>' + '<div><span><a href="http://x.example/">'.repeat(100_000) + 'deep</body></html>');
  });
  w.web.route('hostile.test', '/badgzip', (_q, res) => {
    res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
    res.end('this is not gzip at all');
  });
}, 60_000);
afterAll(() => w.close());

const site = (path: string) => w.site(`h${path}`, w.http('hostile.test', path));

test('a gzip bomb stops at the size cap after decompression', async () => {
  const r = await w.monitor({ maxBytes: 5 * 1024 * 1024 }).runSite(site('/bomb'));
  const http = r.events.find((e) => e.event.action === 'http')!;
  expect(http.edu).toMatchObject({ site: { up: true, truncated: true } });
  expect(http.http).toMatchObject({ response: { body: { bytes: 5 * 1024 * 1024 } } });
});

test('a slow-drip page ends at the deadline as down', async () => {
  const t0 = Date.now();
  const r = await w.monitor({ timeoutMs: 500, retries: 0 }).runSite(site('/drip'));
  expect(r.findings.map((f) => f.kind)).toContain('down');
  expect(r.findings.find((f) => f.kind === 'down')!.detail).toMatch(/within 500 ms/);
  expect(Date.now() - t0).toBeLessThan(20_000); // bounded, whatever the machine's speed
});

test('a 50 MB page is cut at the cap and still checked', async () => {
  const r = await w.monitor({ maxBytes: 1024 * 1024 }).runSite(site('/huge'));
  const http = r.events.find((e) => e.event.action === 'http')!;
  expect(http.edu).toMatchObject({ site: { up: true, truncated: true } });
  expect(r.events.map((e) => e.event.action)).toEqual(expect.arrayContaining(['content', 'dark-link', 'sensitive']));
});

test('deeply nested HTML is parsed without recursion', async () => {
  const r = await w.monitor().runSite(site('/deep'));
  const dark = r.events.find((e) => e.event.action === 'dark-link')!;
  expect(dark.event.outcome).toBe('success');
});

test('a body that is not the gzip it claims is an error result', async () => {
  const r = await w.monitor().runSite(site('/badgzip'));
  const http = r.events.find((e) => e.event.action === 'http')!;
  expect(http.edu).toMatchObject({ site: { error: expect.stringMatching(/bad gzip body/) } });
});
