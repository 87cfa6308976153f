/** Drills (#9) held in the period and response plans reviewed; `na` when the drills source is absent. */
import { na, type EvidenceCheck } from './check';

export const drills: EvidenceCheck = {
  id: 'check.drills',
  title: '应急演练与预案评审',
  async run({ providers, fromMs, toMs }) {
    if (!providers.drills) return na('未接入演练数据（drills 数据源未提供）');
    const d = await providers.drills();
    const held = d.held.filter((t) => Date.parse(t) >= fromMs && Date.parse(t) < toMs);
    const reviewed = Date.parse(d.plansReviewedAt ?? '');
    const reviewedRecently = Number.isFinite(reviewed) && toMs - reviewed <= 366 * 86_400_000;
    const evidence = { drillsHeld: held.length, plansReviewedAt: d.plansReviewedAt };
    if (held.length && reviewedRecently)
      return { status: 'pass', summary: `期内开展演练 ${held.length} 次，预案一年内评审过`, evidence };
    if (held.length || reviewedRecently)
      return {
        status: 'partial',
        summary: held.length ? '期内有演练，但预案一年内未评审' : '预案已评审，但期内没有演练',
        evidence,
      };
    return { status: 'fail', summary: '期内没有演练，预案一年内未评审', evidence };
  },
};
