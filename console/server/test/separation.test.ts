/**
 * 三员 separation as a property: random sequences of account operations, each by one
 * administrator alone (system, security or audit administrator), never give an account
 * a permission it did not have (the security administrator only grants non-administrator
 * roles inside its subtree), never change an administrator account, and never give the
 * acting administrator a session — its own, or one of an account whose password it set —
 * that reads or triages alerts.
 */
import type { InjectOptions } from 'fastify';
import { GRANTABLE_ROLES, isAdminRole, permissionsOf, ROLES, type Role } from '../src/auth/roles';
import { createAccount, type User } from '../src';
import { alert, docs, harness, ORGS, PASSWORD, userName, type Harness, type Session } from './helpers';

type Op =
  | { op: 'create'; n: number; org: string; role: Role | null | undefined }
  | {
      op: 'patch';
      target: number;
      body: { displayName?: string; disabled?: boolean; password?: string; role?: Role; orgId?: string };
    }
  | { op: 'grant'; target: number; role: Role | null; org: string | undefined }
  | { op: 'unlock' | 'delete' | 'login'; target: number }
  | { op: 'ownPassword'; n: number };

const passwordOf = (n: number) => `Zq!8-secret-${n}`;

/** A small seeded generator (mulberry32), so a failing sequence is reproduced from the seed it prints. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const of = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  return { int, of, bool: () => next() < 0.5 };
}

const ORG_IDS = [...ORGS.map((o) => o.id), 'nowhere'];
const ROLE_OR_NONE: (Role | null)[] = [...ROLES, null];

function randomOps(seed: number, length: number): Op[] {
  const r = rng(seed);
  return Array.from({ length }, (): Op => {
    switch (r.int(6)) {
      case 0:
        return { op: 'create', n: r.int(100), org: r.of(ORG_IDS), role: r.bool() ? r.of(ROLE_OR_NONE) : undefined };
      case 1: {
        const body: Extract<Op, { op: 'patch' }>['body'] = {};
        if (r.bool()) body.displayName = 'x';
        if (r.bool()) body.disabled = r.bool();
        if (r.bool()) body.password = passwordOf(r.int(100));
        if (r.int(4) === 0) body.role = r.of(ROLES);
        if (r.int(4) === 0) body.orgId = r.of(ORG_IDS);
        return { op: 'patch', target: r.int(1000), body };
      }
      case 2:
        return {
          op: 'grant',
          target: r.int(1000),
          role: r.of(ROLE_OR_NONE),
          org: r.bool() ? r.of(ORG_IDS) : undefined,
        };
      case 3:
        return { op: 'ownPassword', n: r.int(100) };
      default:
        return { op: r.of(['unlock', 'delete', 'login', 'login'] as const), target: r.int(1000) };
    }
  });
}

/** The sequences set many passwords: cheap argon2id hashes keep the run in seconds. */
const CHEAP = { memoryCost: 4096, timeCost: 2, parallelism: 1 };

/** Sequences per administrator (each on a fresh console). */
const RUNS = 8;

const ADMINS = [userName('sys_admin', 'p1'), userName('sec_admin', 'p1'), userName('audit_admin', 'p1')];

/** Runs `ops` as `adminName` on a fresh console and checks the invariants. */
async function run(adminName: string, ops: Op[]): Promise<void> {
  const h: Harness = await harness({ hashCost: CHEAP });
  try {
    const a = alert(0, 's1');
    await h.store.write(docs(a));
    const users = h.app.ctx.state.users;
    const all = (): User[] => users.list({ orgIds: ORGS.map((o) => o.id), limit: 1000, offset: 0 }).items;
    const before = new Map(all().map((u) => [u.id, { ...users.byId(u.id)! }]));
    // What the administrator knows: its own password, and those it sets.
    const known = new Map<string, string>([[adminName, PASSWORD]]);
    let admin: Session = await h.login(adminName);
    const call = (s: Session, o: InjectOptions) => h.req(s, o);

    /** A session the administrator holds must not read or triage alerts. */
    const assertNoAlerts = async (s: Session, who: string) => {
      const list = await call(s, { method: 'GET', url: '/api/alerts' });
      const one = await call(s, { method: 'GET', url: `/api/alerts/${a.event.id}` });
      const triage = await call(s, {
        method: 'POST',
        url: `/api/alerts/${a.event.id}/triage`,
        payload: { action: 'close', reason: 'x' },
      });
      for (const res of [list, one, triage])
        if (res.statusCode < 400) throw new Error(`${adminName} got a session of ${who} that works alerts`);
    };
    await assertNoAlerts(admin, adminName);

    for (const op of ops) {
      const list = all();
      const pick = (i: number) => list[i % list.length];
      switch (op.op) {
        case 'create': {
          const username = `acct-${op.n}`;
          const res = await call(admin, {
            method: 'POST',
            url: '/api/users',
            payload: {
              username,
              password: passwordOf(op.n),
              orgId: op.org,
              ...(op.role !== undefined ? { role: op.role } : {}),
            },
          });
          if (res.statusCode === 201) {
            if (res.json().role !== null) throw new Error(`a new account got role ${res.json().role}`);
            known.set(username, passwordOf(op.n));
          }
          break;
        }
        case 'patch': {
          const t = pick(op.target);
          const res = await call(admin, { method: 'PATCH', url: `/api/users/${t.id}`, payload: op.body });
          if (res.statusCode === 200 && op.body.password) known.set(t.username, op.body.password);
          break;
        }
        case 'grant': {
          const t = pick(op.target);
          await call(admin, {
            method: 'PUT',
            url: `/api/users/${t.id}/grant`,
            payload: { role: op.role, ...(op.org ? { orgId: op.org } : {}) },
          });
          break;
        }
        case 'unlock':
        case 'delete': {
          const t = pick(op.target);
          await call(admin, {
            method: op.op === 'delete' ? 'DELETE' : 'POST',
            url: `/api/users/${t.id}${op.op === 'unlock' ? '/unlock' : ''}`,
          });
          break;
        }
        case 'ownPassword': {
          const res = await call(admin, {
            method: 'POST',
            url: '/api/auth/password',
            payload: { currentPassword: known.get(adminName)!, newPassword: passwordOf(op.n + 100) },
          });
          if (res.statusCode === 204) known.set(adminName, passwordOf(op.n + 100));
          break;
        }
        case 'login': {
          const t = pick(op.target);
          const password = known.get(t.username);
          if (!password) break;
          const res = await h.app.inject({
            method: 'POST',
            url: '/api/auth/login',
            payload: { username: t.username, password },
          });
          if (res.statusCode !== 200) break;
          const s: Session = {
            cookie: `edu_session=${res.cookies.find((c) => c.name === 'edu_session')!.value}`,
            csrf: res.json().csrfToken,
            username: t.username,
          };
          if (res.json().user.mustChangePassword) {
            const next = `${password}-new`;
            const changed = await call(s, {
              method: 'POST',
              url: '/api/auth/password',
              payload: { currentPassword: password, newPassword: next },
            });
            if (changed.statusCode === 204) known.set(t.username, next);
          }
          await assertNoAlerts(s, t.username);
          if (t.username === adminName) admin = s;
          break;
        }
      }
    }

    // Invariants over every account that existed before.
    const grantable = new Set(GRANTABLE_ROLES.flatMap(permissionsOf));
    const scope = new Set(h.app.ctx.state.orgs.subtree(users.byUsername(adminName)!.orgId));
    for (const [id, was] of before) {
      const now = users.byId(id);
      if (!now) continue; // deleted
      const gained = permissionsOf(now.role).filter((p) => !permissionsOf(was.role).includes(p));
      if (isAdminRole(was.role)) {
        // Only its own password (through POST /api/auth/password) may change.
        const samePassword = now.username === adminName || now.passwordHash === was.passwordHash;
        expect({ role: now.role, org: now.orgId, samePassword }).toEqual({
          role: was.role,
          org: was.orgId,
          samePassword: true,
        });
        expect(now.disabled).toBe(was.disabled);
      } else if (adminName.startsWith('sec_admin')) {
        // The security administrator's grants: non-administrator roles, inside its subtree, nothing more.
        expect(gained.filter((p) => !grantable.has(p))).toEqual([]);
        if (now.role !== was.role || now.orgId !== was.orgId) {
          expect(scope.has(was.orgId) && scope.has(now.orgId)).toBe(true);
          expect(now.passwordHash).toBe(was.passwordHash);
        }
      } else {
        expect(gained).toEqual([]);
      }
    }
    // Accounts created during the run never hold more than a grantable role.
    for (const u of all())
      if (!before.has(u.id)) expect(u.role === null || GRANTABLE_ROLES.includes(u.role)).toBe(true);
    const alertNow = await h.app.ctx.store.get(a.event.id);
    expect((alertNow as unknown as { edu: { alert: { status: string } } }).edu.alert.status).toBe('new');
  } finally {
    await h.close();
  }
}

describe('三员 separation over random sequences of account operations', () => {
  for (const adminName of ADMINS)
    it(`${adminName} alone never gains alerts or raises an account's permissions`, async () => {
      const base = Number(process.env.EDU_SEPARATION_SEED ?? Date.now() % 1_000_000);
      for (let i = 0; i < RUNS; i++) {
        const seed = base + i;
        const ops = randomOps(seed, 1 + (seed % 14));
        try {
          await run(adminName, ops);
        } catch (err) {
          throw new Error(`EDU_SEPARATION_SEED=${seed}: ${(err as Error).message}\nops: ${JSON.stringify(ops)}`);
        }
      }
    }, 120_000);

  it('the command line (edusentry console create-admin) still creates every role, usable at once', async () => {
    const h = await harness({ hashCost: CHEAP });
    try {
      for (const role of ROLES) {
        const user = await createAccount(h.app.ctx.state, h.app.ctx.config, {
          username: `cli-${role}`,
          password: 'Cli-Chosen-Pass-1',
          role,
          orgId: 'p1',
        });
        expect(user).toMatchObject({ role, mustChangePassword: false });
        const s = await h.login(`cli-${role}`, 'Cli-Chosen-Pass-1');
        const me = (await h.req(s, { method: 'GET', url: '/api/auth/me' })).json();
        expect(me.permissions).toEqual(permissionsOf(role));
      }
    } finally {
      await h.close();
    }
  });

  it('the two administrators together can staff an account: created roleless, then granted', async () => {
    const h = await harness({ hashCost: CHEAP });
    try {
      const sys = await h.login('sys_admin.p1');
      const sec = await h.login('sec_admin.p1');
      const created = await h.req(sys, {
        method: 'POST',
        url: '/api/users',
        payload: { username: 'new.officer', password: 'Initial-Pass-1', orgId: 's1' },
      });
      expect(created.json()).toMatchObject({ role: null, mustChangePassword: true });
      const withRole = await h.req(sys, {
        method: 'POST',
        url: '/api/users',
        payload: { username: 'other', password: 'Initial-Pass-1', orgId: 's1', role: 'province_monitor' },
      });
      expect(withRole.statusCode).toBe(403);
      expect(withRole.json().message).toMatch(/^body\/role/);
      // The system administrator cannot grant, the security administrator can.
      const id = created.json().id;
      const sysGrant = await h.req(sys, {
        method: 'PUT',
        url: `/api/users/${id}/grant`,
        payload: { role: 'school_officer' },
      });
      expect(sysGrant.statusCode).toBe(403);
      const adminGrant = await h.req(sec, {
        method: 'PUT',
        url: `/api/users/${id}/grant`,
        payload: { role: 'sys_admin' },
      });
      expect(adminGrant.statusCode).toBe(400);
      const ok = await h.req(sec, {
        method: 'PUT',
        url: `/api/users/${id}/grant`,
        payload: { role: 'school_officer', orgId: 's2' },
      });
      expect(ok.json()).toMatchObject({ role: 'school_officer', orgId: 's2' });
      // The owner's first login: nothing but the password change until it is done.
      const owner = await h.login('new.officer', 'Initial-Pass-1');
      const me = await h.req(owner, { method: 'GET', url: '/api/auth/me' });
      expect(me.json()).toMatchObject({ user: { mustChangePassword: true }, permissions: [] });
      const blocked = await h.req(owner, { method: 'GET', url: '/api/alerts' });
      expect(blocked.statusCode).toBe(403);
      expect(blocked.json().code).toBe('EDU_ERR_PASSWORD_CHANGE_REQUIRED');
      const changed = await h.req(owner, {
        method: 'POST',
        url: '/api/auth/password',
        payload: { currentPassword: 'Initial-Pass-1', newPassword: 'Owner-Chosen-2' },
      });
      expect(changed.statusCode).toBe(204);
      expect((await h.req(owner, { method: 'GET', url: '/api/alerts' })).statusCode).toBe(200);
      // A reset by the system administrator takes the grant away again.
      const reset = await h.req(sys, {
        method: 'PATCH',
        url: `/api/users/${id}`,
        payload: { password: 'Reset-Pass-33' },
      });
      expect(reset.json()).toMatchObject({ role: null, mustChangePassword: true });
      expect((await h.req(owner, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
      // No administrator account can be changed through the API, the caller's own included.
      for (const name of ['sys_admin.p1', 'sys_admin.c2', 'sec_admin.p1', 'audit_admin.p1']) {
        const target = h.app.ctx.state.users.byUsername(name)!;
        for (const [s, o] of [
          [sys, { method: 'PATCH', url: `/api/users/${target.id}`, payload: { password: 'Taken-Over-44' } }],
          [sys, { method: 'PATCH', url: `/api/users/${target.id}`, payload: { disabled: true } }],
          [sys, { method: 'DELETE', url: `/api/users/${target.id}` }],
          [sec, { method: 'PUT', url: `/api/users/${target.id}/grant`, payload: { role: null } }],
        ] as const) {
          const res = await h.req(s, o as InjectOptions);
          expect([res.statusCode, res.json().code]).toEqual([403, 'EDU_ERR_FORBIDDEN']);
        }
        expect(h.app.ctx.state.users.byId(target.id)).toMatchObject({ role: target.role, disabled: false });
      }
    } finally {
      await h.close();
    }
  });
});
