/** Flow records to ECS: tuple, counts scaled by sampling, observer = exporter, community id, deterministic ids. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlowDecoder, flowsToEcs } from '../../src/flow-export';
import { communityId } from '../../src/packet';

const DIR = join(__dirname, '../../../../shared/testdata/netflow/logstash-codec-netflow/spec/codecs');

describe('flow records to ECS', () => {
  it('maps a NetFlow v5 record', () => {
    const recs = new FlowDecoder().decode(readFileSync(join(DIR, 'netflow5.dat')), '10.9.9.9');
    const [e] = flowsToEcs(recs, { organization: { id: 'school-1' }, observer: { id: 'c1' } }) as any[];
    expect(e.event.dataset).toBe('network.flow');
    expect(e.source).toMatchObject({ ip: '10.0.2.2', port: 54435, bytes: 230, packets: 5 });
    expect(e.destination).toMatchObject({ ip: '10.0.2.15', port: 22 });
    expect(e.network).toMatchObject({ transport: 'tcp', iana_number: '6', bytes: 230, packets: 5, type: 'ipv4' });
    expect(e.observer).toMatchObject({ ip: '10.9.9.9', id: 'c1', product: 'netflow5' });
    expect(e.organization.id).toBe('school-1');
    expect(e.edu.flow.tcp_flags).toEqual(['ACK']);
    expect(e.network.community_id).toMatch(/^1:/);
  });

  it('maps IPFIX and IPv6, and gives the same id when the datagram is replayed', () => {
    const a = new FlowDecoder();
    const files = [
      'ipfix_test_vmware_vds_tpl.dat',
      'ipfix_test_vmware_vds_data264.dat',
      'ipfix_test_vmware_vds_data266.dat',
      'ipfix_test_vmware_vds_data266_267.dat',
    ];
    const recs = files.flatMap((f) => a.decode(readFileSync(join(DIR, f)), '10.9.9.9'));
    const evs = flowsToEcs(recs) as any[];
    const v6 = evs.find((e) => e.source.ip === 'fe80::5187:5cd8:d750:cdc9');
    expect(v6.network.type).toBe('ipv6');
    expect(v6.destination.port).toBe(5355);
    const b = new FlowDecoder();
    const again = flowsToEcs(files.flatMap((f) => b.decode(readFileSync(join(DIR, f)), '10.9.9.9'))) as any[];
    expect(again.map((e) => e.event.id)).toEqual(evs.map((e) => e.event.id));
    expect(new Set(evs.map((e) => e.event.id)).size).toBe(evs.length);
  });

  it('community id matches the spec example', () => {
    // community-id-spec baseline: TCP 128.232.110.120:34855 -> 66.35.250.204:80
    expect(communityId(6, '128.232.110.120', '66.35.250.204', 34855, 80)).toBe('1:LQU9qZlK+B5F3KDmev6m5PMibrg=');
  });
});
