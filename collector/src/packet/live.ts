/**
 * Live capture through libpcap (the `cap` addon). Each packet is copied by libpcap
 * into one reusable Buffer whose size is the snap length, and handed on with its
 * arrival time. Drops are reported as counters: frames cut at the snap length, and
 * the interface's own receive drops (sysfs) since the capture started. The `cap`
 * binding does not expose pcap_stats(), so socket-level drops are not visible here.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { EduError } from '@edusentry/core';
import type { PacketHandler } from './capture-reader';
import { LINKTYPE } from './decode';

export interface LiveOptions {
  iface: string;
  bpf?: string;
  snaplen: number;
  bufferSizeMb: number;
}

interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  close(): void;
  on(event: 'packet', fn: (nbytes: number, truncated: boolean) => void): void;
}

const LINK_NAMES: Record<string, number> = {
  ETHERNET: LINKTYPE.ETHERNET,
  NULL: LINKTYPE.NULL,
  LINKTYPE_LINUX_SLL: LINKTYPE.LINUX_SLL,
  RAW: LINKTYPE.RAW,
};

const DROP_FILES = ['rx_dropped', 'rx_missed_errors', 'rx_fifo_errors'];

function interfaceDrops(iface: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of DROP_FILES) {
    try {
      out[f] = Number(readFileSync(`/sys/class/net/${iface}/statistics/${f}`, 'utf8').trim());
    } catch {
      // Not Linux, or the interface is gone: no counter.
    }
  }
  return out;
}

export class LiveCapture {
  packets = 0;
  bytes = 0;
  truncated = 0;
  linkType = -1;
  private cap: CapHandle | undefined;
  private baseline: Record<string, number> = {};

  constructor(
    private readonly opts: LiveOptions,
    private readonly onPacket: PacketHandler,
  ) {}

  start(): void {
    let Cap: new () => CapHandle;
    try {
      ({ Cap } = require('cap') as { Cap: new () => CapHandle });
    } catch (err) {
      throw new EduError(
        'EDU_ERR_CAPTURE',
        `live capture needs the cap addon (libpcap): ${(err as Error).message.split('\n')[0]}`,
      );
    }
    const cap = new Cap();
    const buffer = Buffer.alloc(this.opts.snaplen);
    let link: string;
    try {
      link = cap.open(this.opts.iface, this.opts.bpf ?? '', this.opts.bufferSizeMb * 1024 * 1024, buffer);
    } catch (err) {
      throw new EduError(
        'EDU_ERR_CAPTURE',
        `cannot capture on ${this.opts.iface}: ${(err as Error).message} (needs root or CAP_NET_RAW, and a valid interface and BPF filter)`,
      );
    }
    const m = /Unknown linktype (\d+)/.exec(link);
    this.linkType = LINK_NAMES[link] ?? (m ? Number(m[1]) : -1);
    this.baseline = interfaceDrops(this.opts.iface);
    const origin = performance.timeOrigin;
    cap.on('packet', (nbytes, truncated) => {
      this.packets++;
      this.bytes += nbytes;
      if (truncated) this.truncated++;
      this.onPacket(this.linkType, origin + performance.now(), buffer, 0, nbytes, nbytes, 0);
    });
    this.cap = cap;
  }

  stop(): void {
    this.cap?.close();
    this.cap = undefined;
  }

  /** drop.* counters: snaplen truncation and interface receive drops since start. */
  counters(): Record<string, number> {
    const out: Record<string, number> = { 'drop.truncated_snaplen': this.truncated };
    const now = interfaceDrops(this.opts.iface);
    for (const [k, v] of Object.entries(now)) out[`drop.interface_${k}`] = Math.max(0, v - (this.baseline[k] ?? 0));
    return out;
  }
}
