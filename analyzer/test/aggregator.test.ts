/** Alert aggregation within a window, configurable per rule. */
import type { AlertEvent } from '@edusentry/core';
import { analyzerConfigSchema } from '../src';
import { AlertAggregator } from '../src/service/aggregator';

function alert(ruleId: string, t: string, ev: string, src = '198.51.100.1'): AlertEvent {
  return {
    '@timestamp': t,
    event: { id: `${ruleId}-${ev}`, kind: 'alert', dataset: 'alert' },
    rule: { id: ruleId, name: ruleId, ruleset: 'sigma' },
    source: { ip: src },
    edu: { alert: { status: 'new', events: [ev], count: 1, last_seen: t } },
  };
}

describe('alert aggregation', () => {
  const config = analyzerConfigSchema.parse({ dedup: { windowSec: 0, rules: { noisy: 60 } } }).dedup;

  it('passes alerts through when the rule has no window', () => {
    const agg = new AlertAggregator(config);
    const r = agg.add([alert('quiet', '2026-01-01T00:00:00Z', 'a'), alert('quiet', '2026-01-01T00:00:01Z', 'b')]);
    expect(r.created).toHaveLength(2);
  });

  it('folds repeats of a windowed rule from one source into one alert with a count', () => {
    const agg = new AlertAggregator(config);
    const first = agg.add([alert('noisy', '2026-01-01T00:00:00Z', 'a'), alert('noisy', '2026-01-01T00:00:10Z', 'b')]);
    expect(first.created).toHaveLength(1);
    expect(first.created[0].edu.alert.count).toBe(2);
    const later = agg.add([
      alert('noisy', '2026-01-01T00:00:20Z', 'c'),
      alert('noisy', '2026-01-01T00:00:20Z', 'd', '198.51.100.2'),
    ]);
    expect(later.created).toHaveLength(1); // the other source opens its own alert
    expect(later.grown).toHaveLength(1);
    expect(later.grown[0].edu.alert.count).toBe(3);
    expect(later.grown[0].edu.alert.events).toEqual(['a', 'b', 'c']);
    const nextWindow = agg.add([alert('noisy', '2026-01-01T00:01:05Z', 'e')]);
    expect(nextWindow.created).toHaveLength(1);
    expect(nextWindow.created[0].event.id).not.toBe(first.created[0].event.id);
  });
});
