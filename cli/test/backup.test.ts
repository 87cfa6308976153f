import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupEvidence, EmbeddedStore, readHistory, readManifest } from '@edusentry/core';
import { auditCheckpointPath, ConsoleState } from '@edusentry/console-server';
import { generateEvents, sampleProvince } from '@edusentry/sample';
import { runCli } from './run-cli';

const root = join(__dirname, '..', '..');

/** A data directory as an installation leaves it: console state, events, analyzer state, audit key. */
async function installation(): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'edusentry-backup-'));
  const state = new ConsoleState(join(dataDir, 'console.db'));
  state.orgs.seed(sampleProvince());
  const school = state.orgs.all().find((o) => o.level === 'school')!.id;
  const top = state.orgs.all().find((o) => !o.parentId)!.id;
  for (const [username, role] of [
    ['admin', 'sys_admin'],
    ['sec', 'sec_admin'],
    ['officer', 'school_officer'],
  ] as const)
    state.users.create({
      username,
      role,
      orgId: role === 'school_officer' ? school : top,
      passwordHash: `hash-${username}`,
    });
  state.incidents.create({
    title: 'first',
    grade: '较大',
    category: '网络攻击事件',
    orgId: school,
    createdBy: 'admin',
    alertIds: ['x'],
  });
  state.audit.append({ actor: 'admin', action: 'user.create', target: 'sec' });
  state.close();
  const store = new EmbeddedStore({ path: dataDir });
  await store.init({ retentionDays: 3650 });
  await store.write(generateEvents({ seed: 1, count: 2000 }));
  await store.close();
  mkdirSync(join(dataDir, 'analyzer'));
  writeFileSync(join(dataDir, 'analyzer', 'state.json'), JSON.stringify({ cursor: { seq: 2000 }, dedup: {} }));
  return dataDir;
}

function busy(dataDir: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'fixtures', 'busy-installation.ts'), dataDir],
      { cwd: root },
    );
    child.stdout.once('data', () => resolve(child));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`writer exited ${code}`)));
  });
}

function snapshot(statePath: string) {
  const state = new ConsoleState(statePath);
  state.audit.anchorTo(auditCheckpointPath(statePath), 'off');
  try {
    return {
      users: state.db.prepare('SELECT id, username, role, org_id, password_hash FROM users ORDER BY id').all(),
      orgs: state.orgs
        .all()
        .map((o) => o.id)
        .sort(),
      incidents: state.db.prepare('SELECT id, title FROM incidents ORDER BY rowid').all(),
      audit: state.audit.verify(),
      lastAction: (state.db.prepare('SELECT action FROM audit ORDER BY seq DESC LIMIT 1').get() as { action: string })
        .action,
    };
  } finally {
    state.close();
  }
}

describe('edusentry backup', () => {
  jest.setTimeout(120_000);

  it('backs up while the console and the analyzer write, and restores into a fresh data directory with nothing lost', async () => {
    const dataDir = await installation();
    const writer = await busy(dataDir);
    let created;
    try {
      created = runCli(['backup', 'create', '--data-dir', dataDir]);
    } finally {
      writer.kill('SIGKILL');
    }
    expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' });
    const path = created.stdout.trim().split('\n').pop()!;
    expect(path.startsWith(join(dataDir, 'backups', 'edusentry-backup-'))).toBe(true);
    const manifest = readManifest(path);
    const byPath = Object.fromEntries(manifest.files.map((f) => [f.path, f]));
    expect(Object.keys(byPath).sort()).toEqual(['analyzer/state.json', 'console-audit.key', 'console.db', 'events.db']);
    expect(byPath['console.db'].kind).toBe('sqlite');
    expect(byPath['console-audit.key'].mode).toBe(0o600);
    // The writer was at work during the copy: the copy holds more than the installation had before it started.
    expect(byPath['console.db'].tables!.audit).toBeGreaterThan(1);
    expect(byPath['events.db'].tables!.events).toBeGreaterThan(2000);

    expect(runCli(['backup', 'verify', path]).stdout).toContain(`backup OK: 4 files verified`);
    expect(runCli(['backup', 'list', '--data-dir', dataDir]).stdout).toContain(path);

    const fresh = join(mkdtempSync(join(tmpdir(), 'edusentry-restore-')), 'data');
    const restored = runCli(['backup', 'restore', path, '--data-dir', fresh]);
    expect({ code: restored.code, stderr: restored.stderr }).toEqual({ code: 0, stderr: '' });
    expect(restored.stdout).toContain(`restored 4 files of ${manifest.id} into ${fresh}`);

    // Same users, organisations and incidents as the copy; the chain verifies and records the restore.
    const after = snapshot(join(fresh, 'console.db'));
    expect(after.audit.ok).toBe(true);
    expect(after.audit.count).toBe(byPath['console.db'].tables!.audit + 1);
    expect(after.lastAction).toBe('backup.restore');
    expect(after.incidents.length).toBe(byPath['console.db'].tables!.incidents);
    const before = snapshot(join(dataDir, 'console.db'));
    expect(after.users).toEqual(before.users);
    expect(after.orgs).toEqual(before.orgs);
    expect(before.incidents.slice(0, after.incidents.length)).toEqual(after.incidents.slice(0, after.incidents.length));
    expect(statSync(join(fresh, 'console-audit.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(fresh, 'analyzer', 'state.json'), 'utf8')).toContain('"seq":2000');

    // Same event counts as the copy took.
    const events = new EmbeddedStore({ path: fresh });
    const stats = await events.stats();
    await events.close();
    expect(stats.total).toBe(byPath['events.db'].tables!.events);

    // The backups folder says what happened, for the 8.1.4.9 evidence.
    expect(readHistory(join(dataDir, 'backups')).map((h) => h.action)).toEqual(['create', 'verify', 'restore']);
    const evidence = backupEvidence(join(dataDir, 'backups'));
    expect(evidence.takenAt).toEqual([manifest.finishedAt]);
    expect(Date.parse(evidence.restoreTestedAt!)).toBeGreaterThanOrEqual(Date.parse(manifest.finishedAt));
    // A restore never writes over an installation.
    const again = runCli(['backup', 'restore', path, '--data-dir', fresh]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('is not empty');
  });

  it('fails verification when one byte of a copy changed, naming the file, and restores nothing from it', async () => {
    const dataDir = await installation();
    const path = runCli(['backup', 'create', '--data-dir', dataDir]).stdout.trim().split('\n').pop()!;
    const file = join(path, 'data', 'analyzer', 'state.json');
    const bytes = readFileSync(file);
    bytes[3] ^= 1;
    chmodSync(file, 0o644);
    writeFileSync(file, bytes);
    const r = runCli(['backup', 'verify', path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/analyzer\/state\.json: sha256 [0-9a-f]{64} differs/);
    expect(r.stderr).toContain('EDU_ERR_BACKUP_INVALID');
    const fresh = join(mkdtempSync(join(tmpdir(), 'edusentry-restore-')), 'data');
    expect(runCli(['backup', 'restore', path, '--data-dir', fresh]).code).toBe(1);

    // A database page changed is caught too, each problem named.
    const db = join(path, 'data', 'events.db');
    const page = readFileSync(db);
    page[page.length - 100] ^= 0xff;
    writeFileSync(db, page);
    const both = runCli(['backup', 'verify', path, '--json']);
    expect(both.code).toBe(1);
    const problems = (JSON.parse(both.stdout) as { problems: string[] }).problems;
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['analyzer/state.json', 'events.db']);
  });
});
