/**
 * Link, network and transport decoding of one frame into a reusable DecodedPacket.
 * Works on offsets into the caller's Buffer (no copies, no per-packet objects when
 * `out` is reused): the hot path of both file reading and live capture, and what
 * the sFlow receiver calls on sampled headers.
 */

export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
  PPP: 9,
  C_HDLC: 104,
} as const;

export const IPPROTO = { ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58 } as const;

/** TCP flag bits as they appear in byte 13 of the header. */
export const TCP = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80 } as const;

/** Why a frame could not be decoded; counted by kind. */
export type DecodeError =
  | ''
  | 'unsupported_link'
  | 'truncated_link'
  | 'non_ip'
  | 'truncated_ip'
  | 'bad_ip_header'
  | 'truncated_l4'
  | 'bad_l4_header';

export class DecodedPacket {
  linkType = 0;
  /** 0, 1 (802.1Q) or 2 (QinQ); vlanOuter/vlanInner hold the ids. */
  vlanCount = 0;
  vlanOuter = 0;
  vlanInner = 0;
  etherType = 0;
  /** 4, 6, or 0 when the frame carries no IP. */
  ipVersion = 0;
  ipOffset = 0;
  /** End of the IP datagram in the buffer (after trimming link padding). */
  ipEnd = 0;
  ttl = 0;
  /** Addresses as big-endian 32-bit words; IPv4 uses word 0 only. */
  readonly src = new Uint32Array(4);
  readonly dst = new Uint32Array(4);
  protocol = 0;
  /** Fragment state: offset in bytes, more-fragments flag, id; fragHeaderOffset for IPv6. */
  fragment = false;
  fragOffset = 0;
  moreFragments = false;
  fragId = 0;
  fragHeaderOffset = 0;
  l4Offset = 0;
  srcPort = 0;
  dstPort = 0;
  tcpFlags = 0;
  tcpSeq = 0;
  tcpAck = 0;
  icmpType = 0;
  icmpCode = 0;
  payloadOffset = 0;
  payloadLength = 0;
  /** Tunnel layers (GRE, IP-in-IP, VXLAN) decoded through to the inner packet. */
  tunnelDepth = 0;
  error: DecodeError = '';

  reset(): void {
    this.vlanCount = this.vlanOuter = this.vlanInner = this.etherType = 0;
    this.ipVersion = this.protocol = this.srcPort = this.dstPort = this.tcpFlags = 0;
    this.fragment = this.moreFragments = false;
    this.fragOffset = this.fragId = this.fragHeaderOffset = 0;
    this.icmpType = this.icmpCode = this.payloadOffset = this.payloadLength = this.tunnelDepth = 0;
    this.error = '';
  }
}

const u16 = (b: Buffer, o: number) => (b[o] << 8) | b[o + 1];
const u32 = (b: Buffer, o: number) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

/**
 * Decodes one frame. Returns `out` when it carries IPv4/IPv6 (with transport fields
 * where present), undefined otherwise; `out.error` then says why ('non_ip' for ARP and
 * the like, which is not damage).
 */
export function decodeFrame(
  linkType: number,
  buf: Buffer,
  out: DecodedPacket = new DecodedPacket(),
  offset = 0,
  length = buf.length - offset,
): DecodedPacket | undefined {
  out.reset();
  out.linkType = linkType;
  const end = offset + length;
  let o = offset;
  let type = 0;
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      if (length < 14) return fail(out, 'truncated_link');
      type = u16(buf, o + 12);
      o += 14;
      break;
    case LINKTYPE.LINUX_SLL:
      if (length < 16) return fail(out, 'truncated_link');
      type = u16(buf, o + 14);
      o += 16;
      break;
    case LINKTYPE.LINUX_SLL2:
      if (length < 20) return fail(out, 'truncated_link');
      type = u16(buf, o);
      o += 20;
      break;
    case LINKTYPE.RAW:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
    case 12:
    case 14:
      if (length < 1) return fail(out, 'truncated_link');
      type = buf[o] >> 4 === 6 ? 0x86dd : 0x0800;
      break;
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP: {
      if (length < 4) return fail(out, 'truncated_link');
      // NULL: address family in host byte order of the capturing machine; LOOP: network order.
      const fam = buf[o] !== 0 ? buf[o] : buf[o + 3];
      type = fam === 2 ? 0x0800 : fam === 24 || fam === 28 || fam === 30 ? 0x86dd : 0;
      o += 4;
      break;
    }
    case LINKTYPE.PPP: {
      // Optional address/control bytes, then the PPP protocol number.
      if (length >= 2 && buf[o] === 0xff && buf[o + 1] === 0x03) o += 2;
      if (o + 2 > end) return fail(out, 'truncated_link');
      const ppp = u16(buf, o);
      type = ppp === 0x0021 ? 0x0800 : ppp === 0x0057 ? 0x86dd : 0;
      o += 2;
      break;
    }
    case LINKTYPE.C_HDLC:
      if (length < 4) return fail(out, 'truncated_link');
      type = u16(buf, o + 2);
      o += 4;
      break;
    default:
      return fail(out, 'unsupported_link');
  }
  // 802.1Q / 802.1ad / QinQ tags: keep the outer and inner ids.
  while (type === 0x8100 || type === 0x88a8 || type === 0x9100) {
    if (o + 4 > end) return fail(out, 'truncated_link');
    const id = u16(buf, o) & 0x0fff;
    if (out.vlanCount === 0) out.vlanOuter = id;
    else if (out.vlanCount === 1) out.vlanInner = id;
    out.vlanCount++;
    type = u16(buf, o + 2);
    o += 4;
  }
  // MPLS unicast: skip the label stack and guess IPv4/IPv6 from the version nibble.
  if (type === 0x8847) {
    while (o + 4 <= end) {
      const bottom = buf[o + 2] & 1;
      o += 4;
      if (bottom) break;
    }
    if (o >= end) return fail(out, 'truncated_link');
    type = buf[o] >> 4 === 6 ? 0x86dd : 0x0800;
  }
  // PPPoE session: 6-byte header then a 2-byte PPP protocol.
  if (type === 0x8864) {
    if (o + 7 > end) return fail(out, 'truncated_link');
    // The PPP protocol field may be compressed to one byte (odd first byte).
    const short = (buf[o + 6] & 1) === 1;
    const ppp = short ? buf[o + 6] : o + 8 <= end ? u16(buf, o + 6) : 0;
    type = ppp === 0x0021 ? 0x0800 : ppp === 0x0057 ? 0x86dd : 0;
    o += short ? 7 : 8;
  }
  return decodeEtherType(buf, o, end, type, out);
}

function decodeEtherType(
  buf: Buffer,
  o: number,
  end: number,
  type: number,
  out: DecodedPacket,
): DecodedPacket | undefined {
  out.etherType = type;
  if (type === 0x894f) return decodeNsh(buf, o, end, out);
  if (type === 0x0800) return decodeIPv4(buf, o, end, out);
  if (type === 0x86dd) return decodeIPv6(buf, o, end, out);
  return fail(out, 'non_ip');
}

/** Transparent Ethernet bridging inside a tunnel: an Ethernet header (maybe tagged) then IP. */
function decodeInnerEthernet(buf: Buffer, o: number, end: number, out: DecodedPacket): DecodedPacket | undefined {
  if (o + 14 > end) return fail(out, 'truncated_link');
  let type = u16(buf, o + 12);
  o += 14;
  while ((type === 0x8100 || type === 0x88a8) && o + 4 <= end) {
    // Tags inside the tunnel are the ones that describe the traffic: record them.
    const id = u16(buf, o) & 0x0fff;
    if (out.vlanCount === 0) out.vlanOuter = id;
    else if (out.vlanCount === 1) out.vlanInner = id;
    out.vlanCount++;
    type = u16(buf, o + 2);
    o += 4;
  }
  return decodeEtherType(buf, o, end, type, out);
}

/** GRE (RFC 2784/2890, and the v1 PPTP variant): skip optional fields, decode what it carries. */
function decodeGre(buf: Buffer, o: number, end: number, out: DecodedPacket): DecodedPacket | undefined {
  if (o + 4 > end) return fail(out, 'truncated_l4');
  const flags = buf[o];
  const version = buf[o + 1] & 7;
  const type = u16(buf, o + 2);
  let p = o + 4;
  if (flags & 0x80) p += 4; // checksum + reserved
  if (flags & 0x20) p += 4; // key
  if (flags & 0x10) p += 4; // sequence
  if (version === 1 && buf[o + 1] & 0x80) p += 4; // PPTP acknowledgement
  if (p > end) return fail(out, 'truncated_l4');
  if (version === 1 && type === 0x880b) {
    // PPTP carries PPP: optional address/control, then the protocol.
    if (p + 2 <= end && buf[p] === 0xff && buf[p + 1] === 0x03) p += 2;
    if (p + 2 > end) return fail(out, 'truncated_l4');
    const ppp = buf[p] === 0x21 ? 0x0021 : u16(buf, p);
    p += buf[p] === 0x21 ? 1 : 2;
    return decodeEtherType(buf, p, end, ppp === 0x0021 ? 0x0800 : ppp === 0x0057 ? 0x86dd : 0, out);
  }
  if (type === 0x6558) return decodeInnerEthernet(buf, p, end, out);
  // ERSPAN type I (no header, no sequence), type II (8-byte header), type III (12, +8 with the O flag).
  if (type === 0x88be) return decodeInnerEthernet(buf, flags & 0x10 ? p + 8 : p, end, out);
  if (type === 0x22eb) return decodeInnerEthernet(buf, p + 12 + (p + 12 <= end && buf[p + 11] & 1 ? 8 : 0), end, out);
  if (type === 0x8100) return decodeInnerEthernet(buf, p - 12, end, out);
  return decodeEtherType(buf, p, end, type, out);
}

/** Network Service Header (RFC 8300): length in 4-byte words, then IPv4, IPv6 or Ethernet. */
function decodeNsh(buf: Buffer, o: number, end: number, out: DecodedPacket): DecodedPacket | undefined {
  if (o + 8 > end || !tunnel(out)) return fail(out, 'truncated_link');
  const len = (buf[o + 1] & 0x3f) * 4;
  const next = buf[o + 3];
  if (len < 8 || o + len > end) return fail(out, 'truncated_link');
  if (next === 3) return decodeInnerEthernet(buf, o + len, end, out);
  return decodeEtherType(buf, o + len, end, next === 1 ? 0x0800 : next === 2 ? 0x86dd : 0, out);
}

function tunnel(out: DecodedPacket): boolean {
  if (out.tunnelDepth >= 4) return false;
  out.tunnelDepth++;
  out.vlanCount = out.vlanCount > 2 ? 2 : out.vlanCount;
  out.fragment = out.moreFragments = false;
  out.fragOffset = out.fragId = out.fragHeaderOffset = 0;
  return true;
}

function fail(out: DecodedPacket, error: DecodeError): undefined {
  out.error = error;
  return undefined;
}

function decodeIPv4(buf: Buffer, o: number, end: number, out: DecodedPacket): DecodedPacket | undefined {
  if (o + 20 > end) return fail(out, 'truncated_ip');
  if (buf[o] >> 4 !== 4) return fail(out, 'bad_ip_header');
  const ihl = (buf[o] & 0x0f) * 4;
  const total = u16(buf, o + 2);
  if (ihl < 20 || total < ihl) return fail(out, 'bad_ip_header');
  if (o + ihl > end) return fail(out, 'truncated_ip');
  out.ipVersion = 4;
  out.ipOffset = o;
  // Trim Ethernet padding; a snaplen-truncated datagram keeps what was captured.
  const ipEnd = o + total < end ? o + total : end;
  out.ipEnd = ipEnd;
  out.ttl = buf[o + 8];
  out.protocol = buf[o + 9];
  const src = out.src;
  const dst = out.dst;
  src[0] = u32(buf, o + 12);
  dst[0] = u32(buf, o + 16);
  src[1] = src[2] = src[3] = dst[1] = dst[2] = dst[3] = 0;
  const frag = u16(buf, o + 6);
  out.fragOffset = (frag & 0x1fff) * 8;
  out.moreFragments = (frag & 0x2000) !== 0;
  if (out.fragOffset !== 0 || out.moreFragments) {
    out.fragment = true;
    out.fragId = u16(buf, o + 4);
  }
  return decodeL4(buf, o + ihl, ipEnd, out);
}

function decodeIPv6(buf: Buffer, o: number, end: number, out: DecodedPacket): DecodedPacket | undefined {
  if (o + 40 > end) return fail(out, 'truncated_ip');
  if (buf[o] >> 4 !== 6) return fail(out, 'bad_ip_header');
  out.ipVersion = 6;
  out.ipOffset = o;
  const plen = u16(buf, o + 4);
  const ipEnd = o + 40 + plen < end && plen !== 0 ? o + 40 + plen : end;
  out.ipEnd = ipEnd;
  out.ttl = buf[o + 7];
  const src = out.src;
  const dst = out.dst;
  for (let i = 0; i < 4; i++) {
    src[i] = u32(buf, o + 8 + i * 4);
    dst[i] = u32(buf, o + 24 + i * 4);
  }
  let next = buf[o + 6];
  let p = o + 40;
  // Walk extension headers (bounded so a crafted chain cannot loop).
  for (let hops = 0; hops < 16; hops++) {
    if (next === 0 || next === 43 || next === 60 || next === 135 || next === 139 || next === 140) {
      if (p + 8 > ipEnd) return fail(out, 'truncated_ip');
      next = buf[p];
      p += (buf[p + 1] + 1) * 8;
    } else if (next === 51) {
      if (p + 8 > ipEnd) return fail(out, 'truncated_ip');
      next = buf[p];
      p += (buf[p + 1] + 2) * 4;
    } else if (next === 44) {
      if (p + 8 > ipEnd) return fail(out, 'truncated_ip');
      const f = u16(buf, p + 2);
      out.fragHeaderOffset = p;
      out.fragOffset = f & 0xfff8;
      out.moreFragments = (f & 1) !== 0;
      out.fragId = u32(buf, p + 4);
      out.fragment = out.fragOffset !== 0 || out.moreFragments;
      next = buf[p];
      p += 8;
    } else break;
  }
  if (p > ipEnd) return fail(out, 'truncated_ip');
  out.protocol = next;
  return decodeL4(buf, p, ipEnd, out);
}

function decodeL4(buf: Buffer, o: number, end: number, out: DecodedPacket): DecodedPacket | undefined {
  out.l4Offset = o;
  out.payloadOffset = o;
  out.payloadLength = end - o;
  // A non-first fragment has no transport header; reassembly decodes it later.
  if (out.fragOffset !== 0) return out;
  const avail = end - o;
  if (out.fragment) {
    // Tunnels inside fragments are left alone: reassembly hands back the whole datagram.
  } else if (out.protocol === 47 && tunnel(out)) return decodeGre(buf, o, end, out);
  else if (out.protocol === 4 && tunnel(out)) return decodeIPv4(buf, o, end, out);
  else if (out.protocol === 41 && tunnel(out)) return decodeIPv6(buf, o, end, out);
  switch (out.protocol) {
    case IPPROTO.TCP: {
      if (avail < 20) return fail(out, 'truncated_l4');
      const doff = (buf[o + 12] >> 4) * 4;
      if (doff < 20) return fail(out, 'bad_l4_header');
      out.srcPort = u16(buf, o);
      out.dstPort = u16(buf, o + 2);
      out.tcpSeq = u32(buf, o + 4);
      out.tcpAck = u32(buf, o + 8);
      out.tcpFlags = buf[o + 13];
      const start = o + doff < end ? o + doff : end;
      out.payloadOffset = start;
      out.payloadLength = end - start;
      return out;
    }
    case IPPROTO.UDP: {
      if (avail < 8) return fail(out, 'truncated_l4');
      out.srcPort = u16(buf, o);
      out.dstPort = u16(buf, o + 2);
      const ulen = u16(buf, o + 4);
      out.payloadOffset = o + 8;
      // Trust the UDP length only when it fits; fragments carry the whole datagram's length.
      out.payloadLength = ulen >= 8 && o + ulen <= end && !out.moreFragments ? ulen - 8 : end - o - 8;
      // VXLAN: an 8-byte header with the I flag, then Ethernet.
      if (out.dstPort === 4789 && out.payloadLength >= 8 + 14 && buf[o + 8] & 0x08 && !out.fragment && tunnel(out)) {
        return decodeInnerEthernet(buf, o + 16, o + 8 + out.payloadLength, out);
      }
      // Geneve: 8-byte header plus options, then what the protocol type says.
      if (out.dstPort === 6081 && out.payloadLength >= 8 && buf[o + 8] >> 6 === 0 && !out.fragment) {
        const inner = o + 16 + (buf[o + 8] & 0x3f) * 4;
        const ptype = u16(buf, o + 10);
        const innerEnd = o + 8 + out.payloadLength;
        if (inner < innerEnd && tunnel(out))
          return ptype === 0x6558
            ? decodeInnerEthernet(buf, inner, innerEnd, out)
            : decodeEtherType(buf, inner, innerEnd, ptype, out);
      }
      return out;
    }
    case 132: {
      // SCTP: ports in the common header, keyed like TCP/UDP.
      if (avail < 12) return fail(out, 'truncated_l4');
      out.srcPort = u16(buf, o);
      out.dstPort = u16(buf, o + 2);
      out.payloadOffset = o + 12;
      out.payloadLength = end - o - 12;
      return out;
    }
    case IPPROTO.ICMP:
    case IPPROTO.ICMPV6:
      if (avail < 4) return fail(out, 'truncated_l4');
      out.icmpType = buf[o];
      out.icmpCode = buf[o + 1];
      out.payloadOffset = avail >= 8 ? o + 8 : end;
      out.payloadLength = end - out.payloadOffset;
      return out;
    default:
      return out;
  }
}

/** Text form of an address held as 32-bit words (IPv6 compressed as in RFC 5952). */
export function formatIp(version: number, w: Uint32Array, at = 0): string {
  if (version === 4) {
    const a = w[at];
    return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
  }
  const g: number[] = [];
  for (let i = 0; i < 4; i++) g.push(w[at + i] >>> 16, w[at + i] & 0xffff);
  // Longest run of zero groups (length >= 2) becomes "::".
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number, b: number) =>
    g
      .slice(a, b)
      .map((x) => x.toString(16))
      .join(':');
  if (bestStart < 0) return hex(0, 8);
  // IPv4-mapped addresses print the IPv4 tail in dotted form.
  if (bestStart === 0 && bestLen === 5 && g[5] === 0xffff)
    return `::ffff:${g[6] >>> 8}.${g[6] & 255}.${g[7] >>> 8}.${g[7] & 255}`;
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}
