/**
 * One bounded page fetch: http/https only, at most maxRedirects redirects (an off-site redirect
 * is recorded, not followed), one deadline for the whole exchange (a slow-drip page ends there),
 * a size cap counted after decompression (a gzip bomb ends there), timing phases as
 * blackbox_exporter reports them, and the TLS facts of the connection for the tls check.
 */
import { checkServerIdentity, rootCertificates, type PeerCertificate, type TLSSocket } from 'node:tls';
import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { isOwnHost } from '../domain';
import type { Resolvers } from './resolver';

export interface FetchOptions {
  resolvers: Resolvers;
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  /** Extra trusted CAs (PEM) on top of the system's. */
  extraCAs?: string[];
  /** Hosts counted as the site's own for redirects. */
  ownDomains?: string[];
}

export interface Timings {
  dnsMs?: number;
  connectMs?: number;
  tlsMs?: number;
  firstByteMs?: number;
  totalMs: number;
}

export interface TlsFacts {
  protocol: string | null;
  cipher?: string;
  authorized: boolean;
  authorizationError?: string;
  /** Error of the name check against the requested host, if the name does not match. */
  nameError?: string;
  subject?: string;
  issuer?: string;
  san?: string;
  notBefore?: string;
  notAfter?: string;
  fingerprint256?: string;
}

export type FetchErrorCode =
  'timeout' | 'too_many_redirects' | 'bad_scheme' | 'network' | 'dns' | 'tls' | 'bad_response';

export interface FetchResult {
  url: string;
  finalUrl: string;
  status?: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The body hit the size cap (raw or decompressed) and was cut there. */
  truncated: boolean;
  redirects: { url: string; status: number; location: string }[];
  /** Set when a redirect left the site's domain: where it pointed (not fetched). */
  offsiteRedirect?: string;
  error?: string;
  errorCode?: FetchErrorCode;
  timings: Timings;
  remoteAddress?: string;
  tls?: TlsFacts;
}

const UA = 'EduSentry-SiteMonitor/0.1 (+key-site monitoring)';

let caBundle: { extra: string[]; ca: string[] } | undefined;
function caFor(extra: string[] | undefined): string[] | undefined {
  if (!extra?.length) return undefined;
  if (caBundle?.extra !== extra) caBundle = { extra, ca: [...rootCertificates, ...extra] };
  return caBundle.ca;
}

function certName(c: PeerCertificate['subject'] | undefined): string | undefined {
  if (!c) return undefined;
  return Object.entries(c)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}

function tlsFacts(sock: TLSSocket, host: string): TlsFacts {
  const cert = sock.getPeerCertificate();
  const facts: TlsFacts = {
    protocol: sock.getProtocol(),
    cipher: sock.getCipher()?.name,
    authorized: sock.authorized,
    authorizationError: sock.authorizationError ? String(sock.authorizationError) : undefined,
  };
  if (cert && Object.keys(cert).length) {
    facts.subject = certName(cert.subject);
    facts.issuer = certName(cert.issuer);
    facts.san = cert.subjectaltname;
    facts.notBefore = new Date(cert.valid_from).toISOString();
    facts.notAfter = new Date(cert.valid_to).toISOString();
    facts.fingerprint256 = cert.fingerprint256;
    const nameErr = checkServerIdentity(host, cert);
    if (nameErr) facts.nameError = nameErr.message;
  }
  return facts;
}

interface Hop {
  status?: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  truncated: boolean;
  location?: string;
  error?: string;
  errorCode?: FetchErrorCode;
  timings: Timings;
  remoteAddress?: string;
  tls?: TlsFacts;
}

function decoderFor(encoding: string | undefined): Transform | undefined {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return undefined;
  }
}

function once(url: URL, o: FetchOptions, deadline: number): Promise<Hop> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const timings: Timings = { totalMs: 0 };
    const at = () => Math.round((performance.now() - t0) * 100) / 100;
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    let hop: Partial<Hop> = {};
    let req: http.ClientRequest | undefined;
    const finish = (extra: Partial<Hop> = {}) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      timings.totalMs = at();
      resolve({ headers: {}, truncated: false, ...hop, ...extra, body: Buffer.concat(chunks), timings });
      req?.destroy();
    };
    const timer = setTimeout(
      () => finish({ error: `no complete answer within ${o.timeoutMs} ms`, errorCode: 'timeout' }),
      Math.max(1, deadline - Date.now()),
    );
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const isHttps = url.protocol === 'https:';
    const options: https.RequestOptions = {
      host,
      port: url.port || (isHttps ? 443 : 80),
      path: url.pathname + url.search,
      method: 'GET',
      headers: { 'user-agent': UA, accept: '*/*', 'accept-encoding': 'gzip, deflate, br', host: url.host },
      agent: false,
      lookup: o.resolvers.lookup as never,
    };
    if (isHttps) {
      Object.assign(options, {
        servername: /^[\d.]+$|:/.test(host) ? undefined : host,
        rejectUnauthorized: false, // trust is judged (and reported) by the tls check, not a reason to fail the fetch
        minVersion: 'TLSv1',
        ciphers: 'DEFAULT:@SECLEVEL=0',
        ca: caFor(o.extraCAs),
      });
    }
    try {
      req = (isHttps ? https : http).request(options);
    } catch (e) {
      return finish({ error: (e as Error).message, errorCode: 'network' });
    }
    req.on('socket', (s: Socket) => {
      s.once('lookup', () => (timings.dnsMs = at()));
      s.once('connect', () => {
        timings.connectMs = at();
        hop.remoteAddress = s.remoteAddress;
      });
      s.once('secureConnect', () => {
        timings.tlsMs = at();
        hop.tls = tlsFacts(s as TLSSocket, host);
      });
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      const code: FetchErrorCode =
        /^(ENOTFOUND|EAI_AGAIN|ESERVFAIL|ENODATA|ETIMEOUT|ECONNREFUSED_DNS|EREFUSED|ENOTIMP)$/.test(e.code ?? '')
          ? 'dns'
          : /SSL|TLS|ERR_SSL|EPROTO/.test(`${e.code} ${e.message}`)
            ? 'tls'
            : 'network';
      finish({ error: `${e.code ?? ''} ${e.message}`.trim(), errorCode: code });
    });
    req.on('response', (res) => {
      timings.firstByteMs = at();
      hop = { ...hop, status: res.statusCode, headers: res.headers };
      if (hop.tls === undefined && isHttps) hop.tls = tlsFacts(res.socket as TLSSocket, host);
      if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) {
        hop.location = res.headers.location;
        return finish();
      }
      const decoder = decoderFor(res.headers['content-encoding']);
      const stream = decoder ? res.pipe(decoder) : res;
      let raw = 0;
      if (decoder) {
        res.on('data', (c: Buffer) => {
          raw += c.length;
          if (raw > o.maxBytes) finish({ truncated: true });
        });
        decoder.on('error', (e: Error) =>
          finish({ error: `bad ${res.headers['content-encoding']} body: ${e.message}`, errorCode: 'bad_response' }),
        );
      }
      stream.on('data', (c: Buffer) => {
        if (done) return;
        const room = o.maxBytes - size;
        if (c.length >= room) {
          chunks.push(c.subarray(0, room));
          size = o.maxBytes;
          return finish({ truncated: true });
        }
        chunks.push(c);
        size += c.length;
      });
      stream.on('end', () => finish());
      res.on('aborted', () => finish({ error: 'connection closed before the body ended', errorCode: 'network' }));
      res.on('error', (e) => finish({ error: e.message, errorCode: 'network' }));
    });
    req.end();
  });
}

/** GETs `url`, following same-site redirects within one deadline. */
export async function fetchPage(url: string, o: FetchOptions): Promise<FetchResult> {
  const deadline = Date.now() + o.timeoutMs;
  const redirects: FetchResult['redirects'] = [];
  const start = new URL(url);
  let current = start;
  const total = { ms: 0 };
  for (;;) {
    if (current.protocol !== 'http:' && current.protocol !== 'https:')
      return result(url, current, { error: `refused scheme ${current.protocol}`, errorCode: 'bad_scheme' });
    const hop = await once(current, o, deadline);
    total.ms += hop.timings.totalMs;
    if (hop.location === undefined) return result(url, current, hop);
    let next: URL;
    try {
      next = new URL(hop.location, current);
    } catch {
      return result(url, current, {
        ...hop,
        error: `bad Location header "${hop.location}"`,
        errorCode: 'bad_response',
      });
    }
    redirects.push({ url: current.toString(), status: hop.status ?? 0, location: next.toString() });
    if (next.protocol !== 'http:' && next.protocol !== 'https:')
      return result(url, current, {
        ...hop,
        error: `redirect to refused scheme ${next.protocol}`,
        errorCode: 'bad_scheme',
      });
    if (!isOwnHost(next.hostname, start.hostname, o.ownDomains))
      return result(url, current, { ...hop, offsiteRedirect: next.toString() });
    if (redirects.length > o.maxRedirects)
      return result(url, current, {
        ...hop,
        error: `more than ${o.maxRedirects} redirects (loop?)`,
        errorCode: 'too_many_redirects',
      });
    current = next;
  }

  function result(u: string, last: URL, hop: Partial<Hop> & { offsiteRedirect?: string }): FetchResult {
    return {
      url: u,
      finalUrl: last.toString(),
      headers: {},
      body: Buffer.alloc(0),
      truncated: false,
      ...hop,
      redirects,
      timings: { ...(hop.timings ?? { totalMs: 0 }), totalMs: Math.round(total.ms * 100) / 100 },
    };
  }
}
