/**
 * A successful login after repeated failures (8.1.4.1 b): the same client failed at least
 * analyzer.mlps.loginFailures times for the same account and target within
 * analyzer.mlps.loginWindowSec, then succeeded — a guessed password, or lockout not in force.
 */
import { dataset, get, mlpsAlert, str, timeMs, type Ev, type MlpsRule } from '../rule';

const MAX_KEYS = 100_000;

function isAuth(ev: Ev): boolean {
  const cat = get(ev, 'event.category');
  return (Array.isArray(cat) ? cat.includes('authentication') : cat === 'authentication') || dataset(ev) === 'auth';
}

export function createLoginAfterFailures(): MlpsRule {
  const failures = new Map<string, Ev[]>();
  return {
    id: 'rule.login-after-failures',
    title: '多次失败后登录成功（Successful Login After Repeated Failures）',
    description: '同一来源对同一账户多次登录失败后登录成功，口令可能被猜中，或登录失败处理未生效。',
    level: 'high',
    tags: ['attack.credential-access', 'attack.t1110', 'djbh.l3.8.1.4.1.b', 'djbh.l2.7.1.4.1.b'],
    process(ev, ctx) {
      if (!isAuth(ev)) return [];
      const outcome = str(ev, 'event.outcome');
      if (outcome !== 'failure' && outcome !== 'success') return [];
      const user = str(ev, 'user.name') ?? '';
      const key = `${str(ev, 'source.ip') ?? ''}|${user}|${str(ev, 'destination.ip') ?? str(ev, 'host.name') ?? ''}`;
      const t = timeMs(ev);
      const windowMs = ctx.config.loginWindowSec * 1000;
      const recent = (failures.get(key) ?? []).filter((f) => t - timeMs(f) <= windowMs);
      if (outcome === 'failure') {
        recent.push(ev);
        if (failures.size >= MAX_KEYS && !failures.has(key)) failures.delete(failures.keys().next().value as string);
        failures.set(key, recent.slice(-ctx.config.loginFailures * 4));
        return [];
      }
      failures.delete(key);
      if (recent.length < ctx.config.loginFailures) return [];
      return [
        mlpsAlert(
          this,
          [...recent, ev],
          [key, str(ev, 'event.id')],
          `${recent.length} 次失败后登录成功：${str(ev, 'source.ip') ?? '?'} → ${user || '?'}`,
        ),
      ];
    },
  };
}
