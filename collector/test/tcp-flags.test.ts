/**
 * One spelling and one order of TCP flags (#14 §3): the same flow's edu.flow.tcp_flags reads
 * the same from a capture (object and NDJSON text output) and from a NetFlow record.
 */
import { flowToEcs, type FlowRecord } from '../src/flow-export';
import { LINKTYPE, packetConfigSchema, PacketPipeline, tcpFlagNames } from '../src/packet';

const FIN = 0x01;
const SYN = 0x02;
const PSH = 0x08;
const ACK = 0x10;

/** A raw IPv4/TCP packet (no payload) with `flags`. */
function tcp(src: number[], dst: number[], sport: number, dport: number, flags: number, seq: number): Buffer {
  const b = Buffer.alloc(40);
  b[0] = 0x45;
  b.writeUInt16BE(40, 2);
  b[8] = 64;
  b[9] = 6;
  b.set(src, 12);
  b.set(dst, 16);
  b.writeUInt16BE(sport, 20);
  b.writeUInt16BE(dport, 22);
  b.writeUInt32BE(seq, 24);
  b[32] = 0x50;
  b[33] = flags;
  return b;
}

function capturedFlags(text: boolean): unknown {
  const p = new PacketPipeline({
    config: packetConfigSchema.parse({}),
    organization: { id: 'o' },
    observer: { id: 's' },
    source: 'test',
    text,
  });
  const c = [10, 0, 0, 1];
  const s = [192, 0, 2, 1];
  const packets = [
    tcp(c, s, 40000, 80, SYN, 1),
    tcp(s, c, 80, 40000, SYN | ACK, 9),
    tcp(c, s, 40000, 80, ACK | PSH, 2),
    tcp(c, s, 40000, 80, FIN | ACK, 2),
  ];
  packets.forEach((pk, i) => p.handle(LINKTYPE.RAW, 1_700_000_000_000 + i, pk, 0, pk.length, pk.length));
  p.finish();
  const events = text
    ? p
        .takeText()
        .text.toString()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : p.take();
  const flow = events.find((e) => e.event.dataset === 'network.flow');
  return flow.edu.flow.tcp_flags;
}

describe('TCP flag names', () => {
  it('are in bit order, FIN to CWR', () => {
    expect(tcpFlagNames(0xff)).toEqual(['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR']);
    expect(tcpFlagNames(SYN | ACK)).toEqual(['SYN', 'ACK']);
  });

  it('agree between the packet path (objects and text) and the flow-export path', () => {
    const record = {
      protocol: 'netflow9',
      exporter: '192.0.2.254',
      domain: 0,
      exportMs: 1_700_000_000_000,
      options: false,
      samplingRate: 1,
      key: 'k',
      fields: {
        ipv4_src_addr: '10.0.0.1',
        ipv4_dst_addr: '192.0.2.1',
        l4_src_port: 40000,
        l4_dst_port: 80,
        protocol: 6,
        tcp_flags: FIN | SYN | PSH | ACK,
        in_bytes: 160,
        in_pkts: 4,
        first_switched: 1_700_000_000_000,
        last_switched: 1_700_000_000_003,
      },
    } as FlowRecord;
    const exported = flowToEcs(record)!.edu!.flow!.tcp_flags;
    expect(exported).toEqual(['FIN', 'SYN', 'PSH', 'ACK']);
    expect(capturedFlags(false)).toEqual(exported);
    expect(capturedFlags(true)).toEqual(exported);
  });
});
