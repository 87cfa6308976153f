/**
 * Bidirectional flow table keyed on (addresses, ports, protocol, VLANs). Flows live
 * in typed-array columns indexed by slot, found through an open-addressing hash
 * index, and ordered in LRU lists, so a million concurrent flows cost ~130 bytes
 * each and a packet costs a hash probe and a few array writes — no objects.
 *
 * The LRU lists are kept lazily: a packet only updates its flow's `last`; a flow sits
 * in its list at the time it was queued, and expiry or eviction finding it at the head
 * with newer activity re-queues it then. Expiry and eviction stay exact, and a packet
 * does not touch its list neighbours (four random memory reads and writes fewer).
 *
 * Direction 0 is initiator → responder (the first packet's sender, or the SYN
 * sender when the first packet seen is a SYN-ACK).
 */
import { TCP, type DecodedPacket } from './decode';

// Module-local copies of the shared constants: imported bindings cost a getter call per access on the hot path.
const F_SYN = TCP.SYN;
const F_ACK = TCP.ACK;
const F_FIN = TCP.FIN;
const F_RST = TCP.RST;

export type EndReason = 'idle_timeout' | 'active_timeout' | 'fin' | 'rst' | 'evicted' | 'end_of_capture' | 'port_reuse';

export interface FlowTableOptions {
  maxFlows: number;
  idleTimeoutMs: number;
  activeTimeoutMs: number;
  /** How long a flow that saw FIN both ways (or RST) lingers for its last ACKs. */
  closedTimeoutMs: number;
  initialCapacity?: number;
  /** Whether VLAN ids are part of the key (false: a flow tagged one way and not the other stays one flow). */
  vlanInKey?: boolean;
}

/** Called before a slot is freed (end) or reset (active timeout split). */
export type FlowEndHandler = (slot: number, reason: EndReason) => void;

const ACTIVE = 0;
const CLOSING = 1;
/** Per-flow state bits. */
const FIN_FWD = 1;
const FIN_REV = 2;
const RST_SEEN = 4;

export class FlowTable {
  capacity = 0;
  count = 0;
  evictions = 0;
  created = 0;
  /** Set by lookup(): direction of the packet and whether it started the flow. */
  dir = 0;
  isNew = false;
  /** The slot of the previous packet's flow, -1 once it ended. */
  private recent = -1;

  // Columns, indexed by slot (addresses by slot*4).
  hash = new Uint32Array(0);
  addrA = new Uint32Array(0);
  addrB = new Uint32Array(0);
  portA = new Uint16Array(0);
  portB = new Uint16Array(0);
  proto = new Uint8Array(0);
  ipVersion = new Uint8Array(0);
  vlanCount = new Uint8Array(0);
  vlanOuter = new Uint16Array(0);
  vlanInner = new Uint16Array(0);
  first = new Float64Array(0);
  last = new Float64Array(0);
  /** When the flow was (re)queued in its list: never after `last`. */
  private queued = new Float64Array(0);
  packetsFwd = new Float64Array(0);
  packetsRev = new Float64Array(0);
  bytesFwd = new Float64Array(0);
  bytesRev = new Float64Array(0);
  flagsFwd = new Uint8Array(0);
  flagsRev = new Uint8Array(0);
  state = new Uint8Array(0);
  /** First packet's ICMP type/code, for the Community ID. */
  icmpType = new Uint8Array(0);
  icmpCode = new Uint8Array(0);
  /** Scratch for the pipeline: how many payloads were tried for application detection. */
  appTries = new Uint8Array(0);
  private prev = new Int32Array(0);
  private next = new Int32Array(0);
  private list = new Uint8Array(0);
  private readonly head = [-1, -1];
  private readonly tail = [-1, -1];
  private index = new Int32Array(0);
  private mask = 0;
  private free = new Int32Array(0);
  private freeTop = 0;

  constructor(
    private readonly opts: FlowTableOptions,
    private readonly onEnd: FlowEndHandler,
  ) {
    this.grow(Math.min(opts.maxFlows, opts.initialCapacity ?? 4096));
  }

  /** Finds or creates the flow of packet `p` at time `ts`; updates its counters. Returns the slot. */
  update(p: DecodedPacket, ts: number, wireLen: number): number {
    const proto = p.protocol;
    const keyed = proto === 6 || proto === 17 || proto === 132;
    const sp = keyed ? p.srcPort : 0;
    const dp = keyed ? p.dstPort : 0;
    const vlanKey = this.opts.vlanInKey !== false;
    const vo = vlanKey ? p.vlanOuter : 0;
    const vi = vlanKey ? p.vlanInner : 0;
    // Packets come in bursts per flow: try the previous packet's flow before hashing.
    let slot = this.recent;
    let dir = slot >= 0 ? this.keyDir(slot, p, proto, sp, dp, vo, vi) : -1;
    let h = 0;
    if (dir < 0) {
      // Symmetric hash: either direction lands on the same bucket.
      // IPv4 keeps words 1-3 zero: two mixes per side instead of five.
      const s = p.src;
      const d = p.dst;
      const v4 = p.ipVersion === 4;
      const hs = v4 ? mix(s[0], sp) : mix(mix(mix(mix(s[0], s[1]), s[2]), s[3]), sp);
      const hd = v4 ? mix(d[0], dp) : mix(mix(mix(mix(d[0], d[1]), d[2]), d[3]), dp);
      h = mix(mix((hs ^ hd) >>> 0, proto), (vo << 12) | vi) >>> 0;
      const mask = this.mask;
      const index = this.index;
      const hashes = this.hash;
      slot = -1;
      for (let i = h & mask; ; i = (i + 1) & mask) {
        const e = index[i];
        if (e === 0) break;
        if (hashes[e - 1] !== h) continue;
        dir = this.keyDir(e - 1, p, proto, sp, dp, vo, vi);
        if (dir >= 0) {
          slot = e - 1;
          break;
        }
      }
    }
    const flags = proto === 6 ? p.tcpFlags : 0;
    if (slot >= 0) {
      // A fresh SYN on a closing flow is a new connection on a reused port pair.
      if (this.list[slot] === CLOSING && (flags & (F_SYN | F_ACK)) === F_SYN) {
        this.end(slot, 'port_reuse');
        return this.update(p, ts, wireLen);
      }
      if (ts - this.first[slot] >= this.opts.activeTimeoutMs) {
        this.onEnd(slot, 'active_timeout');
        this.first[slot] = ts;
        this.packetsFwd[slot] = this.packetsRev[slot] = this.bytesFwd[slot] = this.bytesRev[slot] = 0;
        this.flagsFwd[slot] = this.flagsRev[slot] = 0;
      }
      this.isNew = false;
      if (!vlanKey && this.vlanCount[slot] === 0 && p.vlanCount > 0) {
        // Not keyed on VLAN: report the tags of whichever direction carries them.
        this.vlanCount[slot] = p.vlanCount;
        this.vlanOuter[slot] = p.vlanOuter;
        this.vlanInner[slot] = p.vlanInner;
      }
    } else {
      slot = this.create(h, p, sp, dp, ts);
      // Insert may have grown the index or evicted; find a free bucket now.
      let j = h & this.mask;
      while (this.index[j] !== 0) j = (j + 1) & this.mask;
      this.index[j] = slot + 1;
      dir = 0;
      // First packet a SYN-ACK, or (without a SYN) sent from a service port to an ephemeral one:
      // the receiver initiated the conversation.
      const synAck = (flags & (F_SYN | F_ACK)) === (F_SYN | F_ACK);
      if (synAck || (!(flags & F_SYN) && sp !== 0 && sp < 1024 && dp >= 1024)) {
        this.swapEnds(slot);
        dir = 1;
      }
      this.isNew = true;
    }
    this.dir = dir;
    this.recent = slot;
    if (ts > this.last[slot]) this.last[slot] = ts;
    if (dir === 0) {
      this.packetsFwd[slot]++;
      this.bytesFwd[slot] += wireLen;
      this.flagsFwd[slot] |= flags;
    } else {
      this.packetsRev[slot]++;
      this.bytesRev[slot] += wireLen;
      this.flagsRev[slot] |= flags;
    }
    if (flags & (F_FIN | F_RST)) {
      this.state[slot] |= flags & F_RST ? RST_SEEN : dir === 0 ? FIN_FWD : FIN_REV;
      const st = this.state[slot];
      if (st & RST_SEEN || (st & (FIN_FWD | FIN_REV)) === (FIN_FWD | FIN_REV)) this.moveTo(slot, CLOSING);
    }
    return slot;
  }

  /** Ends flows idle longer than their timeout at packet time `now`. */
  expire(now: number): void {
    for (const l of [ACTIVE, CLOSING]) {
      const timeout = l === ACTIVE ? this.opts.idleTimeoutMs : this.opts.closedTimeoutMs;
      // Queued times only grow along a list, and `last` is never before `queued`: past the
      // first head queued within the timeout, no flow can be idle that long.
      while (this.head[l] >= 0 && this.queued[this.head[l]] + timeout <= now) {
        const s = this.head[l];
        if (this.last[s] + timeout > now) this.requeue(s);
        else this.end(s, l === CLOSING ? (this.state[s] & RST_SEEN ? 'rst' : 'fin') : 'idle_timeout');
      }
    }
  }

  /** The least recently active flow of list `l` (-1 if empty), re-queuing heads active since queued. */
  private leastRecent(l: number): number {
    while (this.head[l] >= 0 && this.last[this.head[l]] > this.queued[this.head[l]]) this.requeue(this.head[l]);
    return this.head[l];
  }

  private requeue(slot: number): void {
    const l = this.list[slot];
    this.unlink(slot);
    this.append(slot, l);
  }

  /** Ends every flow (end of capture, shutdown), or at most `limit` of them; returns how many are left. */
  flush(reason: EndReason = 'end_of_capture', limit = Infinity): number {
    for (const l of [ACTIVE, CLOSING]) {
      while (this.head[l] >= 0 && limit-- > 0) {
        const s = this.head[l];
        const st = this.state[s];
        this.end(s, l === CLOSING ? (st & RST_SEEN ? 'rst' : 'fin') : reason);
      }
    }
    return this.count;
  }

  /** Slots of live flows, roughly oldest activity first. */
  *slots(): Iterable<number> {
    for (const l of [ACTIVE, CLOSING]) for (let s = this.head[l]; s >= 0; s = this.next[s]) yield s;
  }

  private create(h: number, p: DecodedPacket, sp: number, dp: number, ts: number): number {
    if (this.count >= this.capacity) {
      if (this.capacity < this.opts.maxFlows) this.grow(Math.min(this.opts.maxFlows, this.capacity * 2));
      else {
        // Full: the least recently active flow makes room.
        const closing = this.leastRecent(CLOSING);
        const victim = closing >= 0 ? closing : this.leastRecent(ACTIVE);
        this.evictions++;
        this.end(victim, 'evicted');
      }
    }
    const slot = this.free[--this.freeTop];
    this.count++;
    this.created++;
    this.hash[slot] = h;
    const k = slot * 4;
    for (let i = 0; i < 4; i++) {
      this.addrA[k + i] = p.src[i];
      this.addrB[k + i] = p.dst[i];
    }
    this.portA[slot] = sp;
    this.portB[slot] = dp;
    this.proto[slot] = p.protocol;
    this.ipVersion[slot] = p.ipVersion;
    this.vlanCount[slot] = p.vlanCount;
    this.vlanOuter[slot] = p.vlanOuter;
    this.vlanInner[slot] = p.vlanInner;
    this.first[slot] = ts;
    this.last[slot] = ts;
    this.packetsFwd[slot] = this.packetsRev[slot] = this.bytesFwd[slot] = this.bytesRev[slot] = 0;
    this.flagsFwd[slot] = this.flagsRev[slot] = 0;
    this.state[slot] = 0;
    this.icmpType[slot] = p.icmpType;
    this.icmpCode[slot] = p.icmpCode;
    this.appTries[slot] = 0;
    this.list[slot] = ACTIVE;
    this.prev[slot] = this.next[slot] = -1;
    this.append(slot, ACTIVE);
    return slot;
  }

  /** Whether flow `c` has the packet's key: 0 in its direction, 1 reversed, -1 not this flow. */
  private keyDir(c: number, p: DecodedPacket, proto: number, sp: number, dp: number, vo: number, vi: number): number {
    if (this.proto[c] !== proto) return -1;
    if (this.opts.vlanInKey !== false && (this.vlanOuter[c] !== vo || this.vlanInner[c] !== vi)) return -1;
    const s = p.src;
    const d = p.dst;
    const A = this.addrA;
    const B = this.addrB;
    const k = c * 4;
    if (
      this.portA[c] === sp &&
      this.portB[c] === dp &&
      A[k] === s[0] &&
      B[k] === d[0] &&
      A[k + 1] === s[1] &&
      B[k + 1] === d[1] &&
      A[k + 2] === s[2] &&
      B[k + 2] === d[2] &&
      A[k + 3] === s[3] &&
      B[k + 3] === d[3]
    )
      return 0;
    if (
      this.portA[c] === dp &&
      this.portB[c] === sp &&
      A[k] === d[0] &&
      B[k] === s[0] &&
      A[k + 1] === d[1] &&
      B[k + 1] === s[1] &&
      A[k + 2] === d[2] &&
      B[k + 2] === s[2] &&
      A[k + 3] === d[3] &&
      B[k + 3] === s[3]
    )
      return 1;
    return -1;
  }

  private swapEnds(slot: number): void {
    const k = slot * 4;
    for (let i = 0; i < 4; i++) {
      const t = this.addrA[k + i];
      this.addrA[k + i] = this.addrB[k + i];
      this.addrB[k + i] = t;
    }
    const t = this.portA[slot];
    this.portA[slot] = this.portB[slot];
    this.portB[slot] = t;
  }

  /** Reports the end and frees the slot. */
  end(slot: number, reason: EndReason): void {
    this.onEnd(slot, reason);
    if (this.recent === slot) this.recent = -1;
    this.unlink(slot);
    this.removeFromIndex(slot);
    this.free[this.freeTop++] = slot;
    this.count--;
  }

  private removeFromIndex(slot: number): void {
    const mask = this.mask;
    const index = this.index;
    let i = this.hash[slot] & mask;
    while (index[i] !== slot + 1) {
      if (index[i] === 0) return;
      i = (i + 1) & mask;
    }
    // Backward-shift deletion keeps every probe chain unbroken.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const e = index[j];
      if (e === 0) break;
      const k = this.hash[e - 1] & mask;
      if ((j > i && (k <= i || k > j)) || (j < i && k <= i && k > j)) {
        index[i] = e;
        i = j;
      }
    }
    index[i] = 0;
  }

  private moveTo(slot: number, l: number): void {
    if (this.list[slot] === l) return;
    this.unlink(slot);
    this.list[slot] = l;
    this.append(slot, l);
  }

  private append(slot: number, l: number): void {
    this.queued[slot] = this.last[slot];
    const t = this.tail[l];
    this.prev[slot] = t;
    this.next[slot] = -1;
    if (t >= 0) this.next[t] = slot;
    else this.head[l] = slot;
    this.tail[l] = slot;
  }

  private unlink(slot: number): void {
    const l = this.list[slot];
    const p = this.prev[slot];
    const n = this.next[slot];
    if (p >= 0) this.next[p] = n;
    else this.head[l] = n;
    if (n >= 0) this.prev[n] = p;
    else this.tail[l] = p;
    this.prev[slot] = this.next[slot] = -1;
  }

  private grow(cap: number): void {
    const old = this.capacity;
    const g = <T extends { length: number; set(a: ArrayLike<number>): void }>(
      a: T,
      n: number,
      C: new (n: number) => T,
    ): T => {
      const b = new C(n);
      b.set(a as unknown as ArrayLike<number>);
      return b;
    };
    this.hash = g(this.hash, cap, Uint32Array);
    this.addrA = g(this.addrA, cap * 4, Uint32Array);
    this.addrB = g(this.addrB, cap * 4, Uint32Array);
    this.portA = g(this.portA, cap, Uint16Array);
    this.portB = g(this.portB, cap, Uint16Array);
    this.proto = g(this.proto, cap, Uint8Array);
    this.ipVersion = g(this.ipVersion, cap, Uint8Array);
    this.vlanCount = g(this.vlanCount, cap, Uint8Array);
    this.vlanOuter = g(this.vlanOuter, cap, Uint16Array);
    this.vlanInner = g(this.vlanInner, cap, Uint16Array);
    this.first = g(this.first, cap, Float64Array);
    this.last = g(this.last, cap, Float64Array);
    this.queued = g(this.queued, cap, Float64Array);
    this.packetsFwd = g(this.packetsFwd, cap, Float64Array);
    this.packetsRev = g(this.packetsRev, cap, Float64Array);
    this.bytesFwd = g(this.bytesFwd, cap, Float64Array);
    this.bytesRev = g(this.bytesRev, cap, Float64Array);
    this.flagsFwd = g(this.flagsFwd, cap, Uint8Array);
    this.flagsRev = g(this.flagsRev, cap, Uint8Array);
    this.state = g(this.state, cap, Uint8Array);
    this.icmpType = g(this.icmpType, cap, Uint8Array);
    this.icmpCode = g(this.icmpCode, cap, Uint8Array);
    this.appTries = g(this.appTries, cap, Uint8Array);
    this.prev = g(this.prev, cap, Int32Array);
    this.next = g(this.next, cap, Int32Array);
    this.list = g(this.list, cap, Uint8Array);
    // Free slots: new ones pushed so the lowest is taken first.
    const free = new Int32Array(cap);
    free.set(this.free.subarray(0, this.freeTop));
    let top = this.freeTop;
    for (let s = cap - 1; s >= old; s--) free[top++] = s;
    this.free = free;
    this.freeTop = top;
    this.capacity = cap;
    // Index at most half full.
    let size = 16;
    while (size < cap * 2) size *= 2;
    this.index = new Int32Array(size);
    this.mask = size - 1;
    for (const s of this.slots()) {
      let j = this.hash[s] & this.mask;
      while (this.index[j] !== 0) j = (j + 1) & this.mask;
      this.index[j] = s + 1;
    }
  }
}

function mix(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x9e3779b1);
  return (h ^ (h >>> 15)) >>> 0;
}
