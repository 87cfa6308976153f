/**
 * The EventStore contract: one set of cases every store implementation must pass
 * (embedded SQLite, a real OpenSearch node, a real Elasticsearch node). Expected
 * answers are computed from the fixture events in plain JavaScript, never typed in.
 */
import { eventId } from '../src/schema/event-id';
import { getField } from '../src/schema/fields';
import type { Dataset } from '../src/schema/datasets';
import type { EcsEvent } from '../src/schema/ecs';
import { inCidr } from '../src/store/ip';
import type { EventStore, Filter, TailCursor, WriteResult } from '../src/store/types';

export interface StoreHarness {
  /** A new instance on the same location each call, as after a process restart. */
  open(): Promise<EventStore>;
  /** Drops everything this harness created. */
  cleanup(): Promise<void>;
  /** A document only this engine rejects (mapping conflict), to check it is quarantined with the engine's reason. */
  engineRejects?: { event: EcsEvent; reasonMatches: RegExp };
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Within one UTC day, two days ago: inside any retention period, one index bucket per family. */
export const BASE = Math.floor((Date.now() - 2 * DAY) / DAY) * DAY + HOUR;
const ORGS = ['school-a', 'school-b', 'school-c'];
const DOMAINS = ['www.edu.cn', 'mail.edu.cn', 'www.example.org', 'cdn.example.com'];

/** 40 events of five datasets; every field the filters use has values that discriminate. */
export function fixtureEvents(): EcsEvent[] {
  const out: EcsEvent[] = [];
  for (let i = 0; i < 40; i++) {
    const ts = new Date(BASE + i * 7 * 60_000 + i).toISOString(); // unique, spread over ~4.5 hours
    const org = ORGS[i % 3];
    const kind = i % 5;
    const base = {
      '@timestamp': ts,
      organization: { id: org, name: org.toUpperCase() },
      ...(i % 4 === 3 ? {} : { observer: { id: `collector-${i % 2}` } }),
      source: { ip: i % 8 === 7 ? `2001:db8::${i.toString(16)}` : `10.${i % 3}.${i % 4}.${i + 1}`, port: 40000 + i },
      destination: { ip: `192.0.2.${i % 16}`, port: [53, 80, 443, 22, 514][kind] },
      network: { transport: kind === 0 ? 'udp' : 'tcp', bytes: 1000 + i * 37, packets: 1 + i },
    };
    let e: Record<string, unknown>;
    switch (kind) {
      case 0:
        e = {
          ...base,
          dns: { question: { name: `host${i}.${DOMAINS[i % 4]}`, type: 'A' } },
          event: { kind: 'event', dataset: 'network.dns' },
        };
        break;
      case 1:
        e = {
          ...base,
          url: { original: `/Portal/Login?user=u${i}`, domain: DOMAINS[i % 4] },
          http: { request: { method: i % 2 ? 'GET' : 'POST' }, response: { status_code: i % 3 ? 200 : 404 } },
          event: { kind: 'event', dataset: 'network.http' },
        };
        break;
      case 2:
        e = {
          ...base,
          tls: { client: { server_name: DOMAINS[i % 4] }, established: i % 2 === 0 },
          event: { kind: 'event', dataset: 'network.tls' },
        };
        break;
      case 3:
        e = {
          ...base,
          message: i % 2 ? `sshd: user alice${i} login failed from 10.0.0.${i}` : `sshd: session opened for bob${i}`,
          log: { syslog: { severity: { code: i % 8 }, hostname: `gw-${i % 3}` } },
          event: { kind: 'event', dataset: 'syslog' },
        };
        break;
      default:
        e = { ...base, event: { kind: 'event', dataset: 'network.flow' }, tags: i % 2 ? ['scan', 'edge'] : ['edge'] };
    }
    (e.event as Record<string, unknown>).id = eventId('contract', { i, ts });
    out.push(e as EcsEvent);
  }
  return out;
}

export function alertEvent(ts = BASE + HOUR): EcsEvent {
  const core = {
    '@timestamp': new Date(ts).toISOString(),
    organization: { id: 'school-a' },
    rule: { id: 'r-1', name: 'SSH brute force' },
  };
  return {
    ...core,
    event: { id: eventId('contract-alert', core), kind: 'alert', dataset: 'alert', severity: 70 },
    edu: { alert: { status: 'new', events: ['x', 'y'] } },
  } as EcsEvent;
}

function ids(events: EcsEvent[]): string[] {
  return events.map((e) => e.event.id).sort();
}

function withoutIngested(e: EcsEvent): EcsEvent {
  const { ingested: _ingested, ...meta } = e.event;
  return { ...e, event: meta } as EcsEvent;
}

/** What a filter must select, computed on the fixture in plain JavaScript. */
function matches(e: EcsEvent, f: Filter): boolean {
  const raw = getField(e, f.field);
  const values = (Array.isArray(raw) ? raw : [raw]).filter((v) => v !== undefined && v !== null);
  const any = (p: (v: any) => boolean) => values.some(p);
  switch (f.op) {
    case 'eq':
      return any((v) => v === f.value);
    case 'neq':
      return !any((v) => v === f.value);
    case 'in':
      return any((v) => f.values.includes(v));
    case 'prefix':
      return any((v) => String(v).startsWith(f.value));
    case 'contains':
      return any((v) => String(v).toLowerCase().includes(f.value.toLowerCase()));
    case 'exists':
      return values.length > 0;
    case 'missing':
      return values.length === 0;
    case 'range': {
      const n = (v: unknown) => (f.field === '@timestamp' ? Date.parse(String(v)) : Number(v));
      const b = (v: string | number | undefined) =>
        v === undefined ? undefined : f.field === '@timestamp' ? Date.parse(String(v)) : Number(v);
      return any((v) => {
        const x = n(v);
        return (
          (b(f.gte) === undefined || x >= b(f.gte)!) &&
          (b(f.gt) === undefined || x > b(f.gt)!) &&
          (b(f.lte) === undefined || x <= b(f.lte)!) &&
          (b(f.lt) === undefined || x < b(f.lt)!)
        );
      });
    }
    case 'cidr':
      return any((v) => inCidr(String(v), f.value));
  }
}

export const FILTER_CASES: Filter[] = [
  { field: 'destination.port', op: 'eq', value: 443 },
  { field: 'organization.id', op: 'eq', value: 'school-b' },
  { field: 'tls.established', op: 'eq', value: true },
  { field: 'tags', op: 'eq', value: 'scan' },
  { field: 'http.request.method', op: 'neq', value: 'GET' },
  { field: 'observer.id', op: 'neq', value: 'collector-0' },
  { field: 'destination.port', op: 'in', values: [22, 53] },
  { field: 'dns.question.name', op: 'prefix', value: 'host1' },
  { field: 'url.original', op: 'contains', value: 'login?USER=u1' },
  { field: 'dns.question.name', op: 'exists' },
  { field: 'message', op: 'missing' },
  { field: 'network.bytes', op: 'range', gte: 1200, lt: 1800 },
  { field: 'network.packets', op: 'range', gt: 30 },
  { field: 'source.ip', op: 'cidr', value: '10.1.0.0/16' },
  { field: 'source.ip', op: 'cidr', value: '2001:db8::/32' },
  { field: 'destination.ip', op: 'cidr', value: '192.0.2.8/29' },
  // Substrings of addresses and numbers, whole values and substrings of analysed text,
  // and values the field's type cannot hold (they match nothing; they are not an error).
  { field: 'source.ip', op: 'prefix', value: '10.1.' },
  { field: 'source.ip', op: 'contains', value: 'DB8::' },
  { field: 'destination.port', op: 'contains', value: '4' },
  { field: 'message', op: 'eq', value: 'sshd: session opened for bob8' },
  { field: 'message', op: 'prefix', value: 'sshd: user' },
  { field: 'message', op: 'contains', value: 'LOGIN FAILED from' },
  { field: 'source.ip', op: 'in', values: ['not-an-address', '10.1.1.2'] },
  { field: 'destination.port', op: 'in', values: ['https', 22] },
];

/** Reads the whole tail from `cursor`, round-tripping the cursor through JSON as a consumer that persists it would. */
async function drain(
  store: EventStore,
  cursor: TailCursor | null,
  limit: number,
): Promise<{ events: EcsEvent[]; cursor: TailCursor | null }> {
  const events: EcsEvent[] = [];
  for (let guard = 0; guard < 1000; guard++) {
    const r = await store.tail(cursor, { limit });
    cursor = JSON.parse(JSON.stringify(r.cursor));
    if (r.events.length === 0) break;
    events.push(...r.events);
  }
  return { events, cursor };
}

export function storeContract(makeHarness: () => StoreHarness): void {
  const events = fixtureEvents();

  // Read-only cases share one store with the fixture written once.
  describe('reads', () => {
    let h: StoreHarness;
    let store: EventStore;
    let written: WriteResult;
    beforeAll(async () => {
      h = makeHarness();
      store = await h.open();
      await store.init();
      written = await store.write(events);
    });
    afterAll(async () => {
      await store.close();
      await h.cleanup();
    });
    it('writes events and reads them back whole, with event.ingested set by the store', async () => {
      expect(written).toEqual({ written: events.length, quarantined: [], failed: 0 });
      const got = await store.get(events[3].event.id);
      expect(got).toBeDefined();
      expect(Number.isNaN(Date.parse(String(got!.event.ingested)))).toBe(false);
      expect(withoutIngested(got!)).toEqual(events[3]);
      expect(await store.get('no-such-event')).toBeUndefined();
      const stats = await store.stats();
      expect(stats.total).toBe(events.length);
      const byDataset: Record<string, number> = {};
      for (const e of events) byDataset[e.event.dataset] = (byDataset[e.event.dataset] ?? 0) + 1;
      expect(stats.byDataset).toEqual(byDataset);
      expect(stats.oldest).toBe(events[0]['@timestamp']);
      expect(stats.newest).toBe(events[events.length - 1]['@timestamp']);
    });

    it('queries by time range (from inclusive, to exclusive), dataset and organisation', async () => {
      const from = events[5]['@timestamp'];
      const to = events[20]['@timestamp'];
      const r = await store.search({ from, to, size: 100 });
      expect(ids(r.hits)).toEqual(ids(events.slice(5, 20)));
      expect(r.total).toBe(15);
      const byMs = await store.search({ from: Date.parse(from), to: Date.parse(to), size: 0 });
      expect(byMs.total).toBe(15);

      const dns = await store.search({ datasets: ['network.dns', 'syslog'] as Dataset[], size: 100 });
      expect(ids(dns.hits)).toEqual(ids(events.filter((e) => ['network.dns', 'syslog'].includes(e.event.dataset))));

      const scoped = await store.search({ orgIds: ['school-a', 'school-c'], size: 100 });
      expect(ids(scoped.hits)).toEqual(ids(events.filter((e) => e.organization?.id !== 'school-b')));
      expect((await store.search({ orgIds: [], size: 100 })).total).toBe(0);
    });

    it.each(
      FILTER_CASES.map(
        (f) => [`${f.field} ${f.op} ${JSON.stringify((f as any).value ?? (f as any).values ?? '')}`, f] as const,
      ),
    )('filters: %s', async (_name, f) => {
      const expected = events.filter((e) => matches(e, f));
      expect(expected.length).toBeGreaterThan(0); // the case discriminates...
      expect(expected.length).toBeLessThan(events.length); // ...both ways
      const r = await store.search({ filters: [f], size: 100 });
      expect(ids(r.hits)).toEqual(ids(expected));
      expect(r.total).toBe(expected.length);
    });

    it('combines filters with scope and finds free text', async () => {
      const f: Filter[] = [
        { field: 'destination.port', op: 'in', values: [80, 514] },
        { field: 'network.bytes', op: 'range', gte: 1300 },
      ];
      const r = await store.search({ filters: f, orgIds: ['school-a'], size: 100 });
      expect(ids(r.hits)).toEqual(
        ids(events.filter((e) => f.every((x) => matches(e, x)) && e.organization?.id === 'school-a')),
      );
      const text = await store.search({ text: 'login failed', size: 100 });
      expect(ids(text.hits)).toEqual(ids(events.filter((e) => String(e.message ?? '').includes('login failed'))));
    });

    it('aggregates: terms, date histogram, cardinality, sum', async () => {
      const r = await store.search({
        size: 0,
        aggs: {
          orgs: { type: 'terms', field: 'organization.id' },
          ports: { type: 'terms', field: 'destination.port', size: 2 },
          hours: { type: 'date_histogram', intervalMs: HOUR },
          sources: { type: 'cardinality', field: 'source.ip' },
          bytes: { type: 'sum', field: 'network.bytes' },
        },
      });
      const count = (key: (e: EcsEvent) => string | number) => {
        const m = new Map<string | number, number>();
        for (const e of events) m.set(key(e), (m.get(key(e)) ?? 0) + 1);
        return [...m]
          .map(([k, c]) => ({ key: k, count: c }))
          .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1));
      };
      expect(r.aggs.orgs).toEqual({ buckets: count((e) => e.organization!.id) });
      expect(r.aggs.ports).toEqual({ buckets: count((e) => e.destination!.port!).slice(0, 2) });
      expect(r.aggs.hours).toEqual({
        buckets: count((e) => Math.floor(Date.parse(e['@timestamp']) / HOUR) * HOUR).sort(
          (a, b) => Number(a.key) - Number(b.key),
        ),
      });
      expect(r.aggs.sources).toEqual({ value: new Set(events.map((e) => e.source!.ip)).size });
      expect(r.aggs.bytes).toEqual({ value: events.reduce((s, e) => s + e.network!.bytes!, 0) });
      expect(r.hits).toEqual([]);
      expect(r.total).toBe(events.length);
    });

    it('sorts and pages', async () => {
      const byBytes = [...events].sort((a, b) => a.network!.bytes! - b.network!.bytes!);
      const page = await store.search({ sort: [{ field: 'network.bytes', order: 'asc' }], size: 7, offset: 7 });
      expect(page.hits.map((e) => e.event.id)).toEqual(byBytes.slice(7, 14).map((e) => e.event.id));
      expect(page.total).toBe(events.length);
      const newest = await store.search({ size: 3 });
      expect(newest.hits.map((e) => e.event.id)).toEqual(
        events
          .slice(-3)
          .reverse()
          .map((e) => e.event.id),
      );
    });

    it('sorts and aggregates analysed text by its whole value; missing values sort first ascending, last descending', async () => {
      const logs = events.filter((e) => e.message !== undefined);
      const byMessage = [...logs].sort((a, b) => (a.message! < b.message! ? -1 : 1)).map((e) => e.event.id);
      const asc = await store.search({
        datasets: ['syslog', 'network.flow'],
        sort: [{ field: 'message', order: 'asc' }],
        size: 100,
      });
      const flows = events.filter((e) => e.event.dataset === 'network.flow').length;
      expect(asc.hits.slice(0, flows).every((e) => e.message === undefined)).toBe(true);
      expect(asc.hits.slice(flows).map((e) => e.event.id)).toEqual(byMessage);
      const desc = await store.search({
        datasets: ['syslog', 'network.flow'],
        sort: [{ field: 'message', order: 'desc' }],
        size: logs.length,
        aggs: { messages: { type: 'terms', field: 'message', size: 3 } },
      });
      expect(desc.hits.map((e) => e.event.id)).toEqual([...byMessage].reverse());
      expect(desc.aggs.messages).toEqual({
        buckets: [...logs.map((e) => e.message!)]
          .sort()
          .slice(0, 3)
          .map((m) => ({ key: m, count: 1 })),
      });
    });

    it('matches nothing, and does not fail, on a value the field cannot hold', async () => {
      const total = async (f: Filter) => (await store.search({ filters: [f], size: 0 })).total;
      expect(await total({ field: 'source.ip', op: 'eq', value: 'not-an-address' })).toBe(0);
      expect(await total({ field: 'destination.port', op: 'eq', value: 'https' })).toBe(0);
      expect(await total({ field: 'source.ip', op: 'neq', value: 'not-an-address' })).toBe(events.length);
    });

    it('finds free text in names and addresses as case-insensitive substrings', async () => {
      for (const t of ['ALICE1', '10.2.1.', 'db8::7']) {
        const r = await store.search({ text: t, size: 100 });
        const lower = t.toLowerCase();
        expect([t, ids(r.hits)]).toEqual([
          t,
          ids(events.filter((e) => JSON.stringify(e).toLowerCase().includes(lower))),
        ]);
      }
    });

    it('tails only the datasets asked for', async () => {
      const r = await drain(store, null, 50);
      expect(r.events.length).toBe(events.length);
      const only = await store.tail(null, { datasets: ['syslog'] as Dataset[], limit: 100 });
      expect(ids(only.events)).toEqual(ids(events.filter((e) => e.event.dataset === 'syslog')));
    });
  });

  // Cases that change the store get a fresh one each.
  describe('writes', () => {
    let h: StoreHarness;
    let store: EventStore;
    beforeEach(async () => {
      h = makeHarness();
      store = await h.open();
      await store.init();
    });
    afterEach(async () => {
      await store.close();
      await h.cleanup();
    });
    it('stores an event written twice once (rewrite, and a duplicate within one batch)', async () => {
      await store.write(events.slice(0, 10));
      const again = await store.write(events.slice(0, 10).map((e) => structuredClone(e)));
      expect(again.written).toBe(10);
      await store.write([events[10], structuredClone(events[10])]);
      expect((await store.stats()).total).toBe(11);
      expect((await store.search({ size: 100 })).total).toBe(11);
    });

    it('updates a stored event by merging a partial document', async () => {
      const alert = alertEvent();
      await store.write([alert]);
      expect(
        await store.update(alert.event.id, 'alert', { edu: { alert: { status: 'acknowledged', assignee: 'li' } } }),
      ).toBe(true);
      const got = await store.get(alert.event.id, 'alert');
      expect(got?.edu).toEqual({ alert: { status: 'acknowledged', assignee: 'li', events: ['x', 'y'] } });
      expect(got?.rule).toEqual(alert.rule);
      expect(
        (await store.search({ filters: [{ field: 'edu.alert.status', op: 'eq', value: 'acknowledged' }] })).total,
      ).toBe(1);
      expect(await store.update('no-such-alert', 'alert', { edu: { alert: { status: 'closed' } } })).toBe(false);
    });

    it('tails in ingest order across restarts: no event missed or repeated, including events written while tailing', async () => {
      const first = events.slice(0, 15);
      await store.write(first);
      const a = await store.tail(null, { limit: 4 });
      expect(a.events.length).toBe(4);
      let cursor: TailCursor | null = JSON.parse(JSON.stringify(a.cursor));
      const seen = [...a.events];
      await store.close();

      // A new process resumes from the persisted cursor while a producer keeps writing.
      store = await h.open();
      for (let batch = 15; batch < events.length; batch += 5) {
        const r = await store.tail(cursor, { limit: 3 });
        cursor = JSON.parse(JSON.stringify(r.cursor));
        seen.push(...r.events);
        await store.write(events.slice(batch, batch + 5));
      }
      await store.close();
      store = await h.open();
      const rest = await drain(store, cursor, 6);
      seen.push(...rest.events);

      const seenIds = seen.map((e) => e.event.id);
      expect(new Set(seenIds).size).toBe(seenIds.length); // nothing twice
      expect([...seenIds].sort()).toEqual(ids(events)); // nothing missed
      const ingested = seen.map((e) => Date.parse(String(e.event.ingested)));
      expect(ingested).toEqual([...ingested].sort((x, y) => x - y)); // ingest order

      // Updating an event does not make it new again; a later write is delivered.
      await store.update(events[0].event.id, 'network.dns', { labels: { seen: 'yes' } });
      const later = alertEvent();
      await store.write([later]);
      const tail = await drain(store, rest.cursor, 10);
      expect(tail.events.map((e) => e.event.id)).toEqual([later.event.id]);
    });

    it('finds the end of the tail without reading it: from there only what is written later comes', async () => {
      await store.write(events.slice(0, 10));
      const end = JSON.parse(JSON.stringify(await store.tailEnd!()));
      expect(end.kind).toBe(store.kind);
      expect((await store.tail(end, { limit: 100 })).events).toEqual([]);
      const later = alertEvent();
      await store.write([later]);
      const after = await drain(store, end, 10);
      expect(after.events.map((e) => e.event.id)).toEqual([later.event.id]);
    });

    it('applies the retention setting, reads it back after a restart, and prunes older events', async () => {
      await store.init({ retentionDays: 200 });
      expect(await store.retentionDays()).toBe(200);
      await store.close();
      store = await h.open();
      expect(await store.retentionDays()).toBe(200);
      expect((await store.stats()).retentionDays).toBe(200);

      const old = {
        ...events[0],
        '@timestamp': new Date(Date.now() - 400 * DAY).toISOString(),
        event: { ...events[0].event, id: 'old-event' },
      } as EcsEvent;
      await store.write([old, events[1]]);
      expect((await store.stats()).total).toBe(2);
      await store.init({ retentionDays: 180 });
      expect(await store.retentionDays()).toBe(180);
      const left = await store.search({ size: 10 });
      expect(ids(left.hits)).toEqual([events[1].event.id]);
    });

    it('counts and date histograms over ranges that cut time buckets agree with the stored events, after rewrites, organisation changes and pruning', async () => {
      const stored = new Map<string, EcsEvent>();
      const put = async (batch: EcsEvent[]) => {
        await store.write(batch);
        for (const e of batch) if (!stored.has(e.event.id)) stored.set(e.event.id, e);
      };
      await put(events.slice(0, 30));
      await put([...events.slice(20, 40), ...events.slice(0, 5).map((e) => structuredClone(e))]);
      await put([alertEvent(), alertEvent(BASE + 2 * HOUR + 61_001)]);
      const MIN = 60_000;
      const ranges: [number | undefined, number | undefined][] = [
        [undefined, undefined],
        [BASE + 13 * MIN + 17, BASE + 3 * HOUR + 41 * MIN + 5],
        [BASE - HOUR, BASE + 5 * HOUR],
        [BASE + 7 * MIN + 1, BASE + 2 * HOUR],
        [BASE + HOUR, undefined],
        [undefined, BASE + 2 * HOUR + 61_001],
        [BASE + 30 * MIN + 1, BASE + 30 * MIN + 40_000],
      ];
      const scopes: { orgIds?: string[]; datasets?: Dataset[] }[] = [
        {},
        { orgIds: ['school-b'] },
        { orgIds: ['school-a', 'school-c'], datasets: ['network.dns', 'alert'] },
        { datasets: ['network.http'] },
      ];
      const check = async () => {
        for (const [from, to] of ranges)
          for (const scope of scopes)
            for (const interval of [MIN, 5 * MIN, 7 * MIN, 30 * MIN, HOUR]) {
              const inScope = [...stored.values()].filter((e) => {
                const t = Date.parse(e['@timestamp']);
                return (
                  (from === undefined || t >= from) &&
                  (to === undefined || t < to) &&
                  (!scope.orgIds || scope.orgIds.includes(e.organization?.id ?? '')) &&
                  (!scope.datasets || scope.datasets.includes(e.event.dataset))
                );
              });
              const hist = new Map<number, number>();
              for (const e of inScope) {
                const k = Math.floor(Date.parse(e['@timestamp']) / interval) * interval;
                hist.set(k, (hist.get(k) ?? 0) + 1);
              }
              const r = await store.search({
                ...scope,
                from,
                to,
                size: 0,
                aggs: { h: { type: 'date_histogram', field: '@timestamp', intervalMs: interval } },
              });
              const what = JSON.stringify({ from, to, scope, interval });
              expect([what, r.total]).toEqual([what, inScope.length]);
              expect([what, r.aggs.h]).toEqual([
                what,
                { buckets: [...hist].sort((a, b) => a[0] - b[0]).map(([key, count]) => ({ key, count })) },
              ]);
            }
      };
      await check();

      // Alert queries by rule (count and latest) and by status (no time range).
      const byRule = await store.search({
        datasets: ['alert'],
        from: BASE,
        to: BASE + 5 * HOUR,
        filters: [{ field: 'rule.id', op: 'eq', value: 'r-1' }],
        size: 1,
      });
      expect(byRule.total).toBe(2);
      expect(byRule.hits.map((e) => e['@timestamp'])).toEqual([new Date(BASE + 2 * HOUR + 61_001).toISOString()]);
      const open = await store.search({
        datasets: ['alert'],
        orgIds: ['school-a'],
        filters: [{ field: 'edu.alert.status', op: 'in', values: ['new', 'acknowledged'] }],
        size: 0,
        aggs: { org: { type: 'terms', field: 'organization.id' } },
      });
      expect(open.total).toBe(2);
      expect(open.aggs.org).toEqual({ buckets: [{ key: 'school-a', count: 2 }] });

      // An update that moves an event to another organisation moves its count too.
      const moved = events[12];
      expect(await store.update(moved.event.id, moved.event.dataset, { organization: { id: 'school-b' } })).toBe(true);
      stored.set(moved.event.id, { ...moved, organization: { id: 'school-b' } } as EcsEvent);
      await check();

      // Pruning removes old events from every count.
      const old = {
        ...events[0],
        '@timestamp': new Date(Date.now() - 400 * DAY).toISOString(),
        event: { ...events[0].event, id: 'old-event' },
      } as EcsEvent;
      await store.write([old]);
      expect((await store.search({ size: 0 })).total).toBe(stored.size + 1);
      await store.init({ retentionDays: 180 });
      await check();
      expect((await store.stats()).total).toBe(stored.size);
    });

    it('quarantines bad documents with the reason and stores the rest of the batch', async () => {
      const noMeta = { '@timestamp': events[0]['@timestamp'], message: 'no event.*' } as unknown as EcsEvent;
      const badDataset = {
        ...events[1],
        event: { ...events[1].event, id: 'bad-dataset', dataset: 'nope' },
      } as unknown as EcsEvent;
      const badTime = {
        ...events[2],
        '@timestamp': 'yesterday',
        event: { ...events[2].event, id: 'bad-time' },
      } as EcsEvent;
      const bad = [noMeta, badDataset, badTime, ...(h.engineRejects ? [h.engineRejects.event] : [])];
      const good = events.slice(3, 8);
      const r = await store.write([
        good[0],
        noMeta,
        good[1],
        badDataset,
        good[2],
        badTime,
        good[3],
        ...(h.engineRejects ? [h.engineRejects.event] : []),
        good[4],
      ]);
      expect(r.written).toBe(good.length);
      expect(r.failed).toBe(0);
      expect(r.quarantined.length).toBe(bad.length);
      const reasons = Object.fromEntries(r.quarantined.map((q) => [q.id, q.reason]));
      expect(reasons['']).toMatch(/event\.\* is missing/);
      expect(reasons['bad-dataset']).toMatch(/dataset "nope"/);
      expect(reasons['bad-time']).toMatch(/@timestamp "yesterday"/);
      if (h.engineRejects) expect(reasons[h.engineRejects.event.event.id]).toMatch(h.engineRejects.reasonMatches);
      expect(r.quarantined.find((q) => q.id === 'bad-time')?.event).toEqual(badTime);

      const stats = await store.stats();
      expect(stats.total).toBe(good.length);
      expect(stats.quarantined).toBe(bad.length);
      expect(ids((await store.search({ size: 100 })).hits)).toEqual(ids(good));
    });
  });
}
