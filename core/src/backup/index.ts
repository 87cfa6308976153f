export { createBackup, isSqlite, type CreateBackupOptions } from './create';
export { verifyBackup, type VerifyBackupResult } from './verify';
export { restoreBackup } from './restore';
export * from './manifest';
