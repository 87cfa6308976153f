/** Collects events from a receiver and hands them on in batches (size or age), keeping order. */
import type { EcsEvent } from '@edusentry/core';
import type { EmitEvents } from './types';

export class Batcher {
  private buf: EcsEvent[] = [];
  private timer?: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();
  pending = 0;

  constructor(
    private readonly emit: EmitEvents,
    private readonly max = 500,
    private readonly maxAgeMs = 100,
  ) {}

  /** Resolves when the batch containing `e` has been handed on (for TCP backpressure). */
  add(e: EcsEvent): Promise<void> | undefined {
    this.buf.push(e);
    this.pending++;
    if (this.buf.length >= this.max) return this.flush();
    this.timer ??= setTimeout(() => void this.flush(), this.maxAgeMs);
    return undefined;
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buf;
    this.buf = [];
    if (!batch.length) return this.chain;
    this.chain = this.chain.then(() => this.emit(batch)).finally(() => (this.pending -= batch.length));
    return this.chain;
  }
}
