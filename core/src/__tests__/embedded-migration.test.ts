/**
 * The embedded store's schema version 6 (plain filter columns, integer id key, hour-led
 * address indexes): a data directory written by version 5 opens with every event, its
 * ingest order and its tail position kept; and ids that share a hash are both stored.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventId } from '../schema/event-id';
import type { EcsEvent } from '../schema/ecs';
import { EmbeddedStore } from '../store/embedded/store';
import { idKey } from '../store/embedded/id-key';
import { MIGRATIONS } from '../store/embedded/schema';
import { Rollups } from '../store/embedded/rollup';

const BASE = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 5 * 3_600_000;

function event(i: number, dataset = i % 3 ? 'network.flow' : 'network.dns'): EcsEvent {
  const core = {
    '@timestamp': new Date(BASE + i * 60_000).toISOString(),
    organization: { id: `school-${i % 2}` },
    source: { ip: `10.0.0.${i % 5}`, port: 40000 + i },
    destination: { ip: `192.0.2.${i % 7}`, port: [53, 443][i % 2] },
  };
  return { ...core, event: { id: eventId('migration-test', { i }), kind: 'event', dataset } } as EcsEvent;
}

/** A version 5 database holding `events`, written as version 5 wrote them (event.ingested in the document). */
function writeV5(path: string, events: EcsEvent[], ingested: number): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  for (const [v, m] of MIGRATIONS.slice(0, 5).entries()) {
    db.exec(m as string);
    db.pragma(`user_version = ${v + 1}`);
  }
  const insert = db.prepare(
    'INSERT INTO events (id, ts, ingested, dataset, org, doc) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING',
  );
  const rollups = new Rollups(db);
  db.transaction(() => {
    for (const [i, e] of events.entries()) {
      const ts = Date.parse(e['@timestamp']);
      const doc = JSON.stringify({ ...e, event: { ...e.event, ingested: new Date(ingested).toISOString() } });
      insert.run(e.event.id, ts, ingested, e.event.dataset, e.organization!.id, doc);
      if (i < events.length - 2) rollups.add(ts, e.organization!.id!, e.event.dataset);
    }
    rollups.flush();
    // The newest rows were deleted: AUTOINCREMENT's counter is past the last row, and must stay so.
    db.prepare('DELETE FROM events WHERE seq > ?').run(events.length - 2);
  })();
  db.close();
}

describe('embedded store schema version 6', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'edusentry-migration-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opens a version 5 data directory with every event, its order, its ingest time and its tail position', async () => {
    const path = join(dir, 'events.db');
    const events = Array.from({ length: 30 }, (_, i) => event(i));
    const ingested = Date.parse('2026-01-02T03:04:05.678Z');
    writeV5(path, events, ingested);
    const kept = events.slice(0, 28);

    const store = new EmbeddedStore({ path });
    try {
      const check = new Database(path, { readonly: true });
      expect(check.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      const columns = (check.prepare('PRAGMA table_info(events)').all() as { name: string }[]).map((c) => c.name);
      expect(columns).toEqual(expect.arrayContaining(['id_key', 'source_ip', 'destination_ip', 'doc']));
      expect(check.prepare("SELECT count(*) n FROM sqlite_master WHERE name = 'events_v5'").pluck().get()).toBe(0);
      check.close();

      // Every event, in ingest order, with the ingest time it had.
      const tailed = await store.tail(null, { limit: 100 });
      expect(tailed.events.map((e) => e.event.id)).toEqual(kept.map((e) => e.event.id));
      expect(tailed.events.every((e) => e.event.ingested === new Date(ingested).toISOString())).toBe(true);
      expect(tailed.cursor.seq).toBe(28);
      expect(await store.get(kept[5].event.id)).toEqual({
        ...kept[5],
        event: { ...kept[5].event, ingested: new Date(ingested).toISOString() },
      });

      // A rewrite of a migrated event is still a duplicate; a new event follows the old counter.
      await store.write([kept[3], events[29]]);
      const after = await store.tail(tailed.cursor);
      expect(after.events.map((e) => e.event.id)).toEqual([events[29].event.id]);
      expect(after.cursor.seq).toBeGreaterThan(30); // past the deleted rows: seq is never reused
      expect((await store.stats()).total).toBe(29);

      // The migrated columns answer filters as the generated ones did.
      const ip = kept[4].destination!.ip!;
      const r = await store.search({ filters: [{ field: 'destination.ip', op: 'eq', value: ip }], size: 100 });
      const expected = [...kept, events[29]].filter((e) => e.destination!.ip === ip).map((e) => e.event.id);
      expect(r.hits.map((e) => e.event.id).sort()).toEqual(expected.sort());
      expect(r.total).toBe(expected.length);
    } finally {
      await store.close();
    }
  });

  it('stores an id whose hash another id holds, finds it, and still deduplicates it', async () => {
    const store = new EmbeddedStore({ path: join(dir, 'events.db') });
    try {
      const mine = event(1);
      const other = event(2);
      // Another id on this id's key: forged (a real collision is one pair in ~10^8 events).
      await store.write([other]);
      const db = new Database(join(dir, 'events.db'));
      db.prepare('UPDATE events SET id_key = ? WHERE id = ?').run(idKey(mine.event.id), other.event.id);
      db.close();

      expect((await store.write([mine])).written).toBe(1);
      await store.write([mine, mine]);
      expect((await store.stats()).total).toBe(2);
      expect((await store.tail(null)).events.map((e) => e.event.id)).toEqual([other.event.id, mine.event.id]);
      expect((await store.get(mine.event.id))?.event.id).toBe(mine.event.id);
      const byId = await store.search({
        filters: [{ field: 'event.id', op: 'in', values: [mine.event.id, 'absent'] }],
      });
      expect(byId.hits.map((e) => e.event.id)).toEqual([mine.event.id]);
      expect(await store.update(mine.event.id, 'network.flow', { destination: { ip: '198.51.100.9' } })).toBe(true);
      const moved = await store.search({ filters: [{ field: 'destination.ip', op: 'eq', value: '198.51.100.9' }] });
      expect(moved.hits.map((e) => e.event.id)).toEqual([mine.event.id]);
    } finally {
      await store.close();
    }
  });
});
