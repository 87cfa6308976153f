/** Backups taken in the period and a restore tested (8.1.4.9); `na` when the backup manifests are absent. */
import { na, type EvidenceCheck } from './check';

export const backups: EvidenceCheck = {
  id: 'check.backups',
  title: '数据备份与恢复',
  async run({ providers, fromMs, toMs }) {
    if (!providers.backups) return na('未接入备份清单（备份目录不存在或未提供）');
    const b = await providers.backups();
    const taken = b.takenAt.filter((t) => Date.parse(t) >= fromMs && Date.parse(t) < toMs);
    const restore = Date.parse(b.restoreTestedAt ?? '');
    const tested = Number.isFinite(restore) && restore >= fromMs && restore < toMs;
    const evidence = { backupsInPeriod: taken.length, latest: taken.sort().at(-1), restoreTestedAt: b.restoreTestedAt };
    if (taken.length && tested)
      return { status: 'pass', summary: `期内备份 ${taken.length} 次，并做过恢复测试`, evidence };
    if (taken.length) return { status: 'partial', summary: `期内备份 ${taken.length} 次，但没有恢复测试`, evidence };
    return { status: 'fail', summary: '期内没有备份', evidence };
  },
};
