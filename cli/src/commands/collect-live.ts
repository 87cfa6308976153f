/** `edusentry collect live -i <iface> [--bpf ...] [--snaplen n] [--buffer-size mb] [--ndjson | --store]`: capture until stopped. */
import { EduError } from '@edusentry/core';
import { formatSummary, LiveCapture } from '@edusentry/collector';
import type { Command } from 'commander';
import { leaf, parent } from '../command';
import { drainTo, packetSink, pipelineFor } from './collect-pcap';

interface Opts {
  interface?: string;
  bpf?: string;
  snaplen?: string;
  bufferSize?: string;
  duration?: string;
  ndjson?: boolean;
  store?: string | boolean;
}

const HEARTBEAT_MS = 60_000;

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new EduError('EDU_ERR_USAGE', `${name} must be a positive integer, not "${value}"`);
  return n;
}

export function register(program: Command): void {
  const collect = parent(program, 'collect', 'collect events: packet captures, live capture, flow logs, syslog');
  leaf<Opts>(
    collect,
    'live',
    'capture packets from an interface (libpcap) into flow and DNS/HTTP/TLS/SSH events until stopped',
    async (ctx, _a, opts) => {
      const cfg = ctx.config.collector.packet;
      const iface = opts.interface || cfg.live.interface;
      if (!iface)
        throw new EduError(
          'EDU_ERR_USAGE',
          'give the interface to capture on with -i <iface> (or collector.packet.live.interface in the config)',
        );
      const snaplen = positiveInt(opts.snaplen, '--snaplen') ?? cfg.live.snaplen;
      const bufferSizeMb = positiveInt(opts.bufferSize, '--buffer-size') ?? cfg.live.bufferSizeMb;
      const duration = positiveInt(opts.duration, '--duration');
      const sink = await packetSink(ctx, opts);
      const pipeline = pipelineFor(sink, {
        config: cfg,
        organization: ctx.config.organization,
        observer: ctx.config.observer,
        source: `live:${ctx.config.observer.id}:${iface}`,
        interfaceName: iface,
      });
      pipeline.onInternalError = (err, packet) =>
        ctx.log.error({ err: err.message, packet, iface }, 'internal error decoding a packet; counted and skipped');
      const capture = new LiveCapture({ iface, bpf: opts.bpf ?? cfg.live.bpf, snaplen, bufferSizeMb }, pipeline.handle);
      capture.start();
      process.stderr.write(
        `capturing on ${iface} (link type ${capture.linkType}, snaplen ${snaplen}, buffer ${bufferSizeMb} MiB${opts.bpf ? `, filter "${opts.bpf}"` : ''}); Ctrl-C to stop\n`,
      );

      // Drain events to the sink one batch at a time (backpressure), and expire idle flows on wall-clock time.
      let draining = Promise.resolve();
      const drain = () => (draining = draining.then(() => drainTo(sink, pipeline)));
      const timer = setInterval(() => {
        pipeline.tick(Date.now());
        void drain();
      }, 250);
      // A heartbeat in the log: capture and drop counters (kernel, interface, snaplen) while running.
      const heartbeat = setInterval(
        () => ctx.log.info({ iface, ...pipeline.snapshot(), ...capture.counters() }, 'live capture heartbeat'),
        HEARTBEAT_MS,
      );
      await new Promise<void>((resolveStop) => {
        const stop = () => resolveStop();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        if (duration) setTimeout(stop, duration * 1000).unref();
      });
      clearInterval(timer);
      clearInterval(heartbeat);
      capture.stop();
      while (pipeline.finish(2000) > 0) await drain();
      await drain();
      await sink.close();
      const counters = { ...pipeline.snapshot(), ...capture.counters() };
      process.stderr.write(formatSummary(counters, sink.counters()));
    },
  )
    .option('-i, --interface <iface>', 'network interface to capture on')
    .option('--bpf <filter>', 'BPF capture filter (tcpdump syntax)')
    .option('--snaplen <bytes>', 'bytes kept per packet (default from config: 65535)')
    .option('--buffer-size <MiB>', 'libpcap kernel buffer size in MiB (default from config: 32)')
    .option('--duration <seconds>', 'stop after this many seconds (default: until Ctrl-C / SIGTERM)')
    .option('--ndjson', 'write one ECS event per line to stdout (the default)');
}
