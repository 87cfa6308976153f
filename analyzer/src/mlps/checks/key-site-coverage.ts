/** Key-site monitoring coverage (#7): every key site that has been checked was checked in the last day of the period. */
import type { EvidenceCheck } from './check';

export const keySiteCoverage: EvidenceCheck = {
  id: 'check.key-site-coverage',
  title: '重点网站监测覆盖',
  async run({ store, orgIds, fromMs, toMs }) {
    const sites = await store.search({
      datasets: ['site.check'],
      orgIds,
      from: fromMs,
      to: toMs,
      size: 0,
      aggs: { sites: { type: 'terms', field: 'url.full', size: 10_000 } },
    });
    const all = ((sites.aggs.sites as { buckets?: { key: string | number }[] })?.buckets ?? []).map((b) =>
      String(b.key),
    );
    if (!all.length) return { status: 'na', summary: '期内没有重点网站监测数据（site.check）', evidence: { sites: 0 } };
    const recent = await store.search({
      datasets: ['site.check'],
      orgIds,
      from: toMs - 86_400_000,
      to: toMs,
      size: 0,
      aggs: { sites: { type: 'terms', field: 'url.full', size: 10_000 } },
    });
    const live = new Set(
      ((recent.aggs.sites as { buckets?: { key: string | number }[] })?.buckets ?? []).map((b) => String(b.key)),
    );
    const stale = all.filter((s) => !live.has(s));
    const evidence = { sites: all.length, checkedLastDay: live.size, notCheckedLastDay: stale.slice(0, 20) };
    const summary = `${all.length} 个重点网站中 ${all.length - stale.length} 个在最近一天内被监测`;
    return {
      status: stale.length === 0 ? 'pass' : stale.length / all.length <= 0.1 ? 'partial' : 'fail',
      summary,
      evidence,
    };
  },
};
