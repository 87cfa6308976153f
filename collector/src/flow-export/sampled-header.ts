/**
 * The sampled packet header carried in sFlow flow samples, decoded with the packet
 * path's decodeFrame (collector/src/packet) and flattened into flow-record fields.
 */
import { DecodedPacket, decodeFrame, formatIp, LINKTYPE } from '../packet';
import { mac } from './values';

export interface SampledHeader {
  src_mac?: string;
  dst_mac?: string;
  vlan?: number;
  ethertype?: number;
  ip_version?: 4 | 6;
  src_ip?: string;
  dst_ip?: string;
  protocol?: number;
  ttl?: number;
  ip_length?: number;
  src_port?: number;
  dst_port?: number;
  tcp_flags?: number;
  icmp_type?: number;
  icmp_code?: number;
}

/** sFlow header_protocol → link type: 1 = Ethernet, 11 = IPv4, 12 = IPv6. */
const LINK: Record<number, number> = { 1: LINKTYPE.ETHERNET, 11: LINKTYPE.IPV4, 12: LINKTYPE.IPV6 };

const pkt = new DecodedPacket();

export function decodeSampledHeader(b: Buffer, proto: number): SampledHeader {
  const h: SampledHeader = {};
  const link = LINK[proto];
  if (link === undefined) return h;
  if (link === LINKTYPE.ETHERNET && b.length >= 14) {
    h.dst_mac = mac(b, 0);
    h.src_mac = mac(b, 6);
  }
  // A sampled header is cut at header_size bytes, so the transport layer may be missing:
  // keep whatever layers were decoded before the cut.
  decodeFrame(link, b, pkt);
  if (link === LINKTYPE.ETHERNET && pkt.etherType) h.ethertype = pkt.etherType;
  if (pkt.vlanCount) h.vlan = pkt.vlanOuter;
  if (pkt.ipVersion !== 4 && pkt.ipVersion !== 6) return h;
  h.ip_version = pkt.ipVersion;
  h.src_ip = formatIp(pkt.ipVersion, pkt.src);
  h.dst_ip = formatIp(pkt.ipVersion, pkt.dst);
  h.protocol = pkt.protocol;
  h.ttl = pkt.ttl;
  const o = pkt.ipOffset;
  h.ip_length = pkt.ipVersion === 4 ? b.readUInt16BE(o + 2) : b.readUInt16BE(o + 4) + 40;
  if (pkt.error) return h;
  const p = pkt.protocol;
  if (p === 6 || p === 17 || p === 132) {
    h.src_port = pkt.srcPort;
    h.dst_port = pkt.dstPort;
    if (p === 6) h.tcp_flags = pkt.tcpFlags;
  } else if (p === 1 || p === 58) {
    h.icmp_type = pkt.icmpType;
    h.icmp_code = pkt.icmpCode;
  }
  return h;
}
