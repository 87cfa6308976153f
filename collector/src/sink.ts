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
  private scratch = Buffer.allocUnsafe(1 << 20);
  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}

  /**
   * Each line is encoded as UTF-8 straight into a scratch buffer, then the batch's
   * bytes are copied out once. Joining the lines into one string first cost a flatten
   * and a Buffer.from of the whole batch (writable streams convert strings), as much
   * as a third of JSON.stringify's own time when lines hold non-ASCII text
   * (organisation names), which makes them two-byte strings. The bytes are the same.
   */
  async push(events: EcsEvent[]): Promise<void> {
    if (!events.length) return;
    let at = 0;
    for (const e of events) {
      const line = JSON.stringify(e);
      const most = at + line.length * 3 + 1; // a UTF-16 code unit is at most 3 UTF-8 bytes
      if (most > this.scratch.length) {
        const grown = Buffer.allocUnsafe(Math.max(most, this.scratch.length * 2));
        this.scratch.copy(grown, 0, 0, at);
        this.scratch = grown;
      }
      at += this.scratch.write(line, at);
      this.scratch[at++] = 0x0a;
    }
    // A copy: the stream may hold the chunk after write() returns, and the scratch is reused.
    return this.writeRaw(Buffer.from(this.scratch.subarray(0, at)), events.length);
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
