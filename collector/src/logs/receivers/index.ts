/**
 * The receiver table: every network input `collect listen` offers, one row each, named
 * by its command-line option. Adding a receiver is one file behind `Receiver` (types.ts)
 * and one row here; the CLI builds its options and the listener its receivers from this table.
 */
import { readFileSync } from 'node:fs';
import { EduError, type EcsEvent, type Observer, type Organization } from '@edusentry/core';
import type { LogsConfig } from '../config';
import type { FlowDecoder } from '../../flow-export';
import { FlowUdpReceiver } from './flow-udp';
import { SyslogTcpReceiver } from './syslog-tcp';
import { SyslogUdpReceiver } from './syslog-udp';
import type { EmitEvents, Receiver } from './types';

export type { EmitEvents, Receiver } from './types';

/** What a receiver is built from: the listen address, the configuration, and where events go. */
export interface ReceiverContext {
  host: string;
  config: LogsConfig;
  organization: Organization;
  observer: Observer;
  emit: EmitEvents;
  /** A syslog line from `sender` received at `at` → its ECS event. */
  toEvent: (line: string, sender: string, at: number) => EcsEvent;
  /** The flow decoder shared by the flow receivers (one template cache per exporter). */
  decoder: () => FlowDecoder;
  /** Called on each flow event before it is emitted (attribution). */
  enrich: (e: EcsEvent) => void;
  /** --tls-cert / --tls-key, over the configuration's. */
  tlsCert?: string;
  tlsKey?: string;
}

export interface ReceiverKind {
  /** The receiver's name in counters and messages, and its option: `--<name> <port>`. */
  name: 'netflow' | 'ipfix' | 'sflow' | 'syslog-udp' | 'syslog-tcp' | 'syslog-tls';
  description: string;
  create(port: number, ctx: ReceiverContext): Receiver;
}

const flow =
  (name: 'netflow' | 'ipfix' | 'sflow') =>
  (port: number, c: ReceiverContext): Receiver =>
    new FlowUdpReceiver({
      name,
      host: c.host,
      port,
      maxPending: c.config.flow.maxPending,
      decoder: c.decoder(),
      organization: c.organization,
      observer: c.observer,
      emit: c.emit,
      enrich: c.enrich,
    });

function readTlsFile(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch {
    throw new EduError('EDU_ERR_CONFIG', `cannot read the TLS ${what} file ${file}`);
  }
}

export const RECEIVERS: readonly ReceiverKind[] = [
  { name: 'netflow', description: 'NetFlow v5/v9 UDP port', create: flow('netflow') },
  { name: 'ipfix', description: 'IPFIX UDP port', create: flow('ipfix') },
  { name: 'sflow', description: 'sFlow v5 UDP port', create: flow('sflow') },
  {
    name: 'syslog-udp',
    description: 'syslog UDP port (RFC 5426)',
    create: (port, c) =>
      new SyslogUdpReceiver({
        host: c.host,
        port,
        maxMessageBytes: c.config.syslog.maxMessageBytes,
        maxPending: c.config.syslog.maxPending,
        toEvent: c.toEvent,
        emit: c.emit,
      }),
  },
  {
    name: 'syslog-tcp',
    description: 'syslog TCP port (RFC 6587 octet counting or newline framing)',
    create: (port, c) =>
      new SyslogTcpReceiver({
        host: c.host,
        port,
        maxMessageBytes: c.config.syslog.maxMessageBytes,
        toEvent: c.toEvent,
        emit: c.emit,
      }),
  },
  {
    name: 'syslog-tls',
    description: 'syslog TLS port (RFC 5425)',
    create: (port, c) => {
      const cfg = c.config.syslog.tls;
      const cert = c.tlsCert ?? cfg.cert;
      const key = c.tlsKey ?? cfg.key;
      if (!cert || !key)
        throw new EduError(
          'EDU_ERR_USAGE',
          '--syslog-tls needs a certificate and key: --tls-cert/--tls-key or collector.logs.syslog.tls.cert/key in the config',
        );
      const tls = {
        cert: readTlsFile(cert, 'certificate'),
        key: readTlsFile(key, 'key'),
        ...(cfg.ca ? { ca: readTlsFile(cfg.ca, 'CA') } : {}),
      };
      return new SyslogTcpReceiver({
        host: c.host,
        port,
        maxMessageBytes: c.config.syslog.maxMessageBytes,
        tls,
        toEvent: c.toEvent,
        emit: c.emit,
      });
    },
  },
];

/** A port option's value as a port number, or a usage error naming the option. */
export function portOf(v: string, option: string): number {
  const n = Number(v);
  if (v === '' || !Number.isInteger(n) || n < 0 || n > 65535)
    throw new EduError('EDU_ERR_USAGE', `--${option} must be a port number 0-65535, not "${v}"`);
  return n;
}
