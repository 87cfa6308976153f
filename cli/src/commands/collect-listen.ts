/** `edusentry collect listen`: NetFlow/IPFIX/sFlow and syslog (UDP, TCP, TLS) receivers into NDJSON or the store. */
import { listen, RECEIVERS, sinkOptions, type ReceiverKind } from '@edusentry/collector';
import type { Command } from 'commander';
import { leaf, parent } from '../command';

interface ListenOpts {
  tlsCert?: string;
  tlsKey?: string;
  host?: string;
  ndjson?: boolean;
  store?: string | boolean;
  [port: string]: string | boolean | undefined;
}

/** "syslog-udp" → "syslogUdp", as commander names the option's value. */
const camel = (name: string) => name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

export function register(program: Command): void {
  const collect = parent(program, 'collect', 'collect events: packets, flow logs, syslog, log files');
  const cmd = leaf<ListenOpts>(
    collect,
    'listen',
    'receive NetFlow v5/v9, IPFIX, sFlow and syslog over UDP, TCP and TLS',
    async (ctx, _a, o) => {
      const ports: Partial<Record<ReceiverKind['name'], string>> = {};
      for (const k of RECEIVERS) if (typeof o[camel(k.name)] === 'string') ports[k.name] = o[camel(k.name)] as string;
      const run = await listen({
        ...sinkOptions(ctx.config, ctx.dataDir, ctx.log, o),
        config: ctx.config.collector.logs,
        ports,
        host: o.host,
        tlsCert: o.tlsCert,
        tlsKey: o.tlsKey,
      });
      for (const r of run.receivers) process.stderr.write(`listening: ${r.name} on ${r.host}:${r.port}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      process.stderr.write(JSON.stringify({ counters: await run.stop() }) + '\n');
    },
  );
  for (const k of RECEIVERS) cmd.option(`--${k.name} <port>`, k.description);
  cmd
    .option('--tls-cert <file>', 'PEM certificate for --syslog-tls (default from config)')
    .option('--tls-key <file>', 'PEM private key for --syslog-tls (default from config)')
    .option('--host <addr>', 'address to bind (default from config: 0.0.0.0)')
    .option('--ndjson', 'write events as NDJSON on stdout (default)');
}
