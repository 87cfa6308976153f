/** NetFlow v5: fixed 24-byte header and 48-byte records, sampling in the header. */
import type { TemplateCache } from './templates';
import { FlowDecodeError, type FlowCounters, type FlowProtocol, type FlowRecord } from './types';
import { ip4 } from './values';

export class Netflow5 implements FlowProtocol {
  readonly name = 'netflow5' as const;
  constructor(
    _templates: TemplateCache,
    private readonly counters: FlowCounters,
  ) {}

  accepts(p: Buffer): boolean {
    return p.length >= 2 && p.readUInt16BE(0) === 5;
  }

  decode(p: Buffer, exporter: string, out: FlowRecord[]): void {
    if (p.length < 24) throw new FlowDecodeError(`NetFlow v5 header needs 24 bytes, got ${p.length}`);
    const count = p.readUInt16BE(2);
    if (count < 1 || count > 30) throw new FlowDecodeError(`NetFlow v5 record count ${count} is outside 1..30`);
    if (p.length < 24 + count * 48)
      throw new FlowDecodeError(`NetFlow v5 with ${count} records needs ${24 + count * 48} bytes, got ${p.length}`);
    const uptime = p.readUInt32BE(4);
    const secs = p.readUInt32BE(8);
    const nsecs = p.readUInt32BE(12);
    const seq = p.readUInt32BE(16);
    const engineType = p[20];
    const engineId = p[21];
    const sampling = p.readUInt16BE(22);
    const exportMs = secs * 1000 + Math.floor(nsecs / 1e6);
    const base = exportMs - uptime;
    const interval = sampling & 0x3fff;
    for (let i = 0; i < count; i++) {
      const o = 24 + i * 48;
      out.push({
        protocol: 'netflow5',
        exporter,
        domain: (engineType << 8) | engineId,
        exportMs,
        options: false,
        samplingRate: interval > 0 ? interval : 1,
        key: `${secs}:${nsecs}:${seq}:${i}`,
        fields: {
          version: 5,
          flow_seq_num: seq,
          engine_type: engineType,
          engine_id: engineId,
          sampling_algorithm: sampling >>> 14,
          sampling_interval: interval,
          flow_records: count,
          ipv4_src_addr: ip4(p, o),
          ipv4_dst_addr: ip4(p, o + 4),
          ipv4_next_hop: ip4(p, o + 8),
          input_snmp: p.readUInt16BE(o + 12),
          output_snmp: p.readUInt16BE(o + 14),
          in_pkts: p.readUInt32BE(o + 16),
          in_bytes: p.readUInt32BE(o + 20),
          first_switched: new Date(base + p.readUInt32BE(o + 24)).toISOString(),
          last_switched: new Date(base + p.readUInt32BE(o + 28)).toISOString(),
          l4_src_port: p.readUInt16BE(o + 32),
          l4_dst_port: p.readUInt16BE(o + 34),
          tcp_flags: p[o + 37],
          protocol: p[o + 38],
          src_tos: p[o + 39],
          src_as: p.readUInt16BE(o + 40),
          dst_as: p.readUInt16BE(o + 42),
          src_mask: p[o + 44],
          dst_mask: p[o + 45],
        },
      });
    }
    this.counters.records += count;
  }
}
