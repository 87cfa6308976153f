/**
 * The packet path's two runs: `collect pcap` (capture files, with a progress line on a
 * terminal) and `collect live` (libpcap until stopped). Both feed a PacketPipeline and
 * drain what it produced into one sink, as NDJSON text when the sink takes it.
 */
import { resolve } from 'node:path';
import type { Logger } from '@edusentry/core';
import { openSink, pushBatched, type EventSink, type SinkOptions } from '../sink';
import { readCaptureFile } from './capture-reader';
import type { PacketConfig } from './config';
import { LiveCapture } from './live';
import { PacketPipeline, type PipelineOptions } from './pipeline';
import { formatSummary, ProgressLine } from './progress';

/** Flows ended per step when a run finishes, so memory stays bounded with many live flows. */
const FINISH_BATCH = 2000;

/** A pipeline for `sink`: one that writes NDJSON text when the sink takes pre-serialised lines. */
export function pipelineFor(sink: EventSink, opts: Omit<PipelineOptions, 'text'>): PacketPipeline {
  return new PacketPipeline({ ...opts, text: sink.writeRaw !== undefined });
}

/** Moves what the pipeline produced since the last call to the sink (text or objects). */
export async function drainTo(sink: EventSink, pipeline: PacketPipeline): Promise<void> {
  if (sink.writeRaw) {
    const { text, count } = pipeline.takeText();
    await sink.writeRaw(text, count);
  }
  await pushBatched(sink, pipeline.take());
}

export interface PacketRunOptions extends Omit<SinkOptions, 'extraCounters'> {
  config: PacketConfig;
  log: Logger;
}

/** Reads capture files in turn; resolves with the summary text (counters of all files). */
export async function readCaptures(files: string[], o: PacketRunOptions): Promise<string> {
  let current: PacketPipeline | undefined;
  const total: Record<string, number> = {};
  const sink = await openSink({ ...o, extraCounters: () => current?.snapshot() ?? {} });
  const progress = new ProgressLine();
  try {
    for (const file of files) {
      const pipeline = (current = pipelineFor(sink, { ...o, source: `pcap:${resolve(file)}` }));
      const reader = await readCaptureFile(file, pipeline.handle, {
        onChunk: async (pos, size) => {
          const c = pipeline.counters;
          progress.update(file, pos, size, c.packets, c.flow_events + c.app_events);
          await drainTo(sink, pipeline);
        },
      });
      while (pipeline.finish(FINISH_BATCH) > 0) await drainTo(sink, pipeline);
      await drainTo(sink, pipeline);
      progress.clear();
      if (reader.damaged)
        o.log.warn(
          { file, errors: reader.errors, packets: reader.packets },
          'capture damaged: read up to the damage, rest skipped',
        );
      const counts = pipeline.snapshot();
      for (const [k, v] of Object.entries(reader.errors)) counts[`capture_error.${k}`] = v;
      for (const [k, v] of Object.entries(counts)) total[k] = (total[k] ?? 0) + v;
    }
  } finally {
    progress.clear();
    await sink.close();
  }
  return formatSummary(total, sink.counters());
}

export interface LiveRunOptions extends PacketRunOptions {
  iface: string;
  bpf?: string;
  snaplen: number;
  bufferSizeMb: number;
  /** Told once capturing, with the link type. */
  onStarted?: (linkType: number) => void;
  /** Resolves when the capture should stop. */
  until: Promise<void>;
}

/** Live capture until `until`; resolves with the summary text. Heartbeats carry the capture's counters. */
export async function captureLive(o: LiveRunOptions): Promise<string> {
  let counters = (): Record<string, number> => ({});
  const sink = await openSink({ ...o, extraCounters: () => counters() });
  const pipeline = pipelineFor(sink, {
    ...o,
    source: `live:${o.observer.id}:${o.iface}`,
    interfaceName: o.iface,
  });
  pipeline.onInternalError = (err, packet) =>
    o.log.error({ err: err.message, packet, iface: o.iface }, 'internal error decoding a packet; counted and skipped');
  const capture = new LiveCapture(
    { iface: o.iface, bpf: o.bpf, snaplen: o.snaplen, bufferSizeMb: o.bufferSizeMb },
    pipeline.handle,
  );
  capture.start();
  counters = () => ({ ...pipeline.snapshot(), ...capture.counters() });
  o.onStarted?.(capture.linkType);
  // Drain events to the sink one batch at a time (backpressure), and expire idle flows on wall-clock time.
  let draining = Promise.resolve();
  const drain = () => (draining = draining.then(() => drainTo(sink, pipeline)));
  const timer = setInterval(() => {
    pipeline.tick(Date.now());
    void drain();
  }, 250);
  // Also in the log (NDJSON runs have no store heartbeats): capture and drop counters while running.
  const logBeat = setInterval(() => o.log.info({ iface: o.iface, ...counters() }, 'live capture heartbeat'), 60_000);
  await o.until;
  clearInterval(timer);
  clearInterval(logBeat);
  capture.stop();
  while (pipeline.finish(FINISH_BATCH) > 0) await drain();
  await drain();
  await sink.close();
  return formatSummary(counters(), sink.counters());
}
