/**
 * Every API route × every role × an organisation outside the user's subtree:
 * roles without the permission are refused, and no route lets a user read or
 * change another subtree's data. The table below must name every registered route.
 */
import type { AlertEvent, EcsEvent, HeartbeatEvent } from '@edusentry/core';
import { EMPTY_POLICY, policyDirOf, readPolicy, writePolicy } from '@edusentry/analyzer';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { SiteRegistry } from '@edusentry/sites';
import { canAny, ROLES, type Role } from '../src/auth/roles';
import { alert, docs, getAlert, harness, httpEvent, T0, type Harness, type Session } from './helpers';

const SITE = {
  keyPages: [],
  owner: '',
  intervalSec: 300,
  expectedDns: [],
  ownCidrs: [],
  ownDomains: [],
  enabled: true,
};

/** The user of each role in the matrix, and a school outside their subtree. */
const ACTORS: Record<Role, { username: string; outside: string; subtree: string[] }> = {
  school_officer: { username: 'school_officer.s1', outside: 's3', subtree: ['s1'] },
  city_monitor: { username: 'city_monitor.c1', outside: 's3', subtree: ['c1', 's1', 's2'] },
  province_monitor: { username: 'province_monitor.p1', outside: 's9', subtree: ['p1', 'c1', 'c2', 's1', 's2', 's3'] },
  auditor: { username: 'auditor.s1', outside: 's2', subtree: ['s1'] },
  sys_admin: { username: 'sys_admin.c2', outside: 's1', subtree: ['c2', 's3'] },
  sec_admin: { username: 'sec_admin.s1', outside: 's3', subtree: ['s1'] },
  audit_admin: { username: 'audit_admin.c1', outside: 's3', subtree: ['c1', 's1', 's2'] },
};

interface Target {
  org: string;
  alertId: string;
  incidentId: string;
  userId: string;
  noticeId: string;
  attachmentId: string;
  siteId: string;
}

type Check = (res: LightMyRequestResponse, subtree: string[]) => void;
const denied: Check = (res) => {
  expect([403, 404]).toContain(res.statusCode);
  expect(['EDU_ERR_OUT_OF_SCOPE', 'EDU_ERR_NOT_FOUND']).toContain(res.json().code);
};
const orgsOf = (items: { organization?: { id?: string }; orgId?: string | null }[]) =>
  items.map((i) => i.organization?.id ?? i.orgId ?? null);
const within = (subtree: string[], ids: (string | null)[]) =>
  expect(ids.filter((id) => id !== null && !subtree.includes(id))).toEqual([]);

/** How to aim each route at the outside organisation, and what must hold of the answer. */
const TABLE: Record<string, ((t: Target) => InjectOptions & { check?: Check }) | 'no-org'> = {
  'POST /api/auth/login': 'no-org',
  'POST /api/auth/logout': 'no-org',
  'GET /api/auth/me': 'no-org',
  'POST /api/auth/password': 'no-org',
  'GET /api/roles': 'no-org',
  'GET /api/health': 'no-org',
  'GET /api/incidents/meta': 'no-org',
  'GET /api/search/fields': 'no-org',
  'GET /api/audit/verify': 'no-org',
  'GET /api/notices/meta': 'no-org',
  'GET /api/notifications': 'no-org',
  'POST /api/notifications/read': 'no-org',
  'GET /api/users': () => ({ url: '/api/users?pageSize=200', check: (r, sub) => within(sub, orgsOf(r.json().items)) }),
  'POST /api/users': (t) => ({
    url: '/api/users',
    payload: { username: 'intruder', password: 'Good-Password-1', orgId: t.org },
  }),
  'PUT /api/users/:id/grant': (t) => ({ url: `/api/users/${t.userId}/grant`, payload: { role: 'province_monitor' } }),
  'GET /api/users/assignable': (t) => ({ url: `/api/users/assignable?orgId=${t.org}` }),
  'GET /api/users/:id': (t) => ({ url: `/api/users/${t.userId}` }),
  'PATCH /api/users/:id': (t) => ({ url: `/api/users/${t.userId}`, payload: { disabled: true } }),
  'POST /api/users/:id/unlock': (t) => ({ url: `/api/users/${t.userId}/unlock` }),
  'DELETE /api/users/:id': (t) => ({ url: `/api/users/${t.userId}` }),
  'GET /api/orgs': () => ({
    url: '/api/orgs',
    check: (r, sub) =>
      within(
        sub,
        r.json().items.map((o: { id: string }) => o.id),
      ),
  }),
  'GET /api/orgs/:id': (t) => ({ url: `/api/orgs/${t.org}` }),
  'POST /api/orgs': () => ({ url: '/api/orgs', payload: { name: 'x', level: 'school', parentId: 'c9' } }),
  'PATCH /api/orgs/:id': (t) => ({ url: `/api/orgs/${t.org}`, payload: { cidrs: ['0.0.0.0/0'] } }),
  'DELETE /api/orgs/:id': (t) => ({ url: `/api/orgs/${t.org}` }),
  'GET /api/alerts': (t) => ({ url: `/api/alerts?orgId=${t.org}` }),
  'GET /api/alerts/:id': (t) => ({ url: `/api/alerts/${t.alertId}` }),
  'GET /api/alerts/:id/history': (t) => ({ url: `/api/alerts/${t.alertId}/history` }),
  'POST /api/alerts/:id/triage': (t) => ({
    url: `/api/alerts/${t.alertId}/triage`,
    payload: { action: 'close', reason: 'x' },
  }),
  'POST /api/alerts/:id/notes': (t) => ({ url: `/api/alerts/${t.alertId}/notes`, payload: { text: 'x' } }),
  'POST /api/alerts/bulk': (t) => ({
    url: '/api/alerts/bulk',
    payload: { ids: [t.alertId], action: 'close', reason: 'x' },
    check: (r) => {
      expect(r.json().updated).toEqual([]);
      expect(r.json().failed[0].code).toBe('EDU_ERR_NOT_FOUND');
    },
  }),
  'GET /api/incidents': (t) => ({ url: `/api/incidents?orgId=${t.org}` }),
  'POST /api/incidents': (t) => ({
    url: '/api/incidents',
    payload: { title: 'x', grade: '一般', category: '其他', orgId: t.org },
  }),
  'GET /api/incidents/:id': (t) => ({ url: `/api/incidents/${t.incidentId}` }),
  'PATCH /api/incidents/:id': (t) => ({ url: `/api/incidents/${t.incidentId}`, payload: { status: 'closed' } }),
  'POST /api/incidents/:id/timeline': (t) => ({
    url: `/api/incidents/${t.incidentId}/timeline`,
    payload: { kind: 'note', text: 'x' },
  }),
  'POST /api/incidents/:id/alerts': (t) => ({
    url: `/api/incidents/${t.incidentId}/alerts`,
    payload: { alertIds: [t.alertId] },
  }),
  'GET /api/notices': (t) => ({ url: `/api/notices?orgId=${t.org}` }),
  'POST /api/notices': (t) => ({
    url: '/api/notices',
    payload: { orgId: t.org, title: 'x', category: '其他', severity: '一般', actions: 'x' },
  }),
  'GET /api/notices/stats': (t) => ({ url: `/api/notices/stats?orgId=${t.org}` }),
  'GET /api/notices/:id': (t) => ({ url: `/api/notices/${t.noticeId}` }),
  'POST /api/notices/:id/acknowledge': (t) => ({ url: `/api/notices/${t.noticeId}/acknowledge`, payload: {} }),
  'POST /api/notices/:id/submit': (t) => ({ url: `/api/notices/${t.noticeId}/submit`, payload: { report: 'x' } }),
  'POST /api/notices/:id/review': (t) => ({
    url: `/api/notices/${t.noticeId}/review`,
    payload: { decision: 'accept', comment: 'x' },
  }),
  'POST /api/notices/:id/forward': (t) => ({ url: `/api/notices/${t.noticeId}/forward`, payload: { orgIds: [t.org] } }),
  'POST /api/notices/:id/withdraw': (t) => ({ url: `/api/notices/${t.noticeId}/withdraw`, payload: { comment: 'x' } }),
  'POST /api/notices/:id/attachments': (t) => ({ url: `/api/notices/${t.noticeId}/attachments` }),
  'GET /api/notices/:id/attachments/:aid': (t) => ({ url: `/api/notices/${t.noticeId}/attachments/${t.attachmentId}` }),
  'GET /api/posture': (t) => ({ url: `/api/posture?orgId=${t.org}` }),
  'POST /api/search': (t) => ({ url: '/api/search', payload: { orgId: t.org } }),
  'GET /api/collectors': (t) => ({ url: `/api/collectors?orgId=${t.org}` }),
  'GET /api/sites': (t) => ({ url: `/api/sites?orgId=${t.org}` }),
  'GET /api/sites/wall': (t) => ({ url: `/api/sites/wall?orgId=${t.org}` }),
  'POST /api/sites': (t) => ({
    url: '/api/sites',
    payload: { orgId: t.org, name: 'x', url: 'http://intruder.example/' },
  }),
  'GET /api/sites/:id': (t) => ({ url: `/api/sites/${t.siteId}` }),
  'GET /api/sites/:id/availability': (t) => ({ url: `/api/sites/${t.siteId}/availability` }),
  'PATCH /api/sites/:id': (t) => ({ url: `/api/sites/${t.siteId}`, payload: { name: 'hijacked' } }),
  'DELETE /api/sites/:id': (t) => ({ url: `/api/sites/${t.siteId}` }),
  'POST /api/sites/:id/baseline/accept': (t) => ({ url: `/api/sites/${t.siteId}/baseline/accept` }),
  'GET /api/audit': () => ({ url: '/api/audit?pageSize=200', check: (r, sub) => within(sub, orgsOf(r.json().items)) }),
  // Rules run for the whole installation: below the root, changing one is out of scope.
  'GET /api/rules': () => ({ url: '/api/rules', check: (r) => expect(r.statusCode).toBe(200) }),
  'PATCH /api/rules/:id': () => ({ url: '/api/rules/rule-x', payload: { enabled: false } }),
  'GET /api/rules/exceptions': () => ({
    url: '/api/rules/exceptions',
    check: (r, sub) => within(sub, orgsOf(r.json().items)),
  }),
  'POST /api/rules/exceptions': (t) => ({
    url: '/api/rules/exceptions',
    payload: { ruleId: 'rule-x', orgId: t.org, expiresAt: new Date(T0 + 86_400_000).toISOString(), reason: 'x' },
  }),
  'DELETE /api/rules/exceptions/:id': (t) => ({ url: `/api/rules/exceptions/exc-${t.org}` }),
  'POST /api/rules/upload': () => ({ url: '/api/rules/upload', payload: { filename: 'x.yml', content: 'title: x' } }),
  'DELETE /api/rules/uploads/:id': () => ({ url: '/api/rules/uploads/rule-x' }),
};

/** Unscoped reads whose answers must contain nothing of another subtree. */
const LEAKS: { route: string; req: InjectOptions; orgs: (body: any) => (string | null)[] }[] = [
  { route: 'GET /api/alerts', req: { url: '/api/alerts?pageSize=200' }, orgs: (b) => orgsOf(b.items) },
  {
    route: 'GET /api/users/assignable',
    req: { url: '/api/users/assignable' },
    orgs: (b) => b.items.map((u: { orgId: string }) => u.orgId),
  },
  { route: 'GET /api/incidents', req: { url: '/api/incidents?pageSize=200' }, orgs: (b) => orgsOf(b.items) },
  { route: 'GET /api/notices', req: { url: '/api/notices?pageSize=200' }, orgs: (b) => orgsOf(b.items) },
  {
    route: 'GET /api/notices/stats',
    req: { url: '/api/notices/stats' },
    orgs: (b) => b.items.map((r: { orgId: string }) => r.orgId),
  },
  {
    route: 'GET /api/posture',
    req: { url: '/api/posture' },
    orgs: (b) => b.risk.map((r: { orgId: string }) => r.orgId),
  },
  {
    route: 'POST /api/search',
    req: { url: '/api/search', payload: { pageSize: 200, fields: ['organization.id'] } },
    orgs: (b) => [...orgsOf(b.items), ...b.sidebar[0].top.map((t: { value: string }) => t.value)],
  },
  {
    route: 'GET /api/collectors',
    req: { url: '/api/collectors' },
    orgs: (b) => orgsOf(b.items).filter((o) => o !== null),
  },
  { route: 'GET /api/rules/exceptions', req: { url: '/api/rules/exceptions' }, orgs: (b) => orgsOf(b.items) },
  { route: 'GET /api/sites', req: { url: '/api/sites' }, orgs: (b) => orgsOf(b.items) },
  {
    route: 'GET /api/sites/wall',
    req: { url: '/api/sites/wall' },
    orgs: (b) => b.items.map((n: { orgId: string }) => n.orgId),
  },
];

let h: Harness;
const targets: Record<string, Target> = {};
const sessions = {} as Record<Role, Session>;

beforeAll(async () => {
  h = await harness();
  const all = ['s1', 's2', 's3', 's9'];
  const events: EcsEvent[] = [];
  const sites = SiteRegistry.open(h.dir);
  for (const [i, org] of all.entries()) {
    const a = alert(i, org, { dst: `10.${org.slice(1)}.0.1` });
    const hb = {
      '@timestamp': new Date(T0 - 5000).toISOString(),
      event: { id: `hb-${org}`, kind: 'metric', dataset: 'collector.heartbeat' },
      observer: { id: `col-${org}` },
      organization: { id: org },
      edu: { collector: { uptime_s: 1, counters: {} } },
    } as unknown as HeartbeatEvent;
    events.push(...docs(a, httpEvent(i, org), hb as unknown as EcsEvent));
    const officer = h.app.ctx.state.users.byUsername(`school_officer.${org}`)!;
    const inc = h.app.ctx.state.incidents.create({
      title: `incident ${org}`,
      grade: '一般',
      category: '其他',
      orgId: org,
      createdBy: officer.username,
      alertIds: [a.event.id],
    });
    const notice = h.app.notices.notices.create({
      issuerOrgId: h.app.ctx.state.orgs.get(org)!.parentId!,
      author: 'someone',
      orgId: org,
      title: `notice ${org}`,
      category: '其他',
      severity: '一般',
      actions: 'fix it',
      deadline: T0 + 86_400_000,
      year: '2025',
    });
    const file = h.app.notices.notices.addAttachment({
      id: `att-${org}`,
      noticeId: notice.id,
      name: 'a.txt',
      size: 1,
      sha256: '0'.repeat(64),
      type: 'text/plain',
      uploadedBy: 'someone',
      orgId: org,
    });
    targets[org] = {
      org,
      alertId: a.event.id,
      incidentId: inc.id,
      userId: officer.id,
      noticeId: notice.id,
      attachmentId: file.id,
      siteId: sites.upsert({ ...SITE, orgId: org, name: `site ${org}`, url: `http://www.${org}.example/` }).site.id,
    };
  }
  sites.close();
  await h.store.write(events);
  // A rule exception in every school (the rule policy folder the console shares with the analyzer).
  writePolicy(policyDirOf(h.dir), {
    ...EMPTY_POLICY,
    version: 1,
    exceptions: all.map((org) => ({
      id: `exc-${org}`,
      ruleId: 'rule-x',
      orgId: org,
      orgIds: [org],
      expiresAt: new Date(T0 + 86_400_000).toISOString(),
      reason: 'x',
      createdBy: 'x',
      createdAt: new Date(T0).toISOString(),
    })),
  });
  // Activity in every school so the audit trail has records of each.
  for (const org of all) await h.login(`school_officer.${org}`);
  for (const role of ROLES) sessions[role] = await h.login(ACTORS[role].username);
});
afterAll(() => h.close());

describe('route × role × outside organisation', () => {
  it('the table names every registered route', () => {
    const registered = h.app.apiRoutes.map((r) => `${r.method} ${r.url}`).sort();
    expect(Object.keys(TABLE).sort()).toEqual(registered);
  });

  for (const role of ROLES) {
    it(`${role}: refused where the role lacks the permission, denied outside its subtree elsewhere`, async () => {
      const actor = ACTORS[role];
      const t = targets[actor.outside];
      for (const route of h.app.apiRoutes) {
        const key = `${route.method} ${route.url}`;
        const entry = TABLE[key];
        if (entry === 'no-org' || route.access.public || route.access.anyRole) continue;
        const { check, ...opts } = entry(t);
        const res = await h.req(sessions[role], { method: route.method as InjectOptions['method'], ...opts });
        const allowed = canAny(role, route.access.permission!);
        try {
          if (!allowed) {
            expect(res.statusCode).toBe(403);
            expect(res.json().code).toBe('EDU_ERR_FORBIDDEN');
          } else {
            (check ?? denied)(res, actor.subtree);
          }
        } catch (err) {
          throw new Error(`${role} ${key}: ${res.statusCode} ${res.body}\n${(err as Error).message}`);
        }
      }
      // Nothing outside changed.
      const a = await getAlert(h.store, t.alertId);
      expect(a.edu.alert.status).toBe('new');
      expect(h.app.ctx.state.incidents.get(t.incidentId)!.status).toBe('open');
      expect(h.app.notices.notices.get(t.noticeId)!.status).toBe('issued');
      expect(h.app.ctx.state.users.byId(t.userId)!.disabled).toBe(false);
      expect(h.app.ctx.state.users.byId(t.userId)!.role).toBe('school_officer');
      expect(h.app.ctx.state.orgs.get(t.org)!.cidrs).not.toContain('0.0.0.0/0');
      expect(h.app.ctx.state.users.byUsername('intruder')).toBeUndefined();
      const sites = SiteRegistry.open(h.dir);
      expect(sites.get(t.siteId)?.name).toBe(`site ${t.org}`);
      expect(sites.byUrl('http://intruder.example/')).toBeUndefined();
      sites.close();
      const policy = readPolicy(policyDirOf(h.dir));
      expect([policy.version, policy.exceptions.length]).toEqual([1, 4]);
    });
  }

  it('no list or aggregation includes another subtree', async () => {
    let checked = 0;
    for (const role of ROLES) {
      for (const leak of LEAKS) {
        const route = h.app.apiRoutes.find((r) => `${r.method} ${r.url}` === leak.route)!;
        if (!canAny(role, route.access.permission!)) continue;
        const res = await h.req(sessions[role], { method: route.method as InjectOptions['method'], ...leak.req });
        expect(res.statusCode).toBe(200);
        const orgs = leak.orgs(res.json());
        within(ACTORS[role].subtree, orgs);
        if (leak.route !== 'GET /api/collectors') expect(orgs.length).toBeGreaterThan(0);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('a school officer sees exactly their school in every number', async () => {
    const s = sessions.school_officer;
    const p = (await h.req(s, { method: 'GET', url: '/api/posture?from=' + (T0 - 7 * 86_400_000) })).json();
    expect(p.kpis.alertsOpen.total).toBe(1);
    expect(p.kpis.events).toBe(1);
    expect(p.topAssets.map((x: { key: string }) => x.key)).toEqual(['10.1.0.1']);
    const list = (await h.req(s, { method: 'GET', url: '/api/alerts' })).json();
    expect(list.items.map((x: AlertEvent) => x.event.id)).toEqual([targets.s1.alertId]);
  });
});
