/** Host names and addresses: which links are the site's own, which addresses are in which ranges. */
import { isIP } from 'node:net';

/** Second-level labels under which a registrable domain has three labels (school.edu.cn). */
const SECOND_LEVEL = new Set(['edu', 'com', 'gov', 'org', 'net', 'ac', 'co', 'mil']);

/** The registrable domain of a host, approximately (no public-suffix list): www.a.edu.cn → a.edu.cn. */
export function baseDomain(host: string): string {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (isIP(h) || h.startsWith('[')) return h;
  const labels = h.split('.');
  if (labels.length <= 2) return h;
  const n = SECOND_LEVEL.has(labels[labels.length - 2]) && labels[labels.length - 1].length === 2 ? 3 : 2;
  return labels.slice(-n).join('.');
}

/** Is `host` the site's own (same registrable domain, or one of the school's domains)? */
export function isOwnHost(host: string, siteHost: string, ownDomains: string[] = []): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (!h) return true;
  if (h === siteHost.toLowerCase() || baseDomain(h) === baseDomain(siteHost)) return true;
  return ownDomains.some((d) => h === d.toLowerCase() || h.endsWith('.' + d.toLowerCase()));
}

/** The host of an absolute or relative link ('' for a relative one or a non-web scheme). */
export function linkHost(href: string, base: URL): string | undefined {
  try {
    const u = new URL(href, base);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    return u.hostname;
  } catch {
    return undefined;
  }
}

function v4(ip: string): number | undefined {
  const p = ip.split('.');
  if (p.length !== 4) return undefined;
  let n = 0;
  for (const x of p) {
    const b = Number(x);
    if (!/^\d{1,3}$/.test(x) || b > 255) return undefined;
    n = n * 256 + b;
  }
  return n;
}

/** Does `ip` equal `spec` (an address) or lie in it (a CIDR)? IPv4 ranges; IPv6 compared as text. */
export function addressMatches(ip: string, spec: string): boolean {
  const [net, bitsText] = spec.split('/');
  if (bitsText === undefined) return ip.toLowerCase() === net.toLowerCase();
  const a = v4(ip);
  const b = v4(net);
  const bits = Number(bitsText);
  if (a === undefined || b === undefined || !(bits >= 0 && bits <= 32)) return false;
  if (bits === 0) return true;
  const mask = bits === 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
  return (a & mask) >>> 0 === (b & mask) >>> 0;
}

export function isAddressSpec(spec: string): boolean {
  const [net, bits] = spec.split('/');
  if (!isIP(net)) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (isIP(net) === 4 ? 32 : 128));
}
