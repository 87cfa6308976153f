/**
 * Protocol names shared by the packet path and the flow-export path, so the same flow
 * reads the same from a capture and from a NetFlow/IPFIX/sFlow record: the transport of
 * an IP protocol number (ECS network.transport) and the TCP flags of a flags byte
 * (edu.flow.tcp_flags), in bit order, FIN (0x01) to CWR (0x80), spelt as Zeek and ECS do.
 */
export const TCP_FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'] as const;

/** Flag names for each value of the flags byte, computed once. */
const FLAGS_BY_BYTE = Array.from({ length: 256 }, (_, b) => TCP_FLAG_NAMES.filter((_n, i) => b & (1 << i)));

/** Names of the TCP flags set in `flags` (the low byte; a fresh array each call). */
export function tcpFlagNames(flags: number): string[] {
  return Number.isInteger(flags) && flags >= 0 && flags < 256
    ? FLAGS_BY_BYTE[flags].slice()
    : TCP_FLAG_NAMES.filter((_n, i) => flags & (1 << i));
}

/** ECS network.transport by IANA protocol number (the IANA keyword, lower case). */
const TRANSPORT: Record<number, string> = {
  1: 'icmp',
  2: 'igmp',
  6: 'tcp',
  17: 'udp',
  47: 'gre',
  50: 'esp',
  51: 'ah',
  58: 'ipv6-icmp',
  132: 'sctp',
};

/** The transport name of an IP protocol number; the number as text for any other. */
export function transportName(proto: number): string {
  return TRANSPORT[proto] ?? String(proto);
}
