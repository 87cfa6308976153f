/**
 * Site findings become alerts through the analyzer's alert path: the Sigma rules of
 * rules/sigma/sites match `edu.site.new_findings` (a finding new in this result) and
 * `edu.site.state_change: down` on site.check events, so alerts get the analyzer's deterministic
 * ids, aggregation, attribution to the school and live push. This file holds what the monitor
 * adds: the rule ids and their GB/T 20986-2023 categories, and recovery recorded on the alert.
 */
import type { EcsEvent, EventStore, Logger } from '@edusentry/core';

export const SITE_RULES = {
  down: '5e1f0a10-6a8b-4c1e-9d3a-0b7c2f9e0001',
  defaced: '5e1f0a10-6a8b-4c1e-9d3a-0b7c2f9e0002',
  injectedScript: '5e1f0a10-6a8b-4c1e-9d3a-0b7c2f9e0003',
  darkLink: '5e1f0a10-6a8b-4c1e-9d3a-0b7c2f9e0004',
  redirectOffsite: '5e1f0a10-6a8b-4c1e-9d3a-0b7c2f9e0005',
  dnsHijack: '5e1f0a10-6a8b-4c1e-9d3a-0b7c2f9e0006',
  personalData: '5e1f0a10-6a8b-4c1e-9d3a-0b7c2f9e0007',
  sensitiveWord: '5e1f0a10-6a8b-4c1e-9d3a-0b7c2f9e0008',
  certificate: '5e1f0a10-6a8b-4c1e-9d3a-0b7c2f9e0009',
  hygiene: '5e1f0a10-6a8b-4c1e-9d3a-0b7c2f9e0010',
} as const;

/** The `gbt20986.*` tag of a site rule → GB/T 20986-2023 category / subcategory. */
export const GBT20986: Record<string, { category: string; subcategory?: string }> = {
  'gbt20986.facility_failure': { category: '设备设施故障事件' },
  'gbt20986.network_attack.web_tampering': { category: '网络攻击事件', subcategory: '网页篡改' },
  'gbt20986.network_attack.dns_hijack': { category: '网络攻击事件', subcategory: '域名劫持' },
  'gbt20986.malware.web_embedded': { category: '恶意程序事件', subcategory: '网页内嵌恶意代码' },
  'gbt20986.content_security': { category: '信息内容安全事件' },
  'gbt20986.data_security.leak': { category: '数据安全事件', subcategory: '数据泄露' },
  'gbt20986.hidden_danger': { category: '安全隐患事件' },
};

/** A finding kind → the `gbt20986.*` tag of the rule that alerts on it (rules/sigma/sites). */
const TAG_OF_KIND: Record<string, string> = {
  down: 'gbt20986.facility_failure',
  tampered: 'gbt20986.network_attack.web_tampering',
  redirect_offsite: 'gbt20986.network_attack.web_tampering',
  injected_script: 'gbt20986.malware.web_embedded',
  dark_link: 'gbt20986.content_security',
  sensitive_word: 'gbt20986.content_security',
  dns_mismatch: 'gbt20986.network_attack.dns_hijack',
  personal_data: 'gbt20986.data_security.leak',
};

/** The GB/T 20986-2023 category of a finding kind (安全隐患事件 for the rest). */
export function gbt20986Of(kind: string): { category: string; subcategory?: string } {
  return GBT20986[TAG_OF_KIND[kind] ?? 'gbt20986.hidden_danger'];
}

/**
 * When a site recovers, its open "site down" alerts (same rule, site host and school, last 30 days)
 * get `edu.alert.recovered_at` and the recovery's event id: the recovery on the alert's record.
 */
export async function recordRecoveries(store: EventStore, events: EcsEvent[], log?: Logger): Promise<number> {
  let n = 0;
  for (const ev of events) {
    const site = (ev.edu as { site?: { state_change?: string } } | undefined)?.site;
    if (site?.state_change !== 'recovered') continue;
    const host = (ev.url as { domain?: string } | undefined)?.domain;
    const org = (ev.organization as { id?: string } | undefined)?.id;
    if (!host || !org) continue;
    try {
      const res = await store.search({
        datasets: ['alert'],
        orgIds: [org],
        from: Date.parse(ev['@timestamp']) - 30 * 86_400_000,
        filters: [
          { field: 'rule.id', op: 'eq', value: SITE_RULES.down },
          { field: 'destination.domain', op: 'eq', value: host },
          { field: 'edu.alert.recovered_at', op: 'missing' },
        ],
        size: 20,
      });
      for (const a of res.hits) {
        await store.update(a.event.id, 'alert', {
          edu: { alert: { recovered_at: ev['@timestamp'], recovery_event: ev.event.id } },
        });
        n++;
      }
    } catch (e) {
      log?.warn({ err: (e as Error).message, host }, 'recovery not recorded on the down alert');
    }
  }
  return n;
}

/** The write path of the scheduler on a store: results, then recoveries on their alerts. */
export function storeWriter(store: EventStore, log?: Logger): (events: EcsEvent[]) => Promise<void> {
  return async (events) => {
    const w = await store.write(events);
    if (w.failed) throw new Error(`${w.failed} site results not written`);
    for (const q of w.quarantined) log?.warn({ id: q.id, reason: q.reason }, 'site result quarantined by the store');
    await recordRecoveries(store, events, log);
  };
}
