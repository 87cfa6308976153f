import Database from 'better-sqlite3';
import { join } from 'node:path';
import { harness, type Harness } from './helpers';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(() => h.close());

async function someActivity(): Promise<void> {
  await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'ghost', password: 'x' } });
  await h.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username: 'school_officer.s1', password: 'bad' },
  });
  const admin = await h.login('sys_admin.p1');
  await h.req(admin, {
    method: 'POST',
    url: '/api/orgs',
    payload: { id: 's7', name: '七中', level: 'school', parentId: 'c1', cidrs: ['10.7.0.0/16'] },
  });
  await h.req(admin, { method: 'PATCH', url: '/api/orgs/s7', payload: { name: '七中(新)' } });
  await h.req(admin, { method: 'POST', url: '/api/auth/logout' });
}

function raw(): Database.Database {
  h.app.ctx.state.db.pragma('wal_checkpoint(FULL)');
  return new Database(join(h.dir, 'console.db'));
}

describe('audit trail', () => {
  it('records logins, failed logins, logouts and writes; audit readers see them, scoped', async () => {
    await someActivity();
    const aa = await h.login('audit_admin.p1');
    const res = await h.req(aa, { method: 'GET', url: '/api/audit?pageSize=50' });
    expect(res.statusCode).toBe(200);
    const actions = res
      .json()
      .items.map((r: { action: string }) => r.action)
      .reverse();
    expect(actions).toEqual([
      'auth.login_failed',
      'auth.login_failed',
      'auth.login',
      'org.create',
      'org.update',
      'auth.logout',
      'auth.login',
    ]);
    const failed = res.json().items.find((r: { actor: string }) => r.actor === 'school_officer.s1');
    expect(failed).toMatchObject({ outcome: 'failure', orgId: 's1', ip: '127.0.0.1' });
    const cityAudit = await h.req(await h.login('audit_admin.c1'), { method: 'GET', url: '/api/audit?pageSize=50' });
    const orgs = cityAudit.json().items.map((r: { orgId: string | null }) => r.orgId);
    expect(orgs).toContain('s1');
    expect(orgs.every((o: string | null) => o === 's1' || o === 'c1')).toBe(true);
    const filtered = await h.req(aa, { method: 'GET', url: '/api/audit?action=org.create' });
    expect(filtered.json().total).toBe(1);
    const v = await h.req(aa, { method: 'GET', url: '/api/audit/verify' });
    expect(v.json()).toMatchObject({ ok: true, firstBroken: null });
    expect(v.json().count).toBeGreaterThanOrEqual(8);
  });

  it('names the first broken link when a record is edited behind the server', async () => {
    await someActivity();
    const db = raw();
    db.prepare("UPDATE audit SET actor = 'someone-else' WHERE seq = 3").run();
    db.prepare("UPDATE audit SET details = '{}' WHERE seq = 5").run();
    db.close();
    expect(h.app.ctx.state.audit.verify().firstBroken).toEqual({ seq: 3, reason: 'modified' });
  });

  it('names the first broken link when a record is deleted', async () => {
    await someActivity();
    const db = raw();
    db.prepare('DELETE FROM audit WHERE seq = 4').run();
    db.close();
    expect(h.app.ctx.state.audit.verify().firstBroken).toEqual({ seq: 4, reason: 'deleted' });
  });

  it('detects deleting the newest records', async () => {
    await someActivity();
    const db = raw();
    const last = (db.prepare('SELECT max(seq) m FROM audit').get() as { m: number }).m;
    db.prepare('DELETE FROM audit WHERE seq = ?').run(last);
    db.close();
    expect(h.app.ctx.state.audit.verify().firstBroken).toEqual({ seq: last, reason: 'deleted' });
  });

  it('names the first broken link when a record is inserted, at the end or by renumbering the middle', async () => {
    await someActivity();
    let db = raw();
    const last = db.prepare('SELECT * FROM audit ORDER BY seq DESC LIMIT 1').get() as Record<string, unknown>;
    db.prepare(
      'INSERT INTO audit (seq, at, actor, role, org_id, ip, action, target, outcome, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      (last.seq as number) + 1,
      last.at,
      'forger',
      'sys_admin',
      'p1',
      '1.2.3.4',
      'user.create',
      null,
      'success',
      '{}',
      last.hash,
      'f'.repeat(64),
    );
    db.close();
    expect(h.app.ctx.state.audit.verify().firstBroken).toEqual({ seq: (last.seq as number) + 1, reason: 'inserted' });

    db = raw();
    db.prepare('DELETE FROM audit WHERE seq = ?').run((last.seq as number) + 1);
    // Shift records 3.. up by one and put a forged record at 3.
    const rows = db.prepare('SELECT * FROM audit WHERE seq >= 3 ORDER BY seq DESC').all() as Record<string, unknown>[];
    for (const r of rows) db.prepare('UPDATE audit SET seq = ? WHERE seq = ?').run((r.seq as number) + 1, r.seq);
    const two = db.prepare('SELECT hash FROM audit WHERE seq = 2').get() as { hash: string };
    db.prepare(
      "INSERT INTO audit (seq, at, actor, role, org_id, ip, action, target, outcome, details, prev_hash, hash) VALUES (3, 0, 'forger', null, null, null, 'auth.login', null, 'success', '{}', ?, ?)",
    ).run(two.hash, 'e'.repeat(64));
    db.close();
    const r = h.app.ctx.state.audit.verify();
    expect(r.ok).toBe(false);
    expect(r.firstBroken!.seq).toBe(3);
  });

  it('keeps working after verification fails: new records still append', async () => {
    await someActivity();
    const before = h.app.ctx.state.audit.verify().count;
    await h.login('auditor.p1');
    expect(h.app.ctx.state.audit.verify()).toMatchObject({ ok: true, count: before + 1 });
  });
});
