/**
 * Every catalogue item's status for one organisation and level: from the evidence checks it names,
 * from the alerts of the rules tagged with it (Sigma and level-protection rules), or `manual`.
 * Sigma evidence shows the detection is in place (`pass`, with the alert count); a
 * level-protection rule's alerts are violations found (`partial` while any exist in the period).
 * The worst status of an item's sources wins; sources that are all `na` leave the item `na`.
 */
import { sigmaDir } from '@edusentry/rules';
import { parseRuleFiles } from '../sigma/load';
import { loadCatalogue, parseClauseTag, type MlpsLevel } from './catalogue';
import { runEvidenceChecks, type EvidenceContext, type EvidenceResult, type EvidenceStatus } from './checks';
import { MLPS_RULES } from './rules';

export interface ItemStatus {
  clause: string;
  item: string;
  title: string;
  family: string;
  status: EvidenceStatus;
  evidence: { source: string; status: EvidenceStatus; summary: string; detail?: Record<string, unknown> }[];
  computedAt: string;
}

const RANK: Record<EvidenceStatus, number> = { fail: 4, partial: 3, manual: 2, pass: 1, na: 0 };

/** Rule id → the djbh tags it carries, for the shipped Sigma rules and the level-protection rules. */
function ruleTags(): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const d of parseRuleFiles([sigmaDir]).documents)
    if (d.meta.id)
      m.set(
        d.meta.id,
        d.meta.tags.filter((t) => parseClauseTag(t)).map((t) => t.toLowerCase()),
      );
  for (const make of MLPS_RULES) {
    const r = make();
    m.set(
      r.id,
      r.tags.filter((t) => t.startsWith('djbh.')),
    );
  }
  return m;
}

export async function mlpsStatus(
  level: MlpsLevel,
  ctx: EvidenceContext,
  now = Date.now(),
): Promise<{ items: ItemStatus[]; checks: EvidenceResult[] }> {
  const cat = loadCatalogue(level);
  const computedAt = new Date(now).toISOString();
  const checks = await runEvidenceChecks(ctx, now);
  const byCheck = new Map(checks.map((c) => [c.check, c]));
  const r = await ctx.store.search({
    datasets: ['alert'],
    orgIds: ctx.orgIds,
    from: ctx.fromMs,
    to: ctx.toMs,
    size: 0,
    aggs: { rules: { type: 'terms', field: 'rule.id', size: 10_000 } },
  });
  const perRule = ((r.aggs.rules as { buckets?: { key: string | number; count: number }[] })?.buckets ?? []).map(
    (b) => [String(b.key), b.count] as const,
  );
  const tags = ruleTags();
  const sigmaAlerts = new Map<string, number>();
  const ruleAlerts = new Map<string, number>(); // `${source}|${tag}` → alerts
  for (const [id, count] of perRule)
    for (const t of tags.get(id) ?? []) {
      if (id.startsWith('rule.')) ruleAlerts.set(`${id}|${t}`, (ruleAlerts.get(`${id}|${t}`) ?? 0) + count);
      else sigmaAlerts.set(t, (sigmaAlerts.get(t) ?? 0) + count);
    }
  const items = cat.items.map((i): ItemStatus => {
    const evidence: ItemStatus['evidence'] = i.evidence.map((src) => {
      const check = byCheck.get(src);
      if (check) return { source: src, status: check.status, summary: check.summary, detail: check.evidence };
      if (src === 'sigma') {
        const n = sigmaAlerts.get(i.tag) ?? 0;
        return { source: src, status: 'pass', summary: `检测规则已启用，期内告警 ${n} 条`, detail: { alerts: n } };
      }
      const n = ruleAlerts.get(`${src}|${i.tag}`) ?? 0;
      return n
        ? { source: src, status: 'partial', summary: `期内发现 ${n} 条违规告警，待整改`, detail: { alerts: n } }
        : { source: src, status: 'pass', summary: '期内未发现违规', detail: { alerts: 0 } };
    });
    const status: EvidenceStatus = i.manual
      ? 'manual'
      : evidence.reduce<EvidenceStatus>((w, e) => (RANK[e.status] > RANK[w] ? e.status : w), 'na');
    return {
      clause: i.clause,
      item: i.item,
      title: `${i.controlTitle}：${i.summary}`,
      family: i.familyTitle,
      status,
      evidence,
      computedAt,
    };
  });
  return { items, checks };
}
