/**
 * The fixture web: one HTTP and one HTTPS server on 127.0.0.1 serving virtual hosts by Host
 * header (and by SNI for certificates). A route answers a page, a status, a redirect, or a
 * hostile body (slow drip, gzip bomb, huge); routes can be swapped between runs (defacement).
 */
import { createServer as createHttp, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { Pem } from './certs';

export type Route = (req: IncomingMessage, res: ServerResponse) => void;

export interface SiteServer {
  httpPort: number;
  httpsPort: number;
  /** host → path → route ('*' path matches any). */
  routes: Map<string, Map<string, Route>>;
  route(host: string, path: string, r: Route): void;
  requests: string[];
  close(): Promise<void>;
}

export const html =
  (body: string, status = 200, headers: Record<string, string> = {}): Route =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
    res.end(body);
  };

export const bytes =
  (body: Buffer, type: string): Route =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': type });
    res.end(body);
  };

export const redirect =
  (location: string, status = 302): Route =>
  (_req, res) => {
    res.writeHead(status, { location });
    res.end();
  };

export async function startSiteServer(tls: { default: Pem; byName: Record<string, Pem> }): Promise<SiteServer> {
  const routes = new Map<string, Map<string, Route>>();
  const requests: string[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    requests.push(`${host}${req.url}`);
    const paths = routes.get(host);
    const path = (req.url ?? '/').split('?')[0];
    const r = paths?.get(path) ?? paths?.get('*');
    if (!r) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return void res.end('no such page');
    }
    r(req, res);
  };
  const contexts = new Map<string, SecureContext>(
    Object.entries(tls.byName).map(([n, p]) => [n, createSecureContext({ key: p.key, cert: p.cert })]),
  );
  const http = createHttp(handler);
  const https = createHttps(
    {
      key: tls.default.key,
      cert: tls.default.cert,
      SNICallback: (name, cb) => cb(null, contexts.get(name.toLowerCase()) ?? createSecureContext(tls.default)),
    },
    handler,
  );
  const listen = (s: Server) =>
    new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));
  const [httpPort, httpsPort] = [await listen(http), await listen(https)];
  const close = (s: Server) =>
    new Promise<void>((r) => {
      s.closeAllConnections();
      s.close(() => r());
    });
  return {
    httpPort,
    httpsPort,
    routes,
    requests,
    route(host, path, r) {
      if (!routes.has(host)) routes.set(host, new Map());
      routes.get(host)!.set(path, r);
    },
    close: async () => {
      await close(http);
      await close(https);
    },
  };
}
