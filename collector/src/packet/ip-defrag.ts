/**
 * IPv4 and IPv6 fragment reassembly. Fragments are rare, so this path may allocate:
 * pieces are copied, and a complete datagram is rebuilt as a raw IP packet that the
 * caller decodes again (so a fragmented DNS answer reaches the DNS parser whole).
 */
import type { DecodedPacket } from './decode';

interface Pending {
  first: number;
  /** Header of the first fragment (IPv4 header, or IPv6 fixed header). */
  header?: Buffer;
  pieces: { off: number; data: Buffer }[];
  total: number;
  bytes: number;
}

export class FragmentReassembler {
  private readonly pending = new Map<string, Pending>();
  completed = 0;
  expired = 0;
  dropped = 0;

  constructor(
    private readonly timeoutMs = 30000,
    private readonly maxPending = 4096,
    private readonly maxBytes = 65535,
  ) {}

  /** Adds the fragment in `p`; returns the whole datagram as raw IP once complete. */
  add(p: DecodedPacket, buf: Buffer, ts: number): Buffer | undefined {
    const key = `${p.ipVersion}|${p.src.join(',')}|${p.dst.join(',')}|${p.protocol}|${p.fragId}`;
    let e = this.pending.get(key);
    if (!e) {
      if (this.pending.size >= this.maxPending) {
        this.dropped++;
        this.expire(ts, true);
      }
      e = { first: ts, pieces: [], total: -1, bytes: 0 };
      this.pending.set(key, e);
    }
    // Fragment data starts after the IP header (and IPv6 fragment header).
    const dataStart = p.ipVersion === 4 ? p.l4Offset : p.fragHeaderOffset + 8;
    if (dataStart > p.ipEnd) return undefined;
    const data = Buffer.from(buf.subarray(dataStart, p.ipEnd));
    if (p.fragOffset + data.length > this.maxBytes) {
      this.pending.delete(key);
      this.dropped++;
      return undefined;
    }
    if (p.fragOffset === 0)
      e.header = Buffer.from(buf.subarray(p.ipOffset, p.ipVersion === 4 ? p.l4Offset : p.ipOffset + 40));
    if (!p.moreFragments) e.total = p.fragOffset + data.length;
    e.pieces.push({ off: p.fragOffset, data });
    e.bytes += data.length;
    if (e.total < 0 || !e.header) return undefined;
    // Complete when the pieces cover [0, total) without holes.
    e.pieces.sort((a, b) => a.off - b.off);
    let covered = 0;
    for (const piece of e.pieces) {
      if (piece.off > covered) return undefined;
      covered = Math.max(covered, piece.off + piece.data.length);
    }
    if (covered < e.total) return undefined;
    this.pending.delete(key);
    this.completed++;
    const payload = Buffer.alloc(e.total);
    for (const piece of e.pieces)
      if (piece.off < e.total) piece.data.copy(payload, piece.off, 0, Math.min(piece.data.length, e.total - piece.off));
    const hdr = Buffer.from(e.header);
    if (p.ipVersion === 4) {
      hdr.writeUInt16BE(hdr.length + e.total, 2);
      hdr.writeUInt16BE(0, 6);
    } else {
      hdr.writeUInt16BE(e.total, 4);
      hdr[6] = buf[p.fragHeaderOffset];
    }
    return Buffer.concat([hdr, payload]);
  }

  /** Drops partial datagrams older than the timeout (or the oldest one when forced). */
  expire(now: number, forceOne = false): void {
    for (const [k, e] of this.pending) {
      if (forceOne || e.first + this.timeoutMs <= now) {
        this.pending.delete(k);
        this.expired++;
        if (forceOne) return;
      }
    }
  }
}
