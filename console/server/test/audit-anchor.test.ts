/**
 * The audit trail's tail is anchored outside the database (issue 13 item 4): cutting the
 * newest records (and pointing the head at the new last one) or wiping them all no longer
 * verifies; the checkpoints are signed, counted, appended to a file and sent to syslog;
 * verification below the installation root covers the caller's subtree only.
 */
import Database from 'better-sqlite3';
import { createSocket } from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { harness, type Harness } from './helpers';

const RATE = { max: 100_000, windowMs: 60_000, loginMax: 10_000 };
let h: Harness;
afterEach(() => h?.close());

async function activity(): Promise<void> {
  await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'ghost', password: 'x' } });
  const admin = await h.login('sys_admin.p1');
  await h.req(admin, {
    method: 'POST',
    url: '/api/orgs',
    payload: { id: 's7', name: '七中', level: 'school', parentId: 'c1', cidrs: ['10.7.0.0/16'] },
  });
  await h.req(admin, { method: 'PATCH', url: '/api/orgs/s7', payload: { name: '七中(新)' } });
  await h.login('school_officer.s1');
  await h.login('auditor.s1');
}

function raw(): Database.Database {
  h.app.ctx.state.db.pragma('wal_checkpoint(FULL)');
  return new Database(join(h.dir, 'console.db'));
}

/** What an attacker with the database does: delete the newest rows and point the head at the new last one. */
function cutTail(n: number): number {
  const db = raw();
  const last = (db.prepare('SELECT max(seq) m FROM audit').get() as { m: number }).m;
  db.prepare('DELETE FROM audit WHERE seq > ?').run(last - n);
  const row = db.prepare('SELECT seq, hash FROM audit WHERE seq = ?').get(last - n) as { seq: number; hash: string };
  db.prepare("UPDATE meta SET value = ? WHERE key = 'audit_head'").run(JSON.stringify(row));
  db.close();
  return last;
}

const verify = () => h.app.ctx.state.audit.verify();
const checkpoints = () => join(h.dir, 'console-audit.checkpoints');

describe('audit tail anchoring', () => {
  beforeEach(async () => {
    h = await harness({ config: { rateLimit: RATE, audit: { checkpointSeconds: 60, syslog: 'off' } } });
  });

  it('detects a cut tail relative to the last checkpoint, and says so', async () => {
    await activity();
    const c = h.app.ctx.state.audit.checkpoint()!;
    expect(c).toMatchObject({ counter: 1, seq: expect.any(Number) });
    const last = cutTail(3);
    expect(last).toBe(c.seq);
    const r = verify();
    expect(r.ok).toBe(false);
    expect(r.firstBroken).toEqual({ seq: last - 2, reason: 'truncated' });
    expect(r.message).toMatch(new RegExp(`ends at record ${last - 3} but checkpoint #1 .* anchored record ${last}`));
  });

  it('detects a wipe: every record and the head deleted no longer verifies as "ok, count 0"', async () => {
    await activity();
    h.app.ctx.state.audit.checkpoint();
    const db = raw();
    db.prepare('DELETE FROM audit').run();
    db.prepare("DELETE FROM meta WHERE key = 'audit_head'").run();
    db.close();
    const r = verify();
    expect(r).toMatchObject({ ok: false, count: 0, firstBroken: { seq: 1, reason: 'truncated' } });
    expect(r.message).toMatch(/ends at record 0 .* were cut/);
  });

  it('detects a rewritten record at the checkpoint, a cut or forged checkpoint file and an old database put back', async () => {
    await activity();
    const first = h.app.ctx.state.audit.checkpoint()!;
    expect(h.app.ctx.state.audit.checkpoint()).toBeNull(); // the head did not move
    await h.login('auditor.p1');
    const second = h.app.ctx.state.audit.checkpoint()!;
    expect(second.counter).toBe(2);
    expect(verify()).toMatchObject({ ok: true, checkpoint: { counter: 2, seq: second.seq } });

    const lines = readFileSync(checkpoints(), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    writeFileSync(checkpoints(), lines[0] + '\n');
    expect(verify()).toMatchObject({ ok: false, firstBroken: { reason: 'checkpoints_cut' } });

    const forged = { ...JSON.parse(lines[1]), seq: first.seq };
    writeFileSync(checkpoints(), [lines[0], JSON.stringify(forged)].join('\n') + '\n');
    expect(verify()).toMatchObject({ ok: false, firstBroken: { reason: 'checkpoints_forged' } });

    writeFileSync(checkpoints(), lines.join('\n') + '\n');
    expect(verify().ok).toBe(true);
    const db = raw();
    db.prepare("UPDATE meta SET value = '{\"counter\":1}' WHERE key = 'audit_checkpoint'").run();
    db.close();
    expect(verify()).toMatchObject({ ok: false, firstBroken: { reason: 'rolled_back' } });
  });

  it('checkpoints when the console stops, and a checkpoint file from another installation does not verify', async () => {
    await activity();
    const head = h.app.ctx.state.audit.list({ limit: 1, offset: 0 }).items[0];
    await h.app.close();
    const lines = readFileSync(checkpoints(), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ counter: 1, seq: head.seq, hash: head.hash });
    // Another console (its own key) pointed at this file: the lines are not its signatures.
    const h2 = await harness({
      config: { rateLimit: RATE, audit: { checkpointSeconds: 60, syslog: 'off', checkpointPath: checkpoints() } },
    });
    try {
      expect(h2.app.ctx.state.audit.verify()).toMatchObject({
        ok: false,
        firstBroken: { reason: 'checkpoints_forged' },
      });
    } finally {
      await h2.close();
    }
  });
});

describe('checkpoints in the system log', () => {
  it('sends each checkpoint to syslog through logger(1)', async () => {
    const sock = createSocket('udp4');
    const got: string[] = [];
    sock.on('message', (m) => got.push(String(m)));
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    const port = (sock.address() as AddressInfo).port;
    try {
      h = await harness({
        config: {
          rateLimit: RATE,
          audit: { checkpointSeconds: 60, syslog: { host: '127.0.0.1', port, protocol: 'udp' } },
        },
      });
      await activity();
      const c = h.app.ctx.state.audit.checkpoint()!;
      for (let i = 0; i < 100 && !got.length; i++) await new Promise((r) => setTimeout(r, 50));
      expect(got).toHaveLength(1);
      expect(got[0]).toContain('edusentry-audit');
      const line = JSON.parse(got[0].slice(got[0].indexOf('{')));
      expect(line).toEqual(JSON.parse(readFileSync(checkpoints(), 'utf8').trim()));
      expect(line).toMatchObject({ counter: 1, seq: c.seq, hash: c.hash });
    } finally {
      sock.close();
    }
  });
});

describe('scoped verification', () => {
  beforeEach(async () => {
    h = await harness({ config: { rateLimit: RATE, audit: { checkpointSeconds: 60, syslog: 'off' } } });
  });

  it("a school auditor gets their subtree's result, not the installation's counts", async () => {
    await activity();
    const all = h.app.ctx.state.audit.list({ limit: 1000, offset: 0 }).items;
    const school = await h.req(await h.login('auditor.s1'), { method: 'GET', url: '/api/audit/verify' });
    const inS1 = h.app.ctx.state.audit.list({ orgIds: ['s1'], limit: 1000, offset: 0 }).total;
    expect(school.json()).toMatchObject({ ok: true, scope: 's1', count: inS1 });
    expect(school.json().checkpoint).toBeUndefined();
    expect(inS1).toBeLessThan(all.length);
    const root = await h.req(await h.login('audit_admin.p1'), { method: 'GET', url: '/api/audit/verify' });
    expect(root.json()).toMatchObject({ ok: true, scope: 'installation' });
    expect(root.json().count).toBeGreaterThan(all.length);

    // A broken record outside the school: the school learns the trail is broken, not where.
    const outside = all.find((r) => r.orgId === 'p1')!;
    const db = raw();
    db.prepare("UPDATE audit SET action = 'x' WHERE seq = ?").run(outside.seq);
    db.close();
    const broken = await h.req(await h.login('auditor.s1'), { method: 'GET', url: '/api/audit/verify' });
    expect(broken.json()).toMatchObject({ ok: false, firstBroken: { seq: null, reason: 'modified' } });
    const seen = await h.req(await h.login('audit_admin.p1'), { method: 'GET', url: '/api/audit/verify' });
    expect(seen.json().firstBroken).toEqual({ seq: outside.seq, reason: 'modified' });
  });
});
