/**
 * `collect listen`: the receivers asked for (by the receiver table's names), one shared
 * attribution and flow decoder, into one sink. Each sender's lineToEvent options are
 * built once, not once per line.
 */
import { Attribution, EduError, type EcsEvent, type Logger } from '@edusentry/core';
import { openSink, type EventSink, type SinkOptions } from '../sink';
import type { LogsConfig } from './config';
import { FlowDecoder } from '../flow-export';
import { RECEIVERS, portOf, type ReceiverKind, type Receiver } from './receivers';
import { lineToEvent, senderObserver, type LogEventOptions } from './syslog/to-event';

export interface ListenOptions extends Omit<SinkOptions, 'extraCounters'> {
  config: LogsConfig;
  /** Port option values by receiver name ("netflow", "syslog-udp", …), as given. */
  ports: Partial<Record<ReceiverKind['name'], string>>;
  /** Overrides collector.logs.host. */
  host?: string;
  tlsCert?: string;
  tlsKey?: string;
  log: Logger;
}

export interface Listening {
  receivers: { name: string; host: string; port: number }[];
  sink: EventSink;
  /** Stops the receivers, flushes the sink; resolves with every counter. */
  stop(): Promise<Record<string, number>>;
}

export async function listen(o: ListenOptions): Promise<Listening> {
  const asked = RECEIVERS.filter((k) => o.ports[k.name] !== undefined);
  if (!asked.length)
    throw new EduError(
      'EDU_ERR_USAGE',
      `nothing to listen on: give at least one of ${RECEIVERS.map((k) => `--${k.name}`).join(', ')}`,
    );
  const cfg = o.config;
  const host = o.host ?? cfg.host;
  const ports = asked.map((k) => portOf(o.ports[k.name]!, k.name));
  const attribution = new Attribution();
  const receivers: Receiver[] = [];
  const receiverCounters = () => Object.assign({}, ...receivers.map((r) => prefixed(r.name, r.counters())));
  const sink = await openSink({ ...o, extraCounters: receiverCounters });
  const perSender = new Map<string, LogEventOptions>();
  const optionsOf = (sender: string) => {
    let opts = perSender.get(sender);
    if (!opts) {
      if (perSender.size >= 65536) perSender.clear(); // spoofed UDP sources must not grow it without bound
      opts = {
        organization: o.organization,
        observer: senderObserver(o.observer, sender),
        attribution,
        tzOffsetMinutes: cfg.syslog.tzOffsetMinutes,
        tzBySource: cfg.syslog.tzBySource,
        bySource: cfg.parsers,
      };
      perSender.set(sender, opts);
    }
    return opts;
  };
  let decoder: FlowDecoder | undefined;
  const ctx = {
    host,
    config: cfg,
    organization: o.organization,
    observer: o.observer,
    emit: (events: EcsEvent[]) => sink.push(events),
    toEvent: (line: string, sender: string, at: number) => lineToEvent(line, sender, at, optionsOf(sender)) as EcsEvent,
    decoder: () =>
      (decoder ??= new FlowDecoder({
        ...cfg.flow,
        onError: (e, exporter) => o.log.warn({ exporter, err: e.message }, 'bad flow datagram (counted, skipped)'),
      })),
    enrich: (e: EcsEvent) => void attribution.enrich(e),
    tlsCert: o.tlsCert,
    tlsKey: o.tlsKey,
  };
  const bound: Listening['receivers'] = [];
  try {
    asked.forEach((k, i) => receivers.push(k.create(ports[i], ctx)));
    for (const r of receivers) {
      try {
        bound.push({ name: r.name, host, port: await r.start() });
      } catch (err) {
        throw new EduError('EDU_ERR_USAGE', `cannot listen for ${r.name} on ${host}: ${(err as Error).message}`);
      }
    }
  } catch (err) {
    for (const r of receivers) await r.stop().catch(() => undefined);
    await sink.close();
    throw err;
  }
  return {
    receivers: bound,
    sink,
    async stop() {
      for (const r of receivers) await r.stop();
      await sink.close();
      return { ...sink.counters(), ...receiverCounters() };
    },
  };
}

function prefixed(name: string, c: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(c).map(([k, v]) => [`${name}.${k}`, v]));
}
