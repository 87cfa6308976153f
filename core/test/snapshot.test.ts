/**
 * The store's snapshot on the real nodes: events into an `fs` repository under the node's
 * path.repo (deploy/opensearch/runner-node.sh sets it), restored as new indices beside the
 * originals with the same documents.
 */
import { randomBytes } from 'node:crypto';
import { ElasticStore } from '../src/store/elastic/store';
import { fixtureEvents } from './store-contract';

const nodes = [
  ['OpenSearch', 'EDUSENTRY_TEST_OPENSEARCH_URL'],
  ['Elasticsearch', 'EDUSENTRY_TEST_ELASTICSEARCH_URL'],
] as const;

async function pathRepo(url: string): Promise<string | undefined> {
  const r = (await (await fetch(`${url}/_nodes/settings?filter_path=nodes.*.settings.path.repo`)).json()) as any;
  const node = Object.values(r?.nodes ?? {})[0] as any;
  const repo = node?.settings?.path?.repo;
  return Array.isArray(repo) ? repo[0] : repo;
}

describe.each(nodes)('snapshot on the real %s node', (engine, envVar) => {
  const url = process.env[envVar];
  if (!url) {
    if (process.env.CI) it(`has a ${engine} node in CI`, () => expect(`${envVar} set`).toBe('set by run-all.sh'));
    else it.skip(`set ${envVar} to snapshot on ${engine}`, () => undefined);
    return;
  }
  jest.setTimeout(90_000);
  const run = `edutest-snap-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const stores: ElasticStore[] = [];
  afterAll(async () => {
    for (const s of stores) await s.destroy().then(() => s.close());
    await fetch(`${url}/_snapshot/${run}/${run}`, { method: 'DELETE' });
    await fetch(`${url}/_snapshot/${run}`, { method: 'DELETE' });
  });

  it('snapshots the event indices into an fs repository and restores them as new indices with the same events', async () => {
    const repo = await pathRepo(url);
    // A node started before path.repo was in runner-node.sh has none until its next start; CI starts fresh.
    if (!repo && !process.env.CI) return console.warn(`${engine} at ${url} has no path.repo: restart it to run this`);
    expect(repo).toBeTruthy();
    const store = new ElasticStore({ url, indexPrefix: `${run}-a`, refresh: true, requestTimeoutMs: 30_000 });
    stores.push(store);
    await store.init({ retentionDays: 3650 });
    const events = fixtureEvents();
    await store.write(events);
    const snap = await store.snapshot({ repository: run, location: `${repo}/${run}`, name: run });
    expect(snap.state).toBe('SUCCESS');
    expect(snap.indices.length).toBeGreaterThan(0);
    expect(snap.indices.every((i) => i.startsWith(`${run}-a-`))).toBe(true);

    const restored = await store.restoreSnapshot({ repository: run, name: run, targetPrefix: `${run}-b` });
    expect(restored).toEqual(snap.indices.map((i) => i.replace(`${run}-a-`, `${run}-b-`)).sort());
    // A store of the new prefix, so afterAll removes the restored indices too.
    const copy = new ElasticStore({ url, indexPrefix: `${run}-b`, refresh: true, requestTimeoutMs: 30_000 });
    stores.push(copy);
    await fetch(`${url}/${run}-b-*/_refresh`, { method: 'POST' });
    const count = async (prefix: string) =>
      ((await (await fetch(`${url}/${prefix}-*/_count`)).json()) as { count: number }).count;
    expect(await count(`${run}-b`)).toBe(await count(`${run}-a`));
    const total = (await store.stats()).total;
    expect(total).toBeGreaterThan(0);
    expect(await count(`${run}-b`)).toBeGreaterThanOrEqual(total);
  });
});
