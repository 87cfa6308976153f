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
  /** Batch buffers the stream is done with (their write callback ran), for the next batches. */
  private readonly free: Buffer[] = [];
  /**
   * `reuseBuffers`: the stream is done with a chunk once its write callback has run, as
   * process.stdout (file, pipe, terminal) is. Not so for streams that pass chunks on
   * unread (PassThrough), so off unless writing to process.stdout.
   */
  constructor(
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly reuseBuffers = out === process.stdout,
  ) {}

  /**
   * Each line is encoded as UTF-8 straight into one buffer for the batch. Joining the
   * lines into one string first cost a flatten and a Buffer.from of the whole batch
   * (writable streams convert strings), as much as a third of JSON.stringify's own
   * time when lines hold non-ASCII text (organisation names), which makes them
   * two-byte strings; and a fresh buffer per batch costs its page faults, so written
   * buffers are reused. The bytes are the same.
   */
  async push(events: EcsEvent[]): Promise<void> {
    if (!events.length) return;
    let buf = this.free.pop() ?? Buffer.allocUnsafeSlow(1 << 20);
    let at = 0;
    for (const e of events) {
      const line = JSON.stringify(e);
      const most = at + line.length * 3 + 1; // a UTF-16 code unit is at most 3 UTF-8 bytes
      if (most > buf.length) {
        const grown = Buffer.allocUnsafeSlow(Math.max(most, buf.length * 2));
        buf.copy(grown, 0, 0, at);
        buf = grown;
      }
      at += buf.write(line, at);
      buf[at++] = 0x0a;
    }
    this.written += events.length;
    const done = this.reuseBuffers ? () => void (this.free.length < 4 && this.free.push(buf)) : undefined;
    await this.write(buf.subarray(0, at), done);
  }

  async writeRaw(ndjson: string | Uint8Array, count: number): Promise<void> {
    if (!count) return;
    this.written += count;
    await this.write(ndjson);
  }

  private async write(chunk: string | Uint8Array, done?: () => void): Promise<void> {
    const ok = done ? this.out.write(chunk, done) : this.out.write(chunk);
    if (!ok) await new Promise<void>((r) => this.out.once('drain', () => r()));
  }

  async close(): Promise<void> {}

  counters(): Record<string, number> {
    return { written: this.written };
  }
}
