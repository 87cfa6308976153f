import { harness, PASSWORD, userName, type Harness } from './helpers';

let h: Harness;
beforeEach(async () => {
  h = await harness({
    config: {
      rateLimit: { max: 100_000, windowMs: 60_000, loginMax: 10_000 },
      lockout: { threshold: 3, minutes: 10 },
      session: { idleMinutes: 15, secureCookie: false },
    },
  });
});
afterEach(() => h.close());

describe('login and session', () => {
  it('logs in, answers me with a csrf token and the permissions, logs out', async () => {
    const s = await h.login(userName('school_officer', 's1'));
    const me = await h.req(s, { method: 'GET', url: '/api/auth/me' });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      user: { username: 'school_officer.s1', role: 'school_officer', orgId: 's1' },
      csrfToken: s.csrf,
      org: { id: 's1' },
    });
    expect(me.json().permissions).toContain('alerts:triage');
    expect(JSON.stringify(me.json())).not.toContain('argon2');
    expect((await h.req(s, { method: 'POST', url: '/api/auth/logout' })).statusCode).toBe(204);
    const after = await h.req(s, { method: 'GET', url: '/api/auth/me' });
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('EDU_ERR_AUTH_REQUIRED');
  });

  it('sets an httpOnly SameSite=Strict cookie', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'sys_admin.p1', password: PASSWORD },
    });
    const c = res.cookies.find((x) => x.name === 'edu_session')!;
    expect(c.httpOnly).toBe(true);
    expect(c.sameSite).toBe('Strict');
  });

  it('refuses a wrong password and an unknown user with the same answer', async () => {
    const a = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'school_officer.s1', password: 'nope' },
    });
    const b = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'ghost', password: 'nope' },
    });
    expect(a.statusCode).toBe(401);
    expect(b.statusCode).toBe(401);
    expect(a.json().code).toBe('EDU_ERR_AUTH_FAILED');
    expect(b.json().message).toBe(a.json().message);
  });

  it('locks the account after the configured number of failures, even for the right password, until the lock expires', async () => {
    const bad = () =>
      h.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'school_officer.s2', password: 'wrong' },
      });
    for (let i = 0; i < 3; i++) {
      const res = await bad();
      expect(res.statusCode).toBe(401);
      expect(res.json().details).toBeUndefined();
    }
    const row = h.app.ctx.state.users.byUsername('school_officer.s2')!;
    expect(row.lockedUntilMs).toBe(h.clock.now + 10 * 60_000);
    const good = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'school_officer.s2', password: PASSWORD },
    });
    expect(good.statusCode).toBe(401);
    expect(good.json().code).toBe('EDU_ERR_AUTH_FAILED');
    h.clock.now += 10 * 60_000 + 1;
    await expect(h.login('school_officer.s2')).resolves.toBeDefined();
  });

  it('a system administrator can unlock a locked account', async () => {
    for (let i = 0; i < 3; i++)
      await h.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'school_officer.s2', password: 'wrong' },
      });
    const admin = await h.login('sys_admin.p1');
    const user = h.app.ctx.state.users.byUsername('school_officer.s2')!;
    const res = await h.req(admin, { method: 'POST', url: `/api/users/${user.id}/unlock` });
    expect(res.statusCode).toBe(200);
    expect(res.json().lockedUntil).toBeNull();
    await expect(h.login('school_officer.s2')).resolves.toBeDefined();
  });

  it('ends a session idle longer than the timeout; activity keeps it alive', async () => {
    const s = await h.login('city_monitor.c1');
    h.clock.now += 14 * 60_000;
    expect((await h.req(s, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(200);
    h.clock.now += 14 * 60_000;
    expect((await h.req(s, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(200);
    h.clock.now += 15 * 60_000 + 1;
    const res = await h.req(s, { method: 'GET', url: '/api/auth/me' });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('EDU_ERR_SESSION_EXPIRED');
    expect((await h.req(s, { method: 'GET', url: '/api/auth/me' })).json().code).toBe('EDU_ERR_AUTH_REQUIRED');
  });

  it('counts any authenticated GET as use: a wall display refreshing posture every 14 minutes stays logged in', async () => {
    const s = await h.login('province_monitor.p1');
    for (let i = 0; i < 4; i++) {
      h.clock.now += 14 * 60_000;
      expect((await h.req(s, { method: 'GET', url: '/api/posture' })).statusCode).toBe(200);
    }
    // an hour after login, and the session is still alive because of the refreshes alone
    expect((await h.req(s, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(200);
    h.clock.now += 15 * 60_000 + 1;
    expect((await h.req(s, { method: 'GET', url: '/api/posture' })).json().code).toBe('EDU_ERR_SESSION_EXPIRED');
  });

  it('refuses writes without the session csrf token, or with another session token', async () => {
    const s = await h.login('sys_admin.p1');
    const other = await h.login('sys_admin.c2');
    const body = { name: '新学校', level: 'school', parentId: 'c1', cidrs: ['10.9.0.0/16'] };
    const none = await h.app.inject({ method: 'POST', url: '/api/orgs', headers: { cookie: s.cookie }, payload: body });
    expect(none.statusCode).toBe(403);
    expect(none.json().code).toBe('EDU_ERR_CSRF');
    const wrong = await h.app.inject({
      method: 'POST',
      url: '/api/orgs',
      headers: { cookie: s.cookie, 'x-csrf-token': other.csrf },
      payload: body,
    });
    expect(wrong.json().code).toBe('EDU_ERR_CSRF');
    expect(h.app.ctx.state.orgs.all()).toHaveLength(9);
    const ok = await h.req(s, { method: 'POST', url: '/api/orgs', payload: body });
    expect(ok.statusCode).toBe(201);
  });

  it('changes the own password under the policy', async () => {
    const s = await h.login('auditor.s1');
    const weak = await h.req(s, {
      method: 'POST',
      url: '/api/auth/password',
      payload: { currentPassword: PASSWORD, newPassword: 'short' },
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().code).toBe('EDU_ERR_PASSWORD_POLICY');
    expect(weak.json().message).toMatch(/body\/newPassword.*at least 10 characters/);
    const wrongCurrent = await h.req(s, {
      method: 'POST',
      url: '/api/auth/password',
      payload: { currentPassword: 'x', newPassword: 'Another-Pass-42' },
    });
    expect(wrongCurrent.json().code).toBe('EDU_ERR_AUTH_FAILED');
    expect(
      (
        await h.req(s, {
          method: 'POST',
          url: '/api/auth/password',
          payload: { currentPassword: PASSWORD, newPassword: 'Another-Pass-42' },
        })
      ).statusCode,
    ).toBe(204);
    await expect(h.login('auditor.s1', 'Another-Pass-42')).resolves.toBeDefined();
    await expect(h.login('auditor.s1')).rejects.toThrow(/401/);
  });

  it('names the field in validation errors', async () => {
    const missing = await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'x' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ code: 'EDU_ERR_VALIDATION' });
    expect(missing.json().message).toMatch(/password/);
    const extra = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'x', password: 'y', admin: true },
    });
    expect(extra.json().message).toMatch(/body.*"admin"/);
    const empty = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: '', password: 'y' },
    });
    expect(empty.json().message).toMatch(/^body\/username /);
  });

  it('answers unknown api routes with EDU_ERR_NOT_FOUND and serves the OpenAPI document', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('EDU_ERR_NOT_FOUND');
    const doc = await h.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(doc.statusCode).toBe(200);
    expect(Object.keys(doc.json().paths)).toEqual(
      expect.arrayContaining([
        '/api/auth/login',
        '/api/alerts',
        '/api/posture',
        '/api/search',
        '/api/collectors',
        '/api/incidents/{id}',
        '/api/audit/verify',
      ]),
    );
    expect((await h.app.inject({ method: 'GET', url: '/api/health' })).headers['x-content-type-options']).toBe(
      'nosniff',
    );
  });

  it('rate-limits logins per address', async () => {
    const limited = await harness({ config: { rateLimit: { max: 1000, windowMs: 60_000, loginMax: 2 } } });
    try {
      const go = () =>
        limited.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'ghost', password: 'x' } });
      await go();
      await go();
      const third = await go();
      expect(third.statusCode).toBe(429);
      expect(third.json().code).toBe('EDU_ERR_RATE_LIMITED');
    } finally {
      await limited.close();
    }
  });
});

describe('users and organisations', () => {
  it('a system administrator creates, edits, disables and deletes users in their subtree only', async () => {
    const admin = await h.login('sys_admin.c2');
    const weak = await h.req(admin, {
      method: 'POST',
      url: '/api/users',
      payload: { username: 'new.one', password: 'abc', orgId: 's3' },
    });
    expect(weak.json().code).toBe('EDU_ERR_PASSWORD_POLICY');
    const outside = await h.req(admin, {
      method: 'POST',
      url: '/api/users',
      payload: { username: 'new.one', password: 'Good-Password-1', orgId: 's1' },
    });
    expect(outside.json().code).toBe('EDU_ERR_OUT_OF_SCOPE');
    const created = await h.req(admin, {
      method: 'POST',
      url: '/api/users',
      payload: { username: 'new.one', password: 'Good-Password-1', orgId: 's3' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ role: null, mustChangePassword: true });
    const dup = await h.req(admin, {
      method: 'POST',
      url: '/api/users',
      payload: { username: 'NEW.one', password: 'Good-Password-1', orgId: 's3' },
    });
    expect(dup.json().code).toBe('EDU_ERR_CONFLICT');
    const list = await h.req(admin, { method: 'GET', url: '/api/users' });
    expect(
      list
        .json()
        .items.map((u: { orgId: string }) => u.orgId)
        .every((o: string) => ['c2', 's3'].includes(o)),
    ).toBe(true);
    const user = await h.login('new.one', 'Good-Password-1');
    const id = created.json().id;
    expect(
      (await h.req(admin, { method: 'PATCH', url: `/api/users/${id}`, payload: { disabled: true } })).json().disabled,
    ).toBe(true);
    expect((await h.req(user, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
    const dis = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'new.one', password: 'Good-Password-1' },
    });
    expect(dis.json().code).toBe('EDU_ERR_AUTH_FAILED');
    const hidden = h.app.ctx.state.users.byUsername('school_officer.s1')!;
    expect((await h.req(admin, { method: 'GET', url: `/api/users/${hidden.id}` })).statusCode).toBe(404);
    const self = h.app.ctx.state.users.byUsername('sys_admin.c2')!;
    expect(
      (await h.req(admin, { method: 'PATCH', url: `/api/users/${self.id}`, payload: { disabled: true } })).json().code,
    ).toBe('EDU_ERR_FORBIDDEN');
    expect((await h.req(admin, { method: 'DELETE', url: `/api/users/${id}` })).statusCode).toBe(204);
    expect(h.app.ctx.state.users.byUsername('new.one')).toBeUndefined();
  });

  it('edits the organisation tree with CIDR checks and level rules', async () => {
    const admin = await h.login('sys_admin.p1');
    const badCidr = await h.req(admin, {
      method: 'POST',
      url: '/api/orgs',
      payload: { name: 'X', level: 'school', parentId: 'c1', cidrs: ['10.0.0.0/8', 'not-a-cidr'] },
    });
    expect(badCidr.statusCode).toBe(400);
    expect(badCidr.json().message).toMatch(/body\/cidrs\/1 "not-a-cidr"/);
    const badLevel = await h.req(admin, {
      method: 'POST',
      url: '/api/orgs',
      payload: { name: 'X', level: 'school', parentId: 'p1' },
    });
    expect(badLevel.json().message).toMatch(/body\/level/);
    const ok = await h.req(admin, {
      id: 's8',
      method: 'POST',
      url: '/api/orgs',
      payload: { id: 's8', name: '九中', level: 'school', parentId: 'c2', cidrs: ['10.9.0.0/16', '2001:db8::/48'] },
    } as never);
    expect(ok.statusCode).toBe(201);
    expect(
      (await h.req(admin, { method: 'PATCH', url: '/api/orgs/s8', payload: { cidrs: ['10.19.0.0/16'] } })).json().cidrs,
    ).toEqual(['10.19.0.0/16']);
    expect((await h.req(admin, { method: 'DELETE', url: '/api/orgs/c1' })).json().code).toBe('EDU_ERR_CONFLICT');
    expect((await h.req(admin, { method: 'DELETE', url: '/api/orgs/s8' })).statusCode).toBe(204);
    const officer = await h.login('school_officer.s1');
    const tree = await h.req(officer, { method: 'GET', url: '/api/orgs' });
    expect(tree.json().items.map((o: { id: string }) => o.id)).toEqual(['s1']);
    const prov = await h.req(await h.login('province_monitor.p1'), { method: 'GET', url: '/api/orgs' });
    expect(prov.json().items.map((o: { id: string }) => o.id)).toEqual(['p1', 'c1', 'c2', 's1', 's2', 's3']);
  });
});
