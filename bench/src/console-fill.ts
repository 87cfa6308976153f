/**
 * Fills a store with generated events (sample province, the 24 h before `to`) plus one
 * alert per `alertEvery` events, for `pnpm bench console`. On OpenSearch the indices do
 * not refresh while loading (refresh_interval -1, set again as new daily indices appear)
 * and are refreshed once at the end, the usual way to bulk-load a search engine.
 */
import { performance } from 'node:perf_hooks';
import { eventId, type AlertEvent, type EcsEvent, type EventStore } from '@edusentry/core';
import { iterateEvents } from '@edusentry/sample';

const LEVELS = ['low', 'medium', 'medium', 'high', 'high', 'critical'];
const TACTICS = ['initial-access', 'discovery', 'credential-access', 'execution', 'command-and-control'];

/** An alert on generated event `e`, as the analyzer would write it. */
export function alertOn(e: EcsEvent, n: number): AlertEvent {
  return {
    '@timestamp': e['@timestamp'],
    event: { id: eventId('bench-alert', `${e.event.id}:${n}`), kind: 'alert', dataset: 'alert', severity: 50 },
    organization: e.organization,
    source: e.source,
    destination: e.destination,
    rule: {
      id: `bench-rule-${n % 25}`,
      name: `Bench rule ${n % 25}`,
      level: LEVELS[n % LEVELS.length],
      author: 'bench',
      license: 'DRL-1.1',
    },
    threat: { framework: 'MITRE ATT&CK', tactic: { name: [TACTICS[n % TACTICS.length]] } },
    edu: {
      alert: {
        status: n % 4 === 0 ? 'closed' : 'new',
        events: [e.event.id],
        // The campus end, as the analyzer sets it: the source of outbound traffic, else the destination.
        ...sides(e),
      },
    },
  };
}

function sides(e: EcsEvent): { asset?: string; remote?: string } {
  const [asset, remote] =
    e.network?.direction === 'outbound' ? [e.source?.ip, e.destination?.ip] : [e.destination?.ip, e.source?.ip];
  return asset ? { asset, ...(remote ? { remote } : {}) } : {};
}

/** A search engine's indices under a prefix, for bulk-load settings. */
export interface BulkTarget {
  url: string;
  indexPrefix: string;
}

async function settings(t: BulkTarget, index: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${t.url.replace(/\/+$/, '')}/${t.indexPrefix}-*/_settings`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ index }),
  });
  if (!res.ok) throw new Error(`PUT ${t.indexPrefix}-*/_settings: ${res.status} ${await res.text()}`);
}

export interface Filled {
  events: number;
  alerts: number;
  /** Wall seconds, and CPU seconds of this process (the engine's own CPU is not in it). */
  seconds: number;
  cpuSeconds: number;
}

export async function fill(
  store: EventStore,
  opts: { count: number; to: number; alertEvery: number; batch?: number; bulk?: BulkTarget; progress?: boolean },
): Promise<Filled> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const size = opts.batch ?? (opts.bulk ? 20_000 : 5000);
  let batch: EcsEvent[] = [];
  let events = 0;
  let alerts = 0;
  let reported = 0;
  const flush = async () => {
    const r = await store.write(batch);
    if (r.failed || r.quarantined.length)
      throw new Error(`store write: ${r.failed} failed, ${r.quarantined.length} quarantined`);
    batch = [];
    if (opts.bulk) await settings(opts.bulk, { refresh_interval: '-1' });
    const millions = Math.floor(events / 1_000_000);
    if (opts.progress && millions > reported) {
      reported = millions;
      process.stderr.write(
        `  ${events.toLocaleString('en')} events, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`,
      );
    }
  };
  for (const e of iterateEvents({ seed: 7, count: opts.count, from: opts.to - 86_400_000, to: opts.to })) {
    batch.push(e);
    events++;
    if (events % opts.alertEvery === 0) batch.push(alertOn(e, alerts++) as unknown as EcsEvent);
    if (batch.length >= size) await flush();
  }
  if (batch.length) await flush();
  if (opts.bulk) {
    await settings(opts.bulk, { refresh_interval: null });
    await (store as EventStore & { refresh?: () => Promise<void> }).refresh?.();
  }
  const cpu = process.cpuUsage(c0);
  return { events, alerts, seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}
