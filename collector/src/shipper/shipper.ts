/**
 * The shipper: every collector path writes its events here, and the shipper gets
 * them into the store without losing or duplicating one.
 *
 * - Events are batched (batchSize or flushIntervalMs, whichever first).
 * - A batch is written with retries (exponential backoff with full jitter). Items
 *   the store refuses for good go to a dead-letter NDJSON file with the engine's
 *   reason; retryable failures are retried (rewrites are idempotent: ids are
 *   deterministic, so a retried batch never stores an event twice).
 * - When the store throws or keeps failing, batches go to the on-disk spool, and
 *   while the spool holds anything every new batch goes behind it, so the store
 *   receives events in the order they arrived. A drain loop empties it when the
 *   store answers again. Flushing and draining are serialised separately: while the
 *   spool holds events a flush only appends to it, so a drain attempt hanging on a
 *   store that does not answer never holds up the collector.
 * - Counters (received, shipped, spooled, quarantined, dropped, …) and a periodic
 *   heartbeat event (dataset collector.heartbeat) written through the same path.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import {
  eventId,
  type EcsEvent,
  type EventStore,
  type HeartbeatEvent,
  type Logger,
  type Observer,
  type Organization,
} from '@edusentry/core';
import type { EventSink } from '../sink';
import { shipperConfigSchema, type ShipperConfig } from './config';
import { Spool } from './spool';

export interface ShipperOptions extends Partial<Omit<ShipperConfig, 'spool'>> {
  /** Data directory: the spool and the dead-letter file live under it. */
  dataDir: string;
  spool?: Partial<ShipperConfig['spool']>;
  observer?: Observer;
  organization?: Organization;
  log?: Logger;
  /** Extra counters to show in the heartbeat (receivers' own counters). */
  extraCounters?: () => Record<string, number>;
}

export interface ShipperCounters {
  received: number;
  shipped: number;
  spooled: number;
  quarantined: number;
  dropped: number;
  retries: number;
  store_errors: number;
  spool_corrupt: number;
  heartbeats: number;
  [k: string]: number;
}

export interface Shipper extends EventSink {
  /** Writes everything buffered in memory (to the store, or to the spool). */
  flush(): Promise<void>;
  /** Tries to empty the spool now; resolves true when it is empty. */
  drain(): Promise<boolean>;
  counters(): ShipperCounters;
  /** Bytes waiting in the spool. */
  spoolBytes(): number;
  /** Builds and queues a heartbeat event now. */
  heartbeat(): Promise<void>;
}

/** The collector's version, as its heartbeats report it. */
export const COLLECTOR_VERSION: string = JSON.parse(
  readFileSync(join(__dirname, '../../package.json'), 'utf8'),
).version;

export function createShipper(store: EventStore, opts: ShipperOptions): Shipper {
  return new StoreShipper(store, opts);
}

class StoreShipper implements Shipper {
  private readonly cfg: ShipperConfig;
  private readonly spool: Spool;
  private readonly deadLetterPath: string;
  private queue: EcsEvent[] = [];
  private flushing: Promise<unknown> = Promise.resolve();
  private draining: Promise<unknown> = Promise.resolve();
  private flushTimer?: NodeJS.Timeout;
  private drainTimer?: NodeJS.Timeout;
  private heartbeatTimer?: NodeJS.Timeout;
  private drainFailures = 0;
  private readonly started = Date.now();
  private heartbeatSeq = 0;
  /** The counters and time of the previous heartbeat, for the rates of the next. */
  private lastBeat?: { at: number; counters: Record<string, number> };
  private closed = false;
  private readonly c: ShipperCounters = {
    received: 0,
    shipped: 0,
    spooled: 0,
    quarantined: 0,
    dropped: 0,
    retries: 0,
    store_errors: 0,
    spool_corrupt: 0,
    heartbeats: 0,
  };

  constructor(
    private readonly store: EventStore,
    private readonly opts: ShipperOptions,
  ) {
    const { dataDir, observer: _o, organization: _g, log: _l, extraCounters: _e, spool, ...rest } = opts;
    this.cfg = shipperConfigSchema.parse({ ...rest, spool: spool ?? {} });
    const under = (p: string) => (isAbsolute(p) ? p : join(dataDir, p));
    this.spool = new Spool({ ...this.cfg.spool, dir: under(this.cfg.spool.dir) });
    this.deadLetterPath = under(this.cfg.deadLetterFile);
    this.flushTimer = setInterval(
      () => void this.flush().catch((e) => this.logError('flush', e)),
      this.cfg.flushIntervalMs,
    );
    this.flushTimer.unref();
    if (this.cfg.heartbeatIntervalMs > 0) {
      this.heartbeatTimer = setInterval(
        () => void this.heartbeat().catch((e) => this.logError('heartbeat', e)),
        this.cfg.heartbeatIntervalMs,
      );
      this.heartbeatTimer.unref();
    }
    if (this.spool.hasPending()) this.scheduleDrain(0);
  }

  async push(events: EcsEvent[]): Promise<void> {
    if (!events.length) return;
    if (this.closed) throw new Error('shipper is closed');
    this.c.received += events.length;
    for (const e of events) this.queue.push(e);
    if (this.queue.length >= this.cfg.batchSize) await this.flush();
    // Backpressure: callers wait while more than maxQueued events are in memory.
    while (this.queue.length > this.cfg.maxQueued) await this.flush();
  }

  flush(): Promise<void> {
    return this.serial('flushing', async () => {
      while (this.queue.length) {
        const batch = this.queue.splice(0, this.cfg.batchSize);
        await this.ship(batch);
      }
    });
  }

  drain(): Promise<boolean> {
    return this.serial('draining', () => this.drainNow(Infinity));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // A last heartbeat so the console sees the final counters.
    if (this.cfg.heartbeatIntervalMs > 0) await this.heartbeat().catch(() => undefined);
    this.closed = true;
    for (const t of [this.flushTimer, this.drainTimer, this.heartbeatTimer]) if (t) clearInterval(t);
    await this.flush();
    // Empty the spool while the store accepts (drainNow stops at the first failure): a
    // one-shot command (collect pcap) must not exit leaving events behind a store that is up.
    await this.serial('draining', () => this.drainNow(Infinity));
    this.spool.close();
  }

  counters(): ShipperCounters {
    return { ...this.c, spool_corrupt: this.spool.corrupt, queued: this.queue.length };
  }

  spoolBytes(): number {
    return this.spool.pendingBytes();
  }

  async heartbeat(): Promise<void> {
    if (this.closed) return;
    const now = new Date();
    const observer: Observer = { type: 'collector', hostname: hostname(), ...this.opts.observer };
    const counters: Record<string, number> = { ...this.counters(), ...(this.opts.extraCounters?.() ?? {}) };
    const rates = this.rates(now.getTime(), counters);
    const hb: HeartbeatEvent = {
      '@timestamp': now.toISOString(),
      event: {
        id: eventId(`heartbeat:${observer.id ?? 'collector'}`, {
          at: now.toISOString(),
          seq: this.heartbeatSeq++,
          started: this.started,
        }),
        kind: 'metric',
        dataset: 'collector.heartbeat',
        module: 'collector',
      },
      observer,
      ...(this.opts.organization ? { organization: this.opts.organization } : {}),
      edu: {
        collector: {
          version: COLLECTOR_VERSION,
          uptime_s: Math.round((Date.now() - this.started) / 1000),
          counters,
          rates,
          drops: Object.entries(counters).reduce((n, [k, v]) => (/drop/i.test(k) ? n + v : n), 0),
          spool_bytes: this.spool.pendingBytes(),
        },
      },
    };
    this.c.heartbeats++;
    await this.push([hb as unknown as EcsEvent]);
  }

  /** Per second since the previous heartbeat (since start for the first), for the counters that grew. */
  private rates(at: number, counters: Record<string, number>): Record<string, number> {
    const prev = this.lastBeat ?? { at: this.started, counters: {} };
    this.lastBeat = { at, counters };
    const secs = Math.max(0.001, (at - prev.at) / 1000);
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(counters)) {
      const d = v - (prev.counters[k] ?? 0);
      if (d > 0 && k !== 'heartbeats') out[k] = Math.round((d / secs) * 100) / 100;
    }
    return out;
  }

  /**
   * Runs `fn` after everything queued before it on the same chain: one flusher and one
   * drainer at a time. They never write to the store together: a flush writes to the
   * store only while the spool is empty, and a drain only while it is not; a flush that
   * finds the spool non-empty appends behind it, which keeps arrival order.
   */
  private serial<T>(chain: 'flushing' | 'draining', fn: () => Promise<T>): Promise<T> {
    const run = this[chain].then(fn, fn);
    this[chain] = run.catch(() => undefined);
    return run;
  }

  private async ship(batch: EcsEvent[]): Promise<void> {
    if (!this.spool.hasPending() && (await this.write(batch, this.cfg.maxAttempts))) return;
    this.toSpool(batch);
    this.scheduleDrain();
  }

  private toSpool(batch: EcsEvent[]): void {
    const refused = this.spool.append(batch);
    this.c.spooled += batch.length - refused;
    if (refused) {
      this.c.dropped += refused;
      this.opts.log?.warn({ dropped: refused, spoolBytes: this.spool.pendingBytes() }, 'spool full: events dropped');
    }
  }

  /** Writes a batch with retries; false when the store stayed unreachable or kept failing. */
  private async write(batch: EcsEvent[], attempts: number): Promise<boolean> {
    let pending = batch;
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.store.write(pending);
        if (res.quarantined.length) {
          this.deadLetter(res.quarantined);
          const bad = new Set(res.quarantined.map((q) => q.id));
          pending = pending.filter((e) => !bad.has(e?.event?.id));
        }
        if (res.failed === 0) {
          this.c.shipped += pending.length;
          return true;
        }
      } catch (err) {
        this.c.store_errors++;
        if (attempt === 1) this.logError('store write', err);
      }
      if (attempt >= attempts || this.closed) return false;
      this.c.retries++;
      await sleep(this.backoff(attempt));
    }
  }

  private deadLetter(items: { id: string; dataset: string; reason: string; event: unknown }[]): void {
    this.c.quarantined += items.length;
    mkdirSync(dirname(this.deadLetterPath), { recursive: true });
    const at = new Date().toISOString();
    appendFileSync(
      this.deadLetterPath,
      items
        .map((q) => JSON.stringify({ at, id: q.id, dataset: q.dataset, reason: q.reason, event: q.event }))
        .join('\n') + '\n',
    );
    this.opts.log?.warn(
      { count: items.length, reason: items[0].reason, file: this.deadLetterPath },
      'store refused events: written to the dead-letter file',
    );
  }

  /** Empties the spool in order, up to `rounds` batches; true when it is empty. */
  private async drainNow(rounds: number): Promise<boolean> {
    for (let r = 0; r < rounds && this.spool.hasPending(); r++) {
      const { events, next } = this.spool.read(this.cfg.batchSize);
      if (events.length && !(await this.write(events, 1))) {
        this.drainFailures++;
        if (!this.closed) this.scheduleDrain();
        return false;
      }
      this.spool.commit(next);
      this.drainFailures = 0;
    }
    return !this.spool.hasPending();
  }

  private scheduleDrain(delay = this.backoff(this.drainFailures + 1)): void {
    if (this.drainTimer || this.closed) return;
    this.drainTimer = setTimeout(() => {
      this.drainTimer = undefined;
      void this.serial('draining', () => this.drainNow(Infinity)).catch((e) => this.logError('drain', e));
    }, delay);
    this.drainTimer.unref();
  }

  /** Full jitter: a random wait up to base·2^attempt, capped. */
  private backoff(attempt: number): number {
    const cap = Math.min(this.cfg.backoffMaxMs, this.cfg.backoffBaseMs * 2 ** Math.min(attempt, 20));
    return Math.round(cap / 2 + (Math.random() * cap) / 2);
  }

  private logged = new Set<string>();
  private logError(what: string, err: unknown): void {
    const msg = err instanceof Error ? err.message : String(err);
    const key = `${what}:${msg}`;
    if (this.logged.has(key)) return;
    this.logged.add(key);
    this.opts.log?.warn({ err: msg }, `shipper: ${what} failed (events are spooled and retried)`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
