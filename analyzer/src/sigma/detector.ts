/**
 * Events in, alerts out: the rule set's single-event matches (for rules that alert on their
 * own) and the correlations those matches complete, chained correlations included.
 */
import { getField, setField, type AlertEvent } from '@edusentry/core';
import { buildAlert } from './alert';
import { CorrelationEngine, type CorrelationHit, type CorrelationOptions } from './correlate/engine';
import type { RuleSet } from './match/ruleset';

export interface DetectorCounters {
  events: number;
  matches: number;
  alerts: number;
  correlationAlerts: number;
  badTime: number;
}

export class Detector {
  readonly correlations: CorrelationEngine;
  readonly counters: DetectorCounters = { events: 0, matches: 0, alerts: 0, correlationAlerts: 0, badTime: 0 };

  constructor(
    readonly rules: RuleSet,
    private opts: Partial<CorrelationOptions> = {},
  ) {
    this.correlations = new CorrelationEngine(rules.correlations, {
      latenessMs: opts.latenessMs ?? 60_000,
      maxGroups: opts.maxGroups ?? 100_000,
    });
  }

  /** A detector for a reloaded rule set that keeps this one's correlation state. */
  reload(rules: RuleSet): Detector {
    const next = new Detector(rules, this.opts);
    next.correlations.adoptStateFrom(this.correlations);
    Object.assign(next.counters, this.counters);
    return next;
  }

  process(doc: Record<string, unknown>): AlertEvent[] {
    this.counters.events++;
    const matched = this.rules.match(doc);
    if (matched.length === 0) return [];
    const out: AlertEvent[] = [];
    const id = String((doc.event as { id?: string } | undefined)?.id ?? '');
    const timeMs = Date.parse(String(doc['@timestamp']));
    for (const r of matched) {
      this.counters.matches++;
      if (r.alerting) {
        out.push(
          buildAlert({
            doc: r.rule,
            ruleKey: r.key,
            events: [doc],
            eventIds: [id],
            firstMs: timeMs || Date.now(),
            lastMs: timeMs || Date.now(),
          }),
        );
        this.counters.alerts++;
      }
      if (!this.correlations.listensTo(r.key)) continue;
      if (!Number.isFinite(timeMs)) {
        this.counters.badTime++;
        continue;
      }
      this.feed({ ruleKey: r.key, doc, timeMs, eventId: id }, out);
    }
    return out;
  }

  private feed(input: Parameters<CorrelationEngine['add']>[0], out: AlertEvent[], depth = 0): void {
    for (const hit of this.correlations.add(input)) {
      const alert = correlationAlert(hit);
      if (hit.correlation.rule.generate || !this.isReferenced(hit.correlation.key)) {
        out.push(alert);
        this.counters.correlationAlerts++;
      }
      if (depth < 8)
        this.feed(
          {
            ruleKey: hit.correlation.key,
            doc: alert as unknown as Record<string, unknown>,
            timeMs: hit.lastMs,
            eventId: alert.event.id,
          },
          out,
          depth + 1,
        );
    }
  }

  private isReferenced(key: string): boolean {
    return this.rules.correlations.some((c) => c.refs.includes(key) && !c.rule.generate);
  }
}

function correlationAlert(hit: CorrelationHit): AlertEvent {
  const ids = hit.events.map((e) => e.eventId);
  const alert = buildAlert({
    doc: hit.correlation.rule,
    ruleKey: hit.correlation.key,
    events: hit.events.map((e) => e.doc),
    eventIds: ids.slice(0, 100),
    count: hit.events.length,
    firstMs: hit.firstMs,
    lastMs: hit.lastMs,
    group: hit.group,
    idParts: { group: hit.groupKey, first: ids[0] },
  });
  // The group values as fields of the alert, so a chained correlation can group by them.
  const fields = hit.correlation.groupFields[hit.events[0].ruleKey] ?? [];
  const values = Object.values(hit.group);
  fields.forEach((f, i) => {
    if (getField(alert, f) === undefined) setField(alert as unknown as Record<string, unknown>, f, values[i]);
  });
  return alert;
}
