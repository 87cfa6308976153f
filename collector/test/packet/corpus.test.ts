/** Every capture in suricata-verify (some corrupt on purpose) is read to the end or to its damage: no crash, no hang. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { packetConfigSchema, PacketPipeline, readCaptureFile } from '../../src/packet';
import { SV } from './helpers';

function captures(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) captures(p, out);
    else if (/\.(pcap|pcapng|cap)$/i.test(f)) out.push(p);
  }
  return out;
}

test('all suricata-verify captures decode without a crash or internal error', async () => {
  const files = captures(SV);
  expect(files.length).toBeGreaterThan(1000);
  const config = packetConfigSchema.parse({});
  let packets = 0;
  let events = 0;
  const damaged: string[] = [];
  const internal: string[] = [];
  for (const file of files) {
    const pipeline = new PacketPipeline({ config, organization: { id: 'o' }, observer: {}, source: file });
    pipeline.onInternalError = (err) => internal.push(`${file}: ${err.stack}`);
    const reader = await readCaptureFile(file, pipeline.handle, {
      onChunk: () => void (events += pipeline.take().length),
    });
    pipeline.finish();
    events += pipeline.take().length;
    packets += reader.packets;
    if (reader.damaged || Object.keys(reader.errors).length) damaged.push(`${file}: ${JSON.stringify(reader.errors)}`);
    // Every packet is accounted for: decoded as IP, non-IP, or counted as a decode error.
    const c = pipeline.snapshot();
    const errors = Object.entries(c)
      .filter(([k]) => k.startsWith('decode_error.'))
      .reduce((a, [, v]) => a + v, 0);
    expect(c.ip_packets + c.non_ip + errors).toBe(c.packets);
  }
  process.stdout.write(
    `read ${files.length} captures: ${packets} packets, ${events} events; damaged: ${damaged.length}\n${damaged.join('\n')}\n`,
  );
  expect(internal).toEqual([]);
  expect(packets).toBeGreaterThan(100_000);
}, 300_000);
