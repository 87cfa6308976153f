/**
 * Flow record → ECS flow event (dataset network.flow). Reads the NetFlow v5/v9
 * names, the IPFIX names and the sFlow ones; observer.* is the exporter. Byte and
 * packet counts are scaled by the sampling rate (kept in edu.flow.sampling_rate).
 */
import { eventId, type EcsEvent, type FlowEvent, type Observer, type Organization } from '@edusentry/core';
import { communityId, communityIdBytes } from '../packet';
import { tcpFlagNames, transportName } from '../protocol-names';
import { isoFromMs, msFromIso } from '../time';
import type { FlowRecord } from './types';

export interface FlowEcsOptions {
  organization?: Organization;
  /** Merged into observer.* (e.g. the collector's name); ip/type come from the exporter. */
  observer?: Observer;
}

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
  if (typeof v !== 'number') return undefined;
  const ms = v > 1e11 ? v : v * 1000; // ms or s
  // A time no date can hold (garbage from the exporter) is left out rather than thrown.
  return Math.abs(ms) <= 8.64e15 ? isoFromMs(ms) : undefined;
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

/**
 * The record fields each ECS input is read from, first present wins (NetFlow v5/v9
 * names, IPFIX names, sFlow names). One table for both ways in: records
 * (pickFromRecord) and the compiled per-template writers (templates.ts).
 */
export const FLOW_INPUTS = {
  srcIp: ['ipv4_src_addr', 'sourceIPv4Address', 'ipv6_src_addr', 'sourceIPv6Address', 'src_ip'],
  dstIp: ['ipv4_dst_addr', 'destinationIPv4Address', 'ipv6_dst_addr', 'destinationIPv6Address', 'dst_ip'],
  proto: ['protocol', 'protocolIdentifier'],
  srcPort: ['l4_src_port', 'sourceTransportPort', 'src_port'],
  dstPort: ['l4_dst_port', 'destinationTransportPort', 'dst_port'],
  bytes: ['in_bytes', 'octetDeltaCount', 'octetTotalCount', 'fwd_flow_delta_bytes', 'initiatorOctets', 'frame_length'],
  packets: ['in_pkts', 'packetDeltaCount', 'packetTotalCount', 'initiatorPackets'],
  start: [
    'first_switched',
    'flowStartMilliseconds',
    'flowStartSeconds',
    'flowStartMicroseconds',
    'flowStartNanoseconds',
  ],
  end: [
    'last_switched',
    'flowEndMilliseconds',
    'flowEndSeconds',
    'flowEndMicroseconds',
    'flowEndNanoseconds',
    'event_time_msec',
  ],
  flags: ['tcp_flags', 'tcpControlBits'],
  vlan: ['src_vlan', 'vlanId', 'vlan'],
  app: ['app_id', 'application_name', 'applicationName', 'proceraService'],
  user: ['username', 'userName', 'user_id'],
  /** Per-record sampling interval (data records) or the exporter's (options records). */
  interval: ['sampling_interval', 'samplingInterval', 'samplingPacketInterval'],
} as const;
export type FlowInput = keyof typeof FLOW_INPUTS;

/**
 * What one ECS flow event is built from. One instance is reused for every record
 * (filled, built, refilled), so picking the inputs allocates nothing.
 */
export class FlowValues {
  protocol: FlowRecord['protocol'] = 'netflow9';
  exporter = '';
  /** `${protocol}:${exporter}:${domain}`, the event id's source. */
  idSource = '';
  key = '';
  exportMs = 0;
  samplingRate = 1;
  srcIp: unknown = undefined;
  dstIp: unknown = undefined;
  proto: unknown = undefined;
  srcPort: unknown = undefined;
  dstPort: unknown = undefined;
  bytes: unknown = undefined;
  packets: unknown = undefined;
  start: unknown = undefined;
  end: unknown = undefined;
  /** Epoch ms of start/end when the writer read them as numbers (v9 uptime); NaN: parse start/end. */
  startMs = NaN;
  endMs = NaN;
  flags: unknown = undefined;
  vlan: unknown = undefined;
  app: unknown = undefined;
  user: unknown = undefined;
  interval: unknown = undefined;
}

/** `v.x = f["a"] ?? f["b"] ?? …` for every input, generated once from FLOW_INPUTS (direct reads, no loop). */
const pickFromRecord = new Function(
  'f',
  'v',
  Object.entries(FLOW_INPUTS)
    .map(([k, names]) => `v.${k} = ${names.map((n) => `f[${JSON.stringify(n)}]`).join(' ?? ')};`)
    .join('\n'),
) as (f: Record<string, unknown>, v: FlowValues) => void;

const recordValues = new FlowValues();

/** Returns undefined for options records (they describe the exporter, not traffic). */
export function flowToEcs(r: FlowRecord, opts: FlowEcsOptions = {}): FlowEvent | undefined {
  if (r.options) return undefined;
  const v = recordValues;
  pickFromRecord(r.fields, v);
  v.protocol = r.protocol;
  v.exporter = r.exporter;
  v.idSource = `${r.protocol}:${r.exporter}:${r.domain}`;
  v.key = r.key;
  v.exportMs = r.exportMs;
  v.samplingRate = r.samplingRate;
  v.startMs = NaN;
  v.endMs = NaN;
  return buildFlowEvent(v, opts);
}

/** Epoch ms of start/end: as the writer read it, else from the value. */
const msOf = (raw: unknown, known: number): number => (known === known ? known : toMs(raw)!);

/** Text of protocol numbers (network.iana_number, and transport when unnamed), made once. */
const PROTO_TEXT = Array.from({ length: 256 }, (_, i) => String(i));
const protoText = (p: number): string => PROTO_TEXT[p] ?? String(p);

/** The observer of the last exporter seen, copied per event: one shallow clone instead of a spread and three adds. */
let observerBase: Observer | undefined;
let observerOf: { opts: Observer | undefined; exporter: string; protocol: string } = {
  opts: undefined,
  exporter: '',
  protocol: '',
};
function observerFor(opts: Observer | undefined, exporter: string, protocol: FlowRecord['protocol']): Observer {
  if (
    !observerBase ||
    observerOf.opts !== opts ||
    observerOf.exporter !== exporter ||
    observerOf.protocol !== protocol
  ) {
    observerBase = opts
      ? { ...opts, ip: exporter, type: 'router', product: protocol }
      : { ip: exporter, type: 'router', product: protocol };
    observerOf = { opts, exporter, protocol };
  }
  return { ...observerBase };
}

/**
 * The ECS flow event of one record's values. Objects whose usual members are all
 * present are built as one literal (members in the same order as the general path
 * adds them): adding members one by one to {} cost map transitions and a second
 * allocation for the members past the literal's own slots, per object, per flow.
 */
export function buildFlowEvent(v: FlowValues, opts: FlowEcsOptions): FlowEvent {
  const srcIp = str(v.srcIp);
  const dstIp = str(v.dstIp);
  const proto = num(v.proto);
  const srcPort = num(v.srcPort);
  const dstPort = num(v.dstPort);
  const rate = v.samplingRate > 1 ? v.samplingRate : 1;
  let bytes = num(v.bytes);
  let packets = num(v.packets);
  if (v.protocol === 'sflow') packets = 1;
  if (bytes !== undefined) bytes *= rate;
  if (packets !== undefined) packets *= rate;
  const start = toIso(v.start);
  const end = toIso(v.end);
  const flags = num(v.flags);
  const ts = end ?? isoFromMs(v.exportMs);
  const id = eventId(v.idSource, v.key);
  const module = v.protocol === 'sflow' ? 'sflow' : 'netflow';
  const event: FlowEvent['event'] =
    start && end
      ? {
          id,
          kind: 'event',
          dataset: 'network.flow',
          module,
          category: ['network'],
          type: ['connection'],
          start,
          end,
          duration: Math.max(0, msOf(v.end, v.endMs) - msOf(v.start, v.startMs)) * 1e6,
        }
      : { id, kind: 'event', dataset: 'network.flow', module, category: ['network'], type: ['connection'] };
  if (!end && start) event.start = start;
  if (!start && end) event.end = end;
  const type = srcIp || dstIp ? (srcIp?.includes(':') || dstIp?.includes(':') ? 'ipv6' : 'ipv4') : undefined;
  const vlan = num(v.vlan);
  const app = str(v.app);
  const communityId =
    srcIp && dstIp && proto !== undefined
      ? flowCommunityId(proto, srcIp, dstIp, srcPort ?? 0, dstPort ?? 0)
      : undefined;
  let network: FlowEvent['network'];
  if (proto !== undefined && bytes !== undefined && packets !== undefined && type && !vlan && !app && communityId) {
    const iana = protoText(proto);
    network = {
      iana_number: iana,
      transport: transportName(proto),
      bytes,
      packets,
      type,
      community_id: communityId,
    };
  } else {
    network = {};
    if (proto !== undefined) {
      network.iana_number = protoText(proto);
      network.transport = transportName(proto);
    }
    if (bytes !== undefined) network.bytes = bytes;
    if (packets !== undefined) network.packets = packets;
    if (type) network.type = type;
    if (vlan) network.vlan = { id: String(vlan) };
    if (app) network.protocol = app.toLowerCase();
    if (communityId) network.community_id = communityId;
  }
  let source: NonNullable<FlowEvent['source']>;
  if (srcIp && srcPort !== undefined && bytes !== undefined && packets !== undefined)
    source = { ip: srcIp, port: srcPort, bytes, packets };
  else {
    source = {};
    if (srcIp) source.ip = srcIp;
    if (srcPort !== undefined) source.port = srcPort;
    if (bytes !== undefined) source.bytes = bytes;
    if (packets !== undefined) source.packets = packets;
  }
  let destination: NonNullable<FlowEvent['destination']>;
  if (dstIp && dstPort !== undefined) destination = { ip: dstIp, port: dstPort };
  else {
    destination = {};
    if (dstIp) destination.ip = dstIp;
    if (dstPort !== undefined) destination.port = dstPort;
  }
  const flow: NonNullable<NonNullable<FlowEvent['edu']>['flow']> = {};
  if (flags !== undefined && proto === 6) flow.tcp_flags = tcpFlagNames(flags);
  if (rate > 1) flow.sampling_rate = rate;
  const observer = observerFor(opts.observer, v.exporter, v.protocol);
  const ev: FlowEvent = opts.organization
    ? {
        '@timestamp': ts,
        event,
        observer,
        network,
        source,
        destination,
        edu: { flow },
        organization: opts.organization,
      }
    : { '@timestamp': ts, event, observer, network, source, destination, edu: { flow } };
  const user = str(v.user);
  if (user) ev.user = { name: user };
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
