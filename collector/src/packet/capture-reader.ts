/**
 * Streaming reader for classic pcap (both byte orders, micro/nanosecond, and the
 * Kuznetzov variant) and pcapng (SHB/IDB/EPB/SPB/OPB, several interfaces each with
 * its own link type and timestamp resolution). Fed chunks; calls `onPacket` with
 * offsets into the chunk, so packet bytes are never copied. A record that makes no
 * sense ends the capture there: the rest is counted as damaged, never guessed at.
 */
import { open } from 'node:fs/promises';
import { EduError } from '@edusentry/core';

/** `tsMs` is milliseconds since the epoch with microsecond precision. */
export type PacketHandler = (
  linkType: number,
  tsMs: number,
  buf: Buffer,
  offset: number,
  capLen: number,
  origLen: number,
  ifIndex: number,
) => void;

export type CaptureFormat = 'pcap' | 'pcapng';

interface Iface {
  linkType: number;
  snapLen: number;
  /** Timestamp units per millisecond. */
  unitsPerMs: number;
  offsetMs: number;
}

/** Largest record we believe; anything larger in a header is damage, not a packet. */
const MAX_RECORD = 16 * 1024 * 1024;

export class CaptureReader {
  format: CaptureFormat | undefined;
  packets = 0;
  bytes = 0;
  /** Set once damage was found; the rest of the input is skipped. */
  damaged = false;
  /** Damage and oddities by kind (corrupt_record, truncated_record, ...). */
  readonly errors: Record<string, number> = {};
  private little = true;
  private nsec = false;
  private recordHeader = 16;
  private linkType = 0;
  private readonly ifaces: Iface[] = [];

  constructor(private readonly onPacket: PacketHandler) {}

  /** Parses what it can of buf[0, end); returns the number of bytes consumed. */
  feed(buf: Buffer, end = buf.length): number {
    if (this.damaged) return end;
    let o = 0;
    if (this.format === undefined) {
      if (end < 24) return 0;
      o = this.header(buf);
    }
    if (this.format === 'pcap') o = this.pcapRecords(buf, o, end);
    else o = this.pcapngBlocks(buf, o, end);
    return this.damaged ? end : o;
  }

  /** Call at end of input with the unconsumed byte count. */
  finish(leftover: number): void {
    if (this.format === undefined)
      throw new EduError('EDU_ERR_INPUT', 'not a pcap or pcapng capture (shorter than a capture file header)');
    if (leftover > 0 && !this.damaged) this.count('truncated_record');
  }

  private count(kind: string): void {
    this.errors[kind] = (this.errors[kind] ?? 0) + 1;
  }

  private damage(kind: string): void {
    this.count(kind);
    this.damaged = true;
  }

  private header(buf: Buffer): number {
    const be = buf.readUInt32BE(0);
    const le = buf.readUInt32LE(0);
    if (be === 0x0a0d0d0a) {
      this.format = 'pcapng';
      return 0;
    }
    const magics: Record<number, [boolean, number]> = {
      0xa1b2c3d4: [false, 16],
      0xa1b23c4d: [true, 16],
      0xa1b2cd34: [false, 24],
    };
    const m = magics[le] ?? magics[be];
    if (!m) {
      throw new EduError(
        'EDU_ERR_INPUT',
        `not a pcap or pcapng capture (starts with 0x${buf.subarray(0, 4).toString('hex')}): give a .pcap or .pcapng file`,
      );
    }
    this.format = 'pcap';
    this.little = magics[le] !== undefined;
    [this.nsec, this.recordHeader] = m;
    this.linkType = (this.little ? buf.readUInt32LE(20) : buf.readUInt32BE(20)) & 0xffff;
    return 24;
  }

  private pcapRecords(buf: Buffer, o: number, end: number): number {
    const little = this.little;
    const hdr = this.recordHeader;
    const div = this.nsec ? 1e6 : 1e3;
    const onPacket = this.onPacket;
    const link = this.linkType;
    // Plain byte arithmetic: the record header is read once per packet, so no method calls here.
    const le = (i: number) => (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24)) >>> 0;
    const be = (i: number) => ((buf[i] << 24) | (buf[i + 1] << 16) | (buf[i + 2] << 8) | buf[i + 3]) >>> 0;
    while (o + hdr <= end) {
      const sec = little ? le(o) : be(o);
      const frac = little ? le(o + 4) : be(o + 4);
      const capLen = little ? le(o + 8) : be(o + 8);
      const origLen = little ? le(o + 12) : be(o + 12);
      if (capLen > MAX_RECORD || frac >= div * 1000) {
        this.damage('corrupt_record');
        return o;
      }
      if (o + hdr + capLen > end) break;
      this.packets++;
      this.bytes += capLen;
      onPacket(link, sec * 1000 + frac / div, buf, o + hdr, capLen, origLen < capLen ? capLen : origLen, 0);
      o += hdr + capLen;
    }
    return o;
  }

  private pcapngBlocks(buf: Buffer, o: number, end: number): number {
    while (o + 12 <= end) {
      let type = this.little ? buf.readUInt32LE(o) : buf.readUInt32BE(o);
      let len = this.little ? buf.readUInt32LE(o + 4) : buf.readUInt32BE(o + 4);
      if (buf.readUInt32BE(o) === 0x0a0d0d0a) {
        // Section header: its own byte-order magic decides how to read the rest.
        if (o + 12 > end) break;
        const magic = buf.readUInt32LE(o + 8);
        if (magic === 0x1a2b3c4d) this.little = true;
        else if (magic === 0x4d3c2b1a) this.little = false;
        else {
          this.damage('corrupt_block');
          return o;
        }
        type = 0x0a0d0d0a;
        len = this.little ? buf.readUInt32LE(o + 4) : buf.readUInt32BE(o + 4);
      }
      if (len < 12 || len % 4 !== 0 || len > MAX_RECORD) {
        this.damage('corrupt_block');
        return o;
      }
      if (o + len > end) break;
      const trailer = this.little ? buf.readUInt32LE(o + len - 4) : buf.readUInt32BE(o + len - 4);
      if (trailer !== len) {
        this.damage('corrupt_block');
        return o;
      }
      this.block(type, buf, o, len);
      if (this.damaged) return o;
      o += len;
    }
    return o;
  }

  private u32(buf: Buffer, o: number): number {
    return this.little ? buf.readUInt32LE(o) : buf.readUInt32BE(o);
  }

  private u16(buf: Buffer, o: number): number {
    return this.little ? buf.readUInt16LE(o) : buf.readUInt16BE(o);
  }

  private block(type: number, buf: Buffer, o: number, len: number): void {
    switch (type) {
      case 0x0a0d0d0a:
        this.ifaces.length = 0;
        return;
      case 1: {
        if (len < 20) return this.damage('corrupt_block');
        const iface: Iface = {
          linkType: this.u16(buf, o + 8),
          snapLen: this.u32(buf, o + 12),
          unitsPerMs: 1e3,
          offsetMs: 0,
        };
        // Options: if_tsresol (9) and if_tsoffset (14).
        let p = o + 16;
        const optEnd = o + len - 4;
        while (p + 4 <= optEnd) {
          const code = this.u16(buf, p);
          const olen = this.u16(buf, p + 2);
          if (code === 0 || p + 4 + olen > optEnd) break;
          if (code === 9 && olen >= 1) {
            const r = buf[p + 4];
            const perSec = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r;
            iface.unitsPerMs = perSec / 1000;
          } else if (code === 14 && olen >= 8) {
            iface.offsetMs =
              (this.u32(buf, p + (this.little ? 8 : 4)) * 2 ** 32 + this.u32(buf, p + (this.little ? 4 : 8))) * 1000;
          }
          p += 4 + ((olen + 3) & ~3);
        }
        this.ifaces.push(iface);
        return;
      }
      case 6:
      case 2: {
        if (len < 32) return this.damage('corrupt_block');
        const ifIndex = type === 6 ? this.u32(buf, o + 8) : this.u16(buf, o + 8);
        const iface = this.ifaces[ifIndex];
        if (!iface) return this.count('unknown_interface');
        const ts = this.u32(buf, o + 12) * 4294967296 + this.u32(buf, o + 16);
        const capLen = this.u32(buf, o + 20);
        const origLen = this.u32(buf, o + 24);
        if (28 + capLen > len - 4) return this.damage('corrupt_block');
        this.packets++;
        this.bytes += capLen;
        this.onPacket(
          iface.linkType,
          ts / iface.unitsPerMs + iface.offsetMs,
          buf,
          o + 28,
          capLen,
          origLen < capLen ? capLen : origLen,
          ifIndex,
        );
        return;
      }
      case 3: {
        const iface = this.ifaces[0];
        if (!iface) return this.count('unknown_interface');
        const origLen = this.u32(buf, o + 8);
        let capLen = Math.min(origLen, len - 16);
        if (iface.snapLen > 0 && capLen > iface.snapLen) capLen = iface.snapLen;
        this.packets++;
        this.bytes += capLen;
        // Simple packet blocks carry no timestamp.
        this.onPacket(iface.linkType, 0, buf, o + 12, capLen, origLen, 0);
        return;
      }
      default:
        // Name resolution, statistics, custom and unknown blocks: nothing we need.
        return;
    }
  }
}

export interface ReadFileOptions {
  chunkSize?: number;
  /** Called after each chunk, awaited (backpressure); `position` is bytes read so far. */
  onChunk?: (position: number, size: number) => Promise<void> | void;
}

/**
 * Reads a capture file through a CaptureReader in large chunks. Throws EduError
 * EDU_ERR_INPUT when the file is unreadable or is not a capture.
 */
export async function readCaptureFile(
  path: string,
  onPacket: PacketHandler,
  opts: ReadFileOptions = {},
): Promise<CaptureReader> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new EduError(
      'EDU_ERR_INPUT',
      `cannot read capture ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  const reader = new CaptureReader(onPacket);
  try {
    const size = (await fh.stat()).size;
    const chunk = opts.chunkSize ?? 4 * 1024 * 1024;
    let buf = Buffer.allocUnsafe(chunk);
    let filled = 0;
    let position = 0;
    for (;;) {
      if (filled === buf.length) {
        // A record larger than the buffer: grow (bounded by MAX_RECORD checks in the reader).
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
      }
      let n: number;
      try {
        ({ bytesRead: n } = await fh.read(buf, filled, buf.length - filled, position));
      } catch (err) {
        throw new EduError(
          'EDU_ERR_INPUT',
          `cannot read capture ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
        );
      }
      if (n === 0) break;
      position += n;
      filled += n;
      let used: number;
      try {
        used = reader.feed(buf, filled);
      } catch (err) {
        if (err instanceof EduError) throw new EduError(err.code, `${path}: ${err.message}`);
        throw err;
      }
      if (used > 0) {
        buf.copy(buf, 0, used, filled);
        filled -= used;
      }
      if (opts.onChunk) await opts.onChunk(position, size);
      if (reader.damaged) break;
    }
    try {
      reader.finish(filled);
    } catch (err) {
      if (err instanceof EduError) throw new EduError(err.code, `${path}: ${err.message}`);
      throw err;
    }
    return reader;
  } finally {
    await fh.close();
  }
}
