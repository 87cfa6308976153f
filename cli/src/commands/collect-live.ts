/** `edusentry collect live -i <iface> [--bpf ...] [--snaplen n] [--buffer-size mb] [--ndjson | --store]`: capture until stopped. */
import { EduError } from '@edusentry/core';
import { captureLive, sinkOptions } from '@edusentry/collector';
import type { Command } from 'commander';
import { leaf, parent } from '../command';

interface Opts {
  interface?: string;
  bpf?: string;
  snaplen?: string;
  bufferSize?: string;
  duration?: string;
  ndjson?: boolean;
  store?: string | boolean;
}

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
      const summary = await captureLive({
        ...sinkOptions(ctx.config, ctx.dataDir, ctx.log, opts),
        config: cfg,
        iface,
        bpf: opts.bpf ?? cfg.live.bpf,
        snaplen,
        bufferSizeMb,
        onStarted: (linkType) =>
          process.stderr.write(
            `capturing on ${iface} (link type ${linkType}, snaplen ${snaplen}, buffer ${bufferSizeMb} MiB${opts.bpf ? `, filter "${opts.bpf}"` : ''}); Ctrl-C to stop\n`,
          ),
        until: new Promise<void>((resolveStop) => {
          const stop = () => resolveStop();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
          if (duration) setTimeout(stop, duration * 1000).unref();
        }),
      });
      process.stderr.write(summary);
    },
  )
    .option('-i, --interface <iface>', 'network interface to capture on')
    .option('--bpf <filter>', 'BPF capture filter (tcpdump syntax)')
    .option('--snaplen <bytes>', 'bytes kept per packet (default from config: 65535)')
    .option('--buffer-size <MiB>', 'libpcap kernel buffer size in MiB (default from config: 32)')
    .option('--duration <seconds>', 'stop after this many seconds (default: until Ctrl-C / SIGTERM)')
    .option('--ndjson', 'write one ECS event per line to stdout (the default)');
}
