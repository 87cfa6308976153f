/**
 * Authentication events carry complete ECS fields (#14 §2): the analyzer learns user
 * bindings from these fields alone (core's bindingOf), never by re-parsing the raw line,
 * so the parsers must set event.category authentication, event.type start|end,
 * user.name, client.ip/source.ip and the session id.
 */
import { bindingOf, type Binding } from '@edusentry/core';
import { lineToEvent } from '../../src/logs';

const at = Date.UTC(2026, 0, 1, 8);
const parse = (line: string) => lineToEvent(line, '10.0.0.2', at, { plain: true }) as unknown as Record<string, any>;

describe('authentication events as ECS', () => {
  it.each([
    [
      'RADIUS start',
      'Acct-Status-Type = Start, User-Name = "2023001234", Framed-IP-Address = 10.70.1.5, Acct-Session-Id = "s1"',
      'start',
      { ip: '10.70.1.5', user: '2023001234', action: 'start', session: 's1' },
    ],
    [
      'RADIUS interim update (the open session goes on)',
      'Acct-Status-Type = Interim-Update, User-Name = "2023001234", Framed-IP-Address = 10.70.1.5, Acct-Session-Id = "s1"',
      'start',
      { ip: '10.70.1.5', user: '2023001234', action: 'start', session: 's1' },
    ],
    [
      'RADIUS stop',
      'Acct-Status-Type = Stop, User-Name = "2023001234", Framed-IP-Address = 10.70.1.5, Acct-Session-Id = "s1"',
      'end',
      { ip: '10.70.1.5', user: '2023001234', action: 'stop', session: 's1' },
    ],
    [
      'portal login with a session',
      'portal: action=login user=teacher02 ip=10.70.1.6 session=p-77',
      'start',
      { ip: '10.70.1.6', user: 'teacher02', action: 'start', session: 'p-77' },
    ],
    [
      'portal logout in Chinese keys',
      '用户下线 用户名=teacher02 用户IP=10.70.1.6',
      'end',
      { ip: '10.70.1.6', user: 'teacher02', action: 'stop' },
    ],
  ] as [string, string, string, Binding][])('%s', (_name, line, type, binding) => {
    const e = parse(line);
    expect(e.event.category).toContain('authentication');
    expect(e.event.type).toEqual([type]);
    expect(e.user.name).toBe(binding.user);
    expect(e.client.ip).toBe(binding.ip);
    expect(e.source.ip).toBe(binding.ip);
    if (binding.session) expect(e.edu.session.id).toBe(binding.session);
    expect(bindingOf(e)).toEqual(binding);
  });

  it('an accounting record that is neither start nor stop, a failed login or a flow binds nothing', () => {
    const on = parse('Acct-Status-Type = Accounting-On, NAS-IP-Address = 10.0.0.2');
    expect(on.event.type).toEqual(['info']);
    expect(bindingOf(on)).toBeUndefined();
    const ok = parse('portal: action=login user=teacher02 ip=10.70.1.6');
    expect(bindingOf({ ...ok, event: { ...ok.event, outcome: 'failure' } })).toBeUndefined();
    expect(
      bindingOf({ event: { category: ['network'], type: ['start'] }, user: { name: 'x' }, source: { ip: '10.0.0.9' } }),
    ).toBeUndefined();
  });
});
