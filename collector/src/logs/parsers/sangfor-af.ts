/**
 * Sangfor AF (深信服下一代防火墙) syslog: "日志类型:应用控制, 用户:张三, 源IP:10.1.1.2,
 * 源端口:5050, 目的IP:…, 目的端口:80, 应用类型:…, 应用名称:…, 系统动作:拒绝". Fixtures are
 * built from Sangfor's published AF syslog field description.
 */
import type { DeviceParser, ParsedLog } from './types';
import { compact, decision, ip, port, transport } from './util';

export const sangforAf: DeviceParser = {
  name: 'sangfor-af',
  vendor: 'Sangfor',
  product: 'AF',
  matches: (m) => /日志类型[:：]/.test(m),
  parse(m): ParsedLog | undefined {
    const kv: Record<string, string> = {};
    const body = m.slice(Math.max(0, m.search(/日志类型[:：]/)));
    for (const x of body.matchAll(/([\u4e00-\u9fa5A-Za-z/]+)[:：]([^,，]*)/g)) kv[x[1].trim()] = x[2].trim();
    if (!kv['日志类型']) return undefined;
    const action = kv['系统动作'] ?? kv['动作'];
    const d = decision(action);
    const user = kv['用户'] ?? kv['用户名'];
    return {
      fields: compact({
        event: {
          category: ['network'],
          type: d.type,
          action: d.action ?? action,
          outcome: d.outcome,
          code: kv['日志类型'],
        },
        source: { ip: ip(kv['源IP']), port: port(kv['源端口']) },
        destination: { ip: ip(kv['目的IP'] ?? kv['目标IP']), port: port(kv['目的端口'] ?? kv['目标端口']) },
        network: { transport: transport(kv['协议']), protocol: kv['应用名称'] },
        user: user && user !== '(null)' && user !== '-' ? { name: user } : undefined,
        rule: kv['策略名称'] ? { name: kv['策略名称'] } : undefined,
      }),
    };
  },
};
