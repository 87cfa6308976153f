/**
 * 非法外联 (8.1.3.1 c, 8.1.10.6 j): a campus host reaching a forbidden destination
 * (analyzer.mlps.forbiddenNetworks / forbiddenDomains), or campus-to-outside traffic seen by an
 * observer that is not one of the sanctioned exits (analyzer.mlps.exitObservers: observer.id, hostname or ip; when set).
 */
import { cidrRange, EduError, ipKey } from '@edusentry/core';
import { dataset, mlpsAlert, str, type MlpsRule } from '../rule';

const cache = new WeakMap<string[], [string, string][]>();
function ranges(list: string[]): [string, string][] {
  let r = cache.get(list);
  if (!r) {
    r = list.map((c) => {
      try {
        return cidrRange(c);
      } catch {
        throw new EduError('EDU_ERR_CONFIG', `analyzer.mlps.forbiddenNetworks: "${c}" is not a CIDR block`);
      }
    });
    cache.set(list, r);
  }
  return r;
}

const domainHit = (name: string | undefined, list: string[]) =>
  !!name && list.some((d) => name === d || name.endsWith(`.${d}`));

export const unauthorisedOutbound: MlpsRule = {
  id: 'rule.unauthorised-outbound',
  title: '非法外联（Campus Host Reached A Forbidden Destination Or Bypassed The Exit）',
  description: '校内主机访问了禁止的目的地址或域名，或未经指定出口直接访问外部网络。',
  level: 'high',
  tags: ['attack.exfiltration', 'djbh.l3.8.1.3.1.a', 'djbh.l3.8.1.3.1.c', 'djbh.l3.8.1.10.6.j', 'djbh.l2.7.1.3.1.a'],
  process(ev, ctx) {
    const ds = dataset(ev);
    if (!/^network\.|^firewall$/.test(ds)) return [];
    const src = str(ev, 'source.ip');
    if (!ctx.onCampus(src)) return [];
    const dst = str(ev, 'destination.ip');
    const { forbiddenNetworks, forbiddenDomains, exitObservers } = ctx.config;
    const k = dst ? ipKey(dst) : undefined;
    const domain =
      str(ev, 'destination.domain') ??
      str(ev, 'dns.question.name') ??
      str(ev, 'tls.client.server_name') ??
      str(ev, 'url.domain');
    const id = [str(ev, 'event.id')];
    if (
      (k && ranges(forbiddenNetworks).some(([lo, hi]) => k >= lo && k <= hi)) ||
      domainHit(domain?.toLowerCase(), forbiddenDomains)
    )
      return [mlpsAlert(this, [ev], id, `非法外联：${src} → ${domain ?? dst} 在禁止清单中`)];
    if (exitObservers.length && dst && !ctx.onCampus(dst)) {
      const obs = [str(ev, 'observer.id'), str(ev, 'observer.hostname'), str(ev, 'observer.ip')].filter(
        Boolean,
      ) as string[];
      if (obs.length && !obs.some((o) => exitObservers.includes(o)))
        return [mlpsAlert(this, [ev], id, `绕过出口外联：${src} → ${dst}（经 ${obs[0]}，非指定出口）`)];
    }
    return [];
  },
};
