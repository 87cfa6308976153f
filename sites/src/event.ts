/**
 * A check result → one ECS `site.check` event: event.module sitemon, event.action = the check,
 * event.duration in ns, url.*, http/tls/dns fields of the check, observer (the vantage point),
 * organization, and edu.site.{id, name, check, up, state, findings[{id, kind, severity, detail}],
 * new_findings (kinds first seen in this result), state_change (down/recovered)}.
 */
import { eventId, type EcsEvent, type Observer } from '@edusentry/core';
import type { CheckOutcome } from './checks/types';
import type { SiteStateName } from './state';
import type { CheckName, Finding, Site } from './types';

export interface EventContext {
  site: Site;
  check: CheckName;
  at: Date;
  observer: Observer;
  orgName?: string;
  state: SiteStateName;
  newFindings: Finding[];
  stateChange?: 'down' | 'recovered';
}

export function toEvent(r: CheckOutcome, c: EventContext): EcsEvent {
  const url = new URL(r.url ?? c.site.url);
  const ts = c.at.toISOString();
  const observer: Observer = r.vantage ? { ...c.observer, type: 'dns-vantage', name: r.vantage } : c.observer;
  const findings = r.findings.map((f) => ({
    id: f.id,
    kind: f.kind,
    severity: f.severity,
    detail: f.detail,
    ...(f.data ? { data: f.data } : {}),
  }));
  const m = r.measurements ?? {};
  const ev: Record<string, unknown> = {
    '@timestamp': ts,
    event: {
      id: eventId(`sitemon:${observer.id ?? ''}`, [c.site.id, c.check, url.toString(), r.vantage ?? '', ts]),
      kind: 'event',
      dataset: 'site.check',
      module: 'sitemon',
      action: c.check,
      category: ['web'],
      type: ['info'],
      outcome: r.outcome,
      duration: r.durationMs !== undefined ? Math.round(r.durationMs * 1e6) : undefined,
      severity: findings.length ? severityNumber(r.findings) : undefined,
      reason: findings.length ? findings.map((f) => f.kind).join(', ') : undefined,
    },
    url: { full: url.toString(), domain: url.hostname, scheme: url.protocol.replace(':', ''), path: url.pathname },
    observer,
    organization: { id: c.site.orgId, ...(c.orgName ? { name: c.orgName } : {}) },
    // The site as the destination, so an alert raised on this event names it (and aggregates per site).
    destination: { domain: url.hostname },
    ...(r.fields ?? {}),
    edu: {
      site: {
        id: c.site.id,
        name: c.site.name,
        check: c.check,
        up: c.state !== 'down',
        state: c.state,
        ...(m as Record<string, unknown>),
        error: r.error,
        findings,
        new_findings: c.newFindings.length ? [...new Set(c.newFindings.map((f) => f.kind))] : undefined,
        state_change: c.stateChange,
      },
    },
  };
  return prune(ev) as EcsEvent;
}

const SEV = { low: 21, medium: 47, high: 73, critical: 99 } as const;
function severityNumber(f: Finding[]): number {
  return Math.max(...f.map((x) => SEV[x.severity]));
}

/** Drops undefined members, so the stored document holds only what was measured. */
function prune(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(prune);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = prune(x);
    return out;
  }
  return v;
}
