/** The hot paths' event ids equal core's, so replays across versions still de-duplicate. */
import { eventId } from '@edusentry/core';
import { stringEventId } from '../../src/logs/event-id';

describe('stringEventId', () => {
  it('gives the same id as core eventId for string content', () => {
    const cases: [string, string][] = [
      ['netflow9:192.0.2.1:1', '1772352000:5:20:256:0'],
      ['ipfix:2001:db8::1:0', '1772352000:7:16:256:48'],
      ['syslog:10.0.0.1', '<165>1 2026-03-01T08:00:00Z gw portal - - - 用户 s1 登录 é\u{1F600}'],
      ['syslog:10.0.0.1', ''],
      ['', 'lone surrogate \ud800 text'],
    ];
    for (const [source, content] of cases) expect(stringEventId(source, content)).toBe(eventId(source, content));
  });

  it('differs when source or content differ', () => {
    expect(stringEventId('a', 'b')).not.toBe(stringEventId('a', 'c'));
    expect(stringEventId('a', 'b')).not.toBe(stringEventId('b', 'b'));
  });
});
