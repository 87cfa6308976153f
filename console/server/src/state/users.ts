/** Local accounts. Passwords are argon2id hashes; lockout state lives on the row. */
import { randomUUID } from 'node:crypto';
import type { Role } from '../auth/roles';
import type { Db } from './db';
import { iso } from './db';

export interface User {
  id: string;
  username: string;
  displayName: string;
  /** null: the account can log in but may do nothing until the security administrator grants a role. */
  role: Role | null;
  orgId: string;
  disabled: boolean;
  /** The password was set by someone else: every route but the own password change is refused until it is changed. */
  mustChangePassword: boolean;
  lockedUntil: string | null;
  failedLogins: number;
  createdAt: string;
  lastLoginAt: string | null;
}

interface Row {
  id: string;
  username: string;
  display_name: string;
  role: Role | null;
  org_id: string;
  password_hash: string;
  disabled: number;
  failed_logins: number;
  locked_until: number | null;
  created_at: number;
  last_login_at: number | null;
  must_change_password: number;
}

export interface UserWithSecret extends User {
  passwordHash: string;
  lockedUntilMs: number | null;
}

export class Users {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  private one(where: string, v: string): UserWithSecret | undefined {
    const row = this.db.prepare(`SELECT * FROM users WHERE ${where}`).get(v) as Row | undefined;
    return row ? { ...toUser(row), passwordHash: row.password_hash, lockedUntilMs: row.locked_until } : undefined;
  }

  byId(id: string): UserWithSecret | undefined {
    return this.one('id = ?', id);
  }

  byUsername(username: string): UserWithSecret | undefined {
    return this.one('username = ?', username);
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) n FROM users').get() as { n: number }).n;
  }

  list(q: { orgIds: string[]; text?: string; limit: number; offset: number }): { total: number; items: User[] } {
    if (!q.orgIds.length) return { total: 0, items: [] };
    const where = [`org_id IN (${q.orgIds.map(() => '?').join(',')})`];
    const params: unknown[] = [...q.orgIds];
    if (q.text) {
      where.push('(instr(lower(username), lower(?)) > 0 OR instr(lower(display_name), lower(?)) > 0)');
      params.push(q.text, q.text);
    }
    const w = where.join(' AND ');
    const total = (this.db.prepare(`SELECT count(*) n FROM users WHERE ${w}`).get(...params) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM users WHERE ${w} ORDER BY username LIMIT ? OFFSET ?`)
      .all(...params, q.limit, q.offset) as Row[];
    return { total, items: rows.map(toUser) };
  }

  /** Enabled users with one of `roles` whose node is one of `orgIds`, by username. */
  withRoles(roles: readonly Role[], orgIds: string[]): User[] {
    if (!roles.length || !orgIds.length) return [];
    const rows = this.db
      .prepare(
        `SELECT * FROM users WHERE disabled = 0 AND role IN (${roles.map(() => '?').join(',')}) AND org_id IN (${orgIds.map(() => '?').join(',')}) ORDER BY username`,
      )
      .all(...roles, ...orgIds) as Row[];
    return rows.map(toUser);
  }

  countInOrg(orgId: string): number {
    return (this.db.prepare('SELECT count(*) n FROM users WHERE org_id = ?').get(orgId) as { n: number }).n;
  }

  create(u: {
    username: string;
    displayName?: string;
    role: Role | null;
    orgId: string;
    passwordHash: string;
    mustChangePassword?: boolean;
  }): User {
    const id = randomUUID();
    const now = this.now();
    this.db
      .prepare(
        'INSERT INTO users (id, username, display_name, role, org_id, password_hash, created_at, password_changed_at, must_change_password) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        id,
        u.username,
        u.displayName ?? u.username,
        u.role,
        u.orgId,
        u.passwordHash,
        now,
        now,
        u.mustChangePassword ? 1 : 0,
      );
    return this.byId(id)!;
  }

  update(
    id: string,
    patch: {
      displayName?: string;
      role?: Role | null;
      orgId?: string;
      disabled?: boolean;
      passwordHash?: string;
      mustChangePassword?: boolean;
    },
  ): User {
    const sets: string[] = [];
    const params: unknown[] = [];
    if (patch.displayName !== undefined) {
      sets.push('display_name = ?');
      params.push(patch.displayName);
    }
    if (patch.role !== undefined) {
      sets.push('role = ?');
      params.push(patch.role);
    }
    if (patch.orgId !== undefined) {
      sets.push('org_id = ?');
      params.push(patch.orgId);
    }
    if (patch.disabled !== undefined) {
      sets.push('disabled = ?');
      params.push(patch.disabled ? 1 : 0);
    }
    if (patch.passwordHash !== undefined) {
      sets.push('password_hash = ?, password_changed_at = ?');
      params.push(patch.passwordHash, this.now());
    }
    if (patch.mustChangePassword !== undefined) {
      sets.push('must_change_password = ?');
      params.push(patch.mustChangePassword ? 1 : 0);
    }
    if (sets.length) this.db.prepare(`UPDATE users SET ${sets.join(', ')} WHERE id = ?`).run(...params, id);
    return this.byId(id)!;
  }

  /** Counts a failed login; locks the account when the count reaches `threshold`. Returns the new state. */
  recordFailure(id: string, threshold: number, lockMs: number): { failed: number; lockedUntil: number | null } {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT failed_logins FROM users WHERE id = ?').get(id) as { failed_logins: number };
      const failed = row.failed_logins + 1;
      const lockedUntil = failed >= threshold ? this.now() + lockMs : null;
      this.db
        .prepare('UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?')
        .run(lockedUntil ? 0 : failed, lockedUntil, id);
      return { failed, lockedUntil };
    })();
  }

  recordSuccess(id: string): void {
    this.db
      .prepare('UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = ? WHERE id = ?')
      .run(this.now(), id);
  }

  unlock(id: string): User {
    this.db.prepare('UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?').run(id);
    return this.byId(id)!;
  }

  remove(id: string): void {
    this.db.prepare('DELETE FROM users WHERE id = ?').run(id);
  }
}

export function publicUser(u: User | UserWithSecret): User {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    orgId: u.orgId,
    disabled: u.disabled,
    mustChangePassword: u.mustChangePassword,
    lockedUntil: u.lockedUntil,
    failedLogins: u.failedLogins,
    createdAt: u.createdAt,
    lastLoginAt: u.lastLoginAt,
  };
}

function toUser(r: Row): User {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    orgId: r.org_id,
    disabled: !!r.disabled,
    mustChangePassword: !!r.must_change_password,
    lockedUntil: iso(r.locked_until),
    failedLogins: r.failed_logins,
    createdAt: iso(r.created_at)!,
    lastLoginAt: iso(r.last_login_at),
  };
}
