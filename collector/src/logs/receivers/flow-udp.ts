/** NetFlow v5/v9, IPFIX or sFlow over UDP: datagrams → decoder → ECS flow events. */
import { createSocket, type Socket } from 'node:dgram';
import type { EcsEvent } from '@edusentry/core';
import { FlowDecoder, flowsToEcs, type FlowEcsOptions, type FlowRecord } from '../flow';
import { Batcher } from './batcher';
import type { EmitEvents, Receiver } from './types';
import { udpKernelDrops } from './udp-drops';

export interface FlowUdpOptions extends FlowEcsOptions {
  name: 'netflow' | 'ipfix' | 'sflow';
  host: string;
  port: number;
  maxPending: number;
  decoder: FlowDecoder;
  /** Called on each event before it is emitted (attribution). */
  enrich?: (e: EcsEvent) => void;
  emit: EmitEvents;
}

export class FlowUdpReceiver implements Receiver {
  readonly name: string;
  private sock?: Socket;
  private readonly batcher: Batcher;
  private boundPort = 0;
  private kernelDrops = 0;
  private c = { datagrams: 0, dropped: 0, events: 0 };

  constructor(private readonly o: FlowUdpOptions) {
    this.name = o.name;
    this.batcher = new Batcher(o.emit, 1000);
  }

  start(): Promise<number> {
    return new Promise((resolve, reject) => {
      const s = createSocket({ type: this.o.host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: 8 * 1024 * 1024 });
      s.once('error', reject);
      s.on('message', (msg, rinfo) => {
        this.c.datagrams++;
        if (this.batcher.pending >= this.o.maxPending) {
          this.c.dropped++;
          return;
        }
        const recs: FlowRecord[] = [];
        this.o.decoder.decode(msg, rinfo.address, recs);
        for (const e of flowsToEcs(recs, this.o)) {
          this.o.enrich?.(e);
          this.c.events++;
          void this.batcher.add(e);
        }
      });
      s.bind(this.o.port, this.o.host, () => {
        s.off('error', reject);
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
      ...prefix('decode_', this.o.decoder.counters),
      kernel_drops: this.sock ? udpKernelDrops(this.boundPort) : this.kernelDrops,
    };
  }
}

function prefix(p: string, o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [p + k, v]));
}
