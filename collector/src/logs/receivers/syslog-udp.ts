/** Syslog over UDP (RFC 5426): one message per datagram. Overload drops are counted (ours and the kernel's). */
import type { RemoteInfo } from 'node:dgram';
import type { EcsEvent } from '@edusentry/core';
import { UdpReceiver, type UdpReceiverOptions } from './udp-receiver';

export interface SyslogUdpOptions extends UdpReceiverOptions {
  maxMessageBytes: number;
  toEvent: (line: string, sender: string, receivedMs: number) => EcsEvent;
}

export class SyslogUdpReceiver extends UdpReceiver {
  readonly name = 'syslog-udp';
  protected override readonly datagramCounter = 'received';
  private oversize = 0;
  private readonly perSource = new Map<string, number>();

  constructor(private readonly o: SyslogUdpOptions) {
    super(o);
  }

  protected onDatagram(msg: Buffer, rinfo: RemoteInfo): void {
    let buf = msg;
    if (buf.length > this.o.maxMessageBytes) {
      this.oversize++;
      buf = buf.subarray(0, this.o.maxMessageBytes);
    }
    this.perSource.set(rinfo.address, (this.perSource.get(rinfo.address) ?? 0) + 1);
    try {
      void this.batcher.add(this.o.toEvent(buf.toString('utf8'), rinfo.address, Date.now()));
    } catch {
      this.errors++;
    }
  }

  protected protocolCounters(): Record<string, number> {
    return { oversize: this.oversize, errors: this.errors, sources: this.perSource.size };
  }

  /** Messages per source address since start (per-source rate counters). */
  sources(): Record<string, number> {
    return Object.fromEntries(this.perSource);
  }
}
