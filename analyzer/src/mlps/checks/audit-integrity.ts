/** Audit-trail integrity: the console's hash chain verifies, with the anchor it verifies against. */
import { na, type EvidenceCheck } from './check';

export const auditIntegrity: EvidenceCheck = {
  id: 'check.audit-integrity',
  title: '审计记录完整性',
  async run({ providers }) {
    if (!providers.auditVerification) return na('未接入控制台审计链（在控制台或 edusentry mlps 中运行此检查）');
    const v = await providers.auditVerification();
    const evidence = { ...v };
    return v.ok
      ? {
          status: 'pass',
          summary: `审计链 ${v.entries} 条记录校验通过${v.anchor ? `（锚点 ${v.anchor}）` : ''}`,
          evidence,
        }
      : { status: 'fail', summary: `审计链校验失败：${v.reason ?? '未知原因'}`, evidence };
  },
};
