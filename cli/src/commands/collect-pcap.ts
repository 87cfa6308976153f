/** `edusentry collect pcap <files...> [--ndjson | --store]`: captures → flows and DNS/HTTP/TLS/SSH events. */
import { readCaptures, sinkOptions } from '@edusentry/collector';
import type { Command } from 'commander';
import { leaf, parent } from '../command';

interface Opts {
  ndjson?: boolean;
  store?: string | boolean;
}

export function register(program: Command): void {
  const collect = parent(program, 'collect', 'collect events: packet captures, live capture, flow logs, syslog');
  leaf<Opts>(
    collect,
    'pcap <files...>',
    'read pcap/pcapng captures into flow and DNS/HTTP/TLS/SSH events',
    async (ctx, files, opts) => {
      // The store is opened on first write and again after a failure: a capture is spooled while it is down.
      const summary = await readCaptures(files, {
        ...sinkOptions(ctx.config, ctx.dataDir, ctx.log, opts),
        config: ctx.config.collector.packet,
      });
      process.stderr.write(summary);
    },
  )
    // --store (bare or with a kind) is a global option: it sends events to the store.
    .option('--ndjson', 'write one ECS event per line to stdout (the default)');
}
