import { formatBytes, formatDuration, formatRate, formatTime, rangeToQuery } from '../time';
import { allowedActions } from '../severity';
import { categories, categoryKeys, gradeKeys, grades, nextStatuses } from '../incident';
import { eventSummary, flattenEvent, pick } from '../fields';
import { buildOrgTree, riskAtLevel } from '../org';
import { errorText } from '../error';
import { toQueryString } from '../../service/request';
import zhCN from '../../locales/langs/zh-cn';
import enUS from '../../locales/langs/en-us';

function keyPaths(obj: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) =>
    v && typeof v === 'object' ? keyPaths(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

describe('time', () => {
  it('turns a preset into an ISO range ending now', () => {
    const now = Date.UTC(2026, 0, 2, 12, 0, 0);
    expect(rangeToQuery({ preset: '24h' }, now)).toEqual({
      from: '2026-01-01T12:00:00.000Z',
      to: '2026-01-02T12:00:00.000Z',
    });
    expect(rangeToQuery({ from: 0, to: 1000 })).toEqual({
      from: '1970-01-01T00:00:00.000Z',
      to: '1970-01-01T00:00:01.000Z',
    });
  });
  it('formats durations, sizes and bad input', () => {
    expect(formatDuration(42)).toBe('42s');
    expect(formatDuration(3 * 86400 + 4 * 3600 + 5)).toBe('3d 4h');
    expect(formatDuration(-1)).toBe('-');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536 * 1024)).toBe('1.5 MiB');
    expect(formatRate(0)).toBe('0');
    expect(formatRate(0.0014)).toBe('< 0.01');
    expect(formatRate(3.14159)).toBe('3.14');
    expect(formatRate(1234.56)).toBe('1,234.6');
    expect(formatTime(null)).toBe('-');
    expect(formatTime('not a date')).toBe('not a date');
    expect(formatTime('2026-01-02T03:04:05Z')).toMatch(/^2026-01-0[12] \d\d:04:05$/);
  });
});

describe('triage and incident state rules', () => {
  it('offers only the transitions the server allows', () => {
    expect(allowedActions('new')).toContain('acknowledge');
    expect(allowedActions('acknowledged')).not.toContain('acknowledge');
    expect(allowedActions('closed')).toEqual(['reopen']);
    expect(nextStatuses('open')).toEqual(['investigating', 'contained', 'closed']);
    expect(nextStatuses('contained')).toEqual(['closed']);
    expect(nextStatuses('closed')).toEqual(['open']);
  });
  it('has a locale label for every grade and GB/Z 20986 category', () => {
    expect(grades).toEqual(['特别重大', '重大', '较大', '一般']);
    expect(categories).toHaveLength(7);
    for (const g of grades) expect((enUS.incident.grades as Record<string, string>)[gradeKeys[g]]).toBeTruthy();
    for (const c of categories) expect((zhCN.incident.categories as Record<string, string>)[categoryKeys[c]]).toBe(c);
  });
});

describe('locales', () => {
  it('English has exactly the keys of Chinese', () => {
    expect(keyPaths(enUS).sort()).toEqual(keyPaths(zhCN).sort());
  });
  it('maps every documented error code', () => {
    for (const code of [
      'EDU_ERR_AUTH_FAILED',
      'EDU_ERR_PASSWORD_CHANGE_REQUIRED',
      'EDU_ERR_SESSION_EXPIRED',
      'EDU_ERR_OUT_OF_SCOPE',
      'EDU_ERR_INVALID_TRANSITION',
    ]) {
      expect(Object.keys(zhCN.errorCode)).toContain(code);
    }
  });
});

describe('fields', () => {
  const event = {
    '@timestamp': 't',
    event: { id: 'e1', category: ['web', 'network'] },
    url: { original: '/<script>x</script>' },
    user_agent: { original: 'ua' },
  };
  it('flattens nested events into sorted dotted paths', () => {
    const flat = flattenEvent(event);
    expect(flat.map(([k]) => k)).toEqual([
      '@timestamp',
      'event.category',
      'event.id',
      'url.original',
      'user_agent.original',
    ]);
    expect(Object.fromEntries(flat)['event.category']).toBe('web, network');
  });
  it('picks and summarises', () => {
    expect(pick(event, 'url.original')).toBe('/<script>x</script>');
    expect(pick(event, 'source.ip')).toBeUndefined();
    expect(eventSummary(event)).toBe('/<script>x</script> · ua');
  });
});

describe('org tree and risk roll-up', () => {
  const nodes = [
    { id: 'p', name: 'Province', level: 'province' as const, parentId: null, cidrs: [] },
    { id: 'c', name: 'City', level: 'city' as const, parentId: 'p', cidrs: [] },
    { id: 's1', name: 'School 1', level: 'school' as const, parentId: 'c', cidrs: ['10.1.0.0/16'] },
    { id: 's2', name: 'School 2', level: 'school' as const, parentId: 'c', cidrs: [] },
  ];
  it('nests children under parents', () => {
    const tree = buildOrgTree(nodes);
    expect(tree).toHaveLength(1);
    expect(tree[0].children![0].children!.map((n) => n.key)).toEqual(['s1', 's2']);
  });
  it('ranks one level by score with parent names', () => {
    const sev = { critical: 0, high: 0, medium: 0, low: 0, informational: 0 };
    const risk = [
      { orgId: 'c', name: 'City', level: 'city' as const, parentId: 'p', score: 12, open: 3, bySeverity: sev },
      { orgId: 's1', name: 'School 1', level: 'school' as const, parentId: 'c', score: 2, open: 1, bySeverity: sev },
      { orgId: 's2', name: 'School 2', level: 'school' as const, parentId: 'c', score: 10, open: 2, bySeverity: sev },
    ];
    expect(riskAtLevel(risk, 'school').map((r) => [r.orgId, r.parentName])).toEqual([
      ['s2', 'City'],
      ['s1', 'City'],
    ]);
  });
});

describe('request helpers', () => {
  it('builds query strings without empty values', () => {
    expect(toQueryString({ a: 1, b: undefined, c: '', d: ['x', 'y'], e: null })).toBe('?a=1&d=x%2Cy');
    expect(toQueryString({})).toBe('');
  });
  it('translates known error codes and falls back to the server message', () => {
    const messages: Record<string, string> = {
      'errorCode.EDU_ERR_CONFLICT': 'conflict: {msg}',
      'error.network': 'offline',
      'error.server': 'server',
    };
    const t = (k: string, named?: Record<string, unknown>) =>
      (messages[k] ?? k).replace('{msg}', String(named?.msg ?? ''));
    const te = (k: string) => k in messages;
    expect(errorText({ code: 'EDU_ERR_CONFLICT', message: 'username taken' }, t, te)).toBe('conflict: username taken');
    expect(errorText({ code: 'EDU_ERR_NEW_THING', message: 'explained' }, t, te)).toBe('explained');
    expect(errorText({ code: 'NETWORK' }, t, te)).toBe('offline');
  });
});
