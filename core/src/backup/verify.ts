/**
 * `backup verify`: every file of the manifest is there with its sha256, nothing else is
 * in data/, and every SQLite copy opens, passes SQLite's quick_check and holds the rows
 * per table the manifest recorded.
 */
import Database from 'better-sqlite3';
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { readManifest, sha256File, type BackupManifest } from './manifest';
import { tableCounts } from './create';

export interface VerifyBackupResult {
  ok: boolean;
  manifest?: BackupManifest;
  files: number;
  /** One sentence per problem, naming the file. */
  problems: string[];
}

export async function verifyBackup(
  backupDir: string,
  onProgress?: (done: number, total: number, file: string) => void,
): Promise<VerifyBackupResult> {
  let manifest: BackupManifest;
  try {
    manifest = readManifest(backupDir);
  } catch (err) {
    return { ok: false, files: 0, problems: [`manifest.json is missing or unreadable: ${(err as Error).message}`] };
  }
  const problems: string[] = [];
  const total = manifest.files.reduce((n, f) => n + f.bytes, 0);
  let done = 0;
  const listed = new Set(manifest.files.map((f) => f.path));
  for (const f of manifest.files) {
    const path = join(backupDir, 'data', f.path);
    if (!existsSync(path)) {
      problems.push(`${f.path}: missing`);
      continue;
    }
    const sha = await sha256File(path);
    if (sha !== f.sha256) problems.push(`${f.path}: sha256 ${sha} differs from the manifest's ${f.sha256}`);
    else if (f.kind === 'sqlite') problems.push(...checkSqlite(path, f.path, f.tables ?? {}));
    done += f.bytes;
    onProgress?.(done, total, f.path);
  }
  const dataDir = join(backupDir, 'data');
  if (existsSync(dataDir))
    for (const extra of files(dataDir).map((p) => relative(dataDir, p).split(sep).join('/')))
      if (!listed.has(extra)) problems.push(`${extra}: not in the manifest`);
  return { ok: problems.length === 0, manifest, files: manifest.files.length, problems };
}

function checkSqlite(path: string, name: string, expected: Record<string, number>): string[] {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') return [`${name}: SQLite quick_check says ${String(check)}`];
    const counts = tableCounts(db);
    const out: string[] = [];
    for (const [table, n] of Object.entries(expected))
      if (counts[table] !== n)
        out.push(`${name}: table ${table} has ${counts[table] ?? 'no'} rows, the manifest says ${n}`);
    return out;
  } catch (err) {
    return [`${name}: does not open as SQLite (${(err as Error).message})`];
  } finally {
    db?.close();
  }
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return lstatSync(p).isDirectory() ? files(p) : [p];
  });
}
