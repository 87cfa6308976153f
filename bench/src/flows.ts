/**
 * `pnpm bench flows [--flows N] [--rate DATAGRAMS_PER_S]`: NetFlow v9 and IPFIX
 * decoding to ECS, flows per second on one core, side by side with goflow2 and
 * nfdump's nfcapd on the same datagrams replayed over loopback.
 *
 * - in-process: FlowDecoder.decodeToEcs in a loop on one thread (the receivers' hot path alone).
 * - over loopback: the same datagrams sent by a separate process, paced, to
 *   `edusentry collect listen --netflow/--ipfix PORT --ndjson`, goflow2 (JSON to a
 *   file) and nfcapd (binary files). Each receiver's figure is flows it processed per
 *   CPU second it used (utime+stime from /proc), so a receiver that keeps up at a
 *   lower CPU cost scores higher, and drops (counted) do not inflate anything.
 * goflow2 is built with `go install` into bench/.cache/go on first use.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { EcsEvent } from '@edusentry/core';
import { FlowDecoder, NdjsonSink } from '@edusentry/collector';
import { countLines, cpuSeconds, freePort, measureListen, settle, stopChild } from './peer-process';

const CACHE = join(__dirname, '../.cache/go');
const RECORDS_PER_DATAGRAM = 30;

type Proto = 'netflow9' | 'ipfix';

/** Fields of one record: [type, length]; IPFIX uses 8-byte counters and millisecond timestamps. */
function template(p: Proto): [number, number][] {
  const counter = p === 'ipfix' ? 8 : 4;
  const times: [number, number][] =
    p === 'ipfix'
      ? [
          [152, 8],
          [153, 8],
        ]
      : [
          [22, 4],
          [21, 4],
        ];
  return [
    [8, 4], // source IPv4
    [12, 4], // destination IPv4
    [7, 2], // source port
    [11, 2], // destination port
    [4, 1], // protocol
    [5, 1], // ToS
    [6, 1], // TCP flags
    [1, counter], // bytes
    [2, counter], // packets
    [10, 4], // input interface
    [14, 4], // output interface
    [15, 4], // next hop
    [16, 4], // source AS
    [17, 4], // destination AS
    [9, 1], // source mask
    [13, 1], // destination mask
    ...times,
  ];
}

/** A stream of export datagrams: a template first and again every 100 datagrams, then data. */
export function exportStream(p: Proto, datagrams: number): Buffer[] {
  const fields = template(p);
  const recLen = fields.reduce((n, [, l]) => n + l, 0);
  const out: Buffer[] = [];
  const base = Date.UTC(2026, 2, 1) / 1000;
  let flow = 0;
  for (let d = 0; d < datagrams; d++) {
    const withTemplate = d % 100 === 0;
    const tplLen = 4 + 4 + fields.length * 4;
    const dataLen = 4 + RECORDS_PER_DATAGRAM * recLen;
    const pad = (4 - (dataLen % 4)) % 4;
    const hdrLen = p === 'ipfix' ? 16 : 20;
    const b = Buffer.alloc(hdrLen + (withTemplate ? tplLen : 0) + dataLen + pad);
    const now = base + Math.floor(d / 1000);
    if (p === 'ipfix') {
      b.writeUInt16BE(10, 0);
      b.writeUInt16BE(b.length, 2);
      b.writeUInt32BE(now, 4);
      b.writeUInt32BE(flow, 8);
      b.writeUInt32BE(1, 12);
    } else {
      b.writeUInt16BE(9, 0);
      b.writeUInt16BE(RECORDS_PER_DATAGRAM + (withTemplate ? 1 : 0), 2);
      b.writeUInt32BE(3_600_000 + d, 4);
      b.writeUInt32BE(now, 8);
      b.writeUInt32BE(d, 12);
      b.writeUInt32BE(1, 16);
    }
    let o = hdrLen;
    if (withTemplate) {
      b.writeUInt16BE(p === 'ipfix' ? 2 : 0, o);
      b.writeUInt16BE(tplLen, o + 2);
      b.writeUInt16BE(256, o + 4);
      b.writeUInt16BE(fields.length, o + 6);
      o += 8;
      for (const [t, l] of fields) {
        b.writeUInt16BE(t, o);
        b.writeUInt16BE(l, o + 2);
        o += 4;
      }
    }
    b.writeUInt16BE(256, o);
    b.writeUInt16BE(dataLen + pad, o + 2);
    o += 4;
    for (let r = 0; r < RECORDS_PER_DATAGRAM; r++, flow++) {
      const values: Record<number, number> = {
        8: (10 << 24) | (((flow >>> 8) & 0xffff) * 256 + (flow & 0xff)),
        12: ((202 << 24) | ((flow * 7919) % 0xffffff)) >>> 0,
        7: 1024 + (flow % 60000),
        11: [80, 443, 53, 22, 3389][flow % 5],
        4: flow % 5 === 2 ? 17 : 6,
        5: 0,
        6: 0x1b,
        1: 1500 + (flow % 100000),
        2: 3 + (flow % 50),
        10: 1,
        14: 2,
        15: 0x0a000001,
        16: 4538,
        17: 4134,
        9: 16,
        13: 24,
        22: 3_500_000 + d,
        21: 3_599_000 + d,
        152: (now - 60) * 1000,
        153: now * 1000,
      };
      for (const [t, l] of fields) {
        const v = values[t] >>> 0;
        if (l === 1) b[o] = v & 0xff;
        else if (l === 2) b.writeUInt16BE(v & 0xffff, o);
        else if (l === 4) b.writeUInt32BE(v, o);
        else b.writeBigUInt64BE(BigInt(t === 152 || t === 153 ? values[t] : v), o);
        o += l;
      }
    }
    out.push(b);
  }
  return out;
}

/**
 * Decode + ECS on this thread; with `ndjson`, also serialised as `collect listen --ndjson`
 * does (NdjsonSink, batches of 1000 like the flow receivers) into a stream that
 * discards the bytes: the in-process ceiling of the listener's NDJSON path.
 */
async function inProcess(
  stream: Buffer[],
  rounds: number,
  ndjson = false,
): Promise<{ flows: number; seconds: number }> {
  let flows = 0;
  const sink = new NdjsonSink(new Writable({ write: (_c, _e, done) => done() }));
  let batch: EcsEvent[] = [];
  const start = process.cpuUsage();
  for (let r = 0; r < rounds; r++) {
    const decoder = new FlowDecoder();
    for (const d of stream) {
      const events = decoder.decodeToEcs(d, '192.0.2.1', { observer: { id: 'c1' } });
      flows += events.length;
      if (!ndjson) continue;
      for (const e of events) batch.push(e);
      if (batch.length >= 1000) {
        await sink.push(batch);
        batch = [];
      }
    }
  }
  await sink.push(batch);
  const used = process.cpuUsage(start);
  return { flows, seconds: (used.user + used.system) / 1e6 };
}

/** Sends the datagrams from a separate process at `rate` per second. */
function replay(file: string, port: number, rate: number): void {
  const script = `
    const dgram = require('node:dgram');
    const buf = require('node:fs').readFileSync(process.argv[1]);
    const port = +process.argv[2], rate = +process.argv[3];
    const list = [];
    for (let o = 0; o < buf.length; ) { const n = buf.readUInt16BE(o); list.push(buf.subarray(o + 2, o + 2 + n)); o += 2 + n; }
    const s = dgram.createSocket('udp4');
    s.bind(0, () => { s.setSendBufferSize(4 << 20);
    let i = 0; const start = Date.now();
    (function tick() {
      const due = Math.min(list.length, Math.floor(((Date.now() - start) / 1000) * rate) + 64);
      let pending = 0;
      while (i < due) { pending++; s.send(list[i++], port, '127.0.0.1', () => { if (--pending === 0) i < list.length ? setImmediate(tick) : s.close(); }); }
      if (pending === 0) (i < list.length ? setTimeout(tick, 1) : s.close());
    })(); });`;
  execFileSync(process.execPath, ['-e', script, file, String(port), String(rate)], { stdio: 'inherit' });
}

function writeStreamFile(stream: Buffer[], file: string): void {
  const parts: Buffer[] = [];
  for (const d of stream) {
    const n = Buffer.alloc(2);
    n.writeUInt16BE(d.length);
    parts.push(n, d);
  }
  writeFileSync(file, Buffer.concat(parts));
}

interface PeerResult {
  name: string;
  flows: number;
  cpu: number;
  note?: string;
}

async function ours(p: Proto, file: string, rate: number, dir: string): Promise<PeerResult> {
  const port = await freePort();
  const flag = p === 'ipfix' ? '--ipfix' : '--netflow';
  const { cpu, counters } = await measureListen(dir, [flag, String(port)], () => replay(file, port, rate));
  const name = p === 'ipfix' ? 'ipfix' : 'netflow';
  return {
    name: 'edusentry collect listen',
    flows: counters[`${name}.events`],
    cpu,
    note: `kernel drops ${counters[`${name}.kernel_drops`]}, queue drops ${counters[`${name}.dropped`]}`,
  };
}

function goflow2Binary(): string | undefined {
  const bin = join(CACHE, 'bin', 'goflow2');
  if (existsSync(bin)) return bin;
  try {
    mkdirSync(CACHE, { recursive: true });
    execFileSync('go', ['install', 'github.com/netsampler/goflow2/v2/cmd/goflow2@latest'], {
      stdio: 'ignore',
      env: {
        ...process.env,
        GOPATH: CACHE,
        GOBIN: join(CACHE, 'bin'),
        GOCACHE: join(CACHE, 'build'),
        GOFLAGS: '-modcacherw',
      },
    });
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

async function goflow2(p: Proto, file: string, rate: number, dir: string): Promise<PeerResult> {
  const bin = goflow2Binary();
  if (!bin) return { name: 'goflow2', flows: 0, cpu: 0, note: 'could not be built with go install (see bench/.cache)' };
  const port = await freePort();
  const out = join(dir, 'goflow2.json');
  const scheme = p === 'ipfix' ? 'netflow' : 'netflow'; // goflow2's netflow:// listener takes v9 and IPFIX
  const child = spawn(
    bin,
    [
      '-listen',
      `${scheme}://127.0.0.1:${port}`,
      '-format',
      'json',
      '-transport',
      'file',
      '-transport.file',
      out,
      '-addr',
      '127.0.0.1:0',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, GOMAXPROCS: '1' } },
  );
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  await new Promise((r) => setTimeout(r, 1000));
  if (child.exitCode !== null) return { name: 'goflow2', flows: 0, cpu: 0, note: `exited: ${err.slice(0, 200)}` };
  const cpu0 = cpuSeconds(child.pid!);
  replay(file, port, rate);
  const lines = () => (existsSync(out) ? countLines(out) : 0);
  const flows = await settle(lines);
  const cpu = cpuSeconds(child.pid!) - cpu0;
  await stopChild(child);
  return { name: 'goflow2 (GOMAXPROCS=1)', flows, cpu };
}

async function nfcapd(file: string, rate: number, dir: string): Promise<PeerResult> {
  const port = await freePort();
  const flowdir = join(dir, 'nfcapd');
  mkdirSync(flowdir);
  const child = spawn(
    'nfcapd',
    ['-p', String(port), '-b', '127.0.0.1', '-w', flowdir, '-t', '3600', '-B', String(4 << 20)],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  await new Promise((r) => setTimeout(r, 1000));
  if (child.exitCode !== null) return { name: 'nfcapd', flows: 0, cpu: 0, note: `exited: ${err.slice(0, 200)}` };
  const cpu0 = cpuSeconds(child.pid!);
  replay(file, port, rate);
  // nfcapd keeps no live count we can read; its CPU settles when it has read everything.
  await settle(() => Math.round(cpuSeconds(child.pid!) * 100));
  const cpu = cpuSeconds(child.pid!) - cpu0;
  await stopChild(child);
  const files = readdirSync(flowdir).filter((f) => f.startsWith('nfcapd.') && statSync(join(flowdir, f)).size > 0);
  let flows = 0;
  for (const f of files) {
    const info = execFileSync('nfdump', ['-r', join(flowdir, f), '-I'], { encoding: 'utf8' });
    flows += Number(/^Flows:\s+(\d+)/m.exec(info)?.[1] ?? 0);
  }
  return { name: 'nfcapd (nfdump 1.7, binary files)', flows, cpu };
}

function arg(args: string[], name: string, def: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
}

export async function run(args: string[]): Promise<void> {
  const totalFlows = arg(args, '--flows', 600_000);
  const rate = arg(args, '--rate', 15_000);
  const datagrams = Math.ceil(totalFlows / RECORDS_PER_DATAGRAM);
  const dir = mkdtempSync(join(tmpdir(), 'edu-bench-flows-'));
  try {
    for (const p of ['netflow9', 'ipfix'] as Proto[]) {
      const stream = exportStream(p, datagrams);
      const file = join(dir, `${p}.bin`);
      writeStreamFile(stream, file);
      await inProcess(stream.slice(0, 2000), 1, true); // warm-up
      const mem = await inProcess(stream, 1);
      const text = await inProcess(stream, 1, true);
      const rows: PeerResult[] = [
        { name: 'edusentry in-process (decode + ECS)', flows: mem.flows, cpu: mem.seconds },
        { name: 'edusentry in-process (… + NDJSON)', flows: text.flows, cpu: text.seconds },
      ];
      const sub = (n: string) => {
        const d = join(dir, `${p}-${n}`);
        mkdirSync(d);
        return d;
      };
      rows.push(await ours(p, file, rate, sub('ours')));
      rows.push(await goflow2(p, file, rate, sub('goflow2')));
      rows.push(await nfcapd(file, rate, sub('nfcapd')));
      const peer = rows.find((r) => r.name.startsWith('goflow2'));
      const goflow = peer?.cpu ? peer.flows / peer.cpu : 0;
      console.log(
        `\n${p === 'ipfix' ? 'IPFIX' : 'NetFlow v9'}: ${datagrams} datagrams × ${RECORDS_PER_DATAGRAM} records = ` +
          `${datagrams * RECORDS_PER_DATAGRAM} flows, replayed over loopback at ${rate} datagrams/s`,
      );
      console.log('  receiver                                  flows     CPU s   flows/s/core   vs goflow2');
      for (const r of rows) {
        const perCore = r.cpu ? r.flows / r.cpu : 0;
        console.log(
          `  ${r.name.padEnd(38)} ${String(r.flows).padStart(9)} ${r.cpu.toFixed(2).padStart(8)} ` +
            `${Math.round(perCore).toLocaleString('en-US').padStart(14)} ${goflow && perCore ? (perCore / goflow).toFixed(2) + '×' : '-'}`.padEnd(
              10,
            ) +
            (r.note ? `   (${r.note})` : ''),
        );
      }
    }
    console.log('\ngoals: ≥ 300,000 flows/s/core and ≥ 1× goflow2');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
