/** Alerts triaged within SLA: every alert of the period left `new` no longer than slaHours. */
import type { AlertEvent } from '@edusentry/core';
import type { EvidenceCheck } from './check';

export const alertTriageSla: EvidenceCheck = {
  id: 'check.alert-triage-sla',
  title: '告警按时研判',
  async run({ store, orgIds, fromMs, toMs, slaHours }) {
    const r = await store.search<AlertEvent>({ datasets: ['alert'], orgIds, from: fromMs, to: toMs, size: 10_000 });
    if (!r.total) return { status: 'na', summary: '期内没有告警，无需研判', evidence: { alerts: 0 } };
    const slaMs = slaHours * 3_600_000;
    const late: string[] = [];
    let onTime = 0;
    for (const a of r.hits) {
      const raised = Date.parse(a['@timestamp']);
      const st = a.edu?.alert as { status?: string; updated_at?: string } | undefined;
      const done = st?.status && st.status !== 'new' ? Date.parse(st.updated_at ?? '') : NaN;
      if (Number.isFinite(done) && done - raised <= slaMs) onTime++;
      else if (Number.isFinite(done) || toMs - raised > slaMs) late.push(a.event.id);
      else onTime++; // still inside its SLA
    }
    const share = onTime / r.hits.length;
    const evidence = {
      alerts: r.total,
      examined: r.hits.length,
      onTime,
      late: late.length,
      lateExamples: late.slice(0, 10),
      slaHours,
    };
    const summary = `${r.hits.length} 条告警中 ${onTime} 条在 ${slaHours} 小时内研判`;
    return { status: late.length === 0 ? 'pass' : share >= 0.8 ? 'partial' : 'fail', summary, evidence };
  },
};
