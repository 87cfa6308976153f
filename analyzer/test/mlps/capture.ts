/** A small classic pcap (Ethernet/IPv4/TCP) of whole TCP sessions, for the level-protection rule tests. */
import { writeFileSync } from 'node:fs';

export interface Session {
  client: string;
  server: string;
  cport: number;
  sport: number;
  /** Payloads in order: [0, text] client → server, [1, text] server → client. */
  data: [0 | 1, string][];
  startSec: number;
}

const ip4 = (s: string) => Buffer.from(s.split('.').map(Number));

function packet(
  src: string,
  dst: string,
  sp: number,
  dp: number,
  seq: number,
  ack: number,
  flags: number,
  payload: Buffer,
) {
  const eth = Buffer.alloc(14);
  eth.writeUInt16BE(0x0800, 12);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + 20 + payload.length, 2);
  ip[8] = 64;
  ip[9] = 6;
  ip4(src).copy(ip, 12);
  ip4(dst).copy(ip, 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += ip.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  ip.writeUInt16BE(~sum & 0xffff, 10);
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(sp, 0);
  tcp.writeUInt16BE(dp, 2);
  tcp.writeUInt32BE(seq >>> 0, 4);
  tcp.writeUInt32BE(ack >>> 0, 8);
  tcp[12] = 5 << 4;
  tcp[13] = flags;
  tcp.writeUInt16BE(65535, 14);
  return Buffer.concat([eth, ip, tcp, payload]);
}

const SYN = 0x02,
  ACK = 0x10,
  PSH = 0x08,
  FIN = 0x01;

export function writeSessions(file: string, sessions: Session[]): void {
  const frames: Buffer[] = [];
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  frames.push(header);
  for (const s of sessions) {
    let t = s.startSec * 1e6;
    const seq: [number, number] = [1000, 5000];
    const ends = [
      [s.client, s.server, s.cport, s.sport],
      [s.server, s.client, s.sport, s.cport],
    ] as const;
    const emit = (dir: 0 | 1, flags: number, payload = Buffer.alloc(0)) => {
      const [a, b, pa, pb] = ends[dir];
      const p = packet(a, b, pa, pb, seq[dir], seq[1 - dir], flags, payload);
      seq[dir] += payload.length + (flags & (SYN | FIN) ? 1 : 0);
      const rec = Buffer.alloc(16);
      rec.writeUInt32LE(Math.floor(t / 1e6), 0);
      rec.writeUInt32LE(t % 1e6, 4);
      rec.writeUInt32LE(p.length, 8);
      rec.writeUInt32LE(p.length, 12);
      frames.push(rec, p);
      t += 1000;
    };
    emit(0, SYN);
    emit(1, SYN | ACK);
    emit(0, ACK);
    for (const [dir, text] of s.data) emit(dir, PSH | ACK, Buffer.from(text));
    emit(0, FIN | ACK);
    emit(1, FIN | ACK);
    emit(0, ACK);
  }
  writeFileSync(file, Buffer.concat(frames));
}
