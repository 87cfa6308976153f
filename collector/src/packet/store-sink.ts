/**
 * A direct EventSink into an EventStore, batched. Used by `collect pcap|live --store`
 * until the shipper (collector/src/shipper, with retries and the disk spool) exists.
 */
import type { EcsEvent, EventStore } from '@edusentry/core';
import type { EventSink } from '../sink';

export class StoreSink implements EventSink {
  private batch: EcsEvent[] = [];
  private written = 0;
  private quarantined = 0;
  private failed = 0;

  constructor(
    private readonly store: EventStore,
    private readonly batchSize = 2000,
  ) {}

  async push(events: EcsEvent[]): Promise<void> {
    for (const e of events) this.batch.push(e);
    if (this.batch.length >= this.batchSize) await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.batch.length) return;
    const batch = this.batch;
    this.batch = [];
    const r = await this.store.write(batch);
    this.written += r.written;
    this.quarantined += r.quarantined.length;
    this.failed += r.failed;
  }

  async close(): Promise<void> {
    await this.flush();
  }

  counters(): Record<string, number> {
    return { written: this.written, quarantined: this.quarantined, failed: this.failed };
  }
}
