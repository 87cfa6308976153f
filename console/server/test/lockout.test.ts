/**
 * Login lockout under parallel guesses, per account and per client address, and one
 * answer for every failed login (no username enumeration).
 */
import { harness, PASSWORD, type Harness } from './helpers';

let h: Harness;
beforeEach(async () => {
  h = await harness({
    config: {
      rateLimit: { max: 100_000, windowMs: 60_000, loginMax: 10_000 },
      lockout: { threshold: 5, minutes: 10, addressThreshold: 12 },
    },
    // The fixture accounts' cost, so refused attempts (verified against a dummy hash) are as cheap.
    hashCost: { memoryCost: 4096, timeCost: 2, parallelism: 1 },
  });
});
afterEach(() => h.close());

const login = (username: string, password: string, remoteAddress = '127.0.0.1') =>
  h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, remoteAddress });

describe('lockout', () => {
  it('a burst of 15 wrong passwords and the right one in parallel never logs in, and locks the account', async () => {
    const user = 'school_officer.s1';
    // Each guess from its own address, so only the account's count is at work.
    const burst = [
      ...Array.from({ length: 15 }, (_, i) => login(user, `wrong-${i}`, `127.0.1.${i + 1}`)),
      login(user, PASSWORD, '127.0.2.1'),
    ];
    const answers = await Promise.all(burst);
    expect(answers.map((r) => r.statusCode)).toEqual(Array(16).fill(401));
    expect(answers.every((r) => r.cookies.length === 0)).toBe(true);
    const row = h.app.ctx.state.users.byUsername(user)!;
    expect(row.lockedUntilMs).toBe(h.clock.now + 10 * 60_000);
    // Still locked for the right password, until the lock expires.
    expect((await login(user, PASSWORD, '127.0.3.1')).statusCode).toBe(401);
    h.clock.now += 10 * 60_000 + 1;
    expect((await login(user, PASSWORD, '127.0.3.1')).statusCode).toBe(200);
  });

  it('the right password first in a parallel burst may log in, but no more than threshold guesses are verified', async () => {
    const user = 'school_officer.s2';
    const answers = await Promise.all([
      login(user, PASSWORD, '127.0.2.1'),
      ...Array.from({ length: 15 }, (_, i) => login(user, `wrong-${i}`, `127.0.1.${i + 1}`)),
    ]);
    const failures = h.app.ctx.state.audit
      .list({ limit: 100, offset: 0 })
      .items.filter((r) => r.action === 'auth.login_failed' && r.actor === user);
    const reasons = failures.map((r) => (r.details as { reason: string }).reason);
    // At most threshold − 1 wrong guesses ran beside the right one; the rest were refused unverified.
    expect(reasons.filter((r) => r === 'wrong password').length).toBeLessThanOrEqual(4);
    expect(reasons.filter((r) => r === 'account locked').length).toBeGreaterThanOrEqual(11);
    expect(answers.filter((r) => r.statusCode === 200).length).toBeLessThanOrEqual(1);
  });

  it('locks a client address that guesses across many usernames', async () => {
    const names = ['school_officer.s1', 'school_officer.s2', 'city_monitor.c1', 'auditor.s1', 'ghost'];
    for (let i = 0; i < 12; i++) await login(names[i % names.length], 'wrong', '127.0.9.9');
    // No account reached its own threshold, but the address is locked: even a right password from it fails.
    expect(h.app.ctx.state.users.byUsername('city_monitor.c2')!.lockedUntilMs).toBeNull();
    expect((await login('city_monitor.c2', PASSWORD, '127.0.9.9')).statusCode).toBe(401);
    expect((await login('city_monitor.c2', PASSWORD, '127.0.9.10')).statusCode).toBe(200);
    const locked = h.app.ctx.state.audit
      .list({ limit: 100, offset: 0 })
      .items.find((r) => r.action === 'auth.address_locked');
    expect(locked?.details).toMatchObject({ address: '127.0.9.9' });
    h.clock.now += 10 * 60_000 + 1;
    expect((await login('city_monitor.c2', PASSWORD, '127.0.9.9')).statusCode).toBe(200);
  });
});

describe('one answer for every failed login', () => {
  it('unknown user, wrong password, locked and disabled accounts answer the same, with no details', async () => {
    const admin = await h.login('sys_admin.p1');
    const disabled = h.app.ctx.state.users.byUsername('auditor.s1')!;
    expect(
      (await h.req(admin, { method: 'PATCH', url: `/api/users/${disabled.id}`, payload: { disabled: true } }))
        .statusCode,
    ).toBe(200);
    for (let i = 0; i < 5; i++) await login('school_officer.s3', 'wrong', `127.0.4.${i + 1}`);
    const answers = {
      unknown: await login('nobody-here', 'wrong', '127.0.5.1'),
      wrong: await login('school_officer.s1', 'wrong', '127.0.5.2'),
      lockedWrong: await login('school_officer.s3', 'wrong', '127.0.5.3'),
      lockedRight: await login('school_officer.s3', PASSWORD, '127.0.5.4'),
      disabledWrong: await login('auditor.s1', 'wrong', '127.0.5.5'),
      // The disabled check no longer waits for a right password to speak.
      disabledRight: await login('auditor.s1', PASSWORD, '127.0.5.6'),
    };
    const shapes = Object.values(answers).map((r) => ({ status: r.statusCode, body: r.json() }));
    for (const s of shapes) expect(s).toEqual(shapes[0]);
    expect(shapes[0].status).toBe(401);
    expect(shapes[0].body.code).toBe('EDU_ERR_AUTH_FAILED');
    expect(shapes[0].body.details).toBeUndefined();
    // The audit trail keeps the real reasons for the administrators.
    const reasons = h.app.ctx.state.audit
      .list({ limit: 200, offset: 0 })
      .items.filter((r) => r.action === 'auth.login_failed')
      .map((r) => (r.details as { reason: string }).reason);
    expect(new Set(reasons)).toEqual(new Set(['unknown user', 'wrong password', 'account locked', 'disabled']));
  });
});
