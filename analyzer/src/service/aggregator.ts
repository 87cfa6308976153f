/**
 * Alert aggregation per rule: within a window, repeated alerts of one rule for the same
 * source and destination become one alert (deterministic id from rule + key + window start)
 * whose count, last_seen and event list grow. Window 0 passes alerts through unchanged.
 */
import { eventId, type AlertEvent } from '@edusentry/core';
import type { AnalyzerConfig } from '../config';

export interface AggregatedAlerts {
  /** New alerts to write. */
  created: AlertEvent[];
  /** Alerts already written that grew: write their new count/last_seen/events as updates. */
  grown: AlertEvent[];
}

const MAX_EVENTS = 100;

export class AlertAggregator {
  private open = new Map<string, AlertEvent>();

  constructor(private config: AnalyzerConfig['dedup']) {}

  windowMs(ruleId: string): number {
    return (this.config.rules[ruleId] ?? this.config.windowSec) * 1000;
  }

  add(alerts: AlertEvent[]): AggregatedAlerts {
    const created: AlertEvent[] = [];
    const grown = new Set<AlertEvent>();
    for (const a of alerts) {
      const w = this.windowMs(a.rule.id);
      if (w <= 0 || a.rule.ruleset === 'sigma-correlation') {
        created.push(a);
        continue;
      }
      const t = Date.parse(a['@timestamp']);
      const bucket = Math.floor(t / w) * w;
      const drill = (a.edu.drill as { id?: string } | undefined)?.id;
      // A drill's alerts aggregate apart from real ones (the key is unchanged without a drill).
      const key = JSON.stringify([
        a.rule.id,
        a.organization?.id,
        a.source?.ip,
        a.destination?.ip,
        bucket,
        ...(drill ? [drill] : []),
      ]);
      const existing = this.open.get(key);
      if (!existing) {
        const agg: AlertEvent = {
          ...a,
          event: { ...a.event, id: eventId('sigma-agg', key) },
          edu: { ...a.edu, alert: { ...a.edu.alert } },
        };
        this.open.set(key, agg);
        created.push(agg);
        continue;
      }
      const al = existing.edu.alert;
      al.count = (al.count ?? 1) + (a.edu.alert.count ?? 1);
      al.events = [...al.events, ...a.edu.alert.events].slice(0, MAX_EVENTS);
      if (a.edu.alert.last_seen && (!al.last_seen || a.edu.alert.last_seen > al.last_seen))
        al.last_seen = a.edu.alert.last_seen;
      if (!created.includes(existing)) grown.add(existing);
    }
    this.expire();
    return { created, grown: [...grown] };
  }

  /** Keeps the open set small: only the latest windows can still grow. */
  private expire(): void {
    if (this.open.size < 10_000) return;
    const keys = [...this.open.keys()];
    for (const k of keys.slice(0, keys.length - 5_000)) this.open.delete(k);
  }
}
