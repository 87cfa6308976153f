/**
 * `backup restore`: a verified backup into a data directory that holds nothing yet (a
 * fresh machine, or a folder to inspect). Files are written under a temporary name and
 * renamed, so a restore cut short leaves no half-written database under a real name.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { EduError } from '../errors';
import type { BackupManifest } from './manifest';
import { verifyBackup } from './verify';

export async function restoreBackup(
  backupDir: string,
  dataDir: string,
  onProgress?: (done: number, total: number, file: string) => void,
): Promise<BackupManifest> {
  const target = resolve(dataDir);
  if (existsSync(target) && readdirSync(target).length)
    throw new EduError('EDU_ERR_USAGE', `--data-dir ${target} is not empty: restore into a new or empty folder`);
  const v = await verifyBackup(backupDir);
  if (!v.ok || !v.manifest)
    throw new EduError(
      'EDU_ERR_BACKUP_INVALID',
      `${backupDir} fails verification, nothing restored: ${v.problems.join('; ')}`,
    );
  const total = v.manifest.files.reduce((n, f) => n + f.bytes, 0);
  let done = 0;
  for (const f of v.manifest.files) {
    const dest = join(target, ...f.path.split('/'));
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(join(backupDir, 'data', ...f.path.split('/')), `${dest}.restoring`);
    chmodSync(`${dest}.restoring`, f.mode);
    renameSync(`${dest}.restoring`, dest);
    done += f.bytes;
    onProgress?.(done, total, f.path);
  }
  return v.manifest;
}
