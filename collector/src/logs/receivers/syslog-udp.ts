/** Syslog over UDP (RFC 5426): one message per datagram. Overload drops are counted (ours and the kernel's). */
import { createSocket, type Socket } from 'node:dgram';
import { Batcher } from './batcher';
import type { EmitEvents, Receiver } from './types';
import { udpKernelDrops } from './udp-drops';
import type { EcsEvent } from '@edusentry/core';

export interface SyslogUdpOptions {
  host: string;
  port: number;
  maxMessageBytes: number;
  /** Messages waiting to be shipped beyond which new datagrams are dropped (and counted). */
  maxPending: number;
  toEvent: (line: string, sender: string, receivedMs: number) => EcsEvent;
  emit: EmitEvents;
}

export class SyslogUdpReceiver implements Receiver {
  readonly name = 'syslog-udp';
  private sock?: Socket;
  private batcher: Batcher;
  private boundPort = 0;
  private kernelDrops = 0;
  private c = { received: 0, dropped: 0, oversize: 0, errors: 0 };
  private readonly perSource = new Map<string, number>();

  constructor(private readonly o: SyslogUdpOptions) {
    this.batcher = new Batcher(o.emit);
  }

  start(): Promise<number> {
    return new Promise((resolve, reject) => {
      const s = createSocket({ type: this.o.host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: 8 * 1024 * 1024 });
      s.once('error', reject);
      s.on('message', (msg, rinfo) => {
        this.c.received++;
        if (this.batcher.pending >= this.o.maxPending) {
          this.c.dropped++;
          return;
        }
        let buf = msg;
        if (buf.length > this.o.maxMessageBytes) {
          this.c.oversize++;
          buf = buf.subarray(0, this.o.maxMessageBytes);
        }
        this.perSource.set(rinfo.address, (this.perSource.get(rinfo.address) ?? 0) + 1);
        try {
          void this.batcher.add(this.o.toEvent(buf.toString('utf8'), rinfo.address, Date.now()));
        } catch {
          this.c.errors++;
        }
      });
      s.bind(this.o.port, this.o.host, () => {
        s.off('error', reject);
        s.on('error', () => this.c.errors++);
        this.sock = s;
        this.boundPort = s.address().port;
        resolve(this.boundPort);
      });
    });
  }

  async stop(): Promise<void> {
    // The kernel's count disappears with the socket: keep the last reading.
    if (this.sock) this.kernelDrops = udpKernelDrops(this.boundPort);
    const sock = this.sock;
    this.sock = undefined;
    await new Promise<void>((r) => (sock ? sock.close(() => r()) : r()));
    await this.batcher.flush();
  }

  counters(): Record<string, number> {
    return {
      ...this.c,
      kernel_drops: this.sock ? udpKernelDrops(this.boundPort) : this.kernelDrops,
      sources: this.perSource.size,
    };
  }

  /** Messages per source address since start (per-source rate counters). */
  sources(): Record<string, number> {
    return Object.fromEntries(this.perSource);
  }
}
