/**
 * The rule policy applied to the alerts the detector produces, before they are aggregated and
 * written: a switched-off rule's alerts are dropped, a severity override rewrites rule.level
 * and event.severity, and an exception in force drops the alerts matching all its conditions.
 * Source, destination and organisation are read from the alert; the URL pattern from the
 * triggering event of a single-event alert (a correlation alert has no one URL, so an exception
 * with a URL pattern never matches it). Expiry is checked against the clock at each alert, so an
 * exception stops suppressing the moment it expires. An entry that cannot be compiled (a bad
 * address block) is skipped and reported in `problems`; the rest of the policy holds.
 */
import { cidrRange, ipKey, type AlertEvent } from '@edusentry/core';
import { SEVERITY } from '../sigma/alert';
import { parseSigmaString, compilePattern, type StringTest } from '../sigma/compile/sigma-string';
import type { RuleException, RulePolicyDoc } from './rule-policy';

export type PolicyVerdict = 'keep' | 'disabled' | 'excepted';

/** One alert as the exceptions read it; addresses are keyed once per alert, not once per exception. */
class Subject {
  private keys: Partial<Record<'source' | 'destination', string | null>> = {};
  constructor(
    readonly alert: AlertEvent,
    readonly event: Record<string, unknown>,
  ) {}

  key(side: 'source' | 'destination'): string | null {
    if (!(side in this.keys)) {
      const ip = this.alert[side]?.ip;
      this.keys[side] = (ip && ipKey(ip)) || null;
    }
    return this.keys[side]!;
  }
}

interface CompiledException {
  id: string;
  expiresMs: number;
  tests: ((s: Subject) => boolean)[];
}

function addressTest(value: string, side: 'source' | 'destination') {
  const [lo, hi] = value.includes('/') ? cidrRange(value) : [ipKey(value), ipKey(value)];
  if (!lo || !hi) throw new Error(`"${value}" is not an IP address or CIDR block`);
  return (s: Subject) => {
    const k = s.key(side);
    return k !== null && k >= lo && k <= hi;
  };
}

function urlTest(pattern: string): CompiledException['tests'][number] {
  const test: StringTest = compilePattern(parseSigmaString(pattern), false);
  return ({ alert, event }) => {
    if (alert.rule.ruleset === 'sigma-correlation') return false;
    const u = event.url as Record<string, unknown> | undefined;
    if (!u) return false;
    return [u.full, u.original, u.path, u.domain].some((v) => typeof v === 'string' && test(v));
  };
}

function compileException(e: RuleException): CompiledException {
  const tests: CompiledException['tests'] = [];
  if (e.source) tests.push(addressTest(e.source, 'source'));
  if (e.destination) tests.push(addressTest(e.destination, 'destination'));
  if (e.url) tests.push(urlTest(e.url));
  if (e.orgId) {
    const orgs = new Set(e.orgIds?.length ? e.orgIds : [e.orgId]);
    tests.push(({ alert }) => orgs.has(alert.organization?.id ?? ''));
  }
  if (!tests.length) throw new Error('no condition (source, destination, url or organisation)');
  const expiresMs = Date.parse(e.expiresAt);
  if (!Number.isFinite(expiresMs)) throw new Error(`expiresAt "${e.expiresAt}" is not a time`);
  return { id: e.id, expiresMs, tests };
}

/** Alerts the policy dropped, by exception id and by switched-off rule id. */
export interface DropCounts {
  exceptions: Record<string, number>;
  rules: Record<string, number>;
}

export class PolicyFilter {
  readonly version: number;
  private disabled = new Set<string>();
  private levels = new Map<string, string>();
  private exceptions = new Map<string, CompiledException[]>();
  readonly problems: { exception: string; message: string }[] = [];

  /** `drops` is counted into (the service keeps one across policy versions). */
  constructor(
    doc: RulePolicyDoc,
    readonly drops: DropCounts = { exceptions: {}, rules: {} },
  ) {
    this.version = doc.version;
    for (const [id, o] of Object.entries(doc.rules)) {
      if (o.enabled === false) this.disabled.add(id);
      if (o.level && SEVERITY[o.level] !== undefined) this.levels.set(id, o.level);
    }
    for (const e of doc.exceptions) {
      try {
        const c = compileException(e);
        const list = this.exceptions.get(e.ruleId) ?? [];
        list.push(c);
        this.exceptions.set(e.ruleId, list);
      } catch (err) {
        this.problems.push({ exception: e.id, message: (err as Error).message });
      }
    }
  }

  /** Decides one alert (and rewrites its severity when overridden). `event` triggered it. */
  apply(alert: AlertEvent, event: Record<string, unknown>, nowMs: number): PolicyVerdict {
    const id = alert.rule.id;
    if (this.disabled.has(id)) {
      this.drops.rules[id] = (this.drops.rules[id] ?? 0) + 1;
      return 'disabled';
    }
    const exceptions = this.exceptions.get(id);
    if (exceptions) {
      const subject = new Subject(alert, event);
      const hit = exceptions.find((e) => e.expiresMs > nowMs && e.tests.every((t) => t(subject)));
      if (hit) {
        this.drops.exceptions[hit.id] = (this.drops.exceptions[hit.id] ?? 0) + 1;
        return 'excepted';
      }
    }
    const level = this.levels.get(id);
    if (level) {
      alert.rule.level = level;
      alert.event.severity = SEVERITY[level];
    }
    return 'keep';
  }
}
