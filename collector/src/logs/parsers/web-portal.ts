/**
 * Campus web-portal (Web认证 / Portal) login and logout lines: the key=value shape
 * common to campus authentication gateways, in English or Chinese keys, e.g.
 * "portal: action=login user=2023001234 ip=10.20.3.4 mac=…" or
 * "用户上线 用户名=2023001234 用户IP=10.20.3.4". No vendor publishes one format; the
 * fixtures are built from the keys the portal products' manuals list.
 */
import type { DeviceParser, ParsedLog } from './types';
import { compact, ip, keyValues } from './util';

const LOGIN = /\b(login|log-in|logon|online)\b|上线|登录|认证成功/i;
const LOGOUT = /\b(logout|log-out|logoff|offline)\b|下线|注销|登出/i;

export const webPortal: DeviceParser = {
  name: 'portal',
  vendor: 'Campus',
  product: 'web portal',
  programs: ['portal', 'webauth', 'srun', 'drcom'],
  matches: (m) =>
    (LOGIN.test(m) || LOGOUT.test(m)) &&
    /(user(name)?|用户名?|account|账号)\s*[=:：]/i.test(m) &&
    /(\bip|userip|用户IP|地址)\s*[=:：]/i.test(m),
  parse(m): ParsedLog | undefined {
    const kv = keyValues(m, /([\w\u4e00-\u9fa5-]+)\s*[=:：]\s*(?:"([^"]*)"|([^\s,;"，]*))/g);
    const lower: Record<string, string> = {};
    for (const [k, v] of Object.entries(kv)) lower[k.toLowerCase()] = v;
    const user = lower.user ?? lower.username ?? lower.account ?? lower['用户名'] ?? lower['用户'] ?? lower['账号'];
    const addr = ip(lower.ip ?? lower.userip ?? lower.user_ip ?? lower['用户ip'] ?? lower['地址']);
    const verb = lower.action ?? m;
    const out = LOGOUT.test(verb);
    const inn = !out && LOGIN.test(verb);
    if (!user || !addr || (!inn && !out)) return undefined;
    return {
      fields: compact({
        event: {
          category: ['authentication', 'session'],
          type: [inn ? 'start' : 'end'],
          action: inn ? 'portal-login' : 'portal-logout',
          outcome: 'success',
        },
        user: { name: user },
        source: { ip: addr, mac: lower.mac },
        client: { ip: addr },
        edu:
          lower.session || lower.sessionid || lower.session_id
            ? { session: { id: lower.session ?? lower.sessionid ?? lower.session_id } }
            : undefined,
      }),
    };
  },
};
