/** Everything the console keeps in its own SQLite file, opened together. */
import { dirname, join } from 'node:path';
import { AuditTrail, loadAuditKey } from './audit';
import { openStateDb, type Db } from './db';
import { Incidents } from './incidents';
import { OrgTree } from './orgs';
import { Triage } from './triage';
import { Users } from './users';

export class ConsoleState {
  readonly db: Db;
  readonly orgs: OrgTree;
  readonly users: Users;
  readonly audit: AuditTrail;
  readonly triage: Triage;
  readonly incidents: Incidents;

  constructor(
    readonly path: string,
    now: () => number = Date.now,
  ) {
    this.db = openStateDb(path);
    this.orgs = new OrgTree(this.db);
    this.users = new Users(this.db, now);
    this.audit = new AuditTrail(this.db, loadAuditKey(auditKeyPath(path)), now);
    this.triage = new Triage(this.db, now);
    this.incidents = new Incidents(this.db, now);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** The audit HMAC key lives beside the database, not in it. */
export function auditKeyPath(statePath: string): string {
  return join(dirname(statePath), 'console-audit.key');
}

export * from './audit';
export * from './incidents';
export * from './orgs';
export * from './triage';
export * from './users';
