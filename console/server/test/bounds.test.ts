/** Every query is bounded (issue 13 item 5): trend points, time ranges and page sizes are capped by the server. */
import { trendInterval, MAX_BUCKETS } from '../src/routes/posture';
import { alert, docs, harness, T0, type Harness, type Session } from './helpers';

let h: Harness;
let s: Session;
beforeAll(async () => {
  h = await harness();
  await h.store.write(docs(alert(0, 's1'), alert(1, 's2')));
  s = await h.login('province_monitor.p1');
});
afterAll(() => h.close());

const get = (url: string) => h.req(s, { method: 'GET', url });

describe('posture trend', () => {
  it('widens a too-fine interval: 1 day at interval=1000 answers at most 2000 points, not 86 400', async () => {
    const res = await get(`/api/posture?from=${T0 - 86_400_000}&to=${T0}&interval=1000`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.trend.length).toBeLessThanOrEqual(MAX_BUCKETS);
    expect(body.intervalMs).toBe(60_000);
    expect(body.trend).toHaveLength(1440);
    expect(body.trend.reduce((n: number, p: { alerts: number }) => n + p.alerts, 0)).toBe(2);
    expect(res.body.length).toBeLessThan(200_000);
  });

  it('keeps an interval that fits, and picks one for a year', async () => {
    expect((await get(`/api/posture?from=${T0 - 86_400_000}&to=${T0}&interval=3600000`)).json().intervalMs).toBe(
      3_600_000,
    );
    const year = (await get(`/api/posture?from=${T0 - 365 * 86_400_000}&to=${T0}&interval=1000`)).json();
    expect(year.trend.length).toBeLessThanOrEqual(MAX_BUCKETS);
    for (const range of [1000, 3_600_000, 86_400_000, 90 * 86_400_000, 366 * 86_400_000])
      for (const asked of [undefined, 1000, 59_999, 7_200_000])
        expect(range / trendInterval(range, asked)).toBeLessThanOrEqual(MAX_BUCKETS);
  });
});

describe('time ranges are capped', () => {
  it('refuses from=0 and any range over 366 days on posture, alerts and search, naming from', async () => {
    for (const res of [
      await get(`/api/posture?from=0&to=${T0}`),
      await get(`/api/alerts?from=0&to=${T0}`),
      await h.req(s, { method: 'POST', url: '/api/search', payload: { from: '0', to: String(T0) } }),
      await get(`/api/posture?from=${T0 - 367 * 86_400_000}&to=${T0}`),
    ]) {
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('EDU_ERR_VALIDATION');
      expect(res.json().message).toMatch(/from: the time range may span at most 366 days/);
    }
    expect((await get(`/api/posture?from=${T0 - 366 * 86_400_000}&to=${T0}`)).statusCode).toBe(200);
  });

  it('bounds free text: at least 3 characters, over at most 31 days', async () => {
    const search = (payload: object) => h.req(s, { method: 'POST', url: '/api/search', payload });
    const short = await search({ text: 'ab' });
    expect(short.statusCode).toBe(400);
    expect(short.json().message).toBe('body/text must be empty or at least 3 characters');
    const long = await search({ text: 'rule', from: String(T0 - 32 * 86_400_000), to: String(T0) });
    expect(long.statusCode).toBe(400);
    expect(long.json().message).toMatch(/^body\/from: a free-text search may span at most 31 days/);
    expect((await search({ text: 'rule', from: String(T0 - 31 * 86_400_000), to: String(T0) })).statusCode).toBe(200);
    // Without text the longer range is fine.
    expect((await search({ from: String(T0 - 300 * 86_400_000), to: String(T0) })).statusCode).toBe(200);
  });

  it("bounds the alert list's free text the same way", async () => {
    const short = await get('/api/alerts?q=ab');
    expect(short.statusCode).toBe(400);
    expect(short.json().message).toBe('querystring/q must be empty or at least 3 characters');
    const long = await get(`/api/alerts?q=rule&from=${T0 - 32 * 86_400_000}&to=${T0}`);
    expect(long.statusCode).toBe(400);
    expect(long.json().message).toMatch(/^querystring\/from: a free-text search may span at most 31 days/);
    expect((await get(`/api/alerts?q=rule&from=${T0 - 31 * 86_400_000}&to=${T0}`)).statusCode).toBe(200);
  });

  it('caps page sizes', async () => {
    for (const url of ['/api/alerts?pageSize=100000', '/api/audit?pageSize=100000', '/api/incidents?pageSize=201']) {
      const res = await get(url);
      expect([400, 403]).toContain(res.statusCode);
    }
    // Found by the fuzzer: a page number past 64 bits made SQLite's OFFSET fail with a 500.
    const huge = await get('/api/incidents?page=400193137677123761746532816889315328&pageSize=4');
    expect(huge.statusCode).toBe(400);
    expect(huge.json().message).toMatch(/querystring\/page/);
    const search = await h.req(s, { method: 'POST', url: '/api/search', payload: { pageSize: 5000 } });
    expect(search.statusCode).toBe(400);
    expect(search.json().message).toMatch(/pageSize/);
  });
});
