/**
 * Cleartext management protocols to campus servers (8.1.2.2 b, 8.1.4.1 c): telnet, FTP, rlogin/rsh
 * and SNMP v1/v2c sessions the server accepted, and plain-HTTP requests to administration pages.
 * Credentials cross the network readable; the evidence says which server and protocol.
 */
import { accepted, dataset, get, mlpsAlert, num, str, type Ev, type MlpsRule } from '../rule';

const PORTS: Record<number, string> = { 21: 'FTP', 23: 'telnet', 161: 'SNMP', 512: 'rexec', 513: 'rlogin', 514: 'rsh' };
const ADMIN_PATH = /^\/(admin|manage|manager|console|phpmyadmin|webadmin|cgi-bin\/luci|setup|system)(\/|$|\?)/i;

function protocolOf(ev: Ev): string | undefined {
  const port = num(ev, 'destination.port');
  const transport = str(ev, 'network.transport');
  if (dataset(ev) === 'network.http') {
    const path = str(ev, 'url.path') ?? str(ev, 'url.original') ?? '';
    return ADMIN_PATH.test(path) && str(ev, 'url.scheme') !== 'https' && port !== 443 ? 'HTTP 管理页面' : undefined;
  }
  if (port === undefined || !PORTS[port]) return undefined;
  if (port === 161) {
    // SNMPv3 is the encrypted one; a version we know to be 3 is fine.
    const v = str(ev, 'edu.snmp.version') ?? str(ev, 'network.protocol_version');
    return transport === 'udp' && v !== '3' ? 'SNMP v1/v2c' : undefined;
  }
  return transport === 'tcp' || transport === undefined ? PORTS[port] : undefined;
}

export const cleartextManagement: MlpsRule = {
  id: 'rule.cleartext-management',
  title: '明文管理协议（Cleartext Management Protocol To A Campus Server）',
  description: 'telnet、FTP、rlogin/rsh、SNMP v1/v2c 或明文 HTTP 管理页面访问校内服务器，鉴别信息以明文传输。',
  level: 'medium',
  tags: [
    'attack.credential-access',
    'attack.t1040',
    'djbh.l3.8.1.2.2.b',
    'djbh.l3.8.1.4.1.c',
    'djbh.l3.8.1.4.8.a',
    'djbh.l2.7.1.2.2.a',
    'djbh.l2.7.1.4.1.c',
  ],
  process(ev, ctx) {
    const ds = dataset(ev);
    if (ds !== 'network.flow' && ds !== 'network.http' && ds !== 'firewall') return [];
    const server = str(ev, 'destination.ip');
    if (!ctx.onCampus(server)) return [];
    const proto = protocolOf(ev);
    if (!proto || (ds !== 'network.http' && !accepted(ev))) return [];
    const port = num(ev, 'destination.port') ?? get(ev, 'destination.port');
    return [mlpsAlert(this, [ev], [str(ev, 'event.id')], `明文管理协议 ${proto}：${server}:${String(port)}`)];
  },
};
