/**
 * The daily retention job (Curator-style): where the engine has no lifecycle policy of ours
 * (Elasticsearch 7.10 OSS has no ILM; the bare OpenSearch test nodes have no ISM) this is
 * what deletes the date-named buckets past retention, and on the embedded store the old
 * rows. It runs where ISM/ILM is in force too: deleting what is already gone costs nothing
 * and covers buckets created before the policy. Each run's result goes to a status file
 * (retention.json in the data directory), which says which mechanism the engine has in force.
 */
import { writeFileSync } from 'node:fs';
import type { Logger } from '../logger';
import type { EventStore, RetentionMechanism } from './types';

export interface RetentionRun {
  at: string;
  mechanism: RetentionMechanism;
  retentionDays: number;
  /** What this run deleted: events on the embedded store, indices on a cluster. */
  removed: number;
}

export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  last: RetentionRun | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly o: { statusFile?: string; intervalMs?: number; log?: Logger; now?: () => number } = {},
  ) {}

  async runOnce(): Promise<RetentionRun> {
    const now = (this.o.now ?? Date.now)();
    const removed = (await this.store.prune?.(now)) ?? 0;
    const run: RetentionRun = {
      at: new Date(now).toISOString(),
      mechanism: (await this.store.retentionMechanism?.()) ?? 'prune-job',
      retentionDays: await this.store.retentionDays(),
      removed,
    };
    this.last = run;
    if (this.o.statusFile) writeFileSync(this.o.statusFile, JSON.stringify(run) + '\n');
    if (removed) this.o.log?.info(run, 'retention: removed what lies past retention');
    return run;
  }

  /** Runs now, then every intervalMs (default a day); a failed run is logged and tried again next time. */
  start(): void {
    const tick = () => {
      this.running ??= this.runOnce()
        .catch((err: unknown) => this.o.log?.error({ err }, 'retention run failed; next try in a day'))
        .finally(() => (this.running = undefined));
    };
    void tick();
    this.timer = setInterval(tick, this.o.intervalMs ?? 86_400_000);
    this.timer.unref();
  }

  /** Waits for a run in progress, so the store is not closed under it. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
