/**
 * The sampled packet header carried in sFlow flow samples: Ethernet (with 802.1Q),
 * IPv4 or IPv6, TCP/UDP ports and TCP flags. Kept minimal here; the full packet
 * decoders of collector/src/packet take over once they are exported.
 */
import { ip4, ip6, mac } from './values';

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

/** `proto` is sFlow's header_protocol: 1 = Ethernet, 11 = IPv4, 12 = IPv6. */
export function decodeSampledHeader(b: Buffer, proto: number): SampledHeader {
  const h: SampledHeader = {};
  let o = 0;
  let ethertype = proto === 11 ? 0x0800 : proto === 12 ? 0x86dd : -1;
  if (proto === 1) {
    if (b.length < 14) return h;
    h.dst_mac = mac(b, 0);
    h.src_mac = mac(b, 6);
    ethertype = b.readUInt16BE(12);
    o = 14;
    while ((ethertype === 0x8100 || ethertype === 0x88a8) && o + 4 <= b.length) {
      h.vlan ??= b.readUInt16BE(o) & 0x0fff;
      ethertype = b.readUInt16BE(o + 2);
      o += 4;
    }
    h.ethertype = ethertype;
  }
  let l4 = -1;
  if (ethertype === 0x0800 && o + 20 <= b.length) {
    const ihl = (b[o] & 0x0f) * 4;
    h.ip_version = 4;
    h.ip_length = b.readUInt16BE(o + 2);
    h.ttl = b[o + 8];
    h.protocol = b[o + 9];
    h.src_ip = ip4(b, o + 12);
    h.dst_ip = ip4(b, o + 16);
    const fragOff = b.readUInt16BE(o + 6) & 0x1fff;
    if (fragOff === 0) l4 = o + ihl;
  } else if (ethertype === 0x86dd && o + 40 <= b.length) {
    h.ip_version = 6;
    h.ip_length = b.readUInt16BE(o + 4) + 40;
    h.protocol = b[o + 6];
    h.ttl = b[o + 7];
    h.src_ip = ip6(b, o + 8);
    h.dst_ip = ip6(b, o + 24);
    l4 = o + 40;
  }
  if (l4 >= 0) {
    if ((h.protocol === 6 || h.protocol === 17 || h.protocol === 132) && l4 + 4 <= b.length) {
      h.src_port = b.readUInt16BE(l4);
      h.dst_port = b.readUInt16BE(l4 + 2);
      if (h.protocol === 6 && l4 + 14 <= b.length) h.tcp_flags = b[l4 + 13];
    } else if ((h.protocol === 1 || h.protocol === 58) && l4 + 2 <= b.length) {
      h.icmp_type = b[l4];
      h.icmp_code = b[l4 + 1];
    }
  }
  return h;
}
