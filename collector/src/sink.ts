/**
 * Where a collector path sends its events: NDJSON on stdout, or the store through
 * the shipper (collector/src/shipper). Every path (pcap, live, listen, file) writes
 * to one EventSink, so how events leave the collector is decided in one place.
 */
import type { EcsEvent } from '@edusentry/core';

export interface EventSink {
  push(events: EcsEvent[]): Promise<void>;
  /**
   * Optional: takes events already serialised, `count` NDJSON lines (each exactly
   * JSON.stringify of an ECS event, then a newline; bytes are UTF-8). A producer that
   * can write its events as text (the packet pipeline) uses it when present and push()
   * otherwise. The sink may keep `ndjson` (the producer does not reuse it).
   */
  writeRaw?(ndjson: string | Uint8Array, count: number): Promise<void>;
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
    return this.writeRaw(chunk, events.length);
  }

  async writeRaw(ndjson: string | Uint8Array, count: number): Promise<void> {
    if (!count) return;
    this.written += count;
    if (!this.out.write(ndjson)) await new Promise<void>((r) => this.out.once('drain', () => r()));
  }

  async close(): Promise<void> {}

  counters(): Record<string, number> {
    return { written: this.written };
  }
}
