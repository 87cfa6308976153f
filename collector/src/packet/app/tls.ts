/**
 * TLS handshake metadata: ClientHello (SNI, offered versions, ALPN, JA3, JA4),
 * ServerHello (chosen version, cipher, ALPN, JA3S) and, where the handshake is in
 * clear (TLS ≤ 1.2), the server certificate's subject, issuer and validity.
 * One event per flow, when both sides stopped handshaking in clear or at flow end.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { ByteQueue, type AppEmitter, type AppParser, type AppSession, type Direction } from './parser';

const isGrease = (v: number) => (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);

const VERSION_NAMES: Record<number, [string, string]> = {
  0x0300: ['ssl', '3.0'],
  0x0301: ['tls', '1.0'],
  0x0302: ['tls', '1.1'],
  0x0303: ['tls', '1.2'],
  0x0304: ['tls', '1.3'],
};
const JA4_VERSIONS: Record<number, string> = {
  0x0304: '13',
  0x0303: '12',
  0x0302: '11',
  0x0301: '10',
  0x0300: 's3',
  0x0200: 's2',
  0xfeff: 'd1',
  0xfefd: 'd2',
  0xfefc: 'd3',
};

export interface ClientHello {
  version: number;
  ciphers: number[];
  extensions: number[];
  groups: number[];
  pointFormats: number[];
  sigAlgs: number[];
  sni?: string;
  alpn: string[];
  supportedVersions: number[];
}

export interface ServerHello {
  version: number;
  cipher: number;
  extensions: number[];
  selectedVersion?: number;
  alpn?: string;
}

class Reader {
  constructor(
    readonly b: Buffer,
    public o: number,
    readonly end: number,
  ) {}
  need(n: number): void {
    if (this.o + n > this.end) throw new RangeError('tls_truncated');
  }
  u8(): number {
    this.need(1);
    return this.b[this.o++];
  }
  u16(): number {
    this.need(2);
    const v = this.b.readUInt16BE(this.o);
    this.o += 2;
    return v;
  }
  u24(): number {
    this.need(3);
    const v = (this.b[this.o] << 16) | (this.b[this.o + 1] << 8) | this.b[this.o + 2];
    this.o += 3;
    return v;
  }
  skip(n: number): void {
    this.need(n);
    this.o += n;
  }
  sub(n: number): Reader {
    this.need(n);
    const r = new Reader(this.b, this.o, this.o + n);
    this.o += n;
    return r;
  }
  get left(): number {
    return this.end - this.o;
  }
}

function u16List(r: Reader): number[] {
  const out: number[] = [];
  while (r.left >= 2) out.push(r.u16());
  return out;
}

/** Parses a ClientHello handshake body (after the 4-byte handshake header). */
export function parseClientHello(b: Buffer): ClientHello {
  const r = new Reader(b, 0, b.length);
  const ch: ClientHello = {
    version: r.u16(),
    ciphers: [],
    extensions: [],
    groups: [],
    pointFormats: [],
    sigAlgs: [],
    alpn: [],
    supportedVersions: [],
  };
  r.skip(32);
  r.skip(r.u8());
  ch.ciphers = u16List(r.sub(r.u16()));
  r.skip(r.u8());
  if (r.left < 2) return ch;
  const ext = r.sub(r.u16());
  while (ext.left >= 4) {
    const type = ext.u16();
    const body = ext.sub(ext.u16());
    ch.extensions.push(type);
    if (type === 0) {
      body.skip(2);
      while (body.left >= 3) {
        const kind = body.u8();
        const n = body.u16();
        body.need(n);
        if (kind === 0 && ch.sni === undefined) ch.sni = b.toString('latin1', body.o, body.o + n);
        body.skip(n);
      }
    } else if (type === 10) ch.groups = u16List(body.sub(body.u16()));
    else if (type === 11) {
      const l = body.sub(body.u8());
      while (l.left) ch.pointFormats.push(l.u8());
    } else if (type === 13) ch.sigAlgs = u16List(body.sub(body.u16()));
    else if (type === 16) {
      const l = body.sub(body.u16());
      while (l.left) {
        const n = l.u8();
        l.need(n);
        ch.alpn.push(b.toString('latin1', l.o, l.o + n));
        l.skip(n);
      }
    } else if (type === 43) {
      const l = body.sub(body.u8());
      ch.supportedVersions = u16List(l);
    }
  }
  return ch;
}

export function parseServerHello(b: Buffer): ServerHello {
  const r = new Reader(b, 0, b.length);
  const sh: ServerHello = { version: r.u16(), cipher: 0, extensions: [] };
  r.skip(32);
  r.skip(r.u8());
  sh.cipher = r.u16();
  r.skip(1);
  if (r.left < 2) return sh;
  const ext = r.sub(r.u16());
  while (ext.left >= 4) {
    const type = ext.u16();
    const body = ext.sub(ext.u16());
    sh.extensions.push(type);
    if (type === 43 && body.left >= 2) sh.selectedVersion = body.u16();
    else if (type === 16 && body.left >= 3) {
      body.skip(2);
      const n = body.u8();
      body.need(n);
      sh.alpn = b.toString('latin1', body.o, body.o + n);
    }
  }
  return sh;
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const sha12 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
const noGrease = (a: number[]) => a.filter((v) => !isGrease(v));

export function ja3String(ch: ClientHello): string {
  return [
    ch.version,
    noGrease(ch.ciphers).join('-'),
    noGrease(ch.extensions).join('-'),
    noGrease(ch.groups).join('-'),
    ch.pointFormats.join('-'),
  ].join(',');
}

export function ja3(ch: ClientHello): string {
  return md5(ja3String(ch));
}

export function ja3s(sh: ServerHello): string {
  return md5([sh.version, sh.cipher, sh.extensions.join('-')].join(','));
}

/** JA4 (FoxIO): t<ver><d|i><ciphers><exts><alpn>_<sha256(ciphers)>_<sha256(exts_sigalgs)>. */
export function ja4(ch: ClientHello, transport: 't' | 'q' = 't'): string {
  const versions = noGrease(ch.supportedVersions);
  const ver = JA4_VERSIONS[versions.length ? Math.max(...versions) : ch.version] ?? '00';
  const sni = ch.sni !== undefined && !/^[\d.]+$|:/.test(ch.sni) ? 'd' : 'i';
  const ciphers = noGrease(ch.ciphers);
  const exts = noGrease(ch.extensions);
  const two = (n: number) => String(Math.min(n, 99)).padStart(2, '0');
  const first = ch.alpn[0];
  const alnum = (c: string) => /[0-9A-Za-z]/.test(c);
  let alpn = '00';
  if (first) {
    const a = first[0];
    const z = first[first.length - 1];
    alpn =
      alnum(a) && alnum(z)
        ? a + z
        : Buffer.from(first, 'latin1').toString('hex').slice(0, 1) +
          Buffer.from(first, 'latin1').toString('hex').slice(-1);
  }
  const hex4 = (v: number) => v.toString(16).padStart(4, '0');
  const cipherHash = ciphers.length ? sha12(ciphers.map(hex4).sort().join(',')) : '000000000000';
  const extList = exts
    .filter((e) => e !== 0 && e !== 16)
    .map(hex4)
    .sort()
    .join(',');
  const sig = ch.sigAlgs.map(hex4).join(',');
  // The separator stays even without signature algorithms (as FoxIO and Suricata compute it).
  const extHash = extList.length ? sha12(`${extList}_${sig}`) : '000000000000';
  return `${transport}${ver}${sni}${two(ciphers.length)}${two(exts.length)}${alpn}_${cipherHash}_${extHash}`;
}

/** Node's multi-line, backslash-escaped DN as the one-line "C=US, O=Example, Inc., CN=x" Suricata and Zeek print. */
const dn = (s: string) =>
  s
    .split('\n')
    .map((part) => part.replace(/\\(.)/g, '$1'))
    .join(', ');

class TlsSession implements AppSession {
  done = false;
  private readonly records = [new ByteQueue(), new ByteQueue()];
  private readonly handshake = [new ByteQueue(), new ByteQueue()];
  /** A direction is finished once it stops handshaking in clear. */
  private readonly finished = [false, false];
  private client?: ClientHello;
  private server?: ServerHello;
  private cert?: X509Certificate;
  private emitted = false;
  private ts = 0;
  private clientDir: Direction = 0;

  constructor(private readonly out: AppEmitter) {}

  data(dir: Direction, buf: Buffer, off: number, len: number, ts: number): void {
    if (this.finished[dir] || this.done) return;
    if (!this.ts) this.ts = ts;
    const q = this.records[dir];
    q.push(buf, off, len);
    while (q.length >= 5 && !this.finished[dir]) {
      const h = q.peek(5);
      const type = h[0];
      const n = h.readUInt16BE(3);
      if (h[1] !== 3 || type < 20 || type > 24 || n > 18432) {
        this.out.malformed('tls_record');
        this.finished[dir] = true;
        break;
      }
      if (q.length < 5 + n) break;
      const rec = Buffer.from(q.peek(5 + n).subarray(5));
      q.consume(5 + n);
      if (type === 22) this.handshakeBytes(dir, rec);
      else if (type === 20 || type === 23) this.finished[dir] = true;
    }
    if (q.length > 40000) this.finished[dir] = true;
    if (this.finished[0] && this.finished[1]) this.complete(ts);
  }

  private handshakeBytes(dir: Direction, rec: Buffer): void {
    const q = this.handshake[dir];
    q.push(rec, 0, rec.length);
    while (q.length >= 4) {
      const h = q.peek(4);
      const type = h[0];
      const n = (h[1] << 16) | (h[2] << 8) | h[3];
      if (q.length < 4 + n) {
        if (n > 256 * 1024) this.finished[dir] = true;
        return;
      }
      const body = Buffer.from(q.peek(4 + n).subarray(4));
      q.consume(4 + n);
      try {
        if (type === 1 && !this.client) {
          this.client = parseClientHello(body);
          this.clientDir = dir;
        } else if (type === 2 && !this.server) {
          this.server = parseServerHello(body);
          // TLS 1.3: everything after ServerHello is encrypted.
          if (this.server.selectedVersion === 0x0304) this.finished[dir] = true;
        } else if (type === 11 && !this.cert) {
          const r = new Reader(body, 0, body.length);
          r.skip(3);
          const len = r.u24();
          r.need(len);
          this.cert = new X509Certificate(body.subarray(r.o, r.o + len));
        } else if (type === 14) this.finished[dir] = true;
      } catch {
        this.out.malformed(type === 11 ? 'tls_certificate' : 'tls_handshake');
      }
    }
  }

  private complete(ts: number): void {
    if (this.emitted) return;
    this.emitted = true;
    this.done = true;
    if (!this.client && !this.server) return;
    const tls: Record<string, unknown> = {};
    const ch = this.client;
    const sh = this.server;
    // Without a ServerHello, the version the client offered (as Suricata reports it).
    const v = sh ? (sh.selectedVersion ?? sh.version) : ch?.version;
    const name = v !== undefined ? VERSION_NAMES[v] : undefined;
    if (name) {
      tls.version_protocol = name[0];
      tls.version = name[1];
    }
    if (sh) {
      tls.cipher = `0x${sh.cipher.toString(16).padStart(4, '0')}`;
      if (sh.alpn) tls.next_protocol = sh.alpn;
    }
    tls.established = !!sh;
    if (ch) {
      tls.client = {
        server_name: ch.sni,
        ja3: ja3(ch),
        ja4: ja4(ch),
        supported_ciphers: noGrease(ch.ciphers).map((c) => `0x${c.toString(16).padStart(4, '0')}`),
      };
    }
    if (sh || this.cert) {
      const server: Record<string, unknown> = {};
      if (sh) server.ja3s = ja3s(sh);
      if (this.cert) {
        server.subject = dn(this.cert.subject);
        server.issuer = dn(this.cert.issuer);
        server.not_before = new Date(this.cert.validFrom).toISOString();
        server.not_after = new Date(this.cert.validTo).toISOString();
        server.hash = { sha1: this.cert.fingerprint.replace(/:/g, '') };
      }
      tls.server = server;
    }
    this.out.emit({ tls }, this.ts || ts, this.clientDir);
  }

  gap(dir: Direction): void {
    this.finished[dir] = true;
  }

  end(ts: number): void {
    this.complete(ts);
  }
}

export const tlsParser: AppParser = {
  name: 'tls',
  dataset: 'network.tls',
  detect(transport, buf, off, len) {
    // Handshake record, SSL 3.0 / TLS version, then ClientHello or ServerHello.
    return (
      transport === 'tcp' &&
      len >= 6 &&
      buf[off] === 22 &&
      buf[off + 1] === 3 &&
      buf[off + 2] <= 4 &&
      (buf[off + 5] === 1 || buf[off + 5] === 2)
    );
  },
  create(_t, out) {
    return new TlsSession(out);
  },
};
