/**
 * Findings become alerts through the analyzer's own path (rules/sigma/sites on site.check events in
 * the embedded store): rule names, ATT&CK and GB/T 20986 tags, attribution to the school, one alert
 * per new finding (not per check), the down alert raised on the state change and marked recovered.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { AnalyzerService, analyzerConfigSchema } from '@edusentry/analyzer';
import { createLogger, openStore, storeConfigSchema, type AlertEvent, type EventStore } from '@edusentry/core';
import { sigmaDir } from '@edusentry/rules';
import { storeWriter, SITE_RULES } from '../src';
import { html } from './helpers/site-server';
import { startWorld, type World } from './helpers/world';

let w: World;
let store: EventStore;
let dir: string;
const log = createLogger('test', 'silent');

beforeAll(async () => {
  w = await startWorld();
  dir = mkdtempSync(join(w.dir, 'alerts-'));
  store = await openStore(storeConfigSchema.parse({}), dir);
  await store.init();
}, 60_000);
afterAll(async () => {
  await store.close();
  await w.close();
});

test('defacement, dark link and a lying resolver each raise one alert; down raises one and its recovery is recorded', async () => {
  const page = '<html><head><title>一中</title></head><body><p>欢迎</p><p>新闻</p></body></html>';
  w.web.route('deface.test', '/', html(page));
  w.web.route('hijack.test', '/', html(page));
  w.web.route('dark.test', '/', html(page));
  let upDown = true;
  w.web.route('normal.test', '/', (q, res) => (upDown ? html(page)(q, res) : void res.socket?.destroy()));
  const monitor = w.monitor({ flapThreshold: 1, retries: 0 }, { dataDir: dir });
  const sites = [
    w.site('s-def', w.http('deface.test')),
    w.site('s-hij', w.http('hijack.test')),
    w.site('s-dark', w.http('dark.test')),
    w.site('s-up', w.http('normal.test'), { orgId: 'school-2' }),
  ];
  const write = storeWriter(store, log);
  const announced: AlertEvent[] = [];
  const analyzer = new AnalyzerService({
    store,
    config: analyzerConfigSchema.parse({ watchRules: false }),
    dataDir: dir,
    log,
    rules: [join(sigmaDir, 'sites')],
    onAlert: (a) => announced.push(a),
  });
  const round = async () => {
    for (const s of sites) await write((await monitor.runSite(s)).events);
    monitor.saveState();
    while ((await analyzer.runOnce()) > 0);
  };
  await round(); // baselines; the lying resolver is already seen
  w.web.route(
    'deface.test',
    '/',
    html('<html><head><title>Hacked by X</title></head><body><h1>Hacked by X</h1></body></html>'),
  );
  w.web.route(
    'dark.test',
    '/',
    html(page.replace('</body>', '<div style="display:none"><a href="http://bet.example/">博彩</a></div></body>')),
  );
  upDown = false;
  await round();
  await round(); // the same findings again: no new alerts
  const byRule = (id: string) => announced.filter((a) => a.rule.id === id);
  expect(announced.map((a) => a.rule.name).sort()).toEqual([
    'Dark Link On Key Site (暗链)',
    'Key Site DNS Answer Mismatch (域名劫持)',
    'Key Site Defaced (网页篡改)',
    'Key Site Down (网站不可用)',
    'Sensitive Content On Key Site (敏感内容)', // 博彩 is on both lists
  ]);
  const defaced = byRule(SITE_RULES.defaced)[0];
  expect(defaced).toMatchObject({
    organization: { id: 'school-1' },
    destination: { domain: 'deface.test' },
    threat: { technique: { id: ['T1491.002'] } },
    event: { severity: 99 },
  });
  const down = byRule(SITE_RULES.down)[0];
  expect(down).toMatchObject({ organization: { id: 'school-2' }, destination: { domain: 'normal.test' } });
  // Recovery: the down alert is marked recovered (once).
  upDown = true;
  await round();
  const stored = await store.get(down.event.id, 'alert');
  expect((stored!.edu as { alert: { recovered_at?: string } }).alert.recovered_at).toMatch(/^\d{4}-/);
  expect(byRule(SITE_RULES.down)).toHaveLength(1);
}, 60_000);
