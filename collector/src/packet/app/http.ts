/**
 * HTTP/1.x: requests and responses parsed per direction (headers buffered, bodies
 * skipped by Content-Length or chunked framing), paired in order within the flow;
 * one event per transaction, emitted when its response ends or at flow end.
 */
import { ByteQueue, type AppEmitter, type AppParser, type AppSession, type Direction } from './parser';

const METHODS = [
  'GET',
  'POST',
  'HEAD',
  'PUT',
  'DELETE',
  'OPTIONS',
  'PATCH',
  'CONNECT',
  'TRACE',
  'PROPFIND',
  'PROPPATCH',
  'MKCOL',
  'COPY',
  'MOVE',
  'LOCK',
  'UNLOCK',
  'SEARCH',
  'REPORT',
];
const MAX_HEADER = 64 * 1024;

interface Request {
  method: string;
  uri: string;
  version: string;
  host?: string;
  userAgent?: string;
  referrer?: string;
  contentType?: string;
  bodyBytes: number;
  ts: number;
}

interface Response {
  status: number;
  version: string;
  contentType?: string;
  bodyBytes: number;
}

interface Head {
  line: string;
  headers: Map<string, string>;
}

/** One direction's framing state. */
class Side {
  readonly q = new ByteQueue();
  /** Body bytes still to skip; -1 read until close; -2 chunked. */
  body = 0;
  chunkLeft = 0;
  chunkState: 'size' | 'data' | 'crlf' | 'trailer' = 'size';
  inBody = false;
  broken = false;
  /** After a gap: skip bytes until a request line or status line starts. */
  resync = false;
  bodyBytes = 0;
}

export function looksLikeRequest(buf: Buffer, off: number, len: number): boolean {
  const c = buf[off];
  // Every method starts with an upper-case letter: most payloads fail here without building a string.
  if (len < 4 || c < 0x41 || c > 0x5a) return false;
  const s = buf.toString('latin1', off, off + Math.min(len, 10));
  return METHODS.some((m) => s.startsWith(m + ' '));
}

class HttpSession implements AppSession {
  done = false;
  handoff = false;
  private readonly sides = [new Side(), new Side()];
  /** Which direction carries requests: decided by the first bytes seen. */
  private requestDir: Direction | -1 = -1;
  private readonly pending: Request[] = [];
  private current: { req?: Request; res?: Response } | undefined;
  private currentReq: Request | undefined;

  constructor(private readonly out: AppEmitter) {}

  private firstTs = 0;

  data(dir: Direction, buf: Buffer, off: number, len: number, ts: number): void {
    if (!this.firstTs) this.firstTs = ts;
    if (this.requestDir < 0)
      this.requestDir = looksLikeRequest(buf, off, len)
        ? dir
        : buf.toString('latin1', off, off + 5) === 'HTTP/'
          ? ((1 - dir) as Direction)
          : dir;
    const side = this.sides[dir];
    if (side.broken) return;
    const isReq = dir === this.requestDir;
    let o = off;
    const end = off + len;
    if (side.resync) {
      const start = findMessageStart(buf, off, end, isReq);
      if (start < 0) return;
      side.resync = false;
      o = start;
    }
    while (o < end && !side.broken) {
      if (side.inBody) {
        o = this.skipBody(side, buf, o, end, isReq, ts);
        continue;
      }
      // Headers: buffer until the blank line. Stray CR/LF between messages are skipped.
      if (side.q.length === 0) {
        while (o < end && (buf[o] === 13 || buf[o] === 10)) o++;
        if (o === end) break;
      }
      const take = end - o;
      side.q.push(buf, o, take);
      o = end;
      const all = side.q.all();
      const stop = all.indexOf('\r\n\r\n', 0, 'latin1');
      const stopLf = stop < 0 ? all.indexOf('\n\n', 0, 'latin1') : -1;
      if (stop < 0 && stopLf < 0) {
        if (side.q.length > MAX_HEADER) {
          side.broken = true;
          this.out.malformed('http_header_too_long');
        }
        break;
      }
      const headEnd = stop >= 0 ? stop + 4 : stopLf + 2;
      const head = parseHead(all.toString('latin1', 0, headEnd));
      // Re-feed what followed the headers (body or the next message).
      const rest = Buffer.from(all.subarray(headEnd));
      side.q.clear();
      if (isReq) this.onRequest(side, head, ts);
      else this.onResponse(side, head, ts);
      if (rest.length) this.data(dir, rest, 0, rest.length, ts);
      return;
    }
  }

  private onRequest(side: Side, head: Head, ts: number): void {
    const [method, uri, version] = head.line.split(' ');
    if (!method || uri === undefined || !METHODS.includes(method)) {
      side.broken = true;
      this.out.malformed('http_request_line');
      return;
    }
    const h = head.headers;
    const req: Request = {
      method,
      uri,
      version: (version ?? 'HTTP/0.9').replace('HTTP/', ''),
      host: h.get('host'),
      userAgent: h.get('user-agent'),
      referrer: h.get('referer'),
      contentType: h.get('content-type'),
      bodyBytes: 0,
      ts,
    };
    this.pending.push(req);
    this.currentReq = req;
    this.startBody(side, h, false, method);
  }

  private onResponse(side: Side, head: Head, ts: number): void {
    const m = /^HTTP\/(\d(?:\.\d)?)\s+(\d{3})/.exec(head.line);
    if (!m) {
      side.broken = true;
      this.out.malformed('http_status_line');
      return;
    }
    const status = Number(m[2]);
    // 1xx are interim: the real response follows.
    if (status >= 100 && status < 200 && status !== 101) return;
    const req = this.pending.shift();
    const res: Response = { status, version: m[1], contentType: head.headers.get('content-type'), bodyBytes: 0 };
    this.current = { req, res };
    const noBody =
      req?.method === 'HEAD' || req?.method === 'CONNECT' || status === 204 || status === 304 || status === 101;
    this.startBody(side, head.headers, true, req?.method, noBody);
    if (!side.inBody) this.finishTx(ts);
    if (status === 101) this.done = true;
    // A tunnel through a proxy: what follows is another protocol (usually TLS).
    if (req?.method === 'CONNECT' && status >= 200 && status < 300) {
      if (side.inBody) side.inBody = false;
      if (this.current) this.finishTx(ts);
      this.done = true;
      this.handoff = true;
    }
  }

  private startBody(side: Side, h: Map<string, string>, isResponse: boolean, _method?: string, noBody = false): void {
    side.bodyBytes = 0;
    if (noBody) return void (side.inBody = false);
    const te = h.get('transfer-encoding');
    const cl = h.get('content-length');
    if (te && /chunked/i.test(te)) {
      side.inBody = true;
      side.body = -2;
      side.chunkState = 'size';
      side.chunkLeft = 0;
    } else if (cl !== undefined && /^\s*\d+\s*$/.test(cl)) {
      side.body = Number(cl);
      side.inBody = side.body > 0;
    } else {
      // A response without length runs to the end of the connection; a request has no body.
      side.body = isResponse ? -1 : 0;
      side.inBody = isResponse;
    }
  }

  private skipBody(side: Side, buf: Buffer, o: number, end: number, isReq: boolean, ts: number): number {
    if (side.body === -1) {
      side.bodyBytes += end - o;
      return end;
    }
    if (side.body > 0) {
      const n = Math.min(side.body, end - o);
      side.body -= n;
      side.bodyBytes += n;
      o += n;
      if (side.body === 0) this.bodyDone(side, isReq, ts);
      return o;
    }
    // Chunked: a small state machine over sizes, data, CRLFs and trailers.
    while (o < end && side.inBody) {
      if (side.chunkState === 'data') {
        const n = Math.min(side.chunkLeft, end - o);
        side.chunkLeft -= n;
        side.bodyBytes += n;
        o += n;
        if (side.chunkLeft === 0) side.chunkState = 'crlf';
        continue;
      }
      const nl = buf.indexOf(10, o);
      if (nl < 0 || nl >= end) {
        side.q.push(buf, o, end - o);
        if (side.q.length > 1024) {
          side.broken = true;
          this.out.malformed('http_chunk');
        }
        return end;
      }
      side.q.push(buf, o, nl + 1 - o);
      const line = side.q.all().toString('latin1').trim();
      side.q.clear();
      o = nl + 1;
      if (side.chunkState === 'crlf') side.chunkState = 'size';
      else if (side.chunkState === 'size') {
        const size = parseInt(line.split(';')[0], 16);
        if (Number.isNaN(size)) {
          side.broken = true;
          this.out.malformed('http_chunk');
          return end;
        }
        if (size === 0) side.chunkState = 'trailer';
        else {
          side.chunkLeft = size;
          side.chunkState = 'data';
        }
      } else if (line === '') this.bodyDone(side, isReq, ts);
    }
    return o;
  }

  private bodyDone(side: Side, isReq: boolean, ts: number): void {
    side.inBody = false;
    if (isReq) {
      if (this.currentReq) this.currentReq.bodyBytes = side.bodyBytes;
    } else this.finishTx(ts);
  }

  private finishTx(ts: number): void {
    if (!this.current) return;
    const { req, res } = this.current;
    if (res) res.bodyBytes = this.sides[1 - (this.requestDir < 0 ? 0 : this.requestDir)].bodyBytes;
    this.emit(req, res, req?.ts ?? ts);
    this.current = undefined;
  }

  private emit(req: Request | undefined, res: Response | undefined, ts: number): void {
    const http: Record<string, unknown> = { version: req?.version ?? res?.version };
    const url: Record<string, unknown> = {};
    const fields: Record<string, unknown> = { http };
    if (req) {
      http.request = {
        method: req.method,
        referrer: req.referrer,
        mime_type: req.contentType,
        body: { bytes: req.bodyBytes },
      };
      url.original = req.uri;
      const q = req.uri.indexOf('?');
      url.path = q >= 0 ? req.uri.slice(0, q) : req.uri;
      if (q >= 0) url.query = req.uri.slice(q + 1);
      if (req.host) {
        // host[:port]; an IPv6 literal keeps its brackets (as ECS asks for url.domain).
        const m = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(req.host.trim());
        url.domain = m ? m[1] : req.host;
        if (m?.[2]) url.port = Number(m[2]);
      }
      fields.url = url;
      if (req.userAgent !== undefined) fields.user_agent = { original: req.userAgent };
    }
    if (res) http.response = { status_code: res.status, mime_type: res.contentType, body: { bytes: res.bodyBytes } };
    this.out.emit(fields, ts, 0);
  }

  gap(dir: Direction, ts = 0): void {
    // Lost bytes break framing: finish what the gap cut short, then look for the next message start.
    const side = this.sides[dir];
    if (dir !== this.requestDir) {
      // Headers cut by the gap still name the status: that response answers the oldest request.
      if (!side.inBody && side.q.length && !this.current) {
        const text = side.q.all().toString('latin1');
        if (text.startsWith('HTTP/')) {
          this.onResponse(side, parseHead(text.slice(0, text.lastIndexOf('\n') + 1) || text), ts);
        }
      }
      if (this.current) this.finishTx(ts);
    }
    side.q.clear();
    side.inBody = false;
    side.broken = false;
    side.resync = true;
  }

  end(ts: number): void {
    // An HTTP/0.9 request ("GET /" with no version and no headers) is only known at the end.
    const reqSide = this.sides[this.requestDir < 0 ? 0 : this.requestDir];
    // A request whose headers never completed (capture ended) is still logged with what was seen.
    if (!reqSide.broken && !reqSide.inBody && reqSide.q.length && reqSide.q.length <= MAX_HEADER) {
      const text = reqSide.q.all().toString('latin1');
      const m09 = /^([A-Z]+) (\S+)\s*$/.exec(text);
      if (m09 && METHODS.includes(m09[1]))
        this.pending.push({ method: m09[1], uri: m09[2], version: '0.9', bodyBytes: 0, ts: this.firstTs || ts });
      else if (looksLikeRequest(reqSide.q.all(), 0, reqSide.q.length) && text.includes('\n'))
        this.onRequest(reqSide, parseHead(text), this.firstTs || ts);
      reqSide.q.clear();
    }
    if (this.current) this.finishTx(ts);
    for (const req of this.pending.splice(0)) this.emit(req, undefined, req.ts);
    this.done = true;
  }
}

/** Offset of the first line in [off, end) that starts a request (or a response), or -1. */
function findMessageStart(buf: Buffer, off: number, end: number, request: boolean): number {
  for (let i = off; i < end; i = buf.indexOf(10, i) + 1 || end) {
    if (i > off && buf[i - 1] !== 10) continue;
    if (request ? looksLikeRequest(buf, i, end - i) : buf.toString('latin1', i, Math.min(end, i + 5)) === 'HTTP/')
      return i;
    if (buf.indexOf(10, i) < 0 || buf.indexOf(10, i) >= end) break;
  }
  return -1;
}

const isHttpResponse = (buf: Buffer, off: number, len: number) =>
  len >= 5 &&
  buf[off] === 0x48 &&
  buf[off + 1] === 0x54 &&
  buf[off + 2] === 0x54 &&
  buf[off + 3] === 0x50 &&
  buf[off + 4] === 0x2f;

function parseHead(text: string): Head {
  const lines = text.split(/\r?\n/);
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const c = lines[i].indexOf(':');
    if (c > 0) {
      const k = lines[i].slice(0, c).trim().toLowerCase();
      if (!headers.has(k)) headers.set(k, lines[i].slice(c + 1).trim());
    }
  }
  return { line: lines[0].trim(), headers };
}

export const httpParser: AppParser = {
  name: 'http',
  dataset: 'network.http',
  detect(transport, buf, off, len) {
    return transport === 'tcp' && (looksLikeRequest(buf, off, len) || isHttpResponse(buf, off, len));
  },
  create(_t, out) {
    return new HttpSession(out);
  },
};
