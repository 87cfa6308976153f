/**
 * `backup create`: a consistent copy of a data directory. SQLite files (the console's
 * state, the embedded event store, any other) go through SQLite's online backup API, so
 * the copy is one consistent state while the console and the analyzer keep writing;
 * every other file (analyzer cursor and state, keys, rule policy, attachments) is copied
 * as bytes. Plain files are copied first: the audit checkpoint file is then never newer
 * than the database it anchors.
 */
import Database from 'better-sqlite3';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { BACKUP_FORMAT, MANIFEST, sha256File, type BackupFile, type BackupManifest } from './manifest';

export interface CreateBackupOptions {
  dataDir: string;
  /** The backups folder; the new backup is a folder inside it. */
  outDir: string;
  /** What the manifest says of the event store; a function runs before the files are copied (a cluster's snapshot). */
  store: BackupManifest['store'] | ((id: string) => Promise<BackupManifest['store']>);
  /** Bytes copied so far of the total, and the file being copied. */
  onProgress?: (done: number, total: number, file: string) => void;
  now?: () => Date;
}

/** SQLite's own side files: the online backup reads through them, so they are not copied. */
const SIDE_FILE = /-(wal|shm|journal)$/;
const PAGES_PER_STEP = 4096;

export async function createBackup(o: CreateBackupOptions): Promise<{ path: string; manifest: BackupManifest }> {
  const now = o.now ?? (() => new Date());
  const dataDir = resolve(o.dataDir);
  const outDir = resolve(o.outDir);
  const started = now();
  const stamp = `edusentry-backup-${started
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
  // Two backups within one second (a scheduled one beside a manual one) get -2, -3 …
  let id = stamp;
  for (let n = 2; existsSync(join(outDir, id)) || existsSync(join(outDir, `${id}.partial`)); n++) id = `${stamp}-${n}`;
  const target = join(outDir, id);
  const partial = `${target}.partial`;
  mkdirSync(partial, { recursive: true, mode: 0o700 });

  const store = typeof o.store === 'function' ? await o.store(id) : o.store;
  const sources = walk(dataDir, [outDir]).map((path) => ({
    path,
    kind: isSqlite(path) ? ('sqlite' as const) : ('file' as const),
  }));
  sources.sort((a, b) => (a.kind === b.kind ? a.path.localeCompare(b.path) : a.kind === 'file' ? -1 : 1));
  const total = sources.reduce((n, s) => n + statSync(s.path).size, 0);
  let done = 0;
  const files: BackupFile[] = [];
  for (const s of sources) {
    const rel = relative(dataDir, s.path).split(sep).join('/');
    const dest = join(partial, 'data', rel);
    mkdirSync(dirname(dest), { recursive: true, mode: 0o700 });
    const mode = statSync(s.path).mode & 0o777;
    const size = statSync(s.path).size;
    let tables: Record<string, number> | undefined;
    if (s.kind === 'sqlite') {
      await sqliteCopy(s.path, dest, (fraction) => o.onProgress?.(done + fraction * size, total, rel));
      tables = settle(dest);
    } else {
      copyFileSync(s.path, dest);
    }
    chmodSync(dest, mode);
    done += size;
    o.onProgress?.(done, total, rel);
    files.push({
      path: rel,
      kind: s.kind,
      bytes: statSync(dest).size,
      sha256: await sha256File(dest),
      mode,
      ...(tables ? { tables } : {}),
    });
  }
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    id,
    createdAt: started.toISOString(),
    finishedAt: now().toISOString(),
    host: hostname(),
    dataDir,
    store,
    files,
  };
  writeFileSync(join(partial, MANIFEST), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
  // Only a finished backup has the name list and restore look for.
  renameSync(partial, target);
  return { path: target, manifest };
}

/** Regular files below dir, skipping the given folders, SQLite side files and anything not a file. */
function walk(dir: string, skip: string[]): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (skip.includes(path)) continue;
    const st = lstatSync(path);
    if (st.isDirectory()) out.push(...walk(path, skip));
    else if (st.isFile() && !SIDE_FILE.test(name)) out.push(path);
  }
  return out;
}

export function isSqlite(path: string): boolean {
  const head = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    return readSync(fd, head, 0, 16, 0) === 16 && head.toString('latin1') === 'SQLite format 3\0';
  } finally {
    closeSync(fd);
  }
}

async function sqliteCopy(src: string, dest: string, progress: (fraction: number) => void): Promise<void> {
  const db = new Database(src, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(dest, {
      progress: ({ totalPages, remainingPages }) => {
        progress(totalPages ? 1 - remainingPages / totalPages : 1);
        return PAGES_PER_STEP;
      },
    });
  } finally {
    db.close();
  }
}

/** Makes the copy one self-contained file (no WAL) and counts its rows per table. */
function settle(path: string): Record<string, number> {
  const db = new Database(path, { fileMustExist: true });
  try {
    db.pragma('journal_mode = DELETE');
    return tableCounts(db);
  } finally {
    db.close();
  }
}

export function tableCounts(db: Database.Database): Record<string, number> {
  const names = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  const counts: Record<string, number> = {};
  for (const n of names)
    counts[n] = db
      .prepare(`SELECT count(*) FROM "${n.replace(/"/g, '""')}"`)
      .pluck()
      .get() as number;
  return counts;
}
