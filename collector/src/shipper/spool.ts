/**
 * The on-disk spool: where events wait while the store is unreachable.
 *
 * Append-only segment files (`000000000001.seg`, …), one record per event:
 *   "ES" | u32 length | u32 crc32(payload) | payload (JSON)
 * A read cursor (`cursor.json`: segment and offset) is moved only after the store
 * accepted what was read, so a crash between write and commit re-sends a little,
 * and deterministic event ids make that harmless. A torn record at the tail of the
 * last segment (a crash mid-append) is cut off at open; a record whose checksum
 * does not match is skipped by scanning for the next valid header, and counted.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  ftruncateSync,
  writeFileSync,
  writeSync,
  readFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { EcsEvent } from '@edusentry/core';

export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface SpoolOptions {
  dir: string;
  segmentBytes: number;
  maxBytes: number;
  fsync: FsyncPolicy;
  fsyncIntervalMs: number;
}

interface Position {
  seg: number;
  off: number;
}

const MAGIC0 = 0x45; // 'E'
const MAGIC1 = 0x53; // 'S'
const HEADER = 10;
const MAX_RECORD = 64 * 1024 * 1024;

export class Spool {
  private writeSeg = 0;
  private writeFd = -1;
  private writeOff = 0;
  private cursor: Position;
  private fsyncTimer?: NodeJS.Timeout;
  private dirty = false;
  /** Records that failed their checksum and were skipped. */
  corrupt = 0;

  constructor(private readonly opts: SpoolOptions) {
    mkdirSync(opts.dir, { recursive: true });
    const segs = this.segments();
    this.cursor = this.readCursor() ?? { seg: segs[0] ?? 1, off: 0 };
    this.openWriter(segs.length ? segs[segs.length - 1] : Math.max(1, this.cursor.seg));
    if (opts.fsync === 'interval') {
      this.fsyncTimer = setInterval(() => this.sync(), opts.fsyncIntervalMs);
      this.fsyncTimer.unref();
    }
  }

  /** True when there are records not yet committed as shipped. */
  hasPending(): boolean {
    return this.cursor.seg < this.writeSeg || (this.cursor.seg === this.writeSeg && this.cursor.off < this.writeOff);
  }

  /** Bytes on disk not yet shipped. */
  pendingBytes(): number {
    let total = 0;
    for (const s of this.segments()) {
      if (s < this.cursor.seg) continue;
      const size = s === this.writeSeg ? this.writeOff : statSync(this.segPath(s)).size;
      total += s === this.cursor.seg ? Math.max(0, size - this.cursor.off) : size;
    }
    return total;
  }

  /** Appends events in order; returns how many were refused because the spool is full. */
  append(events: EcsEvent[]): number {
    if (!events.length) return 0;
    const room = this.opts.maxBytes - this.pendingBytesFast();
    const bufs: Buffer[] = [];
    let size = 0;
    let refused = 0;
    for (const e of events) {
      const payload = Buffer.from(JSON.stringify(e));
      if (size + payload.length + HEADER > room) {
        refused++;
        continue;
      }
      const head = Buffer.allocUnsafe(HEADER);
      head[0] = MAGIC0;
      head[1] = MAGIC1;
      head.writeUInt32BE(payload.length, 2);
      head.writeUInt32BE(crc32(payload), 6);
      bufs.push(head, payload);
      size += HEADER + payload.length;
    }
    if (size) {
      if (this.writeOff > 0 && this.writeOff + size > this.opts.segmentBytes) this.roll();
      const buf = Buffer.concat(bufs, size);
      writeSync(this.writeFd, buf, 0, buf.length, this.writeOff);
      this.writeOff += buf.length;
      this.approxBytes += buf.length;
      this.dirty = true;
      if (this.opts.fsync === 'always') this.sync();
    }
    return refused;
  }

  /** Reads up to `max` events from the cursor without moving it; `commit(next)` moves it. */
  read(max: number): { events: EcsEvent[]; next: Position } {
    const events: EcsEvent[] = [];
    let pos = { ...this.cursor };
    while (events.length < max && (pos.seg < this.writeSeg || pos.off < this.writeOff)) {
      const end = pos.seg === this.writeSeg ? this.writeOff : this.segSize(pos.seg);
      if (end < 0 || pos.off >= end) {
        const nextSeg = this.nextSegment(pos.seg);
        if (nextSeg === undefined) break;
        pos = { seg: nextSeg, off: 0 };
        continue;
      }
      const fd = openSync(this.segPath(pos.seg), 'r');
      try {
        const chunk = Buffer.allocUnsafe(Math.min(end - pos.off, 4 * 1024 * 1024));
        const n = readSync(fd, chunk, 0, chunk.length, pos.off);
        let i = 0;
        while (events.length < max && i + HEADER <= n) {
          const len = chunk.readUInt32BE(i + 2);
          const valid = chunk[i] === MAGIC0 && chunk[i + 1] === MAGIC1 && len <= MAX_RECORD;
          if (valid && pos.off + i + HEADER + len > end) {
            this.corrupt++; // a length that runs past the segment: not a real header
            i = this.resync(chunk, i + 1, n);
            continue;
          }
          if (valid && i + HEADER + len > n) {
            if (i === 0) {
              // One record larger than the chunk: read it whole.
              const big = Buffer.allocUnsafe(HEADER + len);
              readSync(fd, big, 0, big.length, pos.off);
              const ev = this.decode(big, 0, len);
              if (ev) events.push(ev);
              i = big.length;
            }
            break;
          }
          const ev = valid ? this.decode(chunk, i, len) : undefined;
          if (ev) {
            events.push(ev);
            i += HEADER + len;
          } else {
            this.corrupt++;
            i = this.resync(chunk, i + 1, n);
          }
        }
        if (i === 0 && n > 0) i = n; // nothing decodable in this chunk: skip it
        pos = { seg: pos.seg, off: pos.off + i };
      } finally {
        closeSync(fd);
      }
    }
    return { events, next: pos };
  }

  commit(next: Position): void {
    for (const s of this.segments()) if (s < next.seg) rmSync(this.segPath(s), { force: true });
    this.cursor = next;
    const tmp = join(this.opts.dir, 'cursor.json.tmp');
    writeFileSync(tmp, JSON.stringify(next));
    renameSync(tmp, join(this.opts.dir, 'cursor.json'));
    if (!this.hasPending()) this.approxBytes = 0;
  }

  sync(): void {
    if (this.dirty && this.writeFd >= 0) {
      fsyncSync(this.writeFd);
      this.dirty = false;
    }
  }

  close(): void {
    if (this.fsyncTimer) clearInterval(this.fsyncTimer);
    this.sync();
    if (this.writeFd >= 0) closeSync(this.writeFd);
    this.writeFd = -1;
  }

  private approxBytes = -1;
  private pendingBytesFast(): number {
    if (this.approxBytes < 0) this.approxBytes = this.pendingBytes();
    return this.approxBytes;
  }

  private decode(buf: Buffer, i: number, len: number): EcsEvent | undefined {
    const payload = buf.subarray(i + HEADER, i + HEADER + len);
    if (crc32(payload) !== buf.readUInt32BE(i + 6)) return undefined;
    try {
      return JSON.parse(payload.toString('utf8')) as EcsEvent;
    } catch {
      return undefined;
    }
  }

  /** Next offset in `buf` where a header with a matching checksum starts, or `n`. */
  private resync(buf: Buffer, from: number, n: number): number {
    for (let j = from; j + HEADER <= n; j++) {
      if (buf[j] !== MAGIC0 || buf[j + 1] !== MAGIC1) continue;
      const len = buf.readUInt32BE(j + 2);
      if (len <= MAX_RECORD && j + HEADER + len <= n && this.decode(buf, j, len)) return j;
    }
    return n;
  }

  private openWriter(seg: number): void {
    this.writeSeg = seg;
    const path = this.segPath(seg);
    this.writeFd = openSync(path, existsSync(path) ? 'r+' : 'w+');
    this.writeOff = this.validLength(this.writeFd);
    if (this.writeOff < fstatSync(this.writeFd).size) ftruncateSync(this.writeFd, this.writeOff);
  }

  /** Length of the segment up to the last whole record (cuts a torn tail). */
  private validLength(fd: number): number {
    const size = fstatSync(fd).size;
    const head = Buffer.allocUnsafe(HEADER);
    let off = 0;
    while (off + HEADER <= size) {
      readSync(fd, head, 0, HEADER, off);
      const len = head.readUInt32BE(2);
      if (head[0] !== MAGIC0 || head[1] !== MAGIC1 || len > MAX_RECORD || off + HEADER + len > size) break;
      off += HEADER + len;
    }
    return off;
  }

  private roll(): void {
    this.sync();
    closeSync(this.writeFd);
    this.openWriter(this.writeSeg + 1);
  }

  private segments(): number[] {
    return readdirSync(this.opts.dir)
      .filter((f) => /^\d{12}\.seg$/.test(f))
      .map((f) => Number(f.slice(0, 12)))
      .sort((a, b) => a - b);
  }

  private nextSegment(seg: number): number | undefined {
    return this.segments().find((s) => s > seg);
  }

  private segSize(seg: number): number {
    try {
      return statSync(this.segPath(seg)).size;
    } catch {
      return -1;
    }
  }

  private segPath(seg: number): string {
    return join(this.opts.dir, String(seg).padStart(12, '0') + '.seg');
  }

  private readCursor(): Position | undefined {
    try {
      const c = JSON.parse(readFileSync(join(this.opts.dir, 'cursor.json'), 'utf8')) as Position;
      return Number.isInteger(c.seg) && Number.isInteger(c.off) ? c : undefined;
    } catch {
      return undefined;
    }
  }
}
