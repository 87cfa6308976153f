/**
 * The interface every application-layer parser implements (one file each: dns,
 * http, tls, ssh). The pipeline picks a parser per flow with `detect`, then feeds the
 * session each direction's bytes in order (TCP reassembled, UDP per datagram).
 */
import type { Dataset } from '@edusentry/core';

/** 0: initiator → responder (client → server), 1: the reverse. */
export type Direction = 0 | 1;

export interface AppEmitter {
  /**
   * One application event: `fields` are its ECS fields (dns, http, url, tls, edu.ssh...);
   * the pipeline adds time, endpoints, network.* and ids. `dir` says which side sent it
   * (source = sender), default 0.
   */
  emit(fields: Record<string, unknown>, tsMs: number, dir?: Direction): void;
  /** Counts malformed input of this parser by kind. */
  malformed(kind: string): void;
}

export interface AppSession {
  /** In-order bytes of one direction. `buf[off, off+len)` is only valid during the call. */
  data(dir: Direction, buf: Buffer, off: number, len: number, tsMs: number): void;
  /** Bytes were lost in `dir` (capture gap): resynchronise or stop. */
  gap(dir: Direction, tsMs: number): void;
  /** The flow ended: emit what is pending. */
  end(tsMs: number): void;
  /** True once nothing more is wanted from this flow (reassembly stops). */
  readonly done: boolean;
  /** Set with `done` when the flow switches protocol (HTTP CONNECT): detect again on what follows. */
  readonly handoff?: boolean;
}

export interface AppParser {
  /** network.protocol value, e.g. 'dns'. */
  readonly name: string;
  readonly dataset: Dataset;
  /** Whether the first payload of a flow looks like this protocol. */
  detect(transport: 'tcp' | 'udp', buf: Buffer, off: number, len: number, srcPort: number, dstPort: number): boolean;
  create(transport: 'tcp' | 'udp', out: AppEmitter): AppSession;
}

/** Accumulates bytes across segments, copying only when a message spans them. */
export class ByteQueue {
  private parts: Buffer[] = [];
  length = 0;

  push(buf: Buffer, off: number, len: number): void {
    this.parts.push(Buffer.from(buf.subarray(off, off + len)));
    this.length += len;
  }

  /** The first `n` bytes (n <= length) as one buffer. */
  peek(n: number): Buffer {
    if (this.parts[0].length < n) {
      const all = Buffer.concat(this.parts);
      this.parts = [all];
    }
    return this.parts[0].subarray(0, n);
  }

  /** All buffered bytes as one buffer. */
  all(): Buffer {
    return this.length ? this.peek(this.length) : Buffer.alloc(0);
  }

  consume(n: number): void {
    this.length -= n;
    while (n > 0 && this.parts.length) {
      const p = this.parts[0];
      if (p.length <= n) {
        n -= p.length;
        this.parts.shift();
      } else {
        this.parts[0] = p.subarray(n);
        n = 0;
      }
    }
  }

  clear(): void {
    this.parts = [];
    this.length = 0;
  }
}
