/**
 * Flow record → ECS flow event (dataset network.flow). Reads the NetFlow v5/v9
 * names, the IPFIX names and the sFlow ones; observer.* is the exporter. Byte and
 * packet counts are scaled by the sampling rate (kept in edu.flow.sampling_rate).
 */
import { eventId, type EcsEvent, type FlowEvent, type Observer, type Organization } from '@edusentry/core';
import { communityId } from '../../packet';
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

function pick(f: Record<string, unknown>, ...names: string[]): unknown {
  for (const n of names) if (f[n] !== undefined) return f[n];
  return undefined;
}
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

function toIso(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return new Date(v > 1e11 ? v : v * 1000).toISOString(); // ms or s
  return undefined;
}

/** Returns undefined for options records (they describe the exporter, not traffic). */
export function flowToEcs(r: FlowRecord, opts: FlowEcsOptions = {}): FlowEvent | undefined {
  if (r.options) return undefined;
  const f = r.fields;
  const srcIp = str(pick(f, 'ipv4_src_addr', 'sourceIPv4Address', 'ipv6_src_addr', 'sourceIPv6Address', 'src_ip'));
  const dstIp = str(
    pick(f, 'ipv4_dst_addr', 'destinationIPv4Address', 'ipv6_dst_addr', 'destinationIPv6Address', 'dst_ip'),
  );
  const proto = num(pick(f, 'protocol', 'protocolIdentifier'));
  const srcPort = num(pick(f, 'l4_src_port', 'sourceTransportPort', 'src_port'));
  const dstPort = num(pick(f, 'l4_dst_port', 'destinationTransportPort', 'dst_port'));
  const rate = r.samplingRate > 1 ? r.samplingRate : 1;
  let bytes = num(
    pick(
      f,
      'in_bytes',
      'octetDeltaCount',
      'octetTotalCount',
      'fwd_flow_delta_bytes',
      'initiatorOctets',
      'frame_length',
    ),
  );
  let packets = num(pick(f, 'in_pkts', 'packetDeltaCount', 'packetTotalCount', 'initiatorPackets'));
  if (r.protocol === 'sflow') packets = 1;
  if (bytes !== undefined) bytes *= rate;
  if (packets !== undefined) packets *= rate;
  const start = toIso(
    pick(
      f,
      'first_switched',
      'flowStartMilliseconds',
      'flowStartSeconds',
      'flowStartMicroseconds',
      'flowStartNanoseconds',
    ),
  );
  const end = toIso(
    pick(
      f,
      'last_switched',
      'flowEndMilliseconds',
      'flowEndSeconds',
      'flowEndMicroseconds',
      'flowEndNanoseconds',
      'event_time_msec',
    ),
  );
  const flags = num(pick(f, 'tcp_flags', 'tcpControlBits'));
  const ts = end ?? new Date(r.exportMs).toISOString();
  const v6 = srcIp?.includes(':') || dstIp?.includes(':');
  const ev: FlowEvent = {
    '@timestamp': ts,
    event: {
      id: eventId(`${r.protocol}:${r.exporter}:${r.domain}`, r.key),
      kind: 'event',
      dataset: 'network.flow',
      module: r.protocol === 'sflow' ? 'sflow' : 'netflow',
      category: ['network'],
      type: ['connection'],
      ...(start ? { start } : {}),
      ...(end ? { end } : {}),
      ...(start && end ? { duration: Math.max(0, Date.parse(end) - Date.parse(start)) * 1e6 } : {}),
    },
    observer: { ...opts.observer, ip: r.exporter, type: 'router', product: r.protocol },
    network: {
      ...(proto !== undefined ? { iana_number: String(proto), transport: TRANSPORT[proto] ?? String(proto) } : {}),
      ...(bytes !== undefined ? { bytes } : {}),
      ...(packets !== undefined ? { packets } : {}),
      ...(srcIp || dstIp ? { type: v6 ? 'ipv6' : 'ipv4' } : {}),
    },
    source: {
      ...(srcIp ? { ip: srcIp } : {}),
      ...(srcPort !== undefined ? { port: srcPort } : {}),
      ...(bytes !== undefined ? { bytes } : {}),
      ...(packets !== undefined ? { packets } : {}),
    },
    destination: { ...(dstIp ? { ip: dstIp } : {}), ...(dstPort !== undefined ? { port: dstPort } : {}) },
    edu: {
      flow: {
        ...(flags !== undefined && proto === 6 ? { tcp_flags: FLAG_NAMES.filter((_, i) => flags & (1 << i)) } : {}),
        ...(rate > 1 ? { sampling_rate: rate } : {}),
      },
    },
  };
  if (opts.organization) ev.organization = opts.organization;
  const vlan = num(pick(f, 'src_vlan', 'vlanId', 'vlan'));
  if (vlan) ev.network.vlan = { id: String(vlan) };
  const app = str(pick(f, 'app_id', 'application_name', 'applicationName', 'proceraService'));
  if (app) ev.network.protocol = app.toLowerCase();
  const user = str(pick(f, 'username', 'userName', 'user_id'));
  if (user) ev.user = { name: user };
  if (srcIp && dstIp && proto !== undefined) {
    const cid = communityId(proto, srcIp, dstIp, srcPort ?? 0, dstPort ?? 0);
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
