/**
 * Retention proven on the real nodes: a 1-day retention, an event three days old in its own
 * date-named index, and the daily job removes that index and keeps today's. The mechanism the
 * job reports is checked against the engine itself (no lifecycle plugin → the prune job).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ElasticStore } from '../src/store/elastic/store';
import { EmbeddedStore } from '../src/store/embedded/store';
import { RetentionJob } from '../src/store/retention';
import type { EcsEvent } from '../src/schema/ecs';
import { fixtureEvents } from './store-contract';

const DAY = 86_400_000;

function aged(e: EcsEvent, days: number, id: string): EcsEvent {
  return { ...e, '@timestamp': new Date(Date.now() - days * DAY).toISOString(), event: { ...e.event, id } } as EcsEvent;
}

const nodes = [
  ['OpenSearch', 'EDUSENTRY_TEST_OPENSEARCH_URL', '/_plugins/_ism/policies'],
  ['Elasticsearch', 'EDUSENTRY_TEST_ELASTICSEARCH_URL', '/_ilm/status'],
] as const;

describe.each(nodes)('retention on the real %s node', (engine, envVar, lifecycleProbe) => {
  const url = process.env[envVar];
  if (!url) {
    if (process.env.CI) it(`has a ${engine} node in CI`, () => expect(`${envVar} set`).toBe('set by run-all.sh'));
    else it.skip(`set ${envVar} to prove retention on ${engine}`, () => undefined);
    return;
  }
  jest.setTimeout(60_000);
  const indexPrefix = `edutest-ret-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  let store: ElasticStore;
  afterAll(async () => {
    await store?.destroy();
    await store?.close();
  });

  it('removes the date-named index past retention and says which mechanism is in force', async () => {
    store = new ElasticStore({ url, indexPrefix, refresh: true, requestTimeoutMs: 20_000 });
    await store.init({ retentionDays: 1 });
    const [a, b] = fixtureEvents();
    await store.write([aged(a, 3, 'ret-old'), aged(b, 0, 'ret-new')]);
    const indices = async () =>
      ((await (await fetch(`${url}/_cat/indices/${indexPrefix}-*?format=json&h=index`)).json()) as { index: string }[])
        .map((i) => i.index)
        .filter((i) => /\d{4}\.\d{2}\.\d{2}$/.test(i))
        .sort();
    const oldDay = new Date(Date.now() - 3 * DAY).toISOString().slice(0, 10).replace(/-/g, '.');
    const before = await indices();
    expect(before.some((i) => i.endsWith(oldDay))).toBe(true);

    const dir = mkdtempSync(join(tmpdir(), 'edusentry-retention-'));
    const run = await new RetentionJob(store, { statusFile: join(dir, 'retention.json') }).runOnce();
    const hasLifecycle = (await fetch(`${url}${lifecycleProbe}`)).status === 200;
    expect(run.mechanism).toBe(hasLifecycle ? (engine === 'OpenSearch' ? 'ism' : 'ilm') : 'prune-job');
    expect(run.retentionDays).toBe(1);
    expect(run.removed).toBeGreaterThanOrEqual(1);
    const after = await indices();
    expect(after.some((i) => i.endsWith(oldDay))).toBe(false);
    expect(after.length).toBeGreaterThan(0);
    expect((await store.search({ size: 10 })).hits.map((h) => h.event.id)).toEqual(['ret-new']);
    expect(JSON.parse(readFileSync(join(dir, 'retention.json'), 'utf8'))).toEqual(run);
  });
});

describe('retention on the embedded store', () => {
  it('the daily job deletes the rows past retention, as the prune job', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edusentry-retention-'));
    const store = new EmbeddedStore({ path: dir });
    await store.init({ retentionDays: 1 });
    const [a, b] = fixtureEvents();
    await store.write([aged(a, 3, 'ret-old'), aged(b, 0, 'ret-new')]);
    // A later run (the clock moved on three days) removes what is now past retention.
    const run = await new RetentionJob(store, { now: () => Date.now() + 3 * DAY }).runOnce();
    expect(run).toMatchObject({ mechanism: 'prune-job', retentionDays: 1, removed: 2 });
    expect((await store.stats()).total).toBe(0);
    await store.close();
  });
});
