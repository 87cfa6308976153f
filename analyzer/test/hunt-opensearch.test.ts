/**
 * Retro-hunt on a real OpenSearch node through the Elasticsearch EventStore: converted DSL
 * queries select candidates (relaxed to a superset when the engine rejects the exact query)
 * and the in-process evaluation keeps the result exact. Skipped without
 * EDUSENTRY_TEST_OPENSEARCH_URL, failed when `CI` is set.
 */
import { openStore, storeConfigSchema, type AlertEvent, type EcsEvent } from '@edusentry/core';
import { requires } from '@edusentry/core/testing';
import { analyzerConfigSchema, hunt, openRuleSet } from '../src';

const URL_ = process.env.EDUSENTRY_TEST_OPENSEARCH_URL;
const maybe = requires(URL_ ? undefined : 'EDUSENTRY_TEST_OPENSEARCH_URL is not set').describe;

maybe('sigma hunt on OpenSearch', () => {
  jest.setTimeout(120_000);
  const cfg = storeConfigSchema.parse({
    kind: 'elasticsearch',
    url: URL_ ?? 'http://127.0.0.1:9201',
    indexPrefix: `hunttest${process.pid}`,
  });
  afterAll(async () => {
    await fetch(`${cfg.url}/${cfg.indexPrefix}-*`, { method: 'DELETE' });
  });

  it('finds the attacks in the time range, and only those', async () => {
    const store = await openStore(cfg, '/tmp');
    await store.init();
    const now = Date.now();
    const ev = (id: string, ago: number, path: string) =>
      ({
        '@timestamp': new Date(now - ago).toISOString(),
        event: { id, kind: 'event', dataset: 'syslog' },
        url: { original: path, path },
        http: { request: { method: 'GET' } },
        source: { ip: '198.51.100.1' },
      }) as EcsEvent;
    const w = await store.write([
      ev('in', 3600e3, "/x.php?id=1' UNION SELECT 1,2--"),
      ev('benign', 3600e3, '/index.html'),
      ev('old', 3 * 86400e3, "/x.php?id=1' UNION SELECT 1,2--"),
    ]);
    await (store as unknown as { refresh(): Promise<void> }).refresh();
    const alerts: AlertEvent[] = [];
    const res = await hunt({
      store,
      storeConfig: cfg,
      set: openRuleSet(analyzerConfigSchema.parse({})),
      fromMs: now - 86400e3,
      toMs: now,
      placeholders: {},
      onAlert: (a) => alerts.push(a),
    });
    await store.close();
    expect(w.written).toBe(3);
    expect(res.unconverted).toEqual([]);
    expect([...new Set(alerts.flatMap((a) => a.edu.alert.events))]).toEqual(['in']);
    expect(alerts.map((a) => a.rule.name)).toContain('SQL Injection In Web Request');
  });
});
