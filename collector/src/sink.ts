/**
 * Where a collector path sends its events: NDJSON on stdout, or the store through
 * the shipper (collector/src/shipper). Every path (pcap, live, listen, file) writes
 * to one EventSink, so how events leave the collector is decided in one place.
 */
import {
  EduError,
  openStore,
  type EcsEvent,
  type Logger,
  type Observer,
  type Organization,
  type StoreConfig,
} from '@edusentry/core';
import type { CollectorConfig } from './config';
import type { ShipperConfig } from './shipper/config';
import { createShipper } from './shipper/shipper';
import { LazyStore } from './shipper/lazy-store';

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

export interface SinkOptions {
  /** --ndjson: one event per line on stdout (the default). */
  ndjson?: boolean;
  /** --store: the configured store, through the shipper (spool, retries, heartbeats). */
  store?: boolean;
  storeConfig: StoreConfig;
  shipper: Partial<ShipperConfig>;
  dataDir: string;
  observer: Observer;
  organization: Organization;
  log: Logger;
  /** The collector path's own counters (receivers, capture), shown in its heartbeats. */
  extraCounters?: () => Record<string, number>;
}

/** The parts of the configuration a collect run needs. */
export interface CollectSettings {
  store: StoreConfig;
  collector: Pick<CollectorConfig, 'shipper'>;
  observer: Observer;
  organization: Organization;
}

/**
 * SinkOptions from the configuration and a command's --ndjson / --store flags (a bare
 * --store, or one naming a kind, which the configuration already reflects).
 */
export function sinkOptions(
  c: CollectSettings,
  dataDir: string,
  log: Logger,
  flags: { ndjson?: boolean; store?: string | boolean },
): Omit<SinkOptions, 'extraCounters'> {
  return {
    ndjson: flags.ndjson,
    store: flags.store !== undefined && flags.store !== false,
    storeConfig: c.store,
    shipper: c.collector.shipper,
    dataDir,
    observer: c.observer,
    organization: c.organization,
    log,
  };
}

/** The sink every collect command writes to: NDJSON on stdout, or the store through the shipper. */
export async function openSink(o: SinkOptions): Promise<EventSink> {
  if (o.ndjson && o.store) throw new EduError('EDU_ERR_USAGE', 'choose one of --ndjson and --store');
  if (!o.store) return new NdjsonSink(process.stdout);
  // Opened on first write and again after a failure: the collector starts and spools while the store is down.
  const store = new LazyStore(o.storeConfig.kind, () => openStore(o.storeConfig, o.dataDir));
  return createShipper(store, {
    ...o.shipper,
    dataDir: o.dataDir,
    observer: { id: o.observer.id, name: o.observer.name },
    organization: { id: o.organization.id, name: o.organization.name },
    log: o.log,
    extraCounters: o.extraCounters,
  });
}

/** Hands events to the sink in slices, so one write never builds a huge string. */
export async function pushBatched(sink: EventSink, events: EcsEvent[], size = 1000): Promise<void> {
  for (let i = 0; i < events.length; i += size) await sink.push(events.slice(i, i + size));
}
