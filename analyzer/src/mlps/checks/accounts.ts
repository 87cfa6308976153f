/** 三员分立 and login protection (8.1.4.1 b, 8.1.4.2 d, 8.1.7.1 c): three admin roles held by distinct people, lockout and idle timeout in force. */
import { na, type EvidenceCheck } from './check';

// The console's role names (console/server/src/auth/roles.ts).
const ADMIN_ROLES = ['sys_admin', 'sec_admin', 'audit_admin'];

export const accounts: EvidenceCheck = {
  id: 'check.accounts',
  title: '三员分立与登录保护',
  async run({ providers }) {
    if (!providers.accounts) return na('未接入控制台账户数据（在控制台或 edusentry mlps 中运行此检查）');
    const { accounts: list, lockoutAttempts, idleTimeoutMin } = await providers.accounts();
    const active = list.filter((a) => !a.disabled);
    const holders = Object.fromEntries(
      ADMIN_ROLES.map((r) => [r, active.filter((a) => a.role === r).map((a) => a.username)]),
    );
    const missing = ADMIN_ROLES.filter((r) => holders[r].length === 0);
    const byUser = new Map<string, Set<string>>();
    for (const a of active)
      if (a.role && ADMIN_ROLES.includes(a.role))
        byUser.set(a.username, (byUser.get(a.username) ?? new Set()).add(a.role));
    const shared = [...byUser].filter(([, roles]) => roles.size > 1).map(([u]) => u);
    const lockout = (lockoutAttempts ?? 0) > 0;
    const idle = (idleTimeoutMin ?? 0) > 0;
    const evidence = { holders, missingRoles: missing, sharedHolders: shared, lockoutAttempts, idleTimeoutMin };
    if (shared.length) return { status: 'fail', summary: `同一人兼任多个管理员角色：${shared.join('、')}`, evidence };
    if (missing.length || !lockout || !idle)
      return {
        status: 'partial',
        summary: `缺少角色 ${missing.join('、') || '无'}；登录失败锁定${lockout ? '已' : '未'}启用，空闲超时${idle ? '已' : '未'}启用`,
        evidence,
      };
    return { status: 'pass', summary: '系统、安全、审计管理员由不同人员担任，登录失败锁定与空闲超时已启用', evidence };
  },
};
