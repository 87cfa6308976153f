/**
 * DNS over UDP (one message per datagram) and TCP (2-byte length framing): one
 * event per message, dns.type 'query' or 'answer' as ECS asks. Names are read with
 * compression loops and overruns caught; a malformed message is counted and skipped,
 * a truncated answer section keeps what was readable.
 */
import { formatIp } from '../decode';
import { ByteQueue, type AppEmitter, type AppParser, type AppSession, type Direction } from './parser';

const TYPES: Record<number, string> = {
  1: 'A',
  2: 'NS',
  5: 'CNAME',
  6: 'SOA',
  10: 'NULL',
  12: 'PTR',
  13: 'HINFO',
  15: 'MX',
  16: 'TXT',
  17: 'RP',
  18: 'AFSDB',
  24: 'SIG',
  25: 'KEY',
  28: 'AAAA',
  29: 'LOC',
  33: 'SRV',
  35: 'NAPTR',
  37: 'CERT',
  39: 'DNAME',
  41: 'OPT',
  43: 'DS',
  44: 'SSHFP',
  46: 'RRSIG',
  47: 'NSEC',
  48: 'DNSKEY',
  50: 'NSEC3',
  51: 'NSEC3PARAM',
  52: 'TLSA',
  64: 'SVCB',
  65: 'HTTPS',
  99: 'SPF',
  249: 'TKEY',
  250: 'TSIG',
  251: 'IXFR',
  252: 'AXFR',
  255: 'ANY',
  256: 'URI',
  257: 'CAA',
};
const CLASSES: Record<number, string> = { 1: 'IN', 3: 'CH', 4: 'HS', 254: 'NONE', 255: 'ANY' };
const RCODES = [
  'NOERROR',
  'FORMERR',
  'SERVFAIL',
  'NXDOMAIN',
  'NOTIMP',
  'REFUSED',
  'YXDOMAIN',
  'YXRRSET',
  'NXRRSET',
  'NOTAUTH',
  'NOTZONE',
];
const OPCODES = ['QUERY', 'IQUERY', 'STATUS', '3', 'NOTIFY', 'UPDATE'];

export const dnsTypeName = (t: number): string => TYPES[t] ?? `TYPE${t}`;

class Malformed extends Error {}

/** Reads a possibly compressed name at `o`; returns [name, offset after the name in place]. */
export function readName(b: Buffer, o: number, end = b.length): [string, number] {
  const labels: string[] = [];
  let after = -1;
  let jumps = 0;
  let total = 0;
  for (;;) {
    if (o >= end) throw new Malformed('name_truncated');
    const len = b[o];
    if (len === 0) {
      o++;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (o + 1 >= end) throw new Malformed('name_truncated');
      if (after < 0) after = o + 2;
      const target = ((len & 0x3f) << 8) | b[o + 1];
      if (++jumps > 64 || target >= end) throw new Malformed('name_pointer');
      o = target;
      continue;
    }
    if (len & 0xc0) throw new Malformed('name_label');
    if (o + 1 + len > end) throw new Malformed('name_truncated');
    total += len + 1;
    if (total > 255) throw new Malformed('name_too_long');
    let label = '';
    for (let i = o + 1; i <= o + len; i++) {
      const c = b[i];
      // Printable ASCII as is; anything else escaped so names stay one-line text.
      label +=
        c > 0x20 && c < 0x7f && c !== 0x2e && c !== 0x5c
          ? String.fromCharCode(c)
          : `\\${c.toString(10).padStart(3, '0')}`;
    }
    labels.push(label);
    o += 1 + len;
  }
  return [labels.join('.'), after >= 0 ? after : o];
}

interface Answer {
  name: string;
  type: string;
  class: string;
  ttl: number;
  data?: string;
}

function rdata(b: Buffer, type: number, o: number, len: number): string | undefined {
  const end = o + len;
  switch (type) {
    case 1:
      return len === 4 ? `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}` : undefined;
    case 28: {
      if (len !== 16) return undefined;
      const w = new Uint32Array(4);
      for (let i = 0; i < 4; i++) w[i] = b.readUInt32BE(o + i * 4);
      return formatIp(6, w);
    }
    case 2:
    case 5:
    case 12:
    case 39:
      return readName(b, o)[0];
    case 15:
      return `${b.readUInt16BE(o)} ${readName(b, o + 2)[0]}`;
    case 33:
      return `${b.readUInt16BE(o)} ${b.readUInt16BE(o + 2)} ${b.readUInt16BE(o + 4)} ${readName(b, o + 6)[0]}`;
    case 6: {
      const [m, o2] = readName(b, o);
      const [r, o3] = readName(b, o2);
      if (o3 + 20 > end) return `${m} ${r}`;
      const n = (i: number) => b.readUInt32BE(o3 + i * 4);
      return `${m} ${r} ${n(0)} ${n(1)} ${n(2)} ${n(3)} ${n(4)}`;
    }
    case 16:
    case 99: {
      const parts: string[] = [];
      for (let p = o; p < end;) {
        const l = b[p];
        parts.push(b.toString('latin1', p + 1, Math.min(p + 1 + l, end)));
        p += 1 + l;
      }
      return parts.join('');
    }
    default:
      return len ? b.toString('hex', o, end) : undefined;
  }
}

/** Parses one DNS message into ECS `dns` fields, or throws Malformed. */
export function parseDnsMessage(b: Buffer, onMalformed?: (kind: string) => void): Record<string, unknown> {
  if (b.length < 12) throw new Malformed('short_header');
  const id = b.readUInt16BE(0);
  const flags = b.readUInt16BE(2);
  const qd = b.readUInt16BE(4);
  const an = b.readUInt16BE(6);
  const ns = b.readUInt16BE(8);
  const ar = b.readUInt16BE(10);
  const qr = (flags & 0x8000) !== 0;
  const headerFlags: string[] = [];
  if (qr) headerFlags.push('QR');
  if (flags & 0x0400) headerFlags.push('AA');
  if (flags & 0x0200) headerFlags.push('TC');
  if (flags & 0x0100) headerFlags.push('RD');
  if (flags & 0x0080) headerFlags.push('RA');
  if (flags & 0x0020) headerFlags.push('AD');
  if (flags & 0x0010) headerFlags.push('CD');
  const dns: Record<string, unknown> = {
    id,
    type: qr ? 'answer' : 'query',
    op_code: OPCODES[(flags >> 11) & 0xf] ?? String((flags >> 11) & 0xf),
    header_flags: headerFlags,
  };
  if (qr) dns.response_code = RCODES[flags & 0xf] ?? String(flags & 0xf);
  let o = 12;
  const questions: { name: string; type: string; class: string }[] = [];
  for (let i = 0; i < qd && i < 64; i++) {
    const [name, next] = readName(b, o);
    if (next + 4 > b.length) throw new Malformed('question_truncated');
    questions.push({
      name,
      type: dnsTypeName(b.readUInt16BE(next)),
      class: CLASSES[b.readUInt16BE(next + 2)] ?? String(b.readUInt16BE(next + 2)),
    });
    o = next + 4;
  }
  if (questions.length) {
    dns.question = { ...questions[0], registered_domain: registeredDomain(questions[0].name) };
    if (questions.length > 1) dns.questions = questions;
  }
  const sections: Answer[][] = [[], [], []];
  const counts = [an, ns, ar];
  try {
    for (let s = 0; s < 3; s++) {
      for (let i = 0; i < counts[s] && i < 256; i++) {
        const [name, next] = readName(b, o);
        if (next + 10 > b.length) throw new Malformed('answer_truncated');
        const type = b.readUInt16BE(next);
        const len = b.readUInt16BE(next + 8);
        if (next + 10 + len > b.length) throw new Malformed('answer_truncated');
        if (type !== 41) {
          let data: string | undefined;
          try {
            data = rdata(b, type, next + 10, len);
          } catch {
            data = undefined;
          }
          sections[s].push({
            name,
            type: dnsTypeName(type),
            class: CLASSES[b.readUInt16BE(next + 2)] ?? String(b.readUInt16BE(next + 2)),
            ttl: b.readUInt32BE(next + 4),
            data,
          });
        }
        o = next + 10 + len;
      }
    }
  } catch (err) {
    if (!(err instanceof Malformed)) throw err;
    onMalformed?.(err.message);
  }
  if (sections[0].length) {
    dns.answers = sections[0];
    const ips = sections[0].filter((a) => a.type === 'A' || a.type === 'AAAA').map((a) => a.data as string);
    if (ips.length) dns.resolved_ip = ips;
  }
  if (sections[1].length) dns.authorities = sections[1];
  if (sections[2].length) dns.additionals = sections[2];
  return dns;
}

/** Last two labels (three under common second-level suffixes like edu.cn, com.cn). */
function registeredDomain(name: string): string | undefined {
  const labels = name.toLowerCase().split('.').filter(Boolean);
  if (labels.length < 2) return undefined;
  const sld = labels[labels.length - 2];
  const take =
    labels.length >= 3 &&
    ['com', 'edu', 'gov', 'net', 'org', 'ac', 'co'].includes(sld) &&
    labels[labels.length - 1].length === 2
      ? 3
      : 2;
  return labels.slice(-take).join('.');
}

class DnsSession implements AppSession {
  done = false;
  private readonly queues: [ByteQueue, ByteQueue] = [new ByteQueue(), new ByteQueue()];

  constructor(
    private readonly tcp: boolean,
    private readonly out: AppEmitter,
  ) {}

  data(dir: Direction, buf: Buffer, off: number, len: number, ts: number): void {
    if (!this.tcp) return this.message(buf.subarray(off, off + len), ts, dir);
    const q = this.queues[dir];
    q.push(buf, off, len);
    while (q.length >= 2) {
      const n = q.peek(2).readUInt16BE(0);
      if (q.length < 2 + n) break;
      this.message(Buffer.from(q.peek(2 + n).subarray(2)), ts, dir);
      q.consume(2 + n);
    }
    if (q.length > 70000) q.clear();
  }

  private message(m: Buffer, ts: number, _dir: Direction): void {
    try {
      const dns = parseDnsMessage(m, (k) => this.out.malformed(k));
      // Oriented like the flow (client → server) for queries and answers alike, as Packetbeat and Suricata do.
      this.out.emit({ dns }, ts, 0);
    } catch (err) {
      if (!(err instanceof Malformed)) throw err;
      this.out.malformed(err.message);
    }
  }

  gap(dir: Direction): void {
    this.queues[dir].clear();
  }

  end(): void {}
}

export const dnsParser: AppParser = {
  name: 'dns',
  dataset: 'network.dns',
  detect(transport, buf, off, len, sp, dp) {
    if (sp !== 53 && dp !== 53) return false;
    // A header with sane counts (opcode 0-5) is enough.
    const hdr = transport === 'tcp' ? off + 2 : off;
    if (len < (transport === 'tcp' ? 14 : 12)) return false;
    return ((buf[hdr + 2] >> 3) & 0xf) <= 5;
  },
  create(transport, out) {
    return new DnsSession(transport === 'tcp', out);
  },
};
