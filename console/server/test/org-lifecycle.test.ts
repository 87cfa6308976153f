/**
 * Organisation ids are never reused and deletion keeps history (issue 13 item 12);
 * org-less records belong to the installation root only (item 11).
 */
import type { EcsEvent } from '@edusentry/core';
import type { Role } from '../src';
import { alert, docs, harness, T0, type Harness } from './helpers';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(() => h.close());

/** A user of `role` at `org`, with the fixture password. */
function addUser(role: Role, org: string): string {
  const { users } = h.app.ctx.state;
  const username = `${role}.${org}`;
  users.create({ username, role, orgId: org, passwordHash: users.byUsername('audit_admin.p1')!.passwordHash });
  return username;
}

describe('organisation deletion', () => {
  it('is a soft delete: the id is never given out again and the history stays with its ancestors', async () => {
    const admin = await h.login('sys_admin.p1');
    const made = await h.req(admin, {
      method: 'POST',
      url: '/api/orgs',
      payload: { id: 's7', name: '七中', level: 'school', parentId: 'c1', cidrs: ['10.7.0.0/16'] },
    });
    expect(made.statusCode).toBe(201);
    const old = alert(1, 's7');
    await h.store.write(docs(old));
    expect((await h.req(admin, { method: 'DELETE', url: '/api/orgs/s7' })).statusCode).toBe(204);

    const list = await h.req(admin, { method: 'GET', url: '/api/orgs' });
    expect(list.json().items.map((o: { id: string }) => o.id)).not.toContain('s7');
    expect((await h.req(admin, { method: 'GET', url: '/api/orgs/s7' })).statusCode).toBe(404);

    const again = await h.req(admin, {
      method: 'POST',
      url: '/api/orgs',
      payload: { id: 's7', name: '新七中', level: 'school', parentId: 'c2' },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toMatch(/^body\/id "s7" belonged to an organisation deleted at .*never reused/);

    // Nothing new can be put under the deleted node.
    const child = await h.req(admin, {
      method: 'POST',
      url: '/api/users',
      payload: { username: 'late', password: 'Good-Password-1', role: 'school_officer', orgId: 's7' },
    });
    expect(child.statusCode).toBeGreaterThanOrEqual(400);
    expect(h.app.ctx.state.users.byUsername('late')).toBeUndefined();

    // The city still sees the deleted school's alert; the deletion is in the audit trail and the row is kept.
    const city = await h.login('city_monitor.c1');
    const alerts = await h.req(city, {
      method: 'GET',
      url: `/api/alerts?from=${T0 - 86_400_000}&to=${T0 + 1}&pageSize=200`,
    });
    expect(alerts.json().items.map((a: { event: { id: string } }) => a.event.id)).toContain(old.event.id);
    const bySchool = await h.req(city, {
      method: 'GET',
      url: `/api/alerts?orgId=s7&from=${T0 - 86_400_000}&to=${T0 + 1}`,
    });
    expect(bySchool.json().items.map((a: { event: { id: string } }) => a.event.id)).toEqual([old.event.id]);
    const row = h.app.ctx.state.db.prepare("SELECT name FROM orgs WHERE id = 's7'").get();
    expect(row).toEqual({ name: '七中' });
    const aa = await h.login('audit_admin.p1');
    const trail = await h.req(aa, { method: 'GET', url: '/api/audit?action=org.delete' });
    expect(trail.json().items[0]).toMatchObject({ target: 's7', actor: 'sys_admin.p1' });
  });

  it('generated ids never collide with a deleted one', async () => {
    const admin = await h.login('sys_admin.p1');
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const r = await h.req(admin, {
        method: 'POST',
        url: '/api/orgs',
        payload: { name: `校${i}`, level: 'school', parentId: 'c2' },
      });
      expect(r.statusCode).toBe(201);
      ids.add(r.json().id);
      await h.req(admin, { method: 'DELETE', url: `/api/orgs/${r.json().id}` });
    }
    expect(ids.size).toBe(5);
  });
});

describe('records without an organisation', () => {
  it('belong to the installation root: another root province sees neither unknown-user logins nor org-less collectors', async () => {
    const otherAudit = addUser('audit_admin', 'p2');
    const otherMonitor = addUser('province_monitor', 'p2');
    await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'ghost', password: 'x' } });
    const hb = {
      '@timestamp': new Date(T0 - 5000).toISOString(),
      event: { id: 'hb-orgless', kind: 'metric', dataset: 'collector.heartbeat' },
      observer: { id: 'col-orgless' },
      edu: { collector: { uptime_s: 1, counters: {} } },
    } as unknown as EcsEvent;
    await h.store.write([hb]);

    const actors = async (username: string) =>
      (await h.req(await h.login(username), { method: 'GET', url: '/api/audit?pageSize=200' }))
        .json()
        .items.map((r: { actor: string | null }) => r.actor);
    expect(await actors('audit_admin.p1')).toContain('ghost');
    expect(await actors(otherAudit)).not.toContain('ghost');

    const collectors = async (username: string) =>
      (await h.req(await h.login(username), { method: 'GET', url: '/api/collectors' }))
        .json()
        .items.map((c: { observerId: string }) => c.observerId);
    expect(await collectors('province_monitor.p1')).toContain('col-orgless');
    expect(await collectors(otherMonitor)).not.toContain('col-orgless');
  });
});
