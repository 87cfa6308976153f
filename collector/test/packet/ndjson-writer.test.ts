/**
 * Text mode (events written straight to NDJSON for EventSink.writeRaw) gives exactly the
 * bytes of JSON.stringify on the event objects, on every suricata-verify capture: flows of
 * every protocol and end reason, VLANs, IPv6, ICMP, and the DNS/HTTP/TLS/SSH events.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NdjsonSink } from '../../src/sink';
import { packetConfigSchema, PacketPipeline, readCaptureFile, type PipelineOptions } from '../../src/packet';
import { SV } from './helpers';

function captures(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) captures(p, out);
    else if (/\.(pcap|pcapng|cap)$/i.test(f)) out.push(p);
  }
  return out;
}

async function ndjson(file: string, opts: PipelineOptions): Promise<string> {
  const pipeline = new PacketPipeline(opts);
  let out = '';
  const drain = () => {
    if (opts.text) {
      const { text, count } = pipeline.takeText();
      const str = text.toString('utf8');
      expect(str.split('\n').length - 1).toBe(count);
      out += str;
    } else for (const e of pipeline.take()) out += JSON.stringify(e) + '\n';
  };
  await readCaptureFile(file, pipeline.handle, { onChunk: drain });
  while (pipeline.finish(50) > 0) drain();
  drain();
  return out;
}

// Small tables (evictions), the campus ranges (every direction), names needing escapes.
const CONFIGS = [
  { campusNetworks: ['10.0.0.0/8', '192.168.0.0/16', '2001:db8::/32'] },
  { flow: { maxFlows: 16, vlanTracking: false, activeTimeoutS: 1 }, communityIdSeed: 7 },
];

test.each(CONFIGS.map((c, i) => [i, c]))(
  'config %i: text mode equals JSON.stringify of the event objects on every capture',
  async (_i, config) => {
    const files = captures(SV);
    expect(files.length).toBeGreaterThan(1000);
    const base = {
      config: packetConfigSchema.parse(config),
      organization: { id: 'school-"1"', name: '演示学校 \\ "quoted"' },
      observer: { id: 'sensor-1', name: 'exit\tsensor' },
      interfaceName: 'eth0',
    };
    let lines = 0;
    for (const file of files) {
      const opts = { ...base, source: `pcap:${file}` };
      const objects = await ndjson(file, opts);
      const text = await ndjson(file, { ...opts, text: true });
      if (text !== objects) expect({ file, text }).toEqual({ file, text: objects });
      lines += objects.split('\n').length - 1;
    }
    expect(lines).toBeGreaterThan(4000);
  },
  300_000,
);

test('NdjsonSink.writeRaw writes the lines and counts them with push()', async () => {
  let written = '';
  const out = { write: (s: string) => ((written += s), true) } as unknown as NodeJS.WritableStream;
  const sink = new NdjsonSink(out);
  await sink.writeRaw('{"a":1}\n{"a":2}\n', 2);
  await sink.push([{ b: 3 } as never]);
  expect(written).toBe('{"a":1}\n{"a":2}\n{"b":3}\n');
  expect(sink.counters().written).toBe(3);
});
