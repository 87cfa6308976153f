/** `edusentry collect pcap <files...> [--ndjson | --store]`: captures → flows and DNS/HTTP/TLS/SSH events. */
import { resolve } from 'node:path';
import { EduError, type EcsEvent } from '@edusentry/core';
import {
  formatSummary,
  PacketPipeline,
  ProgressLine,
  readCaptureFile,
  type EventSink,
  type PipelineOptions,
} from '@edusentry/collector';
import type { Command } from 'commander';
import { leaf, parent } from '../command';
import type { Context } from '../context';
import { openSink } from './collect-listen';

interface Opts {
  ndjson?: boolean;
  store?: string | boolean;
}

/**
 * The sink chosen by --ndjson / --store (NDJSON when neither is given). The store is
 * opened on first write and again after a failure, as for every collect command: a
 * capture is read and spooled while the store is down, and shipped once it answers.
 */
export async function packetSink(ctx: Context, opts: Opts): Promise<EventSink> {
  if (opts.ndjson && opts.store) throw new EduError('EDU_ERR_USAGE', 'give either --ndjson or --store, not both');
  return openSink(ctx, Boolean(opts.store));
}

const FINISH_BATCH = 2000;

/** Hands events to the sink in slices, so one write never builds a huge string. */
export async function pushBatched(sink: EventSink, events: EcsEvent[], size = 1000): Promise<void> {
  for (let i = 0; i < events.length; i += size) await sink.push(events.slice(i, i + size));
}

/** A pipeline for `sink`: one that writes NDJSON text when the sink takes pre-serialised lines. */
export function pipelineFor(sink: EventSink, opts: PipelineOptions): PacketPipeline {
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

export function register(program: Command): void {
  const collect = parent(program, 'collect', 'collect events: packet captures, live capture, flow logs, syslog');
  leaf<Opts>(
    collect,
    'pcap <files...>',
    'read pcap/pcapng captures into flow and DNS/HTTP/TLS/SSH events',
    async (ctx, files, opts) => {
      const sink = await packetSink(ctx, opts);
      const progress = new ProgressLine();
      const total: Record<string, number> = {};
      try {
        for (const file of files) {
          const pipeline = pipelineFor(sink, {
            config: ctx.config.collector.packet,
            organization: ctx.config.organization,
            observer: ctx.config.observer,
            source: `pcap:${resolve(file)}`,
          });
          const reader = await readCaptureFile(file, pipeline.handle, {
            onChunk: async (pos, size) => {
              progress.update(
                file,
                pos,
                size,
                pipeline.counters.packets,
                pipeline.counters.flow_events + pipeline.counters.app_events,
              );
              await drainTo(sink, pipeline);
            },
          });
          // End the remaining flows a batch at a time, so memory stays bounded with many live flows.
          while (pipeline.finish(FINISH_BATCH) > 0) await drainTo(sink, pipeline);
          await drainTo(sink, pipeline);
          progress.clear();
          if (reader.damaged)
            ctx.log.warn(
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
      process.stderr.write(formatSummary(total, sink.counters()));
    },
  )
    // --store (bare or with a kind) is a global option: it sends events to the store.
    .option('--ndjson', 'write one ECS event per line to stdout (the default)');
}
