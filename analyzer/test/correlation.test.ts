/** Correlation rules (sigma-correlation-rules-specification v2.1): all seven types. */
import { Detector } from '../src/sigma';
import { ruleSet } from './helpers';

const base = `title: failed login
id: 11111111-0000-4000-8000-000000000001
name: failed_login
logsource: { product: test }
detection:
  sel: { event.outcome: failure }
  condition: sel
---
title: success login
id: 11111111-0000-4000-8000-000000000002
name: success_login
logsource: { product: test }
detection:
  sel: { event.outcome: success }
  condition: sel
`;

function corr(body: string): string {
  return `${base}---
title: correlation
id: 22222222-0000-4000-8000-000000000001
level: high
correlation:
${body
  .trim()
  .split('\n')
  .map((l) => '  ' + l)
  .join('\n')}
`;
}

let n = 0;
function event(sec: number, outcome: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@timestamp': new Date(Date.UTC(2026, 0, 1, 0, 0, sec)).toISOString(),
    event: { id: `e${++n}`, kind: 'event', dataset: 'syslog', outcome },
    source: { ip: '10.0.0.1' },
    ...fields,
  };
}

function run(yaml: string, events: Record<string, unknown>[]) {
  const d = new Detector(ruleSet(yaml), { latenessMs: 30_000, maxGroups: 1000 });
  return { alerts: events.flatMap((e) => d.process(e)), d };
}

describe('correlations', () => {
  it('"event_count ... counts events occurring in the given time frame ... for each group"', () => {
    const yaml = corr(
      'type: event_count\nrules: [failed_login]\ngroup-by: [source.ip]\ntimespan: 10s\ncondition: { gte: 3 }',
    );
    const { alerts } = run(yaml, [event(0, 'failure'), event(5, 'failure'), event(9, 'failure'), event(30, 'failure')]);
    expect(alerts.map((a) => a.rule.name)).toEqual(['correlation']);
    expect(alerts[0].edu.alert.count).toBe(3);
    expect(alerts[0].edu.alert.group).toEqual({ 'source.ip': '10.0.0.1' });
    // generate is false by default: the base rule produced no alerts of its own.
  });

  it('sliding, not clock-aligned: three events across a bucket boundary still count', () => {
    const yaml = corr(
      'type: event_count\nrules: [failed_login]\ngroup-by: [source.ip]\ntimespan: 10s\ncondition: { gte: 3 }',
    );
    expect(run(yaml, [event(8, 'failure'), event(11, 'failure'), event(17, 'failure')]).alerts).toHaveLength(1);
    expect(run(yaml, [event(0, 'failure'), event(8, 'failure'), event(11, 'failure')]).alerts).toHaveLength(0);
  });

  it('groups separately: the same count split across sources does not fire', () => {
    const yaml = corr(
      'type: event_count\nrules: [failed_login]\ngroup-by: [source.ip]\ntimespan: 10s\ncondition: { gte: 2 }',
    );
    const evs = [
      event(0, 'failure', { source: { ip: '1.1.1.1' } }),
      event(1, 'failure', { source: { ip: '2.2.2.2' } }),
    ];
    expect(run(yaml, evs).alerts).toHaveLength(0);
  });

  it('"value_count ... counts values in a field defined by field"', () => {
    const yaml = corr(
      'type: value_count\nrules: [failed_login]\ngroup-by: [source.ip]\ntimespan: 1m\ncondition: { field: user.name, gte: 3 }',
    );
    const same = [1, 2, 3, 4].map((s) => event(s, 'failure', { user: { name: 'a' } }));
    expect(run(yaml, same).alerts).toHaveLength(0);
    const distinct = ['a', 'b', 'a', 'c'].map((u, i) => event(i, 'failure', { user: { name: u } }));
    const { alerts } = run(yaml, distinct);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].edu.alert.count).toBe(4);
  });

  it('"temporal: All events defined by the rules referred ... must occur in the time frame"', () => {
    const yaml = corr('type: temporal\nrules: [failed_login, success_login]\ngroup-by: [source.ip]\ntimespan: 10s');
    expect(run(yaml, [event(0, 'success'), event(5, 'failure')]).alerts).toHaveLength(1);
    expect(run(yaml, [event(0, 'success'), event(15, 'failure')]).alerts).toHaveLength(0);
  });

  it('"temporal_ordered ... requires in addition that the events appear in the order provided"', () => {
    const yaml = corr(
      'type: temporal_ordered\nrules: [failed_login, success_login]\ngroup-by: [source.ip]\ntimespan: 10s',
    );
    expect(run(yaml, [event(0, 'failure'), event(5, 'success')]).alerts).toHaveLength(1);
    expect(run(yaml, [event(0, 'success'), event(5, 'failure')]).alerts).toHaveLength(0);
  });

  it('value_sum, value_avg and value_percentile aggregate a numeric field', () => {
    const bytes = [100, 200, 700].map((b, i) => event(i, 'failure', { network: { bytes: b } }));
    const sum = corr(
      'type: value_sum\nrules: [failed_login]\ngroup-by: [source.ip]\ntimespan: 1m\ncondition: { field: network.bytes, gte: 1000 }',
    );
    expect(run(sum, bytes).alerts).toHaveLength(1);
    expect(run(sum, bytes.slice(0, 2)).alerts).toHaveLength(0);
    const avg = corr(
      'type: value_avg\nrules: [failed_login]\ngroup-by: [source.ip]\ntimespan: 1m\ncondition: { field: network.bytes, gt: 300 }',
    );
    const avgAlerts = run(avg, bytes).alerts;
    expect(avgAlerts).toHaveLength(1);
    expect(avgAlerts[0].edu.alert.count).toBe(3);
    const pct = corr(
      'type: value_percentile\nrules: [failed_login]\ngroup-by: [source.ip]\ntimespan: 1m\ncondition: { field: network.bytes, percentile: 50, gte: 200 }',
    );
    const pctAlerts = run(pct, bytes).alerts;
    expect(pctAlerts).toHaveLength(1);
    expect(pctAlerts[0].edu.alert.count).toBe(3); // nearest-rank median of 100, 200, 700 is 200
  });

  it('"aliases ... can then be referenced in group-by": different fields, one group', () => {
    const yaml = corr(
      'type: temporal\nrules: [failed_login, success_login]\ngroup-by: [ip]\ntimespan: 10s\naliases:\n  ip:\n    failed_login: source.ip\n    success_login: destination.ip',
    );
    const evs = [
      event(0, 'failure', { source: { ip: '9.9.9.9' } }),
      event(1, 'success', { source: { ip: '1.1.1.1' }, destination: { ip: '9.9.9.9' } }),
    ];
    const { alerts } = run(yaml, evs);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].edu.alert.group).toEqual({ ip: '9.9.9.9' });
  });

  it('"generate: defines if the rules referred ... should be converted as stand-alone rules"', () => {
    const yaml = corr(
      'type: event_count\nrules: [failed_login]\ngroup-by: [source.ip]\ntimespan: 10s\ncondition: { gte: 2 }\ngenerate: true',
    );
    const { alerts } = run(yaml, [event(0, 'failure'), event(1, 'failure')]);
    expect(alerts.map((a) => a.rule.name).sort()).toEqual(['correlation', 'failed login', 'failed login']);
  });

  it('late events within tolerance count; later ones are dropped and counted', () => {
    const yaml = corr(
      'type: event_count\nrules: [failed_login]\ngroup-by: [source.ip]\ntimespan: 10s\ncondition: { gte: 3 }',
    );
    const late = run(yaml, [event(100, 'failure'), event(105, 'failure'), event(98, 'failure')]);
    expect(late.alerts).toHaveLength(1);
    const tooLate = run(yaml, [event(100, 'failure'), event(105, 'failure'), event(20, 'failure')]);
    expect(tooLate.alerts).toHaveLength(0);
    expect(tooLate.d.correlations.stats.late).toBe(1);
  });

  it('bounded state: the least recently used group is evicted and counted', () => {
    const yaml = corr(
      'type: event_count\nrules: [failed_login]\ngroup-by: [source.ip]\ntimespan: 10s\ncondition: { gte: 2 }',
    );
    const d = new Detector(ruleSet(yaml), { latenessMs: 0, maxGroups: 2 });
    for (const ip of ['1.1.1.1', '2.2.2.2', '3.3.3.3']) d.process(event(0, 'failure', { source: { ip } }));
    expect(d.correlations.stats.evicted).toBe(1);
    expect(d.process(event(1, 'failure', { source: { ip: '1.1.1.1' } }))).toHaveLength(0); // its first event was evicted
    expect(d.process(event(1, 'failure', { source: { ip: '3.3.3.3' } }))).toHaveLength(1);
  });

  it('alert ids are deterministic: a replay produces the same ids', () => {
    const yaml = corr(
      'type: event_count\nrules: [failed_login]\ngroup-by: [source.ip]\ntimespan: 10s\ncondition: { gte: 2 }',
    );
    const evs = [event(0, 'failure'), event(1, 'failure')];
    expect(run(yaml, evs).alerts.map((a) => a.event.id)).toEqual(run(yaml, evs).alerts.map((a) => a.event.id));
  });

  it('chained correlations: a correlation can refer to another', () => {
    const yaml =
      corr('type: event_count\nrules: [failed_login]\ngroup-by: [source.ip]\ntimespan: 10s\ncondition: { gte: 2 }') +
      `---
title: brute force then success
id: 33333333-0000-4000-8000-000000000001
correlation:
  type: temporal_ordered
  rules: [22222222-0000-4000-8000-000000000001, success_login]
  group-by: [source.ip]
  timespan: 1m
`;
    const { alerts } = run(yaml, [event(0, 'failure'), event(1, 'failure'), event(5, 'success')]);
    expect(alerts.map((a) => a.rule.name)).toEqual(['brute force then success']);
  });
});

describe('correlation alerts name the ends they are about', () => {
  const yaml = corr(
    'type: event_count\nrules: [failed_login]\ngroup-by: [host.name]\ntimespan: 1m\ncondition: { gte: 3 }',
  );
  const at = (sec: number, src: string, dst: string, port = 22) =>
    event(sec, 'failure', { host: { name: 'web-1' }, source: { ip: src }, destination: { ip: dst, port } });

  it('an SSH brute force grouped by host carries the guesser as source.ip and the attacked server as destination', () => {
    const { alerts } = run(yaml, [
      at(0, '203.0.113.9', '10.1.1.2'),
      at(5, '203.0.113.9', '10.1.1.2'),
      at(9, '203.0.113.9', '10.1.1.2'),
    ]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].source).toEqual({ ip: '203.0.113.9' });
    expect(alerts[0].destination).toEqual({ ip: '10.1.1.2', port: 22 });
    expect(alerts[0].host).toEqual({ name: 'web-1' }); // the group-by value, as the field it came from
  });

  it('an end the events do not share is left out, a shared address without a shared port keeps the address', () => {
    const { alerts } = run(yaml, [
      at(0, '203.0.113.9', '10.1.1.2', 22),
      at(5, '198.51.100.4', '10.1.1.2', 2222),
      at(9, '203.0.113.9', '10.1.1.2'),
    ]);
    expect(alerts[0].source).toBeUndefined();
    expect(alerts[0].destination).toEqual({ ip: '10.1.1.2' });
  });
});

describe('hot reload', () => {
  it('a reloaded rule set keeps the correlation windows of unchanged correlations', () => {
    const yaml = corr(
      'type: event_count\nrules: [failed_login]\ngroup-by: [source.ip]\ntimespan: 10s\ncondition: { gte: 3 }',
    );
    const first = new Detector(ruleSet(yaml));
    first.process(event(0, 'failure'));
    first.process(event(1, 'failure'));
    const reloaded = first.reload(ruleSet(yaml));
    expect(reloaded.process(event(2, 'failure')).map((a) => a.rule.name)).toEqual(['correlation']);
  });
});
