/**
 * Anchors the audit trail's tail outside the database. The hash chain (audit.ts) shows an
 * edit or a gap, but not a cut tail: delete the newest rows, point `meta.audit_head` at
 * the new last row, and the chain still verifies. So every `checkpointSeconds` (and at
 * start and stop) the head — sequence number and hash — is signed with a key kept outside
 * the database and written
 *   - as one line to an append-only checkpoint file beside the database (make it
 *     append-only for the console's user with `chattr +a`: the console only appends),
 *   - to the system log through logger(1) (journald / rsyslog, or a remote receiver),
 * each with a counter that only goes up; the database keeps the last counter too.
 * Verification then compares the database with the newest checkpoint: a trail shorter
 * than a checkpoint was cut, a different hash at the checkpointed seq was rewritten, a
 * database counter behind the file's is an old copy restored, a file behind the database
 * was cut.
 */
import { execFile } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z, type Logger } from '@edusentry/core';
import type { Db } from './db';

/** The `console.audit` configuration section. */
export const auditConfigSchema = z
  .object({
    /** How often the head is checkpointed (only when it moved since the last checkpoint). */
    checkpointSeconds: z.number().int().min(1).default(60),
    /** The checkpoint file; default console-audit.checkpoints beside the state database. */
    checkpointPath: z.string().optional(),
    /**
     * Where checkpoints go besides the file: the local system log (logger(1) to /dev/log:
     * journald or rsyslog), a syslog receiver on another host, or nowhere ('off').
     */
    syslog: z
      .union([
        z.enum(['local', 'off']),
        z
          .object({
            host: z.string().min(1),
            port: z.number().int().min(1).max(65535).default(514),
            protocol: z.enum(['udp', 'tcp']).default('udp'),
          })
          .strict(),
      ])
      .default('local'),
  })
  .strict();
export type AuditConfig = z.infer<typeof auditConfigSchema>;

export interface Checkpoint {
  /** 1, 2, 3 … one per checkpoint written; never goes down. */
  counter: number;
  /** The audit head at the time: the last record's seq and hash. */
  seq: number;
  hash: string;
  at: string;
  /** HMAC-SHA256 over the fields above, with a key derived from the audit key file. */
  sig: string;
}

/** What a checkpoint says about the trail, as a sentence for the verifier. */
export interface AnchorProblem {
  reason: 'truncated' | 'modified' | 'rolled_back' | 'checkpoints_cut' | 'checkpoints_forged';
  /** The first seq the problem concerns (the first missing record for a cut tail). */
  seq: number | null;
  message: string;
}

const TAG = 'edusentry-audit';
let syslogWarned = false;

export class AuditAnchor {
  private readonly key: Buffer;

  constructor(
    private readonly db: Db,
    auditKey: Buffer,
    private readonly path: string,
    private readonly syslog: AuditConfig['syslog'],
    private readonly log: Logger | undefined,
    private readonly now: () => number,
  ) {
    // Its own key, so a checkpoint signature never equals a record hash.
    this.key = createHmac('sha256', auditKey).update('audit-checkpoint-v1').digest();
  }

  private sign(c: Omit<Checkpoint, 'sig'>): string {
    return createHmac('sha256', this.key)
      .update(JSON.stringify([c.counter, c.seq, c.hash, c.at]))
      .digest('hex');
  }

  /** The counter the database last recorded. */
  private dbCounter(): number {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'audit_checkpoint'").get() as
      { value: string } | undefined;
    return row ? (JSON.parse(row.value) as { counter: number }).counter : 0;
  }

  /** The checkpoint file's lines, each checked: signature and consecutive counters. */
  read(): { checkpoints: Checkpoint[]; forged: number | null } {
    if (!existsSync(this.path)) return { checkpoints: [], forged: null };
    const checkpoints: Checkpoint[] = [];
    for (const [i, line] of readFileSync(this.path, 'utf8').split('\n').entries()) {
      if (!line.trim()) continue;
      let c: Checkpoint;
      try {
        c = JSON.parse(line) as Checkpoint;
      } catch {
        return { checkpoints, forged: i + 1 };
      }
      const want = Buffer.from(this.sign(c), 'hex');
      const got = Buffer.from(String(c.sig), 'hex');
      const prev = checkpoints[checkpoints.length - 1];
      if (got.length !== want.length || !timingSafeEqual(got, want) || c.counter !== (prev?.counter ?? 0) + 1)
        return { checkpoints, forged: i + 1 };
      checkpoints.push(c);
    }
    return { checkpoints, forged: null };
  }

  /** Writes a checkpoint of `head` unless the newest one already holds it; returns it. */
  checkpoint(head: { seq: number; hash: string }): Checkpoint | null {
    if (head.seq === 0) return null;
    const { checkpoints } = this.read();
    const last = checkpoints[checkpoints.length - 1];
    if (last && last.seq === head.seq && last.hash === head.hash) return null;
    const counter = Math.max(last?.counter ?? 0, this.dbCounter()) + 1;
    const body = { counter, seq: head.seq, hash: head.hash, at: new Date(this.now()).toISOString() };
    const c: Checkpoint = { ...body, sig: this.sign(body) };
    const line = JSON.stringify(c);
    // Append only ('a'): the console never rewrites the file.
    appendFileSync(this.path, line + '\n', { flag: 'a', mode: 0o600 });
    this.db
      .prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('audit_checkpoint', ?)")
      .run(JSON.stringify({ counter }));
    this.toSyslog(line);
    return c;
  }

  private toSyslog(line: string): void {
    if (this.syslog === 'off') return;
    const args = ['-t', TAG, '-p', 'authpriv.notice'];
    if (typeof this.syslog === 'object')
      args.push('-n', this.syslog.host, '-P', String(this.syslog.port), this.syslog.protocol === 'tcp' ? '-T' : '-d');
    execFile('logger', [...args, '--', line], { timeout: 10_000 }, (err, _out, stderr) => {
      if (!err || syslogWarned) return;
      syslogWarned = true;
      this.log?.warn(
        { err: String(stderr || err.message).trim() },
        'audit checkpoint: the system log did not take it (kept in the checkpoint file); set console.audit.syslog',
      );
    });
  }

  /** How the trail (its head and the record at the newest checkpoint's seq) compares with the checkpoints. */
  check(
    head: { seq: number; hash: string },
    hashAt: (seq: number) => string | undefined,
  ): {
    problem: AnchorProblem | null;
    last: Checkpoint | null;
  } {
    const { checkpoints, forged } = this.read();
    const last = checkpoints[checkpoints.length - 1] ?? null;
    const problem = ((): AnchorProblem | null => {
      if (forged !== null)
        return {
          reason: 'checkpoints_forged',
          seq: null,
          message: `line ${forged} of the checkpoint file ${this.path} is not a checkpoint this console signed`,
        };
      const dbCounter = this.dbCounter();
      if (last && last.seq > head.seq)
        return {
          reason: 'truncated',
          seq: head.seq + 1,
          message: `the trail ends at record ${head.seq} but checkpoint #${last.counter} of ${last.at} anchored record ${last.seq}: records ${head.seq + 1}-${last.seq} (at least) were cut`,
        };
      if (last && hashAt(last.seq) !== last.hash)
        return {
          reason: 'modified',
          seq: last.seq,
          message: `record ${last.seq} is not the one checkpoint #${last.counter} of ${last.at} anchored: the trail was rewritten`,
        };
      if ((last?.counter ?? 0) < dbCounter)
        return {
          reason: 'checkpoints_cut',
          seq: null,
          message: `the database recorded checkpoint #${dbCounter} but the checkpoint file ${this.path} ends at #${last?.counter ?? 0}: the file was cut or replaced`,
        };
      if (last && last.counter > dbCounter)
        return {
          reason: 'rolled_back',
          seq: null,
          message: `the checkpoint file holds checkpoint #${last.counter} but the database only knows #${dbCounter}: an older copy of the database was put back`,
        };
      return null;
    })();
    return { problem, last };
  }
}

/** The checkpoint file's default place: beside the state database, never inside it. */
export function auditCheckpointPath(statePath: string): string {
  return join(dirname(resolve(statePath)), 'console-audit.checkpoints');
}
