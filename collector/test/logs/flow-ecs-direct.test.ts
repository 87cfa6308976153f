/**
 * FlowDecoder.decodeToEcs (fixed-length templates written straight to ECS by a
 * compiled per-template writer) must give exactly the events of decode + flowsToEcs:
 * same fields, same order, same ids. Checked on every logstash-codec-netflow payload
 * sequence, on sFlow captures, and on randomly built NetFlow v9/IPFIX templates
 * whose fields are drawn from the ones the ECS mapping reads (uptime, NTP and
 * second/millisecond times, IPv4/IPv6, duplicates, sampling, enterprise fields).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlowDecoder, flowsToEcs, type FlowRecord } from '../../src/flow-export';

const DIR = join(__dirname, '../../../../shared/testdata/netflow/logstash-codec-netflow/spec/codecs');
const cases: { name: string; files: string[] }[] = JSON.parse(
  readFileSync(join(__dirname, 'fixtures/logstash-netflow-cases.json'), 'utf8'),
);
const OPTS = { organization: { id: 'school-1' }, observer: { id: 'c1', name: 'collector' } };

/** Both ways over the same datagrams, each with its own decoder; returns both event lists as JSON lines. */
function bothWays(datagrams: Buffer[], exporter = '192.0.2.1'): { viaRecords: string[]; direct: string[] } {
  const a = new FlowDecoder();
  const b = new FlowDecoder();
  const viaRecords: string[] = [];
  const direct: string[] = [];
  for (const d of datagrams) {
    const recs: FlowRecord[] = [];
    a.decode(d, exporter, recs);
    for (const e of flowsToEcs(recs, OPTS)) viaRecords.push(JSON.stringify(e));
    for (const e of b.decodeToEcs(d, exporter, OPTS)) direct.push(JSON.stringify(e));
  }
  expect(b.counters).toEqual(a.counters);
  return { viaRecords, direct };
}

describe('decodeToEcs equals decode + flowsToEcs', () => {
  it.each(cases.map((c) => [c.name, c] as const))('logstash payloads: %s', (_n, c) => {
    const { viaRecords, direct } = bothWays(c.files.map((f) => readFileSync(join(DIR, f))));
    expect(direct).toEqual(viaRecords);
  });

  it('sFlow captures', () => {
    // sFlow carries no export time: the receive time (Date.now) is the timestamp, so it is held still.
    jest.useFakeTimers({ now: Date.UTC(2026, 2, 1) });
    const pcap = readFileSync(join(__dirname, '../../../../shared/testdata/pcap/tcpdump/sflow_expanded.pcap'));
    // Classic pcap, Ethernet/IPv4/UDP: the sFlow datagram follows 14 + 20 + 8 bytes.
    const datagrams: Buffer[] = [];
    for (let o = 24; o + 16 <= pcap.length;) {
      const len = pcap.readUInt32LE(o + 8);
      datagrams.push(pcap.subarray(o + 16 + 42, o + 16 + len));
      o += 16 + len;
    }
    const { viaRecords, direct } = bothWays(datagrams);
    expect(viaRecords.length).toBeGreaterThan(0);
    expect(direct).toEqual(viaRecords);
    jest.useRealTimers();
  });

  it('random templates, fields the mapping reads', () => {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    // [type, lengths it is exported with] — v9 ids (IPFIX reads the same ids by its own names).
    const v9: [number, number[]][] = [
      [8, [4]],
      [12, [4]],
      [27, [16]],
      [28, [16]],
      [7, [2]],
      [11, [2]],
      [4, [1]],
      [6, [1, 2]],
      [1, [4, 8]],
      [2, [4, 8]],
      [21, [4, 8, 12]],
      [22, [4, 8]],
      [34, [4, 2]],
      [58, [2]],
      [10, [4]],
      [150, [4]],
      [151, [4]],
      [152, [8]],
      [153, [8]],
      [154, [8]],
      [155, [8]],
      [156, [8]],
      [157, [8]],
      [323, [8]],
      [95, [4, 5, 8]],
      [96, [8, 16]],
      [85, [8]],
      [86, [8]],
      [1, [0]],
    ];
    let events = 0;
    for (let round = 0; round < 300; round++) {
      const ipfix = rnd(2) === 1;
      const n = 1 + rnd(14);
      const fields: [number, number][] = [];
      for (let i = 0; i < n; i++) {
        const [t, lens] = v9[rnd(v9.length)];
        fields.push([t, lens[rnd(lens.length)]]);
      }
      const recLen = fields.reduce((s, [, l]) => s + l, 0);
      const records = recLen ? 1 + rnd(5) : 0;
      const tplLen = 8 + fields.length * 4;
      const hdr = ipfix ? 16 : 20;
      const dataLen = 4 + records * recLen;
      const datagram = Buffer.alloc(hdr + tplLen + dataLen);
      datagram.writeUInt16BE(ipfix ? 10 : 9, 0);
      datagram.writeUInt16BE(ipfix ? datagram.length : records + 1, 2);
      const now = 1772352000 + rnd(86400 * 3);
      if (ipfix) {
        datagram.writeUInt32BE(now, 4);
        datagram.writeUInt32BE(round, 8);
        datagram.writeUInt32BE(rnd(3), 12);
      } else {
        datagram.writeUInt32BE(rnd(1e9), 4);
        datagram.writeUInt32BE(now, 8);
        datagram.writeUInt32BE(round, 12);
        datagram.writeUInt32BE(rnd(3), 16);
      }
      let o = hdr;
      datagram.writeUInt16BE(ipfix ? 2 : 0, o);
      datagram.writeUInt16BE(tplLen, o + 2);
      datagram.writeUInt16BE(256 + rnd(4), o + 4);
      const id = datagram.readUInt16BE(o + 4);
      datagram.writeUInt16BE(fields.length, o + 6);
      o += 8;
      for (const [t, l] of fields) {
        datagram.writeUInt16BE(t, o);
        datagram.writeUInt16BE(l, o + 2);
        o += 4;
      }
      datagram.writeUInt16BE(id, o);
      datagram.writeUInt16BE(dataLen, o + 2);
      o += 4;
      for (let i = 0; o < datagram.length; i++) {
        // Mostly plausible bytes, some zeros (empty addresses, zero rates) and some 0xff.
        const kind = rnd(10);
        datagram[o++] = kind === 0 ? 0 : kind === 1 ? 0xff : rnd(256);
      }
      const { viaRecords, direct } = bothWays([datagram]);
      expect(direct).toEqual(viaRecords);
      events += direct.length;
    }
    expect(events).toBeGreaterThan(500);
  });
});
