/** The evidence checks, one file each; a new check is one file and one line here. */
import { accounts } from './accounts';
import { alertTriageSla } from './alert-triage-sla';
import { auditIntegrity } from './audit-integrity';
import { backups } from './backups';
import type { EvidenceCheck, EvidenceContext, EvidenceResult } from './check';
import { drills } from './drills';
import { incidentTimeline } from './incident-timeline';
import { keySiteCoverage } from './key-site-coverage';
import { logSourceCoverage } from './log-source-coverage';
import { noticesOnTime } from './notices-on-time';
import { retention } from './retention';
import { rulePackFreshness } from './rule-pack-freshness';

export const EVIDENCE_CHECKS: EvidenceCheck[] = [
  retention,
  logSourceCoverage,
  alertTriageSla,
  incidentTimeline,
  noticesOnTime,
  drills,
  auditIntegrity,
  backups,
  accounts,
  rulePackFreshness,
  keySiteCoverage,
];

/** Runs every check; one that throws is `fail` with its error, the others still run. */
export async function runEvidenceChecks(ctx: EvidenceContext, now = Date.now()): Promise<EvidenceResult[]> {
  const computedAt = new Date(now).toISOString();
  return Promise.all(
    EVIDENCE_CHECKS.map(async (c) => {
      try {
        return { check: c.id, ...(await c.run(ctx)), computedAt };
      } catch (e) {
        return {
          check: c.id,
          status: 'fail' as const,
          summary: `检查无法完成：${(e as Error).message}`,
          evidence: {},
          computedAt,
        };
      }
    }),
  );
}

export * from './check';
