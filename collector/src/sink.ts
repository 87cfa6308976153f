/**
 * Where a collector path sends its events: NDJSON on stdout, or the store through
 * the shipper (collector/src/shipper). Every path (pcap, live, listen, file) writes
 * to one EventSink, so how events leave the collector is decided in one place.
 */
import type { EcsEvent } from '@edusentry/core';

export interface EventSink {
  push(events: EcsEvent[]): Promise<void>;
  /** Flushes what is buffered and releases resources. */
  close(): Promise<void>;
  counters(): Record<string, number>;
}

/** One ECS event per line on a writable stream (stdout for --ndjson), honouring backpressure. */
export class NdjsonSink implements EventSink {
  private written = 0;
  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}

  async push(events: EcsEvent[]): Promise<void> {
    if (!events.length) return;
    let chunk = '';
    for (const e of events) chunk += JSON.stringify(e) + '\n';
    this.written += events.length;
    if (!this.out.write(chunk)) await new Promise<void>((r) => this.out.once('drain', () => r()));
  }

  async close(): Promise<void> {}

  counters(): Record<string, number> {
    return { written: this.written };
  }
}
