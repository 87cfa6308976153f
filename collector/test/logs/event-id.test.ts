/**
 * Flow and syslog event ids are core's eventId(source, content) and stay the same across
 * versions (pinned here: the ids this version's predecessor gave), so replays still de-duplicate.
 */
import { eventId } from '@edusentry/core';
import { flowToEcs, type FlowRecord } from '../../src/flow-export';
import { lineToEvent } from '../../src/logs';

describe('event ids of the flow and syslog paths', () => {
  it('syslog: a hash of the sender and the raw line', () => {
    const raw = '<165>1 2026-03-01T08:00:00Z gw portal - - - 用户 s1 登录';
    const id = lineToEvent(raw, '10.0.0.1', 0).event.id;
    expect(id).toBe(eventId('syslog:10.0.0.1', raw));
    expect(id).toBe('RTBM16SpMXLqvfaW_XYhmyUsPJI');
    expect(lineToEvent(raw + ' ', '10.0.0.1', 0).event.id).not.toBe(id);
    expect(lineToEvent(raw, '10.0.0.2', 0).event.id).not.toBe(id);
  });

  it('flows: a hash of the exporter, domain and record key', () => {
    const record = {
      protocol: 'netflow9',
      exporter: '192.0.2.1',
      domain: 1,
      exportMs: 1772352000000,
      options: false,
      samplingRate: 1,
      key: '1772352000:5:20:256:0',
      fields: {
        ipv4_src_addr: '10.0.0.1',
        ipv4_dst_addr: '10.0.0.2',
        protocol: 6,
        l4_src_port: 1,
        l4_dst_port: 2,
        first_switched: 1772352000000,
        last_switched: 1772352000000,
      },
    } as FlowRecord;
    expect(flowToEcs(record)!.event.id).toBe('M56BPIGuCHQdG8ISIooMEPQ6CBX');
    expect(flowToEcs({ ...record, key: '1772352000:5:20:256:1' })!.event.id).not.toBe('M56BPIGuCHQdG8ISIooMEPQ6CBX');
  });
});
