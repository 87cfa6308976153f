/**
 * 双非 and zombie sites. `offsite_host`: the site's address lies outside the school's own ranges
 * (site.ownCidrs) and its host is not under the school's domains (site.ownDomains); not judged
 * when the ranges are unknown. `stale`: no key page has changed for sites.staleDays.
 */
import { addressMatches, isOwnHost } from '../domain';
import type { Finding } from '../types';
import type { SiteCheck } from './types';

export const offsiteStaleCheck: SiteCheck = {
  name: 'offsite-stale',
  async run(ctx) {
    const findings: Finding[] = [];
    const host = new URL(ctx.site.url).hostname;
    const r = await ctx.fetch(ctx.site.url);
    const addr = r.remoteAddress;
    const ownDomain = ctx.site.ownDomains.some((d) => isOwnHost(host, d));
    if (addr && ctx.site.ownCidrs.length && !ctx.site.ownCidrs.some((c) => addressMatches(addr, c)) && !ownDomain)
      findings.push(
        ctx.finding(
          'offsite_host',
          'low',
          `${host} is served from ${addr}, outside the school's ranges (${ctx.site.ownCidrs.join(', ')}), under a domain not the school's`,
          addr,
          {
            address: addr,
          },
        ),
      );
    const baselines = ctx.baselines.list(ctx.site.id);
    if (baselines.length) {
      const last = Math.max(...baselines.map((b) => Date.parse(b.changedAt)));
      const days = (ctx.now.getTime() - last) / 86_400_000;
      if (days >= ctx.config.staleDays)
        findings.push(
          ctx.finding(
            'stale',
            'low',
            `no key page changed for ${Math.floor(days)} days (since ${new Date(last).toISOString().slice(0, 10)})`,
          ),
        );
    }
    return [{ outcome: 'success', findings, measurements: { address: addr } }];
  },
};
