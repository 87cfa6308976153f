/**
 * Runs a scenario against a store: writes each `events`/`site` inject at its offset (the
 * school's organisation and observer, `edu.drill.id`, `tags: [drill]`), then watches the store
 * for what the school did — an alert of the expected rule carrying the drill id, that alert
 * triaged (the console writes triage into the alert) — until every expectation is met or its
 * time is up. `speed` divides offsets and limits, so a 30-minute plan rehearses in seconds.
 */
import {
  eventId,
  type EcsEvent,
  type EventStore,
  type Filter,
  type Observer,
  type Organization,
} from '@edusentry/core';
import type { Expectation, Inject, Scenario } from './scenario';
import { scoreRun, type ExpectationResult, type RunScore } from './score';

export interface DrillRunOptions {
  store: EventStore;
  scenario: Scenario;
  org: Organization;
  /** The school's collector; default: the newest heartbeat's observer, else the drill runner. */
  observer?: Observer;
  speed?: number;
  drillId?: string;
  pollMs?: number;
  now?: () => number;
  /** Each timeline entry as it happens (the CLI prints them). */
  onTimeline?: (entry: TimelineEntry) => void;
}

export interface TimelineEntry {
  at: string;
  what: 'inject' | 'met' | 'expired' | 'pending';
  inject: string;
  expectation?: string;
  detail?: string;
}

export interface DrillRunResult extends RunScore {
  drillId: string;
  scenario: string;
  orgId: string;
  timeline: TimelineEntry[];
}

/** Only these can be measured from the store today; the rest wait for the console's drill runs. */
const MEASURED = new Set<Expectation['type']>(['detect', 'acknowledge']);

export async function runDrill(o: DrillRunOptions): Promise<DrillRunResult> {
  const now = o.now ?? Date.now;
  const speed = o.speed && o.speed > 0 ? o.speed : 1;
  const pollMs = o.pollMs ?? 500;
  const drillId = o.drillId ?? `drill-${o.scenario.id}-${now().toString(36)}`;
  const observer = o.observer ?? (await schoolObserver(o.store, o.org.id));
  const timeline: TimelineEntry[] = [];
  const note = (e: Omit<TimelineEntry, 'at'>) => {
    const entry = { at: new Date(now()).toISOString(), ...e };
    timeline.push(entry);
    o.onTimeline?.(entry);
  };
  const t0 = now();
  const injects = [...o.scenario.injects].sort((a, b) => a.offset - b.offset);
  const results: (ExpectationResult & { dueAt: number; sentAt?: number })[] = [];
  let next = 0;
  for (;;) {
    while (next < injects.length && now() >= t0 + injects[next].offset / speed) {
      const inj = injects[next++];
      const sentAt = now();
      if (inj.events)
        await o.store.write(
          injectEvents(inj, { drillId, scenario: o.scenario.id, org: o.org, observer, at: sentAt, speed }),
        );
      note({
        what: 'inject',
        inject: inj.id,
        detail:
          inj.kind === 'message' || inj.kind === 'manual'
            ? inj.text?.zh
            : `${(inj.events?.length ?? 0) * inj.count} events`,
      });
      for (const e of inj.expectations) {
        const r = {
          id: e.id,
          type: e.type,
          inject: inj.id,
          outcome: 'pending' as const,
          score: null,
          dueAt: sentAt + e.within / speed,
          sentAt,
        };
        results.push(r);
        if (!MEASURED.has(e.type))
          note({
            what: 'pending',
            inject: inj.id,
            expectation: e.id,
            detail: `${e.type}: not measured by the drill runner`,
          });
      }
    }
    const open = results.filter((r) => r.outcome === 'pending' && MEASURED.has(r.type));
    for (const r of open) {
      const exp = injects.find((i) => i.id === r.inject)!.expectations.find((e) => e.id === r.id)!;
      const evidence = await check(o.store, drillId, o.org.id, exp);
      const t = now();
      if (evidence) {
        Object.assign(r, {
          outcome: 'full',
          score: 100,
          evidence,
          seconds: Math.round(((t - r.sentAt!) * speed) / 100) / 10,
        });
        note({ what: 'met', inject: r.inject, expectation: r.id, detail: evidence });
      } else if (t > r.dueAt) {
        Object.assign(r, { outcome: 'none', score: 0 });
        note({ what: 'expired', inject: r.inject, expectation: r.id });
      }
    }
    const waiting = results.some((r) => r.outcome === 'pending' && MEASURED.has(r.type));
    if (next >= injects.length && !waiting) break;
    await new Promise((res) => setTimeout(res, pollMs));
  }
  const expectations = results.map(({ dueAt: _d, sentAt: _s, ...r }) => r);
  return { drillId, scenario: o.scenario.id, orgId: o.org.id, timeline, ...scoreRun(expectations) };
}

/** The alert id that meets an expectation, or undefined while it is not met. */
async function check(store: EventStore, drillId: string, orgId: string, e: Expectation): Promise<string | undefined> {
  const filters: Filter[] = [{ field: 'edu.drill.id', op: 'eq', value: drillId }];
  if (e.rule) filters.push({ field: 'rule.id', op: 'eq', value: e.rule });
  if (e.type === 'acknowledge') filters.push({ field: 'edu.alert.status', op: 'neq', value: 'new' });
  const res = await store.search({ datasets: ['alert'], orgIds: [orgId], filters, size: 1 });
  return res.hits[0]?.event.id;
}

async function schoolObserver(store: EventStore, orgId: string): Promise<Observer> {
  const hb = await store.search({
    datasets: ['collector.heartbeat'],
    orgIds: [orgId],
    sort: [{ field: '@timestamp', order: 'desc' }],
    size: 1,
  });
  return hb.hits[0]?.observer ?? { name: 'edusentry-drill', type: 'drill' };
}

interface InjectContext {
  drillId: string;
  scenario: string;
  org: Organization;
  observer: Observer;
  at: number;
  speed: number;
}

/** The inject's events as the pipeline stores real ones, marked as the drill's. */
export function injectEvents(inj: Inject, c: InjectContext): EcsEvent[] {
  const out: EcsEvent[] = [];
  for (let i = 0; i < inj.count; i++) {
    for (const [t, template] of (inj.events ?? []).entries()) {
      const ev = fill(structuredClone(template), i) as Record<string, unknown>;
      const meta = ev.event as Record<string, unknown>;
      const id = eventId('drill', [c.drillId, inj.id, i, t]);
      out.push({
        ...ev,
        '@timestamp': new Date(c.at + (i * inj.every) / c.speed).toISOString(),
        event: { kind: 'event', ...meta, id },
        organization: c.org,
        observer: c.observer,
        edu: { ...(ev.edu as object), drill: { id: c.drillId, scenario: c.scenario, inject: inj.id } },
        tags: [...new Set([...((ev.tags as string[] | undefined) ?? []), 'drill'])],
      } as unknown as EcsEvent);
    }
  }
  return out;
}

function fill(v: unknown, i: number): unknown {
  if (typeof v === 'string') return v.replace(/\{\{i\}\}/g, String(i)).replace(/\{\{n\}\}/g, String(i + 1));
  if (Array.isArray(v)) return v.map((x) => fill(x, i));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x, i)]));
  return v;
}
