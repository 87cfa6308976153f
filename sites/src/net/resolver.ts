/**
 * DNS vantage points. With resolvers configured (`--resolver host:port`, `sites.resolvers`)
 * every name lookup of every check goes to them — the HTTP connection's too, through the
 * `lookup` given to http/https — and never to the system resolver. c-ares (dns.Resolver)
 * asks exactly the servers it is given, on the port given.
 */
import { lookup as systemLookup, promises as dnsp, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { EduError } from '@edusentry/core';

export interface VantagePoint {
  /** "resolver:127.0.0.2:5353", or "system". */
  id: string;
  server?: string;
  resolver: dnsp.Resolver;
}

export interface VantageAnswer {
  vantage: string;
  addresses: string[];
  /** DNS error code (ENOTFOUND, ETIMEOUT, ESERVFAIL, ...) when the lookup failed. */
  error?: string;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** "127.0.0.2:5353", "127.0.0.2" (port 53) or "[::1]:53" → c-ares server syntax, or a usage error. */
export function parseResolverSpec(spec: string): string {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(spec) ?? /^([^:]+)(?::(\d+))?$/.exec(spec);
  const host = m?.[1];
  const port = m?.[2] ? Number(m[2]) : 53;
  if (!host || !isIP(host) || !(port > 0 && port < 65536))
    throw new EduError(
      'EDU_ERR_USAGE',
      `--resolver "${spec}" must be an address with an optional port, e.g. 127.0.0.2:5353`,
    );
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

export class Resolvers {
  readonly vantages: VantagePoint[];
  /** Short cache of the HTTP connections' lookups (per run; a bench of 10 000 sites asks less). */
  private cache = new Map<string, { at: number; addresses: string[] }>();

  constructor(
    specs: string[],
    private timeoutMs = 3000,
  ) {
    const servers = specs.map(parseResolverSpec);
    this.vantages = servers.length
      ? servers.map((s) => {
          const r = new dnsp.Resolver({ timeout: timeoutMs, tries: 1 });
          r.setServers([s]);
          return { id: `resolver:${s}`, server: s, resolver: r };
        })
      : [{ id: 'system', resolver: new dnsp.Resolver({ timeout: timeoutMs, tries: 2 }) }];
  }

  get custom(): boolean {
    return this.vantages[0].id !== 'system';
  }

  /** A and AAAA answers of one vantage point. */
  async resolveAt(v: VantagePoint, host: string): Promise<VantageAnswer> {
    const [a, aaaa] = await Promise.allSettled([v.resolver.resolve4(host), v.resolver.resolve6(host)]);
    const addresses = [
      ...(a.status === 'fulfilled' ? a.value : []),
      ...(aaaa.status === 'fulfilled' ? aaaa.value : []),
    ];
    if (addresses.length) return { vantage: v.id, addresses };
    const err = (a.status === 'rejected' ? a.reason : aaaa.status === 'rejected' ? aaaa.reason : undefined) as
      NodeJS.ErrnoException | undefined;
    return { vantage: v.id, addresses: [], error: err?.code ?? 'ENODATA' };
  }

  resolveAll(host: string): Promise<VantageAnswer[]> {
    return Promise.all(this.vantages.map((v) => this.resolveAt(v, host)));
  }

  /** Addresses for a connection: the first vantage point that answers. */
  async addressesFor(host: string): Promise<string[]> {
    const hit = this.cache.get(host);
    if (hit && Date.now() - hit.at < 30_000) return hit.addresses;
    let last: string | undefined;
    for (const v of this.vantages) {
      const ans = await this.resolveAt(v, host);
      if (ans.addresses.length) {
        this.cache.set(host, { at: Date.now(), addresses: ans.addresses });
        return ans.addresses;
      }
      last = ans.error;
    }
    const err = new Error(`${host}: no address from ${this.vantages.map((v) => v.id).join(', ')} (${last})`);
    throw Object.assign(err, { code: last ?? 'ENOTFOUND' });
  }

  /** The `lookup` of net.connect; with no resolvers configured, the system's. */
  readonly lookup = (hostname: string, options: LookupOptions | number, callback: LookupCallback): void => {
    const all = typeof options === 'object' && options.all === true;
    if (!this.custom) {
      systemLookup(
        hostname,
        { all, family: typeof options === 'object' ? (options.family ?? 0) : options },
        callback as never,
      );
      return;
    }
    this.addressesFor(hostname).then(
      (addrs) => {
        const list = addrs.map((address) => ({ address, family: isIP(address) }));
        if (all) callback(null, list);
        else callback(null, list[0].address, list[0].family);
      },
      (err: NodeJS.ErrnoException) => callback(err, all ? [] : ''),
    );
  };
}
