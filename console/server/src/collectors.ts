/** Collector health from the latest `collector.heartbeat` per observer. */
import type { EventStore, HeartbeatEvent, SearchQuery } from '@edusentry/core';

export interface Collector {
  observerId: string;
  name: string | null;
  hostname: string | null;
  orgId: string | null;
  lastSeen: string;
  up: boolean;
  uptimeS: number;
  counters: Record<string, number>;
  rates: Record<string, number>;
  spoolBytes: number;
  drops: number;
}

export function toCollector(hb: HeartbeatEvent, now: number, downAfterS: number): Collector {
  const c = hb.edu?.collector ?? { uptime_s: 0, counters: {} };
  const counters = c.counters ?? {};
  return {
    observerId: hb.observer?.id ?? 'unknown',
    name: hb.observer?.name ?? null,
    hostname: hb.observer?.hostname ?? null,
    orgId: hb.organization?.id ?? null,
    lastSeen: hb['@timestamp'],
    up: now - Date.parse(hb['@timestamp']) <= downAfterS * 1000,
    uptimeS: c.uptime_s ?? 0,
    counters,
    rates: c.rates ?? {},
    spoolBytes: c.spool_bytes ?? 0,
    drops: Object.entries(counters).reduce((s, [k, v]) => (/drop/i.test(k) && typeof v === 'number' ? s + v : s), 0),
  };
}

/**
 * The latest heartbeat of each collector seen in the last 24 h, in `orgIds`
 * (plus org-less collectors when `withOrgless`).
 */
export async function latestCollectors(
  store: EventStore,
  opts: { orgIds: string[]; withOrgless: boolean; now: number; downAfterS: number },
): Promise<Collector[]> {
  const base: SearchQuery = { datasets: ['collector.heartbeat'], from: opts.now - 86_400_000, to: opts.now + 60_000 };
  const scopes: SearchQuery[] = [{ ...base, orgIds: opts.orgIds }];
  if (opts.withOrgless) scopes.push({ ...base, filters: [{ field: 'organization.id', op: 'missing' }] });
  const out: Collector[] = [];
  for (const scope of scopes) {
    const ids = await store.search({
      ...scope,
      size: 0,
      aggs: { observers: { type: 'terms', field: 'observer.id', size: 10_000 } },
    });
    const buckets = 'buckets' in ids.aggs.observers ? ids.aggs.observers.buckets : [];
    for (const b of buckets) {
      const latest = await store.search<HeartbeatEvent>({
        ...scope,
        filters: [...(scope.filters ?? []), { field: 'observer.id', op: 'eq', value: String(b.key) }],
        sort: [{ field: '@timestamp', order: 'desc' }],
        size: 1,
      });
      if (latest.hits[0]) out.push(toCollector(latest.hits[0], opts.now, opts.downAfterS));
    }
  }
  return out.sort((a, b) => a.observerId.localeCompare(b.observerId));
}
