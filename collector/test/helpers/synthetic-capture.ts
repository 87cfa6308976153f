/**
 * A synthetic classic pcap (Ethernet/IPv4) for tests that need a capture of a chosen
 * size: many interleaved flows of four kinds, each complete, so every one ends as a
 * flow event and the application parsers see well-formed traffic:
 *   - HTTP on TCP 80: handshake, GET, response with a body, FIN both ways;
 *   - DNS on UDP 53: an A query and its answer;
 *   - bulk TCP (port 5001): handshake, 100–200 data segments, FIN both ways;
 *   - other UDP (port 514): a few datagrams one way.
 * Bulk flows carry most packets, so the capture is long to read for the events it
 * yields (about one event per 30 packets). Deterministic: the same options give the same bytes. Every flow has its own client
 * address and port, so no two flows share a 5-tuple.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export interface SyntheticCaptureOptions {
  /** Packets to write: past this no flow starts, and the open ones run to their end. */
  packets: number;
  /** Flows open at once (interleaved packet by packet). */
  concurrent?: number;
  seed?: number;
}

export interface SyntheticCaptureSummary {
  packets: number;
  flows: number;
  bytes: number;
  byKind: Record<FlowKind, number>;
}

type FlowKind = 'http' | 'dns' | 'bulk' | 'udp';

interface Segment {
  dir: 0 | 1;
  flags?: number; // TCP flags; undefined for UDP
  payload: Buffer;
}

interface Flow {
  kind: FlowKind;
  client: number;
  server: number;
  cport: number;
  sport: number;
  segments: Segment[];
  next: number;
  seq: [number, number];
}

const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x08;
const FIN = 0x01;
const NAMES = ['www.moe.gov.cn', 'mail.school.edu.cn', 'cdn.example.edu.cn', 'updates.vendor.com', 'api.service.net'];
const PATHS = ['/', '/login', '/api/grades', '/static/app.js', '/news?page=2'];

/** xorshift32: deterministic and fast. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

function dnsMessage(id: number, name: string, answer: boolean): Buffer {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const q = Buffer.concat([...labels, Buffer.from([0, 0, 1, 0, 1])]);
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(answer ? 0x8180 : 0x0100, 2);
  h.writeUInt16BE(1, 4);
  h.writeUInt16BE(answer ? 1 : 0, 6);
  const a = answer ? Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 93, 184, 216, 34]) : Buffer.alloc(0);
  return Buffer.concat([h, q, a]);
}

const EMPTY = Buffer.alloc(0);
const tcpOpen = (): Segment[] => [
  { dir: 0, flags: SYN, payload: EMPTY },
  { dir: 1, flags: SYN | ACK, payload: EMPTY },
  { dir: 0, flags: ACK, payload: EMPTY },
];
const tcpClose = (): Segment[] => [
  { dir: 0, flags: FIN | ACK, payload: EMPTY },
  { dir: 1, flags: FIN | ACK, payload: EMPTY },
  { dir: 0, flags: ACK, payload: EMPTY },
];

function newFlow(n: number, rand: () => number): Flow {
  const r = rand();
  const kind: FlowKind = r < 0.25 ? 'http' : r < 0.5 ? 'dns' : r < 0.85 ? 'bulk' : 'udp';
  // Client 10.x.y.z from the flow number; servers from small pools outside the campus.
  const client = ((10 << 24) | ((n * 7919) & 0xffffff)) >>> 0;
  const cport = 1024 + (n % 60000);
  const flow: Flow = { kind, client, server: 0, cport, sport: 0, segments: [], next: 0, seq: [n * 1000, n * 3000] };
  if (kind === 'http') {
    flow.server = ((203 << 24) | (0 << 16) | (113 << 8) | (1 + (n % 50))) >>> 0;
    flow.sport = 80;
    const path = PATHS[n % PATHS.length];
    const body = Buffer.alloc(200 + Math.floor(rand() * 2000), 0x62);
    const req = Buffer.from(
      `GET ${path}?r=${n} HTTP/1.1\r\nHost: portal${n % 17}.school.edu.cn\r\nUser-Agent: synthetic/1.0\r\nAccept: */*\r\n\r\n`,
    );
    const res = Buffer.concat([
      Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\n\r\n`),
      body,
    ]);
    flow.segments = [
      ...tcpOpen(),
      { dir: 0, flags: PSH | ACK, payload: req },
      { dir: 1, flags: ACK, payload: EMPTY },
      ...chunks(res, 1460).map((p): Segment => ({ dir: 1, flags: PSH | ACK, payload: p })),
      { dir: 0, flags: ACK, payload: EMPTY },
      ...tcpClose(),
    ];
  } else if (kind === 'dns') {
    flow.server = ((10 << 24) | 53) >>> 0; // the campus resolver 10.0.0.53
    flow.sport = 53;
    const name = NAMES[n % NAMES.length];
    flow.segments = [
      { dir: 0, payload: dnsMessage(n & 0xffff, name, false) },
      { dir: 1, payload: dnsMessage(n & 0xffff, name, true) },
    ];
  } else if (kind === 'bulk') {
    flow.server = ((198 << 24) | (51 << 16) | (100 << 8) | (1 + (n % 200))) >>> 0;
    flow.sport = 5001;
    const data = 100 + Math.floor(rand() * 100);
    const payload = Buffer.alloc(256, 0x61);
    const middle: Segment[] = [];
    for (let i = 0; i < data; i++)
      middle.push(i % 4 === 3 ? { dir: 1, flags: ACK, payload: EMPTY } : { dir: 0, flags: PSH | ACK, payload });
    flow.segments = [...tcpOpen(), ...middle, ...tcpClose()];
  } else {
    flow.server = ((10 << 24) | (1 << 8) | 14) >>> 0; // a log host 10.0.1.14
    flow.sport = 514;
    const count = 1 + Math.floor(rand() * 5);
    flow.segments = Array.from({ length: count }, (_, i) => ({
      dir: 0 as const,
      payload: Buffer.from(`<134>synthetic datagram ${n}.${i}`),
    }));
  }
  return flow;
}

function chunks(b: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  return out;
}

function ipChecksum(buf: Buffer, off: number): number {
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += buf.readUInt16BE(off + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Writes the capture to `file`; returns what it holds. */
export function writeSyntheticCapture(file: string, opts: SyntheticCaptureOptions): SyntheticCaptureSummary {
  const rand = rng(opts.seed ?? 7);
  const concurrent = opts.concurrent ?? 256;
  const fd = openSync(file, 'w');
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20); // Ethernet
  writeSync(fd, header);
  const buf = Buffer.alloc(4 * 1024 * 1024);
  let o = 0;
  let bytes = 24;
  const flush = () => {
    writeSync(fd, buf, 0, o);
    bytes += o;
    o = 0;
  };

  const summary: SyntheticCaptureSummary = {
    packets: 0,
    flows: 0,
    bytes: 0,
    byKind: { http: 0, dns: 0, bulk: 0, udp: 0 },
  };
  const open = (): Flow => {
    const f = newFlow(summary.flows++, rand);
    summary.byKind[f.kind]++;
    return f;
  };
  const live: Flow[] = Array.from({ length: concurrent }, open);
  let ts = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z in microseconds
  while (live.length) {
    const k = Math.floor(rand() * live.length);
    const f = live[k];
    const seg = f.segments[f.next++];
    const tcp = seg.flags !== undefined;
    const l4 = tcp ? 20 : 8;
    const frame = 14 + 20 + l4 + seg.payload.length;
    if (o + 16 + frame > buf.length) flush();
    const sec = Math.floor(ts / 1e6);
    buf.writeUInt32LE(sec, o);
    buf.writeUInt32LE(ts - sec * 1e6, o + 4);
    buf.writeUInt32LE(frame, o + 8);
    buf.writeUInt32LE(frame, o + 12);
    o += 16;
    buf.fill(0, o, o + 14 + 20 + l4);
    buf.writeUInt16BE(0x0800, o + 12);
    const ip = o + 14;
    buf[ip] = 0x45;
    buf.writeUInt16BE(20 + l4 + seg.payload.length, ip + 2);
    buf.writeUInt16BE(summary.packets & 0xffff, ip + 4);
    buf[ip + 8] = 64;
    buf[ip + 9] = tcp ? 6 : 17;
    const [src, dst, sp, dp] =
      seg.dir === 0 ? [f.client, f.server, f.cport, f.sport] : [f.server, f.client, f.sport, f.cport];
    buf.writeUInt32BE(src, ip + 12);
    buf.writeUInt32BE(dst, ip + 16);
    buf.writeUInt16BE(ipChecksum(buf, ip), ip + 10);
    const t = ip + 20;
    buf.writeUInt16BE(sp, t);
    buf.writeUInt16BE(dp, t + 2);
    if (tcp) {
      buf.writeUInt32BE(f.seq[seg.dir] >>> 0, t + 4);
      buf.writeUInt32BE(f.seq[1 - seg.dir] >>> 0, t + 8);
      buf[t + 12] = 0x50;
      buf[t + 13] = seg.flags!;
      buf.writeUInt16BE(65535, t + 14);
      f.seq[seg.dir] = (f.seq[seg.dir] + seg.payload.length + (seg.flags! & (SYN | FIN) ? 1 : 0)) >>> 0;
    } else buf.writeUInt16BE(8 + seg.payload.length, t + 4);
    seg.payload.copy(buf, t + l4);
    o += frame;
    ts += 20;
    summary.packets++;
    if (f.next === f.segments.length) {
      if (summary.packets < opts.packets) live[k] = open();
      else live.splice(k, 1);
    }
  }
  flush();
  closeSync(fd);
  summary.bytes = bytes;
  return summary;
}
