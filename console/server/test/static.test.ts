/**
 * The built SPA is served from the file system per request (wildcard static): files that
 * appear after a rebuild are served, a missing /assets/ file is a 404 (not index.html),
 * other unknown pages get index.html, unknown API routes stay JSON 404s.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { harness, type Harness } from './helpers';

let h: Harness;
let dist: string;

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'edu-console-dist-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>EduSentry</title>');
  writeFileSync(join(dist, 'assets', 'index-aaaa.js'), 'export const a = 1;');
  h = await harness({ config: { webDist: dist, rateLimit: { max: 100_000, windowMs: 60_000, loginMax: 10_000 } } });
});
afterAll(async () => {
  await h.close();
  rmSync(dist, { recursive: true, force: true });
});

const get = (url: string) => h.app.inject({ method: 'GET', url });

describe('static files of the SPA', () => {
  it('serves index.html at / and for client-side routes', async () => {
    for (const url of ['/', '/alerts', '/system/users?page=2']) {
      const res = await get(url);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.body).toContain('<title>EduSentry</title>');
    }
  });

  it('answers 404 for a missing asset, then serves it once a rebuild writes it', async () => {
    expect((await get('/assets/index-aaaa.js')).headers['content-type']).toMatch(/javascript/);
    const missing = await get('/assets/index-bbbb.js');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'EDU_ERR_NOT_FOUND' });
    writeFileSync(join(dist, 'assets', 'index-bbbb.js'), 'export const b = 2;');
    const after = await get('/assets/index-bbbb.js');
    expect(after.statusCode).toBe(200);
    expect(after.headers['content-type']).toMatch(/javascript/);
    expect(after.body).toBe('export const b = 2;');
  });

  it('keeps unknown API routes a JSON 404, with or without a session', async () => {
    const anon = await get('/api/no-such-thing');
    expect(anon.statusCode).toBe(404);
    expect(anon.json()).toMatchObject({ code: 'EDU_ERR_NOT_FOUND' });
    const s = await h.login('province_monitor.p1');
    const authed = await h.req(s, { method: 'GET', url: '/api/no-such-thing' });
    expect(authed.statusCode).toBe(404);
    expect((await h.req(s, { method: 'POST', url: '/api/no-such-thing', payload: {} })).statusCode).toBe(404);
    // a known route still needs its session
    expect((await get('/api/alerts')).json().code).toBe('EDU_ERR_AUTH_REQUIRED');
  });
});
