/**
 * HTTPS: with console.tls the console serves TLS and its session cookie is Secure; behind
 * a trusted reverse proxy that says X-Forwarded-Proto: https it is Secure too; on plain
 * HTTP from an untrusted peer it is not (a browser would not send it back).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { harness, PASSWORD } from './helpers';

let dir: string;
let cert: string;
let key: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'edu-tls-'));
  cert = join(dir, 'cert.pem');
  key = join(dir, 'key.pem');
  // A throw-away self-signed certificate for 127.0.0.1 (openssl is in deploy/test/test.apt).
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'pipe' },
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const loginCookie = (res: { cookies: { name: string; secure?: boolean }[] }) =>
  res.cookies.find((c) => c.name === 'edu_session')!;

describe('HTTPS', () => {
  it('serves TLS with console.tls and sets a Secure session cookie', async () => {
    const h = await harness({ config: { tls: { cert, key } } });
    try {
      await h.app.listen({ host: '127.0.0.1', port: 0 });
      const port = (h.app.server.address() as { port: number }).port;
      const body = JSON.stringify({ username: 'school_officer.s1', password: PASSWORD });
      const res = await new Promise<{ status: number; cookie: string; hsts?: string }>((resolve, reject) => {
        const r = request(
          {
            host: '127.0.0.1',
            port,
            path: '/api/auth/login',
            method: 'POST',
            ca: readFileSync(cert),
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (m) => {
            m.resume();
            m.on('end', () =>
              resolve({
                status: m.statusCode!,
                cookie: String(m.headers['set-cookie']),
                hsts: m.headers['strict-transport-security'] as string | undefined,
              }),
            );
          },
        );
        r.on('error', reject);
        r.end(body);
      });
      expect(res.status).toBe(200);
      expect(res.cookie).toMatch(/^edu_session=[^;]+;.*; Secure/);
      expect(res.hsts).toMatch(/max-age=\d+/);
    } finally {
      await h.close();
    }
  });

  it('names the setting when the certificate file is missing', async () => {
    await expect(harness({ config: { tls: { cert: join(dir, 'nope.pem'), key } } })).rejects.toThrow(
      /console\.tls\.cert: cannot read/,
    );
  });

  it('sets Secure behind a trusted proxy that forwarded HTTPS, and not for an untrusted peer', async () => {
    const trusted = await harness({ config: { trustProxy: '127.0.0.1' } });
    const plain = await harness();
    try {
      const go = (h: typeof trusted) =>
        h.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          headers: { 'x-forwarded-proto': 'https' },
          payload: { username: 'school_officer.s1', password: PASSWORD },
        });
      expect(loginCookie(await go(trusted)).secure).toBe(true);
      // The header of a peer that is not a configured proxy is ignored.
      expect(loginCookie(await go(plain)).secure).toBeFalsy();
    } finally {
      await trusted.close();
      await plain.close();
    }
  });
});
