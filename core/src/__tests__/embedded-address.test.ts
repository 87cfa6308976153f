/**
 * Address filters on the embedded store go through indexes led by the event's hour, the
 * query listing the hours its range covers: every range (hour edges, beyond the stored
 * events, none) must still find exactly the events a plain scan would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventId } from '../schema/event-id';
import type { EcsEvent } from '../schema/ecs';
import { EmbeddedStore } from '../store/embedded/store';
import type { Filter } from '../store/types';

const HOUR = 3_600_000;
const BASE = Math.floor(Date.now() / HOUR) * HOUR - 30 * HOUR;

/** 120 events over about 10 hours, a few on the exact hour boundaries. */
function events(): EcsEvent[] {
  return Array.from({ length: 120 }, (_, i) => {
    const ts = BASE + (i % 10 === 0 ? (i / 10) * HOUR : i * 5 * 60_000 + 1234);
    const core = {
      '@timestamp': new Date(ts).toISOString(),
      organization: { id: `school-${i % 3}` },
      source: { ip: `10.0.${i % 4}.${i % 6}` },
      destination: { ip: i % 5 === 0 ? '2001:db8::1' : `198.51.100.${i % 3}` },
    };
    return {
      ...core,
      event: { id: eventId('address-test', { i }), kind: 'event', dataset: 'network.flow' },
    } as EcsEvent;
  });
}

describe('embedded store address filters (hour-led indexes)', () => {
  let dir: string;
  let store: EmbeddedStore;
  const all = events();
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edusentry-address-'));
    store = new EmbeddedStore({ path: join(dir, 'events.db') });
    await store.write(all);
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const filters: Filter[] = [
    { field: 'source.ip', op: 'eq', value: '10.0.1.1' },
    { field: 'destination.ip', op: 'eq', value: '2001:db8::1' },
    { field: 'destination.ip', op: 'in', values: ['198.51.100.2', '2001:db8::1', 'absent'] },
  ];
  const ranges: [string, number | undefined, number | undefined][] = [
    ['no range', undefined, undefined],
    ['hour edge to hour edge', BASE + 2 * HOUR, BASE + 5 * HOUR],
    ['inside one hour', BASE + 3 * HOUR + 1, BASE + 3 * HOUR + 30 * 60_000],
    ['ending 1 ms after an hour edge', BASE + HOUR - 1, BASE + 4 * HOUR + 1],
    ['from before the stored events', BASE - 100 * HOUR, BASE + 2 * HOUR],
    ['to after the stored events', BASE + 7 * HOUR, BASE + 300 * HOUR],
    ['outside the stored events', BASE + 100 * HOUR, BASE + 200 * HOUR],
  ];

  it.each(ranges.flatMap(([name, from, to]) => filters.map((f) => [name, from, to, f] as const)))(
    '%s, %j',
    async (_name, from, to, f) => {
      const values = f.op === 'eq' ? [f.value] : f.op === 'in' ? f.values : [];
      const ip = (e: EcsEvent) => (f.field === 'source.ip' ? e.source!.ip : e.destination!.ip);
      const expected = all
        .filter((e) => {
          const ts = Date.parse(e['@timestamp']);
          return (from === undefined || ts >= from) && (to === undefined || ts < to) && values.includes(ip(e)!);
        })
        .map((e) => e.event.id)
        .sort();
      const r = await store.search({ from, to, filters: [f], orgIds: ['school-0', 'school-1', 'school-2'], size: 200 });
      expect(r.hits.map((e) => e.event.id).sort()).toEqual(expected);
      expect(r.total).toBe(expected.length);
    },
  );

  it('finds them across many hours', async () => {
    expect(all.filter((e) => e.destination!.ip === '2001:db8::1').length).toBeGreaterThan(10);
    const hours = new Set(
      (await store.search({ filters: [filters[1]], size: 200 })).hits.map((e) =>
        Math.floor(Date.parse(e['@timestamp']) / HOUR),
      ),
    );
    expect(hours.size).toBeGreaterThan(5);
  });
});
