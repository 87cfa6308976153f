/**
 * High-risk services reachable from outside (8.1.3.1, 8.1.3.2 a, 8.1.4.4 b): an inbound session
 * from an address outside the campus that a campus server on a high-risk port (telnet, SMB, RDP,
 * databases, Redis, Elasticsearch …; analyzer.mlps.highRiskPorts) accepted.
 */
import { accepted, dataset, mlpsAlert, num, str, type MlpsRule } from '../rule';

export const highRiskInbound: MlpsRule = {
  id: 'rule.high-risk-inbound',
  title: '高危端口对外暴露（High-Risk Service Accepted A Session From Outside）',
  description: '校外地址与校内服务器的高危端口（如 23、445、3389、3306、6379、9200、27017）建立了会话。',
  level: 'high',
  tags: [
    'attack.initial-access',
    'attack.t1190',
    'djbh.l3.8.1.3.1.a',
    'djbh.l3.8.1.3.2.a',
    'djbh.l3.8.1.3.2.c',
    'djbh.l3.8.1.4.4.b',
    'djbh.l2.7.1.3.1.a',
    'djbh.l2.7.1.3.2.a',
    'djbh.l2.7.1.4.4.b',
  ],
  process(ev, ctx) {
    const ds = dataset(ev);
    if (ds !== 'network.flow' && ds !== 'firewall') return [];
    const port = num(ev, 'destination.port');
    if (port === undefined || !ctx.config.highRiskPorts.includes(port)) return [];
    const src = str(ev, 'source.ip');
    const dst = str(ev, 'destination.ip');
    if (!src || ctx.onCampus(src) || !ctx.onCampus(dst) || !accepted(ev)) return [];
    return [mlpsAlert(this, [ev], [str(ev, 'event.id')], `高危端口 ${port} 从校外可达：${src} → ${dst}`)];
  },
};
