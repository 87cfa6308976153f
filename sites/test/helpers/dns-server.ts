/**
 * A fixture DNS server on loopback (UDP): A records from a table, empty AAAA answers, NXDOMAIN
 * for names it does not know, SERVFAIL for names listed in `fail`. One instance per vantage
 * point; give one a different table to make it the lying resolver.
 */
import { createSocket } from 'node:dgram';

export interface DnsFixture {
  spec: string;
  queries: string[];
  close(): Promise<void>;
}

function readName(msg: Buffer, off: number): { name: string; end: number } {
  const labels: string[] = [];
  let i = off;
  while (msg[i] !== 0) {
    const len = msg[i];
    labels.push(msg.toString('latin1', i + 1, i + 1 + len));
    i += len + 1;
  }
  return { name: labels.join('.').toLowerCase(), end: i + 1 };
}

export function startDnsServer(
  table: Record<string, string[]>,
  opts: { host?: string; fail?: string[] } = {},
): Promise<DnsFixture> {
  const sock = createSocket('udp4');
  const queries: string[] = [];
  sock.on('message', (msg, rinfo) => {
    if (msg.length < 17) return;
    const { name, end } = readName(msg, 12);
    const qtype = msg.readUInt16BE(end);
    queries.push(name);
    const question = msg.subarray(12, end + 4);
    const answers = qtype === 1 ? (table[name] ?? []) : [];
    const known = name in table;
    const rcode = opts.fail?.includes(name) ? 2 : known ? 0 : 3;
    const head = Buffer.alloc(12);
    msg.copy(head, 0, 0, 2);
    head.writeUInt16BE(0x8180 | rcode, 2); // response, recursion desired + available
    head.writeUInt16BE(1, 4);
    head.writeUInt16BE(rcode === 0 ? answers.length : 0, 6);
    const rrs = (rcode === 0 ? answers : []).map((ip) => {
      const rr = Buffer.alloc(16);
      rr.writeUInt16BE(0xc00c, 0); // pointer to the question's name
      rr.writeUInt16BE(1, 2);
      rr.writeUInt16BE(1, 4);
      rr.writeUInt32BE(30, 6);
      rr.writeUInt16BE(4, 10);
      ip.split('.').forEach((b, k) => rr.writeUInt8(Number(b), 12 + k));
      return rr;
    });
    sock.send(Buffer.concat([head, question, ...rrs]), rinfo.port, rinfo.address);
  });
  return new Promise((resolve) => {
    sock.bind(0, opts.host ?? '127.0.0.1', () => {
      const a = sock.address();
      resolve({ spec: `${a.address}:${a.port}`, queries, close: () => new Promise((r) => sock.close(() => r())) });
    });
  });
}
