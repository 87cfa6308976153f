/**
 * TCP stream reassembly for one connection with an application parser: each direction's
 * payload handed to the session in sequence order, once. Retransmitted and overlapping
 * bytes are trimmed; segments after a hole wait (copied, at most MAX_OOO_SEGMENTS), and a
 * hole the peer has acknowledged past, or one with too much waiting behind it, is declared
 * lost to the capture (session.gap) and delivery goes on after it.
 */
import type { AppSession, Direction } from './app';
import { TCP, type DecodedPacket } from './decode';

const F_SYN = TCP.SYN;
const F_ACK = TCP.ACK;
const MAX_OOO_SEGMENTS = 64;

interface Segment {
  seq: number;
  data: Buffer;
}

export class TcpStream {
  /** Next expected sequence number per direction, -1 until known. */
  private readonly next: [number, number] = [-1, -1];
  /** Segments waiting behind a hole, per direction. */
  private readonly ooo: [Segment[], Segment[]] = [[], []];

  constructor(
    private readonly session: AppSession,
    /** Told of each hole declared lost (the pipeline's tcp_gaps counter). */
    private readonly onGap: () => void,
  ) {}

  /** One packet of direction `dir`: its new payload bytes to the session, in order. */
  segment(dir: Direction, p: DecodedPacket, buf: Buffer, ts: number): void {
    const next = this.next;
    // The peer acknowledging past a hole we are waiting on: those bytes were lost to the capture.
    const other = (1 - dir) as Direction;
    if (this.ooo[other].length && p.tcpFlags & F_ACK && ((p.tcpAck - next[other]) | 0) > 0) this.skipGap(other, ts);
    if (this.session.done) return;
    let seq = p.tcpSeq;
    if (p.tcpFlags & F_SYN) {
      next[dir] = (seq + 1) >>> 0;
      seq = (seq + 1) >>> 0;
    }
    let off = p.payloadOffset;
    let len = p.payloadLength;
    if (len === 0) return;
    if (next[dir] < 0) next[dir] = seq;
    const diff = (seq - next[dir]) | 0;
    if (diff < 0) {
      // Retransmission or overlap: deliver only what is new.
      if (-diff >= len) return;
      off -= diff;
      len += diff;
      seq = next[dir];
    } else if (diff > 0) {
      const q = this.ooo[dir];
      q.push({ seq, data: Buffer.from(buf.subarray(off, off + len)) });
      if (q.length > MAX_OOO_SEGMENTS) this.skipGap(dir, ts);
      return;
    }
    this.session.data(dir, buf, off, len, ts);
    next[dir] = (seq + len) >>> 0;
    if (this.ooo[dir].length) this.drain(dir, ts);
  }

  /** At the connection's end: what waits behind holes is delivered after them. */
  end(ts: number): void {
    for (const d of [0, 1] as Direction[]) if (this.ooo[d].length && !this.session.done) this.skipGap(d, ts);
  }

  private drain(dir: Direction, ts: number): void {
    const q = this.ooo[dir];
    for (let progress = true; progress && q.length && !this.session.done;) {
      progress = false;
      for (let i = 0; i < q.length; i++) {
        const s = q[i];
        const diff = (s.seq - this.next[dir]) | 0;
        if (diff > 0) continue;
        q.splice(i, 1);
        progress = true;
        if (-diff < s.data.length) {
          this.session.data(dir, s.data, -diff, s.data.length + diff, ts);
          this.next[dir] = (s.seq + s.data.length) >>> 0;
        }
        break;
      }
    }
  }

  /** Too much waiting behind a hole: declare the hole lost and continue after it. */
  private skipGap(dir: Direction, ts: number): void {
    const q = this.ooo[dir];
    let min = q[0].seq;
    for (const s of q) if (((s.seq - min) | 0) < 0) min = s.seq;
    this.onGap();
    this.session.gap(dir, ts);
    this.next[dir] = min;
    this.drain(dir, ts);
  }
}
