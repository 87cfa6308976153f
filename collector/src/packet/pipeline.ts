/**
 * Packets in, ECS events out: the dispatch of decode (decode.ts) → fragment reassembly
 * (ip-defrag.ts) → flow table (flow-table.ts) → TCP stream reassembly (tcp-stream.ts) →
 * application parsers (app/), with the events built by packet-events.ts (objects, or NDJSON
 * text through ndjson-writer.ts). Shared by `collect pcap` and `collect live`.
 * Events accumulate in memory between `take()` calls, so the caller drains them per
 * chunk and applies backpressure from its sink.
 */
import type { EcsEvent } from '@edusentry/core';
import { APP_PARSERS, type AppEmitter, type AppParser, type AppSession, type Direction } from './app';
import type { PacketConfig } from './config';
import { CampusMatcher } from './campus-matcher';
import { DecodedPacket, decodeFrame, IPPROTO, LINKTYPE } from './decode';
import { FlowTable, type EndReason } from './flow-table';
import { FragmentReassembler } from './ip-defrag';
import { PacketEvents } from './packet-events';
import { TcpStream } from './tcp-stream';

// Module-local copies of the shared constants: imported bindings cost a getter call per access on the hot path.
const P_TCP = IPPROTO.TCP;
const P_UDP = IPPROTO.UDP;
const LINK_RAW = LINKTYPE.RAW;

export interface PipelineOptions {
  config: PacketConfig;
  organization: { id: string; name?: string };
  observer: { id?: string; name?: string };
  /** Names the input for event ids, e.g. "pcap:/data/x.pcap" or "live:eth0". */
  source: string;
  /** Capture interface, reported as observer.ingress.interface.name. */
  interfaceName?: string;
  parsers?: AppParser[];
  /**
   * Produce events as NDJSON text (takeText) instead of objects (take), for sinks that
   * take pre-serialised lines: the same bytes JSON.stringify gives, without the objects.
   */
  text?: boolean;
}

/** Application state of one flow that has a parser. */
interface FlowApp {
  parser: AppParser;
  session: AppSession;
  /** TCP flows: the reassembled byte streams. */
  stream?: TcpStream;
  seq: number;
  first: number;
  cid?: string;
}

const MAX_APP_TRIES = 4;

export class PacketPipeline {
  readonly counters = {
    packets: 0,
    bytes: 0,
    ip_packets: 0,
    non_ip: 0,
    fragments: 0,
    reassembled: 0,
    flows: 0,
    flow_events: 0,
    app_events: 0,
    tcp_gaps: 0,
  };
  readonly decodeErrors: Record<string, number> = {};
  readonly appMalformed: Record<string, number> = {};
  readonly flows: FlowTable;
  private readonly pkt = new DecodedPacket();
  /** Application state by flow slot: a dense array, cheaper per packet than a Map lookup. */
  private readonly apps: (FlowApp | undefined)[] = [];
  private readonly frags = new FragmentReassembler();
  private readonly parsers: AppParser[];
  private nextExpire = 0;
  private lastTs = 0;
  /** Builds the events, as objects or as NDJSON text. */
  private readonly build: PacketEvents;

  constructor(private readonly opts: PipelineOptions) {
    const f = opts.config.flow;
    this.flows = new FlowTable(
      {
        maxFlows: f.maxFlows,
        idleTimeoutMs: f.idleTimeoutS * 1000,
        activeTimeoutMs: f.activeTimeoutS * 1000,
        closedTimeoutMs: f.closedTimeoutS * 1000,
        vlanInKey: f.vlanTracking,
      },
      (slot, reason) => this.flowEnded(slot, reason),
    );
    this.parsers = opts.parsers ?? APP_PARSERS;
    const observer: Record<string, unknown> = { ...opts.observer, type: 'sensor', product: 'EduSentry collector' };
    if (opts.interfaceName) observer.ingress = { interface: { name: opts.interfaceName } };
    this.build = new PacketEvents(
      this.flows,
      new CampusMatcher(opts.config.campusNetworks),
      opts.source,
      opts.config.communityIdSeed,
      { ...opts.organization },
      observer,
      !!opts.text,
    );
  }

  /** The PacketHandler for CaptureReader and live capture. */
  readonly handle = (
    linkType: number,
    ts: number,
    buf: Buffer,
    offset: number,
    capLen: number,
    origLen: number,
  ): void => {
    try {
      this.process(linkType, ts, buf, offset, capLen, origLen);
    } catch (err) {
      // A parser bug on odd input must not stop the capture: count it and go on.
      this.decodeErrors.internal = (this.decodeErrors.internal ?? 0) + 1;
      if (!this.reportedInternal) {
        this.reportedInternal = true;
        this.onInternalError?.(err as Error, this.counters.packets);
      }
    }
  };

  /** Told once about the first internal error (logged with context by the caller). */
  onInternalError?: (err: Error, packet: number) => void;
  private reportedInternal = false;

  private process(linkType: number, ts: number, buf: Buffer, offset: number, capLen: number, origLen: number): void {
    const c = this.counters;
    c.packets++;
    c.bytes += origLen;
    if (ts > this.lastTs) this.lastTs = ts;
    if (ts >= this.nextExpire) {
      this.flows.expire(ts);
      this.frags.expire(ts);
      this.nextExpire = ts + 1000;
    }
    const p = decodeFrame(linkType, buf, this.pkt, offset, capLen);
    if (!p) {
      if (this.pkt.error === 'non_ip') c.non_ip++;
      else this.decodeErrors[this.pkt.error] = (this.decodeErrors[this.pkt.error] ?? 0) + 1;
      return;
    }
    c.ip_packets++;
    if (p.fragment) {
      c.fragments++;
      const whole = this.frags.add(p, buf, ts);
      if (!whole) return;
      c.reassembled++;
      const { vlanCount, vlanOuter, vlanInner } = p;
      if (!decodeFrame(LINK_RAW, whole, p)) {
        this.decodeErrors[p.error] = (this.decodeErrors[p.error] ?? 0) + 1;
        return;
      }
      p.vlanCount = vlanCount;
      p.vlanOuter = vlanOuter;
      p.vlanInner = vlanInner;
      this.packet(p, whole, ts, origLen);
      return;
    }
    this.packet(p, buf, ts, origLen);
  }

  private packet(p: DecodedPacket, buf: Buffer, ts: number, wireLen: number): void {
    const flows = this.flows;
    const slot = flows.update(p, ts, wireLen);
    if (flows.isNew) this.counters.flows++;
    const proto = p.protocol;
    if (proto !== P_TCP && proto !== P_UDP) return;
    let app = this.apps[slot];
    if (app?.session.handoff) {
      // The protocol changed mid-flow (HTTP CONNECT): detect afresh from this packet on.
      this.apps[slot] = undefined;
      flows.appTries[slot] = 0;
      app = undefined;
    }
    if (!app) {
      if (p.payloadLength === 0 || flows.appTries[slot] >= MAX_APP_TRIES) return;
      flows.appTries[slot]++;
      app = this.detect(slot, p, buf, ts);
      if (!app) return;
    }
    if (app.session.done) return;
    const dir = flows.dir as Direction;
    if (proto === P_UDP) {
      if (p.payloadLength > 0) app.session.data(dir, buf, p.payloadOffset, p.payloadLength, ts);
      return;
    }
    app.stream!.segment(dir, p, buf, ts);
  }

  private detect(slot: number, p: DecodedPacket, buf: Buffer, ts: number): FlowApp | undefined {
    const transport = p.protocol === P_TCP ? 'tcp' : 'udp';
    for (const parser of this.parsers) {
      if (!parser.detect(transport, buf, p.payloadOffset, p.payloadLength, p.srcPort, p.dstPort)) continue;
      const app: FlowApp = {
        parser,
        session: undefined as unknown as AppSession,
        seq: 0,
        first: ts,
      };
      app.session = parser.create(transport, this.emitter(slot, app));
      if (transport === 'tcp') app.stream = new TcpStream(app.session, this.countGap);
      while (this.apps.length <= slot) this.apps.push(undefined);
      this.apps[slot] = app;
      return app;
    }
    return undefined;
  }

  private readonly countGap = () => void this.counters.tcp_gaps++;

  private emitter(slot: number, app: FlowApp): AppEmitter {
    return {
      emit: (fields, ts, dir = 0) => this.appEvent(slot, app, fields, ts, dir),
      malformed: (kind) => {
        this.appMalformed[kind] = (this.appMalformed[kind] ?? 0) + 1;
      },
    };
  }

  private appEvent(slot: number, app: FlowApp, fields: Record<string, unknown>, ts: number, dir: Direction): void {
    app.cid ??= this.build.communityId(slot);
    this.build.app(slot, app.cid, app.first, app.parser, app.seq++, fields, ts, dir);
    this.counters.app_events++;
  }

  private flowEnded(slot: number, reason: EndReason): void {
    const app = this.apps[slot];
    if (app && reason !== 'active_timeout') {
      this.apps[slot] = undefined;
      try {
        app.stream?.end(this.flows.last[slot]);
        app.session.end(this.flows.last[slot]);
      } catch (err) {
        this.decodeErrors.internal = (this.decodeErrors.internal ?? 0) + 1;
        if (!this.reportedInternal) {
          this.reportedInternal = true;
          this.onInternalError?.(err as Error, this.counters.packets);
        }
      }
    }
    this.build.flow(slot, reason, app?.cid ?? this.build.communityId(slot), app?.parser.name);
    this.counters.flow_events++;
  }

  /** Advances time without packets (live capture): expires idle flows. */
  tick(now: number): void {
    this.flows.expire(now);
    this.frags.expire(now);
  }

  /**
   * Ends every flow (end of capture or shutdown). With `limit`, ends at most that many
   * and returns how many remain, so a caller can drain events in bounded batches.
   */
  finish(limit = Infinity): number {
    return this.flows.flush('end_of_capture', limit);
  }

  /** Text mode: the NDJSON lines produced since the last call, and how many events they are. */
  takeText(): { text: Buffer; count: number } {
    return this.build.takeText();
  }

  /** The events produced since the last call. */
  take(): EcsEvent[] {
    return this.build.take();
  }

  /** Counters for summaries and heartbeats, decode errors prefixed "decode_error.". */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {
      ...this.counters,
      flows_live: this.flows.count,
      evictions: this.flows.evictions,
      fragments_expired: this.frags.expired,
    };
    for (const [k, v] of Object.entries(this.decodeErrors)) out[`decode_error.${k}`] = v;
    for (const [k, v] of Object.entries(this.appMalformed)) out[`app_malformed.${k}`] = v;
    return out;
  }
}
