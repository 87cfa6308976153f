/** Notices (#8) closed by their due time; `na` when the notices source is absent. */
import { na, type EvidenceCheck } from './check';

export const noticesOnTime: EvidenceCheck = {
  id: 'check.notices-on-time',
  title: '通报按期办结',
  async run({ providers, toMs }) {
    if (!providers.notices) return na('未接入通报数据（控制台 notices 表不存在或未提供）');
    const list = await providers.notices();
    if (!list.length) return { status: 'na', summary: '期内没有通报', evidence: { notices: 0 } };
    const late = list.filter((n) => {
      const due = Date.parse(n.dueAt ?? '');
      if (!Number.isFinite(due)) return false;
      const closed = Date.parse(n.closedAt ?? '');
      return Number.isFinite(closed) ? closed > due : toMs > due;
    });
    const evidence = { notices: list.length, late: late.length, lateExamples: late.slice(0, 10).map((n) => n.id) };
    const summary = `${list.length} 条通报中 ${list.length - late.length} 条按期办结`;
    return {
      status: late.length === 0 ? 'pass' : late.length / list.length <= 0.2 ? 'partial' : 'fail',
      summary,
      evidence,
    };
  },
};
