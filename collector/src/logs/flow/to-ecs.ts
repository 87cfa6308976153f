/**
 * Flow record → ECS flow event (dataset network.flow). Reads the NetFlow v5/v9
 * names, the IPFIX names and the sFlow ones; observer.* is the exporter. Byte and
 * packet counts are scaled by the sampling rate (kept in edu.flow.sampling_rate).
 */
import { type EcsEvent, type FlowEvent, type Observer, type Organization } from '@edusentry/core';
import { communityId, communityIdBytes } from '../../packet';
import { stringEventId } from '../event-id';
import { isoFromMs, msFromIso } from '../time';
import type { FlowRecord } from './types';

export interface FlowEcsOptions {
  organization?: Organization;
  /** Merged into observer.* (e.g. the collector's name); ip/type come from the exporter. */
  observer?: Observer;
}

const TRANSPORT: Record<number, string> = {
  1: 'icmp',
  2: 'igmp',
  6: 'tcp',
  17: 'udp',
  47: 'gre',
  50: 'esp',
  58: 'ipv6-icmp',
  132: 'sctp',
};
const FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'];
/** Flag names for each value of the flags byte, computed once (copied per event). */
const FLAGS_BY_BYTE = Array.from({ length: 256 }, (_, b) => FLAG_NAMES.filter((_n, i) => b & (1 << i)));

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** Epoch ms of a time field: ISO text (v9 uptime, NTP) or a number in ms or s. */
function toMs(v: unknown): number | undefined {
  if (typeof v === 'string') return msFromIso(v);
  if (typeof v === 'number') return Math.trunc(v > 1e11 ? v : v * 1000); // as Date would
  return undefined;
}

function toIso(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return isoFromMs(v > 1e11 ? v : v * 1000); // ms or s
  return undefined;
}

/** Dotted-quad text → bytes without a regular expression; undefined when not plain IPv4. */
function ipv4Into(s: string, out: Uint8Array): boolean {
  let part = 0;
  let digits = 0;
  let i = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === 46) {
      if (!digits || i > 2) return false;
      out[i++] = part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + c - 48;
      if (++digits > 3 || part > 255 || (digits === 2 && part < 10)) return false;
    } else return false;
  }
  if (!digits || i !== 3) return false;
  out[3] = part;
  return true;
}
const srcV4 = new Uint8Array(4);
const dstV4 = new Uint8Array(4);

function flowCommunityId(proto: number, src: string, dst: string, sp: number, dp: number): string | undefined {
  // The common case (IPv4 text from our decoders) skips packet's generic address parsing.
  if (ipv4Into(src, srcV4) && ipv4Into(dst, dstV4)) return communityIdBytes(proto, srcV4, dstV4, sp, dp);
  return communityId(proto, src, dst, sp, dp);
}

/** Returns undefined for options records (they describe the exporter, not traffic). */
export function flowToEcs(r: FlowRecord, opts: FlowEcsOptions = {}): FlowEvent | undefined {
  if (r.options) return undefined;
  const f = r.fields;
  // Direct property reads (not a loop over names): records of one template share a shape.
  const srcIp = str(f.ipv4_src_addr ?? f.sourceIPv4Address ?? f.ipv6_src_addr ?? f.sourceIPv6Address ?? f.src_ip);
  const dstIp = str(
    f.ipv4_dst_addr ?? f.destinationIPv4Address ?? f.ipv6_dst_addr ?? f.destinationIPv6Address ?? f.dst_ip,
  );
  const proto = num(f.protocol ?? f.protocolIdentifier);
  const srcPort = num(f.l4_src_port ?? f.sourceTransportPort ?? f.src_port);
  const dstPort = num(f.l4_dst_port ?? f.destinationTransportPort ?? f.dst_port);
  const rate = r.samplingRate > 1 ? r.samplingRate : 1;
  let bytes = num(
    f.in_bytes ??
      f.octetDeltaCount ??
      f.octetTotalCount ??
      f.fwd_flow_delta_bytes ??
      f.initiatorOctets ??
      f.frame_length,
  );
  let packets = num(f.in_pkts ?? f.packetDeltaCount ?? f.packetTotalCount ?? f.initiatorPackets);
  if (r.protocol === 'sflow') packets = 1;
  if (bytes !== undefined) bytes *= rate;
  if (packets !== undefined) packets *= rate;
  const startRaw =
    f.first_switched ??
    f.flowStartMilliseconds ??
    f.flowStartSeconds ??
    f.flowStartMicroseconds ??
    f.flowStartNanoseconds;
  const endRaw =
    f.last_switched ??
    f.flowEndMilliseconds ??
    f.flowEndSeconds ??
    f.flowEndMicroseconds ??
    f.flowEndNanoseconds ??
    f.event_time_msec;
  const start = toIso(startRaw);
  const end = toIso(endRaw);
  const flags = num(f.tcp_flags ?? f.tcpControlBits);
  const ts = end ?? isoFromMs(r.exportMs);
  const v6 = srcIp?.includes(':') || dstIp?.includes(':');
  const event: FlowEvent['event'] = {
    id: stringEventId(`${r.protocol}:${r.exporter}:${r.domain}`, r.key),
    kind: 'event',
    dataset: 'network.flow',
    module: r.protocol === 'sflow' ? 'sflow' : 'netflow',
    category: ['network'],
    type: ['connection'],
  };
  if (start) event.start = start;
  if (end) event.end = end;
  if (start && end) event.duration = Math.max(0, toMs(endRaw)! - toMs(startRaw)!) * 1e6;
  const network: FlowEvent['network'] = {};
  if (proto !== undefined) {
    network.iana_number = String(proto);
    network.transport = TRANSPORT[proto] ?? String(proto);
  }
  if (bytes !== undefined) network.bytes = bytes;
  if (packets !== undefined) network.packets = packets;
  if (srcIp || dstIp) network.type = v6 ? 'ipv6' : 'ipv4';
  const source: NonNullable<FlowEvent['source']> = {};
  if (srcIp) source.ip = srcIp;
  if (srcPort !== undefined) source.port = srcPort;
  if (bytes !== undefined) source.bytes = bytes;
  if (packets !== undefined) source.packets = packets;
  const destination: NonNullable<FlowEvent['destination']> = {};
  if (dstIp) destination.ip = dstIp;
  if (dstPort !== undefined) destination.port = dstPort;
  const flow: NonNullable<NonNullable<FlowEvent['edu']>['flow']> = {};
  if (flags !== undefined && proto === 6)
    flow.tcp_flags =
      flags >= 0 && flags < 256 && Number.isInteger(flags)
        ? FLAGS_BY_BYTE[flags].slice()
        : FLAG_NAMES.filter((_, i) => flags & (1 << i));
  if (rate > 1) flow.sampling_rate = rate;
  const ev: FlowEvent = {
    '@timestamp': ts,
    event,
    observer: opts.observer
      ? { ...opts.observer, ip: r.exporter, type: 'router', product: r.protocol }
      : { ip: r.exporter, type: 'router', product: r.protocol },
    network,
    source,
    destination,
    edu: { flow },
  };
  if (opts.organization) ev.organization = opts.organization;
  const vlan = num(f.src_vlan ?? f.vlanId ?? f.vlan);
  if (vlan) ev.network.vlan = { id: String(vlan) };
  const app = str(f.app_id ?? f.application_name ?? f.applicationName ?? f.proceraService);
  if (app) ev.network.protocol = app.toLowerCase();
  const user = str(f.username ?? f.userName ?? f.user_id);
  if (user) ev.user = { name: user };
  if (srcIp && dstIp && proto !== undefined) {
    const cid = flowCommunityId(proto, srcIp, dstIp, srcPort ?? 0, dstPort ?? 0);
    if (cid) ev.network.community_id = cid;
  }
  return ev;
}

export function flowsToEcs(records: FlowRecord[], opts: FlowEcsOptions = {}): EcsEvent[] {
  const out: EcsEvent[] = [];
  for (const r of records) {
    const e = flowToEcs(r, opts);
    if (e) out.push(e as EcsEvent);
  }
  return out;
}
