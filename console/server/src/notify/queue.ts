/**
 * The durable outbound queue. Publishing routes a message by the configured rules
 * and writes one row per channel into the app state; a timer delivers due rows,
 * each attempt recorded, a failure retried with exponential back-off. A channel that
 * is down only delays its own rows: nothing waits on it and nothing is dropped (after
 * maxAttempts a row stays as `failed`, with its attempts, for an operator to see).
 */
import type { Logger } from '@edusentry/core';
import type { Db } from '../state/db';
import { iso } from '../state/db';
import type { ChannelConfig, NotifyConfig } from './config';
import { redactUrl } from './http';
import { notifierOf } from './index';
import { severityRank, type NotifyMessage } from './message';

export interface QueueRow {
  id: number;
  channel: string;
  event: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAt: string;
  createdAt: string;
  deliveredAt: string | null;
  lastError: string | null;
  message: NotifyMessage;
}

export interface Attempt {
  at: string;
  ok: boolean;
  error: string | null;
}

export class NotifyQueue {
  private readonly channels: Map<string, ChannelConfig>;
  private readonly inFlight = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private pending = new Set<Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly config: NotifyConfig,
    private readonly opts: { now: () => number; log: Logger; subtree: (orgId: string) => string[] },
  ) {
    this.channels = new Map(config.channels.map((c) => [c.id, c]));
  }

  /** The channels a message goes to under the routing rules. */
  route(msg: NotifyMessage): string[] {
    const out = new Set<string>();
    for (const r of this.config.routes) {
      const eventOk =
        r.event === '*' ||
        r.event === msg.event ||
        (r.event.endsWith('.*') && msg.event.startsWith(r.event.slice(0, -1)));
      if (!eventOk) continue;
      if (r.minSeverity && severityRank(msg.severity) < severityRank(r.minSeverity)) continue;
      if (r.orgId && !(msg.orgId && this.opts.subtree(r.orgId).includes(msg.orgId))) continue;
      for (const c of r.channels) out.add(c);
    }
    return [...out];
  }

  /** Queues the message for every channel its routes name; returns the row ids. */
  publish(msg: NotifyMessage): number[] {
    const now = this.opts.now();
    const insert = this.db.prepare(
      "INSERT INTO notify_queue (channel, event, message, status, attempts, next_at, created_at) VALUES (?, ?, ?, 'pending', 0, ?, ?)",
    );
    const ids = this.db.transaction(() =>
      this.route(msg).map((c) => Number(insert.run(c, msg.event, JSON.stringify(msg), now, now).lastInsertRowid)),
    )();
    if (ids.length) this.kick();
    return ids;
  }

  start(): void {
    if (this.timer || !this.config.channels.length) return;
    this.timer = setInterval(() => this.kick(), this.config.queue.pollMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for sends under way. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.allSettled([...this.pending]);
  }

  private kick(): void {
    if (!this.timer) return;
    const p = this.tick().catch((err) => this.opts.log.error({ err }, 'notify: queue tick failed'));
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Waits for sends under way, then sends what is due (tests and shutdown use it). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
    await this.tick();
  }

  /** Sends every due row once (rows already being sent are left alone); resolves when those sends end. */
  async tick(): Promise<void> {
    if (!this.db.open) return;
    const rows = this.db
      .prepare("SELECT * FROM notify_queue WHERE status = 'pending' AND next_at <= ? ORDER BY id LIMIT 100")
      .all(this.opts.now()) as any[];
    const mine = rows.filter((r) => !this.inFlight.has(r.id));
    for (const r of mine) this.inFlight.add(r.id);
    await Promise.all(mine.map((r) => this.deliver(r).finally(() => this.inFlight.delete(r.id))));
  }

  private async deliver(row: { id: number; channel: string; message: string; attempts: number }): Promise<void> {
    const channel = this.channels.get(row.channel);
    const msg = JSON.parse(row.message) as NotifyMessage;
    let error: string | null = null;
    if (!channel) error = `channel "${row.channel}" is no longer configured`;
    else {
      try {
        await notifierOf(channel).send(channel, msg, { timeoutMs: this.config.queue.timeoutMs, now: this.opts.now });
      } catch (err) {
        error = scrub(describe(err), channel);
      }
    }
    if (!this.db.open) return;
    const now = this.opts.now();
    const attempts = row.attempts + 1;
    const { maxAttempts, baseDelayMs, maxDelayMs } = this.config.queue;
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO notify_attempts (queue_id, at, ok, error) VALUES (?, ?, ?, ?)')
        .run(row.id, now, error ? 0 : 1, error);
      if (!error)
        this.db
          .prepare(
            "UPDATE notify_queue SET status = 'delivered', attempts = ?, delivered_at = ?, last_error = NULL WHERE id = ?",
          )
          .run(attempts, now, row.id);
      else
        this.db
          .prepare('UPDATE notify_queue SET status = ?, attempts = ?, next_at = ?, last_error = ? WHERE id = ?')
          .run(
            attempts >= maxAttempts ? 'failed' : 'pending',
            attempts,
            now + Math.min(maxDelayMs, baseDelayMs * 2 ** (attempts - 1)),
            error,
            row.id,
          );
    })();
    const where = { channel: row.channel, kind: channel?.kind, event: msg.event, queueId: row.id, attempt: attempts };
    // One line when a channel first fails a message and one when it gives up, not one per retry.
    if (error && (attempts === 1 || attempts >= maxAttempts))
      this.opts.log.warn(
        { ...where, error },
        attempts >= maxAttempts ? 'notify: giving up on a message' : 'notify: delivery failed, will retry',
      );
    else if (!error && attempts > 1) this.opts.log.info(where, 'notify: delivered after retries');
  }

  rows(q: { status?: QueueRow['status']; limit?: number } = {}): QueueRow[] {
    const rows = this.db
      .prepare(`SELECT * FROM notify_queue ${q.status ? 'WHERE status = ?' : ''} ORDER BY id LIMIT ?`)
      .all(...(q.status ? [q.status] : []), q.limit ?? 1000) as any[];
    return rows.map((r) => ({
      id: r.id,
      channel: r.channel,
      event: r.event,
      status: r.status,
      attempts: r.attempts,
      nextAt: iso(r.next_at)!,
      createdAt: iso(r.created_at)!,
      deliveredAt: iso(r.delivered_at),
      lastError: r.last_error,
      message: JSON.parse(r.message),
    }));
  }

  attempts(queueId: number): Attempt[] {
    return (this.db.prepare('SELECT * FROM notify_attempts WHERE queue_id = ? ORDER BY id').all(queueId) as any[]).map(
      (a) => ({ at: iso(a.at)!, ok: a.ok === 1, error: a.error }),
    );
  }
}

function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e.cause ? ` (${e.cause.code ?? e.cause.message ?? ''})` : '';
  return `${e.message ?? String(err)}${cause}`.slice(0, 500);
}

/** Secrets never reach the log or the table: the channel's secret, password and URL query values are masked. */
function scrub(text: string, channel: ChannelConfig): string {
  const secrets: string[] = [];
  if ('secret' in channel && channel.secret) secrets.push(channel.secret);
  if (channel.kind === 'email' && channel.pass) secrets.push(channel.pass);
  if ('url' in channel) {
    try {
      for (const v of new URL(channel.url).searchParams.values()) if (v) secrets.push(v);
    } catch {
      /* the schema checked the URL */
    }
    text = text.split(channel.url).join(redactUrl(channel.url));
  }
  for (const s of secrets) text = text.split(s).join('***');
  return text;
}
