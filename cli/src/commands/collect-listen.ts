/** `edusentry collect listen`: NetFlow/IPFIX/sFlow and syslog (UDP, TCP, TLS) receivers into NDJSON or the store. */
import { readFileSync } from 'node:fs';
import { EduError, openStore, type EcsEvent } from '@edusentry/core';
import {
  Attribution,
  createShipper,
  LazyStore,
  FlowDecoder,
  FlowUdpReceiver,
  lineToEvent,
  NdjsonSink,
  senderObserver,
  SyslogTcpReceiver,
  SyslogUdpReceiver,
  type EventSink,
  type LogEventOptions,
  type Receiver,
} from '@edusentry/collector';
import type { Command } from 'commander';
import { leaf, parent } from '../command';
import type { Context } from '../context';

interface ListenOpts {
  netflow?: string;
  ipfix?: string;
  sflow?: string;
  syslogUdp?: string;
  syslogTcp?: string;
  syslogTls?: string;
  tlsCert?: string;
  tlsKey?: string;
  host?: string;
  ndjson?: boolean;
  store?: string | boolean;
}

function portOf(v: string, opt: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new EduError('EDU_ERR_USAGE', `--${opt} must be a port number 0-65535, not "${v}"`);
  return n;
}

/** --ndjson (default) or --store: the same choice for every collect command. */
export async function openSink(
  ctx: Context,
  toStore: boolean,
  extraCounters?: () => Record<string, number>,
): Promise<EventSink> {
  if (!toStore) return new NdjsonSink(process.stdout);
  const c = ctx.config;
  // Opened on first write and again after a failure: the collector starts and spools while the store is down.
  const store = new LazyStore(c.store.kind, () => openStore(c.store, ctx.dataDir));
  return createShipper(store, {
    ...c.collector.shipper,
    dataDir: ctx.dataDir,
    observer: { id: c.observer.id, name: c.observer.name },
    organization: { id: c.organization.id, name: c.organization.name },
    log: ctx.log,
    extraCounters,
  });
}

export function register(program: Command): void {
  const collect = parent(program, 'collect', 'collect events: packets, flow logs, syslog, log files');
  leaf<ListenOpts>(
    collect,
    'listen',
    'receive NetFlow v5/v9, IPFIX, sFlow and syslog over UDP, TCP and TLS',
    async (ctx, _a, o) => {
      const cfg = ctx.config.collector.logs;
      const host = o.host ?? cfg.host;
      const toStore = o.store !== undefined && o.store !== false;
      if (o.ndjson && toStore) throw new EduError('EDU_ERR_USAGE', 'choose one of --ndjson and --store');
      if (![o.netflow, o.ipfix, o.sflow, o.syslogUdp, o.syslogTcp, o.syslogTls].some((x) => x !== undefined)) {
        throw new EduError(
          'EDU_ERR_USAGE',
          'nothing to listen on: give at least one of --netflow, --ipfix, --sflow, --syslog-udp, --syslog-tcp, --syslog-tls',
        );
      }
      const organization = { id: ctx.config.organization.id, name: ctx.config.organization.name };
      const observer = { id: ctx.config.observer.id, name: ctx.config.observer.name };
      const attribution = new Attribution();
      const receivers: Receiver[] = [];
      const sink = await openSink(ctx, toStore, () =>
        Object.assign({}, ...receivers.map((r) => prefixed(r.name, r.counters()))),
      );
      const emit = (events: EcsEvent[]) => sink.push(events);
      // lineToEvent's options (with the sender's observer) built once per sender, not once per line.
      const perSender = new Map<string, LogEventOptions>();
      const optionsOf = (sender: string) => {
        let opts = perSender.get(sender);
        if (!opts) {
          if (perSender.size >= 65536) perSender.clear(); // spoofed UDP sources must not grow it without bound
          opts = {
            organization,
            observer: senderObserver(observer, sender),
            attribution,
            tzOffsetMinutes: cfg.syslog.tzOffsetMinutes,
            tzBySource: cfg.syslog.tzBySource,
            bySource: cfg.parsers,
          };
          perSender.set(sender, opts);
        }
        return opts;
      };
      const toEvent = (line: string, sender: string, at: number) =>
        lineToEvent(line, sender, at, optionsOf(sender)) as EcsEvent;
      const decoder = new FlowDecoder({
        ...cfg.flow,
        onError: (e, exporter) => ctx.log.warn({ exporter, err: e.message }, 'bad flow datagram (counted, skipped)'),
      });
      const flow = (name: 'netflow' | 'ipfix' | 'sflow', p: string) =>
        new FlowUdpReceiver({
          name,
          host,
          port: portOf(p, name),
          maxPending: cfg.flow.maxPending,
          decoder,
          organization,
          observer,
          emit,
          enrich: (e) => void attribution.enrich(e),
        });
      if (o.netflow !== undefined) receivers.push(flow('netflow', o.netflow));
      if (o.ipfix !== undefined) receivers.push(flow('ipfix', o.ipfix));
      if (o.sflow !== undefined) receivers.push(flow('sflow', o.sflow));
      const max = cfg.syslog.maxMessageBytes;
      if (o.syslogUdp !== undefined)
        receivers.push(
          new SyslogUdpReceiver({
            host,
            port: portOf(o.syslogUdp, 'syslog-udp'),
            maxMessageBytes: max,
            maxPending: cfg.syslog.maxPending,
            toEvent,
            emit,
          }),
        );
      if (o.syslogTcp !== undefined)
        receivers.push(
          new SyslogTcpReceiver({ host, port: portOf(o.syslogTcp, 'syslog-tcp'), maxMessageBytes: max, toEvent, emit }),
        );
      if (o.syslogTls !== undefined) {
        const cert = o.tlsCert ?? cfg.syslog.tls.cert;
        const key = o.tlsKey ?? cfg.syslog.tls.key;
        if (!cert || !key)
          throw new EduError(
            'EDU_ERR_USAGE',
            '--syslog-tls needs a certificate and key: --tls-cert/--tls-key or collector.logs.syslog.tls.cert/key in the config',
          );
        const read = (f: string, what: string) => {
          try {
            return readFileSync(f);
          } catch {
            throw new EduError('EDU_ERR_CONFIG', `cannot read the TLS ${what} file ${f}`);
          }
        };
        const tls = {
          cert: read(cert, 'certificate'),
          key: read(key, 'key'),
          ...(cfg.syslog.tls.ca ? { ca: read(cfg.syslog.tls.ca, 'CA') } : {}),
        };
        receivers.push(
          new SyslogTcpReceiver({
            host,
            port: portOf(o.syslogTls, 'syslog-tls'),
            maxMessageBytes: max,
            tls,
            toEvent,
            emit,
          }),
        );
      }
      for (const r of receivers) {
        try {
          const port = await r.start();
          process.stderr.write(`listening: ${r.name} on ${host}:${port}\n`);
        } catch (err) {
          throw new EduError('EDU_ERR_USAGE', `cannot listen for ${r.name} on ${host}: ${(err as Error).message}`);
        }
      }
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      for (const r of receivers) await r.stop();
      await sink.close();
      process.stderr.write(
        JSON.stringify({
          counters: {
            ...sink.counters(),
            ...Object.assign({}, ...receivers.map((r) => prefixed(r.name, r.counters()))),
          },
        }) + '\n',
      );
    },
  )
    .option('--netflow <port>', 'NetFlow v5/v9 UDP port')
    .option('--ipfix <port>', 'IPFIX UDP port')
    .option('--sflow <port>', 'sFlow v5 UDP port')
    .option('--syslog-udp <port>', 'syslog UDP port (RFC 5426)')
    .option('--syslog-tcp <port>', 'syslog TCP port (RFC 6587 octet counting or newline framing)')
    .option('--syslog-tls <port>', 'syslog TLS port (RFC 5425)')
    .option('--tls-cert <file>', 'PEM certificate for --syslog-tls (default from config)')
    .option('--tls-key <file>', 'PEM private key for --syslog-tls (default from config)')
    .option('--host <addr>', 'address to bind (default from config: 0.0.0.0)')
    .option('--ndjson', 'write events as NDJSON on stdout (default)');
}

function prefixed(name: string, c: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(c).map(([k, v]) => [`${name}.${k}`, v]));
}
