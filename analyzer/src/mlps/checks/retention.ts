/** Event retention: the policy the engine actually enforces (read back from it) and the oldest record. */
import type { EvidenceCheck } from './check';

/** The Cybersecurity Law (art. 21) asks network logs be kept at least six months. */
const REQUIRED_DAYS = 180;

export const retention: EvidenceCheck = {
  id: 'check.retention',
  title: '事件留存',
  async run({ store }) {
    const days = await store.retentionDays();
    const mechanism = (await store.retentionMechanism?.()) ?? 'unknown';
    const stats = await store.stats();
    const evidence = {
      retentionDays: days,
      mechanism,
      oldest: stats.oldest,
      newest: stats.newest,
      total: stats.total,
      byDataset: stats.byDataset,
    };
    if (days < REQUIRED_DAYS)
      return {
        status: 'fail',
        summary: `引擎中生效的留存期为 ${days} 天（${mechanism}），少于 ${REQUIRED_DAYS} 天`,
        evidence,
      };
    return {
      status: 'pass',
      summary: `引擎中生效的留存期为 ${days} 天（${mechanism}），最早记录 ${stats.oldest ?? '无'}`,
      evidence,
    };
  },
};
