/**
 * Every expectation logstash-codec-netflow's netflow_spec.rb states for its real
 * device payloads (Cisco, Huawei NetStream, H3C, Fortigate, Palo Alto, Barracuda, …):
 * the number of records each context decodes to, and each
 * `decode[i].get("[netflow][field]")` value. The table (fixtures/logstash-netflow-cases.json)
 * is generated from the spec by fixtures/gen-logstash-netflow-cases.js. The spec's
 * full-JSON comparisons (Logstash's own event serialisation) are not ported: our
 * output is ECS. Payloads the spec calls invalid must be rejected and counted while
 * valid traffic around them still decodes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlowDecoder, type FlowRecord } from '../../src/flow-export';

const DIR = join(__dirname, '../../../../shared/testdata/netflow/logstash-codec-netflow/spec/codecs');
interface Case {
  name: string;
  line: number;
  files: string[];
  size?: number;
  expect: { line: number; index: number; field: string; value: unknown }[];
  noRaise: boolean;
}
const cases: Case[] = JSON.parse(readFileSync(join(__dirname, 'fixtures/logstash-netflow-cases.json'), 'utf8'));

/** Like the spec: one decoder per context, payloads in order, every record (data and options) in order. */
function decodeCase(c: Case): { records: FlowRecord[]; decoder: FlowDecoder } {
  const decoder = new FlowDecoder();
  const records: FlowRecord[] = [];
  for (const f of c.files) decoder.decode(readFileSync(join(DIR, f)), '192.0.2.1', records);
  return { records, decoder };
}

const results: { name: string; what: string; ok: boolean; got?: unknown; want?: unknown }[] = [];

describe('logstash-codec-netflow expectations', () => {
  afterAll(() => {
    const ok = results.filter((r) => r.ok).length;
    const failed = results.filter((r) => !r.ok);
    process.stdout.write(
      `logstash-codec-netflow: ${ok}/${results.length} expectations satisfied\n` +
        failed
          .map(
            (r) =>
              `  not satisfied: ${r.name}: ${r.what}: got ${JSON.stringify(r.got)}, want ${JSON.stringify(r.want)}\n`,
          )
          .join(''),
    );
  });

  it.each(cases.map((c) => [`${c.name} (spec line ${c.line})`, c] as const))('%s', (_n, c) => {
    const { records } = decodeCase(c);
    if (c.size !== undefined)
      results.push({
        name: c.name,
        what: 'record count',
        ok: records.length === c.size,
        got: records.length,
        want: c.size,
      });
    for (const e of c.expect) {
      const got = records[e.index]?.fields[e.field];
      results.push({ name: c.name, what: `decode[${e.index}].${e.field}`, ok: got === e.value, got, want: e.value });
    }
  });

  it('satisfies the expectations this decoder is held to', () => {
    // Known gaps are listed by name; anything else that fails is a regression.
    const knownGaps = new Set<string>();
    const regressions = results.filter((r) => !r.ok && !knownGaps.has(`${r.name}: ${r.what}`));
    expect(regressions).toEqual([]);
    expect(results.length).toBeGreaterThan(200);
  });
});

describe('invalid payloads', () => {
  // netflow9_test_invalid01.dat is only "invalid" in its header's record count (2 for 6
  // records); its flowsets are well-formed, so like most collectors we decode it.
  const invalid = ['netflow5_test_invalid01.dat', 'netflow5_test_invalid02.dat'];

  it.each(invalid)('%s is rejected and counted without disturbing valid traffic', (file) => {
    const d = new FlowDecoder();
    const out: FlowRecord[] = [];
    d.decode(readFileSync(join(DIR, 'netflow5.dat')), '192.0.2.1', out);
    d.decode(readFileSync(join(DIR, file)), '192.0.2.1', out);
    d.decode(readFileSync(join(DIR, 'netflow9_test_valid01.dat')), '192.0.2.1', out);
    expect(d.counters.invalid).toBe(1);
    expect(out.filter((r) => r.protocol === 'netflow5')).toHaveLength(2);
    expect(out.filter((r) => r.protocol === 'netflow9').length).toBe(7);
  });

  it('truncated and random datagrams never throw', () => {
    const d = new FlowDecoder();
    const src = readFileSync(join(DIR, 'ipfix_test_netscaler_data.dat'));
    const tpl = readFileSync(join(DIR, 'ipfix_test_netscaler_tpl.dat'));
    d.decode(tpl, '192.0.2.1');
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const cut = Buffer.from(src.subarray(0, seed % src.length));
      if (cut.length > 20) cut[(seed >> 8) % cut.length] ^= 0xff;
      expect(() => d.decode(cut, '192.0.2.1')).not.toThrow();
    }
    expect(d.counters.invalid).toBeGreaterThan(0);
  });

  it('data before its template is held and decoded when the template arrives', () => {
    const d = new FlowDecoder();
    const first = d.decode(readFileSync(join(DIR, 'ipfix_test_netscaler_data.dat')), '192.0.2.1');
    expect(first).toHaveLength(0);
    expect(d.counters.buffered).toBeGreaterThan(0);
    const later = d.decode(readFileSync(join(DIR, 'ipfix_test_netscaler_tpl.dat')), '192.0.2.1');
    expect(later).toHaveLength(3);
    expect(later[0].fields.netscalerConnectionId).toBe(14460661);
  });

  it('templates are kept per exporter: another exporter cannot use them', () => {
    const d = new FlowDecoder();
    d.decode(readFileSync(join(DIR, 'ipfix_test_netscaler_tpl.dat')), '192.0.2.1');
    expect(d.decode(readFileSync(join(DIR, 'ipfix_test_netscaler_data.dat')), '192.0.2.99')).toHaveLength(0);
    expect(d.decode(readFileSync(join(DIR, 'ipfix_test_netscaler_data.dat')), '192.0.2.1')).toHaveLength(3);
  });
});
