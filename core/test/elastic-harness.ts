/** Runs the store contract against a real Elasticsearch/OpenSearch node named by an environment variable. */
import { randomBytes } from 'node:crypto';
import { ElasticStore } from '../src/store/elastic/store';
import type { EcsEvent } from '../src/schema/ecs';
import { alertEvent, fixtureEvents, storeContract } from './store-contract';

/** Unique per test run, so runs against the same node never see each other's indices. */
const RUN = `edutest-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
let n = 0;

export function elasticContract(engine: string, envVar: string): void {
  const url = process.env[envVar];
  if (!url) {
    if (process.env.CI) {
      it(`has a real ${engine} node to test against in CI`, () => {
        throw new Error(
          `${envVar} is not set: CI must start the node (deploy/${engine.toLowerCase()}/node.sh start) and export its URL`,
        );
      });
    } else {
      it.skip(`${engine} contract (set ${envVar} to run it against a real node)`, () => undefined);
    }
    return;
  }
  jest.setTimeout(60_000);
  describe(`${engine} store at ${url} meets the EventStore contract`, () => {
    storeContract(() => {
      const indexPrefix = `${RUN}-${++n}`;
      // Tests make writes searchable before returning and take the tail without a lag,
      // so they assert on behaviour, not on timing.
      const open = async () => {
        const s = new ElasticStore({ url, indexPrefix, refresh: true, tailLagMs: 0, requestTimeoutMs: 20_000 });
        await s.ping();
        return s;
      };
      const bad = { ...fixtureEvents()[4], source: { ip: 'not-an-ip' } } as EcsEvent;
      bad.event = { ...bad.event, id: 'bad-ip' };
      return {
        open,
        cleanup: async () => {
          const s = await open();
          await s.destroy();
          await s.close();
        },
        engineRejects: { event: bad, reasonMatches: /source\.ip.*not-an-ip/ },
      };
    });
  });

  describe(`${engine} store specifics`, () => {
    const indexPrefix = `${RUN}-${++n}`;
    let store: ElasticStore;
    const events = fixtureEvents();
    const http = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(`${url}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: r.status, body: (await r.json()) as any };
    };
    beforeAll(async () => {
      store = new ElasticStore({ url, indexPrefix, refresh: true, tailLagMs: 0 });
      await store.init();
      await store.write(events);
    });
    afterAll(async () => {
      await store.destroy();
      await store.close();
    });

    it('keeps each family in time-bucketed indices behind a read alias, with explicit mappings', async () => {
      const flow = events.find((e) => e.event.dataset === 'network.flow')!;
      const r = await http('GET', `/${indexPrefix}-flow/_mapping`);
      expect(Object.keys(r.body)).toEqual([store.indexFor(flow)]);
      expect(store.indexFor(flow)).toMatch(new RegExp(`^${indexPrefix}-flow-\\d{4}\\.\\d{2}\\.\\d{2}$`));
      const props = r.body[store.indexFor(flow)].mappings.properties;
      expect(props['@timestamp'].type).toBe('date');
      expect(props.source.properties.ip.type).toBe('ip');
      expect(props.network.properties.bytes.type).toBe('long');
      expect(props.event.properties.ingested.type).toBe('date');
      expect(props.organization.properties.id.type).toBe('keyword');
      expect(props.tags.type).toBe('keyword');
      // A string field nobody declared becomes a keyword, not analysed text or a guessed date.
      await store.write([{ ...flow, event: { ...flow.event, id: 'with-extra' }, edu: { note: '2024-01-01' } }]);
      const after = await http('GET', `/${indexPrefix}-flow/_mapping`);
      expect(after.body[store.indexFor(flow)].mappings.properties.edu.properties.note.type).toBe('keyword');
    });

    it('sets up templates and the ingest pipeline itself when written to before store init', async () => {
      const prefix = `${RUN}-${++n}`;
      const fresh = new ElasticStore({ url, indexPrefix: prefix, refresh: true, tailLagMs: 0 });
      try {
        const flow = events.find((e) => e.event.dataset === 'network.flow')!;
        expect((await fresh.write([flow])).written).toBe(1);
        const mapping = await http('GET', `/${fresh.indexFor(flow)}/_mapping`);
        expect(mapping.body[fresh.indexFor(flow)].mappings.properties.source.properties.ip.type).toBe('ip');
        const t = await fresh.tail(null);
        expect(t.events.map((e) => e.event.id)).toEqual([flow.event.id]);
        expect(Number.isNaN(Date.parse(String(t.events[0].event.ingested)))).toBe(false);
      } finally {
        await fresh.destroy();
        await fresh.close();
      }
    });

    it('without refresh on write (production): reads back and updates what was just written, and an update is searchable at once', async () => {
      const prefix = `${RUN}-${++n}`;
      const live = new ElasticStore({ url, indexPrefix: prefix, tailLagMs: 1500 });
      try {
        await live.init();
        const alert = alertEvent();
        expect((await live.write([alert])).written).toBe(1);
        expect(await live.update(alert.event.id, 'alert', { edu: { alert: { status: 'acknowledged' } } })).toBe(true);
        expect(((await live.get(alert.event.id, 'alert')) as any).edu.alert.status).toBe('acknowledged');
        const open = await live.search({
          datasets: ['alert'],
          filters: [{ field: 'edu.alert.status', op: 'eq', value: 'new' }],
        });
        expect(open.total).toBe(0);
        // The lag (1.5 s, which date math can only say in whole seconds) is accepted by the engine, from the
        // start and from a cursor; the alert comes at most once, whenever it is old enough.
        const first = await live.tail(null);
        const next = await live.tail(JSON.parse(JSON.stringify(first.cursor)));
        const got = [...first.events, ...next.events].map((e) => e.event.id);
        expect(got.length).toBeLessThanOrEqual(1);
        expect(got.filter((id) => id !== alert.event.id)).toEqual([]);
      } finally {
        await live.destroy();
        await live.close();
      }
    });

    it('tail delivers, once, an event that became searchable after the cursor passed its ingest time', async () => {
      const first = await store.tail(null, { limit: 1000 });
      expect(first.events.length).toBeGreaterThan(0);
      const cursor = JSON.parse(JSON.stringify(first.cursor));
      expect((await store.tail(cursor)).events).toEqual([]);
      // Written as a slow bulk would land: ingested (kept by the pipeline) just before the cursor.
      const late = {
        ...events[0],
        event: { ...events[0].event, id: 'late-1', ingested: new Date((cursor.ts as number) - 300).toISOString() },
      };
      const put = await http('PUT', `/${store.indexFor(late)}/_create/late-1?refresh=true`, late);
      expect(put.status).toBe(201);
      const next = await store.tail(cursor);
      expect(next.events.map((e) => e.event.id)).toEqual(['late-1']);
      expect((await store.tail(JSON.parse(JSON.stringify(next.cursor)))).events).toEqual([]);
    });
  });
}
