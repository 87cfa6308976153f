/**
 * `edusentry backup create|list|verify|restore`: data backup and restore (数据备份与恢复,
 * GB/T 22239-2019 8.1.4.9). The copying is core's backup module; this file adds the
 * progress bar, the backups folder's history and the console's audit trail.
 */
import { dirname, resolve } from 'node:path';
import {
  appendHistory,
  EduError,
  listBackups,
  ProgressBar,
  restoreBackup,
  verifyBackup,
  type ElasticStore,
} from '@edusentry/core';
import type { Command } from 'commander';
import { leaf, parent } from '../command';
import { backupsDirOf, recordBackupStep, runBackup } from '../services/backup';

export function register(program: Command): void {
  const backup = parent(program, 'backup', 'data backup and restore (数据备份与恢复): create, list, verify, restore');

  leaf<{ out?: string }>(
    backup,
    'create',
    "copy the data directory consistently; the last line is the backup's path",
    async (ctx, _a, opts) => {
      const path = await runBackup(ctx, opts.out ? resolve(opts.out) : backupsDirOf(ctx));
      process.stdout.write(`${path}\n`);
    },
  ).option('--out <dir>', 'backups folder to create the backup in (default: backups/ in the data directory)');

  leaf<{ dir?: string; json?: boolean }>(
    backup,
    'list',
    'the backups in a backups folder, oldest first',
    async (ctx, _a, opts) => {
      const found = listBackups(opts.dir ? resolve(opts.dir) : backupsDirOf(ctx));
      if (opts.json)
        return void process.stdout.write(JSON.stringify(found.map((b) => ({ path: b.path, ...b.manifest }))) + '\n');
      if (!found.length) return void process.stdout.write('no backups yet: run "edusentry backup create"\n');
      for (const b of found) {
        const bytes = b.manifest.files.reduce((n, f) => n + f.bytes, 0);
        process.stdout.write(
          `${b.manifest.createdAt}  ${String(b.manifest.files.length).padStart(4)} files  ${human(bytes).padStart(9)}  ${b.path}\n`,
        );
      }
    },
  )
    .option('--dir <dir>', 'backups folder (default: backups/ in the data directory)')
    .option('--json', 'print as JSON');

  leaf<{ json?: boolean }>(
    backup,
    'verify',
    'check checksums, open every database copy and compare its row counts',
    async (ctx, [path], opts) => {
      const dir = resolve(path);
      const progress = new ProgressBar();
      const r = await verifyBackup(dir, (done, total, file) => progress.update('backup verify', done, total, file));
      progress.clear();
      const snap = r.manifest?.store.snapshot;
      if (snap) {
        const state = await ((await ctx.store()) as ElasticStore).snapshotState(snap.repository, snap.name);
        if (state !== 'SUCCESS') {
          r.problems.push(`snapshot ${snap.name}: ${state ?? 'not'} on the engine in repository ${snap.repository}`);
          r.ok = false;
        }
      }
      recordBackupStep(
        ctx,
        'cli',
        dir,
        'backup.verify',
        { ok: r.ok, problems: r.problems },
        r.ok ? 'success' : 'failure',
      );
      if (r.manifest)
        appendHistory(dirname(dir), {
          at: new Date().toISOString(),
          action: 'verify',
          id: r.manifest.id,
          path: dir,
          ok: r.ok,
          problems: r.problems,
        });
      if (opts.json) process.stdout.write(JSON.stringify({ ok: r.ok, files: r.files, problems: r.problems }) + '\n');
      else if (r.ok) process.stdout.write(`backup OK: ${r.files} files verified (${dir})\n`);
      if (!r.ok) throw new EduError('EDU_ERR_BACKUP_INVALID', `${dir} fails verification: ${r.problems.join('; ')}`);
    },
  )
    .argument('<path>', 'the backup folder (the last line of backup create)')
    .option('--json', 'print the result as JSON');

  leaf(
    backup,
    'restore',
    'restore a verified backup into an empty data directory (--data-dir)',
    async (ctx, [path]) => {
      const dir = resolve(path);
      const progress = new ProgressBar();
      const m = await restoreBackup(dir, ctx.dataDir, (done, total, file) =>
        progress.update('backup restore', done, total, file),
      );
      progress.clear();
      // Audited in the restored installation's own trail, and in the backups folder's history.
      recordBackupStep(ctx, 'cli', dir, 'backup.restore', {
        id: m.id,
        from: m.host,
        createdAt: m.createdAt,
        dataDir: ctx.dataDir,
      });
      appendHistory(dirname(dir), {
        at: new Date().toISOString(),
        action: 'restore',
        id: m.id,
        path: dir,
        dataDir: ctx.dataDir,
      });
      let note = m.store.included ? '' : ` (events are in the ${m.store.kind} store, not in this backup)`;
      const snap = m.store.snapshot;
      if (snap) {
        // Into new indices beside the live ones: `<prefix>-restored-<snapshot time>`.
        const store = (await ctx.store()) as ElasticStore;
        const targetPrefix = `${snap.indexPrefix}-restored-${m.createdAt.slice(0, 19).replace(/[-:]/g, '').toLowerCase()}`;
        if ((await store.snapshotState(snap.repository, snap.name)) !== 'SUCCESS')
          throw new EduError(
            'EDU_ERR_BACKUP_INVALID',
            `snapshot ${snap.name} is not on the engine in repository ${snap.repository}`,
          );
        const indices = await store.restoreSnapshot({ repository: snap.repository, name: snap.name, targetPrefix });
        note = `; ${indices.length} indices of snapshot ${snap.name} restored as ${targetPrefix}-*`;
      }
      process.stdout.write(`restored ${m.files.length} files of ${m.id} into ${ctx.dataDir}${note}\n`);
    },
  ).argument('<path>', 'the backup folder (the last line of backup create)');
}

function human(n: number): string {
  return n < 1024
    ? `${n} B`
    : n < 1024 ** 2
      ? `${(n / 1024).toFixed(1)} KiB`
      : n < 1024 ** 3
        ? `${(n / 1024 ** 2).toFixed(1)} MiB`
        : `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
