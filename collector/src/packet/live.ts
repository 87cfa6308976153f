/**
 * Live capture through libpcap (the `cap` addon). Each packet is copied by libpcap
 * into one reusable Buffer whose size is the snap length, and handed on with its
 * arrival time. Drops are reported as counters: frames cut at the snap length,
 * libpcap's own statistics (pcap_stats through `stats()`, which patches/cap.patch adds
 * to the `cap` binding): packets the kernel dropped because the capture buffer was
 * full, and packets the interface dropped; and the interface's receive drops (sysfs)
 * since the capture started.
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

/** libpcap's struct pcap_stat, counted since the capture was opened. */
export interface PcapStats {
  ps_recv: number;
  ps_drop: number;
  ps_ifdrop: number;
}

interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  close(): void;
  /** From patches/cap.patch; undefined when closed or unsupported. */
  stats?(): PcapStats | undefined;
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
  /** The last pcap_stats() read; kept at stop() since a closed handle has none. */
  private pcap: PcapStats | undefined;

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

  /** libpcap's counters now (the last ones read once stopped); undefined if the binding has none. */
  stats(): PcapStats | undefined {
    const now = this.cap?.stats?.();
    if (now) this.pcap = { ps_recv: now.ps_recv, ps_drop: now.ps_drop, ps_ifdrop: now.ps_ifdrop };
    return this.pcap;
  }

  stop(): void {
    this.stats();
    this.cap?.close();
    this.cap = undefined;
  }

  /**
   * drop.* counters: snaplen truncation, libpcap's kernel (buffer full) and interface drops,
   * and the interface's receive drops (sysfs) since start.
   */
  counters(): Record<string, number> {
    const out: Record<string, number> = { 'drop.truncated_snaplen': this.truncated };
    const ps = this.stats();
    if (ps) {
      out['drop.kernel'] = ps.ps_drop;
      out['drop.interface'] = ps.ps_ifdrop;
    }
    const now = interfaceDrops(this.opts.iface);
    for (const [k, v] of Object.entries(now)) out[`drop.interface_${k}`] = Math.max(0, v - (this.baseline[k] ?? 0));
    return out;
  }
}
