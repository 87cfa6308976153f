/** Shared by the packet tests: where the suricata-verify captures are, and reading a capture to events. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { EcsEvent } from '@edusentry/core';
import { packetConfigSchema, PacketPipeline, readCaptureFile, type CaptureReader } from '../../src/packet';

/** The shared test data (override the root with EDUSENTRY_TESTDATA). */
export const SV = join(
  process.env.EDUSENTRY_TESTDATA ?? join(__dirname, '../../../../shared/testdata'),
  'pcap/suricata-verify/tests',
);
export const FIXTURES = join(__dirname, 'fixtures');

export interface ReadResult {
  events: EcsEvent[];
  pipeline: PacketPipeline;
  reader: CaptureReader;
}

export async function readEvents(file: string, config: Record<string, unknown> = {}): Promise<ReadResult> {
  const pipeline = new PacketPipeline({
    config: packetConfigSchema.parse(config),
    organization: { id: 'school-1', name: 'Test School' },
    observer: { id: 'sensor-1' },
    source: `pcap:${file}`,
  });
  const events: EcsEvent[] = [];
  const reader = await readCaptureFile(file, pipeline.handle, { onChunk: () => void events.push(...pipeline.take()) });
  pipeline.finish();
  events.push(...pipeline.take());
  return { events, pipeline, reader };
}

export const byDataset = (events: EcsEvent[], dataset: string) => events.filter((e) => e.event.dataset === dataset);

/** tshark -T fields output as rows of columns. */
export function tshark(file: string, fields: string[], extra: string[] = []): string[][] {
  const out = execFileSync(
    'tshark',
    ['-n', '-r', file, ...extra, '-T', 'fields', '-E', 'separator=\t', ...fields.flatMap((f) => ['-e', f])],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  return out
    .split('\n')
    .filter((l) => l.length)
    .map((l) => l.split('\t'));
}
