/**
 * `pnpm bench packets [--packets N] [--flows N] [--skip-peers]`: the packet path from
 * capture file to ECS NDJSON, against tshark (-T fields, same fields), nfdump's
 * nfpcapd (flows from pcap) and the pcap-parser npm package (classic pcap records
 * only), on the same files in the same run. Inputs: a generated capture (TCP
 * sessions with handshakes and FINs, DNS over UDP, mixed frame sizes) and the
 * suricata-verify Ethernet captures concatenated. Also peak RSS with 1M concurrent flows.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { packetConfigSchema, PacketPipeline } from '@edusentry/collector';
import { CLI } from './peer-process';

const ROOT = resolve(__dirname, '../..');
const SV = join(
  process.env.EDUSENTRY_TESTDATA ?? join(__dirname, '../../../shared/testdata'),
  'pcap/suricata-verify/tests',
);
const OUT = join(tmpdir(), 'edusentry-bench-packets');
function arg(args: string[], name: string, def: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
}

/** Deterministic PRNG so every run benchmarks the same bytes. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

const DNS_NAMES = [
  'www.moe.gov.cn',
  'cdn.example.edu.cn',
  'mail.school.edu.cn',
  'updates.vendor.com',
  'api.service.net',
];

/** Writes a classic pcap of `packets` Ethernet frames over about `flows` flows. */
export function generateCapture(file: string, packets: number, flows: number): void {
  const rand = rng(42);
  const fd = openSync(file, 'w');
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(0xa1b2c3d4, 0);
  hdr.writeUInt16LE(2, 4);
  hdr.writeUInt16LE(4, 6);
  hdr.writeUInt32LE(65535, 16);
  hdr.writeUInt32LE(1, 20);
  writeSync(fd, hdr);
  const buf = Buffer.alloc(8 * 1024 * 1024);
  let o = 0;
  const flush = () => {
    writeSync(fd, buf, 0, o);
    o = 0;
  };
  // Live flows: each has a number of packets left; new flows replace finished ones.
  const live = Math.max(1, Math.min(flows, 20000));
  type F = {
    c: number;
    s: number;
    cp: number;
    sp: number;
    udp: boolean;
    left: number;
    seq: [number, number];
    n: number;
  };
  const fresh = (): F => {
    const udp = rand() < 0.1;
    return {
      c: (10 << 24) | (Math.floor(rand() * 0xffff) << 8) | Math.floor(rand() * 254 + 1),
      s: ((Math.floor(rand() * 200) + 20) << 24) | Math.floor(rand() * 0xffffff),
      cp: 1024 + Math.floor(rand() * 60000),
      sp: udp ? 53 : [80, 443, 22, 8080][Math.floor(rand() * 4)],
      udp,
      left: udp ? 2 : Math.max(4, Math.round((packets / flows) * (0.5 + rand()))),
      seq: [Math.floor(rand() * 2 ** 31), Math.floor(rand() * 2 ** 31)],
      n: 0,
    };
  };
  const pool: F[] = Array.from({ length: live }, fresh);
  let ts = 1_700_000_000_000_000; // microseconds
  const payload = Buffer.alloc(1460, 0x61);
  for (let i = 0; i < packets; i++) {
    const k = Math.floor(rand() * live);
    let f = pool[k];
    if (f.left <= 0) f = pool[k] = fresh();
    const dir = f.udp ? f.n & 1 : f.n === 0 ? 0 : f.n === 1 ? 1 : rand() < 0.5 ? 0 : 1;
    let pl = 0;
    let flags = 0x10;
    let dns: Buffer | undefined;
    if (f.udp) {
      const name = DNS_NAMES[f.c % DNS_NAMES.length];
      dns = dnsMessage(f.cp & 0xffff, name, dir === 1);
      pl = dns.length;
    } else if (f.n === 0) flags = 0x02;
    else if (f.n === 1) flags = 0x12;
    else if (f.left === 1) flags = 0x11;
    else {
      const r = rand();
      pl = r < 0.4 ? 0 : r < 0.7 ? 100 + Math.floor(rand() * 400) : 1460;
      if (pl) flags = 0x18;
    }
    f.n++;
    f.left--;
    const l4 = f.udp ? 8 : 20;
    const frame = 14 + 20 + l4 + pl;
    if (o + 16 + frame > buf.length) flush();
    const sec = Math.floor(ts / 1e6);
    buf.writeUInt32LE(sec, o);
    buf.writeUInt32LE(ts - sec * 1e6, o + 4);
    buf.writeUInt32LE(frame, o + 8);
    buf.writeUInt32LE(frame, o + 12);
    o += 16;
    ts += 10;
    buf.fill(0, o, o + 14 + 20 + l4);
    buf.writeUInt16BE(0x0800, o + 12);
    const ip = o + 14;
    buf[ip] = 0x45;
    buf.writeUInt16BE(20 + l4 + pl, ip + 2);
    buf[ip + 8] = 64;
    buf[ip + 9] = f.udp ? 17 : 6;
    const [src, dst, sp, dp] = dir === 0 ? [f.c, f.s, f.cp, f.sp] : [f.s, f.c, f.sp, f.cp];
    buf.writeUInt32BE(src >>> 0, ip + 12);
    buf.writeUInt32BE(dst >>> 0, ip + 16);
    const t = ip + 20;
    buf.writeUInt16BE(sp, t);
    buf.writeUInt16BE(dp, t + 2);
    if (f.udp) {
      buf.writeUInt16BE(8 + pl, t + 4);
      dns!.copy(buf, t + 8);
    } else {
      buf.writeUInt32BE(f.seq[dir] >>> 0, t + 4);
      buf.writeUInt32BE(f.seq[1 - dir] >>> 0, t + 8);
      buf[t + 12] = 0x50;
      buf[t + 13] = flags;
      buf.writeUInt16BE(65535, t + 14);
      payload.copy(buf, t + 20, 0, pl);
      f.seq[dir] = (f.seq[dir] + pl + (flags & 0x03 ? 1 : 0)) >>> 0;
    }
    o += frame;
  }
  flush();
  closeSync(fd);
}

function dnsMessage(id: number, name: string, answer: boolean): Buffer {
  const q = Buffer.concat([
    ...name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])),
    Buffer.from([0, 0, 1, 0, 1]),
  ]);
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(answer ? 0x8180 : 0x0100, 2);
  h.writeUInt16BE(1, 4);
  h.writeUInt16BE(answer ? 1 : 0, 6);
  const a = answer ? Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 93, 184, 216, 34]) : Buffer.alloc(0);
  return Buffer.concat([h, q, a]);
}

/** The suricata-verify Ethernet captures, concatenated (mergecap -a) into one classic pcap. */
function concatenated(file: string): void {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.pcap$/.test(f)) {
        const h = Buffer.alloc(24);
        const fd = openSync(p, 'r');
        const n = require('node:fs').readSync(fd, h, 0, 24, 0);
        closeSync(fd);
        if (n === 24 && h.readUInt32LE(0) === 0xa1b2c3d4 && h.readUInt32LE(20) === 1) files.push(p);
      }
    }
  };
  walk(SV);
  // Damaged captures would stop mergecap: keep the ones it reads cleanly.
  const ok = files.filter((f) => spawnSync('capinfos', ['-c', f], { stdio: 'ignore' }).status === 0);
  execFileSync('mergecap', ['-a', '-F', 'pcap', '-w', file, ...ok], { stdio: 'ignore' });
}

interface Timing {
  wall: number;
  cpu: number;
  rssMb: number;
}

/** Runs a command with GNU time; wall and CPU seconds and peak RSS. */
function timed(cmd: string, args: string[], opts: { stdoutTo?: string } = {}): Timing {
  const out = opts.stdoutTo ? openSync(opts.stdoutTo, 'w') : 'ignore';
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', cmd, ...args], {
    cwd: ROOT,
    stdio: ['ignore', out, 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (typeof out === 'number') closeSync(out);
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [wall, user, sys, rss] = last.split(' ').map(Number);
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr.slice(-500)}`);
  return { wall, cpu: user + sys, rssMb: rss / 1024 };
}

function countPackets(file: string): number {
  return Number(
    execFileSync('capinfos', ['-M', '-c', '-r', '-T', file], { encoding: 'utf8' }).trim().split('\t').pop(),
  );
}

async function pcapParser(file: string): Promise<{ wall: number; cpu: number; packets: number }> {
  const pcapp = require('pcap-parser') as { parse(s: NodeJS.ReadableStream): NodeJS.EventEmitter };
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let packets = 0;
  await new Promise<void>((res, rej) => {
    const p = pcapp.parse(createReadStream(file, { highWaterMark: 4 * 1024 * 1024 }));
    p.on('packet', () => packets++);
    p.on('end', () => res());
    p.on('error', rej);
  });
  const c = process.cpuUsage(c0);
  return { wall: Number(process.hrtime.bigint() - t0) / 1e9, cpu: (c.user + c.system) / 1e6, packets };
}

/** In-process: our reader + pipeline only, events written as NDJSON text (the --ndjson path) and discarded. */
async function inProcess(file: string): Promise<{ wall: number; cpu: number; events: number; bytes: number }> {
  const { readCaptureFile } = await import('@edusentry/collector');
  const pipeline = new PacketPipeline({
    config: packetConfigSchema.parse({}),
    organization: { id: 'bench' },
    observer: { id: 'bench' },
    source: `pcap:${file}`,
    text: true,
  });
  let events = 0;
  let bytes = 0;
  const drain = () => {
    const { text, count } = pipeline.takeText();
    bytes += text.length;
    events += count;
  };
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  await readCaptureFile(file, pipeline.handle, { onChunk: drain });
  while (pipeline.finish(2000) > 0) drain();
  drain();
  const c = process.cpuUsage(c0);
  return { wall: Number(process.hrtime.bigint() - t0) / 1e9, cpu: (c.user + c.system) / 1e6, events, bytes };
}

/** Child mode: holds 1M concurrent flows in the pipeline and prints peak RSS. */
function rssChild(flows: number): void {
  const pipeline = new PacketPipeline({
    config: packetConfigSchema.parse({ flow: { maxFlows: flows } }),
    organization: { id: 'bench' },
    observer: {},
    source: 'rss',
  });
  const frame = Buffer.alloc(14 + 20 + 20);
  frame.writeUInt16BE(0x0800, 12);
  frame[14] = 0x45;
  frame.writeUInt16BE(40, 16);
  frame[23] = 6;
  frame[46] = 0x50; // TCP data offset
  frame[47] = 0x02; // SYN
  for (let i = 0; i < flows; i++) {
    frame.writeUInt32BE((10 << 24) | (i >>> 8), 26);
    frame.writeUInt32BE(0xc0a80001, 30);
    frame.writeUInt16BE(1024 + (i & 0xff), 34);
    frame.writeUInt16BE(443, 36);
    pipeline.handle(1, 1_700_000_000_000 + i / 1000, frame, 0, frame.length, frame.length);
  }
  if (pipeline.flows.count !== flows) throw new Error(`expected ${flows} live flows, have ${pipeline.flows.count}`);
  global.gc?.();
  process.stdout.write(
    JSON.stringify({
      flows: pipeline.flows.count,
      rssMb: process.memoryUsage().rss / 1048576,
      heapMb: process.memoryUsage().heapUsed / 1048576,
    }) + '\n',
  );
}

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

export async function run(args: string[]): Promise<void> {
  if (args[0] === '--rss-child') return rssChild(Number(args[1]));
  const packets = arg(args, '--packets', 2_000_000);
  const flows = arg(args, '--flows', 100_000);
  const skipPeers = args.includes('--skip-peers');
  mkdirSync(OUT, { recursive: true });
  const generated = join(OUT, `generated-${packets}-${flows}.pcap`);
  if (!existsSync(generated)) {
    process.stdout.write(`generating ${fmt(packets)} packets over ~${fmt(flows)} flows into ${generated}\n`);
    generateCapture(generated, packets, flows);
  }
  const concat = join(OUT, 'suricata-verify-concat.pcap');
  if (!existsSync(concat)) concatenated(concat);

  const inputs = [
    ['generated', generated],
    ['suricata-verify concatenated', concat],
  ];
  const rows: string[] = [];
  for (const [label, file] of inputs) {
    const n = countPackets(file);
    const mb = statSync(file).size / 1048576;
    process.stdout.write(`\n== ${label}: ${fmt(n)} packets, ${fmt(mb, 1)} MB (${file})\n`);
    // Same starting point for every tool: the file in the page cache.
    execFileSync('cat', [file], { stdio: ['ignore', 'ignore', 'ignore'] });
    const ndjson = join(OUT, 'out.ndjson');
    // Ours, through the real CLI as `pnpm edusentry` starts it (package.json): file → ECS NDJSON on stdout (to a file).
    const ours = timed(process.execPath, [...CLI, 'collect', 'pcap', file, '--ndjson', '--log-level', 'silent'], {
      stdoutTo: ndjson,
    });
    const events = Number(execFileSync('wc', ['-l', ndjson], { encoding: 'utf8' }).trim().split(' ')[0]);
    rmSync(ndjson, { force: true });
    const inproc = await inProcess(file);
    const line = (name: string, wall: number, cpu: number | undefined, rss: number | undefined, extra = '') =>
      `  ${name.padEnd(34)} ${fmt(wall, 2).padStart(7)} s  ${fmt(n / wall).padStart(11)} pkt/s  ${fmt(mb / wall, 1).padStart(7)} MB/s${cpu !== undefined ? `  ${fmt(n / cpu).padStart(11)} pkt/s/cpu-s` : ''}${rss !== undefined ? `  peak RSS ${fmt(rss)} MB` : ''}${extra}`;
    process.stdout.write(
      line('edusentry collect pcap --ndjson', ours.wall, ours.cpu, ours.rssMb, `  (${fmt(events)} events)`) + '\n',
    );
    process.stdout.write(
      line(
        'edusentry pipeline (in-process)',
        inproc.wall,
        inproc.cpu,
        undefined,
        `  (${fmt(inproc.events)} events, ${fmt(inproc.bytes / 1048576, 1)} MB NDJSON)`,
      ) + '\n',
    );
    if (skipPeers) continue;
    const fields = [
      'ip.src',
      'ip.dst',
      'ipv6.src',
      'ipv6.dst',
      'tcp.srcport',
      'tcp.dstport',
      'udp.srcport',
      'udp.dstport',
      'vlan.id',
      'dns.qry.name',
      'http.host',
      'tls.handshake.extensions_server_name',
    ];
    const ts = timed('tshark', ['-n', '-r', file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])]);
    process.stdout.write(line('tshark -T fields (same fields)', ts.wall, ts.cpu, ts.rssMb) + '\n');
    const nfdir = mkdtempSync(join(OUT, 'nf-'));
    const nf = timed('nfpcapd', ['-r', file, '-w', nfdir]);
    rmSync(nfdir, { recursive: true, force: true });
    process.stdout.write(line('nfpcapd -r (flows to nfcapd files)', nf.wall, nf.cpu, nf.rssMb) + '\n');
    const pp = await pcapParser(file);
    process.stdout.write(
      line('pcap-parser (records only)', pp.wall, pp.cpu, undefined, `  (${fmt(pp.packets)} packets)`) + '\n',
    );
    // Ratios on CPU seconds (per core): robust when the machine is shared; wall-clock ratios alongside.
    rows.push(
      `${label}: ours ${fmt(n / ours.cpu)} pkt/s per CPU-second via the CLI (${fmt(n / inproc.cpu)} in-process); ` +
        `vs tshark ×${fmt(ts.cpu / ours.cpu, 1)} (wall ×${fmt(ts.wall / ours.wall, 1)}), vs nfpcapd ×${fmt(nf.cpu / ours.cpu, 2)} (wall ×${fmt(nf.wall / ours.wall, 2)}), ` +
        `vs pcap-parser ×${fmt(pp.cpu / inproc.cpu, 2)} (in-process, CPU)`,
    );
  }
  // Peak RSS holding 1M concurrent flows, in a fresh process.
  const flowsRss = arg(args, '--rss-flows', 1_000_000);
  const r = spawnSync(
    join(ROOT, 'node_modules/.bin/tsx'),
    ['--expose-gc', join(ROOT, 'bench/src/main.ts'), 'packets', '--rss-child', String(flowsRss)],
    { encoding: 'utf8' },
  );
  const rss = timedRss(r.stdout);
  process.stdout.write(
    `\n== memory: ${fmt(flowsRss)} concurrent flows: RSS ${fmt(rss.rssMb)} MB (heap ${fmt(rss.heapMb)} MB)\n`,
  );
  if (rows.length) process.stdout.write(`\nsummary\n${rows.map((x) => `  ${x}`).join('\n')}\n`);
  writeFileSync(join(OUT, 'last-run.txt'), rows.join('\n'));
}

function timedRss(stdout: string): { rssMb: number; heapMb: number } {
  const line = stdout.trim().split('\n').pop() ?? '{}';
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`RSS child printed no figures: ${stdout.slice(-300)}`);
  }
}
