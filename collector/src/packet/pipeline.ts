/**
 * Packets in, ECS events out: decode → fragment reassembly → flow table → TCP
 * reassembly → application parsers. Shared by `collect pcap` and `collect live`.
 * Events accumulate in memory between `take()` calls, so the caller drains them per
 * chunk and applies backpressure from its sink.
 */
import { eventId, type EcsEvent } from '@edusentry/core';
import { APP_PARSERS, type AppEmitter, type AppParser, type AppSession, type Direction } from './app';
import { communityIdBytes, wordsToBytes } from './community-id';
import type { PacketConfig } from './config';
import { DecodedPacket, decodeFrame, formatIp, IPPROTO, LINKTYPE, TCP } from './decode';
import { tcpFlagNames, transportName } from '../protocol-names';

// Module-local copies of the shared constants: imported bindings cost a getter call per access on the hot path.
const P_TCP = IPPROTO.TCP;
const P_UDP = IPPROTO.UDP;
const P_ICMPV6 = IPPROTO.ICMPV6;
const P_ICMP = IPPROTO.ICMP;
const F_SYN = TCP.SYN;
const F_ACK = TCP.ACK;
const LINK_RAW = LINKTYPE.RAW;
import { CampusMatcher } from './campus-matcher';
import { NdjsonWriter } from './ndjson-writer';
import { FlowTable, type EndReason } from './flow-table';
import { isoFromMs as isoTime } from '../time';
import { FragmentReassembler } from './ip-defrag';

export interface PipelineOptions {
  config: PacketConfig;
  organization: { id: string; name?: string };
  observer: { id?: string; name?: string };
  /** Names the input for event ids, e.g. "pcap:/data/x.pcap" or "live:eth0". */
  source: string;
  /** Capture interface, reported as observer.ingress.interface.name. */
  interfaceName?: string;
  parsers?: AppParser[];
  /**
   * Produce events as NDJSON text (takeText) instead of objects (take), for sinks that
   * take pre-serialised lines: the same bytes JSON.stringify gives, without the objects.
   */
  text?: boolean;
}

interface Segment {
  seq: number;
  data: Buffer;
}

/** Application state of one flow that has a parser. */
interface FlowApp {
  parser: AppParser;
  session: AppSession;
  /** Next expected TCP sequence number per direction, -1 until known. */
  next: [number, number];
  ooo: [Segment[], Segment[]];
  seq: number;
  first: number;
  cid?: string;
}

const MAX_OOO_SEGMENTS = 64;

/** The id key of an application event: the flow's community id and first packet time, the parser, its n-th event. */
function appEventKey(cid: string, first: number, kind: string, n: number): string {
  return `${cid}|${first}|${kind}|${n}`;
}
const MAX_APP_TRIES = 4;

export class PacketPipeline {
  readonly counters = {
    packets: 0,
    bytes: 0,
    ip_packets: 0,
    non_ip: 0,
    fragments: 0,
    reassembled: 0,
    flows: 0,
    flow_events: 0,
    app_events: 0,
    tcp_gaps: 0,
  };
  readonly decodeErrors: Record<string, number> = {};
  readonly appMalformed: Record<string, number> = {};
  readonly flows: FlowTable;
  private events: EcsEvent[] = [];
  private readonly pkt = new DecodedPacket();
  /** Application state by flow slot: a dense array, cheaper per packet than a Map lookup. */
  private readonly apps: (FlowApp | undefined)[] = [];
  private readonly campus: CampusMatcher;
  private readonly frags = new FragmentReassembler();
  private readonly parsers: AppParser[];
  private nextExpire = 0;
  private lastTs = 0;
  private readonly org: { id: string; name?: string };
  private readonly observer: Record<string, unknown>;
  /** Set in text mode: where events are written as NDJSON. */
  private readonly out: NdjsonWriter | undefined;

  constructor(private readonly opts: PipelineOptions) {
    const f = opts.config.flow;
    this.flows = new FlowTable(
      {
        maxFlows: f.maxFlows,
        idleTimeoutMs: f.idleTimeoutS * 1000,
        activeTimeoutMs: f.activeTimeoutS * 1000,
        closedTimeoutMs: f.closedTimeoutS * 1000,
        vlanInKey: f.vlanTracking,
      },
      (slot, reason) => this.flowEnded(slot, reason),
    );
    this.campus = new CampusMatcher(opts.config.campusNetworks);
    this.parsers = opts.parsers ?? APP_PARSERS;
    this.org = { ...opts.organization };
    this.observer = { ...opts.observer, type: 'sensor', product: 'EduSentry collector' };
    if (opts.interfaceName) this.observer.ingress = { interface: { name: opts.interfaceName } };
    if (opts.text) this.out = new NdjsonWriter(this.org, this.observer);
  }

  /** The PacketHandler for CaptureReader and live capture. */
  readonly handle = (
    linkType: number,
    ts: number,
    buf: Buffer,
    offset: number,
    capLen: number,
    origLen: number,
  ): void => {
    try {
      this.process(linkType, ts, buf, offset, capLen, origLen);
    } catch (err) {
      // A parser bug on odd input must not stop the capture: count it and go on.
      this.decodeErrors.internal = (this.decodeErrors.internal ?? 0) + 1;
      if (!this.reportedInternal) {
        this.reportedInternal = true;
        this.onInternalError?.(err as Error, this.counters.packets);
      }
    }
  };

  /** Told once about the first internal error (logged with context by the caller). */
  onInternalError?: (err: Error, packet: number) => void;
  private reportedInternal = false;

  private process(linkType: number, ts: number, buf: Buffer, offset: number, capLen: number, origLen: number): void {
    const c = this.counters;
    c.packets++;
    c.bytes += origLen;
    if (ts > this.lastTs) this.lastTs = ts;
    if (ts >= this.nextExpire) {
      this.flows.expire(ts);
      this.frags.expire(ts);
      this.nextExpire = ts + 1000;
    }
    const p = decodeFrame(linkType, buf, this.pkt, offset, capLen);
    if (!p) {
      if (this.pkt.error === 'non_ip') c.non_ip++;
      else this.decodeErrors[this.pkt.error] = (this.decodeErrors[this.pkt.error] ?? 0) + 1;
      return;
    }
    c.ip_packets++;
    if (p.fragment) {
      c.fragments++;
      const whole = this.frags.add(p, buf, ts);
      if (!whole) return;
      c.reassembled++;
      const { vlanCount, vlanOuter, vlanInner } = p;
      if (!decodeFrame(LINK_RAW, whole, p)) {
        this.decodeErrors[p.error] = (this.decodeErrors[p.error] ?? 0) + 1;
        return;
      }
      p.vlanCount = vlanCount;
      p.vlanOuter = vlanOuter;
      p.vlanInner = vlanInner;
      this.packet(p, whole, ts, origLen);
      return;
    }
    this.packet(p, buf, ts, origLen);
  }

  private packet(p: DecodedPacket, buf: Buffer, ts: number, wireLen: number): void {
    const flows = this.flows;
    const slot = flows.update(p, ts, wireLen);
    if (flows.isNew) this.counters.flows++;
    const proto = p.protocol;
    if (proto !== P_TCP && proto !== P_UDP) return;
    let app = this.apps[slot];
    if (app?.session.handoff) {
      // The protocol changed mid-flow (HTTP CONNECT): detect afresh from this packet on.
      this.apps[slot] = undefined;
      flows.appTries[slot] = 0;
      app = undefined;
    }
    if (!app) {
      if (p.payloadLength === 0 || flows.appTries[slot] >= MAX_APP_TRIES) return;
      flows.appTries[slot]++;
      app = this.detect(slot, p, buf, ts);
      if (!app) return;
    }
    if (app.session.done) return;
    const dir = flows.dir as Direction;
    if (proto === P_UDP) {
      if (p.payloadLength > 0) app.session.data(dir, buf, p.payloadOffset, p.payloadLength, ts);
      return;
    }
    this.tcpData(app, dir, p, buf, ts);
  }

  private detect(slot: number, p: DecodedPacket, buf: Buffer, ts: number): FlowApp | undefined {
    const transport = p.protocol === P_TCP ? 'tcp' : 'udp';
    for (const parser of this.parsers) {
      if (!parser.detect(transport, buf, p.payloadOffset, p.payloadLength, p.srcPort, p.dstPort)) continue;
      const app: FlowApp = {
        parser,
        session: undefined as unknown as AppSession,
        next: [-1, -1],
        ooo: [[], []],
        seq: 0,
        first: ts,
      };
      app.session = parser.create(transport, this.emitter(slot, app));
      while (this.apps.length <= slot) this.apps.push(undefined);
      this.apps[slot] = app;
      return app;
    }
    return undefined;
  }

  /** In-order delivery of TCP payload; out-of-order segments wait (copied), bounded. */
  private tcpData(app: FlowApp, dir: Direction, p: DecodedPacket, buf: Buffer, ts: number): void {
    // The peer acknowledging past a hole we are waiting on: those bytes were lost to the capture.
    const other = (1 - dir) as Direction;
    if (app.ooo[other].length && p.tcpFlags & F_ACK && ((p.tcpAck - app.next[other]) | 0) > 0)
      this.skipGap(app, other, ts);
    if (app.session.done) return;
    let seq = p.tcpSeq;
    if (p.tcpFlags & F_SYN) {
      app.next[dir] = (seq + 1) >>> 0;
      seq = (seq + 1) >>> 0;
    }
    let off = p.payloadOffset;
    let len = p.payloadLength;
    if (len === 0) return;
    if (app.next[dir] < 0) app.next[dir] = seq;
    const diff = (seq - app.next[dir]) | 0;
    if (diff < 0) {
      // Retransmission or overlap: deliver only what is new.
      if (-diff >= len) return;
      off -= diff;
      len += diff;
      seq = app.next[dir];
    } else if (diff > 0) {
      const q = app.ooo[dir];
      q.push({ seq, data: Buffer.from(buf.subarray(off, off + len)) });
      if (q.length > MAX_OOO_SEGMENTS) this.skipGap(app, dir, ts);
      return;
    }
    app.session.data(dir, buf, off, len, ts);
    app.next[dir] = (seq + len) >>> 0;
    if (app.ooo[dir].length) this.drain(app, dir, ts);
  }

  private drain(app: FlowApp, dir: Direction, ts: number): void {
    const q = app.ooo[dir];
    for (let progress = true; progress && q.length && !app.session.done;) {
      progress = false;
      for (let i = 0; i < q.length; i++) {
        const s = q[i];
        const diff = (s.seq - app.next[dir]) | 0;
        if (diff > 0) continue;
        q.splice(i, 1);
        progress = true;
        if (-diff < s.data.length) {
          app.session.data(dir, s.data, -diff, s.data.length + diff, ts);
          app.next[dir] = (s.seq + s.data.length) >>> 0;
        }
        break;
      }
    }
  }

  /** Too much waiting behind a hole: declare the hole lost and continue after it. */
  private skipGap(app: FlowApp, dir: Direction, ts: number): void {
    const q = app.ooo[dir];
    let min = q[0].seq;
    for (const s of q) if (((s.seq - min) | 0) < 0) min = s.seq;
    this.counters.tcp_gaps++;
    app.session.gap(dir, ts);
    app.next[dir] = min;
    this.drain(app, dir, ts);
  }

  private emitter(slot: number, app: FlowApp): AppEmitter {
    return {
      emit: (fields, ts, dir = 0) => this.appEvent(slot, app, fields, ts, dir),
      malformed: (kind) => {
        this.appMalformed[kind] = (this.appMalformed[kind] ?? 0) + 1;
      },
    };
  }

  private communityId(slot: number): string {
    const f = this.flows;
    const v = f.ipVersion[slot];
    const a = wordsToBytes(v, f.addrA, slot * 4);
    const b = wordsToBytes(v, f.addrB, slot * 4);
    const proto = f.proto[slot];
    const icmp = proto === P_ICMP || proto === P_ICMPV6;
    return communityIdBytes(
      proto,
      a,
      b,
      icmp ? f.icmpType[slot] : f.portA[slot],
      icmp ? f.icmpCode[slot] : f.portB[slot],
      this.opts.config.communityIdSeed,
    );
  }

  private network(slot: number, cid: string, protocol?: string): Record<string, unknown> {
    const f = this.flows;
    const v = f.ipVersion[slot];
    const proto = f.proto[slot];
    const net: Record<string, unknown> = {
      transport: transportName(proto),
      type: v === 4 ? 'ipv4' : 'ipv6',
      iana_number: String(proto),
      community_id: cid,
      direction: this.campus.direction(v, f.addrA, slot * 4, f.addrB, slot * 4),
    };
    if (protocol) net.protocol = protocol;
    if (f.vlanCount[slot] > 0) net.vlan = { id: String(f.vlanOuter[slot]) };
    if (f.vlanCount[slot] > 1) net.inner = { vlan: { id: String(f.vlanInner[slot]) } };
    return net;
  }

  private endpoints(slot: number): [Record<string, unknown>, Record<string, unknown>] {
    const f = this.flows;
    const v = f.ipVersion[slot];
    const ports = f.proto[slot] === P_TCP || f.proto[slot] === P_UDP || f.proto[slot] === 132;
    const a: Record<string, unknown> = { ip: formatIp(v, f.addrA, slot * 4) };
    const b: Record<string, unknown> = { ip: formatIp(v, f.addrB, slot * 4) };
    if (ports) {
      a.port = f.portA[slot];
      b.port = f.portB[slot];
    }
    return [a, b];
  }

  private appEvent(slot: number, app: FlowApp, fields: Record<string, unknown>, ts: number, dir: Direction): void {
    app.cid ??= this.communityId(slot);
    const dataset = app.parser.dataset;
    const n = app.seq++;
    const kind = app.parser.name;
    const id = eventId(this.opts.source, appEventKey(app.cid, app.first, kind, n));
    const action = kind === 'dns' ? `dns_${(fields.dns as { type?: string })?.type ?? 'message'}` : `${kind}_session`;
    if (this.out && this.appText(slot, app.cid, kind, dataset, id, action, fields, ts, dir)) {
      this.counters.app_events++;
      return;
    }
    const [a, b] = this.endpoints(slot);
    const event: EcsEvent = {
      '@timestamp': isoTime(ts),
      event: {
        id,
        kind: 'event',
        dataset,
        module: 'edusentry',
        category: kind === 'http' ? ['network', 'web'] : ['network'],
        type: ['protocol'],
        action,
      },
      organization: this.org,
      observer: this.observer,
      source: dir === 0 ? a : b,
      destination: dir === 0 ? b : a,
      network: this.network(slot, app.cid, kind),
      ...fields,
    };
    this.counters.app_events++;
    if (this.out) this.out.line(JSON.stringify(event));
    else this.events.push(event);
  }

  /** The application event as NDJSON text; false when it must take the object path. */
  private appText(
    slot: number,
    cid: string,
    kind: string,
    dataset: string,
    id: string,
    action: string,
    fields: Record<string, unknown>,
    ts: number,
    dir: Direction,
  ): boolean {
    const f = this.flows;
    const k = slot * 4;
    const v = f.ipVersion[slot];
    const proto = f.proto[slot];
    const ports = proto === P_TCP || proto === P_UDP || proto === 132;
    const a = NdjsonWriter.endpoint(formatIp(v, f.addrA, k), f.portA[slot], ports);
    const b = NdjsonWriter.endpoint(formatIp(v, f.addrB, k), f.portB[slot], ports);
    const net = NdjsonWriter.network(
      proto,
      v === 4,
      cid,
      this.campus.direction(v, f.addrA, k, f.addrB, k),
      kind,
      f.vlanCount[slot],
      f.vlanOuter[slot],
      f.vlanInner[slot],
    );
    const [src, dst] = dir === 0 ? [a, b] : [b, a];
    return this.out!.app(isoTime(ts), id, dataset, kind === 'http', action, src, dst, net, fields);
  }

  private flowEnded(slot: number, reason: EndReason): void {
    const app = this.apps[slot];
    if (app && reason !== 'active_timeout') {
      this.apps[slot] = undefined;
      try {
        for (const d of [0, 1] as Direction[])
          if (app.ooo[d].length && !app.session.done) this.skipGap(app, d, this.flows.last[slot]);
        app.session.end(this.flows.last[slot]);
      } catch (err) {
        this.decodeErrors.internal = (this.decodeErrors.internal ?? 0) + 1;
        if (!this.reportedInternal) {
          this.reportedInternal = true;
          this.onInternalError?.(err as Error, this.counters.packets);
        }
      }
    }
    const f = this.flows;
    const cid = app?.cid ?? this.communityId(slot);
    if (this.out) {
      this.flowText(slot, reason, cid, app?.parser.name);
      return;
    }
    const [a, b] = this.endpoints(slot);
    a.packets = f.packetsFwd[slot];
    a.bytes = f.bytesFwd[slot];
    b.packets = f.packetsRev[slot];
    b.bytes = f.bytesRev[slot];
    const net = this.network(slot, cid, app?.parser.name);
    net.bytes = f.bytesFwd[slot] + f.bytesRev[slot];
    net.packets = f.packetsFwd[slot] + f.packetsRev[slot];
    const first = f.first[slot];
    const last = f.last[slot];
    const edu: Record<string, unknown> = { end_reason: reason };
    if (f.proto[slot] === P_TCP) {
      edu.tcp_flags = tcpFlagNames(f.flagsFwd[slot] | f.flagsRev[slot]);
      edu.tcp_flags_client = tcpFlagNames(f.flagsFwd[slot]);
      edu.tcp_flags_server = tcpFlagNames(f.flagsRev[slot]);
    }
    if (f.proto[slot] === P_ICMP || f.proto[slot] === P_ICMPV6)
      edu.icmp = { type: f.icmpType[slot], code: f.icmpCode[slot] };
    if (reason === 'evicted') edu.evicted = true;
    const start = isoTime(first);
    const event: EcsEvent = {
      '@timestamp': start,
      event: {
        id: this.flowEventId(slot, cid, a.ip as string, b.ip as string),
        kind: 'event',
        dataset: 'network.flow',
        module: 'edusentry',
        category: ['network'],
        type: ['connection', 'end'],
        action: 'network_flow',
        start,
        end: isoTime(last),
        duration: Math.round((last - first) * 1e6),
      },
      organization: this.org,
      observer: this.observer,
      source: a,
      destination: b,
      network: net,
      edu: { flow: edu },
    };
    this.counters.flow_events++;
    this.events.push(event);
  }

  /**
   * The id of a flow's network.flow event, the same in both output paths: its community id,
   * first packet time, both ends (ports only for port protocols), protocol and VLANs. Stable
   * across versions, so a capture read again stores each flow once.
   */
  private flowEventId(slot: number, cid: string, ipA: string, ipB: string): string {
    const f = this.flows;
    const proto = f.proto[slot];
    const ports = proto === P_TCP || proto === P_UDP || proto === 132;
    return eventId(
      this.opts.source,
      `${cid}|${f.first[slot]}|${ipA}|${ports ? f.portA[slot] : ''}|${ipB}|${ports ? f.portB[slot] : ''}|${proto}|${f.vlanOuter[slot]}.${f.vlanInner[slot]}`,
    );
  }

  /** The network.flow event as NDJSON text, straight from the flow table's columns. */
  private flowText(slot: number, reason: EndReason, cid: string, protocol: string | undefined): void {
    const f = this.flows;
    const k = slot * 4;
    const v = f.ipVersion[slot];
    const proto = f.proto[slot];
    const ports = proto === P_TCP || proto === P_UDP || proto === 132;
    const ipA = formatIp(v, f.addrA, k);
    const ipB = formatIp(v, f.addrB, k);
    const pA = f.portA[slot];
    const pB = f.portB[slot];
    const pf = f.packetsFwd[slot];
    const pr = f.packetsRev[slot];
    const bf = f.bytesFwd[slot];
    const br = f.bytesRev[slot];
    const first = f.first[slot];
    const last = f.last[slot];
    const start = isoTime(first);
    const id = this.flowEventId(slot, cid, ipA, ipB);
    const net = NdjsonWriter.network(
      proto,
      v === 4,
      cid,
      this.campus.direction(v, f.addrA, k, f.addrB, k),
      protocol,
      f.vlanCount[slot],
      f.vlanOuter[slot],
      f.vlanInner[slot],
    );
    const edu = NdjsonWriter.flowFields(
      reason,
      proto === P_TCP,
      f.flagsFwd[slot],
      f.flagsRev[slot],
      proto === P_ICMP || proto === P_ICMPV6,
      f.icmpType[slot],
      f.icmpCode[slot],
    );
    this.out!.flow(
      start,
      id,
      isoTime(last),
      Math.round((last - first) * 1e6),
      `${NdjsonWriter.endpoint(ipA, pA, ports)},"packets":${pf},"bytes":${bf}`,
      `${NdjsonWriter.endpoint(ipB, pB, ports)},"packets":${pr},"bytes":${br}`,
      net,
      bf + br,
      pf + pr,
      edu,
    );
    this.counters.flow_events++;
  }

  /** Advances time without packets (live capture): expires idle flows. */
  tick(now: number): void {
    this.flows.expire(now);
    this.frags.expire(now);
  }

  /**
   * Ends every flow (end of capture or shutdown). With `limit`, ends at most that many
   * and returns how many remain, so a caller can drain events in bounded batches.
   */
  finish(limit = Infinity): number {
    return this.flows.flush('end_of_capture', limit);
  }

  /** Text mode: the NDJSON lines produced since the last call, and how many events they are. */
  takeText(): { text: Buffer; count: number } {
    return this.out ? this.out.take() : { text: Buffer.alloc(0), count: 0 };
  }

  /** The events produced since the last call. */
  take(): EcsEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  /** Counters for summaries and heartbeats, decode errors prefixed "decode_error.". */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {
      ...this.counters,
      flows_live: this.flows.count,
      evictions: this.flows.evictions,
      fragments_expired: this.frags.expired,
    };
    for (const [k, v] of Object.entries(this.decodeErrors)) out[`decode_error.${k}`] = v;
    for (const [k, v] of Object.entries(this.appMalformed)) out[`app_malformed.${k}`] = v;
    return out;
  }
}
