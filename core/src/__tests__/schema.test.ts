import { canonicalJson, eventId } from '../schema/event-id';
import { familyOf, FAMILIES } from '../schema/datasets';
import { flatten, getField, setField } from '../schema/fields';
import { cidrRange, inCidr, ipKey } from '../store/ip';
import { subtreeIds, type OrgNode } from '../org';

describe('event ids', () => {
  it('are the same for the same source and content, whatever the key order', () => {
    expect(eventId('pcap:a', { b: 1, a: [1, { y: 2, x: 1 }] })).toBe(
      eventId('pcap:a', { a: [1, { x: 1, y: 2 }], b: 1 }),
    );
    expect(canonicalJson({ b: 1, a: undefined, c: null })).toBe('{"b":1,"c":null}');
  });
  it('differ by source and by content', () => {
    expect(eventId('pcap:a', { a: 1 })).not.toBe(eventId('pcap:b', { a: 1 }));
    expect(eventId('pcap:a', { a: 1 })).not.toBe(eventId('pcap:a', { a: 2 }));
    expect(eventId('x', 'y')).toMatch(/^[A-Za-z0-9_-]{27}$/);
  });
});

describe('datasets', () => {
  it('map to index families and reject unknown ones', () => {
    expect(familyOf('network.flow')).toBe('flow');
    expect(familyOf('alert')).toBe('alert');
    expect(FAMILIES).toContain('heartbeat');
    expect(() => familyOf('nope')).toThrow('unknown event.dataset "nope"');
  });
});

describe('dotted fields', () => {
  it('get, set and flatten nested events', () => {
    const e: Record<string, any> = { source: { ip: '10.0.0.1' }, 'url.original': '/x' };
    expect(getField(e, 'source.ip')).toBe('10.0.0.1');
    expect(getField(e, 'url.original')).toBe('/x');
    expect(getField(e, 'source.port')).toBeUndefined();
    setField(e, 'destination.port', 443);
    expect(e.destination.port).toBe(443);
    expect(flatten({ a: { b: 1, c: [1, 2] } })).toEqual({ 'a.b': 1, 'a.c': [1, 2] });
  });
});

describe('ip helpers', () => {
  it.each([
    ['10.1.2.3', '10.0.0.0/8', true],
    ['11.1.2.3', '10.0.0.0/8', false],
    ['192.168.1.255', '192.168.1.0/24', true],
    ['192.168.2.0', '192.168.1.0/24', false],
    ['2001:db8::1', '2001:db8::/32', true],
    ['2001:db9::1', '2001:db8::/32', false],
    ['::ffff:10.0.0.1', '10.0.0.0/8', true],
    ['fe80::1%eth0', 'fe80::/10', true],
    ['not-an-ip', '10.0.0.0/8', false],
  ])('%s in %s is %s', (ip, cidr, want) => expect(inCidr(ip, cidr)).toBe(want));

  it('orders keys numerically and rejects bad CIDRs', () => {
    expect(ipKey('10.0.0.9')! < ipKey('10.0.0.10')!).toBe(true);
    expect(() => cidrRange('10.0.0.0/33')).toThrow('invalid CIDR prefix length');
    expect(() => cidrRange('x/8')).toThrow('invalid CIDR');
  });
});

describe('organisation tree', () => {
  it('returns a node and everything below it', () => {
    const nodes: OrgNode[] = [
      { id: 'p', name: 'P', level: 'province', parentId: null, cidrs: [] },
      { id: 'c1', name: 'C1', level: 'city', parentId: 'p', cidrs: [] },
      { id: 'c2', name: 'C2', level: 'city', parentId: 'p', cidrs: [] },
      { id: 's1', name: 'S1', level: 'school', parentId: 'c1', cidrs: ['10.1.1.0/24'] },
      { id: 's2', name: 'S2', level: 'school', parentId: 'c2', cidrs: ['10.2.1.0/24'] },
    ];
    expect(subtreeIds(nodes, 'c1').sort()).toEqual(['c1', 's1']);
    expect(subtreeIds(nodes, 'p')).toHaveLength(5);
    expect(subtreeIds(nodes, 's2')).toEqual(['s2']);
  });
});
