/**
 * What the wall and the site pages show, from stored site.check events: each site's current status
 * (the latest result of every check, URL and vantage point) and its availability per day or month
 * (uptime % and p95 latency of the http check).
 */
import type { EcsEvent } from '@edusentry/core';
import type { FindingKind, Severity } from './types';

/** Worst first: the order of the wall. */
export const WALL_STATES = ['down', 'critical', 'warning', 'ok', 'unknown'] as const;
export type WallState = (typeof WALL_STATES)[number];

export interface StoredFinding {
  id: string;
  kind: FindingKind;
  severity: Severity;
  detail: string;
  data?: Record<string, unknown>;
  check: string;
  url?: string;
  at: string;
}

export interface SiteStatus {
  siteId: string;
  state: WallState;
  up: boolean | null;
  lastCheck?: string;
  latencyMs?: number;
  statusCode?: number;
  timings?: Record<string, number>;
  findings: StoredFinding[];
  cert?: {
    notAfter?: string;
    notBefore?: string;
    subject?: string;
    issuer?: string;
    version?: string;
    cipher?: string;
  };
  dns: { vantage: string; answers: string[]; error?: string; at: string }[];
}

interface SiteFields {
  id: string;
  check: string;
  up?: boolean;
  state?: string;
  latency_ms?: number;
  status_code?: number;
  timings?: Record<string, number>;
  vantage?: string;
  answers?: string[];
  error?: string;
  findings?: Omit<StoredFinding, 'check' | 'url' | 'at'>[];
}

const siteOf = (e: EcsEvent) => (e.edu as { site?: SiteFields } | undefined)?.site;

function wallState(s: SiteStatus): WallState {
  if (s.up === null) return 'unknown';
  if (!s.up) return 'down';
  if (s.findings.some((f) => f.severity === 'critical' || f.severity === 'high')) return 'critical';
  return s.findings.length ? 'warning' : 'ok';
}

/** Current status of each site from its events (any order); the latest result per check/URL/vantage counts. */
export function currentStatus(events: EcsEvent[]): Map<string, SiteStatus> {
  const latest = new Map<string, EcsEvent>();
  for (const e of events) {
    const s = siteOf(e);
    if (!s?.id) continue;
    const key = `${s.id}|${s.check}|${(e.url as { full?: string } | undefined)?.full ?? ''}|${s.vantage ?? ''}`;
    const prev = latest.get(key);
    if (!prev || prev['@timestamp'] < e['@timestamp']) latest.set(key, e);
  }
  const out = new Map<string, SiteStatus>();
  for (const e of latest.values()) {
    const s = siteOf(e)!;
    let st = out.get(s.id);
    if (!st) out.set(s.id, (st = { siteId: s.id, state: 'unknown', up: null, findings: [], dns: [] }));
    const at = e['@timestamp'];
    if (!st.lastCheck || st.lastCheck < at) st.lastCheck = at;
    const url = (e.url as { full?: string } | undefined)?.full;
    for (const f of s.findings ?? []) st.findings.push({ ...f, check: s.check, url, at });
    if (s.check === 'http') {
      st.up = s.state ? s.state !== 'down' : s.up !== false;
      st.latencyMs = s.latency_ms;
      st.statusCode = s.status_code;
      st.timings = s.timings;
    }
    if (s.check === 'tls') {
      const t = e.tls as
        | {
            version?: string;
            cipher?: string;
            server?: { not_after?: string; not_before?: string; subject?: string; issuer?: string };
          }
        | undefined;
      st.cert = {
        notAfter: t?.server?.not_after,
        notBefore: t?.server?.not_before,
        subject: t?.server?.subject,
        issuer: t?.server?.issuer,
        version: t?.version,
        cipher: t?.cipher,
      };
    }
    if (s.check === 'dns' && s.vantage)
      st.dns.push({ vantage: s.vantage, answers: s.answers ?? [], error: s.error, at });
  }
  for (const st of out.values()) {
    st.dns.sort((a, b) => a.vantage.localeCompare(b.vantage));
    st.state = wallState(st);
  }
  return out;
}

export interface AvailabilityBucket {
  /** YYYY-MM-DD or YYYY-MM (UTC). */
  period: string;
  checks: number;
  up: number;
  uptimePct: number;
  p95Ms: number | null;
}

/** Uptime % and p95 latency of the http results per day or month (UTC). */
export function availability(events: EcsEvent[], by: 'day' | 'month' = 'day'): AvailabilityBucket[] {
  const buckets = new Map<string, { checks: number; up: number; lat: number[] }>();
  for (const e of events) {
    const s = siteOf(e);
    if (s?.check !== 'http') continue;
    const period = e['@timestamp'].slice(0, by === 'day' ? 10 : 7);
    let b = buckets.get(period);
    if (!b) buckets.set(period, (b = { checks: 0, up: 0, lat: [] }));
    b.checks++;
    if (s.up !== false && e.event.outcome !== 'failure') {
      b.up++;
      if (typeof s.latency_ms === 'number') b.lat.push(s.latency_ms);
    }
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([period, b]) => {
      b.lat.sort((x, y) => x - y);
      const p95 = b.lat.length ? b.lat[Math.min(b.lat.length - 1, Math.ceil(b.lat.length * 0.95) - 1)] : null;
      return {
        period,
        checks: b.checks,
        up: b.up,
        uptimePct: Math.round((b.up / b.checks) * 10_000) / 100,
        p95Ms: p95,
      };
    });
}
