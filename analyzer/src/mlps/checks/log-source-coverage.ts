/** Log-source coverage: the organisation has packet/flow, syslog and other sources that reported in the period. */
import type { EvidenceCheck } from './check';

const FAMILIES = [
  { name: '流量（network.*）', prefix: 'network.' },
  { name: 'syslog', prefix: 'syslog' },
] as const;

export const logSourceCoverage: EvidenceCheck = {
  id: 'check.log-source-coverage',
  title: '日志源覆盖',
  async run({ store, orgIds, fromMs, toMs }) {
    const r = await store.search({
      orgIds,
      from: fromMs,
      to: toMs,
      size: 0,
      aggs: {
        datasets: { type: 'terms', field: 'event.dataset', size: 50 },
        orgs: { type: 'terms', field: 'organization.id', size: 10_000 },
      },
    });
    const counts = Object.fromEntries(
      (r.aggs.datasets as { buckets?: { key: string | number; count: number }[] })?.buckets?.map((b) => [
        String(b.key),
        b.count,
      ]) ?? [],
    );
    const reporting = ((r.aggs.orgs as { buckets?: { key: string | number }[] })?.buckets ?? []).map((b) =>
      String(b.key),
    );
    const present = FAMILIES.filter((f) =>
      Object.entries(counts).some(([d, n]) => d.startsWith(f.prefix) && d !== 'alert' && n > 0),
    );
    const missing = FAMILIES.filter((f) => !present.includes(f)).map((f) => f.name);
    const evidence = { byDataset: counts, organisationsReporting: reporting.length, missing };
    if (!present.length) return { status: 'fail', summary: '期内没有任何日志源上报', evidence };
    if (missing.length) return { status: 'partial', summary: `缺少日志源：${missing.join('、')}`, evidence };
    return { status: 'pass', summary: `流量与 syslog 日志源均在上报（${reporting.length} 个单位）`, evidence };
  },
};
