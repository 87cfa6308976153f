/**
 * The security administrator's rules and policies, end to end: the console's API on one side,
 * a running analyzer service on the other (its loop started, tailing the same real store),
 * sharing nothing but the store and the rule policy folder. A rule switched off stops alerting,
 * a severity override shows on new alerts, an exception suppresses until it expires, an uploaded
 * file is checked by the analyzer's engine and then fires; every change is in the audit trail;
 * nobody but the security administrator can do any of it, and one below the root only for their
 * subtree.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, type AlertEvent, type EcsEvent } from '@edusentry/core';
import { AnalyzerService, analyzerConfigSchema, policyDirOf, readPolicy, writePolicy } from '@edusentry/analyzer';
import type { InjectOptions } from 'fastify';
import { ROLES } from '../src/auth/roles';
import { harness, T0, userName, type Harness, type Session } from './helpers';

const PROBE = '66666666-0000-4000-8000-000000000001';
const SHIPPED_LIKE = '66666666-0000-4000-8000-000000000002';
const RULES = `title: Admin panel probe
id: ${PROBE}
logsource: { category: webserver }
detection:
  sel: { cs-uri-stem|startswith: /admin }
  condition: sel
level: medium
---
title: Backup file probe
id: ${SHIPPED_LIKE}
logsource: { category: webserver }
detection:
  sel: { cs-uri-stem|endswith: .bak }
  condition: sel
level: low
`;
const UPLOAD_ID = '66666666-0000-4000-8000-0000000000aa';
const UPLOAD = `title: Web shell request
id: ${UPLOAD_ID}
logsource: { category: webserver }
detection:
  sel: { cs-uri-stem|endswith: /cmd.jsp }
  condition: sel
level: critical
`;

let h: Harness;
let analyzer: AnalyzerService;
let p1: Session;
let s1: Session;
const alerts: AlertEvent[] = [];
let seq = 0;

function web(path: string, org = 's1', ip = '10.1.5.5'): EcsEvent {
  seq++;
  return {
    '@timestamp': new Date(T0 - 3_600_000 + seq * 1000).toISOString(),
    event: { id: `rules-${seq}`, kind: 'event', dataset: 'syslog' },
    url: { original: path, path },
    source: { ip },
    destination: { ip: '10.1.0.80' },
    organization: { id: org },
  } as EcsEvent;
}

async function until(what: string, ok: () => boolean | Promise<boolean>): Promise<void> {
  const end = Date.now() + 10_000;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Writes events and waits until the running analyzer has evaluated them; answers the new alerts. */
async function send(...events: EcsEvent[]): Promise<AlertEvent[]> {
  const n = alerts.length;
  const before = analyzer.stats.events;
  await h.store.write(events);
  await until('the analyzer batch', () => analyzer.stats.events >= before + events.length);
  return alerts.slice(n);
}

/** A rule as GET /api/rules lists it once its hit count is `hits` (a search engine sees new alerts within a refresh). */
async function listedWith(s: Session, id: string, hits: number): Promise<Record<string, unknown>> {
  let rule: Record<string, unknown> | undefined;
  await until(`${id} with ${hits} hits`, async () => {
    rule = (await call(s, 'GET', '/api/rules')).json().items.find((r: { id: string }) => r.id === id);
    return rule?.hits === hits;
  });
  return rule!;
}

/** Waits until the analyzer applies the policy version a change answered. */
const applied = (version: number) => until(`policy version ${version}`, () => analyzer.stats.policyVersion === version);

const call = (s: Session, method: InjectOptions['method'], url: string, payload?: object) =>
  h.req(s, { method, url, ...(payload ? { payload } : {}) });

beforeAll(async () => {
  h = await harness();
  writeFileSync(join(h.dir, 'rules.yml'), RULES);
  analyzer = new AnalyzerService({
    store: h.app.ctx.store,
    config: analyzerConfigSchema.parse({ watchRules: false, pollMs: 20, dedup: { windowSec: 0 } }),
    dataDir: h.dir,
    log: createLogger('test', 'silent'),
    rules: [join(h.dir, 'rules.yml')],
    onAlert: (a) => alerts.push(a),
    now: () => h.clock.now,
  });
  analyzer.start();
  p1 = await h.login(userName('sec_admin', 'p1'));
  s1 = await h.login(userName('sec_admin', 's1'));
});
afterAll(async () => {
  await analyzer.stop();
  await h.close();
});

describe('rules and policies', () => {
  it('lists the rules the analyzer runs with their state and the hits of the caller’s subtree', async () => {
    expect(await send(web('/admin/x', 's1'), web('/admin/y', 's3', '10.3.5.5'))).toHaveLength(2);
    expect((await call(p1, 'GET', '/api/rules')).json().analyzer.policyVersion).toBe(0);
    expect(await listedWith(p1, PROBE, 2)).toMatchObject({
      title: 'Admin panel probe',
      state: 'active',
      enabled: true,
      level: 'medium',
    });
    // The school's administrator counts the school's alert only (and never sees the other's).
    await listedWith(s1, PROBE, 1);
  });

  it('a rule switched off alerts no more, and on again with a severity of this installation', async () => {
    const off = await call(p1, 'PATCH', `/api/rules/${PROBE}`, { enabled: false });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ enabled: false, level: null });
    await applied(off.json().policyVersion);
    expect(await send(web('/admin/a'), web('/admin/b'))).toEqual([]);
    expect(analyzer.stats.disabled).toBe(2);
    const listed = (await call(p1, 'GET', '/api/rules')).json();
    expect(listed.items.find((r: { id: string }) => r.id === PROBE).enabled).toBe(false);
    expect(listed.analyzer.policyVersion).toBe(off.json().policyVersion);

    const on = await call(p1, 'PATCH', `/api/rules/${PROBE}`, { enabled: true, level: 'high' });
    await applied(on.json().policyVersion);
    const [a] = await send(web('/admin/c'));
    expect(a.rule.level).toBe('high');
    expect(a.event.severity).toBe(73);
    const back = await call(p1, 'PATCH', `/api/rules/${PROBE}`, { level: null });
    expect(back.json()).toMatchObject({ enabled: true, level: null });
    await applied(back.json().policyVersion);
  });

  it('only a security administrator of a root organisation changes a rule for the installation', async () => {
    const res = await call(s1, 'PATCH', `/api/rules/${PROBE}`, { enabled: false });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('EDU_ERR_OUT_OF_SCOPE');
    const unknown = await call(p1, 'PATCH', '/api/rules/no-such-rule', { enabled: false });
    expect(unknown.statusCode).toBe(404);
    const bad = await call(p1, 'PATCH', `/api/rules/${PROBE}`, { level: 'severe' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/body\/level/);
  });

  it('an exception suppresses its rule for a source until it expires, then the rule alerts again', async () => {
    const res = await call(p1, 'POST', '/api/rules/exceptions', {
      ruleId: PROBE,
      source: '10.1.5.0/24',
      expiresAt: new Date(h.clock.now + 5 * 60_000).toISOString(),
      reason: '一中的漏洞扫描器（已报备）',
    });
    expect(res.statusCode).toBe(201);
    const exc = res.json();
    await applied(exc.policyVersion);
    const during = await send(web('/admin/d', 's1', '10.1.5.9'), web('/admin/e', 's1', '10.1.6.9'));
    expect(during.map((a) => a.source?.ip)).toEqual(['10.1.6.9']);
    expect(analyzer.stats.excepted).toBe(1);

    // The analyzer reports what the exception hid (and, earlier, what switching the rule off did).
    await until('the suppressed count', async () => {
      const items = (await call(p1, 'GET', `/api/rules/exceptions?ruleId=${PROBE}`)).json().items;
      return items.find((e: { id: string }) => e.id === exc.id)?.suppressed === 1;
    });
    const rules = (await call(p1, 'GET', '/api/rules')).json();
    expect(rules.items.find((r: { id: string }) => r.id === PROBE).dropped).toBe(3);
    expect(rules.analyzer.dropsSince).toEqual(expect.any(String));

    h.clock.now += 6 * 60_000; // past the expiry (within the sessions' idle timeout)
    const after = await send(web('/admin/f', 's1', '10.1.5.9'));
    expect(after.map((a) => a.source?.ip)).toEqual(['10.1.5.9']);
    const listed = (await call(p1, 'GET', `/api/rules/exceptions?ruleId=${PROBE}`)).json();
    expect(listed.items.find((e: { id: string }) => e.id === exc.id)).toMatchObject({
      expired: true,
      createdBy: 'sec_admin.p1',
    });
    const del = await call(p1, 'DELETE', `/api/rules/exceptions/${exc.id}`);
    expect(del.json().deleted).toBe(true);
  });

  it('below the root an exception covers the caller’s subtree only, and others’ exceptions stay hidden', async () => {
    const mine = await call(s1, 'POST', '/api/rules/exceptions', {
      ruleId: PROBE,
      url: '/admin/*',
      expiresAt: new Date(h.clock.now + 3_600_000).toISOString(),
      reason: 'maintenance window',
    });
    expect(mine.statusCode).toBe(201);
    expect(mine.json().orgId).toBe('s1');
    await applied(mine.json().policyVersion);
    const out = await send(web('/admin/g', 's1'), web('/admin/h', 's3', '10.3.5.5'));
    expect(out.map((a) => a.organization?.id)).toEqual(['s3']);

    const foreign = await call(s1, 'POST', '/api/rules/exceptions', {
      ruleId: PROBE,
      orgId: 's3',
      expiresAt: new Date(h.clock.now + 3_600_000).toISOString(),
      reason: 'x',
    });
    expect(foreign.statusCode).toBe(403);
    const installation = await call(p1, 'POST', '/api/rules/exceptions', {
      ruleId: PROBE,
      destination: '10.9.0.1',
      expiresAt: new Date(h.clock.now + 3_600_000).toISOString(),
      reason: 'x',
    });
    expect(installation.json().orgId).toBeUndefined();
    const seen = (await call(s1, 'GET', '/api/rules/exceptions')).json().items.map((e: { id: string }) => e.id);
    expect(seen).toContain(mine.json().id);
    expect(seen).not.toContain(installation.json().id);
    expect((await call(s1, 'DELETE', `/api/rules/exceptions/${installation.json().id}`)).statusCode).toBe(404);
  });

  it('an organisation exception follows the tree, and long-expired exceptions are dropped', async () => {
    const city = await call(p1, 'POST', '/api/rules/exceptions', {
      ruleId: PROBE,
      orgId: 'c1',
      url: '/admin/city/*',
      expiresAt: new Date(h.clock.now + 3_600_000).toISOString(),
      reason: 'city portal migration',
    });
    expect(city.json().orgIds.sort()).toEqual(['c1', 's1', 's2']);
    h.app.ctx.state.orgs.insert({ id: 's4', name: '四中', level: 'school', parentId: 'c1', cidrs: [] });
    const dir = policyDirOf(h.dir);
    const stale = { ...city.json(), id: 'exc-stale', expiresAt: new Date(h.clock.now - 31 * 86_400_000).toISOString() };
    writePolicy(dir, { ...readPolicy(dir), exceptions: [...readPolicy(dir).exceptions, stale] });
    await call(p1, 'PATCH', `/api/rules/${SHIPPED_LIKE}`, { level: 'low' });
    const after = readPolicy(dir).exceptions;
    expect(after.find((e) => e.id === city.json().id)!.orgIds!.sort()).toEqual(['c1', 's1', 's2', 's4']);
    expect(after.map((e) => e.id)).not.toContain('exc-stale');
    await call(p1, 'DELETE', `/api/rules/exceptions/${city.json().id}`);
  });

  it('refuses an exception with a clear error naming the field', async () => {
    const base = { ruleId: PROBE, expiresAt: new Date(h.clock.now + 60_000).toISOString(), reason: 'x' };
    const cases: [object, number, RegExp][] = [
      [base, 400, /at least one of source, destination, url or orgId/],
      [{ ...base, source: '10.1.0.0/99' }, 400, /body\/source/],
      [{ ...base, source: '10.1.1.1', expiresAt: new Date(h.clock.now - 1).toISOString() }, 400, /expiresAt.*future/],
      [{ ...base, source: '10.1.1.1', expiresAt: 'soon' }, 400, /body\/expiresAt/],
      [
        { ...base, source: '10.1.1.1', expiresAt: new Date(h.clock.now + 400 * 86_400_000).toISOString() },
        400,
        /a year/,
      ],
      [{ ...base, source: '10.1.1.1', ruleId: 'nope' }, 404, /body\/ruleId/],
      [{ ...base, source: '10.1.1.1', reason: '   ' }, 400, /body\/reason/],
      [{ ...base, source: '10.1.1.1', extra: 1 }, 400, /extra/],
    ];
    for (const [payload, status, message] of cases) {
      const res = await call(p1, 'POST', '/api/rules/exceptions', payload);
      expect([res.statusCode, res.json().message]).toEqual([status, expect.stringMatching(message)]);
    }
  });

  it('an uploaded Sigma file is checked by the analyzer’s engine, rejected with the line and reason', async () => {
    const upload = (content: string, filename = 'probe.yml') =>
      call(p1, 'POST', '/api/rules/upload', { filename, content });
    const broken = await upload('title: x\nid: 1\nlogsource: { category: webserver }\ndetection:\n  sel: [\n');
    expect(broken.statusCode).toBe(400);
    expect(broken.json().code).toBe('EDU_ERR_RULE_INVALID');
    expect(broken.json().details.problems[0].line).toBeGreaterThan(0);

    const badCondition = await upload(UPLOAD.replace('condition: sel', 'condition: sel and other'));
    expect(badCondition.statusCode).toBe(400);
    const problem = badCondition.json().details.problems[0];
    expect(problem.line).toBe(6);
    expect(badCondition.json().message).toMatch(/^probe\.yml rejected: line 6: .*other/);

    const noId = await upload(UPLOAD.replace(`id: ${UPLOAD_ID}\n`, ''));
    expect(noId.json().message).toMatch(/line 1: rule "Web shell request" has no id/);
    const noPipeline = await upload(UPLOAD.replace('category: webserver', 'product: mainframe'));
    expect(noPipeline.json().message).toMatch(/would not run: no pipeline for logsource product=mainframe/);
    const taken = await upload(UPLOAD.replace(UPLOAD_ID, SHIPPED_LIKE));
    expect(taken.statusCode).toBe(409);
    expect((await upload(UPLOAD, '../../etc/x.yml')).statusCode).toBe(400);
    const twice = await upload(`${UPLOAD}---\n${UPLOAD}`);
    expect(twice.json().message).toMatch(/line 8: rule id .* is used twice/);
    const selfAlias = await upload('a: &a [*a]\n');
    expect([selfAlias.statusCode, selfAlias.json().code]).toEqual([400, 'EDU_ERR_RULE_INVALID']);
    const pathId = await upload(UPLOAD.replace(UPLOAD_ID, '../../outside'));
    expect(pathId.json().message).toMatch(/line 1: rule id "..\/..\/outside" may only use letters/);
    expect((await call(s1, 'POST', '/api/rules/upload', { filename: 'a.yml', content: UPLOAD })).statusCode).toBe(403);
    expect(readPolicy(policyDirOf(h.dir)).uploaded).toEqual([]);
  });

  it('a valid upload is loaded by the running analyzer and fires; replacing and removing it work too', async () => {
    const res = await call(p1, 'POST', '/api/rules/upload', { filename: '网页木马.yml', content: UPLOAD });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ id: UPLOAD_ID, ruleIds: [UPLOAD_ID], replaced: [] });
    const pending = (await call(p1, 'GET', '/api/rules')).json();
    expect(pending.items.some((r: { id: string }) => r.id === UPLOAD_ID)).toBe(true);
    await applied(res.json().policyVersion);
    const fired = await send(web('/app/cmd.jsp'));
    expect(fired.map((a) => [a.rule.id, a.rule.level])).toEqual([[UPLOAD_ID, 'critical']]);
    expect(await listedWith(p1, UPLOAD_ID, 1)).toMatchObject({ state: 'active', uploaded: true });

    const again = await call(p1, 'POST', '/api/rules/upload', {
      filename: 'v2.yml',
      content: UPLOAD.replace('level: critical', 'level: high'),
    });
    expect(again.json().replaced).toEqual([UPLOAD_ID]);
    await applied(again.json().policyVersion);
    expect((await send(web('/b/cmd.jsp'))).map((a) => a.rule.level)).toEqual(['high']);

    const gone = await call(p1, 'DELETE', `/api/rules/uploads/${UPLOAD_ID}`);
    expect(gone.json().deleted).toBe(true);
    await applied(gone.json().policyVersion);
    expect(await send(web('/c/cmd.jsp'))).toEqual([]);
  });

  it('every change and every refused upload is in the hash-chained audit trail', () => {
    const { items } = h.app.ctx.state.audit.list({ limit: 500, offset: 0 });
    const rule = items.filter((r) => r.action.startsWith('rule.'));
    const count = (action: string, outcome = 'success') =>
      rule.filter((r) => r.action === action && r.outcome === outcome).length;
    expect(count('rule.update')).toBe(4);
    expect(count('rule.exception.create')).toBe(4);
    expect(count('rule.exception.delete')).toBe(2);
    expect(count('rule.upload')).toBe(2);
    expect(count('rule.upload', 'failure')).toBeGreaterThanOrEqual(5);
    expect(count('rule.upload.delete')).toBe(1);
    expect(rule.every((r) => r.actor === 'sec_admin.p1' || r.actor === 'sec_admin.s1')).toBe(true);
    expect(h.app.ctx.state.audit.verify().ok).toBe(true);
  });

  it('no other role reads or changes rules', async () => {
    for (const role of ROLES.filter((r) => r !== 'sec_admin')) {
      const org = role === 'school_officer' ? 's1' : role === 'city_monitor' ? 'c1' : 'p1';
      const s = await h.login(userName(role, org));
      for (const [method, url, payload] of [
        ['GET', '/api/rules'],
        ['PATCH', `/api/rules/${PROBE}`, { enabled: false }],
        ['POST', '/api/rules/upload', { filename: 'a.yml', content: UPLOAD }],
      ] as [InjectOptions['method'], string, object?][]) {
        const res = await call(s, method, url, payload);
        expect([role, res.statusCode, res.json().code]).toEqual([role, 403, 'EDU_ERR_FORBIDDEN']);
      }
    }
  });
});
