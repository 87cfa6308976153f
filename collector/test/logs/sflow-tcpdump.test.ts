/**
 * sFlow v5 against tcpdump: the datagrams of tcpdump's own sFlow test captures
 * (read with the packet path's capture reader, UDP payloads taken with decodeFrame)
 * decoded by our FlowDecoder and compared field by field with what tcpdump printed
 * in the .out files (options as TESTLIST names them: -v, -vvv). tcpdump does not
 * decode the sampled packet headers, so those are compared with tshark's dissection
 * of the same frames (tshark is in deploy/test/test.apt).
 */
import { execFileSync } from 'node:child_process';
import { missingCommands, requires } from '@edusentry/core/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DecodedPacket, decodeFrame, readCaptureFile } from '../../src/packet';
import { FlowDecoder, type FlowRecord } from '../../src/flow-export';

const DIR = join(__dirname, '../../../../shared/testdata/pcap/tcpdump');

interface Datagram {
  frame: number;
  /** IP version of the datagram that carried the sFlow payload. */
  ipVersion: number;
  payload: Buffer;
}

/** UDP payloads of every frame, in capture order (frame numbers from 1). */
async function datagrams(pcap: string): Promise<Datagram[]> {
  const out: Datagram[] = [];
  const pkt = new DecodedPacket();
  let frame = 0;
  await readCaptureFile(join(DIR, pcap), (link, _ts, buf, off, cap) => {
    frame++;
    decodeFrame(link, buf, pkt, off, cap);
    if (pkt.protocol === 17 && pkt.payloadOffset > 0)
      out.push({
        frame,
        ipVersion: pkt.ipVersion,
        payload: Buffer.from(buf.subarray(pkt.payloadOffset, pkt.payloadOffset + pkt.payloadLength)),
      });
  });
  return out;
}

type Fields = Record<string, number | string>;
interface Expected {
  header?: Fields;
  invalid?: boolean;
  /** tcpdump: "sFlow version N packet not supported". */
  otherVersion?: number;
  samples: Fields[];
}

/** What tcpdump -v printed, per datagram, in our field names. */
function parseOut(file: string): Expected[] {
  const dgrams: Expected[] = [];
  let sample: Fields | undefined;
  const set = (m: RegExpMatchArray | null, names: string[]) => {
    if (m && sample) names.forEach((n, i) => n && (sample![n] = Number(m[i + 1])));
    return !!m;
  };
  for (const line of readFileSync(join(DIR, file), 'utf8').split('\n')) {
    let m = line.match(
      /sFlowv5, IPv[46] agent (\S+), agent-id (\d+), seqnum (\d+), uptime (\d+), samples (\d+), length (\d+)/,
    );
    if (m) {
      dgrams.push({
        header: { agent: m[1], agent_id: +m[2], seqnum: +m[3], uptime: +m[4], samples: +m[5], length: +m[6] },
        samples: [],
      });
      sample = undefined;
      continue;
    }
    m = line.match(/sFlow version (\d+) packet not supported/);
    if (m) {
      dgrams.push({ otherVersion: +m[1], samples: [] });
      continue;
    }
    if (/sFlowv5 \[length \d+ < 28\] \(invalid\)/.test(line)) {
      dgrams.push({ invalid: true, samples: [] });
      continue;
    }
    m = line.match(
      /^\s*(expanded )?(flow|counter) sample \(\d+\), length \d+, seqnum (\d+), type (\d+), idx (\d+)(?:, rate (\d+), pool (\d+), drops (\d+), input (\d+)(?: \((\d+)\))?,? output (\d+)(?: \((\d+)\))?)?,? records (\d+)/,
    );
    if (m) {
      sample = {
        sample_type: `${m[1] ? 'expanded_' : ''}${m[2]}`,
        sample_seqnum: +m[3],
        source_id_type: +m[4],
        source_id_index: +m[5],
        records: +m[13],
      };
      if (m[6] !== undefined) {
        Object.assign(sample, { sampling_rate: +m[6], sample_pool: +m[7], drops: +m[8] });
        // -v prints the raw interface words of a compact sample, value and format of an expanded one.
        if (m[1]) Object.assign(sample, { input: +m[9], input_format: +m[10], output: +m[11], output_format: +m[12] });
        else Object.assign(sample, { input_word: +m[9], output_word: +m[11] });
      }
      dgrams[dgrams.length - 1].samples.push(sample);
      continue;
    }
    set(line.match(/ifindex (\d+), iftype (\d+), ifspeed (\d+), ifdirection (\d+)/), [
      'ifindex',
      'iftype',
      'ifspeed',
      'ifdirection',
    ]);
    set(line.match(/ifstatus (\d+)/), ['ifstatus']);
    set(line.match(/In octets (\d+), unicast pkts (\d+), multicast pkts (\d+), broadcast pkts (\d+), discards (\d+)/), [
      'in_octets',
      'in_unicast_pkts',
      'in_multicast_pkts',
      'in_broadcast_pkts',
      'in_discards',
    ]);
    set(line.match(/In errors (\d+), unknown protos (\d+)/), ['in_errors', 'in_unknown_protos']);
    set(
      line.match(/Out octets (\d+), unicast pkts (\d+), multicast pkts (\d+), broadcast pkts (\d+), discards (\d+)/),
      ['out_octets', 'out_unicast_pkts', 'out_multicast_pkts', 'out_broadcast_pkts', 'out_discards'],
    );
    set(line.match(/Out errors (\d+), promisc mode (\d+)/), ['out_errors', 'promiscuous_mode']);
    set(
      line.match(
        /align errors (\d+), fcs errors (\d+), single collision (\d+), multiple collision (\d+), test error (\d+)/,
      ),
      [
        'dot3_alignment_errors',
        'dot3_fcs_errors',
        'dot3_single_collision_frames',
        'dot3_multiple_collision_frames',
        'dot3_sqe_test_errors',
      ],
    );
    set(line.match(/deferred (\d+), late collision (\d+), excessive collision (\d+), mac trans error (\d+)/), [
      'dot3_deferred_transmissions',
      'dot3_late_collisions',
      'dot3_excessive_collisions',
      'dot3_internal_mac_transmit_errors',
    ]);
    set(line.match(/carrier error (\d+), frames too long (\d+), mac receive errors (\d+), symbol errors (\d+)/), [
      'dot3_carrier_sense_errors',
      'dot3_frame_too_longs',
      'dot3_internal_mac_receive_errors',
      'dot3_symbol_errors',
    ]);
    set(line.match(/src vlan (\d+), src pri (\d+), dst vlan (\d+), dst pri (\d+)/), [
      'src_vlan',
      'src_priority',
      'dst_vlan',
      'dst_priority',
    ]);
    set(line.match(/protocol \S+ \((\d+)\), length (\d+), stripped bytes (\d+), header_size (\d+)/), [
      'header_protocol',
      'frame_length',
      'stripped',
      'header_size',
    ]);
  }
  return dgrams;
}

/** Our record in the shape parseOut gives tcpdump's. */
function actual(r: FlowRecord, expected: Fields): Fields {
  const f = r.fields as Record<string, unknown>;
  const got: Fields = {};
  for (const k of Object.keys(expected)) {
    if (k === 'records') got[k] = ((f.flow_records ?? f.counter_records) as string[]).length;
    else if (k === 'input_word') got[k] = ((f.input_format as number) * 2 ** 30 + (f.input as number)) >>> 0;
    else if (k === 'output_word') got[k] = ((f.output_format as number) * 2 ** 30 + (f.output as number)) >>> 0;
    else if (k === 'sample_type') got[k] = String(f.sample_type).replace(/^(expanded_)?(flow|counter)$/, '$1$2');
    else got[k] = f[k] as number;
  }
  return got;
}

const CASES = [
  // TESTLIST: sflow1 (-v), sflow-expanded (-v), sflow-v6 (-vvv), sflow_print-segv (-v)
  { pcap: 'sflow_multiple_counter_30_pdus.pcap', out: 'sflow_multiple_counter_30_pdus.out' },
  { pcap: 'sflow_expanded.pcap', out: 'sflow_expanded.out' },
  { pcap: 'sflow-print-v6.pcap', out: 'sflow-print-v6.out' },
  { pcap: 'sflow_print-segv.pcap', out: 'sflow_print-segv.out' },
];

describe('sFlow v5 against tcpdump', () => {
  const tally = { datagrams: 0, samples: 0, fields: 0, agree: 0 };
  afterAll(() =>
    console.log(
      `sFlow vs tcpdump: ${tally.datagrams} datagrams, ${tally.samples} samples, ${tally.agree}/${tally.fields} fields agree`,
    ),
  );

  it.each(CASES)('$pcap agrees with $out', async ({ pcap, out }) => {
    const expected = parseOut(out);
    const got = await datagrams(pcap);
    expect(got.length).toBe(expected.length);
    const decoder = new FlowDecoder();
    for (let i = 0; i < expected.length; i++) {
      const want = expected[i];
      const invalidBefore = decoder.counters.invalid;
      const recs = decoder.decode(got[i].payload, '192.0.2.1');
      tally.datagrams++;
      if (want.invalid) {
        // tcpdump calls it invalid; we count it and produce nothing.
        expect(recs).toEqual([]);
        expect(decoder.counters.invalid).toBe(invalidBefore + 1);
        continue;
      }
      if (want.otherVersion !== undefined) {
        // Not sFlow: the first word 0x0005xxxx is a NetFlow v5 header (version 5, count
        // xxxx) that this capture's collector port also received; we decode it as such.
        expect(want.otherVersion >>> 16).toBe(5);
        expect(recs.length).toBe(want.otherVersion & 0xffff);
        expect(recs.every((r) => r.protocol === 'netflow5')).toBe(true);
        continue;
      }
      const h = want.header!;
      expect(got[i].payload.length).toBe(h.length);
      expect(recs.length).toBe(h.samples);
      expect(recs.length).toBe(want.samples.length);
      recs.forEach((r, s) => {
        const f = r.fields as Record<string, unknown>;
        const headerGot = { agent: f.agent, agent_id: f.agent_id, seqnum: f.seqnum, uptime: f.uptime };
        const headerWant = { agent: h.agent, agent_id: h.agent_id, seqnum: h.seqnum, uptime: h.uptime };
        expect(headerGot).toEqual(headerWant);
        expect(r.exporter).toBe(h.agent);
        const sw = want.samples[s];
        const sg = actual(r, sw);
        tally.samples++;
        for (const k of Object.keys(sw)) {
          tally.fields++;
          if (sg[k] === sw[k]) tally.agree++;
        }
        tally.fields += 4; // the datagram header, asserted just above
        tally.agree += 4;
        expect({ frame: got[i].frame, sample: s, ...sg }).toEqual({ frame: got[i].frame, sample: s, ...sw });
        if (sw.sampling_rate !== undefined) expect(r.samplingRate).toBe(Math.max(1, Number(sw.sampling_rate)));
      });
    }
  });

  requires(missingCommands('tshark')).test.each(['sflow-print-v6.pcap', 'sflow_expanded.pcap'])(
    'sampled packet headers of %s agree with tshark',
    async (pcap) => {
      const fields = ['eth.src', 'eth.dst', 'vlan.id', 'ip.src', 'ip.dst', 'tcp.srcport', 'tcp.dstport'];
      const rows = execFileSync(
        'tshark',
        [
          '-r',
          join(DIR, pcap),
          '-T',
          'fields',
          '-E',
          'occurrence=a',
          '-E',
          'separator=|',
          ...fields.flatMap((f) => ['-e', f]),
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
      )
        .trim()
        .split('\n');
      const decoder = new FlowDecoder();
      const got = await datagrams(pcap);
      let compared = 0;
      got.forEach((d, i) => {
        const flows = decoder.decode(d.payload, '192.0.2.1').filter((r) => !r.options);
        if (!flows.length) return;
        // tshark lists each field's occurrences: the outer datagram's first (Ethernet, and
        // for IPv4 transport the outer IP and no TCP), then one per sampled header.
        const cols = rows[i].split('|').map((c) => (c ? c.split(',') : []));
        const outerIp4 = d.ipVersion === 4;
        const ours = (k: string, rs = flows) =>
          rs
            .map((r) => r.fields[k])
            .filter((v) => v !== undefined)
            .map(String);
        const theirs = (col: number, skipOuter: boolean) => cols[col].slice(skipOuter ? 1 : 0);
        expect({ frame: d.frame, src_mac: ours('src_mac') }).toEqual({ frame: d.frame, src_mac: theirs(0, true) });
        expect(ours('dst_mac')).toEqual(theirs(1, true));
        expect(ours('vlan')).toEqual(theirs(2, false));
        expect(ours('src_ip')).toEqual(theirs(3, outerIp4));
        expect(ours('dst_ip')).toEqual(theirs(4, outerIp4));
        const tcp = flows.filter((r) => r.fields.protocol === 6);
        expect(ours('src_port', tcp)).toEqual(theirs(5, false));
        expect(ours('dst_port', tcp)).toEqual(theirs(6, false));
        compared += flows.length;
      });
      expect(compared).toBeGreaterThan(0);
    },
  );
});
