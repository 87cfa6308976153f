/**
 * Per-item failures of _bulk as the engines report them. A real node cannot be made to
 * answer 429/503 for chosen documents on demand, so a small HTTP server plays the engine
 * here, answering in the engines' exact response format; everything else is tested on
 * the real nodes (store-opensearch / store-elasticsearch).
 */
import { createServer, type Server } from 'node:http';
import { ElasticStore } from '../src/store/elastic/store';
import type { EcsEvent } from '../src/schema/ecs';

interface FakeEngine {
  server: Server;
  url: string;
  attempts: Map<string, number>;
  quarantined: string[];
  bulkRequests: number;
}

/** `behaviour(id, attempt)` gives the item status; whole-request 503 for the first `downFor` bulk requests. */
async function fakeEngine(behaviour: (id: string, attempt: number) => number, downFor = 0): Promise<FakeEngine> {
  const fake = { attempts: new Map<string, number>(), quarantined: [] as string[], bulkRequests: 0 } as FakeEngine;
  fake.server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const json = (status: number, v: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(v));
      if (req.method === 'GET' && req.url === '/')
        return json(200, { version: { distribution: 'opensearch', number: '2.19.1' } });
      // Templates and pipeline exist already (a store that was initialised).
      if (req.url?.startsWith('/_ingest/pipeline/') || req.url?.startsWith('/_index_template/')) return json(200, {});
      if (!req.url?.startsWith('/_bulk')) return json(404, { error: 'no handler' });
      if (fake.bulkRequests++ < downFor)
        return json(503, { error: { type: 'unavailable', reason: 'busy' }, status: 503 });
      const lines = body.split('\n').filter(Boolean);
      const items: unknown[] = [];
      for (let i = 0; i < lines.length; i += 2) {
        const action = JSON.parse(lines[i]);
        const doc = JSON.parse(lines[i + 1]);
        if (action.index?._index?.endsWith('-quarantine')) {
          fake.quarantined.push(doc.event.id);
          items.push({ index: { status: 201 } });
          continue;
        }
        const id: string = action.create._id;
        const attempt = (fake.attempts.get(id) ?? 0) + 1;
        fake.attempts.set(id, attempt);
        const status = behaviour(id, attempt);
        const error =
          status === 400
            ? {
                type: 'mapper_parsing_exception',
                reason: "failed to parse field [source.ip] of type [ip] in document with id 'bad'",
                caused_by: { type: 'illegal_argument_exception', reason: "'x' is not an IP string literal." },
              }
            : status >= 300 && status !== 409
              ? { type: 'es_rejected_execution_exception', reason: 'rejected execution' }
              : undefined;
        items.push({ create: { status, ...(error ? { error } : {}) } });
      }
      json(200, { errors: true, items });
    });
  });
  await new Promise<void>((r) => fake.server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(fake.server.address() as { port: number }).port}`;
  return fake;
}

function ev(id: string): EcsEvent {
  return {
    '@timestamp': '2026-01-02T03:04:05.000Z',
    event: { id, kind: 'event', dataset: 'network.flow' },
  } as EcsEvent;
}

describe('bulk writes with per-item failures', () => {
  let fake: FakeEngine | undefined;
  afterEach(async () => {
    fake?.server.closeAllConnections();
    await new Promise((r) => fake?.server.close(r));
  });

  it('retries 429/5xx items, counts 409 as stored, quarantines rejected ones with the engine reason', async () => {
    fake = await fakeEngine((id, attempt) => {
      if (id === 'busy-once') return attempt === 1 ? 429 : 201;
      if (id === 'busy-twice') return attempt <= 2 ? 503 : 201;
      if (id === 'always-busy') return 429;
      if (id === 'dup') return 409;
      if (id === 'bad') return 400;
      return 201;
    });
    const store = new ElasticStore({ url: fake.url, indexPrefix: 't', retryBaseMs: 1, bulkRetries: 3 });
    const r = await store.write(['ok-1', 'busy-once', 'dup', 'bad', 'busy-twice', 'always-busy', 'ok-2'].map(ev));
    await store.close();
    expect(r.written).toBe(5); // ok-1, busy-once, dup, busy-twice, ok-2
    expect(r.failed).toBe(1); // always-busy, after its retries
    expect(r.quarantined.map((q) => q.id)).toEqual(['bad']);
    expect(r.quarantined[0].reason).toMatch(
      /mapper_parsing_exception: failed to parse field \[source\.ip\].*not an IP string literal/,
    );
    expect(fake.quarantined).toEqual(['bad']);
    expect(fake.attempts.get('ok-1')).toBe(1); // stored items are not sent again
    expect(fake.attempts.get('busy-once')).toBe(2);
    expect(fake.attempts.get('busy-twice')).toBe(3);
    expect(fake.attempts.get('always-busy')).toBe(4);
  });

  it('retries a whole bulk request the engine answered with 503', async () => {
    fake = await fakeEngine(() => 201, 2);
    const store = new ElasticStore({ url: fake.url, indexPrefix: 't', retryBaseMs: 1 });
    const r = await store.write(['a', 'b', 'c'].map(ev));
    await store.close();
    expect(r).toEqual({ written: 3, failed: 0, quarantined: [] });
    expect(fake.bulkRequests).toBe(3);
  });
});
