/**
 * Correlation rules over sliding windows of event time (not clock-aligned buckets): each
 * group keeps its matching events in time order; a window of `timespan` ending at the newest
 * event (and, for a late event, the windows around it) is evaluated on every arrival. Events
 * later than `latenessMs` behind the newest one are dropped and counted. State is bounded:
 * at most `maxGroups` groups per correlation, the least recently used evicted and counted.
 * When a correlation fires, the events of that window are consumed so they cannot fire twice.
 */
import type { CompiledCorrelation } from '../match/ruleset';
import type { CountCondition } from '../types';
import { EventView } from '../match/event-view';

export interface CorrelationInput {
  /** Key of the rule (detection or correlation) that matched. */
  ruleKey: string;
  doc: Record<string, unknown>;
  timeMs: number;
  eventId: string;
}

export interface CorrelationHit {
  correlation: CompiledCorrelation;
  group: Record<string, string>;
  groupKey: string;
  events: CorrelationInput[];
  firstMs: number;
  lastMs: number;
  /** The aggregated value that met the condition (count, distinct count, sum, ...). */
  value: number;
}

export interface CorrelationOptions {
  latenessMs: number;
  maxGroups: number;
}

export interface CorrelationStats {
  late: number;
  evicted: number;
  groups: number;
}

interface Entry extends CorrelationInput {
  value?: unknown;
}

interface GroupState {
  group: Record<string, string>;
  entries: Entry[];
}

interface CorrState {
  c: CompiledCorrelation;
  groups: Map<string, GroupState>;
  watermark: number;
}

export class CorrelationEngine {
  private states: CorrState[];
  private byRef = new Map<string, CorrState[]>();
  readonly stats: CorrelationStats = { late: 0, evicted: 0, groups: 0 };

  constructor(
    correlations: CompiledCorrelation[],
    private opts: CorrelationOptions,
  ) {
    this.states = correlations.map((c) => ({ c, groups: new Map(), watermark: -Infinity }));
    for (const s of this.states) {
      for (const ref of new Set(s.c.refs)) {
        if (!this.byRef.has(ref)) this.byRef.set(ref, []);
        this.byRef.get(ref)!.push(s);
      }
    }
  }

  /** Keys of rules some correlation listens to. */
  listensTo(ruleKey: string): boolean {
    return this.byRef.has(ruleKey);
  }

  /** Feeds one match; returns the correlations it completes (chained ones included via `chain`). */
  add(input: CorrelationInput): CorrelationHit[] {
    const hits: CorrelationHit[] = [];
    for (const s of this.byRef.get(input.ruleKey) ?? []) {
      const hit = this.addTo(s, input);
      if (hit) hits.push(hit);
    }
    return hits;
  }

  /** Carries state over to a reloaded rule set: same correlation key, same state. */
  adoptStateFrom(old: CorrelationEngine): void {
    const prev = new Map(old.states.map((s) => [s.c.key, s]));
    for (const s of this.states) {
      const p = prev.get(s.c.key);
      if (p) {
        s.groups = p.groups;
        s.watermark = p.watermark;
      }
    }
    this.stats.late = old.stats.late;
    this.stats.evicted = old.stats.evicted;
  }

  /** JSON-serialisable state (slim event documents), so a restart keeps its windows. */
  snapshot(): unknown {
    return this.states.map((s) => ({
      key: s.c.key,
      watermark: s.watermark,
      groups: [...s.groups.entries()].map(([k, g]) => [k, g.group, g.entries.map((e) => ({ ...e, doc: slim(e.doc) }))]),
    }));
  }

  restore(snapshot: unknown): void {
    if (!Array.isArray(snapshot)) return;
    const byKey = new Map(this.states.map((s) => [s.c.key, s]));
    for (const saved of snapshot as {
      key: string;
      watermark: number;
      groups: [string, Record<string, string>, Entry[]][];
    }[]) {
      const s = byKey.get(saved.key);
      if (!s) continue;
      s.watermark = saved.watermark ?? -Infinity;
      s.groups = new Map(saved.groups.map(([k, group, entries]) => [k, { group, entries }]));
    }
  }

  private addTo(s: CorrState, input: CorrelationInput): CorrelationHit | undefined {
    const { c } = s;
    const view = new EventView(input.doc);
    const fields = c.groupFields[input.ruleKey] ?? [];
    const group: Record<string, string> = {};
    for (let i = 0; i < fields.length; i++) {
      const v = view.strings(fields[i]);
      if (v.length === 0) return undefined; // like a terms aggregation: no value, no group
      group[c.rule.groupBy[i]] = v[0];
    }
    let value: unknown;
    const vf = c.valueField[input.ruleKey];
    if (vf) {
      const v = view.values(vf);
      if (v.length === 0 || v[0] === null) return undefined;
      value = v[0];
    }
    if (input.timeMs < s.watermark - this.opts.latenessMs) {
      this.stats.late++;
      return undefined;
    }
    s.watermark = Math.max(s.watermark, input.timeMs);
    const groupKey = JSON.stringify(Object.values(group));
    let g = s.groups.get(groupKey);
    if (g) s.groups.delete(groupKey);
    else {
      g = { group, entries: [] };
      if (s.groups.size >= this.opts.maxGroups) {
        const oldest = s.groups.keys().next().value as string;
        s.groups.delete(oldest);
        this.stats.evicted++;
      }
    }
    s.groups.set(groupKey, g); // most recently used last
    const entries = g.entries;
    let at = entries.length;
    while (at > 0 && entries[at - 1].timeMs > input.timeMs) at--;
    entries.splice(at, 0, { ...input, value });
    // Forget what no future window (late events included) can reach.
    const horizon = s.watermark - c.rule.timespanMs - this.opts.latenessMs;
    let drop = 0;
    while (drop < entries.length && entries[drop].timeMs < horizon) drop++;
    if (drop) entries.splice(0, drop);

    const windows: [number, number][] = [[input.timeMs - c.rule.timespanMs, input.timeMs]];
    if (at < entries.length - 1) windows.push([input.timeMs, input.timeMs + c.rule.timespanMs]);
    for (const [from, to] of windows) {
      const inWindow = entries.filter((e) => e.timeMs >= from && e.timeMs <= to);
      const value = evaluate(c, inWindow);
      if (value === undefined) continue;
      const consumed = new Set(inWindow);
      g.entries = entries.filter((e) => !consumed.has(e));
      this.stats.groups = this.groupCount();
      return {
        correlation: c,
        group,
        groupKey,
        events: inWindow,
        firstMs: inWindow[0].timeMs,
        lastMs: inWindow[inWindow.length - 1].timeMs,
        value,
      };
    }
    this.stats.groups = this.groupCount();
    return undefined;
  }

  private groupCount(): number {
    let n = 0;
    for (const s of this.states) n += s.groups.size;
    return n;
  }
}

/** The aggregate of a window if it meets the condition, else undefined. */
function evaluate(c: CompiledCorrelation, entries: Entry[]): number | undefined {
  if (entries.length === 0) return undefined;
  const cond = c.rule.condition;
  switch (c.rule.type) {
    case 'event_count':
      return check(cond, entries.length);
    case 'value_count':
      return check(cond, new Set(entries.map((e) => String(e.value).toLowerCase())).size);
    case 'value_sum':
    case 'value_avg':
    case 'value_percentile': {
      const nums = entries.map((e) => Number(e.value)).filter((n) => Number.isFinite(n));
      if (nums.length === 0) return undefined;
      if (c.rule.type === 'value_sum')
        return check(
          cond,
          nums.reduce((a, b) => a + b, 0),
        );
      if (c.rule.type === 'value_avg') return check(cond, nums.reduce((a, b) => a + b, 0) / nums.length);
      return check(cond, percentile(nums, c.rule.percentile ?? 95));
    }
    case 'temporal': {
      const distinct = new Set(entries.map((e) => e.ruleKey)).size;
      return Object.keys(cond).length
        ? check(cond, distinct)
        : distinct === new Set(c.refs).size
          ? distinct
          : undefined;
    }
    case 'temporal_ordered': {
      // The referenced rules must match in the order written, each after the previous one.
      let after = -Infinity;
      for (const ref of c.refs) {
        const next = entries.find((e) => e.ruleKey === ref && e.timeMs >= after);
        if (!next) return undefined;
        after = next.timeMs;
      }
      return c.refs.length;
    }
  }
}

function check(cond: CountCondition, n: number): number | undefined {
  if (cond.gt !== undefined && !(n > cond.gt)) return undefined;
  if (cond.gte !== undefined && !(n >= cond.gte)) return undefined;
  if (cond.lt !== undefined && !(n < cond.lt)) return undefined;
  if (cond.lte !== undefined && !(n <= cond.lte)) return undefined;
  if (cond.eq !== undefined && n !== cond.eq) return undefined;
  if (cond.neq !== undefined && n === cond.neq) return undefined;
  return n;
}

/** Nearest-rank percentile. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** What an alert needs from a correlated event: its identity, time, organisation and endpoints. */
function slim(doc: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['@timestamp', 'event', 'organization', 'user', 'source', 'destination', 'observer'])
    if (doc[k] !== undefined) out[k] = doc[k];
  return out;
}
