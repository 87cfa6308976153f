/** NetFlow v5/v9, IPFIX or sFlow over UDP: datagrams → decoder → ECS flow events. */
import type { RemoteInfo } from 'node:dgram';
import type { EcsEvent } from '@edusentry/core';
import { FlowDecoder, type FlowEcsOptions } from '../../flow-export';
import { UdpReceiver, type UdpReceiverOptions } from './udp-receiver';

export interface FlowUdpOptions extends FlowEcsOptions, UdpReceiverOptions {
  name: 'netflow' | 'ipfix' | 'sflow';
  decoder: FlowDecoder;
  /** Called on each event before it is emitted (attribution). */
  enrich?: (e: EcsEvent) => void;
}

export class FlowUdpReceiver extends UdpReceiver {
  readonly name: string;
  private events = 0;

  constructor(private readonly o: FlowUdpOptions) {
    super(o, 1000);
    this.name = o.name;
  }

  protected onDatagram(msg: Buffer, rinfo: RemoteInfo): void {
    for (const e of this.o.decoder.decodeToEcs(msg, rinfo.address, this.o)) {
      this.o.enrich?.(e);
      this.events++;
      void this.batcher.add(e);
    }
  }

  protected protocolCounters(): Record<string, number> {
    const decode = Object.entries(this.o.decoder.counters).map(([k, v]) => [`decode_${k}`, v]);
    return { events: this.events, ...Object.fromEntries(decode) };
  }
}
