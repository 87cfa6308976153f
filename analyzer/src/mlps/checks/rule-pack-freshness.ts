/** Rule pack freshness: the newest rule date in the shipped Sigma rules is recent. */
import { sigmaDir } from '@edusentry/rules';
import { parseRuleFiles } from '../../sigma/load';
import type { EvidenceCheck } from './check';

const FRESH_DAYS = 90;
const STALE_DAYS = 180;

export const rulePackFreshness: EvidenceCheck = {
  id: 'check.rule-pack-freshness',
  title: '规则包新鲜度',
  async run({ toMs }) {
    const docs = parseRuleFiles([sigmaDir]).documents;
    const dates = docs
      .map((d) => Date.parse(String(d.meta.modified ?? d.meta.date ?? '').replace(/\//g, '-')))
      .filter(Number.isFinite);
    if (!dates.length) return { status: 'fail', summary: '规则包中没有带日期的规则', evidence: { rules: docs.length } };
    const newest = Math.max(...dates);
    const ageDays = Math.floor((toMs - newest) / 86_400_000);
    const evidence = { rules: docs.length, newest: new Date(newest).toISOString().slice(0, 10), ageDays };
    const summary = `规则包最新规则日期 ${evidence.newest}，距今 ${ageDays} 天`;
    return { status: ageDays <= FRESH_DAYS ? 'pass' : ageDays <= STALE_DAYS ? 'partial' : 'fail', summary, evidence };
  },
};
