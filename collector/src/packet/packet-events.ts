/**
 * The packet path's ECS events, built from the flow table's columns: a network.flow event
 * per ended flow and the events of the application parsers (DNS, HTTP, TLS, SSH), as
 * objects (take) or written straight to NDJSON text by the NdjsonWriter (takeText). Each
 * event id's key is written once, for both output paths.
 */
import { eventId, type EcsEvent } from '@edusentry/core';
import type { AppParser, Direction } from './app';
import type { CampusMatcher } from './campus-matcher';
import { communityIdBytes, wordsToBytes } from './community-id';
import { formatIp, IPPROTO } from './decode';
import type { EndReason, FlowTable } from './flow-table';
import { NdjsonWriter } from './ndjson-writer';
import { tcpFlagNames, transportName } from '../protocol-names';
import { isoFromMs as isoTime } from '../time';

// Module-local copies of the shared constants: imported bindings cost a getter call per access on the hot path.
const P_TCP = IPPROTO.TCP;
const P_UDP = IPPROTO.UDP;
const P_ICMPV6 = IPPROTO.ICMPV6;
const P_ICMP = IPPROTO.ICMP;

/** The id key of an application event: the flow's community id and first packet time, the parser, its n-th event. */
function appEventKey(cid: string, first: number, kind: string, n: number): string {
  return `${cid}|${first}|${kind}|${n}`;
}

export class PacketEvents {
  private events: EcsEvent[] = [];
  /** Set in text mode: where events are written as NDJSON. */
  private readonly out: NdjsonWriter | undefined;

  constructor(
    private readonly flows: FlowTable,
    private readonly campus: CampusMatcher,
    /** Names the input for event ids. */
    private readonly source: string,
    private readonly communityIdSeed: number,
    private readonly org: { id: string; name?: string },
    private readonly observer: Record<string, unknown>,
    text: boolean,
  ) {
    if (text) this.out = new NdjsonWriter(org, observer);
  }

  /** The flow's Community ID (its application events and its flow event carry the same). */
  communityId(slot: number): string {
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
      this.communityIdSeed,
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

  /** The n-th event of a flow's application parser (the flow began at `first`). */
  app(
    slot: number,
    cid: string,
    first: number,
    parser: AppParser,
    n: number,
    fields: Record<string, unknown>,
    ts: number,
    dir: Direction,
  ): void {
    const dataset = parser.dataset;
    const kind = parser.name;
    const id = eventId(this.source, appEventKey(cid, first, kind, n));
    const action = kind === 'dns' ? `dns_${(fields.dns as { type?: string })?.type ?? 'message'}` : `${kind}_session`;
    if (this.out && this.appText(slot, cid, kind, dataset, id, action, fields, ts, dir)) return;
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
      network: this.network(slot, cid, kind),
      ...fields,
    };
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

  /** The network.flow event of a flow that ended for `reason`. */
  flow(slot: number, reason: EndReason, cid: string, protocol: string | undefined): void {
    const f = this.flows;
    if (this.out) {
      this.flowText(slot, reason, cid, protocol);
      return;
    }
    const [a, b] = this.endpoints(slot);
    a.packets = f.packetsFwd[slot];
    a.bytes = f.bytesFwd[slot];
    b.packets = f.packetsRev[slot];
    b.bytes = f.bytesRev[slot];
    const net = this.network(slot, cid, protocol);
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
      this.source,
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
}
