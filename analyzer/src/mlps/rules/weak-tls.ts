/**
 * Weak TLS offered by campus servers (8.1.2.2, 8.1.4.8 a): a handshake from the packet path's
 * network.tls events in which a campus server chose SSL 3.0, TLS 1.0/1.1, or a NULL, export,
 * anonymous, RC4 or (3)DES cipher suite. One alert per server, version and cipher (dedup
 * gathers the repeats).
 */
import { dataset, get, mlpsAlert, str, type MlpsRule } from '../rule';

const WEAK_VERSIONS = new Set(['ssl 3.0', 'ssl 2.0', 'tls 1.0', 'tls 1.1']);
// IANA TLS cipher suite ids: NULL, EXPORT, anonymous, RC4, DES and 3DES suites.
const WEAK_CIPHERS = new Set(
  [
    0x0000, 0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0x0008, 0x0009, 0x000a, 0x000b, 0x000c, 0x000d, 0x000e,
    0x000f, 0x0010, 0x0011, 0x0012, 0x0013, 0x0014, 0x0015, 0x0016, 0x0017, 0x0018, 0x0019, 0x001a, 0x001b, 0x002c,
    0x002d, 0x002e, 0x0034, 0x003a, 0x003b, 0x006c, 0x006d, 0x008a, 0x008b, 0x008e, 0x008f, 0x0092, 0x0093, 0xc001,
    0xc002, 0xc003, 0xc006, 0xc007, 0xc008, 0xc00b, 0xc00c, 0xc00d, 0xc010, 0xc011, 0xc012, 0xc015, 0xc016, 0xc017,
    0xc018, 0xc019,
  ].map((c) => `0x${c.toString(16).padStart(4, '0')}`),
);

export const weakTls: MlpsRule = {
  id: 'rule.weak-tls',
  title: '弱 TLS（Campus Server Negotiated A Weak TLS Version Or Cipher）',
  description: '校内服务器在握手中选择了 SSL 3.0、TLS 1.0/1.1 或 NULL、导出级、匿名、RC4、DES/3DES 密码套件。',
  level: 'medium',
  tags: ['djbh.l3.8.1.2.2.a', 'djbh.l3.8.1.2.2.b', 'djbh.l3.8.1.4.7.a', 'djbh.l3.8.1.4.8.a', 'djbh.l2.7.1.2.2.a'],
  process(ev, ctx) {
    if (dataset(ev) !== 'network.tls' || get(ev, 'tls.established') === false) return [];
    const server = str(ev, 'destination.ip');
    if (!ctx.onCampus(server)) return [];
    const proto = (str(ev, 'tls.version_protocol') ?? '').toLowerCase();
    const version = `${proto} ${str(ev, 'tls.version') ?? ''}`.trim();
    const cipher = (str(ev, 'tls.cipher') ?? '').toLowerCase();
    const weak: string[] = [];
    if (WEAK_VERSIONS.has(version)) weak.push(version.toUpperCase());
    if (WEAK_CIPHERS.has(cipher)) weak.push(`cipher ${cipher}`);
    if (!weak.length) return [];
    return [
      mlpsAlert(
        this,
        [ev],
        [str(ev, 'event.id')],
        `弱 TLS：${server}:${str(ev, 'destination.port') ?? ''} ${weak.join('、')}`,
      ),
    ];
  },
};
