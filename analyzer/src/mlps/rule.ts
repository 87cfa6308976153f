/**
 * The one interface every level-protection rule implements (one file each in rules/, listed in
 * rules/index.ts). A rule looks at one event at a time and may keep state; rules that watch for
 * absence (a silent source) also get the batch's latest event time. Their alerts are built by
 * the Sigma alert builder, so ids are deterministic, and go through the same policy, sides,
 * attribution and dedup as Sigma alerts (service/analyzer-service.ts).
 */
import type { AlertEvent } from '@edusentry/core';
import { buildAlert } from '../sigma/alert';
import type { DetectionRule } from '../sigma/types';
import type { MlpsConfig } from './config';

export interface MlpsContext {
  config: MlpsConfig;
  /** Inside the schools' ranges (analyzer.campusNetworks). */
  onCampus(ip: string | undefined): boolean;
}

export interface MlpsRuleInfo {
  /** The catalogue's evidence source id (rules/mlps/catalogue/evidence.yml), e.g. rule.weak-tls. */
  id: string;
  title: string;
  description: string;
  level: 'low' | 'medium' | 'high' | 'critical';
  /** The catalogue items it gives evidence for: djbh.l3.… / djbh.l2.…, and ATT&CK where one fits. */
  tags: string[];
}

export interface MlpsRule extends MlpsRuleInfo {
  /** Alerts this event raises (most events: none). */
  process(ev: Ev, ctx: MlpsContext): AlertEvent[];
  /** Alerts from the passing of time: `nowMs` is the latest event time seen. */
  tick?(nowMs: number, ctx: MlpsContext): AlertEvent[];
}

export type Ev = Record<string, unknown>;

/** A dotted field of a nested ECS event. */
export function get(ev: Ev, path: string): unknown {
  let v: unknown = ev;
  for (const k of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}
export const str = (ev: Ev, path: string) => {
  const v = get(ev, path);
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
};
export const num = (ev: Ev, path: string) => {
  const v = Number(get(ev, path));
  return Number.isFinite(v) ? v : undefined;
};
export const timeMs = (ev: Ev) => Date.parse(str(ev, '@timestamp') ?? '') || 0;
export const dataset = (ev: Ev) => str(ev, 'event.dataset') ?? '';

/** The connection reached the service: not refused by a firewall, and (for flows) the server answered. */
export function accepted(ev: Ev): boolean {
  const outcome = str(ev, 'event.outcome');
  const action = (str(ev, 'event.action') ?? '').toLowerCase();
  if (outcome === 'failure' || /^(deny|denied|drop|dropped|block|blocked|reject|rejected)$/.test(action)) return false;
  const bytes = num(ev, 'destination.bytes');
  const flags = get(ev, 'edu.flow.tcp_flags_server');
  if (Array.isArray(flags)) return flags.includes('SYN') && flags.includes('ACK');
  return bytes === undefined || bytes > 0;
}

/** An alert of a level-protection rule from its triggering events; `idParts` makes the id. */
export function mlpsAlert(rule: MlpsRuleInfo, events: Ev[], idParts: unknown, reason?: string): AlertEvent {
  const doc: DetectionRule = {
    kind: 'rule',
    meta: {
      title: rule.title,
      id: rule.id,
      description: rule.description,
      author: 'EduSentry',
      references: [],
      license: 'DRL-1.1',
      level: rule.level,
      tags: rule.tags,
      falsepositives: [],
    },
    logsource: {},
    detection: {},
    condition: { op: 'id', name: rule.id },
    source: { file: __filename, line: 0 },
  };
  const times = events.map(timeMs).filter((t) => t > 0);
  const first = times.length ? Math.min(...times) : Date.now();
  const last = times.length ? Math.max(...times) : first;
  const alert = buildAlert({
    doc,
    ruleKey: rule.id,
    events,
    eventIds: events.map((e) => str(e, 'event.id') ?? ''),
    firstMs: first,
    lastMs: last,
    idParts,
    count: events.length,
  });
  alert.event.module = 'mlps';
  alert.rule.ruleset = 'mlps';
  if (reason) alert.event.reason = reason;
  return alert;
}
