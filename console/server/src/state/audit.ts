/**
 * The operation audit trail (等保: audit records protected from deletion and
 * modification). Append-only and hash-chained: each record's hash is an HMAC over
 * its own fields and the previous record's hash, keyed by a secret kept in a file
 * beside the database, and the head (last seq and hash) is kept in `meta`. An edit,
 * an insertion or a deletion behind the server's back breaks the chain, and
 * `verify` names the first broken link.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Db } from './db';
import { iso } from './db';

export interface AuditInput {
  actor: string | null;
  role?: string | null;
  orgId?: string | null;
  ip?: string | null;
  action: string;
  target?: string | null;
  outcome?: 'success' | 'failure';
  details?: Record<string, unknown>;
}

export interface AuditRecord {
  seq: number;
  at: string;
  actor: string | null;
  role: string | null;
  orgId: string | null;
  ip: string | null;
  action: string;
  target: string | null;
  outcome: 'success' | 'failure';
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface VerifyResult {
  ok: boolean;
  count: number;
  verifiedAt: string;
  firstBroken: null | { seq: number; reason: 'modified' | 'deleted' | 'inserted' };
}

interface Row {
  seq: number;
  at: number;
  actor: string | null;
  role: string | null;
  org_id: string | null;
  ip: string | null;
  action: string;
  target: string | null;
  outcome: string;
  details: string;
  prev_hash: string;
  hash: string;
}

const GENESIS = '0'.repeat(64);

/** The HMAC key file beside the database; created on first use (mode 0600). */
export function loadAuditKey(keyPath: string): Buffer {
  if (!existsSync(keyPath)) writeFileSync(keyPath, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  return Buffer.from(readFileSync(keyPath, 'utf8').trim(), 'hex');
}

export class AuditTrail {
  constructor(
    private readonly db: Db,
    private readonly key: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  private digest(r: Omit<Row, 'hash'>): string {
    const canonical = JSON.stringify([
      r.seq,
      r.at,
      r.actor,
      r.role,
      r.org_id,
      r.ip,
      r.action,
      r.target,
      r.outcome,
      r.details,
      r.prev_hash,
    ]);
    return createHmac('sha256', this.key).update(canonical).digest('hex');
  }

  private head(): { seq: number; hash: string } {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'audit_head'").get() as
      { value: string } | undefined;
    return row ? JSON.parse(row.value) : { seq: 0, hash: GENESIS };
  }

  append(input: AuditInput): AuditRecord {
    return this.db.transaction(() => {
      const head = this.head();
      const row: Omit<Row, 'hash'> = {
        seq: head.seq + 1,
        at: this.now(),
        actor: input.actor,
        role: input.role ?? null,
        org_id: input.orgId ?? null,
        ip: input.ip ?? null,
        action: input.action,
        target: input.target ?? null,
        outcome: input.outcome ?? 'success',
        details: JSON.stringify(input.details ?? {}),
        prev_hash: head.hash,
      };
      const hash = this.digest(row);
      this.db
        .prepare(
          `INSERT INTO audit (seq, at, actor, role, org_id, ip, action, target, outcome, details, prev_hash, hash)
           VALUES (@seq, @at, @actor, @role, @org_id, @ip, @action, @target, @outcome, @details, @prev_hash, @hash)`,
        )
        .run({ ...row, hash });
      this.db
        .prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('audit_head', ?)")
        .run(JSON.stringify({ seq: row.seq, hash }));
      return toRecord({ ...row, hash });
    })();
  }

  list(q: {
    from?: number;
    to?: number;
    actor?: string;
    action?: string;
    orgIds?: string[];
    includeOrgless?: boolean;
    limit: number;
    offset: number;
  }): { total: number; items: AuditRecord[] } {
    const where: string[] = ['1=1'];
    const params: unknown[] = [];
    if (q.from !== undefined) {
      where.push('at >= ?');
      params.push(q.from);
    }
    if (q.to !== undefined) {
      where.push('at < ?');
      params.push(q.to);
    }
    if (q.actor) {
      where.push('actor = ?');
      params.push(q.actor);
    }
    if (q.action) {
      where.push('action = ?');
      params.push(q.action);
    }
    if (q.orgIds) {
      const inList = q.orgIds.length ? `org_id IN (${q.orgIds.map(() => '?').join(',')})` : '0';
      where.push(q.includeOrgless ? `(${inList} OR org_id IS NULL)` : inList);
      params.push(...q.orgIds);
    }
    const w = where.join(' AND ');
    const total = (this.db.prepare(`SELECT count(*) n FROM audit WHERE ${w}`).get(...params) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM audit WHERE ${w} ORDER BY seq DESC LIMIT ? OFFSET ?`)
      .all(...params, q.limit, q.offset) as Row[];
    return { total, items: rows.map(toRecord) };
  }

  /** Walks the chain from the start; the first record that does not verify is the broken link. */
  verify(): VerifyResult {
    const verifiedAt = new Date(this.now()).toISOString();
    const head = this.head();
    let prevHash = GENESIS;
    let expected = 1;
    let count = 0;
    const broken = (seq: number, reason: 'modified' | 'deleted' | 'inserted'): VerifyResult => ({
      ok: false,
      count,
      verifiedAt,
      firstBroken: { seq, reason },
    });
    for (const row of this.db.prepare('SELECT * FROM audit ORDER BY seq').iterate() as IterableIterator<Row>) {
      if (row.seq > head.seq) return broken(row.seq, 'inserted');
      if (row.seq !== expected) return broken(expected, 'deleted');
      const { hash, ...rest } = row;
      if (this.digest(rest) !== hash) return broken(row.seq, 'modified');
      // A record whose own hash verifies but does not link to its predecessor was put there by someone holding the key.
      if (row.prev_hash !== prevHash) return broken(row.seq, 'inserted');
      prevHash = hash;
      expected++;
      count++;
    }
    if (expected - 1 !== head.seq || prevHash !== head.hash) return broken(expected, 'deleted');
    return { ok: true, count, verifiedAt, firstBroken: null };
  }
}

function toRecord(r: Row): AuditRecord {
  return {
    seq: r.seq,
    at: iso(r.at)!,
    actor: r.actor,
    role: r.role,
    orgId: r.org_id,
    ip: r.ip,
    action: r.action,
    target: r.target,
    outcome: r.outcome as AuditRecord['outcome'],
    details: JSON.parse(r.details),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}
