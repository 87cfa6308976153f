/**
 * One scheduler for all sites (not a timer per site): each site is due at its own interval from a
 * jittered start; due sites start while fewer than `concurrency` runs are in flight and fewer than
 * `perHost` run against the same host (politeness); a site that keeps failing backs off
 * (interval × 2^(failures−1), at most maxBackoffSec); results are written in batches. The site list is
 * re-read every `refreshMs`, so sites added, changed or removed in the registry take effect.
 */
import type { EcsEvent, Logger } from '@edusentry/core';
import type { SitesConfig } from './config';
import type { SiteMonitor, SiteRunResult } from './monitor';
import type { Site } from './types';

export interface SchedulerOptions {
  monitor: SiteMonitor;
  config: SitesConfig;
  /** The sites to watch (the registry's enabled sites); called at start and every refreshMs. */
  sites: () => Site[];
  write: (events: EcsEvent[]) => Promise<void>;
  log?: Logger;
  onResult?: (r: SiteRunResult) => void;
  refreshMs?: number;
  /** Start every site at once instead of a jittered start (tests, `--once`). */
  noJitter?: boolean;
  random?: () => number;
}

interface Entry {
  site: Site;
  host: string;
  due: number;
  running: boolean;
}

export interface SchedulerStats {
  sites: number;
  runs: number;
  running: number;
  written: number;
  writeFailures: number;
}

export class Scheduler {
  private entries = new Map<string, Entry>();
  private perHost = new Map<string, number>();
  private buffer: EcsEvent[] = [];
  private timer?: NodeJS.Timeout;
  private flushTimer?: NodeJS.Timeout;
  private refreshTimer?: NodeJS.Timeout;
  private inflight = new Set<Promise<void>>();
  private stopping = false;
  private flushing: Promise<void> = Promise.resolve();
  readonly stats: SchedulerStats = { sites: 0, runs: 0, running: 0, written: 0, writeFailures: 0 };

  constructor(private o: SchedulerOptions) {}

  start(): void {
    this.refresh();
    this.refreshTimer = setInterval(() => this.refresh(), this.o.refreshMs ?? 30_000);
    this.flushTimer = setInterval(() => void this.flush(), this.o.config.scheduler.flushMs);
    this.pump();
  }

  /** Re-reads the site list: new sites get a jittered first run, removed ones are dropped. */
  refresh(): void {
    let sites: Site[];
    try {
      sites = this.o.sites().filter((s) => s.enabled);
    } catch (e) {
      this.o.log?.warn({ err: (e as Error).message }, 'site list could not be read; keeping the last one');
      return;
    }
    const now = Date.now();
    const seen = new Set<string>();
    const rnd = this.o.random ?? Math.random;
    for (const site of sites) {
      seen.add(site.id);
      const e = this.entries.get(site.id);
      if (e) e.site = site;
      else
        this.entries.set(site.id, {
          site,
          host: hostOf(site.url),
          due: this.o.noJitter ? now : now + Math.floor(rnd() * site.intervalSec * 1000),
          running: false,
        });
    }
    for (const id of [...this.entries.keys()]) if (!seen.has(id)) this.entries.delete(id);
    this.stats.sites = this.entries.size;
  }

  /** Looks for due sites now (after a registry change, say) instead of at the next tick. */
  wake(): void {
    this.pump();
  }

  /** Starts what is due and allowed, then sleeps until the next due time (at most 1 s). */
  private pump(): void {
    if (this.stopping) return;
    clearTimeout(this.timer);
    const now = Date.now();
    const { concurrency, perHost } = this.o.config.scheduler;
    let next = now + 1000;
    // One pass (not a sort of every site): the due ones, oldest first, and the next due time.
    const due: Entry[] = [];
    for (const e of this.entries.values()) {
      if (e.running) continue;
      if (e.due <= now) due.push(e);
      else if (e.due < next) next = e.due;
    }
    due.sort((a, b) => a.due - b.due);
    for (const e of due) {
      if (this.stats.running >= concurrency) break;
      if ((this.perHost.get(e.host) ?? 0) >= perHost) continue;
      this.launch(e);
    }
    this.timer = setTimeout(() => this.pump(), Math.max(5, next - Date.now()));
  }

  private launch(e: Entry): void {
    e.running = true;
    this.stats.running++;
    this.perHost.set(e.host, (this.perHost.get(e.host) ?? 0) + 1);
    const p = this.o.monitor
      .runSite(e.site)
      .then(
        (r) => {
          this.stats.runs++;
          this.buffer.push(...r.events);
          this.o.onResult?.(r);
          const failures = this.o.monitor.state.get(e.site.id).failures;
          const backoff =
            failures > 1
              ? Math.min(2 ** (failures - 1), this.o.config.scheduler.maxBackoffSec / e.site.intervalSec)
              : 1;
          e.due = Date.now() + Math.max(1, backoff) * e.site.intervalSec * 1000;
          if (this.buffer.length >= this.o.config.scheduler.batchSize) void this.flush();
        },
        (err: Error) => {
          this.o.log?.warn({ site: e.site.id, err: err.message }, 'site run failed');
          e.due = Date.now() + e.site.intervalSec * 1000;
        },
      )
      .finally(() => {
        e.running = false;
        this.stats.running--;
        this.perHost.set(e.host, (this.perHost.get(e.host) ?? 1) - 1);
        this.inflight.delete(p);
        this.pump();
      });
    this.inflight.add(p);
  }

  /** Writes the buffered results and saves the monitor's state; one flush at a time. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (!this.buffer.length) return;
      const batch = this.buffer;
      this.buffer = [];
      try {
        await this.o.write(batch);
        this.stats.written += batch.length;
        this.o.monitor.saveState();
      } catch (e) {
        this.stats.writeFailures++;
        this.o.log?.warn(
          { err: (e as Error).message, events: batch.length },
          'site results not written; kept for the next flush',
        );
        this.buffer = batch.concat(this.buffer).slice(-50_000);
      }
    });
    return this.flushing;
  }

  /** Resolves once every site has run at least once (for `--once` style use and tests). */
  async drain(): Promise<void> {
    while (this.inflight.size || [...this.entries.values()].some((e) => e.due <= Date.now() && !e.running)) {
      await Promise.race([...this.inflight, new Promise((r) => setTimeout(r, 20))]);
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    clearInterval(this.flushTimer);
    clearInterval(this.refreshTimer);
    await Promise.allSettled([...this.inflight]);
    await this.flush();
    this.o.monitor.saveState();
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}
