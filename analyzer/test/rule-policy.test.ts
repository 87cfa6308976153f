/**
 * The rule policy reaches a running analyzer (its loop started, polling the real embedded store)
 * through the policy folder alone, as from a console in another process: a rule switched off
 * alerts no more, a severity override rewrites the alert, an exception suppresses until it
 * expires, an uploaded rule fires, and a corrupt policy file keeps the policy in force.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createLogger,
  openStore,
  storeConfigSchema,
  type AlertEvent,
  type EcsEvent,
  type EventStore,
} from '@edusentry/core';
import {
  AnalyzerService,
  analyzerConfigSchema,
  EMPTY_POLICY,
  openRuleSet,
  PolicyFilter,
  policyDirOf,
  readCatalogue,
  writePolicy,
  writeUploadedFile,
  type RulePolicyDoc,
} from '../src';

const PROBE = '55555555-0000-4000-8000-000000000001';
const UPLOADED = '55555555-0000-4000-8000-000000000009';
const RULES = `title: Admin panel probe
id: ${PROBE}
logsource: { category: webserver }
detection:
  sel: { cs-uri-stem|startswith: /admin }
  condition: sel
level: medium
`;
const UPLOAD = `title: Shell upload probe
id: ${UPLOADED}
logsource: { category: webserver }
detection:
  sel: { cs-uri-stem|endswith: /shell.php }
  condition: sel
level: high
`;

let seq = 0;
function web(path: string, ip = '198.51.100.7', org = 'school-7'): EcsEvent {
  seq++;
  return {
    '@timestamp': new Date(Date.UTC(2026, 0, 1, 8, 0, seq)).toISOString(),
    event: { id: `pol-${seq}`, kind: 'event', dataset: 'syslog' },
    url: { original: path, path },
    source: { ip },
    destination: { ip: '10.7.0.80' },
    organization: { id: org },
  } as EcsEvent;
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('rule policy in a running analyzer', () => {
  let dir: string;
  let store: EventStore;
  let service: AnalyzerService;
  const announced: AlertEvent[] = [];
  const clock = { now: Date.parse('2026-06-01T00:00:00Z') };
  const warnings: string[] = [];
  const log = createLogger('test', 'silent');
  const origWarn = log.warn.bind(log);
  log.warn = ((obj: unknown, msg?: string) => {
    warnings.push(String(msg ?? obj));
    return origWarn(obj as object, msg);
  }) as typeof log.warn;
  let doc: RulePolicyDoc = EMPTY_POLICY;
  const policy = (change: Partial<RulePolicyDoc>) => {
    doc = { ...doc, ...change, version: doc.version + 1, updatedBy: 'sec.admin', updatedAt: new Date().toISOString() };
    writePolicy(policyDirOf(dir), doc);
  };
  /** Writes events and waits until the running service has read them. */
  const send = async (...events: EcsEvent[]) => {
    const before = service.stats.events;
    await store.write(events);
    await until('the batch', () => service.stats.events >= before + events.length);
  };
  const applied = (v: number) => until(`policy version ${v}`, () => service.stats.policyVersion === v);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'analyzer-policy-'));
    writeFileSync(join(dir, 'rules.yml'), RULES);
    store = await openStore(storeConfigSchema.parse({}), dir);
    await store.init();
    service = new AnalyzerService({
      store,
      config: analyzerConfigSchema.parse({ watchRules: false, pollMs: 20, dedup: { windowSec: 0 } }),
      dataDir: dir,
      log,
      rules: [join(dir, 'rules.yml')],
      onAlert: (a) => announced.push(a),
      now: () => clock.now,
    });
    service.start();
  });
  afterAll(async () => {
    await service.stop();
    await store.close();
  });

  it('publishes what it runs under which policy version', () => {
    const cat = readCatalogue(policyDirOf(dir))!;
    expect(cat.policyVersion).toBe(0);
    expect(cat.rules.map((r) => [r.id, r.state, r.uploaded])).toEqual([[PROBE, 'active', false]]);
  });

  it('a rule switched off alerts no more; switched on with a severity override it alerts at that severity', async () => {
    await send(web('/admin/a'));
    expect(announced).toHaveLength(1);
    expect(announced[0].event.severity).toBe(47);

    policy({ rules: { [PROBE]: { enabled: false } } });
    await applied(1);
    await send(web('/admin/b'), web('/admin/c'));
    expect(announced).toHaveLength(1);
    expect(service.stats.disabled).toBe(2);
    expect(readCatalogue(policyDirOf(dir))!.policyVersion).toBe(1);

    policy({ rules: { [PROBE]: { enabled: true, level: 'critical' } } });
    await applied(2);
    await send(web('/admin/d'));
    expect(announced).toHaveLength(2);
    expect(announced[1].rule.level).toBe('critical');
    expect(announced[1].event.severity).toBe(99);
    const stored = (await store.get(announced[1].event.id, 'alert')) as unknown as AlertEvent;
    expect(stored.event.severity).toBe(99);
  });

  it('an exception suppresses matching alerts until it expires, then they alert again', async () => {
    policy({
      rules: {},
      exceptions: [
        {
          id: 'exc-1',
          ruleId: PROBE,
          source: '198.51.100.0/28',
          expiresAt: new Date(clock.now + 60_000).toISOString(),
          reason: 'the school’s own vulnerability scanner',
          createdBy: 'sec.admin',
          createdAt: new Date(clock.now).toISOString(),
        },
      ],
    });
    await applied(3);
    const n = announced.length;
    await send(web('/admin/e', '198.51.100.7'), web('/admin/f', '198.51.100.99'));
    expect(announced.slice(n).map((a) => a.source?.ip)).toEqual(['198.51.100.99']);
    expect(service.stats.excepted).toBe(1);

    // The console learns how many alerts the exception hid.
    await until('the drop counts', () => readCatalogue(policyDirOf(dir))?.drops?.exceptions['exc-1'] === 1);
    expect(readCatalogue(policyDirOf(dir))!.drops!.rules[PROBE]).toBe(2);

    clock.now += 61_000; // expired: no new policy version needed
    await send(web('/admin/g', '198.51.100.7'));
    expect(announced.slice(n).map((a) => a.source?.ip)).toEqual(['198.51.100.99', '198.51.100.7']);
  });

  it('an uploaded rule file is loaded and fires without a restart', async () => {
    writeUploadedFile(policyDirOf(dir), `uploaded/${UPLOADED}.yml`, UPLOAD);
    policy({
      exceptions: [],
      uploaded: [
        {
          id: UPLOADED,
          file: `uploaded/${UPLOADED}.yml`,
          sha256: 'x',
          ruleIds: [UPLOADED],
          titles: ['Shell upload probe'],
          uploadedBy: 'sec.admin',
          uploadedAt: new Date().toISOString(),
        },
      ],
    });
    await applied(4);
    const n = announced.length;
    await send(web('/upload/shell.php'));
    expect(announced.slice(n).map((a) => a.rule.id)).toEqual([UPLOADED]);
    const cat = readCatalogue(policyDirOf(dir))!;
    expect(cat.policyVersion).toBe(4);
    expect(cat.rules.find((r) => r.id === UPLOADED)).toMatchObject({ uploaded: true, state: 'active', level: 'high' });
  });

  it('a corrupt policy file is reported once and the policy in force holds', async () => {
    writeFileSync(join(policyDirOf(dir), 'policy.json'), '{"version": 5, "rules": {');
    const n = announced.length;
    await send(web('/upload/shell.php'));
    await send(web('/upload/shell.php'));
    expect(announced.slice(n).map((a) => a.rule.id)).toEqual([UPLOADED, UPLOADED]);
    expect(service.stats.policyVersion).toBe(4);
    expect(warnings.filter((w) => w.startsWith('rule policy unreadable'))).toHaveLength(1);
    policy({});
    await applied(5);
  });
});

describe('PolicyFilter', () => {
  const alert = (over: { ruleset?: string; org?: string; src?: string } = {}) =>
    ({
      '@timestamp': '2026-01-01T00:00:00Z',
      event: { id: 'a', kind: 'alert', dataset: 'alert', severity: 47 },
      rule: { id: 'r1', name: 'r', ruleset: over.ruleset ?? 'sigma', level: 'medium' },
      source: { ip: over.src ?? '10.1.2.3' },
      organization: { id: over.org ?? 's1' },
      edu: { alert: { status: 'new', events: [] } },
    }) as unknown as AlertEvent;
  const exception = (over: Record<string, unknown>) => ({
    id: 'e',
    ruleId: 'r1',
    expiresAt: '2030-01-01T00:00:00Z',
    reason: 'x',
    createdBy: 'x',
    createdAt: 'x',
    ...over,
  });
  const filter = (...exceptions: ReturnType<typeof exception>[]) => new PolicyFilter({ ...EMPTY_POLICY, exceptions });
  const now = Date.parse('2026-01-01T00:00:00Z');
  const event = { url: { full: 'http://portal.example.edu.cn/wp-login.php?x=1' } };

  it('matches a URL pattern case-insensitively on the triggering event, never on a correlation', () => {
    const f = filter(exception({ url: '*/WP-LOGIN.php*' }));
    expect(f.apply(alert(), event, now)).toBe('excepted');
    expect(f.apply(alert(), { url: { full: 'http://portal.example.edu.cn/index.php' } }, now)).toBe('keep');
    expect(f.apply(alert({ ruleset: 'sigma-correlation' }), event, now)).toBe('keep');
  });

  it('requires every condition, and an organisation exception covers the subtree it was given', () => {
    const f = filter(exception({ orgId: 'c1', orgIds: ['c1', 's1', 's2'], source: '10.1.0.0/16' }));
    expect(f.apply(alert({ org: 's2' }), {}, now)).toBe('excepted');
    expect(f.apply(alert({ org: 's3' }), {}, now)).toBe('keep');
    expect(f.apply(alert({ org: 's1', src: '10.2.0.1' }), {}, now)).toBe('keep');
  });

  it('skips an entry it cannot compile and keeps the others', () => {
    const f = filter(exception({ id: 'bad', source: '10.1.0.0/99' }), exception({ id: 'good', source: '10.1.2.3' }));
    expect(f.problems.map((p) => p.exception)).toEqual(['bad']);
    expect(f.apply(alert(), {}, now)).toBe('excepted');
  });
});

describe('loading rule files', () => {
  it('rejects a file the parser cannot walk (an alias containing itself) and loads the others', () => {
    const d = mkdtempSync(join(tmpdir(), 'analyzer-load-'));
    writeFileSync(join(d, 'a.yml'), RULES);
    writeFileSync(join(d, 'b.yml'), 'a: &a [*a]\n');
    const set = openRuleSet(analyzerConfigSchema.parse({}), [d]);
    expect(set.rules.map((r) => r.rule.meta.id)).toEqual([PROBE]);
    expect(set.problems.map((p) => [p.file, p.line])).toEqual([[join(d, 'b.yml'), 0]]);
    expect(set.problems[0].message).toMatch(/^cannot read the file/);
  });
});
