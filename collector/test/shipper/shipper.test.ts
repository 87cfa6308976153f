/**
 * The shipper against the real embedded store (and the real OpenSearch node when
 * EDUSENTRY_TEST_OPENSEARCH_URL is set; required under CI): batching, dead letters,
 * spooling while the store is unreachable, in-order drain, and no duplicates after a
 * crash and replay. With the embedded store "unreachable" is a thin wrapper that throws
 * while switched off; with OpenSearch it is a real network outage (see TcpRelay).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EmbeddedStore,
  eventId,
  openElasticStore,
  type EcsEvent,
  type EventStore,
  type WriteResult,
} from '@edusentry/core';
import { createShipper, Spool } from '../../src/shipper';
import { opensearchUrl, TcpRelay } from './helpers';

function logEvent(i: number, dataset = 'syslog'): EcsEvent {
  const message = `test line ${i}`;
  return {
    '@timestamp': new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)).toISOString(),
    event: { id: eventId('test:shipper', message), kind: 'event', dataset: dataset as 'syslog' },
    message,
  } as EcsEvent;
}

/** The real store, with a switch that makes it behave like a cluster that is down. */
class SwitchableStore {
  down = false;
  writes = 0;
  constructor(readonly inner: EventStore) {}
  async write(events: EcsEvent[]): Promise<WriteResult> {
    this.writes++;
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:9201');
    return this.inner.write(events);
  }
  asStore(): EventStore {
    return new Proxy(this.inner, { get: (t, p) => (p === 'write' ? this.write.bind(this) : (t as any)[p]) });
  }
}

async function allMessages(store: EventStore): Promise<string[]> {
  const out: string[] = [];
  let cursor = null;
  for (;;) {
    const r = await store.tail(cursor, { limit: 1000, datasets: ['syslog'] });
    if (!r.events.length) break;
    out.push(...r.events.map((e) => String(e.message)));
    cursor = r.cursor;
  }
  return out;
}

const fast = { backoffBaseMs: 1, backoffMaxMs: 5, heartbeatIntervalMs: 0, flushIntervalMs: 50 };

describe('shipper with the embedded store', () => {
  let dir: string;
  let store: EmbeddedStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edu-shipper-'));
    store = new EmbeddedStore({ path: join(dir, 'events.db') });
    await store.init();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ships batches and counts them', async () => {
    const sh = createShipper(store, { dataDir: dir, batchSize: 100, ...fast });
    await sh.push(Array.from({ length: 250 }, (_, i) => logEvent(i)));
    await sh.close();
    expect(sh.counters()).toMatchObject({ received: 250, shipped: 250, spooled: 0, dropped: 0 });
    expect((await store.stats()).total).toBe(250);
  });

  it('quarantines refused items into the dead-letter file with the reason', async () => {
    const sh = createShipper(store, { dataDir: dir, ...fast });
    await sh.push([logEvent(1), logEvent(2, 'no.such.dataset'), logEvent(3)]);
    await sh.close();
    expect(sh.counters()).toMatchObject({ shipped: 2, quarantined: 1 });
    const dead = readFileSync(join(dir, 'dead-letter.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(dead).toHaveLength(1);
    expect(dead[0].reason).toMatch(/no\.such\.dataset/);
    expect(dead[0].event.message).toBe('test line 2');
  });

  it('spools while the store is down and drains in order when it returns', async () => {
    const sw = new SwitchableStore(store);
    const sh = createShipper(sw.asStore(), { dataDir: dir, batchSize: 10, maxAttempts: 2, ...fast });
    await sh.push(Array.from({ length: 5 }, (_, i) => logEvent(i)));
    await sh.flush();
    sw.down = true;
    for (let i = 5; i < 50; i += 5) await sh.push(Array.from({ length: 5 }, (_, j) => logEvent(i + j)));
    await sh.flush();
    expect(sh.counters().spooled).toBe(45);
    expect(sh.spoolBytes()).toBeGreaterThan(0);
    expect(await sh.drain()).toBe(false);
    // New events while the spool is non-empty queue behind it.
    sw.down = false;
    await sh.push([logEvent(50)]);
    await sh.flush();
    expect(await sh.drain()).toBe(true);
    await sh.close();
    const msgs = await allMessages(store);
    expect(msgs).toEqual(Array.from({ length: 51 }, (_, i) => `test line ${i}`));
    expect(sh.spoolBytes()).toBe(0);
  });

  it('replays the spool after a crash without duplicates', async () => {
    const sw = new SwitchableStore(store);
    sw.down = true;
    const crashed = createShipper(sw.asStore(), { dataDir: dir, batchSize: 7, maxAttempts: 1, ...fast });
    await crashed.push(Array.from({ length: 30 }, (_, i) => logEvent(i)));
    await crashed.flush();
    // Half the spool reaches the store but the cursor is never committed (crash before commit).
    await store.write(Array.from({ length: 15 }, (_, i) => logEvent(i)));
    // The process dies here: no close(). A new shipper opens the same spool.
    const sh = createShipper(store, { dataDir: dir, batchSize: 7, ...fast });
    expect(await sh.drain()).toBe(true);
    await sh.close();
    const msgs = await allMessages(store);
    expect(msgs.length).toBe(30);
    expect(new Set(msgs).size).toBe(30);
  });

  it('heartbeat events carry the counters', async () => {
    const sh = createShipper(store, {
      dataDir: dir,
      ...fast,
      observer: { id: 'c-1', name: 'exit' },
      organization: { id: 'school-1' },
    });
    await sh.push([logEvent(1)]);
    await sh.heartbeat();
    await sh.close();
    const hb = await store.search({ datasets: ['collector.heartbeat'], size: 10 });
    expect(hb.total).toBeGreaterThanOrEqual(1);
    const h = hb.hits[0] as any;
    expect(h.observer.id).toBe('c-1');
    expect(h.organization.id).toBe('school-1');
    expect(h.edu.collector.counters.received).toBeGreaterThanOrEqual(1);
  });
});

describe('spool files', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'edu-spool-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const opts = (d: string) => ({
    dir: d,
    segmentBytes: 4096,
    maxBytes: 1 << 20,
    fsync: 'always' as const,
    fsyncIntervalMs: 1000,
  });

  it('rolls segments, reads across them in order and deletes what was committed', () => {
    const sp = new Spool(opts(dir));
    for (let i = 0; i < 100; i++) sp.append([logEvent(i)]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.seg')).length).toBeGreaterThan(1);
    const seen: string[] = [];
    while (sp.hasPending()) {
      const { events, next } = sp.read(13);
      seen.push(...events.map((e) => String(e.message)));
      sp.commit(next);
    }
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => `test line ${i}`));
    expect(readdirSync(dir).filter((f) => f.endsWith('.seg')).length).toBe(1);
    sp.close();
  });

  it('cuts a torn tail and skips a record with a bad checksum, counting it', () => {
    const sp = new Spool(opts(dir));
    sp.append([logEvent(1), logEvent(2), logEvent(3)]);
    sp.close();
    const seg = join(
      dir,
      readdirSync(dir).find((f) => f.endsWith('.seg'))!,
    );
    const buf = readFileSync(seg);
    const firstLen = buf.readUInt32BE(2);
    buf[10 + 5] ^= 0xff; // corrupt the payload of record 1
    writeFileSync(seg, Buffer.concat([buf, Buffer.from('ES\0\0\0\x40torn')])); // and a torn tail
    const sp2 = new Spool(opts(dir));
    expect(statSync(seg).size).toBe(buf.length);
    const { events } = sp2.read(10);
    expect(events.map((e) => e.message)).toEqual(['test line 2', 'test line 3']);
    expect(sp2.corrupt).toBe(1);
    expect(firstLen).toBeGreaterThan(0);
    sp2.close();
  });

  it('refuses and counts what does not fit under maxBytes', () => {
    const sp = new Spool({ ...opts(dir), maxBytes: 4096 });
    const refused = sp.append(Array.from({ length: 100 }, (_, i) => logEvent(i)));
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThan(100);
    sp.close();
  });
});

const osUrl = opensearchUrl();
(osUrl ? describe : describe.skip)('shipper with the real OpenSearch node', () => {
  // The node is real and so is the outage: the store talks to it through a loopback relay
  // that the test closes (connections refused and cut) and opens again.
  it('spools while the node is unreachable, drains in order when it returns, no duplicates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edu-shipper-os-'));
    const relay = TcpRelay.forUrl(osUrl!);
    await relay.up();
    const prefix = `edu-shipper-${process.pid}-${Date.now()}`;
    const real = await openElasticStore({
      url: relay.url,
      indexPrefix: prefix,
      requestTimeoutMs: 5000,
      refresh: true,
    });
    try {
      await real.init();
      const sh = createShipper(real, { dataDir: dir, batchSize: 20, maxAttempts: 2, ...fast });
      await sh.push(Array.from({ length: 10 }, (_, i) => logEvent(i)));
      await sh.flush();
      expect(sh.counters()).toMatchObject({ shipped: 10, spooled: 0 });

      await relay.down();
      await sh.push(Array.from({ length: 100 }, (_, i) => logEvent(10 + i)));
      await sh.flush();
      expect(sh.counters()).toMatchObject({ shipped: 10, spooled: 100 });
      expect(sh.counters().store_errors).toBeGreaterThan(0);
      expect(await sh.drain()).toBe(false);

      await relay.up();
      // Part of the spool reached the node before a crash that lost the spool cursor:
      // draining rewrites those ids, which the store must not double.
      await real.write(Array.from({ length: 40 }, (_, i) => logEvent(10 + i)));
      await sh.push([logEvent(110)]); // queues behind the spool
      await sh.flush();
      expect(await sh.drain()).toBe(true);
      await sh.close();
      expect(sh.spoolBytes()).toBe(0);
      await real.refresh();
      const res = await real.search({
        datasets: ['syslog'],
        size: 1000,
        sort: [{ field: '@timestamp', order: 'asc' }],
      });
      expect(res.total).toBe(111);
      expect(res.hits.map((h) => h.message)).toEqual(Array.from({ length: 111 }, (_, i) => `test line ${i}`));
    } finally {
      await real.close();
      await relay.down();
      await fetch(`${osUrl}/${prefix}-*`, { method: 'DELETE' }).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);
});
