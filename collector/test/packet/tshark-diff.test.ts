/**
 * tshark as a second oracle: per packet (addresses, ports, VLANs, Community ID) and
 * per application message (DNS names, HTTP hosts, TLS SNI) on a sample of captures.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CaptureReader, communityIdBytes, DecodedPacket, decodeFrame, formatIp, wordsToBytes } from '../../src/packet';
import { readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { missingCommands, requires } from '@edusentry/core/testing';
import { byDataset, readEvents, SV } from './helpers';

const execFileAsync = promisify(execFile);

const FIELDS = [
  'ip.src',
  'ip.dst',
  'ipv6.src',
  'ipv6.dst',
  'tcp.srcport',
  'tcp.dstport',
  'udp.srcport',
  'udp.dstport',
  'vlan.id',
  'communityid',
  'ip.flags.mf',
  'ip.frag_offset',
  'ipv6.fraghdr.offset',
  'dns.qry.name',
  'http.host',
  'tls.handshake.extensions_server_name',
  'http.request',
  'tls.handshake.type',
];
const TSHARK_OPTS = ['-o', 'communityid.seed:0', '--enable-protocol', 'communityid', '-d', 'udp.port==4789,vxlan'];

/** One tshark run per capture, a few at a time. */
async function tsharkAll(files: string[]): Promise<Map<string, string[][]>> {
  const out = new Map<string, string[][]>();
  const queue = [...files];
  const worker = async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      const { stdout } = await execFileAsync(
        'tshark',
        ['-n', '-r', f, ...TSHARK_OPTS, '-T', 'fields', '-E', 'separator=\t', ...FIELDS.flatMap((x) => ['-e', x])],
        { maxBuffer: 256 * 1024 * 1024 },
      );
      out.set(
        f,
        stdout
          .split('\n')
          .filter((l) => l.length)
          .map((l) => l.split('\t')),
      );
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return out;
}

function sample(): string[] {
  const all: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.pcap$/.test(f) && statSync(p).size < 2_000_000) all.push(p);
    }
  };
  walk(SV);
  // Every 16th capture: ~70 captures spread over the whole corpus, the same ones every run.
  return all.filter((_, i) => i % 16 === 0);
}

const last = (v: string) => (v ? (v.split(',').pop() ?? '') : '');
const count = <T>(xs: T[]) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<T, number>());

interface Tally {
  agree: number;
  total: number;
  diffs: string[];
}

function compare(t: Tally, what: string, ours: unknown, theirs: unknown): void {
  t.total++;
  if (String(ours) === String(theirs)) t.agree++;
  else if (t.diffs.length < 40) t.diffs.push(`${what}: ours=${ours} tshark=${theirs}`);
}

const run = requires(missingCommands('tshark')).test;

run(
  'per-packet and per-message fields agree with tshark',
  async () => {
    const files = sample();
    const pkt: Tally = { agree: 0, total: 0, diffs: [] };
    const app: Tally = { agree: 0, total: 0, diffs: [] };
    const tsharkRows = await tsharkAll(files);
    for (const file of files) {
      const rows = tsharkRows.get(file) ?? [];
      const ours: string[][] = [];
      const p = new DecodedPacket();
      const reader = new CaptureReader((link, _ts, buf, off, len) => {
        const d = decodeFrame(link, buf, p, off, len);
        if (!d) return void ours.push([]);
        const v = d.ipVersion;
        const ports = d.protocol === 6 || d.protocol === 17;
        const icmp = d.protocol === 1 || d.protocol === 58;
        const cid =
          d.fragment && d.fragOffset > 0
            ? ''
            : communityIdBytes(
                d.protocol,
                wordsToBytes(v, d.src),
                wordsToBytes(v, d.dst),
                icmp ? d.icmpType : d.srcPort,
                icmp ? d.icmpCode : d.dstPort,
              );
        ours.push([
          formatIp(v, d.src),
          formatIp(v, d.dst),
          ports && !(d.fragment && d.fragOffset > 0) ? `${d.srcPort}/${d.dstPort}` : '',
          [d.vlanOuter, d.vlanInner].slice(0, d.vlanCount).join(','),
          cid,
          d.fragment ? 'frag' : '',
        ]);
      });
      reader.feed(readFileSync(file));
      const n = Math.min(rows.length, ours.length);
      for (let i = 0; i < n; i++) {
        const r = rows[i];
        const o = ours[i];
        const src = last(r[0]) || last(r[2]);
        const dst = last(r[1]) || last(r[3]);
        // tshark leaves later fragments and packets it cannot decode as IP without these fields.
        if (!src || !o.length) {
          compare(pkt, `${file}#${i + 1} ip-presence`, !!o.length && !!src, true);
          continue;
        }
        const where = `${file}#${i + 1}`;
        compare(pkt, `${where} src`, o[0], src.replace(/^::ffff:/, ''));
        compare(pkt, `${where} dst`, o[1], dst.replace(/^::ffff:/, ''));
        const tsPorts = last(r[4]) ? `${last(r[4])}/${last(r[5])}` : last(r[6]) ? `${last(r[6])}/${last(r[7])}` : '';
        const fragment =
          r[10] === '1' || r[10] === 'True' || (r[11] !== '' && r[11] !== '0') || (r[12] !== '' && r[12] !== '0');
        if (!fragment && o[5] !== 'frag') {
          compare(pkt, `${where} ports`, o[2], tsPorts);
          if (r[9]) compare(pkt, `${where} community_id`, o[4], last(r[9]));
        }
        compare(pkt, `${where} vlan`, o[3], r[8]);
      }
      compare(pkt, `${file} packet count`, ours.length, rows.length);
      // Application messages: DNS question names, HTTP hosts, TLS SNI.
      const events = (await readEvents(file)).events;
      // DNS on port 53 only (mDNS/LLMNR are other protocols to us), HTTP requests, ClientHellos.
      const is53 = (r: string[]) => [r[4], r[5], r[6], r[7]].some((x) => last(x) === '53');
      const tsApp = rows.map((r) => [
        is53(r) ? r[13] : '',
        r[16] ? r[14] : '',
        r[17].split(',').includes('1') ? r[15] : '',
      ]);
      const theirs = {
        dns: count(tsApp.filter((r) => r[0]).map((r) => r[0].split(',')[0])),
        http: count(tsApp.filter((r) => r[1]).map((r) => r[1])),
        sni: count(tsApp.filter((r) => r[2]).map((r) => r[2])),
      };
      const mine = {
        dns: count(
          byDataset(events, 'network.dns')
            .map((e) => e.dns?.question?.name)
            .filter((x): x is string => !!x),
        ),
        http: count(
          byDataset(events, 'network.http')
            .filter((e) => e.url?.domain)
            .map((e) => `${e.url?.domain}${e.url?.port ? `:${e.url.port}` : ''}`),
        ),
        sni: count(
          byDataset(events, 'network.tls')
            .map((e) => e.tls?.client?.server_name)
            .filter((x): x is string => !!x),
        ),
      };
      for (const kind of ['dns', 'http', 'sni'] as const) {
        for (const [k, v] of theirs[kind])
          for (let j = 0; j < v; j++) compare(app, `${file} ${kind} ${k}`, (mine[kind].get(k) ?? 0) > j, true);
        for (const [k, v] of mine[kind])
          if (v > (theirs[kind].get(k) ?? 0))
            for (let j = theirs[kind].get(k) ?? 0; j < v; j++) compare(app, `${file} extra ${kind} ${k}`, false, true);
      }
    }
    const share = (t: Tally) => (t.total ? (t.agree / t.total) * 100 : 100).toFixed(2);
    process.stdout.write(
      `tshark agreement on ${files.length} captures: packets ${pkt.agree}/${pkt.total} = ${share(pkt)}%, application messages ${app.agree}/${app.total} = ${share(app)}%\n` +
        [...pkt.diffs, ...app.diffs].map((d) => `  diff ${d}`).join('\n') +
        '\n',
    );
    expect(pkt.total).toBeGreaterThan(5000);
    expect(pkt.agree / pkt.total).toBeGreaterThanOrEqual(0.99);
    expect(app.total).toBeGreaterThan(20);
    expect(app.agree / app.total).toBeGreaterThanOrEqual(0.99);
  },
  300_000,
);
