/**
 * Syslog over TCP (RFC 6587: octet counting and LF framing) and over TLS (RFC 5425,
 * octet counting, with configured certificate and key). Reading pauses while the
 * shipper catches up, so a fast sender is slowed rather than losing messages.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import type { EcsEvent } from '@edusentry/core';
import { Batcher } from './batcher';
import { SyslogFramer } from './framing';
import type { EmitEvents, Receiver } from './types';

export interface SyslogTcpOptions {
  host: string;
  port: number;
  maxMessageBytes: number;
  /** When set, TLS (RFC 5425) with these credentials. */
  tls?: TlsOptions;
  toEvent: (line: string, sender: string, receivedMs: number) => EcsEvent;
  emit: EmitEvents;
}

export class SyslogTcpReceiver implements Receiver {
  readonly name: string;
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly batcher: Batcher;
  private c = { connections: 0, received: 0, oversize: 0, framing_errors: 0, errors: 0 };

  constructor(private readonly o: SyslogTcpOptions) {
    this.name = o.tls ? 'syslog-tls' : 'syslog-tcp';
    this.batcher = new Batcher(o.emit);
  }

  start(): Promise<number> {
    const onConn = (sock: Socket) => this.handle(sock);
    const server = this.o.tls ? createTlsServer(this.o.tls, onConn) : createServer(onConn);
    if (this.o.tls) server.on('tlsClientError', () => this.c.errors++);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.host, () => {
        server.off('error', reject);
        this.server = server;
        const a = server.address();
        resolve(typeof a === 'object' && a ? a.port : this.o.port);
      });
    });
  }

  private handle(sock: Socket): void {
    this.c.connections++;
    this.sockets.add(sock);
    const sender = (sock.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
    const framer = new SyslogFramer(this.o.maxMessageBytes);
    const take = (lines: string[]) => {
      let wait: Promise<void> | undefined;
      const now = Date.now();
      for (const l of lines) {
        this.c.received++;
        try {
          wait = this.batcher.add(this.o.toEvent(l, sender, now)) ?? wait;
        } catch {
          this.c.errors++;
        }
      }
      if (wait) {
        sock.pause();
        wait.finally(() => sock.resume());
      }
    };
    sock.on('data', (chunk: Buffer) => take(framer.push(chunk)));
    sock.on('end', () => take(framer.end()));
    sock.on('error', () => this.c.errors++);
    sock.on('close', () => {
      this.sockets.delete(sock);
      this.c.oversize += framer.oversize;
      this.c.framing_errors += framer.invalid;
      void this.batcher.flush();
    });
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.end();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    for (const s of this.sockets) s.destroy();
    await this.batcher.flush();
  }

  counters(): Record<string, number> {
    return { ...this.c, open: this.sockets.size };
  }
}
