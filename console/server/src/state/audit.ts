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
import type { Logger } from '@edusentry/core';
import { AuditAnchor, type AuditConfig, type Checkpoint } from './audit-anchor';
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

export type BrokenReason =
  | 'modified'
  | 'deleted'
  | 'inserted'
  /** Shorter than a checkpoint (audit-anchor.ts): the tail was cut, or every record wiped. */
  | 'truncated'
  /** The database's checkpoint counter is behind the checkpoint file's: an older copy was put back. */
  | 'rolled_back'
  /** The checkpoint file is behind the database's counter, or holds a line this console did not sign. */
  | 'checkpoints_cut'
  | 'checkpoints_forged';

export interface VerifyResult {
  ok: boolean;
  /** Records verified: all of them, or for a scoped caller those of their subtree. */
  count: number;
  verifiedAt: string;
  /** `seq` is null where it would tell a scoped caller about records outside their subtree. */
  firstBroken: null | { seq: number | null; reason: BrokenReason };
  /** What is wrong, in a sentence (when not ok). */
  message?: string;
  /** 'installation', or the organisation whose subtree the result covers. */
  scope: string;
  /** The newest checkpoint (installation-wide callers only). */
  checkpoint?: Pick<Checkpoint, 'counter' | 'seq' | 'at'> | null;
}

/** Whose records a verification reports on; absent: the whole installation. */
export interface VerifyScope {
  orgId: string;
  orgIds: string[];
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
  private anchor: AuditAnchor | undefined;

  constructor(
    private readonly db: Db,
    private readonly key: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  /** Anchors the trail's tail in a checkpoint file and the system log (audit-anchor.ts). */
  anchorTo(path: string, syslog: AuditConfig['syslog'], log?: Logger): void {
    this.anchor = new AuditAnchor(this.db, this.key, path, syslog, log, this.now);
  }

  /** Checkpoints the head if it moved since the last checkpoint. */
  checkpoint(): Checkpoint | null {
    return this.anchor?.checkpoint(this.head()) ?? null;
  }

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
    // IMMEDIATE: the write lock before reading the head, so a second process appending (the CLI's
    // backup beside the server) waits its busy timeout instead of failing SQLITE_BUSY on the upgrade.
    const tx = this.db.transaction(() => {
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
    });
    return tx.immediate();
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

  /**
   * Walks the chain from the start (the first record that does not verify is the broken
   * link), then compares its tail with the newest checkpoint. The whole chain is always
   * walked; a scoped caller is told about their subtree's records only.
   */
  verify(scope?: VerifyScope): VerifyResult {
    const verifiedAt = new Date(this.now()).toISOString();
    const head = this.head();
    const mine = (orgId: string | null) => !scope || (orgId !== null && scope.orgIds.includes(orgId));
    let prevHash = GENESIS;
    let expected = 1;
    let count = 0;
    const result = (
      broken: { seq: number; reason: BrokenReason; orgId?: string | null; message?: string } | null,
    ): VerifyResult => {
      const base = { count, verifiedAt, scope: scope?.orgId ?? 'installation' };
      const checkpoint = scope ? {} : { checkpoint: this.lastCheckpoint() };
      if (!broken) return { ok: true, ...base, firstBroken: null, ...checkpoint };
      const shown = broken.orgId !== undefined && mine(broken.orgId);
      const seq = !scope || shown ? broken.seq : null;
      const message = !scope
        ? (broken.message ?? `record ${broken.seq}: ${broken.reason}`)
        : shown
          ? `record ${broken.seq} of your organisation: ${broken.reason}`
          : 'the audit trail failed verification outside your organisation; the installation audit administrator sees where';
      return { ok: false, ...base, firstBroken: { seq, reason: broken.reason }, message, ...checkpoint };
    };
    for (const row of this.db.prepare('SELECT * FROM audit ORDER BY seq').iterate() as IterableIterator<Row>) {
      if (row.seq > head.seq) return result({ seq: row.seq, reason: 'inserted', orgId: row.org_id });
      if (row.seq !== expected) return result({ seq: expected, reason: 'deleted' });
      const { hash, ...rest } = row;
      if (this.digest(rest) !== hash) return result({ seq: row.seq, reason: 'modified', orgId: row.org_id });
      // A record whose own hash verifies but does not link to its predecessor was put there by someone holding the key.
      if (row.prev_hash !== prevHash) return result({ seq: row.seq, reason: 'inserted', orgId: row.org_id });
      prevHash = hash;
      expected++;
      if (mine(row.org_id)) count++;
    }
    if (expected - 1 !== head.seq || prevHash !== head.hash) return result({ seq: expected, reason: 'deleted' });
    const anchored = this.anchor?.check(head, (seq) => this.hashAt(seq));
    if (anchored?.problem)
      return result({
        seq: anchored.problem.seq ?? head.seq,
        reason: anchored.problem.reason,
        message: anchored.problem.message,
      });
    return result(null);
  }

  private hashAt(seq: number): string | undefined {
    return (this.db.prepare('SELECT hash FROM audit WHERE seq = ?').get(seq) as { hash: string } | undefined)?.hash;
  }

  private lastCheckpoint(): Pick<Checkpoint, 'counter' | 'seq' | 'at'> | null {
    const all = this.anchor?.read().checkpoints ?? [];
    const c = all[all.length - 1];
    return c ? { counter: c.counter, seq: c.seq, at: c.at } : null;
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
