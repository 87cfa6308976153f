/**
 * The loopback world of the site tests: certificates, the fixture web (virtual hosts on one
 * HTTP and one HTTPS server), three resolvers (two honest, one lying about hijack.test, one
 * failing for flaky.test), and a helper that builds sites and a monitor on a temp data dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSitesConfig, SiteMonitor, type Site, type SitesConfig } from '../../src';
import { makeCerts, type TestCerts } from './certs';
import { startDnsServer, type DnsFixture } from './dns-server';
import { startSiteServer, type SiteServer } from './site-server';

export interface World {
  dir: string;
  certs: TestCerts;
  web: SiteServer;
  resolvers: DnsFixture[];
  http(host: string, path?: string): string;
  https(host: string, path?: string): string;
  site(id: string, url: string, extra?: Partial<Site>): Site;
  monitor(config?: Partial<SitesConfig>, opts?: { now?: () => Date; dataDir?: string }): SiteMonitor;
  close(): Promise<void>;
}

export const HOSTS = [
  'normal.test',
  'down.test',
  'err.test',
  'slow.test',
  'loop.test',
  'offsite.test',
  'good.test',
  'expired.test',
  'wrongname.test',
  'selfsigned.test',
  'weak.test',
  'hijack.test',
  'flaky.test',
  'expect.test',
  'deface.test',
  'update.test',
  'inject.test',
  'dark.test',
  'pii.test',
  'own.test',
  'hostile.test',
];

export async function startWorld(): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'sites-world-'));
  const certs = makeCerts(join(dir, 'certs'), {
    good: 'good.test',
    expired: 'expired.test',
    wrong: 'wrongname.test',
    self: 'selfsigned.test',
  });
  const web = await startSiteServer({
    default: certs.good,
    byName: {
      'good.test': certs.good,
      'expired.test': certs.expired,
      'wrongname.test': certs.wrongName,
      'selfsigned.test': certs.selfSigned,
    },
  });
  const truth = Object.fromEntries(HOSTS.map((h) => [h, ['127.0.0.1']]));
  const resolvers = [
    await startDnsServer(truth),
    await startDnsServer(truth, { fail: ['flaky.test'] }),
    await startDnsServer({ ...truth, 'hijack.test': ['127.0.0.9'] }),
  ];
  const dataDirs: string[] = [];
  return {
    dir,
    certs,
    web,
    resolvers,
    http: (host, path = '/') => `http://${host}:${web.httpPort}${path}`,
    https: (host, path = '/') => `https://${host}:${web.httpsPort}${path}`,
    site: (id, url, extra = {}) => ({
      id,
      orgId: 'school-1',
      name: id,
      url,
      keyPages: [],
      owner: '',
      intervalSec: 300,
      expectedDns: [],
      ownCidrs: [],
      ownDomains: [],
      enabled: true,
      ...extra,
    }),
    monitor(config = {}, opts = {}) {
      const dataDir = opts.dataDir ?? mkdtempSync(join(dir, 'data-'));
      dataDirs.push(dataDir);
      return new SiteMonitor({
        config: defaultSitesConfig({
          resolvers: resolvers.map((r) => r.spec),
          timeoutMs: 2000,
          retries: 1,
          retryDelayMs: 20,
          slowMs: 5000, // generous: a loaded CI machine is not a slow site (the slow test sets its own)
          extraCAs: [certs.caFile],
          ...config,
        }),
        dataDir,
        observer: { id: 'sitemon-test', type: 'sitemon' },
        now: opts.now,
      });
    },
    async close() {
      await web.close();
      for (const r of resolvers) await r.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const kinds = (fs: { kind: string }[]) => [...new Set(fs.map((f) => f.kind))].sort();
