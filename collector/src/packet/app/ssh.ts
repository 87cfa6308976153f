/**
 * SSH: the identification banners (protocol and software of each side) and the
 * KEXINIT messages that follow in clear, hashed into HASSH (client) and HASSHServer.
 * One event per flow under edu.ssh (ECS has no ssh field set).
 */
import { createHash } from 'node:crypto';
import { ByteQueue, type AppEmitter, type AppParser, type AppSession, type Direction } from './parser';

interface SideInfo {
  proto?: string;
  software?: string;
  hassh?: string;
  /** Banner read; now in binary packets. */
  banner: boolean;
  done: boolean;
}

/** Name-lists of a KEXINIT payload (after the message byte and cookie). */
export function kexinitLists(payload: Buffer): string[] {
  const lists: string[] = [];
  let o = 17;
  for (let i = 0; i < 10; i++) {
    if (o + 4 > payload.length) throw new RangeError('ssh_kexinit');
    const n = payload.readUInt32BE(o);
    if (o + 4 + n > payload.length) throw new RangeError('ssh_kexinit');
    lists.push(payload.toString('latin1', o + 4, o + 4 + n));
    o += 4 + n;
  }
  return lists;
}

export function hassh(lists: string[], server: boolean): string {
  const [kex, , encC2S, encS2C, macC2S, macS2C, cmpC2S, cmpS2C] = lists;
  const s = server ? [kex, encS2C, macS2C, cmpS2C] : [kex, encC2S, macC2S, cmpC2S];
  return createHash('md5').update(s.join(';')).digest('hex');
}

class SshSession implements AppSession {
  done = false;
  private readonly q = [new ByteQueue(), new ByteQueue()];
  private readonly sides: SideInfo[] = [
    { banner: false, done: false },
    { banner: false, done: false },
  ];
  private ts = 0;
  private emitted = false;

  constructor(private readonly out: AppEmitter) {}

  data(dir: Direction, buf: Buffer, off: number, len: number, ts: number): void {
    const side = this.sides[dir];
    if (side.done) return;
    if (!this.ts) this.ts = ts;
    const q = this.q[dir];
    q.push(buf, off, len);
    if (!side.banner) {
      const all = q.all();
      const nl = all.indexOf(10);
      if (nl < 0) {
        if (q.length > 8192) this.stop(dir, 'ssh_banner');
        return;
      }
      // Lines before the banner are allowed (RFC 4253 4.2); find the one starting with SSH-.
      const text = all.toString('latin1', 0, nl).replace(/\r$/, '');
      q.consume(nl + 1);
      if (!text.startsWith('SSH-')) return this.data(dir, Buffer.alloc(0), 0, 0, ts);
      const m = /^SSH-([^-]+)-(\S*)/.exec(text);
      side.proto = m?.[1];
      side.software = m?.[2];
      side.banner = true;
    }
    // Binary packets in clear until NEWKEYS: uint32 length, padding length, payload.
    while (q.length >= 6 && !side.done) {
      const h = q.peek(6);
      const plen = h.readUInt32BE(0);
      if (plen > 35000 || plen < 2) return this.stop(dir, 'ssh_packet');
      if (q.length < 4 + plen) return;
      const pkt = Buffer.from(q.peek(4 + plen));
      q.consume(4 + plen);
      const pad = pkt[4];
      const payload = pkt.subarray(5, 4 + plen - pad);
      if (payload[0] === 20) {
        try {
          side.hassh = hassh(kexinitLists(payload), dir === 1);
        } catch {
          this.out.malformed('ssh_kexinit');
        }
        side.done = true;
      } else if (payload[0] === 21) side.done = true;
    }
    if (this.sides[0].done && this.sides[1].done) this.end(ts);
  }

  private stop(dir: Direction, kind: string): void {
    this.out.malformed(kind);
    this.sides[dir].done = true;
    this.q[dir].clear();
  }

  gap(dir: Direction): void {
    this.sides[dir].done = true;
  }

  end(ts: number): void {
    if (this.emitted) return;
    this.emitted = true;
    this.done = true;
    const [c, s] = this.sides;
    if (!c.banner && !s.banner) return;
    const part = (x: SideInfo) => (x.banner ? { software: x.software, proto: x.proto, hassh: x.hassh } : undefined);
    this.out.emit({ edu: { ssh: { client: part(c), server: part(s) } } }, this.ts || ts, 0);
  }
}

export const sshParser: AppParser = {
  name: 'ssh',
  dataset: 'network.ssh',
  detect(transport, buf, off, len) {
    return (
      transport === 'tcp' &&
      len >= 4 &&
      buf[off] === 0x53 &&
      buf[off + 1] === 0x53 &&
      buf[off + 2] === 0x48 &&
      buf[off + 3] === 0x2d
    );
  },
  create(_t, out) {
    return new SshSession(out);
  },
};
