/**
 * Store failures and secrets in logs (issue 13 item 14): a failing search engine's URL,
 * credentials and reasons reach the server log only; the user gets a generic message with
 * the request id. Log lines censor passwords, tokens, cookies and authorization at any depth.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger, openElasticStore, type EventStore } from '@edusentry/core';
import { harness, type Harness } from './helpers';

/** A loopback "cluster" that answers the store's probes and fails every query with an engine reason. */
async function brokenCluster(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.setHeader('x-elastic-product', 'Elasticsearch');
    if (req.method === 'GET' && req.url === '/')
      return res.end(JSON.stringify({ version: { distribution: 'opensearch', number: '2.19.0' } }));
    res.statusCode = 500;
    res.end(
      JSON.stringify({
        error: { type: 'search_phase_execution_exception', reason: 'shard [edu-secret-index][0] failed: disk full' },
        status: 500,
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function captured(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, stream };
}

describe('store errors never reach users', () => {
  let h: Harness;
  let cluster: { url: string; server: Server };
  let store: EventStore;
  const log = captured();

  beforeAll(async () => {
    cluster = await brokenCluster();
    store = await openElasticStore({
      url: cluster.url,
      username: 'edu',
      password: 'Store-Pass-77',
      requestTimeoutMs: 5000,
    });
    h = await harness({ store, log: createLogger('console', 'info', log.stream) });
  });
  afterAll(async () => {
    await h.close();
    await store.close();
    await new Promise((r) => cluster.server.close(r));
  });

  it('answers a generic message with the request id and logs the engine reason', async () => {
    const s = await h.login('province_monitor.p1');
    for (const opts of [
      { method: 'POST' as const, url: '/api/search', payload: {} },
      { method: 'GET' as const, url: '/api/alerts' },
      { method: 'GET' as const, url: '/api/posture' },
    ]) {
      const res = await h.req(s, opts);
      expect(res.statusCode).toBe(500);
      const body = res.json();
      expect(body.code).toBe('EDU_ERR_STORE');
      expect(body.message).toMatch(/^the event store failed \(request .+\); see the server log$/);
      expect(body.requestId).toBeTruthy();
      expect(body.message).toContain(body.requestId);
      expect(res.body).not.toContain('127.0.0.1');
      expect(res.body).not.toContain('disk full');
      expect(res.body).not.toContain('edu-secret-index');
      expect(body.details).toBeUndefined();
      const logged = log.lines.find((l) => l.includes(`"reqId":"${body.requestId}"`));
      expect(logged).toBeDefined();
      expect(logged).toContain('disk full');
    }
  });

  it('a bulk triage does not put the store error into its answer', async () => {
    const s = await h.login('city_monitor.c1');
    const res = await h.req(s, {
      method: 'POST',
      url: '/api/alerts/triage',
      payload: { ids: ['a1'], action: 'acknowledge' },
    });
    expect(res.body).not.toContain('disk full');
    expect(res.body).not.toContain('127.0.0.1');
  });
});

describe('store timeouts', () => {
  it('every search carries a timeout, and one the engine did not finish fails with advice, not partial results', async () => {
    const bodies: Record<string, unknown>[] = [];
    const server = createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        if (req.method === 'GET' && req.url === '/')
          return res.end(JSON.stringify({ version: { distribution: 'opensearch', number: '2.19.0' } }));
        if (!req.url?.includes('/_search')) return res.end('{}');
        bodies.push(JSON.parse(data));
        // What an engine answers when the search ran out of its time budget: some hits, timed_out.
        res.end(JSON.stringify({ timed_out: true, hits: { total: { value: 3 }, hits: [] }, aggregations: {} }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const store = await openElasticStore({ url, requestTimeoutMs: 5000 });
    const h = await harness({ store, log: createLogger('console', 'silent') });
    try {
      const s = await h.login('province_monitor.p1');
      const res = await h.req(s, { method: 'POST', url: '/api/search', payload: {} });
      expect(res.statusCode).toBe(504);
      expect(res.json().code).toBe('EDU_ERR_STORE_TIMEOUT');
      expect(res.json().message).toMatch(/did not finish within 4000 ms; narrow the time range or the filters/);
      expect(res.body).not.toContain('127.0.0.1');
      expect(bodies.length).toBeGreaterThan(0);
      for (const b of bodies) expect(b.timeout).toBe('4000ms');
    } finally {
      await h.close();
      await store.close();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('log redaction', () => {
  it('censors secrets at any depth and credentials inside URLs', () => {
    const log = captured();
    const logger = createLogger('test', 'info', log.stream);
    logger.info(
      {
        password: 'top-pass-1',
        body: { user: { profile: { password: 'deep-pass-2', newPassword: 'deep-pass-3' } } },
        req: { headers: { Authorization: 'Bearer tok-4', cookie: 'edu_session=sess-5', 'x-csrf-token': 'csrf-6' } },
        config: { store: { url: 'https://elastic:url-pass-7@search.example:9200', apiKey: 'key-8' } },
        list: [{ token: 'tok-9' }, { nested: [{ accessToken: 'tok-10' }] }],
        mustChangePassword: true,
        count: 3,
      },
      'request',
    );
    logger.child({ component: 'http' }).error({ err: new Error('GET https://u:err-pass-11@db.example/ failed') }, 'x');
    const out = log.lines.join('\n');
    for (const secret of [
      'top-pass-1',
      'deep-pass-2',
      'deep-pass-3',
      'tok-4',
      'sess-5',
      'csrf-6',
      'url-pass-7',
      'key-8',
      'tok-9',
      'tok-10',
      'err-pass-11',
    ])
      expect(out).not.toContain(secret);
    const first = JSON.parse(log.lines[0]);
    expect(first.body.user.profile.password).toBe('[redacted]');
    expect(first.config.store.url).toBe('https://[redacted]@search.example:9200');
    expect(first.mustChangePassword).toBe(true);
    expect(first.count).toBe(3);
    expect(JSON.parse(log.lines[1]).err.message).toContain('failed');
  });
});
