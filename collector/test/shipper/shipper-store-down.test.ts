/**
 * The shipper around a store that fails or hangs:
 * - close() empties the spool while the store accepts: after one failed write every later
 *   batch queues behind the spool, so a one-shot run (`collect pcap --store`) that hit a
 *   single hiccup must not exit with most of its events still spooled. When the store is
 *   still down at close, close() gives up after one failed attempt and the spool keeps them.
 * - a drain attempt hanging on a store that does not answer (a frozen node) does not hold
 *   up flushes: new batches go behind the spool at once, so the collector keeps reading.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedStore, eventId, type EcsEvent, type EventStore } from '@edusentry/core';
import { createShipper, peekSpool } from '../../src/shipper';

function logEvent(i: number): EcsEvent {
  const message = `close-drain line ${i}`;
  return {
    '@timestamp': new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)).toISOString(),
    event: { id: eventId('test:close-drain', message), kind: 'event', dataset: 'syslog' },
    message,
  } as EcsEvent;
}

/**
 * The real store, failing its first `failures` writes (a timeout, a restart); while
 * `hang` is set, a failing write first waits for it (a node that does not answer).
 */
function flaky(inner: EventStore, failures: number): { store: EventStore; writes: () => number; hang?: Promise<void> } {
  let writes = 0;
  const f: { store: EventStore; writes: () => number; hang?: Promise<void> } = {
    writes: () => writes,
    store: new Proxy(inner, {
      get: (t, p) =>
        p === 'write'
          ? async (events: EcsEvent[]) => {
              if (writes++ < failures) {
                await f.hang;
                throw new Error('Request timed out');
              }
              return t.write(events);
            }
          : (t as any)[p],
    }),
  };
  return f;
}

// The drain timer never fires during a test: only close() can empty the spool.
const noTimers = { batchSize: 10, maxAttempts: 1, backoffBaseMs: 600000, backoffMaxMs: 600000, heartbeatIntervalMs: 0 };

describe('shipper close()', () => {
  let dir: string;
  let store: EmbeddedStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edu-close-drain-'));
    store = new EmbeddedStore({ path: join(dir, 'events.db') });
    await store.init();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ships everything spooled after a transient failure once the store answers again', async () => {
    const f = flaky(store, 1);
    const sh = createShipper(f.store, { dataDir: dir, ...noTimers });
    for (let i = 0; i < 50; i += 10) await sh.push(Array.from({ length: 10 }, (_, j) => logEvent(i + j)));
    expect(sh.counters().spooled).toBe(50); // the first batch failed, the rest queued behind it
    await sh.close();
    expect(sh.spoolBytes()).toBe(0);
    expect(peekSpool(join(dir, 'spool'))).toEqual([]);
    const stored = await store.search({ datasets: ['syslog'], size: 100 });
    expect(stored.total).toBe(50);
    expect(new Set(stored.hits.map((h) => h.message)).size).toBe(50);
  });

  it('keeps the spool when the store is still down at close, after one attempt', async () => {
    const f = flaky(store, Infinity);
    const sh = createShipper(f.store, { dataDir: dir, ...noTimers });
    await sh.push(Array.from({ length: 30 }, (_, i) => logEvent(i)));
    const before = f.writes();
    await sh.close();
    expect(f.writes() - before).toBe(1);
    expect(peekSpool(join(dir, 'spool')).map((e) => e.message)).toEqual(
      Array.from({ length: 30 }, (_, i) => `close-drain line ${i}`),
    );
    expect((await store.stats()).total).toBe(0);
  });

  it('flushes behind the spool while a drain attempt hangs on the store', async () => {
    const f = flaky(store, Infinity);
    const sh = createShipper(f.store, { dataDir: dir, ...noTimers });
    await sh.push(Array.from({ length: 10 }, (_, i) => logEvent(i))); // fails at once: spooled
    let release!: () => void;
    f.hang = new Promise<void>((r) => (release = r));
    const drained = sh.drain(); // hangs in the store's write until released
    // Were flushes queued behind the drain, this would wait for the release, which only comes after.
    for (let i = 10; i < 40; i += 10) await sh.push(Array.from({ length: 10 }, (_, j) => logEvent(i + j)));
    await sh.flush();
    expect(sh.counters().spooled).toBe(40);
    release();
    expect(await drained).toBe(false);
    f.hang = undefined;
    await sh.close(); // still down: kept, in arrival order
    expect(peekSpool(join(dir, 'spool')).map((e) => e.message)).toEqual(
      Array.from({ length: 40 }, (_, i) => `close-drain line ${i}`),
    );
  });
});
