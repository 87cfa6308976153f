/**
 * GET /api/users/assignable and the checks on triage `assign` and incident `owner` that use
 * the same answer: enabled users whose role triages alerts, inside the caller's subtree, able
 * to see the organisation of the work.
 */
import { alert, docs, harness, type Harness, type Session } from './helpers';

let h: Harness;
let city: Session;
const s1Alert = alert(1, 's1');

beforeAll(async () => {
  h = await harness();
  await h.store.write(docs(s1Alert, alert(2, 's2')));
  city = await h.login('city_monitor.c1');
});
afterAll(() => h.close());

const names = (r: { json(): { items: { username: string }[] } }) => r.json().items.map((u) => u.username);

describe('GET /api/users/assignable', () => {
  it('lists the triaging users of the caller subtree, without auditors or administrators', async () => {
    const res = await h.req(city, { method: 'GET', url: '/api/users/assignable' });
    expect(res.statusCode).toBe(200);
    expect(names(res)).toEqual(['city_monitor.c1', 'school_officer.s1', 'school_officer.s2']);
    expect(res.json().items[1]).toEqual({
      username: 'school_officer.s1',
      displayName: 'school_officer.s1',
      role: 'school_officer',
      orgId: 's1',
    });
  });

  it('with orgId, only those who can see that organisation: its subtree and the nodes above it', async () => {
    expect(names(await h.req(city, { method: 'GET', url: '/api/users/assignable?orgId=s1' }))).toEqual([
      'city_monitor.c1',
      'school_officer.s1',
    ]);
    const prov = await h.login('province_monitor.p1');
    expect(names(await h.req(prov, { method: 'GET', url: '/api/users/assignable?orgId=s1' }))).toEqual([
      'city_monitor.c1',
      'province_monitor.p1',
      'school_officer.s1',
    ]);
    expect(names(await h.req(prov, { method: 'GET', url: '/api/users/assignable?orgId=c2' }))).toEqual([
      'city_monitor.c2',
      'province_monitor.p1',
      'school_officer.s3',
    ]);
  });

  it('leaves out disabled accounts', async () => {
    const u = h.app.ctx.state.users.byUsername('school_officer.s2')!;
    h.app.ctx.state.users.update(u.id, { disabled: true });
    try {
      expect(names(await h.req(city, { method: 'GET', url: '/api/users/assignable' }))).not.toContain(
        'school_officer.s2',
      );
    } finally {
      h.app.ctx.state.users.update(u.id, { disabled: false });
    }
  });

  it('refuses an organisation outside the subtree and roles that neither triage nor own incidents', async () => {
    const out = await h.req(city, { method: 'GET', url: '/api/users/assignable?orgId=s3' });
    expect(out.statusCode).toBe(403);
    expect(out.json().code).toBe('EDU_ERR_OUT_OF_SCOPE');
    const auditor = await h.req(await h.login('auditor.p1'), { method: 'GET', url: '/api/users/assignable' });
    expect(auditor.statusCode).toBe(403);
    expect(auditor.json()).toMatchObject({ code: 'EDU_ERR_FORBIDDEN' });
    expect(auditor.json().message).toMatch(/alerts:triage or incidents:write/);
  });
});

describe('assignee and owner must be assignable', () => {
  const assign = (s: Session, assignee: string) =>
    h.req(s, {
      method: 'POST',
      url: `/api/alerts/${s1Alert.event.id}/triage`,
      payload: { action: 'assign', assignee },
    });

  it.each([
    ['no such user', 'nobody.at.all'],
    ['an auditor (does not triage)', 'auditor.s1'],
    ['an officer of a sibling school (cannot see the alert)', 'school_officer.s2'],
    ['a monitor above the caller (not visible to the caller)', 'province_monitor.p1'],
  ])('triage assign to %s → 400 naming body/assignee, nothing stored', async (_what, who) => {
    const res = await assign(city, who);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'EDU_ERR_VALIDATION' });
    expect(res.json().message).toMatch(new RegExp(`^body/assignee "${who.replace(/\./g, '\\.')}"`));
    expect(h.app.ctx.state.triage.history(s1Alert.event.id).filter((e) => e.assignee === who)).toEqual([]);
  });

  it('assigns to a listed user', async () => {
    const res = await assign(city, 'school_officer.s1');
    expect(res.statusCode).toBe(200);
    expect(res.json().alert.edu.alert.assignee).toBe('school_officer.s1');
  });

  it('incident owner: 400 naming body/owner on create and update unless assignable for its organisation', async () => {
    const create = (owner: string) =>
      h.req(city, {
        method: 'POST',
        url: '/api/incidents',
        payload: { title: 't', grade: '一般', category: '其他', orgId: 's1', owner },
      });
    const bad = await create('school_officer.s2');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/^body\/owner "school_officer\.s2"/);
    const ok = await create('school_officer.s1');
    expect(ok.statusCode).toBe(201);
    const patch = (owner: string) =>
      h.req(city, { method: 'PATCH', url: `/api/incidents/${ok.json().id}`, payload: { owner } });
    const badPatch = await patch('ghost');
    expect(badPatch.statusCode).toBe(400);
    expect(badPatch.json().message).toMatch(/^body\/owner "ghost"/);
    expect((await patch('city_monitor.c1')).json().owner).toBe('city_monitor.c1');
  });
});
