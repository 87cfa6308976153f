/**
 * The backup manifest (manifest.json in every backup folder) and the backups folder's
 * history (history.ndjson: one line per create, verify and restore). Other code — the
 * level-protection evidence check for 8.1.4.9 — reads both through listBackups/readHistory.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, createReadStream, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const BACKUP_FORMAT = 'edusentry-backup/1';
export const MANIFEST = 'manifest.json';
export const HISTORY = 'history.ndjson';

export interface BackupFile {
  /** Path relative to the data directory, with "/" separators. */
  path: string;
  /** sqlite: copied with SQLite's online backup API; file: copied as bytes. */
  kind: 'sqlite' | 'file';
  bytes: number;
  sha256: string;
  /** File mode bits (0600 keys stay 0600 on restore). */
  mode: number;
  /** Rows per table at the time of the copy (sqlite only), checked again by verify. */
  tables?: Record<string, number>;
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  /** The folder name: edusentry-backup-<UTC time>. */
  id: string;
  createdAt: string;
  finishedAt: string;
  host: string;
  dataDir: string;
  /** The configured event store; events of a search-engine store are not in the files. */
  store: {
    kind: 'embedded' | 'elasticsearch';
    /** The events are in the backup: in data/ (embedded) or in the engine's snapshot below. */
    included: boolean;
    snapshot?: { repository: string; location: string; name: string; indexPrefix: string; indices: string[] };
  };
  files: BackupFile[];
}

export type HistoryEntry =
  | { at: string; action: 'create'; id: string; path: string; files: number; bytes: number }
  | { at: string; action: 'verify'; id: string; path: string; ok: boolean; problems: string[] }
  | { at: string; action: 'restore'; id: string; path: string; dataDir: string }
  | { at: string; action: 'delete'; id: string; path: string; reason: string };

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export function readManifest(backupDir: string): BackupManifest {
  const m = JSON.parse(readFileSync(join(backupDir, MANIFEST), 'utf8')) as BackupManifest;
  if (m.format !== BACKUP_FORMAT) throw new Error(`${MANIFEST}: format "${String(m.format)}" is not ${BACKUP_FORMAT}`);
  return m;
}

/** Every backup in a backups folder (folders with a readable manifest), oldest first. */
export function listBackups(backupsDir: string): { path: string; manifest: BackupManifest }[] {
  if (!existsSync(backupsDir)) return [];
  const out: { path: string; manifest: BackupManifest }[] = [];
  for (const name of readdirSync(backupsDir).sort()) {
    const path = join(backupsDir, name);
    if (!existsSync(join(path, MANIFEST))) continue;
    try {
      out.push({ path, manifest: readManifest(path) });
    } catch {
      // An unreadable manifest is not a backup; verify says why when asked about it.
    }
  }
  return out;
}

export function appendHistory(backupsDir: string, entry: HistoryEntry): void {
  appendFileSync(join(backupsDir, HISTORY), JSON.stringify(entry) + '\n');
}

/** The history of a backups folder; a torn last line (crash mid-write) is skipped. */
export function readHistory(backupsDir: string): HistoryEntry[] {
  const file = join(backupsDir, HISTORY);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as HistoryEntry];
      } catch {
        return [];
      }
    });
}

/** Deletes all but the `keep` newest backups of a folder (by creation time), recording each; returns their paths. */
export function pruneBackups(backupsDir: string, keep: number, at = new Date()): string[] {
  const all = listBackups(backupsDir).sort((a, b) => a.manifest.createdAt.localeCompare(b.manifest.createdAt));
  const old = all.slice(0, Math.max(0, all.length - keep));
  for (const b of old) {
    rmSync(b.path, { recursive: true, force: true });
    appendHistory(backupsDir, {
      at: at.toISOString(),
      action: 'delete',
      id: b.manifest.id,
      path: b.path,
      reason: `keep ${keep}`,
    });
  }
  return old.map((b) => b.path);
}

/**
 * What the 8.1.4.9 evidence check needs (analyzer/src/mlps/checks/backups.ts provider shape):
 * when each complete backup was taken, and when a restore from this folder last succeeded.
 */
export function backupEvidence(backupsDir: string): { takenAt: string[]; restoreTestedAt?: string } {
  const restores = readHistory(backupsDir).filter((h) => h.action === 'restore');
  return {
    takenAt: listBackups(backupsDir).map((b) => b.manifest.finishedAt),
    restoreTestedAt: restores.at(-1)?.at,
  };
}
