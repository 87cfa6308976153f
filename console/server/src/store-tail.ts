/**
 * The console's own tail of the event store: what any process writes (an analyzer's alerts,
 * the heartbeats of collectors on other machines) reaches the console through the store, not
 * through an in-process link. The cursor is kept in the state database (meta `live_cursor`),
 * so a restarted console resumes where it stopped; a console that has never tailed starts at
 * the end of the store (history is what the pages query; only what is new is pushed).
 */
import type { Dataset, EcsEvent, EventStore, Logger, TailCursor } from '@edusentry/core';
import type { Db } from './state/db';

export interface StoreTailOptions {
  store: EventStore;
  /** The console's state database (its `meta` table holds the cursor). */
  db: Db;
  datasets: Dataset[];
  pollMs: number;
  log: Logger;
  onEvent: (event: EcsEvent) => void;
  /** Events per read. */
  batch?: number;
}

const CURSOR_KEY = 'live_cursor';

export class StoreTail {
  private cursor: TailCursor | null;
  private stopping = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private failing = false;

  constructor(private o: StoreTailOptions) {
    const row = o.db.prepare('SELECT value FROM meta WHERE key = ?').get(CURSOR_KEY) as { value: string } | undefined;
    this.cursor = row ? (JSON.parse(row.value) as TailCursor) : null;
    if (this.cursor && this.cursor.kind !== o.store.kind) this.cursor = null; // the store changed kind: start over
  }

  /** Skips to the end on a first run, then tails in the background until stop(). */
  async start(): Promise<void> {
    if (this.loop) return;
    if (!this.cursor) {
      // The store's end without reading years of heartbeats; a store that cannot say reads up to it.
      if (this.o.store.tailEnd) this.cursor = await this.o.store.tailEnd();
      else
        for (;;) {
          const res = await this.o.store.tail(this.cursor, { limit: 5000, datasets: this.o.datasets });
          this.cursor = res.cursor;
          if (res.events.length === 0) break;
        }
      this.save();
    }
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let n = 0;
      try {
        n = await this.once();
        if (this.failing) this.o.log.info('live tail of the store recovered');
        this.failing = false;
      } catch (err) {
        if (!this.failing) this.o.log.warn({ err: (err as Error).message }, 'live tail of the store failed; retrying');
        this.failing = true;
      }
      if (n === 0 && !this.stopping)
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.o.pollMs);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
    }
  }

  /** Reads one batch, hands each event on, saves the cursor; returns how many were read. */
  async once(): Promise<number> {
    const res = await this.o.store.tail(this.cursor, { limit: this.o.batch ?? 1000, datasets: this.o.datasets });
    for (const e of res.events) {
      try {
        this.o.onEvent(e);
      } catch (err) {
        this.o.log.warn(
          { id: e.event?.id, err: (err as Error).message },
          'live push of a stored event failed; skipped',
        );
      }
    }
    const moved = JSON.stringify(res.cursor) !== JSON.stringify(this.cursor);
    this.cursor = res.cursor;
    if (moved) this.save();
    return res.events.length;
  }

  private save(): void {
    if (!this.o.db.open) return;
    this.o.db
      .prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)')
      .run(CURSOR_KEY, JSON.stringify(this.cursor));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
  }
}

/** The ids pushed lately, so an event heard on the in-process bus and read from the store is pushed once. */
export class RecentIds {
  private ids = new Set<string>();
  constructor(private max = 20_000) {}

  /** True the first time an id is offered (within the last `max`). */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value as string);
    return true;
  }
}
