/**
 * The daily backup inside `edusentry start` (config backup.daily, backup.at local time, backup.keep),
 * and the steps `edusentry backup create` shares with it: core's createBackup, the backups folder's
 * history, the console's audit trail (8.1.4.9 evidence), the progress bar.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  appendHistory,
  createBackup,
  ProgressBar,
  pruneBackups,
  type BackupManifest,
  type ElasticStore,
} from '@edusentry/core';
import { ConsoleState, statePathOf } from '@edusentry/console-server';
import type { Context } from '../context';
import type { Service } from '../service';

/** The backups folder: backup.dir, or backups/ in the data directory (create skips it). */
export function backupsDirOf(ctx: Context): string {
  return resolve(ctx.dataDir, ctx.config.backup.dir ?? 'backups');
}

/** Milliseconds from `now` to the next local HH:MM. */
export function untilNext(at: string, now = new Date()): number {
  const [h, m] = at.split(':').map(Number);
  const next = new Date(now);
  next.setHours(h, m, 0, 0);
  if (next.getTime() <= now.getTime()) next.setDate(next.getDate() + 1);
  return next.getTime() - now.getTime();
}

export const service: Service = {
  name: 'backup',
  order: 90,
  async start(ctx) {
    const cfg = ctx.config.backup;
    if (!cfg.daily) return { info: 'daily backup off (backup.daily)', stop: async () => undefined };
    const log = ctx.log.child({ service: 'backup' });
    const dir = backupsDirOf(ctx);
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> | undefined;
    const take = async () => {
      try {
        const path = await runBackup(ctx, dir, 'scheduler');
        const deleted = pruneBackups(dir, cfg.keep);
        for (const p of deleted) recordBackupStep(ctx, 'scheduler', p, 'backup.delete', { keep: cfg.keep });
        log.info({ path, deleted: deleted.length }, 'daily backup taken');
      } catch (err) {
        log.error({ err }, 'daily backup failed; next try tomorrow');
      }
    };
    const schedule = () => {
      timer = setTimeout(() => {
        running = take().finally(() => (running = undefined));
        schedule();
      }, untilNext(cfg.at));
      timer.unref();
    };
    schedule();
    return {
      info: `daily at ${cfg.at}, keep ${cfg.keep}, into ${dir}`,
      stop: async () => {
        clearTimeout(timer);
        await running;
      },
    };
  },
};

/** Creates one backup in outDir, records it in the history and the audit trail; returns its path. */
export async function runBackup(ctx: Context, outDir: string, actor = 'cli'): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const kind = ctx.config.store.kind;
  const progress = new ProgressBar();
  const { path, manifest } = await createBackup({
    dataDir: ctx.dataDir,
    outDir,
    store: kind === 'embedded' ? { kind, included: true } : (id) => snapshotStore(ctx, id),
    onProgress: (done, total, file) => progress.update('backup create', done, total, file),
  });
  progress.clear();
  const bytes = manifest.files.reduce((n, f) => n + f.bytes, 0);
  appendHistory(outDir, {
    at: manifest.finishedAt,
    action: 'create',
    id: manifest.id,
    path,
    files: manifest.files.length,
    bytes,
  });
  recordBackupStep(ctx, actor, path, 'backup.create', {
    id: manifest.id,
    files: manifest.files.length,
    bytes,
    storeIncluded: manifest.store.included,
  });
  return path;
}

/**
 * A search-engine store's events: a snapshot into the fs repository `edusentry` at backup.snapshotLocation,
 * or edusentry/ under the node's path.repo; without either the manifest says the events are not included.
 */
async function snapshotStore(ctx: Context, id: string): Promise<BackupManifest['store']> {
  const store = (await ctx.store()) as ElasticStore;
  const repo = await store.pathRepo();
  const location = ctx.config.backup.snapshotLocation ?? (repo ? `${repo}/edusentry` : undefined);
  if (!location) {
    ctx.log.warn('backup: the engine has no path.repo and backup.snapshotLocation is not set: events not included');
    return { kind: 'elasticsearch', included: false };
  }
  const indexPrefix = ctx.config.store.indexPrefix;
  const snap = await store.snapshot({ repository: 'edusentry', location, name: id.toLowerCase() });
  return {
    kind: 'elasticsearch',
    included: true,
    snapshot: { repository: 'edusentry', location, name: snap.name, indexPrefix, indices: snap.indices },
  };
}

/** Appends to the console's audit trail when this data directory has a console state. */
export function recordBackupStep(
  ctx: Context,
  actor: string,
  target: string,
  action: string,
  details: Record<string, unknown>,
  outcome: 'success' | 'failure' = 'success',
): void {
  const statePath = statePathOf(ctx.config.console, ctx.dataDir);
  if (!existsSync(statePath)) return;
  const state = new ConsoleState(statePath);
  try {
    state.audit.append({ actor, role: null, orgId: null, ip: null, action, target, outcome, details });
  } finally {
    state.close();
  }
}
