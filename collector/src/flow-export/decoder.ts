/**
 * One entry point for flow-export datagrams: picks the protocol from the header,
 * keeps templates across datagrams, and counts what it could not decode (a bad
 * datagram is skipped without disturbing the exporter's other traffic).
 */
import { Ipfix } from './ipfix';
import { Netflow5 } from './netflow5';
import { Netflow9 } from './netflow9';
import { Sflow } from './sflow';
import type { EcsEvent } from '@edusentry/core';
import { TemplateCache, type EventOutput, type TemplateOptions } from './templates';
import { flowToEcs, type FlowEcsOptions } from './to-ecs';
import type { FlowCounters, FlowProtocol, FlowRecord } from './types';

export interface FlowDecoderOptions extends Partial<TemplateOptions> {
  /** Called once per distinct problem (not per datagram). */
  onError?: (err: Error, exporter: string) => void;
}

export class FlowDecoder {
  readonly counters: FlowCounters = {
    packets: 0,
    records: 0,
    invalid: 0,
    templates: 0,
    no_template: 0,
    buffered: 0,
    buffer_dropped: 0,
  };
  readonly templates: TemplateCache;
  private readonly protocols: FlowProtocol[];
  private readonly reported = new Set<string>();

  constructor(private readonly opts: FlowDecoderOptions = {}) {
    this.templates = new TemplateCache(
      { templateTimeoutMs: opts.templateTimeoutMs ?? 30 * 60_000, maxPendingSets: opts.maxPendingSets ?? 4096 },
      this.counters,
    );
    this.protocols = [
      new Netflow5(this.templates, this.counters),
      new Netflow9(this.templates),
      new Ipfix(this.templates),
      new Sflow(this.counters),
    ];
  }

  /**
   * Decodes one datagram from `exporter`; records (also of earlier buffered data) are appended
   * to `out`, except that with `events` templated data records become ECS events there instead.
   */
  decode(payload: Buffer, exporter: string, out: FlowRecord[] = [], events?: EventOutput): FlowRecord[] {
    this.counters.packets++;
    const proto = this.protocols.find((p) => p.accepts(payload));
    const before = out.length;
    try {
      if (!proto)
        throw new Error(
          `not NetFlow v5/v9, IPFIX or sFlow (version ${payload.length >= 2 ? payload.readUInt16BE(0) : '?'})`,
        );
      proto.decode(payload, exporter, out, events);
    } catch (err) {
      this.counters.invalid++;
      // Records decoded before the fault are kept: they were whole and valid.
      const e = err as Error;
      const key = `${exporter}:${e.message.replace(/\d+/g, 'N')}`;
      if (!this.reported.has(key)) {
        this.reported.add(key);
        this.opts.onError?.(e, exporter);
      }
      void before;
    }
    return out;
  }

  /**
   * decode() then flowsToEcs(), as one step with the same events in the same order:
   * fixed-length NetFlow v9/IPFIX data records are written to ECS straight from the
   * datagram's bytes, without a record object in between (the receivers' hot path).
   */
  decodeToEcs(payload: Buffer, exporter: string, opts: FlowEcsOptions = {}, out: EcsEvent[] = []): EcsEvent[] {
    // v5 and sFlow records (never templated) still come back as records.
    const records: FlowRecord[] = [];
    this.decode(payload, exporter, records, { events: out, opts });
    for (const r of records) {
      const e = flowToEcs(r, opts);
      if (e) out.push(e as EcsEvent);
    }
    return out;
  }
}
