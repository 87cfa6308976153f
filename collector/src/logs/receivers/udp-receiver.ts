/**
 * What every UDP receiver shares: the socket, overload drops counted before any
 * work is done on a datagram, the kernel's own drop count, and a clean stop.
 * A protocol only says what one datagram becomes (`onDatagram`).
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { Batcher } from './batcher';
import type { EmitEvents, Receiver } from './types';
import { udpKernelDrops } from './udp-drops';

export interface UdpReceiverOptions {
  host: string;
  port: number;
  /** Events waiting to be shipped beyond which new datagrams are dropped (and counted). */
  maxPending: number;
  emit: EmitEvents;
}

export abstract class UdpReceiver implements Receiver {
  abstract readonly name: string;
  protected readonly batcher: Batcher;
  private sock?: Socket;
  private boundPort = 0;
  private kernelDrops = 0;
  private datagrams = 0;
  private dropped = 0;
  protected errors = 0;

  constructor(
    private readonly udp: UdpReceiverOptions,
    batchSize?: number,
  ) {
    this.batcher = new Batcher(udp.emit, batchSize);
  }

  /** Turns one datagram into events added to `this.batcher`. */
  protected abstract onDatagram(msg: Buffer, rinfo: RemoteInfo): void;

  /** The protocol's own counters, merged into `counters()`. */
  protected abstract protocolCounters(): Record<string, number>;

  /** Name of the datagram counter in `counters()` (kept per protocol for the operators' dashboards). */
  protected readonly datagramCounter: string = 'datagrams';

  start(): Promise<number> {
    return new Promise((resolve, reject) => {
      const s = createSocket({ type: this.udp.host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: 8 * 1024 * 1024 });
      s.once('error', reject);
      s.on('message', (msg, rinfo) => {
        this.datagrams++;
        if (this.batcher.pending >= this.udp.maxPending) {
          this.dropped++;
          return;
        }
        this.onDatagram(msg, rinfo);
      });
      s.bind(this.udp.port, this.udp.host, () => {
        s.off('error', reject);
        s.on('error', () => this.errors++);
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
      [this.datagramCounter]: this.datagrams,
      dropped: this.dropped,
      ...this.protocolCounters(),
      kernel_drops: this.sock ? udpKernelDrops(this.boundPort) : this.kernelDrops,
    };
  }
}
