/**
 * Sessions: a password change ends the account's other sessions and always needs the
 * current password; sessions have an absolute lifetime besides the idle timeout; the
 * auth hook decides on the matched route, not the raw URL.
 */
import type { AddressInfo } from 'node:net';
import { io as connect } from 'socket.io-client';
import { harness, PASSWORD, type Harness } from './helpers';

let h: Harness;
beforeEach(async () => {
  h = await harness({ hashCost: { memoryCost: 4096, timeCost: 2, parallelism: 1 } });
});
afterEach(() => h.close());

describe('password change', () => {
  it('ends every other session of the account and keeps the one that changed it', async () => {
    const here = await h.login('city_monitor.c1');
    const elsewhere = await h.login('city_monitor.c1');
    const res = await h.req(here, {
      method: 'POST',
      url: '/api/auth/password',
      payload: { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' },
    });
    expect(res.statusCode).toBe(204);
    expect((await h.req(here, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(200);
    const other = await h.req(elsewhere, { method: 'GET', url: '/api/auth/me' });
    expect(other.statusCode).toBe(401);
    expect(other.json().code).toBe('EDU_ERR_AUTH_REQUIRED');
  });

  it('a system administrator changes their own password only with the current one', async () => {
    const admin = await h.login('sys_admin.p1');
    const self = h.app.ctx.state.users.byUsername('sys_admin.p1')!;
    const viaPatch = await h.req(admin, {
      method: 'PATCH',
      url: `/api/users/${self.id}`,
      payload: { password: 'No-Current-Pass-8' },
    });
    expect(viaPatch.statusCode).toBe(403);
    expect(h.app.ctx.state.users.byId(self.id)!.passwordHash).toBe(self.passwordHash);
    const wrong = await h.req(admin, {
      method: 'POST',
      url: '/api/auth/password',
      payload: { currentPassword: 'not-it', newPassword: 'No-Current-Pass-8' },
    });
    expect(wrong.json().code).toBe('EDU_ERR_AUTH_FAILED');
    expect(h.app.ctx.state.users.byId(self.id)!.passwordHash).toBe(self.passwordHash);
  });
});

describe('session lifetime', () => {
  it('ends a busy session after the absolute lifetime (default 12 h), whatever the idle timeout', async () => {
    const s = await h.login('province_monitor.p1');
    const me = (await h.req(s, { method: 'GET', url: '/api/auth/me' })).json();
    expect(Date.parse(me.expiresAt)).toBe(h.clock.now + 12 * 3_600_000);
    // A wall display refreshing every 10 minutes for 12 hours.
    for (let t = 0; t < 12 * 6; t++) {
      h.clock.now += 10 * 60_000;
      const res = await h.req(s, { method: 'GET', url: '/api/auth/me' });
      if (t < 12 * 6 - 1) expect(res.statusCode).toBe(200);
    }
    h.clock.now += 1;
    const res = await h.req(s, { method: 'GET', url: '/api/posture' });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('EDU_ERR_SESSION_EXPIRED');
  });

  it('takes the lifetime from console.session.absoluteHours', async () => {
    const short = await harness({ config: { session: { idleMinutes: 120, absoluteHours: 1 } } });
    try {
      const s = await short.login('school_officer.s1');
      short.clock.now += 50 * 60_000;
      expect((await short.req(s, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(200);
      short.clock.now += 10 * 60_000 + 1;
      expect((await short.req(s, { method: 'GET', url: '/api/auth/me' })).json().code).toBe('EDU_ERR_SESSION_EXPIRED');
    } finally {
      await short.close();
    }
  });
});

describe('the auth hook decides on the matched route', () => {
  it('an encoded path reaches no API route without a session, CSRF token and permission', async () => {
    // "/%61pi/roles" is routed to "/api/roles".
    const anon = await h.app.inject({ method: 'GET', url: '/%61pi/roles' });
    expect(anon.statusCode).toBe(401);
    expect(anon.json().code).toBe('EDU_ERR_AUTH_REQUIRED');
    const officer = await h.login('school_officer.s1');
    const noCsrf = await h.app.inject({
      method: 'POST',
      url: '/%61pi/auth/logout',
      headers: { cookie: officer.cookie },
    });
    expect(noCsrf.json().code).toBe('EDU_ERR_CSRF');
    const forbidden = await h.req(officer, { method: 'GET', url: '/%61pi/users' });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().code).toBe('EDU_ERR_FORBIDDEN');
    const ok = await h.req(officer, { method: 'GET', url: '/%61pi/roles' });
    expect(ok.statusCode).toBe(200);
  });
});

describe('live pushes', () => {
  it('a session that must change its password joins no alert or collector room until it has', async () => {
    const live = await harness({ live: true, hashCost: { memoryCost: 4096, timeCost: 2, parallelism: 1 } });
    const sockets: ReturnType<typeof connect>[] = [];
    try {
      await live.app.listen({ host: '127.0.0.1', port: 0 });
      const url = `http://127.0.0.1:${(live.app.server.address() as AddressInfo).port}`;
      const fresh = live.app.ctx.state.users.byUsername('school_officer.s1')!;
      live.app.ctx.state.users.update(fresh.id, { mustChangePassword: true });
      const open = async (cookie: string) => {
        const socket = connect(url, {
          path: '/socket.io',
          transports: ['websocket'],
          reconnection: false,
          extraHeaders: { cookie },
        });
        sockets.push(socket);
        await new Promise<void>((resolve, reject) => {
          socket.on('connect', () => resolve());
          socket.on('connect_error', reject);
        });
      };
      const rooms = async () => ({
        alerts: (await live.app.io!.in('alerts:s1').fetchSockets()).length,
        collectors: (await live.app.io!.in('collectors:s1').fetchSockets()).length,
      });
      const s = await live.login('school_officer.s1');
      await open(s.cookie);
      expect(await rooms()).toEqual({ alerts: 0, collectors: 0 });
      const changed = await live.req(s, {
        method: 'POST',
        url: '/api/auth/password',
        payload: { currentPassword: PASSWORD, newPassword: 'Owner-Chosen-Pass-5' },
      });
      expect(changed.statusCode).toBe(204);
      await open(s.cookie);
      expect(await rooms()).toEqual({ alerts: 1, collectors: 1 });
    } finally {
      for (const socket of sockets) socket.close();
      await live.close();
    }
  });
});
