/** What the flow-export decoders produce and the interface each protocol implements. */
import type { EventOutput } from './templates';

/** One decoded flow (or options) record, field names as the protocol's vocabulary has them. */
export interface FlowRecord {
  protocol: 'netflow5' | 'netflow9' | 'ipfix' | 'sflow';
  /** Address of the exporter (the UDP source, or the agent address for sFlow). */
  exporter: string;
  /** Source id (v9), observation domain (IPFIX), engine (v5), sub-agent (sFlow). */
  domain: number;
  /** Export time from the packet header, epoch ms. */
  exportMs: number;
  /** Options records describe the exporter (sampling, interfaces), not traffic. */
  options: boolean;
  /** Packet sampling rate applied by the exporter (1 = unsampled). */
  samplingRate: number;
  fields: Record<string, unknown>;
  /** Stable identity of the record within the export stream, for event ids. */
  key: string;
}

export interface FlowCounters {
  packets: number;
  records: number;
  invalid: number;
  templates: number;
  no_template: number;
  buffered: number;
  buffer_dropped: number;
  [k: string]: number;
}

/** A flow-export protocol decoder: one UDP payload in, zero or more records out. */
export interface FlowProtocol {
  readonly name: FlowRecord['protocol'];
  /** True when the payload's header says it is this protocol. */
  accepts(payload: Buffer): boolean;
  /**
   * Throws FlowDecodeError for a malformed payload; the caller counts it and moves on.
   * With `events`, templated data records become ECS events there instead of records.
   */
  decode(payload: Buffer, exporter: string, out: FlowRecord[], events?: EventOutput): void;
}

export class FlowDecodeError extends Error {}
